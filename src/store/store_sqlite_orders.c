/* Orders in the SQLite store (store.h, "Orders").
 *
 * One row per order (schema/0001_init.sql): the terms fixed at placement, the mutable
 * fields (state, delivered, updated_at, lease, settlement) and a reference to the immutable
 * policy row that is the order's policy snapshot, joined back on every read. The struct's
 * conventions map to the row as follows: lease_expires_at_unix_ms 0 <-> NULL, settled false
 * <-> all settlement columns NULL, the settlement reason <-> its API text. The schema checks
 * what the order must satisfy (delivered within 0..quantity and never decreasing, amount =
 * quantity * unit price, lease exactly while executing, settlement exactly when terminal
 * with charged + fee + refund = amount, legal transitions only); a write that breaks one is
 * refused with FO_ERR_INTERNAL, so the store never holds an order fo_order_check rejects.
 *
 * Workload: placement inserts one row and four index entries (table, id, buyer, open);
 * each state change moves the order within the partial indexes (open, leases, cancelled)
 * that contain only the orders a query can want. */
#include <string.h>

#include "core/assert.h"
#include "log.h"
#include "store/store_sqlite.h"

/* The settlement reasons' API texts, from the one table in core/order.h. */
static const char *const reason_names[FO_REASON_COUNT] = {
#define REASON_NAME(name, text) text,
    FO_REASON_TABLE(REASON_NAME)
#undef REASON_NAME
};

static const char *reason_text(enum fo_reason reason)
{
    FO_ASSERT((int)reason >= 0 && reason < FO_REASON_COUNT);
    return reason_names[reason];
}

/* The schema admits only known reason texts, so an unknown one is a broken database. */
static enum fo_reason reason_parse(const char *text)
{
    for (int index = 0; index < FO_REASON_COUNT; index++) {
        if (strcmp(reason_names[index], text) == 0) {
            return (enum fo_reason)index;
        }
    }
    FO_ASSERT(!"settlement_reason holds an unknown reason");
    return FO_REASON_NONE;
}

/* Reads settlement_reason .. settled_at_unix_ms of the current row. */
static void read_settlement(struct fo_sql_query *query, struct fo_order *out)
{
    out->settled = !fo_sql_column_is_null(query);
    char reason[64];
    fo_sql_column_text(query, reason, sizeof reason);
    out->settlement.reason = out->settled ? reason_parse(reason) : FO_REASON_NONE;
    out->settlement.split.charged_minor = fo_sql_column_int64(query);
    out->settlement.split.fee_minor = fo_sql_column_int64(query);
    out->settlement.split.refund_minor = fo_sql_column_int64(query);
    out->settlement.at_unix_ms = fo_sql_column_int64(query);
}

/* Reads a row of ORDER_SELECT (store_sqlite_sql.c). */
static void read_order(struct fo_sql_query *query, void *element)
{
    struct fo_order *out = element;
    memset(out, 0, sizeof *out);
    out->seq = fo_sql_column_int64(query);
    fo_sql_column_text(query, out->id, sizeof out->id);
    fo_sql_column_text(query, out->buyer_id, sizeof out->buyer_id);
    fo_sql_column_text(query, out->service_id, sizeof out->service_id);
    fo_sql_column_text(query, out->supplier_id, sizeof out->supplier_id);
    out->quantity = fo_sql_column_int64(query);
    out->delivered = fo_sql_column_int64(query);
    out->unit_price_minor = fo_sql_column_int64(query);
    out->amount_minor = fo_sql_column_int64(query);
    fo_sql_column_text(query, out->currency, sizeof out->currency);
    fo_sql_column_text(query, out->target, sizeof out->target);
    out->state = (enum fo_state)fo_sql_column_int64(query);
    out->placed_at_unix_ms = fo_sql_column_int64(query);
    out->updated_at_unix_ms = fo_sql_column_int64(query);
    out->lease_expires_at_unix_ms = fo_sql_column_int64(query); /* NULL reads as 0. */
    read_settlement(query, out);
    /* Only the policy's id here: attach_policies fills the rest once the rows are read. */
    fo_sql_column_text(query, out->policy.id, sizeof out->policy.id);

    FO_ASSERT(out->seq > 0);
    FO_ASSERT(out->delivered >= 0 && out->delivered <= out->quantity);
    FO_ASSERT(out->settled == (out->state >= FO_STATE_COMPLETED));
    FO_ASSERT(!out->settled || out->settlement.split.charged_minor +
                                       out->settlement.split.fee_minor +
                                       out->settlement.split.refund_minor ==
                                   out->amount_minor);
}

