/* src/output/compare.h: two analyze runs side by side (`emscov compare A B`): every headline figure and target
 * verdict of run A and run B with the change (B − A), and per sub-district (matched by id) the stations, the gap
 * verdict, the covered share within the standard's time and the mean response time, with their changes.
 * Computed from what the runs stored -- report.json ("emscov-report-2") of an output directory or the report
 * of a PostGIS run, and for the before/after map their street_summary tables -- never by running the analysis
 * again. compare_summary and compare_json render it.
 * Ownership: compare_build returns a new comparison owned by the caller (compare_destroy, NULL-safe); the texts
 * are borrowed. Units: as the report has them (seconds, persons, shares 0..1; targets in their own unit). */
#ifndef EMSCOV_COMPARE_H
#define EMSCOV_COMPARE_H

#include "geo/ctx.h"
#include "geo/layer.h"

#include <stdio.h>

typedef enum compare_kind {
    COMPARE_TARGET,       /* name: the target's key */
    COMPARE_COVERED,      /* residents covered within within_min */
    COMPARE_COVERED_SHARE,/* their share */
    COMPARE_HEADLINE      /* name: a report path */
} compare_kind;

typedef struct compare_figure {
    compare_kind kind;
    double within_min; /* COMPARE_COVERED and _SHARE */
    char *name;        /* "mean_response_time" (a target's key) or a report path, "coverage.mean_s" */
    char *unit;        /* "min", "s", "persons", "share", ... */
    double a, b;       /* NaN when the run has no value */
    double change;     /* b − a (NaN when either is missing) */
    char *verdict_a, *verdict_b; /* targets: "pass", "fail", "n/a"; NULL for other figures */
    bool verdict_changed;
} compare_figure;

typedef struct compare_unit {
    char *id, *label;
    bool in_a, in_b;
    double stations_a, stations_b;  /* NaN when absent */
    bool gap_a, gap_b;
    double share_a, share_b, share_change;    /* covered within the standard's time */
    double mean_s_a, mean_s_b, mean_s_change; /* population-weighted mean response time */
} compare_unit;

typedef struct compare_result {
    char *name_a, *name_b;       /* how the runs were named (directory, run id) */
    char *scenario_a, *scenario_b;
    double within_s;             /* the standard's coverage time of run A (shares are within it) */
    size_t nfig, nunits;
    compare_figure *fig;
    compare_unit *units;         /* A's order, then those only in B */
    size_t changed_units;        /* sub-districts with any change */
    /* compare_runs with_map: the changes per sub-district from the two street_summary tables
     * (compare_change_layer), and run B's date, standard and mean target for the map; else NULL, "", NaN */
    layer *change;
    char date[16], standard[128];
    double mean_below_s;
    /* run B's standard and service, for the targets' names in the summary (i18n_target_indicator) */
    double min_stations, residents_per_ambulance, coverage_min;
    char *facility_zh, *facility_en, *facilities_en; /* NULL for the ambulance service */
} compare_result;

/* report_a / report_b: report.json texts; name_a / name_b: for messages and the outputs. EMS_EINPUT for text
 * that is not an emscov-report-2 document (the message names the run). */
ems_status compare_build(emscov_ctx *ctx, const char *report_a, const char *name_a, const char *report_b,
                         const char *name_b, compare_result **out);
void compare_destroy(compare_result *r);

/* Both runs read back (src/output/stored_run.h) and compared: without db, a and b are output directories of
 * analyze (DIR/emscov.gpkg with DIR/report.json); with db (a libpq conninfo; schema NULL: emscov), PostGIS
 * runs by id, "latest" or name. EMS_EINPUT for a run that is not there. */
ems_status compare_runs(emscov_ctx *ctx, const char *a, const char *b, const char *db, const char *schema,
                        bool with_map, compare_result **out);

/* The before/after layer: run B's sub-districts (its street_summary polygons, in its CRS) with subdistrict_id,
 * name, covered_share_change (share 0..1) and mean_s_change (seconds), each B − A of the street_summary
 * fields covered_share and mean_s of the sub-district with the same subdistrict_id; NULL where run A lacks
 * the sub-district or either value is NULL. A new layer (layer_destroy). EMS_EINPUT when a table lacks a
 * field (the message names it). */
ems_status compare_change_layer(emscov_ctx *ctx, const layer *a, const layer *b, layer **out);

/* Draw r->change (compare_runs with_map) as a choropleth of field ("covered_share_change" or "mean_s_change")
 * with a diverging palette (src/output/map.h) into path; the format from its extension (.png, .svg, .pdf).
 * The command's only map: it gives back the font caches afterwards (map_release_fonts), so no other thread
 * may be drawing. */
ems_status compare_map_write(emscov_ctx *ctx, const compare_result *r, const char *field, const char *path);

/* The side-by-side table (figures, then the sub-districts that changed). */
void compare_summary(FILE *f, const compare_result *r);
/* "emscov-compare/1" JSON (docs/formats.md); a new string (free). */
ems_status compare_json(emscov_ctx *ctx, const compare_result *r, char **out);

#endif
