/* Queries: order views with their live quote, under the ownership rule.
 *
 * A view's quote is computed the same way a cancel settles (fo_quote_cancel with the
 * buyer's cancellations in the last 24 hours as the store counts them), so what a buyer
 * reads is what a cancel at that moment would do. A buyer asking for another buyer's
 * order gets NOT_FOUND: existence is not revealed. Read-only; lists are read a small page
 * at a time so no buffer grows with the request. */
#include <string.h>

#include "commands/query.h"
#include "core/assert.h"
#include "core/quote.h"

/* Orders read per page when building a list of views (about 1 KiB each, on the stack). */
#define QUERY_PAGE_MAX 16

enum fo_err fo_query_quote(struct fo_store *store, int64_t now_unix_ms,
                           const struct fo_order *order, struct fo_quote *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(order != NULL);
    FO_ASSERT(out != NULL);
    /* Count only when the rules can use it, and only as far as the policy's allowance:
     * the quote is the same either way (fo_quote_counts_cancels). */
    int64_t cancels_count = 0;
    if (fo_quote_counts_cancels(order, now_unix_ms)) {
        enum fo_err err = fo_store_cancels_count(
            store, order->buyer_id, fo_quote_window_start_unix_ms(now_unix_ms), now_unix_ms,
            order->policy.free_cancels_per_day, &cancels_count);
        if (err != FO_OK) {
            return err;
        }
    }
    FO_ASSERT(cancels_count >= 0);
    fo_quote_cancel(order, now_unix_ms, cancels_count, out);
    FO_ASSERT(out->allowed || out->split.refund_minor == 0);
    return FO_OK;
}

enum fo_err fo_query_order(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                           const char *order_id, struct fo_order_view *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    if (order_id == NULL) {
        return FO_ERR_NOT_FOUND;
    }
    struct fo_order order;
    enum fo_err err = fo_store_order_get(store, order_id, &order);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(fo_order_check(&order) == NULL);
    if (buyer_id != NULL && strcmp(order.buyer_id, buyer_id) != 0) {
        return FO_ERR_NOT_FOUND;
    }
    err = fo_query_quote(store, now_unix_ms, &order, &out->quote);
    if (err != FO_OK) {
        return err;
    }
    out->order = order;
    return FO_OK;
}

enum fo_err fo_query_orders(struct fo_store *store, int64_t now_unix_ms,
                            const struct fo_order_filter *filter, struct fo_order_view *out,
                            size_t max, size_t *out_count)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(filter != NULL);
    FO_ASSERT(out != NULL || max == 0);
    FO_ASSERT(out_count != NULL);
    *out_count = 0;
    struct fo_order_filter page_filter = *filter;
    size_t filled_count = 0;
    /* Each full page moves before_seq strictly down, so the loop ends. */
    while (filled_count < max) {
        struct fo_order orders[QUERY_PAGE_MAX];
        size_t want = max - filled_count < QUERY_PAGE_MAX ? max - filled_count : QUERY_PAGE_MAX;
        size_t count = 0;
        enum fo_err err = fo_store_order_list(store, &page_filter, orders, want, &count);
        if (err != FO_OK) {
            return err;
        }
        FO_ASSERT(count <= want);
        for (size_t index = 0; index < count; index++) {
            FO_ASSERT(fo_order_check(&orders[index]) == NULL);
            FO_ASSERT(page_filter.before_seq == 0 || orders[index].seq < page_filter.before_seq);
            out[filled_count].order = orders[index];
            err = fo_query_quote(store, now_unix_ms, &orders[index], &out[filled_count].quote);
            if (err != FO_OK) {
                return err;
            }
            filled_count++;
        }
        if (count < want) {
            break;
        }
        page_filter.before_seq = orders[count - 1].seq;
    }
    *out_count = filled_count;
    return FO_OK;
}
