/* tests/geo/test_speed.c: speed profiles: the shipped data/speed/default.ini (values read back against the
 * file's text), every refusal of a bad profile in the loader's one message shape ("<file>: line N: [section]
 * key: ..."), long lines, OSM maxspeed parsing, and the effective-speed arithmetic worked by hand. */
#include "test_util.h"

#include "geo/speed.h"

#include <stdio.h>
#include <string.h>

static const char *write_ini(const char *name, const char *text)
{
    const char *path = tu_tmp(name);
    tu_write_file(path, text, strlen(text));
    return path;
}

/* A minimal valid profile, to which the error cases add one fault. */
#define MIN_PROFILE                                                                                          \
    "[profile]\naccess_kmh = 15\ndefault_kmh = 30\n[periods]\noffpeak = 1\n[classes]\nprimary = 50\n"

static void test_default_profile(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_close(speed_profile_ambulance_factor(sp), 1.0, 0);
    assert_close(speed_profile_access_kmh(sp), 15, 0);
    assert_close(speed_profile_default_kmh(sp), 30, 0);
    assert_string_equal(speed_profile_period(sp), "offpeak");
    assert_close(speed_profile_period_factor(sp), 1.0, 0);
    assert_ok(ctx, speed_profile_set_period(ctx, sp, "peak"));
    assert_string_equal(speed_profile_period(sp), "peak");
    assert_close(speed_profile_period_factor(sp), 0.6, 0);
    assert_ok(ctx, speed_profile_set_period(ctx, sp, "night"));
    assert_close(speed_profile_period_factor(sp), 1.15, 0);
    assert_status_msg(ctx, speed_profile_set_period(ctx, sp, "rush"), EMS_EINPUT,
                      "unknown period \"rush\" (known: offpeak, peak, night)");
    assert_string_equal(speed_profile_period(sp), "night"); /* unchanged by the failure */

    /* class speeds as written in the file; Chinese classes and their English aliases agree */
    static const struct {
        const char *cls;
        double kmh;
    } classes[] = {
        {"快速路", 80},        {"主干路", 50},        {"次干路", 40},       {"支路", 30},
        {"expressway", 80},    {"arterial", 50},      {"collector", 40},    {"local", 30},
        {"motorway", 80},      {"motorway_link", 50}, {"trunk", 70},        {"trunk_link", 40},
        {"primary", 50},       {"primary_link", 40},  {"secondary", 40},    {"secondary_link", 30},
        {"tertiary", 30},      {"tertiary_link", 25}, {"unclassified", 30}, {"residential", 20},
        {"living_street", 10}, {"service", 15},       {"road", 20},         {"Primary", 50},
        {"  motorway ", 80}, /* ASCII case and blanks ignored */
    };
    for (size_t i = 0; i < sizeof classes / sizeof *classes; i++) {
        bool known = false;
        double v = speed_profile_class_kmh(sp, classes[i].cls, &known);
        if (!known || v != classes[i].kmh)
            fail_msg("class %s: %g (known %d), want %g", classes[i].cls, v, known, classes[i].kmh);
    }
    bool known = true;
    assert_close(speed_profile_class_kmh(sp, "footway", &known), 30, 0);
    assert_false(known);
    known = true;
    assert_close(speed_profile_class_kmh(sp, NULL, &known), 30, 0);
    assert_false(known);
    known = true;
    assert_close(speed_profile_class_kmh(sp, "快速", &known), 30, 0); /* a prefix is not the class */
    assert_false(known);

    static const char *const drivable[] = {"motorway",      "motorway_link", "trunk",        "trunk_link",
                                           "primary",       "primary_link",  "secondary",    "secondary_link",
                                           "tertiary",      "tertiary_link", "unclassified", "residential",
                                           "living_street", "service",       "road"};
    for (size_t i = 0; i < sizeof drivable / sizeof *drivable; i++)
        if (!speed_profile_osm_drivable(sp, drivable[i])) fail_msg("%s should be drivable", drivable[i]);
    static const char *const not_drivable[] = {"footway", "pedestrian",   "path",     "cycleway", "steps",
                                               "track",   "construction", "proposed", "busway",   "bogus",
                                               "",        "快速路"};
    for (size_t i = 0; i < sizeof not_drivable / sizeof *not_drivable; i++)
        if (speed_profile_osm_drivable(sp, not_drivable[i]))
            fail_msg("%s should not be drivable", not_drivable[i]);
    assert_false(speed_profile_osm_drivable(sp, NULL));
    speed_profile_destroy(sp);
    speed_profile_destroy(NULL);
}

