/* src/output/doc_html.c: the report document as one self-contained HTML file (see doc.h): CSS in a <style>
 * element, each map an inline <svg> drawn by map.h (its text as glyph outlines, its cell image as a data:
 * URI), no script, no link to anything outside the file. The SVG ids Cairo writes ("glyph0-1", "clip3") are
 * prefixed per map, since the maps share one document. Texts are checked with Pango for glyphs no installed
 * font has, as the PDF's are. */
#include "src/output/doc_internal.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;background:#eef1f4;color:#1a1a1a;font:14px/1.55 'Noto Sans CJK SC','Source Han Sans SC',"
    "'PingFang SC','Microsoft YaHei','Noto Sans','DejaVu Sans',sans-serif}"
    "main{max-width:1100px;margin:0 auto;background:#fff;padding:32px 48px 24px}"
    "h1.title{font-size:30px;margin:48px 0 4px;border-bottom:4px solid #2c7fb8;display:inline-block;padding-bottom:6px}"
    "p.subtitle{font-size:17px;color:#5a5a5a;margin:8px 0 28px}"
    "h2{font-size:21px;margin:40px 0 12px;padding-bottom:4px;border-bottom:2px solid #2c7fb8}"
    "h3{font-size:16px;margin:24px 0 8px}"
    "p{margin:6px 0 10px}p.note{font-size:12px;color:#5a5a5a}"
    "table{border-collapse:collapse;width:100%;margin:6px 0 16px;font-size:12.5px;table-layout:fixed}"
    "td{overflow-wrap:anywhere}"
    "th,td{padding:4px 6px;vertical-align:top;border-bottom:1px solid #cfd6dd;text-align:left}"
    "thead th{background:#e4eaf0;border-bottom:1.5px solid #8a96a3}"
    "tbody tr:nth-child(even) td{background:#f6f8fa}"
    "td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}td.c,th.c{text-align:center;white-space:nowrap}"
    "td.mono{font-family:'Noto Sans Mono CJK SC','DejaVu Sans Mono',monospace;font-size:11.5px;word-break:break-all}"
    "tbody tr td.fail{background:#fad4cf;color:#9b1c1c;font-weight:700}td.pass{color:#1b7837;font-weight:700}"
    "td.na{color:#5a5a5a}table.kv td:first-child{color:#5a5a5a;width:28%}"
    "figure{margin:16px 0 28px}figure svg{width:100%;height:auto;border:1px solid #cfd6dd;display:block}"
    "figure svg image{image-rendering:pixelated}"
    "footer{margin-top:32px;color:#5a5a5a;font-size:12px;border-top:1px solid #cfd6dd;padding-top:8px}"
    "@page{size:A4;margin:15mm}"
    "@media print{body{background:#fff}main{max-width:none;padding:0}thead{display:table-header-group}"
    "tr,figure{break-inside:avoid}h2{break-before:page}h2,h3{break-after:avoid}}";

static void esc(doc_buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': doc__puts(b, "&amp;"); break;
        case '<': doc__puts(b, "&lt;"); break;
        case '>': doc__puts(b, "&gt;"); break;
        case '"': doc__puts(b, "&quot;"); break;
        default: doc__put(b, p, 1);
        }
    }
}

static void tag(doc_buf *b, const char *open, const char *text, const char *close)
{
    doc__puts(b, open);
    esc(b, text);
    doc__puts(b, close);
}

static const char *align_class(doc_align a)
{
    return a == DOC_RIGHT ? "r" : a == DOC_CENTER ? "c" : "";
}

