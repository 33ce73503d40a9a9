/* tests/src/test_zipfile.c: the one-entry stored zip, against the layout of PKWARE's APPNOTE written out here
 * (signatures, offsets, sizes) and the published CRC-32 of "hello" (0x3610a686), then read back by
 * independent readers: Python's zipfile (testzip checks every CRC) and Info-ZIP's `unzip -t` when installed.
 * Failure paths: an empty and a too long entry name. */
#include "test_util.h"

#include "src/output/zipfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t le32(const unsigned char *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned le16(const unsigned char *p)
{
    return p[0] | (unsigned)p[1] << 8;
}

static void test_layout(void **state)
{
    emscov_ctx *ctx = *state;
    unsigned char *z = NULL;
    size_t n = 0;
    assert_ok(ctx, zipfile_stored(ctx, "a.txt", "hello", 5, &z, &n));
    assert_int_equal(n, 30 + 5 + 5 + 46 + 5 + 22);
    assert_int_equal(le32(z), 0x04034b50u);      /* local file header */
    assert_int_equal(le16(z + 8), 0);            /* stored */
    assert_int_equal(le32(z + 14), 0x3610a686u); /* CRC-32 of "hello" */
    assert_int_equal(le32(z + 18), 5);
    assert_int_equal(le32(z + 22), 5);
    assert_int_equal(le16(z + 26), 5);
    assert_memory_equal(z + 30, "a.txt", 5);
    assert_memory_equal(z + 35, "hello", 5);
    assert_int_equal(le32(z + 40), 0x02014b50u); /* central directory */
    assert_int_equal(le32(z + 40 + 16), 0x3610a686u);
    assert_int_equal(le32(z + 40 + 42), 0); /* the local header's offset */
    const unsigned char *end = z + n - 22;
    assert_int_equal(le32(end), 0x06054b50u);
    assert_int_equal(le16(end + 10), 1);      /* one entry */
    assert_int_equal(le32(end + 12), 46 + 5); /* central directory size */
    assert_int_equal(le32(end + 16), 40);     /* and offset */
    free(z);
}

static void test_readers(void **state)
{
    emscov_ctx *ctx = *state;
    char text[3000];
    for (size_t k = 0; k < sizeof text; k++)
        text[k] = (char)('a' + k * 7 % 26);
    unsigned char *z = NULL;
    size_t n = 0;
    assert_ok(ctx, zipfile_stored(ctx, "project.qgs", text, sizeof text, &z, &n));
    const char *path = tu_tmp("t.zip");
    tu_write_file(path, z, n);
    free(z);
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); "
             "print(z.testzip(), z.namelist(), len(z.read('project.qgs')), z.read('project.qgs')[:5])\" %s",
             path);
    assert_int_equal(tu_run(cmd, &out), 0);
    assert_string_equal(out, "None ['project.qgs'] 3000 b'ahovc'\n");
    free(out);
    if (access("/usr/bin/unzip", X_OK) == 0) {
        snprintf(cmd, sizeof cmd, "unzip -t %s", path);
        assert_int_equal(tu_run(cmd, &out), 0);
        assert_non_null(strstr(out, "No errors detected"));
        free(out);
    }
    assert_ok(ctx, zipfile_stored(ctx, "empty", "", 0, &z, &n)); /* an empty file is a file */
    tu_write_file(path, z, n);
    free(z);
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).read('empty'))\" %s", path);
    assert_int_equal(tu_run(cmd, &out), 0);
    assert_string_equal(out, "b''\n");
    free(out);
}

static void test_bad_name(void **state)
{
    emscov_ctx *ctx = *state;
    unsigned char *z = (unsigned char *)"x";
    size_t n = 1;
    assert_status_msg(ctx, zipfile_stored(ctx, "", "x", 1, &z, &n), EMS_EINPUT, "name of 0 bytes");
    assert_null(z);
    assert_int_equal(n, 0);
    char *name = malloc(70000);
    assert_non_null(name);
    memset(name, 'n', 69999);
    name[69999] = '\0';
    assert_status_msg(ctx, zipfile_stored(ctx, name, "x", 1, &z, &n), EMS_EINPUT, "1 to 65535");
    free(name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_readers),
        cmocka_unit_test(test_bad_name),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
