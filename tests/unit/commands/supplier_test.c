/* The supplier's commands and lease expiry: claim (oldest first, under a lease), progress
 * (monotonic, lease renewed, events coalesced per second), complete and fail (settled,
 * capacity allocated), and fo_cmd_expire_leases at exactly lease_expires_at.
 *
 * Method: a real SQLite store per test (fixture.h); the fixture's clock starts on a round
 * second so that "the same second" is exact. Refusals are checked to change nothing. */
#include "fixture.h"

#define LEASE_MS (FX_LEASE_S * 1000)

static struct fo_order claim_one(struct fixture *fx)
{
    struct fo_order claimed[1];
    assert_int_equal(fx_claim(fx, 1, claimed), 1);
    return claimed[0];
}

static enum fo_err complete(struct fixture *fx, const char *order_id, int64_t delivered,
                            struct fo_order_view *out)
{
    fx_begin(fx);
    enum fo_err err =
        fo_cmd_complete(fx->store, fx->now, fx->supplier.id, order_id, delivered, out, &fx->detail);
    fx_end(fx);
    return err;
}

static enum fo_err fail_job(struct fixture *fx, const char *supplier_id, const char *order_id,
                            int64_t delivered, const char *reason, struct fo_order_view *out)
{
    fx_begin(fx);
    enum fo_err err =
        fo_cmd_fail(fx->store, fx->now, supplier_id, order_id, delivered, reason, out, &fx->detail);
    fx_end(fx);
    return err;
}

static size_t expire(struct fixture *fx, size_t max)
{
    size_t count = 0;
    fx_begin(fx);
    assert_int_equal(fo_cmd_expire_leases(fx->store, fx->now, max, &count), FO_OK);
    fx_end(fx);
    return count;
}

static void test_claim_checks_max(void **state)
{
    struct fixture *fx = *state;
    struct fo_order out[FO_CLAIM_MAX + 1];
    size_t count = 7;
    int64_t bad[] = {0, -1, FO_CLAIM_MAX + 1};
    for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++) {
        fx_begin(fx);
        assert_int_equal(
            fo_cmd_claim(fx->store, fx->now, fx->supplier.id, bad[index], out, &count, &fx->detail),
            FO_ERR_INVALID_REQUEST);
        fx_end(fx);
        assert_string_equal(fx->detail.field, "max");
        assert_int64_equal(fx->detail.range_min, 1);
        assert_int64_equal(fx->detail.range_max, FO_CLAIM_MAX);
        assert_int_equal(count, 0);
    }
    assert_int_equal(fx_claim(fx, FO_CLAIM_MAX, out), 0);
}

static void test_claim_takes_oldest_queued_under_a_lease(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view first = fx_place(fx, 100);
    fx->now += 10;
    struct fo_order_view second = fx_place(fx, 200);
    fx->now += 10;
    struct fo_order_view pending = fx_place(fx, 300);
    fx->now += 1000;
    struct fo_order claimed[FO_CLAIM_MAX];
    assert_int_equal(fx_claim(fx, FO_CLAIM_MAX, claimed), 2);
    assert_string_equal(claimed[0].id, first.order.id);
    assert_string_equal(claimed[1].id, second.order.id);
    for (size_t index = 0; index < 2; index++) {
        assert_int_equal(claimed[index].state, FO_STATE_EXECUTING);
        assert_int64_equal(claimed[index].lease_expires_at_unix_ms, fx->now + LEASE_MS);
        struct fo_order stored = fx_order(fx, claimed[index].id);
        assert_int_equal(stored.state, FO_STATE_EXECUTING);
        assert_int64_equal(stored.lease_expires_at_unix_ms, fx->now + LEASE_MS);
        struct fo_event last = fx_event_last(fx, claimed[index].id);
        assert_int_equal(last.type, FO_EVENT_CLAIMED);
        assert_int_equal(last.actor, FO_ACTOR_SUPPLIER);
        assert_int_equal(last.state, FO_STATE_EXECUTING);
    }
    /* A pending order is not claimable: the supplier is at capacity. */
    assert_int_equal(fx_claim(fx, 1, claimed), 0);
    assert_int_equal(fx_order(fx, pending.order.id).state, FO_STATE_PENDING);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 3000, 3000);
    fx_assert_verified(fx);
}

