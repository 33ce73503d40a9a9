/* src/analysis/optimize.c: MCLP greedy (CELF) + 1-swap, exact MCLP and LSCP with GLPK, MEXCLP (see
 * optimize.h). */
#include "src/analysis/optimize.h"

#include <glpk.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *opt_exact_status_text(opt_exact_status s)
{
    switch (s) {
    case OPT_EXACT_NOT_RUN: return "not run";
    case OPT_EXACT_OPTIMAL: return "optimal";
    case OPT_EXACT_TIME_LIMIT: return "time limit";
    case OPT_EXACT_TOO_LARGE: return "too large";
    case OPT_EXACT_INFEASIBLE: return "infeasible";
    case OPT_EXACT_FAILED: return "failed";
    }
    return "?";
}

static ems_status check_instance(emscov_ctx *ctx, const opt_instance *in)
{
    if (in->ncand >= OPT_NONE || in->npts >= OPT_NONE)
        return emscov_fail(ctx, EMS_EINPUT, "optimise: too many candidates or points");
    for (size_t c = 0; c < in->ncand; c++)
        for (size_t j = in->start[c]; j < in->start[c + 1]; j++)
            if (in->pts[j] >= in->npts)
                return emscov_fail(ctx, EMS_EINTERNAL, "optimise: candidate %zu: point %u out of range", c,
                                   in->pts[j]);
    const opt_ladder *l = in->ladder;
    for (size_t c = 0; l && c < in->ncand; c++)
        for (size_t j = l->bstart[c]; j < l->bstart[c + 1]; j++)
            if (l->bpts[j] >= l->nbpts)
                return emscov_fail(ctx, EMS_EINTERNAL, "optimise: candidate %zu: backup point %u out of range", c,
                                   l->bpts[j]);
    return EMS_OK;
}

/* ---- greedy state: how many selected sites cover each point ---- */

typedef struct gstate {
    const opt_instance *in;
    uint32_t *cnt;
    double value;
    /* the ladder's state (NULL without one): sites placed per group, picks covering each backup point */
    uint32_t *placed;
    uint32_t *bcnt;
} gstate;

static double gain_of(const gstate *g, uint32_t c)
{
    const opt_instance *in = g->in;
    double s = 0;
    for (size_t j = in->start[c]; j < in->start[c + 1]; j++)
        if (g->cnt[in->pts[j]] == 0)
            s += in->w[in->pts[j]];
    return s;
}

static void add_site(gstate *g, uint32_t c, int delta)
{
    const opt_instance *in = g->in;
    for (size_t j = in->start[c]; j < in->start[c + 1]; j++)
        g->cnt[in->pts[j]] = (uint32_t)((int64_t)g->cnt[in->pts[j]] + delta);
}

static double covered_value(const gstate *g)
{
    double s = 0;
    for (size_t p = 0; p < g->in->npts; p++)
        if (g->cnt[p] > 0)
            s += g->in->w[p];
    return s;
}

/* The ladder's keys after the covered weight: does c fill a group still short of sites, and its backup gain. */
static double ladder_fills(const gstate *g, uint32_t c)
{
    const opt_ladder *l = g->in->ladder;
    if (!l || !g->placed)
        return 0;
    uint32_t u = l->cand_group[c];
    return u != OPT_NONE && u < l->ngroups && g->placed[u] < l->group_need[u] ? 1 : 0;
}

static double ladder_backup(const gstate *g, uint32_t c)
{
    const opt_instance *in = g->in;
    const opt_ladder *l = in->ladder;
    if (!l || !g->bcnt)
        return 0;
    double s = 0;
    for (size_t j = in->start[c]; j < in->start[c + 1]; j++)
        if (g->cnt[in->pts[j]] == 1)
            s += in->w[in->pts[j]];
    for (size_t j = l->bstart[c]; j < l->bstart[c + 1]; j++)
        if (g->bcnt[l->bpts[j]] == 0)
            s += l->bw[l->bpts[j]];
    return s;
}

/* A pick made: the ladder's state follows. */
static void ladder_add(gstate *g, uint32_t c)
{
    const opt_ladder *l = g->in->ladder;
    if (!l || !g->placed || !g->bcnt)
        return;
    uint32_t u = l->cand_group[c];
    if (u != OPT_NONE && u < l->ngroups)
        g->placed[u]++;
    for (size_t j = l->bstart[c]; j < l->bstart[c + 1]; j++)
        g->bcnt[l->bpts[j]]++;
}

/* CELF queue: max-heap of (upper bound on the covered weight gained, then the ladder's keys: fills a group,
 * backup gain, fixed mean change), ties to the lower tie rank (0 without), then the lower index; round = when
 * last evaluated. */
typedef struct qentry {
    double ub, fills, backup, mean;
    uint32_t c, round, tr;
} qentry;

/* a > b beyond rounding noise (sums of the same weights in another order) */
static int cmp_key(double a, double b)
{
    double tol = 1e-9 * fmax(1, fmax(fabs(a), fabs(b)));
    return a > b + tol ? 1 : b > a + tol ? -1 : 0;
}

