/* src/analysis/analyze.c: one analyze run (see analyze.h): the computation, then the result model and the
 * input ledger (result.h, ledger.h). */
#include "src/analysis/analyze.h"
#include "src/analysis/coords_fit.h"
#include "src/analysis/demand.h"
#include "src/analysis/times.h"

#include "geo/grid.h"
#include "geo/index.h"
#include "geo/limits.h"

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
    run_result_add_timing(a->result, step, t - *t0);
    *t0 = t;
}

static const char *str(emscov_ctx *ctx, analysis *a, const char *s, bool *oom)
{
    const char *c = run_result_str(ctx, a->result, s);
    if (s && !c) *oom = true;
    return c;
}

/* Text of field j of feature i (j < 0: ""), into buf. */
static const char *text_of(const layer *l, size_t i, int j, char *buf, size_t cap)
{
    buf[0] = '\0';
    return j < 0 ? buf : layer_value_format(l, (size_t)j, layer_value_at(l, i, (size_t)j), buf, cap);
}

static const char *skipped_text(const layer *l, size_t k, int j, char *buf, size_t cap)
{
    buf[0] = '\0';
    return j < 0 ? buf : layer_value_format(l, (size_t)j, &layer_skipped_values(l, k)[j], buf, cap);
}

/* ---- calls ------------------------------------------------------------------------------------------- */

/* Hour of day 0..23 from a time-of-day text: "8", "08:30", "2024-03-01 08:30:00", "2024-03-01T08:30"; -1 when
 * the text holds none. */
static int call_hour(const char *t)
{
    const char *p = t;
    while (*p == ' ')
        p++;
    const char *sep = strpbrk(p, " T"); /* a date first: the time follows the separator */
    if (sep && strchr(p, '-') && strchr(p, '-') < sep) p = sep + 1;
    if (*p < '0' || *p > '9') return -1;
    int h = *p++ - '0';
    if (*p >= '0' && *p <= '9') h = h * 10 + (*p++ - '0');
    if (*p && *p != ':' && *p != '.' && *p != ' ') return -1;
    return h <= 23 ? h : -1;
}

/* Day number (days since 1970-01-01, proleptic Gregorian) of a text opening with a date YYYY-MM-DD ("2024-03-01",
 * "2024-03-01 08:30"); false when it opens with none. */
static bool call_day(const char *t, long *day)
{
    while (*t == ' ')
        t++;
    int y, m, d, n = 0;
    if (sscanf(t, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    /* days from the civil date: years counted from March so that the leap day ends a year */
    long yy = y - (m <= 2), era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *day = era * 146097 + doe - 719468;
    return true;
}

/* The calls layer: its points weighted (weight_field, else 1 each), timed from the same routes as the demand
 * points, and by hour of day (time_field). */
static ems_status build_calls(emscov_ctx *ctx, analysis *a, const coverage_params *cp, size_t nu)
{
    const scenario *sc = a->sc;
    const layer *l = a->in.calls;
    if (!l) return EMS_OK;
    ems_status st = demand_from_points(ctx, l, sc->calls_weight_field, NULL, a->in.streets, &a->calls);
    if (st == EMS_OK)
        st = coverage_compute(ctx, a->in.roads, a->snap, a->routes, a->calls->n, a->calls->x, a->calls->y,
                              a->calls->pop, a->calls->street, nu, cp, &a->calls_cov);
    if (st != EMS_OK || !sc->calls_time_field) return st;
    int j = -1;
    if ((st = scenario_field(ctx, l, sc->calls_time_field, "[calls] time_field", &j)) != EMS_OK) return st;
    a->call_hours = true;
    long first = 0, last = 0;
    bool dated = true;
    /* the calls' points are the layer's features in order, those of weight 0 left out */
    size_t k = 0;
    for (size_t i = 0; i < layer_count(l) && k < a->calls->n; i++) {
        if (a->calls->record[k] != layer_record(l, i)) continue;
        char buf[128];
        const char *txt = text_of(l, i, j, buf, sizeof buf);
        int h = call_hour(txt);
        if (h < 0)
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: record %lld: field %s: \"%s\" is not a time of day (HH:MM, or a date and time)",
                               layer_path(l), (long long)layer_record(l, i), sc->calls_time_field, buf);
        long day;
        if (dated && call_day(txt, &day)) {
            first = k == 0 || day < first ? day : first;
            last = k == 0 || day > last ? day : last;
        } else {
            dated = false;
        }
        a->call_hour[h] += a->calls->pop[k];
        if (a->calls_cov->time_s[k] <= cp->thresholds_s[0]) a->call_hour_covered[h] += a->calls->pop[k];
        k++;
    }
    /* calls per day for MEXCLP: every call dated, the days from the first date to the last, both counted */
    a->call_days = dated && k > 0 ? (double)(last - first + 1) : 0;
    return EMS_OK;
}

/* The city figures of a coverage result into a result's fields (the residents', or the calls'). */
static void take_times(const coverage_stats *c, double *total, double *unreachable, double *covered, double *mean,
                       double *median, double *p90, double *max)
{
    *total = c->pop;
    *unreachable = c->unreachable;
    memcpy(covered, c->covered, sizeof c->covered);
    *mean = c->mean_s;
    *median = c->median_s;
    *p90 = c->p90_s;
    *max = c->max_s;
}

/* ---- identities -------------------------------------------------------------------------------------- */

static void subdistrict_label(char *buf, size_t cap, const char *name, const char *code, int64_t record)
{
    if (*name && *code)
        snprintf(buf, cap, "%s %s", name, code);
    else if (*name || *code)
        snprintf(buf, cap, "%s", *name ? name : code);
    else
        snprintf(buf, cap, "record %lld", (long long)record);
}

static void station_label(char *buf, size_t cap, const char *name, const char *id, bool has_id,
                          int64_t record)
{
    if (*name && has_id && *id)
        snprintf(buf, cap, "%s (id %s)", name, id);
    else if (*name)
        snprintf(buf, cap, "%s (record %lld)", name, (long long)record);
    else if (has_id && *id)
        snprintf(buf, cap, "id %s", id);
    else
        snprintf(buf, cap, "record %lld", (long long)record);
}

typedef struct id_key {
    const char *id;
    uint32_t index;
} id_key;

static int cmp_id_key(const void *pa, const void *pb)
{
    const id_key *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    return c ? c : a->index < b->index ? -1 : a->index > b->index;
}

/* first[i] = the earliest index with the same id as i (i itself when unique or first); "" ids never match. */
static ems_status same_ids(emscov_ctx *ctx, const char *const *ids, size_t n, uint32_t *first)
{
    id_key *k = ems_malloc(ctx, (n ? n : 1) * sizeof *k);
    if (!k) return EMS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        k[i] = (id_key){ids[i], (uint32_t)i};
        first[i] = (uint32_t)i;
    }
    qsort(k, n, sizeof *k, cmp_id_key);
    for (size_t i = 1; i < n; i++)
        if (*k[i].id && !strcmp(k[i].id, k[i - 1].id)) first[k[i].index] = first[k[i - 1].index];
    free(k);
    return EMS_OK;
}

static ems_status build_subdistricts(emscov_ctx *ctx, analysis *a)
{
    const scenario *sc = a->sc;
    const layer *l = a->in.streets;
    run_result *r = a->result;
    size_t n = layer_count(l);
    int jn, jc, jd;
    ems_status st;
    if ((st = scenario_field(ctx, l, sc->street_name_field, "[streets] name_field", &jn)) != EMS_OK ||
        (st = scenario_field(ctx, l, sc->street_code_field, "[streets] code_field", &jc)) != EMS_OK ||
        (st = scenario_field(ctx, l, sc->district_field, "[streets] district_field", &jd)) != EMS_OK)
        return st;
    r->subdistricts = ems_calloc(ctx, n ? n : 1, sizeof *r->subdistricts);
    a->unit_district = ems_calloc(ctx, n ? n : 1, sizeof *a->unit_district);
    a->districts = ems_calloc(ctx, n ? n : 1, sizeof *a->districts);
    const char **ids = ems_malloc(ctx, (n ? n : 1) * sizeof *ids);
    uint32_t *first = ems_malloc(ctx, (n ? n : 1) * sizeof *first);
    if (!r->subdistricts || !a->unit_district || !a->districts || !ids || !first) {
        free(ids);
        free(first);
        return EMS_ENOMEM;
    }
    r->nsubdistricts = n;
    bool oom = false;
    for (size_t u = 0; u < n && !oom; u++) {
        result_subdistrict *s = &r->subdistricts[u];
        char name[512], code[512], dist[512], label[1100];
        s->record = layer_record(l, u);
        s->name = str(ctx, a, text_of(l, u, jn, name, sizeof name), &oom);
        s->code = str(ctx, a, text_of(l, u, jc, code, sizeof code), &oom);
        subdistrict_label(label, sizeof label, name, code, s->record);
        s->label = str(ctx, a, label, &oom);
        if (*code)
            s->id = s->code;
        else if (*name)
            s->id = s->name;
        else {
            snprintf(label, sizeof label, "record %lld", (long long)s->record);
            s->id = str(ctx, a, label, &oom);
        }
        ids[u] = s->id ? s->id : "";
        text_of(l, u, jd, dist, sizeof dist);
        size_t d = 0;
        while (d < a->ndistricts && strcmp(a->districts[d], dist))
            d++;
        if (d == a->ndistricts && !(a->districts[a->ndistricts++] = ems_strdup(ctx, dist))) oom = true;
        a->unit_district[u] = (uint32_t)d;
        s->district = (uint32_t)d;
    }
    if (oom) st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    if (st == EMS_OK && (jc >= 0 || jn >= 0)) st = same_ids(ctx, ids, n, first);
    for (size_t u = 0; st == EMS_OK && (jc >= 0 || jn >= 0) && u < n; u++)
        if (first[u] != u) {
            const result_subdistrict *s = &r->subdistricts[u], *f = &r->subdistricts[first[u]];
            emscov_warn(ctx,
                        "%s: record %lld (%s) has the same id \"%s\" as record %lld: results name both alike",
                        layer_path(l), (long long)s->record, s->label, s->id, (long long)f->record);
            st = ledger_add(ctx, r->ledger, "streets", s->record, s->id, s->name, LEDGER_DUPLICATE_ID, NAN, 1,
                            NAN, NAN, "same %s as record %lld",
                            jc >= 0 ? sc->street_code_field : sc->street_name_field, (long long)f->record);
        }
    free(ids);
    free(first);
    return st;
}

