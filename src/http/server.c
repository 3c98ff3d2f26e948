/* The libmicrohttpd glue: one struct fo_request per request, taken through API.md's
 * checks in their order, then to a reader (reads) or the writer thread (writes).
 *
 * libmicrohttpd 0.9.75 as packaged shapes this file:
 * - The access handler is called once with the headers, then with each piece of the body,
 *   then once more with no data. A response is queued only on that last call (queueing on
 *   the first call closes a keep-alive connection), except when the declared body is over
 *   the limit: then we answer at once and let the connection close.
 * - A write is handed to the writer thread and the connection is suspended (never blocking
 *   a pool thread on a commit); the writer's done() resumes it, and the next call answers.
 *   The connection is suspended *before* the job is queued, so done() can never resume a
 *   connection that is not yet suspended.
 * - Headers are counted here (431 past FO_HEADER_BYTES_MAX) because the connection memory
 *   limit is raised so that libmicrohttpd does not answer them with its own HTML page. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "commands/secret.h"
#include "core/assert.h"
#include "core/text.h"
#include "http/internal.h"
#include "http/sse.h"
#include "log.h"

static int64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static enum fo_method method_parse(const char *method)
{
    /* HEAD is GET without the body, which libmicrohttpd leaves out by itself. */
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        return FO_METHOD_GET;
    }
    if (strcmp(method, "POST") == 0) {
        return FO_METHOD_POST;
    }
    if (strcmp(method, "PATCH") == 0) {
        return FO_METHOD_PATCH;
    }
    return FO_METHOD_OTHER;
}

static void request_fail(struct fo_request *req, enum fo_err err, const char *field)
{
    if (req->early_err != FO_OK) {
        return; /* The first failing check answers. */
    }
    req->early_err = err;
    if (field != NULL) {
        fo_err_field(&req->early_detail, field, FO_FIELD_BAD_VALUE);
    }
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    size_t *total = cls;
    *total += strlen(key) + (value != NULL ? strlen(value) : 0);
    return MHD_YES;
}

/* Who holds this token hash: the cache, else the store (and remember a hit). */
static enum fo_err lookup_principal(struct fo_http_server *server,
                                    const uint8_t hash[FO_TOKEN_HASH_BYTES],
                                    struct fo_principal *out)
{
    if (fo_auth_cache_get(server->auth, hash, out)) {
        return FO_OK;
    }
    struct fo_store *store = fo_reader_pool_acquire(server->readers);
    if (store == NULL) {
        return FO_ERR_UNAVAILABLE;
    }
    enum fo_err err = fo_store_principal_by_token(store, hash, out);
    fo_reader_pool_release(server->readers, store);
    if (err == FO_OK) {
        fo_auth_cache_put(server->auth, hash, out);
    }
    return err;
}

static void check_auth(struct fo_request *req)
{
    const char *header =
        MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, "Authorization");
    if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) {
        request_fail(req, FO_ERR_UNAUTHORIZED, NULL);
        return;
    }
    const char *token = header + 7;
    size_t token_bytes = strlen(token);
    if (token_bytes == 0 || token_bytes > FO_TOKEN_BYTES_MAX) {
        request_fail(req, FO_ERR_UNAUTHORIZED, NULL);
        return;
    }
    uint8_t hash[FO_TOKEN_HASH_BYTES];
    fo_secret_token_hash(token, token_bytes, hash);
    enum fo_err err = lookup_principal(req->server, hash, &req->principal);
    if (err == FO_ERR_NOT_FOUND) {
        request_fail(req, FO_ERR_UNAUTHORIZED, NULL);
        return;
    }
    if (err != FO_OK) {
        request_fail(req, err, NULL);
        return;
    }
    req->authenticated = true;
    if ((req->route->roles & (1u << req->principal.role)) == 0) {
        request_fail(req, FO_ERR_FORBIDDEN, NULL);
    }
}

