/* tests/geo/test_route_trsp.c: turn restrictions against pgRouting's turn-restricted shortest path (pgr_trsp,
 * pgRouting 3.4) on the same graph, in the real test PostGIS (EMSCOV_TEST_PG).
 *
 * The graph goes to pgRouting arc by arc: each directed arc is an edge of its own (id = arc + 1, cost = its
 * time, reverse_cost -1). Why not one edge per link: pgr_trsp never drives back along the edge it came by, even
 * at a dead end, while emscov lets an ambulance turn round at a node; with one edge per direction, turning
 * round is an ordinary pair of edges on both sides. The restrictions are derived here, by the test itself,
 * from what a planner wrote (the hand-made turns, or Monaco's restriction relations read raw through
 * geo/osm.h): a no_* turn is the edge pair (the from road's arc into the via node, the to road's arc out of
 * it), an only_* turn one pair per other arc out of the via node, a via-road turn the arc path along it; each
 * is a pgr_trsp restriction with a cost of 1e9 (a path that needs one is "not reached").
 *
 * Per (station, node): emscov's time from that station alone (route_bounded_single) must equal pgr_trsp's
 * agg_cost, or both must be "not reached". Cases: the cross of test_network_rules.c with its restrictions
 * (via node, only_*, via road), and the Monaco OSM extract with its 27 restriction relations from its 8
 * stations (skipped without shared/). */
#include "test_util.h"

#include "geo/network.h"
#include "geo/osm.h"
#include "geo/route.h"
#include "geo/snap.h"

#include "test_pgutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PENALTY 1e9

/* ---- restrictions as arc sequences, worked out by the test ------------------------------------------------ */

typedef struct seqs {
    uint32_t arc[4096];
    size_t off[1025], n, used;
} seqs;

static void seq_add(seqs *s, const uint32_t *arcs, size_t len)
{
    assert_true(s->n < 1024 && s->used + len <= 4096);
    if (s->n == 0)
        s->off[0] = 0;
    memcpy(s->arc + s->used, arcs, len * sizeof *arcs);
    s->used += len;
    s->off[++s->n] = s->used;
}

/* Index of the arc of (link, direction) in the CSR, NETWORK_NONE when that direction is closed. */
static uint32_t arc_index(const network *net, uint32_t link, bool reverse)
{
    const network_link *k = network_link_at(net, link);
    uint32_t tail = reverse ? k->to : k->from, cnt;
    const network_arc *base = network_out_arcs(net, 0, &cnt);
    const network_arc *a = network_out_arcs(net, tail, &cnt);
    for (uint32_t i = 0; i < cnt; i++)
        if (a[i].link == link && a[i].reverse == reverse)
            return (uint32_t)(a + i - base);
    return NETWORK_NONE;
}

/* Arcs of way/record `rec` into node v (into = true) or out of it. */
static size_t arcs_at(const network *net, int64_t rec, uint32_t v, bool into, uint32_t *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        if (k->record != rec)
            continue;
        uint32_t f = arc_index(net, l, false), b = arc_index(net, l, true);
        if (f != NETWORK_NONE && (into ? k->to : k->from) == v && n < cap)
            out[n++] = f;
        if (b != NETWORK_NONE && (into ? k->from : k->to) == v && n < cap)
            out[n++] = b;
    }
    return n;
}

/* A via-node turn: from road `from` through node v to road `to`; only = only_*. */
static void turn_pairs(const network *net, seqs *s, int64_t from, uint32_t v, int64_t to, bool only)
{
    uint32_t fa[16], ta[16], cnt;
    size_t nf = arcs_at(net, from, v, true, fa, 16), nt = arcs_at(net, to, v, false, ta, 16);
    const network_arc *base = network_out_arcs(net, 0, &cnt);
    const network_arc *out = network_out_arcs(net, v, &cnt);
    for (size_t i = 0; i < nf; i++) {
        if (!only) {
            for (size_t j = 0; j < nt; j++)
                seq_add(s, (uint32_t[2]){fa[i], ta[j]}, 2);
            continue;
        }
        for (uint32_t x = 0; x < cnt; x++) {
            uint32_t ai = (uint32_t)(out + x - base);
            bool allowed = false;
            for (size_t j = 0; j < nt; j++)
                allowed |= ta[j] == ai;
            if (!allowed)
                seq_add(s, (uint32_t[2]){fa[i], ai}, 2);
        }
    }
}

/* ---- pgRouting -------------------------------------------------------------------------------------------- */

