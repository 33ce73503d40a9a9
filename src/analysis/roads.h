/* src/analysis/roads.h: the road network of a command given roads directly (emscov network info, emscov
 * times): the speed profile (a file, or data/speed/default.ini) at a time-of-day period, and the graph built
 * from an OSM file or a line layer with emscov's default field mapping (CLASS, SPEED, ONEWAY, NAME when the
 * layer has them and none is named: geo/network.h network_load_defaults). Scenario runs load their roads in
 * src/analysis/scenario.c from the scenario's settings instead.
 * The method presets (roads_method) live here too: the scenario and the CLI apply them the same way.
 * Ownership: roads_load returns a new profile and network owned by the caller (speed_profile_destroy,
 * network_destroy); on failure both are NULL. Units: metres, km/h. One ctx per thread. */
#ifndef EMSCOV_ROADS_H
#define EMSCOV_ROADS_H

#include "geo/network.h"
#include "geo/snap.h"

/* A method preset (docs/method.md, "Network rules"): the options that reproduce a kind of study. emscov: the
 * defaults. pgrouting: a plain osm2pgrouting + pgr_drivingDistance study (shared/PGROUTING-METHOD.md beside the
 * checkout): the speed profile data/speed/pgrouting.ini (one speed per class, no access leg), vertex snapping,
 * ellipsoidal lengths, and no access tags, maxspeed or turn restrictions; area=yes ways are roads and
 * oneway=reversible / alternating follow the implied rule, as osm2pgrouting imports them. */
typedef enum { ROADS_METHOD_EMSCOV = 0, ROADS_METHOD_PGROUTING = 1 } roads_method;

typedef struct roads_preset {
    const char *speed_profile; /* a profile name in <data_dir>/speed/ */
    snap_mode snap;
    network_length length;
    network_rules rules;
} roads_preset;

/* "emscov" / "pgrouting" (ASCII case ignored); anything else -> EMS_EINPUT naming what. */
ems_status roads_method_parse(emscov_ctx *ctx, const char *text, const char *what, roads_method *out);
const char *roads_method_name(roads_method m);
/* What a preset sets; an option given explicitly overrides it (the caller applies the preset first). */
roads_preset roads_method_preset(roads_method m);

typedef struct roads_opts {
    network_fields fields;  /* field mapping; all NULL: the defaults */
    double tolerance_m;     /* noding tolerance, 0: exact */
    const char *speed_file; /* NULL: <data_dir>/speed/default.ini */
    const char *period;     /* time-of-day period, NULL: the profile's default */
    const char *data_dir;   /* emscov's data directory (EMSCOV_DATA_DIR) */
    network_length length;  /* link lengths for travel times: planar (default) or ellipsoidal */
    network_rules rules;    /* access, maxspeed, turn restrictions, area, reversible, turn table */
    roads_method method;    /* the preset the options came from (for printing) */
} roads_opts;

/* The speed profile file of a profile name: <data_dir>/speed/<name>.ini, into buf. */
const char *roads_profile_path(const char *data_dir, const char *name, char *buf, size_t cap);

/* Load the profile, select the period, build the network from path (read with ro) in `working` (NULL: the
 * UTM zone of the roads). EMS_EINPUT for a bad profile, an unknown period or bad roads. */
ems_status roads_load(emscov_ctx *ctx, const char *path, const layer_read_opts *ro, const roads_opts *o,
                      const crs *working, speed_profile **sp, network **net);

/* Road length per class (index = class id, network_class_count entries, new array: free) and in total,
 * metres: the travel lengths (planar, or geodesic when built with ellipsoidal lengths). */
ems_status roads_class_length_m(emscov_ctx *ctx, const network *net, double **len, double *total_m);

#endif
