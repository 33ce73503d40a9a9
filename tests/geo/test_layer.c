/* tests/geo/test_layer.c: the feature table: attributes, polygon validation and repair on append (reason and
 * record noted), empty geometries skipped, extents, reprojection (checked against hand-worked UTM values from
 * cs2cs), working-CRS choice and the GCJ-02 conversion on read. */
#include "test_util.h"

#include "geo/layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static layer *new_layer(emscov_ctx *ctx, int epsg)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, epsg, &c));
    assert_ok(ctx, layer_create(ctx, "mem.test", "test", c, &l));
    crs_destroy(c);
    return l;
}

static void test_attributes(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = new_layer(ctx, 32650);
    assert_ok(ctx, layer_add_field(ctx, l, "NAME", LAYER_FIELD_STRING, 40, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "POP", LAYER_FIELD_INT, 10, 0));
    char name[] = "东华门街道";
    layer_value v[2] = {{.u.s = name}, {.u.i = 12345}};
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(1 2)"), 1, v));
    name[0] = 'X'; /* values are copied */
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(3 4)"), 2, NULL));
    assert_int_equal(layer_count(l), 2);
    assert_int_equal(layer_field_index(l, "pop"), 1);
    assert_int_equal(layer_field_index(l, "nope"), -1);
    assert_string_equal(layer_value_at(l, 0, 0)->u.s, "东华门街道");
    assert_close(layer_value_number(l, 0, 1), 12345, 0);
    assert_true(layer_value_at(l, 1, 1)->is_null);
    assert_true(isnan(layer_value_number(l, 1, 1)));
    assert_string_equal(layer_geom_type(l), "Point");
    /* schema is fixed once features exist */
    assert_status_msg(ctx, layer_add_field(ctx, l, "LATE", LAYER_FIELD_INT, 0, 0), EMS_EINTERNAL, "LATE");
    double e[4];
    assert_true(layer_extent(l, e));
    assert_close(e[0], 1, 0);
    assert_close(e[3], 4, 0);
    layer_destroy(l);
}

static void test_invalid_polygon_repaired(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    layer *l = new_layer(ctx, 32650);
    /* bow-tie: self-intersection at (5 5); repaired it becomes two triangles of 25 m2 each */
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))"), 7, NULL));
    /* a valid square with a hole */
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,1 2,2 2,2 1,1 1))"), 8,
                                     NULL));
    /* empty and NULL geometries are skipped and noted */
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON EMPTY"), 9, NULL));
    assert_ok(ctx, layer_append_take(ctx, l, NULL, 10, NULL));
    /* a line collapsed polygon: repair leaves no area, skipped */
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((0 0, 5 0, 10 0, 0 0))"), 11, NULL));

    assert_int_equal(layer_count(l), 2);
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_REPAIRED), 1);
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_EMPTY), 3);
    const layer_note *n = layer_note_at(l, 0);
    assert_int_equal(n->record, 7);
    assert_non_null(strstr(n->text, "Self-intersection"));
    assert_non_null(strstr(n->text, "(5.000 5.000)"));
    double area = 0;
    assert_int_equal(GEOSArea_r(h, layer_geom(l, 0), &area), 1);
    assert_close(area, 50.0, 1e-9);
    assert_int_equal(GEOSisValid_r(h, layer_geom(l, 0)), 1);
    assert_int_equal(layer_record(l, 1), 8);
    assert_string_equal(layer_geom_type(l), "MultiPolygon");
    layer_destroy(l);
}

/* Reprojection: WGS 84 lon/lat -> UTM 50N. Expected values from
 *   echo 116.397428 39.90923 | cs2cs -f %.3f +proj=longlat +datum=WGS84 +to +proj=utm +zone=50 +datum=WGS84
 * = 448496.425 4417856.475, run at test time (also checked against PostGIS in test_pg). */
