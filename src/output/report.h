/* src/output/report.h: the human summary (each figure beside its target, pass/fail), report.json (one object,
 * schema in docs/formats.md) and streets.csv (one row per sub-district) of an analysis. Write only: every
 * number comes from the analysis. Files are written to a temporary name and renamed.
 * Units in the files: minutes for times in the summary, seconds in JSON/CSV (fields say which), persons, m2. */
#ifndef EMSCOV_REPORT_H
#define EMSCOV_REPORT_H

#include "src/analysis/analyze.h"

#include <stdio.h>

void report_summary(FILE *f, const analysis *a);
ems_status report_write_json(emscov_ctx *ctx, const analysis *a, const char *path);
ems_status report_write_streets_csv(emscov_ctx *ctx, const analysis *a, const char *path);
/* Write a whole file through a temporary name + rename (used by the writers above). */
ems_status report_write_atomic(emscov_ctx *ctx, const char *path, const char *data, size_t len);

#endif
