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

struct snap_index {
    const network *net;
    ptree seg, node;      /* node: built by snap_index_set_mode(SNAP_VERTEX) */
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
    if (!nearest(ix, &ix->seg, x, y, &best))
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
