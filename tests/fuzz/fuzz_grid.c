/* tests/fuzz/fuzz_grid.c: libFuzzer target for the ESRI ASCII grid reader (grid_read), in memory through the
 * I/O hook (fuzz_io.h). Odd-sized inputs read with --srs EPSG:32650; even-sized ones with the CRS from a .prj
 * beside the grid whose text is the tail of the input after a "\n@prj\n" marker (or no .prj: "no CRS").
 * A grid that reads is checked as counts of people (grid_check_counts) and its cells walked.
 * Any status is fine; a crash, sanitizer report, leak or hang is a bug. */
#include "fuzz_io.h"
#include "geo/grid.h"
#include "geo/limits.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

FUZZ_IO_SIMPLE_TARGET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size;
    const uint8_t *prj = NULL;
    for (size_t k = 0; k + 6 <= size; k++)
        if (!memcmp(data + k, "\n@prj\n", 6)) {
            n = k;
            prj = data + k + 6;
            break;
        }
    fuzz_io_put("/fuzz/pop.asc", data, n);
    if (prj) fuzz_io_put("/fuzz/pop.prj", prj, size - (size_t)(prj - data));
    layer_read_opts o = {.srs = size % 2 ? "EPSG:32650" : NULL};
    grid *g = NULL;
    ems_status st = grid_read(ctx, "/fuzz/pop.asc", &o, &g);
    if ((st == EMS_OK) != (g != NULL)) abort();
    if (g) {
        (void)grid_check_counts(ctx, g, LIMITS_PERSONS_PER_CELL_MAX, "people");
        double sum = 0, x, y;
        for (size_t r = 0; r < grid_nrows(g); r++)
            for (size_t c = 0; c < grid_ncols(g); c++) {
                if (!grid_is_nodata(g, r, c)) sum += grid_value(g, r, c);
                grid_cell_centre(g, r, c, &x, &y);
            }
        (void)sum;
        grid_destroy(g);
    }
    fuzz_io_clear();
    emscov_clear(ctx);
    return 0;
}
