/* geo/osm_pbf.c: the .osm.pbf reader of osm.h: a small protobuf wire decoder of our own, zlib for the blobs.
 *
 * File: a sequence of blocks, each a 4-byte big-endian length, a BlobHeader (type, datasize; <= 64 KiB) and
 * a Blob (raw or zlib_data with raw_size; <= 32 MiB each way). Block 1 must be an "OSMHeader" whose
 * HeaderBlock declares OsmSchema-V0.6 and no required feature we do not read; "OSMData" blocks hold a
 * PrimitiveBlock (string table, granularity, offsets, groups of Nodes, DenseNodes, Ways, Relations); blocks of
 * other types are skipped, as the format asks.
 *
 * Pipeline: the caller's thread reads a batch of blocks (framing and Blob fields checked there), the batch is
 * inflated and decoded with parallel_for (workers write only their own block: entities in compact arrays,
 * strings copied NUL-terminated into a pool, or a message), then the caller's thread hands the entities to
 * the visitor, blocks in file order. The first failing block in file order decides the error, whatever the
 * thread count. Workers allocate with malloc (they may not touch the ctx) and report "out of memory" as a
 * block failure that becomes EMS_ENOMEM.
 *
 * Validation: every varint (at most 10 bytes), every length (inside its buffer), every string index (inside
 * the block's table), every count (DenseNodes ids/lat/lon/keys_vals, keys/vals, Relation roles/memids/
 * types), every delta sum and coordinate product (no int64 overflow) is checked before it is used. Packed
 * repeated fields must come packed and once per message (every writer does so); deprecated group wire
 * types are refused. */
#include "geo/osm_internal.h"
#include "geo/parallel.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PBF_MAX_HEADER (64 * 1024)       /* BlobHeader size limit of the format */
#define PBF_MAX_BLOB (32 * 1024 * 1024)  /* Blob size limit, compressed and raw */
#define PBF_BATCH_RAW (64 * 1024 * 1024) /* raw bytes of the blocks of one batch (at least one block) */
#define PBF_BATCH_PER_THREAD 4           /* blocks per worker in a batch */
#define PBF_READ_STEP (1024 * 1024)      /* blob bytes are read in steps, so a lying datasize costs nothing */

/* ---- protobuf wire format ------------------------------------------------------------------------------- */

typedef struct pb {
    const uint8_t *p, *end;
} pb;

typedef struct pb_field {
    uint32_t num;
    unsigned wire;
    uint64_t u; /* wire 0, 1, 5 */
    pb sub;     /* wire 2 */
} pb_field;

static bool pb_varint(pb *b, uint64_t *v)
{
    uint64_t r = 0;
    *v = 0; /* also on failure: callers' values are never indeterminate */
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (b->p >= b->end) return false;
        uint8_t c = *b->p++;
        if (shift == 63 && c > 1) return false; /* the 10th byte may carry one bit only */
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}

static int64_t as_i64(uint64_t u)
{
    int64_t i;
    memcpy(&i, &u, sizeof i);
    return i;
}

static int64_t zigzag(uint64_t u) { return as_i64((u >> 1) ^ (~(u & 1) + 1)); }

/* ---- one block: what a worker decodes ------------------------------------------------------------------ */

typedef struct pbf_node {
    int64_t id;
    double lon, lat;
    size_t tag0;
    uint32_t ntags;
} pbf_node;

typedef struct pbf_way {
    int64_t id;
    size_t ref0, tag0;
    uint32_t nrefs, ntags;
} pbf_way;

typedef struct pbf_rel {
    int64_t id;
    size_t mem0, tag0;
    uint32_t nmem, ntags;
} pbf_rel;

typedef struct pbf_member {
    int64_t ref;
    uint32_t role;
    uint8_t type;
} pbf_member;

typedef struct pbf_run {
    osm_type type;
    size_t first, n;
} pbf_run;

typedef enum { BLOB_RAW, BLOB_ZLIB } blob_kind;

typedef struct pbf_block {
    unsigned index;  /* 1-based */
    uint64_t offset; /* of its length prefix */
    /* set by the reader thread */
    uint8_t *data;   /* the Blob message (owned) */
    size_t len;
    blob_kind kind;
    const uint8_t *payload; /* inside data */
    size_t payload_len, raw_size;
    /* result */
    bool failed, nomem;
    char err[256];
    char *pool;   /* strings, NUL-terminated */
    uint32_t *str; /* offsets into pool */
    size_t nstr;
    pbf_node *nodes;
    size_t nnodes, nodes_cap;
    pbf_way *ways;
    size_t nways, ways_cap;
    pbf_rel *rels;
    size_t nrels, rels_cap;
    pbf_member *mem;
    size_t nmem, mem_cap;
    int64_t *refs;
    size_t nrefs, refs_cap;
    uint32_t (*tags)[2];
    size_t ntags, tags_cap;
    pbf_run *runs;
    size_t nruns, runs_cap;
    /* PrimitiveBlock scalars */
    int64_t granularity, lat_offset, lon_offset;
} pbf_block;

EMS_PRINTF(2, 3) static bool blk_fail(pbf_block *k, const char *fmt, ...)
{
    if (k->failed) return false; /* keep the first message */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->err, sizeof k->err, fmt, ap);
    va_end(ap);
    k->failed = true;
    return false;
}

