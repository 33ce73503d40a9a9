/* geo/network.c: noding road polylines into a graph, travel times from a speed profile, CSR adjacency and
 * connected components (see network.h).
 *
 * Building is two passes over the collected roads: (1) every vertex gets a point identity (OSM node id, or
 * its coordinates, exact or snapped to the tolerance grid) and a use count; a point is a node when it ends a
 * road or is used twice or more; (2) roads are cut at nodes into links. Degenerate links (zero length) are
 * dropped; duplicates (same end nodes and same vertices, either way round) are merged into the first listed:
 * it keeps its identity (class, record) and takes, per direction, every direction either allows and the
 * shorter time.
 *
 * Times are not fixed at cutting: each link remembers its road (own speed, class, direction, row of the speed
 * table) and each merged duplicate is kept as an "extra" (its road, and whether it runs the other way), so
 * network_retime recomputes every link and arc time for another period from the same noded graph in
 * O(links + arcs). */
#include "geo/network_internal.h"
#include "geo/limits.h"

#include <errno.h>
#include <geodesic.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- a small open-addressing map from a 128-bit key to a dense uint32 id ---- */

typedef struct keymap {
    uint64_t *ka, *kb;
    uint32_t *val; /* UINT32_MAX = empty slot */
    size_t cap, n;
} keymap;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static bool keymap_init(emscov_ctx *ctx, keymap *m, size_t expected)
{
    size_t cap = 64;
    while (cap < expected * 2)
        cap *= 2;
    m->ka = ems_malloc(ctx, cap * sizeof *m->ka);
    m->kb = ems_malloc(ctx, cap * sizeof *m->kb);
    m->val = ems_malloc(ctx, cap * sizeof *m->val);
    m->cap = cap;
    m->n = 0;
    if (!m->ka || !m->kb || !m->val)
        return false;
    memset(m->val, 0xff, cap * sizeof *m->val);
    return true;
}

static void keymap_fini(keymap *m)
{
    free(m->ka);
    free(m->kb);
    free(m->val);
}

/* The id of key (a, b); a new id (= number of keys so far) when absent. */
static uint32_t keymap_get_or_add(keymap *m, uint64_t a, uint64_t b)
{
    size_t mask = m->cap - 1;
    for (size_t i = mix64(a ^ mix64(b)) & mask;; i = (i + 1) & mask) {
        if (m->val[i] == UINT32_MAX) {
            m->ka[i] = a;
            m->kb[i] = b;
            m->val[i] = (uint32_t)m->n++;
            return m->val[i];
        }
        if (m->ka[i] == a && m->kb[i] == b)
            return m->val[i];
    }
}

/* ---- builder ---- */

typedef struct broad {
    size_t v0, n; /* vertices [v0, v0 + n) in the builder's arrays */
    uint32_t cls;
    uint32_t row; /* row of the profile's road speed table, SPEED_NO_ROAD */
    double own_kmh; /* the road's own speed, 0 = class default */
    network_dir dir;
    bool restricted; /* usable only at a route's start or end (access = ends) */
    int64_t record;
} broad;

struct network_builder {
    emscov_ctx *ctx;
    const speed_profile *sp;
    crs *working;
    double tolerance;
    network_length length;
    size_t period;
    char source[256];
    double *vx, *vy;
    int64_t *vid;
    bool *vhas_id;
    size_t nv, vcap;
    broad *roads;
    size_t nroads, rcap;
    char **classes;
    bool *class_known;
    size_t nclasses, ccap;
    uint32_t last_class;
    network_stats stats;
    network_rules rules;
    network__turn *turns;
    size_t nturns, tcap;
    int64_t *turn_via; /* via roads of all turns */
    size_t nturn_via, tvcap;
};

ems_status network_builder_create(emscov_ctx *ctx, const speed_profile *sp, const crs *working,
                                  const network_build_opts *opts, network_builder **out)
{
    *out = NULL;
    network_builder *b = ems_calloc(ctx, 1, sizeof *b);
    if (!b)
        return EMS_ENOMEM;
    b->ctx = ctx;
    b->sp = sp;
    b->last_class = UINT32_MAX;
    b->tolerance = opts ? opts->tolerance_m : 0;
    b->length = opts ? opts->length : NETWORK_LENGTH_PLANAR;
    if (opts)
        b->rules = opts->rules;
    b->rules.turn_table = NULL; /* read by the caller (network_build_from_layer), not kept */
    snprintf(b->source, sizeof b->source, "%s", opts && opts->source ? opts->source : "roads");
    if (!(b->tolerance >= 0) || !isfinite(b->tolerance)) {
        network_builder_destroy(b);
        return emscov_fail(ctx, EMS_EINPUT, "noding tolerance must be a finite number >= 0");
    }
    if (b->length != NETWORK_LENGTH_PLANAR && b->length != NETWORK_LENGTH_ELLIPSOIDAL) {
        int mode = (int)b->length;
        network_builder_destroy(b);
        return emscov_fail(ctx, EMS_EINPUT, "link length mode %d is not planar or ellipsoidal", mode);
    }
    if ((unsigned)b->rules.access > NETWORK_ACCESS_IGNORE || (unsigned)b->rules.maxspeed > NETWORK_MAXSPEED_CAP ||
        (unsigned)b->rules.area > NETWORK_AREA_ROAD || (unsigned)b->rules.reversible > NETWORK_REVERSIBLE_IMPLIED) {
        network_builder_destroy(b);
        return emscov_fail(ctx, EMS_EINPUT, "network rules: a value out of range");
    }
    ems_status st = speed_profile_period_index(ctx, sp, opts ? opts->period : NULL, &b->period);
    if (st == EMS_OK) st = crs_clone(ctx, working, &b->working);
    if (st != EMS_OK) {
        network_builder_destroy(b);
        return st;
    }
    *out = b;
    return EMS_OK;
}

void network_builder_destroy(network_builder *b)
{
    if (!b)
        return;
    free(b->vx);
    free(b->vy);
    free(b->vid);
    free(b->vhas_id);
    free(b->roads);
    for (size_t i = 0; i < b->nclasses; i++)
        free(b->classes[i]);
    free(b->classes);
    free(b->class_known);
    free(b->turns);
    free(b->turn_via);
    crs_destroy(b->working);
    free(b);
}

network_stats *network__builder_stats(network_builder *b)
{
    return &b->stats;
}

ems_status network_builder_add_turn(emscov_ctx *ctx, network_builder *b, const network_turn *t)
{
    b->stats.turns_read++;
    if (b->rules.turns_off) {
        b->stats.turns_off++;
        return EMS_OK;
    }
    if (t->kind != NETWORK_TURN_NO && t->kind != NETWORK_TURN_ONLY)
        return emscov_fail(ctx, EMS_EINPUT, "%s: turn restriction %lld: kind %d is not no or only", b->source,
                           (long long)t->id, (int)t->kind);
    if (!ems_grow(ctx, (void **)&b->turns, &b->tcap, b->nturns + 1, sizeof *b->turns) ||
        (t->nvia && !ems_grow(ctx, (void **)&b->turn_via, &b->tvcap, b->nturn_via + t->nvia, sizeof *b->turn_via)))
        return EMS_ENOMEM;
    if (t->nvia)
        memcpy(b->turn_via + b->nturn_via, t->via, t->nvia * sizeof *t->via);
    b->turns[b->nturns++] = (network__turn){.from = t->from, .to = t->to, .via_node = t->via_node, .id = t->id,
                                            .via_x = t->via_x, .via_y = t->via_y, .via0 = b->nturn_via,
                                            .nvia = t->nvia, .has_via_node = t->has_via_node,
                                            .has_via_xy = t->has_via_xy, .kind = (uint8_t)t->kind};
    b->nturn_via += t->nvia;
    return EMS_OK;
}

