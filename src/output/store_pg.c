/* src/output/store_pg.c: analyze runs stored in a PostGIS schema (see store_pg.h; docs/postgis.md). */
#include "src/output/store_pg.h"

#include "src/output/qgis_style.h"


#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define STORE_MAX_LAYERS 8

/* How a column goes into binary COPY: its server type, read from the catalogue at prepare time. */
typedef enum { COL_INT2, COL_INT4, COL_INT8, COL_FLOAT4, COL_FLOAT8, COL_TEXT, COL_BOOL, COL_DATE } col_kind;

struct store_pg {
    pg_conn *c;
    char *schema, *qs; /* name, quoted */
    char *part, *qpart; /* the schema of the runs' partitions (<schema>_part), quoted */
    char *version;     /* emscov version */
    int srid;          /* working CRS (after prepare) */
    char *crs_name;
    size_t n;
    layer *own[STORE_MAX_LAYERS]; /* polygon layers promoted to MultiPolygon (else NULL) */
    const layer *use[STORE_MAX_LAYERS];
    col_kind *cols[STORE_MAX_LAYERS];  /* analyze runs: each field's column kind */
    const struct store_kind *prepared; /* the kind of run the layers were prepared for */
    int64_t loaded;                    /* run loaded by store_pg_load and not yet attached (0: none) */
};

/* The two kinds of run a schema holds: the run table, the leading column of its result tables, and whether
 * those are partitioned by run (layout 4: analyze runs) or plain tables with a foreign key (sites runs). */
typedef struct store_kind {
    const char *run_table, *fk_col;
    bool partitioned;
} store_kind;

static const store_kind kind_analyze = {"run", "run_id", true};
static const store_kind kind_sites = {"sites_run", "sites_run_id", false};

/* The analyze result tables a layout-3 schema may hold, migrated to partitioned tables by layout 4. */
static const char *const analyze_tables[] = {"street_summary",    "demand_time", "service_area",
                                             "park_service_area", "station",     "input_issue"};

/* ---- small helpers ------------------------------------------------------------------------------------- */

static char *fmt(emscov_ctx *ctx, const char *f, ...) EMS_PRINTF(2, 3);
static char *fmt(emscov_ctx *ctx, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = ems_malloc(ctx, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, f);
    vsnprintf(p, (size_t)n + 1, f, ap);
    va_end(ap);
    return p;
}

/* Run sql (built by fmt; freed here) with parameters; NULL sql = out of memory. */
static ems_status exec_own(emscov_ctx *ctx, pg_conn *c, const char *what, char *sql, int np,
                           const char *const *p)
{
    if (!sql)
        return EMS_ENOMEM;
    ems_status st = pg_exec(ctx, c, what, sql, np, p);
    free(sql);
    return st;
}

static ems_status query_own(emscov_ctx *ctx, pg_conn *c, const char *what, char *sql, int np,
                            const char *const *p, PGresult **r)
{
    *r = NULL;
    if (!sql)
        return EMS_ENOMEM;
    ems_status st = pg_query(ctx, c, what, sql, np, p, r);
    free(sql);
    return st;
}

/* Transaction advisory lock on a text key (hashed on the server, so every emscov uses the same number). */
static ems_status lock_key(emscov_ctx *ctx, pg_conn *c, const char *what, const char *key)
{
    const char *p[1] = {key};
    return pg_exec(ctx, c, what, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", 1, p);
}

static ems_status lock_schema(emscov_ctx *ctx, store_pg *s)
{
    char *key = fmt(ctx, "emscov store schema %s", s->schema);
    if (!key)
        return EMS_ENOMEM;
    ems_status st = lock_key(ctx, s->c, "locking the result schema", key);
    free(key);
    return st;
}

/* ---- layout versions ----------------------------------------------------------------------------------- */

/* Statements of each layout version, run with the schema first on the search_path. Version k migrates k-1. */
static const char *const layout_v1[] = {
    "CREATE TABLE run ("
    " id bigserial PRIMARY KEY,"
    " name text NOT NULL,"
    " scenario text NOT NULL,"
    " status text NOT NULL DEFAULT 'complete' CHECK (status = 'complete'),"
    " started timestamptz NOT NULL,"
    " finished timestamptz NOT NULL,"
    " stored timestamptz NOT NULL DEFAULT now(),"
    " emscov_version text NOT NULL,"
    " standards text,"
    " working_srid integer NOT NULL,"
    " working_crs text,"
    " parameters jsonb NOT NULL,"
    " inputs jsonb NOT NULL,"
    " report jsonb NOT NULL,"
    " population_input double precision,"
    " population_allocated double precision,"
    " population_outside double precision,"
    " demand_points bigint,"
    " coverage_within_s double precision,"
    " covered_population double precision,"
    " covered_share double precision,"
    " unreachable_population double precision,"
    " mean_response_s double precision,"
    " median_response_s double precision,"
    " p90_response_s double precision,"
    " max_response_s double precision,"
    " mean_target_s double precision,"
    " mean_target_met boolean,"
    " subdistricts integer,"
    " stations integer,"
    " stations_outside integer,"
    " gaps integer,"
    " ambulances double precision,"
    " ambulances_required double precision,"
    " ambulance_shortfall double precision,"
    " ambulances_per_30k double precision,"
    " park_share double precision,"
    " park_population_share double precision)",
    "CREATE INDEX run_name_finished_idx ON run (name, finished DESC)",
    "COMMENT ON TABLE run IS 'emscov analyze runs: one row per run; the result tables hold its rows by "
    "run_id'",
    NULL};

/* Version 2: `emscov sites` runs. Their result tables (site_candidate, site_selected) are created by the
 * first sites run, as the analyze tables are, since their geometry columns take the working CRS's SRID. */
static const char *const layout_v2[] = {
    "CREATE TABLE sites_run ("
    " id bigserial PRIMARY KEY,"
    " name text NOT NULL,"
    " scenario text NOT NULL,"
    " status text NOT NULL DEFAULT 'complete' CHECK (status = 'complete'),"
    " started timestamptz NOT NULL,"
    " finished timestamptz NOT NULL,"
    " stored timestamptz NOT NULL DEFAULT now(),"
    " emscov_version text NOT NULL,"
    " working_srid integer NOT NULL,"
    " working_crs text,"
    " parameters jsonb NOT NULL,"
    " report jsonb NOT NULL,"
    " candidates integer,"
    " k integer,"
    " baseline_covered double precision,"
    " selected_covered double precision,"
    " selected_covered_share double precision)",
    "CREATE INDEX sites_run_name_finished_idx ON sites_run (name, finished DESC)",
    "COMMENT ON TABLE sites_run IS 'emscov sites runs: one row per run; site_candidate and site_selected "
    "hold its rows by sites_run_id'",
    NULL};

/* Version 3: the result model (emscov-report-2). The ambulance ratio is generic (per the standard's N
 * residents, stored beside it), each target's verdict is a column, the input ledger is counted; the result
 * tables gain identity columns (subdistrict_id, station_id, names) as the first run of this layout writes them,
 * and input_issue holds the ledger's rows. Older runs keep their columns and values. */
static const char *const layout_v3[] = {
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND "
    "table_name = 'run' AND column_name = 'ambulances_per_30k') THEN "
    "ALTER TABLE run RENAME COLUMN ambulances_per_30k TO ambulances_per_n; END IF; END $$",
    "ALTER TABLE run ADD COLUMN IF NOT EXISTS ambulances_per_n double precision,"
    " ADD COLUMN residents_per_ambulance double precision,"
    " ADD COLUMN mean_verdict text, ADD COLUMN stations_verdict text, ADD COLUMN ambulances_verdict text,"
    " ADD COLUMN park_verdict text, ADD COLUMN satisfaction_verdict text,"
    " ADD COLUMN population_dropped double precision, ADD COLUMN input_issues integer",
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND "
    "table_name = 'run' AND column_name = 'report') THEN UPDATE run SET residents_per_ambulance = "
    "(report->'standards'->>'residents_per_ambulance')::float8; END IF; END $$",
    "COMMENT ON COLUMN run.ambulances_per_n IS 'ambulances per residents_per_ambulance residents (city)'",
    "COMMENT ON COLUMN run.population_dropped IS 'population of input records not allocated (see input_issue)'",
    NULL};

/* Version 4: the analyze result tables are partitioned by run (LIST on run_id): each run loads tables of its
 * own with COPY, indexes them in bulk and attaches them inside its transaction (docs/postgis.md, "Layout 4").
 * A partition has no foreign key to run; deleting a run deletes its rows through this trigger, as ON DELETE
 * CASCADE did (the run's emptied tables stay; nothing is dropped, so no reader ever waits). The tables
 * themselves are migrated in C (migrate_partitions): the layout-3 table becomes the partition of the runs it
 * holds. */
static const char *const layout_v4[] = {
    "CREATE FUNCTION run_delete_rows() RETURNS trigger LANGUAGE plpgsql AS $f$ "
    "DECLARE t regclass; "
    "BEGIN "
    "FOR t IN SELECT p.partrelid::regclass FROM pg_partitioned_table p "
    "JOIN pg_class c ON c.oid = p.partrelid "
    "WHERE c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = TG_RELID) "
    "AND EXISTS (SELECT 1 FROM pg_attribute a "
    "WHERE a.attrelid = p.partrelid AND a.attname = 'run_id' AND NOT a.attisdropped) "
    "ORDER BY c.relname LOOP "
    "EXECUTE format('DELETE FROM %s WHERE run_id = $1', t) USING OLD.id; "
    "END LOOP; "
    "RETURN OLD; "
    "END $f$",
    "CREATE TRIGGER run_delete_rows AFTER DELETE ON run FOR EACH ROW EXECUTE FUNCTION run_delete_rows()",
    "COMMENT ON FUNCTION run_delete_rows() IS "
    "'emscov: deleting a run deletes its rows from the result tables (partitioned by run_id)'",
    NULL};

static const char *const *const layouts[STORE_PG_LAYOUT + 1] = {NULL, layout_v1, layout_v2, layout_v3,
                                                                layout_v4};

/* Layout version of schema (0: no schema_version table or no row) and who wrote it (malloc'd, may be NULL).
 */
static ems_status read_version(emscov_ctx *ctx, pg_conn *c, const char *schema, int *version, char **by)
{
    *version = 0;
    if (by)
        *by = NULL;
    const char *p[1] = {schema};
    PGresult *r = NULL;
    ems_status st =
        pg_query(ctx, c, "reading the result layout version",
                 "SELECT to_regclass(quote_ident($1) || '.schema_version') IS NOT NULL", 1, p, &r);
    bool has = st == EMS_OK && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (st != EMS_OK || !has)
        return st;
    char *q = pg_ident(ctx, c, schema, "schema_version");
    st = query_own(ctx, c, "reading the result layout version",
                   q ? fmt(ctx, "SELECT version, \"by\" FROM %s ORDER BY version DESC LIMIT 1", q) : NULL, 0,
                   NULL, &r);
    free(q);
    if (st == EMS_OK && PQntuples(r) == 1) {
        *version = atoi(PQgetvalue(r, 0, 0));
        if (by && !(*by = ems_strdup(ctx, PQgetvalue(r, 0, 1))))
            st = EMS_ENOMEM;
    }
    PQclear(r);
    return st;
}

ems_status store_pg_layout_version(emscov_ctx *ctx, pg_conn *c, const char *schema, int *version)
{
    return read_version(ctx, c, schema, version, NULL);
}

static ems_status check_schema_name(emscov_ctx *ctx, const char *schema)
{
    if (!schema || !*schema)
        return emscov_fail(ctx, EMS_EINPUT, "--db-schema: empty schema name");
    if (strlen(schema) > PG_NAME_MAX)
        return emscov_fail(ctx, EMS_EINPUT,
                           "--db-schema %s: longer than %d bytes (PostgreSQL would truncate it)", schema,
                           PG_NAME_MAX);
    return EMS_OK;
}

static ems_status migrate_partitions(emscov_ctx *ctx, store_pg *s);

/* Inside the open transaction, under the schema lock: create the schema and schema_version when missing,
 * then bring the layout to STORE_PG_LAYOUT or refuse a newer one. */
static ems_status open_locked(emscov_ctx *ctx, store_pg *s)
{
    pg_conn *c = s->c;
    const char *p[1] = {s->schema};
    PGresult *r = NULL;
    char what[200];
    snprintf(what, sizeof what, "creating schema %s", s->qs);
    ems_status st = pg_query(ctx, c, what, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, p, &r);
    bool exists = st == EMS_OK && PQntuples(r) == 1;
    PQclear(r);
    if (st == EMS_OK && !exists)
        st = exec_own(ctx, c, what, fmt(ctx, "CREATE SCHEMA %s", s->qs), 0, NULL);
    int version = 0;
    char *by = NULL;
    if (st == EMS_OK)
        st = read_version(ctx, c, s->schema, &version, &by);
    if (st != EMS_OK)
        goto done;
    if (version > STORE_PG_LAYOUT) {
        st = emscov_fail(ctx, EMS_EIO,
                         "schema %s has result layout version %d (written by %s), newer than this "
                         "emscov %s writes (version %d): upgrade emscov, or store into another schema with "
                         "--db-schema NAME",
                         s->schema, version, by ? by : "a newer emscov", s->version, STORE_PG_LAYOUT);
        goto done;
    }
    if (version == STORE_PG_LAYOUT)
        goto done;
    snprintf(what, sizeof what, "creating the result layout in schema %s", s->qs);
    st = exec_own(ctx, c, what,
                  fmt(ctx,
                      "CREATE TABLE IF NOT EXISTS %s.schema_version (version integer PRIMARY KEY, "
                      "applied timestamptz NOT NULL DEFAULT now(), \"by\" text NOT NULL)",
                      s->qs),
                  0, NULL);
    if (st == EMS_OK)
        st = pg_exec(ctx, c, what,
                     "SELECT set_config('search_path', quote_ident($1) || ', ' || " /* until COMMIT */
                     "current_setting('search_path'), true)",
                     1, p);
    for (int v = version + 1; st == EMS_OK && v <= STORE_PG_LAYOUT; v++) {
        snprintf(what, sizeof what, "migrating schema %s to result layout version %d", s->qs, v);
        for (const char *const *q = layouts[v]; st == EMS_OK && *q; q++)
            st = pg_exec(ctx, c, what, *q, 0, NULL);
        if (st == EMS_OK && v == 4)
            st = migrate_partitions(ctx, s);
        char vbuf[16], *byv = fmt(ctx, "emscov %s", s->version);
        snprintf(vbuf, sizeof vbuf, "%d", v);
        const char *pv[2] = {vbuf, byv};
        st = st != EMS_OK ? st
                          : exec_own(ctx, c, what,
                                     byv ? fmt(ctx,
                                               "INSERT INTO %s.schema_version (version, \"by\") "
                                               "VALUES ($1::integer, $2)",
                                               s->qs)
                                         : NULL,
                                     2, pv);
        free(byv);
    }
done:
    free(by);
    return st;
}

/* The schema of the runs' partitions: <schema>_part, the name shortened (at a character boundary) so that the
 * whole fits PostgreSQL's 63 bytes. */
static char *part_schema(emscov_ctx *ctx, const char *schema)
{
    size_t n = strlen(schema);
    while (n > PG_NAME_MAX - 5 || (n > 0 && ((unsigned char)schema[n] & 0xC0) == 0x80))
        n--;
    return fmt(ctx, "%.*s_part", (int)n, schema);
}

ems_status store_pg_open(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *version, store_pg **out)
{
    *out = NULL;
    ems_status st = check_schema_name(ctx, schema);
    if (st == EMS_OK)
        st = pg_check_user_schema(ctx, "--db-schema", schema);
    if (st != EMS_OK)
        return st;
    store_pg *s = ems_calloc(ctx, 1, sizeof *s);
    if (!s)
        return EMS_ENOMEM;
    s->c = c;
    if (!(s->schema = ems_strdup(ctx, schema)) || !(s->version = ems_strdup(ctx, version ? version : "?")) ||
        !(s->qs = pg_ident(ctx, c, NULL, schema)) || !(s->part = part_schema(ctx, schema)) ||
        !(s->qpart = pg_ident(ctx, c, NULL, s->part))) {
        store_pg_destroy(s);
        return EMS_ENOMEM;
    }
    st = pg_begin(ctx, c);
    if (st == EMS_OK)
        st = lock_schema(ctx, s);
    if (st == EMS_OK)
        st = open_locked(ctx, s);
    if (st == EMS_OK)
        st = pg_commit(ctx, c);
    else
        pg_rollback(c);
    if (st != EMS_OK) {
        store_pg_destroy(s);
        return st;
    }
    *out = s;
    return EMS_OK;
}

const char *store_pg_schema(const store_pg *s)
{
    return s->schema;
}

void store_pg_destroy(store_pg *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < s->n; k++) {
        layer_destroy(s->own[k]);
        free(s->cols[k]);
    }
    free(s->schema);
    free(s->qs);
    free(s->part);
    free(s->qpart);
    free(s->version);
    free(s->crs_name);
    free(s);
}