static bool blk_nomem(pbf_block *k)
{
    k->nomem = true;
    return blk_fail(k, "out of memory decoding the block");
}

/* Grow without a ctx (workers): like ems_grow. */
static bool blk_grow(pbf_block *k, void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2 / sz) return blk_nomem(k);
        n *= 2;
    }
    void *p = realloc(*arr, n * sz);
    if (!p) return blk_nomem(k);
    *arr = p;
    *cap = n;
    return true;
}

static void blk_free_results(pbf_block *k)
{
    free(k->pool);
    free(k->str);
    free(k->nodes);
    free(k->ways);
    free(k->rels);
    free(k->mem);
    free(k->refs);
    free(k->tags);
    free(k->runs);
    free(k->data);
}

/* Next field of a message; false with a message on a malformed one, *more false at the end. */
static bool next_field(pbf_block *k, pb *b, pb_field *f, const char *msg, bool *more)
{
    *f = (pb_field){0};
    *more = b->p < b->end;
    if (!*more) return true;
    uint64_t key, len;
    if (!pb_varint(b, &key)) return blk_fail(k, "%s: truncated or overlong varint in a field key", msg);
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff) return blk_fail(k, "%s: field number 0 or too large", msg);
    f->num = (uint32_t)(key >> 3);
    f->wire = (unsigned)(key & 7);
    switch (f->wire) {
    case 0:
        if (!pb_varint(b, &f->u)) return blk_fail(k, "%s: field %u: truncated or overlong varint", msg, f->num);
        return true;
    case 1:
    case 5: {
        size_t n = f->wire == 1 ? 8 : 4;
        if ((size_t)(b->end - b->p) < n) return blk_fail(k, "%s: field %u: cut short", msg, f->num);
        f->u = 0;
        for (size_t i = n; i-- > 0;)
            f->u = f->u << 8 | b->p[i];
        b->p += n;
        return true;
    }
    case 2:
        if (!pb_varint(b, &len)) return blk_fail(k, "%s: field %u: truncated or overlong length", msg, f->num);
        if (len > (uint64_t)(b->end - b->p))
            return blk_fail(k, "%s: field %u: length %llu beyond the end of the message (%zu bytes left)", msg,
                            f->num, (unsigned long long)len, (size_t)(b->end - b->p));
        f->sub = (pb){b->p, b->p + len};
        b->p += len;
        return true;
    default:
        return blk_fail(k, "%s: field %u: wire type %u not supported", msg, f->num, f->wire);
    }
}

static bool want_wire(pbf_block *k, const pb_field *f, unsigned wire, const char *msg, const char *field)
{
    if (f->wire == wire) return true;
    return blk_fail(k, "%s.%s: wire type %u, expected %u%s", msg, field, f->wire, wire,
                    wire == 2 && f->wire == 0 ? " (unpacked repeated fields are not supported)" : "");
}

/* A packed repeated field: at most once per message. */
static bool take_packed(pbf_block *k, const pb_field *f, pb *slot, bool *seen, const char *msg, const char *field)
{
    if (!want_wire(k, f, 2, msg, field)) return false;
    if (*seen) return blk_fail(k, "%s.%s: appears twice", msg, field);
    *seen = true;
    *slot = f->sub;
    return true;
}

/* Number of varints in a packed field; false when the last one is cut. */
static bool packed_count(pbf_block *k, pb data, size_t *n, const char *msg, const char *field)
{
    size_t c = 0;
    *n = 0;
    for (const uint8_t *p = data.p; p < data.end; p++)
        c += !(*p & 0x80);
    if (data.p < data.end && (data.end[-1] & 0x80)) return blk_fail(k, "%s.%s: last varint cut", msg, field);
    *n = c;
    return true;
}

static bool packed_next(pbf_block *k, pb *b, uint64_t *v, const char *msg, const char *field)
{
    if (!pb_varint(b, v)) return blk_fail(k, "%s.%s: overlong varint", msg, field);
    return true;
}

static bool add_run(pbf_block *k, osm_type type, size_t first, size_t n)
{
    if (!n) return true;
    if (k->nruns && k->runs[k->nruns - 1].type == type &&
        k->runs[k->nruns - 1].first + k->runs[k->nruns - 1].n == first) {
        k->runs[k->nruns - 1].n += n;
        return true;
    }
    if (!blk_grow(k, (void **)&k->runs, &k->runs_cap, k->nruns + 1, sizeof *k->runs)) return false;
    k->runs[k->nruns++] = (pbf_run){type, first, n};
    return true;
}

static bool check_string(pbf_block *k, uint64_t i, const char *msg, const char *field, int64_t id)
{
    if (i < k->nstr) return true;
    return blk_fail(k, "%s %lld: %s: string index %llu out of range (table has %zu strings)", msg, (long long)id,
                    field, (unsigned long long)i, k->nstr);
}

