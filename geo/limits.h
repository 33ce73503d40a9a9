/* geo/limits.h: plausibility bounds on numbers read from input files, one place for every reader and every
 * analysis that checks them, so the documented limits (docs/reliability.md, "Bad input bounds") and the code
 * cannot drift apart. A number beyond its bound is not data but a typo, a unit mix-up or an attack: the caller
 * refuses it with EMS_EINPUT naming file, record and field (limits_check words the message). The bounds are
 * deliberately wide (an order of magnitude above anything real) so that no real city trips them.
 * No state; thread-safe. */
#ifndef EMSCOV_GEO_LIMITS_H
#define EMSCOV_GEO_LIMITS_H

/* A road's own speed (a speed field of a road layer): faster than any ambulance on any road. */
#define LIMITS_ROAD_KMH_MAX 300.0
/* People in one population grid cell: 1e7 is ten times the densest square kilometre on Earth, and grids of
 * persons per cell are at most that coarse. */
#define LIMITS_PERSONS_PER_CELL_MAX 1e7
/* A station's turn-out time (seconds from dispatch to wheels rolling): one hour. */
#define LIMITS_TURNOUT_S_MAX 3600.0
/* The dispatch centre's activation time (seconds from call to dispatch): one hour (scenario activation_s). */
#define LIMITS_ACTIVATION_S_MAX 3600.0
/* Ambulances based at one station. */
#define LIMITS_AMBULANCES_PER_STATION_MAX 1000.0

#include "geo/ctx.h"

/* EMS_OK when v is a finite number from lo to hi; otherwise EMS_EINPUT with the message
 * "<where>: <what> <v> is out of range: need a number from <lo> to <hi>", where is the file and record (e.g.
 * "stations.shp: record 3 (Station A)") and what the field ("field TURNOUT: turn-out time"). */
EMS_API ems_status limits_check(emscov_ctx *ctx, double v, double lo, double hi, const char *where, const char *what);

#endif