static void table(doc_buf *b, const doc_table *t)
{
    doc__puts(b, t->head ? "<table>\n<colgroup>" : "<table class=\"kv\">\n<colgroup>");
    for (size_t k = 0; k < t->ncols; k++)
        doc__printf(b, "<col style=\"width:%.1f%%\">", 100 * t->cols[k].width);
    doc__puts(b, "</colgroup>\n");
    if (t->head) {
        doc__puts(b, "<thead><tr>");
        for (size_t k = 0; k < t->ncols; k++) {
            doc__printf(b, "<th class=\"%s\">", align_class(t->cols[k].align));
            esc(b, t->cols[k].head);
            doc__puts(b, "</th>");
        }
        doc__puts(b, "</tr></thead>\n");
    }
    doc__puts(b, "<tbody>\n");
    for (size_t i = 0; i < t->nrows; i++) {
        doc__puts(b, "<tr>");
        for (size_t k = 0; k < t->ncols; k++) {
            unsigned char m = t->marks[i * t->ncols + k];
            doc__printf(b, "<td class=\"%s%s%s\">", align_class(t->cols[k].align), t->cols[k].mono ? " mono" : "",
                        m == DOC_MARK_FAIL   ? " fail"
                        : m == DOC_MARK_PASS ? " pass"
                        : m == DOC_MARK_NA   ? " na"
                                             : "");
            esc(b, t->cells[i * t->ncols + k]);
            doc__puts(b, "</td>");
        }
        doc__puts(b, "</tr>\n");
    }
    doc__puts(b, "</tbody></table>\n");
}

/* ---- maps ------------------------------------------------------------------------------------------------ */

static bool buf_sink(void *closure, const unsigned char *data, unsigned int len)
{
    doc_buf *b = closure;
    doc__put(b, data, len);
    return !b->failed;
}

static bool at(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && !memcmp(p, word, n);
}

/* Cairo's SVG, inline: from its <svg> element on, the fixed width and height dropped (the viewBox scales it to
 * the page), every id and reference to one prefixed with pre. */
static void svg_inline(doc_buf *b, const char *svg, size_t len, const char *pre, const char *label)
{
    const char *end = svg + len, *p = strstr(svg, "<svg");
    if (!p)
        return;
    const char *gt = memchr(p, '>', (size_t)(end - p));
    if (!gt)
        return;
    doc__puts(b, "<svg role=\"img\" aria-label=\"");
    esc(b, label);
    doc__puts(b, "\"");
    for (const char *q = p + 4; q < gt;) { /* the attributes of the <svg> tag, but width and height */
        while (q < gt && *q == ' ')
            q++;
        const char *eq = memchr(q, '=', (size_t)(gt - q));
        if (!eq || eq + 1 >= gt || eq[1] != '"')
            break;
        const char *close = memchr(eq + 2, '"', (size_t)(gt - eq - 2));
        if (!close)
            break;
        if (!((eq - q == 5 && !memcmp(q, "width", 5)) || (eq - q == 6 && !memcmp(q, "height", 6)))) {
            doc__puts(b, " ");
            doc__put(b, q, (size_t)(close + 1 - q));
        }
        q = close + 1;
    }
    doc__puts(b, ">");
    const char *run = gt + 1;
    for (const char *q = run; q < end; q++) {
        size_t n = at(q, end, "url(#")                                            ? 5
                   : at(q, end, "href=\"#") && (q[-1] == ':' || q[-1] == ' ') ? 7
                   : at(q, end, "id=\"") && q[-1] == ' '                       ? 4
                                                                                : 0;
        if (!n)
            continue;
        doc__put(b, run, (size_t)(q + n - run));
        doc__puts(b, pre);
        run = q + n;
        q = run - 1;
    }
    doc__put(b, run, (size_t)(end - run));
    doc__puts(b, "\n");
}

