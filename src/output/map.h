/* src/output/map.h: coverage maps drawn with Cairo (PNG, SVG, PDF) and Pango/fontconfig text (CJK names
 * through the system's fonts, e.g. Noto Sans CJK): response-time bands, a per-sub-district choropleth with
 * the standard's target, gaps (sub-districts without a station, proposed sites) and park service areas over
 * residential land. Every page has a title, a legend with units, a scale bar, a north arrow (grid north),
 * the data date, the CRS and the standard. Drawing only: every value comes from the result layers.
 *
 * Layout units are PostScript points (1/72 in); a PNG is drawn at dpi/72 pixels per point. Layers must share
 * one projected CRS in metres. Output is deterministic: the same inputs give the same bytes (no clock is read;
 * PDF dates are the data date). Files are written to path + ".tmp-<pid>" and renamed onto path.
 * Ownership: inputs are borrowed for the call; map_groups returns an array owned by the caller
 * (map_groups_free). Functions keep no state between calls; one ctx per thread. */
#ifndef EMSCOV_MAP_H
#define EMSCOV_MAP_H

#include "geo/layer.h"

struct _cairo; /* cairo_t */

typedef enum { MAP_TIME, MAP_CHOROPLETH, MAP_GAPS, MAP_PARKS } map_kind;
typedef enum { MAP_PNG, MAP_SVG, MAP_PDF } map_format;

/* The result layers (street_summary, demand_time, ... as docs/formats.md lists them), borrowed. NULL when
 * absent; which ones a kind needs: map_check. */
typedef struct map_inputs {
    const layer *streets;     /* street_summary: every kind */
    const layer *demand;      /* demand_time: time (or demand_pts) */
    const layer_points *demand_pts; /* demand_time as arrays (v = time_s): time; used instead of demand */
    const layer *stations;    /* station: time, choropleth, gaps (optional) */
    const layer *parks;       /* park_service_area: parks */
    const layer *residential; /* residential land polygons: parks (optional) */
    const layer *sites;       /* proposed sites (points): gaps (optional) */
    const char *scenario;     /* scenario name for the title, or NULL */
    const char *date;         /* data date, yyyy-mm-dd, or NULL ("unknown") */
    const char *standard;     /* standard name, or NULL ("standard: unknown") */
    double mean_below_s;      /* the standard's targets; NaN when unknown */
    double coverage_within_s;
    double residents_per_ambulance;
    const char *facility;     /* the service's facility noun in the current language (titles, legend), or NULL
                                 for the ambulance station */
} map_inputs;

typedef struct map_opts {
    map_kind kind;
    const char *field;          /* choropleth: street_summary field (default covered_share); covered_share_change
                                   or mean_s_change: compare's change layer (compare.h), diverging classes */
    double page_w_mm, page_h_mm; /* page size (map_parse_page) */
    double dpi;                 /* PNG resolution */
    map_format format;
} map_opts;

/* One page: the part of the map shown, and what it shows (a district name, or NULL for the whole area). */
typedef struct map_page {
    double extent[4]; /* xmin, ymin, xmax, ymax in the layers' CRS */
    const char *name; /* NULL: whole area */
    const char *each_field; /* field the name is a value of (features with another value are dimmed) */
} map_page;

/* Where a page puts things: the map frame and the world-to-page transform (page points). */
typedef struct map_layout {
    double page_w, page_h;          /* points */
    double frame[4];                /* x, y, w, h of the map frame, points */
    double scale;                   /* points per metre */
    double x0, y0;                  /* page point of world (ex0, ey1): top-left of the shown extent */
    double ex0, ey1;
    double panel_x, panel_w;        /* legend panel */
} map_layout;

/* "time", "choropleth", "gaps", "parks"; false for anything else. */
bool map_kind_parse(const char *s, map_kind *k);
const char *map_kind_name(map_kind k);
/* "png", "svg", "pdf" (any case). */
bool map_format_parse(const char *s, map_format *f);
const char *map_format_ext(map_format f);
/* "A4" / "A3" (landscape: 297 x 210, 420 x 297), "A4-portrait", "A3-portrait", or "WxHmm" (e.g. 400x300mm),
 * 50..2000 mm each side. */
bool map_parse_page(const char *s, double *w_mm, double *h_mm);

/* EMS_EINPUT when the kind lacks a layer or field it needs (message names the layer / field), or the layers
 * are not in one projected metric CRS. */
ems_status map_check(emscov_ctx *ctx, const map_inputs *in, const map_opts *o);

/* The page of a map of the whole area: the sub-districts' extent, widened to show a station or site outside
 * them (name NULL). */
void map_page_whole(const map_inputs *in, map_page *p);

