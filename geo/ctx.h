/* geo/ctx.h: the run context and status codes shared by every emscov module.
 *
 * One emscov_ctx carries everything a run needs that is not data: the GEOS reentrant handle, the PROJ
 * context, the last error message and a warning sink. There are no globals: every function that can fail
 * takes the ctx, returns an ems_status and, when the status is not EMS_OK, leaves a one-line message in the
 * ctx naming the file, record and field at fault (emscov_message). The library never prints, exits or
 * aborts; the CLI maps status to exit code (EMS_EINPUT -> 2, others -> 1).
 * Ownership: emscov_ctx_create returns a new ctx owned by the caller (emscov_ctx_destroy, NULL-safe).
 * Thread-safety: a ctx is used by one thread at a time; use one ctx per thread. */
#ifndef EMSCOV_GEO_CTX_H
#define EMSCOV_GEO_CTX_H

#include <geos_c.h>
#include <proj.h>
#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__)
#define EMS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define EMS_API __attribute__((visibility("default")))
#else
#define EMS_PRINTF(fmt, args)
#define EMS_API
#endif

/* Status codes: one list, so names and messages cannot drift apart. */
#define EMS_STATUS_MAP(X)                                                                                   \
    X(OK, "ok")                                                                                             \
    X(EINPUT, "bad input")                                                                                  \
    X(EIO, "i/o error")                                                                                     \
    X(ENOMEM, "out of memory")                                                                              \
    X(EDB, "database error")                                                                                \
    X(EINTERNAL, "internal error")

#define EMS_ENUM(c, s) EMS_##c,
typedef enum { EMS_STATUS_MAP(EMS_ENUM) EMS_STATUS_COUNT } ems_status;
#undef EMS_ENUM

typedef struct emscov_ctx emscov_ctx;

/* A warning sink: called once per warning with a one-line message (no trailing newline). */
typedef void (*emscov_warn_fn)(void *user, const char *message);

EMS_API const char *ems_status_text(ems_status s);
/* Exit code for a status: 0 ok, 2 bad input, 1 everything else. */
EMS_API int ems_exit_code(ems_status s);

/* New ctx (GEOS_init_r + proj_context_create, handlers routed into this ctx), or NULL when out of memory. */
EMS_API emscov_ctx *emscov_ctx_create(void);
/* A ctx for work on another thread for parent's run (NULL parent: as emscov_ctx_create): its own GEOS and PROJ
 * contexts, messages and warnings; it shares parent's allocation count (ctx_test.h: a fault armed on the run
 * counts the allocations of all its threads). Destroy it before parent. */
EMS_API emscov_ctx *emscov_ctx_create_child(emscov_ctx *parent);
EMS_API void emscov_ctx_destroy(emscov_ctx *ctx);

EMS_API GEOSContextHandle_t emscov_geos(const emscov_ctx *ctx);
EMS_API PJ_CONTEXT *emscov_proj(const emscov_ctx *ctx);

/* Record a failure: formats the message into ctx and returns s (so `return emscov_fail(...)` reads well). */
EMS_API ems_status emscov_fail(emscov_ctx *ctx, ems_status s, const char *fmt, ...) EMS_PRINTF(3, 4);
/* The message of the last failure ("" when none). Valid until the next emscov_fail or emscov_clear. */
EMS_API const char *emscov_message(const emscov_ctx *ctx);
EMS_API void emscov_clear(emscov_ctx *ctx);
/* The last message GEOS or PROJ reported through this ctx ("" when none): context for emscov_fail. */
EMS_API const char *emscov_lib_message(const emscov_ctx *ctx);

/* Warnings: a sink set by the application (the CLI prints them); without one they are counted only. */
EMS_API void emscov_set_warn(emscov_ctx *ctx, emscov_warn_fn fn, void *user);
EMS_API void emscov_warn(emscov_ctx *ctx, const char *fmt, ...) EMS_PRINTF(2, 3);
EMS_API size_t emscov_warning_count(const emscov_ctx *ctx);