/* ---- the ledger of a layer as read ------------------------------------------------------------------- */

static ledger_reason skip_reason(layer_skip_reason r)
{
    switch (r) {
    case LAYER_SKIP_NULL_GEOMETRY:
        return LEDGER_NULL_GEOMETRY;
    case LAYER_SKIP_EMPTY_GEOMETRY:
        return LEDGER_EMPTY_GEOMETRY;
    case LAYER_SKIP_NO_AREA:
        return LEDGER_NO_AREA;
    case LAYER_SKIP_UNREADABLE:
        return LEDGER_UNREADABLE;
    case LAYER_SKIP_DELETED:
        return LEDGER_DELETED;
    }
    return LEDGER_UNREADABLE;
}

/* Feature index of a record (records ascend in layer order; a linear search when they do not). */
static size_t feature_of(const layer *l, int64_t record)
{
    size_t lo = 0, hi = layer_count(l);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (layer_record(l, mid) < record)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < layer_count(l) && layer_record(l, lo) == record) return lo;
    for (size_t i = 0; i < layer_count(l); i++)
        if (layer_record(l, i) == record) return i;
    return SIZE_MAX;
}

/* A ledger layer for l: counts, every skipped record (amount[k]: persons it carried, NULL: not a count),
 * every repair and a ballpark reprojection. jid / jname: the id and name fields (-1: none). */
static ems_status ledger_from_layer(emscov_ctx *ctx, analysis *a, const char *role, const layer *l, int jid,
                                    int jname, const double *amount)
{
    ledger *lg = a->result->ledger;
    size_t idx;
    ems_status st = ledger_add_layer(ctx, lg, role, layer_path(l), "records", &idx);
    if (st != EMS_OK) return st;
    ledger_layer *y = ledger_layer_at(lg, idx);
    y->read = layer_source_records(l);
    y->filtered = layer_filtered_count(l);
    y->used = layer_count(l);
    y->skipped = layer_skipped_count(l);
    for (size_t k = 0; st == EMS_OK && k < layer_skipped_count(l); k++) {
        char id[256], name[256];
        layer_skip_reason why = layer_skipped_reason(l, k);
        st = ledger_add(ctx, lg, role, layer_skipped_record(l, k), skipped_text(l, k, jid, id, sizeof id),
                        skipped_text(l, k, jname, name, sizeof name), skip_reason(why),
                        amount ? amount[k] : NAN, 1, NAN, NAN, NULL);
    }
    for (size_t k = 0; st == EMS_OK && k < layer_note_count(l); k++) {
        const layer_note *nt = layer_note_at(l, k);
        if (nt->kind == LAYER_NOTE_BALLPARK)
            st = ledger_add(ctx, lg, role, 0, NULL, NULL, LEDGER_BALLPARK_DATUM, NAN, 0, NAN, NAN, "%s",
                            nt->text);
        else if (nt->kind == LAYER_NOTE_REPAIRED) {
            size_t i = feature_of(l, nt->record);
            char id[256] = "", name[256] = "";
            if (i != SIZE_MAX) {
                text_of(l, i, jid, id, sizeof id);
                text_of(l, i, jname, name, sizeof name);
            }
            ledger_layer_at(lg, idx)->altered++;
            st = ledger_add(ctx, lg, role, nt->record, id, name, LEDGER_REPAIRED, NAN, 1, NAN, NAN, "%s",
                            nt->text);
        }
    }
    return st;
}

/* The sub-district layer's ledger, records named by code (or name) and name. */
static ems_status ledger_streets(emscov_ctx *ctx, analysis *a)
{
    const layer *l = a->in.streets;
    int jc = a->sc->street_code_field ? layer_field_index(l, a->sc->street_code_field) : -1;
    int jn = a->sc->street_name_field ? layer_field_index(l, a->sc->street_name_field) : -1;
    return ledger_from_layer(ctx, a, "streets", l, jc >= 0 ? jc : jn, jn, NULL);
}

/* ---- sub-district checks ----------------------------------------------------------------------------- */

typedef struct overlap_state {
    emscov_ctx *ctx;
    analysis *a;
    size_t self;
    ems_status st;
} overlap_state;

static bool on_candidate(size_t j, void *user)
{
    overlap_state *o = user;
    if (j <= o->self) return true;
    GEOSContextHandle_t h = emscov_geos(o->ctx);
    const layer *l = o->a->in.streets;
    const GEOSGeometry *g1 = layer_geom(l, o->self), *g2 = layer_geom(l, j);
    /* only pairs whose interiors meet can overlap (neighbours only touch): no overlay for those */
    if (GEOSRelatePattern_r(h, g1, g2, "T********") != 1) return true;
    GEOSGeometry *x = GEOSIntersection_r(h, g1, g2);
    double area = 0, cx = NAN, cy = NAN;
    if (!x) {
        o->st = emscov_fail(o->ctx, EMS_EINTERNAL, "sub-district overlap test failed: %s",
                            emscov_lib_message(o->ctx));
        return false;
    }
    GEOSArea_r(h, x, &area);
    if (area > 1e-6) {
        GEOSGeometry *pt = GEOSPointOnSurface_r(h, x);
        if (pt) {
            GEOSGeomGetX_r(h, pt, &cx);
            GEOSGeomGetY_r(h, pt, &cy);
        }
        GEOSGeom_destroy_r(h, pt);
    }
    GEOSGeom_destroy_r(h, x);
    if (area > 1e-6) {
        const result_subdistrict *s1 = &o->a->result->subdistricts[o->self],
                                 *s2 = &o->a->result->subdistricts[j];
        o->a->overlap_pairs++;
        o->a->overlap_m2 += area;
        emscov_warn(o->ctx,
                    "%s: records %lld (%s) and %lld (%s) overlap by %.1f m2 (people and stations there count "
                    "for record %lld only)",
                    layer_path(l), (long long)s1->record, s1->label, (long long)s2->record, s2->label, area,
                    (long long)s1->record);
        o->st = ledger_add(o->ctx, o->a->result->ledger, "streets", s2->record, s2->id, s2->name,
                           LEDGER_OVERLAP, NAN, 1, cx, cy, "overlaps record %lld (%s) by %.1f m2",
                           (long long)s1->record, s1->label, area);
    }
    return o->st == EMS_OK;
}

