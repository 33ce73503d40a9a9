/* geo/raster_union.c: buffer union on a raster, traced into polygons (see raster_union.h).
 *
 * Tracing: an edge of the cell grid is a boundary edge when the cell on its left is in and the cell on its
 * right is out, so every ring keeps the region on its left: shells run counter-clockwise, holes clockwise. At
 * each grid vertex the walk turns left if it can, else goes straight, else turns right; this keeps
 * diagonally touching cells apart (4-connectivity), so rings never cross, though they may touch at a vertex,
 * which OGC validity allows. Each boundary edge is owned by the in-cell on its left and visited once. */
#include "geo/raster_union.h"

#include <math.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct raster_union {
    double x0, y0, cell, buffer;
    long nx, ny;      /* cells; a one-cell empty border is kept around everything marked */
    uint8_t *in;      /* nx * ny: bit 0 = in; bit 1 = frozen; bits 4..7 = boundary edge visited (E N W S) */
    size_t marked;
    long mi0, mi1, mj0, mj1; /* bounding box of marked cells (empty when mi0 > mi1) */
    bool exclude;     /* while tracing: frozen cells count as out */
};

enum { DIR_E, DIR_N, DIR_W, DIR_S };
static const int DX[4] = {1, 0, -1, 0}, DY[4] = {0, 1, 0, -1};

ems_status raster_union_create(emscov_ctx *ctx, const double box[4], double buffer_m, double cell_m,
                               size_t max_cells, raster_union **out)
{
    *out = NULL;
    if (!(cell_m > 0) || !(buffer_m >= 0) || !isfinite(box[0]) || !isfinite(box[3]))
        return emscov_fail(ctx, EMS_EINPUT, "raster union: cell size must be > 0 and the extent finite");
    double pad = buffer_m + 2 * cell_m;
    double x0 = box[0] - pad, y0 = box[1] - pad;
    double w = box[2] + pad - x0, h = box[3] + pad - y0;
    double nxd = ceil(w / cell_m), nyd = ceil(h / cell_m);
    if (nxd * nyd > (double)max_cells)
        return emscov_fail(ctx, EMS_EINPUT, "raster union: %.0f x %.0f cells of %g m exceed the limit of %zu cells; "
                           "use a larger cell size", nxd, nyd, cell_m, max_cells);
    raster_union *r = ems_calloc(ctx, 1, sizeof *r);
    if (!r)
        return EMS_ENOMEM;
    r->x0 = x0;
    r->y0 = y0;
    r->cell = cell_m;
    r->buffer = buffer_m;
    r->nx = (long)nxd;
    r->ny = (long)nyd;
    r->mi0 = r->mj0 = LONG_MAX;
    r->mi1 = r->mj1 = -1;
    r->in = ems_calloc(ctx, (size_t)r->nx * (size_t)r->ny, 1);
    if (!r->in) {
        free(r);
        return EMS_ENOMEM;
    }
    *out = r;
    return EMS_OK;
}

void raster_union_destroy(raster_union *r)
{
    if (!r)
        return;
    free(r->in);
    free(r);
}

size_t raster_union_marked(const raster_union *r)
{
    return r->marked;
}

/* Widen [*lo, *hi] by the x-range where the horizontal line y = py meets the disk of radius w around (cx, cy). */
static void disk_span(double cx, double cy, double w, double py, double *lo, double *hi)
{
    double dy = py - cy, d2 = w * w - dy * dy;
    if (d2 < 0)
        return;
    double hw = sqrt(d2);
    *lo = fmin(*lo, cx - hw);
    *hi = fmax(*hi, cx + hw);
}

/* Widen [*lo, *hi] by the x-range where y = py meets the convex quadrilateral q (4 corners in order). */
static void quad_span(const double q[8], double py, double *lo, double *hi)
{
    for (int e = 0; e < 4; e++) {
        double x1 = q[2 * e], y1 = q[2 * e + 1], x2 = q[(2 * e + 2) % 8], y2 = q[(2 * e + 3) % 8];
        if ((py < y1 && py < y2) || (py > y1 && py > y2))
            continue;
        double x = y1 == y2 ? x1 : x1 + (py - y1) * (x2 - x1) / (y2 - y1);
        if (y1 == y2) {
            *lo = fmin(*lo, fmin(x1, x2));
            *hi = fmax(*hi, fmax(x1, x2));
        } else {
            *lo = fmin(*lo, x);
            *hi = fmax(*hi, x);
        }
    }
}

