/* tests/fuzz/fuzz_layer.c: libFuzzer harness for the layer readers (shapefile + DBF, GeoJSON, CSV) and the
 * line-layer road network builder. The first input byte picks the format: 0 GeoJSON, 1 CSV, 2 shapefile.
 * For a shapefile the next two bytes (little-endian) give the length of the .shp part; the .shp part follows
 * and the rest is the .dbf (no .shx: the reader rebuilds it, which is part of what is fuzzed). Files are written
 * to $TMPDIR; when a line layer reads, a road network is built from it with the default speed profile.
 * Any status is fine; a crash, sanitizer report, leak or hang is a bug. */
#include "geo/layer.h"
#include "geo/network.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char base[512], path[600], dbf[600];
    snprintf(base, sizeof base, "%s/emscov-fuzz-layer-%ld", tmp, (long)getpid());
    int kind = data[0] % 3;
    const char *ext = kind == 0 ? "geojson" : kind == 1 ? "csv" : "shp";
    snprintf(path, sizeof path, "%s.%s", base, ext);
    snprintf(dbf, sizeof dbf, "%s.dbf", base);
    if (kind < 2) {
        write_file(path, data + 1, size - 1);
    } else {
        if (size < 3)
            return 0;
        size_t n = (size_t)data[1] | (size_t)data[2] << 8;
        if (n > size - 3)
            n = size - 3;
        write_file(path, data + 3, n);
        write_file(dbf, data + 3 + n, size - 3 - n);
    }
    emscov_ctx *ctx = emscov_ctx_create();
    layer_read_opts o = {.srs = kind == 2 ? "EPSG:32650" : NULL, .encoding = size % 2 ? "GBK" : NULL};
    layer *l = NULL;
    if (layer_read(ctx, path, &o, &l) == EMS_OK && l) {
        speed_profile *sp = NULL;
        if (speed_profile_load(ctx, EMSCOV_SOURCE_DIR "/data/speed/default.ini", &sp) == EMS_OK) {
            network *net = NULL;
            if (kind == 2 || crs_is_projected_metric(layer_crs(l))) {
                network_fields f = {.road_class = "CLASS", .speed = "SPEED", .oneway = "ONEWAY"};
                if (layer_field_index(l, "CLASS") < 0 || layer_field_index(l, "SPEED") < 0 ||
                    layer_field_index(l, "ONEWAY") < 0)
                    f = (network_fields){0};
                if (network_build_from_layer(ctx, l, &f, sp, NULL, &net) == EMS_OK)
                    network_destroy(net);
            }
            speed_profile_destroy(sp);
        }
        layer_destroy(l);
    }
    emscov_ctx_destroy(ctx);
    unlink(path);
    unlink(dbf);
    return 0;
}
