/* tests/geo/test_network_rules.c: the network rules (issue 15) on small graphs worked out by hand: the access
 * rule (ends / strict / ignore), the maxspeed rule (use / ignore / cap), turn restrictions through a via node
 * and along a via road (no_* and only_*), and the rule words. Every road is class 支路 (30 km/h in the default
 * profile) with an own speed of 36 km/h = 10 m/s unless said otherwise, so 1000 m take 100 s; sqrt(2) km
 * = 141.421 s. Times are checked through route_multi_source (one and two labels) and the reusable bounded
 * search, which must agree bit for bit. */
#include "netfix.h"

#include "geo/isochrone.h"
#include "geo/route.h"
#include "geo/snap.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define D2 141.42135623730951 /* sqrt(2) km at 10 m/s */

static void road(fixture *f, network_builder *b, double x0, double y0, double x1, double y1, int64_t rec,
                 bool restricted)
{
    const double x[2] = {x0, x1}, y[2] = {y0, y1};
    network_road r = {.x = x, .y = y, .n = 2, .road_class = "支路", .speed_kmh = 36, .dir = NETWORK_BOTH,
                      .record = rec, .restricted = restricted};
    assert_ok(f->ctx, network_builder_add(f->ctx, b, &r));
}

/* The link of a record (the first when split). */
static uint32_t link_of(const network *net, int64_t rec)
{
    for (uint32_t l = 0; l < network_link_count(net); l++)
        if (network_link_at(net, l)->record == rec)
            return l;
    fail_msg("no link of record %lld", (long long)rec);
    return NETWORK_NONE;
}

/* A source at a node: the end of a link touching it. */
static route_source source_at_node(const network *net, uint32_t node)
{
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        if (k->from == node || k->to == node)
            return (route_source){.pos = snap_at(net, l, k->from == node ? 0 : k->length_m)};
    }
    fail_msg("node %u has no link", node);
    return (route_source){0};
}

/* One source: the time at a node and at along_m of a record's link, by route_multi_source (1 and 2 labels) and
 * by the bounded search -- all three must agree exactly. */
typedef struct probe {
    double node_x, node_y; /* a node ... */
    int64_t rec;           /* ... or, when rec > 0, a position on this record's link */
    double along_m;
    double want;           /* INFINITY: not reached */
} probe;

static void check_probes(fixture *f, const network *net, route_source src, const probe *p, size_t n)
{
    route_result *r1 = NULL, *r2 = NULL;
    route_opts o1 = {.labels = 1}, o2 = {.labels = 2};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &src, 1, &o1, &r1));
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &src, 1, &o2, &r2));
    route_workspace *ws = NULL;
    assert_ok(f->ctx, route_workspace_create(f->ctx, net, &ws));
    route_bounded_single(ws, &src, 0);
    for (size_t i = 0; i < n; i++) {
        double t1, t2, tw;
        if (p[i].rec > 0) {
            snap_pos pos = snap_at(net, link_of(net, p[i].rec), p[i].along_m);
            t1 = route_pos_time(r1, &pos, 0, NULL);
            t2 = route_pos_time(r2, &pos, 0, NULL);
            tw = route_ws_pos_time(ws, &pos);
        } else {
            uint32_t v = node_at(net, p[i].node_x, p[i].node_y);
            t1 = route_node_time(r1, v, 0, NULL);
            t2 = route_node_time(r2, v, 0, NULL);
            tw = route_ws_node_time(ws, v);
        }
        if (isinf(p[i].want)) {
            if (!isinf(t1))
                fail_msg("probe %zu: reached in %.6f s, expected not reached", i, t1);
        } else {
            if (!(fabs(t1 - p[i].want) <= 1e-6))
                fail_msg("probe %zu: %.6f s, expected %.6f s", i, t1, p[i].want);
        }
        if (!(t2 == t1 || (isinf(t1) && isinf(t2))) || !(tw == t1 || (isinf(t1) && isinf(tw))))
            fail_msg("probe %zu: 1 label %.9f, 2 labels %.9f, bounded %.9f", i, t1, t2, tw);
    }
    route_workspace_destroy(ws);
    route_result_destroy(r1);
    route_result_destroy(r2);
}

/* ---- access = ends / strict / ignore ---------------------------------------------------------------------
 *
 *            S (1000,1100)        yard S-P1: restricted, 100 m
 *            |
 *            P1 (1000,1000)
 *           /  \                  P0-P1, P1-P2: public, sqrt(2) km each
 *  W ---- P0 ==== P2 ---- P3      W (-1000,0) P0 (0,0) P2 (2000,0) P3 (3000,0)
 *                                 P0 = P2: restricted (a gated compound's road), 2000 m; W-P0, P2-P3 public
 *
 * From W (ends): P0 100; P1 100 + D2; P2 = 300 (through the compound, which the route ENDS in); P3 may not be
 * reached through it (public, restricted, public) = 100 + 2 D2 + 100; a point 500 m into P2-P3 the same way =
 * 100 + 2 D2 + 50; a point 1000 m into the compound road 200; S 100 + D2 + 10 (ends in the yard).
 * From the middle of the compound road (a station inside it): P0 100, P2 100, P3 200 (leaving through it).
 * From S (a station in its yard): P1 10, P0 and P2 10 + D2, P3 10 + D2 + 100. */
