/* Store contract: events, ledger journals, wallet entries, ledger aggregates, and the API
 * names of event types and actors.
 *
 * Property: appends assign increasing seqs and round-trip every field; an order's events
 * list oldest first from a cursor, its last event is the newest; wallet entries are the
 * buyer's journals that moved the available balance, newest first, with the available
 * posting as amount and available_after as balance; the aggregates sum postings exactly by
 * account, buyer and order; an unbalanced journal is refused (FO_ERR_INTERNAL). Method: a
 * fresh seeded database per test (store_fixture.h) and a small ledger built by hand:
 * top-up 10000, hold of ord_1 (5000), its prorated cancel (charged 1250, fee 125, refund
 * 3625), hold of ord_2 (5000) and its completion (all 5000 charged). */
#include <stdio.h>
#include <string.h>

#include "store/store_fixture.h"

static void append_event(struct fo_store *store, const char *order_id, enum fo_event_type type,
                         int64_t delivered, const char *detail, struct fo_event *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->order_id, sizeof out->order_id, "%s", order_id);
    out->at_unix_ms = FO_FIXTURE_T0_UNIX_MS + (int64_t)type * 1000;
    out->type = type;
    out->state = type == FO_EVENT_PLACED ? FO_STATE_PENDING : FO_STATE_EXECUTING;
    out->delivered = delivered;
    out->actor = type == FO_EVENT_PLACED ? FO_ACTOR_BUYER : FO_ACTOR_SUPPLIER;
    snprintf(out->detail, sizeof out->detail, "%s", detail);
    fo_fixture_begin(store);
    assert_int_equal(fo_store_event_append(store, out), FO_OK);
    fo_fixture_commit(store);
}

static void assert_event_equal(const struct fo_event *actual, const struct fo_event *expected)
{
    assert_int64_equal(actual->seq, expected->seq);
    assert_string_equal(actual->order_id, expected->order_id);
    assert_int64_equal(actual->at_unix_ms, expected->at_unix_ms);
    assert_int_equal(actual->type, expected->type);
    assert_int_equal(actual->state, expected->state);
    assert_int64_equal(actual->delivered, expected->delivered);
    assert_int_equal(actual->actor, expected->actor);
    assert_string_equal(actual->detail, expected->detail);
}

/* --- Events ---------------------------------------------------------------------------- */

static void test_event_append_sets_increasing_seq_and_round_trips(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order first;
    fo_fixture_order("ord_1", FO_STATE_EXECUTING, &first);
    fo_fixture_insert_order(fixture->store, &first);
    struct fo_order second;
    fo_fixture_order("ord_2", FO_STATE_PENDING, &second);
    fo_fixture_insert_order(fixture->store, &second);

    struct fo_event events[4];
    append_event(fixture->store, "ord_1", FO_EVENT_PLACED, 0, "", &events[0]);
    append_event(fixture->store, "ord_2", FO_EVENT_PLACED, 0, "", &events[1]);
    append_event(fixture->store, "ord_1", FO_EVENT_CLAIMED, 0, "", &events[2]);
    append_event(fixture->store, "ord_1", FO_EVENT_PROGRESS, 250, "进度 ✓ 250", &events[3]);
    assert_true(events[0].seq > 0);
    assert_true(events[1].seq > events[0].seq);
    assert_true(events[2].seq > events[1].seq);
    assert_true(events[3].seq > events[2].seq);

    struct fo_event page[8];
    size_t count = 0;
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", 0, page, 8, &count), FO_OK);
    assert_int_equal(count, 3);
    assert_event_equal(&page[0], &events[0]);
    assert_event_equal(&page[1], &events[2]);
    assert_event_equal(&page[2], &events[3]);
    assert_int_equal(fo_store_event_list(fixture->store, "ord_2", 0, page, 8, &count), FO_OK);
    assert_int_equal(count, 1);
    assert_event_equal(&page[0], &events[1]);
}

/* The write path passes the order's seq and saves the lookup by id; a seq of no order is
 * refused by the schema like an unknown id. */
