/* Supplier routes of API.md: claim, progress, complete, fail. A supplier only ever sees
 * its own jobs (others are 404); the commands decide every rule. */
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "http/handlers.h"

static enum fo_err decode_claim(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"max", NULL};
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_int(body, "max", true, 1, FO_CLAIM_MAX, &req->in.max, NULL, detail);
    }
    return err;
}

static void execute_claim(struct fo_request *req, struct fo_store *store, int64_t now)
{
    struct fo_request_result *out = &req->out;
    out->orders = calloc((size_t)req->in.max, sizeof *out->orders);
    if (out->orders == NULL) {
        req->err = FO_ERR_UNAVAILABLE;
        return;
    }
    req->err = fo_cmd_claim(store, now, req->principal.id, req->in.max, out->orders,
                            &out->orders_count, &req->detail);
}

static void render_claim(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_key(out, "jobs");
    fo_json_array_begin(out);
    for (size_t index = 0; index < req->out.orders_count; index++) {
        const struct fo_order *order = &req->out.orders[index];
        fo_json_object_begin(out);
        fo_json_kv_string(out, "order_id", order->id);
        fo_json_kv_string(out, "service_id", order->service_id);
        fo_json_kv_int(out, "quantity", order->quantity);
        fo_json_kv_int(out, "delivered", order->delivered);
        fo_json_kv_string(out, "target", order->target);
        fo_json_kv_time(out, "lease_expires_at", order->lease_expires_at_unix_ms);
        fo_json_object_end(out);
    }
    fo_json_array_end(out);
    fo_json_object_end(out);
}

static enum fo_err decode_delivered(struct fo_request *req, json_t *body,
                                    struct fo_err_detail *detail, bool with_reason)
{
    static const char *const allowed_progress[] = {"delivered", NULL};
    static const char *const allowed_fail[] = {"delivered", "reason", NULL};
    enum fo_err err = fo_decode_fields(body, with_reason ? allowed_fail : allowed_progress, detail);
    if (err == FO_OK) {
        err = fo_decode_int(body, "delivered", true, 0, FO_QUANTITY_MAX, &req->in.delivered, NULL,
                            detail);
    }
    if (err == FO_OK && with_reason) {
        err = fo_decode_string(body, "reason", false, &req->in.reason, detail);
    }
    return err;
}

static enum fo_err decode_progress(struct fo_request *req, json_t *body,
                                   struct fo_err_detail *detail)
{
    return decode_delivered(req, body, detail, false);
}

static enum fo_err decode_fail(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    return decode_delivered(req, body, detail, true);
}

static void note_job_state(struct fo_request *req)
{
    if (req->err == FO_ERR_JOB_NOT_ACTIVE) {
        req->out.has_error_state = true;
        req->out.error_state = req->out.view.order.state;
    }
}

static void execute_progress(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_cmd_progress(store, now, req->principal.id, req->params[0], req->in.delivered,
                               &req->out.view, &req->detail);
    note_job_state(req);
}

static void render_progress(struct fo_request *req, struct fo_json_out *out)
{
    const struct fo_order *order = &req->out.view.order;
    fo_json_object_begin(out);
    fo_json_kv_string(out, "state", fo_state_name(order->state));
    fo_json_kv_int(out, "delivered", order->delivered);
    fo_json_kv_time(out, "lease_expires_at", order->lease_expires_at_unix_ms);
    fo_json_object_end(out);
}

static void execute_complete(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_cmd_complete(store, now, req->principal.id, req->params[0], req->in.delivered,
                               &req->out.view, &req->detail);
    note_job_state(req);
}

static void execute_fail(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_cmd_fail(store, now, req->principal.id, req->params[0], req->in.delivered,
                           req->in.reason, &req->out.view, &req->detail);
    note_job_state(req);
}

static void render_view(struct fo_request *req, struct fo_json_out *out)
{
    fo_render_order_view(out, &req->out.view, req->lang);
}

const struct fo_route fo_routes_supplier[] = {
    {FO_METHOD_POST, "/v1/supplier/claim", FO_ROLES_SUPPLIER, FO_ROUTE_WRITE, false, decode_claim,
     execute_claim, render_claim, 200, false, false, NULL},
    {FO_METHOD_POST, "/v1/supplier/jobs/{}/progress", FO_ROLES_SUPPLIER, FO_ROUTE_WRITE, false,
     decode_progress, execute_progress, render_progress, 200, false, false, NULL},
    {FO_METHOD_POST, "/v1/supplier/jobs/{}/complete", FO_ROLES_SUPPLIER, FO_ROUTE_WRITE, false,
     decode_progress, execute_complete, render_view, 200, false, false, NULL},
    {FO_METHOD_POST, "/v1/supplier/jobs/{}/fail", FO_ROLES_SUPPLIER, FO_ROUTE_WRITE, false,
     decode_fail, execute_fail, render_view, 200, false, false, NULL},
};
const size_t fo_routes_supplier_count = sizeof fo_routes_supplier / sizeof fo_routes_supplier[0];
