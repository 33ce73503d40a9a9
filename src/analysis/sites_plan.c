/* src/analysis/sites_plan.c: one sites plan (see sites_plan.h). */
#include "src/analysis/sites_plan.h"

#include <math.h>
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

static double share(double part, double whole)
{
    return whole > 0 ? part / whole : NAN;
}

const char *sites_objective_text(sites_objective o)
{
    return o == SITES_OBJ_MEXCLP ? "mexclp" : "coverage";
}

static char *describe_candidates(emscov_ctx *ctx, const sites_opts *o)
{
    char buf[1200];
    size_t n = 0;
    buf[0] = '\0';
    if (o->cand_path)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", o->cand_path);
    if (o->grid_m > 0 && n < sizeof buf)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%sgrid %g m", n ? " + " : "", o->grid_m);
    if (o->road_spacing_m > 0 && n < sizeof buf)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%sroad junctions every %g m", n ? " + " : "",
                              o->road_spacing_m);
    if (o->gap_centroids && n < sizeof buf)
        snprintf(buf + n, sizeof buf - n, "%sgap sub-district centres", n ? " + " : "");
    return ems_strdup(ctx, buf);
}

/* Identity and lon/lat of every candidate. */
static ems_status identify(emscov_ctx *ctx, sites_plan *p)
{
    const sites_result *r = p->r;
    const run_result *res = p->a->result;
    size_t n = r->ncand;
    p->cand = ems_calloc(ctx, n ? n : 1, sizeof *p->cand);
    if (!p->cand)
        return EMS_ENOMEM;
    crs *wgs = NULL;
    crs_transformer *t = NULL;
    ems_status st = crs_from_epsg(ctx, 4326, &wgs);
    if (st == EMS_OK)
        st = crs_transformer_create(ctx, p->a->in.working, wgs, &t);
    for (size_t c = 0; st == EMS_OK && c < n; c++) {
        sites_plan_cand *pc = &p->cand[c];
        uint32_t u = r->cand[c].unit;
        const result_subdistrict *s = u == SITES_NONE ? NULL : &res->subdistricts[u];
        pc->subdistrict_id = s ? s->id : "";
        pc->subdistrict_name = s ? s->name : "";
        pc->subdistrict_code = s ? s->code : "";
        pc->lon = r->cand[c].x;
        pc->lat = r->cand[c].y;
        st = crs_transform_xy(ctx, t, &pc->lon, &pc->lat, 1);
    }
    crs_transformer_destroy(t);
    crs_destroy(wgs);
    return st;
}

/* The k sites by MEXCLP's expected coverage (optimize.h opt_greedy_mexclp) over every point each covers. */
static ems_status plan_mexclp(emscov_ctx *ctx, sites_plan *p)
{
    const sites_result *r = p->r;
    size_t *start = NULL;
    uint32_t *pts = NULL;
    ems_status st = sites_full_cover(ctx, r, &start, &pts);
    if (st == EMS_OK) {
        opt_mexclp_instance mi = {r->ncand,        p->a->npoints, p->a->pop,   r->point_amb,
                                  start,           pts,           r->ambulances, r->calls_per_day,
                                  r->job_min,      r->total_amb,  r->rank_of};
        st = opt_greedy_mexclp(ctx, &mi, p->k, &p->greedy);
    }
    free(start);
    free(pts);
    return st;
}

/* Newly covered population of each pick in order (given the earlier ones), and the total after it. */
static ems_status pick_gains(emscov_ctx *ctx, sites_plan *p)
{
    const sites_result *r = p->r;
    size_t k = p->k;
    bool *hit = ems_calloc(ctx, r->nupts ? r->nupts : 1, sizeof *hit);
    p->pick_new = ems_calloc(ctx, k ? k : 1, sizeof *p->pick_new);
    p->pick_after = ems_calloc(ctx, k ? k : 1, sizeof *p->pick_after);
    p->curve_covered = ems_calloc(ctx, k ? k : 1, sizeof *p->curve_covered);
    p->curve_share = ems_calloc(ctx, k ? k : 1, sizeof *p->curve_share);
    if (!hit || !p->pick_new || !p->pick_after || !p->curve_covered || !p->curve_share) {
        free(hit);
        return EMS_ENOMEM;
    }
    double acc = r->base_covered;
    for (size_t j = 0; j < k; j++) {
        uint32_t c = p->greedy.sel[j];
        for (size_t q = r->cstart[c]; q < r->cstart[c + 1]; q++)
            if (!hit[r->cpts[q]]) {
                hit[r->cpts[q]] = true;
                p->pick_new[j] += r->uw[r->cpts[q]];
            }
        acc += p->pick_new[j];
        p->pick_after[j] = acc;
        p->cand[c].selected = true;
        p->cand[c].selected_order = (uint32_t)j + 1;
        /* MEXCLP's greedy curve is expected coverage and has no swap: the curve is the picks' own coverage */
        p->curve_covered[j] = p->objective == SITES_OBJ_MEXCLP ? acc : r->base_covered + p->greedy.curve[j];
        p->curve_share[j] = share(p->curve_covered[j], r->pop_total);
    }
    free(hit);
    return EMS_OK;
}

