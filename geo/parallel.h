/* geo/parallel.h: threads for the read-only hot loops (snapping and timing demand points, point-in-polygon of
 * grid cells) and for independent steps of a run that may overlap (the road graph while the population is
 * placed, service areas while outputs are written).
 *
 * parallel_for cuts [0, n) into chunks of at least min_block indices that the workers take in turn (a shared
 * counter: a worker slowed down by another process on the machine takes fewer chunks), so each result lands
 * at its own index and the output is identical to a serial run whatever the thread count or the timing.
 * parallel_for_workers also tells fn which worker runs the chunk (0 .. workers - 1), for per-worker state
 * (a GEOS handle, a search workspace); parallel_workers says how many there will be.
 *
 * A task (parallel_start / parallel_wait) runs one function on a thread of its own until waited for; with one
 * thread configured, or when no thread can be started, it runs in the caller: inside parallel_start when
 * EMSCOV_THREADS=1 (so a serial run does the steps in program order), else inside parallel_wait.
 *
 * Threads: the EMSCOV_THREADS environment variable when set (1 = serial), else the online processors, at
 * most 16; a loop never uses more than n / min_block. fn must only read shared state and write its own
 * indices (or its worker's state); it may not call into an emscov_ctx shared with other threads (a ctx is
 * one thread's). A task's function may use a ctx of its own. Workers that cannot be started run serially in
 * the caller. */
#ifndef EMSCOV_GEO_PARALLEL_H
#define EMSCOV_GEO_PARALLEL_H

#include "geo/ctx.h"

#include <stddef.h>

typedef void (*parallel_fn)(void *user, size_t begin, size_t end);
typedef void (*parallel_worker_fn)(void *user, int worker, size_t begin, size_t end);

/* Run fn over [0, n) in chunks; returns when every chunk is done. */
EMS_API void parallel_for(size_t n, size_t min_block, parallel_fn fn, void *user);
/* The same, with the worker index (0 .. parallel_workers(n, min_block) - 1) passed to fn. */
EMS_API void parallel_for_workers(size_t n, size_t min_block, parallel_worker_fn fn, void *user);
/* How many workers parallel_for_workers(n, min_block, ...) uses (>= 1; 1 when n is 0). */
EMS_API int parallel_workers(size_t n, size_t min_block);
/* The thread count parallel_for would use for a large n. */
EMS_API int parallel_threads(void);

typedef struct parallel_task parallel_task;
typedef void (*parallel_task_fn)(void *user);

/* Start fn(user) on a thread of its own (see above for when it runs in the caller instead). Returns the task
 * to wait for; NULL only when out of memory, after fn has run in the caller. */
EMS_API parallel_task *parallel_start(parallel_task_fn fn, void *user);
/* Wait until the task's function has returned (running it here if it has not run yet) and free the task.
 * NULL-safe. */
EMS_API void parallel_wait(parallel_task *t);

#endif
