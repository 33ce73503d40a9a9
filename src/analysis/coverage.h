/* src/analysis/coverage.h: response-time coverage of the population: per demand point the response time
 * from the nearest station (station delays + drive + both access legs), then per sub-district and city-wide:
 * population, covered population and share within the standard and extra thresholds, the population-weighted
 * mean, median, 90th percentile and maximum response time, and the unreachable population; per station, the
 * population for which it is the nearest (its workload).
 *
 * Definitions (docs/method.md): a point farther than max_snap_m from any road, or not reached within the
 * search cutoff, is unreachable: it counts as not covered and is left out of mean/median/p90/max, which are
 * over the reached population. Weighted quantile q = the smallest time t such that the population with time
 * <= t is at least q x the reached population.
 * Ownership: coverage_compute returns a new result owned by the caller (coverage_destroy, NULL-safe); inputs
 * are borrowed. Units: seconds, persons. */
#ifndef EMSCOV_COVERAGE_H
#define EMSCOV_COVERAGE_H

#include "geo/route.h"
#include "geo/snap.h"

#define COVERAGE_MAX_THRESHOLDS 8
#define COVERAGE_NONE UINT32_MAX

typedef struct coverage_params {
    double thresholds_s[COVERAGE_MAX_THRESHOLDS]; /* [0] is the standard's; the others extra */
    size_t nthresholds;
    double max_snap_m;
    double access_kmh; /* speed of the points' access leg; 0: no off-network time */
} coverage_params;

typedef struct coverage_stats {
    double pop;                                   /* all population of the unit */
    double covered[COVERAGE_MAX_THRESHOLDS];      /* population within each threshold */
    double unreachable;                           /* population with no response time */
    double mean_s, median_s, p90_s, max_s;        /* over the reached population; NAN when none */
    size_t points;
} coverage_stats;

typedef struct coverage_result {
    size_t npoints, nunits, nsources;
    double *time_s;        /* per point; INFINITY when unreachable */
    double *backup_s;      /* per point, second-nearest station; INFINITY when none */
    uint32_t *nearest;     /* per point: route source index, COVERAGE_NONE when unreachable */
    double *snap_m;        /* per point: access leg length (INFINITY beyond max_snap_m) */
    coverage_stats city;
    coverage_stats *units; /* per sub-district */
    double *workload;      /* per source: population it is nearest to */
} coverage_result;

/* Points x, y (working CRS) with population pop and sub-district unit[] (COVERAGE_NONE outside all, counted
 * city-wide only); r from route_multi_source over the stations (2 labels for backup times). */
ems_status coverage_compute(emscov_ctx *ctx, const network *net, const snap_index *ix, const route_result *r,
                            size_t n, const double *x, const double *y, const double *pop, const uint32_t *unit,
                            size_t nunits, const coverage_params *p, coverage_result **out);
void coverage_destroy(coverage_result *c);

#endif
