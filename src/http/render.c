/* Rendering of API.md's views (order view, policy, quote, service, wallet, events) and of
 * the one error shape, {"error": {"code", "message", ...extras}}. Handlers never invent
 * error strings: the code and its message come from the core's error table, the field
 * from the detail. Everything is written with the streaming writer of json_out.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/text.h"
#include "http/internal.h"
#include "log.h"

static void render_policy_fresh(struct fo_json_out *out, const struct fo_policy *policy,
                                enum fo_lang lang)
{
    char summary[FO_TEXT_BYTES];
    size_t summary_bytes = fo_text_policy_summary(policy, lang, summary, sizeof summary);
    fo_json_object_begin(out);
    fo_json_kv_string(out, "id", policy->id);
    fo_json_kv_string(out, "name", policy->name);
    fo_json_kv_int(out, "cooling_off_s", policy->cooling_off_s);
    fo_json_kv_string(out, "pending", fo_pending_rule_name(policy->pending));
    fo_json_kv_string(out, "queued", fo_queued_rule_name(policy->queued));
    fo_json_kv_string(out, "executing", fo_executing_rule_name(policy->executing));
    fo_json_kv_int(out, "fee_fixed_minor", policy->fee_fixed_minor);
    fo_json_kv_int(out, "fee_bps", policy->fee_bps);
    fo_json_kv_int(out, "free_cancels_per_day", policy->free_cancels_per_day);
    fo_json_key(out, "summary");
    fo_json_string_n(out, summary, summary_bytes);
    fo_json_object_end(out);
}

/* A policy's JSON (with its plain-words summary) is a function of the policy and the
 * language only, and every order view carries one: each HTTP thread keeps the last few it
 * wrote (rendering them was a third of an order view's time). The key is every field of
 * the policy, not just its id, so a slot can never serve another policy's words (ids are
 * unique within a database, but one process may see several: the tests do). */
#define POLICY_CACHE_SLOTS 8
#define POLICY_JSON_BYTES  4096

struct policy_cache_slot {
    bool used;
    enum fo_lang lang;
    struct fo_policy policy;
    size_t bytes;
    char json[POLICY_JSON_BYTES];
};

static _Thread_local struct policy_cache_slot policy_cache[POLICY_CACHE_SLOTS];

static bool policy_same(const struct fo_policy *a, const struct fo_policy *b)
{
    return strcmp(a->id, b->id) == 0 && strcmp(a->name, b->name) == 0 &&
           a->cooling_off_s == b->cooling_off_s && a->pending == b->pending &&
           a->queued == b->queued && a->executing == b->executing &&
           a->fee_fixed_minor == b->fee_fixed_minor && a->fee_bps == b->fee_bps &&
           a->free_cancels_per_day == b->free_cancels_per_day &&
           a->created_at_unix_ms == b->created_at_unix_ms;
}

void fo_render_policy(struct fo_json_out *out, const struct fo_policy *policy, enum fo_lang lang)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(policy != NULL);
    size_t hash = (size_t)lang;
    for (const char *c = policy->id; *c != '\0'; c++) {
        hash = hash * 31U + (unsigned char)*c;
    }
    struct policy_cache_slot *slot = &policy_cache[hash % POLICY_CACHE_SLOTS];
    if (slot->used && slot->lang == lang && policy_same(&slot->policy, policy)) {
        fo_json_raw(out, slot->json, slot->bytes);
        return;
    }
    struct fo_json_out fresh;
    fo_json_out_init(&fresh);
    render_policy_fresh(&fresh, policy, lang);
    if (fresh.overflow || fresh.buf == NULL) { /* Out of memory: in place, cache nothing. */
        fo_json_out_deinit(&fresh);
        render_policy_fresh(out, policy, lang);
        return;
    }
    size_t bytes = 0;
    char *json = fo_json_out_take(&fresh, &bytes);
    fo_json_raw(out, json, bytes);
    slot->used = bytes <= sizeof slot->json;
    if (slot->used) {
        memcpy(slot->json, json, bytes);
        slot->bytes = bytes;
        slot->policy = *policy;
        slot->lang = lang;
    }
    free(json);
}

