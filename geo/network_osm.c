/* geo/network_osm.c: network_build_from_osm: OpenStreetMap .osm (XML) and .osm.pbf files read with
 * geo/osm.h (our own validated readers), fed to the network builder (see network.h). This file only reads
 * and filters; noding, links, travel times and components are the builder's.
 *
 * One pass over the file (osm_read calls back per node and way, in file order):
 *  - every node is appended to an array (int64 OSM id, lon/lat as int32 in units of 1e-7 degree, OSM's own
 *    precision: 16 bytes a node, so a Beijing-size extract of ~10 M nodes needs ~160 MB), because OSM ways
 *    carry only node ids;
 *  - ways that an ambulance may drive are kept (their node ids, class, maxspeed, direction, name); they are
 *    resolved after the whole file is read, so files whose ways come before their nodes work too.
 * Then the nodes are put in id order (a stable radix sort, skipped for files already sorted by id, as OSM's
 * are; the same node twice: the later one wins), the kept ways' refs are resolved by a sorted merge against
 * them (sequential memory rather than a hash probe per ref), each used node is transformed into the
 * working CRS once, and each kept way is offered to the builder with its OSM node ids as vertex identities
 * (so ways are noded where they share an OSM node), road_class = the highway value, speed = the parsed
 * maxspeed (0 = class default), record = the way id.
 *
 * Which ways (decisions, matching OSM's conventions and OSRM's car profile where they exist; tag values
 * compare ignoring ASCII case, as mappers write "Yes" too; the rules' defaults in brackets, network.h):
 *  - highway=* value marked yes in the profile's [osm_classes]. area=yes [area = skip]: a square or a yard
 *    drawn as a polygon is not a line anyone drives along (OSRM's car profile skips it too); area = road
 *    takes its outline as a road, as osm2pgrouting does.
 *  - access: the most specific of emergency, motorcar, motor_vehicle, vehicle, access that is present
 *    decides. emergency=yes/designated/permissive/destination opens the way whatever the others say;
 *    emergency=no/private restricts it; otherwise no, private, agricultural, forestry, military restrict it
 *    and any other value (yes, destination, permissive, customers, delivery, ...) leaves it open (an
 *    ambulance on a call is the traffic "destination" admits). A restricted way goes to the builder marked
 *    so, and the access rule decides [access = ends: usable only at the start or end of a route].
 *  - direction: oneway=yes/true/1 forward, -1/reverse backward, no/false/0 both (overriding any implied
 *    one-way); junction=roundabout/circular and highway=motorway/motorway_link imply forward (as OSRM's car
 *    profile and the OSM wiki's routing tags have it: a slip road is one-way unless tagged otherwise); other
 *    oneway values are
 *    ignored (implied rule). [reversible = skip]: oneway=alternating (one lane used in turns, e.g. narrow
 *    bridges) is driven both ways; oneway=reversible (the direction changes with the time of day, e.g.
 *    Beijing's tidal lanes) cannot be used without a schedule, so those ways are skipped, as OSRM does.
 *    reversible = implied reads both values by the implied rule, as a plain pgRouting study does.
 *  - maxspeed via speed_parse_maxspeed (first value of "50;30", mph converted; "none", "signals", zone codes
 *    like "RU:urban" give 0 = the class default); the maxspeed rule decides its use.
 *  - name = the name tag.
 * Turn restrictions: relations type=restriction whose restriction:motorcar, restriction:motor_vehicle,
 * restriction:vehicle or restriction tag (the most specific present) starts with no_ or only_, and whose
 * except tag names none of motorcar, motor_vehicle, vehicle, emergency (an ambulance is exempt then);
 * time-conditional and hgv-only restrictions are not read. Members: from and to ways, a via node or via ways
 * in order; each from/to pair is one turn for the builder, which resolves it onto the graph (network.h).
 * Ways referencing nodes that are not in the file (clipped extracts): the missing vertices are dropped and
 * the way is split there; pieces with fewer than 2 nodes are dropped. One warning gives the counts. A way
 * with fewer than 2 node references is skipped and counted in the same warning.
 *
 * Errors: what osm_read refuses (truncated or corrupt files, with the block or line at fault: see osm.h)
 * and what our callbacks refuse stop the read at once.
 * A node without valid lon/lat -> EMS_EINPUT naming the node.
 *
 * working may be NULL: the UTM zone of the centre of the drivable ways' nodes is then used. */
