/* tests/geo/test_network.c: the road graph, snapping and multi-source routing on small graphs whose answers
 * are worked out by hand. Every road has an own speed of 36 km/h = 10 m/s (the default profile's offpeak
 * and ambulance factors are 1), so a 1000 m link takes 100 s.
 *
 *        D (1000,1000)
 *        |  one-way B -> D
 *   A ---B--- C        A (0,0), B (1000,0), C (2000,0); A-B-C is ONE road with B an interior vertex
 *                      island: E (5000,5000) - F (6000,5000)
 */
#include "netfix.h"

#include "geo/isochrone.h"
#include "geo/network.h"
#include "geo/route.h"
#include "geo/snap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <string.h>


static void add(fixture *f, network_builder *b, const double *x, const double *y, size_t n, network_dir dir,
                int64_t rec)
{
    network_road r = {.x = x, .y = y, .n = n, .road_class = "支路", .speed_kmh = 36, .dir = dir, .record = rec};
    assert_ok(f->ctx, network_builder_add(f->ctx, b, &r));
}

static network *build_fixture(fixture *f, bool with_defects)
{
    network_builder *b = NULL;
    network_build_opts o = {.source = "fixture"};
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
    const double abc_x[] = {0, 1000, 2000}, abc_y[] = {0, 0, 0};
    const double bd_x[] = {1000, 1000}, bd_y[] = {0, 1000};
    const double ef_x[] = {5000, 6000}, ef_y[] = {5000, 5000};
    add(f, b, abc_x, abc_y, 3, NETWORK_BOTH, 1);
    add(f, b, bd_x, bd_y, 2, NETWORK_FORWARD, 2);
    add(f, b, ef_x, ef_y, 2, NETWORK_BOTH, 3);
    if (with_defects) {
        const double z_x[] = {500, 500}, z_y[] = {500, 500};     /* zero length */
        const double dup_x[] = {2000, 1000}, dup_y[] = {0, 0};    /* B-C again, reversed */
        add(f, b, z_x, z_y, 2, NETWORK_BOTH, 4);
        add(f, b, dup_x, dup_y, 2, NETWORK_BOTH, 5);
    }
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    return net;
}


static void test_noding(void **state)
{
    fixture *f = *state;
    network *net = build_fixture(f, true);
    const network_stats *s = network_get_stats(net);
    /* A, B (interior vertex shared with B-D), C, D, E, F; the zero-length road's point is no node */
    assert_int_equal(s->nodes, 6);
    assert_int_equal(s->links, 4); /* A-B, B-C, B-D, E-F */
    assert_int_equal(s->zero_length_dropped, 1);
    assert_int_equal(s->duplicates_dropped, 1);
    assert_int_equal(s->arcs, 7); /* 2 + 2 + 1 (one-way) + 2 */
    assert_int_equal(s->components, 2);
    assert_int_equal(s->main_component_nodes, 4);
    uint32_t e = node_at(net, 5000, 5000);
    assert_int_equal(network_component(net, e), 1);
    assert_int_equal(network_component(net, node_at(net, 0, 0)), 0);
    /* one-way: D has no out-arc, B has three (A, C, D) */
    uint32_t cnt;
    network_out_arcs(net, node_at(net, 1000, 1000), &cnt);
    assert_int_equal(cnt, 0);
    network_out_arcs(net, node_at(net, 1000, 0), &cnt);
    assert_int_equal(cnt, 3);
    double len = 0;
    for (uint32_t l = 0; l < network_link_count(net); l++)
        len += network_link_at(net, l)->length_m;
    assert_close(len, 4000, 1e-9);
    network_destroy(net);
}

/* Issue 15, bug 1: a duplicate link is dropped only when it adds nothing. Roads on the line P (0,0) - Q (1000,0)
 * (three copies a case, each its own network), 36 km/h = 100 s for the 1000 m unless said otherwise:
 *  (a) one-way P -> Q, then one-way Q -> P digitised Q to P: one two-way link, Q -> P reachable in 100 s;
 *  (b) two-way at 36 km/h listed first, two-way at 72 km/h (50 s): 50 s both ways;
 *  (c) one-way P -> Q at 36 km/h, two-way at 18 km/h (200 s) digitised Q to P: forward 100 s, backward 200 s. */
