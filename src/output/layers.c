/* src/output/layers.c: result layers of an analysis (see layers.h). */
#include "src/output/layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fdef {
    const char *name;
    layer_field_type type;
} fdef;

static ems_status new_layer(emscov_ctx *ctx, const analysis *a, const char *name, const fdef *f, size_t nf,
                            layer **out)
{
    ems_status st = layer_create(ctx, name, "emscov", a->in.working, out);
    for (size_t k = 0; st == EMS_OK && k < nf; k++)
        st = layer_add_field(ctx, *out, f[k].name, f[k].type, 0, 0);
    return st;
}

static layer_value num(double v)
{
    return isfinite(v) ? (layer_value){.u.d = v} : (layer_value){.is_null = true};
}

static layer_value integer(int64_t v)
{
    return (layer_value){.u.i = v};
}

static layer_value text(const char *s)
{
    return (layer_value){.u.s = s};
}

static ems_status street_summary(emscov_ctx *ctx, const analysis *a, layer **out)
{
    static const fdef f[] = {{"record", LAYER_FIELD_INT},       {"code", LAYER_FIELD_STRING},
                             {"name", LAYER_FIELD_STRING},
                             {"district", LAYER_FIELD_STRING},  {"population", LAYER_FIELD_DOUBLE},
                             {"covered", LAYER_FIELD_DOUBLE},   {"covered_share", LAYER_FIELD_DOUBLE},
                             {"mean_s", LAYER_FIELD_DOUBLE},    {"median_s", LAYER_FIELD_DOUBLE},
                             {"p90_s", LAYER_FIELD_DOUBLE},     {"max_s", LAYER_FIELD_DOUBLE},
                             {"unreachable", LAYER_FIELD_DOUBLE}, {"stations", LAYER_FIELD_INT},
                             {"gap", LAYER_FIELD_LOGICAL},      {"ambulances", LAYER_FIELD_DOUBLE},
                             {"ambulances_per_30k", LAYER_FIELD_DOUBLE}, {"ambulance_shortfall", LAYER_FIELD_DOUBLE},
                             {"park_share", LAYER_FIELD_DOUBLE}, {"area_m2", LAYER_FIELD_DOUBLE}};
    ems_status st = new_layer(ctx, a, "street_summary", f, sizeof f / sizeof *f, out);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t u = 0; st == EMS_OK && u < layer_count(a->in.streets); u++) {
        char b1[256], b2[256];
        const coverage_stats *c = &a->cov->units[u];
        const ambulance_row *r = &a->amb->units[u];
        layer_value v[] = {integer(layer_record(a->in.streets, u)),
                           text(analysis_unit_text(a, u, a->sc->street_code_field, b1, sizeof b1)),
                           text(analysis_unit_text(a, u, a->sc->street_name_field, b2, sizeof b2)),
                           text(a->districts[a->unit_district[u]]), num(c->pop), num(c->covered[0]),
                           num(c->pop > 0 ? c->covered[0] / c->pop : NAN), num(c->mean_s), num(c->median_s),
                           num(c->p90_s), num(c->max_s), num(c->unreachable), integer(a->gaps->count[u]),
                           {.u.b = a->gaps->count[u] < a->sc->std->min_stations}, num(r->ambulances), num(r->per_n),
                           num(r->shortfall), num(a->parks && a->parks->units ? a->parks->units[u].share : NAN),
                           num(a->gaps->area_m2[u])};
        st = layer_append_valid_take(ctx, *out, GEOSGeom_clone_r(h, layer_geom(a->in.streets, u)),
                               layer_record(a->in.streets, u), v);
    }
    return st;
}

static ems_status demand_time(emscov_ctx *ctx, const analysis *a, layer **out)
{
    static const fdef f[] = {{"population", LAYER_FIELD_DOUBLE}, {"time_s", LAYER_FIELD_DOUBLE},
                             {"backup_s", LAYER_FIELD_DOUBLE},   {"station_record", LAYER_FIELD_INT},
                             {"snap_m", LAYER_FIELD_DOUBLE},     {"subdistrict", LAYER_FIELD_INT}};
    ems_status st = new_layer(ctx, a, "demand_time", f, sizeof f / sizeof *f, out);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; st == EMS_OK && i < a->npoints; i++) {
        uint32_t s = a->cov->nearest[i];
        layer_value v[] = {num(a->pop[i]), num(a->cov->time_s[i]), num(a->cov->backup_s[i]),
                           s == COVERAGE_NONE ? (layer_value){.is_null = true}
                                              : integer(layer_record(a->in.stations, a->src_station[s])),
                           num(a->cov->snap_m[i]),
                           a->unit[i] == ANALYSIS_NONE ? (layer_value){.is_null = true}
                                                       : integer(layer_record(a->in.streets, a->unit[i]))};
        st = layer_append_valid_take(ctx, *out, GEOSGeom_createPointFromXY_r(h, a->x[i], a->y[i]), (int64_t)i + 1, v);
    }
    return st;
}

