/* tests/geo/test_route_pgrouting.c: our multi-source travel times against pgRouting on the same graph, in the
 * real test PostGIS (EMSCOV_TEST_PG). The built graph is exported link by link (cost / reverse_cost = the
 * travel time each way, -1 where one-way forbids it); per node the reference is the minimum over stations of
 * delay + pgr_drivingDistance(..., equicost => false) agg_cost. Not equicost => true: in pgRouting 3.4.2 it
 * returns too-long times for some nodes on real OSM graphs. Stations are placed on network nodes (the end of
 * the link they snap to) so that both sides start from the same vertex; each has its own delay.
 * Run on the generated sample city and on the real Monaco OSM extract (skipped when shared/ is absent), and on
 * a grid with duplicate records that pgRouting gets unmerged (issue 15, bug 1). */
#include "test_util.h"

#include "geo/network.h"
#include "geo/route.h"
#include "geo/snap.h"

#include "test_pgutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

/* Copy the graph into a temp table edges(id, source, target, cost, reverse_cost); node ids are ours + 1. */
static void export_graph(PGconn *c, const network *net)
{
    exec_ok(c, "CREATE TEMP TABLE edges(id bigint, source bigint, target bigint, cost float8, reverse_cost float8)");
    PGresult *r = PQexec(c, "COPY edges FROM STDIN");
    assert_int_equal(PQresultStatus(r), PGRES_COPY_IN);
    PQclear(r);
    char line[256];
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        int n = snprintf(line, sizeof line, "%u\t%u\t%u\t%.17g\t%.17g\n", l + 1, k->from + 1, k->to + 1,
                         isfinite(k->time_fwd_s) ? k->time_fwd_s : -1.0,
                         isfinite(k->time_bwd_s) ? k->time_bwd_s : -1.0);
        assert_int_equal(PQputCopyData(c, line, n), 1);
    }
    assert_int_equal(PQputCopyEnd(c, NULL), 1);
    r = PQgetResult(c);
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    while ((r = PQgetResult(c)))
        PQclear(r);
}

