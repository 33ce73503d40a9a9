/* tests/fuzz/fuzz_osm.c: libFuzzer target for the OpenStreetMap road reader (network_build_from_osm).
 *
 * Each input is written to a temporary file and read as a road network with the default speed profile:
 * inputs starting like XML ('<', a blank, or a UTF-8 byte-order mark) as .osm, all others as .osm.pbf. Any
 * status is fine; a crash, a sanitizer report, a leak or a hang is a bug. See README.md beside this file. */
#include "geo/network.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef EMSCOV_SOURCE_DIR
#error "EMSCOV_SOURCE_DIR must name the source tree (for data/speed/default.ini)"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static emscov_ctx *ctx;
static speed_profile *sp;
static crs *working;
static char xml_path[512], pbf_path[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ctx = emscov_ctx_create();
    if (!ctx || speed_profile_load(ctx, EMSCOV_SOURCE_DIR "/data/speed/default.ini", &sp) != EMS_OK ||
        crs_from_epsg(ctx, 32650, &working) != EMS_OK) {
        fprintf(stderr, "fuzz_osm: setup failed: %s\n", ctx ? emscov_message(ctx) : "no ctx");
        abort();
    }
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    snprintf(xml_path, sizeof xml_path, "%s/emscov-fuzz-osm-%ld.osm", tmp, (long)getpid());
    snprintf(pbf_path, sizeof pbf_path, "%s/emscov-fuzz-osm-%ld.osm.pbf", tmp, (long)getpid());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool xml = size > 0 && (data[0] == '<' || data[0] == ' ' || data[0] == '\t' || data[0] == '\n' ||
                            data[0] == '\r' || data[0] == 0xEF);
    const char *path = xml ? xml_path : pbf_path;
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    network *net = NULL;
    /* half the inputs use the fixed working CRS, the others let the reader choose a UTM zone */
    const crs *w = (size % 2) ? working : NULL;
    ems_status st = network_build_from_osm(ctx, path, sp, w, NULL, &net);
    if ((st == EMS_OK) != (net != NULL)) abort(); /* a network exactly when the status is OK */
    network_destroy(net);
    emscov_clear(ctx);
    unlink(path);
    return 0;
}
