/* The one storage interface (DESIGN.md, "store"). Commands and queries use only this;
 * nothing above src/store includes a backend file, and only fo_store_open() knows them.
 *
 * A struct fo_store is ONE connection, used by one thread at a time: the writer thread owns
 * one, each reader thread borrows one from a pool. Every function returns an enum fo_err:
 * FO_OK, FO_ERR_NOT_FOUND where it says so, FO_ERR_UNAVAILABLE when the database is busy
 * or unreachable (retry), FO_ERR_INTERNAL for anything else (a constraint violation means
 * a bug above: the backend logs the native detail once). Backends translate their codes.
 *
 * Transactions. Writes happen only inside a batch, and each command inside its own
 * command scope:
 *
 *     fo_store_batch_begin            SQLite: BEGIN IMMEDIATE        PostgreSQL: nothing
 *       fo_store_command_begin        SAVEPOINT                       BEGIN
 *       ... reads and writes ...
 *       fo_store_command_end(keep)    RELEASE | ROLLBACK TO+RELEASE   COMMIT | ROLLBACK
 *     fo_store_batch_commit           COMMIT (one fsync per batch)    nothing
 *
 * so a refused command rolls back alone and does not spoil its batch (group commit).
 * The writer first tries each command in a bare scope (fo_store_bare_begin, below), which
 * costs nothing and is enough for every command that keeps its writes or is refused
 * before writing; it falls back to command scopes for the batch when one is not.
 * Command scopes nest (SQLite savepoints do; PostgreSQL uses SAVEPOINT inside its
 * transaction): the HTTP layer runs a command in an inner scope and stores the answer of
 * its Idempotency-Key in the outer one, so a refused command's answer is kept while the
 * command's own writes are undone.
 * Reads outside a batch may be wrapped in fo_store_read_begin/end for one snapshot.
 *
 * Row shapes are the core structs; list functions fill caller-owned arrays of at most
 * `max` items and set *out_count. Cursors are the `seq` of the last item returned. */
#ifndef FO_STORE_STORE_H
#define FO_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ledger.h"
#include "core/limits.h"
#include "core/order.h"
#include "core/policy.h"

struct fo_store;

/* --- Connection ------------------------------------------------------------------------ */

/* Open one connection. `location` is a file path for the embedded SQLite store (created if
 * missing, WAL, synchronous=FULL, foreign keys on). Applies pending schema migrations
 * when `migrate` is true (the writer's connection does; readers do not).
 * FO_ERR_UNAVAILABLE when the database cannot be opened (the log says why). */
enum fo_err fo_store_open(const char *location, bool migrate, struct fo_store **out);
/* Close and free; NULL is a no-op. */
void fo_store_close(struct fo_store *store);
/* The schema version after migrations (the highest applied NNNN of schema/NNNN_*.sql). */
int64_t fo_store_schema_version(struct fo_store *store);
/* Copy what the write-ahead log holds into the database file without waiting for readers
 * or the writer (SQLite: a PASSIVE checkpoint), on a connection of its own. The migrating
 * (writer's) connection checkpoints by itself only past FO_WAL_AUTOCHECKPOINT_PAGES.
 * FO_OK also when another checkpoint was running (try again later). */
enum fo_err fo_store_checkpoint(struct fo_store *store);

/* --- Transactions ---------------------------------------------------------------------- */

enum fo_err fo_store_batch_begin(struct fo_store *store);
enum fo_err fo_store_batch_commit(struct fo_store *store);
void fo_store_batch_rollback(struct fo_store *store);
enum fo_err fo_store_command_begin(struct fo_store *store);
/* keep: release the command's changes into the batch; else undo exactly them. */
enum fo_err fo_store_command_end(struct fo_store *store, bool keep);
/* A bare command scope, for the writer's first try at a command (commands/writer.c): no
 * savepoint (SQLite's costs ~10 % of the writer: BENCH.md), so nothing can be undone
 * alone. begin notes a mark in the batch; end tells whether the command may stay as it
 * is: kept, or refused before it wrote anything. *out_undo_needed is set when it was
 * refused after writing: then only fo_store_batch_rollback undoes it. Only directly
 * inside a batch; a bare scope does not nest, command scopes may nest inside it. */
enum fo_err fo_store_bare_begin(struct fo_store *store, int64_t *out_mark);
enum fo_err fo_store_bare_end(struct fo_store *store, int64_t mark, bool keep,
                              bool *out_undo_needed);
enum fo_err fo_store_read_begin(struct fo_store *store);
void fo_store_read_end(struct fo_store *store);

/* --- Principals and tokens ------------------------------------------------------------- */

enum fo_role {
    FO_ROLE_ADMIN = 1,
    FO_ROLE_BUYER = 2,
    FO_ROLE_SUPPLIER = 3,
};

