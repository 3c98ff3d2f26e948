/* Fixtures shared by the core unit tests: a well-formed policy and order, and a helper
 * that walks an order through the state machine to any state with fo_order_check after
 * every step. Header-only (static inline) because the Makefile builds each *_test.c on
 * its own; nothing here is a test by itself. */
#ifndef FO_TESTS_UNIT_CORE_FIXTURE_H
#define FO_TESTS_UNIT_CORE_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "support/fo_test.h"

#include "core/order.h"
#include "core/quote.h"

/* 2023-11-14T22:13:20Z: a placement instant far from zero, like a real clock. */
#define FIXTURE_T0_UNIX_MS INT64_C(1700000000000)
#define FIXTURE_LEASE_S    INT64_C(300)

/* The policy of API.md's example: 10 minutes cooling-off, fee ¥0.50 + 2%, 5 free cancels. */
static inline struct fo_policy fixture_policy(void)
{
    struct fo_policy policy;
    memset(&policy, 0, sizeof policy);
    snprintf(policy.id, sizeof policy.id, "pol_standard");
    snprintf(policy.name, sizeof policy.name, "Standard");
    policy.cooling_off_s = 600;
    policy.pending = FO_PENDING_FULL_REFUND;
    policy.queued = FO_QUEUED_FEE;
    policy.executing = FO_EXECUTING_PRORATED;
    policy.fee_fixed_minor = 50;
    policy.fee_bps = 200;
    policy.free_cancels_per_day = 5;
    policy.created_at_unix_ms = FIXTURE_T0_UNIX_MS - 1000;
    return policy;
}

/* A pending order of quantity units at unit_price_minor, placed at FIXTURE_T0_UNIX_MS. */
static inline struct fo_order fixture_order(int64_t quantity, int64_t unit_price_minor,
                                            const struct fo_policy *policy)
{
    struct fo_order order;
    memset(&order, 0, sizeof order);
    order.seq = 1;
    snprintf(order.id, sizeof order.id, "ord_fixture");
    snprintf(order.buyer_id, sizeof order.buyer_id, "byr_fixture");
    snprintf(order.service_id, sizeof order.service_id, "svc_fixture");
    snprintf(order.supplier_id, sizeof order.supplier_id, "sup_fixture");
    snprintf(order.currency, sizeof order.currency, "CNY");
    snprintf(order.target, sizeof order.target, "player-12345");
    order.quantity = quantity;
    order.unit_price_minor = unit_price_minor;
    order.amount_minor = quantity * unit_price_minor;
    order.state = FO_STATE_PENDING;
    order.placed_at_unix_ms = FIXTURE_T0_UNIX_MS;
    order.updated_at_unix_ms = FIXTURE_T0_UNIX_MS;
    order.policy = *policy;
    assert_null(fo_order_check(&order));
    return order;
}

/* Walk a pending order to `state` at now (executing and failed with `delivered` units;
 * cancelled by its quote at now with no recent cancels), checking after every step. */
static inline void fixture_walk(struct fo_order *order, enum fo_state state, int64_t delivered,
                                int64_t now_unix_ms)
{
    assert_int_equal(order->state, FO_STATE_PENDING);
    if (state == FO_STATE_CANCELLED) {
        struct fo_quote quote;
        fo_quote_cancel(order, now_unix_ms, 0, &quote);
        assert_true(quote.allowed);
        fo_order_cancel(order, &quote, now_unix_ms);
        assert_null(fo_order_check(order));
        return;
    }
    if (state == FO_STATE_PENDING) {
        return;
    }
    fo_order_allocate(order, now_unix_ms);
    assert_null(fo_order_check(order));
    if (state == FO_STATE_QUEUED) {
        return;
    }
    fo_order_claim(order, now_unix_ms, FIXTURE_LEASE_S);
    assert_null(fo_order_check(order));
    if (state == FO_STATE_COMPLETED) {
        assert_int_equal(fo_order_complete(order, order->quantity, now_unix_ms), FO_OK);
    } else if (state == FO_STATE_FAILED) {
        assert_int_equal(fo_order_fail(order, delivered, FO_REASON_SUPPLIER_FAILED, now_unix_ms),
                         FO_OK);
    } else {
        assert_int_equal(fo_order_progress(order, delivered, now_unix_ms, FIXTURE_LEASE_S), FO_OK);
    }
    assert_null(fo_order_check(order));
    assert_int_equal(order->state, state);
}

#endif
