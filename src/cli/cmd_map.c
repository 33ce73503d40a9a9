/* src/cli/cmd_map.c: `emscov map` -- coverage maps (PNG, SVG, PDF) of an analyze run read back from its
 * GeoPackage or from the PostGIS store (run id, latest, or run name): response-time bands, a choropleth
 * against the standard, station gaps with proposed sites, park service areas. One map, or one per value of
 * a field (--each). This file parses the options; src/output/map_job.c reads the run and draws. */
#include "src/cli/cli.h"

#include "src/output/i18n.h"
#include "src/output/map_job.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char map_help[] =
    "usage: emscov map (--gpkg FILE | --db CONNINFO --run RUN) --kind KIND --out PATH [OPTIONS]\n"
    "\n"
    "Draw a map of an analyze run: from its GeoPackage (report.json beside it gives the standard) or from\n"
    "the PostGIS store (RUN: a run id of schema emscov's run table, latest for the run stored last, or a\n"
    "run name for the last run stored under it).\n"
    "\n"
    "  --kind KIND        time        response-time bands 0-4-8-12-16+ min at each demand cell, stations\n"
    "                     choropleth  a street_summary field per sub-district, the standard's target marked\n"
    "                     gaps        sub-districts without a station; proposed sites with --sites\n"
    "                     parks       park service areas over residential land (--residential)\n"
    "  --field F          choropleth field: covered_share (default), mean_s, amb_per_n, or any\n"
    "                     number field of street_summary\n"
    "  --each FIELD       one map per value of a street_summary field (district, name), zoomed to it\n"
    "  --page P           A4 or A3 (landscape), A4-portrait, A3-portrait, or WxHmm (default A4)\n"
    "  --dpi N            PNG resolution, 36-1200 (default 150)\n"
    "  --format F         png, svg or pdf (default: from --out's extension, else png); an extension that is\n"
    "                     none of these (x.jpg), or another than --format's, is refused (exit 2)\n"
    "  --out PATH         the file; a directory for --each (one file per value, named VALUE-KIND.EXT),\n"
    "                     or one PDF with a page per value when PATH ends in .pdf\n"
    "  --sites FILE       proposed sites: a GeoPackage from emscov sites (layer selected_site) or any layer\n"
    "  --residential F    residential land polygons for --kind parks\n"
    "  --db-schema S      schema of the PostGIS store (default emscov)\n"
    "  --json             print what was written as JSON: {\"run_id\", \"kind\", \"format\", \"files\": [{\"path\",\n"
    "                     \"pages\", \"each\"}]} (run_id: the PostGIS run drawn, null for a GeoPackage)\n"
    "  --quiet            print nothing on stdout (errors and warnings still go to stderr)\n";

typedef struct map_args {
    const char *gpkg, *db, *run, *schema, *kind, *field, *each, *page, *dpi, *format, *out, *sites, *residential;
} map_args;

static ems_status parse_args(emscov_ctx *ctx, int argc, char **argv, map_args *a, cli_out *out, bool *help)
{
    struct {
        const char *name;
        const char **value;
    } opts[] = {{"gpkg", &a->gpkg},       {"db", &a->db},         {"run", &a->run},         {"db-schema", &a->schema},
                {"kind", &a->kind},       {"field", &a->field},   {"each", &a->each},       {"page", &a->page},
                {"dpi", &a->dpi},         {"format", &a->format}, {"out", &a->out},         {"sites", &a->sites},
                {"residential", &a->residential}};
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            *help = true;
            return EMS_OK;
        }
        int r = cli_out_opt(argv, i, out);
        for (size_t k = 0; k < sizeof opts / sizeof *opts && r == 0; k++)
            r = cli_opt(ctx, argc, argv, &i, opts[k].name, opts[k].value);
        if (r < 0) return EMS_EINPUT;
        if (r == 0)
            return emscov_fail(ctx, EMS_EINPUT, "map: unexpected argument %s (emscov map --help)", argv[i]);
    }
    return EMS_OK;
}

/* What was written, for --json (files: a JSON array) or the "wrote" lines. */
typedef struct map_report {
    cli_out out;
    json_object *files;
    long long run_id;
} map_report;

static bool ends_with_pdf(const char *s)
{
    size_t n = strlen(s);
    return n >= 4 && !strcasecmp(s + n - 4, ".pdf");
}