/* The buffer of a segment (a stadium: two disks and a rectangle) is convex, so each row of cell centres meets
 * it in one x-interval: computed exactly, then the cells whose centres fall in it are marked. */
void raster_union_add_segment(raster_union *r, double ax, double ay, double bx, double by)
{
    double w = r->buffer, c = r->cell;
    long j0 = (long)ceil((fmin(ay, by) - w - r->y0) / c - 0.5), j1 = (long)floor((fmax(ay, by) + w - r->y0) / c - 0.5);
    j0 = j0 < 1 ? 1 : j0;
    j1 = j1 > r->ny - 2 ? r->ny - 2 : j1;
    double dx = bx - ax, dy = by - ay, len = hypot(dx, dy);
    double q[8];
    bool has_quad = len > 0;
    if (has_quad) {
        double nx = -dy / len * w, ny = dx / len * w;
        q[0] = ax + nx, q[1] = ay + ny, q[2] = bx + nx, q[3] = by + ny;
        q[4] = bx - nx, q[5] = by - ny, q[6] = ax - nx, q[7] = ay - ny;
    }
    for (long j = j0; j <= j1; j++) {
        double py = r->y0 + ((double)j + 0.5) * c;
        double lo = INFINITY, hi = -INFINITY;
        disk_span(ax, ay, w, py, &lo, &hi);
        disk_span(bx, by, w, py, &lo, &hi);
        if (has_quad)
            quad_span(q, py, &lo, &hi);
        if (!(lo <= hi))
            continue;
        long i0 = (long)ceil((lo - r->x0) / c - 0.5), i1 = (long)floor((hi - r->x0) / c - 0.5);
        i0 = i0 < 1 ? 1 : i0;
        i1 = i1 > r->nx - 2 ? r->nx - 2 : i1;
        if (i0 > i1)
            continue;
        uint8_t *row = r->in + (size_t)j * (size_t)r->nx;
        for (long i = i0; i <= i1; i++)
            if (!(row[i] & 1)) {
                row[i] |= 1;
                r->marked++;
            }
        r->mi0 = i0 < r->mi0 ? i0 : r->mi0;
        r->mi1 = i1 > r->mi1 ? i1 : r->mi1;
        r->mj0 = j < r->mj0 ? j : r->mj0;
        r->mj1 = j > r->mj1 ? j : r->mj1;
    }
}

static bool cell_in(const raster_union *r, long i, long j)
{
    if (i < 0 || j < 0 || i >= r->nx || j >= r->ny)
        return false;
    uint8_t v = r->in[(size_t)j * (size_t)r->nx + (size_t)i];
    return r->exclude ? (v & 3) == 1 : (v & 1);
}

void raster_union_freeze(raster_union *r)
{
    size_t n = (size_t)r->nx * (size_t)r->ny;
    for (size_t k = 0; k < n; k++)
        if (r->in[k] & 1)
            r->in[k] |= 2;
}

/* The in-cell to the left of the edge leaving vertex (i, j) in direction d, and the one to its right. */
static void edge_cells(int d, long i, long j, long *li, long *lj, long *ri, long *rj)
{
    switch (d) {
    case DIR_E: *li = i, *lj = j, *ri = i, *rj = j - 1; break;
    case DIR_N: *li = i - 1, *lj = j, *ri = i, *rj = j; break;
    case DIR_W: *li = i - 1, *lj = j - 1, *ri = i - 1, *rj = j; break;
    default:    *li = i, *lj = j - 1, *ri = i - 1, *rj = j - 1; break;
    }
}

static bool is_boundary(const raster_union *r, int d, long i, long j)
{
    long li, lj, ri, rj;
    edge_cells(d, i, j, &li, &lj, &ri, &rj);
    return cell_in(r, li, lj) && !cell_in(r, ri, rj);
}

