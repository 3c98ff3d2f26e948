/* Double-entry ledger postings (see ledger.h; DESIGN.md invariant 1).
 *
 * Why: money must never appear or vanish, and an operator must be able to prove it at
 * any time by replaying the ledger. Every money event is one journal whose postings sum
 * to zero:
 *
 *   topup    outside -a               buyer available +a
 *   hold     buyer available -amount  buyer held +amount                (at placement)
 *   settle   buyer held -amount       revenue +charged, fees +fee,
 *                                     buyer available +refund           (terminal)
 *
 * Postings of zero are omitted, so a full refund settles with two postings and a
 * completion with two. A buyer's available balance never goes below zero (a hold that
 * would is INSUFFICIENT_FUNDS), the held balance never goes below zero (asserted: a
 * settle always releases a hold that was made), and a top-up may not lift the available
 * balance above FO_BALANCE_MINOR_MAX. Pure: commands write the journals built here. */
#include "core/ledger.h"

#include <string.h>

#include "core/assert.h"
#include "core/money.h"

static void journal_start(struct fo_journal *out, enum fo_journal_kind kind)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(kind >= FO_JOURNAL_TOPUP);
    FO_ASSERT(kind <= FO_JOURNAL_SETTLE);

    memset(out, 0, sizeof *out);
    out->kind = kind;
}

/* Add a posting unless its amount is zero. */
static void journal_post(struct fo_journal *out, enum fo_account account, int64_t amount_minor)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(out->postings_count < FO_JOURNAL_POSTINGS_MAX);

    if (amount_minor == 0) {
        return;
    }
    out->postings[out->postings_count].account = account;
    out->postings[out->postings_count].amount_minor = amount_minor;
    out->postings_count++;

    FO_ASSERT(out->postings_count <= FO_JOURNAL_POSTINGS_MAX);
}

void fo_ledger_topup(int64_t amount_minor, struct fo_journal *out)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(amount_minor >= 1);
    FO_ASSERT(amount_minor <= FO_TOPUP_MINOR_MAX);

    journal_start(out, FO_JOURNAL_TOPUP);
    journal_post(out, FO_ACCOUNT_OUTSIDE, -amount_minor);
    journal_post(out, FO_ACCOUNT_BUYER_AVAILABLE, amount_minor);

    FO_ASSERT(out->postings_count == 2);
    FO_ASSERT(fo_journal_check(out) == NULL);
}

void fo_ledger_hold(const struct fo_order *order, struct fo_journal *out)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(order->amount_minor >= 1);
    FO_ASSERT(order->amount_minor <= FO_AMOUNT_MINOR_MAX);

    journal_start(out, FO_JOURNAL_HOLD);
    journal_post(out, FO_ACCOUNT_BUYER_AVAILABLE, -order->amount_minor);
    journal_post(out, FO_ACCOUNT_BUYER_HELD, order->amount_minor);

    FO_ASSERT(out->postings_count == 2);
    FO_ASSERT(fo_journal_check(out) == NULL);
}

void fo_ledger_settle(const struct fo_order *order, struct fo_journal *out)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(order->settled);
    FO_ASSERT(fo_order_check(order) == NULL);

    const struct fo_split *split = &order->settlement.split;
    journal_start(out, FO_JOURNAL_SETTLE);
    journal_post(out, FO_ACCOUNT_BUYER_HELD, -order->amount_minor);
    journal_post(out, FO_ACCOUNT_PLATFORM_REVENUE, split->charged_minor);
    journal_post(out, FO_ACCOUNT_PLATFORM_FEES, split->fee_minor);
    journal_post(out, FO_ACCOUNT_BUYER_AVAILABLE, split->refund_minor);

    FO_ASSERT(out->postings_count >= 2);
    FO_ASSERT(fo_journal_check(out) == NULL);
}

int64_t fo_journal_sum(const struct fo_journal *journal)
{
    FO_ASSERT(journal != NULL);
    FO_ASSERT(journal->postings_count <= FO_JOURNAL_POSTINGS_MAX);

    /* Each posting is bounded by limits.h (at most 10^15 in magnitude): no overflow. */
    int64_t sum_minor = 0;
    for (size_t index = 0; index < journal->postings_count; index++) {
        bool fits =
            fo_money_add_checked(sum_minor, journal->postings[index].amount_minor, &sum_minor);
        FO_ASSERT(fits);
    }
    return sum_minor;
}

int64_t fo_journal_amount(const struct fo_journal *journal, enum fo_account account)
{
    FO_ASSERT(journal != NULL);
    FO_ASSERT(journal->postings_count <= FO_JOURNAL_POSTINGS_MAX);

    int64_t amount_minor = 0;
    for (size_t index = 0; index < journal->postings_count; index++) {
        if (journal->postings[index].account == account) {
            bool fits = fo_money_add_checked(amount_minor, journal->postings[index].amount_minor,
                                             &amount_minor);
            FO_ASSERT(fits);
        }
    }
    return amount_minor;
}

