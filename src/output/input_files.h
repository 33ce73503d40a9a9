/* src/output/input_files.h: the files behind a run's inputs, each with its size and SHA-256, so report.json,
 * a stored run and the report document say exactly which data a run was computed from. A shapefile source is
 * its .shp, .shx, .dbf, .prj and .cpg (those present, in the case of the .shp's extension); any other file is
 * itself and the .prj / .cpg beside it when present; a "FILE:LAYER" source (x.gpkg:TABLE, city.gdb:streets) is
 * its FILE (split as layer_read splits it); a directory (a FileGDB) every regular file in it, by name; a `pg:`
 * source has no files. Paths are made absolute
 * (from the working directory), so the record means the same wherever it is read.
 * Ownership: input_files_add appends to an array owned by the caller (input_files_free, NULL-safe); strings
 * are copied. Units: bytes. One ctx per thread. */
#ifndef EMSCOV_INPUT_FILES_H
#define EMSCOV_INPUT_FILES_H

#include "geo/ctx.h"

#include <stdint.h>

typedef struct input_file {
    char *role;       /* the input it belongs to: "streets", "roads", "scenario", ... */
    char *source;     /* the source as the scenario gives it (one source can have several files) */
    char *path;       /* absolute */
    uint64_t bytes;
    char sha256[65];  /* lower-case hex */
} input_file;

typedef struct input_files {
    input_file *f;
    size_t n, cap;
} input_files;

/* Append the files of source (role names it); NULL or a `pg:` source adds nothing. EMS_EIO naming the file
 * when one cannot be read. */
ems_status input_files_add(emscov_ctx *ctx, input_files *fs, const char *role, const char *source);
void input_files_free(input_files *fs);

/* The SHA-256 (hex) and size of one file. EMS_EIO "<path>: cannot read for its checksum: ..." */
ems_status input_file_sha256(emscov_ctx *ctx, const char *path, char hex[65], uint64_t *bytes);

#endif
