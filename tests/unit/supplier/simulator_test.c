/* The simulated supplier (src/supplier/simulator.c): its tick claims a simulated
 * supplier's queued jobs, reports progress at exactly simulate_units_per_s of the clock
 * since the claim, completes the jobs that reach their quantity, respects cancellations
 * made between ticks and the supplier's capacity, leaves outside suppliers alone, and
 * bounds its work per tick, serving suppliers round robin.
 *
 * Method: fo_simulator_tick is driven directly, without its thread, against a real SQLite
 * store in a fresh temporary directory, inside a batch and a command scope as the writer
 * runs it, at an explicit `now` that the test moves. Money is checked to the fen and the
 * whole ledger is verified (fo_query_verify) at the end of every scenario. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/fo_test.h"

#include "commands/commands.h"
#include "commands/query.h"
#include "commands/secret.h"
#include "store/store.h"
#include "supplier/supplier.h"

#define START_UNIX_MS    INT64_C(1800000000000)
#define TOPUP_MINOR      INT64_C(1000000)
#define UNIT_PRICE_MINOR INT64_C(5)
#define UNITS_PER_S      INT64_C(10)

struct fixture {
    char dir[256];
    char path[320];
    struct fo_store *store;
    struct fo_simulator *simulator;
    int64_t now;
    struct fo_policy policy;
    struct fo_buyer buyer;
    struct fo_supplier supplier; /* Simulated, capacity 2. */
    struct fo_service service;
    struct fo_err_detail detail;
    struct fo_simulator_stats stats; /* Of the last tick. */
};

static void begin(struct fixture *fx)
{
    assert_int_equal(fo_store_batch_begin(fx->store), FO_OK);
    assert_int_equal(fo_store_command_begin(fx->store), FO_OK);
    memset(&fx->detail, 0, sizeof fx->detail);
}

static void end(struct fixture *fx)
{
    assert_int_equal(fo_store_command_end(fx->store, true), FO_OK);
    assert_int_equal(fo_store_batch_commit(fx->store), FO_OK);
}

/* One tick as the writer runs it: in its own batch and scope, at fx->now. */
static struct fo_simulator_stats tick(struct fixture *fx)
{
    begin(fx);
    assert_int_equal(fo_simulator_tick(fx->simulator, fx->store, fx->now, &fx->stats), FO_OK);
    end(fx);
    return fx->stats;
}

static void supplier_create(struct fixture *fx, int64_t capacity, int64_t units_per_s,
                            struct fo_supplier *out)
{
    char token[FO_TOKEN_CHARS + 1];
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "simulated %lld", (long long)capacity);
    out->capacity = capacity;
    out->lease_s = 60;
    out->simulate_units_per_s = units_per_s;
    begin(fx);
    assert_int_equal(fo_cmd_supplier_create(fx->store, fx->now, out, token, &fx->detail), FO_OK);
    end(fx);
}

static void service_create(struct fixture *fx, const struct fo_supplier *supplier,
                           struct fo_service *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "game points");
    snprintf(out->unit, sizeof out->unit, "point");
    out->unit_price_minor = UNIT_PRICE_MINOR;
    out->min_quantity = 1;
    out->max_quantity = 100000;
    snprintf(out->policy_id, sizeof out->policy_id, "%s", fx->policy.id);
    snprintf(out->supplier_id, sizeof out->supplier_id, "%s", supplier->id);
    begin(fx);
    assert_int_equal(fo_cmd_service_create(fx->store, fx->now, out, &fx->detail), FO_OK);
    end(fx);
}

