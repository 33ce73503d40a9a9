/* tests/src/test_csv.c: RFC 4180 quoting of CSV fields (commas, quotes, CR/LF, UTF-8 left alone), numbers,
 * the written file, and the write failure path. Expected texts are written out by hand. */
#include "test_util.h"

#include "src/output/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *take(csv_buf *b)
{
    char *s = NULL;
    size_t n = 0;
    assert_int_equal(csv_take(b, &s, &n), EMS_OK);
    assert_int_equal(n, strlen(s));
    return s;
}

static void test_quoting(void **state)
{
    emscov_ctx *ctx = *state;
    csv_buf b;
    csv_init(&b, ctx);
    csv_field(&b, "plain");
    csv_field(&b, "a,b");
    csv_field(&b, "say \"hi\"");
    csv_field(&b, "two\nlines");
    csv_field(&b, "cr\r");
    csv_field(&b, "东城区 · 北新桥街道");
    csv_field(&b, NULL);
    csv_field(&b, "");
    csv_field(&b, "\"");
    csv_end_row(&b);
    char *s = take(&b);
    assert_string_equal(s, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",东城区 · 北新桥街道,,,\"\"\"\"\n");
    free(s);
    csv_fini(&b);
}

static void test_numbers_and_rows(void **state)
{
    emscov_ctx *ctx = *state;
    csv_buf b;
    csv_init(&b, ctx);
    csv_number(&b, 1, 113.46);
    csv_number(&b, 3, -0.25);
    csv_number(&b, 2, NAN);
    csv_number(&b, 0, INFINITY);
    csv_int(&b, -9007199254740993LL);
    csv_end_row(&b);
    csv_end_row(&b); /* an empty row */
    csv_field(&b, "x");
    csv_end_row(&b);
    char *s = take(&b);
    assert_string_equal(s, "113.5,-0.250,,,-9007199254740993\n\nx\n");
    free(s);
    /* the buffer is reusable after csv_take */
    csv_field(&b, "again");
    csv_end_row(&b);
    s = take(&b);
    assert_string_equal(s, "again\n");
    free(s);
    csv_fini(&b);
    csv_fini(&b); /* idempotent */
    csv_fini(NULL);
}

static void test_write(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_tmp("out.csv");
    unlink(path);
    csv_buf b;
    csv_init(&b, ctx);
    csv_field(&b, "id");
    csv_field(&b, "name");
    csv_end_row(&b);
    csv_int(&b, 1);
    csv_field(&b, "Smith, J.");
    csv_end_row(&b);
    assert_ok(ctx, csv_write(&b, path));
    csv_fini(&b);
    char *cmd_out = NULL;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cat '%s'", path);
    assert_int_equal(tu_run(cmd, &cmd_out), 0);
    assert_string_equal(cmd_out, "id,name\n1,\"Smith, J.\"\n");
    free(cmd_out);
}

static void test_write_fails(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_tmp("no-such-dir/out.csv");
    csv_buf b;
    csv_init(&b, ctx);
    csv_field(&b, "x");
    csv_end_row(&b);
    assert_status_msg(ctx, csv_write(&b, path), EMS_EIO, "no-such-dir/out.csv.tmp");
    csv_fini(&b);
    assert_int_not_equal(access(path, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_numbers_and_rows),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_write_fails),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
