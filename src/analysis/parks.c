/* src/analysis/parks.c: park service-radius coverage of residential land (see parks.h).
 *
 * How the figure is computed without one giant overlay (Beijing scale: 232 parks, 155,617 residential blocks,
 * 340 sub-districts):
 *  1. each included park is buffered by its tier radius; the buffers go into an STRtree, each prepared;
 *     their union (GEOSUnaryUnion) is the service area kept in the result (output, population points);
 *  2. residential polygons whose interiors overlap are found with an STRtree (only pairs whose envelopes
 *     overlap with positive area are tested, GEOSRelatePattern "T********") and each group is unioned;
 *  3. per residential group G: covered(G) = area(G) when one prepared buffer covers it, 0 when none
 *     intersects it, else area(union of G n B_i over the buffers B_i that intersect it) -- the same set as
 *     G n (union of all buffers), computed on a few small polygons;
 *  4. per sub-district: G goes whole to the first (lowest-index) sub-district whose prepared polygon covers
 *     it; otherwise G is split, G n S_k for every sub-district S_k it intersects, and each piece is measured
 *     as in 3; what lies in no sub-district is counted in outside_m2. */
#include "src/analysis/parks.h"

#include "geo/config.h"
#include "geo/parallel.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------------------
 * Rule sets */

struct park_rules {
    char *name, *standard, *path, *clause;
    double target_share;
    bool target_strict; /* the text asks for more than the share (">"), not at least (">=") */
    bool points;        /* point facilities are allowed (a radius around points) */
    park_tier tiers[PARKS_MAX_TIERS];
    int tier_line[PARKS_MAX_TIERS]; /* line of each tier in the file (0 when built in memory) */
    size_t ntiers;
};

static const char *const rule_keys[] = {"rule.name",      "rule.standard", "rule.target_share", "rule.clause",
                                        "rule.target_op", "rule.points",   "tiers.*",           NULL};

/* One [tiers] line: min_area_ha = radius_m. */
static ems_status add_tier(emscov_ctx *ctx, const config *c, const config_entry *e, park_rules *r)
{
    double a, rad;
    if (!config_decimal(e->key, &a) || a < 0)
        return config_fail(ctx, c, e, EMS_EINPUT,
                           "not a park area in hectares (a number >= 0; lines read min_area_ha = radius_m)");
    if (!config_decimal(e->value, &rad) || rad <= 0 || rad > 100000)
        return config_fail(ctx, c, e, EMS_EINPUT,
                           "radius \"%s\" is not a distance in metres (0 < r <= 100000)", e->value);
    for (size_t k = 0; k < r->ntiers; k++)
        if (r->tiers[k].min_area_ha == a)
            return config_fail(ctx, c, e, EMS_EINPUT, "area %g ha is given twice (first on line %d)", a,
                               r->tier_line[k]);
    if (r->ntiers == PARKS_MAX_TIERS)
        return config_fail(ctx, c, e, EMS_EINPUT, "more than %d tiers", PARKS_MAX_TIERS);
    r->tiers[r->ntiers] = (park_tier){a, rad};
    r->tier_line[r->ntiers] = e->line;
    r->ntiers++;
    return EMS_OK;
}

/* The rule set's values from a loaded file. */
static ems_status rules_from_config(emscov_ctx *ctx, const config *c, park_rules *r)
{
    const config_entry *name, *standard, *share;
    ems_status st;
    if ((st = config_require_entry(ctx, c, "rule", "name", &name)) != EMS_OK ||
        (st = config_require_entry(ctx, c, "rule", "standard", &standard)) != EMS_OK ||
        (st = config_require_entry(ctx, c, "rule", "target_share", &share)) != EMS_OK)
        return st;
    if (!config_decimal(share->value, &r->target_share) || r->target_share < 0 || r->target_share > 1)
        return config_fail(ctx, c, share, EMS_EINPUT,
                           "\"%s\" is not a share between 0 and 1 (write 0.9 for 90 %%)", share->value);
    const config_entry *op = config_find(c, "rule", "target_op"), *pts = config_find(c, "rule", "points");
    if (op && strcmp(op->value, ">") && strcmp(op->value, ">="))
        return config_fail(ctx, c, op, EMS_EINPUT, "\"%s\" is not > or >= (how the text compares the share)",
                           op->value);
    r->target_strict = op && !strcmp(op->value, ">");
    const char *clause = config_get(c, "rule", "clause");
    if (!(r->name = ems_strdup(ctx, name->value)) || !(r->standard = ems_strdup(ctx, standard->value)) ||
        !(r->clause = ems_strdup(ctx, clause ? clause : standard->value)))
        return EMS_ENOMEM;
    if (pts && strcmp(pts->value, "yes") && strcmp(pts->value, "no"))
        return config_fail(ctx, c, pts, EMS_EINPUT, "\"%s\" is not yes or no (may facilities be points?)",
                           pts->value);
    r->points = pts && !strcmp(pts->value, "yes");
    for (const config_entry *e = NULL; (e = config_next(c, "tiers", e));)
        if ((st = add_tier(ctx, c, e, r)) != EMS_OK) return st;
    if (r->ntiers == 0)
        return config_fail_section(ctx, c, "tiers", EMS_EINPUT,
                                   "no tier (lines read min_area_ha = radius_m, e.g. 1.0 = 500)");
    return EMS_OK;
}