static void test_minimal_and_defaults(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = NULL;
    /* no ambulance_factor: 1.0; no offpeak period: the first one listed is selected */
    const char *path =
        write_ini("min.ini", "; a comment\n# another\n\xEF\xBB\xBF"
                             "[profile]\naccess_kmh = 12.5 ; inline comment\ndefault_kmh=25\n"
                             "[periods]\nam-peak = 0.55\nnight_2 = 1.2\n[classes]\n次干路 = 35\n");
    assert_status_msg(ctx, speed_profile_load(ctx, path, &sp), EMS_EINPUT,
                      "min.ini: line 3: a byte-order mark is allowed only at the start of the file");
    path = write_ini("min.ini", "\xEF\xBB\xBF; a comment\n# another\n"
                                "[profile]\naccess_kmh = 12.5 ; inline comment\ndefault_kmh=25\n"
                                "[periods]\nam-peak = 0.55\nnight_2 = 1.2\n[classes]\n次干路 = 35\n");
    assert_ok(ctx, speed_profile_load(ctx, path, &sp));
    assert_close(speed_profile_ambulance_factor(sp), 1.0, 0);
    assert_close(speed_profile_access_kmh(sp), 12.5, 0);
    assert_close(speed_profile_default_kmh(sp), 25, 0);
    assert_string_equal(speed_profile_period(sp), "am-peak");
    assert_close(speed_profile_period_factor(sp), 0.55, 1e-15);
    bool known = false;
    assert_close(speed_profile_class_kmh(sp, "次干路", &known), 35, 0);
    assert_true(known);
    assert_false(speed_profile_osm_drivable(sp, "primary")); /* no [osm_classes]: nothing drivable */
    speed_profile_destroy(sp);
}

static void expect_error(emscov_ctx *ctx, const char *name, const char *text, const char *part)
{
    speed_profile *sp = (speed_profile *)1;
    const char *path = write_ini(name, text);
    ems_status st = speed_profile_load(ctx, path, &sp);
    assert_status_msg(ctx, st, EMS_EINPUT, part);
    assert_status_msg(ctx, st, EMS_EINPUT, name); /* the message names the file */
    assert_null(sp);
}

/* data/speed/walk.ini: 4.8 km/h on every way whatever its own speed (a 60 km/h maxspeed is ignored), both
 * directions, no peak slowdown; footways and steps walkable, motorways not. */
static void test_walk_profile(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/walk.ini"), &sp));
    assert_true(speed_profile_walking(sp));
    assert_close(speed_profile_access_kmh(sp), 4.8, 0);
    bool known = false;
    assert_close(speed_profile_effective_kmh(sp, "primary", 60, &known), 4.8, 1e-12);
    assert_true(known);
    assert_close(speed_profile_effective_kmh(sp, "footway", 0, &known), 4.8, 1e-12);
    assert_ok(ctx, speed_profile_set_period(ctx, sp, "peak"));
    assert_close(speed_profile_effective_kmh(sp, "主干路", 50, &known), 4.8, 1e-12);
    assert_true(speed_profile_osm_drivable(sp, "footway"));
    assert_true(speed_profile_osm_drivable(sp, "steps"));
    assert_true(speed_profile_osm_drivable(sp, "residential"));
    assert_false(speed_profile_osm_drivable(sp, "motorway"));
    speed_profile_destroy(sp);
    /* the default profile drives: the road's own speed counts */
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_false(speed_profile_walking(sp));
    assert_close(speed_profile_effective_kmh(sp, "primary", 60, &known), 60, 1e-12);
    speed_profile_destroy(sp);
    expect_error(ctx, "e_mode.ini", "[profile]\nmode = run\ndefault_kmh = 5\n",
                 "e_mode.ini: line 2: [profile] mode: \"run\" is not drive or walk");
}

