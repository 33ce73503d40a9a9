/* src/output/qgis_project.c: the .qgs document (QGIS 3 project XML: layer tree, project layers with their
 * datasource, CRS and renderer, layer order, map canvas, relative paths) and its .qgz (qgis_project.h). */
#include "src/output/qgis_project.h"

#include "src/output/qgis_style.h"
#include "src/output/zipfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Drawing order, top first: a table not listed goes below these. */
static const char *const order[] = {"input_issue",    "selected_site", "site_selected",  "candidate",
                                    "site_candidate", "station",       "street_summary", "park_service_area",
                                    "service_area",   "demand_time"};
#define NORDER (sizeof order / sizeof *order)

static size_t rank(const char *table)
{
    for (size_t k = 0; k < NORDER; k++)
        if (!strcmp(order[k], table)) return k;
    return NORDER;
}

/* QGIS's geometry class of a GeoPackage geometry type. */
static const char *geometry_class(const char *type)
{
    if (strstr(type, "Point")) return "Point";
    if (strstr(type, "Polygon")) return "Polygon";
    if (strstr(type, "Line")) return "Line";
    return "Unknown";
}

/* QGIS takes a CRS from its WKT: an EPSG CRS is written as PROJ's EPSG definition (whose ID QGIS shows as
 * the authority id; the layer's own WKT, e.g. from a .prj, may carry none). */
static ems_status put_crs(emscov_ctx *ctx, FILE *f, const char *indent, const crs *c)
{
    int epsg = crs_epsg(c);
    crs *known = NULL;
    ems_status st = epsg > 0 ? crs_from_epsg(ctx, epsg, &known) : EMS_OK;
    if (st != EMS_OK) return st;
    fprintf(f, "%s<spatialrefsys nativeFormat=\"Wkt\">\n%s  <wkt>", indent, indent);
    qgis_style_put_xml(f, crs_wkt(known ? known : c));
    crs_destroy(known);
    fprintf(f, "</wkt>\n%s  <proj4></proj4>\n%s  <srsid>0</srsid>\n%s  <srid>%d</srid>\n", indent, indent,
            indent, epsg > 0 ? epsg : 0);
    if (epsg > 0)
        fprintf(f, "%s  <authid>EPSG:%d</authid>\n", indent, epsg);
    else
        fprintf(f, "%s  <authid></authid>\n", indent);
    fprintf(f, "%s  <description>", indent);
    qgis_style_put_xml(f, crs_name(c));
    fprintf(f, "</description>\n%s</spatialrefsys>\n", indent);
    return EMS_OK;
}

/* A project layer: the table's id, name and datasource in the GeoPackage, its CRS and the style's renderer.
 */
static ems_status put_maplayer(emscov_ctx *ctx, FILE *f, const char *gpkg_name, const result_layer *rl,
                               const char *renderer)
{
    const char *t = rl->table;
    fprintf(f,
            "    <maplayer type=\"vector\" geometry=\"%s\" autoRefreshEnabled=\"0\" "
            "refreshOnNotifyEnabled=\"0\">\n",
            geometry_class(layer_geom_type(rl->l)));
    fprintf(f, "      <id>emscov_%s</id>\n      <datasource>./", t);
    qgis_style_put_xml(f, gpkg_name);
    fprintf(f, "|layername=%s</datasource>\n      <layername>%s</layername>\n      <srs>\n", t, t);
    ems_status st = put_crs(ctx, f, "        ", layer_crs(rl->l));
    fputs("      </srs>\n      <provider encoding=\"UTF-8\">ogr</provider>\n", f);
    fputs(renderer, f); /* already indented for a QML document's top level; reads the same here */
    fputs("      <blendMode>0</blendMode>\n      <layerOpacity>1</layerOpacity>\n    </maplayer>\n", f);
    return st;
}

static int by_rank(const void *a, const void *b)
{
    const result_layer *x = *(const result_layer *const *)a, *y = *(const result_layer *const *)b;
    size_t rx = rank(x->table), ry = rank(y->table);
    return rx < ry ? -1 : rx > ry;
}

