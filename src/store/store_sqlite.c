/* The embedded SQLite store: opening and closing a connection, and schema migrations
 * (store.h, "Connection"). The other store_sqlite_*.c files implement the rest of store.h
 * over the connection opened here.
 *
 * A connection is opened without SQLite's mutex (SQLITE_OPEN_NOMUTEX; store.h: one thread
 * at a time), then configured before any other use: extended result codes, the busy
 * timeout (FO_DB_BUSY_TIMEOUT_MS), journal_mode=WAL (readers never block the writer, and
 * a commit is one append to the log), synchronous=FULL (a commit is durable once it
 * returns: nothing is answered 2xx before that) and foreign_keys=ON. These are checked,
 * not assumed: a build of SQLite without WAL or foreign keys refuses to open.
 *
 * Migrations are the files src/store/schema/NNNN_name.sql, embedded in the binary by
 * tools/embed.sh (nothing is read from disk at run time), applied in NNNN order, each in
 * its own BEGIN IMMEDIATE transaction together with PRAGMA user_version = NNNN, so a
 * migration is either wholly applied and recorded or not at all, and two processes
 * migrating at once apply each file once. Only the writer's connection migrates. */
#include "store/store_sqlite.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "embedded.h"
#include "log.h"

#define SCHEMA_PREFIX "src/store/schema/"

/* Per-connection settings after journal_mode. temp_store=MEMORY keeps the statement
 * journals of command savepoints in memory: on a file they cost ~25 pwrite(2) calls per
 * placement (measured), none of them needed for durability, which the WAL gives. The
 * page cache is 16 MiB per connection (1 writer + FO_READERS_MAX readers stay under
 * 150 MiB) so that the hot pages of orders and their indexes stay in memory. */
#define SETTINGS_SQL                                                              \
    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; " \
    "PRAGMA cache_size=-16384;"

/* Run SQL that returns no rows and takes no parameters (setup and migration only). */
static enum fo_err exec_plain(struct fo_store *store, const char *sql, const char *op)
{
    int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        return fo_sql_fail(store, op, rc);
    }
    return FO_OK;
}

