/* tests/geo/test_config.c: the one INI loader (geo/config.h) and the four kinds of file read through it
 * (scenarios, standards, speed profiles, park rule sets).
 *
 * Expectations are written by hand from the file texts: line numbers counted in the fixtures, messages in
 * the one shape "<file>: line N: [section] key: <what>" compared whole. Long lines (libinih's buffer is 200
 * bytes) are checked against the same line made short, whose meaning libinih itself decides. */
#include "test_util.h"

#include "geo/config.h"
#include "geo/speed.h"
#include "src/analysis/parks.h"
#include "src/analysis/scenario.h"
#include "src/analysis/standards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *write_ini(const char *name, const char *text)
{
    const char *path = tu_tmp(name);
    tu_write_file(path, text, strlen(text));
    return path;
}

/* The directory tu_tmp writes into (no trailing '/'). */
static const char *tmp_dir(void)
{
    const char *root = getenv("EMSCOV_TEST_TMP");
    return root ? root : "/tmp";
}

/* The ctx message must be exactly "<path><rest>". */
#define assert_msg(ctx, st, path, rest) check_msg(ctx, st, path, rest, __LINE__)
static void check_msg(emscov_ctx *ctx, ems_status st, const char *path, const char *rest, int line)
{
    char want[2048];
    snprintf(want, sizeof want, "%s%s", path, rest);
    if (st != EMS_EINPUT || strcmp(emscov_message(ctx), want) != 0)
        fail_msg("line %d: status %s, message\n  \"%s\"\nwant\n  \"%s\"", line, ems_status_text(st),
                 emscov_message(ctx), want);
}

static const char *const profile_keys[] = {"profile.name", "profile.access_kmh", "classes.*", "tiers.*",
                                           NULL};
static const config_schema profile_schema = {profile_keys, NULL};

static config *load_ok(emscov_ctx *ctx, const char *name, const char *text, const config_schema *schema)
{
    config *c = NULL;
    assert_ok(ctx, config_load_schema(ctx, write_ini(name, text), schema, &c));
    assert_non_null(c);
    return c;
}

/* ---- entries: order, lines, wildcard sections, comments, BOM, CRLF ------------------------------------ */

static void test_entries(void **state)
{
    emscov_ctx *ctx = *state;
    config *c = load_ok(ctx, "order.ini",
                        "\xEF\xBB\xBF; speed classes\r\n"       /* 1 */
                        "[classes]\r\n"                         /* 2 */
                        "快速路 = 80\r\n"                       /* 3 */
                        "# a comment\r\n"                       /* 4 */
                        "  主干路 = 50 ; indented, comment\r\n" /* 5 */
                        "\r\n"                                  /* 6 */
                        "[ profile ] ; blanks in brackets\r\n"  /* 7 */
                        "name = a #b\r\n"                       /* 8 */
                        "access_kmh: 15\r\n"                    /* 9 */
                        "[classes]\r\n"                         /* 10 */
                        "支路=30",                              /* 11, no newline at the end */
                        &profile_schema);
    static const struct {
        const char *key, *value;
        int line;
    } want[] = {{"快速路", "80", 3}, {"主干路", "50", 5}, {"支路", "30", 11}};
    size_t k = 0;
    for (const config_entry *e = NULL; (e = config_next(c, "classes", e)); k++) {
        assert_true(k < 3);
        assert_string_equal(e->section, "classes");
        assert_string_equal(e->key, want[k].key);
        assert_string_equal(e->value, want[k].value);
        assert_int_equal(e->line, want[k].line);
    }
    assert_int_equal(k, 3);
    assert_null(config_next(c, "tiers", NULL));
    assert_string_equal(config_get(c, "profile", "name"),
                        "a #b"); /* '#' starts a comment only at line start */
    assert_int_equal(config_find(c, "profile", "access_kmh")->line, 9);
    assert_null(config_get(c, "profile", "speed"));
    assert_int_equal(config_section_line(c, "classes"), 2);
    assert_int_equal(config_section_line(c, "profile"), 7);
    assert_int_equal(config_section_line(c, "tiers"), 0);
    double v = 0;
    assert_ok(ctx, config_number(ctx, c, "profile", "access_kmh", 1, 100, 0, &v));
    assert_close(v, 15, 0);
    assert_ok(ctx, config_number(ctx, c, "profile", "default_kmh", 1, 100, 42, &v));
    assert_close(v, 42, 0);
    assert_string_equal(config_dir(c), tmp_dir());
    config_destroy(c);
    config_destroy(NULL);
}

