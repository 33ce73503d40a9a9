/* tests/src/test_demand.c: population -> demand points. Hand-worked grids, points and polygons (boundary and
 * overlap rules, areal and dasymetric shares, fallbacks); bad counts; conservation on the sample city (grid,
 * census areal, census dasymetric onto residential land) against the awk total; per-sub-district population
 * against PostGIS (areal weighting in SQL; ST_Covers of cell centres computed and transformed in SQL from an
 * awk dump of the grid); Monaco building points weighted by footprint area x levels. */
#include "test_pgutil.h"
#include "test_util.h"

#include "src/analysis/demand.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Helpers. */

static crs *utm50(emscov_ctx *ctx)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    return c;
}

/* A layer in EPSG:32650 from WKT, with an optional field whose values are given as text (NULL = null). */
static layer *mem_layer(emscov_ctx *ctx, const char *const *wkts, size_t n, const char *field,
                        layer_field_type type, const char *const *vals)
{
    crs *c = utm50(ctx);
    layer *l = NULL;
    assert_ok(ctx, layer_create(ctx, "mem.shp", "test", c, &l));
    crs_destroy(c);
    if (field) assert_ok(ctx, layer_add_field(ctx, l, field, type, 0, 0));
    for (size_t i = 0; i < n; i++) {
        layer_value v = {.is_null = true};
        if (field && vals[i]) {
            v.is_null = false;
            if (type == LAYER_FIELD_STRING)
                v.u.s = vals[i];
            else if (type == LAYER_FIELD_INT)
                v.u.i = atoll(vals[i]);
            else
                v.u.d = atof(vals[i]);
        }
        assert_ok(ctx, layer_append_take(ctx, l, tu_wkt(ctx, wkts[i]), (int64_t)i + 1, field ? &v : NULL));
    }
    return l;
}

static const char *fixture(const char *name, const char *text)
{
    char rel[128];
    snprintf(rel, sizeof rel, "%s.asc", name);
    const char *path = tu_tmp(rel);
    tu_write_file(path, text, strlen(text));
    return path;
}

/* Each point lies in the polygon of the sub-district it is assigned to. */
static void assert_points_in_streets(emscov_ctx *ctx, const demand_set *d, const layer *streets)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < d->n; i++) {
        if (d->street[i] == DEMAND_NONE) continue;
        GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, d->x[i], d->y[i]);
        assert_int_equal(GEOSCovers_r(h, layer_geom(streets, d->street[i]), p), 1);
        GEOSGeom_destroy_r(h, p);
    }
}

static const char *const two_streets[] = {"POLYGON((15 0,30 0,30 20,15 20,15 0))",
                                          "POLYGON((0 0,15 0,15 20,0 20,0 0))"};

/* ---- Grid. */

/* 4 x 2 cells of 10 m from (0, 0); street 0 is x 15..30, street 1 x 0..15: column 1's centres (x = 15) lie on
 * the shared edge and go to street 0, the lowest index; column 3 (x = 35) is outside both.
 *   row 0 (y = 15):  1  2  0  7
 *   row 1 (y =  5):  4 ND  6  0      -> street 0: 2 + 6 = 8, street 1: 1 + 4 = 5, outside 7, total 20. */
static void test_grid_small(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = fixture("small", "ncols 4\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 10\n"
                                        "NODATA_value -9999\n1 2 0 7\n4 -9999 6 0\n");
    layer_read_opts o = {.srs = "EPSG:32650"};
    grid *g = NULL;
    assert_ok(ctx, grid_read(ctx, path, &o, &g));
    layer *s = mem_layer(ctx, two_streets, 2, NULL, 0, NULL);
    crs *w = utm50(ctx);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_grid(ctx, g, w, s, &d));
    assert_int_equal(d->n, 5);
    assert_int_equal(d->nstreets, 2);
    assert_close(d->input_total, 20, 0);
    assert_close(d->allocated_total, 20, 0);
    assert_close(d->outside_total, 7, 0);
    double pop[2];
    demand_street_pop(d, pop);
    assert_close(pop[0], 8, 0);
    assert_close(pop[1], 5, 0);
    /* Points in raster order: cells 1, 2, 4 (row 0), 5, 7 (row 1). */
    const int64_t rec[5] = {1, 2, 4, 5, 7};
    const double x[5] = {5, 15, 35, 5, 25}, y[5] = {15, 15, 15, 5, 5}, p[5] = {1, 2, 7, 4, 6};
    const uint32_t st[5] = {1, 0, DEMAND_NONE, 1, 0};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(d->record[i], rec[i]);
        assert_close(d->x[i], x[i], 0);
        assert_close(d->y[i], y[i], 0);
        assert_close(d->pop[i], p[i], 0);
        assert_int_equal(d->street[i], st[i]);
    }
    demand_set_destroy(d);
    /* Without sub-districts everything is outside. */
    assert_ok(ctx, demand_from_grid(ctx, g, w, NULL, &d));
    assert_int_equal(d->nstreets, 0);
    assert_close(d->outside_total, 20, 0);
    demand_set_destroy(d);
    grid_destroy(g);
    crs_destroy(w);
    layer_destroy(s);
}

