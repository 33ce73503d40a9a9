/* src/cli/cmd_analyze.c: `emscov analyze SCENARIO.ini` -- the main job: every figure against its target on
 * stdout, and report.json, streets.csv and a GeoPackage (street_summary, demand_time, service_area,
 * park_service_area, station) in the output directory, and with --db the run in PostGIS
 * (src/output/store_pg.h). Each file is written to a temporary name and renamed after the database
 * transaction commits; on any error nothing new is left in the output directory and no part of the run in
 * the database. */
#include "src/cli/cli.h"

#include "src/analysis/analyze.h"
#include "src/output/layers.h"
#include "src/output/report.h"
#include "src/output/store_gpkg.h"
#include "src/output/store_pg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* The run into the database: the inputs to checksum, report.json as written, then COPY; not yet committed. */
static ems_status store_run(emscov_ctx *ctx, store_pg *db, const analysis *a, const char *name, bool replace,
                            const char *p_json, double started, const result_layer *ls, size_t nl,
                            int64_t *id, uint64_t *rows)
{
    const scenario *sc = a->sc;
    store_pg_input in[] = {{"scenario", sc->path},
                           {"streets", sc->streets.path},
                           {"stations", sc->stations.path},
                           {"population", sc->population.path},
                           {"roads", sc->roads.path},
                           {"parks", sc->parks.path},
                           {"residential", sc->residential.path},
                           {"speed_profile", sc->speed_path},
                           {"park_rules", sc->parks.path ? sc->park_rules : NULL}};
    char *text = NULL;
    ems_status st = ems_read_file(ctx, p_json, &text, NULL);
    if (st == EMS_OK) {
        store_pg_run run = {.name = name,
                            .scenario = sc->path,
                            .report_json = text,
                            .inputs = in,
                            .ninputs = sizeof in / sizeof *in,
                            .started = started,
                            .finished = now_s(CLOCK_REALTIME),
                            .replace = replace};
        st = store_pg_write(ctx, db, &run, ls, nl, id, rows);
    }
    free(text);
    return st;
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
    gpkg_store *gs = NULL;
    pg_conn *pc = NULL;
    store_pg *db = NULL;
    int64_t run_id = 0;
    uint64_t rows = 0;
    bool db_committed = false, json_tmp = false, csv_tmp = false;
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
    if (st == EMS_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot create the output directory: %s", dir, strerror(errno));
    char p_json[4200], p_csv[4200], p_gpkg[4200], t_json[4300], t_csv[4300];
    snprintf(p_json, sizeof p_json, "%s/report.json", dir);
    snprintf(p_csv, sizeof p_csv, "%s/streets.csv", dir);
    snprintf(p_gpkg, sizeof p_gpkg, "%s/emscov.gpkg", dir);
    snprintf(t_json, sizeof t_json, "%s.pending-%ld", p_json, (long)getpid());
    snprintf(t_csv, sizeof t_csv, "%s.pending-%ld", p_csv, (long)getpid());
    if (st == EMS_OK)
        st = result_layers_build(ctx, a->result, ls, &nl);
    if (st == EMS_OK && db) { /* SRID and tables checked before anything is written */
        t0 = now_s(CLOCK_MONOTONIC);
        st = store_pg_prepare(ctx, db, a->in.working, ls, nl);
        t_db += now_s(CLOCK_MONOTONIC) - t0;
    }
    /* Every file is written under a temporary name; the database transaction commits next, and only then are
     * the files committed: a database failure leaves no new file, a file failure deletes the stored run. */
    t0 = now_s(CLOCK_MONOTONIC);
    if (st == EMS_OK && (st = gpkg_store_begin(ctx, p_gpkg, &gs)) == EMS_OK)
        for (size_t k = 0; st == EMS_OK && k < nl; k++)
            st = gpkg_store_write_layer(ctx, gs, ls[k].table, ls[k].description, ls[k].l);
    double t_gpkg = now_s(CLOCK_MONOTONIC) - t0;
    char *json = NULL, *csv = NULL;
    if (st == EMS_OK && (st = report_json(ctx, a->result, &json)) == EMS_OK)
        json_tmp = (st = report_write_atomic(ctx, t_json, json, strlen(json))) == EMS_OK;
    if (st == EMS_OK && (st = report_streets_csv(ctx, a->result, &csv)) == EMS_OK)
        csv_tmp = (st = report_write_atomic(ctx, t_csv, csv, strlen(csv))) == EMS_OK;
    free(json);
    free(csv);
    if (st == EMS_OK && db) {
        t0 = now_s(CLOCK_MONOTONIC);
        st = store_run(ctx, db, a, replace ? replace : sc->name, replace != NULL, t_json, started, ls, nl,
                       &run_id, &rows);
        if (st == EMS_OK)
            db_committed = (st = store_pg_commit(ctx, db)) == EMS_OK;
        else {
            store_pg_abort(db);
            char first[1024];
            snprintf(first, sizeof first, "%s", emscov_message(ctx));
            emscov_fail(ctx, st, "%s; nothing of this run was stored or written", first);
        }
        t_db += now_s(CLOCK_MONOTONIC) - t0;
    }
    if (st == EMS_OK) {
        t0 = now_s(CLOCK_MONOTONIC);
        st = gpkg_store_commit(ctx, gs);
        gs = NULL;
        t_gpkg += now_s(CLOCK_MONOTONIC) - t0;
    }
    if (st == EMS_OK && rename(t_json, p_json) != 0)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot rename to %s: %s", t_json, p_json, strerror(errno));
    else if (st == EMS_OK)
        json_tmp = false;
    if (st == EMS_OK && rename(t_csv, p_csv) != 0)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot rename to %s: %s", t_csv, p_csv, strerror(errno));
    else if (st == EMS_OK)
        csv_tmp = false;
    if (st != EMS_OK && db_committed) {
        /* the local files failed after the run was stored: take the run back (the first message stays) */
        char first[1024];
        snprintf(first, sizeof first, "%s", emscov_message(ctx));
        if (store_pg_delete_run(ctx, db, run_id) == EMS_OK)
            emscov_fail(ctx, st, "%s (run %lld was taken out of the database again)", first,
                        (long long)run_id);
        else
            emscov_fail(ctx, st, "%s (and run %lld stays in the database)", first, (long long)run_id);
    }
    gpkg_store_abort(gs);
    if (json_tmp)
        unlink(t_json);
    if (csv_tmp)
        unlink(t_csv);
    if (st == EMS_OK) {
        run_result_add_timing(a->result, "gpkg", t_gpkg);
        if (db)
            run_result_add_timing(a->result, "pg store", t_db);
        char stored[1200] = "";
        if (db)
            snprintf(stored, sizeof stored, "stored run %lld in %s at %s (%llu rows, %.2f s, %.0f rows/s)\n",
                     (long long)run_id, store_pg_schema(db), pg_describe(pc), (unsigned long long)rows, t_db,
                     t_db > 0 ? (double)rows / t_db : 0.0);
        if (as_json) {
            char *text = NULL;
            if ((st = ems_read_file(ctx, p_json, &text, NULL)) == EMS_OK)
                fputs(text, stdout);
            free(text);
            fputs(stored, stderr); /* stdout is report.json alone */
        } else {
            report_summary(stdout, a->result);
            printf("\nwrote %s, %s, %s\n%s", p_json, p_csv, p_gpkg, stored);
            fflush(stdout);
        }
    }
    store_pg_destroy(db);
    pg_disconnect(pc);
    result_layers_free(ls, nl);
    analysis_destroy(a);
    scenario_destroy(sc);
    return st;
}