/* ---- long lines -------------------------------------------------------------------------------------- */

/* "k = <prefix><form>" read through the long-line path gives the prefix (less its last byte) followed by
 * what libinih makes of the short line "k = y<form>". */
static void test_long_values_mean_the_same(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const forms[] = {"a ;c", "a;b ; c", "a #b", "a\t;\tb", "   ",
                                        ";x",   "=x : y",  "",     " ; c ;",  "路 ;路"};
    static const char *const any[] = {"s.*", NULL};
    const config_schema schema = {any, NULL};
    char prefix[401], text[1024];
    memset(prefix, 'y', sizeof prefix - 1);
    prefix[sizeof prefix - 1] = '\0';
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        snprintf(text, sizeof text, "[s]\nk = y%s\n", forms[i]);
        config *c = load_ok(ctx, "short.ini", text, &schema);
        snprintf(text, sizeof text, "[s]\nk = %s%s\n", prefix, forms[i]);
        config *l = load_ok(ctx, "long.ini", text, &schema);
        char want[1024];
        snprintf(want, sizeof want, "%.*s%s", (int)strlen(prefix) - 1, prefix, config_get(c, "s", "k"));
        if (strcmp(config_get(l, "s", "k"), want) != 0)
            fail_msg("form \"%s\": long value \"%s\", want \"%s\"", forms[i], config_get(l, "s", "k"), want);
        assert_int_equal(config_find(l, "s", "k")->line, 2);
        config_destroy(c);
        config_destroy(l);
    }
    /* a comment right after "= " empties the value, long or short; "=;" does not start a comment */
    static const char *const empty_ok[] = {"s.k", NULL};
    const config_schema allow = {any, empty_ok};
    snprintf(text, sizeof text, "[s]\nk = ;%s\nj =;%s\n", prefix, prefix);
    config *c = load_ok(ctx, "long_comment.ini", text, &allow);
    assert_string_equal(config_get(c, "s", "k"), "");
    assert_int_equal(strlen(config_get(c, "s", "j")), 1 + strlen(prefix));
    config_destroy(c);
}

static void test_long_lines(void **state)
{
    emscov_ctx *ctx = *state;
    /* a 1,000-byte path, a long comment, a long header comment, a 300-byte key and a 60-byte section */
    char path[1001], key[301], sec[61], text[6000];
    memset(path, 'd', sizeof path - 1);
    for (size_t i = 100; i < sizeof path - 1; i += 100)
        path[i] = '/';
    path[sizeof path - 1] = '\0';
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    memset(sec, 's', sizeof sec - 1);
    sec[sizeof sec - 1] = '\0';
    snprintf(text, sizeof text, "; %s\n[profile] ; %s\nname = %s ; %s\n[classes]\n%s = 60\n[%s]\nx = 1\n",
             path, path, path, path, key, sec);
    char wild[80];
    snprintf(wild, sizeof wild, "%s.*", sec);
    const char *const keys[] = {"profile.name", "classes.*", wild, NULL};
    const config_schema schema = {keys, NULL};
    config *c = load_ok(ctx, "long.ini", text, &schema);
    assert_string_equal(config_get(c, "profile", "name"), path);
    assert_int_equal(config_find(c, "profile", "name")->line, 3);
    assert_string_equal(config_get(c, "classes", key), "60");
    assert_int_equal(config_find(c, "classes", key)->line, 5);
    assert_string_equal(config_get(c, sec, "x"), "1"); /* libinih would cut the name at 49 bytes */
    char *resolved = config_path_value(c, "profile", "name");
    char want[1100];
    snprintf(want, sizeof want, "%s/%s", tmp_dir(), path);
    assert_string_equal(resolved, want);
    free(resolved);
    config_destroy(c);

    /* a long line without '=' is a syntax error; so is one whose ';' comment comes before the '=' */
    const char *p = NULL;
    config *bad = NULL;
    snprintf(text, sizeof text, "[profile]\nname %s\n", path);
    p = write_ini("long_syntax.ini", text);
    assert_msg(ctx, config_load_schema(ctx, p, &schema, &bad), p,
               ": line 2: not a [section] header, a key = value line or a ; comment");
    snprintf(text, sizeof text, "[profile]\nname ; %s = x\n", path);
    p = write_ini("long_syntax2.ini", text);
    assert_msg(ctx, config_load_schema(ctx, p, &schema, &bad), p,
               ": line 2: not a [section] header, a key = value line or a ; comment");
    /* an unknown long key is quoted up to 80 bytes */
    snprintf(text, sizeof text, "[profile]\n%s = 1\n", key);
    p = write_ini("long_key.ini", text);
    snprintf(want, sizeof want, ": line 2: [profile] %.80s...: unknown key (known: name)", key);
    assert_msg(ctx, config_load_schema(ctx, p, &schema, &bad), p, want);
    assert_null(bad);
}

