/* tests/src/test_sites.c: what-if gains of candidate sites.
 * 1. A city worked by hand (36 km/h road along y = 500, so 100 m = 10 s; access legs at 15 km/h; standard 2 min):
 *    sub-districts A (0..1000) and B (1000..3000); station S1 at x = 100 (2 ambulances, no turn-out); people p1
 *    (500,500) 100, p2 (1500,500) 200, p3 (2500,500) 300, p4 (2900,800) 50 (a 300 m access leg: 72 s).
 *    From S1: 40, 140, 240 and 280 + 72 s: only p1 within 120 s. B has no station (a gap).
 *    C1 (2000,500) in B: 150, 50, 50, 90 + 72 s: p2 and p3 newly covered (500); mean change counts p2 and p3
 *    (within the standard): (200 x -90 + 300 x -190) / 650; fills B's gap.
 *    C2 (600,700): snapped 200 m away, a 48 s access leg: p1 at 58 s: nothing new, but p1's backup (none
 *    before): 100.  C3 (5000,5000) is 4.5 km from the road: dropped.
 *    MEXCLP with 24 calls/day x 60 min: q = 1440 / (1440 x 2) = 0.5 now, 0.25 with a new 2-ambulance station;
 *    expected now 100 x (1 - 0.25); with C1: 100 x (1 - 0.25^2) + 200 x ... + 300 x ... = 562.5 (gain 487.5);
 *    with C2: 100 x (1 - 0.25^4) = 99.609375 (gain 24.609375).
 * 3. A saturated city for the plan (test_plan_ladder): everybody is within the standard already, two gaps.
 * 2. The sample city with a 4-minute standard: the newly covered population of candidates equals the difference
 *    of two full analyze runs, the second with the candidate appended to the stations; likewise the backup gain.
 * 3. A turn restriction (a line layer's turn table): a candidate's score obeys it (see test_turn_restriction).
 */
#include "test_util.h"

#include "src/analysis/sites_plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA_DIR_FOR_TESTS tu_source("data")

static void write_text(const char *path, const char *text)
{
    tu_write_file(path, text, strlen(text));
}

/* The road of both test cities (36 km/h along y = 500 from x = 0 to x_end) and their 2-minute standard. */
static void write_road(const char *dir, int x_end)
{
    char p[1024], text[600];
    snprintf(p, sizeof p, "%s/roads.geojson", dir);
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:32650\"}},"
             "\"features\":[{\"type\":\"Feature\",\"properties\":{\"CLASS\":\"支路\",\"SPEED\":36},\"geometry\":"
             "{\"type\":\"LineString\",\"coordinates\":[[0,500],[%d,500]]}}]}\n",
             x_end);
    write_text(p, text);
}

static void write_std(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/std.ini", dir);
    write_text(p, "[standard]\nname = two-minutes\ntitle = test\n[response]\nmean_below_min = 12\n"
                  "coverage_within_min = 2\n[stations]\nmin_per_subdistrict = 1\n[ambulances]\n"
                  "residents_per_ambulance = 30000\n[calls]\nsatisfaction_min = 0.95\n[parks]\n"
                  "rules = parks-gbt51346\ntarget_share = 0.90\n");
}

