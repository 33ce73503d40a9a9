/* src/output/sites_report.c: summary, sites.json, sites.csv and GeoPackage layers of `emscov sites` (see
 * sites_report.h). */
#include "src/output/sites_report.h"
#include "src/output/report.h"
#include "src/output/csv.h"
#include "src/output/i18n.h"

#include <json-c/json.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const mexclp_assumptions[] = {
    N_("each ambulance is busy with the same probability q = calls per day x mean job minutes / (1440 x "
       "ambulances)"),
    N_("ambulances are busy independently of each other"),
    N_("calls arise in proportion to the population"),
    N_("a call is answered within the standard when any ambulance of a station within the standard is free"),
};

/* opt_exact_status_text's words (src/analysis/optimize.c), for the catalogue: the summary translates them. */
static const char *const exact_status_words[] = {N_("not run"),    N_("optimal"), N_("time limit"),
                                                 N_("too large"),  N_("infeasible"), N_("failed")};

static json_object *jnum(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static void add(json_object *o, const char *k, json_object *v)
{
    json_object_object_add(o, k, v);
}

static json_object *jstr(const char *v)
{
    return v && *v ? json_object_new_string(v) : NULL;
}

static json_object *ids(const sites_result *r, const uint32_t *sel, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t j = 0; j < n; j++)
        json_object_array_add(a, json_object_new_string(r->cand[sel[j]].id));
    return a;
}

static json_object *exact_json(const sites_plan *p, const opt_exact_result *e, bool mclp)
{
    json_object *o = json_object_new_object();
    add(o, "status", json_object_new_string(opt_exact_status_text(e->status)));
    if (e->status == OPT_EXACT_NOT_RUN)
        return o;
    add(o, "groups", json_object_new_int64((int64_t)e->groups));
    add(o, "rows", json_object_new_int64((int64_t)e->rows));
    add(o, "cols", json_object_new_int64((int64_t)e->cols));
    add(o, "nonzeros", json_object_new_int64((int64_t)e->nonzeros));
    if (e->status == OPT_EXACT_TOO_LARGE)
        return o;
    add(o, "time_limit_s", jnum(p->exact_time_limit_s));
    if (e->sel) {
        add(o, mclp ? "covered_new" : "sites", jnum(e->value));
        add(o, "selected", ids(p->r, e->sel, e->nsel));
    }
    add(o, mclp ? "bound_new" : "lower_bound", jnum(e->bound));
    if (mclp && (e->status == OPT_EXACT_OPTIMAL || e->status == OPT_EXACT_TIME_LIMIT))
        add(o, e->status == OPT_EXACT_OPTIMAL ? "greedy_gap" : "greedy_gap_to_bound", jnum(p->exact_gap));
    return o;
}

