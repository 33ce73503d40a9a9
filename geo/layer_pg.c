/* geo/layer_pg.c: the `pg:` layer source (layer_read_pg, see pg.h): "pg:[schema.]table[?where=...&geom=...]"
 * read inside a READ ONLY transaction through a cursor, geometries as WKB (hex bytea text), attributes as
 * text, in primary-key order (else ctid order); the CRS from the geometry column's SRID. */
#include "geo/layer_internal.h"
#include "geo/pg.h"
#include "geo/pg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_FETCH_ROWS "20000"

typedef struct pg_source {
    char *schema; /* NULL: the search_path decides */
    char *table;
    char *where; /* NULL: every row */
    char *geom;  /* NULL: the first geometry column */
} pg_source;

static void source_free(pg_source *s)
{
    free(s->schema);
    free(s->table);
    free(s->where);
    free(s->geom);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* URL-decode s[0..n) into a new string: %XX always, '+' as a space when plus is set. */
static ems_status url_decode(emscov_ctx *ctx, const char *source, const char *s, size_t n, bool plus,
                             char **out)
{
    *out = NULL;
    char *d = ems_malloc(ctx, n + 1);
    if (!d) return EMS_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                d[k++] = (char)(hi * 16 + lo);
                i += 2;
                continue;
            }
            free(d);
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: bad %%-escape at \"%.*s\" (use %%XX with two hex digits, "
                               "not %%00)",
                               source, (int)(n - i < 3 ? n - i : 3), s + i);
        }
        d[k++] = plus && s[i] == '+' ? ' ' : s[i];
    }
    d[k] = '\0';
    *out = d;
    return EMS_OK;
}

/* "pg:[schema.]table[?where=...&geom=...]": names are %-decoded after splitting at the one unescaped '.'
 * (write a dot inside a name as %2E); parameter values are %- and '+'-decoded. */
static ems_status parse_source(emscov_ctx *ctx, const char *source, pg_source *out)
{
    memset(out, 0, sizeof *out);
    if (strncmp(source, "pg:", 3) != 0) return emscov_fail(ctx, EMS_EINPUT, "%s: not a pg: source", source);
    const char *name = source + 3;
    const char *q = strchr(name, '?');
    size_t nlen = q ? (size_t)(q - name) : strlen(name);
    const char *dot = memchr(name, '.', nlen);
    ems_status st = EMS_OK;
    if (dot && memchr(dot + 1, '.', nlen - (size_t)(dot + 1 - name)))
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: more than one '.' in the table name (use pg:schema.table; "
                           "write a dot inside a name as %%2E)",
                           source);
    if (dot) {
        if (dot == name) return emscov_fail(ctx, EMS_EINPUT, "%s: empty schema name", source);
        st = url_decode(ctx, source, name, (size_t)(dot - name), false, &out->schema);
        if (st == EMS_OK)
            st = url_decode(ctx, source, dot + 1, nlen - (size_t)(dot + 1 - name), false, &out->table);
    } else
        st = url_decode(ctx, source, name, nlen, false, &out->table);
    if (st == EMS_OK && !*out->table)
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no table name (pg:[schema.]table[?where=...])", source);
    for (const char *p = q ? q + 1 : NULL; st == EMS_OK && p && *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char **slot = klen == 5 && !strncmp(p, "where", 5)  ? &out->where
                      : klen == 4 && !strncmp(p, "geom", 4) ? &out->geom
                                                            : NULL;
        if (!slot || !eq)
            st = emscov_fail(ctx, EMS_EINPUT,
                             "%s: unknown parameter \"%.*s\" (known: where=CONDITION, geom=COLUMN)", source,
                             (int)klen, p);
        else if (*slot)
            st = emscov_fail(ctx, EMS_EINPUT, "%s: parameter %.*s given twice", source, (int)klen, p);
        else
            st = url_decode(ctx, source, eq + 1, len - klen - 1, true, slot);
        p = amp ? amp + 1 : NULL;
    }
    if (st != EMS_OK) source_free(out);
    return st;
}

typedef enum { COL_SKIP, COL_GEOM, COL_FIELD } col_role;

typedef struct pg_col {
    char *name;
    col_role role;
    layer_field_type type;
} pg_col;

