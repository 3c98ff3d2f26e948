/* Store contract: orders.
 *
 * Property: an order round-trips every field in every state, its policy snapshot included
 * (and unchanged when its service later switches policy); updates write exactly the
 * mutable fields; every list comes in its documented order, honours its filter and resumes
 * exactly at its cursor; expired leases include lease == now; the cancel count window is
 * (since, until]; and the schema refuses what would break an order's invariants (delivered
 * beyond quantity or decreasing, an illegal transition, a changed terminal order, a
 * settlement that does not add up, an amount that is not quantity * price, a reference to
 * an unknown row) with FO_ERR_INTERNAL, keeping the stored order. Method: a fresh seeded
 * database per test (store_fixture.h), exact values. */
#include <stdio.h>
#include <string.h>

#include "store/store_fixture.h"

/* Run one write in its own batch, expecting `expected`; a refused command is undone. */
#define WRITE_EXPECT(store, call, expected)                                          \
    do {                                                                             \
        fo_fixture_begin(store);                                                     \
        assert_int_equal((call), (expected));                                        \
        assert_int_equal(fo_store_command_end((store), (expected) == FO_OK), FO_OK); \
        assert_int_equal(fo_store_batch_commit(store), FO_OK);                       \
    } while (0)

static struct fo_order get_order(struct fo_store *store, const char *id)
{
    struct fo_order order;
    assert_int_equal(fo_store_order_get(store, id, &order), FO_OK);
    return order;
}

/* An order `id` in `state`, placed at T0 + offset_ms, inserted. */
static struct fo_order insert_at(struct fo_store *store, const char *id, enum fo_state state,
                                 int64_t offset_ms)
{
    struct fo_order order;
    fo_fixture_order(id, state, &order);
    order.placed_at_unix_ms += offset_ms;
    order.updated_at_unix_ms += offset_ms;
    if (order.settled) {
        order.settlement.at_unix_ms += offset_ms;
    }
    if (state == FO_STATE_EXECUTING) {
        order.lease_expires_at_unix_ms += offset_ms;
    }
    fo_fixture_insert_order(store, &order);
    return order;
}

static void assert_ids(const struct fo_order *orders, size_t count, const char *const *ids,
                       size_t ids_count)
{
    assert_int_equal(count, ids_count);
    for (size_t index = 0; index < count; index++) {
        assert_string_equal(orders[index].id, ids[index]);
    }
}
#define ASSERT_IDS(orders, count, ...)                                                             \
    do {                                                                                           \
        const char *const expected_ids[] = {__VA_ARGS__};                                          \
        assert_ids((orders), (count), expected_ids, sizeof expected_ids / sizeof expected_ids[0]); \
    } while (0)

/* --- Round trips ----------------------------------------------------------------------- */

static void test_order_insert_sets_seq_and_round_trips_in_every_state(void **state)
{
    struct fo_fixture *fixture = *state;
    const enum fo_state states[] = {FO_STATE_PENDING,   FO_STATE_QUEUED,    FO_STATE_EXECUTING,
                                    FO_STATE_COMPLETED, FO_STATE_CANCELLED, FO_STATE_FAILED};
    for (size_t index = 0; index < 6; index++) {
        char id[16];
        snprintf(id, sizeof id, "ord_%zu", index + 1);
        struct fo_order order;
        fo_fixture_order(id, states[index], &order);
        snprintf(order.target, sizeof order.target, "%s", "玩家-12345 ✓");
        fo_fixture_insert_order(fixture->store, &order);
        assert_int64_equal(order.seq, (int64_t)index + 1);
        struct fo_order read = get_order(fixture->store, id);
        fo_fixture_assert_order_equal(&read, &order);
    }
    struct fo_order read = get_order(fixture->store, "ord_3");
    assert_int64_equal(read.lease_expires_at_unix_ms, FO_FIXTURE_T0_UNIX_MS + 300000);
    read = get_order(fixture->store, "ord_6");
    assert_true(read.settled);
    assert_int_equal(read.settlement.reason, FO_REASON_SUPPLIER_TIMEOUT);
    assert_int64_equal(read.settlement.split.charged_minor, 1250);
    assert_int64_equal(read.settlement.split.fee_minor, 0);
    assert_int64_equal(read.settlement.split.refund_minor, 3750);
    assert_int64_equal(read.settlement.at_unix_ms, FO_FIXTURE_T0_UNIX_MS + 1000);
}

