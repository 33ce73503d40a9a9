/* tests/src/test_result.c: the result model's verdicts (run_result_judge) and the input ledger's accounting, on
 * hand-made results whose verdicts are worked out by hand. */
#include "test_util.h"

#include "src/analysis/ledger.h"
#include "src/analysis/result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Three sub-districts of a standard: mean < 12 min, >= 1 station, 1 ambulance per 30,000, parks >= 90 %.
 * A: 30,000 people, mean 10 min, 1 station, 1 ambulance, park share 0.95 -> passes everything.
 * B: 60,000 people, mean 13 min, 0 stations, 1 ambulance, park share 0.50 -> fails mean, station, ambulances, parks.
 * C: nobody, no residential land: only the station test is judged (0 stations -> fail). */
static run_result *three(emscov_ctx *ctx)
{
    run_result *r = NULL;
    assert_int_equal(run_result_create(ctx, &r), EMS_OK);
    r->standards_name = "test-std";
    r->mean_below_s = 720;
    r->coverage_within_s = 720;
    r->min_stations = 1;
    r->residents_per_ambulance = 30000;
    r->satisfaction_min = 0.95;
    r->nthresholds = 1;
    r->thresholds_s[0] = 720;
    r->parks.present = r->parks.residential = true;
    r->parks.target_share = 0.9;
    r->parks.residential_m2 = 100;
    r->parks.covered_m2 = 60;
    r->nsubdistricts = 3;
    r->subdistricts = calloc(3, sizeof *r->subdistricts);
    r->ndistricts = 1;
    r->districts = calloc(1, sizeof *r->districts);
    result_subdistrict *s = r->subdistricts;
    s[0] = (result_subdistrict){.pop = 30000, .mean_s = 600, .stations = 1, .amb_per_n = 1, .park_share = 0.95};
    s[1] = (result_subdistrict){.pop = 60000, .mean_s = 780, .stations = 0, .amb_per_n = 0.5, .park_share = 0.5};
    s[2] = (result_subdistrict){.pop = 0, .mean_s = NAN, .stations = 0, .amb_per_n = NAN, .park_share = NAN};
    s[0].covered[0] = 30000;
    s[1].covered[0] = 15000;
    r->pop = 90000;
    r->covered[0] = 45000;
    r->mean_s = 720; /* exactly the target: "< 12 min" fails */
    r->amb_per_n = 2.0 / 3.0;
    r->districts[0] = (result_district){.pop = 90000, .amb_per_n = 2.0 / 3.0};
    return r;
}

