/* src/analysis/gaps.c: see gaps.h. */
#include "src/analysis/gaps.h"

#include "geo/index.h"

#include <stdlib.h>

ems_status gaps_compute(emscov_ctx *ctx, const layer *streets, const layer *stations, double min_stations,
                        gaps_result **out)
{
    *out = NULL;
    GEOSContextHandle_t h = emscov_geos(ctx);
    if (!crs_equivalent(layer_crs(streets), layer_crs(stations)))
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: sub-districts and stations in different CRS", __func__);
    gaps_result *g = ems_calloc(ctx, 1, sizeof *g);
    if (!g)
        return EMS_ENOMEM;
    g->nunits = layer_count(streets);
    g->nstations = layer_count(stations);
    g->station_unit = ems_malloc(ctx, (g->nstations ? g->nstations : 1) * sizeof *g->station_unit);
    g->on_boundary = ems_calloc(ctx, g->nstations ? g->nstations : 1, sizeof *g->on_boundary);
    g->count = ems_calloc(ctx, g->nunits ? g->nunits : 1, sizeof *g->count);
    g->area_m2 = ems_calloc(ctx, g->nunits ? g->nunits : 1, sizeof *g->area_m2);
    layer_index *ix = NULL;
    ems_status st = g->station_unit && g->on_boundary && g->count && g->area_m2 ? index_build(ctx, streets, &ix)
                                                                                : EMS_ENOMEM;
    for (size_t s = 0; st == EMS_OK && s < g->nstations; s++) {
        const GEOSGeometry *p = layer_geom(stations, s);
        double x, y;
        if (GEOSGeomTypeId_r(h, p) != GEOS_POINT || !GEOSGeomGetX_r(h, p, &x) || !GEOSGeomGetY_r(h, p, &y)) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: a station must be a point", layer_path(stations),
                             (long long)layer_record(stations, s));
            break;
        }
        size_t hits[4], n = 0;
        if ((st = index_covering(ctx, ix, x, y, hits, 4, &n)) != EMS_OK)
            break;
        g->station_unit[s] = n ? (uint32_t)hits[0] : GAPS_NONE;
        g->on_boundary[s] = n > 1;
        if (n)
            g->count[hits[0]]++;
        else
            g->outside++;
    }
    for (size_t u = 0; st == EMS_OK && u < g->nunits; u++) {
        GEOSArea_r(h, layer_geom(streets, u), &g->area_m2[u]);
        g->ngaps += g->count[u] < min_stations;
    }
    index_destroy(ix);
    if (st != EMS_OK) {
        gaps_destroy(g);
        return st;
    }
    *out = g;
    return EMS_OK;
}

void gaps_destroy(gaps_result *g)
{
    if (!g)
        return;
    free(g->station_unit);
    free(g->on_boundary);
    free(g->count);
    free(g->area_m2);
    free(g);
}
