/* tests/src/test_times.c: the response-time model on a hand-worked graph. Three nodes A (0,0), B (1000,0),
 * C (2000,0) joined by two links driven at 36 km/h (100 s each), an island link (5000,0)-(5500,0); access
 * legs at 3.6 km/h (1 m/s), activation 10 s. Station north at (0,30): snapped to A, 30 m, turn-out 60 s ->
 * delay 60 + 10 + 30 = 100 s. Station south at (2000,-50): snapped to C, 50 m, turn-out 20 s -> delay 80 s.
 * A third station 3 km from any road is not used. Every expected time below is worked by hand:
 * time = turn-out + activation + station access leg + drive + point access leg. */
#include "test_util.h"

#include "src/analysis/times.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture {
    emscov_ctx *ctx;
    times_inputs in;
} fixture;

static GEOSGeometry *pt(emscov_ctx *ctx, double x, double y)
{
    return GEOSGeom_createPointFromXY_r(emscov_geos(ctx), x, y);
}

static network *three_nodes(emscov_ctx *ctx, const speed_profile *sp, const crs *c)
{
    network_builder *b = NULL;
    assert_ok(ctx, network_builder_create(ctx, sp, c, NULL, &b));
    const double x1[] = {0, 1000}, x2[] = {1000, 2000}, x3[] = {5000, 5500}, y[] = {0, 0};
    const double *xs[] = {x1, x2, x3};
    for (int k = 0; k < 3; k++) {
        network_road r = {.x = xs[k], .y = y, .n = 2, .road_class = "local", .record = k + 1};
        assert_ok(ctx, network_builder_add(ctx, b, &r));
    }
    network *net = NULL;
    assert_ok(ctx, network_builder_finish(ctx, b, &net));
    return net;
}

/* Stations: ID (text, null for the third), TURNOUT (seconds). */
static layer *stations(emscov_ctx *ctx, const crs *c, double turnout_north)
{
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "stations", "memory", c, &l));
    assert_ok(ctx, layer_add_field(ctx, l, "ID", LAYER_FIELD_STRING, 20, 0));
    assert_ok(ctx, layer_add_field(ctx, l, "TURNOUT", LAYER_FIELD_DOUBLE, 10, 1));
    const struct { double x, y, turnout; const char *id; } s[] = {
        {0, 30, turnout_north, "north"}, {2000, -50, 20, "south"}, {1000, 3000, 0, NULL}};
    for (int k = 0; k < 3; k++) {
        layer_value v[2] = {{.is_null = !s[k].id, .u.s = s[k].id}, {.u.d = s[k].turnout}};
        assert_ok(ctx, layer_append_take(ctx, l, pt(ctx, s[k].x, s[k].y), k + 1, v));
    }
    return l;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->ctx = emscov_ctx_create();
    emscov_ctx *ctx = f->ctx;
    const char *ini = tu_tmp("times.ini");
    const char text[] = "[profile]\nname = t\nambulance_factor = 1\naccess_kmh = 3.6\ndefault_kmh = 36\n"
                        "[periods]\noffpeak = 1\n[classes]\nlocal = 36\n";
    tu_write_file(ini, text, strlen(text));
    assert_ok(ctx, speed_profile_load(ctx, ini, &f->in.speed));
    assert_ok(ctx, crs_from_string(ctx, "EPSG:32650", &f->in.working));
    f->in.roads = three_nodes(ctx, f->in.speed, f->in.working);
    f->in.stations = stations(ctx, f->in.working, 60);
    assert_ok(ctx, layer_create(ctx, "points", "memory", f->in.working, &f->in.points));
    const double p[][2] = {{500, 20}, {1600, 10}, {1000, 5000}, {5200, 10}};
    for (int k = 0; k < 4; k++)
        assert_ok(ctx, layer_append_take(ctx, f->in.points, pt(ctx, p[k][0], p[k][1]), 101 + k, NULL));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    times_inputs_fini(&f->in);
    emscov_ctx_destroy(f->ctx);
    free(f);
    return 0;
}

static const times_params params = {.station_id_field = "ID", .turnout_field = "TURNOUT", .activation_s = 10,
                                    .max_snap_m = 1000};

static void test_delay_model(void **state)
{
    (void)state;
    assert_close(times_access_s(30, 3.6), 30, 1e-12);
    assert_close(times_station_delay_s(60, 10, 30, 3.6), 100, 1e-12);
    /* the default profile's 15 km/h: 42.7 m take 10.248 s */
    assert_close(times_station_delay_s(93, 0, 42.7, 15), 93 + 10.248, 1e-9);
}