static int cmp_tier_desc(const void *a, const void *b)
{
    double x = ((const park_tier *)a)->min_area_ha, y = ((const park_tier *)b)->min_area_ha;
    return x > y ? -1 : x < y;
}

void park_rules_destroy(park_rules *r)
{
    if (!r) return;
    free(r->name);
    free(r->standard);
    free(r->clause);
    free(r->path);
    free(r);
}

ems_status park_rules_load(emscov_ctx *ctx, const char *path, park_rules **out)
{
    *out = NULL;
    config *c = NULL;
    const config_schema schema = {rule_keys, NULL};
    ems_status st = config_load_schema(ctx, path, &schema, &c);
    if (st != EMS_OK) return st;
    park_rules *r = ems_calloc(ctx, 1, sizeof *r);
    if (!r || !(r->path = ems_strdup(ctx, path)))
        st = EMS_ENOMEM;
    else
        st = rules_from_config(ctx, c, r);
    config_destroy(c);
    if (st != EMS_OK) {
        park_rules_destroy(r);
        return st;
    }
    /* sort tiers with their lines */
    for (size_t i = 1; i < r->ntiers; i++)
        for (size_t j = i; j > 0 && r->tiers[j].min_area_ha > r->tiers[j - 1].min_area_ha; j--) {
            park_tier t = r->tiers[j];
            r->tiers[j] = r->tiers[j - 1];
            r->tiers[j - 1] = t;
            int l = r->tier_line[j];
            r->tier_line[j] = r->tier_line[j - 1];
            r->tier_line[j - 1] = l;
        }
    *out = r;
    return EMS_OK;
}

ems_status park_rules_create(emscov_ctx *ctx, const char *name, const char *standard, double target_share,
                             const park_tier *tiers, size_t ntiers, park_rules **out)
{
    *out = NULL;
    if (!name || !*name || !standard || !*standard)
        return emscov_fail(ctx, EMS_EINPUT, "park rule set: name and standard are required");
    if (!(target_share >= 0 && target_share <= 1))
        return emscov_fail(ctx, EMS_EINPUT,
                           "park rule set %s: target_share %g is not a share between 0 and 1", name,
                           target_share);
    if (ntiers == 0 || ntiers > PARKS_MAX_TIERS)
        return emscov_fail(ctx, EMS_EINPUT, "park rule set %s: %zu tiers (1 to %d allowed)", name, ntiers,
                           PARKS_MAX_TIERS);
    for (size_t k = 0; k < ntiers; k++) {
        if (!(tiers[k].min_area_ha >= 0 && isfinite(tiers[k].min_area_ha)) ||
            !(tiers[k].radius_m > 0 && tiers[k].radius_m <= 100000))
            return emscov_fail(ctx, EMS_EINPUT, "park rule set %s: tier %zu: %g ha = %g m is out of range",
                               name, k + 1, tiers[k].min_area_ha, tiers[k].radius_m);
        for (size_t j = 0; j < k; j++)
            if (tiers[j].min_area_ha == tiers[k].min_area_ha)
                return emscov_fail(ctx, EMS_EINPUT, "park rule set %s: tier %zu: area %g ha is given twice",
                                   name, k + 1, tiers[k].min_area_ha);
    }
    park_rules *r = ems_calloc(ctx, 1, sizeof *r);
    if (!r) return EMS_ENOMEM;
    r->name = ems_strdup(ctx, name);
    r->standard = ems_strdup(ctx, standard);
    r->clause = ems_strdup(ctx, standard);
    r->path = ems_strdup(ctx, "");
    if (!r->name || !r->standard || !r->clause || !r->path) {
        park_rules_destroy(r);
        return EMS_ENOMEM;
    }
    r->target_share = target_share;
    memcpy(r->tiers, tiers, ntiers * sizeof *tiers);
    r->ntiers = ntiers;
    qsort(r->tiers, ntiers, sizeof *r->tiers, cmp_tier_desc);
    *out = r;
    return EMS_OK;
}

const char *park_rules_name(const park_rules *r)
{
    return r->name;
}
const char *park_rules_standard(const park_rules *r)
{
    return r->standard;
}
const char *park_rules_path(const park_rules *r)
{
    return r->path;
}
double park_rules_target_share(const park_rules *r)
{
    return r->target_share;
}
const char *park_rules_clause(const park_rules *r)
{
    return r->clause;
}
bool park_rules_target_strict(const park_rules *r)
{
    return r->target_strict;
}
bool park_rules_points(const park_rules *r)
{
    return r->points;
}

size_t park_rules_tier_count(const park_rules *r)
{
    return r->ntiers;
}
park_tier park_rules_tier(const park_rules *r, size_t k)
{
    return r->tiers[k];
}

size_t park_rules_tier_for(const park_rules *r, double area_m2)
{
    for (size_t k = 0; k < r->ntiers; k++)
        if (area_m2 >= r->tiers[k].min_area_ha * 10000.0) return k;
    return PARKS_EXCLUDED;
}

