/* The SQLite backend's one way to run a statement (store_sqlite.h, struct fo_sql_query):
 * lazy preparation, ordered binding and column reading, and the translation of SQLite's
 * result codes into enum fo_err at the boundary.
 *
 * Invariants: a statement is prepared at most once per connection (SQLITE_PREPARE_PERSISTENT)
 * and is reset and unbound by fo_sql_end after every use, so no statement holds a read
 * transaction open or a pointer into a caller's buffer between calls. Every SQLite error is
 * logged exactly once, here, with SQLite's message and what the operator should do; the
 * callers only pass the fo_err on. Binding every parameter and reading only existing columns
 * are programmer duties, asserted. */
#include "store/store_sqlite.h"

#include <limits.h>
#include <string.h>

#include "core/assert.h"
#include "log.h"

static bool code_is_unavailable(int rc)
{
    int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN ||
           primary == SQLITE_IOERR || primary == SQLITE_FULL;
}

static const char *code_advice(int rc)
{
    if (code_is_unavailable(rc)) {
        return "the database is busy or its disk failed; the request may be retried; if this "
               "persists check free space, permissions and other processes using the file";
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        return "a write broke a schema invariant and was refused (nothing of it was kept); "
               "this is a bug: report this line with the request that caused it";
    }
    return "unexpected database error: report this line; run 'fairorder verify' on the "
           "database before trusting it again";
}

enum fo_err fo_sql_fail(struct fo_store *store, const char *op, int rc)
{
    FO_ASSERT(op != NULL);
    FO_ASSERT(rc != SQLITE_OK);
    FO_ASSERT(rc != SQLITE_ROW);
    FO_ASSERT(rc != SQLITE_DONE);

    const char *detail = sqlite3_errstr(rc);
    if (store != NULL && store->db != NULL) {
        detail = sqlite3_errmsg(store->db);
    }
    fo_log(FO_LOG_ERROR, "store.error", "op=%s sqlite=%s code=%d detail=\"%s\" action=\"%s\"", op,
           sqlite3_errstr(rc), rc, detail, code_advice(rc));
    return code_is_unavailable(rc) ? FO_ERR_UNAVAILABLE : FO_ERR_INTERNAL;
}

enum fo_err fo_sql_begin(struct fo_store *store, enum fo_sql_statement statement, const char *op,
                         struct fo_sql_query *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(store->db != NULL);
    FO_ASSERT((int)statement >= 0 && statement < FO_SQL_STATEMENT_COUNT);
    FO_ASSERT(out != NULL);

    sqlite3_stmt *prepared = store->statements[statement];
    if (prepared == NULL) {
        int rc = sqlite3_prepare_v3(store->db, fo_sql_text(statement), -1,
                                    SQLITE_PREPARE_PERSISTENT, &prepared, NULL);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(prepared);
            return fo_sql_fail(store, op, rc);
        }
        FO_ASSERT(prepared != NULL);
        store->statements[statement] = prepared;
    }
    out->store = store;
    out->statement = prepared;
    out->op = op;
    out->bind_index = 1;
    out->column_index = 0;
    out->rc = SQLITE_OK;
    return FO_OK;
}

/* Record the result of binding the current parameter and move to the next. */
static void bind_done(struct fo_sql_query *query, int rc)
{
    if (rc != SQLITE_OK && query->rc == SQLITE_OK) {
        query->rc = rc;
    }
    query->bind_index++;
}

static void bind_check(const struct fo_sql_query *query)
{
    FO_ASSERT(query != NULL);
    FO_ASSERT(query->statement != NULL);
    FO_ASSERT(query->bind_index <= sqlite3_bind_parameter_count(query->statement));
}

void fo_sql_bind_int64(struct fo_sql_query *query, int64_t value)
{
    bind_check(query);
    bind_done(query, sqlite3_bind_int64(query->statement, query->bind_index, (sqlite3_int64)value));
}

