/* geo/network_rules.c: the network rules that need the whole graph: which links are restricted (access =
 * ends), turn restrictions resolved onto arcs, and the search graph that routing runs on (see network.h).
 *
 * Why node splitting (a graph transformation) rather than a label or state inside the search: every consumer
 * of the graph -- the all-station Dijkstra with two labels, the bounded single-source searches of the site
 * planner, positions along links, service areas -- stays a plain node-based search over arcs, with no
 * per-label state to carry and no cost where no rule applies; the transformation is built once per network.
 * An edge-based search (a label per arc) would cost every search ~2.5x the labels on the whole graph to serve
 * rules that touch a few per cent of it.
 *
 * Both rules are "which arc may follow the arcs driven so far", i.e. a finite automaton over arcs, and the
 * search graph is the product of the graph with it, built only over the states that a route can reach:
 *
 *  - access = ends: a route's links must read R* P* R* (R restricted, P public): restricted links at its start
 *    (leaving a station's yard), public ones, restricted links at its end (into a gated compound), never
 *    public -> restricted -> public. Three phases: S (start: only R so far), M (main: a P link driven), E (end:
 *    R after M). S -R-> S, S -P-> M, M -P-> M, M -R-> E, E -R-> E, E -P-> forbidden. At a node with no
 *    restricted out-arc S and M behave the same (both can only take P into M), so S is folded into M there:
 *    only nodes with a restricted out-arc get more than one phase. Where does a route start: inside a
 *    restricted link, in S; inside a public link, in M; at a node, in S only when every link at the node is
 *    restricted (inside the area), else in M -- a station at a public junction that is also a compound's gate
 *    is outside the compound, and may not cut through it (as OSRM, which starts a route in the restricted
 *    state only when its snapped position is on a restricted road).
 *  - turn restrictions: each becomes forbidden arc sequences (no_*: from-arc, via arcs, to-arc; only_*: every
 *    other arc at the end of the via part). An Aho-Corasick automaton over those sequences tracks the longest
 *    suffix of the route that is a proper prefix of one; an arc completing a sequence is not a search arc.
 *    For via-node restrictions the state is "arrived by arc a" (one copy of the via node per restricted
 *    from-arc); via ways add copies along the via chain.
 *
 * Search node v (< node count) is node v in the start state (its start phase; no prefix matched): a route
 * that starts at v; every arc out of v may be taken from it. Every other reachable state gets a copy (ids from
 * node count up, in the order found), including where a route starting inside each restricted arc arrives
 * (network_search_enter). A route may end in any state, so a node's time is the minimum over it and its
 * copies (route.c); a position inside a link is reached from the copies of its end node that may take it. */
#include "geo/network_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
enum { PHASE_S = 0, PHASE_M = 1, PHASE_E = 2 };

void network__rules_free(network *n)
{
    free(n->link_restricted);
    if (n->search_own) {
        free(n->s_off);
        free(n->s_arcs);
    }
    free(n->s_node);
    free(n->copy_off);
    free(n->copy_list);
    free(n->s_enter);
    n->link_restricted = NULL;
    n->s_off = NULL;
    n->s_arcs = NULL;
    n->s_node = n->copy_off = n->copy_list = n->s_enter = NULL;
    n->search_own = false;
}

void network__search_times(network *n)
{
    if (!n->search_own)
        return; /* the arcs themselves (set by the caller) */
    size_t na = n->s_off[n->nsearch];
    for (size_t a = 0; a < na; a++) {
        const network_link *k = &n->links[n->s_arcs[a].link];
        n->s_arcs[a].time_s = n->s_arcs[a].reverse ? k->time_bwd_s : k->time_fwd_s;
    }
}

/* ---- lookups: records -> links, OSM ids -> nodes, (link, direction) -> arc --------------------------------- */

typedef struct pair64 {
    int64_t key;
    uint32_t val;
} pair64;

static int cmp_pair64(const void *a, const void *b)
{
    const pair64 *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->val < y->val ? -1 : x->val > y->val;
}

/* First index of key in the sorted p[0 .. n), n when absent. */
static size_t pair_find(const pair64 *p, size_t n, int64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && p[lo].key == key ? lo : n;
}

