/* src/analysis/analyze.c: one analyze run (see analyze.h). */
#include "src/analysis/analyze.h"
#include "src/analysis/demand.h"

#include "geo/grid.h"
#include "geo/index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void lap(analysis *a, const char *step, double *t0)
{
    double t = now();
    if (a->ntiming < sizeof a->timing / sizeof *a->timing)
        a->timing[a->ntiming++] = (analysis_timing){step, t - *t0};
    *t0 = t;
}

static ems_status field_index(emscov_ctx *ctx, const layer *l, const char *name, const char *key, int *out)
{
    *out = -1;
    if (!name)
        return EMS_OK;
    *out = layer_field_index(l, name);
    if (*out < 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: no field \"%s\" (scenario key %s)", layer_path(l), name, key);
    return EMS_OK;
}

const char *analysis_value_text(const layer *l, size_t i, const char *field, char *buf, size_t cap)
{
    int j = field ? layer_field_index(l, field) : -1;
    if (j < 0)
        return NULL;
    const layer_value *v = layer_value_at(l, i, (size_t)j);
    if (v->is_null)
        snprintf(buf, cap, "%s", "");
    else if (layer_field_at(l, (size_t)j)->type == LAYER_FIELD_STRING)
        snprintf(buf, cap, "%s", v->u.s);
    else if (layer_field_at(l, (size_t)j)->type == LAYER_FIELD_INT)
        snprintf(buf, cap, "%lld", (long long)v->u.i);
    else
        snprintf(buf, cap, "%.15g", layer_value_number(l, i, (size_t)j));
    return buf;
}

const char *analysis_unit_text(const analysis *a, size_t u, const char *field, char *buf, size_t cap)
{
    if (analysis_value_text(a->in.streets, u, field, buf, cap))
        return buf;
    snprintf(buf, cap, "record %lld", (long long)layer_record(a->in.streets, u));
    return buf;
}

/* Districts: distinct values of the district field, in order of first appearance. */
static ems_status build_districts(emscov_ctx *ctx, analysis *a)
{
    size_t nu = layer_count(a->in.streets);
    a->unit_district = ems_calloc(ctx, nu ? nu : 1, sizeof *a->unit_district);
    a->districts = ems_calloc(ctx, nu ? nu : 1, sizeof *a->districts);
    if (!a->unit_district || !a->districts)
        return EMS_ENOMEM;
    int j;
    ems_status st = field_index(ctx, a->in.streets, a->sc->district_field, "[streets] district_field", &j);
    if (st != EMS_OK)
        return st;
    for (size_t u = 0; u < nu; u++) {
        char buf[256];
        const char *name = j >= 0 ? analysis_unit_text(a, u, a->sc->district_field, buf, sizeof buf) : "";
        size_t d = 0;
        while (d < a->ndistricts && strcmp(a->districts[d], name))
            d++;
        if (d == a->ndistricts && !(a->districts[a->ndistricts++] = ems_strdup(ctx, name)))
            return EMS_ENOMEM;
        a->unit_district[u] = (uint32_t)d;
    }
    return EMS_OK;
}

typedef struct overlap_state {
    emscov_ctx *ctx;
    analysis *a;
    size_t self;
    ems_status st;
} overlap_state;

static bool on_candidate(size_t j, void *user)
{
    overlap_state *o = user;
    if (j <= o->self)
        return true;
    GEOSContextHandle_t h = emscov_geos(o->ctx);
    const layer *l = o->a->in.streets;
    const GEOSGeometry *g1 = layer_geom(l, o->self), *g2 = layer_geom(l, j);
    if (GEOSIntersects_r(h, g1, g2) != 1)
        return true;
    GEOSGeometry *x = GEOSIntersection_r(h, g1, g2);
    double area = 0;
    if (!x) {
        o->st = emscov_fail(o->ctx, EMS_EINTERNAL, "sub-district overlap test failed: %s", emscov_lib_message(o->ctx));
        return false;
    }
    GEOSArea_r(h, x, &area);
    GEOSGeom_destroy_r(h, x);
    if (area > 1e-6) {
        o->a->overlap_pairs++;
        o->a->overlap_m2 += area;
        emscov_warn(o->ctx, "%s: records %lld and %lld overlap by %.1f m2 (people and stations there count for record "
                    "%lld only)", layer_path(l), (long long)layer_record(l, o->self), (long long)layer_record(l, j),
                    area, (long long)layer_record(l, o->self));
    }
    return true;
}