ems_status qgis_project_qgs(emscov_ctx *ctx, const char *gpkg_name, const result_layer *ls, size_t n,
                            char **qgs)
{
    *qgs = NULL;
    const result_layer **on = calloc(n ? n : 1, sizeof *on);
    char **renderer = calloc(n ? n : 1, sizeof *renderer);
    ems_status st = on && renderer ? EMS_OK : emscov_fail(ctx, EMS_ENOMEM, "out of memory (QGIS project)");
    size_t m = 0;
    for (size_t k = 0; st == EMS_OK && k < n; k++) {
        char *r = NULL;
        st = qgis_style_renderer(ctx, ls[k].table, &r);
        if (r && ls[k].l && layer_crs(ls[k].l)) {
            on[m] = &ls[k];
            renderer[m++] = r;
        } else {
            free(r);
        }
    }
    if (st == EMS_OK) {
        for (size_t a = 1; a < m;
             a++) /* insertion sort: a handful of layers, and it keeps equal ranks in order */
            for (size_t b = a; b > 0 && by_rank(&on[b - 1], &on[b]) > 0; b--) {
                const result_layer *tl = on[b];
                on[b] = on[b - 1], on[b - 1] = tl;
                char *tr = renderer[b];
                renderer[b] = renderer[b - 1], renderer[b - 1] = tr;
            }
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = st == EMS_OK && m > 0 ? open_memstream(&buf, &len) : NULL; /* no styled table: no project */
    if (st == EMS_OK && m > 0 && !f) st = emscov_fail(ctx, EMS_ENOMEM, "out of memory (QGIS project)");
    if (f) {
        double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY}, e[4];
        for (size_t k = 0; k < m; k++)
            if (layer_extent(on[k]->l, e)) {
                ext[0] = fmin(ext[0], e[0]), ext[1] = fmin(ext[1], e[1]);
                ext[2] = fmax(ext[2], e[2]), ext[3] = fmax(ext[3], e[3]);
            }
        fprintf(f,
                "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
                "<qgis projectname=\"%s\" version=\"3.22.0\">\n  <title>%s</title>\n  <projectCrs>\n",
                QGIS_PROJECT_NAME, QGIS_PROJECT_NAME);
        st = put_crs(ctx, f, "    ", layer_crs(on[0]->l));
        fputs("  </projectCrs>\n  <layer-tree-group>\n    <customproperties/>\n", f);
        bool shown = true; /* the sub-districts are opaque: the layers below start unticked */
        for (size_t k = 0; k < m; k++) {
            fprintf(f, "    <layer-tree-layer id=\"emscov_%s\" name=\"%s\" providerKey=\"ogr\" source=\"./",
                    on[k]->table, on[k]->table);
            qgis_style_put_xml(f, gpkg_name);
            fprintf(f,
                    "|layername=%s\" checked=\"Qt::%s\" expanded=\"1\">\n      <customproperties/>\n"
                    "    </layer-tree-layer>\n",
                    on[k]->table, shown ? "Checked" : "Unchecked");
            shown = shown && strcmp(on[k]->table, "street_summary") != 0;
        }
        fputs("  </layer-tree-group>\n", f);
        if (ext[0] <= ext[2]) { /* the map opens on the layers (a city: extent of its sub-districts) */
            fprintf(f,
                    "  <mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\">\n"
                    "    <extent>\n      <xmin>%.17g</xmin>\n      <ymin>%.17g</ymin>\n"
                    "      <xmax>%.17g</xmax>\n      <ymax>%.17g</ymax>\n    </extent>\n"
                    "    <rotation>0</rotation>\n    <destinationsrs>\n",
                    ext[0], ext[1], ext[2], ext[3]);
            if (st == EMS_OK) st = put_crs(ctx, f, "      ", layer_crs(on[0]->l));
            fputs("    </destinationsrs>\n  </mapcanvas>\n", f);
        }
        fputs("  <projectlayers>\n", f);
        for (size_t k = 0; st == EMS_OK && k < m; k++)
            st = put_maplayer(ctx, f, gpkg_name, on[k], renderer[k]);
        fputs("  </projectlayers>\n  <layerorder>\n", f);
        for (size_t k = 0; k < m; k++)
            fprintf(f, "    <layer id=\"emscov_%s\"/>\n", on[k]->table);
        fputs("  </layerorder>\n  <properties>\n    <Paths>\n      <Absolute type=\"bool\">false</Absolute>\n"
              "    </Paths>\n    <SpatialRefSys>\n      <ProjectionsEnabled "
              "type=\"int\">1</ProjectionsEnabled>\n"
              "    </SpatialRefSys>\n  </properties>\n</qgis>\n",
              f);
        if ((fclose(f) != 0 || !buf) && st == EMS_OK)
            st = emscov_fail(ctx, EMS_ENOMEM, "out of memory (QGIS project)");
        if (st != EMS_OK) {
            free(buf);
            buf = NULL;
        }
    }
    for (size_t k = 0; renderer && k < m; k++)
        free(renderer[k]);
    free(renderer);
    free(on);
    if (st == EMS_OK) *qgs = buf;
    return st;
}

ems_status qgis_project_qgz(emscov_ctx *ctx, const char *gpkg_name, const result_layer *ls, size_t n,
                            unsigned char **qgz, size_t *len)
{
    *qgz = NULL;
    *len = 0;
    char *qgs = NULL;
    ems_status st = qgis_project_qgs(ctx, gpkg_name, ls, n, &qgs);
    if (st == EMS_OK && qgs) st = zipfile_stored(ctx, QGIS_PROJECT_NAME ".qgs", qgs, strlen(qgs), qgz, len);
    free(qgs);
    return st;
}
