/* src/output/store_gpkg.c: GeoPackage writer over SQLite (see store_gpkg.h).
 *
 * The temporary file is created with open(2) first, so a missing or read-only directory is reported with
 * errno and both paths, then handed to SQLite with journal_mode=OFF and synchronous=OFF: it is renamed onto
 * the target only when complete, so a crash can never leave a half-written file under the final name.
 * With no journal SQLite cannot roll back, hence the "broken" flag: after a failure that may have written
 * something, the store refuses to commit. Table, column and index names are quoted with sqlite3_mprintf's
 * %w (double quotes doubled); every value is a bound parameter.
 *
 * Per layer: CREATE TABLE and the R-tree virtual table, one prepared INSERT reused for every feature (boxes
 * collected on the way; a point table's rows come straight from its arrays, and its blobs are written here
 * without GEOS), the R-tree bulk-loaded from those boxes (see below), then gpkg_contents (extent
 * accumulated while writing), gpkg_geometry_columns, the gpkg_extensions row and, last, the six GeoPackage
 * 1.3 R-tree triggers. The triggers call ST_IsEmpty, ST_MinX, ..., which only GeoPackage-aware software
 * (GDAL, QGIS, SpatiaLite) defines: they are created after the rows are in, so they never fire here, and they
 * keep the index right when a GIS edits the file later (validate_gpkg.py also requires them). */
#include "src/output/store_gpkg.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define GPKG_APPLICATION_ID 0x47504B47 /* "GPKG" */
#define GPKG_USER_VERSION 10300        /* 1.3.0 */
#define GPKG_PRIVATE_SRS 100000        /* first srs_id for CRSs without an EPSG code */
#define GPKG_HEADER_LEN 40             /* magic, version, flags, srs_id, xy envelope */
#define GPKG_BATCH 32                  /* rows of a point table per INSERT statement */

typedef struct gpkg_srs {
    int id;
    char *key; /* "EPSG:<code>" or the WKT2 text of a CRS without code */
} gpkg_srs;

/* One R-tree cell: a feature (leaf level) or a child node, with its box rounded outwards to float, the
 * precision SQLite's R-tree stores. */
typedef struct rt_entry {
    int64_t id;
    float b[4]; /* minx, maxx, miny, maxy: the column order of the rtree table */
} rt_entry;

struct gpkg_store {
    sqlite3 *db;
    char *path, *tmp;
    bool broken; /* something may have been written by a call that failed: abort only */
    char **tables;
    size_t ntables, tables_cap;
    gpkg_srs *srs;
    size_t nsrs, srs_cap;
    unsigned char *buf; /* GeoPackage geometry blob being built */
    size_t buf_cap;
    rt_entry *rt; /* R-tree entries of the layer being written */
    size_t nrt, rt_cap;
    bool styles;   /* the layer_styles table exists */
    bool projects; /* the qgis_projects table exists */
};

static const char wgs84_wkt1[] =
    "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS "
    "84\",6378137,298.257223563,AUTHORITY[\"EPSG\",\"7030\"]],"
    "AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\","
    "0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AUTHORITY[\"EPSG\",\"4326\"]]";

static const char schema_sql[] =
    "CREATE TABLE gpkg_spatial_ref_sys ("
    " srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,"
    " organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);"
    "CREATE TABLE gpkg_contents ("
    " table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,"
    " description TEXT DEFAULT '',"
    " last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
    " min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,"
    " CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));"
    "CREATE TABLE gpkg_geometry_columns ("
    " table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,"
    " srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,"
    " CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),"
    " CONSTRAINT uk_gc_table_name UNIQUE (table_name),"
    " CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),"
    " CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_extensions ("
    " table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,"
    " scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));";

/* The R-tree triggers of GeoPackage 1.3 Annex F.3, for table %1$w, index rtree_%1$w_geom, key "fid". */
static const char *const trigger_sql[] = {
    "CREATE TRIGGER \"rtree_%w_geom_insert\" AFTER INSERT ON \"%w\""
    " WHEN (new.\"geom\" NOT NULL AND NOT ST_IsEmpty(NEW.\"geom\"))"
    " BEGIN INSERT OR REPLACE INTO \"rtree_%w_geom\" VALUES (NEW.\"fid\","
    " ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"), ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\")); END",
    "CREATE TRIGGER \"rtree_%w_geom_update1\" AFTER UPDATE OF \"geom\" ON \"%w\""
    " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT ST_IsEmpty(NEW.\"geom\"))"
    " BEGIN INSERT OR REPLACE INTO \"rtree_%w_geom\" VALUES (NEW.\"fid\","
    " ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"), ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\")); END",
    "CREATE TRIGGER \"rtree_%w_geom_update2\" AFTER UPDATE OF \"geom\" ON \"%w\""
    " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\"))"
    " BEGIN DELETE FROM \"rtree_%w_geom\" WHERE id = OLD.\"fid\"; END",
    "CREATE TRIGGER \"rtree_%w_geom_update3\" AFTER UPDATE ON \"%w\""
    " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" NOTNULL AND NOT ST_IsEmpty(NEW.\"geom\"))"
    " BEGIN DELETE FROM \"rtree_%w_geom\" WHERE id = OLD.\"fid\";"
    " INSERT OR REPLACE INTO \"rtree_%w_geom\" VALUES (NEW.\"fid\","
    " ST_MinX(NEW.\"geom\"), ST_MaxX(NEW.\"geom\"), ST_MinY(NEW.\"geom\"), ST_MaxY(NEW.\"geom\")); END",
    "CREATE TRIGGER \"rtree_%w_geom_update4\" AFTER UPDATE ON \"%w\""
    " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW.\"geom\" ISNULL OR ST_IsEmpty(NEW.\"geom\"))"
    " BEGIN DELETE FROM \"rtree_%w_geom\" WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END",
    "CREATE TRIGGER \"rtree_%w_geom_delete\" AFTER DELETE ON \"%w\""
    " WHEN old.\"geom\" NOT NULL"
    " BEGIN DELETE FROM \"rtree_%w_geom\" WHERE id = OLD.\"fid\"; END",
};

/* ---- helpers ----------------------------------------------------------------------------------------- */

static ems_status sql_fail(emscov_ctx *ctx, gpkg_store *s)
{
    s->broken = true;
    if (sqlite3_errcode(s->db) == SQLITE_NOMEM)
        return emscov_fail(ctx, EMS_ENOMEM, "%s: SQLite: out of memory", s->path);
    return emscov_fail(ctx, EMS_EIO, "%s: SQLite: %s", s->path, sqlite3_errmsg(s->db));
}

