/* tests/geo/test_crs.c: crs parsing (EPSG, WKT1/ESRI, PROJ strings, .prj files), EPSG identification,
 * transforms checked against the cs2cs command-line tool run at test time, UTM zone choice, ballpark
 * detection, failure messages, and the GCJ-02 / BD-09 conversions against published values. */
#include "test_util.h"

#include "geo/crs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* The 6-degree zone 20 variant (zone number in the false easting): EPSG:4498 per `projinfo --identify`. */
static const char GKZ20_WKT[] =
    "PROJCS[\"CGCS2000_GK_Zone_20\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\","
    "DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],"
    "UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",20500000."
    "0],"
    "PARAMETER[\"False_Northing\",0.0],PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",1.0],"
    "PARAMETER[\"Latitude_Of_Origin\",0.0],UNIT[\"Meter\",1.0]]";

/* Xian 1980 and Beijing 1954 3-degree GK CM 117E in ArcGIS form (EPSG:2384 and EPSG:2436 by projinfo). */
static const char XIAN_WKT[] =
    "PROJCS[\"Xian_1980_3_Degree_GK_CM_117E\",GEOGCS[\"GCS_Xian_1980\",DATUM[\"D_Xian_1980\","
    "SPHEROID[\"Xian_1980\",6378140.0,298.257]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]"
    "],"
    "PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],"
    "PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\","
    "0.0],"
    "UNIT[\"Meter\",1.0]]";
static const char BJ54_WKT[] =
    "PROJCS[\"Beijing_1954_3_Degree_GK_CM_117E\",GEOGCS[\"GCS_Beijing_1954\",DATUM[\"D_Beijing_1954\","
    "SPHEROID[\"Krasovsky_1940\",6378245.0,298.3]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0."
    "0174532925199433]],"
    "PROJECTION[\"Gauss_Kruger\"],PARAMETER[\"False_Easting\",500000.0],PARAMETER[\"False_Northing\",0.0],"
    "PARAMETER[\"Central_Meridian\",117.0],PARAMETER[\"Scale_Factor\",1.0],PARAMETER[\"Latitude_Of_Origin\","
    "0.0],"
    "UNIT[\"Meter\",1.0]]";

/* Three Beijing points (lon, lat): Tiananmen, Beijing West station, Capital airport. */
static const double BJ_LON[3] = {116.3975, 116.3215, 116.5871};
static const double BJ_LAT[3] = {39.9087, 39.8949, 40.0799};

static crs *parse_ok(emscov_ctx *ctx, const char *text)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_string(ctx, text, &c));
    assert_non_null(c);
    return c;
}

/* Run cs2cs on one point; `from` and `to` are shell words (quote WKT with '...'). */
static void cs2cs(const char *from, const char *to, double a, double b, double *oa, double *ob)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "echo '%.10f %.10f' | cs2cs -f %%.9f %s %s", a, b, from, to);
    char *out = NULL;
    int rc = tu_run(cmd, &out);
    if (rc != 0 || !out || sscanf(out, "%lf %lf", oa, ob) != 2)
        fail_msg("cs2cs failed (rc %d): %s -> %s", rc, cmd, out ? out : "");
    free(out);
}

/* Transform the Beijing points from EPSG:4326 into `to` and compare with cs2cs (EPSG:4326 input is lat lon;
 * to_shell is a CRS whose axis order is easting, northing). Tolerance 1 mm. */
static void check_against_cs2cs(emscov_ctx *ctx, const crs *to, const char *to_shell)
{
    crs *wgs = NULL;
    crs_transformer *t = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &wgs));
    assert_ok(ctx, crs_transformer_create(ctx, wgs, to, &t));
    double x[3], y[3];
    memcpy(x, BJ_LON, sizeof x);
    memcpy(y, BJ_LAT, sizeof y);
    assert_ok(ctx, crs_transform_xy(ctx, t, x, y, 3));
    for (int i = 0; i < 3; i++) {
        double e, n;
        cs2cs("EPSG:4326", to_shell, BJ_LAT[i], BJ_LON[i], &e, &n);
        assert_close(x[i], e, 1e-3);
        assert_close(y[i], n, 1e-3);
    }
    crs_transformer_destroy(t);
    crs_destroy(wgs);
}

