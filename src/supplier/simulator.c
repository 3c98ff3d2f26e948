/* The simulated supplier: the server runs the suppliers created with simulate_units_per_s
 * (API.md, POST /v1/admin/suppliers), so that a demo or a test sees orders move without
 * an outside program.
 *
 * It is a supplier like any other: it claims, reports progress and completes through
 * fo_cmd_claim, fo_cmd_progress and fo_cmd_complete, so every rule, event and ledger
 * posting is exactly what an outside supplier would cause. It never writes to the store
 * itself and never decides anything about money.
 *
 * Progress is a function of the server's clock, not of how often ticks run: a job claimed
 * at t has delivered min(quantity, floor((now - t) * units_per_s / 1000)) units at now,
 * with t read back from the job's `claimed` event. So a missed or failed tick loses
 * nothing, a restart resumes exactly, a test that advances the test clock sees progress
 * jump by exactly that much, and a job never moves while the test clock stands still. A
 * job whose lease has run out by now is left alone: it is lost like any supplier's, and
 * the lease reaper fails it (supplier_timeout).
 *
 * Workload: one tick every FO_SIMULATOR_PERIOD_MS, one writer job each, bounded by
 * FO_SIMULATOR_COMMANDS_PER_TICK_MAX jobs touched; each command in its own inner command scope
 * so that a refusal (the buyer cancelled, the lease ran out) undoes only itself. All the
 * working memory lives in struct fo_simulator, allocated once. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands/commands.h"
#include "core/assert.h"
#include "log.h"
#include "thread.h"
#include "supplier/supplier.h"

struct fo_simulator {
    /* The thread, when started (fo_simulator_start). */
    struct fo_writer *writer;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    bool stopping;
    struct fo_job job;
    enum fo_err tick_err;
    struct fo_simulator_stats stats; /* Of the last tick. */
    /* Kept between ticks: the seq of the last supplier served (0: start over). */
    int64_t supplier_after_seq;
    /* Working memory of one tick. */
    size_t cost_count; /* Spent of FO_SIMULATOR_COMMANDS_PER_TICK_MAX. */
    struct fo_supplier suppliers[FO_SIMULATOR_SUPPLIERS_PAGE];
    struct fo_order jobs[FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX];
    struct fo_order claimed[FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX];
    struct fo_event events[FO_SIMULATOR_CLAIM_EVENTS_MAX];
    struct fo_order_view view;
    struct fo_err_detail detail;
    char completed_ids[FO_SIMULATOR_COMMANDS_PER_TICK_MAX][FO_ID_BYTES];
};

int64_t fo_simulator_delivered(int64_t quantity, int64_t units_per_s, int64_t elapsed_ms)
{
    FO_ASSERT(quantity >= 1 && quantity <= FO_QUANTITY_MAX);
    FO_ASSERT(units_per_s >= 1 && units_per_s <= FO_SIMULATE_UNITS_PER_S_MAX);
    if (elapsed_ms <= 0) {
        return 0;
    }
    if (elapsed_ms > FO_SIMULATOR_ELAPSED_MS_MAX) {
        elapsed_ms = FO_SIMULATOR_ELAPSED_MS_MAX;
    }
    int64_t delivered = elapsed_ms * units_per_s / 1000;
    if (delivered > quantity) {
        delivered = quantity;
    }
    FO_ASSERT(delivered >= 0);
    FO_ASSERT(delivered <= quantity);
    return delivered;
}

/* Close a command's inner scope, keeping it only when the command succeeded. Returns a
 * store failure (of the command or of the scope) to end the tick on, else FO_OK; any
 * other error is the command's refusal: counted and logged, and the tick goes on. */
static enum fo_err simulator_scope_end(struct fo_simulator *simulator, struct fo_store *store,
                                       enum fo_err command_err, const char *order_id,
                                       const char *command)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(command != NULL);
    enum fo_err err = fo_store_command_end(store, command_err == FO_OK);
    if (err != FO_OK) {
        return err;
    }
    if (command_err == FO_ERR_UNAVAILABLE || command_err == FO_ERR_INTERNAL) {
        return command_err;
    }
    if (command_err != FO_OK) {
        simulator->stats.refused_count++;
        fo_log(FO_LOG_INFO, "simulator.refused", "order=%s command=%s err=%s", order_id, command,
               fo_err_code(command_err));
    }
    return FO_OK;
}

