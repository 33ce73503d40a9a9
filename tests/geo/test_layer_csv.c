/* tests/geo/test_layer_csv.c: the CSV point reader: RFC 4180 quoting (doubled quotes, embedded delimiters
 * and line breaks), BOM and CRLF, delimiter detection, GBK via --encoding, coordinate column detection and
 * --x-field/--y-field, the CRS rules (--srs, .prj beside, lon/lat assumed WGS 84), column type inference,
 * every failure message with its file line number, and the real Monaco buildings.csv checked against
 * python3's csv module. */
#include "test_util.h"

#include "geo/filter.h"
#include "geo/layer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static ems_status read_csv(emscov_ctx *ctx, const char *name, const char *text, const layer_read_opts *opts,
                           layer **l)
{
    const char *path = tu_tmp(name);
    tu_write_file(path, text, strlen(text));
    *l = NULL;
    return layer_read(ctx, path, opts, l);
}

static layer *read_ok(emscov_ctx *ctx, const char *name, const char *text, const layer_read_opts *opts)
{
    layer *l = NULL;
    assert_ok(ctx, read_csv(ctx, name, text, opts, &l));
    assert_non_null(l);
    return l;
}

static size_t field(const layer *l, const char *name)
{
    int j = layer_field_index(l, name);
    if (j < 0) fail_msg("no field %s", name);
    return (size_t)j;
}

static void point_xy(emscov_ctx *ctx, const layer *l, size_t i, double *x, double *y)
{
    assert_int_equal(GEOSGeomTypeId_r(emscov_geos(ctx), layer_geom(l, i)), GEOS_POINT);
    GEOSGeomGetX_r(emscov_geos(ctx), layer_geom(l, i), x);
    GEOSGeomGetY_r(emscov_geos(ctx), layer_geom(l, i), y);
}