static void export(PGconn *c, const network *net, const seqs *s)
{
    tu_pg_ok(c, "SET client_min_messages = warning; DROP TABLE IF EXISTS trsp_edges, trsp_restr; "
                "CREATE TEMP TABLE trsp_edges(id bigint, source bigint, target bigint, cost float8, reverse_cost "
                "float8); CREATE TEMP TABLE trsp_restr(path bigint[], cost float8)");
    PGresult *r = PQexec(c, "COPY trsp_edges FROM STDIN");
    assert_int_equal(PQresultStatus(r), PGRES_COPY_IN);
    PQclear(r);
    char line[256];
    for (uint32_t v = 0, base = 0; v < network_node_count(net); v++) {
        uint32_t cnt;
        const network_arc *a = network_out_arcs(net, v, &cnt);
        for (uint32_t i = 0; i < cnt; i++) {
            int n = snprintf(line, sizeof line, "%u\t%u\t%u\t%.17g\t-1\n", base + i + 1, v + 1, a[i].to + 1,
                             a[i].time_s);
            assert_int_equal(PQputCopyData(c, line, n), 1);
        }
        base += cnt;
    }
    assert_int_equal(PQputCopyEnd(c, NULL), 1);
    while ((r = PQgetResult(c))) {
        assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
        PQclear(r);
    }
    for (size_t q = 0; q < s->n; q++) {
        char sql[512];
        int len = snprintf(sql, sizeof sql, "INSERT INTO trsp_restr VALUES (ARRAY[");
        for (size_t i = s->off[q]; i < s->off[q + 1]; i++)
            len += snprintf(sql + len, sizeof sql - (size_t)len, "%s%u", i > s->off[q] ? "," : "", s->arc[i] + 1);
        snprintf(sql + len, sizeof sql - (size_t)len, "]::bigint[], %g)", PENALTY);
        tu_pg_ok(c, sql);
    }
}