static void test_errors(void **state)
{
    emscov_ctx *ctx = *state;
    expect_error(ctx, "e_section.ini", MIN_PROFILE "[speeds]\nprimary = 50\n",
                 "e_section.ini: line 8: [speeds]: unknown section (known: [profile], [periods], [classes], "
                 "[osm_classes])");
    expect_error(ctx, "e_empty_section.ini", "[profile]\n[bogus]\n" MIN_PROFILE,
                 "line 2: [bogus]: unknown section");
    expect_error(ctx, "e_section_typo.ini", MIN_PROFILE "[class]\nprimary = 50\n",
                 "line 8: [class]: unknown section (did you mean [classes]?)");
    expect_error(
        ctx, "e_key.ini", "[profile]\naccess_kmh = 15\nspeed = 3\n",
        "e_key.ini: line 3: [profile] speed: unknown key (known: name, ambulance_factor, mode, access_kmh, "
        "default_kmh, road_speeds)");
    expect_error(ctx, "e_key_typo.ini", "[profile]\naccess_kmh = 15\ndefault_khm = 3\n",
                 "line 3: [profile] default_khm: unknown key (did you mean default_kmh?)");
    expect_error(
        ctx, "e_nan.ini", "[profile]\naccess_kmh = fast\n",
        "e_nan.ini: line 2: [profile] access_kmh: \"fast\" is not a number (plain decimals: 12, 0.95)");
    expect_error(ctx, "e_comma.ini", "[profile]\naccess_kmh = 7,5\n",
                 "line 2: [profile] access_kmh: \"7,5\" is not a number");
    expect_error(ctx, "e_exp.ini", "[profile]\naccess_kmh = 1e1\n",
                 "line 2: [profile] access_kmh: \"1e1\" is not a number");
    expect_error(ctx, "e_zero.ini", MIN_PROFILE "secondary = 0\n",
                 "e_zero.ini: line 8: [classes] secondary: 0 must be greater than 0");
    expect_error(ctx, "e_neg.ini", MIN_PROFILE "secondary = -40\n",
                 "line 8: [classes] secondary: -40 must be greater than 0");
    expect_error(ctx, "e_big.ini", MIN_PROFILE "secondary = 400\n",
                 "line 8: [classes] secondary: 400 is implausibly large (more than 200)");
    expect_error(ctx, "e_factor.ini", "[profile]\nambulance_factor = 0\n",
                 "line 2: [profile] ambulance_factor: 0 must be greater than 0");
    expect_error(ctx, "e_period.ini", MIN_PROFILE "[periods]\npeak = 0\n",
                 "line 9: [periods] peak: 0 must be greater than 0");
    expect_error(ctx, "e_period_name.ini", "[periods]\nrush hour = 0.5\n",
                 "line 2: [periods] rush hour: a period name must be letters, digits, '_' or '-'");
    expect_error(ctx, "e_dup.ini", MIN_PROFILE "Primary = 40\n",
                 "e_dup.ini: line 8: [classes] Primary: given twice (first on line 7)");
    expect_error(ctx, "e_dup2.ini", "[profile]\naccess_kmh = 15\naccess_kmh = 16\n",
                 "line 3: [profile] access_kmh: given twice (first on line 2)");
    expect_error(ctx, "e_yesno.ini", MIN_PROFILE "[osm_classes]\nprimary = maybe\n",
                 "line 9: [osm_classes] primary: \"maybe\" must be yes or no");
    expect_error(ctx, "e_syntax.ini", "[profile]\naccess_kmh = 15\njust some text\n",
                 "e_syntax.ini: line 3: not a [section] header, a key = value line or a ; comment");
    expect_error(ctx, "e_syntax2.ini", "[profile\naccess_kmh = 15\n",
                 "line 1: section header without a closing ']'");
    /* a syntax error before one of our errors is the one reported */
    expect_error(ctx, "e_first.ini", "[profile]\noops\naccess_kmh = x\n", "line 2: not a [section] header");
    expect_error(ctx, "e_outside.ini", "access_kmh = 15\n" MIN_PROFILE,
                 "line 1: access_kmh: key before any [section]");
    expect_error(ctx, "e_noaccess.ini", "[profile]\ndefault_kmh = 30\n",
                 "e_noaccess.ini: [profile] access_kmh: missing (required)");
    expect_error(ctx, "e_nodefault.ini", "[profile]\naccess_kmh = 30\n", "[profile] default_kmh: missing");
    expect_error(ctx, "e_noperiod.ini",
                 "[profile]\naccess_kmh = 15\ndefault_kmh = 30\n[classes]\nroad = 20\n",
                 "e_noperiod.ini: [periods]: lists no period (e.g. offpeak = 1.0)");
    expect_error(ctx, "e_noclass.ini",
                 "[profile]\naccess_kmh = 15\ndefault_kmh = 30\n[periods]\noffpeak = 1\n[classes]\n",
                 "e_noclass.ini: line 6: [classes]: lists no road class");
    expect_error(ctx, "e_osmspeed.ini",
                 MIN_PROFILE "[osm_classes]\nprimary = yes\ntrack = no\nservice = yes\n",
                 "line 11: [osm_classes] service: yes, but [classes] has no speed for service");
    expect_error(ctx, "e_name.ini", "[profile]\nname =\n", "e_name.ini: line 2: [profile] name: empty value");
    expect_error(ctx, "e_empty_class.ini", MIN_PROFILE "secondary = ; no speed yet\n",
                 "line 8: [classes] secondary: empty value");

    /* a NUL byte on line 2 */
    const char nul[] = "[profile]\naccess\0_kmh = 15\n";
    const char *path = tu_tmp("e_nul.ini");
    tu_write_file(path, nul, sizeof nul - 1);
    speed_profile *sp = NULL;
    assert_status_msg(ctx, speed_profile_load(ctx, path, &sp), EMS_EINPUT, "line 2: contains a NUL byte");
    assert_null(sp);

    assert_status_msg(ctx, speed_profile_load(ctx, tu_tmp("does-not-exist.ini"), &sp), EMS_EINPUT,
                      "does-not-exist.ini: cannot open");
    assert_null(sp);
}

