/* src/output/sites_report.h: the outputs of `emscov sites`: the stdout summary, sites.json (schema
 * "emscov-sites/2", docs/formats.md), sites.csv (one row per candidate, best first) and the GeoPackage layers
 * `candidate` and `selected_site`. Rendering only: every number and verdict comes from the sites plan
 * (src/analysis/sites_plan.h).
 * Ownership: the plan is borrowed; text outputs are new strings (free), layers new layers (layer_destroy).
 * Units: seconds and persons in the files, minutes in the summary. */
#ifndef EMSCOV_SITES_REPORT_H
#define EMSCOV_SITES_REPORT_H

#include "src/analysis/sites_plan.h"
#include "src/output/csv.h"

#include <stdio.h>


ems_status sites_report_json(emscov_ctx *ctx, const sites_plan *p, char **out);
/* style: BOM and header row (src/output/csv.h); NULL: keys, no BOM. */
ems_status sites_report_csv(emscov_ctx *ctx, const sites_plan *p, const csv_style *style, char **out);
ems_status sites_report_layers(emscov_ctx *ctx, const sites_plan *p, layer **candidates, layer **selected);
/* top: candidates listed in the what-if table. */
void sites_report_summary(FILE *f, const sites_plan *p, size_t top);

#endif
