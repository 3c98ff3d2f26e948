/* The server's clock (see clock.h): the one place that reads the system time.
 *
 * The real clock is CLOCK_REALTIME in milliseconds, made monotonic: a step of the system
 * time backwards (NTP, an operator) must never make an order's events go back in time or
 * reopen a lease, so now is the largest time handed out so far. The test clock stands at
 * its creation time and moves only through fo_clock_advance. A mutex guards both. */
#include "commands/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/assert.h"

struct fo_clock {
    pthread_mutex_t mutex;
    bool test;
    int64_t now_unix_ms; /* Test: the standing time. Real: the largest time handed out. */
};

static int64_t clock_read_system_ms(void)
{
    struct timespec now;
    int read_err = clock_gettime(CLOCK_REALTIME, &now);
    FO_ASSERT(read_err == 0);
    int64_t now_unix_ms = (int64_t)now.tv_sec * 1000 + (int64_t)(now.tv_nsec / 1000000L);
    FO_ASSERT(now_unix_ms > 0);
    return now_unix_ms;
}

struct fo_clock *fo_clock_create(bool test)
{
    struct fo_clock *clock = calloc(1, sizeof *clock);
    FO_ASSERT(clock != NULL);
    int init_err = pthread_mutex_init(&clock->mutex, NULL);
    FO_ASSERT(init_err == 0);
    clock->test = test;
    clock->now_unix_ms = clock_read_system_ms();
    FO_ASSERT(clock->now_unix_ms > 0);
    return clock;
}

void fo_clock_destroy(struct fo_clock *clock)
{
    if (clock == NULL) {
        return;
    }
    FO_ASSERT(clock->now_unix_ms > 0);
    int destroy_err = pthread_mutex_destroy(&clock->mutex);
    FO_ASSERT(destroy_err == 0);
    free(clock);
}

int64_t fo_clock_now(struct fo_clock *clock)
{
    FO_ASSERT(clock != NULL);
    int64_t system_ms = clock->test ? 0 : clock_read_system_ms();
    pthread_mutex_lock(&clock->mutex);
    if (system_ms > clock->now_unix_ms) {
        clock->now_unix_ms = system_ms;
    }
    int64_t now_unix_ms = clock->now_unix_ms;
    pthread_mutex_unlock(&clock->mutex);
    FO_ASSERT(now_unix_ms > 0);
    return now_unix_ms;
}

bool fo_clock_is_test(const struct fo_clock *clock)
{
    FO_ASSERT(clock != NULL);
    FO_ASSERT(clock->now_unix_ms > 0);
    return clock->test;
}

int64_t fo_clock_advance(struct fo_clock *clock, int64_t ms)
{
    FO_ASSERT(clock != NULL);
    FO_ASSERT(clock->test);
    FO_ASSERT(ms > 0);
    pthread_mutex_lock(&clock->mutex);
    int64_t before_unix_ms = clock->now_unix_ms;
    FO_ASSERT(before_unix_ms <= INT64_MAX - ms);
    clock->now_unix_ms = before_unix_ms + ms;
    int64_t now_unix_ms = clock->now_unix_ms;
    pthread_mutex_unlock(&clock->mutex);
    FO_ASSERT(now_unix_ms > before_unix_ms);
    return now_unix_ms;
}

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian; H. Hinnant's
 * days_from_civil inverted, in era arithmetic: exact for every day >= 0). */
static void civil_from_days(int64_t days, int64_t *out_year, int *out_month, int *out_day)
{
    days += 719468; /* Days from 0000-03-01 to 1970-01-01. */
    int64_t era = days / 146097;
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t month_from_march = (5 * day_of_year + 2) / 153;
    *out_day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    *out_month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    *out_year = year_of_era + era * 400 + (*out_month <= 2 ? 1 : 0);
}

static void put_digits(char *at, int64_t value, int count)
{
    for (int index = count - 1; index >= 0; index--) {
        at[index] = (char)('0' + (int)(value % 10));
        value /= 10;
    }
}

/* Without gmtime_r and snprintf: every answer carries several instants. Years past 9999
 * (a test clock far ahead) take the general path. */
size_t fo_clock_format(int64_t at_unix_ms, char *buf, size_t buf_bytes)
{
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= 25);
    FO_ASSERT(at_unix_ms >= 0);

    int64_t year = 0;
    int month = 0;
    int day = 0;
    civil_from_days(at_unix_ms / 86400000, &year, &month, &day);
    if (year <= 9999) {
        int64_t ms_of_day = at_unix_ms % 86400000;
        memcpy(buf, "0000-00-00T00:00:00.000Z", 25);
        put_digits(buf, year, 4);
        put_digits(buf + 5, month, 2);
        put_digits(buf + 8, day, 2);
        put_digits(buf + 11, ms_of_day / 3600000, 2);
        put_digits(buf + 14, ms_of_day / 60000 % 60, 2);
        put_digits(buf + 17, ms_of_day / 1000 % 60, 2);
        put_digits(buf + 20, ms_of_day % 1000, 3);
        return 24;
    }
    time_t seconds = (time_t)(at_unix_ms / 1000);
    int millis = (int)(at_unix_ms % 1000);
    struct tm tm;
    struct tm *converted = gmtime_r(&seconds, &tm);
    FO_ASSERT(converted != NULL);
    int written = snprintf(buf, buf_bytes, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    FO_ASSERT(written > 0);
    FO_ASSERT((size_t)written < buf_bytes);
    return (size_t)written;
}
