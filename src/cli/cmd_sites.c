/* src/cli/cmd_sites.c: `emscov sites SCENARIO.ini` -- where should new stations go? The what-if gain of
 * every candidate site, the best k new sites (greedy + swap, exact with GLPK when small), the fewest sites
 * meeting a coverage target, and the busy-ambulance (MEXCLP) estimate. Parses the options, runs job_sites
 * (src/output/job.h: the analysis, the sites plan, sites.csv, sites.json, sites.gpkg and with --db the PostGIS
 * run, as one output set) and prints the summary, or sites.json with --json. */
#include "src/cli/cli.h"

#include "src/output/i18n.h"
#include "src/output/job.h"
#include "src/output/sites_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
    "  --objective coverage|mexclp  what the K sites maximise: coverage (default) is the ladder newly\n"
    "                           covered population, then gaps filled, then backup coverage, then mean time;\n"
    "                           mexclp is the expected covered population with busy ambulances (needs\n"
    "                           --job-min, and --calls-per-day unless the [calls] layer has dates)\n"
    "  --per-gap N              best candidates listed for every sub-district below the station minimum\n"
    "                           (default 3)\n"
    "  --exact                  also solve the k-site problem exactly with GLPK (reports greedy's gap)\n"
    "  --time-limit S           GLPK time limit in seconds (default 60)\n"
    "  --exact-max-nz N         size limit of the exact model, nonzeros (default 200000)\n"
    "  --target-share X         fewest sites so that every sub-district has its minimum of stations and a\n"
    "                           share X (0..1) of the population is within the standard\n"
    "  --job-min M              mean minutes an ambulance is busy with a call: MEXCLP expected coverage and\n"
    "                           call satisfaction; calls per day from the [calls] layer's dates (its weight\n"
    "                           over the days from the first date to the last, both counted)\n"
    "  --calls-per-day N        calls a day instead (overrides the [calls] estimate)\n"
    "\n"
    "output:\n"
    "  --out DIR                output directory (default: sites-out beside the scenario file)\n"
    "  --top N                  candidates listed in the summary (default 10)\n"
    "  --json                   print sites.json to stdout instead of the summary, with \"stored_run\":\n"
    "                           {\"id\", \"where\"} added: the PostGIS run id with --db, null without\n"
    "  --quiet                  print nothing on stdout (errors and warnings still go to stderr)\n"
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

