/* src/output/map.c: coverage maps (see map.h). Cairo draws, Pango lays out text (fontconfig finds the CJK
 * font); this file only turns layers into paths, colours and words. */
#include "src/output/map.h"

#include "src/output/i18n.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PT_PER_MM (72.0 / 25.4)
#define MAP_FONT MAP_FONT_FAMILY
#define PNG_MAX_PX 32767
#define MAP_PI 3.14159265358979323846

const unsigned map_band_colors[MAP_BANDS] = {0xFFFFCC, 0xA1DAB4, 0x41B6C4, 0x2C7FB8, 0x253494};

static const char *const kind_names[] = {"time", "choropleth", "gaps", "parks"};

bool map_kind_parse(const char *s, map_kind *k)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
        if (s && !strcmp(s, kind_names[i])) {
            *k = (map_kind)i;
            return true;
        }
    return false;
}

const char *map_kind_name(map_kind k)
{
    return kind_names[k];
}

bool map_format_parse(const char *s, map_format *f)
{
    static const char *const names[] = {"png", "svg", "pdf"};
    for (size_t i = 0; i < 3; i++)
        if (s && !strcasecmp(s, names[i])) {
            *f = (map_format)i;
            return true;
        }
    return false;
}

const char *map_format_ext(map_format f)
{
    return f == MAP_PNG ? "png" : f == MAP_SVG ? "svg" : "pdf";
}

bool map_parse_page(const char *s, double *w_mm, double *h_mm)
{
    static const struct {
        const char *name;
        double w, h;
    } named[] = {{"A4", 297, 210}, {"A3", 420, 297}, {"A4-portrait", 210, 297}, {"A3-portrait", 297, 420}};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcasecmp(s, named[i].name)) {
            *w_mm = named[i].w, *h_mm = named[i].h;
            return true;
        }
    double w, h;
    char tail[8] = "";
    if (sscanf(s, "%lfx%lf%7s", &w, &h, tail) != 3 || strcmp(tail, "mm") != 0) return false;
    if (!(w >= 50 && w <= 2000 && h >= 50 && h <= 2000)) return false;
    *w_mm = w, *h_mm = h;
    return true;
}

void map_file_stem(const char *value, char *buf, size_t cap)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p && cap > 1;) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 1;
        if (k + len > cap - 1) break;
        bool bad = *p < 0x20 || *p == 0x7F || strchr("/\\ :*?\"<>|", *p) || (k == 0 && *p == '.');
        if (len > 1) {
            for (size_t i = 1; i < len; i++)
                bad |= (p[i] & 0xC0) != 0x80;
        }
        if (bad) {
            buf[k++] = '_';
            p++;
            continue;
        }
        memcpy(buf + k, p, len);
        k += len;
        p += len;
    }
    if (k == 0 && cap > 1) buf[k++] = '_';
    if (cap) buf[k] = '\0';
}

int map_time_band(double t)
{
    if (!isfinite(t)) return -1;
    int b = (int)floor(t / MAP_BAND_S);
    return b < 0 ? 0 : b > MAP_BANDS - 1 ? MAP_BANDS - 1 : b;
}

/* ---- inputs ----------------------------------------------------------------------------------------- */

static const char *choropleth_field(const map_opts *o)
{
    return o->field ? o->field : "covered_share";
}

/* A choropleth of a change between two runs (compare --map), not of one run's figures. */
static bool is_change(const map_opts *o)
{
    const char *f = choropleth_field(o);
    return !strcmp(f, "covered_share_change") || !strcmp(f, "mean_s_change");
}

static ems_status need_field(emscov_ctx *ctx, const layer *l, const char *table, const char *field, bool numeric)
{
    int j = layer_field_index(l, field);
    if (j < 0)
        return emscov_fail(ctx, EMS_EINPUT, "map: layer %s: no field %s", table, field);
    layer_field_type t = layer_field_at(l, (size_t)j)->type;
    if (numeric && t != LAYER_FIELD_INT && t != LAYER_FIELD_DOUBLE && t != LAYER_FIELD_LOGICAL)
        return emscov_fail(ctx, EMS_EINPUT, "map: layer %s: field %s is not a number", table, field);
    return EMS_OK;
}

ems_status map_check(emscov_ctx *ctx, const map_inputs *in, const map_opts *o)
{
    if (!in->streets) return emscov_fail(ctx, EMS_EINPUT, "map: no street_summary layer");
    ems_status st = need_field(ctx, in->streets, "street_summary", "name", false);
    if (st != EMS_OK) return st;
    switch (o->kind) {
    case MAP_TIME:
        if (!in->demand && !in->demand_pts)
            return emscov_fail(ctx, EMS_EINPUT, "map --kind time: no demand_time layer");
        if (in->demand) st = need_field(ctx, in->demand, "demand_time", "time_s", true);
        break;
    case MAP_CHOROPLETH:
        st = need_field(ctx, in->streets, "street_summary", choropleth_field(o), true);
        break;
    case MAP_GAPS:
        st = need_field(ctx, in->streets, "street_summary", "gap", false);
        break;
    case MAP_PARKS:
        if (!in->parks) return emscov_fail(ctx, EMS_EINPUT, "map --kind parks: no park_service_area layer");
        break;
    }
    if (st != EMS_OK) return st;
    const crs *c = layer_crs(in->streets);
    if (!c || !crs_is_projected_metric(c))
        return emscov_fail(ctx, EMS_EINPUT, "map: street_summary is not in a projected CRS in metres (%s)",
                           c ? crs_name(c) : "none");
    if (in->demand_pts && (!in->demand_pts->c || !crs_equivalent(in->demand_pts->c, c)))
        return emscov_fail(ctx, EMS_EINPUT, "map: layer demand_time is in another CRS than street_summary (%s vs %s)",
                           in->demand_pts->c ? crs_name(in->demand_pts->c) : "none", crs_name(c));
    const layer *others[] = {in->demand, in->stations, in->parks, in->residential, in->sites};
    static const char *const names[] = {"demand_time", "station", "park_service_area", "residential", "sites"};
    for (size_t k = 0; k < 5; k++)
        if (others[k] && (!layer_crs(others[k]) || !crs_equivalent(layer_crs(others[k]), c)))
            return emscov_fail(ctx, EMS_EINPUT, "map: layer %s is in another CRS than street_summary (%s vs %s)",
                               names[k], layer_crs(others[k]) ? crs_name(layer_crs(others[k])) : "none",
                               crs_name(c));
    return EMS_OK;
}

/* ---- layout ------------------------------------------------------------------------------------------ */

void map_layout_compute(const map_opts *o, const map_page *p, map_layout *lay)
{
    memset(lay, 0, sizeof *lay);
    lay->page_w = o->page_w_mm * PT_PER_MM;
    lay->page_h = o->page_h_mm * PT_PER_MM;
    double m = 8 * PT_PER_MM;
    double title_h = 16 * PT_PER_MM, footer_h = 6 * PT_PER_MM;
    lay->panel_w = fmin(52 * PT_PER_MM, 0.32 * lay->page_w);
    lay->frame[0] = m;
    lay->frame[1] = m + title_h;
    lay->frame[2] = lay->page_w - 2 * m - lay->panel_w - 4 * PT_PER_MM;
    lay->frame[3] = lay->page_h - lay->frame[1] - m - footer_h;
    lay->panel_x = lay->frame[0] + lay->frame[2] + 4 * PT_PER_MM;
    double ex0 = p->extent[0], ey0 = p->extent[1], ex1 = p->extent[2], ey1 = p->extent[3];
    double ew = ex1 - ex0, eh = ey1 - ey0;
    if (!(ew > 1)) ex0 -= 500, ex1 += 500, ew = ex1 - ex0;
    if (!(eh > 1)) ey0 -= 500, ey1 += 500, eh = ey1 - ey0;
    double pad = 0.02 * fmax(ew, eh);
    ex0 -= pad, ex1 += pad, ey0 -= pad, ey1 += pad;
    ew = ex1 - ex0, eh = ey1 - ey0;
    lay->scale = fmin(lay->frame[2] / ew, lay->frame[3] / eh);
    /* centre the extent in the frame */
    double cx = (ex0 + ex1) / 2, cy = (ey0 + ey1) / 2;
    lay->ex0 = cx - lay->frame[2] / 2 / lay->scale;
    lay->ey1 = cy + lay->frame[3] / 2 / lay->scale;
    lay->x0 = lay->frame[0];
    lay->y0 = lay->frame[1];
}