ems_status sites_report_json(emscov_ctx *ctx, const sites_plan *p, char **out)
{
    const sites_result *r = p->r;
    const analysis *a = p->a;
    *out = NULL;
    json_object *root = json_object_new_object();
    add(root, "schema", json_object_new_string("emscov-sites/2"));
    add(root, "scenario", json_object_new_string(a->sc->name ? a->sc->name : ""));
    json_object *sd = json_object_new_object();
    add(sd, "name", json_object_new_string(a->sc->std->name ? a->sc->std->name : ""));
    add(sd, "coverage_within_s", jnum(r->standard_s));
    add(sd, "min_stations_per_subdistrict", jnum(r->min_stations));
    add(sd, "call_satisfaction_min", jnum(a->sc->std->satisfaction_min));
    add(root, "standard", sd);
    json_object *pa = json_object_new_object();
    add(pa, "candidates_from", json_object_new_string(p->candidates_from));
    add(pa, "turnout_s", jnum(r->turnout_s));
    add(pa, "ambulances", jnum(r->ambulances));
    add(pa, "activation_s", jnum(a->sc->activation_s));
    add(pa, "max_snap_m", jnum(a->sc->max_snap_m));
    json_object *cl = json_object_new_array();
    for (size_t k = 0; k < r->nclosed; k++) {
        json_object_array_add(cl, json_object_new_string(sites_station_id(a, r->closed[k])));
    }
    add(pa, "closed_stations", cl);
    add(pa, "k", json_object_new_int64((int64_t)p->k));
    add(pa, "objective", json_object_new_string(sites_objective_text(p->objective)));
    add(pa, "per_gap", json_object_new_int64((int64_t)p->per_gap));
    add(pa, "target_share", p->target_share > 0 ? jnum(p->target_share) : NULL);
    add(pa, "calls_per_day", r->mexclp ? jnum(r->calls_per_day) : NULL);
    add(pa, "job_min", r->mexclp ? jnum(r->job_min) : NULL);
    add(root, "parameters", pa);
    json_object *cc = json_object_new_object();
    add(cc, "offered", json_object_new_int64((int64_t)r->offered));
    add(cc, "excluded", json_object_new_int64((int64_t)r->excluded));
    add(cc, "beyond_max_snap", json_object_new_int64((int64_t)r->unsnapped));
    add(cc, "evaluated", json_object_new_int64((int64_t)r->ncand));
    add(root, "candidates", cc);
    json_object *b = json_object_new_object();
    add(b, "population", jnum(r->pop_total));
    add(b, "covered", jnum(r->base_covered));
    add(b, "covered_share", jnum(p->base_covered_share));
    add(b, "reached", jnum(r->base_reached));
    add(b, "mean_s", jnum(r->base_mean_s));
    add(b, "backup_covered", jnum(r->base_backup));
    add(b, "gap_subdistricts", json_object_new_int64((int64_t)r->base_gaps));
    add(root, "baseline", b);
    json_object *wi = json_object_new_array();
    for (size_t j = 0; j < r->ncand; j++) {
        const sites_candidate *c = &r->cand[r->by_rank[j]];
        json_object *o = json_object_new_object();
        add(o, "rank", json_object_new_int64(c->rank));
        add(o, "id", json_object_new_string(c->id));
        add(o, "origin", json_object_new_string(sites_origin_text(c->origin)));
        add(o, "record", c->record ? json_object_new_int64(c->record) : NULL);
        add(o, "x", jnum(c->x));
        add(o, "y", jnum(c->y));
        add(o, "lon", jnum(p->cand[r->by_rank[j]].lon));
        add(o, "lat", jnum(p->cand[r->by_rank[j]].lat));
        add(o, "subdistrict", jstr(p->cand[r->by_rank[j]].subdistrict_id));
        add(o, "subdistrict_name", jstr(p->cand[r->by_rank[j]].subdistrict_name));
        add(o, "subdistrict_code", jstr(p->cand[r->by_rank[j]].subdistrict_code));
        add(o, "snap_m", jnum(c->pos.dist_m));
        add(o, "delay_s", jnum(c->delay_s));
        add(o, "new_covered", jnum(c->new_pop));
        add(o, "mean_change_s", jnum(c->mean_change_s));
        add(o, "fills_gap", json_object_new_boolean(c->fills_gap));
        add(o, "gap_rank", p->cand[r->by_rank[j]].gap_rank ? json_object_new_int64(p->cand[r->by_rank[j]].gap_rank)
                                                           : NULL);
        add(o, "backup_gain", jnum(c->backup_pop));
        add(o, "mexclp_gain", jnum(c->mexclp_gain));
        add(o, "covered", jnum(c->covered_pop));
        json_object_array_add(wi, o);
    }
    add(root, "whatif", wi);
    if (p->k > 0) {
        const opt_greedy_result *g = &p->greedy;
        json_object *o = json_object_new_object();
        add(o, "k", json_object_new_int64((int64_t)p->k));
        json_object *sel = json_object_new_array();
        for (size_t j = 0; j < p->k; j++) {
            const sites_plan_cand *pc = &p->cand[g->sel[j]];
            json_object *s = json_object_new_object();
            add(s, "order", json_object_new_int64((int64_t)j + 1));
            add(s, "id", json_object_new_string(r->cand[g->sel[j]].id));
            add(s, "subdistrict", jstr(pc->subdistrict_id));
            add(s, "subdistrict_name", jstr(pc->subdistrict_name));
            add(s, "subdistrict_code", jstr(pc->subdistrict_code));
            add(s, "lon", jnum(pc->lon));
            add(s, "lat", jnum(pc->lat));
            add(s, p->objective == SITES_OBJ_MEXCLP ? "expected_gain" : "ladder_gain", jnum(g->gain[j]));
            add(s, "new_covered", jnum(p->pick_new[j]));
            add(s, "covered_after", jnum(p->pick_after[j]));
            json_object_array_add(sel, s);
        }
        add(o, "selected", sel);
        add(o, "objective", json_object_new_string(sites_objective_text(p->objective)));
        if (p->objective == SITES_OBJ_MEXCLP) {
            add(o, "expected_covered", jnum(g->value));
        } else {
            add(o, "greedy_covered_new", jnum(g->greedy_value));
            add(o, "covered_new", jnum(g->value));
        }
        add(o, "covered", jnum(p->sel_covered));
        add(o, "covered_share", jnum(p->sel_covered_share));
        add(o, "swaps", json_object_new_int64((int64_t)g->swaps));
        add(o, "gain_evaluations", json_object_new_int64((int64_t)g->evaluations));
        add(root, "greedy", o);
        json_object *cu = json_object_new_array();
        for (size_t j = 0; j < p->k; j++) {
            json_object *s = json_object_new_object();
            add(s, "k", json_object_new_int64((int64_t)j + 1));
            add(s, "covered", jnum(p->curve_covered[j]));
            add(s, "covered_share", jnum(p->curve_share[j]));
            json_object_array_add(cu, s);
        }
        add(root, "curve", cu);
    }
    json_object *pg = json_object_new_array();
    for (size_t g = 0; g < p->ngaps; g++) {
        const sites_plan_gap *gp = &p->gaps[g];
        const result_subdistrict *gs = &a->result->subdistricts[gp->unit];
        json_object *o = json_object_new_object();
        add(o, "subdistrict", jstr(gs->id));
        add(o, "subdistrict_name", jstr(gs->name));
        add(o, "subdistrict_code", jstr(gs->code));
        add(o, "stations", json_object_new_int64(gp->stations));
        add(o, "candidates", json_object_new_int64((int64_t)gp->ncand));
        json_object *best = json_object_new_array();
        for (size_t j = 0; j < gp->nbest; j++) {
            const sites_candidate *c = &r->cand[gp->best[j]];
            json_object *bo = json_object_new_object();
            add(bo, "gap_rank", json_object_new_int64((int64_t)j + 1));
            add(bo, "rank", json_object_new_int64(c->rank));
            add(bo, "id", json_object_new_string(c->id));
            add(bo, "lon", jnum(p->cand[gp->best[j]].lon));
            add(bo, "lat", jnum(p->cand[gp->best[j]].lat));
            add(bo, "new_covered", jnum(c->new_pop));
            add(bo, "backup_gain", jnum(c->backup_pop));
            add(bo, "mean_change_s", jnum(c->mean_change_s));
            json_object_array_add(best, bo);
        }
        add(o, "best", best);
        json_object_array_add(pg, o);
    }
    add(root, "per_gap", pg);
    add(root, "exact", exact_json(p, &p->exact, true));
    if (p->target_share > 0) {
        const opt_lscp_result *l = &p->lscp;
        json_object *o = json_object_new_object();
        add(o, "target_share", jnum(p->target_share));
        add(o, "feasible", json_object_new_boolean(l->feasible));
        add(o, "sites", json_object_new_int64((int64_t)l->nsel));
        add(o, "selected", ids(r, l->sel, l->nsel));
        add(o, "covered", jnum(p->lscp_covered));
        add(o, "covered_share", jnum(p->lscp_covered_share));
        add(o, "lower_bound", json_object_new_int64((int64_t)l->lower_bound));
        add(o, "proven_fewest", json_object_new_boolean(p->lscp_proven));
        add(o, "exact", exact_json(p, &l->exact, false));
        add(root, "lscp", o);
    } else {
        add(root, "lscp", NULL);
    }
    if (r->mexclp) {
        json_object *o = json_object_new_object();
        add(o, "calls_per_day", jnum(r->calls_per_day));
        add(o, "calls_per_day_from", json_object_new_string(r->calls_from_layer ? "calls" : "option"));
        add(o, "call_days", r->call_days > 0 ? jnum(r->call_days) : NULL);
        add(o, "calls_estimate", r->call_days > 0 ? jnum(r->calls_estimate) : NULL);
        add(o, "job_min", jnum(r->job_min));
        add(o, "ambulances", jnum(r->total_amb));
        add(o, "busy_fraction", jnum(r->q_base));
        add(o, "expected_covered", jnum(r->q_base < 1 ? r->exp_base : NAN));
        add(o, "share", jnum(p->mexclp_share));
        add(o, "target", jnum(a->sc->std->satisfaction_min));
        add(o, "verdict", json_object_new_string(result_verdict_key(p->satisfaction_verdict)));
        if (p->k > 0) {
            json_object *w = json_object_new_object();
            add(w, "ambulances", jnum(p->sel_ambulances));
            add(w, "busy_fraction", jnum(p->sel_q));
            add(w, "expected_covered", jnum(p->sel_expected));
            add(w, "share", jnum(p->sel_mexclp_share));
            add(w, "verdict", json_object_new_string(result_verdict_key(p->sel_satisfaction_verdict)));
            add(o, "with_selection", w);
        }
        json_object *as = json_object_new_array();
        for (size_t k = 0; k < sizeof mexclp_assumptions / sizeof *mexclp_assumptions; k++)
            json_object_array_add(as, json_object_new_string(mexclp_assumptions[k]));
        add(o, "assumptions", as);
        add(root, "mexclp", o);
    } else {
        add(root, "mexclp", NULL);
    }
    return report_json_text(ctx, root, out);
}

