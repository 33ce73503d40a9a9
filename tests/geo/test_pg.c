/* tests/geo/test_pg.c: geo/pg.h against the real test PostgreSQL + PostGIS (EMSCOV_TEST_PG): connection
 * failures (no password in any message), quoting of hostile and Chinese identifiers, EPSG and custom SRIDs
 * (reused, also by concurrent processes, and usable by ST_Transform), COPY of every field type checked with
 * independent SQL, Multi* promotion, the pg: source (values, coordinates, order, notes, ?where= against
 * count(*), a where that tries to write, NULL / EMPTY / unreadable geometries in the input ledger against
 * IS NULL and ST_IsEmpty), and a connection killed in the middle of a COPY.
 * Every table lives in a schema of this process (t_pgcore_<pid>_<n>), dropped at the end of the test. */
#include "test_util.h"

#include "geo/filter.h"
#include "geo/layer.h"
#include "geo/pg.h"

#include "test_pgutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *conninfo(void)
{
    return getenv("EMSCOV_TEST_PG");
}

/* A fresh schema for one test; the raw connection checks what our code did. */
static PGconn *open_schema(char *schema, size_t cap)
{
    static int n;
    PGconn *raw = tu_pg_connect();
    snprintf(schema, cap, "t_pgcore_%ld_%d", (long)getpid(), ++n);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SET client_min_messages = warning; DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    tu_pg_ok(raw, sql);
    return raw;
}

static void close_schema(PGconn *raw, const char *schema)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SET client_min_messages = warning; DROP SCHEMA %s CASCADE", schema);
    tu_pg_ok(raw, sql);
    PQfinish(raw);
}

static layer *new_layer(emscov_ctx *ctx, int epsg)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, epsg, &c));
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "mem.shp", "test", c, &l));
    crs_destroy(c);
    return l;
}

/* ---- connecting --------------------------------------------------------------------------------------- */

static void test_connect_failures(void **state)
{
    emscov_ctx *ctx = *state;
    PQfinish(tu_pg_connect()); /* skip without a server */
    pg_conn *c = (pg_conn *)1;
    ems_status st =
        pg_connect(ctx, "host=127.0.0.1 port=1 user=postgres password=secret dbname=emscov_test", &c);
    assert_status_msg(ctx, st, EMS_EIO, "host=127.0.0.1 port=1 dbname=emscov_test");
    assert_null(c);
    assert_non_null(strstr(emscov_message(ctx), "Connection refused"));
    assert_null(strstr(emscov_message(ctx), "secret"));
    assert_null(strchr(emscov_message(ctx), '\n'));

    st = pg_connect(ctx, "postgresql://postgres:secret@127.0.0.1:1/emscov_test", &c);
    assert_status_msg(ctx, st, EMS_EIO, "port=1");
    assert_null(strstr(emscov_message(ctx), "secret"));

    /* a malformed port that would quote the password back (libpq: 'invalid integer value "secret"'): bad input,
     * and the value is not repeated */
    st = pg_connect(ctx, "host=127.0.0.1 port=secret password=secret", &c);
    assert_status_msg(ctx, st, EMS_EINPUT, "port is not a number from 1 to 65535");
    assert_null(strstr(emscov_message(ctx), "secret"));

    /* the server refuses: database missing; the server's first line is kept */
    char ci[512];
    snprintf(ci, sizeof ci, "%s dbname=no_such_db_pgcore password=secret", conninfo());
    st = pg_connect(ctx, ci, &c);
    assert_status_msg(ctx, st, EMS_EIO, "database \"no_such_db_pgcore\" does not exist");
    assert_null(strstr(emscov_message(ctx), "secret"));

    /* a database without PostGIS (the cluster's "postgres" database, checked independently first) */
    snprintf(ci, sizeof ci, "%s dbname=postgres", conninfo());
    PGconn *pgdb = PQconnectdb(ci);
    assert_int_equal(PQstatus(pgdb), CONNECTION_OK);
    assert_string_equal(tu_pg_val(pgdb, "SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"), "0");
    PQfinish(pgdb);
    st = pg_connect(ctx, ci, &c);
    assert_status_msg(ctx, st, EMS_EIO, "PostGIS is not installed in database postgres");

    /* the pg: source reports the same, naming the source */
    layer *l = NULL;
    st = layer_read_pg(ctx, "pg:public.anything", "host=127.0.0.1 port=1 dbname=emscov_test password=secret",
                       &l);
    assert_status_msg(ctx, st, EMS_EIO, "pg:public.anything: cannot connect");
    assert_null(strstr(emscov_message(ctx), "secret"));
    assert_null(l);
    layer_read_opts o = {.conninfo = "host=127.0.0.1 port=1 dbname=emscov_test"};
    st = layer_read(ctx, "pg:x", &o, &l);
    assert_status_msg(ctx, st, EMS_EIO, "pg:x: cannot connect");
}

/* A conninfo that cannot be parsed is bad input (exit 2), found before any connection is tried (issue 14 item
 * 8: it was EMS_EIO, exit 1); the message never repeats a password. Needs no server. */
static void test_conninfo_malformed(void **state)
{
    emscov_ctx *ctx = *state;
    pg_conn *c = (pg_conn *)1;
    assert_status_msg(ctx, pg_connect(ctx, "host=127.0.0.1 =bad", &c), EMS_EINPUT,
                      "not a valid PostgreSQL connection string (conninfo or URI)");
    assert_null(c);
    assert_status_msg(ctx, pg_connect(ctx, "host=127.0.0.1 dbname", &c), EMS_EINPUT, "missing \"=\" after \"dbname\"");
    assert_status_msg(ctx, pg_connect(ctx, "host='127.0.0.1", &c), EMS_EINPUT, "unterminated quoted string");
    assert_status_msg(ctx, pg_connect(ctx, "nosuchkey=1", &c), EMS_EINPUT, "invalid connection option \"nosuchkey\"");
    assert_status_msg(ctx, pg_connect(ctx, "postgresql://host:99999/db", &c), EMS_EINPUT, "port is not a number");
    assert_status_msg(ctx, pg_connect(ctx, "port=5432,x", &c), EMS_EINPUT, "port is not a number");
    /* near a password, libpq's detail could quote part of it: left out */
    assert_status_msg(ctx, pg_connect(ctx, "host=x password=sec ret", &c), EMS_EINPUT,
                      "not a valid PostgreSQL connection string");
    assert_null(strstr(emscov_message(ctx), "ret"));
    assert_null(strstr(emscov_message(ctx), "sec"));
}

