/* tests/src/test_ahead.c: a step run ahead of its turn, on a thread and on the caller's: its warnings reach
 * the run's ctx in their order only at ahead_finish (not before, nor at ahead_wait), its failure is the run's
 * with its message,
 * a second finish replays nothing, the step ran on its own ctx (not the run's), destroy without finish waits
 * for a running step, and its time is measured. */
#include "test_util.h"

#include "src/analysis/ahead.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct log {
    char text[512];
    int count;
} log;

static void collect(void *user, const char *message)
{
    log *l = user;
    l->count++;
    strncat(l->text, message, sizeof l->text - strlen(l->text) - 2);
    strcat(l->text, "|");
}

typedef struct job {
    emscov_ctx *run_ctx; /* the step must not be given this one */
    bool fail, slow;
    atomic_bool own_ctx, done;
} job;

static ems_status step(emscov_ctx *ctx, void *user)
{
    job *j = user;
    atomic_store(&j->own_ctx, ctx != j->run_ctx);
    if (j->slow)
        nanosleep(&(struct timespec){0, 200000000}, NULL);
    emscov_warn(ctx, "first");
    emscov_warn(ctx, "second %d", 2);
    atomic_store(&j->done, true);
    return j->fail ? emscov_fail(ctx, EMS_EINPUT, "parks.geojson: record 7: not a polygon") : EMS_OK;
}

static void run_case(emscov_ctx *ctx, bool threaded, bool fail)
{
    log l = {"", 0};
    emscov_set_warn(ctx, collect, &l);
    job j = {.run_ctx = ctx, .fail = fail, .slow = threaded};
    ahead *a = NULL;
    assert_int_equal(ahead_start(ctx, threaded, step, &j, &a), EMS_OK);
    assert_int_equal(l.count, 0); /* nothing reaches the run before the step's turn */
    emscov_warn(ctx, "run");
    ahead_wait(a); /* done, but nothing reported yet */
    ahead_wait(a);
    assert_true(atomic_load(&j.done));
    assert_int_equal(l.count, 1);
    ems_status st = ahead_finish(ctx, a);
    assert_true(atomic_load(&j.done));
    assert_true(atomic_load(&j.own_ctx));
    assert_string_equal(l.text, "run|first|second 2|");
    if (fail)
        assert_status_msg(ctx, st, EMS_EINPUT, "parks.geojson: record 7: not a polygon");
    else
        assert_int_equal(st, EMS_OK);
    /* again: same status, no second replay */
    emscov_clear(ctx);
    assert_int_equal(ahead_finish(ctx, a), fail ? EMS_EINPUT : EMS_OK);
    assert_int_equal(l.count, 3);
    assert_true(ahead_seconds(a) >= (threaded ? 0.19 : 0));
    assert_non_null(ahead_ctx(a));
    ahead_destroy(a);
    emscov_set_warn(ctx, NULL, NULL);
}

static void test_caller_thread(void **state)
{
    setenv("EMSCOV_THREADS", "1", 1);
    run_case(*state, false, false);
    run_case(*state, false, true);
    run_case(*state, true, true); /* threaded asked, one thread configured: runs in the caller */
    unsetenv("EMSCOV_THREADS");
}

static void test_own_thread(void **state)
{
    setenv("EMSCOV_THREADS", "2", 1);
    run_case(*state, true, false);
    run_case(*state, true, true);
    unsetenv("EMSCOV_THREADS");
}

/* Destroyed without finish: waits for the step (which still writes into job) and drops its warnings. */
static void test_destroy_waits(void **state)
{
    emscov_ctx *ctx = *state;
    setenv("EMSCOV_THREADS", "2", 1);
    log l = {"", 0};
    emscov_set_warn(ctx, collect, &l);
    job *j = calloc(1, sizeof *j);
    j->run_ctx = ctx;
    j->slow = true;
    ahead *a = NULL;
    assert_int_equal(ahead_start(ctx, true, step, j, &a), EMS_OK);
    ahead_destroy(a);
    assert_true(atomic_load(&j->done));
    assert_int_equal(l.count, 0);
    free(j);
    ahead_destroy(NULL);
    ahead_wait(NULL);
    emscov_set_warn(ctx, NULL, NULL);
    unsetenv("EMSCOV_THREADS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_caller_thread),
                                       cmocka_unit_test(test_own_thread),
                                       cmocka_unit_test(test_destroy_waits)};
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