/* The time the job was claimed, from its `claimed` event; NOT_FOUND when it has none. */
static enum fo_err simulator_claimed_at(struct fo_simulator *simulator, struct fo_store *store,
                                        const char *order_id, int64_t *out_unix_ms)
{
    FO_ASSERT(order_id != NULL);
    FO_ASSERT(out_unix_ms != NULL);
    size_t count = 0;
    enum fo_err err = fo_store_event_list(store, order_id, 0, simulator->events,
                                          FO_SIMULATOR_CLAIM_EVENTS_MAX, &count);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(count <= FO_SIMULATOR_CLAIM_EVENTS_MAX);
    for (size_t index = 0; index < count; index++) {
        if (simulator->events[index].type == FO_EVENT_CLAIMED) {
            *out_unix_ms = simulator->events[index].at_unix_ms;
            return FO_OK;
        }
    }
    return FO_ERR_NOT_FOUND;
}

/* Complete the job, remembering its id for the log line written once it is durable. */
static enum fo_err simulator_complete(struct fo_simulator *simulator, struct fo_store *store,
                                      int64_t now_unix_ms, const struct fo_order *job)
{
    FO_ASSERT(job->state == FO_STATE_EXECUTING);
    FO_ASSERT(simulator->stats.completed_count < FO_SIMULATOR_COMMANDS_PER_TICK_MAX);
    enum fo_err err = fo_store_command_begin(store);
    if (err != FO_OK) {
        return err;
    }
    enum fo_err command_err = fo_cmd_complete(store, now_unix_ms, job->supplier_id, job->id,
                                              job->quantity, &simulator->view, &simulator->detail);
    err = simulator_scope_end(simulator, store, command_err, job->id, "complete");
    if (err == FO_OK && command_err == FO_OK) {
        FO_ASSERT(simulator->view.order.state == FO_STATE_COMPLETED);
        char *id = simulator->completed_ids[simulator->stats.completed_count];
        memcpy(id, job->id, FO_ID_BYTES);
        id[FO_ID_BYTES - 1] = '\0';
        simulator->stats.completed_count++;
    }
    return err;
}

static enum fo_err simulator_progress(struct fo_simulator *simulator, struct fo_store *store,
                                      int64_t now_unix_ms, const struct fo_order *job,
                                      int64_t delivered)
{
    FO_ASSERT(delivered > job->delivered);
    FO_ASSERT(delivered < job->quantity);
    enum fo_err err = fo_store_command_begin(store);
    if (err != FO_OK) {
        return err;
    }
    enum fo_err command_err = fo_cmd_progress(store, now_unix_ms, job->supplier_id, job->id,
                                              delivered, &simulator->view, &simulator->detail);
    err = simulator_scope_end(simulator, store, command_err, job->id, "progress");
    if (err == FO_OK && command_err == FO_OK) {
        simulator->stats.progressed_count++;
    }
    return err;
}

/* Bring one executing job to where its rate says it is now. */
static enum fo_err simulator_advance(struct fo_simulator *simulator, struct fo_store *store,
                                     int64_t now_unix_ms, const struct fo_supplier *supplier,
                                     const struct fo_order *job)
{
    FO_ASSERT(supplier->simulate_units_per_s > 0);
    FO_ASSERT(job->state == FO_STATE_EXECUTING);
    if (now_unix_ms >= job->lease_expires_at_unix_ms) {
        /* Its lease ran out (the server was down, or the test clock jumped past it): like
         * any supplier, it has lost the job, which the lease reaper fails. Reporting now
         * would make the outcome depend on which of the two ran first. */
        return FO_OK;
    }
    int64_t claimed_at_unix_ms = 0;
    enum fo_err err = simulator_claimed_at(simulator, store, job->id, &claimed_at_unix_ms);
    if (err == FO_ERR_NOT_FOUND) {
        fo_log(FO_LOG_WARN, "simulator.no_claim", "order=%s action=\"left to its lease\"", job->id);
        return FO_OK;
    }
    if (err != FO_OK) {
        return err;
    }
    int64_t delivered = fo_simulator_delivered(job->quantity, supplier->simulate_units_per_s,
                                               now_unix_ms - claimed_at_unix_ms);
    if (delivered == job->quantity) {
        return simulator_complete(simulator, store, now_unix_ms, job);
    }
    if (delivered > job->delivered) {
        return simulator_progress(simulator, store, now_unix_ms, job, delivered);
    }
    return FO_OK;
}

/* Claim queued jobs while fewer than FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX execute. */
static enum fo_err simulator_claim(struct fo_simulator *simulator, struct fo_store *store,
                                   int64_t now_unix_ms, const struct fo_supplier *supplier,
                                   size_t executing_count)
{
    FO_ASSERT(executing_count <= FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX);
    FO_ASSERT(supplier->simulate_units_per_s > 0);
    if (executing_count == FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX) {
        return FO_OK;
    }
    enum fo_err err = fo_store_command_begin(store);
    if (err != FO_OK) {
        return err;
    }
    size_t claimed_count = 0;
    int64_t max = (int64_t)(FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX - executing_count);
    enum fo_err command_err = fo_cmd_claim(store, now_unix_ms, supplier->id, max,
                                           simulator->claimed, &claimed_count, &simulator->detail);
    err = simulator_scope_end(simulator, store, command_err, "-", "claim");
    if (err == FO_OK && command_err == FO_OK) {
        FO_ASSERT(claimed_count <= (size_t)max);
        simulator->stats.claimed_count += claimed_count;
    }
    return err;
}

