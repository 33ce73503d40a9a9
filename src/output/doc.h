/* src/output/doc.h: the planner's report of an analyze run as one document, PDF (Cairo + Pango: A4, fonts
 * embedded, tables with their header repeated on every page, maps on landscape pages) or one self-contained
 * HTML file (inline CSS and SVG maps: no network access, opens from a USB stick), with the same content in
 * the language asked for:
 *   cover: scenario, date, run, the emscov that made the run, the standard and park rule set, every input
 *          file with its size and SHA-256;
 *   1 targets: each target's indicator, value, target, verdict, the sub-districts failing it and the document
 *          and clause it comes from; the headline figures;
 *   2 maps: response time, station gaps (with the sites run's picks), ambulances per N residents, park
 *          coverage: drawn by src/output/map.h, as `emscov map` draws them;
 *   3 districts and sub-districts, worst first, each value that fails its target marked;
 *   4 the gap sub-districts by name, with the best candidate site of each when a sites run is given;
 *   5 the input ledger; 6 method and parameters.
 * Every number is the stored model's -- report.json (or a PostGIS run's report), sites.json -- formatted,
 * never computed again: no figure of the document can disagree with the run's files.
 *
 * Ownership: sources are borrowed for the call; doc_render returns a new buffer (free). Units: as
 * report.json (seconds, persons, shares), shown in minutes, persons and percent. Uses the process's current
 * language for the call (src/output/i18n.h: switched to o->lang and back). One ctx per thread; the font
 * caches of Pango and fontconfig are process-wide (map_release_fonts). */
#ifndef EMSCOV_DOC_H
#define EMSCOV_DOC_H

#include "src/output/i18n.h"
#include "src/output/map.h"

typedef enum { DOC_PDF, DOC_HTML } doc_format;

/* "pdf", "html" (any case); false for anything else. */
bool doc_format_parse(const char *s, doc_format *f);
const char *doc_format_ext(doc_format f);

typedef struct doc_source {
    const char *report_json;   /* report.json text (schema emscov-report-2): required */
    const char *sites_json;    /* sites.json text of a sites run of the same city, or NULL */
    const char *sites_from;    /* where that sites run was read, for the cover; NULL: not shown */
    const char *inputs_json;   /* a PostGIS run's inputs (role -> path and files); NULL: report.json's
                                  input_files */
    map_inputs maps;           /* the run's layers for the maps (streets, demand or demand_pts, stations, parks,
                                  residential; sites is made from sites_json); scenario, date, standard and the
                                  standard's numbers are taken from report.json when NULL / NaN */
    const char *run;           /* the run as the cover names it: "PostGIS run 12 (emscov at host=...)", a
                                  directory; NULL: not shown */
    const char *date, *time;   /* yyyy-mm-dd and hh:mm (UTC) of the run; NULL: unknown */
    const char *version;       /* the emscov that made the run; NULL: report.json's emscov_version */
    const char *renderer;      /* the emscov rendering the document (shown when it differs), or NULL */
} doc_source;

typedef struct doc_opts {
    doc_format format;
    i18n_lang lang;
} doc_opts;

typedef struct doc_stats {
    size_t pages;        /* PDF pages (HTML: 1) */
    int unknown_glyphs;  /* characters of the document no installed font has (tofu): 0 when all is well */
    size_t maps;         /* maps drawn */
    long long run_id;    /* doc_job_run: the PostGIS run reported on; 0 for an output directory */
} doc_stats;

/* The document as bytes (*out, *len). EMS_EINPUT when report_json (or sites_json) is not a report of the
 * schema emscov-report-2 (emscov-sites/2), naming what is wrong; map failures as map.h reports them. */
ems_status doc_render(emscov_ctx *ctx, const doc_source *src, const doc_opts *o, char **out, size_t *len,
                      doc_stats *stats);

#endif
