/* src/cli/cmd_report.c: `emscov report` -- the planner's report of a finished run as PDF or HTML. Parses the
 * options; src/output/doc_job.c reads the run (an analyze output directory, or a PostGIS run) and the
 * optional sites run, and src/output/doc.c renders the document. */
#include "src/cli/cli.h"

#include "src/output/doc_job.h"
#include "src/output/i18n.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char report_help[] =
    "usage: emscov report --run DIR --out FILE [OPTIONS]\n"
    "       emscov report --db CONNINFO --run ID|NAME|latest --out FILE [OPTIONS]\n"
    "\n"
    "The planner's report of a finished run, as one PDF (A4, fonts embedded) or one self-contained HTML file\n"
    "(no network access needed): cover with the inputs and their SHA-256, every target with its value,\n"
    "verdict and the document it comes from, maps (response time, gaps, ambulances per N residents, parks),\n"
    "districts and sub-districts worst first, the gap sub-districts with the best candidate site of a sites\n"
    "run, the input ledger, method and parameters. Every figure is the run's own (report.json).\n"
    "\n"
    "  --run DIR          the output directory of emscov analyze (report.json and emscov.gpkg); with --db: a\n"
    "                     run id of the store's run table, latest, or a run name (the last run of that name)\n"
    "  --db CONNINFO      the PostGIS store the run is in (libpq conninfo or URI)\n"
    "  --db-schema S      schema of the store (default emscov)\n"
    "  --sites PATH       a sites run of the same city: the output directory of emscov sites, or its\n"
    "                     sites.json; names the best candidate site of each gap sub-district\n"
    "  --residential F    residential land for the park map (default: the run's own input, when still there)\n"
    "  --format F         pdf or html (default: from --out's extension: .pdf, .html or .htm; another extension,\n"
    "                     or one that disagrees with --format, is refused: exit 2)\n"
    "  --lang zh|en       the document's language (default: the locale)\n"
    "  --out FILE         the document (written to a temporary name, then renamed)\n"
    "  --json             print what was written as JSON: {\"path\", \"format\", \"pages\", \"maps\", \"run_id\",\n"
    "                     \"unknown_glyphs\", \"seconds\"} (run_id: the PostGIS run, null for a directory)\n"
    "  --quiet            print nothing on stdout (errors and warnings still go to stderr)\n";

ems_status cmd_report(emscov_ctx *ctx, int argc, char **argv)
{
    const char *run = NULL, *db = NULL, *schema = NULL, *sites = NULL, *residential = NULL, *format = NULL,
               *out = NULL;
    struct {
        const char *name, **value;
    } opts[] = {{"run", &run},       {"db", &db},           {"db-schema", &schema}, {"sites", &sites},
                {"residential", &residential}, {"format", &format}, {"out", &out}};
    cli_out o = {0};
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            fputs(report_help, stdout);
            return EMS_OK;
        }
        int r = cli_out_opt(argv, i, &o);
        for (size_t k = 0; k < sizeof opts / sizeof *opts && r == 0; k++)
            r = cli_opt(ctx, argc, argv, &i, opts[k].name, opts[k].value);
        if (r < 0)
            return EMS_EINPUT;
        if (r == 0)
            return emscov_fail(ctx, EMS_EINPUT, "report: unexpected argument %s (emscov report --help)", argv[i]);
    }
    ems_status st = cli_out_check(ctx, "report", &o);
    if (st != EMS_OK)
        return st;
    if (!run || !*run)
        return emscov_fail(ctx, EMS_EINPUT, "report: --run is required: an analyze output directory, or with --db a "
                                            "run id, latest or a run name");
    if (schema && !db)
        return emscov_fail(ctx, EMS_EINPUT, "report: --db-schema needs --db CONNINFO");
    if (!out)
        return emscov_fail(ctx, EMS_EINPUT, "report: --out FILE is required");
    doc_job job = {.sites = sites, .residential = residential, .out = out, .version = EMSCOV_VERSION};
    job.opts.lang = i18n_current();
    /* doc.h's doc_format, in its order */
    static const char *const names[] = {"pdf", "html"}, *const exts[] = {"pdf\0", "html\0htm\0"};
    int f = -1;
    if ((st = cli_out_format(ctx, "report", out, format, names, exts, 2, &f)) != EMS_OK)
        return st;
    if (f < 0)
        return emscov_fail(ctx, EMS_EINPUT, "report: give --format pdf or html (--out %s has neither extension)", out);
    job.opts.format = (doc_format)f;
    if (db)
        job.db = (stored_run_ref){.db = db, .schema = schema ? schema : "emscov", .run = run};
    else
        job.dir = run;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    doc_stats stats;
    st = doc_job_run(ctx, &job, &stats);
    if (st != EMS_OK)
        return st;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (stats.unknown_glyphs > 0)
        emscov_warn(ctx, "%s: %d characters have no glyph in the installed fonts (shown as boxes): install "
                         "fonts-noto-cjk", out, stats.unknown_glyphs);
    if (o.json) {
        json_object *root = json_object_new_object();
        if (root) {
            json_object_object_add(root, "path", json_object_new_string(out));
            json_object_object_add(root, "format", json_object_new_string(names[job.opts.format]));
            json_object_object_add(root, "pages", json_object_new_int64((int64_t)stats.pages));
            json_object_object_add(root, "maps", json_object_new_int64((int64_t)stats.maps));
            json_object_object_add(root, "run_id", stats.run_id ? json_object_new_int64(stats.run_id) : NULL);
            json_object_object_add(root, "unknown_glyphs", json_object_new_int(stats.unknown_glyphs));
            char secs[32];
            snprintf(secs, sizeof secs, "%.3f", s);
            json_object_object_add(root, "seconds", json_object_new_double_s(s, secs));
        }
        return cli_print_json(ctx, root);
    }
    if (o.quiet)
        return EMS_OK;
    if (job.opts.format == DOC_PDF)
        printf(_("wrote %s (%zu pages, %zu maps, %.2f s)\n"), out, stats.pages, stats.maps, s);
    else
        printf(_("wrote %s (%zu maps, %.2f s)\n"), out, stats.maps, s);
    return EMS_OK;
}