/* Sub-districts should tile the city: report overlaps (pairs, area) and holes enclosed by the union. */
static ems_status check_streets(emscov_ctx *ctx, analysis *a)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    const layer *l = a->in.streets;
    size_t n = layer_count(l);
    if (n == 0) return emscov_fail(ctx, EMS_EINPUT, "%s: no sub-district polygons", layer_path(l));
    for (size_t i = 0; i < n; i++) {
        int t = GEOSGeomTypeId_r(h, layer_geom(l, i));
        if (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON)
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: a sub-district must be a polygon",
                               layer_path(l), (long long)layer_record(l, i));
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
        if ((st = index_query_box(ctx, ix, box, on_candidate, &o)) == EMS_OK) st = o.st;
    }
    index_destroy(ix);
    if (st != EMS_OK) return st;
    /* holes: interior rings of the union of all sub-districts */
    GEOSGeometry **parts = ems_malloc(ctx, n * sizeof *parts);
    if (!parts) return EMS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        parts[i] = GEOSGeom_clone_r(h, layer_geom(l, i));
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    free(parts);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    GEOSGeom_destroy_r(h, coll);
    if (!u)
        return emscov_fail(ctx, EMS_EINTERNAL, "union of the sub-districts failed: %s",
                           emscov_lib_message(ctx));
    int np = GEOSGetNumGeometries_r(h, u);
    size_t nholes = 0;
    double hx = NAN, hy = NAN;
    for (int k = 0; k < np; k++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, u, k);
        for (int r = 0; r < GEOSGetNumInteriorRings_r(h, p); r++) {
            GEOSGeometry *hole =
                GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, GEOSGetInteriorRingN_r(h, p, r)), NULL, 0);
            double area = 0;
            if (hole) GEOSArea_r(h, hole, &area);
            if (hole && area > 1e-6 && !nholes++) {
                GEOSGeometry *pt = GEOSPointOnSurface_r(h, hole);
                if (pt) {
                    GEOSGeomGetX_r(h, pt, &hx);
                    GEOSGeomGetY_r(h, pt, &hy);
                }
                GEOSGeom_destroy_r(h, pt);
            }
            GEOSGeom_destroy_r(h, hole);
            a->hole_m2 += area;
        }
    }
    GEOSGeom_destroy_r(h, u);
    if (a->hole_m2 > 1e-6) {
        emscov_warn(ctx,
                    "%s: the sub-districts leave %.1f m2 inside the city uncovered (gaps between polygons); "
                    "people there count as outside every sub-district",
                    layer_path(l), a->hole_m2);
        st = ledger_add(ctx, a->result->ledger, "streets", 0, NULL, NULL, LEDGER_HOLES, NAN, nholes, hx, hy,
                        "%zu hole(s), %.1f m2 in all", nholes, a->hole_m2);
    }
    return st;
}

/* ---- population -------------------------------------------------------------------------------------- */

/* The demand points (step run ahead, during the road graph build: the computation, without the ledger). */
static ems_status demand_step(emscov_ctx *ctx, void *user)
{
    analysis *a = user;
    const scenario *sc = a->sc;
    demand_set *d = NULL;
    ems_status st;
    int jf;
    if (!strcmp(sc->pop_kind, "grid")) {
        grid *g = NULL;
        if ((st = grid_read(ctx, sc->population.path, &sc->population.opts, &g)) != EMS_OK) return st;
        if ((st = grid_check_counts(ctx, g, LIMITS_PERSONS_PER_CELL_MAX, "people")) == EMS_OK)
            st = demand_from_grid(ctx, g, a->in.working, a->in.streets, &d);
        a->pop_method = !strcmp(grid_format(g), "ESRI ASCII")
                            ? "grid cells (ESRI ASCII), one demand point per cell centre"
                            : "grid cells (raster read by GDAL), one demand point per cell centre";
        grid_destroy(g);
    } else if ((st = scenario_field(ctx, a->in.pop_layer, sc->pop_count_field, "[population] count_field",
                                    &jf)) != EMS_OK ||
               (st = scenario_field(ctx, strcmp(sc->pop_kind, "points") && a->in.pop_target ? a->in.pop_target
                                                                                            : a->in.pop_layer,
                                    sc->pop_levels_field, "[population] levels_field", &jf)) != EMS_OK) {
        return st;
    } else if (!strcmp(sc->pop_kind, "points")) {
        st = demand_from_points(ctx, a->in.pop_layer, sc->pop_count_field, sc->pop_levels_field,
                                a->in.streets, &d);
        a->pop_method = "points with counts";
    } else {
        st = demand_from_polygons(ctx, a->in.pop_layer, sc->pop_count_field, a->in.streets, a->in.pop_target,
                                  sc->pop_levels_field, &d);
        a->pop_method = a->in.pop_target ? "census polygons, dasymetric onto the target layer"
                                         : "census polygons, areal weighting";
    }
    a->demand = d;
    a->pop_counted = st == EMS_OK ? d->input_total : 0; /* the counts of the features with a geometry */
    if (st == EMS_OK && sc->pop_total > 0 && (st = demand_scale_to(ctx, d, sc->pop_total)) == EMS_OK)
        a->pop_weights = d->weight_total;
    return st;
}

static ems_status build_demand(emscov_ctx *ctx, analysis *a)
{
    const scenario *sc = a->sc;
    ledger *lg = a->result->ledger;
    ledger_population *lp = ledger_population_get(lg);
    ems_status st = ahead_finish(ctx, a->demand_step);
    demand_set *d = a->demand;
    a->demand = NULL;
    double counted = a->pop_counted;
    lp->scaled = st == EMS_OK && sc->pop_total > 0;
    /* the ledger of the population layer: skipped geometries with what they carried, zero / missing counts */
    size_t idx = 0;
    if (st == EMS_OK && a->in.pop_layer) {
        const layer *pl = a->in.pop_layer;
        size_t ns = layer_skipped_count(pl);
        double *amount = ems_calloc(ctx, ns ? ns : 1, sizeof *amount);
        if (!amount) st = EMS_ENOMEM;
        const char *levels = strcmp(sc->pop_kind, "points") ? NULL : sc->pop_levels_field;
        for (size_t k = 0; st == EMS_OK && k < ns; k++) {
            st = demand_skipped_count(ctx, pl, sc->pop_count_field, levels, k, &amount[k]);
            if (st == EMS_OK && !lp->scaled) {
                lp->dropped[skip_reason(layer_skipped_reason(pl, k))] += amount[k];
                lp->dropped_total += amount[k];
            }
            counted += amount[k];
            lp->dropped_records++;
            lp->dropped_weight += lp->scaled ? amount[k] : 0;
            /* scaled weights: the people the record would have carried at the run's scale (the total is spread
             * over the other records, so nothing is dropped from the account) */
            if (lp->scaled && a->pop_weights > 0)
                amount[k] *= sc->pop_total / a->pop_weights;
        }
        if (st == EMS_OK) st = ledger_from_layer(ctx, a, "population", pl, -1, -1, amount);
        free(amount);
        idx = ledger_layer_count(lg) - 1;
        if (st == EMS_OK) {
            ledger_layer *y = ledger_layer_at(lg, idx);
            lp->dropped_records += d->nskipped;
            y->used -= d->nskipped;
            y->skipped += d->nskipped;
        }
        for (size_t k = 0; st == EMS_OK && k < d->nskipped; k++) {
            bool zero = d->skipped[k].why == DEMAND_SKIP_ZERO;
            st = ledger_add(ctx, lg, "population", d->skipped[k].record, NULL, NULL,
                            zero ? LEDGER_ZERO_COUNT : LEDGER_MISSING_COUNT, zero ? 0 : NAN, 1, NAN, NAN,
                            "field %s", sc->pop_count_field);
        }
    } else if (st == EMS_OK) {
        if ((st = ledger_add_layer(ctx, lg, "population", sc->population.path, "cells", &idx)) == EMS_OK) {
            ledger_layer *y = ledger_layer_at(lg, idx);
            y->read = d->cells;
            y->used = d->n;
            y->skipped = d->cells_nodata + d->cells_zero;
            if (y->skipped)
                st = ledger_add(ctx, lg, "population", 0, NULL, NULL, LEDGER_NO_PEOPLE, NAN, y->skipped, NAN,
                                NAN, "%zu grid cells (%zu no data, %zu with 0)", y->skipped, d->cells_nodata,
                                d->cells_zero);
        }
    }
    if (st == EMS_OK && a->in.pop_target)
        st = ledger_from_layer(ctx, a, "population_target", a->in.pop_target, -1, -1, NULL);
    if (st != EMS_OK) {
        demand_set_destroy(d);
        return st;
    }
    lp->input = lp->scaled ? d->input_total : counted;
    lp->allocated = d->allocated_total;
    lp->outside = d->outside_total;
    size_t n = d->n;
    a->npoints = n;
    a->x = ems_malloc(ctx, (n ? n : 1) * sizeof *a->x);
    a->y = ems_malloc(ctx, (n ? n : 1) * sizeof *a->y);
    a->pop = ems_malloc(ctx, (n ? n : 1) * sizeof *a->pop);
    a->unit = ems_malloc(ctx, (n ? n : 1) * sizeof *a->unit);
    a->point_record = ems_malloc(ctx, (n ? n : 1) * sizeof *a->point_record);
    if (!a->x || !a->y || !a->pop || !a->unit || !a->point_record) {
        demand_set_destroy(d);
        return EMS_ENOMEM;
    }
    if (n) {
        memcpy(a->x, d->x, n * sizeof *a->x);
        memcpy(a->y, d->y, n * sizeof *a->y);
        memcpy(a->pop, d->pop, n * sizeof *a->pop);
        memcpy(a->point_record, d->record, n * sizeof *a->point_record);
    }
    for (size_t i = 0; i < n; i++)
        a->unit[i] = d->street[i] == DEMAND_NONE ? ANALYSIS_NONE : d->street[i];
    a->pop_input = lp->input;
    a->pop_allocated = d->allocated_total;
    a->pop_outside = d->outside_total;
    demand_set_destroy(d);
    return EMS_OK;
}

