/* Live order events as Server-Sent Events (API.md: GET /v1/orders/{id}/events with
 * Accept: text/event-stream): past events first, then live ones, `id:` = seq, `event:` =
 * type, `data:` = the event's JSON; the stream ends after the terminal event. A comment
 * line every FO_SSE_HEARTBEAT_MS keeps proxies from timing out; Last-Event-ID resumes.
 *
 * An idle stream holds neither the write path nor a database connection: when it has
 * nothing to send, its content reader suspends the connection and returns 0. A ticker
 * thread resumes every suspended stream each FO_SSE_TICK_MS when the writer committed
 * something since the last tick (or a heartbeat is due); each resumed stream then reads
 * its new events on a pooled reader connection for the few microseconds that takes.
 * Subscribers are bounded (FO_SSE_SUBSCRIBERS_MAX); past it the answer is 503. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/assert.h"
#include "http/sse.h"
#include "log.h"
#include "thread.h"

#define FO_SSE_TICK_MS         200
#define FO_SSE_HEARTBEAT_MS    15000
#define FO_SSE_EVENTS_PER_READ 64

struct fo_sse_stream {
    struct fo_sse_hub *hub;
    struct MHD_Connection *connection;
    char order_id[FO_ID_BYTES];
    int64_t last_seq;
    bool suspended;      /* Guarded by the hub's mutex. */
    _Atomic bool ending; /* The terminal event was queued, or the server stops. */
    bool registered;     /* In hub->streams. */
    int64_t last_sent_ms;
    struct fo_json_out pending; /* Bytes not yet handed to libmicrohttpd. */
    size_t pending_offset;
};

struct fo_sse_hub {
    struct fo_reader_pool *readers;
    struct fo_writer *writer;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    pthread_t ticker;
    bool stopping;
    uint64_t seen_batches_count;
    size_t streams_count;
    struct fo_sse_stream *streams[FO_SSE_SUBSCRIBERS_MAX];
};

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static bool is_terminal_event(enum fo_event_type type)
{
    return type == FO_EVENT_COMPLETED || type == FO_EVENT_CANCELLED || type == FO_EVENT_FAILED;
}

/* "id: 12\nevent: progress\ndata: {...}\n\n" into the pending buffer. */
static void format_event(struct fo_sse_stream *stream, const struct fo_event *event)
{
    struct fo_json_out data;
    fo_json_out_init(&data);
    fo_render_event(&data, event);
    char head[96];
    int head_bytes =
        snprintf(head, sizeof head, "id: %lld\nevent: %s\ndata: ", (long long)event->seq,
                 fo_event_type_name(event->type));
    FO_ASSERT(head_bytes > 0 && (size_t)head_bytes < sizeof head);
    fo_json_raw(&stream->pending, head, (size_t)head_bytes);
    fo_json_raw(&stream->pending, data.buf != NULL ? data.buf : "{}", data.length);
    fo_json_raw(&stream->pending, "\n\n", 2);
    fo_json_out_deinit(&data);
    stream->last_seq = event->seq;
    if (is_terminal_event(event->type)) {
        stream->ending = true;
    }
}

/* Read the order's events after last_seq; false when the store could not be read. */
static bool stream_fetch(struct fo_sse_stream *stream)
{
    struct fo_event *events = calloc(FO_SSE_EVENTS_PER_READ, sizeof *events);
    struct fo_store *store = events != NULL ? fo_reader_pool_acquire(stream->hub->readers) : NULL;
    if (store == NULL) {
        free(events);
        return false;
    }
    size_t count = 0;
    enum fo_err err = fo_store_event_list(store, stream->order_id, stream->last_seq, events,
                                          FO_SSE_EVENTS_PER_READ, &count);
    fo_reader_pool_release(stream->hub->readers, store);
    for (size_t index = 0; err == FO_OK && index < count && !stream->ending; index++) {
        format_event(stream, &events[index]);
    }
    free(events);
    return err == FO_OK;
}

