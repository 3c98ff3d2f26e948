/* Admin routes of API.md: buyers, suppliers, policies, services, top-ups, the orders list,
 * the ledger check and the test clock. Validation of values is the commands' (they name
 * the field); here JSON becomes structs. */
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "http/handlers.h"

/* Copy a decoded string into a fixed struct field; too long for it is a length error
 * (the commands check the exact limit in code points). */
static enum fo_err copy_text(char *destination, size_t destination_bytes, const char *text,
                             const char *field, int64_t chars_max, struct fo_err_detail *detail)
{
    size_t bytes = text != NULL ? strlen(text) : 0;
    if (bytes >= destination_bytes) {
        return fo_err_field_range(detail, field, FO_FIELD_BAD_LENGTH, 1, chars_max);
    }
    memcpy(destination, text != NULL ? text : "", bytes + 1);
    return FO_OK;
}

static enum fo_err decode_name(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"name", NULL};
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_string(body, "name", true, &req->in.name, detail);
    }
    return err;
}

static void execute_buyer(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_cmd_buyer_create(store, now, req->in.name, &req->out.buyer, req->out.token,
                                   &req->detail);
}

static void render_buyer(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_kv_string(out, "id", req->out.buyer.id);
    fo_json_kv_string(out, "name", req->out.buyer.name);
    fo_json_kv_string(out, "token", req->out.token);
    fo_json_object_end(out);
}

static enum fo_err decode_supplier(struct fo_request *req, json_t *body,
                                   struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"name", "capacity", "lease_s", "simulate_units_per_s",
                                          NULL};
    struct fo_supplier *supplier = &req->in.supplier;
    supplier->lease_s = FO_LEASE_S_DEFAULT;
    const char *name = NULL;
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_string(body, "name", true, &name, detail);
    }
    if (err == FO_OK) {
        err = copy_text(supplier->name, sizeof supplier->name, name, "name", FO_NAME_CHARS_MAX,
                        detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "capacity", true, 1, FO_CAPACITY_MAX, &supplier->capacity, NULL,
                            detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "lease_s", false, FO_LEASE_S_MIN, FO_LEASE_S_MAX,
                            &supplier->lease_s, NULL, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "simulate_units_per_s", false, 1, FO_SIMULATE_UNITS_PER_S_MAX,
                            &supplier->simulate_units_per_s, NULL, detail);
    }
    return err;
}

static void execute_supplier(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->out.supplier = req->in.supplier;
    req->err = fo_cmd_supplier_create(store, now, &req->out.supplier, req->out.token, &req->detail);
}

static void render_supplier(struct fo_request *req, struct fo_json_out *out)
{
    const struct fo_supplier *supplier = &req->out.supplier;
    fo_json_object_begin(out);
    fo_json_kv_string(out, "id", supplier->id);
    fo_json_kv_string(out, "name", supplier->name);
    fo_json_kv_int(out, "capacity", supplier->capacity);
    fo_json_kv_int(out, "lease_s", supplier->lease_s);
    if (supplier->simulate_units_per_s > 0) {
        fo_json_kv_int(out, "simulate_units_per_s", supplier->simulate_units_per_s);
    } else {
        fo_json_kv_null(out, "simulate_units_per_s");
    }
    fo_json_kv_string(out, "token", req->out.token);
    fo_json_object_end(out);
}

/* One rule field: a string naming one of the rule's values. */
static enum fo_err decode_rule(json_t *body, const char *field, int *out,
                               bool (*parse)(const char *name, int *out),
                               struct fo_err_detail *detail)
{
    const char *name = NULL;
    enum fo_err err = fo_decode_string(body, field, true, &name, detail);
    if (err == FO_OK && !parse(name, out)) {
        err = fo_err_field(detail, field, FO_FIELD_BAD_VALUE);
    }
    return err;
}

static bool parse_pending(const char *name, int *out)
{
    enum fo_pending_rule rule;
    bool ok = fo_pending_rule_parse(name, &rule);
    *out = (int)rule;
    return ok;
}

