/* tests/src/test_parks.c: park service-radius coverage.
 *
 * Hand-worked case (metres, EPSG:32650): parks P1 = [0,100]^2 (1 ha), P2 = [1200,1230]x[0,30] (0.09 ha),
 * P3 = [2000,2050]x[0,50] (0.25 ha). A square of side s buffered by r with 8 segments per quarter circle is
 * the square, four s x r strips and the four corner fans, which together make a 32-gon inscribed in the
 * circle of radius r: area s^2 + 4 s r + 16 r^2 sin(pi/16). Residential land: R1 [200,300]x[0,100] and R1b
 * [250,350]x[0,100] overlap: their union 15000 m2, at most 250 m from P1; R2 [550,650]x[0,100]: P1's 500 m
 * buffer ends at x = 600 (the straight part): 5000 m2 covered; R3 [1000,1100]x[0,100]: 900 m from P1, 100-212
 * m from P2: covered only when P2 counts; R4 [-600,0]^2: beyond P1's corner (0,0) the buffer is the fan: 8
 * triangles = 4 r^2 sin(pi/16) m2 covered; R5 [2300,2400]x[0,50]: 250-350 m from P3: half covered at 300 m (x
 * <= 2350), all at 500 m; R7 [5000,5100]x[0,100]: far from everything, in no sub-district. Sub-districts A =
 * [-1000,575]x[-1000,1000], B = [575,3000]x[-1000,1000]: R2 is split 2500 / 7500 m2.
 *
 * Then against PostGIS (ST_Union(ST_Buffer(park, r, 'quad_segs=8')) and ST_Area(ST_Intersection(...)) on the
 * same geometries) on the generated sample city and on Monaco (OSM quartiers as land, buildings as people).
 */
#include "test_pgutil.h"
#include "test_util.h"

#include "geo/crs.h"
#include "geo/layer.h"
#include "src/analysis/parks.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PARKS_PI 3.14159265358979323846

static double fan(double r)
{
    return 4 * r * r * sin(PARKS_PI / 16);
}

static layer *make_layer(emscov_ctx *ctx, const char *name, int epsg, const char *const *wkt, size_t n)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, epsg, &c));
    assert_ok(ctx, layer_create(ctx, name, "memory", c, &l));
    for (size_t i = 0; i < n; i++)
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt[i]), (int64_t)i + 1, NULL));
    crs_destroy(c);
    return l;
}

#define SQ(x0, y0, x1, y1)                                                                                   \
    "POLYGON((" #x0 " " #y0 ", " #x1 " " #y0 ", " #x1 " " #y1 ", " #x0 " " #y1 ", " #x0 " " #y0 "))"

static const char *const hw_parks[] = {SQ(0, 0, 100, 100), SQ(1200, 0, 1230, 30), SQ(2000, 0, 2050, 50)};
static const char *const hw_res[] = {SQ(200, 0, 300, 100),   SQ(250, 0, 350, 100), SQ(550, 0, 650, 100),
                                     SQ(1000, 0, 1100, 100), SQ(-600, -600, 0, 0), SQ(2300, 0, 2400, 50),
                                     SQ(5000, 0, 5100, 100)};
static const char *const hw_streets[] = {SQ(-1000, -1000, 575, 1000), SQ(575, -1000, 3000, 1000)};

static park_rules *load_rules(emscov_ctx *ctx, const char *name)
{
    char rel[128];
    snprintf(rel, sizeof rel, "data/standards/%s.ini", name);
    assert_non_null(tu_source(rel));
    park_rules *r = NULL;
    assert_ok(ctx, park_rules_load(ctx, tu_source(rel), &r));
    return r;
}

static void test_shipped_rule_sets(void **state)
{
    emscov_ctx *ctx = *state;
    park_rules *r = load_rules(ctx, "parks-gbt51346");
    assert_string_equal(park_rules_name(r), "parks-gbt51346");
    assert_non_null(strstr(park_rules_standard(r), "GB/T 51346-2019"));
    assert_close(park_rules_target_share(r), 0.90, 0);
    assert_int_equal(park_rules_tier_count(r), 1);
    assert_close(park_rules_tier(r, 0).radius_m, 500, 0);
    assert_int_equal(park_rules_tier_for(r, 1), 0); /* any park counts */
    park_rules_destroy(r);

    r = load_rules(ctx, "parks-gb55014");
    assert_non_null(strstr(park_rules_standard(r), "GB 55014-2021"));
    assert_close(park_rules_target_share(r), 0.80, 0);
    park_rules_destroy(r);

    r = load_rules(ctx, "parks-tiered");
    assert_int_equal(park_rules_tier_count(r), 2);
    assert_close(park_rules_tier(r, 0).min_area_ha, 1.0, 0);
    assert_close(park_rules_tier(r, 0).radius_m, 500, 0);
    assert_close(park_rules_tier(r, 1).min_area_ha, 0.2, 0);
    assert_close(park_rules_tier(r, 1).radius_m, 300, 0);
    assert_int_equal(park_rules_tier_for(r, 10000), 0);
    assert_int_equal(park_rules_tier_for(r, 9999.9), 1);
    assert_int_equal(park_rules_tier_for(r, 2000), 1);
    assert_true(park_rules_tier_for(r, 1999.9) == PARKS_EXCLUDED);
    park_rules_destroy(r);
}