static ems_status intern_class(emscov_ctx *ctx, network_builder *b, const char *name, uint32_t *id)
{
    if (!name)
        name = "";
    if (b->last_class != UINT32_MAX && strcmp(b->classes[b->last_class], name) == 0) {
        *id = b->last_class;
        return EMS_OK;
    }
    for (size_t i = 0; i < b->nclasses; i++)
        if (strcmp(b->classes[i], name) == 0) {
            *id = b->last_class = (uint32_t)i;
            return EMS_OK;
        }
    if (!ems_grow(ctx, (void **)&b->classes, &b->ccap, b->nclasses + 1, sizeof *b->classes))
        return EMS_ENOMEM;
    bool *known = ems_realloc(ctx, b->class_known, (b->nclasses + 1) * sizeof *known);
    if (!known)
        return EMS_ENOMEM;
    b->class_known = known;
    if (!(b->classes[b->nclasses] = ems_strdup(ctx, name)))
        return EMS_ENOMEM;
    bool k = false;
    double kmh = speed_profile_class_kmh(b->sp, name, &k);
    b->class_known[b->nclasses] = k;
    if (!k) {
        b->stats.unknown_classes++;
        emscov_warn(ctx, "%s: road class \"%s\" is not in the speed profile: default %.0f km/h used", b->source,
                    name, kmh);
    }
    *id = b->last_class = (uint32_t)b->nclasses++;
    return EMS_OK;
}

ems_status network_builder_add(emscov_ctx *ctx, network_builder *b, const network_road *r)
{
    b->stats.roads_in++;
    if (r->n < 2) {
        b->stats.roads_skipped++;
        return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: a road needs at least 2 points, it has %zu",
                           b->source, (long long)r->record, r->n);
    }
    for (size_t k = 0; k < r->n; k++)
        if (!isfinite(r->x[k]) || !isfinite(r->y[k])) {
            b->stats.roads_skipped++;
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: point %zu is not a finite coordinate",
                               b->source, (long long)r->record, k + 1);
        }
    if (!(r->speed_kmh >= 0 && r->speed_kmh <= LIMITS_ROAD_KMH_MAX))
        return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: speed %g km/h is not valid (must be > 0 and at most "
                           "%g, or 0 for the class default)", b->source, (long long)r->record, r->speed_kmh,
                           LIMITS_ROAD_KMH_MAX);
    if (r->dir == NETWORK_CLOSED) {
        b->stats.roads_skipped++;
        return EMS_OK;
    }
    bool restricted = false;
    if (r->restricted) {
        b->stats.restricted_roads++;
        if (b->rules.access == NETWORK_ACCESS_STRICT) {
            b->stats.restricted_dropped++;
            return EMS_OK;
        }
        if (b->rules.access == NETWORK_ACCESS_IGNORE)
            b->stats.restricted_opened++;
        else
            restricted = true;
    }
    uint32_t cls;
    ems_status st = intern_class(ctx, b, r->road_class, &cls);
    if (st != EMS_OK)
        return st;
    size_t need = b->nv + r->n;
    size_t cap = b->vcap;
    if (need > cap) {
        size_t ncap = cap ? cap : 1024;
        while (ncap < need)
            ncap *= 2;
        double *x = ems_realloc(ctx, b->vx, ncap * sizeof *x);
        if (!x)
            return EMS_ENOMEM;
        b->vx = x;
        double *y = ems_realloc(ctx, b->vy, ncap * sizeof *y);
        if (!y)
            return EMS_ENOMEM;
        b->vy = y;
        int64_t *id = ems_realloc(ctx, b->vid, ncap * sizeof *id);
        if (!id)
            return EMS_ENOMEM;
        b->vid = id;
        bool *has = ems_realloc(ctx, b->vhas_id, ncap * sizeof *has);
        if (!has)
            return EMS_ENOMEM;
        b->vhas_id = has;
        b->vcap = ncap;
    }
    if (!ems_grow(ctx, (void **)&b->roads, &b->rcap, b->nroads + 1, sizeof *b->roads))
        return EMS_ENOMEM;
    memcpy(b->vx + b->nv, r->x, r->n * sizeof *r->x);
    memcpy(b->vy + b->nv, r->y, r->n * sizeof *r->y);
    for (size_t k = 0; k < r->n; k++) {
        b->vid[b->nv + k] = r->node_ids ? r->node_ids[k] : 0;
        b->vhas_id[b->nv + k] = r->node_ids != NULL;
    }
    uint32_t row = SPEED_NO_ROAD;
    if (speed_profile_road_count(b->sp)) {
        char idbuf[32];
        const char *id = r->road_id;
        if (!id) {
            snprintf(idbuf, sizeof idbuf, "%lld", (long long)r->record);
            id = idbuf;
        }
        if ((row = speed_profile_road_index(b->sp, id)) != SPEED_NO_ROAD)
            b->stats.roads_table_speed++;
    }
    bool walk = speed_profile_walking(b->sp); /* on foot: both ways, the road's own speed does not apply */
    b->roads[b->nroads++] = (broad){.v0 = b->nv, .n = r->n, .cls = cls, .row = row,
                                    .own_kmh = walk ? 0 : r->speed_kmh, .dir = walk ? NETWORK_BOTH : r->dir,
                                    .restricted = restricted, .record = r->record};
    b->nv += r->n;
    return EMS_OK;
}

/* Point identity of vertex k. */
static uint32_t point_of(const network_builder *b, keymap *ids, keymap *coords, size_t k)
{
    if (b->vhas_id[k])
        return keymap_get_or_add(ids, (uint64_t)b->vid[k], 0);
    uint64_t a, c;
    if (b->tolerance > 0) {
        a = (uint64_t)llround(b->vx[k] / b->tolerance);
        c = (uint64_t)llround(b->vy[k] / b->tolerance);
    } else {
        double x = b->vx[k] + 0.0, y = b->vy[k] + 0.0; /* -0.0 -> 0.0 */
        memcpy(&a, &x, sizeof a);
        memcpy(&c, &y, sizeof c);
    }
    return keymap_get_or_add(coords, a, c);
}

typedef struct link_key {
    uint32_t lo, hi, nv, idx;
} link_key;

static int cmp_link_key(const void *pa, const void *pb)
{
    const link_key *a = pa, *b = pb;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->nv != b->nv)
        return a->nv < b->nv ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* 1 when b repeats a's vertices in the same order, 2 in the reverse order, 0 when it is another line. */
static int same_vertices(const network *n, const network_link *a, const network_link *b)
{
    if (a->nv != b->nv)
        return 0;
    bool fwd = true, rev = true;
    for (uint32_t k = 0; k < a->nv && (fwd || rev); k++) {
        uint32_t r = b->nv - 1 - k;
        fwd = fwd && n->lvx[a->vfirst + k] == n->lvx[b->vfirst + k] && n->lvy[a->vfirst + k] == n->lvy[b->vfirst + k];
        rev = rev && n->lvx[a->vfirst + k] == n->lvx[b->vfirst + r] && n->lvy[a->vfirst + k] == n->lvy[b->vfirst + r];
    }
    return fwd ? 1 : rev ? 2 : 0;
}

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

typedef struct comp_order {
    size_t size;
    uint32_t root;
} comp_order;

static int cmp_comp(const void *pa, const void *pb)
{
    const comp_order *a = pa, *b = pb;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->root < b->root ? -1 : a->root > b->root;
}

static ems_status build_components(emscov_ctx *ctx, network *n)
{
    uint32_t *parent = ems_malloc(ctx, (n->nnodes ? n->nnodes : 1) * sizeof *parent);
    if (!parent)
        return EMS_ENOMEM;
    for (uint32_t i = 0; i < n->nnodes; i++)
        parent[i] = i;
    for (uint32_t l = 0; l < n->nlinks; l++) {
        uint32_t a = uf_find(parent, n->links[l].from), c = uf_find(parent, n->links[l].to);
        if (a != c)
            parent[a < c ? c : a] = a < c ? a : c;
    }
    size_t *count = ems_calloc(ctx, n->nnodes ? n->nnodes : 1, sizeof *count);
    if (!count) {
        free(parent);
        return EMS_ENOMEM;
    }
    size_t ncomp = 0;
    for (uint32_t i = 0; i < n->nnodes; i++) {
        uint32_t r = uf_find(parent, i);
        if (count[r]++ == 0)
            ncomp++;
    }
    comp_order *order = ems_malloc(ctx, (ncomp ? ncomp : 1) * sizeof *order);
    n->comp_size = ems_malloc(ctx, (ncomp ? ncomp : 1) * sizeof *n->comp_size);
    n->node_comp = ems_malloc(ctx, (n->nnodes ? n->nnodes : 1) * sizeof *n->node_comp);
    if (!order || !n->comp_size || !n->node_comp) {
        free(order);
        free(count);
        free(parent);
        return EMS_ENOMEM;
    }
    size_t k = 0;
    for (uint32_t i = 0; i < n->nnodes; i++)
        if (parent[i] == i)
            order[k++] = (comp_order){count[i], i};
    qsort(order, ncomp, sizeof *order, cmp_comp);
    /* reuse count[] as root -> component id */
    for (size_t c = 0; c < ncomp; c++) {
        count[order[c].root] = c;
        n->comp_size[c] = order[c].size;
    }
    for (uint32_t i = 0; i < n->nnodes; i++)
        n->node_comp[i] = (uint32_t)count[uf_find(parent, i)];
    for (uint32_t l = 0; l < n->nlinks; l++)
        n->links[l].component = n->node_comp[n->links[l].from];
    n->stats.components = ncomp;
    n->stats.main_component_nodes = ncomp ? n->comp_size[0] : 0;
    free(order);
    free(count);
    free(parent);
    return EMS_OK;
}