typedef struct rules_ctx {
    emscov_ctx *ctx;
    network *n;
    uint32_t *arc_of;   /* 2 per link: arc index forward / backward, NONE when closed */
    uint32_t *arc_tail; /* per arc: its tail node */
    pair64 *rec;        /* (record, link), merged duplicates' records too */
    size_t nrec;
    pair64 *osm;        /* (OSM id, node) */
    size_t nosm;
    /* forbidden sequences: arcs seq[off[i] .. off[i + 1]) */
    uint32_t *seq;
    size_t nseq_arcs, seq_cap;
    size_t *seq_off;
    size_t nseq, off_cap;
    /* scratch for via-way paths */
    uint32_t *mark, *parent_arc, *queue;
    uint32_t stamp;
} rules_ctx;

static ems_status add_seq(rules_ctx *rc, const uint32_t *arcs, size_t len)
{
    if (!ems_grow(rc->ctx, (void **)&rc->seq, &rc->seq_cap, rc->nseq_arcs + len, sizeof *rc->seq) ||
        !ems_grow(rc->ctx, (void **)&rc->seq_off, &rc->off_cap, rc->nseq + 2, sizeof *rc->seq_off))
        return EMS_ENOMEM;
    if (rc->nseq == 0)
        rc->seq_off[0] = 0;
    memcpy(rc->seq + rc->nseq_arcs, arcs, len * sizeof *arcs);
    rc->nseq_arcs += len;
    rc->seq_off[++rc->nseq] = rc->nseq_arcs;
    return EMS_OK;
}

/* Links of a record: [*first, *first + count) in rc->rec. */
static size_t links_of(const rules_ctx *rc, int64_t record, size_t *first)
{
    size_t i = pair_find(rc->rec, rc->nrec, record), k = i;
    while (k < rc->nrec && rc->rec[k].key == record)
        k++;
    *first = i;
    return k - i;
}

static bool in_list(const uint32_t *list, size_t n, uint32_t x)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == x)
            return true;
    return false;
}

/* Arcs of a record's links that end at node v (into v) or start there (out of v), appended to out (cap). */
static size_t record_arcs(const rules_ctx *rc, int64_t record, uint32_t v, bool into, uint32_t *out, size_t n,
                          size_t cap)
{
    size_t first, cnt = links_of(rc, record, &first);
    for (size_t i = 0; i < cnt && n < cap; i++) {
        uint32_t l = rc->rec[first + i].val;
        const network_link *k = &rc->n->links[l];
        /* forward arc runs from -> to, backward to -> from */
        uint32_t fa = rc->arc_of[2 * (size_t)l], ba = rc->arc_of[2 * (size_t)l + 1];
        if (fa != NONE && (into ? k->to : k->from) == v && !in_list(out, n, fa) && n < cap)
            out[n++] = fa;
        if (ba != NONE && (into ? k->from : k->to) == v && !in_list(out, n, ba) && n < cap)
            out[n++] = ba;
    }
    return n;
}

#define MAX_TURN_ARCS 64

/* The via junction of a turn without via roads; NONE when it cannot be found. */
static uint32_t via_junction(const rules_ctx *rc, const network__turn *t)
{
    const network *n = rc->n;
    if (t->has_via_node) {
        size_t i = rc->osm ? pair_find(rc->osm, rc->nosm, t->via_node) : rc->nosm;
        return i < rc->nosm ? rc->osm[i].val : NONE;
    }
    /* nodes that end a from-link and a to-link */
    size_t ff, fc = links_of(rc, t->from, &ff), tf, tc = links_of(rc, t->to, &tf);
    uint32_t best = NONE;
    double best_d = INFINITY;
    size_t shared = 0;
    for (size_t i = 0; i < fc; i++) {
        const network_link *a = &n->links[rc->rec[ff + i].val];
        uint32_t ends[2] = {a->from, a->to};
        for (int e = 0; e < 2; e++) {
            bool hit = false;
            for (size_t j = 0; j < tc && !hit; j++) {
                const network_link *b = &n->links[rc->rec[tf + j].val];
                hit = b->from == ends[e] || b->to == ends[e];
            }
            if (!hit || ends[e] == best)
                continue;
            double d = t->has_via_xy ? hypot(n->nx[ends[e]] - t->via_x, n->ny[ends[e]] - t->via_y) : 0;
            if (best == NONE || d < best_d || (d == best_d && ends[e] < best)) {
                shared += best != NONE;
                best = ends[e];
                best_d = d;
            } else {
                shared++;
            }
        }
    }
    if (best == NONE)
        return NONE;
    return shared == 0 || t->has_via_xy ? best : NONE; /* several shared junctions: say which by coordinates */
}