/* Compare per node. stations: n points (working CRS) with delays. */
static void compare(emscov_ctx *ctx, const network *net, const double *sx, const double *sy, const double *delay,
                    size_t n, double cutoff_s, const char *what)
{
    PGconn *c = tu_pg_connect();
    export_graph(c, net);
    snap_index *ix = NULL;
    assert_ok(ctx, snap_index_build(ctx, net, &ix));
    route_source *src = calloc(n, sizeof *src);
    char *sql = malloc(64 + 48 * n), *vals = malloc(32 + 48 * n);
    size_t used = 0;
    vals[0] = '\0';
    size_t vlen = 0;
    for (size_t i = 0; i < n; i++) {
        snap_pos p;
        if (!snap_point(ix, sx[i], sy[i], 5000, &p))
            continue;
        const network_link *k = network_link_at(net, p.link);
        /* the link end nearer along the link, as a node position (frac 0 or 1) */
        bool at_end = p.frac >= 0.5;
        uint32_t node = at_end ? k->to : k->from;
        src[used] = (route_source){.pos = snap_at(net, p.link, at_end ? k->length_m : 0), .delay_s = delay[i]};
        vlen += (size_t)sprintf(vals + vlen, "%s(%u,%.17g)", used ? "," : "", node + 1, delay[i]);
        used++;
    }
    assert_true(used > 0);
    route_result *rr = NULL;
    route_opts o = {.labels = 1, .cutoff_s = cutoff_s};
    assert_ok(ctx, route_multi_source(ctx, net, src, used, &o, &rr));

    sprintf(sql, "CREATE TEMP TABLE st(node bigint, delay float8); INSERT INTO st VALUES %s", vals);
    exec_ok(c, sql);
    char q[1024];
    snprintf(q, sizeof q,
             "SELECT d.node, min(d.agg_cost + st.delay) FROM pgr_drivingDistance("
             "'SELECT id, source, target, cost, reverse_cost FROM edges', (SELECT array_agg(DISTINCT node) FROM st), "
             "%.17g, directed => true, equicost => false) d JOIN st ON st.node = d.from_v "
             "GROUP BY d.node HAVING min(d.agg_cost + st.delay) <= %.17g",
             cutoff_s, cutoff_s);
    PGresult *r = PQexec(c, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", q, PQerrorMessage(c));
    size_t nn = network_node_count(net), reached_ours = 0, mismatches = 0;
    double worst = 0;
    char *seen = calloc(nn, 1);
    for (int i = 0; i < PQntuples(r); i++) {
        long long node = atoll(PQgetvalue(r, i, 0)) - 1;
        double ref = atof(PQgetvalue(r, i, 1));
        assert_true(node >= 0 && (size_t)node < nn);
        seen[node] = 1;
        double ours = route_node_time(rr, (uint32_t)node, 0, NULL);
        double diff = fabs(ours - ref);
        if (!(diff <= 0.5)) {
            if (mismatches++ < 5)
                print_error("%s: node %lld: ours %.3f s, pgRouting %.3f s\n", what, node, ours, ref);
        }
        if (isfinite(diff) && diff > worst)
            worst = diff;
    }
    for (size_t v = 0; v < nn; v++) {
        double ours = route_node_time(rr, (uint32_t)v, 0, NULL);
        if (isfinite(ours)) {
            reached_ours++;
            if (!seen[v] && ours < cutoff_s - 0.5 && mismatches++ < 10)
                print_error("%s: node %zu reached by us in %.3f s, not by pgRouting\n", what, v, ours);
        }
    }
    print_message("%s: %zu nodes, %d reached by pgRouting, %zu by emscov, worst difference %.6f s\n", what, nn,
                  PQntuples(r), reached_ours, worst);
    assert_int_equal(mismatches, 0);
    assert_true(PQntuples(r) > 0);
    PQclear(r);
    free(seen);
    free(sql);
    free(vals);
    free(src);
    route_result_destroy(rr);
    snap_index_destroy(ix);
    PQfinish(c);
}

static void test_sample_city(void **state)
{
    emscov_ctx *ctx = *state;
    const char *roads = tu_sample("roads.shp");
    FILE *probe = fopen(roads, "rb"); /* the build always generates the sample city */
    if (!probe)
        fail_msg("%s: missing (the build generates it: emscov-gencity)", roads);
    fclose(probe);
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    layer *st = NULL;
    assert_ok(ctx, layer_read(ctx, tu_sample("stations.shp"), NULL, &st));
    crs *wk = NULL;
    layer *ls[1] = {st};
    assert_ok(ctx, layer_choose_working_crs(ctx, ls, 1, &wk));
    assert_ok(ctx, layer_transform(ctx, st, wk));
    network_fields f = {.road_class = "CLASS", .speed = "SPEED", .oneway = "ONEWAY", .name = "NAME"};
    network *net = NULL;
    assert_ok(ctx, network_load(ctx, roads, NULL, &f, sp, wk, NULL, &net));
    size_t n = layer_count(st);
    double *x = calloc(n, sizeof *x), *y = calloc(n, sizeof *y), *d = calloc(n, sizeof *d);
    int tf = layer_field_index(st, "TURNOUT_S");
    assert_true(tf >= 0);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < n; i++) {
        GEOSGeomGetX_r(h, layer_geom(st, i), &x[i]);
        GEOSGeomGetY_r(h, layer_geom(st, i), &y[i]);
        d[i] = layer_value_number(st, i, (size_t)tf);
    }
    compare(ctx, net, x, y, d, n, 12 * 60, "sample city");
    free(x);
    free(y);
    free(d);
    network_destroy(net);
    crs_destroy(wk);
    layer_destroy(st);
    speed_profile_destroy(sp);
}

/* Monaco: the 3 fire stations and 5 hospitals of derived/stations.geojson as stations, 60 s turn-out each
 * except a 90 s one for hospitals. */
