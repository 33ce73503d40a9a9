/* tests/src/test_store_gpkg.c: the GeoPackage store, read back by an independent reader: GDAL's ogrinfo
 * (gdal-bin) for feature counts, geometry types, SRS, extent, values (Chinese text, NULL, dates, booleans),
 * WKT, areas and the R-tree (spatial filter), and GDAL's validate_gpkg.py (python3-gdal) when installed.
 * Failure paths: missing directory, duplicate and reserved table names, clashing fields, abort, and the
 * temp-and-rename discipline (old file intact until commit, no temporary file left behind). */
#include "test_util.h"

#include "src/output/store_gpkg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VALIDATOR "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static const char *tmp_of(const char *path)
{
    static char buf[4200];
    snprintf(buf, sizeof buf, "%s.tmp-%ld", path, (long)getpid());
    return buf;
}

/* A fresh output path in the scratch dir (any file of that name removed). */
static const char *out_path(const char *name)
{
    const char *p = tu_tmp(name);
    unlink(p);
    unlink(tmp_of(p));
    return p;
}

/* Run ogrinfo with args (stderr merged), fail on a non-zero exit or any GDAL warning/error. New string. */
static char *ogr(const char *args)
{
    char cmd[8192], *out = NULL;
    snprintf(cmd, sizeof cmd, "ogrinfo %s 2>&1", args);
    int rc = tu_run(cmd, &out);
    assert_non_null(out);
    if (rc != 0 || strstr(out, "Warning") || strstr(out, "ERROR")) {
        print_error("%s -> exit %d:\n%s\n", cmd, rc, out);
        fail();
    }
    return out;
}

#define assert_has(out, needle) assert_has_(out, needle, __FILE__, __LINE__)
static void assert_has_(const char *out, const char *needle, const char *file, int line)
{
    if (!strstr(out, needle)) {
        print_error("%s:%d: output lacks \"%s\":\n%s\n", file, line, needle, out);
        _fail(file, line);
    }
}

/* The text of the first line of out containing key, from just after key (copied into buf). */
static const char *after(const char *out, const char *key, char *buf, size_t n)
{
    const char *p = strstr(out, key);
    if (!p) fail_msg("no \"%s\" in:\n%s", key, out);
    p += strlen(key);
    size_t k = strcspn(p, "\n");
    snprintf(buf, n, "%.*s", (int)(k < n ? k : n - 1), p);
    return buf;
}

static layer *new_layer(emscov_ctx *ctx, const char *crs_text)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_ok(ctx, crs_from_string(ctx, crs_text, &c));
    assert_ok(ctx, layer_create(ctx, "mem", "test", c, &l));
    crs_destroy(c);
    return l;
}

/* Three points in EPSG:32650 with every field type; the second has NULL pop and day. */
static layer *points(emscov_ctx *ctx)
{
    layer *l = new_layer(ctx, "EPSG:32650");
    assert_ok(ctx, layer_add_field(ctx, l, "id", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "pop", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "name", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "day", LAYER_FIELD_DATE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "ok", LAYER_FIELD_LOGICAL, 0, 0));
    const char *wkt[] = {"POINT(448000 4419000)", "POINT(449000 4420500)", "POINT(447500.25 4418000.75)"};
    layer_value v[3][5] = {
        {{.u.i = 1}, {.u.d = 1234.5}, {.u.s = "东华门街道"}, {.u.date = 20240115}, {.u.b = true}},
        {{.u.i = 2}, {.is_null = true}, {.u.s = "Jianguomen"}, {.is_null = true}, {.u.b = false}},
        {{.u.i = 9000000000LL},
         {.u.d = -0.25},
         {.u.s = "O'Brien \"x\""},
         {.u.date = 19991231},
         {.u.b = true}},
    };
    for (int i = 0; i < 3; i++)
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt[i]), i + 1, v[i]));
    return l;
}

/* A square with a hole (area 10000 - 400 = 9600) and a two-part multipolygon (2 x 100 = 200): the layer is
 * MultiPolygon, so the single polygon is written as a one-part multipolygon. */
static layer *polygons(emscov_ctx *ctx)
{
    layer *l = new_layer(ctx, "EPSG:32650");
    assert_ok(ctx, layer_add_field(ctx, l, "code", LAYER_FIELD_STRING, 0, 0));
    const char *wkt[] = {
        "POLYGON((450000 4410000,450100 4410000,450100 4410100,450000 4410100,450000 4410000),"
        "(450020 4410020,450020 4410040,450040 4410040,450040 4410020,450020 4410020))",
        "MULTIPOLYGON(((451000 4411000,451010 4411000,451010 4411010,451000 4411010,451000 4411000)),"
        "((451100 4411000,451110 4411000,451110 4411010,451100 4411010,451100 4411000)))"};
    const char *codes[] = {"A", "B"};
    for (int i = 0; i < 2; i++) {
        layer_value v = {.u.s = codes[i]};
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt[i]), i + 1, &v));
    }
    return l;
}