/* Allocation that records EMS_ENOMEM in ctx on failure (the caller returns EMS_ENOMEM). Every allocation of
 * emscov's own code goes through these, so a test can fail any one of them (geo/ctx_test.h). */
EMS_API void *ems_malloc(emscov_ctx *ctx, size_t n);
EMS_API void *ems_calloc(emscov_ctx *ctx, size_t count, size_t size);
EMS_API void *ems_realloc(emscov_ctx *ctx, void *p, size_t n);
/* Grow an array to hold at least need elements of size sz; *cap is updated. Returns false on ENOMEM. */
EMS_API bool ems_grow(emscov_ctx *ctx, void **arr, size_t *cap, size_t need, size_t sz);
EMS_API char *ems_strdup(emscov_ctx *ctx, const char *s);
EMS_API char *ems_strndup(emscov_ctx *ctx, const char *s, size_t n);

/* Destroy many GEOS geometries at once (NULLs allowed); the list ends with the sentinel EMS_GEOS_END. */
#define EMS_GEOS_END ((GEOSGeometry *)-1)
EMS_API void ems_geos_destroy_all(emscov_ctx *ctx, ...);

/* ---- Input files. Every reader in geo/ reaches its input files through the functions below, so that
 * (1) anything that is not a regular file is refused in one place, before a byte is read: a directory is
 * EMS_EINPUT "PATH: is a directory", a FIFO, a device or a socket EMS_EINPUT "PATH: not a regular file (a FIFO)"
 * -- never a read that blocks forever or never ends; the check is made on the open descriptor (opened with
 * O_NONBLOCK, then fstat), so a path swapped between check and read cannot slip through; and (2) tests and
 * fuzzers can serve the files from memory through an I/O hook in the ctx (emscov_set_io), no file system
 * involved. A missing or unreadable file is EMS_EINPUT "PATH: cannot open: <reason>". */

/* The I/O hook: file(user, path, &len) gives the bytes of the regular file at path, or NULL when there is
 * none. The bytes are borrowed: they must stay valid and unchanged while the hook is set. */
typedef struct emscov_io {
    const void *(*file)(void *user, const char *path, size_t *len);
    void *user;
} emscov_io;
/* Serve input files from io (copied) from now on; NULL: the file system again. */
EMS_API void emscov_set_io(emscov_ctx *ctx, const emscov_io *io);
/* True when an I/O hook is set (readers skip what only a file system has, e.g. directory listings). */
EMS_API bool emscov_has_io(const emscov_ctx *ctx);

/* EMS_OK when path is a regular file that can be opened for reading; *size (may be NULL) receives its size. */
EMS_API ems_status ems_file_check(emscov_ctx *ctx, const char *path, size_t *size);
/* True when path is a regular file that can be opened (no message is left either way): for optional sibling
 * files (.prj, .cpg). */
EMS_API bool ems_file_exists(emscov_ctx *ctx, const char *path);

/* Read a whole file into memory (NUL-terminated; *len excludes the NUL). EMS_EINPUT when it cannot be
 * opened or is not a regular file (the message names the file), EMS_EIO on a read error. */
EMS_API ems_status ems_read_file(emscov_ctx *ctx, const char *path, char **out, size_t *len);

/* A whole input file in memory, read-only: mapped (mmap) from the file system, or borrowed from the I/O hook.
 * Release with ems_file_unmap (NULL-safe members; a zeroed struct is "nothing mapped"). An empty file maps to
 * data NULL, len 0. */
typedef struct ems_file_map {
    const unsigned char *data;
    size_t len;
    bool mapped; /* data is an mmap to undo */
} ems_file_map;
EMS_API ems_status ems_file_map_open(emscov_ctx *ctx, const char *path, ems_file_map *m);
EMS_API void ems_file_unmap(ems_file_map *m);

#endif
