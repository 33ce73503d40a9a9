/* geo/layer.c: the feature table shared by every reader (see layer.h): storage, validation and repair of
 * polygons on append, extents, reprojection and the dispatch to per-format readers. */
#include "geo/layer.h"
#include "geo/layer_internal.h"
#include "geo/pg.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct feature {
    GEOSGeometry *geom;
    int64_t record;
    layer_value *values; /* field_count of them, or NULL when the layer has no fields */
} feature;

typedef struct skipped_rec {
    int64_t record;
    layer_skip_reason reason;
    layer_value *values; /* as in feature */
} skipped_rec;

struct layer {
    emscov_ctx *ctx; /* for GEOS frees in layer_destroy */
    char *path;
    char *format;
    layer_field *fields;
    size_t nfields, fields_cap;
    feature *features;
    size_t nfeatures, features_cap;
    skipped_rec *skipped;
    size_t nskipped, skipped_cap;
    size_t nfiltered; /* features and skipped records left out by layer_filter */
    layer_note *notes;
    size_t nnotes, notes_cap;
    size_t source_records;
    crs *crs_now;
    crs *crs_source;
    char *crs_from;
    char *encoding;
    char *encoding_from;
    double src_ext[4];
    bool has_src_ext;
    int geom_type_id; /* GEOS type id shared by all features, -1 none yet, -2 mixed */
    bool null_geometry_ok; /* an output table: a NULL geometry is kept as a row without one */
};

static void free_values(const layer *l, layer_value *v)
{
    if (!v)
        return;
    for (size_t j = 0; j < l->nfields; j++)
        if (l->fields[j].type == LAYER_FIELD_STRING && !v[j].is_null)
            free((char *)v[j].u.s);
    free(v);
}

ems_status layer_create(emscov_ctx *ctx, const char *path, const char *format, const crs *c, layer **out)
{
    *out = NULL;
    layer *l = ems_calloc(ctx, 1, sizeof *l);
    if (!l)
        return EMS_ENOMEM;
    l->ctx = ctx;
    l->geom_type_id = -1;
    l->path = ems_strdup(ctx, path ? path : "");
    l->format = ems_strdup(ctx, format ? format : "");
    if (!l->path || !l->format) {
        layer_destroy(l);
        return EMS_ENOMEM;
    }
    if (c) {
        ems_status st = layer_set_crs(ctx, l, c, "given");
        if (st != EMS_OK) {
            layer_destroy(l);
            return st;
        }
    }
    *out = l;
    return EMS_OK;
}

void layer_destroy(layer *l)
{
    if (!l)
        return;
    GEOSContextHandle_t h = emscov_geos(l->ctx);
    for (size_t i = 0; i < l->nfeatures; i++) {
        GEOSGeom_destroy_r(h, l->features[i].geom);
        free_values(l, l->features[i].values);
    }
    free(l->features);
    for (size_t k = 0; k < l->nskipped; k++)
        free_values(l, l->skipped[k].values);
    free(l->skipped);
    for (size_t j = 0; j < l->nfields; j++)
        free((char *)l->fields[j].name);
    free(l->fields);
    for (size_t k = 0; k < l->nnotes; k++)
        free((char *)l->notes[k].text);
    free(l->notes);
    crs_destroy(l->crs_now);
    crs_destroy(l->crs_source);
    free(l->crs_from);
    free(l->encoding);
    free(l->encoding_from);
    free(l->path);
    free(l->format);
    free(l);
}

ems_status layer_add_field(emscov_ctx *ctx, layer *l, const char *name, layer_field_type type, int width,
                           int precision)
{
    if (l->nfeatures > 0 || l->nskipped > 0)
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: field %s added after the first feature", l->path, name);
    if (!ems_grow(ctx, (void **)&l->fields, &l->fields_cap, l->nfields + 1, sizeof *l->fields))
        return EMS_ENOMEM;
    char *copy = ems_strdup(ctx, name);
    if (!copy)
        return EMS_ENOMEM;
    l->fields[l->nfields++] = (layer_field){.name = copy, .type = type, .width = width, .precision = precision};
    return EMS_OK;
}

static ems_status note_vadd(emscov_ctx *ctx, layer *l, layer_note_kind kind, int64_t record, const char *fmt,
                            va_list ap) EMS_PRINTF(5, 0);

static ems_status note_vadd(emscov_ctx *ctx, layer *l, layer_note_kind kind, int64_t record, const char *fmt,
                            va_list ap)
{
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (!ems_grow(ctx, (void **)&l->notes, &l->notes_cap, l->nnotes + 1, sizeof *l->notes))
        return EMS_ENOMEM;
    char *text = ems_strdup(ctx, buf);
    if (!text)
        return EMS_ENOMEM;
    l->notes[l->nnotes++] = (layer_note){.kind = kind, .record = record, .text = text};
    return EMS_OK;
}

