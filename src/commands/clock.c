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

size_t fo_clock_format(int64_t at_unix_ms, char *buf, size_t buf_bytes)
{
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= 25);
    FO_ASSERT(at_unix_ms >= 0);

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