/* Cells are assigned to sub-districts row by row (scanline): every degenerate place of that method -- cell
 * centres on vertical, horizontal and diagonal edges, on vertices (a corner, a triangle's apex), on a hole's
 * boundary, in a hole filled by a later polygon, on a multipolygon part, where polygons overlap -- against
 * GEOSCovers of each centre with each polygon in index order, computed here, plus hand-worked cells. */
static void test_grid_scanline_edges(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    char text[2048];
    int used = snprintf(text, sizeof text, "ncols 12\nnrows 10\nxllcorner 0\nyllcorner 0\ncellsize 10\n");
    for (int r = 0; r < 10; r++)
        for (int c = 0; c < 12; c++)
            used += snprintf(text + used, sizeof text - (size_t)used, "%s", c == 11 ? "1\n" : "1 ");
    const char *path = fixture("scan", text);
    static const char *const polys[] = {
        "POLYGON((0 0,55 0,55 45,0 45,0 0))", /* top edge and right edge through centres */
        "POLYGON((65 5,105 5,85 45,65 5))",   /* base on a row, apex on a centre */
        "POLYGON((0 55,115 55,115 95,0 95,0 55),(25 65,45 65,45 85,25 85,25 65))", /* a hole on centres */
        "POLYGON((40 60,70 60,70 90,40 90,40 60))", /* fills part of the hole, overlaps polygon 2 */
        "MULTIPOLYGON(((95 55,115 75,95 95,95 55)),((60 0,115 0,115 10,60 10,60 0)))"}; /* diagonals */
    layer_read_opts o = {.srs = "EPSG:32650"};
    grid *g = NULL;
    assert_ok(ctx, grid_read(ctx, path, &o, &g));
    layer *s = mem_layer(ctx, polys, 5, NULL, 0, NULL);
    crs *w = utm50(ctx);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_grid(ctx, g, w, s, &d));
    assert_int_equal(d->n, 120);
    for (size_t i = 0; i < d->n; i++) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, d->x[i], d->y[i]);
        uint32_t want = DEMAND_NONE;
        for (uint32_t k = 0; k < 5 && want == DEMAND_NONE; k++)
            if (GEOSCovers_r(h, layer_geom(s, k), pt) == 1) want = k;
        GEOSGeom_destroy_r(h, pt);
        if (d->street[i] != want)
            fail_msg("cell centre (%g, %g): street %u, GEOS covers says %u", d->x[i], d->y[i], d->street[i],
                     want);
    }
    /* by hand: (x, y) -> street; row r holds y = 95 - 10 r, column c holds x = 5 + 10 c */
    static const struct {
        double x, y;
        uint32_t street;
    } hand[] = {{55, 45, 0},
                {55, 5, 0},
                {5, 45, 0},
                {85, 45, 1},
                {65, 5, 1},
                {75, 5, 1},
                {105, 5, 1},
                {115, 5, 4},
                {35, 65, 2},
                {35, 75, DEMAND_NONE},
                {45, 75, 2},
                {55, 75, 2},
                {105, 65, 2},
                {5, 55, 2},
                {115, 95, 2},
                {65, 45, DEMAND_NONE},
                {115, 45, DEMAND_NONE}};
    for (size_t k = 0; k < sizeof hand / sizeof *hand; k++) {
        size_t i = (size_t)((95 - hand[k].y) / 10) * 12 + (size_t)((hand[k].x - 5) / 10);
        assert_close(d->x[i], hand[k].x, 0);
        assert_close(d->y[i], hand[k].y, 0);
        if (d->street[i] != hand[k].street)
            fail_msg("(%g, %g): street %u, want %u", hand[k].x, hand[k].y, d->street[i], hand[k].street);
    }
    demand_set_destroy(d);
    grid_destroy(g);
    crs_destroy(w);
    layer_destroy(s);
}

/* One GK cell whose centre is the sample city's centre, moved into UTM 50N: cs2cs gives the answer. */
static void test_grid_transform(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = fixture("gk", "ncols 1\nnrows 1\nxllcorner 448638.856\nyllcorner 4418548.001\n"
                                     "cellsize 100\n250\n");
    layer_read_opts o = {.srs = "EPSG:4548"};
    grid *g = NULL;
    assert_ok(ctx, grid_read(ctx, path, &o, &g));
    crs *w = utm50(ctx);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_grid(ctx, g, w, NULL, &d));
    assert_int_equal(d->n, 1);
    char *out = NULL;
    /* EPSG:4548 is northing, easting in cs2cs. */
    assert_int_equal(tu_run("echo '4418598.001 448688.856' | cs2cs -f %.4f EPSG:4548 EPSG:32650", &out), 0);
    double ex, ey;
    assert_int_equal(sscanf(out, "%lf %lf", &ex, &ey), 2);
    free(out);
    assert_close(d->x[0], ex, 1e-3);
    assert_close(d->y[0], ey, 1e-3);
    assert_close(d->pop[0], 250, 0);
    demand_set_destroy(d);
    grid_destroy(g);
    crs_destroy(w);
}

