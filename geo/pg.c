/* geo/pg.c: layers to and from PostgreSQL/PostGIS with libpq (see pg.h): connection, statements with text
 * parameters, CRS <-> SRID, CREATE TABLE from a layer's schema and COPY (text format, hex EWKB).
 * The `pg:` layer source (layer_read_pg) is in geo/layer_pg.c; both share geo/pg_internal.h. */
#include "geo/pg.h"
#include "geo/pg_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_conn {
    PGconn *conn;
    char *desc; /* host=... port=... dbname=... user=... */
};

/* Key of the advisory lock that serialises new 'emscov' rows in spatial_ref_sys ("emscov" in ASCII). */
#define PG_SRS_LOCK_KEY "111516138983286"
#define PG_SRID_MIN 910000
#define PG_SRID_MAX 998999
#define PG_SRTEXT_MAX 2048          /* spatial_ref_sys.srtext is varchar(2048) */
#define PG_COPY_CHUNK (1024 * 1024) /* bytes per PQputCopyData */

/* ---- small text buffer ------------------------------------------------------------------------------ */

bool pg__sb_add(emscov_ctx *ctx, pg_sb *b, const char *s, size_t n)
{
    if (!ems_grow(ctx, (void **)&b->p, &b->cap, b->n + n + 1, 1)) return false;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return true;
}

bool pg__sb_str(emscov_ctx *ctx, pg_sb *b, const char *s)
{
    return pg__sb_add(ctx, b, s, strlen(s));
}

bool pg__sb_printf(emscov_ctx *ctx, pg_sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return false;
    if (!ems_grow(ctx, (void **)&b->p, &b->cap, b->n + (size_t)n + 1, 1)) return false;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
    return true;
}

/* ---- messages ----------------------------------------------------------------------------------------- */

/* The first line of a libpq or server message, without trailing blanks. */
static void first_line(const char *msg, char *buf, size_t cap)
{
    const char *s = msg ? msg : "";
    size_t n = strcspn(s, "\n");
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    if (n >= cap) n = cap - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

/* Replace every occurrence of secret in buf (in place, NUL-terminated, capacity cap) by "***". */
static void redact(char *buf, size_t cap, const char *secret)
{
    size_t k = secret ? strlen(secret) : 0;
    if (k == 0) return;
    char *p;
    while ((p = strstr(buf, secret)) != NULL) {
        size_t tail = strlen(p + k);
        if ((size_t)(p - buf) + 3 + tail + 1 > cap) tail = cap - (size_t)(p - buf) - 4;
        memmove(p + 3, p + k, tail);
        p[3 + tail] = '\0';
        memcpy(p, "***", 3);
    }
}

ems_status pg__fail(emscov_ctx *ctx, pg_conn *c, const PGresult *r, ems_status st, const char *what)
{
    char line[600];
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    first_line(primary ? primary : PQerrorMessage(c->conn), line, sizeof line);
    if (!*line) snprintf(line, sizeof line, "no answer from the server");
    bool lost = PQstatus(c->conn) == CONNECTION_BAD;
    return emscov_fail(ctx, st, "%s: %s%s (%s)", what, lost ? "connection lost: " : "", line, c->desc);
}

/* ---- connection --------------------------------------------------------------------------------------- */

static void quiet_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs (e.g. "relation exists, skipping") are not errors; the library never prints */
}

/* The password a conninfo string or URI gives, if any (new string, or NULL). */
static char *conninfo_password(emscov_ctx *ctx, const char *conninfo)
{
    if (!conninfo || !*conninfo) return NULL;
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    PQfreemem(err);
    char *pw = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val && *o->val && !pw) pw = ems_strdup(ctx, o->val);
    PQconninfoFree(opts);
    return pw;
}

/* "host=... port=... dbname=... user=..." from what libpq knows of the connection (attempt). */
static char *describe(emscov_ctx *ctx, PGconn *pc)
{
    const char *host = PQhost(pc), *port = PQport(pc), *db = PQdb(pc), *user = PQuser(pc);
    pg_sb b = {0};
    bool ok = pg__sb_printf(ctx, &b, "host=%s port=%s dbname=%s", host && *host ? host : "(default)",
                            port && *port ? port : "(default)", db && *db ? db : "(default)");
    if (ok && user && *user) ok = pg__sb_printf(ctx, &b, " user=%s", user);
    if (!ok) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* A conninfo string or URI that libpq cannot parse, or whose port is not a port number, is bad input, found
 * before any connection is tried. libpq's reason is kept unless the text holds a password (the reason may quote
 * a piece of it); values are never repeated. */
