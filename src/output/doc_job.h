/* src/output/doc_job.h: one `emscov report` job: read a finished run -- an analyze output directory
 * (report.json and emscov.gpkg) or a PostGIS run (by id, latest or name; src/output/stored_run.h) -- and,
 * optionally, a sites run (its directory or sites.json), render the report (src/output/doc.h) and write it
 * through a temporary name and a rename (nothing half-written is left). The park map draws residential land
 * from job->residential, else from the run's own residential input when that file is still there.
 * Nothing is printed. Ownership: the job is borrowed. One ctx per thread; gives back the process's font
 * caches when done (map_release_fonts). */
#ifndef EMSCOV_DOC_JOB_H
#define EMSCOV_DOC_JOB_H

#include "src/output/doc.h"
#include "src/output/stored_run.h"

typedef struct doc_job {
    const char *dir;          /* an analyze output directory, or NULL for a PostGIS run */
    stored_run_ref db;        /* dir NULL: db, schema, run */
    const char *sites;        /* a sites output directory or its sites.json, or NULL */
    const char *residential;  /* residential land for the park map, or NULL (the run's own input) */
    doc_opts opts;
    const char *out;          /* the file to write */
    const char *version;      /* the emscov rendering it */
} doc_job;

/* EMS_EINPUT when the run (or its report.json, or the sites run) is missing or not emscov's, naming it. */
ems_status doc_job_run(emscov_ctx *ctx, const doc_job *job, doc_stats *stats);

#endif