static void bad_rules(emscov_ctx *ctx, const char *text, const char *part)
{
    const char *path = tu_tmp("bad.ini");
    tu_write_file(path, text, strlen(text));
    park_rules *r = NULL;
    assert_status_msg(ctx, park_rules_load(ctx, path, &r), EMS_EINPUT, part);
    assert_null(r);
    assert_non_null(strstr(emscov_message(ctx), "bad.ini"));
}

#define RULE_OK "[rule]\nname = x\nstandard = y\ntarget_share = 0.9\n"

static void test_bad_rule_files(void **state)
{
    emscov_ctx *ctx = *state;
    bad_rules(ctx, RULE_OK "[tiers]\n1 = 500\nradius = 300\n",
              "bad.ini: line 7: [tiers] radius: not a park area in hectares (a number >= 0; lines read "
              "min_area_ha = radius_m)");
    bad_rules(ctx, RULE_OK "[tiers]\n1 = far\n",
              "bad.ini: line 6: [tiers] 1: radius \"far\" is not a distance in metres (0 < r <= 100000)");
    bad_rules(ctx, RULE_OK "[tiers]\n1 = -5\n", "line 6: [tiers] 1: radius \"-5\" is not a distance");
    bad_rules(ctx, RULE_OK "[tiers]\n-1 = 500\n", "line 6: [tiers] -1: not a park area");
    bad_rules(ctx, RULE_OK "[tiers]\n1 = 500\n1.0 = 300\n",
              "bad.ini: line 7: [tiers] 1.0: area 1 ha is given twice (first on line 6)");
    bad_rules(ctx, RULE_OK "[tiers]\n1 = 500\n1 = 300\n",
              "bad.ini: line 7: [tiers] 1: given twice (first on line 6)");
    bad_rules(ctx, RULE_OK "[tiers]\n",
              "bad.ini: line 5: [tiers]: no tier (lines read min_area_ha = radius_m");
    bad_rules(ctx, RULE_OK, "bad.ini: [tiers]: no tier");
    bad_rules(ctx, "[rule]\nname = x\nstandard = y\n[tiers]\n0 = 500\n",
              "bad.ini: [rule] target_share: missing");
    bad_rules(ctx, "[rule]\nname = x\ntarget_share = 0.9\n[tiers]\n0 = 500\n",
              "bad.ini: [rule] standard: missing");
    bad_rules(
        ctx, "[rule]\nname = x\nstandard = y\ntarget_share = 90\n[tiers]\n0 = 500\n",
        "bad.ini: line 4: [rule] target_share: \"90\" is not a share between 0 and 1 (write 0.9 for 90 %)");
    bad_rules(ctx, "[rule]\nname = x\nstandard =\ntarget_share = 0.9\n[tiers]\n0 = 500\n",
              "bad.ini: line 3: [rule] standard: empty value");
    bad_rules(ctx, RULE_OK "radius_m = 500\n",
              "bad.ini: line 5: [rule] radius_m: unknown key (known: name, standard, target_share, clause, target_op, points)");
    bad_rules(ctx, RULE_OK "[tier]\n0 = 500\n",
              "bad.ini: line 5: [tier]: unknown section (did you mean [tiers]?)");
    bad_rules(ctx, RULE_OK "name = z\n[tiers]\n0 = 500\n",
              "bad.ini: line 5: [rule] name: given twice (first on line 2)");
    bad_rules(ctx, RULE_OK "[tiers]\nno equals sign here\n",
              "bad.ini: line 6: not a [section] header, a key = value line or a ; comment");
    bad_rules(ctx, RULE_OK "target_op = =>\n[tiers]\n0 = 500\n",
              "bad.ini: line 5: [rule] target_op: \"=>\" is not > or >= (how the text compares the share)");
    bad_rules(ctx, RULE_OK "points = maybe\n[tiers]\n0 = 500\n",
              "bad.ini: line 5: [rule] points: \"maybe\" is not yes or no (may facilities be points?)");
    park_rules *r = NULL;
    assert_status_msg(ctx, park_rules_load(ctx, tu_tmp("missing.ini"), &r), EMS_EINPUT,
                      "missing.ini: cannot open");
    park_tier t[] = {{1, 500}, {1, 300}};
    assert_status_msg(ctx, park_rules_create(ctx, "x", "y", 0.9, t, 2, &r), EMS_EINPUT, "given twice");
    assert_status_msg(ctx, park_rules_create(ctx, "x", "y", 1.5, t, 1, &r), EMS_EINPUT, "target_share");
    assert_null(r);
}

/* A rule file with a long citation, CRLF endings and a BOM reads; its tiers keep their file lines' values. */
static void test_rule_file_text(void **state)
{
    emscov_ctx *ctx = *state;
    char text[1024], cite[600];
    memset(cite, 'G', sizeof cite - 1);
    cite[sizeof cite - 1] = '\0';
    snprintf(text, sizeof text,
             "\xEF\xBB\xBF; tiers\r\n[rule]\r\nname = long\r\nstandard = %s\r\ntarget_share = 0.8 ; 80 %%\r\n"
             "[tiers]\r\n0.2 = 300\r\n# big parks\r\n1.0 = 500\r\n",
             cite);
    const char *path = tu_tmp("long.ini");
    tu_write_file(path, text, strlen(text));
    park_rules *r = NULL;
    assert_ok(ctx, park_rules_load(ctx, path, &r));
    assert_string_equal(park_rules_standard(r), cite);
    assert_close(park_rules_target_share(r), 0.8, 0);
    assert_int_equal(park_rules_tier_count(r), 2);
    assert_close(park_rules_tier(r, 0).min_area_ha, 1.0, 0);
    assert_close(park_rules_tier(r, 0).radius_m, 500, 0);
    assert_close(park_rules_tier(r, 1).min_area_ha, 0.2, 0);
    assert_close(park_rules_tier(r, 1).radius_m, 300, 0);
    park_rules_destroy(r);
}

