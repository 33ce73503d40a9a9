/* geo/osm.h: OpenStreetMap file reader: .osm.pbf (our own validated PBF decoder on zlib, blocks decoded on
 * several threads) and .osm XML (streaming, expat). The reader calls a visitor once per node, way and
 * relation, in file order, on the calling thread; what the visitor is given (tags, refs, members, strings) is
 * borrowed and valid only during that call.
 *
 * Every length, count, varint and string index of a PBF file is checked against its buffer before use; blobs
 * are limited to the format's 32 MiB (raw and compressed), zlib output may not exceed the declared raw_size,
 * lzma/lz4/zstd blobs are refused with a clear message. Memory is bounded by the file: a raw_size larger
 * than deflate can expand the blob to (~1032:1) is refused before anything is allocated, blocks in flight are
 * capped at 64 MiB of raw data (plus one block), and what a block decodes to is a small multiple of its raw
 * size.
 *
 * Errors (EMS_EINPUT, message in ctx): "<file>: block N (byte offset X): <what is wrong>" for PBF (N counts
 * blobs from 1, the OSMHeader being block 1; X is the offset of the blob's 4-byte length), "<file>: line N:
 * <what is wrong>" for XML. A visitor returning a status other than EMS_OK stops the read; that status (and
 * the visitor's message) is returned. EMS_EIO for read errors, EMS_ENOMEM when memory runs out.
 *
 * Units: lon/lat in degrees (WGS84) as doubles, exact to OSM's 1e-7 degree (PBF: granularity and offsets
 * applied). Ids as in the file (int64, negative ids allowed). Coordinates are finite but not range-checked:
 * the visitor decides what to do with a node at lat 95.
 *
 * Threads: PBF blocks are decoded by parallel_threads() workers (EMSCOV_THREADS) that touch no ctx; the
 * visitor always runs on the caller's thread, blocks in file order, so results do not depend on the thread
 * count. One call per ctx at a time. */
#ifndef EMSCOV_GEO_OSM_H
#define EMSCOV_GEO_OSM_H

#include "geo/ctx.h"

#include <stddef.h>
#include <stdint.h>

typedef struct osm_tag {
    const char *key, *value;
} osm_tag;

typedef struct osm_node {
    int64_t id;
    double lon, lat;
    const osm_tag *tags;
    size_t ntags;
} osm_node;

typedef struct osm_way {
    int64_t id;
    const int64_t *refs; /* node ids */
    size_t nrefs;
    const osm_tag *tags;
    size_t ntags;
} osm_way;

typedef enum { OSM_TYPE_NODE = 0, OSM_TYPE_WAY = 1, OSM_TYPE_RELATION = 2 } osm_type;

typedef struct osm_member {
    osm_type type;
    int64_t ref;
    const char *role; /* "" when none */
} osm_member;

typedef struct osm_relation {
    int64_t id;
    const osm_member *members;
    size_t nmembers;
    const osm_tag *tags;
    size_t ntags;
} osm_relation;

/* Callbacks may be NULL (that kind is skipped, still validated). A callback may call emscov_fail on ctx and
 * return its status to stop the read. */
typedef struct osm_visitor {
    ems_status (*node)(void *user, const osm_node *n);
    ems_status (*way)(void *user, const osm_way *w);
    ems_status (*relation)(void *user, const osm_relation *r);
    void *user;
} osm_visitor;

typedef enum { OSM_FORMAT_PBF, OSM_FORMAT_XML } osm_format;

/* What a read saw (filled also on failure, up to the failure). */
typedef struct osm_counts {
    size_t nodes, ways, relations;
    size_t blocks; /* PBF blobs read, the header included; 0 for XML */
} osm_counts;

/* Read a file: names ending ".pbf" as PBF, ".osm" as XML, others -> EMS_EINPUT. counts may be NULL. */
EMS_API ems_status osm_read(emscov_ctx *ctx, const char *path, const osm_visitor *v, osm_counts *counts);
/* Read from memory (tests, fuzzing); name is used in messages only. data is borrowed. */
EMS_API ems_status osm_read_mem(emscov_ctx *ctx, const char *name, const void *data, size_t len, osm_format fmt,
                                const osm_visitor *v, osm_counts *counts);

#endif
