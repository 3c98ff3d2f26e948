/* Every SQL statement the SQLite backend runs, in one table indexed by enum
 * fo_sql_statement (store_sqlite.h), so that the statements can be reviewed (and their
 * query plans checked by tests/store/sqlite_plan_test.c) in one place.
 *
 * Invariants: parameters are numbered ?1..?N in the order the calling code binds them and
 * columns are listed in the order it reads them (struct fo_sql_query takes both in order).
 * A query that should use a partial index repeats the index's WHERE term verbatim
 * (schema/0001_init.sql says why). Lists bound their rows with LIMIT; cursors are rowid
 * ranges ("seq < ?"), so a page deep in a list costs what the first page costs. */
#include "store/store_sqlite.h"

#include "core/assert.h"

/* The policy columns, in the order read_policy (store_sqlite_catalog.c) reads them. */
#define POLICY_COLUMNS(p)                                                                 \
    p "id, " p "name, " p "cooling_off_s, " p "pending_rule, " p "queued_rule, " p        \
      "executing_rule, " p "fee_fixed_minor, " p "fee_bps, " p "free_cancels_per_day, " p \
      "created_at_unix_ms"

/* An order row, in the order read_order reads it; its policy snapshot comes from the
 * connection's policy cache (policies never change: store_sqlite.h). */
#define ORDER_SELECT                                                                           \
    "SELECT o.seq, o.id, o.buyer_id, o.service_id, o.supplier_id, o.quantity, o.delivered, "   \
    "o.unit_price_minor, o.amount_minor, o.currency, o.target, o.state, o.placed_at_unix_ms, " \
    "o.updated_at_unix_ms, o.lease_expires_at_unix_ms, o.settlement_reason, o.charged_minor, " \
    "o.fee_minor, o.refund_minor, o.settled_at_unix_ms, o.policy_id FROM orders AS o "

#define BUYER_SELECT                                                                   \
    "SELECT seq, id, name, currency, available_minor, held_minor, created_at_unix_ms " \
    "FROM buyers "

#define SUPPLIER_SELECT                                                                  \
    "SELECT seq, id, name, capacity, lease_s, simulate_units_per_s, created_at_unix_ms " \
    "FROM suppliers "

#define SERVICE_SELECT                                                                     \
    "SELECT seq, id, name, unit, unit_price_minor, min_quantity, max_quantity, currency, " \
    "policy_id, supplier_id, active, created_at_unix_ms FROM services "

#define EVENT_SELECT                                                             \
    "SELECT seq, at_unix_ms, type, state, delivered, actor, detail FROM events " \
    "WHERE order_seq = (SELECT seq FROM orders WHERE id = ?1) "

