/* tests/geo/test_osm.c: the OSM reader (geo/osm.h), PBF and XML.
 *
 * - A tiny protobuf encoder here writes PBF files by hand (it shares no code with geo/osm_pbf.c): a valid
 *   file whose entities are listed by hand (dense nodes with tags, a plain node, a way, a turn-restriction
 *   relation), the same data as XML, and corrupt variants, each refused with EMS_EINPUT and a message naming
 *   the block, its byte offset and what is wrong: truncated varint, length beyond its buffer, string index
 *   out of range, delta overflow, DenseNodes count mismatches, raw_size lies, zlib bombs, missing or unknown
 *   required features, lzma blobs, oversize headers and blobs, unpacked or doubled fields.
 * - Several blocks decoded with 1 and 2 threads give the same stream; the first bad block in file order is
 *   the one reported, after the blocks before it were delivered.
 * - Monaco (shared/): counts, id ranges and bounding box equal `osmium fileinfo -e` (numbers below); the
 *   same file converted to XML by osmium (when installed) reads to the identical entity stream (ids,
 *   coordinates at 1e-7 degree, refs, members with roles, tags in order).
 * - XML errors name the line. */
#include "test_util.h"

#include "geo/osm.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* ---- a small protobuf / PBF writer ---------------------------------------------------------------------- */

typedef struct buf {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put_varint(buf *b, uint64_t v)
{
    do {
        unsigned char c = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v) c |= 0x80;
        put(b, &c, 1);
    } while (v);
}

static uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0); }
static void put_key(buf *b, uint32_t field, unsigned wire) { put_varint(b, (uint64_t)field << 3 | wire); }
static void put_uint(buf *b, uint32_t field, uint64_t v)
{
    put_key(b, field, 0);
    put_varint(b, v);
}
static void put_bytes(buf *b, uint32_t field, const void *p, size_t n)
{
    put_key(b, field, 2);
    put_varint(b, n);
    put(b, p, n);
}
static void put_str(buf *b, uint32_t field, const char *s) { put_bytes(b, field, s, strlen(s)); }
static void put_msg(buf *b, uint32_t field, buf *m)
{
    put_bytes(b, field, m->p, m->n);
    free(m->p);
    *m = (buf){0};
}
/* packed repeated field of n values, zigzag-encoded when sint */
static void put_packed(buf *b, uint32_t field, const int64_t *v, size_t n, bool sint)
{
    buf t = {0};
    for (size_t i = 0; i < n; i++)
        put_varint(&t, sint ? zz(v[i]) : (uint64_t)v[i]);
    put_msg(b, field, &t);
}

/* One block: length, BlobHeader, Blob (given as bytes). */
static void put_block_blob(buf *file, const char *type, const buf *blob)
{
    buf h = {0};
    put_str(&h, 1, type);
    put_uint(&h, 3, blob->n);
    unsigned char len[4] = {(unsigned char)(h.n >> 24), (unsigned char)(h.n >> 16), (unsigned char)(h.n >> 8),
                            (unsigned char)h.n};
    put(file, len, 4);
    put(file, h.p, h.n);
    put(file, blob->p, blob->n);
    free(h.p);
}

/* A zlib Blob of payload; raw_size as given (SIZE_MAX = the true size). */
static void make_zlib_blob(buf *blob, const buf *payload, size_t raw_size)
{
    uLongf zn = compressBound((uLong)payload->n);
    unsigned char *z = malloc(zn);
    assert_non_null(z);
    assert_int_equal(compress2(z, &zn, payload->p, (uLong)payload->n, 6), Z_OK);
    put_uint(blob, 2, raw_size == SIZE_MAX ? payload->n : raw_size);
    put_bytes(blob, 3, z, zn);
    free(z);
}

static void put_block(buf *file, const char *type, buf *payload, bool zlib)
{
    buf blob = {0};
    if (zlib)
        make_zlib_blob(&blob, payload, SIZE_MAX);
    else
        put_bytes(&blob, 1, payload->p, payload->n);
    put_block_blob(file, type, &blob);
    free(blob.p);
    free(payload->p);
    *payload = (buf){0};
}

static void put_header(buf *file, const char *const *features)
{
    buf hb = {0};
    for (; *features; features++)
        put_str(&hb, 4, *features);
    put_str(&hb, 16, "test_osm");
    put_block(file, "OSMHeader", &hb, true);
}

static const char *const std_features[] = {"OsmSchema-V0.6", "DenseNodes", NULL};

/* The string table of the hand-made block. */
static const char *const strings[] = {"",     "highway", "traffic_signals", "name",  "天安门", "primary",
                                      "type", "restriction", "no_left_turn", "from", "via",    "to"};
#define NSTR (sizeof strings / sizeof *strings)

static void put_strings(buf *pb, size_t n)
{
    buf st = {0};
    for (size_t i = 0; i < n; i++)
        put_str(&st, 1, strings[i]);
    put_msg(pb, 1, &st);
}

