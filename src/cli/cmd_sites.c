/* src/cli/cmd_sites.c: `emscov sites SCENARIO.ini` -- where should new stations go? The what-if gain of
 * every candidate site, the best k new sites (greedy + swap, exact with GLPK when small), the fewest sites
 * meeting a coverage target, and the busy-ambulance (MEXCLP) estimate. Writes sites.csv, sites.json and
 * sites.gpkg into the output directory, and with --db the run in PostGIS (src/output/store_pg.h). Each file
 * is written under a temporary name and renamed after the database transaction commits (cmd_analyze.c's
 * order); bad input (exit 2) or a database failure leaves nothing behind. */
#include "src/cli/cli.h"

#include "src/analysis/sites.h"
#include "src/output/report.h"
#include "src/output/sites_report.h"
#include "src/output/store_gpkg.h"
#include "src/output/store_pg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* The outputs, and with db the run in PostGIS. Every file is written under a temporary name (the GeoPackage
 * uncommitted); the database transaction commits next, and only then are the files committed: a database
 * failure leaves no new file, a file failure after the commit takes the stored run out again. */
static ems_status write_all(emscov_ctx *ctx, const sites_plan *plan, const char *dir, store_pg *db,
                            store_pg_sites_run *run, char **json, int64_t *run_id, uint64_t *rows)
{
    char p_json[4200], p_csv[4200], p_gpkg[4200], t_json[4300], t_csv[4300];
    snprintf(p_json, sizeof p_json, "%s/sites.json", dir);
    snprintf(p_csv, sizeof p_csv, "%s/sites.csv", dir);
    snprintf(p_gpkg, sizeof p_gpkg, "%s/sites.gpkg", dir);
    snprintf(t_json, sizeof t_json, "%s.pending-%ld", p_json, (long)getpid());
    snprintf(t_csv, sizeof t_csv, "%s.pending-%ld", p_csv, (long)getpid());
    char *csv = NULL;
    layer *lc = NULL, *ls = NULL;
    gpkg_store *gs = NULL;
    bool json_tmp = false, csv_tmp = false, db_committed = false;
    ems_status st = sites_report_json(ctx, plan, json);
    if (st == EMS_OK)
        st = sites_report_csv(ctx, plan, &csv);
    if (st == EMS_OK)
        st = sites_report_layers(ctx, plan, &lc, &ls);
    result_layer rl[2] = {{"site_candidate", "emscov sites: every candidate with its what-if gains", lc},
                          {"site_selected", "emscov sites: the best k new sites (greedy + swap)", ls}};
    if (st == EMS_OK && db) /* SRID and tables checked before anything is written */
        st = store_pg_prepare_sites(ctx, db, plan->r->a->in.working, rl, 2);
    if (st == EMS_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot create the output directory: %s", dir, strerror(errno));
    if (st == EMS_OK && (st = gpkg_store_begin(ctx, p_gpkg, &gs)) == EMS_OK) {
        st = gpkg_store_write_layer(ctx, gs, "candidate", "candidate sites with their what-if gains", lc);
        if (st == EMS_OK)
            st = gpkg_store_write_layer(ctx, gs, "selected_site", "the best k new sites (greedy + swap)", ls);
    }
    if (st == EMS_OK)
        json_tmp = (st = report_write_atomic(ctx, t_json, *json, strlen(*json))) == EMS_OK;
    if (st == EMS_OK)
        csv_tmp = (st = report_write_atomic(ctx, t_csv, csv, strlen(csv))) == EMS_OK;
    if (st == EMS_OK && db) {
        run->sites_json = *json;
        run->finished = wall_s();
        st = store_pg_write_sites(ctx, db, run, rl, 2, run_id, rows);
        if (st == EMS_OK)
            db_committed = (st = store_pg_commit(ctx, db)) == EMS_OK;
        else {
            store_pg_abort(db);
            char first[1024];
            snprintf(first, sizeof first, "%s", emscov_message(ctx));
            emscov_fail(ctx, st, "%s; nothing of this run was stored or written", first);
        }
    }
    if (st == EMS_OK) {
        st = gpkg_store_commit(ctx, gs);
        gs = NULL;
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
        char first[1024];
        snprintf(first, sizeof first, "%s", emscov_message(ctx));
        if (store_pg_delete_sites_run(ctx, db, *run_id) == EMS_OK)
            emscov_fail(ctx, st, "%s (sites run %lld was taken out of the database again)", first,
                        (long long)*run_id);
        else
            emscov_fail(ctx, st, "%s (and sites run %lld stays in the database)", first, (long long)*run_id);
    }
    gpkg_store_abort(gs);
    if (json_tmp)
        unlink(t_json);
    if (csv_tmp)
        unlink(t_csv);
    free(csv);
    layer_destroy(lc);
    layer_destroy(ls);
    return st;
}

static void describe_candidates(const sites_opts *o, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    if (o->cand_path)
        n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%s", n ? " + " : "", o->cand_path);
    if (o->grid_m > 0 && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "%sgrid %g m", n ? " + " : "", o->grid_m);
    if (o->road_spacing_m > 0 && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, "%sroad junctions every %g m", n ? " + " : "", o->road_spacing_m);
    if (o->gap_centroids && n < cap)
        snprintf(buf + n, cap - n, "%sgap sub-district centres", n ? " + " : "");
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
    sites_result *sr = NULL;
    opt_greedy_result g = {0};
    opt_exact_result ex = {0};
    opt_lscp_result ls = {0};
    char *json = NULL;
    sites_plan plan = {0};
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
    if (st == EMS_OK)
        st = sites_evaluate(ctx, a, &so, &sr);
    size_t k = 0;
    if (st == EMS_OK) {
        if (k_opt > 0 && (size_t)k_opt > sr->ncand)
            st = emscov_fail(ctx, EMS_EINPUT, "--k %.0f: only %zu candidate sites are left to choose from", k_opt,
                             sr->ncand);
        k = k_opt > 0 ? (size_t)k_opt : sr->ncand < 5 ? sr->ncand : 5;
    }
    opt_instance in;
    double t_greedy = 0, t_exact = 0, t0 = now_s();
    if (st == EMS_OK) {
        sites_instance(sr, &in);
        st = opt_greedy(ctx, &in, k, true, &g);
        t_greedy = now_s() - t0;
    }
    opt_exact_opts eo = {.time_limit_s = time_limit, .max_nonzeros = exact ? (size_t)max_nz : 20000,
                         .start_sel = g.sel, .start_n = k};
    t0 = now_s();
    if (st == EMS_OK)
        st = opt_exact_mclp(ctx, &in, k, &eo, &ex);
    t_exact = now_s() - t0;
    if (st == EMS_OK && !exact && ex.status != OPT_EXACT_OPTIMAL && ex.status != OPT_EXACT_TIME_LIMIT)
        ex.status = OPT_EXACT_NOT_RUN; /* not asked for and not small: say nothing */
    uint32_t *need = NULL;
    if (st == EMS_OK && target > 0) {
        size_t nu = layer_count(a->in.streets);
        uint32_t *grp = ems_malloc(ctx, (sr->ncand ? sr->ncand : 1) * sizeof *grp);
        need = ems_calloc(ctx, nu ? nu : 1, sizeof *need);
        if (!grp || !need)
            st = EMS_ENOMEM;
        for (size_t u = 0; st == EMS_OK && u < nu; u++) {
            double want = ceil(sr->min_stations) - (double)sr->unit_stations[u];
            need[u] = want > 0 ? (uint32_t)want : 0;
        }
        for (size_t c = 0; st == EMS_OK && c < sr->ncand; c++)
            grp[c] = sr->cand[c].unit == SITES_NONE ? OPT_NONE : sr->cand[c].unit;
        double need_w = target * sr->pop_total - sr->base_covered;
        opt_lscp_problem lp = {&in, need_w > 0 ? need_w : 0, grp, need, nu};
        opt_exact_opts le = {.time_limit_s = time_limit, .max_nonzeros = exact ? (size_t)max_nz : 20000};
        if (st == EMS_OK)
            st = opt_lscp(ctx, &lp, &le, &ls);
        if (st == EMS_OK && ls.groups_short) {
            st = emscov_fail(ctx, EMS_EINPUT, "--target-share: %zu sub-district(s) below the minimum of %g station(s) "
                             "have no candidate inside, e.g. %s (add --gap-centroids)", ls.groups_short,
                             sr->min_stations, a->result->subdistricts[ls.first_short].label);
        } else if (st == EMS_OK && !ls.feasible) {
            st = emscov_fail(ctx, EMS_EINPUT, "--target-share %g: unreachable: with every one of the %zu candidates, "
                             "at most %.0f of %.0f residents (%.2f %%) are within %g min", target, sr->ncand,
                             sr->base_covered + ls.max_weight, sr->pop_total,
                             100 * (sr->base_covered + ls.max_weight) / sr->pop_total, sr->standard_s / 60);
        }
        free(grp);
    }
    char from[512];
    if (st == EMS_OK) {
        describe_candidates(&so, from, sizeof from);
        plan = (sites_plan){.r = sr, .candidates_from = from, .k = k, .greedy = &g, .exact = &ex,
                            .exact_time_limit_s = time_limit, .target_share = target, .lscp = &ls,
                            .top = (size_t)top};
        st = sites_selection_eval(ctx, sr, g.sel, k, &plan.sel_covered, &plan.sel_q, &plan.sel_expected);
        store_pg_sites_run run = {.name = replace ? replace : sc->name, .scenario = path, .started = started,
                                  .replace = replace != NULL};
        t0 = now_s();
        if (st == EMS_OK)
            st = write_all(ctx, &plan, dir, db, &run, &json, &run_id, &rows);
        t_db = now_s() - t0;
    }
    char stored[1200] = "";
    if (st == EMS_OK && db)
        snprintf(stored, sizeof stored,
                 "stored sites run %lld in %s at %s (%llu rows, %.2f s with the files)\n", (long long)run_id,
                 store_pg_schema(db), pg_describe(pc), (unsigned long long)rows, t_db);
    if (st == EMS_OK) {
        if (as_json) {
            fputs(json, stdout);
            fputs(stored, stderr); /* stdout is sites.json alone */
        } else {
            sites_report_summary(stdout, &plan);
            printf("\ntime: prepare %.2f s, %zu candidate searches %.2f s (CPU %.2f s, %d threads, %.0f nodes a "
                   "search), greedy k = %zu + swap %.2f s, exact %.2f s\n", sr->prepare_s, sr->ncand, sr->evaluate_s,
                   sr->evaluate_cpu_s, sr->threads, sr->ncand ? (double)sr->settled_total / (double)sr->ncand : 0, k, t_greedy, t_exact);
            printf("wrote %s/sites.csv, %s/sites.json, %s/sites.gpkg\n%s", dir, dir, dir, stored);
        }
        fflush(stdout);
    }
    free(json);
    free(need);
    store_pg_destroy(db);
    pg_disconnect(pc);
    opt_greedy_fini(&g);
    opt_exact_fini(&ex);
    opt_lscp_fini(&ls);
    sites_destroy(sr);
    analysis_destroy(a);
    scenario_destroy(sc);
    free(close_copy);
    free(close_ids);
    return st;
}