ems_status cmd_sites(emscov_ctx *ctx, int argc, char **argv)
{
    const char *v = NULL;
    job_opts o = {.data_dir = cli_data_dir(), .version = EMSCOV_VERSION, .lang = cli_lang_option()};
    bool exact = false;
    cli_out out = {0};
    sites_opts so = {.turnout_s = -1, .ambulances = -1};
    double k_opt = 0, per_gap = SITES_PER_GAP_DEFAULT, target = 0, time_limit = 60, max_nz = OPT_EXACT_DEFAULT_MAX_NZ, top = 10;
    char *close_copy = NULL;
    const char **close_ids = NULL;
    sites_objective objective = SITES_OBJ_COVERAGE;
    ems_status st = EMS_OK;
    for (int i = 1; i < argc && st == EMS_OK; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            fputs(sites_help, stdout);
            fputs(cli_layer_opts_help, stdout);
            fputs("\nscenario layers:\n", stdout);
            fputs(cli_scenario_coords_help, stdout);
            fputs("\nCSV and language:\n", stdout);
            fputs(cli_csv_opts_help, stdout);
            fputs("  --lang zh|en     the language of the summary (default: the scenario's lang, else the locale)\n",
                  stdout);
            free(close_copy);
            free(close_ids);
            return EMS_OK;
        }
        if (cli_out_opt(argv, i, &out))
            continue;
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
                    {"per-gap", 1, 1e4, &per_gap},
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
        const char **strs[] = {&so.cand_path, &so.cand_where, &so.cand_id_field, &so.exclude_path, &o.out_dir,
                               &o.db,         &o.db_schema,   &o.replace};
        const char *snames[] = {"candidates", "candidates-where", "candidate-id", "exclude", "out",
                                "db",         "db-schema",        "replace"};
        for (size_t k = 0; k < sizeof snames / sizeof *snames && !done; k++)
            if ((r = cli_opt(ctx, argc, argv, &i, snames[k], strs[k])) != 0) {
                st = r < 0 ? EMS_EINPUT : EMS_OK;
                done = true;
            }
        if (done)
            continue;
        if ((r = cli_opt(ctx, argc, argv, &i, "objective", &v)) != 0) {
            if (r < 0)
                st = EMS_EINPUT;
            else if (!strcmp(v, "coverage") || !strcmp(v, "mexclp"))
                objective = strcmp(v, "mexclp") ? SITES_OBJ_COVERAGE : SITES_OBJ_MEXCLP;
            else
                st = emscov_fail(ctx, EMS_EINPUT, "--objective %s: coverage or mexclp", v);
            continue;
        }
        if ((r = cli_opt(ctx, argc, argv, &i, "close", &v)) != 0) {
            if (r < 0 || close_copy)
                st = r < 0 ? EMS_EINPUT : emscov_fail(ctx, EMS_EINPUT, "--close given twice: list the ids once, "
                                                                       "comma-separated");
            else
                st = split_ids(ctx, v, &close_copy, &close_ids, &so.nclose);
            continue;
        }
        if ((r = cli_scenario_coords(ctx, argc, argv, &i, &o)) != 0 || (r = cli_layer_opt(ctx, argc, argv, &i, &so.cand_ro)) != 0 ||
            (r = cli_csv_opt(ctx, argc, argv, &i, &o.csv)) != 0) {
            st = r < 0 ? EMS_EINPUT : EMS_OK;
            continue;
        }
        if (argv[i][0] == '-' || o.scenario_path)
            st = emscov_fail(ctx, EMS_EINPUT, "sites: unexpected argument %s (emscov sites --help)", argv[i]);
        else
            o.scenario_path = argv[i];
    }
    so.close_ids = close_ids;
    if (st == EMS_OK)
        st = cli_out_check(ctx, "sites", &out);
    if (st == EMS_OK && !o.scenario_path)
        st = emscov_fail(ctx, EMS_EINPUT, "sites: no SCENARIO.ini given (emscov sites --help)");
    if (st == EMS_OK && so.cand_where && !so.cand_path)
        st = emscov_fail(ctx, EMS_EINPUT, "--candidates-where needs --candidates FILE");
    if (st == EMS_OK && so.calls_per_day > 0 && !(so.job_min > 0))
        st = emscov_fail(ctx, EMS_EINPUT, "--calls-per-day needs --job-min (MEXCLP needs both)");
    if (st == EMS_OK && k_opt != floor(k_opt))
        st = emscov_fail(ctx, EMS_EINPUT, "--k %g: a whole number of sites, please", k_opt);
    if (st == EMS_OK && per_gap != floor(per_gap))
        st = emscov_fail(ctx, EMS_EINPUT, "--per-gap %g: a whole number of candidates, please", per_gap);
    if (st == EMS_OK && objective == SITES_OBJ_MEXCLP && !(so.job_min > 0))
        st = emscov_fail(ctx, EMS_EINPUT, "--objective mexclp needs --job-min (and --calls-per-day without dated "
                                          "[calls])");
    sites_plan_opts po = {.eval = so, .k = (size_t)k_opt, .objective = objective, .per_gap = (size_t)per_gap,
                          .exact = exact, .time_limit_s = time_limit,
                          .exact_max_nz = (size_t)max_nz, .target_share = target};
    job *j = NULL;
    if (st == EMS_OK)
        st = job_sites(ctx, &o, &po, &j);
    if (st == EMS_OK) {
        const sites_plan *plan = j->plan;
        const sites_result *sr = plan->r;
        char stored[1200] = "";
        if (j->stored)
            snprintf(stored, sizeof stored, _("stored sites run %lld in %s (%llu rows, %.2f s with the files)\n"),
                     (long long)j->run_id, j->stored_at, (unsigned long long)j->rows, j->store_s);
        if (out.json) {
            st = cli_print_run_json(ctx, j->json, j->stored, (long long)j->run_id, j->stored_at);
            fputs(stored, stderr); /* stdout is JSON alone */
        } else if (!out.quiet) {
            sites_report_summary(stdout, plan, (size_t)top);
            printf(_("\ntime: prepare %.2f s, %zu candidate searches %.2f s (CPU %.2f s, %d threads, %.0f nodes a "
                     "search), greedy k = %zu + swap %.2f s, exact %.2f s\n"),
                   sr->prepare_s, sr->ncand, sr->evaluate_s, sr->evaluate_cpu_s, sr->threads,
                   sr->ncand ? (double)sr->settled_total / (double)sr->ncand : 0, plan->k, plan->greedy_s,
                   plan->exact_s);
            printf(_("wrote %s, %s, %s\n%s"), j->files[0], j->files[1], j->files[2], stored);
        }
        fflush(stdout);
    }
    job_destroy(j);
    free(close_copy);
    free(close_ids);
    return st;
}
