/* tests/src/test_map.c: maps (src/output/map.c) of the sample city's analyze output (run once by the group
 * setup with the emscov binary): page size in pixels for page + dpi (hand-computed), the station colour at a
 * station's map position, band colours at a demand cell under 4 min and at an unreachable one, one PDF page
 * per district, CJK names laid out without unknown glyphs, byte-identical renders, and the failure paths. */
#include "test_util.h"

#include "geo/layer.h"
#include "src/output/map.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool have_run;
static char gpkg[600];

static int group_setup(void **state)
{
    tu_ctx_setup(state);
    const char *bin = getenv("EMSCOV_BIN");
    const char *ini = tu_sample("scenario.ini");
    if (!bin || !ini || access(ini, R_OK) != 0) return 0;
    char cmd[2000], *out = NULL;
    snprintf(cmd, sizeof cmd, "'%s' analyze --out '%s' '%s' 2>&1", bin, tu_tmp("out"), ini);
    int rc = tu_run(cmd, &out);
    free(out);
    snprintf(gpkg, sizeof gpkg, "%s", tu_tmp("out/emscov.gpkg"));
    have_run = rc == 0 && access(gpkg, R_OK) == 0;
    return 0;
}

typedef struct run {
    layer *streets, *demand, *stations, *parks;
    map_inputs in;
} run;

static layer *read_table(emscov_ctx *ctx, const char *table)
{
    char src[700];
    snprintf(src, sizeof src, "%s:%s", gpkg, table);
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, src, NULL, &l));
    return l;
}

static void load(emscov_ctx *ctx, run *r)
{
    if (!have_run) {
        print_message("no sample / analyze output: skipped\n");
        skip();
    }
    memset(r, 0, sizeof *r);
    r->streets = read_table(ctx, "street_summary");
    r->demand = read_table(ctx, "demand_time");
    r->stations = read_table(ctx, "station");
    r->parks = read_table(ctx, "park_service_area");
    r->in = (map_inputs){.streets = r->streets, .demand = r->demand, .stations = r->stations, .parks = r->parks,
                         .date = "2024-05-01", .standard = "beijing-2022", .mean_below_s = 720,
                         .coverage_within_s = 720, .residents_per_ambulance = 30000};
}

static void unload(run *r)
{
    layer_destroy(r->streets);
    layer_destroy(r->demand);
    layer_destroy(r->stations);
    layer_destroy(r->parks);
}

static map_page whole(const run *r)
{
    map_page p = {.name = NULL};
    layer_extent(r->streets, p.extent);
    return p;
}

/* RGB of the PNG pixel holding page point (px, py) at dpi. */
static unsigned pixel_at(cairo_surface_t *s, double px, double py, double dpi)
{
    int x = (int)floor(px * dpi / 72), y = (int)floor(py * dpi / 72);
    const unsigned char *d = cairo_image_surface_get_data(s);
    uint32_t v;
    memcpy(&v, d + (size_t)y * (size_t)cairo_image_surface_get_stride(s) + (size_t)x * 4, 4);
    return v & 0xFFFFFF;
}

