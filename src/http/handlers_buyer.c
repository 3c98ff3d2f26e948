/* Buyer and supplier routes of API.md: decode, execute (a command or a query) and render
 * for each. Money rules are not here: commands and the core decide; this file moves
 * fields between JSON and structs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "http/handlers.h"

/* --- Services -------------------------------------------------------------------------- */

static enum fo_err decode_list(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    (void)body;
    return fo_decode_list_args(req, detail);
}

static void execute_services(struct fo_request *req, struct fo_store *store, int64_t now)
{
    (void)now;
    size_t max = (size_t)req->in.limit + 1;
    struct fo_request_result *out = &req->out;
    out->services = calloc(max, sizeof *out->services);
    out->service_policies = calloc(max, sizeof *out->service_policies);
    if (out->services == NULL || out->service_policies == NULL) {
        req->err = FO_ERR_UNAVAILABLE;
        return;
    }
    bool active_only = req->principal.role != FO_ROLE_ADMIN;
    req->err = fo_store_service_list(store, active_only, req->in.cursor, out->services, max,
                                     &out->services_count);
    for (size_t index = 0; req->err == FO_OK && index < out->services_count; index++) {
        req->err = fo_store_policy_get(store, out->services[index].policy_id,
                                       &out->service_policies[index]);
    }
    fo_handlers_page(req, &out->services_count);
    if (out->services_count > 0) {
        out->next_cursor = out->services[out->services_count - 1].seq;
    }
}

static void render_services(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_key(out, "data");
    fo_json_array_begin(out);
    for (size_t index = 0; index < req->out.services_count; index++) {
        fo_render_service(out, &req->out.services[index], &req->out.service_policies[index],
                          req->lang, req->principal.role == FO_ROLE_ADMIN);
    }
    fo_json_array_end(out);
    fo_render_next_cursor(out, req->out.has_more, req->out.next_cursor);
    fo_json_object_end(out);
}

/* --- Orders ---------------------------------------------------------------------------- */

static enum fo_err decode_place(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"service_id", "quantity", "target", "expected_policy_id",
                                          NULL};
    struct fo_place_input *place = &req->in.place;
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_string(body, "service_id", true, &place->service_id, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "quantity", true, 1, FO_QUANTITY_MAX, &place->quantity, NULL,
                            detail);
    }
    if (err == FO_OK) {
        err = fo_decode_string(body, "target", true, &place->target, detail);
    }
    if (err == FO_OK) {
        err =
            fo_decode_string(body, "expected_policy_id", false, &place->expected_policy_id, detail);
    }
    return err;
}

static void execute_place(struct fo_request *req, struct fo_store *store, int64_t now)
{
    struct fo_request_result *out = &req->out;
    req->err = fo_cmd_place(store, now, req->principal.id, &req->in.place, &out->view,
                            &out->error_policy, &req->detail);
    out->has_error_policy = req->err == FO_ERR_POLICY_CHANGED;
}

static void render_view(struct fo_request *req, struct fo_json_out *out)
{
    fo_render_order_view(out, &req->out.view, req->lang);
}

static void render_order_wrapped(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_key(out, "order");
    fo_render_order_view(out, &req->out.view, req->lang);
    fo_json_object_end(out);
}

static const char *buyer_scope(const struct fo_request *req)
{
    return req->principal.role == FO_ROLE_ADMIN ? NULL : req->principal.id;
}

static void execute_order(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_query_order(store, now, buyer_scope(req), req->params[0], &req->out.view);
}

static const char *const orders_query_names[] = {"limit", "cursor", "state", NULL};

/* ?limit, ?cursor, ?state and, for an admin (the route's query names allow it), ?buyer_id. */
enum fo_err fo_handlers_orders_decode(struct fo_request *req, json_t *body,
                                      struct fo_err_detail *detail)
{
    (void)body;
    enum fo_err err = fo_decode_list_args(req, detail);
    const char *state = fo_request_query(req, "state");
    if (err == FO_OK && state != NULL && state[0] != '\0') {
        req->in.has_state = fo_state_parse(state, &req->in.state);
        if (!req->in.has_state) {
            err = fo_err_field(detail, "state", FO_FIELD_BAD_VALUE);
        }
    }
    const char *buyer_id = fo_request_query(req, "buyer_id");
    if (err == FO_OK && buyer_id != NULL && buyer_id[0] != '\0') {
        req->in.buyer_id = buyer_id;
    }
    return err;
}

