/* tests/geo/test_grid.c: the ESRI ASCII grid reader: hand-written grids (corner and centre origins, dx/dy,
 * case-insensitive keys, values wrapped over lines, number forms against C literals), the CRS from .prj or
 * --srs, every error with its line, and the generated sample grid against an independent awk sum. The GDAL
 * path: GeoTIFFs made by gdal_translate from hand-written grids (the same cells, origin, no-data and CRS as
 * the ASCII grid; scale and offset; a per-dataset mask; a south-up file; a rotated one refused; no CRS; a
 * truncated file; two bands) and the sample grid as a GeoTIFF, cell for cell. */
#include "test_util.h"

#include "geo/grid.h"
#include "geo/limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Write name.asc (and name.prj with the GK .prj when prj) into the scratch dir; returns the .asc path. */
static const char *fixture(const char *name, const char *text, bool prj)
{
    char rel[128];
    snprintf(rel, sizeof rel, "%s.prj", name);
    if (prj)
        tu_write_file(tu_tmp(rel), tu_gk117_wkt, strlen(tu_gk117_wkt));
    else
        remove(tu_tmp(rel));
    snprintf(rel, sizeof rel, "%s.asc", name);
    const char *path = tu_tmp(rel);
    tu_write_file(path, text, strlen(text));
    return path;
}

static void test_corner_origin(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = fixture("corner",
                               "ncols 3\n"
                               "nrows 2\n"
                               "xllcorner 100\n"
                               "yllcorner 200\n"
                               "cellsize 10\n"
                               "NODATA_value -1\n"
                               "1 2 3\n"
                               "4 -1 6.5\n",
                               true);
    grid *g = NULL;
    assert_ok(ctx, grid_read(ctx, path, NULL, &g));
    assert_int_equal(grid_ncols(g), 3);
    assert_int_equal(grid_nrows(g), 2);
    assert_close(grid_dx(g), 10, 0);
    assert_close(grid_dy(g), 10, 0);
    double x, y, nd;
    grid_origin(g, &x, &y);
    assert_close(x, 100, 0);
    assert_close(y, 200, 0);
    /* Row 0 is the top row: its centres are at y = 200 + 1.5 x 10. */
    grid_cell_centre(g, 0, 0, &x, &y);
    assert_close(x, 105, 0);
    assert_close(y, 215, 0);
    grid_cell_centre(g, 1, 2, &x, &y);
    assert_close(x, 125, 0);
    assert_close(y, 205, 0);
    assert_close(grid_value(g, 0, 0), 1, 0);
    assert_close(grid_value(g, 0, 2), 3, 0);
    assert_close(grid_value(g, 1, 0), 4, 0);
    assert_close(grid_value(g, 1, 2), 6.5, 0);
    assert_true(grid_nodata(g, &nd));
    assert_close(nd, -1, 0);
    assert_true(grid_is_nodata(g, 1, 1));
    assert_false(grid_is_nodata(g, 1, 0));
    assert_string_equal(grid_crs_source(g), ".prj");
    assert_int_equal(crs_epsg(grid_crs(g)), 4548);
    assert_string_equal(grid_path(g), path);
    grid_destroy(g);
}

/* Centre origin, upper-case keys, dx/dy, values wrapped over lines, every number form the scanner takes. */
static void test_centre_origin_and_numbers(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = fixture("centre",
                               "NCOLS 4\r\n"
                               "NRows 3\r\n"
                               "XLLCENTER 105\r\n"
                               "yllcenter 210\r\n"
                               "DX 10\r\n"
                               "dy 20\r\n"
                               "1e2 -0.5 +3 2.5E-1 007 0.1\r\n"
                               "\t12345678901234567890 0.30000000000000004 -0 1.7976931348623157e308\n"
                               "  123456.789e-3   .5\n",
                               true);
    grid *g = NULL;
    assert_ok(ctx, grid_read(ctx, path, NULL, &g));
    assert_int_equal(grid_ncols(g), 4);
    assert_int_equal(grid_nrows(g), 3);
    assert_close(grid_dx(g), 10, 0);
    assert_close(grid_dy(g), 20, 0);
    double x, y;
    grid_origin(g, &x, &y);
    assert_close(x, 100, 0); /* centre 105 - 10 / 2 */
    assert_close(y, 200, 0); /* centre 210 - 20 / 2 */
    assert_false(grid_nodata(g, NULL));
    assert_false(grid_is_nodata(g, 0, 0));
    /* Exact equality with the compiler's own conversion of the same text. */
    const double want[12] = {1e2,
                             -0.5,
                             +3,
                             2.5E-1,
                             7,
                             0.1,
                             12345678901234567890.0,
                             0.30000000000000004,
                             -0.0,
                             1.7976931348623157e308,
                             123456.789e-3,
                             .5};
    for (size_t k = 0; k < 12; k++)
        assert_true(grid_value(g, k / 4, k % 4) == want[k]);
    grid_destroy(g);
}

