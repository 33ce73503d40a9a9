/* geo/index.h: spatial index over a layer's features (GEOS STRtree of envelopes) with prepared geometries for
 * point-in-polygon and nearest-feature queries.
 *
 * The index borrows the layer: the layer must outlive it and not change while it exists. Prepared geometries
 * are made lazily on first use. Ownership: index_build returns a new index owned by the caller
 * (index_destroy, NULL-safe). Coordinates are in the layer's CRS. Not thread-safe (GEOS builds the tree on
 * first query). */
#ifndef EMSCOV_GEO_INDEX_H
#define EMSCOV_GEO_INDEX_H

#include "geo/layer.h"

typedef struct layer_index layer_index;

/* Called once per candidate feature i; return false to stop the query. */
typedef bool (*index_visit_fn)(size_t i, void *user);

EMS_API ems_status index_build(emscov_ctx *ctx, const layer *l, layer_index **out);
EMS_API void index_destroy(layer_index *ix);

/* Features whose envelope intersects [xmin, ymin, xmax, ymax] (a superset of those intersecting the box). */
EMS_API ems_status index_query_box(emscov_ctx *ctx, layer_index *ix, const double box[4], index_visit_fn fn,
                                   void *user);
/* Polygon features that cover (x, y): boundary points count for every polygon they touch (GEOS covers).
 * Writes up to cap feature indexes in ascending order and sets *n to the number found (may exceed cap). */
EMS_API ems_status index_covering(emscov_ctx *ctx, layer_index *ix, double x, double y, size_t *hits, size_t cap,
                                  size_t *n);
/* Nearest feature to (x, y) and its distance; EMS_EINPUT when the layer is empty. */
EMS_API ems_status index_nearest(emscov_ctx *ctx, layer_index *ix, double x, double y, size_t *i, double *dist);

#endif
