/* The clock: a test clock stands still until advanced; the real clock never goes back;
 * instants render as RFC 3339 UTC with milliseconds (API.md, "Conventions").
 *
 * Method: direct calls, with known instants for the format. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "support/fo_test.h"

#include "commands/clock.h"

static void test_clock_test_stands_still_until_advanced(void **state)
{
    (void)state;
    struct fo_clock *clock = fo_clock_create(true);
    assert_true(fo_clock_is_test(clock));
    int64_t start = fo_clock_now(clock);
    assert_true(start > INT64_C(1600000000000));
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 5 * 1000 * 1000};
    nanosleep(&pause, NULL);
    assert_int64_equal(fo_clock_now(clock), start);
    assert_int64_equal(fo_clock_advance(clock, 1500), start + 1500);
    assert_int64_equal(fo_clock_now(clock), start + 1500);
    fo_clock_destroy(clock);
}

static void test_clock_real_never_decreases(void **state)
{
    (void)state;
    struct fo_clock *clock = fo_clock_create(false);
    assert_false(fo_clock_is_test(clock));
    int64_t previous = fo_clock_now(clock);
    for (int index = 0; index < 10000; index++) {
        int64_t now = fo_clock_now(clock);
        assert_true(now >= previous);
        previous = now;
    }
    struct timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    int64_t real_ms = (int64_t)real.tv_sec * 1000 + real.tv_nsec / 1000000;
    assert_true(previous <= real_ms + 1);
    assert_true(previous >= real_ms - 1000);
    fo_clock_destroy(clock);
    fo_clock_destroy(NULL);
}

static void test_clock_format_rfc3339_milliseconds(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(fo_clock_format(INT64_C(1795633200000), buf, sizeof buf), 24);
    assert_string_equal(buf, "2026-11-25T19:00:00.000Z");
    fo_clock_format(INT64_C(1795633200123) + 59 * 1000, buf, sizeof buf);
    assert_string_equal(buf, "2026-11-25T19:00:59.123Z");
    fo_clock_format(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
    char exact[25];
    assert_int_equal(fo_clock_format(INT64_C(951782400999), exact, sizeof exact), 24);
    assert_string_equal(exact, "2000-02-29T00:00:00.999Z");
}

/* The fast path against gmtime_r: day and year boundaries, leap days, centuries, the last
 * instant of 9999, one past it (the general path), and seeded random instants. */
static void test_clock_format_agrees_with_gmtime(void **state)
{
    (void)state;
    uint64_t random = fo_test_seed("clock_format");
    static const int64_t fixed[] = {0,
                                    86399999,
                                    86400000,
                                    INT64_C(951868799999),  /* 2000-02-29T23:59:59.999Z */
                                    INT64_C(4107542400000), /* 2100-03-01 */
                                    INT64_C(4102444799999),
                                    INT64_C(253402300799999), /* 9999-12-31T23:59:59.999Z */
                                    INT64_C(253402300800000)};
    for (int index = 0; index < 200008; index++) {
        int64_t at =
            index < 8 ? fixed[index] : fo_test_random_range(&random, 0, INT64_C(253402300800000));
        char fast[40];
        size_t bytes = fo_clock_format(at, fast, sizeof fast);
        time_t seconds = (time_t)(at / 1000);
        struct tm tm;
        assert_non_null(gmtime_r(&seconds, &tm));
        char expected[40];
        int written = snprintf(expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                               tm.tm_sec, (int)(at % 1000));
        assert_int_equal(bytes, (size_t)written);
        assert_string_equal(fast, expected);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_test_stands_still_until_advanced),
        cmocka_unit_test(test_clock_real_never_decreases),
        cmocka_unit_test(test_clock_format_rfc3339_milliseconds),
        cmocka_unit_test(test_clock_format_agrees_with_gmtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