/* Sub-districts should tile the city: report overlaps (pairs, area) and holes enclosed by the union. */
static ems_status check_streets(emscov_ctx *ctx, analysis *a)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    const layer *l = a->in.streets;
    size_t n = layer_count(l);
    if (n == 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: no sub-district polygons", layer_path(l));
    for (size_t i = 0; i < n; i++) {
        int t = GEOSGeomTypeId_r(h, layer_geom(l, i));
        if (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON)
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: a sub-district must be a polygon", layer_path(l),
                               (long long)layer_record(l, i));
    }
    layer_index *ix = NULL;
    ems_status st = index_build(ctx, l, &ix);
    for (size_t i = 0; st == EMS_OK && i < n; i++) {
        double box[4];
        const GEOSGeometry *g = layer_geom(l, i);
        GEOSGeom_getXMin_r(h, g, &box[0]);
        GEOSGeom_getYMin_r(h, g, &box[1]);
        GEOSGeom_getXMax_r(h, g, &box[2]);
        GEOSGeom_getYMax_r(h, g, &box[3]);
        overlap_state o = {ctx, a, i, EMS_OK};
        if ((st = index_query_box(ctx, ix, box, on_candidate, &o)) == EMS_OK)
            st = o.st;
    }
    index_destroy(ix);
    if (st != EMS_OK)
        return st;
    /* holes: interior rings of the union of all sub-districts */
    GEOSGeometry **parts = ems_malloc(ctx, n * sizeof *parts);
    if (!parts)
        return EMS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        parts[i] = GEOSGeom_clone_r(h, layer_geom(l, i));
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    free(parts);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    GEOSGeom_destroy_r(h, coll);
    if (!u)
        return emscov_fail(ctx, EMS_EINTERNAL, "union of the sub-districts failed: %s", emscov_lib_message(ctx));
    int np = GEOSGetNumGeometries_r(h, u);
    for (int k = 0; k < np; k++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, u, k);
        for (int r = 0; r < GEOSGetNumInteriorRings_r(h, p); r++) {
            GEOSGeometry *hole = GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, GEOSGetInteriorRingN_r(h, p, r)),
                                                          NULL, 0);
            double area = 0;
            if (hole)
                GEOSArea_r(h, hole, &area);
            GEOSGeom_destroy_r(h, hole);
            a->hole_m2 += area;
        }
    }
    GEOSGeom_destroy_r(h, u);
    if (a->hole_m2 > 1e-6)
        emscov_warn(ctx, "%s: the sub-districts leave %.1f m2 inside the city uncovered (gaps between polygons); "
                    "people there count as outside every sub-district", layer_path(l), a->hole_m2);
    return EMS_OK;
}

