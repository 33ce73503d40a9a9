/* src/output/import_pg.c: layers into PostGIS tables in one transaction (see import_pg.h). */
#include "src/output/import_pg.h"

#include "geo/pg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


/* One file and where it goes. */
typedef struct target {
    const char *path;
    char *table;  /* final table name, unquoted */
    char relkind; /* pg_class.relkind of the relation that existed at the start, 0 if none */
    bool first;   /* first file of this command into this table */
    char *stage;  /* --replace over an existing table: name the new table is loaded under */
} target;

typedef struct run_state {
    emscov_ctx *ctx;
    pg_conn *c;
    const import_opts *o;
    const import_hooks *h;
    crs *to_crs; /* --srid / --to-srs target, NULL: keep each source CRS */
    int to_srid;
    size_t tables;
    uint64_t rows;
} run_state;

/* ---- small helpers ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static int ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = *a >= 'A' && *a <= 'Z' ? *a - 'A' + 'a' : (unsigned char)*a;
        int cb = *b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : (unsigned char)*b;
        if (ca != cb || !ca)
            return ca - cb;
    }
}

/* name as it would be typed in SQL: bare when it is a plain lowercase identifier, else "quoted". */
static void display_ident(char *buf, size_t cap, const char *name)
{
    bool plain = (*name >= 'a' && *name <= 'z') || *name == '_';
    for (const char *p = name; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (plain) {
        snprintf(buf, cap, "%s", name);
        return;
    }
    size_t n = 0;
    if (cap < 3) {
        if (cap)
            buf[0] = '\0';
        return;
    }
    buf[n++] = '"';
    for (const char *p = name; *p && n + 3 < cap; p++) {
        if (*p == '"')
            buf[n++] = '"';
        buf[n++] = *p;
    }
    buf[n++] = '"';
    buf[n] = '\0';
}

/* "schema.table" for messages and the report. */
static const char *qualified(char buf[300], const char *schema, const char *table)
{
    char s[140], t[140];
    display_ident(s, sizeof s, schema);
    display_ident(t, sizeof t, table);
    snprintf(buf, 300, "%s.%s", s, t);
    return buf;
}

/* The ':' of a "FILE:LAYER" source (x.gpkg:TABLE, city.gdb:streets) as the readers split it
 * (layer_source_split); NULL for any other path or an empty layer name. */
static const char *layer_colon(const char *path)
{
    const char *name = NULL;
    size_t n = layer_source_split(path, &name);
    return name && *name ? path + n : NULL;
}

/* Table name from a path: the file stem lowercased; for FILE:LAYER the layer, for pg:[schema.]table[?...] the
 * table. Caller frees. */
static char *default_table(emscov_ctx *ctx, const char *path)
{
    const char *b, *e, *colon = layer_colon(path);
    if (colon) {
        b = colon + 1;
        e = b + strlen(b);
    } else if (!strncmp(path, "pg:", 3)) {
        b = path + 3;
        e = b + strcspn(b, "?");
        for (const char *p = b; p < e; p++)
            if (*p == '.')
                b = p + 1;
    } else {
        const char *slash = strrchr(path, '/');
        b = slash ? slash + 1 : path;
        const char *dot = strrchr(b, '.');
        e = dot && dot != b ? dot : b + strlen(b);
    }
    char *t = ems_strndup(ctx, b, (size_t)(e - b));
    if (t)
        ascii_lower(t);
    return t;
}

static ems_status check_name(emscov_ctx *ctx, const char *what, const char *name, const char *hint)
{
    if (!*name)
        return emscov_fail(ctx, EMS_EINPUT, "%s name is empty%s", what, hint);
    if (strlen(name) > PG_NAME_MAX)
        return emscov_fail(ctx, EMS_EINPUT, "%s name \"%s\" is %zu bytes; PostgreSQL keeps only %d%s", what, name,
                           strlen(name), PG_NAME_MAX, hint);
    return EMS_OK;
}

/* A growing SQL text. */
typedef struct sql_buf {
    char *s;
    size_t len, cap;
} sql_buf;

static bool sql_add(emscov_ctx *ctx, sql_buf *b, const char *a, const char *c)
{
    size_t na = strlen(a), nc = c ? strlen(c) : 0;
    if (!ems_grow(ctx, (void **)&b->s, &b->cap, b->len + na + nc + 1, 1))
        return false;
    memcpy(b->s + b->len, a, na);
    if (c)
        memcpy(b->s + b->len + na, c, nc);
    b->len += na + nc;
    b->s[b->len] = '\0';
    return true;
}

/* sql_add of a quoted identifier followed by sep. */
static bool sql_add_ident(emscov_ctx *ctx, pg_conn *c, sql_buf *b, const char *schema, const char *name,
                          const char *sep)
{
    char *q = pg_ident(ctx, c, schema, name);
    bool ok = q && sql_add(ctx, b, q, sep);
    free(q);
    return ok;
}

/* Run "<head><schema.name, quoted><tail>" (schema may be NULL). */
static ems_status exec_on(run_state *run, const char *what, const char *head, const char *schema, const char *name,
                          const char *tail)
{
    sql_buf sql = {NULL, 0, 0};
    ems_status st = EMS_ENOMEM;
    if (sql_add(run->ctx, &sql, head, NULL) && sql_add_ident(run->ctx, run->c, &sql, schema, name, tail))
        st = pg_exec(run->ctx, run->c, what, sql.s, 0, NULL);
    free(sql.s);
    return st;
}

/* One-row, one-column query: the text goes into buf; *found is false for no row or SQL NULL. */
static ems_status query_text(emscov_ctx *ctx, pg_conn *c, const char *what, const char *sql, int n,
                             const char *const *params, char *buf, size_t cap, bool *found)
{
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, c, what, sql, n, params, &r);
    if (st != EMS_OK)
        return st;
    *found = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
    snprintf(buf, cap, "%s", *found ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return EMS_OK;
}

/* ---- progress: the caller's hook ---- */

static void report_stage(const run_state *run, import_stage st, const char *path, size_t done, size_t total)
{
    if (run->h && run->h->progress)
        run->h->progress(run->h->user, st, path, done, total);
}

/* pg_copy_layer's progress callback, passed on as IMPORT_COPYING. */
typedef struct copy_progress {
    const run_state *run;
    const char *path;
} copy_progress;

static void on_copy(void *user, size_t done, size_t total)
{
    const copy_progress *p = user;
    report_stage(p->run, IMPORT_COPYING, p->path, done, total);
}

static pg_progress_fn copy_fn(const run_state *run)
{
    return run->h && run->h->progress ? on_copy : NULL;
}

/* ---- checks before loading ---- */

static ems_status check_field_names(emscov_ctx *ctx, const layer *l, bool keep_case, const char *path)
{
    size_t n = layer_field_count(l);
    for (size_t j = 0; j < n; j++) {
        const char *a = layer_field_at(l, j)->name;
        if (!keep_case && !ascii_casecmp(a, "geom") && strcmp(a, "geom"))
            return emscov_fail(ctx, EMS_EINPUT,
                               "%s: field %s: lowercased it would clash with the geometry column geom "
                               "(use --keep-case)", path, a);
        for (size_t k = 0; k < j && !keep_case; k++)
            if (!ascii_casecmp(a, layer_field_at(l, k)->name))
                return emscov_fail(ctx, EMS_EINPUT, "%s: fields %s and %s both become column \"%s\" when "
                                   "lowercased (use --keep-case)", path, layer_field_at(l, k)->name, a, a);
    }
    return EMS_OK;
}

/* Ensure the schema, then look at every target: existing relations, their kind, the flags. */
static ems_status check_targets(run_state *run, target *t, size_t n, bool *schema_created)
{
    emscov_ctx *ctx = run->ctx;
    const import_opts *o = run->o;
    char buf[16], name[300];
    bool found;
    const char *p1[1] = {o->schema};
    ems_status st = query_text(ctx, run->c, "looking up the schema", "SELECT 1 FROM pg_namespace WHERE nspname = $1",
                               1, p1, buf, sizeof buf, &found);
    if (st != EMS_OK)
        return st;
    *schema_created = !found;
    if (!found && (st = exec_on(run, "creating the schema", "CREATE SCHEMA ", NULL, o->schema, "")) != EMS_OK)
        return st;
    for (size_t k = 0; k < n; k++) {
        t[k].first = true;
        for (size_t m = 0; m < k; m++)
            if (!strcmp(t[m].table, t[k].table)) {
                t[k].first = false;
                t[k].relkind = t[m].relkind;
            }
        if (!t[k].first)
            continue;
        const char *p2[2] = {o->schema, t[k].table};
        st = query_text(ctx, run->c, "looking up the table",
                        "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = $1 AND c.relname = $2",
                        2, p2, buf, sizeof buf, &found);
        if (st != EMS_OK)
            return st;
        t[k].relkind = found ? buf[0] : 0;
        qualified(name, o->schema, t[k].table);
        if (found && buf[0] != 'r' && buf[0] != 'p') {
            const char *kind = buf[0] == 'v' ? "a view" : buf[0] == 'm' ? "a materialized view"
                             : buf[0] == 'f' ? "a foreign table" : buf[0] == 'i' ? "an index"
                             : buf[0] == 'S' ? "a sequence" : "not a table";
            return emscov_fail(ctx, EMS_EINPUT, "%s: %s is %s; import writes tables only (use --table)", t[k].path,
                               name, kind);
        }
        if (found && !o->append && !o->replace)
            return emscov_fail(ctx, EMS_EINPUT, "%s: table %s already exists (use --append to add rows to it, "
                               "--replace to replace it, or --table / --schema for another name)", t[k].path, name);
        if (found && o->replace) {
            char stage[64];
            snprintf(stage, sizeof stage, "emscov_import_%ld_%zu", (long)getpid(), k);
            if (!(t[k].stage = ems_strdup(ctx, stage)))
                return EMS_ENOMEM;
        }
    }
    return EMS_OK;
}

/* ---- loading ---- */

/* "ALTER TABLE q RENAME COLUMN a TO b" for every field whose lowercased name differs. */
static ems_status lowercase_columns(run_state *run, const char *qtable, const layer *l)
{
    ems_status st = EMS_OK;
    sql_buf sql = {NULL, 0, 0};
    for (size_t j = 0; j < layer_field_count(l) && st == EMS_OK; j++) {
        const char *name = layer_field_at(l, j)->name;
        char *lower = ems_strdup(run->ctx, name);
        if (!lower) {
            st = EMS_ENOMEM;
            break;
        }
        ascii_lower(lower);
        sql.len = 0;
        if (strcmp(lower, name) != 0) {
            if (!sql_add(run->ctx, &sql, "ALTER TABLE ", qtable) || !sql_add(run->ctx, &sql, " RENAME COLUMN ", NULL) ||
                !sql_add_ident(run->ctx, run->c, &sql, NULL, name, " TO ") ||
                !sql_add_ident(run->ctx, run->c, &sql, NULL, lower, NULL))
                st = EMS_ENOMEM;
            else
                st = pg_exec(run->ctx, run->c, "lowercasing column names", sql.s, 0, NULL);
        }
        free(lower);
    }
    free(sql.s);
    return st;
}

/* A new table (the final name, or the --replace staging name): create, key, COPY, lowercase names. */
static ems_status load_new(run_state *run, const char *table, const layer *l, int srid, copy_progress *pr,
                           uint64_t *rows, bool *keyed)
{
    emscov_ctx *ctx = run->ctx;
    const import_opts *o = run->o;
    char *q = NULL;
    PGresult *idx = NULL;
    ems_status st = pg_create_table(ctx, run->c, o->schema, table, l, srid, NULL, 0, false);
    if (st != EMS_OK)
        goto done;
    if (!(q = pg_ident(ctx, run->c, o->schema, table))) {
        st = EMS_ENOMEM;
        goto done;
    }
    /* the key goes in while the table is empty (no rewrite); a layer field named gid keeps its name and no key
     * is added */
    *keyed = layer_field_index(l, "gid") < 0;
    if (*keyed) {
        if ((st = exec_on(run, "adding the gid key", "ALTER TABLE ", o->schema, table,
                          " ADD COLUMN gid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")) != EMS_OK)
            goto done;
    }
    /* The spatial index pg_create_table made is dropped before the COPY and rebuilt after it, from its own
     * definition: one sorted bulk build is several times faster than inserting every row into the tree. */
    const char *p1[1] = {q};
    if ((st = pg_query(ctx, run->c, "reading the spatial index definition",
                       "SELECT pg_get_indexdef(i.indexrelid), c.relname FROM pg_index i "
                       "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass AND NOT i.indisprimary",
                       1, p1, &idx)) != EMS_OK)
        goto done;
    for (int k = 0; k < PQntuples(idx); k++) {
        if ((st = exec_on(run, "deferring the spatial index", "DROP INDEX ", o->schema, PQgetvalue(idx, k, 1), "")) !=
            EMS_OK)
            goto done;
    }
    if ((st = pg_copy_layer(ctx, run->c, o->schema, table, l, srid, NULL, 0, copy_fn(run), pr,
                            rows)) != EMS_OK)
        goto done;
    report_stage(run, IMPORT_IDLE, NULL, 0, 0);
    report_stage(run, IMPORT_INDEXING, pr->path, 0, 0);
    for (int k = 0; k < PQntuples(idx); k++)
        if ((st = pg_exec(ctx, run->c, "building the spatial index", PQgetvalue(idx, k, 0), 0, NULL)) != EMS_OK)
            goto done;
    if (!o->keep_case && (st = lowercase_columns(run, q, l)) != EMS_OK)
        goto done;
    /* planner statistics now, as shp2pgsql -I does, rather than whenever autovacuum comes by */
    st = exec_on(run, "analysing the table", "ANALYZE ", o->schema, table, "");
done:
    report_stage(run, IMPORT_IDLE, NULL, 0, 0);
    PQclear(idx);
    free(q);
    return st;
}

/* The existing table's geometry column, type ("MULTIPOLYGON", "GEOMETRY", ...), SRID and dimensions. */
typedef struct geom_col {
    char name[128], type[40];
    int srid, dims;
} geom_col;

static ems_status table_geom_col(run_state *run, const char *table, const char *path, geom_col *g)
{
    const char *p[2] = {run->o->schema, table};
    PGresult *r = NULL;
    char name[300];
    ems_status st = pg_query(run->ctx, run->c, "looking up the geometry column",
                             "SELECT f_geometry_column, upper(type), srid, coord_dimension FROM geometry_columns "
                             "WHERE f_table_schema = $1 AND f_table_name = $2 "
                             "ORDER BY f_geometry_column <> 'geom', f_geometry_column LIMIT 1",
                             2, p, &r);
    if (st != EMS_OK)
        return st;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return emscov_fail(run->ctx, EMS_EINPUT, "%s: table %s has no geometry column to append to", path,
                           qualified(name, run->o->schema, table));
    }
    snprintf(g->name, sizeof g->name, "%s", PQgetvalue(r, 0, 0));
    snprintf(g->type, sizeof g->type, "%s", PQgetvalue(r, 0, 1));
    g->srid = atoi(PQgetvalue(r, 0, 2));
    g->dims = atoi(PQgetvalue(r, 0, 3));
    PQclear(r);
    if (g->srid <= 0)
        return emscov_fail(run->ctx, EMS_EINPUT, "%s: table %s: column %s has no SRID; cannot place georeferenced "
                           "rows in it", path, qualified(name, run->o->schema, table), g->name);
    return EMS_OK;
}

