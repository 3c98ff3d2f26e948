/* Principals (token hashes), idempotency answers and settings in the SQLite store
 * (store.h, "Principals and tokens", "Idempotency", "Settings").
 *
 * Tokens are never stored, only their 32-byte hashes, one per principal; a lookup finds
 * the row by the hash's unique index and then compares the stored hash with the asked one
 * in constant time (sodium_memcmp) before answering, so an answer of FO_OK never rests on
 * a comparison whose timing depends on the secret. There is one admin: storing an admin
 * token deletes every older admin row first (atomic within the caller's command scope).
 *
 * Idempotency answers are keyed by (principal, key); storing one again replaces it. They
 * are kept for FO_IDEMPOTENCY_KEEP_MS and purged by age through their created_at index. */
#include <sodium.h>
#include <string.h>

#include "core/assert.h"
#include "store/store_sqlite.h"

_Static_assert(FO_RESPONSE_BYTES_MAX == 65536,
               "schema/0001_init.sql bounds idempotency.body by FO_RESPONSE_BYTES_MAX");

/* --- Principals ------------------------------------------------------------------------ */

enum fo_err fo_store_principal_by_token(struct fo_store *store,
                                        const uint8_t hash[FO_TOKEN_HASH_BYTES],
                                        struct fo_principal *out)
{
    FO_ASSERT(hash != NULL);
    FO_ASSERT(out != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_PRINCIPAL_BY_TOKEN, "principal_by_token", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_blob(&query, hash, FO_TOKEN_HASH_BYTES);
    err = fo_sql_row(&query);
    struct fo_principal found;
    uint8_t stored[FO_TOKEN_HASH_BYTES];
    if (err == FO_OK) {
        memset(&found, 0, sizeof found);
        found.role = (enum fo_role)fo_sql_column_int64(&query);
        fo_sql_column_text(&query, found.id, sizeof found.id);
        size_t stored_bytes = fo_sql_column_blob(&query, stored, sizeof stored);
        FO_ASSERT(stored_bytes == FO_TOKEN_HASH_BYTES);
    }
    fo_sql_end(&query);
    if (err != FO_OK) {
        return err;
    }
    if (sodium_memcmp(stored, hash, FO_TOKEN_HASH_BYTES) != 0) {
        return FO_ERR_NOT_FOUND;
    }
    FO_ASSERT(found.role >= FO_ROLE_ADMIN && found.role <= FO_ROLE_SUPPLIER);
    *out = found;
    return FO_OK;
}

static enum fo_err delete_admins(struct fo_store *store)
{
    struct fo_sql_query query;
    enum fo_err err =
        fo_sql_begin(store, FO_SQL_PRINCIPAL_DELETE_ADMINS, "principal_delete_admins", &query);
    if (err != FO_OK) {
        return err;
    }
    return fo_sql_exec(&query);
}

enum fo_err fo_store_principal_put(struct fo_store *store, const struct fo_principal *principal,
                                   const uint8_t hash[FO_TOKEN_HASH_BYTES])
{
    FO_ASSERT(principal != NULL);
    FO_ASSERT(hash != NULL);
    FO_ASSERT(principal->role >= FO_ROLE_ADMIN && principal->role <= FO_ROLE_SUPPLIER);
    if (principal->role == FO_ROLE_ADMIN) {
        enum fo_err err = delete_admins(store);
        if (err != FO_OK) {
            return err;
        }
    }
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_PRINCIPAL_INSERT, "principal_put", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, principal->id);
    fo_sql_bind_int64(&query, (int64_t)principal->role);
    fo_sql_bind_blob(&query, hash, FO_TOKEN_HASH_BYTES);
    return fo_sql_exec(&query);
}

enum fo_err fo_store_admin_exists(struct fo_store *store, bool *out_exists)
{
    FO_ASSERT(out_exists != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_ADMIN_EXISTS, "admin_exists", &query);
    if (err != FO_OK) {
        return err;
    }
    int64_t exists = 0;
    err = fo_sql_scalar(&query, &exists);
    FO_ASSERT(err != FO_ERR_NOT_FOUND); /* EXISTS always answers one row. */
    if (err == FO_OK) {
        *out_exists = exists != 0;
    }
    return err;
}

/* --- Idempotency ----------------------------------------------------------------------- */

enum fo_err fo_store_idempotency_get(struct fo_store *store, const char *principal_id,
                                     const char *key, struct fo_idempotency *out)
{
    FO_ASSERT(principal_id != NULL);
    FO_ASSERT(key != NULL);
    FO_ASSERT(out != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_IDEMPOTENCY_GET, "idempotency_get", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, principal_id);
    fo_sql_bind_text(&query, key);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        size_t hash_bytes = fo_sql_column_blob(&query, out->request_hash, sizeof out->request_hash);
        FO_ASSERT(hash_bytes == FO_REQUEST_HASH_BYTES);
        out->status = (int)fo_sql_column_int64(&query);
        out->created_at_unix_ms = fo_sql_column_int64(&query);
        out->body_bytes = fo_sql_column_blob(&query, out->body, sizeof out->body);
        if (out->body_bytes < sizeof out->body) {
            out->body[out->body_bytes] = '\0'; /* A convenience for text bodies. */
        }
    }
    fo_sql_end(&query);
    return err;
}

enum fo_err fo_store_idempotency_put(struct fo_store *store, const char *principal_id,
                                     const char *key, const struct fo_idempotency *record)
{
    FO_ASSERT(principal_id != NULL);
    FO_ASSERT(key != NULL);
    FO_ASSERT(record != NULL);
    FO_ASSERT(record->body_bytes <= sizeof record->body);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_IDEMPOTENCY_PUT, "idempotency_put", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, principal_id);
    fo_sql_bind_text(&query, key);
    fo_sql_bind_blob(&query, record->request_hash, sizeof record->request_hash);
    fo_sql_bind_int64(&query, (int64_t)record->status);
    fo_sql_bind_int64(&query, record->created_at_unix_ms);
    fo_sql_bind_blob(&query, record->body, record->body_bytes);
    return fo_sql_exec(&query);
}

enum fo_err fo_store_idempotency_purge(struct fo_store *store, int64_t before_unix_ms,
                                       int64_t *out_count)
{
    FO_ASSERT(out_count != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_IDEMPOTENCY_PURGE, "idempotency_purge", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_int64(&query, before_unix_ms);
    err = fo_sql_exec(&query);
    *out_count = err == FO_OK ? fo_sql_changes(&query) : 0;
    FO_ASSERT(*out_count >= 0);
    return err;
}

/* --- Settings -------------------------------------------------------------------------- */

enum fo_err fo_store_setting_get(struct fo_store *store, const char *key, int64_t *out_value)
{
    FO_ASSERT(key != NULL);
    FO_ASSERT(out_value != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SETTING_GET, "setting_get", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, key);
    return fo_sql_scalar(&query, out_value);
}

enum fo_err fo_store_setting_put(struct fo_store *store, const char *key, int64_t value)
{
    FO_ASSERT(key != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SETTING_PUT, "setting_put", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, key);
    fo_sql_bind_int64(&query, value);
    return fo_sql_exec(&query);
}
