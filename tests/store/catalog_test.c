/* Store contract: buyers, suppliers, policies and services.
 *
 * Property: every field round-trips exactly; unknown ids are NOT_FOUND; lists and scans
 * come in the documented order and their cursors resume exactly after (or before) the last
 * item; the schema refuses what would break an invariant (a negative or oversized balance,
 * a duplicate id, a service on an unknown policy, a changed policy) with FO_ERR_INTERNAL
 * and keeps the old row. Method: a fresh seeded database per test (store_fixture.h). */
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

/* --- Buyers ---------------------------------------------------------------------------- */

static void test_buyer_round_trips_every_field(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_buyer buyer;
    fo_fixture_buyer(3, &buyer);
    snprintf(buyer.name, sizeof buyer.name, "%s", "买家 ☃ three");
    buyer.available_minor = FO_BALANCE_MINOR_MAX;
    buyer.held_minor = 12345;
    fo_fixture_insert_buyer(fixture->store, &buyer);

    struct fo_buyer read;
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_3", &read), FO_OK);
    assert_int64_equal(read.seq, 3); /* byr_1 and byr_2 were seeded first. */
    assert_string_equal(read.id, "byr_3");
    assert_string_equal(read.name, "买家 ☃ three");
    assert_string_equal(read.currency, "CNY");
    assert_int64_equal(read.available_minor, FO_BALANCE_MINOR_MAX);
    assert_int64_equal(read.held_minor, 12345);
    assert_int64_equal(read.created_at_unix_ms, buyer.created_at_unix_ms);
}

static struct fo_buyer buyer_read(struct fo_store *store, const char *id)
{
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(store, id, &buyer), FO_OK);
    return buyer;
}

static void test_buyer_unknown_is_not_found(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_buyer read;
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_9", &read), FO_ERR_NOT_FOUND);
    struct fo_buyer unknown = buyer_read(fixture->store, "byr_1");
    unknown.seq = 9;
    snprintf(unknown.id, sizeof unknown.id, "%s", "byr_9");
    WRITE_EXPECT(fixture->store, fo_store_buyer_put_balances(fixture->store, &unknown, 1, 1),
                 FO_ERR_NOT_FOUND);
    /* Found by its row and checked by its id: byr_1's row with byr_2's id is no buyer. */
    struct fo_buyer mixed = buyer_read(fixture->store, "byr_1");
    snprintf(mixed.id, sizeof mixed.id, "%s", "byr_2");
    WRITE_EXPECT(fixture->store, fo_store_buyer_put_balances(fixture->store, &mixed, 1, 1),
                 FO_ERR_NOT_FOUND);
    assert_int64_equal(buyer_read(fixture->store, "byr_1").available_minor, 100000);
    assert_int64_equal(buyer_read(fixture->store, "byr_2").available_minor, 100000);
}

static void test_buyer_put_balances_writes_both(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_buyer first = buyer_read(fixture->store, "byr_1");
    WRITE_EXPECT(fixture->store, fo_store_buyer_put_balances(fixture->store, &first, 0, 100000),
                 FO_OK);
    struct fo_buyer read;
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_1", &read), FO_OK);
    assert_int64_equal(read.available_minor, 0);
    assert_int64_equal(read.held_minor, 100000);
    assert_string_equal(read.name, "buyer 1");
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_2", &read), FO_OK);
    assert_int64_equal(read.available_minor, 100000);
}