static ems_status map_svg(doc *d, doc_buf *b, const doc_block *bl, size_t k)
{
    doc_buf svg = {0};
    map_opts o = bl->map;
    o.format = MAP_SVG;
    map_page page;
    map_page_whole(&d->maps, &page);
    ems_status st = map_render(d->ctx, &d->maps, &o, &page, 1, buf_sink, &svg, "report map");
    if (st == EMS_OK && svg.failed)
        st = emscov_fail(d->ctx, EMS_ENOMEM, "report: out of memory for a map");
    if (st == EMS_OK) {
        char pre[16];
        snprintf(pre, sizeof pre, "m%zu-", k);
        doc__printf(b, "<figure class=\"map\" id=\"map%zu\">\n", k);
        svg_inline(b, svg.s, svg.len, pre, bl->text ? bl->text : map_kind_name(o.kind));
        doc__puts(b, "</figure>\n");
    }
    free(svg.s);
    return st;
}

/* ---- glyphs ---------------------------------------------------------------------------------------------- */

/* Characters of the document's texts no installed font has (what the browser would show as boxes). */
static int unknown_glyphs(const doc *d)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 4, 4);
    cairo_t *cr = cairo_create(s);
    PangoLayout *pl = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(MAP_FONT_FAMILY);
    pango_font_description_set_absolute_size(fd, 10 * PANGO_SCALE);
    pango_layout_set_font_description(pl, fd);
    pango_font_description_free(fd);
    int n = 0;
    const char *texts[] = {d->title, d->footer};
    for (size_t k = 0; k < 2; k++) {
        pango_layout_set_text(pl, texts[k] ? texts[k] : "", -1);
        n += pango_layout_get_unknown_glyphs_count(pl);
    }
    for (size_t k = 0; k < d->n; k++) {
        const doc_block *b = &d->blocks[k];
        if (b->text) {
            pango_layout_set_text(pl, b->text, -1);
            n += pango_layout_get_unknown_glyphs_count(pl);
        }
        const doc_table *t = b->table;
        for (size_t i = 0; t && i < t->nrows * t->ncols + t->ncols; i++) {
            pango_layout_set_text(pl, i < t->ncols ? t->cols[i].head : t->cells[i - t->ncols], -1);
            n += pango_layout_get_unknown_glyphs_count(pl);
        }
    }
    g_object_unref(pl);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return n;
}

ems_status doc__html(doc *d, char **out, size_t *len, doc_stats *stats)
{
    doc_buf b = {0};
    doc__printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n", d->lang_tag);
    doc__puts(&b, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"emscov\">\n");
    tag(&b, "<title>", d->title, "</title>\n");
    doc__printf(&b, "<style>%s</style>\n</head>\n<body>\n<main>\n", css);
    ems_status st = EMS_OK;
    size_t sections = 0;
    for (size_t k = 0; k < d->n && st == EMS_OK; k++) {
        const doc_block *bl = &d->blocks[k];
        switch (bl->kind) {
        case DOC_TITLE: tag(&b, "<h1 class=\"title\">", bl->text, "</h1>\n"); break;
        case DOC_SUBTITLE: tag(&b, "<p class=\"subtitle\">", bl->text, "</p>\n"); break;
        case DOC_H1:
            doc__printf(&b, "<h2 id=\"s%zu\">", ++sections);
            tag(&b, "", bl->text, "</h2>\n");
            break;
        case DOC_H2: tag(&b, "<h3>", bl->text, "</h3>\n"); break;
        case DOC_PARA: tag(&b, "<p>", bl->text, "</p>\n"); break;
        case DOC_NOTE: tag(&b, "<p class=\"note\">", bl->text, "</p>\n"); break;
        case DOC_TABLE: table(&b, bl->table); break;
        case DOC_MAP:
            st = map_svg(d, &b, bl, ++stats->maps);
            break;
        }
    }
    tag(&b, "<footer>", d->footer, "</footer>\n");
    doc__puts(&b, "</main>\n</body>\n</html>\n");
    if (st == EMS_OK && b.failed)
        st = emscov_fail(d->ctx, EMS_ENOMEM, "report: out of memory");
    if (st != EMS_OK) {
        free(b.s);
        return st;
    }
    stats->pages = 1;
    stats->unknown_glyphs = unknown_glyphs(d);
    *out = b.s;
    *len = b.len;
    return EMS_OK;
}