/* The SQL expression turning the staging geom into the table column's type, or EMS_EINPUT naming both. */
static ems_status geom_expr(run_state *run, const layer *l, const target *t, const geom_col *g, char *out,
                            size_t cap)
{
    GEOSContextHandle_t h = emscov_geos(run->ctx);
    bool has[8] = {false};
    for (size_t i = 0; i < layer_count(l); i++) {
        int id = GEOSGeomTypeId_r(h, layer_geom(l, i));
        if (id >= 0 && id < 8)
            has[id] = true;
    }
    /* geometry_columns.type: POINT, MULTIPOLYGON, GEOMETRY, ...; an M suffix for XYM columns */
    char base[40];
    snprintf(base, sizeof base, "%s", g->type);
    bool multi = !strncmp(base, "MULTI", 5);
    size_t bl = strlen(base);
    bool with_m = bl > 1 && base[bl - 1] == 'M'; /* no plain type name ends in M */
    if (with_m)
        base[bl - 1] = '\0';
    const char *kind = multi ? base + 5 : base;
    static const struct { const char *name; int single, multi; } kinds[] = {
        {"POINT", GEOS_POINT, GEOS_MULTIPOINT},
        {"LINESTRING", GEOS_LINESTRING, GEOS_MULTILINESTRING},
        {"POLYGON", GEOS_POLYGON, GEOS_MULTIPOLYGON},
    };
    const char *expr = "\"geom\"";
    if (strcmp(base, "GEOMETRY") != 0) {
        bool ok = false;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            if (strcmp(kind, kinds[k].name) != 0)
                continue;
            bool others = false;
            for (int id = 0; id < 8; id++)
                others |= has[id] && id != kinds[k].single && id != kinds[k].multi;
            ok = !others && (multi || !has[kinds[k].multi]);
            if (ok && multi)
                expr = "ST_Multi(\"geom\")";
        }
        if (!ok) {
            char name[300];
            return emscov_fail(run->ctx, EMS_EINPUT, "%s: %s geometries do not fit column %s of %s (%s)", t->path,
                               layer_geom_type(l), g->name, qualified(name, run->o->schema, t->table), g->type);
        }
    }
    const char *force = g->dims == 4 ? "ST_Force4D" : g->dims == 3 && with_m ? "ST_Force3DM"
                      : g->dims == 3 ? "ST_Force3DZ" : NULL;
    if (force)
        snprintf(out, cap, "%s(%s)", force, expr);
    else
        snprintf(out, cap, "%s", expr);
    return EMS_OK;
}

