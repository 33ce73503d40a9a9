/* geo/gdal_internal.h: shared by geo/layer_gdal.c and geo/grid.c only: what both GDAL readers need around a
 * GDAL call. GDAL's driver registry is process-wide: it is filled once, on first use (pthread_once), and never
 * torn down. GDAL's error handlers are a per-thread stack: gdal__begin pushes a handler that collects this
 * call's messages into a gdal__errors the caller owns (on its stack), gdal__end pops it, so nothing of ours
 * stays installed and a reader on another thread (the road network, read with its own ctx) collects its own.
 * No GDAL type appears here: the header is compiled with emscov_geo's public include path only, which has no
 * GDAL (GDAL handles are passed as const void *). One gdal__begin / gdal__end pair per thread at a time. */
#ifndef EMSCOV_GEO_GDAL_INTERNAL_H
#define EMSCOV_GEO_GDAL_INTERNAL_H

#include "geo/crs.h"

#include <stddef.h>

#define GDAL__WARNINGS 8

/* What GDAL said during one reader call (CE_Debug messages are ignored). */
typedef struct gdal__errors {
    char failure[512];                     /* the first CE_Failure / CE_Fatal message, "" when none */
    char warnings[GDAL__WARNINGS][256];    /* the first CE_Warning messages, in order */
    size_t nwarnings, more_warnings;       /* kept, and left out once the array was full */
} gdal__errors;

/* Register GDAL's drivers (once per process), clear e and GDAL's last error, push the collecting handler. */
void gdal__begin(gdal__errors *e);
/* Pop the handler gdal__begin pushed. */
void gdal__end(void);
/* GDAL's message for a failed call: the collected failure, else GDAL's last error message, else "no message". */
const char *gdal__message(const gdal__errors *e);

/* A new crs from an OGRSpatialReferenceH (srs, borrowed), through its WKT2:2019 text, which keeps GDAL's
 * identification (EPSG ID) when it has one. The message names `source` when the CRS cannot be used. */
ems_status gdal__crs(emscov_ctx *ctx, const void *srs, const char *source, crs **out);

#endif