static void test_buyer_balances_outside_their_range_are_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    struct fo_buyer first = buyer_read(store, "byr_1");
    WRITE_EXPECT(store, fo_store_buyer_put_balances(store, &first, -1, 0), FO_ERR_INTERNAL);
    WRITE_EXPECT(store, fo_store_buyer_put_balances(store, &first, 0, -1), FO_ERR_INTERNAL);
    WRITE_EXPECT(store, fo_store_buyer_put_balances(store, &first, FO_BALANCE_MINOR_MAX + 1, 0),
                 FO_ERR_INTERNAL);
    WRITE_EXPECT(store, fo_store_buyer_put_balances(store, &first, FO_BALANCE_MINOR_MAX, 0), FO_OK);
    struct fo_buyer read;
    assert_int_equal(fo_store_buyer_get(store, "byr_1", &read), FO_OK);
    assert_int64_equal(read.available_minor, FO_BALANCE_MINOR_MAX);
    assert_int64_equal(read.held_minor, 0);

    struct fo_buyer negative;
    fo_fixture_buyer(3, &negative);
    negative.available_minor = -5;
    WRITE_EXPECT(store, fo_store_buyer_insert(store, &negative), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_buyer_get(store, "byr_3", &read), FO_ERR_NOT_FOUND);
}

static void test_buyer_duplicate_id_is_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_buyer buyer;
    fo_fixture_buyer(1, &buyer);
    buyer.available_minor = 1;
    WRITE_EXPECT(fixture->store, fo_store_buyer_insert(fixture->store, &buyer), FO_ERR_INTERNAL);
    struct fo_buyer read;
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_1", &read), FO_OK);
    assert_int64_equal(read.available_minor, 100000);
}

static void test_buyer_scan_in_seq_order_with_cursor(void **state)
{
    struct fo_fixture *fixture = *state;
    for (int n = 3; n <= 5; n++) {
        struct fo_buyer buyer;
        fo_fixture_buyer(n, &buyer);
        fo_fixture_insert_buyer(fixture->store, &buyer);
    }
    struct fo_buyer page[2];
    size_t count = 99;
    assert_int_equal(fo_store_buyer_scan(fixture->store, 0, page, 2, &count), FO_OK);
    assert_int_equal(count, 2);
    assert_string_equal(page[0].id, "byr_1");
    assert_string_equal(page[1].id, "byr_2");
    assert_int_equal(fo_store_buyer_scan(fixture->store, page[1].seq, page, 2, &count), FO_OK);
    assert_int_equal(count, 2);
    assert_string_equal(page[0].id, "byr_3");
    assert_string_equal(page[1].id, "byr_4");
    assert_int_equal(fo_store_buyer_scan(fixture->store, page[1].seq, page, 2, &count), FO_OK);
    assert_int_equal(count, 1);
    assert_string_equal(page[0].id, "byr_5");
    assert_int64_equal(page[0].seq, 5);
    assert_int_equal(fo_store_buyer_scan(fixture->store, 5, page, 2, &count), FO_OK);
    assert_int_equal(count, 0);
}

/* --- Suppliers ------------------------------------------------------------------------- */

static void test_supplier_round_trips_every_field(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_supplier supplier;
    fo_fixture_supplier(2, &supplier);
    supplier.capacity = FO_CAPACITY_MAX;
    supplier.lease_s = FO_LEASE_S_MAX;
    supplier.simulate_units_per_s = FO_SIMULATE_UNITS_PER_S_MAX;
    fo_fixture_insert_supplier(fixture->store, &supplier);
    struct fo_supplier read;
    assert_int_equal(fo_store_supplier_get(fixture->store, "sup_2", &read), FO_OK);
    assert_int64_equal(read.seq, 2);
    assert_string_equal(read.id, "sup_2");
    assert_string_equal(read.name, "supplier 2");
    assert_int64_equal(read.capacity, FO_CAPACITY_MAX);
    assert_int64_equal(read.lease_s, FO_LEASE_S_MAX);
    assert_int64_equal(read.simulate_units_per_s, FO_SIMULATE_UNITS_PER_S_MAX);
    assert_int64_equal(read.created_at_unix_ms, supplier.created_at_unix_ms);
    assert_int_equal(fo_store_supplier_get(fixture->store, "sup_9", &read), FO_ERR_NOT_FOUND);
}