static network *access_net(fixture *f, network_access rule)
{
    network_builder *b = NULL;
    network_build_opts o = {.source = "access", .rules = {.access = rule}};
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
    road(f, b, -1000, 0, 0, 0, 1, false);
    road(f, b, 0, 0, 1000, 1000, 2, false);
    road(f, b, 1000, 1000, 2000, 0, 3, false);
    road(f, b, 0, 0, 2000, 0, 4, true);
    road(f, b, 2000, 0, 3000, 0, 5, false);
    road(f, b, 1000, 1100, 1000, 1000, 6, true);
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    return net;
}

static void test_access_ends(void **state)
{
    fixture *f = *state;
    network *net = access_net(f, NETWORK_ACCESS_ENDS);
    const network_stats *s = network_get_stats(net);
    assert_int_equal(s->restricted_roads, 2);
    assert_int_equal(s->restricted_links, 2);
    assert_close(s->restricted_km, 2.1, 1e-12);
    assert_int_equal(s->restricted_dropped, 0);
    assert_true(network_link_restricted(net, link_of(net, 4)));
    assert_false(network_link_restricted(net, link_of(net, 5)));
    /* copies: P0 and P2 (restricted out-arc) get M and E; P1 E (from the yard side it is S = start ... ) */
    assert_true(network_search_count(net) > network_node_count(net));
    const probe from_w[] = {
        {0, 0, 0, 0, 100},
        {1000, 1000, 0, 0, 100 + D2},
        {2000, 0, 0, 0, 300},
        {3000, 0, 0, 0, 200 + 2 * D2},
        {0, 0, 5, 500, 150 + 2 * D2},
        {0, 0, 4, 1000, 200},
        {1000, 1100, 0, 0, 110 + D2},
        {0, 0, 6, 50, 105 + D2},
    };
    check_probes(f, net, source_at_node(net, node_at(net, -1000, 0)), from_w, sizeof from_w / sizeof *from_w);
    /* entering P2-P3 (public) at P2: only the arrival along the public road counts (100 + 2 D2), not the one
     * through the compound (300); entering the compound road back from P2 at 300 */
    route_source sw = source_at_node(net, node_at(net, -1000, 0));
    route_result *rr = NULL;
    route_opts o2 = {.labels = 2};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &sw, 1, &o2, &rr));
    uint32_t src_id;
    assert_close(route_link_entry_time(rr, link_of(net, 5), false, 0, &src_id), 100 + 2 * D2, 1e-9);
    assert_int_equal(src_id, 0);
    assert_close(route_link_entry_time(rr, link_of(net, 4), true, 0, NULL), 300, 1e-9);
    route_result_destroy(rr);
    const probe from_inside[] = {
        {0, 0, 0, 0, 100}, {2000, 0, 0, 0, 100}, {3000, 0, 0, 0, 200}, {-1000, 0, 0, 0, 200},
        {1000, 1000, 0, 0, 100 + D2}, {0, 0, 4, 1500, 50},
    };
    route_source mid = {.pos = snap_at(net, link_of(net, 4), 1000)};
    check_probes(f, net, mid, from_inside, sizeof from_inside / sizeof *from_inside);
    const probe from_yard[] = {
        {1000, 1000, 0, 0, 10}, {0, 0, 0, 0, 10 + D2}, {2000, 0, 0, 0, 10 + D2}, {3000, 0, 0, 0, 110 + D2},
        {-1000, 0, 0, 0, 110 + D2},
    };
    check_probes(f, net, source_at_node(net, node_at(net, 1000, 1100)), from_yard,
                 sizeof from_yard / sizeof *from_yard);
    network_destroy(net);
}

/* Two restricted areas in a row: W -R- A -P- B -R- C -P- D. From W: A 100 (start), B 200, C 300 (end), D may
 * not be reached (R P R P); from A: D 300 (P R P: through the second area in the middle: no) -> not reached
 * either; from B (between them): D 200 (R then P, leaving where it started? no: B is public, B-C restricted,
 * C-D public: P R P) -> not reached; from the middle of B-C: D 150 (start inside the area). */
static void test_access_two_areas(void **state)
{
    fixture *f = *state;
    network_builder *b = NULL;
    network_build_opts o = {.source = "areas"};
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
    road(f, b, 0, 0, 1000, 0, 1, true);
    road(f, b, 1000, 0, 2000, 0, 2, false);
    road(f, b, 2000, 0, 3000, 0, 3, true);
    road(f, b, 3000, 0, 4000, 0, 4, false);
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    const probe from_w[] = {
        {1000, 0, 0, 0, 100}, {2000, 0, 0, 0, 200}, {3000, 0, 0, 0, 300}, {4000, 0, 0, 0, INFINITY},
        {0, 0, 4, 1, INFINITY},
    };
    check_probes(f, net, source_at_node(net, node_at(net, 0, 0)), from_w, 5);
    const probe from_b[] = {{4000, 0, 0, 0, INFINITY}, {0, 0, 0, 0, 200}, {3000, 0, 0, 0, 100}};
    check_probes(f, net, source_at_node(net, node_at(net, 2000, 0)), from_b, 3);
    const probe from_mid[] = {{4000, 0, 0, 0, 150}, {0, 0, 0, 0, 250}};
    route_source mid = {.pos = snap_at(net, link_of(net, 3), 500)};
    check_probes(f, net, mid, from_mid, 2);
    network_destroy(net);
}

