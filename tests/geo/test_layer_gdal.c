/* tests/geo/test_layer_gdal.c: the GDAL reader behind layer_read (geo/layer_gdal.c).
 *  - The same data through both paths gives the same layer (features, record numbers, field names and types,
 *    values, coordinates, CRS, encoding, skipped records): the sample's shapefiles (GBK by .cpg and by LDID,
 *    polygons, lines, points), its GeoJSON and a GeoPackage written by ogr2ogr, each read natively and with
 *    --format gdal.
 *  - FlatGeobuf and KML written by ogr2ogr from the sample read as the layers they came from.
 *  - The input ledger: NULL, empty, unreadable (a one-point line), curved and 3D geometries, and the record
 *    invariant source_records = count + skipped.
 *  - Text: raw GBK DBF bytes with no declaration fail naming record, FID and field; --encoding converts them
 *    strictly; a multi-layer source by name, and the layer it picks without one.
 *  - Failures: a truncated FlatGeobuf, a missing layer, a missing file, a file GDAL cannot open.
 *  - GDAL's error handler: the caller's own handler is back on top after every call, and two threads reading
 *    through GDAL at once (each with its own ctx) get their own messages.
 * Fixtures are written by GDAL's command-line tools (ogr2ogr), an implementation independent of ours. */
#include "test_util.h"

#include "geo/layer.h"

#include <cpl_error.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const layer_read_opts via_gdal = {.format = "gdal"};

#define assert_msg_contains(ctx, part)                                                                       \
    do {                                                                                                    \
        if (!strstr(emscov_message(ctx), (part)))                                                           \
            fail_msg("message \"%s\" lacks \"%s\"", emscov_message(ctx), (part));                           \
    } while (0)

static void require_tools(const char *path)
{
    if (!path || access(path, R_OK) != 0 || system("command -v ogr2ogr >/dev/null 2>&1") != 0) {
        print_message("no sample or no ogr2ogr: skipped\n");
        skip();
    }
}

/* Run a shell command that must succeed (fixtures). */
static void run_ok(const char *cmd)
{
    char *out = NULL;
    int rc = tu_run(cmd, &out);
    if (rc != 0)
        fail_msg("%s: exit %d: %s", cmd, rc, out ? out : "");
    free(out);
}

static layer *read_ok(emscov_ctx *ctx, const char *path, const layer_read_opts *o)
{
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, path, o, &l));
    return l;
}

static void assert_same_value(const layer *a, const layer *b, size_t ja, size_t jb, const layer_value *va,
                              const layer_value *vb, int64_t record)
{
    if (va->is_null || vb->is_null) {
        if (va->is_null != vb->is_null)
            fail_msg("record %lld field %s: null in one layer only", (long long)record, layer_field_at(a, ja)->name);
        return;
    }
    char ta[512], tb[512];
    layer_value_format(a, ja, va, ta, sizeof ta);
    layer_value_format(b, jb, vb, tb, sizeof tb);
    if (strcmp(ta, tb) != 0)
        fail_msg("record %lld field %s: \"%s\" vs \"%s\"", (long long)record, layer_field_at(a, ja)->name, ta, tb);
}

/* a and b hold the same features (in the same order, with the same record numbers), the same fields (names,
 * types; widths too when `widths`), values, coordinates (exactly), CRS and encoding, and the same skipped
 * records. */
