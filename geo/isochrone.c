/* geo/isochrone.c: service areas from reached link parts (see isochrone.h).
 *
 * Per link and band limit T, the time along the link is the lower envelope of a few linear pieces: from the
 * start node (tA + x TF), from the end node (tB + (1 - x) TB) and from each station on the link (both ways
 * from its position); tA and tB are the times a route may start along the link from that end
 * (route_link_entry_time), which the network's turn and access rules can make later than the node's time. Cutting the link at every piece's end, every crossing of two pieces and every point
 * where a piece equals T leaves intervals on which one piece is lowest and the time is on one side of T, so
 * evaluating each interval at its midpoint is exact. Parts are then buffered and unioned; large sets are
 * buffered in spatial tiles first and the tiles unioned (GEOS cascaded union), which keeps each GEOS call
 * small. */
#include "geo/isochrone.h"
#include "geo/raster_union.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TILE_M 3000.0      /* tile size for buffering large sets of lines */
#define TILE_MIN_LINES 4000 /* below this, one buffer call */
#define MAX_PIECES 64

struct isochrone_set {
    emscov_ctx *ctx;
    isochrone_area *areas;
    size_t n;
};

/* a linear piece t(x) = t0 + slope * (x - x0) on [lo, hi] */
typedef struct piece {
    double lo, hi, x0, t0, slope;
    uint32_t source;
} piece;