static ems_status check_conninfo(emscov_ctx *ctx, const char *conninfo)
{
    if (!conninfo || !*conninfo) return EMS_OK;
    /* a bare database name is a valid conninfo for PQconnectdbParams with expand_dbname: only strings that
     * look like key=value or a URI are parsed here */
    if (!strchr(conninfo, '=') && strncmp(conninfo, "postgres://", 11) && strncmp(conninfo, "postgresql://", 13))
        return EMS_OK;
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (!opts) {
        char line[400];
        first_line(err ? err : "", line, sizeof line);
        PQfreemem(err);
        if (!*line) return emscov_fail(ctx, EMS_ENOMEM, "out of memory parsing the PostgreSQL connection string");
        if (strstr(conninfo, "password") || strchr(conninfo, '@'))
            snprintf(line, sizeof line, "a syntax error near the password (not shown)");
        return emscov_fail(ctx, EMS_EINPUT, "not a valid PostgreSQL connection string (conninfo or URI): %s", line);
    }
    ems_status st = EMS_OK;
    for (PQconninfoOption *o = opts; o->keyword && st == EMS_OK; o++) {
        if (strcmp(o->keyword, "port") || !o->val || !*o->val) continue;
        for (const char *p = o->val; *p && st == EMS_OK;) { /* a comma-separated list, one per host */
            size_t n = strcspn(p, ",");
            long v = 0;
            bool ok = n > 0 && n <= 5;
            for (size_t k = 0; ok && k < n; k++) {
                ok = p[k] >= '0' && p[k] <= '9';
                v = v * 10 + (p[k] - '0');
            }
            if (!ok || v < 1 || v > 65535)
                st = emscov_fail(ctx, EMS_EINPUT,
                                 "not a valid PostgreSQL connection string: the port is not a number from 1 to 65535");
            p += n + (p[n] == ',');
        }
    }
    PQconninfoFree(opts);
    return st;
}

ems_status pg_connect(emscov_ctx *ctx, const char *conninfo, pg_conn **out)
{
    *out = NULL;
    ems_status cst = check_conninfo(ctx, conninfo);
    if (cst != EMS_OK) return cst;
    /* expand_dbname = 1: conninfo may be a "key=value" string, a URI or a bare database name; the fallback
     * application name applies only when neither the conninfo nor PGAPPNAME sets one. */
    const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *const vals[] = {conninfo ? conninfo : "", "emscov", NULL};
    PGconn *pc = PQconnectdbParams(keys, vals, 1);
    if (!pc) return emscov_fail(ctx, EMS_ENOMEM, "out of memory connecting to PostgreSQL");
    pg_conn *c = ems_calloc(ctx, 1, sizeof *c);
    if (!c) {
        PQfinish(pc);
        return EMS_ENOMEM;
    }
    c->conn = pc;
    c->desc = describe(ctx, pc);
    if (!c->desc) {
        pg_disconnect(c);
        return EMS_ENOMEM;
    }
    if (PQstatus(pc) != CONNECTION_OK) {
        char line[600], msg[900];
        first_line(PQerrorMessage(pc), line, sizeof line);
        snprintf(msg, sizeof msg, "cannot connect to PostgreSQL (%s): %s", c->desc,
                 *line ? line : "no reason given");
        char *pw = conninfo_password(ctx, conninfo); /* NULL when out of memory: PQpass below redacts it too */
        redact(msg, sizeof msg, pw);
        redact(msg, sizeof msg, PQpass(pc));
        free(pw);
        ems_status st = emscov_fail(ctx, EMS_EIO, "%s", msg);
        pg_disconnect(c);
        return st;
    }
    PQsetNoticeProcessor(pc, quiet_notices, NULL);
    if (PQsetClientEncoding(pc, "UTF8") != 0) {
        ems_status st = pg__fail(ctx, c, NULL, EMS_EIO, "setting client_encoding UTF8");
        pg_disconnect(c);
        return st;
    }
    PGresult *r = PQexec(pc, "SELECT postgis_lib_version()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char line[600];
        const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        first_line(primary ? primary : PQerrorMessage(pc), line, sizeof line);
        ems_status st = emscov_fail(ctx, EMS_EIO,
                                    "PostGIS is not installed in database %s (%s): %s; run "
                                    "CREATE EXTENSION postgis there",
                                    PQdb(pc), c->desc, line);
        PQclear(r);
        pg_disconnect(c);
        return st;
    }
    PQclear(r);
    *out = c;
    return EMS_OK;
}

void pg_disconnect(pg_conn *c)
{
    if (!c) return;
    PQfinish(c->conn);
    free(c->desc);
    free(c);
}

PGconn *pg_raw(pg_conn *c)
{
    return c->conn;
}

const char *pg_describe(const pg_conn *c)
{
    return c->desc;
}

/* ---- statements --------------------------------------------------------------------------------------- */

ems_status pg_query(emscov_ctx *ctx, pg_conn *c, const char *what, const char *sql, int nparams,
                    const char *const *params, PGresult **out)
{
    *out = NULL;
    PGresult *r = PQexecParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        ems_status st = r ? pg__fail(ctx, c, r, EMS_EIO, what)
                        : PQstatus(c->conn) == CONNECTION_BAD
                            ? pg__fail(ctx, c, NULL, EMS_EIO, what)
                            : emscov_fail(ctx, EMS_ENOMEM, "%s: out of memory", what);
        PQclear(r);
        return st;
    }
    *out = r;
    return EMS_OK;
}

