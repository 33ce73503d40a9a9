/* tests/geo/test_parallel.c: parallel_for visits every index exactly once, in blocks that tile [0, n), for
 * any thread count (EMSCOV_THREADS) and sizes around the block limit; the thread count honours the
 * environment and its bounds. */
#include "test_util.h"

#include "geo/parallel.h"

#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_index_once)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