static void assert_same_layer(emscov_ctx *ctx, const layer *a, const layer *b, bool widths)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    assert_int_equal(layer_count(a), layer_count(b));
    assert_int_equal(layer_source_records(a), layer_source_records(b));
    assert_int_equal(layer_field_count(a), layer_field_count(b));
    for (size_t j = 0; j < layer_field_count(a); j++) {
        const layer_field *fa = layer_field_at(a, j), *fb = layer_field_at(b, j);
        assert_string_equal(fa->name, fb->name);
        if (fa->type != fb->type)
            fail_msg("field %s: type %d vs %d", fa->name, (int)fa->type, (int)fb->type);
        if (widths) {
            assert_int_equal(fa->width, fb->width);
            assert_int_equal(fa->precision, fb->precision);
        }
    }
    for (size_t i = 0; i < layer_count(a); i++) {
        assert_int_equal(layer_record(a, i), layer_record(b, i));
        if (GEOSEqualsExact_r(h, layer_geom(a, i), layer_geom(b, i), 0) != 1)
            fail_msg("record %lld: geometries differ", (long long)layer_record(a, i));
        for (size_t j = 0; j < layer_field_count(a); j++)
            assert_same_value(a, b, j, j, layer_value_at(a, i, j), layer_value_at(b, i, j), layer_record(a, i));
    }
    assert_int_equal(layer_skipped_count(a), layer_skipped_count(b));
    for (size_t k = 0; k < layer_skipped_count(a); k++) {
        assert_int_equal(layer_skipped_record(a, k), layer_skipped_record(b, k));
        assert_int_equal(layer_skipped_reason(a, k), layer_skipped_reason(b, k));
    }
    assert_true(crs_equivalent(layer_source_crs(a), layer_source_crs(b)));
    assert_int_equal(crs_epsg(layer_source_crs(a)), crs_epsg(layer_source_crs(b)));
    if (layer_encoding(a) || layer_encoding(b)) {
        assert_non_null(layer_encoding(a));
        assert_non_null(layer_encoding(b));
        assert_string_equal(layer_encoding(a), layer_encoding(b));
    }
}

/* The sample's layers natively and through GDAL: the same layer. */
static void test_both_paths(void **state)
{
    emscov_ctx *ctx = *state;
    require_tools(tu_sample("streets_gbk.shp"));
    static const char *const files[] = {"streets_gbk.shp", "streets_ldid.shp", "streets_utf8.shp", "roads.shp",
                                        "stations.shp",    "census.shp",       "parks.geojson",   "residential.shp"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        print_message("%s\n", files[k]);
        layer *a = read_ok(ctx, tu_sample(files[k]), NULL), *b = read_ok(ctx, tu_sample(files[k]), &via_gdal);
        assert_true(strstr(layer_format(b), "(GDAL)") != NULL);
        assert_same_layer(ctx, a, b, strstr(files[k], ".shp") != NULL);
        layer_destroy(a);
        layer_destroy(b);
    }
    /* a GeoPackage table by name, written by ogr2ogr: our SQLite reader and GDAL's */
    char cmd[2000], src[700];
    const char *gpkg = tu_tmp("two.gpkg");
    unlink(gpkg);
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -f GPKG -nln parks '%s' '%s' && ogr2ogr -update -nln stations '%s' '%s' 2>&1", gpkg,
             tu_sample("parks.geojson"), gpkg, tu_sample("stations.shp"));
    run_ok(cmd);
    snprintf(src, sizeof src, "%s:stations", gpkg);
    layer *a = read_ok(ctx, src, NULL), *b = read_ok(ctx, src, &via_gdal);
    assert_same_layer(ctx, a, b, false);
    assert_string_equal(layer_path(b), src);
    layer *c = read_ok(ctx, tu_sample("stations.shp"), NULL);
    assert_int_equal(layer_count(b), layer_count(c));
    layer_destroy(a);
    layer_destroy(b);
    layer_destroy(c);
    /* without a name: the first layer, noted with the others' names */
    b = read_ok(ctx, gpkg, &via_gdal);
    assert_int_equal(layer_count(b), 19);
    bool noted = false;
    for (size_t k = 0; k < layer_note_count(b); k++)
        noted |= strstr(layer_note_at(b, k)->text, "has 2 layers (parks, stations): read parks") != NULL;
    assert_true(noted);
    layer_destroy(b);
    snprintf(src, sizeof src, "%s:nope", gpkg);
    assert_status_msg(ctx, layer_read(ctx, src, &via_gdal, &b), EMS_EINPUT,
                      "no layer \"nope\"; the layers are: parks, stations");
    assert_null(b);
}