ems_status layer_note_add(emscov_ctx *ctx, layer *l, layer_note_kind kind, int64_t record, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ems_status st = note_vadd(ctx, l, kind, record, fmt, ap);
    va_end(ap);
    return st;
}

static bool is_polygonal(int type_id)
{
    return type_id == GEOS_POLYGON || type_id == GEOS_MULTIPOLYGON;
}

/* GEOSMakeValid can return a collection mixing polygons with lines or points (collapsed parts): keep the
 * polygonal part, as the feature's meaning is an area. Takes g; returns a new polygonal geometry or NULL
 * when nothing polygonal is left, or (with *oom set) when out of memory. */
static GEOSGeometry *keep_polygonal(emscov_ctx *ctx, GEOSGeometry *g, bool *oom)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    *oom = false;
    int t = GEOSGeomTypeId_r(h, g);
    if (is_polygonal(t))
        return g;
    if (t != GEOS_GEOMETRYCOLLECTION) {
        GEOSGeom_destroy_r(h, g);
        return NULL;
    }
    int n = GEOSGetNumGeometries_r(h, g);
    GEOSGeometry **parts = ems_malloc(ctx, (size_t)(n > 0 ? n : 1) * sizeof *parts);
    *oom = !parts;
    int np = 0;
    for (int i = 0; parts && i < n; i++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
        if (is_polygonal(GEOSGeomTypeId_r(h, p)) && !GEOSisEmpty_r(h, p))
            parts[np++] = GEOSGeom_clone_r(h, p);
    }
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *out = NULL;
    if (parts && np > 0) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
        out = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        GEOSGeom_destroy_r(h, coll);
        if (out && !is_polygonal(GEOSGeomTypeId_r(h, out))) {
            GEOSGeom_destroy_r(h, out);
            out = NULL;
        }
    }
    free(parts);
    return out;
}

/* Validate a polygonal geometry; repair it with GEOSMakeValid when invalid and note record + reason.
 * Takes *g; on return *g is valid (possibly NULL when the repair leaves nothing polygonal). */
static ems_status validate_polygon(emscov_ctx *ctx, layer *l, GEOSGeometry **g, int64_t record)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    char *reason = NULL;
    GEOSGeometry *where = NULL;
    char v = GEOSisValidDetail_r(h, *g, 0, &reason, &where);
    if (v == 1)
        return EMS_OK;
    if (v == 2) {
        GEOSGeom_destroy_r(h, *g);
        *g = NULL;
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: record %lld: GEOS validity check failed: %s", l->path,
                           (long long)record, emscov_lib_message(ctx));
    }
    double x = NAN, y = NAN;
    if (where) {
        GEOSGeomGetX_r(h, where, &x);
        GEOSGeomGetY_r(h, where, &y);
    }
    char text[256];
    snprintf(text, sizeof text, "%s at (%.3f %.3f)", reason ? reason : "invalid", x, y);
    GEOSFree_r(h, reason);
    GEOSGeom_destroy_r(h, where);

    GEOSGeometry *fixed = GEOSMakeValid_r(h, *g);
    GEOSGeom_destroy_r(h, *g);
    *g = NULL;
    if (!fixed)
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: record %lld: repair failed (%s): %s", l->path,
                           (long long)record, text, emscov_lib_message(ctx));
    bool oom;
    fixed = keep_polygonal(ctx, fixed, &oom);
    if (oom)
        return EMS_ENOMEM;
    if (!fixed || GEOSisEmpty_r(h, fixed)) {
        GEOSGeom_destroy_r(h, fixed);
        return layer_note_add(ctx, l, LAYER_NOTE_EMPTY, record, "invalid polygon (%s) has no area once repaired: "
                              "skipped", text);
    }
    ems_status st = layer_note_add(ctx, l, LAYER_NOTE_REPAIRED, record, "%s: repaired with GEOSMakeValid", text);
    if (st != EMS_OK) { /* *g stays NULL: nothing taken is left behind */
        GEOSGeom_destroy_r(h, fixed);
        return st;
    }
    *g = fixed;
    return EMS_OK;
}

/* The layer type after adding a geometry of GEOS type t to a layer of type known (-1 none yet, -2 mixed):
 * single and multi forms of a type count as one layer type (shapefiles mix them freely). */
static int merge_type(int known, int t)
{
    int base = t == GEOS_MULTIPOINT ? GEOS_POINT : t == GEOS_MULTILINESTRING ? GEOS_LINESTRING
             : t == GEOS_MULTIPOLYGON ? GEOS_POLYGON : t;
    if (known == -1)
        return t;
    if (known < 0 || known == t)
        return known;
    int kbase = known == GEOS_MULTIPOINT ? GEOS_POINT : known == GEOS_MULTILINESTRING ? GEOS_LINESTRING
              : known == GEOS_MULTIPOLYGON ? GEOS_POLYGON : known;
    if (kbase != base)
        return -2;
    return base == GEOS_POINT ? GEOS_MULTIPOINT : base == GEOS_LINESTRING ? GEOS_MULTILINESTRING : GEOS_MULTIPOLYGON;
}