static void test_access_strict_ignore(void **state)
{
    fixture *f = *state;
    network *net = access_net(f, NETWORK_ACCESS_STRICT);
    const network_stats *s = network_get_stats(net);
    assert_int_equal(s->restricted_roads, 2);
    assert_int_equal(s->restricted_dropped, 2);
    assert_int_equal(s->restricted_links, 0);
    assert_int_equal(s->links, 4);
    assert_int_equal(network_search_count(net), network_node_count(net)); /* the graph itself */
    const probe strict[] = {{2000, 0, 0, 0, 100 + 2 * D2}, {3000, 0, 0, 0, 200 + 2 * D2}};
    check_probes(f, net, source_at_node(net, node_at(net, -1000, 0)), strict, 2);
    network_destroy(net);

    net = access_net(f, NETWORK_ACCESS_IGNORE);
    s = network_get_stats(net);
    assert_int_equal(s->restricted_opened, 2);
    assert_int_equal(s->restricted_links, 0);
    assert_false(network_link_restricted(net, link_of(net, 4)));
    const probe ignore[] = {{2000, 0, 0, 0, 300}, {3000, 0, 0, 0, 400}, {1000, 1100, 0, 0, 110 + D2}};
    check_probes(f, net, source_at_node(net, node_at(net, -1000, 0)), ignore, 3);
    network_destroy(net);
}

/* A restricted duplicate of a public road does not restrict it (the public record opens the link). */
static void test_access_duplicate(void **state)
{
    fixture *f = *state;
    network_builder *b = NULL;
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, NULL, &b));
    road(f, b, 0, 0, 1000, 0, 1, true);
    road(f, b, 1000, 0, 0, 0, 2, false);
    road(f, b, 1000, 0, 2000, 0, 3, true);
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    assert_int_equal(network_get_stats(net)->duplicates_dropped, 1);
    assert_false(network_link_restricted(net, link_of(net, 1)));
    assert_true(network_link_restricted(net, link_of(net, 3)));
    assert_int_equal(network_get_stats(net)->restricted_links, 1);
    network_destroy(net);
}

/* ---- maxspeed = use / ignore / cap ----------------------------------------------------------------------
 * 支路 = 30 km/h. Road 1: own 36 km/h, 1000 m -> use 100 s, ignore 120 s, cap 120 s (capped). Road 2: own 18
 * km/h, 1000 m -> 200 s in every mode but ignore (120 s). Road 3: no own speed, 500 m: 60 s always. */
static void test_maxspeed(void **state)
{
    fixture *f = *state;
    static const struct {
        network_maxspeed rule;
        double t1, t2;
        size_t own_links, capped, ignored;
        double own_km;
    } cases[] = {
        {NETWORK_MAXSPEED_USE, 100, 200, 2, 0, 0, 2},
        {NETWORK_MAXSPEED_IGNORE, 120, 120, 0, 0, 2, 0},
        {NETWORK_MAXSPEED_CAP, 120, 200, 1, 1, 0, 1},
    };
    for (size_t c = 0; c < 3; c++) {
        network_builder *b = NULL;
        network_build_opts o = {.rules = {.maxspeed = cases[c].rule}};
        assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
        const double x1[] = {0, 1000}, x2[] = {1000, 2000}, x3[] = {2000, 2500}, y[] = {0, 0};
        network_road r1 = {.x = x1, .y = y, .n = 2, .road_class = "支路", .speed_kmh = 36, .record = 1};
        network_road r2 = {.x = x2, .y = y, .n = 2, .road_class = "支路", .speed_kmh = 18, .record = 2};
        network_road r3 = {.x = x3, .y = y, .n = 2, .road_class = "支路", .record = 3};
        assert_ok(f->ctx, network_builder_add(f->ctx, b, &r1));
        assert_ok(f->ctx, network_builder_add(f->ctx, b, &r2));
        assert_ok(f->ctx, network_builder_add(f->ctx, b, &r3));
        network *net = NULL;
        assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
        assert_close(network_link_at(net, link_of(net, 1))->time_fwd_s, cases[c].t1, 1e-9);
        assert_close(network_link_at(net, link_of(net, 2))->time_bwd_s, cases[c].t2, 1e-9);
        assert_close(network_link_at(net, link_of(net, 3))->time_fwd_s, 60, 1e-9);
        const network_stats *s = network_get_stats(net);
        assert_int_equal(s->own_speed_links, cases[c].own_links);
        assert_close(s->own_speed_km, cases[c].own_km, 1e-12);
        assert_int_equal(s->own_speed_capped, cases[c].capped);
        assert_int_equal(s->own_speed_ignored, cases[c].ignored);
        /* re-timed for the peak (x 0.6): the rule still holds */
        assert_ok(f->ctx, network_retime(f->ctx, net, f->sp, "peak"));
        assert_close(network_link_at(net, link_of(net, 1))->time_fwd_s, cases[c].t1 / 0.6, 1e-9);
        assert_int_equal(network_get_stats(net)->own_speed_capped, cases[c].capped);
        network_destroy(net);
    }
}

/* ---- turn restrictions -------------------------------------------------------------------------------------
 *
 *             N (0,1000)
 *             |  3 (digitised N -> C)     5: E - N, sqrt(2) km
 *   W ------- C ------- E                 1: W - C, 2: C - E, 4: C - S, 1000 m each
 *             |  4
 *             S (0,-1000)
 * From W, unrestricted: C 100, E 200, N 200, S 200. */