static bool qabove(const qentry *a, const qentry *b)
{
    int k;
    if ((k = cmp_key(a->ub, b->ub)) != 0 || (k = cmp_key(a->fills, b->fills)) != 0 ||
        (k = cmp_key(a->backup, b->backup)) != 0 || (k = cmp_key(b->mean, a->mean)) != 0)
        return k > 0;
    return a->tr != b->tr ? a->tr < b->tr : a->c < b->c;
}

static qentry q_entry(const gstate *g, uint32_t c, uint32_t round)
{
    const opt_instance *in = g->in;
    return (qentry){gain_of(g, c), ladder_fills(g, c), ladder_backup(g, c),
                    in->ladder && in->ladder->mean_change ? in->ladder->mean_change[c] : 0, c, round,
                    in->tie_rank ? in->tie_rank[c] : 0};
}

static void q_push(qentry *h, size_t *n, qentry e)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!qabove(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
}

static qentry q_pop(qentry *h, size_t *n)
{
    qentry top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && qabove(&h[c + 1], &h[c]))
            c++;
        if (!qabove(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0)
        h[i] = last;
    return top;
}

/* Fill the queue with every candidate not excluded, its gain in the current state. */
static size_t q_fill(const gstate *g, qentry *h, const bool *skip, uint32_t round, size_t *evals)
{
    size_t n = 0;
    for (uint32_t c = 0; c < g->in->ncand; c++)
        if (!skip || !skip[c]) {
            q_push(h, &n, q_entry(g, c, round));
            (*evals)++;
        }
    return n;
}

/* Lazy step: the candidate of largest current keys (ties: tie rank, lowest index); OPT_NONE when the queue is
 * empty. */
static uint32_t q_best(const gstate *g, qentry *h, size_t *n, uint32_t round, double *gain, size_t *evals)
{
    while (*n > 0) {
        qentry e = q_pop(h, n);
        if (e.round == round) {
            *gain = e.ub;
            return e.c;
        }
        e = q_entry(g, e.c, round);
        (*evals)++;
        q_push(h, n, e);
    }
    return OPT_NONE;
}

void opt_greedy_fini(opt_greedy_result *r)
{
    if (!r)
        return;
    free(r->order);
    free(r->gain);
    free(r->curve);
    free(r->sel);
    memset(r, 0, sizeof *r);
}

/* Point -> candidates covering it (CSR, candidates ascending). */
static ems_status transpose(emscov_ctx *ctx, const opt_instance *in, size_t **pstart, uint32_t **pcand)
{
    size_t nnz = in->start[in->ncand];
    *pstart = ems_calloc(ctx, in->npts + 1, sizeof **pstart);
    *pcand = ems_malloc(ctx, (nnz ? nnz : 1) * sizeof **pcand);
    size_t *fill = ems_malloc(ctx, (in->npts ? in->npts : 1) * sizeof *fill);
    if (!*pstart || !*pcand || !fill) {
        free(fill);
        return EMS_ENOMEM;
    }
    size_t *ps = *pstart;
    for (size_t j = 0; j < nnz; j++)
        ps[in->pts[j] + 1]++;
    for (size_t p = 0; p < in->npts; p++)
        ps[p + 1] += ps[p];
    memcpy(fill, ps, in->npts * sizeof *fill);
    for (uint32_t c = 0; c < in->ncand; c++)
        for (size_t j = in->start[c]; j < in->start[c + 1]; j++)
            (*pcand)[fill[in->pts[j]]++] = c;
    free(fill);
    return EMS_OK;
}

/* One pass of 1-swap: for each selected site in order, the best replacement by an unselected candidate, made
 * when it increases the covered weight. */
static ems_status swap_pass(emscov_ctx *ctx, gstate *g, uint32_t *sel, size_t k, size_t *swaps, size_t *evals)
{
    const opt_instance *in = g->in;
    size_t *pstart = NULL;
    uint32_t *pcand = NULL;
    double *gain = ems_malloc(ctx, in->ncand * sizeof *gain);
    double *delta = ems_calloc(ctx, in->ncand, sizeof *delta);
    bool *in_sel = ems_calloc(ctx, in->ncand, sizeof *in_sel);
    ems_status st = EMS_OK;
    if (!gain || !delta || !in_sel || (st = transpose(ctx, in, &pstart, &pcand)) != EMS_OK) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < k; j++)
        in_sel[sel[j]] = true;
    for (uint32_t c = 0; c < in->ncand; c++)
        gain[c] = in_sel[c] ? 0 : gain_of(g, c);
    *evals += in->ncand;
    for (size_t j = 0; j < k; j++) {
        uint32_t s = sel[j];
        double loss = 0;
        for (size_t a = in->start[s]; a < in->start[s + 1]; a++) {
            uint32_t p = in->pts[a];
            if (g->cnt[p] != 1)
                continue;
            loss += in->w[p];
            for (size_t b = pstart[p]; b < pstart[p + 1]; b++)
                delta[pcand[b]] += in->w[p];
        }
        uint32_t best = OPT_NONE;
        double best_net = 0, tol = 1e-9 * fmax(1, g->value);
        for (uint32_t c = 0; c < in->ncand; c++) {
            if (in_sel[c])
                continue;
            double net = gain[c] + delta[c] - loss;
            if (net > tol && (best == OPT_NONE || net > best_net))
                best = c, best_net = net;
        }
        for (uint32_t c = 0; c < in->ncand; c++)
            delta[c] = 0;
        if (best == OPT_NONE)
            continue;
        add_site(g, s, -1);
        add_site(g, best, +1);
        in_sel[s] = false;
        in_sel[best] = true;
        sel[j] = best;
        (*swaps)++;
        g->value = covered_value(g);
        for (uint32_t c = 0; c < in->ncand; c++)
            gain[c] = in_sel[c] ? 0 : gain_of(g, c);
        *evals += in->ncand;
    }
