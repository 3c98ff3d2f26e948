/* Seeded random order lifecycles through the commands, checked against a tiny reference
 * model (STYLE.md §9).
 *
 * Property: for any sequence of placements, allocations, claims, progress reports,
 * completions, failures, cancellations (with and without an expected refund, by the
 * buyer, another buyer or the admin), top-ups, policy switches, clock jumps and lease
 * expiries, the store agrees after every step with a model that knows only API.md: each
 * command's outcome, every order's state, delivered units, lease and settlement, every
 * live quote, and every wallet. fo_order_check runs on every order read back, and the
 * whole-database verification (fo_query_verify) runs periodically and at the end.
 *
 * Method: the model is plain arithmetic on small numbers (prices and quantities are kept
 * small, so int64 products need no care), written from API.md and not from the core. Each
 * run prints its seed; FO_SEED=N replays it exactly; FO_SIM_STEPS and FO_SIM_RUNS scale
 * the run (defaults stay short enough for every `make unit`). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/commands/fixture.h"

#define SIM_BUYERS        3
#define SIM_SUPPLIERS     2
#define SIM_POLICIES      4
#define SIM_SERVICES      3
#define SIM_ORDERS_MAX    1000
#define SIM_CANCELS_MAX   1000
#define SIM_STEPS_DEFAULT 400
#define SIM_RUNS_DEFAULT  3
#define SIM_VERIFY_EVERY  50

struct model_order {
    char id[FO_ID_BYTES];
    int buyer;
    int service;
    int supplier;
    int policy;
    int64_t quantity;
    int64_t delivered;
    int64_t amount_minor;
    int64_t placed_at;
    int64_t lease_expires_at; /* 0 unless executing. */
    enum fo_state state;
    enum fo_reason settle_reason;
    struct fo_split split;
    int64_t settled_at;
};

struct model_service {
    char id[FO_ID_BYTES];
    int policy;
    int supplier;
    int64_t unit_price_minor;
    int64_t min_quantity;
    int64_t max_quantity;
};

struct sim {
    struct fixture fx; /* store, now, detail. */
    uint64_t random;
    struct fo_policy policies[SIM_POLICIES];
    struct fo_supplier suppliers[SIM_SUPPLIERS];
    struct model_service services[SIM_SERVICES];
    char buyer_ids[SIM_BUYERS][FO_ID_BYTES];
    int64_t available[SIM_BUYERS];
    int64_t held[SIM_BUYERS];
    int64_t cancel_at[SIM_BUYERS][SIM_CANCELS_MAX];
    size_t cancels_count[SIM_BUYERS];
    struct model_order orders[SIM_ORDERS_MAX];
    size_t orders_count;
    /* What the run exercised, printed at its end: outcomes by kind. */
    int64_t placed_count;
    int64_t refused_count;
    int64_t claimed_count;
    int64_t settled_count[FO_STATE_COUNT];
};

static int64_t pick(struct sim *sim, int64_t low, int64_t high)
{
    return fo_test_random_range(&sim->random, low, high);
}

static int64_t env_int(const char *name, int64_t fallback)
{
    const char *text = getenv(name);
    if (text == NULL || text[0] == '\0') {
        return fallback;
    }
    return strtoll(text, NULL, 10);
}

/* --- The reference model ------------------------------------------------------------- */

static bool model_is_open(enum fo_state state)
{
    return state == FO_STATE_PENDING || state == FO_STATE_QUEUED || state == FO_STATE_EXECUTING;
}

static int64_t model_cancels_in_window(const struct sim *sim, int buyer)
{
    int64_t count = 0;
    for (size_t index = 0; index < sim->cancels_count[buyer]; index++) {
        int64_t at = sim->cancel_at[buyer][index];
        if (sim->fx.now - 24 * 3600 * 1000 < at && at <= sim->fx.now) {
            count++;
        }
    }
    return count;
}

