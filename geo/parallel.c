/* geo/parallel.c: parallel_for over POSIX threads (see parallel.h). */
#include "geo/parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define PARALLEL_MAX 16

int parallel_threads(void)
{
    const char *env = getenv("EMSCOV_THREADS");
    long t = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    return t < 1 ? 1 : t > PARALLEL_MAX ? PARALLEL_MAX : (int)t;
}

typedef struct block {
    parallel_fn fn;
    void *user;
    size_t begin, end;
} block;

static void *run_block(void *arg)
{
    block *b = arg;
    b->fn(b->user, b->begin, b->end);
    return NULL;
}

void parallel_for(size_t n, size_t min_block, parallel_fn fn, void *user)
{
    size_t t = (size_t)parallel_threads();
    if (min_block < 1)
        min_block = 1;
    if (t > n / min_block)
        t = n / min_block;
    if (t <= 1) {
        if (n)
            fn(user, 0, n);
        return;
    }
    block b[PARALLEL_MAX];
    pthread_t th[PARALLEL_MAX];
    bool started[PARALLEL_MAX] = {false};
    for (size_t k = 0; k < t; k++)
        b[k] = (block){fn, user, n * k / t, n * (k + 1) / t};
    /* block 0 runs in the caller; the others in threads, or in the caller when a thread cannot start */
    for (size_t k = 1; k < t; k++)
        started[k] = pthread_create(&th[k], NULL, run_block, &b[k]) == 0;
    run_block(&b[0]);
    for (size_t k = 1; k < t; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            run_block(&b[k]);
    }
}