const char *fo_journal_check(const struct fo_journal *journal)
{
    FO_ASSERT(journal != NULL);

    if (journal->kind < FO_JOURNAL_TOPUP || journal->kind > FO_JOURNAL_SETTLE) {
        return "the journal has an unknown kind";
    }
    if (journal->postings_count < 2 || journal->postings_count > FO_JOURNAL_POSTINGS_MAX) {
        return "the journal does not have 2..4 postings";
    }
    for (size_t index = 0; index < journal->postings_count; index++) {
        const struct fo_posting *posting = &journal->postings[index];
        if (posting->account < FO_ACCOUNT_OUTSIDE || posting->account > FO_ACCOUNT_PLATFORM_FEES) {
            return "a posting names an unknown account";
        }
        if (posting->amount_minor == 0) {
            return "a posting has a zero amount";
        }
        if (posting->amount_minor < -FO_BALANCE_MINOR_MAX ||
            posting->amount_minor > FO_BALANCE_MINOR_MAX) {
            return "a posting is beyond the largest balance";
        }
    }
    if (fo_journal_sum(journal) != 0) {
        return "the journal does not sum to zero";
    }
    FO_ASSERT(journal->postings_count >= 2);
    return NULL;
}

enum fo_err fo_ledger_apply_to_wallet(const struct fo_journal *journal, int64_t available_minor,
                                      int64_t held_minor, int64_t *out_available_minor,
                                      int64_t *out_held_minor, struct fo_err_detail *detail)
{
    FO_ASSERT(journal != NULL);
    FO_ASSERT(fo_journal_check(journal) == NULL);
    FO_ASSERT(out_available_minor != NULL);
    FO_ASSERT(out_held_minor != NULL);
    FO_ASSERT(detail != NULL);
    FO_ASSERT(available_minor >= 0);
    FO_ASSERT(held_minor >= 0);

    int64_t available_after_minor = 0;
    int64_t held_after_minor = 0;
    bool fits = fo_money_add_checked(available_minor,
                                     fo_journal_amount(journal, FO_ACCOUNT_BUYER_AVAILABLE),
                                     &available_after_minor) &&
                fo_money_add_checked(held_minor, fo_journal_amount(journal, FO_ACCOUNT_BUYER_HELD),
                                     &held_after_minor);
    FO_ASSERT(fits);
    if (available_after_minor < 0) {
        return FO_ERR_INSUFFICIENT_FUNDS;
    }
    /* The cap is checked at top-ups on everything the buyer owns, available plus held: only
     * a top-up brings money in, and a refund returns held money to available, so this keeps
     * available (API.md: never above 10^15) and held bounded forever, and a settlement never
     * has to be refused. */
    if (journal->kind == FO_JOURNAL_TOPUP &&
        available_after_minor > FO_BALANCE_MINOR_MAX - held_after_minor) {
        return fo_err_field_range(detail, "amount_minor", FO_FIELD_OUT_OF_RANGE, 1,
                                  FO_TOPUP_MINOR_MAX);
    }
    FO_ASSERT(held_after_minor >= 0);
    FO_ASSERT(available_after_minor <= FO_BALANCE_MINOR_MAX - held_after_minor);
    *out_available_minor = available_after_minor;
    *out_held_minor = held_after_minor;

    FO_ASSERT(*out_available_minor >= 0);
    return FO_OK;
}

const char *fo_ledger_check_order(const struct fo_order *order, const struct fo_order_ledger *sums)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(sums != NULL);

    if (!order->settled) {
        if (sums->held_minor != order->amount_minor) {
            return "an open order's hold is not its whole amount";
        }
        if (sums->available_minor != -order->amount_minor) {
            return "an open order's postings to available are not minus its amount";
        }
        if (sums->charged_minor != 0 || sums->fee_minor != 0) {
            return "an open order has revenue or fee postings";
        }
        return NULL;
    }
    const struct fo_split *split = &order->settlement.split;
    if (sums->held_minor != 0) {
        return "a terminal order still holds funds";
    }
    if (sums->charged_minor != split->charged_minor) {
        return "a terminal order's revenue postings differ from its charged amount";
    }
    if (sums->fee_minor != split->fee_minor) {
        return "a terminal order's fee postings differ from its fee";
    }
    if (sums->available_minor != split->refund_minor - order->amount_minor) {
        return "a terminal order's postings to available are not refund minus amount";
    }
    return NULL;
}