/* Sequences of a turn through a via node. Returns false when the turn does not fit the graph. */
static bool turn_via_node(rules_ctx *rc, const network__turn *t, ems_status *st)
{
    uint32_t v = via_junction(rc, t);
    if (v == NONE)
        return false;
    uint32_t from[MAX_TURN_ARCS], to[MAX_TURN_ARCS];
    size_t nf = record_arcs(rc, t->from, v, true, from, 0, MAX_TURN_ARCS);
    size_t nt = record_arcs(rc, t->to, v, false, to, 0, MAX_TURN_ARCS);
    /* the from road must reach the junction and the to road leave it (a closed direction is a moot rule, but
     * the road must be there) */
    size_t ff, tf;
    bool from_touches = false, to_touches = false;
    size_t fc = links_of(rc, t->from, &ff), tc = links_of(rc, t->to, &tf);
    for (size_t i = 0; i < fc; i++)
        from_touches |= rc->n->links[rc->rec[ff + i].val].from == v || rc->n->links[rc->rec[ff + i].val].to == v;
    for (size_t i = 0; i < tc; i++)
        to_touches |= rc->n->links[rc->rec[tf + i].val].from == v || rc->n->links[rc->rec[tf + i].val].to == v;
    if (!from_touches || !to_touches || (t->kind == NETWORK_TURN_ONLY && nt == 0))
        return false;
    const network *n = rc->n;
    for (size_t i = 0; i < nf && *st == EMS_OK; i++) {
        if (t->kind == NETWORK_TURN_NO) {
            for (size_t j = 0; j < nt && *st == EMS_OK; j++)
                *st = add_seq(rc, (uint32_t[2]){from[i], to[j]}, 2);
        } else {
            for (uint32_t x = n->out_off[v]; x < n->out_off[v + 1] && *st == EMS_OK; x++)
                if (!in_list(to, nt, x))
                    *st = add_seq(rc, (uint32_t[2]){from[i], x}, 2);
        }
    }
    return true;
}

/* Sequences of a turn along via roads: from-arc a into the via chain, the shortest path along via links from
 * a's head to a node where the to road leaves, then the to-arc (no_*) or every other arc there (only_*). */
static bool turn_via_ways(rules_ctx *rc, const network__turn *t, const int64_t *via, ems_status *st)
{
    network *n = rc->n;
    emscov_ctx *ctx = rc->ctx;
    if (!rc->mark) {
        size_t nn = n->nnodes ? n->nnodes : 1;
        rc->mark = ems_calloc(ctx, nn, sizeof *rc->mark);
        rc->parent_arc = ems_malloc(ctx, nn * sizeof *rc->parent_arc);
        rc->queue = ems_malloc(ctx, nn * sizeof *rc->queue);
        if (!rc->mark || !rc->parent_arc || !rc->queue) {
            *st = EMS_ENOMEM;
            return false;
        }
    }
    /* via links, as a small list */
    uint32_t vlinks[MAX_TURN_ARCS];
    size_t nv = 0;
    for (size_t w = 0; w < t->nvia; w++) {
        size_t first, cnt = links_of(rc, via[w], &first);
        if (cnt == 0)
            return false;
        for (size_t i = 0; i < cnt && nv < MAX_TURN_ARCS; i++)
            if (!in_list(vlinks, nv, rc->rec[first + i].val))
                vlinks[nv++] = rc->rec[first + i].val;
    }
    bool any = false;
    size_t ff, fc = links_of(rc, t->from, &ff);
    for (size_t i = 0; i < fc && *st == EMS_OK; i++) {
        uint32_t fl = rc->rec[ff + i].val;
        for (int rev = 0; rev < 2 && *st == EMS_OK; rev++) {
            uint32_t a = rc->arc_of[2 * (size_t)fl + (size_t)rev];
            if (a == NONE || in_list(vlinks, nv, fl))
                continue;
            uint32_t h = n->arcs[a].to;
            /* breadth-first along via links from h */
            if (++rc->stamp == 0) {
                memset(rc->mark, 0, n->nnodes * sizeof *rc->mark);
                rc->stamp = 1;
            }
            size_t qh = 0, qt = 0;
            rc->queue[qt++] = h;
            rc->mark[h] = rc->stamp;
            rc->parent_arc[h] = NONE;
            while (qh < qt && *st == EMS_OK) {
                uint32_t u = rc->queue[qh++];
                if (u != h) {
                    uint32_t to[MAX_TURN_ARCS];
                    size_t nt = record_arcs(rc, t->to, u, false, to, 0, MAX_TURN_ARCS);
                    if (nt > 0) {
                        any = true;
                        uint32_t path[MAX_TURN_ARCS + 2];
                        size_t len = 0;
                        uint32_t back = u;
                        for (; back != h && len < MAX_TURN_ARCS; back = rc->arc_tail[rc->parent_arc[back]])
                            path[len++] = rc->parent_arc[back];
                        if (back != h)
                            continue; /* a via part longer than MAX_TURN_ARCS links: not held */
                        path[len++] = a;
                        for (size_t p = 0; p < len / 2; p++) { /* reverse: a first */
                            uint32_t tmp = path[p];
                            path[p] = path[len - 1 - p];
                            path[len - 1 - p] = tmp;
                        }
                        if (t->kind == NETWORK_TURN_NO) {
                            for (size_t j = 0; j < nt && *st == EMS_OK; j++) {
                                path[len] = to[j];
                                *st = add_seq(rc, path, len + 1);
                            }
                        } else {
                            for (uint32_t x = n->out_off[u]; x < n->out_off[u + 1] && *st == EMS_OK; x++)
                                if (!in_list(to, nt, x)) {
                                    path[len] = x;
                                    *st = add_seq(rc, path, len + 1);
                                }
                        }
                        continue; /* the via part ends where the to road leaves */
                    }
                }
                for (uint32_t x = n->out_off[u]; x < n->out_off[u + 1]; x++) {
                    uint32_t w = n->arcs[x].to;
                    if (rc->mark[w] == rc->stamp || !in_list(vlinks, nv, n->arcs[x].link))
                        continue;
                    rc->mark[w] = rc->stamp;
                    rc->parent_arc[w] = x;
                    rc->queue[qt++] = w;
                }
            }
        }
    }
    return any;
}