static const char *const statements[FO_SQL_STATEMENT_COUNT] = {
    [FO_SQL_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [FO_SQL_BEGIN_DEFERRED] = "BEGIN DEFERRED",
    [FO_SQL_COMMIT] = "COMMIT",
    [FO_SQL_ROLLBACK] = "ROLLBACK",
    [FO_SQL_SAVEPOINT] = "SAVEPOINT cmd",
    [FO_SQL_RELEASE] = "RELEASE cmd",
    [FO_SQL_ROLLBACK_TO] = "ROLLBACK TO cmd",

    [FO_SQL_PRINCIPAL_BY_TOKEN] = "SELECT role, id, token_hash FROM principals "
                                  "WHERE token_hash = ?1",
    [FO_SQL_PRINCIPAL_INSERT] = "INSERT INTO principals (id, role, token_hash) "
                                "VALUES (?1, ?2, ?3)",
    /* Admins are the ids in ['adm_', 'adm`') ('`' follows '_'; the schema ties role 1 to
     * the prefix): a primary key range, not a scan of every buyer's and supplier's row. */
    [FO_SQL_PRINCIPAL_DELETE_ADMINS] = "DELETE FROM principals WHERE id >= 'adm_' "
                                       "AND id < 'adm`' AND role = 1",
    [FO_SQL_ADMIN_EXISTS] = "SELECT EXISTS (SELECT 1 FROM principals WHERE id >= 'adm_' "
                            "AND id < 'adm`' AND role = 1)",

    [FO_SQL_BUYER_INSERT] = "INSERT INTO buyers (id, name, currency, available_minor, "
                            "held_minor, created_at_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [FO_SQL_BUYER_GET] = BUYER_SELECT "WHERE id = ?1",
    [FO_SQL_BUYER_PUT_BALANCES] = "UPDATE buyers SET available_minor = ?2, held_minor = ?3 "
                                  "WHERE seq = ?4 AND id = ?1",
    [FO_SQL_BUYER_SCAN] = BUYER_SELECT "WHERE seq > ?1 ORDER BY seq LIMIT ?2",

    [FO_SQL_SUPPLIER_INSERT] = "INSERT INTO suppliers (id, name, capacity, lease_s, "
                               "simulate_units_per_s, created_at_unix_ms) "
                               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [FO_SQL_SUPPLIER_GET] = SUPPLIER_SELECT "WHERE id = ?1",
    [FO_SQL_SUPPLIER_SCAN_SIMULATED] =
        SUPPLIER_SELECT "WHERE simulate_units_per_s > 0 AND seq > ?1 ORDER BY seq LIMIT ?2",
    /* Two literal states: each count walks its partial index (schema/0003). */
    [FO_SQL_SUPPLIER_COUNTS] =
        "SELECT (SELECT COUNT(*) FROM orders WHERE supplier_id = ?1 AND state = 1) + "
        "(SELECT COUNT(*) FROM orders WHERE supplier_id = ?1 AND state = 2), "
        "(SELECT COUNT(*) FROM orders WHERE supplier_id = ?1 AND state = 0)",

    [FO_SQL_POLICY_INSERT] = "INSERT INTO policies (" POLICY_COLUMNS(
        "") ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [FO_SQL_POLICY_GET] = "SELECT " POLICY_COLUMNS("") " FROM policies WHERE id = ?1",

    [FO_SQL_SERVICE_INSERT] = "INSERT INTO services (id, name, unit, unit_price_minor, "
                              "min_quantity, max_quantity, currency, policy_id, supplier_id, "
                              "active, created_at_unix_ms) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [FO_SQL_SERVICE_UPDATE] = "UPDATE services SET policy_id = ?2, unit_price_minor = ?3, "
                              "active = ?4 WHERE id = ?1",
    [FO_SQL_SERVICE_GET] = SERVICE_SELECT "WHERE id = ?1",
    /* ?1 is 1 for active services only, else 0; ?2 is INT64_MAX for "from the newest". */
    [FO_SQL_SERVICE_LIST] =
        SERVICE_SELECT "WHERE active >= ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",

    [FO_SQL_ORDER_INSERT] =
        "INSERT INTO orders (id, buyer_id, service_id, supplier_id, policy_id, quantity, "
        "delivered, unit_price_minor, amount_minor, currency, target, state, placed_at_unix_ms, "
        "updated_at_unix_ms, lease_expires_at_unix_ms, settlement_reason, charged_minor, "
        "fee_minor, refund_minor, settled_at_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    [FO_SQL_ORDER_UPDATE] =
        "UPDATE orders SET state = ?2, delivered = ?3, updated_at_unix_ms = ?4, "
        "lease_expires_at_unix_ms = ?5, settlement_reason = ?6, charged_minor = ?7, "
        "fee_minor = ?8, refund_minor = ?9, settled_at_unix_ms = ?10 "
        "WHERE seq = ?11 AND id = ?1",
    [FO_SQL_ORDER_GET] = ORDER_SELECT "WHERE o.id = ?1",
    [FO_SQL_ORDER_LIST_ALL] = ORDER_SELECT "WHERE o.seq < ?1 ORDER BY o.seq DESC LIMIT ?2",
    [FO_SQL_ORDER_LIST_BUYER] =
        ORDER_SELECT "WHERE o.buyer_id = ?1 AND o.seq < ?2 ORDER BY o.seq DESC LIMIT ?3",
    /* "+o.state": a bound state must not be weighed against the partial indexes' WHEREs,
     * or SQLite re-prepares the statement at every bind (see ORDER_OLDEST below). */
    [FO_SQL_ORDER_LIST_STATE] =
        ORDER_SELECT "WHERE +o.state = ?1 AND o.seq < ?2 ORDER BY o.seq DESC LIMIT ?3",
    [FO_SQL_ORDER_LIST_BUYER_STATE] = ORDER_SELECT
    "WHERE o.buyer_id = ?1 AND +o.state = ?2 AND o.seq < ?3 ORDER BY o.seq DESC LIMIT ?4",
    /* One statement per state, the state a literal: each open state has its own partial
     * index (schema/0003), and with a bound state SQLite would re-prepare the statement on
     * every bind (the bound value could change which index applies), which cost a quarter
     * of the server's CPU in the cancel benchmark. */
    [FO_SQL_ORDER_OLDEST_PENDING] =
        ORDER_SELECT "WHERE o.supplier_id = ?1 AND o.state = 0 ORDER BY o.seq LIMIT ?2",
    [FO_SQL_ORDER_OLDEST_QUEUED] =
        ORDER_SELECT "WHERE o.supplier_id = ?1 AND o.state = 1 ORDER BY o.seq LIMIT ?2",
    [FO_SQL_ORDER_OLDEST_EXECUTING] =
        ORDER_SELECT "WHERE o.supplier_id = ?1 AND o.state = 2 ORDER BY o.seq LIMIT ?2",
    [FO_SQL_ORDER_EXPIRED] = ORDER_SELECT "WHERE o.state = 2 AND o.lease_expires_at_unix_ms <= ?1 "
                                          "ORDER BY o.lease_expires_at_unix_ms, o.seq LIMIT ?2",
    [FO_SQL_ORDER_SCAN] = ORDER_SELECT "WHERE o.seq > ?1 ORDER BY o.seq LIMIT ?2",
    [FO_SQL_CANCELS_COUNT] = "SELECT COUNT(*) FROM (SELECT 1 FROM orders WHERE state = 4 "
                             "AND buyer_id = ?1 AND settled_at_unix_ms > ?2 "
                             "AND settled_at_unix_ms <= ?3 LIMIT ?4)",

    [FO_SQL_EVENT_APPEND] = "INSERT INTO events (order_seq, at_unix_ms, type, state, delivered, "
                            "actor, detail) VALUES (CASE WHEN ?8 > 0 THEN ?8 ELSE (SELECT seq "
                            "FROM orders WHERE id = ?1) END, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* One statement instead of two costs a statement's fixed work less (BENCH.md). */
    /* Parameters as FO_SQL_EVENT_APPEND's, twice (?1 and ?9, the ids, unused). */
    [FO_SQL_EVENT_APPEND_PAIR] =
        "INSERT INTO events (order_seq, at_unix_ms, type, state, delivered, actor, detail) "
        "VALUES (?8, ?2, ?3, ?4, ?5, ?6, ?7), (?16, ?10, ?11, ?12, ?13, ?14, ?15)",
    [FO_SQL_EVENT_LIST] = EVENT_SELECT "AND seq > ?2 ORDER BY seq LIMIT ?3",
    [FO_SQL_EVENT_LAST] = EVENT_SELECT "ORDER BY seq DESC LIMIT 1",

    [FO_SQL_JOURNAL_APPEND] =
        "INSERT INTO journals (at_unix_ms, kind, buyer_id, order_id, reference, outside_minor, "
        "available_minor, held_minor, revenue_minor, fees_minor, available_after_minor) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [FO_SQL_WALLET_ENTRIES] = "SELECT seq, at_unix_ms, kind, available_minor, order_id, "
                              "available_after_minor FROM journals WHERE buyer_id = ?1 "
                              "AND seq < ?2 AND available_minor <> 0 "
                              "ORDER BY seq DESC LIMIT ?3",
    [FO_SQL_LEDGER_TOTALS] =
        "SELECT COALESCE(SUM(outside_minor + available_minor + held_minor + revenue_minor "
        "+ fees_minor), 0), COUNT(*), COALESCE(SUM(outside_minor + available_minor + held_minor "
        "+ revenue_minor + fees_minor <> 0), 0) FROM journals",
    [FO_SQL_LEDGER_BUYER] = "SELECT COALESCE(SUM(available_minor), 0), "
                            "COALESCE(SUM(held_minor), 0) FROM journals WHERE buyer_id = ?1",
    /* Verification only: one pass over the journals, each order's postings looked up by
     * its id and grouped in seq order (a sort); postings of a missing order come first,
     * with a NULL seq. The LEFT JOIN keeps journals the outer loop (no index by order). */
    [FO_SQL_LEDGER_ORDERS] =
        "SELECT o.seq, SUM(j.held_minor), SUM(j.revenue_minor), SUM(j.fees_minor), "
        "SUM(j.available_minor) FROM journals AS j LEFT JOIN orders AS o ON o.id = j.order_id "
        "WHERE j.order_id IS NOT NULL GROUP BY o.seq ORDER BY o.seq",

    [FO_SQL_IDEMPOTENCY_GET] = "SELECT request_hash, status, created_at_unix_ms, body "
                               "FROM idempotency WHERE principal_id = ?1 AND idempotency_key = ?2",
    [FO_SQL_IDEMPOTENCY_PUT] =
        "INSERT INTO idempotency (principal_id, idempotency_key, request_hash, status, "
        "created_at_unix_ms, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (principal_id, idempotency_key) DO UPDATE SET "
        "request_hash = excluded.request_hash, status = excluded.status, "
        "created_at_unix_ms = excluded.created_at_unix_ms, body = excluded.body",
    [FO_SQL_IDEMPOTENCY_PURGE] = "DELETE FROM idempotency WHERE created_at_unix_ms < ?1",

    [FO_SQL_SETTING_GET] = "SELECT value FROM settings WHERE name = ?1",
    [FO_SQL_SETTING_PUT] = "INSERT INTO settings (name, value) VALUES (?1, ?2) "
                           "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
};

const char *fo_sql_text(enum fo_sql_statement statement)
{
    FO_ASSERT((int)statement >= 0);
    FO_ASSERT((int)statement < (int)FO_SQL_STATEMENT_COUNT);
    const char *text = statements[statement];
    FO_ASSERT(text != NULL);
    return text;
}
