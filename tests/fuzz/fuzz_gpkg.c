/* tests/fuzz/fuzz_gpkg.c: libFuzzer target for the GeoPackage reader (layer_read on "x.gpkg" and
 * "x.gpkg:TABLE", layer_read_points). The input is the GeoPackage file itself, served through the I/O hook
 * (fuzz_io.h): the reader loads it into an in-memory SQLite database with sqlite3_deserialize, so no file is
 * written. Byte 0 picks the call (the whole input stays the file). Any status is fine; a crash, sanitizer
 * report, leak or hang is a bug. */
#include "fuzz_io.h"
#include "geo/layer.h"

#include <stdint.h>
#include <stdlib.h>

FUZZ_IO_SIMPLE_TARGET

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_io_put("/fuzz/in.gpkg", data, size);
    int pick = size ? data[0] % 4 : 0;
    ems_status st;
    if (pick == 3) {
        layer_points p;
        st = layer_read_points(ctx, "/fuzz/in.gpkg:pts", NULL, "t", &p);
        layer_points_free(&p);
    } else {
        static const char *const src[3] = {"/fuzz/in.gpkg", "/fuzz/in.gpkg:areas", "/fuzz/in.gpkg:pts"};
        layer_read_opts o = {.srs = pick == 1 ? "EPSG:4548" : NULL};
        layer *l = NULL;
        st = layer_read(ctx, src[pick], &o, &l);
        if ((st == EMS_OK) != (l != NULL)) abort();
        layer_destroy(l);
    }
    (void)st;
    fuzz_io_clear();
    emscov_clear(ctx);
    return 0;
}