static void print_written(void *user, const map_written *w)
{
    map_report *m = user;
    m->run_id = w->run_id;
    if (m->out.json) {
        json_object *f = json_object_new_object();
        json_object_object_add(f, "path", json_object_new_string(w->path));
        json_object_object_add(f, "pages", json_object_new_int64((int64_t)w->pages));
        json_object_object_add(f, "each", w->each ? json_object_new_string(w->each) : NULL);
        json_object_array_add(m->files, f);
    } else if (m->out.quiet) {
        return;
    } else if (w->each) {
        printf(_("wrote %s (%zu pages, one per %s)\n"), w->path, w->pages, w->each);
    } else {
        printf(_("wrote %s\n"), w->path);
    }
}

ems_status cmd_map(emscov_ctx *ctx, int argc, char **argv)
{
    map_args a = {0};
    map_report rep = {0};
    bool help = false;
    ems_status st = parse_args(ctx, argc, argv, &a, &rep.out, &help);
    if (st != EMS_OK || (!help && (st = cli_out_check(ctx, "map", &rep.out)) != EMS_OK)) return st;
    if (help) {
        fputs(map_help, stdout);
        return EMS_OK;
    }
    if (!a.schema) a.schema = "emscov"; /* its spelling is checked by stored_run_read */
    map_job job = {.run = {.gpkg = a.gpkg, .db = a.db, .schema = a.schema, .run = a.run}, .each = a.each,
                   .out = a.out, .sites = a.sites, .residential = a.residential,
                   .opts = {.field = a.field, .dpi = 150, .page_w_mm = 297, .page_h_mm = 210}};
    map_opts *o = &job.opts;
    if (!!a.gpkg == !!a.db)
        return emscov_fail(ctx, EMS_EINPUT, "map: give either --gpkg FILE or --db CONNINFO --run RUN");
    if (a.db && (!a.run || !*a.run))
        return emscov_fail(ctx, EMS_EINPUT, "map: --db needs --run RUN (a run id of %s.run, latest, or a run name)",
                           a.schema);
    if (!a.kind) return emscov_fail(ctx, EMS_EINPUT, "map: --kind is required (time, choropleth, gaps, parks)");
    if (!map_kind_parse(a.kind, &o->kind))
        return emscov_fail(ctx, EMS_EINPUT, "map: unknown --kind %s (time, choropleth, gaps, parks)", a.kind);
    if (a.field && o->kind != MAP_CHOROPLETH)
        return emscov_fail(ctx, EMS_EINPUT, "map: --field is for --kind choropleth");
    if (!a.out) return emscov_fail(ctx, EMS_EINPUT, "map: --out is required");
    if (a.page && !map_parse_page(a.page, &o->page_w_mm, &o->page_h_mm))
        return emscov_fail(ctx, EMS_EINPUT, "map: --page %s: use A4, A3, A4-portrait, A3-portrait or WxHmm "
                                            "(50-2000 mm a side)", a.page);
    if (a.dpi && (st = cli_number(ctx, "--dpi", a.dpi, 36, 1200, &o->dpi)) != EMS_OK) return st;
    /* the formats of map.h's map_format, in its order */
    static const char *const names[] = {"png", "svg", "pdf"}, *const exts[] = {"png\0", "svg\0", "pdf\0"};
    int f = -1;
    /* --each into a directory: the files are named by emscov, so only --format counts */
    bool dir_out = a.each && !ends_with_pdf(a.out);
    if ((st = cli_out_format(ctx, "map", dir_out ? "" : a.out, a.format, names, exts, 3, &f)) != EMS_OK) return st;
    o->format = f < 0 ? MAP_PNG : (map_format)f;
    if (rep.out.json && !(rep.files = json_object_new_array()))
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory (JSON output)");
    st = map_job_run(ctx, &job, print_written, &rep);
    if (st != EMS_OK || !rep.out.json) {
        json_object_put(rep.files);
        return st;
    }
    json_object *root = json_object_new_object();
    if (root) {
        json_object_object_add(root, "run_id", rep.run_id ? json_object_new_int64(rep.run_id) : NULL);
        json_object_object_add(root, "kind", json_object_new_string(map_kind_name(o->kind)));
        json_object_object_add(root, "format", json_object_new_string(names[o->format]));
        json_object_object_add(root, "files", rep.files);
    } else {
        json_object_put(rep.files);
    }
    return cli_print_json(ctx, root);
}