static ems_status build_demand(emscov_ctx *ctx, analysis *a)
{
    const scenario *sc = a->sc;
    demand_set *d = NULL;
    ems_status st;
    if (!strcmp(sc->pop_kind, "grid")) {
        grid *g = NULL;
        if ((st = grid_read(ctx, sc->population.path, &sc->population.opts, &g)) != EMS_OK)
            return st;
        st = demand_from_grid(ctx, g, a->in.working, a->in.streets, &d);
        grid_destroy(g);
        a->pop_method = "grid cells (ESRI ASCII), one demand point per cell centre";
    } else if (!strcmp(sc->pop_kind, "points")) {
        st = demand_from_points(ctx, a->in.pop_layer, sc->pop_count_field, sc->pop_levels_field, a->in.streets, &d);
        a->pop_method = "points with counts";
    } else {
        st = demand_from_polygons(ctx, a->in.pop_layer, sc->pop_count_field, a->in.streets, a->in.pop_target,
                                  sc->pop_levels_field, &d);
        a->pop_method = a->in.pop_target ? "census polygons, dasymetric onto the target layer"
                                         : "census polygons, areal weighting";
    }
    if (st == EMS_OK && sc->pop_total > 0) {
        if ((st = demand_scale_to(ctx, d, sc->pop_total)) != EMS_OK) {
            demand_set_destroy(d);
            return st;
        }
        a->pop_weights = d->weight_total;
    }
    if (st != EMS_OK)
        return st;
    size_t n = d->n;
    a->npoints = n;
    a->x = ems_malloc(ctx, (n ? n : 1) * sizeof *a->x);
    a->y = ems_malloc(ctx, (n ? n : 1) * sizeof *a->y);
    a->pop = ems_malloc(ctx, (n ? n : 1) * sizeof *a->pop);
    a->unit = ems_malloc(ctx, (n ? n : 1) * sizeof *a->unit);
    if (!a->x || !a->y || !a->pop || !a->unit) {
        demand_set_destroy(d);
        return EMS_ENOMEM;
    }
    if (n) {
        memcpy(a->x, d->x, n * sizeof *a->x);
        memcpy(a->y, d->y, n * sizeof *a->y);
        memcpy(a->pop, d->pop, n * sizeof *a->pop);
    }
    for (size_t i = 0; i < n; i++)
        a->unit[i] = d->street[i] == DEMAND_NONE ? ANALYSIS_NONE : d->street[i];
    a->pop_input = d->input_total;
    a->pop_allocated = d->allocated_total;
    a->pop_outside = d->outside_total;
    demand_set_destroy(d);
    return EMS_OK;
}