/* visited flag of the edge leaving (i, j) in direction d, kept on its left cell */
static uint8_t *visit_byte(raster_union *r, int d, long i, long j, uint8_t *bit)
{
    long li, lj, ri, rj;
    edge_cells(d, i, j, &li, &lj, &ri, &rj);
    *bit = (uint8_t)(16u << d);
    return &r->in[(size_t)lj * (size_t)r->nx + (size_t)li];
}

typedef struct ring {
    double *xy; /* closed: first point repeated at the end */
    size_t n;
    double area; /* signed: > 0 shell */
    double tx, ty; /* for holes: a point inside the hole */
} ring;

typedef struct ring_list {
    ring *r;
    size_t n, cap;
} ring_list;

static void ring_list_free(ring_list *rl)
{
    for (size_t k = 0; k < rl->n; k++)
        free(rl->r[k].xy);
    free(rl->r);
}

/* Walk one ring starting with the edge leaving (i, j) in direction d. */
static ems_status trace(emscov_ctx *ctx, raster_union *r, long i, long j, int d, ring *out)
{
    size_t cap = 64, n = 0;
    double *xy = ems_malloc(ctx, cap * 2 * sizeof *xy);
    if (!xy)
        return EMS_ENOMEM;
    long si = i, sj = j;
    int sd = d, prev = -1;
    /* the test point of a hole: centre of the out-cell right of the first edge */
    long li, lj, ri, rj;
    edge_cells(d, i, j, &li, &lj, &ri, &rj);
    out->tx = r->x0 + ((double)ri + 0.5) * r->cell;
    out->ty = r->y0 + ((double)rj + 0.5) * r->cell;
    for (;;) {
        uint8_t bit;
        uint8_t *vb = visit_byte(r, d, i, j, &bit);
        *vb |= bit;
        if (d != prev) { /* a corner: keep the vertex */
            if (n + 2 > cap) {
                cap *= 2;
                double *nxy = ems_realloc(ctx, xy, cap * 2 * sizeof *nxy);
                if (!nxy) {
                    free(xy);
                    return EMS_ENOMEM;
                }
                xy = nxy;
            }
            xy[2 * n] = r->x0 + (double)i * r->cell;
            xy[2 * n + 1] = r->y0 + (double)j * r->cell;
            n++;
        }
        prev = d;
        i += DX[d];
        j += DY[d];
        int left = (d + 1) % 4, right = (d + 3) % 4, nd;
        if (is_boundary(r, left, i, j))
            nd = left;
        else if (is_boundary(r, d, i, j))
            nd = d;
        else if (is_boundary(r, right, i, j))
            nd = right;
        else {
            free(xy);
            return emscov_fail(ctx, EMS_EINTERNAL, "raster union: ring tracing lost its way at (%ld, %ld)", i, j);
        }
        if (i == si && j == sj && nd == sd) {
            if (d == sd) { /* arriving straight: the start vertex is not a corner */
                memmove(xy, xy + 2, (n - 1) * 2 * sizeof *xy);
                n--;
            }
            break;
        }
        d = nd;
    }
    xy[2 * n] = xy[0];
    xy[2 * n + 1] = xy[1];
    n++;
    double a = 0;
    for (size_t k = 0; k + 1 < n; k++)
        a += xy[2 * k] * xy[2 * k + 3] - xy[2 * k + 2] * xy[2 * k + 1];
    out->xy = xy;
    out->n = n;
    out->area = a / 2;
    return EMS_OK;
}

/* Signed area and, for a hole, a point inside it: the centre of the cell right of the first edge. */
static void ring_finish(ring *rg, double cell)
{
    double a = 0;
    for (size_t k = 0; k + 1 < rg->n; k++)
        a += rg->xy[2 * k] * rg->xy[2 * k + 3] - rg->xy[2 * k + 2] * rg->xy[2 * k + 1];
    rg->area = a / 2;
    double dx = rg->xy[2] - rg->xy[0], dy = rg->xy[3] - rg->xy[1], len = sqrt(dx * dx + dy * dy);
    dx /= len, dy /= len;
    rg->tx = rg->xy[0] + (dx + dy) * cell / 2; /* half a cell along the edge and half a cell to its right */
    rg->ty = rg->xy[1] + (dy - dx) * cell / 2;
}