static network *build_pair(fixture *f, const network_road *r1, const network_road *r2)
{
    network_builder *b = NULL;
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, NULL, &b));
    assert_ok(f->ctx, network_builder_add(f->ctx, b, r1));
    assert_ok(f->ctx, network_builder_add(f->ctx, b, r2));
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    return net;
}

static void test_duplicates_merge(void **state)
{
    fixture *f = *state;
    const double px[] = {0, 1000}, py[] = {0, 0}, qx[] = {1000, 0}, qy[] = {0, 0};
    network_road pq = {.x = px, .y = py, .n = 2, .road_class = "支路", .speed_kmh = 36, .record = 1};
    network_road qp = pq;
    qp.x = qx, qp.y = qy, qp.record = 2;
    struct {
        network_dir d1, d2;
        double kmh1, kmh2;
        bool reversed;
        double fwd, bwd; /* expected, P -> Q and Q -> P */
    } cases[] = {
        {NETWORK_FORWARD, NETWORK_FORWARD, 36, 36, true, 100, 100},
        {NETWORK_BOTH, NETWORK_BOTH, 36, 72, false, 50, 50},
        {NETWORK_FORWARD, NETWORK_BOTH, 36, 18, true, 100, 200},
        {NETWORK_BOTH, NETWORK_FORWARD, 36, 72, false, 50, 100},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        network_road r1 = pq, r2 = cases[c].reversed ? qp : pq;
        r1.dir = cases[c].d1, r1.speed_kmh = cases[c].kmh1;
        r2.dir = cases[c].d2, r2.speed_kmh = cases[c].kmh2;
        r2.record = 2;
        network *net = build_pair(f, &r1, &r2);
        const network_stats *s = network_get_stats(net);
        assert_int_equal(s->links, 1);
        assert_int_equal(s->duplicates_dropped, 1);
        const network_link *k = network_link_at(net, 0);
        assert_int_equal(k->record, 1); /* the first listed keeps its identity */
        uint32_t P = node_at(net, 0, 0), Q = node_at(net, 1000, 0);
        double fwd = k->from == P ? k->time_fwd_s : k->time_bwd_s, bwd = k->from == P ? k->time_bwd_s : k->time_fwd_s;
        if (fabs(fwd - cases[c].fwd) > 1e-9 || fabs(bwd - cases[c].bwd) > 1e-9)
            fail_msg("case %zu: P->Q %.3f s, Q->P %.3f s; want %.0f and %.0f", c, fwd, bwd, cases[c].fwd,
                     cases[c].bwd);
        assert_int_equal(s->duplicates_merged, 1);
        /* the search sees it: from Q, P is reached in the backward time */
        snap_index *ix = NULL;
        assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
        route_source src = {0};
        assert_true(snap_point(ix, 1000, 0, 1, &src.pos));
        route_result *r = NULL;
        route_opts o = {.labels = 1};
        assert_ok(f->ctx, route_multi_source(f->ctx, net, &src, 1, &o, &r));
        assert_close(route_node_time(r, P, 0, NULL), cases[c].bwd, 1e-9);
        assert_close(route_node_time(r, Q, 0, NULL), 0, 0);
        route_result_destroy(r);
        snap_index_destroy(ix);
        network_destroy(net);
    }
    /* a duplicate that adds nothing (slower, same directions) is dropped and not counted as merged */
    network_road slow = pq;
    slow.speed_kmh = 18, slow.record = 2;
    network *net = build_pair(f, &pq, &slow);
    assert_int_equal(network_get_stats(net)->duplicates_dropped, 1);
    assert_int_equal(network_get_stats(net)->duplicates_merged, 0);
    assert_close(network_link_at(net, 0)->time_fwd_s, 100, 1e-9);
    network_destroy(net);
}

/* The time of link l from P (0,0) towards Q, whichever way it is digitised. */
static double time_pq(const network *net, uint32_t l, uint32_t P)
{
    const network_link *k = network_link_at(net, l);
    return k->from == P ? k->time_fwd_s : k->time_bwd_s;
}

/* Periods from one noded graph: a profile with [period peak] primary = 0.5 (peak factor 0.6) and a measured
 * speed for road "R9" in the peak only. Roads, 1000 m each, ambulance factor 1:
 *   record 1, primary, no own speed, P (0,0) -> Q (1000,0):     offpeak 50 km/h = 72 s;   peak 25 km/h = 144 s
 *   record 2, 支路, own 36 km/h, Q -> R (1000,1000):             offpeak 100 s;            peak 36 x 0.6 -> 166.67 s
 *   record 3, 支路, id "R9", R -> S (0,1000):                    offpeak 30 km/h = 120 s;  peak table 60 -> 60 s
 *   record 4, 支路, two-way duplicate of record 1 with id "R9":  offpeak 120 s (slower, adds the backward way);
 *                                                               peak 60 s: faster than record 1 both ways. */