/* ---- errors of the loader itself --------------------------------------------------------------------- */

static void expect(emscov_ctx *ctx, const char *name, const char *text, size_t len, const char *rest)
{
    const char *path = tu_tmp(name);
    tu_write_file(path, text, len);
    config *c = (config *)1;
    assert_msg(ctx, config_load_schema(ctx, path, &profile_schema, &c), path, rest);
    assert_null(c);
}
#define EXPECT(ctx, name, text, rest) expect(ctx, name, text, sizeof text - 1, rest)

static void test_loader_errors(void **state)
{
    emscov_ctx *ctx = *state;
    EXPECT(ctx, "nul.ini", "[profile]\nname = a\0b\n", ": line 2: contains a NUL byte (not a text file)");
    EXPECT(ctx, "gbk.ini",
           "[profile]\nname = x\n[classes]\n\xBF\xEC\xCB\xD9\xC2\xB7 = 80\n", /* 快速路 in GBK */
           ": line 4: not valid UTF-8 text (save the file as UTF-8, not GBK)");
    EXPECT(ctx, "bom.ini", "[profile]\n\xEF\xBB\xBFname = x\n",
           ": line 2: a byte-order mark is allowed only at the start of the file");
    EXPECT(ctx, "open.ini", "[profile\nname = x\n", ": line 1: section header without a closing ']'");
    EXPECT(ctx, "after.ini", "[profile] name = x\n", ": line 1: text after the section header: \"name = x\"");
    EXPECT(ctx, "nosec.ini", "[]\nname = x\n", ": line 1: []: empty section name");
    EXPECT(ctx, "before.ini", "; top\nname = x\n[profile]\n", ": line 2: name: key before any [section]");
    EXPECT(ctx, "nokey.ini", "[profile]\n= x\n", ": line 2: [profile]: no key before '='");
    EXPECT(ctx, "syntax.ini", "[profile]\nname\n",
           ": line 2: not a [section] header, a key = value line or a ; comment");
    EXPECT(ctx, "sec.ini", "[profile]\nname = x\n[speeds]\n",
           ": line 3: [speeds]: unknown section (known: [profile], [classes], [tiers])");
    EXPECT(ctx, "sectypo.ini", "[profiles]\nname = x\n",
           ": line 1: [profiles]: unknown section (did you mean [profile]?)");
    EXPECT(ctx, "key.ini", "[profile]\nspeed = 3\n",
           ": line 2: [profile] speed: unknown key (known: name, access_kmh)");
    EXPECT(ctx, "keytypo.ini", "[profile]\nacess_kmh = 3\n",
           ": line 2: [profile] acess_kmh: unknown key (did you mean access_kmh?)");
    EXPECT(ctx, "dup.ini", "[profile]\nname = a\n[classes]\nx = 1\n[profile]\nname = b\n",
           ": line 6: [profile] name: given twice (first on line 2)");
    EXPECT(ctx, "empty.ini", "[profile]\nname =\n", ": line 2: [profile] name: empty value");
    EXPECT(ctx, "empty2.ini", "[classes]\n支路 =   ; to do\n", ": line 2: [classes] 支路: empty value");
    /* the first problem in the file is the one reported, whichever kind */
    EXPECT(ctx, "first.ini", "[profile]\nname =\nbogus = 1\n", ": line 2: [profile] name: empty value");
    EXPECT(ctx, "first2.ini", "[profile]\nbogus =\nname =\n",
           ": line 2: [profile] bogus: unknown key (known: name, access_kmh)");
    EXPECT(ctx, "first3.ini", "[profile]\noops\nbogus = 1\n",
           ": line 2: not a [section] header, a key = value line or a ; comment");
    config *c = NULL;
    const char *missing = tu_tmp("never-written.ini");
    ems_status st = config_load(ctx, missing, &c);
    assert_int_equal(st, EMS_EINPUT);
    assert_non_null(strstr(emscov_message(ctx), "never-written.ini: cannot open"));
}