static void test_crs_choice(void **state)
{
    emscov_ctx *ctx = *state;
    const char *text = "ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n5\n";
    const char *path = fixture("noprj", text, false);
    grid *g = NULL;
    assert_status_msg(ctx, grid_read(ctx, path, NULL, &g), EMS_EINPUT, "no CRS");
    assert_null(g);
    layer_read_opts o = {.srs = "EPSG:32650"};
    assert_ok(ctx, grid_read(ctx, path, &o, &g));
    assert_int_equal(crs_epsg(grid_crs(g)), 32650);
    assert_string_equal(grid_crs_source(g), "--srs");
    assert_close(grid_value(g, 0, 0), 5, 0);
    grid_destroy(g);
    /* --srs wins over the .prj. */
    path = fixture("withprj", text, true);
    assert_ok(ctx, grid_read(ctx, path, &o, &g));
    assert_int_equal(crs_epsg(grid_crs(g)), 32650);
    grid_destroy(g);
    o.srs = "EPSG:nonsense";
    assert_status_msg(ctx, grid_read(ctx, path, &o, &g), EMS_EINPUT, "--srs");
    assert_status_msg(ctx, grid_read(ctx, tu_tmp("missing.asc"), NULL, &g), EMS_EINPUT,
                      "missing.asc: cannot open");
}

typedef struct bad_case {
    const char *text;
    const char *msg;
} bad_case;