/* Append: copy into a temporary table, then INSERT ... SELECT into the existing one, field -> column by name. */
static ems_status load_append(run_state *run, const target *t, const layer *l, const geom_col *g, copy_progress *pr,
                              uint64_t *rows)
{
    emscov_ctx *ctx = run->ctx;
    const import_opts *o = run->o;
    size_t nf = layer_field_count(l);
    PGresult *cols = NULL, *ins = NULL;
    char *qt = NULL, stage[64], gexpr[160], name[300];
    sql_buf sql = {NULL, 0, 0};
    int *col_of = NULL;
    qualified(name, o->schema, t->table);
    ems_status st = geom_expr(run, l, t, g, gexpr, sizeof gexpr);
    if (st != EMS_OK)
        goto done;
    if (!(qt = pg_ident(ctx, run->c, o->schema, t->table))) {
        st = EMS_ENOMEM;
        goto done;
    }
    const char *p1[1] = {qt};
    if ((st = pg_query(ctx, run->c, "reading the table's columns",
                       "SELECT a.attname, t.typcategory, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                       "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = $1::regclass AND a.attnum > 0 "
                       "AND NOT a.attisdropped ORDER BY a.attnum",
                       1, p1, &cols)) != EMS_OK)
        goto done;
    if (nf && !(col_of = ems_calloc(ctx, nf, sizeof *col_of))) {
        st = EMS_ENOMEM;
        goto done;
    }
    int ncols = PQntuples(cols);
    for (size_t j = 0; j < nf; j++) {
        const layer_field *f = layer_field_at(l, j);
        int exact = -1, loose = -1, nloose = 0;
        for (int k = 0; k < ncols; k++) {
            const char *cn = PQgetvalue(cols, k, 0);
            if (!strcmp(cn, g->name))
                continue;
            if (!strcmp(cn, f->name))
                exact = k;
            else if (!ascii_casecmp(cn, f->name))
                loose = k, nloose++;
        }
        if (exact < 0 && nloose > 1) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: field %s: table %s has several columns of that name in "
                             "different case", t->path, f->name, name);
            goto done;
        }
        int k = exact >= 0 ? exact : loose;
        if (k < 0) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: field %s: table %s has no such column (append needs a column "
                             "for every field: add it, or load into a new table with --table)", t->path, f->name,
                             name);
            goto done;
        }
        char cat = PQgetvalue(cols, k, 1)[0];
        bool fits = cat == 'S' || (cat == 'N' && (f->type == LAYER_FIELD_INT || f->type == LAYER_FIELD_DOUBLE)) ||
                    (cat == 'D' && f->type == LAYER_FIELD_DATE) || (cat == 'B' && f->type == LAYER_FIELD_LOGICAL);
        if (!fits) {
            static const char *const tn[] = {"int", "double", "string", "date", "logical"};
            st = emscov_fail(ctx, EMS_EINPUT, "%s: field %s: a %s field cannot go into column %s of type %s", t->path,
                             f->name, tn[f->type], PQgetvalue(cols, k, 0), PQgetvalue(cols, k, 2));
            goto done;
        }
        col_of[j] = k;
    }
    snprintf(stage, sizeof stage, "emscov_append_%ld", (long)getpid());
    if ((st = pg_create_table(ctx, run->c, "pg_temp", stage, l, g->srid, NULL, 0, false)) != EMS_OK)
        goto done;
    /* the staging table is read once, in full: its spatial index would only slow the COPY down */
    char idx[PG_NAME_MAX + 1];
    pg_index_name(stage, "geom_idx", idx); /* the name pg_create_table gave it */
    if ((st = exec_on(run, "dropping the staging index", "DROP INDEX IF EXISTS ", "pg_temp", idx, "")) != EMS_OK)
        goto done;
    if ((st = pg_copy_layer(ctx, run->c, "pg_temp", stage, l, g->srid, NULL, 0, copy_fn(run), pr,
                            NULL)) != EMS_OK)
        goto done;
    report_stage(run, IMPORT_IDLE, NULL, 0, 0);
    /* INSERT INTO table (c1, ..., geomcol) SELECT f1, ..., gexpr FROM pg_temp.stage */
    bool ok = sql_add(ctx, &sql, "INSERT INTO ", qt) && sql_add(ctx, &sql, " (", NULL);
    for (size_t j = 0; j < nf && ok; j++)
        ok = sql_add_ident(ctx, run->c, &sql, NULL, PQgetvalue(cols, col_of[j], 0), ", ");
    ok = ok && sql_add_ident(ctx, run->c, &sql, NULL, g->name, ") SELECT ");
    for (size_t j = 0; j < nf && ok; j++)
        ok = sql_add_ident(ctx, run->c, &sql, NULL, layer_field_at(l, j)->name, ", ");
    ok = ok && sql_add(ctx, &sql, gexpr, " FROM ") && sql_add_ident(ctx, run->c, &sql, "pg_temp", stage, NULL);
    if (!ok) {
        st = EMS_ENOMEM;
        goto done;
    }
    st = pg_query(ctx, run->c, "appending rows", sql.s, 0, NULL, &ins);
    if (st == EMS_EIO && PQstatus(pg_raw(run->c)) == CONNECTION_OK) {
        /* the server is fine: it refused these rows for this table (type, length, NOT NULL, CHECK, unique) */
        char *msg = ems_strdup(ctx, emscov_message(ctx));
        st = emscov_fail(ctx, EMS_EINPUT, "%s: into %s: %s", t->path, name, msg ? msg : "rows refused");
        free(msg);
        goto done;
    }
    if (st != EMS_OK)
        goto done;
    if (rows)
        *rows = strtoull(PQcmdTuples(ins), NULL, 10);
    st = exec_on(run, "dropping the temporary table", "DROP TABLE ", "pg_temp", stage, "");