/* After coverage: demand outside every sub-district, off the road network or not reached, per source record
 * (grid cells: one row per reason for all cells). */
typedef struct pop_acc {
    double amount[3]; /* outside, off network, unreached */
    size_t cells[3];
    double x[3], y[3]; /* first such point */
    double total;
} pop_acc;

static const ledger_reason pop_reasons[3] = {LEDGER_OUTSIDE, LEDGER_OFF_NETWORK, LEDGER_UNREACHED};

static void acc_point(pop_acc *p, const analysis *a, size_t i)
{
    bool hit[3] = {a->unit[i] == ANALYSIS_NONE, !isfinite(a->cov->snap_m[i]),
                   isfinite(a->cov->snap_m[i]) && !isfinite(a->cov->time_s[i])};
    p->total += a->pop[i];
    for (int k = 0; k < 3; k++)
        if (hit[k]) {
            if (!p->cells[k]++) {
                p->x[k] = a->x[i];
                p->y[k] = a->y[i];
            }
            p->amount[k] += a->pop[i];
        }
}

static ems_status flush_acc(emscov_ctx *ctx, analysis *a, int64_t record, const pop_acc *p, bool cells)
{
    ems_status st = EMS_OK;
    for (int k = 0; st == EMS_OK && k < 3; k++) {
        if (!p->cells[k]) continue;
        ledger_reason why = pop_reasons[k];
        if (!cells && why == LEDGER_OUTSIDE && p->amount[k] < p->total) why = LEDGER_PARTLY_OUTSIDE;
        if (cells)
            st = ledger_add(ctx, a->result->ledger, "population", 0, NULL, NULL, why, p->amount[k],
                            p->cells[k], p->x[k], p->y[k], "%zu grid cells", p->cells[k]);
        else
            st = ledger_add(ctx, a->result->ledger, "population", record, NULL, NULL, why, p->amount[k], 1,
                            p->x[k], p->y[k], why == LEDGER_PARTLY_OUTSIDE ? "%.6g of its %.6g people" : NULL,
                            p->amount[k], p->total);
    }
    return st;
}

static ems_status ledger_demand(emscov_ctx *ctx, analysis *a)
{
    bool cells = !a->in.pop_layer;
    pop_acc acc = {0};
    ems_status st = EMS_OK;
    for (size_t i = 0; st == EMS_OK && i < a->npoints; i++) {
        if (!cells && i > 0 && a->point_record[i] != a->point_record[i - 1]) {
            st = flush_acc(ctx, a, a->point_record[i - 1], &acc, false);
            memset(&acc, 0, sizeof acc);
        }
        acc_point(&acc, a, i);
    }
    if (st == EMS_OK && a->npoints) st = flush_acc(ctx, a, a->point_record[a->npoints - 1], &acc, cells);
    return st;
}

/* ---- stations ---------------------------------------------------------------------------------------- */

typedef struct pos_key {
    double x, y;
    uint32_t index;
} pos_key;

static int cmp_pos(const void *pa, const void *pb)
{
    const pos_key *a = pa, *b = pb;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    if (a->y != b->y) return a->y < b->y ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static ems_status build_station_rows(emscov_ctx *ctx, analysis *a, int fid, int fname)
{
    const layer *l = a->in.stations;
    run_result *r = a->result;
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t n = layer_count(l);
    r->stations = ems_calloc(ctx, n ? n : 1, sizeof *r->stations);
    const char **ids = ems_malloc(ctx, (n ? n : 1) * sizeof *ids);
    uint32_t *first = ems_malloc(ctx, (n ? n : 1) * sizeof *first);
    pos_key *pk = ems_malloc(ctx, (n ? n : 1) * sizeof *pk);
    ems_status st = r->stations && ids && first && pk ? EMS_OK : EMS_ENOMEM;
    bool oom = false;
    r->nstations = n;
    for (size_t s = 0; st == EMS_OK && s < n && !oom; s++) {
        result_station *rs = &r->stations[s];
        const GEOSGeometry *g = layer_geom(l, s);
        char id[512], name[512], label[1100];
        rs->record = layer_record(l, s);
        if (GEOSGeomTypeId_r(h, g) != GEOS_POINT || !GEOSGeomGetX_r(h, g, &rs->x) ||
            !GEOSGeomGetY_r(h, g, &rs->y))
            st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: a station must be a point", layer_path(l),
                             (long long)rs->record);
        text_of(l, s, fid, id, sizeof id);
        if (fid < 0) snprintf(id, sizeof id, "record %lld", (long long)rs->record);
        rs->id = str(ctx, a, id, &oom);
        rs->name = str(ctx, a, text_of(l, s, fname, name, sizeof name), &oom);
        station_label(label, sizeof label, name, id, fid >= 0, rs->record);
        rs->label = str(ctx, a, label, &oom);
        ids[s] = fid >= 0 && rs->id ? rs->id : "";
        pk[s] = (pos_key){rs->x, rs->y, (uint32_t)s};
    }
    if (st == EMS_OK && oom) st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    if (st == EMS_OK) st = same_ids(ctx, ids, n, first);
    for (size_t s = 0; st == EMS_OK && s < n; s++)
        if (first[s] != s) {
            const result_station *rs = &r->stations[s], *f = &r->stations[first[s]];
            a->duplicate_station_ids++;
            emscov_warn(ctx, "%s: records %lld and %lld have the same %s \"%s\" (%s, %s)", layer_path(l),
                        (long long)f->record, (long long)rs->record, a->sc->station_id_field, rs->id,
                        f->label, rs->label);
            st = ledger_add(ctx, r->ledger, "stations", rs->record, rs->id, rs->name, LEDGER_DUPLICATE_ID,
                            NAN, 1, rs->x, rs->y, "same %s as record %lld", a->sc->station_id_field,
                            (long long)f->record);
        }
    /* duplicate positions are almost always a duplicated record */
    if (st == EMS_OK) qsort(pk, n, sizeof *pk, cmp_pos);
    for (size_t k = 1; st == EMS_OK && k < n; k++) {
        if (pk[k].x != pk[k - 1].x || pk[k].y != pk[k - 1].y) continue;
        size_t f = k - 1;
        while (f > 0 && pk[f - 1].x == pk[k].x && pk[f - 1].y == pk[k].y)
            f--;
        const result_station *rs = &r->stations[pk[k].index], *fs = &r->stations[pk[f].index];
        emscov_warn(ctx, "%s: records %lld and %lld are at the same place (%s, %s)", layer_path(l),
                    (long long)fs->record, (long long)rs->record, fs->label, rs->label);
        st = ledger_add(ctx, r->ledger, "stations", rs->record, rs->id, rs->name, LEDGER_DUPLICATE_POSITION,
                        NAN, 1, rs->x, rs->y, "same place as record %lld (%s)", (long long)fs->record,
                        fs->label);
    }
    free(ids);
    free(first);
    free(pk);
    return st;
}

