/* src/cli/cmd_info.c: `emscov info PATH...`: options; the description is src/output/layer_info's. */
#include "src/cli/cli.h"
#include "src/output/layer_info.h"

#include <json-c/json.h>
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
    "                    Transverse Mercator one (UTM, Gauss-Kruger) near its central meridian, else the "
    "UTM\n"
    "                    zone of the layers' centre\n";

ems_status cmd_info(emscov_ctx *ctx, int argc, char **argv)
{
    layer_read_opts opts = {0};
    bool as_json = false;
    int samples = 3;
    const char *working_srs = NULL, *samples_text = NULL;
    char **paths = ems_calloc(ctx, (size_t)argc, sizeof *paths);
    size_t npaths = 0;
    json_object *out = NULL;
    ems_status st = EMS_OK;
    if (!paths) {
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
    if (opts.conninfo && !strcmp(opts.conninfo, "env")) opts.conninfo = "";
    if ((st = layer_info_build(ctx, paths, npaths, &opts, working_srs, samples, &out)) != EMS_OK) goto done;
    if (as_json)
        puts(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    else
        layer_info_print(stdout, out);
done:
    json_object_put(out);
    free(paths);
    return st;
}
