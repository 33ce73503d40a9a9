/* tests/src/test_i18n.c: src/output/i18n.h and the CSV style of src/output/csv.h: languages from options and
 * from the environment (LC_ALL > LC_MESSAGES > LANG), terminal widths of CJK text, the catalogue found or not
 * (no catalogue: Chinese falls back to English), the result model's texts in English equal to the model's own
 * (src/analysis/result.c: what report.json and the console said before) and in Chinese with the plans' terms
 * (../shared/TARGETS.md), every ledger reason's key parsed back and translated, and CSV files with a BOM and
 * Chinese headers. */
#include "test_util.h"

#include "src/analysis/result.h"
#include "src/output/csv.h"
#include "src/output/i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_lang_parse(void **state)
{
    (void)state;
    i18n_lang l = I18N_EN;
    const char *zh[] = {"zh", "zh_CN", "zh-CN", "zh_CN.UTF-8", "zh_TW.Big5", "zh.GBK"};
    for (size_t k = 0; k < sizeof zh / sizeof *zh; k++) {
        l = I18N_EN;
        assert_true(i18n_lang_parse(zh[k], &l));
        assert_int_equal(l, I18N_ZH);
    }
    const char *en[] = {"en", "en_US.UTF-8", "C", "C.UTF-8", "POSIX"};
    for (size_t k = 0; k < sizeof en / sizeof *en; k++) {
        l = I18N_ZH;
        assert_true(i18n_lang_parse(en[k], &l));
        assert_int_equal(l, I18N_EN);
    }
    const char *bad[] = {"", "fr", "zhx", "english", "z", NULL};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        assert_false(i18n_lang_parse(bad[k], &l));
    assert_string_equal(i18n_lang_code(I18N_ZH), "zh");
    assert_string_equal(i18n_lang_code(I18N_EN), "en");
}

/* POSIX's order for the message locale: LC_ALL, then LC_MESSAGES, then LANG; empty ones do not count. */
static void test_lang_from_env(void **state)
{
    (void)state;
    const struct {
        const char *all, *msg, *lang;
        i18n_lang want;
    } cases[] = {
        {NULL, NULL, NULL, I18N_EN},
        {NULL, NULL, "zh_CN.UTF-8", I18N_ZH},
        {NULL, "en_US.UTF-8", "zh_CN.UTF-8", I18N_EN},
        {NULL, "zh_CN.GB18030", "C", I18N_ZH},
        {"C.UTF-8", "zh_CN.UTF-8", "zh_CN.UTF-8", I18N_EN},
        {"zh_SG.UTF-8", NULL, "en_GB.UTF-8", I18N_ZH},
        {"", "", "zh_HK.UTF-8", I18N_ZH},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *vals[3] = {cases[k].all, cases[k].msg, cases[k].lang}, *names[3] = {"LC_ALL", "LC_MESSAGES", "LANG"};
        for (int v = 0; v < 3; v++) {
            if (vals[v])
                setenv(names[v], vals[v], 1);
            else
                unsetenv(names[v]);
        }
        assert_int_equal(i18n_lang_from_env(), cases[k].want);
    }
    setenv("LC_ALL", "C.UTF-8", 1);
}

static void test_width(void **state)
{
    (void)state;
    assert_int_equal(i18n_width(""), 0);
    assert_int_equal(i18n_width("abc"), 3);
    assert_int_equal(i18n_width("月坛街道"), 8);           /* CJK: two columns each */
    assert_int_equal(i18n_width("街道（乡镇）"), 12);      /* fullwidth parentheses too */
    assert_int_equal(i18n_width("4–8 min"), 7);          /* an en dash is one column */
    assert_int_equal(i18n_width("a月b"), 4);
    assert_int_equal(i18n_width("\xE6\x9C"), 1);          /* a cut character counts once, no read past */
    char buf[64] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    i18n_fpad(f, "月坛", 6);
    i18n_fpad(f, "ab", 3);
    i18n_fpad(f, "toolong", 2);
    fclose(f);
    assert_string_equal(buf, "月坛  ab toolong");
}

static void model(emscov_ctx *ctx, run_result **out, double per_n, double min_stations, bool residential)
{
    run_result *r = NULL;
    assert_int_equal(run_result_create(ctx, &r), EMS_OK);
    r->standards_name = "s";
    r->mean_below_s = 720;
    r->min_stations = min_stations;
    r->residents_per_ambulance = per_n;
    r->satisfaction_min = 0.95;
    r->parks.present = true;
    r->parks.residential = residential;
    r->parks.target_share = 0.9;
    r->parks.pop_total = 4, r->parks.pop_covered = 1;
    r->pop = 100;
    r->mean_s = 300;
    assert_int_equal(run_result_judge(ctx, r, NULL), EMS_OK);
    *out = r;
}

