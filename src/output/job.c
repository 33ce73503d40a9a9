/* src/output/job.c: the analyze and sites runs below the CLI (see job.h). */
#include "src/output/job.h"

#include "src/output/doc.h"
#include "src/output/layers.h"
#include "src/output/report.h"
#include "src/output/sites_report.h"
#include "src/output/store.h"
#include "src/output/store_pg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The output directory: as given, else beside the scenario file. */
static void out_dir(const job_opts *o, const char *fallback, char *dir, size_t cap)
{
    if (o->out_dir) {
        snprintf(dir, cap, "%s", o->out_dir);
        return;
    }
    const char *slash = strrchr(o->scenario_path, '/');
    snprintf(dir, cap, "%.*s%s%s", slash ? (int)(slash - o->scenario_path) : 0, o->scenario_path, slash ? "/" : "",
             fallback);
}

/* Everything before the computation: the options checked, the database reached (a server that is down or
 * refuses fails the run before any work or any local file), the scenario read, the analysis run. */
static ems_status start(emscov_ctx *ctx, const job_opts *o, const char *fallback, job **out, pg_conn **pc,
                        store_pg **db)
{
    *out = NULL;
    if (!o->scenario_path)
        return emscov_fail(ctx, EMS_EINPUT, "no SCENARIO.ini given");
    if ((o->db_schema || o->replace) && !o->db)
        return emscov_fail(ctx, EMS_EINPUT, "--%s needs --db CONNINFO", o->db_schema ? "db-schema" : "replace");
    if (o->replace && !*o->replace)
        return emscov_fail(ctx, EMS_EINPUT, "--replace needs a run name");
    job *j = ems_calloc(ctx, 1, sizeof *j);
    if (!j)
        return EMS_ENOMEM;
    *out = j;
    out_dir(o, fallback, j->out_dir, sizeof j->out_dir);
    ems_status st = EMS_OK;
    if (o->db) {
        st = pg_connect(ctx, strcmp(o->db, "env") ? o->db : "", pc);
        if (st == EMS_OK)
            st = store_pg_open(ctx, *pc, o->db_schema ? o->db_schema : STORE_PG_DEFAULT_SCHEMA, o->version, db);
        if (st == EMS_OK)
            snprintf(j->stored_at, sizeof j->stored_at, "%s at %s", store_pg_schema(*db), pg_describe(*pc));
    }
    if (st == EMS_OK)
        st = scenario_load(ctx, o->scenario_path, o->data_dir, &j->sc);
    if (st == EMS_OK && o->db) /* the scenario's pg: sources are read from the same database */
        st = scenario_set_conninfo(ctx, j->sc, strcmp(o->db, "env") ? o->db : "");
    for (size_t k = 0; st == EMS_OK && k < o->ncoords; k++)
        st = scenario_set_coords(ctx, j->sc, o->coords[k]);
    if (st == EMS_OK) { /* --lang, else the scenario's lang, else as it is */
        j->lang = i18n_current();
        if (!(o->lang && i18n_lang_parse(o->lang, &j->lang)) && j->sc->lang)
            i18n_lang_parse(j->sc->lang, &j->lang);
        i18n_use(j->lang);
    }
    if (st == EMS_OK)
        st = analysis_run(ctx, j->sc, &j->a);
    return st;
}

static void add_file(job *j, const char *name)
{
    if (j->nfiles < sizeof j->files / sizeof *j->files)
        snprintf(j->files[j->nfiles++], sizeof j->files[0], "%s/%s", j->out_dir, name);
}

/* ---- analyze ----------------------------------------------------------------------------------------- */

