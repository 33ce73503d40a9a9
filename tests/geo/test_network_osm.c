/* tests/geo/test_network_osm.c: the OpenStreetMap road reader (network_build_from_osm).
 *
 * - A hand-written .osm fixture whose graph is worked out by hand: ways sharing nodes, a oneway, a oneway=-1,
 *   a roundabout, excluded ways (footway, access=private, area=yes, oneway=reversible), an access=private way
 *   admitted by emergency=yes, a way through a node missing from the file (split there); node 1 and 2's
 *   projected coordinates come from cs2cs.
 * - Real files from shared/: the number of roads offered equals a count made outside emscov with osmium-tool
 *   and a 30-line Python script applying the same rules (command in test_real_counts).
 * - Monaco as PBF and as osmium's XML of it: the same network, link by link (skipped without osmium).
 * - Bad input: truncated .pbf and .osm, garbage, wrong suffix, missing file, bad coordinates, no roads. The
 *   reader's own checks (every corrupt-block case) are tested in test_osm.c. */
#include "test_util.h"

#include "geo/network.h"
#include "geo/route.h"
#include "geo/snap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixture ----------------------------------------------------------------------------------------- */

static const struct {
    long long id;
    double lon, lat;
} fixture_nodes[] = {
    {1, 116.300, 39.900},  {2, 116.302, 39.900},  {3, 116.304, 39.900},  {4, 116.305, 39.901},
    {5, 116.306, 39.902},  {6, 116.302, 39.898},  {7, 116.307, 39.903},  {8, 116.305, 39.904},
    {9, 116.304, 39.902},  {10, 116.303, 39.897}, {11, 116.300, 39.897}, {12, 116.305, 39.906},
    {13, 116.299, 39.896}, {14, 116.306, 39.907},
    /* node 99 is referenced by way 110 but absent, as in a clipped extract */
};
#define NFIX (sizeof fixture_nodes / sizeof *fixture_nodes)

static const char *fixture_ways =
    /* kept: primary through 1-2-3 with a maxspeed */
    "<way id=\"100\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/>"
    "<tag k=\"highway\" v=\"primary\"/><tag k=\"maxspeed\" v=\"60\"/>"
    "<tag k=\"name\" v=\"长安街\"/></way>\n"
    "<way id=\"101\"><nd ref=\"3\"/><nd ref=\"4\"/><nd ref=\"5\"/><tag k=\"highway\" "
    "v=\"residential\"/></way>\n"
    /* oneway secondary from 2 (mid-point of way 100, which is split there) to 6 */
    "<way id=\"102\"><nd ref=\"2\"/><nd ref=\"6\"/><tag k=\"highway\" v=\"secondary\"/>"
    "<tag k=\"oneway\" v=\"yes\"/></way>\n"
    /* roundabout: a closed ring 5-7-8-5, one-way by implication */
    "<way id=\"103\"><nd ref=\"5\"/><nd ref=\"7\"/><nd ref=\"8\"/><nd ref=\"5\"/>"
    "<tag k=\"highway\" v=\"tertiary\"/><tag k=\"junction\" v=\"roundabout\"/></way>\n"
    /* excluded: footway; private service road; a square; reversible lanes */
    "<way id=\"104\"><nd ref=\"4\"/><nd ref=\"9\"/><tag k=\"highway\" v=\"footway\"/></way>\n"
    "<way id=\"105\"><nd ref=\"6\"/><nd ref=\"10\"/><tag k=\"highway\" v=\"service\"/>"
    "<tag k=\"access\" v=\"private\"/></way>\n"
    "<way id=\"108\"><nd ref=\"9\"/><nd ref=\"10\"/><nd ref=\"11\"/><nd ref=\"9\"/><tag k=\"highway\" "
    "v=\"primary\"/>"
    "<tag k=\"area\" v=\"yes\"/></way>\n"
    "<way id=\"109\"><nd ref=\"10\"/><nd ref=\"13\"/><tag k=\"highway\" v=\"residential\"/>"
    "<tag k=\"oneway\" v=\"reversible\"/></way>\n"
    /* kept: private, but ambulances may (emergency=yes) */
    "<way id=\"106\"><nd ref=\"6\"/><nd ref=\"11\"/><tag k=\"highway\" v=\"service\"/>"
    "<tag k=\"access\" v=\"private\"/><tag k=\"emergency\" v=\"yes\"/></way>\n"
    /* kept: drawn 8 -> 12 but driven 12 -> 8 only */
    "<way id=\"107\"><nd ref=\"8\"/><nd ref=\"12\"/><tag k=\"highway\" v=\"residential\"/>"
    "<tag k=\"oneway\" v=\"-1\"/></way>\n"
    /* kept, split at the missing node 99 into 11-13 and 12-14 */
    "<way id=\"110\"><nd ref=\"11\"/><nd ref=\"13\"/><nd ref=\"99\"/><nd ref=\"12\"/><nd ref=\"14\"/>"
    "<tag k=\"highway\" v=\"unclassified\"/></way>\n"
    /* a relation, ignored */
    "<relation id=\"500\"><member type=\"way\" ref=\"100\" role=\"\"/><tag k=\"type\" "
    "v=\"route\"/></relation>\n";

static char *fixture_xml(void)
{
    size_t cap = 8192;
    char *s = malloc(cap);
    assert_non_null(s);
    int n = snprintf(
        s, cap, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"test\">\n");
    for (size_t i = 0; i < NFIX; i++)
        n += snprintf(s + n, cap - (size_t)n, "<node id=\"%lld\" lat=\"%.3f\" lon=\"%.3f\"/>\n",
                      fixture_nodes[i].id, fixture_nodes[i].lat, fixture_nodes[i].lon);
    n += snprintf(s + n, cap - (size_t)n, "%s</osm>\n", fixture_ways);
    assert_true((size_t)n < cap);
    return s;
}