/* A copy of values (layer_field_count of them; NULL: all null) into *out; NULL when the layer has no fields. */
static ems_status copy_values(emscov_ctx *ctx, const layer *l, const layer_value *values, layer_value **out)
{
    *out = NULL;
    if (l->nfields == 0)
        return EMS_OK;
    layer_value *copy = ems_calloc(ctx, l->nfields, sizeof *copy);
    if (!copy)
        return EMS_ENOMEM;
    for (size_t j = 0; j < l->nfields; j++) {
        if (!values) {
            copy[j].is_null = true;
            continue;
        }
        copy[j] = values[j];
        if (l->fields[j].type == LAYER_FIELD_STRING && !values[j].is_null) {
            copy[j].u.s = ems_strdup(ctx, values[j].u.s ? values[j].u.s : "");
            if (!copy[j].u.s) {
                for (size_t k = j; k < l->nfields; k++)
                    copy[k].is_null = true;
                free_values(l, copy);
                return EMS_ENOMEM;
            }
        }
    }
    *out = copy;
    return EMS_OK;
}

ems_status layer_append_skipped(emscov_ctx *ctx, layer *l, int64_t record, layer_skip_reason reason,
                                const layer_value *values)
{
    if (!ems_grow(ctx, (void **)&l->skipped, &l->skipped_cap, l->nskipped + 1, sizeof *l->skipped))
        return EMS_ENOMEM;
    layer_value *copy = NULL;
    ems_status st = copy_values(ctx, l, values, &copy);
    if (st != EMS_OK)
        return st;
    l->skipped[l->nskipped++] = (skipped_rec){.record = record, .reason = reason, .values = copy};
    return EMS_OK;
}

static ems_status append(emscov_ctx *ctx, layer *l, GEOSGeometry *geom, int64_t record, const layer_value *values,
                         bool validate)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    if (!geom && l->null_geometry_ok) {
        layer_value *copy = NULL;
        ems_status st = ems_grow(ctx, (void **)&l->features, &l->features_cap, l->nfeatures + 1,
                                 sizeof *l->features) ? copy_values(ctx, l, values, &copy) : EMS_ENOMEM;
        if (st == EMS_OK)
            l->features[l->nfeatures++] = (feature){.geom = NULL, .record = record, .values = copy};
        return st;
    }
    if (!geom || GEOSisEmpty_r(h, geom)) {
        layer_skip_reason why = geom ? LAYER_SKIP_EMPTY_GEOMETRY : LAYER_SKIP_NULL_GEOMETRY;
        GEOSGeom_destroy_r(h, geom);
        ems_status st = layer_note_add(ctx, l, LAYER_NOTE_EMPTY, record, "%s: skipped", layer_skip_reason_text(why));
        return st == EMS_OK ? layer_append_skipped(ctx, l, record, why, values) : st;
    }
    int t = GEOSGeomTypeId_r(h, geom);
    if (validate && is_polygonal(t)) {
        ems_status st = validate_polygon(ctx, l, &geom, record);
        if (st != EMS_OK)
            return st;
        if (!geom)
            return layer_append_skipped(ctx, l, record, LAYER_SKIP_NO_AREA, values);
        t = GEOSGeomTypeId_r(h, geom);
    }
    if (!ems_grow(ctx, (void **)&l->features, &l->features_cap, l->nfeatures + 1, sizeof *l->features)) {
        GEOSGeom_destroy_r(h, geom);
        return EMS_ENOMEM;
    }
    layer_value *copy = NULL;
    ems_status st = copy_values(ctx, l, values, &copy);
    if (st != EMS_OK) {
        GEOSGeom_destroy_r(h, geom);
        return st;
    }
    l->geom_type_id = merge_type(l->geom_type_id, t);
    l->features[l->nfeatures++] = (feature){.geom = geom, .record = record, .values = copy};
    return EMS_OK;
}

ems_status layer_append_take(emscov_ctx *ctx, layer *l, GEOSGeometry *geom, int64_t record,
                             const layer_value *values)
{
    return append(ctx, l, geom, record, values, true);
}

ems_status layer_append_valid_take(emscov_ctx *ctx, layer *l, GEOSGeometry *geom, int64_t record,
                                   const layer_value *values)
{
    return append(ctx, l, geom, record, values, false);
}

