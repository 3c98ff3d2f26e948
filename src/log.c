/* One-line logs on standard error; see log.h. The time is the real wall clock (logs are
 * for people), not the server's test clock.
 *
 * Buffering uses two buffers: lines are appended to the active one under buffer_mutex;
 * a flush, under write_mutex, swaps them and writes the full one outside buffer_mutex, so
 * appends never wait for write(2), and write_mutex keeps the writes in order. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "thread.h"

static enum fo_log_level level_min = FO_LOG_INFO;

static pthread_mutex_t write_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t buffer_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t buffer_wake = PTHREAD_COND_INITIALIZER;
static char buffers[2][FO_LOG_BUFFER_BYTES];
static size_t active;      /* The buffer appended to (buffer_mutex). */
static size_t active_used; /* Its bytes (buffer_mutex). */
static bool stopping;      /* The flusher should end (buffer_mutex). */
static atomic_bool buffering;
static pthread_t flusher;

static void write_all(const char *bytes, size_t length)
{
    while (length > 0) {
        ssize_t written = write(STDERR_FILENO, bytes, length);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return; /* Nowhere to log to: nothing better to do. */
        }
        bytes += written;
        length -= (size_t)written;
    }
}

/* With write_mutex held: write out the active buffer. */
static void flush_holding_write_mutex(void)
{
    pthread_mutex_lock(&buffer_mutex);
    size_t full = active;
    size_t length = active_used;
    active = 1 - active;
    active_used = 0;
    pthread_mutex_unlock(&buffer_mutex);
    write_all(buffers[full], length);
}

void fo_log_flush(void)
{
    pthread_mutex_lock(&write_mutex);
    flush_holding_write_mutex();
    pthread_mutex_unlock(&write_mutex);
}

static void emit(enum fo_log_level level, const char *line, size_t length)
{
    if (!atomic_load(&buffering)) {
        write_all(line, length);
        return;
    }
    if (level < FO_LOG_WARN) {
        pthread_mutex_lock(&buffer_mutex);
        bool fits = length <= FO_LOG_BUFFER_BYTES - active_used;
        if (fits) {
            memcpy(buffers[active] + active_used, line, length);
            active_used += length;
        }
        pthread_mutex_unlock(&buffer_mutex);
        if (fits) {
            return;
        }
    }
    /* A warning or error, or a full buffer: everything before it, then the line. */
    pthread_mutex_lock(&write_mutex);
    flush_holding_write_mutex();
    write_all(line, length);
    pthread_mutex_unlock(&write_mutex);
}

static void *flusher_main(void *argument)
{
    (void)argument;
    fo_thread_name("fo-log");
    pthread_mutex_lock(&buffer_mutex);
    while (!stopping) {
        struct timespec until = fo_thread_deadline(FO_LOG_FLUSH_MS);
        (void)pthread_cond_timedwait(&buffer_wake, &buffer_mutex, &until);
        pthread_mutex_unlock(&buffer_mutex);
        fo_log_flush();
        pthread_mutex_lock(&buffer_mutex);
    }
    pthread_mutex_unlock(&buffer_mutex);
    return NULL;
}

bool fo_log_buffer_start(void)
{
    if (atomic_load(&buffering)) {
        return true;
    }
    pthread_mutex_lock(&buffer_mutex);
    stopping = false;
    pthread_mutex_unlock(&buffer_mutex);
    if (pthread_create(&flusher, NULL, flusher_main, NULL) != 0) {
        return false;
    }
    atomic_store(&buffering, true);
    return true;
}

void fo_log_buffer_stop(void)
{
    if (!atomic_load(&buffering)) {
        return;
    }
    pthread_mutex_lock(&buffer_mutex);
    stopping = true;
    pthread_cond_signal(&buffer_wake);
    pthread_mutex_unlock(&buffer_mutex);
    pthread_join(flusher, NULL);
    atomic_store(&buffering, false);
    fo_log_flush();
}

void fo_log_set_level(enum fo_log_level level)
{
    level_min = level;
}

static const char *level_name(enum fo_log_level level)
{
    switch (level) {
    case FO_LOG_DEBUG:
        return "debug";
    case FO_LOG_INFO:
        return "info";
    case FO_LOG_WARN:
        return "warn";
    case FO_LOG_ERROR:
        return "error";
    }
    return "info";
}

/* "YYYY-MM-DDTHH:MM:SS." of the second `seconds`, formatted once per second and thread
 * (gmtime_r and snprintf were a third of a log line's cost). Returns its length. */
static size_t second_prefix(time_t seconds, char *out, size_t out_bytes)
{
    static _Thread_local time_t cached_second = -1;
    static _Thread_local char cached[32];
    static _Thread_local size_t cached_length;
    if (seconds != cached_second) {
        struct tm tm;
        gmtime_r(&seconds, &tm);
        int used =
            snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        cached_length = used > 0 && (size_t)used < sizeof cached ? (size_t)used : 0;
        cached_second = seconds;
    }
    size_t length = cached_length < out_bytes ? cached_length : 0;
    memcpy(out, cached, length);
    return length;
}

void fo_log(enum fo_log_level level, const char *event, const char *format, ...)
{
    if (level < level_min) {
        return;
    }
    char line[2048];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    size_t length = second_prefix(now.tv_sec, line, sizeof line);
    long millis = now.tv_nsec / 1000000L;
    line[length++] = (char)('0' + millis / 100);
    line[length++] = (char)('0' + millis / 10 % 10);
    line[length++] = (char)('0' + millis % 10);
    const char *parts[] = {"Z ", level_name(level), " event=", event, " "};
    for (size_t index = 0; index < sizeof parts / sizeof parts[0]; index++) {
        size_t bytes = strlen(parts[index]);
        bytes = bytes < sizeof line / 2 - length ? bytes : sizeof line / 2 - length;
        memcpy(line + length, parts[index], bytes);
        length += bytes;
    }
    va_list args;
    va_start(args, format);
    int rest = vsnprintf(line + length, sizeof line - length, format, args);
    va_end(args);
    if (rest > 0) {
        length += (size_t)rest < sizeof line - length ? (size_t)rest : sizeof line - length - 1;
    }
    /* Keep it one line whatever the message held. */
    for (size_t index = 0; index < length; index++) {
        if (line[index] == '\n' || line[index] == '\r') {
            line[index] = ' ';
        }
    }
    if (length >= sizeof line - 1) {
        length = sizeof line - 2;
    }
    line[length] = '\n';
    emit(level, line, length + 1);
}