typedef struct vtx_map {
    uint64_t *key;
    size_t *pos;
    size_t cap;
} vtx_map;

/* A traced ring passes twice through a vertex where it pinches (two in-cells meeting only at a corner,
 * reached from both sides). OGC rings must be simple, so the ring is cut at every repeated vertex into simple
 * rings: counter-clockwise ones are shells, clockwise ones holes (a pinched shell becomes two shells touching
 * at a point, or a shell with a hole touching it at a point -- both valid). Takes rg->xy. */
static ems_status split_ring(emscov_ctx *ctx, const raster_union *r, ring *rg, ring_list *shells, ring_list *holes)
{
    size_t n = rg->n - 1; /* without the closing point */
    vtx_map m = {0};
    m.cap = 16;
    while (m.cap < 2 * n)
        m.cap *= 2;
    m.key = ems_malloc(ctx, m.cap * sizeof *m.key);
    m.pos = ems_malloc(ctx, m.cap * sizeof *m.pos);
    size_t *stack = ems_malloc(ctx, (n + 1) * sizeof *stack);
    uint64_t *skey = ems_malloc(ctx, (n + 1) * sizeof *skey);
    ems_status st = m.key && m.pos && stack && skey ? EMS_OK : EMS_ENOMEM;
    if (st == EMS_OK)
        memset(m.pos, 0xff, m.cap * sizeof *m.pos);
    size_t top = 0;
    for (size_t k = 0; st == EMS_OK && k <= n; k++) {
        size_t v = k % n; /* the last step revisits the start vertex and closes the remaining ring */
        long ix = lround((rg->xy[2 * v] - r->x0) / r->cell), iy = lround((rg->xy[2 * v + 1] - r->y0) / r->cell);
        uint64_t key = (uint64_t)ix * 4294967311ULL + (uint64_t)iy;
        size_t slot = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (m.cap - 1);
        while (m.pos[slot] != SIZE_MAX && m.key[slot] != key)
            slot = (slot + 1) & (m.cap - 1);
        if (m.pos[slot] == SIZE_MAX || m.pos[slot] >= top || skey[m.pos[slot]] != key) {
            m.key[slot] = key;
            m.pos[slot] = top;
            skey[top] = key;
            stack[top++] = v;
            continue;
        }
        /* a loop: stack[p .. top) then back to v */
        size_t p = m.pos[slot], len = top - p;
        if (len >= 3) {
            ring sub = {0};
            sub.xy = ems_malloc(ctx, (len + 1) * 2 * sizeof *sub.xy);
            if (!sub.xy) {
                st = EMS_ENOMEM;
                break;
            }
            for (size_t q = 0; q < len; q++) {
                sub.xy[2 * q] = rg->xy[2 * stack[p + q]];
                sub.xy[2 * q + 1] = rg->xy[2 * stack[p + q] + 1];
            }
            sub.xy[2 * len] = sub.xy[0];
            sub.xy[2 * len + 1] = sub.xy[1];
            sub.n = len + 1;
            ring_finish(&sub, r->cell);
            ring_list *dst = sub.area > 0 ? shells : holes;
            if (!ems_grow(ctx, (void **)&dst->r, &dst->cap, dst->n + 1, sizeof *dst->r)) {
                free(sub.xy);
                st = EMS_ENOMEM;
                break;
            }
            dst->r[dst->n++] = sub;
        }
        /* forget the popped vertices (their map slots now point past top), keep v on the stack */
        top = p + 1;
    }
    free(m.key);
    free(m.pos);
    free(stack);
    free(skey);
    free(rg->xy);
    rg->xy = NULL;
    return st;
}