void layer_keep(layer *l, const bool *keep)
{
    GEOSContextHandle_t h = emscov_geos(l->ctx);
    size_t n = 0;
    l->geom_type_id = -1;
    for (size_t i = 0; i < l->nfeatures; i++) {
        feature *f = &l->features[i];
        if (!keep[i]) {
            GEOSGeom_destroy_r(h, f->geom);
            free_values(l, f->values);
            continue;
        }
        if (f->geom)
            l->geom_type_id = merge_type(l->geom_type_id, GEOSGeomTypeId_r(h, f->geom));
        l->features[n++] = *f;
    }
    l->nfiltered += l->nfeatures - n;
    l->nfeatures = n;
}

void layer_keep_skipped(layer *l, const bool *keep)
{
    size_t n = 0;
    for (size_t k = 0; k < l->nskipped; k++) {
        if (!keep[k]) {
            free_values(l, l->skipped[k].values);
            continue;
        }
        l->skipped[n++] = l->skipped[k];
    }
    l->nfiltered += l->nskipped - n;
    l->nskipped = n;
}

size_t layer_count(const layer *l)
{
    return l->nfeatures;
}

const GEOSGeometry *layer_geom(const layer *l, size_t i)
{
    return l->features[i].geom;
}

int64_t layer_record(const layer *l, size_t i)
{
    return l->features[i].record;
}

size_t layer_field_count(const layer *l)
{
    return l->nfields;
}

const layer_field *layer_field_at(const layer *l, size_t j)
{
    return &l->fields[j];
}

int layer_field_index(const layer *l, const char *name)
{
    for (size_t j = 0; j < l->nfields; j++)
        if (strcmp(l->fields[j].name, name) == 0)
            return (int)j;
    for (size_t j = 0; j < l->nfields; j++)
        if (strcasecmp(l->fields[j].name, name) == 0)
            return (int)j;
    return -1;
}

const layer_value *layer_value_at(const layer *l, size_t i, size_t j)
{
    static const layer_value null_value = {.is_null = true};
    const feature *f = &l->features[i];
    return f->values ? &f->values[j] : &null_value;
}

const layer_value *layer_values(const layer *l, size_t i)
{
    return l->features[i].values;
}

double layer_value_to_number(const layer *l, size_t j, const layer_value *v)
{
    if (!v || v->is_null)
        return NAN;
    switch (l->fields[j].type) {
    case LAYER_FIELD_INT:
        return (double)v->u.i;
    case LAYER_FIELD_DOUBLE:
        return v->u.d;
    case LAYER_FIELD_LOGICAL:
        return v->u.b ? 1.0 : 0.0;
    default:
        return NAN;
    }
}

double layer_value_number(const layer *l, size_t i, size_t j)
{
    return layer_value_to_number(l, j, layer_value_at(l, i, j));
}

const char *layer_value_format(const layer *l, size_t j, const layer_value *v, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return buf;
    buf[0] = '\0';
    if (!v || v->is_null)
        return buf;
    switch (l->fields[j].type) {
    case LAYER_FIELD_STRING:
        snprintf(buf, cap, "%s", v->u.s ? v->u.s : "");
        break;
    case LAYER_FIELD_INT:
        snprintf(buf, cap, "%lld", (long long)v->u.i);
        break;
    case LAYER_FIELD_DOUBLE:
        if (!isnan(v->u.d))
            snprintf(buf, cap, "%.15g", v->u.d);
        break;
    case LAYER_FIELD_DATE:
        snprintf(buf, cap, "%04d-%02d-%02d", (int)(v->u.date / 10000), (int)(v->u.date / 100 % 100),
                 (int)(v->u.date % 100));
        break;
    case LAYER_FIELD_LOGICAL:
        snprintf(buf, cap, "%s", v->u.b ? "true" : "false");
        break;
    }
    return buf;
}

size_t layer_skipped_count(const layer *l)
{
    return l->nskipped;
}

int64_t layer_skipped_record(const layer *l, size_t k)
{
    return l->skipped[k].record;
}

layer_skip_reason layer_skipped_reason(const layer *l, size_t k)
{
    return l->skipped[k].reason;
}

const layer_value *layer_skipped_values(const layer *l, size_t k)
{
    return l->skipped[k].values;
}

const char *layer_skip_reason_text(layer_skip_reason r)
{
    switch (r) {
    case LAYER_SKIP_NULL_GEOMETRY: return "NULL geometry";
    case LAYER_SKIP_EMPTY_GEOMETRY: return "empty geometry";
    case LAYER_SKIP_NO_AREA: return "polygon with no area";
    case LAYER_SKIP_UNREADABLE: return "unreadable geometry";
    case LAYER_SKIP_DELETED: return "deleted record";
    }
    return "unknown reason";
}

size_t layer_filtered_count(const layer *l)
{
    return l->nfiltered;
}

size_t layer_note_count(const layer *l)
{
    return l->nnotes;
}

const layer_note *layer_note_at(const layer *l, size_t k)
{
    return &l->notes[k];
}

