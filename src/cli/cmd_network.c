/* src/cli/cmd_network.c: `emscov network info ROADS` (what the graph builder made of a road source) and
 * `emscov times` (per point: nearest and second-nearest station by drive time, with the snap distance). */
#include "src/cli/cli.h"

#include "geo/network.h"
#include "geo/route.h"
#include "geo/snap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char roads_help[] =
    "road options:\n"
    "  --class-field F   road class field (OSM highway value or 快速路/主干路/次干路/支路; default CLASS if present)\n"
    "  --speed-field F   own speed in km/h (0 or empty = class default; default SPEED if present)\n"
    "  --oneway-field F  one-way: F/T/B/N, 1/-1/0, yes/no (default ONEWAY if present)\n"
    "  --name-field F    road name (default NAME if present)\n"
    "  --id-field F      road id, the key of the speed profile's road_speeds table (default: record number)\n"
    "  --tolerance M     noding tolerance in metres (default 0: vertices must coincide exactly)\n"
    "  --speed FILE      speed profile (default " EMSCOV_DATA_DIR "/speed/default.ini)\n"
    "  --period NAME     time-of-day period of the profile: offpeak (default), peak, night, ...\n"
    "  --length L        link lengths for travel times: planar (default; in the working CRS) or ellipsoidal\n"
    "                    (geodesic on WGS 84, as PostGIS ST_Length(geography))\n";

typedef struct road_args {
    network_fields fields;
    const char *tolerance, *speed_file, *period, *length;
} road_args;

static int road_opt(emscov_ctx *ctx, int argc, char **argv, int *i, road_args *a)
{
    int r;
    if ((r = cli_opt(ctx, argc, argv, i, "class-field", &a->fields.road_class)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "speed-field", &a->fields.speed)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "oneway-field", &a->fields.oneway)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "name-field", &a->fields.name)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "id-field", &a->fields.id)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "length", &a->length)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "tolerance", &a->tolerance)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "speed", &a->speed_file)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "period", &a->period)) != 0)
        return r;
    return 0;
}

ems_status cli_number(emscov_ctx *ctx, const char *opt, const char *text, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi))
        return emscov_fail(ctx, EMS_EINPUT, "--%s: \"%s\" is not a number in [%g, %g]", opt, text, lo, hi);
    *out = v;
    return EMS_OK;
}

static ems_status cli_load_profile(emscov_ctx *ctx, const char *file, const char *period, speed_profile **out)
{
    ems_status st = speed_profile_load(ctx, file ? file : EMSCOV_DATA_DIR "/speed/default.ini", out);
    if (st == EMS_OK && period && (st = speed_profile_set_period(ctx, *out, period)) != EMS_OK) {
        speed_profile_destroy(*out);
        *out = NULL;
    }
    return st;
}

/* Default field names when the layer has them and the user named none: CLASS, SPEED, ONEWAY, NAME. */
static void default_fields(emscov_ctx *ctx, const char *path, const layer_read_opts *ro, network_fields *f)
{
    size_t n = strlen(path);
    if ((n > 4 && !strcasecmp(path + n - 4, ".osm")) || (n > 4 && !strcasecmp(path + n - 4, ".pbf")))
        return;
    if (f->road_class || f->speed || f->oneway || f->name || f->id)
        return; /* the user chose a mapping: take it as given */
    layer *l = NULL;
    if (layer_read(ctx, path, ro, &l) != EMS_OK) {
        emscov_clear(ctx);
        return; /* network_load reports the error */
    }
    if (layer_field_index(l, "CLASS") >= 0)
        f->road_class = "CLASS";
    if (layer_field_index(l, "SPEED") >= 0)
        f->speed = "SPEED";
    if (layer_field_index(l, "ONEWAY") >= 0)
        f->oneway = "ONEWAY";
    if (layer_field_index(l, "NAME") >= 0)
        f->name = "NAME";
    layer_destroy(l);
}

static ems_status cli_load_roads(emscov_ctx *ctx, const char *path, const layer_read_opts *ro, road_args *a,
                                 const crs *working, speed_profile **sp, network **net)
{
    double tol = 0;
    network_length len = NETWORK_LENGTH_PLANAR;
    ems_status st;
    if ((a->tolerance && (st = cli_number(ctx, "tolerance", a->tolerance, 0, 1000, &tol)) != EMS_OK) ||
        (a->length && (st = network_length_parse(ctx, a->length, "--length", &len)) != EMS_OK))
        return st;
    if ((st = cli_load_profile(ctx, a->speed_file, a->period, sp)) != EMS_OK)
        return st;
    default_fields(ctx, path, ro, &a->fields);
    network_build_opts o = {.tolerance_m = tol, .source = path, .length = len};
    return network_load(ctx, path, ro, &a->fields, *sp, working, &o, net);
}