/* The old reader's rule for access tags (drop), under which the fixture's counts below were worked out. */
static const network_build_opts strict_access = {.rules = {.access = NETWORK_ACCESS_STRICT}};

static speed_profile *default_profile(emscov_ctx *ctx)
{
    speed_profile *sp = NULL;
    assert_ok(ctx, speed_profile_load(ctx, tu_source("data/speed/default.ini"), &sp));
    return sp;
}

static crs *utm50(emscov_ctx *ctx)
{
    crs *c = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 32650, &c));
    return c;
}

/* Warnings collected from the ctx's sink. */
static char warnings[4096];
static void collect_warning(void *user, const char *msg)
{
    (void)user;
    size_t n = strlen(warnings);
    snprintf(warnings + n, sizeof warnings - n, "%s\n", msg);
}

/* OSM id of the fixture node at network node `node` (matched by position, 1 cm). */
static long long osm_id_at(emscov_ctx *ctx, const network *net, uint32_t node)
{
    double x, y;
    network_node_xy(net, node, &x, &y);
    crs *wgs = NULL;
    crs_transformer *t = NULL;
    assert_ok(ctx, crs_from_epsg(ctx, 4326, &wgs));
    assert_ok(ctx, crs_transformer_create(ctx, wgs, network_crs(net), &t));
    long long found = -1;
    for (size_t i = 0; i < NFIX; i++) {
        double fx = fixture_nodes[i].lon, fy = fixture_nodes[i].lat;
        assert_ok(ctx, crs_transform_xy(ctx, t, &fx, &fy, 1));
        if (hypot(fx - x, fy - y) < 0.01) found = fixture_nodes[i].id;
    }
    crs_transformer_destroy(t);
    crs_destroy(wgs);
    return found;
}

static void test_fixture(void **state)
{
    emscov_ctx *ctx = *state;
    char *xml = fixture_xml();
    const char *path = tu_tmp("fixture.osm");
    tu_write_file(path, xml, strlen(xml));
    free(xml);
    speed_profile *sp = default_profile(ctx);
    crs *c = utm50(ctx);
    network *net = NULL;
    warnings[0] = '\0';
    emscov_set_warn(ctx, collect_warning, NULL);
    assert_ok(ctx, network_build_from_osm(ctx, path, sp, c, &strict_access, &net));
    emscov_set_warn(ctx, NULL, NULL);
    assert_non_null(
        strstr(warnings, "fixture.osm: 1 drivable ways reference 1 nodes that are not in the file"));
    assert_non_null(strstr(warnings, "0 drivable ways with fewer than 2 nodes and 1 oneway=reversible ways"));

    /* By hand: kept roads 100, 101, 102, 103, 106, 107 and 110 in two pieces = 8 roads. Nodes: road ends and
     * vertices shared by kept roads: 1, 2, 3, 5, 6, 8, 11, 12, 13, 14 (4 and 7 are inner vertices used once;
     * 9 and 10 belong to excluded ways only) = 10. Links: 100 -> 1-2, 2-3; 101 -> 3-4-5; 102 -> 2-6;
     * 103 -> 5-7-8, 8-5; 106 -> 6-11; 107 -> 8-12; 110 -> 11-13, 12-14 = 10. Arcs: 6 two-way links x 2 +
     * 4 one-way links = 16. All connected: one component. */
    const network_stats *st = network_get_stats(net);
    assert_int_equal(st->roads_in, 9); /* 105, private, offered and dropped (access = strict) */
    assert_int_equal(st->restricted_roads, 1);
    assert_int_equal(st->restricted_dropped, 1);
    assert_int_equal(st->area_skipped, 1);
    assert_int_equal(st->reversible_skipped, 1);
    assert_int_equal(st->roads_skipped, 0);
    assert_int_equal(network_node_count(net), 10);
    assert_int_equal(network_link_count(net), 10);
    assert_int_equal(st->arcs, 16);
    assert_int_equal(st->components, 1);
    assert_int_equal(st->main_component_nodes, 10);

    static const struct {
        long long record, from, to;
        uint32_t nv;
        bool fwd, bwd;
        const char *cls;
    } want[] = {
        {100, 1, 2, 2, true, true, "primary"},        {100, 2, 3, 2, true, true, "primary"},
        {101, 3, 5, 3, true, true, "residential"},    {102, 2, 6, 2, true, false, "secondary"},
        {103, 5, 8, 3, true, false, "tertiary"},      {103, 8, 5, 2, true, false, "tertiary"},
        {106, 6, 11, 2, true, true, "service"},       {107, 8, 12, 2, false, true, "residential"},
        {110, 11, 13, 2, true, true, "unclassified"}, {110, 12, 14, 2, true, true, "unclassified"},
    };
    bool matched[sizeof want / sizeof *want] = {false};
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        long long from = osm_id_at(ctx, net, k->from), to = osm_id_at(ctx, net, k->to);
        size_t w = 0;
        for (; w < sizeof want / sizeof *want; w++)
            if (want[w].record == k->record && want[w].from == from && want[w].to == to) break;
        if (w == sizeof want / sizeof *want)
            fail_msg("unexpected link: way %lld from node %lld to %lld", (long long)k->record, from, to);
        assert_false(matched[w]);
        matched[w] = true;
        assert_int_equal(k->nv, want[w].nv);
        assert_string_equal(network_class_name(net, k->class_id), want[w].cls);
        assert_int_equal(isfinite(k->time_fwd_s), want[w].fwd);
        assert_int_equal(isfinite(k->time_bwd_s), want[w].bwd);
        /* speeds: way 100 has maxspeed 60; others their class speed (default profile, offpeak, factor 1) */
        double kmh = k->record == 100 ? 60 : speed_profile_class_kmh(sp, want[w].cls, NULL);
        double t = want[w].fwd ? k->time_fwd_s : k->time_bwd_s;
        assert_close(t, k->length_m / (kmh / 3.6), 1e-6);
        if (k->record == 100 && from == 1) {
            /* cs2cs EPSG:4326 EPSG:32650: (39.900 N, 116.300 E) -> 440160.8727 4416892.7725,
             *                            (39.900 N, 116.302 E) -> 440331.8432 4416891.4345 */
            double x, y;
            network_node_xy(net, k->from, &x, &y);
            assert_close(x, 440160.8727, 1e-3);
            assert_close(y, 4416892.7725, 1e-3);
            assert_close(k->length_m, hypot(440331.8432 - 440160.8727, 4416891.4345 - 4416892.7725), 2e-3);
        }
    }
    network_destroy(net);

    /* the default, access = ends: way 105 (6-10) is a link too, usable only at a route's start or end; node 10
     * joins: 11 nodes, 11 links, 18 arcs; no working CRS given: the UTM zone of the data (116.3 E -> 50 N) */
    assert_ok(ctx, network_build_from_osm(ctx, path, sp, NULL, NULL, &net));
    assert_int_equal(crs_epsg(network_crs(net)), 32650);
    assert_int_equal(network_node_count(net), 11);
    assert_int_equal(network_link_count(net), 11);
    assert_int_equal(network_get_stats(net)->arcs, 18);
    assert_int_equal(network_get_stats(net)->restricted_links, 1);
    for (uint32_t l = 0; l < network_link_count(net); l++)
        assert_int_equal(network_link_restricted(net, l), network_link_at(net, l)->record == 105);
    network_destroy(net);
    crs_destroy(c);
    speed_profile_destroy(sp);
}

