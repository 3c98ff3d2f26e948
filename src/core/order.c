/* Orders: the state machine, the settlement split and the invariants of one order.
 *
 * This file is the authority on how an order moves (API.md, "Order states"); the commands
 * in src/commands ask it what happens and write the result, and nothing else changes an
 * order's state or money. Every function is pure: the clock and the lease length come in
 * as parameters, and only the struct given is read or written. No I/O, no allocation.
 *
 *                 THE STATES OF AN ORDER (API.md's diagram, in ASCII)
 *
 *   pending --allocate--> queued --claim--> executing --complete--> completed
 *      |                    |                  |   `--fail/lease timeout--> failed
 *      `--cancel--> cancelled <--cancel--------+--cancel (prorated)
 *
 * Every legal transition, and the command that performs it:
 *
 *   from        transition   to          command (src/commands)     core function
 *   ----------  -----------  ----------  -------------------------  ---------------------
 *   pending     allocate     queued      allocate (run by place,    fo_order_allocate
 *                                        and whenever cancel,
 *                                        complete, fail or expiry
 *                                        frees capacity)
 *   pending     cancel       cancelled   cancel                     fo_order_cancel
 *   queued      claim        executing   claim                      fo_order_claim
 *   queued      cancel       cancelled   cancel                     fo_order_cancel
 *   executing   progress     executing   progress                   fo_order_progress
 *   executing   complete     completed   complete                   fo_order_complete
 *   executing   fail         failed      fail, expire (lease)       fo_order_fail
 *   executing   cancel       cancelled   cancel                     fo_order_cancel
 *
 * Every other (state, transition) pair is illegal: fo_order_transition says no, the
 * transition functions assert, and progress/complete/fail answer JOB_NOT_ACTIVE. The
 * terminal states have no way out.
 *
 * What each state guarantees. fo_order_check verifies everything one order can show;
 * fo_ledger_check_order verifies the holds against the order's journals; the capacity
 * count is the allocate command's (it reads the supplier's in-flight orders):
 *
 *   pending    Paid: the whole amount is held (one hold journal, no settlement).
 *              delivered = 0. No supplier works on it, so there is no lease
 *              (lease_expires_at = 0). settled = false, settlement reason NONE.
 *
 *   queued     Allocated to exactly one supplier, the service's supplier at placement
 *              (supplier_id), and counted in that supplier's capacity. Whole amount held,
 *              delivered = 0, no lease yet (0), not settled.
 *
 *   executing  Claimed by its supplier under a lease: lease_expires_at > 0, set by claim
 *              to now + lease_s and renewed by every progress report. 0 <= delivered <=
 *              quantity, never decreasing. Whole amount still held, not settled. Reaching
 *              delivered = quantity does not complete it: the supplier must say so.
 *
 *   completed  Terminal. delivered = quantity; settlement reason COMPLETED, charged =
 *              amount, fee = refund = 0. No lease. settled = true.
 *
 *   cancelled  Terminal. Settled by a buyer's cancel with the quote's reason, which is an
 *              allowed one (cooling_off, *_full_refund, queued_with_fee,
 *              executing_prorated); only executing_prorated can follow a delivery, every
 *              other reason has delivered = 0. No lease. settled = true.
 *
 *   failed     Terminal. The supplier gave up (supplier_failed) or its lease ran out
 *              (supplier_timeout): delivered units are charged, no fee, the rest refunded.
 *              No lease. settled = true.
 *
 * In every terminal state: charged + fee + refund = amount, each >= 0, the split is
 * exactly what fo_split_compute gives for the settlement reason, and settlement.at and
 * updated_at are the instant of the terminal transition. Nothing changes a terminal order
 * again. */
#include "core/order.h"

#include <string.h>

#include "core/assert.h"
#include "core/money.h"
#include "core/utf8.h"

static const char *const state_names[FO_STATE_COUNT] = {
    "pending", "queued", "executing", "completed", "cancelled", "failed",
};

#define REASON_NAME(name, text) text,
static const char *const reason_names[FO_REASON_COUNT] = {FO_REASON_TABLE(REASON_NAME)};
#undef REASON_NAME

static bool state_is_valid(enum fo_state state)
{
    bool valid = (int)state >= 0 && (int)state < FO_STATE_COUNT;
    FO_ASSERT(!valid || state_names[state] != NULL);
    FO_ASSERT(FO_STATE_COUNT == 6);
    return valid;
}

