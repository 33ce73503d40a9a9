/* src/output/qgis_style.h: QGIS styles of the result layers, so a GeoPackage or a PostGIS run opens in QGIS
 * drawn as `emscov map` draws it: demand points in the response-time bands (and grey where no road reaches),
 * sub-districts without a station in orange, stations and proposed sites, park service areas, service areas
 * by their time limit. The bands and colours are map.h's (map_band_colors, MAP_BAND_S, MAP_COLOR_*), not a
 * copy. A style is a QML document (QGIS 3 rule-based renderer: one rule per class, with the class's legend
 * label) and a short description; the stores write them into a `layer_styles` table (the QGIS convention
 * QGIS reads when it opens the layer: docs/formats.md, docs/postgis.md).
 *
 * Ownership: qgis_style_qml returns a new string (free) or NULL for a table emscov has no style for. Pure
 * text: thread-safe. */
#ifndef EMSCOV_QGIS_STYLE_H
#define EMSCOV_QGIS_STYLE_H

#include "geo/ctx.h"

#include <stdio.h>

/* The name every emscov style is stored under (layer_styles.styleName). */
#define QGIS_STYLE_NAME "emscov"

/* The QML of result layer `table` (street_summary, demand_time, service_area, station, park_service_area,
 * input_issue, candidate or site_candidate, selected_site or site_selected) into *qml; *qml NULL (EMS_OK) for any other table. *description:
 * static text naming what the style shows (NULL with *qml). */
ems_status qgis_style_qml(emscov_ctx *ctx, const char *table, char **qml, const char **description);
/* The same style's <renderer-v2> element alone (what a QGIS project's <maplayer> holds) into *xml (free);
 * *xml NULL (EMS_OK) for a table emscov has no style for. */
ems_status qgis_style_renderer(emscov_ctx *ctx, const char *table, char **xml);

/* s as XML text (& < > " escaped) to f: for the other QGIS documents emscov writes. */
void qgis_style_put_xml(FILE *f, const char *s);

#endif
