/* src/analysis/demand.c: population -> demand points (see demand.h). */
#include "src/analysis/demand.h"

#include "geo/index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A piece of a zero-area polygon: its point is placed by the point rule (never stored in a set). */
#define ZERO_AREA (DEMAND_NONE - 1)

/* ---- Compensated sums (Neumaier), so totals of a million cells agree to the last unit. */

typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double v)
{
    double t = k->s + v;
    k->c += fabs(k->s) >= fabs(v) ? (k->s - t) + v : (v - t) + k->s;
    k->s = t;
}

static double ksum_get(const ksum *k)
{
    return k->s + k->c;
}

/* ---- The builder shared by the three sources. */

typedef struct builder {
    emscov_ctx *ctx;
    GEOSContextHandle_t h;
    const layer *streets;
    layer_index *six;
    const GEOSPreparedGeometry **sprep; /* lazily prepared sub-districts */
    size_t *hits;
    size_t hits_cap;
    size_t *cand; /* candidate feature lists */
    size_t ncand, cand_cap;
    bool cand_oom;
    demand_set *d;
    size_t cap, skipped_cap;
    ksum input;
} builder;

static bool is_polygonal(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(h, g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

/* GEOS's type name of g into buf (GEOSGeomType_r returns a string the caller frees). */
static const char *type_of(GEOSContextHandle_t h, const GEOSGeometry *g, char *buf, size_t size)
{
    char *t = GEOSGeomType_r(h, g);
    snprintf(buf, size, "%s", t ? t : "geometry");
    GEOSFree_r(h, t);
    return buf;
}

static ems_status same_crs(emscov_ctx *ctx, const layer *l, const crs *want, const char *what)
{
    const crs *c = layer_crs(l);
    if (!c || !want || !crs_equivalent(c, want))
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: %s is in %s, not in the working CRS %s", layer_path(l),
                           what, c ? crs_name(c) : "no CRS", want ? crs_name(want) : "(none)");
    return EMS_OK;
}

static ems_status builder_init(builder *b, emscov_ctx *ctx, const layer *streets)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    b->h = emscov_geos(ctx);
    b->streets = streets;
    if (!(b->d = ems_calloc(ctx, 1, sizeof *b->d))) return EMS_ENOMEM;
    if (!streets) return EMS_OK;
    size_t n = layer_count(streets);
    if (n >= ZERO_AREA)
        return emscov_fail(ctx, EMS_EINPUT, "%s: %zu sub-districts: too many", layer_path(streets), n);
    char tn[64];
    for (size_t i = 0; i < n; i++)
        if (!is_polygonal(b->h, layer_geom(streets, i)))
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: sub-district is a %s, need a polygon",
                               layer_path(streets), (long long)layer_record(streets, i),
                               type_of(b->h, layer_geom(streets, i), tn, sizeof tn));
    b->d->nstreets = n;
    b->hits_cap = 16;
    if (!(b->sprep = ems_calloc(ctx, n ? n : 1, sizeof *b->sprep)) ||
        !(b->hits = ems_malloc(ctx, b->hits_cap * sizeof *b->hits)))
        return EMS_ENOMEM;
    return index_build(ctx, streets, &b->six);
}

/* Frees the builder; hands over the set when st is EMS_OK. */
static ems_status builder_finish(builder *b, ems_status st, demand_set **out)
{
    if (b->sprep)
        for (size_t i = 0; i < b->d->nstreets; i++)
            if (b->sprep[i]) GEOSPreparedGeom_destroy_r(b->h, b->sprep[i]);
    free(b->sprep);
    free(b->hits);
    free(b->cand);
    index_destroy(b->six);
    if (st == EMS_OK) {
        demand_set *d = b->d;
        ksum all = {0, 0}, outside = {0, 0};
        for (size_t i = 0; i < d->n; i++) {
            ksum_add(&all, d->pop[i]);
            if (d->street[i] == DEMAND_NONE) ksum_add(&outside, d->pop[i]);
        }
        d->input_total = ksum_get(&b->input);
        d->allocated_total = ksum_get(&all);
        d->outside_total = ksum_get(&outside);
        *out = d;
    } else
        demand_set_destroy(b->d);
    return st;
}

static ems_status reserve(builder *b, size_t need)
{
    demand_set *d = b->d;
    if (need <= b->cap) return EMS_OK;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < need)
        cap *= 2;
    double *x = ems_realloc(b->ctx, d->x, cap * sizeof *x);
    if (x) d->x = x;
    double *y = x ? ems_realloc(b->ctx, d->y, cap * sizeof *y) : NULL;
    if (y) d->y = y;
    double *p = y ? ems_realloc(b->ctx, d->pop, cap * sizeof *p) : NULL;
    if (p) d->pop = p;
    uint32_t *s = p ? ems_realloc(b->ctx, d->street, cap * sizeof *s) : NULL;
    if (s) d->street = s;
    int64_t *r = s ? ems_realloc(b->ctx, d->record, cap * sizeof *r) : NULL;
    if (r) d->record = r;
    if (!r) return EMS_ENOMEM;
    b->cap = cap;
    return EMS_OK;
}

static ems_status push(builder *b, double x, double y, double pop, uint32_t street, int64_t record)
{
    ems_status st = reserve(b, b->d->n + 1);
    if (st != EMS_OK) return st;
    demand_set *d = b->d;
    d->x[d->n] = x;
    d->y[d->n] = y;
    d->pop[d->n] = pop;
    d->street[d->n] = street;
    d->record[d->n] = record;
    d->n++;
    return EMS_OK;
}

