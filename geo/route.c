/* geo/route.c: multi-source, k-label (k <= 2) Dijkstra with a cutoff (see route.h).
 *
 * The search runs on the network's search graph (network.h: the nodes plus the copies that the access and
 * turn rules need; the graph itself when there are none). Each search node holds up to k labels (time,
 * source), ordered by (time, source index), with distinct sources. The first nset[v] of them are settled
 * (final); the rest are tentative. A heap entry (t, v, s) is current when it equals v's first unsettled label;
 * anything else is stale and skipped. A label from source s can only help a neighbour if it is among the k best
 * at its own node, so each node is expanded at most k times.
 *
 * A node's time is the best over it and its copies (a route may end in any state). A position inside a link is
 * reached from those search nodes at its ends that may take the link in that direction: the node itself
 * always may; a copy may not when a turn restriction forbids the turn onto the link, or when the route came
 * through a restricted area and the link is public. A source inside a link starts at the search node the
 * link leads to (network_search_enter); a source at a node starts at the node. */
#include "geo/route.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct hentry {
    double t;
    uint32_t node, src;
} hentry;

typedef struct link_src {
    uint32_t link, src;
} link_src;

struct route_result {
    const network *net;
    int k;
    double cutoff;
    double *t;      /* k per search node */
    uint32_t *s;    /* k per search node */
    double *node_t; /* k per node: the best over the node and its copies (= t when there are no copies) */
    uint32_t *node_s;
    uint8_t *nset;  /* settled labels per search node */
    size_t settled;
    /* sources sorted by link, for positions on a source's own link */
    link_src *by_link; /* (link, source index) sorted */
    route_source *src;
    size_t nsrc;
    hentry *heap;
    size_t hn, hcap;
};

static bool less(double ta, uint32_t sa, double tb, uint32_t sb)
{
    return ta < tb || (ta == tb && sa < sb);
}

static bool heap_push(emscov_ctx *ctx, route_result *r, hentry e)
{
    if (r->hn == r->hcap && !ems_grow(ctx, (void **)&r->heap, &r->hcap, r->hn + 1, sizeof *r->heap))
        return false;
    size_t i = r->hn++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!less(e.t, e.src, r->heap[p].t, r->heap[p].src))
            break;
        r->heap[i] = r->heap[p];
        i = p;
    }
    r->heap[i] = e;
    return true;
}

static hentry heap_pop(route_result *r)
{
    hentry top = r->heap[0], last = r->heap[--r->hn];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= r->hn)
            break;
        if (c + 1 < r->hn && less(r->heap[c + 1].t, r->heap[c + 1].src, r->heap[c].t, r->heap[c].src))
            c++;
        if (!less(r->heap[c].t, r->heap[c].src, last.t, last.src))
            break;
        r->heap[i] = r->heap[c];
        i = c;
    }
    if (r->hn > 0)
        r->heap[i] = last;
    return top;
}

/* Offer label (t, s) to node v. Returns false only on ENOMEM. */
static bool relax(emscov_ctx *ctx, route_result *r, uint32_t v, double t, uint32_t s)
{
    if (t > r->cutoff)
        return true;
    int k = r->k, n0 = r->nset[v];
    double *tv = r->t + (size_t)v * k;
    uint32_t *sv = r->s + (size_t)v * k;
    for (int i = 0; i < n0; i++)
        if (sv[i] == s)
            return true; /* this source is already final here */
    int at = -1;
    for (int i = n0; i < k; i++)
        if (sv[i] == s) {
            at = i;
            break;
        }
    if (at >= 0) {
        if (!less(t, s, tv[at], sv[at]))
            return true;
    } else {
        at = k - 1;
        if (!less(t, s, tv[at], sv[at]))
            return true;
    }
    /* place (t, s) at slot `at`, then move it up to keep the order */
    tv[at] = t;
    sv[at] = s;
    while (at > n0 && less(tv[at], sv[at], tv[at - 1], sv[at - 1])) {
        double tt = tv[at];
        uint32_t ss = sv[at];
        tv[at] = tv[at - 1], sv[at] = sv[at - 1];
        tv[at - 1] = tt, sv[at - 1] = ss;
        at--;
    }
    return heap_push(ctx, r, (hentry){t, v, s});
}