static int64_t model_fee(const struct fo_policy *policy, int64_t rest_minor)
{
    int64_t fee_minor = policy->fee_fixed_minor + rest_minor * policy->fee_bps / 10000;
    return fee_minor < rest_minor ? fee_minor : rest_minor;
}

/* API.md, "Cancellation rules", 1-4, and "Arithmetic". */
static struct fo_quote model_quote(const struct sim *sim, const struct model_order *order)
{
    const struct fo_policy *policy = &sim->policies[order->policy];
    struct fo_quote quote;
    memset(&quote, 0, sizeof quote);
    switch (order->state) {
    case FO_STATE_COMPLETED:
        quote.reason = FO_REASON_ALREADY_COMPLETED;
        return quote;
    case FO_STATE_CANCELLED:
        quote.reason = FO_REASON_ALREADY_CANCELLED;
        return quote;
    case FO_STATE_FAILED:
        quote.reason = FO_REASON_ALREADY_FAILED;
        return quote;
    case FO_STATE_EXECUTING:
        if (policy->executing != FO_EXECUTING_PRORATED) {
            quote.reason = FO_REASON_EXECUTING_NOT_CANCELLABLE;
            return quote;
        }
        quote.allowed = true;
        quote.reason = FO_REASON_EXECUTING_PRORATED;
        quote.split.charged_minor = order->amount_minor * order->delivered / order->quantity;
        quote.split.fee_minor = model_fee(policy, order->amount_minor - quote.split.charged_minor);
        quote.split.refund_minor =
            order->amount_minor - quote.split.charged_minor - quote.split.fee_minor;
        return quote;
    case FO_STATE_PENDING:
    case FO_STATE_QUEUED:
        break;
    }
    if (sim->fx.now - order->placed_at < policy->cooling_off_s * 1000 &&
        model_cancels_in_window(sim, order->buyer) < policy->free_cancels_per_day) {
        quote.allowed = true;
        quote.reason = FO_REASON_COOLING_OFF;
        quote.split.refund_minor = order->amount_minor;
        quote.has_rule_change = true;
        quote.rule_changes_at_unix_ms = order->placed_at + policy->cooling_off_s * 1000;
        return quote;
    }
    if (order->state == FO_STATE_PENDING) {
        quote.allowed = policy->pending == FO_PENDING_FULL_REFUND;
        quote.reason =
            quote.allowed ? FO_REASON_PENDING_FULL_REFUND : FO_REASON_PENDING_NOT_CANCELLABLE;
    } else if (policy->queued == FO_QUEUED_DENY) {
        quote.reason = FO_REASON_QUEUED_NOT_CANCELLABLE;
    } else {
        quote.allowed = true;
        bool fee = policy->queued == FO_QUEUED_FEE;
        quote.reason = fee ? FO_REASON_QUEUED_WITH_FEE : FO_REASON_QUEUED_FULL_REFUND;
        quote.split.fee_minor = fee ? model_fee(policy, order->amount_minor) : 0;
    }
    if (quote.allowed) {
        quote.split.refund_minor = order->amount_minor - quote.split.fee_minor;
    }
    return quote;
}

/* Settle an open order: the buyer's hold is released into charges, fees and refund. */
static void model_settle(struct sim *sim, struct model_order *order, enum fo_state state,
                         enum fo_reason reason, struct fo_split split)
{
    assert_true(model_is_open(order->state));
    assert_int64_equal(split.charged_minor + split.fee_minor + split.refund_minor,
                       order->amount_minor);
    sim->settled_count[state]++;
    order->state = state;
    order->settle_reason = reason;
    order->split = split;
    order->settled_at = sim->fx.now;
    order->lease_expires_at = 0;
    sim->held[order->buyer] -= order->amount_minor;
    sim->available[order->buyer] += split.refund_minor;
}

static int64_t model_in_flight(const struct sim *sim, int supplier)
{
    int64_t count = 0;
    for (size_t index = 0; index < sim->orders_count; index++) {
        const struct model_order *order = &sim->orders[index];
        if (order->supplier == supplier &&
            (order->state == FO_STATE_QUEUED || order->state == FO_STATE_EXECUTING)) {
            count++;
        }
    }
    return count;
}

