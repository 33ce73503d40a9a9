/* src/output/report.c: summary, report.json and streets.csv (see report.h). */
#include "src/output/report.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *pass(bool ok)
{
    return ok ? "PASS" : "FAIL";
}

static double share(double part, double whole)
{
    return whole > 0 ? part / whole : NAN;
}

void report_summary(FILE *f, const analysis *a)
{
    const scenario *sc = a->sc;
    const standards *std = sc->std;
    const coverage_stats *c = &a->cov->city;
    size_t nu = layer_count(a->in.streets);
    fprintf(f, "emscov analyze: %s\n", sc->name);
    fprintf(f, "standards:  %s (%s)\n", std->name, std->title);
    fprintf(f, "working CRS: %s [EPSG:%d]; speed profile %s, period %s\n", crs_name(a->in.working),
            crs_epsg(a->in.working), sc->speed_path, sc->period);
    fprintf(f, "\npopulation  input %.0f = allocated %.0f (%s); outside every sub-district %.0f\n", a->pop_input,
            a->pop_allocated, a->pop_method, a->pop_outside);
    if (a->pop_weights > 0)
        fprintf(f, "            the counts are weights (sum %.6g) spreading the scenario's total of %.0f\n",
                a->pop_weights,
                a->pop_input);
    if (a->overlap_pairs || a->hole_m2 > 1e-6)
        fprintf(f, "sub-districts: %zu overlapping pairs (%.1f m2), %.1f m2 of holes between them\n", a->overlap_pairs,
                a->overlap_m2, a->hole_m2);
    if (a->duplicate_station_ids)
        fprintf(f, "stations with a duplicate id: %zu\n", a->duplicate_station_ids);
    fprintf(f, "stations    %zu (%zu on the road network, %zu too far from any road, %zu on a small road component)\n",
            a->nstations, a->nsrc, a->stations_unsnapped, a->stations_small_component);
    fprintf(f, "\n%-44s %-16s %-14s %s\n", "figure", "value", "target", "");
    char mean_t[32];
    snprintf(mean_t, sizeof mean_t, "< %.0f", std->mean_below_s / 60);
    fprintf(f, "%-44s %-16.2f %-14s %s\n", "mean response time, min (population-weighted)", c->mean_s / 60,
            mean_t, pass(c->mean_s < std->mean_below_s));
    char tgt[64];
    for (size_t k = 0; k < sc->nthresholds; k++) {
        char label[64], value[64];
        snprintf(label, sizeof label, "population within %.0f min", sc->thresholds_s[k] / 60);
        snprintf(value, sizeof value, "%.0f (%.1f %%)", c->covered[k], 100 * share(c->covered[k], c->pop));
        fprintf(f, "%-44s %s\n", label, value);
    }
    fprintf(f, "%-44s %.2f / %.2f / %.2f min\n", "median / p90 / max response time", c->median_s / 60, c->p90_s / 60,
            c->max_s / 60);
    fprintf(f, "%-44s %.0f (%.2f %%)\n", "population unreachable (no road or station)", c->unreachable,
            100 * share(c->unreachable, c->pop));
    size_t failing = 0;
    for (size_t u = 0; u < nu; u++)
        failing += !(a->cov->units[u].mean_s < std->mean_below_s);
    fprintf(f, "%-44s %zu of %zu\n", "sub-districts failing the mean-time target", failing, nu);
    snprintf(tgt, sizeof tgt, ">= %.0f each", std->min_stations);
    fprintf(f, "%-44s %-16zu %-14s %s\n", "sub-districts without a station (gaps)", a->gaps->ngaps, tgt,
            pass(a->gaps->ngaps == 0));
    fprintf(f, "%-44s %zu\n", "stations in no sub-district", a->gaps->outside);
    snprintf(tgt, sizeof tgt, ">= 1 per %.0f", std->residents_per_ambulance);
    char amb_label[64];
    snprintf(amb_label, sizeof amb_label, "ambulances per %.0f residents (city)", std->residents_per_ambulance);
    fprintf(f, "%-44s %-16.2f %-14s %s\n", amb_label, a->amb->city.per_n, tgt,
            pass(a->amb->city.per_n >= 1));
    fprintf(f, "%-44s %.0f of %.0f required (shortfall %.0f)\n", "ambulances", a->amb->city.ambulances,
            a->amb->city.required, a->amb->city.shortfall);
    size_t short_units = 0;
    for (size_t u = 0; u < nu; u++)
        short_units += a->amb->units[u].shortfall > 0;
    fprintf(f, "%-44s %zu of %zu\n", "sub-districts short of ambulances", short_units, nu);
    if (a->parks) {
        snprintf(tgt, sizeof tgt, ">= %.0f %%", 100 * std->park_target_share);
        if (a->in.residential)
            fprintf(f, "%-44s %-16.1f %-14s %s\n", "park coverage of residential land, %",
                    100 * a->parks->city.share, tgt, pass(a->parks->city.share >= std->park_target_share));
        else
            fprintf(f, "%-44s %-16s %-14s %s\n", "park coverage of residential land, %", "n/a", tgt,
                    "no [residential] layer");
        fprintf(f, "  %-42s %s\n", "rule set", park_rules_standard(a->rules));
        fprintf(f, "%-44s %.1f\n", "park coverage by population, %", 100 * share(a->park_pop_covered,
                                                                                  a->park_pop_total));
    }
    fprintf(f, "\ncall satisfaction (>= %.0f %%): needs call volumes and busy fractions (emscov sites, MEXCLP)\n",
            100 * std->satisfaction_min);
    fprintf(f, "\ntimings:");
    for (size_t k = 0; k < a->ntiming; k++)
        fprintf(f, " %s %.2f s;", a->timing[k].step, a->timing[k].seconds);
    fputc('\n', f);
}