const char *fo_state_name(enum fo_state state)
{
    FO_ASSERT(state_is_valid(state));
    const char *name = state_names[state];
    FO_ASSERT(name != NULL);
    return name;
}

bool fo_state_parse(const char *name, enum fo_state *out)
{
    FO_ASSERT(name != NULL);
    FO_ASSERT(out != NULL);

    for (int index = 0; index < FO_STATE_COUNT; index++) {
        if (strcmp(name, state_names[index]) == 0) {
            *out = (enum fo_state)index;
            return true;
        }
    }
    return false;
}

bool fo_state_is_terminal(enum fo_state state)
{
    FO_ASSERT(state_is_valid(state));
    bool terminal =
        state == FO_STATE_COMPLETED || state == FO_STATE_CANCELLED || state == FO_STATE_FAILED;
    FO_ASSERT(terminal == (state >= FO_STATE_COMPLETED));
    return terminal;
}

const char *fo_reason_name(enum fo_reason reason)
{
    FO_ASSERT((int)reason >= 0);
    FO_ASSERT((int)reason < FO_REASON_COUNT);
    return reason_names[reason];
}

/* The transition table: next[from][transition], or -1 where the pair is illegal. */
#define ILLEGAL (-1)
static const int transition_next[FO_STATE_COUNT][FO_TRANSITION_CANCEL + 1] = {
    /*               allocate         claim               progress            complete
     *               fail             cancel */
    [FO_STATE_PENDING] = {FO_STATE_QUEUED, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, FO_STATE_CANCELLED},
    [FO_STATE_QUEUED] = {ILLEGAL, FO_STATE_EXECUTING, ILLEGAL, ILLEGAL, ILLEGAL,
                         FO_STATE_CANCELLED},
    [FO_STATE_EXECUTING] = {ILLEGAL, ILLEGAL, FO_STATE_EXECUTING, FO_STATE_COMPLETED,
                            FO_STATE_FAILED, FO_STATE_CANCELLED},
    [FO_STATE_COMPLETED] = {ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL},
    [FO_STATE_CANCELLED] = {ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL},
    [FO_STATE_FAILED] = {ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL},
};

bool fo_order_transition(enum fo_state from, enum fo_transition transition, enum fo_state *out_to)
{
    FO_ASSERT(state_is_valid(from));
    FO_ASSERT((int)transition >= 0);
    FO_ASSERT(transition <= FO_TRANSITION_CANCEL);
    FO_ASSERT(out_to != NULL);

    int next = transition_next[from][transition];
    if (next == ILLEGAL) {
        return false;
    }
    *out_to = (enum fo_state)next;

    FO_ASSERT(state_is_valid(*out_to));
    FO_ASSERT(!fo_state_is_terminal(from));
    return true;
}

/* min(rest, fee_fixed + floor(rest * fee_bps / 10000)) (API.md, "Arithmetic"). */
static int64_t split_compute_fee(const struct fo_policy *policy, int64_t rest_minor)
{
    FO_ASSERT(rest_minor >= 0);
    FO_ASSERT(policy->fee_fixed_minor >= 0);
    FO_ASSERT(policy->fee_fixed_minor <= FO_FEE_FIXED_MINOR_MAX);
    FO_ASSERT(policy->fee_bps >= 0);
    FO_ASSERT(policy->fee_bps <= FO_FEE_BPS_MAX);

    int64_t proportional_minor = fo_money_mul_div_floor(rest_minor, policy->fee_bps, FO_BPS_WHOLE);
    int64_t fee_minor = policy->fee_fixed_minor + proportional_minor;
    if (fee_minor > rest_minor) {
        fee_minor = rest_minor;
    }

    FO_ASSERT(fee_minor >= 0);
    FO_ASSERT(fee_minor <= rest_minor);
    return fee_minor;
}

