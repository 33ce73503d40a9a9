/* tests/src/test_qgis_project.c: the QGIS project of a result GeoPackage. The .qgs parses as XML (expat); its
 * layer tree and layer order hold the styled tables only, top first as designed here (stations above
 * sub-districts, whatever order they come in), the layers below the sub-districts unticked; each map layer
 * reads "./NAME|layername=TABLE" with provider ogr, carries the EPSG code of its CRS and the very renderer of
 * the table's style (qgis_style_renderer); the .qgz is a zip holding emscov.qgs whose bytes are that
 * document. Without a styled table there is no project. */
#include "test_util.h"

#include "src/output/qgis_project.h"
#include "src/output/qgis_style.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct seen {
    char tree[8][64];  /* layer-tree-layer name + ":" + checked */
    char order[8][64]; /* layerorder ids */
    int ntree, norder, depth;
    bool in_layerorder;
} seen;

static const char *attr(const XML_Char **a, const char *name)
{
    for (; *a; a += 2)
        if (!strcmp(a[0], name)) return a[1];
    return NULL;
}

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **a)
{
    seen *s = user;
    if (!strcmp(name, "layer-tree-layer") && s->ntree < 8)
        snprintf(s->tree[s->ntree++], 64, "%s:%s", attr(a, "name"), attr(a, "checked"));
    if (!strcmp(name, "layerorder")) s->in_layerorder = true;
    if (s->in_layerorder && !strcmp(name, "layer") && s->norder < 8)
        snprintf(s->order[s->norder++], 64, "%s", attr(a, "id"));
}

static void XMLCALL on_end(void *user, const XML_Char *name)
{
    if (!strcmp(name, "layerorder")) ((seen *)user)->in_layerorder = false;
}

static layer *one_layer(emscov_ctx *ctx, const char *wkt)
{
    crs *c = NULL;
    layer *l = NULL;
    assert_ok(ctx, crs_from_string(ctx, tu_gk117_wkt, &c)); /* a .prj: the EPSG code is identified */
    assert_ok(ctx, layer_create(ctx, "mem", "test", c, &l));
    crs_destroy(c);
    assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkt), 1, NULL));
    return l;
}

#define assert_has(s, needle) assert_non_null(strstr(s, needle))

static void test_project(void **state)
{
    emscov_ctx *ctx = *state;
    layer *poly = one_layer(ctx, "POLYGON((500000 4400000, 501000 4400000, 501000 4401000, 500000 4400000))");
    layer *pt = one_layer(ctx, "POINT(500500 4400200)");
    layer *dem = one_layer(ctx, "POINT(500600 4400300)");
    result_layer ls[] = {{"demand_time", NULL, dem, NULL},
                         {"street_summary", NULL, poly, NULL},
                         {"roads", NULL, poly, NULL}, /* no style: not in the project */
                         {"station", NULL, pt, NULL}};
    char *qgs = NULL;
    assert_ok(ctx, qgis_project_qgs(ctx, "emscov.gpkg", ls, 4, &qgs));
    seen s = {0};
    XML_Parser p = XML_ParserCreate("UTF-8");
    XML_SetUserData(p, &s);
    XML_SetElementHandler(p, on_start, on_end);
    if (XML_Parse(p, qgs, (int)strlen(qgs), 1) != XML_STATUS_OK)
        fail_msg("line %lu: %s", (unsigned long)XML_GetCurrentLineNumber(p),
                 XML_ErrorString(XML_GetErrorCode(p)));
    XML_ParserFree(p);
    assert_int_equal(s.ntree, 3);
    assert_string_equal(s.tree[0], "station:Qt::Checked");
    assert_string_equal(s.tree[1], "street_summary:Qt::Checked");
    assert_string_equal(s.tree[2], "demand_time:Qt::Unchecked");
    assert_int_equal(s.norder, 3);
    assert_string_equal(s.order[0], "emscov_station");
    assert_string_equal(s.order[2], "emscov_demand_time");
    assert_has(qgs, "<datasource>./emscov.gpkg|layername=station</datasource>");
    assert_has(qgs, "<provider encoding=\"UTF-8\">ogr</provider>");
    assert_has(qgs, "<authid>EPSG:4548</authid>");
    assert_has(qgs, "<xmin>500000</xmin>"); /* the map opens on the layers' extent */
    assert_has(qgs, "<ymax>4401000</ymax>");
    assert_has(qgs, "<Absolute type=\"bool\">false</Absolute>");
    const char *tables[] = {"station", "street_summary", "demand_time"};
    for (size_t k = 0; k < 3; k++) {
        char *r = NULL;
        assert_ok(ctx, qgis_style_renderer(ctx, tables[k], &r));
        assert_has(qgs, r);
        free(r);
    }
    char *r = (char *)"x";
    assert_ok(ctx, qgis_style_renderer(ctx, "roads", &r));
    assert_null(r);
    /* the .qgz holds the same document */
    unsigned char *z = NULL;
    size_t n = 0;
    assert_ok(ctx, qgis_project_qgz(ctx, "emscov.gpkg", ls, 4, &z, &n));
    assert_memory_equal(z, "PK\3\4", 4);
    assert_memory_equal(z + 30, "emscov.qgs", 10);
    assert_true(n > 40 + strlen(qgs));
    assert_memory_equal(z + 40, qgs, strlen(qgs));
    free(z);
    free(qgs);
    /* no styled table, no project */
    qgs = (char *)"x";
    assert_ok(ctx, qgis_project_qgs(ctx, "x.gpkg", &ls[2], 1, &qgs));
    assert_null(qgs);
    z = (unsigned char *)"x";
    n = 1;
    assert_ok(ctx, qgis_project_qgz(ctx, "x.gpkg", &ls[2], 1, &z, &n));
    assert_null(z);
    assert_int_equal(n, 0);
    layer_destroy(poly);
    layer_destroy(pt);
    layer_destroy(dem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_project),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
