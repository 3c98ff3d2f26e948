/* The writer: one thread, one write connection, group commit (see writer.h).
 *
 * Why one thread: SQLite has one writer at a time anyway, and batching many commands
 * into one transaction turns one fsync per answer into one fsync per batch, the whole
 * throughput story of the embedded store (DESIGN.md, "Durability and throughput").
 * A refused job (keep = false) rolls back alone and the rest of its batch commits. Jobs
 * are first tried bare, straight in the batch's transaction: a command scope (a
 * savepoint) costs SQLite ~10 % of the writer (BENCH.md), and nearly every job keeps its
 * writes or is refused before it writes, which needs no undo. A job refused after
 * writing cannot be undone alone: the batch is rolled back and run again, this time each
 * job in its own command scope (so run() must be repeatable: writer.h). No job learns it
 * succeeded before its batch is durable: done() runs only after the commit, with
 * commit_err telling the truth. The queue is a bounded linked list (FO_WRITER_QUEUE_MAX)
 * under one mutex; a full queue refuses at once (UNAVAILABLE) instead of growing.
 * Stopping drains it. */
#include "commands/writer.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/assert.h"
#include "log.h"
#include "thread.h"

struct fo_writer {
    pthread_mutex_t mutex;
    pthread_cond_t wake; /* A job arrived, or stopping was asked. */
    pthread_t thread;
    struct fo_store *store; /* Owned by the thread once started. */
    struct fo_clock *clock; /* Borrowed. */
    struct fo_job *head;    /* Oldest queued job; NULL when empty. */
    struct fo_job *tail;
    size_t queued_count; /* 0..FO_WRITER_QUEUE_MAX. */
    bool stopping;
    struct fo_writer_stats stats;
    /* The checkpointer: its own connection and thread (limits.h, FO_CHECKPOINT_PERIOD_MS). */
    pthread_t checkpointer;
    struct fo_store *checkpoint_store;
    pthread_cond_t checkpoint_wake; /* Stopping was asked. */
};

/* Wait for work and take up to FO_WRITER_BATCH_MAX jobs, oldest first, as a NULL-ended
 * list. Returns false when the writer is stopping and the queue is empty. */
static bool writer_take(struct fo_writer *writer, struct fo_job **out_batch, size_t *out_count)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(out_batch != NULL);
    pthread_mutex_lock(&writer->mutex);
    while (writer->head == NULL && !writer->stopping) {
        pthread_cond_wait(&writer->wake, &writer->mutex);
    }
    if (writer->head == NULL) {
        pthread_mutex_unlock(&writer->mutex);
        return false;
    }
    struct fo_job *batch = writer->head;
    struct fo_job *last = batch;
    size_t count = 1;
    while (count < FO_WRITER_BATCH_MAX && last->next != NULL) {
        last = last->next;
        count++;
    }
    writer->head = last->next;
    if (writer->head == NULL) {
        writer->tail = NULL;
    }
    last->next = NULL;
    FO_ASSERT(writer->queued_count >= count);
    writer->queued_count -= count;
    pthread_mutex_unlock(&writer->mutex);
    *out_batch = batch;
    *out_count = count;
    return true;
}

/* Try one job bare (store.h, fo_store_bare_begin); the now it sees is read just before it
 * runs. False when it was refused after writing: only a rollback of the batch undoes it. */
static bool writer_try_job(struct fo_writer *writer, struct fo_job *job)
{
    FO_ASSERT(job != NULL);
    FO_ASSERT(job->run != NULL);
    job->keep = false;
    job->commit_err = FO_OK;
    int64_t mark = 0;
    enum fo_err err = fo_store_bare_begin(writer->store, &mark);
    if (err != FO_OK) {
        job->commit_err = err; /* The batch is lost; its commit says so to every job. */
        return true;
    }
    job->run(job, writer->store, fo_clock_now(writer->clock));
    bool undo_needed = false;
    err = fo_store_bare_end(writer->store, mark, job->keep, &undo_needed);
    if (err != FO_OK) {
        job->commit_err = err;
    }
    return !undo_needed;
}

