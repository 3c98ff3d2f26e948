/* The cancellation quote: API.md, "Cancellation rules", rules 1–4 exactly.
 *
 * The quote is what a buyer sees before cancelling and what a cancel settles with; both
 * come from this one function, so the buyer never gets less than they were shown for the
 * same order, time and count. Pure: the time and the buyer's recent cancel count are
 * passed in. */
#ifndef FO_CORE_QUOTE_H
#define FO_CORE_QUOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/order.h"

struct fo_quote {
    bool allowed;                    /* May the buyer cancel now? */
    enum fo_reason reason;           /* Why (a quote reason of FO_REASON_TABLE). */
    struct fo_split split;           /* All zero when not allowed. */
    bool has_rule_change;            /* True exactly when reason is COOLING_OFF. */
    int64_t rule_changes_at_unix_ms; /* placed_at + cooling_off_s while COOLING_OFF. */
};

/* Quote cancelling `order` at now_unix_ms, given how many orders its buyer cancelled
 * with now - 24 h < t <= now (cancels_in_window_count >= 0). */
void fo_quote_cancel(const struct fo_order *order, int64_t now_unix_ms,
                     int64_t cancels_in_window_count, struct fo_quote *out);

/* Settle `order` as cancelled according to `quote` (which must be allowed and computed
 * for this order): state, settlement and updated_at. Asserts legality. */
void fo_order_cancel(struct fo_order *order, const struct fo_quote *quote, int64_t now_unix_ms);

/* Whether the quote of `order` at now depends on the buyer's recent cancel count: only a
 * pending or queued order inside its cooling-off period under a policy that grants free
 * cancels (rule 3). Otherwise fo_quote_cancel gives the same quote for every count, and
 * callers may skip counting. */
bool fo_quote_counts_cancels(const struct fo_order *order, int64_t now_unix_ms);

/* The start of the cancel-counting window for now: cancellations at t > this count. */
int64_t fo_quote_window_start_unix_ms(int64_t now_unix_ms);

#endif
