/* The backend-independent part of the store contract fixture (store_fixture.h): cmocka
 * setup and teardown, transaction helpers, builders of valid rows and field-by-field
 * comparisons. Uses only store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_fixture.h"

#include "log.h"

static void copy(char *dst, size_t dst_bytes, const char *text)
{
    int written = snprintf(dst, dst_bytes, "%s", text);
    assert_true(written >= 0 && (size_t)written < dst_bytes);
}

/* --- Transactions ---------------------------------------------------------------------- */

void fo_fixture_begin(struct fo_store *store)
{
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
}

void fo_fixture_commit(struct fo_store *store)
{
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    assert_int_equal(fo_store_batch_commit(store), FO_OK);
}

/* --- Builders -------------------------------------------------------------------------- */

void fo_fixture_policy(int n, struct fo_policy *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "pol_%d", n);
    snprintf(out->name, sizeof out->name, "policy %d", n);
    out->cooling_off_s = 600;
    out->pending = FO_PENDING_FULL_REFUND;
    out->queued = FO_QUEUED_FEE;
    out->executing = FO_EXECUTING_PRORATED;
    out->fee_fixed_minor = 50;
    out->fee_bps = 200;
    out->free_cancels_per_day = 5;
    out->created_at_unix_ms = FO_FIXTURE_T0_UNIX_MS - n;
}

void fo_fixture_buyer(int n, struct fo_buyer *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "byr_%d", n);
    snprintf(out->name, sizeof out->name, "buyer %d", n);
    copy(out->currency, sizeof out->currency, "CNY");
    out->available_minor = 100000;
    out->held_minor = 0;
    out->created_at_unix_ms = FO_FIXTURE_T0_UNIX_MS - 1000 + n;
}

void fo_fixture_supplier(int n, struct fo_supplier *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "sup_%d", n);
    snprintf(out->name, sizeof out->name, "supplier %d", n);
    out->capacity = 10;
    out->lease_s = 300;
    out->simulate_units_per_s = 0;
    out->created_at_unix_ms = FO_FIXTURE_T0_UNIX_MS - 2000 + n;
}

void fo_fixture_service(int n, struct fo_service *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "svc_%d", n);
    snprintf(out->name, sizeof out->name, "service %d", n);
    copy(out->unit, sizeof out->unit, "message");
    out->unit_price_minor = 5;
    out->min_quantity = 10;
    out->max_quantity = 1000000;
    copy(out->currency, sizeof out->currency, "CNY");
    copy(out->policy_id, sizeof out->policy_id, "pol_1");
    copy(out->supplier_id, sizeof out->supplier_id, "sup_1");
    out->active = true;
    out->created_at_unix_ms = FO_FIXTURE_T0_UNIX_MS - 3000 + n;
}

static void settle(struct fo_order *out, enum fo_reason reason, int64_t charged_minor,
                   int64_t fee_minor)
{
    out->settled = true;
    out->settlement.reason = reason;
    out->settlement.split.charged_minor = charged_minor;
    out->settlement.split.fee_minor = fee_minor;
    out->settlement.split.refund_minor = out->amount_minor - charged_minor - fee_minor;
    out->settlement.at_unix_ms = FO_FIXTURE_T0_UNIX_MS + 1000;
    out->updated_at_unix_ms = out->settlement.at_unix_ms;
}

void fo_fixture_order(const char *id, enum fo_state state, struct fo_order *out)
{
    memset(out, 0, sizeof *out);
    copy(out->id, sizeof out->id, id);
    copy(out->buyer_id, sizeof out->buyer_id, "byr_1");
    copy(out->service_id, sizeof out->service_id, "svc_1");
    copy(out->supplier_id, sizeof out->supplier_id, "sup_1");
    out->quantity = 1000;
    out->unit_price_minor = 5;
    out->amount_minor = 5000;
    copy(out->currency, sizeof out->currency, "CNY");
    copy(out->target, sizeof out->target, "player-12345");
    out->state = state;
    out->placed_at_unix_ms = FO_FIXTURE_T0_UNIX_MS;
    out->updated_at_unix_ms = FO_FIXTURE_T0_UNIX_MS;
    fo_fixture_policy(1, &out->policy);
    if (state == FO_STATE_EXECUTING) {
        out->delivered = 250;
        out->lease_expires_at_unix_ms = FO_FIXTURE_T0_UNIX_MS + 300000;
    }
    if (state == FO_STATE_COMPLETED) {
        out->delivered = 1000;
        settle(out, FO_REASON_COMPLETED, 5000, 0);
    }
    if (state == FO_STATE_CANCELLED) {
        settle(out, FO_REASON_QUEUED_WITH_FEE, 0, 150);
    }
    if (state == FO_STATE_FAILED) {
        out->delivered = 250;
        settle(out, FO_REASON_SUPPLIER_TIMEOUT, 1250, 0);
    }
}

void fo_fixture_insert_order(struct fo_store *store, struct fo_order *order)
{
    fo_fixture_begin(store);
    assert_int_equal(fo_store_order_insert(store, order), FO_OK);
    fo_fixture_commit(store);
    assert_true(order->seq > 0);
}

void fo_fixture_insert_buyer(struct fo_store *store, const struct fo_buyer *buyer)
{
    fo_fixture_begin(store);
    assert_int_equal(fo_store_buyer_insert(store, buyer), FO_OK);
    fo_fixture_commit(store);
}

void fo_fixture_insert_policy(struct fo_store *store, const struct fo_policy *policy)
{
    fo_fixture_begin(store);
    assert_int_equal(fo_store_policy_insert(store, policy), FO_OK);
    fo_fixture_commit(store);
}