/* The fewest sites so every sub-district has its minimum and target_share of the people are covered. */
static ems_status plan_lscp(emscov_ctx *ctx, sites_plan *p, const sites_plan_opts *o, const opt_instance *in)
{
    const sites_result *r = p->r;
    /* the ladder's groups: a candidate's sub-district when it lies in a gap, and what each gap needs */
    double need_w = o->target_share * r->pop_total - r->base_covered;
    opt_lscp_problem lp = {in, need_w > 0 ? need_w : 0, r->ladder.cand_group, r->ladder.group_need,
                           r->ladder.ngroups};
    opt_exact_opts le = {.time_limit_s = p->exact_time_limit_s,
                         .max_nonzeros = o->exact ? o->exact_max_nz : 20000};
    ems_status st = opt_lscp(ctx, &lp, &le, &p->lscp);
    if (st == EMS_OK && p->lscp.groups_short)
        st = emscov_fail(ctx, EMS_EINPUT,
                         "--target-share: %zu sub-district(s) below the minimum of %g station(s) have no candidate "
                         "inside, e.g. %s (add --gap-centroids)",
                         p->lscp.groups_short, r->min_stations, p->a->result->subdistricts[p->lscp.first_short].label);
    else if (st == EMS_OK && !p->lscp.feasible)
        st = emscov_fail(ctx, EMS_EINPUT,
                         "--target-share %g: unreachable: with every one of the %zu candidates, at most %.0f of %.0f "
                         "residents (%.2f %%) are within %g min",
                         o->target_share, r->ncand, r->base_covered + p->lscp.max_weight, r->pop_total,
                         100 * (r->base_covered + p->lscp.max_weight) / r->pop_total, r->standard_s / 60);
    if (st == EMS_OK) {
        p->lscp_covered = r->base_covered + p->lscp.value;
        p->lscp_covered_share = share(p->lscp_covered, r->pop_total);
        p->lscp_proven = p->lscp.lower_bound == p->lscp.nsel;
    }
    return st;
}

/* Every gap sub-district with its best candidates (what-if rank order), and each candidate's rank in its gap. */
static ems_status per_gap_lists(emscov_ctx *ctx, sites_plan *p)
{
    const sites_result *r = p->r;
    size_t nu = p->a->result->nsubdistricts;
    size_t *slot = ems_malloc(ctx, (nu ? nu : 1) * sizeof *slot);
    if (!slot)
        return EMS_ENOMEM;
    for (size_t u = 0; u < nu; u++)
        if ((double)r->unit_stations[u] < r->min_stations) {
            slot[u] = p->ngaps++;
        } else {
            slot[u] = SIZE_MAX;
        }
    p->gaps = ems_calloc(ctx, p->ngaps ? p->ngaps : 1, sizeof *p->gaps);
    ems_status st = p->gaps ? EMS_OK : EMS_ENOMEM;
    for (size_t u = 0; st == EMS_OK && u < nu; u++)
        if (slot[u] != SIZE_MAX) {
            sites_plan_gap *g = &p->gaps[slot[u]];
            g->unit = (uint32_t)u;
            g->stations = r->unit_stations[u];
            if (!(g->best = ems_malloc(ctx, p->per_gap * sizeof *g->best)))
                st = EMS_ENOMEM;
        }
    for (size_t j = 0; st == EMS_OK && j < r->ncand; j++) { /* by rank: each gap's list fills best first */
        uint32_t c = r->by_rank[j], u = r->cand[c].unit;
        if (u == SITES_NONE || slot[u] == SIZE_MAX)
            continue;
        sites_plan_gap *g = &p->gaps[slot[u]];
        p->cand[c].gap_rank = (uint32_t)++g->ncand;
        if (g->nbest < p->per_gap)
            g->best[g->nbest++] = c;
    }
    free(slot);
    return st;
}

static result_verdict satisfied(double share_v, double target)
{
    return !isfinite(share_v) ? RESULT_NA : share_v >= target ? RESULT_PASS : RESULT_FAIL;
}

