/* src/output/layers.c: the result layers of an analyze run (see layers.h): formatting only, every value is the
 * result model's. */
#include "src/output/layers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fdef {
    const char *name;
    layer_field_type type;
} fdef;

static ems_status new_layer(emscov_ctx *ctx, const run_result *r, const char *name, const fdef *f, size_t nf,
                            layer **out)
{
    ems_status st = layer_create(ctx, name, "emscov", r->geo.working, out);
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
    return s ? (layer_value){.u.s = s} : (layer_value){.is_null = true};
}

static layer_value logical(bool b)
{
    return (layer_value){.u.b = b};
}

/* A verdict as a logical: true = pass, false = fail, null = not judged. */
static layer_value verdict(result_verdict v)
{
    return v == RESULT_NA ? (layer_value){.is_null = true} : logical(v == RESULT_PASS);
}

static const char *unit_id(const run_result *r, uint32_t u)
{
    return u < r->nsubdistricts ? r->subdistricts[u].id : NULL;
}

static ems_status street_summary(emscov_ctx *ctx, const run_result *r, layer **out)
{
    static const fdef f[] = {
        {"record", LAYER_FIELD_INT},          {"subdistrict_id", LAYER_FIELD_STRING},
        {"code", LAYER_FIELD_STRING},         {"name", LAYER_FIELD_STRING},
        {"district", LAYER_FIELD_STRING},     {"area_m2", LAYER_FIELD_DOUBLE},
        {"population", LAYER_FIELD_DOUBLE},   {"covered", LAYER_FIELD_DOUBLE},
        {"covered_share", LAYER_FIELD_DOUBLE}, {"coverage_s", LAYER_FIELD_DOUBLE},
        {"mean_s", LAYER_FIELD_DOUBLE},       {"median_s", LAYER_FIELD_DOUBLE},
        {"p90_s", LAYER_FIELD_DOUBLE},        {"max_s", LAYER_FIELD_DOUBLE},
        {"unreachable", LAYER_FIELD_DOUBLE},  {"mean_target_s", LAYER_FIELD_DOUBLE},
        {"mean_met", LAYER_FIELD_LOGICAL},    {"stations", LAYER_FIELD_INT},
        {"min_stations", LAYER_FIELD_DOUBLE}, {"gap", LAYER_FIELD_LOGICAL},
        {"ambulances", LAYER_FIELD_DOUBLE},   {"amb_per_n", LAYER_FIELD_DOUBLE},
        {"amb_n", LAYER_FIELD_DOUBLE},        {"amb_required", LAYER_FIELD_DOUBLE},
        {"amb_shortfall", LAYER_FIELD_DOUBLE}, {"amb_met", LAYER_FIELD_LOGICAL},
        {"park_share", LAYER_FIELD_DOUBLE},   {"park_pop_share", LAYER_FIELD_DOUBLE},
        {"park_target_share", LAYER_FIELD_DOUBLE}, {"park_met", LAYER_FIELD_LOGICAL},
        {"fails", LAYER_FIELD_INT},           {"worst_rank", LAYER_FIELD_INT}};
    ems_status st = new_layer(ctx, r, "street_summary", f, sizeof f / sizeof *f, out);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t u = 0; st == EMS_OK && u < r->nsubdistricts; u++) {
        const result_subdistrict *s = &r->subdistricts[u];
        layer_value v[] = {integer(s->record),
                           text(s->id),
                           text(s->code),
                           text(s->name),
                           text(r->districts[s->district].name),
                           num(s->area_m2),
                           num(s->pop),
                           num(s->covered[0]),
                           num(s->covered_share),
                           num(r->coverage_within_s),
                           num(s->mean_s),
                           num(s->median_s),
                           num(s->p90_s),
                           num(s->max_s),
                           num(s->unreachable),
                           num(r->mean_below_s),
                           verdict(s->mean_verdict),
                           integer(s->stations),
                           num(r->min_stations),
                           logical(s->gap),
                           num(s->ambulances),
                           num(s->amb_per_n),
                           num(r->residents_per_ambulance),
                           num(s->amb_required),
                           num(s->amb_shortfall),
                           verdict(s->amb_verdict),
                           num(s->park_share),
                           num(s->park_pop_share),
                           num(r->parks.present ? r->parks.target_share : NAN),
                           verdict(s->park_verdict),
                           integer(s->fails),
                           integer((int64_t)s->order + 1)};
        st = layer_append_valid_take(ctx, *out, GEOSGeom_clone_r(h, layer_geom(r->geo.streets, u)), s->record, v);
    }
    return st;
}