/* ---- the automaton over forbidden sequences (Aho-Corasick) ---------------------------------------------- */

typedef struct tnode {
    uint32_t sym, first, next, fail; /* arc into it, first child, next sibling, failure link */
    uint8_t terminal;                /* a forbidden sequence ends here (or at a suffix of it) */
} tnode;

typedef struct trie {
    tnode *t;
    size_t n, cap;
    uint32_t *root_next; /* per arc: the root's child by that arc, NONE */
} trie;

static void trie_fini(trie *t)
{
    free(t->t);
    free(t->root_next);
}

static uint32_t trie_child(const trie *t, uint32_t node, uint32_t arc)
{
    if (node == 0)
        return t->root_next[arc];
    for (uint32_t c = t->t[node].first; c != NONE; c = t->t[c].next)
        if (t->t[c].sym == arc)
            return c;
    return NONE;
}

static ems_status trie_add_node(emscov_ctx *ctx, trie *t, uint32_t parent, uint32_t arc, uint32_t *out)
{
    if (t->n >= (1u << 30))
        return emscov_fail(ctx, EMS_EINPUT, "too many turn restrictions (%zu automaton states)", t->n);
    if (!ems_grow(ctx, (void **)&t->t, &t->cap, t->n + 1, sizeof *t->t))
        return EMS_ENOMEM;
    uint32_t id = (uint32_t)t->n++;
    t->t[id] = (tnode){.sym = arc, .first = NONE, .next = NONE, .fail = 0, .terminal = 0};
    if (id > 0) {
        t->t[id].next = t->t[parent].first;
        t->t[parent].first = id;
        if (parent == 0)
            t->root_next[arc] = id;
    }
    *out = id;
    return EMS_OK;
}

