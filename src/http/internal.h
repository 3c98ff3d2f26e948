/* The HTTP layer's internals: one struct fo_request per request, the route table, and
 * the contract of a handler. Shared by the files of src/http only.
 *
 * A request goes through API.md's checks in its order: route (404, 405), authentication
 * and role (401, 403), header and body size (431, 413), Content-Type (415), idempotency
 * replay or conflict, JSON syntax (400 invalid_json), fields (400 invalid_request), then
 * the business rules. A route's handler has three parts:
 *   decode(req)          — MHD thread: JSON body -> req->input (fields, 400s).
 *   execute(req, store, now) — a read on a reader connection (MHD thread), or a write in
 *                          the writer thread inside the job's command scope. Sets
 *                          req->err/detail and the result members.
 *   render(req, out)     — writes the success body (the error body is common).
 * Writes with an Idempotency-Key are rendered in the writer thread so that the answer is
 * stored atomically with what the command did. */
#ifndef FO_HTTP_INTERNAL_H
#define FO_HTTP_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commands/commands.h"
#include "commands/query.h"
#include "commands/writer.h"
#include "core/err.h"
#include "http/http.h"
#include "http/json_out.h"
#include "store/store.h"

struct fo_request;
struct fo_http_server;

enum fo_method {
    FO_METHOD_GET = 1,
    FO_METHOD_POST,
    FO_METHOD_PATCH,
    FO_METHOD_OTHER,
};

/* Which principals may use a route (a bit set of 1 << enum fo_role); 0 = public. */
#define FO_ROLES_ADMIN    (1u << FO_ROLE_ADMIN)
#define FO_ROLES_BUYER    (1u << FO_ROLE_BUYER)
#define FO_ROLES_SUPPLIER (1u << FO_ROLE_SUPPLIER)

enum fo_route_kind {
    FO_ROUTE_READ = 1,   /* Runs on a reader connection in the HTTP thread. */
    FO_ROUTE_WRITE = 2,  /* Runs in the writer thread (group commit). */
    FO_ROUTE_STATIC = 3, /* A file of the web page. */
    FO_ROUTE_STREAM = 4, /* Server-Sent Events (long-lived). */
};

struct fo_route {
    enum fo_method method;
    const char *pattern; /* "/v1/orders/{}/cancel": {} matches one path segment. */
    unsigned roles;      /* FO_ROLES_*; 0 = public. */
    enum fo_route_kind kind;
    bool idempotent; /* Takes an Idempotency-Key (API.md lists three routes). */
    enum fo_err (*decode)(struct fo_request *req, json_t *body, struct fo_err_detail *detail);
    void (*execute)(struct fo_request *req, struct fo_store *store, int64_t now_unix_ms);
    void (*render)(struct fo_request *req, struct fo_json_out *out);
    int success_status;             /* 200 or 201. */
    bool test_clock_only;           /* Exists only with --test-clock (else 404). */
    bool streams;                   /* Answers Accept: text/event-stream with Server-Sent Events. */
    const char *const *query_names; /* Query arguments of a list (NULL: limit, cursor). */
};

/* Path parameters: at most two {} segments per route, each an id or a short word. */
#define FO_PATH_PARAMS_MAX  2
#define FO_PATH_PARAM_BYTES 64

/* Inputs decoded from bodies and query strings, per route family. Strings point into
 * req->json (owned by the request) or into req->params; valid for the request's life. */
struct fo_request_input {
    struct fo_place_input place;
    struct fo_cancel_input cancel;
    struct fo_policy policy;
    struct fo_service service;
    struct fo_service_patch patch;
    struct fo_supplier supplier;
    const char *name;
    const char *reference;
    const char *reason;
    int64_t amount_minor;
    int64_t max;
    int64_t delivered;
    int64_t seconds;
    /* Lists. */
    int64_t limit;
    int64_t cursor;
    bool has_state;
    enum fo_state state;
    const char *buyer_id;
};

