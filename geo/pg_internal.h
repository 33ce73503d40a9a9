/* geo/pg_internal.h: shared by geo/pg.c and geo/layer_pg.c only: a growing text buffer for SQL and COPY data,
 * quoting with a status, and the failure message for a server error (what was being done, the server's
 * first line, the connection without its password). Buffers are freed by the caller (free(b.p)). */
#ifndef EMSCOV_GEO_PG_INTERNAL_H
#define EMSCOV_GEO_PG_INTERNAL_H

#include "geo/pg.h"

typedef struct pg_sb {
    char *p; /* NUL-terminated when not NULL */
    size_t n, cap;
} pg_sb;

bool pg__sb_add(emscov_ctx *ctx, pg_sb *b, const char *s, size_t n);
bool pg__sb_str(emscov_ctx *ctx, pg_sb *b, const char *s);
bool pg__sb_printf(emscov_ctx *ctx, pg_sb *b, const char *fmt, ...) EMS_PRINTF(3, 4);
/* pg_ident with a status: EMS_EINPUT for an empty or unquotable name, EMS_ENOMEM. */
ems_status pg__ident(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *name, char **out);
/* emscov_fail(ctx, st, "<what>: <server's first line> (<connection>)"); r may be NULL. */
ems_status pg__fail(emscov_ctx *ctx, pg_conn *c, const PGresult *r, ems_status st, const char *what);

#endif