static void test_grid_bad(void **state)
{
    emscov_ctx *ctx = *state;
    layer_read_opts o = {.srs = "EPSG:32650"};
    crs *w = utm50(ctx);
    grid *g = NULL;
    demand_set *d = NULL;
    const char *path = fixture("neg", "ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 10\n"
                                      "NODATA_value -9999\n1 2 -9999\n4 5 -3\n");
    assert_ok(ctx, grid_read(ctx, path, &o, &g));
    assert_status_msg(ctx, demand_from_grid(ctx, g, w, NULL, &d), EMS_EINPUT,
                      "neg.asc: row 2, column 3: negative count -3");
    assert_null(d);
    grid_destroy(g);
    /* a count beyond the largest double no longer reaches demand_from_grid: grid_read refuses it */
    path = fixture("inf", "ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 10\n1e999 1\n");
    assert_status_msg(ctx, grid_read(ctx, path, &o, &g), EMS_EINPUT, "row 1, column 1: \"1e999\" is out of range");
    assert_null(g);
    /* Sub-districts in another CRS than the working one: a programming error. */
    crs *gk = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4548, &gk));
    path = fixture("ok", "ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 10\n1\n");
    assert_ok(ctx, grid_read(ctx, path, &o, &g));
    layer *s = mem_layer(ctx, two_streets, 2, NULL, 0, NULL);
    assert_status_msg(ctx, demand_from_grid(ctx, g, gk, s, &d), EMS_EINTERNAL, "not in the working CRS");
    layer_destroy(s);
    grid_destroy(g);
    crs_destroy(gk);
    crs_destroy(w);
}

/* ---- Points. */

static void test_points(void **state)
{
    emscov_ctx *ctx = *state;
    const char *wkt[] = {"POINT(5 5)",  "POINT(15 10)", "POINT(50 50)",
                         "POINT(20 5)", "POINT(1 1)",   "MULTIPOINT((25 5))"};
    const char *pop[] = {"10", "2.5", "3", NULL, "0", "4"};
    layer *s = mem_layer(ctx, two_streets, 2, NULL, 0, NULL);
    layer *p = mem_layer(ctx, wkt, 6, "POP", LAYER_FIELD_DOUBLE, pop);
    size_t warnings = emscov_warning_count(ctx);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_points(ctx, p, "pop", NULL, s, &d));  /* field names match case-insensitively */
    assert_int_equal(emscov_warning_count(ctx), warnings + 1); /* the null count */
    assert_int_equal(d->n, 4);                                 /* null and 0 make no point */
    assert_close(d->input_total, 19.5, 0);
    assert_close(d->allocated_total, 19.5, 0);
    assert_close(d->outside_total, 3, 0);
    const int64_t rec[4] = {1, 2, 3, 6};
    const uint32_t st[4] = {1, 0, DEMAND_NONE, 0}; /* (15 10) is on the shared edge: street 0 */
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(d->record[i], rec[i]);
        assert_int_equal(d->street[i], st[i]);
    }
    double sp[2];
    demand_street_pop(d, sp);
    assert_close(sp[0], 6.5, 0);
    assert_close(sp[1], 10, 0);
    demand_set_destroy(d);
    layer_destroy(p);

    /* Text holding numbers is fine; text that is not a number, negatives, missing fields are not. */
    const char *text_ok[] = {"10", " 2.5 ", "3", NULL, "0", "4"};
    p = mem_layer(ctx, wkt, 6, "POP", LAYER_FIELD_STRING, text_ok);
    assert_ok(ctx, demand_from_points(ctx, p, "POP", NULL, s, &d));
    assert_close(d->allocated_total, 19.5, 0);
    demand_set_destroy(d);
    assert_status_msg(ctx, demand_from_points(ctx, p, "PEOPLE", NULL, s, &d), EMS_EINPUT,
                      "mem.shp: field PEOPLE: no such field (the fields are: POP)");
    assert_null(d);
    layer_destroy(p);
    const char *text_bad[] = {"10", "2.5", "many", NULL, "0", "4"};
    p = mem_layer(ctx, wkt, 6, "POP", LAYER_FIELD_STRING, text_bad);
    assert_status_msg(ctx, demand_from_points(ctx, p, "POP", NULL, s, &d), EMS_EINPUT,
                      "mem.shp: record 3: field POP: \"many\" is not a number");
    layer_destroy(p);
    const char *neg[] = {"10", "-2", "3", NULL, "0", "4"};
    p = mem_layer(ctx, wkt, 6, "POP", LAYER_FIELD_INT, neg);
    assert_status_msg(ctx, demand_from_points(ctx, p, "POP", NULL, s, &d), EMS_EINPUT,
                      "mem.shp: record 2: field POP: negative count -2");
    layer_destroy(p);
    const char *zeros[] = {"0", "0", "0", NULL, "0", "0"};
    p = mem_layer(ctx, wkt, 6, "POP", LAYER_FIELD_INT, zeros);
    assert_ok(ctx, demand_from_points(ctx, p, "POP", NULL, s, &d));
    assert_status_msg(ctx, demand_scale_to(ctx, d, 38000), EMS_EINPUT,
                      "population: the weights sum to 0, so a total of 38000 cannot be spread over them");
    demand_set_destroy(d);
    layer_destroy(p);
    const char *poly[] = {"POLYGON((0 0,1 0,1 1,0 0))"};
    const char *one[] = {"1"};
    p = mem_layer(ctx, poly, 1, "POP", LAYER_FIELD_INT, one);
    assert_status_msg(ctx, demand_from_points(ctx, p, "POP", NULL, s, &d), EMS_EINPUT,
                      "record 1: geometry is a Polygon");
    layer_destroy(p);

    /* The same from a CSV file, as a user would give it: a text value in the count column. */
    const char *csv = "id,x,y,pop\n1,5,5,10\n2,6,6,many\n";
    tu_write_file(tu_tmp("pts.csv"), csv, strlen(csv));
    layer_read_opts o = {.srs = "EPSG:32650"};
    assert_ok(ctx, layer_read(ctx, tu_tmp("pts.csv"), &o, &p));
    assert_status_msg(ctx, demand_from_points(ctx, p, "pop", NULL, s, &d), EMS_EINPUT,
                      "pts.csv: record 2: field pop: \"many\" is not a number");
    layer_destroy(p);
    layer_destroy(s);
}