static void test_parse_forms(void **state)
{
    emscov_ctx *ctx = *state;
    const char *forms[] = {"EPSG:4548", "epsg:4548", "  4548\n", "urn:ogc:def:crs:EPSG::4548"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        crs *c = parse_ok(ctx, forms[i]);
        assert_int_equal(crs_epsg(c), 4548);
        assert_string_equal(crs_name(c), "CGCS2000 / 3-degree Gauss-Kruger CM 117E");
        assert_true(crs_is_projected_metric(c));
        assert_false(crs_is_geographic(c));
        assert_non_null(strstr(crs_wkt(c), "PROJCRS["));
        crs_destroy(c);
    }
    /* WKT1 of WGS 84: identified as EPSG:4326 (projinfo --identify: 100 %). */
    crs *w = parse_ok(ctx, "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]],"
                           "PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]");
    assert_int_equal(crs_epsg(w), 4326);
    assert_true(crs_is_geographic(w));
    assert_false(crs_is_projected_metric(w));
    crs *e = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &e));
    assert_true(crs_equivalent(w, e));
    crs_destroy(w);
    /* A PROJ string without +type=crs is still a CRS; identification is only 70 % (no name): EPSG 0. */
    crs *p = parse_ok(ctx, "+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs");
    assert_true(crs_is_projected_metric(p));
    assert_int_equal(crs_epsg(p), 0);
    crs *u = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &u));
    assert_true(crs_equivalent(p, u));
    assert_false(crs_equivalent(p, e));
    /* clone keeps everything */
    crs *k = NULL;
    assert_ok(ctx, crs_clone(ctx, u, &k));
    assert_int_equal(crs_epsg(k), 32650);
    assert_string_equal(crs_name(k), "WGS 84 / UTM zone 50N");
    assert_string_equal(crs_wkt(k), crs_wkt(u));
    assert_true(crs_equivalent(k, u));
    crs_destroy(k);
    crs_destroy(u);
    crs_destroy(p);
    crs_destroy(e);
}

static void test_esri_gk117(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_tmp("gk117.prj");
    /* with a BOM, CRLF and trailing blank lines as Windows tools write them */
    char buf[2048];
    snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s\r\n\r\n", tu_gk117_wkt);
    tu_write_file(path, buf, strlen(buf));
    crs *c = NULL;
    assert_ok(ctx, crs_from_prj(ctx, path, &c));
    assert_int_equal(crs_epsg(c), 4548);
    assert_string_equal(crs_name(c), "CGCS2000 / 3-degree Gauss-Kruger CM 117E");
    assert_true(crs_is_projected_metric(c));
    crs *e = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4548, &e));
    assert_true(crs_equivalent(c, e)); /* EPSG:4548 is northing-first, the ESRI one easting-first */
    char shell[2048];
    snprintf(shell, sizeof shell, "'%s'", tu_gk117_wkt);
    check_against_cs2cs(ctx, c, shell);
    check_against_cs2cs(ctx, e, shell); /* EPSG axis order is normalised away: same numbers */
    crs_destroy(e);
    crs_destroy(c);
}

static void test_esri_gk_zone20(void **state)
{
    emscov_ctx *ctx = *state;
    crs *c = parse_ok(ctx, GKZ20_WKT);
    assert_int_equal(crs_epsg(c), 4498);
    char shell[2048];
    snprintf(shell, sizeof shell, "'%s'", GKZ20_WKT);
    check_against_cs2cs(ctx, c, shell);
    /* hand check: zone 20 eastings carry the 20 000 000 m prefix */
    crs *wgs = NULL;
    crs_transformer *t = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &wgs));
    assert_ok(ctx, crs_transformer_create(ctx, wgs, c, &t));
    double x = 117.0, y = 0.0;
    assert_ok(ctx, crs_transform_xy(ctx, t, &x, &y, 1));
    assert_close(x, 20500000.0, 1e-6); /* on the central meridian at the equator: the false origin */
    assert_close(y, 0.0, 1e-6);
    assert_false(crs_transformer_is_ballpark(t)); /* CGCS2000 vs WGS 84: same-size ellipsoid, not flagged */
    crs_transformer_destroy(t);
    crs_destroy(wgs);
    crs_destroy(c);
}