static void check_hand_worked_tiered(emscov_ctx *ctx, const parks_result *res)
{
    /* tiers: P1 500 m, P3 300 m, P2 excluded */
    assert_int_equal(res->nparks, 3);
    assert_int_equal(res->parks_included, 2);
    assert_int_equal(res->parks_excluded, 1);
    assert_int_equal(res->tiers[0].parks, 1);
    assert_int_equal(res->tiers[1].parks, 1);
    assert_close(res->tiers[0].park_area_m2, 10000, 1e-6);
    assert_close(res->tiers[1].park_area_m2, 2500, 1e-6);
    assert_close(res->excluded_area_m2, 900, 1e-6);
    assert_true(res->park_tier[1] == PARKS_EXCLUDED);
    assert_close(res->service_m2,
                 100.0 * 100 + 4 * 100 * 500 + 16 * 500.0 * 500 * sin(PARKS_PI / 16) + 50.0 * 50 +
                     4 * 50 * 300 + 16 * 300.0 * 300 * sin(PARKS_PI / 16),
                 1e-6);

    double city_res = 15000 + 10000 + 10000 + 360000 + 5000 + 10000;
    double city_cov = 15000 + 5000 + 0 + fan(500) + 2500;
    assert_close(res->city.residential_m2, city_res, 1e-6);
    assert_close(res->city.covered_m2, city_cov, 1e-6);
    assert_close(res->city.share, city_cov / city_res, 1e-12);
    assert_int_equal(res->overlap_groups, 1);
    assert_close(res->overlap_m2, 5000, 1e-6);
    assert_int_equal(res->nunits, 2);
    assert_close(res->units[0].residential_m2, 15000 + 2500 + 360000, 1e-6);
    assert_close(res->units[0].covered_m2, 15000 + 2500 + fan(500), 1e-6);
    assert_close(res->units[1].residential_m2, 7500 + 10000 + 5000, 1e-6);
    assert_close(res->units[1].covered_m2, 2500 + 2500, 1e-6);
    assert_close(res->outside_m2, 10000, 1e-6);
    assert_close(res->outside_covered_m2, 0, 1e-6);
    (void)ctx;
}

static void test_hand_worked(void **state)
{
    emscov_ctx *ctx = *state;
    layer *pk = make_layer(ctx, "parks", 32650, hw_parks, 3);
    layer *rs = make_layer(ctx, "residential", 32650, hw_res, 7);
    layer *st = make_layer(ctx, "streets", 32650, hw_streets, 2);

    park_rules *r = load_rules(ctx, "parks-tiered");
    parks_result *res = NULL;
    assert_ok(ctx, parks_compute(ctx, pk, rs, st, r, &res));
    check_hand_worked_tiered(ctx, res);

    /* population: (50,50) in the park, (599,50) inside, (601,50) outside, (600,50) on the edge (counts),
     * (-300,-300) 424 m from the corner (inside the 32-gon, whose inradius is 500 cos(pi/32) = 497.6 m),
     * (-360,-360) 509 m away (outside) */
    const double x[] = {50, 599, 601, 600, -300, -360}, y[] = {50, 50, 50, 50, -300, -360};
    const double pop[] = {10, 20, 40, 1000, 80, 160};
    double cov = -1, tot = -1;
    assert_ok(ctx, parks_population_share(ctx, res, x, y, pop, 6, NULL, &cov, &tot));
    assert_close(cov, 10 + 20 + 1000 + 80, 0);
    assert_close(tot, 1310, 0);
    bool in[6];
    assert_ok(ctx, parks_points_inside(ctx, res, x, y, 6, in));
    assert_true(in[0] && in[1] && !in[2] && in[3] && in[4] && !in[5]);
    /* 90,000 points on a 5 m lattice across the area (edges included) on 4 worker threads: each answer is
     * GEOSCovers of the point with the service area, and the share the sum over those points */
    {
        GEOSContextHandle_t h = emscov_geos(ctx);
        size_t n = 300 * 300;
        double *gx = malloc(n * sizeof *gx), *gy = malloc(n * sizeof *gy), *gp = malloc(n * sizeof *gp);
        bool *gin = malloc(n * sizeof *gin);
        assert_true(gx && gy && gp && gin);
        for (size_t i = 0; i < n; i++) {
            gx[i] = -800 + 5.0 * (double)(i % 300);
            gy[i] = -800 + 5.0 * (double)(i / 300);
            gp[i] = (double)(i % 7);
        }
        setenv("EMSCOV_THREADS", "4", 1);
        double gcov = -1, gtot = -1, want_cov = 0, want_tot = 0;
        assert_ok(ctx, parks_population_share(ctx, res, gx, gy, gp, n, gin, &gcov, &gtot));
        unsetenv("EMSCOV_THREADS");
        size_t inside = 0;
        for (size_t i = 0; i < n; i++) {
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, gx[i], gy[i]);
            bool want = GEOSCovers_r(h, res->service, pt) == 1;
            GEOSGeom_destroy_r(h, pt);
            if (gin[i] != want)
                fail_msg("point (%g, %g): inside %d, GEOS covers %d", gx[i], gy[i], gin[i], want);
            inside += want;
            want_tot += gp[i];
            if (want) want_cov += gp[i];
        }
        assert_true(inside > 1000 && inside < n - 1000);
        assert_close(gcov, want_cov, 0);
        assert_close(gtot, want_tot, 0);
        free(gx);
        free(gy);
        free(gp);
        free(gin);
    }
    const double bad_pop[] = {10, -1};
    assert_status_msg(ctx, parks_population_share(ctx, res, x, y, bad_pop, 2, NULL, &cov, &tot), EMS_EINPUT,
                      "population point 1");

    /* the service-area layer for the GeoPackage */
    layer *sl = NULL;
    assert_ok(ctx, parks_service_layer(ctx, res, r, layer_crs(pk), &sl));
    assert_int_equal(layer_count(sl), 1);
    assert_string_equal(layer_value_at(sl, 0, 0)->u.s, "parks-tiered");
    assert_int_equal(layer_value_at(sl, 0, 1)->u.i, 2);
    double a = 0;
    assert_int_equal(GEOSArea_r(emscov_geos(ctx), layer_geom(sl, 0), &a), 1);
    assert_close(a, res->service_m2, 1e-6);
    layer_destroy(sl);
    parks_result_destroy(res);
    park_rules_destroy(r);

    /* GB/T 51346: every park at 500 m: P2 now covers R3, P3 covers all of R5; no sub-districts */
    r = load_rules(ctx, "parks-gbt51346");
    assert_ok(ctx, parks_compute(ctx, pk, rs, NULL, r, &res));
    assert_int_equal(res->parks_included, 3);
    assert_int_equal(res->nunits, 0);
    assert_close(res->city.covered_m2, 15000 + 5000 + 10000 + fan(500) + 5000, 1e-6);
    assert_close(res->city.residential_m2, 410000, 1e-6);
    parks_result_destroy(res);
    park_rules_destroy(r);
    layer_destroy(pk);
    layer_destroy(rs);
    layer_destroy(st);
}

