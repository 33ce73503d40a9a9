/* src/output/qgis_style.c: the QML of each result layer (qgis_style.h). A style is a list of classes, each a
 * QGIS expression (the rule's filter), a legend label and a symbol (marker, fill or line, with map.h's colour);
 * the document is a QGIS 3 rule-based renderer holding one rule and one symbol per class. Symbol properties are
 * written both as <Option> maps (QGIS >= 3.20) and as <prop> elements (older QGIS 3 releases read only those). */
#include "src/output/qgis_style.h"

#include "src/output/map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { SYM_MARKER, SYM_FILL, SYM_LINE } sym_kind;

typedef struct style_class {
    char filter[160]; /* QGIS expression; "" for every feature (an ELSE-less single rule) */
    char label[64];
    unsigned color;   /* 0xRRGGBB */
    double alpha;     /* 0..1 */
    const char *shape;   /* marker: circle, diamond, cross2 ...; NULL for fills and lines */
    double size_mm;      /* marker size, or outline / line width */
    unsigned outline;    /* outline colour */
} style_class;

void qgis_style_put_xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* One symbol-layer property, in both spellings QGIS 3 reads. */
typedef struct prop {
    const char *key;
    char value[48];
} prop;

static void put_props(FILE *f, const prop *p, size_t n)
{
    fputs("          <Option type=\"Map\">\n", f);
    for (size_t k = 0; k < n; k++)
        fprintf(f, "            <Option name=\"%s\" type=\"QString\" value=\"%s\"/>\n", p[k].key, p[k].value);
    fputs("          </Option>\n", f);
    for (size_t k = 0; k < n; k++)
        fprintf(f, "          <prop k=\"%s\" v=\"%s\"/>\n", p[k].key, p[k].value);
}

static void rgba_text(char *buf, size_t cap, unsigned c, double alpha)
{
    snprintf(buf, cap, "%u,%u,%u,%d", (c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF, (int)(alpha * 255 + 0.5));
}

static void put_symbol(FILE *f, sym_kind kind, int name, const style_class *c)
{
    static const char *const types[] = {"marker", "fill", "line"};
    static const char *const classes[] = {"SimpleMarker", "SimpleFill", "SimpleLine"};
    fprintf(f, "      <symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n",
            types[kind], name);
    fprintf(f, "        <layer class=\"%s\" enabled=\"1\" locked=\"0\" pass=\"0\">\n", classes[kind]);
    prop p[6];
    size_t n = 0;
    if (kind == SYM_MARKER) {
        p[n].key = "name", snprintf(p[n++].value, sizeof p->value, "%s", c->shape ? c->shape : "circle");
        p[n].key = "color", rgba_text(p[n++].value, sizeof p->value, c->color, c->alpha);
        p[n].key = "outline_color", rgba_text(p[n++].value, sizeof p->value, c->outline, 1);
        p[n].key = "outline_width", snprintf(p[n++].value, sizeof p->value, "0.2");
        p[n].key = "size", snprintf(p[n++].value, sizeof p->value, "%g", c->size_mm);
        p[n].key = "size_unit", snprintf(p[n++].value, sizeof p->value, "MM");
    } else if (kind == SYM_FILL) {
        p[n].key = "color", rgba_text(p[n++].value, sizeof p->value, c->color, c->alpha);
        p[n].key = "style", snprintf(p[n++].value, sizeof p->value, "solid");
        p[n].key = "outline_color", rgba_text(p[n++].value, sizeof p->value, c->outline, 1);
        p[n].key = "outline_style", snprintf(p[n++].value, sizeof p->value, "%s", c->size_mm > 0 ? "solid" : "no");
        p[n].key = "outline_width", snprintf(p[n++].value, sizeof p->value, "%g", c->size_mm);
        p[n].key = "outline_width_unit", snprintf(p[n++].value, sizeof p->value, "MM");
    } else {
        p[n].key = "line_color", rgba_text(p[n++].value, sizeof p->value, c->color, c->alpha);
        p[n].key = "line_width", snprintf(p[n++].value, sizeof p->value, "%g", c->size_mm);
        p[n].key = "line_width_unit", snprintf(p[n++].value, sizeof p->value, "MM");
    }
    put_props(f, p, n);
    fputs("        </layer>\n      </symbol>\n", f);
}

/* The <renderer-v2> element (rule-based, one rule and one symbol per class), indented for a QML document. */
static void put_renderer(FILE *f, sym_kind kind, const style_class *cls, size_t n)
{
    fputs("  <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
          "    <rules key=\"{emscov-root}\">\n",
          f);
    for (size_t k = 0; k < n; k++) {
        fprintf(f, "      <rule key=\"{emscov-%zu}\" symbol=\"%zu\" label=\"", k, k);
        qgis_style_put_xml(f, cls[k].label);
        fputc('"', f);
        if (cls[k].filter[0]) {
            fputs(" filter=\"", f);
            qgis_style_put_xml(f, cls[k].filter);
            fputc('"', f);
        }
        fputs("/>\n", f);
    }
    fputs("    </rules>\n    <symbols>\n", f);
    for (size_t k = 0; k < n; k++)
        put_symbol(f, kind, (int)k, &cls[k]);
    fputs("    </symbols>\n  </renderer-v2>\n", f);
}

/* The whole QML document (whole) or the renderer element alone. */
static ems_status render(emscov_ctx *ctx, sym_kind kind, const style_class *cls, size_t n, bool whole, char **out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory (QGIS style)");
    if (whole)
        fputs("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
              "<qgis version=\"3.22.0\" styleCategories=\"Symbology\">\n",
              f);
    put_renderer(f, kind, cls, n);
    if (whole)
        fputs("  <blendMode>0</blendMode>\n  <layerOpacity>1</layerOpacity>\n</qgis>\n", f);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory (QGIS style)");
    }
    *out = buf;
    return EMS_OK;
}

