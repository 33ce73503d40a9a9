/* src/analysis/result.c: the result model of an analyze run (see result.h): ownership, labels, and every
 * verdict of the run, computed once. */
#include "src/analysis/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *result_verdict_key(result_verdict v)
{
    return v == RESULT_PASS ? "pass" : v == RESULT_FAIL ? "fail" : "n/a";
}

const char *result_verdict_text(result_verdict v)
{
    return v == RESULT_PASS ? "PASS" : v == RESULT_FAIL ? "FAIL" : "n/a";
}

const char *result_station_status_key(result_station_status s)
{
    return s == RESULT_STATION_MAIN              ? "main_network"
           : s == RESULT_STATION_SMALL_COMPONENT ? "small_component"
                                                 : "off_network";
}

ems_status run_result_create(emscov_ctx *ctx, run_result **out)
{
    *out = ems_calloc(ctx, 1, sizeof **out);
    if (!*out) return EMS_ENOMEM;
    ems_status st = ledger_create(ctx, &(*out)->ledger);
    if (st != EMS_OK) {
        free(*out);
        *out = NULL;
    }
    return st;
}

void run_result_destroy(run_result *r)
{
    if (!r) return;
    for (size_t k = 0; k < r->nstrings; k++)
        free(r->strings[k]);
    free(r->strings);
    free(r->subdistricts);
    free(r->worst_first);
    free(r->districts);
    free(r->stations);
    free(r->periods);
    ledger_destroy(r->ledger);
    free(r);
}

const char *run_result_str(emscov_ctx *ctx, run_result *r, const char *s)
{
    if (!s) return NULL;
    if (!ems_grow(ctx, (void **)&r->strings, &r->strings_cap, r->nstrings + 1, sizeof *r->strings))
        return NULL;
    char *copy = ems_strdup(ctx, s);
    if (copy) r->strings[r->nstrings++] = copy;
    return copy;
}

void run_result_add_timing(run_result *r, const char *step, double seconds)
{
    if (r->ntiming < sizeof r->timing / sizeof *r->timing)
        r->timing[r->ntiming++] = (result_timing){step, seconds};
}

const char *run_result_subdistrict_label(const run_result *r, uint32_t u)
{
    return u < r->nsubdistricts ? r->subdistricts[u].label : "";
}

const char *run_result_station_label(const run_result *r, uint32_t s)
{
    return s < r->nstations ? r->stations[s].label : "";
}

static result_verdict test(bool judged, bool pass)
{
    return !judged ? RESULT_NA : pass ? RESULT_PASS : RESULT_FAIL;
}

/* Worst first: more verdicts failed, then the longer mean time (no reached population counts as longest),
 * then more people, then the layer order. Sorted on copies of the keys (qsort has no user pointer). */
typedef struct order_key {
    uint32_t index, fails;
    double mean, pop;
} order_key;

static int worse(const void *pa, const void *pb)
{
    const order_key *a = pa, *b = pb;
    if (a->fails != b->fails) return a->fails > b->fails ? -1 : 1;
    if (a->mean != b->mean) return a->mean > b->mean ? -1 : 1;
    if (a->pop != b->pop) return a->pop > b->pop ? -1 : 1;
    return a->index < b->index ? -1 : 1;
}

/* The park share meets the target as the text compares it (">" or ">="). */
static bool park_meets(const result_parks *p, double share)
{
    return p->target_strict ? share > p->target_share : share >= p->target_share;
}

/* A formatted string owned by r (NULL when out of memory), through the local buffer buf. */
#define TEXT(...) (snprintf(buf, sizeof buf, __VA_ARGS__), run_result_str(ctx, r, buf))