static ems_status network_info(emscov_ctx *ctx, int argc, char **argv)
{
    layer_read_opts ro = {0};
    road_args ra = {0};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            printf("usage: emscov network info [OPTIONS] ROADS\n\nNodes, links, components and length by class "
                   "of the road graph built from ROADS (.osm, .osm.pbf, or a line layer).\n\n%s%s",
                   roads_help, cli_layer_opts_help);
            return EMS_OK;
        }
        if ((r = road_opt(ctx, argc, argv, &i, &ra)) != 0 || (r = cli_layer_opt(ctx, argc, argv, &i, &ro)) != 0) {
            if (r < 0)
                return EMS_EINPUT;
            continue;
        }
        if (argv[i][0] == '-' || path)
            return emscov_fail(ctx, EMS_EINPUT, "network info: unexpected argument %s", argv[i]);
        path = argv[i];
    }
    if (!path)
        return emscov_fail(ctx, EMS_EINPUT, "network info: no ROADS given (emscov network info --help)");
    speed_profile *sp = NULL;
    network *net = NULL;
    ems_status st = cli_load_roads(ctx, path, &ro, &ra, NULL, &sp, &net);
    if (st == EMS_OK) {
        const network_stats *s = network_get_stats(net);
        printf("%s\n", path);
        printf("%-22s %s%s%d%s\n", "crs", crs_name(network_crs(net)), crs_epsg(network_crs(net)) ? " [EPSG:" : "",
               crs_epsg(network_crs(net)), crs_epsg(network_crs(net)) ? "]" : "");
        printf("%-22s %s (ambulance factor %.2f, period %s x %.2f)\n", "speed profile",
               ra.speed_file ? ra.speed_file : "default", speed_profile_ambulance_factor(sp),
               speed_profile_period(sp), speed_profile_period_factor(sp));
        printf("%-22s %zu (%zu refused)\n", "roads read", s->roads_in, s->roads_skipped);
        printf("%-22s %zu\n", "nodes", s->nodes);
        printf("%-22s %zu\n", "links", s->links);
        printf("%-22s %zu\n", "directed arcs", s->arcs);
        printf("%-22s %zu zero-length, %zu duplicate\n", "links dropped", s->zero_length_dropped,
               s->duplicates_dropped);
        printf("%-22s %zu (a duplicate that added a direction or a faster time)\n", "duplicates merged",
               s->duplicates_merged);
        if (speed_profile_road_count(sp))
            printf("%-22s %zu roads (of %zu rows in the profile's road_speeds)\n", "measured speeds",
                   s->roads_table_speed, speed_profile_road_count(sp));
        printf("%-22s %zu (main: %zu nodes, %.1f%%)\n", "components", s->components, s->main_component_nodes,
               s->nodes ? 100.0 * (double)s->main_component_nodes / (double)s->nodes : 0.0);
        for (uint32_t c = 1; c < s->components && c < 6; c++)
            printf("%-22s component %u: %zu nodes\n", "", c, network_component_size(net, c));
        if (s->components > 6)
            printf("%-22s ... %zu more small components\n", "", s->components - 6);
        uint32_t nc = network_class_count(net);
        double *len = calloc(nc ? nc : 1, sizeof *len), total = 0;
        if (!len) {
            st = emscov_fail(ctx, EMS_ENOMEM, "out of memory");
        } else {
            for (uint32_t l = 0; l < network_link_count(net); l++) {
                const network_link *k = network_link_at(net, l);
                len[k->class_id] += k->travel_m;
                total += k->travel_m;
            }
            printf("%-22s %.3f km (%s)\n", "length", total / 1000, ra.length ? ra.length : "planar");
            for (uint32_t c = 0; c < nc; c++) {
                bool known;
                const char *name = network_class_name(net, c);
                double kmh = speed_profile_effective_kmh(sp, name, 0, &known);
                fputs("  ", stdout);
                cli_print_padded(*name ? name : "(no class)", 20);
                printf(" %12.3f km  %5.1f km/h%s\n", len[c] / 1000, kmh, known ? "" : " (default: class not in profile)");
            }
            free(len);
        }
    }
    network_destroy(net);
    speed_profile_destroy(sp);
    return st;
}

