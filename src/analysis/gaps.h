/* src/analysis/gaps.h: stations per sub-district and the gaps (sub-districts without a station).
 * Boundary rule: a station counts for the sub-district polygon that covers it (interior or boundary); on a
 * boundary shared by several, for the one listed first in the sub-district layer (lowest feature index), so
 * no station is counted twice. A station in no sub-district is flagged as outside.
 * Ownership: gaps_compute returns a new result owned by the caller (gaps_destroy, NULL-safe). Units: m2. */
#ifndef EMSCOV_GAPS_H
#define EMSCOV_GAPS_H

#include "geo/layer.h"

#define GAPS_NONE UINT32_MAX

typedef struct gaps_result {
    size_t nunits, nstations;
    uint32_t *station_unit; /* per station: sub-district index, GAPS_NONE outside all */
    bool *on_boundary;      /* per station: covered by more than one sub-district */
    uint32_t *count;        /* per sub-district: stations */
    double *area_m2;        /* per sub-district */
    size_t outside;         /* stations in no sub-district */
    size_t ngaps;           /* sub-districts with fewer than min_stations */
} gaps_result;

/* streets (polygons) and stations (points) in the same working CRS. */
ems_status gaps_compute(emscov_ctx *ctx, const layer *streets, const layer *stations, double min_stations,
                        gaps_result **out);
void gaps_destroy(gaps_result *g);

#endif