static void test_event_append_by_order_seq_attaches_to_that_order(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order first;
    fo_fixture_order("ord_1", FO_STATE_PENDING, &first);
    fo_fixture_insert_order(fixture->store, &first);
    struct fo_order second;
    fo_fixture_order("ord_2", FO_STATE_PENDING, &second);
    fo_fixture_insert_order(fixture->store, &second);
    assert_true(second.seq > first.seq);

    struct fo_event event = {.order_id = "ord_2",
                             .order_seq = second.seq,
                             .at_unix_ms = FO_FIXTURE_T0_UNIX_MS,
                             .type = FO_EVENT_PLACED,
                             .state = FO_STATE_PENDING,
                             .actor = FO_ACTOR_BUYER};
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_event_append(fixture->store, &event), FO_OK);
    fo_fixture_commit(fixture->store);
    struct fo_event page[2];
    size_t count = 9;
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", 0, page, 2, &count), FO_OK);
    assert_int_equal(count, 0);
    assert_int_equal(fo_store_event_list(fixture->store, "ord_2", 0, page, 2, &count), FO_OK);
    assert_int_equal(count, 1);
    assert_int64_equal(page[0].seq, event.seq);

    event.order_seq = second.seq + 1000;
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_event_append(fixture->store, &event), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(fixture->store, false), FO_OK);
    fo_store_batch_rollback(fixture->store);
}

/* Placement's two events in one statement: both stored, in order, with consecutive seqs
 * after the events before them; a pair naming an order that does not exist is refused
 * whole. */
static void test_event_pair_appends_both_in_order(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_QUEUED, &order);
    fo_fixture_insert_order(fixture->store, &order);
    struct fo_event before;
    append_event(fixture->store, "ord_1", FO_EVENT_CLAIMED, 0, "", &before);
    struct fo_event pair[2] = {
        {.order_id = "ord_1",
         .order_seq = order.seq,
         .at_unix_ms = FO_FIXTURE_T0_UNIX_MS + 7,
         .type = FO_EVENT_PLACED,
         .state = FO_STATE_PENDING,
         .actor = FO_ACTOR_BUYER},
        {.order_id = "ord_1",
         .order_seq = order.seq,
         .at_unix_ms = FO_FIXTURE_T0_UNIX_MS + 7,
         .type = FO_EVENT_ALLOCATED,
         .state = FO_STATE_QUEUED,
         .actor = FO_ACTOR_SYSTEM,
         .detail = "第二"},
    };
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_event_append_pair(fixture->store, pair), FO_OK);
    fo_fixture_commit(fixture->store);
    assert_int64_equal(pair[0].seq, before.seq + 1);
    assert_int64_equal(pair[1].seq, before.seq + 2);
    struct fo_event page[4];
    size_t count = 0;
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", 0, page, 4, &count), FO_OK);
    assert_int_equal(count, 3);
    assert_event_equal(&page[0], &before);
    assert_event_equal(&page[1], &pair[0]);
    assert_event_equal(&page[2], &pair[1]);

    struct fo_event broken[2] = {pair[0], pair[1]};
    broken[1].order_seq = order.seq + 1000; /* No such order: neither row is kept. */
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_event_append_pair(fixture->store, broken), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(fixture->store, false), FO_OK);
    assert_int_equal(fo_store_batch_commit(fixture->store), FO_OK);
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", 0, page, 4, &count), FO_OK);
    assert_int_equal(count, 3);
}

static void test_event_list_resumes_after_the_cursor(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_EXECUTING, &order);
    fo_fixture_insert_order(fixture->store, &order);
    struct fo_event events[5];
    append_event(fixture->store, "ord_1", FO_EVENT_PLACED, 0, "", &events[0]);
    append_event(fixture->store, "ord_1", FO_EVENT_ALLOCATED, 0, "", &events[1]);
    append_event(fixture->store, "ord_1", FO_EVENT_CLAIMED, 0, "", &events[2]);
    append_event(fixture->store, "ord_1", FO_EVENT_PROGRESS, 100, "", &events[3]);
    append_event(fixture->store, "ord_1", FO_EVENT_PROGRESS, 250, "", &events[4]);

    struct fo_event page[2];
    size_t count = 0;
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", 0, page, 2, &count), FO_OK);
    assert_int_equal(count, 2);
    assert_event_equal(&page[1], &events[1]);
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", page[1].seq, page, 2, &count),
                     FO_OK);
    assert_int_equal(count, 2);
    assert_event_equal(&page[0], &events[2]);
    assert_event_equal(&page[1], &events[3]);
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", page[1].seq, page, 2, &count),
                     FO_OK);
    assert_int_equal(count, 1);
    assert_event_equal(&page[0], &events[4]);
    assert_int_equal(fo_store_event_list(fixture->store, "ord_1", events[4].seq, page, 2, &count),
                     FO_OK);
    assert_int_equal(count, 0);
}

