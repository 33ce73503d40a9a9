/* tests/geo/test_layer_gpkg.c: the GeoPackage reader (geo/layer_gpkg.c): a round trip through gpkg_store
 * (every field type, nulls, CJK text, points and polygons with a hole), a GeoPackage written by GDAL's
 * ogr2ogr from the sample's shapefile compared feature by feature with the shapefile itself, and the failure
 * paths (missing file, not a GeoPackage, missing table, a bad blob, a text value in an INTEGER column). */
#include "test_util.h"

#include "geo/filter.h"
#include "geo/layer.h"
#include "src/output/store_gpkg.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static layer *make_layer(emscov_ctx *ctx)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4548, &c));
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "mem", "test", c, &l));
    crs_destroy(c);
    assert_ok(ctx, layer_add_field(ctx, l, "n", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "v", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "name", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "day", LAYER_FIELD_DATE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "ok", LAYER_FIELD_LOGICAL, 0, 0));
    layer_value a[] = {{.u.i = -7}, {.u.d = 0.125}, {.u.s = "东华门街道"}, {.u.date = 20240229}, {.u.b = true}};
    layer_value b[] = {{.u.i = 9000000000LL}, {.is_null = true}, {.is_null = true}, {.is_null = true},
                       {.u.b = false}};
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,2 4,4 4,4 2,2 2))"),
                                     1, a));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((440000.5 4410000.25,440100 4410000,"
                                                         "440100 4410100,440000.5 4410000.25))"),
                                     2, b));
    return l;
}

static void write_gpkg(emscov_ctx *ctx, const char *path, const layer *l, const layer *pts)
{
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "areas", NULL, l));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, pts));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
}

static layer *make_points(emscov_ctx *ctx)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4548, &c));
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "mem", "test", c, &l));
    crs_destroy(c);
    assert_ok(ctx, layer_add_field(ctx, l, "t", LAYER_FIELD_DOUBLE, 0, 0));
    for (int i = 0; i < 3; i++) {
        layer_value v[] = {{.u.d = 60.0 * i}};
        GEOSGeometry *g = GEOSGeom_createPointFromXY_r(emscov_geos(ctx), 441000.5 + i, 4412000.75 - i);
        assert_ok(ctx, layer_append_take(ctx, l, g, 10 + i, v));
    }
    return l;
}

static void test_round_trip(void **state)
{
    emscov_ctx *ctx = *state;
    layer *src = make_layer(ctx), *pts = make_points(ctx);
    const char *path = tu_tmp("rt.gpkg");
    write_gpkg(ctx, path, src, pts);
    layer_destroy(src);
    layer_destroy(pts);

    /* "file.gpkg": the first feature table written */
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, path, NULL, &l));
    assert_int_equal(layer_count(l), 2);
    assert_string_equal(layer_format(l), "GPKG");
    assert_int_equal(crs_epsg(layer_crs(l)), 4548);
    assert_int_equal(layer_field_count(l), 5);
    assert_int_equal(layer_field_at(l, 0)->type, LAYER_FIELD_INT);
    assert_int_equal(layer_field_at(l, 1)->type, LAYER_FIELD_DOUBLE);
    assert_int_equal(layer_field_at(l, 2)->type, LAYER_FIELD_STRING);
    assert_int_equal(layer_field_at(l, 3)->type, LAYER_FIELD_DATE);
    assert_int_equal(layer_field_at(l, 4)->type, LAYER_FIELD_LOGICAL);
    assert_int_equal(layer_value_at(l, 0, 0)->u.i, -7);
    assert_true(layer_value_at(l, 0, 1)->u.d == 0.125);
    assert_string_equal(layer_value_at(l, 0, 2)->u.s, "东华门街道");
    assert_int_equal(layer_value_at(l, 0, 3)->u.date, 20240229);
    assert_true(layer_value_at(l, 0, 4)->u.b);
    assert_int_equal(layer_value_at(l, 1, 0)->u.i, 9000000000LL);
    assert_true(layer_value_at(l, 1, 1)->is_null && layer_value_at(l, 1, 2)->is_null &&
                layer_value_at(l, 1, 3)->is_null);
    assert_false(layer_value_at(l, 1, 4)->u.b);
    /* records are the feature ids: 1, 2 */
    assert_int_equal(layer_record(l, 0), 1);
    assert_int_equal(layer_record(l, 1), 2);
    /* geometry: 100 - 4 (hole) = 96 m2; exact coordinates of the second */
    GEOSContextHandle_t h = emscov_geos(ctx);
    double area = 0;
    GEOSArea_r(h, layer_geom(l, 0), &area);
    assert_close(area, 96, 1e-12);
    GEOSGeometry *want = tu_wkt(ctx, "POLYGON((440000.5 4410000.25,440100 4410000,440100 4410100,440000.5 4410000.25))");
    assert_int_equal(GEOSEqualsExact_r(h, layer_geom(l, 1), want, 0), 1);
    GEOSGeom_destroy_r(h, want);
    layer_destroy(l);

    /* "file.gpkg:pts": points by name */
    char named[600];
    snprintf(named, sizeof named, "%s:pts", path);
    assert_ok(ctx, layer_read(ctx, named, NULL, &l));
    assert_int_equal(layer_count(l), 3);
    double x, y;
    GEOSGeomGetX_r(h, layer_geom(l, 2), &x);
    GEOSGeomGetY_r(h, layer_geom(l, 2), &y);
    assert_true(x == 441002.5 && y == 4412000.75 - 2);
    assert_true(layer_value_at(l, 2, 0)->u.d == 120.0);
    assert_int_equal(layer_record(l, 0), 1);
    layer_destroy(l);
}