/* ---------------------------------------------------------------------------------------------------------
 * Coverage */

/* Everything parks_compute builds; freed in one place. */
typedef struct work {
    emscov_ctx *ctx;
    GEOSContextHandle_t h;
    size_t nbuf;
    GEOSGeometry **buf;                 /* service buffers of the included parks */
    const GEOSPreparedGeometry **bprep; /* prepared buffers */
    size_t *bid;                        /* STRtree payloads: bid[i] == i */
    GEOSSTRtree *btree;
    size_t nres;
    double *renv;         /* residential envelopes, 4 per feature */
    size_t *rid, *parent; /* residential STRtree payloads; union-find */
    GEOSSTRtree *rtree;
    size_t nst;
    const GEOSPreparedGeometry **sprep; /* prepared sub-districts */
    size_t *sid;
    GEOSSTRtree *stree;
    size_t *hits, nhits, cap; /* candidates of the current query */
    bool failed;
} work;

static void work_fini(work *w)
{
    GEOSContextHandle_t h = w->h;
    if (w->btree) GEOSSTRtree_destroy_r(h, w->btree);
    if (w->rtree) GEOSSTRtree_destroy_r(h, w->rtree);
    if (w->stree) GEOSSTRtree_destroy_r(h, w->stree);
    for (size_t i = 0; i < w->nbuf; i++) {
        if (w->bprep && w->bprep[i]) GEOSPreparedGeom_destroy_r(h, w->bprep[i]);
        if (w->buf && w->buf[i]) GEOSGeom_destroy_r(h, w->buf[i]);
    }
    for (size_t i = 0; i < w->nst; i++)
        if (w->sprep && w->sprep[i]) GEOSPreparedGeom_destroy_r(h, w->sprep[i]);
    free(w->buf);
    free(w->bprep);
    free(w->bid);
    free(w->renv);
    free(w->rid);
    free(w->parent);
    free(w->sprep);
    free(w->sid);
    free(w->hits);
}

static void on_hit(void *item, void *user)
{
    work *w = user;
    if (w->failed) return;
    if (!ems_grow(w->ctx, (void **)&w->hits, &w->cap, w->nhits + 1, sizeof *w->hits)) {
        w->failed = true;
        return;
    }
    w->hits[w->nhits++] = *(const size_t *)item;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Candidates of tree whose envelope intersects g, ascending. */
static ems_status query(work *w, GEOSSTRtree *tree, const GEOSGeometry *g)
{
    w->nhits = 0;
    GEOSSTRtree_query_r(w->h, tree, g, on_hit, w);
    if (w->failed) return EMS_ENOMEM;
    qsort(w->hits, w->nhits, sizeof *w->hits, cmp_size);
    return EMS_OK;
}

/* Polygon or MultiPolygon (layers keep only the polygonal part of repaired geometries). */
static bool is_polygonal(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(h, g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

static ems_status check_polygons(emscov_ctx *ctx, const layer *l, const char *what)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < layer_count(l); i++)
        if (!is_polygonal(h, layer_geom(l, i))) {
            char *type = GEOSGeomType_r(h, layer_geom(l, i));
            ems_status st =
                emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: %s must be polygons, this is a %s",
                            layer_path(l), (long long)layer_record(l, i), what, type ? type : "?");
            GEOSFree_r(h, type);
            return st;
        }
    return EMS_OK;
}

/* Facilities of a rule set: polygons, and points too when the rule is about points. */
static ems_status check_facilities(emscov_ctx *ctx, const layer *l, const park_rules *r)
{
    if (!r->points) return check_polygons(ctx, l, "parks");
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < layer_count(l); i++) {
        int t = GEOSGeomTypeId_r(h, layer_geom(l, i));
        if (t != GEOS_POINT && t != GEOS_MULTIPOINT && t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON) {
            char *type = GEOSGeomType_r(h, layer_geom(l, i));
            ems_status st = emscov_fail(ctx, EMS_EINPUT,
                                        "%s: record %lld: facilities of rule set %s must be points or polygons, "
                                        "this is a %s",
                                        layer_path(l), (long long)layer_record(l, i), r->name, type ? type : "?");
            GEOSFree_r(h, type);
            return st;
        }
    }
    return EMS_OK;
}

static ems_status geos_area(work *w, const GEOSGeometry *g, double *a)
{
    if (!GEOSArea_r(w->h, g, a))
        return emscov_fail(w->ctx, EMS_EINTERNAL, "area failed: %s", emscov_lib_message(w->ctx));
    return EMS_OK;
}

