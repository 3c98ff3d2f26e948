/* The cancellation quote (API.md, "Cancellation rules", rules 1-4) and the cancel that
 * settles by it.
 *
 * Why one function: the quote a buyer sees on an order view and the settlement of their
 * cancel come from fo_quote_cancel with the same order, time and count, so a cancel can
 * never pay out less than what was shown for that moment (the commands layer adds the
 * expected_refund_minor guard for later moments). The rules, first match wins:
 *
 *   1. terminal                    not allowed: already_completed/cancelled/failed
 *   2. executing                   prorated: executing_prorated; deny: not cancellable
 *   3. pending or queued, now - placed_at < cooling_off_s * 1000 and fewer than
 *      free_cancels_per_day cancels in (now - 24 h, now]: cooling_off, full refund
 *   4. the state's rule            pending: full_refund | deny
 *                                  queued: full_refund | fee | deny
 *
 * Invariants: a not-allowed quote has an all-zero split and no rule change; an allowed
 * one has charged + fee + refund = amount; has_rule_change exactly for cooling_off.
 * Pure: time and the buyer's cancel count are parameters. */
#include "core/quote.h"

#include <string.h>

#include "core/assert.h"
#include "core/limits.h"

/* Rule 3: still inside the cooling-off period, with free cancels left. */
static bool quote_in_cooling_off(const struct fo_order *order, int64_t now_unix_ms,
                                 int64_t cancels_in_window_count)
{
    FO_ASSERT(order->policy.cooling_off_s >= 0);
    FO_ASSERT(order->policy.cooling_off_s <= FO_COOLING_OFF_S_MAX);

    int64_t cooling_off_ms = order->policy.cooling_off_s * 1000;
    bool in_period = now_unix_ms - order->placed_at_unix_ms < cooling_off_ms;
    bool cancels_left = cancels_in_window_count < order->policy.free_cancels_per_day;
    return in_period && cancels_left;
}

/* Rules 1, 2 and 4: the reason an order's state and policy give, ignoring cooling-off. */
static enum fo_reason quote_state_reason(const struct fo_order *order)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(order->settled == fo_state_is_terminal(order->state));

    const struct fo_policy *policy = &order->policy;
    switch (order->state) {
    case FO_STATE_COMPLETED:
        return FO_REASON_ALREADY_COMPLETED;
    case FO_STATE_CANCELLED:
        return FO_REASON_ALREADY_CANCELLED;
    case FO_STATE_FAILED:
        return FO_REASON_ALREADY_FAILED;
    case FO_STATE_EXECUTING:
        return policy->executing == FO_EXECUTING_PRORATED ? FO_REASON_EXECUTING_PRORATED
                                                          : FO_REASON_EXECUTING_NOT_CANCELLABLE;
    case FO_STATE_PENDING:
        return policy->pending == FO_PENDING_FULL_REFUND ? FO_REASON_PENDING_FULL_REFUND
                                                         : FO_REASON_PENDING_NOT_CANCELLABLE;
    case FO_STATE_QUEUED:
        if (policy->queued == FO_QUEUED_FULL_REFUND) {
            return FO_REASON_QUEUED_FULL_REFUND;
        }
        return policy->queued == FO_QUEUED_FEE ? FO_REASON_QUEUED_WITH_FEE
                                               : FO_REASON_QUEUED_NOT_CANCELLABLE;
    }
    FO_ASSERT(false);
    return FO_REASON_NONE;
}

static bool quote_reason_allows(enum fo_reason reason)
{
    FO_ASSERT(reason != FO_REASON_NONE);
    FO_ASSERT(reason < FO_REASON_COMPLETED);
    return reason == FO_REASON_COOLING_OFF || reason == FO_REASON_PENDING_FULL_REFUND ||
           reason == FO_REASON_QUEUED_FULL_REFUND || reason == FO_REASON_QUEUED_WITH_FEE ||
           reason == FO_REASON_EXECUTING_PRORATED;
}