static void test_connect_ok(void **state)
{
    emscov_ctx *ctx = *state;
    PQfinish(tu_pg_connect());
    pg_conn *c = NULL;
    assert_ok(ctx, pg_connect(ctx, conninfo(), &c));
    PGconn *raw = pg_raw(c);
    PGresult *r =
        PQexec(raw, "SELECT current_setting('application_name'), current_setting('client_encoding')");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(r, 0, 0), "emscov");
    assert_string_equal(PQgetvalue(r, 0, 1), "UTF8");
    PQclear(r);
    /* the port of the server under test (tools/pgtest.sh: 54329 unless PGTEST_PORT says otherwise) */
    const char *port = strstr(conninfo(), "port=");
    char want_port[32];
    snprintf(want_port, sizeof want_port, "port=%d", port ? atoi(port + 5) : 5432);
    assert_non_null(strstr(pg_describe(c), want_port));
    assert_non_null(strstr(pg_describe(c), "dbname=emscov_test"));
    /* a statement failure: the step, the server's first line, the connection */
    ems_status st = pg_exec(ctx, c, "reading the moon", "SELECT * FROM no_such_table_pgcore", 0, NULL);
    assert_status_msg(ctx, st, EMS_EIO, "reading the moon: relation \"no_such_table_pgcore\" does not exist");
    assert_non_null(strstr(emscov_message(ctx), "dbname=emscov_test"));
    /* parameters are values, never SQL */
    const char *p[1] = {"x'); DROP TABLE y; --"};
    assert_ok(ctx, pg_query(ctx, c, "echo", "SELECT $1::text", 1, p, &r));
    assert_string_equal(PQgetvalue(r, 0, 0), p[0]);
    PQclear(r);
    /* a commit after an error is refused and rolls back */
    assert_ok(ctx, pg_begin(ctx, c));
    assert_int_equal(pg_exec(ctx, c, "failing", "SELECT 1/0", 0, NULL), EMS_EIO);
    assert_status_msg(ctx, pg_commit(ctx, c), EMS_EIO, "aborted");
    assert_int_equal(PQtransactionStatus(raw), PQTRANS_IDLE);
    pg_disconnect(c);

    char ci[512];
    snprintf(ci, sizeof ci, "%s application_name=nightly", conninfo());
    assert_ok(ctx, pg_connect(ctx, ci, &c));
    r = PQexec(pg_raw(c), "SELECT current_setting('application_name')");
    assert_string_equal(PQgetvalue(r, 0, 0), "nightly");
    PQclear(r);
    char *q = pg_ident(ctx, c, "s\"x", "名称");
    assert_string_equal(q, "\"s\"\"x\".\"名称\"");
    free(q);
    pg_disconnect(c);
    pg_disconnect(NULL);
}

/* ---- identifiers ----------------------------------------------------------------------------------------
 */

static void test_hostile_identifiers(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE TABLE %s.run (id int)", schema);
    tu_pg_ok(raw, sql);

    layer *l = new_layer(ctx, 4548);
    assert_ok(ctx, layer_add_field(ctx, l, "名称", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "a\"b c", LAYER_FIELD_INT, 0, 0));
    layer_value v[2] = {{.u.s = "朝阳区急救站"}, {.u.i = 7}};
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT (448688.5 4418598.25)"), 1, v));
    const char *table = "x\"; DROP TABLE run; --";
    pg_conn *c = NULL;
    assert_ok(ctx, pg_connect(ctx, conninfo(), &c));
    assert_ok(ctx, pg_create_table(ctx, c, schema, table, l, 4548, NULL, 0, false));
    uint64_t rows = 0;
    assert_ok(ctx, pg_copy_layer(ctx, c, schema, table, l, 4548, NULL, 0, NULL, NULL, &rows));
    assert_int_equal(rows, 1);
    /* independently: the table has exactly that name, "run" is still there, the columns and value are right
     */
    assert_string_equal(
        tu_pg_val(raw,
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = '%s' AND c.relname = 'x\"; DROP TABLE run; --'",
                schema),
        "1");
    assert_string_equal(tu_pg_val(raw, "SELECT to_regclass('%s.run') IS NOT NULL", schema), "t");
    assert_string_equal(
        tu_pg_val(raw, "SELECT \"名称\" || '/' || \"a\"\"b c\" FROM %s.\"x\"\"; DROP TABLE run; --\"", schema),
        "朝阳区急救站/7");
    /* IF NOT EXISTS on the same table is fine; without it the server's refusal is EMS_EIO */
    assert_ok(ctx, pg_create_table(ctx, c, schema, table, l, 4548, NULL, 0, true));
    assert_status_msg(ctx, pg_create_table(ctx, c, schema, table, l, 4548, NULL, 0, false), EMS_EIO,
                      "already exists");

    /* read back through pg: (names as written; no dot in them) */
    char src[256];
    snprintf(src, sizeof src, "pg:%s.%s", schema, table);
    layer *back = NULL;
    assert_ok(ctx, layer_read_pg(ctx, src, conninfo(), &back));
    assert_int_equal(layer_count(back), 1);
    assert_int_equal(layer_field_count(back), 2);
    assert_string_equal(layer_field_at(back, 0)->name, "名称");
    assert_string_equal(layer_value_at(back, 0, 0)->u.s, "朝阳区急救站");
    assert_int_equal(layer_value_at(back, 0, 1)->u.i, 7);
    layer_destroy(back);

    /* a field named like a column emscov adds */
    layer *bad = new_layer(ctx, 4548);
    assert_ok(ctx, layer_add_field(ctx, bad, "run_id", LAYER_FIELD_INT, 0, 0));
    pg_column extra[1] = {{"run_id", "bigint NOT NULL"}};
    assert_status_msg(ctx, pg_create_table(ctx, c, schema, "t2", bad, 4548, extra, 1, false), EMS_EINPUT,
                      "field run_id: the name is taken");
    layer_destroy(bad);
    bad = new_layer(ctx, 4548);
    assert_ok(ctx, layer_add_field(ctx, bad, "geom", LAYER_FIELD_INT, 0, 0));
    assert_status_msg(ctx, pg_create_table(ctx, c, schema, "t2", bad, 4548, NULL, 0, false), EMS_EINPUT,
                      "field geom");
    layer_destroy(bad);
    assert_string_equal(tu_pg_val(raw, "SELECT to_regclass('%s.t2') IS NULL", schema), "t");

    pg_disconnect(c);
    layer_destroy(l);
    close_schema(raw, schema);
}