ems_status run_result_judge(emscov_ctx *ctx, run_result *r, const char *const sources[RESULT_NTARGETS])
{
    char buf[1024];
    size_t mean_judged = 0, amb_judged = 0, park_judged = 0, cov_judged = 0, cov_failing = 0;
    r->mean_failing = r->amb_short = r->gaps = r->parks.units_failing = 0;
    /* which targets the standard sets for its service */
    bool mean_on = isfinite(r->mean_below_s), station_on = isfinite(r->min_stations),
         amb_on = r->service.vehicles || !r->service.key, cov_on = isfinite(r->coverage_share_min) && r->coverage_share_min > 0;
    for (size_t u = 0; u < r->nsubdistricts; u++) {
        result_subdistrict *s = &r->subdistricts[u];
        for (size_t k = 0; k < r->nthresholds; k++)
            s->covered_shares[k] = s->pop > 0 ? s->covered[k] / s->pop : NAN;
        s->covered_share = s->covered_shares[0];
        s->mean_verdict = test(mean_on && s->pop > 0, isfinite(s->mean_s) && s->mean_s < r->mean_below_s);
        s->station_verdict = test(station_on, (double)s->stations >= r->min_stations);
        s->gap = s->station_verdict == RESULT_FAIL;
        s->amb_verdict = test(amb_on && s->pop > 0, s->amb_per_n >= 1);
        s->coverage_verdict = test(cov_on && s->pop > 0, s->covered_share >= r->coverage_share_min);
        cov_judged += s->coverage_verdict != RESULT_NA;
        cov_failing += s->coverage_verdict == RESULT_FAIL;
        s->park_verdict = test(r->parks.residential && isfinite(s->park_share), park_meets(&r->parks, s->park_share));
        s->fails = (s->mean_verdict == RESULT_FAIL) + (s->station_verdict == RESULT_FAIL) +
                   (s->amb_verdict == RESULT_FAIL) + (s->park_verdict == RESULT_FAIL) +
                   (s->coverage_verdict == RESULT_FAIL);
        mean_judged += s->mean_verdict != RESULT_NA;
        amb_judged += s->amb_verdict != RESULT_NA;
        park_judged += s->park_verdict != RESULT_NA;
        r->mean_failing += s->mean_verdict == RESULT_FAIL;
        r->amb_short += s->amb_verdict == RESULT_FAIL;
        r->gaps += s->gap;
        r->parks.units_failing += s->park_verdict == RESULT_FAIL;
    }
    for (size_t d = 0; d < r->ndistricts; d++)
        r->districts[d].amb_verdict = test(r->districts[d].pop > 0, r->districts[d].amb_per_n >= 1);
    for (size_t k = 0; k < r->nthresholds; k++)
        r->covered_share[k] = r->pop > 0 ? r->covered[k] / r->pop : NAN;
    r->unreachable_share = r->pop > 0 ? r->unreachable / r->pop : NAN;
    for (size_t k = 0; k < r->nthresholds; k++)
        r->calls.covered_share[k] = r->calls.calls > 0 ? r->calls.covered[k] / r->calls.calls : NAN;
    r->calls.unreachable_share = r->calls.calls > 0 ? r->calls.unreachable / r->calls.calls : NAN;
    for (size_t u = 0; u < r->nsubdistricts; u++)
        r->subdistricts[u].calls_covered_share = r->subdistricts[u].calls > 0
                                                     ? r->subdistricts[u].calls_covered / r->subdistricts[u].calls
                                                     : NAN;
    r->parks.share = r->parks.residential && r->parks.residential_m2 > 0
                         ? r->parks.covered_m2 / r->parks.residential_m2
                         : NAN;
    r->parks.pop_share =
        r->parks.present && r->parks.pop_total > 0 ? r->parks.pop_covered / r->parks.pop_total : NAN;

    free(r->worst_first);
    size_t nu = r->nsubdistricts ? r->nsubdistricts : 1;
    r->worst_first = ems_malloc(ctx, nu * sizeof *r->worst_first);
    order_key *keys = ems_malloc(ctx, nu * sizeof *keys);
    if (!r->worst_first || !keys) {
        free(keys);
        return EMS_ENOMEM;
    }
    for (size_t u = 0; u < r->nsubdistricts; u++) {
        const result_subdistrict *s = &r->subdistricts[u];
        keys[u] = (order_key){(uint32_t)u, s->fails,
                              isfinite(s->mean_s) ? s->mean_s
                              : s->pop > 0        ? INFINITY
                                                  : -1,
                              s->pop};
    }
    qsort(keys, r->nsubdistricts, sizeof *keys, worse);
    for (size_t k = 0; k < r->nsubdistricts; k++) {
        r->worst_first[k] = keys[k].index;
        r->subdistricts[keys[k].index].order = (uint32_t)k;
    }
    free(keys);

    result_target *t = &r->targets[RESULT_T_MEAN_RESPONSE];
    *t = (result_target){.key = "mean_response_time",
                         .indicator = "mean response time (population-weighted)",
                         .unit = "min",
                         .op = "<",
                         .value = r->mean_s / 60,
                         .threshold = r->mean_below_s / 60,
                         .verdict = test(mean_on && r->pop > 0, isfinite(r->mean_s) && r->mean_s < r->mean_below_s),
                         .note = "over the population reached by road; unreachable people are counted apart",
                         .units_failing = r->mean_failing,
                         .units_judged = mean_judged,
                         .applies = mean_on};
    t->target_text = TEXT("< %g min", r->mean_below_s / 60);

    t = &r->targets[RESULT_T_STATIONS];
    *t = (result_target){.key = "stations_per_subdistrict",
                         .indicator = "sub-districts without a station (gaps)",
                         .unit = "sub-districts",
                         .op = "=",
                         .value = (double)r->gaps,
                         .threshold = 0,
                         .verdict = test(station_on && r->nsubdistricts > 0, r->gaps == 0),
                         .note = "",
                         .units_failing = r->gaps,
                         .units_judged = station_on ? r->nsubdistricts : 0,
                         .applies = station_on};
    snprintf(buf, sizeof buf, ">= %g station%s in every sub-district", r->min_stations,
             r->min_stations == 1 ? "" : "s");
    t->target_text = run_result_str(ctx, r, buf);
    const result_service *sv = &r->service;
    if (sv->key && strcmp(sv->key, "ems") && sv->facility_en && sv->facilities_en) {
        /* another service: its own facility noun */
        t->target_text = r->min_stations == 1 ? TEXT(">= 1 %s in every sub-district", sv->facility_en)
                                              : TEXT(">= %g %s in every sub-district", r->min_stations,
                                                     sv->facilities_en);
        t->indicator = r->min_stations == 1 ? TEXT("sub-districts without a %s (gaps)", sv->facility_en)
                                            : TEXT("sub-districts with fewer than %g %s (gaps)", r->min_stations,
                                                   sv->facilities_en);
    } else if (r->min_stations != 1)
        t->indicator = TEXT("sub-districts with fewer than %g stations (gaps)", r->min_stations);

    t = &r->targets[RESULT_T_AMBULANCES];
    *t = (result_target){.key = "ambulances_per_residents",
                         .unit = NULL,
                         .op = ">=",
                         .value = r->amb_per_n,
                         .threshold = 1,
                         .verdict = test(amb_on && r->pop > 0, r->amb_per_n >= 1),
                         .note = "",
                         .units_failing = r->amb_short,
                         .units_judged = amb_judged,
                         .applies = amb_on};
    t->indicator = TEXT("ambulances per %.0f residents (city)", r->residents_per_ambulance);
    t->unit = TEXT("ambulances per %.0f residents", r->residents_per_ambulance);
    t->target_text = TEXT(">= 1 per %.0f residents", r->residents_per_ambulance);

    t = &r->targets[RESULT_T_PARKS];
    *t = (result_target){.key = "park_coverage",
                         .indicator = "park service-radius coverage of residential land",
                         .unit = "%",
                         .op = r->parks.target_strict ? ">" : ">=",
                         .value = 100 * r->parks.share,
                         .threshold = 100 * r->parks.target_share,
                         .verdict = test(r->parks.residential && isfinite(r->parks.share),
                                         park_meets(&r->parks, r->parks.share)),
                         .units_failing = r->parks.units_failing,
                         .units_judged = park_judged,
                         .applies = r->parks.present || amb_on};
    if (isfinite(r->parks.target_share) && r->parks.rule_clause)
        t->target_text = TEXT("%s %g %% (%s)", t->op, 100 * r->parks.target_share,
                              r->parks.target_from_rule ? r->parks.rule_clause : r->standards_name);
    else if (isfinite(r->parks.target_share))
        t->target_text = TEXT("%s %g %%", t->op, 100 * r->parks.target_share);
    else
        t->target_text = "the park rule set's own target";
    if (!r->parks.present)
        t->note = "no [parks] layer in the scenario";
    else if (!r->parks.residential)
        t->note = TEXT("no [residential] layer: only the population share is known (%.1f %%)",
                       100 * r->parks.pop_share);
    else
        t->note = r->parks.rule_standard ? r->parks.rule_standard : "";

    t = &r->targets[RESULT_T_CALL_SATISFACTION];
    *t = (result_target){.key = "call_satisfaction",
                         .indicator = "call satisfaction (calls finding a free ambulance)",
                         .unit = "%",
                         .op = ">=",
                         .value = NAN,
                         .threshold = 100 * r->satisfaction_min,
                         .verdict = RESULT_NA,
                         .applies = amb_on,
                         .note =
                             "needs call volumes and job times: emscov sites --calls-per-day N --job-min M "
                             "(MEXCLP estimate)"};
    t->target_text = TEXT(">= %g %%", 100 * r->satisfaction_min);

    t = &r->targets[RESULT_T_COVERAGE];
    *t = (result_target){.key = "coverage_share",
                         .unit = "%",
                         .op = ">=",
                         .value = 100 * r->covered_share[0],
                         .threshold = 100 * r->coverage_share_min,
                         .verdict = test(cov_on && r->pop > 0, r->covered_share[0] >= r->coverage_share_min),
                         .note = "",
                         .units_failing = cov_failing,
                         .units_judged = cov_judged,
                         .applies = cov_on};
    t->indicator = TEXT("residents within %g min of a %s", r->coverage_within_s / 60,
                        r->service.facility_en ? r->service.facility_en : "station");
    t->target_text = TEXT(">= %g %%", 100 * r->coverage_share_min);

    for (size_t k = 0; k < RESULT_NTARGETS; k++) {
        const char *src = sources && sources[k] && *sources[k] ? sources[k] : NULL;
        /* the park target is measured after the rule set, which the standard names apart; a rule set the
         * scenario picks brings its own target, quoted from its clause */
        const char *rule = k == RESULT_T_PARKS && r->parks.present ? r->parks.rule_standard : NULL;
        const char *who = r->standards_name ? r->standards_name : "";
        if (k == RESULT_T_PARKS && r->parks.present && r->parks.target_from_rule) {
            src = r->parks.rule_standard;
            rule = NULL;
            who = r->parks.rule_name;
        }
        snprintf(buf, sizeof buf, "%s%s%s%s%s", who, src || rule ? ": " : "",
                 src ? src : "", src && rule ? "; measured after the rule set " : "", rule ? rule : "");
        r->targets[k].standard = run_result_str(ctx, r, buf);
        r->targets[k].source = src ? run_result_str(ctx, r, src) : NULL;
        if (!r->targets[k].standard || !r->targets[k].target_text || !r->targets[k].note ||
            (src && !r->targets[k].source))
            return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    }
    if (!r->targets[RESULT_T_AMBULANCES].indicator || !r->targets[RESULT_T_AMBULANCES].unit ||
        !r->targets[RESULT_T_COVERAGE].indicator)
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    return EMS_OK;
}
