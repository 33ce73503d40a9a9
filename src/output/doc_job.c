/* src/output/doc_job.c: read a finished run and render its report (see doc_job.h). */
#include "src/output/doc_job.h"

#include "src/output/report.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The path of the run's residential input: report.json's input_files (or a PostGIS run's inputs), the first
 * file of the role. "" when the run had none. */
static void residential_of(const stored_run *r, char *path, size_t cap)
{
    path[0] = '\0';
    json_object *rep = r->report ? json_tokener_parse(r->report) : NULL, *in = r->inputs ? json_tokener_parse(r->inputs) : NULL;
    json_object *a = NULL, *o = NULL, *v = NULL;
    if (in && json_object_object_get_ex(in, "residential", &o) && json_object_object_get_ex(o, "files", &a) &&
        json_object_array_length(a) > 0 && json_object_object_get_ex(json_object_array_get_idx(a, 0), "path", &v))
        snprintf(path, cap, "%s", json_object_get_string(v));
    else if (rep && json_object_object_get_ex(rep, "input_files", &a))
        for (size_t k = 0; k < json_object_array_length(a); k++) {
            json_object *f = json_object_array_get_idx(a, k), *role = NULL;
            if (json_object_object_get_ex(f, "role", &role) && !strcmp(json_object_get_string(role), "residential") &&
                json_object_object_get_ex(f, "path", &v)) {
                snprintf(path, cap, "%s", json_object_get_string(v));
                break;
            }
        }
    json_object_put(rep);
    json_object_put(in);
}

/* Residential land for the park map, in the streets' CRS: the job's, else the run's own when still there
 * (a warning when it is there but cannot be read; nothing when it is gone). */
static ems_status read_residential(emscov_ctx *ctx, const doc_job *job, const stored_run *r, layer **out)
{
    *out = NULL;
    char path[4200];
    if (job->residential)
        snprintf(path, sizeof path, "%s", job->residential);
    else
        residential_of(r, path, sizeof path);
    struct stat sb;
    if (!path[0] || (!job->residential && stat(path, &sb) != 0))
        return EMS_OK;
    layer_read_opts o = {0};
    ems_status st = layer_read(ctx, path, &o, out);
    if (st == EMS_OK)
        st = layer_transform(ctx, *out, layer_crs(r->streets));
    if (st != EMS_OK) {
        layer_destroy(*out);
        *out = NULL;
        if (job->residential)
            return st;
        emscov_warn(ctx, "%s: residential land not drawn: %s", path, emscov_message(ctx));
        emscov_clear(ctx);
    }
    return EMS_OK;
}

static ems_status read_sites(emscov_ctx *ctx, const char *sites, char *from, size_t cap, char **json)
{
    *json = NULL;
    if (!sites)
        return EMS_OK;
    if (is_dir(sites))
        snprintf(from, cap, "%s/sites.json", sites);
    else
        snprintf(from, cap, "%s", sites);
    size_t len = 0;
    ems_status st = ems_read_file(ctx, from, json, &len);
    if (st != EMS_OK)
        return emscov_fail(ctx, st, "%s: cannot read the sites run (give the output directory of emscov sites, or "
                                    "its sites.json)", from);
    return EMS_OK;
}

ems_status doc_job_run(emscov_ctx *ctx, const doc_job *job, doc_stats *stats)
{
    *stats = (doc_stats){0};
    if (!job->out)
        return emscov_fail(ctx, EMS_EINPUT, "report: --out FILE is required");
    char gpkg[4200], where[4400], sites_from[4200];
    stored_run_ref ref = job->db;
    ref.cmd = "report";
    if (job->dir) {
        if (!is_dir(job->dir))
            return emscov_fail(ctx, EMS_EINPUT, "report: %s is not a directory (give the output directory of emscov "
                                                "analyze)", job->dir);
        snprintf(gpkg, sizeof gpkg, "%s/emscov.gpkg", job->dir);
        ref = (stored_run_ref){.gpkg = gpkg, .cmd = "report"};
    }
    stored_run r;
    ems_status st = stored_run_read(ctx, &ref,
                                    STORED_RUN_STREETS | STORED_RUN_STATIONS | STORED_RUN_DEMAND |
                                        STORED_RUN_PARKS_IF_STORED,
                                    &r);
    if (st != EMS_OK)
        return st;
    layer *res = NULL;
    char *sites = NULL, *bytes = NULL;
    size_t len = 0;
    if (!r.report)
        st = emscov_fail(ctx, EMS_EINPUT, "report: %s%s: no report.json (emscov analyze writes it beside the "
                                          "GeoPackage)", job->dir ? job->dir : "run ", job->dir ? "" : ref.run);
    if (st == EMS_OK && r.parks && !strstr(r.report, "\"parks\""))
        layer_destroy(r.parks), r.parks = NULL; /* the table of another run's parks */
    if (st == EMS_OK && r.parks)
        st = read_residential(ctx, job, &r, &res);
    if (st == EMS_OK)
        st = read_sites(ctx, job->sites, sites_from, sizeof sites_from, &sites);
    if (st == EMS_OK) {
        if (job->dir)
            snprintf(where, sizeof where, _("the files in %s"), job->dir);
        else
            snprintf(where, sizeof where, _("PostGIS run %lld (schema %s)"), r.id, ref.schema ? ref.schema : "emscov");
        doc_source src = {.report_json = r.report,
                          .sites_json = sites,
                          .sites_from = job->sites ? sites_from : NULL,
                          .inputs_json = r.inputs,
                          .maps = {.streets = r.streets, .demand_pts = r.demand.c ? &r.demand : NULL,
                                   .stations = r.stations, .parks = r.parks, .residential = res,
                                   .mean_below_s = NAN, .coverage_within_s = NAN, .residents_per_ambulance = NAN},
                          .run = where,
                          .date = r.date[0] ? r.date : NULL,
                          .time = r.time[0] ? r.time : NULL,
                          .version = r.version[0] ? r.version : NULL,
                          .renderer = job->version};
        st = doc_render(ctx, &src, &job->opts, &bytes, &len, stats);
        stats->run_id = r.id;
    }
    if (st == EMS_OK)
        st = report_write_atomic(ctx, job->out, bytes, len);
    map_release_fonts();
    free(bytes);
    free(sites);
    layer_destroy(res);
    stored_run_fini(&r);
    return st;
}
