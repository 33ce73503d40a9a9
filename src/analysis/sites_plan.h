/* src/analysis/sites_plan.h: one `emscov sites` plan -- the whole sequence below the CLI: what-if of every
 * candidate (sites.h), the best k new sites (greedy + swap, GLPK exact when small or asked), the fewest sites
 * meeting a coverage target (LSCP), the MEXCLP busy-ambulance estimate, and every derived figure the outputs
 * show: each pick's newly covered population in order, shares, the k -> coverage curve, greedy's gap to the
 * exact optimum, the call-satisfaction verdict, each candidate's identity (the sub-district it lies in, by
 * id, name and code; lon/lat in WGS 84) and the best few candidates of every gap sub-district. Outputs (src/output/sites_report.h) render the plan, nothing else.
 * Ownership: sites_plan_run returns a new plan owned by the caller (sites_plan_destroy, NULL-safe); it owns
 * the sites result and the optimisation results; it borrows the analysis, which must outlive it.
 * Units: seconds, persons, shares 0..1, degrees for lon/lat. */
#ifndef EMSCOV_SITES_PLAN_H
#define EMSCOV_SITES_PLAN_H

#include "src/analysis/sites.h"

/* What drives the choice of the k sites: the objective ladder (newly covered population, then gaps filled,
 * then backup coverage, then mean time; optimize.h opt_ladder), or MEXCLP's expected covered population with
 * busy ambulances (needs calls per day and job minutes). */
typedef enum { SITES_OBJ_COVERAGE = 0, SITES_OBJ_MEXCLP } sites_objective;

const char *sites_objective_text(sites_objective o);

#define SITES_PER_GAP_DEFAULT 3

typedef struct sites_plan_opts {
    sites_opts eval;       /* candidates, closures, new-station parameters, MEXCLP inputs */
    size_t k;              /* sites to choose; 0: min(5, candidates) */
    sites_objective objective;
    size_t per_gap;        /* best candidates listed per gap sub-district; 0: SITES_PER_GAP_DEFAULT */
    bool exact;            /* solve the k-site problem with GLPK up to exact_max_nz (else only when small) */
    double time_limit_s;   /* GLPK time limit (0: 60) */
    size_t exact_max_nz;   /* size limit with exact (0: OPT_EXACT_DEFAULT_MAX_NZ) */
    double target_share;   /* > 0: LSCP for every sub-district's minimum + this share within the standard */
} sites_plan_opts;

/* A candidate as people read it. */
typedef struct sites_plan_cand {
    const char *subdistrict_id, *subdistrict_name, *subdistrict_code; /* "" outside every sub-district */
    double lon, lat;           /* WGS 84 */
    bool selected;
    uint32_t selected_order;   /* 1.. in the greedy order, 0 when not selected */
    uint32_t gap_rank;         /* 1 = the best-ranked candidate of its gap sub-district; 0 outside every gap */
} sites_plan_cand;

/* A sub-district below the station minimum and its best candidates (what-if rank order). */
typedef struct sites_plan_gap {
    uint32_t unit;             /* index into the analysis's sub-districts */
    uint32_t stations;         /* open stations in it */
    size_t ncand;              /* candidates inside it */
    size_t nbest;              /* min(per_gap, ncand) */
    uint32_t *best;            /* nbest candidate indexes, best first */
} sites_plan_gap;

typedef struct sites_plan {
    const analysis *a;
    sites_result *r;
    char *candidates_from;     /* how the candidates were made */
    sites_plan_cand *cand;     /* per candidate (r->cand order) */

    double base_covered_share;
    sites_objective objective;
    size_t per_gap;
    size_t ngaps;
    sites_plan_gap *gaps;      /* every gap sub-district, in sub-district order */
    size_t k;                  /* 0: no optimisation (no candidates) */
    opt_greedy_result greedy;  /* MEXCLP objective: curve, gain and value are expected covered population */
    double *pick_new;          /* per pick j (greedy.sel order): newly covered given the earlier picks */
    double *pick_after;        /* covered after pick j */
    double *curve_covered, *curve_share; /* greedy curve: covered after j + 1 greedy picks, and share */
    double sel_covered, sel_covered_share;
    opt_exact_result exact;    /* status OPT_EXACT_NOT_RUN when not tried */
    double exact_time_limit_s;
    double exact_gap;          /* (optimum or bound - greedy + swap) / optimum or bound; NaN when unknown */

    double target_share;       /* > 0: the LSCP figures */
    opt_lscp_result lscp;
    double lscp_covered, lscp_covered_share;
    bool lscp_proven;          /* lower bound = sites chosen */

    /* MEXCLP (r->mexclp): call satisfaction now and with the selection, against the standard */
    double mexclp_share, sel_q, sel_expected, sel_mexclp_share;
    double sel_ambulances, sel_added_ambulances; /* all ambulances with the selection's, and those added */
    result_verdict satisfaction_verdict, sel_satisfaction_verdict;

    double greedy_s, exact_s;  /* wall time of the two optimisations */
} sites_plan;

ems_status sites_plan_run(emscov_ctx *ctx, const analysis *a, const sites_plan_opts *o, sites_plan **out);
void sites_plan_destroy(sites_plan *p);

#endif
