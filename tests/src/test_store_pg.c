/* tests/src/test_store_pg.c: src/output/store_pg.h against the real test PostgreSQL + PostGIS
 * (EMSCOV_TEST_PG): schema and layout creation, refusal of a newer layout (a version row inserted by SQL),
 * migration from an empty schema, the run row (columns taken from a hand-written report.json, checksums
 * against sha256sum; SHA-256 itself: tests/src/test_input_files.c), rows per table with values, areas and WGS 84 coordinates checked by SQL and cs2cs,
 * geometry_columns SRID/type, the btree on run_id, the views, --replace semantics, a refused second CRS, an
 * aborted and a killed transaction, and hostile run and schema names. Layout 2 (sites runs): migration 1 -> 2 of a schema made as version 1 by SQL, the sites_run row
 * from a hand-written sites.json, site_candidate / site_selected rows and values equal to the hand-made
 * layers, --replace, and one CRS across both kinds of run. Every schema is t_store_<pid>_<n>, dropped at the
 * end of its test. */
#include "test_util.h"

#include "src/output/store_pg.h"

#include "test_pgutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

typedef struct fixture {
    emscov_ctx *ctx;
    PGconn *raw; /* independent checks */
    pg_conn *c;  /* the store's connection */
    char schema[128], qs[160], part[140], qpart[170]; /* the store's schema; its partitions' */
    result_layer ls[3]; /* fx_store: the hand-made layers in EPSG:4548 */
    size_t n;
    crs *cr;
} fixture;

/* A fresh schema name for one test (not created: the store creates it), and both connections. */
static void fx_open(fixture *f, emscov_ctx *ctx, const char *suffix)
{
    static int n;
    memset(f, 0, sizeof *f);
    f->ctx = ctx;
    f->raw = tu_pg_connect();
    PQsetNoticeProcessor(f->raw, quiet, NULL);
    snprintf(f->schema, sizeof f->schema, "t_store_%ld_%d%s", (long)getpid(), ++n, suffix ? suffix : "");
    PGresult *r = PQexecParams(f->raw, "SELECT quote_ident($1)", 1, NULL, (const char *const[]){f->schema},
                               NULL, NULL, 0);
    snprintf(f->qs, sizeof f->qs, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    snprintf(f->part, sizeof f->part, "%s_part", f->schema);
    r = PQexecParams(f->raw, "SELECT quote_ident($1)", 1, NULL, (const char *const[]){f->part}, NULL, NULL,
                     0);
    snprintf(f->qpart, sizeof f->qpart, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    char sql[700];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; DROP SCHEMA IF EXISTS %s CASCADE", f->qs,
             f->qpart);
    tu_pg_ok(f->raw, sql);
    assert_ok(ctx, pg_connect(ctx, getenv("EMSCOV_TEST_PG"), &f->c));
}

static void fx_close(fixture *f)
{
    char sql[700];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; DROP SCHEMA IF EXISTS %s CASCADE", f->qs,
             f->qpart);
    tu_pg_ok(f->raw, sql);
    pg_disconnect(f->c);
    PQfinish(f->raw);
    result_layers_free(f->ls, f->n);
    crs_destroy(f->cr);
}

/* ---- hand-made result layers -------------------------------------------------------------------------- */

/* street_summary: two sub-districts (1 km2 square; a 0.2 + 0.01 km2 MultiPolygon); demand_time: three points;
 * service_area: one single Polygon (stored as a one-part MultiPolygon). */
static void make_layers(emscov_ctx *ctx, int epsg, result_layer *ls, size_t *n)
{
    crs *cr = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, epsg, &cr));
    layer *s = NULL, *d = NULL, *a = NULL;
    assert_ok(ctx, layer_create(ctx, "street_summary", "memory", cr, &s));
    assert_ok(ctx, layer_add_field(ctx, s, "code", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, s, "population", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, s, "gap", LAYER_FIELD_LOGICAL, 0, 0));
    layer_value v1[] = {{.u.s = "A1"}, {.u.d = 30.5}, {.u.b = false}};
    layer_value v2[] = {{.u.s = "东城 \"x\"; DROP TABLE run; --"}, {.is_null = true}, {.u.b = true}};
    assert_ok(ctx, layer_append_take(ctx, s,
                                     tu_wkt(ctx, "POLYGON((500000 4400000, 501000 4400000, 501000 4401000, "
                                                 "500000 4401000, 500000 4400000))"),
                                     1, v1));
    assert_ok(ctx,
              layer_append_take(ctx, s,
                                tu_wkt(ctx, "MULTIPOLYGON(((502000 4400000, 502500 4400000, 502500 "
                                            "4400400, 502000 4400400, 502000 4400000)), ((503000 4400000, "
                                            "503100 4400000, 503100 4400100, 503000 4400100, 503000 "
                                            "4400000)))"),
                                2, v2));
    assert_ok(ctx, layer_create(ctx, "demand_time", "memory", cr, &d));
    assert_ok(ctx, layer_add_field(ctx, d, "population", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, d, "subdistrict", LAYER_FIELD_INT, 0, 0));
    const double pop[3] = {10, 20.5, 0.25};
    const char *pts[3] = {"POINT(501234 4401234)", "POINT(500500 4400500)", "POINT(502100 4400100)"};
    for (int i = 0; i < 3; i++) {
        layer_value v[] = {{.u.d = pop[i]}, {.u.i = i < 2 ? 1 : 2}};
        assert_ok(ctx, layer_append_take(ctx, d, tu_wkt(ctx, pts[i]), i + 1, v));
    }
    assert_ok(ctx, layer_create(ctx, "service_area", "memory", cr, &a));
    assert_ok(ctx, layer_add_field(ctx, a, "band_min", LAYER_FIELD_DOUBLE, 0, 0));
    layer_value va[] = {{.u.d = 12}};
    assert_ok(ctx, layer_append_take(ctx, a,
                                     tu_wkt(ctx, "POLYGON((500000 4400000, 500300 4400000, 500300 4400200, "
                                                 "500000 4400000))"),
                                     1, va));
    ls[0] = (result_layer){"street_summary", "per sub-district", s, NULL};
    ls[1] = (result_layer){"demand_time", "demand points", d, NULL};
    ls[2] = (result_layer){"service_area", NULL, a, NULL};
    *n = 3;
    crs_destroy(cr);
}