/* GDAL's GeoPackage of the sample streets against the shapefile: same features, values, coordinates. */
static void test_gdal_written(void **state)
{
    emscov_ctx *ctx = *state;
    const char *shp = tu_sample("streets_utf8.shp");
    if (access(shp, R_OK) != 0 || system("command -v ogr2ogr >/dev/null 2>&1") != 0) {
        print_message("no sample or no ogr2ogr: skipped\n");
        skip();
    }
    char cmd[2000], gpkg[600];
    snprintf(gpkg, sizeof gpkg, "%s", tu_tmp("gdal.gpkg"));
    unlink(gpkg);
    snprintf(cmd, sizeof cmd, "ogr2ogr -f GPKG -nln streets '%s' '%s' 2>&1", gpkg, shp);
    char *out = NULL;
    int rc = tu_run(cmd, &out);
    free(out);
    assert_int_equal(rc, 0);
    layer *a = NULL, *b = NULL;
    assert_ok(ctx, layer_read(ctx, shp, NULL, &a));
    char src[700];
    snprintf(src, sizeof src, "%s:streets", gpkg);
    assert_ok(ctx, layer_read(ctx, src, NULL, &b));
    assert_int_equal(layer_count(a), 20);
    assert_int_equal(layer_count(b), 20);
    assert_true(crs_equivalent(layer_crs(a), layer_crs(b)));
    int an = layer_field_index(a, "NAME"), bn = layer_field_index(b, "NAME");
    int ac = layer_field_index(a, "CODE"), bc = layer_field_index(b, "CODE");
    int aa = layer_field_index(a, "AREA_KM2"), ba = layer_field_index(b, "AREA_KM2");
    assert_true(an >= 0 && bn >= 0 && ac >= 0 && bc >= 0 && aa >= 0 && ba >= 0);
    assert_int_equal(layer_field_at(b, (size_t)ba)->type, LAYER_FIELD_DOUBLE);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < 20; i++) {
        assert_string_equal(layer_value_at(a, i, (size_t)an)->u.s, layer_value_at(b, i, (size_t)bn)->u.s);
        assert_string_equal(layer_value_at(a, i, (size_t)ac)->u.s, layer_value_at(b, i, (size_t)bc)->u.s);
        assert_close(layer_value_number(b, i, (size_t)ba), layer_value_number(a, i, (size_t)aa), 1e-9);
        /* GDAL writes the same vertices (MultiPolygon of the one polygon): equal point sets */
        assert_int_equal(GEOSEqualsExact_r(h, layer_geom(a, i), layer_geom(b, i), 0) == 1 ||
                             GEOSEquals_r(h, layer_geom(a, i), layer_geom(b, i)) == 1,
                         1);
        assert_int_equal(layer_record(b, i), (int64_t)i + 1);
    }
    double ea[4], eb[4];
    layer_extent(a, ea);
    layer_extent(b, eb);
    for (int k = 0; k < 4; k++)
        assert_true(ea[k] == eb[k]);
    layer_destroy(a);
    layer_destroy(b);
}