size_t layer_note_count_kind(const layer *l, layer_note_kind kind)
{
    size_t n = 0;
    for (size_t k = 0; k < l->nnotes; k++)
        n += l->notes[k].kind == kind;
    return n;
}

const char *layer_path(const layer *l)
{
    return l->path;
}

const char *layer_format(const layer *l)
{
    return l->format;
}

const char *layer_geom_type(const layer *l)
{
    switch (l->geom_type_id) {
    case -1: return "None";
    case -2: return "Mixed";
    case GEOS_POINT: return "Point";
    case GEOS_MULTIPOINT: return "MultiPoint";
    case GEOS_LINESTRING: return "LineString";
    case GEOS_MULTILINESTRING: return "MultiLineString";
    case GEOS_POLYGON: return "Polygon";
    case GEOS_MULTIPOLYGON: return "MultiPolygon";
    case GEOS_GEOMETRYCOLLECTION: return "GeometryCollection";
    default: return "Other";
    }
}

size_t layer_source_records(const layer *l)
{
    return l->source_records ? l->source_records : l->nfeatures + l->nskipped + l->nfiltered;
}

const crs *layer_crs(const layer *l)
{
    return l->crs_now;
}

const crs *layer_source_crs(const layer *l)
{
    return l->crs_source ? l->crs_source : l->crs_now;
}

const char *layer_crs_source(const layer *l)
{
    return l->crs_from ? l->crs_from : "";
}

const char *layer_encoding(const layer *l)
{
    return l->encoding;
}

const char *layer_encoding_source(const layer *l)
{
    return l->encoding_from ? l->encoding_from : "";
}

static bool compute_extent(const layer *l, double ext[4])
{
    GEOSContextHandle_t h = emscov_geos(l->ctx);
    bool any = false;
    for (size_t i = 0; i < l->nfeatures; i++) {
        double x0, y0, x1, y1;
        if (!l->features[i].geom)
            continue;
        if (!GEOSGeom_getXMin_r(h, l->features[i].geom, &x0) || !GEOSGeom_getYMin_r(h, l->features[i].geom, &y0) ||
            !GEOSGeom_getXMax_r(h, l->features[i].geom, &x1) || !GEOSGeom_getYMax_r(h, l->features[i].geom, &y1))
            continue;
        if (!any) {
            ext[0] = x0, ext[1] = y0, ext[2] = x1, ext[3] = y1;
            any = true;
        } else {
            ext[0] = fmin(ext[0], x0), ext[1] = fmin(ext[1], y0);
            ext[2] = fmax(ext[2], x1), ext[3] = fmax(ext[3], y1);
        }
    }
    return any;
}

bool layer_extent(const layer *l, double ext[4])
{
    return compute_extent(l, ext);
}

bool layer_source_extent(const layer *l, double ext[4])
{
    if (!l->has_src_ext)
        return compute_extent(l, ext);
    memcpy(ext, l->src_ext, sizeof l->src_ext);
    return true;
}

ems_status layer_set_crs(emscov_ctx *ctx, layer *l, const crs *c, const char *source)
{
    crs *copy = NULL;
    ems_status st = crs_clone(ctx, c, &copy);
    if (st != EMS_OK)
        return st;
    char *from = ems_strdup(ctx, source ? source : "");
    if (!from) {
        crs_destroy(copy);
        return EMS_ENOMEM;
    }
    crs_destroy(l->crs_now);
    free(l->crs_from);
    l->crs_now = copy;
    l->crs_from = from;
    return EMS_OK;
}

ems_status layer_set_encoding(emscov_ctx *ctx, layer *l, const char *name, const char *source)
{
    char *n = ems_strdup(ctx, name ? name : "");
    char *s = ems_strdup(ctx, source ? source : "");
    if (!n || !s) {
        free(n);
        free(s);
        return EMS_ENOMEM;
    }
    free(l->encoding);
    free(l->encoding_from);
    l->encoding = n;
    l->encoding_from = s;
    return EMS_OK;
}

void layer_set_source_records(layer *l, size_t n)
{
    l->source_records = n;
}

typedef struct mars_state {
    bool bd09;
} mars_state;

static int mars_to_wgs84(double *x, double *y, void *user)
{
    const mars_state *m = user;
    if (!isfinite(*x) || !isfinite(*y))
        return 0;
    if (m->bd09)
        crs_bd09_to_gcj02(x, y);
    crs_gcj02_to_wgs84(x, y);
    return 1;
}

/* Apply a coordinate function to every geometry; geometries are replaced in place. */
static ems_status map_geometries(emscov_ctx *ctx, layer *l, GEOSTransformXYCallback fn, void *user,
                                 const char *what)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < l->nfeatures; i++) {
        if (!l->features[i].geom)
            continue;
        GEOSGeometry *g = GEOSGeom_transformXY_r(h, l->features[i].geom, fn, user);
        if (!g)
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: %s failed", l->path,
                               (long long)l->features[i].record, what);
        GEOSGeom_destroy_r(h, l->features[i].geom);
        l->features[i].geom = g;
    }
    return EMS_OK;
}