static void test_errors(void **state)
{
    emscov_ctx *ctx = *state;
#define HDR "ncols 3\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 10\nNODATA_value -9999\n"
    const bad_case cases[] = {
        {HDR "1 2 3\n4 abc 6\n", "bad.asc: line 8: row 2, column 2: \"abc\" is not a number"},
        {HDR "1 2 3\n4 5 6x\n", "line 8: row 2, column 3: \"6x\" is not a number"},
        {HDR "1 2 3\n4 5 1e\n", "line 8: row 2, column 3: \"1e\" is not a number"},
        {HDR "1 2 3\n4 - 6\n", "line 8: row 2, column 2: \"-\" is not a number"},
        {HDR "1 2 3\nnan 5 6\n", "line 8: row 2, column 1: \"nan\" is not a number"},
        /* beyond the largest double: was read as infinity (issue 14 item 7) */
        {HDR "1 2 3\n4 1e999 6\n", "line 8: row 2, column 2: \"1e999\" is out of range (beyond 1.8e308)"},
        {HDR "1 2 3\n4 5 -2e308\n", "line 8: row 2, column 3: \"-2e308\" is out of range"},
        {HDR "1 2 3\n1.7e308 1.7e308 6\n",
         "line 8: row 2, column 2: the values add up to more than the largest number (1.8e308) here"},
        {HDR "1.7e308 2 3\n4 5 -1.7e308\n", "row 2, column 3: the values add up to more than"},
        {HDR "1 2 3\n4 5\n\n",
         "line 8: too few values: the file ends after 5, the header says ncols 3 x nrows 2 = 6"},
        {HDR, "line 6: too few values: the file ends after 0"},
        {HDR "1 2 3\n4 5 6\n\n7\n", "line 10: too many values: \"7\""},
        {"nrows 2\nxllcorner 0\nyllcorner 0\ncellsize 10\n1 2\n", "line 5: the header has no ncols"},
        {"ncols 1\nnrows 1\nfoo 3\nxllcorner 0\nyllcorner 0\ncellsize 10\n1\n",
         "line 3: unknown header key \"foo\""},
        {"ncols 1\nnrows 1\nNROWS 1\n", "line 3: NROWS given twice (first on line 2)"},
        {"ncols 2.5\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 10\n1 2\n",
         "line 1: ncols 2.5: need a whole"},
        {"ncols 0\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 10\n1\n", "ncols 0: need a whole number"},
        {"ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 0\n1\n",
         "line 5: cellsize 0: need a positive size"},
        {"ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize abc\n1\n",
         "line 5: cellsize: \"abc\" is not a number"},
        {"ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize\n1\n",
         "line 5: header key cellsize has no value"},
        {"ncols 1\nnrows 1\nxllcorner 0\nxllcenter 0\nyllcorner 0\ncellsize 1\n1\n",
         "both xllcorner and xllcenter"},
        {"ncols 1\nnrows 1\nxllcorner 0\ncellsize 1\n1\n",
         "line 5: the header has no yllcorner or yllcenter"},
        {"ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ndx 1\n1\n", "no cellsize (nor dx and dy)"},
        {"ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ndx 1\ndy -2\n1\n",
         "line 6: dy -2: need a positive size"},
        {"ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\ndx 1\n1\n", "both cellsize and dx/dy"},
        /* A header promising 10^10 cells over a few bytes: refused without allocating them. */
        {"ncols 100000\nnrows 100000\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2 3\n",
         "ends after 3, the header"},
        {"", "line 1: the header has no ncols"},
    };
#undef HDR
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *path = fixture("bad", cases[k].text, true);
        grid *g = NULL;
        print_message("case %zu\n", k);
        assert_status_msg(ctx, grid_read(ctx, path, NULL, &g), EMS_EINPUT, cases[k].msg);
        assert_null(g);
    }
}

/* Counts per cell (people): each data cell a number from 0 to the bound, naming file, row and column (issue 14
 * item 7; a total beyond the largest double is already refused by grid_read, see test_errors). No-data cells
 * are not counted. */
static void test_check_counts(void **state)
{
    emscov_ctx *ctx = *state;
    grid *g = NULL;
    const char *path = fixture("counts", "ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 100\n"
                                         "NODATA_value -9999\n10 -9999\n0 10000000\n", true);
    assert_ok(ctx, grid_read(ctx, path, NULL, &g));
    assert_ok(ctx, grid_check_counts(ctx, g, LIMITS_PERSONS_PER_CELL_MAX, "people"));
    grid_destroy(g);
    path = fixture("huge", "ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 100\n1.7e308 1\n", true);
    assert_ok(ctx, grid_read(ctx, path, NULL, &g));
    assert_status_msg(ctx, grid_check_counts(ctx, g, LIMITS_PERSONS_PER_CELL_MAX, "people"), EMS_EINPUT,
                      "huge.asc: row 1, column 1: people 1.7e+308 is out of range: need a number from 0 to "
                      "10000000");
    grid_destroy(g);
    path = fixture("neg", "ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 100\n5 -1\n", true);
    assert_ok(ctx, grid_read(ctx, path, NULL, &g));
    assert_status_msg(ctx, grid_check_counts(ctx, g, LIMITS_PERSONS_PER_CELL_MAX, "people"), EMS_EINPUT,
                      "neg.asc: row 1, column 2: people -1 is out of range");
    grid_destroy(g);
    path = fixture("over", "ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 100\n10000001\n", true);
    assert_ok(ctx, grid_read(ctx, path, NULL, &g));
    assert_status_msg(ctx, grid_check_counts(ctx, g, LIMITS_PERSONS_PER_CELL_MAX, "people"), EMS_EINPUT,
                      "over.asc: row 1, column 1: people 10000001 is out of range");
    grid_destroy(g);
}

