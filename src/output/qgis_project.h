/* src/output/qgis_project.h: a QGIS project of the result GeoPackage, so that QGIS opens the whole result at
 * once (Project > Open From > GeoPackage): a .qgz (zip of one .qgs XML document, zipfile.h) listing the
 * result tables that have a style (qgis_style.h), each drawn with that style, in the layer order of emscov's
 * maps (input records reported, proposed and candidate sites and stations on top, then sub-districts, park
 * and service areas, demand points at the bottom; the layers below the opaque sub-districts start unticked,
 * so the project opens on the map of `emscov map --kind gaps`), each in its layer's CRS, the project in the
 * first layer's CRS with the map on the layers' extent. Datasources are relative to the GeoPackage's
 * directory ("./NAME.gpkg|layername=TABLE", paths saved relative), which QGIS resolves for a project stored
 * in that GeoPackage (gpkg_store_write_project).
 *
 * Ownership: qgis_project_qgz returns a new buffer (free); the layers are borrowed for the call. Thread-safe.
 */
#ifndef EMSCOV_QGIS_PROJECT_H
#define EMSCOV_QGIS_PROJECT_H

#include "src/output/layers.h"

/* The name the project is stored under (qgis_projects.name) and its title. */
#define QGIS_PROJECT_NAME "emscov"

/* The .qgs document (XML, NUL-terminated) of the project for the tables of ls[0, n) written to GeoPackage
 * gpkg_name (a file name, no directory) into *qgs; *qgs NULL (EMS_OK) when none of the tables has a style. */
ems_status qgis_project_qgs(emscov_ctx *ctx, const char *gpkg_name, const result_layer *ls, size_t n,
                            char **qgs);
/* The same project as a .qgz (what QGIS stores in a GeoPackage) into *qgz, *len; NULL, 0 without a styled
 * table. */
ems_status qgis_project_qgz(emscov_ctx *ctx, const char *gpkg_name, const result_layer *ls, size_t n,
                            unsigned char **qgz, size_t *len);

#endif
