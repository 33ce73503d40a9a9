/* src/output/doc.c: the report document built from the stored model (see doc.h): report.json and sites.json
 * read with json-c, every figure formatted into blocks (doc_internal.h) that doc_pdf.c and doc_html.c render.
 * Nothing here compares a figure with a target: verdicts are read, never decided. */
#include "src/output/doc_internal.h"

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool doc_format_parse(const char *s, doc_format *f)
{
    if (s && !strcasecmp(s, "pdf"))
        *f = DOC_PDF;
    else if (s && !strcasecmp(s, "html"))
        *f = DOC_HTML;
    else
        return false;
    return true;
}

const char *doc_format_ext(doc_format f)
{
    return f == DOC_PDF ? "pdf" : "html";
}

/* ---- the block list ------------------------------------------------------------------------------------ */

static const char *keep(doc *d, char *s)
{
    if (!s || !ems_grow(d->ctx, (void **)&d->strings, &d->strings_cap, d->nstrings + 1, sizeof *d->strings)) {
        free(s);
        d->failed = true;
        return "";
    }
    d->strings[d->nstrings++] = s;
    return s;
}

const char *doc__str(doc *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return keep(d, s);
}

doc_block *doc__add(doc *d, doc_kind kind, const char *text)
{
    if (!ems_grow(d->ctx, (void **)&d->blocks, &d->cap, d->n + 1, sizeof *d->blocks)) {
        d->failed = true;
        return NULL;
    }
    doc_block *b = &d->blocks[d->n++];
    *b = (doc_block){.kind = kind, .text = text};
    return b;
}

doc_table *doc__table(doc *d, bool head, size_t n, const doc_col *cols)
{
    doc_table *t = ems_calloc(d->ctx, 1, sizeof *t);
    doc_block *b = t ? doc__add(d, DOC_TABLE, NULL) : NULL;
    if (!b) {
        free(t);
        d->failed = true;
        return NULL;
    }
    b->table = t;
    t->head = head;
    t->ncols = n < DOC_MAX_COLS ? n : DOC_MAX_COLS;
    memcpy(t->cols, cols, t->ncols * sizeof *cols);
    return t;
}

size_t doc__row(doc *d, doc_table *t)
{
    if (!t)
        return 0;
    size_t need = (t->nrows + 1) * t->ncols, cap_cells = t->cap * t->ncols;
    if (need > cap_cells) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        const char **c = realloc(t->cells, cap * t->ncols * sizeof *c);
        if (c)
            t->cells = c;
        unsigned char *m = c ? realloc(t->marks, cap * t->ncols) : NULL;
        if (m)
            t->marks = m;
        if (!c || !m) {
            d->failed = true;
            return t->nrows ? t->nrows - 1 : 0;
        }
        t->cap = cap;
    }
    for (size_t k = 0; k < t->ncols; k++) {
        t->cells[t->nrows * t->ncols + k] = "";
        t->marks[t->nrows * t->ncols + k] = DOC_MARK_NONE;
    }
    return t->nrows++;
}

void doc__cell(doc *d, doc_table *t, size_t row, size_t col, doc_mark mark, const char *text)
{
    (void)d;
    if (!t || row >= t->nrows || col >= t->ncols)
        return;
    t->cells[row * t->ncols + col] = text ? text : "";
    t->marks[row * t->ncols + col] = (unsigned char)mark;
}

void doc__destroy(doc *d)
{
    for (size_t k = 0; k < d->n; k++)
        if (d->blocks[k].table) {
            free(d->blocks[k].table->cells);
            free(d->blocks[k].table->marks);
            free(d->blocks[k].table);
        }
    free(d->blocks);
    for (size_t k = 0; k < d->nstrings; k++)
        free(d->strings[k]);
    free(d->strings);
}

void doc__put(doc_buf *b, const void *p, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = true;
            return;
        }
        b->s = s, b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void doc__puts(doc_buf *b, const char *s)
{
    doc__put(b, s, strlen(s));
}

void doc__printf(doc_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        doc__put(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    doc__put(b, big, (size_t)n);
    free(big);
}

/* ---- JSON ---------------------------------------------------------------------------------------------- */

/* The member at a dotted path ("coverage.mean_s"), NULL when missing or null. */
static json_object *jat(json_object *o, const char *path)
{
    char key[128];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        json_object *next = NULL;
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &next))
            return NULL;
        o = next;
        path += n + (path[n] == '.');
    }
    return o;
}