#include "geo/network_internal.h"
#include "geo/osm.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OSM_NONE UINT32_MAX /* a ref whose node is not in the file */

/* ---- nodes: (id, lon, lat) in file order, then sorted by id; refs resolved by a sorted merge ------------ */

typedef struct osm_slot {
    int64_t id;
    int32_t lon, lat; /* 1e-7 degree */
} osm_slot;

/* An (id, index) pair for sorting; key is the id with its sign bit flipped, so unsigned order = id order. */
typedef struct osm_pair {
    uint64_t key;
    uint64_t val;
} osm_pair;

static uint64_t id_key(int64_t id) { return (uint64_t)id ^ 0x8000000000000000ULL; }

/* Stable LSD radix sort of a[0 .. n) by key (16-bit digits; digits equal in every key are skipped). */
static bool radix_sort(emscov_ctx *ctx, osm_pair *a, size_t n)
{
    if (n < 2) return true;
    uint64_t all_or = 0, all_and = UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        all_or |= a[i].key;
        all_and &= a[i].key;
    }
    osm_pair *tmp = ems_malloc(ctx, n * sizeof *tmp);
    size_t *count = ems_malloc(ctx, 65536 * sizeof *count);
    if (!tmp || !count) {
        free(tmp);
        free(count);
        return false;
    }
    osm_pair *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 16) {
        if ((((all_or ^ all_and) >> shift) & 0xffff) == 0) continue; /* the same digit everywhere */
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & 0xffff]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & 0xffff]++] = src[i];
        osm_pair *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
    free(count);
    return true;
}

/* ---- the reader state -------------------------------------------------------------------------------- */

typedef struct osm_way_kept {
    int64_t id;
    size_t ref0; /* node ids refs[ref0 .. ref0 + nref) */
    size_t nref;
    size_t name; /* offset + 1 into the name pool; 0 = no name */
    double maxspeed;
    uint32_t cls; /* index into classes */
    network_dir dir;
    bool restricted;
} osm_way_kept;

/* A restriction relation: member ids mem[m0 ..): nfrom from ways, nto to ways, nvia via ways. */
typedef struct osm_restriction {
    int64_t id, via_node;
    size_t m0, nfrom, nto, nvia;
    bool has_via_node;
    network_turn_kind kind;
} osm_restriction;

typedef struct osm_reader {
    emscov_ctx *ctx;
    const speed_profile *sp;
    const char *path;
    osm_slot *nodes;     /* file order until sort_nodes; then by id, one per id */
    size_t nnodes, nodes_cap;
    bool nodes_sorted;   /* ids strictly increasing so far */
    int64_t *refs;
    size_t nrefs, refs_cap;
    osm_way_kept *ways;
    size_t nways, ways_cap;
    char *names;
    size_t names_len, names_cap;
    char **classes;
    size_t nclasses, classes_cap;
    network_rules rules;
    osm_restriction *restr;
    size_t nrestr, restr_cap;
    int64_t *mem;
    size_t nmem, mem_cap;
    /* counts for the summary warning and the network's stats */
    size_t too_short, reversible, reversible_implied, area_skipped, area_used, restr_bad;
} osm_reader;

static const char *tag(const osm_tag *tags, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(tags[i].key, key) == 0) return tags[i].value;
    return NULL;
}

/* v is one of list (ASCII case ignored). */
static bool is_one_of(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(v, *list) == 0) return true;
    return false;
}