static bool parse_queued(const char *name, int *out)
{
    enum fo_queued_rule rule;
    bool ok = fo_queued_rule_parse(name, &rule);
    *out = (int)rule;
    return ok;
}

static bool parse_executing(const char *name, int *out)
{
    enum fo_executing_rule rule;
    bool ok = fo_executing_rule_parse(name, &rule);
    *out = (int)rule;
    return ok;
}

static enum fo_err decode_policy_rules(struct fo_policy *policy, json_t *body,
                                       struct fo_err_detail *detail)
{
    int pending = 0;
    int queued = 0;
    int executing = 0;
    enum fo_err err = decode_rule(body, "pending", &pending, parse_pending, detail);
    if (err == FO_OK) {
        err = decode_rule(body, "queued", &queued, parse_queued, detail);
    }
    if (err == FO_OK) {
        err = decode_rule(body, "executing", &executing, parse_executing, detail);
    }
    policy->pending = (enum fo_pending_rule)pending;
    policy->queued = (enum fo_queued_rule)queued;
    policy->executing = (enum fo_executing_rule)executing;
    return err;
}

static enum fo_err decode_policy(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    static const char *const allowed[] = {
        "name",    "cooling_off_s",        "pending", "queued", "executing", "fee_fixed_minor",
        "fee_bps", "free_cancels_per_day", NULL};
    struct fo_policy *policy = &req->in.policy;
    const char *name = NULL;
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_string(body, "name", true, &name, detail);
    }
    if (err == FO_OK) {
        err = copy_text(policy->name, sizeof policy->name, name, "name", FO_NAME_CHARS_MAX, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "cooling_off_s", true, 0, FO_COOLING_OFF_S_MAX,
                            &policy->cooling_off_s, NULL, detail);
    }
    if (err == FO_OK) {
        err = decode_policy_rules(policy, body, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "fee_fixed_minor", true, 0, FO_FEE_FIXED_MINOR_MAX,
                            &policy->fee_fixed_minor, NULL, detail);
    }
    if (err == FO_OK) {
        err =
            fo_decode_int(body, "fee_bps", true, 0, FO_FEE_BPS_MAX, &policy->fee_bps, NULL, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "free_cancels_per_day", true, 0, FO_FREE_CANCELS_PER_DAY_MAX,
                            &policy->free_cancels_per_day, NULL, detail);
    }
    return err;
}

static void execute_policy(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->out.policy = req->in.policy;
    req->err = fo_cmd_policy_create(store, now, &req->out.policy, &req->detail);
}

static void render_policy(struct fo_request *req, struct fo_json_out *out)
{
    fo_render_policy(out, &req->out.policy, req->lang);
}

/* --- Services ------------------------------------------------------------------------- */

