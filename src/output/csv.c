/* src/output/csv.c: CSV fields with RFC 4180 quoting into a growing buffer (see csv.h). */
#include "src/output/csv.h"

#include "src/output/i18n.h"
#include "src/output/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_init(csv_buf *b, emscov_ctx *ctx)
{
    *b = (csv_buf){.ctx = ctx};
}

void csv_fini(csv_buf *b)
{
    if (!b)
        return;
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->in_row = false;
}

/* Room for n more bytes and the NUL. */
static bool reserve(csv_buf *b, size_t n)
{
    if (b->failed)
        return false;
    if (!ems_grow(b->ctx, (void **)&b->s, &b->cap, b->len + n + 1, 1)) {
        b->failed = true;
        return false;
    }
    return true;
}

bool csv_headers_parse(const char *s, csv_headers *out)
{
    if (s && !strcmp(s, "keys"))
        *out = CSV_HEADERS_KEYS;
    else if (s && !strcmp(s, "zh"))
        *out = CSV_HEADERS_ZH;
    else
        return false;
    return true;
}

void csv_head(csv_buf *b, const csv_style *style, const char *const keys[], size_t n)
{
    if (style && style->bom && reserve(b, 3)) {
        memcpy(b->s + b->len, "\xEF\xBB\xBF", 3);
        b->len += 3;
        b->s[b->len] = '\0';
    }
    bool zh = style && style->headers == CSV_HEADERS_ZH;
    i18n_lang before = zh ? i18n_use(I18N_ZH) : I18N_EN;
    for (size_t k = 0; k < n; k++)
        csv_field(b, zh ? i18n_pgettext("csv", keys[k]) : keys[k]);
    csv_end_row(b);
    if (zh)
        i18n_use(before);
}

void csv_field(csv_buf *b, const char *text)
{
    if (!text)
        text = "";
    size_t n = strlen(text);
    bool quote = strpbrk(text, ",\"\r\n") != NULL;
    /* worst case: a separator, two quotes, every byte a doubled quote */
    if (!reserve(b, 3 + (quote ? 2 * n : n)))
        return;
    if (b->in_row)
        b->s[b->len++] = ',';
    b->in_row = true;
    if (!quote) {
        memcpy(b->s + b->len, text, n);
        b->len += n;
    } else {
        b->s[b->len++] = '"';
        for (const char *p = text; *p; p++) {
            if (*p == '"')
                b->s[b->len++] = '"';
            b->s[b->len++] = *p;
        }
        b->s[b->len++] = '"';
    }
    b->s[b->len] = '\0';
}

void csv_number(csv_buf *b, int decimals, double v)
{
    char t[400]; /* %.*f of the largest double is 309 digits before the point */
    if (isfinite(v))
        snprintf(t, sizeof t, "%.*f", decimals < 0 ? 0 : decimals > 17 ? 17 : decimals, v);
    else
        t[0] = '\0';
    csv_field(b, t);
}

void csv_int(csv_buf *b, int64_t v)
{
    char t[24];
    snprintf(t, sizeof t, "%" PRId64, v);
    csv_field(b, t);
}

void csv_end_row(csv_buf *b)
{
    if (!reserve(b, 1))
        return;
    b->s[b->len++] = '\n';
    b->s[b->len] = '\0';
    b->in_row = false;
}

ems_status csv_write(csv_buf *b, const char *path)
{
    if (b->failed)
        return emscov_fail(b->ctx, EMS_ENOMEM, "%s: out of memory building the CSV text", path);
    return report_write_atomic(b->ctx, path, b->s ? b->s : "", b->len);
}

ems_status csv_take(csv_buf *b, char **out, size_t *len)
{
    *out = NULL;
    if (b->failed)
        return emscov_fail(b->ctx, EMS_ENOMEM, "out of memory building the CSV text");
    if (!b->s && !reserve(b, 0))
        return EMS_ENOMEM;
    b->s[b->len] = '\0';
    *out = b->s;
    if (len)
        *len = b->len;
    b->s = NULL;
    b->len = b->cap = 0;
    b->in_row = false;
    return EMS_OK;
}