/* Is the way restricted for an ambulance (access tags only)? */
static bool ambulance_restricted(const osm_tag *tags, size_t n)
{
    static const char *const emergency_yes[] = {"yes", "designated", "permissive", "destination", NULL};
    static const char *const emergency_no[] = {"no", "private", NULL};
    static const char *const refused[] = {"no", "private", "agricultural", "forestry", "military", NULL};
    const char *e = tag(tags, n, "emergency");
    if (e) {
        if (is_one_of(e, emergency_yes)) return false;
        if (is_one_of(e, emergency_no)) return true;
    }
    static const char *const keys[] = {"motorcar", "motor_vehicle", "vehicle", "access", NULL};
    for (const char *const *k = keys; *k; k++) {
        const char *v = tag(tags, n, *k);
        if (v) return is_one_of(v, refused);
    }
    return false;
}

/* Direction of a way; *skip when it must not be used (oneway=reversible under reversible = skip). */
static network_dir way_dir(osm_reader *r, const osm_tag *tags, size_t n, const char *highway, bool *skip)
{
    static const char *const fwd[] = {"yes", "true", "1", NULL}, *const bwd[] = {"-1", "reverse", NULL},
                             *const both[] = {"no", "false", "0", NULL};
    *skip = false;
    const char *ow = tag(tags, n, "oneway");
    if (ow) {
        if (is_one_of(ow, fwd)) return NETWORK_FORWARD;
        if (is_one_of(ow, bwd)) return NETWORK_BACKWARD;
        if (is_one_of(ow, both)) return NETWORK_BOTH;
        bool rev = strcasecmp(ow, "reversible") == 0, alt = strcasecmp(ow, "alternating") == 0;
        if ((rev || alt) && r->rules.reversible == NETWORK_REVERSIBLE_IMPLIED) {
            r->reversible_implied++;
        } else if (alt) {
            return NETWORK_BOTH;
        } else if (rev) {
            *skip = true;
            return NETWORK_CLOSED;
        }
    }
    const char *j = tag(tags, n, "junction");
    if (j && (strcasecmp(j, "roundabout") == 0 || strcasecmp(j, "circular") == 0)) return NETWORK_FORWARD;
    if (strcmp(highway, "motorway") == 0 || strcmp(highway, "motorway_link") == 0) return NETWORK_FORWARD;
    return NETWORK_BOTH;
}

static bool intern_class(osm_reader *r, const char *name, uint32_t *id)
{
    for (size_t i = 0; i < r->nclasses; i++)
        if (strcmp(r->classes[i], name) == 0) {
            *id = (uint32_t)i;
            return true;
        }
    if (!ems_grow(r->ctx, (void **)&r->classes, &r->classes_cap, r->nclasses + 1, sizeof *r->classes))
        return false;
    if (!(r->classes[r->nclasses] = ems_strdup(r->ctx, name))) return false;
    *id = (uint32_t)r->nclasses++;
    return true;
}

static ems_status on_node(void *user, const osm_node *node)
{
    osm_reader *r = user;
    double lon = node->lon, lat = node->lat;
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: node %lld: no valid lon/lat (%g, %g)", r->path,
                           (long long)node->id, lon, lat);
    if (!ems_grow(r->ctx, (void **)&r->nodes, &r->nodes_cap, r->nnodes + 1, sizeof *r->nodes)) return EMS_ENOMEM;
    if (r->nnodes && node->id <= r->nodes[r->nnodes - 1].id) r->nodes_sorted = false;
    r->nodes[r->nnodes++] = (osm_slot){node->id, (int32_t)lround(lon * 1e7), (int32_t)lround(lat * 1e7)};
    return EMS_OK;
}

