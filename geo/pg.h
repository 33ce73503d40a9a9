/* geo/pg.h: layers to and from PostgreSQL/PostGIS with libpq: connect (a conninfo string or URI, or libpq's
 * PG* environment and service file; a password never appears in a message), run statements (identifiers
 * quoted with PQescapeIdentifier, values always passed as parameters), map a CRS to an SRID, create a table
 * from a layer's schema with a typed geometry column, load features with COPY (text format, hex EWKB), and
 * read a table or a filtered table back as a layer (the `pg:` layer source, see layer_read_pg).
 *
 * Transactions are the caller's: pg_begin / pg_commit / pg_rollback. Nothing here commits on its own.
 * Ownership: pg_connect returns a new connection owned by the caller (pg_disconnect, NULL-safe). Strings
 * returned by pg_ident are owned by the caller (free). A connection is used by one thread at a time.
 * Errors: EMS_EIO for a connection or server failure (message: what was being done, the server's first line;
 * never the password); EMS_EINPUT for a bad `pg:` source or a table/column that does not exist. */
#ifndef EMSCOV_GEO_PG_H
#define EMSCOV_GEO_PG_H

#include "geo/layer.h"

#include <libpq-fe.h>

typedef struct pg_conn pg_conn;

/* Connect. conninfo NULL or "": libpq's defaults (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICE, ~/.pgpass).
 * Fails with EMS_EIO and one line naming host/port/dbname (never the password) when the server is down or
 * refuses. Checks that PostGIS is installed in the database (EMS_EIO "PostGIS is not installed in ..." if
 * not). Sets client_encoding UTF8. */
EMS_API ems_status pg_connect(emscov_ctx *ctx, const char *conninfo, pg_conn **out);
EMS_API void pg_disconnect(pg_conn *c);
/* The libpq connection, for statements this module does not wrap. */
EMS_API PGconn *pg_raw(pg_conn *c);
/* "host=... port=... dbname=... user=..." of the live connection, without the password (for messages). */
EMS_API const char *pg_describe(const pg_conn *c);
/* The SQL type of a layer field's column, as pg_create_table makes it (bigint, double precision, text, date,
 * boolean); a static string. */
EMS_API const char *pg_field_sql_type(layer_field_type t);

/* Run one statement with text parameters (nparams may be 0, params NULL). what names the step for the
 * message ("creating table emscov.run"). Result rows, if any, are discarded. */
EMS_API ems_status pg_exec(emscov_ctx *ctx, pg_conn *c, const char *what, const char *sql, int nparams,
                           const char *const *params);
/* As pg_exec, returning the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK) for the caller to PQclear. */
EMS_API ems_status pg_query(emscov_ctx *ctx, pg_conn *c, const char *what, const char *sql, int nparams,
                            const char *const *params, PGresult **out);
EMS_API ems_status pg_begin(emscov_ctx *ctx, pg_conn *c);
EMS_API ems_status pg_commit(emscov_ctx *ctx, pg_conn *c);
/* Roll back if a transaction is open; safe on a broken connection. */
EMS_API void pg_rollback(pg_conn *c);

/* Quoted identifier: "name" or "schema"."name" (schema may be NULL). NULL on allocation failure (message set).
 * Caller frees. */
EMS_API char *pg_ident(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *name);

/* SRID for a CRS: its EPSG code when it has one and spatial_ref_sys knows it; otherwise a row in
 * spatial_ref_sys with auth_name 'emscov', srid in 910000..998999, the CRS's WKT and PROJ string, reused
 * when an equal definition is already there (so two runs with the same custom CRS share one SRID).
 * A new row is added under a transaction-scoped advisory lock (concurrent runs wait, then reuse it):
 * outside a transaction in one of its own, which commits; inside the caller's, where the lock is held until
 * the caller commits -- so call it before pg_begin when runs should not wait for each other. */