ems_status sites_report_csv(emscov_ctx *ctx, const sites_plan *p, const csv_style *style, char **out)
{
    const sites_result *r = p->r;
    *out = NULL;
    csv_buf b;
    csv_init(&b, ctx);
    static const char *const head[] = {
        NC_("csv", "rank"), NC_("csv", "id"), NC_("csv", "origin"), NC_("csv", "x"), NC_("csv", "y"),
        NC_("csv", "lon"), NC_("csv", "lat"), NC_("csv", "subdistrict"), NC_("csv", "subdistrict_name"),
        NC_("csv", "subdistrict_code"), NC_("csv", "snap_m"), NC_("csv", "delay_s"), NC_("csv", "new_covered"),
        NC_("csv", "mean_change_s"), NC_("csv", "fills_gap"), NC_("csv", "gap_rank"), NC_("csv", "backup_gain"), NC_("csv", "mexclp_gain"), NC_("csv", "covered"),
        NC_("csv", "selected"), NC_("csv", "selected_order")};
    csv_head(&b, style, head, sizeof head / sizeof *head);
    for (size_t j = 0; j < r->ncand; j++) {
        uint32_t i = r->by_rank[j];
        const sites_candidate *c = &r->cand[i];
        const sites_plan_cand *pc = &p->cand[i];
        csv_number(&b, 0, c->rank);
        csv_field(&b, c->id);
        csv_field(&b, sites_origin_text(c->origin));
        csv_number(&b, 2, c->x);
        csv_number(&b, 2, c->y);
        csv_number(&b, 7, pc->lon);
        csv_number(&b, 7, pc->lat);
        csv_field(&b, pc->subdistrict_id);
        csv_field(&b, pc->subdistrict_name);
        csv_field(&b, pc->subdistrict_code);
        csv_number(&b, 1, c->pos.dist_m);
        csv_number(&b, 1, c->delay_s);
        csv_number(&b, 1, c->new_pop);
        csv_number(&b, 2, c->mean_change_s);
        csv_field(&b, c->fills_gap ? "yes" : "no");
        csv_number(&b, 0, pc->gap_rank ? (double)pc->gap_rank : NAN);
        csv_number(&b, 1, c->backup_pop);
        csv_number(&b, 1, c->mexclp_gain);
        csv_number(&b, 1, c->covered_pop);
        csv_field(&b, pc->selected ? "yes" : "no");
        csv_number(&b, 0, pc->selected ? (double)pc->selected_order : NAN);
        csv_end_row(&b);
    }
    ems_status st = csv_take(&b, out, NULL);
    csv_fini(&b);
    return st;
}

