/* tests/test_util.h: helpers shared by the cmocka tests: a ctx per group, assertions on status + message,
 * assert_close with both values printed, and paths to test data (shared/, the generated sample city, a
 * per-test scratch directory). */
#ifndef EMSCOV_TEST_UTIL_H
#define EMSCOV_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "geo/ctx.h"

/* Group setup/teardown: *state becomes a new emscov_ctx. */
int tu_ctx_setup(void **state);
int tu_ctx_teardown(void **state);

/* Status st must equal want and, when want != EMS_OK, the ctx message must contain `part`. */
#define assert_status_msg(ctx, st, want, part) tu_assert_status_msg(ctx, st, want, part, __FILE__, __LINE__)
void tu_assert_status_msg(emscov_ctx *ctx, ems_status st, ems_status want, const char *part, const char *file,
                          int line);
/* EMS_OK, else fail printing the ctx message. */
#define assert_ok(ctx, st) tu_assert_status_msg(ctx, st, EMS_OK, NULL, __FILE__, __LINE__)

#define assert_close(got, want, tol) tu_assert_close(got, want, tol, #got, __FILE__, __LINE__)
void tu_assert_close(double got, double want, double tol, const char *expr, const char *file, int line);

/* Paths: a new string in a static buffer ring (8 slots) -- no free needed. NULL when the root is unknown. */
const char *tu_shared(const char *rel); /* ../shared/<rel>; NULL when shared/ is absent */
const char *tu_sample(const char *rel); /* build/sample/<rel> */
const char *tu_tmp(const char *rel);    /* per-test scratch dir/<rel> */
const char *tu_source(const char *rel); /* source tree/<rel> */

/* Skip the current test (cmocka skip) when shared/ data is absent, saying so. */
#define tu_require_shared(path)                                                                             \
    do {                                                                                                    \
        if (!(path)) {                                                                                      \
            print_message("shared/ data not available: skipped\n");                                         \
            skip();                                                                                         \
        }                                                                                                   \
    } while (0)

/* ArcGIS's ESRI .prj text for EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E). */
extern const char tu_gk117_wkt[];

/* A new geometry from WKT (fails the test when the text does not parse). */
GEOSGeometry *tu_wkt(emscov_ctx *ctx, const char *text);

/* Write bytes to a file (test fixtures); fails the test on error. */
void tu_write_file(const char *path, const void *data, size_t len);
/* Run a shell command, capture stdout into a new heap string (free), return the exit status. */
int tu_run(const char *cmd, char **out);

#endif