static ems_status trie_build(rules_ctx *rc, trie *t)
{
    emscov_ctx *ctx = rc->ctx;
    size_t narcs = rc->n->stats.arcs;
    if (!(t->root_next = ems_malloc(ctx, (narcs ? narcs : 1) * sizeof *t->root_next)))
        return EMS_ENOMEM;
    memset(t->root_next, 0xff, (narcs ? narcs : 1) * sizeof *t->root_next);
    uint32_t root;
    ems_status st = trie_add_node(ctx, t, 0, NONE, &root);
    for (size_t s = 0; s < rc->nseq && st == EMS_OK; s++) {
        uint32_t node = 0;
        for (size_t i = rc->seq_off[s]; i < rc->seq_off[s + 1] && st == EMS_OK; i++) {
            uint32_t c = trie_child(t, node, rc->seq[i]);
            if (c == NONE)
                st = trie_add_node(ctx, t, node, rc->seq[i], &c);
            node = c;
        }
        if (st == EMS_OK)
            t->t[node].terminal = 1;
    }
    if (st != EMS_OK)
        return st;
    /* failure links breadth-first: fail(child of u by a) = goto(fail(u), a); terminal passes down them */
    uint32_t *q = ems_malloc(ctx, t->n * sizeof *q);
    if (!q)
        return EMS_ENOMEM;
    size_t qh = 0, qt = 0;
    for (uint32_t c = t->t[0].first; c != NONE; c = t->t[c].next)
        q[qt++] = c; /* fail = the root */
    while (qh < qt) {
        uint32_t u = q[qh++];
        for (uint32_t c = t->t[u].first; c != NONE; c = t->t[c].next) {
            uint32_t f = t->t[u].fail, g;
            while ((g = trie_child(t, f, t->t[c].sym)) == NONE && f != 0)
                f = t->t[f].fail;
            t->t[c].fail = g == NONE || g == c ? 0 : g;
            t->t[c].terminal |= t->t[t->t[c].fail].terminal;
            q[qt++] = c;
        }
    }
    free(q);
    return EMS_OK;
}

/* The automaton's state after arc a from state s. */
static uint32_t trie_step(const trie *t, uint32_t s, uint32_t a)
{
    for (;;) {
        uint32_t c = trie_child(t, s, a);
        if (c != NONE)
            return c;
        if (s == 0)
            return 0;
        s = t->t[s].fail;
    }
}

/* ---- the search graph: the product of the graph, the access phases and the automaton ------------------- */