/* Binds lease_expires_at .. settled_at (the tail of both INSERT and UPDATE). */
static void bind_lease_and_settlement(struct fo_sql_query *query, const struct fo_order *order)
{
    if (order->lease_expires_at_unix_ms != 0) {
        fo_sql_bind_int64(query, order->lease_expires_at_unix_ms);
    } else {
        fo_sql_bind_null(query);
    }
    if (!order->settled) {
        for (int column = 0; column < 5; column++) {
            fo_sql_bind_null(query);
        }
        return;
    }
    fo_sql_bind_text(query, reason_text(order->settlement.reason));
    fo_sql_bind_int64(query, order->settlement.split.charged_minor);
    fo_sql_bind_int64(query, order->settlement.split.fee_minor);
    fo_sql_bind_int64(query, order->settlement.split.refund_minor);
    fo_sql_bind_int64(query, order->settlement.at_unix_ms);
}

/* 1 for the states that count against a supplier's capacity (queued, executing). */
static int64_t in_flight(enum fo_state state)
{
    return state == FO_STATE_QUEUED || state == FO_STATE_EXECUTING ? 1 : 0;
}

static int64_t pending(enum fo_state state)
{
    return state == FO_STATE_PENDING ? 1 : 0;
}

enum fo_err fo_store_order_insert(struct fo_store *store, struct fo_order *order)
{
    FO_ASSERT(order != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_ORDER_INSERT, "order_insert", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, order->id);
    fo_sql_bind_text(&query, order->buyer_id);
    fo_sql_bind_text(&query, order->service_id);
    fo_sql_bind_text(&query, order->supplier_id);
    fo_sql_bind_text(&query, order->policy.id);
    fo_sql_bind_int64(&query, order->quantity);
    fo_sql_bind_int64(&query, order->delivered);
    fo_sql_bind_int64(&query, order->unit_price_minor);
    fo_sql_bind_int64(&query, order->amount_minor);
    fo_sql_bind_text(&query, order->currency);
    fo_sql_bind_text(&query, order->target);
    fo_sql_bind_int64(&query, (int64_t)order->state);
    fo_sql_bind_int64(&query, order->placed_at_unix_ms);
    fo_sql_bind_int64(&query, order->updated_at_unix_ms);
    bind_lease_and_settlement(&query, order);
    err = fo_sql_exec(&query);
    if (err == FO_OK) {
        order->seq = fo_sql_last_insert_seq(&query);
        fo_store_supplier_counts_follow(store, order->supplier_id, in_flight(order->state),
                                        pending(order->state));
    }
    return err;
}

enum fo_err fo_store_order_update(struct fo_store *store, const struct fo_order *order,
                                  enum fo_state from)
{
    FO_ASSERT(order != NULL);
    /* Found by its row (the order was read from the store), checked by its id. */
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_ORDER_UPDATE, "order_update", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, order->id);
    fo_sql_bind_int64(&query, (int64_t)order->state);
    fo_sql_bind_int64(&query, order->delivered);
    fo_sql_bind_int64(&query, order->updated_at_unix_ms);
    bind_lease_and_settlement(&query, order);
    fo_sql_bind_int64(&query, order->seq);
    err = fo_sql_exec(&query);
    if (err == FO_OK && fo_sql_changes(&query) == 0) {
        return FO_ERR_NOT_FOUND;
    }
    if (err == FO_OK) {
        fo_store_supplier_counts_follow(store, order->supplier_id,
                                        in_flight(order->state) - in_flight(from),
                                        pending(order->state) - pending(from));
    }
    return err;
}

/* The policy snapshot of a policy id (fo_store_policy_get caches it). */
static enum fo_err policy_cached(struct fo_store *store, const char *policy_id,
                                 struct fo_policy *out)
{
    enum fo_err err = fo_store_policy_get(store, policy_id, out);
    /* A missing policy breaks a foreign key of the schema: not a caller's mistake. */
    if (err == FO_ERR_NOT_FOUND) {
        fo_log(FO_LOG_ERROR, "store.error",
               "op=order_policy policy_id=%s detail=\"an order names a policy that does not "
               "exist\" action=\"run 'fairorder verify' on the database; report this line\"",
               policy_id);
        err = FO_ERR_INTERNAL;
    }
    return err;
}

/* Fill the policy snapshot of orders read with only their policy id. */
static enum fo_err attach_policies(struct fo_store *store, struct fo_order *orders, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        char policy_id[FO_ID_BYTES];
        memcpy(policy_id, orders[index].policy.id, sizeof policy_id);
        enum fo_err err = policy_cached(store, policy_id, &orders[index].policy);
        if (err != FO_OK) {
            return err;
        }
    }
    return FO_OK;
}

/* fo_sql_rows for orders, with their policies. */
static enum fo_err order_rows(struct fo_sql_query *query, struct fo_order *out, size_t max,
                              size_t *out_count)
{
    struct fo_store *store = query->store;
    enum fo_err err = fo_sql_rows(query, out, sizeof *out, max, out_count, read_order);
    if (err == FO_OK) {
        err = attach_policies(store, out, *out_count);
    }
    if (err != FO_OK) {
        *out_count = 0;
    }
    return err;
}