/* FlatGeobuf and KML written by ogr2ogr read as the layers they were made from. */
static void test_flatgeobuf_kml(void **state)
{
    emscov_ctx *ctx = *state;
    require_tools(tu_sample("stations.shp"));
    char cmd[2000];
    const char *fgb = tu_tmp("stations.fgb"), *kml = tu_tmp("parks.kml");
    unlink(fgb);
    unlink(kml);
    /* no spatial index: the features stay in source order */
    snprintf(cmd, sizeof cmd, "ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=NO '%s' '%s' 2>&1", fgb,
             tu_sample("stations.shp"));
    run_ok(cmd);
    layer *a = read_ok(ctx, tu_sample("stations.shp"), NULL), *b = read_ok(ctx, fgb, NULL);
    assert_string_equal(layer_format(b), "FlatGeobuf (GDAL)");
    assert_same_layer(ctx, a, b, false);
    layer_destroy(a);
    layer_destroy(b);

    snprintf(cmd, sizeof cmd, "ogr2ogr -f KML '%s' '%s' 2>&1", kml, tu_sample("parks.geojson"));
    run_ok(cmd);
    a = read_ok(ctx, tu_sample("parks.geojson"), NULL);
    b = read_ok(ctx, kml, NULL);
    assert_int_equal(crs_epsg(layer_crs(b)), 4326);
    assert_int_equal(layer_count(a), layer_count(b));
    int ka = layer_field_index(a, "kind"), kb = layer_field_index(b, "kind");
    int na = layer_field_index(a, "name"), nb = layer_field_index(b, "Name"); /* KML's own name element */
    assert_true(ka >= 0 && kb >= 0 && na >= 0 && nb >= 0);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < layer_count(a); i++) {
        assert_string_equal(layer_value_at(a, i, (size_t)ka)->u.s, layer_value_at(b, i, (size_t)kb)->u.s);
        assert_string_equal(layer_value_at(a, i, (size_t)na)->u.s, layer_value_at(b, i, (size_t)nb)->u.s);
        /* KML holds the coordinates as decimal text: the same to 1e-9 degrees */
        assert_int_equal(GEOSEqualsExact_r(h, layer_geom(a, i), layer_geom(b, i), 1e-9), 1);
    }
    layer_destroy(a);
    layer_destroy(b);
}

/* The input ledger through GDAL: a GeoJSON file with a NULL, an unreadable (one-point line) and an empty
 * geometry; a GeoPackage made by ogr2ogr from WKT text holding a circular arc and a 3D point. */
