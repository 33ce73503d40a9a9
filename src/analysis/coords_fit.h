/* src/analysis/coords_fit.h: does a lon/lat point layer fit the road network markedly better read as GCJ-02?
 * Coordinates copied from a Chinese web map (高德, 腾讯: GCJ-02) are shifted by a few hundred metres from
 * WGS 84; read as WGS 84 they land beside the roads. For points given in the working CRS (moved there from a
 * lon/lat source read as WGS 84), the median distance to the nearest road is measured twice: as read, and
 * after taking the source lon/lat as GCJ-02 and converting it to WGS 84 (geo/crs.h crs_gcj02_to_wgs84).
 * The layer "fits markedly better as GCJ-02" when at least COORDS_FIT_MIN_POINTS points lie inside mainland
 * China and the corrected median is at most COORDS_FIT_RATIO of the median as read and at least
 * COORDS_FIT_MIN_GAIN_M metres smaller (docs/method.md: why these numbers).
 * Ownership: nothing is kept; inputs are borrowed. Units: metres. One call per ctx at a time. */
#ifndef EMSCOV_COORDS_FIT_H
#define EMSCOV_COORDS_FIT_H

#include "geo/crs.h"
#include "geo/snap.h"

#define COORDS_FIT_MIN_POINTS 3
#define COORDS_FIT_RATIO 0.5
#define COORDS_FIT_MIN_GAIN_M 5.0
#define COORDS_FIT_MAX_POINTS 2000 /* larger layers: an even sample of this many points */

typedef struct coords_fit {
    size_t n;                /* points compared (inside mainland China, a road within reach both ways) */
    double median_read_m;    /* median distance to the nearest road, as read; NAN when n = 0 */
    double median_gcj02_m;   /* the same with the source taken as GCJ-02 */
    bool suggests_gcj02;     /* the rule above */
} coords_fit;

/* x, y: n points in `working`; snap: the road network's index in the same CRS. */
ems_status coords_fit_gcj02(emscov_ctx *ctx, const crs *working, const snap_index *snap, const double *x,
                            const double *y, size_t n, coords_fit *out);

#endif
