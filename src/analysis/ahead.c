/* src/analysis/ahead.c: steps computed ahead of their turn (see ahead.h). */
#include "src/analysis/ahead.h"

#include "geo/parallel.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ahead {
    emscov_ctx *ctx;
    ahead_fn fn;
    void *user;
    parallel_task *task;
    ems_status st;
    double seconds;
    char **warn;
    size_t nwarn, cap;
    bool oom, finished;
};

static double clock_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void keep(void *user, const char *message)
{
    ahead *a = user;
    char *m = strdup(message);
    if (!m || !ems_grow(a->ctx, (void **)&a->warn, &a->cap, a->nwarn + 1, sizeof *a->warn)) {
        free(m);
        a->oom = true;
        return;
    }
    a->warn[a->nwarn++] = m;
}

static void run(void *user)
{
    ahead *a = user;
    double t0 = clock_s();
    a->st = a->fn(a->ctx, a->user);
    a->seconds = clock_s() - t0;
}

ems_status ahead_start(emscov_ctx *ctx, bool threaded, ahead_fn fn, void *user, ahead **out)
{
    *out = NULL;
    ahead *a = ems_calloc(ctx, 1, sizeof *a);
    if (!a || !(a->ctx = emscov_ctx_create_child(ctx))) {
        free(a);
        return emscov_fail(ctx, EMS_ENOMEM, "out of memory");
    }
    emscov_set_warn(a->ctx, keep, a);
    a->fn = fn;
    a->user = user;
    if (threaded && parallel_threads() > 1)
        a->task = parallel_start(run, a); /* NULL: out of memory, and run already */
    else
        run(a);
    *out = a;
    return EMS_OK;
}

void ahead_wait(ahead *a)
{
    if (a) {
        parallel_wait(a->task);
        a->task = NULL;
    }
}

ems_status ahead_finish(emscov_ctx *ctx, ahead *a)
{
    if (!a->finished) {
        ahead_wait(a);
        a->finished = true;
        for (size_t k = 0; k < a->nwarn; k++)
            emscov_warn(ctx, "%s", a->warn[k]);
        if (a->oom && a->st == EMS_OK)
            a->st = emscov_fail(a->ctx, EMS_ENOMEM, "out of memory");
    }
    return a->st == EMS_OK ? EMS_OK : emscov_fail(ctx, a->st, "%s", emscov_message(a->ctx));
}

double ahead_seconds(const ahead *a)
{
    return a->seconds;
}

emscov_ctx *ahead_ctx(const ahead *a)
{
    return a->ctx;
}

void ahead_destroy(ahead *a)
{
    if (!a)
        return;
    parallel_wait(a->task);
    for (size_t k = 0; k < a->nwarn; k++)
        free(a->warn[k]);
    free(a->warn);
    emscov_ctx_destroy(a->ctx);
    free(a);
}