static void test_skipped_records(void **state)
{
    emscov_ctx *ctx = *state;
    require_tools(tu_sample("stations.shp"));
    const char *gj = tu_tmp("skip.geojson");
    static const char text[] =
        "{\"type\": \"FeatureCollection\", \"crs\": {\"type\": \"name\", \"properties\": {\"name\": "
        "\"urn:ogc:def:crs:EPSG::4548\"}}, \"features\": [\n"
        "{\"type\": \"Feature\", \"properties\": {\"n\": 1}, \"geometry\": {\"type\": \"Point\", \"coordinates\": "
        "[441000.5, 4412000.25]}},\n"
        "{\"type\": \"Feature\", \"properties\": {\"n\": 2}, \"geometry\": null},\n"
        "{\"type\": \"Feature\", \"properties\": {\"n\": 3}, \"geometry\": {\"type\": \"LineString\", "
        "\"coordinates\": [[441000, 4412000]]}},\n"
        "{\"type\": \"Feature\", \"properties\": {\"n\": 4}, \"geometry\": {\"type\": \"Polygon\", \"coordinates\": "
        "[[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}},\n"
        "{\"type\": \"Feature\", \"properties\": {\"n\": 5}, \"geometry\": {\"type\": \"MultiPolygon\", "
        "\"coordinates\": []}}]}\n";
    tu_write_file(gj, text, strlen(text));
    layer *l = read_ok(ctx, gj, &via_gdal);
    assert_int_equal(layer_source_records(l), 5);
    assert_int_equal(layer_count(l), 2); /* the point, the repaired bow tie */
    assert_int_equal(layer_skipped_count(l), 3);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    assert_int_equal(layer_skipped_record(l, 0), 2);
    assert_int_equal(layer_skipped_reason(l, 0), LAYER_SKIP_NULL_GEOMETRY);
    assert_int_equal(layer_skipped_record(l, 1), 3);
    assert_int_equal(layer_skipped_reason(l, 1), LAYER_SKIP_UNREADABLE);
    assert_int_equal(layer_skipped_record(l, 2), 5);
    assert_int_equal(layer_skipped_reason(l, 2), LAYER_SKIP_EMPTY_GEOMETRY);
    assert_int_equal(layer_value_at(l, 1, 0)->u.i, 4);
    assert_int_equal(layer_skipped_values(l, 1)[0].u.i, 3); /* the skipped record keeps its attributes */
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_REPAIRED), 1);
    layer_destroy(l);

    /* WKT through ogr2ogr's CSV driver into a GeoPackage: a point, a circular arc, a 3D point */
    const char *csv = tu_tmp("wkt.csv"), *gpkg = tu_tmp("wkt.gpkg");
    static const char rows[] = "id,WKT\n"
                               "1,POINT (441000 4412000)\n"
                               "2,\"CIRCULARSTRING (441000 4412000, 441100 4412100, 441200 4412000)\"\n"
                               "3,POINT Z (441000 4412000 55)\n";
    tu_write_file(csv, rows, strlen(rows));
    unlink(gpkg);
    char cmd[1600];
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -f GPKG -a_srs EPSG:4548 -nlt GEOMETRY -nln w -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO "
             "'%s' '%s' 2>&1", gpkg, csv);
    run_ok(cmd);
    l = read_ok(ctx, gpkg, &via_gdal);
    assert_int_equal(layer_source_records(l), 3);
    assert_int_equal(layer_count(l), 3);
    GEOSContextHandle_t h = emscov_geos(ctx);
    const GEOSGeometry *arc = layer_geom(l, 1);
    assert_int_equal(GEOSGeomTypeId_r(h, arc), GEOS_LINESTRING);
    assert_true(GEOSGeomGetNumPoints_r(h, arc) > 3); /* approximated by segments */
    double len = 0;
    GEOSLength_r(h, arc, &len);
    assert_close(len, 3.14159265358979 * 100, 0.5); /* a half circle of radius 100 m */
    assert_int_equal(GEOSHasZ_r(h, layer_geom(l, 2)), 0);
    size_t curved = 0, dropped = 0;
    for (size_t k = 0; k < layer_note_count(l); k++) {
        curved += strstr(layer_note_at(l, k)->text, "1 curved geometries approximated") != NULL;
        dropped += strstr(layer_note_at(l, k)->text, "Z and M values dropped") != NULL;
    }
    assert_int_equal(curved, 1);
    assert_int_equal(dropped, 1);
    layer_destroy(l);
}

/* A DBF with GBK bytes and no .cpg or LDID, through GDAL: not UTF-8 (record, FID, field named); --encoding GBK
 * converts it, strictly (a wrong --encoding fails the same way). */