/* Layout of a page for o's page size and the page's extent (padded 2 %). */
void map_layout_compute(const map_opts *o, const map_page *p, map_layout *lay);
/* World point -> page point (multiply by dpi/72 for PNG pixels). */
void map_world_to_page(const map_layout *lay, double x, double y, double *px, double *py);

/* The font family of every text of maps and reports (fontconfig picks the first one installed; Noto Sans CJK SC
 * has every Chinese character the plans use). */
#define MAP_FONT_FAMILY "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif"

/* A byte sink for map_render: false when the bytes could not be taken (errno says why). */
typedef bool (*map_write_fn)(void *closure, const unsigned char *data, unsigned int len);
/* Draw the pages as o->format into fn (PNG and SVG: exactly one page; PDF: one page per entry); what names
 * the destination in messages. */
ems_status map_render(emscov_ctx *ctx, const map_inputs *in, const map_opts *o, const map_page *pages,
                      size_t npages, map_write_fn fn, void *closure, const char *what);
/* Draw one page onto a caller's Cairo context (a cairo_t *), in points from the context's origin, with its
 * title, legend, scale bar and footer: the reports' maps (src/output/doc.h). No page is shown. Texts with a
 * glyph no installed font has are counted into *unknown_glyphs (may be NULL). */
ems_status map_draw(emscov_ctx *ctx, struct _cairo *cr, const map_inputs *in, const map_opts *o, const map_page *page,
                    int *unknown_glyphs);

/* Draw the pages into path (PNG and SVG: exactly one page; PDF: one page per entry). Written to a temporary
 * file and renamed; on failure nothing is left. EMS_EINPUT for a page too large for PNG (32767 px a side). */
ems_status map_write(emscov_ctx *ctx, const map_inputs *in, const map_opts *o, const map_page *pages,
                     size_t npages, const char *path);

/* --each: the distinct non-null values of field in the streets layer, sorted (bytewise), each with the extent
 * of its features. */
typedef struct map_group {
    char *value;      /* UTF-8 text of the value */
    double extent[4];
    size_t features;
} map_group;
ems_status map_groups(emscov_ctx *ctx, const layer *streets, const char *field, map_group **out, size_t *n);
void map_groups_free(map_group *g, size_t n);

/* A file-name stem from a value: UTF-8 kept, '/', '\\', control characters, spaces and :*?"<>| replaced by
 * '_', a leading '.' too; at most cap-1 bytes, cut at a character boundary; "_" when empty. */
void map_file_stem(const char *value, char *buf, size_t cap);

/* A Pango layout for a Cairo context, set up as every text of maps and reports is: 72 per inch, no hinting
 * (the same shapes in PNG, SVG and PDF), the font family (NULL: MAP_FONT_FAMILY) at size_pt, bold or not;
 * no text yet. The caller releases it (g_object_unref). */
struct _PangoLayout;
struct _PangoLayout *map_text_layout(struct _cairo *cr, const char *family, double size_pt, bool bold);

/* Text as the map draws it (the map font at size_pt): logical size in points and the number of glyphs no
 * installed font has (tofu). */
ems_status map_text_extent(emscov_ctx *ctx, const char *text, double size_pt, double *w, double *h,
                           int *unknown_glyphs);

/* Give back the font caches Pango, Cairo and fontconfig keep for the whole process (a command calls it once,
 * when it has drawn its last map and no other thread draws). */
void map_release_fonts(void);

/* Colours the map uses (0xRRGGBB), for tests and the docs. */
#define MAP_COLOR_STATION 0xD7191C
#define MAP_COLOR_SITE 0x5E3C99
#define MAP_COLOR_UNREACHABLE 0xBDBDBD
#define MAP_COLOR_GAP 0xFDAE61
#define MAP_COLOR_NO_GAP 0xF7F7F7   /* a sub-district with a station (gaps map) */
#define MAP_COLOR_BOUNDARY 0x555555 /* sub-district outlines */
#define MAP_COLOR_PARK 0x1A9850     /* park service areas, drawn with MAP_PARK_ALPHA */
#define MAP_PARK_ALPHA 0.45
/* Response-time band k (0: 0-4 min, ..., 4: 16+ min) and the choropleth classes: ColorBrewer YlGnBu-5.
 * Band k holds times in [k, k+1) * MAP_BAND_S seconds (the last one: from 4 * MAP_BAND_S on). */
#define MAP_BANDS 5
#define MAP_BAND_S 240.0
extern const unsigned map_band_colors[MAP_BANDS];
/* Band of a response time in seconds: 0..4, or -1 for unreachable (NaN). */
int map_time_band(double time_s);

#endif