ems_status pg_exec(emscov_ctx *ctx, pg_conn *c, const char *what, const char *sql, int nparams,
                   const char *const *params)
{
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, c, what, sql, nparams, params, &r);
    PQclear(r);
    return st;
}

ems_status pg_begin(emscov_ctx *ctx, pg_conn *c)
{
    return pg_exec(ctx, c, "starting a transaction", "BEGIN", 0, NULL);
}

ems_status pg_commit(emscov_ctx *ctx, pg_conn *c)
{
    if (PQtransactionStatus(c->conn) == PQTRANS_INERROR) {
        pg_rollback(c);
        return emscov_fail(ctx, EMS_EIO,
                           "committing: the transaction was aborted by an earlier error; nothing "
                           "was written (%s)",
                           c->desc);
    }
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, c, "committing", "COMMIT", 0, NULL, &r);
    /* COMMIT of an aborted transaction "succeeds" with the command tag ROLLBACK */
    if (st == EMS_OK && strcmp(PQcmdStatus(r), "COMMIT") != 0)
        st = emscov_fail(ctx, EMS_EIO, "committing: the server rolled the transaction back (%s)", c->desc);
    PQclear(r);
    return st;
}

void pg_rollback(pg_conn *c)
{
    if (!c || PQstatus(c->conn) != CONNECTION_OK) return;
    PGTransactionStatusType t = PQtransactionStatus(c->conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) PQclear(PQexec(c->conn, "ROLLBACK"));
}

/* ---- identifiers -------------------------------------------------------------------------------------- */

static ems_status quote_one(emscov_ctx *ctx, pg_conn *c, const char *name, char **out)
{
    *out = NULL;
    char *q = PQescapeIdentifier(c->conn, name, strlen(name));
    if (!q) {
        char line[300];
        first_line(PQerrorMessage(c->conn), line, sizeof line);
        if (strstr(line, "out of memory"))
            return emscov_fail(ctx, EMS_ENOMEM, "quoting identifier: out of memory");
        return emscov_fail(ctx, EMS_EINPUT, "name \"%s\" cannot be used as an SQL identifier: %s", name,
                           line);
    }
    *out = ems_strdup(ctx, q);
    PQfreemem(q);
    return *out ? EMS_OK : EMS_ENOMEM;
}

ems_status pg__ident(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *name, char **out)
{
    *out = NULL;
    if (!name || !*name) return emscov_fail(ctx, EMS_EINPUT, "empty table or column name");
    char *s = NULL, *n = NULL;
    ems_status st = EMS_OK;
    if (schema && *schema) st = quote_one(ctx, c, schema, &s);
    if (st == EMS_OK) st = quote_one(ctx, c, name, &n);
    if (st == EMS_OK && s) {
        size_t len = strlen(s) + 1 + strlen(n) + 1;
        char *both = ems_malloc(ctx, len);
        if (both) {
            snprintf(both, len, "%s.%s", s, n);
            *out = both;
        } else
            st = EMS_ENOMEM;
        free(n);
    } else if (st == EMS_OK)
        *out = n;
    free(s);
    return st;
}

char *pg_ident(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *name)
{
    char *q = NULL;
    return pg__ident(ctx, c, schema, name, &q) == EMS_OK ? q : NULL;
}

/* ---- CRS <-> SRID ------------------------------------------------------------------------------------- */

/* srtext and proj4text for a CRS without an EPSG row: WKT1 (GDAL flavour, what spatial_ref_sys and GDAL
 * expect, and short enough for varchar(2048)) when the CRS can be written so, else WKT2:2019. */
static ems_status custom_definition(emscov_ctx *ctx, const crs *cr, char **srtext, char **proj4)
{
    *srtext = *proj4 = NULL;
    PJ_CONTEXT *pc = emscov_proj(ctx);
    PJ *pj = proj_create(pc, crs_wkt(cr));
    if (!pj)
        return emscov_fail(ctx, EMS_EINTERNAL, "CRS %s: PROJ cannot re-read its WKT: %s", crs_name(cr),
                           emscov_lib_message(ctx));
    const char *const wkt_opts[] = {"MULTILINE=NO", NULL};
    const char *w = proj_as_wkt(pc, pj, PJ_WKT1_GDAL, wkt_opts);
    if (!w || strlen(w) > PG_SRTEXT_MAX) w = proj_as_wkt(pc, pj, PJ_WKT2_2019, wkt_opts);
    const char *p4 = proj_as_proj_string(pc, pj, PJ_PROJ_4, NULL);
    *srtext = ems_strdup(ctx, w ? w : crs_wkt(cr));
    *proj4 = ems_strdup(ctx, p4 ? p4 : "");
    proj_destroy(pj);
    if (!*srtext || !*proj4) {
        free(*srtext);
        free(*proj4);
        *srtext = *proj4 = NULL;
        return EMS_ENOMEM;
    }
    if (strlen(*srtext) > PG_SRTEXT_MAX) {
        ems_status st = emscov_fail(ctx, EMS_EINPUT,
                                    "CRS %s: its definition (%zu characters) does not fit "
                                    "spatial_ref_sys.srtext (%d)",
                                    crs_name(cr), strlen(*srtext), PG_SRTEXT_MAX);
        free(*srtext);
        free(*proj4);
        *srtext = *proj4 = NULL;
        return st;
    }
    return EMS_OK;
}