static ems_status on_way(void *user, const osm_way *way)
{
    osm_reader *r = user;
    const osm_tag *tags = way->tags;
    size_t nt = way->ntags;
    const char *highway = tag(tags, nt, "highway");
    if (!highway || !speed_profile_osm_drivable(r->sp, highway)) return EMS_OK;
    const char *area = tag(tags, nt, "area");
    bool is_area = area && strcasecmp(area, "yes") == 0;
    if (is_area && r->rules.area == NETWORK_AREA_SKIP) {
        r->area_skipped++;
        return EMS_OK;
    }
    bool skip;
    network_dir dir = way_dir(r, tags, nt, highway, &skip);
    if (skip) {
        r->reversible++;
        return EMS_OK;
    }
    size_t nref = way->nrefs;
    if (nref < 2) {
        r->too_short++;
        return EMS_OK;
    }
    r->area_used += is_area;
    osm_way_kept w = {.id = way->id, .ref0 = r->nrefs, .nref = nref, .dir = dir,
                      .restricted = ambulance_restricted(tags, nt)};
    const char *ms = tag(tags, nt, "maxspeed");
    w.maxspeed = ms ? speed_parse_maxspeed(ms) : 0;
    if (!intern_class(r, highway, &w.cls)) return EMS_ENOMEM;
    const char *name = tag(tags, nt, "name");
    if (name && *name) {
        size_t len = strlen(name) + 1;
        if (!ems_grow(r->ctx, (void **)&r->names, &r->names_cap, r->names_len + len, 1)) return EMS_ENOMEM;
        memcpy(r->names + r->names_len, name, len);
        w.name = r->names_len + 1;
        r->names_len += len;
    }
    if (!ems_grow(r->ctx, (void **)&r->refs, &r->refs_cap, r->nrefs + nref, sizeof *r->refs) ||
        !ems_grow(r->ctx, (void **)&r->ways, &r->ways_cap, r->nways + 1, sizeof *r->ways))
        return EMS_ENOMEM;
    memcpy(r->refs + r->nrefs, way->refs, nref * sizeof *r->refs);
    r->nrefs += nref;
    r->ways[r->nways++] = w;
    return EMS_OK;
}

/* Does a restriction relation apply to an ambulance? Its kind when it does. */
static bool restriction_kind(const osm_tag *tags, size_t n, network_turn_kind *kind)
{
    const char *type = tag(tags, n, "type");
    if (!type || strcmp(type, "restriction") != 0) return false;
    const char *ex = tag(tags, n, "except");
    if (ex) { /* a ;-separated list */
        static const char *const exempt[] = {"motorcar", "motor_vehicle", "vehicle", "emergency", NULL};
        char word[64];
        for (const char *p = ex; *p;) {
            size_t len = strcspn(p, ";");
            const char *w = p;
            while (len && (*w == ' ')) w++, len--;
            while (len && w[len - 1] == ' ') len--;
            if (len < sizeof word) {
                memcpy(word, w, len);
                word[len] = '\0';
                if (is_one_of(word, exempt)) return false;
            }
            p += strcspn(p, ";");
            if (*p) p++;
        }
    }
    static const char *const keys[] = {"restriction:motorcar", "restriction:motor_vehicle", "restriction:vehicle",
                                       "restriction", NULL};
    for (const char *const *k = keys; *k; k++) {
        const char *v = tag(tags, n, *k);
        if (!v) continue;
        if (strncasecmp(v, "no_", 3) == 0) *kind = NETWORK_TURN_NO;
        else if (strncasecmp(v, "only_", 5) == 0) *kind = NETWORK_TURN_ONLY;
        else return false;
        return true;
    }
    return false;
}

static ems_status on_relation(void *user, const osm_relation *rel)
{
    osm_reader *r = user;
    network_turn_kind kind;
    if (!restriction_kind(rel->tags, rel->ntags, &kind)) return EMS_OK;
    osm_restriction x = {.id = rel->id, .m0 = r->nmem, .kind = kind};
    size_t nvia_nodes = 0, other = 0;
    /* members by role, in three passes so that the pool holds from ids, then to ids, then via ways */
    static const char *const roles[3] = {"from", "to", "via"};
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < rel->nmembers; i++) {
            const osm_member *m = &rel->members[i];
            if (strcmp(m->role, roles[pass]) != 0) {
                other += pass == 0 && strcmp(m->role, "to") && strcmp(m->role, "via") && strcmp(m->role, "from");
                continue;
            }
            if (pass == 2 && m->type == OSM_TYPE_NODE) {
                x.via_node = m->ref;
                x.has_via_node = true;
                nvia_nodes++;
                continue;
            }
            if (m->type != OSM_TYPE_WAY) {
                other++;
                continue;
            }
            if (!ems_grow(r->ctx, (void **)&r->mem, &r->mem_cap, r->nmem + 1, sizeof *r->mem)) return EMS_ENOMEM;
            r->mem[r->nmem++] = m->ref;
            *(pass == 0 ? &x.nfrom : pass == 1 ? &x.nto : &x.nvia) += 1;
        }
    (void)other; /* members with other roles (e.g. location_hint) are ignored */
    /* several from or to ways are for no_entry / no_exit; more than 64 pairs is not a turn restriction */
    if (x.nfrom == 0 || x.nto == 0 || x.nfrom * x.nto > 64 || nvia_nodes > 1 || (nvia_nodes == 1 && x.nvia > 0)) {
        r->restr_bad++; /* not a restriction the graph can hold */
        r->nmem = x.m0;
        return EMS_OK;
    }
    if (!ems_grow(r->ctx, (void **)&r->restr, &r->restr_cap, r->nrestr + 1, sizeof *r->restr)) return EMS_ENOMEM;
    r->restr[r->nrestr++] = x;
    return EMS_OK;
}

