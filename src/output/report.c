/* src/output/report.c: the console summary, report.json and streets.csv of an analyze run (see report.h).
 * Every number and verdict is the result model's; this file only formats. */
#include "src/output/report.h"
#include "src/output/csv.h"
#include "src/output/i18n.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- console ----------------------------------------------------------------------------------------- */

/* How an issue row names its record: "东单急救站 (id 14)", "id 14", "record 14", or "12 grid cells". */
static void issue_name(const ledger_issue *is, char *buf, size_t cap)
{
    if (is->record == 0)
        snprintf(buf, cap, "%s", *is->detail ? is->detail : _("the whole layer"));
    else if (*is->source_name && *is->source_id)
        snprintf(buf, cap, strcmp(is->role, "streets") ? _("%s (id %s)") : "%s %s", is->source_name, is->source_id);
    else if (*is->source_name)
        snprintf(buf, cap, "%s", is->source_name);
    else if (*is->source_id)
        snprintf(buf, cap, _("id %s"), is->source_id);
    else
        snprintf(buf, cap, _("record %lld"), (long long)is->record);
}

#define EXAMPLES 3

/* One line per layer of the ledger, then one per reason with up to EXAMPLES records named. */
static void summary_ledger(FILE *f, const run_result *r)
{
    const ledger *lg = r->ledger;
    fprintf(f, "\n%s\n", _("inputs (read = used + skipped + left out by the scenario's where)"));
    for (size_t k = 0; k < ledger_layer_count(lg); k++) {
        const ledger_layer *y = ledger_layer_get(lg, k);
        const char *slash = strrchr(y->path, '/');
        fputs("  ", f);
        i18n_fpad(f, i18n_role(y->role), 18);
        fputc(' ', f);
        i18n_fpad(f, slash ? slash + 1 : y->path, 26);
        fprintf(f, _(" %zu %s read: %zu used"), y->read, i18n_record_unit(y->unit), y->used);
        if (y->skipped) fprintf(f, _(", %zu skipped"), y->skipped);
        if (y->filtered) fprintf(f, _(", %zu left out by where"), y->filtered);
        if (y->altered) fprintf(f, _(", %zu repaired"), y->altered);
        fputc('\n', f);
        for (int reason = 0; reason < LEDGER_NREASONS; reason++) {
            size_t rows = 0, records = 0, shown = 0;
            double amount = 0;
            bool has_amount = false;
            char names[3 * 300] = "";
            for (size_t i = 0; i < ledger_issue_count(lg); i++) {
                const ledger_issue *is = ledger_issue_at(lg, i);
                if ((int)is->reason != reason || strcmp(is->role, y->role)) continue;
                rows++;
                records += is->count;
                if (isfinite(is->amount)) {
                    amount += is->amount;
                    has_amount = true;
                }
                if (shown < EXAMPLES && is->record != 0) {
                    char nm[256];
                    issue_name(is, nm, sizeof nm);
                    size_t len = strlen(names);
                    snprintf(names + len, sizeof names - len, "%s%s", shown ? _(", ") : "", nm);
                    shown++;
                }
            }
            if (!rows) continue;
            fprintf(f, "    %zu %s", records, i18n_reason((ledger_reason)reason));
            if (has_amount && !strcmp(y->role, "population")) fprintf(f, _(" (%.0f people)"), amount);
            if (shown) fprintf(f, _(": %s%s"), names, rows > shown ? _(", ...") : "");
            fputc('\n', f);
        }
    }
}

static void summary_population(FILE *f, const run_result *r)
{
    const ledger_population *p = ledger_population_view(r->ledger);
    if (p->dropped_total > 0) {
        fprintf(f, _("\npopulation  input %.0f: allocated %.0f, dropped %.0f ("), p->input, p->allocated,
                p->dropped_total);
        bool first = true;
        for (int k = 0; k < LEDGER_NREASONS; k++)
            if (p->dropped[k] > 0) {
                fprintf(f, "%s%s %.0f", first ? "" : ", ", ledger_reason_key((ledger_reason)k),
                        p->dropped[k]);
                first = false;
            }
        fprintf(f, _("); %s; outside every sub-district %.0f\n"), i18n_pop_method(r->pop_method), p->outside);
    } else
        fprintf(f, _("\npopulation  input %.0f = allocated %.0f (%s); outside every sub-district %.0f\n"),
                p->input, p->allocated, i18n_pop_method(r->pop_method), p->outside);
    if (r->pop_weights > 0)
        fprintf(f, _("            the counts are weights (sum %.6g) spreading the scenario's total of %.0f\n"),
                r->pop_weights, p->input);
    if (p->scaled && p->dropped_records)
        fprintf(f, _("            %zu population record(s) left out (weights %.6g): the total is spread over the "
                     "others (see inputs)\n"),
                p->dropped_records, p->dropped_weight);
}

