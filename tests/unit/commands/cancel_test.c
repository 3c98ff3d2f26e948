/* fo_cmd_cancel: a cancel settles by the live quote (API.md, "Cancellation rules") in
 * every state, frees capacity, honours the free_cancels_per_day window and never pays
 * less than an accepted quote; every refusal changes nothing.
 *
 * Method: a real SQLite store per test (fixture.h), exact amounts from the API's worked
 * example (amount 5000, fee ¥0.50 + 2%, 250 of 1000 delivered: 1250 / 125 / 3625). */
#include "fixture.h"

#define COOLING_OFF_MS (600 * 1000)

/* A second service of the main supplier under `policy`. */
static struct fo_service service_with(struct fixture *fx, struct fo_policy *policy)
{
    fx_policy_create(fx, policy);
    struct fo_service service;
    fx_service_create(fx, policy, &fx->supplier, &service);
    return service;
}

static struct fo_order_view place_on(struct fixture *fx, const struct fo_service *service,
                                     int64_t quantity)
{
    struct fo_order_view view;
    assert_int_equal(fx_place_on(fx, fx->buyer.id, service->id, quantity, &view), FO_OK);
    return view;
}

static void assert_settled(const struct fo_order *order, enum fo_reason reason,
                           int64_t charged_minor, int64_t fee_minor, int64_t refund_minor)
{
    assert_int_equal(order->state, FO_STATE_CANCELLED);
    assert_true(order->settled);
    assert_int_equal(order->settlement.reason, reason);
    assert_int64_equal(order->settlement.split.charged_minor, charged_minor);
    assert_int64_equal(order->settlement.split.fee_minor, fee_minor);
    assert_int64_equal(order->settlement.split.refund_minor, refund_minor);
}

static void test_cancel_in_cooling_off_refunds_everything(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    fx->now += COOLING_OFF_MS - 1;
    struct fo_cancel_input input = {
        .order_id = placed.order.id, .buyer_id = fx->buyer.id, .reason = "changed my mind"};
    struct fo_order_view view;
    struct fo_quote quote;
    fx_begin(fx);
    assert_int_equal(fo_cmd_cancel(fx->store, fx->now, &input, &view, &quote, &fx->detail), FO_OK);
    fx_end(fx);

    assert_settled(&view.order, FO_REASON_COOLING_OFF, 0, 0, 5000);
    assert_int64_equal(view.order.settlement.at_unix_ms, fx->now);
    assert_false(view.quote.allowed);
    assert_int_equal(view.quote.reason, FO_REASON_ALREADY_CANCELLED);
    struct fo_order stored = fx_order(fx, placed.order.id);
    assert_settled(&stored, FO_REASON_COOLING_OFF, 0, 0, 5000);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR, 0);
    struct fo_wallet_entry entry = fx_entry_last(fx, fx->buyer.id);
    assert_int_equal(entry.kind, FO_JOURNAL_SETTLE);
    assert_int64_equal(entry.amount_minor, 5000);
    assert_int64_equal(entry.balance_after_minor, FX_TOPUP_MINOR);
    struct fo_event last = fx_event_last(fx, placed.order.id);
    assert_int_equal(last.type, FO_EVENT_CANCELLED);
    assert_int_equal(last.actor, FO_ACTOR_BUYER);
    assert_int_equal(last.state, FO_STATE_CANCELLED);
    assert_string_equal(last.detail, "changed my mind");
    fx_assert_verified(fx);
}

static void test_cancel_queued_after_cooling_off_charges_fee(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    fx->now += COOLING_OFF_MS; /* now - placed_at = cooling_off: the period is over. */
    struct fo_order_view view;
    struct fo_quote quote;
    assert_int_equal(fx_cancel(fx, placed.order.id, fx->buyer.id, &view, &quote), FO_OK);
    /* fee = 50 + floor(5000 * 200 / 10000) = 150. */
    assert_settled(&view.order, FO_REASON_QUEUED_WITH_FEE, 0, 150, 4850);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 150, 0);
    assert_int64_equal(fx_entry_last(fx, fx->buyer.id).amount_minor, 4850);
    fx_assert_verified(fx);
}

