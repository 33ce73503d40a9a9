/* src/analysis/sites.c: candidates, coverage sets and what-if gains of new station sites (see sites.h). */
#include "src/analysis/sites.h"
#include "src/analysis/times.h"

#include "geo/filter.h"
#include "geo/index.h"
#include "geo/parallel.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *sites_origin_text(sites_origin o)
{
    return o == SITES_FROM_LAYER ? "layer" : o == SITES_FROM_GRID ? "grid" : o == SITES_FROM_ROAD ? "road" : "gap";
}

/* A demand point in link order: what a search needs to time it and score it. */
typedef struct lpt {
    double frac, acc_s, pop, cur, bak, qgain;
    uint32_t pt, uidx, bidx; /* uidx: its optimisation point (baseline-uncovered); bidx: its backup point */
} lpt;

typedef struct priv {
    size_t nlinks;
    size_t *lstart;   /* per link: offsets into lp */
    lpt *lp;
    double *lacc_min; /* per link: the shortest access leg of its points (pruning) */
} priv;

const char *sites_station_id(const analysis *a, size_t s)
{
    return a->result->stations[s].id;
}

/* Station s has this id (or, without an id field, this record number). */
static bool station_is(const analysis *a, size_t s, const char *id)
{
    if (!strcmp(sites_station_id(a, s), id))
        return true;
    char rec[32];
    snprintf(rec, sizeof rec, "%lld", (long long)a->result->stations[s].record);
    return !a->sc->station_id_field && !strcmp(rec, id);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- candidate list while building ---- */

typedef struct clist {
    sites_candidate *v;
    size_t n, cap;
} clist;

static ems_status cl_add(emscov_ctx *ctx, clist *cl, sites_origin o, int64_t rec, double x, double y,
                         const char *id)
{
    if (cl->n == cl->cap && !ems_grow(ctx, (void **)&cl->v, &cl->cap, cl->n + 1, sizeof *cl->v))
        return EMS_ENOMEM;
    sites_candidate *c = &cl->v[cl->n];
    memset(c, 0, sizeof *c);
    c->origin = o;
    c->record = rec;
    c->x = x;
    c->y = y;
    c->unit = SITES_NONE;
    if (!(c->id = ems_strdup(ctx, id)))
        return EMS_ENOMEM;
    cl->n++;
    return EMS_OK;
}

/* The sub-district holding (x, y): the lowest index among the polygons covering it. */
static ems_status unit_of(emscov_ctx *ctx, layer_index *ix, double x, double y, uint32_t *u)
{
    size_t hits[16], n = 0;
    *u = SITES_NONE;
    ems_status st = index_covering(ctx, ix, x, y, hits, 16, &n);
    if (st != EMS_OK)
        return st;
    for (size_t k = 0; k < n && k < 16; k++)
        if (hits[k] < *u)
            *u = (uint32_t)hits[k];
    return EMS_OK;
}

static ems_status from_layer(emscov_ctx *ctx, const analysis *a, const sites_opts *o, clist *cl)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    layer *l = NULL;
    ems_status st = layer_read(ctx, o->cand_path, &o->cand_ro, &l);
    if (st == EMS_OK && o->cand_where)
        st = layer_filter(ctx, l, o->cand_where, NULL);
    if (st == EMS_OK)
        st = layer_transform(ctx, l, a->in.working);
    if (st == EMS_OK && layer_count(l) == 0)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no candidate points%s", o->cand_path,
                         o->cand_where ? " match --candidates-where" : "");
    int fid = -1;
    if (st == EMS_OK) {
        if (o->cand_id_field && (fid = layer_field_index(l, o->cand_id_field)) < 0)
            st = emscov_fail(ctx, EMS_EINPUT, "%s: no field \"%s\" (--candidate-id)", o->cand_path, o->cand_id_field);
        else if (!o->cand_id_field && (fid = layer_field_index(l, "id")) < 0)
            fid = layer_field_index(l, "name");
    }
    for (size_t i = 0; st == EMS_OK && i < layer_count(l); i++) {
        const GEOSGeometry *g = layer_geom(l, i);
        long long rec = (long long)layer_record(l, i);
        if (GEOSGeomTypeId_r(h, g) != GEOS_POINT) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: a candidate must be a point, not a %s", o->cand_path,
                             rec, layer_geom_type(l));
            break;
        }
        double x, y;
        GEOSGeomGetX_r(h, g, &x);
        GEOSGeomGetY_r(h, g, &y);
        char id[256];
        const layer_value *v = fid >= 0 ? layer_value_at(l, i, (size_t)fid) : NULL;
        if (!v || v->is_null)
            snprintf(id, sizeof id, "record %lld", rec);
        else if (layer_field_at(l, (size_t)fid)->type == LAYER_FIELD_STRING)
            snprintf(id, sizeof id, "%s", v->u.s);
        else if (layer_field_at(l, (size_t)fid)->type == LAYER_FIELD_INT)
            snprintf(id, sizeof id, "%lld", (long long)v->u.i);
        else
            snprintf(id, sizeof id, "%.15g", layer_value_number(l, i, (size_t)fid));
        st = cl_add(ctx, cl, SITES_FROM_LAYER, rec, x, y, id);
    }
    layer_destroy(l);
    return st;
}