static void reader_fini(osm_reader *r)
{
    free(r->restr);
    free(r->mem);
    free(r->nodes);
    free(r->refs);
    free(r->ways);
    free(r->names);
    for (size_t i = 0; i < r->nclasses; i++)
        free(r->classes[i]);
    free(r->classes);
}

/* ---- reading and feeding the builder ------------------------------------------------------------------- */

static ems_status read_file(osm_reader *r)
{
    osm_visitor v = {.node = on_node, .way = on_way, .relation = on_relation, .user = r};
    return osm_read(r->ctx, r->path, &v, NULL);
}

/* Nodes by id, one per id (the same node twice: the later one wins). Files sorted by id (as OSM's are)
 * need no work. */
static ems_status sort_nodes(osm_reader *r)
{
    if (r->nodes_sorted) return EMS_OK;
    size_t n = r->nnodes;
    osm_pair *p = ems_malloc(r->ctx, n * sizeof *p);
    osm_slot *sorted = ems_malloc(r->ctx, n * sizeof *sorted);
    if (!p || !sorted) goto nomem;
    for (size_t i = 0; i < n; i++)
        p[i] = (osm_pair){id_key(r->nodes[i].id), i};
    if (!radix_sort(r->ctx, p, n)) goto nomem;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && p[i + 1].key == p[i].key) continue; /* a later copy follows (the sort is stable) */
        sorted[m++] = r->nodes[p[i].val];
    }
    free(p);
    free(r->nodes);
    r->nodes = sorted;
    r->nnodes = m;
    r->nodes_cap = n;
    r->nodes_sorted = true;
    return EMS_OK;
nomem:
    free(p);
    free(sorted);
    return EMS_ENOMEM;
}

/* The used nodes: idx[k] = index into ux/uy of refs[k], or OSM_NONE when that node is not in the file.
 * ux/uy = lon/lat of each used node once, in order of first use. A sorted merge of the refs with the
 * nodes (sequential memory, not a hash lookup per ref). */
typedef struct osm_used {
    uint32_t *idx;
    double *ux, *uy;
    size_t n;
} osm_used;