static void write_two(emscov_ctx *ctx, const char *path)
{
    layer *p = points(ctx), *q = polygons(ctx);
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_true(exists(tmp_of(path)));
    assert_false(exists(path));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", "demand points", p));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "polys", NULL, q));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    assert_true(exists(path));
    assert_false(exists(tmp_of(path)));
    layer_destroy(p);
    layer_destroy(q);
}

static void test_summary(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("two.gpkg");
    write_two(ctx, path);
    char args[4400], buf[256];

    snprintf(args, sizeof args, "-so '%s' pts", path);
    char *o = ogr(args);
    assert_has(o, "using driver `GPKG' successful");
    assert_has(o, "Geometry: Point\n");
    assert_has(o, "Feature Count: 3\n");
    assert_has(o, "Extent: (447500.250000, 4418000.750000) - (449000.000000, 4420500.000000)");
    assert_has(o, "WGS 84 / UTM zone 50N");
    assert_has(o, "ID[\"EPSG\",32650]]");
    assert_has(o, "FID Column = fid");
    assert_has(o, "Geometry Column = geom");
    assert_has(o, "id: Integer64 (0.0)");
    assert_has(o, "pop: Real (0.0)");
    assert_has(o, "name: String (0.0)");
    assert_has(o, "day: Date (0.0)");
    assert_has(o, "ok: Integer(Boolean) (0.0)");
    free(o);

    snprintf(args, sizeof args, "-so '%s' polys", path);
    o = ogr(args);
    assert_has(o, "Geometry: Multi Polygon\n");
    assert_has(o, "Feature Count: 2\n");
    assert_has(o, "Extent: (450000.000000, 4410000.000000) - (451110.000000, 4411010.000000)");
    assert_has(o, "ID[\"EPSG\",32650]]");
    free(o);

    /* description lands in gpkg_contents; the header says GeoPackage 1.3 */
    snprintf(args, sizeof args,
             "-q '%s' -sql \"SELECT (SELECT description FROM gpkg_contents WHERE table_name = 'pts') AS d,"
             " (SELECT application_id FROM pragma_application_id) AS app,"
             " (SELECT user_version FROM pragma_user_version) AS uv\"",
             path);
    o = ogr(args);
    assert_string_equal(after(o, "d (String) = ", buf, sizeof buf), "demand points");
    assert_string_equal(after(o, "app (Integer) = ", buf, sizeof buf), "1196444487"); /* 0x47504B47 'GPKG' */
    assert_string_equal(after(o, "uv (Integer) = ", buf, sizeof buf), "10300");
    free(o);
}