void fo_render_quote(struct fo_json_out *out, const struct fo_order *order,
                     const struct fo_quote *quote, enum fo_lang lang)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(quote != NULL);
    char message[FO_TEXT_BYTES];
    fo_text_quote_message(order, quote, lang, message, sizeof message);
    fo_json_object_begin(out);
    fo_json_kv_bool(out, "allowed", quote->allowed);
    fo_json_kv_string(out, "reason", fo_reason_name(quote->reason));
    fo_json_kv_string(out, "message", message);
    fo_json_kv_int(out, "charged_minor", quote->split.charged_minor);
    fo_json_kv_int(out, "fee_minor", quote->split.fee_minor);
    fo_json_kv_int(out, "refund_minor", quote->split.refund_minor);
    if (quote->has_rule_change) {
        fo_json_kv_time(out, "rule_changes_at", quote->rule_changes_at_unix_ms);
    } else {
        fo_json_kv_null(out, "rule_changes_at");
    }
    fo_json_object_end(out);
}

static void render_settlement(struct fo_json_out *out, const struct fo_order *order)
{
    if (!order->settled) {
        fo_json_kv_null(out, "settlement");
        return;
    }
    const struct fo_settlement *settlement = &order->settlement;
    fo_json_key(out, "settlement");
    fo_json_object_begin(out);
    fo_json_kv_string(out, "reason", fo_reason_name(settlement->reason));
    fo_json_kv_int(out, "charged_minor", settlement->split.charged_minor);
    fo_json_kv_int(out, "fee_minor", settlement->split.fee_minor);
    fo_json_kv_int(out, "refund_minor", settlement->split.refund_minor);
    fo_json_kv_time(out, "at", settlement->at_unix_ms);
    fo_json_object_end(out);
}

void fo_render_order_view(struct fo_json_out *out, const struct fo_order_view *view,
                          enum fo_lang lang)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(view != NULL);
    const struct fo_order *order = &view->order;
    fo_json_object_begin(out);
    fo_json_kv_string(out, "id", order->id);
    fo_json_kv_string(out, "buyer_id", order->buyer_id);
    fo_json_kv_string(out, "service_id", order->service_id);
    fo_json_kv_int(out, "quantity", order->quantity);
    fo_json_kv_int(out, "delivered", order->delivered);
    fo_json_kv_int(out, "unit_price_minor", order->unit_price_minor);
    fo_json_kv_int(out, "amount_minor", order->amount_minor);
    fo_json_kv_string(out, "currency", order->currency);
    fo_json_kv_string(out, "target", order->target);
    fo_json_kv_string(out, "state", fo_state_name(order->state));
    fo_json_kv_time(out, "placed_at", order->placed_at_unix_ms);
    fo_json_kv_time(out, "updated_at", order->updated_at_unix_ms);
    fo_json_key(out, "policy");
    fo_render_policy(out, &order->policy, lang);
    fo_json_key(out, "cancel");
    fo_render_quote(out, order, &view->quote, lang);
    render_settlement(out, order);
    fo_json_object_end(out);
}

void fo_render_service(struct fo_json_out *out, const struct fo_service *service,
                       const struct fo_policy *policy, enum fo_lang lang, bool for_admin)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(service != NULL);
    fo_json_object_begin(out);
    fo_json_kv_string(out, "id", service->id);
    fo_json_kv_string(out, "name", service->name);
    fo_json_kv_string(out, "unit", service->unit);
    fo_json_kv_int(out, "unit_price_minor", service->unit_price_minor);
    fo_json_kv_int(out, "min_quantity", service->min_quantity);
    fo_json_kv_int(out, "max_quantity", service->max_quantity);
    fo_json_kv_string(out, "currency", service->currency);
    fo_json_kv_string(out, "policy_id", service->policy_id);
    if (for_admin) {
        /* Which supplier fulfils a service is the operator's business, not the buyer's. */
        fo_json_kv_string(out, "supplier_id", service->supplier_id);
        fo_json_kv_bool(out, "active", service->active);
    }
    if (policy != NULL) {
        fo_json_key(out, "policy");
        fo_render_policy(out, policy, lang);
    }
    fo_json_object_end(out);
}

void fo_render_buyer_wallet(struct fo_json_out *out, const struct fo_buyer *buyer)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(buyer != NULL);
    fo_json_object_begin(out);
    fo_json_kv_int(out, "available_minor", buyer->available_minor);
    fo_json_kv_int(out, "held_minor", buyer->held_minor);
    fo_json_kv_string(out, "currency", buyer->currency);
    fo_json_object_end(out);
}