/* Long lines (libinih's buffer is 200 bytes), CRLF, indented keys and long Chinese class names all read. */
static void test_long_lines(void **state)
{
    emscov_ctx *ctx = *state;
    char text[4096];
    char comment[600], name[400];
    memset(comment, 'c', sizeof comment - 1);
    comment[sizeof comment - 1] = '\0';
    name[0] = '\0';
    for (int k = 0; k < 40; k++) /* 40 x 3 bytes: a class name of 120 bytes */
        strcat(name, "路");
    snprintf(text, sizeof text,
             "[profile]\r\n; %s\r\nname = %s\r\n  access_kmh = 15\r\ndefault_kmh = 30 ; %s\r\n[periods]\r\n"
             "offpeak = 1\r\n[classes]\r\n%s = 44 ; %s\r\n",
             comment, comment, comment, name, comment);
    const char *path = write_ini("long.ini", text);
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, path, &sp));
    assert_close(speed_profile_access_kmh(sp), 15, 0);
    assert_close(speed_profile_default_kmh(sp), 30, 0);
    bool known = false;
    assert_close(speed_profile_class_kmh(sp, name, &known), 44, 0);
    assert_true(known);
    speed_profile_destroy(sp);
    /* the error in a long line names its line; a long key is quoted up to 80 bytes, cut between characters */
    snprintf(text, sizeof text, MIN_PROFILE "%s = -4 ; %s\n", name, comment);
    path = write_ini("long_bad.ini", text);
    char want[800];
    snprintf(want, sizeof want, "long_bad.ini: line 8: [classes] %.78s...: -4 must be greater than 0", name);
    assert_status_msg(ctx, speed_profile_load(ctx, path, &sp), EMS_EINPUT, want);
    assert_null(sp);
}