/* The point-in-sub-district rule: the lowest-index polygon covering (x, y), or DEMAND_NONE. */
static ems_status street_of(builder *b, double x, double y, uint32_t *street)
{
    *street = DEMAND_NONE;
    if (!b->six) return EMS_OK;
    for (;;) {
        size_t n = 0;
        ems_status st = index_covering(b->ctx, b->six, x, y, b->hits, b->hits_cap, &n);
        if (st != EMS_OK) return st;
        if (n <= b->hits_cap) {
            if (n) *street = (uint32_t)b->hits[0];
            return EMS_OK;
        }
        size_t *h = ems_realloc(b->ctx, b->hits, n * sizeof *h);
        if (!h) return EMS_ENOMEM;
        b->hits = h;
        b->hits_cap = n;
    }
}

static const GEOSPreparedGeometry *street_prep(builder *b, size_t k)
{
    if (!b->sprep[k]) b->sprep[k] = GEOSPrepare_r(b->h, layer_geom(b->streets, k));
    return b->sprep[k];
}

static bool collect(size_t i, void *user)
{
    builder *b = user;
    if (!ems_grow(b->ctx, (void **)&b->cand, &b->cand_cap, b->ncand + 1, sizeof *b->cand)) {
        b->cand_oom = true;
        return false;
    }
    b->cand[b->ncand++] = i;
    return true;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Candidates of ix whose envelope meets g's, ascending, into b->cand / b->ncand. */
static ems_status candidates(builder *b, layer_index *ix, const GEOSGeometry *g)
{
    b->ncand = 0;
    double box[4];
    if (!GEOSGeom_getXMin_r(b->h, g, &box[0]) || !GEOSGeom_getYMin_r(b->h, g, &box[1]) ||
        !GEOSGeom_getXMax_r(b->h, g, &box[2]) || !GEOSGeom_getYMax_r(b->h, g, &box[3]))
        return emscov_fail(b->ctx, EMS_EINTERNAL, "cannot get an envelope: %s", emscov_lib_message(b->ctx));
    b->cand_oom = false;
    ems_status st = index_query_box(b->ctx, ix, box, collect, b);
    if (st != EMS_OK) return st;
    if (b->cand_oom) return EMS_ENOMEM;
    if (b->ncand > 1) qsort(b->cand, b->ncand, sizeof *b->cand, cmp_size);
    return EMS_OK;
}

/* ---- Counts. */

static const char *type_name(layer_field_type t)
{
    switch (t) {
    case LAYER_FIELD_INT:
        return "integer";
    case LAYER_FIELD_DOUBLE:
        return "real";
    case LAYER_FIELD_STRING:
        return "text";
    case LAYER_FIELD_DATE:
        return "date";
    case LAYER_FIELD_LOGICAL:
        return "logical";
    }
    return "?";
}

static ems_status find_field(emscov_ctx *ctx, const layer *l, const char *name, int *j)
{
    *j = name ? layer_field_index(l, name) : -1;
    if (*j >= 0) {
        layer_field_type t = layer_field_at(l, (size_t)*j)->type;
        if (t == LAYER_FIELD_DATE || t == LAYER_FIELD_LOGICAL)
            return emscov_fail(ctx, EMS_EINPUT, "%s: field %s: a %s field, need a number", layer_path(l),
                               name, type_name(t));
        return EMS_OK;
    }
    char list[512] = "";
    size_t used = 0;
    for (size_t k = 0; k < layer_field_count(l) && used < sizeof list; k++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", layer_field_at(l, k)->name);
        if (w < 0) break;
        used += (size_t)w;
    }
    return emscov_fail(ctx, EMS_EINPUT, "%s: field %s: no such field (the fields are: %s)", layer_path(l),
                       name ? name : "(none)", list[0] ? list : "none");
}

/* The number in value lv of field j of l (record rec, for messages); NaN for null. Text must hold a number. */
static ems_status value_number(emscov_ctx *ctx, const layer *l, int64_t rec, int j, const layer_value *lv,
                               double *v)
{
    const layer_field *f = layer_field_at(l, (size_t)j);
    if (lv->is_null) {
        *v = NAN;
        return EMS_OK;
    }
    if (f->type != LAYER_FIELD_STRING) {
        *v = layer_value_to_number(l, (size_t)j, lv);
        return EMS_OK;
    }
    const char *s = lv->u.s;
    char *end = NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    *v = *s ? strtod(s, &end) : NAN;
    if (end)
        while (*end == ' ' || *end == '\t')
            end++;
    if (!*s || !end || *end || end == s || isnan(*v))
        return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: \"%.60s\" is not a number",
                           layer_path(l), (long long)rec, f->name, lv->u.s);
    return EMS_OK;
}

/* The number in field j of feature i; NaN for null. */
static ems_status field_number(emscov_ctx *ctx, const layer *l, size_t i, int j, double *v)
{
    return value_number(ctx, l, layer_record(l, i), j, layer_value_at(l, i, (size_t)j), v);
}

typedef struct null_note {
    size_t count;
    int64_t first;
} null_note;

/* Note that a feature made no point for want of a count (the run's ledger lists it). */
static ems_status note_skip(builder *b, int64_t record, demand_skip why)
{
    if (!ems_grow(b->ctx, (void **)&b->d->skipped, &b->skipped_cap, b->d->nskipped + 1, sizeof *b->d->skipped))
        return EMS_ENOMEM;
    b->d->skipped[b->d->nskipped++] = (demand_skipped){record, why};
    return EMS_OK;
}

