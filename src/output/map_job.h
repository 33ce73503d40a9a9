/* src/output/map_job.h: one `emscov map` job: read a stored run (src/output/stored_run.h) and the optional
 * sites and residential layers, move them into one metric CRS (the run's working CRS, or the UTM zone of
 * the data when the layers are in lon/lat), check them for the map kind and draw one map, or one per value
 * of a street_summary field (--each: one file each into a directory, or one PDF with a page each).
 * Files are written by src/output/map.h (temporary name + rename). Nothing is printed: the caller hears of
 * each file written. Ownership: the job is borrowed. One ctx per thread; it gives back the process's font
 * caches when done (map_release_fonts), so no other thread may draw maps meanwhile. */
#ifndef EMSCOV_MAP_JOB_H
#define EMSCOV_MAP_JOB_H

#include "src/output/map.h"
#include "src/output/stored_run.h"

typedef struct map_job {
    stored_run_ref run;
    map_opts opts;           /* kind, choropleth field, page, dpi, format */
    const char *each;        /* street_summary field: one map per value, or NULL */
    const char *out;         /* the file; a directory for --each (created when missing) unless a .pdf path */
    const char *sites;       /* proposed sites (a sites GeoPackage: layer selected_site, or any layer), or NULL */
    const char *residential; /* residential land for kind parks, or NULL */
} map_job;

/* A file written: its path, its pages, the field there is a page per value of (NULL: one map), and the run
 * drawn (its PostGIS run id; 0 for a GeoPackage). */
typedef struct map_written {
    const char *path;
    size_t pages;
    const char *each;
    long long run_id;
} map_written;

typedef void (*map_written_fn)(void *user, const map_written *w);

/* Read, check, draw and write; on_written (may be NULL) hears of every file as it is renamed into place. */
ems_status map_job_run(emscov_ctx *ctx, const map_job *job, map_written_fn on_written, void *user);

#endif