static void test_supplier_out_of_range_is_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_supplier supplier;
    fo_fixture_supplier(2, &supplier);
    supplier.capacity = 0;
    WRITE_EXPECT(fixture->store, fo_store_supplier_insert(fixture->store, &supplier),
                 FO_ERR_INTERNAL);
    fo_fixture_supplier(2, &supplier);
    supplier.lease_s = FO_LEASE_S_MIN - 1;
    WRITE_EXPECT(fixture->store, fo_store_supplier_insert(fixture->store, &supplier),
                 FO_ERR_INTERNAL);
    struct fo_supplier read;
    assert_int_equal(fo_store_supplier_get(fixture->store, "sup_2", &read), FO_ERR_NOT_FOUND);
}

static void test_supplier_scan_simulated_skips_outside_suppliers(void **state)
{
    struct fo_fixture *fixture = *state;
    const int64_t speeds[] = {5, 0, 7, 9};
    for (int n = 2; n <= 5; n++) {
        struct fo_supplier supplier;
        fo_fixture_supplier(n, &supplier);
        supplier.simulate_units_per_s = speeds[n - 2];
        fo_fixture_insert_supplier(fixture->store, &supplier);
    }
    struct fo_supplier page[2];
    size_t count = 0;
    assert_int_equal(fo_store_supplier_scan_simulated(fixture->store, 0, page, 2, &count), FO_OK);
    assert_int_equal(count, 2);
    assert_string_equal(page[0].id, "sup_2");
    assert_int64_equal(page[0].simulate_units_per_s, 5);
    assert_string_equal(page[1].id, "sup_4");
    assert_int_equal(fo_store_supplier_scan_simulated(fixture->store, page[1].seq, page, 2, &count),
                     FO_OK);
    assert_int_equal(count, 1);
    assert_string_equal(page[0].id, "sup_5");
    assert_int_equal(fo_store_supplier_scan_simulated(fixture->store, page[0].seq, page, 2, &count),
                     FO_OK);
    assert_int_equal(count, 0);
}

/* The supplier row's count of queued + executing orders. */
static int64_t in_flight_of(struct fo_store *store, const char *supplier_id)
{
    struct fo_supplier supplier;
    assert_int_equal(fo_store_supplier_get(store, supplier_id, &supplier), FO_OK);
    return supplier.in_flight_count;
}

static void insert_order_of(struct fo_store *store, const char *id, const char *supplier_id,
                            enum fo_state state)
{
    struct fo_order order;
    fo_fixture_order(id, state, &order);
    snprintf(order.supplier_id, sizeof order.supplier_id, "%s", supplier_id);
    fo_fixture_insert_order(store, &order);
}

static void test_supplier_in_flight_counts_queued_and_executing(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_supplier other;
    fo_fixture_supplier(2, &other);
    fo_fixture_insert_supplier(fixture->store, &other);
    assert_int64_equal(in_flight_of(fixture->store, "sup_1"), 0);

    insert_order_of(fixture->store, "ord_1", "sup_1", FO_STATE_PENDING);
    insert_order_of(fixture->store, "ord_2", "sup_1", FO_STATE_QUEUED);
    insert_order_of(fixture->store, "ord_3", "sup_1", FO_STATE_EXECUTING);
    insert_order_of(fixture->store, "ord_4", "sup_1", FO_STATE_QUEUED);
    insert_order_of(fixture->store, "ord_5", "sup_1", FO_STATE_COMPLETED);
    insert_order_of(fixture->store, "ord_6", "sup_1", FO_STATE_CANCELLED);
    insert_order_of(fixture->store, "ord_7", "sup_1", FO_STATE_FAILED);
    insert_order_of(fixture->store, "ord_8", "sup_2", FO_STATE_EXECUTING);
    insert_order_of(fixture->store, "ord_9", "sup_1", FO_STATE_PENDING);
    assert_int64_equal(in_flight_of(fixture->store, "sup_1"), 3);
    assert_int64_equal(in_flight_of(fixture->store, "sup_2"), 1);
    struct fo_supplier supplier;
    assert_int_equal(fo_store_supplier_get(fixture->store, "sup_1", &supplier), FO_OK);
    assert_int64_equal(supplier.pending_count, 2);
    assert_int_equal(fo_store_supplier_get(fixture->store, "sup_2", &supplier), FO_OK);
    assert_int64_equal(supplier.pending_count, 0);
}