static ems_status service_area(emscov_ctx *ctx, const analysis *a, layer **out)
{
    static const fdef f[] = {{"band_min", LAYER_FIELD_DOUBLE}, {"area_m2", LAYER_FIELD_DOUBLE}};
    ems_status st = new_layer(ctx, a, "service_area", f, 2, out);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t k = 0; st == EMS_OK && k < isochrone_count(a->areas); k++) {
        const isochrone_area *ar = isochrone_at(a->areas, k);
        layer_value v[] = {num(a->area_bands_s[ar->band] / 60), num(ar->area_m2)};
        st = layer_append_valid_take(ctx, *out, GEOSGeom_clone_r(h, ar->geom), (int64_t)k + 1, v);
    }
    return st;
}

static ems_status station(emscov_ctx *ctx, const analysis *a, layer **out)
{
    static const fdef f[] = {{"record", LAYER_FIELD_INT},      {"ambulances", LAYER_FIELD_DOUBLE},
                             {"turnout_s", LAYER_FIELD_DOUBLE}, {"workload", LAYER_FIELD_DOUBLE},
                             {"subdistrict", LAYER_FIELD_INT},  {"on_network", LAYER_FIELD_LOGICAL},
                             {"snap_m", LAYER_FIELD_DOUBLE}};
    ems_status st = new_layer(ctx, a, "station", f, sizeof f / sizeof *f, out);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t s = 0; st == EMS_OK && s < a->nstations; s++) {
        uint32_t src = a->station_src[s], u = a->gaps->station_unit[s];
        layer_value v[] = {integer(layer_record(a->in.stations, s)), num(a->station_amb[s]),
                           num(a->station_turnout[s]), num(src == ANALYSIS_NONE ? 0 : a->cov->workload[src]),
                           u == GAPS_NONE ? (layer_value){.is_null = true} : integer(layer_record(a->in.streets, u)),
                           {.u.b = src != ANALYSIS_NONE}, num(a->station_snap_m[s])};
        st = layer_append_valid_take(ctx, *out, GEOSGeom_clone_r(h, layer_geom(a->in.stations, s)),
                               layer_record(a->in.stations, s), v);
    }
    return st;
}

ems_status result_layers_build(emscov_ctx *ctx, const analysis *a, result_layer *out, size_t *n)
{
    *n = 0;
    ems_status st = EMS_OK;
    struct {
        const char *table, *desc;
        ems_status (*fn)(emscov_ctx *, const analysis *, layer **);
    } all[] = {{"street_summary", "per sub-district figures against the standards", street_summary},
               {"demand_time", "demand points: population and response time", demand_time},
               {"service_area", "road service areas by response-time band", service_area},
               {"station", "stations: ambulances, workload, sub-district", station}};
    for (size_t k = 0; st == EMS_OK && k < sizeof all / sizeof *all; k++) {
        layer *l = NULL;
        st = all[k].fn(ctx, a, &l);
        if (st == EMS_OK)
            out[(*n)++] = (result_layer){all[k].table, all[k].desc, l};
        else
            layer_destroy(l);
    }
    if (st == EMS_OK && a->parks) {
        layer *l = NULL;
        st = parks_service_layer(ctx, a->parks, a->rules, a->in.working, &l);
        if (st == EMS_OK)
            out[(*n)++] = (result_layer){"park_service_area", "park service areas (rule set's radii)", l};
    }
    if (st != EMS_OK) {
        result_layers_free(out, *n);
        *n = 0;
    }
    return st;
}

void result_layers_free(result_layer *ls, size_t n)
{
    for (size_t k = 0; k < n; k++)
        layer_destroy(ls[k].l);
}
