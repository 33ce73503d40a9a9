/* src/output/store.h: the output set of a run -- every file it writes into one directory (analyze:
 * report.json, streets.csv, emscov.gpkg; sites: sites.json, sites.csv, sites.gpkg) and, optionally, the run
 * in PostGIS -- committed in one sequence, so the directory shows the whole old set or the whole new one and
 * the database holds the run exactly when its files are in place (docs/reliability.md, "Output sets").
 * Prefix outset_, not store_: store_ already begins the PostGIS module's names (store_pg_*), and an
 * `outset` is not another back end beside store_pg and gpkg_store but the sequence over them.
 *
 * Sequence: outset_begin creates the directory when missing, cleans up what killed runs left in it (their
 * hidden directories and *.tmp-PID / *.pending-PID files, named in one warning) and makes the hidden staging
 * directory .emscov-staging-PID-XXXXXX in it. Each outset_add_* puts one complete file there (GeoPackages
 * through store_gpkg). outset_commit: every staged file flushed; every target name checked (a directory in
 * the way fails here, before anything is stored); the current files of the set's names hard-linked into
 * .emscov-old-PID-XXXXXX; the database part writes the run and COMMITs; the staging directory is renamed to
 * .emscov-commit-PID-XXXXXX (from here a killed run is completed by the next begin) and each new file renamed
 * over its target. If a rename fails, the files already moved go back, the old ones are restored, and a
 * committed run is deleted again (the message says so). Any failure and outset_abort remove everything of
 * this run, and the directory itself when this run created it and it is empty.
 *
 * Ownership: outset_begin returns a new set owned by the caller; outset_commit and outset_abort destroy it.
 * Data and layers are borrowed for the call. The database part (ops/impl, or the outset_pg) is borrowed until
 * commit or abort. Thread-safety: a set is used with one ctx by one thread; processes committing into one
 * directory are serialised by a lock (flock) on the directory. During the renames SIGINT, SIGTERM, SIGHUP
 * and SIGQUIT are held back (pthread_sigmask) and delivered right after. */
#ifndef EMSCOV_OUTPUT_STORE_H
#define EMSCOV_OUTPUT_STORE_H

#include "src/output/layers.h"
#include "src/output/store_pg.h"

#include <stdint.h>

typedef struct outset outset;

/* The database part of a set (STYLE.md practice 11): impl is the back end's own state. */
typedef struct outset_db_ops {
    /* Begin a transaction and write the run into it, not committed; *id the new run's id. set gives the
     * staged files (outset_staged), e.g. report.json to store beside the run. */
    ems_status (*write)(emscov_ctx *ctx, void *impl, const outset *set, int64_t *id);
    ems_status (*commit)(emscov_ctx *ctx, void *impl);
    void (*abort)(void *impl);                                        /* roll the open transaction back */
    ems_status (*take_back)(emscov_ctx *ctx, void *impl, int64_t id); /* delete the committed run id */
} outset_db_ops;

/* The PostGIS part: an open store_pg (prepared), the function that writes the run (store_pg_write or
 * store_pg_write_sites with the caller's data in user) and the one that deletes a committed run
 * (store_pg_delete_run or store_pg_delete_sites_run). COMMIT and ROLLBACK are store_pg_commit/_abort. */
typedef struct outset_pg {
    store_pg *db;
    const char *what; /* the run's kind in messages: "run", "sites run" */
    ems_status (*write)(emscov_ctx *ctx, store_pg *db, void *user, const outset *set, int64_t *id);
    ems_status (*take_back)(emscov_ctx *ctx, store_pg *db, int64_t id);
    void *user;
} outset_pg;

/* Start a set in dir: created when missing (one level, mode 0777 & ~umask; "DIR: cannot create the output
 * directory"), stale temporaries of dead processes removed (one warning), staging directory made. EMS_EIO
 * when dir is not a directory or not writable; nothing is left behind then. */
ems_status outset_begin(emscov_ctx *ctx, const char *dir, outset **out);
/* A file of the set given as bytes: written and flushed into the staging directory now. name is a plain
 * file name (no '/', not starting with '.', once per set; else EMS_EINTERNAL). After any failed add the set
 * can only be aborted (commit fails). */
ems_status outset_add_bytes(emscov_ctx *ctx, outset *s, const char *name, const void *data, size_t len);
/* A file of the set that a writer writes itself (e.g. report_write_json): *path is its staging path (valid
 * while the set is), where the caller writes the whole file before commit; commit fails when it is missing.
 */
ems_status outset_add_file(emscov_ctx *ctx, outset *s, const char *name, const char **path);
/* A GeoPackage of the set: the n layers written through store_gpkg (table, description, layer each), with
 * their QGIS styles and project (outset_gpkg_qgis). */
ems_status outset_add_gpkg(emscov_ctx *ctx, outset *s, const char *name, const result_layer *ls, size_t n);
/* The QGIS style of each of the n layers that has one (qgis_style.h) into a GeoPackage being written (its
 * layer_styles table) and a QGIS project of those layers (qgis_project.h, stored as QGIS_PROJECT_NAME in its
 * qgis_projects table, none when no layer has a style; gpkg_name: the GeoPackage's file name in the output directory, which the project's
 * datasources name), as outset_add_gpkg writes them: for a caller writing the GeoPackage itself. */
typedef struct gpkg_store gpkg_store;
ems_status outset_gpkg_qgis(emscov_ctx *ctx, gpkg_store *gs, const char *gpkg_name, const result_layer *ls,
                            size_t n);
/* The database part, written and committed by outset_commit (what: the run's kind in messages). */
void outset_attach_db(outset *s, const char *what, const outset_db_ops *ops, void *impl);
void outset_attach_pg(outset *s, const outset_pg *pg);
/* The staging path of a file added to the set (NULL when name is not in it); for the database part's write.
 */
const char *outset_staged(const outset *s, const char *name);
/* Commit the set as above; the set is destroyed either way. *db_id (may be NULL): the stored run's id when
 * the set has a database part and was committed, else 0. */
ems_status outset_commit(emscov_ctx *ctx, outset *s, int64_t *db_id);
/* Give up: the staging directory removed, the directory too when this set created it and it is empty; the
 * old files untouched. NULL-safe; destroys the set. Leftovers it cannot remove are named in a warning. */
void outset_abort(outset *s);

#endif
