/* geo/grid.h: regular raster grids: ESRI ASCII (.asc, "AAIGrid") files read by our own parser, and every
 * other raster format GDAL reads (GeoTIFF and the rest): size, cell size, origin, no-data value, CRS and the
 * cell values. The reader only parses: what the values mean (people per cell, say) and which values are
 * acceptable is the caller's business.
 *
 * ESRI ASCII: a header of `key value` lines, keys ASCII case-insensitive, in any order: ncols, nrows,
 * xllcorner or xllcenter, yllcorner or yllcenter, cellsize (or dx and dy), optional NODATA_value; then
 * ncols x nrows numbers separated by white space, row by row from the top (north) row, west to east (a row
 * may wrap over several lines). Anything else is EMS_EINPUT with a message naming the file, line and value,
 * and so is a number beyond the range of a double (1e999 is not read as infinity) or data cells whose
 * magnitudes add up beyond it (two cells of 1.7e308: every sum over the grid would be infinite or NaN).
 * The CRS comes from o->srs when given, else from `<stem>.prj` beside the file; neither is EMS_EINPUT.
 *
 * Any other extension (or o->format "gdal"): band 1 through GDAL (others are ignored, with a warning). Values
 * are the band's scaled values (raw x scale + offset, as the file declares); a cell GDAL masks (the band's
 * no-data value, NaN, a per-dataset mask or alpha band) holds the no-data value (NaN when the band declares
 * none, and grid_nodata is then true with NaN). The grid must be aligned with the axes (no rotation); a
 * south-up file is flipped. CRS: o->srs, else the file's own, else `<stem>.prj`. Anything GDAL refuses (a
 * truncated or corrupt file) is EMS_EINPUT with GDAL's message. GDAL's warnings go to the ctx's warnings.
 *
 * Indexing: row 0 is the top (northernmost) row, col 0 the westernmost column. The origin is the lower-left
 * corner of the lower-left cell (a xllcenter/yllcenter header is converted). Units: the CRS's.
 * Ownership: grid_read returns a new grid owned by the caller (grid_destroy, NULL-safe); strings and the crs
 * returned by accessors are owned by the grid. Values are doubles (8 bytes per cell). Thread-safety: one
 * grid_read per ctx at a time; reads on other threads with their own ctx may run at once. */
#ifndef EMSCOV_GEO_GRID_H
#define EMSCOV_GEO_GRID_H

#include "geo/layer.h"

typedef struct grid grid;

/* Read a grid (ESRI ASCII for .asc, else GDAL). Only o->srs and o->format ("gdal": GDAL even for .asc) are
 * used from the options (o may be NULL). */
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
/* True when the header declares NODATA_value (GDAL: a no-data value or a mask); *nodata (may be NULL) receives
 * it (NaN for a GDAL mask without a no-data value). */
EMS_API bool grid_nodata(const grid *g, double *nodata);
/* True when cell (row, col) holds the no-data value (NaN matching a NaN no-data value). */
EMS_API bool grid_is_nodata(const grid *g, size_t row, size_t col);
EMS_API const crs *grid_crs(const grid *g);
EMS_API const char *grid_crs_source(const grid *g); /* ".prj", "--srs" or "<format>, GDAL" */
EMS_API const char *grid_path(const grid *g);
/* "ESRI ASCII" (our reader), else GDAL's driver name: "GeoTIFF", "Arc/Info ASCII Grid", ... */
EMS_API const char *grid_format(const grid *g);

#endif
