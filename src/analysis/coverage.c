/* src/analysis/coverage.c: see coverage.h. */
#include "src/analysis/coverage.h"

#include "geo/parallel.h"
#include "src/analysis/times.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct tw {
    double t, w;
} tw;

static int cmp_tw(const void *a, const void *b)
{
    double x = ((const tw *)a)->t, y = ((const tw *)b)->t;
    return x < y ? -1 : x > y;
}

/* The bits of t as an unsigned key ordered as the doubles are (-0 taken as +0, as cmp_tw does). */
static uint64_t time_key(double t)
{
    uint64_t b;
    t += 0.0;
    memcpy(&b, &t, sizeof b);
    return b >> 63 ? ~b : b | (uint64_t)1 << 63;
}

#define RADIX_BITS 11
#define RADIX_PASSES 6 /* 6 x 11 >= 64 */
#define RADIX_MIN 65536 /* below this, qsort is as fast */

/* Sort v[0..n) by t, stably (ties keep their order, as glibc's merge-sort qsort keeps them, so the quantiles'
 * sums add in the same order), using tmp[0..n) as scratch: an LSD radix sort of 11-bit digits of time_key,
 * skipping the digits every key shares. O(n) where qsort's n log n comparisons were the coverage step's
 * largest single-thread cost at city scale (1.4 M points: 0.25 s -> 0.03 s). */
static void sort_by_time(tw *v, size_t n, tw *tmp)
{
    if (n < RADIX_MIN || !tmp) {
        qsort(v, n, sizeof *v, cmp_tw);
        return;
    }
    static const size_t nb = (size_t)1 << RADIX_BITS;
    size_t count[RADIX_PASSES][(size_t)1 << RADIX_BITS];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = time_key(v[i].t);
        for (int p = 0; p < RADIX_PASSES; p++)
            count[p][(k >> (p * RADIX_BITS)) & (nb - 1)]++;
    }
    tw *from = v, *to = tmp;
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *c = count[p];
        if (c[(time_key(from[0].t) >> (p * RADIX_BITS)) & (nb - 1)] == n) continue; /* one digit for all */
        size_t sum = 0;
        for (size_t d = 0; d < nb; d++) {
            size_t k = c[d];
            c[d] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++)
            to[c[(time_key(from[i].t) >> (p * RADIX_BITS)) & (nb - 1)]++] = from[i];
        tw *x = from;
        from = to;
        to = x;
    }
    if (from != v) memcpy(v, from, n * sizeof *v);
}

/* Weighted quantile of sorted (t, w): the smallest t with cumulative weight >= q x total. */
static double quantile(const tw *v, size_t n, double total, double q)
{
    double acc = 0, goal = q * total;
    for (size_t i = 0; i < n; i++) {
        acc += v[i].w;
        if (acc >= goal * (1 - 1e-12))
            return v[i].t;
    }
    return n ? v[n - 1].t : NAN;
}

/* Fill the time statistics of one unit from its reached (time, pop) pairs. */
static void finish_stats(coverage_stats *s, tw *v, size_t n, tw *tmp)
{
    double total = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        total += v[i].w;
        sum += v[i].w * v[i].t;
    }
    if (total <= 0) {
        s->mean_s = s->median_s = s->p90_s = s->max_s = NAN;
        return;
    }
    sort_by_time(v, n, tmp);
    s->mean_s = sum / total;
    s->median_s = quantile(v, n, total, 0.5);
    s->p90_s = quantile(v, n, total, 0.9);
    s->max_s = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (v[i].w > 0)
            s->max_s = fmax(s->max_s, v[i].t);
}

static void add_point(coverage_stats *s, const coverage_params *p, double t, double w)
{
    s->pop += w;
    s->points++;
    if (!isfinite(t)) {
        s->unreachable += w;
        return;
    }
    for (size_t k = 0; k < p->nthresholds; k++)
        if (t <= p->thresholds_s[k])
            s->covered[k] += w;
}

/* Phase 1, per point and independent (parallel_for): snap, then nearest and backup time. */
typedef struct point_job {
    const snap_index *ix;
    const route_result *r;
    const double *x, *y;
    double max_snap_m, access_kmh;
    coverage_result *c;
} point_job;

static void time_points(void *user, size_t begin, size_t end)
{
    const point_job *j = user;
    coverage_result *c = j->c;
    for (size_t i = begin; i < end; i++) {
        snap_pos sp;
        double t = INFINITY, tb = INFINITY;
        uint32_t s = COVERAGE_NONE;
        if (snap_point(j->ix, j->x[i], j->y[i], j->max_snap_m, &sp)) {
            double acc = times_access_s(sp.dist_m, j->access_kmh);
            uint32_t src;
            double t0 = route_pos_time(j->r, &sp, 0, &src);
            if (isfinite(t0)) {
                t = t0 + acc;
                s = src;
            }
            double t1 = route_pos_time(j->r, &sp, 1, NULL);
            if (isfinite(t1))
                tb = t1 + acc;
            c->snap_m[i] = sp.dist_m;
        } else {
            c->snap_m[i] = INFINITY;
        }
        c->time_s[i] = t;
        c->backup_s[i] = tb;
        c->nearest[i] = s;
    }
}