static ems_status find_custom(emscov_ctx *ctx, pg_conn *c, const char *srtext, int *srid)
{
    const char *p1[1] = {srtext};
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, c, "looking up the CRS in spatial_ref_sys",
                             "SELECT srid FROM spatial_ref_sys "
                             "WHERE auth_name = 'emscov' AND srtext = $1 ORDER BY srid LIMIT 1",
                             1, p1, &r);
    if (st == EMS_OK && PQntuples(r) == 1) *srid = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

/* The 'emscov' row with this srtext, or a new one. A new row is added under an advisory transaction lock, so
 * concurrent runs registering the same CRS wait for each other and then find the first one's row (looked up
 * again once the lock is held); ON CONFLICT covers rows inserted by anything else meanwhile. */
static ems_status custom_srid(emscov_ctx *ctx, pg_conn *c, const crs *cr, const char *srtext,
                              const char *proj4, int *srid)
{
    ems_status st = find_custom(ctx, c, srtext, srid);
    if (st != EMS_OK || *srid) return st;
    st = pg_exec(ctx, c, "locking spatial_ref_sys for a new SRID",
                 "SELECT pg_advisory_xact_lock(" PG_SRS_LOCK_KEY ")", 0, NULL);
    if (st == EMS_OK) st = find_custom(ctx, c, srtext, srid);
    if (st != EMS_OK || *srid) return st;
    PGresult *r = NULL;
    const char *p2[2] = {srtext, proj4};
    for (int attempt = 0; attempt < 20; attempt++) {
        st = pg_query(
            ctx, c, "adding the CRS to spatial_ref_sys",
            "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
            "SELECT n, 'emscov', n, $1, $2 FROM (SELECT greatest(910000, coalesce(max(srid), 0) + 1) AS n "
            "FROM spatial_ref_sys WHERE srid BETWEEN 910000 AND 998999) s WHERE n <= 998999 "
            "ON CONFLICT (srid) DO NOTHING RETURNING srid",
            2, p2, &r);
        if (st != EMS_OK) return st;
        if (PQntuples(r) == 1) {
            *srid = atoi(PQgetvalue(r, 0, 0));
            PQclear(r);
            return EMS_OK;
        }
        PQclear(r);
        st = pg_query(ctx, c, "looking for a free SRID", "SELECT 1 FROM spatial_ref_sys WHERE srid = 998999",
                      0, NULL, &r);
        if (st != EMS_OK) return st;
        bool full = PQntuples(r) > 0;
        PQclear(r);
        if (full) break;
    }
    return emscov_fail(ctx, EMS_EIO, "CRS %s: no free SRID left in %d..%d of spatial_ref_sys (%s)",
                       crs_name(cr), PG_SRID_MIN, PG_SRID_MAX, c->desc);
}

ems_status pg_srid_for(emscov_ctx *ctx, pg_conn *c, const crs *cr, int *srid)
{
    *srid = 0;
    int epsg = crs_epsg(cr);
    ems_status st;
    if (epsg > 0) {
        char code[16];
        snprintf(code, sizeof code, "%d", epsg);
        const char *p[1] = {code};
        char what[64];
        snprintf(what, sizeof what, "looking up EPSG:%d in spatial_ref_sys", epsg);
        PGresult *r = NULL;
        st = pg_query(ctx, c, what,
                      "SELECT srid FROM spatial_ref_sys WHERE upper(auth_name) = 'EPSG' "
                      "AND auth_srid = $1::integer ORDER BY srid <> auth_srid, srid LIMIT 1",
                      1, p, &r);
        if (st != EMS_OK) return st;
        bool found = PQntuples(r) == 1;
        if (found) *srid = atoi(PQgetvalue(r, 0, 0));
        PQclear(r);
        if (found) return EMS_OK;
    }
    char *srtext = NULL, *proj4 = NULL;
    if ((st = custom_definition(ctx, cr, &srtext, &proj4)) != EMS_OK) return st;
    bool own = PQtransactionStatus(c->conn) == PQTRANS_IDLE;
    if (own) st = pg_begin(ctx, c);
    if (st == EMS_OK) st = custom_srid(ctx, c, cr, srtext, proj4, srid);
    if (own && st == EMS_OK)
        st = pg_commit(ctx, c);
    else if (own)
        pg_rollback(c);
    if (st != EMS_OK) *srid = 0;
    free(srtext);
    free(proj4);
    return st;
}