static ems_status build_csr(emscov_ctx *ctx, network *n)
{
    n->out_off = ems_calloc(ctx, (size_t)n->nnodes + 1, sizeof *n->out_off);
    if (!n->out_off)
        return EMS_ENOMEM;
    size_t narcs = 0;
    for (uint32_t l = 0; l < n->nlinks; l++) {
        const network_link *k = &n->links[l];
        if (isfinite(k->time_fwd_s))
            n->out_off[k->from + 1]++, narcs++;
        if (isfinite(k->time_bwd_s))
            n->out_off[k->to + 1]++, narcs++;
    }
    if (narcs > UINT32_MAX)
        return emscov_fail(ctx, EMS_EINPUT, "road network too large (%zu arcs)", narcs);
    for (uint32_t i = 0; i < n->nnodes; i++)
        n->out_off[i + 1] += n->out_off[i];
    n->arcs = ems_malloc(ctx, (narcs ? narcs : 1) * sizeof *n->arcs);
    uint32_t *fill = ems_malloc(ctx, ((size_t)n->nnodes + 1) * sizeof *fill);
    if (!n->arcs || !fill) {
        free(fill);
        return EMS_ENOMEM;
    }
    memcpy(fill, n->out_off, ((size_t)n->nnodes + 1) * sizeof *fill);
    for (uint32_t l = 0; l < n->nlinks; l++) {
        const network_link *k = &n->links[l];
        if (isfinite(k->time_fwd_s))
            n->arcs[fill[k->from]++] = (network_arc){.to = k->to, .link = l, .reverse = false, .time_s = k->time_fwd_s};
        if (isfinite(k->time_bwd_s))
            n->arcs[fill[k->to]++] = (network_arc){.to = k->from, .link = l, .reverse = true, .time_s = k->time_bwd_s};
    }
    free(fill);
    n->stats.arcs = narcs;
    return EMS_OK;
}

/* Grow the per-link-vertex arrays to hold need entries. */
static bool grow_vertices(emscov_ctx *ctx, network *n, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 1024;
    while (ncap < need)
        ncap *= 2;
    double *x = ems_realloc(ctx, n->lvx, ncap * sizeof *x);
    if (!x)
        return false;
    n->lvx = x;
    double *y = ems_realloc(ctx, n->lvy, ncap * sizeof *y);
    if (!y)
        return false;
    n->lvy = y;
    *cap = ncap;
    return true;
}

/* Cut every road into links at its nodes. pt[v] is the point of builder vertex v; node_of[p] the node of
 * point p (NETWORK_NONE when p is not a node). Consecutive repeats of one point inside a road are skipped.
 * lon/lat (degrees, per builder vertex) are given for ellipsoidal travel lengths, else NULL. Links get their
 * road (link_road) and lengths; times come later (compute_times). */
static ems_status cut_links(emscov_ctx *ctx, network_builder *b, network *n, const uint32_t *pt,
                            const uint32_t *node_of, const double *lon, const double *lat)
{
    struct geod_geodesic wgs84;
    geod_init(&wgs84, 6378137.0, 1 / 298.257223563); /* the WGS 84 ellipsoid, as PostGIS geography */
    size_t lcap = 0, vcap = 0, nv = 0, rcap = 0;
    uint32_t nlinks = 0;
    for (size_t r = 0; r < b->nroads; r++) {
        const broad *rd = &b->roads[r];
        if (!grow_vertices(ctx, n, &vcap, nv + rd->n))
            return EMS_ENOMEM;
        size_t start_v = nv;
        uint32_t start_node = node_of[pt[rd->v0]];
        uint32_t prev = UINT32_MAX;
        size_t prev_v = 0;
        double len = 0, travel = 0;
        bool any_link = false;
        for (size_t k = 0; k < rd->n; k++) {
            size_t v = rd->v0 + k;
            uint32_t p = pt[v];
            if (p == prev)
                continue;
            uint32_t node = node_of[p];
            /* link ends sit exactly on their node (matters with a noding tolerance) */
            if (node != NETWORK_NONE) {
                n->lvx[nv] = n->nx[node];
                n->lvy[nv] = n->ny[node];
            } else {
                n->lvx[nv] = b->vx[v];
                n->lvy[nv] = b->vy[v];
            }
            if (nv > start_v) {
                len += hypot(n->lvx[nv] - n->lvx[nv - 1], n->lvy[nv] - n->lvy[nv - 1]);
                if (lon) {
                    double s12 = 0;
                    geod_inverse(&wgs84, lat[prev_v], lon[prev_v], lat[v], lon[v], &s12, NULL, NULL);
                    travel += s12;
                }
            }
            nv++;
            prev = p;
            prev_v = v;
            if (node == NETWORK_NONE || nv - start_v < 2)
                continue;
            if (len <= 0) {
                b->stats.zero_length_dropped++;
            } else {
                if (!ems_grow(ctx, (void **)&n->links, &lcap, (size_t)nlinks + 1, sizeof *n->links) ||
                    !ems_grow(ctx, (void **)&n->link_road, &rcap, (size_t)nlinks + 1, sizeof *n->link_road))
                    return EMS_ENOMEM;
                n->link_road[nlinks] = (uint32_t)r;
                n->links[nlinks++] = (network_link){
                    .from = start_node, .to = node, .vfirst = (uint32_t)start_v, .nv = (uint32_t)(nv - start_v),
                    .length_m = len, .travel_m = lon ? travel : len, .time_fwd_s = INFINITY,
                    .time_bwd_s = INFINITY, .class_id = rd->cls, .record = rd->record};
                any_link = true;
            }
            /* the next link starts at this node and shares its vertex */
            if (!grow_vertices(ctx, n, &vcap, nv + rd->n))
                return EMS_ENOMEM;
            n->lvx[nv] = n->lvx[nv - 1];
            n->lvy[nv] = n->lvy[nv - 1];
            start_v = nv++;
            start_node = node;
            len = travel = 0;
        }
        nv = start_v; /* drop the dangling start vertex of the (empty) link after the last node */
        if (rd->n >= 2 && !any_link) {
            bool collapsed = true;
            for (size_t k = 1; k < rd->n && collapsed; k++)
                collapsed = pt[rd->v0 + k] == pt[rd->v0];
            if (collapsed)
                b->stats.zero_length_dropped++;
        }
    }
    n->nlinks = nlinks;
    return EMS_OK;
}

/* Where a road's speed came from in a period (for the counts of the maxspeed rule). */
typedef enum { SPEED_FROM_CLASS, SPEED_FROM_TABLE, SPEED_FROM_OWN, SPEED_OWN_CAPPED, SPEED_OWN_IGNORED } speed_from;

/* Times of one road's piece of travel_m metres in a period, each way (INFINITY where its direction forbids).
 * The road's own speed under the maxspeed rule: used, ignored, or capped at the class speed. */
