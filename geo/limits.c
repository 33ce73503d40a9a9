/* geo/limits.c: the range check behind the plausibility bounds (see limits.h). */
#include "geo/limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* v as short as it reads back exactly: 15 significant digits when they do, else 17. */
static const char *number_text(double v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.15g", v);
    if (isfinite(v) && strtod(buf, NULL) != v)
        snprintf(buf, cap, "%.17g", v);
    return buf;
}

ems_status limits_check(emscov_ctx *ctx, double v, double lo, double hi, const char *where, const char *what)
{
    if (isfinite(v) && v >= lo && v <= hi)
        return EMS_OK;
    char tv[40], tlo[40], thi[40];
    return emscov_fail(ctx, EMS_EINPUT, "%s: %s %s is out of range: need a number from %s to %s", where, what,
                       number_text(v, tv, sizeof tv), number_text(lo, tlo, sizeof tlo),
                       number_text(hi, thi, sizeof thi));
}