static const char report[] =
    "{\"schema\": \"emscov-report-1\", \"scenario\": \"t\", \"standards\": {\"name\": \"GB-test\", "
    "\"mean_below_s\": 720}, \"parameters\": {\"working_epsg\": 4548, \"period\": \"peak\"}, "
    "\"population\": {\"input_total\": 30.75, \"allocated_total\": 30.75, \"outside_subdistricts\": 0, "
    "\"demand_points\": 3}, \"coverage\": {\"covered\": [{\"within_s\": 720, \"population\": 30.5, "
    "\"share\": 0.9918699187}], \"unreachable_population\": 0.25, \"mean_s\": 333.5, \"median_s\": 300, "
    "\"p90_s\": 600, \"max_s\": 900, \"mean_target_met\": true}, \"gaps\": {\"stations\": 4, "
    "\"stations_outside\": 1, \"subdistricts_without_station\": 1}, \"ambulances\": {\"ambulances\": 6, "
    "\"required\": 1, \"shortfall\": 0, \"per_standard_residents\": 5853.658537}, \"parks\": {\"share\": "
    "0.25}, "
    "\"subdistricts\": [{\"code\": \"A1\"}, {\"code\": \"B2\"}]}";

static void write_run(fixture *f, store_pg *s, const char *name, bool replace, int64_t *id)
{
    store_pg_input in[] = {{"scenario", tu_tmp("scenario.ini")}, {"roads", "pg:base.roads"}, {"parks", NULL}};
    store_pg_run run = {.name = name,
                        .scenario = tu_tmp("scenario.ini"),
                        .report_json = report,
                        .inputs = in,
                        .ninputs = 3,
                        .started = 1700000000.5,
                        .finished = 1700000060.25,
                        .replace = replace};
    uint64_t rows = 0;
    assert_ok(f->ctx, store_pg_write(f->ctx, s, &run, f->ls, f->n, id, &rows));
    assert_int_equal(rows, 6); /* 2 + 3 + 1 */
    assert_ok(f->ctx, store_pg_commit(f->ctx, s));
}

/* The layers of make_layers (EPSG:4548) in f, a scenario file to checksum, and a store opened and prepared.
 */
static store_pg *fx_store(fixture *f, const char *version)
{
    tu_write_file(tu_tmp("scenario.ini"), "[scenario]\nname = t\n", 20);
    if (!f->n) {
        make_layers(f->ctx, 4548, f->ls, &f->n);
        assert_ok(f->ctx, crs_from_epsg(f->ctx, 4548, &f->cr));
    }
    store_pg *s = NULL;
    assert_ok(f->ctx, store_pg_open(f->ctx, f->c, f->schema, version, &s));
    assert_ok(f->ctx, store_pg_prepare(f->ctx, s, f->cr, f->ls, f->n));
    return s;
}

/* Hand-made sites layers in epsg: site_candidate (three candidates, ranks 1..3, the first two selected) and
 * site_selected (the two selected, in order). */
static void make_sites_layers(emscov_ctx *ctx, int epsg, result_layer *ls)
{
    crs *cr = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, epsg, &cr));
    layer *c = NULL, *sel = NULL;
    assert_ok(ctx, layer_create(ctx, "site_candidate", "memory", cr, &c));
    assert_ok(ctx, layer_add_field(ctx, c, "rank", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, c, "id", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, c, "new_covered", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, c, "mexclp_gain", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, c, "selected", LAYER_FIELD_LOGICAL, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, c, "selected_order", LAYER_FIELD_INT, 0, 0));
    const char *ids[3] = {"grid-0-1", "gap-110101", "grid-2-2"};
    const double gain[3] = {20.5, 9.25, 0};
    const char *pts[3] = {"POINT(501234 4401234)", "POINT(500500 4400500)", "POINT(502100 4400100)"};
    for (int i = 0; i < 3; i++) {
        layer_value v[] = {{.u.i = i + 1},    {.u.s = ids[i]}, {.u.d = gain[i]},
                           {.is_null = true}, {.u.b = i < 2},  {.is_null = i == 2, .u.i = i + 1}};
        assert_ok(ctx, layer_append_take(ctx, c, tu_wkt(ctx, pts[i]), i + 1, v));
    }
    assert_ok(ctx, layer_create(ctx, "site_selected", "memory", cr, &sel));
    assert_ok(ctx, layer_add_field(ctx, sel, "selected_order", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, sel, "id", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, sel, "new_covered", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, sel, "covered_after", LAYER_FIELD_DOUBLE, 0, 0));
    const double after[2] = {121, 130.25}; /* 100.5 + 20.5; + 9.25 */
    for (int i = 0; i < 2; i++) {
        layer_value v[] = {{.u.i = i + 1}, {.u.s = ids[i]}, {.u.d = gain[i]}, {.u.d = after[i]}};
        assert_ok(ctx, layer_append_take(ctx, sel, tu_wkt(ctx, pts[i]), i + 1, v));
    }
    ls[0] = (result_layer){"site_candidate", "candidates", c, NULL};
    ls[1] = (result_layer){"site_selected", NULL, sel, NULL};
    crs_destroy(cr);
}

static const char sites_json[] =
    "{\"schema\": \"emscov-sites/1\", \"scenario\": \"t\", \"parameters\": {\"k\": 2, \"turnout_s\": 60}, "
    "\"candidates\": {\"offered\": 4, \"evaluated\": 3}, \"baseline\": {\"covered\": 100.5}, "
    "\"greedy\": {\"k\": 2, \"covered\": 130.25, \"covered_share\": 0.5}}";

static void write_sites(fixture *f, store_pg *s, const result_layer *ls, const char *name, bool replace,
                        int64_t *id)
{
    store_pg_sites_run run = {.name = name,
                              .scenario = "city/scenario.ini",
                              .sites_json = sites_json,
                              .started = 1700000000.5,
                              .finished = 1700000002.75,
                              .replace = replace};
    uint64_t rows = 0;
    assert_ok(f->ctx, store_pg_write_sites(f->ctx, s, &run, ls, 2, id, &rows));
    assert_int_equal(rows, 5); /* 3 + 2 */
    assert_ok(f->ctx, store_pg_commit(f->ctx, s));
}

/* ---- tests --------------------------------------------------------------------------------------------- */

