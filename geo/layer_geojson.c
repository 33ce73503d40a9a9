/* geo/layer_geojson.c: the GeoJSON reader behind layer_read (RFC 7946; the legacy 2008 "crs" member is
 * honoured). The whole file is parsed with json-c, then read in two passes over the features: the first
 * checks every feature and infers one type per property key (the union of keys, in first-seen order), the
 * second appends the features. Geometries go through the GEOS GeoJSON reader; a missing or null geometry is
 * appended as NULL, one without coordinates ("coordinates": []) as the empty geometry GEOS reads: the layer
 * keeps both as skipped records (NULL vs empty geometry) with their properties. Attribute strings point into the json-c tree
 * and are copied by layer_append_take. Record numbers are 1-based feature indexes. */
#include "geo/encoding.h"
#include "geo/layer_internal.h"

#include <json-c/json.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GJ_MAX_DEPTH 128

/* What the values of one property key were, over all features. */
enum {
    SEEN_INT = 1 << 0,
    SEEN_DOUBLE = 1 << 1,
    SEEN_BOOL = 1 << 2,
    SEEN_STRING = 1 << 3,
    SEEN_JSON = 1 << 4, /* object or array */
};

typedef struct gj_key {
    const char *name; /* borrowed from the json-c tree */
    unsigned seen;
} gj_key;

typedef struct gj_reader {
    emscov_ctx *ctx;
    const char *path;
    json_object *root;
    json_object *single[1]; /* the root when it is one Feature */
    size_t nfeatures;
    gj_key *keys;
    size_t nkeys, keys_cap;
    layer *l;
    GEOSGeoJSONReader *geos_reader;
} gj_reader;

static json_object *feature_at(const gj_reader *r, json_object *array, size_t i)
{
    return array ? json_object_array_get_idx(array, i) : r->single[0];
}

/* An int that does not fit int64 (json-c keeps it as uint64) is treated as a double. */
static bool fits_int64(json_object *v)
{
    return !(json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX);
}

static unsigned seen_bit(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null:
        return 0;
    case json_type_boolean:
        return SEEN_BOOL;
    case json_type_int:
        return fits_int64(v) ? SEEN_INT : SEEN_DOUBLE;
    case json_type_double:
        return SEEN_DOUBLE;
    case json_type_string:
        return SEEN_STRING;
    case json_type_object:
    case json_type_array:
        return SEEN_JSON;
    }
    return SEEN_STRING;
}

/* Type rule: all bool -> LOGICAL, all int -> INT, int + double -> DOUBLE, anything else (strings, mixes,
 * objects/arrays, all null) -> STRING holding the JSON text of each value. */
static layer_field_type key_type(unsigned seen)
{
    if (seen == SEEN_BOOL) return LAYER_FIELD_LOGICAL;
    if (seen == SEEN_INT) return LAYER_FIELD_INT;
    if (seen && (seen & ~(unsigned)(SEEN_INT | SEEN_DOUBLE)) == 0) return LAYER_FIELD_DOUBLE;
    return LAYER_FIELD_STRING;
}

static ems_status syntax_error(gj_reader *r, const char *buf, size_t len, json_tokener *tok)
{
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t off = json_tokener_get_parse_end(tok);
    if (off > len) off = len;
    long line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    const char *desc = e == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc(e);
    return emscov_fail(r->ctx, EMS_EINPUT, "%s: JSON syntax error at line %ld, column %ld: %s", r->path, line,
                       col, desc);
}

static ems_status parse_file(gj_reader *r)
{
    char *buf = NULL;
    size_t len = 0;
    ems_status st = ems_read_file(r->ctx, r->path, &buf, &len);
    if (st != EMS_OK) return st;
    size_t skip = 0;
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
        (unsigned char)buf[2] == 0xBF)
        skip = 3;
    if (len - skip > (size_t)INT32_MAX) {
        free(buf);
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: file too large for the GeoJSON reader (over 2 GiB)",
                           r->path);
    }
    json_tokener *tok = json_tokener_new_ex(GJ_MAX_DEPTH);
    if (!tok) {
        free(buf);
        return emscov_fail(r->ctx, EMS_ENOMEM, "out of memory");
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    r->root = json_tokener_parse_ex(tok, buf + skip, (int)(len - skip));
    if (!r->root || json_tokener_get_error(tok) != json_tokener_success) {
        if (json_tokener_get_error(tok) == json_tokener_success && !r->root)
            st = emscov_fail(r->ctx, EMS_EINPUT, "%s: not GeoJSON: the file holds only null", r->path);
        else
            st = syntax_error(r, buf + skip, len - skip, tok);
        json_object_put(r->root);
        r->root = NULL;
    }
    json_tokener_free(tok);
    free(buf);
    return st;
}