static void test_time_png(void **state)
{
    emscov_ctx *ctx = *state;
    run r;
    load(ctx, &r);
    map_opts o = {.kind = MAP_TIME, .page_w_mm = 297, .page_h_mm = 210, .dpi = 100, .format = MAP_PNG};
    map_page p = whole(&r);
    const char *path = tu_tmp("time.png");
    assert_ok(ctx, map_write(ctx, &r.in, &o, &p, 1, path));
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    /* A4 landscape at 100 dpi: 297 / 25.4 * 100 = 1169.3, 210 / 25.4 * 100 = 826.8 */
    assert_int_equal(cairo_image_surface_get_width(s), 1169);
    assert_int_equal(cairo_image_surface_get_height(s), 827);
    map_layout lay;
    map_layout_compute(&o, &p, &lay);
    GEOSContextHandle_t h = emscov_geos(ctx);
    /* every station inside the map frame is drawn in the station colour */
    size_t checked = 0;
    for (size_t i = 0; i < layer_count(r.stations); i++) {
        double x, y, px, py;
        GEOSGeomGetX_r(h, layer_geom(r.stations, i), &x);
        GEOSGeomGetY_r(h, layer_geom(r.stations, i), &y);
        map_world_to_page(&lay, x, y, &px, &py);
        if (px < lay.frame[0] || px > lay.frame[0] + lay.frame[2]) continue;
        assert_int_equal(pixel_at(s, px, py, o.dpi), MAP_COLOR_STATION);
        checked++;
    }
    assert_true(checked >= 14);
    /* demand cells: under 4 min -> band 0 colour; unreachable -> grey. Labels, boundaries and station
     * markers cover some cells, so count: nearly all must show their band colour. */
    int jt = layer_field_index(r.demand, "time_s");
    size_t fast = 0, fast_ok = 0, unr = 0, unr_ok = 0;
    for (size_t i = 0; i < layer_count(r.demand); i++) {
        double t = layer_value_number(r.demand, i, (size_t)jt), x, y, px, py;
        if (!(t < 200) && isfinite(t)) continue;
        GEOSGeomGetX_r(h, layer_geom(r.demand, i), &x);
        GEOSGeomGetY_r(h, layer_geom(r.demand, i), &y);
        map_world_to_page(&lay, x, y, &px, &py);
        unsigned c = pixel_at(s, px, py, o.dpi);
        if (isfinite(t))
            fast++, fast_ok += c == map_band_colors[0];
        else
            unr++, unr_ok += c == MAP_COLOR_UNREACHABLE;
    }
    print_message("cells under 200 s: %zu of %zu in band colour; unreachable: %zu of %zu\n", fast_ok, fast, unr_ok,
                  unr);
    assert_true(fast > 1000 && fast_ok >= fast * 9 / 10);
    assert_true(unr >= 5 && unr_ok >= unr * 7 / 10);
    cairo_surface_destroy(s);

    /* same inputs, same bytes */
    char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    assert_ok(ctx, ems_read_file(ctx, path, &a, &na));
    const char *path2 = tu_tmp("time2.png");
    assert_ok(ctx, map_write(ctx, &r.in, &o, &p, 1, path2));
    assert_ok(ctx, ems_read_file(ctx, path2, &b, &nb));
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    free(a);
    free(b);
    unload(&r);
}

static size_t count_pages(const char *data, size_t n)
{
    size_t k = 0;
    const char *needle = "/Type /Page";
    size_t m = strlen(needle);
    for (size_t i = 0; i + m < n; i++)
        if (!memcmp(data + i, needle, m) && data[i + m] != 's') k++;
    return k;
}

static void test_each_pdf(void **state)
{
    emscov_ctx *ctx = *state;
    run r;
    load(ctx, &r);
    map_group *g = NULL;
    size_t ng = 0;
    assert_ok(ctx, map_groups(ctx, r.streets, "district", &g, &ng));
    /* the sample: 4 districts, sorted bytewise (UTF-8) */
    assert_int_equal(ng, 4);
    for (size_t k = 1; k < ng; k++)
        assert_true(strcmp(g[k - 1].value, g[k].value) < 0);
    size_t feats = 0;
    map_page pages[8];
    for (size_t k = 0; k < ng; k++) {
        feats += g[k].features;
        pages[k] = (map_page){.name = g[k].value, .each_field = "district"};
        memcpy(pages[k].extent, g[k].extent, sizeof pages[k].extent);
    }
    assert_int_equal(feats, 20);
    map_opts o = {.kind = MAP_CHOROPLETH, .field = "mean_s", .page_w_mm = 297, .page_h_mm = 210, .dpi = 72,
                  .format = MAP_PDF};
    const char *path = tu_tmp("each.pdf");
    assert_ok(ctx, map_write(ctx, &r.in, &o, pages, ng, path));
    char *data = NULL;
    size_t n = 0;
    assert_ok(ctx, ems_read_file(ctx, path, &data, &n));
    assert_int_equal(count_pages(data, n), 4);
    /* PDF dates come from the data date, not the clock */
    bool dated = false;
    for (size_t i = 0; i + 8 <= n && !dated; i++)
        dated = !memcmp(data + i, "20240501", 8);
    assert_true(dated);
    free(data);
    /* PNG and SVG hold one page */
    o.format = MAP_SVG;
    assert_status_msg(ctx, map_write(ctx, &r.in, &o, pages, ng, tu_tmp("each.svg")), EMS_EINTERNAL, "need PDF");
    map_groups_free(g, ng);
    unload(&r);
}