/* ---- Polygons. */

static const char *const squares[] = {"POLYGON((0 0,10 0,10 10,0 10,0 0))",
                                      "POLYGON((10 0,20 0,20 10,10 10,10 0))"};

/* Areal weighting, worked by hand: C1 (x 5..15) 100 -> 50 + 50; C2 (x 15..25) 40 -> 20 in street 1, 20
 * outside; C3 inside street 0: 7. Streets: 57 and 70, outside 20. */
static void test_areal(void **state)
{
    emscov_ctx *ctx = *state;
    const char *census[] = {"POLYGON((5 0,15 0,15 10,5 10,5 0))", "POLYGON((15 0,25 0,25 10,15 10,15 0))",
                            "POLYGON((1 1,2 1,2 2,1 2,1 1))"};
    const char *pop[] = {"100", "40", "7"};
    layer *s = mem_layer(ctx, squares, 2, NULL, 0, NULL);
    layer *c = mem_layer(ctx, census, 3, "POP", LAYER_FIELD_INT, pop);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_polygons(ctx, c, "POP", s, NULL, NULL, &d));
    assert_int_equal(d->n, 5);
    assert_close(d->input_total, 147, 0);
    assert_close(d->allocated_total, 147, 1e-12);
    assert_close(d->outside_total, 20, 1e-12);
    double sp[2];
    demand_street_pop(d, sp);
    assert_close(sp[0], 57, 1e-12);
    assert_close(sp[1], 70, 1e-12);
    assert_points_in_streets(ctx, d, s);
    demand_set_destroy(d);
    layer_destroy(s);

    /* Overlapping sub-districts (x 0..10 and x 5..15): the overlap goes to the first, never to both.
     * A census polygon x 0..15 with 150: 100 to street 0, 50 to street 1. */
    const char *overlap[] = {"POLYGON((0 0,10 0,10 10,0 10,0 0))", "POLYGON((5 0,15 0,15 10,5 10,5 0))"};
    s = mem_layer(ctx, overlap, 2, NULL, 0, NULL);
    layer_destroy(c);
    const char *whole[] = {"POLYGON((0 0,15 0,15 10,0 10,0 0))"};
    const char *p150[] = {"150"};
    c = mem_layer(ctx, whole, 1, "POP", LAYER_FIELD_INT, p150);
    assert_ok(ctx, demand_from_polygons(ctx, c, "POP", s, NULL, NULL, &d));
    demand_street_pop(d, sp);
    assert_close(sp[0], 100, 1e-9);
    assert_close(sp[1], 50, 1e-9);
    assert_close(d->allocated_total, 150, 1e-9);
    assert_close(d->outside_total, 0, 0);
    demand_set_destroy(d);
    layer_destroy(s);

    /* Geometry of the wrong kind: in the census, and in the sub-districts. */
    const char *pt[] = {"POINT(1 1)"};
    layer *pl = mem_layer(ctx, pt, 1, "POP", LAYER_FIELD_INT, p150);
    s = mem_layer(ctx, squares, 2, NULL, 0, NULL);
    assert_status_msg(ctx, demand_from_polygons(ctx, pl, "POP", s, NULL, NULL, &d), EMS_EINPUT,
                      "mem.shp: record 1: geometry is a Point, need a polygon");
    assert_status_msg(ctx, demand_from_polygons(ctx, c, "POP", pl, NULL, NULL, &d), EMS_EINPUT,
                      "mem.shp: record 1: sub-district is a Point, need a polygon");
    assert_null(d);
    layer_destroy(pl);
    layer_destroy(c);
    layer_destroy(s);
}

/* Dasymetric, worked by hand. Streets x 0..10 and 10..20; census C (x 0..20) 90; targets T1 (area 4, in
 * street 0), T2 (area 8, in street 1), T3 (4 x 1, half in each).
 *   area only: weights 4, 8, 4 (16): street 0 = 90 x (4 + 2) / 16 = 33.75, street 1 = 90 x (8 + 2) / 16.
 *   levels 4, null, 0: weights 16, 8, 4 (28): street 0 = 90 x (16 + 2) / 28, street 1 = 90 x (8 + 2) / 28.
 * C2 (x 30..40, 10 people) meets no target: areal fallback, outside every street. */