static bool map_type(const char *typname, layer_field_type *t)
{
    static const struct {
        const char *name;
        layer_field_type type;
    } map[] = {
        {"int8", LAYER_FIELD_INT},      {"int4", LAYER_FIELD_INT},       {"int2", LAYER_FIELD_INT},
        {"float4", LAYER_FIELD_DOUBLE}, {"float8", LAYER_FIELD_DOUBLE},  {"numeric", LAYER_FIELD_DOUBLE},
        {"text", LAYER_FIELD_STRING},   {"varchar", LAYER_FIELD_STRING}, {"bpchar", LAYER_FIELD_STRING},
        {"date", LAYER_FIELD_DATE},     {"bool", LAYER_FIELD_LOGICAL}};
    for (size_t k = 0; k < sizeof map / sizeof *map; k++)
        if (!strcmp(typname, map[k].name)) {
            *t = map[k].type;
            return true;
        }
    return false;
}

typedef struct reader {
    emscov_ctx *ctx;
    const char *source;
    pg_conn *c;
    pg_source src;
    char *qtable;  /* "schema"."table", resolved */
    char *oid;     /* the table's oid, as text */
    bool has_ctid; /* a table (not a view): ctid order without a primary key */
    pg_col *cols;
    size_t ncols;
    int geom_col; /* index into cols */
    int srid;
    int dims; /* coord_dimension of the geometry column */
    layer *l;
} reader;

static ems_status query(reader *rd, const char *what, const char *sql, int np, const char *const *p,
                        PGresult **r)
{
    char w[600];
    snprintf(w, sizeof w, "%s: %s", rd->source, what);
    return pg_query(rd->ctx, rd->c, w, sql, np, p, r);
}

/* The table named by the source (search_path when no schema), as oid + quoted name. */
static ems_status resolve_table(reader *rd)
{
    char *q = NULL;
    ems_status st = pg__ident(rd->ctx, rd->c, rd->src.schema, rd->src.table, &q);
    if (st != EMS_OK) return st;
    const char *p[1] = {q};
    PGresult *r = NULL;
    st = query(rd, "finding the table",
               "SELECT c.oid::text, quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
               "c.relkind IN ('r', 'p', 'm') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE c.oid = to_regclass($1)",
               1, p, &r);
    free(q);
    if (st != EMS_OK) return st;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return emscov_fail(rd->ctx, EMS_EINPUT, "%s: table %s%s%s does not exist (%s)", rd->source,
                           rd->src.schema ? rd->src.schema : "", rd->src.schema ? "." : "", rd->src.table,
                           pg_describe(rd->c));
    }
    rd->oid = ems_strdup(rd->ctx, PQgetvalue(r, 0, 0));
    rd->qtable = ems_strdup(rd->ctx, PQgetvalue(r, 0, 1));
    rd->has_ctid = PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    return rd->oid && rd->qtable ? EMS_OK : EMS_ENOMEM;
}