ems_status layer_finish_read(emscov_ctx *ctx, layer *l, const layer_read_opts *opts)
{
    if (!l->crs_now)
        return emscov_fail(ctx, EMS_EINPUT, "%s: no CRS: the source declares none; give one with --srs", l->path);
    if (opts && opts->from_gcj02 && opts->from_bd09)
        return emscov_fail(ctx, EMS_EINPUT, "%s: --from-gcj02 and --from-bd09 exclude each other", l->path);
    l->has_src_ext = compute_extent(l, l->src_ext);
    if (opts && (opts->from_gcj02 || opts->from_bd09)) {
        const char *what = opts->from_bd09 ? "BD-09" : "GCJ-02";
        if (!crs_is_geographic(l->crs_now))
            return emscov_fail(ctx, EMS_EINPUT, "%s: --from-%s needs lon/lat coordinates, but the layer's CRS is "
                               "%s", l->path, opts->from_bd09 ? "bd09" : "gcj02", crs_name(l->crs_now));
        mars_state m = {.bd09 = opts->from_bd09};
        ems_status st = map_geometries(ctx, l, mars_to_wgs84, &m, what);
        if (st != EMS_OK)
            return st;
        crs *wgs = NULL;
        if ((st = crs_from_epsg(ctx, 4326, &wgs)) != EMS_OK)
            return st;
        char from[256];
        snprintf(from, sizeof from, "%s, converted from %s to WGS 84", layer_crs_source(l), what);
        st = layer_set_crs(ctx, l, wgs, from);
        crs_destroy(wgs);
        if (st != EMS_OK)
            return st;
    }
    return crs_clone(ctx, l->crs_now, &l->crs_source);
}

typedef struct transform_state {
    emscov_ctx *ctx;
    crs_transformer *t;
} transform_state;

static int transform_point(double *x, double *y, void *user)
{
    transform_state *s = user;
    return crs_transform_xy(s->ctx, s->t, x, y, 1) == EMS_OK;
}

ems_status layer_transform(emscov_ctx *ctx, layer *l, const crs *to)
{
    if (!l->crs_now)
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: layer has no CRS to transform from", l->path);
    if (crs_equivalent(l->crs_now, to))
        return EMS_OK;
    ems_status st;
    if (!l->crs_source) { /* built by hand, never finished as a read: the state before the first move is the source */
        if ((st = crs_clone(ctx, l->crs_now, &l->crs_source)) != EMS_OK)
            return st;
        l->has_src_ext = compute_extent(l, l->src_ext);
    }
    crs_transformer *t = NULL;
    st = crs_transformer_create(ctx, l->crs_now, to, &t);
    if (st != EMS_OK)
        return st;
    transform_state s = {ctx, t};
    st = map_geometries(ctx, l, transform_point, &s, "reprojection");
    bool ballpark = st == EMS_OK && l->nfeatures > 0 && crs_transformer_is_ballpark(t);
    crs_transformer_destroy(t);
    if (ballpark && (st = layer_note_add(ctx, l, LAYER_NOTE_BALLPARK, 0, "no datum shift is known from %s to %s: "
                                         "PROJ used a ballpark transformation, positions may be off by tens to "
                                         "100+ m", crs_name(l->crs_now), crs_name(to))) != EMS_OK)
        return st;
    if (st != EMS_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s (from %s to %s)", emscov_message(ctx), crs_name(l->crs_now), crs_name(to));
        return emscov_fail(ctx, EMS_EINPUT, "%s", msg);
    }
    crs *copy = NULL;
    if ((st = crs_clone(ctx, to, &copy)) != EMS_OK)
        return st;
    crs_destroy(l->crs_now);
    l->crs_now = copy;
    return EMS_OK;
}

/* The combined lon/lat (WGS 84) extent of the layers' features: corners and edge midpoints of each layer's
 * extent. lo/hi stay +-INFINITY when no layer has a feature. */
