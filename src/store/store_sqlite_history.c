/* Append-only history in the SQLite store: order events and ledger journals (store.h,
 * "Events" and "Ledger").
 *
 * Events are keyed by a global seq (the SSE id) and refer to their order by its seq, not
 * its text id: they are the most numerous rows, and every caller knows the order's id.
 * A journal is one row with one column per account of core/ledger.h (outside, available,
 * held, revenue, fees), the net of the journal's postings on each: the schema checks that
 * the row sums to zero and has the shape of its kind, so an unbalanced journal cannot be
 * written at all (DESIGN.md invariant 1). Triggers refuse UPDATE and DELETE on both tables;
 * seq therefore only grows, and a reader that saw seq N has seen everything before N that
 * was committed. Nothing here changes a balance: commands write the buyer's balances and
 * the journal's available_after together, in one command scope. */
#include <string.h>

#include "core/assert.h"
#include "store/store_sqlite.h"

/* The journal columns in account order: FO_ACCOUNT_OUTSIDE (1) .. FO_ACCOUNT_PLATFORM_FEES. */
#define ACCOUNTS_COUNT 5
_Static_assert(FO_ACCOUNT_OUTSIDE == 1 && FO_ACCOUNT_BUYER_AVAILABLE == 2 &&
                   FO_ACCOUNT_BUYER_HELD == 3 && FO_ACCOUNT_PLATFORM_REVENUE == 4 &&
                   FO_ACCOUNT_PLATFORM_FEES == ACCOUNTS_COUNT,
               "journals' account columns follow enum fo_account");

/* --- Events ---------------------------------------------------------------------------- */

/* Reads seq, at, type, state, delivered, actor, detail; the caller fills order_id. */
static void read_event(struct fo_sql_query *query, void *element)
{
    struct fo_event *out = element;
    memset(out, 0, sizeof *out);
    out->seq = fo_sql_column_int64(query);
    out->at_unix_ms = fo_sql_column_int64(query);
    out->type = (enum fo_event_type)fo_sql_column_int64(query);
    out->state = (enum fo_state)fo_sql_column_int64(query);
    out->delivered = fo_sql_column_int64(query);
    out->actor = (enum fo_actor)fo_sql_column_int64(query);
    fo_sql_column_text(query, out->detail, sizeof out->detail);
    FO_ASSERT(out->seq > 0);
    FO_ASSERT(out->type >= FO_EVENT_PLACED && out->type <= FO_EVENT_FAILED);
}

/* An event's eight parameters, in FO_SQL_EVENT_APPEND's order. */
static void bind_event(struct fo_sql_query *query, const struct fo_event *event)
{
    fo_sql_bind_text(query, event->order_id);
    fo_sql_bind_int64(query, event->at_unix_ms);
    fo_sql_bind_int64(query, (int64_t)event->type);
    fo_sql_bind_int64(query, (int64_t)event->state);
    fo_sql_bind_int64(query, event->delivered);
    fo_sql_bind_int64(query, (int64_t)event->actor);
    fo_sql_bind_text(query, event->detail);
    fo_sql_bind_int64(query, event->order_seq);
}

enum fo_err fo_store_event_append(struct fo_store *store, struct fo_event *event)
{
    FO_ASSERT(event != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_EVENT_APPEND, "event_append", &query);
    if (err != FO_OK) {
        return err;
    }
    bind_event(&query, event);
    err = fo_sql_exec(&query);
    if (err == FO_OK) {
        event->seq = fo_sql_last_insert_seq(&query);
    }
    return err;
}

enum fo_err fo_store_event_append_pair(struct fo_store *store, struct fo_event events[2])
{
    FO_ASSERT(events != NULL);
    FO_ASSERT(events[0].order_seq > 0 && events[1].order_seq > 0);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_EVENT_APPEND_PAIR, "event_append_pair", &query);
    if (err != FO_OK) {
        return err;
    }
    bind_event(&query, &events[0]);
    bind_event(&query, &events[1]);
    err = fo_sql_exec(&query);
    if (err == FO_OK) {
        /* One statement, one writer: the two rows took consecutive seqs. */
        events[1].seq = fo_sql_last_insert_seq(&query);
        events[0].seq = events[1].seq - 1;
    }
    return err;
}

enum fo_err fo_store_event_list(struct fo_store *store, const char *order_id, int64_t after_seq,
                                struct fo_event *out, size_t max, size_t *out_count)
{
    FO_ASSERT(order_id != NULL);
    FO_ASSERT(after_seq >= 0);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_EVENT_LIST, "event_list", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, order_id);
    fo_sql_bind_int64(&query, after_seq);
    fo_sql_bind_limit(&query, max);
    err = fo_sql_rows(&query, out, sizeof *out, max, out_count, read_event);
    for (size_t index = 0; index < *out_count; index++) {
        fo_sql_copy_text(out[index].order_id, sizeof out[index].order_id, order_id);
    }
    return err;
}

enum fo_err fo_store_event_last(struct fo_store *store, const char *order_id, struct fo_event *out)
{
    FO_ASSERT(order_id != NULL);
    FO_ASSERT(out != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_EVENT_LAST, "event_last", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, order_id);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        read_event(&query, out);
        fo_sql_copy_text(out->order_id, sizeof out->order_id, order_id);
    }
    fo_sql_end(&query);
    return err;
}

/* --- Journals -------------------------------------------------------------------------- */