/* Results of execute(), per route family. */
struct fo_request_result {
    struct fo_order_view view;
    struct fo_order_view *views; /* Lists: malloc'd, views_count items. */
    size_t views_count;
    struct fo_order *orders; /* Claim: malloc'd. */
    size_t orders_count;
    struct fo_event *events; /* Events list: malloc'd. */
    size_t events_count;
    struct fo_wallet_entry *entries; /* Wallet entries: malloc'd. */
    size_t entries_count;
    struct fo_service *services;        /* Services list: malloc'd. */
    struct fo_policy *service_policies; /* The policy of each listed service. */
    size_t services_count;
    struct fo_verify_report *verify; /* malloc'd. */
    bool has_more;                   /* Lists: another page exists. */
    int64_t next_cursor;
    struct fo_buyer buyer;
    struct fo_supplier supplier;
    struct fo_policy policy;
    struct fo_service service;
    char token[FO_TOKEN_CHARS + 1]; /* Shown once; wiped after the answer. */
    int64_t now_unix_ms;
    /* Error extras (API.md): error.quote, error.policy, error.state. */
    bool has_error_quote;
    struct fo_quote error_quote;
    struct fo_order error_order; /* The order the quote is about (for its message). */
    bool has_error_policy;
    struct fo_policy error_policy;
    bool has_error_state;
    enum fo_state error_state;
};

struct fo_request {
    struct fo_job job; /* The writer's view of this request (write routes). */
    struct fo_http_server *server;
    struct MHD_Connection *connection;
    const struct fo_route *route;
    enum fo_method method;
    char path[FO_PATH_PARAM_BYTES * 4];
    char params[FO_PATH_PARAMS_MAX][FO_PATH_PARAM_BYTES];
    enum fo_lang lang;
    struct fo_principal principal;
    bool authenticated;
    int64_t started_at_ns;

    /* Idempotency (API.md). */
    bool has_key;
    char key[FO_IDEMPOTENCY_KEY_BYTES_MAX + 1];
    uint8_t request_hash[FO_REQUEST_HASH_BYTES];

    /* Body, capped at FO_BODY_BYTES_MAX. */
    char *body;
    size_t body_bytes;
    size_t body_capacity;
    bool body_too_large;
    json_t *json;

    /* Progress through the checks; an early error short-cuts to the answer. */
    bool headers_seen;
    bool suspended;   /* Suspended for the writer and not yet answered. */
    bool job_pending; /* Queued at the writer, done() not yet called. */
    bool answered;
    enum fo_err early_err;
    struct fo_err_detail early_detail;

    struct fo_request_input in;
    enum fo_err err;
    struct fo_err_detail detail;
    struct fo_request_result out;
    /* err and detail as decoding left them, for a job run again (commands/writer.h). */
    enum fo_err queued_err;
    struct fo_err_detail queued_detail;
    unsigned job_runs_count;

    /* The answer. */
    bool has_answer;
    int status;
    char *answer_body;
    size_t answer_bytes;
    const char *content_type;
    int retry_after_s;
    bool replayed;
    struct MHD_Response *stream; /* A Server-Sent Events answer instead of a body. */
};

/* --- Server state shared by the handlers ------------------------------------------------- */

struct fo_reader_pool;
struct fo_rate_limiter;
struct fo_sse_hub;

struct fo_http_server {
    struct fo_http_config config;
    struct MHD_Daemon *daemon;
    struct fo_writer *writer;
    struct fo_clock *clock;
    struct fo_reader_pool *readers;
    struct fo_rate_limiter *limiter;
    struct fo_sse_hub *sse;
    struct fo_auth_cache *auth;
    uint16_t port;
    _Atomic long requests_in_flight; /* Created and not yet completed; for graceful stop. */
    _Atomic long requests_suspended; /* Waiting on the writer: must resume before stopping. */
};

/* routes.c */
const struct fo_route *fo_http_route_find(enum fo_method method, const char *path, bool test_clock,
                                          char params[FO_PATH_PARAMS_MAX][FO_PATH_PARAM_BYTES],
                                          bool *out_path_known);

/* render.c: views shared by the handlers. */
void fo_render_policy(struct fo_json_out *out, const struct fo_policy *policy, enum fo_lang lang);
void fo_render_quote(struct fo_json_out *out, const struct fo_order *order,
                     const struct fo_quote *quote, enum fo_lang lang);