/* ---- result tables ------------------------------------------------------------------------------------- */

/* A copy of l with every Polygon as a one-part MultiPolygon (so a run whose sub-districts are all single
 * polygons and one with multi-part ones share a MultiPolygon column); NULL *out when l needs none. */
static ems_status promote(emscov_ctx *ctx, const layer *l, layer **out)
{
    *out = NULL;
    if (strcmp(layer_geom_type(l), "Polygon") != 0)
        return EMS_OK;
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t nf = layer_field_count(l);
    layer *m = NULL;
    layer_value *v = ems_calloc(ctx, nf ? nf : 1, sizeof *v);
    ems_status st = v ? layer_create(ctx, layer_path(l), layer_format(l), layer_crs(l), &m) : EMS_ENOMEM;
    for (size_t j = 0; st == EMS_OK && j < nf; j++) {
        const layer_field *f = layer_field_at(l, j);
        st = layer_add_field(ctx, m, f->name, f->type, f->width, f->precision);
    }
    for (size_t i = 0; st == EMS_OK && i < layer_count(l); i++) {
        for (size_t j = 0; j < nf; j++)
            v[j] = *layer_value_at(l, i, j);
        GEOSGeometry *part = GEOSGeom_clone_r(h, layer_geom(l, i));
        GEOSGeometry *multi = part ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, &part, 1) : NULL;
        if (!multi) {
            if (part)
                GEOSGeom_destroy_r(h, part);
            st = emscov_fail(ctx, EMS_EINTERNAL, "%s: record %lld: cannot make a MultiPolygon: %s",
                             layer_path(l), (long long)layer_record(l, i), emscov_lib_message(ctx));
            break;
        }
        st = layer_append_valid_take(ctx, m, multi, layer_record(l, i), v);
    }
    free(v);
    if (st != EMS_OK) {
        layer_destroy(m);
        return st;
    }
    *out = m;
    return EMS_OK;
}

/* The column type pg_create_table gives a layer, in geometry_columns' spelling. */
static void column_type(const layer *l, char *buf, size_t cap)
{
    const char *t = layer_geom_type(l);
    static const char *const known[] = {"Point",           "LineString",   "Polygon",           "MultiPoint",
                                        "MultiLineString", "MultiPolygon", "GeometryCollection"};
    const char *use = "Geometry";
    for (size_t k = 0; k < sizeof known / sizeof *known; k++)
        if (!strcmp(t, known[k]))
            use = known[k];
    size_t i = 0;
    for (; use[i] && i + 1 < cap; i++)
        buf[i] = (char)(use[i] >= 'a' && use[i] <= 'z' ? use[i] - 32 : use[i]);
    buf[i] = '\0';
}

/* A COMMENT statement: COMMENT takes no parameters, so `format_sql` (SELECT format('COMMENT ... %L', $1, ...))
 * makes it on the server from p, and it is run. */
static ems_status comment_on(emscov_ctx *ctx, store_pg *s, const char *what, const char *format_sql, int np,
                             const char *const *p)
{
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, s->c, what, format_sql, np, p, &r);
    if (st == EMS_OK)
        st = exec_own(ctx, s->c, what, ems_strdup(ctx, PQgetvalue(r, 0, 0)), 0, NULL);
    PQclear(r);
    return st;
}

/* Drop view qv when it exists and create it again: `create` and `comment` are the CREATE VIEW and COMMENT ON VIEW
 * statements (built by fmt; freed here, also when not run). */