static const char *type_member(json_object *o)
{
    json_object *t = NULL;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "type", &t) ||
        !json_object_is_type(t, json_type_string))
        return NULL;
    return json_object_get_string(t);
}

/* The features array of a FeatureCollection (or NULL with r->single set for a lone Feature). */
static ems_status find_features(gj_reader *r, json_object **array)
{
    *array = NULL;
    const char *type = type_member(r->root);
    if (type && strcmp(type, "Feature") == 0) {
        r->single[0] = r->root;
        r->nfeatures = 1;
        return EMS_OK;
    }
    if (!type || strcmp(type, "FeatureCollection") != 0)
        return emscov_fail(r->ctx, EMS_EINPUT,
                           "%s: not a GeoJSON FeatureCollection or Feature (top-level "
                           "\"type\" is %s%s%s)",
                           r->path, type ? "\"" : "", type ? type : "missing", type ? "\"" : "");
    json_object *f = NULL;
    if (!json_object_object_get_ex(r->root, "features", &f) || !json_object_is_type(f, json_type_array))
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: FeatureCollection: \"features\" is %s, not an array",
                           r->path, f ? json_type_to_name(json_object_get_type(f)) : "missing");
    *array = f;
    r->nfeatures = json_object_array_length(f);
    return EMS_OK;
}

static ems_status check_utf8(gj_reader *r, size_t fi, const char *key, const char *s, size_t n)
{
    if (strlen(s) != n)
        return emscov_fail(r->ctx, EMS_EINPUT,
                           "%s: feature %zu: property \"%s\": text contains a NUL "
                           "character (\\u0000)",
                           r->path, fi + 1, key);
    if (!encoding_is_utf8(s, n))
        return emscov_fail(r->ctx, EMS_EINPUT,
                           "%s: feature %zu: property \"%s\": not valid UTF-8 (RFC 8259 "
                           "requires UTF-8)",
                           r->path, fi + 1, key);
    return EMS_OK;
}

static long key_index(const gj_reader *r, const char *name)
{
    for (size_t k = 0; k < r->nkeys; k++)
        if (strcmp(r->keys[k].name, name) == 0) return (long)k;
    return -1;
}

/* Pass 1: every feature is a Feature, property keys and their types. */
static ems_status scan_features(gj_reader *r, json_object *array)
{
    for (size_t i = 0; i < r->nfeatures; i++) {
        json_object *f = feature_at(r, array, i);
        const char *type = type_member(f);
        if (!type || strcmp(type, "Feature") != 0)
            return emscov_fail(r->ctx, EMS_EINPUT, "%s: feature %zu: not a GeoJSON Feature (%s%s%s)", r->path,
                               i + 1, type ? "\"type\" is \"" : "no \"type\": \"Feature\" member",
                               type ? type : "", type ? "\"" : "");
        json_object *props = NULL;
        if (!json_object_object_get_ex(f, "properties", &props) || !props) continue;
        if (!json_object_is_type(props, json_type_object))
            return emscov_fail(r->ctx, EMS_EINPUT,
                               "%s: feature %zu: \"properties\" is %s, not an object or "
                               "null",
                               r->path, i + 1, json_type_to_name(json_object_get_type(props)));
        json_object_object_foreach(props, key, val)
        {
            ems_status st = check_utf8(r, i, key, key, strlen(key));
            if (st != EMS_OK) return st;
            if (json_object_is_type(val, json_type_string)) {
                st = check_utf8(r, i, key, json_object_get_string(val),
                                (size_t)json_object_get_string_len(val));
                if (st != EMS_OK) return st;
            }
            long k = key_index(r, key);
            if (k < 0) {
                if (!ems_grow(r->ctx, (void **)&r->keys, &r->keys_cap, r->nkeys + 1, sizeof *r->keys))
                    return EMS_ENOMEM;
                r->keys[r->nkeys] = (gj_key){.name = key};
                k = (long)r->nkeys++;
            }
            r->keys[k].seen |= seen_bit(val);
        }
    }
    return EMS_OK;
}