/* Run SQL text without parameters (sql may be NULL: an sqlite3 string builder that ran out of memory). */
static ems_status exec_sql(emscov_ctx *ctx, gpkg_store *s, const char *sql)
{
    if (!sql) {
        s->broken = true;
        return emscov_fail(ctx, EMS_ENOMEM, "%s: out of memory building SQL", s->path);
    }
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? EMS_OK : sql_fail(ctx, s);
}

/* exec_sql for text from sqlite3_mprintf, freed here. */
static ems_status exec_owned(emscov_ctx *ctx, gpkg_store *s, char *sql)
{
    ems_status st = exec_sql(ctx, s, sql);
    sqlite3_free(sql);
    return st;
}

static ems_status prepare(emscov_ctx *ctx, gpkg_store *s, const char *sql, sqlite3_stmt **st)
{
    if (!sql) {
        s->broken = true;
        return emscov_fail(ctx, EMS_ENOMEM, "%s: out of memory building SQL", s->path);
    }
    return sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK ? EMS_OK : sql_fail(ctx, s);
}

/* Step a statement that returns no rows, then reset it for the next use. */
static ems_status step_reset(emscov_ctx *ctx, gpkg_store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? EMS_OK : sql_fail(ctx, s);
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool same_name(const char *a, const char *b)
{
    for (; *a && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b); a++, b++) {
    }
    return ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b);
}

static bool has_prefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (ascii_lower((unsigned char)*s) != *prefix) return false;
    return true;
}

static void put_u32le(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

static void put_f64le(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

/* gpkg_contents.last_change: now, or SOURCE_DATE_EPOCH when set (reproducible builds convention). */
static void timestamp(char out[32])
{
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (!*end && v >= 0) t = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00.000Z");
}

/* ---- spatial reference systems ----------------------------------------------------------------------- */

static ems_status srs_remember(emscov_ctx *ctx, gpkg_store *s, int id, const char *key)
{
    if (!ems_grow(ctx, (void **)&s->srs, &s->srs_cap, s->nsrs + 1, sizeof *s->srs)) return EMS_ENOMEM;
    char *k = ems_strdup(ctx, key);
    if (!k) return EMS_ENOMEM;
    s->srs[s->nsrs++] = (gpkg_srs){.id = id, .key = k};
    return EMS_OK;
}

static bool srs_id_used(const gpkg_store *s, int id)
{
    for (size_t k = 0; k < s->nsrs; k++)
        if (s->srs[k].id == id) return true;
    return false;
}

static ems_status srs_insert(emscov_ctx *ctx, gpkg_store *s, const char *name, int id, const char *org,
                             int org_id, const char *definition, const char *description)
{
    sqlite3_stmt *st = NULL;
    ems_status rc = prepare(ctx, s,
                            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization,"
                            " organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)",
                            &st);
    if (rc != EMS_OK) return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, id);
    sqlite3_bind_text(st, 3, org, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, org_id);
    sqlite3_bind_text(st, 5, definition, -1, SQLITE_STATIC);
    if (description) sqlite3_bind_text(st, 6, description, -1, SQLITE_STATIC);
    rc = step_reset(ctx, s, st);
    sqlite3_finalize(st);
    return rc;
}

/* WKT1 (GDAL flavour, one line) of an EPSG code from PROJ's database, or of WKT2 text; a new string, or NULL
 * when PROJ cannot express it in WKT1 (the caller falls back to WKT2, which GDAL reads as well). */
static char *wkt1_of(emscov_ctx *ctx, int epsg, const char *wkt2)
{
    PJ_CONTEXT *pc = emscov_proj(ctx);
    PJ *pj;
    if (epsg > 0) {
        char code[16];
        snprintf(code, sizeof code, "%d", epsg);
        pj = proj_create_from_database(pc, "EPSG", code, PJ_CATEGORY_CRS, 0, NULL);
    } else {
        pj = proj_create(pc, wkt2);
    }
    if (!pj) return NULL;
    const char *const opts[] = {"MULTILINE=NO", NULL};
    const char *w = proj_as_wkt(pc, pj, PJ_WKT1_GDAL, opts);
    char *copy = w ? strdup(w) : NULL;
    proj_destroy(pj);
    return copy;
}

/* srs_id for a layer CRS, inserting its gpkg_spatial_ref_sys row the first time. */
static ems_status srs_for(emscov_ctx *ctx, gpkg_store *s, const crs *c, int *id)
{
    int epsg = crs_epsg(c);
    char key[32];
    snprintf(key, sizeof key, "EPSG:%d", epsg);
    const char *k = epsg > 0 ? key : crs_wkt(c);
    for (size_t j = 0; j < s->nsrs; j++)
        if (!strcmp(s->srs[j].key, k)) {
            *id = s->srs[j].id;
            return EMS_OK;
        }
    int new_id = epsg;
    if (epsg <= 0)
        for (new_id = GPKG_PRIVATE_SRS; srs_id_used(s, new_id); new_id++) {
        }
    char *w1 = wkt1_of(ctx, epsg, crs_wkt(c));
    ems_status st = srs_insert(ctx, s, crs_name(c), new_id, epsg > 0 ? "EPSG" : "NONE", new_id,
                               w1 ? w1 : crs_wkt(c), NULL);
    free(w1);
    if (st == EMS_OK && (st = srs_remember(ctx, s, new_id, k)) != EMS_OK) s->broken = true;
    if (st == EMS_OK) *id = new_id;
    return st;
}

/* ---- begin / abort / commit -------------------------------------------------------------------------- */

static void store_free(gpkg_store *s)
{
    for (size_t k = 0; k < s->ntables; k++)
        free(s->tables[k]);
    free(s->tables);
    for (size_t k = 0; k < s->nsrs; k++)
        free(s->srs[k].key);
    free(s->srs);
    free(s->buf);
    free(s->rt);
    free(s->path);
    free(s->tmp);
    free(s);
}

/* Close the database and delete the temporary file (and any journal SQLite might have left). */
static void discard(gpkg_store *s)
{
    sqlite3_close_v2(s->db);
    s->db = NULL;
    unlink(s->tmp);
    size_t n = strlen(s->tmp);
    char *j = malloc(n + 16);
    if (j) {
        snprintf(j, n + 16, "%s-journal", s->tmp);
        unlink(j);
        free(j);
    }
}

void gpkg_store_abort(gpkg_store *s)
{
    if (!s) return;
    discard(s);
    store_free(s);
}

ems_status gpkg_store_begin(emscov_ctx *ctx, const char *path, gpkg_store **out)
{
    *out = NULL;
    gpkg_store *s = ems_calloc(ctx, 1, sizeof *s);
    if (!s) return EMS_ENOMEM;
    size_t n = strlen(path) + 32;
    s->path = ems_strdup(ctx, path);
    s->tmp = ems_malloc(ctx, n);
    if (!s->path || !s->tmp) {
        store_free(s);
        return EMS_ENOMEM;
    }
    snprintf(s->tmp, n, "%s.tmp-%ld", path, (long)getpid());
    int fd = open(s->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) {
        ems_status st = emscov_fail(ctx, EMS_EIO, "%s: cannot create the temporary file %s: %s", path, s->tmp,
                                    strerror(errno));
        store_free(s);
        return st;
    }
    close(fd);
    int rc = sqlite3_open_v2(s->tmp, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        ems_status st =
            emscov_fail(ctx, rc == SQLITE_NOMEM ? EMS_ENOMEM : EMS_EIO, "%s: SQLite cannot open %s: %s", path,
                        s->tmp, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        gpkg_store_abort(s);
        return st;
    }
    char *pragmas = sqlite3_mprintf("PRAGMA application_id = %d; PRAGMA user_version = %d;"
                                    " PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                                    " PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -65536;"
                                    " PRAGMA temp_store = MEMORY; BEGIN",
                                    GPKG_APPLICATION_ID, GPKG_USER_VERSION);
    ems_status st = exec_owned(ctx, s, pragmas);
    if (st == EMS_OK) st = exec_sql(ctx, s, schema_sql);
    if (st == EMS_OK)
        st = srs_insert(ctx, s, "Undefined cartesian SRS", -1, "NONE", -1, "undefined",
                        "undefined cartesian coordinate reference system");
    if (st == EMS_OK)
        st = srs_insert(ctx, s, "Undefined geographic SRS", 0, "NONE", 0, "undefined",
                        "undefined geographic coordinate reference system");
    if (st == EMS_OK)
        st = srs_insert(ctx, s, "WGS 84 geodetic", 4326, "EPSG", 4326, wgs84_wkt1,
                        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid");
    if (st == EMS_OK) st = srs_remember(ctx, s, 4326, "EPSG:4326");
    if (st == EMS_OK) st = srs_remember(ctx, s, -1, "NONE:-1");
    if (st == EMS_OK) st = srs_remember(ctx, s, 0, "NONE:0");
    if (st != EMS_OK) {
        gpkg_store_abort(s);
        return st;
    }
    *out = s;
    return EMS_OK;
}

ems_status gpkg_store_commit(emscov_ctx *ctx, gpkg_store *s)
{
    ems_status st = EMS_OK;
    if (s->broken)
        st = emscov_fail(ctx, EMS_EINTERNAL, "%s: not written: an earlier layer failed (abort the store)",
                         s->path);
    if (st == EMS_OK) st = exec_sql(ctx, s, "COMMIT");
    if (st == EMS_OK) {
        if (sqlite3_close(s->db) != SQLITE_OK)
            st = sql_fail(ctx, s);
        else
            s->db = NULL;
    }
    if (st == EMS_OK) {
        int fd = open(s->tmp, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0)
            st = emscov_fail(ctx, EMS_EIO, "%s: cannot flush %s to disk: %s", s->path, s->tmp,
                             strerror(errno));
        if (fd >= 0) close(fd);
    }
    if (st == EMS_OK && rename(s->tmp, s->path) != 0)
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot rename %s onto it: %s", s->path, s->tmp, strerror(errno));
    if (st == EMS_OK) {
        /* Make the rename itself durable; a directory that cannot be fsynced is no error (nor is a path too
         * long for this buffer: the file is in place, and nothing here may fail the store any more). */
        char dir[4096];
        int len = snprintf(dir, sizeof dir, "%s", s->path);
        if (len > 0 && (size_t)len < sizeof dir) {
            char *slash = strrchr(dir, '/');
            if (slash) slash[slash == dir] = '\0';
            int fd = open(slash ? dir : ".", O_RDONLY);
            if (fd >= 0) {
                fsync(fd);
                close(fd);
            }
        }
        store_free(s);
        return EMS_OK;
    }
    gpkg_store_abort(s);
    return st;
}

/* ---- R-tree bulk load -------------------------------------------------------------------------------
 *
 * Inserting through the rtree virtual table costs a tree descent, node rewrites and splits per feature (about
 * 20 s for 1 M points). Instead the tree is packed with Sort-Tile-Recursive and its node, rowid and parent
 * shadow tables are written directly, in the format documented at the top of SQLite's ext/rtree/rtree.c:
 * node 1 is the root, whose first 2 bytes hold the tree depth (0 when the root is a leaf); then a 2-byte cell
 * count and cells of an 8-byte id (rowid in leaves, child node number above) and four 4-byte floats, all
 * big-endian, in blobs as long as the root blob SQLite created (1228 bytes with 4 KiB pages: 51 cells).
 * Boxes are rounded outwards to float as SQLite does. rtreecheck() verifies the result in the tests. */

static float float_down(double d)
{
    float f = (float)d;
    return (double)f > d ? nextafterf(f, -INFINITY) : f;
}

static float float_up(double d)
{
    float f = (float)d;
    return (double)f < d ? nextafterf(f, INFINITY) : f;
}

static void put_u16be(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8), p[1] = (unsigned char)v;
}

static void put_u64be(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (56 - 8 * k));
}

static void put_f32be(unsigned char *p, float f)
{
    uint32_t v;
    memcpy(&v, &f, sizeof v);
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (24 - 8 * k));
}