/* Columns in table order, with the geometry column (geometry_columns: SRID and dimension) chosen. */
static ems_status read_columns(reader *rd)
{
    const char *p[1] = {rd->oid};
    PGresult *r = NULL;
    ems_status st = query(
        rd, "reading the columns",
        "SELECT a.attname, bt.typname, coalesce(gc.srid, 0), coalesce(gc.coord_dimension, 2) "
        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN geometry_columns gc ON gc.f_table_schema = n.nspname AND gc.f_table_name = c.relname "
        "AND gc.f_geometry_column = a.attname "
        "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        1, p, &r);
    if (st != EMS_OK) return st;
    int n = PQntuples(r);
    rd->cols = ems_calloc(rd->ctx, (size_t)(n > 0 ? n : 1), sizeof *rd->cols);
    if (!rd->cols) {
        PQclear(r);
        return EMS_ENOMEM;
    }
    rd->geom_col = -1;
    for (int i = 0; i < n && st == EMS_OK; i++) {
        pg_col *col = &rd->cols[rd->ncols++];
        col->name = ems_strdup(rd->ctx, PQgetvalue(r, i, 0));
        if (!col->name) {
            st = EMS_ENOMEM;
            break;
        }
        const char *typ = PQgetvalue(r, i, 1);
        if (!strcmp(typ, "geometry")) {
            bool wanted = rd->src.geom ? !strcmp(rd->src.geom, col->name) : rd->geom_col < 0;
            if (wanted) {
                col->role = COL_GEOM;
                rd->geom_col = i;
                rd->srid = atoi(PQgetvalue(r, i, 2));
                rd->dims = atoi(PQgetvalue(r, i, 3));
            }
        } else if (map_type(typ, &col->type))
            col->role = COL_FIELD;
    }
    PQclear(r);
    if (st == EMS_OK && rd->geom_col < 0)
        st = rd->src.geom ? emscov_fail(rd->ctx, EMS_EINPUT, "%s: table %s has no geometry column %s",
                                        rd->source, rd->qtable, rd->src.geom)
                          : emscov_fail(rd->ctx, EMS_EINPUT, "%s: table %s has no geometry column",
                                        rd->source, rd->qtable);
    return st;
}

/* An untyped geometry column has SRID 0 in geometry_columns: take the SRID of its first non-null value. */
static ems_status probe_srid(reader *rd, const char *qgeom)
{
    pg_sb sql = {0};
    if (!pg__sb_printf(rd->ctx, &sql, "SELECT ST_SRID(%s) FROM %s WHERE %s IS NOT NULL LIMIT 1", qgeom,
                       rd->qtable, qgeom))
        return EMS_ENOMEM;
    PGresult *r = NULL;
    ems_status st = query(rd, "reading the SRID", sql.p, 0, NULL, &r);
    free(sql.p);
    if (st != EMS_OK) return st;
    if (PQntuples(r) == 1) rd->srid = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return EMS_OK;
}

/* ORDER BY the primary key columns, else ctid for a table, else nothing (a view). */
static ems_status order_by(reader *rd, pg_sb *sql)
{
    const char *p[1] = {rd->oid};
    PGresult *r = NULL;
    ems_status st =
        query(rd, "reading the primary key",
              "SELECT quote_ident(a.attname) FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY "
              "k(attnum, ord), "
              "pg_attribute a WHERE i.indrelid = $1::oid AND i.indisprimary AND a.attrelid = i.indrelid "
              "AND a.attnum = k.attnum ORDER BY k.ord",
              1, p, &r);
    if (st != EMS_OK) return st;
    bool ok = true;
    int n = PQntuples(r);
    for (int k = 0; k < n && ok; k++)
        ok = pg__sb_printf(rd->ctx, sql, "%s%s", k ? ", " : " ORDER BY ", PQgetvalue(r, k, 0));
    PQclear(r);
    if (ok && n == 0 && rd->has_ctid) ok = pg__sb_str(rd->ctx, sql, " ORDER BY ctid");
    return ok ? EMS_OK : EMS_ENOMEM;
}

/* "yyyy-mm-dd" (DateStyle ISO) -> yyyymmdd; false for BC dates and infinity. */
static bool parse_date(const char *s, int32_t *out)
{
    int y, m, d;
    char rest;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3) return false;
    *out = y * 10000 + m * 100 + d;
    return true;
}

/* Append the rows of one FETCH; *record counts rows across fetches. */
static ems_status take_rows(reader *rd, PGresult *r, GEOSWKBReader *wkb, layer_value *vals, int64_t *record,
                            bool *bad_date_noted)
{
    GEOSContextHandle_t h = emscov_geos(rd->ctx);
    int n = PQntuples(r);
    ems_status st = EMS_OK;
    for (int i = 0; i < n && st == EMS_OK; i++) {
        int64_t rec = ++*record;
        size_t f = 0;
        int pos = 1;
        for (size_t c = 0; c < rd->ncols; c++) {
            if (rd->cols[c].role != COL_FIELD) continue;
            layer_value *v = &vals[f++];
            int col = pos++;
            memset(v, 0, sizeof *v);
            v->is_null = PQgetisnull(r, i, col);
            if (v->is_null) continue;
            const char *s = PQgetvalue(r, i, col);
            switch (rd->cols[c].type) {
            case LAYER_FIELD_INT:
                v->u.i = strtoll(s, NULL, 10);
                break;
            case LAYER_FIELD_DOUBLE:
                v->u.d = strtod(s, NULL);
                break;
            case LAYER_FIELD_STRING:
                v->u.s = s;
                break;
            case LAYER_FIELD_DATE:
                if (!parse_date(s, &v->u.date)) {
                    v->is_null = true;
                    if (!*bad_date_noted && st == EMS_OK) {
                        *bad_date_noted = true;
                        st = layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, rec,
                                            "column %s: date %s cannot be "
                                            "represented (BC or infinity): read as null",
                                            rd->cols[c].name, s);
                    }
                }
                break;
            case LAYER_FIELD_LOGICAL:
                v->u.b = s[0] == 't';
                break;
            }
        }
        if (st != EMS_OK) break;
        /* SQL NULL: no geometry (NULL); EMPTY comes through WKB as an empty GEOS geometry */
        GEOSGeometry *g = NULL;
        if (!PQgetisnull(r, i, 0)) {
            const char *hex = PQgetvalue(r, i, 0);
            size_t len = (size_t)PQgetlength(r, i, 0);
            if (len >= 2 && hex[0] == '\\' && hex[1] == 'x') hex += 2, len -= 2;
            g = GEOSWKBReader_readHEX_r(h, wkb, (const unsigned char *)hex, len);
            /* PostGIS holds shapes GEOS refuses (a one-point LineString, curves): skip the row, say why */
            if (!g) {
                st = layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, rec,
                                    "column %s: geometry GEOS cannot "
                                    "read (%s): skipped",
                                    rd->cols[rd->geom_col].name, emscov_lib_message(rd->ctx));
                if (st == EMS_OK) st = layer_append_skipped(rd->ctx, rd->l, rec, LAYER_SKIP_UNREADABLE, vals);
                continue;
            }
        }
        st = layer_append_take(rd->ctx, rd->l, g, rec, vals);
    }
    return st;
}