ems_status report_write_atomic(emscov_ctx *ctx, const char *path, const char *data, size_t len)
{
    size_t n = strlen(path) + 32;
    char *tmp = ems_malloc(ctx, n);
    if (!tmp)
        return EMS_ENOMEM;
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
        if (st != EMS_OK)
            unlink(tmp);
    }
    free(tmp);
    return st;
}

static json_object *jnum(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *stats_json(const analysis *a, const coverage_stats *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "population", jnum(s->pop));
    json_object *cov = json_object_new_array();
    for (size_t k = 0; k < a->sc->nthresholds; k++) {
        json_object *t = json_object_new_object();
        json_object_object_add(t, "within_s", jnum(a->sc->thresholds_s[k]));
        json_object_object_add(t, "population", jnum(s->covered[k]));
        json_object_object_add(t, "share", jnum(share(s->covered[k], s->pop)));
        json_object_array_add(cov, t);
    }
    json_object_object_add(o, "covered", cov);
    json_object_object_add(o, "unreachable_population", jnum(s->unreachable));
    json_object_object_add(o, "mean_s", jnum(s->mean_s));
    json_object_object_add(o, "median_s", jnum(s->median_s));
    json_object_object_add(o, "p90_s", jnum(s->p90_s));
    json_object_object_add(o, "max_s", jnum(s->max_s));
    json_object_object_add(o, "mean_target_met", json_object_new_boolean(s->mean_s < a->sc->std->mean_below_s));
    return o;
}

static json_object *amb_json(const ambulance_row *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "ambulances", jnum(r->ambulances));
    json_object_object_add(o, "population", jnum(r->pop));
    json_object_object_add(o, "per_standard_residents", jnum(r->per_n));
    json_object_object_add(o, "required", jnum(r->required));
    json_object_object_add(o, "shortfall", jnum(r->shortfall));
    return o;
}