/* CRS: --srs, else the legacy "crs" member, else WGS 84 (RFC 7946). */
static ems_status set_crs(gj_reader *r, const layer_read_opts *opts)
{
    emscov_ctx *ctx = r->ctx;
    crs *c = NULL;
    const char *source;
    ems_status st;
    json_object *member = NULL;
    if (opts->srs) {
        st = crs_from_string(ctx, opts->srs, &c);
        source = "--srs";
    } else if (json_object_object_get_ex(r->root, "crs", &member) && member) {
        json_object *props = NULL, *name = NULL;
        const char *type = type_member(member);
        const char *key = type && strcmp(type, "EPSG") == 0 ? "code" : "name";
        if (!type || (strcmp(type, "name") != 0 && strcmp(type, "EPSG") != 0) ||
            !json_object_object_get_ex(member, "properties", &props) ||
            !json_object_object_get_ex(props, key, &name) ||
            !(json_object_is_type(name, json_type_string) || json_object_is_type(name, json_type_int)))
            return emscov_fail(
                ctx, EMS_EINPUT,
                "%s: \"crs\" member: expected {\"type\": \"name\", "
                "\"properties\": {\"name\": \"urn:ogc:def:crs:EPSG::<code>\"}}; give the CRS with "
                "--srs",
                r->path);
        st = crs_from_string(ctx, json_object_get_string(name), &c);
        if (st == EMS_EINPUT) {
            char why[512];
            snprintf(why, sizeof why, "%s", emscov_message(ctx));
            return emscov_fail(ctx, EMS_EINPUT, "%s: \"crs\" member: %s", r->path, why);
        }
        source = "GeoJSON \"crs\" member";
    } else {
        st = crs_from_epsg(ctx, 4326, &c);
        source = "GeoJSON default (RFC 7946: WGS 84)";
    }
    if (st == EMS_OK) st = layer_set_crs(ctx, r->l, c, source);
    crs_destroy(c);
    return st;
}

/* Is v a position (an array of 2 or more numbers)? */
static bool is_position(json_object *v)
{
    if (!json_object_is_type(v, json_type_array)) return false;
    size_t n = json_object_array_length(v);
    if (n < 2) return false;
    for (size_t k = 0; k < n; k++) {
        json_object *c = json_object_array_get_idx(v, k);
        if (!json_object_is_type(c, json_type_double) && !json_object_is_type(c, json_type_int)) return false;
    }
    return true;
}

/* Is v nested arrays `depth` deep with positions at the bottom (depth 0: a position)? Empty arrays are allowed
 * above the positions (empty geometries). */
static bool positions_at(json_object *v, int depth)
{
    if (depth == 0) return is_position(v);
    if (!json_object_is_type(v, json_type_array)) return false;
    for (size_t k = 0; k < json_object_array_length(v); k++)
        if (!positions_at(json_object_array_get_idx(v, k), depth - 1)) return false;
    return true;
}

/* The shape of a geometry's coordinates, checked before GEOS reads it: GEOS 3.11's GeoJSON reader dereferences
 * an empty position ([] inside a MultiLineString's coordinates: SIGSEGV, found by fuzz_layer). Types it does
 * not know are left to GEOS's own message. */
static bool geometry_shape_ok(json_object *g, int nesting)
{
    json_object *type = NULL, *coords = NULL, *geoms = NULL;
    if (!json_object_is_type(g, json_type_object) || !json_object_object_get_ex(g, "type", &type) ||
        !json_object_is_type(type, json_type_string))
        return true; /* GEOS says what is wrong */
    const char *t = json_object_get_string(type);
    if (!strcmp(t, "GeometryCollection")) {
        if (nesting > 8 || !json_object_object_get_ex(g, "geometries", &geoms) ||
            !json_object_is_type(geoms, json_type_array))
            return false;
        for (size_t k = 0; k < json_object_array_length(geoms); k++)
            if (!geometry_shape_ok(json_object_array_get_idx(geoms, k), nesting + 1)) return false;
        return true;
    }
    static const struct {
        const char *type;
        int depth;
    } shapes[] = {{"Point", 0}, {"MultiPoint", 1}, {"LineString", 1}, {"MultiLineString", 2}, {"Polygon", 2},
                  {"MultiPolygon", 3}};
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++)
        if (!strcmp(t, shapes[k].type)) {
            if (!json_object_object_get_ex(g, "coordinates", &coords)) return false;
            /* an empty Point is [] */
            if (shapes[k].depth == 0 && json_object_is_type(coords, json_type_array) &&
                json_object_array_length(coords) == 0)
                return true;
            return positions_at(coords, shapes[k].depth);
        }
    return true;
}