/* --- Policies -------------------------------------------------------------------------- */

static void test_policy_round_trips_every_field(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_policy policy;
    fo_fixture_policy(2, &policy);
    snprintf(policy.name, sizeof policy.name, "%s", "严格 strict");
    policy.cooling_off_s = FO_COOLING_OFF_S_MAX;
    policy.pending = FO_PENDING_DENY;
    policy.queued = FO_QUEUED_DENY;
    policy.executing = FO_EXECUTING_DENY;
    policy.fee_fixed_minor = FO_FEE_FIXED_MINOR_MAX;
    policy.fee_bps = FO_FEE_BPS_MAX;
    policy.free_cancels_per_day = FO_FREE_CANCELS_PER_DAY_MAX;
    fo_fixture_insert_policy(fixture->store, &policy);
    struct fo_policy read;
    assert_int_equal(fo_store_policy_get(fixture->store, "pol_2", &read), FO_OK);
    fo_fixture_assert_policy_equal(&read, &policy);

    struct fo_policy seeded;
    fo_fixture_policy(1, &seeded);
    assert_int_equal(fo_store_policy_get(fixture->store, "pol_1", &read), FO_OK);
    fo_fixture_assert_policy_equal(&read, &seeded);
    assert_int_equal(fo_store_policy_get(fixture->store, "pol_9", &read), FO_ERR_NOT_FOUND);
}

static void test_policy_duplicate_or_out_of_range_is_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_policy policy;
    fo_fixture_policy(1, &policy);
    policy.fee_bps = 1; /* pol_1 exists: policies never change. */
    WRITE_EXPECT(fixture->store, fo_store_policy_insert(fixture->store, &policy), FO_ERR_INTERNAL);
    fo_fixture_policy(2, &policy);
    policy.fee_bps = FO_FEE_BPS_MAX + 1;
    WRITE_EXPECT(fixture->store, fo_store_policy_insert(fixture->store, &policy), FO_ERR_INTERNAL);
    struct fo_policy read;
    assert_int_equal(fo_store_policy_get(fixture->store, "pol_1", &read), FO_OK);
    assert_int64_equal(read.fee_bps, 200);
    assert_int_equal(fo_store_policy_get(fixture->store, "pol_2", &read), FO_ERR_NOT_FOUND);
}

/* --- Services -------------------------------------------------------------------------- */

static void assert_service_equal(const struct fo_service *actual, const struct fo_service *expected)
{
    assert_string_equal(actual->id, expected->id);
    assert_string_equal(actual->name, expected->name);
    assert_string_equal(actual->unit, expected->unit);
    assert_int64_equal(actual->unit_price_minor, expected->unit_price_minor);
    assert_int64_equal(actual->min_quantity, expected->min_quantity);
    assert_int64_equal(actual->max_quantity, expected->max_quantity);
    assert_string_equal(actual->currency, expected->currency);
    assert_string_equal(actual->policy_id, expected->policy_id);
    assert_string_equal(actual->supplier_id, expected->supplier_id);
    assert_int_equal(actual->active, expected->active);
    assert_int64_equal(actual->created_at_unix_ms, expected->created_at_unix_ms);
}

static void test_service_round_trips_every_field(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_service service;
    fo_fixture_service(2, &service);
    snprintf(service.unit, sizeof service.unit, "%s", "条短信");
    service.unit_price_minor = FO_UNIT_PRICE_MINOR_MAX;
    service.min_quantity = 1;
    service.max_quantity = FO_QUANTITY_MAX;
    service.active = false;
    fo_fixture_insert_service(fixture->store, &service);
    struct fo_service read;
    assert_int_equal(fo_store_service_get(fixture->store, "svc_2", &read), FO_OK);
    assert_int64_equal(read.seq, 2);
    assert_service_equal(&read, &service);
    assert_int_equal(fo_store_service_get(fixture->store, "svc_9", &read), FO_ERR_NOT_FOUND);
}