ems_status report_write_json(emscov_ctx *ctx, const analysis *a, const char *path)
{
    const scenario *sc = a->sc;
    const standards *std = sc->std;
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "schema", json_object_new_string("emscov-report-1"));
    json_object_object_add(root, "scenario", json_object_new_string(sc->name));
    json_object *std_o = json_object_new_object();
    json_object_object_add(std_o, "name", json_object_new_string(std->name));
    json_object_object_add(std_o, "mean_below_s", jnum(std->mean_below_s));
    json_object_object_add(std_o, "coverage_within_s", jnum(std->coverage_within_s));
    json_object_object_add(std_o, "min_stations_per_subdistrict", jnum(std->min_stations));
    json_object_object_add(std_o, "residents_per_ambulance", jnum(std->residents_per_ambulance));
    json_object_object_add(std_o, "park_target_share", jnum(std->park_target_share));
    json_object_object_add(root, "standards", std_o);
    json_object *inputs = json_object_new_object();
    const scenario_source *srcs[] = {&sc->streets, &sc->stations, &sc->population, &sc->roads, &sc->parks,
                                     &sc->residential};
    const char *names[] = {"streets", "stations", "population", "roads", "parks", "residential"};
    for (size_t k = 0; k < 6; k++)
        json_object_object_add(inputs, names[k], srcs[k]->path ? json_object_new_string(srcs[k]->path) : NULL);
    json_object_object_add(root, "inputs", inputs);
    json_object *par = json_object_new_object();
    json_object_object_add(par, "working_epsg", json_object_new_int(crs_epsg(a->in.working)));
    json_object_object_add(par, "period", json_object_new_string(sc->period));
    json_object_object_add(par, "activation_s", jnum(sc->activation_s));
    json_object_object_add(par, "max_snap_m", jnum(sc->max_snap_m));
    json_object_object_add(par, "access_kmh", jnum(speed_profile_access_kmh(a->in.speed)));
    json_object_object_add(root, "parameters", par);
    json_object *pop = json_object_new_object();
    json_object_object_add(pop, "input_total", jnum(a->pop_input));
    json_object_object_add(pop, "allocated_total", jnum(a->pop_allocated));
    json_object_object_add(pop, "outside_subdistricts", jnum(a->pop_outside));
    json_object_object_add(pop, "demand_points", json_object_new_int64((int64_t)a->npoints));
    json_object_object_add(pop, "method", json_object_new_string(a->pop_method));
    json_object_object_add(pop, "weights_total", a->pop_weights > 0 ? jnum(a->pop_weights) : NULL);
    json_object_object_add(root, "population", pop);
    json_object_object_add(root, "coverage", stats_json(a, &a->cov->city));
    json_object *gaps = json_object_new_object();
    json_object_object_add(gaps, "stations", json_object_new_int64((int64_t)a->nstations));
    json_object_object_add(gaps, "stations_outside", json_object_new_int64((int64_t)a->gaps->outside));
    json_object_object_add(gaps, "subdistricts_without_station", json_object_new_int64((int64_t)a->gaps->ngaps));
    json_object_object_add(gaps, "subdistrict_overlap_pairs", json_object_new_int64((int64_t)a->overlap_pairs));
    json_object_object_add(gaps, "subdistrict_overlap_m2", jnum(a->overlap_m2));
    json_object_object_add(gaps, "subdistrict_hole_m2", jnum(a->hole_m2));
    json_object_object_add(gaps, "duplicate_station_ids", json_object_new_int64((int64_t)a->duplicate_station_ids));
    json_object_object_add(root, "gaps", gaps);
    json_object *amb = amb_json(&a->amb->city);
    json_object_object_add(amb, "outside_ambulances", jnum(a->amb->outside_ambulances));
    json_object *dist = json_object_new_array();
    for (size_t d = 0; d < a->ndistricts; d++) {
        json_object *o = amb_json(&a->amb->districts[d]);
        json_object_object_add(o, "district", json_object_new_string(a->districts[d]));
        json_object_array_add(dist, o);
    }
    json_object_object_add(amb, "districts", dist);
    json_object_object_add(root, "ambulances", amb);
    if (a->parks) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "rule_set", json_object_new_string(park_rules_name(a->rules)));
        json_object_object_add(p, "standard", json_object_new_string(park_rules_standard(a->rules)));
        json_object_object_add(p, "residential_m2", jnum(a->parks->city.residential_m2));
        json_object_object_add(p, "covered_m2", jnum(a->parks->city.covered_m2));
        json_object_object_add(p, "share", jnum(a->parks->city.share));
        json_object_object_add(p, "population_share", jnum(share(a->park_pop_covered, a->park_pop_total)));
        json_object_object_add(p, "parks_included", json_object_new_int64((int64_t)a->parks->parks_included));
        json_object_object_add(p, "parks_excluded", json_object_new_int64((int64_t)a->parks->parks_excluded));
        json_object_object_add(root, "parks", p);
    }
    json_object *rows = json_object_new_array();
    size_t nu = layer_count(a->in.streets);
    for (size_t u = 0; u < nu; u++) {
        char b1[256], b2[256];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "code", json_object_new_string(analysis_unit_text(a, u, sc->street_code_field, b1, sizeof b1)));
        json_object_object_add(o, "name", json_object_new_string(analysis_unit_text(a, u, sc->street_name_field, b2, sizeof b2)));
        json_object_object_add(o, "district", json_object_new_string(a->districts[a->unit_district[u]]));
        json_object_object_add(o, "area_m2", jnum(a->gaps->area_m2[u]));
        json_object_object_add(o, "coverage", stats_json(a, &a->cov->units[u]));
        json_object_object_add(o, "stations", json_object_new_int64(a->gaps->count[u]));
        json_object_object_add(o, "ambulances", amb_json(&a->amb->units[u]));
        if (a->parks && a->parks->units) {
            json_object_object_add(o, "park_share", jnum(a->parks->units[u].share));
            json_object_object_add(o, "park_population_share", jnum(share(a->unit_park_pop_covered[u],
                                                                          a->unit_pop[u])));
        }
        json_object_array_add(rows, o);
    }
    json_object_object_add(root, "subdistricts", rows);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
    ems_status st = report_write_atomic(ctx, path, text, strlen(text));
    json_object_put(root);
    return st;
}