/* Oldest pending first while the supplier has capacity (API.md, "Order states"). */
static void model_allocate(struct sim *sim, int supplier)
{
    int64_t in_flight = model_in_flight(sim, supplier);
    for (size_t index = 0; index < sim->orders_count; index++) {
        struct model_order *order = &sim->orders[index];
        if (in_flight >= sim->suppliers[supplier].capacity) {
            return;
        }
        if (order->supplier == supplier && order->state == FO_STATE_PENDING) {
            order->state = FO_STATE_QUEUED;
            in_flight++;
        }
    }
}

/* --- Comparing the store with the model --------------------------------------------- */

static void compare_quote(const struct fo_quote *actual, const struct fo_quote *expected,
                          const char *id)
{
    if (actual->reason != expected->reason || actual->allowed != expected->allowed) {
        fail_msg("order %s: quote %s, model %s", id, fo_reason_name(actual->reason),
                 fo_reason_name(expected->reason));
    }
    assert_int64_equal(actual->split.charged_minor, expected->split.charged_minor);
    assert_int64_equal(actual->split.fee_minor, expected->split.fee_minor);
    assert_int64_equal(actual->split.refund_minor, expected->split.refund_minor);
    assert_int_equal(actual->has_rule_change, expected->has_rule_change);
    assert_int64_equal(actual->rule_changes_at_unix_ms, expected->rule_changes_at_unix_ms);
}

static void compare_order(struct sim *sim, const struct model_order *expected)
{
    struct fo_order_view view;
    assert_int_equal(fo_query_order(sim->fx.store, sim->fx.now, NULL, expected->id, &view), FO_OK);
    const struct fo_order *actual = &view.order;
    assert_null(fo_order_check(actual));
    if (actual->state != expected->state) {
        fail_msg("order %s: state %s, model %s", expected->id, fo_state_name(actual->state),
                 fo_state_name(expected->state));
    }
    assert_int64_equal(actual->delivered, expected->delivered);
    assert_int64_equal(actual->amount_minor, expected->amount_minor);
    assert_int64_equal(actual->lease_expires_at_unix_ms, expected->lease_expires_at);
    assert_string_equal(actual->policy.id, sim->policies[expected->policy].id);
    if (fo_state_is_terminal(expected->state)) {
        assert_int_equal(actual->settlement.reason, expected->settle_reason);
        assert_int64_equal(actual->settlement.split.charged_minor, expected->split.charged_minor);
        assert_int64_equal(actual->settlement.split.fee_minor, expected->split.fee_minor);
        assert_int64_equal(actual->settlement.split.refund_minor, expected->split.refund_minor);
        assert_int64_equal(actual->settlement.at_unix_ms, expected->settled_at);
    }
    struct fo_quote quote = model_quote(sim, expected);
    compare_quote(&view.quote, &quote, expected->id);
}

static void verify_all(struct sim *sim)
{
    struct fo_verify_report *report = calloc(1, sizeof *report);
    assert_non_null(report);
    assert_int_equal(fo_query_verify(sim->fx.store, report), FO_OK);
    for (size_t index = 0; index < report->problems_count && index < FO_VERIFY_PROBLEMS_MAX;
         index++) {
        print_error("verify: %s\n", report->problems[index]);
    }
    assert_true(report->ok);
    assert_int64_equal(report->orders_count, (int64_t)sim->orders_count);
    free(report);
}

