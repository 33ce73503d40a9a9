/* src/cli/cmd_info.c: `emscov info PATH...` -- a focused ogrinfo for GIS staff. Every layer is read, the
 * working CRS is chosen for all of them together (as a run would), and each layer is described once as a
 * JSON object; the text output is rendered from that same object, so --json and text cannot disagree. */
#include "src/cli/cli.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char info_help[] =
    "usage: emscov info [OPTIONS] PATH...\n"
    "\n"
    "Describe layers (shapefile, GeoJSON, CSV points, GeoPackage x.gpkg[:TABLE], pg:[schema.]table, and\n"
    "every vector format GDAL reads: x.fgb, x.kml, x.gml, x.tab, x.gdb:LAYER, ...): format, geometry type,\n"
    "feature count, CRS (name, EPSG, where it came from), text encoding and how it was detected, extent in\n"
    "the source and the working CRS, fields with types and sample values, and every geometry repaired or\n"
    "skipped.\n"
    "\n"
    "options:\n"
    "  --json            print one JSON object instead of text\n"
    "  --samples N       sample values per field (default 3)\n"
    "  --db CONNINFO     database of pg: sources: libpq conninfo or URI; env or \"\": the PG* environment\n"
    "                    (the default)\n"
    "  --working-srs SRS working CRS (projected, metres); default: the layers' own CRS when they share a\n"
    "                    Transverse Mercator one (UTM, Gauss-Kruger) near its central meridian, else the UTM\n"
    "                    zone of the layers' centre\n";