static double piece_t(const piece *p, double x)
{
    return p->t0 + p->slope * (x - p->x0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Pieces of the time along link l. Returns the count (<= MAX_PIECES). */
static size_t link_pieces(const network *net, const route_result *r, uint32_t l, piece *pc)
{
    const network_link *k = network_link_at(net, l);
    size_t n = 0;
    uint32_t sa, sb;
    /* from each end, the time a route may start along the link: a turn restriction or a restricted area may
     * forbid the arrivals that reached the end node first */
    double ta = route_link_entry_time(r, l, false, 0, &sa), tb = route_link_entry_time(r, l, true, 0, &sb);
    double tf = k->time_fwd_s, tbk = k->time_bwd_s;
    if (isfinite(ta) && isfinite(tf))
        pc[n++] = (piece){0, 1, 0, ta, tf, sa};
    if (isfinite(tb) && isfinite(tbk))
        pc[n++] = (piece){0, 1, 1, tb, -tbk, sb};
    uint32_t idx[MAX_PIECES / 2 - 2];
    size_t ns = route_link_sources(r, l, idx, sizeof idx / sizeof *idx);
    if (ns > sizeof idx / sizeof *idx)
        ns = sizeof idx / sizeof *idx;
    for (size_t i = 0; i < ns; i++) {
        const route_source *s = route_source_at(r, idx[i]);
        double g = s->pos.frac;
        if (isfinite(tf))
            pc[n++] = (piece){g, 1, g, s->delay_s, tf, idx[i]};
        if (isfinite(tbk))
            pc[n++] = (piece){0, g, g, s->delay_s, -tbk, idx[i]};
    }
    return n;
}

/* The lowest piece at x (ties: lower source), or -1. */
static int lowest(const piece *pc, size_t n, double x)
{
    int best = -1;
    double bt = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (x < pc[i].lo || x > pc[i].hi)
            continue;
        double t = piece_t(&pc[i], x);
        if (t < bt || (t == bt && best >= 0 && pc[i].source < pc[best].source)) {
            bt = t;
            best = (int)i;
        }
    }
    return best;
}

typedef struct part {
    double lo, hi;
    uint32_t source;
} part;

/* Reached parts of a link within limit T, each with the station that reaches it first. */
static size_t reached_parts(const piece *pc, size_t n, double limit, part *out, size_t cap)
{
    double cut[4 * MAX_PIECES + MAX_PIECES * MAX_PIECES / 2 + 2];
    size_t nc = 0;
    cut[nc++] = 0;
    cut[nc++] = 1;
    for (size_t i = 0; i < n; i++) {
        cut[nc++] = pc[i].lo;
        cut[nc++] = pc[i].hi;
        if (pc[i].slope != 0) {
            double x = pc[i].x0 + (limit - pc[i].t0) / pc[i].slope;
            if (x > 0 && x < 1)
                cut[nc++] = x;
        }
        for (size_t j = 0; j < i; j++) {
            double ds = pc[i].slope - pc[j].slope;
            if (ds == 0)
                continue;
            /* t0i + si (x - x0i) = t0j + sj (x - x0j) */
            double x = (pc[j].t0 - pc[j].slope * pc[j].x0 - pc[i].t0 + pc[i].slope * pc[i].x0) / ds;
            if (x > 0 && x < 1)
                cut[nc++] = x;
        }
    }
    qsort(cut, nc, sizeof *cut, cmp_double);
    size_t np = 0;
    for (size_t c = 0; c + 1 < nc; c++) {
        double a = cut[c], b = cut[c + 1];
        if (!(b > a))
            continue;
        int w = lowest(pc, n, (a + b) / 2);
        if (w < 0 || piece_t(&pc[w], (a + b) / 2) > limit)
            continue;
        if (np > 0 && out[np - 1].hi == a && out[np - 1].source == pc[w].source) {
            out[np - 1].hi = b;
        } else if (np < cap) {
            out[np++] = (part){a, b, pc[w].source};
        }
    }
    return np;
}

/* Vertices of the part of a link between fractions lo <= hi into px, py (room for nv + 2); returns the
 * count (1 when the part is a point). */
static size_t link_part_xy(const network *net, uint32_t link, double lo, double hi, double *px, double *py)
{
    const network_link *k = network_link_at(net, link);
    const double *x = network_link_x(net, link), *y = network_link_y(net, link);
    double a = lo * k->length_m, b = hi * k->length_m;
    size_t n = 0;
    double acc = 0;
    for (uint32_t v = 0; v + 1 < k->nv; v++) {
        double sl = hypot(x[v + 1] - x[v], y[v + 1] - y[v]);
        double s0 = acc, s1 = acc + sl;
        if (s1 >= a && s0 <= b && sl > 0) {
            double ta = a > s0 ? (a - s0) / sl : 0, tb = b < s1 ? (b - s0) / sl : 1;
            if (n == 0) {
                px[n] = x[v] + ta * (x[v + 1] - x[v]);
                py[n++] = y[v] + ta * (y[v + 1] - y[v]);
            }
            px[n] = x[v] + tb * (x[v + 1] - x[v]);
            py[n++] = y[v] + tb * (y[v + 1] - y[v]);
        }
        acc = s1;
        if (acc > b)
            break;
    }
    return n;
}

GEOSGeometry *isochrone_link_part(emscov_ctx *ctx, const network *net, uint32_t link, double lo, double hi)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t cap = network_link_at(net, link)->nv + 2;
    double *px = malloc(cap * sizeof *px), *py = malloc(cap * sizeof *py);
    GEOSGeometry *g = NULL;
    if (px && py) {
        size_t n = link_part_xy(net, link, lo, hi, px, py);
        if (n == 1) {
            px[1] = px[0];
            py[1] = py[0];
            n = 2;
        }
        if (n >= 2) {
            GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(h, px, py, NULL, NULL, (unsigned)n);
            g = cs ? GEOSGeom_createLineString_r(h, cs) : NULL;
        }
    }
    free(px);
    free(py);
    return g;
}

static int cmp_area(const void *a, const void *b)
{
    const isochrone_area *x = a, *y = b;
    if (x->band != y->band)
        return x->band < y->band ? -1 : 1;
    return x->source < y->source ? -1 : x->source > y->source;
}

/* A growable list of lines with their tile keys. */
typedef struct linelist {
    GEOSGeometry **g;
    int64_t *tile;
    size_t n, cap;
} linelist;

