/* src/cli/cmd_network.c: `emscov network info ROADS` (what the graph builder made of a road source) and
 * `emscov times` (per point: nearest and second-nearest station by drive time, with the snap distance). */
#include "src/cli/cli.h"

#include "src/analysis/roads.h"
#include "src/output/times_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char roads_help[] =
    "road options:\n"
    "  --class-field F   road class field (OSM highway value or 快速路/主干路/次干路/支路; default CLASS if present)\n"
    "  --speed-field F   own speed in km/h (0 or empty = class default; default SPEED if present)\n"
    "  --oneway-field F  one-way: F/T/B/N, 1/-1/0, yes/no (default ONEWAY if present)\n"
    "  --name-field F    road name (default NAME if present)\n"
    "  --id-field F      road id, the key of the speed profile's road_speeds table (default: record number)\n"
    "  --tolerance M     noding tolerance in metres (default 0: vertices must coincide exactly)\n"
    "  --speed FILE      speed profile (default: speed/default.ini of the data directory, which\n"
    "                    emscov version names)\n"
    "  --period NAME     time-of-day period of the profile: offpeak (default), peak, night, ...\n"
    "  --length L        link lengths for travel times: planar (default; in the working CRS) or ellipsoidal\n"
    "                    (geodesic on WGS 84, as PostGIS ST_Length(geography))\n"
    "network rules (docs/method.md, \"Network rules\"):\n"
    "  --method M        emscov (default) or pgrouting: the options of a plain osm2pgrouting +\n"
    "                    pgr_drivingDistance study (its class speeds speed/pgrouting.ini,\n"
    "                    vertex snapping, ellipsoidal lengths; no access leg, access tags, maxspeed or turn\n"
    "                    restrictions); options given as well override it\n"
    "  --access A        roads an access tag closes (private, no, ...): ends (default: usable only at a\n"
    "                    route's start or end), strict (dropped) or ignore (used like any road)\n"
    "  --maxspeed M      a road's own speed (OSM maxspeed, --speed-field): use (default), ignore, or cap\n"
    "                    (never faster than its class speed)\n"
    "  --turns yes|no    obey turn restrictions (OSM restriction relations, --turn-table); default yes\n"
    "  --turn-table F    CSV of turn restrictions: from_id,to_id,restriction,lon,lat[,via_id] (road ids of\n"
    "                    --id-field, else record numbers; OSM: way ids)\n"
    "  --area A          OSM area=yes highways: skip (default) or road\n"
    "  --reversible R    OSM oneway=reversible / alternating: skip (default: reversible dropped, alternating\n"
    "                    both ways) or implied (read as if untagged)\n";

typedef struct road_args {
    network_fields fields;
    const char *tolerance, *speed_file, *period, *length;
    const char *method, *access, *maxspeed, *turns, *turn_table, *area, *reversible;
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
        (r = cli_opt(ctx, argc, argv, i, "period", &a->period)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "method", &a->method)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "access", &a->access)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "maxspeed", &a->maxspeed)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "turns", &a->turns)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "turn-table", &a->turn_table)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "area", &a->area)) != 0 ||
        (r = cli_opt(ctx, argc, argv, i, "reversible", &a->reversible)) != 0)
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

/* The road options as roads_load takes them: the --method preset, then each option given; *snap (when not NULL)
 * gets the preset's snapping. EMS_EINPUT for a bad --tolerance, --length, --method or rule word. */
static ems_status road_opts(emscov_ctx *ctx, const road_args *a, roads_opts *o, snap_mode *snap)
{
    *o = (roads_opts){.fields = a->fields, .speed_file = a->speed_file, .period = a->period,
                      .data_dir = cli_data_dir()};
    ems_status st = a->method ? roads_method_parse(ctx, a->method, "--method", &o->method) : EMS_OK;
    roads_preset pre = roads_method_preset(o->method);
    o->length = pre.length;
    o->rules = pre.rules;
    if (snap)
        *snap = pre.snap;
    if (st == EMS_OK && a->length)
        st = network_length_parse(ctx, a->length, "--length", &o->length);
    if (st == EMS_OK && a->tolerance)
        st = cli_number(ctx, "tolerance", a->tolerance, 0, 1000, &o->tolerance_m);
    if (st == EMS_OK && a->access)
        st = network_access_parse(ctx, a->access, "--access", &o->rules.access);
    if (st == EMS_OK && a->maxspeed)
        st = network_maxspeed_parse(ctx, a->maxspeed, "--maxspeed", &o->rules.maxspeed);
    if (st == EMS_OK && a->turns)
        st = network_turns_parse(ctx, a->turns, "--turns", &o->rules.turns_off);
    if (st == EMS_OK && a->area)
        st = network_area_parse(ctx, a->area, "--area", &o->rules.area);
    if (st == EMS_OK && a->reversible)
        st = network_reversible_parse(ctx, a->reversible, "--reversible", &o->rules.reversible);
    o->rules.turn_table = a->turn_table;
    return st;
}

