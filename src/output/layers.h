/* src/output/layers.h: the result model of an analyze run (src/analysis/result.h) as result layers -- feature
 * tables in the working CRS for the stores (GeoPackage, PostGIS): street_summary, demand_time, service_area,
 * station, park_service_area (when the scenario has parks) and input_issue (the ledger; rows without a location
 * have no geometry). Column names and meanings: docs/formats.md. Formatting only: every value is the model's.
 * Ownership: the layers are new (result_layers_free); the result is borrowed for the call. */
#ifndef EMSCOV_LAYERS_H
#define EMSCOV_LAYERS_H

#include "src/analysis/result.h"

#define RESULT_LAYERS_MAX 8

typedef struct result_layer {
    const char *table, *description;
    layer *l;
} result_layer;

/* Fill out[] (room for RESULT_LAYERS_MAX) with the result layers; *n set. Free them with result_layers_free. */
ems_status result_layers_build(emscov_ctx *ctx, const run_result *r, result_layer *out, size_t *n);
void result_layers_free(result_layer *ls, size_t n);
/* What column `column` of result table `table` holds, with its unit (one line, for COMMENT ON COLUMN and the
 * like; the meanings of docs/formats.md); NULL for a column not described. Static text. */
const char *result_column_doc(const char *table, const char *column);

#endif