/* The sample grid: 150 x 120, our sum of the non-NODATA cells against awk's, and the NODATA count. */
static void test_sample(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_sample("population.asc");
    grid *g = NULL;
    assert_ok(ctx, grid_read(ctx, path, NULL, &g));
    assert_int_equal(grid_ncols(g), 150);
    assert_int_equal(grid_nrows(g), 120);
    double sum = 0;
    size_t nodata = 0;
    for (size_t r = 0; r < grid_nrows(g); r++)
        for (size_t c = 0; c < grid_ncols(g); c++)
            if (grid_is_nodata(g, r, c))
                nodata++;
            else
                sum += grid_value(g, r, c);
    char cmd[1024], *out = NULL;
    snprintf(
        cmd, sizeof cmd,
        "awk 'NR>6{for(i=1;i<=NF;i++) if($i!=-9999) s+=$i; else n++} END{printf \"%%.0f %%d\", s, n}' '%s'",
        path);
    assert_int_equal(tu_run(cmd, &out), 0);
    double awk_sum = 0;
    int awk_nodata = 0;
    assert_int_equal(sscanf(out, "%lf %d", &awk_sum, &awk_nodata), 2);
    free(out);
    assert_close(sum, awk_sum, 0);
    assert_close(sum, 1800035, 0); /* the generator's README */
    assert_int_equal(nodata, (size_t)awk_nodata);
    assert_int_equal(nodata, 102);
    double x, y;
    grid_origin(g, &x, &y);
    assert_close(x, 441100, 0);
    assert_close(y, 4412500, 0);
    grid_destroy(g);
}


/* ---- GDAL rasters. */

static bool have_gdal_tools(void)
{
    if (system("command -v gdal_translate >/dev/null 2>&1") != 0) {
        print_message("no gdal_translate: skipped\n");
        return false;
    }
    return true;
}

/* gdal_translate ARGS from the ASCII fixture `from` into tmp/`to`; returns the new file's path. */
static const char *translate(const char *from, const char *to, const char *args)
{
    char cmd[2048], *out = NULL;
    const char *dst = tu_tmp(to);
    remove(dst);
    snprintf(cmd, sizeof cmd, "gdal_translate -q %s '%s' '%s' 2>&1", args, from, dst);
    int rc = tu_run(cmd, &out);
    if (rc != 0)
        fail_msg("%s: exit %d: %s", cmd, rc, out ? out : "");
    free(out);
    return dst;
}

static const char small_grid[] = "ncols 3\n"
                                 "nrows 2\n"
                                 "xllcorner 441100\n"
                                 "yllcorner 4412500\n"
                                 "cellsize 100\n"
                                 "NODATA_value -1\n"
                                 "1 2 3\n"
                                 "4 -1 6\n";

/* A 3 x 2 grid holds want, row by row from the top. */
static void assert_small_cells(const grid *g, const double want[6])
{
    assert_int_equal(grid_ncols(g), 3);
    assert_int_equal(grid_nrows(g), 2);
    for (size_t k = 0; k < 6; k++)
        assert_close(grid_value(g, k / 3, k % 3), want[k], 0);
}

/* The same cells, origin, cell centres, no-data and CRS as the ASCII grid it was made from. */
static void test_geotiff_as_ascii(void **state)
{
    emscov_ctx *ctx = *state;
    if (!have_gdal_tools()) skip();
    const char *asc = fixture("small", small_grid, true);
    const char *tif = translate(asc, "small.tif", "-of GTiff");
    grid *a = NULL, *b = NULL;
    assert_ok(ctx, grid_read(ctx, asc, NULL, &a));
    assert_ok(ctx, grid_read(ctx, tif, NULL, &b));
    assert_string_equal(grid_format(a), "ESRI ASCII");
    assert_string_equal(grid_format(b), "GeoTIFF");
    assert_string_equal(grid_crs_source(b), "GeoTIFF, GDAL");
    assert_true(crs_equivalent(grid_crs(a), grid_crs(b)));
    assert_int_equal(grid_ncols(b), 3);
    assert_int_equal(grid_nrows(b), 2);
    double x, y, nd;
    grid_origin(b, &x, &y);
    assert_close(x, 441100, 0);
    assert_close(y, 4412500, 0);
    grid_cell_centre(b, 0, 0, &x, &y);
    assert_close(x, 441150, 0);
    assert_close(y, 4412650, 0);
    assert_small_cells(b, (const double[6]){1, 2, 3, 4, -1, 6});
    assert_true(grid_nodata(b, &nd));
    assert_close(nd, -1, 0);
    assert_true(grid_is_nodata(b, 1, 1));
    assert_false(grid_is_nodata(b, 1, 0));
    grid_destroy(b);
    /* --format gdal reads the .asc through GDAL's AAIGrid driver: the same again */
    layer_read_opts o = {.format = "gdal"};
    assert_ok(ctx, grid_read(ctx, asc, &o, &b));
    assert_string_equal(grid_format(b), "Arc/Info ASCII Grid");
    for (size_t k = 0; k < 6; k++)
        assert_close(grid_values(b)[k], grid_values(a)[k], 0);
    grid_destroy(a);
    grid_destroy(b);
}