/* The count of feature i: >= 0 and finite; null counts 0 (noted); a feature with 0 is listed as skipped. */
static ems_status read_count(builder *b, const layer *l, size_t i, int j, double factor, null_note *nulls,
                             double *count)
{
    if (j < 0) { /* no count field: every point counts once (calls) */
        *count = factor;
        ksum_add(&b->input, *count);
        return EMS_OK;
    }
    ems_status st = field_number(b->ctx, l, i, j, count);
    if (st != EMS_OK) return st;
    const char *name = layer_field_at(l, (size_t)j)->name;
    if (isnan(*count)) {
        if (!nulls->count++) nulls->first = layer_record(l, i);
        *count = 0;
        return note_skip(b, layer_record(l, i), DEMAND_SKIP_NULL);
    }
    if (!isfinite(*count) || *count < 0)
        return emscov_fail(b->ctx, EMS_EINPUT,
                           "%s: record %lld: field %s: %s count %.17g: need a number >= 0", layer_path(l),
                           (long long)layer_record(l, i), name, isfinite(*count) ? "negative" : "non-finite",
                           *count);
    *count *= factor;
    if (!isfinite(*count))
        return emscov_fail(b->ctx, EMS_EINPUT, "%s: record %lld: field %s: count x levels overflows",
                           layer_path(l), (long long)layer_record(l, i), name);
    ksum_add(&b->input, *count);
    return *count == 0 ? note_skip(b, layer_record(l, i), DEMAND_SKIP_ZERO) : EMS_OK;
}

static void warn_nulls(emscov_ctx *ctx, const layer *l, const char *field, const null_note *nulls)
{
    if (nulls->count)
        emscov_warn(ctx, "%s: field %s: %zu record(s) without a count (first record %lld) counted as 0",
                    layer_path(l), field, nulls->count, (long long)nulls->first);
}

/* The weight multiplier of feature i of l: max(levels, 1), 1 when null or without a levels field (j < 0). */
static ems_status level_factor(builder *b, const layer *l, size_t i, int j, double *f)
{
    *f = 1;
    if (j < 0) return EMS_OK;
    double v;
    ems_status st = field_number(b->ctx, l, i, j, &v);
    if (st == EMS_OK && !isnan(v) && v > 1) {
        if (!isfinite(v))
            return emscov_fail(b->ctx, EMS_EINPUT, "%s: record %lld: field %s: non-finite level count",
                               layer_path(l), (long long)layer_record(l, i), layer_field_at(l, (size_t)j)->name);
        *f = v;
    }
    return st;
}

/* ---- Grid cells to sub-districts by scanline.
 *
 * When the cell centres are not reprojected they lie on rows of equal y. For each sub-district k (ascending,
 * so the lowest index wins) and each row, the x where its ring edges cross the row are computed once (the
 * crossing-number test with the half-open rule ymin <= y < ymax), and each unassigned cell of the row is
 * inside when an odd number of crossings lies left of it. A cell that the crossings cannot decide for sure is
 * tested exactly with GEOS (covers, as street_of): one within the rounding margin of a crossing, or near a
 * vertex or a horizontal edge lying on the row. Every point on the boundary is one of those, so the result is
 * street_of's, cell for cell, at a fraction of a point-in-polygon test per cell. */

typedef struct xcross {
    size_t row;
    double lo, hi; /* a crossing: x +- its rounding margin; a range to test exactly: its ends */
} xcross;

typedef struct scan {
    builder *b;
    const grid *g;
    size_t nr;
    size_t *row_start; /* points of row r: [row_start[r], row_start[r + 1]), x ascending */
    xcross *cross, *range;
    size_t ncross, cross_cap, nrange, range_cap;
    double *hi_max; /* prefix maxima of the row's ranges' hi */
    size_t hi_cap;
    double *cx, *cy; /* one ring's coordinates */
    size_t c_cap;
} scan;

#define SCAN_EPS 1e-6 /* metres: vertices this close to a row are tested exactly around them */

static double row_y(const scan *s, size_t r)
{
    double x, y;
    grid_cell_centre(s->g, r, 0, &x, &y);
    return y;
}

/* Rows whose centre y may lie in [lo, hi] (a superset; the caller checks each), as [*r0, *r1). */
static void rows_between(const scan *s, double lo, double hi, size_t *r0, size_t *r1)
{
    double xll, yll, dy = grid_dy(s->g);
    grid_origin(s->g, &xll, &yll);
    double a = (double)s->nr - 0.5 - (hi - yll) / dy, b = (double)s->nr - 0.5 - (lo - yll) / dy;
    a = floor(a) - 1, b = ceil(b) + 2;
    *r0 = a < 0 ? 0 : a > (double)s->nr ? s->nr : (size_t)a;
    *r1 = b < 0 ? 0 : b > (double)s->nr ? s->nr : (size_t)b;
}

static ems_status push_x(scan *s, xcross **a, size_t *n, size_t *cap, size_t row, double lo, double hi)
{
    if (!ems_grow(s->b->ctx, (void **)a, cap, *n + 1, sizeof **a)) return EMS_ENOMEM;
    (*a)[(*n)++] = (xcross){row, lo, hi};
    return EMS_OK;
}

