/* Transactions of the SQLite store (store.h, "Transactions"):
 *
 *     batch      BEGIN IMMEDIATE ... COMMIT       one write transaction, one fsync (WAL,
 *                                                 synchronous=FULL): group commit
 *     command    SAVEPOINT cmd ... RELEASE cmd    keep: the command's writes join the batch
 *                ROLLBACK TO cmd; RELEASE cmd     undo: exactly the command's writes vanish,
 *                                                 the batch and its other commands stay
 *     bare       nothing; a mark of               the writer's first try: keep, or
 *                sqlite3_total_changes64          refuse having changed no row; a refusal
 *                                                 after a change needs the batch undone
 *     read       BEGIN DEFERRED ... COMMIT        one snapshot for several reads
 *
 * BEGIN IMMEDIATE takes the write lock at once (waiting up to the busy timeout), so a
 * batch never fails half-way for want of the lock. Command scopes nest (store.h: the HTTP
 * layer stores an idempotent answer in the scope around a command's own), and so do read
 * snapshots (only the outermost BEGINs). Other nesting is a programmer error and is
 * asserted: no batch inside a batch or a read, no command inside a read. A command outside
 * a batch is its own transaction (SAVEPOINT then behaves as BEGIN).
 *
 * Some SQLite errors (disk full, I/O error) roll the whole transaction back by
 * themselves; the functions here notice that (sqlite3_get_autocommit) and report it as
 * FO_ERR_UNAVAILABLE rather than pretending the batch can still commit. */
#include "store/store_sqlite.h"

#include "core/assert.h"
#include "log.h"

static enum fo_err run(struct fo_store *store, enum fo_sql_statement statement, const char *op)
{
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, statement, op, &query);
    if (err != FO_OK) {
        return err;
    }
    return fo_sql_exec(&query);
}

/* True when SQLite has no transaction open although we think one is. */
static bool transaction_lost(struct fo_store *store, const char *op)
{
    if (!sqlite3_get_autocommit(store->db)) {
        return false;
    }
    fo_store_caches_forget(store);
    fo_log(FO_LOG_ERROR, "store.error",
           "op=%s sqlite=rolled_back detail=\"SQLite rolled the transaction back after an "
           "earlier error\" action=\"the batch is lost and was not answered; retry it\"",
           op);
    return true;
}

enum fo_err fo_store_batch_begin(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(!store->in_batch);
    FO_ASSERT(store->command_depth == 0);
    FO_ASSERT(store->read_depth == 0);

    enum fo_err err = run(store, FO_SQL_BEGIN_IMMEDIATE, "batch_begin");
    store->in_batch = err == FO_OK;
    return err;
}

enum fo_err fo_store_batch_commit(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->in_batch);
    FO_ASSERT(store->command_depth == 0);

    if (transaction_lost(store, "batch_commit")) {
        store->in_batch = false;
        return FO_ERR_UNAVAILABLE;
    }
    enum fo_err err = run(store, FO_SQL_COMMIT, "batch_commit");
    /* A failed COMMIT may leave the transaction open: the caller rolls it back. */
    store->in_batch = err != FO_OK && !sqlite3_get_autocommit(store->db);
    return err;
}

void fo_store_batch_rollback(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->read_depth == 0);

    if (!sqlite3_get_autocommit(store->db)) {
        (void)run(store, FO_SQL_ROLLBACK, "batch_rollback");
    }
    fo_store_caches_forget(store);
    store->in_batch = false;
    store->command_depth = 0;
    FO_ASSERT(sqlite3_get_autocommit(store->db));
}

enum fo_err fo_store_command_begin(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->command_depth < FO_SQL_COMMAND_DEPTH_MAX);
    FO_ASSERT(store->read_depth == 0);

    if ((store->in_batch || store->command_depth > 0) && transaction_lost(store, "command_begin")) {
        return FO_ERR_UNAVAILABLE;
    }
    enum fo_err err = run(store, FO_SQL_SAVEPOINT, "command_begin");
    if (err == FO_OK) {
        store->command_depth++;
    }
    return err;
}

/* ROLLBACK TO then RELEASE: undo the command's writes and close its savepoint. */
static enum fo_err command_undo(struct fo_store *store)
{
    fo_store_caches_forget(store);
    enum fo_err err = run(store, FO_SQL_ROLLBACK_TO, "command_undo");
    if (err != FO_OK) {
        return err;
    }
    return run(store, FO_SQL_RELEASE, "command_undo_release");
}

enum fo_err fo_store_command_end(struct fo_store *store, bool keep)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->command_depth > 0);

    store->command_depth--;
    if (transaction_lost(store, "command_end")) {
        return FO_ERR_UNAVAILABLE;
    }
    if (!keep) {
        return command_undo(store);
    }
    enum fo_err err = run(store, FO_SQL_RELEASE, "command_keep");
    if (err != FO_OK && !sqlite3_get_autocommit(store->db)) {
        /* Outside a batch RELEASE is the commit; if it failed, undo rather than leave the
         * command's writes pending. Inside a batch RELEASE does not fail. */
        (void)command_undo(store);
    }
    return err;
}

enum fo_err fo_store_bare_begin(struct fo_store *store, int64_t *out_mark)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out_mark != NULL);
    FO_ASSERT(store->in_batch);
    FO_ASSERT(store->command_depth == 0);
    FO_ASSERT(store->read_depth == 0);

    /* Without a transaction the command's statements would each commit on their own. */
    if (transaction_lost(store, "bare_begin")) {
        return FO_ERR_UNAVAILABLE;
    }
    *out_mark = sqlite3_total_changes64(store->db);
    return FO_OK;
}

enum fo_err fo_store_bare_end(struct fo_store *store, int64_t mark, bool keep,
                              bool *out_undo_needed)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out_undo_needed != NULL);
    FO_ASSERT(store->in_batch);
    FO_ASSERT(store->command_depth == 0);

    *out_undo_needed = false;
    if (transaction_lost(store, "bare_end")) {
        return FO_ERR_UNAVAILABLE;
    }
    /* Counts every row a statement inserted, updated or deleted (triggers' too), also
     * rows a nested scope later undid: a refusal that changed nothing moves it not. */
    int64_t changes = sqlite3_total_changes64(store->db);
    FO_ASSERT(changes >= mark);
    *out_undo_needed = !keep && changes != mark;
    return FO_OK;
}

enum fo_err fo_store_read_begin(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(!store->in_batch);
    FO_ASSERT(store->command_depth == 0);

    if (store->read_depth > 0) {
        store->read_depth++;
        return FO_OK;
    }
    enum fo_err err = run(store, FO_SQL_BEGIN_DEFERRED, "read_begin");
    store->read_depth = err == FO_OK ? 1 : 0;
    return err;
}

void fo_store_read_end(struct fo_store *store)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->read_depth > 0);

    store->read_depth--;
    if (store->read_depth > 0) {
        return;
    }
    fo_store_ledger_orders_stop(store); /* A pass ends with its snapshot. */
    if (sqlite3_get_autocommit(store->db)) {
        return;
    }
    if (run(store, FO_SQL_COMMIT, "read_end") != FO_OK) {
        (void)run(store, FO_SQL_ROLLBACK, "read_end_rollback");
    }
}
