/* src/analysis/times.c: nearest and second-nearest station per point by response time (see times.h). */
#include "src/analysis/times.h"

#include "geo/layer.h"
#include "geo/limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double times_access_s(double dist_m, double access_kmh)
{
    return access_kmh > 0 ? dist_m / (access_kmh / 3.6) : 0;
}

double times_station_delay_s(double turnout_s, double activation_s, double snap_dist_m, double access_kmh)
{
    return turnout_s + activation_s + times_access_s(snap_dist_m, access_kmh);
}

void times_inputs_fini(times_inputs *in)
{
    if (!in)
        return;
    layer_destroy(in->stations);
    layer_destroy(in->points);
    crs_destroy(in->working);
    speed_profile_destroy(in->speed);
    network_destroy(in->roads);
    *in = (times_inputs){0};
}

ems_status times_inputs_load(emscov_ctx *ctx, const times_sources *src, const times_params *p, times_inputs *in)
{
    *in = (times_inputs){0};
    ems_status st;
    if ((st = layer_read(ctx, src->stations, &src->read, &in->stations)) != EMS_OK ||
        (st = layer_read(ctx, src->points, &src->read, &in->points)) != EMS_OK)
        goto done;
    if (src->working_srs) {
        char given[200];
        snprintf(given, sizeof given, "--working-srs %s", src->working_srs);
        layer *both[2] = {in->stations, in->points};
        if ((st = crs_from_string(ctx, src->working_srs, &in->working)) == EMS_OK && !crs_is_projected_metric(in->working))
            st = emscov_fail(ctx, EMS_EINPUT, "%s: %s is not a projected CRS in metres", given, crs_name(in->working));
        if (st == EMS_OK)
            st = layer_warn_far_crs(ctx, both, 2, in->working, given);
    } else {
        layer *both[2] = {in->stations, in->points};
        st = layer_choose_working_crs(ctx, both, 2, &in->working);
    }
    if (st != EMS_OK || (st = layer_transform(ctx, in->stations, in->working)) != EMS_OK ||
        (st = layer_transform(ctx, in->points, in->working)) != EMS_OK)
        goto done;
    if (p->station_id_field && layer_field_index(in->stations, p->station_id_field) < 0) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no field \"%s\" (--station-id)", src->stations, p->station_id_field);
        goto done;
    }
    if (p->turnout_field && layer_field_index(in->stations, p->turnout_field) < 0) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no field \"%s\" (--turnout-field)", src->stations, p->turnout_field);
        goto done;
    }
    st = roads_load(ctx, src->roads, &src->read, &src->road, in->working, &in->speed, &in->roads);
done:
    if (st != EMS_OK)
        times_inputs_fini(in);
    return st;
}

void times_result_destroy(times_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->station_ids && i < r->nstations; i++)
        free(r->station_ids[i]);
    free(r->station_ids);
    free(r->points);
    free(r);
}

/* Snap every point of l; EMS_EINPUT for a geometry that is not a point. ok[i] false: beyond max_snap_m. */
static ems_status snap_layer(emscov_ctx *ctx, const layer *l, const snap_index *ix, double max_snap_m,
                             snap_pos **pos, bool **ok)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t n = layer_count(l);
    *pos = ems_calloc(ctx, n ? n : 1, sizeof **pos);
    *ok = ems_calloc(ctx, n ? n : 1, sizeof **ok);
    if (!*pos || !*ok)
        return EMS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = layer_geom(l, i);
        if (GEOSGeomTypeId_r(h, g) != GEOS_POINT)
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: expected a point", layer_path(l),
                               (long long)layer_record(l, i));
        double x, y;
        GEOSGeomGetX_r(h, g, &x);
        GEOSGeomGetY_r(h, g, &y);
        (*ok)[i] = snap_point(ix, x, y, max_snap_m, &(*pos)[i]);
    }
    return EMS_OK;
}

/* Every station's id text: the id field's value (geo/layer.h layer_value_format), "record N" when it is null,
 * the record number without an id field. */
static ems_status station_ids(emscov_ctx *ctx, const layer *l, const char *field, times_result *r)
{
    size_t n = layer_count(l);
    int j = field ? layer_field_index(l, field) : -1;
    if (!(r->station_ids = ems_calloc(ctx, n ? n : 1, sizeof *r->station_ids)))
        return EMS_ENOMEM;
    r->nstations = n;
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        if (j < 0 || layer_value_at(l, i, (size_t)j)->is_null)
            snprintf(buf, sizeof buf, j < 0 ? "%lld" : "record %lld", (long long)layer_record(l, i));
        else
            layer_value_format(l, (size_t)j, layer_value_at(l, i, (size_t)j), buf, sizeof buf);
        if (!(r->station_ids[i] = ems_strdup(ctx, buf)))
            return EMS_ENOMEM;
    }
    return EMS_OK;
}