void map_page_whole(const map_inputs *in, map_page *p)
{
    *p = (map_page){.name = NULL};
    layer_extent(in->streets, p->extent);
    const layer *pts[] = {in->stations, in->sites};
    for (size_t k = 0; k < 2; k++) {
        double e[4];
        if (pts[k] && layer_extent(pts[k], e)) {
            p->extent[0] = fmin(p->extent[0], e[0]), p->extent[1] = fmin(p->extent[1], e[1]);
            p->extent[2] = fmax(p->extent[2], e[2]), p->extent[3] = fmax(p->extent[3], e[3]);
        }
    }
}

void map_world_to_page(const map_layout *lay, double x, double y, double *px, double *py)
{
    *px = lay->x0 + (x - lay->ex0) * lay->scale;
    *py = lay->y0 + (lay->ey1 - y) * lay->scale;
}

/* ---- drawing helpers --------------------------------------------------------------------------------- */

typedef struct drawer {
    emscov_ctx *ctx;
    GEOSContextHandle_t h;
    cairo_t *cr;
    const map_inputs *in;
    const map_opts *o;
    const map_page *page;
    map_layout lay;
    double world[4]; /* the frame in world coordinates */
    ems_status st;
} drawer;

static void set_rgb(cairo_t *cr, unsigned c)
{
    cairo_set_source_rgb(cr, ((c >> 16) & 0xFF) / 255.0, ((c >> 8) & 0xFF) / 255.0, (c & 0xFF) / 255.0);
}

static bool visible(const drawer *d, const GEOSGeometry *g)
{
    double x0, y0, x1, y1;
    if (!GEOSGeom_getExtent_r(d->h, g, &x0, &y0, &x1, &y1)) return false;
    return !(x1 < d->world[0] || x0 > d->world[2] || y1 < d->world[1] || y0 > d->world[3]);
}

static void path_seq(drawer *d, const GEOSCoordSequence *cs, bool close)
{
    unsigned n = 0;
    if (!GEOSCoordSeq_getSize_r(d->h, cs, &n) || n == 0) return;
    double lx = 0, ly = 0;
    for (unsigned i = 0; i < n; i++) {
        double x, y, px, py;
        if (!GEOSCoordSeq_getXY_r(d->h, cs, i, &x, &y)) return;
        map_world_to_page(&d->lay, x, y, &px, &py);
        if (i == 0) {
            cairo_move_to(d->cr, px, py);
        } else if (i + 1 == n || fabs(px - lx) + fabs(py - ly) > 0.2) { /* drop sub-0.2 pt steps */
            cairo_line_to(d->cr, px, py);
        } else {
            continue;
        }
        lx = px, ly = py;
    }
    if (close) cairo_close_path(d->cr);
}

/* Append g (polygons, lines; points ignored) to the current path. */
static void path_geom(drawer *d, const GEOSGeometry *g)
{
    int t = GEOSGeomTypeId_r(d->h, g);
    if (t == GEOS_POLYGON) {
        path_seq(d, GEOSGeom_getCoordSeq_r(d->h, GEOSGetExteriorRing_r(d->h, g)), true);
        int nh = GEOSGetNumInteriorRings_r(d->h, g);
        for (int k = 0; k < nh; k++)
            path_seq(d, GEOSGeom_getCoordSeq_r(d->h, GEOSGetInteriorRingN_r(d->h, g, k)), true);
    } else if (t == GEOS_LINESTRING || t == GEOS_LINEARRING) {
        path_seq(d, GEOSGeom_getCoordSeq_r(d->h, g), false);
    } else if (t == GEOS_MULTIPOLYGON || t == GEOS_MULTILINESTRING || t == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(d->h, g);
        for (int k = 0; k < n; k++)
            path_geom(d, GEOSGetGeometryN_r(d->h, g, k));
    }
}

static bool point_xy(drawer *d, const GEOSGeometry *g, double *px, double *py)
{
    double x, y;
    if (GEOSGeomTypeId_r(d->h, g) != GEOS_POINT || !GEOSGeomGetX_r(d->h, g, &x) || !GEOSGeomGetY_r(d->h, g, &y))
        return false;
    map_world_to_page(&d->lay, x, y, px, py);
    return *px >= d->lay.frame[0] - 5 && *px <= d->lay.frame[0] + d->lay.frame[2] + 5 &&
           *py >= d->lay.frame[1] - 5 && *py <= d->lay.frame[1] + d->lay.frame[3] + 5;
}

/* Text value of feature i, field j ("" for null). */
static const char *value_text(const layer *l, size_t i, int j, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (j < 0) return buf;
    const layer_value *v = layer_value_at(l, i, (size_t)j);
    if (!v || v->is_null) return buf;
    switch (layer_field_at(l, (size_t)j)->type) {
    case LAYER_FIELD_STRING: return v->u.s;
    case LAYER_FIELD_INT: snprintf(buf, cap, "%lld", (long long)v->u.i); break;
    case LAYER_FIELD_DOUBLE: snprintf(buf, cap, "%.15g", v->u.d); break;
    case LAYER_FIELD_DATE: snprintf(buf, cap, "%04d-%02d-%02d", v->u.date / 10000, v->u.date / 100 % 100,
                                    v->u.date % 100); break;
    case LAYER_FIELD_LOGICAL: snprintf(buf, cap, "%s", v->u.b ? "true" : "false"); break;
    }
    return buf;
}

/* ---- text ------------------------------------------------------------------------------------------- */

static void note_unknown(cairo_t *cr, PangoLayout *pl);

PangoLayout *map_text_layout(cairo_t *cr, const char *family, double size_pt, bool bold)
{
    PangoLayout *pl = pango_cairo_create_layout(cr);
    PangoContext *pc = pango_layout_get_context(pl);
    pango_cairo_context_set_resolution(pc, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(pc, fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(pl);
    PangoFontDescription *fd = pango_font_description_from_string(family ? family : MAP_FONT);
    pango_font_description_set_absolute_size(fd, size_pt * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(pl, fd);
    pango_font_description_free(fd);
    return pl;
}

static PangoLayout *text_layout(cairo_t *cr, const char *text, double size_pt, bool bold)
{
    PangoLayout *pl = map_text_layout(cr, NULL, size_pt, bold);
    pango_layout_set_text(pl, text, -1);
    note_unknown(cr, pl);
    return pl;
}

static void layout_size(PangoLayout *pl, double *w, double *h)
{
    int iw, ih;
    pango_layout_get_size(pl, &iw, &ih);
    *w = (double)iw / PANGO_SCALE;
    *h = (double)ih / PANGO_SCALE;
}

/* Draw text with its top-left at (x, y); returns its width. halo: white outline under the glyphs. */
static double text_at(cairo_t *cr, const char *text, double x, double y, double size, bool bold, unsigned color,
                      bool halo)
{
    PangoLayout *pl = text_layout(cr, text, size, bold);
    double w, h;
    layout_size(pl, &w, &h);
    cairo_move_to(cr, x, y);
    if (halo) {
        pango_cairo_layout_path(cr, pl);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, size * 0.22);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_move_to(cr, x, y);
    }
    set_rgb(cr, color);
    pango_cairo_show_layout(cr, pl);
    g_object_unref(pl);
    return w;
}

ems_status map_text_extent(emscov_ctx *ctx, const char *text, double size_pt, double *w, double *h,
                           int *unknown_glyphs)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 4, 4);
    cairo_t *cr = cairo_create(s);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        return emscov_fail(ctx, EMS_ENOMEM, "map: cannot create a Cairo context");
    }
    PangoLayout *pl = text_layout(cr, text, size_pt, false);
    layout_size(pl, w, h);
    *unknown_glyphs = pango_layout_get_unknown_glyphs_count(pl);
    g_object_unref(pl);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return EMS_OK;
}

