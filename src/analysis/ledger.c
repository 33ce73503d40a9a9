/* src/analysis/ledger.c: the input ledger of a run (see ledger.h). */
#include "src/analysis/ledger.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ledger {
    ledger_layer *layers;
    size_t nlayers, layers_cap;
    ledger_issue *issues;
    size_t nissues, issues_cap;
    ledger_population pop;
};

#define LEDGER_KEY(name, key, text, skips) key,
#define LEDGER_TEXT(name, key, text, skips) text,
#define LEDGER_SKIPS(name, key, text, skips) skips,
static const char *const reason_keys[] = {LEDGER_REASON_MAP(LEDGER_KEY)};
static const char *const reason_texts[] = {LEDGER_REASON_MAP(LEDGER_TEXT)};
static const bool reason_skips[] = {LEDGER_REASON_MAP(LEDGER_SKIPS)};
#undef LEDGER_KEY
#undef LEDGER_TEXT
#undef LEDGER_SKIPS

const char *ledger_reason_key(ledger_reason r)
{
    return r < LEDGER_NREASONS ? reason_keys[r] : "unknown";
}

const char *ledger_reason_text(ledger_reason r)
{
    return r < LEDGER_NREASONS ? reason_texts[r] : "unknown";
}

bool ledger_reason_skips(ledger_reason r)
{
    return r < LEDGER_NREASONS && reason_skips[r];
}

ems_status ledger_create(emscov_ctx *ctx, ledger **out)
{
    *out = ems_calloc(ctx, 1, sizeof **out);
    return *out ? EMS_OK : EMS_ENOMEM;
}

void ledger_destroy(ledger *l)
{
    if (!l) return;
    for (size_t k = 0; k < l->nlayers; k++) {
        free((char *)l->layers[k].role);
        free((char *)l->layers[k].path);
        free((char *)l->layers[k].unit);
    }
    free(l->layers);
    for (size_t k = 0; k < l->nissues; k++) {
        free((char *)l->issues[k].role);
        free((char *)l->issues[k].source_id);
        free((char *)l->issues[k].source_name);
        free((char *)l->issues[k].detail);
    }
    free(l->issues);
    free(l);
}

ems_status ledger_add_layer(emscov_ctx *ctx, ledger *l, const char *role, const char *path, const char *unit,
                            size_t *index)
{
    if (!ems_grow(ctx, (void **)&l->layers, &l->layers_cap, l->nlayers + 1, sizeof *l->layers))
        return EMS_ENOMEM;
    ledger_layer *y = &l->layers[l->nlayers];
    memset(y, 0, sizeof *y);
    y->role = ems_strdup(ctx, role ? role : "");
    y->path = ems_strdup(ctx, path ? path : "");
    y->unit = ems_strdup(ctx, unit ? unit : "records");
    if (!y->role || !y->path || !y->unit) {
        free((char *)y->role);
        free((char *)y->path);
        free((char *)y->unit);
        return EMS_ENOMEM;
    }
    if (index) *index = l->nlayers;
    l->nlayers++;
    return EMS_OK;
}

ledger_layer *ledger_layer_at(ledger *l, size_t k)
{
    return &l->layers[k];
}

const ledger_layer *ledger_layer_get(const ledger *l, size_t k)
{
    return &l->layers[k];
}

size_t ledger_layer_count(const ledger *l)
{
    return l->nlayers;
}

ledger_layer *ledger_find_layer(ledger *l, const char *role)
{
    for (size_t k = 0; k < l->nlayers; k++)
        if (!strcmp(l->layers[k].role, role)) return &l->layers[k];
    return NULL;
}

ems_status ledger_add(emscov_ctx *ctx, ledger *l, const char *role, int64_t record, const char *source_id,
                      const char *source_name, ledger_reason reason, double amount, size_t count, double x,
                      double y, const char *detail_fmt, ...)
{
    ledger_layer *lay = ledger_find_layer(l, role);
    if (!lay) return emscov_fail(ctx, EMS_EINTERNAL, "%s: no ledger layer \"%s\"", __func__, role);
    if (!ems_grow(ctx, (void **)&l->issues, &l->issues_cap, l->nissues + 1, sizeof *l->issues))
        return EMS_ENOMEM;
    char detail[512] = "";
    if (detail_fmt) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(detail, sizeof detail, detail_fmt, ap);
        va_end(ap);
    }
    ledger_issue *is = &l->issues[l->nissues];
    *is =
        (ledger_issue){.record = record, .reason = reason, .amount = amount, .count = count, .x = x, .y = y};
    is->role = ems_strdup(ctx, role);
    is->source_id = ems_strdup(ctx, source_id ? source_id : "");
    is->source_name = ems_strdup(ctx, source_name ? source_name : "");
    is->detail = ems_strdup(ctx, detail);
    if (!is->role || !is->source_id || !is->source_name || !is->detail) {
        free((char *)is->role);
        free((char *)is->source_id);
        free((char *)is->source_name);
        free((char *)is->detail);
        return EMS_ENOMEM;
    }
    l->nissues++;
    lay->issues++;
    return EMS_OK;
}

size_t ledger_issue_count(const ledger *l)
{
    return l->nissues;
}

const ledger_issue *ledger_issue_at(const ledger *l, size_t k)
{
    return &l->issues[k];
}

void ledger_reason_totals(const ledger *l, ledger_reason r, size_t *rows, size_t *records, double *amount)
{
    size_t nr = 0, nrec = 0;
    double sum = 0;
    for (size_t k = 0; k < l->nissues; k++)
        if (l->issues[k].reason == r) {
            nr++;
            nrec += l->issues[k].count;
            if (isfinite(l->issues[k].amount)) sum += l->issues[k].amount;
        }
    if (rows) *rows = nr;
    if (records) *records = nrec;
    if (amount) *amount = sum;
}

ledger_population *ledger_population_get(ledger *l)
{
    return &l->pop;
}

const ledger_population *ledger_population_view(const ledger *l)
{
    return &l->pop;
}

ems_status ledger_check(emscov_ctx *ctx, const ledger *l)
{
    for (size_t k = 0; k < l->nlayers; k++) {
        const ledger_layer *y = &l->layers[k];
        if (y->read != y->filtered + y->used + y->skipped)
            return emscov_fail(ctx, EMS_EINTERNAL,
                               "ledger: %s (%s): %zu %s read but %zu left out + %zu used + "
                               "%zu skipped",
                               y->role, y->path, y->read, y->unit, y->filtered, y->used, y->skipped);
    }
    const ledger_population *p = &l->pop;
    double gap = p->input - p->allocated - p->dropped_total;
    if (!(fabs(gap) <= 1e-6 * fabs(p->input) + 1e-6))
        return emscov_fail(ctx, EMS_EINTERNAL,
                           "ledger: population input %.6f != allocated %.6f + dropped %.6f", p->input,
                           p->allocated, p->dropped_total);
    return EMS_OK;
}
