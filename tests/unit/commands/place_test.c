/* fo_cmd_place and fo_cmd_allocate: placing holds the whole amount, snapshots the policy
 * and allocates at once while the supplier has capacity; every refusal changes nothing.
 *
 * Method: a real SQLite store per test (fixture.h); each case checks exact balances, the
 * hold journal, the events and the state, and for refusals that balances, orders and
 * wallet entries are exactly as before. */
#include "fixture.h"

static void assert_nothing_placed(struct fixture *fx)
{
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR, 0);
    assert_int_equal(fx_entries_count(fx, fx->buyer.id), 1); /* The top-up only. */
    struct fo_order orders[4];
    size_t count = 0;
    struct fo_order_filter filter = {.buyer_id = NULL};
    assert_int_equal(fo_store_order_list(fx->store, &filter, orders, 4, &count), FO_OK);
    assert_int_equal(count, 0);
}

static void test_place_holds_amount_and_queues_with_capacity(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view view = fx_place(fx, 1000);

    assert_memory_equal(view.order.id, "ord_", 4);
    assert_int_equal(strlen(view.order.id), 4 + 22);
    assert_int_equal(view.order.state, FO_STATE_QUEUED);
    assert_int64_equal(view.order.amount_minor, 5000);
    assert_int64_equal(view.order.unit_price_minor, FX_UNIT_PRICE_MINOR);
    assert_int64_equal(view.order.delivered, 0);
    assert_int64_equal(view.order.placed_at_unix_ms, fx->now);
    assert_string_equal(view.order.currency, "CNY");
    assert_string_equal(view.order.target, "player-12345");
    assert_string_equal(view.order.buyer_id, fx->buyer.id);
    assert_string_equal(view.order.service_id, fx->service.id);
    assert_string_equal(view.order.supplier_id, fx->supplier.id);
    assert_string_equal(view.order.policy.id, fx->policy.id);
    assert_int64_equal(view.order.policy.fee_bps, 200);
    assert_false(view.order.settled);
    /* The quote at placement: free cancellation until placed_at + cooling_off_s. */
    assert_true(view.quote.allowed);
    assert_int_equal(view.quote.reason, FO_REASON_COOLING_OFF);
    assert_int64_equal(view.quote.split.refund_minor, 5000);
    assert_true(view.quote.has_rule_change);
    assert_int64_equal(view.quote.rule_changes_at_unix_ms, fx->now + 600 * 1000);

    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 5000, 5000);
    struct fo_wallet_entry entry = fx_entry_last(fx, fx->buyer.id);
    assert_int_equal(entry.kind, FO_JOURNAL_HOLD);
    assert_int64_equal(entry.amount_minor, -5000);
    assert_int64_equal(entry.balance_after_minor, FX_TOPUP_MINOR - 5000);
    assert_string_equal(entry.order_id, view.order.id);

    struct fo_event events[4];
    assert_int_equal(fx_events(fx, view.order.id, events, 4), 2);
    assert_int_equal(events[0].type, FO_EVENT_PLACED);
    assert_int_equal(events[0].actor, FO_ACTOR_BUYER);
    assert_int_equal(events[0].state, FO_STATE_PENDING);
    assert_int_equal(events[1].type, FO_EVENT_ALLOCATED);
    assert_int_equal(events[1].actor, FO_ACTOR_SYSTEM);
    assert_int_equal(events[1].state, FO_STATE_QUEUED);
    assert_int64_equal(events[1].at_unix_ms, fx->now);
    fx_assert_verified(fx);
}

static void test_place_stays_pending_when_supplier_is_full(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view first = fx_place(fx, 10);
    struct fo_order_view second = fx_place(fx, 20);
    struct fo_order_view third = fx_place(fx, 30);
    assert_int_equal(first.order.state, FO_STATE_QUEUED);
    assert_int_equal(second.order.state, FO_STATE_QUEUED);
    assert_int_equal(third.order.state, FO_STATE_PENDING);
    assert_int_equal(fx_events_count(fx, third.order.id), 1);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 300, 300);
    struct fo_supplier supplier;
    assert_int_equal(fo_store_supplier_get(fx->store, fx->supplier.id, &supplier), FO_OK);
    assert_int64_equal(supplier.in_flight_count, FX_CAPACITY);
    fx_assert_verified(fx);
}