/* Each shipped rule set as written, on the hand-worked layers: its target, how it compares, its clause, and
 * the covered land its tiers give (see the comment at the top for the geometry). */
static void test_rule_sets_as_written(void **state)
{
    emscov_ctx *ctx = *state;
    layer *pk = make_layer(ctx, "parks", 32650, hw_parks, 3);
    layer *rs = make_layer(ctx, "residential", 32650, hw_res, 7);
    layer *st = make_layer(ctx, "streets", 32650, hw_streets, 2);
    const double land = 410000;
    struct {
        const char *name, *clause;
        double target;
        bool strict;
        size_t included;
        double covered;
    } cases[] = {
        /* 4.3.4: every park and square, 500 m, more than 90 % */
        {"parks-gbt51346", "GB/T 51346-2019 4.3.4", 0.90, true, 3, 15000 + 5000 + 10000 + fan(500) + 5000},
        /* 2.1.3: more than 80 %, 500 m */
        {"parks-gb55014", "GB 55014-2021 2.1.3", 0.80, true, 3, 15000 + 5000 + 10000 + fan(500) + 5000},
        /* parks of 0.5 ha and more at 500 m: only P1 (1 ha); P2 (0.09 ha) and P3 (0.25 ha) do not count */
        {"parks-gbt50563", "GB/T 50563-2010 (公园绿地服务半径覆盖率)", 0.90, false, 1, 15000 + 5000 + fan(500)},
        /* historic districts: 0.1 ha and more at 300 m: P3 covers R5 up to x = 2350 */
        {"parks-gbt50563-historic", "GB/T 50563-2010 (公园绿地服务半径覆盖率, 历史文化街区)", 0.90, false, 2,
         15000 + 5000 + fan(500) + 2500},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        park_rules *r = load_rules(ctx, cases[k].name);
        assert_string_equal(park_rules_clause(r), cases[k].clause);
        assert_close(park_rules_target_share(r), cases[k].target, 0);
        assert_int_equal(park_rules_target_strict(r), cases[k].strict);
        assert_false(park_rules_points(r));
        parks_result *res = NULL;
        assert_ok(ctx, parks_compute(ctx, pk, rs, st, r, &res));
        assert_int_equal(res->parks_included, cases[k].included);
        assert_close(res->city.residential_m2, land, 1e-6);
        assert_close(res->city.covered_m2, cases[k].covered, 1e-6);
        if (!strcmp(cases[k].name, "parks-gbt50563-historic")) check_hand_worked_tiered(ctx, res);
        parks_result_destroy(res);
        park_rules_destroy(r);
    }
    layer_destroy(pk);
    layer_destroy(rs);
    layer_destroy(st);
}

/* A rule about points (aed-radius: 300 m around each point). A point buffered with 8 segments per quarter is
 * a 32-gon of area 16 r^2 sin(pi/16); the block [0,100]^2 lies within 142 m of the point (0,0), inside the
 * 32-gon's inradius 300 cos(pi/32) = 297 m: covered in full; [400,500]x[0,100] is 400 m away: not covered;
 * [-600,0]^2 holds the quarter of the 32-gon: fan(300). A rule for polygons refuses the points. */
