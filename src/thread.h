/* The server's own threads: their names (as ps, top and perf show them) and the deadlines
 * of their periodic waits. */
#ifndef FO_THREAD_H
#define FO_THREAD_H

#include <stdint.h>
#include <time.h>

/* Name the calling thread (at most 15 bytes); a failure is ignored (only a label). */
void fo_thread_name(const char *name);

/* The CLOCK_REALTIME instant `after_ms` (>= 0) from now, normalised, as
 * pthread_cond_timedwait wants it. */
struct timespec fo_thread_deadline(int64_t after_ms);

#endif