static ems_status lonlat_extent(emscov_ctx *ctx, layer *const *layers, size_t n, double lo[2], double hi[2])
{
    lo[0] = lo[1] = INFINITY;
    hi[0] = hi[1] = -INFINITY;
    crs *wgs = NULL;
    ems_status st = crs_from_epsg(ctx, 4326, &wgs);
    if (st != EMS_OK)
        return st;
    for (size_t k = 0; k < n && st == EMS_OK; k++) {
        double e[4];
        if (!layer_extent(layers[k], e))
            continue;
        double xs[8] = {e[0], e[2], e[0], e[2], (e[0] + e[2]) / 2, (e[0] + e[2]) / 2, e[0], e[2]};
        double ys[8] = {e[1], e[1], e[3], e[3], e[1], e[3], (e[1] + e[3]) / 2, (e[1] + e[3]) / 2};
        crs_transformer *t = NULL;
        if ((st = crs_transformer_create(ctx, layer_crs(layers[k]), wgs, &t)) != EMS_OK)
            break;
        st = crs_transform_xy(ctx, t, xs, ys, 8);
        crs_transformer_destroy(t);
        if (st != EMS_OK) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s: extent cannot be placed on the globe: %s", layer_path(layers[k]),
                     emscov_message(ctx));
            st = emscov_fail(ctx, EMS_EINPUT, "%s", msg);
            break;
        }
        for (int i = 0; i < 8; i++) {
            lo[0] = fmin(lo[0], xs[i]), lo[1] = fmin(lo[1], ys[i]);
            hi[0] = fmax(hi[0], xs[i]), hi[1] = fmax(hi[1], ys[i]);
        }
    }
    crs_destroy(wgs);
    return st;
}

ems_status layer_choose_working_crs(emscov_ctx *ctx, layer *const *layers, size_t n, crs **out)
{
    *out = NULL;
    double lo[2], hi[2];
    ems_status st = lonlat_extent(ctx, layers, n, lo, hi);
    if (st != EMS_OK)
        return st;
    if (!isfinite(lo[0])) {
        char names[600] = "";
        for (size_t k = 0, used = 0; k < n && used + 1 < sizeof names; k++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "", layer_path(layers[k]));
        return emscov_fail(ctx, EMS_EINPUT, "%s: no features%s: cannot choose a working CRS (give one, e.g. "
                           "working_epsg)", n ? names : "(no layer)", n > 1 ? " in any of these layers" : "");
    }
    /* The layers' own CRS when they share a Transverse Mercator one (UTM, Gauss-Kruger) whose central meridian
     * is within 3.5 degrees of all the data: no reprojection, and results in the CRS the data came in. */
    const crs *own = layer_crs(layers[0]);
    bool shared = own != NULL;
    for (size_t k = 1; k < n && shared; k++)
        shared = layer_crs(layers[k]) && crs_equivalent(own, layer_crs(layers[k]));
    double cm = shared ? crs_tm_central_meridian(own) : NAN;
    if (isfinite(cm) && fabs(lo[0] - cm) <= 3.5 && fabs(hi[0] - cm) <= 3.5)
        return crs_clone(ctx, own, out);
    return crs_utm_for(ctx, (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, out);
}

ems_status layer_warn_far_crs(emscov_ctx *ctx, layer *const *layers, size_t n, const crs *working,
                              const char *given_by)
{
    double lo[2], hi[2];
    ems_status st = lonlat_extent(ctx, layers, n, lo, hi);
    if (st != EMS_OK || !isfinite(lo[0]))
        return st;
    char *w = NULL;
    const double ext[4] = {lo[0], lo[1], hi[0], hi[1]};
    if ((st = crs_check_near(ctx, working, ext, &w)) == EMS_OK && w)
        emscov_warn(ctx, "%s%s%s (data: %s%s)", given_by ? given_by : "", given_by ? ": " : "", w, layer_path(layers[0]),
                    n > 1 ? " and the other layers" : "");
    free(w);
    return st;
}

static const char *extension(const char *path);

void layer_points_free(layer_points *p)
{
    if (!p)
        return;
    free(p->x);
    free(p->y);
    free(p->v);
    crs_destroy(p->c);
    memset(p, 0, sizeof *p);
}

/* Any other source: read as features, then copied into arrays. */
static ems_status points_from_layer(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, const char *field,
                                    layer_points *out)
{
    layer *l = NULL;
    ems_status st = layer_read(ctx, path, opts, &l);
    int j = st == EMS_OK ? layer_field_index(l, field) : -1;
    if (st == EMS_OK && j < 0)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no field %s", path, field);
    size_t n = st == EMS_OK ? layer_count(l) : 0;
    if (st == EMS_OK && (!(out->x = ems_malloc(ctx, (n ? n : 1) * sizeof *out->x)) ||
                         !(out->y = ems_malloc(ctx, (n ? n : 1) * sizeof *out->y)) ||
                         !(out->v = ems_malloc(ctx, (n ? n : 1) * sizeof *out->v))))
        st = EMS_ENOMEM;
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; st == EMS_OK && i < n; i++) {
        const GEOSGeometry *g = layer_geom(l, i);
        if (GEOSGeomTypeId_r(h, g) != GEOS_POINT) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: not a single point", path, (long long)layer_record(l, i));
            break;
        }
        GEOSGeomGetX_r(h, g, &out->x[out->n]);
        GEOSGeomGetY_r(h, g, &out->y[out->n]);
        out->v[out->n++] = layer_value_number(l, i, (size_t)j);
    }
    if (st == EMS_OK)
        st = crs_clone(ctx, layer_crs(l), &out->c);
    layer_destroy(l);
    return st;
}