/* Time to go along a link from fraction a to fraction b (either way), INFINITY when one-way forbids it. A move
 * shorter than the snapping end tolerance (geo/snap.h) is no move: a position that close to a link end is the
 * end node, which may be left by any arc, even against the link's one-way direction. */
static double along(const network_link *k, double a, double b)
{
    if (b == a || fabs(b - a) * k->length_m <= snap_end_tolerance_m(k->length_m))
        return 0;
    if (b > a)
        return isfinite(k->time_fwd_s) ? (b - a) * k->time_fwd_s : INFINITY;
    return isfinite(k->time_bwd_s) ? (a - b) * k->time_bwd_s : INFINITY;
}

/* The search node where a source at fraction f of link lk starts toward one end: the node itself when it is
 * at that end, else where driving the rest of the link leads. */
static uint32_t start_node(const network *net, uint32_t link, const network_link *lk, double f, bool to_end)
{
    if (along(lk, f, to_end ? 1 : 0) == 0)
        return to_end ? lk->to : lk->from;
    return network_search_enter(net, link, !to_end);
}

/* Offer the k labels of search node v, plus `add`, to the best list (bt, bs). */
static void offer_labels(double *bt, uint32_t *bs, int k, const double *t, const uint32_t *s, size_t v, double add);

/* The best over node v and its copies into (nt, ns), k labels. */
static void fold_node(const network *net, const double *t, const uint32_t *s, int k, uint32_t v, double *nt,
                      uint32_t *ns)
{
    for (int i = 0; i < k; i++) {
        nt[i] = INFINITY;
        ns[i] = ROUTE_NONE;
    }
    offer_labels(nt, ns, k, t, s, v, 0);
    uint32_t nc;
    const uint32_t *c = network_node_copies(net, v, &nc);
    for (uint32_t j = 0; j < nc; j++)
        offer_labels(nt, ns, k, t, s, c[j], 0);
}

static int cmp_link_src(const void *a, const void *b)
{
    const link_src *x = a, *y = b;
    if (x->link != y->link)
        return x->link < y->link ? -1 : 1;
    return x->src < y->src ? -1 : x->src > y->src;
}