/* keys[i] / vals[i] pairs of a Node, Way or Relation, appended to k->tags. */
static bool decode_kv(pbf_block *k, pb keys, pb vals, const char *msg, int64_t id, size_t *tag0, uint32_t *ntags)
{
    size_t nk, nv;
    if (!packed_count(k, keys, &nk, msg, "keys") || !packed_count(k, vals, &nv, msg, "vals")) return false;
    if (nk != nv) return blk_fail(k, "%s %lld: %zu keys but %zu vals", msg, (long long)id, nk, nv);
    if (nk > UINT32_MAX) return blk_fail(k, "%s %lld: too many tags", msg, (long long)id);
    if (!blk_grow(k, (void **)&k->tags, &k->tags_cap, k->ntags + nk, sizeof *k->tags)) return false;
    *tag0 = k->ntags;
    *ntags = (uint32_t)nk;
    for (size_t i = 0; i < nk; i++) {
        uint64_t a, b;
        if (!packed_next(k, &keys, &a, msg, "keys") || !packed_next(k, &vals, &b, msg, "vals") ||
            !check_string(k, a, msg, "keys", id) || !check_string(k, b, msg, "vals", id))
            return false;
        k->tags[k->ntags][0] = (uint32_t)a;
        k->tags[k->ntags][1] = (uint32_t)b;
        k->ntags++;
    }
    return true;
}

/* nanodegrees = offset + granularity * v, then degrees; false on overflow. */
static bool coord(const pbf_block *k, int64_t offset, int64_t v, double *deg)
{
    int64_t m, s;
    if (__builtin_mul_overflow(k->granularity, v, &m) || __builtin_add_overflow(offset, m, &s)) return false;
    *deg = (double)s / 1e9;
    return true;
}

static bool decode_strings(pbf_block *k, pb st)
{
    size_t n = 0, bytes = 0;
    pb b = st;
    pb_field f;
    bool more;
    for (;;) {
        if (!next_field(k, &b, &f, "StringTable", &more)) return false;
        if (!more) break;
        if (f.num != 1) continue;
        if (!want_wire(k, &f, 2, "StringTable", "s")) return false;
        n++;
        bytes += (size_t)(f.sub.end - f.sub.p) + 1;
    }
    if (bytes > UINT32_MAX) return blk_fail(k, "StringTable: too large");
    k->str = malloc((n ? n : 1) * sizeof *k->str);
    k->pool = malloc(bytes ? bytes : 1);
    if (!k->str || !k->pool) return blk_nomem(k);
    b = st;
    size_t at = 0;
    for (;;) {
        if (!next_field(k, &b, &f, "StringTable", &more)) return false;
        if (!more) break;
        if (f.num != 1) continue;
        size_t len = (size_t)(f.sub.end - f.sub.p);
        memcpy(k->pool + at, f.sub.p, len);
        k->pool[at + len] = '\0';
        k->str[k->nstr++] = (uint32_t)at;
        at += len + 1;
    }
    return true;
}

static bool decode_dense(pbf_block *k, pb msg)
{
    static const char *const M = "DenseNodes";
    pb ids = {0}, lats = {0}, lons = {0}, kv = {0};
    bool s_id = false, s_lat = false, s_lon = false, s_kv = false;
    pb_field f;
    bool more, ok = true;
    while (ok) {
        if (!next_field(k, &msg, &f, M, &more)) return false;
        if (!more) break;
        switch (f.num) {
        case 1: ok = take_packed(k, &f, &ids, &s_id, M, "id"); break;
        case 8: ok = take_packed(k, &f, &lats, &s_lat, M, "lat"); break;
        case 9: ok = take_packed(k, &f, &lons, &s_lon, M, "lon"); break;
        case 10: ok = take_packed(k, &f, &kv, &s_kv, M, "keys_vals"); break;
        default: break; /* denseinfo and unknown fields */
        }
    }
    if (!ok) return false;
    size_t n, nlat, nlon;
    if (!packed_count(k, ids, &n, M, "id") || !packed_count(k, lats, &nlat, M, "lat") ||
        !packed_count(k, lons, &nlon, M, "lon"))
        return false;
    if (nlat != n || nlon != n)
        return blk_fail(k, "%s: %zu ids but %zu lat and %zu lon values", M, n, nlat, nlon);
    if (!blk_grow(k, (void **)&k->nodes, &k->nodes_cap, k->nnodes + n, sizeof *k->nodes)) return false;
    size_t first = k->nnodes;
    bool tagged = kv.p < kv.end;
    int64_t id = 0, lat = 0, lon = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t a, b, c;
        if (!packed_next(k, &ids, &a, M, "id") || !packed_next(k, &lats, &b, M, "lat") ||
            !packed_next(k, &lons, &c, M, "lon"))
            return false;
        if (__builtin_add_overflow(id, zigzag(a), &id) || __builtin_add_overflow(lat, zigzag(b), &lat) ||
            __builtin_add_overflow(lon, zigzag(c), &lon))
            return blk_fail(k, "%s: node %zu of %zu: id or coordinate delta overflows 64 bits", M, i + 1, n);
        pbf_node *nd = &k->nodes[k->nnodes];
        nd->id = id;
        if (!coord(k, k->lat_offset, lat, &nd->lat) || !coord(k, k->lon_offset, lon, &nd->lon))
            return blk_fail(k, "%s: node %lld: coordinate overflows 64 bits", M, (long long)id);
        nd->tag0 = k->ntags;
        nd->ntags = 0;
        while (tagged) {
            uint64_t key, val;
            if (kv.p >= kv.end)
                return blk_fail(k, "%s.keys_vals: ends inside the tags of node %zu of %zu", M, i + 1, n);
            if (!packed_next(k, &kv, &key, M, "keys_vals")) return false;
            if (key == 0) break;
            if (kv.p >= kv.end)
                return blk_fail(k, "%s.keys_vals: a key without a value at node %lld", M, (long long)id);
            if (!packed_next(k, &kv, &val, M, "keys_vals") || !check_string(k, key, "node", "keys_vals", id) ||
                !check_string(k, val, "node", "keys_vals", id) ||
                !blk_grow(k, (void **)&k->tags, &k->tags_cap, k->ntags + 1, sizeof *k->tags))
                return false;
            if (nd->ntags == UINT32_MAX) return blk_fail(k, "node %lld: too many tags", (long long)id);
            k->tags[k->ntags][0] = (uint32_t)key;
            k->tags[k->ntags][1] = (uint32_t)val;
            k->ntags++;
            nd->ntags++;
        }
        k->nnodes++;
    }
    if (kv.p < kv.end) return blk_fail(k, "%s.keys_vals: values after the last of %zu nodes", M, n);
    return add_run(k, OSM_TYPE_NODE, first, n);
}

