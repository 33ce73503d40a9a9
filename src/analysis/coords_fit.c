/* src/analysis/coords_fit.c: median distance to the roads as read and as GCJ-02 (see coords_fit.h). */
#include "src/analysis/coords_fit.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Roads this far away count as "none within reach": a point so far from every road says nothing. */
#define REACH_M 5000.0

ems_status coords_fit_gcj02(emscov_ctx *ctx, const crs *working, const snap_index *snap, const double *x,
                            const double *y, size_t n, coords_fit *out)
{
    *out = (coords_fit){0, NAN, NAN, false};
    size_t m = n < COORDS_FIT_MAX_POINTS ? n : COORDS_FIT_MAX_POINTS;
    if (m == 0)
        return EMS_OK;
    crs *wgs = NULL;
    crs_transformer *to_ll = NULL, *from_ll = NULL;
    double *d_read = ems_malloc(ctx, m * sizeof *d_read), *d_gcj = ems_malloc(ctx, m * sizeof *d_gcj);
    ems_status st = d_read && d_gcj ? EMS_OK : EMS_ENOMEM;
    if (st == EMS_OK)
        st = crs_from_epsg(ctx, 4326, &wgs);
    if (st == EMS_OK)
        st = crs_transformer_create(ctx, working, wgs, &to_ll);
    if (st == EMS_OK)
        st = crs_transformer_create(ctx, wgs, working, &from_ll);
    size_t k = 0;
    for (size_t j = 0; st == EMS_OK && j < m; j++) {
        size_t i = m == n ? j : (size_t)((double)j * (double)n / (double)m); /* an even sample */
        double lon = x[i], lat = y[i];
        if ((st = crs_transform_xy(ctx, to_ll, &lon, &lat, 1)) != EMS_OK)
            break;
        double clon = lon, clat = lat;
        crs_gcj02_to_wgs84(&clon, &clat);
        if (clon == lon && clat == lat)
            continue; /* outside mainland China: GCJ-02 is WGS 84 there */
        if ((st = crs_transform_xy(ctx, from_ll, &clon, &clat, 1)) != EMS_OK)
            break;
        snap_pos a, b;
        snap_point(snap, x[i], y[i], REACH_M, &a);
        snap_point(snap, clon, clat, REACH_M, &b);
        if (!(a.dist_m <= REACH_M) || !(b.dist_m <= REACH_M))
            continue;
        d_read[k] = a.dist_m;
        d_gcj[k++] = b.dist_m;
    }
    if (st == EMS_OK && k > 0) {
        out->n = k;
        out->median_read_m = median(d_read, k);
        out->median_gcj02_m = median(d_gcj, k);
        out->suggests_gcj02 = k >= COORDS_FIT_MIN_POINTS &&
                              out->median_gcj02_m <= COORDS_FIT_RATIO * out->median_read_m &&
                              out->median_read_m - out->median_gcj02_m >= COORDS_FIT_MIN_GAIN_M;
    }
    crs_transformer_destroy(to_ll);
    crs_transformer_destroy(from_ll);
    crs_destroy(wgs);
    free(d_read);
    free(d_gcj);
    return st;
}
