/* Buyers, suppliers, policies and services in the SQLite store (store.h).
 *
 * These rows change rarely (admin actions) except a buyer's two balances, which every
 * money command writes: fo_store_buyer_put_balances is one UPDATE by the buyer's row,
 * checked by its id, and touches no index (the balances are not indexed). The schema's CHECKs keep
 * 0 <= available <= FO_BALANCE_MINOR_MAX and held >= 0 (DESIGN.md invariant 1): a command
 * that would break them gets FO_ERR_INTERNAL and its write is refused. Policies are
 * immutable (a trigger refuses UPDATE and DELETE), so the row an order references is its
 * policy snapshot forever. A supplier's in-flight count (queued + executing orders) and
 * pending count are counted through three partial indexes, and the writer's connection
 * keeps the counts it read current as it writes orders (store_sqlite.h, schema/0005). */
#include <stddef.h>
#include <string.h>

#include "core/assert.h"
#include "store/store_sqlite.h"

/* --- Buyers ---------------------------------------------------------------------------- */

static void read_buyer(struct fo_sql_query *query, void *element)
{
    struct fo_buyer *out = element;
    memset(out, 0, sizeof *out);
    out->seq = fo_sql_column_int64(query);
    fo_sql_column_text(query, out->id, sizeof out->id);
    fo_sql_column_text(query, out->name, sizeof out->name);
    fo_sql_column_text(query, out->currency, sizeof out->currency);
    out->available_minor = fo_sql_column_int64(query);
    out->held_minor = fo_sql_column_int64(query);
    out->created_at_unix_ms = fo_sql_column_int64(query);
    FO_ASSERT(out->seq > 0);
    FO_ASSERT(out->available_minor >= 0 && out->held_minor >= 0);
}

enum fo_err fo_store_buyer_insert(struct fo_store *store, const struct fo_buyer *buyer)
{
    FO_ASSERT(buyer != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_BUYER_INSERT, "buyer_insert", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, buyer->id);
    fo_sql_bind_text(&query, buyer->name);
    fo_sql_bind_text(&query, buyer->currency);
    fo_sql_bind_int64(&query, buyer->available_minor);
    fo_sql_bind_int64(&query, buyer->held_minor);
    fo_sql_bind_int64(&query, buyer->created_at_unix_ms);
    return fo_sql_exec(&query);
}

enum fo_err fo_store_buyer_get(struct fo_store *store, const char *buyer_id, struct fo_buyer *out)
{
    FO_ASSERT(buyer_id != NULL);
    FO_ASSERT(out != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_BUYER_GET, "buyer_get", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, buyer_id);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        read_buyer(&query, out);
    }
    fo_sql_end(&query);
    return err;
}

enum fo_err fo_store_buyer_put_balances(struct fo_store *store, const struct fo_buyer *buyer,
                                        int64_t available_minor, int64_t held_minor)
{
    FO_ASSERT(buyer != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_BUYER_PUT_BALANCES, "buyer_put_balances", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, buyer->id);
    fo_sql_bind_int64(&query, available_minor);
    fo_sql_bind_int64(&query, held_minor);
    fo_sql_bind_int64(&query, buyer->seq);
    err = fo_sql_exec(&query);
    if (err == FO_OK && fo_sql_changes(&query) == 0) {
        return FO_ERR_NOT_FOUND;
    }
    return err;
}

enum fo_err fo_store_buyer_scan(struct fo_store *store, int64_t after_seq, struct fo_buyer *out,
                                size_t max, size_t *out_count)
{
    FO_ASSERT(after_seq >= 0);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_BUYER_SCAN, "buyer_scan", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_int64(&query, after_seq);
    fo_sql_bind_limit(&query, max);
    return fo_sql_rows(&query, out, sizeof *out, max, out_count, read_buyer);
}

/* --- Suppliers ------------------------------------------------------------------------- */

static void read_supplier(struct fo_sql_query *query, void *element)
{
    struct fo_supplier *out = element;
    memset(out, 0, sizeof *out);
    out->seq = fo_sql_column_int64(query);
    fo_sql_column_text(query, out->id, sizeof out->id);
    fo_sql_column_text(query, out->name, sizeof out->name);
    out->capacity = fo_sql_column_int64(query);
    out->lease_s = fo_sql_column_int64(query);
    out->simulate_units_per_s = fo_sql_column_int64(query);
    out->created_at_unix_ms = fo_sql_column_int64(query);
    FO_ASSERT(out->seq > 0);
    FO_ASSERT(out->capacity >= 1 && out->lease_s >= FO_LEASE_S_MIN);
}