static void test_progress_renews_lease_and_coalesces_events_per_second(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    claim_one(fx);
    size_t events = fx_events_count(fx, placed.order.id); /* placed, allocated, claimed */
    assert_int_equal(events, 3);
    struct fo_order_view view;

    /* Same second as the claim: the last event is not a progress event, so append. */
    fx->now += 100;
    assert_int_equal(fx_progress(fx, placed.order.id, 10, &view), FO_OK);
    assert_int_equal(fx_events_count(fx, placed.order.id), 4);
    assert_int64_equal(view.order.delivered, 10);
    assert_int64_equal(view.order.lease_expires_at_unix_ms, fx->now + LEASE_MS);
    /* Later in the same second: coalesced, but the order has the latest delivered. */
    fx->now += 899; /* start + 999 */
    assert_int_equal(fx_progress(fx, placed.order.id, 20, &view), FO_OK);
    assert_int_equal(fx_progress(fx, placed.order.id, 20, &view), FO_OK);
    assert_int_equal(fx_events_count(fx, placed.order.id), 4);
    struct fo_order stored = fx_order(fx, placed.order.id);
    assert_int64_equal(stored.delivered, 20);
    assert_int64_equal(stored.lease_expires_at_unix_ms, fx->now + LEASE_MS);
    struct fo_event last = fx_event_last(fx, placed.order.id);
    assert_int_equal(last.type, FO_EVENT_PROGRESS);
    assert_int64_equal(last.delivered, 10);
    /* The next second: a new event. */
    fx->now += 1;
    assert_int_equal(fx_progress(fx, placed.order.id, 30, &view), FO_OK);
    assert_int_equal(fx_events_count(fx, placed.order.id), 5);
    last = fx_event_last(fx, placed.order.id);
    assert_int64_equal(last.delivered, 30);
    assert_int64_equal(last.at_unix_ms, fx->now);
    assert_int_equal(last.actor, FO_ACTOR_SUPPLIER);
    fx_assert_verified(fx);
}

static void test_progress_refusals_change_nothing(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    struct fo_order_view queued = fx_place(fx, 100);
    claim_one(fx);
    struct fo_order_view view;
    assert_int_equal(fx_progress(fx, placed.order.id, 500, &view), FO_OK);
    fx->now += 5000;
    struct fo_order before = fx_order(fx, placed.order.id);
    size_t events_before = fx_events_count(fx, placed.order.id);

    assert_int_equal(fx_progress(fx, placed.order.id, 499, &view), FO_ERR_INVALID_PROGRESS);
    assert_int_equal(fx_progress(fx, placed.order.id, 1001, &view), FO_ERR_INVALID_PROGRESS);
    assert_int_equal(fx_progress(fx, "ord_unknown", 600, &view), FO_ERR_NOT_FOUND);
    /* Another supplier's job does not exist for this one. */
    struct fo_supplier other;
    fx_supplier_create(fx, 1, &other);
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_progress(fx->store, fx->now, other.id, placed.order.id, 600, &view, &fx->detail),
        FO_ERR_NOT_FOUND);
    fx_end(fx);
    struct fo_order after = fx_order(fx, placed.order.id);
    assert_int64_equal(after.delivered, 500);
    assert_int64_equal(after.lease_expires_at_unix_ms, before.lease_expires_at_unix_ms);
    assert_int64_equal(after.updated_at_unix_ms, before.updated_at_unix_ms);
    assert_int_equal(fx_events_count(fx, placed.order.id), events_before);

    /* Not executing: JOB_NOT_ACTIVE, with the order for error.state. */
    memset(&view, 0, sizeof view);
    assert_int_equal(fx_progress(fx, queued.order.id, 1, &view), FO_ERR_JOB_NOT_ACTIVE);
    assert_string_equal(view.order.id, queued.order.id);
    assert_int_equal(view.order.state, FO_STATE_QUEUED);
    assert_int64_equal(fx_order(fx, queued.order.id).delivered, 0);
    assert_int_equal(fx_events_count(fx, queued.order.id), 2);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 5500, 5500);
}