/* Area of g inside the service area (g has area a). */
static ems_status covered_area(work *w, const GEOSGeometry *g, double a, const char *what, long long rec,
                               double *out)
{
    GEOSContextHandle_t h = w->h;
    *out = 0;
    if (!w->btree || a <= 0) return EMS_OK;
    ems_status st = query(w, w->btree, g);
    if (st != EMS_OK) return st;
    size_t keep = 0;
    for (size_t k = 0; k < w->nhits; k++) {
        size_t b = w->hits[k];
        char c = GEOSPreparedCovers_r(h, w->bprep[b], g);
        if (c == 1) {
            *out = a;
            return EMS_OK;
        }
        char i = c == 2 ? 2 : GEOSPreparedIntersects_r(h, w->bprep[b], g);
        if (i == 2)
            return emscov_fail(w->ctx, EMS_EINTERNAL, "%s record %lld: service area test failed: %s", what,
                               rec, emscov_lib_message(w->ctx));
        if (i == 1) w->hits[keep++] = b;
    }
    if (keep == 0) return EMS_OK;
    GEOSGeometry **pieces = ems_calloc(w->ctx, keep, sizeof *pieces);
    if (!pieces) return EMS_ENOMEM;
    GEOSGeometry *u = NULL;
    for (size_t k = 0; k < keep; k++)
        if (!(pieces[k] = GEOSIntersection_r(h, g, w->buf[w->hits[k]]))) {
            st = emscov_fail(w->ctx, EMS_EINTERNAL,
                             "%s record %lld: intersection with the service area failed: %s", what, rec,
                             emscov_lib_message(w->ctx));
            break;
        }
    if (st == EMS_OK && keep == 1) {
        st = geos_area(w, pieces[0], out);
    } else if (st == EMS_OK) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, pieces, (unsigned)keep);
        if (!coll) {
            st = emscov_fail(w->ctx, EMS_EINTERNAL, "cannot collect pieces: %s", emscov_lib_message(w->ctx));
        } else {
            memset(pieces, 0, keep * sizeof *pieces); /* owned by coll now */
            u = GEOSUnaryUnion_r(h, coll);
            GEOSGeom_destroy_r(h, coll);
            if (!u)
                st = emscov_fail(w->ctx, EMS_EINTERNAL, "%s record %lld: union of service pieces failed: %s",
                                 what, rec, emscov_lib_message(w->ctx));
            else
                st = geos_area(w, u, out);
        }
    }
    for (size_t k = 0; k < keep; k++)
        if (pieces[k]) GEOSGeom_destroy_r(h, pieces[k]);
    free(pieces);
    if (u) GEOSGeom_destroy_r(h, u);
    if (*out > a) /* the union of pieces of g cannot exceed g but for rounding */
        *out = a;
    return st;
}

static void unit_add(parks_unit *u, double a, double c)
{
    u->residential_m2 += a;
    u->covered_m2 += c;
}

static void unit_share(parks_unit *u)
{
    u->share = u->residential_m2 > 0 ? u->covered_m2 / u->residential_m2 : NAN;
}

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static bool get_env(GEOSContextHandle_t h, const GEOSGeometry *g, double *e)
{
    return GEOSGeom_getXMin_r(h, g, &e[0]) && GEOSGeom_getYMin_r(h, g, &e[1]) &&
           GEOSGeom_getXMax_r(h, g, &e[2]) && GEOSGeom_getYMax_r(h, g, &e[3]);
}

/* 1. Buffers of the included parks, their tree, their union. */
static ems_status build_service(work *w, const layer *parks, const park_rules *r, parks_result *res)
{
    emscov_ctx *ctx = w->ctx;
    GEOSContextHandle_t h = w->h;
    size_t n = layer_count(parks);
    res->nparks = n;
    res->ntiers = r->ntiers;
    for (size_t k = 0; k < r->ntiers; k++)
        res->tiers[k].tier = r->tiers[k];
    res->park_area_m2 = ems_calloc(ctx, n ? n : 1, sizeof *res->park_area_m2);
    res->park_tier = ems_calloc(ctx, n ? n : 1, sizeof *res->park_tier);
    w->buf = ems_calloc(ctx, n ? n : 1, sizeof *w->buf);
    w->bprep = ems_calloc(ctx, n ? n : 1, sizeof *w->bprep);
    w->bid = ems_calloc(ctx, n ? n : 1, sizeof *w->bid);
    if (!res->park_area_m2 || !res->park_tier || !w->buf || !w->bprep || !w->bid) return EMS_ENOMEM;
    ems_status st = EMS_OK;
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = layer_geom(parks, i);
        if ((st = geos_area(w, g, &res->park_area_m2[i])) != EMS_OK) return st;
        size_t t = park_rules_tier_for(r, res->park_area_m2[i]);
        res->park_tier[i] = t;
        if (t == PARKS_EXCLUDED) {
            res->parks_excluded++;
            res->excluded_area_m2 += res->park_area_m2[i];
            continue;
        }
        res->parks_included++;
        res->tiers[t].parks++;
        res->tiers[t].park_area_m2 += res->park_area_m2[i];
        GEOSGeometry *b = GEOSBuffer_r(h, g, r->tiers[t].radius_m, PARKS_QUAD_SEGS);
        if (!b)
            return emscov_fail(ctx, EMS_EINTERNAL, "%s: record %lld: buffer of %g m failed: %s",
                               layer_path(parks), (long long)layer_record(parks, i), r->tiers[t].radius_m,
                               emscov_lib_message(ctx));
        w->buf[w->nbuf] = b;
        if (!(w->bprep[w->nbuf] = GEOSPrepare_r(h, b)))
            return emscov_fail(ctx, EMS_EINTERNAL, "cannot prepare a service buffer: %s",
                               emscov_lib_message(ctx));
        w->bid[w->nbuf] = w->nbuf;
        w->nbuf++;
    }
    if (w->nbuf == 0) {
        if (!(res->service = GEOSGeom_createEmptyPolygon_r(h)))
            return emscov_fail(ctx, EMS_EINTERNAL, "cannot make an empty polygon: %s",
                               emscov_lib_message(ctx));
        return EMS_OK;
    }
    if (!(w->btree = GEOSSTRtree_create_r(h, 10)))
        return emscov_fail(ctx, EMS_EINTERNAL, "cannot create an STRtree: %s", emscov_lib_message(ctx));
    for (size_t i = 0; i < w->nbuf; i++)
        GEOSSTRtree_insert_r(h, w->btree, w->buf[i], &w->bid[i]);

    /* the union: the collection borrows clones, so the buffers stay usable */
    GEOSGeometry **cl = ems_calloc(ctx, w->nbuf, sizeof *cl);
    if (!cl) return EMS_ENOMEM;
    for (size_t i = 0; i < w->nbuf && st == EMS_OK; i++)
        if (!(cl[i] = GEOSGeom_clone_r(h, w->buf[i])))
            st = emscov_fail(ctx, EMS_EINTERNAL, "cannot copy a buffer: %s", emscov_lib_message(ctx));
    GEOSGeometry *coll = NULL;
    if (st == EMS_OK &&
        !(coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, cl, (unsigned)w->nbuf)))
        st = emscov_fail(ctx, EMS_EINTERNAL, "cannot collect the buffers: %s", emscov_lib_message(ctx));
    if (!coll)
        for (size_t i = 0; i < w->nbuf; i++)
            if (cl[i]) GEOSGeom_destroy_r(h, cl[i]);
    free(cl);
    if (st != EMS_OK) return st;
    res->service = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    if (!res->service)
        return emscov_fail(ctx, EMS_EINTERNAL, "union of the park service buffers failed: %s",
                           emscov_lib_message(ctx));
    return geos_area(w, res->service, &res->service_m2);
}

