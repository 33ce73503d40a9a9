/* geo/osm_xml.c: the .osm XML reader of osm.h, streaming with expat (64 KiB at a time; memory holds one
 * object's tags, refs and members, never the document).
 *
 * The root element must be <osm>. <node id lat lon>, <way id> with <nd ref> and <relation id> with <member
 * type ref role> children, each with <tag k v> children, are handed to the visitor when they close. Other
 * elements (bounds, changeset, note, meta, ...) and their children are ignored. Ids and refs must be
 * integers, lat/lon finite numbers, member types node/way/relation; <tag> needs k and v, <member> type, ref
 * and role (as OSM writes them); an object inside another object is refused. Every such failure, and any XML
 * error, is EMS_EINPUT "<file>: line N: <what>". expat's own limits guard against entity expansion. Numbers
 * are parsed with strtod/strtoll (the library never changes the C locale). */
#include "geo/osm_internal.h"

#include <errno.h>
#include <expat.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define XML_CHUNK (64 * 1024)

typedef struct xml_member {
    osm_type type;
    int64_t ref;
    size_t role; /* offset into pool */
} xml_member;

typedef struct xml_reader {
    emscov_ctx *ctx;
    osm_src *src;
    const osm_visitor *v;
    osm_counts *counts;
    XML_Parser p;
    ems_status st;
    unsigned depth, obj_depth;
    bool in_obj;
    osm_type type;
    int64_t id;
    double lon, lat;
    char *pool; /* NUL-terminated strings of the current object */
    size_t pool_len, pool_cap;
    size_t (*tags)[2];
    size_t ntags, tags_cap;
    int64_t *refs;
    size_t nrefs, refs_cap;
    xml_member *mem;
    size_t nmem, mem_cap;
    osm_tag *otags; /* what the visitor sees */
    size_t otags_cap;
    osm_member *omem;
    size_t omem_cap;
} xml_reader;

EMS_PRINTF(3, 4) static void xml_fail(xml_reader *r, ems_status st, const char *fmt, ...)
{
    if (r->st != EMS_OK) return;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    r->st = emscov_fail(r->ctx, st, "%s: line %lu: %s", r->src->name, (unsigned long)XML_GetCurrentLineNumber(r->p),
                        what);
    XML_StopParser(r->p, XML_FALSE);
}

static const char *attr(const XML_Char **a, const char *name)
{
    for (size_t i = 0; a[i]; i += 2)
        if (strcmp(a[i], name) == 0) return a[i + 1];
    return NULL;
}

/* Attribute text for a message: at most 40 bytes. */
static int clip(const char *s) { return (int)strnlen(s, 40); }

static bool parse_id(xml_reader *r, const char *s, const char *what, int64_t *out)
{
    if (!s) {
        xml_fail(r, EMS_EINPUT, "%s missing", what);
        return false;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE || (*s != '-' && (*s < '0' || *s > '9'))) {
        xml_fail(r, EMS_EINPUT, "%s \"%.*s\" is not an integer", what, clip(s), s);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_deg(xml_reader *r, const char *s, const char *what, double *out)
{
    if (!s) {
        xml_fail(r, EMS_EINPUT, "node %lld: %s missing", (long long)r->id, what);
        return false;
    }
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v)) {
        xml_fail(r, EMS_EINPUT, "node %lld: %s \"%.*s\" is not a number", (long long)r->id, what, clip(s), s);
        return false;
    }
    *out = v;
    return true;
}

static bool pool_add(xml_reader *r, const char *s, size_t *off)
{
    size_t n = strlen(s) + 1;
    if (!ems_grow(r->ctx, (void **)&r->pool, &r->pool_cap, r->pool_len + n, 1)) {
        r->st = EMS_ENOMEM;
        XML_StopParser(r->p, XML_FALSE);
        return false;
    }
    memcpy(r->pool + r->pool_len, s, n);
    *off = r->pool_len;
    r->pool_len += n;
    return true;
}

