/* Placing an order (API.md, POST /v1/orders).
 *
 * The order is validated against its service (active, quantity range, the amount cap),
 * bound to the policy the buyer was shown (expected_policy_id: POLICY_CHANGED, nothing
 * charged), paid by a hold journal that moves the whole amount from the buyer's available
 * balance to held (INSUFFICIENT_FUNDS when it would go negative), and snapshots the
 * service's policy so later policy changes never touch it. It is then allocated at once
 * when its supplier has capacity. Every refusal happens before the first write. */
#include <string.h>

#include "commands/commands.h"
#include "commands/query.h"
#include "commands/secret.h"
#include "commands/write.h"
#include "core/assert.h"
#include "core/ledger.h"
#include "core/money.h"

/* The service an order is placed on, and its policy in force now. */
struct place_catalogue {
    struct fo_service service;
    struct fo_policy policy;
};

static enum fo_err place_load(struct fo_store *store, const char *service_id,
                              struct place_catalogue *out)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(out != NULL);
    if (service_id == NULL) {
        return FO_ERR_SERVICE_NOT_FOUND;
    }
    enum fo_err err = fo_store_service_get(store, service_id, &out->service);
    if (err == FO_ERR_NOT_FOUND || (err == FO_OK && !out->service.active)) {
        return FO_ERR_SERVICE_NOT_FOUND;
    }
    if (err != FO_OK) {
        return err;
    }
    err = fo_store_policy_get(store, out->service.policy_id, &out->policy);
    FO_ASSERT(err != FO_ERR_NOT_FOUND); /* A foreign key in the schema. */
    return err;
}

/* quantity within the service's range, and the amount within FO_AMOUNT_MINOR_MAX. */
static enum fo_err place_check_quantity(const struct fo_service *service, int64_t quantity,
                                        int64_t *out_amount_minor, struct fo_err_detail *detail)
{
    FO_ASSERT(service != NULL);
    FO_ASSERT(service->unit_price_minor > 0);
    if (quantity < service->min_quantity || quantity > service->max_quantity) {
        return fo_err_field_range(detail, "quantity", FO_FIELD_OUT_OF_RANGE, service->min_quantity,
                                  service->max_quantity);
    }
    int64_t amount_minor = 0;
    if (!fo_money_mul_checked(quantity, service->unit_price_minor, &amount_minor) ||
        amount_minor > FO_AMOUNT_MINOR_MAX) {
        int64_t quantity_max = FO_AMOUNT_MINOR_MAX / service->unit_price_minor;
        return fo_err_field_range(detail, "quantity", FO_FIELD_OUT_OF_RANGE, service->min_quantity,
                                  quantity_max);
    }
    FO_ASSERT(amount_minor > 0);
    *out_amount_minor = amount_minor;
    return FO_OK;
}

static void place_build(const struct place_catalogue *catalogue, const struct fo_buyer *buyer,
                        const struct fo_place_input *input, int64_t amount_minor,
                        int64_t now_unix_ms, struct fo_order *out)
{
    FO_ASSERT(catalogue != NULL);
    FO_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    fo_secret_new_id("ord", out->id);
    fo_write_copy(out->buyer_id, sizeof out->buyer_id, buyer->id);
    fo_write_copy(out->service_id, sizeof out->service_id, catalogue->service.id);
    fo_write_copy(out->supplier_id, sizeof out->supplier_id, catalogue->service.supplier_id);
    out->quantity = input->quantity;
    out->delivered = 0;
    out->unit_price_minor = catalogue->service.unit_price_minor;
    out->amount_minor = amount_minor;
    fo_write_copy(out->currency, sizeof out->currency, catalogue->service.currency);
    fo_write_copy(out->target, sizeof out->target, input->target);
    out->state = FO_STATE_PENDING;
    out->placed_at_unix_ms = now_unix_ms;
    out->updated_at_unix_ms = now_unix_ms;
    out->lease_expires_at_unix_ms = 0;
    out->policy = catalogue->policy;
    out->settled = false;
    FO_ASSERT(fo_order_check(out) == NULL);
}

/* Whether the supplier can take one more order now. If it can, nobody older is waiting:
 * pending orders exist only while their supplier is full, because allocation runs at every
 * placement and whenever an order ends, and capacity never changes. So a new order with
 * room goes straight to the queue in one write (API.md: allocation happens at placement,
 * oldest pending first), instead of an insert as pending and an update. */
