/* src/analysis/roads.h: the road network of a command given roads directly (emscov network info, emscov
 * times): the speed profile (a file, or data/speed/default.ini) at a time-of-day period, and the graph built
 * from an OSM file or a line layer with emscov's default field mapping (CLASS, SPEED, ONEWAY, NAME when the
 * layer has them and none is named: geo/network.h network_load_defaults). Scenario runs load their roads in
 * src/analysis/scenario.c from the scenario's settings instead.
 * Ownership: roads_load returns a new profile and network owned by the caller (speed_profile_destroy,
 * network_destroy); on failure both are NULL. Units: metres, km/h. One ctx per thread. */
#ifndef EMSCOV_ROADS_H
#define EMSCOV_ROADS_H

#include "geo/network.h"

typedef struct roads_opts {
    network_fields fields;  /* field mapping; all NULL: the defaults */
    double tolerance_m;     /* noding tolerance, 0: exact */
    const char *speed_file; /* NULL: <data_dir>/speed/default.ini */
    const char *period;     /* time-of-day period, NULL: the profile's default */
    const char *data_dir;   /* emscov's data directory (EMSCOV_DATA_DIR) */
    network_length length;  /* link lengths for travel times: planar (default) or ellipsoidal */
} roads_opts;

/* Load the profile, select the period, build the network from path (read with ro) in `working` (NULL: the
 * UTM zone of the roads). EMS_EINPUT for a bad profile, an unknown period or bad roads. */
ems_status roads_load(emscov_ctx *ctx, const char *path, const layer_read_opts *ro, const roads_opts *o,
                      const crs *working, speed_profile **sp, network **net);

/* Road length per class (index = class id, network_class_count entries, new array: free) and in total,
 * metres: the travel lengths (planar, or geodesic when built with ellipsoidal lengths). */
ems_status roads_class_length_m(emscov_ctx *ctx, const network *net, double **len, double *total_m);

#endif
