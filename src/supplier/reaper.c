/* The lease reaper: a thread that wakes every FO_REAPER_PERIOD_MS and runs one writer job
 * that fails every executing order whose lease ran out (now >= lease_expires_at) with
 * reason supplier_timeout, refunding the undelivered share (API.md). It also forgets
 * idempotency keys older than FO_IDEMPOTENCY_KEEP_MS, at most once an hour. It never
 * touches the store itself: the writer runs its job like any command. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "commands/commands.h"
#include "core/assert.h"
#include "log.h"
#include "thread.h"
#include "supplier/supplier.h"

#define FO_REAPER_EXPIRE_BATCH    1000
#define FO_REAPER_PURGE_PERIOD_MS (INT64_C(3600) * 1000)

struct fo_reaper {
    struct fo_writer *writer;
    struct fo_clock *clock;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    bool stopping;
    struct fo_job job;
    int64_t purged_at_unix_ms;
    size_t expired_count;
};

static void reaper_job_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    struct fo_reaper *reaper =
        (struct fo_reaper *)(void *)((char *)job - offsetof(struct fo_reaper, job));
    reaper->expired_count = 0;
    enum fo_err err =
        fo_cmd_expire_leases(store, now_unix_ms, FO_REAPER_EXPIRE_BATCH, &reaper->expired_count);
    if (err == FO_OK && now_unix_ms - reaper->purged_at_unix_ms >= FO_REAPER_PURGE_PERIOD_MS) {
        int64_t purged_count = 0;
        err =
            fo_store_idempotency_purge(store, now_unix_ms - FO_IDEMPOTENCY_KEEP_MS, &purged_count);
        reaper->purged_at_unix_ms = now_unix_ms;
    }
    job->keep = err == FO_OK;
    if (err != FO_OK) {
        fo_log(FO_LOG_WARN, "reaper.failed", "err=%s action=\"retrying next period\"",
               fo_err_code(err));
    }
}

static void *reaper_main(void *arg)
{
    struct fo_reaper *reaper = arg;
    fo_thread_name("fo-reaper");
    pthread_mutex_lock(&reaper->mutex);
    while (!reaper->stopping) {
        struct timespec deadline = fo_thread_deadline(FO_REAPER_PERIOD_MS);
        pthread_cond_timedwait(&reaper->wake, &reaper->mutex, &deadline);
        if (reaper->stopping) {
            break;
        }
        pthread_mutex_unlock(&reaper->mutex);
        reaper->job.run = reaper_job_run;
        reaper->job.done = NULL;
        fo_writer_run_sync(reaper->writer, &reaper->job);
        if (reaper->expired_count > 0) {
            fo_log(FO_LOG_INFO, "reaper.expired", "orders=%zu reason=supplier_timeout",
                   reaper->expired_count);
        }
        pthread_mutex_lock(&reaper->mutex);
    }
    pthread_mutex_unlock(&reaper->mutex);
    return NULL;
}

enum fo_err fo_reaper_start(struct fo_writer *writer, struct fo_clock *clock,
                            struct fo_reaper **out)
{
    FO_ASSERT(writer != NULL);
    FO_ASSERT(out != NULL);
    struct fo_reaper *reaper = calloc(1, sizeof *reaper);
    if (reaper == NULL) {
        return FO_ERR_UNAVAILABLE;
    }
    reaper->writer = writer;
    reaper->clock = clock;
    reaper->purged_at_unix_ms = fo_clock_now(clock);
    pthread_mutex_init(&reaper->mutex, NULL);
    pthread_cond_init(&reaper->wake, NULL);
    if (pthread_create(&reaper->thread, NULL, reaper_main, reaper) != 0) {
        free(reaper);
        return FO_ERR_UNAVAILABLE;
    }
    *out = reaper;
    return FO_OK;
}

void fo_reaper_stop(struct fo_reaper *reaper)
{
    if (reaper == NULL) {
        return;
    }
    pthread_mutex_lock(&reaper->mutex);
    reaper->stopping = true;
    pthread_cond_signal(&reaper->wake);
    pthread_mutex_unlock(&reaper->mutex);
    pthread_join(reaper->thread, NULL);
    pthread_cond_destroy(&reaper->wake);
    pthread_mutex_destroy(&reaper->mutex);
    free(reaper);
}