/* Fields 1-3 of a Node, Way or Relation: id (sint64 for Node, int64 otherwise), keys, vals. *handled false
 * for any other field. */
typedef struct pb_entity {
    int64_t id;
    bool has_id, s_keys, s_vals;
    pb keys, vals;
} pb_entity;

static bool entity_field(pbf_block *k, const pb_field *f, pb_entity *e, const char *msg, bool sint_id,
                         bool *handled)
{
    *handled = true;
    switch (f->num) {
    case 1:
        if (!want_wire(k, f, 0, msg, "id")) return false;
        e->id = sint_id ? zigzag(f->u) : as_i64(f->u);
        e->has_id = true;
        return true;
    case 2: return take_packed(k, f, &e->keys, &e->s_keys, msg, "keys");
    case 3: return take_packed(k, f, &e->vals, &e->s_vals, msg, "vals");
    default: *handled = false; return true;
    }
}

static bool decode_node(pbf_block *k, pb msg)
{
    static const char *const M = "Node";
    pb_entity e = {0};
    bool has_lat = false, has_lon = false;
    int64_t lat = 0, lon = 0;
    pb_field f;
    bool more, ok = true, handled;
    while (ok) {
        if (!next_field(k, &msg, &f, M, &more)) return false;
        if (!more) break;
        if (!(ok = entity_field(k, &f, &e, M, true, &handled)) || handled) continue;
        if (f.num == 8) ok = want_wire(k, &f, 0, M, "lat"), lat = zigzag(f.u), has_lat = true;
        if (f.num == 9) ok = want_wire(k, &f, 0, M, "lon"), lon = zigzag(f.u), has_lon = true;
    }
    if (!ok) return false;
    if (!e.has_id || !has_lat || !has_lon) return blk_fail(k, "%s: id, lat or lon missing", M);
    int64_t id = e.id;
    if (!blk_grow(k, (void **)&k->nodes, &k->nodes_cap, k->nnodes + 1, sizeof *k->nodes)) return false;
    pbf_node *nd = &k->nodes[k->nnodes];
    nd->id = id;
    if (!coord(k, k->lat_offset, lat, &nd->lat) || !coord(k, k->lon_offset, lon, &nd->lon))
        return blk_fail(k, "node %lld: coordinate overflows 64 bits", (long long)id);
    if (!decode_kv(k, e.keys, e.vals, "node", id, &nd->tag0, &nd->ntags)) return false;
    return add_run(k, OSM_TYPE_NODE, k->nnodes++, 1);
}

static bool decode_way(pbf_block *k, pb msg)
{
    static const char *const M = "Way";
    pb_entity e = {0};
    pb refs = {0};
    bool s_refs = false;
    pb_field f;
    bool more, ok = true, handled;
    while (ok) {
        if (!next_field(k, &msg, &f, M, &more)) return false;
        if (!more) break;
        if (!(ok = entity_field(k, &f, &e, M, false, &handled)) || handled) continue;
        if (f.num == 8) ok = take_packed(k, &f, &refs, &s_refs, M, "refs"); /* not: info, LocationsOnWays */
    }
    if (!ok) return false;
    if (!e.has_id) return blk_fail(k, "%s: id missing", M);
    int64_t id = e.id;
    size_t n;
    if (!packed_count(k, refs, &n, M, "refs")) return false;
    if (n > UINT32_MAX) return blk_fail(k, "way %lld: too many refs", (long long)id);
    if (!blk_grow(k, (void **)&k->ways, &k->ways_cap, k->nways + 1, sizeof *k->ways) ||
        !blk_grow(k, (void **)&k->refs, &k->refs_cap, k->nrefs + n, sizeof *k->refs))
        return false;
    pbf_way *w = &k->ways[k->nways];
    w->id = id;
    w->ref0 = k->nrefs;
    w->nrefs = (uint32_t)n;
    int64_t ref = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d;
        if (!packed_next(k, &refs, &d, M, "refs")) return false;
        if (__builtin_add_overflow(ref, zigzag(d), &ref))
            return blk_fail(k, "way %lld: refs: delta %zu of %zu overflows 64 bits", (long long)id, i + 1, n);
        k->refs[k->nrefs++] = ref;
    }
    if (!decode_kv(k, e.keys, e.vals, "way", id, &w->tag0, &w->ntags)) return false;
    return add_run(k, OSM_TYPE_WAY, k->nways++, 1);
}

