/* The writer: many jobs run in group-commit batches and all become durable; a refused job
 * (keep = false) rolls back alone without spoiling its batch, by a retry of the batch
 * with savepoints only when it had written something; run_sync waits for its job;
 * a full queue refuses with UNAVAILABLE; stop drains every queued job.
 *
 * Method: a real SQLite store in a temporary directory; jobs top up a buyer, so what
 * became durable is read back from a separate connection as the buyer's balance. To
 * control batching, a "gate" job blocks the writer thread until the test opens it, so
 * the jobs submitted meanwhile are all queued and run in the next batch. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/fo_test.h"

#include "commands/clock.h"
#include "commands/commands.h"
#include "commands/writer.h"
#include "store/store.h"

struct env {
    char dir[256];
    char path[320];
    struct fo_clock *clock;
    struct fo_writer *writer;
    char buyer_id[FO_ID_BYTES];
};

/* Tops up the buyer by amount_minor; keeps it only when `keep_wanted`. */
struct topup_job {
    struct fo_job job; /* First: the writer's pointer is the job's address. */
    const char *buyer_id;
    int64_t amount_minor;
    bool keep_wanted;
    enum fo_err run_err;
    int run_count;
    int done_count;
};

static void topup_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    struct topup_job *topup = (struct topup_job *)job;
    topup->run_count++;
    struct fo_buyer after;
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    topup->run_err = fo_cmd_topup(store, now_unix_ms, topup->buyer_id, topup->amount_minor,
                                  "writer-test", &after, &detail);
    job->keep = topup->run_err == FO_OK && topup->keep_wanted;
}

static void topup_done(struct fo_job *job)
{
    ((struct topup_job *)job)->done_count++;
}

static void topup_init(struct topup_job *topup, const char *buyer_id, int64_t amount_minor,
                       bool keep_wanted)
{
    memset(topup, 0, sizeof *topup);
    topup->job.run = topup_run;
    topup->job.done = topup_done;
    topup->job.commit_err = FO_ERR_INTERNAL; /* The writer must overwrite it. */
    topup->buyer_id = buyer_id;
    topup->amount_minor = amount_minor;
    topup->keep_wanted = keep_wanted;
}

/* Blocks the writer thread inside its run() until opened. */
struct gate_job {
    struct fo_job job;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    bool entered;
    bool open;
    bool done;
};

static void gate_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    (void)store;
    (void)now_unix_ms;
    struct gate_job *gate = (struct gate_job *)job;
    pthread_mutex_lock(&gate->mutex);
    gate->entered = true;
    pthread_cond_broadcast(&gate->cond);
    while (!gate->open) {
        pthread_cond_wait(&gate->cond, &gate->mutex);
    }
    pthread_mutex_unlock(&gate->mutex);
    job->keep = true;
}

static void gate_done(struct fo_job *job)
{
    struct gate_job *gate = (struct gate_job *)job;
    pthread_mutex_lock(&gate->mutex);
    gate->done = true;
    pthread_mutex_unlock(&gate->mutex);
}

static void gate_close_and_wait(struct env *env, struct gate_job *gate)
{
    memset(gate, 0, sizeof *gate);
    gate->job.run = gate_run;
    gate->job.done = gate_done;
    pthread_mutex_init(&gate->mutex, NULL);
    pthread_cond_init(&gate->cond, NULL);
    assert_int_equal(fo_writer_submit(env->writer, &gate->job), FO_OK);
    pthread_mutex_lock(&gate->mutex);
    while (!gate->entered) {
        pthread_cond_wait(&gate->cond, &gate->mutex);
    }
    pthread_mutex_unlock(&gate->mutex);
}

static void gate_open(struct gate_job *gate)
{
    pthread_mutex_lock(&gate->mutex);
    gate->open = true;
    pthread_cond_broadcast(&gate->cond);
    pthread_mutex_unlock(&gate->mutex);
}

static void gate_destroy(struct gate_job *gate)
{
    assert_true(gate->done);
    pthread_cond_destroy(&gate->cond);
    pthread_mutex_destroy(&gate->mutex);
}

/* Creates the buyer through the writer itself (run_sync). */
struct buyer_job {
    struct fo_job job;
    struct fo_buyer buyer;
    enum fo_err run_err;
};

static void buyer_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    struct buyer_job *create = (struct buyer_job *)job;
    char token[FO_TOKEN_CHARS + 1];
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    create->run_err =
        fo_cmd_buyer_create(store, now_unix_ms, "writer", &create->buyer, token, &detail);
    job->keep = create->run_err == FO_OK;
}

static int env_setup(void **state)
{
    struct env *env = calloc(1, sizeof *env);
    assert_non_null(env);
    fo_test_temp_dir("writer", env->dir, sizeof env->dir);
    snprintf(env->path, sizeof env->path, "%s/fairorder.db", env->dir);
    env->clock = fo_clock_create(true);
    assert_int_equal(fo_writer_start(env->path, env->clock, &env->writer), FO_OK);
    struct buyer_job create = {.job = {.run = buyer_run}};
    assert_int_equal(fo_writer_run_sync(env->writer, &create.job), FO_OK);
    assert_int_equal(create.run_err, FO_OK);
    assert_int_equal(create.job.commit_err, FO_OK);
    memcpy(env->buyer_id, create.buyer.id, FO_ID_BYTES);
    *state = env;
    return 0;
}