typedef struct state_map {
    uint64_t *key;
    uint32_t *val;
    size_t cap, n;
} state_map;

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The id of key, or `fresh` (stored) when absent; *found says which. */
static bool map_get_or_add(emscov_ctx *ctx, state_map *m, uint64_t key, uint32_t fresh, uint32_t *id, bool *found)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        uint64_t *k = ems_malloc(ctx, cap * sizeof *k);
        uint32_t *v = ems_malloc(ctx, cap * sizeof *v);
        if (!k || !v) {
            free(k);
            free(v);
            return false;
        }
        memset(v, 0xff, cap * sizeof *v);
        for (size_t i = 0; i < m->cap; i++)
            if (m->val[i] != NONE) {
                size_t j = mix(m->key[i]) & (cap - 1);
                while (v[j] != NONE)
                    j = (j + 1) & (cap - 1);
                k[j] = m->key[i];
                v[j] = m->val[i];
            }
        free(m->key);
        free(m->val);
        m->key = k;
        m->val = v;
        m->cap = cap;
    }
    size_t i = mix(key) & (m->cap - 1);
    while (m->val[i] != NONE) {
        if (m->key[i] == key) {
            *id = m->val[i];
            *found = true;
            return true;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->key[i] = key;
    m->val[i] = fresh;
    m->n++;
    *id = fresh;
    *found = false;
    return true;
}

typedef struct sstate {
    uint32_t node, trie;
    uint8_t phase;
} sstate;

/* Where a route goes from state (phase, trie state ts) at an arc's tail along that arc; false when the arc
 * may not be taken. lr: restricted links (NULL: none); r_out: nodes with a restricted out-arc. */
static bool step_state(const network *n, const trie *t, const uint8_t *lr, const uint8_t *r_out, uint32_t a,
                       uint8_t phase, uint32_t ts, sstate *out)
{
    const network_arc *arc = &n->arcs[a];
    uint8_t ph = phase;
    if (lr) {
        bool r = lr[arc->link];
        if (ph == PHASE_E && !r)
            return false; /* public after the end phase: through a restricted area */
        ph = ph == PHASE_S ? (r ? PHASE_S : PHASE_M) : r ? PHASE_E : PHASE_M;
        if (ph == PHASE_S && !r_out[arc->to])
            ph = PHASE_M; /* S = M where no restricted arc leaves */
    }
    uint32_t next = t ? trie_step(t, ts, a) : 0;
    if (t && t->t[next].terminal)
        return false; /* completes a forbidden sequence */
    *out = (sstate){arc->to, next, ph};
    return true;
}

typedef struct search_build {
    emscov_ctx *ctx;
    const uint8_t *start_phase; /* per node, NULL: all M */
    uint32_t nn;
    state_map map;
    sstate *copies;
    size_t ncopies, ccap;
} search_build;

/* The search node of a state: the node itself in its start state, else a copy (new ones appended). */
static ems_status state_id(search_build *sb, sstate x, uint32_t *id)
{
    uint8_t start = sb->start_phase ? sb->start_phase[x.node] : PHASE_M;
    if (x.trie == 0 && x.phase == start) {
        *id = x.node;
        return EMS_OK;
    }
    if ((size_t)sb->nn + sb->ncopies >= NONE - 1)
        return emscov_fail(sb->ctx, EMS_EINPUT, "road network too large for its rules (%zu search nodes)",
                           (size_t)sb->nn + sb->ncopies);
    uint64_t key = (uint64_t)x.node << 32 | (uint64_t)x.phase << 30 | x.trie;
    bool found;
    if (!map_get_or_add(sb->ctx, &sb->map, key, (uint32_t)(sb->nn + sb->ncopies), id, &found))
        return EMS_ENOMEM;
    if (!found) {
        if (!ems_grow(sb->ctx, (void **)&sb->copies, &sb->ccap, sb->ncopies + 1, sizeof *sb->copies))
            return EMS_ENOMEM;
        sb->copies[sb->ncopies++] = x;
    }
    return EMS_OK;
}

static ems_status build_search(rules_ctx *rc, const trie *t)
{
    emscov_ctx *ctx = rc->ctx;
    network *n = rc->n;
    uint32_t nn = n->nnodes;
    const uint8_t *lr = n->link_restricted;
    uint8_t *r_out = NULL, *start = NULL; /* per node: has a restricted out-arc; its start phase */
    size_t scap = 0, acap = 0, nsa = 0, nl = n->nlinks;
    search_build sb = {.ctx = ctx, .nn = nn};
    ems_status st = EMS_OK;
    n->search_own = true;
    if (!(n->s_enter = ems_malloc(ctx, (nl ? 2 * nl : 1) * sizeof *n->s_enter)))
        return EMS_ENOMEM;
    memset(n->s_enter, 0xff, 2 * nl * sizeof *n->s_enter);
    if (lr) {
        r_out = ems_calloc(ctx, nn ? nn : 1, 1);
        start = ems_malloc(ctx, nn ? nn : 1);
        if (!r_out || !start) {
            st = EMS_ENOMEM;
            goto done;
        }
        memset(start, PHASE_S, nn); /* S where every link is restricted ... */
        for (uint32_t l = 0; l < nl; l++)
            if (!lr[l])
                start[n->links[l].from] = start[n->links[l].to] = PHASE_M; /* ... M where a public one is */
        for (uint32_t v = 0; v < nn; v++) {
            for (uint32_t a = n->out_off[v]; a < n->out_off[v + 1] && !r_out[v]; a++)
                r_out[v] = lr[n->arcs[a].link];
            if (!r_out[v])
                start[v] = PHASE_M;
        }
        sb.start_phase = start;
        /* a route starting inside a restricted link arrives at its head in S: those states first */
        for (uint32_t a = 0; a < n->stats.arcs && st == EMS_OK; a++) {
            const network_arc *arc = &n->arcs[a];
            sstate x;
            if (lr[arc->link] && step_state(n, t, lr, r_out, a, PHASE_S, 0, &x))
                st = state_id(&sb, x, &n->s_enter[2 * (size_t)arc->link + arc->reverse]);
        }
    }
    if (st == EMS_OK && !ems_grow(ctx, (void **)&n->s_off, &scap, (size_t)nn + 1, sizeof *n->s_off))
        st = EMS_ENOMEM;
    if (st == EMS_OK)
        n->s_off[0] = 0;
    for (size_t id = 0; id < (size_t)nn + sb.ncopies && st == EMS_OK; id++) {
        sstate s = id < nn ? (sstate){(uint32_t)id, 0, start ? start[id] : PHASE_M} : sb.copies[id - nn];
        for (uint32_t a = n->out_off[s.node]; a < n->out_off[s.node + 1] && st == EMS_OK; a++) {
            sstate x;
            uint32_t to;
            if (!step_state(n, t, lr, r_out, a, s.phase, s.trie, &x) || (st = state_id(&sb, x, &to)) != EMS_OK)
                continue;
            const network_arc *arc = &n->arcs[a];
            if (id < nn && !(lr && lr[arc->link])) /* a route starting inside a public link: as from its tail */
                n->s_enter[2 * (size_t)arc->link + arc->reverse] = to;
            if (!ems_grow(ctx, (void **)&n->s_arcs, &acap, nsa + 1, sizeof *n->s_arcs)) {
                st = EMS_ENOMEM;
                break;
            }
            n->s_arcs[nsa++] = (network_arc){.to = to, .link = arc->link, .reverse = arc->reverse,
                                             .time_s = arc->time_s};
        }
        if (st == EMS_OK && nsa > UINT32_MAX)
            st = emscov_fail(ctx, EMS_EINPUT, "road network too large (%zu search arcs)", nsa);
        if (st == EMS_OK && !ems_grow(ctx, (void **)&n->s_off, &scap, id + 2, sizeof *n->s_off))
            st = EMS_ENOMEM;
        if (st == EMS_OK)
            n->s_off[id + 1] = (uint32_t)nsa;
    }
    if (st != EMS_OK)
        goto done;
    size_t ncopies = sb.ncopies;
    n->nsearch = (uint32_t)(nn + ncopies);
    if (!n->s_arcs && !(n->s_arcs = ems_malloc(ctx, sizeof *n->s_arcs))) {
        st = EMS_ENOMEM;
        goto done;
    }
    /* copies per node */
    n->s_node = ems_malloc(ctx, (ncopies ? ncopies : 1) * sizeof *n->s_node);
    n->copy_off = ems_calloc(ctx, (size_t)nn + 1, sizeof *n->copy_off);
    n->copy_list = ems_malloc(ctx, (ncopies ? ncopies : 1) * sizeof *n->copy_list);
    if (!n->s_node || !n->copy_off || !n->copy_list) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < ncopies; i++) {
        n->s_node[i] = sb.copies[i].node;
        n->copy_off[sb.copies[i].node + 1]++;
    }
    for (uint32_t v = 0; v < nn; v++)
        n->copy_off[v + 1] += n->copy_off[v];
    for (size_t i = 0; i < ncopies; i++) { /* in id order within a node: fill from a running offset */
        uint32_t v = sb.copies[i].node;
        n->copy_list[n->copy_off[v]++] = (uint32_t)(nn + i);
    }
    for (uint32_t v = nn; v > 0; v--)
        n->copy_off[v] = n->copy_off[v - 1];
    n->copy_off[0] = 0;
    n->stats.search_copies = ncopies;
    n->stats.search_arcs = nsa;
done:
    free(r_out);
    free(start);
    free(sb.copies);
    free(sb.map.key);
    free(sb.map.val);
    return st;
}