static ems_status replace_view(emscov_ctx *ctx, store_pg *s, const char *what, const char *qv, char *create,
                               char *comment)
{
    ems_status st = exec_own(ctx, s->c, what, fmt(ctx, "DROP VIEW IF EXISTS %s", qv), 0, NULL);
    if (st == EMS_OK) {
        st = exec_own(ctx, s->c, what, create, 0, NULL);
        create = NULL;
    }
    if (st == EMS_OK) {
        st = exec_own(ctx, s->c, what, comment, 0, NULL);
        comment = NULL;
    }
    free(create);
    free(comment);
    return st;
}

/* (Re)create the WGS 84 view of table: every column but geom, and geom transformed to EPSG:4326. */
static ems_status create_view(emscov_ctx *ctx, store_pg *s, const char *table, const char *qt,
                              const char *type)
{
    char *vname = fmt(ctx, "%s_wgs84", table), *qv = vname ? pg_ident(ctx, s->c, s->schema, vname) : NULL;
    char what[300];
    snprintf(what, sizeof what, "creating view %s", qv ? qv : table);
    const char *p[1] = {qt};
    PGresult *r = NULL;
    ems_status st = qv ? pg_query(ctx, s->c, what,
                                  "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) "
                                  "FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT "
                                  "attisdropped AND attname <> 'geom'",
                                  1, p, &r)
                       : EMS_ENOMEM;
    if (st == EMS_OK)
        st = replace_view(ctx, s, what, qv,
                          fmt(ctx, "CREATE VIEW %s AS SELECT %s, ST_Transform(geom, 4326)::geometry(%s, 4326) AS geom "
                                   "FROM %s",
                              qv, PQgetvalue(r, 0, 0), type, qt),
                          fmt(ctx, "COMMENT ON VIEW %s IS 'table %s in WGS 84 (EPSG:4326) for web clients'", qv,
                              table));
    PQclear(r);
    free(vname);
    free(qv);
    return st;
}

/* The indexes of table name (qt: quoted with its schema), or of a run's partition of it, that every partition
 * matches: GiST <name>_geom_idx on geom and the primary key <name>_pkey on (run_id, gid). */
static ems_status partitioned_indexes(emscov_ctx *ctx, store_pg *s, const char *name, const char *qt)
{
    char what[300];
    snprintf(what, sizeof what, "indexing %s", qt);
    char *gi = fmt(ctx, "%s_geom_idx", name), *pk = fmt(ctx, "%s_pkey", name);
    char *qgi = gi ? pg_ident(ctx, s->c, NULL, gi) : NULL, *qpk = pk ? pg_ident(ctx, s->c, NULL, pk) : NULL;
    ems_status st =
        qgi && qpk
            ? exec_own(ctx, s->c, what, fmt(ctx, "CREATE INDEX %s ON %s USING gist (geom)", qgi, qt), 0, NULL)
            : EMS_ENOMEM;
    if (st == EMS_OK)
        st = exec_own(ctx, s->c, what,
                      fmt(ctx, "ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY (run_id, gid)", qt, qpk), 0,
                      NULL);
    free(gi);
    free(pk);
    free(qgi);
    free(qpk);
    return st;
}

/* An analyze result table (layout 4): run_id, the layer's fields, geom and gid, partitioned by LIST (run_id),
 * with the partitioned indexes every run's partition matches (GiST <table>_geom_idx, primary key
 * <table>_pkey on (run_id, gid)). type: the geometry column type (column_type). */
static ems_status create_partitioned(emscov_ctx *ctx, store_pg *s, const char *table, const char *qt,
                                     const layer *l, const char *type)
{
    char what[300];
    snprintf(what, sizeof what, "creating table %s", qt);
    char *ddl = fmt(ctx, "CREATE TABLE %s (run_id bigint NOT NULL", qt);
    for (size_t j = 0; ddl && j < layer_field_count(l); j++) {
        const layer_field *f = layer_field_at(l, j);
        char *qc = pg_ident(ctx, s->c, NULL, f->name);
        char *more = qc ? fmt(ctx, "%s, %s %s", ddl, qc, pg_field_sql_type(f->type)) : NULL;
        free(qc);
        free(ddl);
        ddl = more;
    }
    char *full = ddl ? fmt(ctx, "%s, geom geometry(%s, %d), gid bigint NOT NULL) PARTITION BY LIST (run_id)",
                           ddl, type, s->srid)
                     : NULL;
    free(ddl);
    ems_status st = exec_own(ctx, s->c, what, full, 0, NULL);
    if (st == EMS_OK)
        st = partitioned_indexes(ctx, s, table, qt);
    return st;
}

/* A table that is missing: created with the kind's run id column (run_id, sites_run_id), the layer's fields,
 * geom (GiST), gid (primary key) and the WGS 84 view; partitioned by run (create_partitioned) for analyze
 * runs, else a plain table with a foreign key to the run table and a btree on the run id. */
static ems_status create_table(emscov_ctx *ctx, store_pg *s, const store_kind *kind, const result_layer *rl,
                               const layer *l)
{
    char *fk = fmt(ctx, "bigint NOT NULL REFERENCES %s.%s (id) ON DELETE CASCADE", s->qs, kind->run_table);
    char *qt = pg_ident(ctx, s->c, s->schema, rl->table);
    char *iname = fmt(ctx, "%s_%s_idx", rl->table, kind->fk_col);
    char *qi = iname ? pg_ident(ctx, s->c, NULL, iname) : NULL;
    char what[300], type[32];
    snprintf(what, sizeof what, "creating table %s", qt ? qt : rl->table);
    column_type(l, type, sizeof type);
    ems_status st = fk && qt && qi ? EMS_OK : EMS_ENOMEM;
    if (st == EMS_OK && kind->partitioned) {
        st = create_partitioned(ctx, s, rl->table, qt, l, type);
    } else if (st == EMS_OK) {
        pg_column extra = {kind->fk_col, fk};
        st = pg_create_table(ctx, s->c, s->schema, rl->table, l, s->srid, &extra, 1, false);
        if (st == EMS_OK)
            st = exec_own(ctx, s->c, what,
                          fmt(ctx,
                              "ALTER TABLE %s ADD COLUMN gid bigint GENERATED BY DEFAULT AS "
                              "IDENTITY PRIMARY KEY",
                              qt),
                          0, NULL);
        if (st == EMS_OK)
            st = exec_own(ctx, s->c, what, fmt(ctx, "CREATE INDEX %s ON %s (%s)", qi, qt, kind->fk_col), 0,
                          NULL);
    }
    if (st == EMS_OK && rl->description) {
        const char *p[2] = {qt, rl->description};
        st = comment_on(ctx, s, what, "SELECT format('COMMENT ON TABLE %s IS %L', $1::text, $2::text)", 2, p);
    }
    if (st == EMS_OK)
        st = create_view(ctx, s, rl->table, qt, type);
    free(fk);
    free(qt);
    free(iname);
    free(qi);
    return st;
}

/* EMS_EINPUT: the schema holds results in srid, not in this run's working CRS (both named). */
static ems_status refuse_srid(emscov_ctx *ctx, store_pg *s, int srid)
{
    crs *have = NULL;
    ems_status cs = pg_crs_of_srid(ctx, s->c, srid, &have);
    char have_name[300];
    if (cs == EMS_OK && crs_epsg(have) > 0)
        snprintf(have_name, sizeof have_name, "EPSG:%d %s", crs_epsg(have), crs_name(have));
    else
        snprintf(have_name, sizeof have_name, "%s", cs == EMS_OK ? crs_name(have) : "an unknown CRS");
    crs_destroy(have);
    return emscov_fail(
        ctx, EMS_EINPUT,
        "schema %s holds results in %s (SRID %d), but this run's working CRS "
        "is %s (SRID %d): runs in one schema share one CRS; store this run in another schema "
        "with --db-schema NAME",
        s->schema, have_name, srid, s->crs_name, s->srid);
}

/* A table that exists: same SRID (else EMS_EINPUT naming both CRSs), a compatible geometry type, and every
 * field of the layer as a column (missing ones added, and the view recreated). */
static ems_status check_table(emscov_ctx *ctx, store_pg *s, const result_layer *rl, const layer *l, int srid,
                              const char *type)
{
    if (srid != s->srid)
        return refuse_srid(ctx, s, srid);
    char want[32];
    column_type(l, want, sizeof want);
    if (strcmp(type, "GEOMETRY") != 0 && result_layer_rows(rl) > 0 && strcmp(type, want) != 0)
        return emscov_fail(ctx, EMS_EINPUT,
                           "table %s.%s has geometry type %s, but this run's %s layer is %s; "
                           "store this run in another schema with --db-schema NAME",
                           s->schema, rl->table, type, rl->table, want);
    char *qt = pg_ident(ctx, s->c, s->schema, rl->table);
    if (!qt)
        return EMS_ENOMEM;
    char what[300];
    snprintf(what, sizeof what, "reading the columns of %s", qt);
    const char *p[1] = {qt};
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, s->c, what,
                             "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND "
                             "attnum > 0 AND NOT attisdropped",
                             1, p, &r);
    bool added = false;
    for (size_t j = 0; st == EMS_OK && j < layer_field_count(l); j++) {
        const layer_field *f = layer_field_at(l, j);
        bool have = false;
        for (int i = 0; i < PQntuples(r) && !have; i++)
            have = !strcmp(PQgetvalue(r, i, 0), f->name);
        if (have)
            continue;
        char *qc = pg_ident(ctx, s->c, NULL, f->name);
        snprintf(what, sizeof what, "adding column %s to %s", qc ? qc : f->name, qt);
        st = qc ? exec_own(ctx, s->c, what,
                           fmt(ctx, "ALTER TABLE %s ADD COLUMN %s %s", qt, qc, pg_field_sql_type(f->type)), 0,
                           NULL)
                : EMS_ENOMEM;
        free(qc);
        added = true;
    }
    PQclear(r);
    if (st == EMS_OK && added)
        st = create_view(ctx, s, rl->table, qt, type);
    free(qt);
    return st;
}

/* How each field of layer k goes into binary COPY: the server type of its column in table, read from the
 * catalogue (a table of an older layout may hold integer where this emscov makes bigint, and so on). */