done:
    free(gain);
    free(delta);
    free(in_sel);
    free(pstart);
    free(pcand);
    return st;
}

ems_status opt_greedy(emscov_ctx *ctx, const opt_instance *in, size_t k, bool swap, opt_greedy_result *out)
{
    memset(out, 0, sizeof *out);
    if (k < 1 || k > in->ncand)
        return emscov_fail(ctx, EMS_EINPUT, "k = %zu sites asked for, but there are %zu candidates", k, in->ncand);
    ems_status st = check_instance(ctx, in);
    if (st != EMS_OK)
        return st;
    gstate g = {in, ems_calloc(ctx, in->npts ? in->npts : 1, sizeof *g.cnt), 0, NULL, NULL};
    qentry *h = ems_malloc(ctx, in->ncand * sizeof *h);
    const opt_ladder *l = in->ladder;
    if (l && (!(g.placed = ems_calloc(ctx, l->ngroups ? l->ngroups : 1, sizeof *g.placed)) ||
              !(g.bcnt = ems_calloc(ctx, l->nbpts ? l->nbpts : 1, sizeof *g.bcnt)))) {
        st = EMS_ENOMEM;
        goto done;
    }
    out->k = k;
    out->order = ems_malloc(ctx, k * sizeof *out->order);
    out->gain = ems_malloc(ctx, k * sizeof *out->gain);
    out->curve = ems_malloc(ctx, k * sizeof *out->curve);
    out->sel = ems_malloc(ctx, k * sizeof *out->sel);
    if (!g.cnt || !h || !out->order || !out->gain || !out->curve || !out->sel) {
        st = EMS_ENOMEM;
        goto done;
    }
    size_t n = q_fill(&g, h, NULL, 0, &out->evaluations);
    for (size_t j = 0; j < k; j++) {
        double gain = 0;
        uint32_t c = q_best(&g, h, &n, (uint32_t)j, &gain, &out->evaluations);
        if (c == OPT_NONE) {
            st = emscov_fail(ctx, EMS_EINTERNAL, "greedy: queue empty at pick %zu", j + 1);
            goto done;
        }
        add_site(&g, c, +1);
        ladder_add(&g, c);
        g.value += gain;
        out->order[j] = c;
        out->gain[j] = gain;
        out->curve[j] = g.value;
        /* the others' stored gains are from round j or earlier: stale from now on */
    }
    g.value = covered_value(&g);
    out->greedy_value = out->curve[k - 1] = g.value;
    memcpy(out->sel, out->order, k * sizeof *out->sel);
    if (swap && (st = swap_pass(ctx, &g, out->sel, k, &out->swaps, &out->evaluations)) != EMS_OK)
        goto done;
    out->value = g.value;
done:
    free(g.cnt);
    free(g.placed);
    free(g.bcnt);
    free(h);
    if (st != EMS_OK)
        opt_greedy_fini(out);
    return st;
}

/* ---- aggregation of points with identical covering sets, for the integer programs ---- */

typedef struct agg {
    size_t ngroups;
    double *w;        /* per group */
    size_t *gstart;   /* per group: offsets into gcand */
    uint32_t *gcand;  /* candidates covering the group */
    uint32_t *pgroup; /* per point: group or OPT_NONE (covered by no candidate, or weight 0) */
} agg;

static void agg_fini(agg *a)
{
    free(a->w);
    free(a->gstart);
    free(a->gcand);
    free(a->pgroup);
}

typedef struct hp {
    uint64_t h;
    uint32_t p;
} hp;

static int cmp_hp(const void *a, const void *b)
{
    const hp *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->p < y->p ? -1 : x->p > y->p;
}