/* Table names up to PostgreSQL's 63 bytes (issue 14 item 8): "<table>_geom_idx" of a 63-byte table was cut by
 * the server to the table's own name and collided with it. The index name stays within 63 bytes and differs
 * for two long names that share their first 54 bytes; short names keep "<table>_geom_idx". */
static void test_long_table_names(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    layer *l = new_layer(ctx, 4548);
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT (448688.5 4418598.25)"), 1, NULL));
    char a[64], b[64];
    memset(a, 'a', 63);
    a[63] = '\0';
    memcpy(b, a, 64);
    b[62] = 'b';
    pg_conn *c = NULL;
    assert_ok(ctx, pg_connect(ctx, conninfo(), &c));
    assert_ok(ctx, pg_create_table(ctx, c, schema, a, l, 4548, NULL, 0, false));
    assert_ok(ctx, pg_create_table(ctx, c, schema, b, l, 4548, NULL, 0, false));
    assert_ok(ctx, pg_create_table(ctx, c, schema, a, l, 4548, NULL, 0, true)); /* IF NOT EXISTS finds it again */
    assert_ok(ctx, pg_create_table(ctx, c, schema, "short", l, 4548, NULL, 0, false));
    /* independently: each table has one GiST index, of a name no longer than 63 bytes and not the table's */
#define INDEXES_OF                                                                                          \
    "SELECT string_agg(ic.relname, ',') FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "         \
    "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "                  \
    "WHERE n.nspname = '%s' AND t.relname = '%s'"
    char ia[128], ib[128];
    snprintf(ia, sizeof ia, "%s", tu_pg_val(raw, INDEXES_OF, schema, a));
    snprintf(ib, sizeof ib, "%s", tu_pg_val(raw, INDEXES_OF, schema, b));
    assert_null(strchr(ia, ','));
    assert_true(strlen(ia) <= 63 && strlen(ib) <= 63);
    assert_string_not_equal(ia, a);
    assert_string_not_equal(ia, ib);
    assert_non_null(strstr(ia, "_geom_idx"));
    assert_string_equal(tu_pg_val(raw, INDEXES_OF, schema, "short"), "short_geom_idx");
#undef INDEXES_OF
    pg_disconnect(c);
    layer_destroy(l);
    close_schema(raw, schema);
}

/* ---- SRIDs --------------------------------------------------------------------------------------------- */

/* GK CM 117E on the CGCS2000 ellipsoid, but with names PROJ cannot match to EPSG:4548 with full confidence.
 */
static const char custom_wkt[] =
    "PROJCS[\"pgcore_test_GK_CM_117E\",GEOGCS[\"GCS_pgcore_test\",DATUM[\"D_pgcore_test\",SPHEROID["
    "\"CGCS2000\","
    "6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],"
    "PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],"
    "PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\","
    "0.0],"
    "UNIT[\"Meter\",1.0]]";

static void test_srid(void **state)
{
    emscov_ctx *ctx = *state;
    PGconn *raw = tu_pg_connect();
    /* rows left by an earlier, failed run of this test: start from none, so the insert path runs */
    tu_pg_ok(raw,
           "DELETE FROM spatial_ref_sys WHERE auth_name = 'emscov' AND srtext LIKE '%pgcore_test_GK_CM_11%'");
    pg_conn *c = NULL;
    assert_ok(ctx, pg_connect(ctx, conninfo(), &c));
    crs *gk = NULL, *custom = NULL, *back = NULL;
    assert_ok(ctx, crs_from_string(ctx, tu_gk117_wkt, &gk));
    int srid = 0;
    assert_ok(ctx, pg_srid_for(ctx, c, gk, &srid));
    assert_int_equal(srid, 4548);
    assert_string_equal(
        tu_pg_val(raw, "SELECT auth_name || ':' || auth_srid FROM spatial_ref_sys WHERE srid = 4548"),
        "EPSG:4548");
    assert_ok(ctx, pg_crs_of_srid(ctx, c, 4548, &back));
    assert_int_equal(crs_epsg(back), 4548);
    crs_destroy(back);

    assert_ok(ctx, crs_from_string(ctx, custom_wkt, &custom));
    assert_int_equal(crs_epsg(custom), 0); /* the precondition of this test */
    int s1 = 0, s2 = 0;
    assert_ok(ctx, pg_srid_for(ctx, c, custom, &s1));
    assert_in_range(s1, 910000, 998999);
    assert_ok(ctx, pg_srid_for(ctx, c, custom, &s2));
    assert_int_equal(s1, s2);
    /* inside the caller's transaction too */
    assert_ok(ctx, pg_begin(ctx, c));
    assert_ok(ctx, pg_srid_for(ctx, c, custom, &s2));
    assert_int_equal(s1, s2);
    assert_ok(ctx, pg_commit(ctx, c));
    assert_string_equal(tu_pg_val(raw, "SELECT count(*) FROM spatial_ref_sys WHERE auth_name = 'emscov' AND "
                                     "srtext LIKE '%%pgcore_test_GK_CM_117E%%'"),
                        "1");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT auth_name || ' ' || (proj4text LIKE '%%+proj=tmerc%%+lon_0=117%%') "
                                "FROM spatial_ref_sys WHERE srid = %d",
                                s1),
                        "emscov true");
    /* PostGIS can use the new SRID: lon 116.4 lat 39.9 (CGCS2000) -> E 448688.8557 N 4418598.0013
     * (cs2cs EPSG:4490 EPSG:4548 on "39.9 116.4") */
    const char *x =
        tu_pg_val(raw, "SELECT ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(116.4, 39.9), 4490), %d))", s1);
    const char *y =
        tu_pg_val(raw, "SELECT ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(116.4, 39.9), 4490), %d))", s1);
    assert_close(atof(x), 448688.8557, 1e-3);
    assert_close(atof(y), 4418598.0013, 1e-3);
    /* and back to a CRS equivalent to the one given */
    assert_ok(ctx, pg_crs_of_srid(ctx, c, s1, &back));
    assert_true(crs_equivalent(back, custom));
    crs_destroy(back);
    assert_status_msg(ctx, pg_crs_of_srid(ctx, c, 998998, &back), EMS_EINPUT,
                      "SRID 998998 is not in spatial_ref_sys");

    /* four processes registering another custom CRS at once share one SRID and one row */
    char wkt2[sizeof custom_wkt + 16];
    snprintf(wkt2, sizeof wkt2, "%s", custom_wkt);
    char *cm = strstr(wkt2, "117.0");
    memcpy(cm, "118.0", 5);
    char *nm = strstr(wkt2, "pgcore_test_GK_CM_117E");
    memcpy(nm, "pgcore_test_GK_CM_118E", 22);
    int fds[4][2];
    pid_t pids[4];
    for (int k = 0; k < 4; k++) {
        assert_int_equal(pipe(fds[k]), 0);
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] == 0) {
            emscov_ctx *cx = emscov_ctx_create();
            crs *cr = NULL;
            pg_conn *pc = NULL;
            int s = -1;
            if (cx && crs_from_string(cx, wkt2, &cr) == EMS_OK && pg_connect(cx, conninfo(), &pc) == EMS_OK &&
                pg_srid_for(cx, pc, cr, &s) != EMS_OK)
                s = -1;
            ssize_t wr = write(fds[k][1], &s, sizeof s);
            crs_destroy(cr);
            pg_disconnect(pc);
            emscov_ctx_destroy(cx);
            _exit(wr == (ssize_t)sizeof s ? 0 : 1);
        }
        close(fds[k][1]);
    }
    int got[4];
    for (int k = 0; k < 4; k++) {
        int status = 0;
        assert_int_equal(read(fds[k][0], &got[k], sizeof got[k]), (ssize_t)sizeof got[k]);
        close(fds[k][0]);
        waitpid(pids[k], &status, 0);
        assert_true(WIFEXITED(status)); /* the exit code may be valgrind's, the value came through the pipe */
        assert_in_range(got[k], 910000, 998999);
        assert_int_equal(got[k], got[0]);
    }
    assert_true(got[0] != s1);
    assert_string_equal(tu_pg_val(raw, "SELECT count(*) FROM spatial_ref_sys WHERE auth_name = 'emscov' AND "
                                     "srtext LIKE '%%pgcore_test_GK_CM_118E%%'"),
                        "1");
    /* the test's own rows go (nothing else uses these definitions) */
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM spatial_ref_sys WHERE srid IN (%d, %d) AND auth_name = 'emscov'",
             s1, got[0]);
    tu_pg_ok(raw, sql);
    crs_destroy(gk);
    crs_destroy(custom);
    pg_disconnect(c);
    PQfinish(raw);
}