static void test_point_rule(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const aed[] = {"POINT(0 0)", "MULTIPOINT((5000 5000),(6000 6000))"};
    static const char *const blocks[] = {SQ(0, 0, 100, 100), SQ(400, 0, 500, 100), SQ(-600, -600, 0, 0)};
    layer *pts = make_layer(ctx, "aed.geojson", 32650, aed, 2);
    layer *rs = make_layer(ctx, "residential", 32650, blocks, 3);
    park_rules *r = load_rules(ctx, "aed-radius");
    assert_true(park_rules_points(r));
    assert_close(park_rules_target_share(r), 0.90, 0);
    parks_result *res = NULL;
    assert_ok(ctx, parks_compute(ctx, pts, rs, NULL, r, &res));
    assert_int_equal(res->parks_included, 2);
    assert_close(res->service_m2, 3 * 16 * 300.0 * 300 * sin(PARKS_PI / 16), 1e-6);
    assert_close(res->city.residential_m2, 10000 + 10000 + 360000, 1e-6);
    assert_close(res->city.covered_m2, 10000 + fan(300), 1e-6);
    parks_result_destroy(res);
    park_rules_destroy(r);

    r = load_rules(ctx, "parks-gbt51346");
    assert_status_msg(ctx, parks_compute(ctx, pts, rs, NULL, r, &res), EMS_EINPUT,
                      "aed.geojson: record 1: parks must be polygons, this is a Point");
    park_rules_destroy(r);
    static const char *const line[] = {"LINESTRING(0 0, 10 10)"};
    layer *ln = make_layer(ctx, "lines.geojson", 32650, line, 1);
    r = load_rules(ctx, "aed-radius");
    assert_status_msg(ctx, parks_compute(ctx, ln, rs, NULL, r, &res), EMS_EINPUT,
                      "lines.geojson: record 1: facilities of rule set aed-radius must be points or polygons, "
                      "this is a LineString");
    assert_null(res);
    park_rules_destroy(r);
    layer_destroy(ln);
    layer_destroy(pts);
    layer_destroy(rs);
}

/* A residential block covered by two buffers together but by neither alone counts in full. */
static void test_covered_by_two_buffers(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const parks[] = {SQ(0, 0, 100, 100), SQ(1100, 0, 1200, 100)};
    static const char *const res_wkt[] = {SQ(500, 0, 700, 100)};
    layer *pk = make_layer(ctx, "parks", 32650, parks, 2);
    layer *rs = make_layer(ctx, "residential", 32650, res_wkt, 1);
    park_rules *r = load_rules(ctx, "parks-gbt51346");
    parks_result *res = NULL;
    assert_ok(ctx, parks_compute(ctx, pk, rs, NULL, r, &res));
    assert_close(res->city.covered_m2, 20000, 1e-6);
    assert_close(res->city.share, 1, 1e-12);
    parks_result_destroy(res);
    park_rules_destroy(r);
    layer_destroy(pk);
    layer_destroy(rs);
}

static void test_errors(void **state)
{
    emscov_ctx *ctx = *state;
    layer *pk = make_layer(ctx, "parks", 32650, hw_parks, 3);
    layer *empty = make_layer(ctx, "residential.shp", 32650, NULL, 0);
    park_rules *r = load_rules(ctx, "parks-gbt51346");
    parks_result *res = NULL;
    assert_status_msg(ctx, parks_compute(ctx, pk, empty, NULL, r, &res), EMS_EINPUT,
                      "residential.shp: the residential land layer has no features: the park coverage share");
    assert_null(res);

    static const char *const pts[] = {SQ(0, 0, 10, 10), "POINT(5 5)"};
    layer *mixed = make_layer(ctx, "homes.geojson", 32650, pts, 2);
    assert_status_msg(ctx, parks_compute(ctx, pk, mixed, NULL, r, &res), EMS_EINPUT,
                      "homes.geojson: record 2: residential land must be polygons, this is a Point");

    static const char *const far[] = {SQ(0, 0, 10, 10)};
    layer *other = make_layer(ctx, "res_gk.shp", 4548, far, 1);
    assert_status_msg(ctx, parks_compute(ctx, pk, other, NULL, r, &res), EMS_EINTERNAL,
                      "layers in different CRS");
    layer *geo = make_layer(ctx, "res_ll.shp", 4326, far, 1);
    layer *pk_ll = make_layer(ctx, "parks_ll", 4326, far, 1);
    assert_status_msg(ctx, parks_compute(ctx, pk_ll, geo, NULL, r, &res), EMS_EINTERNAL,
                      "not projected in metres");
    assert_null(res);

    /* no park at all: a defined share of 0 and an empty service area */
    static const char *const one[] = {SQ(0, 0, 10, 10)};
    layer *rs1 = make_layer(ctx, "residential", 32650, one, 1);
    assert_ok(ctx, parks_compute(ctx, empty, rs1, NULL, r, &res));
    assert_int_equal(res->parks_included, 0);
    assert_close(res->service_m2, 0, 0);
    assert_close(res->city.share, 0, 0);
    const double px[] = {5}, py[] = {5}, pp[] = {7};
    double cov = -1, tot = -1;
    assert_ok(ctx, parks_population_share(ctx, res, px, py, pp, 1, NULL, &cov, &tot));
    assert_close(cov, 0, 0);
    assert_close(tot, 7, 0);
    parks_result_destroy(res);
    res = NULL;
    layer_destroy(rs1);
    layer_destroy(pk);
    layer_destroy(empty);
    layer_destroy(mixed);
    layer_destroy(other);
    layer_destroy(geo);
    layer_destroy(pk_ll);
    park_rules_destroy(r);
}

