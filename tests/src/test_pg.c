/* tests/src/test_pg.c: proves the test database is a real PostgreSQL 15 + PostGIS 3 + pgRouting (not a mock):
 * versions, a geometry with SRID round-tripped through libpq with binary parameters (WKB written by GEOS, read
 * back as EWKB and compared coordinate by coordinate), ST_Transform against PROJ, and a pgRouting query.
 * EMSCOV_TEST_PG holds the conninfo (tools/test.sh sets it); without it the test skips, unless
 * EMSCOV_REQUIRE_PG=1, when a missing server is a failure. */
#include "test_util.h"

#include "geo/crs.h"

#include <arpa/inet.h>
#include "test_pgutil.h"
#include <stdlib.h>
#include <string.h>

static char *query_text(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    char *v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static void test_server_is_real(void **state)
{
    (void)state;
    PGconn *c = tu_pg_connect();
    char *v = query_text(c, "SELECT current_setting('server_version_num')");
    assert_true(atoi(v) >= 150000 && atoi(v) < 160000);
    free(v);
    v = query_text(c, "SELECT extversion FROM pg_extension WHERE extname = 'postgis'");
    assert_int_equal(v[0], '3');
    free(v);
    v = query_text(c, "SELECT extversion FROM pg_extension WHERE extname = 'pgrouting'");
    assert_true(strlen(v) > 0);
    free(v);
    /* a routing query on a 3-edge graph: 1 -> 2 -> 3 costs 2 + 3 = 5, the direct edge 1 -> 3 costs 7 */
    v = query_text(c, "SELECT max(agg_cost) FROM pgr_dijkstra('SELECT * FROM (VALUES (1,1,2,2.0,-1.0),"
                      "(2,2,3,3.0,-1.0),(3,1,3,7.0,-1.0)) AS e(id,source,target,cost,reverse_cost)', 1, 3)");
    assert_close(atof(v), 5.0, 1e-9);
    free(v);
    PQfinish(c);
}

/* WKB polygon in, EWKB out: SRID and every coordinate survive the binary round trip. */
static void test_geometry_roundtrip_binary(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    PGconn *c = tu_pg_connect();
    PGresult *r = PQexec(c, "CREATE TEMP TABLE rt(id int4 PRIMARY KEY, geom geometry(Polygon, 4548))");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);

    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, "POLYGON((443210.125 4417000.5, 444210.125 4417000.5, "
                                                  "444210.125 4418000.75, 443210.125 4417000.5))");
    assert_non_null(g);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    size_t wkb_len = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(h, w, g, &wkb_len);
    uint32_t id_be = htonl(7);
    const char *values[2] = {(const char *)wkb, (const char *)&id_be};
    int lengths[2] = {(int)wkb_len, 4}, formats[2] = {1, 1};
    Oid types[2] = {17 /* bytea */, 23 /* int4 */};
    r = PQexecParams(c, "INSERT INTO rt(id, geom) VALUES ($2, ST_GeomFromWKB($1, 4548))", 2, types, values,
                     lengths, formats, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("insert: %s", PQerrorMessage(c));
    PQclear(r);

    /* binary result: EWKB with SRID */
    r = PQexecParams(c, "SELECT ST_AsEWKB(geom), ST_SRID(geom), ST_Area(geom) FROM rt WHERE id = 7", 0, NULL, NULL,
                     NULL, NULL, 1);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(r), 1);
    uint32_t srid_be;
    memcpy(&srid_be, PQgetvalue(r, 0, 1), 4);
    assert_int_equal(ntohl(srid_be), 4548);
    GEOSWKBReader *wr = GEOSWKBReader_create_r(h);
    GEOSGeometry *back = GEOSWKBReader_read_r(h, wr, (const unsigned char *)PQgetvalue(r, 0, 0),
                                              (size_t)PQgetlength(r, 0, 0));
    assert_non_null(back);
    assert_int_equal(GEOSGetSRID_r(h, back), 4548);
    assert_int_equal(GEOSEqualsExact_r(h, g, back, 0.0), 1);
    /* the area PostGIS computes equals the hand-worked triangle area: 1000 * 1000.25 / 2 */
    uint64_t bits = 0;
    memcpy(&bits, PQgetvalue(r, 0, 2), 8);
    bits = ((uint64_t)ntohl((uint32_t)bits) << 32) | ntohl((uint32_t)(bits >> 32));
    double area;
    memcpy(&area, &bits, 8);
    assert_close(area, 1000.0 * 1000.25 / 2.0, 1e-6);
    PQclear(r);

    GEOSGeom_destroy_r(h, back);
    GEOSWKBReader_destroy_r(h, wr);
    GEOSFree_r(h, wkb);
    GEOSWKBWriter_destroy_r(h, w);
    GEOSGeom_destroy_r(h, g);
    GEOSWKTReader_destroy_r(h, rd);
    PQfinish(c);
}

/* PostGIS ST_Transform and our PROJ transformer agree to < 1 mm (Beijing, to UTM 50N and CGCS2000 GK). */
static void test_transform_matches_postgis(void **state)
{
    emscov_ctx *ctx = *state;
    PGconn *c = tu_pg_connect();
    const int targets[2] = {32650, 4548};
    for (int k = 0; k < 2; k++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT ST_X(p)::text || ' ' || ST_Y(p)::text FROM "
                 "(SELECT ST_Transform(ST_SetSRID(ST_MakePoint(116.397428, 39.90923), 4326), %d) AS p) s",
                 targets[k]);
        char *v = query_text(c, sql);
        double px = 0, py = 0;
        assert_int_equal(sscanf(v, "%lf %lf", &px, &py), 2);
        free(v);
        crs *from = NULL, *to = NULL;
        crs_transformer *t = NULL;
        assert_ok(ctx, crs_from_epsg(ctx, 4326, &from));
        assert_ok(ctx, crs_from_epsg(ctx, targets[k], &to));
        assert_ok(ctx, crs_transformer_create(ctx, from, to, &t));
        double x = 116.397428, y = 39.90923;
        assert_ok(ctx, crs_transform_xy(ctx, t, &x, &y, 1));
        assert_close(x, px, 1e-3);
        assert_close(y, py, 1e-3);
        crs_transformer_destroy(t);
        crs_destroy(from);
        crs_destroy(to);
    }
    PQfinish(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_is_real),
        cmocka_unit_test(test_geometry_roundtrip_binary),
        cmocka_unit_test(test_transform_matches_postgis),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
