/* src/output/map_job.c: read a stored run and draw its map(s) (see map_job.h). */
#include "src/output/map_job.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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
    if (st == EMS_OK)
        st = layer_transform(ctx, *out, to);
    return st;
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcasecmp(s + a - b, tail);
}

/* The run's layers in one metric CRS: its own when projected, else the UTM zone of the sub-districts. */
static ems_status to_metric(emscov_ctx *ctx, stored_run *r, crs **work)
{
    ems_status st;
    if (crs_is_projected_metric(layer_crs(r->streets)))
        st = crs_clone(ctx, layer_crs(r->streets), work);
    else
        st = layer_choose_working_crs(ctx, &r->streets, 1, work);
    layer *const all[] = {r->streets, r->stations, r->parks};
    for (size_t k = 0; st == EMS_OK && k < 3; k++)
        if (all[k])
            st = layer_transform(ctx, all[k], *work);
    layer_points *d = &r->demand;
    if (st == EMS_OK && d->c && !crs_equivalent(d->c, *work)) {
        crs_transformer *t = NULL;
        if ((st = crs_transformer_create(ctx, d->c, *work, &t)) == EMS_OK)
            st = crs_transform_xy(ctx, t, d->x, d->y, d->n);
        crs_transformer_destroy(t);
        crs_destroy(d->c);
        d->c = NULL;
        if (st == EMS_OK)
            st = crs_clone(ctx, *work, &d->c);
    }
    return st;
}

/* The caller's hook and the run drawn, for every file written. */
typedef struct written_hook {
    map_written_fn fn;
    void *user;
    long long run_id;
} written_hook;

static void written(const written_hook *h, const char *path, size_t pages, const char *each)
{
    if (h->fn) {
        map_written w = {.path = path, .pages = pages, .each = each, .run_id = h->run_id};
        h->fn(h->user, &w);
    }
}

/* One map of the whole area: the sub-districts' extent, widened to show a station or site outside them. */
static ems_status draw_whole(emscov_ctx *ctx, const map_job *job, const map_inputs *in, const char *suffix,
                             const written_hook *h)
{
    map_page p;
    map_page_whole(in, &p);
    char path[4400];
    if (is_dir(job->out))
        snprintf(path, sizeof path, "%s/%s", job->out, suffix);
    else
        snprintf(path, sizeof path, "%s", job->out);
    ems_status st = map_write(ctx, in, &job->opts, &p, 1, path);
    if (st == EMS_OK)
        written(h, path, 1, NULL);
    return st;
}

/* One map per value of job->each: one PDF with a page each, or one file each in the directory job->out. */
static ems_status draw_each(emscov_ctx *ctx, const map_job *job, const map_inputs *in, const char *suffix,
                            bool one_pdf, const written_hook *h)
{
    map_group *groups = NULL;
    size_t ngroups = 0;
    map_page *pages = NULL;
    ems_status st = map_groups(ctx, in->streets, job->each, &groups, &ngroups);
    if (st == EMS_OK && !(pages = ems_calloc(ctx, ngroups, sizeof *pages)))
        st = EMS_ENOMEM;
    for (size_t g = 0; st == EMS_OK && g < ngroups; g++) {
        pages[g] = (map_page){.name = groups[g].value, .each_field = job->each};
        memcpy(pages[g].extent, groups[g].extent, sizeof pages[g].extent);
    }
    if (st == EMS_OK && one_pdf) {
        st = map_write(ctx, in, &job->opts, pages, ngroups, job->out);
        if (st == EMS_OK)
            written(h, job->out, ngroups, job->each);
    }
    for (size_t g = 0; st == EMS_OK && !one_pdf && g < ngroups; g++) {
        char stem[200], path[4400];
        map_file_stem(groups[g].value, stem, sizeof stem);
        snprintf(path, sizeof path, "%s/%s-%s", job->out, stem, suffix);
        st = map_write(ctx, in, &job->opts, &pages[g], 1, path);
        if (st == EMS_OK)
            written(h, path, 1, NULL);
    }
    free(pages);
    map_groups_free(groups, ngroups);
    return st;
}

ems_status map_job_run(emscov_ctx *ctx, const map_job *job, map_written_fn on_written, void *user)
{
    const map_opts *o = &job->opts;
    bool one_pdf = job->each && o->format == MAP_PDF && ends_with(job->out, ".pdf");
    if (job->each && !one_pdf && !is_dir(job->out) && mkdir(job->out, 0777) != 0)
        return emscov_fail(ctx, EMS_EIO, "%s: cannot create the output directory: %s", job->out, strerror(errno));
    unsigned want = STORED_RUN_STREETS | (o->kind != MAP_PARKS ? STORED_RUN_STATIONS : 0) |
                    (o->kind == MAP_TIME ? STORED_RUN_DEMAND : 0) | (o->kind == MAP_PARKS ? STORED_RUN_PARKS : 0);
    stored_run r;
    layer *sites = NULL, *res = NULL;
    crs *work = NULL;
    ems_status st = stored_run_read(ctx, &job->run, want, &r);
    if (st != EMS_OK)
        return st;
    /* layers from elsewhere than analyze may be in lon/lat: draw in a metric CRS */
    st = to_metric(ctx, &r, &work);
    if (st == EMS_OK && job->sites && o->kind == MAP_GAPS)
        st = read_other(ctx, job->sites, "selected_site", work, &sites);
    if (st == EMS_OK && job->residential && o->kind == MAP_PARKS)
        st = read_other(ctx, job->residential, NULL, work, &res);
    map_inputs in = {.streets = r.streets, .demand_pts = r.demand.c ? &r.demand : NULL, .stations = r.stations,
                     .parks = r.parks, .residential = res, .sites = sites,
                     .scenario = r.scenario[0] ? r.scenario : NULL, .date = r.date[0] ? r.date : NULL,
                     .standard = r.standard[0] ? r.standard : NULL, .mean_below_s = r.mean_below_s,
                     .coverage_within_s = r.coverage_within_s, .residents_per_ambulance = r.residents_per_ambulance};
    if (st == EMS_OK)
        st = map_check(ctx, &in, o);
    char suffix[160];
    snprintf(suffix, sizeof suffix, "%s%s%s.%s", map_kind_name(o->kind), o->kind == MAP_CHOROPLETH ? "-" : "",
             o->kind == MAP_CHOROPLETH ? (o->field ? o->field : "covered_share") : "", map_format_ext(o->format));
    written_hook h = {on_written, user, r.id};
    if (st == EMS_OK)
        st = job->each ? draw_each(ctx, job, &in, suffix, one_pdf, &h) : draw_whole(ctx, job, &in, suffix, &h);
    map_release_fonts();
    crs_destroy(work);
    stored_run_fini(&r);
    layer_destroy(sites);
    layer_destroy(res);
    return st;
}
