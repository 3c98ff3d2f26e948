/* The SQLite backend itself (not the store contract): connection settings, migration
 * bookkeeping, the statement cache, busy translation, and the query plan of every
 * statement the backend runs.
 *
 * Property: a connection runs in WAL with synchronous=FULL, foreign keys on and the busy
 * timeout of limits.h; the schema version is PRAGMA user_version; a statement is prepared
 * once and reused; a database locked by another writer answers FO_ERR_UNAVAILABLE; and no
 * statement of the hot paths scans a table or sorts in a temporary b-tree: each is the
 * index range scan schema/0001_init.sql designed for it (cancel counting, open orders,
 * leases, events, wallet entries, ...). Method: the contract fixture creates the database;
 * the test looks inside with its own sqlite3 connection and through store_sqlite.h, and
 * reads EXPLAIN QUERY PLAN of each fo_sql_text(). Skipped for other backends (their
 * locations are not SQLite files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "commands/query.h"
#include "embedded.h"
#include "store/store_fixture.h"
#include "store/store_sqlite.h"

/* A direct connection to the fixture's database; skips the test when it is not SQLite. */
static sqlite3 *open_raw(const struct fo_fixture *fixture)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(fixture->location, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        skip();
    }
    return db;
}

/* The first column of the first row of `sql` on `db`, as text. */
static void query_text(sqlite3 *db, const char *sql, char *out, size_t out_bytes)
{
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &statement, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    snprintf(out, out_bytes, "%s", (const char *)sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
}

static void test_connection_settings(void **state)
{
    struct fo_fixture *fixture = *state;
    sqlite3 *raw = open_raw(fixture);
    char text[64];
    query_text(raw, "PRAGMA journal_mode", text, sizeof text);
    assert_string_equal(text, "wal");
    query_text(raw, "PRAGMA user_version", text, sizeof text);
    assert_string_equal(text, "6");
    sqlite3_close(raw);

    sqlite3 *db = fixture->store->db;
    query_text(db, "PRAGMA synchronous", text, sizeof text);
    assert_string_equal(text, "2"); /* FULL */
    query_text(db, "PRAGMA foreign_keys", text, sizeof text);
    assert_string_equal(text, "1");
    query_text(db, "PRAGMA busy_timeout", text, sizeof text);
    assert_int_equal(strtol(text, NULL, 10), FO_DB_BUSY_TIMEOUT_MS);
    query_text(db, "PRAGMA temp_store", text, sizeof text);
    assert_string_equal(text, "2"); /* MEMORY */
    query_text(db, "PRAGMA wal_autocheckpoint", text, sizeof text);
    assert_int_equal(strtol(text, NULL, 10), FO_WAL_AUTOCHECKPOINT_PAGES);
    assert_int_equal(sqlite3_get_autocommit(db), 1);

    /* A reader's temporary storage is files: verification's sort spills there. */
    struct fo_store *reader = fo_fixture_open_reader(fixture);
    query_text(reader->db, "PRAGMA temp_store", text, sizeof text);
    assert_string_equal(text, "1"); /* FILE */
    query_text(reader->db, "PRAGMA synchronous", text, sizeof text);
    assert_string_equal(text, "2");
    fo_store_close(reader);
}

/* Copy a file byte for byte (the database without its -wal). */
static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t bytes = 0;
    while ((bytes = fread(buf, 1, sizeof buf, in)) > 0) {
        assert_int_equal(fwrite(buf, 1, bytes, out), bytes);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* The checkpointer's passive checkpoint, on a connection of its own, copies the log into
 * the database file: a copy of that file alone (no -wal beside it) holds the rows. */
static void test_checkpoint_copies_the_log(void **state)
{
    struct fo_fixture *fixture = *state;
    assert_int_equal(fo_store_batch_begin(fixture->store), FO_OK);
    for (int64_t index = 0; index < 50; index++) {
        char key[32];
        snprintf(key, sizeof key, "k%lld", (long long)index);
        assert_int_equal(fo_store_setting_put(fixture->store, key, index), FO_OK);
    }
    assert_int_equal(fo_store_batch_commit(fixture->store), FO_OK);
    struct fo_store *checkpointer = NULL;
    assert_int_equal(fo_store_open(fixture->location, false, &checkpointer), FO_OK);
    assert_int_equal(fo_store_checkpoint(checkpointer), FO_OK);
    fo_store_close(checkpointer);

    char copy[600];
    snprintf(copy, sizeof copy, "%s.copy", fixture->location);
    copy_file(fixture->location, copy);
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open_v2(copy, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    char text[64];
    query_text(raw, "SELECT COUNT(*) FROM settings WHERE name LIKE 'k%'", text, sizeof text);
    assert_string_equal(text, "50");
    sqlite3_close(raw);
}

static void test_statements_are_prepared_once_and_lazily(void **state)
{
    struct fo_fixture *fixture = *state;
    fo_fixture_reopen(fixture);
    assert_null(fixture->store->statements[FO_SQL_BUYER_GET]);
    struct fo_buyer buyer;
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_1", &buyer), FO_OK);
    sqlite3_stmt *prepared = fixture->store->statements[FO_SQL_BUYER_GET];
    assert_non_null(prepared);
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_9", &buyer), FO_ERR_NOT_FOUND);
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_2", &buyer), FO_OK);
    assert_ptr_equal(fixture->store->statements[FO_SQL_BUYER_GET], prepared);
    /* Reset after use: the statement holds no read transaction open. */
    assert_int_equal(sqlite3_stmt_busy(prepared), 0);
    assert_null(fixture->store->statements[FO_SQL_ORDER_GET]);
}

static void test_locked_database_is_unavailable(void **state)
{
    struct fo_fixture *fixture = *state;
    sqlite3 *raw = open_raw(fixture);
    assert_int_equal(sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(fixture->store->db, 20); /* Not the 5 s of production. */
    assert_int_equal(fo_store_batch_begin(fixture->store), FO_ERR_UNAVAILABLE);
    struct fo_buyer buyer; /* Readers are not blocked by a writer (WAL). */
    assert_int_equal(fo_store_buyer_get(fixture->store, "byr_1", &buyer), FO_OK);
    assert_int_equal(sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(fo_store_batch_begin(fixture->store), FO_OK);
    fo_store_batch_rollback(fixture->store);
}

static void test_open_a_file_that_is_not_a_database_is_unavailable(void **state)
{
    struct fo_fixture *fixture = *state;
    char location[600];
    snprintf(location, sizeof location, "%s.garbage", fixture->location);
    FILE *file = fopen(location, "w");
    assert_non_null(file);
    for (int line = 0; line < 100; line++) {
        fputs("this is not an SQLite database file, just text\n", file);
    }
    fclose(file);
    struct fo_store *store = NULL;
    assert_int_equal(fo_store_open(location, true, &store), FO_ERR_UNAVAILABLE);
    assert_null(store);
    assert_int_equal(fo_store_open(location, false, &store), FO_ERR_UNAVAILABLE);
    assert_null(store);
}

static void test_reader_on_a_missing_file_does_not_create_it(void **state)
{
    struct fo_fixture *fixture = *state;
    char location[600];
    snprintf(location, sizeof location, "%s.missing", fixture->location);
    struct fo_store *store = NULL;
    assert_int_equal(fo_store_open(location, false, &store), FO_ERR_UNAVAILABLE);
    assert_null(store);
    FILE *file = fopen(location, "r");
    assert_null(file);
}

/* A database at schema version 1 (0001 only) with sup_1 and orders in every open state. */
static void create_version_1(const char *location)
{
    const struct fo_embedded_file *init = fo_embedded_find("src/store/schema/0001_init.sql");
    assert_non_null(init);
    char *script = test_malloc(init->bytes + 1);
    memcpy(script, init->data, init->bytes);
    script[init->bytes] = '\0';
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(location, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, script, NULL, NULL, NULL), SQLITE_OK);
    test_free(script);
    const char *rows =
        "PRAGMA user_version = 1;"
        "INSERT INTO policies VALUES ('pol_1', 'p', 600, 1, 2, 1, 50, 200, 5, 0);"
        "INSERT INTO suppliers (id, name, capacity, lease_s, simulate_units_per_s, "
        "created_at_unix_ms) VALUES ('sup_1', 's', 10, 300, 0, 0);"
        "INSERT INTO services (id, name, unit, unit_price_minor, min_quantity, max_quantity, "
        "currency, policy_id, supplier_id, active, created_at_unix_ms) VALUES ('svc_1', 's', "
        "'u', 5, 1, 1000, 'CNY', 'pol_1', 'sup_1', 1, 0);"
        "INSERT INTO buyers (id, name, currency, available_minor, held_minor, "
        "created_at_unix_ms) VALUES ('byr_1', 'b', 'CNY', 0, 15000, 0);"
        "INSERT INTO orders (id, buyer_id, service_id, supplier_id, policy_id, quantity, "
        "delivered, unit_price_minor, amount_minor, currency, target, state, placed_at_unix_ms, "
        "updated_at_unix_ms, lease_expires_at_unix_ms) VALUES "
        "('ord_1', 'byr_1', 'svc_1', 'sup_1', 'pol_1', 1000, 0, 5, 5000, 'CNY', 't', 0, 0, 0, "
        "NULL), ('ord_2', 'byr_1', 'svc_1', 'sup_1', 'pol_1', 1000, 0, 5, 5000, 'CNY', 't', 1, "
        "0, 0, NULL), ('ord_3', 'byr_1', 'svc_1', 'sup_1', 'pol_1', 1000, 9, 5, 5000, 'CNY', "
        "'t', 2, 0, 0, 300000);"
        /* History that references orders (schema/0004 rebuilds that table under it). */
        "INSERT INTO events (order_seq, at_unix_ms, type, state, delivered, actor, detail) "
        "VALUES (3, 0, 1, 2, 9, 1, '');"
        "INSERT INTO journals (at_unix_ms, kind, buyer_id, order_id, reference, outside_minor, "
        "available_minor, held_minor, revenue_minor, fees_minor, available_after_minor) "
        "VALUES (0, 2, 'byr_1', 'ord_1', NULL, 0, -5000, 5000, 0, 0, 95000);";
    assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/* schema/0004 rebuilt orders: the same indexes and triggers (but the in-flight ones, which
 * schema/0005 dropped), and the rules still enforced (transitions, settlement reasons,
 * foreign keys: the migration runner turned them back on); in-flight counts follow.
 * Uses the orders of create_version_1. */
static void assert_orders_rebuilt_with_their_rules(const char *location, struct fo_store *store)
{
    struct fo_order order;
    struct fo_supplier supplier;
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open_v2(location, &raw, SQLITE_OPEN_READONLY, FO_SQLITE_VFS_NAME),
                     SQLITE_OK);
    char names[1024];
    query_text(raw,
               "SELECT group_concat(type || ':' || name, ' ') FROM (SELECT type, name FROM "
               "sqlite_schema WHERE tbl_name = 'orders' ORDER BY type, name)",
               names, sizeof names);
    assert_string_equal(names, "index:orders_buyer index:orders_cancelled index:orders_executing "
                               "index:orders_leases index:orders_pending index:orders_queued "
                               "index:sqlite_autoindex_orders_1 table:orders "
                               "trigger:orders_delivered_monotonic trigger:orders_fixed_columns "
                               "trigger:orders_kept trigger:orders_transition");
    sqlite3_close(raw);
    assert_int_equal(fo_store_order_get(store, "ord_2", &order), FO_OK);
    struct fo_order cancelled = order;
    cancelled.state = FO_STATE_CANCELLED;
    cancelled.settled = true;
    cancelled.settlement.reason = FO_REASON_QUEUED_FULL_REFUND;
    cancelled.settlement.split.refund_minor = cancelled.amount_minor;
    cancelled.settlement.at_unix_ms = 1;
    struct fo_order wrong = cancelled;
    wrong.settlement.split.fee_minor = 1; /* A full refund with a fee breaks the CHECK. */
    wrong.settlement.split.refund_minor = cancelled.amount_minor - 1;
    assert_int_equal(fo_store_batch_begin(store), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(fo_store_order_update(store, &wrong, FO_STATE_QUEUED), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(fo_store_order_update(store, &cancelled, FO_STATE_QUEUED), FO_OK);
    assert_int_equal(fo_store_command_end(store, true), FO_OK);
    struct fo_order back = cancelled; /* A terminal order never changes again (trigger). */
    back.state = FO_STATE_QUEUED;
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(fo_store_order_update(store, &back, FO_STATE_CANCELLED), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    struct fo_order orphan;
    fo_fixture_order("ord_9", FO_STATE_PENDING, &orphan);
    snprintf(orphan.buyer_id, sizeof orphan.buyer_id, "%s", "byr_9");
    assert_int_equal(fo_store_command_begin(store), FO_OK);
    assert_int_equal(fo_store_order_insert(store, &orphan), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_command_end(store, false), FO_OK);
    assert_int_equal(fo_store_batch_commit(store), FO_OK);
    assert_int_equal(fo_store_supplier_get(store, "sup_1", &supplier), FO_OK);
    assert_int64_equal(supplier.in_flight_count, 1); /* Counted (schema/0005). */
}

static void test_version_1_database_migrates_to_the_latest_keeping_every_row(void **state)
{
    (void)state;
    char location[512];
    fo_fixture_location_new("upgrade", location, sizeof location);
    create_version_1(location);
    struct fo_store *reader = NULL;
    assert_int_equal(fo_store_open(location, false, &reader), FO_OK);
    assert_int64_equal(fo_store_schema_version(reader), 1); /* Readers do not migrate. */
    fo_store_close(reader);

    struct fo_store *store = NULL;
    assert_int_equal(fo_store_open(location, true, &store), FO_OK);
    assert_int64_equal(fo_store_schema_version(store), fo_fixture_schema_version());
    struct fo_supplier supplier;
    assert_int_equal(fo_store_supplier_get(store, "sup_1", &supplier), FO_OK);
    assert_int64_equal(supplier.in_flight_count, 2); /* ord_2 queued, ord_3 executing. */
    struct fo_order order;
    assert_int_equal(fo_store_order_get(store, "ord_3", &order), FO_OK);
    assert_int64_equal(order.delivered, 9);
    struct fo_order oldest[2];
    size_t oldest_count = 0;
    assert_int_equal(fo_store_order_executing(store, "sup_1", oldest, 2, &oldest_count), FO_OK);
    assert_int_equal(oldest_count, 1); /* orders_executing (schema/0003) holds the old row. */
    assert_string_equal(oldest[0].id, "ord_3");
    assert_int64_equal(oldest[0].seq, 3); /* schema/0004 copied the rows with their seq. */
    struct fo_event events[2];
    size_t events_count = 0;
    assert_int_equal(fo_store_event_list(store, "ord_3", 0, events, 2, &events_count), FO_OK);
    assert_int_equal(events_count, 1);
    assert_int64_equal(events[0].delivered, 9);

    assert_orders_rebuilt_with_their_rules(location, store);
    fo_store_close(store);
    fo_fixture_location_drop(location);
}

/* A migration that runs with foreign keys off (schema/0004) commits only if every foreign
 * key holds: a database that already breaks one (a journal of an order that does not
 * exist, written with foreign keys off) is refused at that migration and left at the
 * version before it, with the old table, instead of being carried along. */
static void test_migration_with_foreign_keys_off_refuses_a_broken_database(void **state)
{
    (void)state;
    char location[512];
    fo_fixture_location_new("broken-upgrade", location, sizeof location);
    create_version_1(location);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(location, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA foreign_keys=OFF; INSERT INTO journals (at_unix_ms, kind, buyer_id, "
                     "order_id, reference, outside_minor, available_minor, held_minor, "
                     "revenue_minor, fees_minor, available_after_minor) VALUES (0, 2, 'byr_1', "
                     "'ord_gone', NULL, 0, -5, 5, 0, 0, 0)",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    struct fo_store *store = NULL;
    assert_int_equal(fo_store_open(location, true, &store), FO_ERR_INTERNAL);
    assert_null(store);
    assert_int_equal(sqlite3_open(location, &db), SQLITE_OK);
    char text[64];
    query_text(db, "PRAGMA user_version", text, sizeof text);
    assert_string_equal(text, "3"); /* 0002 and 0003 applied, 0004 refused whole. */
    query_text(db,
               "SELECT instr(sql, 'IN (''cooling_off''') > 0 FROM sqlite_schema "
               "WHERE name = 'orders'",
               text, sizeof text);
    assert_string_equal(text, "1"); /* The old table, not a copy. */
    query_text(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'orders_new'", text,
               sizeof text);
    assert_string_equal(text, "0");
    sqlite3_close(db);
    fo_fixture_location_drop(location);
}

/* An order naming a policy that does not exist (only possible with foreign keys off, as
 * here) reads as an internal error, not as an order with an empty policy. */
static void test_order_with_a_missing_policy_is_an_internal_error(void **state)
{
    struct fo_fixture *fixture = *state;
    sqlite3 *raw = open_raw(fixture);
    assert_int_equal(sqlite3_exec(raw,
                                  "PRAGMA foreign_keys=OFF; INSERT INTO orders (id, buyer_id, "
                                  "service_id, supplier_id, policy_id, quantity, delivered, "
                                  "unit_price_minor, amount_minor, currency, target, state, "
                                  "placed_at_unix_ms, updated_at_unix_ms) VALUES ('ord_x', "
                                  "'byr_1', 'svc_1', 'sup_1', 'pol_gone', 10, 0, 5, 50, 'CNY', "
                                  "'t', 0, 1, 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    struct fo_order order;
    assert_int_equal(fo_store_order_get(fixture->store, "ord_x", &order), FO_ERR_INTERNAL);
    assert_int_equal(fo_store_order_get(fixture->store, "ord_missing", &order), FO_ERR_NOT_FOUND);
}

/* Postings of an order that does not exist (the foreign key off, as a broken copy might
 * have them) come first in the pass over all orders' postings, with seq 0. */
static void test_postings_of_a_missing_order_come_first(void **state)
{
    struct fo_fixture *fixture = *state;
    struct fo_order order;
    fo_fixture_order("ord_1", FO_STATE_PENDING, &order);
    fo_fixture_insert_order(fixture->store, &order);
    sqlite3 *raw = open_raw(fixture);
    assert_int_equal(
        sqlite3_exec(raw,
                     "PRAGMA foreign_keys=OFF; INSERT INTO journals (at_unix_ms, kind, buyer_id, "
                     "order_id, reference, outside_minor, available_minor, held_minor, "
                     "revenue_minor, fees_minor, available_after_minor) VALUES (1, 2, 'byr_1', "
                     "'ord_gone', NULL, 0, -70, 70, 0, 0, 1); INSERT INTO journals (at_unix_ms, "
                     "kind, buyer_id, order_id, reference, outside_minor, available_minor, "
                     "held_minor, revenue_minor, fees_minor, available_after_minor) VALUES (1, "
                     "2, 'byr_1', 'ord_1', NULL, 0, -50, 50, 0, 0, 1)",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(raw);
    struct fo_store *store = fixture->store;
    assert_int_equal(fo_store_read_begin(store), FO_OK);
    int64_t seq = -1;
    struct fo_order_ledger sums;
    assert_int_equal(fo_store_ledger_orders_next(store, &seq, &sums), FO_OK);
    assert_int64_equal(seq, 0);
    assert_int64_equal(sums.held_minor, 70);
    assert_int_equal(fo_store_ledger_orders_next(store, &seq, &sums), FO_OK);
    assert_int64_equal(seq, order.seq);
    assert_int64_equal(sums.held_minor, 50);
    assert_int_equal(fo_store_ledger_orders_next(store, &seq, &sums), FO_ERR_NOT_FOUND);
    fo_store_read_end(store);
    /* Verification says so, and still checks the order that exists. */
    struct fo_verify_report *report = calloc(1, sizeof *report);
    assert_non_null(report);
    assert_int_equal(fo_query_verify(store, report), FO_OK);
    assert_int64_equal(report->orders_count, 1);
    bool named = false;
    for (size_t index = 0; index < report->problems_count; index++) {
        named = named || strcmp(report->problems[index],
                                "ledger: postings name orders that do not exist") == 0;
    }
    assert_true(named);
    free(report);
}

/* The EXPLAIN QUERY PLAN of one statement, its detail lines joined by '\n'. */
static void plan_of(sqlite3 *db, enum fo_sql_statement statement, char *out, size_t out_bytes)
{
    char sql[4096];
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", fo_sql_text(statement));
    sqlite3_stmt *explain = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &explain, NULL), SQLITE_OK);
    size_t used = 0;
    out[0] = '\0';
    while (sqlite3_step(explain) == SQLITE_ROW) {
        const unsigned char *detail = sqlite3_column_text(explain, 3);
        int written = snprintf(out + used, out_bytes - used, "%s\n",
                               detail != NULL ? (const char *)detail : "");
        assert_true(written > 0 && (size_t)written < out_bytes - used);
        used += (size_t)written;
    }
    sqlite3_finalize(explain);
}

/* Statements allowed a full scan: verification of the whole ledger, never a request. */
static bool scan_allowed(enum fo_sql_statement statement)
{
    return statement == FO_SQL_LEDGER_TOTALS || statement == FO_SQL_LEDGER_ORDERS;
}

/* Statements allowed a sort: verification's pass over every order's postings. */
static bool sort_allowed(enum fo_sql_statement statement)
{
    return statement == FO_SQL_LEDGER_ORDERS;
}

/* True when a plan line scans a whole table or index ("SCAN CONSTANT ROW" is no scan, nor
 * is reading the rows of a bounded subquery, "SCAN (subquery-N)"). */
static bool plan_scans(const char *plan)
{
    const char *line = plan;
    /* Bounded by the plan's length: each round moves past one '\n'. */
    while (line != NULL && *line != '\0') {
        /* VALUES lists are "SCAN CONSTANT ROW" or "SCAN 2 CONSTANT ROWS": not a table. */
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        char text[256];
        snprintf(text, sizeof text, "%.*s", (int)(length < sizeof text ? length : 255), line);
        if (strncmp(text, "SCAN ", 5) == 0 && strstr(text, " CONSTANT ROW") == NULL &&
            strncmp(text, "SCAN (subquery-", 15) != 0) {
            return true;
        }
        line = strchr(line, '\n');
        line = line != NULL ? line + 1 : NULL;
    }
    return false;
}

static void test_no_statement_scans_a_table_or_sorts(void **state)
{
    struct fo_fixture *fixture = *state;
    sqlite3 *raw = open_raw(fixture);
    for (int index = 0; index < FO_SQL_STATEMENT_COUNT; index++) {
        enum fo_sql_statement statement = (enum fo_sql_statement)index;
        char plan[2048];
        plan_of(raw, statement, plan, sizeof plan);
        if ((!sort_allowed(statement) && strstr(plan, "TEMP B-TREE") != NULL) ||
            (!scan_allowed(statement) && plan_scans(plan))) {
            fail_msg("statement %d (%s) plans:\n%s", index, fo_sql_text(statement), plan);
        }
    }
    sqlite3_close(raw);
}

static void expect_index(sqlite3 *db, enum fo_sql_statement statement, const char *index_name)
{
    char plan[2048];
    plan_of(db, statement, plan, sizeof plan);
    if (strstr(plan, index_name) == NULL) {
        fail_msg("%s does not use %s:\n%s", fo_sql_text(statement), index_name, plan);
    }
}

static void test_hot_statements_use_their_designed_index(void **state)
{
    struct fo_fixture *fixture = *state;
    sqlite3 *raw = open_raw(fixture);
    expect_index(raw, FO_SQL_CANCELS_COUNT,
                 "SEARCH orders USING COVERING INDEX orders_cancelled (buyer_id=? AND "
                 "settled_at_unix_ms>? AND settled_at_unix_ms<?)");
    expect_index(raw, FO_SQL_SUPPLIER_GET, "sqlite_autoindex_suppliers_1 (id=?)");
    expect_index(raw, FO_SQL_ORDER_OLDEST_PENDING, "INDEX orders_pending (supplier_id=?)");
    expect_index(raw, FO_SQL_ORDER_OLDEST_QUEUED, "INDEX orders_queued (supplier_id=?)");
    expect_index(raw, FO_SQL_ORDER_OLDEST_EXECUTING, "INDEX orders_executing (supplier_id=?)");
    expect_index(raw, FO_SQL_ORDER_EXPIRED, "INDEX orders_leases (lease_expires_at_unix_ms<?)");
    expect_index(raw, FO_SQL_ORDER_LIST_BUYER, "INDEX orders_buyer (buyer_id=? AND rowid<?)");
    expect_index(raw, FO_SQL_ORDER_LIST_BUYER_STATE, "INDEX orders_buyer (buyer_id=?");
    expect_index(raw, FO_SQL_ORDER_LIST_ALL, "INTEGER PRIMARY KEY (rowid<?)");
    expect_index(raw, FO_SQL_ORDER_GET, "sqlite_autoindex_orders_1 (id=?)");
    expect_index(raw, FO_SQL_EVENT_LIST, "INDEX events_order (order_seq=? AND rowid>?)");
    expect_index(raw, FO_SQL_EVENT_LAST, "INDEX events_order (order_seq=?)");
    expect_index(raw, FO_SQL_WALLET_ENTRIES, "INDEX journals_buyer (buyer_id=? AND rowid<?)");
    expect_index(raw, FO_SQL_LEDGER_BUYER, "INDEX journals_buyer (buyer_id=?)");
    /* One pass over the journals, each order found by its id (no index by order). */
    expect_index(raw, FO_SQL_LEDGER_ORDERS, "SCAN j\n");
    expect_index(raw, FO_SQL_LEDGER_ORDERS, "sqlite_autoindex_orders_1 (id=?)");
    expect_index(raw, FO_SQL_IDEMPOTENCY_GET, "sqlite_autoindex_idempotency_1");
    expect_index(raw, FO_SQL_IDEMPOTENCY_PURGE, "INDEX idempotency_created");
    expect_index(raw, FO_SQL_PRINCIPAL_BY_TOKEN, "sqlite_autoindex_principals_2 (token_hash=?)");
    expect_index(raw, FO_SQL_SERVICE_LIST, "INTEGER PRIMARY KEY (rowid<?)");
    sqlite3_close(raw);
}

/* Run `sql` twice with every parameter bound (inside a transaction that is rolled back) and
 * return how often SQLite re-prepared it. */
static int reprepares_of(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    for (int round = 0; round < 2; round++) {
        for (int index = 1; index <= sqlite3_bind_parameter_count(stmt); index++) {
            sqlite3_bind_int64(stmt, index, round + 1);
        }
        while (sqlite3_step(stmt) == SQLITE_ROW) {
        }
        sqlite3_reset(stmt);
    }
    int count = sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_REPREPARE, 0);
    sqlite3_finalize(stmt);
    assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    return count;
}

/* A bound value compared against a partial index's WHERE makes SQLite re-prepare the
 * statement at every bind: the parser on the hot path (a quarter of the CPU once). */
static void test_no_statement_is_reprepared_when_bound(void **state)
{
    struct fo_fixture *fixture = *state;
    sqlite3 *raw = open_raw(fixture);
    for (int index = 0; index < FO_SQL_STATEMENT_COUNT; index++) {
        const char *sql = fo_sql_text((enum fo_sql_statement)index);
        if (strncmp(sql, "BEGIN", 5) == 0 || strncmp(sql, "COMMIT", 6) == 0 ||
            strncmp(sql, "ROLLBACK", 8) == 0 || strncmp(sql, "SAVEPOINT", 9) == 0 ||
            strncmp(sql, "RELEASE", 7) == 0) {
            continue;
        }
        if (reprepares_of(raw, sql) != 0) {
            fail_msg("statement %d is re-prepared when bound: %s", index, sql);
        }
    }
    /* The test can fail: the shape that used to cost a re-prepare per call. */
    assert_true(reprepares_of(raw, "SELECT seq FROM orders WHERE supplier_id = ?1 AND state = ?2 "
                                   "ORDER BY seq LIMIT ?3") > 0);
    sqlite3_close(raw);
}

/* How many temporary b-trees the statement's program (with its triggers) may open. */
static int ephemeral_tables_of(sqlite3 *db, const char *sql)
{
    char explain[4096];
    snprintf(explain, sizeof explain, "EXPLAIN %s", sql);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &stmt, NULL), SQLITE_OK);
    int count = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *opcode = (const char *)sqlite3_column_text(stmt, 1);
        count += opcode != NULL && strcmp(opcode, "OpenEphemeral") == 0;
    }
    sqlite3_finalize(stmt);
    return count;
}

/* "x IN (a, b, c)" builds a temporary b-tree of the list per run (schema/0003 and 0004):
 * the write path has none. */
static void test_write_path_builds_no_temporary_btrees(void **state)
{
    struct fo_fixture *fixture = *state;
    sqlite3 *raw = open_raw(fixture);
    for (int index = 0; index < FO_SQL_STATEMENT_COUNT; index++) {
        enum fo_sql_statement statement = (enum fo_sql_statement)index;
        /* Policy rules (admin, rare) are checked against lists of three. */
        int allowed = statement == FO_SQL_POLICY_INSERT;
        int count = ephemeral_tables_of(raw, fo_sql_text(statement));
        if (count > allowed) {
            fail_msg("statement %d opens %d temporary b-trees: %s", index, count,
                     fo_sql_text(statement));
        }
    }
    /* The test can fail: the shape schema/0003 replaced. */
    assert_int_equal(ephemeral_tables_of(raw, "SELECT 1 FROM orders WHERE state IN (0, 1, 2)"), 1);
    sqlite3_close(raw);
}

#define FIXTURE_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fo_fixture_setup, fo_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_connection_settings),
        FIXTURE_TEST(test_checkpoint_copies_the_log),
        FIXTURE_TEST(test_statements_are_prepared_once_and_lazily),
        FIXTURE_TEST(test_locked_database_is_unavailable),
        FIXTURE_TEST(test_order_with_a_missing_policy_is_an_internal_error),
        FIXTURE_TEST(test_postings_of_a_missing_order_come_first),
        FIXTURE_TEST(test_open_a_file_that_is_not_a_database_is_unavailable),
        FIXTURE_TEST(test_reader_on_a_missing_file_does_not_create_it),
        cmocka_unit_test(test_version_1_database_migrates_to_the_latest_keeping_every_row),
        cmocka_unit_test(test_migration_with_foreign_keys_off_refuses_a_broken_database),
        FIXTURE_TEST(test_no_statement_scans_a_table_or_sorts),
        FIXTURE_TEST(test_hot_statements_use_their_designed_index),
        FIXTURE_TEST(test_no_statement_is_reprepared_when_bound),
        FIXTURE_TEST(test_write_path_builds_no_temporary_btrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