static enum fo_err place_supplier_has_room(struct fo_store *store, const char *supplier_id,
                                           bool *out_room)
{
    FO_ASSERT(supplier_id != NULL);
    FO_ASSERT(out_room != NULL);
    struct fo_supplier supplier;
    enum fo_err err = fo_store_supplier_get(store, supplier_id, &supplier);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(supplier.in_flight_count <= supplier.capacity);
    *out_room = supplier.in_flight_count < supplier.capacity;
    return FO_OK;
}

/* Write the new order, its hold and its `placed` event, then allocate its supplier. */
static enum fo_err place_write(struct fo_store *store, int64_t now_unix_ms,
                               const struct fo_buyer *buyer, struct fo_order *order,
                               struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(order->state == FO_STATE_PENDING);
    FO_ASSERT(strcmp(buyer->id, order->buyer_id) == 0);
    struct fo_journal journal;
    fo_ledger_hold(order, &journal);
    FO_ASSERT(fo_journal_amount(&journal, FO_ACCOUNT_BUYER_HELD) == order->amount_minor);
    /* The hold is checked against the wallet before anything is written. */
    int64_t available_minor = 0;
    int64_t held_minor = 0;
    enum fo_err err = fo_ledger_apply_to_wallet(&journal, buyer->available_minor, buyer->held_minor,
                                                &available_minor, &held_minor, detail);
    if (err != FO_OK) {
        return err;
    }
    bool room = false;
    err = place_supplier_has_room(store, order->supplier_id, &room);
    if (err != FO_OK) {
        return err;
    }
    /* The placed event records the order as it was paid for, pending; with room at the
     * supplier it is allocated in the same write (events: placed, then allocated). */
    struct fo_order placed = *order;
    if (room) {
        fo_order_allocate(order, now_unix_ms);
    }
    err = fo_store_order_insert(store, order);
    placed.seq = order->seq;
    if (err == FO_OK) {
        err =
            fo_write_journal_of(store, now_unix_ms, buyer, order->id, NULL, &journal, NULL, detail);
    }
    if (err == FO_OK && room) {
        err = fo_write_placed_and_allocated(store, &placed, order, now_unix_ms);
    } else if (err == FO_OK) {
        err = fo_write_event(store, &placed, FO_EVENT_PLACED, FO_ACTOR_BUYER, NULL, now_unix_ms);
    }
    return err;
}

enum fo_err fo_cmd_place(struct fo_store *store, int64_t now_unix_ms, const char *buyer_id,
                         const struct fo_place_input *input, struct fo_order_view *out,
                         struct fo_policy *out_current_policy, struct fo_err_detail *detail)
{
    FO_ASSERT(store != NULL);
    FO_ASSERT(buyer_id != NULL);
    FO_ASSERT(input != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(out_current_policy != NULL);
    FO_ASSERT(detail != NULL);
    enum fo_err err =
        fo_write_text_check("target", input->target, 1, FO_TARGET_CHARS_MAX, false, detail);
    if (err != FO_OK) {
        return err;
    }
    struct place_catalogue catalogue;
    err = place_load(store, input->service_id, &catalogue);
    if (err != FO_OK) {
        return err;
    }
    int64_t amount_minor = 0;
    err = place_check_quantity(&catalogue.service, input->quantity, &amount_minor, detail);
    if (err != FO_OK) {
        return err;
    }
    if (input->expected_policy_id != NULL &&
        strcmp(input->expected_policy_id, catalogue.policy.id) != 0) {
        *out_current_policy = catalogue.policy;
        return FO_ERR_POLICY_CHANGED;
    }
    struct fo_buyer buyer;
    err = fo_store_buyer_get(store, buyer_id, &buyer);
    if (err != FO_OK) {
        return err;
    }
    struct fo_order order;
    place_build(&catalogue, &buyer, input, amount_minor, now_unix_ms, &order);
    err = place_write(store, now_unix_ms, &buyer, &order, detail);
    if (err != FO_OK) {
        return err;
    }
    FO_ASSERT(order.state == FO_STATE_PENDING || order.state == FO_STATE_QUEUED);
    return fo_write_view(store, now_unix_ms, &order, out);
}
