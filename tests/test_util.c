/* tests/test_util.c: see test_util.h. */
#include "test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int tu_ctx_setup(void **state)
{
    *state = emscov_ctx_create();
    return *state ? 0 : -1;
}

int tu_ctx_teardown(void **state)
{
    emscov_ctx_destroy(*state);
    return 0;
}

void tu_assert_status_msg(emscov_ctx *ctx, ems_status st, ems_status want, const char *part, const char *file,
                          int line)
{
    if (st != want) {
        print_error("%s:%d: status %s (%s), want %s\n", file, line, ems_status_text(st), emscov_message(ctx),
                    ems_status_text(want));
        _fail(file, line);
    }
    if (part && !strstr(emscov_message(ctx), part)) {
        print_error("%s:%d: message \"%s\" lacks \"%s\"\n", file, line, emscov_message(ctx), part);
        _fail(file, line);
    }
}

void tu_assert_close(double got, double want, double tol, const char *expr, const char *file, int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s:%d: %s = %.10g, want %.10g (tolerance %g)\n", file, line, expr, got, want, tol);
        _fail(file, line);
    }
}

static const char *ring_path(const char *root, const char *rel)
{
    static char ring[8][4096];
    static int slot;
    if (!root)
        return NULL;
    char *p = ring[slot++ % 8];
    snprintf(p, 4096, "%s/%s", root, rel);
    return p;
}

const char *tu_shared(const char *rel)
{
    const char *root = getenv("EMSCOV_SHARED_DIR");
    struct stat st;
    if (!root || stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return ring_path(root, rel);
}

const char *tu_sample(const char *rel)
{
    return ring_path(getenv("EMSCOV_SAMPLE_DIR"), rel);
}

const char *tu_tmp(const char *rel)
{
    const char *root = getenv("EMSCOV_TEST_TMP");
    return ring_path(root ? root : "/tmp", rel);
}

const char *tu_source(const char *rel)
{
    return ring_path(getenv("EMSCOV_SOURCE_DIR"), rel);
}

void tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    if (len && fwrite(data, 1, len, f) != len)
        fail_msg("short write %s", path);
    fclose(f);
}

int tu_run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        fail_msg("cannot run %s", cmd);
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    if (buf)
        buf[n] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char tu_gk117_wkt[] =
    "PROJCS[\"CGCS2000_3_Degree_GK_CM_117E\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\","
    "DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],"
    "UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],"
    "PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",1.0],"
    "PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";

GEOSGeometry *tu_wkt(emscov_ctx *ctx, const char *text)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, r, text);
    GEOSWKTReader_destroy_r(h, r);
    if (!g)
        fail_msg("bad WKT: %s", text);
    return g;
}