/* Sort keys: box centres (doubled), ties by id so the file is the same on every run. */
static int cmp_x(const void *a, const void *b)
{
    const rt_entry *p = a, *q = b;
    float u = p->b[0] + p->b[1], v = q->b[0] + q->b[1];
    return u < v ? -1 : u > v ? 1 : (p->id > q->id) - (p->id < q->id);
}

static int cmp_y(const void *a, const void *b)
{
    const rt_entry *p = a, *q = b;
    float u = p->b[2] + p->b[3], v = q->b[2] + q->b[3];
    return u < v ? -1 : u > v ? 1 : (p->id > q->id) - (p->id < q->id);
}

/* The same orders by radix sort: each cell's key is (the float centre's bits made sortable) << 32 | id, sorted
 * by an LSD radix sort of 11-bit digits, which orders exactly as cmp_x / cmp_y do (centre, then id; -0 as
 * +0) in linear time: 1.4 M demand points sort in a few hundredths of a second instead of most of one. */
typedef struct rt_key {
    uint64_t k;
    uint32_t i;
} rt_key;

static uint32_t float_order(float f)
{
    f += 0.0f; /* -0 -> +0: equal in the comparison */
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u & 0x80000000u ? ~u : u | 0x80000000u;
}

/* Sort e[0, n) by (centre on axis 0 = x or 1 = y, id) with the scratch of n keys (a, b) and cells (t). */
static void radix_sort(rt_entry *e, size_t n, int axis, rt_key *a, rt_key *b, rt_entry *t)
{
    for (size_t i = 0; i < n; i++) {
        float u = axis ? e[i].b[2] + e[i].b[3] : e[i].b[0] + e[i].b[1];
        a[i] = (rt_key){(uint64_t)float_order(u) << 32 | (uint32_t)e[i].id, (uint32_t)i};
    }
    size_t count[2048];
    for (int shift = 0; shift < 64; shift += 11) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(a[i].k >> shift) & 2047]++;
        size_t sum = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            b[count[(a[i].k >> shift) & 2047]++] = a[i];
        rt_key *sw = a;
        a = b;
        b = sw;
    }
    for (size_t i = 0; i < n; i++)
        t[i] = e[a[i].i];
    memcpy(e, t, n * sizeof *e);
}