/* Count the supplier's queued + executing and pending orders (their partial indexes). */
static enum fo_err supplier_count_orders(struct fo_store *store, struct fo_supplier *supplier)
{
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SUPPLIER_COUNTS, "supplier_counts", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, supplier->id);
    err = fo_sql_row(&query);
    FO_ASSERT(err != FO_ERR_NOT_FOUND); /* Counts are always one row. */
    if (err == FO_OK) {
        supplier->in_flight_count = fo_sql_column_int64(&query);
        supplier->pending_count = fo_sql_column_int64(&query);
        FO_ASSERT(supplier->in_flight_count >= 0);
        FO_ASSERT(supplier->pending_count >= 0);
    }
    fo_sql_end(&query);
    return err;
}

/* Count it for each of `count` suppliers read by a scan. */
static enum fo_err suppliers_count_orders(struct fo_store *store, enum fo_err err,
                                          struct fo_supplier *suppliers, size_t count)
{
    for (size_t index = 0; err == FO_OK && index < count; index++) {
        err = supplier_count_orders(store, &suppliers[index]);
    }
    return err;
}

void fo_store_supplier_counts_follow(struct fo_store *store, const char *supplier_id,
                                     int64_t in_flight_delta, int64_t pending_delta)
{
    FO_ASSERT(in_flight_delta >= -1 && in_flight_delta <= 1);
    FO_ASSERT(pending_delta >= -1 && pending_delta <= 1);
    struct fo_store_writer_caches *caches = store->writer_caches;
    if (caches == NULL || (in_flight_delta == 0 && pending_delta == 0)) {
        return;
    }
    bool hit = false;
    struct fo_supplier *row = fo_store_cache_find(
        caches->suppliers, sizeof caches->suppliers[0], offsetof(struct fo_supplier, id),
        FO_STORE_WRITER_CACHE_SLOTS, &caches->suppliers_used, supplier_id, &hit);
    /* Not cached: the next read counts, and sees this write (same transaction). */
    if (hit) {
        row->in_flight_count += in_flight_delta;
        row->pending_count += pending_delta;
        FO_ASSERT(row->in_flight_count >= 0);
        FO_ASSERT(row->pending_count >= 0);
    }
}

enum fo_err fo_store_supplier_insert(struct fo_store *store, const struct fo_supplier *supplier)
{
    FO_ASSERT(supplier != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SUPPLIER_INSERT, "supplier_insert", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, supplier->id);
    fo_sql_bind_text(&query, supplier->name);
    fo_sql_bind_int64(&query, supplier->capacity);
    fo_sql_bind_int64(&query, supplier->lease_s);
    fo_sql_bind_int64(&query, supplier->simulate_units_per_s);
    fo_sql_bind_int64(&query, supplier->created_at_unix_ms);
    return fo_sql_exec(&query);
}

enum fo_err fo_store_supplier_get(struct fo_store *store, const char *supplier_id,
                                  struct fo_supplier *out)
{
    FO_ASSERT(supplier_id != NULL);
    FO_ASSERT(out != NULL);
    struct fo_store_writer_caches *caches = store->writer_caches;
    struct fo_supplier *slot = NULL;
    if (caches != NULL) {
        bool hit = false;
        slot = fo_store_cache_find(caches->suppliers, sizeof caches->suppliers[0],
                                   offsetof(struct fo_supplier, id), FO_STORE_WRITER_CACHE_SLOTS,
                                   &caches->suppliers_used, supplier_id, &hit);
        if (hit) {
            *out = *slot;
            return FO_OK;
        }
    }
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SUPPLIER_GET, "supplier_get", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, supplier_id);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        read_supplier(&query, out);
    }
    fo_sql_end(&query);
    if (err == FO_OK) {
        err = supplier_count_orders(store, out);
    }
    if (err == FO_OK && slot != NULL) {
        *slot = *out;
        caches->suppliers_used++;
    }
    return err;
}

