/* tests/geo/test_limits.c: limits_check: inside the bounds (ends included) is EMS_OK; below, above, NaN and
 * infinities are EMS_EINPUT with a message naming where, what and the value. */
#include "test_util.h"

#include "geo/limits.h"

#include <math.h>

static void test_check(void **state)
{
    emscov_ctx *ctx = *state;
    assert_ok(ctx, limits_check(ctx, 0, 0, LIMITS_TURNOUT_S_MAX, "s.shp: record 1", "field T: turn-out"));
    assert_ok(ctx, limits_check(ctx, 3600, 0, LIMITS_TURNOUT_S_MAX, "s.shp: record 1", "field T: turn-out"));
    assert_status_msg(ctx, limits_check(ctx, 1e300, 0, LIMITS_TURNOUT_S_MAX, "s.shp: record 2", "field T: turn-out"),
                      EMS_EINPUT, "s.shp: record 2: field T: turn-out 1e+300 is out of range: need a "
                      "number from 0 to 3600");
    assert_status_msg(ctx, limits_check(ctx, 3600.5, 0, 3600, "w", "x"), EMS_EINPUT, "w: x 3600.5 is out of range");
    assert_status_msg(ctx, limits_check(ctx, -1, 0, 3600, "w", "x"), EMS_EINPUT, "w: x -1 is out of range");
    assert_status_msg(ctx, limits_check(ctx, NAN, 0, 3600, "w", "x"), EMS_EINPUT, "w: x nan is out of range");
    assert_status_msg(ctx, limits_check(ctx, -INFINITY, -INFINITY, 0, "w", "x"), EMS_EINPUT, "w: x -inf is out");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