/* Without a catalogue everything is English, whatever language is asked for; then the catalogue of this build
 * is found among directories that do not have it. */
static void test_catalogue(void **state)
{
    (void)state;
    const char *none[] = {NULL, "", "/nonexistent"};
    assert_null(i18n_setup(none, 3));
    i18n_use(I18N_ZH);
    assert_int_equal(i18n_current(), I18N_ZH);
    assert_string_equal(_("PASS"), "PASS");
    assert_false(i18n_have_catalogue());
    const char *dir = getenv("EMSCOV_LOCALEDIR");
    if (!dir) {
        print_message("EMSCOV_LOCALEDIR not set (run through ctest): skipped\n");
        i18n_use(I18N_EN);
        skip();
    }
    const char *dirs[] = {"/nonexistent", dir};
    assert_string_equal(i18n_setup(dirs, 2), dir);
    assert_true(i18n_have_catalogue());
    assert_string_equal(_("PASS"), "达标");
    assert_string_equal(_("FAIL"), "未达标");
    assert_int_equal(i18n_use(I18N_EN), I18N_ZH);
    assert_string_equal(_("PASS"), "PASS");            /* back to English at once */
    assert_string_equal(i18n_pgettext("role", "streets"), "streets");
    i18n_use(I18N_ZH);
    assert_string_equal(i18n_pgettext("role", "streets"), "街道（乡镇）");
    assert_string_equal(i18n_pgettext("role", "no such role"), "no such role");
    i18n_use(I18N_EN);
}

/* English: the texts the model itself has (report.json, the console before translation). */
static void test_model_texts_en(void **state)
{
    emscov_ctx *ctx = *state;
    i18n_use(I18N_EN);
    const double per_n[] = {30000, 25000}, mins[] = {1, 2};
    for (int v = 0; v < 2; v++) {
        run_result *r = NULL;
        model(ctx, &r, per_n[v], mins[v], v == 0);
        i18n_target_ctx tc;
        tc = (i18n_target_ctx){.min_stations = r->min_stations, .residents_per_ambulance = r->residents_per_ambulance,
                               .parks_present = r->parks.present, .residential = r->parks.residential,
                               .park_pop_share = r->parks.pop_share, .coverage_min = r->coverage_within_s / 60};
        for (size_t k = 0; k < RESULT_NTARGETS; k++) {
            const result_target *t = &r->targets[k];
            char buf[512];
            i18n_target_indicator(buf, sizeof buf, t->key, &tc);
            assert_string_equal(buf, t->indicator);
            i18n_target_text(buf, sizeof buf, t->key, t->threshold, &tc);
            assert_string_equal(buf, t->target_text);
            i18n_target_note(buf, sizeof buf, t->key, t->note, &tc);
            assert_string_equal(buf, t->note);
            assert_string_equal(i18n_verdict(t->verdict), result_verdict_text(t->verdict));
        }
        run_result_destroy(r);
    }
    for (int k = 0; k < LEDGER_NREASONS; k++) {
        ledger_reason back = LEDGER_NREASONS;
        assert_true(i18n_reason_parse(ledger_reason_key((ledger_reason)k), &back));
        assert_int_equal(back, k);
        assert_string_equal(i18n_reason((ledger_reason)k), ledger_reason_text((ledger_reason)k));
    }
    ledger_reason r;
    assert_false(i18n_reason_parse("no_such_reason", &r));
    assert_int_equal(i18n_verdict_parse("pass"), RESULT_PASS);
    assert_int_equal(i18n_verdict_parse("fail"), RESULT_FAIL);
    assert_int_equal(i18n_verdict_parse("n/a"), RESULT_NA);
    assert_int_equal(i18n_verdict_parse("PASS"), RESULT_NA); /* keys, not texts */
}

