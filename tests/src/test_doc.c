/* tests/src/test_doc.c: src/output/doc.h on hand-written report.json / sites.json texts and a hand-made
 * sub-district layer: every figure as the text gives it (formatted: 1,234,567 and 4.64), sub-districts worst
 * first, failing values marked, a self-contained HTML (no script, no link, no fetched URL; the SVG ids of
 * each map prefixed, none left twice), a PDF whose text pdftotext (poppler, independent of Cairo) reads back
 * in Chinese with the plans' terms, a table over several pages with its header row on each page, the best
 * candidate site of each gap sub-district from the sites run, the unknown-glyph count that must be 0 for
 * Chinese and is not for a character no font has, and the failure paths (not JSON, another schema). */
#include "test_util.h"

#include "src/output/doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = 2 * (t->len + (size_t)n + 1);
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* A report.json of n sub-districts: "东华门街道" (rank 2, passes but parks) and "月坛街道" (rank 1, a gap), then
 * "街道NNN" for the others; the city's figures are set apart so each can be found in the document. */
static char *report(size_t n, const char *scenario)
{
    text t = {0};
    add(&t, "{\"schema\": \"emscov-report-2\", \"scenario\": \"%s\", \"emscov_version\": \"9.9.9\",\n", scenario);
    add(&t, "\"standards\": {\"name\": \"beijing-2022\", \"title\": \"Beijing plan\", \"mean_below_s\": 720, "
            "\"coverage_within_s\": 720, \"min_stations_per_subdistrict\": 1, \"residents_per_ambulance\": 30000, "
            "\"satisfaction_min\": 0.95, \"park_target_share\": 0.9},\n");
    add(&t, "\"targets\": ["
            "{\"key\": \"mean_response_time\", \"value\": 4.639946989, \"threshold\": 12, \"verdict\": \"pass\", "
            "\"standard\": \"beijing-2022: DOC-A\", \"source\": \"京政发〔2021〕38号 clause A\", \"note\": \"\", "
            "\"subdistricts_failing\": 0, \"subdistricts_judged\": %zu},\n"
            "{\"key\": \"stations_per_subdistrict\", \"value\": 1, \"threshold\": 0, \"verdict\": \"fail\", "
            "\"standard\": \"beijing-2022: DOC-B\", \"source\": \"DOC-B\", \"note\": \"\", \"subdistricts_failing\": 1, "
            "\"subdistricts_judged\": %zu},\n"
            "{\"key\": \"ambulances_per_residents\", \"value\": 0.5499893058, \"threshold\": 1, \"verdict\": \"fail\", "
            "\"standard\": \"beijing-2022: DOC-C\", \"source\": null, \"note\": \"\", \"subdistricts_failing\": 17, "
            "\"subdistricts_judged\": 20},\n"
            "{\"key\": \"park_coverage\", \"value\": 10.30375026, \"threshold\": 90, \"verdict\": \"fail\", "
            "\"standard\": \"beijing-2022: DOC-P\", \"source\": \"DOC-P\", \"note\": \"GB/T 51346\", "
            "\"subdistricts_failing\": 2, \"subdistricts_judged\": 2},\n"
            "{\"key\": \"call_satisfaction\", \"value\": null, \"threshold\": 95, \"verdict\": \"n/a\", "
            "\"standard\": \"beijing-2022: DOC-S\", \"source\": \"DOC-S\", \"note\": \"needs call volumes and job times: "
            "emscov sites --calls-per-day N --job-min M (MEXCLP estimate)\", \"subdistricts_failing\": 0, "
            "\"subdistricts_judged\": 0}],\n",
        n, n);
    add(&t, "\"inputs\": {\"streets\": \"s.shp\"}, \"input_files\": [{\"role\": \"streets\", \"source\": \"s.shp\", "
            "\"path\": \"/data/city/s.shp\", \"bytes\": 1234, \"sha256\": \"%064d\"}, {\"role\": \"roads\", "
            "\"source\": \"r.osm.pbf\", \"path\": \"/data/city/r.osm.pbf\", \"bytes\": 98765432, \"sha256\": "
            "\"abcdef%058d\"}],\n", 0, 7);
    add(&t, "\"parameters\": {\"working_epsg\": 32650, \"working_crs\": \"WGS 84 / UTM zone 50N\", \"speed_profile\": "
            "\"/x/default.ini\", \"period\": \"offpeak\", \"activation_s\": 0, \"max_snap_m\": 1000, \"access_kmh\": 15},\n");
    add(&t, "\"population\": {\"input_total\": 1234567, \"allocated_total\": 1234567, \"dropped_total\": 0, "
            "\"dropped\": {}, \"outside_subdistricts\": 0, \"demand_points\": 4321, \"method\": \"points with counts\"},\n");
    add(&t, "\"coverage\": {\"population\": 1234567, \"covered\": [{\"within_s\": 720, \"population\": 1198765, "
            "\"share\": 0.9709905}], \"unreachable_population\": 1063, \"mean_s\": 278.3968193, \"median_s\": "
            "274.4539352, \"p90_s\": 376.7093803, \"max_s\": 574.9600255},\n");
    add(&t, "\"gaps\": {\"stations\": 15, \"stations_main_network\": 14, \"stations_small_component\": 0, "
            "\"stations_off_network\": 1, \"stations_outside\": 1, \"subdistricts_without_station\": 1},\n");
    add(&t, "\"ambulances\": {\"ambulances\": 33, \"required\": 61, \"shortfall\": 28, \"per_standard_residents\": "
            "0.5499893058, \"districts\": [{\"district\": \"东城区\", \"subdistricts\": %zu, \"gaps\": 1, \"population\": "
            "1234567, \"ambulances\": 33, \"required\": 61, \"per_standard_residents\": 0.55, \"verdict\": \"fail\"}]},\n",
        n);
    add(&t, "\"parks\": {\"rule_set\": \"parks-gbt51346\", \"standard\": \"GB/T 51346-2019 4.3.4\", \"residential_m2\": 100, "
            "\"population_share\": 0.1098684192},\n");
    add(&t, "\"subdistricts\": [");
    for (size_t k = 0; k < n; k++) {
        char name[64], code[32];
        snprintf(name, sizeof name, "%s", k == 0 ? "东华门街道" : k == 1 ? "月坛街道" : "街道");
        if (k > 1)
            snprintf(name, sizeof name, "街道%03zu", k);
        snprintf(code, sizeof code, "1101%05zu", k);
        size_t rank = k == 0 ? 2 : k == 1 ? 1 : k + 1;
        add(&t, "%s{\"id\": \"%s\", \"code\": \"%s\", \"name\": \"%s\", \"district\": \"东城区\", \"coverage\": "
                "{\"population\": %zu, \"covered\": [{\"within_s\": 720, \"population\": 1, \"share\": %s}], "
                "\"mean_s\": %s, \"p90_s\": 301.9778155}, \"stations\": %d, \"gap\": %s, \"ambulances\": {\"ambulances\": "
                "2, \"per_standard_residents\": 0.5006216052}, \"park_share\": 0.07, \"verdicts\": "
                "{\"mean_response_time\": \"pass\", \"stations_per_subdistrict\": \"%s\", \"ambulances_per_residents\": "
                "\"fail\", \"park_coverage\": \"fail\"}, \"fails\": %d, \"worst_rank\": %zu}",
            k ? ",\n" : "", code, code, name, 119851 + k, k == 1 ? "0.982" : "1.0", k == 1 ? "385.8" : "245.444933",
            k == 1 ? 0 : 1, k == 1 ? "true" : "false", k == 1 ? "fail" : "pass", k == 1 ? 3 : 2, rank);
    }
    add(&t, "],\n\"stations\": [],\n");
    add(&t, "\"ledger\": {\"layers\": [{\"layer\": \"stations\", \"path\": \"/data/city/stations.shp\", \"unit\": "
            "\"records\", \"read\": 15, \"filtered\": 0, \"used\": 15, \"skipped\": 0, \"altered\": 0, \"issues\": 1}], "
            "\"issues\": [{\"layer\": \"stations\", \"record\": 14, \"source_id\": \"14\", \"source_name\": "
            "\"燕郊协作站\", \"reason\": \"off_network\", \"text\": \"x\", \"detail\": \"1623 m\", \"population\": null, "
            "\"records\": 1, \"x\": null, \"y\": null}]}}\n");
    return t.s;
}

