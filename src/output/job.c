/* src/output/job.c: the analyze and sites runs below the CLI (see job.h). */
#include "src/output/job.h"

#include "src/analysis/ahead.h"
#include "src/output/doc.h"
#include "src/output/layers.h"
#include "src/output/report.h"
#include "src/output/sites_report.h"
#include "src/output/store.h"
#include "src/output/store_gpkg.h"
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
 * refuses fails the run before any work or any local file), the scenario read. */
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
    return st;
}

/* The GeoPackage of an output set, written here through store_gpkg (point tables from their arrays): begun,
 * written in one or more calls (tables already written skipped), then finished (committed, or aborted on
 * failure: st). */
static ems_status gpkg_begin(emscov_ctx *ctx, outset *set, const char *name, gpkg_store **gs)
{
    const char *path = NULL;
    *gs = NULL;
    ems_status st = outset_add_file(ctx, set, name, &path);
    return st == EMS_OK ? gpkg_store_begin(ctx, path, gs) : st;
}

static ems_status gpkg_write(emscov_ctx *ctx, gpkg_store *gs, const result_layer *ls, size_t n,
                             const result_layer *done, size_t ndone)
{
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        bool written = false;
        for (size_t i = 0; i < ndone && !written; i++)
            written = !strcmp(done[i].table, ls[k].table);
        if (!written)
            st = gpkg_store_write(ctx, gs, &ls[k]);
    }
    return st;
}