ems_status route_multi_source(emscov_ctx *ctx, const network *net, const route_source *src, size_t nsrc,
                              const route_opts *opts, route_result **out)
{
    *out = NULL;
    int k = opts && opts->labels == 2 ? 2 : 1;
    double cutoff = opts && opts->cutoff_s > 0 ? opts->cutoff_s : INFINITY;
    if (nsrc >= ROUTE_NONE)
        return emscov_fail(ctx, EMS_EINPUT, "too many sources (%zu)", nsrc);
    for (size_t i = 0; i < nsrc; i++)
        if (src[i].pos.link >= network_link_count(net) || !(src[i].delay_s >= 0) || !isfinite(src[i].delay_s))
            return emscov_fail(ctx, EMS_EINPUT, "source %zu: %s", i + 1,
                               src[i].pos.link >= network_link_count(net) ? "not on the network"
                                                                          : "delay must be a finite number >= 0");
    route_result *r = ems_calloc(ctx, 1, sizeof *r);
    if (!r)
        return EMS_ENOMEM;
    size_t nn = network_search_count(net), nodes = network_node_count(net);
    r->net = net;
    r->k = k;
    r->cutoff = cutoff;
    r->nsrc = nsrc;
    r->t = ems_malloc(ctx, (nn ? nn : 1) * k * sizeof *r->t);
    r->s = ems_malloc(ctx, (nn ? nn : 1) * k * sizeof *r->s);
    r->nset = ems_calloc(ctx, nn ? nn : 1, sizeof *r->nset);
    r->src = ems_malloc(ctx, (nsrc ? nsrc : 1) * sizeof *r->src);
    r->by_link = ems_malloc(ctx, (nsrc ? nsrc : 1) * sizeof *r->by_link);
    if (!r->t || !r->s || !r->nset || !r->src || !r->by_link) {
        route_result_destroy(r);
        return EMS_ENOMEM;
    }
    for (size_t i = 0; i < nn * (size_t)k; i++) {
        r->t[i] = INFINITY;
        r->s[i] = ROUTE_NONE;
    }
    if (nsrc)
        memcpy(r->src, src, nsrc * sizeof *src);
    for (size_t i = 0; i < nsrc; i++)
        r->by_link[i] = (link_src){src[i].pos.link, (uint32_t)i};
    qsort(r->by_link, nsrc, sizeof *r->by_link, cmp_link_src);

    for (size_t i = 0; i < nsrc; i++) {
        uint32_t l = src[i].pos.link;
        const network_link *lk = network_link_at(net, l);
        double f = src[i].pos.frac, d = src[i].delay_s;
        double ta = d + along(lk, f, 0), tb = d + along(lk, f, 1);
        if ((isfinite(ta) && !relax(ctx, r, start_node(net, l, lk, f, false), ta, (uint32_t)i)) ||
            (isfinite(tb) && !relax(ctx, r, start_node(net, l, lk, f, true), tb, (uint32_t)i))) {
            route_result_destroy(r);
            return EMS_ENOMEM;
        }
    }
    while (r->hn > 0) {
        hentry e = heap_pop(r);
        int n0 = r->nset[e.node];
        if (n0 >= k)
            continue;
        size_t slot = (size_t)e.node * k + n0;
        if (r->s[slot] != e.src || r->t[slot] != e.t)
            continue; /* stale */
        r->nset[e.node]++;
        r->settled++;
        uint32_t cnt;
        const network_arc *a = network_search_arcs(net, e.node, &cnt);
        for (uint32_t j = 0; j < cnt; j++)
            if (!relax(ctx, r, a[j].to, e.t + a[j].time_s, e.src)) {
                route_result_destroy(r);
                return EMS_ENOMEM;
            }
    }
    /* tentative labels left over cannot exist (every pushed label is popped), but be explicit: */
    for (size_t v = 0; v < nn; v++)
        for (int i = r->nset[v]; i < k; i++) {
            r->t[v * k + i] = INFINITY;
            r->s[v * k + i] = ROUTE_NONE;
        }
    free(r->heap);
    r->heap = NULL;
    r->hn = r->hcap = 0;
    r->node_t = r->t;
    r->node_s = r->s;
    if (nn > nodes) { /* copies: fold them into their node */
        r->node_t = ems_malloc(ctx, (nodes ? nodes : 1) * k * sizeof *r->node_t);
        r->node_s = ems_malloc(ctx, (nodes ? nodes : 1) * k * sizeof *r->node_s);
        if (!r->node_t || !r->node_s) {
            route_result_destroy(r);
            return EMS_ENOMEM;
        }
        for (uint32_t v = 0; v < nodes; v++)
            fold_node(net, r->t, r->s, k, v, r->node_t + (size_t)v * k, r->node_s + (size_t)v * k);
    }
    *out = r;
    return EMS_OK;
}

void route_result_destroy(route_result *r)
{
    if (!r)
        return;
    if (r->node_t != r->t)
        free(r->node_t);
    if (r->node_s != r->s)
        free(r->node_s);
    free(r->t);
    free(r->s);
    free(r->nset);
    free(r->src);
    free(r->by_link);
    free(r->heap);
    free(r);
}

double route_node_time(const route_result *r, uint32_t node, int rank, uint32_t *source)
{
    if (rank < 0 || rank >= r->k) {
        if (source)
            *source = ROUTE_NONE;
        return INFINITY;
    }
    size_t slot = (size_t)node * r->k + rank;
    if (source)
        *source = r->node_s[slot];
    return r->node_t[slot];
}

/* Keep the best k (time, source) candidates with distinct sources, ordered. */
static void offer(double *bt, uint32_t *bs, int k, double t, uint32_t s)
{
    if (!isfinite(t) || s == ROUTE_NONE)
        return;
    for (int i = 0; i < k; i++)
        if (bs[i] == s) {
            if (!less(t, s, bt[i], bs[i]))
                return;
            /* remove it, then insert below */
            for (int j = i; j + 1 < k; j++)
                bt[j] = bt[j + 1], bs[j] = bs[j + 1];
            bt[k - 1] = INFINITY, bs[k - 1] = ROUTE_NONE;
            break;
        }
    for (int i = 0; i < k; i++)
        if (less(t, s, bt[i], bs[i])) {
            for (int j = k - 1; j > i; j--)
                bt[j] = bt[j - 1], bs[j] = bs[j - 1];
            bt[i] = t, bs[i] = s;
            return;
        }
}