ems_status pg_crs_of_srid(emscov_ctx *ctx, pg_conn *c, int srid, crs **out)
{
    *out = NULL;
    char code[16];
    snprintf(code, sizeof code, "%d", srid);
    const char *p[1] = {code};
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, c, "reading spatial_ref_sys",
                             "SELECT upper(coalesce(auth_name, '')), "
                             "coalesce(auth_srid, 0), coalesce(srtext, ''), coalesce(proj4text, '') "
                             "FROM spatial_ref_sys WHERE srid = $1::integer",
                             1, p, &r);
    if (st != EMS_OK) return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return emscov_fail(ctx, EMS_EINPUT, "SRID %d is not in spatial_ref_sys (%s)", srid, c->desc);
    }
    const char *auth = PQgetvalue(r, 0, 0), *srtext = PQgetvalue(r, 0, 2), *proj4 = PQgetvalue(r, 0, 3);
    int auth_srid = atoi(PQgetvalue(r, 0, 1));
    st = EMS_EINPUT;
    if (!strcmp(auth, "EPSG") && auth_srid > 0) st = crs_from_epsg(ctx, auth_srid, out);
    if (st != EMS_OK && *srtext) st = crs_from_string(ctx, srtext, out);
    if (st != EMS_OK && *proj4) st = crs_from_string(ctx, proj4, out);
    if (st != EMS_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", emscov_message(ctx));
        st = emscov_fail(ctx, EMS_EINPUT, "SRID %d: no usable definition in spatial_ref_sys%s%s", srid,
                         *why ? ": " : "", why);
    }
    PQclear(r);
    return st;
}

/* ---- CREATE TABLE ------------------------------------------------------------------------------------- */

/* The PostGIS geometry type of the table for l: the layer's own type (layer.c already promotes a mix of
 * single and multi parts to Multi*), "Geometry" for mixed kinds or an empty layer. */
static const char *table_geom_type(const layer *l)
{
    static const char *const known[] = {"Point",   "MultiPoint",   "LineString",        "MultiLineString",
                                        "Polygon", "MultiPolygon", "GeometryCollection"};
    const char *t = layer_geom_type(l);
    for (size_t k = 0; k < sizeof known / sizeof *known; k++)
        if (!strcmp(t, known[k])) return known[k];
    return "Geometry";
}

const char *pg_field_sql_type(layer_field_type t)
{
    switch (t) {
    case LAYER_FIELD_INT:
        return "bigint";
    case LAYER_FIELD_DOUBLE:
        return "double precision";
    case LAYER_FIELD_STRING:
        return "text";
    case LAYER_FIELD_DATE:
        return "date";
    case LAYER_FIELD_LOGICAL:
        return "boolean";
    }
    return "text";
}

/* Every column name must be non-empty and unique (exactly, as quoted identifiers are case-sensitive). */
static ems_status check_names(emscov_ctx *ctx, const char *table, const layer *l, const pg_column *extra,
                              size_t nextra)
{
    size_t nf = layer_field_count(l);
    for (size_t j = 0; j < nf; j++) {
        const char *name = layer_field_at(l, j)->name;
        if (!*name)
            return emscov_fail(ctx, EMS_EINPUT, "%s: field %zu has an empty name", layer_path(l), j + 1);
        bool taken = !strcmp(name, "geom");
        for (size_t k = 0; k < nextra && !taken; k++)
            taken = !strcmp(name, extra[k].name);
        if (taken)
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: field %s: the name is taken by a column emscov adds to "
                               "table %s; rename the field",
                               layer_path(l), name, table);
        for (size_t i = 0; i < j; i++)
            if (!strcmp(name, layer_field_at(l, i)->name))
                return emscov_fail(ctx, EMS_EINPUT, "%s: field %s appears twice", layer_path(l), name);
    }
    return EMS_OK;
}

ems_status pg_check_user_schema(emscov_ctx *ctx, const char *what, const char *schema)
{
    if (schema && (!strcmp(schema, "information_schema") || !strncmp(schema, "pg_", 3)))
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s %s: a PostgreSQL system schema (information_schema, pg_*): emscov writes its tables "
                           "only into a schema of its own; choose another name",
                           what, schema);
    return EMS_OK;
}

void pg_index_name(const char *table, const char *suffix, char out[PG_NAME_MAX + 1])
{
    size_t tl = strlen(table), sl = strlen(suffix);
    if (sl > 40) sl = 40; /* suffixes are short words; bounded so the layout below always fits */
    char mid[11] = "_";       /* "_" + 8 hex digits of the table name's hash + "_", or just "_" */
    size_t keep = tl;
    if (tl + 1 + sl > PG_NAME_MAX) {
        uint32_t h = 2166136261u; /* FNV-1a of the whole table name */
        for (const unsigned char *p = (const unsigned char *)table; *p; p++)
            h = (h ^ *p) * 16777619u;
        snprintf(mid, sizeof mid, "_%08x_", (unsigned)h);
        keep = PG_NAME_MAX - sl - 10;
        while (keep > 0 && ((unsigned char)table[keep] & 0xC0) == 0x80) /* never cut a UTF-8 character */
            keep--;
    }
    size_t ml = strlen(mid);
    memcpy(out, table, keep);
    memcpy(out + keep, mid, ml);
    memcpy(out + keep + ml, suffix, sl);
    out[keep + ml + sl] = '\0';
}

