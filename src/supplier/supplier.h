/* The supplier runtime (DESIGN.md): the lease reaper, which fails jobs whose supplier
 * stopped reporting, and housekeeping (old idempotency keys). Both run as jobs of the
 * writer, so they follow the same rules and the same group commit as every command. */
#ifndef FO_SUPPLIER_SUPPLIER_H
#define FO_SUPPLIER_SUPPLIER_H

#include "commands/clock.h"
#include "commands/writer.h"
#include "core/err.h"

struct fo_reaper;

/* Starts a thread that every FO_REAPER_PERIOD_MS fails expired leases (reason
 * supplier_timeout) and hourly forgets idempotency keys older than the keep period. */
enum fo_err fo_reaper_start(struct fo_writer *writer, struct fo_clock *clock,
                            struct fo_reaper **out);
/* Stops and joins; NULL is a no-op. */
void fo_reaper_stop(struct fo_reaper *reaper);

#endif