/* The crossings and exact-test ranges of one closed ring. */
static ems_status scan_ring(scan *s, const GEOSGeometry *ring)
{
    GEOSContextHandle_t h = s->b->h;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n))
        return emscov_fail(s->b->ctx, EMS_EINTERNAL, "cannot read a sub-district ring: %s",
                           emscov_lib_message(s->b->ctx));
    if (!ems_grow(s->b->ctx, (void **)&s->cx, &s->c_cap, n ? n : 1, sizeof *s->cx) ||
        !(s->cy = ems_realloc(s->b->ctx, s->cy, s->c_cap * sizeof *s->cy)))
        return EMS_ENOMEM;
    if (n && !GEOSCoordSeq_copyToArrays_r(h, cs, s->cx, s->cy, NULL, NULL))
        return emscov_fail(s->b->ctx, EMS_EINTERNAL, "cannot read a sub-district ring: %s",
                           emscov_lib_message(s->b->ctx));
    ems_status st = EMS_OK;
    size_t r0, r1;
    for (unsigned i = 0; st == EMS_OK && i < n; i++) { /* vertices on (or next to) a row */
        rows_between(s, s->cy[i] - SCAN_EPS, s->cy[i] + SCAN_EPS, &r0, &r1);
        for (size_t r = r0; st == EMS_OK && r < r1; r++)
            if (fabs(row_y(s, r) - s->cy[i]) <= SCAN_EPS)
                st = push_x(s, &s->range, &s->nrange, &s->range_cap, r, s->cx[i] - SCAN_EPS,
                            s->cx[i] + SCAN_EPS);
    }
    for (unsigned i = 0; st == EMS_OK && i + 1 < n; i++) {
        double x1 = s->cx[i], y1 = s->cy[i], x2 = s->cx[i + 1], y2 = s->cy[i + 1];
        double ymin = fmin(y1, y2), ymax = fmax(y1, y2);
        rows_between(s, ymin - SCAN_EPS, ymax + SCAN_EPS, &r0, &r1);
        /* rounding of x1 + t (x2 - x1), t in [0, 1]: a few ulps of |dx| and of |x| */
        double margin = SCAN_EPS + 1e-12 * fabs(x2 - x1) + 1e-15 * fmax(fabs(x1), fabs(x2));
        for (size_t r = r0; st == EMS_OK && r < r1; r++) {
            double y = row_y(s, r);
            if (fabs(y - y1) <= SCAN_EPS && fabs(y - y2) <= SCAN_EPS) /* an edge lying on the row */
                st = push_x(s, &s->range, &s->nrange, &s->range_cap, r, fmin(x1, x2) - SCAN_EPS,
                            fmax(x1, x2) + SCAN_EPS);
            else if (ymin <= y && y < ymax) {
                double xc = x1 + (y - y1) / (y2 - y1) * (x2 - x1);
                st = push_x(s, &s->cross, &s->ncross, &s->cross_cap, r, xc - margin, xc + margin);
            }
        }
    }
    return st;
}

static int cmp_xcross(const void *pa, const void *pb)
{
    const xcross *a = pa, *b = pb;
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* First index in a[from, to) whose row is >= row. */
static size_t first_of_row(const xcross *a, size_t from, size_t to, size_t row)
{
    while (from < to) {
        size_t mid = from + (to - from) / 2;
        if (a[mid].row < row)
            from = mid + 1;
        else
            to = mid;
    }
    return from;
}

/* Exact test of point p for sub-district k (the rule of street_of). */
static ems_status scan_exact(scan *s, size_t k, size_t p, bool *in)
{
    builder *b = s->b;
    const GEOSPreparedGeometry *pg = street_prep(b, k);
    GEOSGeometry *pt = pg ? GEOSGeom_createPointFromXY_r(b->h, b->d->x[p], b->d->y[p]) : NULL;
    char c = pt ? GEOSPreparedCovers_r(b->h, pg, pt) : 2;
    GEOSGeom_destroy_r(b->h, pt);
    if (c == 2)
        return emscov_fail(b->ctx, EMS_EINTERNAL, "point-in-polygon test failed: %s",
                           emscov_lib_message(b->ctx));
    *in = c == 1;
    return EMS_OK;
}

/* Assign the unassigned points of one row to sub-district k by its crossings c[0, nc) and ranges u[0, nu). */
static ems_status scan_row(scan *s, size_t k, size_t row, double xmin, double xmax, const xcross *c,
                           size_t nc, const xcross *u, size_t nu)
{
    demand_set *d = s->b->d;
    size_t p0 = s->row_start[row], p1 = s->row_start[row + 1];
    while (p0 < p1) { /* first point at or right of xmin */
        size_t mid = p0 + (p1 - p0) / 2;
        if (d->x[mid] < xmin)
            p0 = mid + 1;
        else
            p1 = mid;
    }
    p1 = s->row_start[row + 1];
    if (!ems_grow(s->b->ctx, (void **)&s->hi_max, &s->hi_cap, nu ? nu : 1, sizeof *s->hi_max))
        return EMS_ENOMEM;
    for (size_t j = 0; j < nu; j++)
        s->hi_max[j] = j ? fmax(s->hi_max[j - 1], u[j].hi) : u[j].hi;
    size_t ui = 0, left = 0; /* left: crossings wholly left of the point, whose count is the parity */
    for (size_t p = p0; p < p1 && d->x[p] <= xmax; p++) {
        double x = d->x[p];
        while (left < nc && c[left].hi < x)
            left++;
        while (ui < nu && u[ui].lo <= x)
            ui++;
        if (d->street[p] != DEMAND_NONE) continue;
        /* crossings whose margin holds x: from `left` on, while they start at or before x */
        /* x within a range, or within the margin of the first crossing not wholly left of it (when a later
         * one is wholly left, that first one starts left of x too, so a miscount is always tested exactly) */
        bool near = (ui > 0 && s->hi_max[ui - 1] >= x) || (left < nc && c[left].lo <= x);
        bool in = left % 2 == 1;
        ems_status st = near ? scan_exact(s, k, p, &in) : EMS_OK;
        if (st != EMS_OK) return st;
        if (in) d->street[p] = (uint32_t)k;
    }
    return EMS_OK;
}

/* Every point of the grid set (row-major, x ascending in a row) to its sub-district, as street_of would. */
static ems_status scan_streets(builder *b, const grid *g)
{
    demand_set *d = b->d;
    size_t nc = grid_ncols(g), nr = grid_nrows(g);
    scan s = {.b = b, .g = g, .nr = nr};
    for (size_t i = 0; i < d->n; i++)
        d->street[i] = DEMAND_NONE;
    if (!b->six || d->n == 0) return EMS_OK;
    if (!(s.row_start = ems_calloc(b->ctx, nr + 1, sizeof *s.row_start))) return EMS_ENOMEM;
    for (size_t i = 0; i < d->n; i++)
        s.row_start[(size_t)(d->record[i] - 1) / nc + 1]++;
    for (size_t r = 0; r < nr; r++)
        s.row_start[r + 1] += s.row_start[r];
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < d->nstreets; k++) {
        const GEOSGeometry *poly = layer_geom(b->streets, k);
        double e[4];
        if (!GEOSGeom_getExtent_r(b->h, poly, &e[0], &e[1], &e[2], &e[3])) continue; /* empty */
        s.ncross = s.nrange = 0;
        int np = GEOSGetNumGeometries_r(b->h, poly);
        for (int q = 0; st == EMS_OK && q < np; q++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(b->h, poly, q);
            int nh = GEOSGetNumInteriorRings_r(b->h, part);
            st = scan_ring(&s, GEOSGetExteriorRing_r(b->h, part));
            for (int r = 0; st == EMS_OK && r < nh; r++)
                st = scan_ring(&s, GEOSGetInteriorRingN_r(b->h, part, r));
        }
        if (st != EMS_OK) break;
        if (s.ncross) qsort(s.cross, s.ncross, sizeof *s.cross, cmp_xcross); /* qsort(NULL, 0): undefined */
        if (s.nrange) qsort(s.range, s.nrange, sizeof *s.range, cmp_xcross);
        size_t r0, r1;
        rows_between(&s, e[1] - SCAN_EPS, e[3] + SCAN_EPS, &r0, &r1);
        size_t c0 = first_of_row(s.cross, 0, s.ncross, r0), u0 = first_of_row(s.range, 0, s.nrange, r0);
        for (size_t r = r0; st == EMS_OK && r < r1; r++) {
            size_t c1 = first_of_row(s.cross, c0, s.ncross, r + 1),
                   u1 = first_of_row(s.range, u0, s.nrange, r + 1);
            st = scan_row(&s, k, r, e[0] - SCAN_EPS, e[2] + SCAN_EPS, s.cross + c0, c1 - c0, s.range + u0,
                          u1 - u0);
            c0 = c1, u0 = u1;
        }
    }
    free(s.row_start);
    free(s.cross);
    free(s.range);
    free(s.hi_max);
    free(s.cx);
    free(s.cy);
    return st;
}