static ems_status build_stations(emscov_ctx *ctx, analysis *a)
{
    const scenario *sc = a->sc;
    const layer *st_l = a->in.stations;
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t ns = layer_count(st_l);
    a->nstations = ns;
    int fa, ft, fid;
    ems_status st;
    if ((st = field_index(ctx, st_l, sc->station_id_field, "[stations] id_field", &fid)) != EMS_OK ||
        (st = field_index(ctx, st_l, sc->ambulances_field, "[stations] ambulances_field", &fa)) != EMS_OK ||
        (st = field_index(ctx, st_l, sc->turnout_field, "[stations] turnout_field", &ft)) != EMS_OK)
        return st;
    if (ns == 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: no stations", layer_path(st_l));
    size_t m = ns;
    a->station_amb = ems_malloc(ctx, m * sizeof *a->station_amb);
    a->station_turnout = ems_malloc(ctx, m * sizeof *a->station_turnout);
    a->station_src = ems_malloc(ctx, m * sizeof *a->station_src);
    a->src_station = ems_malloc(ctx, m * sizeof *a->src_station);
    a->station_snap_m = ems_malloc(ctx, m * sizeof *a->station_snap_m);
    route_source *src = ems_malloc(ctx, m * sizeof *src);
    if (!a->station_amb || !a->station_turnout || !a->station_src || !a->src_station || !a->station_snap_m || !src) {
        free(src);
        return EMS_ENOMEM;
    }
    double access_mps = speed_profile_access_kmh(a->in.speed) / 3.6;
    for (size_t s = 0; s < ns; s++) {
        long long rec = (long long)layer_record(st_l, s);
        a->station_amb[s] = fa >= 0 ? layer_value_number(st_l, s, (size_t)fa) : 1;
        a->station_turnout[s] = ft >= 0 ? layer_value_number(st_l, s, (size_t)ft) : 0;
        if (!(a->station_amb[s] >= 0) || !(a->station_turnout[s] >= 0)) {
            free(src);
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: must be a number >= 0", layer_path(st_l),
                               rec, !(a->station_amb[s] >= 0) ? sc->ambulances_field : sc->turnout_field);
        }
        for (size_t t = 0; fid >= 0 && t < s; t++) {
            char b1[128], b2[128];
            const layer_value *v1 = layer_value_at(st_l, s, (size_t)fid), *v2 = layer_value_at(st_l, t, (size_t)fid);
            if (v1->is_null || v2->is_null)
                continue;
            bool text = layer_field_at(st_l, (size_t)fid)->type == LAYER_FIELD_STRING;
            snprintf(b1, sizeof b1, "%s", text ? v1->u.s : "");
            snprintf(b2, sizeof b2, "%s", text ? v2->u.s : "");
            bool same = text ? !strcmp(b1, b2) : layer_value_number(st_l, s, (size_t)fid) ==
                                                     layer_value_number(st_l, t, (size_t)fid);
            if (same) {
                a->duplicate_station_ids++;
                emscov_warn(ctx, "%s: records %lld and %lld have the same %s", layer_path(st_l),
                            (long long)layer_record(st_l, t), rec, sc->station_id_field);
                break;
            }
        }
        for (size_t t = 0; t < s; t++) /* duplicate positions are almost always a duplicated record */
            if (GEOSEquals_r(h, layer_geom(st_l, s), layer_geom(st_l, t)) == 1) {
                emscov_warn(ctx, "%s: records %lld and %lld are at the same place", layer_path(st_l),
                            (long long)layer_record(st_l, t), rec);
                break;
            }
        double x, y;
        GEOSGeomGetX_r(h, layer_geom(st_l, s), &x);
        GEOSGeomGetY_r(h, layer_geom(st_l, s), &y);
        snap_pos p;
        a->station_src[s] = ANALYSIS_NONE;
        if (!snap_point(a->snap, x, y, sc->max_snap_m, &p)) {
            a->station_snap_m[s] = p.dist_m;
            a->stations_unsnapped++;
            emscov_warn(ctx, "%s: record %lld: station is %.0f m from the nearest road (max_snap_m %.0f): not used "
                        "for response times", layer_path(st_l), rec, p.dist_m, sc->max_snap_m);
            continue;
        }
        a->station_snap_m[s] = p.dist_m;
        if (network_link_at(a->in.roads, p.link)->component != 0) {
            a->stations_small_component++;
            emscov_warn(ctx, "%s: record %lld: station is on a small road component cut off from the main network",
                        layer_path(st_l), rec);
        }
        a->station_src[s] = (uint32_t)a->nsrc;
        a->src_station[a->nsrc] = (uint32_t)s;
        src[a->nsrc++] = (route_source){.pos = p,
                                        .delay_s = a->station_turnout[s] + sc->activation_s + p.dist_m / access_mps};
    }
    if (a->nsrc == 0) {
        free(src);
        return emscov_fail(ctx, EMS_EINPUT, "%s: no station within %.0f m of a road", layer_path(st_l),
                           sc->max_snap_m);
    }
    route_opts o = {.labels = 2, .cutoff_s = 0};
    st = route_multi_source(ctx, a->in.roads, src, a->nsrc, &o, &a->routes);
    free(src);
    return st;
}