static void test_complete_charges_everything_and_allocates(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    fx_place(fx, 10);
    struct fo_order_view pending = fx_place(fx, 20);
    claim_one(fx);
    struct fo_order_view view;
    assert_int_equal(complete(fx, placed.order.id, 999, &view), FO_ERR_INVALID_PROGRESS);
    assert_int_equal(fx_order(fx, placed.order.id).state, FO_STATE_EXECUTING);
    assert_int_equal(fx_order(fx, pending.order.id).state, FO_STATE_PENDING);

    fx->now += 2000;
    assert_int_equal(complete(fx, placed.order.id, 1000, &view), FO_OK);
    assert_int_equal(view.order.state, FO_STATE_COMPLETED);
    assert_int_equal(view.order.settlement.reason, FO_REASON_COMPLETED);
    assert_int64_equal(view.order.settlement.split.charged_minor, 5000);
    assert_int64_equal(view.order.settlement.split.refund_minor, 0);
    assert_int64_equal(view.order.delivered, 1000);
    assert_int_equal(view.quote.reason, FO_REASON_ALREADY_COMPLETED);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 5150, 150);
    struct fo_event last = fx_event_last(fx, placed.order.id);
    assert_int_equal(last.type, FO_EVENT_COMPLETED);
    assert_int_equal(last.actor, FO_ACTOR_SUPPLIER);
    assert_int_equal(last.state, FO_STATE_COMPLETED);
    assert_int_equal(fx_order(fx, pending.order.id).state, FO_STATE_QUEUED);
    /* Completing again: the job is no longer active. */
    assert_int_equal(complete(fx, placed.order.id, 1000, &view), FO_ERR_JOB_NOT_ACTIVE);
    assert_int_equal(view.order.state, FO_STATE_COMPLETED);
    fx_assert_verified(fx);
}

static void test_fail_charges_delivered_and_refunds_rest(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    claim_one(fx);
    struct fo_order_view view;
    assert_int_equal(fx_progress(fx, placed.order.id, 250, &view), FO_OK);
    char reason[FO_REASON_CHARS_MAX + 2];
    memset(reason, 'z', sizeof reason - 1);
    reason[sizeof reason - 1] = '\0';
    assert_int_equal(fail_job(fx, fx->supplier.id, placed.order.id, 300, reason, &view),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(fx->detail.field, "reason");
    assert_int_equal(fail_job(fx, fx->supplier.id, placed.order.id, 200, "x", &view),
                     FO_ERR_INVALID_PROGRESS);
    assert_int_equal(fx_order(fx, placed.order.id).state, FO_STATE_EXECUTING);

    assert_int_equal(fail_job(fx, fx->supplier.id, placed.order.id, 300, "out of stock", &view),
                     FO_OK);
    assert_int_equal(view.order.state, FO_STATE_FAILED);
    assert_int_equal(view.order.settlement.reason, FO_REASON_SUPPLIER_FAILED);
    /* charged = floor(5000 * 300 / 1000) = 1500, no fee. */
    assert_int64_equal(view.order.settlement.split.charged_minor, 1500);
    assert_int64_equal(view.order.settlement.split.fee_minor, 0);
    assert_int64_equal(view.order.settlement.split.refund_minor, 3500);
    assert_int64_equal(view.order.delivered, 300);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 1500, 0);
    struct fo_event last = fx_event_last(fx, placed.order.id);
    assert_int_equal(last.type, FO_EVENT_FAILED);
    assert_int_equal(last.actor, FO_ACTOR_SUPPLIER);
    assert_string_equal(last.detail, "out of stock");
    assert_int64_equal(fx_entry_last(fx, fx->buyer.id).amount_minor, 3500);
    fx_assert_verified(fx);
}

