/* tests/geo/test_filter.c: attribute filters: hand-worked cases on a small layer (every operator, text vs
 * number comparison, nulls, quoting, dates and logicals), skipped records filtered like features (the ledger
 * invariant), syntax and field errors leaving the layer unchanged, and the Monaco selections our scenario
 * uses counted independently by GDAL (ogrinfo -where). */
#include "test_util.h"

#include "geo/filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* name (text), kind (text), pop (int), area (double), level (text holding numbers); row 4 has nulls. */
static layer *small(emscov_ctx *ctx)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "small.geojson", "test", c, &l));
    crs_destroy(c);
    assert_ok(ctx, layer_add_field(ctx, l, "name", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "kind", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "pop", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "area", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "admin_level", LAYER_FIELD_STRING, 0, 0));
    const char *names[] = {"O'Brien", "海淀", "b", "c", NULL};
    const char *kinds[] = {"hospital", "fire_station", "police", "hospital", NULL};
    const int64_t pops[] = {100, 2500, 30, 7, 0};
    const double areas[] = {1.5, 20, 0.25, 3, 0};
    const char *levels[] = {"10", "8", "10", " 9 ", NULL};
    for (int i = 0; i < 5; i++) {
        layer_value v[5] = {{.is_null = !names[i], .u.s = names[i]},
                            {.is_null = !kinds[i], .u.s = kinds[i]},
                            {.is_null = i == 4, .u.i = pops[i]},
                            {.is_null = i == 4, .u.d = areas[i]},
                            {.is_null = !levels[i], .u.s = levels[i]}};
        char wkt[64];
        snprintf(wkt, sizeof wkt, "POINT(%d 0)", i);
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt), 10 + i, v));
    }
    return l;
}

/* The records (10 + row) kept by expr, as a string "10,12". */
static void expect(emscov_ctx *ctx, const char *expr, const char *want)
{
    layer *l = small(ctx);
    size_t kept = 99;
    assert_ok(ctx, layer_filter(ctx, l, expr, &kept));
    char got[64] = "";
    for (size_t i = 0; i < layer_count(l); i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "", (long long)layer_record(l, i));
    if (strcmp(got, want))
        fail_msg("filter \"%s\": kept %s, want %s", expr, got, want);
    assert_int_equal(kept, layer_count(l));
    layer_destroy(l);
}

static void test_operators(void **state)
{
    emscov_ctx *ctx = *state;
    expect(ctx, "kind = hospital", "10,13");
    expect(ctx, "kind = 'hospital'", "10,13");
    expect(ctx, "KIND IN (fire_station, 'hospital')", "10,11,13"); /* field names: case-insensitive */
    expect(ctx, "kind not in (hospital)", "11,12");                 /* null never matches (SQL) */
    expect(ctx, "kind != police", "10,11,13");
    expect(ctx, "kind <> police and pop >= 100", "10,11");
    expect(ctx, "pop > 30", "10,11");
    expect(ctx, "pop < 30", "13");
    expect(ctx, "pop <= 30", "12,13");
    expect(ctx, "area = 0.25", "12");
    expect(ctx, "admin_level = 10", "10,12");    /* text holding numbers compares as numbers */
    expect(ctx, "admin_level = '10'", "10,12");
    expect(ctx, "admin_level >= 9", "10,12,13"); /* " 9 " reads as 9; as text "10" < "9" */
    expect(ctx, "admin_level is null", "14");
    expect(ctx, "pop IS NOT NULL and name is not null", "10,11,12,13");
    expect(ctx, "name = 'O''Brien'", "10");
    expect(ctx, "name = 海淀", "11");
    expect(ctx, "\"name\" in ('b', 'c')", "12,13");
    expect(ctx, "name > b", "11,13"); /* byte-wise UTF-8: "c" and "海淀" sort after "b" */
    expect(ctx, "pop = 1e9", "");
}

static void bad(emscov_ctx *ctx, const char *expr, const char *msg)
{
    layer *l = small(ctx);
    assert_status_msg(ctx, layer_filter(ctx, l, expr, NULL), EMS_EINPUT, msg);
    assert_int_equal(layer_count(l), 5); /* unchanged */
    layer_destroy(l);
}

static void test_errors(void **state)
{
    emscov_ctx *ctx = *state;
    bad(ctx, "levels = 10",
        "small.geojson: filter \"levels = 10\": no field levels (the fields are: name, kind, pop, area, admin_level)");
    bad(ctx, "", "filter \"\": empty filter at offset 0");
    bad(ctx, "kind = hospital or kind = police",
        "filter \"kind = hospital or kind = police\": expected AND or the end (OR is not supported: use IN) at "
        "offset 16");
    bad(ctx, "kind in (a, b", "expected , or ) in the IN list at offset 13");
    bad(ctx, "kind in a", "expected ( after IN");
    bad(ctx, "kind hospital", "expected an operator");
    bad(ctx, "kind = 'hospital", "unterminated 'text'");
    bad(ctx, "kind ! hospital", "'!' must be followed by '='");
    bad(ctx, "kind = hospital and", "a condition must follow AND");
    bad(ctx, "kind is hospital", "expected NULL after IS");
    bad(ctx, "kind =", "expected a value");
}

/* ogrinfo's feature count for a -where condition, as an independent reader. */
static long ogr_count(const char *path, const char *where)
{
    char cmd[2048], *out = NULL;
    snprintf(cmd, sizeof cmd, "ogrinfo -ro -so -al -where \"%s\" '%s' 2>/dev/null | sed -n 's/^Feature Count: //p'",
             where, path);
    int rc = tu_run(cmd, &out);
    long n = rc == 0 && out && *out ? atol(out) : -1;
    free(out);
    return n;
}

