/* --rate-per-token N (API.md): a token bucket per principal, refilled at N tokens per
 * second up to 2N (the burst). Buckets live in a fixed open-addressed table
 * (FO_RATE_BUCKETS_MAX); when it is full the least recently used slot is reused, so memory
 * is bounded whatever the number of tokens. Amounts are kept in thousandths of a request
 * to stay in integers. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "http/internal.h"

#define FO_RATE_BUCKETS_MAX 4096
#define FO_RATE_PROBES_MAX  16

struct bucket {
    char principal_id[FO_ID_BYTES];
    int64_t milli_tokens;
    int64_t updated_at_unix_ms;
};

struct fo_rate_limiter {
    pthread_mutex_t mutex;
    int64_t per_second;
    struct bucket buckets[FO_RATE_BUCKETS_MAX];
};

struct fo_rate_limiter *fo_rate_limiter_create(int64_t per_second)
{
    FO_ASSERT(per_second > 0);
    struct fo_rate_limiter *limiter = calloc(1, sizeof *limiter);
    if (limiter == NULL) {
        return NULL;
    }
    pthread_mutex_init(&limiter->mutex, NULL);
    limiter->per_second = per_second;
    return limiter;
}

void fo_rate_limiter_destroy(struct fo_rate_limiter *limiter)
{
    if (limiter == NULL) {
        return;
    }
    pthread_mutex_destroy(&limiter->mutex);
    free(limiter);
}

static uint64_t hash_id(const char *id)
{
    uint64_t hash = UINT64_C(1469598103934665603);
    for (const char *c = id; *c != '\0'; c++) {
        hash = (hash ^ (uint8_t)*c) * UINT64_C(1099511628211);
    }
    return hash;
}

static struct bucket *find_bucket(struct fo_rate_limiter *limiter, const char *id, int64_t now)
{
    uint64_t start = hash_id(id) % FO_RATE_BUCKETS_MAX;
    struct bucket *oldest = NULL;
    for (uint64_t probe = 0; probe < FO_RATE_PROBES_MAX; probe++) {
        struct bucket *bucket = &limiter->buckets[(start + probe) % FO_RATE_BUCKETS_MAX];
        if (strcmp(bucket->principal_id, id) == 0) {
            return bucket;
        }
        if (oldest == NULL || bucket->updated_at_unix_ms < oldest->updated_at_unix_ms) {
            oldest = bucket;
        }
    }
    FO_ASSERT(oldest != NULL);
    snprintf(oldest->principal_id, sizeof oldest->principal_id, "%s", id);
    oldest->milli_tokens = 2 * limiter->per_second * 1000;
    oldest->updated_at_unix_ms = now;
    return oldest;
}

bool fo_rate_limiter_take(struct fo_rate_limiter *limiter, const char *principal_id,
                          int64_t now_unix_ms, int *out_retry_after_s)
{
    FO_ASSERT(limiter != NULL);
    FO_ASSERT(principal_id != NULL);
    int64_t burst_milli = 2 * limiter->per_second * 1000;
    pthread_mutex_lock(&limiter->mutex);
    struct bucket *bucket = find_bucket(limiter, principal_id, now_unix_ms);
    int64_t elapsed_ms = now_unix_ms - bucket->updated_at_unix_ms;
    if (elapsed_ms > 100000) {
        elapsed_ms = 100000; /* Long idle: a full bucket either way; keeps the product small. */
    }
    if (elapsed_ms > 0) {
        int64_t refill = elapsed_ms * limiter->per_second; /* ms * req/s = milli-requests. */
        bucket->milli_tokens = refill >= burst_milli - bucket->milli_tokens
                                   ? burst_milli
                                   : bucket->milli_tokens + refill;
        bucket->updated_at_unix_ms = now_unix_ms;
    }
    bool allowed = bucket->milli_tokens >= 1000;
    if (allowed) {
        bucket->milli_tokens -= 1000;
    } else {
        int64_t missing_milli = 1000 - bucket->milli_tokens;
        int64_t wait_ms = (missing_milli + limiter->per_second - 1) / limiter->per_second;
        *out_retry_after_s = (int)((wait_ms + 999) / 1000);
    }
    pthread_mutex_unlock(&limiter->mutex);
    return allowed;
}
