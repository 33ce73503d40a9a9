/* src/output/compare.c: two stored analyze runs side by side (see compare.h). */
#include "src/output/compare.h"
#include "src/output/i18n.h"
#include "src/output/map.h"
#include "src/output/report.h"
#include "src/output/stored_run.h"

#include <json-c/json.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A value at a dotted path ("coverage.mean_s"); NULL when absent. */
static json_object *jpath(json_object *o, const char *path)
{
    char key[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (!json_object_object_get_ex(o, key, &o))
            return NULL;
        path += n + (path[n] == '.');
    }
    return o;
}

static double jnumber(json_object *o)
{
    if (!o || (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int) &&
               !json_object_is_type(o, json_type_boolean)))
        return NAN;
    return json_object_get_double(o);
}

static const char *jtext(json_object *o, const char *key)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

/* The text of a field of feature i ("" when NULL). */
static const char *field_text(const layer *l, size_t i, int j, char *buf, size_t cap)
{
    return layer_value_format(l, (size_t)j, layer_value_at(l, i, (size_t)j), buf, cap);
}

static ems_status parse(emscov_ctx *ctx, const char *text, const char *name, json_object **out)
{
    enum json_tokener_error err = json_tokener_success;
    *out = text ? json_tokener_parse_verbose(text, &err) : NULL;
    if (!*out)
        return emscov_fail(ctx, EMS_EINPUT, "%s: report.json is %s", name,
                           text ? json_tokener_error_desc(err) : "missing");
    const char *schema = jtext(*out, "schema");
    if (!schema || strcmp(schema, "emscov-report-2") != 0) {
        emscov_fail(ctx, EMS_EINPUT, "%s: schema \"%s\", not emscov-report-2 (a report.json of emscov analyze)", name,
                    schema ? schema : "");
        json_object_put(*out);
        *out = NULL;
        return EMS_EINPUT;
    }
    return EMS_OK;
}

static double diff(double a, double b)
{
    return isfinite(a) && isfinite(b) ? b - a : NAN;
}

typedef struct fig_list {
    compare_figure *v;
    size_t n, cap;
} fig_list;