/* The SELECT of the cursor: WKB of the geometry (2D), then every field column, filtered, in order. */
static ems_status build_select(reader *rd, pg_sb *sql)
{
    char *q = NULL;
    ems_status st = pg__ident(rd->ctx, rd->c, NULL, rd->cols[rd->geom_col].name, &q);
    if (st != EMS_OK) return st;
    bool ok = pg__sb_printf(rd->ctx, sql,
                            "DECLARE emscov_read NO SCROLL CURSOR FOR SELECT ST_AsBinary(ST_Force2D(%s))", q);
    free(q);
    for (size_t c = 0; ok && c < rd->ncols; c++) {
        if (rd->cols[c].role != COL_FIELD) continue;
        if ((st = pg__ident(rd->ctx, rd->c, NULL, rd->cols[c].name, &q)) != EMS_OK) return st;
        ok = pg__sb_printf(rd->ctx, sql, ", %s", q);
        free(q);
    }
    ok = ok && pg__sb_printf(rd->ctx, sql, " FROM %s", rd->qtable);
    /* The user's own condition on their own database: in parentheses, on its own line so a trailing "--"
     * comment cannot swallow what follows; one statement only (extended protocol), in a READ ONLY
     * transaction, so it cannot change anything. */
    if (ok && rd->src.where) ok = pg__sb_printf(rd->ctx, sql, " WHERE (\n%s\n)", rd->src.where);
    if (!ok) return EMS_ENOMEM;
    return order_by(rd, sql);
}

static ems_status read_rows(reader *rd)
{
    GEOSContextHandle_t h = emscov_geos(rd->ctx);
    pg_sb sql = {0};
    layer_value *vals = NULL;
    GEOSWKBReader *wkb = NULL;
    ems_status st = build_select(rd, &sql);
    if (st != EMS_OK) goto done;
    PGresult *r = PQexecParams(pg_raw(rd->c), sql.p, 0, NULL, NULL, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        char what[600];
        snprintf(what, sizeof what, "%s: %s", rd->source,
                 rd->src.where ? "the where condition" : "reading rows");
        st = pg__fail(rd->ctx, rd->c, r,
                      rd->src.where && PQstatus(pg_raw(rd->c)) == CONNECTION_OK ? EMS_EINPUT : EMS_EIO, what);
        PQclear(r);
        goto done;
    }
    PQclear(r);
    size_t nf = layer_field_count(rd->l);
    if (!(vals = ems_calloc(rd->ctx, nf ? nf : 1, sizeof *vals)) || !(wkb = GEOSWKBReader_create_r(h))) {
        st = vals ? emscov_fail(rd->ctx, EMS_EINTERNAL, "GEOS WKB reader: %s", emscov_lib_message(rd->ctx))
                  : EMS_ENOMEM;
        goto done;
    }
    int64_t record = 0;
    bool bad_date = false;
    for (;;) {
        r = PQexecParams(pg_raw(rd->c), "FETCH FORWARD " PG_FETCH_ROWS " FROM emscov_read", 0, NULL, NULL,
                         NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            char what[600];
            snprintf(what, sizeof what, "%s: reading rows", rd->source);
            st = pg__fail(rd->ctx, rd->c, r,
                          rd->src.where && PQstatus(pg_raw(rd->c)) == CONNECTION_OK ? EMS_EINPUT : EMS_EIO,
                          what);
            PQclear(r);
            goto done;
        }
        int n = PQntuples(r);
        st = take_rows(rd, r, wkb, vals, &record, &bad_date);
        PQclear(r);
        if (st != EMS_OK || n == 0) break;
    }
    layer_set_source_records(rd->l, (size_t)record);
done:
    if (wkb) GEOSWKBReader_destroy_r(h, wkb);
    free(vals);
    free(sql.p);
    return st;
}

