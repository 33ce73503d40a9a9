/* src/cli/cmd_analyze.c: `emscov analyze SCENARIO.ini` -- the main job. Parses the options, runs job_analyze
 * (src/output/job.h: analysis, report.json, streets.csv, the GeoPackage and with --db the PostGIS run, as one
 * output set) and prints the summary, or report.json with --json. */
#include "src/cli/cli.h"

#include "src/output/job.h"
#include "src/output/i18n.h"
#include "src/output/report.h"

#include <stdio.h>
#include <string.h>

static const char analyze_help[] =
    "usage: emscov analyze [OPTIONS] SCENARIO.ini\n"
    "\n"
    "Run the analysis a scenario file describes (docs/user-guide.md lists its keys) and print each figure\n"
    "beside its target. Writes OUT/report.json, OUT/streets.csv and OUT/emscov.gpkg (and OUT/report.pdf,\n"
    "OUT/report.html with --report), as one output set.\n"
    "\n"
    "options:\n"
    "  --out DIR        output directory (default: emscov-out beside the scenario file); created if missing\n"
    "  --json           print report.json to stdout instead of the summary, with \"stored_run\": {\"id\",\n"
    "                   \"where\"} added: the PostGIS run id with --db, null without\n"
    "  --quiet          print nothing on stdout (errors and warnings still go to stderr)\n"
    "  --db CONNINFO    also store the run in PostGIS (docs/postgis.md): a libpq conninfo or URI\n"
    "                   (\"host=... dbname=...\", postgresql://...); \"\" or env: the PG* environment\n"
    "                   variables, ~/.pgpass and the service file. Passwords are never printed. The\n"
    "                   database is reached before the analysis starts; the run is stored in one\n"
    "                   transaction, and the local files are kept only when the run was stored (and the\n"
    "                   other way round)\n"
    "  --db-schema S    schema for the results (default emscov); created, or its layout migrated, as needed\n"
    "  --replace NAME   store the run under NAME and delete the earlier runs of that name in the same\n"
    "                   transaction (default: add a run named after the scenario; names need not be\n"
    "                   unique)\n"
    "  --report F[,F]   also write the planner's report, report.pdf and/or report.html (F: pdf, html), in\n"
    "                   the language of the run (--lang, else the scenario's lang, else the locale); the\n"
    "                   same document as emscov report renders from the output directory later\n"
    "  --lang zh|en     the language of the summary and the report (default: the scenario's lang, else the\n"
    "                   locale); report.json, streets.csv's keys and the database are the same either way\n";

/* "pdf", "html", "pdf,html" -> JOB_DOC_* bits. */
static ems_status parse_docs(emscov_ctx *ctx, const char *v, unsigned *docs)
{
    *docs = 0;
    for (const char *p = v; *p;) {
        size_t n = strcspn(p, ",");
        if (n == 3 && !strncmp(p, "pdf", 3))
            *docs |= JOB_DOC_PDF;
        else if (n == 4 && !strncmp(p, "html", 4))
            *docs |= JOB_DOC_HTML;
        else
            return emscov_fail(ctx, EMS_EINPUT, "--report %s: give pdf, html or pdf,html", v);
        p += n + (p[n] == ',');
    }
    return *docs ? EMS_OK : emscov_fail(ctx, EMS_EINPUT, "--report needs pdf, html or pdf,html");
}

ems_status cmd_analyze(emscov_ctx *ctx, int argc, char **argv)
{
    job_opts o = {.data_dir = cli_data_dir(), .version = EMSCOV_VERSION, .lang = cli_lang_option()};
    cli_out out = {0};
    const char *docs = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            fputs(analyze_help, stdout);
            fputs(cli_csv_opts_help, stdout);
            fputs(cli_scenario_coords_help, stdout);
            return EMS_OK;
        }
        if (cli_out_opt(argv, i, &out))
            continue;
        if ((r = cli_opt(ctx, argc, argv, &i, "out", &o.out_dir)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "db", &o.db)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "db-schema", &o.db_schema)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "replace", &o.replace)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "report", &docs)) != 0 || (r = cli_csv_opt(ctx, argc, argv, &i, &o.csv)) != 0 ||
            (r = cli_scenario_coords(ctx, argc, argv, &i, &o)) != 0) {
            if (r < 0)
                return EMS_EINPUT;
            continue;
        }
        if (argv[i][0] == '-' || o.scenario_path)
            return emscov_fail(ctx, EMS_EINPUT, "analyze: unexpected argument %s (emscov analyze --help)", argv[i]);
        o.scenario_path = argv[i];
    }
    if (!o.scenario_path)
        return emscov_fail(ctx, EMS_EINPUT, "analyze: no SCENARIO.ini given (emscov analyze --help)");
    ems_status st = cli_out_check(ctx, "analyze", &out);
    if (st == EMS_OK && docs)
        st = parse_docs(ctx, docs, &o.docs);
    if (st != EMS_OK)
        return st;
    job *j = NULL;
    st = job_analyze(ctx, &o, &j);
    if (st != EMS_OK)
        return st;
    char stored[1200] = "";
    if (j->stored)
        snprintf(stored, sizeof stored, _("stored run %lld in %s (%llu rows, %.2f s with the files)\n"),
                 (long long)j->run_id, j->stored_at, (unsigned long long)j->rows, j->store_s);
    if (out.json) {
        st = cli_print_run_json(ctx, j->json, j->stored, (long long)j->run_id, j->stored_at);
        fputs(stored, stderr); /* stdout is JSON alone */
    } else if (!out.quiet) {
        report_summary(stdout, j->a->result);
        printf("\n%s ", _("wrote"));
        for (size_t k = 0; k < j->nfiles; k++)
            printf("%s%s", k ? _(", ") : "", j->files[k]);
        printf("\n%s", stored);
    }
    fflush(stdout);
    job_destroy(j);
    return st;
}
