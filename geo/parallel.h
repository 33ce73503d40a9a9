/* geo/parallel.h: a parallel loop over index ranges for the read-only hot loops (snapping and timing
 * demand points, point-in-polygon of grid cells): the range [0, n) is cut into one contiguous block per
 * thread and fn runs on each block, so each result lands at its own index and the output is identical to a
 * serial run whatever the thread count.
 *
 * Threads: the EMSCOV_THREADS environment variable when set (1 = serial), else the online processors, at
 * most 16; never more than n / min_block. fn must only read shared state and write its own indices; it may
 * not call into an emscov_ctx (not thread-safe). Workers that cannot be started run serially in the caller. */
#ifndef EMSCOV_GEO_PARALLEL_H
#define EMSCOV_GEO_PARALLEL_H

#include "geo/ctx.h"

#include <stddef.h>

typedef void (*parallel_fn)(void *user, size_t begin, size_t end);

/* Run fn over [0, n) in blocks; returns when every block is done. */
EMS_API void parallel_for(size_t n, size_t min_block, parallel_fn fn, void *user);
/* The thread count parallel_for would use for a large n. */
EMS_API int parallel_threads(void);

#endif