static ems_status from_grid(emscov_ctx *ctx, const analysis *a, layer_index *six, double m, clist *cl)
{
    double e[4];
    if (!layer_extent(a->in.streets, e))
        return EMS_OK;
    double nx = ceil((e[2] - e[0]) / m), ny = ceil((e[3] - e[1]) / m);
    if (!(m > 0) || nx * ny > 2e7)
        return emscov_fail(ctx, EMS_EINPUT, "--grid %g: %.0f x %.0f cells over the sub-districts is too many", m, nx,
                           ny);
    for (size_t j = 0; j < (size_t)ny; j++)
        for (size_t i = 0; i < (size_t)nx; i++) {
            double x = e[0] + ((double)i + 0.5) * m, y = e[1] + ((double)j + 0.5) * m;
            uint32_t u;
            ems_status st = unit_of(ctx, six, x, y, &u);
            if (st != EMS_OK)
                return st;
            if (u == SITES_NONE)
                continue;
            char id[64];
            snprintf(id, sizeof id, "grid-%zu-%zu", j, i);
            if ((st = cl_add(ctx, cl, SITES_FROM_GRID, 0, x, y, id)) != EMS_OK)
                return st;
        }
    return EMS_OK;
}

typedef struct cellnode {
    int64_t cell;
    double d2;
    uint32_t node;
} cellnode;

static int cmp_cellnode(const void *a, const void *b)
{
    const cellnode *x = a, *y = b;
    if (x->cell != y->cell)
        return x->cell < y->cell ? -1 : 1;
    if (x->d2 != y->d2)
        return x->d2 < y->d2 ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* One junction of the main road component per m x m square (the one nearest the square's centre). */
static ems_status from_roads(emscov_ctx *ctx, const analysis *a, layer_index *six, double m, clist *cl)
{
    const network *net = a->in.roads;
    double e[4];
    if (!(m > 0) || !layer_extent(a->in.streets, e))
        return m > 0 ? EMS_OK : emscov_fail(ctx, EMS_EINPUT, "--road-spacing must be > 0");
    uint32_t nn = network_node_count(net);
    cellnode *v = ems_malloc(ctx, (nn ? nn : 1) * sizeof *v);
    if (!v)
        return EMS_ENOMEM;
    size_t n = 0;
    int64_t ncols = (int64_t)ceil((e[2] - e[0]) / m) + 1;
    for (uint32_t k = 0; k < nn; k++) {
        double x, y;
        network_node_xy(net, k, &x, &y);
        if (network_component(net, k) != 0 || x < e[0] || y < e[1] || x > e[2] || y > e[3])
            continue;
        int64_t cx = (int64_t)floor((x - e[0]) / m), cy = (int64_t)floor((y - e[1]) / m);
        double dx = x - (e[0] + ((double)cx + 0.5) * m), dy = y - (e[1] + ((double)cy + 0.5) * m);
        v[n++] = (cellnode){cy * ncols + cx, dx * dx + dy * dy, k};
    }
    qsort(v, n, sizeof *v, cmp_cellnode);
    ems_status st = EMS_OK;
    for (size_t i = 0; st == EMS_OK && i < n; i++) {
        if (i > 0 && v[i].cell == v[i - 1].cell)
            continue;
        double x, y;
        network_node_xy(net, v[i].node, &x, &y);
        uint32_t u;
        if ((st = unit_of(ctx, six, x, y, &u)) != EMS_OK || u == SITES_NONE)
            continue;
        char id[64];
        snprintf(id, sizeof id, "road-%u", v[i].node);
        st = cl_add(ctx, cl, SITES_FROM_ROAD, 0, x, y, id);
    }
    free(v);
    return st;
}

static ems_status from_gaps(emscov_ctx *ctx, const analysis *a, const uint32_t *unit_stations, double min_st,
                            clist *cl)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t nu = layer_count(a->in.streets);
    double *sx = ems_calloc(ctx, nu ? nu : 1, sizeof *sx), *sy = ems_calloc(ctx, nu ? nu : 1, sizeof *sy);
    double *sw = ems_calloc(ctx, nu ? nu : 1, sizeof *sw);
    ems_status st = EMS_OK;
    if (!sx || !sy || !sw) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < a->npoints; i++)
        if (a->unit[i] != ANALYSIS_NONE) {
            sx[a->unit[i]] += a->pop[i] * a->x[i];
            sy[a->unit[i]] += a->pop[i] * a->y[i];
            sw[a->unit[i]] += a->pop[i];
        }
    for (size_t u = 0; st == EMS_OK && u < nu; u++) {
        if (!((double)unit_stations[u] < min_st))
            continue;
        const GEOSGeometry *poly = layer_geom(a->in.streets, u);
        double x = 0, y = 0;
        bool inside = false;
        if (sw[u] > 0) {
            x = sx[u] / sw[u];
            y = sy[u] / sw[u];
            GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
            inside = pt && GEOSCovers_r(h, poly, pt) == 1;
            GEOSGeom_destroy_r(h, pt);
        }
        if (!inside) { /* no people, or a centroid outside a concave sub-district */
            GEOSGeometry *pos = GEOSPointOnSurface_r(h, poly);
            if (!pos) {
                st = emscov_fail(ctx, EMS_EINTERNAL, "point on surface failed: %s", emscov_lib_message(ctx));
                break;
            }
            GEOSGeomGetX_r(h, pos, &x);
            GEOSGeomGetY_r(h, pos, &y);
            GEOSGeom_destroy_r(h, pos);
        }
        char id[1100];
        snprintf(id, sizeof id, "gap-%s", a->result->subdistricts[u].id);
        st = cl_add(ctx, cl, SITES_FROM_GAP, 0, x, y, id);
    }
done:
    free(sx);
    free(sy);
    free(sw);
    return st;
}

/* ---- the parallel searches ---- */

typedef struct wbuf { /* one worker's output lists */
    uint32_t *v;
    size_t n, cap;
    bool oom;
} wbuf;

typedef struct search_job {
    const analysis *a;
    const priv *pv;
    const route_source *src;
    size_t nsrc;
    double T;
    bool full;            /* list every covered demand point (else: baseline-uncovered ones, by uidx) */
    route_workspace **ws;
    uint32_t **stamp;     /* per worker, per link: last search that visited it (+1) */
    wbuf *buf;
    size_t *off, *len;    /* per source: where its list is in which worker's buffer */
    uint32_t *owner;
    sites_candidate *cand; /* NULL in full mode */
    double reached_pop;    /* for mean_change_s */
    size_t nupts;          /* backup points are listed as nupts + bidx */
    size_t *settled;
    atomic_size_t next;
} search_job;