/* Copy pending bytes out; returns how many. */
static size_t stream_drain(struct fo_sse_stream *stream, char *buf, size_t max)
{
    size_t available = stream->pending.length - stream->pending_offset;
    size_t count = available < max ? available : max;
    memcpy(buf, stream->pending.buf + stream->pending_offset, count);
    stream->pending_offset += count;
    if (stream->pending_offset == stream->pending.length) {
        stream->pending.length = 0;
        stream->pending_offset = 0;
    }
    stream->last_sent_ms = monotonic_ms();
    return count;
}

static ssize_t stream_read(void *cls, uint64_t position, char *buf, size_t max)
{
    (void)position;
    struct fo_sse_stream *stream = cls;
    FO_ASSERT(stream != NULL);
    if (stream->pending.length > stream->pending_offset) {
        return (ssize_t)stream_drain(stream, buf, max);
    }
    if (stream->ending) {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (!stream_fetch(stream)) {
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (stream->pending.length == 0 &&
        monotonic_ms() - stream->last_sent_ms >= FO_SSE_HEARTBEAT_MS) {
        fo_json_raw(&stream->pending, ": heartbeat\n\n", 13);
    }
    if (stream->pending.length > 0) {
        return (ssize_t)stream_drain(stream, buf, max);
    }
    /* Nothing to send: sleep until the ticker wakes us (never busy-wait). `ending` is read
     * again under the hub's lock: a stop that asked every stream to end between the check
     * above and here must not find this one suspended afterwards. */
    pthread_mutex_lock(&stream->hub->mutex);
    bool ending = stream->ending;
    if (!ending) {
        stream->suspended = true;
        MHD_suspend_connection(stream->connection);
    }
    pthread_mutex_unlock(&stream->hub->mutex);
    return ending ? MHD_CONTENT_READER_END_OF_STREAM : 0;
}

static void stream_free(void *cls)
{
    struct fo_sse_stream *stream = cls;
    struct fo_sse_hub *hub = stream->hub;
    pthread_mutex_lock(&hub->mutex);
    for (size_t index = 0; stream->registered && index < hub->streams_count; index++) {
        if (hub->streams[index] == stream) {
            hub->streams[index] = hub->streams[--hub->streams_count];
            break;
        }
    }
    pthread_mutex_unlock(&hub->mutex);
    fo_json_out_deinit(&stream->pending);
    free(stream);
}

/* Resume suspended streams (all of them when `force`); with the hub's mutex held. */
static void hub_resume_locked(struct fo_sse_hub *hub)
{
    for (size_t index = 0; index < hub->streams_count; index++) {
        struct fo_sse_stream *stream = hub->streams[index];
        if (stream->suspended) {
            stream->suspended = false;
            MHD_resume_connection(stream->connection);
        }
    }
}

static bool heartbeat_due_locked(const struct fo_sse_hub *hub, int64_t now_ms)
{
    for (size_t index = 0; index < hub->streams_count; index++) {
        if (now_ms - hub->streams[index]->last_sent_ms >= FO_SSE_HEARTBEAT_MS) {
            return true;
        }
    }
    return false;
}

static void *hub_ticker(void *arg)
{
    struct fo_sse_hub *hub = arg;
    fo_thread_name("fo-sse-ticker");
    pthread_mutex_lock(&hub->mutex);
    while (!hub->stopping) {
        struct timespec deadline = fo_thread_deadline(FO_SSE_TICK_MS);
        pthread_cond_timedwait(&hub->wake, &hub->mutex, &deadline);
        struct fo_writer_stats stats;
        fo_writer_stats(hub->writer, &stats);
        bool committed = stats.batches_count != hub->seen_batches_count;
        hub->seen_batches_count = stats.batches_count;
        if (committed || heartbeat_due_locked(hub, monotonic_ms())) {
            hub_resume_locked(hub);
        }
    }
    pthread_mutex_unlock(&hub->mutex);
    return NULL;
}

struct fo_sse_hub *fo_sse_hub_create(struct fo_reader_pool *readers, struct fo_writer *writer)
{
    FO_ASSERT(readers != NULL);
    FO_ASSERT(writer != NULL);
    struct fo_sse_hub *hub = calloc(1, sizeof *hub);
    if (hub == NULL) {
        return NULL;
    }
    hub->readers = readers;
    hub->writer = writer;
    pthread_mutex_init(&hub->mutex, NULL);
    pthread_cond_init(&hub->wake, NULL);
    if (pthread_create(&hub->ticker, NULL, hub_ticker, hub) != 0) {
        pthread_cond_destroy(&hub->wake);
        pthread_mutex_destroy(&hub->mutex);
        free(hub);
        return NULL;
    }
    return hub;
}

void fo_sse_hub_end_all(struct fo_sse_hub *hub)
{
    if (hub == NULL) {
        return;
    }
    pthread_mutex_lock(&hub->mutex);
    for (size_t index = 0; index < hub->streams_count; index++) {
        hub->streams[index]->ending = true;
    }
    hub_resume_locked(hub);
    pthread_mutex_unlock(&hub->mutex);
}

void fo_sse_hub_destroy(struct fo_sse_hub *hub)
{
    if (hub == NULL) {
        return;
    }
    pthread_mutex_lock(&hub->mutex);
    hub->stopping = true;
    pthread_cond_signal(&hub->wake);
    pthread_mutex_unlock(&hub->mutex);
    pthread_join(hub->ticker, NULL);
    FO_ASSERT(hub->streams_count == 0);
    pthread_cond_destroy(&hub->wake);
    pthread_mutex_destroy(&hub->mutex);
    free(hub);
}

static int64_t last_event_id(struct MHD_Connection *connection)
{
    const char *header = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Last-Event-ID");
    if (header == NULL || header[0] == '\0' || strlen(header) > 18 ||
        strspn(header, "0123456789") != strlen(header)) {
        return 0;
    }
    return (int64_t)strtoll(header, NULL, 10);
}

/* Register a stream; NULL when the hub is full or stopping. */
static struct fo_sse_stream *hub_add(struct fo_sse_hub *hub, struct MHD_Connection *connection,
                                     const char *order_id)
{
    struct fo_sse_stream *stream = calloc(1, sizeof *stream);
    if (stream == NULL) {
        return NULL;
    }
    stream->hub = hub;
    stream->connection = connection;
    snprintf(stream->order_id, sizeof stream->order_id, "%s", order_id);
    stream->last_seq = last_event_id(connection);
    stream->last_sent_ms = monotonic_ms();
    fo_json_out_init(&stream->pending);
    pthread_mutex_lock(&hub->mutex);
    bool room = !hub->stopping && hub->streams_count < FO_SSE_SUBSCRIBERS_MAX;
    if (room) {
        hub->streams[hub->streams_count++] = stream;
        stream->registered = true;
    }
    pthread_mutex_unlock(&hub->mutex);
    if (!room) {
        free(stream);
        return NULL;
    }
    return stream;
}

struct MHD_Response *fo_sse_response(struct fo_sse_hub *hub, struct MHD_Connection *connection,
                                     const char *order_id)
{
    FO_ASSERT(hub != NULL);
    FO_ASSERT(order_id != NULL);
    struct fo_sse_stream *stream = hub_add(hub, connection, order_id);
    if (stream == NULL) {
        return NULL;
    }
    struct MHD_Response *response =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, stream, stream_free);
    if (response == NULL) {
        stream_free(stream);
        return NULL;
    }
    MHD_add_response_header(response, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(response, "Cache-Control", "no-store");
    MHD_add_response_header(response, "X-Accel-Buffering", "no");
    fo_log(FO_LOG_INFO, "sse.opened", "order_id=%s after_seq=%lld", order_id,
           (long long)stream->last_seq);
    return response;
}