static speed_from road_times(const road_rate *rr, double travel_m, const double *class_kmh,
                             const double *class_factor, const speed_profile *sp, size_t period,
                             network_maxspeed rule, double *fwd, double *bwd)
{
    double table = rr->row == SPEED_NO_ROAD ? 0 : speed_profile_road_kmh(sp, rr->row, period);
    double own = rr->own_kmh, cls = class_kmh[rr->cls];
    speed_from from = table > 0 ? SPEED_FROM_TABLE : own > 0 ? SPEED_FROM_OWN : SPEED_FROM_CLASS;
    if (from == SPEED_FROM_OWN && rule == NETWORK_MAXSPEED_IGNORE) {
        own = 0;
        from = SPEED_OWN_IGNORED;
    } else if (from == SPEED_FROM_OWN && rule == NETWORK_MAXSPEED_CAP && own > cls) {
        own = cls;
        from = SPEED_OWN_CAPPED;
    }
    double kmh = speed_profile_combine(sp, cls, class_factor[rr->cls], own, table);
    double t = travel_m / (kmh / 3.6);
    *fwd = rr->dir == NETWORK_BACKWARD ? INFINITY : t;
    *bwd = rr->dir == NETWORK_FORWARD ? INFINITY : t;
    return from;
}

/* Link times for a period: from each link's road, then the merged duplicates (the shorter time each way). With
 * arcs, their times too. */
static ems_status compute_times(emscov_ctx *ctx, network *n, const speed_profile *sp, size_t period)
{
    uint32_t nc = n->nclasses ? n->nclasses : 1;
    double *kmh = ems_malloc(ctx, 2 * (size_t)nc * sizeof *kmh);
    if (!kmh)
        return EMS_ENOMEM;
    double *factor = kmh + nc;
    for (uint32_t c = 0; c < n->nclasses; c++) {
        kmh[c] = speed_profile_class_kmh(sp, n->classes[c], NULL);
        factor[c] = speed_profile_class_factor(sp, period, n->classes[c]);
    }
    network_maxspeed rule = n->rules.maxspeed;
    n->stats.own_speed_links = n->stats.own_speed_capped = n->stats.own_speed_ignored = 0;
    n->stats.own_speed_km = 0;
    for (uint32_t l = 0; l < n->nlinks; l++) {
        network_link *k = &n->links[l];
        speed_from from = road_times(&n->roads[n->link_road[l]], k->travel_m, kmh, factor, sp, period, rule,
                                     &k->time_fwd_s, &k->time_bwd_s);
        if (from == SPEED_FROM_OWN) { /* counted by the link's own road */
            n->stats.own_speed_links++;
            n->stats.own_speed_km += k->travel_m / 1000;
        }
        n->stats.own_speed_capped += from == SPEED_OWN_CAPPED;
        n->stats.own_speed_ignored += from == SPEED_OWN_IGNORED;
    }
    for (size_t i = 0; i < n->nextra; i++) {
        const dup_extra *e = &n->extra[i];
        network_link *k = &n->links[e->link];
        double f, bk;
        road_times(&n->roads[e->road], k->travel_m, kmh, factor, sp, period, rule, e->reversed ? &bk : &f,
                   e->reversed ? &f : &bk);
        k->time_fwd_s = fmin(k->time_fwd_s, f);
        k->time_bwd_s = fmin(k->time_bwd_s, bk);
    }
    free(kmh);
    if (n->arcs)
        for (size_t a = 0; a < n->stats.arcs; a++) {
            const network_link *k = &n->links[n->arcs[a].link];
            n->arcs[a].time_s = n->arcs[a].reverse ? k->time_bwd_s : k->time_fwd_s;
        }
    network__search_times(n);
    return EMS_OK;
}

/* Merge links that repeat another link's end nodes and vertices (either direction) into the first listed:
 * allowed directions are joined and each direction keeps the shorter time (times must be computed). Every
 * dropped duplicate is kept as an extra, for network_retime; *merged counts those that changed the link. */
static ems_status drop_duplicates(emscov_ctx *ctx, network *n, size_t *dropped, size_t *merged)
{
    *dropped = *merged = 0;
    if (n->nlinks < 2)
        return EMS_OK;
    link_key *keys = ems_malloc(ctx, n->nlinks * sizeof *keys);
    uint32_t *keeper = ems_malloc(ctx, n->nlinks * sizeof *keeper); /* NETWORK_NONE: kept */
    if (!keys || !keeper) {
        free(keys);
        free(keeper);
        return EMS_ENOMEM;
    }
    memset(keeper, 0xff, n->nlinks * sizeof *keeper);
    for (uint32_t l = 0; l < n->nlinks; l++) {
        const network_link *k = &n->links[l];
        keys[l] = (link_key){k->from < k->to ? k->from : k->to, k->from < k->to ? k->to : k->from, k->nv, l};
    }
    qsort(keys, n->nlinks, sizeof *keys, cmp_link_key);
    size_t ncap = 0;
    ems_status st = EMS_OK;
    for (uint32_t a = 0; a < n->nlinks && st == EMS_OK;) {
        uint32_t e = a + 1;
        while (e < n->nlinks && keys[e].lo == keys[a].lo && keys[e].hi == keys[a].hi && keys[e].nv == keys[a].nv)
            e++;
        for (uint32_t i = a; i < e && st == EMS_OK; i++)
            for (uint32_t j = a; j < i; j++) {
                uint32_t li = keys[i].idx, lj = keys[j].idx; /* lj listed first (idx ascends within a group) */
                int same;
                if (keeper[lj] != NETWORK_NONE || !(same = same_vertices(n, &n->links[lj], &n->links[li])))
                    continue;
                network_link *k = &n->links[lj];
                const network_link *d = &n->links[li];
                double f = same == 1 ? d->time_fwd_s : d->time_bwd_s, bk = same == 1 ? d->time_bwd_s : d->time_fwd_s;
                if (f < k->time_fwd_s || bk < k->time_bwd_s)
                    (*merged)++;
                k->time_fwd_s = fmin(k->time_fwd_s, f);
                k->time_bwd_s = fmin(k->time_bwd_s, bk);
                keeper[li] = lj;
                if (!ems_grow(ctx, (void **)&n->extra, &ncap, n->nextra + 1, sizeof *n->extra)) {
                    st = EMS_ENOMEM;
                    break;
                }
                n->extra[n->nextra++] = (dup_extra){lj, n->link_road[li], same == 2};
                break;
            }
        a = e;
    }
    /* compact; keys[] is reused as old -> new link index */
    uint32_t w = 0;
    for (uint32_t l = 0; l < n->nlinks && st == EMS_OK; l++) {
        if (keeper[l] != NETWORK_NONE) {
            (*dropped)++;
            continue;
        }
        keys[l].idx = w;
        n->link_road[w] = n->link_road[l];
        n->links[w++] = n->links[l];
    }
    for (size_t i = 0; i < n->nextra && st == EMS_OK; i++)
        n->extra[i].link = keys[n->extra[i].link].idx;
    if (st == EMS_OK)
        n->nlinks = w;
    free(keys);
    free(keeper);
    return st;
}

/* Nodes left without links (ends of dropped zero-length or duplicate links) are removed; the others keep
 * their order. */
static ems_status drop_unused_nodes(emscov_ctx *ctx, network *n)
{
    uint32_t *map = ems_malloc(ctx, (n->nnodes ? n->nnodes : 1) * sizeof *map);
    if (!map)
        return EMS_ENOMEM;
    memset(map, 0xff, (n->nnodes ? n->nnodes : 1) * sizeof *map);
    for (uint32_t l = 0; l < n->nlinks; l++)
        map[n->links[l].from] = map[n->links[l].to] = 0;
    uint32_t w = 0;
    for (uint32_t i = 0; i < n->nnodes; i++)
        if (map[i] == 0) {
            map[i] = w;
            n->nx[w] = n->nx[i];
            n->ny[w] = n->ny[i];
            if (n->node_osm)
                n->node_osm[w] = n->node_osm[i];
            w++;
        }
    for (uint32_t l = 0; l < n->nlinks; l++) {
        n->links[l].from = map[n->links[l].from];
        n->links[l].to = map[n->links[l].to];
    }
    n->nnodes = w;
    free(map);
    return EMS_OK;
}