static const char sites_json[] =
    "{\"schema\": \"emscov-sites/2\", \"scenario\": \"city\", \"candidates\": {\"evaluated\": 3}, "
    "\"parameters\": {\"k\": 1}, \"baseline\": {\"covered\": 1198765, \"covered_share\": 0.97099},"
    "\"whatif\": [{\"rank\": 1, \"id\": \"grid-9\", \"subdistrict\": \"110100000\", \"x\": 450000.4, \"y\": 4400000.6, "
    "\"lon\": 117.1, \"lat\": 39.7, \"new_covered\": 5000, \"mean_change_s\": -12}, "
    "{\"rank\": 2, \"id\": \"gap-110100001\", \"subdistrict\": \"110100001\", \"x\": 451000, \"y\": 4401000, "
    "\"lon\": 117.123456789, \"lat\": 39.987654321, \"new_covered\": 777, \"mean_change_s\": -30}, "
    "{\"rank\": 3, \"id\": \"grid-2\", \"subdistrict\": \"110100001\", \"x\": 1, \"y\": 2, \"lon\": 117.2, "
    "\"lat\": 39.8, \"new_covered\": 5, \"mean_change_s\": -1}], "
    "\"greedy\": {\"k\": 1, \"selected\": [{\"order\": 1, \"id\": \"gap-110100001\", \"subdistrict_name\": \"月坛街道\", "
    "\"lon\": 117.123456789, \"lat\": 39.987654321, \"new_covered\": 777}], \"covered\": 1199542, "
    "\"covered_share\": 0.9716}}";

