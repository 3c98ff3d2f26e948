/* The supplier's commands: claim queued jobs, report progress, complete, fail.
 *
 * A supplier only ever sees its own orders: an order of another supplier is NOT_FOUND
 * (existence is not revealed). The state rules come from core (fo_order_claim,
 * fo_order_progress, fo_order_complete, fo_order_fail); JOB_NOT_ACTIVE hands the order
 * back so the caller can tell the supplier its state and make it stop. Progress renews
 * the lease; its events are coalesced to at most one `progress` event per order per
 * second of the server's clock (events stay append-only; the order row always has the
 * latest delivered). Completion and failure settle the order and allocate the capacity
 * they free. */
#include <string.h>

#include "commands/commands.h"
#include "commands/write.h"
#include "core/assert.h"

/* The supplier's job `order_id` (NOT_FOUND when unknown or another supplier's), and the
 * supplier's lease length. */
static enum fo_err supplier_load_job(struct fo_store *store, const char *supplier_id,
                                     const char *order_id, struct fo_order *out,
                                     int64_t *out_lease_s)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(supplier_id != NULL);
    if (order_id == NULL) {
        return FO_ERR_NOT_FOUND;
    }
    enum fo_err err = fo_store_order_get(store, order_id, out);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(fo_order_check(out) == NULL);
    if (strcmp(out->supplier_id, supplier_id) != 0) {
        return FO_ERR_NOT_FOUND;
    }
    struct fo_supplier supplier;
    err = fo_store_supplier_get(store, supplier_id, &supplier);
    FO_ASSERT(err != FO_ERR_NOT_FOUND); /* The order's supplier is a foreign key. */
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(supplier.lease_s >= FO_LEASE_S_MIN);
    *out_lease_s = supplier.lease_s;
    return FO_OK;
}

/* After a core refusal: JOB_NOT_ACTIVE carries the order (error.state). */
static enum fo_err supplier_refuse(struct fo_store *store, int64_t now_unix_ms,
                                   const struct fo_order *order, enum fo_err refusal,
                                   struct fo_order_view *out)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(refusal != FO_OK);
    if (refusal == FO_ERR_JOB_NOT_ACTIVE) {
        enum fo_err err = fo_write_view(store, now_unix_ms, order, out);
        if (err != FO_OK) {
            return err;
        }
    }
    return refusal;
}

enum fo_err fo_cmd_claim(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                         int64_t max, struct fo_order *out, size_t *out_count,
                         struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(supplier_id != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(out_count != NULL);
    FO_ASSERT(detail != NULL);
    *out_count = 0;
    if (max < 1 || max > FO_CLAIM_MAX) {
        return fo_err_field_range(detail, "max", FO_FIELD_OUT_OF_RANGE, 1, FO_CLAIM_MAX);
    }
    struct fo_supplier supplier;
    enum fo_err err = fo_store_supplier_get(store, supplier_id, &supplier);
    if (err != FO_OK) {
        return err;
    }
    size_t count = 0;
    err = fo_store_order_oldest(store, supplier_id, FO_STATE_QUEUED, out, (size_t)max, &count);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(count <= (size_t)max);
    for (size_t index = 0; index < count; index++) {
        fo_order_claim(&out[index], now_unix_ms, supplier.lease_s);
        err = fo_write_order(store, &out[index], FO_STATE_QUEUED);
        if (err == FO_OK) {
            err = fo_write_event(store, &out[index], FO_EVENT_CLAIMED, FO_ACTOR_SUPPLIER, NULL,
                                 now_unix_ms);
        }
        if (err != FO_OK) {
            return err;
        }
    }
    *out_count = count;
    return FO_OK;
}

/* Append a progress event unless the order's last event is a progress event within the
 * same second of the server's clock. */
static enum fo_err supplier_progress_event(struct fo_store *store, const struct fo_order *order,
                                           int64_t now_unix_ms)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(order->state == FO_STATE_EXECUTING);
    struct fo_event last;
    enum fo_err err = fo_store_event_last(store, order->id, &last);
    if (err != FO_OK && err != FO_ERR_NOT_FOUND) {
        return err;
    }
    if (err == FO_OK && last.type == FO_EVENT_PROGRESS &&
        last.at_unix_ms / FO_PROGRESS_EVENT_INTERVAL_MS ==
            now_unix_ms / FO_PROGRESS_EVENT_INTERVAL_MS) {
        return FO_OK;
    }
    return fo_write_event(store, order, FO_EVENT_PROGRESS, FO_ACTOR_SUPPLIER, NULL, now_unix_ms);
}

