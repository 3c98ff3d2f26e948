/* One-line logs on standard error; see log.h. The time is the real wall clock (logs are
 * for people), not the server's test clock. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum fo_log_level level_min = FO_LOG_INFO;

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

void fo_log(enum fo_log_level level, const char *event, const char *format, ...)
{
    if (level < level_min) {
        return;
    }
    char line[2048];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    int used = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s event=%s ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                        tm.tm_sec, now.tv_nsec / 1000000L, level_name(level), event);
    if (used < 0) {
        return;
    }
    size_t length = (size_t)used < sizeof line ? (size_t)used : sizeof line - 1;
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
    ssize_t written = write(STDERR_FILENO, line, length + 1);
    (void)written;
}
