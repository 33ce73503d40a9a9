/* src/analysis/result.h: the result model of an `emscov analyze` run -- everything an output shows, as plain
 * data: the run's description and parameters, the headline figures, every target with its value, threshold,
 * verdict and the document it comes from, per-unit tables (sub-districts, districts, stations) carrying the
 * source's identity (record, id, name, code), and the input ledger. The analyses compute every figure and
 * verdict once, here; the outputs (console, report.json, streets.csv, GeoPackage, PostGIS, maps, reports)
 * render this model and compute nothing.
 *
 * Identity: a sub-district's id is its code (the scenario's [streets] code_field), else its name, else
 * "record N"; a station's id is its [stations] id_field value, else "record N". Foreign keys between result
 * tables use these ids. Labels are what people read: "月坛街道 110102004", "东单急救站 (id 1)".
 *
 * The geometry-heavy parts (demand points, service areas, sub-district polygons) stay in the analysis and
 * are reached through result_geo (result_layers in src/output turns them into layers).
 * Ownership: run_result_build returns a new result owned by the caller (run_result_destroy, NULL-safe); it
 * owns every string, array and the ledger it holds; `geo` borrows from the analysis that built it (valid while
 * the analysis lives). Units: seconds, metres, square metres, persons; shares 0..1. */
#ifndef EMSCOV_RESULT_H
#define EMSCOV_RESULT_H

#include "geo/isochrone.h"
#include "geo/layer.h"
#include "src/analysis/coverage.h"
#include "src/analysis/ledger.h"

#define RESULT_NONE UINT32_MAX
#define RESULT_MAX_THRESHOLDS COVERAGE_MAX_THRESHOLDS

typedef enum { RESULT_PASS, RESULT_FAIL, RESULT_NA } result_verdict;
const char *result_verdict_key(result_verdict v);  /* "pass", "fail", "n/a" (report.json, PostGIS) */
const char *result_verdict_text(result_verdict v); /* "PASS", "FAIL", "n/a" (people) */

/* The targets a run is checked against, in report order. */
typedef enum {
    RESULT_T_MEAN_RESPONSE,      /* population-weighted mean response time < the standard */
    RESULT_T_STATIONS,           /* every sub-district has its minimum of stations: gaps = 0 */
    RESULT_T_AMBULANCES,         /* ambulances per N residents >= 1 (city) */
    RESULT_T_PARKS,              /* park service-radius coverage of residential land >= the target share */
    RESULT_T_CALL_SATISFACTION,  /* share of calls finding a free ambulance >= target (needs calls: n/a) */
    RESULT_T_COVERAGE,           /* share of residents within the coverage time >= the standard's share */
    RESULT_NTARGETS
} result_target_id;

typedef struct result_target {
    const char *key;         /* stable: "mean_response_time", "stations_per_subdistrict", "ambulances_per_residents",
                                "park_coverage", "call_satisfaction", "coverage_share" */
    const char *indicator;   /* "mean response time (population-weighted)", ... */
    const char *unit;        /* unit of value and threshold: "min", "sub-districts without a station", ... */
    const char *op;          /* the test: value OP threshold passes: "<", "=", ">=" */
    double value, threshold; /* in unit; value NaN when n/a */
    const char *target_text; /* the target as people read it: "< 12 min", ">= 1 station in every sub-district" */
    result_verdict verdict;
    const char *standard;    /* the standards file (name) and the document and clause the target comes from (for
                                the park target, and the rule set it is measured after) */
    const char *source;      /* the document and clause alone, as the standards file quotes it; NULL: none */
    const char *note;        /* why n/a, or how it was measured; "" when nothing */
    size_t units_failing;    /* sub-districts failing the same test, where it applies per sub-district */
    size_t units_judged;     /* sub-districts judged (with population, or with residential land) */
    bool applies;            /* the standard sets this target for its service; outputs leave out those that do
                                not (no ambulance rule for a walking circle, no mean time for an AED rule) */
} result_target;

/* The service the run is about, in its own words (the standards file's [service]; see standards.h). */
typedef struct result_service {
    const char *key;                            /* "ems", "health_circle", ... */
    const char *name_zh, *name_en;
    const char *facility_zh, *facility_en, *facilities_en;
    const char *mode;                           /* "drive" or "walk" */
    bool vehicles;                              /* the vehicles-per-population figures apply */
    const char *source;                         /* NULL: none */
} result_service;