static void test_event_last_is_the_newest_or_not_found(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_EXECUTING, &order);
    fo_fixture_insert_order(fixture->store, &order);
    struct fo_event last;
    assert_int_equal(fo_store_event_last(fixture->store, "ord_1", &last), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_event_last(fixture->store, "ord_9", &last), FO_ERR_NOT_FOUND);
    struct fo_event events[2];
    append_event(fixture->store, "ord_1", FO_EVENT_PLACED, 0, "", &events[0]);
    append_event(fixture->store, "ord_1", FO_EVENT_PROGRESS, 10, "x", &events[1]);
    assert_int_equal(fo_store_event_last(fixture->store, "ord_1", &last), FO_OK);
    assert_event_equal(&last, &events[1]);
}

static void test_event_of_unknown_order_is_refused_and_lists_nothing(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_event event = {.order_id = "ord_9",
                             .at_unix_ms = 1,
                             .type = FO_EVENT_PLACED,
                             .state = FO_STATE_PENDING,
                             .actor = FO_ACTOR_BUYER};
    fo_fixture_begin(fixture->store);
    assert_int_equal(fo_store_event_append(fixture->store, &event), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(fixture->store, false), FO_OK);
    assert_int_equal(fo_store_batch_commit(fixture->store), FO_OK);
    struct fo_event page[2];
    size_t count = 9;
    assert_int_equal(fo_store_event_list(fixture->store, "ord_9", 0, page, 2, &count), FO_OK);
    assert_int_equal(count, 0);
}

static void test_event_detail_of_the_largest_size_round_trips(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_CANCELLED, &order);
    fo_fixture_insert_order(fixture->store, &order);
    char detail[FO_REASON_BYTES];
    for (size_t index = 0; index < FO_REASON_CHARS_MAX; index++) {
        memcpy(detail + index * 4, "\xF0\x9F\x98\x80", 4); /* 500 four-byte code points. */
    }
    detail[FO_REASON_CHARS_MAX * 4] = '\0';
    struct fo_event event;
    append_event(fixture->store, "ord_1", FO_EVENT_CANCELLED, 0, detail, &event);
    struct fo_event last;
    assert_int_equal(fo_store_event_last(fixture->store, "ord_1", &last), FO_OK);
    assert_event_equal(&last, &event);
    assert_int64_equal(strlen(last.detail), FO_REASON_CHARS_MAX * 4);
}

/* --- Ledger ---------------------------------------------------------------------------- */

struct posting_spec {
    enum fo_account account;
    int64_t amount_minor;
};

static struct fo_journal_record append_journal(struct fo_store *store, enum fo_journal_kind kind,
                                               const char *buyer_id, const char *order_id,
                                               const struct posting_spec *postings,
                                               size_t postings_count, int64_t available_after,
                                               enum fo_err expected)
{
    struct fo_journal_record record;
    memset(&record, 0, sizeof record);
    record.at_unix_ms = FO_FIXTURE_T0_UNIX_MS + (int64_t)kind;
    snprintf(record.buyer_id, sizeof record.buyer_id, "%s", buyer_id);
    snprintf(record.order_id, sizeof record.order_id, "%s", order_id);
    if (kind == FO_JOURNAL_TOPUP) {
        snprintf(record.reference, sizeof record.reference, "%s", "bank-ref-1");
    }
    record.journal.kind = kind;
    record.journal.postings_count = postings_count;
    for (size_t index = 0; index < postings_count; index++) {
        record.journal.postings[index].account = postings[index].account;
        record.journal.postings[index].amount_minor = postings[index].amount_minor;
    }
    record.available_after_minor = available_after;
    fo_fixture_begin(store);
    assert_int_equal(fo_store_journal_append(store, &record), expected);
    assert_int_equal(fo_store_command_end(store, expected == FO_OK), FO_OK);
    assert_int_equal(fo_store_batch_commit(store), FO_OK);
    return record;
}