void map_release_fonts(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}

/* ---- legend ----------------------------------------------------------------------------------------- */

typedef struct legend {
    drawer *d;
    double x, y, w;
} legend;

static void legend_title(legend *lg, const char *title, const char *units)
{
    cairo_t *cr = lg->d->cr;
    text_at(cr, title, lg->x, lg->y, 10, true, 0x000000, false);
    lg->y += 14;
    if (units) {
        PangoLayout *pl = text_layout(cr, units, 7.5, false);
        pango_layout_set_width(pl, (int)(lg->w * PANGO_SCALE));
        pango_layout_set_wrap(pl, PANGO_WRAP_WORD_CHAR);
        double tw, th;
        layout_size(pl, &tw, &th);
        cairo_move_to(cr, lg->x, lg->y);
        set_rgb(cr, 0x404040);
        pango_cairo_show_layout(cr, pl);
        g_object_unref(pl);
        lg->y += th + 4;
    }
}

typedef enum { SW_FILL, SW_POINT, SW_SITE, SW_LINE, SW_DIM } swatch_kind;

static void legend_item(legend *lg, swatch_kind k, unsigned color, double alpha, const char *label)
{
    cairo_t *cr = lg->d->cr;
    double sw = 16, sh = 10, x = lg->x, y = lg->y;
    switch (k) {
    case SW_FILL:
    case SW_DIM:
        cairo_rectangle(cr, x, y, sw, sh);
        cairo_set_source_rgba(cr, ((color >> 16) & 0xFF) / 255.0, ((color >> 8) & 0xFF) / 255.0,
                              (color & 0xFF) / 255.0, alpha);
        cairo_fill_preserve(cr);
        set_rgb(cr, 0x808080);
        cairo_set_line_width(cr, 0.4);
        cairo_stroke(cr);
        break;
    case SW_POINT:
        cairo_arc(cr, x + sw / 2, y + sh / 2, 3.2, 0, 2 * MAP_PI);
        set_rgb(cr, color);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        break;
    case SW_SITE:
        cairo_move_to(cr, x + sw / 2, y + sh / 2 - 4.5);
        cairo_line_to(cr, x + sw / 2 + 4.5, y + sh / 2);
        cairo_line_to(cr, x + sw / 2, y + sh / 2 + 4.5);
        cairo_line_to(cr, x + sw / 2 - 4.5, y + sh / 2);
        cairo_close_path(cr);
        set_rgb(cr, color);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        break;
    case SW_LINE:
        cairo_move_to(cr, x, y + sh / 2);
        cairo_line_to(cr, x + sw, y + sh / 2);
        set_rgb(cr, color);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        break;
    }
    text_at(cr, label, x + sw + 5, y - 0.5, 8, false, 0x000000, false);
    lg->y += sh + 4;
}

/* A line across the swatch column between two items: the standard's target. */
static void legend_target(legend *lg, const char *label)
{
    cairo_t *cr = lg->d->cr;
    PangoLayout *pl = text_layout(cr, label, 7.5, true);
    double tw, th;
    layout_size(pl, &tw, &th);
    double y = lg->y + th / 2 - 1;
    cairo_move_to(cr, lg->x - 3, y);
    cairo_line_to(cr, lg->x + 19, y);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.6);
    cairo_stroke(cr);
    cairo_move_to(cr, lg->x - 3, y);
    cairo_line_to(cr, lg->x - 7, y - 3);
    cairo_line_to(cr, lg->x - 7, y + 3);
    cairo_close_path(cr);
    cairo_fill(cr);
    cairo_move_to(cr, lg->x + 21, lg->y - 1);
    pango_cairo_show_layout(cr, pl);
    g_object_unref(pl);
    lg->y += th + 2;
}

/* ---- thematic layers --------------------------------------------------------------------------------- */

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The demand points, from the layer or the arrays: n, point i's x, y and time. */
typedef struct demand_view {
    const layer *l;
    const layer_points *p;
    int jt;
    GEOSContextHandle_t h;
} demand_view;

static size_t dv_count(const demand_view *v)
{
    return v->p ? v->p->n : layer_count(v->l);
}

static bool dv_point(const demand_view *v, size_t i, double *x, double *y, double *t)
{
    if (v->p) {
        *x = v->p->x[i], *y = v->p->y[i], *t = v->p->v[i];
        return true;
    }
    const GEOSGeometry *g = layer_geom(v->l, i);
    if (!GEOSGeomGetX_r(v->h, g, x) || !GEOSGeomGetY_r(v->h, g, y)) return false;
    *t = layer_value_number(v->l, i, (size_t)v->jt);
    return true;
}

static bool dv_extent(const demand_view *v, double ext[4])
{
    if (!v->p) return layer_extent(v->l, ext);
    ext[0] = ext[1] = INFINITY;
    ext[2] = ext[3] = -INFINITY;
    for (size_t i = 0; i < v->p->n; i++) {
        ext[0] = fmin(ext[0], v->p->x[i]), ext[1] = fmin(ext[1], v->p->y[i]);
        ext[2] = fmax(ext[2], v->p->x[i]), ext[3] = fmax(ext[3], v->p->y[i]);
    }
    return v->p->n > 0;
}

/* The lattice spacing of the demand points: the most common step between distinct x values of the first
 * 65,536 points (a grid's cell size), else the mean spacing over the extent. */
static double demand_cell(const demand_view *v)
{
    size_t total = dv_count(v), n = total < 65536 ? total : 65536; /* enough rows of a grid for every column */
    double *xs = n ? malloc(n * sizeof *xs) : NULL;
    if (!xs) return 100;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double y, t;
        if (dv_point(v, i, &xs[m], &y, &t)) m++;
    }
    double cell = NAN;
    if (m > 2) {
        qsort(xs, m, sizeof *xs, cmp);
        size_t u = 1;
        for (size_t i = 1; i < m; i++)
            if (xs[i] - xs[u - 1] > 0.01) xs[u++] = xs[i];
        /* steps, rounded to cm, then the most common one */
        for (size_t i = 0; i + 1 < u; i++)
            xs[i] = round((xs[i + 1] - xs[i]) * 100) / 100;
        if (u > 2) {
            qsort(xs, u - 1, sizeof *xs, cmp);
            size_t best = 0, run = 1, bi = 0;
            for (size_t i = 1; i <= u - 1; i++) {
                if (i < u - 1 && xs[i] == xs[i - 1]) {
                    run++;
                    continue;
                }
                if (run > best) best = run, bi = i - 1;
                run = 1;
            }
            if (best * 2 >= u - 1) cell = xs[bi];
        }
    }
    free(xs);
    double ext[4];
    if (!isfinite(cell) && dv_extent(v, ext) && n > 0)
        cell = sqrt(fmax((ext[2] - ext[0]) * (ext[3] - ext[1]), 1) / (double)total);
    return isfinite(cell) && cell > 0 ? cell : 100;
}

