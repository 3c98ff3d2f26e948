/* Commands: the only code that writes (DESIGN.md, "commands").
 *
 * Each command runs inside a command scope of the store (fo_store_command_begin/end, done
 * by the caller: the writer thread, or a test) and follows one shape: load, ask the core,
 * write order + events + ledger journals. A command that returns an error has written
 * nothing the caller must keep: the caller rolls its scope back. Time comes in as
 * now_unix_ms; nothing here reads a clock.
 *
 * Inputs are already decoded and range-checked for types by the HTTP layer; commands
 * still validate everything that the rules decide (ranges, lengths, existence) and name
 * the field in `detail`, so they are safe to call from anywhere (tests, simulation, CLI). */
#ifndef FO_COMMANDS_COMMANDS_H
#define FO_COMMANDS_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/order.h"
#include "core/quote.h"
#include "store/store.h"

/* An order with its live cancellation quote: what every order view renders. */
struct fo_order_view {
    struct fo_order order;
    struct fo_quote quote; /* At the time of the answer. */
};

/* A fresh bearer token: 32 random bytes, base64url without padding (43 chars). */
#define FO_TOKEN_CHARS 43

/* --- Admin ----------------------------------------------------------------------------- */

/* Creates a buyer (balance 0, currency CNY) and its token; `name` 1..64 chars.
 * out_token receives the token, shown to the admin only once. */
enum fo_err fo_cmd_buyer_create(struct fo_store *store, int64_t now_unix_ms, const char *name,
                                struct fo_buyer *out, char out_token[FO_TOKEN_CHARS + 1],
                                struct fo_err_detail *detail);

/* Creates a supplier from the given fields (id, seq, created_at are assigned) and its
 * token. Validates name, capacity 1..10000, lease_s 10..86400, simulate_units_per_s 0 or
 * 1..1,000,000. */
enum fo_err fo_cmd_supplier_create(struct fo_store *store, int64_t now_unix_ms,
                                   struct fo_supplier *supplier, char out_token[FO_TOKEN_CHARS + 1],
                                   struct fo_err_detail *detail);

/* Creates a policy (fo_policy_validate); assigns id and created_at in *policy. */
enum fo_err fo_cmd_policy_create(struct fo_store *store, int64_t now_unix_ms,
                                 struct fo_policy *policy, struct fo_err_detail *detail);

/* Creates a service; validates ranges, names, that the policy and supplier exist
 * (FO_ERR_INVALID_REQUEST naming "policy_id" / "supplier_id" otherwise). */
enum fo_err fo_cmd_service_create(struct fo_store *store, int64_t now_unix_ms,
                                  struct fo_service *service, struct fo_err_detail *detail);

struct fo_service_patch {
    const char *policy_id; /* NULL: unchanged. */
    bool has_unit_price;
    int64_t unit_price_minor;
    bool has_active;
    bool active;
};
/* Applies the patch; NOT_FOUND for an unknown service. *out is the service after. */
enum fo_err fo_cmd_service_update(struct fo_store *store, int64_t now_unix_ms,
                                  const char *service_id, const struct fo_service_patch *patch,
                                  struct fo_service *out, struct fo_err_detail *detail);

/* Tops up a buyer: amount 1..10^12 (INVALID_REQUEST naming "amount_minor"; also when the
 * balance would exceed 10^15), reference 1..128 chars. NOT_FOUND for an unknown buyer.
 * *out is the buyer (wallet) after. */
enum fo_err fo_cmd_topup(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                         int64_t amount_minor, const char *reference, struct fo_buyer *out,
                         struct fo_err_detail *detail);

/* --- Buyer ----------------------------------------------------------------------------- */

struct fo_place_input {
    const char *service_id;
    int64_t quantity;
    const char *target;
    const char *expected_policy_id; /* NULL when the buyer sent none. */
};

/* Places an order: validates, holds the amount, snapshots the policy, allocates at once
 * when the supplier has capacity. Errors: SERVICE_NOT_FOUND (unknown or inactive),
 * INVALID_REQUEST (quantity outside the service's range or the amount cap, bad target),
 * POLICY_CHANGED (*out_current_policy is the policy now in force), INSUFFICIENT_FUNDS. */
enum fo_err fo_cmd_place(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                         const struct fo_place_input *input, struct fo_order_view *out,
                         struct fo_policy *out_current_policy, struct fo_err_detail *detail);

struct fo_cancel_input {
    const char *order_id;
    const char *buyer_id; /* NULL when an admin cancels (no ownership check). */
    bool has_expected_refund;
    int64_t expected_refund_minor;
    const char *reason; /* 0..500 chars; NULL or "" for none. */
};

/* Cancels an order by its live quote. NOT_FOUND (unknown, or another buyer's);
 * NOT_CANCELLABLE or QUOTE_CHANGED with *out_quote the current quote and out->order the
 * order as it stands (and nothing changed). On success *out is the settled order and its
 * (not allowed) quote; the freed
 * capacity allocates the supplier's next pending orders. */
enum fo_err fo_cmd_cancel(struct fo_store *store, int64_t now_unix_ms,
                          const struct fo_cancel_input *input, struct fo_order_view *out,
                          struct fo_quote *out_quote, struct fo_err_detail *detail);

/* --- Supplier -------------------------------------------------------------------------- */

/* Claims up to `max` (1..100) of the supplier's queued orders, oldest first, moving each to
 * executing under a lease. out holds at least `max` orders. */
enum fo_err fo_cmd_claim(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                         int64_t max, struct fo_order *out, size_t *out_count,
                         struct fo_err_detail *detail);

/* Progress, complete and fail of one job. NOT_FOUND when the order is not this supplier's;
 * JOB_NOT_ACTIVE (*out holds the order, for error.state) when it is not executing;
 * INVALID_PROGRESS as core/order.h says. */
enum fo_err fo_cmd_progress(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                            const char *order_id, int64_t delivered, struct fo_order_view *out,
                            struct fo_err_detail *detail);
enum fo_err fo_cmd_complete(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                            const char *order_id, int64_t delivered, struct fo_order_view *out,
                            struct fo_err_detail *detail);
enum fo_err fo_cmd_fail(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                        const char *order_id, int64_t delivered, const char *reason,
                        struct fo_order_view *out, struct fo_err_detail *detail);

/* --- System ---------------------------------------------------------------------------- */

/* Fails up to `max` executing orders whose lease ran out (now >= lease_expires_at) with
 * reason supplier_timeout, and allocates what that frees. *out_count: how many failed. */
enum fo_err fo_cmd_expire_leases(struct fo_store *store, int64_t now_unix_ms, size_t max,
                                 size_t *out_count);

/* Moves the supplier's oldest pending orders to queued while it has capacity. */
enum fo_err fo_cmd_allocate(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id);

/* Ensures an admin token exists: stores the hash of `token` as the admin's (replacing an
 * old one) when token is non-NULL; else, when no admin exists, creates a random token and
 * writes it to out_token (else out_token[0] = 0). */
enum fo_err fo_cmd_admin_ensure(struct fo_store *store, const char *token,
                                char out_token[FO_TOKEN_CHARS + 1]);

#endif
