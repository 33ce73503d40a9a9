/* geo/parallel.c: parallel loops and tasks over POSIX threads (see parallel.h). */
#include "geo/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#define PARALLEL_MAX 16
#define CHUNKS_PER_WORKER 8 /* enough to even out a worker slowed down by other processes */

int parallel_threads(void)
{
    const char *env = getenv("EMSCOV_THREADS");
    long t = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    return t < 1 ? 1 : t > PARALLEL_MAX ? PARALLEL_MAX : (int)t;
}

int parallel_workers(size_t n, size_t min_block)
{
    size_t t = (size_t)parallel_threads();
    if (min_block < 1)
        min_block = 1;
    if (t > n / min_block)
        t = n / min_block;
    return t < 1 ? 1 : (int)t;
}

typedef struct loop {
    parallel_fn fn;
    parallel_worker_fn wfn;
    void *user;
    size_t n, chunk;
    atomic_size_t next;
} loop;

typedef struct worker {
    loop *l;
    int id;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    loop *l = w->l;
    for (;;) {
        size_t begin = atomic_fetch_add(&l->next, l->chunk);
        if (begin >= l->n)
            break;
        size_t end = l->n - begin < l->chunk ? l->n : begin + l->chunk;
        if (l->wfn)
            l->wfn(l->user, w->id, begin, end);
        else
            l->fn(l->user, begin, end);
    }
    return NULL;
}

static void run_loop(size_t n, size_t min_block, parallel_fn fn, parallel_worker_fn wfn, void *user)
{
    if (n == 0)
        return;
    size_t t = (size_t)parallel_workers(n, min_block);
    if (min_block < 1)
        min_block = 1;
    if (t <= 1) {
        if (wfn)
            wfn(user, 0, 0, n);
        else
            fn(user, 0, n);
        return;
    }
    size_t chunk = n / (t * CHUNKS_PER_WORKER);
    loop l = {fn, wfn, user, n, chunk < min_block ? min_block : chunk, 0};
    atomic_init(&l.next, 0);
    worker w[PARALLEL_MAX];
    pthread_t th[PARALLEL_MAX];
    bool started[PARALLEL_MAX] = {false};
    for (size_t k = 0; k < t; k++)
        w[k] = (worker){&l, (int)k};
    /* worker 0 runs in the caller; the others in threads (one that cannot start leaves its share to the rest)
     */
    for (size_t k = 1; k < t; k++)
        started[k] = pthread_create(&th[k], NULL, run_worker, &w[k]) == 0;
    run_worker(&w[0]);
    for (size_t k = 1; k < t; k++)
        if (started[k])
            pthread_join(th[k], NULL);
}

void parallel_for(size_t n, size_t min_block, parallel_fn fn, void *user)
{
    run_loop(n, min_block, fn, NULL, user);
}

void parallel_for_workers(size_t n, size_t min_block, parallel_worker_fn fn, void *user)
{
    run_loop(n, min_block, NULL, fn, user);
}

struct parallel_task {
    parallel_task_fn fn;
    void *user;
    pthread_t th;
    bool threaded, done;
};

static void *run_task(void *arg)
{
    parallel_task *t = arg;
    t->fn(t->user);
    return NULL;
}

parallel_task *parallel_start(parallel_task_fn fn, void *user)
{
    parallel_task *t = calloc(1, sizeof *t);
    if (!t || parallel_threads() == 1) {
        fn(user);
        if (t)
            t->done = true;
        return t;
    }
    t->fn = fn;
    t->user = user;
    t->threaded = pthread_create(&t->th, NULL, run_task, t) == 0;
    return t;
}

void parallel_wait(parallel_task *t)
{
    if (!t)
        return;
    if (t->threaded)
        pthread_join(t->th, NULL);
    else if (!t->done)
        t->fn(t->user);
    free(t);
}
