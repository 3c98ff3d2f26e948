/* Verification: DESIGN.md's invariants checked over the whole database.
 *
 * What an operator runs (GET /v1/admin/ledger/verify, `fairorder verify`) to prove the
 * money trail: the ledger sums to zero and every journal balances; each buyer's balances
 * are >= 0 and equal the net of their postings; a buyer's held balance is the sum of
 * their open orders' amounts; every order passes fo_order_check and its postings agree
 * with its state and settlement (fo_ledger_check_order). Everything is read in bounded
 * pages inside one read snapshot; problems are sentences naming the id, the first
 * FO_VERIFY_PROBLEMS_MAX kept, all counted. Read-only. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands/query.h"
#include "core/assert.h"
#include "core/ledger.h"
#include "core/money.h"

/* Rows read per page (orders are about 1 KiB each, on the stack). */
#define VERIFY_PAGE_MAX 16

static void verify_problem(struct fo_verify_report *report, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void verify_problem(struct fo_verify_report *report, const char *format, ...)
{
    FO_ASSERT(report != NULL);
    FO_ASSERT(format != NULL);
    if (report->problems_count < FO_VERIFY_PROBLEMS_MAX) {
        va_list args;
        va_start(args, format);
        vsnprintf(report->problems[report->problems_count], sizeof report->problems[0], format,
                  args);
        va_end(args);
    }
    report->problems_count++;
    report->ok = false;
}

static enum fo_err verify_ledger_totals(struct fo_store *store, struct fo_verify_report *report)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(report != NULL);
    struct fo_ledger_totals totals;
    enum fo_err err = fo_store_ledger_totals(store, &totals);
    if (err != FO_OK) {
        return err;
    }
    report->journals_count = totals.journals_count;
    if (totals.sum_minor != 0) {
        verify_problem(report, "ledger: postings sum to %" PRId64 ", not 0", totals.sum_minor);
    }
    if (totals.unbalanced_journals_count != 0) {
        verify_problem(report, "ledger: %" PRId64 " journals do not sum to 0",
                       totals.unbalanced_journals_count);
    }
    return FO_OK;
}

/* The sum of the amounts of the buyer's orders in `state`, paged newest first. */
static enum fo_err verify_open_amount(struct fo_store *store, const char *buyer_id,
                                      enum fo_state state, int64_t *out_sum_minor)
{
    FO_ASSERT(buyer_id != NULL);
    FO_ASSERT(!fo_state_is_terminal(state));
    struct fo_order_filter filter = {.buyer_id = buyer_id, .has_state = true, .state = state};
    int64_t sum_minor = 0;
    /* Each full page moves before_seq strictly down, so the loop ends. */
    for (;;) {
        struct fo_order orders[VERIFY_PAGE_MAX];
        size_t count = 0;
        enum fo_err err = fo_store_order_list(store, &filter, orders, VERIFY_PAGE_MAX, &count);
        if (err != FO_OK) {
            return err;
        }
        for (size_t index = 0; index < count; index++) {
            /* A corrupt database must be reported, not crash verification: saturate. */
            if (!fo_money_add_checked(sum_minor, orders[index].amount_minor, &sum_minor)) {
                sum_minor = INT64_MAX;
            }
        }
        if (count < VERIFY_PAGE_MAX) {
            break;
        }
        FO_ASSERT(filter.before_seq == 0 || orders[count - 1].seq < filter.before_seq);
        filter.before_seq = orders[count - 1].seq;
    }
    *out_sum_minor = sum_minor;
    return FO_OK;
}

static enum fo_err verify_buyer(struct fo_store *store, const struct fo_buyer *buyer,
                                struct fo_verify_report *report)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(buyer != NULL);
    if (buyer->available_minor < 0 || buyer->held_minor < 0) {
        verify_problem(report,
                       "buyer %s: negative balance (available %" PRId64 ", held %" PRId64 ")",
                       buyer->id, buyer->available_minor, buyer->held_minor);
    }
    int64_t posted_available_minor = 0;
    int64_t posted_held_minor = 0;
    enum fo_err err =
        fo_store_ledger_buyer(store, buyer->id, &posted_available_minor, &posted_held_minor);
    if (err != FO_OK) {
        return err;
    }
    if (posted_available_minor != buyer->available_minor ||
        posted_held_minor != buyer->held_minor) {
        verify_problem(report,
                       "buyer %s: balances (available %" PRId64 ", held %" PRId64
                       ") differ from postings (%" PRId64 ", %" PRId64 ")",
                       buyer->id, buyer->available_minor, buyer->held_minor, posted_available_minor,
                       posted_held_minor);
    }
    static const enum fo_state open_states[] = {FO_STATE_PENDING, FO_STATE_QUEUED,
                                                FO_STATE_EXECUTING};
    int64_t open_minor = 0;
    for (size_t index = 0; index < sizeof open_states / sizeof open_states[0]; index++) {
        int64_t state_minor = 0;
        err = verify_open_amount(store, buyer->id, open_states[index], &state_minor);
        if (err != FO_OK) {
            return err;
        }
        if (!fo_money_add_checked(open_minor, state_minor, &open_minor)) {
            open_minor = INT64_MAX;
        }
    }
    if (open_minor != buyer->held_minor) {
        verify_problem(report, "buyer %s: held %" PRId64 " is not the open orders' %" PRId64,
                       buyer->id, buyer->held_minor, open_minor);
    }
    return FO_OK;
}