/* The run's inputs by role (NULL path: absent), for their checksums in report.json and the stored run. */
#define JOB_INPUTS 11
static void run_inputs(const scenario *sc, store_pg_input in[JOB_INPUTS])
{
    const store_pg_input all[JOB_INPUTS] = {{"scenario", sc->path},
                                            {"streets", sc->streets.path},
                                            {"stations", sc->stations.path},
                                            {"population", sc->population.path},
                                            {"population_target", sc->pop_target.path},
                                            {"roads", sc->roads.path},
                                            {"parks", sc->parks.path},
                                            {"residential", sc->residential.path},
                                            {"speed_profile", sc->speed_path},
                                            {"standards", sc->std->path},
                                            {"park_rules", sc->parks.path ? sc->park_rules : NULL}};
    memcpy(in, all, sizeof all);
}

/* The run's input files with their sizes and SHA-256. */
static ems_status checksum_inputs(emscov_ctx *ctx, const scenario *sc, input_files *fs)
{
    store_pg_input in[JOB_INPUTS];
    run_inputs(sc, in);
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < JOB_INPUTS; k++)
        st = input_files_add(ctx, fs, in[k].name, in[k].path);
    return st;
}

static const layer *find_layer(const result_layer *ls, size_t n, const char *table)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(ls[k].table, table))
            return ls[k].l;
    return NULL;
}

/* report.pdf / report.html of the run into the set, rendered from report.json as written (src/output/doc.h)
 * and the result layers, in the run's language. */
static ems_status add_docs(emscov_ctx *ctx, const job_opts *o, job *j, const result_layer *ls, size_t nl, outset *set)
{
    const run_result *r = j->a->result;
    /* the demand points as arrays, borrowed from the model (the map only reads them) */
    layer_points pts = {.n = r->geo.npoints, .x = (double *)r->geo.x, .y = (double *)r->geo.y,
                        .v = (double *)r->geo.time_s, .c = (crs *)r->geo.working};
    char date[16] = "", hm[8] = "";
    time_t now = time(NULL);
    struct tm tmv;
    if (gmtime_r(&now, &tmv)) {
        strftime(date, sizeof date, "%Y-%m-%d", &tmv);
        strftime(hm, sizeof hm, "%H:%M", &tmv);
    }
    doc_source src = {.report_json = j->json,
                      .maps = {.streets = find_layer(ls, nl, "street_summary"), .demand_pts = &pts,
                               .stations = find_layer(ls, nl, "station"), .parks = find_layer(ls, nl, "park_service_area"),
                               .residential = j->a->in.residential, .mean_below_s = NAN, .coverage_within_s = NAN,
                               .residents_per_ambulance = NAN},
                      .run = j->out_dir,
                      .date = date,
                      .time = hm,
                      .version = o->version};
    static const struct {
        unsigned bit;
        doc_format format;
        const char *name;
    } docs[] = {{JOB_DOC_PDF, DOC_PDF, "report.pdf"}, {JOB_DOC_HTML, DOC_HTML, "report.html"}};
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < 2; k++) {
        if (!(o->docs & docs[k].bit))
            continue;
        char *bytes = NULL;
        size_t len = 0;
        doc_stats stats;
        doc_opts dop = {.format = docs[k].format, .lang = j->lang};
        st = doc_render(ctx, &src, &dop, &bytes, &len, &stats);
        if (st == EMS_OK && stats.unknown_glyphs > 0)
            emscov_warn(ctx, "%s: %d characters have no glyph in the installed fonts (shown as boxes): install "
                             "fonts-noto-cjk", docs[k].name, stats.unknown_glyphs);
        if (st == EMS_OK)
            st = outset_add_bytes(ctx, set, docs[k].name, bytes, len);
        free(bytes);
    }
    map_release_fonts();
    return st;
}

typedef struct analyze_db {
    job *j;
    const input_files *files;
    const char *name;
    bool replace;
    double started;
    const result_layer *ls;
    size_t nl;
} analyze_db;

/* The run into the database (the output set's write): the inputs to checksum, report.json, then COPY; not yet
 * committed. */
