/* src/cli/cmd_analyze.c: `emscov analyze SCENARIO.ini` -- the main job: every figure against its target on
 * stdout, and report.json, streets.csv and a GeoPackage (street_summary, demand_time, service_area,
 * park_service_area, station) in the output directory. Each file is written to a temporary name and renamed;
 * on any error nothing new is left in the output directory. */
#include "src/cli/cli.h"

#include "src/analysis/analyze.h"
#include "src/output/layers.h"
#include "src/output/report.h"
#include "src/output/store_gpkg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char analyze_help[] =
    "usage: emscov analyze [OPTIONS] SCENARIO.ini\n"
    "\n"
    "Run the analysis a scenario file describes (docs/user-guide.md lists its keys) and print each figure\n"
    "beside its target. Writes OUT/report.json, OUT/streets.csv and OUT/emscov.gpkg.\n"
    "\n"
    "options:\n"
    "  --out DIR        output directory (default: emscov-out beside the scenario file); created if missing\n"
    "  --json           print report.json to stdout instead of the summary\n";

ems_status cmd_analyze(emscov_ctx *ctx, int argc, char **argv)
{
    const char *path = NULL, *outdir = NULL;
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            fputs(analyze_help, stdout);
            return EMS_OK;
        }
        if (cli_flag(argv, i, "json")) {
            as_json = true;
            continue;
        }
        if ((r = cli_opt(ctx, argc, argv, &i, "out", &outdir)) != 0) {
            if (r < 0)
                return EMS_EINPUT;
            continue;
        }
        if (argv[i][0] == '-' || path)
            return emscov_fail(ctx, EMS_EINPUT, "analyze: unexpected argument %s (emscov analyze --help)", argv[i]);
        path = argv[i];
    }
    if (!path)
        return emscov_fail(ctx, EMS_EINPUT, "analyze: no SCENARIO.ini given (emscov analyze --help)");
    char dir[4096];
    if (outdir)
        snprintf(dir, sizeof dir, "%s", outdir);
    else {
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof dir, "%.*s%semscov-out", slash ? (int)(slash - path) : 0, path, slash ? "/" : "");
    }
    scenario *sc = NULL;
    analysis *a = NULL;
    result_layer ls[8];
    size_t nl = 0;
    gpkg_store *gs = NULL;
    ems_status st = scenario_load(ctx, path, EMSCOV_DATA_DIR, &sc);
    if (st == EMS_OK)
        st = analysis_run(ctx, sc, &a);
    if (st == EMS_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot create the output directory: %s", dir, strerror(errno));
    char p_json[4200], p_csv[4200], p_gpkg[4200];
    snprintf(p_json, sizeof p_json, "%s/report.json", dir);
    snprintf(p_csv, sizeof p_csv, "%s/streets.csv", dir);
    snprintf(p_gpkg, sizeof p_gpkg, "%s/emscov.gpkg", dir);
    /* the GeoPackage first (the slowest and most likely to fail), then the small files */
    if (st == EMS_OK && (st = result_layers_build(ctx, a, ls, &nl)) == EMS_OK &&
        (st = gpkg_store_begin(ctx, p_gpkg, &gs)) == EMS_OK) {
        for (size_t k = 0; st == EMS_OK && k < nl; k++)
            st = gpkg_store_write_layer(ctx, gs, ls[k].table, ls[k].description, ls[k].l);
        if (st == EMS_OK)
            st = gpkg_store_commit(ctx, gs);
        else
            gpkg_store_abort(gs);
        gs = NULL;
    }
    if (st == EMS_OK && (st = report_write_json(ctx, a, p_json)) == EMS_OK)
        st = report_write_streets_csv(ctx, a, p_csv);
    if (st == EMS_OK) {
        if (as_json) {
            char *text = NULL;
            if ((st = ems_read_file(ctx, p_json, &text, NULL)) == EMS_OK)
                fputs(text, stdout);
            free(text);
        } else {
            report_summary(stdout, a);
            printf("\nwrote %s, %s, %s\n", p_json, p_csv, p_gpkg);
            fflush(stdout);
        }
    }
    result_layers_free(ls, nl);
    analysis_destroy(a);
    scenario_destroy(sc);
    return st;
}