static bool decode_relation(pbf_block *k, pb msg)
{
    static const char *const M = "Relation";
    pb_entity e = {0};
    pb roles = {0}, memids = {0}, types = {0};
    bool s_roles = false, s_memids = false, s_types = false;
    pb_field f;
    bool more, ok = true, handled;
    while (ok) {
        if (!next_field(k, &msg, &f, M, &more)) return false;
        if (!more) break;
        if (!(ok = entity_field(k, &f, &e, M, false, &handled)) || handled) continue;
        if (f.num == 8) ok = take_packed(k, &f, &roles, &s_roles, M, "roles_sid");
        if (f.num == 9) ok = take_packed(k, &f, &memids, &s_memids, M, "memids");
        if (f.num == 10) ok = take_packed(k, &f, &types, &s_types, M, "types");
    }
    if (!ok) return false;
    if (!e.has_id) return blk_fail(k, "%s: id missing", M);
    int64_t id = e.id;
    size_t nr, nm, nt;
    if (!packed_count(k, roles, &nr, M, "roles_sid") || !packed_count(k, memids, &nm, M, "memids") ||
        !packed_count(k, types, &nt, M, "types"))
        return false;
    if (nr != nm || nt != nm)
        return blk_fail(k, "relation %lld: %zu roles, %zu member ids and %zu types", (long long)id, nr, nm, nt);
    if (nm > UINT32_MAX) return blk_fail(k, "relation %lld: too many members", (long long)id);
    if (!blk_grow(k, (void **)&k->rels, &k->rels_cap, k->nrels + 1, sizeof *k->rels) ||
        !blk_grow(k, (void **)&k->mem, &k->mem_cap, k->nmem + nm, sizeof *k->mem))
        return false;
    pbf_rel *r = &k->rels[k->nrels];
    r->id = id;
    r->mem0 = k->nmem;
    r->nmem = (uint32_t)nm;
    int64_t ref = 0;
    for (size_t i = 0; i < nm; i++) {
        uint64_t role, d, type;
        if (!packed_next(k, &roles, &role, M, "roles_sid") || !packed_next(k, &memids, &d, M, "memids") ||
            !packed_next(k, &types, &type, M, "types") || !check_string(k, role, "relation", "roles_sid", id))
            return false;
        if (__builtin_add_overflow(ref, zigzag(d), &ref))
            return blk_fail(k, "relation %lld: memids: delta %zu of %zu overflows 64 bits", (long long)id, i + 1,
                            nm);
        if (type > OSM_TYPE_RELATION)
            return blk_fail(k, "relation %lld: member %zu: type %llu (0 node, 1 way, 2 relation)", (long long)id,
                            i + 1, (unsigned long long)type);
        k->mem[k->nmem++] = (pbf_member){ref, (uint32_t)role, (uint8_t)type};
    }
    if (!decode_kv(k, e.keys, e.vals, "relation", id, &r->tag0, &r->ntags)) return false;
    return add_run(k, OSM_TYPE_RELATION, k->nrels++, 1);
}

static bool decode_group(pbf_block *k, pb msg)
{
    pb_field f;
    bool more;
    for (;;) {
        if (!next_field(k, &msg, &f, "PrimitiveGroup", &more)) return false;
        if (!more) return true;
        bool ok = true;
        switch (f.num) {
        case 1: ok = want_wire(k, &f, 2, "PrimitiveGroup", "nodes") && decode_node(k, f.sub); break;
        case 2: ok = want_wire(k, &f, 2, "PrimitiveGroup", "dense") && decode_dense(k, f.sub); break;
        case 3: ok = want_wire(k, &f, 2, "PrimitiveGroup", "ways") && decode_way(k, f.sub); break;
        case 4: ok = want_wire(k, &f, 2, "PrimitiveGroup", "relations") && decode_relation(k, f.sub); break;
        default: break; /* changesets, unknown */
        }
        if (!ok) return false;
    }
}

/* PrimitiveBlock: first the string table and scalars (in any order on the wire), then the groups. */
static bool decode_primitive(pbf_block *k, pb msg)
{
    static const char *const M = "PrimitiveBlock";
    k->granularity = 100;
    pb st = {0}, b = msg;
    bool have_st = false, more;
    pb_field f;
    for (;;) {
        if (!next_field(k, &b, &f, M, &more)) return false;
        if (!more) break;
        bool ok = true;
        switch (f.num) {
        case 1:
            ok = want_wire(k, &f, 2, M, "stringtable");
            if (ok && have_st) return blk_fail(k, "%s: two string tables", M);
            st = f.sub;
            have_st = true;
            break;
        case 17: ok = want_wire(k, &f, 0, M, "granularity"), k->granularity = as_i64(f.u); break;
        case 19: ok = want_wire(k, &f, 0, M, "lat_offset"), k->lat_offset = as_i64(f.u); break;
        case 20: ok = want_wire(k, &f, 0, M, "lon_offset"), k->lon_offset = as_i64(f.u); break;
        default: break;
        }
        if (!ok) return false;
    }
    if (!have_st) return blk_fail(k, "%s: no string table", M);
    if (k->granularity <= 0 || k->granularity > INT32_MAX)
        return blk_fail(k, "%s: granularity %lld (must be 1 .. 2^31-1)", M, (long long)k->granularity);
    if (!decode_strings(k, st)) return false;
    b = msg;
    for (;;) {
        if (!next_field(k, &b, &f, M, &more)) return false;
        if (!more) return true;
        if (f.num == 2 && !(want_wire(k, &f, 2, M, "primitivegroup") && decode_group(k, f.sub))) return false;
    }
}