static ems_status build_stations(emscov_ctx *ctx, analysis *a)
{
    const scenario *sc = a->sc;
    const layer *st_l = a->in.stations;
    size_t ns = layer_count(st_l);
    a->nstations = ns;
    int fa, ft, fid, fname;
    ems_status st;
    if ((st = scenario_field(ctx, st_l, sc->station_id_field, "[stations] id_field", &fid)) != EMS_OK ||
        (st = scenario_field(ctx, st_l, sc->station_name_field, "[stations] name_field", &fname)) != EMS_OK ||
        (st = scenario_field(ctx, st_l, sc->ambulances_field, "[stations] ambulances_field", &fa)) !=
            EMS_OK ||
        (st = scenario_field(ctx, st_l, sc->turnout_field, "[stations] turnout_field", &ft)) != EMS_OK)
        return st;
    if ((st = ledger_from_layer(ctx, a, "stations", st_l, fid, fname, NULL)) != EMS_OK) return st;
    if (ns == 0) return emscov_fail(ctx, EMS_EINPUT, "%s: no stations", layer_path(st_l));
    if ((st = build_station_rows(ctx, a, fid, fname)) != EMS_OK) return st;
    size_t m = ns;
    a->station_amb = ems_malloc(ctx, m * sizeof *a->station_amb);
    a->station_turnout = ems_malloc(ctx, m * sizeof *a->station_turnout);
    a->station_src = ems_malloc(ctx, m * sizeof *a->station_src);
    a->src_station = ems_malloc(ctx, m * sizeof *a->src_station);
    a->station_snap_m = ems_malloc(ctx, m * sizeof *a->station_snap_m);
    route_source *src = ems_malloc(ctx, m * sizeof *src);
    if (!a->station_amb || !a->station_turnout || !a->station_src || !a->src_station || !a->station_snap_m ||
        !src) {
        free(src);
        return EMS_ENOMEM;
    }
    ledger *lg = a->result->ledger;
    for (size_t s = 0; st == EMS_OK && s < ns; s++) {
        result_station *rs = &a->result->stations[s];
        long long rec = (long long)rs->record;
        a->station_amb[s] = fa >= 0 ? layer_value_number(st_l, s, (size_t)fa) : 1;
        a->station_turnout[s] = ft >= 0 ? layer_value_number(st_l, s, (size_t)ft) : 0;
        char where[700], what_amb[300], what_turnout[300];
        snprintf(where, sizeof where, "%s: record %lld (%s)", layer_path(st_l), rec, rs->label);
        snprintf(what_amb, sizeof what_amb, "field %s: ambulances", fa >= 0 ? sc->ambulances_field : "");
        snprintf(what_turnout, sizeof what_turnout, "field %s: turn-out time (s)", ft >= 0 ? sc->turnout_field : "");
        if ((st = limits_check(ctx, a->station_amb[s], 0, LIMITS_AMBULANCES_PER_STATION_MAX, where, what_amb)) !=
                EMS_OK ||
            (st = limits_check(ctx, a->station_turnout[s], 0, LIMITS_TURNOUT_S_MAX, where, what_turnout)) != EMS_OK)
            break;
        snap_pos p;
        a->station_src[s] = ANALYSIS_NONE;
        if (!snap_point(a->snap, rs->x, rs->y, sc->max_snap_m, &p)) {
            a->station_snap_m[s] = p.dist_m;
            a->stations_unsnapped++;
            rs->status = RESULT_STATION_OFF_NETWORK;
            emscov_warn(ctx,
                        "%s: %s, record %lld: station is %.0f m from the nearest road (max_snap_m %.0f): not "
                        "used for response times",
                        layer_path(st_l), rs->label, rec, p.dist_m, sc->max_snap_m);
            st = ledger_add(ctx, lg, "stations", rs->record, rs->id, rs->name, LEDGER_OFF_NETWORK, NAN, 1,
                            rs->x, rs->y, "%.0f m from the nearest road (max_snap_m %.0f)", p.dist_m,
                            sc->max_snap_m);
            continue;
        }
        a->station_snap_m[s] = p.dist_m;
        if (network_link_at(a->in.roads, p.link)->component != 0) {
            a->stations_small_component++;
            rs->status = RESULT_STATION_SMALL_COMPONENT;
            emscov_warn(ctx,
                        "%s: %s, record %lld: station is on a small road component cut off from the main "
                        "network",
                        layer_path(st_l), rs->label, rec);
            st = ledger_add(
                ctx, lg, "stations", rs->record, rs->id, rs->name, LEDGER_SMALL_COMPONENT, NAN, 1, rs->x,
                rs->y, "component of %zu road nodes",
                network_component_size(a->in.roads, network_link_at(a->in.roads, p.link)->component));
        }
        a->station_src[s] = (uint32_t)a->nsrc;
        a->src_station[a->nsrc] = (uint32_t)s;
        src[a->nsrc++] = (route_source){
            .pos = p, .delay_s = times_station_delay_s(a->station_turnout[s], sc->activation_s, p.dist_m,
                                             speed_profile_access_kmh(a->in.speed))};
    }
    if (st == EMS_OK && a->nsrc == 0)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no station within %.0f m of a road", layer_path(st_l),
                         sc->max_snap_m);
    route_opts o = {.labels = 2, .cutoff_s = 0};
    if (st == EMS_OK) st = route_multi_source(ctx, a->in.roads, src, a->nsrc, &o, &a->routes);
    free(src);
    return st;
}

/* One period's city-wide figures from its coverage. */
static void period_figures(const analysis *a, const coverage_stats *c, result_period *p)
{
    p->pop = c->pop;
    p->unreachable = c->unreachable;
    for (size_t k = 0; k < a->sc->nthresholds; k++) {
        p->covered[k] = c->covered[k];
        p->covered_share[k] = c->pop > 0 ? c->covered[k] / c->pop : NAN;
    }
    p->mean_s = c->mean_s;
    p->median_s = c->median_s;
    p->p90_s = c->p90_s;
    p->max_s = c->max_s;
    p->mean_verdict = !isfinite(c->mean_s) ? RESULT_NA : c->mean_s < a->sc->std->mean_below_s ? RESULT_PASS
                                                                                             : RESULT_FAIL;
}

/* [scenario] periods: the same stations and demand points on the graph re-timed for each period (network_retime),
 * one routing pass and the coverage each; the graph is re-timed back to the run's period afterwards. */
static ems_status compute_periods(emscov_ctx *ctx, analysis *a, const coverage_params *cp)
{
    const scenario *sc = a->sc;
    run_result *r = a->result;
    if (sc->nperiods == 0) return EMS_OK;
    if (!(r->periods = ems_calloc(ctx, sc->nperiods, sizeof *r->periods))) return EMS_ENOMEM;
    size_t ns = route_source_count(a->routes), nu = layer_count(a->in.streets);
    route_source *src = ems_malloc(ctx, (ns ? ns : 1) * sizeof *src);
    if (!src) return EMS_ENOMEM;
    for (size_t i = 0; i < ns; i++)
        src[i] = *route_source_at(a->routes, (uint32_t)i);
    ems_status st = EMS_OK;
    bool retimed = false;
    for (size_t k = 0; st == EMS_OK && k < sc->nperiods; k++) {
        result_period *p = &r->periods[r->nperiods++];
        if (!(p->name = run_result_str(ctx, r, sc->periods[k]))) {
            st = EMS_ENOMEM;
            break;
        }
        if (!strcmp(sc->periods[k], sc->period)) {
            p->run_period = true;
            period_figures(a, &a->cov->city, p);
            continue;
        }
        route_result *rr = NULL;
        coverage_result *cv = NULL;
        route_opts o = {.labels = 1, .cutoff_s = 0};
        retimed = true;
        if ((st = network_retime(ctx, a->in.roads, a->in.speed, sc->periods[k])) == EMS_OK &&
            (st = route_multi_source(ctx, a->in.roads, src, ns, &o, &rr)) == EMS_OK &&
            (st = coverage_compute(ctx, a->in.roads, a->snap, rr, a->npoints, a->x, a->y, a->pop, a->unit, nu, cp,
                                   &cv)) == EMS_OK)
            period_figures(a, &cv->city, p);
        coverage_destroy(cv);
        route_result_destroy(rr);
    }
    if (retimed && st == EMS_OK) st = network_retime(ctx, a->in.roads, a->in.speed, sc->period);
    free(src);
    return st;
}

/* A point layer read from lon/lat as WGS 84 that fits the roads markedly better taken as GCJ-02: a warning
 * (coords_fit.h). Layers converted on read (coords = gcj02 / bd09) and projected sources are not checked. */
static ems_status check_gcj02(emscov_ctx *ctx, const analysis *a, const scenario_source *src, const layer *l)
{
    if (!l || src->opts.from_gcj02 || src->opts.from_bd09 || !layer_source_crs(l) ||
        !crs_is_geographic(layer_source_crs(l)))
        return EMS_OK;
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t n = layer_count(l), m = 0;
    double *x = ems_malloc(ctx, (n ? n : 1) * sizeof *x), *y = ems_malloc(ctx, (n ? n : 1) * sizeof *y);
    ems_status st = x && y ? EMS_OK : EMS_ENOMEM;
    for (size_t i = 0; st == EMS_OK && i < n; i++) {
        const GEOSGeometry *g = layer_geom(l, i);
        if (g && GEOSGeomTypeId_r(h, g) == GEOS_POINT && GEOSGeomGetX_r(h, g, &x[m]) == 1 &&
            GEOSGeomGetY_r(h, g, &y[m]) == 1)
            m++;
    }
    coords_fit f;
    if (st == EMS_OK)
        st = coords_fit_gcj02(ctx, a->in.working, a->snap, x, y, m, &f);
    if (st == EMS_OK && f.suggests_gcj02)
        emscov_warn(ctx,
                    "%s: the points lie much closer to the roads when read as GCJ-02 (median %.0f m from a road "
                    "instead of %.0f m, %zu points): coordinates from a Chinese web map? Set coords = gcj02 in "
                    "[%s] (bd09 for Baidu)",
                    layer_path(l), f.median_gcj02_m, f.median_read_m, f.n, src->section);
    free(x);
    free(y);
    return st;
}