static void csv_field(char **buf, size_t *len, size_t *cap, const char *s, bool last)
{
    size_t need = *len + 2 * strlen(s) + 8;
    if (need > *cap) {
        *cap = need * 2;
        *buf = realloc(*buf, *cap);
    }
    if (!*buf)
        return;
    bool q = strpbrk(s, ",\"\n\r") != NULL;
    if (q)
        (*buf)[(*len)++] = '"';
    for (; *s; s++) {
        if (*s == '"')
            (*buf)[(*len)++] = '"';
        (*buf)[(*len)++] = *s;
    }
    if (q)
        (*buf)[(*len)++] = '"';
    (*buf)[(*len)++] = last ? '\n' : ',';
}

ems_status report_write_streets_csv(emscov_ctx *ctx, const analysis *a, const char *path)
{
    const scenario *sc = a->sc;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    const char *head[] = {"code", "name", "district", "area_km2", "population", "covered_12min", "covered_share",
                          "mean_min", "median_min", "p90_min", "max_min", "unreachable", "stations", "gap",
                          "ambulances", "ambulances_per_30k", "ambulance_shortfall", "park_share"};
    size_t nh = sizeof head / sizeof *head;
    for (size_t k = 0; k < nh; k++)
        csv_field(&buf, &len, &cap, head[k], k + 1 == nh);
    for (size_t u = 0; u < layer_count(a->in.streets) && buf; u++) {
        char b1[256], b2[256], v[20][48];
        const coverage_stats *c = &a->cov->units[u];
        const ambulance_row *r = &a->amb->units[u];
        snprintf(v[0], 48, "%.4f", a->gaps->area_m2[u] / 1e6);
        snprintf(v[1], 48, "%.1f", c->pop);
        snprintf(v[2], 48, "%.1f", c->covered[0]);
        snprintf(v[3], 48, "%.4f", share(c->covered[0], c->pop));
        snprintf(v[4], 48, "%.2f", c->mean_s / 60);
        snprintf(v[5], 48, "%.2f", c->median_s / 60);
        snprintf(v[6], 48, "%.2f", c->p90_s / 60);
        snprintf(v[7], 48, "%.2f", c->max_s / 60);
        snprintf(v[8], 48, "%.1f", c->unreachable);
        snprintf(v[9], 48, "%u", a->gaps->count[u]);
        snprintf(v[10], 48, "%s", a->gaps->count[u] < sc->std->min_stations ? "yes" : "no");
        snprintf(v[11], 48, "%.0f", r->ambulances);
        snprintf(v[12], 48, "%.3f", r->per_n);
        snprintf(v[13], 48, "%.0f", r->shortfall);
        snprintf(v[14], 48, "%.4f", a->parks && a->parks->units ? a->parks->units[u].share : NAN);
        csv_field(&buf, &len, &cap, analysis_unit_text(a, u, sc->street_code_field, b1, sizeof b1), false);
        csv_field(&buf, &len, &cap, analysis_unit_text(a, u, sc->street_name_field, b2, sizeof b2), false);
        csv_field(&buf, &len, &cap, a->districts[a->unit_district[u]], false);
        for (int k = 0; k < 15; k++)
            csv_field(&buf, &len, &cap, strcmp(v[k], "nan") ? v[k] : "", k == 14);
    }
    if (!buf)
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    ems_status st = report_write_atomic(ctx, path, buf, len);
    free(buf);
    return st;
}