/* Every builder vertex as WGS 84 lon/lat degrees (new arrays), for ellipsoidal lengths. */
static ems_status lonlat_of(emscov_ctx *ctx, const network_builder *b, const crs *working, double **lon,
                            double **lat)
{
    if (!working)
        return emscov_fail(ctx, EMS_EINPUT, "%s: ellipsoidal lengths need the roads' CRS", b->source);
    crs *wgs84 = NULL;
    crs_transformer *t = NULL;
    ems_status st = EMS_OK;
    if (!(*lon = ems_malloc(ctx, b->nv * sizeof **lon)) || !(*lat = ems_malloc(ctx, b->nv * sizeof **lat)))
        return EMS_ENOMEM;
    memcpy(*lon, b->vx, b->nv * sizeof **lon);
    memcpy(*lat, b->vy, b->nv * sizeof **lat);
    if ((st = crs_from_epsg(ctx, 4326, &wgs84)) == EMS_OK &&
        (st = crs_transformer_create(ctx, working, wgs84, &t)) == EMS_OK)
        st = crs_transform_xy(ctx, t, *lon, *lat, b->nv);
    crs_transformer_destroy(t);
    crs_destroy(wgs84);
    return st;
}

ems_status network_builder_finish(emscov_ctx *ctx, network_builder *b, network **out)
{
    *out = NULL;
    ems_status st = EMS_OK;
    keymap ids = {0}, coords = {0};
    uint32_t *pt = NULL, *uses = NULL, *node_of = NULL;
    double *lon = NULL, *lat = NULL;
    bool *is_end = NULL;
    network *n = ems_calloc(ctx, 1, sizeof *n);
    if (!n) {
        network_builder_destroy(b);
        return EMS_ENOMEM;
    }
    n->ctx = ctx;
    n->working = b->working;
    b->working = NULL;
    if (b->nroads == 0) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no drivable roads", b->source);
        goto done;
    }
    if (b->nv >= UINT32_MAX) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: too many road vertices (%zu)", b->source, b->nv);
        goto done;
    }
    if (!keymap_init(ctx, &ids, b->nv / 2 + 1) || !keymap_init(ctx, &coords, b->nv / 2 + 1) ||
        !(pt = ems_malloc(ctx, b->nv * sizeof *pt))) {
        st = EMS_ENOMEM;
        goto done;
    }
    /* pass 1: point identities, uses and ends */
    for (size_t v = 0; v < b->nv; v++) {
        keymap *m = b->vhas_id[v] ? &ids : &coords;
        if (m->n * 2 >= m->cap) { /* keep the load under one half */
            keymap bigger;
            if (!keymap_init(ctx, &bigger, m->cap)) {
                st = EMS_ENOMEM;
                goto done;
            }
            for (size_t i = 0; i < m->cap; i++)
                if (m->val[i] != UINT32_MAX) {
                    size_t mask = bigger.cap - 1, j = mix64(m->ka[i] ^ mix64(m->kb[i])) & mask;
                    while (bigger.val[j] != UINT32_MAX)
                        j = (j + 1) & mask;
                    bigger.ka[j] = m->ka[i], bigger.kb[j] = m->kb[i], bigger.val[j] = m->val[i];
                }
            bigger.n = m->n;
            keymap_fini(m);
            *m = bigger;
        }
        pt[v] = point_of(b, &ids, &coords, v);
    }
    /* points from the two maps share one numbering: coordinate points come after id points */
    size_t nid = ids.n, npoints = ids.n + coords.n;
    for (size_t v = 0; v < b->nv; v++)
        if (!b->vhas_id[v])
            pt[v] += (uint32_t)nid;
    uses = ems_calloc(ctx, npoints, sizeof *uses);
    is_end = ems_calloc(ctx, npoints, sizeof *is_end);
    node_of = ems_malloc(ctx, npoints * sizeof *node_of);
    n->nx = ems_malloc(ctx, npoints * sizeof *n->nx);
    n->ny = ems_malloc(ctx, npoints * sizeof *n->ny);
    if (nid && !(n->node_osm = ems_malloc(ctx, npoints * sizeof *n->node_osm))) {
        st = EMS_ENOMEM;
        goto done;
    }
    if (!uses || !is_end || !node_of || !n->nx || !n->ny) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < b->nroads; r++) {
        const broad *rd = &b->roads[r];
        uint32_t prev = UINT32_MAX;
        for (size_t k = 0; k < rd->n; k++) {
            uint32_t p = pt[rd->v0 + k];
            if (p != prev && uses[p] < UINT32_MAX)
                uses[p]++;
            prev = p;
        }
        is_end[pt[rd->v0]] = is_end[pt[rd->v0 + rd->n - 1]] = true;
    }
    /* node ids in order of first use, so numbering follows the input and is deterministic */
    memset(node_of, 0xff, npoints * sizeof *node_of);
    uint32_t nnodes = 0;
    for (size_t v = 0; v < b->nv; v++) {
        uint32_t p = pt[v];
        if ((is_end[p] || uses[p] >= 2) && node_of[p] == NETWORK_NONE) {
            node_of[p] = nnodes;
            n->nx[nnodes] = b->vx[v];
            n->ny[nnodes] = b->vy[v];
            if (n->node_osm)
                n->node_osm[nnodes] = b->vhas_id[v] ? b->vid[v] : INT64_MIN;
            nnodes++;
        }
    }
    n->nnodes = nnodes;
    if (b->length == NETWORK_LENGTH_ELLIPSOIDAL && (st = lonlat_of(ctx, b, n->working, &lon, &lat)) != EMS_OK)
        goto done;
    if ((st = cut_links(ctx, b, n, pt, node_of, lon, lat)) != EMS_OK)
        goto done;
    n->classes = b->classes;
    n->nclasses = (uint32_t)b->nclasses;
    b->classes = NULL;
    b->nclasses = 0;
    if (!(n->roads = ems_malloc(ctx, (b->nroads ? b->nroads : 1) * sizeof *n->roads)) ||
        !(n->period = ems_strdup(ctx, speed_profile_period_name(b->sp, b->period)))) {
        st = EMS_ENOMEM;
        goto done;
    }
    n->nroads = b->nroads;
    for (size_t r = 0; r < b->nroads; r++)
        n->roads[r] = (road_rate){b->roads[r].own_kmh, b->roads[r].record, b->roads[r].cls, b->roads[r].row,
                                  (uint8_t)b->roads[r].dir, b->roads[r].restricted};
    n->table_rows = speed_profile_road_count(b->sp);
    n->rules = b->rules;
    if ((st = compute_times(ctx, n, b->sp, b->period)) != EMS_OK ||
        (st = drop_duplicates(ctx, n, &b->stats.duplicates_dropped, &b->stats.duplicates_merged)) != EMS_OK)
        goto done;
    if ((st = drop_unused_nodes(ctx, n)) != EMS_OK)
        goto done;
    /* times again, now that duplicates are merged: the same times, and the own-speed counts per kept link */
    if ((st = build_csr(ctx, n)) != EMS_OK || (st = build_components(ctx, n)) != EMS_OK ||
        (st = compute_times(ctx, n, b->sp, b->period)) != EMS_OK)
        goto done;
    network_stats built = n->stats; /* what the graph steps filled; the builder's counts come first */
    n->stats = b->stats;
    n->stats.components = built.components;
    n->stats.main_component_nodes = built.main_component_nodes;
    n->stats.arcs = built.arcs;
    n->stats.own_speed_links = built.own_speed_links;
    n->stats.own_speed_km = built.own_speed_km;
    n->stats.own_speed_capped = built.own_speed_capped;
    n->stats.own_speed_ignored = built.own_speed_ignored;
    n->stats.nodes = n->nnodes;
    n->stats.links = n->nlinks;
    if ((st = network__apply_rules(ctx, n, b->turns, b->nturns, b->turn_via)) != EMS_OK)
        goto done;
done:
    keymap_fini(&ids);
    keymap_fini(&coords);
    free(pt);
    free(uses);
    free(is_end);
    free(node_of);
    free(lon);
    free(lat);
    network_builder_destroy(b);
    if (st != EMS_OK) {
        network_destroy(n);
        return st;
    }
    *out = n;
    return EMS_OK;
}

ems_status network_adopt(emscov_ctx *ctx, network *n)
{
    crs *w = NULL;
    ems_status st = crs_clone(ctx, n->working, &w);
    if (st != EMS_OK)
        return st;
    crs_destroy(n->working);
    n->working = w;
    n->ctx = ctx;
    return EMS_OK;
}

