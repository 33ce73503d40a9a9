/* src/output/import_pg.h: layers (shapefile, GeoJSON, CSV points, pg: tables) loaded into PostGIS tables for
 * GIS staff, as `emscov import` does: the same reading as `emscov info` (encoding detection, .prj,
 * make-valid, notes), a typed geometry column with the source or a chosen SRID, COPY, and ONE transaction
 * for all the files, so every file lands or none does.
 *
 * Tables: a new table gets the layer's fields (names lowercased unless keep_case), a key column gid (bigint
 * identity, primary key) and geom with a GiST index (dropped during the COPY and rebuilt after it); a layer of
 * polygons or lines gets a MultiPolygon / MultiLineString column (single parts promoted, as shp2pgsql does)
 * unless keep_single. Sources: files, "FILE:LAYER" (x.gpkg:TABLE, city.gdb:streets: the default table is
 * LAYER, lowercased) and pg: tables. replace
 * loads the new table under a staging name and swaps it in just before COMMIT (DROP + RENAME, indexes and
 * sequence renamed too), so readers see the old table or the new one, never neither. append maps fields to
 * the existing table's columns by name, reprojects into its SRID and inserts through a temporary table (so
 * tables made by shp2pgsql or ogr2ogr work too).
 *
 * Nothing is printed: the caller's hooks hear about progress and get each file's report as it lands.
 * Ownership: arguments are borrowed; what a hook receives is valid during the call only. Units: seconds.
 * One ctx per thread. */
#ifndef EMSCOV_IMPORT_PG_H
#define EMSCOV_IMPORT_PG_H

#include "geo/layer.h"

#include <stdint.h>

typedef struct import_opts {
    const char *db;      /* libpq conninfo or URI; NULL or "": the PG* environment */
    const char *schema;  /* target schema (created when missing) */
    const char *table;   /* table name, NULL: each file's stem, lowercased */
    int srid;            /* reproject into this SRID of spatial_ref_sys, 0: none */
    const char *to_srs;  /* or into this CRS (its SRID found or registered), NULL: keep the source CRS */
    bool append, replace, keep_case, dry_run;
    bool keep_single;    /* a new table keeps Polygon / LineString columns (default: promoted to Multi*) */
    layer_read_opts read; /* reading options for every file (conninfo: for pg: sources) */
} import_opts;

typedef enum {
    IMPORT_READING,  /* reading path */
    IMPORT_COPYING,  /* rows copied so far: done of total */
    IMPORT_INDEXING, /* building the spatial index and planner statistics */
    IMPORT_IDLE      /* between steps: a progress line can be cleared */
} import_stage;

/* One file as loaded: what a report says about it. */
typedef struct import_file {
    const char *path;
    const char *table;      /* "schema.table" as it would be typed in SQL */
    const char *action;     /* "new table", "replaced" or "appended" */
    const layer *layer;     /* the layer as loaded: record counts, notes, encoding, CRS and where it came from */
    const crs *source_crs;  /* its CRS as read */
    bool reprojected;       /* the rows went in another CRS than source_crs (layer_crs(layer)) */
    int srid;
    const char *column;     /* e.g. "geom geometry(MultiPolygon,4548), key gid" */
    uint64_t rows;          /* rows loaded */
    double read_s, load_s;
} import_file;

typedef struct import_hooks {
    void (*progress)(void *user, import_stage stage, const char *path, size_t done, size_t total);
    void (*schema_created)(void *user, const char *schema); /* schema as typed in SQL */
    void (*file_done)(void *user, const import_file *f);
    void *user;
} import_hooks;

typedef struct import_summary {
    size_t files, tables; /* tables: distinct target tables */
    uint64_t rows;
    char schema[140];     /* as typed in SQL */
} import_summary;

/* Load the n files. Checks everything it can before connecting (files readable, table names, two files
 * into one table without append), then in one transaction: the schema, every target (a view or an existing
 * table without append / replace is EMS_EINPUT), each file, the --replace swaps; COMMIT, or ROLLBACK for
 * dry_run. On failure the transaction is rolled back and the message says so. hooks may be NULL. */
ems_status import_files(emscov_ctx *ctx, const char *const *paths, size_t n, const import_opts *o,
                        const import_hooks *hooks, import_summary *out);

#endif