static void test_values(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("values.gpkg");
    write_two(ctx, path);
    char args[4400], buf[256];

    snprintf(args, sizeof args, "-q '%s' pts -where \"name = '东华门街道'\"", path);
    char *o = ogr(args);
    assert_has(o, "OGRFeature(pts):1\n");
    assert_string_equal(after(o, "id (Integer64) = ", buf, sizeof buf), "1");
    assert_string_equal(after(o, "pop (Real) = ", buf, sizeof buf), "1234.5");
    assert_string_equal(after(o, "day (Date) = ", buf, sizeof buf), "2024/01/15");
    assert_string_equal(after(o, "ok (Integer(Boolean)) = ", buf, sizeof buf), "1");
    assert_string_equal(after(o, "POINT (", buf, sizeof buf), "448000 4419000)");
    free(o);

    snprintf(args, sizeof args, "-q '%s' pts -where \"pop IS NULL\"", path);
    o = ogr(args);
    assert_has(o, "OGRFeature(pts):2\n");
    assert_string_equal(after(o, "name (String) = ", buf, sizeof buf), "Jianguomen");
    assert_string_equal(after(o, "pop (Real) = ", buf, sizeof buf), "(null)");
    assert_string_equal(after(o, "day (Date) = ", buf, sizeof buf), "(null)");
    assert_string_equal(after(o, "ok (Integer(Boolean)) = ", buf, sizeof buf), "0");
    assert_null(strstr(o, "OGRFeature(pts):1\n"));
    free(o);

    snprintf(args, sizeof args, "-q '%s' pts -fid 3", path);
    o = ogr(args);
    assert_string_equal(after(o, "id (Integer64) = ", buf, sizeof buf), "9000000000");
    assert_string_equal(after(o, "pop (Real) = ", buf, sizeof buf), "-0.25");
    assert_string_equal(after(o, "name (String) = ", buf, sizeof buf), "O'Brien \"x\"");
    assert_string_equal(after(o, "day (Date) = ", buf, sizeof buf), "1999/12/31");
    assert_string_equal(after(o, "POINT (", buf, sizeof buf), "447500.25 4418000.75)");
    free(o);

    /* the stored text is the exact UTF-8 bytes: 5 characters, 15 bytes */
    snprintf(
        args, sizeof args,
        "-q '%s' -sql \"SELECT length(name) AS nc, length(CAST(name AS BLOB)) AS nb FROM pts WHERE fid = 1\"",
        path);
    o = ogr(args);
    assert_string_equal(after(o, "nc (Integer) = ", buf, sizeof buf), "5");
    assert_string_equal(after(o, "nb (Integer) = ", buf, sizeof buf), "15");
    free(o);

    /* polygon with its hole, promoted to a one-part multipolygon; areas by SpatiaLite through GDAL */
    snprintf(args, sizeof args, "-q '%s' polys -where \"code = 'A'\"", path);
    o = ogr(args);
    assert_has(o, "MULTIPOLYGON (((450000 4410000,450100 4410000,450100 4410100,450000 4410100,"
                  "450000 4410000),(450020 4410020,450020 4410040,450040 4410040,450040 4410020,"
                  "450020 4410020)))");
    free(o);
    snprintf(args, sizeof args,
             "-q '%s' -dialect SQLite -sql \"SELECT code, ST_Area(geom) AS a FROM polys ORDER BY code\"",
             path);
    o = ogr(args);
    assert_has(o, "code (String) = A\n  a (Real) = 9600\n");
    assert_has(o, "code (String) = B\n  a (Real) = 200\n");
    free(o);
}

/* The R-tree: registered, as many entries as features, and used by a spatial filter. */
static void test_rtree(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("rtree.gpkg");
    write_two(ctx, path);
    char args[4400], buf[256];

    snprintf(args, sizeof args, "-q '%s' -sql \"SELECT HasSpatialIndex('pts', 'geom')\"", path);
    char *o = ogr(args);
    assert_string_equal(after(o, "HasSpatialIndex (Integer) = ", buf, sizeof buf), "1");
    free(o);
    snprintf(
        args, sizeof args,
        "-q '%s' -sql \"SELECT COUNT(*) AS n, MIN(minx) AS x0, MAX(maxy) AS y1,"
        " rtreecheck('rtree_polys_geom') AS c1, rtreecheck('rtree_pts_geom') AS c2 FROM rtree_polys_geom\"",
        path);
    o = ogr(args);
    assert_string_equal(after(o, "n (Integer) = ", buf, sizeof buf), "2");
    assert_string_equal(after(o, "x0 (Real) = ", buf, sizeof buf), "450000");
    assert_string_equal(after(o, "y1 (Real) = ", buf, sizeof buf), "4411010");
    assert_string_equal(after(o, "c1 (String) = ", buf, sizeof buf), "ok");
    assert_string_equal(after(o, "c2 (String) = ", buf, sizeof buf), "ok");
    free(o);
    /* a box around the second point only */
    snprintf(args, sizeof args, "-so '%s' pts -spat 448900 4420400 449100 4420600", path);
    o = ogr(args);
    assert_has(o, "Feature Count: 1\n");
    free(o);
    snprintf(args, sizeof args,
             "-q '%s' -sql \"SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger'"
             " AND name LIKE 'rtree_pts_geom_%%'\"",
             path);
    o = ogr(args);
    assert_string_equal(after(o, "n (Integer) = ", buf, sizeof buf), "6");
    free(o);
}

/* 3000 points in shuffled order: a three-level bulk-loaded tree that SQLite's rtreecheck() accepts and that
 * answers box queries like a scan (box by hand: 21 x 21 grid points inside). An empty layer alongside. */
