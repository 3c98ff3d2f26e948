/* Admin commands: buyers, suppliers, policies, services, top-ups and the admin token.
 *
 * These create the principals and the catalogue that orders refer to. Every field is
 * validated here against API.md's ranges (names 1..64 code points without control
 * characters, prices, quantities, capacities, leases) with the field named in `detail`,
 * so a command is safe to call from anywhere, not only behind the HTTP decoder. Tokens
 * are random (secret.c), handed to the caller once, and stored only as hashes. Money moves
 * only through core journals (a top-up is fo_ledger_topup). Currency is CNY everywhere. */
#include <string.h>

#include "commands/commands.h"
#include "commands/secret.h"
#include "commands/write.h"
#include "core/assert.h"
#include "core/ledger.h"
#include "core/policy.h"

#define CURRENCY "CNY"

static enum fo_err admin_range_check(const char *field, int64_t value, int64_t value_min,
                                     int64_t value_max, struct fo_err_detail *detail)
{
    FO_ASSERT(field != NULL);
    FO_ASSERT(value_min <= value_max);
    if (value < value_min || value > value_max) {
        return fo_err_field_range(detail, field, FO_FIELD_OUT_OF_RANGE, value_min, value_max);
    }
    return FO_OK;
}

/* A text field held in a fixed buffer of a caller's struct: NUL-terminated within it, then
 * chars_min..chars_max code points without control characters. */
static enum fo_err admin_text_check(const char *field, const char *text, size_t text_bytes,
                                    int64_t chars_max, struct fo_err_detail *detail)
{
    FO_ASSERT(field != NULL);
    FO_ASSERT(text != NULL);
    if (memchr(text, '\0', text_bytes) == NULL) {
        return fo_err_field_range(detail, field, FO_FIELD_BAD_LENGTH, 1, chars_max);
    }
    return fo_write_text_check(field, text, 1, chars_max, false, detail);
}

/* Make a token, store its hash for `principal`, and hand the token to the caller. */
static enum fo_err admin_issue_token(struct fo_store *store, const struct fo_principal *principal,
                                     char out_token[FO_TOKEN_CHARS + 1])
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(principal != NULL);
    FO_ASSERT(out_token != NULL);
    fo_secret_new_token(out_token);
    uint8_t hash[FO_TOKEN_HASH_BYTES];
    fo_secret_token_hash(out_token, strlen(out_token), hash);
    enum fo_err err = fo_store_principal_put(store, principal, hash);
    fo_secret_wipe(hash, sizeof hash);
    if (err != FO_OK) {
        fo_secret_wipe(out_token, FO_TOKEN_CHARS + 1);
    }
    return err;
}