void network_destroy(network *n)
{
    if (!n)
        return;
    crs_destroy(n->working);
    free(n->nx);
    free(n->ny);
    free(n->links);
    free(n->lvx);
    free(n->lvy);
    free(n->out_off);
    free(n->arcs);
    free(n->node_comp);
    free(n->comp_size);
    for (uint32_t i = 0; i < n->nclasses; i++)
        free(n->classes[i]);
    free(n->classes);
    free(n->link_road);
    free(n->roads);
    free(n->extra);
    free(n->period);
    free(n->node_osm);
    network__rules_free(n);
    free(n);
}

ems_status network_retime(emscov_ctx *ctx, network *n, const speed_profile *sp, const char *period)
{
    size_t p;
    ems_status st = speed_profile_period_index(ctx, sp, period, &p);
    if (st != EMS_OK)
        return st;
    if (speed_profile_road_count(sp) != n->table_rows)
        return emscov_fail(ctx, EMS_EINPUT, "network_retime: the speed profile is not the one the network was "
                           "built with (its road speed table has %zu rows, not %zu)", speed_profile_road_count(sp),
                           n->table_rows);
    char *name = ems_strdup(ctx, speed_profile_period_name(sp, p));
    if (!name)
        return EMS_ENOMEM;
    if ((st = compute_times(ctx, n, sp, p)) != EMS_OK) {
        free(name);
        return st;
    }
    free(n->period);
    n->period = name;
    return EMS_OK;
}

const char *network_period(const network *n)
{
    return n->period ? n->period : "";
}

const network_stats *network_get_stats(const network *n)
{
    return &n->stats;
}

const crs *network_crs(const network *n)
{
    return n->working;
}

uint32_t network_node_count(const network *n)
{
    return n->nnodes;
}

uint32_t network_link_count(const network *n)
{
    return n->nlinks;
}

void network_node_xy(const network *n, uint32_t node, double *x, double *y)
{
    *x = n->nx[node];
    *y = n->ny[node];
}

const network_link *network_link_at(const network *n, uint32_t link)
{
    return &n->links[link];
}

const double *network_link_x(const network *n, uint32_t link)
{
    return n->lvx + n->links[link].vfirst;
}

const double *network_link_y(const network *n, uint32_t link)
{
    return n->lvy + n->links[link].vfirst;
}

const network_arc *network_out_arcs(const network *n, uint32_t node, uint32_t *count)
{
    *count = n->out_off[node + 1] - n->out_off[node];
    return n->arcs + n->out_off[node];
}

uint32_t network_component(const network *n, uint32_t node)
{
    return n->node_comp[node];
}

size_t network_component_size(const network *n, uint32_t component)
{
    return component < n->stats.components ? n->comp_size[component] : 0;
}

const char *network_class_name(const network *n, uint32_t class_id)
{
    return class_id < n->nclasses ? n->classes[class_id] : "";
}

uint32_t network_class_count(const network *n)
{
    return n->nclasses;
}

bool network_node_osm_id(const network *n, uint32_t node, int64_t *id)
{
    if (!n->node_osm || node >= n->nnodes || n->node_osm[node] == INT64_MIN)
        return false;
    *id = n->node_osm[node];
    return true;
}

const network_rules *network_get_rules(const network *n)
{
    return &n->rules;
}

/* One of `words` (ASCII case ignored) -> its index in *out; else EMS_EINPUT naming what and the words. */
static ems_status parse_word(emscov_ctx *ctx, const char *text, const char *what, const char *const *words,
                             int nwords, int *out)
{
    for (int i = 0; i < nwords; i++)
        if (text && !strcasecmp(text, words[i])) {
            *out = i;
            return EMS_OK;
        }
    char list[160] = "";
    size_t len = 0;
    for (int i = 0; i < nwords && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i == 0 ? "" : i + 1 == nwords ? " or " : ", ",
                                words[i]);
    return emscov_fail(ctx, EMS_EINPUT, "%s: \"%s\" is not %s", what, text ? text : "", list);
}

static const char *const access_words[] = {"ends", "strict", "ignore"};
static const char *const maxspeed_words[] = {"use", "ignore", "cap"};

ems_status network_access_parse(emscov_ctx *ctx, const char *text, const char *what, network_access *out)
{
    int i;
    ems_status st = parse_word(ctx, text, what, access_words, 3, &i);
    if (st == EMS_OK)
        *out = (network_access)i;
    return st;
}

ems_status network_maxspeed_parse(emscov_ctx *ctx, const char *text, const char *what, network_maxspeed *out)
{
    int i;
    ems_status st = parse_word(ctx, text, what, maxspeed_words, 3, &i);
    if (st == EMS_OK)
        *out = (network_maxspeed)i;
    return st;
}

ems_status network_area_parse(emscov_ctx *ctx, const char *text, const char *what, network_area *out)
{
    static const char *const words[] = {"skip", "road"};
    int i;
    ems_status st = parse_word(ctx, text, what, words, 2, &i);
    if (st == EMS_OK)
        *out = (network_area)i;
    return st;
}

ems_status network_reversible_parse(emscov_ctx *ctx, const char *text, const char *what, network_reversible *out)
{
    static const char *const words[] = {"skip", "implied"};
    int i;
    ems_status st = parse_word(ctx, text, what, words, 2, &i);
    if (st == EMS_OK)
        *out = (network_reversible)i;
    return st;
}

ems_status network_turns_parse(emscov_ctx *ctx, const char *text, const char *what, bool *off)
{
    static const char *const words[] = {"yes", "no", "on", "off", "true", "false", "1", "0"};
    int i;
    ems_status st = parse_word(ctx, text, what, words, 8, &i);
    if (st == EMS_OK)
        *off = i % 2 == 1;
    return st;
}

const char *network_access_name(network_access a)
{
    return (unsigned)a < 3 ? access_words[a] : "?";
}

const char *network_maxspeed_name(network_maxspeed m)
{
    return (unsigned)m < 3 ? maxspeed_words[m] : "?";
}

ems_status network_length_parse(emscov_ctx *ctx, const char *text, const char *what, network_length *out)
{
    if (text && !strcasecmp(text, "planar"))
        *out = NETWORK_LENGTH_PLANAR;
    else if (text && !strcasecmp(text, "ellipsoidal"))
        *out = NETWORK_LENGTH_ELLIPSOIDAL;
    else
        return emscov_fail(ctx, EMS_EINPUT, "%s: \"%s\" is not planar or ellipsoidal", what, text ? text : "");
    return EMS_OK;
}

/* ---- line layers ---- */

static network_dir parse_oneway(const char *v, bool *ok)
{
    *ok = true;
    if (!v || !*v)
        return NETWORK_BOTH;
    static const char *const fwd[] = {"F", "FT", "1", "yes", "true", "y", "forward"};
    static const char *const bwd[] = {"T", "TF", "-1", "reverse", "backward"};
    static const char *const both[] = {"B", "0", "no", "false", "n", "both"};
    static const char *const closed[] = {"N", "closed"};
    for (size_t i = 0; i < sizeof fwd / sizeof *fwd; i++)
        if (!strcasecmp(v, fwd[i]))
            return NETWORK_FORWARD;
    for (size_t i = 0; i < sizeof bwd / sizeof *bwd; i++)
        if (!strcasecmp(v, bwd[i]))
            return NETWORK_BACKWARD;
    for (size_t i = 0; i < sizeof both / sizeof *both; i++)
        if (!strcasecmp(v, both[i]))
            return NETWORK_BOTH;
    for (size_t i = 0; i < sizeof closed / sizeof *closed; i++)
        if (!strcasecmp(v, closed[i]))
            return NETWORK_CLOSED;
    *ok = false;
    return NETWORK_BOTH;
}

/* role: "class" ... as in the scenario key [roads] <role>_field and the option --<role>-field. */
static ems_status field_or_fail(emscov_ctx *ctx, const layer *l, const network_fields *f, const char *name,
                                const char *role, int *idx)
{
    char what[96];
    snprintf(what, sizeof what, f->from_scenario ? "scenario key [roads] %s_field" : "option --%s-field", role);
    return layer_require_field(ctx, l, name, what, idx);
}