/* One supplier's turn: advance its executing jobs (oldest first), then claim more. Jobs
 * claimed now have delivered nothing yet: they move from the next tick on. */
static enum fo_err simulator_serve(struct fo_simulator *simulator, struct fo_store *store,
                                   int64_t now_unix_ms, const struct fo_supplier *supplier)
{
    FO_ASSERT(supplier->simulate_units_per_s > 0);
    FO_ASSERT(simulator->cost_count + FO_SIMULATOR_SUPPLIER_COST_MAX <=
              FO_SIMULATOR_COMMANDS_PER_TICK_MAX);
    size_t executing_count = 0;
    enum fo_err err = fo_store_order_executing(
        store, supplier->id, simulator->jobs, FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX, &executing_count);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(executing_count <= FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX);
    size_t completed_before = simulator->stats.completed_count;
    size_t claimed_before = simulator->stats.claimed_count;
    for (size_t index = 0; index < executing_count && err == FO_OK; index++) {
        err = simulator_advance(simulator, store, now_unix_ms, supplier, &simulator->jobs[index]);
    }
    if (err == FO_OK) {
        /* Completed jobs freed their slots, and their capacity was allocated to pending
         * orders by the completions: claim those at once. */
        size_t completed_count = simulator->stats.completed_count - completed_before;
        FO_ASSERT(completed_count <= executing_count);
        err = simulator_claim(simulator, store, now_unix_ms, supplier,
                              executing_count - completed_count);
    }
    simulator->stats.suppliers_count++;
    FO_ASSERT(simulator->stats.claimed_count >= claimed_before);
    size_t cost = 1 + executing_count + (simulator->stats.claimed_count - claimed_before);
    FO_ASSERT(cost <= FO_SIMULATOR_SUPPLIER_COST_MAX);
    simulator->cost_count += cost;
    return err;
}

enum fo_err fo_simulator_tick(struct fo_simulator *simulator, struct fo_store *store,
                              int64_t now_unix_ms, struct fo_simulator_stats *out)
{
    FO_ASSERT(simulator != NULL);
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    memset(&simulator->stats, 0, sizeof simulator->stats);
    simulator->cost_count = 0;
    enum fo_err err = FO_OK;
    /* Each supplier served costs at least one command: the budget bounds the pages. A tick
     * whose budget runs out leaves the cursor on the last supplier served, so the next
     * tick goes on from there (round robin). */
    size_t pages_max = FO_SIMULATOR_COMMANDS_PER_TICK_MAX / FO_SIMULATOR_SUPPLIERS_PAGE + 1;
    bool budget_left = true;
    for (size_t page = 0; page < pages_max && budget_left && err == FO_OK; page++) {
        size_t count = 0;
        err = fo_store_supplier_scan_simulated(store, simulator->supplier_after_seq,
                                               simulator->suppliers, FO_SIMULATOR_SUPPLIERS_PAGE,
                                               &count);
        for (size_t index = 0; index < count && budget_left && err == FO_OK; index++) {
            budget_left = simulator->cost_count + FO_SIMULATOR_SUPPLIER_COST_MAX <=
                          FO_SIMULATOR_COMMANDS_PER_TICK_MAX;
            if (budget_left) {
                err = simulator_serve(simulator, store, now_unix_ms, &simulator->suppliers[index]);
                simulator->supplier_after_seq = simulator->suppliers[index].seq;
            }
        }
        if (err == FO_OK && budget_left && count < FO_SIMULATOR_SUPPLIERS_PAGE) {
            simulator->supplier_after_seq = 0; /* All served: the next tick starts over. */
            break;
        }
    }
    FO_ASSERT(simulator->cost_count <= FO_SIMULATOR_COMMANDS_PER_TICK_MAX);
    *out = simulator->stats;
    return err;
}

const char *fo_simulator_completed(const struct fo_simulator *simulator, size_t index)
{
    FO_ASSERT(simulator != NULL);
    FO_ASSERT(index < simulator->stats.completed_count);
    return simulator->completed_ids[index];
}