static void test_verdicts(void **state)
{
    emscov_ctx *ctx = *state;
    run_result *r = three(ctx);
    const char *src[RESULT_NTARGETS] = {"doc A", "doc B", NULL, "doc P", NULL};
    assert_int_equal(run_result_judge(ctx, r, src), EMS_OK);
    const result_subdistrict *s = r->subdistricts;
    assert_int_equal(s[0].mean_verdict, RESULT_PASS);
    assert_int_equal(s[0].station_verdict, RESULT_PASS);
    assert_int_equal(s[0].amb_verdict, RESULT_PASS); /* 1 per 30,000 exactly meets ">= 1" */
    assert_int_equal(s[0].park_verdict, RESULT_PASS);
    assert_int_equal(s[0].fails, 0);
    assert_int_equal(s[1].mean_verdict, RESULT_FAIL);
    assert_int_equal(s[1].station_verdict, RESULT_FAIL);
    assert_true(s[1].gap);
    assert_int_equal(s[1].amb_verdict, RESULT_FAIL);
    assert_int_equal(s[1].park_verdict, RESULT_FAIL);
    assert_int_equal(s[1].fails, 4);
    assert_int_equal(s[2].mean_verdict, RESULT_NA);
    assert_int_equal(s[2].amb_verdict, RESULT_NA);
    assert_int_equal(s[2].park_verdict, RESULT_NA);
    assert_int_equal(s[2].station_verdict, RESULT_FAIL);
    assert_int_equal(s[2].fails, 1);
    assert_close(s[1].covered_share, 0.25, 1e-12);
    assert_true(isnan(s[2].covered_share));
    /* worst first: B (4 fails), C (1), A (0) */
    assert_int_equal(r->worst_first[0], 1);
    assert_int_equal(r->worst_first[1], 2);
    assert_int_equal(r->worst_first[2], 0);
    assert_int_equal(s[1].order, 0);
    /* city targets */
    assert_int_equal(r->gaps, 2);
    assert_int_equal(r->mean_failing, 1);
    assert_int_equal(r->amb_short, 1);
    const result_target *t = r->targets;
    assert_string_equal(t[RESULT_T_MEAN_RESPONSE].key, "mean_response_time");
    assert_int_equal(t[RESULT_T_MEAN_RESPONSE].verdict, RESULT_FAIL);
    assert_close(t[RESULT_T_MEAN_RESPONSE].value, 12, 1e-12);
    assert_string_equal(t[RESULT_T_MEAN_RESPONSE].target_text, "< 12 min");
    assert_int_equal(t[RESULT_T_MEAN_RESPONSE].units_failing, 1);
    assert_int_equal(t[RESULT_T_MEAN_RESPONSE].units_judged, 2);
    assert_int_equal(t[RESULT_T_STATIONS].verdict, RESULT_FAIL);
    assert_close(t[RESULT_T_STATIONS].value, 2, 0);
    assert_int_equal(t[RESULT_T_AMBULANCES].verdict, RESULT_FAIL);
    assert_string_equal(t[RESULT_T_AMBULANCES].unit, "ambulances per 30000 residents");
    assert_int_equal(t[RESULT_T_PARKS].verdict, RESULT_FAIL); /* 60 of 100 m2 */
    assert_close(t[RESULT_T_PARKS].value, 60, 1e-9);
    assert_int_equal(t[RESULT_T_CALL_SATISFACTION].verdict, RESULT_NA);
    assert_string_equal(t[RESULT_T_MEAN_RESPONSE].standard, "test-std: doc A");
    assert_string_equal(t[RESULT_T_AMBULANCES].standard, "test-std");
    /* the document alone, as the standards file quotes it (the report's "document and clause" column) */
    assert_string_equal(t[RESULT_T_MEAN_RESPONSE].source, "doc A");
    assert_null(t[RESULT_T_AMBULANCES].source);
    assert_string_equal(t[RESULT_T_PARKS].source, "doc P");
    assert_int_equal(r->districts[0].amb_verdict, RESULT_FAIL);
    /* with a park rule set, the park target's standard names it too; its source stays the document alone */
    r->parks.rule_standard = "GB/T 51346-2019 4.3.4";
    assert_int_equal(run_result_judge(ctx, r, src), EMS_OK);
    assert_string_equal(r->targets[RESULT_T_PARKS].standard,
                        "test-std: doc P; measured after the rule set GB/T 51346-2019 4.3.4");
    assert_string_equal(r->targets[RESULT_T_PARKS].source, "doc P");
    const char *no_park_source[RESULT_NTARGETS] = {"doc A", NULL, NULL, NULL, NULL};
    assert_int_equal(run_result_judge(ctx, r, no_park_source), EMS_OK);
    assert_string_equal(r->targets[RESULT_T_PARKS].standard, "test-std: GB/T 51346-2019 4.3.4");
    assert_null(r->targets[RESULT_T_PARKS].source);
    run_result_destroy(r);
}

/* Another standard: 1 per 25,000 and 2 stations per sub-district: the names of the figures follow it. */
static void test_other_standard(void **state)
{
    emscov_ctx *ctx = *state;
    run_result *r = three(ctx);
    r->residents_per_ambulance = 25000;
    r->min_stations = 2;
    r->mean_s = 600;
    r->parks.residential = false;
    assert_int_equal(run_result_judge(ctx, r, NULL), EMS_OK);
    assert_string_equal(r->targets[RESULT_T_AMBULANCES].indicator, "ambulances per 25000 residents (city)");
    assert_string_equal(r->targets[RESULT_T_STATIONS].target_text, ">= 2 stations in every sub-district");
    assert_int_equal(r->subdistricts[0].station_verdict, RESULT_FAIL); /* 1 station < 2 */
    assert_int_equal(r->gaps, 3);
    assert_int_equal(r->targets[RESULT_T_MEAN_RESPONSE].verdict, RESULT_PASS);
    assert_int_equal(r->targets[RESULT_T_PARKS].verdict, RESULT_NA); /* no residential land */
    assert_non_null(strstr(r->targets[RESULT_T_PARKS].note, "no [residential] layer"));
    assert_int_equal(r->subdistricts[0].park_verdict, RESULT_NA);
    run_result_destroy(r);
}

/* A park rule set picked by the scenario is applied as written: GB 55014-2021 2.1.3 asks for more than 80 %, so
 * exactly 80 % fails where ">= 80 %" would pass; the target names the rule set and clause, not the standards file. */