ems_status pg_create_table(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *table, const layer *l,
                           int srid, const pg_column *extra, size_t nextra, bool if_not_exists)
{
    char *qt = NULL, *qcol = NULL, *qidx = NULL;
    pg_sb sql = {0}, what = {0};
    ems_status st = check_names(ctx, table, l, extra, nextra);
    if (st == EMS_OK) st = pg__ident(ctx, c, schema, table, &qt);
    if (st != EMS_OK) goto done;
    st = EMS_ENOMEM;
    if (!pg__sb_printf(ctx, &what, "creating table %s", qt) ||
        !pg__sb_printf(ctx, &sql, "CREATE TABLE %s%s (", if_not_exists ? "IF NOT EXISTS " : "", qt))
        goto done;
    for (size_t k = 0; k < nextra; k++) {
        if ((st = pg__ident(ctx, c, NULL, extra[k].name, &qcol)) != EMS_OK) goto done;
        st = EMS_ENOMEM;
        if (!pg__sb_printf(ctx, &sql, "%s %s, ", qcol, extra[k].type)) goto done;
        free(qcol);
        qcol = NULL;
    }
    for (size_t j = 0; j < layer_field_count(l); j++) {
        const layer_field *f = layer_field_at(l, j);
        if ((st = pg__ident(ctx, c, NULL, f->name, &qcol)) != EMS_OK) goto done;
        st = EMS_ENOMEM;
        if (!pg__sb_printf(ctx, &sql, "%s %s, ", qcol, pg_field_sql_type(f->type))) goto done;
        free(qcol);
        qcol = NULL;
    }
    if (!pg__sb_printf(ctx, &sql, "geom geometry(%s, %d))", table_geom_type(l), srid)) goto done;
    if ((st = pg_exec(ctx, c, what.p, sql.p, 0, NULL)) != EMS_OK) goto done;
    /* The index: named after the table (pg_index_name) so that IF NOT EXISTS can find it again. */
    char iname[PG_NAME_MAX + 1];
    pg_index_name(table, "geom_idx", iname);
    if ((st = pg__ident(ctx, c, NULL, iname, &qidx)) != EMS_OK) goto done;
    sql.n = 0;
    what.n = 0;
    st = EMS_ENOMEM;
    if (!pg__sb_printf(ctx, &sql, "CREATE INDEX %s%s ON %s USING gist (geom)",
                       if_not_exists ? "IF NOT EXISTS " : "", qidx, qt) ||
        !pg__sb_printf(ctx, &what, "creating the spatial index of %s", qt))
        goto done;
    st = pg_exec(ctx, c, what.p, sql.p, 0, NULL);
done:
    free(qt);
    free(qcol);
    free(qidx);
    free(sql.p);
    free(what.p);
    return st;
}

/* ---- COPY --------------------------------------------------------------------------------------------- */

/* A value in COPY text format: backslash, tab, newline and carriage return escaped. */
static bool copy_text(emscov_ctx *ctx, pg_sb *b, const char *s)
{
    const char *run = s;
    for (const char *p = s;; p++) {
        char e = *p == '\\' ? '\\' : *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : 0;
        if (!e && *p) continue;
        if (!pg__sb_add(ctx, b, run, (size_t)(p - run))) return false;
        if (!*p) return true;
        char esc[2] = {'\\', e};
        if (!pg__sb_add(ctx, b, esc, 2)) return false;
        run = p + 1;
    }
}

static ems_status copy_value(emscov_ctx *ctx, pg_sb *b, const layer *l, size_t i, size_t j)
{
    const layer_field *f = layer_field_at(l, j);
    const layer_value *v = layer_value_at(l, i, j);
    bool ok;
    if (v->is_null)
        ok = pg__sb_add(ctx, b, "\\N", 2);
    else {
        switch (f->type) {
        case LAYER_FIELD_INT:
            ok = pg__sb_printf(ctx, b, "%lld", (long long)v->u.i);
            break;
        case LAYER_FIELD_DOUBLE:
            if (isnan(v->u.d))
                ok = pg__sb_add(ctx, b, "\\N", 2);
            else if (isinf(v->u.d))
                ok = pg__sb_str(ctx, b, v->u.d > 0 ? "Infinity" : "-Infinity");
            else
                ok = pg__sb_printf(ctx, b, "%.17g", v->u.d);
            break;
        case LAYER_FIELD_STRING:
            ok = copy_text(ctx, b, v->u.s ? v->u.s : "");
            break;
        case LAYER_FIELD_DATE: {
            int32_t d = v->u.date;
            int y = d / 10000, m = d / 100 % 100, dd = d % 100;
            if (y < 1 || m < 1 || m > 12 || dd < 1 || dd > 31)
                return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: %ld is not a date (yyyymmdd)",
                                   layer_path(l), (long long)layer_record(l, i), f->name, (long)d);
            ok = pg__sb_printf(ctx, b, "%04d-%02d-%02d", y, m, dd);
            break;
        }
        case LAYER_FIELD_LOGICAL:
            ok = pg__sb_add(ctx, b, v->u.b ? "t" : "f", 1);
            break;
        default:
            ok = pg__sb_add(ctx, b, "\\N", 2);
        }
    }
    return ok ? EMS_OK : EMS_ENOMEM;
}