static network *cross(fixture *f, const network_turn *turns, size_t nturns, bool off)
{
    network_builder *b = NULL;
    network_build_opts o = {.source = "cross", .rules = {.turns_off = off}};
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
    road(f, b, -1000, 0, 0, 0, 1, false);
    road(f, b, 0, 0, 1000, 0, 2, false);
    road(f, b, 0, 1000, 0, 0, 3, false);
    road(f, b, 0, 0, 0, -1000, 4, false);
    road(f, b, 1000, 0, 0, 1000, 5, false);
    for (size_t i = 0; i < nturns; i++)
        assert_ok(f->ctx, network_builder_add_turn(f->ctx, b, &turns[i]));
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    return net;
}

static void test_turn_via_node(void **state)
{
    fixture *f = *state;
    /* (a) no_left_turn 1 -> 3 at C (found as the junction the two roads share): N = W-C-E-N 200 + D2; a point
     * 500 m down road 3 from N: via C needs an arrival that may turn onto 3: the U-turn back from E or S gives
     * C at 300 -> 350 (from N: 200 + D2 + 50 = 391.4) */
    network_turn no_left = {.from = 1, .to = 3, .kind = NETWORK_TURN_NO, .id = 1};
    network *net = cross(f, &no_left, 1, false);
    const network_stats *s = network_get_stats(net);
    assert_int_equal(s->turns_read, 1);
    assert_int_equal(s->turns_applied, 1);
    assert_int_equal(s->turn_sequences, 1);
    assert_int_equal(s->search_copies, 1); /* C arrived by road 1 */
    const probe a[] = {
        {0, 0, 0, 0, 100}, {1000, 0, 0, 0, 200}, {0, -1000, 0, 0, 200}, {0, 1000, 0, 0, 200 + D2},
        {0, 0, 3, 500, 350}, {0, 0, 4, 500, 150},
    };
    uint32_t w = node_at(net, -1000, 0);
    check_probes(f, net, source_at_node(net, w), a, sizeof a / sizeof *a);
    /* the time a route may start along a link (service areas): C is reached at 100, but the turn onto road 3
     * (C -> N, against its digitised direction) only at 300; onto road 4 at 100 */
    route_source sw = source_at_node(net, w);
    route_result *rr = NULL;
    route_opts o1 = {.labels = 1};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &sw, 1, &o1, &rr));
    assert_close(route_node_time(rr, node_at(net, 0, 0), 0, NULL), 100, 1e-9);
    assert_close(route_link_entry_time(rr, link_of(net, 3), true, 0, NULL), 300, 1e-9);
    assert_close(route_link_entry_time(rr, link_of(net, 4), false, 0, NULL), 100, 1e-9);
    assert_true(isinf(route_link_entry_time(rr, link_of(net, 3), true, 1, NULL))); /* rank 1 of a 1-label run */
    route_result_destroy(rr);
    /* re-timed for the peak (x 0.6): the search graph's arcs follow */
    assert_ok(f->ctx, network_retime(f->ctx, net, f->sp, "peak"));
    const probe peak[] = {{0, 1000, 0, 0, (200 + D2) / 0.6}, {0, 0, 3, 500, 350 / 0.6}};
    check_probes(f, net, sw, peak, 2);
    /* the same turn switched off: counted, not applied */
    network_destroy(net);
    net = cross(f, &no_left, 1, true);
    assert_int_equal(network_get_stats(net)->turns_off, 1);
    assert_int_equal(network_get_stats(net)->turns_applied, 0);
    const probe off[] = {{0, 1000, 0, 0, 200}};
    check_probes(f, net, source_at_node(net, node_at(net, -1000, 0)), off, 1);
    network_destroy(net);

    /* (b) only_straight_on 1 -> 2 at C (given by node position as a line layer's table would): N 200 + D2,
     * S = W-C-E, U-turn, E-C-S 400; 2 sequences (1 -> 3, 1 -> 4; and 1 -> 1 back: 3) */
    network_turn only = {.from = 1, .to = 2, .has_via_xy = true, .via_x = 0.4, .via_y = -0.2,
                         .kind = NETWORK_TURN_ONLY, .id = 2};
    net = cross(f, &only, 1, false);
    assert_int_equal(network_get_stats(net)->turn_sequences, 3);
    const probe b[] = {{0, 1000, 0, 0, 200 + D2}, {0, -1000, 0, 0, 400}, {1000, 0, 0, 0, 200}, {-1000, 0, 0, 0, 0}};
    check_probes(f, net, source_at_node(net, node_at(net, -1000, 0)), b, sizeof b / sizeof *b);
    /* a station inside road 1 driving east obeys it too; one driving west is not affected */
    const probe b2[] = {{0, 1000, 0, 0, 150 + D2}, {0, -1000, 0, 0, 350}};
    check_probes(f, net, (route_source){.pos = snap_at(net, link_of(net, 1), 500)}, b2, 2);
    network_destroy(net);
}