static void check_rate(struct fo_request *req)
{
    if (req->server->limiter == NULL || !req->authenticated || req->early_err != FO_OK) {
        return;
    }
    int retry_after_s = 0;
    /* Real time, not the server's clock: a standing test clock must not freeze the buckets. */
    int64_t now_unix_ms = monotonic_ns() / 1000000;
    if (!fo_rate_limiter_take(req->server->limiter, req->principal.id, now_unix_ms,
                              &retry_after_s)) {
        req->retry_after_s = retry_after_s;
        request_fail(req, FO_ERR_RATE_LIMITED, NULL);
    }
}

/* Header and declared body size (431, 413), after route and authentication. */
static void check_sizes(struct fo_request *req)
{
    size_t header_bytes = 0;
    MHD_get_connection_values(req->connection, MHD_HEADER_KIND, count_header, &header_bytes);
    if (header_bytes > FO_HEADER_BYTES_MAX) {
        request_fail(req, FO_ERR_HEADERS_TOO_LARGE, NULL);
        return;
    }
    const char *length =
        MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, "Content-Length");
    if (length != NULL && strlen(length) > 9) {
        request_fail(req, FO_ERR_BODY_TOO_LARGE, NULL);
    } else if (length != NULL && strtol(length, NULL, 10) > FO_BODY_BYTES_MAX) {
        request_fail(req, FO_ERR_BODY_TOO_LARGE, NULL);
    }
}

/* The checks that need only the request line and headers, in API.md's order. */
static void request_first_checks(struct fo_request *req, const char *url)
{
    bool path_known = false;
    req->route = fo_http_route_find(req->method, url, fo_clock_is_test(req->server->clock),
                                    req->params, &path_known);
    if (req->route == NULL) {
        request_fail(req, path_known ? FO_ERR_METHOD_NOT_ALLOWED : FO_ERR_NOT_FOUND, NULL);
        return;
    }
    if (req->route->roles != 0) {
        check_auth(req);
    }
    check_rate(req);
    check_sizes(req);
}