static void offer_labels(double *bt, uint32_t *bs, int k, const double *t, const uint32_t *s, size_t v, double add)
{
    for (int i = 0; i < k; i++)
        offer(bt, bs, k, t[v * k + i] + add, s[v * k + i]);
}

/* Labels reaching a position from link end `node` (the tail of (link, reverse)) with `via` seconds along the
 * link: at the node itself (via 0) every state of the node; inside the link the node and those copies that
 * may take the link (the node itself always may). With entry_only, only those that may take it, via 0 too. */
static void offer_end(const network *net, const double *t, const uint32_t *s, const double *node_t,
                      const uint32_t *node_s, int k, uint32_t node, uint32_t link, bool reverse, double via,
                      bool entry_only, double *bt, uint32_t *bs)
{
    if (!isfinite(via))
        return;
    uint32_t nc;
    const uint32_t *c = network_node_copies(net, node, &nc);
    if (nc == 0 || (via == 0 && !entry_only)) {
        offer_labels(bt, bs, k, node_t, node_s, node, via);
        return;
    }
    offer_labels(bt, bs, k, t, s, node, via);
    for (uint32_t j = 0; j < nc; j++)
        if (network_search_can_take(net, c[j], link, reverse))
            offer_labels(bt, bs, k, t, s, c[j], via);
}

static size_t first_on_link(const route_result *r, uint32_t link)
{
    size_t lo = 0, hi = r->nsrc;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->by_link[mid].link < link)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t route_source_count(const route_result *r)
{
    return r->nsrc;
}

const route_source *route_source_at(const route_result *r, uint32_t i)
{
    return &r->src[i];
}

double route_cutoff(const route_result *r)
{
    return r->cutoff;
}

size_t route_link_sources(const route_result *r, uint32_t link, uint32_t *idx, size_t cap)
{
    size_t n = 0;
    for (size_t i = first_on_link(r, link); i < r->nsrc && r->by_link[i].link == link; i++, n++)
        if (n < cap)
            idx[n] = r->by_link[i].src;
    return n;
}

double route_pos_time(const route_result *r, const snap_pos *p, int rank, uint32_t *source)
{
    double bt[2] = {INFINITY, INFINITY};
    uint32_t bs[2] = {ROUTE_NONE, ROUTE_NONE};
    int k = r->k;
    if (source)
        *source = ROUTE_NONE;
    if (rank < 0 || rank >= k || p->link == NETWORK_NONE || p->link >= network_link_count(r->net))
        return INFINITY;
    const network_link *lk = network_link_at(r->net, p->link);
    double f = p->frac;
    offer_end(r->net, r->t, r->s, r->node_t, r->node_s, k, lk->from, p->link, false, along(lk, 0, f), false, bt, bs);
    offer_end(r->net, r->t, r->s, r->node_t, r->node_s, k, lk->to, p->link, true, along(lk, 1, f), false, bt, bs);
    /* sources on this very link reach it directly */
    for (size_t i = first_on_link(r, p->link); i < r->nsrc && r->by_link[i].link == p->link; i++) {
        const route_source *s = &r->src[r->by_link[i].src];
        double t = s->delay_s + along(lk, s->pos.frac, f);
        if (t <= r->cutoff)
            offer(bt, bs, k, t, r->by_link[i].src);
    }
    if (bt[rank] > r->cutoff)
        return INFINITY;
    if (source)
        *source = bs[rank];
    return bt[rank];
}

size_t route_settled(const route_result *r)
{
    return r->settled;
}

