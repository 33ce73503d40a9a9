/* tests/src/test_compare.c: two hand-written report.json documents compared; every change worked by hand.
 *   A: mean 11.5 min (pass), gaps 3 (fail), covered 900 of 1000 within 12 min (0.9), 950 within 15 min;
 *      sub-districts X (1 station, share 1.0, mean 300 s), Y (0 stations, gap, 0.8, 700 s), Z (only in A).
 *   B: mean 12.5 min (fail), gaps 2, covered 960 within 12 min (0.96), no 15-min row; a target A lacks
 *      (call_satisfaction, n/a); X unchanged, Y 1 station (gap filled), 0.9, 640 s; W only in B.
 * Changes: mean +1.0 and pass -> fail; gaps -1 (verdict unchanged); covered +60, share +0.06; 15 min: B
 * missing -> change unknown; Y: share +0.1, mean -60 s, gap filled; 3 sub-districts changed (Y, Z, W). */
#include "test_util.h"

#include "src/output/compare.h"

#include "geo/crs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char report_a[] =
    "{\"schema\": \"emscov-report-2\", \"scenario\": \"before\","
    " \"targets\": [{\"key\": \"mean_response_time\", \"unit\": \"min\", \"value\": 11.5, \"verdict\": \"pass\"},"
    "  {\"key\": \"stations_per_subdistrict\", \"unit\": \"sub-districts\", \"value\": 3, \"verdict\": \"fail\"}],"
    " \"coverage\": {\"population\": 1000, \"covered\": [{\"within_s\": 720, \"population\": 900, \"share\": 0.9},"
    "  {\"within_s\": 900, \"population\": 950, \"share\": 0.95}], \"mean_s\": 690},"
    " \"gaps\": {\"stations\": 4, \"subdistricts_without_station\": 3},"
    " \"subdistricts\": ["
    "  {\"id\": \"X\", \"label\": \"X 街道\", \"stations\": 1, \"gap\": false, \"coverage\": {\"covered\": [{\"share\": 1.0}], \"mean_s\": 300}},"
    "  {\"id\": \"Y\", \"label\": \"Y 街道\", \"stations\": 0, \"gap\": true, \"coverage\": {\"covered\": [{\"share\": 0.8}], \"mean_s\": 700}},"
    "  {\"id\": \"Z\", \"label\": \"Z\", \"stations\": 2, \"gap\": false, \"coverage\": {\"covered\": [{\"share\": 1}], \"mean_s\": 200}}]}";

static const char report_b[] =
    "{\"schema\": \"emscov-report-2\", \"scenario\": \"after\","
    " \"targets\": [{\"key\": \"stations_per_subdistrict\", \"unit\": \"sub-districts\", \"value\": 2, \"verdict\": \"fail\"},"
    "  {\"key\": \"mean_response_time\", \"unit\": \"min\", \"value\": 12.5, \"verdict\": \"fail\"},"
    "  {\"key\": \"call_satisfaction\", \"unit\": \"%\", \"value\": null, \"verdict\": \"n/a\"}],"
    " \"coverage\": {\"population\": 1000, \"covered\": [{\"within_s\": 720, \"population\": 960, \"share\": 0.96}], \"mean_s\": 750},"
    " \"gaps\": {\"stations\": 5, \"subdistricts_without_station\": 2},"
    " \"subdistricts\": ["
    "  {\"id\": \"Y\", \"label\": \"Y 街道\", \"stations\": 1, \"gap\": false, \"coverage\": {\"covered\": [{\"share\": 0.9}], \"mean_s\": 640}},"
    "  {\"id\": \"X\", \"label\": \"X 街道\", \"stations\": 1, \"gap\": false, \"coverage\": {\"covered\": [{\"share\": 1.0}], \"mean_s\": 300}},"
    "  {\"id\": \"W\", \"label\": \"W\", \"stations\": 1, \"gap\": false, \"coverage\": {\"covered\": [{\"share\": 1}], \"mean_s\": 100}}]}";

static const compare_figure *fig(const compare_result *r, const char *name)
{
    for (size_t k = 0; k < r->nfig; k++)
        if (!strcmp(r->fig[k].name, name))
            return &r->fig[k];
    fail_msg("no figure %s", name);
    return NULL;
}

static const compare_unit *unit(const compare_result *r, const char *id)
{
    for (size_t k = 0; k < r->nunits; k++)
        if (!strcmp(r->units[k].id, id))
            return &r->units[k];
    fail_msg("no sub-district %s", id);
    return NULL;
}