static enum fo_err decode_service_texts(struct fo_service *service, json_t *body,
                                        struct fo_err_detail *detail)
{
    const char *name = NULL;
    const char *unit = NULL;
    const char *policy_id = NULL;
    const char *supplier_id = NULL;
    enum fo_err err = fo_decode_string(body, "name", true, &name, detail);
    if (err == FO_OK) {
        err =
            copy_text(service->name, sizeof service->name, name, "name", FO_NAME_CHARS_MAX, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_string(body, "unit", true, &unit, detail);
    }
    if (err == FO_OK) {
        err =
            copy_text(service->unit, sizeof service->unit, unit, "unit", FO_UNIT_CHARS_MAX, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_string(body, "policy_id", true, &policy_id, detail);
    }
    if (err == FO_OK) {
        err = copy_text(service->policy_id, sizeof service->policy_id, policy_id, "policy_id",
                        FO_ID_BYTES - 1, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_string(body, "supplier_id", true, &supplier_id, detail);
    }
    if (err == FO_OK) {
        err = copy_text(service->supplier_id, sizeof service->supplier_id, supplier_id,
                        "supplier_id", FO_ID_BYTES - 1, detail);
    }
    return err;
}

static enum fo_err decode_service(struct fo_request *req, json_t *body,
                                  struct fo_err_detail *detail)
{
    static const char *const allowed[] = {
        "name",         "unit",      "unit_price_minor", "min_quantity",
        "max_quantity", "policy_id", "supplier_id",      NULL};
    struct fo_service *service = &req->in.service;
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = decode_service_texts(service, body, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "unit_price_minor", true, 1, FO_UNIT_PRICE_MINOR_MAX,
                            &service->unit_price_minor, NULL, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "min_quantity", true, 1, FO_QUANTITY_MAX, &service->min_quantity,
                            NULL, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "max_quantity", true, 1, FO_QUANTITY_MAX, &service->max_quantity,
                            NULL, detail);
    }
    return err;
}

static void execute_service(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->out.service = req->in.service;
    req->err = fo_cmd_service_create(store, now, &req->out.service, &req->detail);
    if (req->err == FO_OK) {
        req->err = fo_store_policy_get(store, req->out.service.policy_id, &req->out.policy);
    }
}

static void render_service(struct fo_request *req, struct fo_json_out *out)
{
    fo_render_service(out, &req->out.service, &req->out.policy, req->lang, true);
}

static enum fo_err decode_patch(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"policy_id", "unit_price_minor", "active", NULL};
    struct fo_service_patch *patch = &req->in.patch;
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_string(body, "policy_id", false, &patch->policy_id, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_int(body, "unit_price_minor", false, 1, FO_UNIT_PRICE_MINOR_MAX,
                            &patch->unit_price_minor, &patch->has_unit_price, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_bool(body, "active", &patch->active, &patch->has_active, detail);
    }
    return err;
}

static void execute_patch(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_cmd_service_update(store, now, req->params[0], &req->in.patch, &req->out.service,
                                     &req->detail);
    if (req->err == FO_OK) {
        req->err = fo_store_policy_get(store, req->out.service.policy_id, &req->out.policy);
    }
}

/* --- Top-ups, orders, ledger, clock ------------------------------------------------------ */

static enum fo_err decode_topup(struct fo_request *req, json_t *body, struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"amount_minor", "reference", NULL};
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_int(body, "amount_minor", true, 1, FO_TOPUP_MINOR_MAX,
                            &req->in.amount_minor, NULL, detail);
    }
    if (err == FO_OK) {
        err = fo_decode_string(body, "reference", true, &req->in.reference, detail);
    }
    return err;
}

static void execute_topup(struct fo_request *req, struct fo_store *store, int64_t now)
{
    req->err = fo_cmd_topup(store, now, req->params[0], req->in.amount_minor, req->in.reference,
                            &req->out.buyer, &req->detail);
}

static void render_topup(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_key(out, "wallet");
    fo_render_buyer_wallet(out, &req->out.buyer);
    fo_json_object_end(out);
}

static const char *const admin_orders_query_names[] = {"limit", "cursor", "state", "buyer_id",
                                                       NULL};

static void execute_verify(struct fo_request *req, struct fo_store *store, int64_t now)
{
    (void)now;
    req->out.verify = calloc(1, sizeof *req->out.verify);
    req->err =
        req->out.verify == NULL ? FO_ERR_UNAVAILABLE : fo_query_verify(store, req->out.verify);
}

static void render_verify(struct fo_request *req, struct fo_json_out *out)
{
    const struct fo_verify_report *report = req->out.verify;
    size_t listed = report->problems_count < FO_VERIFY_PROBLEMS_MAX ? report->problems_count
                                                                    : FO_VERIFY_PROBLEMS_MAX;
    fo_json_object_begin(out);
    fo_json_kv_bool(out, "ok", report->ok);
    fo_json_key(out, "problems");
    fo_json_array_begin(out);
    for (size_t index = 0; index < listed; index++) {
        fo_json_string(out, report->problems[index]);
    }
    fo_json_array_end(out);
    fo_json_kv_int(out, "problems_count", (int64_t)report->problems_count);
    fo_json_kv_int(out, "orders_count", report->orders_count);
    fo_json_kv_int(out, "buyers_count", report->buyers_count);
    fo_json_kv_int(out, "journals_count", report->journals_count);
    fo_json_object_end(out);
}