static struct fo_request *request_create(struct fo_http_server *server,
                                         struct MHD_Connection *connection, const char *url,
                                         const char *method)
{
    struct fo_request *req = calloc(1, sizeof *req);
    if (req == NULL) {
        return NULL;
    }
    req->server = server;
    req->connection = connection;
    req->method = method_parse(method);
    req->started_at_ns = monotonic_ns();
    size_t url_bytes = strlen(url);
    if (url_bytes >= sizeof req->path) {
        url_bytes = sizeof req->path - 1;
    }
    memcpy(req->path, url, url_bytes);
    req->path[url_bytes] = '\0';
    server->requests_in_flight++;
    req->lang = fo_text_lang_from_header(
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Accept-Language"));
    return req;
}

/* Free what the command's result holds; the result is left unusable. */
static void result_release(struct fo_request_result *result)
{
    fo_secret_wipe(result->token, sizeof result->token);
    free(result->views);
    free(result->orders);
    free(result->events);
    free(result->entries);
    free(result->services);
    free(result->service_policies);
    free(result->verify);
}

static void request_destroy(struct fo_request *req)
{
    if (req == NULL) {
        return;
    }
    if (req->json != NULL) {
        json_decref(req->json);
    }
    result_release(&req->out);
    free(req->body);
    free(req->answer_body);
    free(req);
}

static void request_append_body(struct fo_request *req, const char *data, size_t bytes)
{
    if (req->early_err != FO_OK || req->body_too_large) {
        return; /* Discard: the answer is already decided. */
    }
    if (req->body_bytes + bytes > FO_BODY_BYTES_MAX) {
        req->body_too_large = true;
        request_fail(req, FO_ERR_BODY_TOO_LARGE, NULL);
        return;
    }
    if (req->body_bytes + bytes > req->body_capacity) {
        size_t capacity = req->body_capacity == 0 ? 1024 : req->body_capacity;
        while (capacity < req->body_bytes + bytes) {
            capacity *= 2;
        }
        char *grown = realloc(req->body, capacity);
        if (grown == NULL) {
            request_fail(req, FO_ERR_UNAVAILABLE, NULL);
            return;
        }
        req->body = grown;
        req->body_capacity = capacity;
    }
    memcpy(req->body + req->body_bytes, data, bytes);
    req->body_bytes += bytes;
}

static bool content_type_is_json(const char *value)
{
    if (value == NULL) {
        return false;
    }
    while (*value == ' ') {
        value++;
    }
    size_t bytes = strlen("application/json");
    if (strncasecmp(value, "application/json", bytes) != 0) {
        return false;
    }
    char next = value[bytes];
    return next == '\0' || next == ';' || next == ' ';
}

/* Idempotency-Key: 1..255 printable ASCII. */
static void read_idempotency_key(struct fo_request *req)
{
    const char *key =
        MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, "Idempotency-Key");
    if (key == NULL || !req->route->idempotent) {
        return;
    }
    size_t bytes = strlen(key);
    bool printable = bytes >= 1 && bytes <= FO_IDEMPOTENCY_KEY_BYTES_MAX;
    for (size_t index = 0; printable && index < bytes; index++) {
        printable = key[index] >= 0x20 && key[index] <= 0x7e;
    }
    if (!printable) {
        req->early_err = fo_err_field_range(&req->early_detail, "Idempotency-Key",
                                            FO_FIELD_BAD_LENGTH, 1, FO_IDEMPOTENCY_KEY_BYTES_MAX);
        return;
    }
    memcpy(req->key, key, bytes + 1);
    req->has_key = true;
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, FO_REQUEST_HASH_BYTES);
    uint8_t method_byte = (uint8_t)req->method;
    crypto_generichash_update(&state, &method_byte, 1);
    crypto_generichash_update(&state, (const uint8_t *)req->path, strlen(req->path) + 1);
    crypto_generichash_update(&state, (const uint8_t *)req->body, req->body_bytes);
    crypto_generichash_final(&state, req->request_hash, FO_REQUEST_HASH_BYTES);
}

/* Content-Type (415), then JSON syntax and fields (400) for routes with a body. */
static void decode_request(struct fo_request *req)
{
    bool has_body_method = req->method == FO_METHOD_POST || req->method == FO_METHOD_PATCH;
    if (has_body_method && req->body_bytes > 0 &&
        !content_type_is_json(
            MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, "Content-Type"))) {
        req->early_err = FO_ERR_UNSUPPORTED_MEDIA_TYPE;
        return;
    }
    if (req->route->kind == FO_ROUTE_WRITE) {
        read_idempotency_key(req);
        if (req->early_err != FO_OK) {
            return;
        }
    }
    if (req->route->decode == NULL) {
        return;
    }
    json_t *body = NULL;
    if (has_body_method) {
        req->err = fo_decode_body(req->body, req->body_bytes, &body, &req->detail);
        if (req->err != FO_OK) {
            return;
        }
        req->json = body;
    }
    req->err = req->route->decode(req, body, &req->detail);
}

static void answer_error(struct fo_request *req, enum fo_err err,
                         const struct fo_err_detail *detail)
{
    free(req->answer_body);
    req->answer_body = NULL;
    fo_render_error(req, err, detail);
}

/* --- Writes: the writer thread's side -------------------------------------------------- */

static struct fo_request *request_of_job(struct fo_job *job)
{
    FO_ASSERT(job != NULL);
    return (struct fo_request *)(void *)((char *)job - offsetof(struct fo_request, job));
}

static void answer_replay(struct fo_request *req, const struct fo_idempotency *record)
{
    free(req->answer_body);
    req->answer_body = malloc(record->body_bytes + 1);
    if (req->answer_body == NULL) {
        answer_error(req, FO_ERR_UNAVAILABLE, NULL);
        return;
    }
    memcpy(req->answer_body, record->body, record->body_bytes);
    req->answer_body[record->body_bytes] = '\0';
    req->answer_bytes = record->body_bytes;
    req->status = record->status;
    req->content_type = "application/json; charset=utf-8";
    req->has_answer = true;
    req->replayed = true;
}