/* A buyer lists its own orders; an admin any buyer's (or everyone's). */
void fo_handlers_orders_execute(struct fo_request *req, struct fo_store *store, int64_t now)
{
    size_t max = (size_t)req->in.limit + 1;
    struct fo_request_result *out = &req->out;
    out->views = calloc(max, sizeof *out->views);
    if (out->views == NULL) {
        req->err = FO_ERR_UNAVAILABLE;
        return;
    }
    struct fo_order_filter filter = {
        .buyer_id = req->principal.role == FO_ROLE_ADMIN ? req->in.buyer_id : req->principal.id,
        .has_state = req->in.has_state,
        .state = req->in.state,
        .before_seq = req->in.cursor,
    };
    req->err = fo_query_orders(store, now, &filter, out->views, max, &out->views_count);
    fo_handlers_page(req, &out->views_count);
    if (out->views_count > 0) {
        out->next_cursor = out->views[out->views_count - 1].order.seq;
    }
}

void fo_handlers_orders_render(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_key(out, "data");
    fo_json_array_begin(out);
    for (size_t index = 0; index < req->out.views_count; index++) {
        fo_render_order_view(out, &req->out.views[index], req->lang);
    }
    fo_json_array_end(out);
    fo_render_next_cursor(out, req->out.has_more, req->out.next_cursor);
    fo_json_object_end(out);
}

static void execute_events(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_query_order(store, now, buyer_scope(req), req->params[0], &req->out.view);
    size_t max = (size_t)req->in.limit + 1;
    struct fo_request_result *out = &req->out;
    out->events = req->err == FO_OK ? calloc(max, sizeof *out->events) : NULL;
    if (req->err == FO_OK && out->events == NULL) {
        req->err = FO_ERR_UNAVAILABLE;
    }
    if (req->err != FO_OK) {
        return;
    }
    req->err = fo_store_event_list(store, req->params[0], req->in.cursor, out->events, max,
                                   &out->events_count);
    fo_handlers_page(req, &out->events_count);
    if (out->events_count > 0) {
        out->next_cursor = out->events[out->events_count - 1].seq;
    }
}

static void render_events(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_key(out, "data");
    fo_json_array_begin(out);
    for (size_t index = 0; index < req->out.events_count; index++) {
        fo_render_event(out, &req->out.events[index]);
    }
    fo_json_array_end(out);
    fo_render_next_cursor(out, req->out.has_more, req->out.next_cursor);
    fo_json_object_end(out);
}

static enum fo_err decode_cancel(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"expected_refund_minor", "reason", NULL};
    struct fo_cancel_input *cancel = &req->in.cancel;
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_int(body, "expected_refund_minor", false, 0, FO_AMOUNT_MINOR_MAX,
                            &cancel->expected_refund_minor, &cancel->has_expected_refund, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_string(body, "reason", false, &cancel->reason, detail);
    }
    cancel->order_id = req->params[0];
    return err;
}

static void execute_cancel(struct fo_request *req, struct fo_store *store, int64_t now)
{
    struct fo_request_result *out = &req->out;
    req->in.cancel.buyer_id = buyer_scope(req);
    req->err =
        fo_cmd_cancel(store, now, &req->in.cancel, &out->view, &out->error_quote, &req->detail);
    if (req->err == FO_ERR_NOT_CANCELLABLE || req->err == FO_ERR_QUOTE_CHANGED) {
        out->has_error_quote = true;
        out->error_order = out->view.order;
    }
}

/* --- Wallet ---------------------------------------------------------------------------- */

static void execute_wallet(struct fo_request *req, struct fo_store *store, int64_t now)
{
    (void)now;
    req->err = fo_store_buyer_get(store, req->principal.id, &req->out.buyer);
}

static void render_wallet(struct fo_request *req, struct fo_json_out *out)
{
    fo_render_buyer_wallet(out, &req->out.buyer);
}

