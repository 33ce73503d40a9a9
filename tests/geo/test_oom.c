/* tests/geo/test_oom.c: allocation failure paths (issue 14, "Allocation failure paths exercised"). For each
 * reader (shapefile, GeoJSON, CSV, GeoPackage, ESRI ASCII grid), the scenario INI loader and the road network
 * build, on small fixtures: the call is run once to count its allocations, then again with the n-th
 * allocation failed (geo/ctx_test.h) for every n = 1, 2, ... until a run no longer reaches the fault. Each
 * faulted run must return EMS_ENOMEM with an "out of memory" message and no result; that nothing leaks is
 * checked by LeakSanitizer (the ASan build) and valgrind (tools/test.sh), which see every run.
 * Allocations made by GEOS, PROJ, json-c, SQLite and shapelib are not ours and are not failed. */
#include "test_util.h"

#include "geo/config.h"
#include "geo/ctx_test.h"
#include "geo/grid.h"
#include "geo/layer.h"
#include "geo/network.h"
#include "geo/speed.h"
#include "src/output/store_gpkg.h"

#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One call under test: returns its status and frees whatever it made. */
typedef ems_status (*op_fn)(emscov_ctx *ctx, const void *arg);

/* Run op with every one of its allocations failed in turn; returns how many allocations it makes. */
static size_t oom_loop(emscov_ctx *ctx, const char *name, op_fn op, const void *arg)
{
    emscov_ctx_fail_alloc_after(ctx, 0);
    emscov_clear(ctx);
    assert_ok(ctx, op(ctx, arg));
    size_t total = emscov_ctx_alloc_count(ctx);
    assert_true(total > 0);
    size_t n = 1;
    for (;; n++) {
        emscov_clear(ctx);
        emscov_ctx_fail_alloc_after(ctx, n);
        ems_status st = op(ctx, arg);
        if (!emscov_ctx_alloc_fault_fired(ctx)) {
            assert_ok(ctx, st);
            break;
        }
        if (st != EMS_ENOMEM || !strstr(emscov_message(ctx), "out of memory"))
            fail_msg("%s: allocation %zu of %zu failed, but the call returned \"%s\": %s", name, n, total,
                     ems_status_text(st), emscov_message(ctx));
    }
    emscov_ctx_fail_alloc_after(ctx, 0);
    assert_int_equal(n - 1, total); /* the faulted runs covered every allocation of the clean run */
    print_message("%s: %zu allocations, each failed once\n", name, total);
    return total;
}

/* ---- fixtures ---- */

static const char GEOJSON[] =
    "{\"type\":\"FeatureCollection\",\"features\":["
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"东华门街道\",\"pop\":12},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[116.39,39.91],[116.40,39.91],[116.40,39.92],"
    "[116.39,39.91]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"bow tie\",\"pop\":null},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[116.0,39.0],[116.1,39.1],[116.1,39.0],[116.0,39.1],"
    "[116.0,39.0]]]}},"
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"none\",\"pop\":3},\"geometry\":null}]}";

static const char CSV[] = "name,lon,lat,ambulances\n"
                          "东城站,116.41,39.93,3\n"
                          "\"West, station\",116.35,39.91,2\n"
                          "empty,,,1\n";

static const char GRID[] = "ncols 3\nnrows 2\nxllcorner 441000\nyllcorner 4412000\ncellsize 100\n"
                           "NODATA_value -9999\n1 2 -9999\n4 5 6\n";

static const char INI[] = "; a scenario-like file\n[scenario]\nname = oom test\nactivation_s = 60\n"
                          "[stations]\npath = stations.csv\nambulances_field = ambulances\n"
                          "[population]\npath = population.asc\nkind = grid\n";

static void write_shapefile(const char *base)
{
    char p[1200];
    snprintf(p, sizeof p, "%s.shp", base);
    SHPHandle h = SHPCreate(p, SHPT_ARC);
    assert_non_null(h);
    const double xs[3][3] = {{0, 500, 1000}, {1000, 1000, 1000}, {1000, 1600, 2000}};
    const double ys[3][3] = {{0, 0, 0}, {0, 500, 1000}, {0, 300, 0}};
    for (int i = 0; i < 3; i++) {
        SHPObject *o = SHPCreateSimpleObject(SHPT_ARC, 3, xs[i], ys[i], NULL);
        assert_true(SHPWriteObject(h, -1, o) >= 0);
        SHPDestroyObject(o);
    }
    SHPClose(h);
    snprintf(p, sizeof p, "%s.dbf", base);
    DBFHandle d = DBFCreateEx(p, "UTF-8");
    assert_non_null(d);
    assert_int_equal(DBFAddField(d, "CLASS", FTString, 20, 0), 0);
    assert_int_equal(DBFAddField(d, "SPEED", FTDouble, 8, 1), 1);
    assert_int_equal(DBFAddField(d, "ONEWAY", FTString, 2, 0), 2);
    const char *cls[3] = {"主干路", "次干路", "支路"};
    const char *ow[3] = {"B", "F", "B"};
    for (int i = 0; i < 3; i++) {
        assert_true(DBFWriteStringAttribute(d, i, 0, cls[i]));
        assert_true(i == 1 ? DBFWriteNULLAttribute(d, i, 1) : DBFWriteDoubleAttribute(d, i, 1, 30.5 + i));
        assert_true(DBFWriteStringAttribute(d, i, 2, ow[i]));
    }
    DBFClose(d);
    snprintf(p, sizeof p, "%s.cpg", base);
    tu_write_file(p, "UTF-8\n", 6);
    snprintf(p, sizeof p, "%s.prj", base);
    static const char utm50[] =
        "PROJCS[\"WGS_1984_UTM_Zone_50N\",GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\","
        "6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],"
        "PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\","
        "0.0],PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",0.9996],PARAMETER["
        "\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";
    tu_write_file(p, utm50, strlen(utm50));
}

