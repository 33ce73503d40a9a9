/* geo/index.c: STRtree + prepared geometries over a layer (see index.h). */
#include "geo/index.h"

#include <stdlib.h>

struct layer_index {
    emscov_ctx *ctx;
    const layer *l;
    GEOSSTRtree *tree;
    size_t *ids;                        /* item payloads: ids[i] == i, so items point into this array */
    const GEOSPreparedGeometry **prep;  /* lazily prepared polygons */
};

ems_status index_build(emscov_ctx *ctx, const layer *l, layer_index **out)
{
    *out = NULL;
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t n = layer_count(l);
    layer_index *ix = ems_calloc(ctx, 1, sizeof *ix);
    if (!ix)
        return EMS_ENOMEM;
    ix->ctx = ctx;
    ix->l = l;
    ix->ids = ems_malloc(ctx, (n ? n : 1) * sizeof *ix->ids);
    ix->prep = ems_calloc(ctx, n ? n : 1, sizeof *ix->prep);
    ix->tree = GEOSSTRtree_create_r(h, 10);
    if (!ix->ids || !ix->prep || !ix->tree) {
        bool oom = !ix->ids || !ix->prep; /* read before ix is freed */
        index_destroy(ix);
        return oom ? EMS_ENOMEM : emscov_fail(ctx, EMS_EINTERNAL, "cannot create STRtree");
    }
    for (size_t i = 0; i < n; i++) {
        ix->ids[i] = i;
        GEOSSTRtree_insert_r(h, ix->tree, layer_geom(l, i), &ix->ids[i]);
    }
    *out = ix;
    return EMS_OK;
}

void index_destroy(layer_index *ix)
{
    if (!ix)
        return;
    GEOSContextHandle_t h = emscov_geos(ix->ctx);
    if (ix->prep)
        for (size_t i = 0; i < layer_count(ix->l); i++)
            if (ix->prep[i])
                GEOSPreparedGeom_destroy_r(h, ix->prep[i]);
    if (ix->tree)
        GEOSSTRtree_destroy_r(h, ix->tree);
    free(ix->prep);
    free(ix->ids);
    free(ix);
}

typedef struct visit_state {
    index_visit_fn fn;
    void *user;
    bool stop;
} visit_state;

static void on_item(void *item, void *user)
{
    visit_state *s = user;
    if (!s->stop && !s->fn(*(const size_t *)item, s->user))
        s->stop = true;
}

ems_status index_query_box(emscov_ctx *ctx, layer_index *ix, const double box[4], index_visit_fn fn, void *user)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    GEOSGeometry *env = GEOSGeom_createRectangle_r(h, box[0], box[1], box[2], box[3]);
    if (!env)
        return emscov_fail(ctx, EMS_EINTERNAL, "cannot make query rectangle: %s", emscov_lib_message(ctx));
    visit_state s = {fn, user, false};
    GEOSSTRtree_query_r(h, ix->tree, env, on_item, &s);
    GEOSGeom_destroy_r(h, env);
    return EMS_OK;
}

typedef struct cover_state {
    layer_index *ix;
    const GEOSGeometry *pt;
    size_t *hits, cap, n;
    bool failed;
} cover_state;

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static void on_cover_item(void *item, void *user)
{
    cover_state *s = user;
    size_t i = *(const size_t *)item;
    GEOSContextHandle_t h = emscov_geos(s->ix->ctx);
    const GEOSGeometry *g = layer_geom(s->ix->l, i);
    int t = GEOSGeomTypeId_r(h, g);
    if (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON)
        return;
    if (!s->ix->prep[i] && !(s->ix->prep[i] = GEOSPrepare_r(h, g))) {
        s->failed = true;
        return;
    }
    char c = GEOSPreparedCovers_r(h, s->ix->prep[i], s->pt);
    if (c == 2) {
        s->failed = true;
        return;
    }
    if (c == 1) {
        if (s->n < s->cap)
            s->hits[s->n] = i;
        s->n++;
    }
}

ems_status index_covering(emscov_ctx *ctx, layer_index *ix, double x, double y, size_t *hits, size_t cap,
                          size_t *n)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    *n = 0;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
    if (!pt)
        return emscov_fail(ctx, EMS_EINTERNAL, "cannot make point: %s", emscov_lib_message(ctx));
    cover_state s = {ix, pt, hits, cap, 0, false};
    GEOSSTRtree_query_r(h, ix->tree, pt, on_cover_item, &s);
    GEOSGeom_destroy_r(h, pt);
    if (s.failed)
        return emscov_fail(ctx, EMS_EINTERNAL, "point-in-polygon test failed: %s", emscov_lib_message(ctx));
    qsort(hits, s.n < cap ? s.n : cap, sizeof *hits, cmp_size);
    *n = s.n;
    return EMS_OK;
}

/* Nearest neighbour: the query is passed as its own item (a nearest_state); the tree's items are feature ids. */
typedef struct nearest_state {
    layer_index *ix;
    const GEOSGeometry *pt;
} nearest_state;

static const GEOSGeometry *item_geom(const void *item, const nearest_state *s)
{
    return item == (const void *)s ? s->pt : layer_geom(s->ix->l, *(const size_t *)item);
}

static int item_distance(const void *item1, const void *item2, double *distance, void *user)
{
    const nearest_state *s = user;
    return GEOSDistance_r(emscov_geos(s->ix->ctx), item_geom(item1, s), item_geom(item2, s), distance);
}

ems_status index_nearest(emscov_ctx *ctx, layer_index *ix, double x, double y, size_t *i, double *dist)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    if (layer_count(ix->l) == 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: no features to search", layer_path(ix->l));
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
    if (!pt)
        return emscov_fail(ctx, EMS_EINTERNAL, "cannot make point: %s", emscov_lib_message(ctx));
    nearest_state s = {ix, pt};
    const void *best = GEOSSTRtree_nearest_generic_r(h, ix->tree, &s, pt, item_distance, &s);
    ems_status st = EMS_OK;
    if (!best || best == (const void *)&s)
        st = emscov_fail(ctx, EMS_EINTERNAL, "nearest-feature query failed: %s", emscov_lib_message(ctx));
    else if (!GEOSDistance_r(h, layer_geom(ix->l, *(const size_t *)best), pt, dist))
        st = emscov_fail(ctx, EMS_EINTERNAL, "distance failed: %s", emscov_lib_message(ctx));
    else
        *i = *(const size_t *)best;
    GEOSGeom_destroy_r(h, pt);
    return st;
}
