/* Logs: one line per event on standard error, key=value, with the order id when there is
 * one (the house rule). Errors say what to do. Thread-safe: lines never interleave.
 *
 * The server buffers (fo_log_buffer_start): a line below WARN goes to memory and a thread
 * of its own writes the lines every FO_LOG_FLUSH_MS (one write(2) per request was ~5 % of
 * the server's CPU under load). A WARN or ERROR line writes everything before it and
 * itself at once, so a failed assertion's line (FO_ASSERT logs, then aborts) comes out
 * with its lead-up; a full buffer is written by the thread that finds it full. What a
 * crash by signal loses is at most the last FO_LOG_FLUSH_MS of info lines. */
#ifndef FO_LOG_H
#define FO_LOG_H

#include <stdbool.h>

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

/* Start buffering (false: the thread could not start; lines stay unbuffered). */
bool fo_log_buffer_start(void);
/* Write what is buffered now (before printing to stderr by other means, say). */
void fo_log_flush(void);
/* Write what is buffered and stop buffering; later lines are written directly. */
void fo_log_buffer_stop(void);

#endif