/* ---- Grid. */

ems_status demand_from_grid(emscov_ctx *ctx, const grid *g, const crs *working, const layer *streets,
                            demand_set **out)
{
    *out = NULL;
    builder b;
    crs_transformer *t = NULL;
    ems_status st = builder_init(&b, ctx, streets);
    if (st == EMS_OK && !working) st = emscov_fail(ctx, EMS_EINTERNAL, "%s: no working CRS", __func__);
    if (st == EMS_OK && streets) st = same_crs(ctx, streets, working, "the sub-district layer");
    if (st != EMS_OK) return builder_finish(&b, st, out);
    size_t nc = grid_ncols(g), nr = grid_nrows(g), npos = 0;
    const double *v = grid_values(g);
    b.d->cells = nc * nr;
    for (size_t k = 0; k < nc * nr; k++) {
        if (grid_is_nodata(g, k / nc, k % nc)) {
            b.d->cells_nodata++;
            continue;
        }
        if (!isfinite(v[k]) || v[k] < 0) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: row %zu, column %zu: %s count %.17g: need a number >= 0",
                             grid_path(g), k / nc + 1, k % nc + 1, isfinite(v[k]) ? "negative" : "non-finite",
                             v[k]);
            return builder_finish(&b, st, out);
        }
        npos += v[k] > 0;
        b.d->cells_zero += v[k] == 0;
        ksum_add(&b.input, v[k]);
    }
    if ((st = reserve(&b, npos)) != EMS_OK) return builder_finish(&b, st, out);
    demand_set *d = b.d;
    for (size_t k = 0; k < nc * nr; k++)
        if (v[k] > 0 && !grid_is_nodata(g, k / nc, k % nc)) {
            grid_cell_centre(g, k / nc, k % nc, &d->x[d->n], &d->y[d->n]);
            d->pop[d->n] = v[k];
            d->record[d->n] = (int64_t)k + 1;
            d->n++;
        }
    bool rows = grid_dx(g) > 0 && grid_dy(g) > 0; /* the centres stay on rows of equal y */
    if (!crs_equivalent(grid_crs(g), working)) {
        rows = false;
        if ((st = crs_transformer_create(ctx, grid_crs(g), working, &t)) != EMS_OK ||
            (st = crs_transform_xy(ctx, t, d->x, d->y, d->n)) != EMS_OK) {
            crs_transformer_destroy(t);
            return builder_finish(&b, st, out);
        }
        crs_transformer_destroy(t);
    }
    if (rows) st = scan_streets(&b, g);
    for (size_t i = 0; i < d->n && st == EMS_OK && !rows; i++)
        st = street_of(&b, d->x[i], d->y[i], &d->street[i]);
    return builder_finish(&b, st, out);
}

