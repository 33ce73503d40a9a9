/* geo/speed.h: speed profiles: km/h per road class (OSM highway=* classes and the Chinese urban classes
 * 快速路 / 主干路 / 次干路 / 支路), an ambulance factor, named time-of-day congestion factors (offpeak, peak, ...),
 * an access speed for the off-network leg, and which OSM classes are drivable at all.
 *
 * A profile is read from an INI file (data/speed/default.ini documents the defaults and their sources).
 * Effective speed of a road = base x ambulance_factor x period factor, where base is the road's own speed
 * (a speed field or an OSM maxspeed) when it has one, else its class default.
 * Ownership: speed_profile_load returns a new profile owned by the caller (speed_profile_destroy, NULL-safe);
 * strings returned are owned by the profile. Units: km/h, factors dimensionless, seconds. */
#ifndef EMSCOV_GEO_SPEED_H
#define EMSCOV_GEO_SPEED_H

#include "geo/ctx.h"

typedef struct speed_profile speed_profile;

/* Load an INI profile. Unknown sections or keys, non-numbers, speeds <= 0 -> EMS_EINPUT naming file and line. */
EMS_API ems_status speed_profile_load(emscov_ctx *ctx, const char *path, speed_profile **out);
EMS_API void speed_profile_destroy(speed_profile *sp);

/* Select the time-of-day period ("offpeak", "peak", ...). Unknown name -> EMS_EINPUT listing the known ones. */
EMS_API ems_status speed_profile_set_period(emscov_ctx *ctx, speed_profile *sp, const char *period);
EMS_API const char *speed_profile_period(const speed_profile *sp);
EMS_API double speed_profile_period_factor(const speed_profile *sp);
EMS_API double speed_profile_ambulance_factor(const speed_profile *sp);
/* Off-network access leg speed (straight line from a point to its snapped position), km/h. */
EMS_API double speed_profile_access_kmh(const speed_profile *sp);
/* Default class speed for an unknown class, km/h. */
EMS_API double speed_profile_default_kmh(const speed_profile *sp);

/* Class default km/h; *known false (and the default speed returned) when the class is not in the profile. */
EMS_API double speed_profile_class_kmh(const speed_profile *sp, const char *road_class, bool *known);
/* True when an OSM highway=* class is drivable by ambulance (listed in [osm_classes]). */
EMS_API bool speed_profile_osm_drivable(const speed_profile *sp, const char *highway);

/* Effective speed, km/h: (own_kmh > 0 ? own_kmh : class default) x ambulance factor x period factor. */
EMS_API double speed_profile_effective_kmh(const speed_profile *sp, const char *road_class, double own_kmh,
                                           bool *class_known);

/* Parse an OSM maxspeed value ("50", "50 km/h", "30 mph", "RU:urban" ...); 0 when not a number. */
EMS_API double speed_parse_maxspeed(const char *text);

#endif
