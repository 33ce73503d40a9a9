/* src/analysis/ambulance.h: ambulances per residents, per sub-district and per district (a parent field),
 * against the standard's "1 per N residents" (Beijing: 30,000): ambulances (summed over the stations counted
 * in the unit, gaps.h's rule), ambulances per N residents = ambulances / population x N, required =
 * ceil(population / N), shortfall = max(0, required - ambulances).
 * Ownership: ambulance_compute returns a new result owned by the caller (ambulance_destroy, NULL-safe). */
#ifndef EMSCOV_AMBULANCE_H
#define EMSCOV_AMBULANCE_H

#include "geo/ctx.h"

#include <stdint.h>

typedef struct ambulance_row {
    double ambulances, pop, per_n, required, shortfall;
} ambulance_row;

typedef struct ambulance_result {
    size_t nunits, ndistricts;
    ambulance_row *units, *districts, city;
    double outside_ambulances; /* at stations in no sub-district */
} ambulance_result;

/* station_amb[s] ambulances at station s, counted for unit station_unit[s] (UINT32_MAX: outside);
 * unit_pop[u]; unit_district[u] in [0, ndistricts). city pop = city_pop (all residents, inside or not). */
ems_status ambulance_compute(emscov_ctx *ctx, const double *station_amb, const uint32_t *station_unit, size_t nst,
                             const double *unit_pop, const uint32_t *unit_district, size_t nunits, size_t ndistricts,
                             double city_pop, double residents_per, ambulance_result **out);
void ambulance_destroy(ambulance_result *a);

#endif
