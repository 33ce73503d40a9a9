/* tests/geo/test_parallel.c: parallel_for and parallel_for_workers visit every index exactly once, in chunks
 * that tile [0, n), for any thread count (EMSCOV_THREADS) and sizes around the block limit, with worker ids
 * in range and at most one chunk at a time per worker; the thread count honours the environment and its
 * bounds; tasks run exactly once, serially (in order, inside parallel_start) with one thread, else
 * concurrently. */
#include "test_util.h"

#include "geo/parallel.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct visit {
    unsigned char *seen;
    size_t blocks_max;
} visit;

static void mark(void *user, size_t begin, size_t end)
{
    visit *v = user;
    for (size_t i = begin; i < end; i++)
        v->seen[i]++;
}

static void test_every_index_once(void **state)
{
    (void)state;
    const char *threads[] = {"1", "2", "3", "16", "0", "-4", "999"};
    const size_t sizes[] = {0, 1, 99, 100, 101, 4096, 100003};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        setenv("EMSCOV_THREADS", threads[t], 1);
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t n = sizes[k];
            visit v = {calloc(n ? n : 1, 1), 0};
            parallel_for(n, 100, mark, &v);
            for (size_t i = 0; i < n; i++)
                if (v.seen[i] != 1)
                    fail_msg("EMSCOV_THREADS=%s n=%zu: index %zu visited %d times", threads[t], n, i, v.seen[i]);
            free(v.seen);
        }
    }
    setenv("EMSCOV_THREADS", "3", 1);
    assert_int_equal(parallel_threads(), 3);
    setenv("EMSCOV_THREADS", "0", 1);
    assert_int_equal(parallel_threads(), 1);
    setenv("EMSCOV_THREADS", "999", 1);
    assert_int_equal(parallel_threads(), 16);
    unsetenv("EMSCOV_THREADS");
    assert_true(parallel_threads() >= 1);
}

typedef struct wvisit {
    unsigned char *seen;
    int workers;
    atomic_int busy[16]; /* chunks running per worker: never more than one */
    atomic_bool bad;
} wvisit;

static void wmark(void *user, int worker, size_t begin, size_t end)
{
    wvisit *v = user;
    if (worker < 0 || worker >= v->workers || atomic_fetch_add(&v->busy[worker], 1) != 0)
        atomic_store(&v->bad, true);
    for (size_t i = begin; i < end; i++)
        v->seen[i]++;
    if (worker >= 0 && worker < v->workers)
        atomic_fetch_sub(&v->busy[worker], 1);
}

static void test_workers(void **state)
{
    (void)state;
    const char *threads[] = {"1", "2", "5", "16"};
    const size_t sizes[] = {0, 1, 99, 100, 250, 100003};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        setenv("EMSCOV_THREADS", threads[t], 1);
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t n = sizes[k];
            wvisit *v = calloc(1, sizeof *v);
            v->seen = calloc(n ? n : 1, 1);
            v->workers = parallel_workers(n, 100);
            int want = atoi(threads[t]);
            if ((size_t)want > n / 100)
                want = (int)(n / 100);
            assert_int_equal(v->workers, want < 1 ? 1 : want);
            parallel_for_workers(n, 100, wmark, v);
            assert_false(atomic_load(&v->bad));
            for (size_t i = 0; i < n; i++)
                if (v->seen[i] != 1)
                    fail_msg("EMSCOV_THREADS=%s n=%zu: index %zu visited %d times", threads[t], n, i,
                             v->seen[i]);
            free(v->seen);
            free(v);
        }
    }
    unsetenv("EMSCOV_THREADS");
}

typedef struct task_arg {
    atomic_int runs;
    int order; /* the value of *log when it ran */
    int *log;
} task_arg;

static void task_fn(void *user)
{
    task_arg *a = user;
    a->order = (*a->log)++;
    atomic_fetch_add(&a->runs, 1);
}

/* Two tasks that each wait for the other to have started: only done when they really run concurrently. */
typedef struct meet {
    atomic_int arrived;
    atomic_bool ok;
} meet;

static void meet_fn(void *user)
{
    meet *m = user;
    atomic_fetch_add(&m->arrived, 1);
    for (int k = 0; k < 2000 && atomic_load(&m->arrived) < 2; k++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    if (atomic_load(&m->arrived) == 2)
        atomic_store(&m->ok, true);
}

static void test_tasks(void **state)
{
    (void)state;
    /* one thread: each task runs inside parallel_start, in program order */
    setenv("EMSCOV_THREADS", "1", 1);
    int log = 0;
    task_arg a = {0, -1, &log}, b = {0, -1, &log};
    parallel_task *ta = parallel_start(task_fn, &a);
    assert_int_equal(atomic_load(&a.runs), 1);
    parallel_task *tb = parallel_start(task_fn, &b);
    assert_int_equal(a.order, 0);
    assert_int_equal(b.order, 1);
    parallel_wait(tb);
    parallel_wait(ta);
    assert_int_equal(atomic_load(&a.runs), 1);
    assert_int_equal(atomic_load(&b.runs), 1);
    parallel_wait(NULL);
    /* two threads: the tasks overlap (each sees the other arrive), and each runs once */
    setenv("EMSCOV_THREADS", "2", 1);
    meet m = {0, false};
    parallel_task *t1 = parallel_start(meet_fn, &m);
    meet_fn(&m); /* the caller is the other party */
    parallel_wait(t1);
    assert_true(atomic_load(&m.ok));
    assert_int_equal(atomic_load(&m.arrived), 2);
    unsetenv("EMSCOV_THREADS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_index_once),
                                       cmocka_unit_test(test_workers), cmocka_unit_test(test_tasks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
