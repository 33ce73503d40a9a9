/* src/analysis/sites.h: new station sites -- candidates and what each would add to the existing stations.
 *
 * Candidates come from a point layer (optionally filtered with a geo/filter.h expression) or are generated:
 * a regular grid, one road junction per square of a given size, or the population-weighted centroid of every
 * gap sub-district (fewer stations than the standard's minimum). Candidates inside an exclusion polygon, or
 * farther than the scenario's max_snap_m from a road, are dropped and counted. Existing stations may be closed
 * first (by id); the baseline (each demand point's nearest and second-nearest time) is then recomputed.
 *
 * Coverage sets: from every candidate (and, for MEXCLP, every open station) one bounded search on the road
 * network (route_bounded_single, cutoff = the standard's time; the site's delay -- turn-out + activation +
 * its access leg -- is part of the time) reaches a set of links; demand points on those links are timed
 * exactly as coverage.c times them (drive + the point's access leg), and point i is covered when its time is
 * within the standard. The searches run in parallel (one workspace per thread) and results are merged in
 * candidate order, so output does not depend on EMSCOV_THREADS.
 *
 * What-if per candidate, given the open stations: newly covered population (time within the standard, not so
 * before); mean_change_s, the change of the population-weighted mean response time over the currently
 * reached population, counting the points the candidate reaches within the standard (new time = min); fills
 * a gap (it lies in a sub-district with fewer stations than the minimum); backup gain (population whose
 * second-nearest time newly falls within the standard); MEXCLP gain (expected covered population with busy
 * ambulances, see optimize.h) when calls per day and job minutes are given.
 * Ownership: sites_evaluate returns a new result owned by the caller (sites_destroy, NULL-safe); it borrows the
 * analysis, which must outlive it. Units: seconds, metres, persons. */
#ifndef EMSCOV_SITES_H
#define EMSCOV_SITES_H

#include "src/analysis/analyze.h"
#include "src/analysis/optimize.h"

#define SITES_NONE UINT32_MAX

typedef enum { SITES_FROM_LAYER, SITES_FROM_GRID, SITES_FROM_ROAD, SITES_FROM_GAP } sites_origin;

const char *sites_origin_text(sites_origin o);

typedef struct sites_opts {
    const char *cand_path;         /* candidate point layer, or NULL */
    layer_read_opts cand_ro;
    const char *cand_where;        /* optional filter */
    const char *cand_id_field;     /* NULL: a field named id or name when there is one, else the record */
    double grid_m;                 /* > 0: grid of this spacing inside the sub-districts */
    double road_spacing_m;         /* > 0: one road junction per square of this size inside the sub-districts */
    bool gap_centroids;            /* the population-weighted centroid of each gap sub-district */
    const char *exclude_path;      /* polygons: candidates inside are dropped; NULL: none */
    const char *const *close_ids;  /* station ids (the scenario's id_field, else record numbers) */
    size_t nclose;
    double turnout_s;              /* of a new station; < 0: the median of the open stations */
    double ambulances;             /* of a new station; < 0: the median of the open stations */
    double calls_per_day, job_min; /* job_min > 0: MEXCLP figures; calls_per_day <= 0: from the dated [calls] */
} sites_opts;

typedef struct sites_candidate {
    char *id;
    sites_origin origin;
    int64_t record;        /* source record (layer), else 0 */
    double x, y;           /* working CRS */
    uint32_t unit;         /* sub-district holding it (gaps.h rule), SITES_NONE outside all */
    snap_pos pos;
    double delay_s;        /* turn-out + activation + access leg */
    double new_pop;        /* newly covered population */
    double mean_change_s;  /* <= 0 */
    double backup_pop;     /* population newly with a second station within the standard */
    double mexclp_gain;    /* expected covered population gained (MEXCLP); NAN without calls */
    double covered_pop;    /* all population it covers by itself */
    bool fills_gap;
    size_t reached_nodes;
    uint32_t rank;         /* 1 = best: new_pop, then fills_gap, backup_pop, mean_change_s, input order */
} sites_candidate;

typedef struct sites_result {
    const analysis *a;
    double standard_s, turnout_s, ambulances, min_stations;
    /* candidates: offered before filtering; dropped as excluded / too far from a road */
    size_t offered, excluded, unsnapped;
    size_t ncand;
    sites_candidate *cand;
    uint32_t *by_rank;     /* candidate indexes, best first */
    uint32_t *rank_of;     /* per candidate: its rank (cand[i].rank), the optimisers' tie-break */
    /* closed stations (feature indexes) */
    size_t nclosed;
    uint32_t *closed;
    /* baseline after closures */
    double pop_total, base_covered, base_reached, base_mean_s, base_backup;
    size_t base_gaps;
    uint32_t *unit_stations; /* per sub-district, open stations */
    double *cur_s, *bak_s;   /* per demand point */
    /* MEXCLP */
    bool mexclp;
    double calls_per_day, job_min;
    bool calls_from_layer;   /* calls_per_day estimated from the [calls] layer (no --calls-per-day given) */
    double call_days, calls_estimate; /* the [calls] estimate: days spanned, calls a day (0: no dated calls) */
    double total_amb, q_base, q_new, exp_base; /* q_new: with one more candidate's ambulances */
    double *point_amb;       /* per demand point: ambulances of open stations covering it */
    /* the optimisation instance: points not covered by the baseline that some candidate covers */
    size_t nupts;
    uint32_t *upt;           /* -> demand point */
    double *uw;
    size_t *cstart;          /* ncand + 1 */
    uint32_t *cpts;          /* indexes into upt */
    /* backup points: covered by exactly one open station; per candidate those it covers */
    size_t nbpts;
    double *bw;
    size_t *bstart;          /* ncand + 1 */
    uint32_t *bpts;
    /* the objective ladder of the k-site choice (optimize.h), over the arrays below */
    opt_ladder ladder;
    uint32_t *cand_group;    /* per candidate: its sub-district when it fills a gap, else OPT_NONE */
    uint32_t *group_need;    /* per sub-district: stations short of the minimum */
    double *cand_mean;       /* per candidate: mean_change_s */
    /* work done */
    double prepare_s, evaluate_s, evaluate_cpu_s; /* wall, and CPU time of all threads */
    size_t settled_total;
    int threads;
    /* private */
    void *priv;
} sites_result;

ems_status sites_evaluate(emscov_ctx *ctx, const analysis *a, const sites_opts *o, sites_result **out);
void sites_destroy(sites_result *r);

/* The optimisation instance (borrowing the result's arrays) with the objective ladder: equal coverage gains go
 * to the pick filling a gap that still needs a station, then to the larger backup gain given the earlier picks,
 * then to the better mean time change, then to the better what-if rank, so saturated coverage does not stack
 * sites in one place. */
void sites_instance(const sites_result *r, opt_instance *in);

/* A selection of candidates added together: covered population and, when MEXCLP is on, the busy fraction and
 * the expected covered population with their ambulances added. */
ems_status sites_selection_eval(emscov_ctx *ctx, const sites_result *r, const uint32_t *sel, size_t n,
                                double *covered, double *q, double *expected);

/* Every demand point each candidate covers within the standard (new lists, the caller frees both): MEXCLP's
 * n_i as the objective (sites_plan.h). One more search per candidate. */
ems_status sites_full_cover(emscov_ctx *ctx, const sites_result *r, size_t **start, uint32_t **pts);

/* A station's id (the scenario's id_field, else "record N"), owned by the analysis's result. */
const char *sites_station_id(const analysis *a, size_t s);

#endif
