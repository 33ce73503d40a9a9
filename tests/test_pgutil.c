/* tests/test_pgutil.c: see test_pgutil.h. */
#include "test_pgutil.h"
#include "test_util.h"

#include <stdlib.h>
#include <string.h>

PGconn *tu_pg_connect(void)
{
    const char *conninfo = getenv("EMSCOV_TEST_PG");
    const char *require = getenv("EMSCOV_REQUIRE_PG");
    if (!conninfo || !*conninfo) {
        if (require && !strcmp(require, "1"))
            fail_msg("EMSCOV_TEST_PG is not set but EMSCOV_REQUIRE_PG=1");
        print_message("EMSCOV_TEST_PG not set: skipped\n");
        skip();
    }
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("cannot connect (%s): %s", conninfo, PQerrorMessage(c));
    return c;
}
