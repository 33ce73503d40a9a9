/* tests/fuzz/fuzz_crs.c: libFuzzer target for CRS text: --srs strings and WKT (crs_from_string) and .prj files
 * (crs_from_prj, served in memory through the I/O hook, fuzz_io.h). Byte 0 picks the entry point; the rest
 * is the text. A CRS that parses is cloned, compared with WGS 84, asked for its central meridian and area of
 * use (crs_check_near) and, when bits 1-4 of byte 0 are all set (1 input in 16: PROJ's search for operations
 * takes up to a second), used to transform a point to WGS 84. Any status is fine; a crash, sanitizer
 * report, leak or hang is a bug. */
#include "fuzz_io.h"
#include "geo/crs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static emscov_ctx *ctx;
static crs *wgs;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = fuzz_io_ctx();
    if (crs_from_epsg(ctx, 4326, &wgs) != EMS_OK) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) return 0;
    crs *c = NULL;
    ems_status st;
    if (data[0] & 1) {
        fuzz_io_put("/fuzz/in.prj", data + 1, size - 1);
        st = crs_from_prj(ctx, "/fuzz/in.prj", &c);
    } else {
        char *text = malloc(size);
        if (!text) abort();
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        st = crs_from_string(ctx, text, &c);
        free(text);
    }
    if ((st == EMS_OK) != (c != NULL)) abort();
    if (c) {
        crs *d = NULL;
        if (crs_clone(ctx, c, &d) == EMS_OK) {
            (void)crs_equivalent(c, d);
            (void)crs_equivalent(c, wgs);
            crs_destroy(d);
        }
        (void)crs_tm_central_meridian(c);
        const double ext[4] = {116.2, 39.7, 116.6, 40.1};
        char *w = NULL;
        if (crs_check_near(ctx, c, ext, &w) == EMS_OK) free(w);
        /* a transformation only now and then: PROJ's search for operations takes up to a second */
        crs_transformer *t = NULL;
        if ((data[0] & 0x1E) == 0x1E && crs_transformer_create(ctx, c, wgs, &t) == EMS_OK) {
            double x = 448000, y = 4417000;
            (void)crs_transform_xy(ctx, t, &x, &y, 1);
            crs_transformer_destroy(t);
        }
        crs_destroy(c);
    }
    fuzz_io_clear();
    emscov_clear(ctx);
    return 0;
}
