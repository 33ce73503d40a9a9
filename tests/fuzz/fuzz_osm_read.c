/* tests/fuzz/fuzz_osm_read.c: libFuzzer target for the OSM reader alone (geo/osm.h, osm_read_mem), built twice:
 * fuzz_osm_pbf (-DFUZZ_OSM_PBF) reads every input as .osm.pbf, fuzz_osm_xml as .osm XML. The visitor touches
 * every byte the reader hands out (tag and role strings, refs, members), so a dangling or out-of-bounds pointer
 * shows up under ASan. Any status is fine; a crash, a sanitizer report, a leak or a hang is a bug. See
 * README.md beside this file. No temporary files: this is the fast target (the whole network path is
 * fuzz_osm). */
#include "geo/osm.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static emscov_ctx *ctx;

typedef struct sink {
    uint64_t h;
} sink;

static void eat(sink *s, const char *str)
{
    for (; *str; str++)
        s->h = (s->h ^ (unsigned char)*str) * 1099511628211ULL;
}

static void eat_tags(sink *s, const osm_tag *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        eat(s, t[i].key);
        eat(s, t[i].value);
    }
}

static ems_status on_node(void *user, const osm_node *n)
{
    sink *s = user;
    uint64_t lon, lat;
    if (!isfinite(n->lon) || !isfinite(n->lat)) abort(); /* osm.h: coordinates are finite */
    memcpy(&lon, &n->lon, sizeof lon);
    memcpy(&lat, &n->lat, sizeof lat);
    s->h += (uint64_t)n->id + lon + lat;
    eat_tags(s, n->tags, n->ntags);
    return EMS_OK;
}

static ems_status on_way(void *user, const osm_way *w)
{
    sink *s = user;
    for (size_t i = 0; i < w->nrefs; i++)
        s->h += (uint64_t)w->refs[i];
    eat_tags(s, w->tags, w->ntags);
    return EMS_OK;
}

static ems_status on_rel(void *user, const osm_relation *r)
{
    sink *s = user;
    for (size_t i = 0; i < r->nmembers; i++) {
        if (r->members[i].type > OSM_TYPE_RELATION) abort();
        s->h += (uint64_t)r->members[i].ref;
        eat(s, r->members[i].role);
    }
    eat_tags(s, r->tags, r->ntags);
    return EMS_OK;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!(ctx = emscov_ctx_create())) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_OSM_PBF
    const osm_format fmt = OSM_FORMAT_PBF;
#else
    const osm_format fmt = OSM_FORMAT_XML;
#endif
    sink s = {0};
    osm_visitor v = {on_node, on_way, on_rel, &s};
    osm_counts c;
    ems_status st = osm_read_mem(ctx, "fuzz", data, size, fmt, &v, &c);
    if (st != EMS_OK && !*emscov_message(ctx)) abort(); /* every failure leaves a message */
    if (st == EMS_OK && fmt == OSM_FORMAT_PBF && c.blocks == 0) abort(); /* an OK PBF has its header */
    emscov_clear(ctx);
    return 0;
}
