/* src/output/layers.h: the result model of an analyze run (src/analysis/result.h) as result layers -- feature
 * tables in the working CRS for the stores (GeoPackage, PostGIS): street_summary, demand_time, service_area,
 * station, park_service_area (when the scenario has parks) and input_issue (the ledger; rows without a
 * location have no geometry). Column names and meanings: docs/formats.md. Formatting only: every value is the
 * model's. Ownership: the layers are new (result_layers_free); the result is borrowed for the call, and by
 * demand_time's point rows until they are freed. */
#ifndef EMSCOV_LAYERS_H
#define EMSCOV_LAYERS_H

#include "src/analysis/result.h"

#define RESULT_LAYERS_MAX 8

/* A point table given as arrays rather than as features (a city's demand points: no GEOS point and no copied
 * value per row). Row i is the point (x[i], y[i]) in the schema layer's CRS, record i + 1, with the schema's
 * field values written by values(user, i, out) (out: one value per schema field; strings stay the caller's,
 * valid as long as the result layer). The stores write it exactly as they write a layer of those rows. */
typedef struct result_points {
    size_t n;
    const double *x, *y;
    void (*values)(const void *user, size_t i, layer_value *out);
    const void *user;
} result_points;

/* A result table: the layer's features; or, with pts, the rows of pts and the layer for its schema only
 * (fields, CRS and geometry type -- layer_allow_null_geometry -- and no features). */
typedef struct result_layer {
    const char *table, *description;
    layer *l;
    result_points *pts;
} result_layer;

/* Rows of a result table: pts->n, or the layer's features. */
size_t result_layer_rows(const result_layer *rl);

/* Fill out[] (room for RESULT_LAYERS_MAX) with the result layers; *n set. Free them with result_layers_free.
 * demand_time is a point table (pts) borrowing the result's arrays: keep r until the layers are freed. */
ems_status result_layers_build(emscov_ctx *ctx, const run_result *r, result_layer *out, size_t *n);
/* As result_layers_build, only the tables named in only[0, nonly) (in the same order as all of them; NULL: all);
 * e.g. the tables that do not need the service areas, written while those are computed. */
ems_status result_layers_build_only(emscov_ctx *ctx, const run_result *r, const char *const *only, size_t nonly,
                                    result_layer *out, size_t *n);
void result_layers_free(result_layer *ls, size_t n);
/* What column `column` of result table `table` holds, with its unit (one line, for COMMENT ON COLUMN and the
 * like; the meanings of docs/formats.md); NULL for a column not described. Static text. */
const char *result_column_doc(const char *table, const char *column);

#endif
