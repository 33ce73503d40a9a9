/* src/output/report.h: the human summary of an analyze run (each target beside its value and verdict, the input
 * ledger, the sub-districts that fail; in the current language, src/output/i18n.h), report.json (schema
 * emscov-report-2, docs/formats.md) and streets.csv (one row per sub-district). Rendering only: every number and verdict comes from the result model
 * (src/analysis/result.h). report_json and report_streets_csv return new strings (free).
 * Units: minutes in the summary and streets.csv (columns say so), seconds in report.json, persons, m2. */
#ifndef EMSCOV_REPORT_H
#define EMSCOV_REPORT_H

#include "src/analysis/result.h"
#include "src/output/csv.h"
#include "src/output/i18n.h"
#include "src/output/input_files.h"

#include <stdio.h>

void report_summary(FILE *f, const run_result *r);
/* The inputs part of the summary: the ledger block, the population account and the stations line (also shown
 * by `emscov sites`, which runs the same analysis first). */
void report_summary_inputs(FILE *f, const run_result *r);
/* The numbers the targets' texts depend on (i18n_target_indicator ...), from the run. */
void report_target_ctx(const run_result *r, i18n_target_ctx *c);
/* What report.json records beside the model: the emscov that made it and the inputs' files with their sizes
 * and SHA-256 (the job checksums them). Both may be NULL / empty: the members are left out. */
typedef struct report_meta {
    const char *emscov_version;
    const input_files *files;
} report_meta;
ems_status report_json(emscov_ctx *ctx, const run_result *r, const report_meta *meta, char **out);
/* style: BOM and header row (src/output/csv.h); NULL: keys, no BOM. */
ems_status report_streets_csv(emscov_ctx *ctx, const run_result *r, const csv_style *style, char **out);
/* A JSON document as the files hold it (pretty, spaced, '/' unescaped, a final newline): a new string in
 * *out; root is released (json_object_put) either way. For sites.json and emscov compare --json. */
struct json_object;
ems_status report_json_text(emscov_ctx *ctx, struct json_object *root, char **out);
/* Write a whole file through a temporary name + rename. */
ems_status report_write_atomic(emscov_ctx *ctx, const char *path, const char *data, size_t len);

#endif
