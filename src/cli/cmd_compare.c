/* src/cli/cmd_compare.c: `emscov compare A B` -- two analyze runs side by side (src/output/compare.h): parses
 * the options, calls compare_runs and prints the table, or the comparison as JSON with --json; --map draws
 * the before/after map (compare_map_write). */
#include "src/cli/cli.h"

#include "src/output/compare.h"
#include "src/output/i18n.h"

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
    "  --json            print the comparison as JSON (docs/formats.md, emscov-compare/1)\n"
    "  --map FILE        before/after map (.png, .svg or .pdf): the sub-districts of B coloured by the\n"
    "                    change B - A of their street_summary figures, gained blue, lost red\n"
    "  --map-field F     share (default: the share of residents within the standard's time, points) or\n"
    "                    mean (the mean response time, minutes)\n";

ems_status cmd_compare(emscov_ctx *ctx, int argc, char **argv)
{
    const char *runs[2] = {NULL, NULL}, *db = NULL, *schema = NULL, *map = NULL, *map_field = "share";
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
            (r = cli_opt(ctx, argc, argv, &i, "db-schema", &schema)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "map", &map)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "map-field", &map_field)) != 0) {
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
    if (strcmp(map_field, "share") && strcmp(map_field, "mean"))
        return emscov_fail(ctx, EMS_EINPUT, "--map-field %s: share or mean", map_field);
    if (db && !strcmp(db, "env"))
        db = "";
    compare_result *r = NULL;
    ems_status st = compare_runs(ctx, runs[0], runs[1], db, schema, map != NULL, &r);
    if (st == EMS_OK && map)
        st = compare_map_write(ctx, r, strcmp(map_field, "mean") ? "covered_share_change" : "mean_s_change", map);
    if (st == EMS_OK && as_json) {
        char *text = NULL;
        if ((st = compare_json(ctx, r, &text)) == EMS_OK)
            fputs(text, stdout);
        free(text);
    } else if (st == EMS_OK) {
        compare_summary(stdout, r);
        if (map)
            printf(_("wrote %s\n"), map);
    }
    compare_destroy(r);
    return st;
}