/* Policy: 10 minutes of cooling-off, queued fee, executing prorated, fee ¥0.50 + 2 %. */
static void catalogue_create(struct fixture *fx)
{
    struct fo_policy *policy = &fx->policy;
    snprintf(policy->name, sizeof policy->name, "standard");
    policy->cooling_off_s = 600;
    policy->pending = FO_PENDING_FULL_REFUND;
    policy->queued = FO_QUEUED_FEE;
    policy->executing = FO_EXECUTING_PRORATED;
    policy->fee_fixed_minor = 50;
    policy->fee_bps = 200;
    policy->free_cancels_per_day = 5;
    char token[FO_TOKEN_CHARS + 1];
    begin(fx);
    assert_int_equal(fo_cmd_policy_create(fx->store, fx->now, policy, &fx->detail), FO_OK);
    assert_int_equal(
        fo_cmd_buyer_create(fx->store, fx->now, "alice", &fx->buyer, token, &fx->detail), FO_OK);
    assert_int_equal(fo_cmd_topup(fx->store, fx->now, fx->buyer.id, TOPUP_MINOR, "bank-1",
                                  &fx->buyer, &fx->detail),
                     FO_OK);
    end(fx);
    supplier_create(fx, 2, UNITS_PER_S, &fx->supplier);
    service_create(fx, &fx->supplier, &fx->service);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fo_test_temp_dir("simulator", fx->dir, sizeof fx->dir);
    snprintf(fx->path, sizeof fx->path, "%s/fairorder.db", fx->dir);
    assert_int_equal(fo_store_open(fx->path, true, &fx->store), FO_OK);
    fx->simulator = fo_simulator_create();
    assert_non_null(fx->simulator);
    fx->now = START_UNIX_MS;
    catalogue_create(fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    fo_simulator_destroy(fx->simulator);
    fo_store_close(fx->store);
    free(fx);
    return 0;
}

static struct fo_order place_on(struct fixture *fx, const struct fo_service *service,
                                int64_t quantity)
{
    struct fo_place_input input = {
        .service_id = service->id, .quantity = quantity, .target = "player-12345"};
    struct fo_order_view view;
    struct fo_policy current;
    begin(fx);
    assert_int_equal(
        fo_cmd_place(fx->store, fx->now, fx->buyer.id, &input, &view, &current, &fx->detail),
        FO_OK);
    end(fx);
    return view.order;
}

static struct fo_order place(struct fixture *fx, int64_t quantity)
{
    return place_on(fx, &fx->service, quantity);
}

static struct fo_order order_get(struct fixture *fx, const char *order_id)
{
    struct fo_order order;
    assert_int_equal(fo_store_order_get(fx->store, order_id, &order), FO_OK);
    assert_null(fo_order_check(&order));
    return order;
}

static void assert_wallet(struct fixture *fx, int64_t available_minor, int64_t held_minor)
{
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(fx->store, fx->buyer.id, &buyer), FO_OK);
    assert_int64_equal(buyer.available_minor, available_minor);
    assert_int64_equal(buyer.held_minor, held_minor);
}

static void assert_state(struct fixture *fx, const char *order_id, enum fo_state state,
                         int64_t delivered)
{
    struct fo_order order = order_get(fx, order_id);
    assert_int_equal(order.state, state);
    assert_int64_equal(order.delivered, delivered);
}

static void assert_verified(struct fixture *fx)
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

static size_t events_count(struct fixture *fx, const char *order_id)
{
    struct fo_event events[32];
    size_t count = 0;
    assert_int_equal(fo_store_event_list(fx->store, order_id, 0, events, 32, &count), FO_OK);
    return count;
}

static int64_t in_flight(struct fixture *fx, const struct fo_supplier *supplier)
{
    struct fo_supplier row;
    assert_int_equal(fo_store_supplier_get(fx->store, supplier->id, &row), FO_OK);
    return row.in_flight_count;
}

/* --- fo_simulator_delivered ------------------------------------------------------------ */

static void test_delivered_is_exact_floored_and_capped(void **state)
{
    (void)state;
    struct {
        int64_t quantity, units_per_s, elapsed_ms, delivered;
    } rows[] = {
        {100, 10, 0, 0},
        {100, 10, -5000, 0},
        {100, 10, 99, 0},
        {100, 10, 100, 1},
        {100, 10, 5000, 50},
        {100, 10, 9999, 99},
        {100, 10, 10000, 100},
        {100, 10, 3600 * 1000, 100},
        {7, 3, 1000, 3},
        {7, 3, 1333, 3},
        {7, 3, 1334, 4},
        {FO_QUANTITY_MAX, 1, FO_SIMULATOR_ELAPSED_MS_MAX - 1, FO_QUANTITY_MAX - 1},
        {FO_QUANTITY_MAX, 1, FO_SIMULATOR_ELAPSED_MS_MAX, FO_QUANTITY_MAX},
        {FO_QUANTITY_MAX, 1, INT64_MAX, FO_QUANTITY_MAX},
        {FO_QUANTITY_MAX, FO_SIMULATE_UNITS_PER_S_MAX, INT64_MAX, FO_QUANTITY_MAX},
        {FO_QUANTITY_MAX, FO_SIMULATE_UNITS_PER_S_MAX, 999, 999000},
        {1, FO_SIMULATE_UNITS_PER_S_MAX, 1, 1},
    };
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        assert_int64_equal(fo_simulator_delivered(rows[index].quantity, rows[index].units_per_s,
                                                  rows[index].elapsed_ms),
                           rows[index].delivered);
    }
}