static void test_maxspeed(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        double kmh;
    } cases[] = {
        {"50", 50},
        {"50 km/h", 50},
        {"50km/h", 50},
        {" 60 ", 60},
        {"80 kmh", 80},
        {"80 kph", 80},
        {"30 mph", 48.28032}, /* 30 x 1.609344 */
        {"20 knots", 37.04},  /* 20 x 1.852 */
        {"7.5", 7.5},
        {"50;30", 50},
        {"40 mph;60", 64.37376}, /* the first value; 40 x 1.609344 */
        {"none", 0},
        {"signals", 0},
        {"walk", 0},
        {"RU:urban", 0},
        {"CN:urban", 0},
        {"variable", 0},
        {"", 0},
        {" ", 0},
        {";50", 0},
        {"0", 0},
        {"-30", 0},
        {"+30", 0},
        {"50 furlongs", 0},
        {"50 Km/h", 0},
        {"7,5", 0},
        {"999", 0}, /* above 300 km/h: a typo */
        {"50 km/h bla", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double v = speed_parse_maxspeed(cases[i].text);
        if (!(v > cases[i].kmh - 1e-9 && v < cases[i].kmh + 1e-9))
            fail_msg("maxspeed \"%s\" -> %.10g, want %.10g", cases[i].text, v, cases[i].kmh);
    }
    assert_close(speed_parse_maxspeed(NULL), 0, 0);
}

static void test_effective(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    bool known = false;
    assert_close(speed_profile_effective_kmh(sp, "primary", 0, &known), 50, 1e-12); /* 50 x 1 x 1 */
    assert_true(known);
    assert_close(speed_profile_effective_kmh(sp, "primary", 72, &known), 72, 1e-12); /* own speed wins */
    assert_ok(ctx, speed_profile_set_period(ctx, sp, "peak"));
    assert_close(speed_profile_effective_kmh(sp, "primary", 0, &known), 30, 1e-12);    /* 50 x 0.6 */
    assert_close(speed_profile_effective_kmh(sp, "primary", 72, &known), 43.2, 1e-12); /* 72 x 0.6 */
    assert_close(speed_profile_effective_kmh(sp, "支路", 0, &known), 18, 1e-12);       /* 30 x 0.6 */
    assert_ok(ctx, speed_profile_set_period(ctx, sp, "night"));
    assert_close(speed_profile_effective_kmh(sp, "motorway", 0, &known), 92, 1e-12); /* 80 x 1.15 */
    speed_profile_destroy(sp);

    const char *path =
        write_ini("eff.ini", "[profile]\nambulance_factor = 1.2\naccess_kmh = 10\n"
                             "default_kmh = 25\n[periods]\nslow = 0.5\n[classes]\n主干路 = 40\n");
    assert_ok(ctx, speed_profile_load(ctx, path, &sp));
    assert_close(speed_profile_effective_kmh(sp, "主干路", 0, &known), 24, 1e-12); /* 40 x 1.2 x 0.5 */
    assert_true(known);
    assert_close(speed_profile_effective_kmh(sp, "unknown", 0, &known), 15, 1e-12); /* 25 x 1.2 x 0.5 */
    assert_false(known);
    assert_close(speed_profile_effective_kmh(sp, "unknown", 60, &known), 36, 1e-12); /* 60 x 1.2 x 0.5 */
    assert_close(speed_profile_effective_kmh(sp, "主干路", -5, &known), 24, 1e-12);  /* not an own speed */
    speed_profile_destroy(sp);
}