done:
    report_stage(run, IMPORT_IDLE, NULL, 0, 0);
    PQclear(cols);
    PQclear(ins);
    free(col_of);
    free(sql.s);
    free(qt);
    return st;
}

/* A copy of l whose polygons or lines are one-part MultiPolygons / MultiLineStrings, for a Multi column (as
 * shp2pgsql and ogr2ogr -nlt PROMOTE_TO_MULTI make them): a later --append of multipart features fits. *out
 * stays NULL when l is not all Polygon or all LineString (points stay single, mixes are Multi already). */
static ems_status promote_to_multi(emscov_ctx *ctx, const layer *l, layer **out)
{
    *out = NULL;
    const char *type = layer_geom_type(l);
    int multi = !strcmp(type, "Polygon") ? GEOS_MULTIPOLYGON : !strcmp(type, "LineString") ? GEOS_MULTILINESTRING : -1;
    if (multi < 0)
        return EMS_OK;
    GEOSContextHandle_t h = emscov_geos(ctx);
    layer *m = NULL;
    ems_status st = layer_create(ctx, layer_path(l), layer_format(l), layer_crs(l), &m);
    for (size_t j = 0; st == EMS_OK && j < layer_field_count(l); j++) {
        const layer_field *f = layer_field_at(l, j);
        st = layer_add_field(ctx, m, f->name, f->type, f->width, f->precision);
    }
    for (size_t i = 0; st == EMS_OK && i < layer_count(l); i++) {
        GEOSGeometry *part = GEOSGeom_clone_r(h, layer_geom(l, i));
        GEOSGeometry *g = part ? GEOSGeom_createCollection_r(h, multi, &part, 1) : NULL; /* takes part */
        if (!g)
            st = emscov_fail(ctx, EMS_ENOMEM, "%s: promoting to Multi: %s", layer_path(l), emscov_lib_message(ctx));
        else
            st = layer_append_valid_take(ctx, m, g, layer_record(l, i), layer_values(l, i));
    }
    if (st == EMS_OK)
        *out = m;
    else
        layer_destroy(m);
    return st;
}