/* Service areas obey the turn rules: with no_left_turn 1 -> 3 at C, from W within 150 s the area is road 1
 * (1000 m, W at 0 s), 500 m of road 2 (C at 100 s + 50 s) and 500 m of road 4; none of road 3: a route may
 * start along it from C only at 300 s (after a U-turn at E or S), and N is 200 + D2 s away. Buffered by 10 m:
 * the capsule of W..(500,0), 30000 + 100 pi, and of C..(0,-500), 10000 + 100 pi, overlapping in the 20 x 10
 * rectangle below C and the half disk above it: 39800 + 150 pi. Timed from C's own 100 s, as before the entry
 * times, road 3 would add 500 m: 9800 + 50 pi more. The bounded search gives the same entry times. */
static void test_turn_service_area(void **state)
{
    fixture *f = *state;
    network_turn no_left = {.from = 1, .to = 3, .kind = NETWORK_TURN_NO, .id = 1};
    network *net = cross(f, &no_left, 1, false);
    route_source sw = source_at_node(net, node_at(net, -1000, 0));
    route_result *rr = NULL;
    route_opts o1 = {.labels = 1};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &sw, 1, &o1, &rr));
    const double band[] = {150};
    isochrone_opts io = {.bands_s = band, .nbands = 1, .buffer_m = 10, .quadrant_segments = 64};
    isochrone_set *iso = NULL;
    assert_ok(f->ctx, isochrone_build(f->ctx, net, rr, &io, &iso));
    assert_int_equal(isochrone_count(iso), 1);
    assert_close(isochrone_at(iso, 0)->area_m2, 39800 + 150 * M_PI, 1.0);
    isochrone_set_destroy(iso);
    /* split by station: the one station holds it all */
    io.by_station = true;
    assert_ok(f->ctx, isochrone_build(f->ctx, net, rr, &io, &iso));
    assert_int_equal(isochrone_count(iso), 1);
    assert_int_equal(isochrone_at(iso, 0)->source, 0);
    assert_close(isochrone_at(iso, 0)->area_m2, 39800 + 150 * M_PI, 1.0);
    isochrone_set_destroy(iso);
    route_workspace *ws = NULL;
    assert_ok(f->ctx, route_workspace_create(f->ctx, net, &ws));
    assert_true(isinf(route_ws_link_entry_time(ws, link_of(net, 3), true))); /* no search yet */
    route_bounded_single(ws, &sw, 0);
    for (int64_t rec = 1; rec <= 5; rec++)
        for (int rev = 0; rev < 2; rev++) {
            uint32_t l = link_of(net, rec);
            double a = route_link_entry_time(rr, l, rev, 0, NULL), b = route_ws_link_entry_time(ws, l, rev);
            if (!(a == b || (isinf(a) && isinf(b))))
                fail_msg("road %lld %s: entry %.9f, bounded %.9f", (long long)rec, rev ? "backward" : "forward", a, b);
        }
    assert_close(route_ws_link_entry_time(ws, link_of(net, 3), true), 300, 1e-9);
    assert_close(route_ws_node_time(ws, node_at(net, 0, 0)), 100, 1e-9);
    assert_true(isinf(route_ws_link_entry_time(ws, NETWORK_NONE, false)));
    route_workspace_destroy(ws);
    route_result_destroy(rr);
    network_destroy(net);
}

static void test_turn_via_way(void **state)
{
    fixture *f = *state;
    /* no_left 1 -> 3 at C, and no 1 -> (via road 2) -> 5: N = W-C-E-C-N or W-C-S-C-N = 400. A point 500 m
     * from E on road 5: E by road 2 from road 1 may not take 5; E otherwise: W-C-S-C-E 400 -> 400 + D2 / 2
     * (from N the same: 400 + D2 / 2). */
    const int64_t via[] = {2};
    network_turn t[2] = {{.from = 1, .to = 3, .kind = NETWORK_TURN_NO, .id = 1},
                         {.from = 1, .to = 5, .via = via, .nvia = 1, .kind = NETWORK_TURN_NO, .id = 2}};
    network *net = cross(f, t, 2, false);
    const network_stats *s = network_get_stats(net);
    assert_int_equal(s->turns_applied, 2);
    assert_int_equal(s->turn_sequences, 2);
    const probe p[] = {
        {0, 1000, 0, 0, 400}, {1000, 0, 0, 0, 200}, {0, 0, 5, 500 * 1.4142135623730951, 400 + D2 / 2},
    };
    check_probes(f, net, source_at_node(net, node_at(net, -1000, 0)), p, 3);
    network_destroy(net);

    /* only 1 -> (via 2) -> 5: after W-C-E, only E-N: the U-turn at E is forbidden, so S from W = 200 still
     * (W-C-S) and C-E-C is not possible: a point 500 m into road 2 from E reached only from C: 150 */
    network_turn only = {.from = 1, .to = 5, .via = via, .nvia = 1, .kind = NETWORK_TURN_ONLY, .id = 3};
    net = cross(f, &only, 1, false);
    assert_int_equal(network_get_stats(net)->turn_sequences, 1); /* 1, 2, 2 back */
    const probe q[] = {{0, -1000, 0, 0, 200}, {0, 1000, 0, 0, 200}, {0, 0, 2, 500, 150}};
    check_probes(f, net, source_at_node(net, node_at(net, -1000, 0)), q, 3);
    network_destroy(net);
}

/* Turns that do not fit the graph are counted, not applied: an unknown road, roads that share no junction,
 * a via node not in the graph, an only_* onto a road that cannot be entered there. */
