/* A bounded cache of authenticated principals, keyed by token hash, so that a request does
 * not need a database read to learn who sent it.
 *
 * Why it is always right: principals are only ever added while the server runs (buyers and
 * suppliers are never deleted, and the admin token is replaced only at startup, before the
 * server listens), so a hash that once named a principal names it for the life of the
 * process. Only hits are cached; an unknown token always asks the store, so a token created
 * a moment ago works at once. The table is direct-mapped (FO_AUTH_CACHE_SLOTS): a collision
 * evicts, memory stays fixed. Hashes are compared in constant time. */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "http/internal.h"

struct slot {
    bool used;
    uint8_t hash[FO_TOKEN_HASH_BYTES];
    struct fo_principal principal;
};

struct fo_auth_cache {
    pthread_mutex_t mutex;
    struct slot slots[FO_AUTH_CACHE_SLOTS];
};

struct fo_auth_cache *fo_auth_cache_create(void)
{
    struct fo_auth_cache *cache = calloc(1, sizeof *cache);
    if (cache == NULL) {
        return NULL;
    }
    pthread_mutex_init(&cache->mutex, NULL);
    return cache;
}

void fo_auth_cache_destroy(struct fo_auth_cache *cache)
{
    if (cache == NULL) {
        return;
    }
    sodium_memzero(cache->slots, sizeof cache->slots);
    pthread_mutex_destroy(&cache->mutex);
    free(cache);
}

/* The hash is uniformly random already: its first bytes pick the slot. */
static size_t slot_of(const uint8_t hash[FO_TOKEN_HASH_BYTES])
{
    uint32_t word = 0;
    memcpy(&word, hash, sizeof word);
    return word % FO_AUTH_CACHE_SLOTS;
}

bool fo_auth_cache_get(struct fo_auth_cache *cache, const uint8_t hash[FO_TOKEN_HASH_BYTES],
                       struct fo_principal *out)
{
    FO_ASSERT(cache != NULL);
    FO_ASSERT(out != NULL);
    const struct slot *slot = &cache->slots[slot_of(hash)];
    pthread_mutex_lock(&cache->mutex);
    bool hit = slot->used && sodium_memcmp(slot->hash, hash, FO_TOKEN_HASH_BYTES) == 0;
    if (hit) {
        *out = slot->principal;
    }
    pthread_mutex_unlock(&cache->mutex);
    return hit;
}

void fo_auth_cache_put(struct fo_auth_cache *cache, const uint8_t hash[FO_TOKEN_HASH_BYTES],
                       const struct fo_principal *principal)
{
    FO_ASSERT(cache != NULL);
    FO_ASSERT(principal != NULL && principal->id[0] != '\0');
    struct slot *slot = &cache->slots[slot_of(hash)];
    pthread_mutex_lock(&cache->mutex);
    slot->used = true;
    memcpy(slot->hash, hash, FO_TOKEN_HASH_BYTES);
    slot->principal = *principal;
    pthread_mutex_unlock(&cache->mutex);
}
