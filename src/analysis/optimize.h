/* src/analysis/optimize.h: choosing new station sites from coverage sets, independent of networks: an
 * instance is candidates x demand points, each candidate with the set of points it covers (points already
 * covered by the existing stations are left out by the caller) and each point with a weight (population).
 *
 *  - MCLP (maximal covering, Church & ReVelle 1974): k sites maximising the covered weight. opt_greedy: greedy
 *    with lazy (CELF) evaluation -- a candidate's gain only falls as sites are added (submodularity), so a
 *    stale gain is an upper bound and only the top of the queue is re-evaluated -- then one pass of 1-swap
 *    local improvement. The greedy prefix gives the curve k -> covered weight. opt_exact_mclp: the integer
 *    program solved with GLPK (points with identical covering sets aggregated first), with a size limit and a
 *    time limit; the greedy answer's optimality gap follows from it.
 *  - LSCP-style (location set covering with a coverage target): fewest sites so that every group (sub-district)
 *    gets the sites it needs and the covered weight reaches a target; exact with GLPK when small, else greedy
 *    with a lower bound.
 *  - MEXCLP (Daskin 1983): expected covered weight with busy servers (see opt_mexclp_expected), and a greedy
 *    choice driven by it (opt_greedy_mexclp).
 * Ties (equal gains) go to the better tie_rank when the instance has one (e.g. the what-if rank of the
 * candidates: gaps filled, mean time), then to the lower candidate index, so results are deterministic.
 * Ownership: results are structs the caller owns (the *_fini functions free them, NULL-safe on zeroed
 * structs); instances are borrowed. Units: weights (persons), seconds for time limits. */
#ifndef EMSCOV_OPTIMIZE_H
#define EMSCOV_OPTIMIZE_H

#include "geo/ctx.h"

#include <stdint.h>

#define OPT_NONE UINT32_MAX

/* The objective ladder of opt_greedy (optional): among picks of equal newly covered weight, the one filling a
 * group (sub-district) that still needs a site, then the larger backup gain (weight newly covered twice: points
 * of the instance already covered once by the picks, and the backup points -- covered once before any pick --
 * the candidate covers), then the lower mean_change (a fixed figure per candidate, e.g. its own change of the
 * mean time against the open stations). Every key only falls as sites are added, so lazy evaluation stays
 * exact. */
typedef struct opt_ladder {
    const uint32_t *cand_group; /* per candidate: its group, OPT_NONE for none */
    const uint32_t *group_need; /* per group: sites it still needs */
    size_t ngroups;
    size_t nbpts;
    const double *bw;           /* per backup point, >= 0 */
    const size_t *bstart;       /* ncand + 1 offsets into bpts */
    const uint32_t *bpts;       /* backup points each candidate covers */
    const double *mean_change;  /* per candidate, lower is better; NULL: not used */
} opt_ladder;

typedef struct opt_instance {
    size_t ncand, npts;
    const double *w;       /* per point, >= 0 */
    const size_t *start;   /* ncand + 1 offsets into pts */
    const uint32_t *pts;   /* points covered by each candidate (distinct within a candidate) */
    const uint32_t *tie_rank; /* optional, per candidate: among equal gains the lower rank is picked first */
    const opt_ladder *ladder; /* optional: opt_greedy's further keys after the covered weight */
} opt_instance;

typedef struct opt_greedy_result {
    size_t k;
    uint32_t *order;     /* greedy picks in order (k) */
    double *gain;        /* marginal gain of each greedy pick */
    double *curve;       /* curve[j]: covered weight after j + 1 greedy picks */
    double greedy_value; /* = curve[k - 1] */
    uint32_t *sel;       /* the selection after the swap pass (k), in the greedy order with swaps in place */
    double value;        /* covered weight of sel (>= greedy_value) */
    size_t swaps;        /* improving swaps made */
    size_t evaluations;  /* gain evaluations done (CELF work) */
} opt_greedy_result;

/* k in [1, ncand]; swap: run the 1-swap pass (a swap is made only when it raises the covered weight). Picks
 * follow the instance's ladder when it has one. EMS_EINPUT for k out of range. */
ems_status opt_greedy(emscov_ctx *ctx, const opt_instance *in, size_t k, bool swap, opt_greedy_result *out);
void opt_greedy_fini(opt_greedy_result *r);

typedef enum {
    OPT_EXACT_NOT_RUN = 0,
    OPT_EXACT_OPTIMAL,    /* proven optimal */
    OPT_EXACT_TIME_LIMIT, /* stopped at the time limit: value is the best found, bound an upper/lower bound */
    OPT_EXACT_TOO_LARGE,  /* over max_nonzeros: not attempted */
    OPT_EXACT_INFEASIBLE,
    OPT_EXACT_FAILED,     /* GLPK gave up (numerical trouble) */
} opt_exact_status;

