/* tests/geo/test_snap.c: snapping modes and link ends, worked by hand; edge and vertex mode against brute
 * force (the sample city; short links with one very long diagonal).
 *
 * A junction N of four one-way roads in UTM zone 50N (Beijing), 36 km/h = 10 m/s, so 1000 m take 100 s:
 *
 *            U (440000, 4417000)
 *            |  U -> N
 *   W ------ N ------ E        W -> N, N -> E      N = (440000, 4416000)
 *            |  N -> S
 *            S (440000, 4415000)
 *
 * From a station at N: E and S in 100 s, W and U never (every road into N is one-way towards it).
 * Issue 15, bug 2: a station placed at N's coordinates through a lon/lat round trip, or any position within
 * the end tolerance of N along one of the four links, must be N itself: same times as a station exactly at N.
 */
#include "netfix.h"

#include "geo/network.h"
#include "geo/route.h"
#include "geo/snap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NX 440000.0
#define NY 4416000.0

static void add(fixture *f, network_builder *b, double x0, double y0, double x1, double y1, network_dir d,
                int64_t rec)
{
    const double x[] = {x0, x1}, y[] = {y0, y1};
    network_road r = {.x = x, .y = y, .n = 2, .road_class = "支路", .speed_kmh = 36, .dir = d, .record = rec};
    assert_ok(f->ctx, network_builder_add(f->ctx, b, &r));
}

static network *junction(fixture *f)
{
    network_builder *b = NULL;
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, NULL, &b));
    add(f, b, NX - 1000, NY, NX, NY, NETWORK_FORWARD, 1);        /* W -> N */
    add(f, b, NX, NY, NX + 1000, NY, NETWORK_FORWARD, 2);        /* N -> E */
    add(f, b, NX, NY, NX, NY - 1000, NETWORK_FORWARD, 3);        /* N -> S */
    add(f, b, NX, NY + 1000, NX, NY, NETWORK_FORWARD, 4);        /* U -> N */
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    return net;
}


/* Times from one source at pos to W, N, E, S, U, compared with the hand-worked ones. */
static void expect_from_n(fixture *f, const network *net, const snap_pos *pos, const char *what)
{
    route_source src = {.pos = *pos};
    route_result *r = NULL;
    route_opts o = {.labels = 1};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &src, 1, &o, &r));
    const double want[5] = {INFINITY, 0, 100, 100, INFINITY};
    const double at[5][2] = {{NX - 1000, NY}, {NX, NY}, {NX + 1000, NY}, {NX, NY - 1000}, {NX, NY + 1000}};
    for (int i = 0; i < 5; i++) {
        double t = route_node_time(r, node_at(net, at[i][0], at[i][1]), 0, NULL);
        if (!(isinf(t) && isinf(want[i])) && !(fabs(t - want[i]) <= 1e-6))
            fail_msg("%s: node %d: %.9f s, want %g s", what, i, t, want[i]);
    }
    /* the single-source workspace agrees */
    route_workspace *ws = NULL;
    assert_ok(f->ctx, route_workspace_create(f->ctx, net, &ws));
    route_bounded_single(ws, &src, 0);
    for (int i = 0; i < 5; i++) {
        uint32_t v = node_at(net, at[i][0], at[i][1]);
        double a = route_node_time(r, v, 0, NULL), b = route_ws_node_time(ws, v);
        if (!(a == b || (isinf(a) && isinf(b))))
            fail_msg("%s: node %d: workspace %.9f s, multi-source %.9f s", what, i, b, a);
    }
    route_workspace_destroy(ws);
    route_result_destroy(r);
}