/* Order n cells so that consecutive runs of cap form compact nodes: sort by x, cut into ~sqrt(n/cap)
 * vertical slices, sort each slice by y. Radix sorts when the ids fit 32 bits (always, in practice), else
 * qsort with the same comparisons. */
static void str_order(rt_entry *e, size_t n, size_t cap)
{
    size_t nodes = (n + cap - 1) / cap;
    size_t slices = (size_t)ceil(sqrt((double)nodes));
    size_t per_slice = slices * cap;
    bool small_ids = n < UINT32_MAX;
    for (size_t i = 0; i < n && small_ids; i++)
        small_ids = e[i].id >= 0 && e[i].id <= (int64_t)UINT32_MAX;
    rt_key *a = small_ids ? malloc(n * sizeof *a) : NULL, *b = a ? malloc(n * sizeof *b) : NULL;
    rt_entry *t = b ? malloc(n * sizeof *t) : NULL;
    if (t)
        radix_sort(e, n, 0, a, b, t);
    else
        qsort(e, n, sizeof *e, cmp_x);
    for (size_t i = 0; i < n; i += per_slice) {
        size_t m = n - i < per_slice ? n - i : per_slice;
        if (t)
            radix_sort(e + i, m, 1, a, b, t);
        else
            qsort(e + i, m, sizeof *e, cmp_y);
    }
    free(a);
    free(b);
    free(t);
}

typedef struct rt_writer {
    sqlite3_stmt *node, *root, *rowid, *parent;
    unsigned char *blob;
    size_t node_size;
} rt_writer;

/* Write node nodeno (1 = root, with depth) holding cells e[0..n); its children point back to it. */
static ems_status rt_write_node(emscov_ctx *ctx, gpkg_store *s, rt_writer *w, int64_t nodeno, unsigned depth,
                                const rt_entry *e, size_t n, bool leaf, uint32_t *leaf_of)
{
    memset(w->blob, 0, w->node_size);
    put_u16be(w->blob, nodeno == 1 ? depth : 0);
    put_u16be(w->blob + 2, (unsigned)n);
    for (size_t k = 0; k < n; k++) {
        unsigned char *c = w->blob + 4 + 24 * k;
        put_u64be(c, (uint64_t)e[k].id);
        for (int j = 0; j < 4; j++)
            put_f32be(c + 8 + 4 * j, e[k].b[j]);
    }
    sqlite3_stmt *st = nodeno == 1 ? w->root : w->node;
    sqlite3_bind_int64(st, 1, nodeno);
    sqlite3_bind_blob(st, 2, w->blob, (int)w->node_size, SQLITE_STATIC);
    ems_status rc = step_reset(ctx, s, st);
    for (size_t k = 0; rc == EMS_OK && k < n; k++) {
        if (leaf) {
            leaf_of[e[k].id - 1] = (uint32_t)nodeno;
            continue;
        }
        sqlite3_bind_int64(w->parent, 1, e[k].id);
        sqlite3_bind_int64(w->parent, 2, nodeno);
        rc = step_reset(ctx, s, w->parent);
    }
    return rc;
}

/* Pack s->rt (ids 1..nfid) into the empty rtree_<table>_geom. Reorders s->rt. */
static ems_status rtree_load(emscov_ctx *ctx, gpkg_store *s, const char *table, size_t nfid)
{
    if (s->nrt == 0) return EMS_OK;
    rt_writer w = {0};
    sqlite3_stmt *size_st = NULL;
    uint32_t *leaf_of = NULL;
    char *sql = sqlite3_mprintf("SELECT length(data) FROM \"rtree_%w_geom_node\" WHERE nodeno = 1", table);
    ems_status st = prepare(ctx, s, sql, &size_st);
    sqlite3_free(sql);
    if (st == EMS_OK) {
        if (sqlite3_step(size_st) == SQLITE_ROW) w.node_size = (size_t)sqlite3_column_int64(size_st, 0);
        sqlite3_finalize(size_st);
        if (w.node_size < 4 + 24 * 4 || w.node_size > 65536) {
            s->broken = true;
            st = emscov_fail(ctx, EMS_EINTERNAL, "%s: table %s: unexpected R-tree node size %zu", s->path,
                             table, w.node_size);
        }
    }
    sql = sqlite3_mprintf("INSERT INTO \"rtree_%w_geom_node\" (nodeno, data) VALUES (?, ?)", table);
    if (st == EMS_OK) st = prepare(ctx, s, sql, &w.node);
    sqlite3_free(sql);
    sql = sqlite3_mprintf("UPDATE \"rtree_%w_geom_node\" SET data = ?2 WHERE nodeno = ?1", table);
    if (st == EMS_OK) st = prepare(ctx, s, sql, &w.root);
    sqlite3_free(sql);
    sql = sqlite3_mprintf("INSERT INTO \"rtree_%w_geom_rowid\" (rowid, nodeno) VALUES (?, ?)", table);
    if (st == EMS_OK) st = prepare(ctx, s, sql, &w.rowid);
    sqlite3_free(sql);
    sql = sqlite3_mprintf("INSERT INTO \"rtree_%w_geom_parent\" (nodeno, parentnode) VALUES (?, ?)", table);
    if (st == EMS_OK) st = prepare(ctx, s, sql, &w.parent);
    sqlite3_free(sql);
    if (st == EMS_OK) {
        w.blob = ems_malloc(ctx, w.node_size);
        leaf_of = ems_calloc(ctx, nfid, sizeof *leaf_of);
        if (!w.blob || !leaf_of) {
            s->broken = true;
            st = EMS_ENOMEM;
        }
    }
    size_t cap = (w.node_size - 4) / 24;
    rt_entry *cur = s->rt;
    size_t ncur = s->nrt;
    int64_t next_node = 2;
    for (unsigned depth = 0; st == EMS_OK; depth++) {
        if (ncur <= cap) {
            st = rt_write_node(ctx, s, &w, 1, depth, cur, ncur, depth == 0, leaf_of);
            break;
        }
        str_order(cur, ncur, cap);
        size_t nnodes = (ncur + cap - 1) / cap;
        rt_entry *next = ems_malloc(ctx, nnodes * sizeof *next);
        if (!next) {
            s->broken = true;
            st = EMS_ENOMEM;
            break;
        }
        for (size_t k = 0; st == EMS_OK && k < nnodes; k++) {
            const rt_entry *e = cur + k * cap;
            size_t n = ncur - k * cap < cap ? ncur - k * cap : cap;
            rt_entry box = {.id = next_node++, .b = {e[0].b[0], e[0].b[1], e[0].b[2], e[0].b[3]}};
            for (size_t j = 1; j < n; j++) {
                box.b[0] = fminf(box.b[0], e[j].b[0]), box.b[1] = fmaxf(box.b[1], e[j].b[1]);
                box.b[2] = fminf(box.b[2], e[j].b[2]), box.b[3] = fmaxf(box.b[3], e[j].b[3]);
            }
            next[k] = box;
            st = rt_write_node(ctx, s, &w, box.id, 0, e, n, depth == 0, leaf_of);
        }
        if (cur != s->rt) free(cur);
        cur = next;
        ncur = nnodes;
    }
    if (cur != s->rt) free(cur);
    /* rowid -> leaf map in rowid order: appends to the b-tree */
    for (size_t i = 0; st == EMS_OK && i < nfid; i++) {
        if (!leaf_of[i]) continue;
        sqlite3_bind_int64(w.rowid, 1, (sqlite3_int64)i + 1);
        sqlite3_bind_int64(w.rowid, 2, leaf_of[i]);
        st = step_reset(ctx, s, w.rowid);
    }
    sqlite3_finalize(w.node);
    sqlite3_finalize(w.root);
    sqlite3_finalize(w.rowid);
    sqlite3_finalize(w.parent);
    free(w.blob);
    free(leaf_of);
    return st;
}

