/* src/analysis/ahead.h: a step of a run computed ahead of its turn -- on a thread of its own while the run
 * goes on, or earlier on the run's own thread -- so that independent steps overlap (the park coverage while
 * the road graph is built, the service areas while the demand points are timed). The step gets a ctx of its
 * own (GEOS and PROJ handles are one thread's); its warnings are kept, and at the step's turn ahead_finish
 * replays them into the run's ctx and reports its status with its message, so the run prints and fails
 * exactly as if the steps had run in order. The step may only read what the run does not change meanwhile.
 *
 * Ownership: ahead_start returns a new ahead owned by the caller (ahead_destroy, NULL-safe, waits for a
 * running step). Objects the step made with its ctx (ahead_ctx) stay bound to it: destroy them before the
 * ahead. Thread-safety: the calling thread starts, finishes and destroys; the step runs on one thread. */
#ifndef EMSCOV_AHEAD_H
#define EMSCOV_AHEAD_H

#include "geo/ctx.h"

typedef struct ahead ahead;
typedef ems_status (*ahead_fn)(emscov_ctx *ctx, void *user);

/* Run fn(step ctx, user): on a thread when threaded (and parallel_threads() > 1), else now in the caller.
 * EMS_ENOMEM (in ctx) when the step's ctx cannot be made; fn has not run then. */
ems_status ahead_start(emscov_ctx *ctx, bool threaded, ahead_fn fn, void *user, ahead **out);
/* Wait for the step (once), replay its warnings into ctx in their order, and return its status (its message
 * copied into ctx). Later calls return the same status without replaying again. */
ems_status ahead_finish(emscov_ctx *ctx, ahead *a);
/* Wait until the step has run, without reporting anything (its warnings and status stay for ahead_finish):
 * before freeing what a running step reads. NULL-safe; any number of times. */
void ahead_wait(ahead *a);
/* Wall-clock seconds the step took on its own. */
double ahead_seconds(const ahead *a);
emscov_ctx *ahead_ctx(const ahead *a);
void ahead_destroy(ahead *a);

#endif