ems_status layer_read_points(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, const char *field,
                             layer_points *out)
{
    memset(out, 0, sizeof *out);
    const char *fmt = opts && opts->format ? opts->format : extension(path);
    bool gpkg = fmt && (!strcasecmp(fmt, "gpkg") || !strncasecmp(fmt, "gpkg:", 5));
    ems_status st = gpkg ? layer__read_gpkg_points(ctx, path, opts, field, out)
                         : points_from_layer(ctx, path, opts, field, out);
    if (st != EMS_OK)
        layer_points_free(out);
    return st;
}

static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

size_t layer_source_split(const char *path, const char **layer_name)
{
    struct stat sb;
    const char *colon = strrchr(path, ':');
    bool split = strncmp(path, "pg:", 3) && colon && colon > path && !strchr(colon, '/') && stat(path, &sb) != 0;
    if (layer_name)
        *layer_name = split ? colon + 1 : NULL;
    return split ? (size_t)(colon - path) : strlen(path);
}

ems_status layer__split_source(emscov_ctx *ctx, const char *path, char **file, char **name)
{
    const char *layer_name = NULL;
    /* reading through the ctx's I/O hook (fuzzers, tests): a name the hook knows is a whole file */
    size_t n = emscov_has_io(ctx) && ems_file_exists(ctx, path) ? strlen(path) : layer_source_split(path, &layer_name);
    *name = NULL;
    if (!(*file = ems_strndup(ctx, path, n)))
        return EMS_ENOMEM;
    if (layer_name && *layer_name && !(*name = ems_strdup(ctx, layer_name)))
        return EMS_ENOMEM;
    return EMS_OK;
}

ems_status layer_read(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out)
{
    static const layer_read_opts defaults;
    if (!opts)
        opts = &defaults;
    *out = NULL;
    if (!strncmp(path, "pg:", 3))
        return layer_read_pg(ctx, path, opts->conninfo, out);
    const char *fmt = opts->format ? opts->format : extension(path);
    if (!strcasecmp(fmt, "gpkg") || !strncasecmp(fmt, "gpkg:", 5)) /* "x.gpkg:TABLE" names a table */
        return layer__read_gpkg(ctx, path, opts, out);
    ems_status (*reader)(emscov_ctx *, const char *, const layer_read_opts *, layer **) = NULL;
    if (!strcasecmp(fmt, "shp") || !strcasecmp(fmt, "dbf") || !strcasecmp(fmt, "shx"))
        reader = layer__read_shp;
    else if (!strcasecmp(fmt, "geojson") || !strcasecmp(fmt, "json"))
        reader = layer__read_geojson;
    else if (!strcasecmp(fmt, "csv") || !strcasecmp(fmt, "txt") || !strcasecmp(fmt, "tsv"))
        reader = layer__read_csv;
    else if (opts->format && strcasecmp(fmt, "gdal"))
        return emscov_fail(ctx, EMS_EINPUT, "%s: unknown --format \"%s\" (known: shp, geojson, csv, gpkg, gdal)", path,
                           fmt);
    if (reader) {
        /* a directory, a FIFO or a device is refused here, before any reader opens it (ctx.h, "Input files") */
        ems_status st = ems_file_check(ctx, path, NULL);
        return st != EMS_OK ? st : reader(ctx, path, opts, out);
    }
    /* everything else (FlatGeobuf, KML, GML, FileGDB, MapInfo, ...): GDAL (a FileGDB is a directory) */
    ems_status st = layer__read_gdal(ctx, path, opts, out);
    struct stat sb;
    if (st == EMS_EINPUT && !opts->format && stat(path, &sb) == 0 && strstr(emscov_message(ctx), "GDAL cannot open it")) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", emscov_message(ctx));
        st = emscov_fail(ctx, EMS_EINPUT, "%s: unknown format \"%s\": emscov reads shp, geojson, csv and gpkg itself "
                         "and other formats through GDAL, and %s", path, fmt, strstr(msg, "GDAL cannot open it"));
    }
    return st;
}

void layer_allow_null_geometry(layer *l, int geos_type)
{
    l->null_geometry_ok = true;
    if (l->geom_type_id == -1)
        l->geom_type_id = geos_type;
}

ems_status layer_require_field(emscov_ctx *ctx, const layer *l, const char *name, const char *what, int *j)
{
    *j = name ? layer_field_index(l, name) : -1;
    if (!name || *j >= 0)
        return EMS_OK;
    char list[1024] = "";
    size_t used = 0;
    for (size_t k = 0; k < l->nfields && used < sizeof list; k++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", l->fields[k].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return emscov_fail(ctx, EMS_EINPUT, "%s: no field \"%s\" (%s); the fields are: %s", l->path, name, what,
                       list[0] ? list : "none");
}