/* n square sub-districts of 1 km in a row (UTM 50N), with the fields the maps read. */
static layer *streets(emscov_ctx *ctx, size_t n)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_int_equal(crs_from_epsg(ctx, 32650, &c), EMS_OK);
    assert_int_equal(layer_create(ctx, "street_summary", "test", c, &l), EMS_OK);
    crs_destroy(c);
    assert_int_equal(layer_add_field(ctx, l, "name", LAYER_FIELD_STRING, 0, 0), EMS_OK);
    assert_int_equal(layer_add_field(ctx, l, "gap", LAYER_FIELD_LOGICAL, 0, 0), EMS_OK);
    assert_int_equal(layer_add_field(ctx, l, "amb_per_n", LAYER_FIELD_DOUBLE, 0, 0), EMS_OK);
    for (size_t k = 0; k < n; k++) {
        char wkt[200], name[32];
        double x = 450000 + 1000.0 * (double)(k % 12), y = 4400000 + 1000.0 * (double)(k / 12);
        snprintf(wkt, sizeof wkt, "POLYGON((%f %f, %f %f, %f %f, %f %f, %f %f))", x, y, x + 1000, y, x + 1000, y + 1000,
                 x, y + 1000, x, y);
        snprintf(name, sizeof name, "街道%03zu", k);
        layer_value v[3] = {{.u.s = name}, {.u.b = k == 1}, {.u.d = 0.5}};
        assert_int_equal(layer_append_valid_take(ctx, l, tu_wkt(ctx, wkt), (int64_t)k + 1, v), EMS_OK);
    }
    return l;
}

static bool setup_zh(void)
{
    const char *dir = getenv("EMSCOV_LOCALEDIR");
    const char *dirs[] = {dir};
    return dir && i18n_setup(dirs, 1) != NULL;
}