/* Token hashes are 32 bytes (crypto_generichash of the token); tokens are never stored. */
#define FO_TOKEN_HASH_BYTES 32

struct fo_principal {
    enum fo_role role;
    char id[FO_ID_BYTES]; /* "adm_…", "byr_…" or "sup_…". */
};

/* NOT_FOUND when no principal has this token hash. The backend compares the stored hash
 * with `hash` in constant time before answering FO_OK. */
enum fo_err fo_store_principal_by_token(struct fo_store *store,
                                        const uint8_t hash[FO_TOKEN_HASH_BYTES],
                                        struct fo_principal *out);
/* Insert (or, for the admin, replace) the token hash of a principal. */
enum fo_err fo_store_principal_put(struct fo_store *store, const struct fo_principal *principal,
                                   const uint8_t hash[FO_TOKEN_HASH_BYTES]);
/* Whether any admin token exists (a new database gets one at first start). */
enum fo_err fo_store_admin_exists(struct fo_store *store, bool *out_exists);

/* --- Buyers and wallets ---------------------------------------------------------------- */

struct fo_buyer {
    int64_t seq;
    char id[FO_ID_BYTES];
    char name[FO_NAME_BYTES];
    char currency[FO_CURRENCY_BYTES];
    int64_t available_minor; /* >= 0, <= FO_BALANCE_MINOR_MAX. */
    int64_t held_minor;      /* >= 0: the sum of open orders' amounts. */
    int64_t created_at_unix_ms;
};

enum fo_err fo_store_buyer_insert(struct fo_store *store, const struct fo_buyer *buyer);
/* NOT_FOUND when unknown. */
enum fo_err fo_store_buyer_get(struct fo_store *store, const char *buyer_id, struct fo_buyer *out);
/* Write the buyer's balances (the other fields never change). The buyer as read from the
 * store: found by its seq, checked by its id; NOT_FOUND when no row has both. */
enum fo_err fo_store_buyer_put_balances(struct fo_store *store, const struct fo_buyer *buyer,
                                        int64_t available_minor, int64_t held_minor);
/* Buyers in seq order after `after_seq` (0 = from the start); for verification. */
enum fo_err fo_store_buyer_scan(struct fo_store *store, int64_t after_seq, struct fo_buyer *out,
                                size_t max, size_t *out_count);

/* --- Suppliers ------------------------------------------------------------------------- */

struct fo_supplier {
    int64_t seq;
    char id[FO_ID_BYTES];
    char name[FO_NAME_BYTES];
    int64_t capacity;             /* 1..FO_CAPACITY_MAX orders queued + executing. */
    int64_t lease_s;              /* FO_LEASE_S_MIN..FO_LEASE_S_MAX. */
    int64_t simulate_units_per_s; /* 0: an outside supplier; else the server runs it. */
    int64_t created_at_unix_ms;
    int64_t in_flight_count; /* Read only: orders queued + executing now (counted). */
    int64_t pending_count;   /* Read only: orders pending now (counted). */
};

enum fo_err fo_store_supplier_insert(struct fo_store *store, const struct fo_supplier *supplier);
enum fo_err fo_store_supplier_get(struct fo_store *store, const char *supplier_id,
                                  struct fo_supplier *out);
/* Suppliers with simulate_units_per_s > 0, in seq order after `after_seq`. */
enum fo_err fo_store_supplier_scan_simulated(struct fo_store *store, int64_t after_seq,
                                             struct fo_supplier *out, size_t max,
                                             size_t *out_count);

/* --- Policies and services ------------------------------------------------------------- */

enum fo_err fo_store_policy_insert(struct fo_store *store, const struct fo_policy *policy);
enum fo_err fo_store_policy_get(struct fo_store *store, const char *policy_id,
                                struct fo_policy *out);

struct fo_service {
    int64_t seq;
    char id[FO_ID_BYTES];
    char name[FO_NAME_BYTES];
    char unit[FO_UNIT_BYTES];
    int64_t unit_price_minor; /* 1..FO_UNIT_PRICE_MINOR_MAX. */
    int64_t min_quantity;     /* 1..max_quantity. */
    int64_t max_quantity;     /* min_quantity..FO_QUANTITY_MAX. */
    char currency[FO_CURRENCY_BYTES];
    char policy_id[FO_ID_BYTES];
    char supplier_id[FO_ID_BYTES];
    bool active;
    int64_t created_at_unix_ms;
};

enum fo_err fo_store_service_insert(struct fo_store *store, const struct fo_service *service);
/* Writes policy_id, unit_price_minor and active (the mutable fields). */
enum fo_err fo_store_service_update(struct fo_store *store, const struct fo_service *service);
enum fo_err fo_store_service_get(struct fo_store *store, const char *service_id,
                                 struct fo_service *out);