static void push(wbuf *b, uint32_t v)
{
    if (b->oom)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        uint32_t *nv = realloc(b->v, cap * sizeof *nv);
        if (!nv) {
            b->oom = true;
            return;
        }
        b->v = nv;
        b->cap = cap;
    }
    b->v[b->n++] = v;
}

/* Times along a link as route.c computes them (same arithmetic, so times are bit-for-bit those of coverage.c):
 * a point at a link end takes the end node's time (node_t: any way of arriving there); a point inside the link
 * the time a route may start along the link from that end (entry_t: a turn restriction or a restricted area may
 * forbid the arrivals that reached the node first) plus the part along the link. */
static double from_start(const network_link *lk, double f, double node_t, double entry_t)
{
    return f == 0 ? node_t : isfinite(lk->time_fwd_s) ? entry_t + f * lk->time_fwd_s : INFINITY;
}

static double from_end(const network_link *lk, double f, double node_t, double entry_t)
{
    return f == 1 ? node_t : isfinite(lk->time_bwd_s) ? entry_t + (1 - f) * lk->time_bwd_s : INFINITY;
}

static void score_link(search_job *j, route_workspace *ws, const route_source *src, uint32_t link, wbuf *b,
                       sites_candidate *c)
{
    const priv *pv = j->pv;
    const network_link *lk = network_link_at(j->a->in.roads, link);
    double ta = route_ws_node_time(ws, lk->from), tb = route_ws_node_time(ws, lk->to);
    bool own = link == src->pos.link;
    if (!own && !(fmin(ta, tb) + pv->lacc_min[link] <= j->T))
        return; /* no point of this link can be within the standard (a node's time is <= its entry times) */
    double ea = route_ws_link_entry_time(ws, link, false), eb = route_ws_link_entry_time(ws, link, true);
    snap_pos p = {.link = link};
    for (size_t k = pv->lstart[link]; k < pv->lstart[link + 1]; k++) {
        const lpt *q = &pv->lp[k];
        double t0;
        if (own) {
            p.frac = q->frac;
            t0 = route_ws_pos_time(ws, &p);
        } else {
            t0 = fmin(from_start(lk, q->frac, ta, ea), from_end(lk, q->frac, tb, eb));
        }
        double t = t0 + q->acc_s; /* as coverage.c: drive (with delays) + the point's access leg */
        if (!(t <= j->T))
            continue;
        if (j->full) {
            push(b, q->pt);
            continue;
        }
        c->covered_pop += q->pop;
        if (!(q->cur <= j->T)) {
            c->new_pop += q->pop;
            if (q->uidx != SITES_NONE)
                push(b, q->uidx);
        } else if (!(q->bak <= j->T)) {
            c->backup_pop += q->pop;
            if (q->bidx != SITES_NONE)
                push(b, (uint32_t)(j->nupts + q->bidx));
        }
        if (isfinite(q->cur) && t < q->cur)
            c->mean_change_s += q->pop * (t - q->cur);
        c->mexclp_gain += q->qgain;
    }
}

static void search_worker(void *user, size_t begin, size_t end)
{
    search_job *j = user;
    for (size_t w = begin; w < end; w++) {
        route_workspace *ws = j->ws[w];
        uint32_t *stamp = j->stamp[w];
        wbuf *b = &j->buf[w];
        for (;;) {
            size_t s = atomic_fetch_add(&j->next, 1);
            if (s >= j->nsrc)
                break;
            const route_source *src = &j->src[s];
            sites_candidate tmp = {0}, *c = j->cand ? &j->cand[s] : &tmp;
            size_t n = route_bounded_single(ws, src, j->T);
            const uint32_t *order = route_ws_reached(ws);
            uint32_t mark = (uint32_t)s + 1;
            j->off[s] = b->n;
            j->owner[s] = (uint32_t)w;
            j->settled[s] = n;
            c->reached_nodes = n;
            stamp[src->pos.link] = mark;
            score_link(j, ws, src, src->pos.link, b, c);
            for (size_t k = 0; k < n; k++) {
                uint32_t cnt;
                const network_arc *arc = network_out_arcs(j->a->in.roads, order[k], &cnt);
                for (uint32_t e = 0; e < cnt; e++)
                    if (stamp[arc[e].link] != mark) {
                        stamp[arc[e].link] = mark;
                        score_link(j, ws, src, arc[e].link, b, c);
                    }
            }
            j->len[s] = b->n - j->off[s];
            if (j->cand && j->reached_pop > 0)
                c->mean_change_s /= j->reached_pop;
        }
    }
}