static void test_turn_unresolved(void **state)
{
    fixture *f = *state;
    const int64_t via_missing[] = {77};
    network_turn t[] = {
        {.from = 1, .to = 99, .kind = NETWORK_TURN_NO, .id = 1},
        {.from = 1, .to = 5, .kind = NETWORK_TURN_NO, .id = 2},       /* 1 and 5 share no node */
        {.from = 1, .to = 3, .has_via_node = true, .via_node = 12345, .id = 3}, /* no OSM ids here */
        {.from = 1, .to = 3, .via = via_missing, .nvia = 1, .id = 4},
    };
    network *net = cross(f, t, 4, false);
    const network_stats *s = network_get_stats(net);
    assert_int_equal(s->turns_read, 4);
    assert_int_equal(s->turns_applied, 0);
    assert_int_equal(s->turns_unresolved, 4);
    assert_int_equal(network_search_count(net), network_node_count(net));
    network_destroy(net);
    /* a bad kind is refused */
    network_builder *b = NULL;
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, NULL, &b));
    network_turn bad = {.from = 1, .to = 2, .kind = (network_turn_kind)7, .id = 9};
    assert_status_msg(f->ctx, network_builder_add_turn(f->ctx, b, &bad), EMS_EINPUT, "turn restriction 9: kind 7");
    network_builder_destroy(b);
}

/* Access rule and turn restrictions together, and many sources with two labels: every node's two labels equal
 * a brute-force search over the expanded graph made by hand? Here: against single-source searches (the
 * nearest and second-nearest distinct source at each node are the two smallest single-source times). */
static void test_two_labels_with_rules(void **state)
{
    fixture *f = *state;
    network_builder *b = NULL;
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, NULL, &b));
    /* a 4 x 4 grid, 1000 m spacing; the middle row's east half restricted; turns forbidden at two nodes */
    int64_t rec = 1;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
            road(f, b, j * 1000.0, i * 1000.0, (j + 1) * 1000.0, i * 1000.0, rec++, i == 1 && j >= 1);
            road(f, b, i * 1000.0, j * 1000.0, i * 1000.0, (j + 1) * 1000.0, rec++, false);
        }
    /* record numbers: horizontal (row i, col j) = 1 + 2 (3 i + j), vertical (col i, row j) = 2 + 2 (3 i + j) */
    network_turn t[] = {
        {.from = 1 + 2 * (3 * 1 + 0), .to = 2 + 2 * (3 * 1 + 1), .kind = NETWORK_TURN_NO, .id = 1},
        {.from = 2 + 2 * (3 * 2 + 0), .to = 1 + 2 * (3 * 1 + 2), .kind = NETWORK_TURN_ONLY, .id = 2},
    };
    for (size_t i = 0; i < 2; i++)
        assert_ok(f->ctx, network_builder_add_turn(f->ctx, b, &t[i]));
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    assert_int_equal(network_get_stats(net)->turns_applied, 2);
    route_source src[3] = {{.pos = snap_at(net, link_of(net, 1), 300), .delay_s = 5},
                           {.pos = snap_at(net, link_of(net, 1 + 2 * (3 * 1 + 2)), 400), .delay_s = 0},
                           {.pos = source_at_node(net, node_at(net, 3000, 3000)).pos, .delay_s = 20}};
    route_result *r = NULL;
    route_opts o = {.labels = 2};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, src, 3, &o, &r));
    route_workspace *ws[3] = {NULL};
    for (int i = 0; i < 3; i++) {
        assert_ok(f->ctx, route_workspace_create(f->ctx, net, &ws[i]));
        route_bounded_single(ws[i], &src[i], 0);
    }
    for (uint32_t l = 0; l < network_link_count(net); l++)
        for (double fr = 0; fr <= 1.0; fr += 0.25) {
            snap_pos p = snap_at(net, l, fr * network_link_at(net, l)->length_m);
            double best[2] = {INFINITY, INFINITY};
            for (int i = 0; i < 3; i++) {
                double t1 = route_ws_pos_time(ws[i], &p);
                if (t1 < best[0]) {
                    best[1] = best[0];
                    best[0] = t1;
                } else if (t1 < best[1]) {
                    best[1] = t1;
                }
            }
            assert_close(route_pos_time(r, &p, 0, NULL), best[0], 1e-9);
            if (isfinite(best[1]))
                assert_close(route_pos_time(r, &p, 1, NULL), best[1], 1e-9);
        }
    for (int i = 0; i < 3; i++)
        route_workspace_destroy(ws[i]);
    route_result_destroy(r);
    network_destroy(net);
}

/* ---- a line layer's turn table (CSV) ------------------------------------------------------------------------
 * The cross above in lon/lat (GeoJSON, road ids "r1".."r5" in field id) plus r6, a second road from C to E
 * bending north: r2 and r6 share both C and E. Table rows (lon/lat = the via junction, empty: the junction
 * the two roads share):
 *   1: r1 -> r3 no_left_turn                   (shared junction C)
 *   2: r2 -> r6 no_u_turn at E's lon/lat       (r2 and r6 share C and E: the point says E)
 *   3: r9 -> r3 no_left_turn                   (no road r9: unresolved, one warning)
 *   4: r2 -> r6 no_u_turn, no point            (two shared junctions: unresolved)
 *   5: r1 -> r5 no_straight_on via r2          (via road)
 * Expected from W, with each link's own time T(road) (projected lengths at 36 km/h): N = T1 + T4 + T4 + T3
 * (W-C-S-C-N; W-C-E-N is forbidden by row 5, W-C-N by row 1), or W-C-E-C-N = T1 + 2 T2 + T3, whichever is
 * less; E-by-r6 from r2 forbidden at E, so r6's middle is reached from C directly: T1 + T6 / 2. */