/* --- fo_simulator_tick ----------------------------------------------------------------- */

static void test_tick_claims_progresses_at_rate_and_completes(void **state)
{
    struct fixture *fx = *state;
    struct fo_order order = place(fx, 100); /* Amount 500. */
    assert_int_equal(order.state, FO_STATE_QUEUED);
    struct fo_simulator_stats stats = tick(fx);
    assert_int_equal(stats.suppliers_count, 1);
    assert_int_equal(stats.claimed_count, 1);
    assert_state(fx, order.id, FO_STATE_EXECUTING, 0);

    fx->now += 5000;
    stats = tick(fx);
    assert_int_equal(stats.progressed_count, 1);
    assert_state(fx, order.id, FO_STATE_EXECUTING, 50);
    assert_int64_equal(order_get(fx, order.id).lease_expires_at_unix_ms, fx->now + 60 * 1000);
    fx->now += 4999;
    tick(fx);
    assert_state(fx, order.id, FO_STATE_EXECUTING, 99);
    assert_wallet(fx, TOPUP_MINOR - 500, 500);

    fx->now += 1;
    stats = tick(fx);
    assert_int_equal(stats.completed_count, 1);
    assert_int_equal(stats.progressed_count, 0);
    assert_string_equal(fo_simulator_completed(fx->simulator, 0), order.id);
    struct fo_order done = order_get(fx, order.id);
    assert_int_equal(done.state, FO_STATE_COMPLETED);
    assert_int64_equal(done.delivered, 100);
    assert_int_equal(done.settlement.reason, FO_REASON_COMPLETED);
    assert_int64_equal(done.settlement.split.charged_minor, 500);
    assert_int64_equal(done.settlement.split.fee_minor, 0);
    assert_int64_equal(done.settlement.split.refund_minor, 0);
    assert_int64_equal(done.settlement.at_unix_ms, fx->now);
    assert_wallet(fx, TOPUP_MINOR - 500, 0);

    struct fo_event last;
    assert_int_equal(fo_store_event_last(fx->store, order.id, &last), FO_OK);
    assert_int_equal(last.type, FO_EVENT_COMPLETED);
    assert_int_equal(last.actor, FO_ACTOR_SUPPLIER);
    fx->now += 60 * 1000;
    stats = tick(fx);
    assert_int_equal(stats.completed_count + stats.progressed_count + stats.claimed_count, 0);
    assert_verified(fx);
}

static void test_tick_moves_nothing_while_the_clock_stands_still(void **state)
{
    struct fixture *fx = *state;
    struct fo_order order = place(fx, 100);
    tick(fx);
    size_t events_after_claim = events_count(fx, order.id);
    for (int round = 0; round < 5; round++) {
        struct fo_simulator_stats stats = tick(fx);
        assert_int_equal(stats.claimed_count + stats.progressed_count + stats.completed_count, 0);
    }
    assert_state(fx, order.id, FO_STATE_EXECUTING, 0);
    assert_int_equal(events_count(fx, order.id), events_after_claim);
    /* A big step of the clock: progress jumps as far on the next tick. */
    fx->now += 9 * 1000 + 900;
    tick(fx);
    assert_state(fx, order.id, FO_STATE_EXECUTING, 99);
    assert_verified(fx);
}

/* A job whose lease ran out before the tick (the server was down, or the clock jumped) is
 * lost like any supplier's: the simulator leaves it to lease expiry. */
