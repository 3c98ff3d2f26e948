/* The server's log buffer (src/log.c): every line comes out once, whole and in each
 * thread's order, and a warning comes out at once with every line logged before it.
 * Method: standard error goes to a temporary file; two threads log numbered info lines
 * (together more than FO_LOG_BUFFER_BYTES, so the full-buffer path runs too); then the
 * file is read back line by line. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "log.h"
#include "support/fo_test.h"

#define LINES_PER_THREAD 2000

static void *log_lines(void *argument)
{
    const char *name = argument;
    for (int index = 0; index < LINES_PER_THREAD; index++) {
        fo_log(FO_LOG_INFO, "test.line", "thread=%s index=%d padding=%s", name, index,
               "................................................");
    }
    return NULL;
}

/* Redirect standard error to a fresh file; returns the saved descriptor. */
static int stderr_to(const char *path)
{
    int saved = dup(STDERR_FILENO);
    int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && file >= 0);
    assert_int_equal(dup2(file, STDERR_FILENO), STDERR_FILENO);
    close(file);
    return saved;
}

static void stderr_back(int saved)
{
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
}

/* Lines of the file so far: each must be a whole line of a thread, in that thread's order. */
static int count_lines(const char *path, int next_index[2], bool *out_warning_seen)
{
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, file) != NULL) {
        assert_non_null(strchr(line, '\n'));
        count++;
        if (strstr(line, "event=test.warning") != NULL) {
            *out_warning_seen = true;
            continue;
        }
        const char *thread = strstr(line, "thread=");
        assert_non_null(thread);
        int which = thread[7] == 'a' ? 0 : 1;
        int index = -1;
        assert_int_equal(sscanf(strstr(line, "index="), "index=%d", &index), 1);
        assert_int_equal(index, next_index[which]);
        next_index[which]++;
    }
    fclose(file);
    return count;
}

static void test_buffered_lines_come_out_whole_in_order_and_before_a_warning(void **state)
{
    (void)state;
    char path[] = "build/tmp/log-test-XXXXXX";
    int made = mkstemp(path);
    assert_true(made >= 0);
    close(made);
    int saved = stderr_to(path);
    assert_true(fo_log_buffer_start());
    pthread_t threads[2];
    assert_int_equal(pthread_create(&threads[0], NULL, log_lines, "a"), 0);
    assert_int_equal(pthread_create(&threads[1], NULL, log_lines, "b"), 0);
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
    fo_log(FO_LOG_WARN, "test.warning", "action=none");
    /* Still buffering: the warning wrote everything before it, and itself. */
    int next_index[2] = {0, 0};
    bool warning_seen = false;
    int count = count_lines(path, next_index, &warning_seen);
    fo_log_buffer_stop();
    stderr_back(saved);
    assert_true(2 * LINES_PER_THREAD * 100 > (int)FO_LOG_BUFFER_BYTES); /* Full path ran. */
    assert_int_equal(count, 2 * LINES_PER_THREAD + 1);
    assert_int_equal(next_index[0], LINES_PER_THREAD);
    assert_int_equal(next_index[1], LINES_PER_THREAD);
    assert_true(warning_seen);
    remove(path);
}

/* The milliseconds since the epoch of a line's "YYYY-MM-DDTHH:MM:SS.mmmZ" start, or -1. */
static long long line_time_ms(const char *line)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int millis = -1;
    char zone = 0;
    if (sscanf(line, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis, &zone) != 8 ||
        zone != 'Z' || line[23] != 'Z') {
        return -1;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) * 1000 + millis;
}

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Each line starts with its time (UTC, milliseconds, read between the clock readings
 * around it), the level and the event: "2026-11-26T02:15:00.123Z info event=x key=value".
 * Lines a few milliseconds apart cross seconds, so the per-second prefix is renewed. */
static void test_line_starts_with_its_time_level_and_event(void **state)
{
    (void)state;
    char path[] = "build/tmp/log-test-XXXXXX";
    int made = mkstemp(path);
    assert_true(made >= 0);
    close(made);
    enum { LINES = 12 };
    long long before[LINES];
    long long after[LINES];
    int saved = stderr_to(path);
    for (int index = 0; index < LINES; index++) {
        before[index] = now_ms();
        fo_log(index % 2 == 0 ? FO_LOG_INFO : FO_LOG_WARN, "test.time", "index=%d", index);
        after[index] = now_ms();
        usleep(150000); /* 12 lines over ~1.8 s: at least one second boundary. */
    }
    stderr_back(saved);
    FILE *file = fopen(path, "r");
    assert_non_null(file);
    char line[256];
    for (int index = 0; index < LINES; index++) {
        assert_non_null(fgets(line, sizeof line, file));
        long long at = line_time_ms(line);
        assert_true(at >= before[index] && at <= after[index]);
        char expected[64];
        snprintf(expected, sizeof expected, " %s event=test.time index=%d\n",
                 index % 2 == 0 ? "info" : "warn", index);
        assert_string_equal(line + 24, expected);
    }
    assert_null(fgets(line, sizeof line, file));
    fclose(file);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffered_lines_come_out_whole_in_order_and_before_a_warning),
        cmocka_unit_test(test_line_starts_with_its_time_level_and_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
