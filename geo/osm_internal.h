/* geo/osm_internal.h: what geo/osm.c, osm_pbf.c and osm_xml.c share (not installed, not for other modules):
 * the byte source a reader pulls from (a file or a memory buffer) and the two format readers. */
#ifndef EMSCOV_GEO_OSM_INTERNAL_H
#define EMSCOV_GEO_OSM_INTERNAL_H

#include "geo/osm.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct osm_src {
    const char *name;         /* for messages */
    FILE *f;                  /* a file, or NULL for memory */
    const unsigned char *mem; /* memory: mem[0 .. len) */
    size_t len, pos;
    bool io_error;            /* a read from f failed (not end of file) */
} osm_src;

/* Read up to n bytes into buf; fewer only at the end of the data or on a read error (io_error set). */
size_t osm__src_read(osm_src *s, void *buf, size_t n);

ems_status osm__read_pbf(emscov_ctx *ctx, osm_src *s, const osm_visitor *v, osm_counts *counts);
ems_status osm__read_xml(emscov_ctx *ctx, osm_src *s, const osm_visitor *v, osm_counts *counts);

#endif