static void test_tick_leaves_a_job_whose_lease_ran_out_to_expiry(void **state)
{
    struct fixture *fx = *state;
    struct fo_order order = place(fx, 1000); /* Amount 5000; lease 60 s. */
    tick(fx);
    fx->now += 2000;
    tick(fx);
    assert_state(fx, order.id, FO_STATE_EXECUTING, 20);
    fx->now += 60 * 1000; /* Exactly at lease_expires_at. */
    struct fo_simulator_stats stats = tick(fx);
    assert_int_equal(stats.progressed_count + stats.completed_count, 0);
    assert_state(fx, order.id, FO_STATE_EXECUTING, 20);
    size_t expired_count = 0;
    begin(fx);
    assert_int_equal(fo_cmd_expire_leases(fx->store, fx->now, 10, &expired_count), FO_OK);
    end(fx);
    assert_int_equal(expired_count, 1);
    struct fo_order failed = order_get(fx, order.id);
    assert_int_equal(failed.state, FO_STATE_FAILED);
    assert_int_equal(failed.settlement.reason, FO_REASON_SUPPLIER_TIMEOUT);
    assert_int64_equal(failed.settlement.split.charged_minor, 100);
    assert_int64_equal(failed.settlement.split.refund_minor, 4900);
    assert_wallet(fx, TOPUP_MINOR - 100, 0);
    assert_verified(fx);
}

static void test_tick_respects_a_cancel_between_ticks(void **state)
{
    struct fixture *fx = *state;
    struct fo_order order = place(fx, 100); /* Amount 500. */
    tick(fx);
    fx->now += 3000;
    tick(fx);
    assert_state(fx, order.id, FO_STATE_EXECUTING, 30);

    struct fo_cancel_input input = {.order_id = order.id, .buyer_id = fx->buyer.id};
    struct fo_order_view view;
    struct fo_quote quote;
    begin(fx);
    assert_int_equal(fo_cmd_cancel(fx->store, fx->now, &input, &view, &quote, &fx->detail), FO_OK);
    end(fx);
    /* Prorated: charged 500 * 30 / 100 = 150; fee 50 + floor(350 * 2 %) = 57; refund 293. */
    struct fo_order cancelled = order_get(fx, order.id);
    assert_int_equal(cancelled.settlement.reason, FO_REASON_EXECUTING_PRORATED);
    assert_int64_equal(cancelled.settlement.split.charged_minor, 150);
    assert_int64_equal(cancelled.settlement.split.fee_minor, 57);
    assert_int64_equal(cancelled.settlement.split.refund_minor, 293);

    fx->now += 10 * 1000;
    struct fo_simulator_stats stats = tick(fx);
    assert_int_equal(stats.progressed_count + stats.completed_count + stats.claimed_count, 0);
    assert_state(fx, order.id, FO_STATE_CANCELLED, 30);
    assert_wallet(fx, TOPUP_MINOR - 150 - 57, 0);
    assert_verified(fx);
}

static void test_tick_respects_capacity_and_claims_what_completion_frees(void **state)
{
    struct fixture *fx = *state;
    struct fo_order first = place(fx, 10);
    struct fo_order second = place(fx, 20);
    struct fo_order third = place(fx, 10);
    assert_int_equal(third.state, FO_STATE_PENDING);
    struct fo_simulator_stats stats = tick(fx);
    assert_int_equal(stats.claimed_count, 2);
    assert_int64_equal(in_flight(fx, &fx->supplier), 2);
    assert_state(fx, third.id, FO_STATE_PENDING, 0);

    fx->now += 1000; /* The first is done, the second half way. */
    stats = tick(fx);
    assert_int_equal(stats.completed_count, 1);
    assert_int_equal(stats.progressed_count, 1);
    assert_int_equal(stats.claimed_count, 1); /* The third, allocated by the completion. */
    assert_state(fx, first.id, FO_STATE_COMPLETED, 10);
    assert_state(fx, second.id, FO_STATE_EXECUTING, 10);
    assert_state(fx, third.id, FO_STATE_EXECUTING, 0);
    assert_int64_equal(in_flight(fx, &fx->supplier), 2);

    fx->now += 1000;
    stats = tick(fx);
    assert_int_equal(stats.completed_count, 2);
    assert_int64_equal(in_flight(fx, &fx->supplier), 0);
    assert_wallet(fx, TOPUP_MINOR - 40 * UNIT_PRICE_MINOR, 0);
    assert_verified(fx);
}