static void test_retime(void **state)
{
    fixture *f = *state;
    const char *csv = tu_tmp("net-speeds.csv");
    const char table[] = "road_id,period,speed_kmh\nR9,peak,60\n";
    tu_write_file(csv, table, sizeof table - 1);
    const char *ini = tu_tmp("net-tod.ini");
    const char prof[] = "[profile]\naccess_kmh = 15\ndefault_kmh = 30\nroad_speeds = net-speeds.csv\n"
                        "[periods]\noffpeak = 1\npeak = 0.6\n[classes]\nprimary = 50\n支路 = 30\n"
                        "[period peak]\nprimary = 0.5\n";
    tu_write_file(ini, prof, sizeof prof - 1);
    speed_profile *sp = NULL;
    assert_ok(f->ctx, speed_profile_load(f->ctx, ini, &sp));
    const double x1[] = {0, 1000}, y1[] = {0, 0}, x2[] = {1000, 1000}, y2[] = {0, 1000}, x3[] = {1000, 0},
                 y3[] = {1000, 1000};
    network_road roads[4] = {
        {.x = x1, .y = y1, .n = 2, .road_class = "primary", .dir = NETWORK_FORWARD, .record = 1},
        {.x = x2, .y = y2, .n = 2, .road_class = "支路", .speed_kmh = 36, .dir = NETWORK_FORWARD, .record = 2},
        {.x = x3, .y = y3, .n = 2, .road_class = "支路", .dir = NETWORK_FORWARD, .record = 3, .road_id = "R9"},
        {.x = x1, .y = y1, .n = 2, .road_class = "支路", .dir = NETWORK_BOTH, .record = 4, .road_id = "R9"},
    };
    const char *periods[2] = {"offpeak", "peak"};
    network *net[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        network_builder *b = NULL;
        network_build_opts o = {.period = periods[k]};
        assert_ok(f->ctx, network_builder_create(f->ctx, sp, f->utm, &o, &b));
        for (int r = 0; r < 4; r++)
            assert_ok(f->ctx, network_builder_add(f->ctx, b, &roads[r]));
        assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net[k]));
        assert_string_equal(network_period(net[k]), periods[k]);
        assert_int_equal(network_get_stats(net[k])->roads_table_speed, 2);
        assert_int_equal(network_link_count(net[k]), 3);
    }
    const double want[2][4] = {{72, 120, 100, 120}, {60, 60, 1000 / (36 * 0.6 / 3.6), 60}}; /* P->Q, Q->P, Q->R, R->S */
    /* each as built, then each re-timed into the other period: the times of the period either way */
    for (int pass = 0; pass < 2; pass++)
        for (int j = 0; j < 2; j++) {
            int k = pass ? 1 - j : j;
            if (pass) {
                assert_ok(f->ctx, network_retime(f->ctx, net[j], sp, periods[k]));
                assert_string_equal(network_period(net[j]), periods[k]);
            }
            const network *g = net[j];
            uint32_t P = node_at(g, 0, 0), Q = node_at(g, 1000, 0), R = node_at(g, 1000, 1000);
            double got[4] = {NAN, NAN, NAN, NAN};
            for (uint32_t l = 0; l < 3; l++) {
                const network_link *lk = network_link_at(g, l);
                if (lk->record == 1) {
                    got[0] = time_pq(g, l, P);
                    got[1] = lk->from == P ? lk->time_bwd_s : lk->time_fwd_s;
                } else if (lk->record == 2) {
                    got[2] = lk->from == Q ? lk->time_fwd_s : lk->time_bwd_s;
                } else {
                    got[3] = lk->from == R ? lk->time_fwd_s : lk->time_bwd_s;
                }
            }
            for (int i = 0; i < 4; i++)
                if (!(fabs(got[i] - want[k][i]) <= 1e-9))
                    fail_msg("%s (%s): time %d is %.9f s, want %.9f s", periods[k], pass ? "re-timed" : "built", i,
                             got[i], want[k][i]);
            /* the arcs follow */
            for (uint32_t v = 0; v < network_node_count(g); v++) {
                uint32_t cnt;
                const network_arc *a = network_out_arcs(g, v, &cnt);
                for (uint32_t i = 0; i < cnt; i++) {
                    const network_link *lk = network_link_at(g, a[i].link);
                    assert_true(a[i].time_s == (a[i].reverse ? lk->time_bwd_s : lk->time_fwd_s));
                }
            }
        }
    /* failures leave the network as it was */
    assert_status_msg(f->ctx, network_retime(f->ctx, net[0], sp, "rush"), EMS_EINPUT, "unknown period \"rush\"");
    assert_string_equal(network_period(net[0]), "peak");
    assert_status_msg(f->ctx, network_retime(f->ctx, net[0], f->sp, "offpeak"), EMS_EINPUT,
                      "not the one the network was built with");
    network_builder *b = NULL;
    network_build_opts bad = {.period = "rush"};
    assert_status_msg(f->ctx, network_builder_create(f->ctx, sp, f->utm, &bad, &b), EMS_EINPUT, "unknown period");
    assert_null(b);
    network_destroy(net[0]);
    network_destroy(net[1]);
    speed_profile_destroy(sp);
}