/* Run one job in its own command scope; the now it sees is read just before it runs. */
static void writer_run_job(struct fo_writer *writer, struct fo_job *job)
{
    FO_ASSERT(job != NULL);
    FO_ASSERT(job->run != NULL);
    job->keep = false;
    job->commit_err = FO_OK;
    enum fo_err err = fo_store_command_begin(writer->store);
    if (err != FO_OK) {
        job->commit_err = err;
        return;
    }
    job->run(job, writer->store, fo_clock_now(writer->clock));
    err = fo_store_command_end(writer->store, job->keep);
    if (err != FO_OK) {
        job->commit_err = err;
    }
}

static void writer_count(struct fo_writer *writer, size_t count, bool retried)
{
    FO_ASSERT(count > 0);
    FO_ASSERT(count <= FO_WRITER_BATCH_MAX);
    pthread_mutex_lock(&writer->mutex);
    writer->stats.batches_count++;
    writer->stats.batches_retried_count += retried ? 1 : 0;
    writer->stats.jobs_count += count;
    if (count > writer->stats.batch_jobs_max) {
        writer->stats.batch_jobs_max = count;
    }
    pthread_mutex_unlock(&writer->mutex);
}

/* One transaction for the batch; then every job learns whether what it kept is durable. */
static void writer_run_batch(struct fo_writer *writer, struct fo_job *batch, size_t count)
{
    FO_ASSERT(batch != NULL);
    FO_ASSERT(count > 0);
    enum fo_err commit_err = fo_store_batch_begin(writer->store);
    size_t tried_count = 0;
    bool retried = false;
    if (commit_err == FO_OK) {
        struct fo_job *job = batch;
        while (job != NULL && writer_try_job(writer, job)) {
            job = job->next;
            tried_count++;
        }
        if (job != NULL) {
            /* Refused after writing: undo the batch, then each job in its own scope. */
            retried = true;
            fo_store_batch_rollback(writer->store);
            fo_log(FO_LOG_INFO, "writer.batch_retried",
                   "jobs=%zu refused_at=%zu detail=\"a job was refused after writing; the "
                   "batch runs again, each job in a savepoint\"",
                   count, tried_count);
            commit_err = fo_store_batch_begin(writer->store);
        }
    }
    if (commit_err == FO_OK) {
        if (retried) {
            for (struct fo_job *job = batch; job != NULL; job = job->next) {
                writer_run_job(writer, job);
            }
        }
        commit_err = fo_store_batch_commit(writer->store);
        if (commit_err != FO_OK) {
            fo_store_batch_rollback(writer->store);
        }
    }
    for (struct fo_job *job = batch; job != NULL; job = job->next) {
        if (commit_err != FO_OK) {
            job->commit_err = commit_err;
        }
    }
    writer_count(writer, count, retried);
    fo_log(FO_LOG_DEBUG, "writer_batch", "jobs=%zu commit=%s", count, fo_err_code(commit_err));
    /* done() may release the job's memory: read the link first. */
    struct fo_job *job = batch;
    while (job != NULL) {
        struct fo_job *next = job->next;
        job->done(job);
        job = next;
    }
}

static void *writer_main(void *argument)
{
    struct fo_writer *writer = argument;
    fo_thread_name("fo-writer");
    FO_ASSERT(writer != NULL);
    FO_ASSERT(writer->store != NULL);
    /* Ends when stopping was asked and the queue is drained. */
    for (;;) {
        struct fo_job *batch = NULL;
        size_t count = 0;
        if (!writer_take(writer, &batch, &count)) {
            break;
        }
        writer_run_batch(writer, batch, count);
    }
    return NULL;
}

/* Copy the write-ahead log into the database file every FO_CHECKPOINT_PERIOD_MS, off the
 * writer's serial path (passive: it never blocks the writer), until stopping. */
