/* src/output/doc_pdf.c: the report document as PDF (see doc.h): A4 portrait pages of text and tables laid out
 * with Pango, maps on A4 landscape pages drawn by map.h, fonts embedded by Cairo (subsets). Two passes over
 * the blocks: the first only measures, to know the page count ("page 3 of 12"), the second draws. */
#include "src/output/doc_internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PT_PER_MM (72.0 / 25.4)
#define A4_W (210 * PT_PER_MM)
#define A4_H (297 * PT_PER_MM)
#define MONO_FONT "Noto Sans Mono CJK SC, DejaVu Sans Mono, monospace"

#define COLOR_TEXT 0x1A1A1A
#define COLOR_GREY 0x5A5A5A
#define COLOR_RULE 0x2C7FB8 /* the maps' band blue */
#define COLOR_HEAD_FILL 0xE4EAF0
#define COLOR_ZEBRA 0xF6F8FA
#define COLOR_LINE 0xCFD6DD
#define COLOR_FAIL_FILL 0xFAD4CF
#define COLOR_FAIL 0x9B1C1C
#define COLOR_PASS 0x1B7837

typedef struct pdf {
    doc *d;
    cairo_t *cr;
    cairo_surface_t *s;
    bool draw;            /* second pass */
    double pw, ph;        /* the current page, points */
    double y;             /* the cursor on a portrait page */
    bool fresh;           /* nothing placed on the current page yet */
    size_t page, pages;   /* current page (1-based) and, in the second pass, the total */
    int unknown;
    size_t maps;
    ems_status st;
} pdf;

static const double ML = 18 * PT_PER_MM, MR = 18 * PT_PER_MM, MT = 20 * PT_PER_MM, MB = 20 * PT_PER_MM;

static double text_w(void)
{
    return A4_W - ML - MR;
}

static void rgb(cairo_t *cr, unsigned c)
{
    cairo_set_source_rgb(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0, (c & 0xFF) / 255.0);
}

