/* tests/geo/netfix.h: the fixture shared by the road-graph tests (test_network.c, test_snap.c): a ctx, the
 * default speed profile and UTM zone 50N, and the node at given coordinates. Header-only: each test binary
 * is one .c file plus test_util.c. */
#ifndef EMSCOV_TESTS_NETFIX_H
#define EMSCOV_TESTS_NETFIX_H

#include "test_util.h"

#include "geo/network.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct fixture {
    emscov_ctx *ctx;
    speed_profile *sp;
    crs *utm;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->ctx = emscov_ctx_create();
    if (speed_profile_load(f->ctx, tu_source("data/speed/default.ini"), &f->sp) != EMS_OK ||
        crs_from_epsg(f->ctx, 32650, &f->utm) != EMS_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    speed_profile_destroy(f->sp);
    crs_destroy(f->utm);
    emscov_ctx_destroy(f->ctx);
    free(f);
    return 0;
}

/* The node at exactly (x, y); fails the test when there is none. */
static uint32_t node_at(const network *net, double x, double y)
{
    for (uint32_t i = 0; i < network_node_count(net); i++) {
        double nx, ny;
        network_node_xy(net, i, &nx, &ny);
        if (nx == x && ny == y)
            return i;
    }
    fail_msg("no node at (%g %g)", x, y);
    return NETWORK_NONE;
}

/* The generated sample city's road graph (build/sample/roads.shp, fields CLASS, SPEED, ONEWAY, NAME). */
static network *sample_network(fixture *f)
{
    const char *roads = tu_sample("roads.shp");
    FILE *probe = fopen(roads, "rb");
    if (!probe)
        fail_msg("%s: missing (the build generates it: emscov-gencity)", roads);
    fclose(probe);
    network_fields fl = {.road_class = "CLASS", .speed = "SPEED", .oneway = "ONEWAY", .name = "NAME"};
    network *net = NULL;
    assert_ok(f->ctx, network_load(f->ctx, roads, NULL, &fl, f->sp, f->utm, NULL, &net));
    return net;
}

#endif