/* ---- one file ---- */

static ems_status import_one(run_state *run, target *t)
{
    emscov_ctx *ctx = run->ctx;
    const import_opts *o = run->o;
    layer *l = NULL, *multi = NULL;
    crs *src = NULL, *table_crs = NULL;
    char column[400] = "", name[300];
    uint64_t rows = 0;
    bool keyed = false;
    int srid = 0;
    const char *action;
    copy_progress pr = {run, t->path};
    double t0 = now_s();
    report_stage(run, IMPORT_READING, t->path, 0, 0);
    ems_status st = layer_read(ctx, t->path, &o->read, &l);
    report_stage(run, IMPORT_IDLE, NULL, 0, 0);
    if (st != EMS_OK)
        goto done;
    if ((st = crs_clone(ctx, layer_crs(l), &src)) != EMS_OK)
        goto done;
    double t1 = now_s();
    bool appending = o->append && (t->relkind || !t->first);
    geom_col g = {.srid = 0};
    if (appending) {
        action = "appended";
        if ((st = table_geom_col(run, t->table, t->path, &g)) != EMS_OK)
            goto done;
        if (run->to_crs && run->to_srid != g.srid) {
            st = emscov_fail(ctx, EMS_EINPUT, "%s: table %s holds SRID %d, not the SRID %d asked for", t->path,
                             qualified(name, o->schema, t->table), g.srid, run->to_srid);
            goto done;
        }
        srid = g.srid;
        if ((st = pg_crs_of_srid(ctx, run->c, srid, &table_crs)) != EMS_OK ||
            (st = layer_transform(ctx, l, table_crs)) != EMS_OK)
            goto done;
        if ((st = load_append(run, t, l, &g, &pr, &rows)) != EMS_OK)
            goto done;
    } else {
        action = t->stage ? "replaced" : "new table";
        if (run->to_crs) {
            if ((st = layer_transform(ctx, l, run->to_crs)) != EMS_OK)
                goto done;
            srid = run->to_srid;
        } else if ((st = pg_srid_for(ctx, run->c, layer_crs(l), &srid)) != EMS_OK) {
            goto done;
        }
        if ((st = check_field_names(ctx, l, o->keep_case, t->path)) != EMS_OK)
            goto done;
        if (!o->keep_single && (st = promote_to_multi(ctx, l, &multi)) != EMS_OK)
            goto done;
        if ((st = load_new(run, t->stage ? t->stage : t->table, multi ? multi : l, srid, &pr, &rows, &keyed)) !=
            EMS_OK)
            goto done;
        snprintf(g.name, sizeof g.name, "geom");
    }
    /* the column type as the server has it, e.g. geometry(MultiPolygon,4548) */
    char *qt = pg_ident(ctx, run->c, o->schema, t->stage ? t->stage : t->table);
    if (!qt) {
        st = EMS_ENOMEM;
        goto done;
    }
    const char *p[2] = {qt, g.name};
    bool found;
    char type[120];
    st = query_text(ctx, run->c, "reading the geometry column type",
                    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = $1::regclass "
                    "AND attname = $2",
                    2, p, type, sizeof type, &found);
    free(qt);
    if (st != EMS_OK)
        goto done;
    snprintf(column, sizeof column, "%s %s%s", g.name, type,
             appending ? "" : keyed ? ", key gid" : ", no key column (a field is named gid)");
    run->rows += rows;
    if (t->first)
        run->tables++;
    if (run->h && run->h->file_done) {
        import_file f = {.path = t->path, .table = qualified(name, o->schema, t->table), .action = action,
                         .layer = l, .source_crs = src, .reprojected = !crs_equivalent(src, layer_crs(l)),
                         .srid = srid, .column = column, .rows = rows, .read_s = t1 - t0, .load_s = now_s() - t1};
        run->h->file_done(run->h->user, &f);
    }
done:
    crs_destroy(table_crs);
    crs_destroy(src);
    layer_destroy(multi);
    layer_destroy(l);
    return st;
}

