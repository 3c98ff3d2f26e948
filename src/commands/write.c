/* Helpers shared by the commands: checked writes of orders, events and journals.
 *
 * Why a module: every command ends the same way (write the order, append an event, apply
 * a journal to a wallet), and doing that in one place keeps the invariant checks in one
 * place too. An order is checked before it is written, a journal before it is recorded,
 * and balances are only ever what fo_ledger_apply_to_wallet says: this file never adds or
 * subtracts money itself. Nothing here commits: the caller's command scope does. */
#include "commands/write.h"

#include <string.h>

#include "commands/query.h"
#include "core/assert.h"
#include "core/utf8.h"

enum fo_err fo_write_text_check(const char *field, const char *text, int64_t chars_min,
                                int64_t chars_max, bool allow_control, struct fo_err_detail *detail)
{
    FO_ASSERT(field != NULL);
    FO_ASSERT(detail != NULL);
    FO_ASSERT(chars_min >= 0);
    FO_ASSERT(chars_min <= chars_max);
    if (text == NULL) {
        if (chars_min > 0) {
            return fo_err_field(detail, field, FO_FIELD_MISSING);
        }
        return FO_OK;
    }
    return fo_utf8_field_check(field, text, strlen(text), chars_min, chars_max, allow_control,
                               detail);
}

void fo_write_copy(char *dst, size_t dst_bytes, const char *src)
{
    FO_ASSERT(dst != NULL);
    FO_ASSERT(src != NULL);
    size_t src_bytes = strlen(src);
    FO_ASSERT(src_bytes < dst_bytes);
    memcpy(dst, src, src_bytes + 1);
}

enum fo_err fo_write_order(struct fo_store *store, const struct fo_order *order, enum fo_state from)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(order != NULL);
    FO_ASSERT(fo_order_check(order) == NULL);
    FO_ASSERT(!fo_state_is_terminal(from)); /* A terminal order is never written again. */
    return fo_store_order_update(store, order, from);
}

/* The event of `type` by `actor` carrying the order's state and delivered units. */
static void event_of(const struct fo_order *order, enum fo_event_type type, enum fo_actor actor,
                     const char *text, int64_t now_unix_ms, struct fo_event *out)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(order->id[0] != '\0');
    FO_ASSERT(now_unix_ms > 0);
    memset(out, 0, sizeof *out);
    fo_write_copy(out->order_id, sizeof out->order_id, order->id);
    out->order_seq = order->seq; /* Set once the order is stored: no lookup by id. */
    out->at_unix_ms = now_unix_ms;
    out->type = type;
    out->state = order->state;
    out->delivered = order->delivered;
    out->actor = actor;
    fo_write_copy(out->detail, sizeof out->detail, text != NULL ? text : "");
}

enum fo_err fo_write_event(struct fo_store *store, const struct fo_order *order,
                           enum fo_event_type type, enum fo_actor actor, const char *text,
                           int64_t now_unix_ms)
{
    FO_ASSERT(store != NULL);
    struct fo_event event;
    event_of(order, type, actor, text, now_unix_ms, &event);
    return fo_store_event_append(store, &event);
}

enum fo_err fo_write_placed_and_allocated(struct fo_store *store, const struct fo_order *placed,
                                          const struct fo_order *allocated, int64_t now_unix_ms)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(placed->seq > 0 && placed->seq == allocated->seq);
    FO_ASSERT(placed->state == FO_STATE_PENDING && allocated->state == FO_STATE_QUEUED);
    struct fo_event events[2];
    event_of(placed, FO_EVENT_PLACED, FO_ACTOR_BUYER, NULL, now_unix_ms, &events[0]);
    event_of(allocated, FO_EVENT_ALLOCATED, FO_ACTOR_SYSTEM, NULL, now_unix_ms, &events[1]);
    return fo_store_event_append_pair(store, events);
}

enum fo_err fo_write_journal(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                             const char *order_id, const char *reference,
                             const struct fo_journal *journal, struct fo_buyer *out_buyer,
                             struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(buyer_id != NULL);
    FO_ASSERT(journal != NULL);
    FO_ASSERT(detail != NULL);
    struct fo_buyer buyer;
    enum fo_err err = fo_store_buyer_get(store, buyer_id, &buyer);
    if (err != FO_OK) {
        return err;
    }
    return fo_write_journal_of(store, now_unix_ms, &buyer, order_id, reference, journal, out_buyer,
                               detail);
}

enum fo_err fo_write_journal_of(struct fo_store *store, int64_t now_unix_ms,
                                const struct fo_buyer *current, const char *order_id,
                                const char *reference, const struct fo_journal *journal,
                                struct fo_buyer *out_buyer, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(current != NULL);
    FO_ASSERT(journal != NULL);
    FO_ASSERT(detail != NULL);
    FO_ASSERT(fo_journal_check(journal) == NULL);
    const struct fo_buyer buyer = *current;
    int64_t available_minor = 0;
    int64_t held_minor = 0;
    enum fo_err err = fo_ledger_apply_to_wallet(journal, buyer.available_minor, buyer.held_minor,
                                                &available_minor, &held_minor, detail);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(available_minor >= 0);
    FO_ASSERT(held_minor >= 0);

    struct fo_journal_record record;
    memset(&record, 0, sizeof record);
    record.at_unix_ms = now_unix_ms;
    fo_write_copy(record.buyer_id, sizeof record.buyer_id, buyer.id);
    fo_write_copy(record.order_id, sizeof record.order_id, order_id != NULL ? order_id : "");
    fo_write_copy(record.reference, sizeof record.reference, reference != NULL ? reference : "");
    record.journal = *journal;
    record.available_after_minor = available_minor;
    err = fo_store_journal_append(store, &record);
    if (err == FO_OK) {
        err = fo_store_buyer_put_balances(store, &buyer, available_minor, held_minor);
    }
    if (err == FO_OK && out_buyer != NULL) {
        *out_buyer = buyer;
        out_buyer->available_minor = available_minor;
        out_buyer->held_minor = held_minor;
    }
    return err;
}

enum fo_err fo_write_terminal(struct fo_store *store, const struct fo_order *order,
                              enum fo_state from, enum fo_event_type type, enum fo_actor actor,
                              const char *text, int64_t now_unix_ms, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(order != NULL);
    FO_ASSERT(fo_state_is_terminal(order->state));
    FO_ASSERT(order->settled);

    enum fo_err err = fo_write_order(store, order, from);
    if (err != FO_OK) {
        return err;
    }
    struct fo_journal journal;
    fo_ledger_settle(order, &journal);
    FO_ASSERT(fo_journal_amount(&journal, FO_ACCOUNT_BUYER_HELD) == -order->amount_minor);
    err = fo_write_journal(store, now_unix_ms, order->buyer_id, order->id, NULL, &journal, NULL,
                           detail);
    if (err != FO_OK) {
        return err;
    }
    return fo_write_event(store, order, type, actor, text, now_unix_ms);
}

enum fo_err fo_write_view(struct fo_store *store, int64_t now_unix_ms, const struct fo_order *order,
                          struct fo_order_view *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(order != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(fo_order_check(order) == NULL);

    struct fo_quote quote;
    enum fo_err err = fo_query_quote(store, now_unix_ms, order, &quote);
    if (err != FO_OK) {
        return err;
    }
    out->order = *order;
    out->quote = quote;
    return FO_OK;
}