void fo_quote_cancel(const struct fo_order *order, int64_t now_unix_ms,
                     int64_t cancels_in_window_count, struct fo_quote *out)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(cancels_in_window_count >= 0);
    FO_ASSERT(order->policy.pending == FO_PENDING_FULL_REFUND ||
              order->policy.pending == FO_PENDING_DENY);
    FO_ASSERT(order->policy.queued >= FO_QUEUED_FULL_REFUND);
    FO_ASSERT(order->policy.queued <= FO_QUEUED_DENY);
    FO_ASSERT(order->policy.executing == FO_EXECUTING_PRORATED ||
              order->policy.executing == FO_EXECUTING_DENY);

    enum fo_reason reason = quote_state_reason(order);
    bool waiting = order->state == FO_STATE_PENDING || order->state == FO_STATE_QUEUED;
    if (waiting && quote_in_cooling_off(order, now_unix_ms, cancels_in_window_count)) {
        reason = FO_REASON_COOLING_OFF;
    }
    memset(out, 0, sizeof *out);
    out->reason = reason;
    out->allowed = quote_reason_allows(reason);
    if (out->allowed) {
        fo_split_compute(order, reason, &out->split);
    }
    if (reason == FO_REASON_COOLING_OFF) {
        out->has_rule_change = true;
        out->rule_changes_at_unix_ms =
            order->placed_at_unix_ms + order->policy.cooling_off_s * 1000;
    }

    FO_ASSERT(out->allowed || out->split.charged_minor == 0);
    FO_ASSERT(out->allowed || out->split.fee_minor == 0);
    FO_ASSERT(out->allowed || out->split.refund_minor == 0);
    FO_ASSERT(!out->allowed ||
              out->split.charged_minor + out->split.fee_minor + out->split.refund_minor ==
                  order->amount_minor);
    FO_ASSERT(out->has_rule_change == (reason == FO_REASON_COOLING_OFF));
}

/* Whether an allowed quote `reason` can come from an order in `state`. */
static bool quote_reason_fits_state(enum fo_reason reason, enum fo_state state)
{
    FO_ASSERT(quote_reason_allows(reason));
    FO_ASSERT(!fo_state_is_terminal(state));

    switch (reason) {
    case FO_REASON_COOLING_OFF:
        return state == FO_STATE_PENDING || state == FO_STATE_QUEUED;
    case FO_REASON_PENDING_FULL_REFUND:
        return state == FO_STATE_PENDING;
    case FO_REASON_QUEUED_FULL_REFUND:
    case FO_REASON_QUEUED_WITH_FEE:
        return state == FO_STATE_QUEUED;
    case FO_REASON_EXECUTING_PRORATED:
        return state == FO_STATE_EXECUTING;
    default:
        return false;
    }
}

void fo_order_cancel(struct fo_order *order, const struct fo_quote *quote, int64_t now_unix_ms)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(quote != NULL);
    FO_ASSERT(quote->allowed);
    FO_ASSERT(fo_order_check(order) == NULL);
    FO_ASSERT(quote_reason_fits_state(quote->reason, order->state));

    /* The quote must be this order's: recomputing its split gives the same amounts. */
    struct fo_split expected;
    fo_split_compute(order, quote->reason, &expected);
    FO_ASSERT(memcmp(&expected, &quote->split, sizeof expected) == 0);

    enum fo_state to = FO_STATE_PENDING;
    bool legal = fo_order_transition(order->state, FO_TRANSITION_CANCEL, &to);
    FO_ASSERT(legal);
    order->state = to;
    order->settled = true;
    order->settlement.reason = quote->reason;
    order->settlement.split = quote->split;
    order->settlement.at_unix_ms = now_unix_ms;
    order->lease_expires_at_unix_ms = 0;
    order->updated_at_unix_ms = now_unix_ms;

    FO_ASSERT(order->state == FO_STATE_CANCELLED);
    FO_ASSERT(fo_order_check(order) == NULL);
}

bool fo_quote_counts_cancels(const struct fo_order *order, int64_t now_unix_ms)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(order->policy.cooling_off_s >= 0);
    bool before_execution = order->state == FO_STATE_PENDING || order->state == FO_STATE_QUEUED;
    bool in_cooling_off =
        now_unix_ms - order->placed_at_unix_ms < order->policy.cooling_off_s * 1000;
    return before_execution && in_cooling_off && order->policy.free_cancels_per_day > 0;
}

int64_t fo_quote_window_start_unix_ms(int64_t now_unix_ms)
{
    FO_ASSERT(FO_CANCEL_WINDOW_MS == INT64_C(86400000));
    FO_ASSERT(now_unix_ms >= INT64_MIN + FO_CANCEL_WINDOW_MS);

    return now_unix_ms - FO_CANCEL_WINDOW_MS;
}
