/* A small HTTP/1.1 client for the command-line clients of the API (`fairorder admin …`,
 * `fairorder order …`): plain TCP to an http://HOST:PORT URL, no TLS, one request per
 * connection (Connection: close).
 *
 * Everything is bounded: the connect, the whole exchange and, for event streams, each
 * silence between two reads have a timeout; status line and headers fit in
 * FO_HTTP_HEAD_BYTES_MAX; a body is at most FO_HTTP_BODY_BYTES_MAX (Content-Length,
 * chunked, or read to the close); one Server-Sent Event is at most FO_HTTP_EVENT_BYTES_MAX.
 * A failure of the transport (no connection, timeout, malformed or oversized answer) is
 * FO_ERR_UNAVAILABLE with one human line in the caller's `problem` buffer; an HTTP answer
 * of any status is a success of the transport. No global state: the caller owns the
 * client and every response. */
#ifndef FO_CLI_HTTP_CLIENT_H
#define FO_CLI_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"

/* Largest answer body we keep: the biggest real one, a list of 200 order views, is under
 * 1 MiB; past 4 MiB something is wrong and we stop reading. */
#define FO_HTTP_BODY_BYTES_MAX (4 * 1024 * 1024)
/* Status line plus headers of an answer. */
#define FO_HTTP_HEAD_BYTES_MAX (64 * 1024)
/* One Server-Sent Event's data (one rendered event, under 1 KiB in practice). */
#define FO_HTTP_EVENT_BYTES_MAX (64 * 1024)
/* A host name, as in a URL. */
#define FO_HTTP_HOST_BYTES 256
/* Connect, and the whole of one ordinary request and its answer. */
#define FO_HTTP_CONNECT_TIMEOUT_MS  5000
#define FO_HTTP_EXCHANGE_TIMEOUT_MS 30000
/* An event stream may stay silent this long; the server sends a heartbeat every 15 s. */
#define FO_HTTP_STREAM_IDLE_TIMEOUT_MS 45000
/* A human line about a transport failure. */
#define FO_HTTP_PROBLEM_BYTES 256

struct fo_http_client {
    char host[FO_HTTP_HOST_BYTES];      /* Name or address, without brackets. */
    char port[8];                       /* Decimal, 1..65535. */
    char token[FO_TOKEN_BYTES_MAX + 1]; /* Bearer token; "" sends no Authorization. */
    char accept_language[8];            /* "zh" or "en". */
    int connect_timeout_ms;             /* > 0. */
    int exchange_timeout_ms;            /* > 0. */
    int stream_idle_timeout_ms;         /* > 0. */
    int64_t stream_total_timeout_ms;    /* A whole event stream; 0 for no limit. */
};

struct fo_http_request {
    const char *method;          /* "GET", "POST", "PATCH". */
    const char *path;            /* Absolute path with query, e.g. "/v1/orders?state=queued". */
    const char *body;            /* JSON text, or NULL for no body. */
    const char *idempotency_key; /* Or NULL. */
    const char *last_event_id;   /* Or NULL; only for event streams. */
};

struct fo_http_response {
    int status;             /* 100..599. */
    char content_type[128]; /* As sent, "" when absent. */
    char *body;             /* NUL-terminated; owned, freed by fo_http_response_deinit. */
    size_t body_bytes;      /* Without the NUL. */
};

/* One Server-Sent Event, valid during the callback only. */
struct fo_http_event {
    const char *id;    /* The last `id:` seen on the stream ("" when none yet). */
    const char *event; /* The `event:` of this event ("message" when absent). */
    const char *data;  /* The `data:` lines joined with '\n'. */
    size_t data_bytes;
};

/* Fill `client` from a URL of the form http://HOST[:PORT][/] (IPv6 as [::1]), a token
 * (NULL or "" for none) and a language ("zh" or "en"). Timeouts get the defaults above.
 * FO_ERR_INVALID_REQUEST with a line in `problem` when the URL or token is unusable. */
enum fo_err fo_http_client_init(struct fo_http_client *client, const char *url, const char *token,
                                const char *accept_language, char *problem, size_t problem_bytes);

/* Send `request` and read the whole answer into `out` (which the caller must release
 * with fo_http_response_deinit, whatever is returned). FO_OK for any HTTP status;
 * FO_ERR_UNAVAILABLE with a line in `problem` when the exchange itself failed. */
enum fo_err fo_http_client_send(const struct fo_http_client *client,
                                const struct fo_http_request *request, struct fo_http_response *out,
                                char *problem, size_t problem_bytes);

/* Send `request` with Accept: text/event-stream. When the answer is 2xx with Content-Type
 * text/event-stream, call `on_event` for each event until it returns false or the server
 * closes the stream; `out` then has the status and an empty body. Any other answer is read
 * whole into `out` and no event is delivered: the caller decides what to do. A stream that
 * stays silent longer than the idle timeout, or breaks, is FO_ERR_UNAVAILABLE; events
 * delivered before that stay delivered (resume with last_event_id). */
enum fo_err
fo_http_client_stream(const struct fo_http_client *client, const struct fo_http_request *request,
                      struct fo_http_response *out, char *problem, size_t problem_bytes,
                      bool (*on_event)(const struct fo_http_event *event, void *context),
                      void *context);

/* Release the body of a response; safe on a zeroed or already released one. */
void fo_http_response_deinit(struct fo_http_response *response);

#endif