static void write_hand_city(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/streets.geojson", dir);
    write_text(p, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:32650\"}},"
                  "\"features\":[{\"type\":\"Feature\",\"properties\":{\"CODE\":\"A\"},\"geometry\":{\"type\":\"Polygon\","
                  "\"coordinates\":[[[0,0],[1000,0],[1000,1000],[0,1000],[0,0]]]}},{\"type\":\"Feature\",\"properties\":"
                  "{\"CODE\":\"B\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[1000,0],[3000,0],[3000,1000],"
                  "[1000,1000],[1000,0]]]}}]}\n");
    write_road(dir, 3000);
    snprintf(p, sizeof p, "%s/stations.csv", dir);
    write_text(p, "id,x,y,amb\n1,100,500,2\n");
    snprintf(p, sizeof p, "%s/people.csv", dir);
    write_text(p, "id,x,y,pop\n1,500,500,100\n2,1500,500,200\n3,2500,500,300\n4,2900,800,50\n");
    snprintf(p, sizeof p, "%s/cand.csv", dir);
    write_text(p, "id,x,y,kind\nC1,2000,500,a\nC2,600,700,b\nC3,5000,5000,a\n");
    snprintf(p, sizeof p, "%s/water.geojson", dir);
    write_text(p, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:32650\"}},"
                  "\"features\":[{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":\"Polygon\","
                  "\"coordinates\":[[[1900,400],[2100,400],[2100,600],[1900,600],[1900,400]]]}}]}\n");
    write_std(dir);
    snprintf(p, sizeof p, "%s/scenario.ini", dir);
    write_text(p, "[scenario]\nname = hand\nworking_epsg = 32650\nstandards = std.ini\n"
                  "[streets]\npath = streets.geojson\ncode_field = CODE\n"
                  "[stations]\npath = stations.csv\nsrs = EPSG:32650\nid_field = id\nambulances_field = amb\n"
                  "[population]\npath = people.csv\nsrs = EPSG:32650\nkind = points\ncount_field = pop\n"
                  "[roads]\npath = roads.geojson\nclass_field = CLASS\nspeed_field = SPEED\n");
}

typedef struct run {
    scenario *sc;
    analysis *a;
    sites_result *r;
} run;

static ems_status start(emscov_ctx *ctx, const char *scen, const sites_opts *o, run *u)
{
    memset(u, 0, sizeof *u);
    ems_status st = scenario_load(ctx, scen, DATA_DIR_FOR_TESTS, &u->sc);
    if (st == EMS_OK)
        st = analysis_run(ctx, u->sc, &u->a);
    if (st == EMS_OK)
        st = sites_evaluate(ctx, u->a, o, &u->r);
    return st;
}

static void stop(run *u)
{
    sites_destroy(u->r);
    analysis_destroy(u->a);
    scenario_destroy(u->sc);
}

static const sites_candidate *by_id(const sites_result *r, const char *id)
{
    for (size_t i = 0; i < r->ncand; i++)
        if (!strcmp(r->cand[i].id, id))
            return &r->cand[i];
    fail_msg("no candidate %s", id);
    return NULL;
}