static void test_junction_round_trip(void **state)
{
    fixture *f = *state;
    network *net = junction(f);
    uint32_t N = node_at(net, NX, NY);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));

    /* exactly at N */
    snap_pos exact;
    assert_true(snap_point(ix, NX, NY, 1, &exact));
    assert_int_equal(exact.node, N);
    expect_from_n(f, net, &exact, "exactly at N");

    /* N through WGS 84 and back with PROJ (and a few nearby lon/lat roundings of it) */
    crs *wgs = NULL;
    crs_transformer *to = NULL, *back = NULL;
    assert_ok(f->ctx, crs_from_epsg(f->ctx, 4326, &wgs));
    assert_ok(f->ctx, crs_transformer_create(f->ctx, f->utm, wgs, &to));
    assert_ok(f->ctx, crs_transformer_create(f->ctx, wgs, f->utm, &back));
    double lon = NX, lat = NY;
    assert_ok(f->ctx, crs_transform_xy(f->ctx, to, &lon, &lat, 1));
    size_t moved = 0;
    for (int k = -3; k <= 3; k++) {
        for (int m = -3; m <= 3; m++) {
            double x = nextafter(lon, lon + k), y = nextafter(lat, lat + m);
            for (int s = 0; s < abs(k); s++)
                x = nextafter(x, lon + k);
            for (int s = 0; s < abs(m); s++)
                y = nextafter(y, lat + m);
            assert_ok(f->ctx, crs_transform_xy(f->ctx, back, &x, &y, 1));
            moved += x != NX || y != NY;
            assert_true(hypot(x - NX, y - NY) < 1e-6);
            snap_pos p;
            assert_true(snap_point(ix, x, y, 1, &p));
            char what[96];
            snprintf(what, sizeof what, "round trip (%d, %d): %.3g m off", k, m, hypot(x - NX, y - NY));
            if (p.node != N || !(p.frac == 0 || p.frac == 1))
                fail_msg("%s: snapped to link %u at frac %.17g, node %u (N is %u)", what, p.link, p.frac, p.node, N);
            expect_from_n(f, net, &p, what);
        }
    }
    assert_true(moved > 0); /* the round trips do move the point off N */
    print_message("round trip: %zu of 49 lon/lat neighbours of N land off N; all snap to N\n", moved);
    crs_transformer_destroy(to);
    crs_transformer_destroy(back);
    crs_destroy(wgs);
    snap_index_destroy(ix);
    network_destroy(net);
}

/* Positions made by hand (not through snapping) a hair from N on each of the four links: the search treats
 * them as N, as a source and as a target. */
static void test_junction_hair(void **state)
{
    fixture *f = *state;
    network *net = junction(f);
    uint32_t N = node_at(net, NX, NY), W = node_at(net, NX - 1000, NY);
    const double hairs[] = {1e-9, 1e-7, 9e-7};
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        assert_true(k->from == N || k->to == N);
        for (size_t h = 0; h < sizeof hairs / sizeof *hairs; h++) {
            double along = k->from == N ? hairs[h] : k->length_m - hairs[h];
            snap_pos p = {.link = l, .along_m = along, .frac = along / k->length_m, .node = NETWORK_NONE};
            char what[64];
            snprintf(what, sizeof what, "link %u, %g m from N", l, hairs[h]);
            expect_from_n(f, net, &p, what);
            /* snap_at settles it onto N */
            snap_pos q = snap_at(net, l, along);
            assert_int_equal(q.node, N);
            assert_true(q.frac == (k->from == N ? 0.0 : 1.0));
        }
    }
    /* as a target: from a station at W, N is 100 s away, and so is every hair position around N */
    route_source src = {.pos = snap_at(net, 0, 0)};
    assert_int_equal(src.pos.node, W);
    route_result *r = NULL;
    route_opts o = {.labels = 1};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &src, 1, &o, &r));
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        double along = k->from == N ? 1e-9 : k->length_m - 1e-9;
        snap_pos p = {.link = l, .along_m = along, .frac = along / k->length_m, .node = NETWORK_NONE};
        assert_close(route_pos_time(r, &p, 0, NULL), 100, 1e-6);
    }
    /* but 1 mm from N on the one-way U -> N is not N: it is reached from U only, which nobody reaches */
    const network_link *un = NULL;
    uint32_t lun = 0;
    for (uint32_t l = 0; l < network_link_count(net); l++)
        if (network_link_at(net, l)->to == N && network_link_at(net, l)->from != W)
            un = network_link_at(net, l), lun = l;
    assert_non_null(un);
    snap_pos mm = snap_at(net, lun, un->length_m - 1e-3);
    assert_int_equal(mm.node, NETWORK_NONE);
    assert_true(isinf(route_pos_time(r, &mm, 0, NULL)));
    route_result_destroy(r);
    network_destroy(net);
}