static void execute_entries(struct fo_request *req, struct fo_store *store, int64_t now)
{
    (void)now;
    size_t max = (size_t)req->in.limit + 1;
    struct fo_request_result *out = &req->out;
    out->entries = calloc(max, sizeof *out->entries);
    if (out->entries == NULL) {
        req->err = FO_ERR_UNAVAILABLE;
        return;
    }
    req->err = fo_store_wallet_entries(store, req->principal.id, req->in.cursor, out->entries, max,
                                       &out->entries_count);
    fo_handlers_page(req, &out->entries_count);
    if (out->entries_count > 0) {
        out->next_cursor = out->entries[out->entries_count - 1].seq;
    }
}

static const char *entry_kind(enum fo_journal_kind kind)
{
    switch (kind) {
    case FO_JOURNAL_TOPUP:
        return "topup";
    case FO_JOURNAL_HOLD:
        return "hold";
    case FO_JOURNAL_SETTLE:
        return "refund";
    }
    return "refund";
}

static void render_entries(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_key(out, "data");
    fo_json_array_begin(out);
    for (size_t index = 0; index < req->out.entries_count; index++) {
        const struct fo_wallet_entry *entry = &req->out.entries[index];
        char id[32];
        snprintf(id, sizeof id, "ent_%lld", (long long)entry->seq);
        fo_json_object_begin(out);
        fo_json_kv_string(out, "id", id);
        fo_json_kv_time(out, "at", entry->at_unix_ms);
        fo_json_kv_string(out, "kind", entry_kind(entry->kind));
        fo_json_kv_int(out, "amount_minor", entry->amount_minor);
        if (entry->order_id[0] != '\0') {
            fo_json_kv_string(out, "order_id", entry->order_id);
        } else {
            fo_json_kv_null(out, "order_id");
        }
        fo_json_kv_int(out, "balance_after_minor", entry->balance_after_minor);
        fo_json_object_end(out);
    }
    fo_json_array_end(out);
    fo_render_next_cursor(out, req->out.has_more, req->out.next_cursor);
    fo_json_object_end(out);
}

const struct fo_route fo_routes_buyer[] = {
    {FO_METHOD_GET, "/v1/services", FO_ROLES_BUYER | FO_ROLES_ADMIN, FO_ROUTE_READ, false,
     decode_list, execute_services, render_services, 200, false, false, NULL},
    {FO_METHOD_POST, "/v1/orders", FO_ROLES_BUYER, FO_ROUTE_WRITE, true, decode_place,
     execute_place, render_view, 201, false, false, NULL},
    {FO_METHOD_GET, "/v1/orders", FO_ROLES_BUYER, FO_ROUTE_READ, false, fo_handlers_orders_decode,
     fo_handlers_orders_execute, fo_handlers_orders_render, 200, false, false, orders_query_names},
    {FO_METHOD_GET, "/v1/orders/{}", FO_ROLES_BUYER | FO_ROLES_ADMIN, FO_ROUTE_READ, false, NULL,
     execute_order, render_view, 200, false, false, NULL},
    {FO_METHOD_GET, "/v1/orders/{}/events", FO_ROLES_BUYER | FO_ROLES_ADMIN, FO_ROUTE_READ, false,
     decode_list, execute_events, render_events, 200, false, true, NULL},
    {FO_METHOD_POST, "/v1/orders/{}/cancel", FO_ROLES_BUYER | FO_ROLES_ADMIN, FO_ROUTE_WRITE, true,
     decode_cancel, execute_cancel, render_order_wrapped, 200, false, false, NULL},
    {FO_METHOD_GET, "/v1/wallet", FO_ROLES_BUYER, FO_ROUTE_READ, false, NULL, execute_wallet,
     render_wallet, 200, false, false, NULL},
    {FO_METHOD_GET, "/v1/wallet/entries", FO_ROLES_BUYER, FO_ROUTE_READ, false, decode_list,
     execute_entries, render_entries, 200, false, false, NULL},
};
const size_t fo_routes_buyer_count = sizeof fo_routes_buyer / sizeof fo_routes_buyer[0];