ems_status analysis_run(emscov_ctx *ctx, const scenario *sc, analysis **out)
{
    *out = NULL;
    analysis *a = ems_calloc(ctx, 1, sizeof *a);
    if (!a)
        return EMS_ENOMEM;
    a->sc = sc;
    double t0 = now();
    ems_status st = scenario_load_inputs(ctx, sc, &a->in);
    if (st == EMS_OK) {
        lap(a, "read inputs + build road graph", &t0);
        st = snap_index_build(ctx, a->in.roads, &a->snap);
    }
    if (st == EMS_OK && (st = check_streets(ctx, a)) == EMS_OK && (st = build_districts(ctx, a)) == EMS_OK &&
        (st = build_demand(ctx, a)) == EMS_OK) {
        lap(a, "population to demand points", &t0);
        st = build_stations(ctx, a);
    }
    size_t nu = a->in.streets ? layer_count(a->in.streets) : 0;
    if (st == EMS_OK) {
        lap(a, "snap stations + routing (2 labels)", &t0);
        coverage_params cp = {.nthresholds = sc->nthresholds, .max_snap_m = sc->max_snap_m,
                              .access_kmh = speed_profile_access_kmh(a->in.speed)};
        memcpy(cp.thresholds_s, sc->thresholds_s, sc->nthresholds * sizeof *cp.thresholds_s);
        st = coverage_compute(ctx, a->in.roads, a->snap, a->routes, a->npoints, a->x, a->y, a->pop, a->unit, nu, &cp,
                              &a->cov);
    }
    if (st == EMS_OK) {
        lap(a, "response-time coverage", &t0);
        st = gaps_compute(ctx, a->in.streets, a->in.stations, sc->std->min_stations, &a->gaps);
    }
    if (st == EMS_OK && !(a->unit_pop = ems_calloc(ctx, nu ? nu : 1, sizeof *a->unit_pop)))
        st = EMS_ENOMEM;
    if (st == EMS_OK) {
        for (size_t u = 0; u < nu; u++)
            a->unit_pop[u] = a->cov->units[u].pop;
        st = ambulance_compute(ctx, a->station_amb, a->gaps->station_unit, a->nstations, a->unit_pop,
                               a->unit_district, nu, a->ndistricts, a->pop_allocated,
                               sc->std->residents_per_ambulance, &a->amb);
    }
    if (st == EMS_OK)
        lap(a, "stations per sub-district + ambulances", &t0);
    if (st == EMS_OK && a->in.parks) {
        if ((st = park_rules_load(ctx, sc->park_rules, &a->rules)) == EMS_OK &&
            (st = parks_compute(ctx, a->in.parks, a->in.residential, a->in.streets, a->rules, &a->parks)) == EMS_OK)
            st = parks_population_share(ctx, a->parks, a->x, a->y, a->pop, a->npoints, &a->park_pop_covered,
                                        &a->park_pop_total);
        bool *inside = st == EMS_OK ? ems_calloc(ctx, a->npoints ? a->npoints : 1, sizeof *inside) : NULL;
        a->unit_park_pop_covered = st == EMS_OK ? ems_calloc(ctx, nu ? nu : 1, sizeof *a->unit_park_pop_covered) : NULL;
        if (st == EMS_OK && (!inside || !a->unit_park_pop_covered))
            st = EMS_ENOMEM;
        if (st == EMS_OK && (st = parks_points_inside(ctx, a->parks, a->x, a->y, a->npoints, inside)) == EMS_OK)
            for (size_t i = 0; i < a->npoints; i++)
                if (inside[i] && a->unit[i] != ANALYSIS_NONE)
                    a->unit_park_pop_covered[a->unit[i]] += a->pop[i];
        free(inside);
        if (st == EMS_OK)
            lap(a, "park service-radius coverage", &t0);
    }
    if (st == EMS_OK) {
        /* service areas at a quarter, half, three quarters and the whole of the standard's time */
        a->nbands = 4;
        for (size_t b = 0; b < 4; b++)
            a->area_bands_s[b] = sc->std->coverage_within_s * (double)(b + 1) / 4;
        isochrone_opts io = {.bands_s = a->area_bands_s, .nbands = a->nbands, .buffer_m = sc->buffer_m,
                             .cell_m = sc->cell_m};
        st = isochrone_build(ctx, a->in.roads, a->routes, &io, &a->areas);
        if (st == EMS_OK)
            lap(a, "service-area polygons", &t0);
    }
    if (st != EMS_OK) {
        analysis_destroy(a);
        return st;
    }
    *out = a;
    return EMS_OK;
}

void analysis_destroy(analysis *a)
{
    if (!a)
        return;
    scenario_inputs_fini(&a->in);
    free(a->x);
    free(a->y);
    free(a->pop);
    free(a->unit);
    free(a->station_amb);
    free(a->station_turnout);
    free(a->src_station);
    free(a->station_src);
    free(a->station_snap_m);
    snap_index_destroy(a->snap);
    route_result_destroy(a->routes);
    coverage_destroy(a->cov);
    gaps_destroy(a->gaps);
    ambulance_destroy(a->amb);
    free(a->unit_pop);
    for (size_t d = 0; a->districts && d < a->ndistricts; d++)
        free(a->districts[d]);
    free(a->districts);
    free(a->unit_district);
    park_rules_destroy(a->rules);
    parks_result_destroy(a->parks);
    free(a->unit_park_pop_covered);
    isochrone_set_destroy(a->areas);
    free(a);
}
