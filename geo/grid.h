/* geo/grid.h: regular raster grids read from ESRI ASCII (.asc, "AAIGrid") files: size, cell size, origin,
 * no-data value, CRS and the cell values. The reader only parses: what the values mean (people per cell,
 * say) and which values are acceptable is the caller's business.
 *
 * Format: a header of `key value` lines, keys ASCII case-insensitive, in any order: ncols, nrows,
 * xllcorner or xllcenter, yllcorner or yllcenter, cellsize (or dx and dy), optional NODATA_value; then
 * ncols x nrows numbers separated by white space, row by row from the top (north) row, west to east (a row
 * may wrap over several lines). Anything else is EMS_EINPUT with a message naming the file, line and value,
 * and so is a number beyond the range of a double (1e999 is not read as infinity) or data cells whose
 * magnitudes add up beyond it (two cells of 1.7e308: every sum over the grid would be infinite or NaN).
 * The CRS comes from o->srs when given, else from `<stem>.prj` beside the file; neither is EMS_EINPUT.
 *
 * Indexing: row 0 is the top (northernmost) row, col 0 the westernmost column. The origin is the lower-left
 * corner of the lower-left cell (a xllcenter/yllcenter header is converted). Units: the CRS's.
 * Ownership: grid_read returns a new grid owned by the caller (grid_destroy, NULL-safe); strings and the crs
 * returned by accessors are owned by the grid. Values are doubles (8 bytes per cell). */
#ifndef EMSCOV_GEO_GRID_H
#define EMSCOV_GEO_GRID_H

#include "geo/layer.h"

typedef struct grid grid;

/* Read an ESRI ASCII grid. Only o->srs is used from the options (o may be NULL). */
EMS_API ems_status grid_read(emscov_ctx *ctx, const char *path, const layer_read_opts *o, grid **out);
EMS_API void grid_destroy(grid *g);
/* For a grid of counts (people per cell, say): every cell that is not no-data must be a number from 0 to
 * max_per_cell (LIMITS_PERSONS_PER_CELL_MAX in geo/limits.h for people); otherwise EMS_EINPUT
 * "FILE: row R, column C: <what> V is out of range: need a number from 0 to MAX". */
EMS_API ems_status grid_check_counts(emscov_ctx *ctx, const grid *g, double max_per_cell, const char *what);

EMS_API size_t grid_ncols(const grid *g);
EMS_API size_t grid_nrows(const grid *g);
/* Cell width (x) and height (y), both > 0. */
EMS_API double grid_dx(const grid *g);
EMS_API double grid_dy(const grid *g);
/* Lower-left corner of the lower-left cell. */
EMS_API void grid_origin(const grid *g, double *xll, double *yll);
/* Centre of cell (row, col), row 0 at the top. */
EMS_API void grid_cell_centre(const grid *g, size_t row, size_t col, double *x, double *y);
/* Value of cell (row, col) as read (the no-data value included). */
EMS_API double grid_value(const grid *g, size_t row, size_t col);
/* All values, row-major from the top row: nrows x ncols. */
EMS_API const double *grid_values(const grid *g);
/* True when the header declares NODATA_value; *nodata (may be NULL) receives it. */
EMS_API bool grid_nodata(const grid *g, double *nodata);
/* True when cell (row, col) holds the no-data value. */
EMS_API bool grid_is_nodata(const grid *g, size_t row, size_t col);
EMS_API const crs *grid_crs(const grid *g);
EMS_API const char *grid_crs_source(const grid *g); /* ".prj" or "--srs" */
EMS_API const char *grid_path(const grid *g);

#endif
