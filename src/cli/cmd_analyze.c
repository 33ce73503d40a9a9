/* src/cli/cmd_analyze.c: `emscov analyze SCENARIO.ini` -- the main job: every figure against its target on
 * stdout, and report.json, streets.csv and a GeoPackage (street_summary, demand_time, service_area,
 * park_service_area, station) in the output directory, and with --db the run in PostGIS
 * (src/output/store_pg.h). The files and the database run are one output set (src/output/store.h): staged,
 * the run committed, then the files put in place together; on any error the output directory keeps its old
 * files and the database no part of the run. */
#include "src/cli/cli.h"

#include "src/analysis/analyze.h"
#include "src/output/layers.h"
#include "src/output/report.h"
#include "src/output/store.h"
#include "src/output/store_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char analyze_help[] =
    "usage: emscov analyze [OPTIONS] SCENARIO.ini\n"
    "\n"
    "Run the analysis a scenario file describes (docs/user-guide.md lists its keys) and print each figure\n"
    "beside its target. Writes OUT/report.json, OUT/streets.csv and OUT/emscov.gpkg.\n"
    "\n"
    "options:\n"
    "  --out DIR        output directory (default: emscov-out beside the scenario file); created if missing\n"
    "  --json           print report.json to stdout instead of the summary\n"
    "  --db CONNINFO    also store the run in PostGIS (docs/postgis.md): a libpq conninfo or URI\n"
    "                   (\"host=... dbname=...\", postgresql://...); \"\" or env: the PG* environment\n"
    "                   variables, ~/.pgpass and the service file. Passwords are never printed. The\n"
    "                   database is reached before the analysis starts; the run is stored in one\n"
    "                   transaction, and the local files are kept only when the run was stored (and the\n"
    "                   other way round)\n"
    "  --db-schema S    schema for the results (default emscov); created, or its layout migrated, as needed\n"
    "  --replace NAME   store the run under NAME and delete the earlier runs of that name in the same\n"
    "                   transaction (default: add a run named after the scenario; names need not be\n"
    "                   unique)\n";