void fo_split_compute(const struct fo_order *order, enum fo_reason reason, struct fo_split *out)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(order->quantity > 0);
    FO_ASSERT(order->quantity <= FO_QUANTITY_MAX);
    FO_ASSERT(order->delivered >= 0);
    FO_ASSERT(order->delivered <= order->quantity);
    FO_ASSERT(order->amount_minor > 0);
    FO_ASSERT(order->amount_minor <= FO_AMOUNT_MINOR_MAX);

    bool prorated = reason == FO_REASON_EXECUTING_PRORATED || reason == FO_REASON_SUPPLIER_FAILED ||
                    reason == FO_REASON_SUPPLIER_TIMEOUT;
    bool with_fee = reason == FO_REASON_QUEUED_WITH_FEE || reason == FO_REASON_EXECUTING_PRORATED;
    bool full_refund = reason == FO_REASON_COOLING_OFF || reason == FO_REASON_PENDING_FULL_REFUND ||
                       reason == FO_REASON_QUEUED_FULL_REFUND;
    FO_ASSERT(prorated || with_fee || full_refund || reason == FO_REASON_COMPLETED);
    FO_ASSERT(reason != FO_REASON_COMPLETED || order->delivered == order->quantity);

    int64_t charged_minor = 0;
    if (reason == FO_REASON_COMPLETED) {
        charged_minor = order->amount_minor;
    } else if (prorated) {
        charged_minor =
            fo_money_mul_div_floor(order->amount_minor, order->delivered, order->quantity);
    }
    int64_t rest_minor = order->amount_minor - charged_minor;
    int64_t fee_minor = with_fee ? split_compute_fee(&order->policy, rest_minor) : 0;
    out->charged_minor = charged_minor;
    out->fee_minor = fee_minor;
    out->refund_minor = rest_minor - fee_minor;

    FO_ASSERT(out->charged_minor >= 0);
    FO_ASSERT(out->fee_minor >= 0);
    FO_ASSERT(out->refund_minor >= 0);
    FO_ASSERT(out->charged_minor + out->fee_minor + out->refund_minor == order->amount_minor);
}

/* Move `order` along `transition`, asserting it is legal; returns the new state. */
static enum fo_state order_step(struct fo_order *order, enum fo_transition transition,
                                int64_t now_unix_ms)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(fo_order_check(order) == NULL);

    enum fo_state to = FO_STATE_PENDING;
    bool legal = fo_order_transition(order->state, transition, &to);
    FO_ASSERT(legal);
    order->state = to;
    order->updated_at_unix_ms = now_unix_ms;

    FO_ASSERT(order->state == to);
    return to;
}

/* Settle `order` in its (already set) terminal state with `reason`, at now. */
static void order_settle(struct fo_order *order, enum fo_reason reason, int64_t now_unix_ms)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(fo_state_is_terminal(order->state));
    FO_ASSERT(!order->settled);

    fo_split_compute(order, reason, &order->settlement.split);
    order->settlement.reason = reason;
    order->settlement.at_unix_ms = now_unix_ms;
    order->settled = true;
    order->lease_expires_at_unix_ms = 0;
    order->updated_at_unix_ms = now_unix_ms;

    FO_ASSERT(order->settled);
    FO_ASSERT(fo_order_check(order) == NULL);
}

void fo_order_allocate(struct fo_order *order, int64_t now_unix_ms)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(order->state == FO_STATE_PENDING);

    order_step(order, FO_TRANSITION_ALLOCATE, now_unix_ms);

    FO_ASSERT(order->state == FO_STATE_QUEUED);
    FO_ASSERT(fo_order_check(order) == NULL);
}

void fo_order_claim(struct fo_order *order, int64_t now_unix_ms, int64_t lease_s)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(lease_s > 0);
    FO_ASSERT(lease_s <= FO_LEASE_S_MAX);
    FO_ASSERT(now_unix_ms >= 0);

    order_step(order, FO_TRANSITION_CLAIM, now_unix_ms);
    order->lease_expires_at_unix_ms = now_unix_ms + lease_s * 1000;

    FO_ASSERT(order->state == FO_STATE_EXECUTING);
    FO_ASSERT(fo_order_check(order) == NULL);
}

/* The errors shared by progress, complete and fail; FO_OK when `delivered` may be reported. */
static enum fo_err order_check_report(const struct fo_order *order, int64_t delivered)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(fo_order_check(order) == NULL);

    if (order->state != FO_STATE_EXECUTING) {
        return FO_ERR_JOB_NOT_ACTIVE;
    }
    if (delivered < order->delivered || delivered > order->quantity) {
        return FO_ERR_INVALID_PROGRESS;
    }
    FO_ASSERT(delivered >= 0);
    return FO_OK;
}