static ems_status read_col_kinds(emscov_ctx *ctx, store_pg *s, size_t k, const char *table)
{
    const layer *l = s->use[k];
    size_t nf = layer_field_count(l);
    free(s->cols[k]);
    if (!(s->cols[k] = ems_calloc(ctx, nf ? nf : 1, sizeof *s->cols[k])))
        return EMS_ENOMEM;
    char *qt = pg_ident(ctx, s->c, s->schema, table);
    if (!qt)
        return EMS_ENOMEM;
    char what[300];
    snprintf(what, sizeof what, "reading the column types of %s", qt);
    const char *p[1] = {qt};
    PGresult *r = NULL;
    ems_status st = pg_query(ctx, s->c, what,
                             "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = "
                             "$1::regclass AND attnum > 0 AND NOT attisdropped",
                             1, p, &r);
    static const struct {
        const char *type;
        col_kind kind;
    } known[] = {{"smallint", COL_INT2},
                 {"integer", COL_INT4},
                 {"bigint", COL_INT8},
                 {"real", COL_FLOAT4},
                 {"double precision", COL_FLOAT8},
                 {"text", COL_TEXT},
                 {"character varying", COL_TEXT},
                 {"boolean", COL_BOOL},
                 {"date", COL_DATE}};
    for (size_t j = 0; st == EMS_OK && j < nf; j++) {
        const char *name = layer_field_at(l, j)->name, *type = NULL;
        for (int i = 0; i < PQntuples(r) && !type; i++)
            if (!strcmp(PQgetvalue(r, i, 0), name))
                type = PQgetvalue(r, i, 1);
        size_t m = 0, nk = sizeof known / sizeof *known;
        while (type && m < nk && strcmp(known[m].type, type))
            m++;
        if (!type || m == nk)
            st = emscov_fail(ctx, EMS_EINTERNAL,
                             "table %s: column %s has type %s, which emscov does not write", qt, name,
                             type ? type : "(none)");
        else
            s->cols[k][j] = known[m].kind;
    }
    PQclear(r);
    free(qt);
    return st;
}

/* ---- for QGIS: latest_<table> views, styles, comments --------------------------------------------------- */

/* The table QGIS keeps styles in (its public.layer_styles layout), here in the result schema: one row per table
 * and view, stylename 'emscov' (docs/postgis.md: how to make QGIS load them). */
static ems_status create_styles_table(emscov_ctx *ctx, store_pg *s)
{
    const char *what = "creating the QGIS styles table";
    ems_status st = exec_own(
        ctx, s->c, what,
        fmt(ctx,
            "CREATE TABLE IF NOT EXISTS %s.layer_styles (id serial PRIMARY KEY, f_table_catalog varchar,"
            " f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml,"
            " stylesld xml, useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,"
            " update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)",
            s->qs),
        0, NULL);
    if (st == EMS_OK)
        st = exec_own(ctx, s->c, what,
                      fmt(ctx,
                          "COMMENT ON TABLE %s.layer_styles IS 'QGIS styles of the emscov result tables and "
                          "their latest_ views (the layout of QGIS''s public.layer_styles; docs/postgis.md)'",
                          s->qs),
                      0, NULL);
    return st;
}

/* latest_<table>: the rows of the latest run of each run name (the last finished; the highest id among
 * equals), with that name as run_name; rebuilt so it has the table's columns of now. */
static ems_status create_latest_view(emscov_ctx *ctx, store_pg *s, const store_kind *kind, const char *table)
{
    char *vname = fmt(ctx, "latest_%s", table);
    char *qv = vname ? pg_ident(ctx, s->c, s->schema, vname) : NULL, *qt = pg_ident(ctx, s->c, s->schema, table);
    char what[300];
    snprintf(what, sizeof what, "creating view %s", qv ? qv : table);
    ems_status st = qv && qt ? EMS_OK : EMS_ENOMEM;
    if (st == EMS_OK)
        st = replace_view(ctx, s, what, qv,
                          fmt(ctx,
                              "CREATE VIEW %s AS SELECT t.*, l.name AS run_name FROM %s t JOIN (SELECT DISTINCT ON "
                              "(name) id, name FROM %s.%s ORDER BY name, finished DESC, id DESC) l ON t.%s = l.id",
                              qv, qt, s->qs, kind->run_table, kind->fk_col),
                          fmt(ctx,
                              "COMMENT ON VIEW %s IS 'table %s: the rows of the latest run of each run name "
                              "(run_name); for QGIS'",
                              qv, table));
    free(vname);
    free(qv);
    free(qt);
    return st;
}

/* The emscov style of table (and of its latest_ view) into layer_styles, replacing an earlier one. */
static ems_status write_styles(emscov_ctx *ctx, store_pg *s, const char *table)
{
    char *qml = NULL;
    const char *what_style = NULL;
    ems_status st = qgis_style_qml(ctx, table, &qml, &what_style);
    if (st != EMS_OK || !qml)
        return st;
    char *latest = fmt(ctx, "latest_%s", table);
    const char *names[2] = {table, latest};
    for (int k = 0; st == EMS_OK && k < 2; k++) {
        const char *p[5] = {s->schema, names[k], QGIS_STYLE_NAME, qml, what_style};
        st = latest ? exec_own(ctx, s->c, "writing the QGIS styles",
                                fmt(ctx,
                                    "WITH gone AS (DELETE FROM %s.layer_styles WHERE f_table_schema = $1 AND "
                                    "f_table_name = $2 AND stylename = $3) INSERT INTO %s.layer_styles "
                                    "(f_table_catalog, f_table_schema, f_table_name, f_geometry_column, stylename, "
                                    "styleqml, stylesld, useasdefault, description, type) VALUES "
                                    "(current_database(), $1, $2, 'geom', $3, $4::xml, NULL, true, $5, 'vector')",
                                    s->qs, s->qs),
                               5, p)
                    : EMS_ENOMEM;
    }
    free(latest);
    free(qml);
    return st;
}

/* The columns of a result table described for QGIS and psql (\d+): those every table has, and the layer's
 * (result_column_doc). */
static ems_status comment_keys(emscov_ctx *ctx, store_pg *s, const store_kind *kind, const char *table,
                               const layer *l)
{
    char *qt = pg_ident(ctx, s->c, s->schema, table);
    ems_status st = qt ? EMS_OK : EMS_ENOMEM;
    const char *what = "commenting the result columns";
    if (st == EMS_OK)
        st = exec_own(ctx, s->c, what,
                      fmt(ctx, "COMMENT ON COLUMN %s.%s IS 'the run these rows belong to (%s.%s.id)'", qt,
                          kind->fk_col, s->schema, kind->run_table),
                      0, NULL);
    if (st == EMS_OK)
        st = exec_own(ctx, s->c, what,
                      fmt(ctx, "COMMENT ON COLUMN %s.gid IS 'row id (unique in the table: QGIS''s key)'", qt), 0,
                      NULL);
    if (st == EMS_OK)
        st = exec_own(ctx, s->c, what,
                      fmt(ctx, "COMMENT ON COLUMN %s.geom IS 'geometry in the working CRS of the runs (one per "
                               "schema)'",
                          qt),
                      0, NULL);
    /* the layer's columns */
    for (size_t j = 0; st == EMS_OK && l && j < layer_field_count(l); j++) {
        const char *col = layer_field_at(l, j)->name, *doc = result_column_doc(table, col);
        if (!doc)
            continue;
        const char *p[3] = {qt, col, doc};
        st = comment_on(ctx, s, what, "SELECT format('COMMENT ON COLUMN %s.%I IS %L', $1::text, $2::text, $3::text)",
                        3, p);
    }
    free(qt);
    return st;
}

static ems_status prepare_locked(emscov_ctx *ctx, store_pg *s, const store_kind *kind, const result_layer *ls,
                                 size_t n)
{
    /* One CRS per schema: the runs of either kind stored so far (their tables are checked below). */
    char want_srid[16];
    snprintf(want_srid, sizeof want_srid, "%d", s->srid);
    const char *ps[1] = {want_srid};
    PGresult *rs = NULL;
    ems_status st = query_own(ctx, s->c, "reading the working SRID of the stored runs",
                              fmt(ctx,
                                  "SELECT working_srid FROM %s.run WHERE working_srid <> $1::integer "
                                  "UNION ALL SELECT working_srid FROM %s.sites_run "
                                  "WHERE working_srid <> $1::integer LIMIT 1",
                                  s->qs, s->qs),
                              1, ps, &rs);
    int other = st == EMS_OK && PQntuples(rs) == 1 ? atoi(PQgetvalue(rs, 0, 0)) : 0;
    PQclear(rs);
    if (st == EMS_OK && other)
        st = refuse_srid(ctx, s, other);
    /* geometry_columns first, for every table, so an SRID refusal comes before any change */
    int srid[STORE_MAX_LAYERS] = {0};
    char type[STORE_MAX_LAYERS][32];
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        const char *p[2] = {s->schema, ls[k].table};
        PGresult *r = NULL;
        st = pg_query(ctx, s->c, "reading geometry_columns",
                      "SELECT srid, upper(type) FROM geometry_columns WHERE "
                      "f_table_schema = $1 AND f_table_name = $2 AND f_geometry_column = 'geom'",
                      2, p, &r);
        if (st == EMS_OK && PQntuples(r) == 1) {
            srid[k] = atoi(PQgetvalue(r, 0, 0));
            snprintf(type[k], sizeof type[k], "%s", PQgetvalue(r, 0, 1));
        }
        PQclear(r);
    }
    for (size_t k = 0; st == EMS_OK && k < n; k++)
        if (srid[k] && srid[k] != s->srid)
            st = check_table(ctx, s, &ls[k], s->use[k], srid[k], type[k]);
    for (size_t k = 0; st == EMS_OK && k < n; k++)
        st = srid[k] ? check_table(ctx, s, &ls[k], s->use[k], srid[k], type[k])
                     : create_table(ctx, s, kind, &ls[k], s->use[k]);
    for (size_t k = 0; st == EMS_OK && kind->partitioned && k < n; k++)
        st = read_col_kinds(ctx, s, k, ls[k].table);
    /* for QGIS: the latest run of each name as views, the styles, the key columns described */
    if (st == EMS_OK)
        st = create_styles_table(ctx, s);
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        st = create_latest_view(ctx, s, kind, ls[k].table);
        if (st == EMS_OK)
            st = write_styles(ctx, s, ls[k].table);
        if (st == EMS_OK)
            st = comment_keys(ctx, s, kind, ls[k].table, s->use[k]);
    }
    return st;
}