static void demand_values(const void *user, size_t i, layer_value *v)
{
    const run_result *r = user;
    const result_geo *g = &r->geo;
    uint32_t s = g->point_station[i];
    v[0] = num(g->pop[i]);
    v[1] = num(g->time_s[i]);
    v[2] = num(g->backup_s[i]);
    v[3] = text(s < r->nstations ? r->stations[s].id : NULL);
    v[4] = num(g->snap_m[i]);
    v[5] = text(unit_id(r, g->point_subdistrict[i]));
}

/* The demand points: a point table over the result's arrays (1.4 M rows at city scale: no GEOS points). */
static ems_status demand_time(emscov_ctx *ctx, const run_result *r, layer **out, result_points **pts)
{
    static const fdef f[] = {{"population", LAYER_FIELD_DOUBLE}, {"time_s", LAYER_FIELD_DOUBLE},
                             {"backup_s", LAYER_FIELD_DOUBLE},   {"station_id", LAYER_FIELD_STRING},
                             {"snap_m", LAYER_FIELD_DOUBLE},     {"subdistrict_id", LAYER_FIELD_STRING}};
    ems_status st = new_layer(ctx, r, "demand_time", f, sizeof f / sizeof *f, out);
    if (st != EMS_OK)
        return st;
    layer_allow_null_geometry(*out, GEOS_POINT);
    if (!(*pts = ems_calloc(ctx, 1, sizeof **pts)))
        return EMS_ENOMEM;
    **pts = (result_points){r->geo.npoints, r->geo.x, r->geo.y, demand_values, r};
    return EMS_OK;
}

static ems_status service_area(emscov_ctx *ctx, const run_result *r, layer **out)
{
    static const fdef f[] = {{"band_min", LAYER_FIELD_DOUBLE}, {"area_m2", LAYER_FIELD_DOUBLE}};
    ems_status st = new_layer(ctx, r, "service_area", f, 2, out);
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t na = r->geo.areas ? isochrone_count(r->geo.areas) : 0; /* none: a run without service areas */
    for (size_t k = 0; st == EMS_OK && k < na; k++) {
        const isochrone_area *ar = isochrone_at(r->geo.areas, k);
        layer_value v[] = {num(r->geo.area_bands_s[ar->band] / 60), num(ar->area_m2)};
        st = layer_append_valid_take(ctx, *out, GEOSGeom_clone_r(h, ar->geom), (int64_t)k + 1, v);
    }
    return st;
}

static ems_status station(emscov_ctx *ctx, const run_result *r, layer **out)
{
    static const fdef f[] = {{"record", LAYER_FIELD_INT},          {"station_id", LAYER_FIELD_STRING},
                             {"name", LAYER_FIELD_STRING},         {"ambulances", LAYER_FIELD_DOUBLE},
                             {"turnout_s", LAYER_FIELD_DOUBLE},    {"workload", LAYER_FIELD_DOUBLE},
                             {"subdistrict_id", LAYER_FIELD_STRING}, {"subdistrict_name", LAYER_FIELD_STRING},
                             {"status", LAYER_FIELD_STRING},       {"on_network", LAYER_FIELD_LOGICAL},
                             {"snap_m", LAYER_FIELD_DOUBLE},       {"on_boundary", LAYER_FIELD_LOGICAL}};
    ems_status st = new_layer(ctx, r, "station", f, sizeof f / sizeof *f, out);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t s = 0; st == EMS_OK && s < r->nstations; s++) {
        const result_station *rs = &r->stations[s];
        layer_value v[] = {integer(rs->record),
                           text(rs->id),
                           text(rs->name),
                           num(rs->ambulances),
                           num(rs->turnout_s),
                           num(rs->workload),
                           text(unit_id(r, rs->subdistrict)),
                           text(rs->subdistrict < r->nsubdistricts ? r->subdistricts[rs->subdistrict].name : NULL),
                           text(result_station_status_key(rs->status)),
                           logical(rs->status != RESULT_STATION_OFF_NETWORK),
                           num(rs->snap_m),
                           logical(rs->on_boundary)};
        st = layer_append_valid_take(ctx, *out, GEOSGeom_createPointFromXY_r(h, rs->x, rs->y), rs->record, v);
    }
    return st;
}

