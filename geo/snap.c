/* geo/snap.c: nearest position on the network through a packed Hilbert R-tree of link segments
 * (see snap.h). Layout: entries [0, n) are the segments sorted by the Hilbert value of their centres; above
 * them come the tree levels, each node covering SNAP_NODE consecutive entries of the level below. */
#include "geo/snap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SNAP_NODE 16

struct snap_index {
    const network *net;
    size_t nitems;
    uint32_t *link, *seg; /* per item (sorted order) */
    double *box;          /* 4 per entry: minx, miny, maxx, maxy */
    size_t level_start[32];
    int nlevels;          /* level 0 = items; the last level holds the root alone */
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
    uint32_t h, link, seg;
} sort_item;

static int cmp_item(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    if (x->link != y->link)
        return x->link < y->link ? -1 : 1;
    return x->seg < y->seg ? -1 : x->seg > y->seg;
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
    ix->nitems = n;
    /* level sizes */
    size_t total = n, cnt = n;
    ix->level_start[0] = 0;
    ix->nlevels = 1;
    do { /* at least one node level above the items, even for a single segment */
        cnt = (cnt + SNAP_NODE - 1) / SNAP_NODE;
        ix->level_start[ix->nlevels++] = total;
        total += cnt;
    } while (cnt > 1);
    ix->level_start[ix->nlevels] = total;
    sort_item *items = ems_malloc(ctx, (n ? n : 1) * sizeof *items);
    ix->link = ems_malloc(ctx, (n ? n : 1) * sizeof *ix->link);
    ix->seg = ems_malloc(ctx, (n ? n : 1) * sizeof *ix->seg);
    ix->box = ems_malloc(ctx, (total ? total : 1) * 4 * sizeof *ix->box);
    if (!items || !ix->link || !ix->seg || !ix->box) {
        free(items);
        snap_index_destroy(ix);
        return EMS_ENOMEM;
    }
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (uint32_t l = 0; l < nl; l++) {
        const network_link *k = network_link_at(net, l);
        const double *x = network_link_x(net, l), *y = network_link_y(net, l);
        for (uint32_t v = 0; v < k->nv; v++) {
            ext[0] = fmin(ext[0], x[v]), ext[1] = fmin(ext[1], y[v]);
            ext[2] = fmax(ext[2], x[v]), ext[3] = fmax(ext[3], y[v]);
        }
    }
    double w = ext[2] - ext[0], hgt = ext[3] - ext[1];
    size_t i = 0;
    for (uint32_t l = 0; l < nl; l++) {
        const network_link *k = network_link_at(net, l);
        const double *x = network_link_x(net, l), *y = network_link_y(net, l);
        for (uint32_t v = 0; v + 1 < k->nv; v++, i++) {
            double cx = (x[v] + x[v + 1]) / 2, cy = (y[v] + y[v + 1]) / 2;
            uint32_t hx = w > 0 ? (uint32_t)(65535.0 * (cx - ext[0]) / w) : 0;
            uint32_t hy = hgt > 0 ? (uint32_t)(65535.0 * (cy - ext[1]) / hgt) : 0;
            items[i] = (sort_item){hilbert(hx, hy), l, v};
        }
    }
    qsort(items, n, sizeof *items, cmp_item);
    for (i = 0; i < n; i++) {
        ix->link[i] = items[i].link;
        ix->seg[i] = items[i].seg;
        const double *x = network_link_x(net, items[i].link) + items[i].seg;
        const double *y = network_link_y(net, items[i].link) + items[i].seg;
        double *b = ix->box + 4 * i;
        b[0] = fmin(x[0], x[1]), b[1] = fmin(y[0], y[1]), b[2] = fmax(x[0], x[1]), b[3] = fmax(y[0], y[1]);
    }
    free(items);
    for (int lv = 1; lv < ix->nlevels; lv++) {
        size_t c0 = ix->level_start[lv - 1], c1 = ix->level_start[lv];
        for (size_t p = ix->level_start[lv]; p < ix->level_start[lv + 1]; p++) {
            size_t first = c0 + (p - ix->level_start[lv]) * SNAP_NODE;
            size_t last = first + SNAP_NODE < c1 ? first + SNAP_NODE : c1;
            double *b = ix->box + 4 * p;
            b[0] = b[1] = INFINITY;
            b[2] = b[3] = -INFINITY;
            for (size_t c = first; c < last; c++) {
                const double *cb = ix->box + 4 * c;
                b[0] = fmin(b[0], cb[0]), b[1] = fmin(b[1], cb[1]);
                b[2] = fmax(b[2], cb[2]), b[3] = fmax(b[3], cb[3]);
            }
        }
    }
    *out = ix;
    return EMS_OK;
}