/* Dense nodes 1, 2, 4 at (116.3974, 39.9087) + k * 0.001 with granularity 100 and lat_offset 5 nanodegrees;
 * node 1: highway=traffic_signals, node 4: name=天安门. */
static void put_dense(buf *grp, const int64_t *ids, size_t n, const int64_t *kv, size_t nkv)
{
    buf d = {0};
    int64_t dids[8], dlat[8], dlon[8], prev = 0, plat = 0, plon = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t lat = 399087000 + (int64_t)i * 10000, lon = 1163974000 + (int64_t)i * 10000;
        dids[i] = ids[i] - prev;
        dlat[i] = lat - plat;
        dlon[i] = lon - plon;
        prev = ids[i];
        plat = lat;
        plon = lon;
    }
    put_packed(&d, 1, dids, n, true);
    put_packed(&d, 8, dlat, n, true);
    put_packed(&d, 9, dlon, n, true);
    if (kv) put_packed(&d, 10, kv, nkv, false);
    put_msg(grp, 2, &d);
}

typedef enum {
    V_OK,
    V_TRUNC_VARINT,   /* the block ends inside a field key */
    V_LEN_BEYOND,     /* a group length beyond the block */
    V_STRING_INDEX,   /* a way key index past the table */
    V_REF_OVERFLOW,   /* way refs whose delta sum overflows int64 */
    V_DENSE_COUNT,    /* 3 ids, 2 lat */
    V_KV_SHORT,       /* keys_vals ends before the last node */
    V_MEMBER_COUNT,   /* 3 roles, 2 memids */
    V_MEMBER_TYPE,    /* member type 3 */
    V_UNPACKED,       /* way refs as a plain varint */
    V_TWICE,          /* way refs given twice */
    V_GRANULARITY,    /* granularity 0 */
    V_WIRE_GROUP,     /* deprecated wire type 3 */
} variant;

/* The hand-made PrimitiveBlock (variant v of it). Listing in test_valid. */
static void make_block(buf *pb, variant v)
{
    put_strings(pb, NSTR);
    put_uint(pb, 19, 5); /* lat_offset 5 nanodegrees (int64, a plain varint) */
    if (v == V_GRANULARITY) put_uint(pb, 17, 0);
    buf grp = {0};
    static const int64_t ids[] = {1, 2, 4};
    static const int64_t kv[] = {1, 2, 0, 0, 3, 4, 0};
    static const int64_t kv_short[] = {1, 2, 0, 0};
    if (v == V_DENSE_COUNT) {
        buf d = {0};
        static const int64_t two[] = {1, 1};
        put_packed(&d, 1, ids, 3, true);
        put_packed(&d, 8, two, 2, true);
        put_packed(&d, 9, ids, 3, true);
        put_msg(&grp, 2, &d);
    } else {
        put_dense(&grp, ids, 3, v == V_KV_SHORT ? kv_short : kv, v == V_KV_SHORT ? 4 : 7);
    }
    put_msg(pb, 2, &grp);
    /* a plain Node -7 (negative ids are allowed) at (-0.5, 51.25) */
    buf node = {0};
    put_uint(&node, 1, zz(-7));
    put_uint(&node, 8, zz(512499995)); /* 5 + 100 * 512499995 = 51249999505 nd */
    put_uint(&node, 9, zz(-5000000));
    static const int64_t nk[] = {3}, nv[] = {4};
    put_packed(&node, 2, nk, 1, false);
    put_packed(&node, 3, nv, 1, false);
    put_msg(&grp, 1, &node);
    put_msg(pb, 2, &grp);
    /* Way 10: 1 -> 2 -> 4 -> -7, highway=primary */
    buf way = {0};
    put_uint(&way, 1, 10);
    static const int64_t wk[] = {1}, wv[] = {5}, wk_bad[] = {99};
    put_packed(&way, 2, v == V_STRING_INDEX ? wk_bad : wk, 1, false);
    put_packed(&way, 3, wv, 1, false);
    static const int64_t refs[] = {1, 1, 2, -11}, refs_ovf[] = {INT64_MAX, 1};
    if (v == V_UNPACKED)
        put_uint(&way, 8, zz(1));
    else
        put_packed(&way, 8, v == V_REF_OVERFLOW ? refs_ovf : refs, v == V_REF_OVERFLOW ? 2 : 4, true);
    if (v == V_TWICE) put_packed(&way, 8, refs, 4, true);
    if (v == V_WIRE_GROUP) put_key(&way, 6, 3);
    put_msg(&grp, 3, &way);
    put_msg(pb, 2, &grp);
    /* Relation 20: from way 10, via node 2, to way 11; type=restriction, restriction=no_left_turn */
    buf rel = {0};
    put_uint(&rel, 1, 20);
    static const int64_t rk[] = {6, 7}, rv[] = {7, 8}, roles[] = {9, 10, 11}, memids[] = {10, -8, 9},
                         types[] = {1, 0, 1}, types_bad[] = {1, 3, 1};
    put_packed(&rel, 2, rk, 2, false);
    put_packed(&rel, 3, rv, 2, false);
    put_packed(&rel, 8, roles, 3, false);
    put_packed(&rel, 9, memids, v == V_MEMBER_COUNT ? 2 : 3, true);
    put_packed(&rel, 10, v == V_MEMBER_TYPE ? types_bad : types, 3, false);
    put_msg(&grp, 4, &rel);
    put_msg(pb, 2, &grp);
    if (v == V_TRUNC_VARINT) put(pb, "\x80", 1);
    if (v == V_LEN_BEYOND) {
        put_key(pb, 2, 2);
        put_varint(pb, 100);
        put(pb, "abc", 3);
    }
}