ems_status cmd_network(emscov_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "info"))
        return network_info(ctx, argc - 1, argv + 1);
    if (argc >= 2 && (cli_flag(argv, 1, "help") || !strcmp(argv[1], "-h"))) {
        printf("usage: emscov network info [OPTIONS] ROADS\n");
        return EMS_OK;
    }
    return emscov_fail(ctx, EMS_EINPUT, "network: expected a sub-command: info (emscov network info --help)");
}

/* ---- times ---- */

static const char times_help[] =
    "usage: emscov times --roads R --stations S --points P --out FILE.csv [OPTIONS]\n"
    "\n"
    "Per point of P: the nearest station by response time and the second-nearest (the backup), with\n"
    "the snap distance. Response time = station turn-out + activation + station access leg + drive +\n"
    "point access leg (access legs at the profile's access speed; none when access_kmh = 0).\n"
    "\n"
    "options:\n"
    "  --station-id F    station id field (default: the station's record number)\n"
    "  --turnout-field F per-station turn-out delay in seconds (default: none)\n"
    "  --activation S    delay added to every station, seconds (default 0)\n"
    "  --max-snap M      farthest a point may be from a road, metres (default 1000)\n"
    "  --cutoff MIN      stop searching after this many minutes (default: no limit)\n"
    "  --working-srs SRS working CRS (default: UTM zone of the stations' centre)\n"
    "  --snap MODE       edge (default: the nearest point of a road) or vertex (the nearest network node)\n";

typedef struct snapped {
    snap_pos pos;
    bool ok;
} snapped;

static ems_status snap_layer(emscov_ctx *ctx, const layer *l, const snap_index *ix, double max_snap,
                             snapped **out)
{
    GEOSContextHandle_t h = emscov_geos(ctx);
    snapped *s = ems_calloc(ctx, layer_count(l) ? layer_count(l) : 1, sizeof *s);
    if (!s)
        return EMS_ENOMEM;
    for (size_t i = 0; i < layer_count(l); i++) {
        const GEOSGeometry *g = layer_geom(l, i);
        if (GEOSGeomTypeId_r(h, g) != GEOS_POINT) {
            free(s);
            return emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: expected a point", layer_path(l),
                               (long long)layer_record(l, i));
        }
        double x, y;
        GEOSGeomGetX_r(h, g, &x);
        GEOSGeomGetY_r(h, g, &y);
        s[i].ok = snap_point(ix, x, y, max_snap, &s[i].pos);
    }
    *out = s;
    return EMS_OK;
}