void fo_render_event(struct fo_json_out *out, const struct fo_event *event)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(event != NULL);
    fo_json_object_begin(out);
    fo_json_kv_int(out, "seq", event->seq);
    fo_json_kv_time(out, "at", event->at_unix_ms);
    fo_json_kv_string(out, "type", fo_event_type_name(event->type));
    fo_json_kv_string(out, "state", fo_state_name(event->state));
    fo_json_kv_int(out, "delivered", event->delivered);
    fo_json_kv_string(out, "actor", fo_actor_name(event->actor));
    fo_json_kv_string(out, "detail", event->detail);
    fo_json_object_end(out);
}

void fo_render_next_cursor(struct fo_json_out *out, bool has_more, int64_t next_cursor)
{
    FO_ASSERT(out != NULL);
    if (!has_more) {
        fo_json_kv_null(out, "next_cursor");
        return;
    }
    char cursor[FO_CURSOR_BYTES_MAX];
    snprintf(cursor, sizeof cursor, "c%lld", (long long)next_cursor);
    fo_json_kv_string(out, "next_cursor", cursor);
}

static void set_answer(struct fo_request *req, int status, struct fo_json_out *out)
{
    if (out->overflow) {
        fo_json_out_deinit(out);
        fo_log(FO_LOG_ERROR, "http.render",
               "path=%s problem=\"answer over %d bytes; a bug: "
               "report it\"",
               req->path, FO_ANSWER_BYTES_MAX);
        fo_render_error(req, FO_ERR_INTERNAL, NULL);
        return;
    }
    free(req->answer_body);
    req->answer_body = fo_json_out_take(out, &req->answer_bytes);
    req->status = status;
    req->content_type = "application/json; charset=utf-8";
    req->has_answer = true;
}

static void render_error_extras(struct fo_request *req, struct fo_json_out *out, enum fo_err err)
{
    const struct fo_request_result *result = &req->out;
    if (result->has_error_quote && (err == FO_ERR_NOT_CANCELLABLE || err == FO_ERR_QUOTE_CHANGED)) {
        fo_json_key(out, "quote");
        fo_render_quote(out, &result->error_order, &result->error_quote, req->lang);
    }
    if (result->has_error_policy && err == FO_ERR_POLICY_CHANGED) {
        fo_json_key(out, "policy");
        fo_render_policy(out, &result->error_policy, req->lang);
    }
    if (result->has_error_state && err == FO_ERR_JOB_NOT_ACTIVE) {
        fo_json_kv_string(out, "state", fo_state_name(result->error_state));
    }
}

void fo_render_error(struct fo_request *req, enum fo_err err, const struct fo_err_detail *detail)
{
    FO_ASSERT(req != NULL);
    FO_ASSERT(err != FO_OK);
    char message[FO_TEXT_BYTES];
    fo_err_format(err, detail, req->lang, message, sizeof message);
    struct fo_json_out out;
    fo_json_out_init(&out);
    fo_json_object_begin(&out);
    fo_json_key(&out, "error");
    fo_json_object_begin(&out);
    fo_json_kv_string(&out, "code", fo_err_code(err));
    fo_json_kv_string(&out, "message", message);
    if (detail != NULL && detail->field[0] != '\0') {
        fo_json_kv_string(&out, "field", detail->field);
    }
    render_error_extras(req, &out, err);
    fo_json_object_end(&out);
    fo_json_object_end(&out);
    FO_ASSERT(!out.overflow);
    free(req->answer_body);
    req->answer_body = fo_json_out_take(&out, &req->answer_bytes);
    req->status = fo_err_http_status(err);
    req->content_type = "application/json; charset=utf-8";
    req->has_answer = true;
}

void fo_render_answer(struct fo_request *req)
{
    FO_ASSERT(req != NULL);
    FO_ASSERT(req->route != NULL);
    if (req->err != FO_OK) {
        fo_render_error(req, req->err, &req->detail);
        return;
    }
    struct fo_json_out out;
    fo_json_out_init(&out);
    req->route->render(req, &out);
    set_answer(req, req->route->success_status, &out);
}