static void test_order_every_cancel_reason_round_trips(void **state)
{
    struct fo_fixture *fixture = *state;
    const enum fo_reason reasons[] = {FO_REASON_COOLING_OFF, FO_REASON_PENDING_FULL_REFUND,
                                      FO_REASON_QUEUED_FULL_REFUND, FO_REASON_QUEUED_WITH_FEE,
                                      FO_REASON_EXECUTING_PRORATED};
    for (size_t index = 0; index < 5; index++) {
        char id[16];
        snprintf(id, sizeof id, "ord_%zu", index + 1);
        struct fo_order order;
        fo_fixture_order(id, FO_STATE_CANCELLED, &order);
        order.settlement.reason = reasons[index];
        if (reasons[index] != FO_REASON_QUEUED_WITH_FEE) {
            order.settlement.split.fee_minor = 0;
            order.settlement.split.refund_minor = 5000;
        }
        if (reasons[index] == FO_REASON_EXECUTING_PRORATED) {
            order.delivered = 250;
            order.settlement.split = (struct fo_split){1250, 125, 3625};
        }
        fo_fixture_insert_order(fixture->store, &order);
        struct fo_order read = get_order(fixture->store, id);
        fo_fixture_assert_order_equal(&read, &order);
    }
}

static void test_order_extreme_values_round_trip(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_COMPLETED, &order);
    order.quantity = 1000000;
    order.delivered = 1000000;
    order.unit_price_minor = 1000000000;
    order.amount_minor = FO_AMOUNT_MINOR_MAX;
    order.settlement.split = (struct fo_split){FO_AMOUNT_MINOR_MAX, 0, 0};
    char target[FO_TARGET_BYTES];
    for (size_t index = 0; index < FO_TARGET_CHARS_MAX; index++) {
        memcpy(target + index * 3, "界", 3); /* 128 code points of 3 bytes. */
    }
    target[FO_TARGET_CHARS_MAX * 3] = '\0';
    snprintf(order.target, sizeof order.target, "%s", target);
    fo_fixture_insert_order(fixture->store, &order);
    struct fo_order read = get_order(fixture->store, "ord_1");
    fo_fixture_assert_order_equal(&read, &order);
}

static void test_order_unknown_is_not_found(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order read;
    assert_int_equal(fo_store_order_get(fixture->store, "ord_9", &read), FO_ERR_NOT_FOUND);
    struct fo_order order;
    fo_fixture_order("ord_9", FO_STATE_QUEUED, &order);
    WRITE_EXPECT(fixture->store, fo_store_order_update(fixture->store, &order, FO_STATE_QUEUED),
                 FO_ERR_NOT_FOUND);
    /* The update finds the row by its seq and checks its id: another order's row with an
     * unknown id is not found, and that order stays as it was. */
    struct fo_order other = insert_at(fixture->store, "ord_1", FO_STATE_QUEUED, 0);
    order.seq = other.seq;
    order.delivered = 0;
    order.state = FO_STATE_CANCELLED;
    WRITE_EXPECT(fixture->store, fo_store_order_update(fixture->store, &order, FO_STATE_QUEUED),
                 FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_order_get(fixture->store, "ord_1", &read), FO_OK);
    assert_int_equal(read.state, FO_STATE_QUEUED);
}

static void test_order_keeps_its_policy_snapshot_when_the_service_changes(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order = insert_at(fixture->store, "ord_1", FO_STATE_PENDING, 0);
    struct fo_policy stricter;
    fo_fixture_policy(2, &stricter);
    stricter.pending = FO_PENDING_DENY;
    stricter.fee_bps = 5000;
    fo_fixture_insert_policy(fixture->store, &stricter);
    struct fo_service service;
    fo_fixture_service(1, &service);
    snprintf(service.policy_id, sizeof service.policy_id, "%s", "pol_2");
    WRITE_EXPECT(fixture->store, fo_store_service_update(fixture->store, &service), FO_OK);

    struct fo_order later;
    fo_fixture_order("ord_2", FO_STATE_PENDING, &later);
    later.policy = stricter;
    fo_fixture_insert_order(fixture->store, &later);

    struct fo_order read = get_order(fixture->store, "ord_1");
    fo_fixture_assert_policy_equal(&read.policy, &order.policy);
    assert_int_equal(read.policy.pending, FO_PENDING_FULL_REFUND);
    read = get_order(fixture->store, "ord_2");
    fo_fixture_assert_policy_equal(&read.policy, &stricter);
}

/* --- Updates --------------------------------------------------------------------------- */

static void update_ok(struct fo_store *store, const struct fo_order *order, enum fo_state from)
{
    WRITE_EXPECT(store, fo_store_order_update(store, order, from), FO_OK);
    struct fo_order read = get_order(store, order->id);
    fo_fixture_assert_order_equal(&read, order);
}

