/* Queries: the reads of the API, with the rules that shape them (ownership, the live
 * quote of every order view). They never write, and run on a reader connection. */
#ifndef FO_COMMANDS_QUERY_H
#define FO_COMMANDS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commands/commands.h"

/* The order view of one order with its quote at now. `buyer_id` NULL lets an admin read
 * any order; else NOT_FOUND for another buyer's order. */
enum fo_err fo_query_order(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                           const char *order_id, struct fo_order_view *out);

/* Order views newest first (filter as store.h); out holds `max` views. */
enum fo_err fo_query_orders(struct fo_store *store, int64_t now_unix_ms,
                            const struct fo_order_filter *filter, struct fo_order_view *out,
                            size_t max, size_t *out_count);

/* Quote every view of an already loaded order (counts the buyer's recent cancels). */
enum fo_err fo_query_quote(struct fo_store *store, int64_t now_unix_ms,
                           const struct fo_order *order, struct fo_quote *out);

/* What verification found: DESIGN.md's invariants over the whole database. */
struct fo_verify_report {
    bool ok;
    size_t problems_count; /* All problems found; only the first FO_VERIFY_PROBLEMS_MAX kept. */
    char problems[FO_VERIFY_PROBLEMS_MAX][160];
    int64_t orders_count;
    int64_t buyers_count;
    int64_t journals_count;
};
/* Replays the ledger and checks every invariant: ledger sums to zero, every journal
 * balances, each buyer's balances equal their postings and are >= 0, each order passes
 * fo_order_check and its postings agree with its state (fo_ledger_check_order).
 * `report` is large: allocate it. */
enum fo_err fo_query_verify(struct fo_store *store, struct fo_verify_report *report);

#endif