/* ---- layers ------------------------------------------------------------------------------------------ */

static const char *sql_type(layer_field_type t)
{
    switch (t) {
    case LAYER_FIELD_INT:
        return "INTEGER";
    case LAYER_FIELD_DOUBLE:
        return "REAL";
    case LAYER_FIELD_STRING:
        return "TEXT";
    case LAYER_FIELD_DATE:
        return "DATE";
    case LAYER_FIELD_LOGICAL:
        return "BOOLEAN";
    }
    return "TEXT";
}

/* GeoPackage geometry_type_name for the layer, and the GEOS single type whose features are written as a
 * one-part multi geometry (layers that mix Polygon and MultiPolygon are MultiPolygon layers). */
static const char *gpkg_geom_type(const layer *l, int *promote_from, uint32_t *multi_code)
{
    static const struct {
        const char *layer_name, *gpkg_name;
        int single;
        uint32_t code;
    } map[] = {
        {"Point", "POINT", -1, 0},
        {"LineString", "LINESTRING", -1, 0},
        {"Polygon", "POLYGON", -1, 0},
        {"MultiPoint", "MULTIPOINT", GEOS_POINT, 4},
        {"MultiLineString", "MULTILINESTRING", GEOS_LINESTRING, 5},
        {"MultiPolygon", "MULTIPOLYGON", GEOS_POLYGON, 6},
        {"GeometryCollection", "GEOMETRYCOLLECTION", -1, 0},
    };
    const char *t = layer_geom_type(l);
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (!strcmp(t, map[k].layer_name)) {
            *promote_from = map[k].single;
            *multi_code = map[k].code;
            return map[k].gpkg_name;
        }
    *promote_from = -1;
    *multi_code = 0;
    return "GEOMETRY";
}

/* Checks that need no writing: a failure here leaves the store usable. */
static ems_status check_layer(emscov_ctx *ctx, gpkg_store *s, const char *table, const layer *l)
{
    if (!*table) return emscov_fail(ctx, EMS_EINPUT, "%s: empty table name", s->path);
    if (has_prefix(table, "gpkg_") || has_prefix(table, "rtree_") || has_prefix(table, "sqlite_"))
        return emscov_fail(ctx, EMS_EINPUT,
                           "%s: table %s: names starting with gpkg_, rtree_ or sqlite_ are "
                           "reserved",
                           s->path, table);
    for (size_t k = 0; k < s->ntables; k++)
        if (same_name(s->tables[k], table))
            return emscov_fail(ctx, EMS_EINPUT, "%s: table %s: already written (as %s)", s->path, table,
                               s->tables[k]);
    if (!layer_crs(l))
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: table %s: layer %s has no CRS", s->path, table,
                           layer_path(l));
    size_t nf = layer_field_count(l);
    for (size_t j = 0; j < nf; j++) {
        const char *name = layer_field_at(l, j)->name;
        if (!*name)
            return emscov_fail(ctx, EMS_EINPUT, "%s: table %s: field %zu has an empty name", s->path, table,
                               j + 1);
        if (same_name(name, "fid") || same_name(name, "geom"))
            return emscov_fail(ctx, EMS_EINPUT, "%s: table %s: field %s: clashes with the %s column", s->path,
                               table, name, same_name(name, "fid") ? "fid" : "geom");
        for (size_t i = 0; i < j; i++)
            if (same_name(layer_field_at(l, i)->name, name))
                return emscov_fail(ctx, EMS_EINPUT,
                                   "%s: table %s: field %s: a second field of that name "
                                   "(SQLite names ignore case)",
                                   s->path, table, name);
    }
    return EMS_OK;
}

/* The blob of point (x, y): a GeoPackage header without envelope (a point's envelope is the point; GDAL
 * writes points so too) + ISO WKB of a 2D point, little-endian: 29 bytes. */
static size_t point_blob(unsigned char *p, int srs_id, double x, double y)
{
    p[0] = 'G', p[1] = 'P', p[2] = 0;
    p[3] = 0x01; /* flags: little-endian, envelope code 0 (none), not empty */
    put_u32le(p + 4, (uint32_t)srs_id);
    p[8] = 1;
    put_u32le(p + 9, 1);
    put_f64le(p + 13, x);
    put_f64le(p + 21, y);
    return 29;
}

/* The blob for feature geometry g: GeoPackage header (srs_id, xy envelope but for points, little-endian) +
 * ISO WKB, the WKB wrapped into a one-part multi geometry when g is the single type of a multi layer. */