static void test_rtree_large(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("grid.gpkg");
    layer *l = new_layer(ctx, "EPSG:32650"), *e = new_layer(ctx, "EPSG:32650");
    assert_ok(ctx, layer_add_field(ctx, l, "k", LAYER_FIELD_INT, 0, 0));
    enum { NX = 60, NY = 50, N = NX * NY };
    int order[N];
    for (int k = 0; k < N; k++)
        order[k] = k;
    unsigned r = 12345;
    for (int k = N - 1; k > 0; k--) {
        r = r * 1103515245u + 12345u;
        int j = (int)((r >> 8) % (unsigned)(k + 1)), t = order[k];
        order[k] = order[j], order[j] = t;
    }
    for (int k = 0; k < N; k++) {
        char wkt[64];
        snprintf(wkt, sizeof wkt, "POINT(%d %d)", 1000 + 10 * (order[k] % NX), 2000 + 10 * (order[k] / NX));
        layer_value v = {.u.i = order[k]};
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt), k + 1, &v));
    }
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "grid", NULL, l));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "nothing", NULL, e));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    layer_destroy(l);
    layer_destroy(e);

    char args[4400], buf[256];
    snprintf(
        args, sizeof args,
        "-q '%s' -sql \"SELECT rtreecheck('rtree_grid_geom') AS c1, rtreecheck('rtree_nothing_geom') AS c2,"
        " (SELECT COUNT(*) FROM rtree_grid_geom) AS n,"
        " (SELECT COUNT(*) FROM rtree_grid_geom WHERE minx >= 1095 AND maxx <= 1305 AND miny >= 2195"
        " AND maxy <= 2405) AS inside, (SELECT MAX(parentnode) FROM rtree_grid_geom_parent) AS maxparent\"",
        path);
    char *o = ogr(args);
    assert_string_equal(after(o, "c1 (String) = ", buf, sizeof buf), "ok");
    assert_string_equal(after(o, "c2 (String) = ", buf, sizeof buf), "ok");
    assert_string_equal(after(o, "n (Integer) = ", buf, sizeof buf), "3000");
    assert_string_equal(after(o, "inside (Integer) = ", buf, sizeof buf), "441");
    assert_int_not_equal(atoi(after(o, "maxparent (Integer) = ", buf, sizeof buf)), 1); /* three levels */
    free(o);
    snprintf(args, sizeof args, "-so '%s' grid -spat 1095 2195 1305 2405", path);
    o = ogr(args);
    assert_has(o, "Feature Count: 441\n");
    free(o);
    snprintf(args, sizeof args, "-q '%s' grid -where \"k = 1234\"", path);
    o = ogr(args);
    assert_has(o, "POINT (1340 2200)"); /* 1234 = 20 * 60 + 34 */
    free(o);
    /* GDAL edits the file: the triggers keep the bulk-loaded tree right (one point added in the box, one
     * moved out of it, the 100 points with k < 100 deleted: 3000 + 1 - 100 rows; 441 + 1 - 1 in the box, as
     * k < 100 lies in rows j <= 1, below the box) */
    const char *edits[] = {
        "INSERT INTO grid (geom, k) VALUES (ST_GeomFromText('POINT(1101 2201)', 32650), 99999)",
        "UPDATE grid SET geom = ST_GeomFromText('POINT(5000 5000)', 32650) WHERE k = 1230",
        "DELETE FROM grid WHERE k < 100"};
    for (int k = 0; k < 3; k++) {
        snprintf(args, sizeof args, "-q '%s' -sql \"%s\"", path, edits[k]);
        free(ogr(args));
    }
    snprintf(args, sizeof args,
             "-q '%s' -sql \"SELECT rtreecheck('rtree_grid_geom') AS c1, (SELECT COUNT(*) FROM "
             "rtree_grid_geom) AS n\"",
             path);
    o = ogr(args);
    assert_string_equal(after(o, "c1 (String) = ", buf, sizeof buf), "ok");
    assert_string_equal(after(o, "n (Integer) = ", buf, sizeof buf), "2901");
    free(o);
    snprintf(args, sizeof args, "-so '%s' grid -spat 1095 2195 1305 2405", path);
    o = ogr(args);
    assert_has(o, "Feature Count: 441\n");
    free(o);
    snprintf(args, sizeof args, "-so '%s' grid -spat 4999 4999 5001 5001", path);
    o = ogr(args);
    assert_has(o, "Feature Count: 1\n");
    free(o);

    snprintf(args, sizeof args, "-so '%s' nothing", path);
    o = ogr(args);
    assert_has(o, "Feature Count: 0\n");
    assert_has(o, "Geometry: Unknown (any)");
    free(o);
}

/* A point table given as arrays (gpkg_store_write_points): the same rows as the layer of GEOS points with
 * those values -- attributes and geometry blobs, NaN and null strings as NULL -- both read back by GDAL; the
 * blob is a 29-byte point without envelope; the R-tree checks and answers a box query (441 points by hand).
 */
typedef struct pt_rows {
    int n;
    char names[3000][16];
} pt_rows;

static void pt_values(const void *user, size_t i, layer_value *v)
{
    const pt_rows *r = user;
    v[0] = (layer_value){.u.i = (int64_t)i * 7};
    v[1] = i % 5 == 0 ? (layer_value){.is_null = true} : (layer_value){.u.s = r->names[i]};
    v[2] = (layer_value){.u.d = i % 11 == 0 ? NAN : (double)i / 8};
}