static ems_status prepare_kind(emscov_ctx *ctx, store_pg *s, const store_kind *kind, const crs *working,
                               const result_layer *ls, size_t n)
{
    if (n > STORE_MAX_LAYERS)
        return emscov_fail(ctx, EMS_EINTERNAL, "store_pg_prepare: %zu layers (at most %d)", n,
                           STORE_MAX_LAYERS);
    for (size_t k = 0; k < s->n; k++) {
        layer_destroy(s->own[k]);
        s->own[k] = NULL;
        free(s->cols[k]);
        s->cols[k] = NULL;
    }
    s->n = 0;
    s->prepared = NULL;
    free(s->crs_name);
    s->crs_name = crs_epsg(working) > 0 ? fmt(ctx, "EPSG:%d %s", crs_epsg(working), crs_name(working))
                                        : ems_strdup(ctx, crs_name(working));
    if (!s->crs_name)
        return EMS_ENOMEM;
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        st = promote(ctx, ls[k].l, &s->own[k]);
        s->use[k] = s->own[k] ? s->own[k] : ls[k].l;
        s->n = k + 1;
    }
    if (st == EMS_OK)
        st =
            pg_srid_for(ctx, s->c, working, &s->srid); /* outside a transaction: a new SRID commits at once */
    if (st == EMS_OK)
        st = pg_begin(ctx, s->c);
    if (st == EMS_OK)
        st = lock_schema(ctx, s);
    if (st == EMS_OK)
        st = prepare_locked(ctx, s, kind, ls, n);
    if (st == EMS_OK)
        st = pg_commit(ctx, s->c);
    else
        pg_rollback(s->c);
    if (st == EMS_OK)
        s->prepared = kind;
    return st;
}

ems_status store_pg_prepare(emscov_ctx *ctx, store_pg *s, const crs *working, const result_layer *ls,
                            size_t n)
{
    return prepare_kind(ctx, s, &kind_analyze, working, ls, n);
}

ems_status store_pg_prepare_sites(emscov_ctx *ctx, store_pg *s, const crs *working, const result_layer *ls,
                                  size_t n)
{
    return prepare_kind(ctx, s, &kind_sites, working, ls, n);
}

/* Layout 4: each analyze result table that is still a plain table (layout 3) becomes the first partition of a
 * partitioned table of the same name, holding the runs it held (FOR VALUES IN their ids), renamed
 * <table>_layout3 with its indexes and moved to <schema>_part (its foreign key to run, its identity gid and
 * its rows stay as they were: old runs read as before through the table's name; its primary key on gid gives
 * way to the partition's on (run_id, gid)); an empty one is dropped (the next run creates the partitioned
 * table). Inside open's transaction, under the schema lock; the views are recreated on the new tables. */
static ems_status migrate_partitions(emscov_ctx *ctx, store_pg *s)
{
    char what0[300];
    snprintf(what0, sizeof what0, "creating schema %s (the runs' partitions)", s->qpart);
    ems_status st = exec_own(ctx, s->c, what0, fmt(ctx, "CREATE SCHEMA IF NOT EXISTS %s", s->qpart), 0, NULL);
    for (size_t k = 0; st == EMS_OK && k < sizeof analyze_tables / sizeof *analyze_tables; k++) {
        const char *t = analyze_tables[k];
        const char *p[2] = {s->schema, t};
        PGresult *r = NULL;
        char what[300];
        snprintf(what, sizeof what, "migrating %s.%s to a table partitioned by run", s->qs, t);
        st = pg_query(
            ctx, s->c, what,
            "SELECT c.relkind, (SELECT upper(type) FROM geometry_columns WHERE f_table_schema = $1 AND "
            "f_table_name = $2 AND f_geometry_column = 'geom') FROM pg_class c JOIN pg_namespace n ON "
            "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            2, p, &r);
        bool plain = st == EMS_OK && PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "r");
        char type[32];
        snprintf(type, sizeof type, "%s", plain && !PQgetisnull(r, 0, 1) ? PQgetvalue(r, 0, 1) : "GEOMETRY");
        PQclear(r);
        r = NULL;
        if (!plain)
            continue;
        char *old = fmt(ctx, "%s_layout3", t), *view = fmt(ctx, "%s_wgs84", t);
        char *qt = pg_ident(ctx, s->c, s->schema, t), *qo = old ? pg_ident(ctx, s->c, s->part, old) : NULL;
        char *qin = old ? pg_ident(ctx, s->c, s->schema, old) : NULL;
        char *qold = old ? pg_ident(ctx, s->c, NULL, old) : NULL,
             *qv = view ? pg_ident(ctx, s->c, s->schema, view) : NULL;
        char *ids = NULL;
        st = qt && qo && qold && qv && qin ? EMS_OK : EMS_ENOMEM;
        if (st == EMS_OK)
            st =
                query_own(ctx, s->c, what,
                          fmt(ctx, "SELECT string_agg(DISTINCT run_id::text, ',') FROM %s", qt), 0, NULL, &r);
        if (st == EMS_OK && !PQgetisnull(r, 0, 0) && !(ids = ems_strdup(ctx, PQgetvalue(r, 0, 0))))
            st = EMS_ENOMEM;
        PQclear(r);
        r = NULL;
        if (st == EMS_OK)
            st = exec_own(ctx, s->c, what, fmt(ctx, "DROP VIEW IF EXISTS %s", qv), 0, NULL);
        /* latest_<table> too (it names the table; the next prepare makes it again on the new one) */
        char *lname = fmt(ctx, "latest_%s", t), *ql = lname ? pg_ident(ctx, s->c, s->schema, lname) : NULL;
        if (st == EMS_OK)
            st = ql ? exec_own(ctx, s->c, what, fmt(ctx, "DROP VIEW IF EXISTS %s", ql), 0, NULL) : EMS_ENOMEM;
        free(lname);
        free(ql);
        if (st == EMS_OK && !ids)
            st = exec_own(ctx, s->c, what, fmt(ctx, "DROP TABLE %s", qt), 0, NULL);
        if (st == EMS_OK && ids) {
            st = exec_own(ctx, s->c, what, fmt(ctx, "ALTER TABLE %s RENAME TO %s", qt, qold), 0, NULL);
            if (st == EMS_OK)
                st = exec_own(ctx, s->c, what, fmt(ctx, "ALTER TABLE %s SET SCHEMA %s", qin, s->qpart), 0,
                              NULL);
            /* its indexes (and so their constraints): <table>_x -> <table>_layout3_x */
            const char *pi[2] = {qo, t};
            if (st == EMS_OK)
                st = pg_query(
                    ctx, s->c, what,
                    "SELECT format('ALTER INDEX %I.%I RENAME TO %I', n.nspname, c.relname, $2 || "
                    "'_layout3' || substr(c.relname, length($2) + 1)) FROM pg_index i JOIN pg_class c ON "
                    "c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE i.indrelid "
                    "= $1::regclass AND left(c.relname, length($2)) = $2",
                    2, pi, &r);
            for (int i = 0; st == EMS_OK && i < PQntuples(r); i++)
                st = exec_own(ctx, s->c, what, ems_strdup(ctx, PQgetvalue(r, i, 0)), 0, NULL);
            PQclear(r);
            r = NULL;
            if (st == EMS_OK)
                st = exec_own(ctx, s->c, what,
                              fmt(ctx, "CREATE TABLE %s (LIKE %s) PARTITION BY LIST (run_id)", qt, qo), 0,
                              NULL);
            if (st == EMS_OK) /* the partitioned indexes, as create_partitioned makes them */
                st = partitioned_indexes(ctx, s, t, qt);
            /* its own primary key (gid, one identity over all runs) gives way to the partition's (run_id,
             * gid) */
            const char *pk[1] = {qo};
            if (st == EMS_OK)
                st = pg_query(ctx, s->c, what,
                              "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', $1::text, conname) "
                              "FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'",
                              1, pk, &r);
            for (int i = 0; st == EMS_OK && i < PQntuples(r); i++)
                st = exec_own(ctx, s->c, what, ems_strdup(ctx, PQgetvalue(r, i, 0)), 0, NULL);
            PQclear(r);
            r = NULL;
            if (st == EMS_OK)
                st = exec_own(ctx, s->c, what,
                              fmt(ctx, "ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (%s)", qt, qo, ids),
                              0, NULL);
            /* the table's comment moves with its name (COMMENT takes no parameters: made by format on the
             * server) */
            const char *pc[2] = {qt, qo};
            if (st == EMS_OK)
                st = pg_query(ctx, s->c, what,
                              "SELECT format('COMMENT ON TABLE %s IS %L', $1::text, "
                              "obj_description($2::regclass, 'pg_class'))",
                              2, pc, &r);
            if (st == EMS_OK)
                st = exec_own(ctx, s->c, what, ems_strdup(ctx, PQgetvalue(r, 0, 0)), 0, NULL);
            PQclear(r);
            if (st == EMS_OK)
                st = create_view(ctx, s, t, qt, type);
        }
        free(ids);
        free(old);
        free(view);
        free(qt);
        free(qo);
        free(qold);
        free(qv);
        free(qin);
    }
    return st;
}

/* ---- checksums ----------------------------------------------------------------------------------------- */

/* {"path": as given, "files": [{"path" (absolute), "bytes", "sha256"}...]}: the source's files
 * (src/output/input_files.h): those of known (checksummed before) with this role, else read now. */
static ems_status input_json(emscov_ctx *ctx, const input_files *known, const char *name, const char *path,
                             json_object **out)
{
    json_object *o = json_object_new_object(), *files = json_object_new_array();
    json_object_object_add(o, "path", json_object_new_string(path));
    json_object_object_add(o, "files", files);
    *out = o;
    input_files fs = {0};
    ems_status st = EMS_OK;
    if (!known)
        st = input_files_add(ctx, &fs, name, path);
    const input_files *use = known ? known : &fs;
    for (size_t k = 0; st == EMS_OK && k < use->n; k++) {
        if (strcmp(use->f[k].role, name) != 0)
            continue;
        json_object *f = json_object_new_object();
        json_object_object_add(f, "path", json_object_new_string(use->f[k].path));
        json_object_object_add(f, "bytes", json_object_new_int64((int64_t)use->f[k].bytes));
        json_object_object_add(f, "sha256", json_object_new_string(use->f[k].sha256));
        json_object_array_add(files, f);
    }
    input_files_free(&fs);
    return st;
}