static void test_transform_and_working_crs(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    layer *l = new_layer(ctx, 4326);
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(116.397428 39.90923)"), 1, NULL));
    crs *wk = NULL;
    layer *ls[1] = {l};
    assert_ok(ctx, layer_choose_working_crs(ctx, ls, 1, &wk));
    assert_int_equal(crs_epsg(wk), 32650);
    assert_ok(ctx, layer_transform(ctx, l, wk));
    double x, y;
    GEOSGeomGetX_r(h, layer_geom(l, 0), &x);
    GEOSGeomGetY_r(h, layer_geom(l, 0), &y);
    char *out = NULL;
    int rc = tu_run("echo 116.397428 39.90923 | cs2cs -f %.4f +proj=longlat +datum=WGS84 +to +proj=utm +zone=50 "
                    "+datum=WGS84", &out);
    assert_int_equal(rc, 0);
    double ex = 0, ey = 0;
    assert_int_equal(sscanf(out, "%lf %lf", &ex, &ey), 2);
    free(out);
    assert_close(x, ex, 1e-3);
    assert_close(y, ey, 1e-3);
    assert_int_equal(crs_epsg(layer_crs(l)), 32650);
    assert_int_equal(crs_epsg(layer_source_crs(l)), 4326);
    double e[4];
    assert_true(layer_source_extent(l, e));
    assert_close(e[0], 116.397428, 1e-12);
    crs_destroy(wk);
    layer_destroy(l);

    /* Layers already in a Transverse Mercator CRS near its central meridian keep it: Gauss-Kruger CM 117E
     * (EPSG:4548) for Beijing (116.4E), and UTM 50N (CM 117E); far from the meridian (a point at 121.5E in
     * CM 117E), and Web Mercator, go to the UTM zone. Two layers in different CRSs go to UTM too. */
    const struct {
        int epsg;
        const char *wkt;
        int want;
    } cases[] = {{4548, "POINT(448688.856 4418598.001)", 4548}, {32650, "POINT(448496.425 4417856.475)", 32650},
                 {4548, "POINT(885000 4430000)", 32651}, {3857, "POINT(12957000 4852000)", 32650}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        layer *m = new_layer(ctx, cases[k].epsg);
        assert_ok(ctx, layer_append_take(ctx, m, tu_wkt(ctx, cases[k].wkt), 1, NULL));
        layer *one[1] = {m};
        assert_ok(ctx, layer_choose_working_crs(ctx, one, 1, &wk));
        if (crs_epsg(wk) != cases[k].want)
            fail_msg("EPSG:%d %s: working EPSG:%d, want %d", cases[k].epsg, cases[k].wkt, crs_epsg(wk), cases[k].want);
        crs_destroy(wk);
        layer_destroy(m);
    }
    layer *a = new_layer(ctx, 4548), *b = new_layer(ctx, 32650);
    assert_ok(ctx, layer_append_take(ctx, a, tu_wkt(ctx, "POINT(448688.856 4418598.001)"), 1, NULL));
    assert_ok(ctx, layer_append_take(ctx, b, tu_wkt(ctx, "POINT(448496.425 4417856.475)"), 1, NULL));
    layer *two[2] = {a, b};
    assert_ok(ctx, layer_choose_working_crs(ctx, two, 2, &wk));
    assert_int_equal(crs_epsg(wk), 32650);
    crs_destroy(wk);
    layer_destroy(a);
    layer_destroy(b);
}

static void test_no_crs_is_an_error(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "nocrs.shp", "test", NULL, &l));
    layer_read_opts o = {0};
    assert_status_msg(ctx, layer_finish_read(ctx, l, &o), EMS_EINPUT, "nocrs.shp: no CRS");
    layer_destroy(l);
}

/* --from-gcj02: a point shifted by the GCJ-02 offset comes back to its WGS 84 position (< 1e-6 deg). */
static void test_gcj02_on_read(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    double lon = 116.397428, lat = 39.90923;
    crs_wgs84_to_gcj02(&lon, &lat);
    /* the offset around Beijing is a few hundred metres: well above 1e-4 degrees */
    assert_true(fabs(lon - 116.397428) > 1e-3 && fabs(lat - 39.90923) > 1e-4);
    layer *l = new_layer(ctx, 4326);
    GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, lon, lat);
    assert_ok(ctx, layer_append_take(ctx, l, p, 1, NULL));
    layer_read_opts o = {.from_gcj02 = true};
    assert_ok(ctx, layer_finish_read(ctx, l, &o));
    double x, y;
    GEOSGeomGetX_r(h, layer_geom(l, 0), &x);
    GEOSGeomGetY_r(h, layer_geom(l, 0), &y);
    assert_close(x, 116.397428, 1e-6);
    assert_close(y, 39.90923, 1e-6);
    assert_non_null(strstr(layer_crs_source(l), "GCJ-02"));
    layer_destroy(l);

    /* GCJ-02 on projected coordinates is refused */
    l = new_layer(ctx, 32650);
    assert_ok(ctx, layer_append_take(ctx, l, GEOSGeom_createPointFromXY_r(h, 448000, 4417000), 1, NULL));
    assert_status_msg(ctx, layer_finish_read(ctx, l, &o), EMS_EINPUT, "needs lon/lat");
    layer_destroy(l);
}

static void test_unknown_format(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = NULL;
    assert_status_msg(ctx, layer_read(ctx, "roads.xyz", NULL, &l), EMS_EINPUT, "roads.xyz: unknown format");
    assert_null(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_invalid_polygon_repaired),
        cmocka_unit_test(test_transform_and_working_crs),
        cmocka_unit_test(test_no_crs_is_an_error),
        cmocka_unit_test(test_gcj02_on_read),
        cmocka_unit_test(test_unknown_format),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