/* [period NAME] class factors, the road speed table and the access leg, worked by hand. */
static void test_periods_and_table(void **state)
{
    emscov_ctx *ctx = *state;
    const char *csv = tu_tmp("measured.csv");
    const char table[] = "\xEF\xBB\xBFroad_id, period ,speed_kmh\r\n"
                         "R1,peak,22.5\r\n"
                         "R1,*,44\r\n"
                         "\"R,2\",night,61\r\n"
                         "\r\n"
                         "7,offpeak,33\r\n";
    tu_write_file(csv, table, sizeof table - 1);
    speed_profile *sp = NULL;
    const char *path = write_ini("tod.ini", "[profile]\nambulance_factor = 1.2\naccess_kmh = 0\ndefault_kmh = 30\n"
                                            "road_speeds = measured.csv\n"
                                            "[periods]\noffpeak = 1\npeak = 0.6\nnight = 1.1\n"
                                            "[classes]\nprimary = 50\nsecondary = 40\n支路 = 30\n"
                                            "[period peak]\nprimary = 0.5\n支路 = 0.8\n");
    assert_ok(ctx, speed_profile_load(ctx, path, &sp));
    assert_int_equal(speed_profile_period_count(sp), 3);
    assert_string_equal(speed_profile_period_name(sp, 1), "peak");
    size_t peak = 9, off = 9, night = 9;
    assert_ok(ctx, speed_profile_period_index(ctx, sp, "peak", &peak));
    assert_ok(ctx, speed_profile_period_index(ctx, sp, "night", &night));
    assert_ok(ctx, speed_profile_period_index(ctx, sp, NULL, &off)); /* the selected one: offpeak */
    assert_int_equal(peak, 1);
    assert_int_equal(off, 0);
    assert_status_msg(ctx, speed_profile_period_index(ctx, sp, "rush", &off), EMS_EINPUT,
                      "unknown period \"rush\" (known: offpeak, peak, night)");
    /* class factors: listed for the period, else the period's own factor */
    assert_close(speed_profile_class_factor(sp, peak, "primary"), 0.5, 0);
    assert_close(speed_profile_class_factor(sp, peak, " PRIMARY "), 0.5, 0);
    assert_close(speed_profile_class_factor(sp, peak, "支路"), 0.8, 0);
    assert_close(speed_profile_class_factor(sp, peak, "secondary"), 0.6, 0);
    assert_close(speed_profile_class_factor(sp, peak, "unknown"), 0.6, 0);
    assert_close(speed_profile_class_factor(sp, night, "primary"), 1.1, 0);
    assert_close(speed_profile_class_factor(sp, off, "primary"), 1.0, 0);
    /* effective speeds in the peak: 50 x 1.2 x 0.5 = 30; secondary 40 x 1.2 x 0.6 = 28.8 */
    assert_ok(ctx, speed_profile_set_period(ctx, sp, "peak"));
    assert_close(speed_profile_effective_kmh(sp, "primary", 0, NULL), 30, 1e-12);
    assert_close(speed_profile_effective_kmh(sp, "secondary", 0, NULL), 28.8, 1e-12);
    assert_close(speed_profile_effective_kmh(sp, "primary", 70, NULL), 42, 1e-12); /* own 70 x 1.2 x 0.5 */
    /* the table: R1 22.5 in the peak, 44 otherwise ("*"); "R,2" 61 at night only; 7 offpeak only */
    assert_int_equal(speed_profile_road_count(sp), 3);
    uint32_t r1 = speed_profile_road_index(sp, "R1"), r2 = speed_profile_road_index(sp, "R,2"),
             r7 = speed_profile_road_index(sp, "7");
    assert_true(r1 != SPEED_NO_ROAD && r2 != SPEED_NO_ROAD && r7 != SPEED_NO_ROAD);
    assert_int_equal(speed_profile_road_index(sp, "r1"), SPEED_NO_ROAD); /* ids compare exactly */
    assert_int_equal(speed_profile_road_index(sp, NULL), SPEED_NO_ROAD);
    assert_close(speed_profile_road_kmh(sp, r1, peak), 22.5, 0);
    assert_close(speed_profile_road_kmh(sp, r1, off), 44, 0);
    assert_close(speed_profile_road_kmh(sp, r1, night), 44, 0);
    assert_close(speed_profile_road_kmh(sp, r2, night), 61, 0);
    assert_close(speed_profile_road_kmh(sp, r2, peak), 0, 0);
    assert_close(speed_profile_road_kmh(sp, r7, off), 33, 0);
    assert_close(speed_profile_road_kmh(sp, SPEED_NO_ROAD, off), 0, 0);
    /* a table speed is for its period already: x ambulance factor only (22.5 x 1.2 = 27) */
    assert_close(speed_profile_combine(sp, 50, 0.5, 70, 22.5), 27, 1e-12);
    assert_close(speed_profile_combine(sp, 50, 0.5, 0, 0), 30, 1e-12);
    /* access_kmh = 0: no off-network time */
    assert_close(speed_profile_access_kmh(sp), 0, 0);
    assert_close(speed_profile_access_s(sp, 250), 0, 0);
    speed_profile_destroy(sp);
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_close(speed_profile_access_s(sp, 250), 60, 1e-12); /* 250 m at 15 km/h */
    assert_int_equal(speed_profile_road_count(sp), 0);
    speed_profile_destroy(sp);
}

