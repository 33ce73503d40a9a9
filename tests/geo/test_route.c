/* tests/geo/test_route.c: the reusable single-source search (route_workspace) against route_multi_source with
 * the same one source: on a seeded random grid city (one-way and two-way roads, varied speeds, a few roads
 * with interior vertices, an island), a source on every node and at interior positions of links, with and
 * without a cutoff and a delay, every node time and every link-position time must be bit-for-bit equal. */
#include "test_util.h"

#include "geo/network.h"
#include "geo/route.h"
#include "geo/snap.h"

#include <math.h>
#include <stdlib.h>

static uint64_t rng_state;
static double rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* An 8 x 8 grid with 400 m spacing, random speed and direction per road, plus an island road. */
static network *random_city(emscov_ctx *ctx, const speed_profile *sp, const crs *c, uint64_t seed)
{
    rng_state = seed;
    network_builder *b = NULL;
    assert_ok(ctx, network_builder_create(ctx, sp, c, NULL, &b));
    int64_t rec = 1;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++)
            for (int dir = 0; dir < 2; dir++) {
                int i2 = dir ? i : i + 1, j2 = dir ? j + 1 : j;
                if (i2 >= 8 || j2 >= 8 || rnd() < 0.1)
                    continue;
                double x[3] = {i * 400.0, (i + i2) * 200.0 + 37 * rnd(), i2 * 400.0};
                double y[3] = {j * 400.0, (j + j2) * 200.0 + 37 * rnd(), j2 * 400.0};
                bool bend = rnd() < 0.3; /* a road with an interior vertex */
                double xs[2] = {x[0], x[2]}, ys[2] = {y[0], y[2]};
                double u = rnd();
                network_dir d = u < 0.15 ? NETWORK_FORWARD : u < 0.25 ? NETWORK_BACKWARD : NETWORK_BOTH;
                network_road r = {.x = bend ? x : xs, .y = bend ? y : ys, .n = bend ? 3 : 2, .road_class = "支路",
                                  .speed_kmh = 20 + 60 * rnd(), .dir = d, .record = rec++};
                assert_ok(ctx, network_builder_add(ctx, b, &r));
            }
    const double ix[] = {9000, 9500}, iy[] = {9000, 9000};
    network_road island = {.x = ix, .y = iy, .n = 2, .road_class = "支路", .speed_kmh = 30, .record = rec};
    assert_ok(ctx, network_builder_add(ctx, b, &island));
    network *net = NULL;
    assert_ok(ctx, network_builder_finish(ctx, b, &net));
    return net;
}

/* Every node and every link position (ends, quarter points) must agree exactly. */
static void compare(emscov_ctx *ctx, const network *net, route_workspace *ws, const route_source *s, double cutoff)
{
    route_opts o = {.cutoff_s = cutoff, .labels = 1};
    route_result *r = NULL;
    assert_ok(ctx, route_multi_source(ctx, net, s, 1, &o, &r));
    size_t reached = route_bounded_single(ws, s, cutoff);
    size_t finite = 0;
    for (uint32_t v = 0; v < network_node_count(net); v++) {
        double a = route_node_time(r, v, 0, NULL), b = route_ws_node_time(ws, v);
        if (!(a == b || (isinf(a) && isinf(b))))
            fail_msg("node %u: multi-source %.17g, workspace %.17g", v, a, b);
        finite += isfinite(a);
    }
    assert_int_equal(reached, finite);
    assert_int_equal(reached, route_settled(r));
    const uint32_t *order = route_ws_reached(ws);
    for (size_t k = 1; k < reached; k++) /* settled in time order */
        assert_true(route_ws_node_time(ws, order[k - 1]) <= route_ws_node_time(ws, order[k]));
    for (uint32_t l = 0; l < network_link_count(net); l++)
        for (int q = 0; q <= 4; q++) {
            snap_pos p = snap_at(net, l, network_link_at(net, l)->length_m * q / 4);
            double a = route_pos_time(r, &p, 0, NULL), b = route_ws_pos_time(ws, &p);
            if (!(a == b || (isinf(a) && isinf(b))))
                fail_msg("link %u at %d/4: multi-source %.17g, workspace %.17g", l, q, a, b);
        }
    route_result_destroy(r);
}

static void test_equals_multi_source(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = NULL;
    crs *utm = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &utm));
    for (uint64_t seed = 1; seed <= 3; seed++) {
        network *net = random_city(ctx, sp, utm, seed);
        route_workspace *ws = NULL;
        assert_ok(ctx, route_workspace_create(ctx, net, &ws));
        /* a source on every node (at the start or the end of a link touching it), then mid-link sources */
        for (uint32_t v = 0; v < network_node_count(net); v++) {
            uint32_t l = 0;
            while (l < network_link_count(net) && network_link_at(net, l)->from != v &&
                   network_link_at(net, l)->to != v)
                l++;
            assert_true(l < network_link_count(net));
            const network_link *lk = network_link_at(net, l);
            route_source s = {.pos = snap_at(net, l, lk->from == v ? 0 : lk->length_m), .delay_s = 60 * (v % 3)};
            compare(ctx, net, ws, &s, v % 2 ? 0 : 400);
        }
        for (uint32_t l = 0; l < network_link_count(net); l += 7) {
            route_source s = {.pos = snap_at(net, l, network_link_at(net, l)->length_m * 0.37), .delay_s = 30};
            compare(ctx, net, ws, &s, 250);
            compare(ctx, net, ws, &s, 0);
        }
        route_workspace_destroy(ws);
        network_destroy(net);
    }
    crs_destroy(utm);
    speed_profile_destroy(sp);
}

/* A hand-worked case: road A (0,0) - B (1000,0) at 36 km/h; a source at 250 m with a 10 s delay reaches A at
 * 35 s and B at 85 s; with a 50 s cutoff only A; a position at 600 m: 10 + 35 = 45 s directly. */
static void test_hand_worked(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = NULL;
    crs *utm = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &utm));
    network_builder *b = NULL;
    assert_ok(ctx, network_builder_create(ctx, sp, utm, NULL, &b));
    const double x[] = {0, 1000}, y[] = {0, 0};
    network_road r = {.x = x, .y = y, .n = 2, .road_class = "支路", .speed_kmh = 36, .record = 1};
    assert_ok(ctx, network_builder_add(ctx, b, &r));
    network *net = NULL;
    assert_ok(ctx, network_builder_finish(ctx, b, &net));
    route_workspace *ws = NULL;
    assert_ok(ctx, route_workspace_create(ctx, net, &ws));
    route_source s = {.pos = snap_at(net, 0, 250), .delay_s = 10};
    uint32_t a = network_link_at(net, 0)->from, bn = network_link_at(net, 0)->to;
    assert_int_equal(route_bounded_single(ws, &s, 0), 2);
    assert_close(route_ws_node_time(ws, a), 35, 1e-9);
    assert_close(route_ws_node_time(ws, bn), 85, 1e-9);
    assert_int_equal(route_bounded_single(ws, &s, 50), 1);
    assert_close(route_ws_node_time(ws, a), 35, 1e-9);
    assert_true(isinf(route_ws_node_time(ws, bn)));
    snap_pos p = snap_at(net, 0, 600);
    assert_close(route_ws_pos_time(ws, &p), 45, 1e-9);
    p = snap_at(net, 0, 1000);
    assert_true(isinf(route_ws_pos_time(ws, &p))); /* 85 s > the 50 s cutoff */
    route_workspace_destroy(ws);
    network_destroy(net);
    crs_destroy(utm);
    speed_profile_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_equals_multi_source),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