/* The fixture with its ways first, its nodes in reverse id order, node 13 renamed -13 (negative ids are
 * allowed in OSM files) and node 2 given twice (a wrong position first; the later one wins): the same graph
 * as test_fixture, found through the sorting path of the reader. */
static void test_fixture_unsorted(void **state)
{
    emscov_ctx *ctx = *state;
    size_t cap = 8192;
    char *s = malloc(cap);
    assert_non_null(s);
    int n = snprintf(s, cap, "<osm version=\"0.6\">\n");
    for (const char *w = fixture_ways; *w;) { /* the ways, with ref="13" -> ref="-13" */
        const char *hit = strstr(w, "ref=\"13\"");
        size_t len = hit ? (size_t)(hit - w) : strlen(w);
        n += snprintf(s + n, cap - (size_t)n, "%.*s%s", (int)len, w, hit ? "ref=\"-13\"" : "");
        w += len + (hit ? strlen("ref=\"13\"") : 0);
    }
    n += snprintf(s + n, cap - (size_t)n, "<node id=\"2\" lat=\"39.95\" lon=\"116.25\"/>\n");
    for (size_t i = NFIX; i-- > 0;)
        n += snprintf(s + n, cap - (size_t)n, "<node id=\"%lld\" lat=\"%.3f\" lon=\"%.3f\"/>\n",
                      fixture_nodes[i].id == 13 ? -13 : fixture_nodes[i].id, fixture_nodes[i].lat,
                      fixture_nodes[i].lon);
    n += snprintf(s + n, cap - (size_t)n, "</osm>\n");
    assert_true((size_t)n < cap);
    const char *path = tu_tmp("unsorted.osm");
    tu_write_file(path, s, strlen(s));
    free(s);
    speed_profile *sp = default_profile(ctx);
    crs *c = utm50(ctx);
    network *net = NULL;
    assert_ok(ctx, network_build_from_osm(ctx, path, sp, c, &strict_access, &net));
    const network_stats *st = network_get_stats(net);
    assert_int_equal(st->roads_in - st->restricted_dropped, 8);
    assert_int_equal(network_node_count(net), 10);
    assert_int_equal(network_link_count(net), 10);
    assert_int_equal(st->arcs, 16);
    assert_int_equal(st->components, 1);
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        if (k->record == 100 && osm_id_at(ctx, net, k->from) == 1) /* node 2 at its later position */
            assert_close(k->length_m, hypot(440331.8432 - 440160.8727, 4416891.4345 - 4416892.7725), 2e-3);
        if (k->record == 110) assert_int_equal(k->nv, 2); /* 11 - (-13) and 12 - 14 */
    }
    network_destroy(net);
    crs_destroy(c);
    speed_profile_destroy(sp);
}

/* Ways whose links may be driven forward only (or backward only), counted by way id. */
static void count_oneway_records(const network *net, size_t *fwd, size_t *bwd)
{
    uint32_t nl = network_link_count(net);
    int64_t *f = calloc(nl + 1, sizeof *f), *b = calloc(nl + 1, sizeof *b);
    assert_true(f && b);
    size_t nf = 0, nb = 0;
    for (uint32_t l = 0; l < nl; l++) {
        const network_link *k = network_link_at(net, l);
        if (isfinite(k->time_fwd_s) && !isfinite(k->time_bwd_s)) f[nf++] = k->record;
        if (!isfinite(k->time_fwd_s) && isfinite(k->time_bwd_s)) b[nb++] = k->record;
    }
    *fwd = *bwd = 0;
    for (size_t i = 0; i < nf; i++) {
        size_t j = 0;
        while (j < i && f[j] != f[i])
            j++;
        *fwd += j == i;
    }
    for (size_t i = 0; i < nb; i++) {
        size_t j = 0;
        while (j < i && b[j] != b[i])
            j++;
        *bwd += j == i;
    }
    free(f);
    free(b);
}

