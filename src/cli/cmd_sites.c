/* src/cli/cmd_sites.c: `emscov sites SCENARIO.ini` -- where should new stations go? The what-if gain of
 * every candidate site, the best k new sites (greedy + swap, exact with GLPK when small), the fewest sites
 * meeting a coverage target, and the busy-ambulance (MEXCLP) estimate. Writes sites.csv, sites.json and
 * sites.gpkg into the output directory, and with --db the run in PostGIS (src/output/store_pg.h), as one
 * output set (src/output/store.h, as cmd_analyze.c): bad input (exit 2) or a database failure leaves the
 * output directory as it was. */
#include "src/cli/cli.h"

#include "src/analysis/sites_plan.h"
#include "src/output/sites_report.h"
#include "src/output/store.h"
#include "src/output/store_pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char sites_help[] =
    "usage: emscov sites [OPTIONS] SCENARIO.ini\n"
    "\n"
    "Where should new stations go? For every candidate site: the population it would newly bring within the\n"
    "standard's time, the change of the mean response time, the gap sub-district it fills and the backup\n"
    "gain; then the best K new sites, the fewest sites meeting a coverage target, and the share of calls\n"
    "finding a free ambulance (MEXCLP). Writes OUT/sites.csv, OUT/sites.json and OUT/sites.gpkg.\n"
    "\n"
    "candidates (at least one source; several add up):\n"
    "  --candidates FILE        candidate points (shapefile, GeoJSON, CSV)\n"
    "  --candidates-where EXPR  keep the candidates matching a filter (as a scenario's where)\n"
    "  --candidate-id FIELD     id field of the candidates (default: id or name when present, else the record)\n"
    "  --grid M                 a regular grid of M metres inside the sub-districts\n"
    "  --road-spacing M         one road junction per M x M square inside the sub-districts\n"
    "  --gap-centroids          the population-weighted centre of each sub-district below the station minimum\n"
    "  --exclude FILE           polygons (water, protected land): candidates inside are dropped\n"
    "\n"
    "scenario changes and new stations:\n"
    "  --close ID[,ID...]       close these existing stations first (the scenario's id_field)\n"
    "  --turnout S              turn-out delay of a new station (default: median of the open stations)\n"
    "  --ambulances N           ambulances of a new station (default: median of the open stations)\n"
    "\n"
    "optimisation:\n"
    "  --k K                    number of new sites to choose (default 5, at most the candidates)\n"
    "  --exact                  also solve the k-site problem exactly with GLPK (reports greedy's gap)\n"
    "  --time-limit S           GLPK time limit in seconds (default 60)\n"
    "  --exact-max-nz N         size limit of the exact model, nonzeros (default 200000)\n"
    "  --target-share X         fewest sites so that every sub-district has its minimum of stations and a\n"
    "                           share X (0..1) of the population is within the standard\n"
    "  --calls-per-day N --job-min M   busy ambulances: MEXCLP expected coverage and call satisfaction\n"
    "\n"
    "output:\n"
    "  --out DIR                output directory (default: sites-out beside the scenario file)\n"
    "  --top N                  candidates listed in the summary (default 10)\n"
    "  --json                   print sites.json to stdout instead of the summary\n"
    "  --db CONNINFO            also store the run in PostGIS (docs/postgis.md), as analyze --db does: a\n"
    "                           libpq conninfo or URI; \"\" or env: the PG* environment. The database is\n"
    "                           reached before the computation; the run is stored in one transaction and\n"
    "                           the local files are kept only when it was stored\n"
    "  --db-schema S            schema for the results (default emscov)\n"
    "  --replace NAME           store the run under NAME and delete the earlier sites runs of that name in\n"
    "                           the same transaction (default: a run named after the scenario)\n"
    "\n"
    "reading options for --candidates:\n";

