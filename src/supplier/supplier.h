/* The supplier runtime (DESIGN.md): the lease reaper, which fails jobs whose supplier
 * stopped reporting, housekeeping (old idempotency keys), and the simulated supplier, which
 * runs the suppliers created with simulate_units_per_s. All run as jobs of the writer, so
 * they follow the same rules and the same group commit as every command. */
#ifndef FO_SUPPLIER_SUPPLIER_H
#define FO_SUPPLIER_SUPPLIER_H

#include <stddef.h>
#include <stdint.h>

#include "commands/clock.h"
#include "commands/writer.h"
#include "core/err.h"
#include "core/limits.h"
#include "store/store.h"

struct fo_reaper;

/* Starts a thread that every FO_REAPER_PERIOD_MS fails expired leases (reason
 * supplier_timeout) and hourly forgets idempotency keys older than the keep period. */
enum fo_err fo_reaper_start(struct fo_writer *writer, struct fo_clock *clock,
                            struct fo_reaper **out);
/* Stops and joins; NULL is a no-op. */
void fo_reaper_stop(struct fo_reaper *reaper);

/* --- Simulated supplier ------------------------------------------------------------------
 *
 * A supplier created with simulate_units_per_s > 0 is run by the server itself, through
 * the same commands as an outside supplier (fo_cmd_claim, fo_cmd_progress,
 * fo_cmd_complete): every rule and every ledger posting is the same. Its jobs progress at
 * exactly simulate_units_per_s units per second of the server's clock since the claim:
 * delivered = min(quantity, floor(elapsed_ms * units_per_s / 1000)). With --test-clock
 * nothing moves until the clock is advanced, and a big step moves progress as far. */

/* The simulator's limits (FO_SIMULATOR_*) live in core/limits.h with the others. */

/* The units a job of `quantity` delivers `elapsed_ms` after its claim at `units_per_s`
 * (1..FO_SIMULATE_UNITS_PER_S_MAX): min(quantity, floor(elapsed_ms * units_per_s / 1000)),
 * 0 for a negative elapsed time. Pure and exact. */
int64_t fo_simulator_delivered(int64_t quantity, int64_t units_per_s, int64_t elapsed_ms);

/* What one tick did. */
struct fo_simulator_stats {
    size_t suppliers_count; /* Simulated suppliers served. */
    size_t claimed_count;   /* Jobs moved queued -> executing. */
    size_t progressed_count;
    size_t completed_count;
    size_t refused_count; /* Commands refused (e.g. the buyer cancelled meanwhile). */
};

struct fo_simulator;

/* A simulator without a thread: its state between ticks (the round-robin position) and
 * its working memory. For fo_simulator_tick in tests; fo_simulator_start makes its own.
 * NULL when out of memory. */
struct fo_simulator *fo_simulator_create(void);
/* Frees it; NULL is a no-op. Not for a started simulator (use fo_simulator_stop). */
void fo_simulator_destroy(struct fo_simulator *simulator);

/* One tick at now_unix_ms, inside the caller's open command scope (the writer's job, or a
 * test's batch): serves simulated suppliers from where the last tick stopped, at most
 * FO_SIMULATOR_COMMANDS_PER_TICK_MAX commands. For each: claims queued jobs up to
 * FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX executing, reports progress at its rate, completes
 * the jobs that reach their quantity. Every command runs in its own inner command scope,
 * so a refused one (JOB_NOT_ACTIVE after a cancel) undoes only itself and is counted.
 * Returns FO_OK, or the store's UNAVAILABLE / INTERNAL at which it stopped (the caller
 * should then drop the tick's writes; the next tick redoes them, progress being a
 * function of time). *out says what it did; ids of completed jobs are kept for
 * fo_simulator_completed. */
enum fo_err fo_simulator_tick(struct fo_simulator *simulator, struct fo_store *store,
                              int64_t now_unix_ms, struct fo_simulator_stats *out);
/* The id of the index-th job completed by the last tick (index < its completed_count). */
const char *fo_simulator_completed(const struct fo_simulator *simulator, size_t index);

/* Starts a thread that every FO_SIMULATOR_PERIOD_MS runs one tick as a writer job, at
 * the writer's now (the server's clock), and logs each completed job once durable. */
enum fo_err fo_simulator_start(struct fo_writer *writer, struct fo_simulator **out);
/* Stops and joins, then frees; NULL is a no-op. Call before stopping the writer. */
void fo_simulator_stop(struct fo_simulator *simulator);

#endif