static void compare_all(struct sim *sim)
{
    for (size_t index = 0; index < sim->orders_count; index++) {
        compare_order(sim, &sim->orders[index]);
    }
    for (int buyer = 0; buyer < SIM_BUYERS; buyer++) {
        fx_assert_wallet(&sim->fx, sim->buyer_ids[buyer], sim->available[buyer], sim->held[buyer]);
    }
    /* No supplier with free capacity leaves an order pending. */
    for (int supplier = 0; supplier < SIM_SUPPLIERS; supplier++) {
        int64_t in_flight = model_in_flight(sim, supplier);
        assert_true(in_flight <= sim->suppliers[supplier].capacity);
        for (size_t index = 0;
             index < sim->orders_count && in_flight < sim->suppliers[supplier].capacity; index++) {
            const struct model_order *order = &sim->orders[index];
            assert_false(order->supplier == supplier && order->state == FO_STATE_PENDING);
        }
    }
}

/* --- The catalogue ------------------------------------------------------------------- */

static void sim_catalogue(struct sim *sim)
{
    static const int64_t cooling[] = {0, 30, 600};
    static const int64_t fixed[] = {0, 50, 1000};
    static const int64_t bps[] = {0, 200, 10000};
    for (int index = 0; index < SIM_POLICIES; index++) {
        struct fo_policy *policy = &sim->policies[index];
        *policy = fx_policy_default("sim");
        policy->cooling_off_s = cooling[pick(sim, 0, 2)];
        policy->pending = (enum fo_pending_rule)pick(sim, 1, 2);
        policy->queued = (enum fo_queued_rule)pick(sim, 1, 3);
        policy->executing = (enum fo_executing_rule)pick(sim, 1, 2);
        policy->fee_fixed_minor = fixed[pick(sim, 0, 2)];
        policy->fee_bps = bps[pick(sim, 0, 2)];
        policy->free_cancels_per_day = pick(sim, 0, 3);
        fx_policy_create(&sim->fx, policy);
    }
    for (int index = 0; index < SIM_SUPPLIERS; index++) {
        struct fo_supplier *supplier = &sim->suppliers[index];
        char token[FO_TOKEN_CHARS + 1];
        memset(supplier, 0, sizeof *supplier);
        snprintf(supplier->name, sizeof supplier->name, "supplier %d", index);
        supplier->capacity = pick(sim, 1, 3);
        supplier->lease_s = pick(sim, FO_LEASE_S_MIN, 60);
        fx_begin(&sim->fx);
        assert_int_equal(
            fo_cmd_supplier_create(sim->fx.store, sim->fx.now, supplier, token, &sim->fx.detail),
            FO_OK);
        fx_end(&sim->fx);
    }
    for (int index = 0; index < SIM_SERVICES; index++) {
        struct model_service *model = &sim->services[index];
        struct fo_service service;
        memset(&service, 0, sizeof service);
        snprintf(service.name, sizeof service.name, "service %d", index);
        snprintf(service.unit, sizeof service.unit, "unit");
        model->policy = (int)pick(sim, 0, SIM_POLICIES - 1);
        model->supplier = index % SIM_SUPPLIERS;
        model->unit_price_minor = service.unit_price_minor = pick(sim, 1, 20);
        model->min_quantity = service.min_quantity = pick(sim, 1, 5);
        model->max_quantity = service.max_quantity = pick(sim, 50, 500);
        snprintf(service.policy_id, sizeof service.policy_id, "%s",
                 sim->policies[model->policy].id);
        snprintf(service.supplier_id, sizeof service.supplier_id, "%s",
                 sim->suppliers[model->supplier].id);
        fx_begin(&sim->fx);
        assert_int_equal(
            fo_cmd_service_create(sim->fx.store, sim->fx.now, &service, &sim->fx.detail), FO_OK);
        fx_end(&sim->fx);
        memcpy(model->id, service.id, FO_ID_BYTES);
    }
    for (int index = 0; index < SIM_BUYERS; index++) {
        struct fo_buyer buyer;
        int64_t topup_minor = pick(sim, 1000, 30000);
        fx_buyer_create(&sim->fx, "sim buyer", topup_minor, &buyer);
        memcpy(sim->buyer_ids[index], buyer.id, FO_ID_BYTES);
        sim->available[index] = topup_minor;
    }
}