static bool grow(xml_reader *r, void **arr, size_t *cap, size_t need, size_t sz)
{
    if (ems_grow(r->ctx, arr, cap, need, sz)) return true;
    r->st = EMS_ENOMEM;
    XML_StopParser(r->p, XML_FALSE);
    return false;
}

static void start_object(xml_reader *r, osm_type type, const char *name, const XML_Char **a)
{
    if (r->in_obj) {
        static const char *const names[] = {"node", "way", "relation"};
        xml_fail(r, EMS_EINPUT, "<%s> inside <%s>", name, names[r->type]);
        return;
    }
    if (!parse_id(r, attr(a, "id"), type == OSM_TYPE_NODE ? "node id" : type == OSM_TYPE_WAY ? "way id"
                                                                                            : "relation id",
                  &r->id))
        return;
    if (type == OSM_TYPE_NODE &&
        (!parse_deg(r, attr(a, "lat"), "lat", &r->lat) || !parse_deg(r, attr(a, "lon"), "lon", &r->lon)))
        return;
    r->in_obj = true;
    r->obj_depth = r->depth;
    r->type = type;
    r->pool_len = r->ntags = r->nrefs = r->nmem = 0;
}

static void child(xml_reader *r, const char *name, const XML_Char **a)
{
    if (strcmp(name, "tag") == 0) {
        const char *k = attr(a, "k"), *v = attr(a, "v");
        if (!k || !v) {
            xml_fail(r, EMS_EINPUT, "<tag> without both k and v attributes");
            return;
        }
        if (!grow(r, (void **)&r->tags, &r->tags_cap, r->ntags + 1, sizeof *r->tags) ||
            !pool_add(r, k, &r->tags[r->ntags][0]) || !pool_add(r, v, &r->tags[r->ntags][1]))
            return;
        r->ntags++;
    } else if (strcmp(name, "nd") == 0 && r->type == OSM_TYPE_WAY) {
        int64_t ref;
        if (!parse_id(r, attr(a, "ref"), "<nd> ref", &ref) ||
            !grow(r, (void **)&r->refs, &r->refs_cap, r->nrefs + 1, sizeof *r->refs))
            return;
        r->refs[r->nrefs++] = ref;
    } else if (strcmp(name, "member") == 0 && r->type == OSM_TYPE_RELATION) {
        const char *t = attr(a, "type"), *role = attr(a, "role");
        osm_type type;
        if (!t) {
            xml_fail(r, EMS_EINPUT, "<member> without a type attribute");
            return;
        }
        if (strcmp(t, "node") == 0)
            type = OSM_TYPE_NODE;
        else if (strcmp(t, "way") == 0)
            type = OSM_TYPE_WAY;
        else if (strcmp(t, "relation") == 0)
            type = OSM_TYPE_RELATION;
        else {
            xml_fail(r, EMS_EINPUT, "<member> type \"%.*s\" (node, way or relation expected)", clip(t), t);
            return;
        }
        if (!role) {
            xml_fail(r, EMS_EINPUT, "<member> without a role attribute");
            return;
        }
        int64_t ref;
        size_t off;
        if (!parse_id(r, attr(a, "ref"), "<member> ref", &ref) ||
            !grow(r, (void **)&r->mem, &r->mem_cap, r->nmem + 1, sizeof *r->mem) || !pool_add(r, role, &off))
            return;
        r->mem[r->nmem++] = (xml_member){type, ref, off};
    }
}

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **a)
{
    xml_reader *r = user;
    if (r->st != EMS_OK) return;
    if (r->depth == 0) {
        if (strcmp(name, "osm") != 0)
            xml_fail(r, EMS_EINPUT, "not an OSM file (root element <%.*s>, not <osm>)", clip(name), name);
    } else if (strcmp(name, "node") == 0) {
        start_object(r, OSM_TYPE_NODE, name, a);
    } else if (strcmp(name, "way") == 0) {
        start_object(r, OSM_TYPE_WAY, name, a);
    } else if (strcmp(name, "relation") == 0) {
        start_object(r, OSM_TYPE_RELATION, name, a);
    } else if (r->in_obj && r->depth == r->obj_depth + 1) {
        child(r, name, a);
    }
    r->depth++;
}