/* Every (station, node) time of emscov against pgr_trsp; returns the pairs reached. */
static size_t compare(emscov_ctx *ctx, PGconn *c, const network *net, const uint32_t *st, size_t nst,
                      const char *what)
{
    uint32_t nn = network_node_count(net);
    size_t cap = 64 + 12 * (size_t)(nn + nst);
    char *q = malloc(cap + 512), *starts = malloc(16 * nst + 16), *ends = malloc(12 * (size_t)nn + 16);
    size_t len = 0;
    for (size_t i = 0; i < nst; i++)
        len += (size_t)sprintf(starts + len, "%s%u", i ? "," : "", st[i] + 1);
    len = 0;
    for (uint32_t v = 0; v < nn; v++)
        len += (size_t)sprintf(ends + len, "%s%u", v ? "," : "", v + 1);
    snprintf(q, cap + 512,
             "SELECT start_vid, end_vid, agg_cost FROM pgr_trsp('SELECT id, source, target, cost, reverse_cost "
             "FROM trsp_edges', 'SELECT path, cost FROM trsp_restr', ARRAY[%s]::bigint[], ARRAY[%s]::bigint[], "
             "true) WHERE edge = -1",
             starts, ends);
    PGresult *r = PQexec(c, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("pgr_trsp: %s", PQerrorMessage(c));
    double *ref = malloc(nst * (size_t)nn * sizeof *ref);
    for (size_t i = 0; i < nst * (size_t)nn; i++)
        ref[i] = INFINITY;
    for (int i = 0; i < PQntuples(r); i++) {
        uint32_t s = (uint32_t)atoll(PQgetvalue(r, i, 0)) - 1, v = (uint32_t)atoll(PQgetvalue(r, i, 1)) - 1;
        double t = atof(PQgetvalue(r, i, 2));
        size_t k = 0;
        while (k < nst && st[k] != s)
            k++;
        assert_true(k < nst && v < nn);
        if (t < PENALTY / 10)
            ref[k * nn + v] = fmin(ref[k * nn + v], t);
    }
    PQclear(r);
    route_workspace *ws = NULL;
    assert_ok(ctx, route_workspace_create(ctx, net, &ws));
    size_t reached = 0, bad = 0;
    double worst = 0;
    for (size_t k = 0; k < nst; k++) {
        route_source src = {.delay_s = 0};
        for (uint32_t l = 0; l < network_link_count(net); l++) {
            const network_link *lk = network_link_at(net, l);
            if (lk->from == st[k] || lk->to == st[k]) {
                src.pos = snap_at(net, l, lk->from == st[k] ? 0 : lk->length_m);
                break;
            }
        }
        route_bounded_single(ws, &src, 0);
        for (uint32_t v = 0; v < nn; v++) {
            if (v == st[k])
                continue;
            double ours = route_ws_node_time(ws, v), theirs = ref[k * nn + v];
            if (isinf(ours) && isinf(theirs))
                continue;
            double d = fabs(ours - theirs);
            if (!(d <= 1e-6 * fmax(1, theirs))) {
                if (bad++ < 8)
                    print_error("%s: station node %u -> node %u: emscov %.6f s, pgr_trsp %.6f s\n", what, st[k], v,
                                ours, theirs);
            } else {
                worst = fmax(worst, d);
                reached++;
            }
        }
    }
    print_message("%s: %zu (station, node) pairs reached, %zu differ, worst %.3g s\n", what, reached, bad, worst);
    assert_int_equal(bad, 0);
    route_workspace_destroy(ws);
    free(ref);
    free(q);
    free(starts);
    free(ends);
    return reached;
}

/* ---- hand-made: the cross ----------------------------------------------------------------------------------
 *             N (0,1000)
 *             |  3 (N -> C)        5: E - N; 6: S - E (a second way round)
 *   W ------- C ------- E          1: W - C, 2: C - E, 4: C - S
 *             |  4
 *             S (0,-1000)
 * Turns: no 1 -> 3 at C, only 4 -> 2 at C (coming up from S: straight on is N, so only right... any),
 * no 1 -> (via 2) -> 5. */
static void road(emscov_ctx *ctx, network_builder *b, double x0, double y0, double x1, double y1, int64_t rec)
{
    const double x[2] = {x0, x1}, y[2] = {y0, y1};
    network_road r = {.x = x, .y = y, .n = 2, .road_class = "支路", .speed_kmh = 36, .record = rec};
    assert_ok(ctx, network_builder_add(ctx, b, &r));
}

static uint32_t node_xy(const network *net, double x, double y)
{
    for (uint32_t v = 0; v < network_node_count(net); v++) {
        double nx, ny;
        network_node_xy(net, v, &nx, &ny);
        if (nx == x && ny == y)
            return v;
    }
    fail_msg("no node at %g %g", x, y);
    return NETWORK_NONE;
}

static void test_cross(void **state)
{
    emscov_ctx *ctx = *state;
    PGconn *c = tu_pg_connect();
    speed_profile *sp = NULL;
    crs *utm = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &utm));
    network_builder *b = NULL;
    assert_ok(ctx, network_builder_create(ctx, sp, utm, NULL, &b));
    road(ctx, b, -1000, 0, 0, 0, 1);
    road(ctx, b, 0, 0, 1000, 0, 2);
    road(ctx, b, 0, 1000, 0, 0, 3);
    road(ctx, b, 0, 0, 0, -1000, 4);
    road(ctx, b, 1000, 0, 0, 1000, 5);
    road(ctx, b, 0, -1000, 1000, 0, 6);
    const int64_t via2[] = {2};
    network_turn t[] = {{.from = 1, .to = 3, .kind = NETWORK_TURN_NO},
                        {.from = 4, .to = 2, .kind = NETWORK_TURN_ONLY},
                        {.from = 1, .to = 5, .via = via2, .nvia = 1, .kind = NETWORK_TURN_NO}};
    for (size_t i = 0; i < 3; i++)
        assert_ok(ctx, network_builder_add_turn(ctx, b, &t[i]));
    network *net = NULL;
    assert_ok(ctx, network_builder_finish(ctx, b, &net));
    assert_int_equal(network_get_stats(net)->turns_applied, 3);
    uint32_t C = node_xy(net, 0, 0), E = node_xy(net, 1000, 0);
    seqs s = {.n = 0};
    turn_pairs(net, &s, 1, C, 3, false);
    turn_pairs(net, &s, 4, C, 2, true);
    uint32_t a1[2], a2[2], a5[2];
    assert_int_equal(arcs_at(net, 1, C, true, a1, 2), 1);
    assert_int_equal(arcs_at(net, 2, E, true, a2, 2), 1);
    assert_int_equal(arcs_at(net, 5, E, false, a5, 2), 1);
    seq_add(&s, (uint32_t[3]){a1[0], a2[0], a5[0]}, 3);
    export(c, net, &s);
    uint32_t st[5];
    for (uint32_t v = 0; v < 5; v++)
        st[v] = v;
    assert_true(compare(ctx, c, net, st, 5, "cross") >= 15);
    network_destroy(net);
    crs_destroy(utm);
    speed_profile_destroy(sp);
    PQfinish(c);
}

/* ---- Monaco ------------------------------------------------------------------------------------------------ */