/* The response-time bands of map.h on a field of seconds, then NULL (no road reaches) in grey. */
static size_t time_classes(const char *field, style_class *c, sym_kind kind)
{
    size_t n = 0;
    for (int b = 0; b < MAP_BANDS; b++, n++) {
        double lo = MAP_BAND_S * b, hi = MAP_BAND_S * (b + 1);
        c[n] = (style_class){.color = map_band_colors[b], .alpha = kind == SYM_FILL ? 0.5 : 1, .size_mm = 1.2,
                             .outline = map_band_colors[b], .shape = kind == SYM_MARKER ? "circle" : NULL};
        if (b + 1 < MAP_BANDS) {
            snprintf(c[n].filter, sizeof c[n].filter, "\"%s\" >= %g AND \"%s\" < %g", field, lo, field, hi);
            snprintf(c[n].label, sizeof c[n].label, "%g–%g min", lo / 60, hi / 60);
        } else {
            snprintf(c[n].filter, sizeof c[n].filter, "\"%s\" >= %g", field, lo);
            snprintf(c[n].label, sizeof c[n].label, "%g min or more", lo / 60);
        }
    }
    c[n] = (style_class){.color = MAP_COLOR_UNREACHABLE, .alpha = 1, .size_mm = 1.2, .outline = MAP_COLOR_UNREACHABLE,
                         .shape = "circle"};
    snprintf(c[n].filter, sizeof c[n].filter, "\"%s\" IS NULL", field);
    snprintf(c[n].label, sizeof c[n].label, "not reachable by road");
    return n + 1;
}

static style_class one(const char *label, const char *filter, unsigned color, double alpha, const char *shape,
                       double size_mm, unsigned outline)
{
    style_class c = {.color = color, .alpha = alpha, .shape = shape, .size_mm = size_mm, .outline = outline};
    snprintf(c.label, sizeof c.label, "%s", label);
    snprintf(c.filter, sizeof c.filter, "%s", filter ? filter : "");
    return c;
}