/* Ellipsoidal lengths: on UTM 50N's central meridian (x = 500000, 117 E) a north-south line's geodesic length
 * is the meridian arc, and the Transverse Mercator northing there is k0 = 0.9996 times the meridian arc: the
 * travel length must be the planar length / 0.9996. A bent road sums its pieces. */
static void test_ellipsoidal(void **state)
{
    fixture *f = *state;
    const double x[] = {500000, 500000, 500000}, y[] = {4400000, 4405000, 4412000};
    network_road r = {.x = x, .y = y, .n = 3, .road_class = "支路", .speed_kmh = 36, .record = 1};
    network *net[2];
    for (int m = 0; m < 2; m++) {
        network_builder *b = NULL;
        network_build_opts o = {.length = m ? NETWORK_LENGTH_ELLIPSOIDAL : NETWORK_LENGTH_PLANAR};
        assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
        assert_ok(f->ctx, network_builder_add(f->ctx, b, &r));
        assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net[m]));
    }
    const network_link *p = network_link_at(net[0], 0), *e = network_link_at(net[1], 0);
    assert_close(p->length_m, 12000, 1e-9);
    assert_close(p->travel_m, 12000, 1e-9);
    assert_close(e->length_m, 12000, 1e-9); /* geometry stays planar */
    assert_close(e->travel_m, 12000 / 0.9996, 1e-3);
    assert_close(e->time_fwd_s, 12000 / 0.9996 / 10, 1e-4);
    network_destroy(net[0]);
    network_destroy(net[1]);
    network_length m;
    assert_ok(f->ctx, network_length_parse(f->ctx, "Ellipsoidal", "--length", &m));
    assert_int_equal(m, NETWORK_LENGTH_ELLIPSOIDAL);
    assert_ok(f->ctx, network_length_parse(f->ctx, "planar", "--length", &m));
    assert_int_equal(m, NETWORK_LENGTH_PLANAR);
    assert_status_msg(f->ctx, network_length_parse(f->ctx, "geodesic", "--length", &m), EMS_EINPUT,
                      "--length: \"geodesic\" is not planar or ellipsoidal");
    network_builder *b = NULL;
    network_build_opts bad = {.length = (network_length)5};
    assert_status_msg(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &bad, &b), EMS_EINPUT, "length mode");
}