static void test_create_and_reopen(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    int v = -1;
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, 0);
    store_pg *s = NULL;
    assert_ok(f.ctx, store_pg_open(f.ctx, f.c, f.schema, "9.8.7", &s));
    assert_string_equal(store_pg_schema(s), f.schema);
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM pg_namespace WHERE nspname = '%s'", f.schema),
                        "1");
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT string_agg(version || ' ' || \"by\", ';' ORDER BY version) FROM "
                                  "%s.schema_version",
                                  f.qs),
                        "1 emscov 9.8.7;2 emscov 9.8.7;3 emscov 9.8.7;4 emscov 9.8.7");
    assert_string_equal(tu_pg_val(f.raw, "SELECT to_regclass('%s.run') IS NOT NULL", f.qs), "t");
    store_pg_destroy(s);
    /* a second open changes nothing */
    assert_ok(f.ctx, store_pg_open(f.ctx, f.c, f.schema, "9.8.8", &s));
    store_pg_destroy(s);
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.schema_version", f.qs), "4");
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, STORE_PG_LAYOUT);
    /* bad names */
    assert_status_msg(f.ctx, store_pg_open(f.ctx, f.c, "", "1", &s), EMS_EINPUT, "empty schema name");
    assert_null(s);
    char longname[80];
    memset(longname, 'x', 64);
    longname[64] = '\0';
    assert_status_msg(f.ctx, store_pg_open(f.ctx, f.c, longname, "1", &s), EMS_EINPUT,
                      "longer than 63 bytes");
    fx_close(&f);
}

static void test_newer_layout_refused(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    store_pg *s = NULL;
    assert_ok(f.ctx, store_pg_open(f.ctx, f.c, f.schema, "0.1.0", &s));
    store_pg_destroy(s);
    char sql[1000];
    snprintf(sql, sizeof sql, "INSERT INTO %s.schema_version (version, \"by\") VALUES (5, 'emscov 7.0.0')",
             f.qs);
    tu_pg_ok(f.raw, sql);
    s = NULL;
    ems_status st = store_pg_open(f.ctx, f.c, f.schema, "0.1.0", &s);
    assert_status_msg(f.ctx, st, EMS_EIO,
                      "has result layout version 5 (written by emscov 7.0.0), newer than this "
                      "emscov 0.1.0 writes (version 4)");
    assert_null(s);
    assert_null(strchr(emscov_message(f.ctx), '\n'));
    assert_non_null(strstr(emscov_message(f.ctx), "--db-schema"));
    /* nothing changed, and the connection is usable (no transaction left open) */
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT string_agg(version::text, ',' ORDER BY version) FROM %s.schema_version",
                  f.qs),
        "1,2,3,4,5");
    assert_int_equal(PQtransactionStatus(pg_raw(f.c)), PQTRANS_IDLE);
    fx_close(&f);
}

static void test_migration_from_empty(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    /* a schema a DBA made beforehand, with an empty schema_version table: layout version 0 */
    char sql[1000];
    snprintf(
        sql, sizeof sql,
        "CREATE SCHEMA %s; CREATE TABLE %s.schema_version (version integer PRIMARY KEY, "
        "applied timestamptz NOT NULL DEFAULT now(), \"by\" text NOT NULL); CREATE TABLE %s.keep (x int)",
        f.qs, f.qs, f.qs);
    tu_pg_ok(f.raw, sql);
    int v = -1;
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, 0);
    store_pg *s = NULL;
    assert_ok(f.ctx, store_pg_open(f.ctx, f.c, f.schema, "0.1.0", &s));
    store_pg_destroy(s);
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, 4);
    assert_string_equal(tu_pg_val(f.raw, "SELECT to_regclass('%s.sites_run') IS NOT NULL", f.qs), "t");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT count(*) FROM information_schema.columns WHERE table_schema = '%s' "
                  "AND table_name = 'run' AND column_name IN ('id', 'name', 'parameters', 'inputs', "
                  "'working_srid', 'mean_response_s', 'covered_share', 'gaps', 'park_share')",
                  f.schema),
        "9");
    assert_string_equal(tu_pg_val(f.raw, "SELECT to_regclass('%s.keep') IS NOT NULL", f.qs), "t");
    /* the migration's search_path was local to its transaction */
    PGresult *r = PQexec(pg_raw(f.c), "SELECT current_setting('search_path')");
    assert_string_equal(PQgetvalue(r, 0, 0), "\"$user\", public");
    PQclear(r);
    fx_close(&f);
}

static void test_migration_1_to_2(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    /* a schema at layout version 1 (as emscov 0.1.0 left it): schema_version row 1 and a run with its SRID */
    char sql[1500];
    snprintf(
        sql, sizeof sql,
        "CREATE SCHEMA %s; CREATE TABLE %s.schema_version (version integer PRIMARY KEY, "
        "applied timestamptz NOT NULL DEFAULT now(), \"by\" text NOT NULL); "
        "INSERT INTO %s.schema_version (version, \"by\") VALUES (1, 'emscov 0.1.0'); "
        "CREATE TABLE %s.run (id bigserial PRIMARY KEY, name text NOT NULL, working_srid integer NOT NULL); "
        "INSERT INTO %s.run (name, working_srid) VALUES ('old', 4548)",
        f.qs, f.qs, f.qs, f.qs, f.qs);
    tu_pg_ok(f.raw, sql);
    int v = -1;
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, 1);
    store_pg *s = NULL;
    assert_ok(f.ctx, store_pg_open(f.ctx, f.c, f.schema, "0.2.0", &s));
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, 4);
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT string_agg(version || ' ' || \"by\", ';' ORDER BY version) FROM "
                                  "%s.schema_version",
                                  f.qs),
                        "1 emscov 0.1.0;2 emscov 0.2.0;3 emscov 0.2.0;4 emscov 0.2.0");
    assert_string_equal(tu_pg_val(f.raw, "SELECT string_agg(name, ',') FROM %s.run", f.qs), "old");
    assert_string_equal(
        tu_pg_val(
            f.raw,
            "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM "
            "information_schema.columns WHERE table_schema = '%s' AND table_name = 'sites_run' AND "
            "column_name IN ('id', 'name', 'scenario', 'parameters', 'report', 'working_srid', 'started', "
            "'finished', 'status', 'emscov_version')",
            f.schema),
        "id:bigint,name:text,scenario:text,status:text,started:timestamp with time zone,finished:timestamp "
        "with time zone,emscov_version:text,working_srid:integer,parameters:jsonb,report:jsonb");
    /* the stored run fixes the schema's CRS: a sites run in UTM 50N is refused before anything is created */
    result_layer su[2];
    make_sites_layers(f.ctx, 32650, su);
    crs *utm = NULL;
    assert_ok(f.ctx, crs_from_epsg(f.ctx, 32650, &utm));
    assert_status_msg(f.ctx, store_pg_prepare_sites(f.ctx, s, utm, su, 2), EMS_EINPUT,
                      "holds results in EPSG:4548");
    assert_non_null(strstr(emscov_message(f.ctx), "EPSG:32650"));
    assert_string_equal(tu_pg_val(f.raw, "SELECT to_regclass('%s.site_candidate') IS NULL", f.qs), "t");
    assert_int_equal(PQtransactionStatus(pg_raw(f.c)), PQTRANS_IDLE);
    store_pg_destroy(s);
    crs_destroy(utm);
    result_layers_free(su, 2);
    fx_close(&f);
}

