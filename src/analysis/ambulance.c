/* src/analysis/ambulance.c: see ambulance.h. */
#include "src/analysis/ambulance.h"

#include <math.h>
#include <stdlib.h>

static void finish(ambulance_row *r, double residents_per)
{
    r->per_n = r->pop > 0 ? r->ambulances / r->pop * residents_per : NAN;
    r->required = ceil(r->pop / residents_per - 1e-9);
    r->shortfall = fmax(0, r->required - r->ambulances);
}

ems_status ambulance_compute(emscov_ctx *ctx, const double *station_amb, const uint32_t *station_unit, size_t nst,
                             const double *unit_pop, const uint32_t *unit_district, size_t nunits, size_t ndistricts,
                             double city_pop, double residents_per, ambulance_result **out)
{
    *out = NULL;
    if (!(residents_per > 0))
        return emscov_fail(ctx, EMS_EINPUT, "residents per ambulance must be > 0");
    ambulance_result *a = ems_calloc(ctx, 1, sizeof *a);
    if (!a)
        return EMS_ENOMEM;
    a->nunits = nunits;
    a->ndistricts = ndistricts;
    a->units = ems_calloc(ctx, nunits ? nunits : 1, sizeof *a->units);
    a->districts = ems_calloc(ctx, ndistricts ? ndistricts : 1, sizeof *a->districts);
    if (!a->units || !a->districts) {
        ambulance_destroy(a);
        return EMS_ENOMEM;
    }
    for (size_t s = 0; s < nst; s++) {
        double n = station_amb[s];
        if (!(n >= 0) || !isfinite(n)) {
            ambulance_destroy(a);
            return emscov_fail(ctx, EMS_EINPUT, "station %zu: ambulances %g is not a number >= 0", s + 1, n);
        }
        a->city.ambulances += n;
        if (station_unit[s] < nunits)
            a->units[station_unit[s]].ambulances += n;
        else
            a->outside_ambulances += n;
    }
    for (size_t u = 0; u < nunits; u++) {
        a->units[u].pop = unit_pop[u];
        if (unit_district[u] < ndistricts) {
            a->districts[unit_district[u]].pop += unit_pop[u];
            a->districts[unit_district[u]].ambulances += a->units[u].ambulances;
        }
        finish(&a->units[u], residents_per);
    }
    for (size_t d = 0; d < ndistricts; d++)
        finish(&a->districts[d], residents_per);
    a->city.pop = city_pop;
    finish(&a->city, residents_per);
    *out = a;
    return EMS_OK;
}

void ambulance_destroy(ambulance_result *a)
{
    if (!a)
        return;
    free(a->units);
    free(a->districts);
    free(a);
}
