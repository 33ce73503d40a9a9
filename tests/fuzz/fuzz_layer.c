/* tests/fuzz/fuzz_layer.c: libFuzzer target for the layer readers (shapefile + DBF, GeoJSON, CSV) and the
 * line-layer road network builder, in memory through the run context's I/O hook (fuzz_io.h): no files.
 * The first input byte picks the format: 0 GeoJSON, 1 CSV, 2 shapefile. For a shapefile the next two bytes
 * (little-endian) give the length of the .shp part; the .shp part follows and the rest is the .dbf (no .shx:
 * the reader rebuilds it, which is part of what is fuzzed). When a line layer reads, a road network is built
 * from it with the default speed profile. Any status is fine; a crash, sanitizer report, leak or hang is a bug. */
#include "fuzz_io.h"
#include "geo/layer.h"
#include "geo/network.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static emscov_ctx *ctx;
static speed_profile *sp;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ctx = fuzz_io_ctx();
    if (speed_profile_load(ctx, EMSCOV_SOURCE_DIR "/data/speed/default.ini", &sp) != EMS_OK) {
        fprintf(stderr, "fuzz_layer: %s\n", emscov_message(ctx));
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int kind = data[0] % 3;
    const char *path = kind == 0 ? "/fuzz/in.geojson" : kind == 1 ? "/fuzz/in.csv" : "/fuzz/in.shp";
    if (kind < 2) {
        fuzz_io_put(path, data + 1, size - 1);
    } else {
        if (size < 3) return 0;
        size_t n = (size_t)data[1] | (size_t)data[2] << 8;
        if (n > size - 3) n = size - 3;
        fuzz_io_put(path, data + 3, n);
        fuzz_io_put("/fuzz/in.dbf", data + 3 + n, size - 3 - n);
    }
    layer_read_opts o = {.srs = kind == 2 ? "EPSG:32650" : NULL, .encoding = size % 2 ? "GBK" : NULL};
    layer *l = NULL;
    ems_status st = layer_read(ctx, path, &o, &l);
    if ((st == EMS_OK) != (l != NULL)) abort(); /* a layer exactly when the status is OK */
    if (l && (kind == 2 || crs_is_projected_metric(layer_crs(l)))) {
        network_fields f = {.road_class = "CLASS", .speed = "SPEED", .oneway = "ONEWAY"};
        if (layer_field_index(l, "CLASS") < 0 || layer_field_index(l, "SPEED") < 0 ||
            layer_field_index(l, "ONEWAY") < 0)
            f = (network_fields){0};
        network *net = NULL;
        st = network_build_from_layer(ctx, l, &f, sp, NULL, &net);
        if ((st == EMS_OK) != (net != NULL)) abort();
        network_destroy(net);
    }
    layer_destroy(l);
    fuzz_io_clear();
    emscov_clear(ctx);
    return 0;
}
