/* src/output/job.h: the library entry points of `emscov analyze` and `emscov sites`: the whole run below the
 * CLI -- the database reached first (with --db: connect, open the result schema), the scenario read, the
 * analysis (and the sites plan) computed, every output rendered from the result model, and the output set
 * (src/output/store.h) written and committed at once: files, GeoPackage and, with a database, the stored run.
 * On any failure nothing new is left (the output directory as it was, no part of the run stored).
 * Ownership: job_analyze / job_sites return a new job owned by the caller (job_destroy, NULL-safe; *out is NULL on
 * failure) holding the
 * scenario, the analysis, the plan and the rendered JSON, for the CLI to print. Options are borrowed. */
#ifndef EMSCOV_JOB_H
#define EMSCOV_JOB_H

#include "src/analysis/sites_plan.h"
#include "src/output/csv.h"
#include "src/output/i18n.h"

#include <stdint.h>

#define JOB_MAX_COORDS 8

typedef struct job_opts {
    const char *scenario_path;
    const char *out_dir;    /* NULL: <scenario dir>/emscov-out (analyze) or sites-out (sites) */
    const char *db;         /* conninfo ("" or "env": libpq's environment); NULL: no database */
    const char *db_schema;  /* NULL: emscov */
    const char *replace;    /* store under this name, replacing the earlier runs of it; NULL: add a run */
    const char *data_dir;   /* standards and speed profiles by name */
    const char *version;    /* emscov version, recorded in report.json and with stored runs */
    const char *lang;       /* the language people read ("zh", "en"; --lang); NULL: the scenario's [scenario] lang,
                               else the current one (src/output/i18n.h). Made current for the run's texts */
    csv_style csv;          /* streets.csv / sites.csv: BOM and header row */
    unsigned docs;          /* analyze: JOB_DOC_PDF | JOB_DOC_HTML: report.pdf / report.html in the output set */
    const char *coords[JOB_MAX_COORDS]; /* --coords LAYER=wgs84|gcj02|bd09, over the scenario's coords keys */
    size_t ncoords;
} job_opts;

enum { JOB_DOC_PDF = 1, JOB_DOC_HTML = 2 };

typedef struct job {
    scenario *sc;
    analysis *a;
    sites_plan *plan;       /* sites only */
    char *json;             /* report.json / sites.json as written */
    char out_dir[4096];
    char files[5][4200];    /* the files written, for the CLI's "wrote" line */
    i18n_lang lang;         /* the run's language (made current) */
    size_t nfiles;
    bool stored;            /* a database run was stored */
    int64_t run_id;
    uint64_t rows;          /* database rows loaded */
    double store_s;         /* seconds spent writing the output set (with the database part) */
    char stored_at[1024];   /* where: "schema at host=... dbname=..." (no password) */
} job;

ems_status job_analyze(emscov_ctx *ctx, const job_opts *o, job **out);
ems_status job_sites(emscov_ctx *ctx, const job_opts *o, const sites_plan_opts *po, job **out);
void job_destroy(job *j);

#endif