/* The same fixture as .osm.pbf, zlib-compressed and raw (tests/fuzz/seed/osm/, made from the .osm fixture by
 * `osmium cat fixture.osm -o fixture.osm.pbf` and `... -o fixture-raw.osm.pbf -f pbf,pbf_compression=none`):
 * the same graph through the PBF reader. */
static void test_fixture_pbf(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = default_profile(ctx);
    crs *c = utm50(ctx);
    static const char *const files[] = {"tests/fuzz/seed/osm/fixture.osm.pbf",
                                        "tests/fuzz/seed/osm/fixture-raw.osm.pbf"};
    for (size_t i = 0; i < 2; i++) {
        network *net = NULL;
        assert_ok(ctx, network_build_from_osm(ctx, tu_source(files[i]), sp, c, &strict_access, &net));
        const network_stats *st = network_get_stats(net);
        assert_int_equal(st->roads_in - st->restricted_dropped, 8);
        assert_int_equal(network_node_count(net), 10);
        assert_int_equal(network_link_count(net), 10);
        assert_int_equal(st->arcs, 16);
        size_t fwd, bwd;
        count_oneway_records(net, &fwd, &bwd);
        assert_int_equal(fwd, 2); /* ways 102 and 103 */
        assert_int_equal(bwd, 1); /* way 107 */
        network_destroy(net);
    }
    crs_destroy(c);
    speed_profile_destroy(sp);
}

/* ---- network rules from OSM tags (issue 15) ------------------------------------------------------------
 * A cross W(1)-C(2)-E(3), N(4)-C, C-S(5) of residential ways 10 (W-C, oneway=NO), 11 (C-E), 12 (N-C), 13 (C-S),
 * 14 (E-N), and around it: 16 motorway S-6 with oneway=alternating, 17 a closed service ring 6-7-8-6 tagged
 * area=YES, 19 E-9 with oneway=Reversible, 20 W-10 with access=PRIVATE. Relations:
 *   100 no_left_turn 10 -> 12 via node 2          applied (W-C-N forbidden)
 *   101 only_straight_on 10 -> 11, except=motorcar  not for ambulances: not read
 *   102 restriction:hgv=no_right_turn 10 -> 13      not for ambulances: not read
 *   103 no_straight_on 10 -> 14 via way 11        applied (W-C-E-N forbidden)
 *   104 no_left_turn 10 -> 12, no via member      applied at the junction the ways share (C)
 *   105 no_u_turn 99 -> 10 via 2                  way 99 not in the file: unresolved
 *   106 no_left_turn from 10, no to member        not a restriction the graph can hold: unresolved
 *   107 restriction:motorcar=no_right_turn, restriction=only_left_turn, 10 -> 13 via 2: the motorcar tag
 *       wins: applied (W-C-S forbidden)
 * Read 6, applied 4 (sequences: 100, 103, 104 (= 100 again), 107 = 4), unresolved 2. From W: E = T10 + T11;
 * N = W-C-E (U-turn) C-N = T10 + 2 T11 + T12; S = W-C-E-C-S = T10 + 2 T11 + T13. */
