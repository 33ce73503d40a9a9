/* tests/src/test_coords_fit.c: the GCJ-02 fit of a point layer to the roads, on a hand-made road: one straight
 * road along y = 4,420,000 m in UTM 50N (Beijing, about 39.9 N), x 440 to 460 km.
 *  - points on the road read as WGS 84: median 0 m as read; taken as GCJ-02 and corrected they move by the
 *    GCJ-02 offset (a few hundred metres in Beijing; its north-south part puts them off this road): no warning;
 *  - the same points as a Chinese web map shows them (WGS 84 -> GCJ-02 forward, crs_wgs84_to_gcj02): off the
 *    road as read, back on it (within the inverse's 1e-7 degree residual, about 1 cm) when corrected: warning;
 *  - two points only: below COORDS_FIT_MIN_POINTS, no warning; points at 63 N (outside mainland China, where
 *    GCJ-02 is WGS 84) and no points: nothing compared. */
#include "test_util.h"

#include "src/analysis/coords_fit.h"

#include <math.h>
#include <stdlib.h>

#define Y0 4420000.0

typedef struct fx {
    emscov_ctx *ctx;
    speed_profile *sp;
    crs *utm, *wgs;
    network *net;
    snap_index *snap;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->ctx = emscov_ctx_create();
    network_builder *b = NULL;
    const double x[] = {440000, 460000}, y[] = {Y0, Y0};
    network_road r = {.x = x, .y = y, .n = 2, .road_class = "支路", .speed_kmh = 36, .dir = NETWORK_BOTH, .record = 1};
    if (speed_profile_load(f->ctx, tu_source("data/speed/default.ini"), &f->sp) != EMS_OK ||
        crs_from_epsg(f->ctx, 32650, &f->utm) != EMS_OK || crs_from_epsg(f->ctx, 4326, &f->wgs) != EMS_OK ||
        network_builder_create(f->ctx, f->sp, f->utm, NULL, &b) != EMS_OK ||
        network_builder_add(f->ctx, b, &r) != EMS_OK || network_builder_finish(f->ctx, b, &f->net) != EMS_OK ||
        snap_index_build(f->ctx, f->net, &f->snap) != EMS_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    snap_index_destroy(f->snap);
    network_destroy(f->net);
    crs_destroy(f->utm);
    crs_destroy(f->wgs);
    speed_profile_destroy(f->sp);
    emscov_ctx_destroy(f->ctx);
    free(f);
    return 0;
}

static void test_fit(void **state)
{
    fx *f = *state;
    double x[5], y[5];
    for (int k = 0; k < 5; k++)
        x[k] = 442000 + 2000.0 * k, y[k] = Y0;
    coords_fit r;
    assert_ok(f->ctx, coords_fit_gcj02(f->ctx, f->utm, f->snap, x, y, 5, &r));
    assert_int_equal(r.n, 5);
    assert_close(r.median_read_m, 0, 1e-6);
    assert_true(r.median_gcj02_m > 20 && r.median_gcj02_m < 1000);
    assert_false(r.suggests_gcj02);
    /* as a web map shows them */
    crs_transformer *to_ll = NULL, *from_ll = NULL;
    assert_ok(f->ctx, crs_transformer_create(f->ctx, f->utm, f->wgs, &to_ll));
    assert_ok(f->ctx, crs_transformer_create(f->ctx, f->wgs, f->utm, &from_ll));
    assert_ok(f->ctx, crs_transform_xy(f->ctx, to_ll, x, y, 5));
    for (int k = 0; k < 5; k++)
        crs_wgs84_to_gcj02(&x[k], &y[k]);
    assert_ok(f->ctx, crs_transform_xy(f->ctx, from_ll, x, y, 5));
    assert_ok(f->ctx, coords_fit_gcj02(f->ctx, f->utm, f->snap, x, y, 5, &r));
    assert_int_equal(r.n, 5);
    assert_true(r.median_read_m > 20 && r.median_read_m < 1000);
    assert_close(r.median_gcj02_m, 0, 0.05);
    assert_true(r.suggests_gcj02);
    assert_ok(f->ctx, coords_fit_gcj02(f->ctx, f->utm, f->snap, x, y, 2, &r));
    assert_int_equal(r.n, 2);
    assert_false(r.suggests_gcj02); /* too few to tell */
    crs_transformer_destroy(to_ll);
    crs_transformer_destroy(from_ll);
    /* outside mainland China, and nothing at all */
    double fx_[3] = {442000, 444000, 446000}, fy[3] = {7000000, 7000000, 7000000};
    assert_ok(f->ctx, coords_fit_gcj02(f->ctx, f->utm, f->snap, fx_, fy, 3, &r));
    assert_int_equal(r.n, 0);
    assert_true(isnan(r.median_read_m));
    assert_false(r.suggests_gcj02);
    assert_ok(f->ctx, coords_fit_gcj02(f->ctx, f->utm, f->snap, x, y, 0, &r));
    assert_int_equal(r.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_fit)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