static void test_service_update_writes_only_the_mutable_fields(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_policy policy;
    fo_fixture_policy(2, &policy);
    fo_fixture_insert_policy(fixture->store, &policy);
    struct fo_service change;
    fo_fixture_service(1, &change);
    snprintf(change.policy_id, sizeof change.policy_id, "%s", "pol_2");
    change.unit_price_minor = 7;
    change.active = false;
    snprintf(change.name, sizeof change.name, "%s", "renamed"); /* Not mutable: ignored. */
    change.max_quantity = 20;
    WRITE_EXPECT(fixture->store, fo_store_service_update(fixture->store, &change), FO_OK);

    struct fo_service expected;
    fo_fixture_service(1, &expected);
    snprintf(expected.policy_id, sizeof expected.policy_id, "%s", "pol_2");
    expected.unit_price_minor = 7;
    expected.active = false;
    struct fo_service read;
    assert_int_equal(fo_store_service_get(fixture->store, "svc_1", &read), FO_OK);
    assert_service_equal(&read, &expected);

    fo_fixture_service(9, &change);
    WRITE_EXPECT(fixture->store, fo_store_service_update(fixture->store, &change),
                 FO_ERR_NOT_FOUND);
}

static void test_service_on_unknown_policy_or_supplier_is_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_service service;
    fo_fixture_service(2, &service);
    snprintf(service.policy_id, sizeof service.policy_id, "%s", "pol_9");
    WRITE_EXPECT(fixture->store, fo_store_service_insert(fixture->store, &service),
                 FO_ERR_INTERNAL);
    fo_fixture_service(2, &service);
    snprintf(service.supplier_id, sizeof service.supplier_id, "%s", "sup_9");
    WRITE_EXPECT(fixture->store, fo_store_service_insert(fixture->store, &service),
                 FO_ERR_INTERNAL);
    struct fo_service update;
    fo_fixture_service(1, &update);
    snprintf(update.policy_id, sizeof update.policy_id, "%s", "pol_9");
    WRITE_EXPECT(fixture->store, fo_store_service_update(fixture->store, &update), FO_ERR_INTERNAL);
    struct fo_service read;
    assert_int_equal(fo_store_service_get(fixture->store, "svc_2", &read), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_service_get(fixture->store, "svc_1", &read), FO_OK);
    assert_string_equal(read.policy_id, "pol_1");
}

/* Rows read are cached per connection (policies everywhere, services on the writer's):
 * whatever the cache holds, a read answers what the database holds now. */
static void test_reads_follow_updates_undos_and_other_connections(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    struct fo_service read;
    assert_int_equal(fo_store_service_get(store, "svc_1", &read), FO_OK);
    assert_int_equal(fo_store_service_get(reader, "svc_1", &read), FO_OK);
    assert_int64_equal(read.unit_price_minor, 5);

    struct fo_service change;
    fo_fixture_service(1, &change);
    change.unit_price_minor = 7;
    WRITE_EXPECT(store, fo_store_service_update(store, &change), FO_OK);
    assert_int_equal(fo_store_service_get(store, "svc_1", &read), FO_OK);
    assert_int64_equal(read.unit_price_minor, 7);
    assert_int_equal(fo_store_service_get(reader, "svc_1", &read), FO_OK);
    assert_int64_equal(read.unit_price_minor, 7);

    /* Read inside a command that is undone: the cache must not keep what vanished. */
    struct fo_policy policy;
    fo_fixture_policy(2, &policy);
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(fo_store_policy_insert(store, &policy), FO_OK);
    change.unit_price_minor = 9;
    assert_int_equal(fo_store_service_update(store, &change), FO_OK);
    assert_int_equal(fo_store_service_get(store, "svc_1", &read), FO_OK);
    assert_int64_equal(read.unit_price_minor, 9);
    struct fo_policy policy_read;
    assert_int_equal(fo_store_policy_get(store, "pol_2", &policy_read), FO_OK);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    assert_int_equal(fo_store_service_get(store, "svc_1", &read), FO_OK);
    assert_int64_equal(read.unit_price_minor, 7);
    assert_int_equal(fo_store_policy_get(store, "pol_2", &policy_read), FO_ERR_NOT_FOUND);

    /* The same for a batch that rolls back after its commands were kept. */
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(fo_store_policy_insert(store, &policy), FO_OK);
    assert_int_equal(fo_store_service_update(store, &change), FO_OK);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_service_get(store, "svc_1", &read), FO_OK);
    assert_int_equal(fo_store_policy_get(store, "pol_2", &policy_read), FO_OK);
    fo_store_batch_rollback(store);
    assert_int_equal(fo_store_service_get(store, "svc_1", &read), FO_OK);
    assert_int64_equal(read.unit_price_minor, 7);
    assert_int_equal(fo_store_policy_get(store, "pol_2", &policy_read), FO_ERR_NOT_FOUND);
    fo_store_close(reader);
}