static void test_quotes_bom_crlf_types(void **state)
{
    emscov_ctx *ctx = *state;
    const char *text = "\xEF\xBB\xBF"
                       "name,lon,lat,pop,score,code\r\n"
                       "\"Station \"\"A\"\", east\",116.4,39.9,100,1.5,0101\r\n"
                       "\"multi\r\nline\",116.5, 40.0 ,,2,0102\r\n"
                       "\r\n"
                       "plain,116.6,40.1,-300,3e0,x\r\n";
    layer *l = read_ok(ctx, "basic.csv", text, NULL);
    assert_string_equal(layer_format(l), "CSV");
    assert_int_equal(layer_count(l), 3);
    assert_int_equal(layer_source_records(l), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(layer_record(l, i), (int64_t)i + 1); /* data rows; the blank line is not one */
    const char *names[] = {"name", "lon", "lat", "pop", "score", "code"};
    const layer_field_type types[] = {LAYER_FIELD_STRING, LAYER_FIELD_DOUBLE, LAYER_FIELD_DOUBLE,
                                      LAYER_FIELD_INT,    LAYER_FIELD_DOUBLE, LAYER_FIELD_STRING};
    assert_int_equal(layer_field_count(l), 6);
    for (size_t j = 0; j < 6; j++) {
        assert_string_equal(layer_field_at(l, j)->name, names[j]);
        assert_int_equal(layer_field_at(l, j)->type, types[j]);
    }
    assert_string_equal(layer_value_at(l, 0, 0)->u.s, "Station \"A\", east");
    assert_string_equal(layer_value_at(l, 1, 0)->u.s, "multi\r\nline");
    assert_int_equal(layer_value_at(l, 0, 3)->u.i, 100);
    assert_true(layer_value_at(l, 1, 3)->is_null);
    assert_int_equal(layer_value_at(l, 2, 3)->u.i, -300);
    assert_close(layer_value_at(l, 2, 4)->u.d, 3.0, 0);
    assert_string_equal(layer_value_at(l, 0, 5)->u.s, "0101"); /* leading zero: a code, kept as text */
    double x, y;
    point_xy(ctx, l, 1, &x, &y);
    assert_close(x, 116.5, 0);
    assert_close(y, 40.0, 0);
    assert_int_equal(crs_epsg(layer_crs(l)), 4326);
    assert_string_equal(layer_crs_source(l), "CSV lon/lat columns (assumed WGS 84)");
    assert_string_equal(layer_encoding(l), "UTF-8");
    assert_string_equal(layer_geom_type(l), "Point");
    layer_destroy(l);
}

static void test_delimiters_and_detection(void **state)
{
    emscov_ctx *ctx = *state;
    /* semicolons, x/y names, --srs */
    layer_read_opts o = {.srs = "EPSG:4548"};
    layer *l = read_ok(ctx, "semi.csv", "id;X;Y;note\n1;448688.86;4418598.00;\"a;b\"\n", &o);
    assert_int_equal(layer_field_count(l), 4);
    assert_string_equal(layer_value_at(l, 0, 3)->u.s, "a;b");
    assert_int_equal(crs_epsg(layer_crs(l)), 4548);
    assert_string_equal(layer_crs_source(l), "--srs");
    double x, y;
    point_xy(ctx, l, 0, &x, &y);
    assert_close(x, 448688.86, 0);
    assert_close(y, 4418598.0, 0);
    layer_destroy(l);
    /* tabs and Chinese column names */
    l = read_ok(ctx, "tab.csv", "名称\t经度\t纬度\n北京站\t116.427\t39.903\n", NULL);
    point_xy(ctx, l, 0, &x, &y);
    assert_close(x, 116.427, 0);
    assert_close(y, 39.903, 0);
    assert_string_equal(layer_value_at(l, 0, field(l, "名称"))->u.s, "北京站");
    assert_int_equal(crs_epsg(layer_crs(l)), 4326);
    layer_destroy(l);
    /* Longitude/Latitude in any case; lng */
    l = read_ok(ctx, "case.csv", "LATITUDE,Lng\n39.9,116.4\n", NULL);
    point_xy(ctx, l, 0, &x, &y);
    assert_close(x, 116.4, 0);
    assert_close(y, 39.9, 0);
    layer_destroy(l);
    /* a .prj beside the file names the CRS of easting/northing columns */
    const char *prj = tu_tmp("gk.prj");
    tu_write_file(prj, tu_gk117_wkt, strlen(tu_gk117_wkt));
    l = read_ok(ctx, "gk.csv", "Easting,Northing\n448688.86,4418598.00\n", NULL);
    assert_int_equal(crs_epsg(layer_crs(l)), 4548);
    assert_string_equal(layer_crs_source(l), ".prj");
    layer_destroy(l);
    /* lon/lat columns beside a projected .prj of the same stem (a shapefile's): the .prj is not the CSV's */
    l = read_ok(ctx, "gk.csv", "lon,lat\n116.4,39.9\n", NULL);
    assert_int_equal(crs_epsg(layer_crs(l)), 4326);
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_WARNING), 1);
    assert_non_null(strstr(layer_note_at(l, 0)->text, ".prj ignored"));
    layer_destroy(l);
    /* --x-field / --y-field by name (case-insensitive fallback) */
    layer_read_opts f = {.x_field = "E", .y_field = "n", .srs = "EPSG:32650"};
    l = read_ok(ctx, "xy.csv", "e,N,lon\n448709.38,4416830.56,7\n", &f);
    point_xy(ctx, l, 0, &x, &y);
    assert_close(x, 448709.38, 0);
    assert_close(y, 4416830.56, 0);
    layer_destroy(l);
}

static void test_gbk(void **state)
{
    emscov_ctx *ctx = *state;
    /* "名称" = C3FB B3C6, "北京" = B1B1 BEA9 in GBK (python3: '北京'.encode('gbk').hex()) */
    const char *gbk = "\xc3\xfb\xb3\xc6,lon,lat\n\xb1\xb1\xbe\xa9,116.4,39.9\n";
    layer_read_opts o = {.encoding = "GBK"};
    layer *l = read_ok(ctx, "gbk.csv", gbk, &o);
    assert_string_equal(layer_field_at(l, 0)->name, "名称");
    assert_string_equal(layer_value_at(l, 0, 0)->u.s, "北京");
    assert_string_equal(layer_encoding(l), "GBK");
    assert_string_equal(layer_encoding_source(l), "--encoding");
    layer_destroy(l);
    /* without --encoding: the header is not UTF-8 */
    assert_status_msg(ctx, read_csv(ctx, "gbk.csv", gbk, NULL, &l), EMS_EINPUT,
                      "gbk.csv: line 1: header: not valid UTF-8; if the file is a Chinese Excel export, pass "
                      "--encoding GBK");
    assert_null(l);
    assert_status_msg(ctx, read_csv(ctx, "gbk2.csv", "name,lon,lat\n\xb1\xb1\xbe\xa9,116.4,39.9\n", NULL, &l),
                      EMS_EINPUT, "gbk2.csv: line 2: column name: not valid UTF-8");
    /* bytes that are not GBK either */
    assert_status_msg(ctx, read_csv(ctx, "bad.csv", "name,lon,lat\nok,1,2\n\xff\xff,116.4,39.9\n", &o, &l),
                      EMS_EINPUT, "bad.csv: line 3: column name: not valid GBK");
}

