/* src/output/store_gpkg.h: result layers written to an OGC GeoPackage 1.3 (OGC 12-128r18) with SQLite
 * directly: one feature table per layer (INTEGER PRIMARY KEY "fid", geometry column "geom" in the layer's
 * CRS, one column per layer field), gpkg_contents with the extent, gpkg_geometry_columns,
 * gpkg_spatial_ref_sys (EPSG code when PROJ knows it, else a private srs_id >= 100000 with organization NONE;
 * definition in WKT1) and an R-tree spatial index (gpkg_rtree_index extension, with the spec's triggers so
 * later edits by GDAL or QGIS keep it in step). Point blobs carry no envelope (as GDAL writes them); other
 * geometries an xy envelope. Write only: nothing is computed here.
 *
 * Everything goes to a temporary file beside the target (path + ".tmp-<pid>") in one transaction; commit
 * renames it onto path, so readers see the old file or the complete new one, never half of it. Any failure
 * (and abort) deletes the temporary file and leaves path untouched.
 * Field types: int -> INTEGER, double -> REAL (NaN -> NULL), string -> TEXT (UTF-8), date -> DATE
 * ('YYYY-MM-DD'), logical -> BOOLEAN (0/1); null values -> NULL. Coordinates in the layer's CRS units.
 * Ownership: gpkg_store_begin returns a new store owned by the caller; gpkg_store_commit and gpkg_store_abort
 * destroy it. Layers are borrowed for the call only. A store is used with one ctx, by one thread at a time.
 */
#ifndef EMSCOV_STORE_GPKG_H
#define EMSCOV_STORE_GPKG_H

#include "src/output/layers.h"

typedef struct gpkg_store gpkg_store;

/* Start writing path: everything goes to a temporary file beside it (path + ".tmp-<pid>") until commit. */
ems_status gpkg_store_begin(emscov_ctx *ctx, const char *path, gpkg_store **out);
/* Write a layer as a feature table `table` (geometry column "geom", the layer's CRS, one row per feature with
 * the layer's fields, an "fid" INTEGER PRIMARY KEY, gpkg_contents with extent, gpkg_geometry_columns, and an
 * R-tree spatial index per the GeoPackage RTree extension). description may be NULL.
 * EMS_EINPUT (store still usable) for a table already written (names compare ASCII case-insensitively, as in
 * SQLite), a reserved name (gpkg_*, rtree_*, sqlite_*) or a field named fid or geom; EMS_EINTERNAL for a
 * layer without CRS. After any other failure the store can only be aborted (commit then fails and cleans up).
 */
ems_status gpkg_store_write_layer(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *description,
                                  const layer *l);
/* As gpkg_store_write_layer, for a point table given as arrays: the rows of pts (record i + 1 is fid i + 1),
 * with schema's fields, CRS and geometry type (schema has no features). */
ems_status gpkg_store_write_points(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *description,
                                   const layer *schema, const result_points *pts);
/* A result table: gpkg_store_write_points when it has point rows, else gpkg_store_write_layer. */
ems_status gpkg_store_write(emscov_ctx *ctx, gpkg_store *s, const result_layer *rl);
/* A QGIS style of a table written before: a row of `layer_styles` (QGIS's own table of styles, created with the
 * first style and listed in gpkg_contents as an attribute table): f_table_catalog and f_table_schema '',
 * f_geometry_column "geom", styleName name, styleQML qml, styleSLD sld ('' when NULL), useAsDefault 1 (QGIS
 * draws the layer with it on opening), update_time as gpkg_contents' last_change. EMS_EINPUT for a table not
 * written; after any other failure the store can only be aborted. */
ems_status gpkg_store_write_style(emscov_ctx *ctx, gpkg_store *s, const char *table, const char *name,
                                  const char *qml, const char *sld, const char *description);
/* A QGIS project stored in the GeoPackage: a row of `qgis_projects` (QGIS's table of projects, created with the
 * first project; not listed in gpkg_contents, as QGIS leaves it): name, metadata (JSON text:
 * last_modified_time as gpkg_contents' last_change, last_modified_user "emscov") and content (the .qgz bytes
 * qgz[0, len) as upper-case hexadecimal text, as QGIS stores them). A name stored before fails (the name is the
 * table's primary key); after any failure the store can only be aborted. */
ems_status gpkg_store_write_project(emscov_ctx *ctx, gpkg_store *s, const char *name, const void *qgz, size_t len);
/* Finish: COMMIT, close, fsync, rename the temporary file onto path. The store is destroyed either way. */
ems_status gpkg_store_commit(emscov_ctx *ctx, gpkg_store *s);
/* Give up: close and delete the temporary file; path is untouched. NULL-safe; destroys the store. */
void gpkg_store_abort(gpkg_store *s);

#endif