static ems_status input_issue(emscov_ctx *ctx, const run_result *r, layer **out)
{
    static const fdef f[] = {{"layer", LAYER_FIELD_STRING},     {"record", LAYER_FIELD_INT},
                             {"source_id", LAYER_FIELD_STRING}, {"source_name", LAYER_FIELD_STRING},
                             {"reason", LAYER_FIELD_STRING},    {"reason_text", LAYER_FIELD_STRING},
                             {"detail", LAYER_FIELD_STRING},    {"population", LAYER_FIELD_DOUBLE},
                             {"records", LAYER_FIELD_INT}};
    ems_status st = new_layer(ctx, r, "input_issue", f, sizeof f / sizeof *f, out);
    if (st != EMS_OK)
        return st;
    layer_allow_null_geometry(*out, GEOS_POINT);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t k = 0; st == EMS_OK && k < ledger_issue_count(r->ledger); k++) {
        const ledger_issue *is = ledger_issue_at(r->ledger, k);
        layer_value v[] = {text(is->role),
                           is->record ? integer(is->record) : (layer_value){.is_null = true},
                           text(*is->source_id ? is->source_id : NULL),
                           text(*is->source_name ? is->source_name : NULL),
                           text(ledger_reason_key(is->reason)),
                           text(ledger_reason_text(is->reason)),
                           text(*is->detail ? is->detail : NULL),
                           num(is->amount),
                           integer((int64_t)is->count)};
        GEOSGeometry *g = isfinite(is->x) && isfinite(is->y) ? GEOSGeom_createPointFromXY_r(h, is->x, is->y) : NULL;
        st = layer_append_valid_take(ctx, *out, g, (int64_t)k + 1, v);
    }
    return st;
}

/* The park service area from the analysis, copied (the stores borrow each layer for a call). */
static ems_status park_service_area(emscov_ctx *ctx, const run_result *r, layer **out)
{
    const layer *src = r->geo.park_service;
    size_t nf = layer_field_count(src);
    ems_status st = layer_create(ctx, "park_service_area", "emscov", r->geo.working, out);
    for (size_t j = 0; st == EMS_OK && j < nf; j++)
        st = layer_add_field(ctx, *out, layer_field_at(src, j)->name, layer_field_at(src, j)->type, 0, 0);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; st == EMS_OK && i < layer_count(src); i++)
        st = layer_append_valid_take(ctx, *out, GEOSGeom_clone_r(h, layer_geom(src, i)), layer_record(src, i),
                                     layer_values(src, i));
    return st;
}

ems_status result_layers_build(emscov_ctx *ctx, const run_result *r, result_layer *out, size_t *n)
{
    return result_layers_build_only(ctx, r, NULL, 0, out, n);
}

static bool listed(const char *table, const char *const *only, size_t nonly)
{
    for (size_t k = 0; k < nonly; k++)
        if (!strcmp(only[k], table))
            return true;
    return !only;
}

ems_status result_layers_build_only(emscov_ctx *ctx, const run_result *r, const char *const *only, size_t nonly,
                                    result_layer *out, size_t *n)
{
    *n = 0;
    ems_status st = EMS_OK;
    struct {
        const char *table, *desc;
        ems_status (*fn)(emscov_ctx *, const run_result *, layer **);
        bool present;
    } all[] = {
        {"street_summary", "per sub-district figures and verdicts against the standards", street_summary,
         true},
        {"demand_time", "demand points: population, response time, nearest station", NULL, true},
        {"service_area", "road service areas by response-time band", service_area, true},
        {"station", "stations: identity, ambulances, workload, sub-district, network status", station, true},
        {"park_service_area", "park service areas (rule set's radii)", park_service_area,
         r->geo.park_service != NULL},
        {"input_issue", "input ledger: every skipped or altered input record and why", input_issue, true}};
    for (size_t k = 0; st == EMS_OK && k < sizeof all / sizeof *all; k++) {
        if (!all[k].present || !listed(all[k].table, only, nonly))
            continue;
        layer *l = NULL;
        result_points *pts = NULL;
        st = all[k].fn ? all[k].fn(ctx, r, &l) : demand_time(ctx, r, &l, &pts);
        if (st == EMS_OK)
            out[(*n)++] = (result_layer){all[k].table, all[k].desc, l, pts};
        else {
            layer_destroy(l);
            free(pts);
        }
    }
    if (st != EMS_OK) {
        result_layers_free(out, *n);
        *n = 0;
    }
    return st;
}

void result_layers_free(result_layer *ls, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        layer_destroy(ls[k].l);
        free(ls[k].pts);
    }
}

size_t result_layer_rows(const result_layer *rl)
{
    return rl->pts ? rl->pts->n : layer_count(rl->l);
}

/* ---- column meanings ------------------------------------------------------------------------------------- */