static const char rules_osm[] =
    "<osm version=\"0.6\">\n"
    "<node id=\"1\" lat=\"39.9\" lon=\"116.29\"/><node id=\"2\" lat=\"39.9\" lon=\"116.30\"/>"
    "<node id=\"3\" lat=\"39.9\" lon=\"116.31\"/><node id=\"4\" lat=\"39.91\" lon=\"116.30\"/>"
    "<node id=\"5\" lat=\"39.89\" lon=\"116.30\"/><node id=\"6\" lat=\"39.88\" lon=\"116.30\"/>"
    "<node id=\"7\" lat=\"39.88\" lon=\"116.31\"/><node id=\"8\" lat=\"39.87\" lon=\"116.305\"/>"
    "<node id=\"9\" lat=\"39.9\" lon=\"116.32\"/><node id=\"10\" lat=\"39.9\" lon=\"116.28\"/>\n"
    "<way id=\"10\"><nd ref=\"1\"/><nd ref=\"2\"/><tag k=\"highway\" v=\"residential\"/>"
    "<tag k=\"oneway\" v=\"NO\"/></way>\n"
    "<way id=\"11\"><nd ref=\"2\"/><nd ref=\"3\"/><tag k=\"highway\" v=\"residential\"/></way>\n"
    "<way id=\"12\"><nd ref=\"4\"/><nd ref=\"2\"/><tag k=\"highway\" v=\"residential\"/></way>\n"
    "<way id=\"13\"><nd ref=\"2\"/><nd ref=\"5\"/><tag k=\"highway\" v=\"residential\"/></way>\n"
    "<way id=\"14\"><nd ref=\"3\"/><nd ref=\"4\"/><tag k=\"highway\" v=\"residential\"/></way>\n"
    "<way id=\"16\"><nd ref=\"5\"/><nd ref=\"6\"/><tag k=\"highway\" v=\"motorway\"/>"
    "<tag k=\"oneway\" v=\"alternating\"/></way>\n"
    "<way id=\"17\"><nd ref=\"6\"/><nd ref=\"7\"/><nd ref=\"8\"/><nd ref=\"6\"/>"
    "<tag k=\"highway\" v=\"service\"/><tag k=\"area\" v=\"YES\"/></way>\n"
    "<way id=\"19\"><nd ref=\"3\"/><nd ref=\"9\"/><tag k=\"highway\" v=\"residential\"/>"
    "<tag k=\"oneway\" v=\"Reversible\"/></way>\n"
    "<way id=\"20\"><nd ref=\"1\"/><nd ref=\"10\"/><tag k=\"highway\" v=\"service\"/>"
    "<tag k=\"access\" v=\"PRIVATE\"/></way>\n"
    "<relation id=\"100\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"node\" ref=\"2\" "
    "role=\"via\"/><member type=\"way\" ref=\"12\" role=\"to\"/><tag k=\"type\" v=\"restriction\"/>"
    "<tag k=\"restriction\" v=\"no_left_turn\"/></relation>\n"
    "<relation id=\"101\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"node\" ref=\"2\" "
    "role=\"via\"/><member type=\"way\" ref=\"11\" role=\"to\"/><tag k=\"type\" v=\"restriction\"/>"
    "<tag k=\"restriction\" v=\"only_straight_on\"/><tag k=\"except\" v=\"psv; motorcar\"/></relation>\n"
    "<relation id=\"102\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"node\" ref=\"2\" "
    "role=\"via\"/><member type=\"way\" ref=\"13\" role=\"to\"/><tag k=\"type\" v=\"restriction\"/>"
    "<tag k=\"restriction:hgv\" v=\"no_right_turn\"/></relation>\n"
    "<relation id=\"103\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"way\" ref=\"11\" "
    "role=\"via\"/><member type=\"way\" ref=\"14\" role=\"to\"/><tag k=\"type\" v=\"restriction\"/>"
    "<tag k=\"restriction\" v=\"no_straight_on\"/></relation>\n"
    "<relation id=\"104\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"way\" ref=\"12\" "
    "role=\"to\"/><tag k=\"type\" v=\"restriction\"/><tag k=\"restriction\" v=\"no_left_turn\"/></relation>\n"
    "<relation id=\"105\"><member type=\"way\" ref=\"99\" role=\"from\"/><member type=\"node\" ref=\"2\" "
    "role=\"via\"/><member type=\"way\" ref=\"10\" role=\"to\"/><tag k=\"type\" v=\"restriction\"/>"
    "<tag k=\"restriction\" v=\"no_u_turn\"/></relation>\n"
    "<relation id=\"106\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"node\" ref=\"2\" "
    "role=\"via\"/><tag k=\"type\" v=\"restriction\"/><tag k=\"restriction\" v=\"no_left_turn\"/>"
    "</relation>\n"
    "<relation id=\"107\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"node\" ref=\"2\" "
    "role=\"via\"/><member type=\"way\" ref=\"13\" role=\"to\"/><tag k=\"type\" v=\"restriction\"/>"
    "<tag k=\"restriction:motorcar\" v=\"no_right_turn\"/><tag k=\"restriction\" v=\"only_left_turn\"/>"
    "</relation>\n"
    "</osm>\n";

/* Time of way `way`'s link in its drivable direction, and the node at an OSM id. */
static double way_time(const network *net, long long way)
{
    for (uint32_t l = 0; l < network_link_count(net); l++)
        if (network_link_at(net, l)->record == way)
            return fmin(network_link_at(net, l)->time_fwd_s, network_link_at(net, l)->time_bwd_s);
    fail_msg("no link of way %lld", way);
    return NAN;
}

static uint32_t node_of_osm(const network *net, int64_t id)
{
    for (uint32_t v = 0; v < network_node_count(net); v++) {
        int64_t got;
        if (network_node_osm_id(net, v, &got) && got == id) return v;
    }
    return NETWORK_NONE;
}

static void test_rules_osm(void **state)
{
    emscov_ctx *ctx = *state;
    const char *path = tu_tmp("rules.osm");
    tu_write_file(path, rules_osm, sizeof rules_osm - 1);
    speed_profile *sp = default_profile(ctx);
    network *net = NULL;
    assert_ok(ctx, network_build_from_osm(ctx, path, sp, NULL, NULL, &net));
    const network_stats *s = network_get_stats(net);
    assert_int_equal(s->turns_read, 6);
    assert_int_equal(s->turns_applied, 4);
    assert_int_equal(s->turns_unresolved, 2);
    assert_int_equal(s->turn_sequences, 4);
    assert_int_equal(s->area_skipped, 1);
    assert_int_equal(s->area_used, 0);
    assert_int_equal(s->reversible_skipped, 1);
    assert_int_equal(s->restricted_links, 1);
    assert_int_equal(node_of_osm(net, 9), NETWORK_NONE); /* way 19 skipped */
    assert_int_equal(node_of_osm(net, 7), NETWORK_NONE); /* the area */
    double t10 = way_time(net, 10), t11 = way_time(net, 11), t12 = way_time(net, 12), t13 = way_time(net, 13);
    /* way 16, motorway with oneway=alternating: both ways by default */
    for (uint32_t l = 0; l < network_link_count(net); l++)
        if (network_link_at(net, l)->record == 16) assert_true(isfinite(network_link_at(net, l)->time_bwd_s));
    uint32_t w = node_of_osm(net, 1);
    route_source src = {.pos = {.link = NETWORK_NONE}};
    for (uint32_t l = 0; l < network_link_count(net); l++)
        if (network_link_at(net, l)->record == 10) src.pos = snap_at(net, l, 0);
    assert_int_equal(network_link_at(net, src.pos.link)->from, w);
    route_result *r = NULL;
    route_opts o = {.labels = 1};
    assert_ok(ctx, route_multi_source(ctx, net, &src, 1, &o, &r));
    assert_close(route_node_time(r, node_of_osm(net, 3), 0, NULL), t10 + t11, 1e-6);
    assert_close(route_node_time(r, node_of_osm(net, 4), 0, NULL), t10 + 2 * t11 + t12, 1e-6);
    assert_close(route_node_time(r, node_of_osm(net, 5), 0, NULL), t10 + 2 * t11 + t13, 1e-6);
    route_result_destroy(r);
    network_destroy(net);

    /* area = road, reversible = implied, turn restrictions off (the pgRouting method's reading) */
    network_build_opts pg = {.rules = {.area = NETWORK_AREA_ROAD, .reversible = NETWORK_REVERSIBLE_IMPLIED,
                                       .turns_off = true, .access = NETWORK_ACCESS_IGNORE}};
    assert_ok(ctx, network_build_from_osm(ctx, path, sp, NULL, &pg, &net));
    s = network_get_stats(net);
    assert_int_equal(s->area_used, 1);
    assert_int_equal(s->reversible_implied, 2); /* 16 and 19 */
    assert_int_equal(s->turns_off, 6);
    assert_int_equal(s->turns_applied, 0);
    assert_int_equal(s->restricted_opened, 1);
    assert_int_equal(network_search_count(net), network_node_count(net));
    assert_true(node_of_osm(net, 9) != NETWORK_NONE);
    assert_true(node_of_osm(net, 7) == NETWORK_NONE); /* 7 is an inner vertex of the ring: 6 is its node */
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        if (k->record == 16) assert_false(isfinite(k->time_bwd_s)); /* implied: motorway forward */
        if (k->record == 19) assert_true(isfinite(k->time_bwd_s) && isfinite(k->time_fwd_s));
    }
    network_destroy(net);
    speed_profile_destroy(sp);
}