static bool linelist_add(emscov_ctx *ctx, linelist *ll, GEOSGeometry *g, int64_t tile)
{
    if (ll->n == ll->cap) {
        size_t cap = ll->cap ? ll->cap * 2 : 64;
        GEOSGeometry **ng = ems_realloc(ctx, ll->g, cap * sizeof *ng);
        if (!ng)
            return false;
        ll->g = ng;
        int64_t *nt = ems_realloc(ctx, ll->tile, cap * sizeof *nt);
        if (!nt)
            return false;
        ll->tile = nt;
        ll->cap = cap;
    }
    ll->g[ll->n] = g;
    ll->tile[ll->n++] = tile;
    return true;
}

static void linelist_free(emscov_ctx *ctx, linelist *ll)
{
    for (size_t i = 0; i < ll->n; i++)
        GEOSGeom_destroy_r(emscov_geos(ctx), ll->g[i]);
    free(ll->g);
    free(ll->tile);
    memset(ll, 0, sizeof *ll);
}

/* Buffer a set of lines (borrowed) into one polygonal geometry: each line on its own (cheap, robust), then
 * a cascaded union. Buffering a whole MultiLineString at once makes GEOS node every offset curve against
 * every other, which is far slower on road networks (tens of seconds for a few thousand links). */
static GEOSGeometry *buffer_lines(emscov_ctx *ctx, GEOSGeometry **lines, size_t n, const GEOSBufferParams *bp,
                                  double width)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    if (n == 0)
        return GEOSGeom_createEmptyPolygon_r(h);
    GEOSGeometry **polys = malloc(n * sizeof *polys);
    if (!polys)
        return NULL;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        GEOSGeometry *b = GEOSBufferWithParams_r(h, lines[i], bp, width);
        if (!b) {
            for (size_t k = 0; k < np; k++)
                GEOSGeom_destroy_r(h, polys[k]);
            free(polys);
            return NULL;
        }
        polys[np++] = b;
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, polys, (unsigned)np);
    free(polys);
    if (!coll)
        return NULL;
    GEOSGeometry *u = GEOSUnaryUnion_r(h, coll);
    GEOSGeom_destroy_r(h, coll);
    return u;
}

typedef struct tile_ix {
    int64_t tile;
    size_t i;
} tile_ix;

static int cmp_tile(const void *a, const void *b)
{
    const tile_ix *x = a, *y = b;
    if (x->tile != y->tile)
        return x->tile < y->tile ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Buffer and union: small sets at once, large ones tile by tile, then a cascaded union of the tiles. */
static GEOSGeometry *buffer_union(emscov_ctx *ctx, linelist *ll, const GEOSBufferParams *bp, double width)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    if (ll->n < TILE_MIN_LINES)
        return buffer_lines(ctx, ll->g, ll->n, bp, width);
    tile_ix *order = malloc(ll->n * sizeof *order);
    GEOSGeometry **lines = malloc(ll->n * sizeof *lines);
    GEOSGeometry **tiles = malloc(ll->n * sizeof *tiles);
    GEOSGeometry *out = NULL;
    size_t nt = 0;
    bool ok = order && lines && tiles;
    for (size_t i = 0; ok && i < ll->n; i++)
        order[i] = (tile_ix){ll->tile[i], i};
    if (ok)
        qsort(order, ll->n, sizeof *order, cmp_tile);
    for (size_t a = 0; ok && a < ll->n;) {
        size_t e = a;
        while (e < ll->n && order[e].tile == order[a].tile) {
            lines[e - a] = ll->g[order[e].i];
            e++;
        }
        GEOSGeometry *b = buffer_lines(ctx, lines, e - a, bp, width);
        if (!b)
            ok = false;
        else
            tiles[nt++] = b;
        a = e;
    }
    if (ok) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, tiles, (unsigned)nt);
        nt = 0; /* taken by the collection */
        if (coll) {
            out = GEOSUnaryUnion_r(h, coll);
            GEOSGeom_destroy_r(h, coll);
        }
    }
    for (size_t i = 0; i < nt; i++)
        GEOSGeom_destroy_r(h, tiles[i]);
    free(order);
    free(lines);
    free(tiles);
    return out;
}