/* An empty value is accepted only for the keys the schema names. */
static void test_allow_empty(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const empty_ok[] = {"profile.name", NULL};
    const config_schema schema = {profile_keys, empty_ok};
    config *c = load_ok(ctx, "allow.ini", "[profile]\nname =\n", &schema);
    assert_string_equal(config_get(c, "profile", "name"), "");
    config_destroy(c);
    const char *p = write_ini("allow2.ini", "[profile]\nname =\naccess_kmh =\n");
    assert_msg(ctx, config_load_schema(ctx, p, &schema, &c), p,
               ": line 3: [profile] access_kmh: empty value");
}

/* The config_load + config_check_known path (scenario.c) and the typed getters. */
static void test_getters(void **state)
{
    emscov_ctx *ctx = *state;
    const char *p =
        write_ini("get.ini", "[a]\nn = 7\nlist = 1, 2.5,3\nbad = 1, x\nbig = 12\nrel = sub/f.shp\n"
                             "abs = /data/f.shp\npg = pg:dbname=x table=t\n[b]\n");
    config *c = NULL;
    assert_ok(ctx, config_load(ctx, p, &c));
    static const char *const known[] = {"a.n",   "a.list", "a.bad", "a.big", "a.rel",
                                        "a.abs", "a.pg",   "b.*",   NULL};
    assert_ok(ctx, config_check_known(ctx, c, known));
    static const char *const fewer[] = {"a.*", NULL};
    assert_msg(ctx, config_check_known(ctx, c, fewer), p, ": line 9: [b]: unknown section (known: [a])");
    static const char *const nobig[] = {"a.n", "a.list", "a.bad", "a.rel", "a.abs", "a.pg", "b.*", NULL};
    assert_msg(ctx, config_check_known(ctx, c, nobig), p,
               ": line 5: [a] big: unknown key (known: n, list, bad, rel, abs, pg)");

    double v[4];
    size_t n = 0;
    assert_ok(ctx, config_numbers(ctx, c, "a", "list", 0, 10, v, 4, &n));
    assert_int_equal(n, 3);
    assert_close(v[0], 1, 0);
    assert_close(v[1], 2.5, 0);
    assert_close(v[2], 3, 0);
    assert_msg(ctx, config_numbers(ctx, c, "a", "list", 0, 10, v, 2, &n), p,
               ": line 3: [a] list: more than 2 values");
    assert_msg(ctx, config_numbers(ctx, c, "a", "bad", 0, 10, v, 4, &n), p,
               ": line 4: [a] bad: \"x\" is not a number (plain decimals: 12, 0.95)");
    assert_ok(ctx, config_numbers(ctx, c, "a", "absent", 0, 10, v, 4, &n));
    assert_int_equal(n, 0);
    double x = 0;
    assert_msg(ctx, config_number(ctx, c, "a", "big", 0, 10, 0, &x), p,
               ": line 5: [a] big: 12 is outside [0, 10]");
    assert_msg(ctx, config_number(ctx, c, "a", "rel", 0, 10, 0, &x), p,
               ": line 6: [a] rel: \"sub/f.shp\" is not a number (plain decimals: 12, 0.95)");
    const char *s = NULL;
    assert_ok(ctx, config_require(ctx, c, "a", "n", &s));
    assert_string_equal(s, "7");
    assert_msg(ctx, config_require(ctx, c, "a", "m", &s), p, ": [a] m: missing (required)");
    assert_null(s);

    char *r = config_path_value(c, "a", "rel");
    char want[1024];
    snprintf(want, sizeof want, "%s/sub/f.shp", tmp_dir());
    assert_string_equal(r, want);
    free(r);
    r = config_path_value(c, "a", "abs");
    assert_string_equal(r, "/data/f.shp");
    free(r);
    r = config_path_value(c, "a", "pg");
    assert_string_equal(r, "pg:dbname=x table=t");
    free(r);
    assert_null(config_path_value(c, "a", "absent"));

    assert_msg(ctx, config_fail_section(ctx, c, "b", EMS_EINPUT, "lists %d things", 0), p,
               ": line 9: [b]: lists 0 things");
    assert_msg(ctx, config_fail_section(ctx, c, "z", EMS_EINPUT, "lists %d things", 0), p,
               ": [z]: lists 0 things");
    assert_msg(ctx, config_fail(ctx, c, config_find(c, "a", "n"), EMS_EINPUT, "too %s", "small"), p,
               ": line 2: [a] n: too small");
    config_destroy(c);
}