/* ---- real files ---------------------------------------------------------------------------------------- */

typedef struct real_case {
    const char *file;
    size_t roads, forward_ways, backward_ways;
    uint32_t nodes, links;
    const char *warning; /* expected in the warnings, or NULL for none */
    size_t restricted;   /* ways an access tag restricts (kept under access = ends) */
    size_t ends_roads, ends_forward;
    uint32_t ends_nodes, ends_links;
} real_case;

static void test_real_counts(void **state)
{
    emscov_ctx *ctx = *state;
    tu_require_shared(tu_shared("data/real"));
    /* Independent counts: osmium-tool 1.15 and Python 3 (xml.etree), not emscov:
     *   osmium tags-filter FILE w/highway=motorway,motorway_link,trunk,trunk_link,primary,primary_link,\
     *     secondary,secondary_link,tertiary,tertiary_link,unclassified,residential,living_street,service,road
     * \ -R -o drv.osm.pbf && osmium fileinfo -e drv.osm.pbf       -> ways with a drivable class (Monaco 1764,
     * Heidelberg 11028, BUPT 99, Wudaokou 454), then osmium cat -f osm FILE -o all.osm && python3
     * tools/check/count_osm.py all.osm, a script applying the rules of geo/network_osm.c's header to every way: drop
     * area=yes, access-excluded (most specific of emergency, motorcar, motor_vehicle, vehicle, access),
     * oneway=reversible, fewer than 2 nodes; count ways kept, roads after splitting at missing nodes, and
     * ways driven forward only (oneway=yes/true/1, or implied by junction=roundabout/circular or
     * highway=motorway unless oneway=no/false/0/alternating) or backward only (oneway=-1/reverse). Results
     * (python3 count_osm.py all.osm strict; the access count is of ways not already dropped as area,
     * reversible or short, as the reader checks them in that order):
     *   Monaco:     1764 class ways, 1 area, 59 access, 3 with < 2 nodes -> 1701 roads; 669 fwd, 3 bwd
     *   Heidelberg: 11028 class ways, 39 area, 1205 access -> 9784 roads; 2381 fwd, 1 bwd
     *   BUPT:       99 -> 99 roads; 9 fwd, 0 bwd
     *   Wudaokou:   454 class ways, 2 area, 2 access -> 450 roads; 92 fwd, 0 bwd
     * No way in these files references a missing node. The same script also nodes the kept roads by OSM id as
     * network.h describes (ends + vertices used twice or more; pieces between them; pieces whose vertices are
     * all one node and repeated vertex sequences dropped): Monaco 2266 nodes / 2728 links, Heidelberg 12257 /
     * 14585, BUPT 156 / 197, Wudaokou 654 / 873. In Monaco two distinct OSM nodes, 2571904255 and 3479387901,
     * sit at the same coordinates and form a link of its own: zero-length, so the builder drops it and the
     * node left without links -> 2265 / 2727.
     * Under access = ends (count_osm.py all.osm ends) the restricted ways are roads too: Monaco 1760 roads, 683
     * fwd, 2347 / 2835 -> 2346 / 2834 (the same zero-length link); Heidelberg 10989 roads, 2467 fwd, 14112 /
     * 16842; BUPT unchanged; Wudaokou 452 roads, 92 fwd, 656 / 877. */
    static const real_case cases[] = {
        {"data/real/monaco-osm-2016/monaco.osm.pbf", 1701, 669, 3, 2265, 2727,
         "3 drivable ways with fewer than 2 nodes and 0 oneway=reversible ways skipped", 59, 1760, 683, 2346,
         2834},
        {"data/real/heidelberg-roads-osm-2024/heidelberg-roads.osm.pbf", 9784, 2381, 1, 12257, 14585, NULL, 1205,
         10989, 2467, 14112, 16842},
        {"data/real/beijing-bupt-osm-2025/bupt.osm", 99, 9, 0, 156, 197, NULL, 0, 99, 9, 156, 197},
        {"data/real/beijing-haidian-wudaokou-osm-2017/haidian-wudaokou.osm", 450, 92, 0, 654, 873, NULL, 2, 452, 92,
         656, 877},
    };
    speed_profile *sp = default_profile(ctx);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = tu_shared(cases[i].file);
        network *net = NULL;
        warnings[0] = '\0';
        emscov_set_warn(ctx, collect_warning, NULL);
        ems_status s = network_build_from_osm(ctx, path, sp, NULL, &strict_access, &net);
        emscov_set_warn(ctx, NULL, NULL);
        assert_ok(ctx, s);
        const network_stats *st = network_get_stats(net);
        assert_int_equal(st->restricted_dropped, cases[i].restricted);
        print_message("%s: %zu roads, %u nodes, %u links, %zu components, %zu zero-length, %zu duplicates\n",
                      cases[i].file, st->roads_in, network_node_count(net), network_link_count(net),
                      st->components, st->zero_length_dropped, st->duplicates_dropped);
        assert_int_equal(st->roads_in - st->restricted_dropped, cases[i].roads);
        assert_int_equal(st->roads_skipped, 0);
        assert_int_equal(network_node_count(net), cases[i].nodes);
        assert_int_equal(network_link_count(net), cases[i].links);
        assert_null(strstr(warnings, "not in the file"));
        if (cases[i].warning) assert_non_null(strstr(warnings, cases[i].warning));
        size_t fwd, bwd;
        count_oneway_records(net, &fwd, &bwd);
        assert_int_equal(fwd, cases[i].forward_ways);
        assert_int_equal(bwd, cases[i].backward_ways);
        network_destroy(net);
        /* the default, access = ends */
        assert_ok(ctx, network_build_from_osm(ctx, path, sp, NULL, NULL, &net));
        st = network_get_stats(net);
        assert_int_equal(st->roads_in, cases[i].ends_roads);
        assert_int_equal(st->restricted_roads, cases[i].restricted);
        assert_int_equal(network_node_count(net), cases[i].ends_nodes);
        assert_int_equal(network_link_count(net), cases[i].ends_links);
        count_oneway_records(net, &fwd, &bwd);
        assert_int_equal(fwd, cases[i].ends_forward);
        network_destroy(net);
    }
    speed_profile_destroy(sp);
}