static void test_dasymetric(void **state)
{
    emscov_ctx *ctx = *state;
    const char *census[] = {"POLYGON((0 0,20 0,20 10,0 10,0 0))", "POLYGON((30 0,40 0,40 10,30 10,30 0))"};
    const char *pop[] = {"90", "10"};
    const char *targets[] = {"POLYGON((2 2,4 2,4 4,2 4,2 2))", "POLYGON((12 2,16 2,16 4,12 4,12 2))",
                             "POLYGON((8 6,12 6,12 7,8 7,8 6))", "POLYGON((50 50,51 50,51 51,50 51,50 50))"};
    const char *levels[] = {"4", NULL, "0", "9"};
    layer *s = mem_layer(ctx, squares, 2, NULL, 0, NULL);
    layer *c = mem_layer(ctx, census, 2, "POP", LAYER_FIELD_INT, pop);
    layer *t = mem_layer(ctx, targets, 4, "LEVELS", LAYER_FIELD_INT, levels);
    size_t warnings = emscov_warning_count(ctx);
    demand_set *d = NULL;
    double sp[2];
    assert_ok(ctx, demand_from_polygons(ctx, c, "POP", s, t, NULL, &d));
    assert_int_equal(d->fallbacks, 1);
    assert_int_equal(emscov_warning_count(ctx), warnings + 1);
    demand_street_pop(d, sp);
    assert_close(sp[0], 33.75, 1e-9);
    assert_close(sp[1], 56.25, 1e-9);
    assert_close(d->outside_total, 10, 1e-9);
    assert_close(d->input_total, 100, 0);
    assert_close(d->allocated_total, 100, 1e-9);
    assert_int_equal(d->n, 5); /* T1, T2, T3 twice, C2 */
    assert_points_in_streets(ctx, d, s);
    demand_set_destroy(d);
    assert_ok(ctx, demand_from_polygons(ctx, c, "POP", s, t, "levels", &d));
    demand_street_pop(d, sp);
    assert_close(sp[0], 90.0 * 18 / 28, 1e-9);
    assert_close(sp[1], 90.0 * 10 / 28, 1e-9);
    assert_close(d->allocated_total, 100, 1e-9);
    demand_set_destroy(d);
    assert_status_msg(ctx, demand_from_polygons(ctx, c, "POP", s, t, "FLOORS", &d), EMS_EINPUT,
                      "mem.shp: field FLOORS: no such field");
    layer_destroy(t);
    const char *text_levels[] = {"4", NULL, "many", "9"};
    t = mem_layer(ctx, targets, 4, "LEVELS", LAYER_FIELD_STRING, text_levels);
    assert_status_msg(ctx, demand_from_polygons(ctx, c, "POP", s, t, "LEVELS", &d), EMS_EINPUT,
                      "record 3: field LEVELS: \"many\" is not a number");
    layer_destroy(t);
    layer_destroy(c);

    /* Bad counts. */
    const char *neg[] = {"90", "-1"};
    c = mem_layer(ctx, census, 2, "POP", LAYER_FIELD_INT, neg);
    assert_status_msg(ctx, demand_from_polygons(ctx, c, "POP", s, NULL, NULL, &d), EMS_EINPUT,
                      "mem.shp: record 2: field POP: negative count -1");
    assert_status_msg(ctx, demand_from_polygons(ctx, c, "PERSONS", s, NULL, NULL, &d), EMS_EINPUT,
                      "field PERSONS: no such field");
    layer_destroy(c);
    const char *text[] = {"90", "ten"};
    c = mem_layer(ctx, census, 2, "POP", LAYER_FIELD_STRING, text);
    assert_status_msg(ctx, demand_from_polygons(ctx, c, "POP", s, NULL, NULL, &d), EMS_EINPUT,
                      "mem.shp: record 2: field POP: \"ten\" is not a number");
    assert_null(d);
    layer_destroy(c);
    layer_destroy(s);
}

/* ---- The sample city. */

typedef struct sample {
    layer *streets, *census, *res;
    grid *g;
    crs *w;
} sample;

static void sample_load(emscov_ctx *ctx, sample *sm)
{
    memset(sm, 0, sizeof *sm);
    assert_ok(ctx, layer_read(ctx, tu_sample("streets_utf8.shp"), NULL, &sm->streets));
    assert_ok(ctx, layer_read(ctx, tu_sample("census.shp"), NULL, &sm->census));
    assert_ok(ctx, layer_read(ctx, tu_sample("residential.shp"), NULL, &sm->res));
    assert_ok(ctx, grid_read(ctx, tu_sample("population.asc"), NULL, &sm->g));
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &sm->w)); /* the SQL below works in UTM 50N too */
    assert_ok(ctx, layer_transform(ctx, sm->streets, sm->w));
    assert_ok(ctx, layer_transform(ctx, sm->census, sm->w));
    assert_ok(ctx, layer_transform(ctx, sm->res, sm->w));
}

static void sample_free(sample *sm)
{
    layer_destroy(sm->streets);
    layer_destroy(sm->census);
    layer_destroy(sm->res);
    grid_destroy(sm->g);
    crs_destroy(sm->w);
}

static double awk_total(void)
{
    char cmd[1024], *out = NULL;
    snprintf(cmd, sizeof cmd,
             "awk 'NR>6{for(i=1;i<=NF;i++) if($i!=-9999) s+=$i} END{printf \"%%.0f\", s}' '%s'",
             tu_sample("population.asc"));
    assert_int_equal(tu_run(cmd, &out), 0);
    double t = atof(out);
    free(out);
    assert_close(t, 1800035, 0);
    return t;
}

