/* tests/test_pgutil.h: the connection to the test PostgreSQL for tests that need it. EMSCOV_TEST_PG holds the
 * conninfo (tools/test.sh sets it); without it the current test is skipped, unless EMSCOV_REQUIRE_PG=1, when a
 * missing server fails the test. */
#ifndef EMSCOV_TEST_PGUTIL_H
#define EMSCOV_TEST_PGUTIL_H

#include <libpq-fe.h>

PGconn *tu_pg_connect(void);
/* Run a statement (or several); fails the test with the server's message on error. */
void tu_pg_ok(PGconn *c, const char *sql);
/* First value of a one-row query built from fmt ("<null>" for NULL); fails the test otherwise. The string is
 * in a static ring of 8 buffers (2 KB each): no free, valid for the next 7 calls. */
const char *tu_pg_val(PGconn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