static void fill_streets_base(drawer *d, unsigned color)
{
    const layer *l = d->in->streets;
    for (size_t i = 0; i < layer_count(l); i++)
        if (visible(d, layer_geom(l, i))) path_geom(d, layer_geom(l, i));
    cairo_set_fill_rule(d->cr, CAIRO_FILL_RULE_EVEN_ODD);
    set_rgb(d->cr, color);
    cairo_fill(d->cr);
}

/* The demand cells as an image, one pixel per cell of the points' lattice (the population grid's cells when
 * the points are cell centres), drawn scaled with the nearest filter: exact for grid demand, and a few hundred
 * kB in SVG/PDF instead of a rectangle per point. Points off the lattice (census centroids) take the cell
 * they fall in; where two share a cell the longer time shows. */
static void draw_time(drawer *d)
{
    fill_streets_base(d, 0xF4F4F4);
    demand_view v = {.l = d->in->demand, .p = d->in->demand_pts, .h = d->h};
    if (v.l) v.jt = layer_field_index(v.l, "time_s");
    double ext[4];
    if (!dv_extent(&v, ext)) return;
    double cell = demand_cell(&v);
    double w0 = (ext[2] - ext[0]) / cell + 1, h0 = (ext[3] - ext[1]) / cell + 1;
    while (w0 * h0 > 40e6) /* keep the image under ~160 MB */
        cell *= 2, w0 = (ext[2] - ext[0]) / cell + 1, h0 = (ext[3] - ext[1]) / cell + 1;
    int w = (int)w0, h = (int)h0;
    double gx0 = ext[0] - cell / 2, gy1 = ext[3] + cell / 2; /* top-left corner of the lattice */
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        d->st = emscov_fail(d->ctx, EMS_ENOMEM, "map: no memory for a %d x %d cell image", w, h);
        return;
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    signed char *rank = calloc((size_t)w * (size_t)h, 1); /* band + 2 of what the cell shows; 0 = empty */
    if (!rank) {
        cairo_surface_destroy(img);
        d->st = EMS_ENOMEM;
        return;
    }
    for (size_t i = 0; i < dv_count(&v); i++) {
        double x, y, t;
        if (!dv_point(&v, i, &x, &y, &t)) continue;
        int cx = (int)floor((x - gx0) / cell), cy = (int)floor((gy1 - y) / cell);
        if (cx < 0 || cy < 0 || cx >= w || cy >= h) continue;
        int b = map_time_band(t);
        /* unreachable (-1) ranks above every band: it is the worst */
        signed char r = (signed char)(b < 0 ? 7 : b + 2);
        signed char *cur = &rank[(size_t)cy * (size_t)w + (size_t)cx];
        if (r <= *cur) continue;
        *cur = r;
        unsigned c = b < 0 ? MAP_COLOR_UNREACHABLE : map_band_colors[b];
        uint32_t px = 0xFF000000u | c;
        memcpy(data + (size_t)cy * (size_t)stride + (size_t)cx * 4, &px, 4);
    }
    free(rank);
    cairo_surface_mark_dirty(img);
    cairo_save(d->cr);
    double px0, py0;
    map_world_to_page(&d->lay, gx0, gy1, &px0, &py0);
    cairo_translate(d->cr, px0, py0);
    cairo_scale(d->cr, cell * d->lay.scale, cell * d->lay.scale);
    cairo_set_source_surface(d->cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(d->cr), CAIRO_FILTER_NEAREST);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
    cairo_surface_destroy(img);
}

typedef struct classes {
    double lo[5];        /* class k holds values >= lo[k] (and < lo[k+1]); lo[0] = -inf */
    char label[5][80];
    int target;          /* class index whose lower bound is the target, or -1 */
    char target_text[96];
    double factor;       /* display = value * factor */
    unsigned color[5];   /* fill of each class */
    unsigned no_data;    /* fill without a value */
    char title[96], units[160];
} classes;

static void fmt_num(char *buf, size_t cap, double v)
{
    if (fabs(v) >= 100 || v == floor(v))
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, "%.2g", v);
}

static void class_labels(classes *c, const char *const lab[5])
{
    for (int k = 0; k < 5; k++)
        snprintf(c->label[k], sizeof c->label[k], "%s", lab[k]);
}

static void classes_for(drawer *d, classes *c)
{
    const char *f = choropleth_field(d->o);
    memset(c, 0, sizeof *c);
    c->target = -1;
    c->factor = 1;
    double b[4];
    const char *unit = "";
    memcpy(c->color, map_band_colors, sizeof c->color);
    c->no_data = is_change(d->o) ? MAP_COLOR_UNREACHABLE : 0xF0F0F0;
    /* a change between two runs (compare --map): diverging ColorBrewer RdBu-5, red lost, blue gained */
    static const unsigned rdbu[5] = {0xCA0020, 0xF4A582, 0xF7F7F7, 0x92C5DE, 0x0571B0};
    if (!strcmp(f, "covered_share_change")) {
        double t = isfinite(d->in->coverage_within_s) ? d->in->coverage_within_s / 60 : 12;
        c->factor = 100;
        double lo[] = {-5, -0.05, 0.05, 5};
        memcpy(b, lo, sizeof b);
        memcpy(c->color, rdbu, sizeof c->color);
        snprintf(c->title, sizeof c->title, _("Change of residents within %.0f min"), t);
        snprintf(c->units, sizeof c->units, "%s", _("percentage points, B − A: blue gained, red lost"));
        const char *const lab[] = {_("lost 5 points or more"), _("lost less than 5 points"), _("no change"),
                                   _("gained less than 5 points"), _("gained 5 points or more")};
        class_labels(c, lab);
    } else if (!strcmp(f, "mean_s_change")) {
        c->factor = 1.0 / 60;
        double lo[] = {-1, -0.05, 0.05, 1};
        memcpy(b, lo, sizeof b);
        for (int k = 0; k < 5; k++)
            c->color[k] = rdbu[4 - k];
        snprintf(c->title, sizeof c->title, "%s", _("Change of mean response time"));
        snprintf(c->units, sizeof c->units, "%s", _("minutes, B − A: blue faster (gained), red slower (lost)"));
        const char *const lab[] = {_("1 min or more faster"), _("less than 1 min faster"), _("no change"),
                                   _("less than 1 min slower"), _("1 min or more slower")};
        class_labels(c, lab);
    } else if (!strcmp(f, "covered_share")) {
        double t = isfinite(d->in->coverage_within_s) ? d->in->coverage_within_s / 60 : 12;
        c->factor = 100;
        double lo[] = {80, 90, 95, 99.95};
        memcpy(b, lo, sizeof b);
        snprintf(c->title, sizeof c->title, _("Residents within %.0f min"), t);
        snprintf(c->units, sizeof c->units, _("%% of the sub-district's residents reached within %.0f min"), t);
        static const char *const lab[] = {"< 80 %", "80–90 %", "90–95 %", "95–99.9 %", "100 %"};
        class_labels(c, lab);
        c->target = 4;
        snprintf(c->target_text, sizeof c->target_text, _("target: all within %.0f min"), t);
    } else if (!strcmp(f, "mean_s") && isfinite(d->in->mean_below_s)) {
        double t = d->in->mean_below_s / 60;
        c->factor = 1.0 / 60;
        double lo[] = {t / 2, t * 3 / 4, t, t * 5 / 4};
        memcpy(b, lo, sizeof b);
        snprintf(c->title, sizeof c->title, "%s", _("Mean response time"));
        snprintf(c->units, sizeof c->units, "%s", _("minutes, population-weighted mean per sub-district"));
        unit = _(" min");
        c->target = 3;
        snprintf(c->target_text, sizeof c->target_text, _("target: below %.0f min"), t);
    } else if (!strcmp(f, "amb_per_n") && isfinite(d->in->residents_per_ambulance)) {
        /* ambulances per the standard's N residents: the target is 1 */
        double n = d->in->residents_per_ambulance;
        double lo[] = {0.5, 0.75, 1, 1.5};
        memcpy(b, lo, sizeof b);
        char res[64];
        i18n_residents(res, sizeof res, n);
        snprintf(c->title, sizeof c->title, _("Ambulances per %s"), res);
        snprintf(c->units, sizeof c->units, _("ambulances per %s of the sub-district"), res);
        c->target = 3;
        snprintf(c->target_text, sizeof c->target_text, "%s", _("target: 1 or more"));
    } else {
        const layer *l = d->in->streets;
        int j = layer_field_index(l, f);
        double mn = INFINITY, mx = -INFINITY;
        for (size_t i = 0; i < layer_count(l); i++) {
            double v = layer_value_number(l, i, (size_t)j);
            if (isfinite(v)) mn = fmin(mn, v), mx = fmax(mx, v);
        }
        if (!isfinite(mn)) mn = 0, mx = 1;
        if (mx <= mn) mx = mn + 1;
        if (!strcmp(f, "mean_s") || !strcmp(f, "median_s") || !strcmp(f, "p90_s") || !strcmp(f, "max_s")) {
            c->factor = 1.0 / 60;
            unit = _(" min");
        }
        for (int k = 0; k < 4; k++)
            b[k] = (mn + (mx - mn) * (k + 1) / 5) * c->factor;
        snprintf(c->title, sizeof c->title, "%s", f);
        snprintf(c->units, sizeof c->units, "%s",
                 c->factor != 1 ? _("minutes per sub-district (equal intervals; no target in the standard)")
                                : _("value per sub-district (equal intervals; no target in the standard)"));
    }
    if (!c->label[0][0]) {
        char a[24], z[24];
        fmt_num(a, sizeof a, b[0]);
        snprintf(c->label[0], sizeof c->label[0], "< %s%s", a, unit);
        for (int k = 1; k < 4; k++) {
            fmt_num(a, sizeof a, b[k - 1]);
            fmt_num(z, sizeof z, b[k]);
            snprintf(c->label[k], sizeof c->label[k], "%s–%s%s", a, z, unit);
        }
        fmt_num(a, sizeof a, b[3]);
        snprintf(c->label[4], sizeof c->label[4], "≥ %s%s", a, unit);
    }
    c->lo[0] = -INFINITY;
    for (int k = 0; k < 4; k++)
        c->lo[k + 1] = b[k];
}