static void test_sample_conservation(void **state)
{
    emscov_ctx *ctx = *state;
    double total = awk_total();
    sample sm;
    sample_load(ctx, &sm);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_grid(ctx, sm.g, sm.w, sm.streets, &d));
    assert_close(d->input_total, total, 0);
    assert_close(d->allocated_total, total, 0);
    assert_points_in_streets(ctx, d, sm.streets);
    demand_set_destroy(d);
    assert_ok(ctx, demand_from_polygons(ctx, sm.census, "POP", sm.streets, NULL, NULL, &d));
    assert_close(d->input_total, total, 0);
    assert_close(d->allocated_total, total, total * 1e-6);
    assert_points_in_streets(ctx, d, sm.streets);
    demand_set_destroy(d);
    assert_ok(ctx, demand_from_polygons(ctx, sm.census, "POP", sm.streets, sm.res, NULL, &d));
    assert_close(d->input_total, total, 0);
    assert_close(d->allocated_total, total, total * 1e-6);
    print_message("dasymetric: %zu points, %zu census blocks fell back to areal weighting\n", d->n,
                  d->fallbacks);
    assert_points_in_streets(ctx, d, sm.streets);
    demand_set_destroy(d);
    sample_free(&sm);
}

/* ---- PostGIS. */

static void pg_ok(PGresult *r, ExecStatusType want)
{
    if (PQresultStatus(r) != want) fail_msg("%s", PQresultErrorMessage(r));
    PQclear(r);
}

/* Table name(id int, geom geometry) with the layer's geometries as WKB, SRID srid. */
static void pg_load_layer(emscov_ctx *ctx, PGconn *c, const char *name, const layer *l, int srid)
{
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE TEMP TABLE %s(id int, pop float8, geom geometry)", name);
    pg_ok(PQexec(c, sql), PGRES_COMMAND_OK);
    snprintf(sql, sizeof sql,
             "INSERT INTO %s VALUES ($1::int, $2::float8, ST_SetSRID(ST_GeomFromWKB(decode($3, 'hex')), %d))",
             name, srid);
    GEOSContextHandle_t h = emscov_geos(ctx);
    GEOSWKBWriter *w = GEOSWKBWriter_create_r(h);
    int pj = layer_field_index(l, "POP");
    for (size_t i = 0; i < layer_count(l); i++) {
        size_t len = 0;
        unsigned char *raw = GEOSWKBWriter_writeHEX_r(h, w, layer_geom(l, i), &len);
        char *hex = malloc(len + 1); /* the HEX writer's buffer is not NUL-terminated */
        memcpy(hex, raw, len);
        hex[len] = '\0';
        GEOSFree_r(h, raw);
        char id[32], pop[64];
        snprintf(id, sizeof id, "%zu", i);
        snprintf(pop, sizeof pop, "%.17g", pj >= 0 ? layer_value_number(l, i, (size_t)pj) : 0.0);
        const char *vals[3] = {id, pop, hex};
        pg_ok(PQexecParams(c, sql, 3, NULL, vals, NULL, NULL, 0), PGRES_COMMAND_OK);
        free(hex);
    }
    GEOSWKBWriter_destroy_r(h, w);
}

/* Areal weighting of census.shp per sub-district: ours against the same sums in SQL. */
static void test_sample_areal_postgis(void **state)
{
    emscov_ctx *ctx = *state;
    PGconn *c = tu_pg_connect();
    sample sm;
    sample_load(ctx, &sm);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_polygons(ctx, sm.census, "POP", sm.streets, NULL, NULL, &d));
    pg_load_layer(ctx, c, "dm_streets", sm.streets, 32650);
    pg_load_layer(ctx, c, "dm_census", sm.census, 32650);
    PGresult *r = PQexec(c, "SELECT s.id, coalesce(sum(c.pop * ST_Area(ST_Intersection(s.geom, c.geom)) / "
                            "ST_Area(c.geom)), 0) FROM dm_streets s LEFT JOIN dm_census c "
                            "ON ST_Intersects(s.geom, c.geom) GROUP BY s.id ORDER BY s.id");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal((size_t)PQntuples(r), layer_count(sm.streets));
    double *sp = calloc(d->nstreets, sizeof *sp), sum = 0;
    demand_street_pop(d, sp);
    for (int i = 0; i < PQntuples(r); i++) {
        size_t id = (size_t)atoi(PQgetvalue(r, i, 0));
        double want = atof(PQgetvalue(r, i, 1));
        assert_close(sp[id], want, 0.5);
        sum += want;
    }
    PQclear(r);
    /* What PostGIS puts in no sub-district is our outside total. */
    assert_close(d->outside_total, 1800035 - sum, 0.5);
    free(sp);
    demand_set_destroy(d);
    sample_free(&sm);
    PQfinish(c);
}

/* Grid population per sub-district: PostGIS counts cell centres computed from an awk dump of the grid,
 * transformed from EPSG:4548 to 32650 in SQL, covered by sub-districts (also transformed in SQL), the lowest
 * id winning on shared boundaries; our points must also sit where PostGIS puts the cell centres. */