static ems_status add_area(emscov_ctx *ctx, isochrone_set *s, size_t *cap, size_t band, uint32_t source,
                           GEOSGeometry *g)
{
    if (!ems_grow(ctx, (void **)&s->areas, cap, s->n + 1, sizeof *s->areas)) {
        GEOSGeom_destroy_r(emscov_geos(ctx), g);
        return EMS_ENOMEM;
    }
    double a = 0;
    GEOSArea_r(emscov_geos(ctx), g, &a);
    s->areas[s->n++] = (isochrone_area){band, source, g, a};
    return EMS_OK;
}

/* The reached parts of one (band, station) group. */
typedef struct partlist {
    struct lpart {
        uint32_t link;
        double lo, hi;
    } *p;
    size_t n, cap;
} partlist;

/* Exact mode: GEOS buffer of every part, cascaded union (in tiles when large); rings by GEOS difference. */
static ems_status exact_group(emscov_ctx *ctx, const network *net, const partlist *parts, size_t nbands,
                              size_t nsrc, size_t si, const isochrone_opts *o, const GEOSBufferParams *bp,
                              isochrone_set *s, size_t *cap)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    GEOSGeometry *prev = NULL;
    ems_status st = EMS_OK;
    for (size_t b = 0; st == EMS_OK && b < nbands; b++) {
        const partlist *pl = &parts[b * nsrc + si];
        linelist ll = {0};
        for (size_t k = 0; k < pl->n && st == EMS_OK; k++) {
            GEOSGeometry *g = isochrone_link_part(ctx, net, pl->p[k].link, pl->p[k].lo, pl->p[k].hi);
            double x0 = network_link_x(net, pl->p[k].link)[0], y0 = network_link_y(net, pl->p[k].link)[0];
            int64_t tile = (int64_t)floor(x0 / TILE_M) * 1000003 + (int64_t)floor(y0 / TILE_M);
            if (!g || !linelist_add(ctx, &ll, g, tile)) {
                if (g)
                    GEOSGeom_destroy_r(h, g);
                st = emscov_fail(ctx, EMS_ENOMEM, "out of memory building service areas");
            }
        }
        GEOSGeometry *disk = st == EMS_OK ? buffer_union(ctx, &ll, bp, o->buffer_m) : NULL;
        linelist_free(ctx, &ll);
        if (st != EMS_OK)
            break;
        if (!disk) {
            st = emscov_fail(ctx, EMS_EINTERNAL, "service area buffer failed: %s", emscov_lib_message(ctx));
            break;
        }
        GEOSGeometry *area = disk;
        if (o->rings && prev) {
            area = GEOSDifference_r(h, disk, prev);
            GEOSGeom_destroy_r(h, prev);
            prev = disk;
            if (!area) {
                st = emscov_fail(ctx, EMS_EINTERNAL, "service area ring failed: %s", emscov_lib_message(ctx));
                break;
            }
        } else if (o->rings) {
            prev = GEOSGeom_clone_r(h, disk);
        }
        st = add_area(ctx, s, cap, b, o->by_station ? (uint32_t)si : ROUTE_NONE, area);
    }
    GEOSGeom_destroy_r(h, prev);
    return st;
}

/* Mark the buffer of the part of link l between fractions lo and hi; px, py have room for nv + 2 points. */
static void mark_part(raster_union *ru, const network *net, uint32_t l, double lo, double hi, double *px, double *py)
{
    size_t n = link_part_xy(net, l, lo, hi, px, py);
    for (size_t v = 0; v + 1 < n; v++)
        raster_union_add_segment(ru, px[v], py[v], px[v + 1], py[v + 1]);
    if (n == 1)
        raster_union_add_segment(ru, px[0], py[0], px[0], py[0]);
}

