/* src/output/layer_info.c: `emscov info`'s description of layers (layer_info.h). */
#include "src/output/layer_info.h"

#include "geo/crs.h"
#include "src/output/i18n.h"

#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *type_name(layer_field_type t)
{
    switch (t) {
    case LAYER_FIELD_INT:
        return "int";
    case LAYER_FIELD_DOUBLE:
        return "double";
    case LAYER_FIELD_STRING:
        return "string";
    case LAYER_FIELD_DATE:
        return "date";
    case LAYER_FIELD_LOGICAL:
        return "logical";
    }
    return "?";
}

static const char *note_kind_name(layer_note_kind k)
{
    return k == LAYER_NOTE_EMPTY ? "empty" : k == LAYER_NOTE_REPAIRED ? "repaired" : "warning";
}

static json_object *json_value(const layer *l, size_t i, size_t j)
{
    const layer_value *v = layer_value_at(l, i, j);
    if (v->is_null) return NULL;
    switch (layer_field_at(l, j)->type) {
    case LAYER_FIELD_INT:
        return json_object_new_int64(v->u.i);
    case LAYER_FIELD_DOUBLE:
        return isfinite(v->u.d) ? json_object_new_double(v->u.d) : NULL;
    case LAYER_FIELD_STRING:
        return json_object_new_string(v->u.s);
    case LAYER_FIELD_LOGICAL:
        return json_object_new_boolean(v->u.b);
    case LAYER_FIELD_DATE: {
        char d[16];
        snprintf(d, sizeof d, "%04d-%02d-%02d", (int)(v->u.date / 10000), (int)(v->u.date / 100 % 100),
                 (int)(v->u.date % 100));
        return json_object_new_string(d);
    }
    }
    return NULL;
}

static json_object *json_extent(const double e[4])
{
    json_object *a = json_object_new_array();
    for (int k = 0; k < 4; k++)
        json_object_array_add(a, json_object_new_double(e[k]));
    return a;
}

static json_object *json_crs(const crs *c, const char *source)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(crs_name(c)));
    json_object_object_add(o, "epsg", crs_epsg(c) ? json_object_new_int(crs_epsg(c)) : NULL);
    json_object_object_add(o, "geographic", json_object_new_boolean(crs_is_geographic(c)));
    if (source) json_object_object_add(o, "source", json_object_new_string(source));
    return o;
}

/* Describe one layer (already transformed into the working CRS). */
static json_object *describe(const layer *l, int samples)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "path", json_object_new_string(layer_path(l)));
    json_object_object_add(o, "format", json_object_new_string(layer_format(l)));
    json_object_object_add(o, "geometry_type", json_object_new_string(layer_geom_type(l)));
    json_object_object_add(o, "features", json_object_new_int64((int64_t)layer_count(l)));
    json_object_object_add(o, "source_records", json_object_new_int64((int64_t)layer_source_records(l)));
    json_object_object_add(o, "crs", json_crs(layer_source_crs(l), layer_crs_source(l)));
    json_object *enc = NULL;
    if (layer_encoding(l)) {
        enc = json_object_new_object();
        json_object_object_add(enc, "name", json_object_new_string(layer_encoding(l)));
        json_object_object_add(enc, "source", json_object_new_string(layer_encoding_source(l)));
    }
    json_object_object_add(o, "encoding", enc);
    double e[4];
    json_object *ext = json_object_new_object();
    json_object_object_add(ext, "source", layer_source_extent(l, e) ? json_extent(e) : NULL);
    json_object_object_add(ext, "working", layer_extent(l, e) ? json_extent(e) : NULL);
    json_object_object_add(o, "extent", ext);
    json_object_object_add(o, "repaired",
                           json_object_new_int64((int64_t)layer_note_count_kind(l, LAYER_NOTE_REPAIRED)));
    json_object_object_add(o, "empty_skipped",
                           json_object_new_int64((int64_t)layer_note_count_kind(l, LAYER_NOTE_EMPTY)));
    json_object *fields = json_object_new_array();
    for (size_t j = 0; j < layer_field_count(l); j++) {
        const layer_field *f = layer_field_at(l, j);
        json_object *fo = json_object_new_object();
        json_object_object_add(fo, "name", json_object_new_string(f->name));
        json_object_object_add(fo, "type", json_object_new_string(type_name(f->type)));
        json_object_object_add(fo, "width", json_object_new_int(f->width));
        json_object_object_add(fo, "precision", json_object_new_int(f->precision));
        json_object *sv = json_object_new_array();
        for (size_t i = 0; i < layer_count(l) && (int)i < samples; i++)
            json_object_array_add(sv, json_value(l, i, j));
        json_object_object_add(fo, "samples", sv);
        json_object_array_add(fields, fo);
    }
    json_object_object_add(o, "fields", fields);
    json_object *notes = json_object_new_array();
    for (size_t k = 0; k < layer_note_count(l); k++) {
        const layer_note *n = layer_note_at(l, k);
        json_object *no = json_object_new_object();
        json_object_object_add(no, "kind", json_object_new_string(note_kind_name(n->kind)));
        json_object_object_add(no, "record", json_object_new_int64(n->record));
        json_object_object_add(no, "text", json_object_new_string(n->text));
        json_object_array_add(notes, no);
    }
    json_object_object_add(o, "notes", notes);
    return o;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : "";
}