/* ---- COPY ---------------------------------------------------------------------------------------------- */

static void test_copy_types(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    layer *l = new_layer(ctx, 4548);
    assert_ok(ctx, layer_add_field(ctx, l, "i", LAYER_FIELD_INT, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "d", LAYER_FIELD_DOUBLE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "s", LAYER_FIELD_STRING, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "dt", LAYER_FIELD_DATE, 0, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "b", LAYER_FIELD_LOGICAL, 0, 0));
    layer_value r1[5] = {{.u.i = 1}, {.u.d = 0.1}, {.u.s = "plain"}, {.u.date = 20240229}, {.u.b = true}};
    layer_value r2[5] = {{.u.i = -9223372036854775807LL},
                         {.u.d = NAN},
                         {.u.s = "tab\there\nnew\\back\rcr"},
                         {.is_null = true},
                         {.u.b = false}};
    layer_value r3[5] = {{.u.i = 3}, {.u.d = 1e300}, {.u.s = ""}, {.is_null = true}, {.is_null = true}};
    layer_value r4[5] = {
        {.u.i = 4}, {.u.d = -INFINITY}, {.u.s = "名称 \\N"}, {.u.date = 19491001}, {.is_null = true}};
    layer_value r5[5] = {
        {.u.i = 5}, {.is_null = true}, {.is_null = true}, {.is_null = true}, {.is_null = true}};
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT (1 2)"), 1, r1));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT (448688.8557 4418598.0013)"), 2, r2));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT (-0.5 1e7)"), 3, r3));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT (3 4)"), 4, r4));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POINT (5 6)"), 5, r5));
    pg_conn *c = NULL;
    assert_ok(ctx, pg_connect(ctx, conninfo(), &c));
    pg_column extra[2] = {{"run_id", "bigint NOT NULL"}, {"tag", "text"}};
    const char *extra_values[2] = {"42", NULL};
    assert_ok(ctx, pg_begin(ctx, c));
    assert_ok(ctx, pg_create_table(ctx, c, schema, "types", l, 4548, extra, 2, false));
    uint64_t rows = 0;
    assert_ok(ctx, pg_copy_layer(ctx, c, schema, "types", l, 4548, extra_values, 2, NULL, NULL, &rows));
    assert_int_equal(rows, 5);
    /* not visible to others before the commit */
    assert_string_equal(tu_pg_val(raw, "SELECT to_regclass('%s.types') IS NULL", schema), "t");
    assert_ok(ctx, pg_commit(ctx, c));

    const char *t = schema;
    assert_string_equal(tu_pg_val(raw, "SELECT count(*) FROM %s.types WHERE run_id = 42 AND tag IS NULL", t),
                        "5");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT type || ' ' || srid || ' ' || coord_dimension FROM geometry_columns "
                                "WHERE f_table_schema = '%s' AND f_table_name = 'types'",
                                t),
                        "POINT 4548 2");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
                                "FROM pg_attribute WHERE attrelid = '%s.types'::regclass AND attnum > 0",
                                t),
                        "bigint,text,bigint,double precision,text,date,boolean,geometry(Point,4548)");
    assert_string_equal(
        tu_pg_val(raw,
                "SELECT count(*) FROM pg_indexes WHERE schemaname = '%s' AND tablename = 'types' "
                "AND indexdef LIKE '%%USING gist (geom)%%'",
                t),
        "1");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT d = 0.1::float8 AND s = 'plain' AND dt = '2024-02-29' AND b "
                                "AND ST_AsText(geom) = 'POINT(1 2)' AND ST_SRID(geom) = 4548 "
                                "FROM %s.types WHERE i = 1",
                                t),
                        "t");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT d IS NULL AND s = E'tab\\there\\nnew\\\\back\\rcr' AND dt IS NULL "
                                "AND NOT b FROM %s.types WHERE i = -9223372036854775807",
                                t),
                        "t");
    assert_string_equal(
        tu_pg_val(raw, "SELECT ST_AsText(geom) FROM %s.types WHERE i = -9223372036854775807", t),
        "POINT(448688.8557 4418598.0013)");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT d = 1e300 AND s = '' AND b IS NULL AND ST_AsText(geom) = "
                                "'POINT(-0.5 10000000)' FROM %s.types WHERE i = 3",
                                t),
                        "t");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT d = '-Infinity'::float8 AND s = E'名称 \\\\N' AND dt = '1949-10-01' "
                                "FROM %s.types WHERE i = 4",
                                t),
                        "t");
    assert_string_equal(tu_pg_val(raw,
                                "SELECT d IS NULL AND s IS NULL AND dt IS NULL AND b IS NULL "
                                "FROM %s.types WHERE i = 5",
                                t),
                        "t");

    /* and back through pg: (NaN comes back as null: COPY wrote it as \N, as pg.h says) */
    char src[128];
    snprintf(src, sizeof src, "pg:%s.types", schema);
    layer *back = NULL;
    assert_ok(ctx, layer_read_pg(ctx, src, conninfo(), &back));
    assert_int_equal(layer_count(back), 5);
    assert_int_equal(layer_field_count(back), 7);
    int fi = layer_field_index(back, "i"), fd = layer_field_index(back, "d"),
        fs = layer_field_index(back, "s");
    int fdt = layer_field_index(back, "dt"), fb = layer_field_index(back, "b");
    assert_true(fi >= 0 && fd >= 0 && fs >= 0 && fdt >= 0 && fb >= 0);
    assert_int_equal(layer_field_at(back, (size_t)fdt)->type, LAYER_FIELD_DATE);
    bool seen[5] = {false};
    for (size_t i = 0; i < 5; i++) {
        int64_t id = layer_value_at(back, i, (size_t)fi)->u.i;
        if (id == 1) {
            assert_true(layer_value_at(back, i, (size_t)fd)->u.d == 0.1);
            assert_int_equal(layer_value_at(back, i, (size_t)fdt)->u.date, 20240229);
            assert_true(layer_value_at(back, i, (size_t)fb)->u.b);
            seen[0] = true;
        } else if (id == -9223372036854775807LL) {
            assert_true(layer_value_at(back, i, (size_t)fd)->is_null);
            assert_string_equal(layer_value_at(back, i, (size_t)fs)->u.s, "tab\there\nnew\\back\rcr");
            seen[1] = true;
        } else if (id == 3) {
            assert_true(layer_value_at(back, i, (size_t)fd)->u.d == 1e300);
            assert_false(layer_value_at(back, i, (size_t)fs)->is_null);
            assert_string_equal(layer_value_at(back, i, (size_t)fs)->u.s, "");
            seen[2] = true;
        } else if (id == 4) {
            assert_true(isinf(layer_value_at(back, i, (size_t)fd)->u.d) &&
                        layer_value_at(back, i, (size_t)fd)->u.d < 0);
            assert_string_equal(layer_value_at(back, i, (size_t)fs)->u.s, "名称 \\N");
            seen[3] = true;
        } else if (id == 5) {
            assert_true(layer_value_at(back, i, (size_t)fs)->is_null);
            seen[4] = true;
        }
    }
    for (int k = 0; k < 5; k++)
        assert_true(seen[k]);
    layer_destroy(back);

    /* a date that is not one: EMS_EINPUT naming record and field, nothing loaded */
    layer *bad = new_layer(ctx, 4548);
    assert_ok(ctx, layer_add_field(ctx, bad, "dt", LAYER_FIELD_DATE, 0, 0));
    layer_value bv[1] = {{.u.date = 20241301}};
    assert_ok(ctx, layer_append_take(ctx, bad, tu_wkt(ctx, "POINT (0 0)"), 9, bv));
    assert_ok(ctx, pg_create_table(ctx, c, schema, "baddate", bad, 4548, NULL, 0, false));
    assert_status_msg(ctx, pg_copy_layer(ctx, c, schema, "baddate", bad, 4548, NULL, 0, NULL, NULL, &rows),
                      EMS_EINPUT, "record 9: field dt: 20241301 is not a date");
    assert_string_equal(tu_pg_val(raw, "SELECT count(*) FROM %s.baddate", t), "0");
    /* the connection is still usable */
    assert_ok(ctx, pg_exec(ctx, c, "ping", "SELECT 1", 0, NULL));
    layer_destroy(bad);

    pg_disconnect(c);
    layer_destroy(l);
    close_schema(raw, schema);
}