static ems_status aggregate(emscov_ctx *ctx, const opt_instance *in, agg *a)
{
    memset(a, 0, sizeof *a);
    size_t *ps = NULL;
    uint32_t *pc = NULL;
    size_t m = in->npts ? in->npts : 1;
    ems_status st = transpose(ctx, in, &ps, &pc);
    hp *v = st == EMS_OK ? ems_malloc(ctx, m * sizeof *v) : NULL;
    uint32_t *gp = st == EMS_OK ? ems_malloc(ctx, m * sizeof *gp) : NULL; /* group -> representative point */
    a->pgroup = st == EMS_OK ? ems_malloc(ctx, m * sizeof *a->pgroup) : NULL;
    if (st != EMS_OK || !v || !gp || !a->pgroup) {
        st = EMS_ENOMEM;
        goto done;
    }
    size_t nv = 0;
    for (uint32_t p = 0; p < in->npts; p++) {
        a->pgroup[p] = OPT_NONE;
        if (ps[p + 1] == ps[p] || !(in->w[p] > 0))
            continue;
        uint64_t h = 1469598103934665603ULL; /* FNV-1a over the candidate list */
        for (size_t j = ps[p]; j < ps[p + 1]; j++)
            h = (h ^ pc[j]) * 1099511628211ULL;
        v[nv++] = (hp){h, p};
    }
    qsort(v, nv, sizeof *v, cmp_hp);
    /* within a run of equal hashes, a point joins the group of an equal list met earlier in the run */
    size_t ng = 0, nnz = 0;
    for (size_t i = 0, run = 0; i < nv; i++) {
        if (i > 0 && v[i].h != v[i - 1].h)
            run = i;
        uint32_t p = v[i].p;
        size_t lp = ps[p + 1] - ps[p];
        for (size_t j = run; j < i && a->pgroup[p] == OPT_NONE; j++) {
            uint32_t q = v[j].p;
            if (gp[a->pgroup[q]] == q && lp == ps[q + 1] - ps[q] && !memcmp(pc + ps[p], pc + ps[q], lp * sizeof *pc))
                a->pgroup[p] = a->pgroup[q];
        }
        if (a->pgroup[p] == OPT_NONE) {
            gp[ng] = p;
            a->pgroup[p] = (uint32_t)ng++;
            nnz += lp;
        }
    }
    a->ngroups = ng;
    a->w = ems_calloc(ctx, ng ? ng : 1, sizeof *a->w);
    a->gstart = ems_calloc(ctx, ng + 1, sizeof *a->gstart);
    a->gcand = ems_malloc(ctx, (nnz ? nnz : 1) * sizeof *a->gcand);
    if (!a->w || !a->gstart || !a->gcand) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (uint32_t p = 0; p < in->npts; p++) /* weights summed in point order: deterministic */
        if (a->pgroup[p] != OPT_NONE)
            a->w[a->pgroup[p]] += in->w[p];
    for (size_t g = 0; g < ng; g++) {
        uint32_t p = gp[g];
        size_t l = ps[p + 1] - ps[p];
        memcpy(a->gcand + a->gstart[g], pc + ps[p], l * sizeof *pc);
        a->gstart[g + 1] = a->gstart[g] + l;
    }
done:
    free(ps);
    free(pc);
    free(v);
    free(gp);
    if (st != EMS_OK)
        agg_fini(a);
    return st;
}

/* ---- GLPK ---- */

typedef struct cbinfo {
    const double *start_x; /* 1-based column values of a start solution, or NULL */
    bool given;
    double bound;
    bool have_bound;
} cbinfo;

static void on_tree(glp_tree *T, void *info)
{
    cbinfo *ci = info;
    if (glp_ios_reason(T) == GLP_IHEUR && ci->start_x && !ci->given) {
        glp_ios_heur_sol(T, ci->start_x);
        ci->given = true;
    }
    int node = glp_ios_best_node(T);
    if (node) {
        ci->bound = glp_ios_node_bound(T, node);
        ci->have_bound = true;
    }
}

/* Solve a built problem; x values of the first ncand columns >= 0.5 make the selection. */
static ems_status solve(emscov_ctx *ctx, glp_prob *lp, size_t ncand, const opt_exact_opts *o, const double *start_x,
                        opt_exact_result *r)
{
    glp_smcp sp;
    glp_init_smcp(&sp);
    sp.msg_lev = GLP_MSG_OFF;
    sp.presolve = GLP_ON;
    double t0 = now_s(), limit = o && o->time_limit_s > 0 ? o->time_limit_s : 60;
    sp.tm_lim = (int)fmin(limit * 1000, 2e9);
    int rc = glp_simplex(lp, &sp);
    if (rc == GLP_ENOPFS || rc == GLP_ENODFS || (rc == 0 && glp_get_status(lp) == GLP_NOFEAS)) {
        r->status = OPT_EXACT_INFEASIBLE;
        return EMS_OK;
    }
    if (rc == GLP_ETMLIM) { /* not even the LP relaxation: no solution, no bound */
        r->status = OPT_EXACT_TIME_LIMIT;
        r->bound = NAN;
        r->seconds = now_s() - t0;
        return EMS_OK;
    }
    if (rc != 0 || glp_get_status(lp) != GLP_OPT) {
        r->status = OPT_EXACT_FAILED;
        return EMS_OK;
    }
    double lp_bound = glp_get_obj_val(lp);
    glp_iocp ip;
    glp_init_iocp(&ip);
    ip.msg_lev = GLP_MSG_OFF;
    double left = limit - (now_s() - t0);
    ip.tm_lim = (int)fmax(1, fmin(left * 1000, 2e9));
    cbinfo ci = {start_x, false, lp_bound, true};
    ip.cb_func = on_tree;
    ip.cb_info = &ci;
    rc = glp_intopt(lp, &ip);
    int ms = glp_mip_status(lp);
    r->seconds = now_s() - t0;
    if (ms == GLP_NOFEAS) {
        r->status = OPT_EXACT_INFEASIBLE;
        return EMS_OK;
    }
    if (ms != GLP_OPT && ms != GLP_FEAS) {
        r->status = rc == GLP_ETMLIM ? OPT_EXACT_TIME_LIMIT : OPT_EXACT_FAILED;
        r->bound = ci.bound;
        return EMS_OK;
    }
    r->status = rc == 0 && ms == GLP_OPT ? OPT_EXACT_OPTIMAL : OPT_EXACT_TIME_LIMIT;
    r->bound = r->status == OPT_EXACT_OPTIMAL ? glp_mip_obj_val(lp) : ci.bound;
    r->sel = ems_malloc(ctx, (ncand ? ncand : 1) * sizeof *r->sel);
    if (!r->sel)
        return EMS_ENOMEM;
    for (size_t c = 0; c < ncand; c++)
        if (glp_mip_col_val(lp, (int)c + 1) >= 0.5)
            r->sel[r->nsel++] = (uint32_t)c;
    return EMS_OK;
}