static enum fo_err verify_buyers(struct fo_store *store, struct fo_verify_report *report)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(report != NULL);
    int64_t after_seq = 0;
    /* Each full page moves after_seq strictly up, so the loop ends. */
    for (;;) {
        struct fo_buyer buyers[VERIFY_PAGE_MAX];
        size_t count = 0;
        enum fo_err err = fo_store_buyer_scan(store, after_seq, buyers, VERIFY_PAGE_MAX, &count);
        if (err != FO_OK) {
            return err;
        }
        for (size_t index = 0; index < count; index++) {
            FO_ASSERT(buyers[index].seq > after_seq);
            err = verify_buyer(store, &buyers[index], report);
            if (err != FO_OK) {
                return err;
            }
            report->buyers_count++;
        }
        if (count < VERIFY_PAGE_MAX) {
            return FO_OK;
        }
        after_seq = buyers[count - 1].seq;
    }
}

/* The orders' postings, one order at a time in seq order (fo_store_ledger_orders_next),
 * walked beside the orders themselves. */
struct ledger_cursor {
    bool has_row; /* seq and sums hold the next order's postings. */
    int64_t seq;
    struct fo_order_ledger sums;
};

/* Move to the next order's postings; postings of orders that do not exist (seq 0, which
 * the schema's foreign key rules out) are reported and passed over. */
static enum fo_err ledger_advance(struct fo_store *store, struct ledger_cursor *cursor,
                                  struct fo_verify_report *report)
{
    enum fo_err err = fo_store_ledger_orders_next(store, &cursor->seq, &cursor->sums);
    if (err == FO_OK && cursor->seq == 0) {
        verify_problem(report, "ledger: postings name orders that do not exist");
        err = fo_store_ledger_orders_next(store, &cursor->seq, &cursor->sums);
    }
    cursor->has_row = err == FO_OK;
    FO_ASSERT(!cursor->has_row || cursor->seq > 0);
    return err == FO_ERR_NOT_FOUND ? FO_OK : err;
}

static enum fo_err verify_order(struct fo_store *store, const struct fo_order *order,
                                struct ledger_cursor *cursor, struct fo_verify_report *report)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(order != NULL);
    const char *broken = fo_order_check(order);
    if (broken != NULL) {
        verify_problem(report, "order %s: %s", order->id, broken);
    }
    /* Every seq of the postings is an order's, and orders come in seq order: the cursor
     * is at this order's postings, or past it when it has none. */
    FO_ASSERT(!cursor->has_row || cursor->seq >= order->seq);
    struct fo_order_ledger sums = {0};
    enum fo_err err = FO_OK;
    if (cursor->has_row && cursor->seq == order->seq) {
        sums = cursor->sums;
        err = ledger_advance(store, cursor, report);
    }
    const char *disagreement = fo_ledger_check_order(order, &sums);
    if (disagreement != NULL) {
        verify_problem(report, "order %s: %s", order->id, disagreement);
    }
    return err;
}

static enum fo_err verify_orders_paged(struct fo_store *store, struct ledger_cursor *cursor,
                                       struct fo_verify_report *report)
{
    int64_t after_seq = 0;
    /* Each full page moves after_seq strictly up, so the loop ends. */
    for (;;) {
        struct fo_order orders[VERIFY_PAGE_MAX];
        size_t count = 0;
        enum fo_err err = fo_store_order_scan(store, after_seq, orders, VERIFY_PAGE_MAX, &count);
        if (err != FO_OK) {
            return err;
        }
        for (size_t index = 0; index < count; index++) {
            FO_ASSERT(orders[index].seq > after_seq);
            err = verify_order(store, &orders[index], cursor, report);
            if (err != FO_OK) {
                return err;
            }
            report->orders_count++;
        }
        if (count < VERIFY_PAGE_MAX) {
            FO_ASSERT(!cursor->has_row); /* Postings of an order the scan did not see. */
            return FO_OK;
        }
        after_seq = orders[count - 1].seq;
    }
}

static enum fo_err verify_orders(struct fo_store *store, struct fo_verify_report *report)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(report != NULL);
    struct ledger_cursor cursor = {0};
    enum fo_err err = ledger_advance(store, &cursor, report);
    if (err == FO_OK) {
        err = verify_orders_paged(store, &cursor, report);
    }
    fo_store_ledger_orders_stop(store);
    return err;
}

enum fo_err fo_query_verify(struct fo_store *store, struct fo_verify_report *report)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(report != NULL);
    memset(report, 0, sizeof *report);
    report->ok = true;
    enum fo_err err = fo_store_read_begin(store);
    if (err != FO_OK) {
        return err;
    }
    err = verify_ledger_totals(store, report);
    if (err == FO_OK) {
        err = verify_buyers(store, report);
    }
    if (err == FO_OK) {
        err = verify_orders(store, report);
    }
    fo_store_read_end(store);
    FO_ASSERT(report->ok == (report->problems_count == 0));
    return err;
}
