/* Lease expiry: a supplier that stops reporting loses its job (API.md: a lease has run
 * out when now >= lease_expires_at).
 *
 * Each expired job fails with reason supplier_timeout: delivered units are charged, no
 * fee, the rest refunded (core decides the split), event `failed` by the system with
 * detail "lease expired", and the capacity it frees is allocated. The reaper calls this
 * periodically and advancing the test clock calls it before answering. At most `max` jobs
 * fail in one call, read a small page at a time, so one command stays bounded. */
#include <string.h>

#include "commands/commands.h"
#include "commands/write.h"
#include "core/assert.h"

/* Expired jobs read per page (about 1 KiB each, on the stack). */
#define EXPIRE_PAGE_MAX 16

static enum fo_err expire_one(struct fo_store *store, int64_t now_unix_ms, struct fo_order *order)
{
    FO_ASSERT(order->state == FO_STATE_EXECUTING);
    FO_ASSERT(order->lease_expires_at_unix_ms <= now_unix_ms);
    enum fo_err err =
        fo_order_fail(order, order->delivered, FO_REASON_SUPPLIER_TIMEOUT, now_unix_ms);
    FO_ASSERT(err == FO_OK); /* Executing, and its own delivered is always valid. */
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    err = fo_write_terminal(store, order, FO_STATE_EXECUTING, FO_EVENT_FAILED, FO_ACTOR_SYSTEM,
                            "lease expired", now_unix_ms, &detail);
    if (err != FO_OK) {
        return err;
    }
    return fo_cmd_allocate(store, now_unix_ms, order->supplier_id);
}

enum fo_err fo_cmd_expire_leases(struct fo_store *store, int64_t now_unix_ms, size_t max,
                                 size_t *out_count)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out_count != NULL);
    FO_ASSERT(now_unix_ms > 0);
    *out_count = 0;
    size_t expired_count = 0;
    /* Every page fails each job it reads, so the next page starts after them. */
    while (expired_count < max) {
        struct fo_order orders[EXPIRE_PAGE_MAX];
        size_t want = max - expired_count < EXPIRE_PAGE_MAX ? max - expired_count : EXPIRE_PAGE_MAX;
        size_t count = 0;
        enum fo_err err = fo_store_order_expired(store, now_unix_ms, orders, want, &count);
        if (err != FO_OK) {
            return err;
        }
        FO_ASSERT(count <= want);
        for (size_t index = 0; index < count; index++) {
            err = expire_one(store, now_unix_ms, &orders[index]);
            if (err != FO_OK) {
                return err;
            }
        }
        expired_count += count;
        if (count < want) {
            break;
        }
    }
    *out_count = expired_count;
    return FO_OK;
}
