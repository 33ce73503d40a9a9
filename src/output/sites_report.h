/* src/output/sites_report.h: the outputs of `emscov sites`: the stdout summary, sites.json (schema
 * "emscov-sites/1", docs/formats.md), sites.csv (one row per candidate, best first) and the GeoPackage layers
 * `candidate` and `selected_site`. Formatting only: every number comes from the sites result and the
 * optimisation results gathered in a sites_plan.
 * Ownership: the plan is borrowed; text outputs are new strings (free), layers new layers (layer_destroy).
 * Units: seconds and persons in the files, minutes in the summary. */
#ifndef EMSCOV_SITES_REPORT_H
#define EMSCOV_SITES_REPORT_H

#include "src/analysis/sites.h"

#include <stdio.h>

typedef struct sites_plan {
    const sites_result *r;
    const char *candidates_from;          /* how the candidates were made, for the reader */
    size_t k;                             /* 0: no optimisation */
    const opt_greedy_result *greedy;
    double sel_covered, sel_q, sel_expected; /* the greedy + swap selection: covered population, MEXCLP */
    const opt_exact_result *exact;        /* status OPT_EXACT_NOT_RUN when not tried */
    double exact_time_limit_s;
    double target_share;                  /* > 0: the LSCP figures */
    const opt_lscp_result *lscp;
    size_t top;                           /* candidates listed in the summary */
} sites_plan;

ems_status sites_report_json(emscov_ctx *ctx, const sites_plan *p, char **out);
ems_status sites_report_csv(emscov_ctx *ctx, const sites_plan *p, char **out);
ems_status sites_report_layers(emscov_ctx *ctx, const sites_plan *p, layer **candidates, layer **selected);
void sites_report_summary(FILE *f, const sites_plan *p);

#endif