/* Text of a value (numbers formatted), in buf. */
static const char *value_text(const layer *l, size_t i, int j, char *buf, size_t cap)
{
    if (j < 0)
        return NULL;
    const layer_value *v = layer_value_at(l, i, (size_t)j);
    if (v->is_null)
        return NULL;
    switch (layer_field_at(l, (size_t)j)->type) {
    case LAYER_FIELD_STRING: return v->u.s;
    case LAYER_FIELD_INT: snprintf(buf, cap, "%lld", (long long)v->u.i); return buf;
    case LAYER_FIELD_DOUBLE: snprintf(buf, cap, "%g", v->u.d); return buf;
    case LAYER_FIELD_LOGICAL: return v->u.b ? "1" : "0";
    case LAYER_FIELD_DATE: snprintf(buf, cap, "%d", (int)v->u.date); return buf;
    }
    return NULL;
}

static ems_status add_line(emscov_ctx *ctx, network_builder *b, const GEOSGeometry *line, network_road *r,
                           double **xs, double **ys, size_t *cap)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, line);
    unsigned int np = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &np))
        return emscov_fail(ctx, EMS_EINTERNAL, "record %lld: cannot read coordinates", (long long)r->record);
    if (np > *cap) {
        double *nx = ems_realloc(ctx, *xs, np * sizeof *nx);
        if (!nx)
            return EMS_ENOMEM;
        *xs = nx;
        double *ny = ems_realloc(ctx, *ys, np * sizeof *ny);
        if (!ny)
            return EMS_ENOMEM;
        *ys = ny;
        *cap = np;
    }
    if (np > 0 && !GEOSCoordSeq_copyToArrays_r(h, cs, *xs, *ys, NULL, NULL))
        return emscov_fail(ctx, EMS_EINTERNAL, "record %lld: cannot copy coordinates", (long long)r->record);
    r->x = *xs;
    r->y = *ys;
    r->n = np;
    return network_builder_add(ctx, b, r);
}

ems_status network_build_from_layer(emscov_ctx *ctx, const layer *roads, const network_fields *f,
                                    const speed_profile *sp, const network_build_opts *opts, network **out)
{
    *out = NULL;
    static const network_fields none;
    if (!f)
        f = &none;
    int fc, fs, fo, fn, fi;
    ems_status st;
    if ((st = field_or_fail(ctx, roads, f, f->id, "id", &fi)) != EMS_OK ||
        (st = field_or_fail(ctx, roads, f, f->road_class, "class", &fc)) != EMS_OK ||
        (st = field_or_fail(ctx, roads, f, f->speed, "speed", &fs)) != EMS_OK ||
        (st = field_or_fail(ctx, roads, f, f->oneway, "oneway", &fo)) != EMS_OK ||
        (st = field_or_fail(ctx, roads, f, f->name, "name", &fn)) != EMS_OK)
        return st;
    network_build_opts o = opts ? *opts : (network_build_opts){0};
    if (!o.source)
        o.source = layer_path(roads);
    network_builder *b = NULL;
    if ((st = network_builder_create(ctx, sp, layer_crs(roads), &o, &b)) != EMS_OK)
        return st;
    GEOSContextHandle_t h = emscov_geos(ctx);
    double *xs = NULL, *ys = NULL;
    size_t cap = 0;
    char b1[64], b2[64], b3[64], b4[64];
    for (size_t i = 0; i < layer_count(roads) && st == EMS_OK; i++) {
        const GEOSGeometry *g = layer_geom(roads, i);
        int t = GEOSGeomTypeId_r(h, g);
        network_road r = {.record = layer_record(roads, i)};
        if (t != GEOS_LINESTRING && t != GEOS_MULTILINESTRING) {
            char *type = GEOSGeomType_r(h, g); /* GEOS allocates the name: freed here */
            st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: a road must be a line (LineString or "
                             "MultiLineString), not a %s", layer_path(roads), (long long)r.record,
                             type ? type : "geometry of unknown type");
            GEOSFree_r(h, type);
            break;
        }
        r.road_class = value_text(roads, i, fc, b1, sizeof b1);
        r.name = value_text(roads, i, fn, b3, sizeof b3);
        r.road_id = value_text(roads, i, fi, b4, sizeof b4);
        if (fs >= 0) {
            double v = layer_value_number(roads, i, (size_t)fs);
            const char *txt = value_text(roads, i, fs, b2, sizeof b2);
            if (isnan(v) && txt && *txt) {
                st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: speed \"%s\" is not a number",
                                 layer_path(roads), (long long)r.record, f->speed, txt);
                break;
            }
            if (!isnan(v) && v < 0) {
                st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: speed %g km/h is negative",
                                 layer_path(roads), (long long)r.record, f->speed, v);
                break;
            }
            r.speed_kmh = isnan(v) ? 0 : v;
        }
        bool ok = true;
        const char *ow = value_text(roads, i, fo, b2, sizeof b2);
        r.dir = parse_oneway(ow, &ok);
        if (!ok) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: one-way value \"%s\" is not one of "
                             "F/T/B/N, 1/-1/0, yes/no", layer_path(roads), (long long)r.record, f->oneway, ow);
            break;
        }
        if (t == GEOS_LINESTRING) {
            st = add_line(ctx, b, g, &r, &xs, &ys, &cap);
        } else {
            int parts = GEOSGetNumGeometries_r(h, g);
            for (int k = 0; k < parts && st == EMS_OK; k++)
                st = add_line(ctx, b, GEOSGetGeometryN_r(h, g, k), &r, &xs, &ys, &cap);
        }
    }
    free(xs);
    free(ys);
    if (st == EMS_OK && opts && opts->rules.turn_table)
        st = network__add_turn_table(ctx, b, opts->rules.turn_table, layer_crs(roads), roads, fi);
    if (st != EMS_OK) {
        network_builder_destroy(b);
        return st;
    }
    return network_builder_finish(ctx, b, out);
}

/* ---- turn tables (docs/formats.md "Turn table") ---- */

/* A road id -> record entry of a line layer (ids as text, sorted). */
typedef struct id_rec {
    const char *id;
    int64_t record;
} id_rec;

static int cmp_id_rec(const void *a, const void *b)
{
    const id_rec *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->record < y->record ? -1 : x->record > y->record);
}

/* The records of a road id: ids sorted (line layers) or NULL (OSM: the id is the way id). Writes up to cap
 * records into out; returns how many there are. */
static size_t records_of(const id_rec *ids, size_t nids, const char *id, int64_t *out, size_t cap)
{
    if (!ids) {
        char *end;
        errno = 0;
        long long v = strtoll(id, &end, 10);
        if (!*id || *end || errno)
            return 0;
        if (cap)
            out[0] = v;
        return 1;
    }
    size_t lo = 0, hi = nids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ids[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    for (; lo < nids && !strcmp(ids[lo].id, id); lo++, n++)
        if (n < cap)
            out[n] = ids[lo].record;
    return n;
}

#define TURN_MAX_RECORDS 16

/* One row of a turn table: its cells as text; via (x, y) in the working CRS when has_xy. */
static ems_status turn_row(emscov_ctx *ctx, network_builder *b, const char *table, int64_t row, const char *from,
                           const char *to, const char *kind, const char *via, bool has_xy, double x, double y,
                           const id_rec *ids, size_t nids, size_t *unknown, int64_t *first_unknown)
{
    network_turn t = {.has_via_xy = has_xy, .via_x = x, .via_y = y, .id = row};
    if (!strncasecmp(kind, "no_", 3))
        t.kind = NETWORK_TURN_NO;
    else if (!strncasecmp(kind, "only_", 5))
        t.kind = NETWORK_TURN_ONLY;
    else
        return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field restriction: \"%s\" is not a no_* or only_* "
                           "restriction (e.g. no_left_turn, only_straight_on)", table, (long long)row, kind);
    int64_t fr[TURN_MAX_RECORDS], tr[TURN_MAX_RECORDS], vr[TURN_MAX_RECORDS];
    size_t nf = records_of(ids, nids, from, fr, TURN_MAX_RECORDS), nt = records_of(ids, nids, to, tr, TURN_MAX_RECORDS);
    size_t nv = 0;
    bool via_ok = true;
    for (const char *p = via; p && *p && via_ok;) { /* via road ids, ';'-separated */
        char one[128];
        size_t len = strcspn(p, ";");
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), p);
        size_t k = records_of(ids, nids, one, vr + nv, TURN_MAX_RECORDS - nv);
        via_ok = k > 0 && nv + k <= TURN_MAX_RECORDS;
        nv += k;
        p += len + (p[len] == ';');
    }
    if (!nf || !nt || !via_ok || nf > TURN_MAX_RECORDS || nt > TURN_MAX_RECORDS) {
        b->stats.turns_read++;
        if (b->rules.turns_off) {
            b->stats.turns_off++;
            return EMS_OK;
        }
        b->stats.turns_unresolved++;
        if ((*unknown)++ == 0)
            *first_unknown = row;
        return EMS_OK;
    }
    t.via = vr;
    t.nvia = nv;
    ems_status st = EMS_OK;
    for (size_t i = 0; i < nf && st == EMS_OK; i++)
        for (size_t j = 0; j < nt && st == EMS_OK; j++) {
            t.from = fr[i];
            t.to = tr[j];
            st = network_builder_add_turn(ctx, b, &t);
        }
    return st;
}