/* Store the rendered answer (every status below 500) under the key, in the job's scope. */
static bool remember_answer(struct fo_request *req, struct fo_store *store,
                            struct fo_idempotency *record)
{
    if (req->status >= 500 || req->answer_bytes > sizeof record->body) {
        return false;
    }
    memcpy(record->request_hash, req->request_hash, FO_REQUEST_HASH_BYTES);
    record->status = req->status;
    memcpy(record->body, req->answer_body, req->answer_bytes);
    record->body_bytes = req->answer_bytes;
    record->created_at_unix_ms = req->out.now_unix_ms;
    enum fo_err err = fo_store_idempotency_put(store, req->principal.id, req->key, record);
    if (err != FO_OK) {
        answer_error(req, err, NULL);
        return false;
    }
    return true;
}

/* A write with an Idempotency-Key: replay, conflict, or run and remember atomically. */
static void job_run_idempotent(struct fo_request *req, struct fo_store *store, int64_t now)
{
    struct fo_idempotency *record = malloc(sizeof *record);
    if (record == NULL) {
        answer_error(req, FO_ERR_UNAVAILABLE, NULL);
        return;
    }
    enum fo_err err = fo_store_idempotency_get(store, req->principal.id, req->key, record);
    if (err == FO_OK) {
        if (sodium_memcmp(record->request_hash, req->request_hash, FO_REQUEST_HASH_BYTES) == 0) {
            answer_replay(req, record);
        } else {
            answer_error(req, FO_ERR_IDEMPOTENCY_CONFLICT, NULL);
        }
    } else if (err != FO_ERR_NOT_FOUND) {
        answer_error(req, err, NULL);
    } else if (req->err != FO_OK) {
        fo_render_answer(req); /* A 400 from decoding is remembered too. */
        req->job.keep = remember_answer(req, store, record);
    } else if (fo_store_command_begin(store) != FO_OK) {
        answer_error(req, FO_ERR_UNAVAILABLE, NULL);
    } else {
        req->route->execute(req, store, now);
        bool kept = fo_store_command_end(store, req->err == FO_OK) == FO_OK;
        if (!kept) {
            req->err = FO_ERR_UNAVAILABLE;
        }
        fo_render_answer(req);
        req->job.keep = remember_answer(req, store, record);
    }
    free(record);
}

/* Back to the request as it was queued: its batch is run again (commands/writer.h). */
static void job_forget_run(struct fo_request *req)
{
    result_release(&req->out);
    memset(&req->out, 0, sizeof req->out);
    free(req->answer_body);
    req->answer_body = NULL;
    req->answer_bytes = 0;
    req->has_answer = false;
    req->replayed = false;
    req->status = 0;
    req->content_type = NULL;
    req->err = req->queued_err;
    req->detail = req->queued_detail;
}

static void job_run(struct fo_job *job, struct fo_store *store, int64_t now_unix_ms)
{
    struct fo_request *req = request_of_job(job);
    if (req->job_runs_count > 0) {
        job_forget_run(req);
    }
    req->job_runs_count++;
    req->out.now_unix_ms = now_unix_ms;
    job->keep = false;
    if (req->has_key) {
        job_run_idempotent(req, store, now_unix_ms);
        return;
    }
    req->route->execute(req, store, now_unix_ms);
    job->keep = req->err == FO_OK;
}

static void job_done(struct fo_job *job)
{
    struct fo_request *req = request_of_job(job);
    FO_ASSERT(req->suspended);
    FO_ASSERT(req->job_pending);
    req->job_pending = false;
    MHD_resume_connection(req->connection);
}

/* --- The answer -------------------------------------------------------------------------- */