/* The same data as PBF and as XML (osmium's conversion of Monaco, when osmium is installed) build the same
 * network: counts, and every link's way id, direction and length, in the same order. */
static void test_xml_pbf_same(void **state)
{
    emscov_ctx *ctx = *state;
    const char *pbf = tu_shared("data/real/monaco-osm-2016/monaco.osm.pbf");
    tu_require_shared(pbf);
    char *out = NULL;
    if (tu_run("command -v osmium", &out) != 0) {
        free(out);
        print_message("osmium not installed: skipped\n");
        skip();
    }
    free(out);
    const char *xml = tu_tmp("monaco.osm");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "osmium cat -O '%s' -o '%s'", pbf, xml);
    assert_int_equal(tu_run(cmd, &out), 0);
    free(out);
    speed_profile *sp = default_profile(ctx);
    crs *c = utm50(ctx);
    network *a = NULL, *b = NULL;
    assert_ok(ctx, network_build_from_osm(ctx, pbf, sp, c, NULL, &a));
    assert_ok(ctx, network_build_from_osm(ctx, xml, sp, c, NULL, &b));
    const network_stats *sa = network_get_stats(a), *sb = network_get_stats(b);
    assert_int_equal(sa->roads_in, 1760);
    assert_int_equal(sb->roads_in, sa->roads_in);
    assert_int_equal(network_node_count(b), network_node_count(a));
    assert_int_equal(network_link_count(b), network_link_count(a));
    assert_int_equal(sb->arcs, sa->arcs);
    assert_int_equal(sb->components, sa->components);
    for (uint32_t l = 0; l < network_link_count(a); l++) {
        const network_link *la = network_link_at(a, l), *lb = network_link_at(b, l);
        assert_int_equal(lb->record, la->record);
        assert_int_equal(lb->nv, la->nv);
        assert_close(lb->length_m, la->length_m, 1e-9);
        assert_int_equal(isfinite(lb->time_fwd_s), isfinite(la->time_fwd_s));
        assert_int_equal(isfinite(lb->time_bwd_s), isfinite(la->time_bwd_s));
    }
    network_destroy(a);
    network_destroy(b);
    crs_destroy(c);
    speed_profile_destroy(sp);
}

/* ---- bad input ----------------------------------------------------------------------------------------- */

static void expect_fail(emscov_ctx *ctx, const speed_profile *sp, const char *path, ems_status want,
                        const char *part)
{
    network *net = (network *)1;
    crs *c = utm50(ctx);
    ems_status s = network_build_from_osm(ctx, path, sp, c, NULL, &net);
    crs_destroy(c);
    assert_status_msg(ctx, s, want, part);
    assert_null(net);
}