/* The net amount of each account (index account - 1) over the journal's postings. */
static void journal_columns(const struct fo_journal *journal, int64_t out[ACCOUNTS_COUNT])
{
    FO_ASSERT(journal->postings_count >= 1);
    FO_ASSERT(journal->postings_count <= FO_JOURNAL_POSTINGS_MAX);
    memset(out, 0, ACCOUNTS_COUNT * sizeof out[0]);
    for (size_t index = 0; index < journal->postings_count; index++) {
        const struct fo_posting *posting = &journal->postings[index];
        FO_ASSERT(posting->account >= FO_ACCOUNT_OUTSIDE);
        FO_ASSERT(posting->account <= FO_ACCOUNT_PLATFORM_FEES);
        out[posting->account - 1] += posting->amount_minor;
    }
}

enum fo_err fo_store_journal_append(struct fo_store *store, struct fo_journal_record *record)
{
    FO_ASSERT(record != NULL);
    int64_t amounts[ACCOUNTS_COUNT];
    journal_columns(&record->journal, amounts);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_JOURNAL_APPEND, "journal_append", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_int64(&query, record->at_unix_ms);
    fo_sql_bind_int64(&query, (int64_t)record->journal.kind);
    fo_sql_bind_text(&query, record->buyer_id);
    fo_sql_bind_text_or_null(&query, record->order_id);
    fo_sql_bind_text_or_null(&query, record->reference);
    for (size_t account = 0; account < ACCOUNTS_COUNT; account++) {
        fo_sql_bind_int64(&query, amounts[account]);
    }
    fo_sql_bind_int64(&query, record->available_after_minor);
    err = fo_sql_exec(&query);
    if (err == FO_OK) {
        record->seq = fo_sql_last_insert_seq(&query);
    }
    return err;
}

static void read_wallet_entry(struct fo_sql_query *query, void *element)
{
    struct fo_wallet_entry *out = element;
    memset(out, 0, sizeof *out);
    out->seq = fo_sql_column_int64(query);
    out->at_unix_ms = fo_sql_column_int64(query);
    out->kind = (enum fo_journal_kind)fo_sql_column_int64(query);
    out->amount_minor = fo_sql_column_int64(query);
    fo_sql_column_text(query, out->order_id, sizeof out->order_id); /* NULL: top-up. */
    out->balance_after_minor = fo_sql_column_int64(query);
    FO_ASSERT(out->amount_minor != 0);
    FO_ASSERT(out->balance_after_minor >= 0);
}

enum fo_err fo_store_wallet_entries(struct fo_store *store, const char *buyer_id,
                                    int64_t before_seq, struct fo_wallet_entry *out, size_t max,
                                    size_t *out_count)
{
    FO_ASSERT(buyer_id != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_WALLET_ENTRIES, "wallet_entries", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, buyer_id);
    fo_sql_bind_int64(&query, fo_sql_before_seq(before_seq));
    fo_sql_bind_limit(&query, max);
    return fo_sql_rows(&query, out, sizeof *out, max, out_count, read_wallet_entry);
}

/* --- Ledger aggregates ----------------------------------------------------------------- */

enum fo_err fo_store_ledger_totals(struct fo_store *store, struct fo_ledger_totals *out)
{
    FO_ASSERT(out != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_LEDGER_TOTALS, "ledger_totals", &query);
    if (err != FO_OK) {
        return err;
    }
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        out->sum_minor = fo_sql_column_int64(&query);
        out->journals_count = fo_sql_column_int64(&query);
        out->unbalanced_journals_count = fo_sql_column_int64(&query);
    }
    fo_sql_end(&query);
    FO_ASSERT(err != FO_ERR_NOT_FOUND); /* An aggregate always answers one row. */
    return err;
}

enum fo_err fo_store_ledger_buyer(struct fo_store *store, const char *buyer_id,
                                  int64_t *out_available_minor, int64_t *out_held_minor)
{
    FO_ASSERT(buyer_id != NULL);
    FO_ASSERT(out_available_minor != NULL && out_held_minor != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_LEDGER_BUYER, "ledger_buyer", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, buyer_id);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        *out_available_minor = fo_sql_column_int64(&query);
        *out_held_minor = fo_sql_column_int64(&query);
    }
    fo_sql_end(&query);
    FO_ASSERT(err != FO_ERR_NOT_FOUND);
    return err;
}

enum fo_err fo_store_ledger_orders_next(struct fo_store *store, int64_t *out_order_seq,
                                        struct fo_order_ledger *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out_order_seq != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(store->read_depth > 0 || store->in_batch); /* One snapshot for the pass. */
    struct fo_sql_query *query = &store->ledger_orders;
    if (!store->ledger_orders_active) {
        enum fo_err err = fo_sql_begin(store, FO_SQL_LEDGER_ORDERS, "ledger_orders", query);
        if (err != FO_OK) {
            return err;
        }
        store->ledger_orders_active = true;
    }
    bool row = false;
    enum fo_err err = fo_sql_step(query, &row);
    if (err != FO_OK || !row) {
        fo_store_ledger_orders_stop(store);
        return err != FO_OK ? err : FO_ERR_NOT_FOUND;
    }
    *out_order_seq = fo_sql_column_int64(query); /* NULL (no such order) reads as 0. */
    out->held_minor = fo_sql_column_int64(query);
    out->charged_minor = fo_sql_column_int64(query);
    out->fee_minor = fo_sql_column_int64(query);
    out->available_minor = fo_sql_column_int64(query);
    FO_ASSERT(*out_order_seq >= 0);
    return FO_OK;
}

void fo_store_ledger_orders_stop(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    if (store->ledger_orders_active) {
        fo_sql_end(&store->ledger_orders);
        store->ledger_orders_active = false;
    }
}