static void test_hand_worked(void **state)
{
    emscov_ctx *ctx = *state;
    const char *dir = tu_tmp("hand");
    char cmd[1200], scen[1024], cand[1024], water[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    write_hand_city(dir);
    snprintf(scen, sizeof scen, "%s/scenario.ini", dir);
    snprintf(cand, sizeof cand, "%s/cand.csv", dir);
    snprintf(water, sizeof water, "%s/water.geojson", dir);
    sites_opts o = {.cand_path = cand, .cand_ro = {.srs = "EPSG:32650"}, .turnout_s = -1, .ambulances = -1,
                    .calls_per_day = 24, .job_min = 60};
    run u;
    assert_ok(ctx, start(ctx, scen, &o, &u));
    const sites_result *r = u.r;
    assert_close(r->standard_s, 120, 0);
    assert_close(r->pop_total, 650, 0);
    assert_close(r->base_covered, 100, 1e-9);
    assert_close(r->base_mean_s, (100 * 40 + 200 * 140 + 300 * 240 + 50 * 352.0) / 650, 1e-9);
    assert_int_equal(r->base_gaps, 1);
    assert_close(r->turnout_s, 0, 0);
    assert_close(r->ambulances, 2, 0);
    assert_int_equal(r->offered, 3);
    assert_int_equal(r->unsnapped, 1);
    assert_int_equal(r->ncand, 2);
    const sites_candidate *c1 = by_id(r, "C1"), *c2 = by_id(r, "C2");
    assert_close(c1->new_pop, 500, 1e-9);
    assert_close(c1->mean_change_s, (200 * -90.0 + 300 * -190.0) / 650, 1e-9);
    assert_true(c1->fills_gap);
    assert_close(c1->backup_pop, 0, 0);
    assert_close(c1->covered_pop, 500, 1e-9);
    assert_close(c2->delay_s, 48, 1e-9);
    assert_close(c2->new_pop, 0, 0);
    assert_close(c2->mean_change_s, 0, 0);
    assert_false(c2->fills_gap);
    assert_close(c2->backup_pop, 100, 1e-9);
    assert_int_equal(c1->rank, 1);
    assert_int_equal(c2->rank, 2);
    /* MEXCLP */
    assert_close(r->q_base, 0.5, 1e-15);
    assert_close(r->q_new, 0.25, 1e-15);
    assert_close(r->exp_base, 75, 1e-9);
    assert_close(c1->mexclp_gain, 562.5 - 75, 1e-9);
    assert_close(c2->mexclp_gain, 99.609375 - 75, 1e-9);
    /* the instance: the uncovered points p2 p3 p4; C1 covers p2 and p3 */
    opt_instance in;
    sites_instance(r, &in);
    assert_int_equal(in.npts, 3);
    assert_int_equal(in.start[1] - in.start[0], 2);
    double cov, q, ex;
    uint32_t sel[] = {0, 1};
    assert_ok(ctx, sites_selection_eval(ctx, r, sel, 2, &cov, &q, &ex));
    assert_close(cov, 600, 1e-9);
    assert_close(q, 1440.0 / (1440 * 6), 1e-15); /* 2 + 2 + 2 ambulances */
    {
        double q6 = 1.0 / 6; /* p1: S1, C1? no (150 s); C2: 2 + 2; p2, p3: C1 */
        assert_close(ex, 100 * (1 - pow(q6, 4)) + 500 * (1 - q6 * q6), 1e-9);
    }
    stop(&u);

    /* the exclusion polygon around C1 drops it; closing S1 leaves nobody covered: C2 then brings p1 */
    sites_opts ox = o;
    ox.exclude_path = water;
    const char *close[] = {"1"};
    ox.close_ids = close;
    ox.nclose = 1;
    ox.calls_per_day = ox.job_min = 0;
    ox.turnout_s = 30;
    assert_ok(ctx, start(ctx, scen, &ox, &u));
    assert_int_equal(u.r->excluded, 1);
    assert_int_equal(u.r->ncand, 1);
    assert_close(u.r->base_covered, 0, 0);
    assert_int_equal(u.r->base_gaps, 2);
    assert_close(u.r->cand[0].delay_s, 78, 1e-9);
    assert_close(u.r->cand[0].new_pop, 100, 1e-9); /* 78 + 10 s */
    assert_true(u.r->cand[0].fills_gap);
    assert_true(isnan(u.r->cand[0].mexclp_gain));
    stop(&u);

    /* bad input */
    const char *bad[] = {"9"};
    ox.close_ids = bad;
    assert_status_msg(ctx, start(ctx, scen, &ox, &u), EMS_EINPUT, "--close 9: no station has this id (id of");
    stop(&u);
    sites_opts oe = o;
    oe.cand_where = "kind = z";
    assert_status_msg(ctx, start(ctx, scen, &oe, &u), EMS_EINPUT, "cand.csv: no candidate points match --candidates-where");
    stop(&u);
    oe.cand_where = "kind = b";
    oe.exclude_path = NULL;
    assert_ok(ctx, start(ctx, scen, &oe, &u)); /* only C2 */
    assert_int_equal(u.r->ncand, 1);
    stop(&u);
    oe.cand_where = "id = C3";
    assert_status_msg(ctx, start(ctx, scen, &oe, &u), EMS_EINPUT,
                      "no candidate site left: 1 offered, 0 inside the exclusion polygons, 1 farther than max_snap_m");
    stop(&u);
    sites_opts on = {.turnout_s = -1, .ambulances = -1};
    assert_status_msg(ctx, start(ctx, scen, &on, &u), EMS_EINPUT, "no candidates: give --candidates");
    stop(&u);
    /* generated: gap centroid of B = population-weighted centre of p2 p3 p4 */
    on.gap_centroids = true;
    assert_ok(ctx, start(ctx, scen, &on, &u));
    assert_int_equal(u.r->ncand, 1);
    assert_string_equal(u.r->cand[0].id, "gap-B");
    assert_close(u.r->cand[0].x, (1500 * 200 + 2500 * 300 + 2900 * 50.0) / 550, 1e-9);
    assert_close(u.r->cand[0].y, (500 * 500 + 800 * 50.0) / 550, 1e-9);
    stop(&u);
}

/* 3. A turn restriction (a line layer's turn table) worked by hand: roads of 10 m/s, a 2-minute standard.
 *
 *                       N (1000,2000)          r1: (-1000,1000) -> C, 2000 m, one link (no node in between)
 *                       | r3 (N -> C)          r2: C -> E, r3: N -> C, r4: C -> S, 1000 m each
 *    S1 ---- C1 ------- C ------- E (2000,1000)
 *  (-1000,1000) (0,1000)| r4                   no_left_turn r1 -> r3 at C
 *                       S (1000,0)
 * People: p1 (1000,1100) 100 on r3, p2 (1000,900) 200 on r4. From station S1: p2 200 + 10 = 210 s; p1 may
 * not be reached by turning left at C: a U-turn at E or S gives C at 400, p1 at 410 s. Nobody is covered.
 * Candidate C1 (0,1000), mid-r1: p2 at 110 s (newly covered); p1 at 310 s (C at 100 s by r1, the left turn
 * forbidden; a U-turn at E, S or S1 brings it back to C at 300 s), not covered. Scored from C's own time,
 * as before route_ws_link_entry_time, p1 would count at 110 s: new 300, mean change -50000 / 300. */
static void test_turn_restriction(void **state)
{
    emscov_ctx *ctx = *state;
    const char *dir = tu_tmp("turns");
    char p[1200];
    snprintf(p, sizeof p, "mkdir -p %s", dir);
    assert_int_equal(system(p), 0);
    snprintf(p, sizeof p, "%s/streets.geojson", dir);
    write_text(p, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:32650\"}},"
                  "\"features\":[{\"type\":\"Feature\",\"properties\":{\"CODE\":\"A\"},\"geometry\":{\"type\":\"Polygon\","
                  "\"coordinates\":[[[-1500,-500],[2500,-500],[2500,2500],[-1500,2500],[-1500,-500]]]}}]}\n");
    snprintf(p, sizeof p, "%s/roads.geojson", dir);
    write_text(p, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:32650\"}},"
                  "\"features\":["
                  "{\"type\":\"Feature\",\"properties\":{\"ID\":\"r1\",\"CLASS\":\"支路\",\"SPEED\":36},\"geometry\":"
                  "{\"type\":\"LineString\",\"coordinates\":[[-1000,1000],[1000,1000]]}},"
                  "{\"type\":\"Feature\",\"properties\":{\"ID\":\"r2\",\"CLASS\":\"支路\",\"SPEED\":36},\"geometry\":"
                  "{\"type\":\"LineString\",\"coordinates\":[[1000,1000],[2000,1000]]}},"
                  "{\"type\":\"Feature\",\"properties\":{\"ID\":\"r3\",\"CLASS\":\"支路\",\"SPEED\":36},\"geometry\":"
                  "{\"type\":\"LineString\",\"coordinates\":[[1000,2000],[1000,1000]]}},"
                  "{\"type\":\"Feature\",\"properties\":{\"ID\":\"r4\",\"CLASS\":\"支路\",\"SPEED\":36},\"geometry\":"
                  "{\"type\":\"LineString\",\"coordinates\":[[1000,1000],[1000,0]]}}]}\n");
    snprintf(p, sizeof p, "%s/turns.csv", dir);
    write_text(p, "from_id,to_id,restriction,lon,lat\nr1,r3,no_left_turn,,\n");
    snprintf(p, sizeof p, "%s/stations.csv", dir);
    write_text(p, "id,x,y,amb\n1,-1000,1000,1\n");
    snprintf(p, sizeof p, "%s/people.csv", dir);
    write_text(p, "id,x,y,pop\n1,1000,1100,100\n2,1000,900,200\n");
    snprintf(p, sizeof p, "%s/cand.csv", dir);
    write_text(p, "id,x,y\nC1,0,1000\n");
    write_std(dir);
    snprintf(p, sizeof p, "%s/scenario.ini", dir);
    write_text(p, "[scenario]\nname = turns\nworking_epsg = 32650\nstandards = std.ini\n"
                  "[streets]\npath = streets.geojson\ncode_field = CODE\n"
                  "[stations]\npath = stations.csv\nsrs = EPSG:32650\nid_field = id\nambulances_field = amb\n"
                  "[population]\npath = people.csv\nsrs = EPSG:32650\nkind = points\ncount_field = pop\n"
                  "[roads]\npath = roads.geojson\nclass_field = CLASS\nspeed_field = SPEED\nid_field = ID\n"
                  "turn_table = turns.csv\n");
    char scen[1200], cand[1200];
    snprintf(scen, sizeof scen, "%s/scenario.ini", dir);
    snprintf(cand, sizeof cand, "%s/cand.csv", dir);
    sites_opts o = {.cand_path = cand, .cand_ro = {.srs = "EPSG:32650"}, .turnout_s = -1, .ambulances = -1};
    run u;
    assert_ok(ctx, start(ctx, scen, &o, &u));
    const sites_result *r = u.r;
    assert_close(r->pop_total, 300, 0);
    assert_close(r->base_covered, 0, 0);
    assert_close(r->base_mean_s, (100 * 410.0 + 200 * 210.0) / 300, 1e-9);
    assert_int_equal(r->ncand, 1);
    const sites_candidate *c1 = by_id(r, "C1");
    assert_close(c1->new_pop, 200, 1e-9);
    assert_close(c1->covered_pop, 200, 1e-9);
    assert_close(c1->mean_change_s, 200 * (110 - 210.0) / 300, 1e-9);
    stop(&u);
}

/* Copy the sample scenario with absolute paths, a 4-minute standard, no parks, and the given stations file. */
static void sample_scenario(const char *out, const char *stations_csv)
{
    const char *sd = tu_sample("");
    char std[1024], buf[8192];
    snprintf(std, sizeof std, "%s.std.ini", out);
    write_text(std, "[standard]\nname = four-minutes\ntitle = test\n[response]\nmean_below_min = 12\n"
                    "coverage_within_min = 4\n[stations]\nmin_per_subdistrict = 1\n[ambulances]\n"
                    "residents_per_ambulance = 30000\n[calls]\nsatisfaction_min = 0.95\n[parks]\n"
                    "rules = parks-gbt51346\ntarget_share = 0.90\n");
    if (stations_csv)
        snprintf(buf, sizeof buf, "[stations]\npath = %s\nsrs = EPSG:32650\nid_field = ID\n"
                 "ambulances_field = AMBULANCES\nturnout_field = TURNOUT_S\n", stations_csv);
    else
        snprintf(buf, sizeof buf, "[stations]\npath = %s/stations.shp\nid_field = ID\nname_field = NAME\n"
                 "ambulances_field = AMBULANCES\nturnout_field = TURNOUT_S\n", sd);
    char text[16384];
    snprintf(text, sizeof text,
             "[scenario]\nname = sample-4min\nstandards = %s\nworking_epsg = 32650\nmax_snap_m = 1000\n"
             "[streets]\npath = %s/streets_gbk.shp\nname_field = NAME\ncode_field = CODE\n%s"
             "[population]\npath = %s/population.asc\nkind = grid\n"
             "[roads]\npath = %s/roads.shp\nclass_field = CLASS\nspeed_field = SPEED\noneway_field = ONEWAY\n",
             std, sd, buf, sd, sd);
    write_text(out, text);
}

static void test_equals_two_analyze_runs(void **state)
{
    emscov_ctx *ctx = *state;
    if (!tu_sample("stations.shp") || access(tu_sample("stations.shp"), 0) != 0)
        skip();
    char dir[1024], scen[1200];
    snprintf(dir, sizeof dir, "%s", tu_tmp("two-runs"));
    snprintf(scen, sizeof scen, "mkdir -p %s", dir);
    assert_int_equal(system(scen), 0);
    snprintf(scen, sizeof scen, "%s/base.ini", dir);
    sample_scenario(scen, NULL);
    sites_opts o = {.grid_m = 1500, .turnout_s = -1, .ambulances = -1};
    run u;
    assert_ok(ctx, start(ctx, scen, &o, &u));
    const sites_result *r = u.r;
    assert_true(r->ncand > 20);
    const double base_cov = u.a->cov->city.covered[0];
    assert_close(r->base_covered, base_cov, 1e-6);
    /* the stations as CSV in the working CRS, as read by the first run */
    const layer *sl = u.a->in.stations;
    int fid = layer_field_index(sl, "ID"), fa = layer_field_index(sl, "AMBULANCES"),
        ft = layer_field_index(sl, "TURNOUT_S");
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t picks[4] = {r->by_rank[0], r->by_rank[1], r->by_rank[r->ncand / 2], r->by_rank[r->ncand - 1]};
    assert_true(r->cand[picks[0]].new_pop > 0);
    for (size_t k = 0; k < 4; k++) {
        const sites_candidate *c = &r->cand[picks[k]];
        char csv[1200], scen2[1200];
        snprintf(csv, sizeof csv, "%s/stations-%zu.csv", dir, k);
        FILE *f = fopen(csv, "w");
        assert_non_null(f);
        fprintf(f, "ID,x,y,AMBULANCES,TURNOUT_S\n");
        for (size_t s = 0; s < layer_count(sl); s++) {
            double x, y;
            GEOSGeomGetX_r(h, layer_geom(sl, s), &x);
            GEOSGeomGetY_r(h, layer_geom(sl, s), &y);
            fprintf(f, "%lld,%.17g,%.17g,%.17g,%.17g\n", (long long)layer_value_at(sl, s, (size_t)fid)->u.i, x, y,
                    layer_value_number(sl, s, (size_t)fa), layer_value_number(sl, s, (size_t)ft));
        }
        fprintf(f, "999,%.17g,%.17g,%.17g,%.17g\n", c->x, c->y, r->ambulances, r->turnout_s);
        fclose(f);
        snprintf(scen2, sizeof scen2, "%s/with-%zu.ini", dir, k);
        sample_scenario(scen2, csv);
        scenario *sc2 = NULL;
        analysis *a2 = NULL;
        assert_ok(ctx, scenario_load(ctx, scen2, DATA_DIR_FOR_TESTS, &sc2));
        assert_ok(ctx, analysis_run(ctx, sc2, &a2));
        assert_int_equal(a2->npoints, u.a->npoints);
        assert_close(c->new_pop, a2->cov->city.covered[0] - base_cov, 1e-6);
        double backup = 0, cov2 = 0;
        for (size_t i = 0; i < a2->npoints; i++) {
            if (a2->cov->backup_s[i] <= r->standard_s && !(r->bak_s[i] <= r->standard_s))
                backup += a2->pop[i];
            if (a2->cov->time_s[i] <= r->standard_s)
                cov2 += a2->pop[i];
        }
        assert_close(c->backup_pop, backup, 1e-6);
        analysis_destroy(a2);
        scenario_destroy(sc2);
        print_message("candidate %s (rank %u): new %.1f = %.1f - %.1f; backup %.1f\n", c->id, c->rank, c->new_pop,
                      cov2, base_cov, backup);
    }
    stop(&u);
}

/* A saturated city (36 km/h road along y = 500, 100 m = 10 s; standard 2 min = 1200 m of road): sub-districts
 * A, B, C, D of 1 km each along x; stations S1 (x 900, in A) and S2 (x 3100, in D); people on the road p1 (500)
 * 100, p2 (1500) 200, p3 (2500) 300, p4 (3500) 400, all within 2 min of one station (40, 60, 60, 40 s) and none
 * of two. B and C are gaps. Candidates (file order) CA1 600, CB1 1200, CB2 1900, CC1 2100, CC2 2900:
 *   covers (within 120 s)   backup gain   mean change x 1000 (p: old -> new within the standard)
 *   CA1 p1 p2               300           p1 40 -> 10: -3000                      (no gap)
 *   CB1 p1 p2               300           p2 60 -> 30: -6000                      B
 *   CB2 p2 p3               500           p2 60 -> 40: -4000 (p3 60 -> 60)        B
 *   CC1 p2 p3               500           p3 60 -> 40: -6000 (p2 60 -> 60)        C
 *   CC2 p3 p4               700           p3 60 -> 40: -6000                      C
 * Rank (nothing new; fills a gap, backup, mean): CC2, CC1, CB2, CB1, CA1. Best 2 by the ladder: CC2 (fills C,
 * backup 700), then only B's candidates still fill a gap: CB1 backs up p1 and p2 (300), CB2 only p2 (p3 has
 * its second station now): CB1. The rank order alone would stack CC2 and CC1 in C. Per gap: B = CB2, CB1;
 * C = CC2, CC1. The fewest sites giving every sub-district a station: the best-ranked of each gap, CB2 and CC2
 * (the lowest index would give CB1 and CC1). */
static void write_saturated_city(const char *dir)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/streets.geojson", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"EPSG:32650\"}},"
          "\"features\":[",
          f);
    for (int k = 0; k < 4; k++)
        fprintf(f,
                "%s{\"type\":\"Feature\",\"properties\":{\"CODE\":\"%c\",\"NAME\":\"街道%c\"},\"geometry\":{\"type\":"
                "\"Polygon\",\"coordinates\":[[[%d,0],[%d,0],[%d,1000],[%d,1000],[%d,0]]]}}",
                k ? "," : "", 'A' + k, 'A' + k, 1000 * k, 1000 * k + 1000, 1000 * k + 1000, 1000 * k, 1000 * k);
    fputs("]}\n", f);
    fclose(f);
    write_road(dir, 4000);
    snprintf(p, sizeof p, "%s/stations.csv", dir);
    write_text(p, "id,x,y,amb\n1,900,500,2\n2,3100,500,2\n");
    snprintf(p, sizeof p, "%s/people.csv", dir);
    write_text(p, "id,x,y,pop\n1,500,500,100\n2,1500,500,200\n3,2500,500,300\n4,3500,500,400\n");
    snprintf(p, sizeof p, "%s/cand.csv", dir);
    write_text(p, "id,x,y\nCA1,600,500\nCB1,1200,500\nCB2,1900,500\nCC1,2100,500\nCC2,2900,500\n");
    write_std(dir);
    snprintf(p, sizeof p, "%s/scenario.ini", dir);
    write_text(p, "[scenario]\nname = saturated\nworking_epsg = 32650\nstandards = std.ini\n"
                  "[streets]\npath = streets.geojson\ncode_field = CODE\nname_field = NAME\n"
                  "[stations]\npath = stations.csv\nsrs = EPSG:32650\nid_field = id\nambulances_field = amb\n"
                  "[population]\npath = people.csv\nsrs = EPSG:32650\nkind = points\ncount_field = pop\n"
                  "[roads]\npath = roads.geojson\nclass_field = CLASS\nspeed_field = SPEED\n");
}