static enum MHD_Result queue_stream(struct fo_request *req)
{
    enum MHD_Result result = MHD_queue_response(req->connection, MHD_HTTP_OK, req->stream);
    MHD_destroy_response(req->stream);
    req->stream = NULL;
    req->status = MHD_HTTP_OK;
    req->answered = true;
    return result;
}

static enum MHD_Result queue_answer(struct fo_request *req)
{
    FO_ASSERT(req->has_answer);
    FO_ASSERT(!req->answered);
    if (req->stream != NULL) {
        return queue_stream(req);
    }
    struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback(
        req->answer_bytes, req->answer_body, free);
    if (response == NULL) {
        return MHD_NO;
    }
    req->answer_body = NULL; /* Owned by the response now. */
    MHD_add_response_header(response, "Content-Type",
                            req->content_type != NULL ? req->content_type
                                                      : "application/json; charset=utf-8");
    if (req->route == NULL || req->route->kind != FO_ROUTE_STATIC) {
        MHD_add_response_header(response, "Cache-Control", "no-store");
    }
    if (req->retry_after_s > 0) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%d", req->retry_after_s);
        MHD_add_response_header(response, "Retry-After", seconds);
    }
    if (req->replayed) {
        MHD_add_response_header(response, "Idempotent-Replayed", "true");
    }
    enum MHD_Result result = MHD_queue_response(req->connection, (unsigned)req->status, response);
    MHD_destroy_response(response);
    req->answered = true;
    return result;
}

static bool wants_event_stream(struct fo_request *req)
{
    const char *accept = MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, "Accept");
    return accept != NULL && strstr(accept, "text/event-stream") != NULL;
}

/* Server-Sent Events: ownership was checked by the route's read. */
static void start_stream(struct fo_request *req)
{
    req->stream = fo_sse_response(req->server->sse, req->connection, req->params[0]);
    if (req->stream == NULL) {
        answer_error(req, FO_ERR_UNAVAILABLE, NULL);
        return;
    }
    req->has_answer = true;
}

static void run_read(struct fo_request *req)
{
    struct fo_store *store = fo_reader_pool_acquire(req->server->readers);
    if (store == NULL) {
        answer_error(req, FO_ERR_UNAVAILABLE, NULL);
        return;
    }
    int64_t now_unix_ms = fo_clock_now(req->server->clock);
    req->out.now_unix_ms = now_unix_ms;
    if (fo_store_read_begin(store) != FO_OK) {
        fo_reader_pool_release(req->server->readers, store);
        answer_error(req, FO_ERR_UNAVAILABLE, NULL);
        return;
    }
    req->route->execute(req, store, now_unix_ms);
    fo_store_read_end(store);
    fo_reader_pool_release(req->server->readers, store);
    if (req->err == FO_OK && req->route->streams && wants_event_stream(req)) {
        start_stream(req);
        return;
    }
    fo_render_answer(req);
}

/* Hand a write to the writer: suspend first, then queue (see the file comment). */
static void run_write(struct fo_request *req)
{
    req->job.run = job_run;
    req->job.done = job_done;
    req->queued_err = req->err;
    req->queued_detail = req->detail;
    req->suspended = true;
    req->job_pending = true;
    req->server->requests_suspended++;
    MHD_suspend_connection(req->connection);
    if (fo_writer_submit(req->server->writer, &req->job) != FO_OK) {
        req->job_pending = false;
        req->suspended = false;
        req->server->requests_suspended--;
        MHD_resume_connection(req->connection);
        answer_error(req, FO_ERR_UNAVAILABLE, NULL);
    }
}

