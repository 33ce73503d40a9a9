/* tests/fuzz/fuzz_io.h: the in-memory files the fuzz targets serve through the run context's I/O hook
 * (emscov_set_io, geo/ctx.h): the readers then see the fuzz input as a file without touching the file system.
 * A small table of path -> bytes (borrowed: the caller keeps them alive while they are served), plus the
 * source tree's data/ files (speed profiles, standards), read once from disk on first use.
 * Fuzz-harness code: process-wide state, one thread. */
#ifndef EMSCOV_FUZZ_IO_H
#define EMSCOV_FUZZ_IO_H

#include "geo/ctx.h"

#include <stddef.h>
#include <stdint.h>

/* A new ctx with the hook installed (aborts when out of memory): what every target's LLVMFuzzerInitialize makes. */
emscov_ctx *fuzz_io_ctx(void);
/* Serve data (n bytes, borrowed) as path until fuzz_io_clear; at most 8 files at a time. */
void fuzz_io_put(const char *path, const void *data, size_t n);
/* Forget the files put since the last clear (the data/ files stay). */
void fuzz_io_clear(void);

/* libFuzzer's entry points (declared for -Wmissing-prototypes). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* For a target that needs nothing but the ctx: `static emscov_ctx *ctx` and an LLVMFuzzerInitialize that makes
 * it with fuzz_io_ctx. */
#define FUZZ_IO_SIMPLE_TARGET                                                                                \
    static emscov_ctx *ctx;                                                                                 \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                                       \
    {                                                                                                       \
        (void)argc, (void)argv;                                                                             \
        ctx = fuzz_io_ctx();                                                                                \
        return 0;                                                                                           \
    }

#endif