static void test_errors(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = NULL;
    assert_status_msg(ctx, read_csv(ctx, "nocol.csv", "a,b\n1,2\n", NULL, &l), EMS_EINPUT,
                      "nocol.csv: no coordinate columns found (header: a, b)");
    assert_non_null(strstr(emscov_message(ctx), "--x-field"));
    assert_status_msg(ctx, read_csv(ctx, "nocrs.csv", "x,y\n1,2\n", NULL, &l), EMS_EINPUT,
                      "nocrs.csv: no CRS: columns x/y are not lon/lat");
    /* line numbers are file lines: the quoted field of row 1 spans lines 2-3, so row 2 is on line 4 */
    assert_status_msg(ctx, read_csv(ctx, "nan.csv", "name,lon,lat\n\"a\nb\",1,2\nc,3,abc\n", NULL, &l),
                      EMS_EINPUT, "nan.csv: line 4: field lat: not a number: \"abc\"");
    assert_status_msg(ctx, read_csv(ctx, "empty.csv", "lon,lat\n1,\n", NULL, &l), EMS_EINPUT,
                      "empty.csv: line 2: field lat: not a number: \"\"");
    assert_status_msg(ctx, read_csv(ctx, "inf.csv", "lon,lat\ninf,1\n", NULL, &l), EMS_EINPUT,
                      "line 2: field lon: not a number: \"inf\"");
    assert_status_msg(ctx, read_csv(ctx, "range.csv", "lon,lat\n1,2\n200,39\n", NULL, &l), EMS_EINPUT,
                      "range.csv: line 3: field lon: longitude 200 outside [-180, 180]");
    assert_status_msg(ctx, read_csv(ctx, "range2.csv", "lat,lon\n-91,1\n", NULL, &l), EMS_EINPUT,
                      "line 2: field lat: latitude -91 outside [-90, 90]");
    assert_status_msg(ctx, read_csv(ctx, "count.csv", "lon,lat,n\n1,2,3\n1,2\n", NULL, &l), EMS_EINPUT,
                      "count.csv: line 3: 2 fields, but the header has 3");
    assert_status_msg(ctx, read_csv(ctx, "open.csv", "lon,lat\n\"1,2\n", NULL, &l), EMS_EINPUT,
                      "open.csv: line 2: column 1: quoted field never closed");
    assert_status_msg(ctx, read_csv(ctx, "after.csv", "lon,lat\n\"1\"x,2\n", NULL, &l), EMS_EINPUT,
                      "after.csv: line 2: column 1: unexpected 'x' (byte 0x78) after a closing quote");
    assert_status_msg(ctx, read_csv(ctx, "nothing.csv", "\r\n\n", NULL, &l), EMS_EINPUT,
                      "nothing.csv: empty file");
    const char nul[] = "lon,lat\n1\0,2\n";
    tu_write_file(tu_tmp("nul.csv"), nul, sizeof nul - 1);
    assert_status_msg(ctx, layer_read(ctx, tu_tmp("nul.csv"), NULL, &l), EMS_EINPUT,
                      "nul.csv: contains NUL bytes");
    layer_read_opts one = {.x_field = "lon"};
    assert_status_msg(ctx, read_csv(ctx, "one.csv", "lon,lat\n1,2\n", &one, &l), EMS_EINPUT,
                      "give both --x-field and --y-field");
    layer_read_opts missing = {.x_field = "lon", .y_field = "zz"};
    assert_status_msg(ctx, read_csv(ctx, "miss.csv", "lon,lat\n1,2\n", &missing, &l), EMS_EINPUT,
                      "miss.csv: no column \"zz\" (header: lon, lat)");
    layer_read_opts badsrs = {.srs = "EPSG:nonsense"};
    assert_status_msg(ctx, read_csv(ctx, "srs.csv", "lon,lat\n1,2\n", &badsrs, &l), EMS_EINPUT,
                      "cannot parse CRS \"EPSG:nonsense\"");
    assert_status_msg(ctx, layer_read(ctx, tu_tmp("absent.csv"), NULL, &l), EMS_EINPUT, "absent.csv");
    assert_null(l);
}