/* 2. Residential overlap groups (union-find over pairs whose interiors intersect). */
static ems_status find_overlaps(work *w, const layer *res_l)
{
    emscov_ctx *ctx = w->ctx;
    GEOSContextHandle_t h = w->h;
    size_t n = w->nres;
    w->renv = ems_malloc(ctx, 4 * n * sizeof *w->renv);
    w->rid = ems_malloc(ctx, n * sizeof *w->rid);
    w->parent = ems_malloc(ctx, n * sizeof *w->parent);
    if (!w->renv || !w->rid || !w->parent) return EMS_ENOMEM;
    if (!(w->rtree = GEOSSTRtree_create_r(h, 10)))
        return emscov_fail(ctx, EMS_EINTERNAL, "cannot create an STRtree: %s", emscov_lib_message(ctx));
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = layer_geom(res_l, i);
        if (!get_env(h, g, &w->renv[4 * i]))
            return emscov_fail(ctx, EMS_EINTERNAL, "%s: record %lld: no envelope: %s", layer_path(res_l),
                               (long long)layer_record(res_l, i), emscov_lib_message(ctx));
        w->rid[i] = i;
        w->parent[i] = i;
        GEOSSTRtree_insert_r(h, w->rtree, g, &w->rid[i]);
    }
    for (size_t i = 0; i < n; i++) {
        ems_status st = query(w, w->rtree, layer_geom(res_l, i));
        if (st != EMS_OK) return st;
        const double *a = &w->renv[4 * i];
        for (size_t k = 0; k < w->nhits; k++) {
            size_t j = w->hits[k];
            const double *b = &w->renv[4 * j];
            /* envelopes that merely touch cannot hold overlapping interiors */
            if (j <= i || fmax(a[0], b[0]) >= fmin(a[2], b[2]) || fmax(a[1], b[1]) >= fmin(a[3], b[3]))
                continue;
            size_t ri = uf_find(w->parent, i), rj = uf_find(w->parent, j);
            if (ri == rj) continue;
            char rel = GEOSRelatePattern_r(h, layer_geom(res_l, i), layer_geom(res_l, j), "T********");
            if (rel == 2)
                return emscov_fail(ctx, EMS_EINTERNAL, "%s: records %lld and %lld: overlap test failed: %s",
                                   layer_path(res_l), (long long)layer_record(res_l, i),
                                   (long long)layer_record(res_l, j), emscov_lib_message(ctx));
            if (rel == 1) w->parent[ri > rj ? ri : rj] = ri < rj ? ri : rj;
        }
    }
    return EMS_OK;
}

/* The sub-district tree and prepared polygons. */
static ems_status build_streets(work *w, const layer *streets)
{
    emscov_ctx *ctx = w->ctx;
    GEOSContextHandle_t h = w->h;
    size_t n = layer_count(streets);
    w->sprep = ems_calloc(ctx, n ? n : 1, sizeof *w->sprep);
    w->sid = ems_calloc(ctx, n ? n : 1, sizeof *w->sid);
    if (!w->sprep || !w->sid) return EMS_ENOMEM;
    w->nst = n;
    if (!(w->stree = GEOSSTRtree_create_r(h, 10)))
        return emscov_fail(ctx, EMS_EINTERNAL, "cannot create an STRtree: %s", emscov_lib_message(ctx));
    for (size_t i = 0; i < n; i++) {
        if (!(w->sprep[i] = GEOSPrepare_r(h, layer_geom(streets, i))))
            return emscov_fail(ctx, EMS_EINTERNAL, "cannot prepare a sub-district: %s",
                               emscov_lib_message(ctx));
        w->sid[i] = i;
        GEOSSTRtree_insert_r(h, w->stree, layer_geom(streets, i), &w->sid[i]);
    }
    return EMS_OK;
}

