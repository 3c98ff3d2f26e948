/* The server's clock: the real time, or with --test-clock a clock that stands still at the
 * time of start and only moves when told (API.md, "--test-clock"). The one place that
 * reads the system time; the core gets `now` as a parameter. Thread-safe. */
#ifndef FO_COMMANDS_CLOCK_H
#define FO_COMMANDS_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fo_clock;

/* A clock; with `test` it stands at the real time of this call until advanced. */
struct fo_clock *fo_clock_create(bool test);
void fo_clock_destroy(struct fo_clock *clock);
/* Milliseconds since the Unix epoch; never decreases between calls. */
int64_t fo_clock_now(struct fo_clock *clock);
bool fo_clock_is_test(const struct fo_clock *clock);
/* Move a test clock forward by `ms` (> 0); returns the new now. Asserts a test clock. */
int64_t fo_clock_advance(struct fo_clock *clock, int64_t ms);
/* Render an instant as RFC 3339 UTC with milliseconds ("2026-11-25T19:00:00.000Z") into
 * buf (>= 25 bytes); returns the bytes written. */
size_t fo_clock_format(int64_t at_unix_ms, char *buf, size_t buf_bytes);

#endif
