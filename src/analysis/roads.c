/* src/analysis/roads.c: speed profile + road network for the commands given roads directly (see roads.h). */
#include "src/analysis/roads.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

ems_status roads_method_parse(emscov_ctx *ctx, const char *text, const char *what, roads_method *out)
{
    if (text && !strcasecmp(text, "emscov"))
        *out = ROADS_METHOD_EMSCOV;
    else if (text && !strcasecmp(text, "pgrouting"))
        *out = ROADS_METHOD_PGROUTING;
    else
        return emscov_fail(ctx, EMS_EINPUT, "%s: \"%s\" is not emscov or pgrouting", what, text ? text : "");
    return EMS_OK;
}

const char *roads_method_name(roads_method m)
{
    return m == ROADS_METHOD_PGROUTING ? "pgrouting" : "emscov";
}

roads_preset roads_method_preset(roads_method m)
{
    if (m == ROADS_METHOD_PGROUTING)
        return (roads_preset){.speed_profile = "pgrouting", .snap = SNAP_VERTEX, .length = NETWORK_LENGTH_ELLIPSOIDAL,
                              .rules = {.access = NETWORK_ACCESS_IGNORE, .maxspeed = NETWORK_MAXSPEED_IGNORE,
                                        .turns_off = true, .area = NETWORK_AREA_ROAD,
                                        .reversible = NETWORK_REVERSIBLE_IMPLIED}};
    return (roads_preset){.speed_profile = "default", .snap = SNAP_EDGE, .length = NETWORK_LENGTH_PLANAR};
}

const char *roads_profile_path(const char *data_dir, const char *name, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/speed/%s.ini", data_dir ? data_dir : ".", name ? name : "default");
    return buf;
}

ems_status roads_load(emscov_ctx *ctx, const char *path, const layer_read_opts *ro, const roads_opts *o,
                      const crs *working, speed_profile **sp, network **net)
{
    *sp = NULL;
    *net = NULL;
    ems_status st;
    if (o->speed_file) {
        st = speed_profile_load(ctx, o->speed_file, sp);
    } else {
        char file[4200];
        st = speed_profile_load(
            ctx, roads_profile_path(o->data_dir, roads_method_preset(o->method).speed_profile, file, sizeof file), sp);
    }
    if (st == EMS_OK && o->period)
        st = speed_profile_set_period(ctx, *sp, o->period);
    network_build_opts bo = {.tolerance_m = o->tolerance_m, .source = path, .length = o->length, .rules = o->rules};
    if (st == EMS_OK)
        st = network_load_defaults(ctx, path, ro, &o->fields, *sp, working, &bo, net);
    if (st != EMS_OK) {
        speed_profile_destroy(*sp);
        *sp = NULL;
    }
    return st;
}

ems_status roads_class_length_m(emscov_ctx *ctx, const network *net, double **len, double *total_m)
{
    uint32_t nc = network_class_count(net);
    double total = 0, *l = ems_calloc(ctx, nc ? nc : 1, sizeof *l);
    *len = l;
    if (!l)
        return EMS_ENOMEM;
    for (uint32_t k = 0; k < network_link_count(net); k++) {
        const network_link *link = network_link_at(net, k);
        l[link->class_id] += link->travel_m;
        total += link->travel_m;
    }
    *total_m = total;
    return EMS_OK;
}
