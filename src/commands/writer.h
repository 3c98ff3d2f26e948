/* The writer: one thread owns the write connection and runs queued jobs in batches, one
 * transaction and one fsync per batch (group commit, DESIGN.md "Durability and
 * throughput"). A refused job rolls back alone and does not spoil its batch: jobs are
 * tried bare in the batch's transaction, and when one was refused after writing, the
 * batch is rolled back and run again with each job in its own command scope (a
 * savepoint). See writer.c.
 *
 * A job is a struct embedded in the submitter's own context (container-of style):
 *   run()  — in the writer thread, inside the job's scope: call commands, set `keep`
 *            (true to keep what it wrote: a success, or a refusal whose answer is stored
 *            under an idempotency key), and prepare the answer. It must not block, and
 *            must not touch anything outside the store and its own job. It may run
 *            twice for one submission (the retry above): each run starts from the
 *            job's input and replaces what an earlier run prepared.
 *   done() — in the writer thread, after the batch committed or failed: commit_err is
 *            FO_OK when everything the job kept is durable, else FO_ERR_UNAVAILABLE or
 *            FO_ERR_INTERNAL (the answer must then be that error, never the 2xx).
 *            Typically it resumes a suspended HTTP connection. It must not block.
 *
 * The queue is bounded (FO_WRITER_QUEUE_MAX); a full queue refuses with UNAVAILABLE. */
#ifndef FO_COMMANDS_WRITER_H
#define FO_COMMANDS_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "commands/clock.h"
#include "core/err.h"
#include "store/store.h"

struct fo_job {
    void (*run)(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms);
    void (*done)(struct fo_job *job);
    bool keep;              /* Set by run(). */
    enum fo_err commit_err; /* Set by the writer before done(). */
    struct fo_job *next;    /* The writer's queue link. */
};

struct fo_writer;

/* Opens the write connection (applying migrations) and starts the thread. The clock is
 * borrowed and must outlive the writer. */
enum fo_err fo_writer_start(const char *db_location, struct fo_clock *clock,
                            struct fo_writer **out);
/* Queue a job; FO_ERR_UNAVAILABLE when the queue is full or the writer is stopping (the
 * job is then not run and done() is not called). */
enum fo_err fo_writer_submit(struct fo_writer *writer, struct fo_job *job);
/* Run a job and wait for it (for startup tasks and tools; never from the writer thread). */
enum fo_err fo_writer_run_sync(struct fo_writer *writer, struct fo_job *job);
/* Finish every queued job, stop the thread, close the connection; NULL is a no-op. */
void fo_writer_stop(struct fo_writer *writer);

/* Counters for logs and the benchmark. */
struct fo_writer_stats {
    uint64_t batches_count;
    uint64_t jobs_count;
    uint64_t batch_jobs_max;
    uint64_t batches_retried_count; /* Run again because a job was refused after writing. */
};
void fo_writer_stats(struct fo_writer *writer, struct fo_writer_stats *out);

#endif
