/* geo/layer_internal.h: shared by geo/layer*.c only: the per-format readers behind layer_read. Each reads
 * the whole source into a new layer in the source CRS and ends with layer_finish_read. */
#ifndef EMSCOV_GEO_LAYER_INTERNAL_H
#define EMSCOV_GEO_LAYER_INTERNAL_H

#include "geo/layer.h"

ems_status layer__read_shp(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out);
ems_status layer__read_geojson(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out);
ems_status layer__read_csv(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out);
/* "x.gpkg" (first feature table) or "x.gpkg:TABLE" (geo/layer_gpkg.c). */
ems_status layer__read_gpkg_points(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, const char *field,
                                   layer_points *out);
ems_status layer__read_gpkg(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out);
/* layer_source_split into new strings: *file, and *name (NULL when the source names no layer). */
ems_status layer__split_source(emscov_ctx *ctx, const char *path, char **file, char **name);
/* Any vector source GDAL opens: "PATH" or "PATH:LAYER" (geo/layer_gdal.c). */
ems_status layer__read_gdal(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out);

#endif