/* The ledger of the file comment, for byr_1, plus a top-up of 700 for byr_2. */
static void build_ledger(struct fo_store *store, struct fo_journal_record out[6])
{
    struct fo_order cancelled;
    fo_fixture_order("ord_1", FO_STATE_CANCELLED, &cancelled);
    fo_fixture_insert_order(store, &cancelled);
    struct fo_order completed;
    fo_fixture_order("ord_2", FO_STATE_COMPLETED, &completed);
    fo_fixture_insert_order(store, &completed);

    const struct posting_spec topup[] = {{FO_ACCOUNT_OUTSIDE, -10000},
                                         {FO_ACCOUNT_BUYER_AVAILABLE, 10000}};
    const struct posting_spec hold[] = {{FO_ACCOUNT_BUYER_AVAILABLE, -5000},
                                        {FO_ACCOUNT_BUYER_HELD, 5000}};
    const struct posting_spec prorated[] = {{FO_ACCOUNT_BUYER_HELD, -5000},
                                            {FO_ACCOUNT_PLATFORM_REVENUE, 1250},
                                            {FO_ACCOUNT_PLATFORM_FEES, 125},
                                            {FO_ACCOUNT_BUYER_AVAILABLE, 3625}};
    const struct posting_spec complete[] = {{FO_ACCOUNT_BUYER_HELD, -5000},
                                            {FO_ACCOUNT_PLATFORM_REVENUE, 5000}};
    const struct posting_spec small_topup[] = {{FO_ACCOUNT_OUTSIDE, -700},
                                               {FO_ACCOUNT_BUYER_AVAILABLE, 700}};
    out[0] = append_journal(store, FO_JOURNAL_TOPUP, "byr_1", "", topup, 2, 10000, FO_OK);
    out[1] = append_journal(store, FO_JOURNAL_HOLD, "byr_1", "ord_1", hold, 2, 5000, FO_OK);
    out[2] = append_journal(store, FO_JOURNAL_SETTLE, "byr_1", "ord_1", prorated, 4, 8625, FO_OK);
    out[3] = append_journal(store, FO_JOURNAL_HOLD, "byr_1", "ord_2", hold, 2, 3625, FO_OK);
    out[4] = append_journal(store, FO_JOURNAL_SETTLE, "byr_1", "ord_2", complete, 2, 3625, FO_OK);
    out[5] = append_journal(store, FO_JOURNAL_TOPUP, "byr_2", "", small_topup, 2, 700, FO_OK);
}

static void assert_entry(const struct fo_wallet_entry *entry, const struct fo_journal_record *of,
                         int64_t amount_minor, const char *order_id, int64_t balance_after_minor)
{
    assert_int64_equal(entry->seq, of->seq);
    assert_int64_equal(entry->at_unix_ms, of->at_unix_ms);
    assert_int_equal(entry->kind, of->journal.kind);
    assert_int64_equal(entry->amount_minor, amount_minor);
    assert_string_equal(entry->order_id, order_id);
    assert_int64_equal(entry->balance_after_minor, balance_after_minor);
}

static void test_journal_append_sets_increasing_seq(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_journal_record records[6];
    build_ledger(fixture->store, records);
    assert_true(records[0].seq > 0);
    for (size_t index = 1; index < 6; index++) {
        assert_true(records[index].seq > records[index - 1].seq);
    }
}

