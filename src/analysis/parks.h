/* src/analysis/parks.h: park green space service-radius coverage (公园绿地服务半径覆盖率): the share of
 * residential land within the service radius of a park, city-wide and per sub-district, after the formula of
 * GB/T 51346-2019 4.3.4 (covered residential land area / residential land area), plus a population-based
 * share.
 *
 * A park rule set (data/standards/parks-*.ini, aed-radius.ini; read by park_rules_load) names the standard, its
 * clause, its own target share and comparison (> or >=), whether facilities may be points, and the size tiers: a park of area >= min_area_ha of a tier gets that tier's radius (the largest tier it
 * reaches); parks below the smallest tier are excluded. The service area is the union of the included parks'
 * buffers: every point within radius_m of the park polygon (straight-line distance from the park edge, not
 * the walking distance along roads), round joins, PARKS_QUAD_SEGS segments per quarter circle -- the same
 * polygon PostGIS makes with ST_Buffer(g, r, 'quad_segs=8'). Residential polygons that overlap each other are
 * unioned first, so land is never counted twice; a residential polygon spanning sub-districts is split
 * between them by area. Park areas (for the tiers) are measured in the working CRS.
 *
 * Ownership: park_rules_load / park_rules_create and parks_compute return new objects owned by the caller
 * (park_rules_destroy, parks_result_destroy: both NULL-safe); inputs are borrowed, never modified. A result
 * keeps the ctx that made it: destroy it before that ctx. Strings returned by accessors belong to the rules.
 * Units: metres and square metres of the working CRS (projected, metric), hectares in the rule files, shares
 * 0..1. One call per ctx at a time. */
#ifndef EMSCOV_PARKS_H
#define EMSCOV_PARKS_H

#include "geo/layer.h"

#define PARKS_QUAD_SEGS 8 /* buffer segments per quarter circle (GEOS and PostGIS default) */
#define PARKS_MAX_TIERS 16
#define PARKS_EXCLUDED SIZE_MAX /* parks_result.park_tier of a park below the smallest tier */

typedef struct park_rules park_rules;

typedef struct park_tier {
    double min_area_ha; /* parks with at least this area ... */
    double radius_m;    /* ... serve residential land within this distance of their edge */
} park_tier;

/* Read a rule set. Format (every key checked; anything else is EMS_EINPUT naming file and line):
 *   [rule]  name = ..., standard = <citation text>, target_share = 0..1,
 *           optional: clause = <document and clause, short> (default: the standard text),
 *           target_op = > | >= (how the text compares the share; default >=),
 *           points = yes | no (point facilities allowed: a radius around points; default no: polygons only;
 *           a point has area 0, so it takes the 0 ha tier or is excluded)
 *   [tiers] <min_area_ha> = <radius_m>   one line per tier, e.g. `1.0 = 500` and `0.2 = 300`. */
ems_status park_rules_load(emscov_ctx *ctx, const char *path, park_rules **out);
/* A rule set built in memory (tests, command-line overrides): tiers copied, any order; same checks as a file.
 */
ems_status park_rules_create(emscov_ctx *ctx, const char *name, const char *standard, double target_share,
                             const park_tier *tiers, size_t ntiers, park_rules **out);
void park_rules_destroy(park_rules *r);

const char *park_rules_name(const park_rules *r);
const char *park_rules_standard(const park_rules *r);
const char *park_rules_path(const park_rules *r); /* the file read, or "" when built in memory */
double park_rules_target_share(const park_rules *r);
const char *park_rules_clause(const park_rules *r);  /* "GB 55014-2021 2.1.3" */
bool park_rules_target_strict(const park_rules *r);  /* the share must exceed the target (">") */
bool park_rules_points(const park_rules *r);         /* point facilities allowed */
/* Tiers sorted by min_area_ha, largest first. */
size_t park_rules_tier_count(const park_rules *r);
park_tier park_rules_tier(const park_rules *r, size_t k);
/* Tier index for a park of area_m2 (the first, i.e. largest, tier it reaches), or PARKS_EXCLUDED. */
size_t park_rules_tier_for(const park_rules *r, double area_m2);

/* Residential land of one unit (a sub-district, or the city). */
typedef struct parks_unit {
    double residential_m2; /* residential land area (overlaps counted once) */
    double covered_m2;     /* of which inside the service area */
    double share;          /* covered_m2 / residential_m2; NAN when there is no residential land */
} parks_unit;

typedef struct parks_tier_stats {
    park_tier tier;
    size_t parks;        /* parks in this tier */
    double park_area_m2; /* their total area */
} parks_tier_stats;

typedef struct parks_result {
    parks_unit city;   /* all residential land, whether in a sub-district or not */
    parks_unit *units; /* one per feature of the sub-district layer, in its order (NULL when none given) */
    size_t nunits;
    double outside_m2; /* residential land in no sub-district (city minus the units; 0 without units) */
    double outside_covered_m2;

    size_t nparks;        /* features of the park layer */
    double *park_area_m2; /* per park */
    size_t *park_tier;    /* per park: tier index, or PARKS_EXCLUDED */
    parks_tier_stats tiers[PARKS_MAX_TIERS];
    size_t ntiers;
    size_t parks_included, parks_excluded;
    double excluded_area_m2;

    size_t residential_features; /* features of the residential layer */
    size_t overlap_groups;       /* groups of mutually overlapping residential polygons, unioned */
    double overlap_m2;           /* land they had in common: sum of their areas minus the area of the union */

    GEOSGeometry *service; /* union of the service buffers (working CRS; empty when no park qualifies) */
    double service_m2;
    emscov_ctx *ctx; /* the ctx that made the result (for parks_result_destroy) */
} parks_result;

/* Coverage of residential land. parks: polygons (points too when the rule set allows them); residential:
 * polygons; streets: the sub-district polygons, or NULL
 * for the city figure only. residential NULL: only the service area is built (for the population-based
 * share); every residential_m2 is 0 and every share NaN. All layers must be in the same projected metric CRS (the run's working CRS;
 * EMS_EINTERNAL otherwise: the caller moves them). A residential layer without land (no features, or zero
 * area) is EMS_EINPUT: the share is undefined. A feature that is not a polygon is EMS_EINPUT naming the
 * file and record. */
ems_status parks_compute(emscov_ctx *ctx, const layer *parks, const layer *residential, const layer *streets,
                         const park_rules *r, parks_result **out);
void parks_result_destroy(parks_result *r);

/* Population-based share: *covered = the population of the n points (x[i], y[i], working CRS) that lie in
 * the service area (boundary included), *total = all of it; inside (n entries; may be NULL) receives each
 * point's answer as parks_points_inside gives it. pop must be finite and >= 0 (EMS_EINPUT naming the point
 * otherwise). */
ems_status parks_population_share(emscov_ctx *ctx, const parks_result *r, const double *x, const double *y,
                                  const double *pop, size_t n, bool *inside, double *covered, double *total);
/* Per point: inside[i] = point i lies in the service area (for per-sub-district population shares). Large n
 * are tested on parallel_for workers (geo/parallel.h), each with a GEOS handle of its own. */
ems_status parks_points_inside(emscov_ctx *ctx, const parks_result *r, const double *x, const double *y,
                               size_t n, bool *inside);

/* The service area as a one-feature layer for the GeoPackage layer `park_service_area` (CRS of the inputs,
 * fields rule (string), parks (int: included), area_m2 (double)). */
ems_status parks_service_layer(emscov_ctx *ctx, const parks_result *res, const park_rules *r, const crs *c,
                               layer **out);

#endif