enum fo_err fo_order_progress(struct fo_order *order, int64_t delivered, int64_t now_unix_ms,
                              int64_t lease_s)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(lease_s > 0);
    FO_ASSERT(lease_s <= FO_LEASE_S_MAX);
    FO_ASSERT(now_unix_ms >= 0);

    enum fo_err err = order_check_report(order, delivered);
    if (err != FO_OK) {
        return err;
    }
    order_step(order, FO_TRANSITION_PROGRESS, now_unix_ms);
    order->delivered = delivered;
    order->lease_expires_at_unix_ms = now_unix_ms + lease_s * 1000;

    FO_ASSERT(order->state == FO_STATE_EXECUTING);
    FO_ASSERT(fo_order_check(order) == NULL);
    return FO_OK;
}

enum fo_err fo_order_complete(struct fo_order *order, int64_t delivered, int64_t now_unix_ms)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(fo_order_check(order) == NULL);

    enum fo_err err = order_check_report(order, delivered);
    if (err != FO_OK) {
        return err;
    }
    if (delivered != order->quantity) {
        return FO_ERR_INVALID_PROGRESS;
    }
    order_step(order, FO_TRANSITION_COMPLETE, now_unix_ms);
    order->delivered = delivered;
    order_settle(order, FO_REASON_COMPLETED, now_unix_ms);

    FO_ASSERT(order->state == FO_STATE_COMPLETED);
    FO_ASSERT(order->settlement.split.charged_minor == order->amount_minor);
    return FO_OK;
}

enum fo_err fo_order_fail(struct fo_order *order, int64_t delivered, enum fo_reason reason,
                          int64_t now_unix_ms)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(reason == FO_REASON_SUPPLIER_FAILED || reason == FO_REASON_SUPPLIER_TIMEOUT);

    enum fo_err err = order_check_report(order, delivered);
    if (err != FO_OK) {
        return err;
    }
    order_step(order, FO_TRANSITION_FAIL, now_unix_ms);
    order->delivered = delivered;
    order_settle(order, reason, now_unix_ms);

    FO_ASSERT(order->state == FO_STATE_FAILED);
    FO_ASSERT(order->settlement.split.fee_minor == 0);
    return FO_OK;
}

/* True when text is NUL-terminated within its array of `bytes` and not empty. */
static bool check_text_present(const char *text, size_t bytes)
{
    FO_ASSERT(text != NULL);
    FO_ASSERT(bytes > 0);
    return text[0] != '\0' && memchr(text, '\0', bytes) != NULL;
}

static const char *order_check_texts(const struct fo_order *order)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(sizeof order->target == FO_TARGET_BYTES);

    if (!check_text_present(order->id, sizeof order->id) ||
        !check_text_present(order->buyer_id, sizeof order->buyer_id) ||
        !check_text_present(order->service_id, sizeof order->service_id) ||
        !check_text_present(order->supplier_id, sizeof order->supplier_id) ||
        !check_text_present(order->policy.id, sizeof order->policy.id)) {
        return "an id of the order (order, buyer, service, supplier or policy) is empty";
    }
    if (!check_text_present(order->currency, sizeof order->currency)) {
        return "the order has no currency";
    }
    if (!check_text_present(order->target, sizeof order->target)) {
        return "the order has no target";
    }
    size_t target_bytes = strlen(order->target);
    size_t target_chars = 0;
    if (!fo_utf8_valid(order->target, target_bytes, &target_chars) ||
        target_chars > FO_TARGET_CHARS_MAX || fo_utf8_has_control(order->target, target_bytes)) {
        return "the order's target is not 1..128 characters of UTF-8 without controls";
    }
    return NULL;
}

static const char *order_check_amounts(const struct fo_order *order)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(FO_QUANTITY_MAX > 0);

    if (order->quantity < 1 || order->quantity > FO_QUANTITY_MAX) {
        return "quantity is outside 1..1000000000";
    }
    if (order->delivered < 0 || order->delivered > order->quantity) {
        return "delivered is outside 0..quantity";
    }
    if (order->unit_price_minor < 1 || order->unit_price_minor > FO_UNIT_PRICE_MINOR_MAX) {
        return "unit_price_minor is outside 1..1000000000";
    }
    int64_t product_minor = 0;
    if (!fo_money_mul_checked(order->quantity, order->unit_price_minor, &product_minor) ||
        product_minor != order->amount_minor) {
        return "amount_minor is not quantity * unit_price_minor";
    }
    if (order->amount_minor > FO_AMOUNT_MINOR_MAX) {
        return "amount_minor exceeds 10^15";
    }
    return NULL;
}