static void test_wallet_entries_newest_first_only_available_moves(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_journal_record records[6];
    build_ledger(fixture->store, records);
    struct fo_wallet_entry entries[8];
    size_t count = 0;
    assert_int_equal(fo_store_wallet_entries(fixture->store, "byr_1", 0, entries, 8, &count),
                     FO_OK);
    /* The completion (records[4]) moved only held and revenue: not an entry. */
    assert_int_equal(count, 4);
    assert_entry(&entries[0], &records[3], -5000, "ord_2", 3625);
    assert_entry(&entries[1], &records[2], 3625, "ord_1", 8625);
    assert_entry(&entries[2], &records[1], -5000, "ord_1", 5000);
    assert_entry(&entries[3], &records[0], 10000, "", 10000);

    assert_int_equal(fo_store_wallet_entries(fixture->store, "byr_2", 0, entries, 8, &count),
                     FO_OK);
    assert_int_equal(count, 1);
    assert_entry(&entries[0], &records[5], 700, "", 700);
    assert_int_equal(fo_store_wallet_entries(fixture->store, "byr_9", 0, entries, 8, &count),
                     FO_OK);
    assert_int_equal(count, 0);
}

static void test_wallet_entries_resume_before_the_cursor(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_journal_record records[6];
    build_ledger(fixture->store, records);
    struct fo_wallet_entry entries[2];
    size_t count = 0;
    assert_int_equal(fo_store_wallet_entries(fixture->store, "byr_1", 0, entries, 2, &count),
                     FO_OK);
    assert_int_equal(count, 2);
    assert_entry(&entries[1], &records[2], 3625, "ord_1", 8625);
    assert_int_equal(
        fo_store_wallet_entries(fixture->store, "byr_1", entries[1].seq, entries, 2, &count),
        FO_OK);
    assert_int_equal(count, 2);
    assert_entry(&entries[0], &records[1], -5000, "ord_1", 5000);
    assert_entry(&entries[1], &records[0], 10000, "", 10000);
    assert_int_equal(
        fo_store_wallet_entries(fixture->store, "byr_1", entries[1].seq, entries, 2, &count),
        FO_OK);
    assert_int_equal(count, 0);
    /* A cursor that is not an entry's seq (the completion's) works too. */
    assert_int_equal(
        fo_store_wallet_entries(fixture->store, "byr_1", records[4].seq, entries, 1, &count),
        FO_OK);
    assert_int_equal(count, 1);
    assert_entry(&entries[0], &records[3], -5000, "ord_2", 3625);
}

static void test_ledger_totals_count_and_sum_every_journal(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_ledger_totals totals = {.sum_minor = 9, .journals_count = 9};
    assert_int_equal(fo_store_ledger_totals(fixture->store, &totals), FO_OK);
    assert_int64_equal(totals.sum_minor, 0);
    assert_int64_equal(totals.journals_count, 0);
    assert_int64_equal(totals.unbalanced_journals_count, 0);
    struct fo_journal_record records[6];
    build_ledger(fixture->store, records);
    assert_int_equal(fo_store_ledger_totals(fixture->store, &totals), FO_OK);
    assert_int64_equal(totals.sum_minor, 0);
    assert_int64_equal(totals.journals_count, 6);
    assert_int64_equal(totals.unbalanced_journals_count, 0);
}

static void test_ledger_buyer_nets_available_and_held(void **state)
{
    struct fo_fixture *fixture = *state;
    int64_t available = -1;
    int64_t held = -1;
    assert_int_equal(fo_store_ledger_buyer(fixture->store, "byr_1", &available, &held), FO_OK);
    assert_int64_equal(available, 0);
    assert_int64_equal(held, 0);
    struct fo_journal_record records[6];
    build_ledger(fixture->store, records);
    assert_int_equal(fo_store_ledger_buyer(fixture->store, "byr_1", &available, &held), FO_OK);
    assert_int64_equal(available, 3625); /* 10000 - 5000 + 3625 - 5000 */
    assert_int64_equal(held, 0);         /* 5000 - 5000 + 5000 - 5000 */
    assert_int_equal(fo_store_ledger_buyer(fixture->store, "byr_2", &available, &held), FO_OK);
    assert_int64_equal(available, 700);
    assert_int64_equal(held, 0);
}

/* One whole pass of fo_store_ledger_orders_next in a read snapshot: its rows, at most
 * max (the test's bound), and asserts that it then ended. */