/* Vertex mode on the junction: the nearest node, its lowest link, frac 0 or 1, the distance to the node. */
static void test_vertex_mode(void **state)
{
    fixture *f = *state;
    network *net = junction(f);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    assert_int_equal(snap_index_mode(ix), SNAP_EDGE);
    snap_pos p;
    /* edge mode: (NX + 300, NY + 40) is 40 m off N -> E, at 300 m */
    assert_true(snap_point(ix, NX + 300, NY + 40, 100, &p));
    assert_close(p.dist_m, 40, 1e-9);
    assert_close(p.along_m, 300, 1e-9);
    assert_int_equal(p.node, NETWORK_NONE);
    assert_ok(f->ctx, snap_index_set_mode(f->ctx, ix, SNAP_VERTEX));
    assert_int_equal(snap_index_mode(ix), SNAP_VERTEX);
    /* vertex mode: N is 300 m and 40 m away, E 700 m and 40 m */
    uint32_t N = node_at(net, NX, NY), E = node_at(net, NX + 1000, NY);
    assert_true(snap_point(ix, NX + 300, NY + 40, 1000, &p));
    assert_int_equal(p.node, N);
    assert_close(p.dist_m, hypot(300, 40), 1e-9);
    assert_close(p.x, NX, 0);
    assert_close(p.y, NY, 0);
    uint32_t lowest = NETWORK_NONE;
    for (uint32_t l = 0; l < network_link_count(net) && lowest == NETWORK_NONE; l++)
        if (network_link_at(net, l)->from == N || network_link_at(net, l)->to == N)
            lowest = l;
    assert_int_equal(p.link, lowest);
    const network_link *k = network_link_at(net, p.link);
    assert_true(p.frac == (k->from == N ? 0.0 : 1.0));
    assert_close(p.along_m, k->from == N ? 0 : k->length_m, 0);
    assert_true(snap_point(ix, NX + 700, NY - 10, 1000, &p));
    assert_int_equal(p.node, E);
    /* a tie: half-way between N and E -> the lower node id */
    assert_true(snap_point(ix, NX + 500, NY + 10, 1000, &p));
    assert_int_equal(p.node, N < E ? N : E);
    /* beyond the maximum: not snapped, the distance to the nearest node reported */
    assert_false(snap_point(ix, NX + 300, NY + 40, 100, &p));
    assert_int_equal(p.link, NETWORK_NONE);
    assert_close(p.dist_m, hypot(300, 40), 1e-9);
    /* times from a vertex-snapped station equal those from the node */
    assert_true(snap_point(ix, NX + 10, NY + 10, 100, &p));
    expect_from_n(f, net, &p, "vertex mode");
    /* and back to edge mode */
    assert_ok(f->ctx, snap_index_set_mode(f->ctx, ix, SNAP_EDGE));
    assert_true(snap_point(ix, NX + 300, NY + 40, 100, &p));
    assert_close(p.dist_m, 40, 1e-9);
    assert_status_msg(f->ctx, snap_index_set_mode(f->ctx, ix, (snap_mode)7), EMS_EINPUT, "not edge or vertex");
    snap_index_destroy(ix);
    network_destroy(net);
}

/* Vertex mode against brute force over every node of the sample city: 2,000 pseudo-random points and every
 * node itself (distance 0), ties to the lowest node id. */