/* 4. One residential group g (area a, covered c) into the sub-districts. */
static ems_status split_group(work *w, const layer *streets, const GEOSGeometry *g, double a, double c,
                              long long rec, parks_result *res)
{
    emscov_ctx *ctx = w->ctx;
    GEOSContextHandle_t h = w->h;
    ems_status st = query(w, w->stree, g);
    if (st != EMS_OK) return st;
    size_t nc = w->nhits;
    size_t *cand = nc ? ems_malloc(ctx, nc * sizeof *cand) : NULL;
    if (nc && !cand) return EMS_ENOMEM;
    if (nc) memcpy(cand, w->hits, nc * sizeof *cand);
    double in_a = 0, in_c = 0;
    bool whole = false;
    for (size_t k = 0; k < nc && st == EMS_OK && !whole; k++) {
        char cv = GEOSPreparedCovers_r(h, w->sprep[cand[k]], g);
        if (cv == 2)
            st = emscov_fail(ctx, EMS_EINTERNAL, "residential record %lld: sub-district test failed: %s", rec,
                             emscov_lib_message(ctx));
        else if (cv == 1) {
            unit_add(&res->units[cand[k]], a, c);
            whole = true;
        }
    }
    for (size_t k = 0; k < nc && st == EMS_OK && !whole; k++) {
        size_t s = cand[k];
        char it = GEOSPreparedIntersects_r(h, w->sprep[s], g);
        if (it == 2) {
            st = emscov_fail(ctx, EMS_EINTERNAL, "residential record %lld: sub-district test failed: %s", rec,
                             emscov_lib_message(ctx));
            break;
        }
        if (it == 0) continue;
        GEOSGeometry *piece = GEOSIntersection_r(h, g, layer_geom(streets, s));
        if (!piece) {
            st = emscov_fail(ctx, EMS_EINTERNAL,
                             "residential record %lld: clipping to sub-district %s record %lld "
                             "failed: %s",
                             rec, layer_path(streets), (long long)layer_record(streets, s),
                             emscov_lib_message(ctx));
            break;
        }
        double pa = 0, pc = 0;
        st = geos_area(w, piece, &pa);
        if (st == EMS_OK && pa > 0 && c >= a) /* the whole group is covered, so is the piece */
            pc = pa;
        else if (st == EMS_OK && pa > 0 && c > 0)
            st = covered_area(w, piece, pa, "residential", rec, &pc);
        GEOSGeom_destroy_r(h, piece);
        if (st == EMS_OK && pa > 0) {
            unit_add(&res->units[s], pa, pc);
            in_a += pa;
            in_c += pc;
        }
    }
    free(cand);
    if (st == EMS_OK && !whole) {
        res->outside_m2 += fmax(0, a - in_a);
        res->outside_covered_m2 += fmax(0, c - in_c);
    }
    return st;
}