static const char *type_name(layer_field_type t)
{
    switch (t) {
    case LAYER_FIELD_INT: return "int";
    case LAYER_FIELD_DOUBLE: return "double";
    case LAYER_FIELD_STRING: return "string";
    case LAYER_FIELD_DATE: return "date";
    case LAYER_FIELD_LOGICAL: return "logical";
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
    if (v->is_null)
        return NULL;
    switch (layer_field_at(l, j)->type) {
    case LAYER_FIELD_INT: return json_object_new_int64(v->u.i);
    case LAYER_FIELD_DOUBLE: return isfinite(v->u.d) ? json_object_new_double(v->u.d) : NULL;
    case LAYER_FIELD_STRING: return json_object_new_string(v->u.s);
    case LAYER_FIELD_LOGICAL: return json_object_new_boolean(v->u.b);
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
    if (source)
        json_object_object_add(o, "source", json_object_new_string(source));
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
    json_object_object_add(o, "repaired", json_object_new_int64((int64_t)layer_note_count_kind(l, LAYER_NOTE_REPAIRED)));
    json_object_object_add(o, "empty_skipped", json_object_new_int64((int64_t)layer_note_count_kind(l, LAYER_NOTE_EMPTY)));
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

static void print_crs_line(const char *label, json_object *c)
{
    json_object *epsg = jget(c, "epsg");
    printf("%-12s %s", label, jstr(c, "name"));
    if (epsg)
        printf(" [EPSG:%d]", json_object_get_int(epsg));
    if (*jstr(c, "source"))
        printf(" (from %s)", jstr(c, "source"));
    putchar('\n');
}

static void print_extent_line(const char *label, json_object *e, bool geographic)
{
    if (!e) {
        printf("%-12s (empty)\n", label);
        return;
    }
    int prec = geographic ? 6 : 2;
    printf("%-12s %.*f, %.*f - %.*f, %.*f\n", label, prec, json_object_get_double(json_object_array_get_idx(e, 0)),
           prec, json_object_get_double(json_object_array_get_idx(e, 1)), prec,
           json_object_get_double(json_object_array_get_idx(e, 2)), prec,
           json_object_get_double(json_object_array_get_idx(e, 3)));
}

/* A sample value, shortened to about 24 display columns (UTF-8 aware: never cuts a character). */
static void print_sample(json_object *v)
{
    if (!v) {
        fputs("NULL", stdout);
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
    printf("%.*s%s", (int)n, s, s[n] ? "..." : "");
}

static void print_layer_text(json_object *o, json_object *working)
{
    json_object *src = jget(o, "crs");
    printf("%s\n", jstr(o, "path"));
    printf("%-12s %s\n", "format", jstr(o, "format"));
    printf("%-12s %s\n", "geometry", jstr(o, "geometry_type"));
    printf("%-12s %lld of %lld records (%lld repaired, %lld empty skipped)\n", "features",
           (long long)json_object_get_int64(jget(o, "features")),
           (long long)json_object_get_int64(jget(o, "source_records")),
           (long long)json_object_get_int64(jget(o, "repaired")),
           (long long)json_object_get_int64(jget(o, "empty_skipped")));
    print_crs_line("crs", src);
    json_object *enc = jget(o, "encoding");
    if (enc)
        printf("%-12s %s (%s)\n", "encoding", jstr(enc, "name"), jstr(enc, "source"));
    json_object *ext = jget(o, "extent");
    print_extent_line("extent", jget(ext, "source"), json_object_get_boolean(jget(src, "geographic")));
    print_extent_line("working", jget(ext, "working"), json_object_get_boolean(jget(working, "geographic")));
    json_object *fields = jget(o, "fields");
    printf("%-12s %zu\n", "fields", json_object_array_length(fields));
    for (size_t j = 0; j < json_object_array_length(fields); j++) {
        json_object *f = json_object_array_get_idx(fields, j);
        char type[48];
        int w = json_object_get_int(jget(f, "width")), p = json_object_get_int(jget(f, "precision"));
        if (w > 0 && p > 0)
            snprintf(type, sizeof type, "%s(%d.%d)", jstr(f, "type"), w, p);
        else if (w > 0)
            snprintf(type, sizeof type, "%s(%d)", jstr(f, "type"), w);
        else
            snprintf(type, sizeof type, "%s", jstr(f, "type"));
        fputs("  ", stdout);
        cli_print_padded(jstr(f, "name"), 14);
        printf(" %-12s ", type);
        json_object *sv = jget(f, "samples");
        for (size_t i = 0; i < json_object_array_length(sv); i++) {
            if (i)
                fputs(" | ", stdout);
            print_sample(json_object_array_get_idx(sv, i));
        }
        putchar('\n');
    }
    json_object *notes = jget(o, "notes");
    for (size_t k = 0; k < json_object_array_length(notes); k++) {
        json_object *n = json_object_array_get_idx(notes, k);
        long long rec = (long long)json_object_get_int64(jget(n, "record"));
        if (rec > 0)
            printf("%-12s record %lld: %s\n", jstr(n, "kind"), rec, jstr(n, "text"));
        else
            printf("%-12s %s\n", jstr(n, "kind"), jstr(n, "text"));
    }
}

ems_status cmd_info(emscov_ctx *ctx, int argc, char **argv)
{
    layer_read_opts opts = {0};
    bool as_json = false;
    int samples = 3;
    const char *working_srs = NULL, *samples_text = NULL;
    char **paths = ems_calloc(ctx, (size_t)argc, sizeof *paths);
    layer **layers = ems_calloc(ctx, (size_t)argc, sizeof *layers);
    size_t npaths = 0;
    crs *working = NULL;
    json_object *out = NULL;
    ems_status st = EMS_OK;
    if (!paths || !layers) {
        st = EMS_ENOMEM;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        int r;
        if (cli_flag(argv, i, "help") || !strcmp(argv[i], "-h")) {
            printf("%s%s", info_help, cli_layer_opts_help);
            goto done;
        }
        if (cli_flag(argv, i, "json")) {
            as_json = true;
            continue;
        }
        if ((r = cli_opt(ctx, argc, argv, &i, "samples", &samples_text)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "working-srs", &working_srs)) != 0 ||
            (r = cli_opt(ctx, argc, argv, &i, "db", &opts.conninfo)) != 0 ||
            (r = cli_layer_opt(ctx, argc, argv, &i, &opts)) != 0) {
            if (r < 0) {
                st = EMS_EINPUT;
                goto done;
            }
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            st = emscov_fail(ctx, EMS_EINPUT, "info: unknown option %s (emscov info --help)", argv[i]);
            goto done;
        }
        paths[npaths++] = argv[i];
    }
    if (samples_text) {
        char *end;
        long v = strtol(samples_text, &end, 10);
        if (*end || v < 0 || v > 1000) {
            st = emscov_fail(ctx, EMS_EINPUT, "--samples: not a count 0..1000: \"%s\"", samples_text);
            goto done;
        }
        samples = (int)v;
    }
    if (npaths == 0) {
        st = emscov_fail(ctx, EMS_EINPUT, "info: no PATH given (emscov info --help)");
        goto done;
    }
    if (opts.conninfo && !strcmp(opts.conninfo, "env"))
        opts.conninfo = "";
    for (size_t k = 0; k < npaths; k++)
        if ((st = layer_read(ctx, paths[k], &opts, &layers[k])) != EMS_OK)
            goto done;
    if (working_srs) {
        if ((st = crs_from_string(ctx, working_srs, &working)) != EMS_OK)
            goto done;
        if (!crs_is_projected_metric(working)) {
            st = emscov_fail(ctx, EMS_EINPUT, "--working-srs %s: %s is not a projected CRS in metres", working_srs,
                             crs_name(working));
            goto done;
        }
        char given[200];
        snprintf(given, sizeof given, "--working-srs %s", working_srs);
        if ((st = layer_warn_far_crs(ctx, layers, npaths, working, given)) != EMS_OK)
            goto done;
    } else {
        /* layers without a single feature are still described (0 features); there is no CRS to choose */
        bool any = false;
        for (size_t k = 0; k < npaths; k++)
            any = any || layer_count(layers[k]) > 0;
        if (any && (st = layer_choose_working_crs(ctx, layers, npaths, &working)) != EMS_OK)
            goto done;
    }
    for (size_t k = 0; working && k < npaths; k++)
        if ((st = layer_transform(ctx, layers[k], working)) != EMS_OK)
            goto done;

    /* shortest text that reads back to the same double, not %.17g noise such as 0.060999999999999999 */
    json_c_set_serialization_double_format("%.15g", JSON_C_OPTION_THREAD);
    out = json_object_new_object();
    json_object *wk = !working ? NULL
                      : json_crs(working, working_srs                                   ? "--working-srs"
                                          : crs_equivalent(working, layer_source_crs(layers[0]))
                                              ? "the layers' own CRS: Transverse Mercator"
                                              : "UTM zone of the layers' centre");
    json_object_object_add(out, "working_crs", wk);
    json_object *arr = json_object_new_array();
    for (size_t k = 0; k < npaths; k++)
        json_object_array_add(arr, describe(layers[k], samples));
    json_object_object_add(out, "layers", arr);
    if (as_json) {
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    } else {
        if (wk)
            print_crs_line("working crs", wk);
        else
            printf("%-12s none (no features in any layer)\n", "working crs");
        for (size_t k = 0; k < npaths; k++) {
            putchar('\n');
            print_layer_text(json_object_array_get_idx(arr, k), wk);
        }
    }
done:
    json_object_put(out);
    for (size_t k = 0; k < npaths; k++)
        layer_destroy(layers[k]);
    crs_destroy(working);
    free(layers);
    free(paths);
    return st;
}
