/* tests/geo/test_layer_geojson.c: the GeoJSON reader: property type inference over all features, null
 * geometries noted and skipped, the CRS rules (--srs, legacy "crs" member, RFC 7946 default), every failure
 * message (syntax error position, structure, UTF-8), and real OSM-derived files counted independently with
 * python3's json module. */
#include "test_util.h"

#include "geo/filter.h"
#include "geo/layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static layer *read_text(emscov_ctx *ctx, const char *name, const char *text, const layer_read_opts *opts)
{
    const char *path = tu_tmp(name);
    tu_write_file(path, text, strlen(text));
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, path, opts, &l));
    assert_non_null(l);
    return l;
}

static ems_status read_bad(emscov_ctx *ctx, const char *name, const char *text, layer **l)
{
    const char *path = tu_tmp(name);
    tu_write_file(path, text, strlen(text));
    *l = NULL;
    return layer_read(ctx, path, NULL, l);
}

static int field(const layer *l, const char *name)
{
    int j = layer_field_index(l, name);
    if (j < 0) fail_msg("no field %s", name);
    return j;
}

static const char *str_at(const layer *l, size_t i, const char *name)
{
    const layer_value *v = layer_value_at(l, i, (size_t)field(l, name));
    return v->is_null ? NULL : v->u.s;
}

static void test_types_and_nulls(void **state)
{
    emscov_ctx *ctx = *state;
    const char *text =
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"i\":1,\"d\":1,\"b\":true,\"s\":\"a\",\"m\":1,"
        "\"o\":{\"k\":[1,2]},\"n\":null},\"geometry\":{\"type\":\"Point\",\"coordinates\":[116.4,39.9]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"i\":2,\"d\":2.5,\"b\":false,\"s\":"
        "\"\xe5\x8c\x97\xe4\xba\xac\","
        "\"m\":\"x\",\"extra\":3},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"i\":-3,\"d\":3,\"s\":null,\"m\":2.5,\"o\":[1,\"x/y\"]},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":null,\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}\n"
        "]}";
    layer *l = read_text(ctx, "types.geojson", text, NULL);
    assert_string_equal(layer_format(l), "GeoJSON");
    /* union of keys, first-seen order */
    const char *names[] = {"i", "d", "b", "s", "m", "o", "n", "extra"};
    const layer_field_type types[] = {LAYER_FIELD_INT,    LAYER_FIELD_DOUBLE, LAYER_FIELD_LOGICAL,
                                      LAYER_FIELD_STRING, LAYER_FIELD_STRING, LAYER_FIELD_STRING,
                                      LAYER_FIELD_STRING, LAYER_FIELD_INT};
    assert_int_equal(layer_field_count(l), 8);
    for (size_t j = 0; j < 8; j++) {
        assert_string_equal(layer_field_at(l, j)->name, names[j]);
        assert_int_equal(layer_field_at(l, j)->type, types[j]);
    }
    /* feature 2 has a null geometry: noted, skipped; records are 1-based feature indexes */
    assert_int_equal(layer_count(l), 3);
    assert_int_equal(layer_source_records(l), 4);
    assert_int_equal(layer_record(l, 0), 1);
    assert_int_equal(layer_record(l, 1), 3);
    assert_int_equal(layer_record(l, 2), 4);
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_EMPTY), 1);
    /* values */
    assert_int_equal(layer_value_at(l, 1, 0)->u.i, -3);
    assert_close(layer_value_number(l, 0, 1), 1.0, 0);
    assert_true(layer_value_at(l, 0, 2)->u.b);
    assert_true(layer_value_at(l, 1, 2)->is_null); /* missing key -> null */
    assert_string_equal(str_at(l, 0, "s"), "a");
    assert_null(str_at(l, 1, "s"));
    assert_string_equal(str_at(l, 0, "m"), "1"); /* numbers in a mixed column keep their JSON text */
    assert_string_equal(str_at(l, 1, "m"), "2.5");
    assert_string_equal(str_at(l, 0, "o"), "{\"k\":[1,2]}");
    assert_string_equal(str_at(l, 1, "o"), "[1,\"x/y\"]");
    assert_null(str_at(l, 0, "n"));
    assert_true(layer_value_at(l, 2, 0)->is_null); /* "properties": null */
    assert_true(layer_value_at(l, 0, 7)->is_null);
    /* CRS and encoding */
    assert_int_equal(crs_epsg(layer_crs(l)), 4326);
    assert_string_equal(layer_crs_source(l), "GeoJSON default (RFC 7946: WGS 84)");
    assert_string_equal(layer_encoding(l), "UTF-8");
    assert_string_equal(layer_encoding_source(l), "GeoJSON (RFC 8259)");
    double ext[4];
    assert_true(layer_extent(l, ext));
    assert_close(ext[0], 0, 0);
    assert_close(ext[3], 39.9, 1e-12);
    layer_destroy(l);
}