static void test_hand_worked(void **state)
{
    fixture *f = *state;
    times_result *r = NULL;
    assert_ok(f->ctx, times_compute(f->ctx, &f->in, &params, &r));
    assert_int_equal(r->npoints, 4);
    assert_int_equal(r->counts.stations_used, 2);
    /* P1 (500,20): north 100 + 50 drive + 20 = 170; south 80 + 150 + 20 = 250 */
    const times_point *p = &r->points[0];
    assert_int_equal(p->record, 101);
    assert_int_equal(p->status, TIMES_OK);
    assert_string_equal(r->station_ids[p->station[0]], "north");
    assert_close(p->time_s[0], 170, 1e-6);
    assert_string_equal(r->station_ids[p->station[1]], "south");
    assert_close(p->time_s[1], 250, 1e-6);
    assert_close(p->snap_dist_m, 20, 1e-9);
    assert_int_equal(p->component, 0);
    /* P2 (1600,10): south 80 + 40 + 10 = 130; north 100 + 160 + 10 = 270 */
    p = &r->points[1];
    assert_string_equal(r->station_ids[p->station[0]], "south");
    assert_close(p->time_s[0], 130, 1e-6);
    assert_string_equal(r->station_ids[p->station[1]], "north");
    assert_close(p->time_s[1], 270, 1e-6);
    /* P3 is 5 km from any road */
    p = &r->points[2];
    assert_int_equal(p->status, TIMES_BEYOND_SNAP);
    assert_int_equal(p->station[0], TIMES_NONE);
    assert_true(isnan(p->time_s[0]));
    assert_close(p->snap_dist_m, 5000, 1e-9);
    /* P4 sits on the island: no station reaches it */
    p = &r->points[3];
    assert_int_equal(p->status, TIMES_SMALL_COMPONENT);
    assert_int_not_equal(p->component, 0);
    assert_int_equal(p->station[0], TIMES_NONE);
    assert_int_equal(r->counts.beyond_snap, 1);
    assert_int_equal(r->counts.small_component, 1);
    assert_int_equal(r->counts.not_reached, 1);
    /* the third station has a null id: named by its record */
    assert_string_equal(r->station_ids[2], "record 3");
    times_result_destroy(r);
}

static void test_record_ids(void **state)
{
    fixture *f = *state;
    times_params p = params;
    p.station_id_field = NULL;
    p.turnout_field = NULL; /* no turn-out: north 10 + 30 + 50 + 20 = 110 at P1 */
    times_result *r = NULL;
    assert_ok(f->ctx, times_compute(f->ctx, &f->in, &p, &r));
    assert_string_equal(r->station_ids[r->points[0].station[0]], "1");
    assert_close(r->points[0].time_s[0], 110, 1e-6);
    times_result_destroy(r);
}

/* The turn-out time is bounded (geo/limits.h: 0 to 3600 s): 1e300 s used to disable a station silently. */
static void test_bad_turnout(void **state)
{
    fixture *f = *state;
    layer *good = f->in.stations;
    const struct { double v; const char *msg; } bad[] = {
        {-5, "record 1: field TURNOUT: turn-out time (s) -5 is out of range: need a number from 0 to 3600"},
        {3600.5, "record 1: field TURNOUT: turn-out time (s) 3600.5 is out of range: need a number from 0 to 3600"},
        {1e300, "record 1: field TURNOUT: turn-out time (s) 1e+300 is out of range: need a number from 0 to 3600"},
        {NAN, "record 1: field TURNOUT: turn-out time (s) nan is out of range"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        f->in.stations = stations(f->ctx, f->in.working, bad[k].v);
        times_result *r = NULL;
        ems_status st = times_compute(f->ctx, &f->in, &params, &r);
        assert_status_msg(f->ctx, st, EMS_EINPUT, bad[k].msg);
        assert_null(r);
        layer_destroy(f->in.stations);
    }
    /* the bound itself is allowed: north's 3600 s make south (20 s turn-out) serve P1 first */
    f->in.stations = stations(f->ctx, f->in.working, 3600);
    times_result *r = NULL;
    assert_ok(f->ctx, times_compute(f->ctx, &f->in, &params, &r));
    assert_string_equal(r->station_ids[r->points[0].station[1]], "north");
    times_result_destroy(r);
    layer_destroy(f->in.stations);
    f->in.stations = good;
}

static void test_no_station_near_a_road(void **state)
{
    fixture *f = *state;
    times_params p = params;
    p.max_snap_m = 10; /* north is 30 m away, south 50 m */
    times_result *r = NULL;
    assert_status_msg(f->ctx, times_compute(f->ctx, &f->in, &p, &r), EMS_EINPUT, "no station within 10 m of a road");
    assert_null(r);
}

static void test_not_a_point(void **state)
{
    fixture *f = *state;
    layer *good = f->in.points;
    assert_ok(f->ctx, layer_create(f->ctx, "lines", "memory", f->in.working, &f->in.points));
    assert_ok(f->ctx, layer_append_take(f->ctx, f->in.points, tu_wkt(f->ctx, "LINESTRING (0 0, 10 10)"), 7, NULL));
    times_result *r = NULL;
    assert_status_msg(f->ctx, times_compute(f->ctx, &f->in, &params, &r), EMS_EINPUT, "lines: record 7: expected a point");
    layer_destroy(f->in.points);
    f->in.points = good;
}

/* Loading: a field named in the parameters that the stations lack is refused before the roads are read. */
static void test_inputs_missing_field(void **state)
{
    fixture *f = *state;
    times_sources src = {.roads = tu_sample("roads.shp"), .stations = tu_sample("stations.shp"),
                         .points = tu_sample("stations.csv"), .road = {.data_dir = tu_source("data")}};
    times_params p = params;
    p.turnout_field = "NOPE";
    times_inputs in;
    assert_status_msg(f->ctx, times_inputs_load(f->ctx, &src, &p, &in), EMS_EINPUT,
                      "stations.shp: no field \"NOPE\" (--turnout-field)");
    assert_null(in.stations);
    assert_null(in.roads);
    p.turnout_field = "TURNOUT_S";
    p.station_id_field = "ID";
    assert_ok(f->ctx, times_inputs_load(f->ctx, &src, &p, &in));
    assert_int_equal(layer_count(in.stations), 15);
    assert_non_null(in.roads);
    times_inputs_fini(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_model),
        cmocka_unit_test(test_hand_worked),
        cmocka_unit_test(test_record_ids),
        cmocka_unit_test(test_bad_turnout),
        cmocka_unit_test(test_no_station_near_a_road),
        cmocka_unit_test(test_not_a_point),
        cmocka_unit_test(test_inputs_missing_field),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
