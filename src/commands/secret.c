/* Random ids and bearer tokens, from libsodium's CSPRNG (see secret.h).
 *
 * Ids are a type prefix, "_", then 22 base62 characters: 8 of the wall-clock millisecond
 * (fixed width, so ids sort by creation time, for 6,900 years) and 14 drawn uniformly from
 * the CSPRNG (about 83 bits: unguessable, and collisions are not a concern). The time comes
 * first for the database's sake: an id index then grows at its right edge, one page per
 * batch, instead of every new order dirtying its own random leaf page of every index on
 * an id, written twice (WAL, then the database). Random bytes come in one read per id.
 * Tokens are 32 random bytes in base64url without padding; only their BLAKE2b-256 hash is
 * ever stored, and buffers that held them are wiped. No I/O beyond the random source. */
#include "commands/secret.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "core/assert.h"

/* Characters of an id after its prefix: the time, then the random part. */
#define ID_TIME_CHARS   8
#define ID_RANDOM_CHARS 14
#define ID_CHARS        (ID_TIME_CHARS + ID_RANDOM_CHARS)
/* Random bytes read per id: 14 characters need 14 bytes below 248 (rejection sampling keeps
 * base62 uniform); 32 bytes fall short with probability below 10^-18, and then we read
 * more. */
#define ID_RANDOM_BYTES 32
/* Random bytes behind a token: 256 bits. */
#define TOKEN_RANDOM_BYTES 32

_Static_assert(sodium_base64_ENCODED_LEN(TOKEN_RANDOM_BYTES,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
                   FO_TOKEN_CHARS + 1,
               "a token is FO_TOKEN_CHARS base64url characters plus NUL");
_Static_assert(FO_TOKEN_CHARS <= FO_TOKEN_BYTES_MAX, "our tokens pass the HTTP layer's cap");

static const char base62_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
_Static_assert(sizeof base62_alphabet - 1 == 62, "base62");

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_init_result = -1;

static void secret_init_once(void)
{
    FO_ASSERT(sodium_init_result == -1); /* Runs once. */
    sodium_init_result = sodium_init();
    FO_ASSERT(sodium_init_result >= -1 && sodium_init_result <= 1);
}

void fo_secret_init(void)
{
    int once_err = pthread_once(&sodium_once, secret_init_once);
    FO_ASSERT(once_err == 0);
    /* 0: initialised now; 1: already initialised by someone else. -1: no entropy. */
    FO_ASSERT(sodium_init_result >= 0);
}

/* The wall-clock millisecond in 8 base62 digits, most significant first. */
static void id_time_chars(char out[ID_TIME_CHARS])
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t value = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
    FO_ASSERT(value > 0);
    for (size_t index = ID_TIME_CHARS; index > 0; index--) {
        out[index - 1] = base62_alphabet[value % 62u];
        value /= 62u;
    }
    FO_ASSERT(value == 0); /* Fits until the year 8800. */
}

/* `count` uniform base62 characters from as few CSPRNG reads as possible. */
static void id_random_chars(char *out, size_t count)
{
    unsigned char raw[ID_RANDOM_BYTES];
    size_t used = sizeof raw;
    size_t written = 0;
    for (int reads = 0; written < count && reads < 1000; reads += used == sizeof raw) {
        if (used == sizeof raw) {
            randombytes_buf(raw, sizeof raw);
            used = 0;
        }
        unsigned char byte = raw[used++];
        if (byte < 248) { /* 248 = 4 * 62: the rest would bias the low characters. */
            out[written++] = base62_alphabet[byte % 62u];
        }
    }
    sodium_memzero(raw, sizeof raw);
    FO_ASSERT(written == count);
}

void fo_secret_new_id(const char *prefix, char out[FO_ID_BYTES])
{
    FO_ASSERT(prefix != NULL);
    FO_ASSERT(out != NULL);
    size_t prefix_bytes = strlen(prefix);
    FO_ASSERT(prefix_bytes > 0);
    FO_ASSERT(prefix_bytes + 1 + ID_CHARS < FO_ID_BYTES);
    fo_secret_init();

    memcpy(out, prefix, prefix_bytes);
    out[prefix_bytes] = '_';
    id_time_chars(out + prefix_bytes + 1);
    id_random_chars(out + prefix_bytes + 1 + ID_TIME_CHARS, ID_RANDOM_CHARS);
    out[prefix_bytes + 1 + ID_CHARS] = '\0';
}

void fo_secret_new_token(char out[FO_TOKEN_CHARS + 1])
{
    FO_ASSERT(out != NULL);
    fo_secret_init();

    unsigned char raw[TOKEN_RANDOM_BYTES];
    randombytes_buf(raw, sizeof raw);
    char *encoded = sodium_bin2base64(out, FO_TOKEN_CHARS + 1, raw, sizeof raw,
                                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    FO_ASSERT(encoded == out);
    FO_ASSERT(strlen(out) == FO_TOKEN_CHARS);
}

void fo_secret_token_hash(const char *token, size_t token_bytes, uint8_t out[FO_TOKEN_HASH_BYTES])
{
    FO_ASSERT(token != NULL);
    FO_ASSERT(out != NULL);
    fo_secret_init();

    int hash_err = crypto_generichash(out, FO_TOKEN_HASH_BYTES, (const unsigned char *)token,
                                      (unsigned long long)token_bytes, NULL, 0);
    FO_ASSERT(hash_err == 0);
}

void fo_secret_wipe(void *buf, size_t bytes)
{
    FO_ASSERT(buf != NULL);
    if (bytes == 0) {
        return;
    }
    sodium_memzero(buf, bytes);
    FO_ASSERT(((const unsigned char *)buf)[bytes - 1] == 0);
}