static void test_monaco(void **state)
{
    emscov_ctx *ctx = *state;
    const char *pbf = tu_shared("data/real/monaco-osm-2016/monaco.osm.pbf");
    tu_require_shared(pbf);
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    layer *st = NULL;
    assert_ok(ctx, layer_read(ctx, tu_shared("data/real/monaco-osm-2016/derived/stations.geojson"), NULL, &st));
    crs *wk = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32632, &wk));
    assert_ok(ctx, layer_transform(ctx, st, wk));
    network *net = NULL;
    /* the graph pgr_drivingDistance can hold: no turn restrictions, no route-end-only roads (those are checked
     * against pgr_trsp in test_route_trsp.c and by hand in test_network_rules.c) */
    network_build_opts plain = {.rules = {.access = NETWORK_ACCESS_STRICT, .turns_off = true}};
    assert_ok(ctx, network_load(ctx, pbf, NULL, NULL, sp, wk, &plain, &net));
    int kf = layer_field_index(st, "kind");
    assert_true(kf >= 0);
    size_t n = 0, cap = layer_count(st);
    double *x = calloc(cap, sizeof *x), *y = calloc(cap, sizeof *y), *d = calloc(cap, sizeof *d);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < cap; i++) {
        const layer_value *v = layer_value_at(st, i, (size_t)kf);
        if (v->is_null || (strcmp(v->u.s, "fire_station") && strcmp(v->u.s, "hospital")))
            continue;
        GEOSGeomGetX_r(h, layer_geom(st, i), &x[n]);
        GEOSGeomGetY_r(h, layer_geom(st, i), &y[n]);
        d[n++] = strcmp(v->u.s, "hospital") ? 60 : 90;
    }
    assert_int_equal(n, 8);
    compare(ctx, net, x, y, d, n, 12 * 60, "monaco");
    free(x);
    free(y);
    free(d);
    network_destroy(net);
    crs_destroy(wk);
    layer_destroy(st);
    speed_profile_destroy(sp);
}

/* Issue 15, bug 1 against pgRouting: a 5 x 5 grid (400 m) whose streets come as single two-way records, as a
 * one-way record per direction (the second digitised the other way), as two two-way records at different
 * speeds, or as a one-way plus a reversed two-way record. pgRouting gets every RECORD as its own edge (it
 * keeps parallel edges and takes the cheapest); emscov merges duplicates. Per node: the same time. */
