/* src/output/stored_run.h: an analyze run read back from where the stores wrote it, for maps and reports: from its
 * GeoPackage (report.json beside it gives the scenario, the standard and its targets; the date is the file's
 * modification day, UTC) or from the PostGIS store (the run row of schema.run: its start day, name, standard
 * and targets; the result layers' rows of that run). A PostGIS run is named by its id, by "latest" (the run
 * stored last: the highest id) or by its name (the last run stored under that name); the name is resolved
 * to an id in SQL.
 *
 * Reading only: every value is as the store has it. Ownership: stored_run_read fills a stored_run owned by
 * the caller (stored_run_fini, NULL-safe, idempotent); the ref is borrowed. Units: seconds. One ctx per
 * thread. */
#ifndef EMSCOV_STORED_RUN_H
#define EMSCOV_STORED_RUN_H

#include "geo/layer.h"

typedef struct stored_run_ref {
    const char *gpkg;   /* the run's GeoPackage, or NULL for PostGIS */
    const char *db;     /* libpq conninfo of the PostGIS store */
    const char *schema; /* the store's schema (letters, digits and _), NULL: emscov */
    const char *run;    /* run id, "latest", or a run name */
    const char *cmd;    /* the command in messages ("map", "report"); NULL: "map" */
} stored_run_ref;

/* Result layers to read (bits). */
enum {
    STORED_RUN_STREETS = 1,  /* street_summary (always read: every map needs it) */
    STORED_RUN_STATIONS = 2, /* station */
    STORED_RUN_DEMAND = 4,   /* demand_time, as points with v = time_s */
    STORED_RUN_PARKS = 8,    /* park_service_area */
    STORED_RUN_PARKS_IF_STORED = 16 /* park_service_area when the store has the table (a run without parks
                                       has none): parks NULL, no error, when it has not */
};

typedef struct stored_run {
    long long id;           /* PostGIS run id; 0 for a GeoPackage */
    char date[16];          /* yyyy-mm-dd, "" when unknown */
    char standard[128];     /* standard name, "" when unknown */
    char scenario[256];     /* scenario (run) name, "" when unknown */
    double mean_below_s, coverage_within_s, residents_per_ambulance; /* the standard's targets, NaN unknown */
    char time[8];           /* hh:mm (UTC) of date: the run's start (PostGIS) or the file's modification */
    char version[32];       /* emscov version that made the run (PostGIS: run.emscov_version), "" unknown */
    char *report;           /* report.json text: the file beside the GeoPackage, or run.report; NULL absent */
    char *inputs;           /* PostGIS: run.inputs (role -> path, files with SHA-256) as JSON text; else NULL */
    layer *streets, *stations, *parks; /* NULL when not asked for */
    layer_points demand;    /* demand_time points in their CRS (demand.c NULL when not asked for) */
} stored_run;

/* Read the run and the layers asked for. EMS_EINPUT for a GeoPackage or layer that is missing, a run that
 * is not in the store (the message names id, name or "no run"), a street_summary without features. */
ems_status stored_run_read(emscov_ctx *ctx, const stored_run_ref *ref, unsigned layers, stored_run *out);
void stored_run_fini(stored_run *r);

#endif