static const char *plan_id(const sites_plan *p, uint32_t c)
{
    return p->r->cand[c].id;
}

static void test_plan_ladder(void **state)
{
    emscov_ctx *ctx = *state;
    const char *dir = tu_tmp("saturated");
    char cmd[1200], scen[1024], cand[1024];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    assert_int_equal(system(cmd), 0);
    write_saturated_city(dir);
    snprintf(scen, sizeof scen, "%s/scenario.ini", dir);
    snprintf(cand, sizeof cand, "%s/cand.csv", dir);
    scenario *sc = NULL;
    analysis *a = NULL;
    sites_plan *p = NULL;
    assert_ok(ctx, scenario_load(ctx, scen, DATA_DIR_FOR_TESTS, &sc));
    assert_ok(ctx, analysis_run(ctx, sc, &a));
    sites_plan_opts o = {.eval = {.cand_path = cand, .cand_ro = {.srs = "EPSG:32650"}, .turnout_s = -1,
                                  .ambulances = -1},
                         .k = 2, .per_gap = 2, .target_share = 0.5};
    assert_ok(ctx, sites_plan_run(ctx, a, &o, &p));
    const sites_result *r = p->r;
    assert_close(r->base_covered, 1000, 1e-9);
    assert_close(r->base_backup, 0, 0);
    assert_int_equal(r->base_gaps, 2);
    const char *want_rank[5] = {"CC2", "CC1", "CB2", "CB1", "CA1"};
    const double want_backup[5] = {700, 500, 500, 300, 300}, want_mean[5] = {-6, -6, -4, -6, -3};
    for (size_t j = 0; j < 5; j++) {
        const sites_candidate *c = &r->cand[r->by_rank[j]];
        assert_string_equal(c->id, want_rank[j]);
        assert_close(c->new_pop, 0, 0);
        assert_close(c->backup_pop, want_backup[j], 1e-9);
        assert_close(c->mean_change_s, want_mean[j], 1e-9);
    }
    /* best 2: CC2 then CB1, one per gap */
    assert_int_equal(p->k, 2);
    assert_string_equal(plan_id(p, p->greedy.sel[0]), "CC2");
    assert_string_equal(plan_id(p, p->greedy.sel[1]), "CB1");
    assert_string_equal(p->cand[p->greedy.sel[1]].subdistrict_name, "街道B");
    assert_string_equal(p->cand[p->greedy.sel[1]].subdistrict_code, "B");
    /* lon/lat: the working CRS is UTM 50N; x = 1200, y = 500 lies far west of the zone's meridian (117 E) */
    assert_true(p->cand[p->greedy.sel[1]].lon > 112 && p->cand[p->greedy.sel[1]].lon < 114);
    assert_close(p->cand[p->greedy.sel[1]].lat, 0.0045, 0.0005);
    /* per gap, best first, and each candidate's rank in its gap */
    assert_int_equal(p->ngaps, 2);
    assert_string_equal(a->result->subdistricts[p->gaps[0].unit].code, "B");
    assert_int_equal(p->gaps[0].ncand, 2);
    assert_int_equal(p->gaps[0].nbest, 2);
    assert_string_equal(plan_id(p, p->gaps[0].best[0]), "CB2");
    assert_string_equal(plan_id(p, p->gaps[0].best[1]), "CB1");
    assert_string_equal(plan_id(p, p->gaps[1].best[0]), "CC2");
    assert_string_equal(plan_id(p, p->gaps[1].best[1]), "CC1");
    assert_int_equal(p->cand[0].gap_rank, 0); /* CA1: in A, no gap */
    assert_int_equal(p->cand[1].gap_rank, 2); /* CB1 */
    assert_int_equal(p->cand[2].gap_rank, 1); /* CB2 */
    /* the fewest sites: the best-ranked candidate of each gap */
    assert_true(p->lscp.feasible);
    assert_int_equal(p->lscp.nsel, 2);
    assert_string_equal(plan_id(p, p->lscp.sel[0]), "CB2");
    assert_string_equal(plan_id(p, p->lscp.sel[1]), "CC2");
    sites_plan_destroy(p);
    /* --per-gap 1 lists one; MEXCLP as the objective without calls is refused */
    o.per_gap = 1;
    o.target_share = 0;
    assert_ok(ctx, sites_plan_run(ctx, a, &o, &p));
    assert_int_equal(p->gaps[0].nbest, 1);
    assert_int_equal(p->gaps[1].nbest, 1);
    sites_plan_destroy(p);
    o.objective = SITES_OBJ_MEXCLP;
    assert_status_msg(ctx, sites_plan_run(ctx, a, &o, &p), EMS_EINPUT, "--objective mexclp needs --job-min");
    assert_null(p);
    analysis_destroy(a);
    scenario_destroy(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_turn_restriction),
        cmocka_unit_test(test_plan_ladder),
        cmocka_unit_test(test_equals_two_analyze_runs),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