static void test_promotion(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    pg_conn *c = NULL;
    assert_ok(ctx, pg_connect(ctx, conninfo(), &c));
    static const struct {
        const char *table, *wkt[2], *type, *first;
    } cases[] = {
        {"poly",
         {"POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))",
          "MULTIPOLYGON (((20 0, 30 0, 30 5, 20 0)), ((40 0, 41 0, 41 1, 40 0)))"},
         "MULTIPOLYGON",
         "MULTIPOLYGON(((0 0,10 0,10 10,0 10,0 0)))"},
        {"line",
         {"MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))", "LINESTRING (5 5, 6 7)"},
         "MULTILINESTRING",
         "MULTILINESTRING((0 0,1 1),(2 2,3 3))"},
        {"pts", {"MULTIPOINT ((1 1), (2 2))", "POINT (3 3)"}, "MULTIPOINT", "MULTIPOINT((1 1),(2 2))"},
        {"mixed", {"POINT (1 1)", "POLYGON ((0 0, 1 0, 1 1, 0 0))"}, "GEOMETRY", "POINT(1 1)"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        layer *l = new_layer(ctx, 4548);
        assert_ok(ctx, layer_add_field(ctx, l, "id", LAYER_FIELD_INT, 0, 0));
        for (int i = 0; i < 2; i++) {
            layer_value v[1] = {{.u.i = i + 1}};
            assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, cases[k].wkt[i]), i + 1, v));
        }
        assert_ok(ctx, pg_create_table(ctx, c, schema, cases[k].table, l, 4548, NULL, 0, false));
        assert_ok(ctx, pg_copy_layer(ctx, c, schema, cases[k].table, l, 4548, NULL, 0, NULL, NULL, NULL));
        assert_string_equal(tu_pg_val(raw,
                                    "SELECT type FROM geometry_columns WHERE f_table_schema = '%s' AND "
                                    "f_table_name = '%s'",
                                    schema, cases[k].table),
                            cases[k].type);
        assert_string_equal(
            tu_pg_val(raw, "SELECT ST_AsText(geom) FROM %s.%s WHERE id = 1", schema, cases[k].table),
            cases[k].first);
        layer_destroy(l);
    }
    /* every row is MultiPolygon; areas 100 + 25 + 0.5 by hand */
    assert_string_equal(
        tu_pg_val(raw,
                "SELECT string_agg(GeometryType(geom), ',' ORDER BY id) || ' ' || sum(ST_Area(geom)) "
                "FROM %s.poly",
                schema),
        "MULTIPOLYGON,MULTIPOLYGON 125.5");
    assert_string_equal(tu_pg_val(raw, "SELECT ST_AsText(geom) FROM %s.line WHERE id = 2", schema),
                        "MULTILINESTRING((5 5,6 7))");
    pg_disconnect(c);
    close_schema(raw, schema);
}