static void test_truncated(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = default_profile(ctx);
    const char *monaco = tu_shared("data/real/monaco-osm-2016/monaco.osm.pbf");
    if (monaco) {
        char *data = NULL;
        size_t len = 0;
        assert_ok(ctx, ems_read_file(ctx, monaco, &data, &len));
        const char *half = tu_tmp("half.osm.pbf");
        tu_write_file(half, data, len / 2);
        expect_fail(ctx, sp, half, EMS_EINPUT,
                    "half.osm.pbf: block 2 (byte offset 203): not a complete OSM file (Blob of 1014625 bytes "
                    "announced, 879330 present)");
        /* the framing intact but a blob's compressed bytes damaged: zlib refuses it */
        const char *bad = tu_tmp("damaged.osm.pbf");
        for (size_t i = len / 3; i < len / 3 + 64; i++)
            data[i] = (char)(data[i] ^ 0x5a);
        tu_write_file(bad, data, len);
        network *net = NULL;
        crs *c = utm50(ctx);
        ems_status s = network_build_from_osm(ctx, bad, sp, c, NULL, &net);
        crs_destroy(c);
        assert_status_msg(ctx, s, EMS_EINPUT, "damaged.osm.pbf: block 2 (byte offset 203): zlib data corrupt or incomplete");
        assert_null(net);
        free(data);
    }
    char *xml = fixture_xml();
    const char *cut = tu_tmp("cut.osm");
    tu_write_file(cut, xml, strlen(xml) / 2);
    free(xml);
    expect_fail(ctx, sp, cut, EMS_EINPUT, "cut.osm: line 20: not a complete OSM file (XML error: ");
    speed_profile_destroy(sp);
}

static void test_bad_input(void **state)
{
    emscov_ctx *ctx = *state;
    speed_profile *sp = default_profile(ctx);
    expect_fail(ctx, sp, tu_tmp("missing.osm"), EMS_EINPUT, "missing.osm: cannot open");
    expect_fail(ctx, sp, tu_tmp("missing.osm.pbf"), EMS_EINPUT, "missing.osm.pbf: cannot open");

    const char *txt = tu_tmp("roads.txt");
    tu_write_file(txt, "x", 1);
    expect_fail(ctx, sp, txt, EMS_EINPUT, "roads.txt: not an OSM file name");

    const char *junk = tu_tmp("junk.osm.pbf");
    tu_write_file(junk, "hello, world", 12);
    expect_fail(ctx, sp, junk, EMS_EINPUT, "junk.osm.pbf: block 1 (byte offset 0): not an OSM PBF file (BlobHeader size 1751477356");
    const char *empty = tu_tmp("empty.osm.pbf");
    tu_write_file(empty, "", 0);
    expect_fail(ctx, sp, empty, EMS_EINPUT, "empty.osm.pbf: empty file");

    const char *notxml = tu_tmp("junk.osm");
    tu_write_file(notxml, "hello, world", 12);
    expect_fail(ctx, sp, notxml, EMS_EINPUT,
                "junk.osm: line 1: not a complete OSM file (XML error: syntax error)");
    static const char gpx[] = "<?xml version=\"1.0\"?>\n<gpx><trk/></gpx>\n";
    const char *gpxf = tu_tmp("track.osm");
    tu_write_file(gpxf, gpx, sizeof gpx - 1);
    expect_fail(ctx, sp, gpxf, EMS_EINPUT, "track.osm: line 2: not an OSM file (root element <gpx>, not <osm>)");
    /* elements libreadosm 1.1.0a crashed on (found by fuzz_osm): refused with the line */
    static const char no_v[] = "<osm>\n<way id=\"1\">\n<nd ref=\"1\"/><tag k=\"highway\"/></way></osm>\n";
    const char *nov = tu_tmp("nov.osm");
    tu_write_file(nov, no_v, sizeof no_v - 1);
    expect_fail(ctx, sp, nov, EMS_EINPUT, "nov.osm: line 3: <tag> without both k and v attributes");
    static const char no_role[] = "<osm><relation id=\"1\"><member type=\"way\" ref=\"2\"/></relation></osm>";
    const char *nor = tu_tmp("norole.osm");
    tu_write_file(nor, no_role, sizeof no_role - 1);
    expect_fail(ctx, sp, nor, EMS_EINPUT, "norole.osm: line 1: <member> without a role attribute");

    static const char bad_lat[] = "<osm version=\"0.6\"><node id=\"5\" lat=\"95.0\" lon=\"116.3\"/></osm>\n";
    const char *badll = tu_tmp("badll.osm");
    tu_write_file(badll, bad_lat, sizeof bad_lat - 1);
    expect_fail(ctx, sp, badll, EMS_EINPUT, "badll.osm: node 5: no valid lon/lat (116.3, 95)");

    static const char no_roads[] = "<osm version=\"0.6\"><node id=\"1\" lat=\"39.9\" lon=\"116.3\"/>"
                                   "<node id=\"2\" lat=\"39.91\" lon=\"116.3\"/><way id=\"7\"><nd ref=\"1\"/>"
                                   "<nd ref=\"2\"/><tag k=\"highway\" v=\"footway\"/></way></osm>\n";
    const char *nr = tu_tmp("noroads.osm");
    tu_write_file(nr, no_roads, sizeof no_roads - 1);
    expect_fail(ctx, sp, nr, EMS_EINPUT, "noroads.osm: no drivable roads");

    /* a drivable way whose nodes are all missing */
    static const char no_nodes[] = "<osm version=\"0.6\"><way id=\"7\"><nd ref=\"1\"/><nd ref=\"2\"/>"
                                   "<tag k=\"highway\" v=\"primary\"/></way></osm>\n";
    const char *nn = tu_tmp("nonodes.osm");
    tu_write_file(nn, no_nodes, sizeof no_nodes - 1);
    expect_fail(ctx, sp, nn, EMS_EINPUT, "nonodes.osm: no drivable roads");
    network *net = NULL;
    assert_status_msg(ctx, network_build_from_osm(ctx, nn, sp, NULL, NULL, &net), EMS_EINPUT,
                      "nonodes.osm: the drivable ways reference no node in the file");
    speed_profile_destroy(sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),     cmocka_unit_test(test_fixture_pbf),
        cmocka_unit_test(test_fixture_unsorted), cmocka_unit_test(test_rules_osm),
        cmocka_unit_test(test_real_counts), cmocka_unit_test(test_xml_pbf_same),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