typedef struct result_subdistrict {
    int64_t record;
    const char *id, *name, *code, *label;
    uint32_t district;        /* index into run_result.districts */
    double area_m2;
    double pop, unreachable;
    double covered[RESULT_MAX_THRESHOLDS];  /* population within each threshold (run_result.thresholds_s) */
    double covered_share;     /* covered[0] / pop; NaN without population */
    double covered_shares[RESULT_MAX_THRESHOLDS]; /* covered[k] / pop */
    double mean_s, median_s, p90_s, max_s; /* over the reached population; NaN when none */
    uint32_t stations;
    bool gap;                 /* stations < min_stations */
    double ambulances, amb_per_n, amb_required, amb_shortfall;
    double park_share;        /* residential land covered; NaN without residential land */
    double park_pop_share;    /* population inside the park service area; NaN without parks or people */
    double calls, calls_covered, calls_covered_share, calls_mean_s; /* [calls] in it: weight, within
                                                                       thresholds_s[0], share, mean; NaN / 0 */
    result_verdict mean_verdict, station_verdict, amb_verdict, park_verdict, coverage_verdict;
    uint32_t fails;           /* verdicts failed */
    uint32_t order;           /* 0 = worst: most verdicts failed, then mean time, then population */
} result_subdistrict;

typedef struct result_district {
    const char *name;         /* "" when the scenario names no district field */
    size_t subdistricts, gaps;
    size_t stations;          /* stations counted in its sub-districts (the parent level's station count) */
    double pop, ambulances, amb_per_n, amb_required, amb_shortfall;
    result_verdict amb_verdict;
} result_district;

typedef enum {
    RESULT_STATION_MAIN,            /* on the main road network */
    RESULT_STATION_SMALL_COMPONENT, /* on a small component: serves only what that component reaches */
    RESULT_STATION_OFF_NETWORK      /* farther than max_snap_m from a road: no response times */
} result_station_status;
const char *result_station_status_key(result_station_status s); /* "main_network", "small_component", "off_network" */

typedef struct result_station {
    int64_t record;
    const char *id, *name, *label;
    double x, y;              /* working CRS */
    double ambulances, turnout_s, snap_m;
    double workload;          /* population for which it is the nearest station */
    uint32_t subdistrict;     /* index into subdistricts, RESULT_NONE outside all */
    bool on_boundary;         /* covered by several sub-districts (counted for the first) */
    result_station_status status;
} result_station;

typedef struct result_parks {
    bool present;             /* the scenario has a park layer */
    bool residential;         /* ... and residential land (the area share is defined) */
    const char *rule_name, *rule_standard;
    const char *rule_clause;  /* "GB 55014-2021 2.1.3" */
    double target_share;      /* the share checked: the rule's own when the scenario names the rule set or the
                                 standards file sets none, else the standards file's (the plan's) */
    bool target_strict;       /* the share must exceed the target (">"), else reach it (">=") */
    bool target_from_rule;    /* the target is the rule set's own (its clause), not the standards file's */
    const char *target_source;/* where the target comes from: the rule's clause or the standards file's source */
    double residential_m2, covered_m2, share;  /* city-wide; share NaN without residential land */
    double pop_covered, pop_total, pop_share;
    size_t parks_included, parks_excluded;
    size_t units_failing;     /* sub-districts with residential land below the target */
} result_parks;

/* The city-wide response-time figures in one time-of-day period ([scenario] periods), side by side with the
 * run's own period; every other figure of the result is of the run's period. */
typedef struct result_period {
    const char *name;          /* a period of the speed profile */
    bool run_period;           /* the run's own period ([scenario] period) */
    double pop, unreachable;
    double covered[RESULT_MAX_THRESHOLDS], covered_share[RESULT_MAX_THRESHOLDS]; /* as run_result's */
    double mean_s, median_s, p90_s, max_s;                                      /* NaN when none reached */
    result_verdict mean_verdict; /* mean_s below the standard's mean_below_s */
} result_period;

/* [calls]: historical call points beside the residents (call-weighted coverage and response figures). Ratios
 * per population (ambulances per N residents) stay on the residents. */