static void test_single_feature_and_crs(void **state)
{
    emscov_ctx *ctx = *state;
    /* a lone Feature with a UTF-8 BOM */
    layer *l = read_text(ctx, "one.geojson",
                         "\xEF\xBB\xBF{\"type\":\"Feature\",\"properties\":{\"name\":\"\xe7\xab\x99\"},"
                         "\"geometry\":{\"type\":\"Point\",\"coordinates\":[116.4,39.9]}}",
                         NULL);
    assert_int_equal(layer_count(l), 1);
    assert_string_equal(str_at(l, 0, "name"), "\xe7\xab\x99");
    layer_destroy(l);
    /* legacy crs member, three spellings */
    const char *names[] = {"urn:ogc:def:crs:EPSG::4548", "EPSG:4548", "urn:ogc:def:crs:OGC:1.3:CRS84"};
    const int codes[] = {4548, 4548, 0};
    for (int k = 0; k < 3; k++) {
        char text[512];
        snprintf(
            text, sizeof text,
            "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"%s\"}},"
            "\"features\":[{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Point\","
            "\"coordinates\":[448688.8557,4418598.0013]}}]}",
            names[k]);
        l = read_text(ctx, "crs.geojson", text, NULL);
        assert_string_equal(layer_crs_source(l), "GeoJSON \"crs\" member");
        if (codes[k])
            assert_int_equal(crs_epsg(layer_crs(l)), codes[k]);
        else
            assert_true(crs_is_geographic(layer_crs(l))); /* OGC:CRS84 is not an EPSG code */
        layer_destroy(l);
    }
    /* --srs wins over the member */
    layer_read_opts o = {.srs = "EPSG:32650"};
    l = read_text(ctx, "crs.geojson",
                  "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
                  "\"EPSG:4548\"}},\"features\":[]}",
                  &o);
    assert_int_equal(crs_epsg(layer_crs(l)), 32650);
    assert_string_equal(layer_crs_source(l), "--srs");
    assert_int_equal(layer_count(l), 0);
    layer_destroy(l);
}