static ems_status add_fig(emscov_ctx *ctx, fig_list *l, compare_kind kind, const char *name, const char *unit,
                          double a, double b, const char *va, const char *vb)
{
    if (l->n == l->cap && !ems_grow(ctx, (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return EMS_ENOMEM;
    compare_figure *f = &l->v[l->n++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->a = a;
    f->b = b;
    f->change = diff(a, b);
    f->name = ems_strdup(ctx, name);
    f->unit = ems_strdup(ctx, unit ? unit : "");
    f->verdict_a = va || vb ? ems_strdup(ctx, va ? va : "absent") : NULL;
    f->verdict_b = va || vb ? ems_strdup(ctx, vb ? vb : "absent") : NULL;
    f->verdict_changed = (va || vb) && (!va || !vb || strcmp(va, vb) != 0);
    return f->name && f->unit && ((!va && !vb) || (f->verdict_a && f->verdict_b)) ? EMS_OK : EMS_ENOMEM;
}

/* The target of key in a report's targets[], NULL when it has none. */
static json_object *target_of(json_object *rep, const char *key)
{
    json_object *t = jpath(rep, "targets");
    size_t n = t && json_object_is_type(t, json_type_array) ? json_object_array_length(t) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(t, i);
        const char *k = jtext(o, "key");
        if (k && !strcmp(k, key))
            return o;
    }
    return NULL;
}

static ems_status targets(emscov_ctx *ctx, json_object *ra, json_object *rb, fig_list *l)
{
    json_object *reps[2] = {ra, rb};
    ems_status st = EMS_OK;
    for (int side = 0; side < 2 && st == EMS_OK; side++) { /* A's targets, then those only B has */
        json_object *t = jpath(reps[side], "targets");
        size_t n = t && json_object_is_type(t, json_type_array) ? json_object_array_length(t) : 0;
        for (size_t i = 0; i < n && st == EMS_OK; i++) {
            const char *key = jtext(json_object_array_get_idx(t, i), "key");
            if (!key || (side == 1 && target_of(ra, key)))
                continue;
            json_object *ta = target_of(ra, key), *tb = target_of(rb, key);
            const char *unit = jtext(ta ? ta : tb, "unit");
            st = add_fig(ctx, l, COMPARE_TARGET, key, unit, jnumber(jpath(ta, "value")), jnumber(jpath(tb, "value")),
                         ta ? jtext(ta, "verdict") : NULL, tb ? jtext(tb, "verdict") : NULL);
        }
    }
    return st;
}

/* The headline figures beside the targets, by report path, with what the summary calls them and their unit
 * (translated when printed; the JSON keeps path and unit). */
static const struct {
    const char *path, *unit, *label;
} headline[] = {{"coverage.population", "persons", N_("residents (demand points)")},
                {"coverage.unreachable_population", "persons", N_("residents no road reaches")},
                {"coverage.mean_s", "s", N_("mean response time")},
                {"coverage.median_s", "s", N_("median response time")},
                {"coverage.p90_s", "s", N_("90th percentile of response time")},
                {"coverage.max_s", "s", N_("longest response time")},
                {"gaps.stations", "stations", N_("stations in the analysis")},
                {"gaps.stations_off_network", "stations", N_("stations too far from a road")},
                {"gaps.subdistricts_without_station", "sub-districts", N_("sub-districts without a station")},
                {"ambulances.ambulances", "ambulances", N_("ambulances")},
                {"ambulances.required", "ambulances", N_("ambulances the standard requires")},
                {"ambulances.shortfall", "ambulances", N_("ambulances missing")}};

/* The units of the figures, for the catalogue: unit_text translates them. */
static const char *const unit_texts[] = {N_("persons"), N_("share"), N_("s"), N_("stations"), N_("sub-districts"),
                                         N_("ambulances")};

static const char *unit_text(const char *unit)
{
    for (size_t k = 0; k < sizeof unit_texts / sizeof *unit_texts; k++)
        if (!strcmp(unit, unit_texts[k])) return _(unit_texts[k]);
    return unit;
}

/* covered[] entries by their within_s: A's thresholds, each with B's population and share at the same time. */
static ems_status coverage_rows(emscov_ctx *ctx, json_object *ra, json_object *rb, fig_list *l)
{
    json_object *ca = jpath(ra, "coverage.covered"), *cb = jpath(rb, "coverage.covered");
    size_t na = ca && json_object_is_type(ca, json_type_array) ? json_object_array_length(ca) : 0;
    size_t nb = cb && json_object_is_type(cb, json_type_array) ? json_object_array_length(cb) : 0;
    ems_status st = EMS_OK;
    for (size_t i = 0; i < na && st == EMS_OK; i++) {
        json_object *ea = json_object_array_get_idx(ca, i), *eb = NULL;
        double w = jnumber(jpath(ea, "within_s"));
        for (size_t j = 0; j < nb && !eb; j++)
            if (jnumber(jpath(json_object_array_get_idx(cb, j), "within_s")) == w)
                eb = json_object_array_get_idx(cb, j);
        char name[96];
        snprintf(name, sizeof name, "covered within %g min", w / 60);
        st = add_fig(ctx, l, COMPARE_COVERED, name, "persons", jnumber(jpath(ea, "population")),
                     jnumber(jpath(eb, "population")), NULL, NULL);
        if (st == EMS_OK) l->v[l->n - 1].within_min = w / 60;
        snprintf(name, sizeof name, "covered share within %g min", w / 60);
        if (st == EMS_OK)
            st = add_fig(ctx, l, COMPARE_COVERED_SHARE, name, "share", jnumber(jpath(ea, "share")),
                         jnumber(jpath(eb, "share")), NULL, NULL);
        if (st == EMS_OK) l->v[l->n - 1].within_min = w / 60;
    }
    return st;
}

/* A sub-district's share covered within the standard's time (covered[0]: the standard's own). */
static double unit_share(json_object *u)
{
    json_object *c = jpath(u, "coverage.covered");
    return c && json_object_is_type(c, json_type_array) && json_object_array_length(c) > 0
               ? jnumber(jpath(json_object_array_get_idx(c, 0), "share"))
               : NAN;
}

static json_object *unit_by_id(json_object *arr, const char *id)
{
    size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *v = jtext(json_object_array_get_idx(arr, i), "id");
        if (v && !strcmp(v, id))
            return json_object_array_get_idx(arr, i);
    }
    return NULL;
}

static bool differs(double a, double b)
{
    return isfinite(a) != isfinite(b) || (isfinite(a) && fabs(a - b) > 1e-9 * fmax(1, fabs(a)));
}

static bool unit_changed(const compare_unit *u)
{
    return !u->in_a || !u->in_b || u->gap_a != u->gap_b || differs(u->stations_a, u->stations_b) ||
           differs(u->share_a, u->share_b) || differs(u->mean_s_a, u->mean_s_b);
}

static ems_status units(emscov_ctx *ctx, json_object *ra, json_object *rb, compare_result *r)
{
    json_object *ua = jpath(ra, "subdistricts"), *ub = jpath(rb, "subdistricts");
    size_t na = ua && json_object_is_type(ua, json_type_array) ? json_object_array_length(ua) : 0;
    size_t nb = ub && json_object_is_type(ub, json_type_array) ? json_object_array_length(ub) : 0;
    r->units = ems_calloc(ctx, na + nb + 1, sizeof *r->units);
    if (!r->units)
        return EMS_ENOMEM;
    for (int side = 0; side < 2; side++) {
        json_object *arr = side ? ub : ua;
        size_t n = side ? nb : na;
        for (size_t i = 0; i < n; i++) {
            json_object *o = json_object_array_get_idx(arr, i);
            const char *id = jtext(o, "id");
            if (!id || (side == 1 && unit_by_id(ua, id)))
                continue;
            json_object *a = side ? NULL : o, *b = unit_by_id(ub, id);
            compare_unit *u = &r->units[r->nunits++];
            const char *label = jtext(o, "label");
            u->id = ems_strdup(ctx, id);
            u->label = ems_strdup(ctx, label ? label : id);
            if (!u->id || !u->label)
                return EMS_ENOMEM;
            u->in_a = a != NULL;
            u->in_b = b != NULL;
            u->stations_a = jnumber(jpath(a, "stations"));
            u->stations_b = jnumber(jpath(b, "stations"));
            u->gap_a = jnumber(jpath(a, "gap")) == 1;
            u->gap_b = jnumber(jpath(b, "gap")) == 1;
            u->share_a = a ? unit_share(a) : NAN;
            u->share_b = b ? unit_share(b) : NAN;
            u->share_change = diff(u->share_a, u->share_b);
            u->mean_s_a = jnumber(jpath(a, "coverage.mean_s"));
            u->mean_s_b = jnumber(jpath(b, "coverage.mean_s"));
            u->mean_s_change = diff(u->mean_s_a, u->mean_s_b);
            r->changed_units += unit_changed(u);
        }
    }
    return EMS_OK;
}

ems_status compare_build(emscov_ctx *ctx, const char *report_a, const char *name_a, const char *report_b,
                         const char *name_b, compare_result **out)
{
    *out = NULL;
    json_object *ra = NULL, *rb = NULL;
    ems_status st = parse(ctx, report_a, name_a, &ra);
    if (st == EMS_OK)
        st = parse(ctx, report_b, name_b, &rb);
    compare_result *r = st == EMS_OK ? ems_calloc(ctx, 1, sizeof *r) : NULL;
    if (st == EMS_OK && !r)
        st = EMS_ENOMEM;
    if (r)
        r->mean_below_s = NAN;
    fig_list l = {0};
    if (st == EMS_OK) {
        const char *sa = jtext(ra, "scenario"), *sb = jtext(rb, "scenario");
        r->name_a = ems_strdup(ctx, name_a);
        r->name_b = ems_strdup(ctx, name_b);
        r->scenario_a = ems_strdup(ctx, sa ? sa : "");
        r->scenario_b = ems_strdup(ctx, sb ? sb : "");
        json_object *c0 = jpath(ra, "coverage.covered");
        r->within_s = c0 && json_object_is_type(c0, json_type_array) && json_object_array_length(c0) > 0
                          ? jnumber(jpath(json_object_array_get_idx(c0, 0), "within_s"))
                          : NAN;
        if (!r->name_a || !r->name_b || !r->scenario_a || !r->scenario_b)
            st = EMS_ENOMEM;
        r->min_stations = jnumber(jpath(rb, "standards.min_stations_per_subdistrict"));
        r->residents_per_ambulance = jnumber(jpath(rb, "standards.residents_per_ambulance"));
        r->coverage_min = jnumber(jpath(rb, "standards.coverage_within_s")) / 60;
        const char *key = jtext(jpath(rb, "service"), "key");
        if (key && strcmp(key, "ems") != 0) { /* the ambulance service keeps the targets' own words */
            const char *fz = jtext(jpath(rb, "service"), "facility_zh"), *fe = jtext(jpath(rb, "service"), "facility_en"),
                       *fp = jtext(jpath(rb, "service"), "facilities_en");
            if ((fz && !(r->facility_zh = ems_strdup(ctx, fz))) || (fe && !(r->facility_en = ems_strdup(ctx, fe))) ||
                (fp && !(r->facilities_en = ems_strdup(ctx, fp))))
                st = EMS_ENOMEM;
        }
    }
    if (st == EMS_OK)
        st = targets(ctx, ra, rb, &l);
    if (st == EMS_OK)
        st = coverage_rows(ctx, ra, rb, &l);
    for (size_t k = 0; st == EMS_OK && k < sizeof headline / sizeof *headline; k++)
        st = add_fig(ctx, &l, COMPARE_HEADLINE, headline[k].path, headline[k].unit, jnumber(jpath(ra, headline[k].path)),
                     jnumber(jpath(rb, headline[k].path)), NULL, NULL);
    if (r) {
        r->fig = l.v;
        r->nfig = l.n;
    } else {
        for (size_t k = 0; k < l.n; k++)
            free(l.v[k].name), free(l.v[k].unit), free(l.v[k].verdict_a), free(l.v[k].verdict_b);
        free(l.v);
    }
    if (st == EMS_OK)
        st = units(ctx, ra, rb, r);
    json_object_put(ra);
    json_object_put(rb);
    if (st != EMS_OK) {
        compare_destroy(r);
        return st;
    }
    *out = r;
    return EMS_OK;
}

void compare_destroy(compare_result *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < r->nfig; k++) {
        free(r->fig[k].name);
        free(r->fig[k].unit);
        free(r->fig[k].verdict_a);
        free(r->fig[k].verdict_b);
    }
    free(r->fig);
    for (size_t k = 0; r->units && k < r->nunits; k++) {
        free(r->units[k].id);
        free(r->units[k].label);
    }
    free(r->units);
    free(r->name_a);
    free(r->name_b);
    free(r->scenario_a);
    free(r->scenario_b);
    free(r->facility_zh);
    free(r->facility_en);
    free(r->facilities_en);
    layer_destroy(r->change);
    free(r);
}

static void num(FILE *f, double v, int width)
{
    if (isfinite(v))
        fprintf(f, " %*.*f", width, fabs(v) < 10 && v != floor(v) ? 4 : fabs(v) < 1000 && v != floor(v) ? 2 : 0, v);
    else
        fprintf(f, " %*s", width, "-");
}

static void signed_num(FILE *f, double v, int width)
{
    if (!isfinite(v)) {
        fprintf(f, " %*s", width, "-");
        return;
    }
    char buf[64];
    int prec = fabs(v) < 10 && v != floor(v) ? 4 : fabs(v) < 1000 && v != floor(v) ? 2 : 0;
    snprintf(buf, sizeof buf, "%+.*f", prec, v);
    fprintf(f, " %*s", width, buf);
}

/* What the summary calls figure g, with its unit, in the current language; JSON keeps name and unit. */
static void figure_label(char *buf, size_t cap, const compare_result *r, const compare_figure *g)
{
    char what[160] = "";
    const char *unit = unit_text(g->unit);
    switch (g->kind) {
    case COMPARE_TARGET: {
        bool zh = i18n_current() == I18N_ZH;
        i18n_target_ctx c = {.min_stations = isfinite(r->min_stations) ? r->min_stations : 1,
                             .residents_per_ambulance = r->residents_per_ambulance,
                             .coverage_min = r->coverage_min,
                             .facility = zh ? r->facility_zh : r->facility_en,
                             .facilities = zh ? r->facility_zh : r->facilities_en};
        if (!c.facility || !c.facilities) c.facility = c.facilities = NULL;
        i18n_target_indicator(what, sizeof what, g->name, &c);
        const char *tu = i18n_target_unit(g->name);
        if (*what) unit = *tu ? tu : "";
        break;
    }
    case COMPARE_COVERED:
        snprintf(what, sizeof what, _("covered within %g min"), g->within_min);
        break;
    case COMPARE_COVERED_SHARE:
        snprintf(what, sizeof what, _("covered share within %g min"), g->within_min);
        unit = "";
        break;
    case COMPARE_HEADLINE:
        for (size_t k = 0; k < sizeof headline / sizeof *headline; k++)
            if (!strcmp(g->name, headline[k].path)) snprintf(what, sizeof what, "%s", _(headline[k].label));
        break;
    }
    if (!*what) snprintf(what, sizeof what, "%s", g->name);
    if (!strcmp(what, unit)) unit = ""; /* "ambulances", not "ambulances (ambulances)" */
    snprintf(buf, cap, "%s%s%s%s", what, *unit ? " (" : "", unit, *unit ? ")" : "");
}

/* A verdict of report.json ("pass", "fail", "n/a", or "absent": the run has no such target) as people read it. */
static const char *verdict_text(const char *v)
{
    return !strcmp(v, "absent") ? _("absent") : i18n_verdict(i18n_verdict_parse(v));
}

void compare_summary(FILE *f, const compare_result *r)
{
    fprintf(f, _("compare  A: %s (%s)\n         B: %s (%s)\n\n"), r->name_a, r->scenario_a, r->name_b, r->scenario_b);
    fputs("  ", f);
    i18n_fpad(f, _("figure"), 56);
    fprintf(f, " %14s %14s %14s  %s\n", "A", "B", _("change"), _("verdict A -> B"));
    for (size_t k = 0; k < r->nfig; k++) {
        const compare_figure *g = &r->fig[k];
        char name[240];
        figure_label(name, sizeof name, r, g);
        fputs("  ", f);
        i18n_fpad(f, name, 56);
        num(f, g->a, 14);
        num(f, g->b, 14);
        signed_num(f, g->change, 14);
        if (g->verdict_a)
            fprintf(f, "  %s -> %s%s", verdict_text(g->verdict_a), verdict_text(g->verdict_b),
                    g->verdict_changed ? _("  (changed)") : "");
        fputc('\n', f);
    }
    fprintf(f, _("\nsub-districts that changed: %zu of %zu (covered share within %g min, mean response time)\n"),
            r->changed_units, r->nunits, r->within_s / 60);
    for (size_t k = 0; k < r->nunits; k++) {
        const compare_unit *u = &r->units[k];
        if (!unit_changed(u))
            continue;
        fputs("  ", f);
        i18n_fpad(f, u->label, 30);
        if (!u->in_a || !u->in_b) {
            fprintf(f, "%s\n", u->in_a ? _(" only in A") : _(" only in B"));
            continue;
        }
        fprintf(f, _(" stations %g -> %g%s  share %.4f -> %.4f (%+.4f)  mean %.1f -> %.1f s (%+.1f s)\n"),
                u->stations_a, u->stations_b, u->gap_a != u->gap_b ? (u->gap_b ? _(", now a gap") : _(", gap filled"))
                                                                   : "",
                u->share_a, u->share_b, u->share_change, u->mean_s_a, u->mean_s_b, u->mean_s_change);
    }
}

static json_object *jn(double v)
{
    return isfinite(v) ? json_object_new_double(v) : NULL;
}

ems_status compare_json(emscov_ctx *ctx, const compare_result *r, char **out)
{
    *out = NULL;
    json_object *root = json_object_new_object();
    json_object_object_add(root, "schema", json_object_new_string("emscov-compare/1"));
    const char *names[2] = {r->name_a, r->name_b}, *scen[2] = {r->scenario_a, r->scenario_b};
    for (int s = 0; s < 2; s++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "run", json_object_new_string(names[s]));
        json_object_object_add(o, "scenario", json_object_new_string(scen[s]));
        json_object_object_add(root, s ? "b" : "a", o);
    }
    json_object_object_add(root, "within_s", jn(r->within_s));
    json_object *fa = json_object_new_array();
    for (size_t k = 0; k < r->nfig; k++) {
        const compare_figure *g = &r->fig[k];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(g->name));
        json_object_object_add(o, "unit", json_object_new_string(g->unit));
        json_object_object_add(o, "a", jn(g->a));
        json_object_object_add(o, "b", jn(g->b));
        json_object_object_add(o, "change", jn(g->change));
        if (g->verdict_a) {
            json_object_object_add(o, "verdict_a", json_object_new_string(g->verdict_a));
            json_object_object_add(o, "verdict_b", json_object_new_string(g->verdict_b));
            json_object_object_add(o, "verdict_changed", json_object_new_boolean(g->verdict_changed));
        }
        json_object_array_add(fa, o);
    }
    json_object_object_add(root, "figures", fa);
    json_object *ua = json_object_new_array();
    for (size_t k = 0; k < r->nunits; k++) {
        const compare_unit *u = &r->units[k];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(u->id));
        json_object_object_add(o, "label", json_object_new_string(u->label));
        json_object_object_add(o, "in_a", json_object_new_boolean(u->in_a));
        json_object_object_add(o, "in_b", json_object_new_boolean(u->in_b));
        json_object_object_add(o, "stations_a", jn(u->stations_a));
        json_object_object_add(o, "stations_b", jn(u->stations_b));
        json_object_object_add(o, "gap_a", u->in_a ? json_object_new_boolean(u->gap_a) : NULL);
        json_object_object_add(o, "gap_b", u->in_b ? json_object_new_boolean(u->gap_b) : NULL);
        json_object_object_add(o, "covered_share_a", jn(u->share_a));
        json_object_object_add(o, "covered_share_b", jn(u->share_b));
        json_object_object_add(o, "covered_share_change", jn(u->share_change));
        json_object_object_add(o, "mean_s_a", jn(u->mean_s_a));
        json_object_object_add(o, "mean_s_b", jn(u->mean_s_b));
        json_object_object_add(o, "mean_s_change", jn(u->mean_s_change));
        json_object_array_add(ua, o);
    }
    json_object_object_add(root, "subdistricts", ua);
    json_object_object_add(root, "subdistricts_changed", json_object_new_int64((int64_t)r->changed_units));
    if (r->change) { /* the map's values: B − A of the two street_summary tables */
        json_object *ma = json_object_new_array();
        const layer *l = r->change;
        for (size_t i = 0; i < layer_count(l); i++) {
            json_object *o = json_object_new_object();
            char id[256];
            json_object_object_add(o, "id", json_object_new_string(field_text(l, i, 0, id, sizeof id)));
            json_object_object_add(o, "covered_share_change", jn(layer_value_number(l, i, 2)));
            json_object_object_add(o, "mean_s_change", jn(layer_value_number(l, i, 3)));
            json_object_array_add(ma, o);
        }
        json_object_object_add(root, "map_values", ma);
    }
    return report_json_text(ctx, root, out);
}

