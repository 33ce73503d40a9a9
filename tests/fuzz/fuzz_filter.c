/* tests/fuzz/fuzz_filter.c: libFuzzer target for `where` filters (geo/filter.c): the input is the expression,
 * applied to a small layer with a field of every type (int, double, text with CJK, date, logical, nulls) and a
 * skipped record. After a filter that succeeds, the ledger identity of layer.h must hold:
 * source records == features + skipped + filtered. Any status is fine; a crash, sanitizer report, leak or hang
 * is a bug. */
#include "fuzz_io.h"
#include "geo/filter.h"
#include "geo/layer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static emscov_ctx *ctx;
static crs *utm;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (!(ctx = emscov_ctx_create()) || crs_from_epsg(ctx, 32650, &utm) != EMS_OK) abort();
    return 0;
}

static layer *make_layer(void)
{
    layer *l = NULL;
    if (layer_create(ctx, "stations.shp", "ESRI Shapefile", utm, &l) != EMS_OK ||
        layer_add_field(ctx, l, "id", LAYER_FIELD_INT, 9, 0) != EMS_OK ||
        layer_add_field(ctx, l, "turnout", LAYER_FIELD_DOUBLE, 12, 3) != EMS_OK ||
        layer_add_field(ctx, l, "kind", LAYER_FIELD_STRING, 40, 0) != EMS_OK ||
        layer_add_field(ctx, l, "opened", LAYER_FIELD_DATE, 8, 0) != EMS_OK ||
        layer_add_field(ctx, l, "Active", LAYER_FIELD_LOGICAL, 1, 0) != EMS_OK)
        abort();
    GEOSContextHandle_t h = emscov_geos(ctx);
    layer_value rows[4][5] = {
        {{.u.i = 1}, {.u.d = 60.5}, {.u.s = "hospital"}, {.u.date = 20200131}, {.u.b = true}},
        {{.u.i = -2}, {.is_null = true}, {.u.s = "急救站"}, {.is_null = true}, {.u.b = false}},
        {{.u.i = 3}, {.u.d = -0.0}, {.u.s = "it's 12"}, {.u.date = 19991231}, {.is_null = true}},
        {{.is_null = true}, {.u.d = 1e300}, {.is_null = true}, {.u.date = 20240229}, {.u.b = true}},
    };
    for (int i = 0; i < 3; i++)
        if (layer_append_take(ctx, l, GEOSGeom_createPointFromXY_r(h, 448000 + i, 4417000), i + 1, rows[i]) != EMS_OK)
            abort();
    if (layer_append_take(ctx, l, NULL, 4, rows[3]) != EMS_OK) abort(); /* kept as a skipped record */
    return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *expr = malloc(size + 1);
    if (!expr) abort();
    memcpy(expr, data, size);
    expr[size] = '\0';
    layer *l = make_layer();
    size_t kept = 0;
    if (layer_filter(ctx, l, expr, &kept) == EMS_OK) {
        if (kept != layer_count(l)) abort();
        if (layer_source_records(l) != layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l)) abort();
    } else if (layer_count(l) != 3 || layer_skipped_count(l) != 1) {
        abort(); /* a failed filter leaves the layer unchanged */
    }
    layer_destroy(l);
    free(expr);
    emscov_clear(ctx);
    return 0;
}