/* Raster mode: one grid per station group over the extent of its last (largest) band, marked band after band;
 * rings leave out the cells frozen at the previous band. */
static ems_status raster_group(emscov_ctx *ctx, const network *net, const partlist *parts, size_t nbands,
                               size_t nsrc, size_t si, const isochrone_opts *o, isochrone_set *s, size_t *cap)
{
    const partlist *last = &parts[(nbands - 1) * nsrc + si];
    double box[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t k = 0; k < last->n; k++) {
        uint32_t l = last->p[k].link;
        const double *x = network_link_x(net, l), *y = network_link_y(net, l);
        for (uint32_t v = 0; v < network_link_at(net, l)->nv; v++) {
            box[0] = fmin(box[0], x[v]), box[1] = fmin(box[1], y[v]);
            box[2] = fmax(box[2], x[v]), box[3] = fmax(box[3], y[v]);
        }
    }
    if (last->n == 0)
        box[0] = box[1] = box[2] = box[3] = 0;
    raster_union *ru = NULL;
    ems_status st = raster_union_create(ctx, box, o->buffer_m, o->cell_m, (size_t)1 << 31, &ru);
    double *px = NULL, *py = NULL;
    size_t pcap = 0;
    for (size_t b = 0; st == EMS_OK && b < nbands; b++) {
        /* bands are nested: mark only what this band adds to the previous one (both lists are in link order,
         * parts of a link in increasing position) */
        const partlist *pl = &parts[b * nsrc + si], *pp = b > 0 ? &parts[(b - 1) * nsrc + si] : NULL;
        size_t q = 0;
        for (size_t k = 0; k < pl->n && st == EMS_OK; k++) {
            uint32_t l = pl->p[k].link;
            const network_link *lk = network_link_at(net, l);
            if (lk->nv + 2 > pcap) {
                pcap = lk->nv + 2;
                double *nx = ems_realloc(ctx, px, pcap * sizeof *nx);
                double *ny = nx ? ems_realloc(ctx, py, pcap * sizeof *ny) : NULL;
                if (nx)
                    px = nx;
                if (!nx || !ny) {
                    st = EMS_ENOMEM;
                    break;
                }
                py = ny;
            }
            while (pp && q < pp->n && pp->p[q].link < l)
                q++;
            double cur = pl->p[k].lo, hi = pl->p[k].hi;
            bool point = cur == hi;
            for (size_t m = q; pp && m < pp->n && pp->p[m].link == l && cur < hi; m++) {
                if (pp->p[m].hi <= cur || pp->p[m].lo >= hi)
                    continue;
                if (pp->p[m].lo > cur)
                    mark_part(ru, net, l, cur, pp->p[m].lo, px, py);
                cur = fmax(cur, pp->p[m].hi);
            }
            if (cur < hi || point)
                mark_part(ru, net, l, cur, hi, px, py);
        }
        GEOSGeometry *g = NULL;
        if (st == EMS_OK && (st = raster_union_polygon(ctx, ru, o->rings && b > 0, &g)) == EMS_OK) {
            st = add_area(ctx, s, cap, b, o->by_station ? (uint32_t)si : ROUTE_NONE, g);
            if (o->rings)
                raster_union_freeze(ru);
        }
    }
    free(px);
    free(py);
    raster_union_destroy(ru);
    return st;
}