static void test_sites_run(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    store_pg *s = fx_store(&f, "0.2.0"); /* the analyze tables first: both kinds live in one schema */
    int64_t aid = 0;
    write_run(&f, s, "nightly", false, &aid);
    result_layer sl[2];
    make_sites_layers(f.ctx, 4548, sl);
    /* sites layers not prepared (the analyze ones are): refused */
    store_pg_sites_run bad = {.name = "x", .scenario = "s", .sites_json = sites_json};
    int64_t id = 0;
    assert_status_msg(f.ctx, store_pg_write_sites(f.ctx, s, &bad, sl, 2, &id, NULL), EMS_EINTERNAL,
                      "not prepared");
    assert_ok(f.ctx, store_pg_prepare_sites(f.ctx, s, f.cr, sl, 2));
    write_sites(&f, s, sl, "plan", false, &id);
    assert_true(id > 0);
    /* the sites_run row: from the run and sites.json */
    assert_string_equal(
        tu_pg_val(
            f.raw,
            "SELECT concat_ws('|', name, scenario, status, working_srid, emscov_version, candidates, k, "
            "baseline_covered, selected_covered, selected_covered_share, parameters::text, "
            "report->'candidates'->>'offered', extract(epoch FROM started), extract(epoch FROM finished)) "
            "FROM %s.sites_run WHERE id = %lld",
            f.qs, (long long)id),
        "plan|city/scenario.ini|complete|4548|0.2.0|3|2|100.5|130.25|0.5|{\"k\": 2, \"turnout_s\": 60}|4|"
        "1700000000.500000|1700000002.750000");
    /* rows and values equal to the layers */
    assert_string_equal(
        tu_pg_val(
            f.raw,
            "SELECT count(*) || ' ' || string_agg(id, ',' ORDER BY rank) || ' ' || sum(new_covered) || ' ' "
            "|| count(mexclp_gain) || ' ' || string_agg(selected::text, ',' ORDER BY rank) || ' ' || "
            "string_agg(coalesce(selected_order::text, '-'), ',' ORDER BY rank) || ' ' || "
            "string_agg(ST_X(geom) || ':' || ST_Y(geom), ',' ORDER BY rank) FROM %s.site_candidate "
            "WHERE sites_run_id = %lld",
            f.qs, (long long)id),
        "3 grid-0-1,gap-110101,grid-2-2 29.75 0 true,true,false 1,2,- 501234:4401234,500500:4400500,"
        "502100:4400100");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(selected_order || ':' || id || ':' || covered_after, ',' "
                  "ORDER BY selected_order) FROM %s.site_selected WHERE sites_run_id = %lld",
                  f.qs, (long long)id),
        "1:grid-0-1:121,2:gap-110101:130.25");
    /* the tables: sites_run_id first, referencing sites_run with ON DELETE CASCADE; btree, GiST, gid */
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT attname FROM pg_attribute WHERE attrelid = '%s.site_candidate'::regclass "
                  "AND attnum = 1",
                  f.qs),
        "sites_run_id");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(confrelid::regclass::text || ':' || confdeltype::text, ',') FROM "
                  "pg_constraint WHERE conrelid = '%s.site_selected'::regclass AND contype = 'f'",
                  f.qs),
        tu_pg_val(f.raw, "SELECT '%s.sites_run:c'", f.qs));
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE "
                  "schemaname = '%s' AND tablename = 'site_candidate'",
                  f.schema),
        "site_candidate_geom_idx site_candidate_pkey site_candidate_sites_run_id_idx");
    assert_string_equal(
        tu_pg_val(
            f.raw,
            "SELECT string_agg(f_table_name || ':' || type || ':' || srid, ' ' ORDER BY f_table_name) FROM "
            "geometry_columns WHERE f_table_schema = '%s' AND f_table_name LIKE 'site%%'",
            f.schema),
        "site_candidate:POINT:4548 site_candidate_wgs84:POINT:4326 site_selected:POINT:4548 "
        "site_selected_wgs84:POINT:4326");
    /* the WGS 84 view: (501234, 4401234) is 117.0143973108 E, 39.7451628166 N (cs2cs EPSG:4548 -> 4326) */
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT abs(ST_X(geom) - 117.0143973108) < 1e-9 AND abs(ST_Y(geom) - "
                  "39.7451628166) < 1e-9 FROM %s.site_selected_wgs84 WHERE selected_order = 1",
                  f.qs),
        "t");
    /* --replace: the earlier sites runs of the name go (with their rows), others and analyze runs stay */
    int64_t id2, other, id3;
    write_sites(&f, s, sl, "plan", false, &id2);
    write_sites(&f, s, sl, "other", false, &other);
    write_sites(&f, s, sl, "plan", true, &id3);
    assert_string_equal(tu_pg_val(f.raw, "SELECT string_agg(name, ',' ORDER BY id) FROM %s.sites_run", f.qs),
                        "other,plan");
    assert_string_equal(tu_pg_val(f.raw, "SELECT max(id) = %lld FROM %s.sites_run", (long long)id3, f.qs),
                        "t");
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT count(*) || ' ' || count(DISTINCT sites_run_id) FROM %s.site_candidate",
                  f.qs),
        "6 2");
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.run", f.qs), "1");
    /* an aborted sites run leaves nothing; a deleted one takes its rows */
    store_pg_sites_run run = {.name = "plan", .scenario = "s", .sites_json = sites_json, .replace = true};
    int64_t id4 = 0;
    assert_ok(f.ctx, store_pg_write_sites(f.ctx, s, &run, sl, 2, &id4, NULL));
    store_pg_abort(s);
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.site_selected", f.qs), "4");
    assert_ok(f.ctx, store_pg_delete_sites_run(f.ctx, s, other));
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.site_selected", f.qs), "2");
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.demand_time", f.qs), "3");
    /* an empty name */
    run.name = "";
    assert_status_msg(f.ctx, store_pg_write_sites(f.ctx, s, &run, sl, 2, &id4, NULL), EMS_EINPUT,
                      "empty name");
    /* a sites run in another CRS is refused (the analyze run and the sites tables hold EPSG:4548) */
    result_layer su[2];
    make_sites_layers(f.ctx, 32650, su);
    crs *utm = NULL;
    assert_ok(f.ctx, crs_from_epsg(f.ctx, 32650, &utm));
    assert_status_msg(f.ctx, store_pg_prepare_sites(f.ctx, s, utm, su, 2), EMS_EINPUT,
                      "holds results in EPSG:4548");
    crs_destroy(utm);
    result_layers_free(su, 2);
    result_layers_free(sl, 2);
    store_pg_destroy(s);
    fx_close(&f);
}