static ems_status resolve_refs(osm_reader *r, osm_used *u)
{
    emscov_ctx *ctx = r->ctx;
    size_t nr = r->nrefs;
    if (r->nnodes >= OSM_NONE)
        return emscov_fail(ctx, EMS_ENOMEM, "%s: too many nodes (%zu)", r->path, r->nnodes);
    osm_pair *p = ems_malloc(ctx, nr * sizeof *p);
    uint32_t *slot_used = NULL;
    u->idx = ems_malloc(ctx, nr * sizeof *u->idx);
    if (!p || !u->idx) goto nomem;
    for (size_t k = 0; k < nr; k++)
        p[k] = (osm_pair){id_key(r->refs[k]), k};
    if (!radix_sort(ctx, p, nr)) goto nomem;
    size_t j = 0;
    for (size_t k = 0; k < nr; k++) {
        while (j < r->nnodes && id_key(r->nodes[j].id) < p[k].key)
            j++;
        u->idx[p[k].val] = j < r->nnodes && id_key(r->nodes[j].id) == p[k].key ? (uint32_t)j : OSM_NONE;
    }
    free(p);
    p = NULL;
    /* node index -> used index, in order of first use */
    slot_used = ems_malloc(ctx, (r->nnodes ? r->nnodes : 1) * sizeof *slot_used);
    if (!slot_used) goto nomem;
    memset(slot_used, 0xff, r->nnodes * sizeof *slot_used);
    size_t nu = 0;
    for (size_t k = 0; k < nr; k++)
        if (u->idx[k] != OSM_NONE && slot_used[u->idx[k]] == OSM_NONE) slot_used[u->idx[k]] = (uint32_t)nu++;
    u->ux = ems_malloc(ctx, (nu ? nu : 1) * sizeof *u->ux);
    u->uy = ems_malloc(ctx, (nu ? nu : 1) * sizeof *u->uy);
    if (!u->ux || !u->uy) goto nomem;
    for (size_t i = 0; i < r->nnodes; i++)
        if (slot_used[i] != OSM_NONE) {
            u->ux[slot_used[i]] = r->nodes[i].lon * 1e-7;
            u->uy[slot_used[i]] = r->nodes[i].lat * 1e-7;
        }
    for (size_t k = 0; k < nr; k++)
        if (u->idx[k] != OSM_NONE) u->idx[k] = slot_used[u->idx[k]];
    u->n = nu;
    free(slot_used);
    return EMS_OK;
nomem:
    free(p);
    free(slot_used);
    return EMS_ENOMEM;
}

static void used_fini(osm_used *u)
{
    free(u->idx);
    free(u->ux);
    free(u->uy);
}

/* Working CRS when none is given: UTM zone of the centre of the kept ways' nodes (lon/lat in u). */
static ems_status choose_utm(osm_reader *r, const osm_used *u, crs **out)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < u->n; i++) {
        x0 = fmin(x0, u->ux[i]);
        x1 = fmax(x1, u->ux[i]);
        y0 = fmin(y0, u->uy[i]);
        y1 = fmax(y1, u->uy[i]);
    }
    if (!(x0 <= x1))
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: the drivable ways reference no node in the file",
                           r->path);
    return crs_utm_for(r->ctx, (x0 + x1) / 2, (y0 + y1) / 2, out);
}

