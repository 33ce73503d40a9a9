/* tests/geo/test_ctx.c: status codes, messages, warnings and exit-code mapping of the run context. */
#include "test_util.h"

#include "geo/ctx_test.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Anything but a regular file is refused before a byte is read (issue 14 item 6): a directory, a FIFO (no
 * writer: reading it would block forever), a character device (/dev/zero never ends). alarm() turns a hang
 * into a failure. */
static void test_not_regular_files(void **state)
{
    emscov_ctx *ctx = *state;
    char *buf = NULL;
    size_t len = 0;
    alarm(20);
    mkdir(tu_tmp("adir.geojson"), 0755);
    assert_status_msg(ctx, ems_read_file(ctx, tu_tmp("adir.geojson"), &buf, &len), EMS_EINPUT,
                      "adir.geojson: is a directory, not a file");
    assert_null(buf);
    assert_status_msg(ctx, ems_file_check(ctx, tu_tmp("adir.geojson"), NULL), EMS_EINPUT, "is a directory");
    unlink(tu_tmp("fifo.csv"));
    assert_int_equal(mkfifo(tu_tmp("fifo.csv"), 0600), 0);
    assert_status_msg(ctx, ems_read_file(ctx, tu_tmp("fifo.csv"), &buf, &len), EMS_EINPUT,
                      "fifo.csv: not a regular file (a FIFO)");
    ems_file_map m;
    assert_status_msg(ctx, ems_file_map_open(ctx, tu_tmp("fifo.csv"), &m), EMS_EINPUT, "not a regular file (a FIFO)");
    assert_null(m.data);
    assert_status_msg(ctx, ems_read_file(ctx, "/dev/zero", &buf, &len), EMS_EINPUT,
                      "/dev/zero: not a regular file (a character device)");
    assert_status_msg(ctx, ems_file_check(ctx, "/dev/null", NULL), EMS_EINPUT, "(a character device)");
    assert_false(ems_file_exists(ctx, tu_tmp("fifo.csv")));
    assert_false(ems_file_exists(ctx, tu_tmp("adir.geojson")));
    assert_false(ems_file_exists(ctx, tu_tmp("missing.txt")));
    assert_status_msg(ctx, ems_file_check(ctx, tu_tmp("missing.txt"), NULL), EMS_EINPUT,
                      "missing.txt: cannot open: No such file or directory");
    /* a regular file: checked, read and mapped */
    tu_write_file(tu_tmp("ok.txt"), "hello", 5);
    size_t size = 0;
    assert_true(ems_file_exists(ctx, tu_tmp("ok.txt")));
    assert_ok(ctx, ems_file_check(ctx, tu_tmp("ok.txt"), &size));
    assert_int_equal(size, 5);
    assert_ok(ctx, ems_file_map_open(ctx, tu_tmp("ok.txt"), &m));
    assert_int_equal(m.len, 5);
    assert_memory_equal(m.data, "hello", 5);
    ems_file_unmap(&m);
    assert_null(m.data);
    tu_write_file(tu_tmp("empty.txt"), "", 0);
    assert_ok(ctx, ems_file_map_open(ctx, tu_tmp("empty.txt"), &m));
    assert_int_equal(m.len, 0);
    ems_file_unmap(&m);
    alarm(0);
}

/* The I/O hook: files served from memory, by exact path; everything else does not exist. */
static const void *serve(void *user, const char *path, size_t *len)
{
    (void)user;
    if (strcmp(path, "mem/a.txt") != 0)
        return NULL;
    *len = 3;
    return "xyz";
}