static void test_decimals(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool ok;
        double v;
    } cases[] = {{"80", true, 80},   {"0.6", true, 0.6}, {"-3", true, -3},  {"+2", true, 2},
                 {".5", true, 0.5},  {"5.", true, 5},    {"007", true, 7},  {"1e1", false, 0},
                 {"0x10", false, 0}, {"inf", false, 0},  {"nan", false, 0}, {"", false, 0},
                 {"-", false, 0},    {"1,5", false, 0},  {" 1", false, 0},  {"1 ", false, 0},
                 {".", false, 0},    {"1.2.3", false, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v = -1;
        bool ok = config_decimal(cases[i].text, &v);
        if (ok != cases[i].ok || (ok && v != cases[i].v))
            fail_msg("\"%s\": %d %.17g, want %d %.17g", cases[i].text, ok, v, cases[i].ok, cases[i].v);
    }
}

/* ---- the four kinds of file: the same message for the same fault --------------------------------------- */

typedef enum { KIND_SCENARIO, KIND_STANDARDS, KIND_SPEED, KIND_PARKS } kind;

static ems_status load_kind(emscov_ctx *ctx, kind k, const char *path)
{
    ems_status st = EMS_EINTERNAL;
    switch (k) {
    case KIND_SCENARIO: {
        scenario *s = NULL;
        st = scenario_load(ctx, path, tu_source("data"), &s);
        scenario_destroy(s);
        break;
    }
    case KIND_STANDARDS: {
        standards *s = NULL;
        st = standards_load(ctx, path, tu_source("data"), &s);
        standards_destroy(s);
        break;
    }
    case KIND_SPEED: {
        speed_profile *s = NULL;
        st = speed_profile_load(ctx, path, &s);
        speed_profile_destroy(s);
        break;
    }
    case KIND_PARKS: {
        park_rules *s = NULL;
        st = park_rules_load(ctx, path, &s);
        park_rules_destroy(s);
        break;
    }
    }
    return st;
}

/* A valid file of each kind: 10, 4, 7 and 6 lines. */
static const char *const base[] = {
    "[scenario]\nname = t\n[streets]\npath = s.shp\n[stations]\npath = st.csv\n[population]\npath = p.csv\n"
    "[roads]\npath = r.shp\n",
    "[standard]\nname = t\n[response]\nmean_below_min = 12\n",
    "[profile]\naccess_kmh = 15\ndefault_kmh = 30\n[periods]\noffpeak = 1\n[classes]\nprimary = 50\n",
    "[rule]\nname = x\nstandard = y\ntarget_share = 0.9\n[tiers]\n0 = 500\n",
};