void fo_sql_bind_bool(struct fo_sql_query *query, bool value)
{
    fo_sql_bind_int64(query, value ? 1 : 0);
}

void fo_sql_bind_text(struct fo_sql_query *query, const char *text)
{
    bind_check(query);
    FO_ASSERT(text != NULL);
    bind_done(query,
              sqlite3_bind_text(query->statement, query->bind_index, text, -1, SQLITE_STATIC));
}

void fo_sql_bind_text_or_null(struct fo_sql_query *query, const char *text)
{
    if (text == NULL || text[0] == '\0') {
        fo_sql_bind_null(query);
        return;
    }
    fo_sql_bind_text(query, text);
}

void fo_sql_bind_blob(struct fo_sql_query *query, const void *data, size_t bytes)
{
    bind_check(query);
    FO_ASSERT(bytes <= (size_t)INT_MAX);
    if (bytes == 0) {
        /* A zero-length blob, not NULL (sqlite3_bind_blob binds NULL for a NULL pointer). */
        bind_done(query, sqlite3_bind_zeroblob(query->statement, query->bind_index, 0));
        return;
    }
    FO_ASSERT(data != NULL);
    bind_done(query, sqlite3_bind_blob(query->statement, query->bind_index, data, (int)bytes,
                                       SQLITE_STATIC));
}

void fo_sql_bind_null(struct fo_sql_query *query)
{
    bind_check(query);
    bind_done(query, sqlite3_bind_null(query->statement, query->bind_index));
}

enum fo_err fo_sql_step(struct fo_sql_query *query, bool *out_row)
{
    FO_ASSERT(query != NULL);
    FO_ASSERT(out_row != NULL);
    /* Every parameter bound, none twice. */
    FO_ASSERT(query->bind_index == sqlite3_bind_parameter_count(query->statement) + 1);

    *out_row = false;
    if (query->rc != SQLITE_OK) {
        return fo_sql_fail(query->store, query->op, query->rc);
    }
    query->column_index = 0;
    int rc = sqlite3_step(query->statement);
    if (rc == SQLITE_ROW) {
        *out_row = true;
        return FO_OK;
    }
    if (rc == SQLITE_DONE) {
        return FO_OK;
    }
    query->rc = rc;
    return fo_sql_fail(query->store, query->op, rc);
}

enum fo_err fo_sql_exec(struct fo_sql_query *query)
{
    bool row = false;
    enum fo_err err = fo_sql_step(query, &row);
    FO_ASSERT(!row); /* Statements run by fo_sql_exec return no rows. */
    fo_sql_end(query);
    return err;
}

enum fo_err fo_sql_row(struct fo_sql_query *query)
{
    bool row = false;
    enum fo_err err = fo_sql_step(query, &row);
    if (err != FO_OK) {
        return err;
    }
    return row ? FO_OK : FO_ERR_NOT_FOUND;
}

void fo_sql_end(struct fo_sql_query *query)
{
    FO_ASSERT(query != NULL);
    FO_ASSERT(query->statement != NULL);
    /* sqlite3_reset repeats the error of the last step, already reported by fo_sql_step. */
    (void)sqlite3_reset(query->statement);
    (void)sqlite3_clear_bindings(query->statement);
    query->statement = NULL;
}

int64_t fo_sql_changes(const struct fo_sql_query *query)
{
    FO_ASSERT(query != NULL);
    FO_ASSERT(query->store != NULL);
    return (int64_t)sqlite3_changes64(query->store->db);
}

/* The index of the next column, asserting that the row has it. */
static int column_next(struct fo_sql_query *query)
{
    FO_ASSERT(query != NULL);
    FO_ASSERT(query->statement != NULL);
    FO_ASSERT(query->column_index < sqlite3_column_count(query->statement));
    return query->column_index++;
}

int64_t fo_sql_column_int64(struct fo_sql_query *query)
{
    int column = column_next(query);
    return (int64_t)sqlite3_column_int64(query->statement, column);
}