static void test_expire_fails_at_exactly_lease_expires_at(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    fx_place(fx, 10);
    struct fo_order_view pending = fx_place(fx, 10);
    struct fo_order job = claim_one(fx);
    struct fo_order_view view;
    fx->now += 3000;
    assert_int_equal(fx_progress(fx, placed.order.id, 101, &view), FO_OK);
    int64_t expires_at = fx->now + LEASE_MS;

    fx->now = expires_at - 1;
    assert_int_equal(expire(fx, 10), 0);
    assert_int_equal(fx_order(fx, job.id).state, FO_STATE_EXECUTING);
    fx->now = expires_at;
    assert_int_equal(expire(fx, 10), 1);
    struct fo_order failed = fx_order(fx, job.id);
    assert_int_equal(failed.state, FO_STATE_FAILED);
    assert_int_equal(failed.settlement.reason, FO_REASON_SUPPLIER_TIMEOUT);
    /* charged = floor(5000 * 101 / 1000) = 505. */
    assert_int64_equal(failed.settlement.split.charged_minor, 505);
    assert_int64_equal(failed.settlement.split.fee_minor, 0);
    assert_int64_equal(failed.settlement.split.refund_minor, 4495);
    assert_int64_equal(failed.settlement.at_unix_ms, expires_at);
    struct fo_event last = fx_event_last(fx, job.id);
    assert_int_equal(last.type, FO_EVENT_FAILED);
    assert_int_equal(last.actor, FO_ACTOR_SYSTEM);
    assert_string_equal(last.detail, "lease expired");
    assert_int_equal(fx_order(fx, pending.order.id).state, FO_STATE_QUEUED);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR - 505 - 100, 100);
    /* Nothing left to expire; the late supplier is told to stop. */
    assert_int_equal(expire(fx, 10), 0);
    assert_int_equal(fx_progress(fx, job.id, 200, &view), FO_ERR_JOB_NOT_ACTIVE);
    assert_int_equal(view.order.state, FO_STATE_FAILED);
    fx_assert_verified(fx);
}

static void test_expire_respects_max_and_pages(void **state)
{
    struct fixture *fx = *state;
    struct fo_supplier big;
    fx_supplier_create(fx, 100, &big);
    struct fo_service service;
    fx_service_create(fx, &fx->policy, &big, &service);
    for (int index = 0; index < 40; index++) {
        struct fo_order_view view;
        assert_int_equal(fx_place_on(fx, fx->buyer.id, service.id, 10, &view), FO_OK);
    }
    struct fo_order claimed[FO_CLAIM_MAX];
    size_t count = 0;
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_claim(fx->store, fx->now, big.id, FO_CLAIM_MAX, claimed, &count, &fx->detail),
        FO_OK);
    fx_end(fx);
    assert_int_equal(count, 40);
    fx->now += LEASE_MS;
    assert_int_equal(expire(fx, 25), 25);
    assert_int_equal(expire(fx, 25), 15);
    assert_int_equal(expire(fx, 25), 0);
    fx_assert_wallet(fx, fx->buyer.id, FX_TOPUP_MINOR, 0);
    fx_assert_verified(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_claim_checks_max, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_claim_takes_oldest_queued_under_a_lease, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_progress_renews_lease_and_coalesces_events_per_second,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_progress_refusals_change_nothing, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_complete_charges_everything_and_allocates, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_fail_charges_delivered_and_refunds_rest, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_expire_fails_at_exactly_lease_expires_at, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_expire_respects_max_and_pages, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