static void test_utm(void **state)
{
    emscov_ctx *ctx = *state;
    crs *c = NULL;
    assert_ok(ctx, crs_utm_for(ctx, 116.4, 39.9, &c)); /* Beijing: floor(296.4 / 6) + 1 = 50, north */
    assert_int_equal(crs_epsg(c), 32650);
    check_against_cs2cs(ctx, c, "EPSG:32650");
    crs_destroy(c);
    assert_ok(ctx, crs_utm_for(ctx, 151.21, -33.87, &c)); /* Sydney: floor(331.21 / 6) + 1 = 56, south */
    assert_int_equal(crs_epsg(c), 32756);
    crs_destroy(c);
    assert_ok(ctx, crs_utm_for(ctx, 180.0, 10, &c)); /* clamped to 60 */
    assert_int_equal(crs_epsg(c), 32660);
    crs_destroy(c);
    assert_ok(ctx, crs_utm_for(ctx, -180.0, -10, &c));
    assert_int_equal(crs_epsg(c), 32701);
    crs_destroy(c);
    assert_ok(ctx, crs_utm_for(ctx, 5.0, 60.0, &c)); /* Bergen: 31, no Norway exception */
    assert_int_equal(crs_epsg(c), 32631);
    crs_destroy(c);
    assert_status_msg(ctx, crs_utm_for(ctx, 200, 10, &c), EMS_EINPUT, "longitude 200");
    assert_null(c);
    assert_status_msg(ctx, crs_utm_for(ctx, NAN, 10, &c), EMS_EINPUT, "no UTM zone");
}

static void test_old_chinese_datums_ballpark(void **state)
{
    emscov_ctx *ctx = *state;
    crs *wgs = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &wgs));
    const char *wkts[2] = {XIAN_WKT, BJ54_WKT};
    const int codes[2] = {2384, 2436};
    for (int k = 0; k < 2; k++) {
        crs *c = parse_ok(ctx, wkts[k]);
        assert_int_equal(crs_epsg(c), codes[k]);
        assert_true(crs_is_projected_metric(c));
        char shell[2048];
        snprintf(shell, sizeof shell, "'%s'", wkts[k]);
        check_against_cs2cs(ctx, c, shell);
        crs_transformer *t = NULL;
        assert_ok(ctx, crs_transformer_create(ctx, wgs, c, &t));
        double x = BJ_LON[0], y = BJ_LAT[0];
        assert_ok(ctx, crs_transform_xy(ctx, t, &x, &y, 1));
        /* PROJ has no usable Xian 1980 / Beijing 1954 shift offline around Beijing: ballpark, flagged */
        assert_true(crs_transformer_is_ballpark(t));
        crs_transformer_destroy(t);
        crs_destroy(c);
    }
    crs_destroy(wgs);
}

static void test_bound_crs(void **state)
{
    emscov_ctx *ctx = *state;
    /* +towgs84 makes a BoundCRS: named after its source CRS, geographic, and the shift is applied. */
    const char *def = "+proj=longlat +ellps=krass +towgs84=15.8,-154.4,-82.3 +no_defs";
    crs *b = parse_ok(ctx, def);
    assert_true(crs_is_geographic(b));
    assert_string_equal(crs_name(b), "unknown");
    crs *wgs = NULL;
    crs_transformer *t = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &wgs));
    assert_ok(ctx, crs_transformer_create(ctx, b, wgs, &t));
    double x = 116.4, y = 39.9;
    assert_ok(ctx, crs_transform_xy(ctx, t, &x, &y, 1));
    double ex, ey; /* cs2cs with both ends in PROJ-string form: lon lat in, lon lat out */
    cs2cs("+proj=longlat +ellps=krass +towgs84=15.8,-154.4,-82.3 +no_defs", "+to +proj=longlat +datum=WGS84",
          116.4, 39.9, &ex, &ey);
    assert_close(x, ex, 1e-8);
    assert_close(y, ey, 1e-8);
    assert_true(fabs(x - 116.4) > 1e-4); /* a real shift, not a ballpark */
    assert_false(crs_transformer_is_ballpark(t));
    crs_transformer_destroy(t);
    crs_destroy(wgs);
    crs_destroy(b);
}