ems_status sites_report_layers(emscov_ctx *ctx, const sites_plan *p, layer **candidates, layer **selected)
{
    const sites_result *r = p->r;
    GEOSContextHandle_t h = emscov_geos(ctx);
    *candidates = *selected = NULL;
    static const struct {
        const char *name;
        layer_field_type type;
    } cf[] = {{"rank", LAYER_FIELD_INT},          {"id", LAYER_FIELD_STRING},          {"origin", LAYER_FIELD_STRING},
              {"subdistrict", LAYER_FIELD_STRING}, {"subdistrict_name", LAYER_FIELD_STRING},
              {"subdistrict_code", LAYER_FIELD_STRING},
              {"lon", LAYER_FIELD_DOUBLE},        {"lat", LAYER_FIELD_DOUBLE},
              {"snap_m", LAYER_FIELD_DOUBLE},     {"delay_s", LAYER_FIELD_DOUBLE},
              {"new_covered", LAYER_FIELD_DOUBLE}, {"mean_change_s", LAYER_FIELD_DOUBLE},
              {"fills_gap", LAYER_FIELD_LOGICAL},  {"gap_rank", LAYER_FIELD_INT},
              {"backup_gain", LAYER_FIELD_DOUBLE},
              {"mexclp_gain", LAYER_FIELD_DOUBLE}, {"covered", LAYER_FIELD_DOUBLE},   {"selected", LAYER_FIELD_LOGICAL},
              {"selected_order", LAYER_FIELD_INT}};
    size_t ncf = sizeof cf / sizeof *cf;
    ems_status st = layer_create(ctx, "candidate", "emscov", p->a->in.working, candidates);
    for (size_t k = 0; st == EMS_OK && k < ncf; k++)
        st = layer_add_field(ctx, *candidates, cf[k].name, cf[k].type, 0, 0);
    for (size_t j = 0; st == EMS_OK && j < r->ncand; j++) {
        uint32_t i = r->by_rank[j];
        const sites_candidate *c = &r->cand[i];
        const sites_plan_cand *pc = &p->cand[i];
        layer_value v[19] = {
            {.u.i = c->rank},
            {.u.s = c->id},
            {.u.s = sites_origin_text(c->origin)},
            {.is_null = !*pc->subdistrict_id, .u.s = pc->subdistrict_id},
            {.is_null = !*pc->subdistrict_name, .u.s = pc->subdistrict_name},
            {.is_null = !*pc->subdistrict_code, .u.s = pc->subdistrict_code},
            {.u.d = pc->lon},
            {.u.d = pc->lat},
            {.u.d = c->pos.dist_m},
            {.u.d = c->delay_s},
            {.u.d = c->new_pop},
            {.u.d = c->mean_change_s},
            {.u.b = c->fills_gap},
            {.is_null = !pc->gap_rank, .u.i = pc->gap_rank},
            {.u.d = c->backup_pop},
            {.is_null = !isfinite(c->mexclp_gain), .u.d = c->mexclp_gain},
            {.u.d = c->covered_pop},
            {.u.b = pc->selected},
            {.is_null = !pc->selected, .u.i = pc->selected_order},
        };
        GEOSGeometry *g = GEOSGeom_createPointFromXY_r(h, c->x, c->y);
        st = g ? layer_append_valid_take(ctx, *candidates, g, (int64_t)j + 1, v) : EMS_ENOMEM;
    }
    if (st == EMS_OK)
        st = layer_create(ctx, "selected_site", "emscov", p->a->in.working, selected);
    static const struct {
        const char *name;
        layer_field_type type;
    } sf[] = {{"selected_order", LAYER_FIELD_INT}, {"id", LAYER_FIELD_STRING},
              {"subdistrict", LAYER_FIELD_STRING}, {"subdistrict_name", LAYER_FIELD_STRING},
              {"subdistrict_code", LAYER_FIELD_STRING},
              {"lon", LAYER_FIELD_DOUBLE},         {"lat", LAYER_FIELD_DOUBLE},
              {"new_covered", LAYER_FIELD_DOUBLE}, {"covered_after", LAYER_FIELD_DOUBLE},
              {"snap_m", LAYER_FIELD_DOUBLE}};
    for (size_t k = 0; st == EMS_OK && k < sizeof sf / sizeof *sf; k++)
        st = layer_add_field(ctx, *selected, sf[k].name, sf[k].type, 0, 0);
    for (size_t j = 0; st == EMS_OK && j < p->k; j++) {
        const sites_candidate *c = &r->cand[p->greedy.sel[j]];
        const sites_plan_cand *pc = &p->cand[p->greedy.sel[j]];
        layer_value v[10] = {{.u.i = (int64_t)j + 1},
                            {.u.s = c->id},
                            {.is_null = !*pc->subdistrict_id, .u.s = pc->subdistrict_id},
                            {.is_null = !*pc->subdistrict_name, .u.s = pc->subdistrict_name},
                            {.is_null = !*pc->subdistrict_code, .u.s = pc->subdistrict_code},
                            {.u.d = pc->lon},
                            {.u.d = pc->lat},
                            {.u.d = p->pick_new[j]},
                            {.u.d = p->pick_after[j]},
                            {.u.d = c->pos.dist_m}};
        GEOSGeometry *g = GEOSGeom_createPointFromXY_r(h, c->x, c->y);
        st = g ? layer_append_valid_take(ctx, *selected, g, (int64_t)j + 1, v) : EMS_ENOMEM;
    }
    if (st != EMS_OK) {
        layer_destroy(*candidates);
        layer_destroy(*selected);
        *candidates = *selected = NULL;
    }
    return st;
}

