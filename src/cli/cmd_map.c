/* src/cli/cmd_map.c: `emscov map` -- coverage maps (PNG, SVG, PDF) of an analyze run read back from its
 * GeoPackage or from a PostGIS run id: response-time bands, a choropleth against the standard, station gaps
 * with proposed sites, park service areas. One map, or one per value of a field (--each). Files are written
 * to temporary names and renamed (src/output/map.c). */
#include "src/cli/cli.h"

#include "geo/pg.h"
#include "src/output/map.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

static const char map_help[] =
    "usage: emscov map (--gpkg FILE | --db CONNINFO --run ID) --kind KIND --out PATH [OPTIONS]\n"
    "\n"
    "Draw a map of an analyze run: from its GeoPackage (report.json beside it gives the standard) or from\n"
    "the PostGIS store (run ID of schema emscov's run table).\n"
    "\n"
    "  --kind KIND        time        response-time bands 0-4-8-12-16+ min at each demand cell, stations\n"
    "                     choropleth  a street_summary field per sub-district, the standard's target marked\n"
    "                     gaps        sub-districts without a station; proposed sites with --sites\n"
    "                     parks       park service areas over residential land (--residential)\n"
    "  --field F          choropleth field: covered_share (default), mean_s, ambulances_per_30k, or any\n"
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

typedef struct run_meta {
    char date[16], standard[128], scenario[256];
    double mean_below_s, coverage_within_s, residents_per_ambulance;
} run_meta;

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

static double json_num(json_object *o, const char *k1, const char *k2)
{
    json_object *a = NULL, *b = NULL;
    if (!json_object_object_get_ex(o, k1, &a) || !json_object_object_get_ex(a, k2, &b) || !b) return NAN;
    return json_object_get_double(b);
}

/* report.json beside the GeoPackage (if present): scenario, standard and its targets. Date: the file's
 * modification day (UTC). */