static void test_cancel_pending_after_cooling_off_refunds_and_allocates_nothing(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view first = fx_place(fx, 10);
    fx_place(fx, 10);
    struct fo_order_view pending = fx_place(fx, 1000);
    assert_int_equal(pending.order.state, FO_STATE_PENDING);
    fx->now += COOLING_OFF_MS + 5000;
    struct fo_order_view view;
    struct fo_quote quote;
    assert_int_equal(fx_cancel(fx, pending.order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_settled(&view.order, FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 100, 100);
    assert_int_equal(fx_order(fx, first.order.id).state, FO_STATE_QUEUED);
    assert_int_equal(fx_events_count(fx, first.order.id), 2);
    fx_assert_verified(fx);
}

static void test_cancel_executing_prorates_and_frees_capacity(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view executing = fx_place(fx, 1000);
    fx_place(fx, 10);
    struct fo_order_view pending = fx_place(fx, 10);
    struct fo_order claimed[1];
    assert_int_equal(fx_claim(fx, 1, claimed), 1);
    assert_string_equal(claimed[0].id, executing.order.id);
    struct fo_order_view view;
    assert_int_equal(fx_progress(fx, executing.order.id, 250, &view), FO_OK);
    fx->now += 1000;
    struct fo_quote quote;
    assert_int_equal(fx_cancel(fx, executing.order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_settled(&view.order, FO_REASON_EXECUTING_PRORATED, 1250, 125, 3625);
    assert_int64_equal(view.order.delivered, 250);
    assert_int64_equal(view.order.lease_expires_at_unix_ms, 0);
    /* Held: the two small orders (50 each); available: top-up - 5100 + 3625. */
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 5100 + 3625, 100);
    struct fo_order next = fx_order(fx, pending.order.id);
    assert_int_equal(next.state, FO_STATE_QUEUED);
    assert_int_equal(fx_event_last(fx, pending.order.id).type, FO_EVENT_ALLOCATED);
    fx_assert_verified(fx);
}

static void assert_refused_unchanged(struct fixture *fx, const char *order_id,
                                     enum fo_err expected_err, enum fo_reason expected_reason)
{
    struct fo_order before = fx_order(fx, order_id);
    struct fo_buyer buyer_before = fx_buyer(fx, before.buyer_id);
    size_t events_before = fx_events_count(fx, order_id);
    struct fo_order_view view;
    struct fo_quote quote;
    memset(&quote, 0xff, sizeof quote);
    assert_int_equal(fx_cancel(fx, order_id, before.buyer_id, &view, &quote), expected_err);
    assert_int_equal(quote.reason, expected_reason);
    /* A refusal still carries the order as it stands (error.quote.message needs it). */
    assert_string_equal(view.order.id, order_id);
    assert_int_equal(view.order.state, before.state);
    assert_int_equal(view.quote.reason, expected_reason);
    if (expected_err == FO_ERR_NOT_CANCELLABLE) {
        assert_false(quote.allowed);
        assert_int64_equal(quote.split.refund_minor, 0);
        assert_int64_equal(quote.split.fee_minor, 0);
        assert_int64_equal(quote.split.charged_minor, 0);
    }
    struct fo_order after = fx_order(fx, order_id);
    assert_int_equal(after.state, before.state);
    assert_int64_equal(after.updated_at_unix_ms, before.updated_at_unix_ms);
    assert_int_equal(fx_events_count(fx, order_id), events_before);
    fx_assert_wallet(fx, before.buyer_id, buyer_before.available_minor, buyer_before.held_minor);
}

static void test_cancel_denied_in_each_state_changes_nothing(void **state)
{
    struct fixture *fx = *state;
    struct fo_policy deny = fx_policy_default("deny");
    deny.pending = FO_PENDING_DENY;
    deny.queued = FO_QUEUED_DENY;
    deny.executing = FO_EXECUTING_DENY;
    struct fo_service service = service_with(fx, &deny);
    struct fo_order_view executing = place_on(fx, &service, 100);
    struct fo_order_view queued = place_on(fx, &service, 100);
    struct fo_order_view pending = place_on(fx, &service, 100);
    struct fo_order claimed[1];
    assert_int_equal(fx_claim(fx, 1, claimed), 1);
    /* Within cooling-off, pending and queued orders may still be cancelled for free. */
    struct fo_quote quote;
    fx_begin(fx);
    assert_int_equal(fo_query_quote(fx->store, fx->now, &pending.order, &quote), FO_OK);
    fx_end(fx);
    assert_int_equal(quote.reason, FO_REASON_COOLING_OFF);
    fx->now += COOLING_OFF_MS;
    assert_refused_unchanged(fx, pending.order.id, FO_ERR_NOT_CANCELLABLE,
                             FO_REASON_PENDING_NOT_CANCELLABLE);
    assert_refused_unchanged(fx, queued.order.id, FO_ERR_NOT_CANCELLABLE,
                             FO_REASON_QUEUED_NOT_CANCELLABLE);
    assert_refused_unchanged(fx, executing.order.id, FO_ERR_NOT_CANCELLABLE,
                             FO_REASON_EXECUTING_NOT_CANCELLABLE);
    fx_assert_verified(fx);
}

static void test_cancel_terminal_order_is_not_cancellable(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    struct fo_order_view view;
    struct fo_quote quote;
    assert_int_equal(fx_cancel(fx, placed.order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_refused_unchanged(fx, placed.order.id, FO_ERR_NOT_CANCELLABLE,
                             FO_REASON_ALREADY_CANCELLED);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR, 0);
}

static void test_cancel_quote_changed_guard(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    /* Shown 5000 during cooling-off; the period ends before the buyer confirms. */
    fx->now += COOLING_OFF_MS;
    struct fo_cancel_input input = {.order_id = placed.order.id,
                                    .buyer_id = fx->buyer.id,
                                    .has_expected_refund = true,
                                    .expected_refund_minor = 5000};
    struct fo_order_view view;
    struct fo_quote quote;
    fx_begin(fx);
    assert_int_equal(fo_cmd_cancel(fx->store, fx->now, &input, &view, &quote, &fx->detail),
                     FO_ERR_QUOTE_CHANGED);
    fx_end(fx);
    assert_true(quote.allowed);
    assert_int_equal(quote.reason, FO_REASON_QUEUED_WITH_FEE);
    assert_int64_equal(quote.split.refund_minor, 4850);
    assert_int_equal(fx_order(fx, placed.order.id).state, FO_STATE_QUEUED);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 5000, 5000);
    assert_int_equal(fx_events_count(fx, placed.order.id), 2);

    /* Agreeing to the new quote (or less) cancels. */
    input.expected_refund_minor = 4850;
    fx_begin(fx);
    assert_int_equal(fo_cmd_cancel(fx->store, fx->now, &input, &view, &quote, &fx->detail), FO_OK);
    fx_end(fx);
    assert_settled(&view.order, FO_REASON_QUEUED_WITH_FEE, 0, 150, 4850);
    fx_assert_verified(fx);
}

static enum fo_reason quote_reason_at(struct fixture *fx, const char *order_id)
{
    struct fo_order_view view;
    assert_int_equal(fo_query_order(fx->store, fx->now, fx->buyer.id, order_id, &view), FO_OK);
    return view.quote.reason;
}

static void test_cancel_free_cancels_per_day_window(void **state)
{
    struct fixture *fx = *state;
    struct fo_policy one = fx_policy_default("one free cancel");
    one.free_cancels_per_day = 1;
    struct fo_service service = service_with(fx, &one);
    int64_t start_ms = fx->now;
    struct fo_order_view first = place_on(fx, &service, 10);
    struct fo_order_view view;
    struct fo_quote quote;
    assert_int_equal(fx_cancel(fx, first.order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_int_equal(view.order.settlement.reason, FO_REASON_COOLING_OFF);

    /* A day later less 10 s, a new order within cooling-off: the free cancel is used. */
    fx->now = start_ms + FO_CANCEL_WINDOW_MS - 10000;
    struct fo_order_view second = place_on(fx, &service, 10);
    assert_int_equal(second.quote.reason, FO_REASON_QUEUED_WITH_FEE);
    fx->now = start_ms + FO_CANCEL_WINDOW_MS - 1;
    assert_int_equal(quote_reason_at(fx, second.order.id), FO_REASON_QUEUED_WITH_FEE);
    /* At exactly 24 h the first cancel leaves the window (now - 24 h < t fails). */
    fx->now = start_ms + FO_CANCEL_WINDOW_MS;
    assert_int_equal(quote_reason_at(fx, second.order.id), FO_REASON_COOLING_OFF);
    assert_int_equal(fx_cancel(fx, second.order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_settled(&view.order, FO_REASON_COOLING_OFF, 0, 0, 50);

    /* The second cancel is in the window now: no free cancel left for a third order. */
    struct fo_order_view third = place_on(fx, &service, 10);
    assert_int_equal(third.quote.reason, FO_REASON_QUEUED_WITH_FEE);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 50, 50);
    fx_assert_verified(fx);
}

static void test_cancel_ownership_and_admin(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    struct fo_order_view view;
    struct fo_quote quote;
    assert_int_equal(fx_cancel(fx, placed.order.id, fx->other_buyer.id, &view, &quote),
                     FO_ERR_NOT_FOUND);
    assert_int_equal(fx_cancel(fx, "ord_unknown", fx->buyer.id, &view, &quote), FO_ERR_NOT_FOUND);
    assert_int_equal(fx_cancel(fx, NULL, fx->buyer.id, &view, &quote), FO_ERR_NOT_FOUND);
    assert_int_equal(fx_order(fx, placed.order.id).state, FO_STATE_QUEUED);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 5000, 5000);

    assert_int_equal(fx_cancel(fx, placed.order.id, NULL, &view, &quote), FO_OK);
    struct fo_event last = fx_event_last(fx, placed.order.id);
    assert_int_equal(last.type, FO_EVENT_CANCELLED);
    assert_int_equal(last.actor, FO_ACTOR_ADMIN);
    assert_string_equal(last.detail, "");
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR, 0);
    fx_assert_verified(fx);
}

static void test_cancel_checks_reason_length(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    char reason[FO_REASON_CHARS_MAX + 2];
    memset(reason, 'r', FO_REASON_CHARS_MAX + 1);
    reason[FO_REASON_CHARS_MAX + 1] = '\0';
    struct fo_cancel_input input = {
        .order_id = placed.order.id, .buyer_id = fx->buyer.id, .reason = reason};
    struct fo_order_view view;
    struct fo_quote quote;
    fx_begin(fx);
    assert_int_equal(fo_cmd_cancel(fx->store, fx->now, &input, &view, &quote, &fx->detail),
                     FO_ERR_INVALID_REQUEST);
    fx_end(fx);
    assert_string_equal(fx->detail.field, "reason");
    assert_int_equal(fx->detail.problem, FO_FIELD_BAD_LENGTH);
    assert_int_equal(fx_order(fx, placed.order.id).state, FO_STATE_QUEUED);

    reason[FO_REASON_CHARS_MAX] = '\0';
    fx_begin(fx);
    assert_int_equal(fo_cmd_cancel(fx->store, fx->now, &input, &view, &quote, &fx->detail), FO_OK);
    fx_end(fx);
    assert_int_equal(strlen(fx_event_last(fx, placed.order.id).detail), FO_REASON_CHARS_MAX);
    fx_assert_verified(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cancel_in_cooling_off_refunds_everything, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_queued_after_cooling_off_charges_fee, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_cancel_pending_after_cooling_off_refunds_and_allocates_nothing, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_executing_prorates_and_frees_capacity, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_denied_in_each_state_changes_nothing, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_terminal_order_is_not_cancellable, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_quote_changed_guard, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_free_cancels_per_day_window, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_ownership_and_admin, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_checks_reason_length, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
