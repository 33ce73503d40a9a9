/* tests/geo/test_raster_union.c: the raster buffer union, traced into polygons, on cases worked by hand. */
#include "test_util.h"

#include "geo/raster_union.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* A square loop road 0..400 x 0..400, buffer 100, cells of 10 m aligned with the coordinates: the cells whose
 * centre lies more than 100 m from every side form the 200 x 200 m hole in the middle, exactly. */
static void test_square_loop_has_exact_hole(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    const double box[4] = {0, 0, 400, 400};
    raster_union *r = NULL;
    assert_ok(ctx, raster_union_create(ctx, box, 100, 10, 1000000, &r));
    raster_union_add_segment(r, 0, 0, 400, 0);
    raster_union_add_segment(r, 400, 0, 400, 400);
    raster_union_add_segment(r, 400, 400, 0, 400);
    raster_union_add_segment(r, 0, 400, 0, 0);
    GEOSGeometry *g = NULL;
    assert_ok(ctx, raster_union_polygon(ctx, r, false, &g));
    assert_int_equal(GEOSGeomTypeId_r(h, g), GEOS_POLYGON);
    assert_int_equal(GEOSisValid_r(h, g), 1);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, g), 1);
    const GEOSGeometry *hole = GEOSGetInteriorRingN_r(h, g, 0);
    GEOSGeometry *hp = GEOSGeom_createPolygon_r(h, GEOSGeom_clone_r(h, hole), NULL, 0);
    double ha = 0, area = 0;
    GEOSArea_r(h, hp, &ha);
    assert_close(ha, 200.0 * 200.0, 1e-6);
    /* area = marked cells x 100 m2, and close to the true buffer union: 600^2 - 4 corners (100^2 (4 - pi))
     * - the hole 200^2 */
    GEOSArea_r(h, g, &area);
    assert_close(area, (double)raster_union_marked(r) * 100.0, 1e-6);
    double truth = 600.0 * 600.0 - 4 * (100.0 * 100.0 - M_PI * 100.0 * 100.0 / 4) - 200.0 * 200.0;
    assert_close(area, truth, 0.01 * truth);
    GEOSGeom_destroy_r(h, hp);
    GEOSGeom_destroy_r(h, g);

    /* freeze, add a far segment: with exclude_frozen only the new part is traced */
    raster_union_freeze(r);
    raster_union_add_segment(r, -150, 200, -150, 200); /* a point 150 m west of the loop: a disk */
    assert_ok(ctx, raster_union_polygon(ctx, r, true, &g));
    assert_int_equal(GEOSisValid_r(h, g), 1);
    GEOSArea_r(h, g, &area);
    /* the disk of radius 100 around (-150, 200) minus what the loop already covered (x > -100) */
    assert_true(area > 0 && area < M_PI * 100 * 100);
    GEOSGeom_destroy_r(h, g);
    raster_union_destroy(r);
}

/* Two cells touching only at a corner stay two polygons (4-connectivity), and the result is valid. */
static void test_diagonal_cells(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    const double box[4] = {0, 0, 100, 100};
    raster_union *r = NULL;
    assert_ok(ctx, raster_union_create(ctx, box, 0.1, 10, 1000000, &r));
    /* buffer 0.1 around a point at a cell centre marks exactly that cell */
    raster_union_add_segment(r, 5 - 0.0, 5, 5, 5);
    raster_union_add_segment(r, 15, 15, 15, 15);
    GEOSGeometry *g = NULL;
    assert_int_equal(raster_union_marked(r), 0); /* cell centres are at x0 + (i + 0.5) c: check the grid origin */
    raster_union_destroy(r);
    /* origin = xmin - (buffer + 2 cells) = -20.1: centres at -15.1, -5.1, 4.9, 14.9, ... */
    assert_ok(ctx, raster_union_create(ctx, box, 0.1, 10, 1000000, &r));
    raster_union_add_segment(r, 4.9, 4.9, 4.9, 4.9);
    raster_union_add_segment(r, 14.9, 14.9, 14.9, 14.9);
    assert_int_equal(raster_union_marked(r), 2);
    assert_ok(ctx, raster_union_polygon(ctx, r, false, &g));
    assert_int_equal(GEOSGeomTypeId_r(h, g), GEOS_MULTIPOLYGON);
    assert_int_equal(GEOSGetNumGeometries_r(h, g), 2);
    assert_int_equal(GEOSisValid_r(h, g), 1);
    double area = 0;
    GEOSArea_r(h, g, &area);
    assert_close(area, 200, 1e-9);
    GEOSGeom_destroy_r(h, g);
    raster_union_destroy(r);
}

/* A shell pinched at a vertex: cells (3,3) and (4,4) touch only at a corner and are also joined the long way
 * round, enclosing cell (4,3). Tracing passes twice through the pinch vertex; the result must still be valid:
 * one polygon of 7 cells with a one-cell hole touching the shell at that vertex. */
static void test_pinched_shell(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    const double box[4] = {0, 0, 100, 100};
    raster_union *r = NULL;
    assert_ok(ctx, raster_union_create(ctx, box, 0.1, 10, 1000000, &r));
    /* cell (i, j) centre: -20.1 + (i + 0.5) * 10 */
    const int cells[][2] = {{3, 3}, {4, 4}, {5, 4}, {5, 3}, {5, 2}, {4, 2}, {3, 2}};
    for (size_t k = 0; k < sizeof cells / sizeof *cells; k++) {
        double x = -20.1 + (cells[k][0] + 0.5) * 10, y = -20.1 + (cells[k][1] + 0.5) * 10;
        raster_union_add_segment(r, x, y, x, y);
    }
    assert_int_equal(raster_union_marked(r), 7);
    GEOSGeometry *g = NULL;
    assert_ok(ctx, raster_union_polygon(ctx, r, false, &g));
    assert_int_equal(GEOSisValid_r(h, g), 1);
    double area = 0;
    GEOSArea_r(h, g, &area);
    assert_close(area, 700, 1e-9);
    assert_int_equal(GEOSGeomTypeId_r(h, g), GEOS_POLYGON);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, g), 1);
    GEOSGeom_destroy_r(h, g);
    raster_union_destroy(r);
}

static void test_limits(void **state)
{
    emscov_ctx *ctx = *state;
    const double box[4] = {0, 0, 1e6, 1e6};
    raster_union *r = NULL;
    assert_status_msg(ctx, raster_union_create(ctx, box, 100, 1, 1000000, &r), EMS_EINPUT, "use a larger cell");
    assert_null(r);
    GEOSGeometry *g = NULL;
    const double small[4] = {0, 0, 10, 10};
    assert_ok(ctx, raster_union_create(ctx, small, 5, 1, 1000000, &r));
    assert_ok(ctx, raster_union_polygon(ctx, r, false, &g)); /* nothing marked */
    assert_int_equal(GEOSisEmpty_r(emscov_geos(ctx), g), 1);
    GEOSGeom_destroy_r(emscov_geos(ctx), g);
    raster_union_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_square_loop_has_exact_hole),
        cmocka_unit_test(test_diagonal_cells),
        cmocka_unit_test(test_pinched_shell),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