static void put_u32le(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
    p[2] = (unsigned char)((v >> 16) & 0xff);
    p[3] = (unsigned char)((v >> 24) & 0xff);
}

static bool add_hex(emscov_ctx *ctx, pg_sb *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    if (!ems_grow(ctx, (void **)&b->p, &b->cap, b->n + 2 * n + 1, 1)) return false;
    char *o = b->p + b->n;
    for (size_t k = 0; k < n; k++) {
        o[2 * k] = digits[p[k] >> 4];
        o[2 * k + 1] = digits[p[k] & 15];
    }
    b->n += 2 * n;
    b->p[b->n] = '\0';
    return true;
}

#define EWKB_SRID_FLAG 0x20000000u

/* Hex EWKB of a 2D little-endian WKB with the srid. multi_type > 0 wraps the geometry as the only part of
 * a Multi* of that WKB type (a Multi* in WKB is a count followed by complete WKB parts), so a Polygon goes
 * into a MultiPolygon column without rebuilding the geometry. */
static bool add_ewkb_hex(emscov_ctx *ctx, pg_sb *b, const unsigned char *wkb, size_t n, int srid,
                         uint32_t multi_type)
{
    unsigned char head[13];
    head[0] = 1; /* NDR */
    if (multi_type) {
        put_u32le(head + 1, multi_type | EWKB_SRID_FLAG);
        put_u32le(head + 5, (uint32_t)srid);
        put_u32le(head + 9, 1);
        return add_hex(ctx, b, head, 13) && add_hex(ctx, b, wkb, n);
    }
    uint32_t type =
        (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8 | (uint32_t)wkb[3] << 16 | (uint32_t)wkb[4] << 24;
    put_u32le(head + 1, type | EWKB_SRID_FLAG);
    put_u32le(head + 5, (uint32_t)srid);
    return add_hex(ctx, b, head, 9) && add_hex(ctx, b, wkb + 5, n - 5);
}

/* WKB type code of the Multi* to wrap a geometry of GEOS type t into, for a column of type col; 0: none. */
static uint32_t wrap_type(const char *col, int t)
{
    if (!strcmp(col, "MultiPoint") && t == GEOS_POINT) return 4;
    if (!strcmp(col, "MultiLineString") && t == GEOS_LINESTRING) return 5;
    if (!strcmp(col, "MultiPolygon") && t == GEOS_POLYGON) return 6;
    return 0;
}

typedef struct copy_state {
    emscov_ctx *ctx;
    pg_conn *c;
    const char *qt;
    bool in_copy;
} copy_state;

static ems_status put_chunk(copy_state *cs, pg_sb *b)
{
    if (b->n == 0) return EMS_OK;
    if (PQputCopyData(cs->c->conn, b->p, (int)b->n) != 1) {
        char what[300];
        snprintf(what, sizeof what, "loading %s", cs->qt);
        return pg__fail(cs->ctx, cs->c, NULL, EMS_EIO, what);
    }
    b->n = 0;
    return EMS_OK;
}

/* End the COPY: normally (why NULL) or failing it on the server so nothing of it stays; returns the final
 * status and the server's row count. After a failure the first message is kept. */
static ems_status end_copy(copy_state *cs, const char *why, ems_status st, uint64_t *rows)
{
    char what[300];
    snprintf(what, sizeof what, "loading %s", cs->qt);
    int end = PQputCopyEnd(cs->c->conn, why);
    if (end != 1 && st == EMS_OK) st = pg__fail(cs->ctx, cs->c, NULL, EMS_EIO, what);
    PGresult *r;
    while ((r = PQgetResult(cs->c->conn)) != NULL) {
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COMMAND_OK && st == EMS_OK && rows)
            *rows = strtoull(PQcmdTuples(r), NULL, 10);
        else if (s != PGRES_COMMAND_OK && st == EMS_OK)
            st = pg__fail(cs->ctx, cs->c, r, EMS_EIO, what);
        PQclear(r);
        if (s == PGRES_COPY_IN ||
            s == PGRES_COPY_OUT) /* cannot happen after PQputCopyEnd; never loop on it */
            break;
    }
    cs->in_copy = false;
    return st;
}

