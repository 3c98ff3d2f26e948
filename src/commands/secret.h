/* Random ids and bearer tokens (libsodium). Tokens are stored only as hashes. */
#ifndef FO_COMMANDS_SECRET_H
#define FO_COMMANDS_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "commands/commands.h"
#include "core/limits.h"
#include "store/store.h"

/* Initialise libsodium once per process; aborts when it cannot (no entropy source). */
void fo_secret_init(void);
/* A new id "<prefix>_" + 22 random base62 characters; prefix is "ord", "byr", … */
void fo_secret_new_id(const char *prefix, char out[FO_ID_BYTES]);
/* A new random token (FO_TOKEN_CHARS base64url characters, NUL-terminated). */
void fo_secret_new_token(char out[FO_TOKEN_CHARS + 1]);
/* The stored hash of a token (BLAKE2b-256). */
void fo_secret_token_hash(const char *token, size_t token_bytes, uint8_t out[FO_TOKEN_HASH_BYTES]);
/* Wipe a secret from memory. */
void fo_secret_wipe(void *buf, size_t bytes);

#endif