ems_status compare_change_layer(emscov_ctx *ctx, const layer *a, const layer *b, layer **out)
{
    *out = NULL;
    const char *names[] = {"subdistrict_id", "name", "covered_share", "mean_s"};
    int ja[4], jb[4];
    ems_status st = EMS_OK;
    for (int k = 0; k < 4 && st == EMS_OK; k++)
        if ((st = layer_require_field(ctx, a, names[k], "street_summary", &ja[k])) == EMS_OK)
            st = layer_require_field(ctx, b, names[k], "street_summary", &jb[k]);
    layer *l = NULL;
    if (st == EMS_OK)
        st = layer_create(ctx, "compare_change", "emscov", layer_crs(b), &l);
    const char *out_names[] = {"subdistrict_id", "name", "covered_share_change", "mean_s_change"};
    layer_field_type types[] = {LAYER_FIELD_STRING, LAYER_FIELD_STRING, LAYER_FIELD_DOUBLE, LAYER_FIELD_DOUBLE};
    for (int k = 0; k < 4 && st == EMS_OK; k++)
        st = layer_add_field(ctx, l, out_names[k], types[k], 0, 0);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < layer_count(b) && st == EMS_OK; i++) {
        char id[256], ida[256], name[256];
        field_text(b, i, jb[0], id, sizeof id);
        size_t m = layer_count(a);
        for (size_t k = 0; k < layer_count(a) && m == layer_count(a); k++)
            if (!strcmp(field_text(a, k, ja[0], ida, sizeof ida), id)) m = k;
        layer_value v[4] = {{.u.s = id}, {.u.s = field_text(b, i, jb[1], name, sizeof name)}, {.is_null = true},
                            {.is_null = true}};
        for (int f = 2; f < 4 && m < layer_count(a); f++) {
            double change = layer_value_number(b, i, (size_t)jb[f]) - layer_value_number(a, m, (size_t)ja[f]);
            v[f] = isfinite(change) ? (layer_value){.u.d = change} : (layer_value){.is_null = true};
        }
        st = layer_append_valid_take(ctx, l, GEOSGeom_clone_r(h, layer_geom(b, i)), layer_record(b, i), v);
    }
    if (st != EMS_OK) {
        layer_destroy(l);
        return st;
    }
    *out = l;
    return EMS_OK;
}