/* After the headers and the whole body: decide, then answer or hand over. */
static void request_dispatch(struct fo_request *req)
{
    if (req->early_err == FO_OK && req->route != NULL && req->route->kind != FO_ROUTE_STATIC) {
        decode_request(req);
    }
    if (req->early_err != FO_OK) {
        answer_error(req, req->early_err, &req->early_detail);
        return;
    }
    if (req->route->kind == FO_ROUTE_WRITE && (req->err == FO_OK || req->has_key)) {
        run_write(req);
        return;
    }
    if (req->err != FO_OK) {
        fo_render_answer(req);
        return;
    }
    if (req->route->kind == FO_ROUTE_STATIC || req->route->kind == FO_ROUTE_STREAM) {
        req->route->execute(req, NULL, fo_clock_now(req->server->clock));
        if (!req->has_answer) {
            fo_render_answer(req);
        }
        return;
    }
    run_read(req);
}

/* Called again after the writer resumed us. */
static void request_after_write(struct fo_request *req)
{
    req->suspended = false;
    req->server->requests_suspended--;
    if (req->job.commit_err != FO_OK) {
        answer_error(req, req->job.commit_err, NULL);
        return;
    }
    if (!req->has_answer) {
        fo_render_answer(req);
    }
}

static bool body_declared_too_large(const struct fo_request *req)
{
    return req->early_err == FO_ERR_BODY_TOO_LARGE && !req->body_too_large;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **request_slot)
{
    (void)version;
    struct fo_request *req = *request_slot;
    if (req == NULL) {
        req = request_create(cls, connection, url, method);
        if (req == NULL) {
            return MHD_NO;
        }
        *request_slot = req;
        request_first_checks(req, url);
        if (body_declared_too_large(req)) {
            answer_error(req, req->early_err, &req->early_detail);
            return queue_answer(req); /* Closes the connection: we will not read it. */
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        request_append_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->answered) {
        return MHD_YES;
    }
    if (req->suspended) {
        request_after_write(req);
    } else if (!req->has_answer) {
        request_dispatch(req);
    }
    return req->has_answer && !req->suspended ? queue_answer(req) : MHD_YES;
}

static const char *method_name(enum fo_method method)
{
    switch (method) {
    case FO_METHOD_GET:
        return "GET";
    case FO_METHOD_POST:
        return "POST";
    case FO_METHOD_PATCH:
        return "PATCH";
    case FO_METHOD_OTHER:
        return "OTHER";
    }
    return "OTHER";
}

/* One line per request: writes (the events that change something) at info, reads at
 * debug, server errors at error. The order id is named whenever the request had one. */
static void log_request(const struct fo_request *req)
{
    int64_t elapsed_us = (monotonic_ns() - req->started_at_ns) / 1000;
    const char *order_id = req->out.view.order.id[0] != '\0' ? req->out.view.order.id : "-";
    bool write = req->route != NULL && req->route->kind == FO_ROUTE_WRITE;
    enum fo_log_level level = write ? FO_LOG_INFO : FO_LOG_DEBUG;
    if (req->status >= 500) {
        level = FO_LOG_ERROR;
    }
    fo_log(level, "http.request",
           "method=%s path=%s status=%d us=%lld principal=%s order_id=%s replayed=%d",
           method_name(req->method), req->path, req->status, (long long)elapsed_us,
           req->authenticated ? req->principal.id : "-", order_id, req->replayed ? 1 : 0);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **request_slot,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)connection;
    (void)code;
    struct fo_request *req = *request_slot;
    if (req == NULL) {
        return;
    }
    /* A write's client may leave while the writer runs it: libmicrohttpd then ends the
     * request after done() resumed it, without calling the handler again. */
    FO_ASSERT(!req->job_pending);
    if (req->suspended) {
        req->suspended = false;
        req->server->requests_suspended--;
    }
    log_request(req);
    req->server->requests_in_flight--;
    request_destroy(req);
    *request_slot = NULL;
}

/* --- Start and stop ------------------------------------------------------------------- */

static void on_mhd_log(void *cls, const char *format, va_list args)
{
    (void)cls;
    char message[512];
    vsnprintf(message, sizeof message, format, args);
    fo_log(FO_LOG_WARN, "http.library", "message=\"%s\"", message);
}

