/* The embedded SQLite backend of store.h: what its files (store_sqlite*.c) share. Nothing
 * outside src/store includes this header (tests of the backend itself excepted).
 *
 * One struct fo_store is one sqlite3 connection, opened without SQLite's own mutex
 * (SQLITE_OPEN_NOMUTEX): the store is used by one thread at a time (store.h). Every SQL
 * statement the backend runs is listed once in enum fo_sql_statement, prepared lazily on
 * first use with SQLITE_PREPARE_PERSISTENT, kept for the life of the connection, reset and
 * unbound after every use, and finalized by fo_store_close.
 *
 * Every call goes through struct fo_sql_query: bind parameters in order, step, read columns
 * in order, end. The first SQLite error of a query is translated once, at this boundary,
 * into an enum fo_err (busy, locked, cannot open, I/O, disk full: FO_ERR_UNAVAILABLE; any
 * other, constraint violations included: FO_ERR_INTERNAL) and logged once with SQLite's
 * own message and what the operator should do. */
#ifndef FO_STORE_STORE_SQLITE_H
#define FO_STORE_STORE_SQLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/err.h"
#include "store/store.h"

/* Every statement of the backend. The SQL text of each is in store_sqlite_sql.c. */
enum fo_sql_statement {
    FO_SQL_BEGIN_IMMEDIATE = 0,
    FO_SQL_BEGIN_DEFERRED,
    FO_SQL_COMMIT,
    FO_SQL_ROLLBACK,
    FO_SQL_SAVEPOINT,
    FO_SQL_RELEASE,
    FO_SQL_ROLLBACK_TO,
    FO_SQL_PRINCIPAL_BY_TOKEN,
    FO_SQL_PRINCIPAL_INSERT,
    FO_SQL_PRINCIPAL_DELETE_ADMINS,
    FO_SQL_ADMIN_EXISTS,
    FO_SQL_BUYER_INSERT,
    FO_SQL_BUYER_GET,
    FO_SQL_BUYER_PUT_BALANCES,
    FO_SQL_BUYER_SCAN,
    FO_SQL_SUPPLIER_INSERT,
    FO_SQL_SUPPLIER_GET,
    FO_SQL_SUPPLIER_SCAN_SIMULATED,
    FO_SQL_SUPPLIER_COUNTS,
    FO_SQL_POLICY_INSERT,
    FO_SQL_POLICY_GET,
    FO_SQL_SERVICE_INSERT,
    FO_SQL_SERVICE_UPDATE,
    FO_SQL_SERVICE_GET,
    FO_SQL_SERVICE_LIST,
    FO_SQL_ORDER_INSERT,
    FO_SQL_ORDER_UPDATE,
    FO_SQL_ORDER_GET,
    FO_SQL_ORDER_LIST_ALL,
    FO_SQL_ORDER_LIST_BUYER,
    FO_SQL_ORDER_LIST_STATE,
    FO_SQL_ORDER_LIST_BUYER_STATE,
    FO_SQL_ORDER_OLDEST_PENDING,
    FO_SQL_ORDER_OLDEST_QUEUED,
    FO_SQL_ORDER_OLDEST_EXECUTING,
    FO_SQL_ORDER_EXPIRED,
    FO_SQL_ORDER_SCAN,
    FO_SQL_CANCELS_COUNT,
    FO_SQL_EVENT_APPEND,
    FO_SQL_EVENT_APPEND_PAIR,
    FO_SQL_EVENT_LIST,
    FO_SQL_EVENT_LAST,
    FO_SQL_JOURNAL_APPEND,
    FO_SQL_WALLET_ENTRIES,
    FO_SQL_LEDGER_TOTALS,
    FO_SQL_LEDGER_BUYER,
    FO_SQL_LEDGER_ORDERS,
    FO_SQL_IDEMPOTENCY_GET,
    FO_SQL_IDEMPOTENCY_PUT,
    FO_SQL_IDEMPOTENCY_PURGE,
    FO_SQL_SETTING_GET,
    FO_SQL_SETTING_PUT,
    FO_SQL_STATEMENT_COUNT
};