static int class_of(const classes *c, double v)
{
    if (!isfinite(v)) return -1;
    v *= c->factor;
    int k = 4;
    while (k > 0 && v < c->lo[k])
        k--;
    return k;
}

static void draw_choropleth(drawer *d, const classes *c)
{
    const layer *l = d->in->streets;
    int j = layer_field_index(l, choropleth_field(d->o));
    cairo_set_fill_rule(d->cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (int k = -1; k < 5; k++) {
        for (size_t i = 0; i < layer_count(l); i++)
            if (class_of(c, layer_value_number(l, i, (size_t)j)) == k && visible(d, layer_geom(l, i)))
                path_geom(d, layer_geom(l, i));
        set_rgb(d->cr, k < 0 ? c->no_data : c->color[k]);
        cairo_fill(d->cr);
    }
}

/* The gap verdict of the run (street_summary.gap), never re-derived here. */
static bool is_gap(const layer *l, size_t i)
{
    return layer_value_number(l, i, (size_t)layer_field_index(l, "gap")) == 1;
}

/* The gaps drawn; the count is of the page's own sub-districts (all of them on a whole-area map). */
static size_t draw_gaps(drawer *d)
{
    const layer *l = d->in->streets;
    size_t ngap = 0;
    int j = d->page->name && d->page->each_field ? layer_field_index(l, d->page->each_field) : -1;
    char buf[64];
    cairo_set_fill_rule(d->cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < layer_count(l); i++)
            if (is_gap(l, i) == (pass == 1)) {
                ngap += pass == 1 && (j < 0 || !strcmp(value_text(l, i, j, buf, sizeof buf), d->page->name));
                if (visible(d, layer_geom(l, i))) path_geom(d, layer_geom(l, i));
            }
        set_rgb(d->cr, pass ? MAP_COLOR_GAP : MAP_COLOR_NO_GAP);
        cairo_fill(d->cr);
    }
    return ngap;
}

#define RESIDENTIAL_COLOR 0xE6C88C

static void draw_parks(drawer *d)
{
    fill_streets_base(d, 0xF7F7F7);
    cairo_set_fill_rule(d->cr, CAIRO_FILL_RULE_EVEN_ODD);
    if (d->in->residential) {
        const layer *r = d->in->residential;
        for (size_t i = 0; i < layer_count(r); i++)
            if (visible(d, layer_geom(r, i))) path_geom(d, layer_geom(r, i));
        set_rgb(d->cr, RESIDENTIAL_COLOR);
        cairo_fill(d->cr);
    }
    const layer *p = d->in->parks;
    for (size_t i = 0; i < layer_count(p); i++) {
        if (!visible(d, layer_geom(p, i))) continue;
        path_geom(d, layer_geom(p, i));
        /* each area on its own, so overlapping rules do not cancel out under even-odd */
        cairo_set_source_rgba(d->cr, ((MAP_COLOR_PARK >> 16) & 0xFF) / 255.0, ((MAP_COLOR_PARK >> 8) & 0xFF) / 255.0,
                              (MAP_COLOR_PARK & 0xFF) / 255.0, MAP_PARK_ALPHA);
        cairo_fill(d->cr);
    }
}

/* Features whose each_field value is not the page's: a white veil, so the page's own area stands out. */
static void dim_others(drawer *d)
{
    if (!d->page->name || !d->page->each_field) return;
    const layer *l = d->in->streets;
    int j = layer_field_index(l, d->page->each_field);
    char buf[64];
    for (size_t i = 0; i < layer_count(l); i++)
        if (strcmp(value_text(l, i, j, buf, sizeof buf), d->page->name) != 0 && visible(d, layer_geom(l, i)))
            path_geom(d, layer_geom(l, i));
    cairo_set_fill_rule(d->cr, CAIRO_FILL_RULE_WINDING);
    cairo_set_source_rgba(d->cr, 1, 1, 1, 0.6);
    cairo_fill(d->cr);
}

static void draw_outlines(drawer *d)
{
    const layer *l = d->in->streets;
    for (size_t i = 0; i < layer_count(l); i++)
        if (visible(d, layer_geom(l, i))) path_geom(d, layer_geom(l, i));
    bool light = d->o->kind == MAP_CHOROPLETH && !is_change(d->o); /* a change map's "no change" is near white */
    set_rgb(d->cr, light ? 0xFFFFFF : MAP_COLOR_BOUNDARY);
    cairo_set_line_width(d->cr, light ? 0.7 : 0.45);
    cairo_set_line_join(d->cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(d->cr);
}

typedef struct box {
    double x0, y0, x1, y1;
} box;

/* The symbols drawn over the labels (stations, proposed sites) as boxes labels keep clear of; *n set. */
static size_t symbol_boxes(drawer *d, box *out)
{
    const layer *pts[2] = {d->o->kind != MAP_PARKS ? d->in->stations : NULL,
                           d->o->kind == MAP_GAPS ? d->in->sites : NULL};
    size_t n = 0;
    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; pts[k] && i < layer_count(pts[k]); i++) {
            double px, py;
            if (point_xy(d, layer_geom(pts[k], i), &px, &py)) out[n++] = (box){px - 5.5, py - 5.5, px + 5.5, py + 5.5};
        }
    return n;
}