enum fo_err fo_store_order_get(struct fo_store *store, const char *order_id, struct fo_order *out)
{
    FO_ASSERT(order_id != NULL);
    FO_ASSERT(out != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_ORDER_GET, "order_get", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, order_id);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        read_order(&query, out);
    }
    fo_sql_end(&query);
    return err == FO_OK ? attach_policies(store, out, 1) : err;
}

/* One statement per filter shape, each served by its own index or rowid range. */
static enum fo_sql_statement list_statement(const struct fo_order_filter *filter)
{
    if (filter->buyer_id != NULL) {
        return filter->has_state ? FO_SQL_ORDER_LIST_BUYER_STATE : FO_SQL_ORDER_LIST_BUYER;
    }
    return filter->has_state ? FO_SQL_ORDER_LIST_STATE : FO_SQL_ORDER_LIST_ALL;
}

enum fo_err fo_store_order_list(struct fo_store *store, const struct fo_order_filter *filter,
                                struct fo_order *out, size_t max, size_t *out_count)
{
    FO_ASSERT(filter != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, list_statement(filter), "order_list", &query);
    if (err != FO_OK) {
        return err;
    }
    if (filter->buyer_id != NULL) {
        fo_sql_bind_text(&query, filter->buyer_id);
    }
    if (filter->has_state) {
        fo_sql_bind_int64(&query, (int64_t)filter->state);
    }
    fo_sql_bind_int64(&query, fo_sql_before_seq(filter->before_seq));
    fo_sql_bind_limit(&query, max);
    return order_rows(&query, out, max, out_count);
}

/* A supplier's open orders in one state, oldest first. */
static enum fo_err oldest_in_state(struct fo_store *store, const char *supplier_id,
                                   enum fo_state state, const char *op, struct fo_order *out,
                                   size_t max, size_t *out_count)
{
    FO_ASSERT(supplier_id != NULL);
    FO_ASSERT(state == FO_STATE_PENDING || state == FO_STATE_QUEUED || state == FO_STATE_EXECUTING);
    enum fo_sql_statement statement = FO_SQL_ORDER_OLDEST_EXECUTING;
    if (state == FO_STATE_PENDING) {
        statement = FO_SQL_ORDER_OLDEST_PENDING;
    } else if (state == FO_STATE_QUEUED) {
        statement = FO_SQL_ORDER_OLDEST_QUEUED;
    }
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, statement, op, &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, supplier_id);
    fo_sql_bind_limit(&query, max);
    return order_rows(&query, out, max, out_count);
}

enum fo_err fo_store_order_oldest(struct fo_store *store, const char *supplier_id,
                                  enum fo_state state, struct fo_order *out, size_t max,
                                  size_t *out_count)
{
    FO_ASSERT(state == FO_STATE_PENDING || state == FO_STATE_QUEUED);
    return oldest_in_state(store, supplier_id, state, "order_oldest", out, max, out_count);
}

enum fo_err fo_store_order_executing(struct fo_store *store, const char *supplier_id,
                                     struct fo_order *out, size_t max, size_t *out_count)
{
    return oldest_in_state(store, supplier_id, FO_STATE_EXECUTING, "order_executing", out, max,
                           out_count);
}

enum fo_err fo_store_order_expired(struct fo_store *store, int64_t now_unix_ms,
                                   struct fo_order *out, size_t max, size_t *out_count)
{
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_ORDER_EXPIRED, "order_expired", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_int64(&query, now_unix_ms);
    fo_sql_bind_limit(&query, max);
    return order_rows(&query, out, max, out_count);
}

enum fo_err fo_store_order_scan(struct fo_store *store, int64_t after_seq, struct fo_order *out,
                                size_t max, size_t *out_count)
{
    FO_ASSERT(after_seq >= 0);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_ORDER_SCAN, "order_scan", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_int64(&query, after_seq);
    fo_sql_bind_limit(&query, max);
    return order_rows(&query, out, max, out_count);
}

enum fo_err fo_store_cancels_count(struct fo_store *store, const char *buyer_id,
                                   int64_t since_exclusive_unix_ms, int64_t until_inclusive_unix_ms,
                                   int64_t count_max, int64_t *out_count)
{
    FO_ASSERT(buyer_id != NULL);
    FO_ASSERT(out_count != NULL);
    FO_ASSERT(count_max >= 1);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_CANCELS_COUNT, "cancels_count", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, buyer_id);
    fo_sql_bind_int64(&query, since_exclusive_unix_ms);
    fo_sql_bind_int64(&query, until_inclusive_unix_ms);
    fo_sql_bind_int64(&query, count_max);
    err = fo_sql_scalar(&query, out_count);
    FO_ASSERT(err != FO_ERR_NOT_FOUND); /* COUNT(*) always answers one row. */
    FO_ASSERT(err != FO_OK || (*out_count >= 0 && *out_count <= count_max));
    return err;
}