static double jd(json_object *o, const char *path)
{
    json_object *v = jat(o, path);
    return v && (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
               ? json_object_get_double(v)
               : NAN;
}

static const char *js(json_object *o, const char *path)
{
    json_object *v = jat(o, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static bool jb(json_object *o, const char *path)
{
    json_object *v = jat(o, path);
    return v && json_object_get_boolean(v);
}

static size_t jlen(json_object *o, const char *path)
{
    json_object *v = jat(o, path);
    return v && json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

static json_object *jidx(json_object *o, const char *path, size_t k)
{
    json_object *v = jat(o, path);
    return v && json_object_is_type(v, json_type_array) ? json_object_array_get_idx(v, k) : NULL;
}

/* ---- numbers as people read them ----------------------------------------------------------------------- */

#define DASH "—"

/* A whole number with thousands separators: 1,798,972. */
static const char *n_int(doc *d, double v)
{
    if (!isfinite(v))
        return DASH;
    char digits[48], out[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t n = strlen(digits), k = 0;
    if (v < 0 && strcmp(digits, "0") != 0)
        out[k++] = '-';
    for (size_t i = 0; i < n; i++) {
        out[k++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            out[k++] = ',';
    }
    out[k] = '\0';
    return doc__str(d, "%s", out);
}

static const char *n_fix(doc *d, double v, int decimals)
{
    return isfinite(v) ? doc__str(d, "%.*f", decimals, v) : DASH;
}

/* A share 0..1 in percent. */
static const char *n_pct(doc *d, double share, int decimals)
{
    return isfinite(share) ? doc__str(d, _("%.*f %%"), decimals, 100 * share) : DASH;
}

/* Seconds in minutes, two decimals. */
static const char *n_min(doc *d, double s)
{
    return n_fix(d, s / 60, 2);
}

static doc_mark mark_of(const char *verdict)
{
    result_verdict v = i18n_verdict_parse(verdict);
    return !*verdict ? DOC_MARK_NONE : v == RESULT_PASS ? DOC_MARK_PASS : v == RESULT_FAIL ? DOC_MARK_FAIL : DOC_MARK_NA;
}

/* A failing value is marked; a passing or unjudged one is plain (the verdict column says PASS). */
static doc_mark fail_only(const char *verdict)
{
    return i18n_verdict_parse(verdict) == RESULT_FAIL ? DOC_MARK_FAIL : DOC_MARK_NONE;
}

/* ">=" and "<=" as the signs print them. */
static const char *math_signs(doc *d, const char *s)
{
    char out[512];
    size_t k = 0;
    for (const char *p = s; *p && k + 4 < sizeof out; p++) {
        if ((p[0] == '>' || p[0] == '<') && p[1] == '=') {
            memcpy(out + k, p[0] == '>' ? "≥" : "≤", 3);
            k += 3;
            p++;
        } else {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
    return doc__str(d, "%s", out);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* ---- the sections -------------------------------------------------------------------------------------- */

typedef struct build {
    doc *d;
    json_object *r;       /* report.json */
    json_object *sites;   /* sites.json, or NULL */
    const doc_source *src;
    i18n_target_ctx tc;
    double within_s;      /* the standard's coverage time */
    char res[64];         /* "30000 residents" / 3万人口: the N of the ambulance standard */
} build;

static void para(doc *d, const char *text)
{
    doc__add(d, DOC_PARA, text);
}

static void kv(doc *d, doc_table *t, const char *key, const char *value)
{
    size_t row = doc__row(d, t);
    doc__cell(d, t, row, 0, DOC_MARK_NONE, key);
    doc__cell(d, t, row, 1, DOC_MARK_NONE, value);
}

static doc_table *kv_table(doc *d)
{
    const doc_col cols[] = {{"", 0.28, DOC_LEFT, false}, {"", 0.72, DOC_LEFT, false}};
    return doc__table(d, false, 2, cols);
}

typedef struct input_row {
    const char *role, *path;
    double bytes;
    const char *sha256;
} input_row;

/* The run's service in the current language, NULL for pre-hospital emergency care (report.json service.key
 * "ems", or a report without a service object). */
static const char *service_name(json_object *r)
{
    const char *key = js(r, "service.key");
    if (!*key || !strcmp(key, "ems")) return NULL; /* js gives "" for a missing key */
    return js(r, i18n_current() == I18N_ZH ? "service.name_zh" : "service.name_en");
}

static void cover(build *b)
{
    doc *d = b->d;
    json_object *r = b->r;
    const char *svc = service_name(r);
    doc__add(d, DOC_TITLE, svc ? doc__str(d, _("%s coverage report"), svc)
                               : _("Emergency medical service coverage report"));
    doc__add(d, DOC_SUBTITLE,
             doc__str(d, _("%s, against %s: %s"), js(r, "scenario"), js(r, "standards.name"), js(r, "standards.title")));
    doc_table *t = kv_table(d);
    kv(d, t, _("Scenario"), js(r, "scenario"));
    const char *date = b->src->date ? b->src->date : _("unknown");
    kv(d, t, _("Date of the run"),
       b->src->time && *b->src->time ? doc__str(d, _("%s %s UTC"), date, b->src->time) : date);
    if (b->src->run)
        kv(d, t, _("Run"), b->src->run);
    const char *version = b->src->version && *b->src->version ? b->src->version : js(r, "emscov_version");
    const char *made = *version ? doc__str(d, "emscov %s", version) : _("emscov (version not recorded)");
    if (b->src->renderer && *version && strcmp(b->src->renderer, version) != 0)
        made = doc__str(d, _("%s; this document by emscov %s"), made, b->src->renderer);
    kv(d, t, _("Produced by"), made);
    kv(d, t, _("Standard"), doc__str(d, "%s — %s", js(r, "standards.name"), js(r, "standards.title")));
    if (jat(r, "parks"))
        kv(d, t, _("Park rule set"), doc__str(d, "%s — %s", js(r, "parks.rule_set"), js(r, "parks.standard")));
    kv(d, t, _("Working CRS"),
       doc__str(d, "%s (EPSG:%.0f)", js(r, "parameters.working_crs"), jd(r, "parameters.working_epsg")));
    kv(d, t, _("Sub-districts, stations, population"),
       doc__str(d, _("%s sub-districts, %s stations, %s residents"), n_int(d, (double)jlen(r, "subdistricts")),
                n_int(d, jd(r, "gaps.stations")), n_int(d, jd(r, "coverage.population"))));
    if (b->sites)
        kv(d, t, _("Sites run"),
           doc__str(d, _("%s: %s candidates, best %s new sites"), b->src->sites_from ? b->src->sites_from : "sites.json",
                    n_int(d, jd(b->sites, "candidates.evaluated")), n_int(d, jd(b->sites, "parameters.k"))));

    doc__add(d, DOC_H2, _("Input files"));
    /* the files, named below the directory they share (the cover names it once) */
    json_object *pgin = b->src->inputs_json ? json_tokener_parse(b->src->inputs_json) : NULL;
    input_row rows[256] = {{0}};
    size_t nfiles = 0;
    if (pgin) { /* PostGIS: role -> {path, files: [...]} */
        json_object_object_foreach(pgin, role, v)
        {
            for (size_t k = 0; k < jlen(v, "files") && nfiles < 256; k++) {
                json_object *f = jidx(v, "files", k);
                rows[nfiles++] = (input_row){doc__str(d, "%s", role), doc__str(d, "%s", js(f, "path")),
                                             jd(f, "bytes"), doc__str(d, "%s", js(f, "sha256"))};
            }
        }
        json_object_put(pgin);
    } else {
        for (size_t k = 0; k < jlen(r, "input_files") && nfiles < 256; k++) {
            json_object *f = jidx(r, "input_files", k);
            rows[nfiles++] = (input_row){js(f, "role"), js(f, "path"), jd(f, "bytes"), js(f, "sha256")};
        }
    }
    size_t common = nfiles ? strlen(rows[0].path) : 0;
    for (size_t k = 0; k < nfiles; k++) {
        size_t i = 0;
        while (i < common && rows[k].path[i] == rows[0].path[i])
            i++;
        common = i;
    }
    while (common > 0 && rows[0].path[common - 1] != '/')
        common--;
    if (common > 1)
        para(d, doc__str(d, _("Files below %.*s, with their size and SHA-256 checksum:"), (int)common, rows[0].path));
    const doc_col cols[] = {{_("input"), 0.13, DOC_LEFT, false},
                            {_("file"), 0.27, DOC_LEFT, false},
                            {_("bytes"), 0.11, DOC_RIGHT, false},
                            {_("SHA-256"), 0.49, DOC_LEFT, true}};
    doc_table *t2 = doc__table(d, true, 4, cols);
    for (size_t k = 0; k < nfiles; k++) {
        size_t row = doc__row(d, t2);
        bool same_role = k > 0 && !strcmp(rows[k].role, rows[k - 1].role);
        doc__cell(d, t2, row, 0, DOC_MARK_NONE, same_role ? "" : i18n_role(rows[k].role));
        doc__cell(d, t2, row, 1, DOC_MARK_NONE, rows[k].path + (common > 1 ? common : 0));
        doc__cell(d, t2, row, 2, DOC_MARK_NONE, n_int(d, rows[k].bytes));
        doc__cell(d, t2, row, 3, DOC_MARK_NONE, rows[k].sha256);
    }
    t = t2;
    if (!nfiles) { /* an older report.json: the paths without checksums */
        json_object *in = jat(r, "inputs");
        if (in && json_object_is_type(in, json_type_object)) {
            json_object_object_foreach(in, role, v)
            {
                if (!v)
                    continue;
                size_t row = doc__row(d, t);
                doc__cell(d, t, row, 0, DOC_MARK_NONE, doc__str(d, "%s", i18n_role(role)));
                doc__cell(d, t, row, 1, DOC_MARK_NONE, doc__str(d, "%s", json_object_get_string(v)));
                doc__cell(d, t, row, 3, DOC_MARK_NONE, _("not recorded"));
            }
        }
    }
}

static void targets(build *b)
{
    doc *d = b->d;
    json_object *r = b->r;
    doc__add(d, DOC_H1, _("1  Targets"));
    para(d, doc__str(d, _("Each target of the standard %s against the run's figure. The verdicts are the run's own."),
                     js(r, "standards.name")));
    const doc_col cols[] = {{_("indicator"), 0.25, DOC_LEFT, false},
                            {_("value"), 0.11, DOC_RIGHT, false},
                            {_("target"), 0.16, DOC_LEFT, false},
                            {_("verdict"), 0.09, DOC_CENTER, false},
                            {_("sub-districts failing"), 0.10, DOC_RIGHT, false},
                            {_("document and clause"), 0.29, DOC_LEFT, false}};
    doc_table *t = doc__table(d, true, 6, cols);
    for (size_t k = 0; k < jlen(r, "targets"); k++) {
        json_object *o = jidx(r, "targets", k);
        const char *key = js(o, "key");
        char ind[256], target[256];
        i18n_target_indicator(ind, sizeof ind, key, &b->tc);
        i18n_target_text(target, sizeof target, key, jd(o, "threshold"), &b->tc);
        double v = jd(o, "value");
        const char *value = !isfinite(v)                              ? _("n/a")
                            : !strcmp(key, "stations_per_subdistrict") ? n_int(d, v)
                            : !strcmp(key, "park_coverage") || !strcmp(key, "call_satisfaction")
                                ? doc__str(d, _("%.*f %%"), 1, v)
                            : !strcmp(key, "mean_response_time") ? doc__str(d, _("%.2f min"), v)
                                                                  : n_fix(d, v, 2);
        const char *verdict = js(o, "verdict");
        size_t row = doc__row(d, t);
        doc__cell(d, t, row, 0, DOC_MARK_NONE, doc__str(d, "%s", ind));
        doc__cell(d, t, row, 1, DOC_MARK_NONE, value);
        doc__cell(d, t, row, 2, DOC_MARK_NONE, math_signs(d, target));
        doc__cell(d, t, row, 3, mark_of(verdict), i18n_verdict(i18n_verdict_parse(verdict)));
        double judged = jd(o, "subdistricts_judged");
        doc__cell(d, t, row, 4, DOC_MARK_NONE,
                  judged > 0 && mark_of(verdict) != DOC_MARK_NA
                      ? doc__str(d, _("%s of %s"), n_int(d, jd(o, "subdistricts_failing")), n_int(d, judged))
                      : DASH);
        const char *source = js(o, "source");
        doc__cell(d, t, row, 5, DOC_MARK_NONE, *source ? source : js(o, "standard"));
    }
    for (size_t k = 0; k < jlen(r, "targets"); k++) {
        json_object *o = jidx(r, "targets", k);
        char ind[256], note[600];
        i18n_target_note(note, sizeof note, js(o, "key"), js(o, "note"), &b->tc);
        if (mark_of(js(o, "verdict")) != DOC_MARK_NA || !*note)
            continue;
        i18n_target_indicator(ind, sizeof ind, js(o, "key"), &b->tc);
        doc__add(d, DOC_NOTE, doc__str(d, _("%s: not judged: %s"), ind, note));
    }
    if (jat(r, "parks"))
        doc__add(d, DOC_NOTE, doc__str(d, _("Park coverage is measured after the rule set %s: %s."),
                                       js(r, "parks.rule_set"), js(r, "parks.standard")));

    doc__add(d, DOC_H2, _("Headline figures"));
    t = kv_table(d);
    kv(d, t, _("Residents"), n_int(d, jd(r, "coverage.population")));
    for (size_t k = 0; k < jlen(r, "coverage.covered"); k++) {
        json_object *c = jidx(r, "coverage.covered", k);
        kv(d, t, doc__str(d, _("Residents within %g min"), jd(c, "within_s") / 60),
           doc__str(d, "%s (%s)", n_int(d, jd(c, "population")), n_pct(d, jd(c, "share"), 1)));
    }
    kv(d, t, _("Mean / median / p90 / longest response time"),
       doc__str(d, _("%s / %s / %s / %s min"), n_min(d, jd(r, "coverage.mean_s")), n_min(d, jd(r, "coverage.median_s")),
                n_min(d, jd(r, "coverage.p90_s")), n_min(d, jd(r, "coverage.max_s"))));
    double pop = jd(r, "coverage.population"), unreach = jd(r, "coverage.unreachable_population");
    kv(d, t, _("Residents no station reaches by road"),
       doc__str(d, "%s (%s)", n_int(d, unreach), n_pct(d, pop > 0 ? unreach / pop : NAN, 2)));
    if (isfinite(jd(r, "standards.residents_per_ambulance"))) /* a service with vehicles */
        kv(d, t, _("Ambulances"),
           doc__str(d, _("%s of %s required (shortfall %s)"), n_int(d, jd(r, "ambulances.ambulances")),
                    n_int(d, jd(r, "ambulances.required")), n_int(d, jd(r, "ambulances.shortfall"))));
    kv(d, t, _("Stations"),
       doc__str(d, _("%s: %s on the main road network, %s on a small road component, %s too far from any road; %s in no "
                     "sub-district"),
                n_int(d, jd(r, "gaps.stations")), n_int(d, jd(r, "gaps.stations_main_network")),
                n_int(d, jd(r, "gaps.stations_small_component")), n_int(d, jd(r, "gaps.stations_off_network")),
                n_int(d, jd(r, "gaps.stations_outside"))));
    if (jat(r, "parks"))
        kv(d, t, _("Residents within a park's service radius"), n_pct(d, jd(r, "parks.population_share"), 1));
    if (jat(r, "calls")) { /* [calls]: the call-weighted figures beside the residents' */
        kv(d, t, _("Calls (historical call points, weighted)"),
           doc__str(d, _("%s calls at %s points"), n_int(d, jd(r, "calls.calls")), n_int(d, jd(r, "calls.points"))));
        for (size_t k = 0; k < jlen(r, "calls.covered"); k++) {
            json_object *c = jidx(r, "calls.covered", k);
            kv(d, t, doc__str(d, _("Calls within %g min"), jd(c, "within_s") / 60),
               doc__str(d, "%s (%s)", n_int(d, jd(c, "calls")), n_pct(d, jd(c, "share"), 1)));
        }
        kv(d, t, _("Mean / median / p90 / longest response time, calls"),
           doc__str(d, _("%s / %s / %s / %s min"), n_min(d, jd(r, "calls.mean_s")), n_min(d, jd(r, "calls.median_s")),
                    n_min(d, jd(r, "calls.p90_s")), n_min(d, jd(r, "calls.max_s"))));
    }
}

static void maps(build *b)
{
    doc *d = b->d;
    doc_block *h = doc__add(d, DOC_H1, _("2  Maps"));
    if (h)
        h->soft = true;
    para(d, _("Drawn from the run's stored layers, as emscov map draws them. Each map has its legend, scale bar and "
              "north arrow; sub-district names keep clear of the station symbols."));
    struct {
        map_kind kind;
        const char *field;
        bool show;
        const char *why_not, *caption;
    } m[] = {
        {MAP_TIME, NULL, d->maps.demand || d->maps.demand_pts, _("no demand points stored: no response-time map"),
         b->tc.facility ? doc__str(d, _("Time to the nearest %s"), b->tc.facility)
                        : _("Response time to the nearest station")},
        {MAP_GAPS, NULL, true, NULL,
         b->tc.facility ? doc__str(d, _("Sub-districts without a %s"), b->tc.facility)
                        : _("Sub-districts without an ambulance station")},
        {MAP_CHOROPLETH, "amb_per_n", isfinite(d->maps.residents_per_ambulance), NULL,
         _("Ambulances per residents, by sub-district")},
        {MAP_PARKS, NULL, d->maps.parks != NULL, _("the run has no park layer: no park map"),
         _("Residential land within reach of a park")},
    };
    for (size_t k = 0; k < sizeof m / sizeof *m; k++) {
        if (!m[k].show) {
            if (m[k].why_not)
                doc__add(d, DOC_NOTE, m[k].why_not);
            continue;
        }
        doc_block *bl = doc__add(d, DOC_MAP, m[k].caption);
        if (!bl)
            return;
        bl->map = (map_opts){.kind = m[k].kind, .field = m[k].field, .page_w_mm = 297, .page_h_mm = 210,
                             .dpi = 150, .format = MAP_PDF};
    }
}

static void districts_and_units(build *b)
{
    doc *d = b->d;
    json_object *r = b->r;
    const char *res = b->res;
    doc__add(d, DOC_H1, _("3  Districts and sub-districts"));
    /* the ambulance figures only for a service with vehicles (report.json standards.residents_per_ambulance) */
    bool veh = isfinite(jd(r, "standards.residents_per_ambulance"));
    if (veh && jlen(r, "ambulances.districts") > 0 && *js(jidx(r, "ambulances.districts", 0), "district")) {
        doc__add(d, DOC_H2, _("Districts"));
        const doc_col cols[] = {{_("district"), 0.20, DOC_LEFT, false},
                                {_("sub-districts"), 0.11, DOC_RIGHT, false},
                                {_("without a station"), 0.12, DOC_RIGHT, false},
                                {_("residents"), 0.14, DOC_RIGHT, false},
                                {_("ambulances"), 0.11, DOC_RIGHT, false},
                                {_("required"), 0.10, DOC_RIGHT, false},
                                {doc__str(d, _("per %s"), res), 0.12, DOC_RIGHT, false},
                                {_("verdict"), 0.10, DOC_CENTER, false}};
        doc_table *t = doc__table(d, true, 8, cols);
        for (size_t k = 0; k < jlen(r, "ambulances.districts"); k++) {
            json_object *o = jidx(r, "ambulances.districts", k);
            size_t row = doc__row(d, t);
            doc__cell(d, t, row, 0, DOC_MARK_NONE, js(o, "district"));
            doc__cell(d, t, row, 1, DOC_MARK_NONE, n_int(d, jd(o, "subdistricts")));
            doc__cell(d, t, row, 2, jd(o, "gaps") > 0 ? DOC_MARK_FAIL : DOC_MARK_NONE, n_int(d, jd(o, "gaps")));
            doc__cell(d, t, row, 3, DOC_MARK_NONE, n_int(d, jd(o, "population")));
            doc__cell(d, t, row, 4, DOC_MARK_NONE, n_int(d, jd(o, "ambulances")));
            doc__cell(d, t, row, 5, DOC_MARK_NONE, n_int(d, jd(o, "required")));
            doc__cell(d, t, row, 6, fail_only(js(o, "verdict")), n_fix(d, jd(o, "per_standard_residents"), 2));
            doc__cell(d, t, row, 7, mark_of(js(o, "verdict")), i18n_verdict(i18n_verdict_parse(js(o, "verdict"))));
        }
    }
    doc__add(d, DOC_H2, _("Sub-districts, worst first"));
    doc_col cols[] = {{"#", 0.045, DOC_RIGHT, false},
                            {_("sub-district"), 0.135, DOC_LEFT, false},
                            {_("code"), 0.09, DOC_LEFT, false},
                            {_("district"), 0.085, DOC_LEFT, false},
                            {_("residents"), 0.075, DOC_RIGHT, false},
                            {_("mean min"), 0.06, DOC_RIGHT, false},
                            {_("p90 min"), 0.06, DOC_RIGHT, false},
                            {doc__str(d, _("within %g min"), b->within_s / 60), 0.075, DOC_RIGHT, false},
                            {b->tc.facilities ? b->tc.facilities : _("stations"), 0.07, DOC_RIGHT, false},
                            {_("ambulances"), 0.09, DOC_RIGHT, false},
                            {doc__str(d, _("per %s"), res), 0.09, DOC_RIGHT, false},
                            {_("park share"), 0.065, DOC_RIGHT, false},
                            {_("fails"), 0.06, DOC_RIGHT, false}};
    if (!veh) { /* no ambulance columns: the park share and fails move left, the name takes their width */
        cols[1].width += cols[9].width + cols[10].width;
        cols[9] = cols[11];
        cols[10] = cols[12];
    }
    doc_table *t = doc__table(d, true, veh ? 13 : 11, cols);
    size_t n = jlen(r, "subdistricts");
    json_object **order = n ? calloc(n, sizeof *order) : NULL;
    if (n && !order) {
        d->failed = true;
        return;
    }
    for (size_t k = 0; k < n; k++) { /* by worst_rank (1 = worst) */
        json_object *o = jidx(r, "subdistricts", k);
        double rank = jd(o, "worst_rank");
        size_t at = isfinite(rank) && rank >= 1 && rank <= (double)n ? (size_t)rank - 1 : k;
        if (order[at]) /* a duplicate rank (never from emscov): keep the file's order */
            for (at = 0; order[at]; at++)
                ;
        order[at] = o;
    }
    for (size_t k = 0; k < n; k++) {
        json_object *o = order[k];
        size_t row = doc__row(d, t);
        doc__cell(d, t, row, 0, DOC_MARK_NONE, n_int(d, jd(o, "worst_rank")));
        doc__cell(d, t, row, 1, DOC_MARK_NONE, js(o, "name"));
        doc__cell(d, t, row, 2, DOC_MARK_NONE, js(o, "code"));
        doc__cell(d, t, row, 3, DOC_MARK_NONE, js(o, "district"));
        doc__cell(d, t, row, 4, DOC_MARK_NONE, n_int(d, jd(o, "coverage.population")));
        doc__cell(d, t, row, 5, fail_only(js(o, "verdicts.mean_response_time")), n_min(d, jd(o, "coverage.mean_s")));
        doc__cell(d, t, row, 6, DOC_MARK_NONE, n_min(d, jd(o, "coverage.p90_s")));
        json_object *c0 = jidx(o, "coverage.covered", 0);
        doc__cell(d, t, row, 7, DOC_MARK_NONE, n_pct(d, jd(c0, "share"), 1));
        doc__cell(d, t, row, 8, fail_only(js(o, "verdicts.stations_per_subdistrict")), n_int(d, jd(o, "stations")));
        size_t c = 9;
        if (veh) {
            doc__cell(d, t, row, c++, DOC_MARK_NONE, n_int(d, jd(o, "ambulances.ambulances")));
            doc__cell(d, t, row, c++, fail_only(js(o, "verdicts.ambulances_per_residents")),
                      n_fix(d, jd(o, "ambulances.per_standard_residents"), 2));
        }
        doc__cell(d, t, row, c++, fail_only(js(o, "verdicts.park_coverage")), n_pct(d, jd(o, "park_share"), 1));
        doc__cell(d, t, row, c, DOC_MARK_NONE, n_int(d, jd(o, "fails")));
    }
    free(order);
    if (!veh) {
        doc__add(d, DOC_NOTE, doc__str(d, _("Shaded: the value fails its target. fails: targets the sub-district "
                                            "fails. %s: no residents, or no residential land."),
                                       DASH));
        return;
    }
    doc__add(d, DOC_NOTE,
             doc__str(d, _("Shaded: the value fails its target (mean time %s, at least %g station(s), %s, park share %s). "
                           "fails: targets the sub-district fails. %s: no residents, or no residential land."),
                      doc__str(d, _("< %g min"), jd(r, "standards.mean_below_s") / 60),
                      jd(r, "standards.min_stations_per_subdistrict"),
                      doc__str(d, _("1 or more per %s"), res), n_pct(d, jd(r, "standards.park_target_share"), 0),
                      DASH));
}

/* The best candidate of the sites run inside sub-district id: the first in what-if order (best rank first). */
static json_object *best_candidate(json_object *sites, const char *id)
{
    for (size_t k = 0; k < jlen(sites, "whatif"); k++) {
        json_object *c = jidx(sites, "whatif", k);
        if (!strcmp(js(c, "subdistrict"), id))
            return c;
    }
    return NULL;
}

/* lon, lat with five decimals (about a metre). */
static const char *lonlat(doc *d, json_object *o)
{
    return doc__str(d, "%.5f, %.5f", jd(o, "lon"), jd(o, "lat"));
}

static double selected_order(json_object *sites, const char *id)
{
    for (size_t k = 0; k < jlen(sites, "greedy.selected"); k++)
        if (!strcmp(js(jidx(sites, "greedy.selected", k), "id"), id))
            return jd(jidx(sites, "greedy.selected", k), "order");
    return NAN;
}

static json_object *candidate(json_object *sites, const char *id)
{
    for (size_t k = 0; k < jlen(sites, "whatif"); k++)
        if (!strcmp(js(jidx(sites, "whatif", k), "id"), id))
            return jidx(sites, "whatif", k);
    return NULL;
}

static void gaps(build *b)
{
    doc *d = b->d;
    json_object *r = b->r, *s = b->sites;
    doc__add(d, DOC_H1, b->tc.facility ? doc__str(d, _("4  Sub-districts without a %s"), b->tc.facility)
                                       : _("4  Sub-districts without a station"));
    size_t ngaps = 0;
    for (size_t k = 0; k < jlen(r, "subdistricts"); k++)
        ngaps += jb(jidx(r, "subdistricts", k), "gap");
    if (!ngaps) {
        para(d, _("Every sub-district has the stations the standard asks for."));
        return;
    }
    double min_st = jd(r, "standards.min_stations_per_subdistrict");
    if (b->tc.facility)
        para(d, doc__str(d, _("%s sub-districts have fewer %s than the standard asks, worst first."),
                         n_int(d, (double)ngaps), b->tc.facilities));
    else
        para(d, min_st == 1 ? doc__str(d, _("%s sub-districts have no station, worst first."), n_int(d, (double)ngaps))
                        : doc__str(d, _("%s sub-districts have fewer than %g stations, worst first."),
                                   n_int(d, (double)ngaps), min_st));
    if (!s)
        para(d, _("No sites run was given: emscov sites --gap-centroids (or --grid, --candidates) proposes candidate "
                  "sites, and emscov report --sites DIR names the best one for each sub-district below."));
    else if (strcmp(js(s, "scenario"), js(r, "scenario")) != 0)
        doc__add(d, DOC_NOTE, doc__str(d, _("The sites run is of scenario %s, this run of %s."), js(s, "scenario"),
                                       js(r, "scenario")));
    doc_col cols[DOC_MAX_COLS] = {{_("sub-district"), 0.28, DOC_LEFT, false},
                                  {_("code"), 0.18, DOC_LEFT, false},
                                  {_("district"), 0.18, DOC_LEFT, false},
                                  {_("residents"), 0.18, DOC_RIGHT, false},
                                  {_("mean min"), 0.18, DOC_RIGHT, false}};
    size_t ncols = 5;
    if (s) {
        const doc_col more[] = {{_("best candidate"), 0.15, DOC_LEFT, false},
                                {_("newly within the standard"), 0.09, DOC_RIGHT, false},
                                {_("mean change, min"), 0.08, DOC_RIGHT, false},
                                {_("lon, lat (WGS 84)"), 0.13, DOC_LEFT, true},
                                {_("x, y (working CRS)"), 0.12, DOC_LEFT, true}};
        const double shrink[] = {0.12, 0.10, 0.07, 0.08, 0.06};
        for (size_t k = 0; k < 5; k++)
            cols[k].width = shrink[k];
        memcpy(cols + 5, more, sizeof more);
        ncols = 10;
    }
    doc_table *t = doc__table(d, true, ncols, cols);
    size_t n = jlen(r, "subdistricts");
    for (double rank = 1; rank <= (double)n; rank++)
        for (size_t k = 0; k < n; k++) {
            json_object *o = jidx(r, "subdistricts", k);
            if (jd(o, "worst_rank") != rank || !jb(o, "gap"))
                continue;
            size_t row = doc__row(d, t);
            doc__cell(d, t, row, 0, DOC_MARK_NONE, js(o, "name"));
            doc__cell(d, t, row, 1, DOC_MARK_NONE, js(o, "code"));
            doc__cell(d, t, row, 2, DOC_MARK_NONE, js(o, "district"));
            doc__cell(d, t, row, 3, DOC_MARK_NONE, n_int(d, jd(o, "coverage.population")));
            doc__cell(d, t, row, 4, fail_only(js(o, "verdicts.mean_response_time")),
                      n_min(d, jd(o, "coverage.mean_s")));
            if (!s)
                continue;
            json_object *c = best_candidate(s, js(o, "id"));
            if (!c) {
                doc__cell(d, t, row, 5, DOC_MARK_NONE, _("no candidate inside"));
                continue;
            }
            double sel = selected_order(s, js(c, "id"));
            doc__cell(d, t, row, 5, DOC_MARK_NONE,
                      isfinite(sel) ? doc__str(d, _("%s (rank %s, pick %s)"), js(c, "id"), n_int(d, jd(c, "rank")),
                                               n_int(d, sel))
                                    : doc__str(d, _("%s (rank %s)"), js(c, "id"), n_int(d, jd(c, "rank"))));
            doc__cell(d, t, row, 6, DOC_MARK_NONE, n_int(d, jd(c, "new_covered")));
            doc__cell(d, t, row, 7, DOC_MARK_NONE, n_fix(d, jd(c, "mean_change_s") / 60, 2));
            doc__cell(d, t, row, 8, DOC_MARK_NONE, lonlat(d, c));
            doc__cell(d, t, row, 9, DOC_MARK_NONE, doc__str(d, "%.0f, %.0f", jd(c, "x"), jd(c, "y")));
        }
    if (!s || jlen(s, "greedy.selected") == 0)
        return;
    doc__add(d, DOC_H2, doc__str(d, _("The best %s new sites of the sites run"), n_int(d, jd(s, "greedy.k"))));
    para(d, doc__str(d, _("Chosen together (greedy, then swaps): residents within %g min from %s (%s) now to %s (%s)."),
                     b->within_s / 60, n_int(d, jd(s, "baseline.covered")), n_pct(d, jd(s, "baseline.covered_share"), 2),
                     n_int(d, jd(s, "greedy.covered")), n_pct(d, jd(s, "greedy.covered_share"), 2)));
    const doc_col sc[] = {{_("pick"), 0.06, DOC_RIGHT, false},
                          {_("site"), 0.16, DOC_LEFT, false},
                          {_("sub-district"), 0.20, DOC_LEFT, false},
                          {_("newly within the standard"), 0.14, DOC_RIGHT, false},
                          {_("lon, lat (WGS 84)"), 0.22, DOC_LEFT, true},
                          {_("x, y (working CRS)"), 0.22, DOC_LEFT, true}};
    t = doc__table(d, true, 6, sc);
    for (size_t k = 0; k < jlen(s, "greedy.selected"); k++) {
        json_object *o = jidx(s, "greedy.selected", k), *c = candidate(s, js(o, "id"));
        size_t row = doc__row(d, t);
        doc__cell(d, t, row, 0, DOC_MARK_NONE, n_int(d, jd(o, "order")));
        doc__cell(d, t, row, 1, DOC_MARK_NONE, js(o, "id"));
        doc__cell(d, t, row, 2, DOC_MARK_NONE, *js(o, "subdistrict_name") ? js(o, "subdistrict_name") : _("(outside)"));
        doc__cell(d, t, row, 3, DOC_MARK_NONE, n_int(d, jd(o, "new_covered")));
        doc__cell(d, t, row, 4, DOC_MARK_NONE, lonlat(d, o));
        doc__cell(d, t, row, 5, DOC_MARK_NONE, c ? doc__str(d, "%.0f, %.0f", jd(c, "x"), jd(c, "y")) : DASH);
    }
    doc__add(d, DOC_NOTE, _("newly within the standard: residents the site alone (what-if) or in pick order "
                            "(best new sites) brings within the standard's time."));
}

/* How a ledger issue names its record (as the console summary does). */
static const char *issue_name(doc *d, json_object *is)
{
    const char *name = js(is, "source_name"), *id = js(is, "source_id");
    if (*name && *id)
        return strcmp(js(is, "layer"), "streets") ? doc__str(d, _("%s (id %s)"), name, id) : doc__str(d, "%s %s", name, id);
    if (*name)
        return name;
    if (*id)
        return doc__str(d, _("id %s"), id);
    return doc__str(d, _("record %lld"), (long long)jd(is, "record"));
}

static void input_ledger(build *b)
{
    doc *d = b->d;
    json_object *r = b->r;
    doc__add(d, DOC_H1, _("5  Input ledger"));
    para(d, _("What happened to every input record: read = used + skipped + left out by the scenario's where. Every "
              "record skipped or changed is listed in report.json (ledger) and in the GeoPackage's input_issue layer."));
    const doc_col cols[] = {{_("input"), 0.15, DOC_LEFT, false},     {_("file"), 0.27, DOC_LEFT, false},
                            {_("read"), 0.11, DOC_RIGHT, false},     {_("used"), 0.11, DOC_RIGHT, false},
                            {_("skipped"), 0.11, DOC_RIGHT, false},  {_("left out by where"), 0.13, DOC_RIGHT, false},
                            {_("repaired"), 0.12, DOC_RIGHT, false}};
    doc_table *t = doc__table(d, true, 7, cols);
    for (size_t k = 0; k < jlen(r, "ledger.layers"); k++) {
        json_object *y = jidx(r, "ledger.layers", k);
        size_t row = doc__row(d, t);
        doc__cell(d, t, row, 0, DOC_MARK_NONE, i18n_role(js(y, "layer")));
        doc__cell(d, t, row, 1, DOC_MARK_NONE, base_name(js(y, "path")));
        doc__cell(d, t, row, 2, DOC_MARK_NONE,
                  doc__str(d, "%s %s", n_int(d, jd(y, "read")), i18n_record_unit(js(y, "unit"))));
        doc__cell(d, t, row, 3, DOC_MARK_NONE, n_int(d, jd(y, "used")));
        doc__cell(d, t, row, 4, DOC_MARK_NONE, n_int(d, jd(y, "skipped")));
        doc__cell(d, t, row, 5, DOC_MARK_NONE, n_int(d, jd(y, "filtered")));
        doc__cell(d, t, row, 6, DOC_MARK_NONE, n_int(d, jd(y, "altered")));
    }
    /* one row per layer and reason: records, the people concerned, up to three records by name */
    const doc_col rc[] = {{_("input"), 0.13, DOC_LEFT, false},
                          {_("what happened"), 0.39, DOC_LEFT, false},
                          {_("records"), 0.10, DOC_RIGHT, false},
                          {_("residents"), 0.10, DOC_RIGHT, false},
                          {_("for example"), 0.28, DOC_LEFT, false}};
    doc_table *rt = NULL;
    for (size_t k = 0; k < jlen(r, "ledger.layers"); k++) {
        const char *role = js(jidx(r, "ledger.layers", k), "layer");
        for (int reason = 0; reason < LEDGER_NREASONS; reason++) {
            double records = 0, people = 0;
            bool has_people = false;
            size_t shown = 0, rows = 0;
            const char *names = "";
            for (size_t i = 0; i < jlen(r, "ledger.issues"); i++) {
                json_object *is = jidx(r, "ledger.issues", i);
                ledger_reason why;
                if (strcmp(js(is, "layer"), role) || !i18n_reason_parse(js(is, "reason"), &why) || (int)why != reason)
                    continue;
                rows++;
                records += jd(is, "records");
                if (isfinite(jd(is, "population")))
                    people += jd(is, "population"), has_people = true;
                if (shown < 3 && isfinite(jd(is, "record")))
                    names = doc__str(d, "%s%s%s", names, shown++ ? _(", ") : "", issue_name(d, is));
            }
            if (!rows)
                continue;
            if (!rt) {
                doc__add(d, DOC_H2, _("Records skipped or changed"));
                rt = doc__table(d, true, 5, rc);
            }
            size_t row = doc__row(d, rt);
            doc__cell(d, rt, row, 0, DOC_MARK_NONE, i18n_role(role));
            doc__cell(d, rt, row, 1, DOC_MARK_NONE, i18n_reason((ledger_reason)reason));
            doc__cell(d, rt, row, 2, DOC_MARK_NONE, n_int(d, records));
            doc__cell(d, rt, row, 3, DOC_MARK_NONE, has_people ? n_int(d, people) : DASH);
            doc__cell(d, rt, row, 4, DOC_MARK_NONE, rows > shown && shown ? doc__str(d, "%s%s", names, _(", ...")) : names);
        }
    }
    doc__add(d, DOC_H2, _("Population account"));
    double dropped = jd(r, "population.dropped_total");
    const char *method = i18n_pop_method(js(r, "population.method"));
    if (dropped > 0) {
        const char *list = "";
        json_object *dr = jat(r, "population.dropped");
        if (dr && json_object_is_type(dr, json_type_object)) {
            json_object_object_foreach(dr, key, v)
            {
                ledger_reason why;
                const char *what = i18n_reason_parse(key, &why) ? i18n_reason(why) : key;
                list = doc__str(d, "%s%s%s %s", list, *list ? _("; ") : "", what, n_int(d, json_object_get_double(v)));
            }
        }
        para(d, doc__str(d, _("Residents read %s: allocated to demand points %s, dropped %s (%s). %s."),
                         n_int(d, jd(r, "population.input_total")), n_int(d, jd(r, "population.allocated_total")),
                         n_int(d, dropped), list, method));
    } else {
        para(d, doc__str(d, _("Residents read %s = allocated to demand points %s (%s, %s demand points); outside every "
                              "sub-district %s."),
                         n_int(d, jd(r, "population.input_total")), n_int(d, jd(r, "population.allocated_total")), method,
                         n_int(d, jd(r, "population.demand_points")), n_int(d, jd(r, "population.outside_subdistricts"))));
    }
}

static void appendix(build *b)
{
    doc *d = b->d;
    json_object *r = b->r;
    doc__add(d, DOC_H1, _("6  Method and parameters"));
    para(d, _("Response time: the station's turn-out delay, the activation delay, the access legs at the access "
              "speed and the drive along the road network at the speed profile's speeds, from the station that "
              "reaches each demand point first."));
    para(d, _("The mean response time is weighted by population over the residents a station reaches by road; "
              "residents no station reaches are counted apart, never as zero minutes."));
    para(d, _("A sub-district is a gap when fewer stations than the standard asks lie in it. Ambulances per N "
              "residents: the ambulances of the stations in an area over its residents divided by N; the target is "
              "one or more."));
    para(d, _("Park coverage: the share of residential land within the rule set's service radius of park green "
              "space (covered residential land / residential land)."));
    para(d, _("Every verdict is the run's own, as stored in report.json: this document formats the stored figures "
              "and computes none."));
    doc__add(d, DOC_H2, _("Parameters"));
    doc_table *t = kv_table(d);
    kv(d, t, _("Working CRS"),
       doc__str(d, "%s (EPSG:%.0f)", js(r, "parameters.working_crs"), jd(r, "parameters.working_epsg")));
    kv(d, t, _("Speed profile"),
       doc__str(d, _("%s, period %s"), base_name(js(r, "parameters.speed_profile")), js(r, "parameters.period")));
    kv(d, t, _("Activation delay"), doc__str(d, _("%s s"), n_fix(d, jd(r, "parameters.activation_s"), 0)));
    kv(d, t, _("Farthest from a road (max_snap_m)"), doc__str(d, _("%s m"), n_int(d, jd(r, "parameters.max_snap_m"))));
    kv(d, t, _("Access speed"), doc__str(d, _("%s km/h"), n_fix(d, jd(r, "parameters.access_kmh"), 1)));
    const char *thr = "";
    for (size_t k = 0; k < jlen(r, "coverage.covered"); k++)
        thr = doc__str(d, "%s%s%g", thr, k ? _(", ") : "", jd(jidx(r, "coverage.covered", k), "within_s") / 60);
    kv(d, t, _("Coverage figures within"), doc__str(d, _("%s min"), thr));
    kv(d, t, _("Population"),
       doc__str(d, _("%s; %s demand points"), i18n_pop_method(js(r, "population.method")),
                n_int(d, jd(r, "population.demand_points"))));
    doc__add(d, DOC_H2, doc__str(d, _("The standard %s"), js(r, "standards.name")));
    t = kv_table(d);
    /* only the targets the standard sets for its service */
    if (isfinite(jd(r, "standards.mean_below_s")))
        kv(d, t, _("Mean response time below"), doc__str(d, _("%g min"), jd(r, "standards.mean_below_s") / 60));
    kv(d, t, _("Coverage time"), doc__str(d, _("%g min"), jd(r, "standards.coverage_within_s") / 60));
    if (isfinite(jd(r, "standards.coverage_share_min")))
        kv(d, t, _("Residents within the coverage time"), n_pct(d, jd(r, "standards.coverage_share_min"), 0));
    if (isfinite(jd(r, "standards.min_stations_per_subdistrict"))) {
        char st_text[256];
        i18n_target_text(st_text, sizeof st_text, "stations_per_subdistrict", 0, &b->tc);
        kv(d, t, _("Stations per sub-district"), doc__str(d, "%s", st_text));
    }
    if (isfinite(jd(r, "standards.residents_per_ambulance"))) {
        kv(d, t, _("Ambulances"), doc__str(d, _("1 or more per %s"), b->res));
        kv(d, t, _("Call satisfaction"), n_pct(d, jd(r, "standards.satisfaction_min"), 0));
    }
    if (isfinite(jd(r, "standards.park_target_share"))) {
        char pt[256];
        i18n_target_text(pt, sizeof pt, "park_coverage", 100 * jd(r, "standards.park_target_share"), &b->tc);
        kv(d, t, _("Park service-radius coverage"), doc__str(d, "%s", pt));
    }
    doc__add(d, DOC_H2, _("Where each target comes from"));
    const doc_col sc[] = {{_("indicator"), 0.30, DOC_LEFT, false}, {_("document and clause"), 0.70, DOC_LEFT, false}};
    t = doc__table(d, true, 2, sc);
    for (size_t k = 0; k < jlen(r, "targets"); k++) {
        json_object *o = jidx(r, "targets", k);
        char ind[256];
        i18n_target_indicator(ind, sizeof ind, js(o, "key"), &b->tc);
        size_t row = doc__row(d, t);
        doc__cell(d, t, row, 0, DOC_MARK_NONE, doc__str(d, "%s", ind));
        doc__cell(d, t, row, 1, DOC_MARK_NONE, js(o, "standard"));
    }
}

/* ---- the proposed sites as a layer for the gaps map ------------------------------------------------------ */

static ems_status sites_layer(emscov_ctx *ctx, json_object *s, const layer *streets, layer **out)
{
    *out = NULL;
    size_t n = jlen(s, "greedy.selected");
    if (!n || !streets || !layer_crs(streets))
        return EMS_OK;
    crs *wgs = NULL;
    ems_status st = crs_from_epsg(ctx, 4326, &wgs);
    if (st == EMS_OK)
        st = layer_create(ctx, "sites.json", "emscov", wgs, out);
    if (st == EMS_OK)
        st = layer_add_field(ctx, *out, "id", LAYER_FIELD_STRING, 0, 0);
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        json_object *o = jidx(s, "greedy.selected", k);
        if (!isfinite(jd(o, "lon")) || !isfinite(jd(o, "lat")))
            continue;
        layer_value v = {.u.s = js(o, "id")};
        GEOSGeometry *g = GEOSGeom_createPointFromXY_r(h, jd(o, "lon"), jd(o, "lat"));
        st = g ? layer_append_valid_take(ctx, *out, g, (int64_t)k + 1, &v) : EMS_ENOMEM;
    }
    if (st == EMS_OK)
        st = layer_transform(ctx, *out, layer_crs(streets));
    crs_destroy(wgs);
    if (st != EMS_OK) {
        layer_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* ---- the document ---------------------------------------------------------------------------------------- */

static ems_status parse(emscov_ctx *ctx, const char *text, const char *what, const char *schema, json_object **out)
{
    enum json_tokener_error err = json_tokener_success;
    *out = json_tokener_parse_verbose(text, &err);
    if (!*out)
        return emscov_fail(ctx, EMS_EINPUT, "%s: not JSON: %s", what, json_tokener_error_desc(err));
    if (strcmp(js(*out, "schema"), schema) != 0) {
        emscov_fail(ctx, EMS_EINPUT, "%s: schema \"%s\", not %s", what, js(*out, "schema"), schema);
        json_object_put(*out);
        *out = NULL;
        return EMS_EINPUT;
    }
    return EMS_OK;
}

ems_status doc_render(emscov_ctx *ctx, const doc_source *src, const doc_opts *o, char **out, size_t *len,
                      doc_stats *stats)
{
    *out = NULL;
    *len = 0;
    *stats = (doc_stats){0};
    if (!src->report_json)
        return emscov_fail(ctx, EMS_EINPUT, "report: no report.json");
    json_object *r = NULL, *s = NULL;
    ems_status st = parse(ctx, src->report_json, "report.json", "emscov-report-2", &r);
    if (st == EMS_OK && src->sites_json)
        st = parse(ctx, src->sites_json, src->sites_from ? src->sites_from : "sites.json", "emscov-sites/2", &s);
    if (st != EMS_OK) {
        json_object_put(r);
        return st;
    }
    i18n_lang before = i18n_use(o->lang);
    doc d = {.ctx = ctx, .lang_tag = o->lang == I18N_ZH ? "zh-CN" : "en", .maps = src->maps, .date = src->date};
    map_inputs *m = &d.maps;
    if (!m->scenario)
        m->scenario = js(r, "scenario");
    if (!m->date)
        m->date = src->date;
    if (!m->standard)
        m->standard = js(r, "standards.name");
    if (!isfinite(m->mean_below_s))
        m->mean_below_s = jd(r, "standards.mean_below_s");
    if (!isfinite(m->coverage_within_s))
        m->coverage_within_s = jd(r, "standards.coverage_within_s");
    if (!isfinite(m->residents_per_ambulance))
        m->residents_per_ambulance = jd(r, "standards.residents_per_ambulance");
    layer *sites = NULL;
    if (s && !m->sites && (st = sites_layer(ctx, s, m->streets, &sites)) == EMS_OK)
        m->sites = sites;
    build b = {.d = &d, .r = r, .sites = s, .src = src, .within_s = jd(r, "standards.coverage_within_s")};
    b.tc = (i18n_target_ctx){.min_stations = jd(r, "standards.min_stations_per_subdistrict"),
                             .residents_per_ambulance = jd(r, "standards.residents_per_ambulance"),
                             .parks_present = jat(r, "parks") != NULL,
                             .residential = isfinite(jd(r, "parks.residential_m2")),
                             .park_pop_share = jd(r, "parks.population_share"),
                             .park_strict = js(r, "parks.target_op") && !strcmp(js(r, "parks.target_op"), ">"),
                             .park_clause = js(r, "parks.target_from") && !strcmp(js(r, "parks.target_from"), "rule_set")
                                                ? js(r, "parks.clause")
                                                : js(r, "standards.name"),
                             .coverage_min = jd(r, "standards.coverage_within_s") / 60};
    if (service_name(r)) {
        bool zh = i18n_current() == I18N_ZH;
        b.tc.facility = js(r, zh ? "service.facility_zh" : "service.facility_en");
        b.tc.facilities = js(r, zh ? "service.facility_zh" : "service.facilities_en");
        if (!*b.tc.facility || !*b.tc.facilities) b.tc.facility = b.tc.facilities = NULL;
        if (!m->facility) m->facility = b.tc.facility;
    }
    i18n_residents(b.res, sizeof b.res, b.tc.residents_per_ambulance);
    if (st == EMS_OK) {
        d.title = service_name(r) ? doc__str(&d, _("%s coverage report: %s"), service_name(r), js(r, "scenario"))
                                  : doc__str(&d, _("Emergency medical service coverage report: %s"), js(r, "scenario"));
        d.footer = doc__str(&d, _("%s · %s · emscov report"), js(r, "scenario"), src->date ? src->date : _("date unknown"));
        cover(&b);
        targets(&b);
        maps(&b);
        districts_and_units(&b);
        gaps(&b);
        input_ledger(&b);
        appendix(&b);
        if (d.failed)
            st = emscov_fail(ctx, EMS_ENOMEM, "report: out of memory");
    }
    if (st == EMS_OK)
        st = o->format == DOC_PDF ? doc__pdf(&d, out, len, stats) : doc__html(&d, out, len, stats);
    doc__destroy(&d);
    layer_destroy(sites);
    json_object_put(r);
    json_object_put(s);
    i18n_use(before);
    return st;
}