static double now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What store_run needs (outset_pg's user). */
typedef struct analyze_db_run {
    const analysis *a;
    const char *name, *report_json;
    bool replace;
    double started;
    const result_layer *ls;
    size_t nl;
    uint64_t rows;
} analyze_db_run;

/* The run into the database (the output set's write): the inputs to checksum, report.json, then COPY; not
 * yet committed. */
static ems_status store_run(emscov_ctx *ctx, store_pg *db, void *user, const outset *set, int64_t *id)
{
    (void)set;
    analyze_db_run *r = user;
    const scenario *sc = r->a->sc;
    store_pg_input in[] = {{"scenario", sc->path},
                           {"streets", sc->streets.path},
                           {"stations", sc->stations.path},
                           {"population", sc->population.path},
                           {"roads", sc->roads.path},
                           {"parks", sc->parks.path},
                           {"residential", sc->residential.path},
                           {"speed_profile", sc->speed_path},
                           {"park_rules", sc->parks.path ? sc->park_rules : NULL}};
    store_pg_run run = {.name = r->name,
                        .scenario = sc->path,
                        .report_json = r->report_json,
                        .inputs = in,
                        .ninputs = sizeof in / sizeof *in,
                        .started = r->started,
                        .finished = now_s(CLOCK_REALTIME),
                        .replace = r->replace};
    return store_pg_write(ctx, db, &run, r->ls, r->nl, id, &r->rows);
}

ems_status cmd_analyze(emscov_ctx *ctx, int argc, char **argv)
{
    const char *path = NULL, *outdir = NULL, *db_info = NULL, *db_schema = NULL, *replace = NULL;
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
        if ((r = cli_opt(ctx, argc, argv, &i, "out", &outdir)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "db", &db_info)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "db-schema", &db_schema)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "replace", &replace)) != 0) {
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
    if ((db_schema || replace) && !db_info)
        return emscov_fail(ctx, EMS_EINPUT, "analyze: --%s needs --db CONNINFO",
                           db_schema ? "db-schema" : "replace");
    if (replace && !*replace)
        return emscov_fail(ctx, EMS_EINPUT, "analyze: --replace needs a run name");
    char dir[4096];
    if (outdir)
        snprintf(dir, sizeof dir, "%s", outdir);
    else {
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof dir, "%.*s%semscov-out", slash ? (int)(slash - path) : 0, path, slash ? "/" : "");
    }
    double started = now_s(CLOCK_REALTIME);
    scenario *sc = NULL;
    analysis *a = NULL;
    result_layer ls[RESULT_LAYERS_MAX];
    size_t nl = 0;
    outset *set = NULL;
    pg_conn *pc = NULL;
    store_pg *db = NULL;
    int64_t run_id = 0;
    double t0, t_db = 0;
    /* the database first: a server that is down or refuses fails the run before any work or any local file */
    ems_status st = EMS_OK;
    if (db_info) {
        st = pg_connect(ctx, strcmp(db_info, "env") ? db_info : "", &pc);
        if (st == EMS_OK)
            st = store_pg_open(ctx, pc, db_schema ? db_schema : STORE_PG_DEFAULT_SCHEMA, EMSCOV_VERSION, &db);
    }
    if (st == EMS_OK)
        st = scenario_load(ctx, path, EMSCOV_DATA_DIR, &sc);
    if (st == EMS_OK)
        st = analysis_run(ctx, sc, &a);
    char p_json[4200], p_csv[4200], p_gpkg[4200];
    snprintf(p_json, sizeof p_json, "%s/report.json", dir);
    snprintf(p_csv, sizeof p_csv, "%s/streets.csv", dir);
    snprintf(p_gpkg, sizeof p_gpkg, "%s/emscov.gpkg", dir);
    if (st == EMS_OK)
        st = result_layers_build(ctx, a->result, ls, &nl);
    if (st == EMS_OK && db) { /* SRID and tables checked before anything is written */
        t0 = now_s(CLOCK_MONOTONIC);
        st = store_pg_prepare(ctx, db, a->in.working, ls, nl);
        t_db += now_s(CLOCK_MONOTONIC) - t0;
    }
    /* One output set (src/output/store.h): every file staged; with --db the run written and committed; then
     * the files put in place together. A database failure leaves the old files, a file failure after the
     * commit takes the stored run out again. */
    char *json = NULL, *csv = NULL;
    if (st == EMS_OK)
        st = outset_begin(ctx, dir, &set);
    t0 = now_s(CLOCK_MONOTONIC);
    if (st == EMS_OK)
        st = outset_add_gpkg(ctx, set, "emscov.gpkg", ls, nl);
    double t_gpkg = now_s(CLOCK_MONOTONIC) - t0;
    if (st == EMS_OK && (st = report_json(ctx, a->result, &json)) == EMS_OK)
        st = outset_add_bytes(ctx, set, "report.json", json, strlen(json));
    if (st == EMS_OK && (st = report_streets_csv(ctx, a->result, &csv)) == EMS_OK)
        st = outset_add_bytes(ctx, set, "streets.csv", csv, strlen(csv));
    analyze_db_run dbr = {.a = a, .name = replace ? replace : sc ? sc->name : NULL, .report_json = json,
                          .replace = replace != NULL, .started = started, .ls = ls, .nl = nl};
    outset_pg pg = {db, "run", store_run, store_pg_delete_run, &dbr};
    if (st == EMS_OK && db)
        outset_attach_pg(set, &pg);
    if (st == EMS_OK) {
        t0 = now_s(CLOCK_MONOTONIC);
        st = outset_commit(ctx, set, &run_id);
        set = NULL;
        *(db ? &t_db : &t_gpkg) += now_s(CLOCK_MONOTONIC) - t0;
    }
    outset_abort(set);
    free(csv);
    if (st == EMS_OK) {
        run_result_add_timing(a->result, "gpkg", t_gpkg);
        if (db)
            run_result_add_timing(a->result, "pg store", t_db);
        char stored[1200] = "";
        if (db)
            snprintf(stored, sizeof stored, "stored run %lld in %s at %s (%llu rows, %.2f s, %.0f rows/s)\n",
                     (long long)run_id, store_pg_schema(db), pg_describe(pc), (unsigned long long)dbr.rows,
                     t_db, t_db > 0 ? (double)dbr.rows / t_db : 0.0);
        if (as_json) {
            fputs(json, stdout); /* the bytes of report.json */
            fputs(stored, stderr); /* stdout is report.json alone */
        } else {
            report_summary(stdout, a->result);
            printf("\nwrote %s, %s, %s\n%s", p_json, p_csv, p_gpkg, stored);
            fflush(stdout);
        }
    }
    free(json);
    store_pg_destroy(db);
    pg_disconnect(pc);
    result_layers_free(ls, nl);
    analysis_destroy(a);
    scenario_destroy(sc);
    return st;
}
