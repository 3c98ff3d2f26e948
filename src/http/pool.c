/* Reader connections to the embedded store: a fixed pool opened at start (limits.h
 * FO_READERS_MAX), handed out to HTTP threads for reads. SQLite in WAL mode lets them read
 * while the writer writes. Exhaustion waits briefly, then answers NULL (503). */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/assert.h"
#include "http/internal.h"

struct fo_reader_pool {
    pthread_mutex_t mutex;
    pthread_cond_t available;
    size_t count;
    size_t free_count;
    struct fo_store *free_stores[FO_READERS_MAX];
    struct fo_store *all_stores[FO_READERS_MAX];
};

enum fo_err fo_reader_pool_create(const char *db_location, size_t count,
                                  struct fo_reader_pool **out)
{
    FO_ASSERT(db_location != NULL);
    FO_ASSERT(count >= 1 && count <= FO_READERS_MAX);
    struct fo_reader_pool *pool = calloc(1, sizeof *pool);
    if (pool == NULL) {
        return FO_ERR_UNAVAILABLE;
    }
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->available, NULL);
    for (size_t index = 0; index < count; index++) {
        enum fo_err err = fo_store_open(db_location, false, &pool->all_stores[index]);
        if (err != FO_OK) {
            fo_reader_pool_destroy(pool);
            return err;
        }
        pool->count++;
        pool->free_stores[pool->free_count++] = pool->all_stores[index];
    }
    *out = pool;
    return FO_OK;
}

void fo_reader_pool_destroy(struct fo_reader_pool *pool)
{
    if (pool == NULL) {
        return;
    }
    FO_ASSERT(pool->free_count == pool->count);
    for (size_t index = 0; index < pool->count; index++) {
        fo_store_close(pool->all_stores[index]);
    }
    pthread_cond_destroy(&pool->available);
    pthread_mutex_destroy(&pool->mutex);
    free(pool);
}

struct fo_store *fo_reader_pool_acquire(struct fo_reader_pool *pool)
{
    FO_ASSERT(pool != NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += FO_DB_BUSY_TIMEOUT_MS / 1000;
    pthread_mutex_lock(&pool->mutex);
    while (pool->free_count == 0) {
        if (pthread_cond_timedwait(&pool->available, &pool->mutex, &deadline) != 0) {
            break;
        }
    }
    struct fo_store *store = NULL;
    if (pool->free_count > 0) {
        store = pool->free_stores[--pool->free_count];
    }
    pthread_mutex_unlock(&pool->mutex);
    return store;
}

void fo_reader_pool_release(struct fo_reader_pool *pool, struct fo_store *store)
{
    FO_ASSERT(pool != NULL);
    FO_ASSERT(store != NULL);
    pthread_mutex_lock(&pool->mutex);
    FO_ASSERT(pool->free_count < pool->count);
    pool->free_stores[pool->free_count++] = store;
    pthread_cond_signal(&pool->available);
    pthread_mutex_unlock(&pool->mutex);
}