void snap_index_destroy(snap_index *ix)
{
    if (!ix)
        return;
    free(ix->link);
    free(ix->seg);
    free(ix->box);
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

/* The best segment so far: nearest, ties to the lowest link, then the lowest segment. */
typedef struct best_item {
    double d2, t;
    size_t pos;
    bool found;
} best_item;

static void consider(const snap_index *ix, best_item *b, size_t c, double d2, double t)
{
    if (b->found) {
        if (d2 > b->d2)
            return;
        if (d2 == b->d2 && (ix->link[c] > ix->link[b->pos] ||
                            (ix->link[c] == ix->link[b->pos] && ix->seg[c] >= ix->seg[b->pos])))
            return;
    }
    *b = (best_item){d2, t, c, true};
}

static int level_of(const snap_index *ix, size_t pos)
{
    int lv = 0;
    while (lv + 1 < ix->nlevels && pos >= ix->level_start[lv + 1])
        lv++;
    return lv;
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
    p.frac = k->length_m > 0 ? along_m / k->length_m : 0;
    return p;
}

bool snap_point(const snap_index *ix, double x, double y, double max_dist_m, snap_pos *out)
{
    *out = (snap_pos){.link = NETWORK_NONE, .dist_m = INFINITY};
    if (ix->nitems == 0 || !isfinite(x) || !isfinite(y))
        return false;
    qheap h = {.n = 0, .cap = sizeof h.local / sizeof *h.local};
    h.a = h.local;
    size_t root = ix->level_start[ix->nlevels - 1];
    best_item best = {INFINITY, 0, 0, false};
    /* A first bound: walk down from the root into the nearest child box each time and measure the segments of
     * the node reached. Best-first then queues only nodes that may hold something as near. */
    size_t pos = root;
    for (int lv = ix->nlevels - 1; lv >= 1; lv--) {
        size_t c0 = ix->level_start[lv - 1], c1 = ix->level_start[lv];
        size_t first = c0 + (pos - ix->level_start[lv]) * SNAP_NODE;
        size_t last = first + SNAP_NODE < c1 ? first + SNAP_NODE : c1;
        if (lv == 1) {
            for (size_t c = first; c < last; c++) {
                const double *sx = network_link_x(ix->net, ix->link[c]) + ix->seg[c];
                const double *sy = network_link_y(ix->net, ix->link[c]) + ix->seg[c];
                double t, d2 = seg_dist2(x, y, sx[0], sy[0], sx[1], sy[1], &t);
                consider(ix, &best, c, d2, t);
            }
            break;
        }
        double bd = INFINITY;
        for (size_t c = first; c < last; c++) {
            double d2 = box_dist2(ix->box + 4 * c, x, y);
            if (d2 < bd)
                bd = d2, pos = c;
        }
    }
    size_t seen_leaf = best.found ? pos : SIZE_MAX; /* its segments are measured already */
    heap_push(&h, (heap_entry){box_dist2(ix->box + 4 * root, x, y), root}); /* nlevels >= 2 always */
    /* Best-first over nodes; segments are measured when their node is opened and only the best is kept, and a
     * node farther than it is never queued. Nodes at exactly the best distance are still opened (a tie there
     * may hold a lower link id). */
    while (h.n > 0 && !h.failed) {
        heap_entry e = heap_pop(&h);
        if (best.found && e.d2 > best.d2)
            break;
        if (e.pos == seen_leaf)
            continue;
        int lv = level_of(ix, e.pos);
        size_t c0 = ix->level_start[lv - 1], c1 = ix->level_start[lv];
        size_t first = c0 + (e.pos - ix->level_start[lv]) * SNAP_NODE;
        size_t last = first + SNAP_NODE < c1 ? first + SNAP_NODE : c1;
        for (size_t c = first; c < last; c++) {
            if (lv - 1 == 0) {
                const double *sx = network_link_x(ix->net, ix->link[c]) + ix->seg[c];
                const double *sy = network_link_y(ix->net, ix->link[c]) + ix->seg[c];
                double t;
                double d2 = seg_dist2(x, y, sx[0], sy[0], sx[1], sy[1], &t);
                consider(ix, &best, c, d2, t);
            } else {
                double d2 = box_dist2(ix->box + 4 * c, x, y);
                if (!best.found || d2 <= best.d2)
                    heap_push(&h, (heap_entry){d2, c});
            }
        }
    }
    bool failed = h.failed;
    if (h.a != h.local)
        free(h.a);
    if (!best.found || failed)
        return false;
    uint32_t link = ix->link[best.pos], seg = ix->seg[best.pos];
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
    out->frac = k->length_m > 0 ? out->along_m / k->length_m : 0;
    out->x = lx[seg] + best.t * (lx[seg + 1] - lx[seg]);
    out->y = ly[seg] + best.t * (ly[seg + 1] - ly[seg]);
    return true;
}