static const char cross_geojson[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"r1\"},\"geometry\":{\"type\":\"LineString\","
    "\"coordinates\":[[116.29,39.9],[116.30,39.9]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"r2\"},\"geometry\":{\"type\":\"LineString\","
    "\"coordinates\":[[116.30,39.9],[116.31,39.9]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"r3\"},\"geometry\":{\"type\":\"LineString\","
    "\"coordinates\":[[116.30,39.91],[116.30,39.9]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"r4\"},\"geometry\":{\"type\":\"LineString\","
    "\"coordinates\":[[116.30,39.9],[116.30,39.89]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"r5\"},\"geometry\":{\"type\":\"LineString\","
    "\"coordinates\":[[116.31,39.9],[116.30,39.91]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"id\":\"r6\"},\"geometry\":{\"type\":\"LineString\","
    "\"coordinates\":[[116.30,39.9],[116.305,39.903],[116.31,39.9]]}}]}";

static network *load_cross(fixture *f, const char *table)
{
    const char *roads = tu_tmp("cross.geojson");
    tu_write_file(roads, cross_geojson, strlen(cross_geojson));
    network_fields fl = {.id = "id"};
    network_build_opts o = {.rules = {.turn_table = table}};
    speed_profile *sp = f->sp;
    network *net = NULL;
    layer_read_opts ro = {0};
    ems_status st = network_load(f->ctx, roads, &ro, &fl, sp, f->utm, &o, &net);
    if (st != EMS_OK)
        return NULL;
    return net;
}

/* Time of record rec's link (the road's own time: class 支路, no own speed -> 30 km/h). */
static double T(const network *net, int64_t rec)
{
    return network_link_at(net, link_of(net, rec))->time_fwd_s;
}

static char table_warning[512];
static void on_warning(void *user, const char *msg)
{
    (void)user;
    snprintf(table_warning, sizeof table_warning, "%s", msg);
}

static void test_turn_table(void **state)
{
    fixture *f = *state;
    const char *table = tu_tmp("turns.csv");
    static const char csv[] = "from_id,to_id,restriction,via_id,lon,lat\n"
                              "r1,r3,no_left_turn,,,\n"
                              "r2,r6,no_u_turn,,116.31,39.9\n"
                              "r9,r3,no_left_turn,,,\n"
                              "r2,r6,no_u_turn,,,\n"
                              "r1,r5,no_straight_on,r2,,\n";
    tu_write_file(table, csv, sizeof csv - 1);
    table_warning[0] = '\0';
    emscov_set_warn(f->ctx, on_warning, NULL);
    network *net = load_cross(f, table);
    emscov_set_warn(f->ctx, NULL, NULL);
    assert_non_null(net);
    assert_non_null(strstr(table_warning, "turns.csv: 1 turn restrictions name roads that are not in the road "
                                          "network (first: record 3)"));
    const network_stats *s = network_get_stats(net);
    assert_int_equal(s->turns_read, 5);
    assert_int_equal(s->turns_applied, 3);
    assert_int_equal(s->turns_unresolved, 2);
    assert_int_equal(s->turn_sequences, 3);
    uint32_t w = network_link_at(net, link_of(net, 1))->from, n = network_link_at(net, link_of(net, 3))->from,
             e = network_link_at(net, link_of(net, 2))->to;
    double t1 = T(net, 1), t2 = T(net, 2), t3 = T(net, 3), t4 = T(net, 4), t5 = T(net, 5), t6 = T(net, 6);
    route_source src = source_at_node(net, w);
    route_result *r = NULL;
    route_opts o = {.labels = 1};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &src, 1, &o, &r));
    double want_n = fmin(fmin(t1 + 2 * t4 + t3, t1 + 2 * t2 + t3), fmin(t1 + t6 + t2 + t3, t1 + t6 + t5));
    assert_close(route_node_time(r, n, 0, NULL), want_n, 1e-6);
    assert_close(route_node_time(r, e, 0, NULL), t1 + fmin(t2, t6), 1e-6);
    route_result_destroy(r);
    /* from 90 % along r2 (driving east it arrives at E by r2, where r6 is forbidden): the middle of r6 is
     * reached back west through C (0.9 T2 + T6 / 2), not through E (0.1 T2 + T6 / 2) */
    src.pos = snap_at(net, link_of(net, 2), 0.9 * network_link_at(net, link_of(net, 2))->length_m);
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &src, 1, &o, &r));
    snap_pos mid = snap_at(net, link_of(net, 6), 0.5 * network_link_at(net, link_of(net, 6))->length_m);
    assert_close(route_pos_time(r, &mid, 0, NULL), 0.9 * t2 + t6 / 2, 1e-6);
    route_result_destroy(r);
    network_destroy(net);

    /* the same table keyed by record numbers when no id field is named; bad tables name file and record */
    static const struct {
        const char *csv, *msg;
    } bad[] = {
        {"from_id,to_id,restriction,lon,lat\nr1,r3,left,,\n",
         "turns-bad.csv: record 1: field restriction: \"left\" is not a no_* or only_* restriction"},
        {"from_id,restriction,lon,lat\nr1,no_left_turn,,\n", "turns-bad.csv: no field to_id (the turn table needs"},
        {"from_id,to_id,restriction\nr1,r3,no_left_turn\n", "turns-bad.csv: no coordinate columns found"},
    };
    const char *badp = tu_tmp("turns-bad.csv");
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tu_write_file(badp, bad[i].csv, strlen(bad[i].csv));
        const char *roads = tu_tmp("cross.geojson");
        network_fields fl = {.id = "id"};
        network_build_opts bo = {.rules = {.turn_table = badp}};
        network *x = (network *)1;
        assert_status_msg(f->ctx, network_load(f->ctx, roads, NULL, &fl, f->sp, f->utm, &bo, &x), EMS_EINPUT,
                          bad[i].msg);
        assert_null(x);
    }
    network_build_opts missing = {.rules = {.turn_table = tu_tmp("no-such-turns.csv")}};
    network *x = NULL;
    assert_status_msg(f->ctx, network_load(f->ctx, tu_tmp("cross.geojson"), NULL, NULL, f->sp, f->utm, &missing, &x),
                      EMS_EINPUT, "no-such-turns.csv");
}