/* Split "a,b,c" into a new array of pointers into a copy. */
static ems_status split_ids(emscov_ctx *ctx, const char *text, char **copy, const char ***ids, size_t *n)
{
    *copy = ems_strdup(ctx, text);
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    *ids = ems_malloc(ctx, cap * sizeof **ids);
    if (!*copy || !*ids)
        return EMS_ENOMEM;
    *n = 0;
    for (char *tok = *copy, *end; tok; tok = end) {
        end = strchr(tok, ',');
        if (end)
            *end++ = '\0';
        while (*tok == ' ')
            tok++;
        size_t l = strlen(tok);
        while (l > 0 && tok[l - 1] == ' ')
            tok[--l] = '\0';
        if (*tok)
            (*ids)[(*n)++] = tok;
    }
    if (*n == 0)
        return emscov_fail(ctx, EMS_EINPUT, "--close: no station id given");
    return EMS_OK;
}

/* What write_sites_run needs (outset_pg's user). */
typedef struct sites_db_run {
    store_pg_sites_run *run;
    const result_layer *rl;
    uint64_t *rows;
} sites_db_run;

/* The sites run into the database (the output set's write); not yet committed. */
static ems_status write_sites_run(emscov_ctx *ctx, store_pg *db, void *user, const outset *set, int64_t *id)
{
    (void)set;
    sites_db_run *d = user;
    d->run->finished = wall_s();
    return store_pg_write_sites(ctx, db, d->run, d->rl, 2, id, d->rows);
}

/* The outputs, and with db the run in PostGIS, as one output set (src/output/store.h): every file staged, the
 * run written and committed, then the files put in place together; a database failure leaves the old files,
 * a file failure after the commit takes the stored run out again. */
static ems_status write_all(emscov_ctx *ctx, const sites_plan *plan, const char *dir, store_pg *db,
                            store_pg_sites_run *run, char **json, int64_t *run_id, uint64_t *rows)
{
    char *csv = NULL;
    layer *lc = NULL, *ls = NULL;
    outset *set = NULL;
    ems_status st = sites_report_json(ctx, plan, json);
    if (st == EMS_OK)
        st = sites_report_csv(ctx, plan, &csv);
    if (st == EMS_OK)
        st = sites_report_layers(ctx, plan, &lc, &ls);
    result_layer rl[2] = {{"site_candidate", "emscov sites: every candidate with its what-if gains", lc},
                          {"site_selected", "emscov sites: the best k new sites (greedy + swap)", ls}};
    result_layer gl[2] = {{"candidate", "candidate sites with their what-if gains", lc},
                          {"selected_site", "the best k new sites (greedy + swap)", ls}};
    if (st == EMS_OK && db) /* SRID and tables checked before anything is written */
        st = store_pg_prepare_sites(ctx, db, plan->a->in.working, rl, 2);
    if (st == EMS_OK)
        st = outset_begin(ctx, dir, &set);
    if (st == EMS_OK)
        st = outset_add_gpkg(ctx, set, "sites.gpkg", gl, 2);
    if (st == EMS_OK)
        st = outset_add_bytes(ctx, set, "sites.json", *json, strlen(*json));
    if (st == EMS_OK)
        st = outset_add_bytes(ctx, set, "sites.csv", csv, strlen(csv));
    sites_db_run dbr = {run, rl, rows};
    if (st == EMS_OK && db) {
        run->sites_json = *json;
        outset_pg pg = {db, "sites run", write_sites_run, store_pg_delete_sites_run, &dbr};
        outset_attach_pg(set, &pg);
    }
    if (st == EMS_OK) {
        st = outset_commit(ctx, set, run_id);
        set = NULL;
    }
    outset_abort(set);
    free(csv);
    layer_destroy(lc);
    layer_destroy(ls);
    return st;
}