static void test_tick_leaves_outside_suppliers_alone(void **state)
{
    struct fixture *fx = *state;
    struct fo_supplier outside;
    supplier_create(fx, 5, 0, &outside);
    struct fo_service service;
    service_create(fx, &outside, &service);
    struct fo_order order = place_on(fx, &service, 10);
    assert_int_equal(order.state, FO_STATE_QUEUED);
    struct fo_simulator_stats stats = tick(fx);
    assert_int_equal(stats.suppliers_count, 1); /* Only the simulated one. */
    assert_int_equal(stats.claimed_count, 0);
    fx->now += 5000;
    tick(fx);
    assert_state(fx, order.id, FO_STATE_QUEUED, 0);
    assert_verified(fx);
}

/* Three suppliers with a full load each: a tick spends at most its budget, and the next
 * one goes on with the supplier it did not reach. */
static void test_tick_bounds_its_work_and_serves_round_robin(void **state)
{
    struct fixture *fx = *state;
    enum { SUPPLIERS = 3, JOBS = FO_SIMULATOR_JOBS_PER_SUPPLIER_MAX };
    struct fo_supplier suppliers[SUPPLIERS];
    struct fo_service services[SUPPLIERS];
    for (size_t index = 0; index < SUPPLIERS; index++) {
        supplier_create(fx, JOBS, UNITS_PER_S, &suppliers[index]);
        service_create(fx, &suppliers[index], &services[index]);
    }
    for (size_t index = 0; index < SUPPLIERS; index++) {
        for (size_t job = 0; job < JOBS; job++) {
            place_on(fx, &services[index], 10);
        }
    }
    /* Turns cost 1 for the fixture's idle supplier (first in seq order), then 101 per
     * loaded one; a turn is taken only when its worst case (201) still fits in 256. */
    assert_true(1 + 101 + FO_SIMULATOR_SUPPLIER_COST_MAX > FO_SIMULATOR_COMMANDS_PER_TICK_MAX);
    struct fo_simulator_stats stats = tick(fx);
    assert_int_equal(stats.suppliers_count, 2);
    assert_int_equal(stats.claimed_count, JOBS);
    assert_int64_equal(in_flight(fx, &suppliers[1]), JOBS); /* Queued, not yet claimed. */
    stats = tick(fx);
    assert_int_equal(stats.suppliers_count, 1);
    assert_int_equal(stats.claimed_count, JOBS);
    stats = tick(fx); /* The last supplier; the next tick starts over. */
    assert_int_equal(stats.suppliers_count, 1);
    assert_int_equal(stats.claimed_count, JOBS);
    stats = tick(fx);
    assert_int_equal(stats.suppliers_count, 2);
    assert_int_equal(stats.claimed_count + stats.progressed_count + stats.completed_count, 0);
    for (size_t index = 0; index < SUPPLIERS; index++) {
        assert_int64_equal(in_flight(fx, &suppliers[index]), JOBS);
    }
    fx->now += 1000;
    size_t completed_count = 0;
    for (int round = 0; round < 3; round++) {
        completed_count += tick(fx).completed_count;
    }
    assert_int_equal(completed_count, SUPPLIERS * JOBS);
    assert_wallet(fx, TOPUP_MINOR - SUPPLIERS * JOBS * 10 * UNIT_PRICE_MINOR, 0);
    assert_verified(fx);
}

int main(void)
{
    fo_secret_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivered_is_exact_floored_and_capped),
        cmocka_unit_test_setup_teardown(test_tick_claims_progresses_at_rate_and_completes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tick_moves_nothing_while_the_clock_stands_still, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tick_leaves_a_job_whose_lease_ran_out_to_expiry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tick_respects_a_cancel_between_ticks, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_tick_respects_capacity_and_claims_what_completion_frees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tick_leaves_outside_suppliers_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tick_bounds_its_work_and_serves_round_robin, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
