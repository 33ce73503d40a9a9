/* tests/test_pgutil.c: see test_pgutil.h. */
#include "test_pgutil.h"
#include "test_util.h"

#include <stdarg.h>
#include <stdio.h>
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

void tu_pg_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

const char *tu_pg_val(PGconn *c, const char *fmt, ...)
{
    static char ring[8][2048];
    static int slot;
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s (%d rows)", sql, PQerrorMessage(c), PQntuples(r));
    char *out = ring[slot++ % 8];
    snprintf(out, 2048, "%s", PQgetisnull(r, 0, 0) ? "<null>" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return out;
}