static void test_park_rule_as_written(void **state)
{
    emscov_ctx *ctx = *state;
    run_result *r = three(ctx);
    r->parks.covered_m2 = 80; /* city share 0.80 */
    r->subdistricts[0].park_share = 0.80;
    r->subdistricts[1].park_share = 0.81;
    r->parks.rule_name = "parks-gb55014";
    r->parks.rule_standard = "GB 55014-2021 2.1.3: > 80%";
    r->parks.rule_clause = "GB 55014-2021 2.1.3";
    r->parks.target_share = 0.80;
    r->parks.target_strict = true;
    r->parks.target_from_rule = true;
    const char *src[RESULT_NTARGETS] = {"doc A", "doc B", NULL, "plan: 90 %", NULL};
    assert_int_equal(run_result_judge(ctx, r, src), EMS_OK);
    const result_target *t = &r->targets[RESULT_T_PARKS];
    assert_string_equal(t->op, ">");
    assert_close(t->threshold, 80, 1e-12);
    assert_int_equal(t->verdict, RESULT_FAIL);
    assert_string_equal(t->target_text, "> 80 % (GB 55014-2021 2.1.3)");
    assert_string_equal(t->standard, "parks-gb55014: GB 55014-2021 2.1.3: > 80%");
    assert_string_equal(t->source, "GB 55014-2021 2.1.3: > 80%"); /* not the plan's 90 % */
    assert_int_equal(r->subdistricts[0].park_verdict, RESULT_FAIL);
    assert_int_equal(r->subdistricts[1].park_verdict, RESULT_PASS);
    /* the same share against the plan's own ">= 80 %" passes */
    r->parks.target_strict = r->parks.target_from_rule = false;
    assert_int_equal(run_result_judge(ctx, r, src), EMS_OK);
    assert_int_equal(r->targets[RESULT_T_PARKS].verdict, RESULT_PASS);
    assert_string_equal(r->targets[RESULT_T_PARKS].target_text, ">= 80 % (test-std)");
    assert_string_equal(r->targets[RESULT_T_PARKS].source, "plan: 90 %");
    run_result_destroy(r);
}

static void test_ledger_accounts(void **state)
{
    emscov_ctx *ctx = *state;
    ledger *l = NULL;
    assert_int_equal(ledger_create(ctx, &l), EMS_OK);
    size_t k;
    assert_int_equal(ledger_add_layer(ctx, l, "stations", "s.shp", NULL, &k), EMS_OK);
    ledger_layer *y = ledger_layer_at(l, k);
    y->read = 5;
    y->filtered = 1;
    y->used = 3;
    y->skipped = 1;
    assert_int_equal(ledger_add(ctx, l, "stations", 4, "9", "空站", LEDGER_NULL_GEOMETRY, NAN, 1, NAN, NAN, NULL), EMS_OK);
    assert_int_equal(ledger_add(ctx, l, "stations", 2, "2", "西站", LEDGER_OFF_NETWORK, NAN, 1, 1, 2, "%d m", 1600),
                     EMS_OK);
    assert_int_equal(ledger_check(ctx, l), EMS_OK);
    assert_int_equal(y->issues, 2);
    assert_string_equal(ledger_issue_at(l, 1)->detail, "1600 m");
    assert_string_equal(ledger_reason_key(LEDGER_NULL_GEOMETRY), "null_geometry");
    assert_true(ledger_reason_skips(LEDGER_NULL_GEOMETRY));
    assert_false(ledger_reason_skips(LEDGER_OFF_NETWORK));
    /* an issue of an unknown layer is an internal error */
    assert_int_equal(ledger_add(ctx, l, "parks", 1, NULL, NULL, LEDGER_REPAIRED, NAN, 1, NAN, NAN, NULL),
                     EMS_EINTERNAL);
    /* the layer does not add up: read 5 = 1 + 3 + 1, one more used breaks it */
    y->used = 4;
    assert_status_msg(ctx, ledger_check(ctx, l), EMS_EINTERNAL, "5 records read but 1 left out + 4 used + 1 skipped");
    y->used = 3;
    /* the population account: 350 in = 250 allocated + 100 dropped */
    ledger_population *p = ledger_population_get(l);
    p->input = 350;
    p->allocated = 250;
    p->dropped[LEDGER_NULL_GEOMETRY] = 100;
    p->dropped_total = 100;
    assert_int_equal(ledger_check(ctx, l), EMS_OK);
    p->dropped_total = 99;
    assert_status_msg(ctx, ledger_check(ctx, l), EMS_EINTERNAL, "population input 350");
    size_t rows = 0, recs = 0;
    double amount = 0;
    ledger_reason_totals(l, LEDGER_OFF_NETWORK, &rows, &recs, &amount);
    assert_int_equal(rows, 1);
    assert_int_equal(recs, 1);
    ledger_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_verdicts), cmocka_unit_test(test_other_standard),
                                       cmocka_unit_test(test_ledger_accounts),
                                       cmocka_unit_test(test_park_rule_as_written)};
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