/* Run a PRAGMA (or any one-row query) and copy the first column of its row as text. */
static enum fo_err pragma_text(struct fo_store *store, const char *sql, char *out, size_t out_bytes)
{
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(store->db, sql, -1, &statement, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(statement);
    }
    if (rc != SQLITE_ROW) {
        enum fo_err err = fo_sql_fail(store, sql, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
        sqlite3_finalize(statement);
        return err;
    }
    const unsigned char *text = sqlite3_column_text(statement, 0);
    snprintf(out, out_bytes, "%s", text != NULL ? (const char *)text : "");
    sqlite3_finalize(statement);
    return FO_OK;
}

static enum fo_err read_user_version(struct fo_store *store, int64_t *out)
{
    char text[32];
    enum fo_err err = pragma_text(store, "PRAGMA user_version", text, sizeof text);
    if (err != FO_OK) {
        return err;
    }
    *out = (int64_t)strtoll(text, NULL, 10);
    FO_ASSERT(*out >= 0);
    return FO_OK;
}

/* Set the connection's pragmas and check that SQLite honoured them. */
static enum fo_err configure(struct fo_store *store)
{
    sqlite3_extended_result_codes(store->db, 1);
    sqlite3_busy_timeout(store->db, FO_DB_BUSY_TIMEOUT_MS);
    char mode[16];
    enum fo_err err = pragma_text(store, "PRAGMA journal_mode=WAL", mode, sizeof mode);
    if (err != FO_OK) {
        return err;
    }
    if (strcmp(mode, "wal") != 0) {
        fo_log(FO_LOG_ERROR, "store.error",
               "op=open sqlite=%s detail=\"journal_mode is %s, not wal\" action=\"use a local "
               "file system that supports shared memory (WAL needs it)\"",
               "unsupported", mode);
        return FO_ERR_UNAVAILABLE;
    }
    err = exec_plain(store, SETTINGS_SQL, "open");
    if (err != FO_OK) {
        return err;
    }
    char foreign_keys[8];
    err = pragma_text(store, "PRAGMA foreign_keys", foreign_keys, sizeof foreign_keys);
    if (err == FO_OK && strcmp(foreign_keys, "1") != 0) {
        fo_log(FO_LOG_ERROR, "store.error",
               "op=open sqlite=%s detail=\"foreign keys unsupported\" action=\"link a SQLite "
               "built with foreign key support\"",
               "unsupported");
        return FO_ERR_INTERNAL;
    }
    /* store_sqlite_vfs.c publishes the log's frames at each commit's sync: FULL or bust. */
    char synchronous[8];
    if (err == FO_OK) {
        err = pragma_text(store, "PRAGMA synchronous", synchronous, sizeof synchronous);
    }
    FO_ASSERT(err != FO_OK || strcmp(synchronous, "2") == 0);
    return err;
}

/* NNNN of "src/store/schema/NNNN_name.sql"; asserts the name has that shape (the files are
 * part of the build, so a bad name is a programmer error). */
static int64_t migration_version(const char *path)
{
    const char *name = path + strlen(SCHEMA_PREFIX);
    int64_t version = 0;
    size_t digits = 0;
    while (name[digits] >= '0' && name[digits] <= '9' && digits < 9) {
        version = version * 10 + (name[digits] - '0');
        digits++;
    }
    FO_ASSERT(digits == 4);
    FO_ASSERT(name[digits] == '_');
    FO_ASSERT(version > 0);
    return version;
}

/* Run every statement of a migration script (not NUL-terminated: `bytes` long). */
static enum fo_err exec_script(struct fo_store *store, const struct fo_embedded_file *file)
{
    const char *sql = (const char *)file->data;
    const char *end = sql + file->bytes;
    FO_ASSERT(file->bytes < (size_t)INT32_MAX);
    /* Each round consumes at least one statement or stops; the script is finite. */
    while (sql < end) {
        sqlite3_stmt *statement = NULL;
        const char *tail = NULL;
        int rc = sqlite3_prepare_v2(store->db, sql, (int)(end - sql), &statement, &tail);
        if (rc == SQLITE_OK && statement != NULL) {
            rc = sqlite3_step(statement);
            rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
        if (rc != SQLITE_OK) {
            enum fo_err err = fo_sql_fail(store, file->path, rc);
            sqlite3_finalize(statement);
            return err;
        }
        sqlite3_finalize(statement);
        if (statement == NULL || tail == NULL || tail <= sql) {
            break; /* Only whitespace or comments were left. */
        }
        sql = tail;
    }
    return FO_OK;
}

/* A migration whose first line is this runs with foreign keys off: SQLite's recipe for
 * rebuilding a table that others reference (schema/0004) leaves it missing for a moment.
 * It commits only if every foreign key of the database holds afterwards. */
#define MIGRATION_FOREIGN_KEYS_OFF "-- fairorder: foreign_keys=off\n"

/* FO_OK when PRAGMA foreign_key_check finds nothing; else logs the first violation. */
static enum fo_err foreign_keys_hold(struct fo_store *store, const char *path)
{
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(store->db, "PRAGMA foreign_key_check", -1, &statement, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(statement);
    }
    enum fo_err err = FO_OK;
    if (rc == SQLITE_ROW) {
        fo_log(FO_LOG_ERROR, "store.error",
               "op=migrate file=%s table=%s rowid=%lld parent=%s detail=\"a foreign key does "
               "not hold after this migration (it or an earlier write broke it): not "
               "applied\" action=\"the database is as it was; report this line with the "
               "row it names\"",
               path, (const char *)sqlite3_column_text(statement, 0),
               (long long)sqlite3_column_int64(statement, 1),
               (const char *)sqlite3_column_text(statement, 2));
        err = FO_ERR_INTERNAL;
    } else if (rc != SQLITE_DONE) {
        err = fo_sql_fail(store, "migrate_foreign_key_check", rc);
    }
    sqlite3_finalize(statement);
    return err;
}

/* migrate_one's transaction: skip if applied, else run, check, record, commit. */
static enum fo_err migrate_one_in_transaction(struct fo_store *store,
                                              const struct fo_embedded_file *file, int64_t version,
                                              bool check_foreign_keys)
{
    enum fo_err err = exec_plain(store, "BEGIN IMMEDIATE", "migrate_begin");
    if (err != FO_OK) {
        return err;
    }
    int64_t applied = 0;
    err = read_user_version(store, &applied);
    if (err == FO_OK && applied < version) {
        /* Some migrations copy a table: say so before the wait, not only after. */
        fo_log(FO_LOG_INFO, "store.migrating", "version=%" PRId64 " file=%s", version, file->path);
        err = exec_script(store, file);
        if (err == FO_OK && check_foreign_keys) {
            err = foreign_keys_hold(store, file->path);
        }
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %" PRId64, version);
        if (err == FO_OK) {
            err = exec_plain(store, pragma, "migrate_record");
        }
        if (err == FO_OK) {
            fo_log(FO_LOG_INFO, "store.migrated", "version=%" PRId64 " file=%s", version,
                   file->path);
        }
    }
    if (err == FO_OK) {
        return exec_plain(store, "COMMIT", "migrate_commit");
    }
    (void)sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

/* Apply one migration unless the database already has it (checked inside the write
 * transaction, so a concurrent migrator cannot make us apply it twice). */
static enum fo_err migrate_one(struct fo_store *store, const struct fo_embedded_file *file,
                               int64_t version)
{
    size_t marker_bytes = strlen(MIGRATION_FOREIGN_KEYS_OFF);
    bool foreign_keys_off = file->bytes >= marker_bytes &&
                            memcmp(file->data, MIGRATION_FOREIGN_KEYS_OFF, marker_bytes) == 0;
    /* Outside the transaction: inside one, SQLite ignores the pragma. */
    enum fo_err err =
        foreign_keys_off ? exec_plain(store, "PRAGMA foreign_keys=OFF", "migrate") : FO_OK;
    if (err == FO_OK) {
        err = migrate_one_in_transaction(store, file, version, foreign_keys_off);
    }
    if (foreign_keys_off) {
        enum fo_err restored = exec_plain(store, "PRAGMA foreign_keys=ON", "migrate");
        char foreign_keys[8] = "";
        if (restored == FO_OK) {
            restored = pragma_text(store, "PRAGMA foreign_keys", foreign_keys, sizeof foreign_keys);
        }
        FO_ASSERT(restored != FO_OK || strcmp(foreign_keys, "1") == 0);
        err = err != FO_OK ? err : restored;
    }
    return err;
}

/* Apply the embedded migrations in order; *out_highest is the highest one known. */
static enum fo_err migrate_all(struct fo_store *store, int64_t *out_highest)
{
    int64_t previous = 0;
    for (size_t index = 0; index < fo_embedded_files_count; index++) {
        const struct fo_embedded_file *file = &fo_embedded_files[index];
        if (strncmp(file->path, SCHEMA_PREFIX, strlen(SCHEMA_PREFIX)) != 0) {
            continue;
        }
        int64_t version = migration_version(file->path);
        FO_ASSERT(version > previous); /* The table is sorted by path; no NNNN twice. */
        previous = version;
        enum fo_err err = migrate_one(store, file, version);
        if (err != FO_OK) {
            return err;
        }
    }
    *out_highest = previous;
    return FO_OK;
}

/* Process-wide SQLite settings, made once before SQLite initialises. Memory statistics
 * off: with them on, every sqlite3_malloc and sqlite3_free takes a global mutex to keep
 * counters nobody reads here (measured: about 150 allocations per write command). If
 * something initialised SQLite first, sqlite3_config refuses and the default stays. Then
 * the VFS every connection opens with (store_sqlite_vfs.c). */
static void sqlite_configure_once(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_initialize();
    fo_sqlite_vfs_register();
}

static enum fo_err open_connection(struct fo_store *store, const char *location, bool migrate)
{
    static pthread_once_t configured = PTHREAD_ONCE_INIT;
    (void)pthread_once(&configured, sqlite_configure_once);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (migrate ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(location, &store->db, flags, FO_SQLITE_VFS_NAME);
    if (rc != SQLITE_OK) {
        fo_log(FO_LOG_ERROR, "store.error",
               "op=open sqlite=%s location=\"%s\" detail=\"%s\" action=\"check that the "
               "file exists (readers do not create it), its directory is writable and it is "
               "a fairorder database\"",
               sqlite3_errstr(rc), location,
               store->db != NULL ? sqlite3_errmsg(store->db) : "out of memory");
        return FO_ERR_UNAVAILABLE;
    }
    /* store.h: a database that cannot be opened, or configured as we need, is
     * unavailable (configure has logged why: not a database, no WAL, ...). */
    enum fo_err err = configure(store) == FO_OK ? FO_OK : FO_ERR_UNAVAILABLE;
    int64_t highest = 0;
    if (err == FO_OK && migrate) {
        err = migrate_all(store, &highest);
        if (err == FO_OK) {
            store->writer_caches = calloc(1, sizeof *store->writer_caches);
            err = store->writer_caches != NULL ? FO_OK : FO_ERR_UNAVAILABLE;
        }
    }
    if (err == FO_OK && !migrate) {
        /* Connections that only read journal nothing; what they keep in temporary storage
         * is verification's sort of every posting (fo_store_ledger_orders_next), which
         * must spill to temporary files past the page cache instead of growing in memory
         * with the ledger (SQLite's sorter never spills when temp_store is MEMORY). */
        err = exec_plain(store, "PRAGMA temp_store=FILE", "temp_store");
    }
    if (err == FO_OK && migrate) {
        /* The writer's commits leave checkpoints to the checkpointer thread (limits.h). */
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA wal_autocheckpoint=%d",
                 FO_WAL_AUTOCHECKPOINT_PAGES);
        err = exec_plain(store, pragma, "wal_autocheckpoint");
    }
    if (err == FO_OK) {
        err = read_user_version(store, &store->schema_version);
    }
    if (err == FO_OK && migrate && store->schema_version > highest) {
        fo_log(FO_LOG_WARN, "store.newer_schema",
               "version=%" PRId64 " known=%" PRId64 " action=\"the database was migrated by a "
               "newer fairorder; run that version\"",
               store->schema_version, highest);
    }
    return err;
}

enum fo_err fo_store_open(const char *location, bool migrate, struct fo_store **out)
{
    FO_ASSERT(location != NULL);
    FO_ASSERT(out != NULL);

    *out = NULL;
    struct fo_store *store = calloc(1, sizeof *store);
    if (store == NULL) {
        fo_log(FO_LOG_ERROR, "store.error", "op=open detail=\"out of memory\" action=\"retry\"");
        return FO_ERR_UNAVAILABLE;
    }
    enum fo_err err = open_connection(store, location, migrate);
    if (err != FO_OK) {
        fo_store_close(store);
        return err;
    }
    FO_ASSERT(store->db != NULL);
    FO_ASSERT(store->schema_version >= 0);
    *out = store;
    return FO_OK;
}

void fo_store_close(struct fo_store *store)
{
    if (store == NULL) {
        return;
    }
    for (size_t index = 0; index < FO_SQL_STATEMENT_COUNT; index++) {
        sqlite3_finalize(store->statements[index]);
        store->statements[index] = NULL;
    }
    /* Every statement is finalized, so the close cannot be deferred; an open transaction
     * is rolled back by SQLite. */
    int rc = sqlite3_close(store->db);
    if (rc != SQLITE_OK) {
        fo_sql_fail(store, "close", rc);
    }
    free(store->writer_caches);
    free(store);
}

int64_t fo_store_schema_version(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->schema_version >= 0);
    return store->schema_version;
}

enum fo_err fo_store_checkpoint(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->db != NULL);
    int log_frames = 0;
    int copied_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                       &copied_frames);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        return FO_OK; /* Another checkpoint holds the lock: the next round catches up. */
    }
    if (rc != SQLITE_OK) {
        fo_log(FO_LOG_ERROR, "store.error",
               "op=checkpoint sqlite=%s detail=\"%s\" action=\"the write-ahead log keeps "
               "growing until this succeeds; check free space and permissions\"",
               sqlite3_errstr(rc), sqlite3_errmsg(store->db));
        return FO_ERR_UNAVAILABLE;
    }
    FO_ASSERT(copied_frames <= log_frames || log_frames < 0);
    return FO_OK;
}