/* Without restricted roads or turn restrictions the search graph is the graph itself: the generated sample
 * city (a line layer: no access tags, no turn table) routes on its own arcs, nothing copied. */
static void test_no_rules_no_copies(void **state)
{
    fixture *f = *state;
    network *net = sample_network(f);
    const network_stats *s = network_get_stats(net);
    assert_int_equal(network_search_count(net), network_node_count(net));
    assert_int_equal(s->search_copies, 0);
    assert_int_equal(s->search_arcs, s->arcs);
    uint32_t c1, c2;
    for (uint32_t v = 0; v < network_node_count(net); v += 97) {
        const network_arc *a = network_out_arcs(net, v, &c1), *b = network_search_arcs(net, v, &c2);
        assert_int_equal(c1, c2);
        assert_ptr_equal(a, b);
    }
    const network_link *k = network_link_at(net, 5);
    assert_int_equal(network_search_enter(net, 5, false), isfinite(k->time_fwd_s) ? k->to : NETWORK_NONE);
    network_destroy(net);
}

static void test_rule_words(void **state)
{
    fixture *f = *state;
    network_access a;
    network_maxspeed m;
    network_area ar;
    network_reversible rv;
    bool off;
    assert_ok(f->ctx, network_access_parse(f->ctx, "Strict", "--access", &a));
    assert_int_equal(a, NETWORK_ACCESS_STRICT);
    assert_status_msg(f->ctx, network_access_parse(f->ctx, "gated", "--access", &a), EMS_EINPUT,
                      "--access: \"gated\" is not ends, strict or ignore");
    assert_ok(f->ctx, network_maxspeed_parse(f->ctx, "cap", "x", &m));
    assert_int_equal(m, NETWORK_MAXSPEED_CAP);
    assert_status_msg(f->ctx, network_maxspeed_parse(f->ctx, NULL, "[roads] maxspeed", &m), EMS_EINPUT,
                      "[roads] maxspeed: \"\" is not use, ignore or cap");
    assert_ok(f->ctx, network_area_parse(f->ctx, "road", "x", &ar));
    assert_int_equal(ar, NETWORK_AREA_ROAD);
    assert_status_msg(f->ctx, network_area_parse(f->ctx, "yes", "--area", &ar), EMS_EINPUT, "is not skip or road");
    assert_ok(f->ctx, network_reversible_parse(f->ctx, "IMPLIED", "x", &rv));
    assert_int_equal(rv, NETWORK_REVERSIBLE_IMPLIED);
    assert_status_msg(f->ctx, network_reversible_parse(f->ctx, "both", "--reversible", &rv), EMS_EINPUT,
                      "is not skip or implied");
    assert_ok(f->ctx, network_turns_parse(f->ctx, "no", "x", &off));
    assert_true(off);
    assert_ok(f->ctx, network_turns_parse(f->ctx, "Yes", "x", &off));
    assert_false(off);
    assert_status_msg(f->ctx, network_turns_parse(f->ctx, "maybe", "--turns", &off), EMS_EINPUT, "--turns");
    assert_string_equal(network_access_name(NETWORK_ACCESS_ENDS), "ends");
    assert_string_equal(network_maxspeed_name(NETWORK_MAXSPEED_IGNORE), "ignore");
    /* a rule out of range is refused by the builder */
    network_builder *b = (network_builder *)1;
    network_build_opts o = {.rules = {.access = (network_access)9}};
    assert_status_msg(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b), EMS_EINPUT, "out of range");
    assert_null(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access_ends),         cmocka_unit_test(test_access_two_areas),
        cmocka_unit_test(test_access_strict_ignore), cmocka_unit_test(test_access_duplicate),
        cmocka_unit_test(test_maxspeed),            cmocka_unit_test(test_turn_via_node),
        cmocka_unit_test(test_turn_service_area),   cmocka_unit_test(test_turn_via_way),        cmocka_unit_test(test_turn_unresolved),
        cmocka_unit_test(test_two_labels_with_rules), cmocka_unit_test(test_turn_table),
        cmocka_unit_test(test_no_rules_no_copies),
        cmocka_unit_test(test_rule_words),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