/* ---- the whole step ------------------------------------------------------------------------------------- */

static ems_status restricted_links(emscov_ctx *ctx, network *n, bool *any)
{
    *any = false;
    if (n->rules.access != NETWORK_ACCESS_ENDS)
        return EMS_OK;
    for (uint32_t l = 0; l < n->nlinks && !*any; l++)
        *any = n->roads[n->link_road[l]].restricted;
    if (!*any)
        return EMS_OK;
    if (!(n->link_restricted = ems_malloc(ctx, n->nlinks ? n->nlinks : 1)))
        return EMS_ENOMEM;
    for (uint32_t l = 0; l < n->nlinks; l++)
        n->link_restricted[l] = n->roads[n->link_road[l]].restricted;
    for (size_t i = 0; i < n->nextra; i++) /* a duplicate open to all opens the link */
        if (!n->roads[n->extra[i].road].restricted)
            n->link_restricted[n->extra[i].link] = 0;
    *any = false;
    for (uint32_t l = 0; l < n->nlinks; l++)
        if (n->link_restricted[l]) {
            *any = true;
            n->stats.restricted_links++;
            n->stats.restricted_km += n->links[l].travel_m / 1000;
        }
    if (!*any) {
        free(n->link_restricted);
        n->link_restricted = NULL;
    }
    return EMS_OK;
}