static void test_shared_prj_files(void **state)
{
    emscov_ctx *ctx = *state;
    const char *probe = tu_shared("data/real/debian-r-cran-sf/nc.prj");
    tu_require_shared(probe);
    struct {
        const char *rel;
        bool geographic, metric;
        int epsg;
    } cases[] = {
        {"data/real/debian-r-cran-sf/nc.prj", true, false, 4267},   /* NAD27; projinfo --identify: 100 % */
        {"data/real/debian-r-cran-sf/olinda1.prj", true, false, 0}, /* D_unknown: 60 % matches only */
        {"data/real/debian-r-cran-spdata/NY8_utm18.prj", false, true, 0}, /* 32618 at 60 % (D_unknown) */
        {"data/real/debian-r-cran-spdata/boston_tracts.prj", true, false, 4267},
        {"data/real/debian-python3-libpysal-geodanet/streets.prj", false, false, 0}, /* US survey feet */
        {"data/real/debian-python3-libpysal-geodanet/schools.prj", false, false, 0},
        {"data/real/debian-python3-libpysal-geodanet/crimes.prj", false, false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        crs *c = NULL;
        assert_ok(ctx, crs_from_prj(ctx, tu_shared(cases[i].rel), &c));
        assert_int_equal(crs_is_geographic(c), cases[i].geographic);
        assert_int_equal(crs_is_projected_metric(c), cases[i].metric);
        assert_int_equal(crs_epsg(c), cases[i].epsg);
        crs_destroy(c);
    }
}

static void test_parse_errors(void **state)
{
    emscov_ctx *ctx = *state;
    crs *c = NULL;
    assert_status_msg(ctx, crs_from_string(ctx, "PROJCS[\"broken\",GEOGCS[", &c), EMS_EINPUT,
                      "cannot parse CRS \"PROJCS[\"broken\",GEOGCS[\": ");
    assert_null(c);
    assert_status_msg(ctx, crs_from_string(ctx, "   ", &c), EMS_EINPUT, "empty text");
    /* a bare name is none of the documented forms (PROJ would search its database by name for it) */
    assert_status_msg(ctx, crs_from_string(ctx, "WGS 84", &c), EMS_EINPUT,
                      "cannot parse CRS \"WGS 84\": not EPSG:n (or n), WKT or a PROJ string");
    assert_status_msg(ctx, crs_from_string(ctx, "GEtic CoorditSen asytem 2000\",DATUM[", &c), EMS_EINPUT,
                      "not EPSG:n (or n), WKT or a PROJ string");
    /* a long word before a ':' is no authority (PROJ would look it up): found by fuzz_gpkg in a srs definition */
    assert_status_msg(ctx, crs_from_string(ctx, "ddddddddddddddddddddsfeaturesareas2026-12-05T21:44:00.000Z", &c),
                      EMS_EINPUT, "not EPSG:n (or n), WKT or a PROJ string");
    /* malformed variants of the documented forms, found by fuzz_crs: PROJ took 0.1 s over each (a search of
     * its database by name); they are refused before PROJ sees them, or looked up directly by code */
    static const char *const name_like[] = {"4326(", "FOO[\"a\"]", "SPHCH1903_To_WGS_1984_2EROID[", "+p=ojrs +type=crs",
                                            "IAU_2015:G:45\004l", "EPSG::4326", "urn:ogc:def:x",
                                            "urn:ogc:def:crs:EPSG::4326:9", "http://foo", "EPSG:4326 x"};
    for (size_t i = 0; i < sizeof name_like / sizeof name_like[0]; i++)
        assert_status_msg(ctx, crs_from_string(ctx, name_like[i], &c), EMS_EINPUT,
                          "not EPSG:n (or n), WKT or a PROJ string");
    assert_status_msg(ctx, crs_from_string(ctx, "EPSG:999999", &c), EMS_EINPUT,
                      "\"EPSG:999999\": no CRS EPSG:999999 in PROJ's database");
    assert_status_msg(ctx, crs_from_string(ctx, "ESRI:4326", &c), EMS_EINPUT, "no CRS ESRI:4326 in PROJ's database");
    assert_status_msg(ctx, crs_from_string(ctx, "EPSG:4326+9999999", &c), EMS_EINPUT,
                      "no CRS EPSG:9999999 in PROJ's database");
    assert_status_msg(ctx, crs_from_string(ctx, "999999", &c), EMS_EINPUT, "no CRS EPSG:999999 in PROJ's database");
    assert_status_msg(ctx, crs_from_string(ctx, "12345678901234567890123456789", &c), EMS_EINPUT, "too long");
    assert_null(c);
    /* every documented form still reads */
    static const char *const forms[] = {"4326", "epsg:4326", "ESRI:102100", "IGNF:LAMB93", "OGC:CRS84",
                                        "EPSG:4326+5773", "EPSG:4326+EPSG:5773",
                                        "urn:ogc:def:crs:EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84",
                                        "https://www.opengis.net/def/crs/EPSG/0/4326",
                                        "+title=x +proj=longlat +datum=WGS84", "projcrs[\"x\",BASEGEOGCRS[\"WGS 84\","
                                        "DATUM[\"World Geodetic System 1984\",ELLIPSOID[\"WGS 84\",6378137,298.257223563]]],"
                                        "CONVERSION[\"UTM zone 50N\",METHOD[\"Transverse Mercator\"],"
                                        "PARAMETER[\"Longitude of natural origin\",117,ANGLEUNIT[\"degree\",0.0174532925199433]]],"
                                        "CS[Cartesian,2],AXIS[\"(E)\",east],AXIS[\"(N)\",north],LENGTHUNIT[\"metre\",1]]"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (crs_from_string(ctx, forms[i], &c) != EMS_OK) fail_msg("%s: %s", forms[i], emscov_message(ctx));
        crs_destroy(c);
    }
    /* the documented forms still reach PROJ: a URN and WKT with a blank before its bracket */
    assert_ok(ctx, crs_from_string(ctx, "urn:ogc:def:crs:EPSG::4548", &c));
    assert_int_equal(crs_epsg(c), 4548);
    crs_destroy(c);
    assert_ok(ctx, crs_from_string(ctx, "GEOGCS [\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,"
                                        "298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]]",
                                   &c));
    crs_destroy(c);
    assert_status_msg(ctx, crs_from_string(ctx, "EPSG:99999999", &c), EMS_EINPUT, "cannot parse CRS");
    assert_status_msg(ctx, crs_from_string(ctx, "+proj=nosuchprojection", &c), EMS_EINPUT,
                      "cannot parse CRS");
    /* an EPSG operation, not a CRS (EPSG:1671 = RGF93 to WGS 84 (1)) */
    assert_status_msg(ctx, crs_from_string(ctx, "urn:ogc:def:coordinateOperation:EPSG::1671", &c), EMS_EINPUT,
                      "not a coordinate reference system");
    /* the message quotes at most 60 characters of the text */
    char longtext[200];
    memset(longtext, 'A', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    assert_status_msg(ctx, crs_from_string(ctx, longtext, &c), EMS_EINPUT, "cannot parse CRS");
    char want[80];
    snprintf(want, sizeof want, "\"%.60s\":", longtext);
    assert_non_null(strstr(emscov_message(ctx), want));
    assert_status_msg(ctx, crs_from_epsg(ctx, 0, &c), EMS_EINPUT, "EPSG:0");
    assert_status_msg(ctx, crs_from_epsg(ctx, 1671, &c), EMS_EINPUT, "EPSG:1671");
    /* .prj files */
    assert_status_msg(ctx, crs_from_prj(ctx, tu_tmp("missing.prj"), &c), EMS_EINPUT, "missing.prj");
    tu_write_file(tu_tmp("empty.prj"), "\xEF\xBB\xBF \n", 5);
    assert_status_msg(ctx, crs_from_prj(ctx, tu_tmp("empty.prj"), &c), EMS_EINPUT,
                      "empty.prj: not a CRS definition");
    tu_write_file(tu_tmp("junk.prj"), "hello world", 11);
    assert_status_msg(ctx, crs_from_prj(ctx, tu_tmp("junk.prj"), &c), EMS_EINPUT,
                      "junk.prj: not a CRS definition");
    assert_null(c);
}

static void test_transform_errors_and_geom(void **state)
{
    emscov_ctx *ctx = *state;
    GEOSContextHandle_t h = emscov_geos(ctx);
    crs *wgs = NULL, *utm = NULL;
    crs_transformer *t = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &wgs));
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &utm));
    assert_ok(ctx, crs_transformer_create(ctx, wgs, utm, &t));
    double x[2] = {116.4, 116.4}, y[2] = {39.9, 100.0}; /* latitude 100: no answer */
    assert_status_msg(ctx, crs_transform_xy(ctx, t, x, y, 2), EMS_EINPUT, "point index 1 (116.4 100)");
    /* a geometry: each vertex matches cs2cs */
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = GEOSWKTReader_read_r(h, rd, "LINESTRING (116.3975 39.9087, 116.5871 40.0799)");
    GEOSGeometry *out = NULL;
    assert_ok(ctx, crs_transform_geom(ctx, t, g, &out));
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, out);
    for (unsigned i = 0; i < 2; i++) {
        double gx, gy, e, n;
        GEOSCoordSeq_getXY_r(h, seq, i, &gx, &gy);
        cs2cs("EPSG:4326", "EPSG:32650", BJ_LAT[i == 0 ? 0 : 2], BJ_LON[i == 0 ? 0 : 2], &e, &n);
        assert_close(gx, e, 1e-3);
        assert_close(gy, n, 1e-3);
    }
    GEOSGeom_destroy_r(h, out);
    GEOSGeometry *bad = GEOSWKTReader_read_r(h, rd, "LINESTRING (116.4 39.9, 116.4 95)");
    out = NULL;
    assert_status_msg(ctx, crs_transform_geom(ctx, t, bad, &out), EMS_EINPUT, "(116.4 95)");
    assert_null(out);
    ems_geos_destroy_all(ctx, g, bad, EMS_GEOS_END);
    GEOSWKTReader_destroy_r(h, rd);
    crs_transformer_destroy(t);
    crs_destroy(utm);
    crs_destroy(wgs);
}