/* Scale and offset applied to the data cells, not to the no-data one: 0.5 x raw + 10, by hand. */
static void test_geotiff_scale_offset(void **state)
{
    emscov_ctx *ctx = *state;
    if (!have_gdal_tools()) skip();
    const char *asc = fixture("scaled", small_grid, true);
    const char *tif = translate(asc, "scaled.tif", "-a_scale 0.5 -a_offset 10");
    grid *g = NULL;
    assert_ok(ctx, grid_read(ctx, tif, NULL, &g));
    assert_small_cells(g, (const double[6]){10.5, 11, 11.5, 12, -1, 13});
    assert_true(grid_is_nodata(g, 1, 1));
    grid_destroy(g);
}

/* A per-dataset mask (no no-data value): masked cells are no-data, NaN; a south-up file is flipped. */
static void test_geotiff_mask_and_south_up(void **state)
{
    emscov_ctx *ctx = *state;
    if (!have_gdal_tools()) skip();
    const char *asc = fixture("masked", small_grid, true);
    const char *tif = translate(asc, "masked.tif", "-mask 1 -a_nodata none --config GDAL_TIFF_INTERNAL_MASK YES");
    grid *g = NULL;
    double nd = 0;
    assert_ok(ctx, grid_read(ctx, tif, NULL, &g));
    assert_true(grid_nodata(g, &nd));
    assert_true(isnan(nd));
    assert_true(grid_is_nodata(g, 1, 1));
    assert_true(isnan(grid_value(g, 1, 1)));
    assert_false(grid_is_nodata(g, 0, 1));
    assert_close(grid_value(g, 0, 1), 2, 0);
    grid_destroy(g);
    /* upper-left y below lower-right y: the file's first row is the southern one */
    tif = translate(asc, "south.tif", "-a_ullr 441100 4412500 441400 4412700");
    assert_ok(ctx, grid_read(ctx, tif, NULL, &g));
    double x, y;
    grid_origin(g, &x, &y);
    assert_close(x, 441100, 0);
    assert_close(y, 4412500, 0);
    assert_close(grid_value(g, 0, 0), 4, 0); /* the file's second row is the northern one */
    assert_close(grid_value(g, 1, 2), 3, 0);
    grid_destroy(g);
}