static void test_order_update_walks_the_lifecycle(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order = insert_at(fixture->store, "ord_1", FO_STATE_PENDING, 0);
    order.state = FO_STATE_QUEUED;
    order.updated_at_unix_ms += 10;
    update_ok(fixture->store, &order, FO_STATE_PENDING);
    order.state = FO_STATE_EXECUTING;
    order.updated_at_unix_ms += 10;
    order.lease_expires_at_unix_ms = order.updated_at_unix_ms + 300000;
    update_ok(fixture->store, &order, FO_STATE_QUEUED);
    order.delivered = 400;
    order.updated_at_unix_ms += 10;
    order.lease_expires_at_unix_ms += 10;
    update_ok(fixture->store, &order, FO_STATE_EXECUTING);
    order.state = FO_STATE_COMPLETED;
    order.delivered = 1000;
    order.updated_at_unix_ms += 10;
    order.lease_expires_at_unix_ms = 0;
    order.settled = true;
    order.settlement =
        (struct fo_settlement){FO_REASON_COMPLETED, {5000, 0, 0}, order.updated_at_unix_ms};
    update_ok(fixture->store, &order, FO_STATE_EXECUTING);
}

static void test_order_update_ignores_the_fixed_terms(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order = insert_at(fixture->store, "ord_1", FO_STATE_PENDING, 0);
    struct fo_order change = order;
    change.state = FO_STATE_QUEUED;
    change.quantity = 2;
    change.amount_minor = 10;
    snprintf(change.target, sizeof change.target, "%s", "other");
    snprintf(change.buyer_id, sizeof change.buyer_id, "%s", "byr_2");
    WRITE_EXPECT(fixture->store, fo_store_order_update(fixture->store, &change, FO_STATE_PENDING),
                 FO_OK);
    order.state = FO_STATE_QUEUED;
    struct fo_order read = get_order(fixture->store, "ord_1");
    fo_fixture_assert_order_equal(&read, &order);
}

/* Expect `change` to be refused and the stored order to stay `stored`. */
static void update_refused(struct fo_store *store, const struct fo_order *change,
                           const struct fo_order *stored)
{
    WRITE_EXPECT(store, fo_store_order_update(store, change, stored->state), FO_ERR_INTERNAL);
    struct fo_order read = get_order(store, stored->id);
    fo_fixture_assert_order_equal(&read, stored);
}

static void test_order_delivered_beyond_quantity_or_decreasing_is_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order = insert_at(fixture->store, "ord_1", FO_STATE_EXECUTING, 0);
    struct fo_order change = order;
    change.delivered = order.quantity + 1;
    update_refused(fixture->store, &change, &order);
    change.delivered = order.delivered - 1;
    update_refused(fixture->store, &change, &order);
    change.delivered = -1;
    update_refused(fixture->store, &change, &order);
    change.delivered = order.quantity; /* At the bound: fine. */
    update_ok(fixture->store, &change, order.state);
}

static void test_order_illegal_transitions_are_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order pending = insert_at(fixture->store, "ord_1", FO_STATE_PENDING, 0);
    struct fo_order change = pending;
    change.state = FO_STATE_EXECUTING; /* Skips queued. */
    change.lease_expires_at_unix_ms = FO_FIXTURE_T0_UNIX_MS + 300000;
    update_refused(fixture->store, &change, &pending);

    struct fo_order queued = insert_at(fixture->store, "ord_2", FO_STATE_QUEUED, 0);
    change = queued;
    change.state = FO_STATE_PENDING; /* Backwards. */
    update_refused(fixture->store, &change, &queued);

    struct fo_order queued_to_completed;
    fo_fixture_order("ord_2", FO_STATE_COMPLETED, &queued_to_completed);
    queued_to_completed.seq = queued.seq;
    update_refused(fixture->store, &queued_to_completed, &queued);
}

static void test_order_terminal_orders_never_change(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order done = insert_at(fixture->store, "ord_1", FO_STATE_CANCELLED, 0);
    struct fo_order change = done;
    change.updated_at_unix_ms += 1;
    update_refused(fixture->store, &change, &done);
    change = done;
    change.settlement.split.fee_minor = 0;
    change.settlement.split.refund_minor = 5000;
    update_refused(fixture->store, &change, &done);
    change = done;
    change.state = FO_STATE_FAILED;
    change.settlement.reason = FO_REASON_SUPPLIER_FAILED;
    change.settlement.split = (struct fo_split){0, 0, 5000};
    update_refused(fixture->store, &change, &done);
}