static ems_status read_layer(reader *rd)
{
    ems_status st;
    if ((st = pg_exec(rd->ctx, rd->c, "starting a read-only transaction", "BEGIN TRANSACTION READ ONLY", 0,
                      NULL)) != EMS_OK ||
        (st = pg_exec(rd->ctx, rd->c, "setting DateStyle", "SET LOCAL DateStyle = 'ISO, YMD'", 0, NULL)) !=
            EMS_OK ||
        (st = pg_exec(rd->ctx, rd->c, "setting bytea_output", "SET LOCAL bytea_output = 'hex'", 0, NULL)) !=
            EMS_OK ||
        (st = pg_exec(rd->ctx, rd->c, "setting extra_float_digits", "SET LOCAL extra_float_digits = 1", 0,
                      NULL)) != EMS_OK ||
        (st = resolve_table(rd)) != EMS_OK || (st = read_columns(rd)) != EMS_OK)
        return st;
    const char *gname = rd->cols[rd->geom_col].name;
    if (rd->srid == 0) {
        char *q = NULL;
        if ((st = pg__ident(rd->ctx, rd->c, NULL, gname, &q)) != EMS_OK) return st;
        st = probe_srid(rd, q);
        free(q);
        if (st != EMS_OK) return st;
        if (rd->srid == 0)
            return emscov_fail(rd->ctx, EMS_EINPUT,
                               "%s: column %s has no SRID: the CRS is unknown (set one with "
                               "UpdateGeometrySRID)",
                               rd->source, gname);
    }
    crs *cr = NULL;
    if ((st = pg_crs_of_srid(rd->ctx, rd->c, rd->srid, &cr)) != EMS_OK) {
        char msg[900];
        snprintf(msg, sizeof msg, "%s", emscov_message(rd->ctx));
        return emscov_fail(rd->ctx, st, "%s: %s", rd->source, msg);
    }
    st = layer_create(rd->ctx, rd->source, "PostGIS", NULL, &rd->l);
    if (st == EMS_OK) {
        char from[48];
        snprintf(from, sizeof from, "SRID %d", rd->srid);
        st = layer_set_crs(rd->ctx, rd->l, cr, from);
    }
    crs_destroy(cr);
    bool any_text = false;
    for (size_t c = 0; st == EMS_OK && c < rd->ncols; c++) {
        const pg_col *col = &rd->cols[c];
        if (col->role == COL_FIELD) {
            st = layer_add_field(rd->ctx, rd->l, col->name, col->type, 0, 0);
            any_text |= col->type == LAYER_FIELD_STRING;
        } else if (col->role == COL_SKIP && (int)c != rd->geom_col)
            st = layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, 0,
                                "column %s skipped: its type is not one "
                                "emscov reads",
                                col->name);
    }
    if (st == EMS_OK && any_text)
        st = layer_set_encoding(rd->ctx, rd->l, "UTF-8", "PostgreSQL (client_encoding UTF8)");
    if (st == EMS_OK && rd->dims > 2)
        st = layer_note_add(rd->ctx, rd->l, LAYER_NOTE_WARNING, 0,
                            "column %s: Z and M values dropped (read as 2D)", gname);
    if (st == EMS_OK) st = read_rows(rd);
    if (st == EMS_OK) st = layer_finish_read(rd->ctx, rd->l, NULL);
    return st;
}

ems_status layer_read_pg(emscov_ctx *ctx, const char *source, const char *conninfo, layer **out)
{
    *out = NULL;
    reader rd = {.ctx = ctx, .source = source, .geom_col = -1};
    ems_status st = parse_source(ctx, source, &rd.src);
    if (st != EMS_OK) return st;
    if ((st = pg_connect(ctx, conninfo, &rd.c)) == EMS_OK) {
        st = read_layer(&rd);
        pg_rollback(rd.c); /* read only: nothing to keep */
    } else {
        char msg[900];
        snprintf(msg, sizeof msg, "%s", emscov_message(ctx));
        st = emscov_fail(ctx, st, "%s: %s", source, msg);
    }
    if (st == EMS_OK)
        *out = rd.l;
    else
        layer_destroy(rd.l);
    pg_disconnect(rd.c);
    for (size_t c = 0; c < rd.ncols; c++)
        free(rd.cols[c].name);
    free(rd.cols);
    free(rd.qtable);
    free(rd.oid);
    source_free(&rd.src);
    return st;
}
