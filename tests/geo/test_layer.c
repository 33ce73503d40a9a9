/* tests/geo/test_layer.c: the feature table: attributes, polygon validation and repair on append (reason and
 * record noted), NULL / empty / no-area geometries kept as skipped records with their values (the input
 * ledger), the value formatter, extents, reprojection (checked against hand-worked UTM values from cs2cs) and
 * its ballpark note, working-CRS choice and the GCJ-02 conversion on read. */
#include "test_util.h"

#include "geo/config.h"
#include "geo/grid.h"
#include "geo/layer.h"
#include "geo/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    /* an extension emscov does not read itself goes to GDAL: a missing file is GDAL's "does not exist", a file
     * GDAL does not recognise an unknown format */
    assert_status_msg(ctx, layer_read(ctx, "roads.xyz", NULL, &l), EMS_EINPUT,
                      "roads.xyz: GDAL cannot open it as a vector source");
    assert_null(l);
    const char *junk = tu_tmp("roads.xyz");
    tu_write_file(junk, "x\n", 2);
    assert_status_msg(ctx, layer_read(ctx, junk, NULL, &l), EMS_EINPUT, "roads.xyz: unknown format \"xyz\"");
    assert_null(l);
    layer_read_opts o = {.format = "xyz"};
    assert_status_msg(ctx, layer_read(ctx, junk, &o, &l), EMS_EINPUT,
                      "unknown --format \"xyz\" (known: shp, geojson, csv, gpkg, gdal)");
}

/* The ledger: every record that is not a feature is kept with its record, reason and values, noted, and
 * counted so that source records = features + skipped + filtered. */
static void test_skipped_records(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = new_layer(ctx, 32650);
    assert_ok(ctx, layer_add_field(ctx, l, "id", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "name", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "pop", LAYER_FIELD_INT, 0, 0));
    char name[4] = "B";
    layer_value v[3] = {{.u.i = 1}, {.u.s = "A"}, {.u.i = 10}};
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(1 2)"), 1, v));
    v[0].u.i = 2, v[1].u.s = name, v[2].u.i = 100;
    assert_ok(ctx, layer_append_take(ctx, l, NULL, 2, v));
    name[0] = 'X'; /* values of skipped records are copied too */
    v[0].u.i = 3, v[1].u.s = "C", v[2].is_null = true;
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT EMPTY"), 3, v));
    v[0].u.i = 4, v[1].u.s = "D", v[2] = (layer_value){.u.i = 5};
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "MULTIPOLYGON EMPTY"), 4, v));
    /* a polygon collapsed to a line: invalid, and no area once repaired */
    v[0].u.i = 5, v[1].u.s = "E";
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((0 0, 5 0, 10 0, 0 0))"), 5, v));
    assert_ok(ctx, layer_append_skipped(ctx, l, 6, LAYER_SKIP_UNREADABLE, NULL));
    /* the unvalidated path treats NULL and empty the same way */
    assert_ok(ctx, layer_append_valid_take(ctx, l, NULL, 7, NULL));

    assert_int_equal(layer_count(l), 1);
    assert_int_equal(layer_values(l, 0)[2].u.i, 10);
    assert_int_equal(layer_skipped_count(l), 6);
    static const int64_t recs[] = {2, 3, 4, 5, 6, 7};
    static const layer_skip_reason why[] = {LAYER_SKIP_NULL_GEOMETRY, LAYER_SKIP_EMPTY_GEOMETRY,
                                            LAYER_SKIP_EMPTY_GEOMETRY, LAYER_SKIP_NO_AREA,
                                            LAYER_SKIP_UNREADABLE, LAYER_SKIP_NULL_GEOMETRY};
    for (size_t k = 0; k < 6; k++) {
        assert_int_equal(layer_skipped_record(l, k), recs[k]);
        assert_int_equal(layer_skipped_reason(l, k), why[k]);
    }
    const layer_value *d = layer_skipped_values(l, 0);
    assert_int_equal(d[0].u.i, 2);
    assert_string_equal(d[1].u.s, "B");
    assert_int_equal(d[2].u.i, 100);
    assert_true(layer_skipped_values(l, 1)[2].is_null);
    assert_string_equal(layer_skipped_values(l, 3)[1].u.s, "E");
    for (size_t j = 0; j < 3; j++)
        assert_true(layer_skipped_values(l, 4)[j].is_null);
    assert_string_equal(layer_skip_reason_text(LAYER_SKIP_NULL_GEOMETRY), "NULL geometry");
    assert_string_equal(layer_skip_reason_text(LAYER_SKIP_EMPTY_GEOMETRY), "empty geometry");
    assert_string_equal(layer_skip_reason_text(LAYER_SKIP_NO_AREA), "polygon with no area");
    assert_string_equal(layer_skip_reason_text(LAYER_SKIP_UNREADABLE), "unreadable geometry");
    assert_string_equal(layer_skip_reason_text(LAYER_SKIP_DELETED), "deleted record");
    /* notes for the geometry reasons (emscov info lists them); none for the hand-added one */
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_EMPTY), 5);
    assert_int_equal(layer_note_at(l, 0)->record, 2);
    assert_string_equal(layer_note_at(l, 0)->text, "NULL geometry: skipped");
    assert_string_equal(layer_note_at(l, 1)->text, "empty geometry: skipped");
    assert_non_null(strstr(layer_note_at(l, 3)->text, "no area once repaired"));
    /* the invariant, with the default count and with the reader's */
    assert_int_equal(layer_filtered_count(l), 0);
    assert_int_equal(layer_source_records(l), 7);
    layer_set_source_records(l, 7);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    /* the schema is fixed once a record is kept, even a skipped one */
    layer *m = new_layer(ctx, 32650);
    assert_ok(ctx, layer_add_field(ctx, m, "id", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_append_take(ctx, m, NULL, 1, NULL));
    assert_status_msg(ctx, layer_add_field(ctx, m, "LATE", LAYER_FIELD_INT, 0, 0), EMS_EINTERNAL, "LATE");
    assert_true(layer_skipped_values(m, 0)[0].is_null);
    layer_destroy(m);

    /* layer_keep and layer_keep_skipped count what they drop as filtered */
    layer_keep(l, (const bool[]){false});
    layer_keep_skipped(l, (const bool[]){true, false, false, true, true, false});
    assert_int_equal(layer_count(l), 0);
    assert_int_equal(layer_skipped_count(l), 3);
    assert_int_equal(layer_skipped_record(l, 1), 5);
    assert_int_equal(layer_skipped_values(l, 0)[2].u.i, 100);
    assert_int_equal(layer_filtered_count(l), 4);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    layer_destroy(l);
}