ems_status isochrone_build(emscov_ctx *ctx, const network *net, const route_result *r, const isochrone_opts *o,
                           isochrone_set **out)
{
    *out = NULL;
    GEOSContextHandle_t h = emscov_geos(ctx);
    if (!o || o->nbands == 0 || !(o->buffer_m > 0) || !(o->cell_m >= 0))
        return emscov_fail(ctx, EMS_EINPUT, "service areas need at least one time band, a buffer width > 0 and a "
                           "cell size >= 0");
    for (size_t b = 0; b < o->nbands; b++)
        if (!(o->bands_s[b] > 0) || (b > 0 && !(o->bands_s[b] > o->bands_s[b - 1])))
            return emscov_fail(ctx, EMS_EINPUT, "time bands must be increasing and > 0");
    if (o->bands_s[o->nbands - 1] > route_cutoff(r))
        return emscov_fail(ctx, EMS_EINPUT, "the last time band (%.0f s) is beyond the search cutoff (%.0f s)",
                           o->bands_s[o->nbands - 1], route_cutoff(r));
    isochrone_set *s = ems_calloc(ctx, 1, sizeof *s);
    if (!s)
        return EMS_ENOMEM;
    s->ctx = ctx;
    size_t nsrc = o->by_station ? route_source_count(r) : 1;
    size_t ngroups = o->nbands * nsrc;
    partlist *groups = ems_calloc(ctx, ngroups ? ngroups : 1, sizeof *groups);
    GEOSBufferParams *bp = GEOSBufferParams_create_r(h);
    ems_status st = groups && bp ? EMS_OK : EMS_ENOMEM;
    if (bp) {
        GEOSBufferParams_setQuadrantSegments_r(h, bp, o->quadrant_segments > 0 ? o->quadrant_segments : 4);
        GEOSBufferParams_setEndCapStyle_r(h, bp, GEOSBUF_CAP_ROUND);
    }
    piece pc[MAX_PIECES];
    part parts[4 * MAX_PIECES];
    for (uint32_t l = 0; st == EMS_OK && l < network_link_count(net); l++) {
        size_t npc = link_pieces(net, r, l, pc);
        if (npc == 0)
            continue;
        for (size_t b = 0; st == EMS_OK && b < o->nbands; b++) {
            size_t np = reached_parts(pc, npc, o->bands_s[b], parts, sizeof parts / sizeof *parts);
            for (size_t i = 0; i < np; i++) {
                partlist *pl = &groups[b * nsrc + (o->by_station ? parts[i].source : 0)];
                if (!ems_grow(ctx, (void **)&pl->p, &pl->cap, pl->n + 1, sizeof *pl->p)) {
                    st = EMS_ENOMEM;
                    break;
                }
                pl->p[pl->n++] = (struct lpart){l, parts[i].lo, parts[i].hi};
            }
        }
    }
    size_t cap = 0;
    for (size_t si = 0; st == EMS_OK && si < nsrc; si++) {
        if (o->by_station && groups[(o->nbands - 1) * nsrc + si].n == 0)
            continue; /* a station that reaches nothing within the bands */
        st = o->cell_m > 0 ? raster_group(ctx, net, groups, o->nbands, nsrc, si, o, s, &cap)
                           : exact_group(ctx, net, groups, o->nbands, nsrc, si, o, bp, s, &cap);
    }
    for (size_t g = 0; groups && g < ngroups; g++)
        free(groups[g].p);
    free(groups);
    if (bp)
        GEOSBufferParams_destroy_r(h, bp);
    if (st != EMS_OK) {
        isochrone_set_destroy(s);
        return st;
    }
    /* band-major order: all stations of band 0, then band 1, ... */
    qsort(s->areas, s->n, sizeof *s->areas, cmp_area);
    *out = s;
    return EMS_OK;
}

void isochrone_set_destroy(isochrone_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        GEOSGeom_destroy_r(emscov_geos(s->ctx), s->areas[i].geom);
    free(s->areas);
    free(s);
}

size_t isochrone_count(const isochrone_set *s)
{
    return s->n;
}

const isochrone_area *isochrone_at(const isochrone_set *s, size_t i)
{
    return &s->areas[i];
}