ems_status cmd_sites(emscov_ctx *ctx, int argc, char **argv)
{
    const char *path = NULL, *outdir = NULL, *v = NULL, *db_info = NULL, *db_schema = NULL, *replace = NULL;
    bool as_json = false, exact = false;
    sites_opts so = {.turnout_s = -1, .ambulances = -1};
    double k_opt = 0, target = 0, time_limit = 60, max_nz = OPT_EXACT_DEFAULT_MAX_NZ, top = 10;
    char *close_copy = NULL;
    const char **close_ids = NULL;
    ems_status st = EMS_OK;
    for (int i = 1; i < argc && st == EMS_OK; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            fputs(sites_help, stdout);
            fputs(cli_layer_opts_help, stdout);
            free(close_copy);
            free(close_ids);
            return EMS_OK;
        }
        if (cli_flag(argv, i, "json")) {
            as_json = true;
            continue;
        }
        if (cli_flag(argv, i, "exact")) {
            exact = true;
            continue;
        }
        if (cli_flag(argv, i, "gap-centroids")) {
            so.gap_centroids = true;
            continue;
        }
        struct {
            const char *name;
            double lo, hi, *out;
        } nums[] = {{"grid", 1, 1e6, &so.grid_m},
                    {"road-spacing", 1, 1e6, &so.road_spacing_m},
                    {"k", 1, 1e6, &k_opt},
                    {"target-share", 1e-9, 1, &target},
                    {"time-limit", 0.01, 1e6, &time_limit},
                    {"exact-max-nz", 1, 1e10, &max_nz},
                    {"calls-per-day", 1e-9, 1e9, &so.calls_per_day},
                    {"job-min", 1e-9, 1e6, &so.job_min},
                    {"turnout", 0, 1e5, &so.turnout_s},
                    {"ambulances", 0, 1e4, &so.ambulances},
                    {"top", 0, 1e9, &top}};
        bool done = false;
        for (size_t k = 0; k < sizeof nums / sizeof *nums && !done; k++)
            if ((r = cli_opt(ctx, argc, argv, &i, nums[k].name, &v)) != 0) {
                char opt[64];
                snprintf(opt, sizeof opt, "--%s", nums[k].name);
                st = r < 0 ? EMS_EINPUT : cli_number(ctx, opt, v, nums[k].lo, nums[k].hi, nums[k].out);
                done = true;
            }
        if (done)
            continue;
        const char **strs[] = {&so.cand_path, &so.cand_where, &so.cand_id_field, &so.exclude_path, &outdir,
                               &db_info,      &db_schema,     &replace};
        const char *snames[] = {"candidates", "candidates-where", "candidate-id", "exclude", "out",
                                "db",         "db-schema",        "replace"};
        for (size_t k = 0; k < sizeof snames / sizeof *snames && !done; k++)
            if ((r = cli_opt(ctx, argc, argv, &i, snames[k], strs[k])) != 0) {
                st = r < 0 ? EMS_EINPUT : EMS_OK;
                done = true;
            }
        if (done)
            continue;
        if ((r = cli_opt(ctx, argc, argv, &i, "close", &v)) != 0) {
            if (r < 0 || close_copy)
                st = r < 0 ? EMS_EINPUT : emscov_fail(ctx, EMS_EINPUT, "--close given twice: list the ids once, "
                                                                       "comma-separated");
            else
                st = split_ids(ctx, v, &close_copy, &close_ids, &so.nclose);
            continue;
        }
        if ((r = cli_layer_opt(ctx, argc, argv, &i, &so.cand_ro)) != 0) {
            st = r < 0 ? EMS_EINPUT : EMS_OK;
            continue;
        }
        if (argv[i][0] == '-' || path)
            st = emscov_fail(ctx, EMS_EINPUT, "sites: unexpected argument %s (emscov sites --help)", argv[i]);
        else
            path = argv[i];
    }
    so.close_ids = close_ids;
    if (st == EMS_OK && !path)
        st = emscov_fail(ctx, EMS_EINPUT, "sites: no SCENARIO.ini given (emscov sites --help)");
    if (st == EMS_OK && so.cand_where && !so.cand_path)
        st = emscov_fail(ctx, EMS_EINPUT, "--candidates-where needs --candidates FILE");
    if (st == EMS_OK && (so.calls_per_day > 0) != (so.job_min > 0))
        st = emscov_fail(ctx, EMS_EINPUT, "--calls-per-day and --job-min go together (MEXCLP needs both)");
    if (st == EMS_OK && k_opt != floor(k_opt))
        st = emscov_fail(ctx, EMS_EINPUT, "--k %g: a whole number of sites, please", k_opt);
    if (st == EMS_OK && (db_schema || replace) && !db_info)
        st = emscov_fail(ctx, EMS_EINPUT, "sites: --%s needs --db CONNINFO",
                         db_schema ? "db-schema" : "replace");
    if (st == EMS_OK && replace && !*replace)
        st = emscov_fail(ctx, EMS_EINPUT, "sites: --replace needs a run name");
    char dir[4096];
    if (outdir)
        snprintf(dir, sizeof dir, "%s", outdir);
    else if (path) {
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof dir, "%.*s%ssites-out", slash ? (int)(slash - path) : 0, path, slash ? "/" : "");
    }
    scenario *sc = NULL;
    analysis *a = NULL;
    sites_plan *plan = NULL;
    char *json = NULL;
    pg_conn *pc = NULL;
    store_pg *db = NULL;
    int64_t run_id = 0;
    uint64_t rows = 0;
    double started = wall_s(), t_db = 0;
    /* the database first: a server that is down or refuses fails the run before any work or any local file */
    if (st == EMS_OK && db_info) {
        st = pg_connect(ctx, strcmp(db_info, "env") ? db_info : "", &pc);
        if (st == EMS_OK)
            st = store_pg_open(ctx, pc, db_schema ? db_schema : STORE_PG_DEFAULT_SCHEMA, EMSCOV_VERSION, &db);
    }
    if (st == EMS_OK)
        st = scenario_load(ctx, path, EMSCOV_DATA_DIR, &sc);
    if (st == EMS_OK)
        st = analysis_run(ctx, sc, &a);
    sites_plan_opts po = {.eval = so, .k = (size_t)k_opt, .exact = exact, .time_limit_s = time_limit,
                          .exact_max_nz = (size_t)max_nz, .target_share = target};
    if (st == EMS_OK)
        st = sites_plan_run(ctx, a, &po, &plan);
    if (st == EMS_OK) {
        store_pg_sites_run run = {.name = replace ? replace : sc->name, .scenario = path, .started = started,
                                  .replace = replace != NULL};
        double t0 = now_s();
        st = write_all(ctx, plan, dir, db, &run, &json, &run_id, &rows);
        t_db = now_s() - t0;
    }
    char stored[1200] = "";
    if (st == EMS_OK && db)
        snprintf(stored, sizeof stored,
                 "stored sites run %lld in %s at %s (%llu rows, %.2f s with the files)\n", (long long)run_id,
                 store_pg_schema(db), pg_describe(pc), (unsigned long long)rows, t_db);
    if (st == EMS_OK) {
        const sites_result *sr = plan->r;
        if (as_json) {
            fputs(json, stdout);
            fputs(stored, stderr); /* stdout is sites.json alone */
        } else {
            sites_report_summary(stdout, plan, (size_t)top);
            printf("\ntime: prepare %.2f s, %zu candidate searches %.2f s (CPU %.2f s, %d threads, %.0f nodes a "
                   "search), greedy k = %zu + swap %.2f s, exact %.2f s\n", sr->prepare_s, sr->ncand, sr->evaluate_s,
                   sr->evaluate_cpu_s, sr->threads, sr->ncand ? (double)sr->settled_total / (double)sr->ncand : 0,
                   plan->k, plan->greedy_s, plan->exact_s);
            printf("wrote %s/sites.csv, %s/sites.json, %s/sites.gpkg\n%s", dir, dir, dir, stored);
        }
        fflush(stdout);
    }
    free(json);
    store_pg_destroy(db);
    pg_disconnect(pc);
    sites_plan_destroy(plan);
    analysis_destroy(a);
    scenario_destroy(sc);
    free(close_copy);
    free(close_ids);
    return st;
}