/* One formatter for every field type, written out by hand. */
static void test_value_format(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = new_layer(ctx, 32650);
    assert_ok(ctx, layer_add_field(ctx, l, "s", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "i", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "d", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "day", LAYER_FIELD_DATE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "ok", LAYER_FIELD_LOGICAL, 0, 0));
    char buf[64], small[8];
    const struct {
        size_t j;
        layer_value v;
        const char *text;
        double num; /* NaN: not a number */
    } cases[] = {
        {0, {.u.s = "海淀区"}, "海淀区", NAN},
        {0, {.u.s = "12"}, "12", NAN}, /* text stays text */
        {1, {.u.i = 9007199254740993LL}, "9007199254740993", 9007199254740992.0}, /* in full, not via double */
        {1, {.u.i = -7}, "-7", -7},
        {2, {.u.d = 0.1}, "0.1", 0.1},
        {2, {.u.d = 1.0 / 3}, "0.333333333333333", 1.0 / 3},
        {2, {.u.d = 1e300}, "1e+300", 1e300},
        {2, {.u.d = NAN}, "", NAN},
        {3, {.u.date = 20240229}, "2024-02-29", NAN},
        {4, {.u.b = true}, "true", 1},
        {4, {.u.b = false}, "false", 0},
        {1, {.is_null = true}, "", NAN},
        {0, {.is_null = true}, "", NAN},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *got = layer_value_format(l, cases[k].j, &cases[k].v, buf, sizeof buf);
        assert_ptr_equal(got, buf);
        if (strcmp(got, cases[k].text))
            fail_msg("case %zu: \"%s\", want \"%s\"", k, got, cases[k].text);
        double n = layer_value_to_number(l, cases[k].j, &cases[k].v);
        if (isnan(cases[k].num))
            assert_true(isnan(n));
        else
            assert_true(n == cases[k].num);
    }
    /* cut to fit, always terminated */
    layer_value lv = {.u.s = "abcdefghij"};
    assert_string_equal(layer_value_format(l, 0, &lv, small, sizeof small), "abcdefg");
    layer_destroy(l);
}

/* A reprojection PROJ can only do as a ballpark (Xian 1980 has no public shift to WGS 84) leaves one
 * LAYER_NOTE_BALLPARK for the whole layer; CGCS2000 to WGS 84 UTM is not flagged. */
static void test_ballpark_note(void **state)
{
    emscov_ctx *ctx = *state;
    crs *utm = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &utm));
    layer *l = new_layer(ctx, 2384); /* Xian 1980 / 3-degree Gauss-Kruger CM 117E */
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(448688.856 4418598.001)"), 1, NULL));
    assert_ok(ctx, layer_transform(ctx, l, utm));
    assert_int_equal(layer_note_count(l), 1);
    assert_int_equal(layer_note_at(l, 0)->kind, LAYER_NOTE_BALLPARK);
    assert_int_equal(layer_note_at(l, 0)->record, 0);
    assert_non_null(strstr(layer_note_at(l, 0)->text, "ballpark"));
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_WARNING), 0);
    layer_destroy(l);
    l = new_layer(ctx, 4548);
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(448688.856 4418598.001)"), 1, NULL));
    assert_ok(ctx, layer_transform(ctx, l, utm));
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_BALLPARK), 0);
    layer_destroy(l);
    crs_destroy(utm);
}

static void keep_warning(void *user, const char *message)
{
    snprintf(user, 1024, "%s", message);
}

/* A working CRS the user named far from the data is warned about (issue 14 item 7), one near it is not; an
 * empty layer names itself when no working CRS can be chosen (item 8). */