static ems_status style_of(emscov_ctx *ctx, const char *table, bool whole, char **qml, const char **description)
{
    style_class c[MAP_BANDS + 2];
    size_t n = 0;
    sym_kind kind = SYM_FILL;
    *qml = NULL;
    *description = NULL;
    if (!strcmp(table, "demand_time")) {
        kind = SYM_MARKER;
        n = time_classes("time_s", c, kind);
        *description = "response time of each demand point in the bands of emscov map --kind time";
    } else if (!strcmp(table, "service_area")) {
        /* an area reached within band_min minutes: the colour a demand point reached in band_min has */
        for (int b = 0; b < MAP_BANDS; b++, n++) {
            double lo = MAP_BAND_S * b / 60, hi = MAP_BAND_S * (b + 1) / 60;
            c[n] = one("", NULL, map_band_colors[b], 0.35, NULL, 0.3, map_band_colors[b]);
            if (b + 1 < MAP_BANDS) {
                snprintf(c[n].filter, sizeof c[n].filter, "\"band_min\" >= %g AND \"band_min\" < %g", lo, hi);
                snprintf(c[n].label, sizeof c[n].label, "limit %g–%g min", lo, hi);
            } else {
                snprintf(c[n].filter, sizeof c[n].filter, "\"band_min\" >= %g", lo);
                snprintf(c[n].label, sizeof c[n].label, "limit %g min or more", lo);
            }
        }
        *description = "areas reached within each time limit, in the response-time bands' colours";
    } else if (!strcmp(table, "street_summary")) {
        /* gap is a boolean column: QGIS 3.22 draws nothing for "gap" = 1 or "gap" = 0 (it selects by them) */
        c[n++] = one("without a station", "coalesce(\"gap\", false)", MAP_COLOR_GAP, 1, NULL, 0.26,
                     MAP_COLOR_BOUNDARY);
        c[n++] = one("with a station", "NOT coalesce(\"gap\", false)", MAP_COLOR_NO_GAP, 1, NULL, 0.26,
                     MAP_COLOR_BOUNDARY);
        *description = "sub-districts without a station, as emscov map --kind gaps";
    } else if (!strcmp(table, "station")) {
        kind = SYM_MARKER;
        c[n++] = one("station", NULL, MAP_COLOR_STATION, 1, "circle", 2.6, 0xFFFFFF);
        *description = "ambulance stations, as on emscov's maps";
    } else if (!strcmp(table, "selected_site") || !strcmp(table, "site_selected")) { /* GeoPackage, PostGIS */
        kind = SYM_MARKER;
        c[n++] = one("proposed site", NULL, MAP_COLOR_SITE, 1, "diamond", 3.4, 0xFFFFFF);
        *description = "proposed new station sites, as on emscov map --kind gaps --sites";
    } else if (!strcmp(table, "candidate") || !strcmp(table, "site_candidate")) {
        kind = SYM_MARKER;
        c[n++] = one("candidate site", NULL, MAP_COLOR_SITE, 0.5, "circle", 1.4, MAP_COLOR_SITE);
        *description = "candidate station sites";
    } else if (!strcmp(table, "park_service_area")) {
        c[n++] = one("park service area", NULL, MAP_COLOR_PARK, MAP_PARK_ALPHA, NULL, 0, MAP_COLOR_PARK);
        *description = "park service areas, as emscov map --kind parks";
    } else if (!strcmp(table, "input_issue")) {
        kind = SYM_MARKER;
        c[n++] = one("input record reported (see reason)", NULL, 0x000000, 1, "cross2", 2.4, 0x000000);
        *description = "input records emscov repaired, skipped or could not use";
    } else {
        return EMS_OK;
    }
    ems_status st = render(ctx, kind, c, n, whole, qml);
    if (st != EMS_OK)
        *description = NULL;
    return st;
}

ems_status qgis_style_qml(emscov_ctx *ctx, const char *table, char **qml, const char **description)
{
    return style_of(ctx, table, true, qml, description);
}

ems_status qgis_style_renderer(emscov_ctx *ctx, const char *table, char **xml)
{
    const char *unused;
    return style_of(ctx, table, false, xml, &unused);
}