/* table NULL: the meaning wherever the column appears (unless a row for its table says otherwise). */
static const struct {
    const char *table, *column, *doc;
} column_docs[] = {
    {NULL, "record", "record number in the source layer (1-based)"},
    {NULL, "subdistrict_id", "sub-district id (the streets layer's code field, else its record)"},
    {NULL, "population", "residents (persons)"},
    {NULL, "area_m2", "area, m2 (working CRS)"},
    {NULL, "snap_m", "distance to the road the point was snapped to, m (NULL beyond max_snap_m)"},
    {"street_summary", "code", "sub-district code (the streets layer's code field)"},
    {"street_summary", "name", "sub-district name"},
    {"street_summary", "district", "district the sub-district belongs to"},
    {"street_summary", "covered", "residents reached within coverage_s (persons)"},
    {"street_summary", "covered_share", "covered / population (0-1)"},
    {"street_summary", "coverage_s", "the standard's coverage time, s"},
    {"street_summary", "mean_s", "population-weighted mean response time, s"},
    {"street_summary", "median_s", "median response time, s"},
    {"street_summary", "p90_s", "90th percentile response time, s"},
    {"street_summary", "max_s", "longest response time, s"},
    {"street_summary", "unreachable", "residents no station reaches by road (persons)"},
    {"street_summary", "mean_target_s", "the standard's mean response time target, s (mean_s must be below)"},
    {"street_summary", "mean_met", "mean response time target met (true pass, false fail, NULL not judged)"},
    {"street_summary", "stations", "stations in the sub-district"},
    {"street_summary", "min_stations", "stations the standard asks for per sub-district"},
    {"street_summary", "gap", "true: fewer stations than min_stations (a gap)"},
    {"street_summary", "ambulances", "ambulances of the stations in the sub-district"},
    {"street_summary", "amb_per_n", "ambulances per amb_n residents"},
    {"street_summary", "amb_n", "the standard's residents per ambulance"},
    {"street_summary", "amb_required", "ambulances the standard asks for"},
    {"street_summary", "amb_shortfall", "ambulances missing (0 when met)"},
    {"street_summary", "amb_met", "ambulance target met (true pass, false fail, NULL not judged)"},
    {"street_summary", "park_share", "share of residential land within a park service area (0-1)"},
    {"street_summary", "park_pop_share", "share of the population within a park service area (0-1)"},
    {"street_summary", "park_target_share", "the standard's park coverage target (0-1; NULL without parks)"},
    {"street_summary", "park_met", "park target met (true pass, false fail, NULL not judged)"},
    {"street_summary", "fails", "targets the sub-district fails"},
    {"street_summary", "worst_rank", "rank, worst first (1 = worst)"},
    {"demand_time", "population", "residents of the demand point (persons)"},
    {"demand_time", "time_s", "response time from the nearest station, s (NULL: no station reaches it)"},
    {"demand_time", "backup_s", "response time from the second-nearest station, s (NULL: none)"},
    {"demand_time", "station_id", "the nearest station (station.station_id)"},
    {"service_area", "band_min", "everything reached within this many minutes"},
    {"station", "station_id", "station id (the stations layer's id field)"},
    {"station", "name", "station name"},
    {"station", "ambulances", "ambulances at the station"},
    {"station", "turnout_s", "turn-out delay, s"},
    {"station", "workload", "residents for whom this is the nearest station (persons)"},
    {"station", "subdistrict_name", "name of the sub-district the station lies in"},
    {"station", "status", "main_network, small_component or off_network"},
    {"station", "on_network", "false when the station is off the road network"},
    {"station", "on_boundary", "the station lies on a sub-district boundary"},
    {"park_service_area", "rule", "park rule set"},
    {"park_service_area", "parks", "parks included"},
    {"input_issue", "layer", "input layer (streets, stations, population, roads, parks, residential, ...)"},
    {"input_issue", "record", "record number in that layer (NULL: the whole layer or many records)"},
    {"input_issue", "source_id", "the record's id (the scenario's id field)"},
    {"input_issue", "source_name", "the record's name (the scenario's name field)"},
    {"input_issue", "reason", "why (key; docs/method.md, Input ledger)"},
    {"input_issue", "reason_text", "why, in words"},
    {"input_issue", "detail", "details (values, distances)"},
    {"input_issue", "population", "residents concerned (population layer only; persons)"},
    {"input_issue", "records", "records the row stands for"},
};

const char *result_column_doc(const char *table, const char *column)
{
    const char *generic = NULL;
    for (size_t k = 0; k < sizeof column_docs / sizeof *column_docs; k++) {
        if (strcmp(column_docs[k].column, column) != 0)
            continue;
        if (column_docs[k].table && !strcmp(column_docs[k].table, table))
            return column_docs[k].doc;
        if (!column_docs[k].table)
            generic = column_docs[k].doc;
    }
    return generic;
}