/* Run one search per source; lists merged in source order into (*start, *list). */
static ems_status run_searches(emscov_ctx *ctx, const sites_result *r, const route_source *src, size_t nsrc,
                               bool full, sites_candidate *cand, size_t **start, uint32_t **list,
                               size_t *settled_total)
{
    const analysis *a = r->a;
    const priv *pv = r->priv;
    int nt = parallel_threads();
    if ((size_t)nt > nsrc)
        nt = nsrc ? (int)nsrc : 1;
    search_job *j = ems_calloc(ctx, 1, sizeof *j);
    if (!j)
        return EMS_ENOMEM;
    *start = NULL;
    *list = NULL;
    j->a = a;
    j->pv = pv;
    j->src = src;
    j->nsrc = nsrc;
    j->T = r->standard_s;
    j->full = full;
    j->cand = cand;
    j->reached_pop = r->base_reached;
    j->nupts = r->nupts;
    atomic_init(&j->next, 0);
    size_t m = nsrc ? nsrc : 1;
    j->ws = ems_calloc(ctx, (size_t)nt, sizeof *j->ws);
    j->stamp = ems_calloc(ctx, (size_t)nt, sizeof *j->stamp);
    j->buf = ems_calloc(ctx, (size_t)nt, sizeof *j->buf);
    j->off = ems_malloc(ctx, m * sizeof *j->off);
    j->len = ems_malloc(ctx, m * sizeof *j->len);
    j->owner = ems_malloc(ctx, m * sizeof *j->owner);
    j->settled = ems_malloc(ctx, m * sizeof *j->settled);
    ems_status st = EMS_OK;
    if (!j->ws || !j->stamp || !j->buf || !j->off || !j->len || !j->owner || !j->settled) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (int w = 0; w < nt && st == EMS_OK; w++) {
        if ((st = route_workspace_create(ctx, a->in.roads, &j->ws[w])) == EMS_OK &&
            !(j->stamp[w] = ems_calloc(ctx, pv->nlinks ? pv->nlinks : 1, sizeof **j->stamp)))
            st = EMS_ENOMEM;
    }
    if (st != EMS_OK)
        goto done;
    parallel_for((size_t)nt, 1, search_worker, j);
    size_t total = 0;
    for (int w = 0; w < nt; w++) {
        if (j->buf[w].oom) {
            st = emscov_fail(ctx, EMS_ENOMEM, "out of memory storing coverage sets");
            goto done;
        }
        total += j->buf[w].n;
    }
    *start = ems_malloc(ctx, (nsrc + 1) * sizeof **start);
    *list = ems_malloc(ctx, (total ? total : 1) * sizeof **list);
    if (!*start || !*list) {
        st = EMS_ENOMEM;
        goto done;
    }
    size_t n = 0;
    for (size_t s = 0; s < nsrc; s++) {
        (*start)[s] = n;
        if (j->len[s])
            memcpy(*list + n, j->buf[j->owner[s]].v + j->off[s], j->len[s] * sizeof **list);
        n += j->len[s];
        if (settled_total)
            *settled_total += j->settled[s];
    }
    (*start)[nsrc] = n;
done:
    if (st != EMS_OK) {
        free(*start);
        free(*list);
        *start = NULL;
        *list = NULL;
    }
    for (int w = 0; j->ws && w < nt; w++) {
        route_workspace_destroy(j->ws[w]);
        free(j->stamp ? j->stamp[w] : NULL);
        free(j->buf ? j->buf[w].v : NULL);
    }
    free(j->ws);
    free(j->stamp);
    free(j->buf);
    free(j->off);
    free(j->len);
    free(j->owner);
    free(j->settled);
    free(j);
    return st;
}

/* ---- demand points on links ---- */

typedef struct snap_job {
    const analysis *a;
    snap_pos *pos;
    double max_snap_m;
} snap_job;

static void snap_points(void *user, size_t begin, size_t end)
{
    snap_job *j = user;
    for (size_t i = begin; i < end; i++)
        if (!snap_point(j->a->snap, j->a->x[i], j->a->y[i], j->max_snap_m, &j->pos[i]))
            j->pos[i].link = NETWORK_NONE;
}

static ems_status bucket_points(emscov_ctx *ctx, sites_result *r, double access_kmh)
{
    const analysis *a = r->a;
    priv *pv = r->priv;
    size_t n = a->npoints;
    pv->nlinks = network_link_count(a->in.roads);
    snap_pos *pos = ems_malloc(ctx, (n ? n : 1) * sizeof *pos);
    pv->lstart = ems_calloc(ctx, pv->nlinks + 1, sizeof *pv->lstart);
    if (!pos || !pv->lstart) {
        free(pos);
        return EMS_ENOMEM;
    }
    snap_job sj = {a, pos, a->sc->max_snap_m};
    parallel_for(n, 4096, snap_points, &sj);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (pos[i].link != NETWORK_NONE && a->pop[i] > 0) {
            pv->lstart[pos[i].link + 1]++;
            m++;
        }
    for (size_t l = 0; l < pv->nlinks; l++)
        pv->lstart[l + 1] += pv->lstart[l];
    size_t *fill = ems_malloc(ctx, (pv->nlinks ? pv->nlinks : 1) * sizeof *fill);
    pv->lp = ems_malloc(ctx, (m ? m : 1) * sizeof *pv->lp);
    r->upt = ems_malloc(ctx, (n ? n : 1) * sizeof *r->upt);
    r->uw = ems_malloc(ctx, (n ? n : 1) * sizeof *r->uw);
    r->bw = ems_malloc(ctx, (n ? n : 1) * sizeof *r->bw);
    if (!fill || !pv->lp || !r->upt || !r->uw || !r->bw) {
        free(pos);
        free(fill);
        return EMS_ENOMEM;
    }
    memcpy(fill, pv->lstart, pv->nlinks * sizeof *fill);
    pv->lacc_min = ems_malloc(ctx, (pv->nlinks ? pv->nlinks : 1) * sizeof *pv->lacc_min);
    if (!pv->lacc_min) {
        free(pos);
        free(fill);
        return EMS_ENOMEM;
    }
    for (size_t l = 0; l < pv->nlinks; l++)
        pv->lacc_min[l] = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (pos[i].link == NETWORK_NONE || !(a->pop[i] > 0))
            continue;
        uint32_t u = SITES_NONE, b = SITES_NONE;
        if (!(r->cur_s[i] <= r->standard_s)) {
            u = (uint32_t)r->nupts++;
            r->upt[u] = (uint32_t)i;
            r->uw[u] = a->pop[i];
        } else if (!(r->bak_s[i] <= r->standard_s)) { /* covered by one open station only */
            b = (uint32_t)r->nbpts++;
            r->bw[b] = a->pop[i];
        }
        double acc = times_access_s(pos[i].dist_m, access_kmh);
        pv->lp[fill[pos[i].link]++] =
            (lpt){pos[i].frac, acc, a->pop[i], r->cur_s[i], r->bak_s[i], 0, (uint32_t)i, u, b};
        if (acc < pv->lacc_min[pos[i].link])
            pv->lacc_min[pos[i].link] = acc;
    }
    free(fill);
    free(pos);
    return EMS_OK;
}

