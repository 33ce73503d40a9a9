/* geo/snap.c: nearest position on the network through a packed Hilbert R-tree of link segments
 * (see snap.h). Layout: entries [0, n) are the segments sorted by the Hilbert value of their centres; above
 * them come the tree levels, each node covering SNAP_NODE consecutive entries of the level below. */
#include "geo/snap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SNAP_NODE 16

/* A packed R-tree: items (level 0) sorted by Hilbert value, then the node levels. Items are segments (a = link,
 * b = segment) or network nodes (a = node, b = 0); ties in distance go to the lowest (a, b). */
typedef struct ptree {
    size_t nitems;
    uint32_t *a, *b;      /* per item (sorted order) */
    double *box;          /* 4 per entry: minx, miny, maxx, maxy */
    size_t level_start[32];
    int nlevels;          /* level 0 = items; the last level holds the root alone */
} ptree;

/* A uniform grid of buckets over the segments (edge mode), for the many-point queries (demand points): each
 * bucket lists the segments (positions in the segment tree) that may meet it, so a query reads the buckets
 * around its point ring by ring until no unread bucket can hold anything nearer. It finds what the tree
 * search finds (the nearest, ties to the lowest link and segment); a point outside the grid, or one whose
 * search would need many rings, is left to the tree. */
typedef struct sgrid {
    double x0, y0, cs; /* lower-left corner, bucket side (m) */
    uint32_t nx, ny;   /* 0: no grid */
    uint32_t *start;   /* nx x ny + 1 offsets into pos */
    uint32_t *pos;     /* segment tree positions */
} sgrid;

struct snap_index {
    const network *net;
    ptree seg, node;      /* node: built by snap_index_set_mode(SNAP_VERTEX) */
    sgrid grid;           /* over seg */
    uint32_t *node_link;  /* per node: the lowest link touching it */
    snap_mode mode;
};