static void test_failures(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = NULL;
    assert_status_msg(ctx, layer_read(ctx, tu_tmp("nothere.gpkg"), NULL, &l), EMS_EINPUT, "nothere.gpkg: cannot open: No such file or directory");
    assert_null(l);
    const char *txt = tu_tmp("text.gpkg");
    tu_write_file(txt, "hello, not sqlite\n", 18);
    assert_status_msg(ctx, layer_read(ctx, txt, NULL, &l), EMS_EINPUT, "not a GeoPackage");

    layer *src = make_layer(ctx), *pts = make_points(ctx);
    const char *path = tu_tmp("bad.gpkg");
    write_gpkg(ctx, path, src, pts);
    layer_destroy(src);
    layer_destroy(pts);
    char named[700];
    snprintf(named, sizeof named, "%s:nope", path);
    assert_status_msg(ctx, layer_read(ctx, named, NULL, &l), EMS_EINPUT, "no feature table \"nope\" (feature tables: areas, pts)");

    /* a junk blob (skipped with a note) and a text value in the double column (an error naming the record) */
    if (system("command -v sqlite3 >/dev/null 2>&1") != 0) return;
    char cmd[1200], *out = NULL;
    /* the R-tree triggers call SpatiaLite's ST_IsEmpty, which the sqlite3 shell lacks: drop them first */
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"SELECT 'DROP TRIGGER \\\"' || name || '\\\";' FROM sqlite_master WHERE type = 'trigger'\""
             " | sqlite3 '%s' && sqlite3 '%s' \"UPDATE pts SET geom = X'00112233' WHERE fid = 2\"",
             path, path, path);
    assert_int_equal(tu_run(cmd, &out), 0);
    free(out);
    snprintf(named, sizeof named, "%s:pts", path);
    assert_ok(ctx, layer_read(ctx, named, NULL, &l));
    assert_int_equal(layer_count(l), 2);
    assert_int_equal(layer_note_count(l), 1);
    assert_int_equal(layer_note_at(l, 0)->record, 2);
    assert_non_null(strstr(layer_note_at(l, 0)->text, "no \"GP\" magic"));
    assert_int_equal(layer_skipped_count(l), 1);
    assert_int_equal(layer_skipped_reason(l, 0), LAYER_SKIP_UNREADABLE);
    assert_true(layer_skipped_values(l, 0)[0].u.d == 60);
    layer_destroy(l);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"UPDATE pts SET t = 'abc' WHERE fid = 3\"", path);
    assert_int_equal(tu_run(cmd, &out), 0);
    free(out);
    assert_status_msg(ctx, layer_read(ctx, named, NULL, &l), EMS_EINPUT, "table pts: record 3: field t: \"abc\" is not a number");
    assert_null(l);
    /* a NULL geometry column name in gpkg_geometry_columns (found by fuzz_gpkg: a NULL strdup'ed before) */
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"CREATE TABLE g2 AS SELECT * FROM gpkg_geometry_columns; DROP TABLE gpkg_geometry_columns;"
             " ALTER TABLE g2 RENAME TO gpkg_geometry_columns; UPDATE gpkg_geometry_columns SET column_name = NULL\"",
             path);
    assert_int_equal(tu_run(cmd, &out), 0);
    free(out);
    assert_status_msg(ctx, layer_read(ctx, path, NULL, &l), EMS_EINPUT,
                      "gpkg_geometry_columns: a feature table \"areas\" without a geometry column name");
    layer_points lp;
    assert_status_msg(ctx, layer_read_points(ctx, named, NULL, "t", &lp), EMS_EINPUT,
                      "a feature table \"pts\" without a geometry column name");
    layer_points_free(&lp);
    assert_null(l);
}


/* layer_read_points: a GeoPackage point table as arrays equals the points written (coordinates exact, values,
 * CRS); a polygon table, a missing or text field are EMS_EINPUT; any other source goes through layer_read
 * (a CSV, with a null value read as NaN). */