static void test_bad_roads(void **state)
{
    fixture *f = *state;
    network_builder *b = NULL;
    network_build_opts o = {.source = "bad.shp"};
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
    const double x1[] = {0}, y1[] = {0};
    network_road r = {.x = x1, .y = y1, .n = 1, .record = 12};
    assert_status_msg(f->ctx, network_builder_add(f->ctx, b, &r), EMS_EINPUT, "bad.shp: record 12: a road needs");
    const double x2[] = {0, NAN}, y2[] = {0, 1};
    r = (network_road){.x = x2, .y = y2, .n = 2, .record = 13};
    assert_status_msg(f->ctx, network_builder_add(f->ctx, b, &r), EMS_EINPUT, "record 13: point 2");
    const double x3[] = {0, 1}, y3[] = {0, 1};
    r = (network_road){.x = x3, .y = y3, .n = 2, .record = 14, .speed_kmh = -5};
    assert_status_msg(f->ctx, network_builder_add(f->ctx, b, &r), EMS_EINPUT, "record 14: speed -5");
    /* a speed beyond any road's (LIMITS_ROAD_KMH_MAX) is a typo or a unit error, not a fast road */
    r = (network_road){.x = x3, .y = y3, .n = 2, .record = 15, .speed_kmh = 1e300};
    assert_status_msg(f->ctx, network_builder_add(f->ctx, b, &r), EMS_EINPUT, "record 15: speed 1e+300 km/h");
    r = (network_road){.x = x3, .y = y3, .n = 2, .record = 16, .speed_kmh = INFINITY};
    assert_status_msg(f->ctx, network_builder_add(f->ctx, b, &r), EMS_EINPUT, "record 16: speed inf km/h");
    network_builder_destroy(b);

    /* no roads at all */
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, &o, &b));
    network *net = NULL;
    assert_status_msg(f->ctx, network_builder_finish(f->ctx, b, &net), EMS_EINPUT, "no drivable roads");
    assert_null(net);
}

/* A road layer with a feature that is not a line: EMS_EINPUT naming file, record and the type found, and
 * nothing leaked on the way out (issue 14 item 5; the ASan build and valgrind check the leak). */
static void test_non_line_road(void **state)
{
    fixture *f = *state;
    layer *l = NULL;
    assert_ok(f->ctx, layer_create(f->ctx, "roads.shp", "ESRI Shapefile", f->utm, &l));
    assert_ok(f->ctx, layer_append_take(f->ctx, l, tu_wkt(f->ctx, "LINESTRING (0 0, 1000 0)"), 1, NULL));
    assert_ok(f->ctx, layer_append_take(f->ctx, l, tu_wkt(f->ctx, "POINT (5 5)"), 7, NULL));
    network *net = NULL;
    assert_status_msg(f->ctx, network_build_from_layer(f->ctx, l, NULL, f->sp, NULL, &net), EMS_EINPUT,
                      "roads.shp: record 7: a road must be a line (LineString or MultiLineString), not a Point");
    assert_null(net);
    layer_destroy(l);
    /* a polygon layer (every feature a polygon) */
    assert_ok(f->ctx, layer_create(f->ctx, "parks.geojson", "GeoJSON", f->utm, &l));
    assert_ok(f->ctx, layer_append_take(f->ctx, l, tu_wkt(f->ctx, "POLYGON ((0 0, 10 0, 10 10, 0 0))"), 3, NULL));
    assert_status_msg(f->ctx, network_build_from_layer(f->ctx, l, NULL, f->sp, NULL, &net), EMS_EINPUT,
                      "parks.geojson: record 3: a road must be a line (LineString or MultiLineString), not a Polygon");
    layer_destroy(l);
}

static void test_snap(void **state)
{
    fixture *f = *state;
    network *net = build_fixture(f, false);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    snap_pos p;
    assert_true(snap_point(ix, 1500, 30, 100, &p));
    const network_link *lk = network_link_at(net, p.link);
    assert_close(p.dist_m, 30, 1e-9);
    assert_close(p.x, 1500, 1e-9);
    assert_close(p.y, 0, 1e-9);
    /* on B-C (digitised B -> C, as part of road A-B-C): 500 m from B */
    assert_int_equal(lk->from, node_at(net, 1000, 0));
    assert_close(p.along_m, 500, 1e-9);
    assert_close(p.frac, 0.5, 1e-12);
    /* beyond the maximum: not snapped, distance reported */
    assert_false(snap_point(ix, 3000, 3000, 500, &p));
    assert_int_equal(p.link, NETWORK_NONE);
    assert_close(p.dist_m, hypot(2000, 2000), 1e-6); /* nearest is D (1000,1000), not C (2000,0) */
    snap_index_destroy(ix);
    network_destroy(net);
}

/* A network of one straight segment: the index still has a root node above its single item. */
static void test_snap_single_segment(void **state)
{
    fixture *f = *state;
    network_builder *b = NULL;
    assert_ok(f->ctx, network_builder_create(f->ctx, f->sp, f->utm, NULL, &b));
    const double x[] = {0, 3000}, y[] = {500, 500};
    add(f, b, x, y, 2, NETWORK_BOTH, 1);
    network *net = NULL;
    assert_ok(f->ctx, network_builder_finish(f->ctx, b, &net));
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    snap_pos p;
    assert_true(snap_point(ix, 100, 480, 100, &p));
    assert_close(p.dist_m, 20, 1e-9);
    assert_close(p.along_m, 100, 1e-9);
    snap_index_destroy(ix);
    network_destroy(net);
}


