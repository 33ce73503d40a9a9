/* tests/geo/test_index.c: STRtree queries, prepared point-in-polygon (boundary points count for both
 * neighbours) and nearest feature, on hand-made layers whose answers are worked out by hand. */
#include "test_util.h"

#include "geo/index.h"

/* Two unit-10 squares side by side (x 0..10 and 10..20) and a square with a hole at x 30..40. */
static layer *squares(emscov_ctx *ctx)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    assert_ok(ctx, layer_create(ctx, "squares", "test", c, &l));
    crs_destroy(c);
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((0 0,10 0,10 10,0 10,0 0))"), 1, NULL));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((10 0,20 0,20 10,10 10,10 0))"), 2, NULL));
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, "POLYGON((30 0,40 0,40 10,30 10,30 0),"
                                                      "(33 3,37 3,37 7,33 7,33 3))"), 3, NULL));
    return l;
}

static void test_covering(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = squares(ctx);
    layer_index *ix = NULL;
    assert_ok(ctx, index_build(ctx, l, &ix));
    size_t hits[4], n = 0;
    assert_ok(ctx, index_covering(ctx, ix, 5, 5, hits, 4, &n));
    assert_int_equal(n, 1);
    assert_int_equal(hits[0], 0);
    assert_ok(ctx, index_covering(ctx, ix, 10, 5, hits, 4, &n)); /* shared edge: both */
    assert_int_equal(n, 2);
    assert_int_equal(hits[0], 0);
    assert_int_equal(hits[1], 1);
    assert_ok(ctx, index_covering(ctx, ix, 35, 5, hits, 4, &n)); /* in the hole */
    assert_int_equal(n, 0);
    assert_ok(ctx, index_covering(ctx, ix, 31, 5, hits, 4, &n));
    assert_int_equal(n, 1);
    assert_int_equal(hits[0], 2);
    assert_ok(ctx, index_covering(ctx, ix, 25, 5, hits, 4, &n)); /* between squares */
    assert_int_equal(n, 0);
    index_destroy(ix);
    layer_destroy(l);
}

static bool count_visit(size_t i, void *user)
{
    (void)i;
    (*(int *)user)++;
    return true;
}

static void test_box_and_nearest(void **state)
{
    emscov_ctx *ctx = *state;
    layer *l = squares(ctx);
    layer_index *ix = NULL;
    assert_ok(ctx, index_build(ctx, l, &ix));
    int n = 0;
    const double box[4] = {9, 1, 11, 2};
    assert_ok(ctx, index_query_box(ctx, ix, box, count_visit, &n));
    assert_int_equal(n, 2);
    size_t i = 99;
    double d = -1;
    assert_ok(ctx, index_nearest(ctx, ix, 26, 5, &i, &d)); /* 6 from square 2's edge, 4 from square 3 */
    assert_int_equal(i, 2);
    assert_close(d, 4.0, 1e-12);
    assert_ok(ctx, index_nearest(ctx, ix, 35, 5, &i, &d)); /* inside the hole: 2 to the hole's ring */
    assert_int_equal(i, 2);
    assert_close(d, 2.0, 1e-12);
    index_destroy(ix);
    layer_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_covering),
        cmocka_unit_test(test_box_and_nearest),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