struct fo_simulator *fo_simulator_create(void)
{
    struct fo_simulator *simulator = calloc(1, sizeof *simulator);
    if (simulator == NULL) {
        return NULL;
    }
    FO_ASSERT(simulator->supplier_after_seq == 0);
    FO_ASSERT(simulator->writer == NULL);
    return simulator;
}

void fo_simulator_destroy(struct fo_simulator *simulator)
{
    if (simulator == NULL) {
        return;
    }
    FO_ASSERT(simulator->writer == NULL);
    FO_ASSERT(simulator->stats.completed_count <= FO_SIMULATOR_COMMANDS_PER_TICK_MAX);
    free(simulator);
}

static void simulator_job_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    struct fo_simulator *simulator =
        (struct fo_simulator *)(void *)((char *)job - offsetof(struct fo_simulator, job));
    FO_ASSERT(simulator->writer != NULL);
    struct fo_simulator_stats stats;
    simulator->tick_err = fo_simulator_tick(simulator, store, now_unix_ms, &stats);
    /* A store failure drops the whole tick: the next one redoes it, progress being a
     * function of time. */
    job->keep = simulator->tick_err == FO_OK;
    FO_ASSERT(stats.completed_count <= FO_SIMULATOR_COMMANDS_PER_TICK_MAX);
}

/* One tick as a writer job; once it is durable, one log line per completed job. */
static void simulator_run_tick(struct fo_simulator *simulator)
{
    FO_ASSERT(simulator != NULL);
    FO_ASSERT(simulator->writer != NULL);
    memset(&simulator->job, 0, sizeof simulator->job);
    simulator->job.run = simulator_job_run;
    simulator->tick_err = FO_OK;
    enum fo_err err = fo_writer_run_sync(simulator->writer, &simulator->job);
    if (err == FO_OK) {
        err = simulator->tick_err;
    }
    if (err != FO_OK) {
        fo_log(FO_LOG_WARN, "simulator.failed", "err=%s action=\"retrying next tick\"",
               fo_err_code(err));
        return;
    }
    for (size_t index = 0; index < simulator->stats.completed_count; index++) {
        fo_log(FO_LOG_INFO, "simulator.completed", "order=%s",
               fo_simulator_completed(simulator, index));
    }
}

static void *simulator_main(void *argument)
{
    struct fo_simulator *simulator = argument;
    fo_thread_name("fo-simulator");
    FO_ASSERT(simulator != NULL);
    pthread_mutex_lock(&simulator->mutex);
    /* Ends when stopping is asked; each pass waits one period, then ticks. */
    while (!simulator->stopping) {
        struct timespec deadline = fo_thread_deadline(FO_SIMULATOR_PERIOD_MS);
        pthread_cond_timedwait(&simulator->wake, &simulator->mutex, &deadline);
        if (simulator->stopping) {
            break;
        }
        pthread_mutex_unlock(&simulator->mutex);
        simulator_run_tick(simulator);
        pthread_mutex_lock(&simulator->mutex);
    }
    pthread_mutex_unlock(&simulator->mutex);
    FO_ASSERT(simulator->stopping);
    return NULL;
}

enum fo_err fo_simulator_start(struct fo_writer *writer, struct fo_simulator **out)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(out != NULL);
    struct fo_simulator *simulator = fo_simulator_create();
    if (simulator == NULL) {
        return FO_ERR_UNAVAILABLE;
    }
    simulator->writer = writer;
    int mutex_err = pthread_mutex_init(&simulator->mutex, NULL);
    FO_ASSERT(mutex_err == 0);
    int cond_err = pthread_cond_init(&simulator->wake, NULL);
    FO_ASSERT(cond_err == 0);
    if (pthread_create(&simulator->thread, NULL, simulator_main, simulator) != 0) {
        fo_log(FO_LOG_ERROR, "simulator.start", "error=\"cannot start the simulator thread\"");
        pthread_cond_destroy(&simulator->wake);
        pthread_mutex_destroy(&simulator->mutex);
        free(simulator);
        return FO_ERR_UNAVAILABLE;
    }
    *out = simulator;
    return FO_OK;
}

void fo_simulator_stop(struct fo_simulator *simulator)
{
    if (simulator == NULL) {
        return;
    }
    FO_ASSERT(simulator->writer != NULL);
    pthread_mutex_lock(&simulator->mutex);
    FO_ASSERT(!simulator->stopping);
    simulator->stopping = true;
    pthread_cond_signal(&simulator->wake);
    pthread_mutex_unlock(&simulator->mutex);
    int join_err = pthread_join(simulator->thread, NULL);
    FO_ASSERT(join_err == 0);
    pthread_cond_destroy(&simulator->wake);
    pthread_mutex_destroy(&simulator->mutex);
    simulator->writer = NULL;
    fo_simulator_destroy(simulator);
}
