/* Cancelling an order by its live quote (API.md, "Cancellation rules").
 *
 * The quote comes from core (fo_quote_cancel) with the buyer's cancellations of the last
 * 24 hours counted by the store, exactly as every order view computes it, so a buyer
 * is settled by the same rule they were shown. A cancel bound to a quote
 * (expected_refund_minor) is refused with QUOTE_CHANGED when the refund now would be
 * smaller: the buyer never gets less than they accepted. A refused cancel writes nothing.
 * A cancelled queued or executing order frees supplier capacity, which is allocated to
 * the supplier's next pending orders in the same command. */
#include <string.h>

#include "commands/commands.h"
#include "commands/query.h"
#include "commands/write.h"
#include "core/assert.h"
#include "core/quote.h"

/* Load the order (NOT_FOUND when unknown or another buyer's) and quote it at now. */
static enum fo_err cancel_load(struct fo_store *store, int64_t now_unix_ms,
                               const struct fo_cancel_input *input, struct fo_order *out_order,
                               struct fo_quote *out_quote)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(input != NULL);
    if (input->order_id == NULL) {
        return FO_ERR_NOT_FOUND;
    }
    enum fo_err err = fo_store_order_get(store, input->order_id, out_order);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(fo_order_check(out_order) == NULL);
    if (input->buyer_id != NULL && strcmp(input->buyer_id, out_order->buyer_id) != 0) {
        return FO_ERR_NOT_FOUND;
    }
    return fo_query_quote(store, now_unix_ms, out_order, out_quote);
}

enum fo_err fo_cmd_cancel(struct fo_store *store, int64_t now_unix_ms,
                          const struct fo_cancel_input *input, struct fo_order_view *out,
                          struct fo_quote *out_quote, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(input != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(out_quote != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err =
        fo_write_text_check("reason", input->reason, 0, FO_REASON_CHARS_MAX, true, detail);
    if (err != FO_OK) {
        return err;
    }
    struct fo_order order;
    struct fo_quote quote;
    err = cancel_load(store, now_unix_ms, input, &order, &quote);
    if (err != FO_OK) {
        return err;
    }
    /* A refusal still shows the order and its quote (API.md: error.quote). */
    out->order = order;
    out->quote = quote;
    if (!quote.allowed) {
        *out_quote = quote;
        return FO_ERR_NOT_CANCELLABLE;
    }
    if (input->has_expected_refund && quote.split.refund_minor < input->expected_refund_minor) {
        *out_quote = quote;
        return FO_ERR_QUOTE_CHANGED;
    }
    enum fo_state from = order.state;
    bool frees_capacity = from == FO_STATE_QUEUED || from == FO_STATE_EXECUTING;
    fo_order_cancel(&order, &quote, now_unix_ms);
    FO_ASSERT(order.state == FO_STATE_CANCELLED);
    FO_ASSERT(order.settlement.split.refund_minor == quote.split.refund_minor);
    enum fo_actor actor = input->buyer_id != NULL ? FO_ACTOR_BUYER : FO_ACTOR_ADMIN;
    err = fo_write_terminal(store, &order, from, FO_EVENT_CANCELLED, actor, input->reason,
                            now_unix_ms, detail);
    if (err == FO_OK && frees_capacity) {
        err = fo_cmd_allocate(store, now_unix_ms, order.supplier_id);
    }
    if (err != FO_OK) {
        return err;
    }
    return fo_write_view(store, now_unix_ms, &order, out);
}