/* Services newest first with seq < before_seq (0 = from the newest); only active ones
 * when active_only. */
enum fo_err fo_store_service_list(struct fo_store *store, bool active_only, int64_t before_seq,
                                  struct fo_service *out, size_t max, size_t *out_count);

/* --- Orders ---------------------------------------------------------------------------- */

/* Inserts the order (its policy must exist: the snapshot is the immutable policy row) and
 * sets order->seq. */
enum fo_err fo_store_order_insert(struct fo_store *store, struct fo_order *order);
/* Writes the mutable fields: state, delivered, updated_at, lease, settlement. `from` is the
 * state the caller read the order in, in this transaction: the supplier's in-flight count
 * follows the change from it (schema/0005). */
enum fo_err fo_store_order_update(struct fo_store *store, const struct fo_order *order,
                                  enum fo_state from);
/* NOT_FOUND when unknown. Fills the policy snapshot too. */
enum fo_err fo_store_order_get(struct fo_store *store, const char *order_id, struct fo_order *out);

struct fo_order_filter {
    const char *buyer_id; /* NULL: any buyer. */
    bool has_state;
    enum fo_state state;
    int64_t before_seq; /* 0: from the newest. */
};
/* Orders newest first matching the filter. */
enum fo_err fo_store_order_list(struct fo_store *store, const struct fo_order_filter *filter,
                                struct fo_order *out, size_t max, size_t *out_count);
/* A supplier's orders in `state` (pending or queued), oldest first. */
enum fo_err fo_store_order_oldest(struct fo_store *store, const char *supplier_id,
                                  enum fo_state state, struct fo_order *out, size_t max,
                                  size_t *out_count);
/* Executing orders whose lease_expires_at <= now, oldest lease first (any supplier). */
enum fo_err fo_store_order_expired(struct fo_store *store, int64_t now_unix_ms,
                                   struct fo_order *out, size_t max, size_t *out_count);
/* Executing orders of one supplier, oldest first (the simulated supplier's work list). */
enum fo_err fo_store_order_executing(struct fo_store *store, const char *supplier_id,
                                     struct fo_order *out, size_t max, size_t *out_count);
/* All orders in seq order after `after_seq`, for verification. */
enum fo_err fo_store_order_scan(struct fo_store *store, int64_t after_seq, struct fo_order *out,
                                size_t max, size_t *out_count);
/* How many of the buyer's orders were cancelled at t with since < t <= until, counting at
 * most count_max (>= 1): the quote only asks whether the buyer is under its policy's
 * free_cancels_per_day, so the cost stays bounded however many the buyer cancelled. */
enum fo_err fo_store_cancels_count(struct fo_store *store, const char *buyer_id,
                                   int64_t since_exclusive_unix_ms, int64_t until_inclusive_unix_ms,
                                   int64_t count_max, int64_t *out_count);

/* --- Events (append-only) -------------------------------------------------------------- */

enum fo_event_type {
    FO_EVENT_PLACED = 1,
    FO_EVENT_ALLOCATED,
    FO_EVENT_CLAIMED,
    FO_EVENT_PROGRESS,
    FO_EVENT_COMPLETED,
    FO_EVENT_CANCELLED,
    FO_EVENT_FAILED,
};

enum fo_actor {
    FO_ACTOR_BUYER = 1,
    FO_ACTOR_SUPPLIER,
    FO_ACTOR_SYSTEM,
    FO_ACTOR_ADMIN,
};

struct fo_event {
    int64_t seq; /* Global, increasing; the SSE id. Store-assigned on append. */
    char order_id[FO_ID_BYTES];
    int64_t order_seq; /* On append, the order's seq when the caller has it (0: found by id). */
    int64_t at_unix_ms;
    enum fo_event_type type;
    enum fo_state state; /* The order's state after the event. */
    int64_t delivered;   /* The order's delivered after the event. */
    enum fo_actor actor;
    char detail[FO_REASON_BYTES]; /* Free text: a cancel or failure reason; may be empty. */
};

const char *fo_event_type_name(enum fo_event_type type);
const char *fo_actor_name(enum fo_actor actor);

/* Appends and sets event->seq. The order is event->order_seq when > 0 (the caller vouches
 * that it is the seq of event->order_id: the write path has it and saves a lookup), else
 * the order whose id is event->order_id. */
enum fo_err fo_store_event_append(struct fo_store *store, struct fo_event *event);
/* Appends two events of orders whose order_seq the caller vouches for (> 0), in this order,
 * in one statement (placement writes placed and allocated together); sets both seqs. */
