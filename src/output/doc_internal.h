/* src/output/doc_internal.h: the report document as a list of blocks (headings, paragraphs, tables, maps) --
 * built once from the stored run by doc.c and rendered by doc_pdf.c and doc_html.c, so both formats show the
 * same words and numbers. Shared by the doc*.c files only.
 * Ownership: the doc owns every block, table and string (doc__destroy); map inputs are borrowed. */
#ifndef EMSCOV_DOC_INTERNAL_H
#define EMSCOV_DOC_INTERNAL_H

#include "src/output/doc.h"

#define DOC_MAX_COLS 14

typedef enum { DOC_LEFT, DOC_RIGHT, DOC_CENTER } doc_align;
/* How a cell shows a verdict: a value that fails its target is shaded, one that passes in green. */
typedef enum { DOC_MARK_NONE, DOC_MARK_PASS, DOC_MARK_FAIL, DOC_MARK_NA } doc_mark;
typedef enum {
    DOC_TITLE,    /* the cover's title */
    DOC_SUBTITLE, /* the cover's second line */
    DOC_H1,       /* a section: starts a new page in the PDF */
    DOC_H2,
    DOC_PARA,
    DOC_NOTE,     /* small print under a table */
    DOC_TABLE,
    DOC_MAP       /* a map page (landscape in the PDF) */
} doc_kind;

typedef struct doc_col {
    const char *head;
    double width;     /* share of the text width (the shares of a table add up to 1) */
    doc_align align;
    bool mono;        /* checksums, coordinates */
} doc_col;

typedef struct doc_table {
    size_t ncols;
    doc_col cols[DOC_MAX_COLS];
    bool head;              /* false: a key-value table without a header row (first column as labels) */
    size_t nrows, cap;
    const char **cells;     /* nrows x ncols */
    unsigned char *marks;   /* doc_mark per cell */
} doc_table;

typedef struct doc_block {
    doc_kind kind;
    const char *text;       /* headings, paragraphs, notes; a map's title for the HTML */
    doc_table *table;
    map_opts map;           /* DOC_MAP: kind and field (page A4 landscape) */
    bool soft;              /* DOC_H1: no new page unless little room is left (the maps' section) */
} doc_block;

typedef struct doc {
    emscov_ctx *ctx;
    bool failed;            /* an allocation failed: the doc is incomplete (doc__status says EMS_ENOMEM) */
    doc_block *blocks;
    size_t n, cap;
    char **strings;
    size_t nstrings, strings_cap;
    const char *title;      /* PDF metadata, HTML <title> */
    const char *footer;     /* the running footer of every page */
    const char *date;       /* yyyy-mm-dd, for the PDF's dates (deterministic output); NULL unknown */
    const char *lang_tag;   /* "zh-CN", "en" */
    map_inputs maps;        /* the layers, with scenario, date, standard and targets filled in */
} doc;

/* A formatted string owned by d ("" when out of memory: d->failed is set). */
const char *doc__str(doc *d, const char *fmt, ...) EMS_PRINTF(2, 3);
/* Append a block; NULL when out of memory. */
doc_block *doc__add(doc *d, doc_kind kind, const char *text);
/* A new table block with n columns (heads and width shares given per column). */
doc_table *doc__table(doc *d, bool head, size_t n, const doc_col *cols);
/* A new row; its cells "" until set. Returns the row index. */
size_t doc__row(doc *d, doc_table *t);
void doc__cell(doc *d, doc_table *t, size_t row, size_t col, doc_mark mark, const char *text);
void doc__destroy(doc *d);

/* The formats (doc_pdf.c, doc_html.c): the document as bytes, *stats filled (pages, unknown glyphs, maps). */
ems_status doc__pdf(doc *d, char **out, size_t *len, doc_stats *stats);
ems_status doc__html(doc *d, char **out, size_t *len, doc_stats *stats);

/* A growing byte buffer (sticky failure), for both formats. */
typedef struct doc_buf {
    char *s;
    size_t len, cap;
    bool failed;
} doc_buf;
void doc__put(doc_buf *b, const void *p, size_t n);
void doc__puts(doc_buf *b, const char *s);
void doc__printf(doc_buf *b, const char *fmt, ...) EMS_PRINTF(2, 3);

#endif