static char *render(emscov_ctx *ctx, const char *json, const char *sites, layer *l, doc_format f, i18n_lang lang,
                    size_t *len, doc_stats *stats)
{
    doc_source src = {.report_json = json, .sites_json = sites, .sites_from = sites ? "sites-out" : NULL,
                      .maps = {.streets = l, .mean_below_s = NAN, .coverage_within_s = NAN,
                               .residents_per_ambulance = NAN},
                      .run = "the files in /runs/1", .date = "2026-11-23", .time = "08:15", .renderer = "0.1.0"};
    doc_opts o = {.format = f, .lang = lang};
    char *out = NULL;
    assert_ok(ctx, doc_render(ctx, &src, &o, &out, len, stats));
    return out;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_html(void **state)
{
    emscov_ctx *ctx = *state;
    char *json = report(2, "city");
    layer *l = streets(ctx, 2);
    size_t len;
    doc_stats st;
    char *h = render(ctx, json, NULL, l, DOC_HTML, I18N_EN, &len, &st);
    assert_int_equal(strlen(h), len);
    assert_non_null(strstr(h, "<html lang=\"en\">"));
    assert_non_null(strstr(h, "<title>Emergency medical service coverage report: city</title>"));
    /* the figures, formatted: never computed again */
    const char *want[] = {">4.64 min<",  ">1,234,567<", "1,198,765 (97.1 %)", "4.64 / 4.57 / 6.28 / 9.58 min",
                          "1,063 (0.09 %)", "33 of 61 required (shortfall 28)", ">0.55<", ">10.3 %<",
                          ">京政发〔2021〕38号 clause A<", ">beijing-2022: DOC-C<" /* no source: the standard */, "9.9.9",
                          "/data/city/", ">r.osm.pbf<", ">98,765,432<", "燕郊协作站 (id 14)", "parks-gbt51346"};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++)
        if (!strstr(h, want[k]))
            fail_msg("HTML lacks %s", want[k]);
    const char *targets = strstr(h, "1  Targets"), *figures = strstr(h, "Headline figures");
    assert_true(targets && figures && targets < figures);
    const char *a = strstr(targets, "DOC-A");
    assert_true(!a || a > figures); /* the targets table quotes the source, not the standard */
    /* worst first: 月坛街道 (rank 1) before 东华门街道 (rank 2) in the sub-district table */
    const char *table = strstr(h, "Sub-districts, worst first");
    assert_non_null(table);
    assert_true(strstr(table, "月坛街道") < strstr(table, "东华门街道"));
    assert_non_null(strstr(table, "<td class=\"r fail\">0</td>")); /* its 0 stations fail */
    assert_non_null(strstr(h, "<td class=\"c pass\">PASS</td>"));
    /* no sites run: the gap is listed, with how to get candidates */
    assert_non_null(strstr(h, "1 sub-districts have no station"));
    assert_non_null(strstr(h, "emscov report --sites DIR"));
    /* self-contained: no script, no stylesheet or image fetched; two maps with their own ids */
    assert_null(strstr(h, "<script"));
    assert_null(strstr(h, "<link"));
    assert_null(strstr(h, "src=\""));
    assert_null(strstr(h, "href=\"http"));
    assert_null(strstr(h, "url(http"));
    assert_int_equal(st.maps, 2); /* gaps and ambulances: no demand points, no parks layer */
    assert_int_equal(count(h, "<svg "), 2);
    assert_int_equal(count(h, "id=\"glyph"), 0);
    assert_int_equal(count(h, "id=\"m1-glyph0-1\""), 1);
    assert_int_equal(count(h, "id=\"m2-glyph0-1\""), 1);
    assert_int_equal(count(h, "href=\"#glyph"), 0);
    assert_int_equal(st.unknown_glyphs, 0);
    free(h);
    free(json);
    layer_destroy(l);
}

static int run(const char *cmd, char **out)
{
    return tu_run(cmd, out);
}