/* Independent check:
 *   python3 -c "import csv; r = list(csv.DictReader(open('buildings.csv', newline=''))); \
 *               print(len(r), sum(float(x['area_m2']) for x in r))"   -> 23327 2525263.0 (1 decimal each) */
static void test_real_monaco_buildings(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_shared("data/real/monaco-osm-2016/derived/buildings.csv");
    tu_require_shared(path);
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, path, NULL, &l));
    assert_int_equal(layer_count(l), 23327);
    assert_int_equal(layer_source_records(l), 23327);
    size_t j = field(l, "area_m2");
    assert_int_equal(layer_field_at(l, j)->type, LAYER_FIELD_DOUBLE);
    double sum = 0;
    for (size_t i = 0; i < layer_count(l); i++)
        sum += layer_value_number(l, i, j);
    assert_close(sum, 2525263.0, 0.01);
    assert_int_equal(layer_field_at(l, field(l, "osm_id"))->type, LAYER_FIELD_INT);
    assert_int_equal(layer_field_at(l, field(l, "osm_type"))->type, LAYER_FIELD_STRING);
    /* first data row: way,23715051,7.4255221,43.7306794,2127.7, */
    double x, y;
    point_xy(ctx, l, 0, &x, &y);
    assert_close(x, 7.4255221, 0);
    assert_close(y, 43.7306794, 0);
    assert_true(layer_value_at(l, 0, field(l, "levels"))->is_null);
    layer_destroy(l);
}

/* The input ledger: a row with both coordinate cells empty (or blank) has no geometry: a skipped record
 * (NULL geometry) with its cells; one empty cell stays an error (test_errors). */
static void test_ledger(void **state)
{
    emscov_ctx *ctx = *state;
    const char *text = "name,lon,lat,pop\n"
                       "a,116.4,39.9,10\n"
                       "b,,,100\n"
                       "c, ,\"\",30\n"
                       "d,116.5,40,40\n";
    layer *l = read_ok(ctx, "ledger.csv", text, NULL);
    assert_int_equal(layer_source_records(l), 4);
    assert_int_equal(layer_count(l), 2);
    assert_int_equal(layer_record(l, 1), 4);
    assert_int_equal(layer_field_at(l, field(l, "lon"))->type, LAYER_FIELD_DOUBLE); /* empty cells are null */
    assert_int_equal(layer_skipped_count(l), 2);
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(layer_skipped_record(l, k), (int64_t)k + 2);
        assert_int_equal(layer_skipped_reason(l, k), LAYER_SKIP_NULL_GEOMETRY);
        assert_true(layer_skipped_values(l, k)[field(l, "lon")].is_null);
    }
    assert_string_equal(layer_skipped_values(l, 0)[field(l, "name")].u.s, "b");
    assert_int_equal(layer_skipped_values(l, 0)[field(l, "pop")].u.i, 100);
    assert_int_equal(layer_skipped_values(l, 1)[field(l, "pop")].u.i, 30);
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_EMPTY), 2);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    /* pop >= 100: both points and row c are left out, row b stays skipped */
    assert_ok(ctx, layer_filter(ctx, l, "pop >= 100", NULL));
    assert_int_equal(layer_count(l), 0);
    assert_int_equal(layer_skipped_count(l), 1);
    assert_int_equal(layer_skipped_record(l, 0), 2);
    assert_int_equal(layer_filtered_count(l), 3);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    layer_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quotes_bom_crlf_types),
        cmocka_unit_test(test_delimiters_and_detection),
        cmocka_unit_test(test_gbk),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_ledger),
        cmocka_unit_test(test_real_monaco_buildings),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
