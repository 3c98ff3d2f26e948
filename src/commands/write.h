/* Helpers shared by the commands (internal to src/commands; nothing else includes this).
 *
 * They are the only places where the commands write to the store, so every write is
 * preceded by the invariant checks STYLE.md §6 asks for: an order is checked with
 * fo_order_check before the store sees it, a journal with fo_journal_check, and the
 * wallet arithmetic always comes from fo_ledger_apply_to_wallet (money rules live only in
 * core). Each helper either writes everything it is asked to or returns an error; the
 * caller then returns it and its command scope is rolled back. */
#ifndef FO_COMMANDS_WRITE_H
#define FO_COMMANDS_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commands/commands.h"
#include "core/err.h"
#include "core/ledger.h"
#include "core/order.h"
#include "store/store.h"

/* Validate a text field from outside: chars_min..chars_max code points, valid UTF-8, no
 * control characters unless allow_control. NULL counts as the empty string when
 * chars_min is 0, else it is FO_FIELD_MISSING. */
enum fo_err fo_write_text_check(const char *field, const char *text, int64_t chars_min,
                                int64_t chars_max, bool allow_control,
                                struct fo_err_detail *detail);
/* The same for a buyer the command has just read (and not changed since): one read less. */
enum fo_err fo_write_journal_of(struct fo_store *store, int64_t now_unix_ms,
                                const struct fo_buyer *buyer, const char *order_id,
                                const char *reference, const struct fo_journal *journal,
                                struct fo_buyer *out_buyer, struct fo_err_detail *detail);

/* Copy a NUL-terminated string that is known to fit (asserted) into dst. */
void fo_write_copy(char *dst, size_t dst_bytes, const char *src);

/* Check the order's invariants (asserted), then write its mutable fields; `from` is the
 * state the command read it in (fo_store_order_update). */
enum fo_err fo_write_order(struct fo_store *store, const struct fo_order *order,
                           enum fo_state from);

/* Append an event of `type` by `actor` carrying the order's state and delivered units;
 * `text` is the event's detail (NULL for none). */
enum fo_err fo_write_event(struct fo_store *store, const struct fo_order *order,
                           enum fo_event_type type, enum fo_actor actor, const char *text,
                           int64_t now_unix_ms);
/* Placement's two events in one write: `placed` by the buyer (the order as paid for,
 * pending), then `allocated` by the system (queued). */
enum fo_err fo_write_placed_and_allocated(struct fo_store *store, const struct fo_order *placed,
                                          const struct fo_order *allocated, int64_t now_unix_ms);

/* Apply `journal` to the buyer's wallet and record it: the journal record (with the
 * available balance after it) and the new balances. order_id and reference may be NULL.
 * FO_ERR_NOT_FOUND for an unknown buyer; the errors of fo_ledger_apply_to_wallet
 * (INSUFFICIENT_FUNDS, INVALID_REQUEST naming "amount_minor") before anything is written.
 * *out_buyer (may be NULL) is the buyer after. */
enum fo_err fo_write_journal(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                             const char *order_id, const char *reference,
                             const struct fo_journal *journal, struct fo_buyer *out_buyer,
                             struct fo_err_detail *detail);

/* Write an order that has just become terminal from state `from`: the order, its
 * settlement journal and the buyer's balances, and the event of `type` by `actor` with
 * detail `text` (may be NULL). */
enum fo_err fo_write_terminal(struct fo_store *store, const struct fo_order *order,
                              enum fo_state from, enum fo_event_type type, enum fo_actor actor,
                              const char *text, int64_t now_unix_ms, struct fo_err_detail *detail);

/* Fill a view: the order and its quote at now (the buyer's recent cancels counted). */
enum fo_err fo_write_view(struct fo_store *store, int64_t now_unix_ms, const struct fo_order *order,
                          struct fo_order_view *out);

#endif