static enum fo_err decode_advance(struct fo_request *req, json_t *body,
                                  struct fo_err_detail *detail)
{
    static const char *const allowed[] = {"seconds", NULL};
    enum fo_err err = fo_decode_fields(body, allowed, detail);
    if (err == FO_OK) {
        err = fo_decode_int(body, "seconds", true, 1, FO_CLOCK_ADVANCE_S_MAX, &req->in.seconds,
                            NULL, detail);
    }
    return err;
}

/* Runs in the writer: move the clock, then apply every lease that ran out before answering
 * (API.md), in bounded rounds. */
static void execute_advance(struct fo_request *req, struct fo_store *store, int64_t now)
{
    (void)now;
    int64_t moved_to = fo_clock_advance(req->server->clock, req->in.seconds * 1000);
    size_t expired_count = FO_ALLOCATE_BATCH_MAX;
    for (int round = 0; round < 1000 && expired_count == FO_ALLOCATE_BATCH_MAX; round++) {
        req->err = fo_cmd_expire_leases(store, moved_to, FO_ALLOCATE_BATCH_MAX, &expired_count);
        if (req->err != FO_OK) {
            return;
        }
    }
    req->out.now_unix_ms = moved_to;
}

static void render_advance(struct fo_request *req, struct fo_json_out *out)
{
    fo_json_object_begin(out);
    fo_json_kv_time(out, "now", req->out.now_unix_ms);
    fo_json_object_end(out);
}

const struct fo_route fo_routes_admin[] = {
    {FO_METHOD_POST, "/v1/admin/buyers", FO_ROLES_ADMIN, FO_ROUTE_WRITE, false, decode_name,
     execute_buyer, render_buyer, 201, false, false, NULL},
    {FO_METHOD_POST, "/v1/admin/buyers/{}/topups", FO_ROLES_ADMIN, FO_ROUTE_WRITE, true,
     decode_topup, execute_topup, render_topup, 201, false, false, NULL},
    {FO_METHOD_POST, "/v1/admin/suppliers", FO_ROLES_ADMIN, FO_ROUTE_WRITE, false, decode_supplier,
     execute_supplier, render_supplier, 201, false, false, NULL},
    {FO_METHOD_POST, "/v1/admin/policies", FO_ROLES_ADMIN, FO_ROUTE_WRITE, false, decode_policy,
     execute_policy, render_policy, 201, false, false, NULL},
    {FO_METHOD_POST, "/v1/admin/services", FO_ROLES_ADMIN, FO_ROUTE_WRITE, false, decode_service,
     execute_service, render_service, 201, false, false, NULL},
    {FO_METHOD_PATCH, "/v1/admin/services/{}", FO_ROLES_ADMIN, FO_ROUTE_WRITE, false, decode_patch,
     execute_patch, render_service, 200, false, false, NULL},
    {FO_METHOD_GET, "/v1/admin/orders", FO_ROLES_ADMIN, FO_ROUTE_READ, false,
     fo_handlers_orders_decode, fo_handlers_orders_execute, fo_handlers_orders_render, 200, false,
     false, admin_orders_query_names},
    {FO_METHOD_GET, "/v1/admin/ledger/verify", FO_ROLES_ADMIN, FO_ROUTE_READ, false, NULL,
     execute_verify, render_verify, 200, false, false, NULL},
    {FO_METHOD_POST, "/v1/admin/test-clock/advance", FO_ROLES_ADMIN, FO_ROUTE_WRITE, false,
     decode_advance, execute_advance, render_advance, 200, true, false, NULL},
};
const size_t fo_routes_admin_count = sizeof fo_routes_admin / sizeof fo_routes_admin[0];