static void test_monaco(void **state)
{
    emscov_ctx *ctx = *state;
    const char *subs = tu_shared("data/real/monaco-osm-2016/derived/subdistricts.geojson");
    tu_require_shared(subs);
    const char *stations = tu_shared("data/real/monaco-osm-2016/derived/stations.geojson");
    struct {
        const char *path, *ours, *ogr;
    } cases[] = {
        {subs, "admin_level = 10", "admin_level = '10'"},
        {subs, "admin_level = 8", "admin_level = '8'"},
        {stations, "kind in (fire_station, hospital, ambulance_station)",
         "kind IN ('fire_station', 'hospital', 'ambulance_station')"},
        {stations, "kind = police", "kind = 'police'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        layer *l = NULL;
        size_t kept = 0;
        assert_ok(ctx, layer_read(ctx, cases[k].path, NULL, &l));
        assert_ok(ctx, layer_filter(ctx, l, cases[k].ours, &kept));
        long want = ogr_count(cases[k].path, cases[k].ogr);
        print_message("%s: %s -> %zu (ogrinfo %ld)\n", strrchr(cases[k].path, '/') + 1, cases[k].ours, kept, want);
        assert_true(want > 0);
        assert_int_equal(kept, (size_t)want);
        layer_destroy(l);
    }
}

/* Dates and logicals: as numbers (yyyymmdd, 1/0) against a number, as their formatted text otherwise. */
static void test_dates_and_logicals(void **state)
{
    emscov_ctx *ctx = *state;
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    const char *exprs[] = {"day = '2024-02-29'", "day >= 20240101", "day < '2000-01-01'", "ok = true", "ok = 1",
                           "ok != false"};
    const char *want[] = {"1", "1", "2", "1", "1", "1"};
    for (size_t k = 0; k < sizeof exprs / sizeof *exprs; k++) {
        layer *l = NULL;
        assert_ok(ctx, layer_create(ctx, "d.csv", "test", c, &l));
        assert_ok(ctx, layer_add_field(ctx, l, "day", LAYER_FIELD_DATE, 0, 0));
        assert_ok(ctx, layer_add_field(ctx, l, "ok", LAYER_FIELD_LOGICAL, 0, 0));
        layer_value v1[2] = {{.u.date = 20240229}, {.u.b = true}}, v2[2] = {{.u.date = 19991231}, {.u.b = false}};
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(0 0)"), 1, v1));
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT(1 0)"), 2, v2));
        assert_ok(ctx, layer_filter(ctx, l, exprs[k], NULL));
        char got[16] = "";
        for (size_t i = 0; i < layer_count(l); i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "",
                     (long long)layer_record(l, i));
        if (strcmp(got, want[k]))
            fail_msg("filter \"%s\": kept %s, want %s", exprs[k], got, want[k]);
        layer_destroy(l);
    }
    crs_destroy(c);
}

/* Skipped records (no usable geometry) are filtered too: one that matches stays skipped, one that does not
 * is counted as filtered, like a feature; the ledger invariant holds before and after. */
static void test_skipped_records(void **state)
{
    emscov_ctx *ctx = *state;
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "stations.geojson", "test", c, &l));
    crs_destroy(c);
    assert_ok(ctx, layer_add_field(ctx, l, "kind", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "pop", LAYER_FIELD_INT, 0, 0));
    const char *kinds[] = {"hospital", "police", "hospital", "police", NULL, "hospital"};
    const char *wkts[] = {"POINT(0 0)", "POINT(1 0)", NULL, "POINT EMPTY", NULL, "POINT EMPTY"};
    for (int i = 0; i < 6; i++) {
        layer_value v[2] = {{.is_null = !kinds[i], .u.s = kinds[i]}, {.u.i = 100 * (i + 1)}};
        assert_ok(ctx, layer_append_take(ctx, l, wkts[i] ? tu_wkt(ctx, wkts[i]) : NULL, i + 1, v));
    }
    layer_set_source_records(l, 6);
    assert_int_equal(layer_skipped_count(l), 4);
    /* a syntax error leaves skipped records alone too */
    assert_status_msg(ctx, layer_filter(ctx, l, "kind =", NULL), EMS_EINPUT, "expected a value");
    assert_int_equal(layer_skipped_count(l), 4);
    assert_int_equal(layer_filtered_count(l), 0);
    size_t kept = 0;
    assert_ok(ctx, layer_filter(ctx, l, "kind = hospital", &kept));
    assert_int_equal(kept, 1);
    assert_int_equal(layer_count(l), 1);
    assert_int_equal(layer_record(l, 0), 1);
    /* records 3 (NULL geometry) and 6 (empty) match: still skipped, with their values */
    assert_int_equal(layer_skipped_count(l), 2);
    assert_int_equal(layer_skipped_record(l, 0), 3);
    assert_int_equal(layer_skipped_reason(l, 0), LAYER_SKIP_NULL_GEOMETRY);
    assert_int_equal(layer_skipped_values(l, 0)[1].u.i, 300);
    assert_int_equal(layer_skipped_record(l, 1), 6);
    assert_int_equal(layer_skipped_reason(l, 1), LAYER_SKIP_EMPTY_GEOMETRY);
    /* left out: feature 2, skipped 4 (police) and 5 (kind null never matches) */
    assert_int_equal(layer_filtered_count(l), 3);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    /* a second filter adds to the count */
    assert_ok(ctx, layer_filter(ctx, l, "pop > 300", &kept));
    assert_int_equal(kept, 0);
    assert_int_equal(layer_skipped_count(l), 1);
    assert_int_equal(layer_skipped_record(l, 0), 6);
    assert_int_equal(layer_filtered_count(l), 5);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    layer_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_dates_and_logicals),
        cmocka_unit_test(test_skipped_records),
        cmocka_unit_test(test_monaco),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