/* ---- Points. */

static ems_status point_xy(builder *b, const layer *l, size_t i, double *x, double *y)
{
    const GEOSGeometry *g = layer_geom(l, i);
    int t = GEOSGeomTypeId_r(b->h, g);
    if (t == GEOS_MULTIPOINT && GEOSGetNumGeometries_r(b->h, g) == 1) {
        g = GEOSGetGeometryN_r(b->h, g, 0);
        t = GEOSGeomTypeId_r(b->h, g);
    }
    char tn[64];
    if (t != GEOS_POINT)
        return emscov_fail(b->ctx, EMS_EINPUT, "%s: record %lld: geometry is a %s, need a point",
                           layer_path(l), (long long)layer_record(l, i), type_of(b->h, g, tn, sizeof tn));
    if (!GEOSGeomGetX_r(b->h, g, x) || !GEOSGeomGetY_r(b->h, g, y))
        return emscov_fail(b->ctx, EMS_EINTERNAL, "%s: record %lld: cannot read the point: %s", layer_path(l),
                           (long long)layer_record(l, i), emscov_lib_message(b->ctx));
    return EMS_OK;
}

ems_status demand_from_points(emscov_ctx *ctx, const layer *pts, const char *count_field, const char *levels_field,
                              const layer *streets, demand_set **out)
{
    *out = NULL;
    builder b;
    int j = -1, jl = -1;
    null_note nulls = {0, 0};
    ems_status st = builder_init(&b, ctx, streets);
    if (st == EMS_OK && streets) st = same_crs(ctx, pts, layer_crs(streets), "the population layer");
    if (st == EMS_OK && count_field) st = find_field(ctx, pts, count_field, &j);
    if (st == EMS_OK && levels_field) st = find_field(ctx, pts, levels_field, &jl);
    for (size_t i = 0; st == EMS_OK && i < layer_count(pts); i++) {
        double c, f, x, y;
        uint32_t s;
        if ((st = level_factor(&b, pts, i, jl, &f)) != EMS_OK) break;
        if ((st = read_count(&b, pts, i, j, f, &nulls, &c)) != EMS_OK || c == 0) continue;
        if ((st = point_xy(&b, pts, i, &x, &y)) == EMS_OK && (st = street_of(&b, x, y, &s)) == EMS_OK)
            st = push(&b, x, y, c, s, layer_record(pts, i));
    }
    if (st == EMS_OK && j >= 0) warn_nulls(ctx, pts, layer_field_at(pts, (size_t)j)->name, &nulls);
    return builder_finish(&b, st, out);
}

ems_status demand_skipped_count(emscov_ctx *ctx, const layer *pts, const char *count_field, const char *levels_field,
                                size_t k, double *count)
{
    *count = 0;
    int j = -1, jl = -1;
    ems_status st = find_field(ctx, pts, count_field, &j);
    if (st == EMS_OK && levels_field) st = find_field(ctx, pts, levels_field, &jl);
    if (st != EMS_OK) return st;
    const layer_value *v = layer_skipped_values(pts, k);
    int64_t rec = layer_skipped_record(pts, k);
    double c, f = 1;
    if ((st = value_number(ctx, pts, rec, j, &v[j], &c)) != EMS_OK) return st;
    if (isnan(c)) return EMS_OK;
    if (!isfinite(c) || c < 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: %s count %.17g: need a number >= 0",
                           layer_path(pts), (long long)rec, layer_field_at(pts, (size_t)j)->name,
                           isfinite(c) ? "negative" : "non-finite", c);
    if (jl >= 0) {
        double lv;
        if ((st = value_number(ctx, pts, rec, jl, &v[jl], &lv)) != EMS_OK) return st;
        if (!isnan(lv) && lv > 1) f = lv;
    }
    *count = c * f;
    if (!isfinite(*count))
        return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: count x levels overflows", layer_path(pts),
                           (long long)rec, layer_field_at(pts, (size_t)j)->name);
    return EMS_OK;
}

ems_status demand_scale_to(emscov_ctx *ctx, demand_set *d, double total)
{
    if (!isfinite(total) || total <= 0)
        return emscov_fail(ctx, EMS_EINPUT, "population total %.17g: need a number > 0", total);
    if (!(d->input_total > 0))
        return emscov_fail(ctx, EMS_EINPUT, "population: the weights sum to 0, so a total of %.0f cannot be "
                           "spread over them", total);
    double f = total / d->input_total;
    ksum all = {0, 0}, outside = {0, 0};
    for (size_t i = 0; i < d->n; i++) {
        d->pop[i] *= f;
        ksum_add(&all, d->pop[i]);
        if (d->street[i] == DEMAND_NONE) ksum_add(&outside, d->pop[i]);
    }
    d->weight_total = d->input_total;
    d->input_total = total;
    d->allocated_total = ksum_get(&all);
    d->outside_total = ksum_get(&outside);
    return EMS_OK;
}

/* ---- Polygons. */

typedef struct piece {
    GEOSGeometry *g; /* owned unless borrowed */
    const GEOSGeometry *view;
    double w;
    uint32_t street;
} piece;

typedef struct piece_list {
    piece *p;
    size_t n, cap;
} piece_list;

static void pieces_clear(GEOSContextHandle_t h, piece_list *pl)
{
    for (size_t k = 0; k < pl->n; k++)
        if (pl->p[k].g) GEOSGeom_destroy_r(h, pl->p[k].g);
    pl->n = 0;
}