static const char *order_check_state(const struct fo_order *order)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(order->delivered >= 0);

    if (!state_is_valid(order->state)) {
        return "the state is not one of the six states";
    }
    bool terminal = fo_state_is_terminal(order->state);
    if (order->settled != terminal) {
        return "settled does not agree with the state (settled exactly when terminal)";
    }
    bool waiting = order->state == FO_STATE_PENDING || order->state == FO_STATE_QUEUED;
    if (waiting && order->delivered != 0) {
        return "a pending or queued order has delivered units";
    }
    if (order->state == FO_STATE_EXECUTING && order->lease_expires_at_unix_ms <= 0) {
        return "an executing order has no lease";
    }
    if (order->state != FO_STATE_EXECUTING && order->lease_expires_at_unix_ms != 0) {
        return "an order that is not executing has a lease";
    }
    if (!terminal && order->settlement.reason != FO_REASON_NONE) {
        return "an open order has a settlement";
    }
    return NULL;
}

/* Whether `reason` may settle an order in the terminal `state`. */
static bool check_settlement_reason(enum fo_state state, enum fo_reason reason)
{
    FO_ASSERT(fo_state_is_terminal(state));
    FO_ASSERT((int)reason >= 0);
    FO_ASSERT((int)reason < FO_REASON_COUNT);

    switch (state) {
    case FO_STATE_COMPLETED:
        return reason == FO_REASON_COMPLETED;
    case FO_STATE_FAILED:
        return reason == FO_REASON_SUPPLIER_FAILED || reason == FO_REASON_SUPPLIER_TIMEOUT;
    case FO_STATE_CANCELLED:
        return reason == FO_REASON_COOLING_OFF || reason == FO_REASON_PENDING_FULL_REFUND ||
               reason == FO_REASON_QUEUED_FULL_REFUND || reason == FO_REASON_QUEUED_WITH_FEE ||
               reason == FO_REASON_EXECUTING_PRORATED;
    case FO_STATE_PENDING:
    case FO_STATE_QUEUED:
    case FO_STATE_EXECUTING:
        break;
    }
    return false;
}

/* The settlement of a terminal order (amounts, state and policy already checked). */
static const char *order_check_settlement(const struct fo_order *order)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(order->settled);

    const struct fo_settlement *settlement = &order->settlement;
    int reason_value = (int)settlement->reason;
    if (reason_value < 0 || reason_value >= FO_REASON_COUNT ||
        !check_settlement_reason(order->state, settlement->reason)) {
        return "the settlement reason does not fit the terminal state";
    }
    const struct fo_split *split = &settlement->split;
    if (split->charged_minor < 0 || split->fee_minor < 0 || split->refund_minor < 0) {
        return "a settlement amount is negative";
    }
    int64_t sum_minor = 0;
    if (!fo_money_add_checked(split->charged_minor, split->fee_minor, &sum_minor) ||
        !fo_money_add_checked(sum_minor, split->refund_minor, &sum_minor) ||
        sum_minor != order->amount_minor) {
        return "charged + fee + refund is not the amount";
    }
    if (order->state == FO_STATE_COMPLETED && order->delivered != order->quantity) {
        return "a completed order has undelivered units";
    }
    if (order->state == FO_STATE_CANCELLED && settlement->reason != FO_REASON_EXECUTING_PRORATED &&
        order->delivered != 0) {
        return "an order cancelled before execution has delivered units";
    }
    struct fo_split expected;
    fo_split_compute(order, settlement->reason, &expected);
    if (expected.charged_minor != split->charged_minor || expected.fee_minor != split->fee_minor ||
        expected.refund_minor != split->refund_minor) {
        return "the settlement split differs from the policy's arithmetic";
    }
    return NULL;
}

const char *fo_order_check(const struct fo_order *order)
{
    FO_ASSERT(order != NULL);

    const char *problem = order_check_texts(order);
    if (problem == NULL) {
        problem = order_check_amounts(order);
    }
    if (problem == NULL) {
        struct fo_err_detail detail;
        if (fo_policy_validate(&order->policy, &detail) != FO_OK) {
            problem = "the policy snapshot is outside API.md's ranges";
        }
    }
    if (problem == NULL) {
        problem = order_check_state(order);
    }
    if (problem == NULL && order->settled) {
        problem = order_check_settlement(order);
    }

    FO_ASSERT(problem == NULL || problem[0] != '\0');
    return problem;
}
