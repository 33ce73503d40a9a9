/* tools/bench/bench_network.c: benchmark of the road network engine at city scale (not a test: it prints
 * timings and ratios). Steps: read the roads layer, build the graph, build the snap index, snap the stations,
 * the all-station 12-minute pass (nearest only), the two-label pass (nearest + backup), service areas for
 * 4/8/12-minute bands, and peak RSS. With --pg CONNINFO it also runs pgRouting on the same graph in the
 * same run (pgr_drivingDistance from every station, equicost => false, 12 minutes) and prints the ratio.
 *
 *   emscov-bench-network [--pg CONNINFO] [--areas-by-station] [--cell M] [--exact] [--turns F] [--repeat N]
 *                        ROADS STATIONS
 * --cell: raster cell size of the service areas (default 10 m); --exact also times the exact GEOS union and
 * compares the 12-minute areas (slow at city scale: minutes).
 * --turns F (line layers): turn restrictions at a fraction F of the junctions (3 or more arcs out), chosen by a
 * fixed pseudo-random sequence: at each, one turn from an arriving road onto another road is forbidden (no_*),
 * every fourth one the only turn allowed (only_*). They go through a turn table (CSV, via lon/lat) written next
 * to the run, the graph is built again with it, and the passes run on that graph (turn restrictions on, the
 * search graph with its node copies); pgRouting gets the same graph's arcs without them (pgr_drivingDistance
 * has none), the peer of the issue-15 goal (>= 25x pgRouting with turn restrictions on).
 * --repeat N: the 12-minute pass and the pgRouting query run N times each, the fastest counts (on a shared,
 * busy machine the fastest run is the least disturbed one).
 */
#include "geo/crs.h"
#include "geo/isochrone.h"
#include "geo/network.h"
#include "geo/route.h"
#include "geo/snap.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static void die(emscov_ctx *ctx, const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, emscov_message(ctx));
    exit(1);
}

static double pgrouting(const char *conninfo, const network *net, const uint32_t *nodes, size_t n, double cutoff,
                        int repeat, double *copy_s, long *reached)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench: pgRouting skipped: %s", PQerrorMessage(c));
        PQfinish(c);
        return NAN;
    }
    double t0 = now();
    PQclear(PQexec(c, "DROP TABLE IF EXISTS bench_edges; CREATE UNLOGGED TABLE bench_edges(id bigint, source bigint, "
                      "target bigint, cost float8, reverse_cost float8)"));
    PQclear(PQexec(c, "COPY bench_edges FROM STDIN"));
    char line[160];
    for (uint32_t l = 0; l < network_link_count(net); l++) {
        const network_link *k = network_link_at(net, l);
        int len = snprintf(line, sizeof line, "%u\t%u\t%u\t%.9g\t%.9g\n", l + 1, k->from + 1, k->to + 1,
                           isfinite(k->time_fwd_s) ? k->time_fwd_s : -1.0, isfinite(k->time_bwd_s) ? k->time_bwd_s : -1.0);
        PQputCopyData(c, line, len);
    }
    PQputCopyEnd(c, NULL);
    PGresult *r;
    while ((r = PQgetResult(c)))
        PQclear(r);
    *copy_s = now() - t0;
    size_t cap = 64 + n * 12;
    char *arr = malloc(cap), *q = malloc(cap + 512);
    size_t used = (size_t)snprintf(arr, cap, "ARRAY[");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(arr + used, cap - used, "%s%u", i ? "," : "", nodes[i] + 1);
    snprintf(arr + used, cap - used, "]::bigint[]");
    snprintf(q, cap + 512, "SELECT count(DISTINCT node) FROM pgr_drivingDistance('SELECT id, source, target, cost, "
                           "reverse_cost FROM bench_edges', %s, %.1f, directed => true, equicost => false)", arr, cutoff);
    double dt = INFINITY;
    for (int k = 0; k < repeat && !isnan(dt); k++) { /* the fastest of `repeat` runs */
        t0 = now();
        r = PQexec(c, q);
        dt = fmin(dt, now() - t0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "bench: pgRouting failed: %s", PQerrorMessage(c));
            dt = NAN;
        } else {
            *reached = atol(PQgetvalue(r, 0, 0));
        }
        PQclear(r);
    }
    PQclear(PQexec(c, "DROP TABLE IF EXISTS bench_edges"));
    PQfinish(c);
    free(arr);
    free(q);
    return dt;
}