/* ---- baseline (after closures) ---- */

static ems_status baseline(emscov_ctx *ctx, sites_result *r, const sites_opts *o)
{
    const analysis *a = r->a;
    size_t n = a->npoints, ns = a->nstations;
    r->cur_s = ems_malloc(ctx, (n ? n : 1) * sizeof *r->cur_s);
    r->bak_s = ems_malloc(ctx, (n ? n : 1) * sizeof *r->bak_s);
    r->closed = ems_malloc(ctx, (o->nclose ? o->nclose : 1) * sizeof *r->closed);
    bool *closed = ems_calloc(ctx, ns ? ns : 1, sizeof *closed);
    ems_status st = EMS_OK;
    route_source *src = NULL;
    route_result *rr = NULL;
    coverage_result *cv = NULL;
    if (!r->cur_s || !r->bak_s || !r->closed || !closed) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < o->nclose; k++) {
        size_t s = 0;
        while (s < ns && !station_is(a, s, o->close_ids[k]))
            s++;
        if (s == ns) {
            st = emscov_fail(ctx, EMS_EINPUT, "--close %s: no station has this id (%s of %s)", o->close_ids[k],
                             a->sc->station_id_field ? a->sc->station_id_field : "record number",
                             layer_path(a->in.stations));
            goto done;
        }
        if (!closed[s]) {
            closed[s] = true;
            r->closed[r->nclosed++] = (uint32_t)s;
        }
    }
    const coverage_result *c = a->cov;
    if (r->nclosed) {
        if (!(src = ems_malloc(ctx, (a->nsrc ? a->nsrc : 1) * sizeof *src))) {
            st = EMS_ENOMEM;
            goto done;
        }
        size_t m = 0;
        for (size_t i = 0; i < a->nsrc; i++)
            if (!closed[a->src_station[i]])
                src[m++] = *route_source_at(a->routes, (uint32_t)i);
        route_opts ro = {.labels = 2, .cutoff_s = 0};
        size_t nu = layer_count(a->in.streets);
        coverage_params cp = {.nthresholds = a->sc->nthresholds, .max_snap_m = a->sc->max_snap_m,
                              .access_kmh = speed_profile_access_kmh(a->in.speed)};
        memcpy(cp.thresholds_s, a->sc->thresholds_s, a->sc->nthresholds * sizeof *cp.thresholds_s);
        if ((st = route_multi_source(ctx, a->in.roads, src, m, &ro, &rr)) != EMS_OK ||
            (st = coverage_compute(ctx, a->in.roads, a->snap, rr, n, a->x, a->y, a->pop, a->unit, nu, &cp, &cv)) !=
                EMS_OK)
            goto done;
        c = cv;
    }
    memcpy(r->cur_s, c->time_s, n * sizeof *r->cur_s);
    memcpy(r->bak_s, c->backup_s, n * sizeof *r->bak_s);
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        r->pop_total += a->pop[i];
        if (r->cur_s[i] <= r->standard_s)
            r->base_covered += a->pop[i];
        if (r->bak_s[i] <= r->standard_s)
            r->base_backup += a->pop[i];
        if (isfinite(r->cur_s[i])) {
            r->base_reached += a->pop[i];
            sum += a->pop[i] * r->cur_s[i];
        }
    }
    r->base_mean_s = r->base_reached > 0 ? sum / r->base_reached : NAN;
    /* open stations per sub-district; delays and ambulances of a new station */
    size_t nu = layer_count(a->in.streets);
    r->unit_stations = ems_calloc(ctx, nu ? nu : 1, sizeof *r->unit_stations);
    double *tv = ems_malloc(ctx, (ns ? ns : 1) * sizeof *tv), *av = ems_malloc(ctx, (ns ? ns : 1) * sizeof *av);
    if (!r->unit_stations || !tv || !av) {
        free(tv);
        free(av);
        st = EMS_ENOMEM;
        goto done;
    }
    size_t m = 0;
    for (size_t s = 0; s < ns; s++) {
        if (closed[s])
            continue;
        if (a->gaps->station_unit[s] != GAPS_NONE)
            r->unit_stations[a->gaps->station_unit[s]]++;
        tv[m] = a->station_turnout[s];
        av[m++] = a->station_amb[s];
        r->total_amb += a->station_amb[s];
    }
    qsort(tv, m, sizeof *tv, cmp_double);
    qsort(av, m, sizeof *av, cmp_double);
    if (!(o->turnout_s >= 0))
        r->turnout_s = m ? (m % 2 ? tv[m / 2] : (tv[m / 2 - 1] + tv[m / 2]) / 2) : 0;
    if (!(o->ambulances >= 0))
        r->ambulances = m ? (m % 2 ? av[m / 2] : (av[m / 2 - 1] + av[m / 2]) / 2) : 1;
    free(tv);
    free(av);
    for (size_t u = 0; u < nu; u++)
        r->base_gaps += (double)r->unit_stations[u] < r->min_stations;
done:
    free(closed);
    free(src);
    route_result_destroy(rr);
    coverage_destroy(cv);
    return st;
}