ems_status network__add_turn_table(emscov_ctx *ctx, network_builder *b, const char *table, const crs *working,
                                   const layer *roads, int id_field)
{
    layer *l = NULL;
    id_rec *ids = NULL;
    size_t nids = 0;
    char *pool = NULL;
    ems_status st = layer_read(ctx, table, NULL, &l);
    if (st == EMS_OK)
        st = layer_transform(ctx, l, working);
    int jf = -1, jt = -1, jk = -1, jv = -1;
    static const char need[] = "the turn table needs from_id, to_id, restriction (and lon, lat; via_id optional)";
    if (st == EMS_OK && ((jf = layer_field_index(l, "from_id")) < 0 || (jt = layer_field_index(l, "to_id")) < 0 ||
                         (jk = layer_field_index(l, "restriction")) < 0))
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no field %s (%s)", table,
                         layer_field_index(l, "from_id") < 0 ? "from_id" : layer_field_index(l, "to_id") < 0
                                                                             ? "to_id" : "restriction", need);
    if (st == EMS_OK)
        jv = layer_field_index(l, "via_id");
    if (st == EMS_OK && roads) { /* the line layer's road ids, sorted */
        size_t n = layer_count(roads), len = 0;
        char buf[64];
        ids = ems_malloc(ctx, (n ? n : 1) * sizeof *ids);
        size_t cap = 0;
        for (size_t i = 0; ids && i < n && st == EMS_OK; i++) {
            const char *id = value_text(roads, i, id_field, buf, sizeof buf);
            if (id_field < 0) {
                snprintf(buf, sizeof buf, "%lld", (long long)layer_record(roads, i));
                id = buf;
            }
            if (!id)
                continue;
            size_t k = strlen(id) + 1;
            if (!ems_grow(ctx, (void **)&pool, &cap, len + k, 1)) {
                st = EMS_ENOMEM;
                break;
            }
            memcpy(pool + len, id, k);
            ids[nids++] = (id_rec){(const char *)(uintptr_t)len, layer_record(roads, i)};
            len += k;
        }
        if (!ids)
            st = EMS_ENOMEM;
        for (size_t i = 0; st == EMS_OK && i < nids; i++)
            ids[i].id = pool + (uintptr_t)ids[i].id;
        if (st == EMS_OK)
            qsort(ids, nids, sizeof *ids, cmp_id_rec);
    }
    size_t unknown = 0;
    int64_t first_unknown = 0;
    GEOSContextHandle_t h = emscov_geos(ctx);
    /* rows with a via point are features; rows whose lon/lat cells are empty are skipped records */
    for (size_t i = 0; st == EMS_OK && i < layer_count(l) + layer_skipped_count(l); i++) {
        bool feature = i < layer_count(l);
        size_t k = feature ? i : i - layer_count(l);
        const layer_value *v = feature ? layer_values(l, k) : layer_skipped_values(l, k);
        int64_t row = feature ? layer_record(l, k) : layer_skipped_record(l, k);
        char cf[128], ct[128], ck[64], cv[256];
        double x = 0, y = 0;
        if (feature && (GEOSGeomGetX_r(h, layer_geom(l, k), &x) != 1 || GEOSGeomGetY_r(h, layer_geom(l, k), &y) != 1))
            st = emscov_fail(ctx, EMS_EINTERNAL, "%s: record %lld: cannot read the via point", table, (long long)row);
        if (st == EMS_OK)
            st = turn_row(ctx, b, table, row, layer_value_format(l, (size_t)jf, &v[jf], cf, sizeof cf),
                          layer_value_format(l, (size_t)jt, &v[jt], ct, sizeof ct),
                          layer_value_format(l, (size_t)jk, &v[jk], ck, sizeof ck),
                          jv >= 0 ? layer_value_format(l, (size_t)jv, &v[jv], cv, sizeof cv) : NULL, feature, x, y,
                          ids, roads ? nids : 0, &unknown, &first_unknown);
    }
    if (st == EMS_OK && unknown)
        emscov_warn(ctx, "%s: %zu turn restrictions name roads that are not in the road network (first: record "
                    "%lld): not applied", table, unknown, (long long)first_unknown);
    free(ids);
    free(pool);
    layer_destroy(l);
    return st;
}

static bool is_osm_path(const char *path)
{
    size_t n = strlen(path);
    return (n > 4 && !strcasecmp(path + n - 4, ".osm")) || (n > 4 && !strcasecmp(path + n - 4, ".pbf"));
}

ems_status network_load(emscov_ctx *ctx, const char *path, const layer_read_opts *ro, const network_fields *fields,
                        const speed_profile *sp, const crs *working, const network_build_opts *opts, network **out)
{
    *out = NULL;
    network_build_opts o = opts ? *opts : (network_build_opts){0};
    if (!o.source)
        o.source = path;
    if (is_osm_path(path)) {
        if (ro && (ro->from_gcj02 || ro->from_bd09))
            return emscov_fail(ctx, EMS_EINPUT, "%s: OpenStreetMap data is WGS 84: a GCJ-02 / BD-09 conversion "
                                                "does not apply", path);
        ems_status st = ems_file_check(ctx, path, NULL); /* a FIFO, a device or a directory: refused (ctx.h) */
        return st != EMS_OK ? st : network_build_from_osm(ctx, path, sp, working, &o, out);
    }
    layer *l = NULL;
    crs *chosen = NULL;
    ems_status st = layer_read(ctx, path, ro, &l);
    if (st == EMS_OK && !working) {
        layer *ls[1] = {l};
        if ((st = layer_choose_working_crs(ctx, ls, 1, &chosen)) == EMS_OK)
            working = chosen;
    }
    if (st == EMS_OK)
        st = layer_transform(ctx, l, working);
    if (st == EMS_OK)
        st = network_build_from_layer(ctx, l, fields, sp, &o, out);
    crs_destroy(chosen);
    layer_destroy(l);
    return st;
}

ems_status network_load_defaults(emscov_ctx *ctx, const char *path, const layer_read_opts *ro,
                                 const network_fields *fields, const speed_profile *sp, const crs *working,
                                 const network_build_opts *opts, network **out)
{
    network_fields f = fields ? *fields : (network_fields){0};
    if (is_osm_path(path) || f.road_class || f.speed || f.oneway || f.name)
        return network_load(ctx, path, ro, &f, sp, working, opts, out);
    *out = NULL;
    network_build_opts o = opts ? *opts : (network_build_opts){0};
    if (!o.source)
        o.source = path;
    layer *l = NULL;
    crs *chosen = NULL;
    ems_status st = layer_read(ctx, path, ro, &l);
    if (st == EMS_OK) {
        static const char *const names[4] = {"CLASS", "SPEED", "ONEWAY", "NAME"};
        const char **slot[4] = {&f.road_class, &f.speed, &f.oneway, &f.name};
        for (int k = 0; k < 4; k++)
            if (layer_field_index(l, names[k]) >= 0)
                *slot[k] = names[k];
        if (!working && (st = layer_choose_working_crs(ctx, &l, 1, &chosen)) == EMS_OK)
            working = chosen;
    }
    if (st == EMS_OK && (st = layer_transform(ctx, l, working)) == EMS_OK)
        st = network_build_from_layer(ctx, l, &f, sp, &o, out);
    crs_destroy(chosen);
    layer_destroy(l);
    return st;
}
