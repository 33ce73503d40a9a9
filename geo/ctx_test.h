/* geo/ctx_test.h: test hooks of the run context, for tests only (the library never calls them; the CLI only
 * when the environment variable EMSCOV_FAULT_ALLOC is set, for tools/oom.sh).
 *
 * Allocation faults: after emscov_ctx_fail_alloc_after(ctx, n), the n-th allocation made through ems_malloc,
 * ems_calloc, ems_realloc, ems_grow, ems_strdup or ems_strndup with this ctx fails as if the system were out
 * of memory (EMS_ENOMEM, "out of memory" message); the others succeed. n = 0 turns the fault off. The counter
 * is per run (no globals): a ctx and the children made for its worker threads (emscov_ctx_create_child) count
 * together, in whatever order their threads allocate. A test loops n = 1, 2, ... over a call: while
 * emscov_ctx_alloc_fault_fired says the fault fired, the call must have returned EMS_ENOMEM and freed
 * everything; the first n at which it did not fire is a run that needed fewer than n allocations, and the loop
 * ends (tests/geo/test_oom.c).
 * Allocations made by libraries (GEOS, PROJ, json-c, SQLite, shapelib) are not counted. Same thread rules as
 * the ctx. */
#ifndef EMSCOV_GEO_CTX_TEST_H
#define EMSCOV_GEO_CTX_TEST_H

#include "geo/ctx.h"

/* Fail the n-th allocation from now (counting restarts at 0); 0: no fault. */
EMS_API void emscov_ctx_fail_alloc_after(emscov_ctx *ctx, size_t n);
/* Allocations made through ems_* since the last emscov_ctx_fail_alloc_after. */
EMS_API size_t emscov_ctx_alloc_count(const emscov_ctx *ctx);
/* True when the armed fault has fired (an allocation was failed on purpose). */
EMS_API bool emscov_ctx_alloc_fault_fired(const emscov_ctx *ctx);

#endif