/* The PDF in Chinese, read back by poppler's pdftotext. */
static void test_pdf_zh(void **state)
{
    emscov_ctx *ctx = *state;
    if (!setup_zh())
        skip();
    char *json = report(2, "city");
    layer *l = streets(ctx, 2);
    size_t len;
    doc_stats st;
    char *pdf = render(ctx, json, sites_json, l, DOC_PDF, I18N_ZH, &len, &st);
    assert_memory_equal(pdf, "%PDF-", 5);
    assert_int_equal(st.unknown_glyphs, 0);
    assert_int_equal(st.maps, 2);
    assert_int_equal(i18n_current(), I18N_EN); /* the language of the process is given back */
    tu_write_file(tu_tmp("zh.pdf"), pdf, len);
    free(pdf);
    char cmd[4200], *out = NULL;
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' | sed -n 's/^Pages: *//p'", tu_tmp("zh.pdf"));
    if (run(cmd, &out) != 0 || !*out) {
        free(out);
        print_message("pdfinfo (poppler-utils) not installed: skipped\n");
        skip();
    }
    assert_int_equal(strtol(out, NULL, 10), (long)st.pages);
    free(out);
    /* the text without white space: a table cell may wrap a term over two lines */
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - | tr -d ' \\n'", tu_tmp("zh.pdf"));
    assert_int_equal(run(cmd, &out), 0);
    const char *want[] = {"院前医疗急救服务覆盖评估报告", "院前医疗急救服务平均反应时间", "标准化急救工作站",
                          "每3万人口配置1辆救护车", "急救呼叫满足率", "公园绿地", "4.64分钟", "1,234,567",
                          "达标", "未达标", "不适用", "第1页", "gap-110100001", "117.12346,39.98765", "451000,4401000",
                          "777", "-0.50", "月坛街道", "五、输入数据台账", "六、方法与参数"};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++)
        if (!strstr(out, want[k]))
            fail_msg("PDF text lacks %s", want[k]);
    free(out);
    free(json);
    layer_destroy(l);
}

/* A table longer than a page: its header row on every page it runs onto; no row split or lost. */
static void test_repeated_header(void **state)
{
    emscov_ctx *ctx = *state;
    char *json = report(130, "big city");
    layer *l = streets(ctx, 130);
    size_t len;
    doc_stats st;
    char *pdf = render(ctx, json, NULL, l, DOC_PDF, I18N_EN, &len, &st);
    tu_write_file(tu_tmp("big.pdf"), pdf, len);
    free(pdf);
    char cmd[4200], *out = NULL;
    size_t pages_with_rows = 0, rows = 0;
    for (size_t p = 1; p <= st.pages; p++) {
        snprintf(cmd, sizeof cmd, "pdftotext -layout -f %zu -l %zu '%s' - 2>/dev/null", p, p, tu_tmp("big.pdf"));
        if (run(cmd, &out) != 0) {
            free(out);
            print_message("pdftotext (poppler-utils) not installed: skipped\n");
            skip();
        }
        /* the rows of the sub-district table: the codes 1101000NN (section 4 lists the gap's code too) */
        size_t n = strstr(out, "4 Sub-districts without a station") ? 0 : count(out, "110100");
        if (n > 0) {
            pages_with_rows++;
            rows += n;
            if (!strstr(out, "sub-district") || !strstr(out, "residents") || !strstr(out, "fails"))
                fail_msg("page %zu has sub-district rows but no header row", p);
        }
        free(out);
    }
    assert_true(pages_with_rows >= 2);
    assert_int_equal(rows, 130); /* every row once */
    free(json);
    layer_destroy(l);
}

static void test_unknown_glyph_counted(void **state)
{
    emscov_ctx *ctx = *state;
    char *json = report(2, "city \xCD\xB8"); /* U+0378: not a character, no font has it */
    layer *l = streets(ctx, 2);
    size_t len;
    doc_stats st;
    char *out = render(ctx, json, NULL, l, DOC_HTML, I18N_EN, &len, &st);
    assert_true(st.unknown_glyphs > 0);
    free(out);
    out = render(ctx, json, NULL, l, DOC_PDF, I18N_EN, &len, &st);
    assert_true(st.unknown_glyphs > 0);
    free(out);
    free(json);
    layer_destroy(l);
}