/* The Blob's payload, inflated when compressed: *raw points into k->data or to a new buffer (*owned). */
static bool blob_payload(pbf_block *k, uint8_t **raw, size_t *len, bool *owned)
{
    *owned = false;
    if (k->kind == BLOB_RAW) {
        *raw = (uint8_t *)k->payload;
        *len = k->payload_len;
        return true;
    }
    uint8_t *buf = malloc(k->raw_size ? k->raw_size : 1);
    if (!buf) return blk_nomem(k);
    uLongf out = (uLongf)k->raw_size;
    int rc = uncompress(buf, &out, k->payload, (uLong)k->payload_len);
    if (rc != Z_OK || out != k->raw_size) {
        free(buf);
        if (rc == Z_MEM_ERROR) return blk_nomem(k);
        if (rc == Z_BUF_ERROR)
            return blk_fail(k, "zlib data inflates to more than its raw_size of %zu bytes", k->raw_size);
        if (rc == Z_OK)
            return blk_fail(k, "zlib data inflates to %lu bytes, its raw_size says %zu", (unsigned long)out,
                            k->raw_size);
        return blk_fail(k, "zlib data corrupt or incomplete (%s)", zError(rc));
    }
    *raw = buf;
    *len = k->raw_size;
    *owned = true;
    return true;
}

static void decode_block(pbf_block *k)
{
    uint8_t *raw;
    size_t len;
    bool owned;
    if (k->failed || !blob_payload(k, &raw, &len, &owned)) return;
    decode_primitive(k, (pb){raw, raw + len});
    if (owned) free(raw);
}

static void decode_range(void *user, size_t begin, size_t end)
{
    pbf_block *blocks = user;
    for (size_t i = begin; i < end; i++)
        decode_block(&blocks[i]);
}

/* ---- the reader thread: framing, Blob, HeaderBlock ------------------------------------------------------ */

typedef struct pbf_reader {
    emscov_ctx *ctx;
    osm_src *src;
    const osm_visitor *v;
    osm_counts *counts;
    uint64_t pos;
    unsigned index;
    /* visitor scratch */
    osm_tag *tags;
    size_t tags_cap;
    osm_member *mem;
    size_t mem_cap;
} pbf_reader;

/* Printable excerpt of file bytes for a message. */
static void excerpt(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n && j + 4 < cap; i++)
        out[j++] = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' ? (char)p[i] : '?';
    if (j + 4 >= cap) {
        memcpy(out + j, "...", 3);
        j += 3;
    }
    out[j] = '\0';
}

static bool parse_blob_header(pbf_block *k, const uint8_t *p, size_t n, char *type, size_t type_cap,
                              uint64_t *datasize)
{
    pb b = {p, p + n};
    pb_field f;
    bool more, have_type = false, have_size = false;
    for (;;) {
        if (!next_field(k, &b, &f, "BlobHeader", &more)) return false;
        if (!more) break;
        if (f.num == 1) {
            if (!want_wire(k, &f, 2, "BlobHeader", "type")) return false;
            excerpt(type, type_cap, f.sub.p, (size_t)(f.sub.end - f.sub.p));
            have_type = true;
        } else if (f.num == 3) {
            if (!want_wire(k, &f, 0, "BlobHeader", "datasize")) return false;
            *datasize = f.u;
            have_size = true;
        }
    }
    if (!have_type || !have_size) return blk_fail(k, "BlobHeader: type or datasize missing");
    return true;
}

static bool parse_blob(pbf_block *k)
{
    static const char *const names[] = {NULL, "raw", NULL, "zlib", "lzma", "bzip2", "lz4", "zstd"};
    pb b = {k->data, k->data ? k->data + k->len : NULL}; /* no data: an empty Blob */
    pb_field f;
    bool more, have_raw_size = false;
    int which = 0;
    for (;;) {
        if (!next_field(k, &b, &f, "Blob", &more)) return false;
        if (!more) break;
        if (f.num == 2) {
            if (!want_wire(k, &f, 0, "Blob", "raw_size")) return false;
            if (f.u > PBF_MAX_BLOB)
                return blk_fail(k, "Blob: raw_size %llu is more than the format's 32 MiB",
                                (unsigned long long)f.u);
            k->raw_size = (size_t)f.u;
            have_raw_size = true;
        } else if (f.num == 1 || (f.num >= 3 && f.num <= 7)) {
            if (!want_wire(k, &f, 2, "Blob", names[f.num])) return false;
            if (which) return blk_fail(k, "Blob: more than one data field (%s and %s)", names[which], names[f.num]);
            which = (int)f.num;
            k->payload = f.sub.p;
            k->payload_len = (size_t)(f.sub.end - f.sub.p);
        }
    }
    if (!which) return blk_fail(k, "Blob: no data");
    if (which != 1 && which != 3)
        return blk_fail(k, "Blob: %s-compressed data is not supported (only raw and zlib; rewrite the file with "
                        "`osmium cat -o new.osm.pbf`)", names[which]);
    k->kind = which == 1 ? BLOB_RAW : BLOB_ZLIB;
    if (k->kind == BLOB_ZLIB && !have_raw_size) return blk_fail(k, "Blob: zlib data without raw_size");
    /* deflate cannot expand more than ~1032:1, so a larger raw_size is a lie: refused before allocating it,
     * which keeps memory proportional to the bytes actually in the file */
    if (k->kind == BLOB_ZLIB && k->raw_size / 1032 > k->payload_len + 64)
        return blk_fail(k, "Blob: raw_size %zu is more than %zu bytes of zlib data can inflate to", k->raw_size,
                        k->payload_len);
    if (k->kind == BLOB_RAW) k->raw_size = k->payload_len;
    return true;
}

