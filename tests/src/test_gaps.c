/* tests/src/test_gaps.c: stations per sub-district (boundary rule, outside stations) on hand-made squares,
 * on the sample city against PostGIS ST_Covers, and ambulances per 30,000 residents worked by hand. */
#include "test_util.h"
#include "test_pgutil.h"

#include "src/analysis/ambulance.h"
#include "src/analysis/gaps.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static layer *mem_layer(emscov_ctx *ctx, const char *const *wkts, size_t n)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    assert_ok(ctx, layer_create(ctx, "mem", "test", c, &l));
    crs_destroy(c);
    for (size_t i = 0; i < n; i++)
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkts[i]), (int64_t)i + 1, NULL));
    return l;
}

static void test_boundary_rule(void **state)
{
    emscov_ctx *ctx = *state;
    const char *streets[] = {"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((10 0,20 0,20 10,10 10,10 0))",
                             "POLYGON((30 0,40 0,40 10,30 10,30 0))"};
    const char *stations[] = {"POINT(5 5)", "POINT(10 5)", "POINT(25 5)", "POINT(15 5)"};
    layer *s = mem_layer(ctx, streets, 3), *t = mem_layer(ctx, stations, 4);
    gaps_result *g = NULL;
    assert_ok(ctx, gaps_compute(ctx, s, t, 1, &g));
    assert_int_equal(g->station_unit[0], 0);
    assert_int_equal(g->station_unit[1], 0); /* on the shared edge: the first listed */
    assert_true(g->on_boundary[1]);
    assert_int_equal(g->station_unit[2], GAPS_NONE);
    assert_int_equal(g->count[0], 2);
    assert_int_equal(g->count[1], 1);
    assert_int_equal(g->count[2], 0);
    assert_int_equal(g->outside, 1);
    assert_int_equal(g->ngaps, 1);
    assert_close(g->area_m2[2], 100, 1e-9);
    gaps_destroy(g);
    layer_destroy(s);
    layer_destroy(t);
}

/* 45,000 people and 1 ambulance: 0.667 per 30k, 2 required, 1 short; 20,000 and 1: enough. */
static void test_ambulances(void **state)
{
    emscov_ctx *ctx = *state;
    const double amb[] = {1, 1, 3};
    const uint32_t unit[] = {0, 1, UINT32_MAX};
    const double pop[] = {45000, 20000};
    const uint32_t district[] = {0, 0};
    ambulance_result *a = NULL;
    assert_ok(ctx, ambulance_compute(ctx, amb, unit, 3, pop, district, 2, 1, 70000, 30000, &a));
    assert_close(a->units[0].per_n, 30000.0 / 45000.0, 1e-12);
    assert_close(a->units[0].required, 2, 0);
    assert_close(a->units[0].shortfall, 1, 0);
    assert_close(a->units[1].shortfall, 0, 0);
    assert_close(a->districts[0].ambulances, 2, 0);
    assert_close(a->districts[0].required, 3, 0); /* ceil(65000 / 30000) */
    assert_close(a->outside_ambulances, 3, 0);
    assert_close(a->city.ambulances, 5, 0);
    assert_close(a->city.required, 3, 0); /* ceil(70000 / 30000) */
    ambulance_destroy(a);
    const double bad[] = {-1};
    assert_status_msg(ctx, ambulance_compute(ctx, bad, unit, 1, pop, district, 2, 1, 1, 30000, &a), EMS_EINPUT,
                      "station 1");
}

/* The sample city: our station counts per sub-district equal PostGIS ST_Covers with the same tie rule
 * (DISTINCT ON station, lowest sub-district first). */
static void test_sample_against_postgis(void **state)
{
    emscov_ctx *ctx = *state;
    PGconn *c = tu_pg_connect();
    layer *s = NULL, *t = NULL;
    assert_ok(ctx, layer_read(ctx, tu_sample("streets_utf8.shp"), NULL, &s));
    assert_ok(ctx, layer_read(ctx, tu_sample("stations.shp"), NULL, &t));
    gaps_result *g = NULL;
    assert_ok(ctx, gaps_compute(ctx, s, t, 1, &g));
    GEOSContextHandle_t h = emscov_geos(ctx);
    GEOSWKTWriter *w = GEOSWKTWriter_create_r(h);
    GEOSWKTWriter_setRoundingPrecision_r(h, w, 17);
    PQclear(PQexec(c, "CREATE TEMP TABLE gs(id int, geom geometry); CREATE TEMP TABLE gt(id int, geom geometry)"));
    const layer *ls[2] = {s, t};
    const char *tables[2] = {"gs", "gt"};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < layer_count(ls[k]); i++) {
            char *wkt = GEOSWKTWriter_write_r(h, w, layer_geom(ls[k], i));
            char id[24], sql[64];
            snprintf(id, sizeof id, "%zu", i);
            snprintf(sql, sizeof sql, "INSERT INTO %s VALUES ($1::int, ST_GeomFromText($2))", tables[k]);
            const char *vals[2] = {id, wkt};
            PGresult *r = PQexecParams(c, sql, 2, NULL, vals, NULL, NULL, 0);
            assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
            PQclear(r);
            GEOSFree_r(h, wkt);
        }
    PGresult *r = PQexec(c, "SELECT gs.id, count(x.sid) FROM gs LEFT JOIN (SELECT DISTINCT ON (gt.id) gt.id AS sid, "
                            "gs.id AS uid FROM gt JOIN gs ON ST_Covers(gs.geom, gt.geom) ORDER BY gt.id, gs.id) x "
                            "ON x.uid = gs.id GROUP BY gs.id ORDER BY gs.id");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal((size_t)PQntuples(r), g->nunits);
    size_t gaps = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        assert_int_equal(g->count[atoi(PQgetvalue(r, i, 0))], atoi(PQgetvalue(r, i, 1)));
        gaps += atoi(PQgetvalue(r, i, 1)) == 0;
    }
    assert_int_equal(g->ngaps, gaps);
    assert_int_equal(g->ngaps, 7);  /* the generator's own count of sub-districts without a station */
    assert_int_equal(g->outside, 1); /* station 14 lies outside the city */
    PQclear(r);
    GEOSWKTWriter_destroy_r(h, w);
    gaps_destroy(g);
    layer_destroy(s);
    layer_destroy(t);
    PQfinish(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundary_rule),
        cmocka_unit_test(test_ambulances),
        cmocka_unit_test(test_sample_against_postgis),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