static GEOSGeometry *make_ring(GEOSContextHandle_t h, const ring *rg)
{
    double *x = malloc(rg->n * sizeof *x), *y = malloc(rg->n * sizeof *y);
    GEOSGeometry *g = NULL;
    if (x && y) {
        for (size_t k = 0; k < rg->n; k++)
            x[k] = rg->xy[2 * k], y[k] = rg->xy[2 * k + 1];
        GEOSCoordSequence *cs = GEOSCoordSeq_copyFromArrays_r(h, x, y, NULL, NULL, (unsigned)rg->n);
        g = cs ? GEOSGeom_createLinearRing_r(h, cs) : NULL;
    }
    free(x);
    free(y);
    return g;
}

typedef struct hole_query {
    GEOSContextHandle_t h;
    const GEOSPreparedGeometry **prep;
    const ring *shells;
    const GEOSGeometry *pt;
    size_t best;
    double best_area;
} hole_query;

static void on_shell(void *item, void *user)
{
    hole_query *q = user;
    size_t s = *(const size_t *)item;
    if (q->shells[s].area < q->best_area && GEOSPreparedContains_r(q->h, q->prep[s], q->pt) == 1) {
        q->best = s;
        q->best_area = q->shells[s].area;
    }
}

ems_status raster_union_polygon(emscov_ctx *ctx, raster_union *r, bool exclude_frozen, GEOSGeometry **out)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    *out = NULL;
    r->exclude = exclude_frozen;
    /* only the box of marked cells (and its one-cell rim, whose edges the walk may touch) can hold rings */
    for (long j = r->mj0; j <= r->mj1; j++)
        for (long i = r->mi0; i <= r->mi1; i++)
            r->in[(size_t)j * (size_t)r->nx + (size_t)i] &= 3; /* clear visited flags of an earlier trace */
    ring_list shells = {0}, holes = {0};
    ems_status st = EMS_OK;
    const size_t nx = (size_t)r->nx;
    for (long j = r->mj0; j <= r->mj1 && st == EMS_OK; j++)
        for (long i = r->mi0; i <= r->mi1 && st == EMS_OK; i++) {
            const uint8_t *c = r->in + (size_t)j * nx + (size_t)i;
            /* marked cells never touch the grid's edge, so the four neighbours exist */
            if (!(exclude_frozen ? (c[0] & 3) == 1 : (c[0] & 1)))
                continue;
            if (!exclude_frozen && (c[1] & 1) && (c[-1] & 1) && (c[nx] & 1) && (c[-(ptrdiff_t)nx] & 1))
                continue; /* interior cell: no boundary edge */
            /* the four edges this cell owns, as (start vertex, direction) */
            const long vi[4] = {i, i + 1, i + 1, i}, vj[4] = {j, j, j + 1, j + 1};
            const int dd[4] = {DIR_E, DIR_N, DIR_W, DIR_S};
            for (int e = 0; e < 4 && st == EMS_OK; e++) {
                if (!is_boundary(r, dd[e], vi[e], vj[e]))
                    continue;
                uint8_t bit;
                if (*visit_byte(r, dd[e], vi[e], vj[e], &bit) & bit)
                    continue;
                ring rg = {0};
                if ((st = trace(ctx, r, vi[e], vj[e], dd[e], &rg)) != EMS_OK)
                    break;
                st = split_ring(ctx, r, &rg, &shells, &holes);
            }
        }
    /* geometry: give every hole to the smallest shell that contains its test point */
    GEOSGeometry **shell_geo = NULL, **polys = NULL;
    const GEOSPreparedGeometry **prep = NULL;
    size_t *ids = NULL, *owner = NULL, *nh = NULL;
    GEOSSTRtree *tree = NULL;
    if (st == EMS_OK && shells.n == 0) {
        *out = GEOSGeom_createEmptyPolygon_r(h);
        goto done;
    }
    if (st != EMS_OK)
        goto done;
    shell_geo = ems_calloc(ctx, shells.n, sizeof *shell_geo);
    prep = ems_calloc(ctx, shells.n, sizeof *prep);
    ids = ems_malloc(ctx, shells.n * sizeof *ids);
    owner = ems_malloc(ctx, (holes.n ? holes.n : 1) * sizeof *owner);
    nh = ems_calloc(ctx, shells.n, sizeof *nh);
    polys = ems_calloc(ctx, shells.n, sizeof *polys);
    tree = GEOSSTRtree_create_r(h, 10);
    if (!shell_geo || !prep || !ids || !owner || !nh || !polys || !tree) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t s = 0; s < shells.n; s++) {
        GEOSGeometry *lr = make_ring(h, &shells.r[s]);
        shell_geo[s] = lr ? GEOSGeom_createPolygon_r(h, lr, NULL, 0) : NULL;
        if (!shell_geo[s] || !(prep[s] = GEOSPrepare_r(h, shell_geo[s]))) {
            st = emscov_fail(ctx, EMS_EINTERNAL, "raster union: cannot build a shell: %s", emscov_lib_message(ctx));
            goto done;
        }
        ids[s] = s;
        GEOSSTRtree_insert_r(h, tree, shell_geo[s], &ids[s]);
    }
    for (size_t k = 0; k < holes.n; k++) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, holes.r[k].tx, holes.r[k].ty);
        hole_query q = {h, prep, shells.r, pt, SIZE_MAX, INFINITY};
        GEOSSTRtree_query_r(h, tree, pt, on_shell, &q);
        GEOSGeom_destroy_r(h, pt);
        if (q.best == SIZE_MAX) {
            st = emscov_fail(ctx, EMS_EINTERNAL, "raster union: a hole lies in no shell");
            goto done;
        }
        owner[k] = q.best;
        nh[q.best]++;
    }
    /* polygons: shell ring + hole rings */
    size_t *fill = ems_calloc(ctx, shells.n, sizeof *fill);
    GEOSGeometry ***hr = ems_calloc(ctx, shells.n, sizeof *hr);
    if (!fill || !hr) {
        free(fill);
        free(hr);
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t s = 0; s < shells.n && st == EMS_OK; s++)
        if (nh[s] && !(hr[s] = ems_malloc(ctx, nh[s] * sizeof **hr)))
            st = EMS_ENOMEM;
    for (size_t k = 0; k < holes.n && st == EMS_OK; k++) {
        GEOSGeometry *lr = make_ring(h, &holes.r[k]);
        if (!lr)
            st = emscov_fail(ctx, EMS_EINTERNAL, "raster union: cannot build a hole");
        else
            hr[owner[k]][fill[owner[k]]++] = lr;
    }
    for (size_t s = 0; s < shells.n && st == EMS_OK; s++) {
        GEOSGeometry *lr = make_ring(h, &shells.r[s]);
        polys[s] = lr ? GEOSGeom_createPolygon_r(h, lr, hr[s], (unsigned)nh[s]) : NULL;
        if (!polys[s])
            st = emscov_fail(ctx, EMS_EINTERNAL, "raster union: cannot build a polygon");
        else
            fill[s] = 0; /* the holes now belong to the polygon */
    }
    for (size_t s = 0; s < shells.n; s++) {
        for (size_t k = 0; k < fill[s]; k++)
            GEOSGeom_destroy_r(h, hr[s][k]);
        free(hr[s]);
    }
    free(hr);
    free(fill);
    if (st == EMS_OK) {
        *out = shells.n == 1 ? polys[0]
                             : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)shells.n);
        if (!*out)
            st = emscov_fail(ctx, EMS_EINTERNAL, "raster union: cannot build the multipolygon");
        else
            memset(polys, 0, shells.n * sizeof *polys); /* taken */
    }
done:
    if (tree)
        GEOSSTRtree_destroy_r(h, tree);
    for (size_t s = 0; s < shells.n; s++) {
        if (prep && prep[s])
            GEOSPreparedGeom_destroy_r(h, prep[s]);
        if (shell_geo && shell_geo[s])
            GEOSGeom_destroy_r(h, shell_geo[s]);
        if (polys && polys[s])
            GEOSGeom_destroy_r(h, polys[s]);
    }
    free(shell_geo);
    free(prep);
    free(polys);
    free(ids);
    free(owner);
    free(nh);
    ring_list_free(&shells);
    ring_list_free(&holes);
    return st;
}