void fo_fixture_insert_supplier(struct fo_store *store, const struct fo_supplier *supplier)
{
    fo_fixture_begin(store);
    assert_int_equal(fo_store_supplier_insert(store, supplier), FO_OK);
    fo_fixture_commit(store);
}

void fo_fixture_insert_service(struct fo_store *store, const struct fo_service *service)
{
    fo_fixture_begin(store);
    assert_int_equal(fo_store_service_insert(store, service), FO_OK);
    fo_fixture_commit(store);
}

void fo_fixture_hash(uint8_t byte, uint8_t out[32])
{
    memset(out, byte, 32);
}

/* --- Setup and teardown ---------------------------------------------------------------- */

static void seed(struct fo_store *store)
{
    struct fo_policy policy;
    fo_fixture_policy(1, &policy);
    struct fo_supplier supplier;
    fo_fixture_supplier(1, &supplier);
    struct fo_service service;
    fo_fixture_service(1, &service);
    struct fo_buyer buyer_1;
    fo_fixture_buyer(1, &buyer_1);
    struct fo_buyer buyer_2;
    fo_fixture_buyer(2, &buyer_2);

    fo_fixture_begin(store);
    assert_int_equal(fo_store_policy_insert(store, &policy), FO_OK);
    assert_int_equal(fo_store_supplier_insert(store, &supplier), FO_OK);
    assert_int_equal(fo_store_service_insert(store, &service), FO_OK);
    assert_int_equal(fo_store_buyer_insert(store, &buyer_1), FO_OK);
    assert_int_equal(fo_store_buyer_insert(store, &buyer_2), FO_OK);
    fo_fixture_commit(store);
}

int fo_fixture_setup(void **state)
{
    /* Errors (refused writes) still show; one "migrated" line per test would not help. */
    fo_log_set_level(FO_LOG_WARN);
    struct fo_fixture *fixture = calloc(1, sizeof *fixture);
    assert_non_null(fixture);
    fo_fixture_location_new("store", fixture->location, sizeof fixture->location);
    assert_int_equal(fo_store_open(fixture->location, true, &fixture->store), FO_OK);
    seed(fixture->store);
    *state = fixture;
    return 0;
}

int fo_fixture_teardown(void **state)
{
    struct fo_fixture *fixture = *state;
    fo_store_close(fixture->store);
    fo_fixture_location_drop(fixture->location);
    free(fixture);
    return 0;
}

void fo_fixture_reopen(struct fo_fixture *fixture)
{
    fo_store_close(fixture->store);
    fixture->store = NULL;
    assert_int_equal(fo_store_open(fixture->location, true, &fixture->store), FO_OK);
}

struct fo_store *fo_fixture_open_reader(const struct fo_fixture *fixture)
{
    struct fo_store *reader = NULL;
    assert_int_equal(fo_store_open(fixture->location, false, &reader), FO_OK);
    assert_non_null(reader);
    return reader;
}

/* --- Comparisons ----------------------------------------------------------------------- */

void fo_fixture_assert_policy_equal(const struct fo_policy *actual,
                                    const struct fo_policy *expected)
{
    assert_string_equal(actual->id, expected->id);
    assert_string_equal(actual->name, expected->name);
    assert_int64_equal(actual->cooling_off_s, expected->cooling_off_s);
    assert_int_equal(actual->pending, expected->pending);
    assert_int_equal(actual->queued, expected->queued);
    assert_int_equal(actual->executing, expected->executing);
    assert_int64_equal(actual->fee_fixed_minor, expected->fee_fixed_minor);
    assert_int64_equal(actual->fee_bps, expected->fee_bps);
    assert_int64_equal(actual->free_cancels_per_day, expected->free_cancels_per_day);
    assert_int64_equal(actual->created_at_unix_ms, expected->created_at_unix_ms);
}

void fo_fixture_assert_order_equal(const struct fo_order *actual, const struct fo_order *expected)
{
    assert_int64_equal(actual->seq, expected->seq);
    assert_string_equal(actual->id, expected->id);
    assert_string_equal(actual->buyer_id, expected->buyer_id);
    assert_string_equal(actual->service_id, expected->service_id);
    assert_string_equal(actual->supplier_id, expected->supplier_id);
    assert_int64_equal(actual->quantity, expected->quantity);
    assert_int64_equal(actual->delivered, expected->delivered);
    assert_int64_equal(actual->unit_price_minor, expected->unit_price_minor);
    assert_int64_equal(actual->amount_minor, expected->amount_minor);
    assert_string_equal(actual->currency, expected->currency);
    assert_string_equal(actual->target, expected->target);
    assert_int_equal(actual->state, expected->state);
    assert_int64_equal(actual->placed_at_unix_ms, expected->placed_at_unix_ms);
    assert_int64_equal(actual->updated_at_unix_ms, expected->updated_at_unix_ms);
    assert_int64_equal(actual->lease_expires_at_unix_ms, expected->lease_expires_at_unix_ms);
    fo_fixture_assert_policy_equal(&actual->policy, &expected->policy);
    assert_int_equal(actual->settled, expected->settled);
    assert_int_equal(actual->settlement.reason, expected->settlement.reason);
    assert_int64_equal(actual->settlement.split.charged_minor,
                       expected->settlement.split.charged_minor);
    assert_int64_equal(actual->settlement.split.fee_minor, expected->settlement.split.fee_minor);
    assert_int64_equal(actual->settlement.split.refund_minor,
                       expected->settlement.split.refund_minor);
    assert_int64_equal(actual->settlement.at_unix_ms, expected->settlement.at_unix_ms);
}