static void test_allocate_takes_oldest_pending_first_up_to_capacity(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view queued[2] = {fx_place(fx, 10), fx_place(fx, 10)};
    struct fo_order_view pending[3];
    for (size_t index = 0; index < 3; index++) {
        fx->now += 1000;
        pending[index] = fx_place(fx, 10 + (int64_t)index);
        assert_int_equal(pending[index].order.state, FO_STATE_PENDING);
    }
    /* Allocation with no free capacity moves nothing. */
    fx_begin(fx);
    assert_int_equal(fo_cmd_allocate(fx->store, fx->now, fx->supplier.id), FO_OK);
    fx_end(fx);
    assert_int_equal(fx_order(fx, pending[0].order.id).state, FO_STATE_PENDING);

    /* Two cancels free two places: the two oldest pending orders get them, in order. */
    struct fo_order_view view;
    struct fo_quote quote;
    fx->now += 1000;
    assert_int_equal(fx_cancel(fx, queued[0].order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_int_equal(fx_order(fx, pending[0].order.id).state, FO_STATE_QUEUED);
    assert_int_equal(fx_order(fx, pending[1].order.id).state, FO_STATE_PENDING);
    assert_int_equal(fx_cancel(fx, queued[1].order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_int_equal(fx_order(fx, pending[1].order.id).state, FO_STATE_QUEUED);
    assert_int_equal(fx_order(fx, pending[2].order.id).state, FO_STATE_PENDING);
    struct fo_event last = fx_event_last(fx, pending[1].order.id);
    assert_int_equal(last.type, FO_EVENT_ALLOCATED);
    assert_int64_equal(last.at_unix_ms, fx->now);
    fx_assert_verified(fx);
}

static void test_place_refuses_unknown_or_inactive_service(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view view;
    assert_int_equal(fx_place_on(fx, fx->buyer.id, "svc_nope", 10, &view),
                     FO_ERR_SERVICE_NOT_FOUND);
    struct fo_service_patch patch = {.has_active = true, .active = false};
    struct fo_service after;
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_service_update(fx->store, fx->now, fx->service.id, &patch, &after, &fx->detail),
        FO_OK);
    fx_end(fx);
    assert_false(after.active);
    assert_int_equal(fx_place_on(fx, fx->buyer.id, fx->service.id, 10, &view),
                     FO_ERR_SERVICE_NOT_FOUND);
    assert_nothing_placed(fx);
}

static void test_place_refuses_changed_policy_and_charges_nothing(void **state)
{
    struct fixture *fx = *state;
    struct fo_policy strict = fx_policy_default("strict");
    strict.cooling_off_s = 0;
    fx_policy_create(fx, &strict);
    struct fo_service_patch patch = {.policy_id = strict.id};
    struct fo_service after;
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_service_update(fx->store, fx->now, fx->service.id, &patch, &after, &fx->detail),
        FO_OK);
    fx_end(fx);

    struct fo_place_input input = {.service_id = fx->service.id,
                                   .quantity = 10,
                                   .target = "player-1",
                                   .expected_policy_id = fx->policy.id};
    struct fo_order_view view;
    struct fo_policy current;
    memset(&current, 0, sizeof current);
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_place(fx->store, fx->now, fx->buyer.id, &input, &view, &current, &fx->detail),
        FO_ERR_POLICY_CHANGED);
    fx_end(fx);
    assert_string_equal(current.id, strict.id);
    assert_int64_equal(current.cooling_off_s, 0);
    assert_nothing_placed(fx);

    /* Shown the current policy, the buyer can place under it. */
    input.expected_policy_id = strict.id;
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_place(fx->store, fx->now, fx->buyer.id, &input, &view, &current, &fx->detail),
        FO_OK);
    fx_end(fx);
    assert_string_equal(view.order.policy.id, strict.id);
}