static void test_run_tables_views(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    store_pg *s = fx_store(&f, "0.1.0");
    char *sum = NULL, cmd[600];
    snprintf(cmd, sizeof cmd, "sha256sum '%s' | cut -c1-64 | tr -d '\\n'", tu_tmp("scenario.ini"));
    assert_int_equal(tu_run(cmd, &sum), 0);
    int64_t id = 0;
    write_run(&f, s, "nightly", false, &id);
    assert_true(id > 0);
    /* the run row: text, times, jsonb and the headline columns from the report */
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT name || '|' || status || '|' || standards || '|' || working_srid || "
                  "'|' || emscov_version FROM %s.run WHERE id = %lld",
                  f.qs, (long long)id),
        "nightly|complete|GB-test|4548|0.1.0");
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT extract(epoch FROM started)::text || ' ' || extract(epoch FROM "
                                  "finished)::text FROM %s.run",
                                  f.qs),
                        "1700000000.500000 1700000060.250000");
    assert_string_equal(tu_pg_val(f.raw, "SELECT parameters::text FROM %s.run", f.qs),
                        "{\"period\": \"peak\", \"working_epsg\": 4548}");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT concat_ws(' ', population_input, population_allocated, demand_points, "
                  "coverage_within_s, covered_population, covered_share, unreachable_population, "
                  "mean_response_s, median_response_s, p90_response_s, max_response_s, mean_target_s, "
                  "mean_target_met, subdistricts, stations, stations_outside, gaps, ambulances, "
                  "ambulances_per_n, park_share, coalesce(park_population_share::text, 'null')) "
                  "FROM %s.run",
                  f.qs),
        "30.75 30.75 3 720 30.5 0.9918699187 0.25 333.5 300 600 900 720 t 2 4 1 1 6 5853.658537 0.25 "
        "null");
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT inputs->'scenario'->'files'->0->>'sha256' FROM %s.run", f.qs), sum);
    assert_string_equal(tu_pg_val(f.raw, "SELECT inputs->'scenario'->'files'->0->>'bytes' FROM %s.run", f.qs),
                        "20");
    assert_string_equal(tu_pg_val(f.raw, "SELECT (inputs->'roads')::text FROM %s.run", f.qs),
                        "{\"path\": \"pg:base.roads\", \"files\": []}");
    assert_string_equal(tu_pg_val(f.raw, "SELECT inputs ? 'parks' FROM %s.run", f.qs), "f");
    free(sum);
    /* rows per table, values, areas (hand-computed: 1e6; 200000 + 10000; 300 * 200 / 2) */
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT count(*) || ' ' || sum(ST_Area(geom)) || ' ' || "
                  "string_agg(code, ',' ORDER BY gid) || ' ' || count(population) || ' ' || "
                  "string_agg(gap::text, ',' ORDER BY gid) FROM %s.street_summary WHERE run_id = %lld",
                  f.qs, (long long)id),
        "2 1210000 A1,东城 \"x\"; DROP TABLE run; -- 1 false,true");
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT count(*) || ' ' || sum(population) || ' ' || sum(subdistrict) FROM "
                                  "%s.demand_time WHERE run_id = %lld",
                                  f.qs, (long long)id),
                        "3 30.75 4");
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT ST_Area(geom) || ' ' || ST_NumGeometries(geom) FROM %s.service_area", f.qs),
        "30000 1");
    /* geometry_columns: the working SRID and the types (single polygons promoted to MultiPolygon); the latest_
     * views (for QGIS) as their tables */
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(f_table_name || ':' || type || ':' || srid, ' ' ORDER BY "
                  "f_table_name) FROM geometry_columns WHERE f_table_schema = '%s'",
                  f.schema),
        "demand_time:POINT:4548 demand_time_wgs84:POINT:4326 latest_demand_time:POINT:4548 "
        "latest_service_area:MULTIPOLYGON:4548 latest_street_summary:MULTIPOLYGON:4548 "
        "service_area:MULTIPOLYGON:4548 service_area_wgs84:MULTIPOLYGON:4326 street_summary:MULTIPOLYGON:4548 "
        "street_summary_wgs84:MULTIPOLYGON:4326");
    /* one emscov style for each table and view that has one (these three layers all have) */
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT string_agg(f_table_name || ':' || useasdefault, ' ' ORDER BY f_table_name)"
                                  " FROM %s.layer_styles WHERE stylename = 'emscov'",
                                  f.qs),
                        "demand_time:true latest_demand_time:true latest_service_area:true "
                        "latest_street_summary:true service_area:true street_summary:true");
    /* layout 4: partitioned by LIST (run_id), the run's rows in demand_time_r<id> (bound: its id; gid = run id
     * * 2^32 + row numbers 1..3); GiST on geom and primary key (run_id, gid) on the parent and on the partition; no
     * foreign key (a trigger on run deletes a run's rows) */
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT partstrat::text || ':' || (SELECT attname FROM pg_attribute WHERE attrelid = "
                  "partrelid AND attnum = partattrs[0]) FROM pg_partitioned_table WHERE partrelid = "
                  "'%s.demand_time'::regclass",
                  f.qs),
        "l:run_id");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT i.inhrelid::regclass || ' ' || pg_get_expr(c.relpartbound, c.oid) FROM "
                  "pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = "
                  "'%s.demand_time'::regclass",
                  f.qs),
        tu_pg_val(f.raw, "SELECT '%s.demand_time_r%lld FOR VALUES IN (''%lld'')'", f.part, (long long)id,
                  (long long)id));
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg((gid - run_id * 4294967296)::text, ',' ORDER BY gid) FROM %s.demand_time "
                  "WHERE run_id = %lld",
                  f.qs, (long long)id),
        "1,2,3");
    assert_string_equal(
        tu_pg_val(
            f.raw,
            "SELECT string_agg(tablename || ':' || indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE "
            "schemaname IN ('%s', '%s') AND tablename LIKE 'demand_time%%'",
            f.schema, f.part),
        tu_pg_val(f.raw,
                  "SELECT 'demand_time:demand_time_geom_idx demand_time:demand_time_pkey demand_time_r%lld:"
                  "demand_time_r%lld_geom_idx demand_time_r%lld:demand_time_r%lld_pkey'",
                  (long long)id, (long long)id, (long long)id, (long long)id));
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT pg_get_indexdef('%s.demand_time_pkey'::regclass) ~ '\\(run_id, gid\\)' "
                  "AND pg_get_indexdef('%s.demand_time_geom_idx'::regclass) ~ 'gist \\(geom\\)'",
                  f.qs, f.qs),
        "t");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT count(*) FROM pg_constraint WHERE conrelid = '%s.demand_time'::regclass "
                  "AND contype = 'f'",
                  f.qs),
        "0");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT count(*) FROM pg_trigger WHERE tgrelid = '%s.run'::regclass AND tgname = "
                  "'run_delete_rows'",
                  f.qs),
        "1");
    /* the WGS 84 view: the point (501234, 4401234) is 117.0143973108 E, 39.7451628166 N (cs2cs EPSG:4548 ->
     * EPSG:4326) */
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT abs(ST_X(geom) - 117.0143973108) < 1e-9 AND abs(ST_Y(geom) - "
                  "39.7451628166) < 1e-9 AND population = 10 AND run_id = %lld FROM %s.demand_time_wgs84 "
                  "WHERE subdistrict = 1 AND population = 10",
                  (long long)id, f.qs),
        "t");
    /* a second run: its own rows; prepare again changes nothing */
    assert_ok(f.ctx, store_pg_prepare(f.ctx, s, f.cr, f.ls, f.n));
    int64_t id2 = 0;
    write_run(&f, s, "nightly", false, &id2);
    assert_true(id2 > id);
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT string_agg(run_id || ':' || c, ' ' ORDER BY run_id) FROM (SELECT "
                                  "run_id, count(*) c FROM %s.demand_time GROUP BY run_id) x",
                                  f.qs),
                        tu_pg_val(f.raw, "SELECT '%lld:3 %lld:3'", (long long)id, (long long)id2));
    /* a run deleted takes its rows with it */
    assert_ok(f.ctx, store_pg_delete_run(f.ctx, s, id));
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT count(*) FROM %s.street_summary WHERE run_id = %lld", f.qs, (long long)id),
        "0");
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.street_summary", f.qs), "2");
    store_pg_destroy(s);
    fx_close(&f);
}

