/* src/cli/cmd_map.c: `emscov map` -- coverage maps (PNG, SVG, PDF) of an analyze run read back from its
 * GeoPackage or from the PostGIS store (run id, latest, or run name): response-time bands, a choropleth
 * against the standard, station gaps with proposed sites, park service areas. One map, or one per value of
 * a field (--each). This file parses the options; src/output/map_job.c reads the run and draws. */
#include "src/cli/cli.h"

#include "src/output/i18n.h"
#include "src/output/map_job.h"

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
    "  --format F         png, svg or pdf (default: from --out's extension, else png)\n"
    "  --out PATH         the file; a directory for --each (one file per value, named VALUE-KIND.EXT),\n"
    "                     or one PDF with a page per value when PATH ends in .pdf\n"
    "  --sites FILE       proposed sites: a GeoPackage from emscov sites (layer selected_site) or any layer\n"
    "  --residential FILE residential land polygons for --kind parks\n"
    "  --db-schema S      schema of the PostGIS store (default emscov)\n";

typedef struct map_args {
    const char *gpkg, *db, *run, *schema, *kind, *field, *each, *page, *dpi, *format, *out, *sites, *residential;
} map_args;

static ems_status parse_args(emscov_ctx *ctx, int argc, char **argv, map_args *a, bool *help)
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
        int r = 0;
        for (size_t k = 0; k < sizeof opts / sizeof *opts && r == 0; k++)
            r = cli_opt(ctx, argc, argv, &i, opts[k].name, opts[k].value);
        if (r < 0) return EMS_EINPUT;
        if (r == 0)
            return emscov_fail(ctx, EMS_EINPUT, "map: unexpected argument %s (emscov map --help)", argv[i]);
    }
    return EMS_OK;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcasecmp(s + a - b, tail);
}

static void print_written(void *user, const map_written *w)
{
    (void)user;
    if (w->each)
        printf(_("wrote %s (%zu pages, one per %s)\n"), w->path, w->pages, w->each);
    else
        printf(_("wrote %s\n"), w->path);
}

ems_status cmd_map(emscov_ctx *ctx, int argc, char **argv)
{
    map_args a = {0};
    bool help = false;
    ems_status st = parse_args(ctx, argc, argv, &a, &help);
    if (st != EMS_OK) return st;
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
    if (a.format) {
        if (!map_format_parse(a.format, &o->format))
            return emscov_fail(ctx, EMS_EINPUT, "map: unknown --format %s (png, svg, pdf)", a.format);
    } else if (ends_with(a.out, ".pdf")) {
        o->format = MAP_PDF;
    } else if (ends_with(a.out, ".svg")) {
        o->format = MAP_SVG;
    } else {
        o->format = MAP_PNG;
    }
    return map_job_run(ctx, &job, print_written, NULL);
}