ems_status compare_map_write(emscov_ctx *ctx, const compare_result *r, const char *field, const char *path)
{
    const char *dot = strrchr(path, '.');
    map_opts o = {.kind = MAP_CHOROPLETH, .field = field, .dpi = 150, .format = MAP_PNG};
    if (!dot || !map_format_parse(dot + 1, &o.format))
        return emscov_fail(ctx, EMS_EINPUT, "--map %s: the file name ends in .png, .svg or .pdf", path);
    if (!r->change)
        return emscov_fail(ctx, EMS_EINTERNAL, "compare: the runs were read without the map's layers");
    map_parse_page("A4", &o.page_w_mm, &o.page_h_mm);
    char scen[600];
    if (strcmp(r->scenario_a, r->scenario_b)) /* the runs' scenarios, else the runs themselves */
        snprintf(scen, sizeof scen, "%s → %s", r->scenario_a, r->scenario_b);
    else
        snprintf(scen, sizeof scen, "%s: %s → %s", r->scenario_a, r->name_a, r->name_b);
    map_inputs in = {.streets = r->change,
                     .scenario = scen,
                     .date = r->date[0] ? r->date : NULL,
                     .standard = r->standard[0] ? r->standard : NULL,
                     .mean_below_s = r->mean_below_s,
                     .coverage_within_s = r->within_s,
                     .residents_per_ambulance = NAN};
    ems_status st = map_check(ctx, &in, &o);
    map_page page;
    map_page_whole(&in, &page);
    if (st == EMS_OK)
        st = map_write(ctx, &in, &o, &page, 1, path);
    map_release_fonts(); /* the command's one map */
    return st;
}