ems_status pg_copy_layer(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *table, const layer *l,
                         int srid, const char *const *extra_values, size_t nextra, pg_progress_fn progress,
                         void *user, uint64_t *rows)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    if (rows) *rows = 0;
    copy_state cs = {.ctx = ctx, .c = c};
    char *qt = NULL, *qcol = NULL;
    pg_sb sql = {0}, buf = {0};
    GEOSWKBWriter *w = NULL;
    size_t n = layer_count(l), nf = layer_field_count(l);
    const char *col_type = table_geom_type(l);
    ems_status st = pg__ident(ctx, c, schema, table, &qt);
    if (st != EMS_OK) goto done;
    cs.qt = qt;
    st = EMS_ENOMEM;
    if (!pg__sb_printf(ctx, &sql, "COPY %s (", qt)) goto done;
    /* The extra columns are named by the caller's pg_create_table; COPY only needs them in order, so it
     * lists the layer's fields and geom by name and takes the extras from the table's first columns. */
    if (nextra > 0) {
        /* the names of the first nextra columns, read from the catalogue */
        char what[300];
        snprintf(what, sizeof what, "reading the columns of %s", qt);
        char nbuf[24];
        snprintf(nbuf, sizeof nbuf, "%zu", nextra);
        const char *p[2] = {qt, nbuf};
        PGresult *r = NULL;
        st = pg_query(ctx, c, what,
                      "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = "
                      "$1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT $2::integer",
                      2, p, &r);
        if (st != EMS_OK) goto done;
        bool enough = (size_t)PQntuples(r) == nextra;
        for (int k = 0; enough && k < PQntuples(r); k++)
            if (!pg__sb_printf(ctx, &sql, "%s, ", PQgetvalue(r, k, 0))) {
                PQclear(r);
                st = EMS_ENOMEM;
                goto done;
            }
        PQclear(r);
        if (!enough) {
            st = emscov_fail(ctx, EMS_EINTERNAL, "loading %s: the table has fewer than %zu columns", qt,
                             nextra);
            goto done;
        }
        st = EMS_ENOMEM;
    }
    for (size_t j = 0; j < nf; j++) {
        if ((st = pg__ident(ctx, c, NULL, layer_field_at(l, j)->name, &qcol)) != EMS_OK) goto done;
        st = EMS_ENOMEM;
        if (!pg__sb_printf(ctx, &sql, "%s, ", qcol)) goto done;
        free(qcol);
        qcol = NULL;
    }
    if (!pg__sb_str(ctx, &sql, "geom) FROM STDIN")) goto done;
    if (!(w = GEOSWKBWriter_create_r(h))) {
        st = emscov_fail(ctx, EMS_EINTERNAL, "loading %s: GEOS WKB writer: %s", qt, emscov_lib_message(ctx));
        goto done;
    }
    GEOSWKBWriter_setOutputDimension_r(h, w, 2);
    GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
    GEOSWKBWriter_setIncludeSRID_r(h, w, 0);

    PGresult *r = PQexec(c->conn, sql.p);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        char what[300];
        snprintf(what, sizeof what, "loading %s", qt);
        st = pg__fail(ctx, c, r, EMS_EIO, what);
        PQclear(r);
        goto done;
    }
    PQclear(r);
    cs.in_copy = true;
    st = EMS_OK;
    for (size_t i = 0; i < n && st == EMS_OK; i++) {
        for (size_t k = 0; k < nextra && st == EMS_OK; k++) {
            bool ok = extra_values && extra_values[k] ? copy_text(ctx, &buf, extra_values[k])
                                                      : pg__sb_add(ctx, &buf, "\\N", 2);
            st = ok && pg__sb_add(ctx, &buf, "\t", 1) ? EMS_OK : EMS_ENOMEM;
        }
        for (size_t j = 0; j < nf && st == EMS_OK; j++) {
            st = copy_value(ctx, &buf, l, i, j);
            if (st == EMS_OK && !pg__sb_add(ctx, &buf, "\t", 1)) st = EMS_ENOMEM;
        }
        if (st != EMS_OK) break;
        const GEOSGeometry *g = layer_geom(l, i);
        if (!g) { /* a row without a geometry (layer_allow_null_geometry) */
            st = pg__sb_add(ctx, &buf, "\\N\n", 3) ? EMS_OK : EMS_ENOMEM;
            continue;
        }
        size_t wn = 0;
        unsigned char *wkb = GEOSWKBWriter_write_r(h, w, g, &wn);
        if (!wkb || wn < 5) {
            GEOSFree_r(h, wkb);
            st = emscov_fail(ctx, EMS_EINTERNAL, "%s: record %lld: GEOS could not write WKB: %s",
                             layer_path(l), (long long)layer_record(l, i), emscov_lib_message(ctx));
            break;
        }
        bool ok = add_ewkb_hex(ctx, &buf, wkb, wn, srid, wrap_type(col_type, GEOSGeomTypeId_r(h, g))) &&
                  pg__sb_add(ctx, &buf, "\n", 1);
        GEOSFree_r(h, wkb);
        if (!ok)
            st = EMS_ENOMEM;
        else if (buf.n >= PG_COPY_CHUNK) {
            st = put_chunk(&cs, &buf);
            if (st == EMS_OK && progress) progress(user, i + 1, n);
        }
    }
    if (st == EMS_OK) st = put_chunk(&cs, &buf);
    st = end_copy(&cs, st == EMS_OK ? NULL : "emscov: load aborted", st, rows);
    if (st == EMS_OK && progress) progress(user, n, n);
done:
    if (w) GEOSWKBWriter_destroy_r(h, w);
    free(qt);
    free(qcol);
    free(sql.p);
    free(buf.p);
    return st;
}