/* Readers never wait on a run (layout 4): with a reader holding its lock on the result tables in an open
 * transaction, a run loads, attaches and commits (lock_timeout 2 s on the store's connection: a wait would
 * fail it); while a run is loaded and attached but not committed, a reader (lock_timeout 1 s) reads every
 * table and does not see it; a run deleted while a reader holds its lock deletes its rows without waiting. */
static void test_readers_never_wait(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    store_pg *s = fx_store(&f, "0.3.0");
    int64_t first = 0, second = 0, third = 0;
    write_run(&f, s, "A", false, &first);
    tu_pg_ok(pg_raw(f.c), "SET lock_timeout = '2s'");
    /* a reader in the middle of a long transaction over every result table */
    char sql[1200];
    snprintf(sql, sizeof sql,
             "BEGIN; SELECT count(*) FROM %s.demand_time; SELECT count(*) FROM %s.street_summary; "
             "SELECT count(*) FROM %s.service_area_wgs84",
             f.qs, f.qs, f.qs);
    tu_pg_ok(f.raw, sql);
    write_run(&f, s, "B", false, &second); /* loads, attaches, commits: no wait on the reader */
    tu_pg_ok(f.raw, "COMMIT");
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(DISTINCT run_id) FROM %s.demand_time", f.qs), "2");
    /* a run attached but not committed: a reader neither waits nor sees it */
    store_pg_input in[1] = {{"scenario", tu_tmp("scenario.ini")}};
    store_pg_run run = {.name = "C", .scenario = "s", .report_json = report, .inputs = in, .ninputs = 1};
    assert_ok(f.ctx, store_pg_write(f.ctx, s, &run, f.ls, f.n, &third, NULL));
    tu_pg_ok(f.raw, "SET lock_timeout = '1s'");
    snprintf(
        sql, sizeof sql,
        "SELECT (SELECT count(*) FROM %s.demand_time) || ' ' || (SELECT count(*) FROM %s.street_summary) "
        "|| ' ' || (SELECT count(*) FROM %s.service_area_wgs84) || ' ' || (SELECT count(*) FROM %s.run)",
        f.qs, f.qs, f.qs, f.qs);
    assert_string_equal(tu_pg_val(f.raw, "%s", sql), "6 4 2 2");
    assert_ok(f.ctx, store_pg_commit(f.ctx, s));
    assert_string_equal(tu_pg_val(f.raw, "%s", sql), "9 6 3 3");
    /* a session locking a result table (and so its runs' partitions): geometry_columns, as QGIS and the next
     * run's prepare read it (every row: OFFSET 0), does not wait (it would on a partition that kept a CHECK constraint) */
    snprintf(sql, sizeof sql, "BEGIN; LOCK TABLE %s.demand_time IN ACCESS EXCLUSIVE MODE", f.qs);
    tu_pg_ok(f.raw, sql);
    tu_pg_ok(pg_raw(f.c), "SET lock_timeout = '1s'");
    assert_string_equal(tu_pg_val(pg_raw(f.c),
                                  "SELECT count(*) FROM (SELECT f_table_schema, f_table_name, srid FROM "
                                  "geometry_columns OFFSET 0) g WHERE f_table_schema = '%s' AND "
                                  "f_table_name = 'demand_time'",
                                  f.schema),
                        "1");
    tu_pg_ok(f.raw, "COMMIT");
    /* deleting a run while a reader holds its lock: the rows go, nothing waits */
    snprintf(sql, sizeof sql, "BEGIN; SELECT count(*) FROM %s.demand_time", f.qs);
    tu_pg_ok(f.raw, sql);
    assert_ok(f.ctx, store_pg_delete_run(f.ctx, s, second));
    tu_pg_ok(f.raw, "COMMIT");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(DISTINCT run_id::text, ',' ORDER BY run_id::text) FROM (SELECT "
                  "run_id FROM %s.demand_time UNION ALL SELECT run_id FROM %s.street_summary) x",
                  f.qs, f.qs),
        tu_pg_val(f.raw,
                  "SELECT string_agg(x::text, ',' ORDER BY x::text) FROM (VALUES (%lld), "
                  "(%lld)) v(x)",
                  (long long)first, (long long)third));
    store_pg_destroy(s);
    fx_close(&f);
}

