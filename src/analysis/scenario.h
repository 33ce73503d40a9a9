/* src/analysis/scenario.h: a run's inputs: the scenario file (INI) naming the layers (path, fields, encoding,
 * CRS), the standards, the speed profile and time of day, delays and parameters; scenario_load_inputs reads
 * every layer and moves it into the working CRS (the scenario's EPSG, or the UTM zone of the sub-districts).
 * Paths in the file are relative to the file. See docs/user-guide.md for every key.
 * Ownership: scenario_load returns a new scenario owned by the caller (scenario_destroy, NULL-safe), which owns
 * every string, layer and object it holds. */
#ifndef EMSCOV_SCENARIO_H
#define EMSCOV_SCENARIO_H

#include "geo/layer.h"
#include "geo/network.h"
#include "geo/snap.h"
#include "geo/speed.h"
#include "src/analysis/roads.h"
#include "src/analysis/standards.h"

typedef struct scenario_source {
    char *path;            /* resolved; NULL when the section is absent */
    char *encoding, *srs;  /* optional */
    char *where;           /* optional attribute filter (geo/filter.h) */
    const char *section;   /* for messages */
    layer_read_opts opts;  /* points into the strings above */
} scenario_source;

#define SCENARIO_MAX_PERIODS 8

typedef struct scenario {
    char *path, *name;
    char *lang;                       /* [scenario] lang: "zh" or "en" for what people read; NULL: not given */
    standards *std;
    char *speed_path, *period;
    char *periods[SCENARIO_MAX_PERIODS]; /* [scenario] periods: the city-wide coverage figures in each of these
                                          * periods of the speed profile, side by side (analyze.h) */
    size_t nperiods;
    int working_epsg;                 /* 0: UTM zone of the sub-districts */
    double activation_s, max_snap_m, buffer_m, cell_m;
    double thresholds_s[8];           /* [0] = the standard's coverage time, then --thresholds / extra */
    size_t nthresholds;
    scenario_source streets, stations, population, roads, parks, residential, pop_target;
    scenario_source calls;            /* [calls]: historical call points (optional) */
    char *calls_weight_field;         /* calls per point (NULL: 1 each) */
    char *calls_time_field;           /* time of day of the call ("HH:MM", "HH", or a date-time), or NULL */
    char *street_name_field, *street_code_field, *district_field;
    char *station_id_field, *station_name_field, *ambulances_field, *turnout_field;
    char *pop_kind, *pop_count_field, *pop_levels_field;  /* kind: grid | points | polygons */
    double pop_total;                 /* > 0: counts are weights spreading this many residents */
    network_fields road_fields;       /* points into owned strings */
    char *road_strings[5];
    snap_mode snap;                   /* [scenario] snap: edge (default) | vertex */
    network_length length;            /* [scenario] length: planar (default) | ellipsoidal */
    roads_method method;              /* [scenario] method: emscov (default) | pgrouting: a preset of the keys
                                         speed_profile, snap, length and the road rules; keys given override it */
    network_rules road_rules;         /* [roads] access, maxspeed, turn_restrictions, turn_table, area, reversible */
    char *turn_table;                 /* [roads] turn_table, resolved (road_rules.turn_table points here) */
    char *park_rules;                 /* path; the standards' rule set unless the scenario names one */
    bool park_rules_own;              /* the scenario names its rule set: the rule's own target applies */
    char *conninfo;                   /* for pg: sources (scenario_set_conninfo); NULL: libpq's environment */
} scenario;

/* Parse the scenario file; data_dir locates standards and speed profiles given by name. */
ems_status scenario_load(emscov_ctx *ctx, const char *path, const char *data_dir, scenario **out);
void scenario_destroy(scenario *s);
/* The database of the scenario's pg: sources (a libpq conninfo or URI; "" = libpq's PG* environment), e.g. the
 * run's --db: copied into s and set in every source's reading options. */
ems_status scenario_set_conninfo(emscov_ctx *ctx, scenario *s, const char *conninfo);

/* A layer's coordinate convention given on the command line, overriding its section's coords key:
 * "stations=gcj02" (LAYER=wgs84|gcj02|bd09; LAYER a section with a path). EMS_EINPUT for anything else. */
ems_status scenario_set_coords(emscov_ctx *ctx, scenario *s, const char *spec);

/* The run's layers, read and moved into the working CRS. */
typedef struct scenario_inputs {
    crs *working;
    layer *streets, *stations, *parks, *residential, *pop_layer, *pop_target; /* parks.. may be NULL */
    layer *calls;                     /* [calls] points, or NULL */
    speed_profile *speed;
    network *roads;
} scenario_inputs;

ems_status scenario_load_inputs(emscov_ctx *ctx, const scenario *s, scenario_inputs *in);
/* Work to do while the road graph is being built: called on the calling thread once every other layer is read
 * and in the working CRS (in->roads still NULL), before the load waits for the roads; a failure ends the load
 * (in is then freed: the callback must not leave anything running that reads it). */
typedef ems_status (*scenario_meanwhile_fn)(emscov_ctx *ctx, scenario_inputs *in, void *user);
ems_status scenario_load_inputs_with(emscov_ctx *ctx, const scenario *s, scenario_inputs *in,
                                     scenario_meanwhile_fn meanwhile, void *user);

/* Index of the field a scenario key names in layer l: *j = -1 when name is NULL (the key is absent); a name
 * the layer lacks is EMS_EINPUT "<file>: no field "X" (scenario key [sec] key); the fields are: A, B, ...". */
ems_status scenario_field(emscov_ctx *ctx, const layer *l, const char *name, const char *key, int *j);
void scenario_inputs_fini(scenario_inputs *in);

#endif