static void write_gpkg(emscov_ctx *ctx, const char *path)
{
    layer *l = NULL;
    assert_ok(ctx, layer_read(ctx, tu_tmp("areas.geojson"), NULL, &l));
    remove(path);
    gpkg_store *s = NULL;
    assert_ok(ctx, gpkg_store_begin(ctx, path, &s));
    assert_ok(ctx, gpkg_store_write_layer(ctx, s, "areas", NULL, l));
    assert_ok(ctx, gpkg_store_commit(ctx, s));
    layer_destroy(l);
}

static int setup(void **state)
{
    if (tu_ctx_setup(state) != 0) return -1;
    tu_write_file(tu_tmp("areas.geojson"), GEOJSON, strlen(GEOJSON));
    tu_write_file(tu_tmp("stations.csv"), CSV, strlen(CSV));
    tu_write_file(tu_tmp("population.asc"), GRID, strlen(GRID));
    tu_write_file(tu_tmp("scenario.ini"), INI, strlen(INI));
    write_shapefile(tu_tmp("roads"));
    write_gpkg(*state, tu_tmp("areas.gpkg"));
    return 0;
}

/* ---- the calls ---- */

static ems_status read_layer(emscov_ctx *ctx, const void *arg)
{
    layer *l = NULL;
    ems_status st = layer_read(ctx, tu_tmp(arg), NULL, &l);
    if ((st == EMS_OK) != (l != NULL)) fail_msg("%s: status %d with layer %p", (const char *)arg, st, (void *)l);
    layer_destroy(l);
    return st;
}

static ems_status read_grid(emscov_ctx *ctx, const void *arg)
{
    grid *g = NULL;
    layer_read_opts o = {.srs = "EPSG:32650"};
    ems_status st = grid_read(ctx, tu_tmp(arg), &o, &g);
    if ((st == EMS_OK) != (g != NULL)) fail_msg("grid: status %d with grid %p", st, (void *)g);
    grid_destroy(g);
    return st;
}

static ems_status read_ini(emscov_ctx *ctx, const void *arg)
{
    config *c = NULL;
    ems_status st = config_load(ctx, tu_tmp(arg), &c);
    if ((st == EMS_OK) != (c != NULL)) fail_msg("config: status %d with config %p", st, (void *)c);
    config_destroy(c);
    return st;
}

/* The road network from the shapefile, read once outside the loop: only the build is faulted. */
typedef struct build_arg {
    const layer *roads;
    const speed_profile *sp;
} build_arg;

static ems_status build_network(emscov_ctx *ctx, const void *arg)
{
    const build_arg *b = arg;
    network_fields f = {.road_class = "CLASS", .speed = "SPEED", .oneway = "ONEWAY"};
    network *net = NULL;
    ems_status st = network_build_from_layer(ctx, b->roads, &f, b->sp, NULL, &net);
    if ((st == EMS_OK) != (net != NULL)) fail_msg("network: status %d with network %p", st, (void *)net);
    if (st == EMS_OK && network_link_count(net) != 3) /* three roads meeting at (1000, 0) */
        fail_msg("network: %u links, want 3", network_link_count(net));
    network_destroy(net);
    return st;
}

static ems_status load_speed(emscov_ctx *ctx, const void *arg)
{
    speed_profile *sp = NULL;
    ems_status st = speed_profile_load(ctx, arg, &sp);
    speed_profile_destroy(sp);
    return st;
}

/* ---- tests ---- */

static void test_readers(void **state)
{
    emscov_ctx *ctx = *state;
    oom_loop(ctx, "shapefile", read_layer, "roads.shp");
    oom_loop(ctx, "GeoJSON", read_layer, "areas.geojson");
    oom_loop(ctx, "CSV", read_layer, "stations.csv");
    oom_loop(ctx, "GeoPackage", read_layer, "areas.gpkg");
    oom_loop(ctx, "ESRI ASCII grid", read_grid, "population.asc");
    oom_loop(ctx, "INI", read_ini, "scenario.ini");
    oom_loop(ctx, "speed profile", load_speed, tu_source("data/speed/default.ini"));
}

static void test_network_build(void **state)
{
    emscov_ctx *ctx = *state;
    layer *roads = NULL;
    speed_profile *sp = NULL;
    assert_ok(ctx, layer_read(ctx, tu_tmp("roads.shp"), NULL, &roads));
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    build_arg b = {roads, sp};
    oom_loop(ctx, "network build", build_network, &b);
    speed_profile_destroy(sp);
    layer_destroy(roads);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers),
        cmocka_unit_test(test_network_build),
    };
    return cmocka_run_group_tests(tests, setup, tu_ctx_teardown);
}