enum fo_err fo_store_event_append_pair(struct fo_store *store, struct fo_event events[2]);
/* The order's events with seq > after_seq, oldest first. */
enum fo_err fo_store_event_list(struct fo_store *store, const char *order_id, int64_t after_seq,
                                struct fo_event *out, size_t max, size_t *out_count);
/* The order's newest event; NOT_FOUND when it has none. */
enum fo_err fo_store_event_last(struct fo_store *store, const char *order_id, struct fo_event *out);

/* --- Ledger ---------------------------------------------------------------------------- */

/* A journal as written: the postings of core/ledger.h, tied to a buyer (every journal
 * touches exactly one buyer) and, except top-ups, an order. */
struct fo_journal_record {
    int64_t seq; /* Store-assigned. */
    int64_t at_unix_ms;
    char buyer_id[FO_ID_BYTES];
    char order_id[FO_ID_BYTES];         /* Empty for a top-up. */
    char reference[FO_REFERENCE_BYTES]; /* A top-up's reference; else empty. */
    struct fo_journal journal;
    int64_t available_after_minor; /* The buyer's available balance after this journal. */
};

/* Appends the journal and its postings, sets record->seq. */
enum fo_err fo_store_journal_append(struct fo_store *store, struct fo_journal_record *record);

/* The buyer's wallet entries (API.md: GET /v1/wallet/entries): one per journal that moved
 * the available balance, newest first with seq < before_seq (0 = newest). */
struct fo_wallet_entry {
    int64_t seq;
    int64_t at_unix_ms;
    enum fo_journal_kind kind;  /* topup, hold, settle ("refund" on the wire). */
    int64_t amount_minor;       /* Signed change of the available balance. */
    char order_id[FO_ID_BYTES]; /* Empty for a top-up. */
    int64_t balance_after_minor;
};
enum fo_err fo_store_wallet_entries(struct fo_store *store, const char *buyer_id,
                                    int64_t before_seq, struct fo_wallet_entry *out, size_t max,
                                    size_t *out_count);

/* Ledger totals for verification. */
struct fo_ledger_totals {
    int64_t sum_minor; /* Over every posting: must be 0. */
    int64_t journals_count;
    int64_t unbalanced_journals_count; /* Journals whose postings do not sum to 0. */
};
enum fo_err fo_store_ledger_totals(struct fo_store *store, struct fo_ledger_totals *out);
/* Net of the buyer's postings on FO_ACCOUNT_BUYER_AVAILABLE and _HELD. */
enum fo_err fo_store_ledger_buyer(struct fo_store *store, const char *buyer_id,
                                  int64_t *out_available_minor, int64_t *out_held_minor);
/* Every order's postings summed by account, one order at a time in seq order: a pass over
 * all journals, sorted (verification only; no index by order: schema/0006). Call inside a
 * read snapshot; other queries may run between calls. FO_OK with the next order's seq and
 * sums; FO_ERR_NOT_FOUND after the last one, which ends the pass (the next call starts a
 * new one). Postings naming an order that does not exist come first, with seq 0. Orders
 * without postings are not listed. */
enum fo_err fo_store_ledger_orders_next(struct fo_store *store, int64_t *out_order_seq,
                                        struct fo_order_ledger *out);
/* End a pass early (no-op when none is under way). */
void fo_store_ledger_orders_stop(struct fo_store *store);

/* --- Idempotency ----------------------------------------------------------------------- */

#define FO_REQUEST_HASH_BYTES 32

struct fo_idempotency {
    uint8_t request_hash[FO_REQUEST_HASH_BYTES]; /* Of method, path and body. */
    int status;                                  /* The stored answer's HTTP status. */
    char body[FO_RESPONSE_BYTES_MAX];            /* The stored answer's body. */
    size_t body_bytes;
    int64_t created_at_unix_ms;
};

/* The stored answer for (principal, key); NOT_FOUND when none. */
enum fo_err fo_store_idempotency_get(struct fo_store *store, const char *principal_id,
                                     const char *key, struct fo_idempotency *out);
enum fo_err fo_store_idempotency_put(struct fo_store *store, const char *principal_id,
                                     const char *key, const struct fo_idempotency *record);
/* Forget answers created before `before_unix_ms`; *out_count how many. */
enum fo_err fo_store_idempotency_purge(struct fo_store *store, int64_t before_unix_ms,
                                       int64_t *out_count);

/* --- Settings -------------------------------------------------------------------------- */

/* A small key/value table for server state that must survive restarts (the test clock's
 * offset, for one). NOT_FOUND when unset. */
enum fo_err fo_store_setting_get(struct fo_store *store, const char *key, int64_t *out_value);
enum fo_err fo_store_setting_put(struct fo_store *store, const char *key, int64_t value);

#endif
