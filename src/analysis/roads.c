/* src/analysis/roads.c: speed profile + road network for the commands given roads directly (see roads.h). */
#include "src/analysis/roads.h"

#include <stdio.h>
#include <stdlib.h>

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
        snprintf(file, sizeof file, "%s/speed/default.ini", o->data_dir ? o->data_dir : ".");
        st = speed_profile_load(ctx, file, sp);
    }
    if (st == EMS_OK && o->period)
        st = speed_profile_set_period(ctx, *sp, o->period);
    network_build_opts bo = {.tolerance_m = o->tolerance_m, .source = path, .length = o->length};
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