typedef struct result_calls {
    bool present;
    const char *path;
    size_t points;                              /* call points used (weight > 0) */
    double calls;                               /* sum of the weights */
    double covered[RESULT_MAX_THRESHOLDS];      /* calls within each threshold (run_result.thresholds_s) */
    double covered_share[RESULT_MAX_THRESHOLDS];
    double unreachable, unreachable_share;
    double mean_s, median_s, p90_s, max_s;      /* over the reached calls; NaN when none */
    bool by_hour;                               /* the layer has a time of day */
    double hour_calls[24], hour_covered[24];    /* by hour of day: calls, and those within thresholds_s[0] */
} result_calls;

typedef struct result_timing {
    const char *step;
    double seconds;
} result_timing;

/* The geometry side, borrowed from the analysis (see above). */
typedef struct result_geo {
    const crs *working;
    const layer *streets;              /* sub-district polygons, in subdistricts[] order */
    size_t npoints;                    /* demand points */
    const double *x, *y, *pop, *time_s, *backup_s, *snap_m;
    const uint32_t *point_station;     /* index into stations[], RESULT_NONE when unreachable */
    const uint32_t *point_subdistrict; /* index into subdistricts[], RESULT_NONE outside all */
    const isochrone_set *areas;        /* service areas by band */
    const double *area_bands_s;
    size_t nbands;
    const layer *park_service;         /* one-feature layer of the park service area, or NULL */
} result_geo;

typedef struct run_result {
    /* the run */
    const char *scenario_name, *scenario_path;
    const char *standards_name, *standards_title, *standards_path;
    result_service service;
    const char *crs_name;
    int epsg;
    const char *speed_path, *period;
    double activation_s, max_snap_m, access_kmh;
    double thresholds_s[RESULT_MAX_THRESHOLDS]; /* [0] = the standard's coverage time */
    size_t nthresholds;
    /* the standard's numbers */
    double mean_below_s, coverage_within_s, min_stations, residents_per_ambulance, satisfaction_min;
    double coverage_share_min; /* NaN: the standard sets no coverage share */
    /* inputs, as named in the scenario: role -> path (NULL path: absent) */
    struct {
        const char *role, *path;
    } inputs[8];
    size_t ninputs;

    /* population */
    const char *pop_method;
    size_t demand_points;
    double pop_weights;        /* > 0: the counts were weights of this sum, spread over the scenario's total */

    /* headline figures */
    double pop, unreachable;   /* city-wide (inside or outside the sub-districts) */
    double covered[RESULT_MAX_THRESHOLDS], covered_share[RESULT_MAX_THRESHOLDS];
    double unreachable_share;
    double mean_s, median_s, p90_s, max_s;
    size_t stations_main, stations_small, stations_off, stations_outside, stations_on_boundary;
    size_t gaps, mean_failing, amb_short;
    double ambulances, amb_per_n, amb_required, amb_shortfall, outside_ambulances;
    result_parks parks;
    result_calls calls;
    /* checks of the sub-district layer */
    size_t overlap_pairs;
    double overlap_m2, hole_m2;
    size_t duplicate_station_ids;

    result_target targets[RESULT_NTARGETS];

    result_subdistrict *subdistricts;
    size_t nsubdistricts;
    uint32_t *worst_first;     /* subdistrict indexes, worst first (order 0 first) */
    result_district *districts;
    size_t ndistricts;
    result_station *stations;
    size_t nstations;

    result_period *periods;    /* [scenario] periods, in the order given; NULL when none */
    size_t nperiods;

    ledger *ledger;
    result_timing timing[24];
    size_t ntiming;

    result_geo geo;

    /* private: strings owned by the result */
    char **strings;
    size_t nstrings, strings_cap;
} run_result;

/* An empty result (run_result_build fills it; tests may fill one by hand). */
ems_status run_result_create(emscov_ctx *ctx, run_result **out);
void run_result_destroy(run_result *r);
/* A copy of s owned by r (NULL for NULL); NULL and EMS_ENOMEM in ctx when out of memory. */
const char *run_result_str(emscov_ctx *ctx, run_result *r, const char *s);
void run_result_add_timing(run_result *r, const char *step, double seconds);

/* The verdicts and counts derived from the figures: every target, every per-unit verdict, failing counts and
 * the worst-first order. analyze.c fills the figures, then calls this once. */
ems_status run_result_judge(emscov_ctx *ctx, run_result *r, const char *const sources[RESULT_NTARGETS]);

/* Label of a sub-district or station (owned by r). */
const char *run_result_subdistrict_label(const run_result *r, uint32_t u); /* "" for RESULT_NONE */
const char *run_result_station_label(const run_result *r, uint32_t s);

#endif