static void test_errors(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = NULL;
    /* the x is on line 3, column 9 (1-based, in bytes) */
    assert_status_msg(ctx,
                      read_bad(ctx, "syntax.geojson",
                               "{\"type\":\"FeatureCollection\",\n\"features\":[\n  {\"a\": x}]}", &l),
                      EMS_EINPUT,
                      "syntax.geojson: JSON syntax error at line 3, column 9: unexpected character");
    assert_null(l);
    assert_status_msg(ctx, read_bad(ctx, "eof.geojson", "{\"type\":\n\"FeatureCollection\"", &l), EMS_EINPUT,
                      "eof.geojson: JSON syntax error at line 2, column 20: unexpected end of file");
    assert_status_msg(ctx, read_bad(ctx, "trail.geojson", "{\"type\":\"Feature\"} x", &l), EMS_EINPUT,
                      "JSON syntax error at line 1, column 20");
    assert_status_msg(
        ctx, read_bad(ctx, "geom.geojson", "{\"type\":\"Point\",\"coordinates\":[1,2]}", &l), EMS_EINPUT,
        "geom.geojson: not a GeoJSON FeatureCollection or Feature (top-level \"type\" is \"Point\")");
    assert_status_msg(ctx, read_bad(ctx, "arr.geojson", "[1,2]", &l), EMS_EINPUT, "\"type\" is missing");
    assert_status_msg(ctx,
                      read_bad(ctx, "fa.geojson", "{\"type\":\"FeatureCollection\",\"features\":{}}", &l),
                      EMS_EINPUT, "\"features\" is object, not an array");
    assert_status_msg(
        ctx,
        read_bad(ctx, "f2.geojson",
                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
                 "null,\"properties\":{}},{\"geometry\":null}]}",
                 &l),
        EMS_EINPUT, "f2.geojson: feature 2: not a GeoJSON Feature");
    assert_status_msg(
        ctx,
        read_bad(ctx, "utf8.geojson",
                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
                 "null,\"properties\":{}},{\"type\":\"Feature\",\"geometry\":null,\"properties\":"
                 "{\"name\":\"\xb1\xb1\xbe\xa9\"}}]}",
                 &l),
        EMS_EINPUT, "utf8.geojson: feature 2: property \"name\": not valid UTF-8");
    assert_status_msg(
        ctx,
        read_bad(ctx, "badgeom.geojson",
                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
                 "{\"type\":\"Point\",\"coordinates\":\"x\"},\"properties\":{}}]}",
                 &l),
        EMS_EINPUT, "badgeom.geojson: feature 1: geometry:");
    assert_status_msg(
        ctx,
        read_bad(ctx, "badcrs.geojson",
                 "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
                 "\"EPSG:nonsense\"}},\"features\":[]}",
                 &l),
        EMS_EINPUT, "badcrs.geojson: \"crs\" member: cannot parse CRS \"EPSG:nonsense\"");
    assert_status_msg(
        ctx,
        read_bad(ctx, "props.geojson",
                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
                 "null,\"properties\":[1]}]}",
                 &l),
        EMS_EINPUT, "feature 1: \"properties\" is array");
    /* an empty position: GEOS 3.11's reader dereferenced it (SIGSEGV, found by fuzz_layer); a one-number one */
    static const char *const bad_coords[] = {"{\"type\":\"MultiLineString\",\"coordinates\":[[[0,0],[1,1]],[[]]]}",
                                             "{\"type\":\"Point\",\"coordinates\":[5]}",
                                             "{\"type\":\"Polygon\",\"coordinates\":[[0,0],[1,0],[1,1],[0,0]]}",
                                             "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":"
                                             "\"LineString\",\"coordinates\":[[0,0],[1,\"a\"]]}]}"};
    for (size_t k = 0; k < sizeof bad_coords / sizeof *bad_coords; k++) {
        char text[400];
        snprintf(text, sizeof text,
                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":%s,"
                 "\"properties\":{}}]}",
                 bad_coords[k]);
        assert_status_msg(ctx, read_bad(ctx, "coords.geojson", text, &l), EMS_EINPUT,
                          "coords.geojson: feature 1: geometry: coordinates not nested as its type needs");
    }
    /* empty geometries keep their shape: read (and skipped with a note, as before) */
    assert_ok(ctx, read_bad(ctx, "empty.geojson",
                            "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
                            "{\"type\":\"MultiLineString\",\"coordinates\":[]},\"properties\":{}}]}",
                            &l));
    layer_destroy(l);
    l = NULL;
    assert_status_msg(ctx, layer_read(ctx, tu_tmp("nope.geojson"), NULL, &l), EMS_EINPUT, "nope.geojson");
    assert_null(l);
}

/* Independent counts:
 *   python3 -c "import json; f = json.load(open('subdistricts.geojson'))['features']; \
 *               print(len(f), sum(x['properties'].get('admin_level') == '10' for x in f))"   -> 13 9 */
