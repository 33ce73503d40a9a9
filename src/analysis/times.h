/* src/analysis/times.h: per point, the nearest and the second-nearest station by response time (the backup
 * when the first ambulance is out), for `emscov times`; and the response-time model every analysis shares.
 *
 * Response time = station turn-out + activation + station access leg + drive time on the network + point
 * access leg. An access leg is the straight line from a place to its snapped position on the nearest road,
 * driven at the speed profile's access speed. times_station_delay_s is the source delay of that model (all
 * but the drive and the point's leg): the routing starts every station with it.
 *
 * times_inputs_load reads the stations, the points and the roads into one working CRS (the inputs of a run,
 * as scenario_load_inputs does for analyze); times_compute snaps, routes once with two labels and returns a
 * new result: compute only. Ownership: inputs are owned by the times_inputs (times_inputs_fini); the result
 * is owned by the caller (times_result_destroy, NULL-safe) and borrows nothing. Units: seconds, metres, km/h.
 * One ctx per thread. */
#ifndef EMSCOV_TIMES_H
#define EMSCOV_TIMES_H

#include "geo/route.h"
#include "geo/snap.h"
#include "src/analysis/roads.h"

#include <stdint.h>

#define TIMES_NONE UINT32_MAX

/* Source delay of a station, seconds: turnout_s + activation_s + the station's access leg (snap_dist_m at
 * access_kmh). */
double times_station_delay_s(double turnout_s, double activation_s, double snap_dist_m, double access_kmh);
/* An access leg, seconds: dist_m straight-line metres at access_kmh; 0 when access_kmh is 0 (no access leg). */
double times_access_s(double dist_m, double access_kmh);

typedef struct times_params {
    const char *station_id_field; /* station id field, NULL: the station's record number */
    const char *turnout_field;    /* per-station turn-out delay field (seconds), NULL: none */
    double activation_s;          /* delay added to every station */
    double max_snap_m;            /* farthest a station or point may be from a road */
    double cutoff_s;              /* stop searching after this time, 0: no limit */
    snap_mode snap;               /* edge (default): nearest road position; vertex: nearest network node */
} times_params;

typedef struct times_sources {
    const char *roads, *stations, *points; /* paths or sources as layer_read takes them */
    layer_read_opts read;                  /* reading options for all three */
    roads_opts road;                       /* speed profile, period, field mapping, tolerance */
    const char *working_srs;               /* working CRS text, NULL: the UTM zone of stations + points */
} times_sources;

typedef struct times_inputs {
    layer *stations, *points; /* in the working CRS */
    crs *working;
    speed_profile *speed;
    network *roads;
} times_inputs;

/* Read stations and points, choose the working CRS, move both into it, check that the fields named in p
 * exist (EMS_EINPUT naming the field and option), then load the roads. On failure in is left empty. */
ems_status times_inputs_load(emscov_ctx *ctx, const times_sources *src, const times_params *p, times_inputs *in);
void times_inputs_fini(times_inputs *in);

typedef enum {
    TIMES_OK,              /* a station reaches the point */
    TIMES_BEYOND_SNAP,     /* farther than max_snap_m from any road */
    TIMES_NOT_REACHED,     /* on the main network, but no station within the cutoff */
    TIMES_SMALL_COMPONENT  /* on a small road component no station reaches */
} times_point_status;

typedef struct times_point {
    int64_t record;        /* the point's source record */
    double x, y;           /* working CRS */
    double snap_dist_m;    /* to the nearest road (also when beyond max_snap_m) */
    uint32_t component;    /* road component of the snapped link (0: main); 0 when beyond snap */
    uint32_t station[2];   /* nearest and second-nearest station (feature index), TIMES_NONE */
    double time_s[2];      /* their response times, NaN when none */
    times_point_status status;
} times_point;

typedef struct times_counts {
    size_t points;
    size_t beyond_snap;     /* points farther than max_snap_m from a road */
    size_t small_component; /* snapped points on a small road component (reached or not) */
    size_t not_reached;     /* snapped points no station reaches */
    size_t stations_used;   /* stations snapped to a road (route sources) */
} times_counts;

typedef struct times_result {
    size_t npoints;
    times_point *points;
    size_t nstations;
    char **station_ids; /* per station feature: its id field's text, or its record number ("record N" when the
                           id is null) */
    times_counts counts;
} times_result;

/* Snap stations and points, start each snapped station with its delay, route once (two labels) and read
 * every point's two times. Warns about stations beyond max_snap_m (not used) and on small components;
 * EMS_EINPUT for a non-point geometry, a turn-out that is not a number >= 0, or no station near a road. */
ems_status times_compute(emscov_ctx *ctx, const times_inputs *in, const times_params *p, times_result **out);
void times_result_destroy(times_result *r);

#endif
