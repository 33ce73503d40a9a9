/* tests/src/test_qgis_style.c: the QGIS styles of the result layers. Each QML document is well-formed XML (expat
 * parses it), has one rule and one symbol per class, the response-time bands at 0-4-8-12-16 minutes on time_s
 * with ColorBrewer YlGnBu-5 (written out here, from colorbrewer2.org, not taken from map.c), the unreachable
 * class, and the colours `emscov map` documents for gaps, stations and parks; a table emscov has no style for
 * gets none. */
#include "test_util.h"

#include "src/output/qgis_style.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct counts {
    int rules, symbols, depth_max, depth;
} counts;

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **attrs)
{
    counts *c = user;
    (void)attrs;
    c->rules += !strcmp(name, "rule");
    c->symbols += !strcmp(name, "symbol");
    if (++c->depth > c->depth_max) c->depth_max = c->depth;
}

static void XMLCALL on_end(void *user, const XML_Char *name)
{
    (void)name;
    ((counts *)user)->depth--;
}

/* The QML of table, parsed; its counts. */
static char *qml_of(emscov_ctx *ctx, const char *table, counts *c)
{
    char *qml = NULL;
    const char *what = NULL;
    assert_ok(ctx, qgis_style_qml(ctx, table, &qml, &what));
    assert_non_null(qml);
    assert_non_null(what);
    XML_Parser p = XML_ParserCreate("UTF-8");
    memset(c, 0, sizeof *c);
    XML_SetUserData(p, c);
    XML_SetElementHandler(p, on_start, on_end);
    if (XML_Parse(p, qml, (int)strlen(qml), 1) != XML_STATUS_OK)
        fail_msg("%s: line %lu: %s\n%s", table, (unsigned long)XML_GetCurrentLineNumber(p),
                 XML_ErrorString(XML_GetErrorCode(p)), qml);
    XML_ParserFree(p);
    assert_int_equal(c->rules, c->symbols);
    return qml;
}

#define assert_has(s, needle) assert_non_null(strstr(s, needle))

static void test_demand_bands(void **state)
{
    emscov_ctx *ctx = *state;
    counts c;
    char *q = qml_of(ctx, "demand_time", &c);
    assert_int_equal(c.rules, 6); /* five bands + unreachable */
    assert_has(q, "type=\"RuleRenderer\"");
    assert_has(q, "filter=\"&quot;time_s&quot; &gt;= 0 AND &quot;time_s&quot; &lt; 240\"");
    assert_has(q, "filter=\"&quot;time_s&quot; &gt;= 720 AND &quot;time_s&quot; &lt; 960\"");
    assert_has(q, "filter=\"&quot;time_s&quot; &gt;= 960\"");
    assert_has(q, "filter=\"&quot;time_s&quot; IS NULL\"");
    assert_has(q, "label=\"0–4 min\"");
    assert_has(q, "label=\"16 min or more\"");
    /* YlGnBu-5: #ffffcc #a1dab4 #41b6c4 #2c7fb8 #253494; unreachable grey #bdbdbd */
    const char *colours[] = {"255,255,204,255", "161,218,180,255", "65,182,196,255", "44,127,184,255",
                             "37,52,148,255", "189,189,189,255"};
    for (size_t k = 0; k < 6; k++) {
        char opt[80];
        snprintf(opt, sizeof opt, "<prop k=\"color\" v=\"%s\"/>", colours[k]);
        assert_has(q, opt);
    }
    assert_has(q, "type=\"marker\"");
    free(q);
}

static void test_layers(void **state)
{
    emscov_ctx *ctx = *state;
    counts c;
    char *q = qml_of(ctx, "street_summary", &c);
    assert_int_equal(c.rules, 2);
    assert_has(q, "<prop k=\"color\" v=\"253,174,97,255\"/>"); /* gaps: #fdae61 */
    assert_has(q, "filter=\"coalesce(&quot;gap&quot;, false)\"");
    assert_has(q, "type=\"fill\"");
    free(q);
    q = qml_of(ctx, "station", &c);
    assert_has(q, "<prop k=\"color\" v=\"215,25,28,255\"/>"); /* #d7191c */
    free(q);
    q = qml_of(ctx, "park_service_area", &c);
    assert_has(q, "<prop k=\"color\" v=\"26,152,80,115\"/>"); /* #1a9850 at 45 % */
    free(q);
    q = qml_of(ctx, "service_area", &c);
    assert_int_equal(c.rules, 5);
    assert_has(q, "filter=\"&quot;band_min&quot; &gt;= 4 AND &quot;band_min&quot; &lt; 8\""); /* as demand points */
    free(q);
    const char *others[] = {"input_issue", "candidate", "selected_site"};
    for (size_t k = 0; k < 3; k++) {
        q = qml_of(ctx, others[k], &c);
        assert_int_equal(c.rules, 1);
        free(q);
    }
}

static void test_no_style(void **state)
{
    emscov_ctx *ctx = *state;
    char *qml = (char *)"x";
    const char *what = "x";
    assert_ok(ctx, qgis_style_qml(ctx, "roads", &qml, &what));
    assert_null(qml);
    assert_null(what);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demand_bands),
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_no_style),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
