/* geo/crs.h: coordinate reference systems: parsing (.prj ESRI WKT, WKT2, EPSG codes, PROJ strings),
 * identification (name + EPSG code when PROJ can identify it), the working CRS choice (UTM zone of the data
 * unless the scenario names an EPSG), transforms of coordinates and GEOS geometries, and the GCJ-02 / BD-09
 * "Mars coordinate" conversions to WGS84 used by Chinese map apps.
 *
 * Axis order is always x = easting/longitude, y = northing/latitude (proj_normalize_for_visualization).
 * Ownership: every crs / crs_transformer returned is new and owned by the caller (crs_destroy,
 * crs_transformer_destroy, both NULL-safe). Objects are bound to the ctx that made them: use them with that
 * ctx only. */
#ifndef EMSCOV_GEO_CRS_H
#define EMSCOV_GEO_CRS_H

#include "geo/ctx.h"

typedef struct crs crs;
typedef struct crs_transformer crs_transformer;

/* From user text: "EPSG:4548", "4548", WKT (1 or 2, ESRI flavour included) or a PROJ string. */
EMS_API ems_status crs_from_string(emscov_ctx *ctx, const char *text, crs **out);
/* From a .prj file; the message names the file when it cannot be read or parsed. */
EMS_API ems_status crs_from_prj(emscov_ctx *ctx, const char *path, crs **out);
EMS_API ems_status crs_from_epsg(emscov_ctx *ctx, int code, crs **out);
EMS_API ems_status crs_clone(emscov_ctx *ctx, const crs *c, crs **out);
EMS_API void crs_destroy(crs *c);

/* Human name, e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 117E". */
EMS_API const char *crs_name(const crs *c);
/* EPSG code when the CRS is, or is identified as, an EPSG CRS with full confidence; 0 otherwise. */
EMS_API int crs_epsg(const crs *c);
EMS_API bool crs_is_geographic(const crs *c);
/* Projected with metre units (usable as a working CRS). */
EMS_API bool crs_is_projected_metric(const crs *c);
/* Central meridian in degrees of a CRS projected in metres with a Transverse Mercator conversion (UTM and
 * Gauss-Kruger zones: conformal, true to scale within about 1e-3 up to 3.5 degrees from it), NaN otherwise. */
EMS_API double crs_tm_central_meridian(const crs *c);
/* True when both describe the same CRS (equivalent definitions compare equal). */
EMS_API bool crs_equivalent(const crs *a, const crs *b);
/* WKT2:2019 text of the CRS (owned by c). */
EMS_API const char *crs_wkt(const crs *c);

/* Whether working suits data whose lon/lat extent is lonlat [lon_min, lat_min, lon_max, lat_max] (degrees,
 * WGS 84): *warning becomes a new one-line text (caller frees) when the data's centre is more than
 * CRS_NEAR_DEG_MAX degrees of longitude from working's Transverse Mercator central meridian, or lies outside
 * working's area of use (from PROJ's database; a CRS without one is not judged by it); NULL when it suits.
 * Meant for a working CRS the user named (working_epsg, --working-srs): one far from the data shifts and
 * stretches every distance, time and area. EMS_ENOMEM only. */
#define CRS_NEAR_DEG_MAX 6.0
EMS_API ems_status crs_check_near(emscov_ctx *ctx, const crs *working, const double lonlat[4], char **warning);

/* The working CRS: WGS 84 / UTM zone (EPSG:326zz north, 327zz south) holding lon/lat. */
EMS_API ems_status crs_utm_for(emscov_ctx *ctx, double lon, double lat, crs **out);

EMS_API ems_status crs_transformer_create(emscov_ctx *ctx, const crs *from, const crs *to,
                                          crs_transformer **out);
EMS_API void crs_transformer_destroy(crs_transformer *t);
/* True when PROJ had to fall back to a "ballpark" operation (no datum shift: latitudes and longitudes are
 * carried over unchanged between the two datums) and the datums sit on different ellipsoids, e.g. Xian 1980,
 * Beijing 1954 or NAD27 to WGS 84 with no transformation available offline: positions are then off by tens
 * to 100+ metres. Ballparks between datums on GRS80/WGS84-sized ellipsoids (CGCS2000, NAD83, ETRS89 vs
 * WGS 84: centimetres to ~2 m) are not reported. When PROJ holds several candidate operations it chooses one
 * per point, so ask after transforming data: the answer is for the operation used on the last point. */
EMS_API bool crs_transformer_is_ballpark(const crs_transformer *t);
/* Transform n points in place (x[i], y[i]). EMS_EINPUT when a point cannot be transformed (message gives
 * its index and coordinates). */
EMS_API ems_status crs_transform_xy(emscov_ctx *ctx, crs_transformer *t, double *x, double *y, size_t n);
/* New geometry transformed from g (g borrowed). */
EMS_API ems_status crs_transform_geom(emscov_ctx *ctx, crs_transformer *t, const GEOSGeometry *g,
                                      GEOSGeometry **out);

/* GCJ-02 -> WGS84 by fixed-point iteration of the forward offset (residual < 1e-7 degrees, ~1 cm; the
 * forward model itself is the published approximation, documented accuracy ~1-2 m). Points outside
 * mainland China are returned unchanged (GCJ-02 is WGS84 there). */
EMS_API void crs_gcj02_to_wgs84(double *lon, double *lat);
EMS_API void crs_wgs84_to_gcj02(double *lon, double *lat);
/* BD-09 (Baidu) -> GCJ-02; combine with crs_gcj02_to_wgs84 for BD-09 -> WGS84. */
EMS_API void crs_bd09_to_gcj02(double *lon, double *lat);
EMS_API void crs_gcj02_to_bd09(double *lon, double *lat);

#endif