static void test_four_kinds(void **state)
{
    emscov_ctx *ctx = *state;
    static const struct {
        kind k;
        const char *add, *rest;
    } cases[] = {
        /* unknown section */
        {KIND_SCENARIO, "[bogus]\nx = 1\n",
         ": line 11: [bogus]: unknown section (known: [scenario], [streets], [stations], [population], "
         "[roads], "
         "[parks], [residential], [calls])"},
        {KIND_STANDARDS, "[bogus]\nx = 1\n",
         ": line 5: [bogus]: unknown section (known: [standard], [service], [response], [stations], [ambulances], "
         "[calls], "
         "[parks])"},
        {KIND_SPEED, "[bogus]\nx = 1\n",
         ": line 8: [bogus]: unknown section (known: [profile], [periods], [classes], [osm_classes])"},
        {KIND_PARKS, "[bogus]\nx = 1\n", ": line 7: [bogus]: unknown section (known: [rule], [tiers])"},
        /* unknown key: the known keys of the section */
        {KIND_SCENARIO, "bogus = 1\n",
         ": line 11: [roads] bogus: unknown key (known: path, encoding, srs, coords, class_field, speed_field, "
         "oneway_field, name_field, id_field, access, maxspeed, turn_restrictions, turn_table, area, reversible)"},
        {KIND_STANDARDS, "bogus = 1\n",
         ": line 5: [response] bogus: unknown key (known: mean_below_min, coverage_within_min, coverage_share_min, source)"},
        {KIND_SPEED, "[profile]\nbogus = 1\n",
         ": line 9: [profile] bogus: unknown key (known: name, ambulance_factor, mode, access_kmh, default_kmh, road_speeds)"},
        {KIND_PARKS, "[rule]\nbogus = 1\n",
         ": line 8: [rule] bogus: unknown key (known: name, standard, target_share, clause, target_op, points)"},
        /* a typo: the closest key */
        {KIND_SCENARIO, "clas_field = CLASS\n",
         ": line 11: [roads] clas_field: unknown key (did you mean class_field?)"},
        {KIND_STANDARDS, "mean_belwo_min = 12\n",
         ": line 5: [response] mean_belwo_min: unknown key (did you mean mean_below_min?)"},
        {KIND_SPEED, "[profile]\nacces_kmh = 1\n",
         ": line 9: [profile] acces_kmh: unknown key (did you mean access_kmh?)"},
        {KIND_PARKS, "[rule]\nstandrad = 1\n",
         ": line 8: [rule] standrad: unknown key (did you mean standard?)"},
        /* duplicate key */
        {KIND_SCENARIO, "path = r2.shp\n", ": line 11: [roads] path: given twice (first on line 10)"},
        {KIND_STANDARDS, "mean_below_min = 11\n",
         ": line 5: [response] mean_below_min: given twice (first on line 4)"},
        {KIND_SPEED, "[profile]\naccess_kmh = 16\n",
         ": line 9: [profile] access_kmh: given twice (first on line 2)"},
        {KIND_PARKS, "[rule]\nname = z\n", ": line 8: [rule] name: given twice (first on line 2)"},
        /* syntax */
        {KIND_SCENARIO, "oops\n", ": line 11: not a [section] header, a key = value line or a ; comment"},
        {KIND_STANDARDS, "oops\n", ": line 5: not a [section] header, a key = value line or a ; comment"},
        {KIND_SPEED, "oops\n", ": line 8: not a [section] header, a key = value line or a ; comment"},
        {KIND_PARKS, "oops\n", ": line 7: not a [section] header, a key = value line or a ; comment"},
        /* empty value */
        {KIND_SCENARIO, "encoding =\n", ": line 11: [roads] encoding: empty value"},
        {KIND_STANDARDS, "source =\n", ": line 5: [response] source: empty value"},
        {KIND_SPEED, "[profile]\nname =\n", ": line 9: [profile] name: empty value"},
        {KIND_PARKS, "1 =\n", ": line 7: [tiers] 1: empty value"},
        /* bad number */
        {KIND_SCENARIO, "[scenario]\nmax_snap_m = far\n",
         ": line 12: [scenario] max_snap_m: \"far\" is not a number (plain decimals: 12, 0.95)"},
        {KIND_STANDARDS, "coverage_within_min = 1e1\n",
         ": line 5: [response] coverage_within_min: \"1e1\" is not a number (plain decimals: 12, 0.95)"},
        {KIND_SPEED, "[profile]\nambulance_factor = fast\n",
         ": line 9: [profile] ambulance_factor: \"fast\" is not a number (plain decimals: 12, 0.95)"},
        {KIND_PARKS, "1 = far\n",
         ": line 7: [tiers] 1: radius \"far\" is not a distance in metres (0 < r <= 100000)"},
        /* a number out of range */
        {KIND_SCENARIO, "[scenario]\nmax_snap_m = -1\n",
         ": line 12: [scenario] max_snap_m: -1 is outside [0, 100000]"},
        {KIND_STANDARDS, "[calls]\nsatisfaction_min = 95\n",
         ": line 6: [calls] satisfaction_min: 95 is outside [0, 1]"},
        {KIND_SPEED, "[classes]\nroad = 0\n", ": line 9: [classes] road: 0 must be greater than 0"},
    };
    char text[1024], name[32];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(text, sizeof text, "%s%s", base[cases[i].k], cases[i].add);
        snprintf(name, sizeof name, "kind%zu.ini", i);
        const char *p = write_ini(name, text);
        assert_msg(ctx, load_kind(ctx, cases[i].k, p), p, cases[i].rest);
    }
    /* a required key missing */
    static const struct {
        kind k;
        const char *text, *rest;
    } missing[] = {
        {KIND_SCENARIO, "[streets]\npath = s\n[stations]\npath = s\n[population]\npath = p\n",
         ": [roads] path: missing (required)"},
        {KIND_STANDARDS, "[standard]\ntitle = t\n", ": [standard] name: missing (required)"},
        {KIND_SPEED, "[profile]\naccess_kmh = 15\n", ": [profile] default_kmh: missing (required)"},
        {KIND_PARKS, "[rule]\nname = x\nstandard = y\n", ": [rule] target_share: missing (required)"},
    };
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        const char *p = write_ini("missing.ini", missing[i].text);
        assert_msg(ctx, load_kind(ctx, missing[i].k, p), p, missing[i].rest);
    }
    /* a valid file of each kind loads; a NUL byte or GBK text is refused the same way by every kind */
    for (int k = KIND_SCENARIO; k <= KIND_PARKS; k++) {
        const char *p = write_ini("valid.ini", base[k]);
        assert_ok(ctx, load_kind(ctx, (kind)k, p));
        snprintf(text, sizeof text, "%s", base[k]);
        text[1] = '\0';
        p = tu_tmp("nul.ini");
        tu_write_file(p, text, strlen(base[k]));
        assert_msg(ctx, load_kind(ctx, (kind)k, p), p, ": line 1: contains a NUL byte (not a text file)");
        snprintf(text, sizeof text, "%s; \xB1\xB1\xBE\xA9\n", base[k]); /* 北京 in GBK */
        p = write_ini("gbk.ini", text);
        int line = 1;
        for (const char *q = base[k]; *q; q++)
            line += *q == '\n';
        char rest[128];
        snprintf(rest, sizeof rest, ": line %d: not valid UTF-8 text (save the file as UTF-8, not GBK)",
                 line);
        assert_msg(ctx, load_kind(ctx, (kind)k, p), p, rest);
    }
}