/* 3. + 4. Every residential group. */
static ems_status measure_residential(work *w, const layer *res_l, const layer *streets, parks_result *res)
{
    emscov_ctx *ctx = w->ctx;
    GEOSContextHandle_t h = w->h;
    size_t n = w->nres;
    /* members of each group, listed by root: counting sort */
    size_t *start = ems_calloc(ctx, n + 1, sizeof *start), *member = ems_malloc(ctx, n * sizeof *member);
    ems_status st = start && member ? EMS_OK : EMS_ENOMEM;
    for (size_t i = 0; i < n && st == EMS_OK; i++)
        start[uf_find(w->parent, i) + 1]++;
    for (size_t i = 0; i < n && st == EMS_OK; i++)
        start[i + 1] += start[i];
    if (st == EMS_OK) {
        /* pos[r] = next free slot of group r */
        size_t *pos = ems_malloc(ctx, (n ? n : 1) * sizeof *pos);
        if (!pos) st = EMS_ENOMEM;
        for (size_t i = 0; i < n && st == EMS_OK; i++)
            pos[i] = start[i];
        for (size_t i = 0; i < n && st == EMS_OK; i++) {
            size_t rt = uf_find(w->parent, i);
            member[pos[rt]++] = i;
        }
        free(pos);
    }
    for (size_t root = 0; root < n && st == EMS_OK; root++) {
        size_t m = start[root + 1] - start[root];
        if (m == 0) continue;
        const size_t *mem = &member[start[root]];
        long long rec = (long long)layer_record(res_l, mem[0]);
        const GEOSGeometry *g = layer_geom(res_l, mem[0]);
        GEOSGeometry *owned = NULL;
        double a = 0, c = 0;
        if (m > 1) {
            GEOSGeometry **cl = ems_calloc(ctx, m, sizeof *cl);
            double sum = 0;
            if (!cl) {
                st = EMS_ENOMEM;
                break;
            }
            for (size_t k = 0; k < m && st == EMS_OK; k++) {
                double ak = 0;
                if ((st = geos_area(w, layer_geom(res_l, mem[k]), &ak)) == EMS_OK) sum += ak;
                if (st == EMS_OK && !(cl[k] = GEOSGeom_clone_r(h, layer_geom(res_l, mem[k]))))
                    st = emscov_fail(ctx, EMS_EINTERNAL, "cannot copy a geometry: %s",
                                     emscov_lib_message(ctx));
            }
            GEOSGeometry *coll = NULL;
            if (st == EMS_OK &&
                !(coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, cl, (unsigned)m)))
                st =
                    emscov_fail(ctx, EMS_EINTERNAL, "cannot collect geometries: %s", emscov_lib_message(ctx));
            if (!coll)
                for (size_t k = 0; k < m; k++)
                    if (cl[k]) GEOSGeom_destroy_r(h, cl[k]);
            free(cl);
            if (st != EMS_OK) break;
            owned = GEOSUnaryUnion_r(h, coll);
            GEOSGeom_destroy_r(h, coll);
            if (!owned) {
                st = emscov_fail(ctx, EMS_EINTERNAL,
                                 "%s: record %lld: union of %zu overlapping residential polygons "
                                 "failed: %s",
                                 layer_path(res_l), rec, m, emscov_lib_message(ctx));
                break;
            }
            g = owned;
            if ((st = geos_area(w, g, &a)) == EMS_OK) {
                res->overlap_groups++;
                res->overlap_m2 += fmax(0, sum - a);
            }
        } else {
            st = geos_area(w, g, &a);
        }
        if (st == EMS_OK) st = covered_area(w, g, a, layer_path(res_l), rec, &c);
        if (st == EMS_OK) {
            unit_add(&res->city, a, c);
            if (streets && a > 0) st = split_group(w, streets, g, a, c, rec, res);
        }
        if (owned) GEOSGeom_destroy_r(h, owned);
    }
    free(start);
    free(member);
    return st;
}

void parks_result_destroy(parks_result *r)
{
    if (!r) return;
    if (r->service) GEOSGeom_destroy_r(emscov_geos(r->ctx), r->service);
    free(r->units);
    free(r->park_area_m2);
    free(r->park_tier);
    free(r);
}

ems_status parks_compute(emscov_ctx *ctx, const layer *parks, const layer *residential, const layer *streets,
                         const park_rules *r, parks_result **out)
{
    *out = NULL;
    const crs *cp = layer_crs(parks), *cr = residential ? layer_crs(residential) : cp;
    const crs *cs = streets ? layer_crs(streets) : cr;
    if (!cp || !cr || !cs || !crs_equivalent(cp, cr) || !crs_equivalent(cp, cs))
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: layers in different CRS (parks %s, residential %s%s%s)",
                           __func__, cp ? crs_name(cp) : "none", cr ? crs_name(cr) : "none",
                           streets ? ", sub-districts " : "", streets ? (cs ? crs_name(cs) : "none") : "");
    if (!crs_is_projected_metric(cp))
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: the working CRS %s is not projected in metres", __func__,
                           crs_name(cp));
    ems_status st;
    if ((st = check_facilities(ctx, parks, r)) != EMS_OK ||
        (residential && (st = check_polygons(ctx, residential, "residential land")) != EMS_OK) ||
        (streets && (st = check_polygons(ctx, streets, "sub-districts")) != EMS_OK))
        return st;
    if (residential && layer_count(residential) == 0)
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: the residential land layer has no features: the park coverage share "
                           "(covered residential land / residential land) is undefined",
                           layer_path(residential));

    work w = {.ctx = ctx, .h = emscov_geos(ctx), .nres = residential ? layer_count(residential) : 0};
    parks_result *res = ems_calloc(ctx, 1, sizeof *res);
    if (!res) return EMS_ENOMEM;
    res->ctx = ctx;
    res->residential_features = w.nres;
    if (streets) {
        res->nunits = layer_count(streets);
        if (!(res->units = ems_calloc(ctx, res->nunits ? res->nunits : 1, sizeof *res->units)))
            st = EMS_ENOMEM;
    }
    if (st == EMS_OK) st = build_service(&w, parks, r, res);
    if (st == EMS_OK && residential) st = find_overlaps(&w, residential);
    if (st == EMS_OK && residential && streets) st = build_streets(&w, streets);
    if (st == EMS_OK && residential) st = measure_residential(&w, residential, streets, res);
    if (st == EMS_OK && residential && !(res->city.residential_m2 > 0))
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: the residential land has no area: the park coverage share (covered "
                         "residential land / residential land) is undefined",
                         layer_path(residential));
    work_fini(&w);
    if (st != EMS_OK) {
        parks_result_destroy(res);
        return st;
    }
    unit_share(&res->city);
    for (size_t k = 0; k < res->nunits; k++)
        unit_share(&res->units[k]);
    *out = res;
    return EMS_OK;
}

/* Point-in-service-area over worker threads: each worker has a GEOS handle of its own and its own prepared
 * copy of the area (a prepared geometry builds its index lazily, so it is never shared). */
