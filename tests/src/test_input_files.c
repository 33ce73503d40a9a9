/* tests/src/test_input_files.c: src/output/input_files.h: SHA-256 against the FIPS 180-2 test vectors and
 * sha256sum (the padding boundaries), a shapefile's siblings (lower and upper case), a file with its .prj and
 * .cpg, a FILE:LAYER source (its file) and a directory (every file in it), a pg: source (no files), absolute
 * paths, and an unreadable file (EMS_EIO naming it). */
#include "test_util.h"

#include "src/output/input_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_sha256(void **state)
{
    emscov_ctx *ctx = *state;
    char hex[65];
    uint64_t bytes = 0;
    tu_write_file(tu_tmp("abc.txt"), "abc", 3);
    assert_ok(ctx, input_file_sha256(ctx, tu_tmp("abc.txt"), hex, &bytes));
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(bytes, 3);
    tu_write_file(tu_tmp("empty.txt"), "", 0);
    assert_ok(ctx, input_file_sha256(ctx, tu_tmp("empty.txt"), hex, &bytes));
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    tu_write_file(tu_tmp("million.txt"), million, 1000000);
    free(million);
    assert_ok(ctx, input_file_sha256(ctx, tu_tmp("million.txt"), hex, &bytes));
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* 55, 56 and 64 bytes: the padding boundaries, against sha256sum */
    const size_t sizes[] = {55, 56, 63, 64, 65, 119, 120};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        char data[200], cmd[512], *out = NULL;
        for (size_t i = 0; i < sizes[k]; i++)
            data[i] = (char)('0' + (i * 7 + k) % 61);
        tu_write_file(tu_tmp("pad.bin"), data, sizes[k]);
        snprintf(cmd, sizeof cmd, "sha256sum '%s' | cut -c1-64", tu_tmp("pad.bin"));
        assert_int_equal(tu_run(cmd, &out), 0);
        assert_ok(ctx, input_file_sha256(ctx, tu_tmp("pad.bin"), hex, &bytes));
        assert_memory_equal(hex, out, 64);
        free(out);
    }
    assert_status_msg(ctx, input_file_sha256(ctx, tu_tmp("missing.txt"), hex, &bytes), EMS_EIO,
                      "missing.txt: cannot read");
}

/* The hex digest of sha256sum for a file (independent of our code). */
static void sha256sum(const char *path, char hex[65])
{
    char cmd[4200], *out = NULL;
    snprintf(cmd, sizeof cmd, "sha256sum '%s' | cut -c1-64", path);
    assert_int_equal(tu_run(cmd, &out), 0);
    memcpy(hex, out, 64);
    hex[64] = '\0';
    free(out);
}

static void test_shapefile_siblings(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const ext[] = {".shp", ".shx", ".dbf", ".cpg"}; /* no .prj: not listed */
    for (size_t k = 0; k < 4; k++) {
        char name[64];
        snprintf(name, sizeof name, "roads%s", ext[k]);
        tu_write_file(tu_tmp(name), ext[k], strlen(ext[k]));
    }
    input_files fs = {0};
    assert_ok(ctx, input_files_add(ctx, &fs, "roads", tu_tmp("roads.shp")));
    assert_int_equal(fs.n, 4);
    for (size_t k = 0; k < 4; k++) {
        char name[64], want[65];
        snprintf(name, sizeof name, "roads%s", ext[k]);
        assert_string_equal(fs.f[k].path, tu_tmp(name));
        assert_string_equal(fs.f[k].role, "roads");
        assert_string_equal(fs.f[k].source, tu_tmp("roads.shp"));
        assert_int_equal(fs.f[k].bytes, 4);
        sha256sum(tu_tmp(name), want);
        assert_string_equal(fs.f[k].sha256, want);
    }
    /* upper case: the siblings in upper case; a GeoJSON with its .prj; a pg: source has no files */
    tu_write_file(tu_tmp("PARKS.SHP"), "x", 1);
    tu_write_file(tu_tmp("PARKS.DBF"), "y", 1);
    tu_write_file(tu_tmp("parks.dbf"), "not this one", 12);
    tu_write_file(tu_tmp("a.geojson"), "{}", 2);
    tu_write_file(tu_tmp("a.prj"), "GEOGCS", 6);
    assert_ok(ctx, input_files_add(ctx, &fs, "parks", tu_tmp("PARKS.SHP")));
    assert_ok(ctx, input_files_add(ctx, &fs, "stations", tu_tmp("a.geojson")));
    assert_ok(ctx, input_files_add(ctx, &fs, "streets", "pg:base.streets"));
    assert_ok(ctx, input_files_add(ctx, &fs, "residential", NULL));
    assert_int_equal(fs.n, 8);
    assert_string_equal(fs.f[5].path, tu_tmp("PARKS.DBF"));
    assert_int_equal(fs.f[5].bytes, 1);
    assert_string_equal(fs.f[6].path, tu_tmp("a.geojson"));
    assert_string_equal(fs.f[7].path, tu_tmp("a.prj"));
    input_files_free(&fs);
    input_files_free(NULL);
}