void opt_exact_fini(opt_exact_result *r)
{
    if (!r)
        return;
    free(r->sel);
    memset(r, 0, sizeof *r);
}

/* Columns: x_1..x_ncand (binary), then y_1..y_G (continuous [0, 1]). Rows 1..G: y_g - sum x <= 0. */
static glp_prob *base_model(emscov_ctx *ctx, const opt_instance *in, const agg *a, int **ia, int **ja, double **ar,
                            size_t *nz, size_t extra)
{
    size_t cap = a->gstart[a->ngroups] + a->ngroups + extra + 1;
    *ia = ems_malloc(ctx, cap * sizeof **ia);
    *ja = ems_malloc(ctx, cap * sizeof **ja);
    *ar = ems_malloc(ctx, cap * sizeof **ar);
    if (!*ia || !*ja || !*ar)
        return NULL;
    glp_prob *lp = glp_create_prob();
    glp_add_cols(lp, (int)(in->ncand + a->ngroups));
    for (size_t c = 0; c < in->ncand; c++)
        glp_set_col_kind(lp, (int)c + 1, GLP_BV);
    for (size_t g = 0; g < a->ngroups; g++)
        glp_set_col_bnds(lp, (int)(in->ncand + g) + 1, GLP_DB, 0, 1);
    if (a->ngroups)
        glp_add_rows(lp, (int)a->ngroups);
    size_t n = 0;
    for (size_t g = 0; g < a->ngroups; g++) {
        int row = (int)g + 1;
        glp_set_row_bnds(lp, row, GLP_UP, 0, 0);
        n++;
        (*ia)[n] = row, (*ja)[n] = (int)(in->ncand + g) + 1, (*ar)[n] = 1;
        for (size_t j = a->gstart[g]; j < a->gstart[g + 1]; j++) {
            n++;
            (*ia)[n] = row, (*ja)[n] = (int)a->gcand[j] + 1, (*ar)[n] = -1;
        }
    }
    *nz = n;
    return lp;
}

ems_status opt_exact_mclp(emscov_ctx *ctx, const opt_instance *in, size_t k, const opt_exact_opts *o,
                          opt_exact_result *out)
{
    memset(out, 0, sizeof *out);
    if (k < 1 || k > in->ncand)
        return emscov_fail(ctx, EMS_EINPUT, "k = %zu sites asked for, but there are %zu candidates", k, in->ncand);
    ems_status st = check_instance(ctx, in);
    if (st != EMS_OK)
        return st;
    agg a;
    if ((st = aggregate(ctx, in, &a)) != EMS_OK)
        return st;
    double t0 = now_s();
    out->groups = a.ngroups;
    out->rows = a.ngroups + 1;
    out->cols = in->ncand + a.ngroups;
    out->nonzeros = a.gstart[a.ngroups] + a.ngroups + in->ncand;
    size_t max_nz = o && o->max_nonzeros ? o->max_nonzeros : OPT_EXACT_DEFAULT_MAX_NZ;
    if (out->nonzeros > max_nz || out->cols >= (size_t)INT32_MAX / 2) {
        out->status = OPT_EXACT_TOO_LARGE;
        agg_fini(&a);
        return EMS_OK;
    }
    int *ia = NULL, *ja = NULL;
    double *ar = NULL, *x0 = NULL;
    size_t nz = 0;
    glp_term_out(GLP_OFF);
    glp_prob *lp = base_model(ctx, in, &a, &ia, &ja, &ar, &nz, in->ncand);
    if (!lp) {
        st = emscov_fail(ctx, EMS_ENOMEM, "out of memory building the integer program");
        goto done;
    }
    glp_set_obj_dir(lp, GLP_MAX);
    for (size_t g = 0; g < a.ngroups; g++)
        glp_set_obj_coef(lp, (int)(in->ncand + g) + 1, a.w[g]);
    int krow = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, krow, GLP_FX, (double)k, (double)k);
    for (size_t c = 0; c < in->ncand; c++) {
        nz++;
        ia[nz] = krow, ja[nz] = (int)c + 1, ar[nz] = 1;
    }
    glp_load_matrix(lp, (int)nz, ia, ja, ar);
    if (o && o->start_sel && o->start_n == k) {
        if (!(x0 = ems_calloc(ctx, out->cols + 1, sizeof *x0))) {
            st = EMS_ENOMEM;
            goto done;
        }
        bool *cov = ems_calloc(ctx, a.ngroups ? a.ngroups : 1, sizeof *cov);
        if (!cov) {
            st = EMS_ENOMEM;
            goto done;
        }
        for (size_t j = 0; j < k; j++)
            x0[o->start_sel[j] + 1] = 1;
        for (size_t g = 0; g < a.ngroups; g++)
            for (size_t j = a.gstart[g]; j < a.gstart[g + 1]; j++)
                if (x0[a.gcand[j] + 1] > 0)
                    cov[g] = true;
        for (size_t g = 0; g < a.ngroups; g++)
            x0[in->ncand + g + 1] = cov[g];
        free(cov);
    }
    if ((st = solve(ctx, lp, in->ncand, o, x0, out)) != EMS_OK)
        goto done;
    if (out->sel) {
        /* the value from our own sums, not GLPK's objective */
        bool *on = ems_calloc(ctx, in->ncand ? in->ncand : 1, sizeof *on);
        if (!on) {
            st = EMS_ENOMEM;
            goto done;
        }
        for (size_t j = 0; j < out->nsel; j++)
            on[out->sel[j]] = true;
        double v = 0;
        for (size_t p = 0; p < in->npts; p++) {
            uint32_t g = a.pgroup[p];
            bool hit = false;
            for (size_t j = g == OPT_NONE ? 0 : a.gstart[g]; g != OPT_NONE && j < a.gstart[g + 1] && !hit; j++)
                hit = on[a.gcand[j]];
            if (hit)
                v += in->w[p];
        }
        free(on);
        out->value = v;
        if (out->status == OPT_EXACT_OPTIMAL)
            out->bound = v;
    }