typedef struct inside_job {
    const GEOSGeometry *area;
    const double *x, *y;
    bool *inside;
    GEOSContextHandle_t *h;
    const GEOSPreparedGeometry **prep;
    atomic_bool failed;
} inside_job;

static void inside_range(void *user, int w, size_t begin, size_t end)
{
    inside_job *j = user;
    GEOSContextHandle_t h = j->h[w];
    for (size_t i = begin; i < end; i++) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, j->x[i], j->y[i]);
        char c = pt ? GEOSPreparedCovers_r(h, j->prep[w], pt) : 2;
        GEOSGeom_destroy_r(h, pt);
        if (c == 2) atomic_store(&j->failed, true);
        j->inside[i] = c == 1;
    }
}

ems_status parks_points_inside(emscov_ctx *ctx, const parks_result *r, const double *x, const double *y,
                               size_t n, bool *inside)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < n; i++)
        inside[i] = false;
    if (n == 0 || !r->service || GEOSisEmpty_r(h, r->service) == 1) return EMS_OK;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return emscov_fail(ctx, EMS_EINPUT, "population point %zu: coordinates (%g, %g) are not finite",
                               i, x[i], y[i]);
    size_t min_block = 16384;
    int nw = parallel_workers(n, min_block);
    inside_job j = {.area = r->service, .x = x, .y = y, .inside = inside};
    atomic_init(&j.failed, false);
    emscov_ctx *wctx[16] = {NULL};
    GEOSContextHandle_t hs[16];
    const GEOSPreparedGeometry *prep[16] = {NULL};
    ems_status st = EMS_OK;
    for (int w = 0; w < nw && st == EMS_OK; w++) {
        if (w > 0 && !(wctx[w] = emscov_ctx_create_child(ctx))) {
            st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
            break;
        }
        hs[w] = w ? emscov_geos(wctx[w]) : h;
        /* prepared here, on one thread, so the area's cached envelope is computed before the workers start */
        if (!(prep[w] = GEOSPrepare_r(hs[w], r->service)))
            st = emscov_fail(ctx, EMS_EINTERNAL, "cannot prepare the service area: %s",
                             emscov_lib_message(ctx));
    }
    j.h = hs;
    j.prep = prep;
    if (st == EMS_OK) parallel_for_workers(n, min_block, inside_range, &j);
    if (st == EMS_OK && atomic_load(&j.failed))
        st = emscov_fail(ctx, EMS_EINTERNAL, "point-in-service-area test failed");
    for (int w = 0; w < nw; w++) {
        if (prep[w]) GEOSPreparedGeom_destroy_r(hs[w], prep[w]);
        emscov_ctx_destroy(wctx[w]);
    }
    return st;
}

ems_status parks_population_share(emscov_ctx *ctx, const parks_result *r, const double *x, const double *y,
                                  const double *pop, size_t n, bool *inside, double *covered, double *total)
{
    *covered = 0;
    *total = 0;
    for (size_t i = 0; i < n; i++)
        if (!(pop[i] >= 0) || !isfinite(pop[i]))
            return emscov_fail(ctx, EMS_EINPUT, "population point %zu: population %g is not a count >= 0", i,
                               pop[i]);
    bool *in = inside ? inside : ems_malloc(ctx, (n ? n : 1) * sizeof *in);
    if (!in) return EMS_ENOMEM;
    ems_status st = parks_points_inside(ctx, r, x, y, n, in);
    double c = 0, t = 0;
    for (size_t i = 0; i < n && st == EMS_OK; i++) {
        t += pop[i];
        if (in[i]) c += pop[i];
    }
    if (in != inside) free(in);
    if (st == EMS_OK) {
        *covered = c;
        *total = t;
    }
    return st;
}

ems_status parks_service_layer(emscov_ctx *ctx, const parks_result *res, const park_rules *r, const crs *c,
                               layer **out)
{
    *out = NULL;
    GEOSContextHandle_t h = emscov_geos(ctx);
    layer *l = NULL;
    ems_status st = layer_create(ctx, "park_service_area", "memory", c, &l);
    if (st == EMS_OK && (st = layer_add_field(ctx, l, "rule", LAYER_FIELD_STRING, 80, 0)) == EMS_OK &&
        (st = layer_add_field(ctx, l, "parks", LAYER_FIELD_INT, 9, 0)) == EMS_OK &&
        (st = layer_add_field(ctx, l, "area_m2", LAYER_FIELD_DOUBLE, 18, 2)) == EMS_OK) {
        GEOSGeometry *g = GEOSGeom_clone_r(h, res->service);
        if (!g) {
            st = emscov_fail(ctx, EMS_EINTERNAL, "cannot copy the service area: %s", emscov_lib_message(ctx));
        } else {
            layer_value v[3] = {
                {.u.s = park_rules_name(r)}, {.u.i = (int64_t)res->parks_included}, {.u.d = res->service_m2}};
            st = layer_append_valid_take(ctx, l, g, 1, v); /* a GEOS union: valid */
        }
    }
    if (st != EMS_OK) {
        layer_destroy(l);
        return st;
    }
    *out = l;
    return EMS_OK;
}