enum fo_err fo_store_supplier_scan_simulated(struct fo_store *store, int64_t after_seq,
                                             struct fo_supplier *out, size_t max, size_t *out_count)
{
    FO_ASSERT(after_seq >= 0);
    struct fo_sql_query query;
    enum fo_err err =
        fo_sql_begin(store, FO_SQL_SUPPLIER_SCAN_SIMULATED, "supplier_scan_simulated", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_int64(&query, after_seq);
    fo_sql_bind_limit(&query, max);
    err = fo_sql_rows(&query, out, sizeof *out, max, out_count, read_supplier);
    return suppliers_count_orders(store, err, out, *out_count);
}

/* --- Policies -------------------------------------------------------------------------- */

/* The policy columns (POLICY_COLUMNS in store_sqlite_sql.c) of the current row. */
static void read_policy(struct fo_sql_query *query, struct fo_policy *out)
{
    FO_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    fo_sql_column_text(query, out->id, sizeof out->id);
    fo_sql_column_text(query, out->name, sizeof out->name);
    out->cooling_off_s = fo_sql_column_int64(query);
    out->pending = (enum fo_pending_rule)fo_sql_column_int64(query);
    out->queued = (enum fo_queued_rule)fo_sql_column_int64(query);
    out->executing = (enum fo_executing_rule)fo_sql_column_int64(query);
    out->fee_fixed_minor = fo_sql_column_int64(query);
    out->fee_bps = fo_sql_column_int64(query);
    out->free_cancels_per_day = fo_sql_column_int64(query);
    out->created_at_unix_ms = fo_sql_column_int64(query);
    FO_ASSERT(out->id[0] != '\0');
    FO_ASSERT(out->fee_bps >= 0 && out->fee_bps <= FO_FEE_BPS_MAX);
}

enum fo_err fo_store_policy_insert(struct fo_store *store, const struct fo_policy *policy)
{
    FO_ASSERT(policy != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_POLICY_INSERT, "policy_insert", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, policy->id);
    fo_sql_bind_text(&query, policy->name);
    fo_sql_bind_int64(&query, policy->cooling_off_s);
    fo_sql_bind_int64(&query, (int64_t)policy->pending);
    fo_sql_bind_int64(&query, (int64_t)policy->queued);
    fo_sql_bind_int64(&query, (int64_t)policy->executing);
    fo_sql_bind_int64(&query, policy->fee_fixed_minor);
    fo_sql_bind_int64(&query, policy->fee_bps);
    fo_sql_bind_int64(&query, policy->free_cancels_per_day);
    fo_sql_bind_int64(&query, policy->created_at_unix_ms);
    return fo_sql_exec(&query);
}

void *fo_store_cache_find(void *rows, size_t row_bytes, size_t id_offset, size_t slots,
                          size_t *used, const char *id, bool *out_hit)
{
    FO_ASSERT(rows != NULL && used != NULL && id != NULL && out_hit != NULL);
    FO_ASSERT(*used <= slots / 4 * 3);
    size_t hash = 0;
    for (const char *c = id; *c != '\0'; c++) {
        hash = hash * 31U + (unsigned char)*c;
    }
    unsigned char *base = rows;
    size_t index = hash % slots;
    /* At most `used` rows are full, fewer than `slots`: the probe ends at an empty one. */
    for (size_t probe = 0; probe <= *used; probe++) {
        const char *row_id = (const char *)base + index * row_bytes + id_offset;
        if (row_id[0] == '\0') {
            break;
        }
        if (strcmp(row_id, id) == 0) {
            *out_hit = true;
            return base + index * row_bytes;
        }
        index = (index + 1) % slots;
    }
    *out_hit = false;
    if (*used == slots / 4 * 3) {
        memset(rows, 0, row_bytes * slots);
        *used = 0;
        index = hash % slots;
    }
    FO_ASSERT(((const char *)base + index * row_bytes + id_offset)[0] == '\0');
    return base + index * row_bytes;
}

void fo_store_caches_forget(struct fo_store *store)
{
    memset(store->policy_cache, 0, sizeof store->policy_cache);
    store->policy_cache_used = 0;
    if (store->writer_caches != NULL) {
        memset(store->writer_caches, 0, sizeof *store->writer_caches);
    }
}

enum fo_err fo_store_policy_get(struct fo_store *store, const char *policy_id,
                                struct fo_policy *out)
{
    FO_ASSERT(policy_id != NULL);
    FO_ASSERT(out != NULL);
    bool hit = false;
    struct fo_policy *slot = fo_store_cache_find(
        store->policy_cache, sizeof store->policy_cache[0], offsetof(struct fo_policy, id),
        FO_STORE_POLICY_CACHE_SLOTS, &store->policy_cache_used, policy_id, &hit);
    if (hit) {
        *out = *slot;
        return FO_OK;
    }
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_POLICY_GET, "policy_get", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, policy_id);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        read_policy(&query, out);
        *slot = *out;
        store->policy_cache_used++;
    }
    fo_sql_end(&query);
    return err;
}