/* Hilbert curve index of (x, y) on a 2^16 x 2^16 grid (the classic xy -> d walk). */
static uint32_t hilbert(uint32_t x, uint32_t y)
{
    const uint32_t n = 1u << 16;
    uint32_t d = 0;
    for (uint32_t s = n / 2; s > 0; s /= 2) {
        uint32_t rx = (x & s) > 0, ry = (y & s) > 0;
        d += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

typedef struct sort_item {
    uint32_t h, a, b;
} sort_item;

/* The box of item (a, b): a segment of a link, or a node (b unused). */
typedef void (*box_fn)(const network *net, uint32_t a, uint32_t b, double box[4]);

static void segment_box(const network *net, uint32_t link, uint32_t seg, double box[4])
{
    const double *x = network_link_x(net, link) + seg, *y = network_link_y(net, link) + seg;
    box[0] = fmin(x[0], x[1]), box[1] = fmin(y[0], y[1]), box[2] = fmax(x[0], x[1]), box[3] = fmax(y[0], y[1]);
}

static void node_box(const network *net, uint32_t node, uint32_t unused, double box[4])
{
    (void)unused;
    network_node_xy(net, node, &box[0], &box[1]);
    box[2] = box[0], box[3] = box[1];
}

static int cmp_item(const void *pa, const void *pb)
{
    const sort_item *x = pa, *y = pb;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

static void ptree_free(ptree *t)
{
    free(t->a);
    free(t->b);
    free(t->box);
    *t = (ptree){0};
}

/* Build a tree over n items (a, b set; h is computed here from the box centres; items is sorted). */
static ems_status ptree_build(emscov_ctx *ctx, const network *net, ptree *t, sort_item *items, size_t n, box_fn box)
{
    size_t total = n, cnt = n;
    t->nitems = n;
    t->level_start[0] = 0;
    t->nlevels = 1;
    do { /* at least one node level above the items, even for a single item */
        cnt = (cnt + SNAP_NODE - 1) / SNAP_NODE;
        t->level_start[t->nlevels++] = total;
        total += cnt;
    } while (cnt > 1);
    t->level_start[t->nlevels] = total;
    t->a = ems_malloc(ctx, (n ? n : 1) * sizeof *t->a);
    t->b = ems_malloc(ctx, (n ? n : 1) * sizeof *t->b);
    t->box = ems_malloc(ctx, (total ? total : 1) * 4 * sizeof *t->box);
    if (!t->a || !t->b || !t->box) {
        ptree_free(t);
        return EMS_ENOMEM;
    }
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, bx[4];
    for (size_t i = 0; i < n; i++) {
        box(net, items[i].a, items[i].b, bx);
        ext[0] = fmin(ext[0], bx[0]), ext[1] = fmin(ext[1], bx[1]);
        ext[2] = fmax(ext[2], bx[2]), ext[3] = fmax(ext[3], bx[3]);
    }
    double w = ext[2] - ext[0], hgt = ext[3] - ext[1];
    for (size_t i = 0; i < n; i++) {
        box(net, items[i].a, items[i].b, bx);
        double cx = (bx[0] + bx[2]) / 2, cy = (bx[1] + bx[3]) / 2;
        uint32_t hx = w > 0 ? (uint32_t)(65535.0 * (cx - ext[0]) / w) : 0;
        uint32_t hy = hgt > 0 ? (uint32_t)(65535.0 * (cy - ext[1]) / hgt) : 0;
        items[i].h = hilbert(hx, hy);
    }
    qsort(items, n, sizeof *items, cmp_item);
    for (size_t i = 0; i < n; i++) {
        t->a[i] = items[i].a;
        t->b[i] = items[i].b;
        box(net, items[i].a, items[i].b, t->box + 4 * i);
    }
    for (int lv = 1; lv < t->nlevels; lv++) {
        size_t c0 = t->level_start[lv - 1], c1 = t->level_start[lv];
        for (size_t p = t->level_start[lv]; p < t->level_start[lv + 1]; p++) {
            size_t first = c0 + (p - t->level_start[lv]) * SNAP_NODE;
            size_t last = first + SNAP_NODE < c1 ? first + SNAP_NODE : c1;
            double *pb = t->box + 4 * p;
            pb[0] = pb[1] = INFINITY;
            pb[2] = pb[3] = -INFINITY;
            for (size_t c = first; c < last; c++) {
                const double *cb = t->box + 4 * c;
                pb[0] = fmin(pb[0], cb[0]), pb[1] = fmin(pb[1], cb[1]);
                pb[2] = fmax(pb[2], cb[2]), pb[3] = fmax(pb[3], cb[3]);
            }
        }
    }
    return EMS_OK;
}

#define SGRID_PER_BUCKET 2.0 /* segments per bucket on average */
#define SGRID_MAX_RINGS 6    /* rings read before a query is left to the tree */

/* Bucket of coordinate v along an axis (clamped to [0, n)): monotone in v, so a box's buckets hold every
 * point of it. */
static uint32_t bucket_of(double v, double v0, double cs, uint32_t n)
{
    double k = floor((v - v0) / cs);
    return k < 0 ? 0 : k >= (double)n ? n - 1 : (uint32_t)k;
}

/* Visit every bucket that segment c may meet: the buckets of its box, or, for a segment whose box spans many,
 * the 3 x 3 buckets around points at most half a bucket apart along it (every point of the segment is within
 * a quarter bucket of one, so its bucket is among them). fill NULL: count. Duplicates are harmless. */
static void sgrid_visit(const sgrid *g, const ptree *tr, const snap_index *ix, size_t c, uint32_t *count,
                        uint32_t *fill)
{
    const double *b = tr->box + 4 * c;
    uint32_t i0 = bucket_of(b[0], g->x0, g->cs, g->nx), i1 = bucket_of(b[2], g->x0, g->cs, g->nx);
    uint32_t j0 = bucket_of(b[1], g->y0, g->cs, g->ny), j1 = bucket_of(b[3], g->y0, g->cs, g->ny);
    if ((uint64_t)(i1 - i0 + 1) * (j1 - j0 + 1) <= 16) {
        for (uint32_t j = j0; j <= j1; j++)
            for (uint32_t i = i0; i <= i1; i++) {
                size_t k = (size_t)j * g->nx + i;
                if (fill)
                    fill[count[k]++] = (uint32_t)c;
                else
                    count[k]++;
            }
        return;
    }
    const double *sx = network_link_x(ix->net, tr->a[c]) + tr->b[c];
    const double *sy = network_link_y(ix->net, tr->a[c]) + tr->b[c];
    double len = hypot(sx[1] - sx[0], sy[1] - sy[0]);
    size_t steps = (size_t)ceil(len / (g->cs / 2)) + 1;
    uint32_t last_i = UINT32_MAX, last_j = UINT32_MAX;
    for (size_t s = 0; s <= steps; s++) {
        double t = (double)s / (double)steps;
        uint32_t qi = bucket_of(sx[0] + t * (sx[1] - sx[0]), g->x0, g->cs, g->nx);
        uint32_t qj = bucket_of(sy[0] + t * (sy[1] - sy[0]), g->y0, g->cs, g->ny);
        if (qi == last_i && qj == last_j)
            continue;
        last_i = qi, last_j = qj;
        for (uint32_t j = qj ? qj - 1 : 0; j <= qj + 1 && j < g->ny; j++)
            for (uint32_t i = qi ? qi - 1 : 0; i <= qi + 1 && i < g->nx; i++) {
                size_t k = (size_t)j * g->nx + i;
                if (fill)
                    fill[count[k]++] = (uint32_t)c;
                else
                    count[k]++;
            }
    }
}

static ems_status sgrid_build(emscov_ctx *ctx, snap_index *ix)
{
    const ptree *tr = &ix->seg;
    sgrid *g = &ix->grid;
    size_t n = tr->nitems;
    if (n == 0 || n >= UINT32_MAX)
        return EMS_OK;
    const double *root = tr->box + 4 * tr->level_start[tr->nlevels - 1];
    double w = root[2] - root[0], h = root[3] - root[1];
    double cs = sqrt(w * h * SGRID_PER_BUCKET / (double)n);
    /* at most 2^15 buckets a side, each at least a metre wide (a degenerate, flat extent included) */
    double min_cs = fmax(1.0, fmax(w, h) / 32768);
    if (!(cs >= min_cs))
        cs = min_cs;
    if (!isfinite(cs) || !(cs > 0))
        return EMS_OK;
    g->x0 = root[0], g->y0 = root[1], g->cs = cs;
    g->nx = (uint32_t)(w / cs) + 1;
    g->ny = (uint32_t)(h / cs) + 1;
    size_t nb = (size_t)g->nx * g->ny;
    uint32_t *count = ems_calloc(ctx, nb + 1, sizeof *count);
    if (!count)
        return EMS_ENOMEM;
    for (size_t c = 0; c < n; c++)
        sgrid_visit(g, tr, ix, c, count + 1, NULL);
    for (size_t k = 0; k < nb; k++) {
        if ((uint64_t)count[k + 1] + count[k] >= UINT32_MAX) { /* more entries than offsets can hold */
            free(count);
            g->nx = g->ny = 0;
            return EMS_OK;
        }
        count[k + 1] += count[k];
    }
    g->pos = ems_malloc(ctx, (count[nb] ? count[nb] : 1) * sizeof *g->pos);
    g->start = ems_malloc(ctx, (nb + 1) * sizeof *g->start);
    if (!g->pos || !g->start) {
        free(count);
        return EMS_ENOMEM;
    }
    memcpy(g->start, count, (nb + 1) * sizeof *count);
    for (size_t c = 0; c < n; c++)
        sgrid_visit(g, tr, ix, c, count, g->pos); /* count[k] runs from start[k] to start[k + 1] */
    free(count);
    return EMS_OK;
}

ems_status snap_index_build(emscov_ctx *ctx, const network *net, snap_index **out)
{
    *out = NULL;
    snap_index *ix = ems_calloc(ctx, 1, sizeof *ix);
    if (!ix)
        return EMS_ENOMEM;
    ix->net = net;
    uint32_t nl = network_link_count(net);
    size_t n = 0;
    for (uint32_t l = 0; l < nl; l++)
        n += network_link_at(net, l)->nv - 1;
    sort_item *items = ems_malloc(ctx, (n ? n : 1) * sizeof *items);
    if (!items) {
        snap_index_destroy(ix);
        return EMS_ENOMEM;
    }
    size_t i = 0;
    for (uint32_t l = 0; l < nl; l++)
        for (uint32_t v = 0; v + 1 < network_link_at(net, l)->nv; v++, i++)
            items[i] = (sort_item){0, l, v};
    ems_status st = ptree_build(ctx, net, &ix->seg, items, n, segment_box);
    free(items);
    if (st == EMS_OK)
        st = sgrid_build(ctx, ix);
    if (st != EMS_OK) {
        snap_index_destroy(ix);
        return st;
    }
    *out = ix;
    return EMS_OK;
}

ems_status snap_index_set_mode(emscov_ctx *ctx, snap_index *ix, snap_mode mode)
{
    if (mode != SNAP_EDGE && mode != SNAP_VERTEX)
        return emscov_fail(ctx, EMS_EINPUT, "snap mode %d is not edge or vertex", (int)mode);
    if (mode == SNAP_VERTEX && !ix->node_link) {
        const network *net = ix->net;
        uint32_t nn = network_node_count(net), nl = network_link_count(net);
        uint32_t *nlk = ems_malloc(ctx, (nn ? nn : 1) * sizeof *nlk);
        sort_item *items = ems_malloc(ctx, (nn ? nn : 1) * sizeof *items);
        if (!nlk || !items) {
            free(nlk);
            free(items);
            return EMS_ENOMEM;
        }
        memset(nlk, 0xff, (nn ? nn : 1) * sizeof *nlk);
        for (uint32_t l = nl; l-- > 0;) /* descending, so the lowest link is written last */
            nlk[network_link_at(net, l)->from] = nlk[network_link_at(net, l)->to] = l;
        size_t n = 0;
        for (uint32_t v = 0; v < nn; v++) {
            if (nlk[v] != NETWORK_NONE) /* a node without links is no snapping target */
                items[n++] = (sort_item){0, v, 0};
        }
        ems_status st = ptree_build(ctx, net, &ix->node, items, n, node_box);
        free(items);
        if (st != EMS_OK) {
            free(nlk);
            return st;
        }
        ix->node_link = nlk;
    }
    ix->mode = mode;
    return EMS_OK;
}

snap_mode snap_index_mode(const snap_index *ix)
{
    return ix->mode;
}

ems_status snap_mode_parse(emscov_ctx *ctx, const char *text, const char *what, snap_mode *out)
{
    if (text && !strcasecmp(text, "edge"))
        *out = SNAP_EDGE;
    else if (text && !strcasecmp(text, "vertex"))
        *out = SNAP_VERTEX;
    else
        return emscov_fail(ctx, EMS_EINPUT, "%s: \"%s\" is not edge or vertex", what, text ? text : "");
    return EMS_OK;
}

void snap_index_destroy(snap_index *ix)
{
    if (!ix)
        return;
    ptree_free(&ix->seg);
    ptree_free(&ix->node);
    free(ix->grid.start);
    free(ix->grid.pos);
    free(ix->node_link);
    free(ix);
}

static double box_dist2(const double *b, double x, double y)
{
    double dx = x < b[0] ? b[0] - x : x > b[2] ? x - b[2] : 0;
    double dy = y < b[1] ? b[1] - y : y > b[3] ? y - b[3] : 0;
    return dx * dx + dy * dy;
}

/* Squared distance from (px, py) to segment a-b and the parameter t in [0, 1] of the closest point. */
static double seg_dist2(double px, double py, double ax, double ay, double bx, double by, double *t)
{
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double u = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double qx = ax + u * dx - px, qy = ay + u * dy - py;
    *t = u;
    return qx * qx + qy * qy;
}

/* A tree node waiting in the search queue, by the squared distance from the query point to its box. */
typedef struct heap_entry {
    double d2;
    size_t pos; /* entry position */
} heap_entry;

typedef struct qheap {
    heap_entry *a;
    size_t n, cap;
    heap_entry local[256];
    bool failed;
} qheap;

/* Order: distance, then position, so the search visits nodes in the same order on every run. */
static bool before(const heap_entry *x, const heap_entry *y)
{
    return x->d2 != y->d2 ? x->d2 < y->d2 : x->pos < y->pos;
}

static void heap_push(qheap *h, heap_entry e)
{
    if (h->n == h->cap) {
        size_t ncap = h->cap * 2;
        heap_entry *na = malloc(ncap * sizeof *na);
        if (!na) {
            h->failed = true;
            return;
        }
        memcpy(na, h->a, h->n * sizeof *na);
        if (h->a != h->local)
            free(h->a);
        h->a = na;
        h->cap = ncap;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = e;
}

static heap_entry heap_pop(qheap *h)
{
    heap_entry top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(&h->a[c + 1], &h->a[c]))
            c++;
        if (!before(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n > 0)
        h->a[i] = last;
    return top;
}

/* The best item so far: nearest, ties to the lowest (a, b): link then segment, or node. */
typedef struct best_item {
    double d2, t;
    size_t pos;
    bool found;
} best_item;

static void consider(const ptree *tr, best_item *b, size_t c, double d2, double t)
{
    if (b->found) {
        if (d2 > b->d2)
            return;
        if (d2 == b->d2 && (tr->a[c] > tr->a[b->pos] || (tr->a[c] == tr->a[b->pos] && tr->b[c] >= tr->b[b->pos])))
            return;
    }
    *b = (best_item){d2, t, c, true};
}

static int level_of(const ptree *tr, size_t pos)
{
    int lv = 0;
    while (lv + 1 < tr->nlevels && pos >= tr->level_start[lv + 1])
        lv++;
    return lv;
}

/* Squared distance from (x, y) to item c (and, for a segment, the parameter of the closest point). */
static double item_dist2(const snap_index *ix, const ptree *tr, size_t c, double x, double y, double *t)
{
    if (tr == &ix->node) {
        double nx, ny;
        network_node_xy(ix->net, tr->a[c], &nx, &ny);
        *t = 0;
        return (nx - x) * (nx - x) + (ny - y) * (ny - y);
    }
    const double *sx = network_link_x(ix->net, tr->a[c]) + tr->b[c];
    const double *sy = network_link_y(ix->net, tr->a[c]) + tr->b[c];
    return seg_dist2(x, y, sx[0], sy[0], sx[1], sy[1], t);
}

/* The nearest item of tr to (x, y); false when the tree is empty or out of memory. */
static bool nearest(const snap_index *ix, const ptree *tr, double x, double y, best_item *best)
{
    *best = (best_item){INFINITY, 0, 0, false};
    if (tr->nitems == 0)
        return false;
    qheap h = {.n = 0, .cap = sizeof h.local / sizeof *h.local};
    h.a = h.local;
    size_t root = tr->level_start[tr->nlevels - 1];
    /* A first bound: walk down from the root into the nearest child box each time and measure the items of
     * the node reached. Best-first then queues only nodes that may hold something as near. */
    size_t pos = root;
    for (int lv = tr->nlevels - 1; lv >= 1; lv--) {
        size_t c0 = tr->level_start[lv - 1], c1 = tr->level_start[lv];
        size_t first = c0 + (pos - tr->level_start[lv]) * SNAP_NODE;
        size_t last = first + SNAP_NODE < c1 ? first + SNAP_NODE : c1;
        if (lv == 1) {
            for (size_t c = first; c < last; c++) {
                double t, d2 = item_dist2(ix, tr, c, x, y, &t);
                consider(tr, best, c, d2, t);
            }
            break;
        }
        double bd = INFINITY;
        for (size_t c = first; c < last; c++) {
            double d2 = box_dist2(tr->box + 4 * c, x, y);
            if (d2 < bd)
                bd = d2, pos = c;
        }
    }
    size_t seen_leaf = best->found ? pos : SIZE_MAX; /* its items are measured already */
    heap_push(&h, (heap_entry){box_dist2(tr->box + 4 * root, x, y), root}); /* nlevels >= 2 always */
    /* Best-first over nodes; items are measured when their node is opened and only the best is kept, and a
     * node farther than it is never queued. Nodes at exactly the best distance are still opened (a tie there
     * may hold a lower id). */
    while (h.n > 0 && !h.failed) {
        heap_entry e = heap_pop(&h);
        if (best->found && e.d2 > best->d2)
            break;
        if (e.pos == seen_leaf)
            continue;
        int lv = level_of(tr, e.pos);
        size_t c0 = tr->level_start[lv - 1], c1 = tr->level_start[lv];
        size_t first = c0 + (e.pos - tr->level_start[lv]) * SNAP_NODE;
        size_t last = first + SNAP_NODE < c1 ? first + SNAP_NODE : c1;
        for (size_t c = first; c < last; c++) {
            if (lv - 1 == 0) {
                double t, d2 = item_dist2(ix, tr, c, x, y, &t);
                consider(tr, best, c, d2, t);
            } else {
                double d2 = box_dist2(tr->box + 4 * c, x, y);
                if (!best->found || d2 <= best->d2)
                    heap_push(&h, (heap_entry){d2, c});
            }
        }
    }
    bool failed = h.failed;
    if (h.a != h.local)
        free(h.a);
    return best->found && !failed;
}

/* The nearest segment through the bucket grid; false when the point is left to the tree (outside the grid, or
 * nothing certain within SGRID_MAX_RINGS rings). */
static bool grid_nearest(const snap_index *ix, double x, double y, best_item *best)
{
    const sgrid *g = &ix->grid;
    const ptree *tr = &ix->seg;
    *best = (best_item){INFINITY, 0, 0, false};
    if (g->nx == 0 || !(x >= g->x0 && y >= g->y0))
        return false;
    double fx = (x - g->x0) / g->cs, fy = (y - g->y0) / g->cs;
    if (!(fx < (double)g->nx && fy < (double)g->ny))
        return false;
    int64_t qi = (int64_t)fx, qj = (int64_t)fy, nx = g->nx, ny = g->ny;
    /* the bound below is exact up to the rounding of bucket edges: keep a margin far below a bucket */
    double slack = 1e-6 + 1e-9 * (g->cs + fabs(x) + fabs(y));
    for (int64_t r = 0; r <= SGRID_MAX_RINGS; r++) {
        for (int64_t j = qj - r; j <= qj + r; j++) {
            if (j < 0 || j >= ny)
                continue;
            bool edge_row = j == qj - r || j == qj + r;
            for (int64_t i = qi - r; i <= qi + r; i += edge_row || i == qi + r ? 1 : 2 * r) {
                if (i < 0 || i >= nx)
                    continue;
                size_t k = (size_t)j * g->nx + (size_t)i;
                for (uint32_t e = g->start[k]; e < g->start[k + 1]; e++) {
                    size_t c = g->pos[e];
                    double t, d2 = item_dist2(ix, tr, c, x, y, &t);
                    consider(tr, best, c, d2, t);
                }
            }
        }
        /* everything not read lies beyond the block of rings 0..r: at least this far */
        double lo = INFINITY;
        if (qi - r > 0)
            lo = fmin(lo, x - (g->x0 + (double)(qi - r) * g->cs));
        if (qi + r + 1 < nx)
            lo = fmin(lo, g->x0 + (double)(qi + r + 1) * g->cs - x);
        if (qj - r > 0)
            lo = fmin(lo, y - (g->y0 + (double)(qj - r) * g->cs));
        if (qj + r + 1 < ny)
            lo = fmin(lo, g->y0 + (double)(qj + r + 1) * g->cs - y);
        lo -= slack;
        if (best->found && (lo == INFINITY || (lo > 0 && lo * lo > best->d2)))
            return true;
        if (lo == INFINITY) /* the whole grid read and nothing in it: cannot happen with segments */
            return false;
    }
    return false;
}

/* Set frac and node from along_m: within the end tolerance of an end, exactly that end. */
static void settle_ends(const network_link *k, snap_pos *p)
{
    double tol = snap_end_tolerance_m(k->length_m);
    p->node = NETWORK_NONE;
    if (p->along_m <= tol) {
        p->along_m = 0;
        p->node = k->from;
    } else if (k->length_m - p->along_m <= tol) {
        p->along_m = k->length_m;
        p->node = k->to;
    }
    p->frac = p->node == k->from ? 0 : p->node == k->to ? 1 : k->length_m > 0 ? p->along_m / k->length_m : 0;
}

snap_pos snap_at(const network *net, uint32_t link, double along_m)
{
    const network_link *k = network_link_at(net, link);
    const double *x = network_link_x(net, link), *y = network_link_y(net, link);
    snap_pos p = {.link = link, .dist_m = 0};
    along_m = along_m < 0 ? 0 : along_m > k->length_m ? k->length_m : along_m;
    double acc = 0;
    p.x = x[k->nv - 1], p.y = y[k->nv - 1];
    for (uint32_t v = 0; v + 1 < k->nv; v++) {
        double sl = hypot(x[v + 1] - x[v], y[v + 1] - y[v]);
        if (acc + sl >= along_m && sl > 0) {
            double t = (along_m - acc) / sl;
            p.x = x[v] + t * (x[v + 1] - x[v]);
            p.y = y[v] + t * (y[v + 1] - y[v]);
            break;
        }
        acc += sl;
    }
    p.along_m = along_m;
    settle_ends(k, &p);
    if (p.node != NETWORK_NONE)
        network_node_xy(net, p.node, &p.x, &p.y);
    return p;
}

bool snap_point(const snap_index *ix, double x, double y, double max_dist_m, snap_pos *out)
{
    *out = (snap_pos){.link = NETWORK_NONE, .dist_m = INFINITY, .node = NETWORK_NONE};
    if (!isfinite(x) || !isfinite(y))
        return false;
    best_item best;
    if (ix->mode == SNAP_VERTEX) {
        if (!nearest(ix, &ix->node, x, y, &best))
            return false;
        uint32_t node = ix->node.a[best.pos];
        out->dist_m = sqrt(best.d2);
        if (out->dist_m > max_dist_m)
            return false;
        uint32_t link = ix->node_link[node];
        const network_link *k = network_link_at(ix->net, link);
        out->link = link;
        out->node = node;
        out->along_m = k->from == node ? 0 : k->length_m;
        out->frac = k->from == node ? 0 : 1;
        network_node_xy(ix->net, node, &out->x, &out->y);
        return true;
    }
    if (!grid_nearest(ix, x, y, &best) && !nearest(ix, &ix->seg, x, y, &best))
        return false;
    uint32_t link = ix->seg.a[best.pos], seg = ix->seg.b[best.pos];
    const double *lx = network_link_x(ix->net, link), *ly = network_link_y(ix->net, link);
    double along = 0;
    for (uint32_t v = 0; v < seg; v++)
        along += hypot(lx[v + 1] - lx[v], ly[v + 1] - ly[v]);
    double sl = hypot(lx[seg + 1] - lx[seg], ly[seg + 1] - ly[seg]);
    along += best.t * sl;
    const network_link *k = network_link_at(ix->net, link);
    double dist = sqrt(best.d2);
    out->dist_m = dist;
    if (dist > max_dist_m)
        return false;
    out->link = link;
    out->along_m = along > k->length_m ? k->length_m : along;
    settle_ends(k, out);
    if (out->node != NETWORK_NONE) {
        network_node_xy(ix->net, out->node, &out->x, &out->y);
    } else {
        out->x = lx[seg] + best.t * (lx[seg + 1] - lx[seg]);
        out->y = ly[seg] + best.t * (ly[seg + 1] - ly[seg]);
    }
    return true;
}