static void summary_names(FILE *f, const run_result *r, const char *title,
                          bool (*pick)(const result_subdistrict *))
{
    size_t n = 0;
    for (size_t k = 0; k < r->nsubdistricts; k++)
        n += pick(&r->subdistricts[r->worst_first[k]]);
    if (!n) return;
    fprintf(f, _("%s (%zu): "), title, n);
    size_t shown = 0;
    for (size_t k = 0; k < r->nsubdistricts && shown < 20; k++) {
        const result_subdistrict *s = &r->subdistricts[r->worst_first[k]];
        if (pick(s)) fprintf(f, "%s%s", shown++ ? _(", ") : "", s->label);
    }
    fprintf(f, "%s\n", n > shown ? _(", ...") : "");
}

static bool is_gap(const result_subdistrict *s)
{
    return s->gap;
}

static bool mean_fails(const result_subdistrict *s)
{
    return s->mean_verdict == RESULT_FAIL;
}

void report_summary_inputs(FILE *f, const run_result *r)
{
    summary_ledger(f, r);
    summary_population(f, r);
    const char *one, *many;
    i18n_service_facility(r, &one, &many);
    if (many)
        fprintf(f, _("%s %zu: %zu on the main road network, %zu on a small road component, %zu too far from any "
                     "road; %zu in no sub-district\n"),
                many, r->nstations, r->stations_main, r->stations_small, r->stations_off, r->stations_outside);
    else
        fprintf(f, _("stations    %zu: %zu on the main road network, %zu on a small road component, %zu too far from "
                     "any road; %zu in no sub-district\n"),
                r->nstations, r->stations_main, r->stations_small, r->stations_off, r->stations_outside);
}

void report_target_ctx(const run_result *r, i18n_target_ctx *c)
{
    *c = (i18n_target_ctx){.min_stations = r->min_stations,
                           .residents_per_ambulance = r->residents_per_ambulance,
                           .parks_present = r->parks.present,
                           .residential = r->parks.residential,
                           .park_pop_share = r->parks.pop_share,
                           .park_strict = r->parks.target_strict,
                           .park_clause = r->parks.target_from_rule ? r->parks.rule_clause : r->standards_name,
                           .coverage_min = r->coverage_within_s / 60};
    i18n_service_facility(r, &c->facility, &c->facilities);
}

/* A label padded to width columns, a space, then the rest of the row. */
static void cell(FILE *f, const char *text, int width)
{
    i18n_fpad(f, text, width);
    fputc(' ', f);
}

/* [scenario] periods: the city-wide response-time figures of each period side by side, one row each. */
static void summary_periods(FILE *f, const run_result *r)
{
    if (r->nperiods == 0) return;
    fprintf(f, "\n%s\n", _("by time-of-day period (city-wide; every other figure is of the run's period):"));
    cell(f, _("period"), 12);
    cell(f, _("mean, min"), 16);
    for (size_t k = 0; k < r->nthresholds; k++) {
        char label[64];
        snprintf(label, sizeof label, _("population within %g min"), r->thresholds_s[k] / 60);
        cell(f, label, 28);
    }
    fprintf(f, "%s\n", _("median / p90 / max, min"));
    for (size_t i = 0; i < r->nperiods; i++) {
        const result_period *p = &r->periods[i];
        char name[64], mean[64];
        snprintf(name, sizeof name, "%s%s", p->name, p->run_period ? " *" : "");
        cell(f, name, 12);
        snprintf(mean, sizeof mean, "%.2f %s", p->mean_s / 60, i18n_verdict(p->mean_verdict));
        cell(f, mean, 16);
        for (size_t k = 0; k < r->nthresholds; k++) {
            char v[64];
            snprintf(v, sizeof v, "%.0f (%.1f %%)", p->covered[k], 100 * p->covered_share[k]);
            cell(f, v, 28);
        }
        fprintf(f, "%.2f / %.2f / %.2f\n", p->median_s / 60, p->p90_s / 60, p->max_s / 60);
    }
}