/* ---- the pg: source ---------------------------------------------------------------------------------- */

static void test_read_pg(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    char sql[2048];
    snprintf(
        sql, sizeof sql,
        "CREATE TABLE %s.parcels (id int PRIMARY KEY, name varchar(20), v numeric, n smallint, f real, "
        "d date, ok boolean, extra jsonb, note char(4), shape geometry(Polygon, 4548));"
        "INSERT INTO %s.parcels VALUES "
        "(3, '第三', 2.25, 3, 0.5, '2020-01-31', true, '{}', 'ab', "
        "ST_GeomFromText('POLYGON((500000 4400000, 500100 4400000, 500100 4400100, 500000 4400000))', 4548)),"
        "(1, 'one', NULL, -1, NULL, NULL, false, NULL, NULL, "
        "ST_GeomFromText('POLYGON((448688.8557 4418598.0013, 448700 4418598.0013, 448700 4418610, "
        "448688.8557 4418598.0013))', 4548)),"
        "(2, 'bowtie', 1e-3, 0, 1.5, '1999-12-31', NULL, NULL, 'x', "
        "ST_GeomFromText('POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))', 4548)),"
        "(4, 'no geometry', 4, 4, 4, NULL, NULL, NULL, NULL, NULL);"
        "CREATE TABLE %s.nogeom (id int);"
        "CREATE TABLE %s.heap (a int, geom geometry(Point, 4326), g2 geometry(Point, 4548));"
        "INSERT INTO %s.heap VALUES (10, 'SRID=4326;POINT(116.4 39.9)', NULL), (5, 'SRID=4326;POINT(1 2)', "
        "'SRID=4548;POINT(7 8)')",
        schema, schema, schema, schema, schema);
    tu_pg_ok(raw, sql);

    char src[256];
    snprintf(src, sizeof src, "pg:%s.parcels", schema);
    layer *l = NULL;
    assert_ok(ctx, layer_read_pg(ctx, src, conninfo(), &l));
    assert_string_equal(layer_format(l), "PostGIS");
    assert_string_equal(layer_crs_source(l), "SRID 4548");
    assert_int_equal(crs_epsg(layer_crs(l)), 4548);
    assert_int_equal(layer_source_records(l), 4);
    assert_int_equal(layer_count(l), 3); /* the null geometry is skipped and noted */
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_EMPTY), 1);
    assert_int_equal(layer_note_count_kind(l, LAYER_NOTE_REPAIRED), 1);
    bool jsonb_noted = false;
    for (size_t k = 0; k < layer_note_count(l); k++)
        jsonb_noted |= strstr(layer_note_at(l, k)->text, "column extra skipped") != NULL;
    assert_true(jsonb_noted);
    /* fields in table order, jsonb skipped */
    static const char *const names[] = {"id", "name", "v", "n", "f", "d", "ok", "note"};
    static const layer_field_type types[] = {LAYER_FIELD_INT,     LAYER_FIELD_STRING, LAYER_FIELD_DOUBLE,
                                             LAYER_FIELD_INT,     LAYER_FIELD_DOUBLE, LAYER_FIELD_DATE,
                                             LAYER_FIELD_LOGICAL, LAYER_FIELD_STRING};
    assert_int_equal(layer_field_count(l), 8);
    for (size_t j = 0; j < 8; j++) {
        assert_string_equal(layer_field_at(l, j)->name, names[j]);
        assert_int_equal(layer_field_at(l, j)->type, types[j]);
    }
    /* primary-key order: ids 1, 2, 3 are records 1, 2, 3 (inserted as 3, 1, 2) */
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(layer_record(l, i), (int64_t)i + 1);
        assert_int_equal(layer_value_at(l, i, 0)->u.i, (int64_t)i + 1);
    }
    assert_string_equal(layer_value_at(l, 0, 1)->u.s, "one");
    assert_true(layer_value_at(l, 0, 2)->is_null);
    assert_int_equal(layer_value_at(l, 0, 3)->u.i, -1);
    assert_false(layer_value_at(l, 0, 6)->u.b);
    assert_true(layer_value_at(l, 1, 2)->u.d == 1e-3);
    assert_true(layer_value_at(l, 1, 4)->u.d == 1.5);
    assert_int_equal(layer_value_at(l, 1, 5)->u.date, 19991231);
    assert_true(layer_value_at(l, 1, 6)->is_null);
    assert_string_equal(layer_value_at(l, 1, 7)->u.s, "x   "); /* char(4) keeps its padding */
    assert_string_equal(layer_value_at(l, 2, 1)->u.s, "第三");
    assert_true(layer_value_at(l, 2, 2)->u.d == 2.25);
    assert_int_equal(layer_value_at(l, 2, 5)->u.date, 20200131);
    assert_true(layer_value_at(l, 2, 6)->u.b);
    /* coordinates equal to the text given to PostGIS */
    GEOSContextHandle_t h = emscov_geos(ctx);
    GEOSGeometry *want =
        tu_wkt(ctx, "POLYGON((448688.8557 4418598.0013, 448700 4418598.0013, 448700 4418610, "
                    "448688.8557 4418598.0013))");
    assert_int_equal(GEOSEqualsExact_r(h, layer_geom(l, 0), want, 0), 1);
    GEOSGeom_destroy_r(h, want);
    /* the bow-tie was repaired: two triangles of 25 m2 each */
    double area = 0;
    GEOSArea_r(h, layer_geom(l, 1), &area);
    assert_close(area, 50.0, 1e-9);
    layer_destroy(l);

    /* no primary key: ctid (insertion) order; the first geometry column; the other noted as skipped */
    snprintf(src, sizeof src, "pg:%s.heap", schema);
    assert_ok(ctx, layer_read_pg(ctx, src, conninfo(), &l));
    assert_int_equal(layer_count(l), 2);
    assert_int_equal(crs_epsg(layer_crs(l)), 4326);
    assert_int_equal(layer_value_at(l, 0, 0)->u.i, 10);
    assert_int_equal(layer_value_at(l, 1, 0)->u.i, 5);
    double x = 0, y = 0;
    GEOSGeomGetX_r(h, layer_geom(l, 0), &x);
    GEOSGeomGetY_r(h, layer_geom(l, 0), &y);
    assert_true(x == 116.4 && y == 39.9);
    layer_destroy(l);
    /* ?geom= picks the other; through layer_read and its conninfo option */
    snprintf(src, sizeof src, "pg:%s.heap?geom=g2", schema);
    layer_read_opts o = {.conninfo = conninfo()};
    assert_ok(ctx, layer_read(ctx, src, &o, &l));
    assert_int_equal(layer_count(l), 1);
    assert_string_equal(layer_crs_source(l), "SRID 4548");
    GEOSGeomGetX_r(h, layer_geom(l, 0), &x);
    assert_true(x == 7);
    assert_int_equal(layer_record(l, 0), 2);
    layer_destroy(l);

    /* shapes PostGIS holds but GEOS refuses (a one-point line from WKB, a curve) are skipped with a note */
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.odd (id int PRIMARY KEY, geom geometry(Geometry, 4548));"
             "INSERT INTO %s.odd VALUES (1, "
             "ST_SetSRID('010200000001000000000000000000F03F000000000000F03F'::geometry,"
             " 4548)), (2, 'SRID=4548;CIRCULARSTRING(0 0, 1 1, 2 0)'), (3, 'SRID=4548;LINESTRING(0 0, 3 4)')",
             schema, schema);
    tu_pg_ok(raw, sql);
    snprintf(src, sizeof src, "pg:%s.odd", schema);
    assert_ok(ctx, layer_read_pg(ctx, src, conninfo(), &l));
    assert_int_equal(layer_count(l), 1);
    assert_int_equal(layer_record(l, 0), 3);
    assert_int_equal(layer_source_records(l), 3);
    GEOSLength_r(h, layer_geom(l, 0), &x);
    assert_close(x, 5.0, 1e-12);
    assert_int_equal(layer_note_count(l), 2);
    assert_int_equal(layer_note_at(l, 0)->record, 1);
    assert_non_null(strstr(layer_note_at(l, 0)->text, "geometry GEOS cannot read"));
    assert_int_equal(layer_note_at(l, 1)->record, 2);
    assert_int_equal(layer_skipped_count(l), 2);
    assert_int_equal(layer_skipped_reason(l, 0), LAYER_SKIP_UNREADABLE);
    assert_int_equal(layer_skipped_values(l, 1)[0].u.i, 2);
    layer_destroy(l);

    /* failures: EMS_EINPUT naming the source */
    ems_status st;
    snprintf(src, sizeof src, "pg:%s.no_such_table", schema);
    st = layer_read_pg(ctx, src, conninfo(), &l);
    assert_status_msg(ctx, st, EMS_EINPUT, "no_such_table does not exist");
    assert_non_null(strstr(emscov_message(ctx), src));
    snprintf(src, sizeof src, "pg:%s.parcels?geom=nope", schema);
    st = layer_read_pg(ctx, src, conninfo(), &l);
    assert_status_msg(ctx, st, EMS_EINPUT, "has no geometry column nope");
    snprintf(src, sizeof src, "pg:%s.nogeom", schema);
    assert_status_msg(ctx, layer_read_pg(ctx, src, conninfo(), &l), EMS_EINPUT, "has no geometry column");
    snprintf(src, sizeof src, "pg:%s.parcels?colour=red", schema);
    assert_status_msg(ctx, layer_read_pg(ctx, src, conninfo(), &l), EMS_EINPUT,
                      "unknown parameter \"colour\"");
    snprintf(src, sizeof src, "pg:%s.parcels?where=id%%2", schema);
    assert_status_msg(ctx, layer_read_pg(ctx, src, conninfo(), &l), EMS_EINPUT, "bad %-escape");
    assert_status_msg(ctx, layer_read_pg(ctx, "pg:a.b.c", conninfo(), &l), EMS_EINPUT, "more than one '.'");
    assert_status_msg(ctx, layer_read_pg(ctx, "pg:", conninfo(), &l), EMS_EINPUT, "no table name");
    assert_null(l);
    close_schema(raw, schema);
}

