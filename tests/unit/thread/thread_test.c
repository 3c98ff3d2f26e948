/* The deadlines of the server threads' periodic waits (src/thread.c): exactly `after_ms`
 * from now, with tv_nsec normalised, for periods under, at and over a second. Method: read
 * the clock around each call and bound the result by the two readings. */
#include <time.h>

#include "support/fo_test.h"
#include "thread.h"

static int64_t ns_of(struct timespec at)
{
    return (int64_t)at.tv_sec * 1000000000 + at.tv_nsec;
}

static void test_deadline_is_after_ms_from_now_and_normalised(void **state)
{
    (void)state;
    static const int64_t periods_ms[] = {0, 1, 100, 999, 1000, 1001, 2500, 86400000};
    for (size_t index = 0; index < sizeof periods_ms / sizeof periods_ms[0]; index++) {
        int64_t after_ns = periods_ms[index] * 1000000;
        for (int round = 0; round < 1000; round++) { /* Crosses many nanosecond phases. */
            struct timespec before;
            clock_gettime(CLOCK_REALTIME, &before);
            struct timespec deadline = fo_thread_deadline(periods_ms[index]);
            struct timespec after;
            clock_gettime(CLOCK_REALTIME, &after);
            assert_true(deadline.tv_nsec >= 0 && deadline.tv_nsec < 1000000000);
            assert_true(ns_of(deadline) >= ns_of(before) + after_ns);
            assert_true(ns_of(deadline) <= ns_of(after) + after_ns);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadline_is_after_ms_from_now_and_normalised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