static size_t ledger_pass(struct fo_store *store, int64_t seqs[], struct fo_order_ledger sums[],
                          size_t max)
{
    assert_int_equal(fo_store_read_begin(store), FO_OK);
    size_t count = 0;
    enum fo_err err = FO_OK;
    while (count <= max) {
        int64_t seq = -1;
        struct fo_order_ledger row;
        err = fo_store_ledger_orders_next(store, &seq, &row);
        if (err != FO_OK) {
            break;
        }
        assert_true(count < max);
        seqs[count] = seq;
        sums[count] = row;
        count++;
    }
    assert_int_equal(err, FO_ERR_NOT_FOUND);
    fo_store_read_end(store);
    return count;
}

static void assert_sums(const struct fo_order_ledger *sums, int64_t held_minor,
                        int64_t charged_minor, int64_t fee_minor, int64_t available_minor)
{
    assert_int64_equal(sums->held_minor, held_minor);
    assert_int64_equal(sums->charged_minor, charged_minor);
    assert_int64_equal(sums->fee_minor, fee_minor);
    assert_int64_equal(sums->available_minor, available_minor);
}

static void test_ledger_orders_sum_each_orders_postings_in_seq_order(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_journal_record records[6];
    build_ledger(fixture->store, records);
    struct fo_order unposted; /* seq 3, no postings: not listed. */
    fo_fixture_order("ord_9", FO_STATE_PENDING, &unposted);
    fo_fixture_insert_order(fixture->store, &unposted);
    int64_t seqs[4];
    struct fo_order_ledger sums[4];
    for (int pass = 0; pass < 2; pass++) { /* A pass that ended starts over. */
        assert_int_equal(ledger_pass(fixture->store, seqs, sums, 4), 2);
        assert_int64_equal(seqs[0], 1);
        assert_sums(&sums[0], 0, 1250, 125, -5000 + 3625);
        assert_int64_equal(seqs[1], 2);
        assert_sums(&sums[1], 0, 5000, 0, -5000);
    }
    /* Stopped early, the next pass starts from the first order again. */
    assert_int_equal(fo_store_read_begin(fixture->store), FO_OK);
    int64_t seq = 0;
    assert_int_equal(fo_store_ledger_orders_next(fixture->store, &seq, &sums[0]), FO_OK);
    assert_int64_equal(seq, 1);
    fo_store_ledger_orders_stop(fixture->store);
    assert_int_equal(fo_store_ledger_orders_next(fixture->store, &seq, &sums[0]), FO_OK);
    assert_int64_equal(seq, 1);
    fo_store_read_end(fixture->store); /* Ends the pass with the snapshot. */
    assert_int_equal(ledger_pass(fixture->store, seqs, sums, 4), 2);
}

static void test_ledger_order_while_open_holds_the_amount(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    fo_fixture_insert_order(fixture->store, &order);
    const struct posting_spec hold[] = {{FO_ACCOUNT_BUYER_AVAILABLE, -5000},
                                        {FO_ACCOUNT_BUYER_HELD, 5000}};
    append_journal(fixture->store, FO_JOURNAL_HOLD, "byr_1", "ord_1", hold, 2, 95000, FO_OK);
    int64_t seqs[2];
    struct fo_order_ledger sums[2];
    assert_int_equal(ledger_pass(fixture->store, seqs, sums, 2), 1);
    assert_int64_equal(seqs[0], order.seq);
    assert_sums(&sums[0], 5000, 0, 0, -5000);
}