ems_status compare_runs(emscov_ctx *ctx, const char *a, const char *b, const char *db, const char *schema,
                        bool with_map, compare_result **out)
{
    *out = NULL;
    stored_run ra = {0}, rb = {0};
    char ga[4200], gb[4200], na[4300], nb[4300];
    stored_run_ref fa = {.db = db, .schema = schema, .run = a, .cmd = "compare"}, fb = fa;
    fb.run = b;
    if (!db) { /* output directories: their GeoPackage, with report.json beside it */
        snprintf(ga, sizeof ga, "%s/emscov.gpkg", a);
        snprintf(gb, sizeof gb, "%s/emscov.gpkg", b);
        fa = (stored_run_ref){.gpkg = ga, .cmd = "compare"};
        fb = (stored_run_ref){.gpkg = gb, .cmd = "compare"};
        snprintf(na, sizeof na, "%s", a);
        snprintf(nb, sizeof nb, "%s", b);
    }
    ems_status st = stored_run_read(ctx, &fa, STORED_RUN_STREETS, &ra);
    if (st == EMS_OK)
        st = stored_run_read(ctx, &fb, STORED_RUN_STREETS, &rb);
    if (st == EMS_OK && db) {
        snprintf(na, sizeof na, "run %lld", ra.id);
        snprintf(nb, sizeof nb, "run %lld", rb.id);
    }
    if (st == EMS_OK)
        st = compare_build(ctx, ra.report, na, rb.report, nb, out);
    if (st == EMS_OK) {
        compare_result *r = *out;
        snprintf(r->date, sizeof r->date, "%s", rb.date);
        snprintf(r->standard, sizeof r->standard, "%s", rb.standard);
        r->mean_below_s = rb.mean_below_s;
        if (with_map && (st = compare_change_layer(ctx, ra.streets, rb.streets, &r->change)) != EMS_OK) {
            compare_destroy(r);
            *out = NULL;
        }
    }
    stored_run_fini(&ra);
    stored_run_fini(&rb);
    return st;
}