static ems_status gpkg_finish(emscov_ctx *ctx, gpkg_store *gs, ems_status st)
{
    if (st == EMS_OK)
        return gpkg_store_commit(ctx, gs); /* renames inside the staging directory */
    gpkg_store_abort(gs);
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

/* Two parts of the run on threads of their own (src/analysis/ahead.h: own ctx, error reported at its turn):
 * the checksums of the input files while the analysis runs, and, with a database, the load of the run (its
 * own partitions, COPY, indexes: store_pg_load) while the files are written; the output set's database part
 * then only attaches the loaded tables and commits (store_pg_attach, outset_commit). */
typedef struct analyze_db {
    job *j;
    store_pg *db;
    store_pg_input in[JOB_INPUTS];
    input_files files;
    store_pg_run run;
    ahead *sums, *load; /* the two steps above (NULL: not started) */
    const result_layer *ls;
    size_t nl;
    int64_t id;  /* the loaded run */
    bool loaded; /* a transaction is open: attached and committed, or rolled back */
} analyze_db;

static ems_status sums_step(emscov_ctx *ctx, void *user)
{
    analyze_db *d = user;
    return checksum_inputs(ctx, d->j->sc, &d->files);
}

static ems_status load_step(emscov_ctx *ctx, void *user)
{
    analyze_db *d = user;
    return store_pg_load(ctx, d->db, &d->run, d->ls, d->nl, &d->id, &d->j->rows);
}

/* The output set's database part: the load done (waited for), the run's tables attached; not yet committed.
 */
static ems_status write_analyze_run(emscov_ctx *ctx, store_pg *db, void *user, const outset *set, int64_t *id)
{
    (void)set;
    analyze_db *d = user;
    double t0 = now_s(CLOCK_MONOTONIC);
    ems_status st = ahead_finish(ctx, d->load);
    d->loaded = st == EMS_OK;
    if (st == EMS_OK) {
        run_result_add_timing(d->j->a->result, "of which pg load (partitions: COPY + indexes), own thread",
                              ahead_seconds(d->load));
        run_result_add_timing(d->j->a->result, "of which waited for the pg load after the files",
                              now_s(CLOCK_MONOTONIC) - t0);
        st = store_pg_attach(ctx, db, d->ls, d->nl);
    }
    d->loaded = false; /* attached (commit or abort follows), or rolled back */
    *id = st == EMS_OK ? d->id : 0;
    return st;
}

/* Every geometry's lazily cached envelope computed now, on this thread, before two threads read the layers
 * (the GeoPackage writer asks GEOS for envelopes; GEOS 3.11 fills the cache on first use). */
static void warm_envelopes(emscov_ctx *ctx, const result_layer *ls, size_t n)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    double v;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; !ls[k].pts && i < layer_count(ls[k].l); i++) {
            const GEOSGeometry *g = layer_geom(ls[k].l, i);
            for (int p = 0; g && p < GEOSGetNumGeometries_r(h, g); p++) {
                const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, p);
                GEOSGeom_getXMin_r(h, part, &v);
                if (GEOSGeomTypeId_r(h, part) != GEOS_POLYGON)
                    continue;
                GEOSGeom_getXMin_r(h, GEOSGetExteriorRing_r(h, part), &v);
                for (int r = 0; r < GEOSGetNumInteriorRings_r(h, part); r++)
                    GEOSGeom_getXMin_r(h, GEOSGetInteriorRingN_r(h, part, r), &v);
            }
            if (g)
                GEOSGeom_getXMin_r(h, g, &v);
        }
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
    analyze_db d = {0};
    ems_status st = start(ctx, o, "emscov-out", out, &pc, &db);
    job *j = *out;
    d.j = j;
    if (st == EMS_OK) /* the inputs' checksums (report.json and the stored run name them) meanwhile */
        st = ahead_start(ctx, true, sums_step, &d, &d.sums);
    analysis_opts ao = {.defer_service_areas = db == NULL};
    if (st == EMS_OK)
        st = analysis_run_opts(ctx, j->sc, &ao, &j->a);
    /* Without a database, every table but the service areas goes into the GeoPackage while those are still
     * computed on their own thread; they follow (the last table of the file). With one, the files and the
     * database load are written side by side once everything is ready. */
    double t0 = now_s(CLOCK_MONOTONIC), tg = 0;
    gpkg_store *gs = NULL;
    result_layer early[RESULT_LAYERS_MAX];
    size_t ne = 0;
    if (st == EMS_OK && !db) {
        static const char *const first[] = {"street_summary", "demand_time", "station", "park_service_area",
                                            "input_issue"};
        st = result_layers_build_only(ctx, j->a->result, first, sizeof first / sizeof *first, early, &ne);
        if (st == EMS_OK)
            st = outset_begin(ctx, j->out_dir, &set);
        double t = now_s(CLOCK_MONOTONIC);
        if (st == EMS_OK && (st = gpkg_begin(ctx, set, "emscov.gpkg", &gs)) == EMS_OK)
            st = gpkg_write(ctx, gs, early, ne, NULL, 0);
        tg += now_s(CLOCK_MONOTONIC) - t;
    }
    if (st == EMS_OK)
        st = analysis_finish(ctx, j->a);
    if (st == EMS_OK)
        st = result_layers_build(ctx, j->a->result, ls, &nl);
    if (st == EMS_OK && db) /* SRID and tables checked before anything is written */
        st = store_pg_prepare(ctx, db, j->a->in.working, ls, nl);
    if (st == EMS_OK && (st = ahead_finish(ctx, d.sums)) == EMS_OK)
        run_result_add_timing(j->a->result, "checksums of the inputs, on their own thread",
                              ahead_seconds(d.sums));
    report_meta meta = {.emscov_version = o->version, .files = &d.files};
    if (st == EMS_OK)
        st = report_json(ctx, j->a->result, &meta, &j->json);
    if (st == EMS_OK && db) {
        run_inputs(j->sc, d.in);
        d.db = db;
        d.ls = ls;
        d.nl = nl;
        d.run = (store_pg_run){.name = o->replace ? o->replace : j->sc->name,
                               .scenario = j->sc->path,
                               .report_json = j->json,
                               .inputs = d.in,
                               .ninputs = JOB_INPUTS,
                               .files = &d.files,
                               .started = started,
                               .finished = now_s(CLOCK_REALTIME),
                               .replace = o->replace != NULL};
        warm_envelopes(ctx, ls, nl);
        st = ahead_start(ctx, true, load_step, &d, &d.load);
        d.loaded = st == EMS_OK;
    }
    /* One output set: every file staged; with a database the run loaded meanwhile, attached and committed;
     * then the files put in place together. A database failure leaves the old files, a file failure after the
     * commit takes the stored run out again. */
    if (st == EMS_OK && !set)
        st = outset_begin(ctx, j->out_dir, &set);
    double t = now_s(CLOCK_MONOTONIC);
    if (st == EMS_OK && !gs)
        st = gpkg_begin(ctx, set, "emscov.gpkg", &gs);
    if (st == EMS_OK)
        st = gpkg_write(ctx, gs, ls, nl, early, ne);
    if (st == EMS_OK)
        st = outset_gpkg_qgis(ctx, gs, "emscov.gpkg", ls, nl);
    if (gs)
        st = gpkg_finish(ctx, gs, st);
    if (st == EMS_OK)
        run_result_add_timing(j->a->result, "of which GeoPackage", tg + now_s(CLOCK_MONOTONIC) - t);
    if (st == EMS_OK)
        st = outset_add_bytes(ctx, set, "report.json", j->json, strlen(j->json));
    if (st == EMS_OK && (st = report_streets_csv(ctx, j->a->result, &o->csv, &csv)) == EMS_OK)
        st = outset_add_bytes(ctx, set, "streets.csv", csv, strlen(csv));
    if (st == EMS_OK && o->docs)
        st = add_docs(ctx, o, j, ls, nl, set);
    outset_pg pg = {db, "run", write_analyze_run, store_pg_delete_run, &d};
    if (st == EMS_OK && db)
        outset_attach_pg(set, &pg);
    if (st == EMS_OK) {
        st = outset_commit(ctx, set, &j->run_id);
        set = NULL;
    }
    outset_abort(set);
    ahead_destroy(
        d.load);  /* waits for it; a load not waited for above (the files failed first) says nothing */
    if (d.loaded) /* loaded but never attached: roll the open transaction back */
        store_pg_abort(db);
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
    ahead_destroy(d.sums); /* waits for a step still running (the analysis failed first) */
    input_files_free(&d.files);
    result_layers_free(early, ne);
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
    analysis_opts ao = {.no_service_areas = true}; /* sites writes none */
    if (st == EMS_OK)
        st = analysis_run_opts(ctx, j->sc, &ao, &j->a);
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
    result_layer rl[2] = {
        {"site_candidate", "emscov sites: every candidate with its what-if gains", lc, NULL},
        {"site_selected", "emscov sites: the best k new sites (greedy + swap)", ls, NULL}};
    result_layer gl[2] = {{"candidate", "candidate sites with their what-if gains", lc, NULL},
                          {"selected_site", "the best k new sites (greedy + swap)", ls, NULL}};
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