/* --- Steps --------------------------------------------------------------------------- */

static void step_place(struct sim *sim)
{
    if (sim->orders_count == SIM_ORDERS_MAX) {
        return;
    }
    int buyer = (int)pick(sim, 0, SIM_BUYERS - 1);
    int service_index = (int)pick(sim, 0, SIM_SERVICES - 1);
    struct model_service *service = &sim->services[service_index];
    int64_t quantity = pick(sim, service->min_quantity - 1, service->max_quantity + 1);
    int stale_policy = pick(sim, 0, 9) == 0 ? (int)pick(sim, 0, SIM_POLICIES - 1) : -1;
    struct fo_place_input input = {
        .service_id = service->id, .quantity = quantity, .target = "sim-target"};
    if (stale_policy >= 0) {
        input.expected_policy_id = sim->policies[stale_policy].id;
    }
    int64_t amount_minor = quantity * service->unit_price_minor;
    enum fo_err expected = FO_OK;
    if (quantity < service->min_quantity || quantity > service->max_quantity) {
        expected = FO_ERR_INVALID_REQUEST;
    } else if (stale_policy >= 0 && stale_policy != service->policy) {
        expected = FO_ERR_POLICY_CHANGED;
    } else if (amount_minor > sim->available[buyer]) {
        expected = FO_ERR_INSUFFICIENT_FUNDS;
    }
    struct fo_order_view view;
    struct fo_policy current;
    fx_begin(&sim->fx);
    enum fo_err err = fo_cmd_place(sim->fx.store, sim->fx.now, sim->buyer_ids[buyer], &input, &view,
                                   &current, &sim->fx.detail);
    fx_end(&sim->fx);
    assert_int_equal(err, expected);
    if (err != FO_OK) {
        sim->refused_count++;
        return;
    }
    sim->placed_count++;
    struct model_order *order = &sim->orders[sim->orders_count++];
    memset(order, 0, sizeof *order);
    memcpy(order->id, view.order.id, FO_ID_BYTES);
    order->buyer = buyer;
    order->service = service_index;
    order->supplier = service->supplier;
    order->policy = service->policy;
    order->quantity = quantity;
    order->amount_minor = amount_minor;
    order->placed_at = sim->fx.now;
    order->state = FO_STATE_PENDING;
    sim->available[buyer] -= amount_minor;
    sim->held[buyer] += amount_minor;
    model_allocate(sim, order->supplier);
}

static void step_claim(struct sim *sim)
{
    int supplier = (int)pick(sim, 0, SIM_SUPPLIERS - 1);
    int64_t max = pick(sim, 1, 3);
    struct fo_order claimed[3];
    size_t count = 0;
    fx_begin(&sim->fx);
    assert_int_equal(fo_cmd_claim(sim->fx.store, sim->fx.now, sim->suppliers[supplier].id, max,
                                  claimed, &count, &sim->fx.detail),
                     FO_OK);
    fx_end(&sim->fx);
    size_t expected_count = 0;
    for (size_t index = 0; index < sim->orders_count && (int64_t)expected_count < max; index++) {
        struct model_order *order = &sim->orders[index];
        if (order->supplier != supplier || order->state != FO_STATE_QUEUED) {
            continue;
        }
        assert_true(expected_count < count);
        assert_string_equal(claimed[expected_count].id, order->id);
        order->state = FO_STATE_EXECUTING;
        order->lease_expires_at = sim->fx.now + sim->suppliers[supplier].lease_s * 1000;
        expected_count++;
    }
    assert_int_equal(count, expected_count);
    sim->claimed_count += (int64_t)count;
}

/* A random order, preferring executing ones (most supplier steps need one). */
static struct model_order *pick_order(struct sim *sim)
{
    if (sim->orders_count == 0) {
        return NULL;
    }
    if (pick(sim, 0, 9) < 7) {
        size_t start = (size_t)pick(sim, 0, (int64_t)sim->orders_count - 1);
        for (size_t offset = 0; offset < sim->orders_count; offset++) {
            struct model_order *order = &sim->orders[(start + offset) % sim->orders_count];
            if (order->state == FO_STATE_EXECUTING) {
                return order;
            }
        }
    }
    return &sim->orders[pick(sim, 0, (int64_t)sim->orders_count - 1)];
}