/* The best-first search against brute force over every segment of the sample city's roads: 3,000
 * pseudo-random points, plus every 7th road vertex (junctions give exact distance ties, which must go to the
 * lowest link id, then the lowest segment). */
static void test_snap_brute_force(void **state)
{
    fixture *f = *state;
    network *net = sample_network(f);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    uint32_t nl = network_link_count(net);
    for (uint32_t l = 0; l < nl; l++)
        for (uint32_t v = 0; v < network_link_at(net, l)->nv; v++) {
            double vx = network_link_x(net, l)[v], vy = network_link_y(net, l)[v];
            ext[0] = fmin(ext[0], vx), ext[1] = fmin(ext[1], vy), ext[2] = fmax(ext[2], vx), ext[3] = fmax(ext[3], vy);
        }
    uint64_t seed = 12345;
    size_t npts = 3000, checked = 0, ties = 0;
    for (size_t q = 0; q < npts + nl / 7; q++) {
        double px, py;
        if (q < npts) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            px = ext[0] - 1000 + (double)(seed >> 11) / 9007199254740992.0 * (ext[2] - ext[0] + 2000);
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            py = ext[1] - 1000 + (double)(seed >> 11) / 9007199254740992.0 * (ext[3] - ext[1] + 2000);
        } else {
            uint32_t l = (uint32_t)((q - npts) * 7);
            px = network_link_x(net, l)[0], py = network_link_y(net, l)[0];
        }
        double bd2 = INFINITY, bt = 0;
        uint32_t bl = NETWORK_NONE, bs = 0;
        size_t nbest = 0;
        for (uint32_t l = 0; l < nl; l++) {
            const double *x = network_link_x(net, l), *y = network_link_y(net, l);
            for (uint32_t v = 0; v + 1 < network_link_at(net, l)->nv; v++) {
                double dx = x[v + 1] - x[v], dy = y[v + 1] - y[v], len2 = dx * dx + dy * dy;
                double u = len2 > 0 ? ((px - x[v]) * dx + (py - y[v]) * dy) / len2 : 0;
                u = u < 0 ? 0 : u > 1 ? 1 : u;
                double ex = x[v] + u * dx - px, ey = y[v] + u * dy - py, d2 = ex * ex + ey * ey;
                if (d2 < bd2) /* links and segments ascend, so the first at a distance is the lowest */
                    bd2 = d2, bt = u, bl = l, bs = v, nbest = 1;
                else if (d2 == bd2)
                    nbest++;
            }
        }
        ties += nbest > 1;
        snap_pos p;
        bool ok = snap_point(ix, px, py, 1e9, &p);
        assert_true(ok);
        if (p.link != bl)
            fail_msg("point %zu (%.3f %.3f): link %u at %.6f m, brute force link %u segment %u at %.6f m", q, px, py,
                     p.link, p.dist_m, bl, bs, sqrt(bd2));
        assert_close(p.dist_m, sqrt(bd2), 1e-9);
        double along = 0;
        const double *x = network_link_x(net, bl), *y = network_link_y(net, bl);
        for (uint32_t v = 0; v < bs; v++)
            along += hypot(x[v + 1] - x[v], y[v + 1] - y[v]);
        along += bt * hypot(x[bs + 1] - x[bs], y[bs + 1] - y[bs]);
        assert_close(p.along_m, fmin(along, network_link_at(net, bl)->length_m), 1e-6);
        checked++;
    }
    print_message("snap: %zu points agree with brute force over %u links (%zu exact ties)\n", checked, nl, ties);
    assert_true(ties > 100);
    snap_index_destroy(ix);
    network_destroy(net);
}

static route_source src_at(fixture *f, const snap_index *ix, double x, double y, double delay)
{
    route_source s = {.delay_s = delay};
    assert_true(snap_point(ix, x, y, 1, &s.pos));
    (void)f;
    return s;
}