static void test_points_table(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("points.gpkg");
    enum { NX = 60, NY = 50, N = NX * NY };
    static double x[N], y[N];
    pt_rows *rows = calloc(1, sizeof *rows);
    layer *schema = new_layer(ctx, "EPSG:32650"), *l = new_layer(ctx, "EPSG:32650");
    for (int k = 0; k < 2; k++) {
        layer *t = k ? l : schema;
        assert_ok(ctx, layer_add_field(ctx, t, "k", LAYER_FIELD_INT, 0, 0));
        assert_ok(ctx, layer_add_field(ctx, t, "name", LAYER_FIELD_STRING, 0, 0));
        assert_ok(ctx, layer_add_field(ctx, t, "d", LAYER_FIELD_DOUBLE, 0, 0));
    }
    layer_allow_null_geometry(schema, GEOS_POINT);
    for (int i = 0; i < N; i++) {
        x[i] = 1000 + 10 * (i % NX) + 0.25;
        y[i] = 2000 + 10 * (i / NX) + 0.5;
        snprintf(rows->names[i], sizeof rows->names[i], "点 %d", i);
        layer_value v[3];
        pt_values(rows, (size_t)i, v);
        if (i % 11 == 0) v[2] = (layer_value){.is_null = true}; /* what the layer holds for NaN */
        char wkt[80];
        snprintf(wkt, sizeof wkt, "POINT(%.17g %.17g)", x[i], y[i]);
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt), i + 1, v));
    }
    result_points pts = {N, x, y, pt_values, rows};
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_points(ctx, s, "arrays", "from arrays", schema, &pts));
    result_layer rl = {"features", NULL, l, NULL};
    assert_ok(ctx, gpkg_store_write(ctx, s, &rl));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    layer_destroy(schema);
    layer_destroy(l);
    free(rows);

    char args[4400], buf[256];
    snprintf(
        args, sizeof args,
        "-q '%s' -sql \"SELECT (SELECT COUNT(*) FROM arrays) AS n, (SELECT COUNT(*) FROM arrays a JOIN "
        "features f USING (fid) WHERE a.geom IS f.geom AND a.k IS f.k AND a.name IS f.name AND a.d IS f.d) "
        "AS same, (SELECT COUNT(*) FROM arrays WHERE name IS NULL) AS nonames, (SELECT COUNT(*) FROM arrays "
        "WHERE d IS NULL) AS nod, (SELECT hex(substr(geom, 1, 8)) || '/' || length(geom) FROM arrays WHERE "
        "fid = 1) AS head, rtreecheck('rtree_arrays_geom') AS chk\"",
        path);
    char *o = ogr(args);
    assert_string_equal(after(o, "n (Integer) = ", buf, sizeof buf), "3000");
    assert_string_equal(after(o, "same (Integer) = ", buf, sizeof buf), "3000");
    assert_string_equal(after(o, "nonames (Integer) = ", buf, sizeof buf), "600");
    assert_string_equal(after(o, "nod (Integer) = ", buf, sizeof buf), "273");
    assert_string_equal(after(o, "head (String) = ", buf, sizeof buf),
                        "475000018A7F0000/29"); /* 32650 = 0x7F8A LE */
    assert_string_equal(after(o, "chk (String) = ", buf, sizeof buf), "ok");
    free(o);
    snprintf(args, sizeof args, "-so '%s' arrays -spat 1095 2195 1305 2405", path);
    o = ogr(args);
    assert_has(o, "Feature Count: 441\n");
    assert_has(o, "Geometry: Point\n");
    free(o);
    snprintf(args, sizeof args, "-q '%s' arrays -where \"fid = 1235\"", path);
    o = ogr(args);
    assert_has(o, "k (Integer64) = 8638"); /* row 1234 */
    assert_has(o, "name (String) = 点 1234");
    assert_has(o, "POINT (1340.25 2200.5)"); /* 1234 = 20 * 60 + 34 */
    free(o);
}

/* GDAL's own GeoPackage conformance checker, when python3-gdal is installed. */
static bool have_validator(void)
{
    return exists(VALIDATOR) && exists("/usr/bin/python3");
}

/* GDAL's validate_gpkg.py --extra finds nothing wrong with path. */
static void validate(const char *path)
{
    char cmd[4400], *out = NULL;
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s --extra '%s' 2>&1", VALIDATOR, path);
    int rc = tu_run(cmd, &out);
    if (rc != 0 || strstr(out, "Req") || strstr(out, "Warning") || strstr(out, "ERROR"))
        fail_msg("%s -> exit %d:\n%s", cmd, rc, out);
    free(out);
}