EMS_API ems_status pg_srid_for(emscov_ctx *ctx, pg_conn *c, const crs *cr, int *srid);
/* The CRS of an SRID (EPSG when auth_name is EPSG, else the stored WKT). */
EMS_API ems_status pg_crs_of_srid(emscov_ctx *ctx, pg_conn *c, int srid, crs **out);

/* PostgreSQL keeps identifiers of at most this many bytes (NAMEDATALEN - 1) and silently cuts longer ones. */
#define PG_NAME_MAX 63
/* The name of an index (or other relation) belonging to table: "<table>_<suffix>" when that fits in
 * PG_NAME_MAX bytes; otherwise the table name cut (never inside a UTF-8 character) + "_" + 8 hex digits of a
 * hash of the whole table name + "_" + suffix, so two long table names sharing their first bytes still get
 * different names, and none equals the table's own. */
EMS_API void pg_index_name(const char *table, const char *suffix, char out[PG_NAME_MAX + 1]);

/* EMS_EINPUT when schema is one of PostgreSQL's own: information_schema, or any name starting with "pg_"
 * (pg_catalog, pg_toast, pg_temp, ...; the prefix is reserved for system schemas). emscov never creates or
 * writes tables there. what names the option for the message ("--db-schema"). */
EMS_API ems_status pg_check_user_schema(emscov_ctx *ctx, const char *what, const char *schema);

/* Extra leading columns for pg_create_table / pg_copy_layer (e.g. the store's run_id). */
typedef struct pg_column {
    const char *name;  /* unquoted */
    const char *type;  /* SQL type, e.g. "bigint NOT NULL" */
} pg_column;

/* CREATE TABLE schema.table (extra..., one column per layer field, geom geometry(<type>, srid)) where the
 * geometry type is the layer's (promoted to Multi* when the layer mixes single and multi parts; "Geometry" for
 * mixed kinds). Field types: int -> bigint, double -> double precision, string -> text, date -> date,
 * logical -> boolean. With if_not_exists the statement is CREATE TABLE IF NOT EXISTS. Also creates a GiST
 * index on geom, named pg_index_name(table, "geom_idx"). Field names are used as given (quoted); a field
 * named like an extra column or "geom" is EMS_EINPUT. */
EMS_API ems_status pg_create_table(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *table,
                                   const layer *l, int srid, const pg_column *extra, size_t nextra,
                                   bool if_not_exists);

/* Progress callback for long loads: done of total features. May be NULL. */
typedef void (*pg_progress_fn)(void *user, size_t done, size_t total);

/* COPY every feature of l into schema.table (created by pg_create_table with the same extra columns):
 * extra_values[k] is the text value of extra column k for every row (NULL = SQL NULL). Geometries go as hex
 * EWKB with the srid; NaN doubles and null values as \N. The copy is one COPY ... FROM STDIN (text format)
 * streamed in large buffers. A lost connection or a server error is EMS_EIO and leaves the transaction
 * aborted (the caller rolls back). *rows (may be NULL) receives the rows the server reported. */
EMS_API ems_status pg_copy_layer(emscov_ctx *ctx, pg_conn *c, const char *schema, const char *table,
                                 const layer *l, int srid, const char *const *extra_values, size_t nextra,
                                 pg_progress_fn progress, void *user, uint64_t *rows);

/* Read a `pg:` source into a new layer: "pg:[schema.]table[?where=SQL condition]" (the where text is URL
 * decoded, %XX and '+'). The geometry column is taken from geometry_columns (the first one when there are
 * several; "?geom=NAME" picks one); the CRS from its SRID; every other column of a supported type becomes a
 * field (bigint/integer/smallint -> int, real/double/numeric -> double, text/varchar/char -> string,
 * date -> date, boolean -> logical; others are skipped with a note). Record numbers are the row order of
 * "ORDER BY" the primary key when the table has one, else ctid order. Polygons are validated as in
 * layer_append_take. conninfo as in pg_connect. The where condition runs on the server, inside a READ ONLY
 * transaction. */
EMS_API ems_status layer_read_pg(emscov_ctx *ctx, const char *source, const char *conninfo, layer **out);

#endif