static void test_order_settlement_must_match_state_and_amount(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order executing = insert_at(fixture->store, "ord_1", FO_STATE_EXECUTING, 0);
    struct fo_order change = executing;
    change.state = FO_STATE_CANCELLED;
    change.lease_expires_at_unix_ms = 0;
    change.settled = true;
    change.settlement = (struct fo_settlement){
        FO_REASON_EXECUTING_PRORATED, {1250, 125, 3626}, FO_FIXTURE_T0_UNIX_MS + 5};
    update_refused(fixture->store, &change, &executing); /* Sums to 5001. */
    change.settled = false;
    update_refused(fixture->store, &change, &executing); /* Terminal without settlement. */
    change.settled = true;
    change.settlement.split = (struct fo_split){1250, 125, 3625};
    change.settlement.reason = FO_REASON_SUPPLIER_FAILED; /* Not a cancel reason. */
    update_refused(fixture->store, &change, &executing);
    change.settlement.reason = FO_REASON_EXECUTING_PRORATED;
    change.lease_expires_at_unix_ms = executing.lease_expires_at_unix_ms; /* Lease kept. */
    update_refused(fixture->store, &change, &executing);
    change.lease_expires_at_unix_ms = 0;
    update_ok(fixture->store, &change, executing.state);

    struct fo_order open;
    fo_fixture_order("ord_2", FO_STATE_QUEUED, &open);
    open.settled = true; /* A settlement while open. */
    open.settlement = (struct fo_settlement){FO_REASON_QUEUED_FULL_REFUND, {0, 0, 5000}, 1};
    WRITE_EXPECT(fixture->store, fo_store_order_insert(fixture->store, &open), FO_ERR_INTERNAL);
}

static void test_order_insert_refuses_broken_terms(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    order.amount_minor = 4999; /* Not quantity * unit price. */
    WRITE_EXPECT(store, fo_store_order_insert(store, &order), FO_ERR_INTERNAL);
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    order.quantity = FO_QUANTITY_MAX + 1;
    order.amount_minor = order.quantity * order.unit_price_minor;
    WRITE_EXPECT(store, fo_store_order_insert(store, &order), FO_ERR_INTERNAL);
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    order.delivered = 1; /* Pending orders have delivered nothing. */
    WRITE_EXPECT(store, fo_store_order_insert(store, &order), FO_ERR_INTERNAL);
    fo_fixture_order("ord_1", FO_STATE_EXECUTING, &order);
    order.lease_expires_at_unix_ms = 0; /* Executing without a lease. */
    WRITE_EXPECT(store, fo_store_order_insert(store, &order), FO_ERR_INTERNAL);
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    snprintf(order.buyer_id, sizeof order.buyer_id, "%s", "byr_9");
    WRITE_EXPECT(store, fo_store_order_insert(store, &order), FO_ERR_INTERNAL);
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    snprintf(order.policy.id, sizeof order.policy.id, "%s", "pol_9");
    WRITE_EXPECT(store, fo_store_order_insert(store, &order), FO_ERR_INTERNAL);
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    snprintf(order.service_id, sizeof order.service_id, "%s", "svc_9");
    WRITE_EXPECT(store, fo_store_order_insert(store, &order), FO_ERR_INTERNAL);
    struct fo_order read;
    assert_int_equal(fo_store_order_get(store, "ord_1", &read), FO_ERR_NOT_FOUND);

    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    fo_fixture_insert_order(store, &order);
    struct fo_order duplicate;
    fo_fixture_order("ord_1", FO_STATE_QUEUED, &duplicate);
    WRITE_EXPECT(store, fo_store_order_insert(store, &duplicate), FO_ERR_INTERNAL);
    read = get_order(store, "ord_1");
    fo_fixture_assert_order_equal(&read, &order);
}

/* --- Lists ----------------------------------------------------------------------------- */

/* ord_1..ord_6 alternating buyers, states pending, queued, executing, cancelled, pending,
 * completed; ord_2, ord_4 and ord_6 are byr_2's. */
static void insert_mixed_orders(struct fo_store *store)
{
    const enum fo_state states[] = {FO_STATE_PENDING,   FO_STATE_QUEUED,  FO_STATE_EXECUTING,
                                    FO_STATE_CANCELLED, FO_STATE_PENDING, FO_STATE_COMPLETED};
    for (size_t index = 0; index < 6; index++) {
        char id[16];
        snprintf(id, sizeof id, "ord_%zu", index + 1);
        struct fo_order order;
        fo_fixture_order(id, states[index], &order);
        snprintf(order.buyer_id, sizeof order.buyer_id, "byr_%zu", index % 2 + 1);
        fo_fixture_insert_order(store, &order);
    }
}

static void test_order_list_newest_first_with_cursor(void **state)
{
    struct fo_fixture *fixture = *state;
    insert_mixed_orders(fixture->store);
    struct fo_order page[4];
    size_t count = 0;
    struct fo_order_filter filter = {0};
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_6", "ord_5", "ord_4", "ord_3");
    fo_fixture_assert_policy_equal(&page[0].policy, &page[3].policy);
    filter.before_seq = page[3].seq;
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_2", "ord_1");
    filter.before_seq = page[1].seq;
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 4, &count), FO_OK);
    assert_int_equal(count, 0);
}