static ems_status feed(osm_reader *r, const crs *working, const network_build_opts *opts, network **out)
{
    emscov_ctx *ctx = r->ctx;
    crs *wgs84 = NULL, *utm = NULL;
    crs_transformer *tr = NULL;
    network_builder *b = NULL;
    double *x = NULL, *y = NULL;
    int64_t *ids = NULL;
    size_t missing = 0, ways_missing = 0, pieces_dropped = 0;
    osm_used u = {0};
    ems_status st = EMS_OK;

    if ((st = sort_nodes(r)) != EMS_OK || (st = resolve_refs(r, &u)) != EMS_OK) goto done;
    if (!working) {
        if ((st = choose_utm(r, &u, &utm)) != EMS_OK) goto done;
        working = utm;
    }
    /* every used node once into the working CRS */
    if ((st = crs_from_epsg(ctx, 4326, &wgs84)) != EMS_OK ||
        (st = crs_transformer_create(ctx, wgs84, working, &tr)) != EMS_OK ||
        (st = crs_transform_xy(ctx, tr, u.ux, u.uy, u.n)) != EMS_OK)
        goto done;
    network_build_opts o = opts ? *opts : (network_build_opts){0};
    if (!o.source) o.source = r->path;
    if ((st = network_builder_create(ctx, r->sp, working, &o, &b)) != EMS_OK) goto done;
    size_t maxref = 0;
    for (size_t i = 0; i < r->nways; i++)
        maxref = r->ways[i].nref > maxref ? r->ways[i].nref : maxref;
    x = ems_malloc(ctx, maxref * sizeof *x);
    y = ems_malloc(ctx, maxref * sizeof *y);
    ids = ems_malloc(ctx, maxref * sizeof *ids);
    if (!x || !y || !ids) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < r->nways; i++) {
        const osm_way_kept *w = &r->ways[i];
        const int64_t *refs = r->refs + w->ref0;
        const uint32_t *idx = u.idx + w->ref0;
        bool had_missing = false;
        size_t k = 0;
        while (k < w->nref) {
            /* one run of consecutive nodes present in the file */
            size_t n = 0;
            for (; k < w->nref; k++) {
                if (idx[k] == OSM_NONE) {
                    missing++;
                    had_missing = true;
                    k++;
                    break;
                }
                x[n] = u.ux[idx[k]];
                y[n] = u.uy[idx[k]];
                ids[n] = refs[k];
                n++;
            }
            if (n < 2) {
                pieces_dropped += n == 1;
                continue;
            }
            network_road road = {.x = x,
                                 .y = y,
                                 .node_ids = ids,
                                 .n = n,
                                 .road_class = r->classes[w->cls],
                                 .speed_kmh = w->maxspeed,
                                 .dir = w->dir,
                                 .name = w->name ? r->names + w->name - 1 : NULL,
                                 .record = w->id,
                                 .restricted = w->restricted};
            if ((st = network_builder_add(ctx, b, &road)) != EMS_OK) goto done;
        }
        ways_missing += had_missing;
    }
    if (missing)
        emscov_warn(ctx,
                    "%s: %zu drivable ways reference %zu nodes that are not in the file (clipped extract?): "
                    "split there, %zu single-node pieces dropped",
                    r->path, ways_missing, missing, pieces_dropped);
    if (r->too_short || r->reversible)
        emscov_warn(ctx,
                    "%s: %zu drivable ways with fewer than 2 nodes and %zu oneway=reversible ways skipped",
                    r->path, r->too_short, r->reversible);
    for (size_t i = 0; i < r->nrestr; i++) {
        const osm_restriction *rx = &r->restr[i];
        const int64_t *m = r->mem + rx->m0;
        for (size_t f = 0; f < rx->nfrom; f++)
            for (size_t t = 0; t < rx->nto; t++) {
                network_turn turn = {.from = m[f], .to = m[rx->nfrom + t], .has_via_node = rx->has_via_node,
                                     .via_node = rx->via_node, .via = m + rx->nfrom + rx->nto, .nvia = rx->nvia,
                                     .kind = rx->kind, .id = rx->id};
                if ((st = network_builder_add_turn(ctx, b, &turn)) != EMS_OK) goto done;
            }
    }
    if (r->rules.turn_table && (st = network__add_turn_table(ctx, b, r->rules.turn_table, working, NULL, -1)) != EMS_OK)
        goto done;
    network_stats *bs = network__builder_stats(b);
    bs->area_skipped = r->area_skipped;
    bs->area_used = r->area_used;
    bs->reversible_skipped = r->reversible;
    bs->ways_too_short = r->too_short;
    bs->reversible_implied = r->reversible_implied;
    bs->turns_read += r->restr_bad;
    *(r->rules.turns_off ? &bs->turns_off : &bs->turns_unresolved) += r->restr_bad;
    st = network_builder_finish(ctx, b, out);
    b = NULL; /* consumed */
done:
    network_builder_destroy(b);
    crs_transformer_destroy(tr);
    crs_destroy(wgs84);
    crs_destroy(utm);
    used_fini(&u);
    free(x);
    free(y);
    free(ids);
    return st;
}

ems_status network_build_from_osm(emscov_ctx *ctx, const char *path, const speed_profile *sp,
                                  const crs *working, const network_build_opts *opts, network **out)
{
    *out = NULL;
    osm_reader r = {.ctx = ctx, .sp = sp, .path = path, .nodes_sorted = true};
    if (opts) r.rules = opts->rules;
    ems_status st = read_file(&r);
    if (st == EMS_OK && r.nways == 0)
        st = emscov_fail(ctx, EMS_EINPUT,
                         "%s: no drivable roads (no highway=* way of a drivable class that "
                         "ambulances may use)",
                         path);
    if (st == EMS_OK) st = feed(&r, working, opts, out);
    reader_fini(&r);
    return st;
}