static ems_status write_analyze_run(emscov_ctx *ctx, store_pg *db, void *user, const outset *set, int64_t *id)
{
    (void)set;
    analyze_db *d = user;
    const scenario *sc = d->j->sc;
    store_pg_input in[JOB_INPUTS];
    run_inputs(sc, in);
    store_pg_run run = {.name = d->name,
                        .scenario = sc->path,
                        .report_json = d->j->json,
                        .inputs = in,
                        .ninputs = JOB_INPUTS,
                        .files = d->files,
                        .started = d->started,
                        .finished = now_s(CLOCK_REALTIME),
                        .replace = d->replace};
    return store_pg_write(ctx, db, &run, d->ls, d->nl, id, &d->j->rows);
}

ems_status job_analyze(emscov_ctx *ctx, const job_opts *o, job **out)
{
    double started = now_s(CLOCK_REALTIME);
    pg_conn *pc = NULL;
    store_pg *db = NULL;
    result_layer ls[RESULT_LAYERS_MAX];
    size_t nl = 0;
    outset *set = NULL;
    char *csv = NULL;
    input_files files = {0};
    ems_status st = start(ctx, o, "emscov-out", out, &pc, &db);
    job *j = *out;
    if (st == EMS_OK)
        st = checksum_inputs(ctx, j->sc, &files);
    if (st == EMS_OK)
        st = result_layers_build(ctx, j->a->result, ls, &nl);
    double t0 = now_s(CLOCK_MONOTONIC);
    if (st == EMS_OK && db) /* SRID and tables checked before anything is written */
        st = store_pg_prepare(ctx, db, j->a->in.working, ls, nl);
    /* One output set: every file staged; with a database the run written and committed; then the files put in
     * place together. A database failure leaves the old files, a file failure after the commit takes the
     * stored run out again. */
    if (st == EMS_OK)
        st = outset_begin(ctx, j->out_dir, &set);
    if (st == EMS_OK)
        st = outset_add_gpkg(ctx, set, "emscov.gpkg", ls, nl);
    report_meta meta = {.emscov_version = o->version, .files = &files};
    if (st == EMS_OK && (st = report_json(ctx, j->a->result, &meta, &j->json)) == EMS_OK)
        st = outset_add_bytes(ctx, set, "report.json", j->json, strlen(j->json));
    if (st == EMS_OK && (st = report_streets_csv(ctx, j->a->result, &o->csv, &csv)) == EMS_OK)
        st = outset_add_bytes(ctx, set, "streets.csv", csv, strlen(csv));
    if (st == EMS_OK && o->docs)
        st = add_docs(ctx, o, j, ls, nl, set);
    analyze_db d = {j, &files, o->replace ? o->replace : j && j->sc ? j->sc->name : NULL, o->replace != NULL, started,
                    ls, nl};
    outset_pg pg = {db, "run", write_analyze_run, store_pg_delete_run, &d};
    if (st == EMS_OK && db)
        outset_attach_pg(set, &pg);
    if (st == EMS_OK) {
        st = outset_commit(ctx, set, &j->run_id);
        set = NULL;
    }
    outset_abort(set);
    if (st == EMS_OK) {
        j->store_s = now_s(CLOCK_MONOTONIC) - t0;
        j->stored = db != NULL;
        add_file(j, "report.json");
        add_file(j, "streets.csv");
        add_file(j, "emscov.gpkg");
        if (o->docs & JOB_DOC_PDF)
            add_file(j, "report.pdf");
        if (o->docs & JOB_DOC_HTML)
            add_file(j, "report.html");
        run_result_add_timing(j->a->result, db ? "output set + pg store" : "output set (gpkg)", j->store_s);
    }
    free(csv);
    input_files_free(&files);
    result_layers_free(ls, nl);
    store_pg_destroy(db);
    pg_disconnect(pc);
    if (st != EMS_OK) {
        job_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* ---- sites ------------------------------------------------------------------------------------------- */

typedef struct sites_db {
    store_pg_sites_run *run;
    const result_layer *rl;
    uint64_t *rows;
} sites_db;

static ems_status write_sites_run(emscov_ctx *ctx, store_pg *db, void *user, const outset *set, int64_t *id)
{
    (void)set;
    sites_db *d = user;
    d->run->finished = now_s(CLOCK_REALTIME);
    return store_pg_write_sites(ctx, db, d->run, d->rl, 2, id, d->rows);
}

ems_status job_sites(emscov_ctx *ctx, const job_opts *o, const sites_plan_opts *po, job **out)
{
    double started = now_s(CLOCK_REALTIME);
    pg_conn *pc = NULL;
    store_pg *db = NULL;
    outset *set = NULL;
    char *csv = NULL;
    layer *lc = NULL, *ls = NULL;
    ems_status st = start(ctx, o, "sites-out", out, &pc, &db);
    job *j = *out;
    sites_plan_opts pdb = *po; /* pg: candidates and exclusion layers from --db too, unless given their own */
    if (o->db && !pdb.eval.cand_ro.conninfo)
        pdb.eval.cand_ro.conninfo = strcmp(o->db, "env") ? o->db : "";
    if (st == EMS_OK)
        st = sites_plan_run(ctx, j->a, &pdb, &j->plan);
    double t0 = now_s(CLOCK_MONOTONIC);
    if (st == EMS_OK)
        st = sites_report_json(ctx, j->plan, &j->json);
    if (st == EMS_OK)
        st = sites_report_csv(ctx, j->plan, &o->csv, &csv);
    if (st == EMS_OK)
        st = sites_report_layers(ctx, j->plan, &lc, &ls);
    result_layer rl[2] = {{"site_candidate", "emscov sites: every candidate with its what-if gains", lc},
                          {"site_selected", "emscov sites: the best k new sites (greedy + swap)", ls}};
    result_layer gl[2] = {{"candidate", "candidate sites with their what-if gains", lc},
                          {"selected_site", "the best k new sites (greedy + swap)", ls}};
    if (st == EMS_OK && db) /* SRID and tables checked before anything is written */
        st = store_pg_prepare_sites(ctx, db, j->a->in.working, rl, 2);
    if (st == EMS_OK)
        st = outset_begin(ctx, j->out_dir, &set);
    if (st == EMS_OK)
        st = outset_add_gpkg(ctx, set, "sites.gpkg", gl, 2);
    if (st == EMS_OK)
        st = outset_add_bytes(ctx, set, "sites.json", j->json, strlen(j->json));
    if (st == EMS_OK)
        st = outset_add_bytes(ctx, set, "sites.csv", csv, strlen(csv));
    store_pg_sites_run run = {.name = o->replace ? o->replace : j && j->sc ? j->sc->name : NULL,
                              .scenario = o->scenario_path,
                              .sites_json = j ? j->json : NULL,
                              .started = started,
                              .replace = o->replace != NULL};
    sites_db d = {&run, rl, j ? &j->rows : NULL};
    outset_pg pg = {db, "sites run", write_sites_run, store_pg_delete_sites_run, &d};
    if (st == EMS_OK && db)
        outset_attach_pg(set, &pg);
    if (st == EMS_OK) {
        st = outset_commit(ctx, set, &j->run_id);
        set = NULL;
    }
    outset_abort(set);
    if (st == EMS_OK) {
        j->store_s = now_s(CLOCK_MONOTONIC) - t0;
        j->stored = db != NULL;
        add_file(j, "sites.csv");
        add_file(j, "sites.json");
        add_file(j, "sites.gpkg");
    }
    free(csv);
    layer_destroy(lc);
    layer_destroy(ls);
    store_pg_destroy(db);
    pg_disconnect(pc);
    if (st != EMS_OK) {
        job_destroy(*out);
        *out = NULL;
    }
    return st;
}

void job_destroy(job *j)
{
    if (!j)
        return;
    sites_plan_destroy(j->plan);
    analysis_destroy(j->a);
    scenario_destroy(j->sc);
    free(j->json);
    free(j);
}