/* Adds a piece: takes `own` (may be NULL when view is borrowed). */
static ems_status piece_add(builder *b, piece_list *pl, GEOSGeometry *own, const GEOSGeometry *view, double w,
                            uint32_t street)
{
    if (!ems_grow(b->ctx, (void **)&pl->p, &pl->cap, pl->n + 1, sizeof *pl->p)) {
        if (own) GEOSGeom_destroy_r(b->h, own);
        return EMS_ENOMEM;
    }
    pl->p[pl->n++] = (piece){own, own ? own : view, w, street};
    return EMS_OK;
}

static ems_status geos_failed(builder *b, const layer *l, size_t i, const char *what)
{
    return emscov_fail(b->ctx, EMS_EINTERNAL, "%s: record %lld: %s failed: %s", layer_path(l),
                       (long long)layer_record(l, i), what, emscov_lib_message(b->ctx));
}

/* One point per piece, pop split by weight. */
static ems_status emit_pieces(builder *b, const piece_list *pl, double pop, const layer *l, size_t i)
{
    double wsum = 0;
    for (size_t k = 0; k < pl->n; k++)
        wsum += pl->p[k].w;
    for (size_t k = 0; k < pl->n; k++) {
        GEOSGeometry *pt = GEOSPointOnSurface_r(b->h, pl->p[k].view);
        double x, y;
        if (!pt || GEOSisEmpty_r(b->h, pt) || !GEOSGeomGetX_r(b->h, pt, &x) ||
            !GEOSGeomGetY_r(b->h, pt, &y)) {
            if (pt) GEOSGeom_destroy_r(b->h, pt);
            return geos_failed(b, l, i, "point on surface");
        }
        GEOSGeom_destroy_r(b->h, pt);
        double share = pl->n == 1 ? pop : pop * (pl->p[k].w / wsum);
        uint32_t s = pl->p[k].street;
        ems_status st = EMS_OK;
        if (s == ZERO_AREA) st = street_of(b, x, y, &s);
        if (st == EMS_OK && share > 0) st = push(b, x, y, share, s, layer_record(l, i));
        if (st != EMS_OK) return st;
    }
    return EMS_OK;
}

/* Cut g (borrowed) by the sub-districts in ascending index and add pop over the pieces by area. */
static ems_status split_by_streets(builder *b, const GEOSGeometry *g, double pop, const layer *l, size_t i,
                                   piece_list *pl)
{
    GEOSContextHandle_t h = b->h;
    double area = 0;
    ems_status st = EMS_OK;
    GEOSGeometry *rem = NULL; /* what is left; NULL: g itself */
    pieces_clear(h, pl);
    if (!GEOSArea_r(h, g, &area)) return geos_failed(b, l, i, "area");
    double tol = area * 1e-9;
    bool done = false;
    if (b->six && area > 0) {
        if ((st = candidates(b, b->six, g)) != EMS_OK) return st;
        for (size_t c = 0; c < b->ncand && !done; c++) {
            size_t k = b->cand[c];
            const GEOSGeometry *cur = rem ? rem : g;
            const GEOSPreparedGeometry *ps = street_prep(b, k);
            if (!ps) {
                st = geos_failed(b, l, i, "prepare");
                break;
            }
            char cov = GEOSPreparedCovers_r(h, ps, cur);
            char meets = cov == 1 ? 1 : cov == 0 ? GEOSPreparedIntersects_r(h, ps, cur) : 2;
            if (cov == 2 || meets == 2) {
                st = geos_failed(b, l, i, "covers/intersects");
                break;
            }
            if (cov == 1) {
                double a = area;
                if (rem && !GEOSArea_r(h, rem, &a)) {
                    st = geos_failed(b, l, i, "area");
                    break;
                }
                st = piece_add(b, pl, rem, rem ? NULL : g, a, (uint32_t)k);
                rem = NULL;
                done = true;
                break;
            }
            if (!meets) continue;
            const GEOSGeometry *sg = layer_geom(b->streets, k);
            GEOSGeometry *in = GEOSIntersection_r(h, cur, sg);
            GEOSGeometry *left = in ? GEOSDifference_r(h, cur, sg) : NULL;
            double a = 0, aleft = 0;
            if (!left || !GEOSArea_r(h, in, &a) || !GEOSArea_r(h, left, &aleft)) {
                ems_geos_destroy_all(b->ctx, in, left, EMS_GEOS_END);
                st = geos_failed(b, l, i, "intersection with a sub-district");
                break;
            }
            if (a > tol) {
                if ((st = piece_add(b, pl, in, NULL, a, (uint32_t)k)) != EMS_OK) {
                    GEOSGeom_destroy_r(h, left);
                    break;
                }
            } else
                GEOSGeom_destroy_r(h, in);
            if (rem) GEOSGeom_destroy_r(h, rem);
            rem = left;
            if (aleft <= tol) {
                GEOSGeom_destroy_r(h, rem);
                rem = NULL;
                done = true;
            }
        }
    }
    if (st == EMS_OK && !done) {
        /* The outside piece: all of g when no sub-district met it. */
        double a = area;
        if (rem && !GEOSArea_r(h, rem, &a))
            st = geos_failed(b, l, i, "area");
        else if (a > tol || pl->n == 0) {
            uint32_t s = area > 0 ? DEMAND_NONE : (b->six ? ZERO_AREA : DEMAND_NONE);
            st = piece_add(b, pl, rem, rem ? NULL : g, a > 0 ? a : 1, s);
            rem = NULL;
        }
    }
    if (rem) GEOSGeom_destroy_r(h, rem);
    if (st == EMS_OK) st = emit_pieces(b, pl, pop, l, i);
    pieces_clear(h, pl);
    return st;
}