static void test_order_list_filters_by_buyer_state_and_both(void **state)
{
    struct fo_fixture *fixture = *state;
    insert_mixed_orders(fixture->store);
    struct fo_order page[6];
    size_t count = 0;
    struct fo_order_filter filter = {.buyer_id = "byr_1"};
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 6, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_5", "ord_3", "ord_1");
    filter.before_seq = page[0].seq;
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 1, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_3");

    filter = (struct fo_order_filter){.has_state = true, .state = FO_STATE_PENDING};
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 6, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_5", "ord_1");
    filter.state = FO_STATE_COMPLETED;
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 6, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_6");
    assert_true(page[0].settled);

    filter =
        (struct fo_order_filter){.buyer_id = "byr_2", .has_state = true, .state = FO_STATE_QUEUED};
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 6, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_2");
    filter.state = FO_STATE_PENDING;
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 6, &count), FO_OK);
    assert_int_equal(count, 0);
    filter = (struct fo_order_filter){.buyer_id = "byr_9"};
    assert_int_equal(fo_store_order_list(fixture->store, &filter, page, 6, &count), FO_OK);
    assert_int_equal(count, 0);
}

static void test_order_oldest_per_supplier_and_state(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_supplier other;
    fo_fixture_supplier(2, &other);
    fo_fixture_insert_supplier(fixture->store, &other);
    insert_mixed_orders(fixture->store);
    struct fo_order elsewhere;
    fo_fixture_order("ord_7", FO_STATE_PENDING, &elsewhere);
    snprintf(elsewhere.supplier_id, sizeof elsewhere.supplier_id, "%s", "sup_2");
    fo_fixture_insert_order(fixture->store, &elsewhere);
    insert_at(fixture->store, "ord_8", FO_STATE_PENDING, 5);

    struct fo_order page[4];
    size_t count = 0;
    assert_int_equal(
        fo_store_order_oldest(fixture->store, "sup_1", FO_STATE_PENDING, page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_1", "ord_5", "ord_8");
    assert_int_equal(
        fo_store_order_oldest(fixture->store, "sup_1", FO_STATE_PENDING, page, 2, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_1", "ord_5");
    assert_int_equal(
        fo_store_order_oldest(fixture->store, "sup_1", FO_STATE_QUEUED, page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_2");
    assert_int_equal(
        fo_store_order_oldest(fixture->store, "sup_2", FO_STATE_PENDING, page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_7");
    assert_int_equal(
        fo_store_order_oldest(fixture->store, "sup_2", FO_STATE_QUEUED, page, 4, &count), FO_OK);
    assert_int_equal(count, 0);
}

static void test_order_executing_per_supplier_oldest_first(void **state)
{
    struct fo_fixture *fixture = *state;
    insert_at(fixture->store, "ord_1", FO_STATE_EXECUTING, 0);
    insert_at(fixture->store, "ord_2", FO_STATE_QUEUED, 0);
    insert_at(fixture->store, "ord_3", FO_STATE_EXECUTING, -50000); /* Older lease, newer seq. */
    insert_at(fixture->store, "ord_4", FO_STATE_FAILED, 0);
    struct fo_order page[4];
    size_t count = 0;
    assert_int_equal(fo_store_order_executing(fixture->store, "sup_1", page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_1", "ord_3");
    assert_int64_equal(page[0].delivered, 250);
    assert_int_equal(fo_store_order_executing(fixture->store, "sup_1", page, 1, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_1");
    assert_int_equal(fo_store_order_executing(fixture->store, "sup_2", page, 4, &count), FO_OK);
    assert_int_equal(count, 0);
}

static void test_order_expired_includes_lease_equal_to_now(void **state)
{
    struct fo_fixture *fixture = *state;
    const int64_t lease = FO_FIXTURE_T0_UNIX_MS + 300000;            /* Of an order placed at T0. */
    insert_at(fixture->store, "ord_1", FO_STATE_EXECUTING, 0);       /* lease */
    insert_at(fixture->store, "ord_2", FO_STATE_EXECUTING, 1);       /* lease + 1 */
    insert_at(fixture->store, "ord_3", FO_STATE_EXECUTING, -1000);   /* lease - 1000 */
    insert_at(fixture->store, "ord_4", FO_STATE_EXECUTING, 0);       /* lease */
    insert_at(fixture->store, "ord_5", FO_STATE_QUEUED, -900000);    /* no lease */
    insert_at(fixture->store, "ord_6", FO_STATE_COMPLETED, -900000); /* no lease */
    struct fo_order page[6];
    size_t count = 0;
    assert_int_equal(fo_store_order_expired(fixture->store, lease - 1001, page, 6, &count), FO_OK);
    assert_int_equal(count, 0);
    assert_int_equal(fo_store_order_expired(fixture->store, lease - 1000, page, 6, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_3");
    assert_int_equal(fo_store_order_expired(fixture->store, lease, page, 6, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_3", "ord_1", "ord_4");
    assert_int_equal(fo_store_order_expired(fixture->store, lease + 1, page, 6, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_3", "ord_1", "ord_4", "ord_2");
    assert_int_equal(fo_store_order_expired(fixture->store, lease + 1, page, 2, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_3", "ord_1");
}

static void test_order_scan_in_seq_order_with_cursor(void **state)
{
    struct fo_fixture *fixture = *state;
    insert_mixed_orders(fixture->store);
    struct fo_order page[4];
    size_t count = 0;
    assert_int_equal(fo_store_order_scan(fixture->store, 0, page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_1", "ord_2", "ord_3", "ord_4");
    assert_int_equal(fo_store_order_scan(fixture->store, page[3].seq, page, 4, &count), FO_OK);
    ASSERT_IDS(page, count, "ord_5", "ord_6");
    assert_int_equal(fo_store_order_scan(fixture->store, page[1].seq, page, 4, &count), FO_OK);
    assert_int_equal(count, 0);
}

/* --- Cancel counting ------------------------------------------------------------------- */

/* A cancellation of `buyer_id` settled at exactly `at`; a failure when `failed`. */
static void insert_settled_at(struct fo_store *store, const char *id, const char *buyer_id,
                              int64_t at, bool failed)
{
    struct fo_order order;
    fo_fixture_order(id, failed ? FO_STATE_FAILED : FO_STATE_CANCELLED, &order);
    snprintf(order.buyer_id, sizeof order.buyer_id, "%s", buyer_id);
    order.settlement.at_unix_ms = at;
    order.updated_at_unix_ms = at;
    fo_fixture_insert_order(store, &order);
}

static void test_cancels_count_window_is_since_exclusive_until_inclusive(void **state)
{
    struct fo_fixture *fixture = *state;
    const int64_t since = FO_FIXTURE_T0_UNIX_MS;
    const int64_t until = since + FO_CANCEL_WINDOW_MS;
    insert_settled_at(fixture->store, "ord_1", "byr_1", since, false);
    insert_settled_at(fixture->store, "ord_2", "byr_1", since + 1, false);
    insert_settled_at(fixture->store, "ord_3", "byr_1", until - 1, false);
    insert_settled_at(fixture->store, "ord_4", "byr_1", until, false);
    insert_settled_at(fixture->store, "ord_5", "byr_1", until + 1, false);
    insert_settled_at(fixture->store, "ord_6", "byr_2", until, false); /* Other buyer. */
    insert_settled_at(fixture->store, "ord_7", "byr_1", until, true);  /* A failure. */
    insert_at(fixture->store, "ord_8", FO_STATE_PENDING, 0);           /* Open. */

    int64_t count = -1;
    assert_int_equal(fo_store_cancels_count(fixture->store, "byr_1", since, until, 1000, &count),
                     FO_OK);
    assert_int64_equal(count, 3);
    assert_int_equal(
        fo_store_cancels_count(fixture->store, "byr_1", since - 1, until, 1000, &count), FO_OK);
    assert_int64_equal(count, 4);
    assert_int_equal(
        fo_store_cancels_count(fixture->store, "byr_1", since, until + 1, 1000, &count), FO_OK);
    assert_int64_equal(count, 4);
    assert_int_equal(fo_store_cancels_count(fixture->store, "byr_1", until, until, 1000, &count),
                     FO_OK);
    assert_int64_equal(count, 0);
    assert_int_equal(fo_store_cancels_count(fixture->store, "byr_2", since, until, 1000, &count),
                     FO_OK);
    assert_int64_equal(count, 1);
    assert_int_equal(fo_store_cancels_count(fixture->store, "byr_9", since, until, 1000, &count),
                     FO_OK);
    assert_int64_equal(count, 0);
    /* Counting stops at count_max. */
    assert_int_equal(fo_store_cancels_count(fixture->store, "byr_1", since - 1, until, 2, &count),
                     FO_OK);
    assert_int64_equal(count, 2);
}

static void test_cancels_count_sees_a_cancel_written_by_update(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order = insert_at(fixture->store, "ord_1", FO_STATE_QUEUED, 0);
    int64_t count = -1;
    const int64_t at = FO_FIXTURE_T0_UNIX_MS + 60000;
    assert_int_equal(fo_store_cancels_count(fixture->store, "byr_1", at - 1, at, 1000, &count),
                     FO_OK);
    assert_int64_equal(count, 0);
    order.state = FO_STATE_CANCELLED;
    order.updated_at_unix_ms = at;
    order.settled = true;
    order.settlement = (struct fo_settlement){FO_REASON_COOLING_OFF, {0, 0, 5000}, at};
    update_ok(fixture->store, &order, FO_STATE_QUEUED);
    assert_int_equal(fo_store_cancels_count(fixture->store, "byr_1", at - 1, at, 1000, &count),
                     FO_OK);
    assert_int64_equal(count, 1);
}

/* --- In-flight count under random lifecycles ------------------------------------------ */

#define RANDOM_ORDERS_COUNT 24
#define RANDOM_STEPS_COUNT  400

/* Move `order` one legal step forward (chosen by `roll`), as a command would write it. */
static void random_step(struct fo_order *order, uint64_t roll, int64_t now_unix_ms)
{
    order->updated_at_unix_ms = now_unix_ms;
    bool cancel = roll % 4 == 0;
    if (cancel) {
        bool executing = order->state == FO_STATE_EXECUTING;
        order->state = FO_STATE_CANCELLED;
        order->lease_expires_at_unix_ms = 0;
        order->settled = true;
        order->settlement.reason = executing ? FO_REASON_EXECUTING_PRORATED : FO_REASON_COOLING_OFF;
        order->settlement.split =
            (struct fo_split){order->delivered * 5, 0, order->amount_minor - order->delivered * 5};
        order->settlement.at_unix_ms = now_unix_ms;
        return;
    }
    if (order->state == FO_STATE_PENDING) {
        order->state = FO_STATE_QUEUED;
    } else if (order->state == FO_STATE_QUEUED) {
        order->state = FO_STATE_EXECUTING;
        order->lease_expires_at_unix_ms = now_unix_ms + 300000;
    } else if (roll % 3 == 0) {
        order->delivered = order->quantity;
        order->state = FO_STATE_COMPLETED;
        order->lease_expires_at_unix_ms = 0;
        order->settled = true;
        order->settlement =
            (struct fo_settlement){FO_REASON_COMPLETED, {order->amount_minor, 0, 0}, now_unix_ms};
    } else if (roll % 3 == 1) {
        order->state = FO_STATE_FAILED;
        order->lease_expires_at_unix_ms = 0;
        order->settled = true;
        order->settlement = (struct fo_settlement){
            FO_REASON_SUPPLIER_FAILED,
            {order->delivered * 5, 0, order->amount_minor - order->delivered * 5},
            now_unix_ms};
    } else {
        order->delivered += order->delivered < order->quantity ? 1 : 0;
    }
}

/* Queued + executing orders of the supplier, counted through the lists. */
static int64_t listed_in_flight(struct fo_store *store, const char *supplier_id)
{
    static struct fo_order page[RANDOM_ORDERS_COUNT];
    size_t queued = 0;
    size_t executing = 0;
    assert_int_equal(fo_store_order_oldest(store, supplier_id, FO_STATE_QUEUED, page,
                                           RANDOM_ORDERS_COUNT, &queued),
                     FO_OK);
    assert_int_equal(
        fo_store_order_executing(store, supplier_id, page, RANDOM_ORDERS_COUNT, &executing), FO_OK);
    return (int64_t)(queued + executing);
}

/* Pending orders of the supplier, counted through the list. */
static int64_t listed_pending(struct fo_store *store, const char *supplier_id)
{
    static struct fo_order page[RANDOM_ORDERS_COUNT];
    size_t count = 0;
    assert_int_equal(fo_store_order_oldest(store, supplier_id, FO_STATE_PENDING, page,
                                           RANDOM_ORDERS_COUNT, &count),
                     FO_OK);
    return (int64_t)count;
}

static void test_supplier_in_flight_follows_random_lifecycles(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    struct fo_supplier other;
    fo_fixture_supplier(2, &other);
    fo_fixture_insert_supplier(store, &other);
    uint64_t random = fo_test_seed("test_supplier_in_flight_follows_random_lifecycles");
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    static struct fo_order orders[RANDOM_ORDERS_COUNT];
    for (int index = 0; index < RANDOM_ORDERS_COUNT; index++) {
        char id[16];
        snprintf(id, sizeof id, "ord_%d", index + 1);
        enum fo_state start = (enum fo_state)fo_test_random_range(&random, 0, 2);
        fo_fixture_order(id, start, &orders[index]);
        snprintf(orders[index].supplier_id, sizeof orders[index].supplier_id, "sup_%d",
                 index % 2 + 1);
        fo_fixture_insert_order(store, &orders[index]);
    }
    for (int step = 0; step < RANDOM_STEPS_COUNT; step++) {
        struct fo_order *order = &orders[fo_test_random(&random) % RANDOM_ORDERS_COUNT];
        if (order->settled) {
            continue;
        }
        struct fo_order next = *order;
        random_step(&next, fo_test_random(&random), FO_FIXTURE_T0_UNIX_MS + step);
        bool keep = fo_test_random(&random) % 5 != 0;
        fo_fixture_begin(store);
        assert_int_equal(fo_store_order_update(store, &next, order->state), FO_OK);
        assert_int_equal(fo_store_command_end(store, keep), FO_OK);
        assert_int_equal(fo_store_batch_commit(store), FO_OK);
        if (keep) {
            *order = next;
        }
        for (int supplier = 1; supplier <= 2; supplier++) {
            char supplier_id[16];
            snprintf(supplier_id, sizeof supplier_id, "sup_%d", supplier);
            /* The writer follows its own writes; a reader counts. */
            struct fo_supplier row;
            assert_int_equal(fo_store_supplier_get(store, supplier_id, &row), FO_OK);
            int64_t listed = listed_in_flight(store, supplier_id);
            int64_t listed_waiting = listed_pending(store, supplier_id);
            assert_int64_equal(row.in_flight_count, listed);
            assert_int64_equal(row.pending_count, listed_waiting);
            assert_int_equal(fo_store_supplier_get(reader, supplier_id, &row), FO_OK);
            assert_int64_equal(row.in_flight_count, listed);
            assert_int64_equal(row.pending_count, listed_waiting);
        }
    }
    fo_store_close(reader);
}

#define FIXTURE_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fo_fixture_setup, fo_fixture_teardown)

/* Orders carry their own policy snapshot whichever way they are read, with more policies
 * than the backend keeps at hand (the SQLite store empties its cache of 64 at 48), read in
 * one order and then the other, and through a second connection. */
static void test_orders_carry_their_own_policy_among_many(void **state)
{
    struct fo_fixture *fixture = *state;
    enum { POLICIES = 100 };
    struct fo_policy policies[POLICIES];
    for (int index = 0; index < POLICIES; index++) {
        fo_fixture_policy(100 + index, &policies[index]);
        policies[index].fee_fixed_minor = 1000 + index;
        policies[index].free_cancels_per_day = index;
        fo_fixture_insert_policy(fixture->store, &policies[index]);
        struct fo_order order;
        char id[32];
        snprintf(id, sizeof id, "ord_p%d", index);
        fo_fixture_order(id, FO_STATE_PENDING, &order);
        order.policy = policies[index];
        fo_fixture_insert_order(fixture->store, &order);
    }
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    struct fo_store *stores[2] = {fixture->store, reader};
    for (int round = 0; round < 4; round++) {
        for (int step = 0; step < POLICIES; step++) {
            int index = round % 2 == 0 ? step : POLICIES - 1 - step;
            char id[32];
            snprintf(id, sizeof id, "ord_p%d", index);
            struct fo_order read;
            assert_int_equal(fo_store_order_get(stores[round / 2], id, &read), FO_OK);
            fo_fixture_assert_policy_equal(&read.policy, &policies[index]);
        }
    }
    struct fo_order listed[POLICIES];
    size_t count = 0;
    struct fo_order_filter filter = {.buyer_id = "byr_1"};
    assert_int_equal(fo_store_order_list(reader, &filter, listed, POLICIES, &count), FO_OK);
    assert_int_equal(count, POLICIES);
    for (size_t index = 0; index < count; index++) { /* Newest first. */
        fo_fixture_assert_policy_equal(&listed[index].policy, &policies[POLICIES - 1 - index]);
    }
    fo_store_close(reader);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_order_insert_sets_seq_and_round_trips_in_every_state),
        FIXTURE_TEST(test_order_every_cancel_reason_round_trips),
        FIXTURE_TEST(test_order_extreme_values_round_trip),
        FIXTURE_TEST(test_order_unknown_is_not_found),
        FIXTURE_TEST(test_order_keeps_its_policy_snapshot_when_the_service_changes),
        FIXTURE_TEST(test_order_update_walks_the_lifecycle),
        FIXTURE_TEST(test_order_update_ignores_the_fixed_terms),
        FIXTURE_TEST(test_order_delivered_beyond_quantity_or_decreasing_is_refused),
        FIXTURE_TEST(test_order_illegal_transitions_are_refused),
        FIXTURE_TEST(test_order_terminal_orders_never_change),
        FIXTURE_TEST(test_order_settlement_must_match_state_and_amount),
        FIXTURE_TEST(test_order_insert_refuses_broken_terms),
        FIXTURE_TEST(test_order_list_newest_first_with_cursor),
        FIXTURE_TEST(test_order_list_filters_by_buyer_state_and_both),
        FIXTURE_TEST(test_order_oldest_per_supplier_and_state),
        FIXTURE_TEST(test_order_executing_per_supplier_oldest_first),
        FIXTURE_TEST(test_order_expired_includes_lease_equal_to_now),
        FIXTURE_TEST(test_order_scan_in_seq_order_with_cursor),
        FIXTURE_TEST(test_orders_carry_their_own_policy_among_many),
        FIXTURE_TEST(test_cancels_count_window_is_since_exclusive_until_inclusive),
        FIXTURE_TEST(test_cancels_count_sees_a_cancel_written_by_update),
        FIXTURE_TEST(test_supplier_in_flight_follows_random_lifecycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
