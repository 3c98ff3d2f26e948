/* Allocation: pending orders move to their supplier's queue while it has capacity.
 *
 * API.md, "Order states": a supplier's in-flight orders (queued + executing) never exceed
 * its capacity, and the oldest pending order goes first. Allocation runs at placement and
 * whenever an order of the supplier ends (cancel of a queued or executing order, complete,
 * fail, lease expiry), inside the command that freed the capacity, so the invariant holds
 * at every commit. The loop is bounded by the capacity (at most FO_ALLOCATE_BATCH_MAX
 * orders move in one pass) and reads pending orders a small page at a time. */
#include <string.h>

#include "commands/commands.h"
#include "commands/write.h"
#include "core/assert.h"

/* Orders read per page: a page of orders is about 1 KiB each, kept on the stack. */
#define ALLOCATE_PAGE_MAX 32

/* Allocate one page of the supplier's oldest pending orders, at most `room` of them;
 * *out_count is how many moved (0: nothing pending). */
static enum fo_err allocate_page(struct fo_store *store, int64_t now_unix_ms,
                                 const char *supplier_id, int64_t room, size_t *out_count)
{
    FO_ASSERT(room > 0);
    FO_ASSERT(out_count != NULL);
    struct fo_order orders[ALLOCATE_PAGE_MAX];
    size_t want = room < ALLOCATE_PAGE_MAX ? (size_t)room : ALLOCATE_PAGE_MAX;
    size_t count = 0;
    enum fo_err err =
        fo_store_order_oldest(store, supplier_id, FO_STATE_PENDING, orders, want, &count);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(count <= want);
    for (size_t index = 0; index < count; index++) {
        struct fo_order *order = &orders[index];
        FO_ASSERT(order->state == FO_STATE_PENDING);
        FO_ASSERT(strcmp(order->supplier_id, supplier_id) == 0);
        fo_order_allocate(order, now_unix_ms);
        err = fo_write_order(store, order, FO_STATE_PENDING);
        if (err == FO_OK) {
            err = fo_write_event(store, order, FO_EVENT_ALLOCATED, FO_ACTOR_SYSTEM, NULL,
                                 now_unix_ms);
        }
        if (err != FO_OK) {
            return err;
        }
    }
    *out_count = count;
    return FO_OK;
}

enum fo_err fo_cmd_allocate(struct fo_store *store, int64_t now_unix_ms, const char *supplier_id)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(supplier_id != NULL);
    FO_ASSERT(now_unix_ms > 0);
    struct fo_supplier supplier;
    enum fo_err err = fo_store_supplier_get(store, supplier_id, &supplier);
    if (err != FO_OK) {
        return err;
    }
    if (supplier.pending_count == 0) {
        return FO_OK; /* Nothing waits: spare the search (the count is the store's). */
    }
    int64_t in_flight_count = supplier.in_flight_count;
    FO_ASSERT(supplier.capacity <= FO_ALLOCATE_BATCH_MAX);
    /* Each pass moves at least one order or stops, so capacity passes always suffice. */
    for (int64_t pass = 0; pass < supplier.capacity && in_flight_count < supplier.capacity;
         pass++) {
        size_t moved_count = 0;
        err = allocate_page(store, now_unix_ms, supplier_id, supplier.capacity - in_flight_count,
                            &moved_count);
        if (err != FO_OK) {
            return err;
        }
        if (moved_count == 0) {
            break;
        }
        in_flight_count += (int64_t)moved_count;
    }
    FO_ASSERT(in_flight_count <= supplier.capacity);
    return FO_OK;
}