/* The outcome core's rules give a supplier's report of `delivered` (commands.h). */
static enum fo_err model_report(const struct sim *sim, const struct model_order *order,
                                int supplier, int64_t delivered)
{
    (void)sim;
    if (supplier != order->supplier) {
        return FO_ERR_NOT_FOUND;
    }
    if (order->state != FO_STATE_EXECUTING) {
        return FO_ERR_JOB_NOT_ACTIVE;
    }
    if (delivered < order->delivered || delivered > order->quantity) {
        return FO_ERR_INVALID_PROGRESS;
    }
    return FO_OK;
}

enum report_kind { REPORT_PROGRESS, REPORT_COMPLETE, REPORT_FAIL };

static enum fo_err run_report(struct sim *sim, enum report_kind kind, int supplier,
                              const char *order_id, int64_t delivered)
{
    struct fo_order_view view;
    const char *supplier_id = sim->suppliers[supplier].id;
    fx_begin(&sim->fx);
    enum fo_err err = FO_OK;
    if (kind == REPORT_PROGRESS) {
        err = fo_cmd_progress(sim->fx.store, sim->fx.now, supplier_id, order_id, delivered, &view,
                              &sim->fx.detail);
    } else if (kind == REPORT_COMPLETE) {
        err = fo_cmd_complete(sim->fx.store, sim->fx.now, supplier_id, order_id, delivered, &view,
                              &sim->fx.detail);
    } else {
        err = fo_cmd_fail(sim->fx.store, sim->fx.now, supplier_id, order_id, delivered,
                          "sim failure", &view, &sim->fx.detail);
    }
    fx_end(&sim->fx);
    if (err == FO_ERR_JOB_NOT_ACTIVE) {
        assert_string_equal(view.order.id, order_id);
    }
    return err;
}

static void step_report(struct sim *sim, enum report_kind kind)
{
    struct model_order *order = pick_order(sim);
    if (order == NULL) {
        return;
    }
    int supplier = pick(sim, 0, 9) == 0 ? (int)pick(sim, 0, SIM_SUPPLIERS - 1) : order->supplier;
    int64_t delivered = order->delivered + pick(sim, -2, order->quantity / 2 + 2);
    if (kind == REPORT_COMPLETE && pick(sim, 0, 3) > 0) {
        delivered = order->quantity;
    }
    enum fo_err expected = model_report(sim, order, supplier, delivered);
    if (expected == FO_OK && kind == REPORT_COMPLETE && delivered != order->quantity) {
        expected = FO_ERR_INVALID_PROGRESS;
    }
    assert_int_equal(run_report(sim, kind, supplier, order->id, delivered), expected);
    if (expected != FO_OK) {
        sim->refused_count++;
        return;
    }
    order->delivered = delivered;
    if (kind == REPORT_PROGRESS) {
        order->lease_expires_at = sim->fx.now + sim->suppliers[supplier].lease_s * 1000;
        return;
    }
    struct fo_split split = {.charged_minor = order->amount_minor * delivered / order->quantity};
    split.refund_minor = order->amount_minor - split.charged_minor;
    model_settle(sim, order, kind == REPORT_COMPLETE ? FO_STATE_COMPLETED : FO_STATE_FAILED,
                 kind == REPORT_COMPLETE ? FO_REASON_COMPLETED : FO_REASON_SUPPLIER_FAILED, split);
    model_allocate(sim, order->supplier);
}