/* ---------------------------------------------------------------------------------------------------------
 * PostGIS */

static void pg_exec(PGconn *c, const char *sql)
{
    PGresult *q = PQexec(c, sql);
    if (PQresultStatus(q) != PGRES_COMMAND_OK && PQresultStatus(q) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(q);
}

/* CREATE TEMP TABLE <table>(id int, geom geometry) with every feature of l (WKB, binary parameters). */
static void pg_load(emscov_ctx *ctx, PGconn *c, const char *table, const layer *l, int srid)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SET client_min_messages = warning; DROP TABLE IF EXISTS %s; CREATE TEMP TABLE %s(id int4 "
             "PRIMARY KEY, geom geometry)",
             table, table);
    pg_exec(c, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s(id, geom) VALUES ($1::int4, ST_SetSRID(ST_GeomFromWKB($2), %d))", table, srid);
    pg_exec(c, "BEGIN");
    PGresult *p = PQprepare(c, "", sql, 2, NULL);
    if (PQresultStatus(p) != PGRES_COMMAND_OK) fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(p);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    for (size_t i = 0; i < layer_count(l); i++) {
        size_t len = 0;
        unsigned char *wkb = GEOSWKBWriter_write_r(h, w, layer_geom(l, i), &len);
        assert_non_null(wkb);
        char id[32];
        snprintf(id, sizeof id, "%zu", i);
        const char *values[2] = {id, (const char *)wkb};
        int lengths[2] = {0, (int)len}, formats[2] = {0, 1};
        PGresult *q = PQexecPrepared(c, "", 2, values, lengths, formats, 0);
        if (PQresultStatus(q) != PGRES_COMMAND_OK) fail_msg("insert into %s: %s", table, PQerrorMessage(c));
        PQclear(q);
        GEOSFree_r(h, wkb);
    }
    GEOSWKBWriter_destroy_r(h, w);
    pg_exec(c, "COMMIT");
}

/* The buffer radius of a park of the tiered rule set, as SQL, written from the file's published values. */
static const char *const SQL_RADIUS_TIERED =
    "CASE WHEN ST_Area(geom) >= 10000 THEN 500 WHEN ST_Area(geom) >= 2000 THEN 300 END";

/* PostGIS: city figure (row 0) and per street (rows 1..). Returns a PGresult with columns id, covered, total.
 */
static PGresult *pg_coverage(PGconn *c, const char *radius_sql, double *seconds)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "WITH svc AS (SELECT ST_Union(ST_Buffer(geom, %s, 'quad_segs=8')) AS g FROM t_parks_pk "
             "             WHERE (%s) IS NOT NULL), "
             "res AS (SELECT ST_Union(geom) AS g FROM t_parks_res) "
             "SELECT -1, ST_Area(ST_Intersection(res.g, svc.g)), ST_Area(res.g) FROM res, svc "
             "UNION ALL "
             "SELECT st.id, ST_Area(ST_Intersection(ST_Intersection(st.geom, res.g), svc.g)), "
             "       ST_Area(ST_Intersection(st.geom, res.g)) FROM t_parks_st st, res, svc "
             "ORDER BY 1",
             radius_sql, radius_sql);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    PGresult *q = PQexec(c, sql);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (seconds) *seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (PQresultStatus(q) != PGRES_TUPLES_OK) fail_msg("%s: %s", sql, PQerrorMessage(c));
    return q;
}

static void assert_rel(double got, double want, double rel, const char *what, long row)
{
    double tol = rel * fmax(fabs(want), 1.0);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s (row %ld): emscov %.6f, PostGIS %.6f (relative difference %.3g)", what, row, got, want,
                 fabs(got - want) / fmax(fabs(want), 1.0));
}

/* Compare one result with PostGIS row by row; returns the largest relative difference seen. */
static double compare_with_pg(const parks_result *res, PGresult *q, size_t nunits)
{
    assert_int_equal(PQntuples(q), (int)nunits + 1);
    double worst = 0;
    for (int row = 0; row < PQntuples(q); row++) {
        long id = atol(PQgetvalue(q, row, 0));
        double cov = atof(PQgetvalue(q, row, 1)), tot = atof(PQgetvalue(q, row, 2));
        const parks_unit *u = id < 0 ? &res->city : &res->units[id];
        assert_rel(u->residential_m2, tot, 1e-6, "residential area", id);
        assert_rel(u->covered_m2, cov, 1e-6, "covered area", id);
        if (tot > 0) {
            assert_rel(u->share, cov / tot, 1e-6, "share", id);
            worst = fmax(worst, fabs(u->share - cov / tot) / fmax(cov / tot, 1e-12));
        }
        worst = fmax(worst, fabs(u->covered_m2 - cov) / fmax(cov, 1.0));
        worst = fmax(worst, fabs(u->residential_m2 - tot) / fmax(tot, 1.0));
    }
    return worst;
}

static layer *read_to(emscov_ctx *ctx, const char *path, const crs *to)
{
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, path, NULL, &l));
    assert_ok(ctx, layer_transform(ctx, l, to));
    return l;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One city directory (the generated sample, or a bigger one for timings) against PostGIS with both rule sets.
 */