ems_status sites_plan_run(emscov_ctx *ctx, const analysis *a, const sites_plan_opts *o, sites_plan **out)
{
    *out = NULL;
    sites_plan *p = ems_calloc(ctx, 1, sizeof *p);
    if (!p)
        return EMS_ENOMEM;
    p->a = a;
    p->objective = o->objective;
    p->per_gap = o->per_gap ? o->per_gap : SITES_PER_GAP_DEFAULT;
    p->exact_time_limit_s = o->time_limit_s > 0 ? o->time_limit_s : 60;
    p->target_share = o->target_share;
    p->exact_gap = NAN;
    p->mexclp_share = p->sel_mexclp_share = NAN;
    p->satisfaction_verdict = p->sel_satisfaction_verdict = RESULT_NA;
    ems_status st = (p->candidates_from = describe_candidates(ctx, &o->eval)) ? EMS_OK : EMS_ENOMEM;
    if (st == EMS_OK)
        st = sites_evaluate(ctx, a, &o->eval, &p->r);
    const sites_result *r = p->r;
    if (st == EMS_OK && o->k > r->ncand)
        st = emscov_fail(ctx, EMS_EINPUT, "--k %zu: only %zu candidate sites are left to choose from", o->k,
                         r->ncand);
    if (st == EMS_OK && o->objective == SITES_OBJ_MEXCLP && !r->mexclp)
        st = emscov_fail(ctx, EMS_EINPUT, "--objective mexclp needs --job-min (and --calls-per-day without dated [calls])");
    if (st == EMS_OK)
        st = identify(ctx, p);
    if (st == EMS_OK)
        st = per_gap_lists(ctx, p);
    opt_instance in;
    if (st == EMS_OK) {
        p->base_covered_share = share(r->base_covered, r->pop_total);
        p->k = o->k > 0 ? o->k : r->ncand < 5 ? r->ncand : 5;
        sites_instance(r, &in);
        double t0 = now_s();
        if (o->objective == SITES_OBJ_MEXCLP)
            st = plan_mexclp(ctx, p);
        else
            st = opt_greedy(ctx, &in, p->k, true, &p->greedy);
        p->greedy_s = now_s() - t0;
    }
    if (st == EMS_OK && o->objective != SITES_OBJ_MEXCLP) { /* the exact MCLP answers the coverage objective */
        opt_exact_opts eo = {.time_limit_s = p->exact_time_limit_s,
                             .max_nonzeros = o->exact ? o->exact_max_nz : 20000,
                             .start_sel = p->greedy.sel,
                             .start_n = p->k};
        double t0 = now_s();
        st = opt_exact_mclp(ctx, &in, p->k, &eo, &p->exact);
        p->exact_s = now_s() - t0;
        if (st == EMS_OK && !o->exact && p->exact.status != OPT_EXACT_OPTIMAL &&
            p->exact.status != OPT_EXACT_TIME_LIMIT)
            p->exact.status = OPT_EXACT_NOT_RUN; /* not asked for and not small: say nothing */
        if (st == EMS_OK && (p->exact.status == OPT_EXACT_OPTIMAL || p->exact.status == OPT_EXACT_TIME_LIMIT)) {
            double best = p->exact.status == OPT_EXACT_OPTIMAL ? p->exact.value : p->exact.bound;
            p->exact_gap = !isfinite(best) ? NAN : best > 0 ? (best - p->greedy.value) / best : 0;
        }
    }
    if (st == EMS_OK)
        st = pick_gains(ctx, p);
    if (st == EMS_OK && o->target_share > 0)
        st = plan_lscp(ctx, p, o, &in);
    if (st == EMS_OK) {
        double q = NAN, expected = NAN;
        st = sites_selection_eval(ctx, r, p->greedy.sel, p->k, &p->sel_covered, &q, &expected);
        p->sel_covered_share = share(p->sel_covered, r->pop_total);
        p->sel_q = q;
        p->sel_expected = expected;
        p->sel_added_ambulances = (double)p->k * r->ambulances;
        p->sel_ambulances = r->total_amb + p->sel_added_ambulances;
    }
    if (st == EMS_OK && r->mexclp) {
        double target = a->sc->std->satisfaction_min;
        p->mexclp_share = r->q_base < 1 ? share(r->exp_base, r->pop_total) : NAN;
        p->sel_mexclp_share = p->sel_q < 1 ? share(p->sel_expected, r->pop_total) : NAN;
        p->satisfaction_verdict = satisfied(p->mexclp_share, target);
        p->sel_satisfaction_verdict = satisfied(p->sel_mexclp_share, target);
    }
    if (st != EMS_OK) {
        sites_plan_destroy(p);
        return st;
    }
    *out = p;
    return EMS_OK;
}

void sites_plan_destroy(sites_plan *p)
{
    if (!p)
        return;
    opt_greedy_fini(&p->greedy);
    opt_exact_fini(&p->exact);
    opt_lscp_fini(&p->lscp);
    sites_destroy(p->r);
    free(p->candidates_from);
    free(p->cand);
    for (size_t g = 0; p->gaps && g < p->ngaps; g++)
        free(p->gaps[g].best);
    free(p->gaps);
    free(p->pick_new);
    free(p->pick_after);
    free(p->curve_covered);
    free(p->curve_share);
    free(p);
}