static void emit(xml_reader *r)
{
    const osm_visitor *v = r->v;
    if (!grow(r, (void **)&r->otags, &r->otags_cap, r->ntags ? r->ntags : 1, sizeof *r->otags)) return;
    for (size_t i = 0; i < r->ntags; i++)
        r->otags[i] = (osm_tag){r->pool + r->tags[i][0], r->pool + r->tags[i][1]};
    ems_status st = EMS_OK;
    if (r->type == OSM_TYPE_NODE) {
        r->counts->nodes++;
        osm_node n = {r->id, r->lon, r->lat, r->otags, r->ntags};
        if (v->node) st = v->node(v->user, &n);
    } else if (r->type == OSM_TYPE_WAY) {
        r->counts->ways++;
        osm_way w = {r->id, r->refs, r->nrefs, r->otags, r->ntags};
        if (v->way) st = v->way(v->user, &w);
    } else {
        r->counts->relations++;
        if (!grow(r, (void **)&r->omem, &r->omem_cap, r->nmem ? r->nmem : 1, sizeof *r->omem)) return;
        for (size_t i = 0; i < r->nmem; i++)
            r->omem[i] = (osm_member){r->mem[i].type, r->mem[i].ref, r->pool + r->mem[i].role};
        osm_relation rel = {r->id, r->omem, r->nmem, r->otags, r->ntags};
        if (v->relation) st = v->relation(v->user, &rel);
    }
    if (st != EMS_OK) { /* the visitor's message stays */
        r->st = st;
        XML_StopParser(r->p, XML_FALSE);
    }
}

static void XMLCALL on_end(void *user, const XML_Char *name)
{
    (void)name;
    xml_reader *r = user;
    if (r->depth) r->depth--;
    if (r->st != EMS_OK) return;
    if (r->in_obj && r->depth == r->obj_depth) {
        r->in_obj = false;
        emit(r);
    }
}

ems_status osm__read_xml(emscov_ctx *ctx, osm_src *s, const osm_visitor *v, osm_counts *counts)
{
    xml_reader r = {.ctx = ctx, .src = s, .v = v, .counts = counts};
    if (!(r.p = XML_ParserCreate(NULL))) return emscov_fail(ctx, EMS_ENOMEM, "%s: out of memory for expat", s->name);
    XML_SetUserData(r.p, &r);
    XML_SetElementHandler(r.p, on_start, on_end);
    for (bool last = false; !last;) {
        void *buf = XML_GetBuffer(r.p, XML_CHUNK);
        if (!buf) {
            r.st = emscov_fail(ctx, EMS_ENOMEM, "%s: out of memory for expat", s->name);
            break;
        }
        size_t n = osm__src_read(s, buf, XML_CHUNK);
        if (s->io_error) {
            r.st = emscov_fail(ctx, EMS_EIO, "%s: read error", s->name);
            break;
        }
        last = n < XML_CHUNK;
        if (XML_ParseBuffer(r.p, (int)n, last) != XML_STATUS_OK) {
            if (r.st == EMS_OK) /* an XML error, not ours */
                r.st = emscov_fail(ctx, EMS_EINPUT, "%s: line %lu: not a complete OSM file (XML error: %s)", s->name,
                                   (unsigned long)XML_GetCurrentLineNumber(r.p),
                                   XML_ErrorString(XML_GetErrorCode(r.p)));
            break;
        }
    }
    XML_ParserFree(r.p);
    free(r.pool);
    free(r.tags);
    free(r.refs);
    free(r.mem);
    free(r.otags);
    free(r.omem);
    return r.st;
}
