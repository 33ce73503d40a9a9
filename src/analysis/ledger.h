/* src/analysis/ledger.h: the input ledger of a run -- what happened to every input record. Per layer: records
 * read = left out by the scenario's `where` + used + skipped; every skipped or altered record as an issue with
 * its reason (NULL or empty geometry, zero or missing count, outside every sub-district, off the road network,
 * duplicate id, repaired, ...), the source's id and name, a location and the population it carried; and the
 * population account: input = allocated + every dropped amount, by reason.
 *
 * The analyses fill the ledger (analyze.c); the outputs only render it (console block, `ledger` in
 * report.json, the `input_issue` table of the GeoPackage and of PostGIS). Reason keys (ledger_reason_key) are
 * stable machine names; texts are English for people.
 * Ownership: ledger_create returns a new ledger owned by the caller (ledger_destroy, NULL-safe); strings given
 * to it are copied; pointers returned by accessors belong to the ledger. Units: persons; metres of the working
 * CRS for locations (NaN when an issue has none). */
#ifndef EMSCOV_LEDGER_H
#define EMSCOV_LEDGER_H

#include "geo/ctx.h"

#include <stdint.h>

/* X(name, key, text, skips): skips = the record is not used by the analysis (it counts as skipped). */
#define LEDGER_REASON_MAP(X)                                                                                  \
    X(NULL_GEOMETRY, "null_geometry", "NULL geometry: record not used", true)                                \
    X(EMPTY_GEOMETRY, "empty_geometry", "empty geometry: record not used", true)                             \
    X(NO_AREA, "no_area", "polygon with no area (nothing left once repaired): record not used", true)        \
    X(UNREADABLE, "unreadable_geometry", "geometry that cannot be decoded: record not used", true)            \
    X(DELETED, "deleted", "record marked deleted in the .dbf: not used", true)                               \
    X(ZERO_COUNT, "zero_count", "count is 0: no demand point", true)                                         \
    X(NO_PEOPLE, "no_people", "grid cells with no data or no people: no demand point", true)                 \
    X(MISSING_COUNT, "missing_count", "count is missing (NULL): counted as 0, no demand point", true)        \
    X(BELOW_PARK_TIER, "below_size_tier", "park smaller than the rule set's smallest tier: no service area",  \
      true)                                                                                                   \
    X(REPAIRED, "repaired", "invalid polygon repaired", false)                                               \
    X(BALLPARK_DATUM, "ballpark_datum", "reprojected without a known datum shift (ballpark): positions may "  \
      "be off by tens to hundreds of metres", false)                                                          \
    X(OUTSIDE, "outside", "outside every sub-district", false)                                               \
    X(PARTLY_OUTSIDE, "partly_outside", "partly outside every sub-district", false)                          \
    X(OFF_NETWORK, "off_network", "farther than max_snap_m from any road: no response times from it", false)  \
    X(SMALL_COMPONENT, "small_component", "on a small road component cut off from the main network", false) \
    X(UNREACHED, "unreached", "no station reaches it by road: counted as not covered", false)                \
    X(DUPLICATE_ID, "duplicate_id", "same id as an earlier record", false)                                   \
    X(DUPLICATE_POSITION, "duplicate_position", "at the same place as an earlier record", false)             \
    X(OVERLAP, "overlap", "overlaps an earlier sub-district: the overlap counts for the earlier one", false)   \
    X(ON_BOUNDARY, "on_boundary", "on the boundary of several sub-districts: counted for the first", false)  \
    X(HOLES, "holes", "area enclosed by the sub-districts but in none of them: people there are outside", false) \
    X(NOT_DRIVABLE, "not_drivable", "road closed to traffic or without a usable line: not in the graph", true) \
    X(ZERO_LENGTH_LINK, "zero_length_link", "road piece of zero length: dropped from the graph", false)         \
    X(DUPLICATE_LINK, "duplicate_link", "road piece duplicating another between the same junctions: dropped",   \
      false)                                                                                                  \
    X(AREA_HIGHWAY, "area_highway", "OSM area=yes highway (a square or yard drawn as a polygon): not in the "  \
      "graph (area = skip)", true)                                                                            \
    X(REVERSIBLE, "reversible", "OSM oneway=reversible way (its direction changes with the time of day): not " \
      "in the graph (reversible = skip)", true)                                                               \
    X(RESTRICTED_ENDS, "restricted_ends", "road an access tag closes to ambulances: usable only at a route's "  \
      "start or end (access = ends)", false)                                                                   \
    X(ACCESS_IGNORED, "access_ignored", "road an access tag closes to ambulances: used like any road "         \
      "(access = ignore)", false)                                                                             \
    X(OWN_SPEED_CAPPED, "own_speed_capped", "road piece whose own speed exceeds its class speed: the class "    \
      "speed used (maxspeed = cap)", false)                                                                   \
    X(OWN_SPEED_IGNORED, "own_speed_ignored", "road piece with an own speed: the class speed used "            \
      "(maxspeed = ignore)", false)                                                                           \
    X(TURN_RESTRICTION, "turn_restriction", "turn restriction applied", false)                                \
    X(TURN_UNRESOLVED, "turn_unresolved", "turn restriction whose roads or junction are not in the graph: not " \
      "applied", false)                                                                                       \
    X(TURN_OFF, "turn_off", "turn restriction not applied (turn_restrictions = no)", false)