/* Read the next block's framing and Blob bytes into k. false at a clean end of file (k->failed false) or on a
 * failure (k->failed, k->nomem, or r->src->io_error). *skip: a block of an unknown type, read and dropped. */
static bool read_block(pbf_reader *r, pbf_block *k, char *type, size_t type_cap)
{
    osm_src *s = r->src;
    *k = (pbf_block){.index = ++r->index, .offset = r->pos};
    uint8_t len4[4];
    size_t got = osm__src_read(s, len4, 4);
    if (got == 0 && !s->io_error) {
        r->index--;
        return false;
    }
    if (got < 4) return blk_fail(k, "not a complete OSM file (cut inside the blob length)");
    uint32_t hlen = (uint32_t)len4[0] << 24 | (uint32_t)len4[1] << 16 | (uint32_t)len4[2] << 8 | len4[3];
    if (hlen == 0 || hlen > PBF_MAX_HEADER)
        return blk_fail(k, "not an OSM PBF file (BlobHeader size %u, the format allows 1 .. 65536)", (unsigned)hlen);
    uint8_t hdr[PBF_MAX_HEADER];
    if (osm__src_read(s, hdr, hlen) < hlen) return blk_fail(k, "not a complete OSM file (cut inside the BlobHeader)");
    uint64_t datasize = 0;
    if (!parse_blob_header(k, hdr, hlen, type, type_cap, &datasize)) return false;
    if (datasize > PBF_MAX_BLOB)
        return blk_fail(k, "Blob of %llu bytes, more than the format's 32 MiB", (unsigned long long)datasize);
    /* read in steps: the buffer grows with the bytes actually present, whatever datasize claims */
    size_t want = (size_t)datasize, have = 0, cap = 0;
    while (have < want) {
        size_t step = want - have < PBF_READ_STEP ? want - have : PBF_READ_STEP;
        if (!blk_grow(k, (void **)&k->data, &cap, have + step, 1)) return false;
        size_t n = osm__src_read(s, k->data + have, step);
        have += n;
        if (n < step) break;
    }
    if (have < want)
        return blk_fail(k, "not a complete OSM file (Blob of %zu bytes announced, %zu present)", want, have);
    k->len = have;
    r->pos += 4 + hlen + have;
    return true;
}

static ems_status block_error(pbf_reader *r, const pbf_block *k)
{
    if (r->src->io_error) return emscov_fail(r->ctx, EMS_EIO, "%s: read error", r->src->name);
    return emscov_fail(r->ctx, k->nomem ? EMS_ENOMEM : EMS_EINPUT, "%s: block %u (byte offset %llu): %s",
                       r->src->name, k->index, (unsigned long long)k->offset, k->err);
}

static bool feature_supported(const uint8_t *p, size_t n)
{
    static const char *const ok[] = {"OsmSchema-V0.6", "DenseNodes", NULL};
    for (const char *const *f = ok; *f; f++)
        if (strlen(*f) == n && memcmp(*f, p, n) == 0) return true;
    return false;
}

static bool decode_header(pbf_block *k)
{
    uint8_t *raw;
    size_t len;
    bool owned, schema = false, ok = true;
    if (!blob_payload(k, &raw, &len, &owned)) return false;
    pb b = {raw, raw + len};
    pb_field f;
    bool more;
    while (ok) {
        if (!(ok = next_field(k, &b, &f, "HeaderBlock", &more)) || !more) break;
        if (f.num != 4) continue;
        if (!(ok = want_wire(k, &f, 2, "HeaderBlock", "required_features"))) break;
        size_t n = (size_t)(f.sub.end - f.sub.p);
        if (!feature_supported(f.sub.p, n)) {
            char name[64];
            excerpt(name, sizeof name, f.sub.p, n);
            ok = blk_fail(k, "required feature \"%s\" is not supported (emscov reads OsmSchema-V0.6 with "
                             "DenseNodes)", name);
        }
        schema = schema || (n == 14 && memcmp(f.sub.p, "OsmSchema-V0.6", 14) == 0);
    }
    if (ok && !schema) ok = blk_fail(k, "the HeaderBlock does not require OsmSchema-V0.6: not an OSM data file");
    if (owned) free(raw);
    return ok;
}

