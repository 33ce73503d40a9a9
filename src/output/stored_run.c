/* src/output/stored_run.c: an analyze run read back from its GeoPackage or the PostGIS store (see
 * stored_run.h). */
#include "src/output/stored_run.h"

#include "geo/pg.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void stored_run_fini(stored_run *r)
{
    if (!r)
        return;
    layer_destroy(r->streets);
    layer_destroy(r->stations);
    layer_destroy(r->parks);
    layer_points_free(&r->demand);
    free(r->report);
    free(r->inputs);
    *r = (stored_run){.mean_below_s = NAN, .coverage_within_s = NAN, .residents_per_ambulance = NAN};
}

static double json_num(json_object *o, const char *k1, const char *k2)
{
    json_object *a = NULL, *b = NULL;
    if (!json_object_object_get_ex(o, k1, &a) || !json_object_object_get_ex(a, k2, &b) || !b)
        return NAN;
    return json_object_get_double(b);
}

/* report.json beside the GeoPackage (if present): scenario, standard and its targets. Date: the file's
 * modification day (UTC). */
static ems_status gpkg_meta(emscov_ctx *ctx, const char *gpkg, stored_run *m)
{
    struct stat sb;
    if (stat(gpkg, &sb) != 0)
        return emscov_fail(ctx, EMS_EINPUT, "%s: %s", gpkg, strerror(errno));
    struct tm tmv;
    time_t t = sb.st_mtime;
    if (gmtime_r(&t, &tmv)) {
        strftime(m->date, sizeof m->date, "%Y-%m-%d", &tmv);
        strftime(m->time, sizeof m->time, "%H:%M", &tmv);
    }
    const char *slash = strrchr(gpkg, '/');
    char path[4200];
    snprintf(path, sizeof path, "%.*sreport.json", slash ? (int)(slash - gpkg + 1) : 0, gpkg);
    if (stat(path, &sb) != 0)
        return EMS_OK;
    size_t len = 0;
    ems_status st = ems_read_file(ctx, path, &m->report, &len);
    if (st != EMS_OK)
        return st;
    json_object *r = json_tokener_parse(m->report);
    if (!r) {
        emscov_warn(ctx, "%s: not readable JSON: standard unknown", path);
        return EMS_OK;
    }
    json_object *v = NULL;
    if (json_object_object_get_ex(r, "emscov_version", &v) && v)
        snprintf(m->version, sizeof m->version, "%s", json_object_get_string(v));
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

static const char *cmd_of(const stored_run_ref *ref)
{
    return ref->cmd ? ref->cmd : "map";
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* The run row of the PostGIS store, found by id, "latest" or name: its id, start day (UTC), name, standard
 * and targets. */
static ems_status pg_meta(emscov_ctx *ctx, const stored_run_ref *ref, const char *schema, stored_run *m)
{
    pg_conn *c = NULL;
    ems_status st = pg_connect(ctx, ref->db, &c);
    if (st != EMS_OK)
        return st;
    char *qt = pg_ident(ctx, c, schema, "run");
    PGresult *r = NULL;
    char sql[1200];
    if (!qt) {
        st = EMS_ENOMEM;
        goto done;
    }
    bool by_id = all_digits(ref->run), latest = !strcmp(ref->run, "latest");
    snprintf(sql, sizeof sql,
             "SELECT id, to_char(started AT TIME ZONE 'UTC', 'YYYY-MM-DD'), standards, name, "
             "(report->'standards'->>'mean_below_s')::float8, (report->'standards'->>'coverage_within_s')::float8, "
             "(report->'standards'->>'residents_per_ambulance')::float8, "
             "to_char(started AT TIME ZONE 'UTC', 'HH24:MI'), to_jsonb(t)->>'emscov_version', report::text, "
             "(to_jsonb(t)->'inputs')::text " /* columns a store of an early layout may lack */
             "FROM %s t %s ORDER BY id DESC LIMIT 1",
             qt, by_id ? "WHERE id = $1::bigint" : latest ? "" : "WHERE name = $1");
    const char *params[] = {ref->run};
    if ((st = pg_query(ctx, c, "reading the run", sql, latest ? 0 : 1, params, &r)) != EMS_OK)
        goto done;
    if (PQntuples(r) != 1) {
        if (by_id)
            st = emscov_fail(ctx, EMS_EINPUT, "%s: run %s is not in %s.run", cmd_of(ref), ref->run, schema);
        else if (latest)
            st = emscov_fail(ctx, EMS_EINPUT, "%s: %s.run holds no run (--run latest)", cmd_of(ref), schema);
        else
            st = emscov_fail(ctx, EMS_EINPUT, "%s: no run named \"%s\" in %s.run", cmd_of(ref), ref->run, schema);
        goto done;
    }
    m->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(m->date, sizeof m->date, "%s", PQgetvalue(r, 0, 1));
    if (!PQgetisnull(r, 0, 2))
        snprintf(m->standard, sizeof m->standard, "%s", PQgetvalue(r, 0, 2));
    snprintf(m->scenario, sizeof m->scenario, "%s", PQgetvalue(r, 0, 3));
    double *dst[] = {&m->mean_below_s, &m->coverage_within_s, &m->residents_per_ambulance};
    for (int k = 0; k < 3; k++)
        *dst[k] = PQgetisnull(r, 0, 4 + k) ? NAN : strtod(PQgetvalue(r, 0, 4 + k), NULL);
    snprintf(m->time, sizeof m->time, "%s", PQgetvalue(r, 0, 7));
    snprintf(m->version, sizeof m->version, "%s", PQgetvalue(r, 0, 8));
    if ((!PQgetisnull(r, 0, 9) && !(m->report = ems_strdup(ctx, PQgetvalue(r, 0, 9)))) ||
        (!PQgetisnull(r, 0, 10) && !(m->inputs = ems_strdup(ctx, PQgetvalue(r, 0, 10)))))
        st = EMS_ENOMEM;
done:
    if (r)
        PQclear(r);
    free(qt);
    pg_disconnect(c);
    return st;
}

/* The source text of a result table of the run, and the reading options it needs. */
static void source_of(const stored_run_ref *ref, const char *schema, long long id, const char *table, char *src,
                      size_t cap, layer_read_opts *o)
{
    *o = (layer_read_opts){0};
    if (ref->gpkg) {
        snprintf(src, cap, "%s:%s", ref->gpkg, table);
        o->format = "gpkg";
    } else {
        snprintf(src, cap, "pg:%s.%s?where=run_id+%%3D+%lld", schema, table, id);
        o->conninfo = ref->db;
    }
}

static ems_status read_layer(emscov_ctx *ctx, const stored_run_ref *ref, const char *schema, long long id,
                             const char *table, layer **out)
{
    char src[4400];
    layer_read_opts o;
    source_of(ref, schema, id, table, src, sizeof src, &o);
    ems_status st = layer_read(ctx, src, &o, out);
    if (st == EMS_OK && layer_count(*out) == 0 && !strcmp(table, "street_summary"))
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no features%s", src, ref->gpkg ? "" : " (is the run id right?)");
    return st;
}

static bool plain_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return false;
    return true;
}

ems_status stored_run_read(emscov_ctx *ctx, const stored_run_ref *ref, unsigned layers, stored_run *out)
{
    *out = (stored_run){.mean_below_s = NAN, .coverage_within_s = NAN, .residents_per_ambulance = NAN};
    const char *schema = ref->schema ? ref->schema : "emscov";
    ems_status st;
    if (ref->gpkg) {
        st = gpkg_meta(ctx, ref->gpkg, out);
    } else if (!ref->db || !ref->run || !*ref->run) {
        return emscov_fail(ctx, EMS_EINPUT, "%s: give a GeoPackage or a PostGIS store and a run", cmd_of(ref));
    } else if (!plain_name(schema)) {
        return emscov_fail(ctx, EMS_EINPUT, "%s: --db-schema %s: use letters, digits and _ only", cmd_of(ref),
                           schema);
    } else {
        st = pg_meta(ctx, ref, schema, out);
    }
    if (st == EMS_OK)
        st = read_layer(ctx, ref, schema, out->id, "street_summary", &out->streets);
    if (st == EMS_OK && (layers & STORED_RUN_STATIONS))
        st = read_layer(ctx, ref, schema, out->id, "station", &out->stations);
    if (st == EMS_OK && (layers & STORED_RUN_DEMAND)) {
        /* as arrays: 1.4 M GEOS points would cost seconds */
        char src[4400];
        layer_read_opts o;
        source_of(ref, schema, out->id, "demand_time", src, sizeof src, &o);
        st = layer_read_points(ctx, src, &o, "time_s", &out->demand);
    }
    if (st == EMS_OK && (layers & STORED_RUN_PARKS))
        st = read_layer(ctx, ref, schema, out->id, "park_service_area", &out->parks);
    else if (st == EMS_OK && (layers & STORED_RUN_PARKS_IF_STORED) &&
             read_layer(ctx, ref, schema, out->id, "park_service_area", &out->parks) != EMS_OK) {
        emscov_clear(ctx); /* no such table: a run without parks */
        out->parks = NULL;
    }
    if (st != EMS_OK)
        stored_run_fini(out);
    return st;
}