static void pop_line(FILE *f, double v, double share)
{
    fprintf(f, "%.0f (%.2f %%)\n", v, 100 * share);
}

void sites_report_summary(FILE *f, const sites_plan *p, size_t top_n)
{
    const sites_result *r = p->r;
    const analysis *a = p->a;
    double T = r->standard_s / 60;
    fprintf(f, _("sites: %s, standard %g min\n"), a->sc->name ? a->sc->name : "", T);
    report_summary_inputs(f, a->result);
    fputc('\n', f);
    fprintf(f, _("candidates  %zu evaluated of %zu offered (%s); %zu in exclusion polygons, %zu farther than %g m "
                 "from a road\n"),
            r->ncand, r->offered, p->candidates_from, r->excluded, r->unsnapped, a->sc->max_snap_m);
    if (r->nclosed) {
        fputs(_("closed      "), f);
        for (size_t k = 0; k < r->nclosed; k++) {
            fprintf(f, "%s%s", k ? ", " : "", sites_station_id(a, r->closed[k]));
        }
        fprintf(f, "\n");
    }
    fprintf(f, _("new station turn-out %.0f s, %g ambulance(s)\n"), r->turnout_s, r->ambulances);
    fprintf(f, _("baseline    population %.0f; within %g min "), r->pop_total, T);
    pop_line(f, r->base_covered, p->base_covered_share);
    fprintf(f, _("            mean %.2f min over the reached population; %zu sub-districts below %g station(s)\n"),
            r->base_mean_s / 60, r->base_gaps, r->min_stations);
    size_t top = top_n < r->ncand ? top_n : r->ncand;
    fprintf(f, _("\nwhat-if, each candidate alone (best %zu of %zu; all in sites.csv)\n"), top, r->ncand);
    const char *heads[] = {_("rank"), _("id"), _("new covered"), _("mean change"), _("fills gap"), _("backup gain"),
                           _("MEXCLP gain")};
    const int widths[] = {5, 24, 12, 12, 9, 12, 12};
    for (size_t k = 0; k < (r->mexclp ? 7u : 6u); k++) {
        int pad = widths[k] - i18n_width(heads[k]);
        if (k == 1) { /* left-aligned */
            fputs("  ", f);
            i18n_fpad(f, heads[k], widths[k]);
            continue;
        }
        fprintf(f, "%s%*s%s", k > 1 ? " " : "", pad > 0 ? pad : 0, "", heads[k]);
    }
    fputc('\n', f);
    for (size_t j = 0; j < top; j++) {
        const sites_candidate *c = &r->cand[r->by_rank[j]];
        const char *fills = c->fills_gap ? _("yes") : _("no");
        int pad = 9 - i18n_width(fills); /* right-aligned in terminal columns (是 takes two) */
        fprintf(f, "%5u  %-24s %12.0f %10.2f s %*s%s %12.0f", c->rank, c->id, c->new_pop, c->mean_change_s,
                pad > 0 ? pad : 0, "", fills, c->backup_pop);
        if (r->mexclp)
            fprintf(f, " %12.0f", c->mexclp_gain);
        fprintf(f, "\n");
    }
    if (p->ngaps > 0) {
        fprintf(f, _("\nbest candidates of each sub-district below %g station(s) (what-if rank)\n"), r->min_stations);
        for (size_t g = 0; g < p->ngaps; g++) {
            const sites_plan_gap *gp = &p->gaps[g];
            fputs("  ", f);
            i18n_fpad(f, a->result->subdistricts[gp->unit].label, 28);
            if (gp->nbest == 0)
                fputs(_(" no candidate inside"), f);
            for (size_t j = 0; j < gp->nbest; j++) {
                const sites_candidate *c = &r->cand[gp->best[j]];
                const sites_plan_cand *pc = &p->cand[gp->best[j]];
                fprintf(f, "%s%s (#%u, %.6f %.6f)", j ? ", " : " ", c->id, c->rank, pc->lon, pc->lat);
            }
            fputc('\n', f);
        }
    }
    if (p->k > 0) {
        const opt_greedy_result *g = &p->greedy;
        if (p->objective == SITES_OBJ_MEXCLP)
            fprintf(f, _("\nbest %zu new sites by MEXCLP expected coverage (greedy)\n"), p->k);
        else
            fprintf(f, _("\nbest %zu new sites (greedy with lazy evaluation, then 1-swap: %zu swap(s))\n"), p->k,
                    g->swaps);
        for (size_t j = 0; j < p->k; j++) {
            const sites_plan_cand *pc = &p->cand[g->sel[j]];
            fprintf(f, "  %2zu  %-24s ", j + 1, r->cand[g->sel[j]].id);
            i18n_fpad(f, *pc->subdistrict_id ? a->result->subdistricts[r->cand[g->sel[j]].unit].label : _("(outside)"),
                      28);
            fprintf(f, " %11.6f %10.6f  +%.0f", pc->lon, pc->lat, p->pick_new[j]);
            if (p->objective == SITES_OBJ_MEXCLP)
                fprintf(f, _("  expected +%.0f"), g->gain[j]);
            fputc('\n', f);
        }
        fprintf(f, _("  within %g min: "), T);
        pop_line(f, p->sel_covered, p->sel_covered_share);
        if (p->objective == SITES_OBJ_MEXCLP)
            fprintf(f, _("  expected covered with busy ambulances: %.0f\n"), g->value);
        else
            fprintf(f, _("  newly covered: %.0f (greedy alone %.0f)\n"), g->value, g->greedy_value);
        if (p->objective != SITES_OBJ_MEXCLP && !(g->value > 0))
            fprintf(f, _("  (no candidate brings anyone new within %g min: the picks follow the rest of the objective "
                         "ladder, i.e. gaps filled, then backup coverage, then mean time)\n"), T);
        fprintf(f, _("curve (k: population within %g min)\n"), T);
        for (size_t j = 0; j < p->k; j++)
            fprintf(f, "  %2zu: %.0f (%.2f %%)\n", j + 1, p->curve_covered[j], 100 * p->curve_share[j]);
    }
    (void)exact_status_words;
    if (p->exact.status != OPT_EXACT_NOT_RUN) {
        const opt_exact_result *e = &p->exact;
        fprintf(f, _("exact MCLP (GLPK): %s"), _(opt_exact_status_text(e->status)));
        if (e->status == OPT_EXACT_TOO_LARGE)
            fprintf(f, _(" (%zu nonzeros after aggregating %zu point groups)"), e->nonzeros, e->groups);
        else if (e->status == OPT_EXACT_OPTIMAL)
            fprintf(f, _(", newly covered %.0f; greedy + swap is %.3f %% below the optimum"), e->value,
                    100 * p->exact_gap);
        else if (e->status == OPT_EXACT_TIME_LIMIT && !e->sel)
            fprintf(f, _(" after %.0f s, before the LP relaxation was solved (%zu nonzeros): no bound"), e->seconds,
                    e->nonzeros);
        else if (e->status == OPT_EXACT_TIME_LIMIT)
            fprintf(f, _(" after %.0f s, best %.0f, bound %.0f; greedy + swap is at most %.3f %% below the optimum"),
                    e->seconds, e->value, e->bound, 100 * p->exact_gap);
        fprintf(f, "\n");
    }
    if (p->target_share > 0) {
        const opt_lscp_result *l = &p->lscp;
        fprintf(f, _("\nfewest new sites so every sub-district has %g station(s) and %.2f %% are within %g min: %zu"),
                r->min_stations, 100 * p->target_share, T, l->nsel);
        if (p->lscp_proven)
            fprintf(f, "%s\n", _(" (proven fewest)"));
        else
            fprintf(f, _(" (no answer with fewer than %zu exists)\n"), l->lower_bound);
        fprintf(f, "  ");
        for (size_t j = 0; j < l->nsel; j++)
            fprintf(f, "%s%s", j ? ", " : "", r->cand[l->sel[j]].id);
        fprintf(f, _("\n  within %g min: "), T);
        pop_line(f, p->lscp_covered, p->lscp_covered_share);
    }
    if (r->mexclp) {
        fprintf(f, _("\nbusy ambulances (MEXCLP, Daskin 1983): %g calls/day x %g min over %g ambulances\n"),
                r->calls_per_day, r->job_min, r->total_amb);
        if (r->calls_from_layer)
            fprintf(f, _("  calls per day from the [calls] layer: %g calls over %g days (first to last date)\n"),
                    r->calls_estimate * r->call_days, r->call_days);
        else if (r->call_days > 0)
            fprintf(f, _("  calls per day given (--calls-per-day): overrides %g from the [calls] layer (%g days)\n"),
                    r->calls_estimate, r->call_days);
        if (r->q_base < 1)
            fprintf(f, _("  busy fraction q = %.4f; calls finding a free ambulance within %g min: %.2f %% (target "
                         ">= %.0f %%: %s)\n"),
                    r->q_base, T, 100 * p->mexclp_share, 100 * a->sc->std->satisfaction_min,
                    i18n_verdict(p->satisfaction_verdict));
        else
            fprintf(f, _("  busy fraction q = %.4f >= 1: more work than ambulances, the model does not apply\n"),
                    r->q_base);
        if (p->k > 0 && p->sel_satisfaction_verdict != RESULT_NA)
            fprintf(f, _("  with the %zu new sites (%g ambulances more): q = %.4f, %.2f %% (%s)\n"), p->k,
                    p->sel_added_ambulances, p->sel_q, 100 * p->sel_mexclp_share,
                    i18n_verdict(p->sel_satisfaction_verdict));
        fprintf(f, "%s\n", _("  assumptions:"));
        for (size_t k = 0; k < sizeof mexclp_assumptions / sizeof *mexclp_assumptions; k++)
            fprintf(f, "   - %s\n", _(mexclp_assumptions[k]));
    }
}