static void city_vs_postgis(emscov_ctx *ctx, const char *dir, bool timings)
{
    char path[3][1024];
    snprintf(path[0], sizeof path[0], "%s/parks.geojson", dir);
    snprintf(path[1], sizeof path[1], "%s/residential.shp", dir);
    snprintf(path[2], sizeof path[2], "%s/streets_utf8.shp", dir);
    crs *utm = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &utm));
    double t0 = now_s();
    layer *pk = read_to(ctx, path[0], utm), *rs = read_to(ctx, path[1], utm),
          *st = read_to(ctx, path[2], utm);
    double t_read = now_s() - t0;
    PGconn *c = tu_pg_connect();
    pg_load(ctx, c, "t_parks_pk", pk, 32650);
    pg_load(ctx, c, "t_parks_res", rs, 32650);
    pg_load(ctx, c, "t_parks_st", st, 32650);

    const char *rule_names[] = {"parks-tiered", "parks-gbt51346"};
    const char *radius_sql[] = {SQL_RADIUS_TIERED, "500"};
    for (int k = 0; k < 2; k++) {
        park_rules *r = load_rules(ctx, rule_names[k]);
        parks_result *res = NULL;
        t0 = now_s();
        assert_ok(ctx, parks_compute(ctx, pk, rs, st, r, &res));
        double t_emscov = now_s() - t0, t_pg = 0;
        PGresult *q = pg_coverage(c, radius_sql[k], &t_pg);
        double worst = compare_with_pg(res, q, layer_count(st));
        PQclear(q);
        print_message(
            "%s, %s: %zu parks (%zu included), %zu residential polygons, %zu sub-districts: city share "
            "%.6f; largest relative difference from PostGIS %.2g\n",
            dir, rule_names[k], res->nparks, res->parks_included, layer_count(rs), layer_count(st),
            res->city.share, worst);
        if (timings) {
            parks_result *city = NULL;
            double t1 = now_s();
            assert_ok(ctx, parks_compute(ctx, pk, rs, NULL, r, &city));
            print_message("  parks_compute without sub-districts (city figure only): %.3f s\n", now_s() - t1);
            assert_rel(city->city.covered_m2, res->city.covered_m2, 1e-9, "city covered area", -1);
            parks_result_destroy(city);
        }
        if (timings)
            print_message(
                "  timings: read+transform %.2f s; parks_compute %.3f s; PostGIS SQL %.3f s; ratio %.1f\n",
                t_read, t_emscov, t_pg, t_pg / t_emscov);
        parks_result_destroy(res);
        park_rules_destroy(r);
    }
    /* the AED radius rule (points) on the sample city's AED points (data/sample/aed.csv, lon/lat) */
    char aed_path[1024];
    snprintf(aed_path, sizeof aed_path, "%s/aed.csv", dir);
    FILE *af = fopen(aed_path, "r");
    if (af) {
        fclose(af);
        layer *aed = NULL;
        const layer_read_opts o = {.srs = "EPSG:4326"};
        assert_ok(ctx, layer_read(ctx, aed_path, &o, &aed));
        assert_ok(ctx, layer_transform(ctx, aed, utm));
        pg_load(ctx, c, "t_parks_pk", aed, 32650);
        park_rules *r = load_rules(ctx, "aed-radius");
        parks_result *res = NULL;
        assert_ok(ctx, parks_compute(ctx, aed, rs, st, r, &res));
        assert_int_equal(res->parks_included, layer_count(aed));
        PGresult *q = pg_coverage(c, "300", NULL);
        double worst = compare_with_pg(res, q, layer_count(st));
        PQclear(q);
        print_message("%s, aed-radius: %zu AED points, city share %.6f; largest relative difference from "
                      "PostGIS %.2g\n",
                      dir, layer_count(aed), res->city.share, worst);
        parks_result_destroy(res);
        park_rules_destroy(r);
        layer_destroy(aed);
    }
    PQfinish(c);
    layer_destroy(pk);
    layer_destroy(rs);
    layer_destroy(st);
    crs_destroy(utm);
}

static void test_sample_city_vs_postgis(void **state)
{
    const char *dir = tu_sample("");
    if (!dir) {
        print_message("EMSCOV_SAMPLE_DIR not set: skipped\n");
        skip();
    }
    city_vs_postgis(*state, dir, false);
}

/* EMSCOV_PARKS_BENCH_DIR=<dir of emscov-gencity --preset beijing>: the same comparison with timings. */
static void test_bench_city_vs_postgis(void **state)
{
    const char *dir = getenv("EMSCOV_PARKS_BENCH_DIR");
    if (!dir || !*dir) {
        print_message("EMSCOV_PARKS_BENCH_DIR not set: skipped\n");
        skip();
    }
    city_vs_postgis(*state, dir, true);
}

/* Monaco: no residential land is tagged and buildings.csv only has centroids, so the real-data check is
 * (a) the 9 quartiers (admin_level 10) as "land" and as sub-districts, with the real OSM park polygons, and
 * (b) the population share from the building centroids weighted by area x max(levels, 1). */