/* GCJ-02 / BD-09 reference values: wandergis/coordtransform, test/app.js
 * (github.com/wandergis/coordtransform), the most used JavaScript implementation of the published model,
 * prints for the input (116.404, 39.915): wgs84togcj02 -> 116.41024449916938, 39.91640428150164 bd09togcj02
 * -> 116.39762729119315, 39.90865673957631 gcj02tobd09  -> 116.41036949371029, 39.92133699351021 */
static void test_gcj02_bd09(void **state)
{
    (void)state;
    double lon = 116.404, lat = 39.915;
    crs_wgs84_to_gcj02(&lon, &lat);
    assert_close(lon, 116.41024449916938, 1e-9);
    assert_close(lat, 39.91640428150164, 1e-9);
    /* offset magnitude in Beijing: (0.006244 deg * 85.4 km/deg, 0.001404 deg * 111.0 km/deg) ~ 550 m */
    double dx = (lon - 116.404) * 111320.0 * cos(39.915 * 3.14159265358979 / 180),
           dy = (lat - 39.915) * 110950.0;
    double d = sqrt(dx * dx + dy * dy);
    assert_true(d > 100 && d < 700);
    crs_gcj02_to_wgs84(&lon, &lat); /* round trip */
    assert_close(lon, 116.404, 1e-7);
    assert_close(lat, 39.915, 1e-7);
    lon = 116.404, lat = 39.915;
    crs_bd09_to_gcj02(&lon, &lat);
    assert_close(lon, 116.39762729119315, 1e-9);
    assert_close(lat, 39.90865673957631, 1e-9);
    lon = 116.404, lat = 39.915;
    crs_gcj02_to_bd09(&lon, &lat);
    assert_close(lon, 116.41036949371029, 1e-9);
    assert_close(lat, 39.92133699351021, 1e-9);
    crs_bd09_to_gcj02(&lon, &lat); /* BD-09 round trip: the published inverse is approximate (~1e-6 deg) */
    assert_close(lon, 116.404, 2e-6);
    assert_close(lat, 39.915, 2e-6);
    /* round trips elsewhere in China */
    const double pts[][2] = {
        {121.4737, 31.2304}, {113.2644, 23.1291}, {87.6168, 43.8256}, {126.6424, 45.7567}};
    for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
        double a = pts[i][0], b = pts[i][1];
        crs_wgs84_to_gcj02(&a, &b);
        assert_true(fabs(a - pts[i][0]) > 1e-4 || fabs(b - pts[i][1]) > 1e-4);
        crs_gcj02_to_wgs84(&a, &b);
        assert_close(a, pts[i][0], 1e-7);
        assert_close(b, pts[i][1], 1e-7);
    }
    /* outside China (Paris, Sydney, just east of the box): unchanged both ways */
    const double out[][2] = {{2.3522, 48.8566}, {151.21, -33.87}, {137.9, 35.0}};
    for (size_t i = 0; i < sizeof out / sizeof *out; i++) {
        double a = out[i][0], b = out[i][1];
        crs_wgs84_to_gcj02(&a, &b);
        assert_true(a == out[i][0] && b == out[i][1]);
        crs_gcj02_to_wgs84(&a, &b);
        assert_true(a == out[i][0] && b == out[i][1]);
    }
}

