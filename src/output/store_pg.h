/* src/output/store_pg.h: analyze and sites runs stored in a PostGIS schema (docs/postgis.md, "Result
 * schema"): a versioned layout (schema_version), one `run` row per run (name, scenario, parameters and inputs with
 * checksums as jsonb, the headline figures as columns) and every result layer as a table of the same name
 * keyed by run_id (ON DELETE CASCADE), with a geometry column typed with the working CRS's SRID, a GiST
 * index, a btree on run_id and a WGS 84 view <table>_wgs84. Write only: every value comes from the result
 * layers and report.json; the only thing computed here is the SHA-256 of the input files.
 *
 * Steps: store_pg_open (layout created or migrated, or refused) before the analysis; store_pg_prepare (SRID
 * checked against the schema's, tables and views created when missing; its own short transaction, so
 * concurrent runs do not wait for each other's loads) before anything else is written; store_pg_write (one
 * transaction: [--replace: delete the runs of that name], the run row, COPY of every layer) and
 * store_pg_commit once the local files are ready; store_pg_abort rolls back. Creation, migration and table
 * creation are serialised between concurrent runs by a transaction advisory lock on the schema name;
 * replacers of one run name by a lock on schema + name.
 * `emscov sites` runs go into the same schema the same way (layout version 2): a `sites_run` row (the
 * sites.json object as jsonb) and the layers site_candidate and site_selected keyed by sites_run_id:
 * store_pg_open, store_pg_prepare_sites, store_pg_write_sites, store_pg_commit / store_pg_abort.
 * Ownership: the store borrows the connection (the caller disconnects after store_pg_destroy) and keeps
 * copies of what prepare needs; layers are borrowed for each call. Units: seconds, persons, m2 as in
 * report.json. */
#ifndef EMSCOV_STORE_PG_H
#define EMSCOV_STORE_PG_H

#include "geo/pg.h"
#include "src/output/input_files.h"
#include "src/output/layers.h"

/* The result layout this binary writes; an older layout is migrated, a newer one refused. */
#define STORE_PG_LAYOUT 4
#define STORE_PG_DEFAULT_SCHEMA "emscov"

typedef struct store_pg store_pg;

/* An input of the run: name ("scenario", "streets", ...) and path (a file, or a `pg:` source). */
typedef struct store_pg_input {
    const char *name, *path;
} store_pg_input;

typedef struct store_pg_run {
    const char *name;             /* run name (scenario name, or --replace NAME) */
    const char *scenario;         /* path of the scenario file */
    const char *report_json;      /* report.json text: parameters, standards, headline figures */
    const store_pg_input *inputs; /* checksummed (SHA-256 of each file; shapefile siblings too) */
    size_t ninputs;
    const input_files *files;     /* the inputs' files already checksummed (input_files.h), or NULL: read here */
    double started, finished; /* Unix time, seconds */
    bool replace;             /* delete the earlier runs of this name in the same transaction */
} store_pg_run;

/* Open schema on c (created when missing; layout created or migrated to STORE_PG_LAYOUT in one transaction;
 * "emscov <version>" is recorded in schema_version.by and version in run.emscov_version). A schema with a
 * newer layout is EMS_EIO with one line naming both versions. A schema name that is empty or longer than 63
 * bytes is EMS_EINPUT. */
ems_status store_pg_open(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *version,
                         store_pg **out);
/* The schema's layout version (0 before the first open). */
ems_status store_pg_layout_version(emscov_ctx *ctx, pg_conn *c, const char *schema, int *version);
/* SRID of the working CRS; the result tables created when missing (typed with that SRID), checked when
 * present: EMS_EINPUT naming both CRSs when the schema holds another SRID (nothing written); missing layer
 * columns are added. Polygon layers get MultiPolygon columns. ls as from result_layers_build. */
ems_status store_pg_prepare(emscov_ctx *ctx, store_pg *s, const crs *working, const result_layer *ls,
                            size_t n);
/* Begin the run's transaction and write it: *run_id the new run's id, *rows (may be NULL) the layer rows
 * loaded. The transaction stays open until store_pg_commit / store_pg_abort. Same ls as prepare.
 * store_pg_load then store_pg_attach. */
ems_status store_pg_write(emscov_ctx *ctx, store_pg *s, const store_pg_run *run, const result_layer *ls,
                          size_t n, int64_t *run_id, uint64_t *rows);
/* The first part of store_pg_write: begin the transaction, [--replace: delete the runs of that name], insert
 * the run row and load every layer into a table of the run's own (<table>_r<id>, binary COPY, then its
 * indexes), taking no lock that other runs or readers wait for. It may run on another thread than the
 * caller's (with a ctx of its own) while nothing else uses the store or its connection. */
ems_status store_pg_load(emscov_ctx *ctx, store_pg *s, const store_pg_run *run, const result_layer *ls,
                         size_t n, int64_t *run_id, uint64_t *rows);
/* The second part: attach the run's tables as partitions of the result tables, still inside the open
 * transaction (other runs attaching to the same tables wait until it ends; readers never do). Then
 * store_pg_commit. On failure the transaction is rolled back. */
ems_status store_pg_attach(emscov_ctx *ctx, store_pg *s, const result_layer *ls, size_t n);
ems_status store_pg_commit(emscov_ctx *ctx, store_pg *s);

/* A sites run (src/cli/cmd_sites.c). */
typedef struct store_pg_sites_run {
    const char *name;       /* run name (scenario name, or --replace NAME) */
    const char *scenario;   /* path of the scenario file */
    const char *sites_json; /* sites.json text: parameters, baseline, what-if, selection */
    double started, finished; /* Unix time, seconds */
    bool replace;           /* delete the earlier sites runs of this name in the same transaction */
} store_pg_sites_run;

/* As store_pg_prepare, for the sites layers (tables keyed by sites_run_id referencing sites_run). */
ems_status store_pg_prepare_sites(emscov_ctx *ctx, store_pg *s, const crs *working, const result_layer *ls,
                                  size_t n);
/* As store_pg_write, for a sites run: [--replace: delete the sites runs of that name], the sites_run row,
 * COPY of every layer; open until store_pg_commit / store_pg_abort. Same ls as store_pg_prepare_sites. */
ems_status store_pg_write_sites(emscov_ctx *ctx, store_pg *s, const store_pg_sites_run *run,
                                const result_layer *ls, size_t n, int64_t *run_id, uint64_t *rows);
/* Delete a committed sites run (and its rows). */
ems_status store_pg_delete_sites_run(emscov_ctx *ctx, store_pg *s, int64_t run_id);
/* Roll back an open run transaction (NULL-safe; safe on a lost connection). */
void store_pg_abort(store_pg *s);
/* Delete a committed run (and its rows), e.g. when the local files could not be committed after it. */
ems_status store_pg_delete_run(emscov_ctx *ctx, store_pg *s, int64_t run_id);
const char *store_pg_schema(const store_pg *s);
void store_pg_destroy(store_pg *s);

#endif
