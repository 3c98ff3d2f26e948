/* A shared fixture for the command suites: a real SQLite store in a fresh temporary
 * directory, one buyer with a balance, one supplier, one policy and one service, and a
 * clock the test moves by hand. Header-only (each *_test.c is its own binary); the helpers
 * are static inline so that a suite may leave some unused.
 *
 * Every command runs as the writer runs it: inside a batch and a command scope. The scope
 * is always KEPT, even when the command refuses: a refused command must have written
 * nothing at all (commands.h), and keeping its scope lets the tests prove exactly that. */
#ifndef FO_TESTS_COMMANDS_FIXTURE_H
#define FO_TESTS_COMMANDS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/fo_test.h"

#include "commands/commands.h"
#include "commands/query.h"
#include "commands/secret.h"
#include "store/store.h"

/* A round second, so that tests can reason about "the same second" of the clock. */
#define FX_START_UNIX_MS    INT64_C(1800000000000)
#define FX_TOPUP_MINOR      INT64_C(100000)
#define FX_UNIT_PRICE_MINOR INT64_C(5)
#define FX_CAPACITY         2
#define FX_LEASE_S          60

struct fixture {
    char dir[256];
    char path[320];
    struct fo_store *store;
    int64_t now; /* The time every command of the test runs at. */
    struct fo_buyer buyer;
    struct fo_buyer other_buyer;
    struct fo_supplier supplier;
    struct fo_policy policy;
    struct fo_service service;
    struct fo_err_detail detail; /* Of the last command. */
};

static inline void fx_begin(struct fixture *fx)
{
    assert_int_equal(fo_store_batch_begin(fx->store), FO_OK);
    assert_int_equal(fo_store_command_begin(fx->store), FO_OK);
    memset(&fx->detail, 0, sizeof fx->detail);
}

static inline void fx_end(struct fixture *fx)
{
    assert_int_equal(fo_store_command_end(fx->store, true), FO_OK);
    assert_int_equal(fo_store_batch_commit(fx->store), FO_OK);
}

/* The default policy: 10 minutes of cooling-off, pending full refund, queued fee (¥0.50 +
 * 2%), executing prorated, 5 free cancels a day. */
static inline struct fo_policy fx_policy_default(const char *name)
{
    struct fo_policy policy;
    memset(&policy, 0, sizeof policy);
    snprintf(policy.name, sizeof policy.name, "%s", name);
    policy.cooling_off_s = 600;
    policy.pending = FO_PENDING_FULL_REFUND;
    policy.queued = FO_QUEUED_FEE;
    policy.executing = FO_EXECUTING_PRORATED;
    policy.fee_fixed_minor = 50;
    policy.fee_bps = 200;
    policy.free_cancels_per_day = 5;
    return policy;
}

static inline void fx_policy_create(struct fixture *fx, struct fo_policy *policy)
{
    fx_begin(fx);
    assert_int_equal(fo_cmd_policy_create(fx->store, fx->now, policy, &fx->detail), FO_OK);
    fx_end(fx);
}

static inline void fx_buyer_create(struct fixture *fx, const char *name, int64_t topup_minor,
                                   struct fo_buyer *out)
{
    char token[FO_TOKEN_CHARS + 1];
    fx_begin(fx);
    assert_int_equal(fo_cmd_buyer_create(fx->store, fx->now, name, out, token, &fx->detail), FO_OK);
    if (topup_minor > 0) {
        assert_int_equal(
            fo_cmd_topup(fx->store, fx->now, out->id, topup_minor, "bank-1", out, &fx->detail),
            FO_OK);
    }
    fx_end(fx);
}

static inline void fx_supplier_create(struct fixture *fx, int64_t capacity, struct fo_supplier *out)
{
    char token[FO_TOKEN_CHARS + 1];
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "supplier %lld", (long long)capacity);
    out->capacity = capacity;
    out->lease_s = FX_LEASE_S;
    fx_begin(fx);
    assert_int_equal(fo_cmd_supplier_create(fx->store, fx->now, out, token, &fx->detail), FO_OK);
    fx_end(fx);
}

static inline void fx_service_create(struct fixture *fx, const struct fo_policy *policy,
                                     const struct fo_supplier *supplier, struct fo_service *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "game points");
    snprintf(out->unit, sizeof out->unit, "point");
    out->unit_price_minor = FX_UNIT_PRICE_MINOR;
    out->min_quantity = 10;
    out->max_quantity = 100000;
    snprintf(out->policy_id, sizeof out->policy_id, "%s", policy->id);
    snprintf(out->supplier_id, sizeof out->supplier_id, "%s", supplier->id);
    fx_begin(fx);
    assert_int_equal(fo_cmd_service_create(fx->store, fx->now, out, &fx->detail), FO_OK);
    fx_end(fx);
}

/* A fresh database with the default catalogue: the buyer has FX_TOPUP_MINOR, the other
 * buyer nothing; the supplier has capacity FX_CAPACITY and a lease of FX_LEASE_S. */
static inline struct fixture *fx_open(const char *name)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fo_test_temp_dir(name, fx->dir, sizeof fx->dir);
    snprintf(fx->path, sizeof fx->path, "%s/fairorder.db", fx->dir);
    assert_int_equal(fo_store_open(fx->path, true, &fx->store), FO_OK);
    fx->now = FX_START_UNIX_MS;
    fx->policy = fx_policy_default("standard");
    fx_policy_create(fx, &fx->policy);
    fx_supplier_create(fx, FX_CAPACITY, &fx->supplier);
    fx_service_create(fx, &fx->policy, &fx->supplier, &fx->service);
    fx_buyer_create(fx, "alice", FX_TOPUP_MINOR, &fx->buyer);
    fx_buyer_create(fx, "bob", 0, &fx->other_buyer);
    return fx;
}