static void test_far_working_crs(void **state)
{
    emscov_ctx *ctx = *state;
    char got[1024] = "";
    emscov_set_warn(ctx, keep_warning, got);
    layer *l = new_layer(ctx, 4326);
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(116.2 39.7)"), 1, NULL));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(116.6 40.1)"), 2, NULL));
    crs *near = NULL, *far = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &near));
    assert_ok(ctx, crs_from_epsg(ctx, 32618, &far));
    size_t before = emscov_warning_count(ctx);
    assert_ok(ctx, layer_warn_far_crs(ctx, &l, 1, near, "s.ini: working_epsg 32650"));
    assert_int_equal(emscov_warning_count(ctx), before);
    assert_ok(ctx, layer_warn_far_crs(ctx, &l, 1, far, "s.ini: working_epsg 32618"));
    assert_int_equal(emscov_warning_count(ctx), before + 1);
    assert_non_null(strstr(got, "s.ini: working_epsg 32618: working CRS WGS 84 / UTM zone 18N [EPSG:32618]: the "
                                "data's centre (lon 116.4000, lat 39.9000) is 168.6 degrees"));
    assert_non_null(strstr(got, "(data: mem.test)"));
    emscov_set_warn(ctx, NULL, NULL);
    crs_destroy(near);
    crs_destroy(far);
    layer_destroy(l);

    layer *e[2] = {new_layer(ctx, 4326), new_layer(ctx, 4326)};
    crs *w = NULL;
    assert_status_msg(ctx, layer_choose_working_crs(ctx, e, 1, &w), EMS_EINPUT,
                      "mem.test: no features: cannot choose a working CRS");
    assert_status_msg(ctx, layer_choose_working_crs(ctx, e, 2, &w), EMS_EINPUT,
                      "mem.test, mem.test: no features in any of these layers");
    assert_null(w);
    layer_destroy(e[0]);
    layer_destroy(e[1]);
}

/* Every reader refuses a directory, a FIFO and a device as its input with EMS_EINPUT naming the path (issue 14
 * items 6 and 8): before, a FIFO blocked forever, /dev/zero was read without end and a directory was exit 1 or
 * "no such file". alarm() turns a hang into a failure. */
static void test_inputs_must_be_regular_files(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const exts[] = {"shp", "geojson", "csv", "gpkg", "asc", "ini", "osm", "osm.pbf"};
    alarm(30);
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    for (size_t k = 0; k < sizeof exts / sizeof exts[0]; k++) {
        for (int kind = 0; kind < 3; kind++) {
            char name[64], path[1200];
            snprintf(name, sizeof name, "%s.%s", kind == 0 ? "dir" : kind == 1 ? "fifo" : "dev", exts[k]);
            snprintf(path, sizeof path, "%s", tu_tmp(name));
            rmdir(path);
            unlink(path);
            if (kind == 0)
                assert_int_equal(mkdir(path, 0755), 0);
            else if (kind == 1)
                assert_int_equal(mkfifo(path, 0600), 0);
            else
                assert_int_equal(symlink("/dev/zero", path), 0);
            const char *want = kind == 0 ? "is a directory" : kind == 1 ? "not a regular file (a FIFO)"
                                                                        : "not a regular file (a character device)";
            emscov_clear(ctx);
            ems_status st;
            const char *ext = exts[k];
            if (!strcmp(ext, "asc")) {
                grid *g = NULL;
                layer_read_opts o = {.srs = "EPSG:32650"};
                st = grid_read(ctx, path, &o, &g);
                assert_null(g);
            } else if (!strcmp(ext, "ini")) {
                config *c = NULL;
                st = config_load(ctx, path, &c);
                assert_null(c);
            } else if (!strncmp(ext, "osm", 3)) {
                network *net = NULL;
                st = network_load(ctx, path, NULL, NULL, sp, NULL, NULL, &net);
                assert_null(net);
            } else {
                layer *l = NULL;
                layer_read_opts o = {.srs = "EPSG:4326"};
                st = layer_read(ctx, path, &o, &l);
                assert_null(l);
            }
            assert_status_msg(ctx, st, EMS_EINPUT, want);
            assert_non_null(strstr(emscov_message(ctx), name));
        }
    }
    /* a GeoPackage table source whose file part is a directory */
    layer *l = NULL;
    char src[1200];
    snprintf(src, sizeof src, "%s:roads", tu_tmp("dir.gpkg"));
    assert_status_msg(ctx, layer_read(ctx, src, NULL, &l), EMS_EINPUT, "dir.gpkg: is a directory");
    speed_profile_destroy(sp);
    alarm(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_invalid_polygon_repaired),
        cmocka_unit_test(test_skipped_records),
        cmocka_unit_test(test_value_format),
        cmocka_unit_test(test_ballpark_note),
        cmocka_unit_test(test_transform_and_working_crs),
        cmocka_unit_test(test_no_crs_is_an_error),
        cmocka_unit_test(test_gcj02_on_read),
        cmocka_unit_test(test_unknown_format),
        cmocka_unit_test(test_inputs_must_be_regular_files),
        cmocka_unit_test(test_far_working_crs),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