/* --- Services -------------------------------------------------------------------------- */

static void read_service(struct fo_sql_query *query, void *element)
{
    struct fo_service *out = element;
    memset(out, 0, sizeof *out);
    out->seq = fo_sql_column_int64(query);
    fo_sql_column_text(query, out->id, sizeof out->id);
    fo_sql_column_text(query, out->name, sizeof out->name);
    fo_sql_column_text(query, out->unit, sizeof out->unit);
    out->unit_price_minor = fo_sql_column_int64(query);
    out->min_quantity = fo_sql_column_int64(query);
    out->max_quantity = fo_sql_column_int64(query);
    fo_sql_column_text(query, out->currency, sizeof out->currency);
    fo_sql_column_text(query, out->policy_id, sizeof out->policy_id);
    fo_sql_column_text(query, out->supplier_id, sizeof out->supplier_id);
    out->active = fo_sql_column_bool(query);
    out->created_at_unix_ms = fo_sql_column_int64(query);
    FO_ASSERT(out->seq > 0);
    FO_ASSERT(out->min_quantity >= 1 && out->min_quantity <= out->max_quantity);
}

enum fo_err fo_store_service_insert(struct fo_store *store, const struct fo_service *service)
{
    FO_ASSERT(service != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SERVICE_INSERT, "service_insert", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, service->id);
    fo_sql_bind_text(&query, service->name);
    fo_sql_bind_text(&query, service->unit);
    fo_sql_bind_int64(&query, service->unit_price_minor);
    fo_sql_bind_int64(&query, service->min_quantity);
    fo_sql_bind_int64(&query, service->max_quantity);
    fo_sql_bind_text(&query, service->currency);
    fo_sql_bind_text(&query, service->policy_id);
    fo_sql_bind_text(&query, service->supplier_id);
    fo_sql_bind_bool(&query, service->active);
    fo_sql_bind_int64(&query, service->created_at_unix_ms);
    return fo_sql_exec(&query);
}

enum fo_err fo_store_service_update(struct fo_store *store, const struct fo_service *service)
{
    FO_ASSERT(service != NULL);
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SERVICE_UPDATE, "service_update", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, service->id);
    fo_sql_bind_text(&query, service->policy_id);
    fo_sql_bind_int64(&query, service->unit_price_minor);
    fo_sql_bind_bool(&query, service->active);
    if (store->writer_caches != NULL) {
        memset(store->writer_caches->services, 0, sizeof store->writer_caches->services);
        store->writer_caches->services_used = 0;
    }
    err = fo_sql_exec(&query);
    if (err == FO_OK && fo_sql_changes(&query) == 0) {
        return FO_ERR_NOT_FOUND;
    }
    return err;
}

enum fo_err fo_store_service_get(struct fo_store *store, const char *service_id,
                                 struct fo_service *out)
{
    FO_ASSERT(service_id != NULL);
    FO_ASSERT(out != NULL);
    struct fo_store_writer_caches *caches = store->writer_caches;
    struct fo_service *slot = NULL;
    if (caches != NULL) {
        bool hit = false;
        slot = fo_store_cache_find(caches->services, sizeof caches->services[0],
                                   offsetof(struct fo_service, id), FO_STORE_WRITER_CACHE_SLOTS,
                                   &caches->services_used, service_id, &hit);
        if (hit) {
            *out = *slot;
            return FO_OK;
        }
    }
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SERVICE_GET, "service_get", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_text(&query, service_id);
    err = fo_sql_row(&query);
    if (err == FO_OK) {
        read_service(&query, out);
        if (slot != NULL) {
            *slot = *out;
            caches->services_used++;
        }
    }
    fo_sql_end(&query);
    return err;
}

enum fo_err fo_store_service_list(struct fo_store *store, bool active_only, int64_t before_seq,
                                  struct fo_service *out, size_t max, size_t *out_count)
{
    struct fo_sql_query query;
    enum fo_err err = fo_sql_begin(store, FO_SQL_SERVICE_LIST, "service_list", &query);
    if (err != FO_OK) {
        return err;
    }
    fo_sql_bind_bool(&query, active_only); /* active >= 1: active only; >= 0: all. */
    fo_sql_bind_int64(&query, fo_sql_before_seq(before_seq));
    fo_sql_bind_limit(&query, max);
    return fo_sql_rows(&query, out, sizeof *out, max, out_count, read_service);
}