/* ---- handing a decoded block to the visitor ------------------------------------------------------------- */

static ems_status emit_tags(pbf_reader *r, const pbf_block *k, size_t tag0, uint32_t n)
{
    if (!ems_grow(r->ctx, (void **)&r->tags, &r->tags_cap, n ? n : 1, sizeof *r->tags)) return EMS_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        r->tags[i] = (osm_tag){k->pool + k->str[k->tags[tag0 + i][0]], k->pool + k->str[k->tags[tag0 + i][1]]};
    return EMS_OK;
}

static ems_status emit_block(pbf_reader *r, const pbf_block *k)
{
    const osm_visitor *v = r->v;
    ems_status st = EMS_OK;
    for (size_t ru = 0; ru < k->nruns && st == EMS_OK; ru++) {
        const pbf_run *run = &k->runs[ru];
        for (size_t i = run->first; i < run->first + run->n && st == EMS_OK; i++) {
            if (run->type == OSM_TYPE_NODE) {
                r->counts->nodes++;
                if (!v->node) continue;
                const pbf_node *n = &k->nodes[i];
                if ((st = emit_tags(r, k, n->tag0, n->ntags)) != EMS_OK) break;
                osm_node on = {n->id, n->lon, n->lat, r->tags, n->ntags};
                st = v->node(v->user, &on);
            } else if (run->type == OSM_TYPE_WAY) {
                r->counts->ways++;
                if (!v->way) continue;
                const pbf_way *w = &k->ways[i];
                if ((st = emit_tags(r, k, w->tag0, w->ntags)) != EMS_OK) break;
                osm_way ow = {w->id, w->nrefs ? k->refs + w->ref0 : NULL, w->nrefs, r->tags, w->ntags};
                st = v->way(v->user, &ow);
            } else {
                r->counts->relations++;
                if (!v->relation) continue;
                const pbf_rel *rel = &k->rels[i];
                if ((st = emit_tags(r, k, rel->tag0, rel->ntags)) != EMS_OK) break;
                if (!ems_grow(r->ctx, (void **)&r->mem, &r->mem_cap, rel->nmem ? rel->nmem : 1, sizeof *r->mem)) {
                    st = EMS_ENOMEM;
                    break;
                }
                for (uint32_t m = 0; m < rel->nmem; m++) {
                    const pbf_member *pm = &k->mem[rel->mem0 + m];
                    r->mem[m] = (osm_member){(osm_type)pm->type, pm->ref, k->pool + k->str[pm->role]};
                }
                osm_relation orl = {rel->id, r->mem, rel->nmem, r->tags, rel->ntags};
                st = v->relation(v->user, &orl);
            }
        }
    }
    return st;
}

ems_status osm__read_pbf(emscov_ctx *ctx, osm_src *s, const osm_visitor *v, osm_counts *counts)
{
    pbf_reader r = {.ctx = ctx, .src = s, .v = v, .counts = counts};
    size_t max_batch = (size_t)parallel_threads() * PBF_BATCH_PER_THREAD;
    pbf_block *batch = ems_calloc(ctx, max_batch, sizeof *batch);
    if (!batch) return EMS_ENOMEM;
    ems_status st = EMS_OK;
    char type[48];

    /* block 1: the OSMHeader */
    pbf_block *k = &batch[0];
    if (!read_block(&r, k, type, sizeof type)) {
        if (!k->failed && !s->io_error)
            st = emscov_fail(ctx, EMS_EINPUT, "%s: empty file, not an OSM file", s->name);
        else
            st = block_error(&r, k);
        goto done;
    }
    if (strcmp(type, "OSMHeader") != 0)
        blk_fail(k, "not an OSM PBF file (the first block is \"%s\", not OSMHeader)", type);
    else if (parse_blob(k))
        decode_header(k);
    counts->blocks = 1;
    if (k->failed) {
        st = block_error(&r, k);
        goto done;
    }
    blk_free_results(k);

    /* data blocks, a batch at a time */
    for (bool end = false; !end && st == EMS_OK;) {
        size_t nb = 0, raw = 0;
        while (nb < max_batch && raw < PBF_BATCH_RAW) {
            k = &batch[nb];
            if (!read_block(&r, k, type, sizeof type)) {
                end = true;
                if (k->failed || s->io_error) nb++; /* reported in its turn, after the blocks before it */
                break;
            }
            counts->blocks++;
            if (strcmp(type, "OSMData") != 0) { /* OSMHeader again, or an unknown type: skipped */
                blk_free_results(k);
                continue;
            }
            nb++;
            if (!parse_blob(k)) {
                end = true;
                break;
            }
            raw += k->raw_size;
        }
        parallel_for(nb, 1, decode_range, batch);
        for (size_t i = 0; i < nb && st == EMS_OK; i++)
            st = batch[i].failed || (s->io_error && i == nb - 1 && end) ? block_error(&r, &batch[i])
                                                                        : emit_block(&r, &batch[i]);
        for (size_t i = 0; i < nb; i++)
            blk_free_results(&batch[i]);
    }
    k = NULL;
done:
    if (k) blk_free_results(k);
    free(batch);
    free(r.tags);
    free(r.mem);
    return st;
}
