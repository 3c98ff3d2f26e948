/* Logs: one line per event on standard error, key=value, with the order id when there is
 * one (the house rule). Errors say what to do. Thread-safe (one write(2) per line). */
#ifndef FO_LOG_H
#define FO_LOG_H

enum fo_log_level {
    FO_LOG_DEBUG = 0,
    FO_LOG_INFO = 1,
    FO_LOG_WARN = 2,
    FO_LOG_ERROR = 3,
};

/* Lines below this level are dropped (default INFO; FAIRORDER_LOG=debug|info|warn|error). */
void fo_log_set_level(enum fo_log_level level);
/* "2026-11-25T19:00:00.000Z info event=<event> <formatted rest>". */
void fo_log(enum fo_log_level level, const char *event, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