static ems_status make_blob(emscov_ctx *ctx, gpkg_store *s, GEOSWKBWriter *w, const GEOSGeometry *g,
                            int srs_id, int promote_from, uint32_t multi_code, size_t *len, double env[4],
                            bool *empty)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    int type = GEOSGeomTypeId_r(h, g);
    *empty = GEOSisEmpty_r(h, g) == 1;
    size_t wkb_len = 0;
    unsigned char *wkb = NULL;
    if (type == GEOS_POINT && !*empty && GEOSGeomGetX_r(h, g, &env[0]) && GEOSGeomGetY_r(h, g, &env[1])) {
        env[2] = env[0], env[3] = env[1];
        if (s->buf_cap < 29) {
            unsigned char *nb = ems_realloc(ctx, s->buf, 64);
            if (!nb) {
                s->broken = true;
                return EMS_ENOMEM;
            }
            s->buf = nb;
            s->buf_cap = 64;
        }
        *len = point_blob(s->buf, srs_id, env[0], env[1]);
        return EMS_OK;
    } else {
        if (!*empty && !GEOSGeom_getExtent_r(h, g, &env[0], &env[1], &env[2], &env[3])) *empty = true;
        wkb = GEOSWKBWriter_write_r(h, w, g, &wkb_len);
        if (!wkb) {
            s->broken = true;
            return emscov_fail(ctx, EMS_EINTERNAL, "%s: GEOS could not write WKB: %s", s->path,
                               emscov_lib_message(ctx));
        }
    }
    bool wrap = !*empty && type == promote_from;
    size_t head = *empty ? 8 : GPKG_HEADER_LEN;
    size_t need = head + (wrap ? 9 : 0) + wkb_len;
    if (need > s->buf_cap) {
        unsigned char *nb = ems_realloc(ctx, s->buf, need * 2);
        if (!nb) {
            GEOSFree_r(h, wkb);
            s->broken = true;
            return EMS_ENOMEM;
        }
        s->buf = nb;
        s->buf_cap = need * 2;
    }
    unsigned char *p = s->buf;
    p[0] = 'G', p[1] = 'P', p[2] = 0;
    /* flags: bit 0 little-endian; bits 1-3 envelope code (1 = xy, 0 = none); bit 4 empty geometry */
    p[3] = *empty ? 0x11 : 0x03;
    put_u32le(p + 4, (uint32_t)srs_id);
    if (!*empty) {
        put_f64le(p + 8, env[0]);  /* minx */
        put_f64le(p + 16, env[2]); /* maxx */
        put_f64le(p + 24, env[1]); /* miny */
        put_f64le(p + 32, env[3]); /* maxy */
    }
    p += head;
    if (wrap) {
        p[0] = 1;
        put_u32le(p + 1, multi_code);
        put_u32le(p + 5, 1);
        p += 9;
    }
    memcpy(p, wkb, wkb_len);
    GEOSFree_r(h, wkb);
    *len = need;
    return EMS_OK;
}

/* Bind the layer_field_count(l) values v (NULL: all null) of a row. */
static ems_status bind_values(emscov_ctx *ctx, gpkg_store *s, sqlite3_stmt *st, const layer *l,
                              const layer_value *vals, int base)
{
    size_t nf = layer_field_count(l);
    int rc = SQLITE_OK;
    static const layer_value null_value = {.is_null = true};
    for (size_t j = 0; j < nf && rc == SQLITE_OK; j++) {
        int k = base + (int)j + 3;
        const layer_value *v = vals ? &vals[j] : &null_value;
        if (v->is_null) {
            rc = sqlite3_bind_null(st, k);
            continue;
        }
        switch (layer_field_at(l, j)->type) {
        case LAYER_FIELD_INT:
            rc = sqlite3_bind_int64(st, k, v->u.i);
            break;
        case LAYER_FIELD_DOUBLE:
            rc = isnan(v->u.d) ? sqlite3_bind_null(st, k) : sqlite3_bind_double(st, k, v->u.d);
            break;
        case LAYER_FIELD_STRING:
            rc = sqlite3_bind_text(st, k, v->u.s, -1, SQLITE_STATIC);
            break;
        case LAYER_FIELD_DATE: {
            char d[32];
            int32_t ymd = v->u.date;
            snprintf(d, sizeof d, "%04d-%02d-%02d", (int)(ymd / 10000), (int)(ymd / 100 % 100),
                     (int)(ymd % 100));
            rc = sqlite3_bind_text(st, k, d, -1, SQLITE_TRANSIENT);
            break;
        }
        case LAYER_FIELD_LOGICAL:
            rc = sqlite3_bind_int(st, k, v->u.b ? 1 : 0);
            break;
        }
    }
    return rc == SQLITE_OK ? EMS_OK : sql_fail(ctx, s);
}

/* The R-tree cell of a row with box env, and the extent so far. */
static void add_box(gpkg_store *s, sqlite3_int64 fid, const double env[4], double ext[4], bool *has_ext)
{
    s->rt[s->nrt++] = (rt_entry){
        .id = fid, .b = {float_down(env[0]), float_up(env[2]), float_down(env[1]), float_up(env[3])}};
    if (!*has_ext) {
        memcpy(ext, env, 4 * sizeof *env);
        *has_ext = true;
    } else {
        ext[0] = fmin(ext[0], env[0]), ext[1] = fmin(ext[1], env[1]);
        ext[2] = fmax(ext[2], env[2]), ext[3] = fmax(ext[3], env[3]);
    }
}

/* The rows of a point table in whole batches of GPKG_BATCH through the batch INSERT (the rest is left to the
 * one-row statement): blobs and values of a batch stay bound until it is stepped. */
static ems_status write_point_batches(emscov_ctx *ctx, gpkg_store *s, sqlite3_stmt *batch, const layer *l,
                                      const result_points *pts, int srs_id, double ext[4], bool *has_ext)
{
    size_t nf = layer_field_count(l), whole = pts->n - pts->n % GPKG_BATCH;
    unsigned char *blobs = ems_malloc(ctx, GPKG_BATCH * 32);
    layer_value *vals = ems_calloc(ctx, GPKG_BATCH * (nf ? nf : 1), sizeof *vals);
    ems_status st = blobs && vals ? EMS_OK : EMS_ENOMEM;
    for (size_t i = 0; st == EMS_OK && i < whole; i += GPKG_BATCH) {
        for (size_t r = 0; r < GPKG_BATCH && st == EMS_OK; r++) {
            size_t k = i + r;
            int base = (int)(r * (nf + 2));
            size_t len = point_blob(blobs + 32 * r, srs_id, pts->x[k], pts->y[k]);
            pts->values(pts->user, k, vals + r * nf);
            sqlite3_bind_int64(batch, base + 1, (sqlite3_int64)k + 1);
            sqlite3_bind_blob(batch, base + 2, blobs + 32 * r, (int)len, SQLITE_STATIC);
            st = bind_values(ctx, s, batch, l, vals + r * nf, base);
            double env[4] = {pts->x[k], pts->y[k], pts->x[k], pts->y[k]};
            if (isfinite(env[0] + env[1])) add_box(s, (sqlite3_int64)k + 1, env, ext, has_ext);
        }
        if (st == EMS_OK) st = step_reset(ctx, s, batch);
    }
    sqlite3_clear_bindings(batch); /* nothing stays bound to blobs */
    free(blobs);
    free(vals);
    if (st != EMS_OK) s->broken = true;
    return st;
}

