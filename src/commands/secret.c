/* Random ids and bearer tokens, from libsodium's CSPRNG (see secret.h).
 *
 * Ids are a type prefix, "_", and 22 base62 characters drawn uniformly with
 * randombytes_uniform (about 131 bits: collisions are not a concern). Tokens are 32 random
 * bytes in base64url without padding; only their BLAKE2b-256 hash is ever stored, and
 * buffers that held them are wiped. No I/O beyond the random source. */
#include "commands/secret.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "core/assert.h"

/* Random characters of an id after its prefix. */
#define ID_RANDOM_CHARS 22
/* Random bytes behind a token: 256 bits. */
#define TOKEN_RANDOM_BYTES 32

_Static_assert(sodium_base64_ENCODED_LEN(TOKEN_RANDOM_BYTES,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
                   FO_TOKEN_CHARS + 1,
               "a token is FO_TOKEN_CHARS base64url characters plus NUL");
_Static_assert(FO_TOKEN_CHARS <= FO_TOKEN_BYTES_MAX, "our tokens pass the HTTP layer's cap");

static const char base62_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

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

void fo_secret_new_id(const char *prefix, char out[FO_ID_BYTES])
{
    FO_ASSERT(prefix != NULL);
    FO_ASSERT(out != NULL);
    size_t prefix_bytes = strlen(prefix);
    FO_ASSERT(prefix_bytes > 0);
    FO_ASSERT(prefix_bytes + 1 + ID_RANDOM_CHARS < FO_ID_BYTES);
    fo_secret_init();

    memcpy(out, prefix, prefix_bytes);
    out[prefix_bytes] = '_';
    size_t alphabet_count = sizeof base62_alphabet - 1;
    for (size_t index = 0; index < ID_RANDOM_CHARS; index++) {
        uint32_t pick = randombytes_uniform((uint32_t)alphabet_count);
        FO_ASSERT(pick < alphabet_count);
        out[prefix_bytes + 1 + index] = base62_alphabet[pick];
    }
    out[prefix_bytes + 1 + ID_RANDOM_CHARS] = '\0';
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
