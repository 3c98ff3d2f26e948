/* The "fairorder" VFS (store_sqlite_vfs.c): write-ahead log appends gathered per commit.
 *
 * Property: a database written through the VFS is, after every commit, exactly what a
 * connection through the plain default VFS reads, including while the writer's own
 * transaction rewrites log frames, rolls back to savepoints, rolls back whole, outgrows the
 * buffer (several write-outs in one transaction), and after checkpoints restart the log
 * from its header. Method: seeded random transactions on a scratch table through the VFS
 * (synchronous=FULL, as the store runs), with a model of the table in memory; after each
 * commit or rollback a plain connection compares count, sums and a checksum of every
 * value with the model; at the end both run PRAGMA integrity_check. Replay with FO_SEED.
 * Transactions alternate between a page cache of 8 pages (SQLite spills frames before
 * COMMIT and reads them back) and a large one (runs fill the buffer and are written out
 * mid-transaction). That the writes are gathered, and what it buys, is measured by bench/,
 * not here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/limits.h"
#include "store/store_fixture.h"
#include "store/store_sqlite.h"

#define ROWS      64
#define VALUE_MAX 9000 /* Bytes: some values need overflow pages. */
#define ROUNDS    300

struct model {
    int64_t size[ROWS]; /* 0: no row. */
    int64_t fill[ROWS]; /* Every byte of the value. */
};

static sqlite3 *open_with(const char *location, const char *vfs)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    assert_int_equal(sqlite3_open_v2(location, &db, flags, vfs), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                                  "PRAGMA cache_size=8;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *message = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        fail_msg("%s: %s", sql, message != NULL ? message : sqlite3_errstr(rc));
    }
}

static void put(sqlite3 *db, struct model *model, int64_t key, int64_t size, int64_t fill)
{
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO t (k, v) VALUES (?1, ?2)", -1,
                                        &statement, NULL),
                     SQLITE_OK);
    unsigned char *value = test_malloc((size_t)size);
    memset(value, (int)fill, (size_t)size);
    sqlite3_bind_int64(statement, 1, key);
    sqlite3_bind_blob(statement, 2, value, (int)size, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(statement), SQLITE_DONE);
    sqlite3_finalize(statement);
    test_free(value);
    model->size[key] = size;
    model->fill[key] = fill;
}

/* The plain connection reads exactly the model. */
static void expect_model(sqlite3 *plain, const struct model *model)
{
    int64_t count = 0;
    int64_t bytes = 0;
    int64_t weighted = 0;
    for (int64_t key = 0; key < ROWS; key++) {
        count += model->size[key] > 0;
        bytes += model->size[key];
        weighted += model->size[key] * model->fill[key] * (key + 1);
    }
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_prepare_v2(plain,
                                        "SELECT COUNT(*), COALESCE(SUM(length(v)), 0), "
                                        "COALESCE(SUM(length(v) * unicode(CAST(v AS TEXT)) "
                                        "* (k + 1)), 0), COALESCE(SUM(length(replace(CAST(v "
                                        "AS TEXT), substr(CAST(v AS TEXT), 1, 1), ''))), 0) "
                                        "FROM t",
                                        -1, &statement, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    assert_int64_equal(sqlite3_column_int64(statement, 0), count);
    assert_int64_equal(sqlite3_column_int64(statement, 1), bytes);
    assert_int64_equal(sqlite3_column_int64(statement, 2), weighted);
    assert_int64_equal(sqlite3_column_int64(statement, 3), 0); /* Every byte alike. */
    sqlite3_finalize(statement);
}

static void expect_integrity(sqlite3 *db)
{
    sqlite3_stmt *statement = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(statement), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(statement, 0), "ok");
    sqlite3_finalize(statement);
}

/* One random transaction: puts (the same rows again and again, so log frames of this
 * transaction are rewritten), maybe a savepoint rolled back, then commit or rollback. */
static void random_transaction(sqlite3 *db, struct model *model, uint64_t *random)
{
    struct model before = *model;
    /* A small cache spills frames before COMMIT and reads them back; a large one leaves
     * whole runs to the buffer, which fills and is written out mid-transaction. */
    exec_ok(db, fo_test_random_range(random, 0, 1) == 0 ? "PRAGMA cache_size=8"
                                                        : "PRAGMA cache_size=4000");
    exec_ok(db, "BEGIN IMMEDIATE");
    int64_t puts = fo_test_random_range(random, 1, 40);
    bool big = fo_test_random_range(random, 0, 9) == 0;
    if (big) { /* More than the buffer: write-outs in the middle of the transaction. */
        puts = 4 * (int64_t)FO_WAL_WRITE_BUFFER_BYTES / VALUE_MAX + 8;
    }
    for (int64_t index = 0; index < puts; index++) {
        int64_t key = fo_test_random_range(random, 0, ROWS - 1);
        put(db, model, key, fo_test_random_range(random, 1, VALUE_MAX),
            fo_test_random_range(random, 'a', 'z'));
        if (index == puts / 2 && fo_test_random_range(random, 0, 3) == 0) {
            struct model at_savepoint = *model;
            exec_ok(db, "SAVEPOINT s");
            put(db, model, fo_test_random_range(random, 0, ROWS - 1), VALUE_MAX, 'Z');
            exec_ok(db, "ROLLBACK TO s");
            exec_ok(db, "RELEASE s");
            *model = at_savepoint;
        }
    }
    if (fo_test_random_range(random, 0, 5) == 0) {
        exec_ok(db, "ROLLBACK");
        *model = before;
    } else {
        exec_ok(db, "COMMIT");
    }
}

static void test_vfs_database_reads_the_same_through_the_plain_vfs(void **state)
{
    struct fo_fixture *fixture = *state; /* Its store registered the VFS. */
    uint64_t random = fo_test_seed("vfs");
    char location[600];
    snprintf(location, sizeof location, "%s.vfs", fixture->location);
    sqlite3 *buffered = open_with(location, FO_SQLITE_VFS_NAME);
    sqlite3 *plain = open_with(location, NULL);
    exec_ok(buffered, "CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)");
    struct model model;
    memset(&model, 0, sizeof model);
    for (int round = 0; round < ROUNDS; round++) {
        random_transaction(buffered, &model, &random);
        expect_model(plain, &model);
        if (round % 37 == 36) { /* The log starts again from its header after this. */
            exec_ok(plain, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }
    expect_integrity(plain);
    expect_integrity(buffered);
    sqlite3_close(buffered);
    sqlite3_close(plain);
    remove(location);
    char side[700];
    snprintf(side, sizeof side, "%s-wal", location);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", location);
    remove(side);
}

#define FIXTURE_TEST(name) \
    cmocka_unit_test_setup_teardown(name, fo_fixture_setup, fo_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_vfs_database_reads_the_same_through_the_plain_vfs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