static void test_vertex_brute_force(void **state)
{
    fixture *f = *state;
    network *net = sample_network(f);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    assert_ok(f->ctx, snap_index_set_mode(f->ctx, ix, SNAP_VERTEX));
    uint32_t nn = network_node_count(net);
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (uint32_t v = 0; v < nn; v++) {
        double x, y;
        network_node_xy(net, v, &x, &y);
        ext[0] = fmin(ext[0], x), ext[1] = fmin(ext[1], y), ext[2] = fmax(ext[2], x), ext[3] = fmax(ext[3], y);
    }
    uint64_t seed = 99;
    for (size_t q = 0; q < 2000 + nn; q++) {
        double px, py;
        if (q < 2000) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            px = ext[0] - 500 + (double)(seed >> 11) / 9007199254740992.0 * (ext[2] - ext[0] + 1000);
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            py = ext[1] - 500 + (double)(seed >> 11) / 9007199254740992.0 * (ext[3] - ext[1] + 1000);
        } else {
            network_node_xy(net, (uint32_t)(q - 2000), &px, &py);
        }
        double bd2 = INFINITY;
        uint32_t bv = NETWORK_NONE;
        for (uint32_t v = 0; v < nn; v++) {
            double x, y;
            network_node_xy(net, v, &x, &y);
            double d2 = (x - px) * (x - px) + (y - py) * (y - py);
            if (d2 < bd2)
                bd2 = d2, bv = v;
        }
        snap_pos p;
        assert_true(snap_point(ix, px, py, 1e9, &p));
        if (p.node != bv)
            fail_msg("point %zu: node %u at %.6f m, brute force %u at %.6f m", q, p.node, p.dist_m, bv, sqrt(bd2));
        assert_close(p.dist_m, sqrt(bd2), 1e-9);
        const network_link *k = network_link_at(net, p.link);
        assert_true((k->from == bv && p.frac == 0) || (k->to == bv && p.frac == 1));
    }
    snap_index_destroy(ix);
    network_destroy(net);
}

/* Edge mode against brute force over every segment of a network: the distance to the nearest segment, and,
 * where no other segment is within 1e-9 m of it, the same link and place along it. Ties (a point on a node,
 * where several links meet) must go to the lowest link id among those at the same distance. */
static void check_edge_brute_force(const network *net, const snap_index *ix, double px, double py, size_t q)
{
    double bd = INFINITY, second = INFINITY, bt = 0;
    uint32_t bl = NETWORK_NONE, bs = 0;
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const double *x = network_link_x(net, l), *y = network_link_y(net, l);
        for (uint32_t v = 0; v + 1 < network_link_at(net, l)->nv; v++) {
            double dx = x[v + 1] - x[v], dy = y[v + 1] - y[v], len2 = dx * dx + dy * dy;
            double t = len2 > 0 ? ((px - x[v]) * dx + (py - y[v]) * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double d = hypot(x[v] + t * dx - px, y[v] + t * dy - py);
            if (d < bd - 1e-9) {
                second = bd, bd = d, bl = l, bs = v, bt = t;
            } else if (d < second) {
                second = d;
            }
        }
    }
    snap_pos p;
    assert_true(snap_point(ix, px, py, 1e12, &p));
    if (fabs(p.dist_m - bd) > 1e-9)
        fail_msg("point %zu (%.3f, %.3f): %.9f m, brute force %.9f m", q, px, py, p.dist_m, bd);
    if (second - bd > 1e-9) { /* a unique nearest segment: the same link and place */
        const double *x = network_link_x(net, bl), *y = network_link_y(net, bl);
        double along = bt * hypot(x[bs + 1] - x[bs], y[bs + 1] - y[bs]);
        for (uint32_t v = 0; v < bs; v++)
            along += hypot(x[v + 1] - x[v], y[v + 1] - y[v]);
        if (p.link != bl || fabs(p.along_m - fmin(along, network_link_at(net, bl)->length_m)) > 1e-6)
            fail_msg("point %zu: link %u at %.6f m, brute force link %u at %.6f m", q, p.link, p.along_m, bl,
                     along);
    }
}

