/* geo/raster_union.h: the union of buffers around many line segments, computed on a raster and traced back
 * into exact orthogonal polygons (GEOS geometries). A cell is in when its centre lies within the buffer
 * distance of any segment; the in-cells are then traced into rings along cell edges (shells counter-clockwise,
 * holes clockwise, 4-connected), holes are given to the smallest shell around them, and the result is a valid
 * (Multi)Polygon. Used for service areas at city scale, where a GEOS union of a million round buffers takes
 * minutes. Boundary error versus the true buffer union: at most half a cell diagonal.
 * Ownership: raster_union_create returns a new object owned by the caller (raster_union_destroy, NULL-safe);
 * raster_union_polygon returns a new geometry owned by the caller. Units: the CRS's (metres). */
#ifndef EMSCOV_GEO_RASTER_UNION_H
#define EMSCOV_GEO_RASTER_UNION_H

#include "geo/ctx.h"

typedef struct raster_union raster_union;

/* A grid covering box [xmin, ymin, xmax, ymax] grown by the buffer distance. Refuses grids over max_cells
 * (EMS_EINPUT naming the size) rather than exhausting memory. */
EMS_API ems_status raster_union_create(emscov_ctx *ctx, const double box[4], double buffer_m, double cell_m,
                                       size_t max_cells, raster_union **out);
EMS_API void raster_union_destroy(raster_union *r);
/* Mark the cells within the buffer distance of segment (ax, ay)-(bx, by). */
EMS_API void raster_union_add_segment(raster_union *r, double ax, double ay, double bx, double by);
/* Trace the marked cells into a (Multi)Polygon (an empty polygon when nothing is marked). With
 * exclude_frozen, cells marked before the last raster_union_freeze are left out (rings between bands). */
EMS_API ems_status raster_union_polygon(emscov_ctx *ctx, raster_union *r, bool exclude_frozen, GEOSGeometry **out);
/* Remember the cells marked so far as "frozen" (they stay marked). */
EMS_API void raster_union_freeze(raster_union *r);
/* Number of marked cells (area = count x cell^2). */
EMS_API size_t raster_union_marked(const raster_union *r);

#endif