enum fo_err fo_cmd_buyer_create(struct fo_store *store, int64_t now_unix_ms, const char *name,
                                struct fo_buyer *out, char out_token[FO_TOKEN_CHARS + 1],
                                struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(out_token != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err = fo_write_text_check("name", name, 1, FO_NAME_CHARS_MAX, false, detail);
    if (err != FO_OK) {
        return err;
    }
    struct fo_buyer buyer;
    memset(&buyer, 0, sizeof buyer);
    fo_secret_new_id("byr", buyer.id);
    fo_write_copy(buyer.name, sizeof buyer.name, name);
    fo_write_copy(buyer.currency, sizeof buyer.currency, CURRENCY);
    buyer.created_at_unix_ms = now_unix_ms;
    err = fo_store_buyer_insert(store, &buyer);
    if (err != FO_OK) {
        return err;
    }
    struct fo_principal principal = {.role = FO_ROLE_BUYER};
    fo_write_copy(principal.id, sizeof principal.id, buyer.id);
    err = admin_issue_token(store, &principal, out_token);
    if (err != FO_OK) {
        return err;
    }
    *out = buyer;
    FO_ASSERT(out->available_minor == 0);
    FO_ASSERT(out->held_minor == 0);
    return FO_OK;
}

static enum fo_err supplier_validate(const struct fo_supplier *supplier,
                                     struct fo_err_detail *detail)
{
    FO_ASSERT(supplier != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err =
        admin_text_check("name", supplier->name, sizeof supplier->name, FO_NAME_CHARS_MAX, detail);
    if (err == FO_OK) {
        err = admin_range_check("capacity", supplier->capacity, 1, FO_CAPACITY_MAX, detail);
    }
    if (err == FO_OK) {
        err =
            admin_range_check("lease_s", supplier->lease_s, FO_LEASE_S_MIN, FO_LEASE_S_MAX, detail);
    }
    if (err == FO_OK && supplier->simulate_units_per_s != 0) {
        err = admin_range_check("simulate_units_per_s", supplier->simulate_units_per_s, 1,
                                FO_SIMULATE_UNITS_PER_S_MAX, detail);
    }
    return err;
}

enum fo_err fo_cmd_supplier_create(struct fo_store *store, int64_t now_unix_ms,
                                   struct fo_supplier *supplier, char out_token[FO_TOKEN_CHARS + 1],
                                   struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(supplier != NULL);
    FO_ASSERT(out_token != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err = supplier_validate(supplier, detail);
    if (err != FO_OK) {
        return err;
    }
    fo_secret_new_id("sup", supplier->id);
    supplier->created_at_unix_ms = now_unix_ms;
    err = fo_store_supplier_insert(store, supplier);
    if (err != FO_OK) {
        return err;
    }
    struct fo_principal principal = {.role = FO_ROLE_SUPPLIER};
    fo_write_copy(principal.id, sizeof principal.id, supplier->id);
    err = admin_issue_token(store, &principal, out_token);
    FO_ASSERT(err != FO_OK || strlen(out_token) == FO_TOKEN_CHARS);
    return err;
}

enum fo_err fo_cmd_policy_create(struct fo_store *store, int64_t now_unix_ms,
                                 struct fo_policy *policy, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(policy != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err =
        admin_text_check("name", policy->name, sizeof policy->name, FO_NAME_CHARS_MAX, detail);
    if (err == FO_OK) {
        err = fo_policy_validate(policy, detail);
    }
    if (err != FO_OK) {
        return err;
    }
    fo_secret_new_id("pol", policy->id);
    policy->created_at_unix_ms = now_unix_ms;
    err = fo_store_policy_insert(store, policy);
    FO_ASSERT(policy->id[0] != '\0');
    return err;
}

static enum fo_err service_validate(const struct fo_service *service, struct fo_err_detail *detail)
{
    FO_ASSERT(service != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err =
        admin_text_check("name", service->name, sizeof service->name, FO_NAME_CHARS_MAX, detail);
    if (err == FO_OK) {
        err = admin_text_check("unit", service->unit, sizeof service->unit, FO_UNIT_CHARS_MAX,
                               detail);
    }
    if (err == FO_OK) {
        err = admin_range_check("unit_price_minor", service->unit_price_minor, 1,
                                FO_UNIT_PRICE_MINOR_MAX, detail);
    }
    if (err == FO_OK) {
        err = admin_range_check("min_quantity", service->min_quantity, 1, FO_QUANTITY_MAX, detail);
    }
    if (err == FO_OK) {
        /* min_quantity is in range here, so the bounds below are ordered. */
        err = admin_range_check("max_quantity", service->max_quantity, service->min_quantity,
                                FO_QUANTITY_MAX, detail);
    }
    return err;
}

/* The policy and supplier a service names must exist (INVALID_REQUEST naming the field). */
static enum fo_err service_check_references(struct fo_store *store, const char *policy_id,
                                            const char *supplier_id, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(detail != NULL);
    if (policy_id != NULL) {
        struct fo_policy policy;
        enum fo_err err = fo_store_policy_get(store, policy_id, &policy);
        if (err == FO_ERR_NOT_FOUND) {
            return fo_err_field(detail, "policy_id", FO_FIELD_BAD_VALUE);
        }
        if (err != FO_OK) {
            return err;
        }
    }
    if (supplier_id != NULL) {
        struct fo_supplier supplier;
        enum fo_err err = fo_store_supplier_get(store, supplier_id, &supplier);
        if (err == FO_ERR_NOT_FOUND) {
            return fo_err_field(detail, "supplier_id", FO_FIELD_BAD_VALUE);
        }
        if (err != FO_OK) {
            return err;
        }
    }
    return FO_OK;
}

enum fo_err fo_cmd_service_create(struct fo_store *store, int64_t now_unix_ms,
                                  struct fo_service *service, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(service != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err = service_validate(service, detail);
    if (err != FO_OK) {
        return err;
    }
    if (memchr(service->policy_id, '\0', sizeof service->policy_id) == NULL) {
        return fo_err_field(detail, "policy_id", FO_FIELD_BAD_VALUE);
    }
    if (memchr(service->supplier_id, '\0', sizeof service->supplier_id) == NULL) {
        return fo_err_field(detail, "supplier_id", FO_FIELD_BAD_VALUE);
    }
    err = service_check_references(store, service->policy_id, service->supplier_id, detail);
    if (err != FO_OK) {
        return err;
    }
    fo_secret_new_id("svc", service->id);
    fo_write_copy(service->currency, sizeof service->currency, CURRENCY);
    service->active = true;
    service->created_at_unix_ms = now_unix_ms;
    err = fo_store_service_insert(store, service);
    FO_ASSERT(service->id[0] != '\0');
    return err;
}

enum fo_err fo_cmd_service_update(struct fo_store *store, int64_t now_unix_ms,
                                  const char *service_id, const struct fo_service_patch *patch,
                                  struct fo_service *out, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(service_id != NULL);
    FO_ASSERT(patch != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(detail != NULL);
    FO_ASSERT(now_unix_ms > 0);
    if (patch->has_unit_price) {
        enum fo_err err = admin_range_check("unit_price_minor", patch->unit_price_minor, 1,
                                            FO_UNIT_PRICE_MINOR_MAX, detail);
        if (err != FO_OK) {
            return err;
        }
    }
    struct fo_service service;
    enum fo_err err = fo_store_service_get(store, service_id, &service);
    if (err != FO_OK) {
        return err;
    }
    err = service_check_references(store, patch->policy_id, NULL, detail);
    if (err != FO_OK) {
        return err;
    }
    if (patch->policy_id != NULL) {
        fo_write_copy(service.policy_id, sizeof service.policy_id, patch->policy_id);
    }
    if (patch->has_unit_price) {
        service.unit_price_minor = patch->unit_price_minor;
    }
    if (patch->has_active) {
        service.active = patch->active;
    }
    err = fo_store_service_update(store, &service);
    if (err == FO_OK) {
        *out = service;
    }
    return err;
}

enum fo_err fo_cmd_topup(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                         int64_t amount_minor, const char *reference, struct fo_buyer *out,
                         struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(buyer_id != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err =
        admin_range_check("amount_minor", amount_minor, 1, FO_TOPUP_MINOR_MAX, detail);
    if (err == FO_OK) {
        err = fo_write_text_check("reference", reference, 1, FO_REFERENCE_CHARS_MAX, false, detail);
    }
    if (err != FO_OK) {
        return err;
    }
    struct fo_journal journal;
    fo_ledger_topup(amount_minor, &journal);
    FO_ASSERT(fo_journal_amount(&journal, FO_ACCOUNT_BUYER_AVAILABLE) == amount_minor);
    /* fo_write_journal answers NOT_FOUND for an unknown buyer before writing anything. */
    return fo_write_journal(store, now_unix_ms, buyer_id, NULL, reference, &journal, out, detail);
}

enum fo_err fo_cmd_admin_ensure(struct fo_store *store, const char *token,
                                char out_token[FO_TOKEN_CHARS + 1])
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out_token != NULL);
    out_token[0] = '\0';
    struct fo_principal principal = {.role = FO_ROLE_ADMIN};
    fo_secret_new_id("adm", principal.id);
    if (token != NULL) {
        size_t token_bytes = strlen(token);
        if (token_bytes == 0 || token_bytes > FO_TOKEN_BYTES_MAX) {
            return FO_ERR_INVALID_REQUEST;
        }
        uint8_t hash[FO_TOKEN_HASH_BYTES];
        fo_secret_token_hash(token, token_bytes, hash);
        enum fo_err err = fo_store_principal_put(store, &principal, hash);
        fo_secret_wipe(hash, sizeof hash);
        return err;
    }
    bool exists = false;
    enum fo_err err = fo_store_admin_exists(store, &exists);
    if (err != FO_OK || exists) {
        return err;
    }
    err = admin_issue_token(store, &principal, out_token);
    FO_ASSERT(err != FO_OK || strlen(out_token) == FO_TOKEN_CHARS);
    return err;
}