bool fo_sql_column_is_null(const struct fo_sql_query *query)
{
    FO_ASSERT(query != NULL);
    FO_ASSERT(query->column_index < sqlite3_column_count(query->statement));
    return sqlite3_column_type(query->statement, query->column_index) == SQLITE_NULL;
}

bool fo_sql_column_bool(struct fo_sql_query *query)
{
    int64_t value = fo_sql_column_int64(query);
    FO_ASSERT(value == 0 || value == 1);
    return value == 1;
}

void fo_sql_column_text(struct fo_sql_query *query, char *dst, size_t dst_bytes)
{
    FO_ASSERT(dst != NULL);
    FO_ASSERT(dst_bytes > 0);
    int column = column_next(query);
    const unsigned char *text = sqlite3_column_text(query->statement, column);
    int bytes = sqlite3_column_bytes(query->statement, column);
    FO_ASSERT(bytes >= 0);
    if (text == NULL) {
        dst[0] = '\0';
        return;
    }
    FO_ASSERT((size_t)bytes < dst_bytes);
    memcpy(dst, text, (size_t)bytes);
    dst[bytes] = '\0';
}

size_t fo_sql_column_blob(struct fo_sql_query *query, void *dst, size_t dst_bytes)
{
    FO_ASSERT(dst != NULL);
    int column = column_next(query);
    const void *data = sqlite3_column_blob(query->statement, column);
    int bytes = sqlite3_column_bytes(query->statement, column);
    FO_ASSERT(bytes >= 0);
    FO_ASSERT((size_t)bytes <= dst_bytes);
    if (data != NULL && bytes > 0) {
        memcpy(dst, data, (size_t)bytes);
    }
    return (size_t)bytes;
}

int64_t fo_sql_last_insert_seq(const struct fo_sql_query *query)
{
    FO_ASSERT(query != NULL);
    FO_ASSERT(query->store != NULL);
    int64_t seq = (int64_t)sqlite3_last_insert_rowid(query->store->db);
    FO_ASSERT(seq > 0);
    return seq;
}

enum fo_err fo_sql_scalar(struct fo_sql_query *query, int64_t *out)
{
    FO_ASSERT(out != NULL);
    enum fo_err err = fo_sql_row(query);
    if (err == FO_OK) {
        *out = fo_sql_column_int64(query);
    }
    fo_sql_end(query);
    return err;
}

void fo_sql_bind_limit(struct fo_sql_query *query, size_t max)
{
    FO_ASSERT(max <= (size_t)INT64_MAX);
    fo_sql_bind_int64(query, (int64_t)max);
}

enum fo_err fo_sql_rows(struct fo_sql_query *query, void *out, size_t element_bytes, size_t max,
                        size_t *out_count, void (*read)(struct fo_sql_query *query, void *element))
{
    FO_ASSERT(out != NULL || max == 0);
    FO_ASSERT(element_bytes > 0);
    FO_ASSERT(out_count != NULL);
    FO_ASSERT(read != NULL);

    unsigned char *elements = out;
    size_t count = 0;
    enum fo_err err = FO_OK;
    /* Bounded by max (and by the statement's LIMIT, which callers bind to max). */
    while (count < max) {
        bool row = false;
        err = fo_sql_step(query, &row);
        if (err != FO_OK || !row) {
            break;
        }
        read(query, elements + count * element_bytes);
        count++;
    }
    fo_sql_end(query);
    *out_count = err == FO_OK ? count : 0;
    FO_ASSERT(*out_count <= max);
    return err;
}

void fo_sql_copy_text(char *dst, size_t dst_bytes, const char *text)
{
    FO_ASSERT(dst != NULL);
    FO_ASSERT(text != NULL);
    size_t bytes = strlen(text);
    FO_ASSERT(bytes < dst_bytes);
    memcpy(dst, text, bytes + 1);
}

int64_t fo_sql_before_seq(int64_t before_seq)
{
    FO_ASSERT(before_seq >= 0);
    return before_seq == 0 ? INT64_MAX : before_seq;
}