static void test_cjk_text(void **state)
{
    emscov_ctx *ctx = *state;
    double w = 0, h = 0;
    int unknown = -1;
    assert_ok(ctx, map_text_extent(ctx, "东华门街道", 10, &w, &h, &unknown));
    assert_int_equal(unknown, 0);
    assert_true(w > 30 && h > 8); /* five CJK glyphs of 10 pt are ~50 pt wide */
    /* every sub-district name of the sample (GBK in the shapefile, UTF-8 here) */
    if (!have_run) return;
    layer *l = read_table(ctx, "street_summary");
    int jn = layer_field_index(l, "name");
    for (size_t i = 0; i < layer_count(l); i++) {
        const char *name = layer_value_at(l, i, (size_t)jn)->u.s;
        assert_ok(ctx, map_text_extent(ctx, name, 8, &w, &h, &unknown));
        if (unknown != 0) print_message("tofu in %s\n", name);
        assert_int_equal(unknown, 0);
        assert_true(w > 0 && h > 0);
    }
    layer_destroy(l);
}

static void test_helpers(void **state)
{
    (void)state;
    double w, h;
    assert_true(map_parse_page("A3", &w, &h) && w == 420 && h == 297);
    assert_true(map_parse_page("a4-portrait", &w, &h) && w == 210 && h == 297);
    assert_true(map_parse_page("400x300mm", &w, &h) && w == 400 && h == 300);
    assert_false(map_parse_page("400x300", &w, &h));
    assert_false(map_parse_page("10x300mm", &w, &h));
    assert_false(map_parse_page("B5", &w, &h));
    char b[64];
    map_file_stem("东城区", b, sizeof b);
    assert_string_equal(b, "东城区");
    map_file_stem("a/b c:d", b, sizeof b);
    assert_string_equal(b, "a_b_c_d");
    map_file_stem(".x", b, sizeof b);
    assert_string_equal(b, "_x");
    map_file_stem("", b, sizeof b);
    assert_string_equal(b, "_");
    map_file_stem("东城区", b, 7); /* room for two characters (6 bytes) only */
    assert_string_equal(b, "东城");
    assert_int_equal(map_time_band(0), 0);
    assert_int_equal(map_time_band(239.9), 0);
    assert_int_equal(map_time_band(240), 1);
    assert_int_equal(map_time_band(959), 3);
    assert_int_equal(map_time_band(5000), 4);
    assert_int_equal(map_time_band(NAN), -1);
    map_kind k;
    assert_true(map_kind_parse("gaps", &k) && k == MAP_GAPS);
    assert_false(map_kind_parse("heat", &k));
}

static void test_failures(void **state)
{
    emscov_ctx *ctx = *state;
    run r;
    load(ctx, &r);
    map_page p = whole(&r);
    map_opts o = {.kind = MAP_TIME, .page_w_mm = 297, .page_h_mm = 210, .dpi = 72, .format = MAP_PNG};
    map_inputs in = r.in;
    in.demand = NULL;
    assert_status_msg(ctx, map_write(ctx, &in, &o, &p, 1, tu_tmp("x.png")), EMS_EINPUT, "no demand_time layer");
    o.kind = MAP_CHOROPLETH;
    o.field = "nope";
    assert_status_msg(ctx, map_write(ctx, &r.in, &o, &p, 1, tu_tmp("x.png")), EMS_EINPUT,
                      "layer street_summary: no field nope");
    o.field = "name";
    assert_status_msg(ctx, map_write(ctx, &r.in, &o, &p, 1, tu_tmp("x.png")), EMS_EINPUT, "field name is not a number");
    o.field = NULL;
    o.dpi = 3000;
    assert_status_msg(ctx, map_write(ctx, &r.in, &o, &p, 1, tu_tmp("x.png")), EMS_EINPUT, "at most 32767");
    o.dpi = 72;
    assert_status_msg(ctx, map_write(ctx, &r.in, &o, &p, 1, tu_tmp("nodir/x.png")), EMS_EIO, "cannot create");
    struct stat sb;
    assert_int_not_equal(stat(tu_tmp("x.png"), &sb), 0);
    map_group *g = NULL;
    size_t ng = 0;
    assert_status_msg(ctx, map_groups(ctx, r.streets, "nope", &g, &ng), EMS_EINPUT, "no field nope");
    unload(&r);
}

/* Drop the font caches Pango, Cairo and fontconfig keep for the process, so valgrind sees only our leaks. */
static int group_teardown(void **state)
{
    map_release_fonts();
    return tu_ctx_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helpers),  cmocka_unit_test(test_cjk_text), cmocka_unit_test(test_time_png),
        cmocka_unit_test(test_each_pdf), cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