static ems_status gpkg_meta(emscov_ctx *ctx, const char *gpkg, run_meta *m)
{
    struct stat sb;
    if (stat(gpkg, &sb) != 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: %s", gpkg, strerror(errno));
    struct tm tmv;
    time_t t = sb.st_mtime;
    if (gmtime_r(&t, &tmv)) strftime(m->date, sizeof m->date, "%Y-%m-%d", &tmv);
    const char *slash = strrchr(gpkg, '/');
    char path[4200];
    snprintf(path, sizeof path, "%.*sreport.json", slash ? (int)(slash - gpkg + 1) : 0, gpkg);
    if (stat(path, &sb) != 0) return EMS_OK;
    json_object *r = json_object_from_file(path);
    if (!r) {
        emscov_warn(ctx, "%s: not readable JSON: standard unknown", path);
        return EMS_OK;
    }
    json_object *s = NULL, *n = NULL;
    if (json_object_object_get_ex(r, "standards", &s) && json_object_object_get_ex(s, "name", &n) && n)
        snprintf(m->standard, sizeof m->standard, "%s", json_object_get_string(n));
    if (json_object_object_get_ex(r, "scenario", &n) && n)
        snprintf(m->scenario, sizeof m->scenario, "%s", json_object_get_string(n));
    m->mean_below_s = json_num(r, "standards", "mean_below_s");
    m->coverage_within_s = json_num(r, "standards", "coverage_within_s");
    m->residents_per_ambulance = json_num(r, "standards", "residents_per_ambulance");
    json_object_put(r);
    return EMS_OK;
}

/* The run row of the PostGIS store: its start day (UTC), name, standard and targets. */
static ems_status pg_meta(emscov_ctx *ctx, const map_args *a, run_meta *m)
{
    pg_conn *c = NULL;
    ems_status st = pg_connect(ctx, a->db, &c);
    if (st != EMS_OK) return st;
    char *qt = pg_ident(ctx, c, a->schema, "run");
    PGresult *r = NULL;
    char sql[1024];
    if (!qt) {
        st = EMS_ENOMEM;
        goto done;
    }
    snprintf(sql, sizeof sql,
             "SELECT to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD'), standards, name, "
             "(report->'standards'->>'mean_below_s')::float8, (report->'standards'->>'coverage_within_s')::float8, "
             "(report->'standards'->>'residents_per_ambulance')::float8 FROM %s WHERE id = $1",
             qt);
    const char *params[] = {a->run};
    if ((st = pg_query(ctx, c, "reading the run", sql, 1, params, &r)) != EMS_OK) goto done;
    if (PQntuples(r) != 1) {
        st = emscov_fail(ctx, EMS_EINPUT, "map: run %s is not in %s.run", a->run, a->schema);
        goto done;
    }
    snprintf(m->date, sizeof m->date, "%s", PQgetvalue(r, 0, 0));
    if (!PQgetisnull(r, 0, 1)) snprintf(m->standard, sizeof m->standard, "%s", PQgetvalue(r, 0, 1));
    snprintf(m->scenario, sizeof m->scenario, "%s", PQgetvalue(r, 0, 2));
    double *dst[] = {&m->mean_below_s, &m->coverage_within_s, &m->residents_per_ambulance};
    for (int k = 0; k < 3; k++)
        *dst[k] = PQgetisnull(r, 0, 3 + k) ? NAN : strtod(PQgetvalue(r, 0, 3 + k), NULL);
done:
    if (r) PQclear(r);
    free(qt);
    pg_disconnect(c);
    return st;
}

/* A result layer of the run. */
static ems_status read_result(emscov_ctx *ctx, const map_args *a, const char *table, layer **out)
{
    char src[4400];
    layer_read_opts o = {0};
    if (a->gpkg) {
        snprintf(src, sizeof src, "%s:%s", a->gpkg, table);
        o.format = "gpkg";
    } else {
        snprintf(src, sizeof src, "pg:%s.%s?where=run_id+%%3D+%s", a->schema, table, a->run);
        o.conninfo = a->db;
    }
    ems_status st = layer_read(ctx, src, &o, out);
    if (st == EMS_OK && layer_count(*out) == 0 && !strcmp(table, "street_summary"))
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no features%s", src, a->gpkg ? "" : " (is the run id right?)");
    return st;
}

/* Another layer (sites, residential) moved into the map's CRS. */
static ems_status read_other(emscov_ctx *ctx, const char *path, const char *gpkg_table, const crs *to, layer **out)
{
    char src[4400];
    size_t n = strlen(path);
    layer_read_opts o = {0};
    if (gpkg_table && n > 5 && !strcasecmp(path + n - 5, ".gpkg"))
        snprintf(src, sizeof src, "%s:%s", path, gpkg_table);
    else
        snprintf(src, sizeof src, "%s", path);
    ems_status st = layer_read(ctx, src, &o, out);
    if (st == EMS_OK) st = layer_transform(ctx, *out, to);
    return st;
}

static bool all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

static bool plain_name(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return false;
    return true;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcasecmp(s + a - b, tail);
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
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
    if (!a.schema) a.schema = "emscov";
    map_opts o = {.field = a.field, .dpi = 150, .page_w_mm = 297, .page_h_mm = 210};
    if (!!a.gpkg == !!a.db)
        return emscov_fail(ctx, EMS_EINPUT, "map: give either --gpkg FILE or --db CONNINFO --run ID");
    if (a.db && (!a.run || !all_digits(a.run)))
        return emscov_fail(ctx, EMS_EINPUT, "map: --db needs --run ID (a run id number of %s.run)", a.schema);
    if (a.db && !plain_name(a.schema))
        return emscov_fail(ctx, EMS_EINPUT, "map: --db-schema %s: use letters, digits and _ only", a.schema);
    if (!a.kind) return emscov_fail(ctx, EMS_EINPUT, "map: --kind is required (time, choropleth, gaps, parks)");
    if (!map_kind_parse(a.kind, &o.kind))
        return emscov_fail(ctx, EMS_EINPUT, "map: unknown --kind %s (time, choropleth, gaps, parks)", a.kind);
    if (a.field && o.kind != MAP_CHOROPLETH)
        return emscov_fail(ctx, EMS_EINPUT, "map: --field is for --kind choropleth");
    if (!a.out) return emscov_fail(ctx, EMS_EINPUT, "map: --out is required");
    if (a.page && !map_parse_page(a.page, &o.page_w_mm, &o.page_h_mm))
        return emscov_fail(ctx, EMS_EINPUT, "map: --page %s: use A4, A3, A4-portrait, A3-portrait or WxHmm "
                                            "(50-2000 mm a side)", a.page);
    if (a.dpi && (st = cli_number(ctx, "--dpi", a.dpi, 36, 1200, &o.dpi)) != EMS_OK) return st;
    if (a.format) {
        if (!map_format_parse(a.format, &o.format))
            return emscov_fail(ctx, EMS_EINPUT, "map: unknown --format %s (png, svg, pdf)", a.format);
    } else if (ends_with(a.out, ".pdf")) {
        o.format = MAP_PDF;
    } else if (ends_with(a.out, ".svg")) {
        o.format = MAP_SVG;
    } else {
        o.format = MAP_PNG;
    }
    bool one_pdf = a.each && o.format == MAP_PDF && ends_with(a.out, ".pdf");
    if (a.each && !one_pdf && !is_dir(a.out) && mkdir(a.out, 0777) != 0)
        return emscov_fail(ctx, EMS_EIO, "%s: cannot create the output directory: %s", a.out, strerror(errno));

    run_meta meta = {.mean_below_s = NAN, .coverage_within_s = NAN, .residents_per_ambulance = NAN};
    layer *streets = NULL, *demand = NULL, *stations = NULL, *parks = NULL, *sites = NULL, *res = NULL;
    map_group *groups = NULL;
    size_t ngroups = 0;
    map_page *pages = NULL;
    crs *work = NULL;
    st = a.gpkg ? gpkg_meta(ctx, a.gpkg, &meta) : pg_meta(ctx, &a, &meta);
    if (st == EMS_OK) st = read_result(ctx, &a, "street_summary", &streets);
    if (st == EMS_OK && o.kind != MAP_PARKS) st = read_result(ctx, &a, "station", &stations);
    layer_points dpts = {0}; /* a GeoPackage's demand points as arrays: 1.4 M GEOS points cost seconds */
    if (st == EMS_OK && o.kind == MAP_TIME) {
        if (a.gpkg) {
            char src[4400];
            snprintf(src, sizeof src, "%s:demand_time", a.gpkg);
            layer_read_opts ro = {.format = "gpkg"};
            st = layer_read_points(ctx, src, &ro, "time_s", &dpts);
        } else {
            st = read_result(ctx, &a, "demand_time", &demand);
        }
    }
    if (st == EMS_OK && o.kind == MAP_PARKS) st = read_result(ctx, &a, "park_service_area", &parks);
    /* layers from elsewhere than analyze may be in lon/lat: draw in a metric CRS */
    if (st == EMS_OK) {
        if (crs_is_projected_metric(layer_crs(streets)))
            st = crs_clone(ctx, layer_crs(streets), &work);
        else
            st = layer_choose_working_crs(ctx, &streets, 1, &work);
    }
    layer *const all[] = {streets, stations, demand, parks};
    for (size_t k = 0; st == EMS_OK && k < 4; k++)
        if (all[k]) st = layer_transform(ctx, all[k], work);
    if (st == EMS_OK && dpts.c && !crs_equivalent(dpts.c, work)) {
        crs_transformer *t = NULL;
        if ((st = crs_transformer_create(ctx, dpts.c, work, &t)) == EMS_OK)
            st = crs_transform_xy(ctx, t, dpts.x, dpts.y, dpts.n);
        crs_transformer_destroy(t);
        crs_destroy(dpts.c);
        dpts.c = NULL;
        if (st == EMS_OK) st = crs_clone(ctx, work, &dpts.c);
    }
    if (st == EMS_OK && a.sites && o.kind == MAP_GAPS) st = read_other(ctx, a.sites, "selected_site", work, &sites);
    if (st == EMS_OK && a.residential && o.kind == MAP_PARKS)
        st = read_other(ctx, a.residential, NULL, work, &res);
    map_inputs in = {.streets = streets, .demand = demand, .demand_pts = dpts.c ? &dpts : NULL,
                     .stations = stations, .parks = parks,
                     .residential = res, .sites = sites, .scenario = meta.scenario[0] ? meta.scenario : NULL,
                     .date = meta.date[0] ? meta.date : NULL, .standard = meta.standard[0] ? meta.standard : NULL,
                     .mean_below_s = meta.mean_below_s, .coverage_within_s = meta.coverage_within_s,
                     .residents_per_ambulance = meta.residents_per_ambulance};
    if (st == EMS_OK) st = map_check(ctx, &in, &o);
    char suffix[160];
    snprintf(suffix, sizeof suffix, "%s%s%s.%s", map_kind_name(o.kind), o.kind == MAP_CHOROPLETH ? "-" : "",
             o.kind == MAP_CHOROPLETH ? (a.field ? a.field : "covered_share") : "", map_format_ext(o.format));
    if (st == EMS_OK && !a.each) {
        map_page p = {.name = NULL};
        layer_extent(streets, p.extent);
        const layer *pts[] = {stations, sites};
        for (size_t k = 0; k < 2; k++) { /* a station outside the sub-districts is shown too */
            double e[4];
            if (pts[k] && layer_extent(pts[k], e)) {
                p.extent[0] = fmin(p.extent[0], e[0]), p.extent[1] = fmin(p.extent[1], e[1]);
                p.extent[2] = fmax(p.extent[2], e[2]), p.extent[3] = fmax(p.extent[3], e[3]);
            }
        }
        char path[4400];
        if (is_dir(a.out))
            snprintf(path, sizeof path, "%s/%s", a.out, suffix);
        else
            snprintf(path, sizeof path, "%s", a.out);
        st = map_write(ctx, &in, &o, &p, 1, path);
        if (st == EMS_OK) printf("wrote %s\n", path);
    } else if (st == EMS_OK) {
        st = map_groups(ctx, streets, a.each, &groups, &ngroups);
        if (st == EMS_OK && !(pages = ems_calloc(ctx, ngroups, sizeof *pages))) st = EMS_ENOMEM;
        for (size_t g = 0; st == EMS_OK && g < ngroups; g++) {
            pages[g] = (map_page){.name = groups[g].value, .each_field = a.each};
            memcpy(pages[g].extent, groups[g].extent, sizeof pages[g].extent);
        }
        if (st == EMS_OK && one_pdf) {
            st = map_write(ctx, &in, &o, pages, ngroups, a.out);
            if (st == EMS_OK) printf("wrote %s (%zu pages, one per %s)\n", a.out, ngroups, a.each);
        }
        for (size_t g = 0; st == EMS_OK && !one_pdf && g < ngroups; g++) {
            char stem[200], path[4400];
            map_file_stem(groups[g].value, stem, sizeof stem);
            snprintf(path, sizeof path, "%s/%s-%s", a.out, stem, suffix);
            st = map_write(ctx, &in, &o, &pages[g], 1, path);
            if (st == EMS_OK) printf("wrote %s\n", path);
        }
    }
    map_release_fonts();
    free(pages);
    map_groups_free(groups, ngroups);
    crs_destroy(work);
    layer_destroy(streets);
    layer_destroy(demand);
    layer_points_free(&dpts);
    layer_destroy(stations);
    layer_destroy(parks);
    layer_destroy(sites);
    layer_destroy(res);
    return st;
}
