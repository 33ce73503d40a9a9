/* src/analysis/analyze.h: one `emscov analyze` run: from a loaded scenario to every figure -- demand points
 * (population conserved), snapped stations and one two-label routing pass, response-time coverage, stations
 * per sub-district, ambulances per residents, park service-radius coverage and service-area polygons. Compute
 * only: the inputs are read by scenario_load_inputs, and the results are written by src/output.
 * Every figure, verdict and identity the outputs show is in the run's result model (result.h), built at the
 * end of analysis_run together with the input ledger; the fields below are the computation's own state (sites
 * and tests use them).
 * Ownership: analysis_run returns a new result owned by the caller (analysis_destroy, NULL-safe); it owns its
 * inputs, every intermediate result and the run_result. Units: seconds, metres, persons. */
#ifndef EMSCOV_ANALYZE_H
#define EMSCOV_ANALYZE_H

#include "geo/isochrone.h"
#include "src/analysis/ahead.h"
#include "src/analysis/ambulance.h"
#include "src/analysis/coverage.h"
#include "src/analysis/demand.h"
#include "src/analysis/gaps.h"
#include "src/analysis/parks.h"
#include "src/analysis/result.h"
#include "src/analysis/scenario.h"

#define ANALYSIS_NONE UINT32_MAX

typedef struct analysis {
    const scenario *sc;
    scenario_inputs in;

    /* sub-district layer checks (warned about; the lowest-index rule keeps population from counting twice) */
    size_t overlap_pairs;                 /* pairs of sub-districts whose interiors overlap */
    double overlap_m2;                    /* their total overlap area */
    double hole_m2;                       /* area enclosed by the sub-districts but in none of them */
    size_t duplicate_station_ids;         /* stations sharing an id_field value with an earlier one */

    /* demand points (working CRS) */
    size_t npoints;
    double *x, *y, *pop;
    uint32_t *unit;                       /* sub-district index or ANALYSIS_NONE */
    int64_t *point_record;                /* source record of each point (grid: cell number) */
    uint32_t *point_station;              /* nearest station (feature index), ANALYSIS_NONE when unreachable */
    double pop_input, pop_allocated, pop_outside;
    double pop_weights; /* [population] total given: the sum of the weights it was spread over, else 0 */
    const char *pop_method;

    /* stations */
    size_t nstations;                     /* features of the station layer */
    double *station_amb, *station_turnout;
    size_t nsrc;                          /* stations snapped to the network (route sources) */
    uint32_t *src_station;                /* route source -> station feature */
    uint32_t *station_src;                /* station feature -> route source, ANALYSIS_NONE when not snapped */
    double *station_snap_m;
    size_t stations_unsnapped, stations_small_component;

    snap_index *snap;
    route_result *routes;
    coverage_result *cov;
    gaps_result *gaps;
    ambulance_result *amb;
    double *unit_pop;                     /* population per sub-district */

    char **districts;                     /* district names (district_field), or one "" */
    size_t ndistricts;
    uint32_t *unit_district;

    park_rules *rules;                    /* NULL when the scenario has no parks or residential land */
    parks_result *parks;
    double park_pop_covered, park_pop_total;
    double *unit_park_pop_covered;        /* per sub-district */

    isochrone_set *areas;                 /* service areas by band (disks) */
    double area_bands_s[8];
    size_t nbands;
    layer *park_service;                  /* the park service area as a one-feature layer, or NULL */

    /* [calls]: historical call points, weighted, timed like the demand points */
    demand_set *calls;                    /* NULL without a [calls] layer */
    coverage_result *calls_cov;
    double call_hour[24], call_hour_covered[24]; /* calls by hour of day (with time_field), covered within [0] */
    bool call_hours;
    double call_days; /* days from the first call's date to the last, both counted; 0: not every call dated */

    run_result *result;                   /* what the outputs render (result.h) */

    /* steps computed ahead of their turn (ahead.h): destroyed last, what they made is bound to their ctx */
    ahead *demand_step, *parks_step, *snap_step, *areas_step;
    demand_set *demand; /* the demand step's points until the ledger takes them over */
    double pop_counted; /* the counts of the population features with a geometry */
    bool areas_done;          /* the service-area step was waited for (analysis_finish) */
    double meanwhile_done; /* when the steps run while the road graph was built were done (s, monotonic) */
} analysis;

ems_status analysis_run(emscov_ctx *ctx, const scenario *sc, analysis **out);

/* Options of a run; zero-initialise. */
typedef struct analysis_opts {
    bool no_service_areas;    /* skip the service-area polygons (areas stays NULL): runs that do not write them */
    bool defer_service_areas; /* return while they are still computed on their own thread: analysis_finish */
} analysis_opts;
/* analysis_run with options (o may be NULL: the defaults). */
ems_status analysis_run_opts(emscov_ctx *ctx, const scenario *sc, const analysis_opts *o, analysis **out);
/* A run with deferred service areas: wait for them (their warnings and failure are reported now) and put them
 * into the result model (result->geo.areas, NULL until then). EMS_OK at once when there is nothing to wait for.
 * Until it returns, the service areas must not be read; everything else of the run may be. */
ems_status analysis_finish(emscov_ctx *ctx, analysis *a);
void analysis_destroy(analysis *a);

#endif
