/* tests/src/test_coverage.c: coverage figures on a case worked by hand, and the statistics of 200,000 points
 * against a plain computation.
 * Road A (0,0) - B (1000,0) - C (2000,0) at 36 km/h = 10 m/s; one station at A with a 60 s turn-out; access
 * legs at 15 km/h (1000/240 m/s). Points: p1 (500, 0) 100 people: 60 + 50 = 110 s; p2 (1500, 30) 300 people:
 * 60 + 150 + 30 / (15 / 3.6) = 217.2 s; p3 (5000, 5000) 50 people, 4.5 km from the road: unreachable.
 * p1, p2 in sub-district 0, p3 in sub-district 1. Threshold 200 s. */
#include "test_util.h"

#include "src/analysis/coverage.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* The road of the header (A - B - C at 10 m/s) with the station at A routed (2 labels, 1 h cutoff). */
typedef struct road_case {
    speed_profile *sp;
    crs *utm;
    network *net;
    snap_index *ix;
    route_result *r;
} road_case;

static void road_case_make(emscov_ctx *ctx, road_case *c)
{
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &c->sp));
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c->utm));
    network_builder *b = NULL;
    assert_ok(ctx, network_builder_create(ctx, c->sp, c->utm, NULL, &b));
    const double rx[] = {0, 1000, 2000}, ry[] = {0, 0, 0};
    network_road road = {.x = rx, .y = ry, .n = 3, .road_class = "支路", .speed_kmh = 36, .record = 1};
    assert_ok(ctx, network_builder_add(ctx, b, &road));
    assert_ok(ctx, network_builder_finish(ctx, b, &c->net));
    assert_ok(ctx, snap_index_build(ctx, c->net, &c->ix));
    route_source s = {.delay_s = 60};
    assert_true(snap_point(c->ix, 0, 0, 1, &s.pos));
    route_opts ro = {.labels = 2, .cutoff_s = 3600};
    assert_ok(ctx, route_multi_source(ctx, c->net, &s, 1, &ro, &c->r));
}

static void road_case_free(road_case *c)
{
    route_result_destroy(c->r);
    snap_index_destroy(c->ix);
    network_destroy(c->net);
    crs_destroy(c->utm);
    speed_profile_destroy(c->sp);
}

static void test_hand_worked(void **state)
{
    emscov_ctx *ctx = *state;
    road_case rc;
    road_case_make(ctx, &rc);
    network *net = rc.net;
    snap_index *ix = rc.ix;
    route_result *r = rc.r;

    const double x[] = {500, 1500, 5000}, y[] = {0, 30, 5000}, pop[] = {100, 300, 50};
    const uint32_t unit[] = {0, 0, 1};
    coverage_params p = {.thresholds_s = {200, 300}, .nthresholds = 2, .max_snap_m = 1000, .access_kmh = 15};
    coverage_result *c = NULL;
    assert_ok(ctx, coverage_compute(ctx, net, ix, r, 3, x, y, pop, unit, 2, &p, &c));
    const double t2 = 60 + 150 + 30 / (15 / 3.6);
    assert_close(c->time_s[0], 110, 1e-9);
    assert_close(c->time_s[1], t2, 1e-9);
    assert_true(isinf(c->time_s[2]));
    assert_int_equal(c->nearest[2], COVERAGE_NONE);
    assert_true(isinf(c->backup_s[0])); /* one station: no backup */
    assert_close(c->city.pop, 450, 0);
    assert_close(c->city.covered[0], 100, 0);
    assert_close(c->city.covered[1], 400, 0);
    assert_close(c->city.unreachable, 50, 0);
    assert_close(c->units[0].mean_s, (100 * 110 + 300 * t2) / 400, 1e-9);
    assert_close(c->units[0].median_s, t2, 1e-9); /* 100 of 400 people at 110 s: below half */
    assert_close(c->units[0].p90_s, t2, 1e-9);
    assert_close(c->units[0].max_s, t2, 1e-9);
    assert_close(c->units[1].unreachable, 50, 0);
    assert_true(isnan(c->units[1].mean_s));
    assert_close(c->workload[0], 400, 0);
    coverage_destroy(c);

    /* a negative population is refused */
    const double bad[] = {100, -1, 0};
    assert_status_msg(ctx, coverage_compute(ctx, net, ix, r, 3, x, y, bad, unit, 2, &p, &c), EMS_EINPUT,
                      "demand point 2");
    road_case_free(&rc);
}

