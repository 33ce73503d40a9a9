/* tests/test_pgutil.h: the connection to the test PostgreSQL for tests that need it. EMSCOV_TEST_PG holds the
 * conninfo (tools/test.sh sets it); without it the current test is skipped, unless EMSCOV_REQUIRE_PG=1, when a
 * missing server fails the test. */
#ifndef EMSCOV_TEST_PGUTIL_H
#define EMSCOV_TEST_PGUTIL_H

#include <libpq-fe.h>

PGconn *tu_pg_connect(void);

#endif