static void test_route_two_labels(void **state)
{
    fixture *f = *state;
    network *net = build_fixture(f, false);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    /* station 0 at A with 60 s turn-out, station 1 at C with none */
    route_source src[2] = {src_at(f, ix, 0, 0, 60), src_at(f, ix, 2000, 0, 0)};
    route_result *r = NULL;
    route_opts o = {.labels = 2};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, src, 2, &o, &r));
    uint32_t s;
    uint32_t B = node_at(net, 1000, 0), D = node_at(net, 1000, 1000), A = node_at(net, 0, 0);
    assert_close(route_node_time(r, B, 0, &s), 100, 1e-9);
    assert_int_equal(s, 1);
    assert_close(route_node_time(r, B, 1, &s), 160, 1e-9);
    assert_int_equal(s, 0);
    assert_close(route_node_time(r, D, 0, &s), 200, 1e-9);
    assert_close(route_node_time(r, D, 1, &s), 260, 1e-9);
    assert_close(route_node_time(r, A, 0, &s), 60, 1e-9);
    assert_int_equal(s, 0);
    assert_close(route_node_time(r, A, 1, &s), 200, 1e-9);
    /* partial edge: (1500, 0) is reached from C along its own link in 50 s, from A in 60 + 150 */
    snap_pos p;
    assert_true(snap_point(ix, 1500, 0, 1, &p));
    assert_close(route_pos_time(r, &p, 0, &s), 50, 1e-9);
    assert_int_equal(s, 1);
    assert_close(route_pos_time(r, &p, 1, &s), 210, 1e-9);
    assert_int_equal(s, 0);
    /* on the one-way B -> D, half way: B + 50 */
    assert_true(snap_point(ix, 1000, 500, 1, &p));
    assert_close(route_pos_time(r, &p, 0, &s), 150, 1e-9);
    /* the island is never reached */
    assert_true(isinf(route_node_time(r, node_at(net, 5000, 5000), 0, &s)));
    assert_int_equal(s, ROUTE_NONE);
    route_result_destroy(r);

    /* a station on the one-way's far end cannot drive back against it */
    route_source d = src_at(f, ix, 1000, 1000, 0);
    o.labels = 1;
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &d, 1, &o, &r));
    assert_true(isinf(route_node_time(r, B, 0, NULL)));
    assert_close(route_node_time(r, D, 0, NULL), 0, 0);
    route_result_destroy(r);

    /* cutoff 150 s: D (200 s) is out */
    o = (route_opts){.labels = 2, .cutoff_s = 150};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, src, 2, &o, &r));
    assert_true(isinf(route_node_time(r, D, 0, NULL)));
    assert_close(route_node_time(r, B, 0, NULL), 100, 1e-9);
    assert_true(isinf(route_node_time(r, B, 1, NULL))); /* 160 > 150 */
    route_result_destroy(r);
    snap_index_destroy(ix);
    network_destroy(net);
}

/* Two stations equally far from B: the lower source index is the nearest. */
static void test_route_tie(void **state)
{
    fixture *f = *state;
    network *net = build_fixture(f, false);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    route_source src[2] = {src_at(f, ix, 2000, 0, 0), src_at(f, ix, 0, 0, 0)};
    route_result *r = NULL;
    route_opts o = {.labels = 2};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, src, 2, &o, &r));
    uint32_t s0, s1;
    uint32_t B = node_at(net, 1000, 0);
    assert_close(route_node_time(r, B, 0, &s0), 100, 1e-9);
    assert_close(route_node_time(r, B, 1, &s1), 100, 1e-9);
    assert_int_equal(s0, 0);
    assert_int_equal(s1, 1);
    route_result_destroy(r);
    /* bad source */
    route_source bad = {.pos = {.link = 99}, .delay_s = 0};
    assert_status_msg(f->ctx, route_multi_source(f->ctx, net, &bad, 1, &o, &r), EMS_EINPUT, "source 1");
    snap_index_destroy(ix);
    network_destroy(net);
}

/* Service areas, worked by hand with a 10 m buffer and near-round caps (64 segments a quadrant: the polygon
 * area of a circle of radius 10 is 314.08 instead of 314.16, hence the 1 m2 tolerance).
 * Station at C, no delay, 10 m/s. Within 150 s: B-C (1000 m), 500 m of A-B from B, 500 m of B -> D:
 * a horizontal 1500 m line and a vertical 500 m branch: 2*10*1500 + pi*100 + 20*490 + pi*100/2. */