/* ---- a run --------------------------------------------------------------------------------------------- */

/* Begin a run's transaction; with replace, lock the run name and delete the earlier runs of that name (and,
 * by ON DELETE CASCADE, their rows) inside it. */
static ems_status begin_run(emscov_ctx *ctx, store_pg *s, const store_kind *kind, const char *name,
                            bool replace)
{
    ems_status st = pg_begin(ctx, s->c);
    if (st == EMS_OK && replace) {
        char *key = fmt(ctx, "emscov store %s %s %s", kind->run_table, s->schema, name);
        st = key ? lock_key(ctx, s->c, "locking the run name", key) : EMS_ENOMEM;
        free(key);
        const char *p[1] = {name};
        char what[200];
        snprintf(what, sizeof what, "deleting the earlier runs of this name from %s.%s", s->qs,
                 kind->run_table);
        if (st == EMS_OK)
            st = exec_own(ctx, s->c, what,
                          fmt(ctx, "DELETE FROM %s.%s WHERE name = $1", s->qs, kind->run_table), 1, p);
    }
    return st;
}

/* COPY every prepared layer with the run id as the leading column; *rows (may be NULL) adds the rows. */
static ems_status copy_layers(emscov_ctx *ctx, store_pg *s, const result_layer *ls, size_t n, int64_t run_id,
                              uint64_t *rows)
{
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%" PRId64, run_id);
    const char *extra[1] = {idtext};
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        uint64_t got = 0;
        st = pg_copy_layer(ctx, s->c, s->schema, ls[k].table, s->use[k], s->srid, extra, 1, NULL, NULL, &got);
        if (st == EMS_OK && got != layer_count(s->use[k]))
            st = emscov_fail(ctx, EMS_EIO, "loading %s.%s: the server stored %" PRIu64 " rows of %zu",
                             s->schema, ls[k].table, got, layer_count(s->use[k]));
        if (rows)
            *rows += got;
    }
    return st;
}

/* ---- binary COPY into a run's partitions (layout 4) ------------------------------------------------------
 *
 * COPY ... FROM STDIN (FORMAT binary): a header, then per row a 16-bit field count and each field as a 32-bit
 * length (-1: NULL) and its binary value, big-endian (int8, float8, text as UTF-8 bytes, bool, date as days
 * since 2000-01-01, geometry as EWKB with the SRID), then -1. No text to format and none to parse. */

typedef struct cbuf {
    emscov_ctx *ctx;
    PGconn *conn;
    unsigned char *p;
    size_t n, cap;
    bool failed; /* out of memory, or the server refused data */
} cbuf;

#define CBUF_FLUSH (1u << 20)

static unsigned char *cb_room(cbuf *b, size_t more)
{
    if (b->failed)
        return NULL;
    if (b->n + more > b->cap) {
        size_t cap = b->cap ? b->cap : CBUF_FLUSH + 4096;
        while (cap < b->n + more)
            cap *= 2;
        unsigned char *np = ems_realloc(b->ctx, b->p, cap);
        if (!np) {
            b->failed = true;
            return NULL;
        }
        b->p = np;
        b->cap = cap;
    }
    unsigned char *at = b->p + b->n;
    b->n += more;
    return at;
}

static void be16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8), p[1] = (unsigned char)v;
}

static void be32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (24 - 8 * k));
}

static void be64(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (56 - 8 * k));
}

static void le32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static void cb_null(cbuf *b)
{
    unsigned char *p = cb_room(b, 4);
    if (p)
        be32(p, UINT32_MAX);
}

static void cb_int8(cbuf *b, int64_t v)
{
    unsigned char *p = cb_room(b, 12);
    if (p)
        be32(p, 8), be64(p + 4, (uint64_t)v);
}

static void cb_bytes(cbuf *b, const void *data, size_t n)
{
    unsigned char *p = n <= INT32_MAX ? cb_room(b, 4 + n) : NULL;
    if (p) {
        be32(p, (uint32_t)n);
        memcpy(p + 4, data, n);
    }
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Field value v (layer type t) as column kind k; false when it cannot be (a text in a number column, ...). */
static bool cb_value(cbuf *b, col_kind k, layer_field_type t, const layer_value *v)
{
    if (v->is_null || (t == LAYER_FIELD_DOUBLE && isnan(v->u.d))) {
        cb_null(b);
        return true;
    }
    double d = t == LAYER_FIELD_DOUBLE    ? v->u.d
               : t == LAYER_FIELD_INT     ? (double)v->u.i
               : t == LAYER_FIELD_LOGICAL ? v->u.b
                                          : NAN;
    int64_t i = t == LAYER_FIELD_INT ? v->u.i : t == LAYER_FIELD_LOGICAL ? v->u.b : (int64_t)d;
    bool integral =
        t == LAYER_FIELD_INT || t == LAYER_FIELD_LOGICAL || (t == LAYER_FIELD_DOUBLE && d == (double)i);
    unsigned char *p;
    switch (k) {
    case COL_INT2:
    case COL_INT4:
    case COL_INT8: {
        int64_t lim = k == COL_INT2 ? INT16_MAX : k == COL_INT4 ? INT32_MAX : INT64_MAX;
        if (!integral || i > lim || i < -lim - 1)
            return false;
        size_t w = k == COL_INT2 ? 2 : k == COL_INT4 ? 4 : 8;
        if ((p = cb_room(b, 4 + w))) {
            be32(p, (uint32_t)w);
            if (w == 2)
                be16(p + 4, (uint16_t)i);
            else if (w == 4)
                be32(p + 4, (uint32_t)i);
            else
                be64(p + 4, (uint64_t)i);
        }
        return true;
    }
    case COL_FLOAT4:
    case COL_FLOAT8:
        if (isnan(d))
            return false;
        if ((p = cb_room(b, k == COL_FLOAT4 ? 8 : 12))) {
            if (k == COL_FLOAT4) {
                float f = (float)d;
                uint32_t u;
                memcpy(&u, &f, 4);
                be32(p, 4), be32(p + 4, u);
            } else {
                uint64_t u;
                memcpy(&u, &d, 8);
                be32(p, 8), be64(p + 4, u);
            }
        }
        return true;
    case COL_TEXT:
        if (t != LAYER_FIELD_STRING)
            return false;
        cb_bytes(b, v->u.s, strlen(v->u.s));
        return true;
    case COL_BOOL:
        if (!integral)
            return false;
        if ((p = cb_room(b, 5)))
            be32(p, 1), p[4] = i != 0;
        return true;
    case COL_DATE:
        if (t != LAYER_FIELD_DATE)
            return false;
        if ((p = cb_room(b, 8))) {
            int32_t ymd = v->u.date;
            int64_t days = days_from_civil(ymd / 10000, (unsigned)(ymd / 100 % 100), (unsigned)(ymd % 100)) -
                           days_from_civil(2000, 1, 1);
            be32(p, 4), be32(p + 4, (uint32_t)(int32_t)days);
        }
        return true;
    }
    return false;
}

/* Point (x, y) as EWKB with the SRID: 25 bytes, little-endian. */
static void cb_point(cbuf *b, int srid, double x, double y)
{
    unsigned char *p = cb_room(b, 4 + 25);
    if (!p)
        return;
    be32(p, 25);
    p[4] = 1;
    le32(p + 5, 1u | 0x20000000u);
    le32(p + 9, (uint32_t)srid);
    uint64_t u[2];
    memcpy(&u[0], &x, 8);
    memcpy(&u[1], &y, 8);
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < 8; k++)
            p[13 + 8 * c + k] = (unsigned char)(u[c] >> (8 * k));
}

/* GEOS WKB (little-endian, no SRID) as EWKB with the SRID: the type word gains the SRID flag, the SRID
 * follows. multi > 0: the geometry is wrapped as the one part of a Multi* of that WKB type (a Polygon of a
 * layer that mixes Polygon and MultiPolygon, for a MultiPolygon column). */
static void cb_wkb(cbuf *b, int srid, const unsigned char *wkb, size_t n, uint32_t multi)
{
    size_t head = multi ? 13 : 9, body = multi ? n : n - 5;
    unsigned char *p = n >= 5 && n <= INT32_MAX - 16 ? cb_room(b, 4 + head + body) : NULL;
    if (!p)
        return;
    be32(p, (uint32_t)(head + body));
    p[4] = 1;
    uint32_t type =
        multi ? multi
              : (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8 | (uint32_t)wkb[3] << 16 | (uint32_t)wkb[4] << 24;
    le32(p + 5, type | 0x20000000u);
    le32(p + 9, (uint32_t)srid);
    if (multi)
        le32(p + 13, 1);
    memcpy(p + 4 + head, multi ? wkb : wkb + 5, body);
}

/* "what: connection lost: <server's first line> (<connection>)" for a failed COPY, as pg_exec words it. */
static ems_status copy_fail(emscov_ctx *ctx, pg_conn *c, const PGresult *r, const char *what)
{
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m)
        m = PQerrorMessage(pg_raw(c));
    size_t len = strcspn(m, "\n");
    bool lost = PQstatus(pg_raw(c)) == CONNECTION_BAD;
    return emscov_fail(ctx, EMS_EIO, "%s: %s%.*s (%s)", what, lost ? "connection lost: " : "", (int)len,
                       len ? m : "no answer from the server", pg_describe(c));
}

static bool cb_flush(cbuf *b)
{
    if (!b->failed && b->n && PQputCopyData(b->conn, (const char *)b->p, (int)b->n) != 1)
        b->failed = true;
    b->n = 0;
    return !b->failed;
}

/* COPY every row of layer k (its fields from s->use[k], rows from pts or the layer's features) into qp with
 * run_id id and gid = id * 2^32 + the row number (1-based, the GeoPackage fid): unique in the table over all runs
 * (QGIS's key of the tables and of the latest_ views; layout-3 identities stay below 2^32); *rows: what the
 * server stored. */