static void test_where(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.x (id int PRIMARY KEY, kind text, geom geometry(Point, 4326));"
             "INSERT INTO %s.x SELECT i, CASE WHEN i %% 3 = 0 THEN 'a b' ELSE 'c&d' END, "
             "ST_SetSRID(ST_MakePoint(116 + i * 0.001, 39.9), 4326) FROM generate_series(1, 100) i;"
             "CREATE SEQUENCE %s.seq",
             schema, schema, schema);
    tu_pg_ok(raw, sql);
    static const struct {
        const char *query, *condition;
    } cases[] = {
        {"id+%3C%3D+10", "id <= 10"},
        {"id%20%25%202%20=%200", "id % 2 = 0"},
        {"kind+%3D+'c%26d'+AND+id+>+50", "kind = 'c&d' AND id > 50"},
        {"kind='a b'", "kind = 'a b'"},
        {"false", "false"},
        {"id > 90 -- a trailing comment", "id > 90"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        char src[256];
        snprintf(src, sizeof src, "pg:%s.x?where=%s", schema, cases[k].query);
        layer *l = NULL;
        assert_ok(ctx, layer_read_pg(ctx, src, conninfo(), &l));
        const char *want = tu_pg_val(raw, "SELECT count(*) FROM %s.x WHERE %s", schema, cases[k].condition);
        assert_int_equal(layer_count(l), atoi(want));
        layer_destroy(l);
    }
    /* an attempt to write: one statement only, READ ONLY: an error, the table still there */
    char src[256];
    snprintf(src, sizeof src, "pg:%s.x?where=1=1); DROP TABLE %s.x; --", schema, schema);
    layer *l = NULL;
    ems_status st = layer_read_pg(ctx, src, conninfo(), &l);
    assert_status_msg(ctx, st, EMS_EINPUT, "the where condition");
    assert_null(l);
    assert_string_equal(tu_pg_val(raw, "SELECT count(*) FROM %s.x", schema), "100");
    snprintf(src, sizeof src, "pg:%s.x?where=setval('%s.seq', 99) > 0", schema, schema);
    st = layer_read_pg(ctx, src, conninfo(), &l);
    assert_status_msg(ctx, st, EMS_EINPUT, "read-only transaction");
    assert_string_equal(tu_pg_val(raw, "SELECT last_value || ' ' || is_called FROM %s.seq", schema), "1 false");
    /* an error at run time (not parse time) is still the condition's */
    snprintf(src, sizeof src, "pg:%s.x?where=1/(id-50) > 0", schema);
    assert_status_msg(ctx, layer_read_pg(ctx, src, conninfo(), &l), EMS_EINPUT, "division by zero");
    close_schema(raw, schema);
}