typedef struct relations {
    int64_t from[64], via[64], to[64];
    bool only[64];
    size_t n, other;
} relations;

static ems_status on_relation(void *user, const osm_relation *r)
{
    relations *rs = user;
    const char *type = NULL, *restr = NULL;
    for (size_t i = 0; i < r->ntags; i++) {
        if (!strcmp(r->tags[i].key, "type"))
            type = r->tags[i].value;
        if (!strcmp(r->tags[i].key, "restriction"))
            restr = r->tags[i].value;
    }
    if (!type || strcmp(type, "restriction") || !restr)
        return EMS_OK;
    int64_t from = 0, via = 0, to = 0;
    int nvia = 0;
    for (size_t i = 0; i < r->nmembers; i++) {
        const osm_member *m = &r->members[i];
        if (!strcmp(m->role, "from"))
            from = m->ref;
        else if (!strcmp(m->role, "to"))
            to = m->ref;
        else if (!strcmp(m->role, "via") && m->type == OSM_TYPE_NODE)
            via = m->ref, nvia++;
    }
    if (nvia != 1 || rs->n >= 64) {
        rs->other++;
        return EMS_OK;
    }
    rs->from[rs->n] = from;
    rs->via[rs->n] = via;
    rs->to[rs->n] = to;
    rs->only[rs->n++] = !strncmp(restr, "only_", 5);
    return EMS_OK;
}

static void test_monaco(void **state)
{
    emscov_ctx *ctx = *state;
    const char *pbf = tu_shared("data/real/monaco-osm-2016/monaco.osm.pbf");
    tu_require_shared(pbf);
    PGconn *c = tu_pg_connect();
    relations rs = {.n = 0};
    osm_visitor vis = {.relation = on_relation, .user = &rs};
    assert_ok(ctx, osm_read(ctx, pbf, &vis, NULL));
    assert_int_equal(rs.n, 27); /* osmium tags-filter r/type=restriction: 27 relations, all via a node */
    assert_int_equal(rs.other, 0);
    speed_profile *sp = NULL;
    crs *wk = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_ok(ctx, crs_from_epsg(ctx, 32632, &wk));
    network *net = NULL;
    network_build_opts o = {.rules = {.access = NETWORK_ACCESS_STRICT}}; /* turns only: pgr_trsp has no access rule */
    assert_ok(ctx, network_build_from_osm(ctx, pbf, sp, wk, &o, &net));
    assert_int_equal(network_get_stats(net)->turns_applied, 27);
    seqs s = {.n = 0};
    for (size_t i = 0; i < rs.n; i++) {
        uint32_t v = NETWORK_NONE;
        for (uint32_t k = 0; k < network_node_count(net); k++) {
            int64_t id;
            if (network_node_osm_id(net, k, &id) && id == rs.via[i])
                v = k;
        }
        assert_true(v != NETWORK_NONE);
        turn_pairs(net, &s, rs.from[i], v, rs.to[i], rs.only[i]);
    }
    assert_int_equal(s.n, network_get_stats(net)->turn_sequences);
    export(c, net, &s);
    /* the 8 stations at their nearest nodes */
    layer *st = NULL;
    assert_ok(ctx, layer_read(ctx, tu_shared("data/real/monaco-osm-2016/derived/stations.geojson"), NULL, &st));
    assert_ok(ctx, layer_transform(ctx, st, wk));
    snap_index *ix = NULL;
    assert_ok(ctx, snap_index_build(ctx, net, &ix));
    assert_ok(ctx, snap_index_set_mode(ctx, ix, SNAP_VERTEX));
    int kf = layer_field_index(st, "kind");
    uint32_t nodes[16];
    size_t n = 0;
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < layer_count(st); i++) {
        const layer_value *v = layer_value_at(st, i, (size_t)kf);
        if (v->is_null || (strcmp(v->u.s, "fire_station") && strcmp(v->u.s, "hospital")))
            continue;
        double x, y;
        snap_pos p;
        GEOSGeomGetX_r(h, layer_geom(st, i), &x);
        GEOSGeomGetY_r(h, layer_geom(st, i), &y);
        assert_true(snap_point(ix, x, y, 5000, &p));
        nodes[n++] = p.node;
    }
    assert_int_equal(n, 8);
    size_t reached = compare(ctx, c, net, nodes, n, "monaco");
    assert_true(reached > 8 * 2000);
    snap_index_destroy(ix);
    layer_destroy(st);
    network_destroy(net);
    crs_destroy(wk);
    speed_profile_destroy(sp);
    PQfinish(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross),
        cmocka_unit_test(test_monaco),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