static void test_service_areas(void **state)
{
    fixture *f = *state;
    GEOSContextHandle_t h = emscov_geos(f->ctx);
    network *net = build_fixture(f, false);
    snap_index *ix = NULL;
    assert_ok(f->ctx, snap_index_build(f->ctx, net, &ix));
    route_source c = src_at(f, ix, 2000, 0, 0);
    route_result *r = NULL;
    route_opts ro = {.labels = 1, .cutoff_s = 600};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, &c, 1, &ro, &r));
    const double bands[2] = {50, 150};
    isochrone_opts o = {.bands_s = bands, .nbands = 2, .buffer_m = 10, .quadrant_segments = 64};
    isochrone_set *s = NULL;
    assert_ok(f->ctx, isochrone_build(f->ctx, net, r, &o, &s));
    assert_int_equal(isochrone_count(s), 2);
    const double disk150 = 2 * 10 * 1500 + M_PI * 100 + 20 * 490 + M_PI * 50;
    const double disk50 = 2 * 10 * 500 + M_PI * 100;
    assert_close(isochrone_at(s, 0)->area_m2, disk50, 1.0);
    assert_close(isochrone_at(s, 1)->area_m2, disk150, 1.0);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(GEOSisValid_r(h, isochrone_at(s, i)->geom), 1);
    isochrone_set_destroy(s);
    /* rings: the second band is the difference */
    o.rings = true;
    assert_ok(f->ctx, isochrone_build(f->ctx, net, r, &o, &s));
    assert_close(isochrone_at(s, 1)->area_m2, disk150 - disk50, 1.0);
    isochrone_set_destroy(s);
    /* raster mode (0.5 m cells) agrees with the hand-worked areas within 1 % and stays valid */
    o.rings = false;
    o.cell_m = 0.5;
    assert_ok(f->ctx, isochrone_build(f->ctx, net, r, &o, &s));
    assert_close(isochrone_at(s, 0)->area_m2, disk50, 0.01 * disk50);
    assert_close(isochrone_at(s, 1)->area_m2, disk150, 0.01 * disk150);
    assert_int_equal(GEOSisValid_r(h, isochrone_at(s, 1)->geom), 1);
    isochrone_set_destroy(s);
    o.rings = true;
    assert_ok(f->ctx, isochrone_build(f->ctx, net, r, &o, &s));
    assert_close(isochrone_at(s, 1)->area_m2, disk150 - disk50, 0.01 * (disk150 - disk50));
    isochrone_set_destroy(s);
    /* a band beyond the cutoff is refused */
    const double far[1] = {900};
    isochrone_opts bad = {.bands_s = far, .nbands = 1, .buffer_m = 10};
    assert_status_msg(f->ctx, isochrone_build(f->ctx, net, r, &bad, &s), EMS_EINPUT, "beyond the search cutoff");
    route_result_destroy(r);

    /* by station: A (60 s turn-out) and C share A-B at x = 0.7 (60 + 100 x = 100 + 100 (1 - x)) */
    route_source two[2] = {src_at(f, ix, 0, 0, 60), src_at(f, ix, 2000, 0, 0)};
    assert_ok(f->ctx, route_multi_source(f->ctx, net, two, 2, &ro, &r));
    const double b150[1] = {150};
    isochrone_opts bs = {.bands_s = b150, .nbands = 1, .buffer_m = 10, .quadrant_segments = 64, .by_station = true};
    assert_ok(f->ctx, isochrone_build(f->ctx, net, r, &bs, &s));
    assert_int_equal(isochrone_count(s), 2);
    assert_int_equal(isochrone_at(s, 0)->source, 0);
    assert_close(isochrone_at(s, 0)->area_m2, 2 * 10 * 700 + M_PI * 100, 1.0);
    assert_int_equal(isochrone_at(s, 1)->source, 1);
    assert_close(isochrone_at(s, 1)->area_m2, 2 * 10 * 1300 + M_PI * 100 + 20 * 490 + M_PI * 50, 1.0);
    isochrone_set_destroy(s);
    route_result_destroy(r);
    snap_index_destroy(ix);
    network_destroy(net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noding),
        cmocka_unit_test(test_duplicates_merge),
        cmocka_unit_test(test_retime),
        cmocka_unit_test(test_ellipsoidal),
        cmocka_unit_test(test_bad_roads),
        cmocka_unit_test(test_non_line_road),
        cmocka_unit_test(test_snap),
        cmocka_unit_test(test_snap_brute_force),
        cmocka_unit_test(test_snap_single_segment),
        cmocka_unit_test(test_route_two_labels),
        cmocka_unit_test(test_route_tie),
        cmocka_unit_test(test_service_areas),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
