/* geo/limits.c: the range check behind the plausibility bounds (see limits.h). */
#include "geo/limits.h"

#include <math.h>

ems_status limits_check(emscov_ctx *ctx, double v, double lo, double hi, const char *where, const char *what)
{
    if (isfinite(v) && v >= lo && v <= hi)
        return EMS_OK;
    return emscov_fail(ctx, EMS_EINPUT, "%s: %s %.17g is out of range: need a number from %g to %g", where, what, v,
                       lo, hi);
}