static void test_real_monaco_subdistricts(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_shared("data/real/monaco-osm-2016/derived/subdistricts.geojson");
    tu_require_shared(path);
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, path, NULL, &l));
    assert_int_equal(layer_count(l), 13);
    assert_int_equal(layer_source_records(l), 13);
    int j = field(l, "admin_level");
    assert_int_equal(layer_field_at(l, (size_t)j)->type, LAYER_FIELD_STRING);
    size_t level10 = 0;
    for (size_t i = 0; i < layer_count(l); i++) {
        const layer_value *v = layer_value_at(l, i, (size_t)j);
        level10 += !v->is_null && strcmp(v->u.s, "10") == 0;
    }
    assert_int_equal(level10, 9);
    assert_int_equal(crs_epsg(layer_crs(l)), 4326);
    layer_destroy(l);
}

/* python3: [f['properties']['name'] for f in json.load(open('stations.geojson'))['features']] */
static void test_real_beijing_stations_utf8(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_shared("data/real/beijing-bupt-osm-2025/derived/stations.geojson");
    tu_require_shared(path);
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, path, NULL, &l));
    assert_int_equal(layer_count(l), 2);
    assert_string_equal(str_at(l, 0, "name"), "校医院（北京邮电大学社区卫生服务中心）");
    assert_string_equal(str_at(l, 1, "name"), "北京中仁中医医院");
    assert_string_equal(layer_geom_type(l), "Point");
    /* osm_id is an integer in every feature */
    int j = field(l, "osm_id");
    assert_int_equal(layer_field_at(l, (size_t)j)->type, LAYER_FIELD_INT);
    assert_int_equal(layer_value_at(l, 0, (size_t)j)->u.i, 344373140);
    layer_destroy(l);
}

/* The input ledger: "geometry": null and a missing "geometry" are NULL geometries, an empty MultiPolygon and
 * an empty Point are empty ones; each is a skipped record with its properties (pop 100 for the null one). */
static void test_ledger(void **state)
{
    emscov_ctx *ctx = *state;
    const char *text =
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"a\",\"pop\":10},"
        "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[1,1],[0,0]]]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"b\",\"pop\":100},\"geometry\":null},\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"c\",\"pop\":30},"
        "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"d\",\"pop\":40}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"name\":\"e\",\"pop\":50},"
        "\"geometry\":{\"type\":\"Point\",\"coordinates\":[]}}\n"
        "]}";
    layer *l = read_text(ctx, "ledger.geojson", text, NULL);
    assert_int_equal(layer_source_records(l), 5);
    assert_int_equal(layer_count(l), 1);
    assert_int_equal(layer_skipped_count(l), 4);
    const layer_skip_reason why[] = {LAYER_SKIP_NULL_GEOMETRY, LAYER_SKIP_EMPTY_GEOMETRY, LAYER_SKIP_NULL_GEOMETRY,
                                     LAYER_SKIP_EMPTY_GEOMETRY};
    const char *names[] = {"b", "c", "d", "e"};
    const int64_t pops[] = {100, 30, 40, 50};
    int jn = field(l, "name"), jp = field(l, "pop");
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(layer_skipped_record(l, k), (int64_t)k + 2);
        assert_int_equal(layer_skipped_reason(l, k), why[k]);
        assert_string_equal(layer_skipped_values(l, k)[jn].u.s, names[k]);
        assert_int_equal(layer_skipped_values(l, k)[jp].u.i, pops[k]);
    }
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_EMPTY), 4);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    /* name IN (a, b, e): c and d are left out; b and e stay skipped */
    assert_ok(ctx, layer_filter(ctx, l, "name in (a, b, e)", NULL));
    assert_int_equal(layer_count(l), 1);
    assert_int_equal(layer_skipped_count(l), 2);
    assert_int_equal(layer_skipped_record(l, 0), 2);
    assert_int_equal(layer_skipped_record(l, 1), 5);
    assert_int_equal(layer_filtered_count(l), 2);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    layer_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_nulls),
        cmocka_unit_test(test_ledger),
        cmocka_unit_test(test_single_feature_and_crs),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_real_monaco_subdistricts),
        cmocka_unit_test(test_real_beijing_stations_utf8),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