static ems_status lookups(rules_ctx *rc)
{
    emscov_ctx *ctx = rc->ctx;
    network *n = rc->n;
    size_t nl = n->nlinks, na = n->stats.arcs;
    rc->arc_of = ems_malloc(ctx, (nl ? 2 * nl : 1) * sizeof *rc->arc_of);
    rc->arc_tail = ems_malloc(ctx, (na ? na : 1) * sizeof *rc->arc_tail);
    rc->rec = ems_malloc(ctx, ((nl + n->nextra) ? nl + n->nextra : 1) * sizeof *rc->rec);
    if (!rc->arc_of || !rc->arc_tail || !rc->rec)
        return EMS_ENOMEM;
    memset(rc->arc_of, 0xff, 2 * nl * sizeof *rc->arc_of);
    for (uint32_t v = 0; v < n->nnodes; v++)
        for (uint32_t a = n->out_off[v]; a < n->out_off[v + 1]; a++) {
            rc->arc_of[2 * (size_t)n->arcs[a].link + n->arcs[a].reverse] = a;
            rc->arc_tail[a] = v;
        }
    for (uint32_t l = 0; l < nl; l++)
        rc->rec[rc->nrec++] = (pair64){n->links[l].record, l};
    for (size_t i = 0; i < n->nextra; i++)
        rc->rec[rc->nrec++] = (pair64){n->roads[n->extra[i].road].record, n->extra[i].link};
    qsort(rc->rec, rc->nrec, sizeof *rc->rec, cmp_pair64);
    if (n->node_osm) {
        if (!(rc->osm = ems_malloc(ctx, (n->nnodes ? n->nnodes : 1) * sizeof *rc->osm)))
            return EMS_ENOMEM;
        for (uint32_t v = 0; v < n->nnodes; v++)
            if (n->node_osm[v] != INT64_MIN)
                rc->osm[rc->nosm++] = (pair64){n->node_osm[v], v};
        qsort(rc->osm, rc->nosm, sizeof *rc->osm, cmp_pair64);
    }
    return EMS_OK;
}

ems_status network__apply_rules(emscov_ctx *ctx, network *n, const network__turn *turns, size_t nturns,
                                const int64_t *via)
{
    bool any_restricted;
    ems_status st = restricted_links(ctx, n, &any_restricted);
    rules_ctx rc = {.ctx = ctx, .n = n};
    trie t = {0};
    if (st == EMS_OK && nturns > 0 && (st = lookups(&rc)) == EMS_OK) {
        for (size_t i = 0; i < nturns && st == EMS_OK; i++) {
            bool ok = turns[i].nvia ? turn_via_ways(&rc, &turns[i], via + turns[i].via0, &st)
                                    : turn_via_node(&rc, &turns[i], &st);
            if (ok)
                n->stats.turns_applied++;
            else
                n->stats.turns_unresolved++;
        }
        n->stats.turn_sequences = rc.nseq;
        if (st == EMS_OK && rc.nseq > 0)
            st = trie_build(&rc, &t);
    }
    if (st == EMS_OK && (any_restricted || rc.nseq > 0)) {
        st = build_search(&rc, rc.nseq > 0 ? &t : NULL);
    } else if (st == EMS_OK) { /* the graph itself */
        n->nsearch = n->nnodes;
        n->s_off = n->out_off;
        n->s_arcs = n->arcs;
        n->search_own = false;
        n->stats.search_arcs = n->stats.arcs;
    }
    trie_fini(&t);
    free(rc.arc_of);
    free(rc.arc_tail);
    free(rc.rec);
    free(rc.osm);
    free(rc.seq);
    free(rc.seq_off);
    free(rc.mark);
    free(rc.parent_arc);
    free(rc.queue);
    return st;
}

/* ---- accessors ------------------------------------------------------------------------------------------ */

bool network_link_restricted(const network *n, uint32_t link)
{
    return n->link_restricted && link < n->nlinks && n->link_restricted[link];
}

uint32_t network_search_count(const network *n)
{
    return n->nsearch;
}

uint32_t network_search_node(const network *n, uint32_t snode)
{
    return snode < n->nnodes ? snode : n->s_node[snode - n->nnodes];
}

const network_arc *network_search_arcs(const network *n, uint32_t snode, uint32_t *count)
{
    *count = n->s_off[snode + 1] - n->s_off[snode];
    return n->s_arcs + n->s_off[snode];
}

const uint32_t *network_node_copies(const network *n, uint32_t node, uint32_t *count)
{
    if (!n->copy_off) {
        *count = 0;
        return NULL;
    }
    *count = n->copy_off[node + 1] - n->copy_off[node];
    return n->copy_list + n->copy_off[node];
}

uint32_t network_search_enter(const network *n, uint32_t link, bool reverse)
{
    if (n->s_enter)
        return n->s_enter[2 * (size_t)link + reverse];
    const network_link *k = &n->links[link];
    if (!isfinite(reverse ? k->time_bwd_s : k->time_fwd_s))
        return NETWORK_NONE;
    return reverse ? k->from : k->to;
}

bool network_search_can_take(const network *n, uint32_t snode, uint32_t link, bool reverse)
{
    uint32_t cnt;
    const network_arc *a = network_search_arcs(n, snode, &cnt);
    for (uint32_t i = 0; i < cnt; i++)
        if (a[i].link == link && a[i].reverse == reverse)
            return true;
    return false;
}