static void step_cancel(struct sim *sim)
{
    struct model_order *order = pick_order(sim);
    if (order == NULL) {
        return;
    }
    int64_t who = pick(sim, 0, 9); /* 0: admin, 1: another buyer, else the buyer. */
    int wrong_buyer = (order->buyer + 1) % SIM_BUYERS;
    struct fo_cancel_input input = {
        .order_id = order->id,
        .buyer_id = who == 0 ? NULL : sim->buyer_ids[who == 1 ? wrong_buyer : order->buyer],
        .reason = "sim cancel"};
    struct fo_quote quote = model_quote(sim, order);
    if (pick(sim, 0, 2) == 0) {
        input.has_expected_refund = true;
        input.expected_refund_minor = quote.split.refund_minor + pick(sim, 0, 1);
    }
    enum fo_err expected = FO_OK;
    if (who == 1) {
        expected = FO_ERR_NOT_FOUND;
    } else if (!quote.allowed) {
        expected = FO_ERR_NOT_CANCELLABLE;
    } else if (input.has_expected_refund &&
               input.expected_refund_minor > quote.split.refund_minor) {
        expected = FO_ERR_QUOTE_CHANGED;
    }
    struct fo_order_view view;
    struct fo_quote refused;
    fx_begin(&sim->fx);
    enum fo_err err =
        fo_cmd_cancel(sim->fx.store, sim->fx.now, &input, &view, &refused, &sim->fx.detail);
    fx_end(&sim->fx);
    assert_int_equal(err, expected);
    if (err == FO_ERR_NOT_CANCELLABLE || err == FO_ERR_QUOTE_CHANGED) {
        compare_quote(&refused, &quote, order->id);
    }
    if (err != FO_OK) {
        sim->refused_count++;
        return;
    }
    bool frees_capacity = order->state == FO_STATE_QUEUED || order->state == FO_STATE_EXECUTING;
    model_settle(sim, order, FO_STATE_CANCELLED, quote.reason, quote.split);
    assert_true(sim->cancels_count[order->buyer] < SIM_CANCELS_MAX);
    sim->cancel_at[order->buyer][sim->cancels_count[order->buyer]++] = sim->fx.now;
    if (frees_capacity) {
        model_allocate(sim, order->supplier);
    }
}

static void step_expire(struct sim *sim)
{
    size_t count = 0;
    fx_begin(&sim->fx);
    assert_int_equal(fo_cmd_expire_leases(sim->fx.store, sim->fx.now, 1000, &count), FO_OK);
    fx_end(&sim->fx);
    size_t expected_count = 0;
    for (size_t index = 0; index < sim->orders_count; index++) {
        struct model_order *order = &sim->orders[index];
        if (order->state != FO_STATE_EXECUTING || order->lease_expires_at > sim->fx.now) {
            continue;
        }
        struct fo_split split = {.charged_minor =
                                     order->amount_minor * order->delivered / order->quantity};
        split.refund_minor = order->amount_minor - split.charged_minor;
        model_settle(sim, order, FO_STATE_FAILED, FO_REASON_SUPPLIER_TIMEOUT, split);
        expected_count++;
    }
    for (int supplier = 0; supplier < SIM_SUPPLIERS; supplier++) {
        model_allocate(sim, supplier);
    }
    assert_int_equal(count, expected_count);
}

static void step_advance(struct sim *sim)
{
    int64_t kind = pick(sim, 0, 19);
    if (kind < 14) {
        sim->fx.now += pick(sim, 0, 3000);
    } else if (kind < 18) {
        sim->fx.now += pick(sim, 10, 70) * 1000;
    } else if (kind < 19) {
        sim->fx.now += 600 * 1000;
    } else {
        sim->fx.now += 24 * 3600 * 1000 + pick(sim, -2, 2);
    }
}

static void step_topup(struct sim *sim)
{
    int buyer = (int)pick(sim, 0, SIM_BUYERS - 1);
    int64_t amount_minor = pick(sim, 1, 20000);
    struct fo_buyer after;
    fx_begin(&sim->fx);
    assert_int_equal(fo_cmd_topup(sim->fx.store, sim->fx.now, sim->buyer_ids[buyer], amount_minor,
                                  "sim", &after, &sim->fx.detail),
                     FO_OK);
    fx_end(&sim->fx);
    sim->available[buyer] += amount_minor;
    assert_int64_equal(after.available_minor, sim->available[buyer]);
}