static void test_gdal_errors(void **state)
{
    emscov_ctx *ctx = *state;
    if (!have_gdal_tools()) skip();
    const char *asc = fixture("err", small_grid, true);
    const char *tif = translate(asc, "err.tif", "");
    grid *g = NULL;
    /* a rotated grid, through a VRT over the GeoTIFF */
    char vrt[1600];
    snprintf(vrt, sizeof vrt,
             "<VRTDataset rasterXSize=\"3\" rasterYSize=\"2\"><GeoTransform>441100, 100, 5, 4412700, 0, "
             "-100</GeoTransform><VRTRasterBand dataType=\"Float64\" band=\"1\"><SimpleSource><SourceFilename "
             "relativeToVRT=\"0\">%s</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>"
             "</VRTDataset>\n", tif);
    tu_write_file(tu_tmp("rotated.vrt"), vrt, strlen(vrt));
    assert_status_msg(ctx, grid_read(ctx, tu_tmp("rotated.vrt"), NULL, &g), EMS_EINPUT, "no rotation");
    assert_null(g);
    /* no CRS in the file and no .prj: refused; --srs supplies one */
    tif = translate(fixture("nocrs", small_grid, false), "nocrs.tif", "");
    assert_status_msg(ctx, grid_read(ctx, tif, NULL, &g), EMS_EINPUT, "nocrs.tif: no CRS: none in the file");
    layer_read_opts o = {.srs = "EPSG:4548"};
    assert_ok(ctx, grid_read(ctx, tif, &o, &g));
    assert_string_equal(grid_crs_source(g), "--srs");
    grid_destroy(g);
    /* two bands: band 1 read, with a warning */
    tif = translate(asc, "two.tif", "-b 1 -b 1");
    size_t warned = emscov_warning_count(ctx);
    assert_ok(ctx, grid_read(ctx, tif, NULL, &g));
    assert_int_equal(emscov_warning_count(ctx), warned + 1);
    grid_destroy(g);
    /* not a raster, and a missing file */
    tu_write_file(tu_tmp("junk.tif"), "II*\0junk", 8);
    assert_status_msg(ctx, grid_read(ctx, tu_tmp("junk.tif"), NULL, &g), EMS_EINPUT,
                      "junk.tif: GDAL cannot open it as a raster");
    assert_status_msg(ctx, grid_read(ctx, tu_tmp("none.tif"), NULL, &g), EMS_EINPUT,
                      "none.tif: cannot open: No such file or directory");
}

/* The sample grid as a GeoTIFF, truncated at several places: always EMS_EINPUT naming the file, never a crash
 * or a partial grid; whole, it holds the ASCII grid's cells exactly. */
static void test_sample_geotiff(void **state)
{
    emscov_ctx *ctx = *state;
    if (!have_gdal_tools()) skip();
    const char *asc = tu_sample("population.asc");
    const char *tif = translate(asc, "population.tif", "");
    grid *a = NULL, *b = NULL;
    assert_ok(ctx, grid_read(ctx, asc, NULL, &a));
    assert_ok(ctx, grid_read(ctx, tif, NULL, &b));
    assert_int_equal(grid_ncols(b), grid_ncols(a));
    assert_int_equal(grid_nrows(b), grid_nrows(a));
    for (size_t k = 0; k < grid_ncols(a) * grid_nrows(a); k++)
        assert_close(grid_values(b)[k], grid_values(a)[k], 0);
    for (size_t r = 0; r < grid_nrows(a); r += 7)
        for (size_t c = 0; c < grid_ncols(a); c += 5) {
            double xa, ya, xb, yb;
            grid_cell_centre(a, r, c, &xa, &ya);
            grid_cell_centre(b, r, c, &xb, &yb);
            assert_true(xa == xb && ya == yb);
            assert_int_equal(grid_is_nodata(a, r, c), grid_is_nodata(b, r, c));
        }
    grid_destroy(a);
    grid_destroy(b);
    static const int cuts[] = {8, 300, 2000, 30000, 60000};
    for (size_t k = 0; k < sizeof cuts / sizeof *cuts; k++) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "head -c %d '%s' >'%s'", cuts[k], tif, tu_tmp("cut.tif"));
        assert_int_equal(tu_run(cmd, NULL), 0);
        assert_status_msg(ctx, grid_read(ctx, tu_tmp("cut.tif"), NULL, &b), EMS_EINPUT, "cut.tif: ");
        assert_null(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corner_origin), cmocka_unit_test(test_centre_origin_and_numbers),
        cmocka_unit_test(test_crs_choice),    cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sample),        cmocka_unit_test(test_geotiff_as_ascii),
        cmocka_unit_test(test_geotiff_scale_offset), cmocka_unit_test(test_geotiff_mask_and_south_up),
        cmocka_unit_test(test_gdal_errors),   cmocka_unit_test(test_sample_geotiff),
        cmocka_unit_test(test_check_counts),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
