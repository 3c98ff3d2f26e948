/* Double-entry ledger postings (DESIGN.md invariant 1; API.md "Money never appears or
 * vanishes").
 *
 * Each money event produces a journal: a small set of postings that sums to zero. Accounts
 * are a buyer's available and held balances, the platform's revenue (charged for delivered
 * units) and fees, and the outside world (top-ups come from it, so its balance is the
 * negative of all money brought in). A positive amount increases the account's balance.
 * Pure: commands write the journals this module builds; verification replays them. */
#ifndef FO_CORE_LEDGER_H
#define FO_CORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/order.h"

enum fo_account {
    FO_ACCOUNT_OUTSIDE = 1,          /* Money entering or leaving the platform. */
    FO_ACCOUNT_BUYER_AVAILABLE = 2,  /* A buyer's spendable balance (>= 0). */
    FO_ACCOUNT_BUYER_HELD = 3,       /* A buyer's funds held for open orders (>= 0). */
    FO_ACCOUNT_PLATFORM_REVENUE = 4, /* Charged for delivered units. */
    FO_ACCOUNT_PLATFORM_FEES = 5,    /* Cancellation fees. */
};

enum fo_journal_kind {
    FO_JOURNAL_TOPUP = 1,  /* outside -> buyer available. */
    FO_JOURNAL_HOLD = 2,   /* buyer available -> buyer held, at placement. */
    FO_JOURNAL_SETTLE = 3, /* buyer held -> revenue, fees, buyer available (refund). */
};

struct fo_posting {
    enum fo_account account;
    int64_t amount_minor; /* Signed: positive increases the account's balance. */
};

/* The largest journal: a settlement touches held, revenue, fees and available. */
#define FO_JOURNAL_POSTINGS_MAX 4

struct fo_journal {
    enum fo_journal_kind kind;
    struct fo_posting postings[FO_JOURNAL_POSTINGS_MAX];
    size_t postings_count; /* 2..FO_JOURNAL_POSTINGS_MAX; zero-amount postings omitted. */
};

/* A top-up of 1..FO_TOPUP_MINOR_MAX. */
void fo_ledger_topup(int64_t amount_minor, struct fo_journal *out);
/* The hold of an order's whole amount at placement. */
void fo_ledger_hold(const struct fo_order *order, struct fo_journal *out);
/* The settlement of a terminal order: releases the hold into revenue, fees and refund. */
void fo_ledger_settle(const struct fo_order *order, struct fo_journal *out);

/* Sum of a journal's postings; zero for every journal built above. */
int64_t fo_journal_sum(const struct fo_journal *journal);
/* The net change of one account in the journal (0 when untouched). */
int64_t fo_journal_amount(const struct fo_journal *journal, enum fo_account account);
/* NULL when the journal sums to zero and has at least two non-zero postings. */
const char *fo_journal_check(const struct fo_journal *journal);

/* A buyer's balances after applying `journal`; FO_ERR_INSUFFICIENT_FUNDS when available
 * would go negative; FO_ERR_INVALID_REQUEST (detail names "amount_minor", out of range
 * 1..FO_TOPUP_MINOR_MAX) when a top-up would lift available + held above
 * FO_BALANCE_MINOR_MAX. Checking the sum at the only journal that brings money in keeps
 * available (API.md: never above 10^15) and held bounded for ever, so a settlement's refund
 * is never refused. Outputs untouched on error. */
enum fo_err fo_ledger_apply_to_wallet(const struct fo_journal *journal, int64_t available_minor,
                                      int64_t held_minor, int64_t *out_available_minor,
                                      int64_t *out_held_minor, struct fo_err_detail *detail);

/* What the ledger says about one order, summed by account over its journals; verification
 * compares it with the order (held back to 0 when terminal, else the whole amount). */
struct fo_order_ledger {
    int64_t held_minor;      /* Net on the buyer's held account. */
    int64_t charged_minor;   /* Net on revenue. */
    int64_t fee_minor;       /* Net on fees. */
    int64_t available_minor; /* Net on the buyer's available account (-amount + refund). */
};
/* NULL when the order's postings agree with its state and settlement, else a sentence. */
const char *fo_ledger_check_order(const struct fo_order *order, const struct fo_order_ledger *sums);

#endif