/* Migration 3 -> 4 of a schema holding runs: a layout-3 schema made by SQL from one this emscov wrote (its
 * demand_time a plain table with the layout-3 foreign key, identity gid and indexes, rows of two runs; its
 * street_summary plain and empty; schema_version 1..3, no trigger). Reopened: demand_time is partitioned,
 * the old table is its partition for exactly the two runs (in <schema>_part, renamed demand_time_layout3 with
 * its indexes), every old row readable by run_id and through the view; the empty table is gone until a new
 * run makes it; a new run is stored beside the old ones; deleting an old run deletes its rows. */
static void test_migration_3_to_4(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    store_pg *s = fx_store(&f, "0.3.0");
    int64_t a = 0, b = 0, c = 0;
    write_run(&f, s, "A", false, &a);
    write_run(&f, s, "B", false, &b);
    store_pg_destroy(s);
    char sql[600];
    snprintf(sql, sizeof sql, "SET search_path = %s, public", f.qs);
    tu_pg_ok(f.raw, sql);
    const char *const down[] = {
        "CREATE TABLE dt3 (LIKE demand_time)",
        "INSERT INTO dt3 SELECT * FROM demand_time",
        "ALTER TABLE dt3 ADD CONSTRAINT dt3_fk FOREIGN KEY (run_id) REFERENCES run(id) ON DELETE CASCADE",
        "ALTER TABLE dt3 ALTER COLUMN gid ADD GENERATED BY DEFAULT AS IDENTITY",
        "UPDATE dt3 SET gid = DEFAULT",
        /* layout 3: one identity over all runs */ "DROP VIEW demand_time_wgs84",
        "DROP VIEW latest_demand_time",
        "DROP TABLE demand_time",
        "DROP TABLE street_summary CASCADE",
        "ALTER TABLE dt3 RENAME TO demand_time",
        "ALTER TABLE demand_time ADD CONSTRAINT demand_time_pkey PRIMARY KEY (gid)",
        "CREATE INDEX demand_time_geom_idx ON demand_time USING gist (geom)",
        "CREATE INDEX demand_time_run_id_idx ON demand_time (run_id)",
        /* as a layout-3 emscov leaves it: a view naming the table (the migration must not trip over it) */
        "CREATE VIEW latest_demand_time AS SELECT * FROM demand_time",
        "CREATE TABLE street_summary (run_id bigint NOT NULL REFERENCES run(id), code text, geom "
        "geometry(MultiPolygon, 4548), gid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)",
        "COMMENT ON TABLE demand_time IS 'old comment'",
        "DROP TRIGGER run_delete_rows ON run",
        "DROP FUNCTION run_delete_rows()",
        "DELETE FROM schema_version WHERE version = 4"};
    for (size_t k = 0; k < sizeof down / sizeof *down; k++)
        tu_pg_ok(f.raw, down[k]);
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f.qpart);
    tu_pg_ok(f.raw, sql);
    tu_pg_ok(f.raw, "RESET search_path");
    int v = 0;
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, 3);
    assert_ok(f.ctx, store_pg_open(f.ctx, f.c, f.schema, "0.4.0", &s));
    assert_ok(f.ctx, store_pg_layout_version(f.ctx, f.c, f.schema, &v));
    assert_int_equal(v, 4);
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = '%s.demand_time'::regclass",
                  f.qs),
        "1");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c WHERE c.oid = "
                  "'%s.demand_time_layout3'::regclass",
                  f.qpart),
        tu_pg_val(f.raw, "SELECT 'FOR VALUES IN (''%lld'', ''%lld'')'", (long long)a, (long long)b));
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE "
                  "schemaname = '%s' AND tablename = 'demand_time_layout3' AND indexname LIKE "
                  "'demand_time_layout3%%'",
                  f.part),
        "demand_time_layout3_geom_idx demand_time_layout3_pkey demand_time_layout3_run_id_idx");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT (SELECT count(*) FROM %s.demand_time WHERE run_id = %lld) || ' ' || "
                  "(SELECT count(*) FROM %s.demand_time_wgs84 WHERE run_id = %lld) || ' ' || "
                  "obj_description('%s.demand_time'::regclass, 'pg_class')",
                  f.qs, (long long)a, f.qs, (long long)b, f.qs),
        "3 3 old comment");
    assert_string_equal(tu_pg_val(f.raw, "SELECT to_regclass('%s.street_summary') IS NULL", f.qs), "t");
    /* a new run beside the old ones (street_summary made again, partitioned), then an old run deleted */
    assert_ok(f.ctx, store_pg_prepare(f.ctx, s, f.cr, f.ls, f.n));
    write_run(&f, s, "C", false, &c);
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(run_id || ':' || n, ' ' ORDER BY run_id) FROM (SELECT run_id, "
                  "count(*) n FROM %s.demand_time GROUP BY run_id) x",
                  f.qs),
        tu_pg_val(f.raw, "SELECT '%lld:3 %lld:3 %lld:3'", (long long)a, (long long)b, (long long)c));
    assert_ok(f.ctx, store_pg_delete_run(f.ctx, s, a));
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT count(*) FROM %s.demand_time WHERE run_id = %lld", f.qs, (long long)a), "0");
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.demand_time", f.qs), "6");
    store_pg_destroy(s);
    fx_close(&f);
}