/* A layout of text at size points, wrapped at width (0: no wrap), counted for unknown glyphs when drawing. */
static PangoLayout *lay(pdf *p, const char *text, double size, bool bold, bool mono, double width, doc_align al)
{
    PangoLayout *pl = map_text_layout(p->cr, mono ? MONO_FONT : NULL, size, bold);
    if (width > 0) {
        pango_layout_set_width(pl, (int)(width * PANGO_SCALE));
        pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(pl, al == DOC_RIGHT ? PANGO_ALIGN_RIGHT : al == DOC_CENTER ? PANGO_ALIGN_CENTER
                                                                                      : PANGO_ALIGN_LEFT);
    pango_layout_set_text(pl, text, -1);
    if (p->draw)
        p->unknown += pango_layout_get_unknown_glyphs_count(pl);
    return pl;
}

static double height(PangoLayout *pl)
{
    int w, h;
    pango_layout_get_size(pl, &w, &h);
    return (double)h / PANGO_SCALE;
}

static double width(PangoLayout *pl)
{
    int w, h;
    pango_layout_get_size(pl, &w, &h);
    return (double)w / PANGO_SCALE;
}

static void show(pdf *p, PangoLayout *pl, double x, double y, unsigned color)
{
    if (!p->draw)
        return;
    cairo_move_to(p->cr, x, y);
    rgb(p->cr, color);
    pango_cairo_show_layout(p->cr, pl);
}

/* Text drawn and forgotten; returns its height. */
static double text(pdf *p, const char *s, double x, double y, double size, bool bold, unsigned color, double w,
                   doc_align al)
{
    PangoLayout *pl = lay(p, s, size, bold, false, w, al);
    double h = height(pl);
    show(p, pl, x, y, color);
    g_object_unref(pl);
    return h;
}

/* The running footer and the page number of the current page (a map page: after the map, which paints the
 * whole page). */
static void footer(pdf *p)
{
    if (!p->draw)
        return;
    bool landscape = p->pw > p->ph;
    double m = landscape ? 8 * PT_PER_MM : ML, y = p->ph - (landscape ? 8 * PT_PER_MM - 1 : MB - 8);
    char num[96];
    snprintf(num, sizeof num, _("page %zu of %zu"), p->page, p->pages);
    PangoLayout *pl = lay(p, num, 7, false, false, 0, DOC_LEFT);
    show(p, pl, p->pw - m - width(pl), y, COLOR_GREY);
    g_object_unref(pl);
    if (!landscape) { /* map pages carry the map's own footer */
        cairo_move_to(p->cr, ML, y - 3);
        cairo_line_to(p->cr, p->pw - MR, y - 3);
        rgb(p->cr, COLOR_LINE);
        cairo_set_line_width(p->cr, 0.5);
        cairo_stroke(p->cr);
        text(p, p->d->footer, ML, y, 7, false, COLOR_GREY, text_w() * 0.75, DOC_LEFT);
    }
}

static void new_page(pdf *p, bool landscape)
{
    if (p->page > 0 && p->draw)
        cairo_show_page(p->cr);
    p->page++;
    p->pw = landscape ? A4_H : A4_W;
    p->ph = landscape ? A4_W : A4_H;
    if (p->draw)
        cairo_pdf_surface_set_size(p->s, p->pw, p->ph);
    p->y = MT;
    p->fresh = true;
    if (!landscape)
        footer(p);
}

/* Room for h points more on this portrait page, else a new one. */
static void need(pdf *p, double h)
{
    if (p->pw > p->ph || (!p->fresh && p->y + h > p->ph - MB))
        new_page(p, false);
}

/* ---- tables ---------------------------------------------------------------------------------------------- */

#define CELL_PAD_X 3.0
#define CELL_PAD_Y 2.6
#define TABLE_SIZE 7.6

typedef struct row_lay {
    PangoLayout *pl[DOC_MAX_COLS];
    double h;
} row_lay;

static void row_make(pdf *p, const doc_table *t, const char *const *cells, const unsigned char *marks, bool head,
                     const double *cw, row_lay *r)
{
    r->h = 0;
    for (size_t k = 0; k < t->ncols; k++) {
        bool bold = head || (marks && (marks[k] == DOC_MARK_FAIL || marks[k] == DOC_MARK_PASS)) || (!t->head && k == 0);
        bool mono = t->cols[k].mono && !head;
        r->pl[k] = lay(p, cells[k], mono ? TABLE_SIZE - 1.2 : head ? TABLE_SIZE - 0.4 : TABLE_SIZE, bold, mono,
                       cw[k] - 2 * CELL_PAD_X,
                       t->cols[k].align);
        if (head) /* column titles break between words only */
            pango_layout_set_wrap(r->pl[k], PANGO_WRAP_WORD);
        r->h = fmax(r->h, height(r->pl[k]) + 2 * CELL_PAD_Y);
    }
}

static void row_free(const doc_table *t, row_lay *r)
{
    for (size_t k = 0; k < t->ncols; k++)
        g_object_unref(r->pl[k]);
}

static void row_draw(pdf *p, const doc_table *t, const unsigned char *marks, bool head, bool zebra, const double *cw,
                     const row_lay *r)
{
    if (p->draw) {
        double x = ML;
        for (size_t k = 0; k < t->ncols; k++) {
            unsigned fill = head                                  ? COLOR_HEAD_FILL
                            : marks && marks[k] == DOC_MARK_FAIL ? COLOR_FAIL_FILL
                            : zebra                               ? COLOR_ZEBRA
                                                                  : 0xFFFFFF;
            if (fill != 0xFFFFFF) {
                cairo_rectangle(p->cr, x, p->y, cw[k], r->h);
                rgb(p->cr, fill);
                cairo_fill(p->cr);
            }
            unsigned color = head                                  ? COLOR_TEXT
                             : !t->head && k == 0                  ? COLOR_GREY
                             : marks && marks[k] == DOC_MARK_FAIL ? COLOR_FAIL
                             : marks && marks[k] == DOC_MARK_PASS ? COLOR_PASS
                             : marks && marks[k] == DOC_MARK_NA   ? COLOR_GREY
                                                                   : COLOR_TEXT;
            show(p, r->pl[k], x + CELL_PAD_X, p->y + CELL_PAD_Y, color);
            x += cw[k];
        }
        cairo_move_to(p->cr, ML, p->y + r->h);
        cairo_line_to(p->cr, ML + text_w(), p->y + r->h);
        rgb(p->cr, head ? 0x8A96A3 : COLOR_LINE);
        cairo_set_line_width(p->cr, head ? 0.8 : 0.4);
        cairo_stroke(p->cr);
    }
    p->y += r->h;
}

/* A table; its header row again at the top of every page it runs onto. A row never splits. */
static void table(pdf *p, const doc_table *t)
{
    double cw[DOC_MAX_COLS];
    for (size_t k = 0; k < t->ncols; k++)
        cw[k] = t->cols[k].width * text_w();
    const char *heads[DOC_MAX_COLS];
    for (size_t k = 0; k < t->ncols; k++)
        heads[k] = t->cols[k].head;
    row_lay hl = {{0}, 0};
    if (t->head)
        row_make(p, t, heads, NULL, true, cw, &hl);
    for (size_t i = 0; i < t->nrows; i++) {
        row_lay rl;
        row_make(p, t, t->cells + i * t->ncols, t->marks + i * t->ncols, false, cw, &rl);
        bool top = i == 0;
        if (top) {
            need(p, hl.h + rl.h);
        } else if (p->y + rl.h > p->ph - MB) {
            new_page(p, false);
            top = true;
        }
        if (top && t->head) {
            row_draw(p, t, NULL, true, false, cw, &hl);
            row_free(t, &hl);
            row_make(p, t, heads, NULL, true, cw, &hl); /* layouts are counted once per drawing */
        }
        row_draw(p, t, t->marks + i * t->ncols, false, i % 2 == 1, cw, &rl);
        row_free(t, &rl);
        p->fresh = false;
    }
    if (t->head)
        row_free(t, &hl);
    p->y += 8;
}

/* ---- blocks ---------------------------------------------------------------------------------------------- */

static void map_sheet(pdf *p, const doc_block *b)
{
    new_page(p, true);
    p->maps++;
    if (p->draw) {
        map_page mp;
        map_page_whole(&p->d->maps, &mp);
        ems_status st = map_draw(p->d->ctx, p->cr, &p->d->maps, &b->map, &mp, &p->unknown);
        if (st != EMS_OK && p->st == EMS_OK)
            p->st = st;
        footer(p);
    }
    p->fresh = false; /* the next block starts a portrait page (need() sees the landscape size) */
}

static void block(pdf *p, const doc_block *b)
{
    double w = text_w();
    PangoLayout *pl = NULL;
    switch (b->kind) {
    case DOC_TITLE:
        need(p, 200);
        p->y = fmax(p->y, MT + 40 * PT_PER_MM);
        pl = lay(p, b->text, 24, true, false, w, DOC_LEFT);
        show(p, pl, ML, p->y, COLOR_TEXT);
        p->y += height(pl) + 6;
        if (p->draw) {
            cairo_rectangle(p->cr, ML, p->y, 60 * PT_PER_MM, 2.5);
            rgb(p->cr, COLOR_RULE);
            cairo_fill(p->cr);
        }
        p->y += 14;
        break;
    case DOC_SUBTITLE:
        pl = lay(p, b->text, 12, false, false, w, DOC_LEFT);
        need(p, height(pl));
        show(p, pl, ML, p->y, COLOR_GREY);
        p->y += height(pl) + 18;
        break;
    case DOC_H1:
        /* a section starts a page; one of maps (whose pages follow) only when little room is left */
        if (p->pw > p->ph || (!p->fresh && (!b->soft || p->y > p->ph - MB - 75)))
            new_page(p, false);
        pl = lay(p, b->text, 16, true, false, w, DOC_LEFT);
        show(p, pl, ML, p->y, COLOR_TEXT);
        p->y += height(pl) + 4;
        if (p->draw) {
            cairo_rectangle(p->cr, ML, p->y, w, 1.2);
            rgb(p->cr, COLOR_RULE);
            cairo_fill(p->cr);
        }
        p->y += 10;
        break;
    case DOC_H2:
        pl = lay(p, b->text, 11.5, true, false, w, DOC_LEFT);
        need(p, height(pl) + 60); /* with a few lines of what follows */
        if (!p->fresh)
            p->y += 6;
        show(p, pl, ML, p->y, COLOR_TEXT);
        p->y += height(pl) + 5;
        break;
    case DOC_PARA:
    case DOC_NOTE:
        pl = lay(p, b->text, b->kind == DOC_PARA ? 9.5 : 7.8, false, false, w, DOC_LEFT);
        if (b->kind == DOC_PARA)
            pango_layout_set_spacing(pl, 2 * PANGO_SCALE);
        need(p, height(pl));
        show(p, pl, ML, p->y, b->kind == DOC_PARA ? COLOR_TEXT : COLOR_GREY);
        p->y += height(pl) + (b->kind == DOC_PARA ? 7 : 5);
        break;
    case DOC_TABLE:
        table(p, b->table);
        break;
    case DOC_MAP:
        map_sheet(p, b);
        break;
    }
    if (pl)
        g_object_unref(pl);
    if (b->kind != DOC_MAP)
        p->fresh = false;
}

static void pass(pdf *p)
{
    p->page = 0;
    p->maps = 0;
    new_page(p, false);
    for (size_t k = 0; k < p->d->n && p->st == EMS_OK; k++)
        block(p, &p->d->blocks[k]);
}

static cairo_status_t buf_write(void *closure, const unsigned char *data, unsigned int len)
{
    doc_buf *b = closure;
    doc__put(b, data, len);
    return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

ems_status doc__pdf(doc *d, char **out, size_t *len, doc_stats *stats)
{
    doc_buf buf = {0};
    pdf p = {.d = d, .st = EMS_OK};
    p.s = cairo_pdf_surface_create_for_stream(buf_write, &buf, A4_W, A4_H);
    p.cr = cairo_create(p.s);
    if (cairo_status(p.cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(p.cr);
        cairo_surface_destroy(p.s);
        return emscov_fail(d->ctx, EMS_ENOMEM, "report: cannot create the PDF surface");
    }
    char date[40];
    snprintf(date, sizeof date, "%.10sT00:00:00Z", d->date ? d->date : "2000-01-01");
    cairo_pdf_surface_set_metadata(p.s, CAIRO_PDF_METADATA_CREATE_DATE, date);
    cairo_pdf_surface_set_metadata(p.s, CAIRO_PDF_METADATA_MOD_DATE, date);
    cairo_pdf_surface_set_metadata(p.s, CAIRO_PDF_METADATA_CREATOR, "emscov");
    cairo_pdf_surface_set_metadata(p.s, CAIRO_PDF_METADATA_TITLE, d->title);
    pass(&p); /* measure: how many pages */
    p.pages = p.page;
    p.draw = true;
    p.unknown = 0;
    if (p.st == EMS_OK)
        pass(&p);
    if (p.st == EMS_OK && p.page != p.pages)
        p.st = emscov_fail(d->ctx, EMS_EINTERNAL, "report: %zu pages measured, %zu drawn", p.pages, p.page);
    if (p.st == EMS_OK && cairo_status(p.cr) != CAIRO_STATUS_SUCCESS)
        p.st = emscov_fail(d->ctx, EMS_EINTERNAL, "report: drawing failed: %s", cairo_status_to_string(cairo_status(p.cr)));
    cairo_destroy(p.cr);
    cairo_surface_finish(p.s);
    if (p.st == EMS_OK && (buf.failed || cairo_surface_status(p.s) != CAIRO_STATUS_SUCCESS))
        p.st = emscov_fail(d->ctx, EMS_ENOMEM, "report: the PDF could not be written: %s",
                           cairo_status_to_string(cairo_surface_status(p.s)));
    cairo_surface_destroy(p.s);
    if (p.st != EMS_OK) {
        free(buf.s);
        return p.st;
    }
    *out = buf.s;
    *len = buf.len;
    stats->pages = p.pages;
    stats->unknown_glyphs = p.unknown;
    stats->maps = p.maps;
    return EMS_OK;
}