static void *checkpointer_main(void *arg)
{
    struct fo_writer *writer = arg;
    fo_thread_name("fo-checkpoint");
    FO_ASSERT(writer != NULL);
    FO_ASSERT(writer->checkpoint_store != NULL);
    pthread_mutex_lock(&writer->mutex);
    while (!writer->stopping) {
        struct timespec deadline = fo_thread_deadline(FO_CHECKPOINT_PERIOD_MS);
        pthread_cond_timedwait(&writer->checkpoint_wake, &writer->mutex, &deadline);
        if (writer->stopping) {
            break;
        }
        pthread_mutex_unlock(&writer->mutex);
        (void)fo_store_checkpoint(writer->checkpoint_store); /* Logs its own failure. */
        pthread_mutex_lock(&writer->mutex);
    }
    pthread_mutex_unlock(&writer->mutex);
    return NULL;
}

/* Stop and join the checkpointer (writer->stopping must be set), then close its connection
 * after one last checkpoint, so a stopped server leaves a short log behind. */
static void checkpointer_stop(struct fo_writer *writer)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(writer->stopping);
    pthread_mutex_lock(&writer->mutex);
    pthread_cond_signal(&writer->checkpoint_wake);
    pthread_mutex_unlock(&writer->mutex);
    int join_err = pthread_join(writer->checkpointer, NULL);
    FO_ASSERT(join_err == 0);
    (void)fo_store_checkpoint(writer->checkpoint_store);
    fo_store_close(writer->checkpoint_store);
    writer->checkpoint_store = NULL;
    pthread_cond_destroy(&writer->checkpoint_wake);
}

/* Open the checkpointer's connection (after the writer's, which migrated) and start it. */
static enum fo_err checkpointer_start(struct fo_writer *writer, const char *db_location)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(db_location != NULL);
    enum fo_err err = fo_store_open(db_location, false, &writer->checkpoint_store);
    if (err != FO_OK) {
        return err;
    }
    int cond_err = pthread_cond_init(&writer->checkpoint_wake, NULL);
    FO_ASSERT(cond_err == 0);
    if (pthread_create(&writer->checkpointer, NULL, checkpointer_main, writer) != 0) {
        pthread_cond_destroy(&writer->checkpoint_wake);
        fo_store_close(writer->checkpoint_store);
        writer->checkpoint_store = NULL;
        return FO_ERR_INTERNAL;
    }
    return FO_OK;
}

enum fo_err fo_writer_start(const char *db_location, struct fo_clock *clock, struct fo_writer **out)
{
    FO_ASSERT(db_location != NULL);
    FO_ASSERT(clock != NULL);
    FO_ASSERT(out != NULL);
    struct fo_store *store = NULL;
    enum fo_err err = fo_store_open(db_location, true, &store);
    if (err != FO_OK) {
        return err;
    }
    struct fo_writer *writer = calloc(1, sizeof *writer);
    FO_ASSERT(writer != NULL);
    int mutex_err = pthread_mutex_init(&writer->mutex, NULL);
    FO_ASSERT(mutex_err == 0);
    int cond_err = pthread_cond_init(&writer->wake, NULL);
    FO_ASSERT(cond_err == 0);
    writer->store = store;
    writer->clock = clock;
    if (checkpointer_start(writer, db_location) != FO_OK) {
        fo_log(FO_LOG_ERROR, "writer_start", "error=\"cannot start the checkpointer\"");
        pthread_cond_destroy(&writer->wake);
        pthread_mutex_destroy(&writer->mutex);
        fo_store_close(store);
        free(writer);
        return FO_ERR_INTERNAL;
    }
    if (pthread_create(&writer->thread, NULL, writer_main, writer) != 0) {
        fo_log(FO_LOG_ERROR, "writer_start", "error=\"cannot start the writer thread\"");
        writer->stopping = true;
        checkpointer_stop(writer);
        pthread_cond_destroy(&writer->wake);
        pthread_mutex_destroy(&writer->mutex);
        fo_store_close(store);
        free(writer);
        return FO_ERR_INTERNAL;
    }
    *out = writer;
    return FO_OK;
}

