/* src/output/csv.h: CSV text built in memory, one field at a time, with RFC 4180 quoting: a field holding a
 * comma, a double quote, CR or LF is written in double quotes, its quotes doubled; anything else (UTF-8
 * included) is written as is. Rows end in LF (as every emscov CSV file), not RFC 4180's CRLF.
 *
 * Use: csv_buf b; csv_init(&b, ctx); csv_field / csv_number / csv_int ...; csv_end_row; ... then csv_write
 * (temporary file + rename) or csv_take, and csv_fini. An allocation failure is sticky: later calls do
 * nothing and csv_write / csv_take return EMS_ENOMEM, so a writer checks once at the end.
 * Ownership: the buffer owns its text until csv_take hands it over; csv_fini frees it (NULL-safe, idempotent).
 * One buffer per thread; the ctx given to csv_init is used for messages and must outlive the buffer. */
#ifndef EMSCOV_CSV_H
#define EMSCOV_CSV_H

#include "geo/ctx.h"

#include <stdint.h>

typedef struct csv_buf {
    emscov_ctx *ctx;
    char *s;     /* the text so far, NUL-terminated; NULL before the first byte */
    size_t len, cap;
    bool in_row; /* a field was added to the current row: the next one is preceded by a comma */
    bool failed; /* an allocation failed */
} csv_buf;

void csv_init(csv_buf *b, emscov_ctx *ctx);
void csv_fini(csv_buf *b);

/* One field of the current row; NULL is an empty field. */
void csv_field(csv_buf *b, const char *text);
/* A number with `decimals` digits after the point ("%.*f"); an empty field when v is NaN or infinite. */
void csv_number(csv_buf *b, int decimals, double v);
/* A whole number. */
void csv_int(csv_buf *b, int64_t v);
/* End the current row (LF). A row with no field is an empty line. */
void csv_end_row(csv_buf *b);

/* How a CSV file is written for spreadsheet users: a UTF-8 byte-order mark first (Excel on Chinese Windows
 * reads UTF-8 without one in the system code page, GBK, and garbles 街道 names), and the header row: the
 * stable column keys (the default: what scripts read), or column titles in Chinese. Data rows never change. */
typedef enum { CSV_HEADERS_KEYS, CSV_HEADERS_ZH } csv_headers;
typedef struct csv_style {
    bool bom;
    csv_headers headers;
} csv_style;

/* "keys", "zh"; false for anything else. */
bool csv_headers_parse(const char *s, csv_headers *out);
/* The start of a file: the BOM when style asks for it (style may be NULL: no BOM, keys), then the header row of
 * the n column keys, as they are or as their Chinese titles (catalogue context "csv"; a key without a title
 * stays as it is). */
void csv_head(csv_buf *b, const csv_style *style, const char *const keys[], size_t n);

/* Write the text to path through a temporary file and a rename (nothing half-written is left). */
ems_status csv_write(csv_buf *b, const char *path);
/* Hand the text over (NUL-terminated, free()); the buffer is empty afterwards. */
ems_status csv_take(csv_buf *b, char **out, size_t *len);

#endif
