/* src/output/layers.h: an analysis as result layers (feature tables in the working CRS) for the stores
 * (GeoPackage, PostGIS): street_summary, demand_time, service_area, park_service_area, station. Formatting
 * only: every value comes from the analysis. Ownership: each call returns a new layer (layer_destroy). */
#ifndef EMSCOV_LAYERS_H
#define EMSCOV_LAYERS_H

#include "src/analysis/analyze.h"

typedef struct result_layer {
    const char *table, *description;
    layer *l;
} result_layer;

/* Fill out[] (room for 5) with the result layers; *n set. Free them with result_layers_free. */
ems_status result_layers_build(emscov_ctx *ctx, const analysis *a, result_layer *out, size_t *n);
void result_layers_free(result_layer *ls, size_t n);

#endif