static void test_edge_brute_force(void **state)
{
    fixture *f = *state;
    network *net = sample_network(f);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    uint32_t nn = network_node_count(net);
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (uint32_t v = 0; v < nn; v++) {
        double x, y;
        network_node_xy(net, v, &x, &y);
        ext[0] = fmin(ext[0], x), ext[1] = fmin(ext[1], y), ext[2] = fmax(ext[2], x),
        ext[3] = fmax(ext[3], y);
    }
    /* random points in and around the extent, some far outside it, then every node (distance 0, a tie
     * between the links meeting there: the lowest link id), then segment midpoints */
    uint64_t seed = 7;
    size_t nrand = 3000;
    for (size_t q = 0; q < nrand; q++) {
        double m = q % 10 == 0 ? 20000 : 500;
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        double px = ext[0] - m + (double)(seed >> 11) / 9007199254740992.0 * (ext[2] - ext[0] + 2 * m);
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        double py = ext[1] - m + (double)(seed >> 11) / 9007199254740992.0 * (ext[3] - ext[1] + 2 * m);
        check_edge_brute_force(net, ix, px, py, q);
    }
    for (uint32_t v = 0; v < nn; v += 7) {
        double px, py;
        network_node_xy(net, v, &px, &py);
        snap_pos p;
        assert_true(snap_point(ix, px, py, 1e12, &p));
        assert_close(p.dist_m, 0, 0);
        uint32_t lowest = NETWORK_NONE;
        for (uint32_t l = 0; l < network_link_count(net) && lowest == NETWORK_NONE; l++) {
            const network_link *k = network_link_at(net, l);
            const double *x = network_link_x(net, l), *y = network_link_y(net, l);
            for (uint32_t i = 0; i < k->nv && lowest == NETWORK_NONE; i++)
                if (x[i] == px && y[i] == py)
                    lowest = l;
        }
        if (p.link != lowest)
            fail_msg("node %u: link %u, lowest link through it %u", v, p.link, lowest);
    }
    for (uint32_t l = 0; l < network_link_count(net); l += 13) {
        const double *x = network_link_x(net, l), *y = network_link_y(net, l);
        check_edge_brute_force(net, ix, (x[0] + x[1]) / 2, (y[0] + y[1]) / 2, nrand + l);
    }
    snap_index_destroy(ix);
    network_destroy(net);
}

/* A network of short links and one 60 km diagonal (its box spans most of the extent): points beside the long
 * link anywhere along it, and between the short ones, against brute force. */
static void test_edge_long_segment(void **state)
{
    fixture *f = *state;
    network_builder *b = NULL;
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, NULL, &b));
    int64_t rec = 1;
    for (int i = 0; i < 40; i++)
        for (int j = 0; j < 40; j++)
            add(f, b, NX + 100 * i, NY + 100 * j, NX + 100 * i + 60, NY + 100 * j, NETWORK_BOTH, rec++);
    add(f, b, NX - 20000, NY - 20000, NX + 22000, NY + 23000, NETWORK_BOTH, rec++);
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    size_t q = 0;
    for (double t = 0; t <= 1; t += 0.01, q++) {
        double x = NX - 20000 + t * 42000, y = NY - 20000 + t * 43000;
        check_edge_brute_force(net, ix, x + 37, y - 11, q);
        check_edge_brute_force(net, ix, x - 400, y + 350, q);
    }
    for (int i = 0; i < 400; i++, q++)
        check_edge_brute_force(net, ix, NX + 10 * i + 3, NY + 7.5 * i + 1, q);
    snap_index_destroy(ix);
    network_destroy(net);
}

static void test_parse(void **state)
{
    fixture *f = *state;
    snap_mode m = SNAP_EDGE;
    assert_ok(f->ctx, snap_mode_parse(f->ctx, "Vertex", "--snap", &m));
    assert_int_equal(m, SNAP_VERTEX);
    assert_ok(f->ctx, snap_mode_parse(f->ctx, "edge", "--snap", &m));
    assert_int_equal(m, SNAP_EDGE);
    assert_status_msg(f->ctx, snap_mode_parse(f->ctx, "node", "--snap", &m), EMS_EINPUT,
                      "--snap: \"node\" is not edge or vertex");
    assert_status_msg(f->ctx, snap_mode_parse(f->ctx, NULL, "x.ini: [scenario] snap", &m), EMS_EINPUT,
                      "x.ini: [scenario] snap: \"\" is not edge or vertex");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junction_round_trip),
        cmocka_unit_test(test_junction_hair),
        cmocka_unit_test(test_vertex_mode),
        cmocka_unit_test(test_vertex_brute_force),
        cmocka_unit_test(test_edge_brute_force),
        cmocka_unit_test(test_edge_long_segment),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