static ems_status copy_binary(emscov_ctx *ctx, store_pg *s, size_t k, const result_layer *rl, const char *qp,
                              int64_t id, uint64_t *rows)
{
    const layer *l = s->use[k];
    const result_points *pts = rl->pts;
    const char *gtype = layer_geom_type(l);
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t nf = layer_field_count(l), n = result_layer_rows(rl);
    char what[300];
    snprintf(what, sizeof what, "loading %s", qp);
    char *cols = fmt(ctx, "run_id");
    for (size_t j = 0; cols && j < nf; j++) {
        char *qc = pg_ident(ctx, s->c, NULL, layer_field_at(l, j)->name);
        char *more = qc ? fmt(ctx, "%s, %s", cols, qc) : NULL;
        free(qc);
        free(cols);
        cols = more;
    }
    char *sql = cols ? fmt(ctx, "COPY %s (%s, geom, gid) FROM STDIN (FORMAT binary)", qp, cols) : NULL;
    free(cols);
    if (!sql)
        return EMS_ENOMEM;
    layer_value *vals = ems_calloc(ctx, nf ? nf : 1, sizeof *vals);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    if (!vals || !w) {
        free(sql);
        free(vals);
        if (w)
            GEOSWKBWriter_destroy_r(h, w);
        return vals
                   ? emscov_fail(ctx, EMS_EINTERNAL, "%s: GEOS WKB writer: %s", what, emscov_lib_message(ctx))
                   : EMS_ENOMEM;
    }
    GEOSWKBWriter_setOutputDimension_r(h, w, 2);
    GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
    GEOSWKBWriter_setIncludeSRID_r(h, w, 0);
    PGresult *r = PQexec(pg_raw(s->c), sql);
    free(sql);
    ems_status st = PQresultStatus(r) == PGRES_COPY_IN ? EMS_OK : copy_fail(ctx, s->c, r, what);
    PQclear(r);
    cbuf b = {ctx, pg_raw(s->c), NULL, 0, 0, false};
    unsigned char *p = st == EMS_OK ? cb_room(&b, 19) : NULL;
    if (p) {
        memcpy(p, "PGCOPY\n\377\r\n\0", 11);
        be32(p + 11, 0); /* flags */
        be32(p + 15, 0); /* header extension length */
    }
    for (size_t i = 0; st == EMS_OK && i < n && !b.failed; i++) {
        p = cb_room(&b, 2);
        if (p)
            be16(p, (uint16_t)(nf + 3));
        cb_int8(&b, id);
        if (pts)
            pts->values(pts->user, i, vals);
        const layer_value *v = pts ? vals : layer_values(l, i);
        for (size_t j = 0; j < nf; j++) {
            static const layer_value null_value = {.is_null = true};
            const layer_field *f = layer_field_at(l, j);
            if (!cb_value(&b, s->cols[k][j], f->type, v ? &v[j] : &null_value)) {
                st = emscov_fail(ctx, EMS_EINTERNAL, "%s: row %zu: field %s does not fit its column's type",
                                 what, i + 1, f->name);
                break;
            }
        }
        if (pts) {
            cb_point(&b, s->srid, pts->x[i], pts->y[i]);
        } else if (!layer_geom(l, i)) {
            cb_null(&b);
        } else {
            size_t len = 0;
            unsigned char *wkb = GEOSWKBWriter_write_r(h, w, layer_geom(l, i), &len);
            if (!wkb) {
                st = emscov_fail(ctx, EMS_EINTERNAL, "%s: row %zu: GEOS could not write WKB: %s", what, i + 1,
                                 emscov_lib_message(ctx));
                break;
            }
            int t = GEOSGeomTypeId_r(h, layer_geom(l, i));
            cb_wkb(&b, s->srid, wkb, len,
                   !strcmp(gtype, "MultiPolygon") && t == GEOS_POLYGON         ? 6
                   : !strcmp(gtype, "MultiLineString") && t == GEOS_LINESTRING ? 5
                   : !strcmp(gtype, "MultiPoint") && t == GEOS_POINT           ? 4
                                                                               : 0);
            GEOSFree_r(h, wkb);
        }
        cb_int8(&b, (int64_t)((uint64_t)id << 32) + (int64_t)i + 1);
        if (b.n >= CBUF_FLUSH)
            cb_flush(&b);
    }
    p = st == EMS_OK ? cb_room(&b, 2) : NULL;
    if (p)
        be16(p, UINT16_MAX); /* trailer: -1 */
    bool sent = st == EMS_OK && cb_flush(&b);
    if (st == EMS_OK && !sent && !b.p)
        st = EMS_ENOMEM;
    if (PQputCopyEnd(pg_raw(s->c), sent ? NULL : "emscov stopped the load") != 1 && st == EMS_OK)
        st = copy_fail(ctx, s->c, NULL, what);
    while ((r = PQgetResult(pg_raw(s->c))) != NULL) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            *rows += strtoull(PQcmdTuples(r), NULL, 10);
        else if (st == EMS_OK)
            st = copy_fail(ctx, s->c, r, what);
        ExecStatusType es = PQresultStatus(r);
        PQclear(r);
        if (es == PGRES_COPY_IN || es == PGRES_COPY_OUT) /* cannot happen after PQputCopyEnd; never loop */
            break;
    }
    if (st == EMS_OK && b.failed)
        st = copy_fail(ctx, s->c, NULL, what);
    free(b.p);
    free(vals);
    GEOSWKBWriter_destroy_r(h, w);
    return st;
}

static ems_status insert_run(emscov_ctx *ctx, store_pg *s, const store_pg_run *run, const char *inputs,
                             int64_t *run_id)
{
    char started[40], finished[40], srid[16];
    snprintf(started, sizeof started, "%.6f", run->started);
    snprintf(finished, sizeof finished, "%.6f", run->finished);
    snprintf(srid, sizeof srid, "%d", s->srid);
    const char *p[9] = {run->name, run->scenario, started, finished,        s->version,
                        srid,      s->crs_name,   inputs,  run->report_json};
    PGresult *r = NULL;
    char what[200];
    snprintf(what, sizeof what, "inserting the run into %s.run", s->qs);
    ems_status st = query_own(
        ctx, s->c, what,
        fmt(ctx,
            "INSERT INTO %s.run (name, scenario, started, finished, emscov_version, working_srid, "
            "working_crs, inputs, report, parameters, standards, population_input, population_allocated, "
            "population_outside, demand_points, coverage_within_s, covered_population, covered_share, "
            "unreachable_population, "
            "mean_response_s, median_response_s, p90_response_s, max_response_s, mean_target_s, "
            "mean_target_met, subdistricts, stations, stations_outside, gaps, ambulances, "
            "ambulances_required, ambulance_shortfall, ambulances_per_n, park_share, "
            "park_population_share, residents_per_ambulance, mean_verdict, stations_verdict, "
            "ambulances_verdict, park_verdict, satisfaction_verdict, population_dropped, input_issues) "
            "SELECT $1, $2, to_timestamp($3::float8), to_timestamp($4::float8), $5, $6::integer, $7, "
            "$8::jsonb, r, coalesce(r->'parameters', '{}'::jsonb), r->'standards'->>'name', "
            "(r->'population'->>'input_total')::float8, "
            "(r->'population'->>'allocated_total')::float8, "
            "(r->'population'->>'outside_subdistricts')::float8, "
            "(r->'population'->>'demand_points')::bigint, "
            "(r->'coverage'->'covered'->0->>'within_s')::float8, "
            "(r->'coverage'->'covered'->0->>'population')::float8, "
            "(r->'coverage'->'covered'->0->>'share')::float8, "
            "(r->'coverage'->>'unreachable_population')::float8, "
            "(r->'coverage'->>'mean_s')::float8, (r->'coverage'->>'median_s')::float8, "
            "(r->'coverage'->>'p90_s')::float8, (r->'coverage'->>'max_s')::float8, "
            "(r->'standards'->>'mean_below_s')::float8, (r->'coverage'->>'mean_target_met')::boolean, "
            "jsonb_array_length(coalesce(r->'subdistricts', '[]'::jsonb)), "
            "(r->'gaps'->>'stations')::integer, (r->'gaps'->>'stations_outside')::integer, "
            "(r->'gaps'->>'subdistricts_without_station')::integer, "
            "(r->'ambulances'->>'ambulances')::float8, (r->'ambulances'->>'required')::float8, "
            "(r->'ambulances'->>'shortfall')::float8, (r->'ambulances'->>'per_standard_residents')::float8, "
            "(r->'parks'->>'share')::float8, (r->'parks'->>'population_share')::float8, "
            "(r->'standards'->>'residents_per_ambulance')::float8, "
            "(SELECT t->>'verdict' FROM jsonb_array_elements(r->'targets') t WHERE t->>'key' = 'mean_response_time'), "
            "(SELECT t->>'verdict' FROM jsonb_array_elements(r->'targets') t "
            "WHERE t->>'key' = 'stations_per_subdistrict'), "
            "(SELECT t->>'verdict' FROM jsonb_array_elements(r->'targets') t "
            "WHERE t->>'key' = 'ambulances_per_residents'), "
            "(SELECT t->>'verdict' FROM jsonb_array_elements(r->'targets') t WHERE t->>'key' = 'park_coverage'), "
            "(SELECT t->>'verdict' FROM jsonb_array_elements(r->'targets') t WHERE t->>'key' = 'call_satisfaction'), "
            "(r->'population'->>'dropped_total')::float8, "
            "jsonb_array_length(coalesce(r->'ledger'->'issues', '[]'::jsonb)) "
            "FROM (SELECT $9::jsonb AS r) j RETURNING id",
            s->qs),
        9, p, &r);
    if (st == EMS_OK)
        *run_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

/* The run's inputs as its `inputs` json (a new string): each role's files from run->files (checksummed
 * before), or read now when it is NULL. */
static ems_status inputs_json(emscov_ctx *ctx, const store_pg_run *run, char **out)
{
    *out = NULL;
    json_object *in = json_object_new_object();
    ems_status st = in ? EMS_OK : EMS_ENOMEM;
    for (size_t k = 0; st == EMS_OK && k < run->ninputs; k++) {
        if (!run->inputs[k].path)
            continue;
        json_object *o = NULL;
        st = input_json(ctx, run->files, run->inputs[k].name, run->inputs[k].path, &o);
        json_object_object_add(in, run->inputs[k].name, o);
    }
    if (st == EMS_OK &&
        !(*out = ems_strdup(ctx, json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN |
                                                                        JSON_C_TO_STRING_NOSLASHESCAPE))))
        st = EMS_ENOMEM;
    json_object_put(in);
    return st;
}