typedef struct dasy {
    const layer *target;
    layer_index *tix;
    int levels; /* field index or -1 */
    piece_list parts;
} dasy;

/* The census polygon g's intersections with the target polygons, weighted, into ds->parts. */
static ems_status target_parts(builder *b, dasy *ds, const GEOSGeometry *g, const layer *l, size_t i)
{
    GEOSContextHandle_t h = b->h;
    pieces_clear(h, &ds->parts);
    ems_status st = candidates(b, ds->tix, g);
    if (st != EMS_OK) return st;
    const GEOSPreparedGeometry *pg = GEOSPrepare_r(h, g);
    if (!pg) return geos_failed(b, l, i, "prepare");
    for (size_t c = 0; c < b->ncand && st == EMS_OK; c++) {
        size_t t = b->cand[c];
        const GEOSGeometry *tg = layer_geom(ds->target, t);
        if (!is_polygonal(h, tg)) continue;
        char cov = GEOSPreparedCovers_r(h, pg, tg);
        char meets = cov == 1 ? 1 : cov == 0 ? GEOSPreparedIntersects_r(h, pg, tg) : 2;
        if (cov == 2 || meets == 2) {
            st = geos_failed(b, l, i, "covers/intersects");
            break;
        }
        if (!meets) continue;
        double f = 1, a = 0;
        if ((st = level_factor(b, ds->target, t, ds->levels, &f)) != EMS_OK) break;
        if (cov == 1) {
            if (!GEOSArea_r(h, tg, &a))
                st = geos_failed(b, l, i, "area");
            else if (a > 0)
                st = piece_add(b, &ds->parts, NULL, tg, a * f, 0);
            continue;
        }
        GEOSGeometry *in = GEOSIntersection_r(h, g, tg);
        if (!in || !GEOSArea_r(h, in, &a)) {
            if (in) GEOSGeom_destroy_r(h, in);
            st = geos_failed(b, l, i, "intersection with a target polygon");
            break;
        }
        if (a > 0)
            st = piece_add(b, &ds->parts, in, NULL, a * f, 0);
        else
            GEOSGeom_destroy_r(h, in);
    }
    GEOSPreparedGeom_destroy_r(h, pg);
    return st;
}

ems_status demand_from_polygons(emscov_ctx *ctx, const layer *polys, const char *count_field,
                                const layer *streets, const layer *target, const char *levels_field,
                                demand_set **out)
{
    *out = NULL;
    builder b;
    int j = -1;
    null_note nulls = {0, 0};
    int64_t first_fallback = 0;
    dasy ds = {target, NULL, -1, {NULL, 0, 0}};
    piece_list pl = {NULL, 0, 0};
    ems_status st = builder_init(&b, ctx, streets);
    if (st == EMS_OK && streets) st = same_crs(ctx, polys, layer_crs(streets), "the population layer");
    if (st == EMS_OK && target) st = same_crs(ctx, target, layer_crs(polys), "the target layer");
    if (st == EMS_OK) st = find_field(ctx, polys, count_field, &j);
    if (st == EMS_OK && target && levels_field) st = find_field(ctx, target, levels_field, &ds.levels);
    if (st == EMS_OK && target) st = index_build(ctx, target, &ds.tix);
    for (size_t i = 0; st == EMS_OK && i < layer_count(polys); i++) {
        double c;
        const GEOSGeometry *g = layer_geom(polys, i);
        if ((st = read_count(&b, polys, i, j, 1, &nulls, &c)) != EMS_OK || c == 0) continue;
        if (!is_polygonal(b.h, g)) {
            char tn[64];
            st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: geometry is a %s, need a polygon",
                             layer_path(polys), (long long)layer_record(polys, i),
                             type_of(b.h, g, tn, sizeof tn));
            break;
        }
        if (!target) {
            st = split_by_streets(&b, g, c, polys, i, &pl);
            continue;
        }
        if ((st = target_parts(&b, &ds, g, polys, i)) != EMS_OK) break;
        double wsum = 0;
        for (size_t k = 0; k < ds.parts.n; k++)
            wsum += ds.parts.p[k].w;
        if (!(wsum > 0)) {
            if (!b.d->fallbacks++) first_fallback = layer_record(polys, i);
            st = split_by_streets(&b, g, c, polys, i, &pl);
            continue;
        }
        for (size_t k = 0; k < ds.parts.n && st == EMS_OK; k++)
            st = split_by_streets(&b, ds.parts.p[k].view, c * (ds.parts.p[k].w / wsum), polys, i, &pl);
    }
    if (st == EMS_OK) {
        warn_nulls(ctx, polys, layer_field_at(polys, (size_t)j)->name, &nulls);
        if (b.d->fallbacks)
            emscov_warn(ctx,
                        "%s: %zu polygon(s) with population contain no %s area (first record %lld): "
                        "their population is spread by area instead",
                        layer_path(polys), b.d->fallbacks, layer_path(target), (long long)first_fallback);
    }
    pieces_clear(b.h, &ds.parts);
    free(ds.parts.p);
    pieces_clear(b.h, &pl);
    free(pl.p);
    index_destroy(ds.tix);
    return builder_finish(&b, st, out);
}

/* ---- The set. */

void demand_set_destroy(demand_set *d)
{
    if (!d) return;
    free(d->x);
    free(d->y);
    free(d->pop);
    free(d->street);
    free(d->record);
    free(d->skipped);
    free(d);
}

void demand_street_pop(const demand_set *d, double *pop)
{
    for (size_t k = 0; k < d->nstreets; k++)
        pop[k] = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->street[i] < d->nstreets) pop[d->street[i]] += d->pop[i];
}