static void test_validator(void **state)
{
    emscov_ctx *ctx = *state;
    if (!have_validator()) {
        print_message("validate_gpkg.py (python3-gdal) not installed: skipped\n");
        skip();
    }
    const char *path = out_path("valid.gpkg");
    write_two(ctx, path);
    validate(path);
}

/* A CRS without EPSG code: a private srs_id >= 100000, organization NONE, WKT that GDAL reads back. */
static void test_private_crs(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("proj.gpkg");
    layer *l =
        new_layer(ctx, "+proj=tmerc +lat_0=0 +lon_0=116.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m "
                       "+no_defs +type=crs");
    assert_int_equal(crs_epsg(layer_crs(l)), 0);
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(500100 4400200)"), 1, NULL));
    /* a second layer in a second private CRS, and a table and field name needing quotes */
    layer *m = new_layer(ctx, "+proj=tmerc +lat_0=0 +lon_0=117 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m "
                              "+no_defs +type=crs");
    assert_ok(ctx, layer_add_field(ctx, m, "say \"hi\"", LAYER_FIELD_STRING, 0, 0));
    layer_value v = {.u.s = "hello"};
    assert_ok(ctx, layer_append_take(ctx, m, tu_wkt(ctx, "LINESTRING(0 0,3 4)"), 1, &v));
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "tm", NULL, l));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "a \"q\" table", NULL, m));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    layer_destroy(l);
    layer_destroy(m);

    char args[4400], buf[256];
    snprintf(args, sizeof args, "-so '%s' tm", path);
    char *o = ogr(args);
    assert_has(o, "Feature Count: 1\n");
    assert_has(o, "METHOD[\"Transverse Mercator\"");
    assert_has(o, "PARAMETER[\"Longitude of natural origin\",116.5");
    assert_has(o, "Extent: (500100.000000, 4400200.000000) - (500100.000000, 4400200.000000)");
    free(o);
    snprintf(args, sizeof args,
             "-q '%s' -sql \"SELECT srs_id, organization, organization_coordsys_id AS oid FROM "
             "gpkg_spatial_ref_sys"
             " WHERE srs_id >= 100000 ORDER BY srs_id\"",
             path);
    o = ogr(args);
    assert_string_equal(after(o, "srs_id (Integer64) = ", buf, sizeof buf), "100000");
    assert_string_equal(after(o, "organization (String) = ", buf, sizeof buf), "NONE");
    assert_string_equal(after(o, "oid (Integer64) = ", buf, sizeof buf), "100000");
    assert_has(o, "srs_id (Integer64) = 100001");
    free(o);
    snprintf(args, sizeof args, "-q '%s' 'a \"q\" table'", path);
    o = ogr(args);
    assert_string_equal(after(o, "say \"hi\" (String) = ", buf, sizeof buf), "hello");
    assert_has(o, "LINESTRING (0 0,3 4)");
    free(o);
    snprintf(args, sizeof args, "-so '%s' 'a \"q\" table'", path);
    o = ogr(args);
    assert_has(o, "PARAMETER[\"Longitude of natural origin\",117");
    free(o);
}

static void test_abort(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("abort.gpkg");
    layer *p = points(ctx);
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, p));
    assert_true(exists(tmp_of(path)));
    gpkg_store_abort(s);
    assert_false(exists(path));
    assert_false(exists(tmp_of(path)));
    gpkg_store_abort(NULL);
    layer_destroy(p);
}

static void test_bad_paths(void **state)
{
    emscov_ctx *ctx = *state;
    gpkg_store *s = (gpkg_store *)&s;
    const char *missing = tu_tmp("no-such-dir/out.gpkg");
    assert_status_msg(ctx, gpkg_store_begin(ctx, missing, &s), EMS_EIO, missing);
    assert_null(s);
    assert_has(emscov_message(ctx), "No such file or directory");
    assert_false(exists(missing));

    /* the "directory" is a regular file */
    const char *file = tu_tmp("plain-file");
    tu_write_file(file, "x", 1);
    char under[4200];
    snprintf(under, sizeof under, "%s/out.gpkg", file);
    assert_status_msg(ctx, gpkg_store_begin(ctx, under, &s), EMS_EIO, under);
    assert_has(emscov_message(ctx), "Not a directory");

    /* a directory without write permission (root writes anyway: checked only for other users) */
    if (geteuid() != 0) {
        const char *ro = tu_tmp("read-only");
        mkdir(ro, 0777);
        chmod(ro, 0555);
        snprintf(under, sizeof under, "%s/out.gpkg", ro);
        assert_status_msg(ctx, gpkg_store_begin(ctx, under, &s), EMS_EIO, under);
        assert_has(emscov_message(ctx), "Permission denied");
        chmod(ro, 0777);
    }

    /* the target is a directory: the rename fails at commit, the temporary file goes, the directory stays */
    const char *dir = tu_tmp("dir.gpkg");
    mkdir(dir, 0777);
    layer *p = points(ctx);
    assert_ok(ctx, gpkg_store_begin(ctx, dir, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, p));
    assert_status_msg(ctx, gpkg_store_commit(ctx, s), EMS_EIO, "cannot rename");
    assert_false(exists(tmp_of(dir)));
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    layer_destroy(p);
}