/* A working CRS far from the data (issue 14 item 7): more than 6 degrees of longitude from a Transverse
 * Mercator central meridian, or the data's centre outside the CRS's area of use. Expected areas of use are
 * the EPSG registry's: 32650 114E-120E 0-84N, 32750 114E-120E 80S-0, 4547 (GK CM 114E) 112.5E-115.5E,
 * 4548 (GK CM 117E) 115.5E-118.5E; 32618's central meridian is 75W, 168.6 degrees from Beijing's 116.4E. */
static void test_check_near(void **state)
{
    emscov_ctx *ctx = *state;
    const double beijing[4] = {116.2, 39.7, 116.6, 40.1};
    const struct {
        int epsg;
        const char *want; /* NULL: no warning */
    } cases[] = {
        {32650, NULL},
        {4548, NULL},
        {3857, NULL},
        {32618, "is 168.6 degrees of longitude from its central meridian (-75)"},
        {32750, "lies outside its area of use"},
        {4547, "lies outside its area of use"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        crs *c = NULL;
        assert_ok(ctx, crs_from_epsg(ctx, cases[k].epsg, &c));
        char *w = NULL;
        assert_ok(ctx, crs_check_near(ctx, c, beijing, &w));
        print_message("EPSG:%d: %s\n", cases[k].epsg, w ? w : "(near)");
        if (!cases[k].want)
            assert_null(w);
        else {
            assert_non_null(w);
            assert_non_null(strstr(w, cases[k].want));
            assert_non_null(strstr(w, "lon 116.4000, lat 39.9000"));
        }
        free(w);
        crs_destroy(c);
    }
    /* 4547's area of use in the message: name and bounds from PROJ's database */
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4547, &c));
    char *w = NULL;
    assert_ok(ctx, crs_check_near(ctx, c, beijing, &w));
    assert_non_null(strstr(w, "112.5 to 115.5 E"));
    free(w);
    /* across the antimeridian: UTM 1N (CM 177W) for data at 179.5E is 3.5 degrees from its meridian (no
     * meridian warning), but outside the zone's area of use (180W-174W) */
    crs_destroy(c);
    assert_ok(ctx, crs_from_epsg(ctx, 32601, &c));
    const double chukotka[4] = {179.0, 60.0, 180.0, 61.0};
    assert_ok(ctx, crs_check_near(ctx, c, chukotka, &w));
    assert_non_null(w);
    assert_null(strstr(w, "degrees of longitude"));
    assert_non_null(strstr(w, "Alaska (AK): -180 to -174 E, 0 to 84 N"));
    free(w);
    crs_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_esri_gk117),
        cmocka_unit_test(test_esri_gk_zone20),
        cmocka_unit_test(test_utm),
        cmocka_unit_test(test_old_chinese_datums_ballpark),
        cmocka_unit_test(test_bound_crs),
        cmocka_unit_test(test_shared_prj_files),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_transform_errors_and_geom),
        cmocka_unit_test(test_gcj02_bd09),
        cmocka_unit_test(test_check_near),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