static void test_hand_worked(void **state)
{
    emscov_ctx *ctx = *state;
    compare_result *r = NULL;
    assert_ok(ctx, compare_build(ctx, report_a, "A", report_b, "B", &r));
    assert_string_equal(r->scenario_a, "before");
    assert_string_equal(r->scenario_b, "after");
    assert_close(r->within_s, 720, 0);
    const compare_figure *m = fig(r, "mean_response_time");
    assert_close(m->a, 11.5, 0);
    assert_close(m->b, 12.5, 0);
    assert_close(m->change, 1.0, 1e-12);
    assert_string_equal(m->verdict_a, "pass");
    assert_string_equal(m->verdict_b, "fail");
    assert_true(m->verdict_changed);
    const compare_figure *g = fig(r, "stations_per_subdistrict");
    assert_close(g->change, -1, 0);
    assert_false(g->verdict_changed);
    const compare_figure *cs = fig(r, "call_satisfaction"); /* only in B */
    assert_true(isnan(cs->a) && isnan(cs->b) && isnan(cs->change));
    assert_string_equal(cs->verdict_a, "absent");
    assert_true(cs->verdict_changed);
    assert_close(fig(r, "covered within 12 min")->change, 60, 0);
    assert_close(fig(r, "covered share within 12 min")->change, 0.06, 1e-12);
    assert_true(isnan(fig(r, "covered within 15 min")->change));
    assert_close(fig(r, "coverage.mean_s")->change, 60, 0);
    assert_close(fig(r, "gaps.stations")->change, 1, 0);
    assert_true(isnan(fig(r, "ambulances.ambulances")->a)); /* neither report has it */
    assert_int_equal(r->nunits, 4);
    assert_int_equal(r->changed_units, 3);
    const compare_unit *y = unit(r, "Y");
    assert_true(y->gap_a && !y->gap_b);
    assert_close(y->stations_b - y->stations_a, 1, 0);
    assert_close(y->share_change, 0.1, 1e-12);
    assert_close(y->mean_s_change, -60, 0);
    assert_true(unit(r, "Z")->in_a && !unit(r, "Z")->in_b);
    assert_true(!unit(r, "W")->in_a && unit(r, "W")->in_b);
    assert_close(unit(r, "X")->mean_s_change, 0, 0);
    char *json = NULL;
    assert_ok(ctx, compare_json(ctx, r, &json));
    assert_non_null(strstr(json, "\"schema\": \"emscov-compare/1\""));
    assert_non_null(strstr(json, "\"subdistricts_changed\": 3"));
    free(json);
    compare_destroy(r);
}

static void test_bad_input(void **state)
{
    emscov_ctx *ctx = *state;
    compare_result *r = NULL;
    assert_status_msg(ctx, compare_build(ctx, "{\"schema\": \"emscov-sites/2\"}", "out-a", report_b, "B", &r),
                      EMS_EINPUT, "out-a: schema \"emscov-sites/2\", not emscov-report-2");
    assert_null(r);
    assert_status_msg(ctx, compare_build(ctx, report_a, "A", "{not json", "out-b", &r), EMS_EINPUT, "out-b: report.json is");
    assert_status_msg(ctx, compare_build(ctx, report_a, "A", NULL, "out-c", &r), EMS_EINPUT, "out-c: report.json is missing");
    assert_null(r);
    compare_destroy(NULL);
}

/* A street_summary stand-in: squares with subdistrict_id, name, covered_share, mean_s (NaN: NULL). */
static layer *summary(emscov_ctx *ctx, const char *const *ids, const double *share, const double *mean, size_t n,
                      bool with_mean)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "street_summary", "test", c, &l));
    crs_destroy(c);
    const char *names[] = {"subdistrict_id", "name", "covered_share", "mean_s"};
    layer_field_type types[] = {LAYER_FIELD_STRING, LAYER_FIELD_STRING, LAYER_FIELD_DOUBLE, LAYER_FIELD_DOUBLE};
    for (int k = 0; k < (with_mean ? 4 : 3); k++)
        assert_ok(ctx, layer_add_field(ctx, l, names[k], types[k], 0, 0));
    for (size_t i = 0; i < n; i++) {
        char wkt[128];
        snprintf(wkt, sizeof wkt, "POLYGON((%zu 0,%zu 0,%zu 1000,%zu 1000,%zu 0))", i * 1000, i * 1000 + 1000,
                 i * 1000 + 1000, i * 1000, i * 1000);
        layer_value v[4] = {{.u.s = ids[i]}, {.u.s = ids[i]}, {.u.d = share[i]}, {.u.d = mean[i]}};
        v[2].is_null = isnan(share[i]);
        v[3].is_null = isnan(mean[i]);
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt), (int64_t)i + 1, v));
    }
    return l;
}

/* The before/after map's values, by hand: A has X (0.9, 300 s), Y (1.0, 400 s), Z; B has Y (0.75, 460 s),
 * X (0.9, NULL), W (only in B). Per B feature: Y −0.25 and +60 s; X 0 and NULL (B's mean NULL); W NULL, NULL. */
static void test_change_layer(void **state)
{
    emscov_ctx *ctx = *state;
    const char *ida[] = {"X", "Y", "Z"}, *idb[] = {"Y", "X", "W"};
    double sa[] = {0.9, 1.0, 1.0}, ma[] = {300, 400, 200}, sb[] = {0.75, 0.9, 1.0}, mb[] = {460, NAN, 100};
    layer *a = summary(ctx, ida, sa, ma, 3, true), *b = summary(ctx, idb, sb, mb, 3, true), *ch = NULL;
    assert_ok(ctx, compare_change_layer(ctx, a, b, &ch));
    assert_int_equal(layer_count(ch), 3);
    int js = layer_field_index(ch, "covered_share_change"), jm = layer_field_index(ch, "mean_s_change");
    assert_true(js >= 0 && jm >= 0);
    assert_float_equal(layer_value_number(ch, 0, (size_t)js), -0.25, 1e-12);
    assert_float_equal(layer_value_number(ch, 0, (size_t)jm), 60, 1e-12);
    assert_float_equal(layer_value_number(ch, 1, (size_t)js), 0, 1e-12);
    assert_true(layer_value_at(ch, 1, (size_t)jm)->is_null);
    assert_true(layer_value_at(ch, 2, (size_t)js)->is_null);
    assert_true(layer_value_at(ch, 2, (size_t)jm)->is_null);
    assert_string_equal(layer_value_at(ch, 2, (size_t)layer_field_index(ch, "subdistrict_id"))->u.s, "W");
    layer_destroy(ch);
    /* a table without mean_s is refused, naming the field */
    layer *bad = summary(ctx, idb, sb, mb, 3, false);
    ch = NULL;
    assert_status_msg(ctx, compare_change_layer(ctx, a, bad, &ch), EMS_EINPUT, "mean_s");
    assert_null(ch);
    layer_destroy(bad);
    layer_destroy(a);
    layer_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_change_layer),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