/* Chinese: the plans' own terms (../shared/TARGETS.md), and every model text translated. */
static void test_model_texts_zh(void **state)
{
    emscov_ctx *ctx = *state;
    if (!getenv("EMSCOV_LOCALEDIR"))
        skip();
    const char *dirs[] = {getenv("EMSCOV_LOCALEDIR")};
    assert_non_null(i18n_setup(dirs, 1));
    i18n_use(I18N_ZH);
    run_result *r = NULL;
    model(ctx, &r, 30000, 1, true);
    i18n_target_ctx tc = {.min_stations = 1, .residents_per_ambulance = 30000, .parks_present = true,
                          .residential = true, .park_pop_share = NAN};
    char buf[512];
    const result_target *t = r->targets;
    i18n_target_indicator(buf, sizeof buf, "mean_response_time", &tc);
    assert_non_null(strstr(buf, "院前医疗急救服务平均反应时间"));
    i18n_target_text(buf, sizeof buf, "mean_response_time", 12, &tc);
    assert_string_equal(buf, "小于12分钟");
    i18n_target_text(buf, sizeof buf, "stations_per_subdistrict", 0, &tc);
    assert_non_null(strstr(buf, "标准化急救工作站"));
    assert_non_null(strstr(buf, "街道（乡镇）"));
    i18n_target_text(buf, sizeof buf, "ambulances_per_residents", 1, &tc);
    assert_string_equal(buf, "每3万人口配置1辆救护车");
    i18n_target_indicator(buf, sizeof buf, "call_satisfaction", &tc);
    assert_non_null(strstr(buf, "急救呼叫满足率"));
    i18n_target_indicator(buf, sizeof buf, "park_coverage", &tc);
    assert_non_null(strstr(buf, "公园绿地"));
    assert_non_null(strstr(buf, "服务半径覆盖率"));
    assert_non_null(strstr(buf, "居住用地"));
    i18n_residents(buf, sizeof buf, 25000);
    assert_string_equal(buf, "25000人口"); /* not a whole number of 万 */
    /* every text of the model translated: no Latin letter left but the units' and keys' */
    for (size_t k = 0; k < RESULT_NTARGETS; k++) {
        i18n_target_indicator(buf, sizeof buf, t[k].key, &tc);
        assert_string_not_equal(buf, t[k].indicator);
        i18n_target_text(buf, sizeof buf, t[k].key, t[k].threshold, &tc);
        assert_string_not_equal(buf, t[k].target_text);
    }
    i18n_target_note(buf, sizeof buf, "mean_response_time", t[RESULT_T_MEAN_RESPONSE].note, &tc);
    assert_string_not_equal(buf, t[RESULT_T_MEAN_RESPONSE].note);
    i18n_target_note(buf, sizeof buf, "call_satisfaction", t[RESULT_T_CALL_SATISFACTION].note, &tc);
    assert_string_not_equal(buf, t[RESULT_T_CALL_SATISFACTION].note);
    for (int k = 0; k < LEDGER_NREASONS; k++)
        assert_string_not_equal(i18n_reason((ledger_reason)k), ledger_reason_text((ledger_reason)k));
    assert_string_equal(i18n_verdict(RESULT_NA), "不适用");
    run_result_destroy(r);
    i18n_use(I18N_EN);
}

static void test_csv_style(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const keys[] = {"record", "name", "mean_min"};
    csv_headers h;
    assert_true(csv_headers_parse("keys", &h) && h == CSV_HEADERS_KEYS);
    assert_true(csv_headers_parse("zh", &h) && h == CSV_HEADERS_ZH);
    assert_false(csv_headers_parse("en", &h));
    assert_false(csv_headers_parse(NULL, &h));
    csv_buf b;
    char *text = NULL;
    csv_init(&b, ctx);
    csv_head(&b, NULL, keys, 3);
    csv_field(&b, "1");
    assert_int_equal(csv_take(&b, &text, NULL), EMS_OK);
    assert_string_equal(text, "record,name,mean_min\n1");
    free(text);
    csv_fini(&b);
    csv_style bom = {.bom = true};
    csv_init(&b, ctx);
    csv_head(&b, &bom, keys, 3);
    assert_int_equal(csv_take(&b, &text, NULL), EMS_OK);
    assert_memory_equal(text, "\xEF\xBB\xBFrecord,name,mean_min\n", 24);
    free(text);
    csv_fini(&b);
    if (!getenv("EMSCOV_LOCALEDIR"))
        skip();
    const char *dirs[] = {getenv("EMSCOV_LOCALEDIR")};
    assert_non_null(i18n_setup(dirs, 1));
    i18n_use(I18N_EN); /* the headers are Chinese whatever the language of the run */
    csv_style zh = {.bom = true, .headers = CSV_HEADERS_ZH};
    csv_init(&b, ctx);
    csv_head(&b, &zh, keys, 3);
    assert_int_equal(csv_take(&b, &text, NULL), EMS_OK);
    assert_string_equal(text, "\xEF\xBB\xBF记录号,名称,平均反应时间（分钟）\n");
    free(text);
    csv_fini(&b);
    assert_int_equal(i18n_current(), I18N_EN);
}

int main(void)
{
    setenv("LC_ALL", "C.UTF-8", 1);
    unsetenv("LANGUAGE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_parse),       cmocka_unit_test(test_lang_from_env),
        cmocka_unit_test(test_width),            cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_model_texts_en),   cmocka_unit_test(test_model_texts_zh),
        cmocka_unit_test(test_csv_style),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