static json_object *jget(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static void print_crs_line(FILE *f, const char *label, json_object *c)
{
    json_object *epsg = jget(c, "epsg");
    fprintf(f, "%-12s %s", label, jstr(c, "name"));
    if (epsg) fprintf(f, " [EPSG:%d]", json_object_get_int(epsg));
    if (*jstr(c, "source")) fprintf(f, " (from %s)", jstr(c, "source"));
    fputc('\n', f);
}

static void print_extent_line(FILE *f, const char *label, json_object *e, bool geographic)
{
    if (!e) {
        fprintf(f, "%-12s (empty)\n", label);
        return;
    }
    int prec = geographic ? 6 : 2;
    fprintf(f, "%-12s %.*f, %.*f - %.*f, %.*f\n", label, prec,
            json_object_get_double(json_object_array_get_idx(e, 0)), prec,
            json_object_get_double(json_object_array_get_idx(e, 1)), prec,
            json_object_get_double(json_object_array_get_idx(e, 2)), prec,
            json_object_get_double(json_object_array_get_idx(e, 3)));
}

/* A sample value, shortened to about 24 display columns (UTF-8 aware: never cuts a character). */
static void print_sample(FILE *f, json_object *v)
{
    if (!v) {
        fputs("NULL", f);
        return;
    }
    const char *s = json_object_get_type(v) == json_type_string ? json_object_get_string(v)
                                                                : json_object_to_json_string(v);
    size_t n = 0, chars = 0;
    while (s[n] && chars < 24) {
        n++;
        while ((s[n] & 0xC0) == 0x80)
            n++;
        chars++;
    }
    fprintf(f, "%.*s%s", (int)n, s, s[n] ? "..." : "");
}

static void print_layer(FILE *f, json_object *o, json_object *working)
{
    json_object *src = jget(o, "crs");
    fprintf(f, "%s\n", jstr(o, "path"));
    fprintf(f, "%-12s %s\n", "format", jstr(o, "format"));
    fprintf(f, "%-12s %s\n", "geometry", jstr(o, "geometry_type"));
    fprintf(f, "%-12s %lld of %lld records (%lld repaired, %lld empty skipped)\n", "features",
            (long long)json_object_get_int64(jget(o, "features")),
            (long long)json_object_get_int64(jget(o, "source_records")),
            (long long)json_object_get_int64(jget(o, "repaired")),
            (long long)json_object_get_int64(jget(o, "empty_skipped")));
    print_crs_line(f, "crs", src);
    json_object *enc = jget(o, "encoding");
    if (enc) fprintf(f, "%-12s %s (%s)\n", "encoding", jstr(enc, "name"), jstr(enc, "source"));
    json_object *ext = jget(o, "extent");
    print_extent_line(f, "extent", jget(ext, "source"), json_object_get_boolean(jget(src, "geographic")));
    print_extent_line(f, "working", jget(ext, "working"),
                      json_object_get_boolean(jget(working, "geographic")));
    json_object *fields = jget(o, "fields");
    fprintf(f, "%-12s %zu\n", "fields", json_object_array_length(fields));
    for (size_t j = 0; j < json_object_array_length(fields); j++) {
        json_object *fo = json_object_array_get_idx(fields, j);
        char type[48];
        int w = json_object_get_int(jget(fo, "width")), p = json_object_get_int(jget(fo, "precision"));
        if (w > 0 && p > 0)
            snprintf(type, sizeof type, "%s(%d.%d)", jstr(fo, "type"), w, p);
        else if (w > 0)
            snprintf(type, sizeof type, "%s(%d)", jstr(fo, "type"), w);
        else
            snprintf(type, sizeof type, "%s", jstr(fo, "type"));
        fputs("  ", f);
        i18n_fpad(f, jstr(fo, "name"), 14);
        fprintf(f, " %-12s ", type);
        json_object *sv = jget(fo, "samples");
        for (size_t i = 0; i < json_object_array_length(sv); i++) {
            if (i) fputs(" | ", f);
            print_sample(f, json_object_array_get_idx(sv, i));
        }
        fputc('\n', f);
    }
    json_object *notes = jget(o, "notes");
    for (size_t k = 0; k < json_object_array_length(notes); k++) {
        json_object *n = json_object_array_get_idx(notes, k);
        long long rec = (long long)json_object_get_int64(jget(n, "record"));
        if (rec > 0)
            fprintf(f, "%-12s record %lld: %s\n", jstr(n, "kind"), rec, jstr(n, "text"));
        else
            fprintf(f, "%-12s %s\n", jstr(n, "kind"), jstr(n, "text"));
    }
}

ems_status layer_info_build(emscov_ctx *ctx, char *const *paths, size_t n, const layer_read_opts *opts,
                            const char *working_srs, int samples, json_object **out)
{
    *out = NULL;
    layer **layers = ems_calloc(ctx, n ? n : 1, sizeof *layers);
    crs *working = NULL;
    if (!layers) return EMS_ENOMEM;
    ems_status st = EMS_OK;
    for (size_t k = 0; k < n && st == EMS_OK; k++)
        st = layer_read(ctx, paths[k], opts, &layers[k]);
    if (st == EMS_OK && working_srs) {
        if ((st = crs_from_string(ctx, working_srs, &working)) == EMS_OK && !crs_is_projected_metric(working))
            st = emscov_fail(ctx, EMS_EINPUT, "--working-srs %s: %s is not a projected CRS in metres",
                             working_srs, crs_name(working));
        char given[200];
        snprintf(given, sizeof given, "--working-srs %s", working_srs);
        if (st == EMS_OK) st = layer_warn_far_crs(ctx, layers, n, working, given);
    } else if (st == EMS_OK) {
        /* layers without a single feature are still described (0 features); there is no CRS to choose */
        bool any = false;
        for (size_t k = 0; k < n; k++)
            any = any || layer_count(layers[k]) > 0;
        if (any) st = layer_choose_working_crs(ctx, layers, n, &working);
    }
    for (size_t k = 0; st == EMS_OK && working && k < n; k++)
        st = layer_transform(ctx, layers[k], working);
    if (st == EMS_OK) {
        /* shortest text that reads back to the same double, not %.17g noise such as 0.060999999999999999 */
        json_c_set_serialization_double_format("%.15g", JSON_C_OPTION_THREAD);
        json_object *o = json_object_new_object();
        json_object *wk = !working ? NULL
                                   : json_crs(working, working_srs ? "--working-srs"
                                                       : crs_equivalent(working, layer_source_crs(layers[0]))
                                                           ? "the layers' own CRS: Transverse Mercator"
                                                           : "UTM zone of the layers' centre");
        json_object_object_add(o, "working_crs", wk);
        json_object *arr = json_object_new_array();
        for (size_t k = 0; k < n; k++)
            json_object_array_add(arr, describe(layers[k], samples));
        json_object_object_add(o, "layers", arr);
        *out = o;
    }
    for (size_t k = 0; k < n; k++)
        layer_destroy(layers[k]);
    crs_destroy(working);
    free(layers);
    return st;
}

void layer_info_print(FILE *f, json_object *info)
{
    json_object *wk = jget(info, "working_crs"), *arr = jget(info, "layers");
    if (wk)
        print_crs_line(f, "working crs", wk);
    else
        fprintf(f, "%-12s none (no features in any layer)\n", "working crs");
    for (size_t k = 0; k < json_object_array_length(arr); k++) {
        fputc('\n', f);
        print_layer(f, json_object_array_get_idx(arr, k), wk);
    }
}