/* Create the table and its index, write every feature (pts: every row of pts, l the schema), extent into ext
 * (false when no feature has one). */
static ems_status write_rows(emscov_ctx *ctx, gpkg_store *s, const char *table, const layer *l,
                             const result_points *pts, const char *gtype, int srs_id, int promote_from,
                             uint32_t multi_code, double ext[4], bool *has_ext)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    size_t nf = layer_field_count(l);
    sqlite3_str *ddl = sqlite3_str_new(s->db), *ins = sqlite3_str_new(s->db);
    int single = -1; /* length of the one-row INSERT within the batch text */
    sqlite3_str_appendf(ddl, "CREATE TABLE \"%w\" (\"fid\" INTEGER PRIMARY KEY NOT NULL, \"geom\" %s", table,
                        gtype);
    sqlite3_str_appendf(ins, "INSERT INTO \"%w\" (\"fid\", \"geom\"", table);
    for (size_t j = 0; j < nf; j++) {
        const layer_field *f = layer_field_at(l, j);
        sqlite3_str_appendf(ddl, ", \"%w\" %s", f->name, sql_type(f->type));
        sqlite3_str_appendf(ins, ", \"%w\"", f->name);
    }
    sqlite3_str_appendall(ddl, ")");
    sqlite3_str_appendall(ins, ") VALUES ");
    /* a point table inserts GPKG_BATCH rows a statement (a single one for the rest): 40 % less time in SQLite */
    for (int b = 0; b < (pts ? GPKG_BATCH : 1); b++) {
        if (b == 1)
            single = sqlite3_str_length(ins);
        sqlite3_str_appendall(ins, b ? ", (?, ?" : "(?, ?");
        for (size_t j = 0; j < nf; j++)
            sqlite3_str_appendall(ins, ", ?");
        sqlite3_str_appendall(ins, ")");
    }
    char *ddl_sql = sqlite3_str_finish(ddl), *ins_sql = sqlite3_str_finish(ins);

    sqlite3_stmt *row = NULL, *batch = NULL;
    GEOSWKBWriter *w = NULL;
    ems_status st = exec_sql(ctx, s, ddl_sql);
    if (st == EMS_OK)
        st = exec_owned(ctx, s,
                        sqlite3_mprintf("CREATE VIRTUAL TABLE \"rtree_%w_geom\""
                                        " USING rtree(id, minx, maxx, miny, maxy)",
                                        table));
    if (st == EMS_OK && pts) st = prepare(ctx, s, ins_sql, &batch);
    if (st == EMS_OK && single >= 0) ins_sql[single] = '\0';
    if (st == EMS_OK) st = prepare(ctx, s, ins_sql, &row);
    sqlite3_free(ddl_sql);
    sqlite3_free(ins_sql);
    if (st == EMS_OK && !(w = GEOSWKBWriter_create_r(h))) {
        s->broken = true;
        st = emscov_fail(ctx, EMS_ENOMEM, "%s: GEOS could not create a WKB writer", s->path);
    }
    if (w) {
        GEOSWKBWriter_setOutputDimension_r(h, w, 2);
        GEOSWKBWriter_setByteOrder_r(h, w, GEOS_WKB_NDR);
        GEOSWKBWriter_setFlavor_r(h, w, GEOS_WKB_ISO);
        GEOSWKBWriter_setIncludeSRID_r(h, w, 0);
    }
    *has_ext = false;
    s->nrt = 0;
    size_t n = pts ? pts->n : layer_count(l);
    layer_value *vals = pts ? ems_calloc(ctx, nf ? nf : 1, sizeof *vals) : NULL;
    if (st == EMS_OK &&
        ((pts && !vals) || !ems_grow(ctx, (void **)&s->rt, &s->rt_cap, n ? n : 1, sizeof *s->rt))) {
        s->broken = true;
        st = EMS_ENOMEM;
    }
    if (st == EMS_OK && pts && !ems_grow(ctx, (void **)&s->buf, &s->buf_cap, 64, 1)) {
        s->broken = true;
        st = EMS_ENOMEM;
    }
    size_t first = 0; /* rows before it went in batches */
    if (st == EMS_OK && pts) {
        st = write_point_batches(ctx, s, batch, l, pts, srs_id, ext, has_ext);
        first = pts->n - pts->n % GPKG_BATCH;
    }
    for (size_t i = first; st == EMS_OK && i < n; i++) {
        sqlite3_int64 fid = (sqlite3_int64)i + 1;
        size_t len = 0;
        double env[4];
        bool empty = true;
        const GEOSGeometry *g = pts ? NULL : layer_geom(l, i);
        if (pts) {
            env[0] = env[2] = pts->x[i];
            env[1] = env[3] = pts->y[i];
            empty = false;
            len = point_blob(s->buf, srs_id, pts->x[i], pts->y[i]);
            pts->values(pts->user, i, vals);
        } else if (g && (st = make_blob(ctx, s, w, g, srs_id, promote_from, multi_code, &len, env, &empty)) !=
                            EMS_OK)
            break;
        sqlite3_bind_int64(row, 1, fid);
        if (g || pts)
            sqlite3_bind_blob(row, 2, s->buf, (int)len, SQLITE_STATIC);
        else
            sqlite3_bind_null(row, 2); /* a row without a geometry (input_issue) */
        if ((st = bind_values(ctx, s, row, l, pts ? vals : layer_values(l, i), 0)) != EMS_OK ||
            (st = step_reset(ctx, s, row)) != EMS_OK)
            break;
        if (empty || !isfinite(env[0] + env[1] + env[2] + env[3])) continue; /* no box: not indexed */
        add_box(s, fid, env, ext, has_ext);
    }
    if (w) GEOSWKBWriter_destroy_r(h, w);
    sqlite3_finalize(row); /* nothing stays bound to the layer's strings or to s->buf */
    sqlite3_finalize(batch);
    free(vals);
    return st;
}

