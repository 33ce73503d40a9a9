/* tests/fuzz/fuzz_io.c: see fuzz_io.h. */
#include "fuzz_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef EMSCOV_SOURCE_DIR
#error "EMSCOV_SOURCE_DIR must name the source tree (for data/)"
#endif

typedef struct entry {
    char path[512];
    const void *data;
    size_t n;
} entry;

static entry files[8];
static size_t nfiles;
static entry data_files[32]; /* cached copies of the source tree's data/ files (owned) */
static size_t ndata;

static const void *serve(void *user, const char *path, size_t *len)
{
    (void)user;
    for (size_t k = 0; k < nfiles; k++)
        if (!strcmp(files[k].path, path)) {
            *len = files[k].n;
            return files[k].data ? files[k].data : "";
        }
    const char *root = EMSCOV_SOURCE_DIR "/data/";
    if (strncmp(path, root, strlen(root)) != 0) return NULL;
    for (size_t k = 0; k < ndata; k++)
        if (!strcmp(data_files[k].path, path)) {
            *len = data_files[k].n;
            return data_files[k].data;
        }
    if (ndata == sizeof data_files / sizeof *data_files || strlen(path) >= sizeof data_files[0].path) return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536))) abort();
        size_t got = fread(buf + n, 1, cap - n, f);
        if (!got) break;
        n += got;
    }
    fclose(f);
    entry *e = &data_files[ndata++];
    snprintf(e->path, sizeof e->path, "%s", path);
    e->data = buf;
    e->n = n;
    *len = n;
    return buf;
}

emscov_ctx *fuzz_io_ctx(void)
{
    emscov_ctx *ctx = emscov_ctx_create();
    if (!ctx) abort();
    emscov_set_io(ctx, &(emscov_io){.file = serve});
    return ctx;
}

void fuzz_io_put(const char *path, const void *data, size_t n)
{
    if (nfiles == sizeof files / sizeof *files || strlen(path) >= sizeof files[0].path) abort();
    entry *e = &files[nfiles++];
    snprintf(e->path, sizeof e->path, "%s", path);
    e->data = data;
    e->n = n;
}

void fuzz_io_clear(void)
{
    nfiles = 0;
}