/* --replace: drop the old table and rename the staging table, its indexes and identity sequence (named after
 * the staging table by the server) to the final name. */
static ems_status swap_in(run_state *run, const target *t)
{
    emscov_ctx *ctx = run->ctx;
    const char *schema = run->o->schema;
    sql_buf sql = {NULL, 0, 0};
    PGresult *r = NULL;
    char *qold = NULL;
    ems_status st = EMS_OK;
    if (!(qold = pg_ident(ctx, run->c, schema, t->table))) {
        st = EMS_ENOMEM;
        goto done;
    }
    if ((st = exec_on(run, "dropping the old table (--replace)", "DROP TABLE ", schema, t->table, "")) != EMS_OK)
        goto done;
    if (!sql_add(ctx, &sql, "ALTER TABLE ", NULL) || !sql_add_ident(ctx, run->c, &sql, schema, t->stage, " RENAME TO ") ||
        !sql_add_ident(ctx, run->c, &sql, NULL, t->table, NULL)) {
        st = EMS_ENOMEM;
        goto done;
    }
    if ((st = pg_exec(ctx, run->c, "renaming the new table into place (--replace)", sql.s, 0, NULL)) != EMS_OK)
        goto done;
    const char *p[2] = {qold, t->stage};
    if ((st = pg_query(ctx, run->c, "listing the new table's indexes",
                       "SELECT c.relname, c.relkind FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "WHERE i.indrelid = $1::regclass AND starts_with(c.relname, $2) "
                       "UNION SELECT c.relname, c.relkind FROM pg_depend d JOIN pg_class c ON c.oid = d.objid "
                       "WHERE d.classid = 'pg_class'::regclass AND d.refobjid = $1::regclass "
                       "AND c.relkind = 'S' AND starts_with(c.relname, $2)",
                       2, p, &r)) != EMS_OK)
        goto done;
    for (int k = 0; k < PQntuples(r); k++) {
        const char *old = PQgetvalue(r, k, 0);
        char fresh[PG_NAME_MAX * 2 + 2], buf[8];
        snprintf(fresh, sizeof fresh, "%s%s", t->table, old + strlen(t->stage));
        size_t n = strlen(fresh);
        if (n > PG_NAME_MAX) {
            n = PG_NAME_MAX;
            while (n > 0 && ((unsigned char)fresh[n] & 0xC0) == 0x80) /* never cut a UTF-8 character */
                n--;
            fresh[n] = '\0';
        }
        /* a relation of that name elsewhere in the schema (another table's index): keep the staging name */
        const char *p2[2] = {schema, fresh};
        bool taken;
        if ((st = query_text(ctx, run->c, "checking an index name",
                             "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                             "WHERE n.nspname = $1 AND c.relname = $2",
                             2, p2, buf, sizeof buf, &taken)) != EMS_OK)
            goto done;
        if (taken)
            continue;
        sql.len = 0;
        if (!sql_add(ctx, &sql, PQgetvalue(r, k, 1)[0] == 'i' ? "ALTER INDEX " : "ALTER SEQUENCE ", NULL) ||
            !sql_add_ident(ctx, run->c, &sql, schema, old, " RENAME TO ") ||
            !sql_add_ident(ctx, run->c, &sql, NULL, fresh, NULL)) {
            st = EMS_ENOMEM;
            goto done;
        }
        if ((st = pg_exec(ctx, run->c, "renaming an index (--replace)", sql.s, 0, NULL)) != EMS_OK)
            goto done;
    }
done:
    PQclear(r);
    free(sql.s);
    free(qold);
    return st;
}


