/* geo/speed.h: speed profiles: km/h per road class (OSM highway=* classes and the Chinese urban classes
 * 快速路 / 主干路 / 次干路 / 支路), an ambulance factor, named time-of-day periods (offpeak, peak, ...) with a
 * congestion factor each and, optionally, a factor per road class for a period ([period NAME] sections), a
 * table of measured speeds per road and period ([profile] road_speeds, a CSV road_id,period,speed_kmh), an
 * access speed for the off-network leg (0 = no off-network time), and which OSM classes are drivable at all.
 *
 * A profile is read from an INI file (data/speed/default.ini documents the defaults and their sources).
 * Effective speed of a road in period P (speed_profile_combine):
 *   - a measured speed for the road in P (or for "*", every period) in the table: that x ambulance_factor
 *     (measured speeds already carry the period's congestion);
 *   - else base x ambulance_factor x F, where base is the road's own speed (a speed field or an OSM maxspeed)
 *     when it has one, else its class default, and F is [period P] <class> when listed, else [periods] P.
 * Ownership: speed_profile_load returns a new profile owned by the caller (speed_profile_destroy, NULL-safe);
 * strings returned are owned by the profile. Units: km/h, factors dimensionless, seconds. A profile is
 * read-only once loaded except for the selected period (speed_profile_set_period): share it between threads
 * only while nobody changes that. */
#ifndef EMSCOV_GEO_SPEED_H
#define EMSCOV_GEO_SPEED_H

#include "geo/ctx.h"

#include <stdint.h>

#define SPEED_NO_ROAD UINT32_MAX

typedef struct speed_profile speed_profile;

/* Load an INI profile (and its road speed table, a path relative to the profile). Unknown sections or keys,
 * non-numbers, speeds <= 0 -> EMS_EINPUT naming file and line. */
EMS_API ems_status speed_profile_load(emscov_ctx *ctx, const char *path, speed_profile **out);
EMS_API void speed_profile_destroy(speed_profile *sp);

/* Select the time-of-day period ("offpeak", "peak", ...). Unknown name -> EMS_EINPUT listing the known ones. */
EMS_API ems_status speed_profile_set_period(emscov_ctx *ctx, speed_profile *sp, const char *period);
EMS_API const char *speed_profile_period(const speed_profile *sp);
/* Periods by index, in file order; the index of a name (NULL: the selected period), EMS_EINPUT listing the
 * known ones when unknown. */
EMS_API size_t speed_profile_period_count(const speed_profile *sp);
EMS_API const char *speed_profile_period_name(const speed_profile *sp, size_t period);
EMS_API ems_status speed_profile_period_index(emscov_ctx *ctx, const speed_profile *sp, const char *period,
                                              size_t *out);
/* Congestion factor of a road class in a period: [period NAME] <class> when listed, else the [periods] factor. */
EMS_API double speed_profile_class_factor(const speed_profile *sp, size_t period, const char *road_class);
EMS_API double speed_profile_period_factor(const speed_profile *sp);
EMS_API double speed_profile_ambulance_factor(const speed_profile *sp);
/* [profile] mode = walk (default drive): people on foot walk every way in both directions (one-way tags and
 * fields are ignored) at the class speed of the profile, whatever the road's own speed (speed field, OSM
 * maxspeed). */
EMS_API bool speed_profile_walking(const speed_profile *sp);
/* Off-network access leg speed (straight line from a point to its snapped position), km/h; 0 = no access leg. */
EMS_API double speed_profile_access_kmh(const speed_profile *sp);
/* Seconds for an access leg of dist_m: dist_m / access speed, 0 when the access speed is 0. */
EMS_API double speed_profile_access_s(const speed_profile *sp, double dist_m);
/* Default class speed for an unknown class, km/h. */
EMS_API double speed_profile_default_kmh(const speed_profile *sp);

/* Class default km/h; *known false (and the default speed returned) when the class is not in the profile. */
EMS_API double speed_profile_class_kmh(const speed_profile *sp, const char *road_class, bool *known);
/* True when an OSM highway=* class is drivable by ambulance (listed in [osm_classes]). */
EMS_API bool speed_profile_osm_drivable(const speed_profile *sp, const char *highway);

/* Measured speeds ([profile] road_speeds): how many road ids, the index of one (SPEED_NO_ROAD when absent) and
 * its km/h in a period (the "*" row when the period has none; 0 when neither). Ids compare exactly. */
EMS_API size_t speed_profile_road_count(const speed_profile *sp);
EMS_API uint32_t speed_profile_road_index(const speed_profile *sp, const char *road_id);
EMS_API double speed_profile_road_kmh(const speed_profile *sp, uint32_t road, size_t period);
/* The rule above from its parts: table_kmh > 0 ? table_kmh x ambulance : (own_kmh > 0 ? own_kmh : class_kmh)
 * x ambulance x class_factor. */
EMS_API double speed_profile_combine(const speed_profile *sp, double class_kmh, double class_factor,
                                     double own_kmh, double table_kmh);

/* Effective speed in the selected period without a table speed, km/h: (own_kmh > 0 ? own_kmh : class default)
 * x ambulance factor x the class's factor for the period. */
EMS_API double speed_profile_effective_kmh(const speed_profile *sp, const char *road_class, double own_kmh,
                                           bool *class_known);

/* Parse an OSM maxspeed value ("50", "50 km/h", "30 mph", "RU:urban" ...); 0 when not a number. */
EMS_API double speed_parse_maxspeed(const char *text);

#endif
