/* tests/geo/test_ctx.c: status codes, messages, warnings and exit-code mapping of the run context. */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

static void warn_count(void *user, const char *message)
{
    int *n = user;
    (*n)++;
    assert_string_equal(message, "layer x: 3 warnings");
}

static void test_status_and_message(void **state)
{
    emscov_ctx *ctx = *state;
    assert_string_equal(ems_status_text(EMS_EINPUT), "bad input");
    assert_int_equal(ems_exit_code(EMS_OK), 0);
    assert_int_equal(ems_exit_code(EMS_EINPUT), 2);
    assert_int_equal(ems_exit_code(EMS_EIO), 1);
    assert_int_equal(ems_exit_code(EMS_EINTERNAL), 1);
    ems_status st = emscov_fail(ctx, EMS_EINPUT, "%s: record %d: field %s: not valid GBK", "a.dbf", 118, "NAME");
    assert_status_msg(ctx, st, EMS_EINPUT, "a.dbf: record 118: field NAME: not valid GBK");
    emscov_clear(ctx);
    assert_string_equal(emscov_message(ctx), "");
}

static void test_warnings_reach_sink(void **state)
{
    emscov_ctx *ctx = *state;
    int n = 0;
    size_t before = emscov_warning_count(ctx);
    emscov_set_warn(ctx, warn_count, &n);
    emscov_warn(ctx, "layer %s: %d warnings", "x", 3);
    emscov_set_warn(ctx, NULL, NULL);
    emscov_warn(ctx, "layer %s: %d warnings", "x", 3);
    assert_int_equal(n, 1);
    assert_int_equal(emscov_warning_count(ctx), before + 2);
}

static void test_geos_errors_land_in_ctx(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, "POLYGON((0 0, 1");
    assert_null(g);
    assert_true(strlen(emscov_lib_message(ctx)) > 0);
    GEOSWKTReader_destroy_r(h, r);
}

static void test_read_file(void **state)
{
    emscov_ctx *ctx = *state;
    char *buf = NULL;
    size_t len = 0;
    tu_write_file(tu_tmp("f.txt"), "abc\n", 4);
    assert_ok(ctx, ems_read_file(ctx, tu_tmp("f.txt"), &buf, &len));
    assert_int_equal(len, 4);
    assert_string_equal(buf, "abc\n");
    free(buf);
    assert_status_msg(ctx, ems_read_file(ctx, tu_tmp("missing.txt"), &buf, &len), EMS_EINPUT, "missing.txt");
    assert_null(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_message),
        cmocka_unit_test(test_warnings_reach_sink),
        cmocka_unit_test(test_geos_errors_land_in_ctx),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