void report_summary(FILE *f, const run_result *r)
{
    fprintf(f, _("emscov analyze: %s\n"), r->scenario_name);
    fprintf(f, _("standards:  %s (%s)\n"), r->standards_name, r->standards_title ? r->standards_title : "");
    if (r->service.key && strcmp(r->service.key, "ems")) {
        bool zh = i18n_current() == I18N_ZH;
        fprintf(f, _("service:    %s; facilities: %s; reached %s\n"), zh ? r->service.name_zh : r->service.name_en,
                zh ? r->service.facility_zh : r->service.facilities_en,
                !strcmp(r->service.mode, "walk") ? _("on foot") : _("by road"));
    }
    fprintf(f, _("working CRS: %s [EPSG:%d]; speed profile %s, period %s\n"), r->crs_name, r->epsg,
            r->speed_path, r->period);
    report_summary_inputs(f, r);
    if (r->overlap_pairs || r->hole_m2 > 1e-6)
        fprintf(f, _("sub-districts: %zu overlapping pairs (%.1f m2), %.1f m2 of holes between them\n"),
                r->overlap_pairs, r->overlap_m2, r->hole_m2);
    if (r->duplicate_station_ids) fprintf(f, _("stations with a duplicate id: %zu\n"), r->duplicate_station_ids);

    i18n_target_ctx tc;
    report_target_ctx(r, &tc);
    fputc('\n', f);
    cell(f, _("target"), 50);
    cell(f, _("value"), 14);
    cell(f, i18n_pgettext("column", "target"), 36);
    fprintf(f, "%s\n", _("verdict"));
    size_t napply = 0;
    for (size_t k = 0; k < RESULT_NTARGETS; k++)
        napply += r->targets[k].applies;
    if (!napply) fprintf(f, "%s\n", _("(the standard sets no target for this service: figures only)"));
    for (size_t k = 0; k < RESULT_NTARGETS; k++) {
        const result_target *t = &r->targets[k];
        if (!t->applies) continue;
        char value[64], extra[96] = "", label[300], ind[256], target[256], note[512];
        snprintf(value, sizeof value, "%s", _("n/a"));
        if (isfinite(t->value))
            snprintf(value, sizeof value,
                     k == RESULT_T_STATIONS ? "%.0f"
                     : k == RESULT_T_PARKS || k == RESULT_T_COVERAGE ? "%.1f %%"
                                            : "%.2f",
                     t->value);
        if (t->units_judged && k != RESULT_T_STATIONS && t->verdict != RESULT_NA)
            snprintf(extra, sizeof extra, _("  (%zu of %zu sub-districts fail)"), t->units_failing,
                     t->units_judged);
        i18n_target_indicator(ind, sizeof ind, t->key, &tc);
        i18n_target_text(target, sizeof target, t->key, t->threshold, &tc);
        if (k == RESULT_T_MEAN_RESPONSE)
            snprintf(label, sizeof label, _("%s, min"), ind);
        else
            snprintf(label, sizeof label, "%s", ind);
        cell(f, label, 50);
        cell(f, value, 14);
        cell(f, target, 36);
        fprintf(f, "%s%s\n", i18n_verdict(t->verdict), extra);
        i18n_target_note(note, sizeof note, t->key, t->note, &tc);
        if (t->verdict == RESULT_NA && *note) fprintf(f, "  %s\n", note);
    }
    fputc('\n', f);
    cell(f, _("figure"), 50);
    fprintf(f, "%s\n", _("value"));
    for (size_t k = 0; k < r->nthresholds; k++) {
        char label[128];
        snprintf(label, sizeof label, _("population within %g min"), r->thresholds_s[k] / 60);
        cell(f, label, 50);
        fprintf(f, "%.0f (%.1f %%)\n", r->covered[k], 100 * r->covered_share[k]);
    }
    cell(f, _("median / p90 / max response time"), 50);
    fprintf(f, _("%.2f / %.2f / %.2f min\n"), r->median_s / 60, r->p90_s / 60, r->max_s / 60);
    cell(f, _("population unreachable (no road or station)"), 50);
    fprintf(f, "%.0f (%.2f %%)\n", r->unreachable, 100 * r->unreachable_share);
    if (r->calls.present) {
        const result_calls *c = &r->calls;
        char label[128];
        cell(f, _("calls (call-weighted figures)"), 50);
        fprintf(f, _("%.0f calls at %zu points\n"), c->calls, c->points);
        for (size_t k = 0; k < r->nthresholds; k++) {
            snprintf(label, sizeof label, _("calls within %g min"), r->thresholds_s[k] / 60);
            cell(f, label, 50);
            fprintf(f, "%.0f (%.1f %%)\n", c->covered[k], 100 * c->covered_share[k]);
        }
        cell(f, _("mean / median / p90 / max response time, calls"), 50);
        fprintf(f, _("%.2f / %.2f / %.2f / %.2f min\n"), c->mean_s / 60, c->median_s / 60, c->p90_s / 60,
                c->max_s / 60);
        cell(f, _("calls unreachable (no road or station)"), 50);
        fprintf(f, "%.0f (%.2f %%)\n", c->unreachable, 100 * c->unreachable_share);
        if (c->by_hour) {
            snprintf(label, sizeof label, _("calls by hour, within %g min"), r->thresholds_s[0] / 60);
            cell(f, label, 50);
            const char *sep = "";
            for (int h = 0; h < 24; h++)
                if (c->hour_calls[h] > 0) {
                    fprintf(f, _("%s%02dh %.0f (%.0f %%)"), sep, h, c->hour_calls[h],
                            100 * c->hour_covered[h] / c->hour_calls[h]);
                    sep = _(", ");
                }
            fputc('\n', f);
        }
    }
    if (r->targets[RESULT_T_AMBULANCES].applies) {
        cell(f, _("ambulances"), 50);
        fprintf(f, _("%.0f of %.0f required (shortfall %.0f)\n"), r->ambulances, r->amb_required, r->amb_shortfall);
    }
    summary_periods(f, r);
    if (r->parks.present) {
        cell(f, _("park rule set"), 50);
        fprintf(f, "%s\n", r->parks.rule_standard ? r->parks.rule_standard : "");
        cell(f, _("park coverage target"), 50);
        fprintf(f, "%s %g %% (%s)\n", r->parks.target_strict ? ">" : ">=", 100 * r->parks.target_share,
                r->parks.target_from_rule ? (r->parks.rule_clause ? r->parks.rule_clause : "")
                                          : (r->standards_name ? r->standards_name : ""));
        cell(f, _("park coverage by population, %"), 50);
        fprintf(f, "%.1f\n", 100 * r->parks.pop_share);
    }
    fputc('\n', f);
    const char *one, *many;
    i18n_service_facility(r, &one, &many);
    char head[256];
    if (one)
        snprintf(head, sizeof head, _("sub-districts without a %s"), one);
    else
        snprintf(head, sizeof head, "%s", _("sub-districts without a station"));
    if (r->targets[RESULT_T_STATIONS].applies) summary_names(f, r, head, is_gap);
    if (r->targets[RESULT_T_MEAN_RESPONSE].applies)
        summary_names(f, r, _("sub-districts failing the mean-time target"), mean_fails);
    fprintf(f, "\n%s\n", _("sources of the targets:"));
    for (size_t k = 0; k < RESULT_NTARGETS; k++)
        if (r->targets[k].applies) fprintf(f, "  %-28s %s\n", r->targets[k].key, r->targets[k].standard);
    fprintf(f, "\n%s", _("timings:"));
    for (size_t k = 0; k < r->ntiming; k++)
        fprintf(f, _(" %s %.2f s;"), r->timing[k].step, r->timing[k].seconds);
    fputc('\n', f);
}