/* The shipped standards file cites a source for every target. */
static void test_standards_sources(void **state)
{
    emscov_ctx *ctx = *state;
    standards *s = NULL;
    assert_ok(ctx, standards_load(ctx, "beijing-2022", tu_source("data"), &s));
    assert_non_null(strstr(s->source_response, "京政发〔2021〕38号"));
    assert_non_null(strstr(s->source_response, "院前医疗急救服务平均反应时间小于12分钟"));
    assert_non_null(strstr(s->source_stations, "每个街道(乡镇)至少设置1个标准化急救工作站"));
    assert_non_null(strstr(s->source_ambulances, "每3万人口配置1辆"));
    assert_non_null(strstr(s->source_ambulances, "大兴区"));
    assert_non_null(strstr(s->source_calls, "急救呼叫满足率不低于95%"));
    assert_non_null(strstr(s->source_parks, "建成区公园绿地500米服务半径覆盖率达到90%"));
    standards_destroy(s);
    /* absent -> NULL */
    const char *p = write_ini("nosource.ini", base[KIND_STANDARDS]);
    assert_ok(ctx, standards_load(ctx, p, tu_source("data"), &s));
    assert_null(s->source_response);
    assert_null(s->source_parks);
    assert_close(s->mean_below_s, 720, 0);
    standards_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries),           cmocka_unit_test(test_long_values_mean_the_same),
        cmocka_unit_test(test_long_lines),        cmocka_unit_test(test_loader_errors),
        cmocka_unit_test(test_allow_empty),       cmocka_unit_test(test_getters),
        cmocka_unit_test(test_decimals),          cmocka_unit_test(test_four_kinds),
        cmocka_unit_test(test_standards_sources),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