/* gpkg_contents, gpkg_geometry_columns and gpkg_extensions rows for a written table. */
static ems_status register_table(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *description,
                                 const char *gtype, int srs_id, const double ext[4], bool has_ext)
{
    sqlite3_stmt *st = NULL;
    char now[32];
    timestamp(now);
    ems_status rc = prepare(ctx, s,
                            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
                            " last_change, min_x, min_y, max_x, max_y, srs_id)"
                            " VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)",
                            &st);
    if (rc != EMS_OK) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, description ? description : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    for (int k = 0; k < 4 && has_ext; k++)
        sqlite3_bind_double(st, 5 + k, ext[k]);
    sqlite3_bind_int(st, 9, srs_id);
    rc = step_reset(ctx, s, st);
    sqlite3_finalize(st);
    if (rc != EMS_OK) return rc;

    st = NULL;
    rc = prepare(
        ctx, s,
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)"
        " VALUES (?, 'geom', ?, ?, 0, 0)",
        &st);
    if (rc != EMS_OK) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, gtype, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, srs_id);
    rc = step_reset(ctx, s, st);
    sqlite3_finalize(st);
    if (rc != EMS_OK) return rc;

    st = NULL;
    rc = prepare(ctx, s,
                 "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)"
                 " VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec/#extension_rtree',"
                 " 'write-only')",
                 &st);
    if (rc != EMS_OK) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    rc = step_reset(ctx, s, st);
    sqlite3_finalize(st);
    return rc;
}

static ems_status write_table(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *description,
                              const layer *l, const result_points *pts);

ems_status gpkg_store_write_layer(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *description,
                                  const layer *l)
{
    return write_table(ctx, s, table, description, l, NULL);
}

ems_status gpkg_store_write_points(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *description,
                                   const layer *schema, const result_points *pts)
{
    return write_table(ctx, s, table, description, schema, pts);
}

ems_status gpkg_store_write(emscov_ctx *ctx, gpkg_store *s, const result_layer *rl)
{
    return write_table(ctx, s, rl->table, rl->description, rl->l, rl->pts);
}

static ems_status write_table(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *description,
                              const layer *l, const result_points *pts)
{
    if (s->broken)
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: table %s: an earlier layer failed (abort the store)",
                           s->path, table);
    ems_status st = check_layer(ctx, s, table, l);
    if (st != EMS_OK) return st;
    char *name = ems_strdup(ctx, table);
    if (!name || !ems_grow(ctx, (void **)&s->tables, &s->tables_cap, s->ntables + 1, sizeof *s->tables)) {
        free(name);
        return EMS_ENOMEM;
    }
    int srs_id = 0, promote_from = -1;
    uint32_t multi_code = 0;
    const char *gtype = gpkg_geom_type(l, &promote_from, &multi_code);
    double ext[4] = {0, 0, 0, 0};
    bool has_ext = false;
    st = srs_for(ctx, s, layer_crs(l), &srs_id);
    if (st == EMS_OK)
        st = write_rows(ctx, s, table, l, pts, gtype, srs_id, promote_from, multi_code, ext, &has_ext);
    if (st == EMS_OK) st = rtree_load(ctx, s, table, pts ? pts->n : layer_count(l));
    if (st == EMS_OK) st = register_table(ctx, s, table, description, gtype, srs_id, ext, has_ext);
    for (size_t k = 0; st == EMS_OK && k < sizeof trigger_sql / sizeof trigger_sql[0]; k++)
        st = exec_owned(ctx, s, sqlite3_mprintf(trigger_sql[k], table, table, table, table));
    if (st != EMS_OK) {
        s->broken = true;
        free(name);
        return st;
    }
    s->tables[s->ntables++] = name;
    return EMS_OK;
}

/* ---- QGIS styles ------------------------------------------------------------------------------------- */

/* The table QGIS reads styles from on opening a layer (its own layout, as QGIS creates it through OGR),
 * registered as an attribute table so GeoPackage readers list it. */
static const char styles_sql[] =
    "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),"
    " f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256), styleName TEXT(30),"
    " styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),"
    " update_time DATETIME DEFAULT CURRENT_TIMESTAMP);"
    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)"
    " VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', %Q)";

ems_status gpkg_store_write_style(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *name,
                                  const char *qml, const char *sld, const char *description)
{
    if (s->broken)
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: style of %s: an earlier write failed (abort the store)", s->path,
                           table);
    bool known = false;
    for (size_t k = 0; k < s->ntables && !known; k++)
        known = same_name(s->tables[k], table);
    if (!known)
        return emscov_fail(ctx, EMS_EINPUT, "%s: style of %s: no such table in the GeoPackage", s->path, table);
    char now[32];
    timestamp(now);
    ems_status st = EMS_OK;
    if (!s->styles && (st = exec_owned(ctx, s, sqlite3_mprintf(styles_sql, now))) == EMS_OK)
        s->styles = true;
    sqlite3_stmt *ins = NULL;
    if (st == EMS_OK)
        st = prepare(ctx, s,
                     "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column,"
                     " styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)"
                     " VALUES ('', '', ?, 'geom', ?, ?, ?, 1, ?, '', NULL, ?)",
                     &ins);
    if (st == EMS_OK) {
        sqlite3_bind_text(ins, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, qml, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, sld ? sld : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, description ? description : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, now, -1, SQLITE_STATIC);
        st = step_reset(ctx, s, ins);
    }
    sqlite3_finalize(ins);
    if (st != EMS_OK)
        s->broken = true;
    return st;
}

ems_status gpkg_store_write_project(emscov_ctx *ctx, gpkg_store *s, const char *name, const void *qgz, size_t len)
{
    if (s->broken)
        return emscov_fail(ctx, EMS_EINTERNAL, "%s: QGIS project %s: an earlier write failed (abort the store)",
                           s->path, name);
    char now[32];
    timestamp(now);
    ems_status st = EMS_OK;
    if (!s->projects && (st = exec_sql(ctx, s, "CREATE TABLE qgis_projects (name TEXT PRIMARY KEY,"
                                                " metadata BLOB, content BLOB)")) == EMS_OK)
        s->projects = true;
    /* QGIS reads the content as text and decodes it from hexadecimal; the metadata is JSON text */
    char *meta = st == EMS_OK ? sqlite3_mprintf("{\"last_modified_time\": \"%s\", \"last_modified_user\": \"emscov\"}",
                                                now) : NULL;
    if (st == EMS_OK && !meta)
        st = emscov_fail(ctx, EMS_ENOMEM, "%s: out of memory (QGIS project %s)", s->path, name);
    sqlite3_stmt *ins = NULL;
    if (st == EMS_OK)
        st = prepare(ctx, s, "INSERT INTO qgis_projects (name, metadata, content) VALUES (?, ?, hex(?))", &ins);
    if (st == EMS_OK) {
        sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, meta, -1, SQLITE_STATIC);
        sqlite3_bind_blob64(ins, 3, qgz, len, SQLITE_STATIC);
        st = step_reset(ctx, s, ins);
    }
    sqlite3_finalize(ins);
    sqlite3_free(meta);
    if (st != EMS_OK)
        s->broken = true;
    return st;
}