/* Stations in no sub-district, or on a boundary (gaps.h's rule counts them for the first). */
static ems_status ledger_station_places(emscov_ctx *ctx, analysis *a)
{
    ems_status st = EMS_OK;
    for (size_t s = 0; st == EMS_OK && s < a->nstations; s++) {
        const result_station *rs = &a->result->stations[s];
        uint32_t u = a->gaps->station_unit[s];
        if (u == GAPS_NONE) {
            emscov_warn(ctx, "%s: %s, record %lld: station is in no sub-district", layer_path(a->in.stations),
                        rs->label, (long long)rs->record);
            st = ledger_add(ctx, a->result->ledger, "stations", rs->record, rs->id, rs->name, LEDGER_OUTSIDE,
                            NAN, 1, rs->x, rs->y, NULL);
        } else if (a->gaps->on_boundary[s])
            st = ledger_add(ctx, a->result->ledger, "stations", rs->record, rs->id, rs->name,
                            LEDGER_ON_BOUNDARY, NAN, 1, rs->x, rs->y, "counted for %s",
                            a->result->subdistricts[u].label);
    }
    return st;
}

/* ---- roads and parks --------------------------------------------------------------------------------- */

/* One aggregate row of the roads layer (record 0) when count > 0 and nothing failed before: "N <what>". */
static ems_status roads_row(emscov_ctx *ctx, ledger *lg, ems_status st, ledger_reason r, size_t count,
                            const char *what)
{
    if (st != EMS_OK || count == 0) return st;
    return ledger_add(ctx, lg, "roads", 0, NULL, NULL, r, NAN, count, NAN, NAN, "%zu %s", count, what);
}

/* The roads layer of the ledger: roads read, used and skipped, and what each network rule changed
 * (network_stats; docs/method.md "Network rules"). */
static ems_status ledger_roads(emscov_ctx *ctx, analysis *a)
{
    const network_stats *ns = network_get_stats(a->in.roads);
    const network_rules *nr = network_get_rules(a->in.roads);
    ledger *lg = a->result->ledger;
    size_t idx;
    ems_status st = ledger_add_layer(ctx, lg, "roads", a->sc->roads.path, "roads", &idx);
    if (st != EMS_OK) return st;
    ledger_layer *y = ledger_layer_at(lg, idx);
    /* OSM ways left out before the graph builder (area = skip, reversible = skip, fewer than 2 nodes): read,
     * skipped */
    size_t rule_skipped = ns->area_skipped + ns->reversible_skipped + ns->ways_too_short;
    y->read = ns->roads_in + rule_skipped;
    y->skipped = ns->roads_skipped + ns->restricted_dropped + rule_skipped; /* access = strict drops roads too */
    y->used = y->read - y->skipped;
    size_t ends = nr->access == NETWORK_ACCESS_ENDS ? ns->restricted_roads - ns->restricted_dropped -
                                                          ns->restricted_opened : 0;
    st = roads_row(ctx, lg, st, LEDGER_NOT_DRIVABLE, ns->roads_skipped, "road(s)");
    st = roads_row(ctx, lg, st, LEDGER_NOT_DRIVABLE, ns->restricted_dropped,
                   "road(s) closed to ambulances by an access tag (access = strict)");
    st = roads_row(ctx, lg, st, LEDGER_NOT_DRIVABLE, ns->ways_too_short, "way(s) with fewer than 2 nodes");
    st = roads_row(ctx, lg, st, LEDGER_AREA_HIGHWAY, ns->area_skipped, "way(s)");
    st = roads_row(ctx, lg, st, LEDGER_REVERSIBLE, ns->reversible_skipped, "way(s)");
    st = roads_row(ctx, lg, st, LEDGER_ZERO_LENGTH_LINK, ns->zero_length_dropped, "link(s)");
    st = roads_row(ctx, lg, st, LEDGER_DUPLICATE_LINK, ns->duplicates_dropped, "link(s)");
    if (st == EMS_OK && ends)
        st = ledger_add(ctx, lg, "roads", 0, NULL, NULL, LEDGER_RESTRICTED_ENDS, NAN, ends, NAN, NAN,
                        "%zu road(s): %zu link(s), %.3f km", ends, ns->restricted_links, ns->restricted_km);
    st = roads_row(ctx, lg, st, LEDGER_ACCESS_IGNORED, ns->restricted_opened, "road(s)");
    st = roads_row(ctx, lg, st, LEDGER_OWN_SPEED_CAPPED, ns->own_speed_capped, "link(s)");
    st = roads_row(ctx, lg, st, LEDGER_OWN_SPEED_IGNORED, ns->own_speed_ignored, "link(s)");
    if (st == EMS_OK && ns->turns_applied)
        st = ledger_add(ctx, lg, "roads", 0, NULL, NULL, LEDGER_TURN_RESTRICTION, NAN, ns->turns_applied, NAN, NAN,
                        "%zu restriction(s): %zu forbidden turn sequence(s)", ns->turns_applied, ns->turn_sequences);
    st = roads_row(ctx, lg, st, LEDGER_TURN_UNRESOLVED, ns->turns_unresolved, "restriction(s)");
    st = roads_row(ctx, lg, st, LEDGER_TURN_OFF, ns->turns_off, "restriction(s)");
    return st;
}

/* The park coverage of residential land (step run ahead, during the road graph build). */
static ems_status parks_step(emscov_ctx *ctx, void *user)
{
    analysis *a = user;
    ems_status st = park_rules_load(ctx, a->sc->park_rules, &a->rules);
    if (st == EMS_OK)
        st = parks_compute(ctx, a->in.parks, a->in.residential, a->in.streets, a->rules, &a->parks);
    return st;
}

static ems_status compute_parks(emscov_ctx *ctx, analysis *a)
{
    size_t nu = layer_count(a->in.streets);
    bool *inside = NULL;
    ems_status st;
    if ((st = ahead_finish(ctx, a->parks_step)) != EMS_OK ||
        !(inside = ems_calloc(ctx, a->npoints ? a->npoints : 1, sizeof *inside)) ||
        !(a->unit_park_pop_covered = ems_calloc(ctx, nu ? nu : 1, sizeof *a->unit_park_pop_covered))) {
        free(inside);
        return st != EMS_OK ? st : EMS_ENOMEM;
    }
    if ((st = parks_population_share(ctx, a->parks, a->x, a->y, a->pop, a->npoints, inside,
                                     &a->park_pop_covered, &a->park_pop_total)) == EMS_OK)
        for (size_t i = 0; i < a->npoints; i++)
            if (inside[i] && a->unit[i] != ANALYSIS_NONE) a->unit_park_pop_covered[a->unit[i]] += a->pop[i];
    free(inside);
    if (st == EMS_OK) st = parks_service_layer(ctx, a->parks, a->rules, a->in.working, &a->park_service);
    /* the ledger: parks below the smallest tier do not serve anything */
    if (st == EMS_OK && (st = ledger_from_layer(ctx, a, "parks", a->in.parks, -1, -1, NULL)) == EMS_OK) {
        ledger_layer *y = ledger_find_layer(a->result->ledger, "parks");
        for (size_t p = 0; st == EMS_OK && p < a->parks->nparks; p++)
            if (a->parks->park_tier[p] == PARKS_EXCLUDED) {
                y->used--;
                y->skipped++;
                st = ledger_add(ctx, a->result->ledger, "parks", layer_record(a->in.parks, p), NULL, NULL,
                                LEDGER_BELOW_PARK_TIER, NAN, 1, NAN, NAN, "%.3f ha",
                                a->parks->park_area_m2[p] / 1e4);
            }
    }
    if (st == EMS_OK && a->in.residential)
        st = ledger_from_layer(ctx, a, "residential", a->in.residential, -1, -1, NULL);
    return st;
}

/* ---- the result model -------------------------------------------------------------------------------- */