static void step_switch_policy(struct sim *sim)
{
    int service = (int)pick(sim, 0, SIM_SERVICES - 1);
    int policy = (int)pick(sim, 0, SIM_POLICIES - 1);
    struct fo_service_patch patch = {.policy_id = sim->policies[policy].id};
    struct fo_service after;
    fx_begin(&sim->fx);
    assert_int_equal(fo_cmd_service_update(sim->fx.store, sim->fx.now, sim->services[service].id,
                                           &patch, &after, &sim->fx.detail),
                     FO_OK);
    fx_end(&sim->fx);
    sim->services[service].policy = policy;
}

static void sim_step(struct sim *sim)
{
    int64_t roll = pick(sim, 0, 99);
    if (roll < 22) {
        step_place(sim);
    } else if (roll < 36) {
        step_claim(sim);
    } else if (roll < 54) {
        step_report(sim, REPORT_PROGRESS);
    } else if (roll < 61) {
        step_report(sim, REPORT_COMPLETE);
    } else if (roll < 65) {
        step_report(sim, REPORT_FAIL);
    } else if (roll < 78) {
        step_cancel(sim);
    } else if (roll < 83) {
        step_expire(sim);
    } else if (roll < 95) {
        step_advance(sim);
    } else if (roll < 98) {
        step_topup(sim);
    } else {
        step_switch_policy(sim);
    }
}

static void sim_run(uint64_t seed, int64_t steps)
{
    struct sim *sim = calloc(1, sizeof *sim);
    assert_non_null(sim);
    sim->random = seed;
    fo_test_temp_dir("lifecycle-sim", sim->fx.dir, sizeof sim->fx.dir);
    snprintf(sim->fx.path, sizeof sim->fx.path, "%s/fairorder.db", sim->fx.dir);
    assert_int_equal(fo_store_open(sim->fx.path, true, &sim->fx.store), FO_OK);
    sim->fx.now = FX_START_UNIX_MS + pick(sim, 0, 999);
    sim_catalogue(sim);
    for (int64_t step = 1; step <= steps; step++) {
        sim_step(sim);
        compare_all(sim);
        if (step % SIM_VERIFY_EVERY == 0) {
            verify_all(sim);
        }
    }
    verify_all(sim);
    printf("lifecycle_sim: %" PRId64 " steps: %" PRId64 " placed, %" PRId64 " claimed, %" PRId64
           " completed, %" PRId64 " cancelled, %" PRId64 " failed, %" PRId64 " refused\n",
           steps, sim->placed_count, sim->claimed_count, sim->settled_count[FO_STATE_COMPLETED],
           sim->settled_count[FO_STATE_CANCELLED], sim->settled_count[FO_STATE_FAILED],
           sim->refused_count);
    fo_store_close(sim->fx.store);
    free(sim);
}

static void test_lifecycle_sim_matches_reference_model(void **state)
{
    (void)state;
    uint64_t seed = fo_test_seed("lifecycle_sim");
    int64_t steps = env_int("FO_SIM_STEPS", SIM_STEPS_DEFAULT);
    int64_t runs = getenv("FO_SEED") != NULL ? 1 : env_int("FO_SIM_RUNS", SIM_RUNS_DEFAULT);
    for (int64_t run = 0; run < runs; run++) {
        /* Each run's seed derives from the printed one; a failing run prints its own. */
        uint64_t run_seed = seed + (uint64_t)run;
        if (run > 0) {
            printf("lifecycle_sim: run %" PRId64 " seed %" PRIu64 " (replay with FO_SEED=%" PRIu64
                   ")\n",
                   run, run_seed, run_seed);
        }
        sim_run(run_seed, steps);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_sim_matches_reference_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