void fo_render_order_view(struct fo_json_out *out, const struct fo_order_view *view,
                          enum fo_lang lang);
/* A service; supplier_id and active only for an admin. */
void fo_render_service(struct fo_json_out *out, const struct fo_service *service,
                       const struct fo_policy *policy, enum fo_lang lang, bool for_admin);
void fo_render_buyer_wallet(struct fo_json_out *out, const struct fo_buyer *buyer);
void fo_render_event(struct fo_json_out *out, const struct fo_event *event);
/* The error body of API.md with the request's extras; sets req's answer. */
void fo_render_error(struct fo_request *req, enum fo_err err, const struct fo_err_detail *detail);
/* Render the route's success body (or the error) into req's answer. */
void fo_render_answer(struct fo_request *req);
/* A list's "next_cursor" member. */
void fo_render_next_cursor(struct fo_json_out *out, bool has_more, int64_t next_cursor);

/* decode.c: strict field decoding. Each returns FO_OK or INVALID_REQUEST naming the field. */
enum fo_err fo_decode_fields(json_t *body, const char *const *allowed,
                             struct fo_err_detail *detail);
enum fo_err fo_decode_int(json_t *body, const char *field, bool required, int64_t min, int64_t max,
                          int64_t *out, bool *out_present, struct fo_err_detail *detail);
enum fo_err fo_decode_string(json_t *body, const char *field, bool required, const char **out,
                             struct fo_err_detail *detail);
enum fo_err fo_decode_bool(json_t *body, const char *field, bool *out, bool *out_present,
                           struct fo_err_detail *detail);
/* Parse a JSON body (empty = {}): INVALID_JSON for syntax, bad UTF-8, duplicate keys,
 * depth > 64; INVALID_REQUEST (FO_FIELD_NOT_OBJECT) when not an object. */
enum fo_err fo_decode_body(const char *body, size_t bytes, json_t **out,
                           struct fo_err_detail *detail);
/* ?limit= and ?cursor= of a list (limit 1..200, default 50). */
enum fo_err fo_decode_list_args(struct fo_request *req, struct fo_err_detail *detail);
/* A query argument, or NULL when absent; an argument with an embedded NUL reads as a value
 * every parser refuses. */
const char *fo_request_query(struct fo_request *req, const char *name);
/* INVALID_REQUEST naming the first query argument not in `allowed` (NULL-terminated). */
enum fo_err fo_decode_query_names(struct fo_request *req, const char *const *allowed,
                                  struct fo_err_detail *detail);

/* pool.c: reader connections. */
enum fo_err fo_reader_pool_create(const char *db_location, size_t count,
                                  struct fo_reader_pool **out);
void fo_reader_pool_destroy(struct fo_reader_pool *pool);
struct fo_store *fo_reader_pool_acquire(struct fo_reader_pool *pool);
void fo_reader_pool_release(struct fo_reader_pool *pool, struct fo_store *store);

/* auth_cache.c: principals by token hash, hits only (principals never change while the
 * server runs). */
struct fo_auth_cache;
struct fo_auth_cache *fo_auth_cache_create(void);
void fo_auth_cache_destroy(struct fo_auth_cache *cache);
bool fo_auth_cache_get(struct fo_auth_cache *cache, const uint8_t hash[FO_TOKEN_HASH_BYTES],
                       struct fo_principal *out);
void fo_auth_cache_put(struct fo_auth_cache *cache, const uint8_t hash[FO_TOKEN_HASH_BYTES],
                       const struct fo_principal *principal);

/* ratelimit.c: token buckets per principal. */
struct fo_rate_limiter *fo_rate_limiter_create(int64_t per_second);
void fo_rate_limiter_destroy(struct fo_rate_limiter *limiter);
/* True when allowed; else *out_retry_after_s is the wait in whole seconds (>= 1). */
bool fo_rate_limiter_take(struct fo_rate_limiter *limiter, const char *principal_id,
                          int64_t now_unix_ms, int *out_retry_after_s);

#endif