/* A copy of s with the first `from` replaced by `to` (the test fails when `from` is missing). */
static char *replace1(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

/* Another service (a [service] standards file without vehicles): the report speaks of its facilities, in
 * both languages, and shows no ambulance figure and no "per N" column. */
static void test_service_words(void **state)
{
    emscov_ctx *ctx = *state;
    char *base = report(2, "city");
    char *a = replace1(base, "\"residents_per_ambulance\": 30000", "\"residents_per_ambulance\": null");
    char *json = replace1(a, "\"standards\": {",
                          "\"service\": {\"key\": \"health_circle\", \"name_en\": \"15-minute community health "
                          "service circle\", \"name_zh\": \"15分钟社区卫生服务圈\", \"facility_en\": \"community "
                          "health centre\", \"facilities_en\": \"community health centres\", \"facility_zh\": "
                          "\"社区卫生服务中心\", \"mode\": \"walk\", \"vehicles\": false},\n\"standards\": {");
    char *b2 = json;
    json = replace1(b2, "\"standards\": {",
                    "\"calls\": {\"points\": 3, \"calls\": 4321, \"covered\": [{\"within_s\": 900, \"calls\": 1234, "
                    "\"share\": 0.2856}], \"mean_s\": 612, \"median_s\": 600, \"p90_s\": 1200, \"max_s\": 1500},\n"
                    "\"standards\": {");
    free(b2);
    layer *l = streets(ctx, 2);
    size_t len;
    doc_stats st;
    char *h = render(ctx, json, NULL, l, DOC_HTML, I18N_EN, &len, &st);
    /* the calls beside the residents, as report.json has them */
    assert_non_null(strstr(h, "4,321 calls at 3 points"));
    assert_non_null(strstr(h, "1,234 (28.6 %)"));
    assert_non_null(strstr(h, "10.20 / 10.00 / 20.00 / 25.00 min"));
    assert_non_null(strstr(h, "<title>15-minute community health service circle coverage report: city</title>"));
    assert_non_null(strstr(h, "4  Sub-districts without a community health centre"));
    assert_non_null(strstr(h, "aria-label=\"Sub-districts without a community health centre\"")); /* the map */
    assert_null(strstr(h, "ambulance station"));
    assert_null(strstr(h, "33 of 61 required"));
    const char *table = strstr(h, "Sub-districts, worst first");
    assert_non_null(table);
    const char *next = strstr(table, "4  Sub-districts without");
    assert_non_null(next);
    const char *pn = strstr(table, "per nan");
    assert_true(!pn || pn > next); /* no ambulance columns (the fixture's targets still list one, later) */
    assert_null(strstr(h, "Emergency medical service coverage report"));
    free(h);
    if (setup_zh()) {
        h = render(ctx, json, NULL, l, DOC_HTML, I18N_ZH, &len, &st);
        assert_non_null(strstr(h, "15分钟社区卫生服务圈覆盖评估报告：city"));
        assert_non_null(strstr(h, "无社区卫生服务中心的街道（乡镇）"));
        free(h);
        i18n_use(I18N_EN);
    }
    layer_destroy(l);
    free(json);
    free(a);
    free(base);
}

static void test_failures(void **state)
{
    emscov_ctx *ctx = *state;
    doc_opts o = {.format = DOC_HTML};
    char *out = (char *)1;
    size_t len = 7;
    doc_stats st;
    doc_source src = {.report_json = "{not json"};
    assert_status_msg(ctx, doc_render(ctx, &src, &o, &out, &len, &st), EMS_EINPUT, "report.json: not JSON");
    assert_null(out);
    assert_int_equal(len, 0);
    src.report_json = "{\"schema\": \"emscov-sites/2\"}";
    assert_status_msg(ctx, doc_render(ctx, &src, &o, &out, &len, &st), EMS_EINPUT,
                      "report.json: schema \"emscov-sites/2\", not emscov-report-2");
    char *json = report(2, "city");
    src = (doc_source){.report_json = json, .sites_json = "{\"schema\": \"x\"}", .sites_from = "s/sites.json"};
    assert_status_msg(ctx, doc_render(ctx, &src, &o, &out, &len, &st), EMS_EINPUT, "s/sites.json: schema \"x\"");
    src = (doc_source){0};
    assert_status_msg(ctx, doc_render(ctx, &src, &o, &out, &len, &st), EMS_EINPUT, "no report.json");
    doc_format f;
    assert_true(doc_format_parse("PDF", &f) && f == DOC_PDF);
    assert_true(doc_format_parse("html", &f) && f == DOC_HTML);
    assert_false(doc_format_parse("docx", &f));
    free(json);
}

int main(void)
{
    setenv("LC_ALL", "C.UTF-8", 1);
    unsetenv("LANGUAGE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html),          cmocka_unit_test(test_pdf_zh),
        cmocka_unit_test(test_repeated_header), cmocka_unit_test(test_unknown_glyph_counted),
        cmocka_unit_test(test_failures),      cmocka_unit_test(test_service_words),
    };
    int rc = cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
    map_release_fonts();
    return rc;
}