static void test_period_errors(void **state)
{
    emscov_ctx *ctx = *state;
    expect_error(ctx, "p_class.ini", MIN_PROFILE "[period offpeak]\nbogus = 0.5\n",
                 "line 9: [period offpeak] bogus: bogus is not a road class of [classes]");
    expect_error(ctx, "p_zero.ini", MIN_PROFILE "[period offpeak]\nprimary = 0\n",
                 "line 9: [period offpeak] primary: 0 must be greater than 0");
    expect_error(ctx, "p_unknown.ini", MIN_PROFILE "[period peak]\nprimary = 0.5\n",
                 "line 8: [period peak]: unknown section");
    expect_error(ctx, "p_access.ini", "[profile]\naccess_kmh = -1\ndefault_kmh = 30\n",
                 "line 2: [profile] access_kmh: -1 must be greater than 0");
    static const struct {
        const char *csv, *part;
    } bad[] = {
        {"road,period,speed\n", "bad.csv: line 1: the header must be road_id,period,speed_kmh"},
        {"road_id,period,speed_kmh\nR1,rush,30\n", "bad.csv: line 2: period \"rush\" is not one of the profile's"},
        {"road_id,period,speed_kmh\nR1,*,30\n\nR1,*,40\n", "bad.csv: line 4: road R1, period * given twice (first "
                                                           "on line 2)"},
        {"road_id,period,speed_kmh\nR1,offpeak,0\n", "bad.csv: line 2: speed_kmh \"0\" must be a plain decimal"},
        {"road_id,period,speed_kmh\nR1,offpeak,fast\n", "line 2: speed_kmh \"fast\""},
        {"road_id,period,speed_kmh\nR1,offpeak,30,extra\n", "line 2: expected 3 fields"},
        {"road_id,period,speed_kmh\nR1,offpeak\n", "line 2: expected 3 fields"},
        {"road_id,period,speed_kmh\n\"R1,offpeak,30\n", "line 2: a field is too long or has an unclosed quote"},
        {"road_id,period,speed_kmh\n,offpeak,30\n", "line 2: empty road_id"},
        {"", "bad.csv: empty (no header line)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tu_write_file(tu_tmp("bad.csv"), bad[i].csv, strlen(bad[i].csv));
        const char *ini = write_ini("tbl.ini", "[profile]\naccess_kmh = 15\ndefault_kmh = 30\nroad_speeds = bad.csv\n"
                                               "[periods]\noffpeak = 1\n[classes]\nprimary = 50\n");
        speed_profile *sp = (speed_profile *)1;
        assert_status_msg(ctx, speed_profile_load(ctx, ini, &sp), EMS_EINPUT, bad[i].part);
        assert_null(sp);
    }
    const char *ini = write_ini("tbl2.ini", "[profile]\naccess_kmh = 15\ndefault_kmh = 30\nroad_speeds = none.csv\n"
                                            "[periods]\noffpeak = 1\n[classes]\nprimary = 50\n");
    speed_profile *sp = NULL;
    assert_status_msg(ctx, speed_profile_load(ctx, ini, &sp), EMS_EINPUT, "none.csv: cannot open the road speed table");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_profile), cmocka_unit_test(test_minimal_and_defaults),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_maxspeed),        cmocka_unit_test(test_effective),
        cmocka_unit_test(test_periods_and_table), cmocka_unit_test(test_period_errors),
        cmocka_unit_test(test_walk_profile),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