static void test_replace_and_abort(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    store_pg *s = fx_store(&f, "0.1.0");
    int64_t a1, a2, b1, a3;
    write_run(&f, s, "A", false, &a1);
    write_run(&f, s, "A", false, &a2); /* without --replace: added */
    write_run(&f, s, "B", false, &b1);
    assert_string_equal(tu_pg_val(f.raw, "SELECT string_agg(name, ',' ORDER BY id) FROM %s.run", f.qs),
                        "A,A,B");
    write_run(&f, s, "A", true, &a3); /* --replace A: both A runs go, B stays */
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT string_agg(name || (id = %lld)::text, ',' ORDER BY id) FROM %s.run",
                                  (long long)a3, f.qs),
                        "Bfalse,Atrue");
    assert_string_equal(
        tu_pg_val(f.raw,
                  "SELECT string_agg(DISTINCT run_id::text, ',' ORDER BY run_id::text) FROM "
                  "%s.demand_time",
                  f.qs),
        tu_pg_val(f.raw,
                  "SELECT string_agg(x::text, ',' ORDER BY x::text) FROM (VALUES (%lld), (%lld)) "
                  "v(x)",
                  (long long)b1, (long long)a3));
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.demand_time", f.qs), "6");
    /* an aborted run leaves nothing, and the replaced run stays */
    store_pg_input in[1] = {{"scenario", tu_tmp("scenario.ini")}};
    store_pg_run run = {
        .name = "A", .scenario = "s", .report_json = report, .inputs = in, .ninputs = 1, .replace = true};
    int64_t id = 0;
    assert_ok(f.ctx, store_pg_write(f.ctx, s, &run, f.ls, f.n, &id, NULL));
    assert_true(id > a3);
    store_pg_abort(s);
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT string_agg(id::text, ',' ORDER BY id) FROM %s.run WHERE name = 'A'", f.qs),
        tu_pg_val(f.raw, "SELECT '%lld'", (long long)a3));
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.demand_time", f.qs), "6");
    /* the connection killed before COMMIT (pg_terminate_backend from another session): EMS_EIO, nothing new
     */
    assert_ok(f.ctx, store_pg_write(f.ctx, s, &run, f.ls, f.n, &id, NULL));
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", PQbackendPID(pg_raw(f.c)));
    tu_pg_ok(f.raw, sql);
    nanosleep(&(struct timespec){0, 100000000}, NULL);
    assert_status_msg(f.ctx, store_pg_commit(f.ctx, s), EMS_EIO, "connection");
    store_pg_abort(s);
    assert_string_equal(
        tu_pg_val(f.raw, "SELECT string_agg(id::text, ',' ORDER BY id) FROM %s.run WHERE name = 'A'", f.qs),
        tu_pg_val(f.raw, "SELECT '%lld'", (long long)a3));
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.demand_time", f.qs), "6");
    /* an empty run name */
    store_pg_destroy(s);
    pg_disconnect(f.c);
    assert_ok(f.ctx, pg_connect(f.ctx, getenv("EMSCOV_TEST_PG"), &f.c));
    s = fx_store(&f, "0.1.0");
    run.name = "";
    assert_status_msg(f.ctx, store_pg_write(f.ctx, s, &run, f.ls, f.n, &id, NULL), EMS_EINPUT, "empty name");
    store_pg_destroy(s);
    fx_close(&f);
}

static void test_other_crs_refused(void **state)
{
    fixture f;
    fx_open(&f, *state, NULL);
    store_pg *s = fx_store(&f, "0.1.0");
    result_layer lu[3];
    size_t nu = 0;
    make_layers(f.ctx, 32650, lu, &nu);
    crs *utm = NULL;
    assert_ok(f.ctx, crs_from_epsg(f.ctx, 32650, &utm));
    int64_t id;
    write_run(&f, s, "gk", false, &id);
    ems_status st = store_pg_prepare(f.ctx, s, utm, lu, nu);
    assert_status_msg(f.ctx, st, EMS_EINPUT, "holds results in EPSG:4548");
    assert_non_null(strstr(emscov_message(f.ctx), "EPSG:32650"));
    assert_non_null(strstr(emscov_message(f.ctx), "--db-schema"));
    assert_string_equal(tu_pg_val(f.raw,
                                  "SELECT string_agg(DISTINCT srid::text, ',') FROM geometry_columns WHERE "
                                  "f_table_schema = '%s' AND f_table_name NOT LIKE '%%wgs84'",
                                  f.schema),
                        "4548");
    assert_string_equal(tu_pg_val(f.raw, "SELECT count(*) FROM %s.run", f.qs), "1");
    assert_int_equal(PQtransactionStatus(pg_raw(f.c)), PQTRANS_IDLE);
    store_pg_destroy(s);
    crs_destroy(utm);
    result_layers_free(lu, nu);
    fx_close(&f);
}

static void test_hostile_names(void **state)
{
    fixture f;
    fx_open(&f, *state, "_x\"; DROP TABLE run; --");
    store_pg *s = fx_store(&f, "0.1.0'); DROP TABLE run; --");
    const char *evil = "x\"; DROP TABLE run; --";
    int64_t id1, id2;
    write_run(&f, s, evil, false, &id1);
    write_run(&f, s, evil, true, &id2);
    PGresult *r = PQexecParams(f.raw, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", 1, NULL,
                               (const char *const[]){f.schema}, NULL, NULL, 0);
    assert_string_equal(PQgetvalue(r, 0, 0), "1");
    PQclear(r);
    char sql[1000];
    snprintf(sql, sizeof sql, "SELECT name, (SELECT count(*) FROM %s.demand_time) FROM %s.run", f.qs, f.qs);
    r = PQexec(f.raw, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 1);
    assert_string_equal(PQgetvalue(r, 0, 0), evil);
    assert_string_equal(PQgetvalue(r, 0, 1), "3");
    PQclear(r);
    assert_string_equal(tu_pg_val(f.raw, "SELECT DISTINCT \"by\" FROM %s.schema_version", f.qs),
                        "emscov 0.1.0'); DROP TABLE run; --");
    store_pg_destroy(s);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_reopen),
        cmocka_unit_test(test_newer_layout_refused),
        cmocka_unit_test(test_migration_from_empty),
        cmocka_unit_test(test_migration_1_to_2),
        cmocka_unit_test(test_sites_run),
        cmocka_unit_test(test_run_tables_views),
        cmocka_unit_test(test_replace_and_abort),
        cmocka_unit_test(test_readers_never_wait),
        cmocka_unit_test(test_migration_3_to_4),
        cmocka_unit_test(test_other_crs_refused),
        cmocka_unit_test(test_hostile_names),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