static void test_monaco_vs_postgis(void **state)
{
    emscov_ctx *ctx = *state;
    const char *parks_path = tu_shared("data/real/monaco-osm-2016/derived/parks.geojson");
    tu_require_shared(parks_path);
    char sub_path[1024], bld_path[1024];
    snprintf(sub_path, sizeof sub_path, "%s",
             tu_shared("data/real/monaco-osm-2016/derived/subdistricts.geojson"));
    snprintf(bld_path, sizeof bld_path, "%s", tu_shared("data/real/monaco-osm-2016/derived/buildings.csv"));
    crs *utm = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32632, &utm));
    layer *pk = read_to(ctx, parks_path, utm), *all = read_to(ctx, sub_path, utm);
    layer *q10 = NULL;
    assert_ok(ctx, layer_create(ctx, "quartiers", "memory", utm, &q10));
    int lvl = layer_field_index(all, "admin_level");
    assert_true(lvl >= 0);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < layer_count(all); i++) {
        const layer_value *v = layer_value_at(all, i, (size_t)lvl);
        if (!v->is_null && !strcmp(v->u.s, "10"))
            assert_ok(ctx, layer_append_take(ctx, q10, GEOSGeom_clone_r(h, layer_geom(all, i)),
                                             layer_record(all, i), NULL));
    }
    assert_int_equal(layer_count(q10), 9);

    PGconn *c = tu_pg_connect();
    pg_load(ctx, c, "t_parks_pk", pk, 32632);
    pg_load(ctx, c, "t_parks_res", q10, 32632);
    pg_load(ctx, c, "t_parks_st", q10, 32632);
    park_rules *r = load_rules(ctx, "parks-tiered");
    parks_result *res = NULL;
    assert_ok(ctx, parks_compute(ctx, pk, q10, q10, r, &res));
    PGresult *q = pg_coverage(c, SQL_RADIUS_TIERED, NULL);
    double worst = compare_with_pg(res, q, 9);
    PQclear(q);
    print_message("Monaco quartiers, parks-tiered: %zu parks (%zu included), share %.6f, largest relative "
                  "difference from PostGIS %.2g\n",
                  res->nparks, res->parks_included, res->city.share, worst);

    /* population from building centroids */
    layer *b = NULL;
    assert_ok(ctx, layer_read(ctx, bld_path, NULL, &b));
    size_t n = layer_count(b);
    double *x = calloc(n, sizeof *x), *y = calloc(n, sizeof *y), *pop = calloc(n, sizeof *pop);
    assert_true(x && y && pop);
    int fa = layer_field_index(b, "area_m2"), fl = layer_field_index(b, "levels");
    assert_true(fa >= 0 && fl >= 0);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double lv = layer_value_number(b, i, (size_t)fl);
        pop[i] = layer_value_number(b, i, (size_t)fa) * (isnan(lv) || lv < 1 ? 1 : lv);
        sum += pop[i];
        assert_int_equal(GEOSGeomGetX_r(h, layer_geom(b, i), &x[i]), 1);
        assert_int_equal(GEOSGeomGetY_r(h, layer_geom(b, i), &y[i]), 1);
    }
    pg_exec(c, "SET client_min_messages = warning; DROP TABLE IF EXISTS t_parks_pop; CREATE TEMP TABLE "
               "t_parks_pop(lon float8, lat float8, pop float8)");
    pg_exec(c, "BEGIN");
    for (size_t i = 0; i < n; i++) {
        char sql[256];
        pop[i] *= 38000 / sum;
        snprintf(sql, sizeof sql, "INSERT INTO t_parks_pop VALUES (%.17g, %.17g, %.17g)", x[i], y[i], pop[i]);
        pg_exec(c, sql);
    }
    pg_exec(c, "COMMIT");
    crs *ll = NULL;
    crs_transformer *tr = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &ll));
    assert_ok(ctx, crs_transformer_create(ctx, ll, utm, &tr));
    assert_ok(ctx, crs_transform_xy(ctx, tr, x, y, n));
    double cov = 0, tot = 0;
    assert_ok(ctx, parks_population_share(ctx, res, x, y, pop, n, NULL, &cov, &tot));
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH svc AS (SELECT ST_Union(ST_Buffer(geom, %s, 'quad_segs=8')) AS g FROM t_parks_pk WHERE "
             "(%s) IS NOT "
             "NULL) SELECT sum(pop) FILTER (WHERE ST_Covers(svc.g, ST_Transform(ST_SetSRID(ST_MakePoint(lon, "
             "lat), "
             "4326), 32632))), sum(pop) FROM t_parks_pop, svc",
             SQL_RADIUS_TIERED, SQL_RADIUS_TIERED);
    q = PQexec(c, sql);
    assert_int_equal(PQresultStatus(q), PGRES_TUPLES_OK);
    assert_rel(cov, atof(PQgetvalue(q, 0, 0)), 1e-9, "covered population", -1);
    assert_rel(tot, atof(PQgetvalue(q, 0, 1)), 1e-9, "population", -1);
    print_message("Monaco buildings: %.1f of %.1f residents within the service area (PostGIS %s)\n", cov, tot,
                  PQgetvalue(q, 0, 0));
    PQclear(q);
    crs_transformer_destroy(tr);
    crs_destroy(ll);
    free(x);
    free(y);
    free(pop);
    layer_destroy(b);
    PQfinish(c);
    parks_result_destroy(res);
    park_rules_destroy(r);
    layer_destroy(pk);
    layer_destroy(all);
    layer_destroy(q10);
    crs_destroy(utm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_rule_sets),      cmocka_unit_test(test_bad_rule_files),
        cmocka_unit_test(test_rule_file_text),         cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_covered_by_two_buffers), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_rule_sets_as_written),   cmocka_unit_test(test_point_rule),
        cmocka_unit_test(test_sample_city_vs_postgis), cmocka_unit_test(test_monaco_vs_postgis),
        cmocka_unit_test(test_bench_city_vs_postgis),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