double route_link_entry_time(const route_result *r, uint32_t link, bool reverse, int rank, uint32_t *source)
{
    double bt[2] = {INFINITY, INFINITY};
    uint32_t bs[2] = {ROUTE_NONE, ROUTE_NONE};
    if (source)
        *source = ROUTE_NONE;
    if (rank < 0 || rank >= r->k || link >= network_link_count(r->net))
        return INFINITY;
    const network_link *lk = network_link_at(r->net, link);
    offer_end(r->net, r->t, r->s, r->node_t, r->node_s, r->k, reverse ? lk->to : lk->from, link, reverse, 0, true,
              bt, bs);
    if (source)
        *source = bs[rank];
    return bt[rank];
}

/* ---- reusable single-source workspace (see route.h) ---- */

struct route_workspace {
    const network *net;
    size_t nn;
    double *t;        /* per node; INFINITY when untouched */
    uint32_t *hpos;   /* per node: heap position, ROUTE_NONE when not in the heap */
    uint32_t *heap;   /* indexed binary heap of nodes by t */
    size_t hn;
    uint32_t *touched; /* nodes with a finite t, to reset */
    size_t ntouched;
    uint32_t *order;   /* settled nodes in order */
    size_t nsettled;
    route_source src;
    double cutoff;
};

ems_status route_workspace_create(emscov_ctx *ctx, const network *net, route_workspace **out)
{
    *out = NULL;
    route_workspace *ws = ems_calloc(ctx, 1, sizeof *ws);
    if (!ws)
        return EMS_ENOMEM;
    size_t nn = network_search_count(net), m = nn ? nn : 1;
    ws->net = net;
    ws->nn = nn;
    ws->t = ems_malloc(ctx, m * sizeof *ws->t);
    ws->hpos = ems_malloc(ctx, m * sizeof *ws->hpos);
    ws->heap = ems_malloc(ctx, m * sizeof *ws->heap);
    ws->touched = ems_malloc(ctx, m * sizeof *ws->touched);
    ws->order = ems_malloc(ctx, m * sizeof *ws->order);
    if (!ws->t || !ws->hpos || !ws->heap || !ws->touched || !ws->order) {
        route_workspace_destroy(ws);
        return EMS_ENOMEM;
    }
    for (size_t v = 0; v < nn; v++) {
        ws->t[v] = INFINITY;
        ws->hpos[v] = ROUTE_NONE;
    }
    ws->src.pos.link = NETWORK_NONE;
    ws->cutoff = INFINITY;
    *out = ws;
    return EMS_OK;
}

void route_workspace_destroy(route_workspace *ws)
{
    if (!ws)
        return;
    free(ws->t);
    free(ws->hpos);
    free(ws->heap);
    free(ws->touched);
    free(ws->order);
    free(ws);
}

static void ws_sift_up(route_workspace *ws, size_t i)
{
    uint32_t v = ws->heap[i];
    double tv = ws->t[v];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!(tv < ws->t[ws->heap[p]]))
            break;
        ws->heap[i] = ws->heap[p];
        ws->hpos[ws->heap[i]] = (uint32_t)i;
        i = p;
    }
    ws->heap[i] = v;
    ws->hpos[v] = (uint32_t)i;
}

static uint32_t ws_pop(route_workspace *ws)
{
    uint32_t top = ws->heap[0], last = ws->heap[--ws->hn];
    ws->hpos[top] = ROUTE_NONE;
    if (ws->hn == 0)
        return top;
    double tl = ws->t[last];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= ws->hn)
            break;
        if (c + 1 < ws->hn && ws->t[ws->heap[c + 1]] < ws->t[ws->heap[c]])
            c++;
        if (!(ws->t[ws->heap[c]] < tl))
            break;
        ws->heap[i] = ws->heap[c];
        ws->hpos[ws->heap[i]] = (uint32_t)i;
        i = c;
    }
    ws->heap[i] = last;
    ws->hpos[last] = (uint32_t)i;
    return top;
}

/* Offer time t to node v (as relax() with one label: kept when <= cutoff and better). */
static void ws_relax(route_workspace *ws, uint32_t v, double t)
{
    if (t > ws->cutoff || !(t < ws->t[v]))
        return;
    if (isinf(ws->t[v]))
        ws->touched[ws->ntouched++] = v;
    ws->t[v] = t;
    if (ws->hpos[v] == ROUTE_NONE) {
        ws->heap[ws->hn] = v;
        ws->hpos[v] = (uint32_t)ws->hn;
        ws->hn++;
    }
    ws_sift_up(ws, ws->hpos[v]);
}