/* A turn table for a fraction of the junctions of net (see the header); returns how many rows. */
static size_t write_turns(emscov_ctx *ctx, const network *net, const crs *wk, double fraction, const char *path)
{
    FILE *f = fopen(path, "w");
    crs *wgs = NULL;
    crs_transformer *tr = NULL;
    if (!f || crs_from_epsg(ctx, 4326, &wgs) != EMS_OK || crs_transformer_create(ctx, wk, wgs, &tr) != EMS_OK)
        die(ctx, "turn table");
    fprintf(f, "from_id,to_id,restriction,lon,lat\n");
    uint64_t seed = 12345;
    size_t rows = 0;
    uint32_t nn = network_node_count(net);
    for (uint32_t v = 0; v < nn; v++) {
        uint32_t cnt;
        const network_arc *out = network_out_arcs(net, v, &cnt);
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        if (cnt < 3 || (double)(seed >> 11) / 9007199254740992.0 >= fraction)
            continue;
        /* an arriving road: any link at v whose direction into v is open (the reverse of an out-arc's link) */
        const network_arc *in = NULL;
        for (uint32_t i = 0; i < cnt && !in; i++) {
            const network_link *k = network_link_at(net, out[i].link);
            if (isfinite(out[i].reverse ? k->time_fwd_s : k->time_bwd_s))
                in = &out[i];
        }
        if (!in)
            continue;
        const network_arc *to = &out[(in - out + 1 + (seed >> 40) % (cnt - 1)) % cnt];
        int64_t from_rec = network_link_at(net, in->link)->record, to_rec = network_link_at(net, to->link)->record;
        if (from_rec == to_rec)
            continue;
        double x, y;
        network_node_xy(net, v, &x, &y);
        if (crs_transform_xy(ctx, tr, &x, &y, 1) != EMS_OK)
            die(ctx, "turn table");
        fprintf(f, "%lld,%lld,%s,%.9f,%.9f\n", (long long)from_rec, (long long)to_rec,
                rows % 4 == 3 ? "only_straight_on" : "no_left_turn", x, y);
        rows++;
    }
    fclose(f);
    crs_transformer_destroy(tr);
    crs_destroy(wgs);
    return rows;
}