/* An error from SQLite itself (more columns than SQLITE_MAX_COLUMN, 2000): EMS_EIO with SQLite's message;
 * the store then refuses more layers and the commit, and nothing is left on disk. */
static void test_sqlite_error(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("wide.gpkg");
    layer *w = new_layer(ctx, "EPSG:32650"), *p = points(ctx);
    for (int j = 0; j < 2001; j++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", j);
        assert_ok(ctx, layer_add_field(ctx, w, name, LAYER_FIELD_INT, 0, 0));
    }
    assert_ok(ctx, layer_append_take(ctx, w, tu_wkt(ctx, "POINT(1 2)"), 1, NULL));
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, p));
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "wide", NULL, w), EMS_EIO,
                      "SQLite: too many columns");
    assert_has(emscov_message(ctx), path);
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "more", NULL, p), EMS_EINTERNAL,
                      "an earlier layer failed");
    assert_status_msg(ctx, gpkg_store_commit(ctx, s), EMS_EINTERNAL, "not written");
    assert_false(exists(path));
    assert_false(exists(tmp_of(path)));
    layer_destroy(w);
    layer_destroy(p);
}

/* Names refused before anything is written: the store stays usable and commits what was written. */
static void test_bad_names(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("names.gpkg");
    layer *p = points(ctx), *q = polygons(ctx);
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, p));
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, q), EMS_EINPUT,
                      "table pts: already written");
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "PTS", NULL, q), EMS_EINPUT,
                      "table PTS: already written");
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "gpkg_x", NULL, q), EMS_EINPUT, "reserved");
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "rtree_pts_geom", NULL, q), EMS_EINPUT, "reserved");
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "", NULL, q), EMS_EINPUT, "empty table name");
    layer *f = new_layer(ctx, "EPSG:32650");
    assert_ok(ctx, layer_add_field(ctx, f, "FID", LAYER_FIELD_INT, 0, 0));
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "f", NULL, f), EMS_EINPUT, "field FID: clashes");
    layer_destroy(f);
    f = new_layer(ctx, "EPSG:32650");
    assert_ok(ctx, layer_add_field(ctx, f, "Name", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, f, "NAME", LAYER_FIELD_STRING, 0, 0));
    assert_status_msg(ctx, gpkg_store_write_layer(ctx, s, "f", NULL, f), EMS_EINPUT, "field NAME: a second");
    layer_destroy(f);
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    layer_destroy(p);
    layer_destroy(q);

    char args[4400];
    snprintf(args, sizeof args, "-so '%s'", path);
    char *o = ogr(args);
    assert_has(o, "1: pts (Point)");
    assert_null(strstr(o, "2: "));
    free(o);
}

/* Commit replaces an existing file atomically: the old one stays readable and unchanged until the rename. */
static void test_replace(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("replace.gpkg");
    write_two(ctx, path);
    layer *q = polygons(ctx);
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "only", NULL, q));
    char args[4400];
    snprintf(args, sizeof args, "-so '%s'", path);
    char *o = ogr(args);
    assert_has(o, "1: pts (Point)");
    assert_has(o, "2: polys (Multi Polygon)");
    free(o);
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    o = ogr(args);
    assert_has(o, "1: only (Multi Polygon)");
    assert_null(strstr(o, "pts"));
    free(o);
    assert_false(exists(tmp_of(path)));

    /* an aborted rewrite leaves the file as it was */
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    gpkg_store_abort(s);
    o = ogr(args);
    assert_has(o, "1: only (Multi Polygon)");
    free(o);
    layer_destroy(q);
}

/* QGIS styles: layer_styles is an attribute table GDAL lists and reads (one row per style, the QGIS columns,
 * useAsDefault 1), the validator still passes; a style of a table not written is bad input and the store
 * stays usable; no style, no layer_styles table. */
