/* geo/isochrone.h: service-area polygons (isochrones) from a route result: for each time band, the parts of
 * the road network reached within the band's time, buffered by a width and unioned with GEOS -- as disks
 * (everything reached within t) or rings (reached within t but not within the previous band), optionally
 * split by the nearest station.
 *
 * Reached parts are exact along links: a link that a route may start along from one end at time tA
 * (route_link_entry_time: turn restrictions and restricted areas can make that later than the end node's own
 * time) with speed-time TF along the link is reached up to fraction (t - tA) / TF from that end (respecting
 * one-way), and a station on a link reaches both ways from its position. With by_station, each part of a link belongs to the station that reaches it
 * first. Polygons are always valid (holes where nothing is reached). The buffer stands for the frontage a road
 * serves; it is a parameter (see docs/method.md for the default). Two ways to union the buffered parts: exact
 * (GEOS) or on a raster (cell_m), see isochrone_opts.
 * Ownership: isochrone_build returns a new set owned by the caller (isochrone_set_destroy, NULL-safe), which
 * owns its geometries. Units: seconds, metres. */
#ifndef EMSCOV_GEO_ISOCHRONE_H
#define EMSCOV_GEO_ISOCHRONE_H

#include "geo/route.h"

typedef struct isochrone_opts {
    const double *bands_s; /* increasing upper bounds, e.g. 240, 480, 720 */
    size_t nbands;
    double buffer_m;       /* > 0 */
    bool rings;            /* true: band b = reached in (bands[b-1], bands[b]]; false: [0, bands[b]] */
    bool by_station;       /* one polygon per (band, nearest station) */
    int quadrant_segments; /* buffer roundness (exact mode); 0 = 4 */
    double cell_m;         /* 0: exact vector union (GEOS buffer per part + cascaded union), fine for up to a few
                            * thousand links; > 0: raster union on a grid of this cell size (a cell is in when
                            * its centre is within buffer_m of a reached part), traced into exact orthogonal
                            * polygons: boundary error <= cell_m / sqrt(2), orders of magnitude faster */
} isochrone_opts;

typedef struct isochrone_area {
    size_t band;           /* index into bands_s */
    uint32_t source;       /* route source index, or ROUTE_NONE when not split by station */
    GEOSGeometry *geom;    /* (Multi)Polygon, owned by the set; may be empty */
    double area_m2;
} isochrone_area;

typedef struct isochrone_set isochrone_set;

EMS_API ems_status isochrone_build(emscov_ctx *ctx, const network *net, const route_result *r,
                                   const isochrone_opts *opts, isochrone_set **out);
EMS_API void isochrone_set_destroy(isochrone_set *s);
EMS_API size_t isochrone_count(const isochrone_set *s);
EMS_API const isochrone_area *isochrone_at(const isochrone_set *s, size_t i);

/* The part of a link between fractions lo <= hi as a new LineString (NULL on failure; a point-like part
 * gives a 2-point line of zero length). */
EMS_API GEOSGeometry *isochrone_link_part(emscov_ctx *ctx, const network *net, uint32_t link, double lo,
                                          double hi);

#endif