static void assert_quantity_refused(struct fixture *fx, int64_t quantity, int64_t range_min,
                                    int64_t range_max)
{
    struct fo_order_view view;
    assert_int_equal(fx_place_on(fx, fx->buyer.id, fx->service.id, quantity, &view),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(fx->detail.field, "quantity");
    assert_int_equal(fx->detail.problem, FO_FIELD_OUT_OF_RANGE);
    assert_true(fx->detail.has_range);
    assert_int64_equal(fx->detail.range_min, range_min);
    assert_int64_equal(fx->detail.range_max, range_max);
}

static void test_place_checks_quantity_range_at_and_past_bounds(void **state)
{
    struct fixture *fx = *state;
    assert_quantity_refused(fx, 9, 10, 100000);
    assert_quantity_refused(fx, 100001, 10, 100000);
    assert_quantity_refused(fx, 0, 10, 100000);
    assert_quantity_refused(fx, -5, 10, 100000);
    assert_nothing_placed(fx);
    struct fo_order_view view;
    assert_int_equal(fx_place_on(fx, fx->buyer.id, fx->service.id, 10, &view), FO_OK);
    fx->buyer = fx_buyer(fx, fx->buyer.id);
    /* 100000 units cost 500000 > the balance: past the quantity check, refused for funds. */
    assert_int_equal(fx_place_on(fx, fx->buyer.id, fx->service.id, 100000, &view),
                     FO_ERR_INSUFFICIENT_FUNDS);
}

static void test_place_checks_amount_cap(void **state)
{
    struct fixture *fx = *state;
    struct fo_service dear;
    memset(&dear, 0, sizeof dear);
    snprintf(dear.name, sizeof dear.name, "dear");
    snprintf(dear.unit, sizeof dear.unit, "u");
    dear.unit_price_minor = FO_UNIT_PRICE_MINOR_MAX;
    dear.min_quantity = 1;
    dear.max_quantity = FO_QUANTITY_MAX;
    snprintf(dear.policy_id, sizeof dear.policy_id, "%s", fx->policy.id);
    snprintf(dear.supplier_id, sizeof dear.supplier_id, "%s", fx->supplier.id);
    fx_begin(fx);
    assert_int_equal(fo_cmd_service_create(fx->store, fx->now, &dear, &fx->detail), FO_OK);
    fx_end(fx);

    struct fo_order_view view;
    /* 10^6 units at 10^9 is exactly 10^15: within the cap (refused only for funds). */
    assert_int_equal(fx_place_on(fx, fx->buyer.id, dear.id, 1000000, &view),
                     FO_ERR_INSUFFICIENT_FUNDS);
    assert_int_equal(fx_place_on(fx, fx->buyer.id, dear.id, 1000001, &view),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(fx->detail.field, "quantity");
    assert_int64_equal(fx->detail.range_max, 1000000);
    assert_nothing_placed(fx);
}

static enum fo_err place_target(struct fixture *fx, const char *target)
{
    struct fo_place_input input = {.service_id = fx->service.id, .quantity = 10, .target = target};
    struct fo_order_view view;
    struct fo_policy current;
    fx_begin(fx);
    enum fo_err err =
        fo_cmd_place(fx->store, fx->now, fx->buyer.id, &input, &view, &current, &fx->detail);
    fx_end(fx);
    return err;
}

static void test_place_checks_target(void **state)
{
    struct fixture *fx = *state;
    char text[4 * 130 + 1];
    memset(text, 'x', 129);
    text[129] = '\0';
    assert_int_equal(place_target(fx, text), FO_ERR_INVALID_REQUEST);
    assert_string_equal(fx->detail.field, "target");
    assert_int_equal(place_target(fx, ""), FO_ERR_INVALID_REQUEST);
    assert_string_equal(fx->detail.field, "target");
    assert_int_equal(place_target(fx, NULL), FO_ERR_INVALID_REQUEST);
    assert_string_equal(fx->detail.field, "target");
    assert_int_equal(place_target(fx, "player\x01"), FO_ERR_INVALID_REQUEST);
    assert_int_equal(fx->detail.problem, FO_FIELD_BAD_CHARS);
    assert_int_equal(place_target(fx, "bad\xff"), FO_ERR_INVALID_REQUEST);
    assert_nothing_placed(fx);

    text[128] = '\0';
    assert_int_equal(place_target(fx, text), FO_OK);
    /* 128 code points of two bytes each: counted in code points, not bytes. */
    for (size_t index = 0; index < 128; index++) {
        memcpy(text + 2 * index, "\xc3\xa9", 2);
    }
    text[256] = '\0';
    assert_int_equal(place_target(fx, text), FO_OK);
    fx_assert_verified(fx);
}

static void test_place_refuses_insufficient_funds_exactly_past_balance(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view view;
    /* 20001 units * 5 = 100005 > 100000. */
    assert_int_equal(fx_place_on(fx, fx->buyer.id, fx->service.id, 20001, &view),
                     FO_ERR_INSUFFICIENT_FUNDS);
    assert_nothing_placed(fx);
    assert_int_equal(fx_place_on(fx, fx->other_buyer.id, fx->service.id, 10, &view),
                     FO_ERR_INSUFFICIENT_FUNDS);
    fx_assert_wallet(fx, fx->other_buyer.id, 0, 0);
    /* Exactly the balance is enough. */
    assert_int_equal(fx_place_on(fx, fx->buyer.id, fx->service.id, 20000, &view), FO_OK);
    fx_assert_wallet(fx, fx->buyer.id, 0, FX_TOPUP_MINOR);
    fx_assert_verified(fx);
}

static void test_place_keeps_policy_snapshot_after_policy_change(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view before = fx_place(fx, 10);
    struct fo_policy deny = fx_policy_default("deny all");
    deny.cooling_off_s = 0;
    deny.pending = FO_PENDING_DENY;
    deny.queued = FO_QUEUED_DENY;
    deny.executing = FO_EXECUTING_DENY;
    fx_policy_create(fx, &deny);
    struct fo_service_patch patch = {
        .policy_id = deny.id, .has_unit_price = true, .unit_price_minor = 7};
    struct fo_service after;
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_service_update(fx->store, fx->now, fx->service.id, &patch, &after, &fx->detail),
        FO_OK);
    fx_end(fx);
    struct fo_order order = fx_order(fx, before.order.id);
    assert_string_equal(order.policy.id, fx->policy.id);
    assert_int_equal(order.policy.queued, FO_QUEUED_FEE);
    assert_int64_equal(order.unit_price_minor, FX_UNIT_PRICE_MINOR);
    struct fo_order_view later = fx_place(fx, 10);
    assert_string_equal(later.order.policy.id, deny.id);
    assert_int64_equal(later.order.amount_minor, 70);
    assert_false(later.quote.allowed);
    assert_int_equal(later.quote.reason, FO_REASON_QUEUED_NOT_CANCELLABLE);
}

static void test_place_unknown_buyer_is_not_found(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view view;
    assert_int_equal(fx_place_on(fx, "byr_nobody", fx->service.id, 10, &view), FO_ERR_NOT_FOUND);
    assert_nothing_placed(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_place_holds_amount_and_queues_with_capacity, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_stays_pending_when_supplier_is_full, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_allocate_takes_oldest_pending_first_up_to_capacity,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_refuses_unknown_or_inactive_service, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_refuses_changed_policy_and_charges_nothing,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_checks_quantity_range_at_and_past_bounds,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_checks_amount_cap, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_checks_target, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_refuses_insufficient_funds_exactly_past_balance,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_keeps_policy_snapshot_after_policy_change,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_place_unknown_buyer_is_not_found, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
