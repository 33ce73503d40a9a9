/* src/output/layer_info.h: what `emscov info` says of layers -- a focused ogrinfo for GIS staff. Every layer
 * is read, the working CRS is chosen for all of them together (as a run would: --working-srs, else the
 * layers' own Transverse Mercator CRS near its central meridian, else the UTM zone of their centre), and each
 * layer is described once as a JSON object (format, geometry type, counts, CRS and where it came from,
 * encoding and how it was detected, extent in the source and working CRS, fields with types and sample
 * values, every repair or skip); the text is rendered from that same object, so --json and text cannot
 * disagree. Ownership: layer_info_build returns a new json-c object owned by the caller (json_object_put).
 * Not thread-safe (json-c's double format is set per thread). */
#ifndef EMSCOV_LAYER_INFO_H
#define EMSCOV_LAYER_INFO_H

#include "geo/ctx.h"
#include "geo/layer.h"

#include <stdio.h>

struct json_object; /* json-c's */

/* Read the n layers at paths with opts, choose the working CRS (working_srs: a CRS text, or NULL to choose;
 * it must be projected in metres and is warned about when far from the data) and describe each with up to
 * samples values per field: {"working_crs": {...} or null, "layers": [...]}. EMS_EINPUT names the file or the
 * option. */
ems_status layer_info_build(emscov_ctx *ctx, char *const *paths, size_t n, const layer_read_opts *opts,
                            const char *working_srs, int samples, struct json_object **out);

/* The description as text, as `emscov info` prints it. */
void layer_info_print(FILE *f, struct json_object *info);

#endif