static void test_duplicate_records(void **state)
{
    emscov_ctx *ctx = *state;
    PGconn *c = tu_pg_connect(); /* first: a skip (no test PostgreSQL) leaves nothing allocated */
    speed_profile *sp = NULL;
    crs *utm = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &utm));
    typedef struct rec {
        double x[2], y[2], kmh;
        network_dir dir;
    } rec;
    rec recs[200];
    size_t nr = 0;
    uint64_t seed = 7;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            for (int d = 0; d < 2; d++) {
                int i2 = d ? i : i + 1, j2 = d ? j + 1 : j;
                if (i2 >= 5 || j2 >= 5)
                    continue;
                double ax = 440000 + 400.0 * i, ay = 4416000 + 400.0 * j, bx = 440000 + 400.0 * i2,
                       by = 4416000 + 400.0 * j2;
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                int kind = (int)((seed >> 33) % 10);
                double s1 = 20 + (double)((seed >> 20) % 61), s2 = 20 + (double)((seed >> 40) % 61);
                recs[nr++] = (rec){{ax, bx}, {ay, by}, s1, kind < 4 ? NETWORK_BOTH : kind < 9 && kind != 6 ? NETWORK_FORWARD : NETWORK_BOTH};
                if (kind >= 4 && kind < 7)      /* one-way each way */
                    recs[nr++] = (rec){{bx, ax}, {by, ay}, s2, NETWORK_FORWARD};
                else if (kind >= 7 && kind < 9) /* one-way plus a reversed two-way */
                    recs[nr++] = (rec){{bx, ax}, {by, ay}, s2, NETWORK_BOTH};
                else if (kind == 9)             /* two two-way records */
                    recs[nr++] = (rec){{ax, bx}, {ay, by}, s2, NETWORK_BOTH};
            }
    network_builder *b = NULL;
    assert_ok(ctx, network_builder_create(ctx, sp, utm, NULL, &b));
    for (size_t r = 0; r < nr; r++) {
        network_road road = {.x = recs[r].x, .y = recs[r].y, .n = 2, .road_class = "支路",
                             .speed_kmh = recs[r].kmh, .dir = recs[r].dir, .record = (int64_t)r + 1};
        assert_ok(ctx, network_builder_add(ctx, b, &road));
    }
    network *net = NULL;
    assert_ok(ctx, network_builder_finish(ctx, b, &net));
    const network_stats *st = network_get_stats(net);
    print_message("duplicates: %zu records, %zu links, %zu duplicates merged into another link (%zu changed it)\n",
                  nr, st->links, st->duplicates_dropped, st->duplicates_merged);
    assert_int_equal(st->links, 40);
    assert_true(st->duplicates_merged >= 5);
    uint32_t nn = network_node_count(net);
    assert_int_equal(nn, 25);

    exec_ok(c, "CREATE TEMP TABLE raw(id bigint, source bigint, target bigint, cost float8, reverse_cost float8)");
    for (size_t r = 0; r < nr; r++) {
        uint32_t a = NETWORK_NONE, z = NETWORK_NONE;
        for (uint32_t v = 0; v < nn; v++) {
            double x, y;
            network_node_xy(net, v, &x, &y);
            if (x == recs[r].x[0] && y == recs[r].y[0])
                a = v;
            if (x == recs[r].x[1] && y == recs[r].y[1])
                z = v;
        }
        assert_true(a != NETWORK_NONE && z != NETWORK_NONE);
        double t = hypot(recs[r].x[1] - recs[r].x[0], recs[r].y[1] - recs[r].y[0]) / (recs[r].kmh / 3.6);
        char sql[256];
        snprintf(sql, sizeof sql, "INSERT INTO raw VALUES (%zu, %u, %u, %.17g, %.17g)", r + 1, a + 1, z + 1, t,
                 recs[r].dir == NETWORK_FORWARD ? -1.0 : t);
        exec_ok(c, sql);
    }
    /* stations: the (0,0) corner with no delay, the far corner with 30 s */
    uint32_t s0 = NETWORK_NONE, s1 = NETWORK_NONE;
    for (uint32_t v = 0; v < nn; v++) {
        double x, y;
        network_node_xy(net, v, &x, &y);
        if (x == 440000 && y == 4416000)
            s0 = v;
        if (x == 441600 && y == 4417600)
            s1 = v;
    }
    route_source src[2] = {{.delay_s = 0}, {.delay_s = 30}};
    uint32_t at[2] = {s0, s1};
    for (int k = 0; k < 2; k++)
        for (uint32_t l = 0; l < network_link_count(net); l++) {
            const network_link *lk = network_link_at(net, l);
            if (lk->from == at[k] || lk->to == at[k]) {
                src[k].pos = snap_at(net, l, lk->from == at[k] ? 0 : lk->length_m);
                break;
            }
        }
    route_result *rr = NULL;
    route_opts o = {.labels = 1};
    assert_ok(ctx, route_multi_source(ctx, net, src, 2, &o, &rr));
    char q[1024];
    snprintf(q, sizeof q,
             "WITH st(node, delay) AS (VALUES (%u, 0.0), (%u, 30.0)) "
             "SELECT d.node, min(d.agg_cost + st.delay) FROM pgr_drivingDistance("
             "'SELECT id, source, target, cost, reverse_cost FROM raw', ARRAY[%u, %u]::bigint[], 1e15, "
             "directed => true, equicost => false) d JOIN st ON st.node = d.from_v GROUP BY d.node",
             s0 + 1, s1 + 1, s0 + 1, s1 + 1);
    PGresult *r = PQexec(c, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", q, PQerrorMessage(c));
    size_t seen = 0;
    double worst = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        uint32_t v = (uint32_t)atoll(PQgetvalue(r, i, 0)) - 1;
        double ref = atof(PQgetvalue(r, i, 1)), ours = route_node_time(rr, v, 0, NULL);
        if (!(fabs(ours - ref) <= 1e-6))
            fail_msg("node %u: ours %.6f s, pgRouting %.6f s", v, ours, ref);
        worst = fmax(worst, fabs(ours - ref));
        seen++;
    }
    size_t reached = 0;
    for (uint32_t v = 0; v < nn; v++)
        reached += isfinite(route_node_time(rr, v, 0, NULL));
    print_message("duplicates: %zu nodes reached by both, worst difference %.3g s\n", seen, worst);
    assert_int_equal(seen, reached);
    PQclear(r);
    PQfinish(c);
    route_result_destroy(rr);
    network_destroy(net);
    crs_destroy(utm);
    speed_profile_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_records),
        cmocka_unit_test(test_sample_city),
        cmocka_unit_test(test_monaco),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