static ems_status fill_result(emscov_ctx *ctx, analysis *a)
{
    const scenario *sc = a->sc;
    const standards *std = sc->std;
    run_result *r = a->result;
    bool oom = false;
    r->scenario_name = str(ctx, a, sc->name, &oom);
    r->scenario_path = str(ctx, a, sc->path, &oom);
    r->standards_name = str(ctx, a, std->name, &oom);
    r->standards_title = str(ctx, a, std->title, &oom);
    r->standards_path = str(ctx, a, std->path, &oom);
    const standards_service *sv = &std->service;
    r->service = (result_service){.key = str(ctx, a, sv->key, &oom),
                                  .name_zh = str(ctx, a, sv->name_zh, &oom),
                                  .name_en = str(ctx, a, sv->name_en, &oom),
                                  .facility_zh = str(ctx, a, sv->facility_zh, &oom),
                                  .facility_en = str(ctx, a, sv->facility_en, &oom),
                                  .facilities_en = str(ctx, a, sv->facilities_en, &oom),
                                  .mode = sv->walk ? "walk" : "drive",
                                  .vehicles = sv->vehicles,
                                  .source = str(ctx, a, sv->source, &oom)};
    r->coverage_share_min = std->coverage_share_min;
    r->crs_name = str(ctx, a, crs_name(a->in.working), &oom);
    r->epsg = crs_epsg(a->in.working);
    r->speed_path = str(ctx, a, sc->speed_path, &oom);
    r->period = str(ctx, a, sc->period, &oom);
    r->activation_s = sc->activation_s;
    r->max_snap_m = sc->max_snap_m;
    r->access_kmh = speed_profile_access_kmh(a->in.speed);
    r->nthresholds = sc->nthresholds;
    memcpy(r->thresholds_s, sc->thresholds_s, sc->nthresholds * sizeof *sc->thresholds_s);
    r->mean_below_s = std->mean_below_s;
    r->coverage_within_s = std->coverage_within_s;
    r->min_stations = std->min_stations;
    r->residents_per_ambulance = std->residents_per_ambulance;
    r->satisfaction_min = std->satisfaction_min;
    const scenario_source *srcs[] = {&sc->streets, &sc->stations,    &sc->population, &sc->roads,
                                     &sc->parks,   &sc->residential, &sc->pop_target, &sc->calls};
    const char *roles[] = {"streets", "stations",    "population",        "roads",
                           "parks",   "residential", "population_target", "calls"};
    for (size_t k = 0; k < sizeof roles / sizeof *roles; k++) {
        r->inputs[k].role = roles[k];
        r->inputs[k].path = str(ctx, a, srcs[k]->path, &oom);
    }
    r->ninputs = sizeof roles / sizeof *roles;
    r->pop_method = a->pop_method;
    r->demand_points = a->npoints;
    r->pop_weights = a->pop_weights;

    take_times(&a->cov->city, &r->pop, &r->unreachable, r->covered, &r->mean_s, &r->median_s, &r->p90_s, &r->max_s);
    r->stations_off = a->stations_unsnapped;
    r->stations_small = a->stations_small_component;
    r->stations_main = a->nstations - a->stations_unsnapped - a->stations_small_component;
    r->stations_outside = a->gaps->outside;
    for (size_t s = 0; s < a->nstations; s++)
        r->stations_on_boundary += a->gaps->on_boundary[s];
    r->ambulances = a->amb->city.ambulances;
    r->amb_per_n = a->amb->city.per_n;
    r->amb_required = a->amb->city.required;
    r->amb_shortfall = a->amb->city.shortfall;
    r->outside_ambulances = a->amb->outside_ambulances;
    r->overlap_pairs = a->overlap_pairs;
    r->overlap_m2 = a->overlap_m2;
    r->hole_m2 = a->hole_m2;
    r->duplicate_station_ids = a->duplicate_station_ids;

    if (a->calls_cov) {
        result_calls *rc = &r->calls;
        const coverage_stats *cc = &a->calls_cov->city;
        rc->present = true;
        rc->path = str(ctx, a, sc->calls.path, &oom);
        rc->points = a->calls->n;
        take_times(cc, &rc->calls, &rc->unreachable, rc->covered, &rc->mean_s, &rc->median_s, &rc->p90_s, &rc->max_s);
        rc->by_hour = a->call_hours;
        memcpy(rc->hour_calls, a->call_hour, sizeof rc->hour_calls);
        memcpy(rc->hour_covered, a->call_hour_covered, sizeof rc->hour_covered);
        for (size_t u = 0; u < r->nsubdistricts; u++) {
            r->subdistricts[u].calls = a->calls_cov->units[u].pop;
            r->subdistricts[u].calls_covered = a->calls_cov->units[u].covered[0];
            r->subdistricts[u].calls_mean_s = a->calls_cov->units[u].mean_s;
        }
    }
    result_parks *rp = &r->parks;
    rp->target_share = std->park_target_share;
    rp->target_source = str(ctx, a, std->source_parks, &oom);
    if (a->parks) {
        rp->present = true;
        rp->residential = a->in.residential != NULL;
        rp->rule_name = str(ctx, a, park_rules_name(a->rules), &oom);
        rp->rule_standard = str(ctx, a, park_rules_standard(a->rules), &oom);
        rp->rule_clause = str(ctx, a, park_rules_clause(a->rules), &oom);
        /* a rule set the scenario picks is applied as written, with its own target; the standards file's
         * target goes with the standards file's rule set */
        if (sc->park_rules_own || !isfinite(std->park_target_share)) {
            rp->target_from_rule = true;
            rp->target_share = park_rules_target_share(a->rules);
            rp->target_strict = park_rules_target_strict(a->rules);
            rp->target_source = rp->rule_standard;
        }
        rp->residential_m2 = a->parks->city.residential_m2;
        rp->covered_m2 = a->parks->city.covered_m2;
        rp->pop_covered = a->park_pop_covered;
        rp->pop_total = a->park_pop_total;
        rp->parks_included = a->parks->parks_included;
        rp->parks_excluded = a->parks->parks_excluded;
    }

    for (size_t u = 0; u < r->nsubdistricts; u++) {
        result_subdistrict *s = &r->subdistricts[u];
        const coverage_stats *cu = &a->cov->units[u];
        const ambulance_row *am = &a->amb->units[u];
        s->area_m2 = a->gaps->area_m2[u];
        s->pop = cu->pop;
        s->unreachable = cu->unreachable;
        memcpy(s->covered, cu->covered, sizeof s->covered);
        s->mean_s = cu->mean_s;
        s->median_s = cu->median_s;
        s->p90_s = cu->p90_s;
        s->max_s = cu->max_s;
        s->stations = a->gaps->count[u];
        s->ambulances = am->ambulances;
        s->amb_per_n = am->per_n;
        s->amb_required = am->required;
        s->amb_shortfall = am->shortfall;
        s->park_share = a->parks && a->parks->units && a->in.residential ? a->parks->units[u].share : NAN;
        s->park_pop_share = a->parks && cu->pop > 0 ? a->unit_park_pop_covered[u] / cu->pop : NAN;
    }
    r->districts = ems_calloc(ctx, a->ndistricts ? a->ndistricts : 1, sizeof *r->districts);
    if (!r->districts) return EMS_ENOMEM;
    r->ndistricts = a->ndistricts;
    for (size_t d = 0; d < a->ndistricts; d++) {
        result_district *rd = &r->districts[d];
        const ambulance_row *am = &a->amb->districts[d];
        rd->name = str(ctx, a, a->districts[d], &oom);
        rd->pop = am->pop;
        rd->ambulances = am->ambulances;
        rd->amb_per_n = am->per_n;
        rd->amb_required = am->required;
        rd->amb_shortfall = am->shortfall;
    }
    for (size_t u = 0; u < r->nsubdistricts; u++) {
        r->districts[a->unit_district[u]].subdistricts++;
        r->districts[a->unit_district[u]].gaps += (double)a->gaps->count[u] < std->min_stations;
        r->districts[a->unit_district[u]].stations += a->gaps->count[u];
    }
    for (size_t s = 0; s < a->nstations; s++) {
        result_station *rs = &r->stations[s];
        uint32_t src = a->station_src[s];
        rs->ambulances = a->station_amb[s];
        rs->turnout_s = a->station_turnout[s];
        rs->snap_m = a->station_snap_m[s];
        rs->workload = src == ANALYSIS_NONE ? 0 : a->cov->workload[src];
        rs->subdistrict = a->gaps->station_unit[s] == GAPS_NONE ? RESULT_NONE : a->gaps->station_unit[s];
        rs->on_boundary = a->gaps->on_boundary[s];
    }
    if (oom) return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    return EMS_OK;
}

/* The geometry side of the result, borrowed from the analysis. */
static ems_status fill_geo(emscov_ctx *ctx, analysis *a)
{
    result_geo *g = &a->result->geo;
    a->point_station = ems_malloc(ctx, (a->npoints ? a->npoints : 1) * sizeof *a->point_station);
    if (!a->point_station) return EMS_ENOMEM;
    for (size_t i = 0; i < a->npoints; i++)
        a->point_station[i] =
            a->cov->nearest[i] == COVERAGE_NONE ? RESULT_NONE : a->src_station[a->cov->nearest[i]];
    *g = (result_geo){.working = a->in.working,
                      .streets = a->in.streets,
                      .npoints = a->npoints,
                      .x = a->x,
                      .y = a->y,
                      .pop = a->pop,
                      .time_s = a->cov->time_s,
                      .backup_s = a->cov->backup_s,
                      .snap_m = a->cov->snap_m,
                      .point_station = a->point_station,
                      .point_subdistrict = a->unit,
                      .areas = a->areas_done ? a->areas : NULL, /* the step may still run (deferred) */
                      .area_bands_s = a->area_bands_s,
                      .nbands = a->nbands,
                      .park_service = a->park_service};
    return EMS_OK;
}

ems_status analysis_finish(emscov_ctx *ctx, analysis *a)
{
    if (!a->areas_step || a->areas_done) return EMS_OK;
    double t0 = now();
    ems_status st = ahead_finish(ctx, a->areas_step);
    if (st != EMS_OK) return st;
    a->areas_done = true;
    a->result->geo.areas = a->areas;
    run_result_add_timing(a->result, "service-area polygons (waited for)", now() - t0);
    run_result_add_timing(a->result, "service-area polygons, on their own thread", ahead_seconds(a->areas_step));
    return EMS_OK;
}