ems_status report_write_atomic(emscov_ctx *ctx, const char *path, const char *data, size_t len)
{
    size_t n = strlen(path) + 32;
    char *tmp = ems_malloc(ctx, n);
    if (!tmp) return EMS_ENOMEM;
    snprintf(tmp, n, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    ems_status st = EMS_OK;
    if (!f)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot write: %s", tmp, strerror(errno));
    else {
        bool ok = fwrite(data, 1, len, f) == len;
        ok = (fflush(f) == 0) && ok;
        ok = (fsync(fileno(f)) == 0) && ok;
        ok = (fclose(f) == 0) && ok;
        if (!ok)
            st = emscov_fail(ctx, EMS_EIO, "%s: write error: %s", tmp, strerror(errno));
        else if (rename(tmp, path) != 0)
            st = emscov_fail(ctx, EMS_EIO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
        if (st != EMS_OK) unlink(tmp);
    }
    free(tmp);
    return st;
}

/* ---- report.json ------------------------------------------------------------------------------------- */

static json_object *jnum(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *jstr(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *jint(size_t v)
{
    return json_object_new_int64((int64_t)v);
}

static json_object *jverdict(result_verdict v)
{
    return json_object_new_string(result_verdict_key(v));
}

static void add(json_object *o, const char *k, json_object *v)
{
    json_object_object_add(o, k, v);
}

static json_object *covered_json(const run_result *r, const double *covered, const double *shares)
{
    json_object *cov = json_object_new_array();
    for (size_t k = 0; k < r->nthresholds; k++) {
        json_object *t = json_object_new_object();
        add(t, "within_s", jnum(r->thresholds_s[k]));
        add(t, "population", jnum(covered[k]));
        add(t, "share", jnum(shares[k]));
        json_object_array_add(cov, t);
    }
    return cov;
}

/* The response-time figures of a sub-district, the city or the city in a period, in that order. */
static void add_coverage(json_object *o, const run_result *r, double pop, const double *covered,
                         const double *shares, double unreachable, double mean_s, double median_s, double p90_s,
                         double max_s)
{
    add(o, "population", jnum(pop));
    add(o, "covered", covered_json(r, covered, shares));
    add(o, "unreachable_population", jnum(unreachable));
    add(o, "mean_s", jnum(mean_s));
    add(o, "median_s", jnum(median_s));
    add(o, "p90_s", jnum(p90_s));
    add(o, "max_s", jnum(max_s));
}

static json_object *amb_json(double amb, double pop, double per_n, double required, double shortfall)
{
    json_object *o = json_object_new_object();
    add(o, "ambulances", jnum(amb));
    add(o, "population", jnum(pop));
    add(o, "per_standard_residents", jnum(per_n));
    add(o, "required", jnum(required));
    add(o, "shortfall", jnum(shortfall));
    return o;
}

static json_object *targets_json(const run_result *r)
{
    json_object *a = json_object_new_array();
    for (size_t k = 0; k < RESULT_NTARGETS; k++) {
        const result_target *t = &r->targets[k];
        if (!t->applies) continue; /* the standard sets no such target for its service */
        json_object *o = json_object_new_object();
        add(o, "key", jstr(t->key));
        add(o, "indicator", jstr(t->indicator));
        add(o, "value", jnum(t->value));
        add(o, "unit", jstr(t->unit));
        add(o, "op", jstr(t->op));
        add(o, "threshold", jnum(t->threshold));
        add(o, "target", jstr(t->target_text));
        add(o, "verdict", jverdict(t->verdict));
        add(o, "standard", jstr(t->standard));
        add(o, "source", jstr(t->source));
        add(o, "note", jstr(t->note));
        add(o, "subdistricts_failing", jint(t->units_failing));
        add(o, "subdistricts_judged", jint(t->units_judged));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *ledger_json(const run_result *r)
{
    const ledger *lg = r->ledger;
    json_object *o = json_object_new_object(), *layers = json_object_new_array(),
                *issues = json_object_new_array();
    for (size_t k = 0; k < ledger_layer_count(lg); k++) {
        const ledger_layer *y = ledger_layer_get(lg, k);
        json_object *l = json_object_new_object();
        add(l, "layer", jstr(y->role));
        add(l, "path", jstr(y->path));
        add(l, "unit", jstr(y->unit));
        add(l, "read", jint(y->read));
        add(l, "filtered", jint(y->filtered));
        add(l, "used", jint(y->used));
        add(l, "skipped", jint(y->skipped));
        add(l, "altered", jint(y->altered));
        add(l, "issues", jint(y->issues));
        json_object_array_add(layers, l);
    }
    for (size_t k = 0; k < ledger_issue_count(lg); k++) {
        const ledger_issue *is = ledger_issue_at(lg, k);
        json_object *i = json_object_new_object();
        add(i, "layer", jstr(is->role));
        add(i, "record", is->record ? json_object_new_int64(is->record) : NULL);
        add(i, "source_id", *is->source_id ? jstr(is->source_id) : NULL);
        add(i, "source_name", *is->source_name ? jstr(is->source_name) : NULL);
        add(i, "reason", jstr(ledger_reason_key(is->reason)));
        add(i, "text", jstr(ledger_reason_text(is->reason)));
        add(i, "detail", *is->detail ? jstr(is->detail) : NULL);
        add(i, "population", jnum(is->amount));
        add(i, "records", jint(is->count));
        add(i, "x", jnum(is->x));
        add(i, "y", jnum(is->y));
        json_object_array_add(issues, i);
    }
    add(o, "layers", layers);
    add(o, "issues", issues);
    return o;
}

static json_object *subdistrict_json(const run_result *r, const result_subdistrict *s)
{
    json_object *o = json_object_new_object();
    add(o, "record", json_object_new_int64(s->record));
    add(o, "id", jstr(s->id));
    add(o, "code", jstr(s->code));
    add(o, "name", jstr(s->name));
    add(o, "label", jstr(s->label));
    add(o, "district", jstr(r->districts[s->district].name));
    add(o, "area_m2", jnum(s->area_m2));
    json_object *c = json_object_new_object();
    add_coverage(c, r, s->pop, s->covered, s->covered_shares, s->unreachable, s->mean_s, s->median_s, s->p90_s,
                 s->max_s);
    add(o, "coverage", c);
    add(o, "stations", jint(s->stations));
    add(o, "gap", json_object_new_boolean(s->gap));
    add(o, "ambulances", amb_json(s->ambulances, s->pop, s->amb_per_n, s->amb_required, s->amb_shortfall));
    add(o, "park_share", jnum(s->park_share));
    add(o, "park_population_share", jnum(s->park_pop_share));
    if (r->calls.present) {
        json_object *co = json_object_new_object();
        add(co, "calls", jnum(s->calls));
        add(co, "covered", jnum(s->calls_covered));
        add(co, "covered_share", jnum(s->calls_covered_share));
        add(co, "mean_s", jnum(s->calls_mean_s));
        add(o, "calls", co);
    }
    json_object *v = json_object_new_object();
    add(v, "mean_response_time", jverdict(s->mean_verdict));
    add(v, "stations_per_subdistrict", jverdict(s->station_verdict));
    add(v, "ambulances_per_residents", jverdict(s->amb_verdict));
    add(v, "park_coverage", jverdict(s->park_verdict));
    add(o, "verdicts", v);
    add(o, "fails", jint(s->fails));
    add(o, "worst_rank", jint((size_t)s->order + 1));
    return o;
}

static json_object *station_json(const run_result *r, const result_station *s)
{
    json_object *o = json_object_new_object();
    add(o, "record", json_object_new_int64(s->record));
    add(o, "id", jstr(s->id));
    add(o, "name", jstr(s->name));
    add(o, "label", jstr(s->label));
    add(o, "x", jnum(s->x));
    add(o, "y", jnum(s->y));
    add(o, "ambulances", jnum(s->ambulances));
    add(o, "turnout_s", jnum(s->turnout_s));
    add(o, "status", jstr(result_station_status_key(s->status)));
    add(o, "snap_m", jnum(s->snap_m));
    add(o, "workload", jnum(s->workload));
    add(o, "subdistrict_id",
        s->subdistrict < r->nsubdistricts ? jstr(r->subdistricts[s->subdistrict].id) : NULL);
    add(o, "on_boundary", json_object_new_boolean(s->on_boundary));
    return o;
}

ems_status report_json(emscov_ctx *ctx, const run_result *r, const report_meta *meta, char **out)
{
    *out = NULL;
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *root = json_object_new_object();
    add(root, "schema", jstr("emscov-report-2"));
    add(root, "scenario", jstr(r->scenario_name));
    if (meta && meta->emscov_version)
        add(root, "emscov_version", jstr(meta->emscov_version));
    json_object *std_o = json_object_new_object();
    add(std_o, "name", jstr(r->standards_name));
    add(std_o, "title", jstr(r->standards_title));
    add(std_o, "mean_below_s", jnum(r->mean_below_s));
    add(std_o, "coverage_within_s", jnum(r->coverage_within_s));
    add(std_o, "min_stations_per_subdistrict", jnum(r->min_stations));
    /* vehicle figures only for a service with vehicles */
    bool veh = r->targets[RESULT_T_AMBULANCES].applies;
    add(std_o, "residents_per_ambulance", jnum(veh ? r->residents_per_ambulance : NAN));
    add(std_o, "satisfaction_min", jnum(veh ? r->satisfaction_min : NAN));
    add(std_o, "park_target_share", jnum(r->parks.target_share));
    add(std_o, "coverage_share_min", jnum(r->coverage_share_min));
    add(root, "standards", std_o);
    json_object *svc = json_object_new_object();
    add(svc, "key", jstr(r->service.key));
    add(svc, "name_zh", jstr(r->service.name_zh));
    add(svc, "name_en", jstr(r->service.name_en));
    add(svc, "facility_zh", jstr(r->service.facility_zh));
    add(svc, "facility_en", jstr(r->service.facility_en));
    add(svc, "facilities_en", jstr(r->service.facilities_en));
    add(svc, "mode", jstr(r->service.mode));
    add(svc, "vehicles", json_object_new_boolean(r->service.vehicles));
    add(svc, "source", jstr(r->service.source));
    add(root, "service", svc);
    if (r->calls.present) {
        const result_calls *c = &r->calls;
        json_object *co = json_object_new_object();
        add(co, "path", jstr(c->path));
        add(co, "points", jint(c->points));
        add(co, "calls", jnum(c->calls));
        json_object *cov = json_object_new_array();
        for (size_t k = 0; k < r->nthresholds; k++) {
            json_object *o = json_object_new_object();
            add(o, "within_s", jnum(r->thresholds_s[k]));
            add(o, "calls", jnum(c->covered[k]));
            add(o, "share", jnum(c->covered_share[k]));
            json_object_array_add(cov, o);
        }
        add(co, "covered", cov);
        add(co, "unreachable_calls", jnum(c->unreachable));
        add(co, "mean_s", jnum(c->mean_s));
        add(co, "median_s", jnum(c->median_s));
        add(co, "p90_s", jnum(c->p90_s));
        add(co, "max_s", jnum(c->max_s));
        if (c->by_hour) {
            json_object *hours = json_object_new_array();
            for (int h = 0; h < 24; h++) {
                json_object *o = json_object_new_object();
                add(o, "hour", jint((size_t)h));
                add(o, "calls", jnum(c->hour_calls[h]));
                add(o, "covered", jnum(c->hour_covered[h]));
                json_object_array_add(hours, o);
            }
            add(co, "by_hour", hours);
        }
        add(root, "calls", co);
    }
    add(root, "targets", targets_json(r));
    json_object *inputs = json_object_new_object();
    for (size_t k = 0; k < r->ninputs; k++)
        add(inputs, r->inputs[k].role, jstr(r->inputs[k].path));
    add(root, "inputs", inputs);
    if (meta && meta->files) {
        json_object *files = json_object_new_array();
        for (size_t k = 0; k < meta->files->n; k++) {
            const input_file *f = &meta->files->f[k];
            json_object *o = json_object_new_object();
            add(o, "role", jstr(f->role));
            add(o, "source", jstr(f->source));
            add(o, "path", jstr(f->path));
            add(o, "bytes", json_object_new_int64((int64_t)f->bytes));
            add(o, "sha256", jstr(f->sha256));
            json_object_array_add(files, o);
        }
        add(root, "input_files", files);
    }
    json_object *par = json_object_new_object();
    add(par, "working_epsg", json_object_new_int(r->epsg));
    add(par, "working_crs", jstr(r->crs_name));
    add(par, "speed_profile", jstr(r->speed_path));
    add(par, "period", jstr(r->period));
    add(par, "activation_s", jnum(r->activation_s));
    add(par, "max_snap_m", jnum(r->max_snap_m));
    add(par, "access_kmh", jnum(r->access_kmh));
    add(root, "parameters", par);

    const ledger_population *lp = ledger_population_view(r->ledger);
    json_object *pop = json_object_new_object(), *dropped = json_object_new_object();
    add(pop, "input_total", jnum(lp->input));
    add(pop, "allocated_total", jnum(lp->allocated));
    add(pop, "dropped_total", jnum(lp->dropped_total));
    add(pop, "dropped_records", jint(lp->dropped_records));
    add(pop, "dropped_weight", lp->scaled ? jnum(lp->dropped_weight) : NULL);
    for (int k = 0; k < LEDGER_NREASONS; k++)
        if (lp->dropped[k] > 0) add(dropped, ledger_reason_key((ledger_reason)k), jnum(lp->dropped[k]));
    add(pop, "dropped", dropped);
    add(pop, "outside_subdistricts", jnum(lp->outside));
    add(pop, "demand_points", jint(r->demand_points));
    add(pop, "method", jstr(r->pop_method));
    add(pop, "weights_total", r->pop_weights > 0 ? jnum(r->pop_weights) : NULL);
    add(root, "population", pop);

    json_object *cov = json_object_new_object();
    add_coverage(cov, r, r->pop, r->covered, r->covered_share, r->unreachable, r->mean_s, r->median_s, r->p90_s,
                 r->max_s);
    add(cov, "mean_target_met",
        json_object_new_boolean(r->targets[RESULT_T_MEAN_RESPONSE].verdict == RESULT_PASS));
    add(root, "coverage", cov);

    json_object *periods = json_object_new_array();
    for (size_t k = 0; k < r->nperiods; k++) {
        const result_period *p = &r->periods[k];
        json_object *o = json_object_new_object();
        add(o, "period", jstr(p->name));
        add(o, "run_period", json_object_new_boolean(p->run_period));
        add_coverage(o, r, p->pop, p->covered, p->covered_share, p->unreachable, p->mean_s, p->median_s, p->p90_s,
                     p->max_s);
        add(o, "mean_response_time", jverdict(p->mean_verdict));
        json_object_array_add(periods, o);
    }
    add(root, "periods", periods);

    json_object *gaps = json_object_new_object();
    add(gaps, "stations", jint(r->nstations));
    add(gaps, "stations_main_network", jint(r->stations_main));
    add(gaps, "stations_small_component", jint(r->stations_small));
    add(gaps, "stations_off_network", jint(r->stations_off));
    add(gaps, "stations_outside", jint(r->stations_outside));
    add(gaps, "stations_on_boundary", jint(r->stations_on_boundary));
    add(gaps, "subdistricts_without_station", jint(r->gaps));
    add(gaps, "subdistrict_overlap_pairs", jint(r->overlap_pairs));
    add(gaps, "subdistrict_overlap_m2", jnum(r->overlap_m2));
    add(gaps, "subdistrict_hole_m2", jnum(r->hole_m2));
    add(gaps, "duplicate_station_ids", jint(r->duplicate_station_ids));
    add(root, "gaps", gaps);

    json_object *amb = amb_json(r->ambulances, r->pop, r->amb_per_n, r->amb_required, r->amb_shortfall);
    add(amb, "outside_ambulances", jnum(r->outside_ambulances));
    add(amb, "subdistricts_short", jint(r->amb_short));
    json_object *dist = json_object_new_array();
    for (size_t d = 0; d < r->ndistricts; d++) {
        const result_district *rd = &r->districts[d];
        json_object *o =
            amb_json(rd->ambulances, rd->pop, rd->amb_per_n, rd->amb_required, rd->amb_shortfall);
        add(o, "district", jstr(rd->name));
        add(o, "subdistricts", jint(rd->subdistricts));
        add(o, "gaps", jint(rd->gaps));
        add(o, "stations", jint(rd->stations));
        add(o, "verdict", jverdict(rd->amb_verdict));
        json_object_array_add(dist, o);
    }
    add(amb, "districts", dist);
    add(root, "ambulances", amb);

    if (r->parks.present) {
        json_object *p = json_object_new_object();
        add(p, "rule_set", jstr(r->parks.rule_name));
        add(p, "standard", jstr(r->parks.rule_standard));
        add(p, "clause", jstr(r->parks.rule_clause));
        add(p, "target_share", jnum(r->parks.target_share));
        add(p, "target_op", jstr(r->parks.target_strict ? ">" : ">="));
        add(p, "target_from", jstr(r->parks.target_from_rule ? "rule_set" : "standards"));
        add(p, "target_source", jstr(r->parks.target_source));
        add(p, "residential_m2", r->parks.residential ? jnum(r->parks.residential_m2) : NULL);
        add(p, "covered_m2", r->parks.residential ? jnum(r->parks.covered_m2) : NULL);
        add(p, "share", jnum(r->parks.share));
        add(p, "population_share", jnum(r->parks.pop_share));
        add(p, "parks_included", jint(r->parks.parks_included));
        add(p, "parks_excluded", jint(r->parks.parks_excluded));
        add(p, "subdistricts_below_target", jint(r->parks.units_failing));
        add(root, "parks", p);
    }
    json_object *rows = json_object_new_array();
    for (size_t u = 0; u < r->nsubdistricts; u++)
        json_object_array_add(rows, subdistrict_json(r, &r->subdistricts[u]));
    add(root, "subdistricts", rows);
    json_object *srows = json_object_new_array();
    for (size_t s = 0; s < r->nstations; s++)
        json_object_array_add(srows, station_json(r, &r->stations[s]));
    add(root, "stations", srows);
    add(root, "ledger", ledger_json(r));
    const char *text = json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    ems_status st =
        text && (*out = ems_strdup(ctx, text)) ? EMS_OK : emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    json_object_put(root);
    return st;
}

ems_status report_json_text(emscov_ctx *ctx, json_object *root, char **out)
{
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = text ? strlen(text) : 0;
    *out = text ? ems_malloc(ctx, len + 2) : NULL;
    if (*out) {
        memcpy(*out, text, len);
        (*out)[len] = '\n';
        (*out)[len + 1] = '\0';
    }
    json_object_put(root);
    return *out ? EMS_OK : EMS_ENOMEM;
}

/* ---- streets.csv ------------------------------------------------------------------------------------- */

static const char *csv_verdict(result_verdict v)
{
    return v == RESULT_NA ? "" : result_verdict_key(v);
}

ems_status report_streets_csv(emscov_ctx *ctx, const run_result *r, const csv_style *style, char **out)
{
    *out = NULL;
    static const char *const head[] = {
        NC_("csv", "record"), NC_("csv", "subdistrict_id"), NC_("csv", "code"), NC_("csv", "name"),
        NC_("csv", "district"), NC_("csv", "area_km2"), NC_("csv", "population"), NC_("csv", "covered"),
        NC_("csv", "covered_share"), NC_("csv", "coverage_min"), NC_("csv", "mean_min"), NC_("csv", "median_min"),
        NC_("csv", "p90_min"), NC_("csv", "max_min"), NC_("csv", "unreachable"), NC_("csv", "mean_target_min"),
        NC_("csv", "mean_verdict"), NC_("csv", "stations"), NC_("csv", "min_stations"), NC_("csv", "gap"),
        NC_("csv", "ambulances"), NC_("csv", "amb_per_n"), NC_("csv", "amb_n"), NC_("csv", "amb_required"),
        NC_("csv", "amb_shortfall"), NC_("csv", "amb_verdict"), NC_("csv", "park_share"),
        NC_("csv", "park_pop_share"), NC_("csv", "park_target_share"), NC_("csv", "park_verdict"),
        NC_("csv", "fails"), NC_("csv", "worst_rank")};
    csv_buf b;
    csv_init(&b, ctx);
    csv_head(&b, style, head, sizeof head / sizeof *head);
    bool veh = r->targets[RESULT_T_AMBULANCES].applies, station_on = r->targets[RESULT_T_STATIONS].applies;
    for (size_t u = 0; u < r->nsubdistricts; u++) {
        const result_subdistrict *s = &r->subdistricts[u];
        csv_int(&b, s->record);
        csv_field(&b, s->id);
        csv_field(&b, s->code);
        csv_field(&b, s->name);
        csv_field(&b, r->districts[s->district].name);
        csv_number(&b, 4, s->area_m2 / 1e6);
        csv_number(&b, 1, s->pop);
        csv_number(&b, 1, s->covered[0]);
        csv_number(&b, 4, s->covered_share);
        csv_number(&b, 2, r->coverage_within_s / 60);
        csv_number(&b, 2, s->mean_s / 60);
        csv_number(&b, 2, s->median_s / 60);
        csv_number(&b, 2, s->p90_s / 60);
        csv_number(&b, 2, s->max_s / 60);
        csv_number(&b, 1, s->unreachable);
        csv_number(&b, 2, r->mean_below_s / 60);
        csv_field(&b, csv_verdict(s->mean_verdict));
        csv_int(&b, s->stations);
        csv_number(&b, 0, r->min_stations);
        /* rules the service's standard does not set stay empty (a walking circle has no ambulances) */
        csv_field(&b, !station_on ? "" : s->gap ? "yes" : "no");
        csv_number(&b, 0, veh ? s->ambulances : NAN);
        csv_number(&b, 3, veh ? s->amb_per_n : NAN);
        csv_number(&b, 0, veh ? r->residents_per_ambulance : NAN);
        csv_number(&b, 0, veh ? s->amb_required : NAN);
        csv_number(&b, 0, veh ? s->amb_shortfall : NAN);
        csv_field(&b, csv_verdict(s->amb_verdict));
        csv_number(&b, 4, s->park_share);
        csv_number(&b, 4, s->park_pop_share);
        csv_number(&b, 4, r->parks.present ? r->parks.target_share : NAN);
        csv_field(&b, csv_verdict(s->park_verdict));
        csv_int(&b, s->fails);
        csv_int(&b, (int64_t)s->order + 1);
        csv_end_row(&b);
    }
    ems_status st = csv_take(&b, out, NULL);
    csv_fini(&b);
    return st;
}