ems_status coverage_compute(emscov_ctx *ctx, const network *net, const snap_index *ix, const route_result *r,
                            size_t n, const double *x, const double *y, const double *pop, const uint32_t *unit,
                            size_t nunits, const coverage_params *p, coverage_result **out)
{
    *out = NULL;
    (void)net;
    if (p->nthresholds == 0 || p->nthresholds > COVERAGE_MAX_THRESHOLDS || !(p->access_kmh >= 0))
        return emscov_fail(ctx, EMS_EINPUT, "coverage: 1 to %d thresholds and an access speed >= 0 are needed",
                           COVERAGE_MAX_THRESHOLDS);
    coverage_result *c = ems_calloc(ctx, 1, sizeof *c);
    if (!c)
        return EMS_ENOMEM;
    c->npoints = n;
    c->nunits = nunits;
    c->nsources = route_source_count(r);
    size_t m = n ? n : 1;
    c->time_s = ems_malloc(ctx, m * sizeof *c->time_s);
    c->backup_s = ems_malloc(ctx, m * sizeof *c->backup_s);
    c->nearest = ems_malloc(ctx, m * sizeof *c->nearest);
    c->snap_m = ems_malloc(ctx, m * sizeof *c->snap_m);
    c->units = ems_calloc(ctx, nunits ? nunits : 1, sizeof *c->units);
    c->workload = ems_calloc(ctx, c->nsources ? c->nsources : 1, sizeof *c->workload);
    tw *all = ems_malloc(ctx, m * sizeof *all);
    size_t *start = ems_calloc(ctx, nunits + 1, sizeof *start);
    tw *byunit = ems_malloc(ctx, m * sizeof *byunit);
    if (!c->time_s || !c->backup_s || !c->nearest || !c->snap_m || !c->units || !c->workload || !all || !start ||
        !byunit) {
        free(all);
        free(start);
        free(byunit);
        coverage_destroy(c);
        return EMS_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(pop[i] >= 0) || !isfinite(pop[i])) {
            free(all);
            free(start);
            free(byunit);
            coverage_destroy(c);
            return emscov_fail(ctx, EMS_EINPUT, "demand point %zu: population %g is not a number >= 0", i + 1, pop[i]);
        }
    }
    point_job job = {ix, r, x, y, p->max_snap_m, p->access_kmh, c};
    parallel_for(n, 4096, time_points, &job);
    /* Phase 2, in point order (sums identical whatever the thread count). */
    size_t nall = 0;
    for (size_t i = 0; i < n; i++) {
        double t = c->time_s[i];
        uint32_t s = c->nearest[i];
        add_point(&c->city, p, t, pop[i]);
        if (unit[i] != COVERAGE_NONE && unit[i] < nunits) {
            add_point(&c->units[unit[i]], p, t, pop[i]);
            if (isfinite(t))
                start[unit[i] + 1]++;
        }
        if (isfinite(t)) {
            all[nall++] = (tw){t, pop[i]};
            c->workload[s] += pop[i];
        }
    }
    finish_stats(&c->city, all, nall, byunit); /* byunit is free until the units are bucketed */
    /* per unit: bucket the reached points by unit, then the same statistics */
    for (size_t u = 0; u < nunits; u++)
        start[u + 1] += start[u];
    size_t *fill = ems_malloc(ctx, (nunits ? nunits : 1) * sizeof *fill);
    if (!fill) {
        free(all);
        free(start);
        free(byunit);
        coverage_destroy(c);
        return EMS_ENOMEM;
    }
    memcpy(fill, start, nunits * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (unit[i] != COVERAGE_NONE && unit[i] < nunits && isfinite(c->time_s[i]))
            byunit[fill[unit[i]]++] = (tw){c->time_s[i], pop[i]};
    for (size_t u = 0; u < nunits; u++)
        finish_stats(&c->units[u], byunit + start[u], start[u + 1] - start[u], all); /* all: done with */
    free(fill);
    free(all);
    free(start);
    free(byunit);
    *out = c;
    return EMS_OK;
}

void coverage_destroy(coverage_result *c)
{
    if (!c)
        return;
    free(c->time_s);
    free(c->backup_s);
    free(c->nearest);
    free(c->snap_m);
    free(c->units);
    free(c->workload);
    free(c);
}