static void test_styles(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("styles.gpkg");
    layer *p = points(ctx);
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", "demand points", p));
    assert_int_equal(gpkg_store_write_style(ctx, s, "nope", "emscov", "<qgis/>", NULL, NULL), EMS_EINPUT);
    assert_has(emscov_message(ctx), "style of nope: no such table");
    assert_ok(ctx, gpkg_store_write_style(ctx, s, "PTS", "emscov", "<qgis>a & \"b\"</qgis>", NULL, "the points"));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    layer_destroy(p);
    char args[4400];
    snprintf(args, sizeof args, "-ro -q '%s' layer_styles", path);
    char *out = ogr(args);
    assert_has(out, "f_table_name (String) = PTS");
    assert_has(out, "f_geometry_column (String) = geom");
    assert_has(out, "styleName (String) = emscov");
    assert_has(out, "styleQML (String) = <qgis>a & \"b\"</qgis>");
    assert_has(out, "useAsDefault (Integer(Boolean)) = 1");
    assert_has(out, "description (String) = the points");
    assert_has(out, "update_time (DateTime) = ");
    free(out);
    snprintf(args, sizeof args, "-ro -so '%s'", path);
    out = ogr(args);
    assert_has(out, "2: layer_styles (None)");
    free(out);
    /* without a style there is no table */
    path = out_path("nostyles.gpkg");
    write_two(ctx, path);
    snprintf(args, sizeof args, "-ro -so '%s'", path);
    out = ogr(args);
    assert_null(strstr(out, "layer_styles"));
    free(out);
    if (have_validator()) { /* GDAL's validator accepts the styled file */
        path = out_path("styles2.gpkg");
        layer *q = points(ctx);
        assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
        assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, q));
        assert_ok(ctx, gpkg_store_write_style(ctx, s, "pts", "emscov", "<qgis/>", "<sld/>", NULL));
        assert_ok(ctx, gpkg_store_commit(ctx, s));
        layer_destroy(q);
        validate(path);
    }
}

/* QGIS projects: qgis_projects has QGIS's columns, the content is the bytes in upper-case hexadecimal text and
 * the metadata JSON names the time and user, read back through GDAL's SQL; the table stays out of
 * gpkg_contents (GDAL lists it when asked for every table) and the validator still passes; a second
 * project of the same name fails and the store can then only be aborted (the file is not written). */
static void test_projects(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = out_path("projects.gpkg");
    layer *p = points(ctx);
    gpkg_store *s = NULL;
    const unsigned char qgz[] = {0x50, 0x4b, 0x03, 0x04, 0x00, 0xff};
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, p));
    assert_ok(ctx, gpkg_store_write_project(ctx, s, "emscov", qgz, sizeof qgz));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    char args[4400];
    snprintf(args, sizeof args, "-ro -q '%s' -sql \"SELECT name, typeof(content) AS t, CAST(content AS TEXT) AS c,"
             " CAST(metadata AS TEXT) AS m FROM qgis_projects\"",
             path);
    char *out = ogr(args);
    assert_has(out, "name (String) = emscov");
    assert_has(out, "t (String) = text");
    assert_has(out, "c (String) = 504B030400FF");
    assert_has(out, "m (String) = {\"last_modified_time\": \"");
    assert_has(out, "\"last_modified_user\": \"emscov\"}");
    free(out);
    snprintf(args, sizeof args,
             "-ro -q '%s' -sql \"SELECT count(*) AS n FROM gpkg_contents WHERE table_name = 'qgis_projects'\"", path);
    out = ogr(args);
    assert_has(out, "n (Integer) = 0");
    free(out);
    snprintf(args, sizeof args, "-ro -so -oo LIST_ALL_TABLES=YES '%s'", path);
    out = ogr(args);
    assert_has(out, ": qgis_projects (None)");
    free(out);
    if (have_validator())
        validate(path);
    /* the same name twice */
    path = out_path("projects2.gpkg");
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "pts", NULL, p));
    assert_ok(ctx, gpkg_store_write_project(ctx, s, "emscov", qgz, sizeof qgz));
    assert_status_msg(ctx, gpkg_store_write_project(ctx, s, "emscov", qgz, sizeof qgz), EMS_EIO, "UNIQUE");
    assert_status_msg(ctx, gpkg_store_write_project(ctx, s, "other", qgz, sizeof qgz), EMS_EINTERNAL,
                      "an earlier write failed");
    assert_int_not_equal(gpkg_store_commit(ctx, s), EMS_OK);
    assert_false(exists(path));
    layer_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary),      cmocka_unit_test(test_values),
        cmocka_unit_test(test_projects),
        cmocka_unit_test(test_rtree),        cmocka_unit_test(test_rtree_large),
        cmocka_unit_test(test_validator),    cmocka_unit_test(test_private_crs),
        cmocka_unit_test(test_abort),        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_sqlite_error), cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_replace),      cmocka_unit_test(test_points_table),
        cmocka_unit_test(test_styles),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