static void test_points_arrays(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = make_layer(ctx), *pts = make_points(ctx);
    const char *path = tu_tmp("pts.gpkg");
    write_gpkg(ctx, path, l, pts);
    char src[1024];
    snprintf(src, sizeof src, "%s:pts", path);
    layer_points p;
    assert_ok(ctx, layer_read_points(ctx, src, NULL, "T", &p)); /* field names: case-insensitive as a fallback */
    assert_int_equal(p.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_true(p.x[i] == 441000.5 + (double)i);
        assert_true(p.y[i] == 4412000.75 - (double)i);
        assert_true(p.v[i] == 60.0 * (double)i);
    }
    assert_int_equal(crs_epsg(p.c), 4548);
    layer_points_free(&p);
    layer_points_free(&p); /* twice is fine */
    assert_status_msg(ctx, layer_read_points(ctx, src, NULL, "zz", &p), EMS_EINPUT, "table pts: no field zz");
    assert_null(p.x);
    snprintf(src, sizeof src, "%s:areas", path);
    assert_status_msg(ctx, layer_read_points(ctx, src, NULL, "name", &p), EMS_EINPUT, "field name is not numeric");
    assert_status_msg(ctx, layer_read_points(ctx, src, NULL, "v", &p), EMS_EINPUT, "record 1: not a single point");
    const char *csv = "x,y,t\n441000.5,4412000.75,0\n441001.5,4411999.75,\n";
    tu_write_file(tu_tmp("pts.csv"), csv, strlen(csv));
    layer_read_opts o = {.srs = "EPSG:4548"};
    assert_ok(ctx, layer_read_points(ctx, tu_tmp("pts.csv"), &o, "t", &p));
    assert_int_equal(p.n, 2);
    assert_true(p.x[1] == 441001.5 && p.y[1] == 4411999.75 && p.v[0] == 0 && isnan(p.v[1]));
    layer_points_free(&p);
    layer_destroy(l);
    layer_destroy(pts);
}

static void sql_ok(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s: %s", sql, err ? err : "?");
}

/* The input ledger: a SQL NULL geometry, a blob flagged empty (OGC 12-128r18 flags bit 4, written by hand), a
 * blob that is not a GeoPackage geometry and a text value are skipped records (NULL, empty, unreadable twice)
 * with their values. */
static void test_ledger(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = make_layer(ctx), *pts = make_points(ctx);
    const char *path = tu_tmp("ledger.gpkg");
    write_gpkg(ctx, path, l, pts);
    layer_destroy(l);
    layer_destroy(pts);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* the R-tree triggers call ST_IsEmpty, which plain SQLite lacks */
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'", -1, &q, NULL),
                     SQLITE_OK);
    char drops[4096] = "";
    while (sqlite3_step(q) == SQLITE_ROW)
        snprintf(drops + strlen(drops), sizeof drops - strlen(drops), "DROP TRIGGER \"%s\";",
                 (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sql_ok(db, drops);
    /* fid 2: NULL; fid 3: "GP", version 0, flags 0x11 (little-endian, empty, no envelope), srs_id 4548 (0x11C4),
     * then POINT(NaN NaN) in WKB; fid 4: junk */
    sql_ok(db, "UPDATE pts SET geom = NULL WHERE fid = 2;"
               "UPDATE pts SET geom = X'47500011C4110000" "0101000000" "000000000000F87F" "000000000000F87F' "
               "WHERE fid = 3;"
               "INSERT INTO pts (fid, geom, t) VALUES (4, X'00112233', 100), (5, 'POINT(1 2)', 5)");
    sqlite3_close(db);

    char src[1024];
    snprintf(src, sizeof src, "%s:pts", path);
    assert_ok(ctx, layer_read(ctx, src, NULL, &l));
    assert_int_equal(layer_source_records(l), 5);
    assert_int_equal(layer_count(l), 1);
    assert_int_equal(layer_record(l, 0), 1);
    assert_int_equal(layer_skipped_count(l), 4);
    const layer_skip_reason why[] = {LAYER_SKIP_NULL_GEOMETRY, LAYER_SKIP_EMPTY_GEOMETRY, LAYER_SKIP_UNREADABLE,
                                     LAYER_SKIP_UNREADABLE};
    const double t[] = {60, 120, 100, 5};
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(layer_skipped_record(l, k), (int64_t)k + 2);
        assert_int_equal(layer_skipped_reason(l, k), why[k]);
        assert_true(layer_skipped_values(l, k)[0].u.d == t[k]);
    }
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_EMPTY), 2);
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_WARNING), 2);
    assert_non_null(strstr(layer_note_at(l, 3)->text, "not a blob"));
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    /* t >= 100: the point (t 0), fid 2 (t 60) and fid 5 (t 5) are left out */
    assert_ok(ctx, layer_filter(ctx, l, "t >= 100", NULL));
    assert_int_equal(layer_count(l), 0);
    assert_int_equal(layer_skipped_count(l), 2);
    assert_int_equal(layer_skipped_record(l, 0), 3);
    assert_int_equal(layer_filtered_count(l), 3);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    layer_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_gdal_written),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_ledger),
        cmocka_unit_test(test_points_arrays),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