static void test_journal_that_breaks_the_ledger_is_refused(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_store *store = fixture->store;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    fo_fixture_insert_order(store, &order);
    const struct posting_spec unbalanced[] = {{FO_ACCOUNT_OUTSIDE, -10000},
                                              {FO_ACCOUNT_BUYER_AVAILABLE, 10001}};
    append_journal(store, FO_JOURNAL_TOPUP, "byr_1", "", unbalanced, 2, 10001, FO_ERR_INTERNAL);
    const struct posting_spec topup[] = {{FO_ACCOUNT_OUTSIDE, -10000},
                                         {FO_ACCOUNT_BUYER_AVAILABLE, 10000}};
    append_journal(store, FO_JOURNAL_TOPUP, "byr_1", "", topup, 2, -1, FO_ERR_INTERNAL);
    append_journal(store, FO_JOURNAL_TOPUP, "byr_9", "", topup, 2, 10000, FO_ERR_INTERNAL);
    append_journal(store, FO_JOURNAL_TOPUP, "byr_1", "ord_1", topup, 2, 10000, FO_ERR_INTERNAL);
    const struct posting_spec hold[] = {{FO_ACCOUNT_BUYER_AVAILABLE, -5000},
                                        {FO_ACCOUNT_BUYER_HELD, 5000}};
    append_journal(store, FO_JOURNAL_HOLD, "byr_1", "", hold, 2, 0, FO_ERR_INTERNAL);
    append_journal(store, FO_JOURNAL_HOLD, "byr_1", "ord_9", hold, 2, 0, FO_ERR_INTERNAL);

    struct fo_ledger_totals totals;
    assert_int_equal(fo_store_ledger_totals(store, &totals), FO_OK);
    assert_int64_equal(totals.journals_count, 0);
    struct fo_wallet_entry entries[2];
    size_t count = 9;
    assert_int_equal(fo_store_wallet_entries(store, "byr_1", 0, entries, 2, &count), FO_OK);
    assert_int_equal(count, 0);
}

/* --- Names ----------------------------------------------------------------------------- */

static void test_event_type_and_actor_names_are_the_api_words(void **state)
{
    (void)state;
    assert_string_equal(fo_event_type_name(FO_EVENT_PLACED), "placed");
    assert_string_equal(fo_event_type_name(FO_EVENT_ALLOCATED), "allocated");
    assert_string_equal(fo_event_type_name(FO_EVENT_CLAIMED), "claimed");
    assert_string_equal(fo_event_type_name(FO_EVENT_PROGRESS), "progress");
    assert_string_equal(fo_event_type_name(FO_EVENT_COMPLETED), "completed");
    assert_string_equal(fo_event_type_name(FO_EVENT_CANCELLED), "cancelled");
    assert_string_equal(fo_event_type_name(FO_EVENT_FAILED), "failed");
    assert_string_equal(fo_event_type_name((enum fo_event_type)0), "unknown");
    assert_string_equal(fo_event_type_name((enum fo_event_type)8), "unknown");
    assert_string_equal(fo_actor_name(FO_ACTOR_BUYER), "buyer");
    assert_string_equal(fo_actor_name(FO_ACTOR_SUPPLIER), "supplier");
    assert_string_equal(fo_actor_name(FO_ACTOR_SYSTEM), "system");
    assert_string_equal(fo_actor_name(FO_ACTOR_ADMIN), "admin");
    assert_string_equal(fo_actor_name((enum fo_actor)0), "unknown");
    assert_string_equal(fo_actor_name((enum fo_actor)5), "unknown");
}

#define FIXTURE_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fo_fixture_setup, fo_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_event_append_sets_increasing_seq_and_round_trips),
        FIXTURE_TEST(test_event_append_by_order_seq_attaches_to_that_order),
        FIXTURE_TEST(test_event_pair_appends_both_in_order),
        FIXTURE_TEST(test_event_list_resumes_after_the_cursor),
        FIXTURE_TEST(test_event_last_is_the_newest_or_not_found),
        FIXTURE_TEST(test_event_of_unknown_order_is_refused_and_lists_nothing),
        FIXTURE_TEST(test_event_detail_of_the_largest_size_round_trips),
        FIXTURE_TEST(test_journal_append_sets_increasing_seq),
        FIXTURE_TEST(test_wallet_entries_newest_first_only_available_moves),
        FIXTURE_TEST(test_wallet_entries_resume_before_the_cursor),
        FIXTURE_TEST(test_ledger_totals_count_and_sum_every_journal),
        FIXTURE_TEST(test_ledger_buyer_nets_available_and_held),
        FIXTURE_TEST(test_ledger_orders_sum_each_orders_postings_in_seq_order),
        FIXTURE_TEST(test_ledger_order_while_open_holds_the_amount),
        FIXTURE_TEST(test_journal_that_breaks_the_ledger_is_refused),
        cmocka_unit_test(test_event_type_and_actor_names_are_the_api_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