/* Ambulances of the open, snapped stations covering each point (MEXCLP's n_i), from one search per station. */
static ems_status station_cover(emscov_ctx *ctx, sites_result *r)
{
    const analysis *a = r->a;
    bool *closed = ems_calloc(ctx, a->nstations ? a->nstations : 1, sizeof *closed);
    route_source *src = ems_malloc(ctx, (a->nsrc ? a->nsrc : 1) * sizeof *src);
    uint32_t *st_of = ems_malloc(ctx, (a->nsrc ? a->nsrc : 1) * sizeof *st_of);
    r->point_amb = ems_calloc(ctx, a->npoints ? a->npoints : 1, sizeof *r->point_amb);
    ems_status st = EMS_OK;
    size_t *start = NULL;
    uint32_t *list = NULL;
    if (!closed || !src || !st_of || !r->point_amb) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < r->nclosed; k++)
        closed[r->closed[k]] = true;
    size_t m = 0;
    for (size_t i = 0; i < a->nsrc; i++)
        if (!closed[a->src_station[i]]) {
            st_of[m] = a->src_station[i];
            src[m++] = *route_source_at(a->routes, (uint32_t)i);
        }
    if ((st = run_searches(ctx, r, src, m, true, NULL, &start, &list, NULL)) != EMS_OK)
        goto done;
    for (size_t s = 0; s < m; s++)
        for (size_t k = start[s]; k < start[s + 1]; k++)
            r->point_amb[list[k]] += a->station_amb[st_of[s]];
    r->exp_base = opt_mexclp_expected(a->npoints, a->pop, r->point_amb, r->q_base);
done:
    free(closed);
    free(src);
    free(st_of);
    free(start);
    free(list);
    return st;
}

/* The objective ladder (as opt_greedy's): newly covered, fills a gap, backup gain, mean change, input order. */
static int rank_cmp(const sites_candidate *x, const sites_candidate *y, uint32_t ix, uint32_t iy)
{
    if (x->new_pop != y->new_pop)
        return x->new_pop > y->new_pop ? -1 : 1;
    if (x->fills_gap != y->fills_gap)
        return x->fills_gap ? -1 : 1;
    if (x->backup_pop != y->backup_pop)
        return x->backup_pop > y->backup_pop ? -1 : 1;
    if (x->mean_change_s != y->mean_change_s)
        return x->mean_change_s < y->mean_change_s ? -1 : 1;
    return ix < iy ? -1 : ix > iy;
}

/* The candidates' lists hold optimisation points (< nupts) and backup points (nupts + b): split them into
 * (cstart, cpts) and (bstart, bpts). */
static ems_status split_backup(emscov_ctx *ctx, sites_result *r)
{
    size_t nnz = r->cstart[r->ncand];
    r->bstart = ems_malloc(ctx, (r->ncand + 1) * sizeof *r->bstart);
    r->bpts = ems_malloc(ctx, (nnz ? nnz : 1) * sizeof *r->bpts);
    if (!r->bstart || !r->bpts)
        return EMS_ENOMEM;
    size_t nu = 0, nb = 0;
    for (size_t c = 0; c < r->ncand; c++) {
        size_t from = r->cstart[c], to = r->cstart[c + 1];
        r->cstart[c] = nu;
        r->bstart[c] = nb;
        for (size_t k = from; k < to; k++) {
            uint32_t v = r->cpts[k];
            if (v < r->nupts)
                r->cpts[nu++] = v;
            else
                r->bpts[nb++] = (uint32_t)(v - r->nupts);
        }
    }
    r->cstart[r->ncand] = nu;
    r->bstart[r->ncand] = nb;
    return EMS_OK;
}

/* The ladder of the k-site choice: each candidate's gap sub-district (fills_gap) and what it still needs, the
 * backup points, the fixed mean change. */
static ems_status make_ladder(emscov_ctx *ctx, sites_result *r)
{
    size_t nu = layer_count(r->a->in.streets);
    r->cand_group = ems_malloc(ctx, (r->ncand ? r->ncand : 1) * sizeof *r->cand_group);
    r->group_need = ems_calloc(ctx, nu ? nu : 1, sizeof *r->group_need);
    r->cand_mean = ems_malloc(ctx, (r->ncand ? r->ncand : 1) * sizeof *r->cand_mean);
    if (!r->cand_group || !r->group_need || !r->cand_mean)
        return EMS_ENOMEM;
    for (size_t u = 0; u < nu; u++) {
        double want = ceil(r->min_stations) - (double)r->unit_stations[u];
        r->group_need[u] = want > 0 ? (uint32_t)want : 0;
    }
    for (size_t c = 0; c < r->ncand; c++) {
        r->cand_group[c] = r->cand[c].fills_gap ? r->cand[c].unit : OPT_NONE;
        r->cand_mean[c] = r->cand[c].mean_change_s;
    }
    r->ladder = (opt_ladder){r->cand_group, r->group_need, nu, r->nbpts, r->bw, r->bstart, r->bpts, r->cand_mean};
    return EMS_OK;
}