size_t route_bounded_single(route_workspace *ws, const route_source *src, double cutoff_s)
{
    for (size_t i = 0; i < ws->ntouched; i++)
        ws->t[ws->touched[i]] = INFINITY;
    ws->ntouched = ws->nsettled = 0;
    ws->src = *src;
    ws->cutoff = cutoff_s > 0 ? cutoff_s : INFINITY;
    const network *net = ws->net;
    if (src->pos.link >= network_link_count(net) || !(src->delay_s >= 0)) {
        ws->src.pos.link = NETWORK_NONE;
        return 0;
    }
    uint32_t l = src->pos.link;
    const network_link *lk = network_link_at(net, l);
    double f = src->pos.frac, d = src->delay_s;
    double ta = d + along(lk, f, 0), tb = d + along(lk, f, 1);
    if (isfinite(ta))
        ws_relax(ws, start_node(net, l, lk, f, false), ta);
    if (isfinite(tb))
        ws_relax(ws, start_node(net, l, lk, f, true), tb);
    while (ws->hn > 0) {
        uint32_t v = ws_pop(ws);
        ws->order[ws->nsettled++] = network_search_node(net, v);
        double tv = ws->t[v];
        uint32_t cnt;
        const network_arc *a = network_search_arcs(net, v, &cnt);
        for (uint32_t j = 0; j < cnt; j++)
            if (ws->hpos[a[j].to] != ROUTE_NONE || isinf(ws->t[a[j].to]))
                ws_relax(ws, a[j].to, tv + a[j].time_s);
    }
    return ws->nsettled;
}

const uint32_t *route_ws_reached(const route_workspace *ws)
{
    return ws->order;
}

double route_ws_node_time(const route_workspace *ws, uint32_t node)
{
    if (node >= network_node_count(ws->net))
        return INFINITY;
    double t = ws->t[node];
    uint32_t nc;
    const uint32_t *c = network_node_copies(ws->net, node, &nc);
    for (uint32_t j = 0; j < nc; j++)
        t = fmin(t, ws->t[c[j]]);
    return t;
}

double route_ws_link_entry_time(const route_workspace *ws, uint32_t link, bool reverse)
{
    const network *net = ws->net;
    if (link >= network_link_count(net) || ws->src.pos.link == NETWORK_NONE)
        return INFINITY;
    const network_link *lk = network_link_at(net, link);
    uint32_t node = reverse ? lk->to : lk->from, nc;
    const uint32_t *c = network_node_copies(net, node, &nc);
    double t = ws->t[node];
    for (uint32_t j = 0; j < nc; j++)
        if (ws->t[c[j]] < t && network_search_can_take(net, c[j], link, reverse))
            t = ws->t[c[j]];
    return t;
}

/* As offer_end, one label: the time from the tail end of (link, reverse) with `via` seconds along the link. */
static double ws_end_time(const route_workspace *ws, uint32_t node, uint32_t link, bool reverse, double via)
{
    if (!isfinite(via))
        return INFINITY;
    if (via == 0)
        return route_ws_node_time(ws, node);
    return route_ws_link_entry_time(ws, link, reverse) + via;
}

double route_ws_pos_time(const route_workspace *ws, const snap_pos *p)
{
    const network *net = ws->net;
    if (p->link == NETWORK_NONE || p->link >= network_link_count(net) || ws->src.pos.link == NETWORK_NONE)
        return INFINITY;
    const network_link *lk = network_link_at(net, p->link);
    double f = p->frac;
    double best = fmin(ws_end_time(ws, lk->from, p->link, false, along(lk, 0, f)),
                       ws_end_time(ws, lk->to, p->link, true, along(lk, 1, f)));
    if (p->link == ws->src.pos.link) {
        double t = ws->src.delay_s + along(lk, ws->src.pos.frac, f);
        if (t <= ws->cutoff && t < best)
            best = t;
    }
    return best > ws->cutoff ? INFINITY : best;
}