static inline void fx_close(struct fixture *fx)
{
    fo_store_close(fx->store);
    free(fx);
}

static inline int fx_setup(void **state)
{
    *state = fx_open("commands");
    return 0;
}

static inline int fx_teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* --- Commands in their own scope ------------------------------------------------------ */

static inline enum fo_err fx_place_on(struct fixture *fx, const char *buyer_id,
                                      const char *service_id, int64_t quantity,
                                      struct fo_order_view *out)
{
    struct fo_place_input input = {
        .service_id = service_id, .quantity = quantity, .target = "player-12345"};
    struct fo_policy current;
    fx_begin(fx);
    enum fo_err err =
        fo_cmd_place(fx->store, fx->now, buyer_id, &input, out, &current, &fx->detail);
    fx_end(fx);
    return err;
}

/* Place `quantity` units for the main buyer on the main service; asserts success. */
static inline struct fo_order_view fx_place(struct fixture *fx, int64_t quantity)
{
    struct fo_order_view view;
    assert_int_equal(fx_place_on(fx, fx->buyer.id, fx->service.id, quantity, &view), FO_OK);
    return view;
}

static inline enum fo_err fx_cancel(struct fixture *fx, const char *order_id, const char *buyer_id,
                                    struct fo_order_view *out, struct fo_quote *out_quote)
{
    struct fo_cancel_input input = {.order_id = order_id, .buyer_id = buyer_id};
    fx_begin(fx);
    enum fo_err err = fo_cmd_cancel(fx->store, fx->now, &input, out, out_quote, &fx->detail);
    fx_end(fx);
    return err;
}

/* Claim up to `max` jobs of the main supplier; returns how many. */
static inline size_t fx_claim(struct fixture *fx, int64_t max, struct fo_order *out)
{
    size_t count = 0;
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_claim(fx->store, fx->now, fx->supplier.id, max, out, &count, &fx->detail), FO_OK);
    fx_end(fx);
    return count;
}

static inline enum fo_err fx_progress(struct fixture *fx, const char *order_id, int64_t delivered,
                                      struct fo_order_view *out)
{
    fx_begin(fx);
    enum fo_err err =
        fo_cmd_progress(fx->store, fx->now, fx->supplier.id, order_id, delivered, out, &fx->detail);
    fx_end(fx);
    return err;
}

/* --- Reading back ---------------------------------------------------------------------- */

static inline struct fo_order fx_order(struct fixture *fx, const char *order_id)
{
    struct fo_order order;
    assert_int_equal(fo_store_order_get(fx->store, order_id, &order), FO_OK);
    assert_null(fo_order_check(&order));
    return order;
}

static inline struct fo_buyer fx_buyer(struct fixture *fx, const char *buyer_id)
{
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(fx->store, buyer_id, &buyer), FO_OK);
    return buyer;
}

static inline void fx_assert_wallet(struct fixture *fx, const char *buyer_id,
                                    int64_t available_minor, int64_t held_minor)
{
    struct fo_buyer buyer = fx_buyer(fx, buyer_id);
    assert_int64_equal(buyer.available_minor, available_minor);
    assert_int64_equal(buyer.held_minor, held_minor);
}

/* The order's events, oldest first; returns how many (at most `max`). */
static inline size_t fx_events(struct fixture *fx, const char *order_id, struct fo_event *out,
                               size_t max)
{
    size_t count = 0;
    assert_int_equal(fo_store_event_list(fx->store, order_id, 0, out, max, &count), FO_OK);
    return count;
}

static inline size_t fx_events_count(struct fixture *fx, const char *order_id)
{
    struct fo_event events[64];
    return fx_events(fx, order_id, events, 64);
}

static inline struct fo_event fx_event_last(struct fixture *fx, const char *order_id)
{
    struct fo_event event;
    assert_int_equal(fo_store_event_last(fx->store, order_id, &event), FO_OK);
    return event;
}

/* The buyer's newest wallet entry. */
static inline struct fo_wallet_entry fx_entry_last(struct fixture *fx, const char *buyer_id)
{
    struct fo_wallet_entry entry;
    size_t count = 0;
    assert_int_equal(fo_store_wallet_entries(fx->store, buyer_id, 0, &entry, 1, &count), FO_OK);
    assert_int_equal(count, 1);
    return entry;
}

static inline size_t fx_entries_count(struct fixture *fx, const char *buyer_id)
{
    struct fo_wallet_entry entries[64];
    size_t count = 0;
    assert_int_equal(fo_store_wallet_entries(fx->store, buyer_id, 0, entries, 64, &count), FO_OK);
    return count;
}

/* The whole database still satisfies every invariant. */
static inline void fx_assert_verified(struct fixture *fx)
{
    struct fo_verify_report *report = calloc(1, sizeof *report);
    assert_non_null(report);
    assert_int_equal(fo_query_verify(fx->store, report), FO_OK);
    for (size_t index = 0; index < report->problems_count && index < FO_VERIFY_PROBLEMS_MAX;
         index++) {
        print_error("verify: %s\n", report->problems[index]);
    }
    assert_true(report->ok);
    free(report);
}

#endif