/* A "FILE:LAYER" source is its FILE; a directory (a FileGDB) every regular file in it, by name. */
static void test_layer_and_directory_sources(void **state)
{
    emscov_ctx *ctx = *state;
    tu_write_file(tu_tmp("two.gpkg"), "SQLite", 6);
    char dir[2000], cmd[4300];
    snprintf(dir, sizeof dir, "%s", tu_tmp("city.gdb"));
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s/sub'", dir, dir);
    assert_int_equal(system(cmd), 0);
    tu_write_file(tu_tmp("city.gdb/b.gdbtable"), "bb", 2);
    tu_write_file(tu_tmp("city.gdb/a00000001.gdbtable"), "a", 1);
    input_files fs = {0};
    char src[4300];
    snprintf(src, sizeof src, "%s:stations", tu_tmp("two.gpkg"));
    assert_ok(ctx, input_files_add(ctx, &fs, "stations", src));
    assert_int_equal(fs.n, 1);
    assert_string_equal(fs.f[0].path, tu_tmp("two.gpkg"));
    assert_string_equal(fs.f[0].source, src);
    assert_int_equal(fs.f[0].bytes, 6);
    snprintf(src, sizeof src, "%s:streets", dir);
    assert_ok(ctx, input_files_add(ctx, &fs, "streets", src));
    assert_int_equal(fs.n, 3); /* the two files, by name; the sub-directory is not a file */
    assert_string_equal(fs.f[1].path, tu_tmp("city.gdb/a00000001.gdbtable"));
    assert_string_equal(fs.f[2].path, tu_tmp("city.gdb/b.gdbtable"));
    assert_int_equal(fs.f[2].bytes, 2);
    input_files_free(&fs);
}

static void test_relative_made_absolute(void **state)
{
    emscov_ctx *ctx = *state;
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(tu_tmp("")), 0);
    tu_write_file("rel.csv", "a,b\n", 4);
    input_files fs = {0};
    assert_ok(ctx, input_files_add(ctx, &fs, "stations", "./rel.csv"));
    assert_int_equal(fs.n, 1);
    char want[4200];
    assert_non_null(getcwd(want, sizeof want - 16));
    strcat(want, "/rel.csv");
    assert_string_equal(fs.f[0].path, want);
    assert_string_equal(fs.f[0].source, "./rel.csv");
    /* a missing main file fails, naming it; what was added stays consistent */
    assert_status_msg(ctx, input_files_add(ctx, &fs, "roads", "missing.shp"), EMS_EIO, "missing.shp: cannot read");
    assert_int_equal(fs.n, 1);
    input_files_free(&fs);
    assert_int_equal(chdir(cwd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_shapefile_siblings),
        cmocka_unit_test(test_layer_and_directory_sources),
        cmocka_unit_test(test_relative_made_absolute),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