/* ---- a connection killed during COPY --------------------------------------------------------------- */

typedef struct killer {
    PGconn *raw;
    int pid;
    int calls;
} killer;

static void kill_backend(void *user, size_t done, size_t total)
{
    killer *k = user;
    (void)total;
    if (k->calls++ == 0 && done < total) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)", k->pid);
        tu_pg_ok(k->raw, sql);
    }
}

static void test_killed_copy(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    layer *l = new_layer(ctx, 4548);
    assert_ok(ctx, layer_add_field(ctx, l, "label", LAYER_FIELD_STRING, 0, 0));
    /* ~60 000 rows of ~120 bytes: several 1 MB chunks */
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (int i = 0; i < 60000; i++) {
        layer_value v[1] = {
            {.u.s = "a label long enough to make the copy stream take several chunks of data"}};
        GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, 440000 + i, 4400000 + i);
        assert_ok(ctx, layer_append_valid_take(ctx, l, p, i + 1, v));
    }
    pg_conn *c = NULL;
    assert_ok(ctx, pg_connect(ctx, conninfo(), &c));
    killer k = {.raw = raw, .pid = PQbackendPID(pg_raw(c))};
    assert_ok(ctx, pg_begin(ctx, c));
    assert_ok(ctx, pg_create_table(ctx, c, schema, "victim", l, 4548, NULL, 0, false));
    uint64_t rows = 99;
    ems_status st = pg_copy_layer(ctx, c, schema, "victim", l, 4548, NULL, 0, kill_backend, &k, &rows);
    assert_status_msg(ctx, st, EMS_EIO, "loading");
    assert_true(k.calls >= 1);
    assert_int_equal(rows, 0);
    pg_rollback(c); /* safe on the broken connection */
    assert_status_msg(ctx, pg_commit(ctx, c), EMS_EIO, "");
    pg_disconnect(c);
    assert_string_equal(tu_pg_val(raw, "SELECT to_regclass('%s.victim') IS NULL", schema), "t");
    layer_destroy(l);
    close_schema(raw, schema);
}

/* The input ledger on a PostGIS table: which rows are NULL and which EMPTY is asked of PostGIS itself (IS NULL,
 * ST_IsEmpty); a curve GEOS cannot read is unreadable; each keeps its values (pop 100 for the NULL one). */
static void test_read_pg_ledger(void **state)
{
    emscov_ctx *ctx = *state;
    char schema[64];
    PGconn *raw = open_schema(schema, sizeof schema);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s.st (id int PRIMARY KEY, name text, pop int, geom geometry(Geometry, 4548));"
             "INSERT INTO %s.st VALUES (1, 'a', 10, 'SRID=4548;POINT(448000 4417000)'), (2, 'b', 100, NULL), "
             "(3, 'c', 30, 'SRID=4548;POINT EMPTY'), (4, 'd', 40, 'SRID=4548;MULTIPOLYGON EMPTY'), "
             "(5, 'e', 50, 'SRID=4548;CIRCULARSTRING(0 0, 1 1, 2 0)')",
             schema, schema);
    tu_pg_ok(raw, sql);
    const char *nulls = tu_pg_val(raw, "SELECT string_agg(id::text, ',' ORDER BY id) FROM %s.st WHERE geom IS NULL",
                                  schema);
    const char *empties =
        tu_pg_val(raw, "SELECT string_agg(id::text, ',' ORDER BY id) FROM %s.st WHERE ST_IsEmpty(geom)", schema);
    assert_string_equal(nulls, "2");
    assert_string_equal(empties, "3,4");
    char src[256];
    snprintf(src, sizeof src, "pg:%s.st", schema);
    layer *l = NULL;
    assert_ok(ctx, layer_read_pg(ctx, src, conninfo(), &l));
    assert_int_equal(layer_source_records(l), 5);
    assert_int_equal(layer_count(l), 1);
    assert_int_equal(layer_skipped_count(l), 4);
    char got_nulls[32] = "", got_empties[32] = "";
    for (size_t k = 0; k < layer_skipped_count(l); k++) {
        char *list = layer_skipped_reason(l, k) == LAYER_SKIP_NULL_GEOMETRY    ? got_nulls
                     : layer_skipped_reason(l, k) == LAYER_SKIP_EMPTY_GEOMETRY ? got_empties
                                                                              : NULL;
        /* records are rows in primary-key order: here equal to id, which is field 0 */
        assert_int_equal(layer_skipped_record(l, k), layer_skipped_values(l, k)[0].u.i);
        if (list)
            snprintf(list + strlen(list), 32 - strlen(list), "%s%lld", *list ? "," : "",
                     (long long)layer_skipped_record(l, k));
    }
    assert_string_equal(got_nulls, nulls);
    assert_string_equal(got_empties, empties);
    assert_int_equal(layer_skipped_reason(l, 3), LAYER_SKIP_UNREADABLE);
    assert_string_equal(layer_skipped_values(l, 0)[1].u.s, "b");
    assert_int_equal(layer_skipped_values(l, 0)[2].u.i, 100);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    /* pop >= 40: a (10) and c (30) are left out; b, d, e stay skipped */
    assert_ok(ctx, layer_filter(ctx, l, "pop >= 40", NULL));
    assert_int_equal(layer_count(l), 0);
    assert_int_equal(layer_skipped_count(l), 3);
    assert_int_equal(layer_skipped_record(l, 1), 4);
    assert_int_equal(layer_filtered_count(l), 2);
    assert_int_equal(layer_source_records(l), layer_count(l) + layer_skipped_count(l) + layer_filtered_count(l));
    layer_destroy(l);
    close_schema(raw, schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_failures),
        cmocka_unit_test(test_conninfo_malformed),
        cmocka_unit_test(test_long_table_names),
        cmocka_unit_test(test_connect_ok),
        cmocka_unit_test(test_hostile_identifiers),
        cmocka_unit_test(test_srid),
        cmocka_unit_test(test_copy_types),
        cmocka_unit_test(test_promotion),
        cmocka_unit_test(test_read_pg),
        cmocka_unit_test(test_read_pg_ledger),
        cmocka_unit_test(test_where),
        cmocka_unit_test(test_killed_copy),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
