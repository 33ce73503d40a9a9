/* src/output/times_csv.h: the CSV of `emscov times` (one row per point: nearest and second-nearest station,
 * their response times, the snap distance, the road component and a status; columns in docs/formats.md),
 * and the command's one entry point: load the inputs, compute, write. Formatting only: every value comes
 * from the times result. The file is written to a temporary name and renamed (nothing half-written is left).
 * Ownership: arguments are borrowed. Units: seconds, metres (x, y in the working CRS). One ctx per thread. */
#ifndef EMSCOV_TIMES_CSV_H
#define EMSCOV_TIMES_CSV_H

#include "src/analysis/times.h"
#include "src/output/csv.h"

/* The CSV text of r into path; style: BOM and header row (src/output/csv.h), NULL: keys, no BOM. */
ems_status times_csv_write(emscov_ctx *ctx, const times_result *r, const csv_style *style, const char *path);

/* times_inputs_load + times_compute + times_csv_write; *counts (may be NULL) says what happened. */
ems_status times_csv_run(emscov_ctx *ctx, const times_sources *src, const times_params *p, const csv_style *style,
                         const char *path, times_counts *counts);

#endif