static int env_teardown(void **state)
{
    struct env *env = *state;
    fo_writer_stop(env->writer);
    fo_clock_destroy(env->clock);
    free(env);
    return 0;
}

/* The buyer's durable balance, read on a separate connection. */
static int64_t durable_available(struct env *env)
{
    struct fo_store *reader = NULL;
    assert_int_equal(fo_store_open(env->path, false, &reader), FO_OK);
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(reader, env->buyer_id, &buyer), FO_OK);
    fo_store_close(reader);
    return buyer.available_minor;
}

/* Wait for everything submitted so far: the queue is FIFO. */
static void barrier(struct env *env)
{
    struct topup_job last;
    topup_init(&last, env->buyer_id, 0, true); /* Refused before writing: no retry. */
    assert_int_equal(fo_writer_run_sync(env->writer, &last.job), FO_OK);
    assert_int_equal(last.done_count, 1);
}

static void test_writer_runs_many_jobs_in_batches(void **state)
{
    struct env *env = *state;
    enum { JOBS = 1000 };
    struct topup_job *jobs = calloc(JOBS, sizeof *jobs);
    assert_non_null(jobs);
    struct gate_job gate;
    gate_close_and_wait(env, &gate);
    for (size_t index = 0; index < JOBS; index++) {
        topup_init(&jobs[index], env->buyer_id, (int64_t)index + 1, true);
        assert_int_equal(fo_writer_submit(env->writer, &jobs[index].job), FO_OK);
    }
    gate_open(&gate);
    barrier(env);
    gate_destroy(&gate);
    for (size_t index = 0; index < JOBS; index++) {
        assert_int_equal(jobs[index].done_count, 1);
        assert_int_equal(jobs[index].run_err, FO_OK);
        assert_int_equal(jobs[index].job.commit_err, FO_OK);
    }
    assert_int64_equal(durable_available(env), JOBS * (JOBS + 1) / 2);
    struct fo_writer_stats stats;
    fo_writer_stats(env->writer, &stats);
    /* buyer, gate, 1000 jobs, barrier. */
    assert_int_equal(stats.jobs_count, JOBS + 3);
    assert_int_equal(stats.batch_jobs_max, FO_WRITER_BATCH_MAX);
    assert_true(stats.batches_count >= 2 + (JOBS + FO_WRITER_BATCH_MAX - 1) / FO_WRITER_BATCH_MAX);
    assert_true(stats.batches_count < JOBS / 4);
    free(jobs);
}

/* Queue the jobs behind a closed gate, so they run as one batch (with the barrier's job
 * unless it comes in a batch of its own); the stats before and after. */
static void run_as_one_batch(struct env *env, struct topup_job *const *jobs, size_t count,
                             struct fo_writer_stats *before, struct fo_writer_stats *after)
{
    struct gate_job gate;
    gate_close_and_wait(env, &gate);
    fo_writer_stats(env->writer, before);
    for (size_t index = 0; index < count; index++) {
        assert_int_equal(fo_writer_submit(env->writer, &jobs[index]->job), FO_OK);
    }
    gate_open(&gate);
    barrier(env);
    gate_destroy(&gate);
    fo_writer_stats(env->writer, after);
    assert_true(after->batch_jobs_max >= count);
}

static void test_writer_refused_job_does_not_spoil_its_batch(void **state)
{
    struct env *env = *state;
    struct topup_job kept_before;
    struct topup_job refused;
    struct topup_job invalid;
    struct topup_job kept_after;
    topup_init(&kept_before, env->buyer_id, 100, true);
    topup_init(&refused, env->buyer_id, 20, false); /* Writes, then refuses. */
    topup_init(&invalid, env->buyer_id, 0, true);   /* Refused by the command. */
    topup_init(&kept_after, env->buyer_id, 3, true);
    struct topup_job *const jobs[] = {&kept_before, &refused, &invalid, &kept_after};
    struct fo_writer_stats before;
    struct fo_writer_stats after;
    run_as_one_batch(env, jobs, 4, &before, &after);
    /* The gate's batch, then the four together (all were queued behind the gate), then
     * the barrier's batch unless it joined theirs. */
    uint64_t batches_count = after.batches_count - before.batches_count;
    assert_true(batches_count == 2 || batches_count == 3);
    assert_int_equal(refused.run_err, FO_OK);
    assert_false(refused.job.keep);
    assert_int_equal(invalid.run_err, FO_ERR_INVALID_REQUEST);
    assert_int_equal(kept_before.job.commit_err, FO_OK);
    assert_int_equal(refused.job.commit_err, FO_OK);
    assert_int_equal(invalid.job.commit_err, FO_OK);
    assert_int_equal(kept_after.job.commit_err, FO_OK);
    assert_int64_equal(durable_available(env), 103);
    /* The refusal after writing needed the batch undone: it ran again, every job in a
     * savepoint of its own; the first try stopped at the refused job. */
    assert_int_equal(after.batches_retried_count - before.batches_retried_count, 1);
    assert_int_equal(kept_before.run_count, 2);
    assert_int_equal(refused.run_count, 2);
    assert_int_equal(invalid.run_count, 1);
    assert_int_equal(kept_after.run_count, 1);
    assert_int_equal(kept_before.done_count, 1);
    assert_int_equal(refused.done_count, 1);
    assert_int_equal(invalid.done_count, 1);
    assert_int_equal(kept_after.done_count, 1);
}