static void csv_text(FILE *f, const char *s)
{
    bool quote = strpbrk(s, ",\"\n\r") != NULL;
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void station_id(const layer *st, int idf, uint32_t i, char *buf, size_t cap)
{
    if (idf < 0) {
        snprintf(buf, cap, "%lld", (long long)layer_record(st, i));
        return;
    }
    const layer_value *v = layer_value_at(st, i, (size_t)idf);
    const layer_field *f = layer_field_at(st, (size_t)idf);
    if (v->is_null)
        snprintf(buf, cap, "record %lld", (long long)layer_record(st, i));
    else if (f->type == LAYER_FIELD_STRING)
        snprintf(buf, cap, "%s", v->u.s);
    else if (f->type == LAYER_FIELD_INT)
        snprintf(buf, cap, "%lld", (long long)v->u.i);
    else
        snprintf(buf, cap, "%.15g", layer_value_number(st, i, (size_t)idf));
}

ems_status cmd_times(emscov_ctx *ctx, int argc, char **argv)
{
    layer_read_opts ro = {0};
    road_args ra = {0};
    const char *roads = NULL, *stations = NULL, *points = NULL, *outpath = NULL, *id_field = NULL,
               *turnout_field = NULL, *activation_t = NULL, *max_snap_t = NULL, *cutoff_t = NULL,
               *working_srs = NULL, *snap_t = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            printf("%s\n%s%s", times_help, roads_help, cli_layer_opts_help);
            return EMS_OK;
        }
        if ((r = cli_opt(ctx, argc, argv, &i, "roads", &roads)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "stations", &stations)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "points", &points)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "out", &outpath)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "station-id", &id_field)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "turnout-field", &turnout_field)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "activation", &activation_t)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "max-snap", &max_snap_t)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "cutoff", &cutoff_t)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "working-srs", &working_srs)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "snap", &snap_t)) != 0 ||
            (r = road_opt(ctx, argc, argv, &i, &ra)) != 0 || (r = cli_layer_opt(ctx, argc, argv, &i, &ro)) != 0) {
            if (r < 0)
                return EMS_EINPUT;
            continue;
        }
        return emscov_fail(ctx, EMS_EINPUT, "times: unexpected argument %s (emscov times --help)", argv[i]);
    }
    if (!roads || !stations || !points || !outpath)
        return emscov_fail(ctx, EMS_EINPUT, "times: --roads, --stations, --points and --out are required");
    double activation = 0, max_snap = 1000, cutoff_min = 0;
    snap_mode snap = SNAP_EDGE;
    ems_status st = EMS_OK;
    if ((snap_t && (st = snap_mode_parse(ctx, snap_t, "--snap", &snap)) != EMS_OK) || (activation_t && (st = cli_number(ctx, "activation", activation_t, 0, 86400, &activation)) != EMS_OK) ||
        (max_snap_t && (st = cli_number(ctx, "max-snap", max_snap_t, 0, 1e6, &max_snap)) != EMS_OK) ||
        (cutoff_t && (st = cli_number(ctx, "cutoff", cutoff_t, 0.001, 1e5, &cutoff_min)) != EMS_OK))
        return st;

    layer *sl = NULL, *pl = NULL;
    crs *working = NULL;
    speed_profile *sp = NULL;
    network *net = NULL;
    snap_index *ix = NULL;
    snapped *ss = NULL, *ps = NULL;
    route_source *src = NULL;
    uint32_t *src_of = NULL;
    route_result *rr = NULL;
    FILE *f = NULL;
    char *tmp = NULL;
    if ((st = layer_read(ctx, stations, &ro, &sl)) != EMS_OK || (st = layer_read(ctx, points, &ro, &pl)) != EMS_OK)
        goto done;
    if (working_srs)
        st = crs_from_string(ctx, working_srs, &working);
    else {
        layer *both[2] = {sl, pl};
        st = layer_choose_working_crs(ctx, both, 2, &working);
    }
    if (st != EMS_OK || (st = layer_transform(ctx, sl, working)) != EMS_OK ||
        (st = layer_transform(ctx, pl, working)) != EMS_OK)
        goto done;
    int idf = -1, tof = -1;
    if (id_field && (idf = layer_field_index(sl, id_field)) < 0) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no field \"%s\" (--station-id)", stations, id_field);
        goto done;
    }
    if (turnout_field && (tof = layer_field_index(sl, turnout_field)) < 0) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no field \"%s\" (--turnout-field)", stations, turnout_field);
        goto done;
    }
    if ((st = cli_load_roads(ctx, roads, &ro, &ra, working, &sp, &net)) != EMS_OK ||
        (st = snap_index_build(ctx, net, &ix)) != EMS_OK || (st = snap_index_set_mode(ctx, ix, snap)) != EMS_OK ||
        (st = snap_layer(ctx, sl, ix, max_snap, &ss)) != EMS_OK ||
        (st = snap_layer(ctx, pl, ix, max_snap, &ps)) != EMS_OK)
        goto done;
    size_t ns = layer_count(sl), nsrc = 0;
    src = ems_calloc(ctx, ns ? ns : 1, sizeof *src);
    src_of = ems_calloc(ctx, ns ? ns : 1, sizeof *src_of);
    if (!src || !src_of) {
        st = EMS_ENOMEM;
        goto done;
    }
    size_t off_main = 0;
    for (size_t i = 0; i < ns; i++) {
        double turnout = 0;
        if (tof >= 0) {
            turnout = layer_value_number(sl, i, (size_t)tof);
            if (!(turnout >= 0)) {
                st = emscov_fail(ctx, EMS_EINPUT, "%s: record %lld: field %s: turn-out delay must be a number >= 0",
                                 stations, (long long)layer_record(sl, i), turnout_field);
                goto done;
            }
        }
        if (!ss[i].ok) {
            emscov_warn(ctx, "%s: record %lld: station is %.0f m from the nearest road (more than --max-snap %.0f): "
                        "not used", stations, (long long)layer_record(sl, i), ss[i].pos.dist_m, max_snap);
            continue;
        }
        if (network_link_at(net, ss[i].pos.link)->component != 0)
            off_main++;
        src[nsrc] = (route_source){.pos = ss[i].pos, .delay_s = turnout + activation + speed_profile_access_s(sp, ss[i].pos.dist_m)};
        src_of[nsrc++] = (uint32_t)i;
    }
    if (off_main)
        emscov_warn(ctx, "%s: %zu station(s) sit on a small road component, cut off from the main network",
                    stations, off_main);
    if (nsrc == 0) {
        st = emscov_fail(ctx, EMS_EINPUT, "%s: no station within %.0f m of a road", stations, max_snap);
        goto done;
    }
    route_opts o = {.labels = 2, .cutoff_s = cutoff_min * 60};
    if ((st = route_multi_source(ctx, net, src, nsrc, &o, &rr)) != EMS_OK)
        goto done;

    size_t tlen = strlen(outpath) + 32;
    if (!(tmp = ems_malloc(ctx, tlen))) {
        st = EMS_ENOMEM;
        goto done;
    }
    snprintf(tmp, tlen, "%s.tmp.%ld", outpath, (long)getpid());
    if (!(f = fopen(tmp, "w"))) {
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        goto done;
    }
    fputs("record,x,y,station_1,time_1_s,station_2,time_2_s,snap_dist_m,component,status\n", f);
    size_t unsnapped = 0, unreached = 0, small = 0;
    GEOSContextHandle_t h = emscov_geos(ctx);
    for (size_t i = 0; i < layer_count(pl); i++) {
        double x, y;
        GEOSGeomGetX_r(h, layer_geom(pl, i), &x);
        GEOSGeomGetY_r(h, layer_geom(pl, i), &y);
        fprintf(f, "%lld,%.3f,%.3f,", (long long)layer_record(pl, i), x, y);
        if (!ps[i].ok) {
            unsnapped++;
            fprintf(f, ",,,,%.1f,,beyond max-snap\n", ps[i].pos.dist_m);
            continue;
        }
        double acc = speed_profile_access_s(sp, ps[i].pos.dist_m);
        uint32_t comp = network_link_at(net, ps[i].pos.link)->component;
        small += comp != 0;
        for (int rank = 0; rank < 2; rank++) {
            uint32_t s;
            double t = route_pos_time(rr, &ps[i].pos, rank, &s);
            if (isfinite(t)) {
                char id[128];
                station_id(sl, idf, src_of[s], id, sizeof id);
                csv_text(f, id);
                fprintf(f, ",%.1f,", t + acc);
            } else {
                fputs(",,", f);
            }
        }
        bool reached = isfinite(route_pos_time(rr, &ps[i].pos, 0, NULL));
        unreached += !reached;
        fprintf(f, "%.1f,%u,%s\n", ps[i].pos.dist_m, comp,
                reached ? "ok" : comp != 0 ? "small component, no station reaches it" : "not reached");
    }
    if (fflush(f) != 0 || ferror(f)) {
        st = emscov_fail(ctx, EMS_EIO, "%s: write error: %s", tmp, strerror(errno));
        goto done;
    }
    if (fclose(f) != 0) {
        f = NULL;
        st = emscov_fail(ctx, EMS_EIO, "%s: write error: %s", tmp, strerror(errno));
        goto done;
    }
    f = NULL;
    if (rename(tmp, outpath) != 0) {
        st = emscov_fail(ctx, EMS_EIO, "%s: cannot rename to %s: %s", tmp, outpath, strerror(errno));
        goto done;
    }
    fprintf(stderr, "emscov: %zu points: %zu beyond --max-snap, %zu on small road components, %zu not reached; "
            "%zu stations used; wrote %s\n", layer_count(pl), unsnapped, small, unreached, nsrc, outpath);
done:
    if (f)
        fclose(f);
    if (tmp && st != EMS_OK)
        unlink(tmp);
    free(tmp);
    route_result_destroy(rr);
    free(src);
    free(src_of);
    free(ss);
    free(ps);
    snap_index_destroy(ix);
    network_destroy(net);
    speed_profile_destroy(sp);
    crs_destroy(working);
    layer_destroy(sl);
    layer_destroy(pl);
    return st;
}