/* ---- the whole load ---- */

/* Everything that can be checked without the server: files readable, table names, two files into one table. */
static ems_status check_files(emscov_ctx *ctx, const char *const *paths, size_t n, const import_opts *o, target *t)
{
    ems_status st = check_name(ctx, "schema", o->schema, "");
    if (st == EMS_OK)
        st = pg_check_user_schema(ctx, "--schema", o->schema);
    for (size_t k = 0; k < n && st == EMS_OK; k++) {
        t[k].path = paths[k];
        const char *colon = layer_colon(paths[k]);
        int len = colon ? (int)(colon - paths[k]) : (int)strlen(paths[k]);
        char file[4096];
        snprintf(file, sizeof file, "%.*s", len, paths[k]);
        if (strncmp(paths[k], "pg:", 3) != 0 && access(file, R_OK) != 0)
            return emscov_fail(ctx, EMS_EINPUT, "%s: cannot open: %s", file, strerror(errno));
        t[k].table = o->table ? ems_strdup(ctx, o->table) : default_table(ctx, paths[k]);
        if (!t[k].table)
            return EMS_ENOMEM;
        st = check_name(ctx, "table", t[k].table, o->table ? "" : " (name it with --table)");
        for (size_t m = 0; m < k && !o->append && st == EMS_OK; m++)
            if (!strcmp(t[m].table, t[k].table)) {
                char name[300];
                return emscov_fail(ctx, EMS_EINPUT, "%s and %s would both load into %s (import one of them with "
                                   "--table, or use --append to load both into it)", paths[m], paths[k],
                                   qualified(name, o->schema, t[k].table));
            }
    }
    return st;
}