static bool overlaps(const box *b, const box *placed, size_t np)
{
    for (size_t k = 0; k < np; k++)
        if (!(b->x1 < placed[k].x0 || b->x0 > placed[k].x1 || b->y1 < placed[k].y0 || b->y0 > placed[k].y1))
            return true;
    return false;
}

/* Sub-district names at a point inside each polygon, larger polygons first, none overlapping another label or
 * a station or site symbol: a name that would sit under a symbol moves just above it, else just below, else
 * is left out. */
static void draw_labels(drawer *d)
{
    const layer *l = d->in->streets;
    int jn = layer_field_index(l, "name");
    size_t n = layer_count(l);
    size_t nsym = (d->in->stations ? layer_count(d->in->stations) : 0) + (d->in->sites ? layer_count(d->in->sites) : 0);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    double *area = malloc((n ? n : 1) * sizeof *area);
    box *placed = malloc((n + nsym + 1) * sizeof *placed);
    if (!order || !area || !placed) {
        free(order), free(area), free(placed);
        d->st = EMS_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        if (!GEOSArea_r(d->h, layer_geom(l, i), &area[i])) area[i] = 0;
    }
    for (size_t i = 1; i < n; i++) /* insertion sort by area, descending; ties by index: stable */
        for (size_t k = i; k > 0 && area[order[k]] > area[order[k - 1]]; k--) {
            size_t t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    double size = d->page->name ? 8 : 6.5;
    size_t np = symbol_boxes(d, placed);
    char buf[64];
    for (size_t r = 0; r < n; r++) {
        size_t i = order[r];
        const char *name = value_text(l, i, jn, buf, sizeof buf);
        if (!name[0] || !visible(d, layer_geom(l, i))) continue;
        GEOSGeometry *pt = GEOSPointOnSurface_r(d->h, layer_geom(l, i));
        double px, py;
        bool ok = pt && point_xy(d, pt, &px, &py);
        if (pt) GEOSGeom_destroy_r(d->h, pt);
        if (!ok) continue;
        PangoLayout *pl = text_layout(d->cr, name, size, false);
        double w, h;
        layout_size(pl, &w, &h);
        g_object_unref(pl);
        const double *f = d->lay.frame, shift[3] = {0, -(h / 2 + 6), h / 2 + 6};
        for (int k = 0; k < 3; k++) {
            box b = {px - w / 2, py + shift[k] - h / 2, px + w / 2, py + shift[k] + h / 2};
            if (b.x0 < f[0] || b.y0 < f[1] || b.x1 > f[0] + f[2] || b.y1 > f[1] + f[3] || overlaps(&b, placed, np))
                continue;
            placed[np++] = b;
            text_at(d->cr, name, b.x0, b.y0, size, false, 0x202020, true);
            break;
        }
    }
    free(order);
    free(area);
    free(placed);
}

static size_t draw_points(drawer *d, const layer *l, bool site)
{
    size_t n = 0;
    for (size_t i = 0; i < layer_count(l); i++) {
        double px, py;
        if (!point_xy(d, layer_geom(l, i), &px, &py)) continue;
        n++;
        if (site) {
            cairo_move_to(d->cr, px, py - 5);
            cairo_line_to(d->cr, px + 5, py);
            cairo_line_to(d->cr, px, py + 5);
            cairo_line_to(d->cr, px - 5, py);
            cairo_close_path(d->cr);
        } else {
            cairo_new_sub_path(d->cr);
            cairo_arc(d->cr, px, py, 3.2, 0, 2 * MAP_PI);
        }
    }
    cairo_set_fill_rule(d->cr, CAIRO_FILL_RULE_WINDING);
    cairo_path_t *path = cairo_copy_path(d->cr);
    cairo_set_source_rgb(d->cr, 1, 1, 1);
    cairo_set_line_width(d->cr, 1.6);
    cairo_stroke(d->cr);
    cairo_append_path(d->cr, path);
    cairo_path_destroy(path);
    set_rgb(d->cr, site ? MAP_COLOR_SITE : MAP_COLOR_STATION);
    cairo_fill(d->cr);
    return n;
}

/* ---- furniture: north arrow, scale bar, title, footer ----------------------------------------------- */

static void north_arrow(drawer *d, double cx, double top)
{
    cairo_t *cr = d->cr;
    double h = 26, w = 9;
    cairo_move_to(cr, cx, top + 10);
    cairo_line_to(cr, cx + w / 2, top + 10 + h);
    cairo_line_to(cr, cx, top + 10 + h * 0.72);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_fill(cr);
    cairo_move_to(cr, cx, top + 10);
    cairo_line_to(cr, cx - w / 2, top + 10 + h);
    cairo_line_to(cr, cx, top + 10 + h * 0.72);
    cairo_close_path(cr);
    cairo_set_line_width(cr, 0.7);
    cairo_stroke(cr);
    /* TRANSLATORS: the letter of the north arrow */
    PangoLayout *pl = text_layout(cr, _("N"), 9, true);
    double tw, th;
    layout_size(pl, &tw, &th);
    cairo_move_to(cr, cx - tw / 2, top - 2);
    pango_cairo_show_layout(cr, pl);
    g_object_unref(pl);
}

/* A bar of a round length (1, 2 or 5 x 10^k m) no longer than max_w points, left end at (x, y). */
static void scale_bar(drawer *d, double x, double y, double max_w)
{
    double max_m = max_w / d->lay.scale, len = 1;
    while (len * 10 <= max_m)
        len *= 10;
    if (len * 5 <= max_m)
        len *= 5;
    else if (len * 2 <= max_m)
        len *= 2;
    double w = len * d->lay.scale;
    cairo_t *cr = d->cr;
    for (int k = 0; k < 4; k++) {
        cairo_rectangle(cr, x + w * k / 4, y, w / 4, 4);
        if (k % 2 == 0)
            cairo_set_source_rgb(cr, 0, 0, 0);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
    }
    char a[32], b[32];
    bool km = len >= 1000;
    snprintf(a, sizeof a, "0");
    snprintf(b, sizeof b, "%g %s", km ? len / 1000 : len, km ? _("km") : _("m"));
    text_at(cr, a, x - 2, y + 5, 7, false, 0x000000, false);
    PangoLayout *pl = text_layout(cr, b, 7, false);
    double tw, th;
    layout_size(pl, &tw, &th);
    g_object_unref(pl);
    text_at(cr, b, x + w - tw / 2, y + 5, 7, false, 0x000000, false);
    text_at(cr, _("scale"), x, y - 11, 7, false, 0x404040, false);
}

/* The map's title, in the service's words when it has its own facilities (in->facility); buf holds it. */
static const char *kind_title(const map_inputs *in, const map_opts *o, char *buf, size_t cap)
{
    switch (o->kind) {
    case MAP_TIME:
        if (!in->facility) return _("Response time to the nearest station");
        /* TRANSLATORS: %s is the service's facility noun: time to the nearest community health centre */
        snprintf(buf, cap, _("Time to the nearest %s"), in->facility);
        return buf;
    case MAP_CHOROPLETH:
        return is_change(o) ? _("Change between two runs (B − A)") : _("Sub-district figures against the standard");
    case MAP_GAPS:
        if (!in->facility) return _("Sub-districts without an ambulance station");
        snprintf(buf, cap, _("Sub-districts without a %s"), in->facility);
        return buf;
    case MAP_PARKS: return _("Residential land within reach of a park");
    }
    return "";
}

static void furniture(drawer *d, size_t count_a, size_t count_b)
{
    cairo_t *cr = d->cr;
    const map_layout *lay = &d->lay;
    const map_inputs *in = d->in;
    /* title */
    char title[512], ktitle[256];
    if (d->page->name)
        snprintf(title, sizeof title, "%s — %s", kind_title(d->in, d->o, ktitle, sizeof ktitle), d->page->name);
    else
        snprintf(title, sizeof title, "%s", kind_title(d->in, d->o, ktitle, sizeof ktitle));
    text_at(cr, title, lay->frame[0], 8 * PT_PER_MM - 2, 15, true, 0x000000, false);
    char sub[512];
    if (in->scenario)
        snprintf(sub, sizeof sub, _("scenario %s"), in->scenario);
    else
        snprintf(sub, sizeof sub, "%s", _("emscov analysis"));
    text_at(cr, sub, lay->frame[0], 8 * PT_PER_MM + 17, 8.5, false, 0x404040, false);
    /* frame */
    cairo_rectangle(cr, lay->frame[0], lay->frame[1], lay->frame[2], lay->frame[3]);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    /* legend */
    legend lg = {d, lay->panel_x, lay->frame[1], lay->panel_w};
    char buf[200];
    switch (d->o->kind) {
    case MAP_TIME: {
        legend_title(&lg, _("Response time"), _("minutes from the call to arrival (turn-out + drive) at each demand "
                                                "cell, nearest station"));
        const char *const lab[] = {_("0–4 min"), _("4–8 min"), _("8–12 min"), _("12–16 min"), _("16 min or more")};
        double t = isfinite(in->coverage_within_s) ? in->coverage_within_s : NAN;
        for (int b = 0; b < 5; b++) {
            if (isfinite(t) && fabs(t - MAP_BAND_S * b) < 1e-6 && b > 0) {
                snprintf(buf, sizeof buf, _("standard: %.0f min"), t / 60);
                legend_target(&lg, buf);
            }
            legend_item(&lg, SW_FILL, map_band_colors[b], 1, lab[b]);
        }
        legend_item(&lg, SW_FILL, MAP_COLOR_UNREACHABLE, 1, _("not reachable by road"));
        break;
    }
    case MAP_CHOROPLETH: {
        classes c;
        classes_for(d, &c);
        legend_title(&lg, c.title, c.units);
        for (int k = 0; k < 5; k++) {
            if (k == c.target) legend_target(&lg, c.target_text);
            legend_item(&lg, SW_FILL, c.color[k], 1, c.label[k]);
        }
        legend_item(&lg, SW_FILL, c.no_data, 1,
                    is_change(d->o) ? _("not in both runs, or no residents") : _("no data (no residents)"));
        break;
    }
    case MAP_GAPS:
        legend_title(&lg, _("Station gaps"), _("sub-districts with fewer stations than the standard asks"));
        snprintf(buf, sizeof buf, _("without a station (%zu)"), count_a);
        legend_item(&lg, SW_FILL, MAP_COLOR_GAP, 1, buf);
        legend_item(&lg, SW_FILL, MAP_COLOR_NO_GAP, 1, _("with a station"));
        if (in->sites) {
            snprintf(buf, sizeof buf, _("proposed site (%zu)"), count_b);
            legend_item(&lg, SW_SITE, MAP_COLOR_SITE, 1, buf);
        }
        break;
    case MAP_PARKS:
        legend_title(&lg, _("Park access"), _("land within the park rule set's walking radius (e.g. 500 m)"));
        if (in->residential) legend_item(&lg, SW_FILL, RESIDENTIAL_COLOR, 1, _("residential land"));
        legend_item(&lg, SW_FILL, MAP_COLOR_PARK, MAP_PARK_ALPHA, _("within reach of a park"));
        break;
    }
    if (d->o->kind != MAP_PARKS && in->stations)
        legend_item(&lg, SW_POINT, MAP_COLOR_STATION, 1, in->facility ? in->facility : _("ambulance station"));
    if (d->o->kind != MAP_CHOROPLETH || is_change(d->o)) legend_item(&lg, SW_LINE, MAP_COLOR_BOUNDARY, 1, _("sub-district boundary"));
    if (d->page->name) legend_item(&lg, SW_DIM, 0xFFFFFF, 1, _("outside this area (dimmed)"));
    /* north arrow and scale bar at the bottom of the panel */
    double bottom = lay->frame[1] + lay->frame[3];
    north_arrow(d, lg.x + 10, bottom - 78);
    text_at(cr, _("grid north"), lg.x + 22, bottom - 56, 7, false, 0x404040, false);
    scale_bar(d, lg.x + 2, bottom - 12, fmin(lg.w - 16, 40 * PT_PER_MM));
    /* footer: data date, CRS, standard */
    const crs *c = layer_crs(in->streets);
    char foot[1024], epsg[32] = "";
    if (crs_epsg(c) > 0) snprintf(epsg, sizeof epsg, " (EPSG:%d)", crs_epsg(c));
    snprintf(foot, sizeof foot, _("data date %s   ·   CRS %s%s   ·   standard: %s   ·   emscov"),
             in->date ? in->date : _("unknown"), crs_name(c), epsg, in->standard ? in->standard : _("unknown"));
    text_at(cr, foot, lay->frame[0], lay->page_h - 8 * PT_PER_MM - 9, 7, false, 0x404040, false);
}

static void draw_page(drawer *d)
{
    cairo_t *cr = d->cr;
    const map_layout *lay = &d->lay;
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double x0 = lay->ex0, y1 = lay->ey1;
    d->world[0] = x0;
    d->world[3] = y1;
    d->world[2] = x0 + lay->frame[2] / lay->scale;
    d->world[1] = y1 - lay->frame[3] / lay->scale;
    cairo_save(cr);
    cairo_rectangle(cr, lay->frame[0], lay->frame[1], lay->frame[2], lay->frame[3]);
    cairo_clip(cr);
    size_t count_a = 0, count_b = 0;
    classes c;
    switch (d->o->kind) {
    case MAP_TIME: draw_time(d); break;
    case MAP_CHOROPLETH:
        classes_for(d, &c);
        draw_choropleth(d, &c);
        break;
    case MAP_GAPS: count_a = draw_gaps(d); break;
    case MAP_PARKS: draw_parks(d); break;
    }
    dim_others(d);
    draw_outlines(d);
    draw_labels(d);
    if (d->o->kind == MAP_GAPS && d->in->sites) count_b = layer_count(d->in->sites);
    if (d->o->kind == MAP_GAPS && d->in->sites) draw_points(d, d->in->sites, true);
    if (d->o->kind != MAP_PARKS && d->in->stations) draw_points(d, d->in->stations, false);
    cairo_restore(cr);
    furniture(d, count_a, count_b);
}

/* ---- files ------------------------------------------------------------------------------------------- */

typedef struct sink {
    map_write_fn fn;
    void *closure;
    bool failed;
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int length)
{
    sink *s = closure;
    if (s->failed || !s->fn(s->closure, data, length)) {
        s->failed = true;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static const cairo_user_data_key_t unknown_key;

/* Add the glyphs of pl no font has to the counter the page's cairo context carries (map_draw). */
static void note_unknown(cairo_t *cr, PangoLayout *pl)
{
    int *counter = cairo_get_user_data(cr, &unknown_key);
    if (counter) *counter += pango_layout_get_unknown_glyphs_count(pl);
}

static void draw_one(drawer *d)
{
    map_layout_compute(d->o, d->page, &d->lay);
    draw_page(d);
}

ems_status map_draw(emscov_ctx *ctx, cairo_t *cr, const map_inputs *in, const map_opts *o, const map_page *page,
                    int *unknown_glyphs)
{
    ems_status st = map_check(ctx, in, o);
    if (st != EMS_OK) return st;
    drawer d = {.ctx = ctx, .h = emscov_geos(ctx), .cr = cr, .in = in, .o = o, .page = page};
    cairo_save(cr);
    if (unknown_glyphs) cairo_set_user_data(cr, &unknown_key, unknown_glyphs, NULL);
    draw_one(&d);
    cairo_set_user_data(cr, &unknown_key, NULL, NULL);
    cairo_restore(cr);
    if (d.st == EMS_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        return emscov_fail(ctx, EMS_EINTERNAL, "map: drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    return d.st;
}

ems_status map_render(emscov_ctx *ctx, const map_inputs *in, const map_opts *o, const map_page *pages,
                      size_t npages, map_write_fn fn, void *closure, const char *what)
{
    if (npages == 0) return emscov_fail(ctx, EMS_EINPUT, "map: nothing to draw (no pages)");
    if (npages > 1 && o->format != MAP_PDF)
        return emscov_fail(ctx, EMS_EINTERNAL, "map: %zu pages need PDF output", npages);
    ems_status st = map_check(ctx, in, o);
    if (st != EMS_OK) return st;
    double wpt = o->page_w_mm * PT_PER_MM, hpt = o->page_h_mm * PT_PER_MM;
    int wpx = (int)lround(o->page_w_mm / 25.4 * o->dpi), hpx = (int)lround(o->page_h_mm / 25.4 * o->dpi);
    if (o->format == MAP_PNG && (!(o->dpi >= 10) || wpx > PNG_MAX_PX || hpx > PNG_MAX_PX))
        return emscov_fail(ctx, EMS_EINPUT, "map: %.0f x %.0f mm at %.0f dpi is %d x %d pixels (at most %d a side)",
                           o->page_w_mm, o->page_h_mm, o->dpi, wpx, hpx, PNG_MAX_PX);
    sink sk = {fn, closure, false};
    cairo_surface_t *s = NULL;
    if (o->format == MAP_PNG) {
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
    } else if (o->format == MAP_SVG) {
        s = cairo_svg_surface_create_for_stream(sink_write, &sk, wpt, hpt);
    } else {
        s = cairo_pdf_surface_create_for_stream(sink_write, &sk, wpt, hpt);
        if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
            char date[40];
            snprintf(date, sizeof date, "%.10sT00:00:00Z", in->date ? in->date : "2000-01-01");
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "emscov");
            char ktitle[256];
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, kind_title(in, o, ktitle, sizeof ktitle));
        }
    }
    cairo_t *cr = cairo_create(s);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        st = emscov_fail(ctx, EMS_ENOMEM, "map: cannot create a %d x %d drawing surface: %s", wpx, hpx,
                         cairo_status_to_string(cairo_status(cr)));
    }
    for (size_t p = 0; st == EMS_OK && p < npages; p++) {
        drawer d = {.ctx = ctx, .h = emscov_geos(ctx), .cr = cr, .in = in, .o = o, .page = &pages[p]};
        cairo_save(cr);
        if (o->format == MAP_PNG) cairo_scale(cr, o->dpi / 72, o->dpi / 72);
        draw_one(&d);
        cairo_restore(cr);
        st = d.st;
        if (st == EMS_OK && o->format == MAP_PDF) cairo_show_page(cr);
        if (st == EMS_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
            st = emscov_fail(ctx, EMS_EINTERNAL, "map: drawing failed: %s", cairo_status_to_string(cairo_status(cr)));
    }
    cairo_destroy(cr);
    if (st == EMS_OK && o->format == MAP_PNG) {
        cairo_status_t cs = cairo_surface_write_to_png_stream(s, sink_write, &sk);
        if (cs != CAIRO_STATUS_SUCCESS && !sk.failed)
            st = emscov_fail(ctx, EMS_EIO, "%s: cannot write PNG: %s", what, cairo_status_to_string(cs));
    }
    cairo_surface_finish(s);
    if (st == EMS_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS && !sk.failed)
        st = emscov_fail(ctx, EMS_EIO, "%s: %s", what, cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    if (st == EMS_OK && sk.failed) st = emscov_fail(ctx, EMS_EIO, "%s: write failed: %s", what, strerror(errno));
    return st;
}

static bool file_write(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length;
}

ems_status map_write(emscov_ctx *ctx, const map_inputs *in, const map_opts *o, const map_page *pages,
                     size_t npages, const char *path)
{
    size_t plen = strlen(path);
    char *tmp = ems_malloc(ctx, plen + 32);
    if (!tmp) return EMS_ENOMEM;
    snprintf(tmp, plen + 32, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    ems_status st;
    if (!f) {
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    st = map_render(ctx, in, o, pages, npages, file_write, f, tmp);
    bool failed = fflush(f) != 0 || ferror(f);
    failed = fclose(f) != 0 || failed;
    if (st == EMS_OK && failed) st = emscov_fail(ctx, EMS_EIO, "%s: write failed: %s", tmp, strerror(errno));
    if (st == EMS_OK && rename(tmp, path) != 0)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
    if (st != EMS_OK) unlink(tmp);
    free(tmp);
    return st;
}

/* ---- groups ------------------------------------------------------------------------------------------ */

static int group_cmp(const void *a, const void *b)
{
    return strcmp(((const map_group *)a)->value, ((const map_group *)b)->value);
}

ems_status map_groups(emscov_ctx *ctx, const layer *streets, const char *field, map_group **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    int j = layer_field_index(streets, field);
    if (j < 0) return emscov_fail(ctx, EMS_EINPUT, "map --each: layer street_summary: no field %s", field);
    GEOSContextHandle_t h = emscov_geos(ctx);
    map_group *g = NULL;
    size_t cap = 0, ng = 0;
    char buf[64];
    for (size_t i = 0; i < layer_count(streets); i++) {
        const char *v = value_text(streets, i, j, buf, sizeof buf);
        if (!v[0] && layer_value_at(streets, i, (size_t)j)->is_null) continue;
        double e[4];
        if (!GEOSGeom_getExtent_r(h, layer_geom(streets, i), &e[0], &e[1], &e[2], &e[3])) continue;
        size_t k = 0;
        while (k < ng && strcmp(g[k].value, v) != 0)
            k++;
        if (k == ng) {
            if (!ems_grow(ctx, (void **)&g, &cap, ng + 1, sizeof *g) || !(g[ng].value = ems_strdup(ctx, v))) {
                map_groups_free(g, ng);
                return EMS_ENOMEM;
            }
            memcpy(g[ng].extent, e, sizeof e);
            g[ng].features = 0;
            ng++;
        }
        g[k].extent[0] = fmin(g[k].extent[0], e[0]);
        g[k].extent[1] = fmin(g[k].extent[1], e[1]);
        g[k].extent[2] = fmax(g[k].extent[2], e[2]);
        g[k].extent[3] = fmax(g[k].extent[3], e[3]);
        g[k].features++;
    }
    if (ng == 0) return emscov_fail(ctx, EMS_EINPUT, "map --each: field %s has no values", field);
    qsort(g, ng, sizeof *g, group_cmp);
    *out = g;
    *n = ng;
    return EMS_OK;
}

void map_groups_free(map_group *g, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(g[k].value);
    free(g);
}