int main(int argc, char **argv)
{
    const char *pg = NULL, *roads = NULL, *stations = NULL;
    bool by_station = false, exact = false;
    double cell = 10, turns = 0;
    int repeat = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--pg") && i + 1 < argc)
            pg = argv[++i];
        else if (!strcmp(argv[i], "--areas-by-station"))
            by_station = true;
        else if (!strcmp(argv[i], "--exact"))
            exact = true;
        else if (!strcmp(argv[i], "--cell") && i + 1 < argc)
            cell = atof(argv[++i]);
        else if (!strcmp(argv[i], "--turns") && i + 1 < argc)
            turns = atof(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
        else if (!roads)
            roads = argv[i];
        else
            stations = argv[i];
    }
    if (!roads || !stations) {
        fprintf(stderr, "usage: emscov-bench-network [--pg CONNINFO] [--areas-by-station] [--cell M] [--exact] [--turns F] "
                        "[--repeat N] ROADS STATIONS\n");
        return 2;
    }
    emscov_ctx *ctx = emscov_ctx_create();
    speed_profile *sp = NULL;
    if (speed_profile_load(ctx, EMSCOV_DATA_DIR "/speed/default.ini", &sp) != EMS_OK)
        die(ctx, "speed profile");
    layer *st = NULL;
    if (layer_read(ctx, stations, NULL, &st) != EMS_OK)
        die(ctx, "stations");
    crs *wk = NULL;
    layer *ls[1] = {st};
    if (layer_choose_working_crs(ctx, ls, 1, &wk) != EMS_OK || layer_transform(ctx, st, wk) != EMS_OK)
        die(ctx, "working CRS");

    double t0 = now(), t_read = NAN, t_build;
    network *net = NULL;
    size_t len = strlen(roads);
    if (len > 4 && (!strcmp(roads + len - 4, ".pbf") || !strcmp(roads + len - 4, ".osm"))) {
        if (network_load(ctx, roads, NULL, NULL, sp, wk, NULL, &net) != EMS_OK)
            die(ctx, "graph");
        t_build = now() - t0; /* OSM: reading and building are one step */
    } else {
        layer *rl = NULL;
        if (layer_read(ctx, roads, NULL, &rl) != EMS_OK || layer_transform(ctx, rl, wk) != EMS_OK)
            die(ctx, "roads");
        t_read = now() - t0;
        network_fields f = {.road_class = "CLASS", .speed = "SPEED", .oneway = "ONEWAY"};
        t0 = now();
        if (network_build_from_layer(ctx, rl, &f, sp, NULL, &net) != EMS_OK)
            die(ctx, "graph");
        t_build = now() - t0;
        if (turns > 0) { /* the same roads again, with a turn table */
            char path[4200];
            snprintf(path, sizeof path, "%s.turns.csv", stations);
            size_t rows = write_turns(ctx, net, wk, turns, path);
            network_destroy(net);
            network_build_opts bo = {.rules = {.turn_table = path}};
            t0 = now();
            if (network_build_from_layer(ctx, rl, &f, sp, &bo, &net) != EMS_OK)
                die(ctx, "graph with turn restrictions");
            const network_stats *s = network_get_stats(net);
            printf("turn restrictions: %zu rows at %.1f %% of the junctions, %zu applied (%zu forbidden sequences); "
                   "search graph %zu nodes + %zu copies, %zu arcs; build with them %.3f s\n",
                   rows, 100 * turns, s->turns_applied, s->turn_sequences, s->nodes, s->search_copies, s->search_arcs,
                   now() - t0);
        }
        layer_destroy(rl);
    }
    t0 = now(); /* re-time the built graph for the peak and back: the per-period cost without re-noding */
    if (network_retime(ctx, net, sp, "peak") != EMS_OK || network_retime(ctx, net, sp, "offpeak") != EMS_OK)
        die(ctx, "retime");
    double t_retime = (now() - t0) / 2;
    t0 = now();
    snap_index *ix = NULL;
    if (snap_index_build(ctx, net, &ix) != EMS_OK)
        die(ctx, "snap index");
    double t_index = now() - t0;

    size_t ns = layer_count(st), nsrc = 0;
    route_source *src = calloc(ns, sizeof *src);
    uint32_t *nodes = calloc(ns, sizeof *nodes);
    GEOSContextHandle_t h = emscov_geos(ctx);
    t0 = now();
    for (size_t i = 0; i < ns; i++) {
        double x, y;
        GEOSGeomGetX_r(h, layer_geom(st, i), &x);
        GEOSGeomGetY_r(h, layer_geom(st, i), &y);
        snap_pos p;
        if (!snap_point(ix, x, y, 1000, &p))
            continue;
        const network_link *k = network_link_at(net, p.link);
        bool end = p.frac >= 0.5; /* stations at nodes, so pgRouting can start from the same vertices */
        nodes[nsrc] = end ? k->to : k->from;
        src[nsrc++] = (route_source){.pos = snap_at(net, p.link, end ? k->length_m : 0), .delay_s = 0};
    }
    double t_snap = now() - t0;
    const double cutoff = 720;
    route_opts o1 = {.labels = 1, .cutoff_s = cutoff}, o2 = {.labels = 2, .cutoff_s = cutoff};
    route_result *r1 = NULL, *r2 = NULL;
    double t_pass1 = INFINITY;
    for (int k = 0; k < repeat; k++) { /* the fastest of `repeat` runs */
        route_result_destroy(r1);
        r1 = NULL;
        t0 = now();
        if (route_multi_source(ctx, net, src, nsrc, &o1, &r1) != EMS_OK)
            die(ctx, "route");
        t_pass1 = fmin(t_pass1, now() - t0);
    }
    t0 = now();
    if (route_multi_source(ctx, net, src, nsrc, &o2, &r2) != EMS_OK)
        die(ctx, "route 2");
    double t_pass2 = now() - t0;
    size_t reached = 0;
    for (uint32_t v = 0; v < network_node_count(net); v++)
        reached += isfinite(route_node_time(r1, v, 0, NULL));
    const double bands[3] = {240, 480, 720};
    isochrone_opts io = {.bands_s = bands, .nbands = 3, .buffer_m = 100, .by_station = by_station, .cell_m = cell};
    isochrone_set *iso = NULL;
    t0 = now();
    if (isochrone_build(ctx, net, r1, &io, &iso) != EMS_OK)
        die(ctx, "service areas");
    double t_iso = now() - t0;
    double t_iso_exact = NAN, exact_area = NAN;
    if (exact) { /* the exact GEOS union, for the accuracy and speed comparison */
        isochrone_set *ex = NULL;
        io.cell_m = 0;
        t0 = now();
        if (isochrone_build(ctx, net, r1, &io, &ex) != EMS_OK)
            die(ctx, "exact service areas");
        t_iso_exact = now() - t0;
        exact_area = isochrone_at(ex, isochrone_count(ex) - 1)->area_m2;
        isochrone_set_destroy(ex);
    }

    const network_stats *s = network_get_stats(net);
    printf("graph: %zu nodes, %zu links, %zu arcs, %zu components; %zu stations snapped\n", s->nodes, s->links,
           s->arcs, s->components, nsrc);
    if (isfinite(t_read))
        printf("%-34s %8.3f s\n", "read roads layer", t_read);
    printf("%-34s %8.3f s\n", isfinite(t_read) ? "graph build (noding + CSR)" : "OSM read + graph build", t_build);
    printf("%-34s %8.3f s\n", "re-time for another period", t_retime);
    printf("%-34s %8.3f s\n", "snap index build", t_index);
    printf("%-34s %8.3f s\n", "snap stations", t_snap);
    printf("%-34s %8.3f s   (%zu nodes reached, %zu labels)\n", "all-station 12-min pass", t_pass1, reached,
           route_settled(r1));
    printf("%-34s %8.3f s   (%zu labels)\n", "2-label pass (nearest + backup)", t_pass2, route_settled(r2));
    printf("%-34s %8.3f s   (%zu polygons%s, %g m cells, 100 m buffer)\n", "service areas 4/8/12 min", t_iso,
           isochrone_count(iso), by_station ? ", by station" : "", cell);
    if (exact) {
        double ra = isochrone_at(iso, isochrone_count(iso) - 1)->area_m2;
        printf("%-34s %8.3f s   (12-min area %.3f km2 vs raster %.3f km2: %+.3f %%; raster %.0f x faster)\n",
               "service areas, exact GEOS union", t_iso_exact, exact_area / 1e6, ra / 1e6,
               100 * (ra - exact_area) / exact_area, t_iso_exact / t_iso);
    }
    printf("%-34s %8.1f MiB\n", "peak RSS", peak_rss_mib());
    if (pg) {
        double copy_s = 0;
        long pg_reached = 0;
        double t_pg = pgrouting(pg, net, nodes, nsrc, cutoff, repeat, &copy_s, &pg_reached);
        if (isfinite(t_pg)) {
            printf("%-34s %8.3f s   (%ld nodes reached; graph COPY %.3f s not included)\n",
                   "pgRouting pgr_drivingDistance", t_pg, pg_reached, copy_s);
            printf("%-34s %8.1f x faster than pgRouting\n", "ratio (12-min pass)", t_pg / t_pass1);
        }
    }
    isochrone_set_destroy(iso);
    route_result_destroy(r1);
    route_result_destroy(r2);
    free(src);
    free(nodes);
    snap_index_destroy(ix);
    network_destroy(net);
    crs_destroy(wk);
    layer_destroy(st);
    speed_profile_destroy(sp);
    emscov_ctx_destroy(ctx);
    return 0;
}
