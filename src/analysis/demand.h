/* src/analysis/demand.h: population as demand points: weighted points in the working CRS, each assigned to
 * the sub-district (街道) that holds it, built from a population grid, from points with counts, or from
 * polygons with counts (areal weighting, or dasymetric onto residential land or building footprints).
 *
 * Conservation: input_total is the sum of the source counts; allocated_total is the sum of pop[] and equals
 * input_total to rounding (both are compensated sums); outside_total is the part of it in no sub-district.
 * Cells, features or pieces with a count of 0 make no point; features with a count of 0 or without one are
 * listed in `skipped` (the run's ledger names them).
 *
 * Point-in-sub-district rule (grid cells and count points): a point belongs to the sub-district polygon that
 * covers it (interior or boundary, GEOS covers); on a boundary shared by several, or where sub-districts
 * overlap, to the one with the lowest feature index in the streets layer, so no person is counted twice.
 * A point covered by none is outside (street = DEMAND_NONE).
 * Polygons: a census polygon (or each of its pieces on the target polygons, when dasymetric) is cut by the
 * sub-districts in ascending feature index: piece k = what is left of the polygon inside sub-district k, and
 * what is left after the last is the outside piece, so overlapping sub-districts never share a piece. Each
 * piece gets the population in proportion to its area and becomes one point at GEOSPointOnSurface of the
 * piece, assigned to the sub-district it was cut from (the point lies inside it). Pieces smaller than 1e-9 of
 * the polygon's area (numerical slivers) are dropped before the shares are computed.
 *
 * Inputs are borrowed and must already be in the working CRS (the streets layer too); a layer in another CRS
 * is EMS_EINTERNAL. Bad counts are EMS_EINPUT naming file, record (or grid row and column) and field.
 * Ownership: builders return a new demand_set owned by the caller (demand_set_destroy, NULL-safe).
 * Units: persons; coordinates in the working CRS. */
#ifndef EMSCOV_DEMAND_H
#define EMSCOV_DEMAND_H

#include "geo/grid.h"
#include "geo/layer.h"

#define DEMAND_NONE UINT32_MAX

/* A source feature that made no demand point although it has a geometry: its count is 0, or missing. */
typedef enum { DEMAND_SKIP_ZERO, DEMAND_SKIP_NULL } demand_skip;
typedef struct demand_skipped {
    int64_t record;
    demand_skip why;
} demand_skipped;

typedef struct demand_set {
    size_t n;           /* points */
    double *x, *y;      /* working CRS */
    double *pop;        /* persons, > 0 */
    uint32_t *street;   /* index of the sub-district feature in the streets layer, DEMAND_NONE outside all */
    int64_t *record;    /* source: grid cell number row x ncols + col + 1 (row 0 = top); else layer_record */
    size_t nstreets;    /* features in the streets layer (0 without one) */
    double input_total; /* sum of the source counts */
    double allocated_total; /* sum of pop[] */
    double outside_total;   /* sum of pop[] where street == DEMAND_NONE */
    size_t fallbacks;       /* dasymetric: census polygons with no target area, spread by area instead */
    double weight_total;    /* demand_scale_to: the sum of the weights before scaling (0: not scaled) */
    demand_skipped *skipped; /* features with a zero or missing count, in source order (not grid cells) */
    size_t nskipped;
    size_t cells, cells_nodata, cells_zero; /* grid: all cells, no-data cells, cells with a count of 0 */
} demand_set;

/* Each grid cell with a count > 0 becomes a point at the cell centre, transformed from the grid's CRS into
 * `working`. No-data cells are skipped; a negative or non-finite count is EMS_EINPUT (file, row, column,
 * 1-based from the top-left cell). streets may be NULL (every point outside). */
ems_status demand_from_grid(emscov_ctx *ctx, const grid *g, const crs *working, const layer *streets,
                            demand_set **out);

/* One point per point feature with its count_field value (count_field NULL: every point counts 1, e.g. calls) (a numeric field, or text holding numbers), times
 * max(levels, 1) when levels_field is given (a null level counts as 1), e.g. building footprint area x floors.
 * A null count is 0 (one warning names how many); text that is not a number, a negative or non-finite count,
 * or a geometry that is not a single point is EMS_EINPUT naming record and field; so is a missing field. */
ems_status demand_from_points(emscov_ctx *ctx, const layer *pts, const char *count_field, const char *levels_field,
                              const layer *streets, demand_set **out);

/* Polygons with counts. target NULL: areal weighting (each polygon cut by the sub-districts, see above).
 * target given: dasymetric: each polygon's count is split over its intersections with the target polygons
 * (residential land, building footprints) by weight = intersected area, times max(levels, 1) when
 * levels_field is given (a null or missing level counts as 1), and each intersection is then cut by the
 * sub-districts by area. A polygon that meets no target area falls back to areal weighting; such polygons are
 * counted in fallbacks and named in one warning. Counts are checked as in demand_from_points. */
ems_status demand_from_polygons(emscov_ctx *ctx, const layer *polys, const char *count_field,
                                const layer *streets, const layer *target, const char *levels_field,
                                demand_set **out);

/* The count a skipped record of pts (layer_skipped_*: NULL or empty geometry) carried: its count_field value
 * times max(levels, 1) as in demand_from_points (levels_field NULL: 1); 0 when the count is missing. Text that
 * is not a number, a negative or non-finite count is EMS_EINPUT naming record and field. */
ems_status demand_skipped_count(emscov_ctx *ctx, const layer *pts, const char *count_field, const char *levels_field,
                                size_t k, double *count);

/* The counts were weights: spread a known total over them in proportion (pop[i] *= total / input_total).
 * Afterwards input_total = total, weight_total = the former input_total, allocated and outside recomputed.
 * EMS_EINPUT when total is not > 0 or the weights sum to 0. */
ems_status demand_scale_to(emscov_ctx *ctx, demand_set *d, double total);

void demand_set_destroy(demand_set *d);

/* Population per sub-district: pop[k] = sum of pop[] over the points with street k, for k < d->nstreets
 * (the caller's array holds d->nstreets values; it is overwritten). */
void demand_street_pop(const demand_set *d, double *pop);

#endif