static void test_encoding(void **state)
{
    emscov_ctx *ctx = *state;
    require_tools(tu_sample("streets_ldid.shp"));
    char cmd[2000];
    const char *dir = tu_tmp("");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && for e in shp shx dbf prj; do cp '%s'.$e raw.$e; done && "
             "printf '\\000' | dd of=raw.dbf bs=1 seek=29 conv=notrunc 2>/dev/null",
             dir, tu_sample("streets_ldid"));
    run_ok(cmd);
    const char *raw = tu_tmp("raw.shp");
    layer *l = NULL;
    assert_status_msg(ctx, layer_read(ctx, raw, &via_gdal, &l), EMS_EINPUT, "record 1 (FID 0): field NAME: not valid UTF-8");
    assert_null(l);
    layer_read_opts o = {.format = "gdal", .encoding = "GBK"};
    l = read_ok(ctx, raw, &o);
    layer *native = read_ok(ctx, tu_sample("streets_gbk.shp"), NULL);
    assert_same_layer(ctx, native, l, true);
    assert_string_equal(layer_encoding_source(l), "--encoding");
    layer_destroy(native);
    layer_destroy(l);
    o.encoding = "BIG5";
    assert_status_msg(ctx, layer_read(ctx, raw, &o, &l), EMS_EINPUT, "field NAME: not valid BIG5");
    /* a driver that hands out UTF-8 (GeoJSON) ignores --encoding, with a note and a warning */
    size_t warned = emscov_warning_count(ctx);
    o.encoding = "GBK";
    l = read_ok(ctx, tu_sample("parks.geojson"), &o);
    assert_int_equal(emscov_warning_count(ctx), warned + 1);
    bool noted = false;
    for (size_t k = 0; k < layer_note_count(l); k++)
        noted |= strstr(layer_note_at(l, k)->text, "--encoding GBK ignored: GDAL's GeoJSON driver hands out UTF-8") !=
                 NULL;
    assert_true(noted);
    layer_destroy(l);
}

static void test_failures(void **state)
{
    emscov_ctx *ctx = *state;
    require_tools(tu_sample("roads.shp"));
    char cmd[2000];
    const char *fgb = tu_tmp("roads.fgb"), *cut = tu_tmp("cut.fgb"), *head = tu_tmp("head.fgb");
    unlink(fgb);
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=NO '%s' '%s' 2>&1 && n=$(wc -c <'%s') && "
             "head -c $((n / 2)) '%s' >'%s' && head -c 200 '%s' >'%s'",
             fgb, tu_sample("roads.shp"), fgb, fgb, cut, fgb, head);
    run_ok(cmd);
    layer *l = NULL;
    /* cut in the middle of the features: an error naming the last record read, never a partial layer */
    assert_status_msg(ctx, layer_read(ctx, cut, NULL, &l), EMS_EINPUT, "cut.fgb: after record ");
    assert_msg_contains(ctx, ": GDAL: ");
    assert_null(l);
    /* cut in the header */
    assert_status_msg(ctx, layer_read(ctx, head, NULL, &l), EMS_EINPUT, "head.fgb: GDAL finds no layer");
    assert_status_msg(ctx, layer_read(ctx, tu_tmp("missing.fgb"), NULL, &l), EMS_EINPUT,
                      "missing.fgb: GDAL cannot open it as a vector source");
    const char *junk = tu_tmp("junk.xyz");
    tu_write_file(junk, "not a layer\n", 12);
    assert_status_msg(ctx, layer_read(ctx, junk, NULL, &l), EMS_EINPUT,
                      "junk.xyz: unknown format \"xyz\": emscov reads shp, geojson, csv and gpkg itself");
    layer_read_opts o = {.format = "fgb"};
    assert_status_msg(ctx, layer_read(ctx, fgb, &o, &l), EMS_EINPUT, "unknown --format \"fgb\"");
    /* no CRS */
    const char *nocrs = tu_tmp("nocrs.geojson");
    static const char gj[] = "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\", "
                             "\"properties\": {}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1, 2]}}]}";
    tu_write_file(nocrs, gj, strlen(gj));
    snprintf(cmd, sizeof cmd, "ogr2ogr -f FlatGeobuf -a_srs None '%s' '%s' 2>&1", tu_tmp("nocrs.fgb"), nocrs);
    unlink(tu_tmp("nocrs.fgb"));
    run_ok(cmd);
    assert_status_msg(ctx, layer_read(ctx, tu_tmp("nocrs.fgb"), NULL, &l), EMS_EINPUT, "no CRS");
    o = (layer_read_opts){.srs = "EPSG:4548"};
    l = read_ok(ctx, tu_tmp("nocrs.fgb"), &o);
    assert_string_equal(layer_crs_source(l), "--srs");
    layer_destroy(l);
}

