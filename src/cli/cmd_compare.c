/* src/cli/cmd_compare.c: `emscov compare A B` -- two analyze runs side by side (src/output/compare.h): parses
 * the options, calls compare_runs and prints the table, or the comparison as JSON with --json. */
#include "src/cli/cli.h"

#include "src/output/compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char compare_help[] =
    "usage: emscov compare [OPTIONS] A B\n"
    "\n"
    "Two analyze runs side by side (before/after a new station, this year/last year): every target's value\n"
    "and verdict and the headline figures of A and B with the change (B - A), and the sub-districts whose\n"
    "stations, gap verdict, covered share or mean response time changed. Read from what the runs stored;\n"
    "nothing is recomputed.\n"
    "\n"
    "  A, B              output directories of emscov analyze (their emscov.gpkg and report.json), or with\n"
    "                    --db PostGIS runs: a run id, latest, or a run name (its last run)\n"
    "  --db CONNINFO     read the runs from PostGIS (libpq conninfo or URI; env or \"\": the PG* environment)\n"
    "  --db-schema S     schema of the runs (default emscov)\n"
    "  --json            print the comparison as JSON (docs/formats.md, emscov-compare/1)\n";

ems_status cmd_compare(emscov_ctx *ctx, int argc, char **argv)
{
    const char *runs[2] = {NULL, NULL}, *db = NULL, *schema = NULL;
    bool as_json = false;
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            fputs(compare_help, stdout);
            return EMS_OK;
        }
        if (cli_flag(argv, i, "json")) {
            as_json = true;
            continue;
        }
        if ((r = cli_opt(ctx, argc, argv, &i, "db", &db)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "db-schema", &schema)) != 0) {
            if (r < 0)
                return EMS_EINPUT;
            continue;
        }
        if (argv[i][0] == '-' || n == 2)
            return emscov_fail(ctx, EMS_EINPUT, "compare: unexpected argument %s (emscov compare --help)", argv[i]);
        runs[n++] = argv[i];
    }
    if (n != 2)
        return emscov_fail(ctx, EMS_EINPUT, "compare: give two runs A and B (emscov compare --help)");
    if (db && !strcmp(db, "env"))
        db = "";
    compare_result *r = NULL;
    ems_status st = compare_runs(ctx, runs[0], runs[1], db, schema, &r);
    if (st == EMS_OK && as_json) {
        char *text = NULL;
        if ((st = compare_json(ctx, r, &text)) == EMS_OK)
            fputs(text, stdout);
        free(text);
    } else if (st == EMS_OK) {
        compare_summary(stdout, r);
    }
    compare_destroy(r);
    return st;
}