/* While the road graph is built: the demand points and the park coverage, computed now on this thread and
 * reported at their turn (ahead.h), so the run prints and fails as if they ran in order. */
static ems_status meanwhile(emscov_ctx *ctx, scenario_inputs *in, void *user)
{
    analysis *a = user;
    ems_status st = EMS_OK;
    if (in->parks) st = ahead_start(ctx, false, parks_step, a, &a->parks_step);
    if (st == EMS_OK) st = ahead_start(ctx, false, demand_step, a, &a->demand_step);
    a->meanwhile_done = now();
    return st;
}

/* The snapping index over the road segments (step run on a thread of its own while the sub-districts are
 * checked and the population ledger is made; its turn is just before the stations are snapped). */
static ems_status snap_step(emscov_ctx *ctx, void *user)
{
    analysis *a = user;
    ems_status st = snap_index_build(ctx, a->in.roads, &a->snap);
    return st == EMS_OK ? snap_index_set_mode(ctx, a->snap, a->sc->snap) : st;
}

/* The service areas (step run on a thread of its own while the demand points are timed): bands at a quarter,
 * half, three quarters and the whole of the standard's time. Reads only the network and the routes. */
static ems_status areas_step(emscov_ctx *ctx, void *user)
{
    analysis *a = user;
    isochrone_opts io = {.bands_s = a->area_bands_s,
                         .nbands = a->nbands,
                         .buffer_m = a->sc->buffer_m,
                         .cell_m = a->sc->cell_m};
    return isochrone_build(ctx, a->in.roads, a->routes, &io, &a->areas);
}

ems_status analysis_run(emscov_ctx *ctx, const scenario *sc, analysis **out)
{
    return analysis_run_opts(ctx, sc, NULL, out);
}

ems_status analysis_run_opts(emscov_ctx *ctx, const scenario *sc, const analysis_opts *o, analysis **out)
{
    *out = NULL;
    analysis *a = ems_calloc(ctx, 1, sizeof *a);
    if (!a) return EMS_ENOMEM;
    a->sc = sc;
    double t0 = now();
    ems_status st = run_result_create(ctx, &a->result);
    if (st == EMS_OK) st = scenario_load_inputs_with(ctx, sc, &a->in, meanwhile, a);
    if (st == EMS_OK) {
        lap(a, "read inputs + build road graph", &t0);
        if (a->demand_step)
            run_result_add_timing(a->result, "of which demand points, while the roads were built",
                                  ahead_seconds(a->demand_step));
        if (a->parks_step)
            run_result_add_timing(a->result, "of which park coverage, while the roads were built",
                                  ahead_seconds(a->parks_step));
        if (a->meanwhile_done > 0)
            run_result_add_timing(a->result, "of which waited for the road graph", t0 - a->meanwhile_done);
        st = ahead_start(ctx, true, snap_step, a, &a->snap_step);
    }
    if (st == EMS_OK && (st = ledger_streets(ctx, a)) == EMS_OK &&
        (st = build_subdistricts(ctx, a)) == EMS_OK && (st = ledger_roads(ctx, a)) == EMS_OK &&
        (st = check_streets(ctx, a)) == EMS_OK && (st = build_demand(ctx, a)) == EMS_OK) {
        lap(a, "population to demand points", &t0);
        if ((st = ahead_finish(ctx, a->snap_step)) == EMS_OK)
            st = build_stations(ctx, a);
    }
    if (st == EMS_OK)
        st = check_gcj02(ctx, a, &sc->stations, a->in.stations);
    if (st == EMS_OK && !strcmp(sc->pop_kind, "points"))
        st = check_gcj02(ctx, a, &sc->population, a->in.pop_layer);
    size_t nu = a->in.streets ? layer_count(a->in.streets) : 0;
    /* The service areas on their own thread: from here while the demand points are timed; when the caller
     * waits for them later (deferred: while it writes the other tables), only once they are timed, so that the
     * timing has both cores */
    bool areas = !(o && o->no_service_areas), defer = o && o->defer_service_areas;
    if (st == EMS_OK && areas) {
        a->nbands = 4; /* set here: fill_geo reads them while the step may still run */
        for (size_t b = 0; b < 4; b++)
            a->area_bands_s[b] = sc->std->coverage_within_s * (double)(b + 1) / 4;
        if (!defer) st = ahead_start(ctx, true, areas_step, a, &a->areas_step);
    }
    if (st == EMS_OK) {
        lap(a, "snap stations + routing (2 labels)", &t0);
        coverage_params cp = {.nthresholds = sc->nthresholds,
                              .max_snap_m = sc->max_snap_m,
                              .access_kmh = speed_profile_access_kmh(a->in.speed)};
        memcpy(cp.thresholds_s, sc->thresholds_s, sc->nthresholds * sizeof *cp.thresholds_s);
        st = coverage_compute(ctx, a->in.roads, a->snap, a->routes, a->npoints, a->x, a->y, a->pop, a->unit,
                              nu, &cp, &a->cov);
        if (st == EMS_OK && sc->nperiods) {
            lap(a, "response-time coverage", &t0);
            if ((st = compute_periods(ctx, a, &cp)) == EMS_OK) lap(a, "coverage in each period", &t0);
        }
        if (st == EMS_OK) st = build_calls(ctx, a, &cp, nu);
    }
    if (st == EMS_OK && areas && defer) st = ahead_start(ctx, true, areas_step, a, &a->areas_step);
    if (st == EMS_OK && (st = ledger_demand(ctx, a)) == EMS_OK) {
        if (!sc->nperiods) lap(a, "response-time coverage", &t0);
        st = gaps_compute(ctx, a->in.streets, a->in.stations, sc->std->min_stations, &a->gaps);
    }
    if (st == EMS_OK) st = ledger_station_places(ctx, a);
    if (st == EMS_OK && !(a->unit_pop = ems_calloc(ctx, nu ? nu : 1, sizeof *a->unit_pop))) st = EMS_ENOMEM;
    if (st == EMS_OK) {
        for (size_t u = 0; u < nu; u++)
            a->unit_pop[u] = a->cov->units[u].pop;
        st = ambulance_compute(ctx, a->station_amb, a->gaps->station_unit, a->nstations, a->unit_pop,
                               a->unit_district, nu, a->ndistricts, a->pop_allocated,
                               sc->std->residents_per_ambulance, &a->amb);
    }
    if (st == EMS_OK) lap(a, "stations per sub-district + ambulances", &t0);
    if (st == EMS_OK && a->in.parks && (st = compute_parks(ctx, a)) == EMS_OK)
        lap(a, "park service-radius coverage", &t0);
    else if (st == EMS_OK && a->in.residential)
        st = ledger_from_layer(ctx, a, "residential", a->in.residential, -1, -1, NULL);
    if (st == EMS_OK && !defer && (st = analysis_finish(ctx, a)) == EMS_OK)
        t0 = now(); /* the wait was timed by analysis_finish */
    const standards *std = sc->std;
    const char *sources[RESULT_NTARGETS] = {std->source_response, std->source_stations, std->source_ambulances,
                                            std->source_parks, std->source_calls, std->source_response};
    if (st == EMS_OK && (st = fill_result(ctx, a)) == EMS_OK && (st = fill_geo(ctx, a)) == EMS_OK &&
        (st = run_result_judge(ctx, a->result, sources)) == EMS_OK)
        st = ledger_check(ctx, a->result->ledger);
    if (st != EMS_OK) {
        analysis_destroy(a);
        return st;
    }
    *out = a;
    return EMS_OK;
}

void analysis_destroy(analysis *a)
{
    if (!a) return;
    /* first: no step may still be reading the inputs or writing its result (a run that failed meanwhile) */
    ahead_wait(a->snap_step);
    ahead_wait(a->areas_step);
    scenario_inputs_fini(&a->in);
    free(a->x);
    free(a->y);
    free(a->pop);
    free(a->unit);
    free(a->point_record);
    free(a->point_station);
    free(a->station_amb);
    free(a->station_turnout);
    free(a->src_station);
    free(a->station_src);
    free(a->station_snap_m);
    snap_index_destroy(a->snap);
    route_result_destroy(a->routes);
    coverage_destroy(a->cov);
    coverage_destroy(a->calls_cov);
    demand_set_destroy(a->calls);
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
    layer_destroy(a->park_service);
    run_result_destroy(a->result);
    demand_set_destroy(a->demand);
    /* last: what the steps made is bound to their ctx */
    ahead_destroy(a->areas_step);
    ahead_destroy(a->snap_step);
    ahead_destroy(a->parks_step);
    ahead_destroy(a->demand_step);
    free(a);
}