#define LEDGER_ENUM(name, key, text, skips) LEDGER_##name,
typedef enum { LEDGER_REASON_MAP(LEDGER_ENUM) LEDGER_NREASONS } ledger_reason;
#undef LEDGER_ENUM

const char *ledger_reason_key(ledger_reason r);  /* "null_geometry", ... */
const char *ledger_reason_text(ledger_reason r); /* "NULL geometry: record not used", ... */
bool ledger_reason_skips(ledger_reason r);

/* One input layer of the run. read = filtered + used + skipped (ledger_check tests it). */
typedef struct ledger_layer {
    const char *role;   /* "streets", "stations", "population", "roads", "parks", "residential", ... */
    const char *path;   /* the source */
    const char *unit;   /* "records", "cells", "ways" */
    size_t read;        /* records in the source */
    size_t filtered;    /* left out by the scenario's where filter (the user's choice, not an issue) */
    size_t used;        /* entered the analysis */
    size_t skipped;     /* not used, each for a reason listed among the issues */
    size_t altered;     /* used, but changed (repaired) */
    size_t issues;      /* issue rows of this layer */
} ledger_layer;

/* One skipped or altered record. */
typedef struct ledger_issue {
    const char *role;        /* the layer's role */
    int64_t record;          /* 1-based source record (grid: row x ncols + col + 1); 0: the whole layer */
    const char *source_id;   /* the scenario's id field of that layer ("" when it has none) */
    const char *source_name; /* the scenario's name field ("" when none) */
    ledger_reason reason;
    const char *detail;      /* what exactly, e.g. "1623 m from the nearest road", "" when nothing to add */
    double amount;           /* persons this record carried that the reason concerns (NaN: not a count) */
    size_t count;            /* records this row stands for (1, or more for an aggregate row, record 0) */
    double x, y;             /* location, working CRS; NaN when none */
} ledger_issue;

/* The population account: input = allocated + dropped_total (to rounding); outside is part of allocated. */
typedef struct ledger_population {
    double input;                      /* all counts read, those of skipped records included */
    double allocated;                  /* the demand points */
    double outside;                    /* of allocated: in no sub-district */
    double dropped[LEDGER_NREASONS];   /* amounts not allocated, by reason */
    double dropped_total;
    bool scaled;                       /* the counts were weights spread over a given total */
    size_t dropped_records;            /* population records not allocated (no geometry, no or zero count) */
    double dropped_weight;             /* scaled: the weights of those records (their share went to the others) */
} ledger_population;

typedef struct ledger ledger;

ems_status ledger_create(emscov_ctx *ctx, ledger **out);
void ledger_destroy(ledger *l);

/* Add a layer (strings copied); *index (may be NULL) receives its index. */
ems_status ledger_add_layer(emscov_ctx *ctx, ledger *l, const char *role, const char *path, const char *unit,
                            size_t *index);
ledger_layer *ledger_layer_at(ledger *l, size_t k);
const ledger_layer *ledger_layer_get(const ledger *l, size_t k);
size_t ledger_layer_count(const ledger *l);
/* The layer with this role, or NULL. */
ledger_layer *ledger_find_layer(ledger *l, const char *role);

/* Add an issue (strings copied; NULL strings become ""); counted in its layer's `issues` (the layer must have
 * been added). detail is printf-formatted. */
ems_status ledger_add(emscov_ctx *ctx, ledger *l, const char *role, int64_t record, const char *source_id,
                      const char *source_name, ledger_reason reason, double amount, size_t count, double x,
                      double y, const char *detail_fmt, ...) EMS_PRINTF(12, 13);
size_t ledger_issue_count(const ledger *l);
const ledger_issue *ledger_issue_at(const ledger *l, size_t k);
/* Issues of one reason (all layers): how many rows, records and persons. */
void ledger_reason_totals(const ledger *l, ledger_reason r, size_t *rows, size_t *records, double *amount);

ledger_population *ledger_population_get(ledger *l);
const ledger_population *ledger_population_view(const ledger *l);

/* EMS_EINTERNAL naming the layer when read != filtered + used + skipped, or when the population account does
 * not balance (|input - allocated - dropped| > 1e-6 x input + 1e-6). */
ems_status ledger_check(emscov_ctx *ctx, const ledger *l);

#endif