/* Reference statistics of (t, w) pairs computed the plain way: a copy sorted by qsort, then the quantiles. */
typedef struct ref_tw {
    double t, w;
} ref_tw;

static int ref_cmp(const void *a, const void *b)
{
    double x = ((const ref_tw *)a)->t, y = ((const ref_tw *)b)->t;
    return x < y ? -1 : x > y;
}

static double ref_quantile(const ref_tw *v, size_t n, double total, double q)
{
    double acc = 0;
    for (size_t i = 0; i < n; i++)
        if ((acc += v[i].w) >= q * total * (1 - 1e-12)) return v[i].t;
    return v[n - 1].t;
}

static void check_stats(const coverage_stats *s, ref_tw *v, size_t n)
{
    double total = 0, sum = 0, max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        total += v[i].w;
        sum += v[i].w * v[i].t;
        if (v[i].w > 0 && v[i].t > max) max = v[i].t;
    }
    qsort(v, n, sizeof *v, ref_cmp);
    assert_close(s->mean_s, sum / total, 1e-9);
    assert_true(s->median_s == ref_quantile(v, n, total, 0.5));
    assert_true(s->p90_s == ref_quantile(v, n, total, 0.9));
    assert_true(s->max_s == max);
}

/* City scale: 200,000 points (the statistics sort by radix from 65,536 values on), many of them at equal
 * times (on the road at whole metres), against the plain computation. */
static void test_many_points(void **state)
{
    emscov_ctx *ctx = *state;
    road_case rc;
    road_case_make(ctx, &rc);
    network *net = rc.net;
    snap_index *ix = rc.ix;
    route_result *r = rc.r;

    enum { N = 200000, UNITS = 2 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *pop = malloc(N * sizeof *pop);
    uint32_t *unit = malloc(N * sizeof *unit);
    ref_tw *v = malloc(N * sizeof *v);
    assert_non_null(x), assert_non_null(y), assert_non_null(pop), assert_non_null(unit), assert_non_null(v);
    uint64_t seed = 12345;
    for (size_t i = 0; i < N; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        unsigned r32 = (unsigned)(seed >> 33);
        x[i] = r32 % 2000;                       /* whole metres: many equal times */
        y[i] = i % 4 ? 0 : (r32 >> 11) % 400;    /* every fourth point off the road */
        pop[i] = i % 7 ? (r32 >> 3) % 50 : 0.5;  /* small and zero weights too */
        unit[i] = i % 5 ? 0 : 1;                 /* unit 1: 40,000 points (qsort), unit 0: 160,000 (radix) */
    }
    coverage_params p = {.thresholds_s = {200}, .nthresholds = 1, .max_snap_m = 1000, .access_kmh = 15};
    coverage_result *c = NULL;
    assert_ok(ctx, coverage_compute(ctx, net, ix, r, N, x, y, pop, unit, UNITS, &p, &c));
    for (uint32_t u = 0; u <= UNITS; u++) { /* u == UNITS: the whole city */
        size_t n = 0;
        for (size_t i = 0; i < N; i++)
            if ((u == UNITS || unit[i] == u) && isfinite(c->time_s[i])) v[n++] = (ref_tw){c->time_s[i], pop[i]};
        assert_true(n > 30000);
        check_stats(u == UNITS ? &c->city : &c->units[u], v, n);
    }
    coverage_destroy(c);
    free(x), free(y), free(pop), free(unit), free(v);
    road_case_free(&rc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_many_points),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