static void test_io_hook(void **state)
{
    emscov_ctx *ctx = *state;
    assert_false(emscov_has_io(ctx));
    emscov_set_io(ctx, &(emscov_io){.file = serve});
    assert_true(emscov_has_io(ctx));
    char *buf = NULL;
    size_t len = 0;
    assert_ok(ctx, ems_read_file(ctx, "mem/a.txt", &buf, &len));
    assert_int_equal(len, 3);
    assert_string_equal(buf, "xyz");
    free(buf);
    ems_file_map m;
    assert_ok(ctx, ems_file_map_open(ctx, "mem/a.txt", &m));
    assert_memory_equal(m.data, "xyz", 3);
    assert_false(m.mapped);
    ems_file_unmap(&m);
    assert_true(ems_file_exists(ctx, "mem/a.txt"));
    assert_false(ems_file_exists(ctx, "mem/b.txt"));
    tu_write_file(tu_tmp("real.txt"), "abc", 3); /* the file system is not looked at */
    assert_status_msg(ctx, ems_read_file(ctx, tu_tmp("real.txt"), &buf, &len), EMS_EINPUT, "real.txt: cannot open");
    emscov_set_io(ctx, NULL);
    assert_false(emscov_has_io(ctx));
    assert_ok(ctx, ems_read_file(ctx, tu_tmp("real.txt"), &buf, &len));
    free(buf);
}

/* The allocation fault of ctx_test.h: exactly the n-th ems_* allocation fails, with ENOMEM's message. */
static void test_alloc_fault(void **state)
{
    emscov_ctx *ctx = *state;
    emscov_ctx_fail_alloc_after(ctx, 3);
    void *a = ems_malloc(ctx, 8);
    char *b = ems_strdup(ctx, "x");
    assert_non_null(a);
    assert_non_null(b);
    assert_false(emscov_ctx_alloc_fault_fired(ctx));
    emscov_clear(ctx);
    void *c = ems_realloc(ctx, a, 64); /* the 3rd: fails, a is kept */
    assert_null(c);
    assert_true(emscov_ctx_alloc_fault_fired(ctx));
    assert_non_null(strstr(emscov_message(ctx), "out of memory"));
    void *d = ems_calloc(ctx, 2, 4); /* the 4th: fine again */
    assert_non_null(d);
    assert_int_equal(emscov_ctx_alloc_count(ctx), 4);
    free(a);
    free(b);
    free(d);
    size_t cap = 0;
    int *arr = NULL;
    emscov_ctx_fail_alloc_after(ctx, 1);
    assert_false(ems_grow(ctx, (void **)&arr, &cap, 10, sizeof *arr));
    assert_null(arr);
    assert_int_equal(cap, 0);
    emscov_ctx_fail_alloc_after(ctx, 0);
    assert_true(ems_grow(ctx, (void **)&arr, &cap, 10, sizeof *arr));
    free(arr);
    assert_false(emscov_ctx_alloc_fault_fired(ctx));
}

/* A child ctx (for another thread of the run) counts into its parent's fault; its messages stay its own, and a
 * fault it takes is seen from the parent. */
static void test_alloc_fault_child(void **state)
{
    emscov_ctx *ctx = *state;
    emscov_clear(ctx);
    emscov_ctx_fail_alloc_after(ctx, 3);
    emscov_ctx *child = emscov_ctx_create_child(ctx);
    assert_non_null(child);
    void *a = ems_malloc(ctx, 8), *b = ems_malloc(child, 8); /* 1st and 2nd */
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(emscov_ctx_alloc_count(child), 2);
    assert_null(ems_malloc(child, 8)); /* the 3rd, on the child */
    assert_true(emscov_ctx_alloc_fault_fired(ctx));
    assert_non_null(strstr(emscov_message(child), "out of memory"));
    assert_null(strstr(emscov_message(ctx), "out of memory"));
    free(a);
    free(b);
    emscov_ctx_destroy(child);
    emscov_ctx_fail_alloc_after(ctx, 0);
    /* without a parent: a ctx of its own */
    emscov_ctx *alone = emscov_ctx_create_child(NULL);
    assert_non_null(alone);
    emscov_ctx_fail_alloc_after(alone, 1);
    assert_null(ems_malloc(alone, 8));
    assert_false(emscov_ctx_alloc_fault_fired(ctx));
    emscov_ctx_destroy(alone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_message),
        cmocka_unit_test(test_warnings_reach_sink),
        cmocka_unit_test(test_geos_errors_land_in_ctx),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_io_hook),
        cmocka_unit_test(test_alloc_fault),
        cmocka_unit_test(test_alloc_fault_child),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