/* Quoted names of the parent table of layer k and of run id's partition of it (<table>_r<id>). */
static ems_status partition_names(emscov_ctx *ctx, store_pg *s, const char *table, int64_t id, char **qt,
                                  char **qp, char **pname)
{
    *pname = fmt(ctx, "%s_r%" PRId64, table, id);
    *qt = pg_ident(ctx, s->c, s->schema, table);
    *qp = *pname ? pg_ident(ctx, s->c, s->part, *pname) : NULL;
    return *pname && *qt && *qp ? EMS_OK : EMS_ENOMEM;
}

/* One layer of a run: its own table shaped like the parent (plus CHECK (run_id = id), so that attaching
 * needs no scan), loaded with binary COPY while it has no index, then indexed in bulk to match the parent's
 * partitioned indexes (attaching adopts them). */
static ems_status load_partition(emscov_ctx *ctx, store_pg *s, size_t k, const result_layer *rl, int64_t id,
                                 uint64_t *rows)
{
    char *qt = NULL, *qp = NULL, *pname = NULL;
    ems_status st = partition_names(ctx, s, rl->table, id, &qt, &qp, &pname);
    char what[300], *check = pname ? fmt(ctx, "%s_run", pname) : NULL,
                    *qc = check ? pg_ident(ctx, s->c, NULL, check) : NULL;
    snprintf(what, sizeof what, "creating table %s", qp ? qp : rl->table);
    if (st == EMS_OK)
        st = qc ? exec_own(ctx, s->c, what,
                           fmt(ctx, "CREATE TABLE %s (LIKE %s, CONSTRAINT %s CHECK (run_id = %" PRId64 "))",
                               qp, qt, qc, id),
                           0, NULL)
                : EMS_ENOMEM;
    uint64_t got = 0;
    if (st == EMS_OK)
        st = copy_binary(ctx, s, k, rl, qp, id, &got);
    if (st == EMS_OK && got != result_layer_rows(rl))
        st = emscov_fail(ctx, EMS_EIO, "loading %s.%s: the server stored %" PRIu64 " rows of %zu", s->schema,
                         rl->table, got, result_layer_rows(rl));
    if (st == EMS_OK)
        st = partitioned_indexes(ctx, s, pname, qp);
    *rows += got;
    free(qt);
    free(qp);
    free(pname);
    free(check);
    free(qc);
    return st;
}

ems_status store_pg_load(emscov_ctx *ctx, store_pg *s, const store_pg_run *run, const result_layer *ls,
                         size_t n, int64_t *run_id, uint64_t *rows)
{
    *run_id = 0;
    uint64_t got = 0;
    if (n != s->n || !s->srid || s->prepared != &kind_analyze || s->loaded)
        return emscov_fail(
            ctx, EMS_EINTERNAL,
            "store_pg_load: the layers were not prepared (store_pg_prepare), or a run is loaded");
    if (!run->name || !*run->name)
        return emscov_fail(ctx, EMS_EINPUT, "the run has an empty name");
    /* the checksums first: reading the inputs can take seconds, and no transaction waits for it */
    char *inputs = NULL;
    ems_status st = inputs_json(ctx, run, &inputs);
    if (st == EMS_OK)
        st = begin_run(ctx, s, &kind_analyze, run->name, run->replace);
    if (st == EMS_OK)
        st = insert_run(ctx, s, run, inputs, run_id);
    /* room for the sorted GiST builds, for this transaction only */
    if (st == EMS_OK)
        st = pg_exec(ctx, s->c, "setting maintenance_work_mem",
                     "SELECT set_config('maintenance_work_mem', '256MB', true) WHERE "
                     "pg_size_bytes(current_setting('maintenance_work_mem')) < 256 * 1024 * 1024",
                     0, NULL);
    for (size_t k = 0; st == EMS_OK && k < n; k++)
        st = load_partition(ctx, s, k, &ls[k], *run_id, &got);
    free(inputs);
    if (rows)
        *rows = got;
    if (st != EMS_OK) {
        pg_rollback(s->c);
        *run_id = 0;
        return st;
    }
    s->loaded = *run_id;
    return EMS_OK;
}

ems_status store_pg_attach(emscov_ctx *ctx, store_pg *s, const result_layer *ls, size_t n)
{
    if (!s->loaded || n != s->n)
        return emscov_fail(ctx, EMS_EINTERNAL, "store_pg_attach: no run loaded (store_pg_load)");
    ems_status st = EMS_OK;
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        char *qt = NULL, *qp = NULL, *pname = NULL, what[300];
        st = partition_names(ctx, s, ls[k].table, s->loaded, &qt, &qp, &pname);
        snprintf(what, sizeof what, "attaching %s to %s", qp ? qp : "", qt ? qt : "");
        if (st == EMS_OK)
            st = exec_own(
                ctx, s->c, what,
                fmt(ctx, "ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (%" PRId64 ")", qt, qp, s->loaded),
                0, NULL);
        /* the CHECK that spared the attach its scan is the partition bound now: dropped, since reading a CHECK
         * constraint's definition (pg_get_constraintdef, which PostGIS's geometry_columns does for every
         * constraint of the database) waits on any lock of its table -- a reader of geometry_columns would
         * wait on a run deleting or locking these rows */
        char *check = pname ? fmt(ctx, "%s_run", pname) : NULL, *qc = check ? pg_ident(ctx, s->c, NULL, check) : NULL;
        if (st == EMS_OK)
            st = qc ? exec_own(ctx, s->c, what, fmt(ctx, "ALTER TABLE %s DROP CONSTRAINT %s", qp, qc), 0, NULL)
                    : EMS_ENOMEM;
        free(check);
        free(qc);
        free(qt);
        free(qp);
        free(pname);
    }
    s->loaded = 0;
    if (st != EMS_OK)
        pg_rollback(s->c);
    return st;
}

ems_status store_pg_write(emscov_ctx *ctx, store_pg *s, const store_pg_run *run, const result_layer *ls,
                          size_t n, int64_t *run_id, uint64_t *rows)
{
    ems_status st = store_pg_load(ctx, s, run, ls, n, run_id, rows);
    if (st == EMS_OK && (st = store_pg_attach(ctx, s, ls, n)) != EMS_OK)
        *run_id = 0;
    return st;
}

/* ---- a sites run --------------------------------------------------------------------------------------- */

static ems_status insert_sites_run(emscov_ctx *ctx, store_pg *s, const store_pg_sites_run *run, int64_t *id)
{
    char started[40], finished[40], srid[16];
    snprintf(started, sizeof started, "%.6f", run->started);
    snprintf(finished, sizeof finished, "%.6f", run->finished);
    snprintf(srid, sizeof srid, "%d", s->srid);
    const char *p[8] = {run->name, run->scenario, started,     finished,
                        s->version, srid,        s->crs_name, run->sites_json};
    PGresult *r = NULL;
    char what[200];
    snprintf(what, sizeof what, "inserting the run into %s.sites_run", s->qs);
    ems_status st = query_own(
        ctx, s->c, what,
        fmt(ctx,
            "INSERT INTO %s.sites_run (name, scenario, started, finished, emscov_version, working_srid, "
            "working_crs, report, parameters, candidates, k, baseline_covered, selected_covered, "
            "selected_covered_share) "
            "SELECT $1, $2, to_timestamp($3::float8), to_timestamp($4::float8), $5, $6::integer, $7, r, "
            "coalesce(r->'parameters', '{}'::jsonb), (r->'candidates'->>'evaluated')::integer, "
            "(r->'parameters'->>'k')::integer, (r->'baseline'->>'covered')::float8, "
            "(r->'greedy'->>'covered')::float8, (r->'greedy'->>'covered_share')::float8 "
            "FROM (SELECT $8::jsonb AS r) j RETURNING id",
            s->qs),
        8, p, &r);
    if (st == EMS_OK)
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

ems_status store_pg_write_sites(emscov_ctx *ctx, store_pg *s, const store_pg_sites_run *run,
                                const result_layer *ls, size_t n, int64_t *run_id, uint64_t *rows)
{
    *run_id = 0;
    if (rows)
        *rows = 0;
    if (n != s->n || !s->srid || s->prepared != &kind_sites)
        return emscov_fail(ctx, EMS_EINTERNAL,
                           "store_pg_write_sites: the layers were not prepared (store_pg_prepare_sites)");
    if (!run->name || !*run->name)
        return emscov_fail(ctx, EMS_EINPUT, "the sites run has an empty name");
    ems_status st = begin_run(ctx, s, &kind_sites, run->name, run->replace);
    if (st == EMS_OK)
        st = insert_sites_run(ctx, s, run, run_id);
    if (st == EMS_OK)
        st = copy_layers(ctx, s, ls, n, *run_id, rows);
    if (st != EMS_OK) {
        pg_rollback(s->c);
        *run_id = 0;
    }
    return st;
}

ems_status store_pg_commit(emscov_ctx *ctx, store_pg *s)
{
    return pg_commit(ctx, s->c);
}

void store_pg_abort(store_pg *s)
{
    if (s) {
        s->loaded = 0;
        pg_rollback(s->c);
    }
}

static ems_status delete_run(emscov_ctx *ctx, store_pg *s, const store_kind *kind, int64_t run_id)
{
    char idtext[24], what[200];
    snprintf(idtext, sizeof idtext, "%" PRId64, run_id);
    snprintf(what, sizeof what, "deleting run %s from %s.%s", idtext, s->qs, kind->run_table);
    const char *p[1] = {idtext};
    return exec_own(ctx, s->c, what,
                    fmt(ctx, "DELETE FROM %s.%s WHERE id = $1::bigint", s->qs, kind->run_table), 1, p);
}

ems_status store_pg_delete_run(emscov_ctx *ctx, store_pg *s, int64_t run_id)
{
    return delete_run(ctx, s, &kind_analyze, run_id);
}

ems_status store_pg_delete_sites_run(emscov_ctx *ctx, store_pg *s, int64_t run_id)
{
    return delete_run(ctx, s, &kind_sites, run_id);
}