static void test_sample_grid_postgis(void **state)
{
    emscov_ctx *ctx = *state;
    PGconn *c = tu_pg_connect();
    sample sm;
    sample_load(ctx, &sm);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_grid(ctx, sm.g, sm.w, sm.streets, &d));
    layer *gk = NULL; /* the sub-districts as read, in GK */
    assert_ok(ctx, layer_read(ctx, tu_sample("streets_utf8.shp"), NULL, &gk));
    pg_load_layer(ctx, c, "dm_streets_gk", gk, 4548);
    layer_destroy(gk);

    char cmd[1024], *hdr = NULL, *cells = NULL;
    snprintf(cmd, sizeof cmd, "awk 'NR<=6{printf \"%%s \", $2}' '%s'", tu_sample("population.asc"));
    assert_int_equal(tu_run(cmd, &hdr), 0);
    double ncols, nrows, xll, yll, cs, nd;
    assert_int_equal(sscanf(hdr, "%lf %lf %lf %lf %lf %lf", &ncols, &nrows, &xll, &yll, &cs, &nd), 6);
    free(hdr);
    snprintf(cmd, sizeof cmd,
             "awk 'NR>6{for(i=1;i<=NF;i++) printf \"%%d\\t%%d\\t%%s\\n\", NR-7, i-1, $i}' '%s'",
             tu_sample("population.asc"));
    assert_int_equal(tu_run(cmd, &cells), 0);
    pg_ok(PQexec(c, "CREATE TEMP TABLE dm_cells(r int, c int, v float8)"), PGRES_COMMAND_OK);
    pg_ok(PQexec(c, "COPY dm_cells FROM STDIN"), PGRES_COPY_IN);
    assert_int_equal(PQputCopyData(c, cells, (int)strlen(cells)), 1);
    assert_int_equal(PQputCopyEnd(c, NULL), 1);
    pg_ok(PQgetResult(c), PGRES_COMMAND_OK);
    free(cells);
    char sql[1024];
    snprintf(
        sql, sizeof sql,
        "CREATE TEMP TABLE dm_pts AS SELECT r * %.0f + c + 1 AS cell, v, "
        "ST_Transform(ST_SetSRID(ST_MakePoint("
        "%.17g + (c + 0.5) * %.17g, %.17g + (%.0f - r - 0.5) * %.17g), 4548), 32650) AS geom FROM dm_cells "
        "WHERE v <> %.17g AND v > 0",
        ncols, xll, cs, yll, nrows, cs, nd);
    pg_ok(PQexec(c, sql), PGRES_COMMAND_OK);
    pg_ok(
        PQexec(c,
               "CREATE TEMP TABLE dm_sgk AS SELECT id, ST_Transform(geom, 32650) AS geom FROM dm_streets_gk"),
        PGRES_COMMAND_OK);

    /* Every point where PostGIS puts it (1 mm), same count and total. */
    PGresult *r = PQexec(c, "SELECT cell, v, ST_X(geom), ST_Y(geom) FROM dm_pts ORDER BY cell");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal((size_t)PQntuples(r), d->n);
    for (int i = 0; i < PQntuples(r); i++) {
        assert_int_equal(d->record[i], atoll(PQgetvalue(r, i, 0)));
        assert_close(d->pop[i], atof(PQgetvalue(r, i, 1)), 0);
        assert_close(d->x[i], atof(PQgetvalue(r, i, 2)), 1e-3);
        assert_close(d->y[i], atof(PQgetvalue(r, i, 3)), 1e-3);
    }
    PQclear(r);

    /* Cells on a boundary (within 1 mm): reported; the DISTINCT ON rule below gives them to the lowest id. */
    r = PQexec(
        c, "SELECT count(*) FROM dm_pts p JOIN dm_sgk s ON ST_DWithin(ST_Boundary(s.geom), p.geom, 1e-3)");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    print_message("cells within 1 mm of a sub-district boundary: %s\n", PQgetvalue(r, 0, 0));
    PQclear(r);
    r = PQexec(
        c,
        "SELECT s.id, coalesce(sum(m.v), 0), count(m.cell) FROM dm_sgk s LEFT JOIN "
        "(SELECT DISTINCT ON (p.cell) p.cell, p.v, s.id AS sid FROM dm_pts p JOIN dm_sgk s "
        "ON ST_Covers(s.geom, p.geom) ORDER BY p.cell, s.id) m ON m.sid = s.id GROUP BY s.id ORDER BY s.id");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_int_equal((size_t)PQntuples(r), d->nstreets);
    double *sp = calloc(d->nstreets, sizeof *sp), inside = 0;
    size_t *cnt = calloc(d->nstreets, sizeof *cnt);
    demand_street_pop(d, sp);
    for (size_t i = 0; i < d->n; i++)
        if (d->street[i] != DEMAND_NONE) cnt[d->street[i]]++;
    for (int i = 0; i < PQntuples(r); i++) {
        size_t id = (size_t)atoi(PQgetvalue(r, i, 0));
        assert_close(sp[id], atof(PQgetvalue(r, i, 1)), 0);
        assert_int_equal(cnt[id], (size_t)atoll(PQgetvalue(r, i, 2)));
        inside += atof(PQgetvalue(r, i, 1));
    }
    PQclear(r);
    assert_close(d->outside_total, d->input_total - inside, 0);
    free(sp);
    free(cnt);
    demand_set_destroy(d);
    sample_free(&sm);
    PQfinish(c);
}

/* ---- Monaco: building points weighted by footprint area x max(levels, 1), scaled to 38,000. */