/* Command scopes nest (store.h): the writer's scope per job, the HTTP layer's command
 * inside it (its Idempotency-Key answer is stored in the outer scope), a simulated
 * supplier's steps. Deeper nesting than this is a programmer error, asserted. */
#define FO_SQL_COMMAND_DEPTH_MAX 8u

/* The SQL text of a statement (store_sqlite_sql.c). */
const char *fo_sql_text(enum fo_sql_statement statement);

/* The VFS of every store connection: SQLite's unix-excl (the process holds the file for
 * itself), with the write-ahead log's appends written once per commit
 * (store_sqlite_vfs.c). */
#define FO_SQLITE_VFS_NAME "fairorder"
/* Register it (once, after sqlite3_initialize; store_sqlite.c does). */
void fo_sqlite_vfs_register(void);

/* Caches of rows read, by id, with open addressing; a cache three quarters full is emptied
 * (rows are read again as needed), so a probe always ends at the row or an empty slot.
 *
 * Policies, in every connection: a policy row never changes nor goes away (schema
 * triggers) and ids are never reused, so an entry could only be stale if the policy was
 * created in a transaction that rolled back: undoing a command or a batch empties the
 * caches (store_sqlite_tx.c).
 *
 * Services and suppliers, in the writer's connection only. Services change (price,
 * policy, active), but only through the writer's connection, which empties that cache
 * when it writes one. Supplier rows never change; their in-flight count (queued +
 * executing orders, schema/0005: not stored) follows the orders this connection inserts
 * and updates, the only writer of orders. After an undo the next read counts again,
 * inside the same transaction. A reader's connection could not tell when the writer
 * changed a row, so readers cache neither. */
#define FO_STORE_POLICY_CACHE_SLOTS 64
#define FO_STORE_WRITER_CACHE_SLOTS 256

struct fo_store_writer_caches {
    struct fo_service services[FO_STORE_WRITER_CACHE_SLOTS];   /* id[0] == 0: empty. */
    struct fo_supplier suppliers[FO_STORE_WRITER_CACHE_SLOTS]; /* id[0] == 0: empty. */
    size_t services_used;
    size_t suppliers_used;
};

/* One use of one prepared statement. Parameters and columns are taken in order. */
struct fo_sql_query {
    struct fo_store *store;
    sqlite3_stmt *statement;
    const char *op;   /* What the caller does, for the log: "order_get". */
    int bind_index;   /* The next parameter, from 1. */
    int column_index; /* The next column of the current row, from 0. */
    int rc;           /* The first SQLite error of this query; SQLITE_OK while none. */
};

struct fo_store {
    sqlite3 *db;
    struct fo_policy policy_cache[FO_STORE_POLICY_CACHE_SLOTS]; /* id[0] == 0: empty. */
    size_t policy_cache_used;
    struct fo_store_writer_caches *writer_caches;     /* The writer's connection only; owned. */
    sqlite3_stmt *statements[FO_SQL_STATEMENT_COUNT]; /* NULL until first use. */
    int64_t schema_version;                           /* Highest applied migration. */
    bool in_batch;                                    /* Between batch_begin and its end. */
    unsigned command_depth; /* Open command scopes (they nest: savepoints). */
    unsigned read_depth;    /* Open read snapshots (they nest: only the outer one BEGINs). */
    /* The pass of fo_store_ledger_orders_next; its statement is open while `active`. */
    struct fo_sql_query ledger_orders;
    bool ledger_orders_active;
};

/* Empty the caches of rows read (after an undo: they may hold rows that are gone). */
void fo_store_caches_forget(struct fo_store *store);
/* The row of a cache (FO_STORE_*_CACHE_SLOTS rows of `row_bytes`, the id at `id_offset`)
 * that holds `id` (*out_hit true), or the empty row to fill with it and count in *used.
 * Empties the cache first when it is three quarters full. */
void *fo_store_cache_find(void *rows, size_t row_bytes, size_t id_offset, size_t slots,
                          size_t *used, const char *id, bool *out_hit);
/* The writer's cached counts of the supplier follow an order write that moved orders into
 * (+1) or out of (-1) queued/executing (in_flight_delta) and pending (pending_delta). */