const char *opt_exact_status_text(opt_exact_status s);

typedef struct opt_exact_opts {
    double time_limit_s;  /* 0: 60 s */
    size_t max_nonzeros;  /* size limit of the aggregated model; 0: OPT_EXACT_DEFAULT_MAX_NZ */
    const uint32_t *start_sel; /* optional feasible selection given to GLPK as the first incumbent */
    size_t start_n;
} opt_exact_opts;

#define OPT_EXACT_DEFAULT_MAX_NZ 200000

typedef struct opt_exact_result {
    opt_exact_status status;
    size_t groups;        /* point groups after aggregating identical covering sets */
    size_t rows, cols, nonzeros;
    double value;         /* objective of the best selection found (MCLP: weight; LSCP: sites) */
    double bound;         /* best bound (MCLP: upper; LSCP: lower); = value when optimal; NAN when unknown */
    uint32_t *sel;        /* the selection, ascending */
    size_t nsel;
    double seconds;
} opt_exact_result;

/* Exact MCLP: max sum_g w_g y_g  s.t.  y_g <= sum_{c covers g} x_c,  sum_c x_c = k,  x binary, 0 <= y <= 1. */
ems_status opt_exact_mclp(emscov_ctx *ctx, const opt_instance *in, size_t k, const opt_exact_opts *o,
                          opt_exact_result *out);
void opt_exact_fini(opt_exact_result *r);

/* LSCP-style: the fewest sites such that every group u gets at least need[u] selected candidates lying in it
 * (cand_group[c], OPT_NONE for none) and the covered weight is at least need_weight. */
typedef struct opt_lscp_problem {
    const opt_instance *in;
    double need_weight;
    const uint32_t *cand_group; /* per candidate */
    const uint32_t *group_need; /* per group */
    size_t ngroups;
} opt_lscp_problem;

typedef struct opt_lscp_result {
    bool feasible;        /* false: even every candidate cannot meet the targets */
    double max_weight;    /* covered weight with every candidate */
    size_t groups_short;  /* groups with fewer candidates than they need */
    uint32_t first_short; /* the first such group, OPT_NONE when none */
    uint32_t *sel;        /* greedy (or exact, when proven) selection */
    size_t nsel;
    double value;         /* covered weight of sel */
    size_t lower_bound;   /* no selection with fewer sites exists */
    opt_exact_result exact; /* status OPT_EXACT_NOT_RUN when not tried */
} opt_lscp_result;

/* exact: NULL = greedy only; else try GLPK under those limits (and use its answer when it is better). */
ems_status opt_lscp(emscov_ctx *ctx, const opt_lscp_problem *p, const opt_exact_opts *exact, opt_lscp_result *out);
void opt_lscp_fini(opt_lscp_result *r);

/* MEXCLP: busy fraction q = calls_per_day x job_min / (1440 x ambulances) (may be >= 1: overloaded), and the
 * expected covered weight sum_i w_i (1 - q^{n_i}) where n_i is the number of ambulances within the standard
 * of point i. Assumptions: ambulances busy independently, with one q everywhere; calls in proportion to w. */
double opt_mexclp_busy(double calls_per_day, double job_min, double ambulances);
double opt_mexclp_expected(size_t n, const double *w, const double *amb, double q);

/* MEXCLP as the objective: k sites chosen greedily by expected covered weight. Pick j (1..k) is the candidate
 * maximising E(S + c) with q_j = opt_mexclp_busy(calls, job, base_amb + j x site_amb): every point c covers
 * gains w_i q_j^{n_i} (1 - q_j^{site_amb}), n_i counting the ambulances of the open stations and earlier picks
 * covering it. Ties: the lower tie_rank, then the lower index. Result: order = sel (no swap), gain[j] =
 * E(S_j) - E(S_{j-1}) (E(S_0) with q_0 over base_amb), curve[j] = E(S_j), value = greedy_value = E(S_k).
 * EMS_EINPUT when k is out of range or some q_j >= 1 (more work than ambulances: the model does not apply). */
typedef struct opt_mexclp_instance {
    size_t ncand, npts;
    const double *w;          /* per point */
    const double *amb;        /* per point: ambulances of the open stations within the standard */
    const size_t *start;      /* ncand + 1 offsets into pts */
    const uint32_t *pts;      /* every point each candidate covers within the standard */
    double site_amb;          /* ambulances of one new site (> 0) */
    double calls_per_day, job_min, base_amb;
    const uint32_t *tie_rank; /* optional */
} opt_mexclp_instance;

ems_status opt_greedy_mexclp(emscov_ctx *ctx, const opt_mexclp_instance *in, size_t k, opt_greedy_result *out);

#endif