done:
    out->seconds = now_s() - t0;
    if (lp)
        glp_delete_prob(lp);
    glp_free_env();
    free(ia);
    free(ja);
    free(ar);
    free(x0);
    agg_fini(&a);
    if (st != EMS_OK)
        opt_exact_fini(out);
    return st;
}

/* ---- LSCP-style ---- */

void opt_lscp_fini(opt_lscp_result *r)
{
    if (!r)
        return;
    free(r->sel);
    opt_exact_fini(&r->exact);
    memset(r, 0, sizeof *r);
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

static ems_status lscp_exact(emscov_ctx *ctx, const opt_lscp_problem *p, const opt_exact_opts *o,
                             const uint32_t *start, size_t nstart, opt_exact_result *out)
{
    const opt_instance *in = p->in;
    memset(out, 0, sizeof *out);
    agg a;
    ems_status st = aggregate(ctx, in, &a);
    if (st != EMS_OK)
        return st;
    double t0 = now_s();
    size_t ngr = 0;
    for (size_t u = 0; u < p->ngroups; u++)
        ngr += p->group_need[u] > 0;
    out->groups = a.ngroups;
    out->rows = a.ngroups + ngr + 1;
    out->cols = in->ncand + a.ngroups;
    out->nonzeros = a.gstart[a.ngroups] + 2 * a.ngroups + in->ncand;
    size_t max_nz = o->max_nonzeros ? o->max_nonzeros : OPT_EXACT_DEFAULT_MAX_NZ;
    if (out->nonzeros > max_nz) {
        out->status = OPT_EXACT_TOO_LARGE;
        agg_fini(&a);
        return EMS_OK;
    }
    int *ia = NULL, *ja = NULL, *grow = NULL;
    double *ar = NULL, *x0 = NULL;
    size_t nz = 0;
    glp_term_out(GLP_OFF);
    glp_prob *lp = base_model(ctx, in, &a, &ia, &ja, &ar, &nz, in->ncand + a.ngroups);
    grow = ems_calloc(ctx, p->ngroups ? p->ngroups : 1, sizeof *grow);
    if (!lp || !grow) {
        st = emscov_fail(ctx, EMS_ENOMEM, "out of memory building the integer program");
        goto done;
    }
    glp_set_obj_dir(lp, GLP_MIN);
    for (size_t c = 0; c < in->ncand; c++)
        glp_set_obj_coef(lp, (int)c + 1, 1);
    int crow = glp_add_rows(lp, 1);
    glp_set_row_bnds(lp, crow, GLP_LO, p->need_weight * (1 - 1e-12), 0);
    for (size_t g = 0; g < a.ngroups; g++) {
        nz++;
        ia[nz] = crow, ja[nz] = (int)(in->ncand + g) + 1, ar[nz] = a.w[g];
    }
    for (size_t u = 0; u < p->ngroups; u++)
        if (p->group_need[u] > 0) {
            grow[u] = glp_add_rows(lp, 1);
            glp_set_row_bnds(lp, grow[u], GLP_LO, p->group_need[u], 0);
        }
    for (size_t c = 0; c < in->ncand; c++) {
        uint32_t u = p->cand_group[c];
        if (u != OPT_NONE && u < p->ngroups && grow[u]) {
            nz++;
            ia[nz] = grow[u], ja[nz] = (int)c + 1, ar[nz] = 1;
        }
    }
    glp_load_matrix(lp, (int)nz, ia, ja, ar);
    if (start) {
        if (!(x0 = ems_calloc(ctx, out->cols + 1, sizeof *x0))) {
            st = EMS_ENOMEM;
            goto done;
        }
        for (size_t j = 0; j < nstart; j++)
            x0[start[j] + 1] = 1;
        for (size_t g = 0; g < a.ngroups; g++)
            for (size_t j = a.gstart[g]; j < a.gstart[g + 1]; j++)
                if (x0[a.gcand[j] + 1] > 0)
                    x0[in->ncand + g + 1] = 1;
    }
    st = solve(ctx, lp, in->ncand, o, x0, out);
    if (out->sel)
        out->value = (double)out->nsel;
    if (out->status == OPT_EXACT_OPTIMAL)
        out->bound = out->value;
done:
    out->seconds = now_s() - t0;
    if (lp)
        glp_delete_prob(lp);
    glp_free_env();
    free(ia);
    free(ja);
    free(ar);
    free(x0);
    free(grow);
    agg_fini(&a);
    return st;
}

ems_status opt_lscp(emscov_ctx *ctx, const opt_lscp_problem *p, const opt_exact_opts *exact, opt_lscp_result *out)
{
    memset(out, 0, sizeof *out);
    out->first_short = OPT_NONE;
    const opt_instance *in = p->in;
    ems_status st = check_instance(ctx, in);
    if (st != EMS_OK)
        return st;
    size_t nc = in->ncand;
    gstate g = {in, ems_calloc(ctx, in->npts ? in->npts : 1, sizeof *g.cnt), 0, NULL, NULL};
    uint32_t *placed = ems_calloc(ctx, p->ngroups ? p->ngroups : 1, sizeof *placed);
    uint32_t *avail = ems_calloc(ctx, p->ngroups ? p->ngroups : 1, sizeof *avail);
    bool *in_sel = ems_calloc(ctx, nc ? nc : 1, sizeof *in_sel);
    qentry *h = ems_malloc(ctx, (nc ? nc : 1) * sizeof *h);
    double *single = ems_malloc(ctx, (nc ? nc : 1) * sizeof *single);
    out->sel = ems_malloc(ctx, (nc ? nc : 1) * sizeof *out->sel);
    if (!g.cnt || !placed || !avail || !in_sel || !h || !single || !out->sel) {
        st = EMS_ENOMEM;
        goto done;
    }
    /* feasibility: everything at once */
    for (uint32_t c = 0; c < nc; c++) {
        add_site(&g, c, +1);
        if (p->cand_group[c] != OPT_NONE && p->cand_group[c] < p->ngroups)
            avail[p->cand_group[c]]++;
    }
    out->max_weight = covered_value(&g);
    for (uint32_t c = 0; c < nc; c++)
        add_site(&g, c, -1);
    size_t need_sites = 0;
    for (uint32_t u = 0; u < p->ngroups; u++) {
        need_sites += p->group_need[u];
        if (avail[u] < p->group_need[u]) {
            out->groups_short++;
            if (out->first_short == OPT_NONE)
                out->first_short = u;
        }
    }
    double tol = 1e-9 * fmax(1, p->need_weight);
    out->feasible = out->groups_short == 0 && out->max_weight >= p->need_weight - tol;
    if (!out->feasible)
        goto done;
    /* lower bound from the single gains */
    for (uint32_t c = 0; c < nc; c++)
        single[c] = gain_of(&g, c);
    qsort(single, nc, sizeof *single, cmp_desc);
    size_t m = 0;
    for (double acc = 0; acc < p->need_weight - tol && m < nc; m++)
        acc += single[m];
    out->lower_bound = m > need_sites ? m : need_sites;
    /* greedy: the groups' sites first (best gain inside each group, equal gains to the better tie rank), then
     * by gain until the weight is met */
    for (uint32_t u = 0; u < p->ngroups; u++)
        while (placed[u] < p->group_need[u]) {
            uint32_t best = OPT_NONE;
            double bg = -1;
            for (uint32_t c = 0; c < nc; c++)
                if (!in_sel[c] && p->cand_group[c] == u) {
                    double gc = gain_of(&g, c);
                    int k = best == OPT_NONE ? 1 : cmp_key(gc, bg);
                    if (k > 0 || (k == 0 && in->tie_rank && in->tie_rank[c] < in->tie_rank[best]))
                        best = c, bg = gc;
                }
            add_site(&g, best, +1);
            g.value += bg;
            in_sel[best] = true;
            placed[u]++;
            out->sel[out->nsel++] = best;
        }
    g.value = covered_value(&g);
    size_t evals = 0, n = q_fill(&g, h, in_sel, 0, &evals);
    for (uint32_t round = 1; g.value < p->need_weight - tol; round++) {
        double gain = 0;
        uint32_t c = q_best(&g, h, &n, round - 1, &gain, &evals);
        if (c == OPT_NONE)
            break;
        add_site(&g, c, +1);
        in_sel[c] = true;
        out->sel[out->nsel++] = c;
        g.value = covered_value(&g);
    }
    /* drop sites that turned out redundant, last first */
    for (size_t j = out->nsel; j-- > 0;) {
        uint32_t c = out->sel[j], u = p->cand_group[c];
        if (u != OPT_NONE && u < p->ngroups && placed[u] <= p->group_need[u])
            continue;
        add_site(&g, c, -1);
        double v = covered_value(&g);
        if (v >= p->need_weight - tol) {
            memmove(out->sel + j, out->sel + j + 1, (out->nsel - j - 1) * sizeof *out->sel);
            out->nsel--;
            in_sel[c] = false;
            if (u != OPT_NONE && u < p->ngroups)
                placed[u]--;
            g.value = v;
        } else {
            add_site(&g, c, +1);
        }
    }
    out->value = g.value;
    if (exact) {
        if ((st = lscp_exact(ctx, p, exact, out->sel, out->nsel, &out->exact)) != EMS_OK)
            goto done;
        if ((out->exact.status == OPT_EXACT_OPTIMAL || out->exact.status == OPT_EXACT_TIME_LIMIT) &&
            isfinite(out->exact.bound) && out->exact.bound > 0) {
            size_t lb = (size_t)ceil(out->exact.bound - 1e-6);
            if (lb > out->lower_bound)
                out->lower_bound = lb;
        }
        if (out->exact.sel && out->exact.nsel < out->nsel) {
            memcpy(out->sel, out->exact.sel, out->exact.nsel * sizeof *out->sel);
            out->nsel = out->exact.nsel;
            memset(g.cnt, 0, in->npts * sizeof *g.cnt);
            for (size_t j = 0; j < out->nsel; j++)
                add_site(&g, out->sel[j], +1);
            out->value = covered_value(&g);
        }
        if (out->exact.status == OPT_EXACT_OPTIMAL)
            out->lower_bound = out->nsel;
    }
done:
    free(g.cnt);
    free(placed);
    free(avail);
    free(in_sel);
    free(h);
    free(single);
    if (st != EMS_OK)
        opt_lscp_fini(out);
    return st;
}

/* ---- MEXCLP ---- */

double opt_mexclp_busy(double calls_per_day, double job_min, double ambulances)
{
    if (!(ambulances > 0))
        return INFINITY;
    return calls_per_day * job_min / (1440 * ambulances);
}

double opt_mexclp_expected(size_t n, const double *w, const double *amb, double q)
{
    double s = 0;
    if (!(q < 1))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (amb[i] > 0)
            s += w[i] * (1 - pow(q, amb[i]));
    return s;
}

ems_status opt_greedy_mexclp(emscov_ctx *ctx, const opt_mexclp_instance *in, size_t k, opt_greedy_result *out)
{
    memset(out, 0, sizeof *out);
    if (k < 1 || k > in->ncand)
        return emscov_fail(ctx, EMS_EINPUT, "k = %zu sites asked for, but there are %zu candidates", k, in->ncand);
    for (size_t c = 0; c < in->ncand; c++)
        for (size_t j = in->start[c]; j < in->start[c + 1]; j++)
            if (in->pts[j] >= in->npts)
                return emscov_fail(ctx, EMS_EINTERNAL, "MEXCLP: candidate %zu: point %u out of range", c,
                                   in->pts[j]);
    /* q falls as sites are added: the first pick's is the largest */
    double q1 = opt_mexclp_busy(in->calls_per_day, in->job_min, in->base_amb + in->site_amb);
    if (!(in->site_amb > 0) || !(q1 < 1))
        return emscov_fail(ctx, EMS_EINPUT,
                           "MEXCLP objective: busy fraction q = %.4g with one new site of %g ambulance(s): more work "
                           "than ambulances, the expected coverage does not apply",
                           q1, in->site_amb);
    double *n = ems_malloc(ctx, (in->npts ? in->npts : 1) * sizeof *n);
    bool *taken = ems_calloc(ctx, in->ncand, sizeof *taken);
    out->k = k;
    out->order = ems_malloc(ctx, k * sizeof *out->order);
    out->gain = ems_malloc(ctx, k * sizeof *out->gain);
    out->curve = ems_malloc(ctx, k * sizeof *out->curve);
    out->sel = ems_malloc(ctx, k * sizeof *out->sel);
    if (!n || !taken || !out->order || !out->gain || !out->curve || !out->sel) {
        free(n);
        free(taken);
        opt_greedy_fini(out);
        return EMS_ENOMEM;
    }
    memcpy(n, in->amb, in->npts * sizeof *n);
    double q0 = opt_mexclp_busy(in->calls_per_day, in->job_min, in->base_amb);
    double prev = opt_mexclp_expected(in->npts, in->w, n, q0);
    for (size_t j = 0; j < k; j++) {
        double q = opt_mexclp_busy(in->calls_per_day, in->job_min, in->base_amb + (double)(j + 1) * in->site_amb);
        uint32_t best = OPT_NONE;
        double bs = 0;
        for (uint32_t c = 0; c < in->ncand; c++) {
            if (taken[c])
                continue;
            double s = 0; /* E(S + c) - (what every candidate adds alike) = sum over c's points of w q^n */
            for (size_t a = in->start[c]; a < in->start[c + 1]; a++)
                s += in->w[in->pts[a]] * pow(q, n[in->pts[a]]);
            out->evaluations++;
            int cmp = best == OPT_NONE ? 1 : cmp_key(s, bs);
            if (cmp > 0 || (cmp == 0 && in->tie_rank && in->tie_rank[c] < in->tie_rank[best]))
                best = c, bs = s;
        }
        taken[best] = true;
        for (size_t a = in->start[best]; a < in->start[best + 1]; a++)
            n[in->pts[a]] += in->site_amb;
        double e = opt_mexclp_expected(in->npts, in->w, n, q);
        out->order[j] = out->sel[j] = best;
        out->gain[j] = e - prev;
        out->curve[j] = e;
        prev = e;
    }
    out->greedy_value = out->value = out->curve[k - 1];
    free(n);
    free(taken);
    return EMS_OK;
}