static enum fo_err start_daemon(struct fo_http_server *server)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(server->config.listen_port);
    if (inet_pton(AF_INET, server->config.listen_host, &address.sin_addr) != 1) {
        fo_log(FO_LOG_ERROR, "http.listen",
               "host=%s problem=\"not an IPv4 address; use e.g. "
               "127.0.0.1:8080\"",
               server->config.listen_host);
        return FO_ERR_INVALID_REQUEST;
    }
    unsigned threads_count = server->config.threads_count > 0 ? server->config.threads_count : 2;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    server->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, server, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, server,
        MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_THREAD_POOL_SIZE, threads_count,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)FO_CONNECTION_MEMORY_BYTES,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)FO_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)120, MHD_OPTION_NOTIFY_COMPLETED, on_completed, server, MHD_OPTION_END);
    if (server->daemon == NULL) {
        fo_log(FO_LOG_ERROR, "http.listen",
               "host=%s port=%u problem=\"cannot listen: is the "
               "port in use? pick another with --listen\"",
               server->config.listen_host, (unsigned)server->config.listen_port);
        return FO_ERR_UNAVAILABLE;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    server->port = info != NULL ? info->port : server->config.listen_port;
    return FO_OK;
}

enum fo_err fo_http_start(const struct fo_http_config *config, struct fo_writer *writer,
                          struct fo_clock *clock, struct fo_http_server **out)
{
    FO_ASSERT(config != NULL);
    FO_ASSERT(out != NULL);
    struct fo_http_server *server = calloc(1, sizeof *server);
    if (server == NULL) {
        return FO_ERR_UNAVAILABLE;
    }
    server->config = *config;
    server->writer = writer;
    server->clock = clock;
    enum fo_err err = fo_reader_pool_create(config->db_location, FO_READERS_MAX, &server->readers);
    if (err == FO_OK && config->rate_per_token > 0) {
        server->limiter = fo_rate_limiter_create(config->rate_per_token);
        err = server->limiter != NULL ? FO_OK : FO_ERR_UNAVAILABLE;
    }
    if (err == FO_OK) {
        server->sse = fo_sse_hub_create(server->readers, writer);
        server->auth = fo_auth_cache_create();
        err = server->sse != NULL && server->auth != NULL ? FO_OK : FO_ERR_UNAVAILABLE;
    }
    if (err == FO_OK) {
        err = start_daemon(server);
    }
    if (err != FO_OK) {
        fo_auth_cache_destroy(server->auth);
        fo_sse_hub_destroy(server->sse);
        fo_rate_limiter_destroy(server->limiter);
        fo_reader_pool_destroy(server->readers);
        free(server);
        return err;
    }
    *out = server;
    return FO_OK;
}

uint16_t fo_http_port(const struct fo_http_server *server)
{
    FO_ASSERT(server != NULL);
    return server->port;
}

void fo_http_stop(struct fo_http_server *server)
{
    if (server == NULL) {
        return;
    }
    /* Stop accepting, then let the requests in flight finish. Writes still queued at the
     * writer complete and resume their connections, and a daemon must never stop with one
     * suspended: wait for those (bounded by the writer's queue). Others, such as a client
     * that stopped sending half-way, get a short grace and are then closed. */
    MHD_socket listen_socket = MHD_quiesce_daemon(server->daemon);
    if (listen_socket != MHD_INVALID_SOCKET) {
        close(listen_socket);
    }
    fo_sse_hub_end_all(server->sse);
    for (int waited_ms = 0; waited_ms < FO_STOP_WAIT_MS; waited_ms += 5) {
        bool idle = server->requests_in_flight == 0 || waited_ms >= FO_STOP_GRACE_MS;
        if (server->requests_suspended == 0 && idle) {
            break;
        }
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(server->daemon);
    fo_sse_hub_destroy(server->sse);
    fo_auth_cache_destroy(server->auth);
    fo_rate_limiter_destroy(server->limiter);
    fo_reader_pool_destroy(server->readers);
    free(server);
}