/* In the open transaction: schema, targets, target SRID, every file, the --replace swaps. */
static ems_status load_all(run_state *run, target *t, size_t n)
{
    emscov_ctx *ctx = run->ctx;
    const import_opts *o = run->o;
    bool schema_created = false;
    ems_status st = check_targets(run, t, n, &schema_created);
    if (st != EMS_OK)
        return st;
    if (o->srid) {
        run->to_srid = o->srid;
        if ((st = pg_crs_of_srid(ctx, run->c, o->srid, &run->to_crs)) != EMS_OK)
            return st;
    } else if (run->to_crs && (st = pg_srid_for(ctx, run->c, run->to_crs, &run->to_srid)) != EMS_OK) {
        return st;
    }
    if (schema_created && run->h && run->h->schema_created) {
        char schema[140];
        display_ident(schema, sizeof schema, o->schema);
        run->h->schema_created(run->h->user, schema);
    }
    for (size_t k = 0; k < n; k++)
        if ((st = import_one(run, &t[k])) != EMS_OK)
            return st;
    for (size_t k = 0; k < n; k++)
        if (t[k].stage && (st = swap_in(run, &t[k])) != EMS_OK)
            return st;
    return EMS_OK;
}

ems_status import_files(emscov_ctx *ctx, const char *const *paths, size_t n, const import_opts *o,
                        const import_hooks *hooks, import_summary *out)
{
    run_state run = {.ctx = ctx, .o = o, .h = hooks};
    target *t = ems_calloc(ctx, n ? n : 1, sizeof *t);
    bool began = false;
    ems_status st = t ? check_files(ctx, paths, n, o, t) : EMS_ENOMEM;
    if (st != EMS_OK)
        goto done;
    if (o->to_srs && !o->srid && (st = crs_from_string(ctx, o->to_srs, &run.to_crs)) != EMS_OK)
        goto done;
    if ((st = pg_connect(ctx, o->db, &run.c)) != EMS_OK || (st = pg_begin(ctx, run.c)) != EMS_OK)
        goto done;
    began = true;
    if ((st = load_all(&run, t, n)) != EMS_OK)
        goto done;
    if (o->dry_run) {
        pg_rollback(run.c);
        began = false;
    } else if ((st = pg_commit(ctx, run.c)) == EMS_OK) {
        began = false;
    }
    if (st == EMS_OK && out) {
        *out = (import_summary){.files = n, .tables = run.tables, .rows = run.rows};
        display_ident(out->schema, sizeof out->schema, o->schema);
    }
done:
    report_stage(&run, IMPORT_IDLE, NULL, 0, 0);
    if (began) {
        pg_rollback(run.c);
        char *msg = ems_strdup(ctx, emscov_message(ctx));
        if (msg)
            emscov_fail(ctx, st, "%s (rolled back: nothing was imported)", *msg ? msg : ems_status_text(st));
        free(msg);
    }
    pg_disconnect(run.c);
    crs_destroy(run.to_crs);
    for (size_t k = 0; t && k < n; k++) {
        free(t[k].table);
        free(t[k].stage);
    }
    free(t);
    return st;
}