/* Route sources from the snapped stations: src[k] starts station src_of[k]. */
static ems_status build_sources(emscov_ctx *ctx, const times_inputs *in, const times_params *p,
                                const snap_pos *pos, const bool *ok, route_source *src, uint32_t *src_of,
                                size_t *nsrc)
{
    const layer *sl = in->stations;
    double access_kmh = speed_profile_access_kmh(in->speed);
    int tof = p->turnout_field ? layer_field_index(sl, p->turnout_field) : -1;
    size_t off_main = 0;
    *nsrc = 0;
    for (size_t i = 0; i < layer_count(sl); i++) {
        double turnout = 0;
        if (tof >= 0) {
            turnout = layer_value_number(sl, i, (size_t)tof);
            char where[600], what[300];
            snprintf(where, sizeof where, "%s: record %lld", layer_path(sl), (long long)layer_record(sl, i));
            snprintf(what, sizeof what, "field %s: turn-out time (s)", p->turnout_field);
            ems_status st = limits_check(ctx, turnout, 0, LIMITS_TURNOUT_S_MAX, where, what);
            if (st != EMS_OK)
                return st;
        }
        if (!ok[i]) {
            emscov_warn(ctx, "%s: record %lld: station is %.0f m from the nearest road (more than --max-snap %.0f): "
                        "not used", layer_path(sl), (long long)layer_record(sl, i), pos[i].dist_m, p->max_snap_m);
            continue;
        }
        if (network_link_at(in->roads, pos[i].link)->component != 0)
            off_main++;
        src[*nsrc] = (route_source){
            .pos = pos[i], .delay_s = times_station_delay_s(turnout, p->activation_s, pos[i].dist_m, access_kmh)};
        src_of[(*nsrc)++] = (uint32_t)i;
    }
    if (off_main)
        emscov_warn(ctx, "%s: %zu station(s) sit on a small road component, cut off from the main network",
                    layer_path(sl), off_main);
    if (*nsrc == 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: no station within %.0f m of a road", layer_path(sl), p->max_snap_m);
    return EMS_OK;
}

/* One point's row from the routing result. */
static void read_point(const times_inputs *in, const route_result *rr, const uint32_t *src_of, const snap_pos *pos,
                       bool ok, double access_kmh, times_point *pt, times_counts *c)
{
    pt->snap_dist_m = pos->dist_m;
    pt->station[0] = pt->station[1] = TIMES_NONE;
    pt->time_s[0] = pt->time_s[1] = NAN;
    if (!ok) {
        pt->status = TIMES_BEYOND_SNAP;
        c->beyond_snap++;
        return;
    }
    pt->component = network_link_at(in->roads, pos->link)->component;
    c->small_component += pt->component != 0;
    double acc = times_access_s(pos->dist_m, access_kmh);
    for (int rank = 0; rank < 2; rank++) {
        uint32_t s;
        double t = route_pos_time(rr, pos, rank, &s);
        if (isfinite(t)) {
            pt->station[rank] = src_of[s];
            pt->time_s[rank] = t + acc;
        }
    }
    pt->status = isfinite(pt->time_s[0]) ? TIMES_OK : pt->component != 0 ? TIMES_SMALL_COMPONENT : TIMES_NOT_REACHED;
    c->not_reached += pt->status != TIMES_OK;
}

ems_status times_compute(emscov_ctx *ctx, const times_inputs *in, const times_params *p, times_result **out)
{
    *out = NULL;
    const layer *sl = in->stations, *pl = in->points;
    size_t ns = layer_count(sl), np = layer_count(pl);
    GEOSContextHandle_t h = emscov_geos(ctx);
    snap_index *ix = NULL;
    snap_pos *spos = NULL, *ppos = NULL;
    bool *sok = NULL, *pok = NULL;
    route_source *src = NULL;
    uint32_t *src_of = NULL;
    route_result *rr = NULL;
    times_result *r = ems_calloc(ctx, 1, sizeof *r);
    ems_status st = r ? EMS_OK : EMS_ENOMEM;
    if (st != EMS_OK || (st = snap_index_build(ctx, in->roads, &ix)) != EMS_OK ||
        (st = snap_index_set_mode(ctx, ix, p->snap)) != EMS_OK ||
        (st = snap_layer(ctx, sl, ix, p->max_snap_m, &spos, &sok)) != EMS_OK ||
        (st = snap_layer(ctx, pl, ix, p->max_snap_m, &ppos, &pok)) != EMS_OK)
        goto done;
    src = ems_calloc(ctx, ns ? ns : 1, sizeof *src);
    src_of = ems_calloc(ctx, ns ? ns : 1, sizeof *src_of);
    if (!src || !src_of) {
        st = EMS_ENOMEM;
        goto done;
    }
    size_t nsrc;
    if ((st = build_sources(ctx, in, p, spos, sok, src, src_of, &nsrc)) != EMS_OK)
        goto done;
    r->counts.stations_used = nsrc;
    route_opts o = {.labels = 2, .cutoff_s = p->cutoff_s};
    if ((st = route_multi_source(ctx, in->roads, src, nsrc, &o, &rr)) != EMS_OK ||
        (st = station_ids(ctx, sl, p->station_id_field, r)) != EMS_OK)
        goto done;
    if (!(r->points = ems_calloc(ctx, np ? np : 1, sizeof *r->points))) {
        st = EMS_ENOMEM;
        goto done;
    }
    r->npoints = r->counts.points = np;
    double access_kmh = speed_profile_access_kmh(in->speed);
    for (size_t i = 0; i < np; i++) {
        times_point *pt = &r->points[i];
        pt->record = layer_record(pl, i);
        GEOSGeomGetX_r(h, layer_geom(pl, i), &pt->x);
        GEOSGeomGetY_r(h, layer_geom(pl, i), &pt->y);
        read_point(in, rr, src_of, &ppos[i], pok[i], access_kmh, pt, &r->counts);
    }
done:
    route_result_destroy(rr);
    free(src);
    free(src_of);
    free(spos);
    free(ppos);
    free(sok);
    free(pok);
    snap_index_destroy(ix);
    if (st != EMS_OK)
        times_result_destroy(r);
    else
        *out = r;
    return st;
}