enum fo_err fo_cmd_progress(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                            const char *order_id, int64_t delivered, struct fo_order_view *out,
                            struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(detail != NULL);
    struct fo_order order;
    int64_t lease_s = 0;
    enum fo_err err = supplier_load_job(store, supplier_id, order_id, &order, &lease_s);
    if (err != FO_OK) {
        return err;
    }
    err = fo_order_progress(&order, delivered, now_unix_ms, lease_s);
    if (err != FO_OK) {
        return supplier_refuse(store, now_unix_ms, &order, err, out);
    }
    FO_ASSERT(order.delivered == delivered);
    err = fo_write_order(store, &order, FO_STATE_EXECUTING);
    if (err == FO_OK) {
        err = supplier_progress_event(store, &order, now_unix_ms);
    }
    if (err != FO_OK) {
        return err;
    }
    return fo_write_view(store, now_unix_ms, &order, out);
}

/* Settle a job that just became terminal, then allocate the capacity it freed. */
static enum fo_err supplier_finish(struct fo_store *store, int64_t now_unix_ms,
                                   const struct fo_order *order, const char *text,
                                   struct fo_order_view *out, struct fo_err_detail *detail)
{
    FO_ASSERT(order->settled);
    FO_ASSERT(order->state == FO_STATE_COMPLETED || order->state == FO_STATE_FAILED);
    enum fo_event_type type =
        order->state == FO_STATE_COMPLETED ? FO_EVENT_COMPLETED : FO_EVENT_FAILED;
    enum fo_err err = fo_write_terminal(store, order, FO_STATE_EXECUTING, type, FO_ACTOR_SUPPLIER,
                                        text, now_unix_ms, detail);
    if (err == FO_OK) {
        err = fo_cmd_allocate(store, now_unix_ms, order->supplier_id);
    }
    if (err != FO_OK) {
        return err;
    }
    return fo_write_view(store, now_unix_ms, order, out);
}

enum fo_err fo_cmd_complete(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                            const char *order_id, int64_t delivered, struct fo_order_view *out,
                            struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(detail != NULL);
    struct fo_order order;
    int64_t lease_s = 0;
    enum fo_err err = supplier_load_job(store, supplier_id, order_id, &order, &lease_s);
    if (err != FO_OK) {
        return err;
    }
    err = fo_order_complete(&order, delivered, now_unix_ms);
    if (err != FO_OK) {
        return supplier_refuse(store, now_unix_ms, &order, err, out);
    }
    FO_ASSERT(order.state == FO_STATE_COMPLETED);
    return supplier_finish(store, now_unix_ms, &order, NULL, out, detail);
}

enum fo_err fo_cmd_fail(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id,
                        const char *order_id, int64_t delivered, const char *reason,
                        struct fo_order_view *out, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err = fo_write_text_check("reason", reason, 0, FO_REASON_CHARS_MAX, true, detail);
    if (err != FO_OK) {
        return err;
    }
    struct fo_order order;
    int64_t lease_s = 0;
    err = supplier_load_job(store, supplier_id, order_id, &order, &lease_s);
    if (err != FO_OK) {
        return err;
    }
    err = fo_order_fail(&order, delivered, FO_REASON_SUPPLIER_FAILED, now_unix_ms);
    if (err != FO_OK) {
        return supplier_refuse(store, now_unix_ms, &order, err, out);
    }
    FO_ASSERT(order.state == FO_STATE_FAILED);
    return supplier_finish(store, now_unix_ms, &order, reason, out, detail);
}