/* Refusals before writing need no undo: the batch is not run again. */
static void test_writer_refusal_before_writing_is_not_retried(void **state)
{
    struct env *env = *state;
    struct topup_job kept_before;
    struct topup_job invalid;
    struct topup_job kept_after;
    topup_init(&kept_before, env->buyer_id, 100, true);
    topup_init(&invalid, env->buyer_id, -5, true); /* Refused by the command. */
    topup_init(&kept_after, env->buyer_id, 7, true);
    struct topup_job *const jobs[] = {&kept_before, &invalid, &kept_after};
    struct fo_writer_stats before;
    struct fo_writer_stats after;
    run_as_one_batch(env, jobs, 3, &before, &after);
    assert_int_equal(after.batches_retried_count, before.batches_retried_count);
    assert_int_equal(invalid.run_err, FO_ERR_INVALID_REQUEST);
    assert_false(invalid.job.keep);
    assert_int_equal(kept_before.run_count, 1);
    assert_int_equal(invalid.run_count, 1);
    assert_int_equal(kept_after.run_count, 1);
    assert_int_equal(kept_before.job.commit_err, FO_OK);
    assert_int_equal(invalid.job.commit_err, FO_OK);
    assert_int_equal(kept_after.job.commit_err, FO_OK);
    assert_int64_equal(durable_available(env), 107);
}

static void test_writer_run_sync_returns_after_commit(void **state)
{
    struct env *env = *state;
    struct topup_job topup;
    topup_init(&topup, env->buyer_id, 42, true);
    fo_clock_advance(env->clock, 1000);
    assert_int_equal(fo_writer_run_sync(env->writer, &topup.job), FO_OK);
    assert_int_equal(topup.done_count, 1);
    assert_int_equal(topup.run_err, FO_OK);
    assert_int64_equal(durable_available(env), 42);
    /* The job saw the clock as it stood when it ran. */
    struct fo_store *reader = NULL;
    assert_int_equal(fo_store_open(env->path, false, &reader), FO_OK);
    struct fo_wallet_entry entry;
    size_t count = 0;
    assert_int_equal(fo_store_wallet_entries(reader, env->buyer_id, 0, &entry, 1, &count), FO_OK);
    assert_int_equal(count, 1);
    assert_int64_equal(entry.at_unix_ms, fo_clock_now(env->clock));
    fo_store_close(reader);
}

static void test_writer_full_queue_is_unavailable_and_stop_drains(void **state)
{
    struct env *env = *state;
    struct topup_job *jobs = calloc(FO_WRITER_QUEUE_MAX + 1, sizeof *jobs);
    assert_non_null(jobs);
    struct gate_job gate;
    gate_close_and_wait(env, &gate);
    for (size_t index = 0; index < FO_WRITER_QUEUE_MAX; index++) {
        topup_init(&jobs[index], env->buyer_id, 1, true);
        assert_int_equal(fo_writer_submit(env->writer, &jobs[index].job), FO_OK);
    }
    struct topup_job *extra = &jobs[FO_WRITER_QUEUE_MAX];
    topup_init(extra, env->buyer_id, 1, true);
    assert_int_equal(fo_writer_submit(env->writer, &extra->job), FO_ERR_UNAVAILABLE);
    gate_open(&gate);
    /* Stop at once: every queued job still runs and is told its outcome. */
    fo_writer_stop(env->writer);
    env->writer = NULL;
    gate_destroy(&gate);
    for (size_t index = 0; index < FO_WRITER_QUEUE_MAX; index++) {
        assert_int_equal(jobs[index].done_count, 1);
        assert_int_equal(jobs[index].job.commit_err, FO_OK);
    }
    assert_int_equal(extra->done_count, 0);
    assert_int64_equal(durable_available(env), FO_WRITER_QUEUE_MAX);
    free(jobs);
    /* A stopped writer is gone; start a fresh one on the same database for teardown. */
    assert_int_equal(fo_writer_start(env->path, env->clock, &env->writer), FO_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writer_runs_many_jobs_in_batches, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_writer_refused_job_does_not_spoil_its_batch, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_writer_refusal_before_writing_is_not_retried,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_writer_run_sync_returns_after_commit, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_writer_full_queue_is_unavailable_and_stop_drains,
                                        env_setup, env_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