/* Header + n copies of the hand-made block (zlib or raw). */
static void make_file(buf *file, variant v, bool zlib, size_t copies)
{
    put_header(file, std_features);
    for (size_t i = 0; i < copies; i++) {
        buf pb = {0};
        make_block(&pb, v);
        put_block(file, "OSMData", &pb, zlib);
    }
}

/* ---- what a read delivers, as text ---------------------------------------------------------------------- */

typedef struct dump {
    char *s;
    size_t n, cap;
    size_t stop_after; /* visitor fails after this many entities (0 = never) */
    size_t seen;
} dump;

EMS_PRINTF(2, 3) static void dprintf_(dump *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (d->n + (size_t)k + 1 > d->cap) {
        d->cap = (d->n + (size_t)k + 1) * 2;
        d->s = realloc(d->s, d->cap);
        assert_non_null(d->s);
    }
    va_start(ap, fmt);
    vsnprintf(d->s + d->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    d->n += (size_t)k;
}

static void dump_tags(dump *d, const osm_tag *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dprintf_(d, " %s=%s", t[i].key, t[i].value);
    dprintf_(d, "\n");
}

static emscov_ctx *cur_ctx; /* for the visitor's own failure */

static ems_status seen(dump *d)
{
    if (d->stop_after && ++d->seen == d->stop_after)
        return emscov_fail(cur_ctx, EMS_EINPUT, "visitor: stop at entity %zu", d->seen);
    return EMS_OK;
}

static ems_status on_node(void *user, const osm_node *n)
{
    dump *d = user;
    dprintf_(d, "n%" PRId64 " %ld %ld", n->id, lround(n->lon * 1e7), lround(n->lat * 1e7));
    dump_tags(d, n->tags, n->ntags);
    return seen(d);
}

static ems_status on_way(void *user, const osm_way *w)
{
    dump *d = user;
    dprintf_(d, "w%" PRId64, w->id);
    for (size_t i = 0; i < w->nrefs; i++)
        dprintf_(d, "%c%" PRId64, i ? ',' : ' ', w->refs[i]);
    dump_tags(d, w->tags, w->ntags);
    return seen(d);
}

static ems_status on_rel(void *user, const osm_relation *r)
{
    dump *d = user;
    dprintf_(d, "r%" PRId64, r->id);
    for (size_t i = 0; i < r->nmembers; i++)
        dprintf_(d, "%c%c%" PRId64 "@%s", i ? ',' : ' ', "nwr"[r->members[i].type], r->members[i].ref,
                 r->members[i].role);
    dump_tags(d, r->tags, r->ntags);
    return seen(d);
}

static ems_status read_mem(emscov_ctx *ctx, const buf *b, osm_format fmt, dump *d, osm_counts *c)
{
    cur_ctx = ctx;
    osm_visitor v = {on_node, on_way, on_rel, d};
    return osm_read_mem(ctx, "t.osm.pbf", b->p, b->n, fmt, &v, c);
}

/* By hand from make_block: dense ids 1, 2, 4 at lon 116.3974 + k 0.001, lat 39.9087 + k 0.001 (+ 5 nd offset,
 * which rounds away at 1e-7); node -7 at lon -0.5, lat 51.2499995 (5 + 100 * 512499995 nd); way refs by delta
 * 1, +1, +2, -11 -> 1, 2, 4, -7; members by delta 10, -8, +9 -> way 10, node 2, way 11. */
static const char expected_block[] = "n1 1163974000 399087000 highway=traffic_signals\n"
                                     "n2 1163984000 399097000\n"
                                     "n4 1163994000 399107000 name=天安门\n"
                                     "n-7 -5000000 512499995 name=天安门\n"
                                     "w10 1,2,4,-7 highway=primary\n"
                                     "r20 w10@from,n2@via,w11@to type=restriction restriction=no_left_turn\n";

static void test_valid(void **state)
{
    emscov_ctx *ctx = *state;
    for (int zlib = 0; zlib < 2; zlib++) {
        buf f = {0};
        make_file(&f, V_OK, zlib, 1);
        dump d = {0};
        osm_counts c;
        assert_ok(ctx, read_mem(ctx, &f, OSM_FORMAT_PBF, &d, &c));
        assert_string_equal(d.s, expected_block);
        assert_int_equal(c.nodes, 4);
        assert_int_equal(c.ways, 1);
        assert_int_equal(c.relations, 1);
        assert_int_equal(c.blocks, 2);
        /* the same through a file, and with no visitor at all */
        const char *path = tu_tmp("valid.osm.pbf");
        tu_write_file(path, f.p, f.n);
        assert_ok(ctx, osm_read(ctx, path, NULL, &c));
        assert_int_equal(c.nodes, 4);
        free(d.s);
        free(f.p);
    }
    /* a way without refs or tags, and an empty string table (found by fuzz_osm_pbf: NULL + 0 under UBSan) */
    buf f = {0}, pb = {0}, grp = {0}, way = {0};
    put_header(&f, std_features);
    put_strings(&pb, 0);
    put_uint(&way, 1, 10);
    put_msg(&grp, 3, &way);
    put_msg(&pb, 2, &grp);
    put_block(&f, "OSMData", &pb, false);
    dump d = {0};
    assert_ok(ctx, read_mem(ctx, &f, OSM_FORMAT_PBF, &d, NULL));
    assert_string_equal(d.s, "w10\n");
    free(d.s);
    free(f.p);
}

/* The same data as XML reads to the same stream. */
static const char xml_doc[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<osm version=\"0.6\" generator=\"hand\">\n"
    " <bounds minlat=\"39\" minlon=\"116\" maxlat=\"40\" maxlon=\"117\"/>\n"
    " <node id=\"1\" lat=\"39.9087000\" lon=\"116.3974\"><tag k=\"highway\" v=\"traffic_signals\"/></node>\n"
    " <node id=\"2\" lat=\"39.9097\" lon=\"116.3984\" version=\"3\"/>\n"
    " <node id=\"4\" lat=\"39.9107\" lon=\"116.3994\"><tag k=\"name\" v=\"&#x5929;安门\"/></node>\n"
    " <node id=\"-7\" lat=\"51.2499995\" lon=\"-0.5\"><tag k=\"name\" v=\"天安门\"/></node>\n"
    " <way id=\"10\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"4\"/><nd ref=\"-7\"/>"
    "<tag k=\"highway\" v=\"primary\"/></way>\n"
    " <relation id=\"20\"><member type=\"way\" ref=\"10\" role=\"from\"/><member type=\"node\" ref=\"2\" "
    "role=\"via\"/><member type=\"way\" ref=\"11\" role=\"to\"/><tag k=\"type\" v=\"restriction\"/>"
    "<tag k=\"restriction\" v=\"no_left_turn\"/></relation>\n"
    "</osm>\n";

static void test_xml(void **state)
{
    emscov_ctx *ctx = *state;
    buf b = {(unsigned char *)xml_doc, sizeof xml_doc - 1, 0};
    dump d = {0};
    osm_counts c;
    assert_ok(ctx, read_mem(ctx, &b, OSM_FORMAT_XML, &d, &c));
    assert_string_equal(d.s, expected_block);
    assert_int_equal(c.nodes, 4);
    assert_int_equal(c.relations, 1);
    assert_int_equal(c.blocks, 0);
    free(d.s);
    /* a document longer than one 64 KiB read */
    buf big = {0};
    put(&big, "<osm>", 5);
    for (int i = 1; i <= 5000; i++) {
        char line[96];
        int n = snprintf(line, sizeof line, "<node id=\"%d\" lat=\"1\" lon=\"2\"/>\n", i);
        put(&big, line, (size_t)n);
    }
    put(&big, "</osm>", 6);
    assert_true(big.n > 128 * 1024);
    assert_ok(ctx, osm_read_mem(ctx, "big.osm", big.p, big.n, OSM_FORMAT_XML, NULL, &c));
    assert_int_equal(c.nodes, 5000);
    free(big.p);
}

static void expect_xml(emscov_ctx *ctx, const char *doc, const char *part)
{
    buf b = {(unsigned char *)doc, strlen(doc), 0};
    dump d = {0};
    assert_status_msg(ctx, read_mem(ctx, &b, OSM_FORMAT_XML, &d, NULL), EMS_EINPUT, part);
    free(d.s);
}

static void test_xml_bad(void **state)
{
    emscov_ctx *ctx = *state;
    expect_xml(ctx, "", "t.osm.pbf: line 1: not a complete OSM file (XML error: no element found)");
    expect_xml(ctx, "<osm>\n<node id=\"1\" lat=\"1\" lon=\"2\">\n", "line 3: not a complete OSM file (XML error");
    expect_xml(ctx, "<gpx/>", "line 1: not an OSM file (root element <gpx>, not <osm>)");
    expect_xml(ctx, "<osm>\n<node id=\"x1\" lat=\"1\" lon=\"2\"/></osm>", "line 2: node id \"x1\" is not an integer");
    expect_xml(ctx, "<osm><node id=\"99999999999999999999\" lat=\"1\" lon=\"2\"/></osm>",
               "line 1: node id \"99999999999999999999\" is not an integer");
    expect_xml(ctx, "<osm><node id=\"5\" lon=\"2\"/></osm>", "line 1: node 5: lat missing");
    expect_xml(ctx, "<osm><node id=\"5\" lat=\"nan\" lon=\"2\"/></osm>", "line 1: node 5: lat \"nan\" is not a number");
    expect_xml(ctx, "<osm><node id=\"5\" lat=\"1\" lon=\"2e999\"/></osm>", "node 5: lon \"2e999\" is not a number");
    expect_xml(ctx, "<osm><way>\n</way></osm>", "line 1: way id missing");
    expect_xml(ctx, "<osm><way id=\"3\"><nd ref=\"\"/></way></osm>", "line 1: <nd> ref \"\" is not an integer");
    expect_xml(ctx, "<osm><node id=\"1\" lat=\"1\" lon=\"2\">\n<way id=\"3\"/></node></osm>",
               "line 2: <way> inside <node>");
    expect_xml(ctx, "<osm><relation id=\"1\"><member type=\"area\" ref=\"2\" role=\"\"/></relation></osm>",
               "<member> type \"area\" (node, way or relation expected)");
    expect_xml(ctx, "<osm><relation id=\"1\"><member ref=\"2\" role=\"\"/></relation></osm>",
               "<member> without a type attribute");
    expect_xml(ctx, "<osm><way id=\"1\"><tag v=\"x\"/></way></osm>", "<tag> without both k and v attributes");
    /* the visitor stops the read: its status and message */
    buf b = {(unsigned char *)xml_doc, sizeof xml_doc - 1, 0};
    dump d = {.stop_after = 2};
    assert_status_msg(ctx, read_mem(ctx, &b, OSM_FORMAT_XML, &d, NULL), EMS_EINPUT, "visitor: stop at entity 2");
    free(d.s);
}

/* ---- corrupt PBF ---------------------------------------------------------------------------------------- */

static void expect_pbf(emscov_ctx *ctx, const buf *f, const char *part)
{
    dump d = {0};
    assert_status_msg(ctx, read_mem(ctx, f, OSM_FORMAT_PBF, &d, NULL), EMS_EINPUT, part);
    free(d.s);
}

static void expect_variant(emscov_ctx *ctx, variant v, const char *part)
{
    for (int zlib = 0; zlib < 2; zlib++) {
        buf f = {0};
        make_file(&f, v, zlib, 1);
        expect_pbf(ctx, &f, part);
        free(f.p);
    }
}

static void test_corrupt_blocks(void **state)
{
    emscov_ctx *ctx = *state;
    expect_variant(ctx, V_TRUNC_VARINT, ": block 2 (byte offset ");
    expect_variant(ctx, V_TRUNC_VARINT, "PrimitiveBlock: truncated or overlong varint in a field key");
    expect_variant(ctx, V_LEN_BEYOND, "PrimitiveBlock: field 2: length 100 beyond the end of the message (3 bytes left)");
    expect_variant(ctx, V_STRING_INDEX, "way 10: keys: string index 99 out of range (table has 12 strings)");
    expect_variant(ctx, V_REF_OVERFLOW, "way 10: refs: delta 2 of 2 overflows 64 bits");
    expect_variant(ctx, V_DENSE_COUNT, "DenseNodes: 3 ids but 2 lat and 3 lon values");
    expect_variant(ctx, V_KV_SHORT, "DenseNodes.keys_vals: ends inside the tags of node 3 of 3");
    expect_variant(ctx, V_MEMBER_COUNT, "relation 20: 3 roles, 2 member ids and 3 types");
    expect_variant(ctx, V_MEMBER_TYPE, "relation 20: member 2: type 3 (0 node, 1 way, 2 relation)");
    expect_variant(ctx, V_UNPACKED, "Way.refs: wire type 0, expected 2 (unpacked repeated fields are not supported)");
    expect_variant(ctx, V_TWICE, "Way.refs: appears twice");
    expect_variant(ctx, V_GRANULARITY, "PrimitiveBlock: granularity 0 (must be 1 .. 2^31-1)");
    expect_variant(ctx, V_WIRE_GROUP, "Way: field 6: wire type 3 not supported");

    /* a string index in a dense node's keys_vals, and an out-of-range role */
    buf f = {0}, pb = {0}, grp = {0};
    put_header(&f, std_features);
    put_strings(&pb, 3);
    static const int64_t ids[] = {1}, kv[] = {1, 7, 0};
    put_dense(&grp, ids, 1, kv, 3);
    put_msg(&pb, 2, &grp);
    put_block(&f, "OSMData", &pb, true);
    expect_pbf(ctx, &f, "node 1: keys_vals: string index 7 out of range (table has 3 strings)");
    free(f.p);
}

/* Blob-level lies: raw_size, bombs, compressions, sizes. */
static void test_corrupt_blobs(void **state)
{
    emscov_ctx *ctx = *state;
    buf payload = {0};
    make_block(&payload, V_OK);
    size_t true_size = payload.n;
    char want[160];

    /* raw_size says more, and less, than the data inflates to */
    buf f = {0}, blob = {0};
    put_header(&f, std_features);
    size_t header_len = f.n;
    make_zlib_blob(&blob, &payload, true_size + 10);
    put_block_blob(&f, "OSMData", &blob);
    snprintf(want, sizeof want, "block 2 (byte offset %zu): zlib data inflates to %zu bytes, its raw_size says %zu",
             header_len, true_size, true_size + 10);
    expect_pbf(ctx, &f, want);
    f.n = header_len;
    free(blob.p);
    blob = (buf){0};
    make_zlib_blob(&blob, &payload, true_size - 1);
    put_block_blob(&f, "OSMData", &blob);
    snprintf(want, sizeof want, "zlib data inflates to more than its raw_size of %zu bytes", true_size - 1);
    expect_pbf(ctx, &f, want);

    /* a zlib bomb: 64 MiB of zeros (~64 KiB compressed) claiming 1 MiB; and raw_size over the format's limit */
    buf zeros = {0};
    zeros.n = zeros.cap = 64u << 20;
    zeros.p = calloc(1, zeros.n);
    assert_non_null(zeros.p);
    f.n = header_len;
    free(blob.p);
    blob = (buf){0};
    make_zlib_blob(&blob, &zeros, 1u << 20);
    assert_true(blob.n < 256 * 1024);
    put_block_blob(&f, "OSMData", &blob);
    expect_pbf(ctx, &f, "zlib data inflates to more than its raw_size of 1048576 bytes");
    f.n = header_len;
    free(blob.p);
    blob = (buf){0};
    make_zlib_blob(&blob, &zeros, (32u << 20) + 1);
    put_block_blob(&f, "OSMData", &blob);
    expect_pbf(ctx, &f, "Blob: raw_size 33554433 is more than the format's 32 MiB");
    free(zeros.p);

    /* raw_size beyond what deflate can expand the data to (~1032:1): refused before allocating it */
    f.n = header_len;
    free(blob.p);
    blob = (buf){0};
    put_uint(&blob, 2, 32u << 20);
    put_bytes(&blob, 3, "tiny", 4);
    put_block_blob(&f, "OSMData", &blob);
    expect_pbf(ctx, &f, "Blob: raw_size 33554432 is more than 4 bytes of zlib data can inflate to");

    /* corrupt zlib bytes, lzma data, two data fields, no data, zlib without raw_size */
    f.n = header_len;
    free(blob.p);
    blob = (buf){0};
    put_uint(&blob, 2, 100);
    put_bytes(&blob, 3, "not zlib at all", 15);
    put_block_blob(&f, "OSMData", &blob);
    expect_pbf(ctx, &f, "zlib data corrupt or incomplete");
    static const struct {
        uint32_t field;
        const char *want;
    } blobs[] = {{4, "Blob: lzma-compressed data is not supported"},
                 {7, "Blob: zstd-compressed data is not supported"},
                 {0, "Blob: no data"},
                 {3, "Blob: zlib data without raw_size"}};
    for (size_t i = 0; i < sizeof blobs / sizeof *blobs; i++) {
        f.n = header_len;
        free(blob.p);
        blob = (buf){0};
        if (blobs[i].field) put_bytes(&blob, blobs[i].field, "xyz", 3);
        put_block_blob(&f, "OSMData", &blob);
        expect_pbf(ctx, &f, blobs[i].want);
    }
    f.n = header_len;
    free(blob.p);
    blob = (buf){0};
    put_bytes(&blob, 1, "xyz", 3);
    put_bytes(&blob, 3, "xyz", 3);
    put_block_blob(&f, "OSMData", &blob);
    expect_pbf(ctx, &f, "Blob: more than one data field (raw and zlib)");

    /* framing: a BlobHeader over 64 KiB, a datasize over 32 MiB, a datasize beyond the file, a cut length */
    f.n = header_len;
    put(&f, "\x00\x01\x00\x01", 4);
    expect_pbf(ctx, &f, "not an OSM PBF file (BlobHeader size 65537, the format allows 1 .. 65536)");
    f.n = header_len;
    buf h = {0};
    put_str(&h, 1, "OSMData");
    put_uint(&h, 3, (32u << 20) + 1);
    unsigned char len4[4] = {0, 0, 0, (unsigned char)h.n};
    put(&f, len4, 4);
    put(&f, h.p, h.n);
    expect_pbf(ctx, &f, "Blob of 33554433 bytes, more than the format's 32 MiB");
    f.n = header_len;
    h.n = 0;
    put_str(&h, 1, "OSMData");
    put_uint(&h, 3, 1000);
    len4[3] = (unsigned char)h.n;
    put(&f, len4, 4);
    put(&f, h.p, h.n);
    put(&f, "abc", 3);
    expect_pbf(ctx, &f, "not a complete OSM file (Blob of 1000 bytes announced, 3 present)");
    f.n = header_len;
    put(&f, "\x00\x00", 2);
    expect_pbf(ctx, &f, "not a complete OSM file (cut inside the blob length)");
    f.n = header_len;
    put(&f, len4, 4);
    put(&f, h.p, h.n - 1);
    expect_pbf(ctx, &f, "not a complete OSM file (cut inside the BlobHeader)");
    free(h.p);
    free(f.p);
    free(blob.p);
    free(payload.p);
}

static void test_header(void **state)
{
    emscov_ctx *ctx = *state;
    static const char *const missing[] = {"DenseNodes", NULL};
    static const char *const unknown[] = {"OsmSchema-V0.6", "DenseNodes", "HistoricalInformation", NULL};
    buf f = {0};
    put_header(&f, missing);
    expect_pbf(ctx, &f, "t.osm.pbf: block 1 (byte offset 0): the HeaderBlock does not require OsmSchema-V0.6");
    f.n = 0;
    put_header(&f, unknown);
    expect_pbf(ctx, &f, "block 1 (byte offset 0): required feature \"HistoricalInformation\" is not supported");
    /* the first block must be the header */
    f.n = 0;
    buf pb = {0};
    make_block(&pb, V_OK);
    put_block(&f, "OSMData", &pb, true);
    expect_pbf(ctx, &f, "block 1 (byte offset 0): not an OSM PBF file (the first block is \"OSMData\", not OSMHeader)");
    f.n = 0;
    expect_pbf(ctx, &f, "t.osm.pbf: empty file, not an OSM file");
    put(&f, "hello", 5);
    expect_pbf(ctx, &f, "block 1 (byte offset 0): not an OSM PBF file (BlobHeader size 1751477356");
    /* the header alone: a valid file without data */
    f.n = 0;
    put_header(&f, std_features);
    osm_counts c;
    assert_ok(ctx, osm_read_mem(ctx, "h.osm.pbf", f.p, f.n, OSM_FORMAT_PBF, NULL, &c));
    assert_int_equal(c.blocks, 1);
    assert_int_equal(c.nodes, 0);
    free(f.p);
}

/* Many blocks: the same stream with 1 and 2 threads; blocks of unknown type skipped; the first bad block in
 * file order reported after the good blocks before it were delivered, whatever the thread count. */
static void test_blocks_threads(void **state)
{
    emscov_ctx *ctx = *state;
    buf f = {0};
    make_file(&f, V_OK, true, 20);
    buf other = {0};
    put(&other, "whatever", 8);
    put_block(&f, "OSMIndex", &other, false);
    buf pb = {0};
    make_block(&pb, V_OK);
    put_block(&f, "OSMData", &pb, false);
    char *first = NULL;
    const char *threads[] = {"1", "2", "3"};
    for (size_t t = 0; t < 3; t++) {
        setenv("EMSCOV_THREADS", threads[t], 1);
        dump d = {0};
        osm_counts c;
        assert_ok(ctx, read_mem(ctx, &f, OSM_FORMAT_PBF, &d, &c));
        assert_int_equal(c.blocks, 23);
        assert_int_equal(c.nodes, 21 * 4);
        assert_int_equal(d.n, 21 * strlen(expected_block));
        if (!first)
            first = d.s;
        else {
            assert_string_equal(d.s, first);
            free(d.s);
        }
    }
    free(first);
    free(f.p);

    /* blocks 5 and 9 bad: block 5 is reported; blocks 2-4 were delivered (3 x 6 entities) */
    for (size_t t = 0; t < 3; t++) {
        setenv("EMSCOV_THREADS", threads[t], 1);
        f = (buf){0};
        put_header(&f, std_features);
        size_t off5 = 0;
        for (int i = 2; i <= 12; i++) {
            if (i == 5) off5 = f.n;
            pb = (buf){0};
            make_block(&pb, i == 5 ? V_DENSE_COUNT : i == 9 ? V_STRING_INDEX : V_OK);
            put_block(&f, "OSMData", &pb, true);
        }
        dump d = {0};
        char want[96];
        snprintf(want, sizeof want, "block 5 (byte offset %zu): DenseNodes: 3 ids", off5);
        assert_status_msg(ctx, read_mem(ctx, &f, OSM_FORMAT_PBF, &d, NULL), EMS_EINPUT, want);
        assert_int_equal(d.n, 3 * strlen(expected_block));
        free(d.s);
        free(f.p);
    }
    unsetenv("EMSCOV_THREADS");

    /* the visitor stops the read */
    f = (buf){0};
    make_file(&f, V_OK, true, 3);
    dump d = {.stop_after = 8};
    assert_status_msg(ctx, read_mem(ctx, &f, OSM_FORMAT_PBF, &d, NULL), EMS_EINPUT, "visitor: stop at entity 8");
    free(d.s);
    free(f.p);
}

/* ---- Monaco --------------------------------------------------------------------------------------------- */

/* The dump of a whole file, with id ranges and the nodes' bounding box. */
typedef struct summary {
    dump d;
    int64_t min_id[3], max_id[3];
    double x0, y0, x1, y1;
} summary;

static void minmax(summary *s, int t, int64_t id)
{
    if (id < s->min_id[t]) s->min_id[t] = id;
    if (id > s->max_id[t]) s->max_id[t] = id;
}

static ems_status sum_node(void *user, const osm_node *n)
{
    summary *s = user;
    minmax(s, 0, n->id);
    s->x0 = fmin(s->x0, n->lon);
    s->x1 = fmax(s->x1, n->lon);
    s->y0 = fmin(s->y0, n->lat);
    s->y1 = fmax(s->y1, n->lat);
    return on_node(&s->d, n);
}

static ems_status sum_way(void *user, const osm_way *w)
{
    minmax(user, 1, w->id);
    return on_way(&((summary *)user)->d, w);
}

static ems_status sum_rel(void *user, const osm_relation *r)
{
    minmax(user, 2, r->id);
    return on_rel(&((summary *)user)->d, r);
}

static void summarize(emscov_ctx *ctx, const char *path, summary *s, osm_counts *c)
{
    *s = (summary){.x0 = INFINITY, .y0 = INFINITY, .x1 = -INFINITY, .y1 = -INFINITY};
    for (int t = 0; t < 3; t++) {
        s->min_id[t] = INT64_MAX;
        s->max_id[t] = INT64_MIN;
    }
    osm_visitor v = {sum_node, sum_way, sum_rel, s};
    assert_ok(ctx, osm_read(ctx, path, &v, c));
}

static void test_monaco(void **state)
{
    emscov_ctx *ctx = *state;
    const char *pbf = tu_shared("data/real/monaco-osm-2016/monaco.osm.pbf");
    tu_require_shared(pbf);
    /* osmium fileinfo -e monaco.osm.pbf (osmium-tool 1.15 / libosmium 2.19): 180118 nodes, 27377 ways,
     * 212 relations; node ids 21911863 .. 4035273179, ways 4097656 .. 401050512, relations 7385 .. 5997347;
     * data bounding box (7.3490007,43.7147967,7.490996,43.77). */
    summary s;
    osm_counts c;
    summarize(ctx, pbf, &s, &c);
    assert_int_equal(c.nodes, 180118);
    assert_int_equal(c.ways, 27377);
    assert_int_equal(c.relations, 212);
    assert_int_equal(s.min_id[0], 21911863);
    assert_int_equal(s.max_id[0], 4035273179LL);
    assert_int_equal(s.min_id[1], 4097656);
    assert_int_equal(s.max_id[1], 401050512);
    assert_int_equal(s.min_id[2], 7385);
    assert_int_equal(s.max_id[2], 5997347);
    assert_close(s.x0, 7.3490007, 1e-9);
    assert_close(s.y0, 43.7147967, 1e-9);
    assert_close(s.x1, 7.490996, 1e-9);
    assert_close(s.y1, 43.77, 1e-9);
    /* spot checks of the dump against `osmium cat -f opl monaco.osm.pbf`: the first node and relation */
    assert_true(strncmp(s.d.s, "n21911863 74220280 437370125\n", 29) == 0);
    assert_non_null(strstr(s.d.s, "\nr7385 "));

    /* osmium's XML of the same file: the identical stream (ids, coordinates at 1e-7, refs, members, tags) */
    char *out = NULL;
    if (tu_run("command -v osmium", &out) != 0) {
        free(out);
        free(s.d.s);
        print_message("osmium not installed: XML comparison skipped\n");
        return;
    }
    free(out);
    const char *xml = tu_tmp("monaco.osm");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "osmium cat -O -f osm,add_metadata=false '%s' -o '%s'", pbf, xml);
    assert_int_equal(tu_run(cmd, &out), 0);
    free(out);
    summary sx;
    osm_counts cx;
    summarize(ctx, xml, &sx, &cx);
    assert_int_equal(cx.nodes, c.nodes);
    assert_int_equal(cx.ways, c.ways);
    assert_int_equal(cx.relations, c.relations);
    assert_int_equal(sx.d.n, s.d.n);
    assert_true(strcmp(sx.d.s, s.d.s) == 0); /* not assert_string_equal: it would print megabytes */
    free(sx.d.s);
    free(s.d.s);
}

static void test_file_errors(void **state)
{
    emscov_ctx *ctx = *state;
    assert_status_msg(ctx, osm_read(ctx, tu_tmp("none.osm.pbf"), NULL, NULL), EMS_EINPUT, "none.osm.pbf: cannot open");
    assert_status_msg(ctx, osm_read(ctx, "roads.shp", NULL, NULL), EMS_EINPUT,
                      "roads.shp: not an OSM file name (.osm or .osm.pbf expected)");
    /* a directory is bad input, named as such, before anything tries to read it */
    const char *dir = tu_tmp("dir.osm.pbf");
    assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
    assert_status_msg(ctx, osm_read(ctx, dir, NULL, NULL), EMS_EINPUT, "dir.osm.pbf: is a directory, not a file");
    const char *xdir = tu_tmp("dir.osm");
    assert_true(mkdir(xdir, 0700) == 0 || errno == EEXIST);
    assert_status_msg(ctx, osm_read(ctx, xdir, NULL, NULL), EMS_EINPUT, "dir.osm: is a directory, not a file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),          cmocka_unit_test(test_xml),
        cmocka_unit_test(test_xml_bad),        cmocka_unit_test(test_corrupt_blocks),
        cmocka_unit_test(test_corrupt_blobs),  cmocka_unit_test(test_header),
        cmocka_unit_test(test_blocks_threads), cmocka_unit_test(test_monaco),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