/* insertion-merge sort of the rank order (stable, no global state for qsort) */
static void sort_ranks(const sites_candidate *c, uint32_t *v, uint32_t *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    sort_ranks(c, v, tmp, h);
    sort_ranks(c, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = rank_cmp(&c[v[i]], &c[v[j]], v[i], v[j]) <= 0 ? v[i++] : v[j++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

ems_status sites_evaluate(emscov_ctx *ctx, const analysis *a, const sites_opts *o, sites_result **out)
{
    *out = NULL;
    sites_result *r = ems_calloc(ctx, 1, sizeof *r);
    priv *pv = ems_calloc(ctx, 1, sizeof *pv);
    if (!r || !pv) {
        free(r);
        free(pv);
        return EMS_ENOMEM;
    }
    double t0 = now_s();
    r->a = a;
    r->priv = pv;
    r->standard_s = a->sc->thresholds_s[0];
    r->min_stations = a->sc->std->min_stations;
    r->turnout_s = o->turnout_s;
    r->ambulances = o->ambulances;
    r->threads = parallel_threads();
    double access_kmh = speed_profile_access_kmh(a->in.speed);
    clist cl = {0};
    layer_index *six = NULL, *xix = NULL;
    layer *ex = NULL;
    route_source *src = NULL;
    ems_status st = baseline(ctx, r, o);
    if (st == EMS_OK && !o->cand_path && !(o->grid_m > 0) && !(o->road_spacing_m > 0) && !o->gap_centroids)
        st = emscov_fail(ctx, EMS_EINPUT, "no candidates: give --candidates FILE, --grid M, --road-spacing M or "
                                          "--gap-centroids");
    if (st == EMS_OK)
        st = index_build(ctx, a->in.streets, &six);
    if (st == EMS_OK && o->cand_path)
        st = from_layer(ctx, a, o, &cl);
    if (st == EMS_OK && o->grid_m > 0)
        st = from_grid(ctx, a, six, o->grid_m, &cl);
    if (st == EMS_OK && o->road_spacing_m > 0)
        st = from_roads(ctx, a, six, o->road_spacing_m, &cl);
    if (st == EMS_OK && o->gap_centroids)
        st = from_gaps(ctx, a, r->unit_stations, r->min_stations, &cl);
    r->offered = cl.n;
    if (st == EMS_OK && cl.n == 0)
        st = emscov_fail(ctx, EMS_EINPUT, "no candidate sites: the %s made none", o->cand_path ? "candidate layer"
                                          : o->gap_centroids && !(o->grid_m > 0) && !(o->road_spacing_m > 0)
                                              ? "gap sub-districts (there are none)"
                                              : "generator (the city is smaller than the spacing?)");
    if (st == EMS_OK && o->exclude_path) {
        layer_read_opts xo = {.conninfo = o->cand_ro.conninfo}; /* a pg: exclusion layer: the same database */
        if ((st = layer_read(ctx, o->exclude_path, &xo, &ex)) == EMS_OK &&
            (st = layer_transform(ctx, ex, a->in.working)) == EMS_OK)
            st = index_build(ctx, ex, &xix);
    }
    /* exclusion, snapping, sub-district: compact the list in place (dropped ones freed) */
    size_t kept = 0, ci = 0;
    for (; st == EMS_OK && ci < cl.n; ci++) {
        sites_candidate *c = &cl.v[ci];
        bool drop = false;
        if (xix) {
            size_t hits[4], nh = 0;
            if ((st = index_covering(ctx, xix, c->x, c->y, hits, 4, &nh)) != EMS_OK)
                break;
            if (nh > 0) {
                r->excluded++;
                drop = true;
            }
        }
        if (!drop && !snap_point(a->snap, c->x, c->y, a->sc->max_snap_m, &c->pos)) {
            r->unsnapped++;
            drop = true;
        }
        if (!drop && (st = unit_of(ctx, six, c->x, c->y, &c->unit)) != EMS_OK)
            break;
        if (drop) {
            free(c->id);
            continue;
        }
        c->delay_s = times_station_delay_s(r->turnout_s, a->sc->activation_s, c->pos.dist_m, access_kmh);
        c->fills_gap = c->unit != SITES_NONE && (double)r->unit_stations[c->unit] < r->min_stations;
        cl.v[kept++] = *c;
    }
    if (st != EMS_OK) /* ids in [0, kept) were moved, [i, n) not yet looked at */
        for (; ci < cl.n; ci++)
            free(cl.v[ci].id);
    r->cand = cl.v;
    r->ncand = kept;
    if (st == EMS_OK && kept == 0)
        st = emscov_fail(ctx, EMS_EINPUT,
                         "no candidate site left: %zu offered, %zu inside the exclusion polygons, %zu farther than "
                         "max_snap_m = %g m from a road",
                         r->offered, r->excluded, r->unsnapped, a->sc->max_snap_m);
    /* calls a day: the option, else the dated [calls] layer's weight over the days it spans */
    r->call_days = a->calls && a->call_days > 0 ? a->call_days : 0;
    r->calls_estimate = r->call_days > 0 ? a->calls->input_total / r->call_days : 0;
    r->calls_from_layer = !(o->calls_per_day > 0) && r->calls_estimate > 0;
    double per_day = r->calls_from_layer ? r->calls_estimate : o->calls_per_day;
    if (st == EMS_OK && o->job_min > 0 && !(per_day > 0))
        st = emscov_fail(ctx, EMS_EINPUT,
                         "--job-min %g: no calls per day: give --calls-per-day N, or a [calls] layer whose "
                         "time_field holds dates (YYYY-MM-DD ...)",
                         o->job_min);
    if (st == EMS_OK && per_day > 0 && o->job_min > 0) {
        r->mexclp = true;
        r->calls_per_day = per_day;
        r->job_min = o->job_min;
        r->q_base = opt_mexclp_busy(per_day, o->job_min, r->total_amb);
        r->q_new = opt_mexclp_busy(per_day, o->job_min, r->total_amb + r->ambulances);
    }
    /* demand points by link (without MEXCLP's per-point factor yet), then the stations' coverage for n_i */
    if (st == EMS_OK && (st = bucket_points(ctx, r, access_kmh)) == EMS_OK && r->mexclp) {
        if ((st = station_cover(ctx, r)) == EMS_OK) {
            double qa = pow(r->q_new, r->ambulances); /* pop x q'^n x (1 - q'^a): what a new station adds */
            for (size_t k = 0; k < pv->lstart[pv->nlinks]; k++) {
                lpt *q = &pv->lp[k];
                q->qgain = r->q_new < 1 ? q->pop * pow(r->q_new, r->point_amb[q->pt]) * (1 - qa) : 0;
            }
        }
    }
    r->prepare_s = now_s() - t0;
    if (st == EMS_OK && !(src = ems_malloc(ctx, r->ncand * sizeof *src)))
        st = EMS_ENOMEM;
    if (st == EMS_OK) {
        for (size_t i = 0; i < r->ncand; i++)
            src[i] = (route_source){r->cand[i].pos, r->cand[i].delay_s};
        double t1 = now_s(), c1 = cpu_s();
        st = run_searches(ctx, r, src, r->ncand, false, r->cand, &r->cstart, &r->cpts, &r->settled_total);
        if (st == EMS_OK)
            st = split_backup(ctx, r);
        r->evaluate_s = now_s() - t1;
        r->evaluate_cpu_s = cpu_s() - c1;
    }
    if (st == EMS_OK && r->mexclp) {
        /* with a new station, q falls for everyone: add that change to each candidate's own gain */
        double base_q_new = r->q_new < 1 ? opt_mexclp_expected(a->npoints, a->pop, r->point_amb, r->q_new) : 0;
        for (size_t i = 0; i < r->ncand; i++)
            r->cand[i].mexclp_gain += base_q_new - r->exp_base;
    }
    for (size_t i = 0; st == EMS_OK && i < r->ncand; i++)
        if (!r->mexclp)
            r->cand[i].mexclp_gain = NAN;
    if (st == EMS_OK) {
        uint32_t *tmp = ems_malloc(ctx, r->ncand * sizeof *tmp);
        r->by_rank = ems_malloc(ctx, r->ncand * sizeof *r->by_rank);
        r->rank_of = ems_malloc(ctx, r->ncand * sizeof *r->rank_of);
        if (!tmp || !r->by_rank || !r->rank_of)
            st = EMS_ENOMEM;
        else {
            for (size_t i = 0; i < r->ncand; i++)
                r->by_rank[i] = (uint32_t)i;
            sort_ranks(r->cand, r->by_rank, tmp, r->ncand);
            for (size_t i = 0; i < r->ncand; i++)
                r->cand[r->by_rank[i]].rank = r->rank_of[r->by_rank[i]] = (uint32_t)i + 1;
        }
        free(tmp);
    }
    if (st == EMS_OK)
        st = make_ladder(ctx, r);
    free(src);
    index_destroy(six);
    index_destroy(xix);
    layer_destroy(ex);
    if (st != EMS_OK) {
        sites_destroy(r);
        return st;
    }
    *out = r;
    return EMS_OK;
}

void sites_destroy(sites_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->cand && i < r->ncand; i++)
        free(r->cand[i].id);
    free(r->cand);
    free(r->by_rank);
    free(r->rank_of);
    free(r->closed);
    free(r->unit_stations);
    free(r->cur_s);
    free(r->bak_s);
    free(r->point_amb);
    free(r->upt);
    free(r->uw);
    free(r->cstart);
    free(r->cpts);
    free(r->bw);
    free(r->bstart);
    free(r->bpts);
    free(r->cand_group);
    free(r->group_need);
    free(r->cand_mean);
    priv *pv = r->priv;
    if (pv) {
        free(pv->lstart);
        free(pv->lp);
        free(pv->lacc_min);
        free(pv);
    }
    free(r);
}

void sites_instance(const sites_result *r, opt_instance *in)
{
    *in = (opt_instance){r->ncand, r->nupts, r->uw, r->cstart, r->cpts, r->rank_of, &r->ladder};
}

ems_status sites_full_cover(emscov_ctx *ctx, const sites_result *r, size_t **start, uint32_t **pts)
{
    route_source *src = ems_malloc(ctx, (r->ncand ? r->ncand : 1) * sizeof *src);
    if (!src)
        return EMS_ENOMEM;
    for (size_t i = 0; i < r->ncand; i++)
        src[i] = (route_source){r->cand[i].pos, r->cand[i].delay_s};
    ems_status st = run_searches(ctx, r, src, r->ncand, true, NULL, start, pts, NULL);
    free(src);
    return st;
}

ems_status sites_selection_eval(emscov_ctx *ctx, const sites_result *r, const uint32_t *sel, size_t n,
                                double *covered, double *q, double *expected)
{
    bool *hit = ems_calloc(ctx, r->nupts ? r->nupts : 1, sizeof *hit);
    if (!hit)
        return EMS_ENOMEM;
    double v = r->base_covered;
    for (size_t j = 0; j < n; j++)
        for (size_t k = r->cstart[sel[j]]; k < r->cstart[sel[j] + 1]; k++)
            if (!hit[r->cpts[k]]) {
                hit[r->cpts[k]] = true;
                v += r->uw[r->cpts[k]];
            }
    free(hit);
    *covered = v;
    *q = NAN;
    *expected = NAN;
    if (!r->mexclp)
        return EMS_OK;
    const analysis *a = r->a;
    route_source *src = ems_malloc(ctx, (n ? n : 1) * sizeof *src);
    double *amb = ems_malloc(ctx, (a->npoints ? a->npoints : 1) * sizeof *amb);
    size_t *start = NULL;
    uint32_t *list = NULL;
    ems_status st = EMS_OK;
    if (!src || !amb) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < n; j++)
        src[j] = (route_source){r->cand[sel[j]].pos, r->cand[sel[j]].delay_s};
    if ((st = run_searches(ctx, r, src, n, true, NULL, &start, &list, NULL)) != EMS_OK)
        goto done;
    memcpy(amb, r->point_amb, a->npoints * sizeof *amb);
    for (size_t j = 0; j < n; j++)
        for (size_t k = start[j]; k < start[j + 1]; k++)
            amb[list[k]] += r->ambulances;
    *q = opt_mexclp_busy(r->calls_per_day, r->job_min, r->total_amb + (double)n * r->ambulances);
    *expected = opt_mexclp_expected(a->npoints, a->pop, amb, *q);
done:
    free(src);
    free(amb);
    free(start);
    free(list);
    return st;
}