enum fo_err fo_writer_submit(struct fo_writer *writer, struct fo_job *job)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(job != NULL);
    FO_ASSERT(job->run != NULL);
    FO_ASSERT(job->done != NULL);
    job->next = NULL;
    pthread_mutex_lock(&writer->mutex);
    if (writer->stopping || writer->queued_count >= FO_WRITER_QUEUE_MAX) {
        pthread_mutex_unlock(&writer->mutex);
        return FO_ERR_UNAVAILABLE;
    }
    if (writer->tail == NULL) {
        writer->head = job;
    } else {
        writer->tail->next = job;
    }
    writer->tail = job;
    writer->queued_count++;
    pthread_cond_signal(&writer->wake);
    pthread_mutex_unlock(&writer->mutex);
    return FO_OK;
}

/* A job wrapped so that its submitter can wait for it (the wrapper is the first member,
 * so the writer's job pointer is the wrapper's address). */
struct writer_sync {
    struct fo_job job;
    struct fo_job *inner;
    pthread_mutex_t mutex;
    pthread_cond_t finished_cond;
    bool finished;
};

static void writer_sync_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    struct writer_sync *sync = (struct writer_sync *)job;
    FO_ASSERT(sync->inner != NULL);
    FO_ASSERT(sync->inner->run != NULL);
    sync->inner->keep = false;
    sync->inner->run(sync->inner, store, now_unix_ms);
    job->keep = sync->inner->keep;
}

static void writer_sync_done(struct fo_job *job)
{
    struct writer_sync *sync = (struct writer_sync *)job;
    FO_ASSERT(sync->inner != NULL);
    FO_ASSERT(!sync->finished);
    sync->inner->commit_err = job->commit_err;
    if (sync->inner->done != NULL) {
        sync->inner->done(sync->inner);
    }
    /* After the unlock the waiter may return and release `sync`: touch nothing after. */
    pthread_mutex_lock(&sync->mutex);
    sync->finished = true;
    pthread_cond_signal(&sync->finished_cond);
    pthread_mutex_unlock(&sync->mutex);
}

enum fo_err fo_writer_run_sync(struct fo_writer *writer, struct fo_job *job)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(job != NULL);
    FO_ASSERT(!pthread_equal(pthread_self(), writer->thread));
    struct writer_sync sync = {.job = {.run = writer_sync_run, .done = writer_sync_done},
                               .inner = job};
    int mutex_err = pthread_mutex_init(&sync.mutex, NULL);
    FO_ASSERT(mutex_err == 0);
    int cond_err = pthread_cond_init(&sync.finished_cond, NULL);
    FO_ASSERT(cond_err == 0);
    enum fo_err err = fo_writer_submit(writer, &sync.job);
    if (err == FO_OK) {
        pthread_mutex_lock(&sync.mutex);
        while (!sync.finished) {
            pthread_cond_wait(&sync.finished_cond, &sync.mutex);
        }
        pthread_mutex_unlock(&sync.mutex);
        err = job->commit_err;
    }
    pthread_cond_destroy(&sync.finished_cond);
    pthread_mutex_destroy(&sync.mutex);
    return err;
}

void fo_writer_stop(struct fo_writer *writer)
{
    if (writer == NULL) {
        return;
    }
    pthread_mutex_lock(&writer->mutex);
    FO_ASSERT(!writer->stopping);
    writer->stopping = true;
    pthread_cond_broadcast(&writer->wake);
    pthread_mutex_unlock(&writer->mutex);
    int join_err = pthread_join(writer->thread, NULL);
    FO_ASSERT(join_err == 0);
    checkpointer_stop(writer);
    FO_ASSERT(writer->head == NULL);
    FO_ASSERT(writer->queued_count == 0);
    fo_store_close(writer->store);
    pthread_cond_destroy(&writer->wake);
    pthread_mutex_destroy(&writer->mutex);
    free(writer);
}

void fo_writer_stats(struct fo_writer *writer, struct fo_writer_stats *out)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(out != NULL);
    pthread_mutex_lock(&writer->mutex);
    *out = writer->stats;
    pthread_mutex_unlock(&writer->mutex);
    FO_ASSERT(out->jobs_count >= out->batches_count);
}