static void test_monaco_buildings(void **state)
{
    emscov_ctx *ctx = *state;
    const char *subs_path = tu_shared("data/real/monaco-osm-2016/derived/subdistricts.geojson");
    tu_require_shared(subs_path);
    layer *all = NULL, *subs = NULL, *b = NULL, *pts = NULL;
    GEOSContextHandle_t h = emscov_geos(ctx);
    assert_ok(ctx, layer_read(ctx, subs_path, NULL, &all));
    assert_ok(ctx, layer_create(ctx, "quartiers", "test", layer_crs(all), &subs));
    int lv = layer_field_index(all, "admin_level");
    assert_true(lv >= 0);
    for (size_t i = 0; i < layer_count(all); i++) {
        const layer_value *v = layer_value_at(all, i, (size_t)lv);
        if (!v->is_null && !strcmp(v->u.s, "10"))
            assert_ok(ctx, layer_append_take(ctx, subs, GEOSGeom_clone_r(h, layer_geom(all, i)),
                                             layer_record(all, i), NULL));
    }
    layer_destroy(all);
    assert_int_equal(layer_count(subs), 9);

    assert_ok(ctx, layer_read(ctx, tu_shared("data/real/monaco-osm-2016/derived/buildings.csv"), NULL, &b));
    int ja = layer_field_index(b, "area_m2"), jl = layer_field_index(b, "levels");
    assert_true(ja >= 0 && jl >= 0);
    size_t n = layer_count(b);
    double *w = calloc(n, sizeof *w), wsum = 0;
    for (size_t i = 0; i < n; i++) {
        double a = layer_value_number(b, i, (size_t)ja), l = layer_value_number(b, i, (size_t)jl);
        w[i] = (isnan(a) ? 0 : a) * (isnan(l) || l < 1 ? 1 : l);
        wsum += w[i];
    }
    assert_ok(ctx, layer_create(ctx, "buildings", "test", layer_crs(b), &pts));
    assert_ok(ctx, layer_add_field(ctx, pts, "POP", LAYER_FIELD_DOUBLE, 0, 0));
    double scaled = 0;
    for (size_t i = 0; i < n; i++) {
        layer_value v = {.is_null = false, .u.d = w[i] * 38000.0 / wsum};
        scaled += v.u.d;
        assert_ok(ctx,
                  layer_append_take(ctx, pts, GEOSGeom_clone_r(h, layer_geom(b, i)), layer_record(b, i), &v));
    }
    free(w);
    crs *wk = NULL;
    assert_ok(ctx, layer_choose_working_crs(ctx, &subs, 1, &wk));
    assert_int_equal(crs_epsg(wk), 32632);
    assert_ok(ctx, layer_transform(ctx, subs, wk));
    assert_ok(ctx, layer_transform(ctx, pts, wk));
    assert_ok(ctx, layer_transform(ctx, b, wk));
    /* The scenario's way (count_field = area_m2, levels_field = levels, total = 38000) gives the same. */
    demand_set *dw = NULL;
    assert_ok(ctx, demand_from_points(ctx, b, "area_m2", "levels", subs, &dw));
    assert_close(dw->input_total, wsum, wsum * 1e-12);
    assert_ok(ctx, demand_scale_to(ctx, dw, 38000));
    assert_close(dw->weight_total, wsum, wsum * 1e-12);
    assert_close(dw->input_total, 38000, 0);
    assert_close(dw->allocated_total, 38000, 38000 * 1e-12);
    assert_status_msg(ctx, demand_scale_to(ctx, dw, 0), EMS_EINPUT, "population total 0: need a number > 0");
    layer_destroy(b);
    demand_set *d = NULL;
    assert_ok(ctx, demand_from_points(ctx, pts, "POP", NULL, subs, &d));
    assert_close(d->input_total, 38000, 38000 * 1e-9);
    assert_close(d->allocated_total, d->input_total, 38000 * 1e-9);
    assert_true(d->outside_total > 0); /* buildings in the French communes around */
    double sp[9], in = 0;
    demand_street_pop(d, sp);
    for (size_t k = 0; k < 9; k++) {
        assert_true(sp[k] > 0);
        in += sp[k];
    }
    assert_close(in + d->outside_total, 38000, 38000 * 1e-9);
    double spw[9];
    demand_street_pop(dw, spw);
    for (size_t k = 0; k < 9; k++)
        assert_close(spw[k], sp[k], 1e-9);
    assert_close(dw->outside_total, d->outside_total, 1e-9);
    demand_set_destroy(dw);
    print_message("Monaco: %zu buildings, %.1f inside the 9 quartiers, %.1f outside\n", d->n, in,
                  d->outside_total);
    assert_points_in_streets(ctx, d, subs);
    demand_set_destroy(d);
    crs_destroy(wk);
    layer_destroy(subs);
    layer_destroy(pts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_small),
        cmocka_unit_test(test_grid_scanline_edges),
        cmocka_unit_test(test_grid_transform),
        cmocka_unit_test(test_grid_bad),
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_areal),
        cmocka_unit_test(test_dasymetric),
        cmocka_unit_test(test_sample_conservation),
        cmocka_unit_test(test_sample_areal_postgis),
        cmocka_unit_test(test_sample_grid_postgis),
        cmocka_unit_test(test_monaco_buildings),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