/* What the network rules changed (network info). */
static void print_rules(const network *net, const roads_opts *o)
{
    const network_stats *s = network_get_stats(net);
    const network_rules *r = network_get_rules(net);
    printf("%-22s method %s: access %s, maxspeed %s, turn restrictions %s, area=yes %s, oneway=reversible %s\n",
           "network rules", roads_method_name(o->method), network_access_name(r->access),
           network_maxspeed_name(r->maxspeed), r->turns_off ? "off" : "on", r->area == NETWORK_AREA_ROAD ? "road" : "skip",
           r->reversible == NETWORK_REVERSIBLE_IMPLIED ? "implied" : "skip");
    printf("%-22s %zu roads: %zu dropped, %zu used like any road, %zu links (%.3f km) usable only at a route's "
           "start or end\n", "access-restricted", s->restricted_roads, s->restricted_dropped, s->restricted_opened,
           s->restricted_links, s->restricted_km);
    printf("%-22s %zu links (%.3f km) take their speed from it; %zu capped at the class speed, %zu not used\n",
           "own speeds (maxspeed)", s->own_speed_links, s->own_speed_km, s->own_speed_capped, s->own_speed_ignored);
    printf("%-22s %zu read: %zu applied (%zu forbidden turn sequences), %zu unresolved, %zu not applied (off)\n",
           "turn restrictions", s->turns_read, s->turns_applied, s->turn_sequences, s->turns_unresolved,
           s->turns_off);
    printf("%-22s %zu skipped, %zu used as roads; oneway=reversible: %zu ways skipped, %zu read as untagged\n",
           "area=yes ways", s->area_skipped, s->area_used, s->reversible_skipped, s->reversible_implied);
    printf("%-22s %zu nodes + %zu copies, %zu arcs (the graph the rules route on)\n", "search graph", s->nodes,
           s->search_copies, s->search_arcs);
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
    double *len = NULL, total = 0;
    roads_opts rop;
    ems_status st = road_opts(ctx, &ra, &rop, NULL);
    if (st == EMS_OK && (st = roads_load(ctx, path, &ro, &rop, NULL, &sp, &net)) == EMS_OK)
        st = roads_class_length_m(ctx, net, &len, &total);
    if (st == EMS_OK) {
        const network_stats *s = network_get_stats(net);
        printf("%s\n", path);
        printf("%-22s %s%s%d%s\n", "crs", crs_name(network_crs(net)), crs_epsg(network_crs(net)) ? " [EPSG:" : "",
               crs_epsg(network_crs(net)), crs_epsg(network_crs(net)) ? "]" : "");
        printf("%-22s %s (ambulance factor %.2f, period %s x %.2f)\n", "speed profile",
               ra.speed_file ? ra.speed_file : roads_method_preset(rop.method).speed_profile,
               speed_profile_ambulance_factor(sp),
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
        print_rules(net, &rop);
        printf("%-22s %zu (main: %zu nodes, %.1f%%)\n", "components", s->components, s->main_component_nodes,
               s->nodes ? 100.0 * (double)s->main_component_nodes / (double)s->nodes : 0.0);
        for (uint32_t c = 1; c < s->components && c < 6; c++)
            printf("%-22s component %u: %zu nodes\n", "", c, network_component_size(net, c));
        if (s->components > 6)
            printf("%-22s ... %zu more small components\n", "", s->components - 6);
        printf("%-22s %.3f km (%s)\n", "length", total / 1000,
               rop.length == NETWORK_LENGTH_ELLIPSOIDAL ? "ellipsoidal" : "planar");
        for (uint32_t c = 0; c < network_class_count(net); c++) {
            bool known;
            const char *name = network_class_name(net, c);
            double kmh = speed_profile_effective_kmh(sp, name, 0, &known);
            fputs("  ", stdout);
            cli_print_padded(*name ? name : "(no class)", 20);
            printf(" %12.3f km  %5.1f km/h%s\n", len[c] / 1000, kmh, known ? "" : " (default: class not in profile)");
        }
    }
    free(len);
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
    "  --snap MODE       edge (default: the nearest point of a road) or vertex (the nearest network node;\n"
    "                    the default of --method pgrouting)\n"
    "  --quiet           no summary line on stderr (errors and warnings still go there)\n";

ems_status cmd_times(emscov_ctx *ctx, int argc, char **argv)
{
    layer_read_opts ro = {0};
    road_args ra = {0};
    const char *roads = NULL, *stations = NULL, *points = NULL, *outpath = NULL, *id_field = NULL,
               *turnout_field = NULL, *activation_t = NULL, *max_snap_t = NULL, *cutoff_t = NULL,
               *working_srs = NULL, *snap_t = NULL;
    const struct {
        const char *name, **value;
    } opts[] = {{"roads", &roads},       {"stations", &stations},           {"points", &points},
                {"out", &outpath},       {"station-id", &id_field},         {"turnout-field", &turnout_field},
                {"activation", &activation_t}, {"max-snap", &max_snap_t},   {"cutoff", &cutoff_t},
                {"working-srs", &working_srs}, {"snap", &snap_t}};
    csv_style csv = {0};
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            printf("%s%s\n%s%s", times_help, cli_csv_opts_help, roads_help, cli_layer_opts_help);
            return EMS_OK;
        }
        if (cli_flag(argv, i, "quiet")) {
            quiet = true;
            continue;
        }
        int r = cli_csv_opt(ctx, argc, argv, &i, &csv);
        for (size_t k = 0; k < sizeof opts / sizeof *opts && r == 0; k++)
            r = cli_opt(ctx, argc, argv, &i, opts[k].name, opts[k].value);
        if (r == 0 && (r = road_opt(ctx, argc, argv, &i, &ra)) == 0)
            r = cli_layer_opt(ctx, argc, argv, &i, &ro);
        if (r < 0)
            return EMS_EINPUT;
        if (r == 0)
            return emscov_fail(ctx, EMS_EINPUT, "times: unexpected argument %s (emscov times --help)", argv[i]);
    }
    if (!roads || !stations || !points || !outpath)
        return emscov_fail(ctx, EMS_EINPUT, "times: --roads, --stations, --points and --out are required");
    times_params p = {.station_id_field = id_field, .turnout_field = turnout_field, .max_snap_m = 1000};
    times_sources src = {.roads = roads, .stations = stations, .points = points, .read = ro,
                         .working_srs = working_srs};
    double cutoff_min = 0;
    static const char *const csv_name[] = {"csv"}, *const csv_ext[] = {"csv\0"};
    int f = -1;
    ems_status st = cli_out_format(ctx, "times", outpath, NULL, csv_name, csv_ext, 1, &f);
    if (st != EMS_OK)
        return st;
    if ((st = road_opts(ctx, &ra, &src.road, &p.snap)) != EMS_OK ||
        (snap_t && (st = snap_mode_parse(ctx, snap_t, "--snap", &p.snap)) != EMS_OK) ||
        (activation_t && (st = cli_number(ctx, "activation", activation_t, 0, 86400, &p.activation_s)) != EMS_OK) ||
        (max_snap_t && (st = cli_number(ctx, "max-snap", max_snap_t, 0, 1e6, &p.max_snap_m)) != EMS_OK) ||
        (cutoff_t && (st = cli_number(ctx, "cutoff", cutoff_t, 0.001, 1e5, &cutoff_min)) != EMS_OK))
        return st;
    p.cutoff_s = cutoff_min * 60;
    times_counts c;
    if ((st = times_csv_run(ctx, &src, &p, &csv, outpath, &c)) == EMS_OK && !quiet)
        fprintf(stderr, "emscov: %zu points: %zu beyond --max-snap, %zu on small road components, %zu not reached; "
                "%zu stations used; wrote %s\n", c.points, c.beyond_snap, c.small_component, c.not_reached,
                c.stations_used, outpath);
    return st;
}