static void test_service_list_newest_first_with_filter_and_cursor(void **state)
{
    struct fo_fixture *fixture = *state;
    for (int n = 2; n <= 5; n++) {
        struct fo_service service;
        fo_fixture_service(n, &service);
        service.active = n != 3;
        fo_fixture_insert_service(fixture->store, &service);
    }
    struct fo_service page[3];
    size_t count = 0;
    assert_int_equal(fo_store_service_list(fixture->store, false, 0, page, 3, &count), FO_OK);
    assert_int_equal(count, 3);
    assert_string_equal(page[0].id, "svc_5");
    assert_string_equal(page[1].id, "svc_4");
    assert_string_equal(page[2].id, "svc_3");
    assert_false(page[2].active);
    assert_int_equal(fo_store_service_list(fixture->store, false, page[2].seq, page, 3, &count),
                     FO_OK);
    assert_int_equal(count, 2);
    assert_string_equal(page[0].id, "svc_2");
    assert_string_equal(page[1].id, "svc_1");

    assert_int_equal(fo_store_service_list(fixture->store, true, 0, page, 3, &count), FO_OK);
    assert_int_equal(count, 3);
    assert_string_equal(page[0].id, "svc_5");
    assert_string_equal(page[1].id, "svc_4");
    assert_string_equal(page[2].id, "svc_2");
    assert_int_equal(fo_store_service_list(fixture->store, true, page[2].seq, page, 3, &count),
                     FO_OK);
    assert_int_equal(count, 1);
    assert_string_equal(page[0].id, "svc_1");
    assert_int_equal(fo_store_service_list(fixture->store, true, 1, page, 3, &count), FO_OK);
    assert_int_equal(count, 0);
}

#define FIXTURE_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fo_fixture_setup, fo_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_buyer_round_trips_every_field),
        FIXTURE_TEST(test_buyer_unknown_is_not_found),
        FIXTURE_TEST(test_buyer_put_balances_writes_both),
        FIXTURE_TEST(test_buyer_balances_outside_their_range_are_refused),
        FIXTURE_TEST(test_buyer_duplicate_id_is_refused),
        FIXTURE_TEST(test_buyer_scan_in_seq_order_with_cursor),
        FIXTURE_TEST(test_supplier_round_trips_every_field),
        FIXTURE_TEST(test_supplier_out_of_range_is_refused),
        FIXTURE_TEST(test_supplier_scan_simulated_skips_outside_suppliers),
        FIXTURE_TEST(test_supplier_in_flight_counts_queued_and_executing),
        FIXTURE_TEST(test_policy_round_trips_every_field),
        FIXTURE_TEST(test_policy_duplicate_or_out_of_range_is_refused),
        FIXTURE_TEST(test_service_round_trips_every_field),
        FIXTURE_TEST(test_service_update_writes_only_the_mutable_fields),
        FIXTURE_TEST(test_service_on_unknown_policy_or_supplier_is_refused),
        FIXTURE_TEST(test_service_list_newest_first_with_filter_and_cursor),
        FIXTURE_TEST(test_reads_follow_updates_undos_and_other_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