/* A test handler: counts what reaches it. */
static void CPL_STDCALL count_errors(CPLErr cls, CPLErrorNum num, const char *msg)
{
    (void)cls;
    (void)num;
    (void)msg;
    int *n = CPLGetErrorHandlerUserData();
    (*n)++;
}

/* The reader pushes its handler per call and pops it: the caller's handler (and user data) is on top again
 * afterwards, after a success and after a failure, and none of GDAL's messages of the call reached it. */
static void test_error_handler_restored(void **state)
{
    emscov_ctx *ctx = *state;
    require_tools(tu_sample("stations.shp"));
    int mine = 0;
    CPLPushErrorHandlerEx(count_errors, &mine);
    layer *l = NULL;
    const char *junk = tu_tmp("junk2.xyz");
    tu_write_file(junk, "not a layer\n", 12);
    assert_status_msg(ctx, layer_read(ctx, junk, NULL, &l), EMS_EINPUT, "not recognized");
    l = read_ok(ctx, tu_sample("stations.shp"), &via_gdal);
    layer_destroy(l);
    assert_int_equal(mine, 0);
    assert_ptr_equal(CPLGetErrorHandlerUserData(), &mine);
    CPLError(CE_Warning, CPLE_AppDefined, "probe");
    assert_int_equal(mine, 1);
    CPLPopErrorHandler();
}

typedef struct reader_job {
    const char *path;
    int rounds, ok, failed;
    char last[512];
} reader_job;

static void *read_loop(void *arg)
{
    reader_job *j = arg;
    emscov_ctx *ctx = emscov_ctx_create();
    for (int k = 0; ctx && k < j->rounds; k++) {
        layer *l = NULL;
        ems_status st = layer_read(ctx, j->path, NULL, &l);
        if (st == EMS_OK)
            j->ok++;
        else {
            j->failed++;
            snprintf(j->last, sizeof j->last, "%s", emscov_message(ctx));
        }
        layer_destroy(l);
    }
    emscov_ctx_destroy(ctx);
    return NULL;
}

/* Two threads through GDAL at once, each with its own ctx (as analyze reads the roads): the good file always
 * reads, the truncated one always fails with its own message. */
static void test_threads(void **state)
{
    (void)state;
    require_tools(tu_sample("stations.shp"));
    char cmd[2000];
    const char *good = tu_tmp("t_good.fgb"), *bad = tu_tmp("t_bad.fgb");
    unlink(good);
    snprintf(cmd, sizeof cmd,
             "ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=NO '%s' '%s' 2>&1 && n=$(wc -c <'%s') && head -c $((n * 3 / 4)) "
             "'%s' >'%s'",
             good, tu_sample("roads.shp"), good, good, bad);
    run_ok(cmd);
    reader_job a = {.path = good, .rounds = 4}, b = {.path = bad, .rounds = 12};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, read_loop, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, read_loop, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.ok, 4);
    assert_int_equal(a.failed, 0);
    assert_int_equal(b.ok, 0);
    assert_int_equal(b.failed, 12);
    assert_non_null(strstr(b.last, "t_bad.fgb: after record "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_paths),
        cmocka_unit_test(test_flatgeobuf_kml),
        cmocka_unit_test(test_skipped_records),
        cmocka_unit_test(test_encoding),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_error_handler_restored),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