void fo_store_supplier_counts_follow(struct fo_store *store, const char *supplier_id,
                                     int64_t in_flight_delta, int64_t pending_delta);

/* Translate a SQLite result code and log it once with the connection's message.
 * Returns FO_ERR_UNAVAILABLE or FO_ERR_INTERNAL; never FO_OK (asserts rc is an error). */
enum fo_err fo_sql_fail(struct fo_store *store, const char *op, int rc);

/* Start a query of `statement`, preparing it on first use. On error nothing needs ending. */
enum fo_err fo_sql_begin(struct fo_store *store, enum fo_sql_statement statement, const char *op,
                         struct fo_sql_query *out);
/* Bind the next parameter. Errors are kept in query->rc and reported by the next step. */
void fo_sql_bind_int64(struct fo_sql_query *query, int64_t value);
void fo_sql_bind_bool(struct fo_sql_query *query, bool value);
/* Binds `text` (NUL-terminated) as TEXT; the text must live until the query ends. */
void fo_sql_bind_text(struct fo_sql_query *query, const char *text);
/* Binds NULL for an empty text, else the text. */
void fo_sql_bind_text_or_null(struct fo_sql_query *query, const char *text);
void fo_sql_bind_blob(struct fo_sql_query *query, const void *data, size_t bytes);
void fo_sql_bind_null(struct fo_sql_query *query);
/* Step once: FO_OK with *out_row true when a row is ready, false when the statement is
 * done; else the translated error (logged). */
enum fo_err fo_sql_step(struct fo_sql_query *query, bool *out_row);
/* Step a statement that returns no row, then end the query. */
enum fo_err fo_sql_exec(struct fo_sql_query *query);
/* Step a statement expected to return one row, leaving it to be read:
 * FO_ERR_NOT_FOUND (not logged) when there is none. */
enum fo_err fo_sql_row(struct fo_sql_query *query);
/* Reset and unbind the statement for its next use. Always call it after fo_sql_begin. */
void fo_sql_end(struct fo_sql_query *query);
/* Rows changed by the last INSERT, UPDATE or DELETE of the connection. */
int64_t fo_sql_changes(const struct fo_sql_query *query);
/* The seq (rowid) of the connection's last INSERT. */
int64_t fo_sql_last_insert_seq(const struct fo_sql_query *query);

/* Step a statement that returns at most one row of one integer, copy it to *out, end the
 * query. FO_ERR_NOT_FOUND (not logged) when there is no row. */
enum fo_err fo_sql_scalar(struct fo_sql_query *query, int64_t *out);
/* The bound of a "seq < ?" cursor: before_seq, or INT64_MAX for 0 ("from the newest"). */
int64_t fo_sql_before_seq(int64_t before_seq);
/* Bind a list's LIMIT (max rows). */
void fo_sql_bind_limit(struct fo_sql_query *query, size_t max);
/* Read up to `max` rows into the array out (elements of element_bytes each) with `read`,
 * then end the query. *out_count is the rows read (0 on error). */
enum fo_err fo_sql_rows(struct fo_sql_query *query, void *out, size_t element_bytes, size_t max,
                        size_t *out_count, void (*read)(struct fo_sql_query *query, void *element));
/* Copy a NUL-terminated id or name into a fixed buffer; asserts that it fits. */
void fo_sql_copy_text(char *dst, size_t dst_bytes, const char *text);

/* Read the next column of the current row. */
int64_t fo_sql_column_int64(struct fo_sql_query *query);
bool fo_sql_column_is_null(const struct fo_sql_query *query);
bool fo_sql_column_bool(struct fo_sql_query *query);
/* Copies TEXT into dst (NUL-terminated; NULL reads as ""). Asserts that it fits: the
 * schema bounds every text column below its buffer. */
void fo_sql_column_text(struct fo_sql_query *query, char *dst, size_t dst_bytes);
/* Copies a BLOB into dst and returns its size; asserts it is at most dst_bytes. */
size_t fo_sql_column_blob(struct fo_sql_query *query, void *dst, size_t dst_bytes);

#endif