static ems_status read_geometry(gj_reader *r, json_object *f, size_t i, GEOSGeometry **out)
{
    *out = NULL;
    json_object *g = NULL;
    if (!json_object_object_get_ex(f, "geometry", &g) || !g) return EMS_OK;
    if (!geometry_shape_ok(g, 0))
        return emscov_fail(r->ctx, EMS_EINPUT,
                           "%s: feature %zu: geometry: coordinates not nested as its type needs (positions are "
                           "arrays of 2 or 3 numbers)",
                           r->path, i + 1);
    const char *text = json_object_to_json_string_ext(g, JSON_C_TO_STRING_PLAIN);
    if (!text) return emscov_fail(r->ctx, EMS_ENOMEM, "out of memory");
    *out = GEOSGeoJSONReader_readGeometry_r(emscov_geos(r->ctx), r->geos_reader, text);
    if (!*out)
        return emscov_fail(r->ctx, EMS_EINPUT, "%s: feature %zu: geometry: %s", r->path, i + 1,
                           *emscov_lib_message(r->ctx) ? emscov_lib_message(r->ctx)
                                                       : "not a GeoJSON geometry");
    return EMS_OK;
}

static void fill_value(const gj_key *k, json_object *v, layer_value *out)
{
    *out = (layer_value){.is_null = true};
    if (!v || json_object_is_type(v, json_type_null)) return;
    out->is_null = false;
    switch (key_type(k->seen)) {
    case LAYER_FIELD_LOGICAL:
        out->u.b = json_object_get_boolean(v);
        break;
    case LAYER_FIELD_INT:
        out->u.i = json_object_get_int64(v);
        break;
    case LAYER_FIELD_DOUBLE:
        out->u.d = json_object_get_double(v);
        break;
    default:
        if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
            out->u.s =
                json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        else
            out->u.s = json_object_get_string(v); /* numbers and booleans as their JSON text */
        break;
    }
}

/* Pass 2: append every feature. */
static ems_status append_features(gj_reader *r, json_object *array)
{
    layer_value *values = NULL;
    if (r->nkeys && !(values = ems_calloc(r->ctx, r->nkeys, sizeof *values))) return EMS_ENOMEM;
    ems_status st = EMS_OK;
    for (size_t i = 0; i < r->nfeatures && st == EMS_OK; i++) {
        json_object *f = feature_at(r, array, i);
        GEOSGeometry *g = NULL;
        st = read_geometry(r, f, i, &g);
        if (st != EMS_OK) break;
        json_object *props = NULL;
        json_object_object_get_ex(f, "properties", &props);
        for (size_t k = 0; k < r->nkeys; k++) {
            json_object *v = NULL;
            if (props) json_object_object_get_ex(props, r->keys[k].name, &v);
            fill_value(&r->keys[k], v, &values[k]);
        }
        st = layer_append_take(r->ctx, r->l, g, (int64_t)i + 1, values);
    }
    free(values);
    return st;
}

ems_status layer__read_geojson(emscov_ctx *ctx, const char *path, const layer_read_opts *opts, layer **out)
{
    static const layer_read_opts defaults;
    if (!opts) opts = &defaults;
    *out = NULL;
    gj_reader r = {.ctx = ctx, .path = path};
    json_object *array = NULL;
    ems_status st = parse_file(&r);
    if (st == EMS_OK) st = find_features(&r, &array);
    if (st == EMS_OK) st = scan_features(&r, array);
    if (st == EMS_OK) st = layer_create(ctx, path, "GeoJSON", NULL, &r.l);
    for (size_t k = 0; k < r.nkeys && st == EMS_OK; k++)
        st = layer_add_field(ctx, r.l, r.keys[k].name, key_type(r.keys[k].seen), 0, 0);
    if (st == EMS_OK) st = set_crs(&r, opts);
    if (st == EMS_OK) st = layer_set_encoding(ctx, r.l, "UTF-8", "GeoJSON (RFC 8259)");
    if (st == EMS_OK && !(r.geos_reader = GEOSGeoJSONReader_create_r(emscov_geos(ctx))))
        st = emscov_fail(ctx, EMS_ENOMEM, "out of memory (GEOS GeoJSON reader)");
    if (st == EMS_OK) st = append_features(&r, array);
    if (st == EMS_OK) {
        layer_set_source_records(r.l, r.nfeatures);
        st = layer_finish_read(ctx, r.l, opts);
    }
    if (r.geos_reader) GEOSGeoJSONReader_destroy_r(emscov_geos(ctx), r.geos_reader);
    free(r.keys);
    json_object_put(r.root);
    if (st != EMS_OK) {
        layer_destroy(r.l);
        return st;
    }
    *out = r.l;
    return EMS_OK;
}
