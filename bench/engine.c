/* The load generator's engine: non-blocking sockets on one epoll set (see loadgen.h).
 *
 * Each connection is a small state machine: connecting, then one request in flight at a
 * time, the next sent as soon as the answer is complete (closed loop, as wrk and real
 * clients do). A connection that fails (reset, malformed answer, timeout) is counted,
 * closed, and reopened after a pause, so a dead server cannot spin the loop. The loop is
 * bounded by the run's window; bounds on counts set run->stop. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/assert.h"
#include "loadgen.h"

/* A request without an answer for this long is a timeout; its connection is replaced. */
#define ENGINE_REQUEST_TIMEOUT_NS (INT64_C(10) * 1000000000)
/* A failed connection is reopened after this pause. */
#define ENGINE_RECONNECT_PAUSE_NS (INT64_C(100) * 1000000)
/* A phase with no answer at all for this long stops: the server is gone or wedged. */
#define ENGINE_STALL_NS (INT64_C(15) * 1000000000)
/* At the end, answers still in flight are awaited this long (unmeasured), so the server
 * sees clients finish rather than vanish mid-request. */
#define ENGINE_DRAIN_NS (INT64_C(5) * 1000000000)
/* Timeouts and reconnects are looked at this often. */
#define ENGINE_TICK_NS       (INT64_C(10) * 1000000)
#define ENGINE_EVENTS_MAX    256
#define ENGINE_EPOLL_WAIT_MS 10
/* Error answers printed on standard error per phase, for diagnosis. */
#define ENGINE_ERROR_BODIES_SHOWN_MAX 3
#define ENGINE_ERROR_BODY_SHOWN_BYTES 300

int64_t lg_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void engine_close(struct lg_conn *conn)
{
    if (conn->fd >= 0) {
        close(conn->fd); /* Also leaves the epoll set: the descriptor is never duplicated. */
    }
    conn->fd = -1;
    conn->connected = false;
    conn->busy = false;
    conn->want_out = false;
    conn->response_bytes = 0;
}

/* Count a transport failure, abandon the workflow, reopen after a pause. */
static void engine_fail(struct lg_run *run, struct lg_conn *conn, bool timeout)
{
    if (timeout) {
        run->stats.timeouts_count++;
    } else {
        run->stats.transport_errors_count++;
    }
    engine_close(conn);
    conn->flow = NULL;
    conn->retry_at_ns = lg_now_ns() + ENGINE_RECONNECT_PAUSE_NS;
}

static bool engine_watch(struct lg_run *run, struct lg_conn *conn, int operation, bool out)
{
    struct epoll_event event;
    memset(&event, 0, sizeof event);
    event.events = EPOLLIN | (out ? (uint32_t)EPOLLOUT : 0U);
    event.data.ptr = conn;
    conn->want_out = out;
    return epoll_ctl(run->epoll_fd, operation, conn->fd, &event) == 0;
}

static void engine_open(struct lg_run *run, struct lg_conn *conn)
{
    FO_ASSERT(conn->fd < 0);
    run->stats.connects_count++;
    conn->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (conn->fd < 0) {
        engine_fail(run, conn, false);
        return;
    }
    int one = 1;
    setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(run->options->port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int result = connect(conn->fd, (struct sockaddr *)&address, sizeof address);
    if ((result != 0 && errno != EINPROGRESS) || !engine_watch(run, conn, EPOLL_CTL_ADD, true)) {
        engine_fail(run, conn, false);
    }
}

static void engine_send(struct lg_run *run, struct lg_conn *conn)
{
    for (uint32_t attempts_count = 0; conn->sent_bytes < conn->request_bytes; attempts_count++) {
        ssize_t sent = send(conn->fd, conn->request + conn->sent_bytes,
                            conn->request_bytes - conn->sent_bytes, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR && attempts_count < 100) {
            continue;
        }
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!conn->want_out && !engine_watch(run, conn, EPOLL_CTL_MOD, true)) {
                engine_fail(run, conn, false);
            }
            return;
        }
        if (sent <= 0) {
            engine_fail(run, conn, false);
            return;
        }
        conn->sent_bytes += (size_t)sent;
    }
    if (conn->want_out && !engine_watch(run, conn, EPOLL_CTL_MOD, false)) {
        engine_fail(run, conn, false);
    }
}

static void engine_conn_done(struct lg_run *run, struct lg_conn *conn)
{
    FO_ASSERT(!conn->done);
    conn->done = true;
    run->conns_done_count++;
    FO_ASSERT(run->conns_done_count <= run->conns_count);
    if (run->conns_done_count == run->conns_count) {
        run->stop = true;
    }
}

static void engine_start_request(struct lg_run *run, struct lg_conn *conn)
{
    FO_ASSERT(conn->connected && !conn->busy);
    if (run->stop) {
        return;
    }
    if (conn->flow == NULL && lg_flows_next(run, conn) == NULL) {
        engine_conn_done(run, conn);
        return;
    }
    bool built = lg_flows_build_request(run, conn);
    FO_ASSERT(built);
    conn->busy = true;
    conn->response_bytes = 0;
    conn->request_start_ns = lg_now_ns();
    engine_send(run, conn);
}

static void engine_show_error(struct lg_run *run, const struct lg_conn *conn,
                              const struct fo_wire_response *response)
{
    if (run->stats.error_bodies_shown_count >= ENGINE_ERROR_BODIES_SHOWN_MAX) {
        return;
    }
    run->stats.error_bodies_shown_count++;
    const char *line_end = memchr(conn->request, '\r', conn->request_bytes);
    int line_bytes = line_end != NULL ? (int)(line_end - conn->request) : 0;
    int body_bytes = response->body_bytes < ENGINE_ERROR_BODY_SHOWN_BYTES
                         ? (int)response->body_bytes
                         : ENGINE_ERROR_BODY_SHOWN_BYTES;
    fprintf(stderr, "loadgen: %d to \"%.*s\": %.*s\n", response->status, line_bytes, conn->request,
            body_bytes, response->body);
}

/* Book the answer, move the workflow on, and count what ends. */
static void engine_book(struct lg_run *run, struct lg_conn *conn,
                        const struct fo_wire_response *response, int64_t now)
{
    bool measured = now >= run->measure_start_ns && now < run->measure_end_ns;
    run->stats.answers_total++;
    uint64_t latency_ns = (uint64_t)(now - conn->request_start_ns);
    if (measured) {
        fo_hist_record(&run->stats.all, latency_ns);
        fo_hist_record(lg_flows_step_is_write(conn) ? &run->stats.writes : &run->stats.reads,
                       latency_ns);
        run->stats.requests_count++;
    }
    bool success = response->status >= 200 && response->status < 300;
    if (!success) {
        run->stats.status_counts[response->status]++;
        engine_show_error(run, conn, response);
    }
    if (!success || !lg_flows_on_answer(run, conn, response)) {
        conn->flow = NULL; /* Abandoned; the next workflow starts afresh. */
        return;
    }
    conn->step_index++;
    if (conn->step_index < conn->flow->steps_count) {
        return;
    }
    conn->flow = NULL;
    run->stats.workflows_total++;
    run->stats.workflows_count += measured ? 1 : 0;
    const struct lg_options *options = run->options;
    if (options->workflows_max > 0 && run->stats.workflows_total >= options->workflows_max) {
        run->stop = true;
    }
}

static void engine_on_readable(struct lg_run *run, struct lg_conn *conn)
{
    size_t room_bytes = sizeof conn->response - conn->response_bytes;
    ssize_t received = recv(conn->fd, conn->response + conn->response_bytes, room_bytes, 0);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return;
    }
    if (received <= 0 || !conn->busy) {
        engine_fail(run, conn, false);
        return;
    }
    conn->response_bytes += (size_t)received;
    struct fo_wire_response response;
    enum fo_wire_parse parsed =
        fo_wire_response_parse(conn->response, conn->response_bytes, &response);
    if (parsed == FO_WIRE_INCOMPLETE && conn->response_bytes < sizeof conn->response) {
        return;
    }
    if (parsed != FO_WIRE_COMPLETE || response.consumed_bytes != conn->response_bytes) {
        engine_fail(run, conn, false); /* Malformed, too large, or unasked-for bytes. */
        return;
    }
    run->last_answer_ns = lg_now_ns();
    engine_book(run, conn, &response, run->last_answer_ns);
    conn->busy = false;
    const struct lg_options *options = run->options;
    if (options->requests_max > 0 && run->stats.requests_count >= options->requests_max) {
        run->stop = true;
    }
    if (response.close) {
        engine_close(conn); /* Not an error: reopened at once. */
        if (!run->stop) {
            engine_open(run, conn);
        }
        return;
    }
    if (!run->stop) {
        engine_start_request(run, conn);
    }
}

static void engine_on_event(struct lg_run *run, struct lg_conn *conn, uint32_t events)
{
    if (conn->fd < 0 || conn->done) {
        return;
    }
    if (!conn->connected) {
        int error = 0;
        socklen_t error_bytes = sizeof error;
        getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &error, &error_bytes);
        if (error != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0 ||
            !engine_watch(run, conn, EPOLL_CTL_MOD, false)) {
            engine_fail(run, conn, false);
            return;
        }
        conn->connected = true;
        engine_start_request(run, conn);
        return;
    }
    if ((events & EPOLLIN) != 0) {
        engine_on_readable(run, conn);
    } else if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
        engine_fail(run, conn, false);
    } else if ((events & EPOLLOUT) != 0 && conn->busy) {
        engine_send(run, conn);
    }
}

/* Reopen closed connections and replace those whose answer is overdue. */
static void engine_tick(struct lg_run *run, int64_t now)
{
    if (now - run->last_answer_ns > ENGINE_STALL_NS) {
        fprintf(stderr, "loadgen: no answer for %lld s: is the server alive?\n",
                (long long)(ENGINE_STALL_NS / 1000000000));
        run->stalled = true;
        run->stop = true;
        return;
    }
    for (uint32_t index = 0; index < run->conns_count && !run->stop; index++) {
        struct lg_conn *conn = &run->conns[index];
        if (conn->done) {
            continue;
        }
        if (conn->fd < 0 && now >= conn->retry_at_ns) {
            engine_open(run, conn);
        } else if (conn->busy && now - conn->request_start_ns > ENGINE_REQUEST_TIMEOUT_NS) {
            engine_fail(run, conn, true);
        }
    }
}

static void engine_loop(struct lg_run *run)
{
    struct epoll_event events[ENGINE_EVENTS_MAX];
    int64_t next_tick_ns = 0;
    int64_t now = lg_now_ns();
    while (!run->stop && now < run->measure_end_ns) {
        if (now >= next_tick_ns) {
            engine_tick(run, now);
            next_tick_ns = now + ENGINE_TICK_NS;
        }
        int ready_count =
            epoll_wait(run->epoll_fd, events, ENGINE_EVENTS_MAX, ENGINE_EPOLL_WAIT_MS);
        for (int index = 0; index < ready_count && !run->stop; index++) {
            engine_on_event(run, events[index].data.ptr, events[index].events);
        }
        now = lg_now_ns();
    }
    run->measure_end_ns = now < run->measure_end_ns ? now : run->measure_end_ns;
}

static uint32_t engine_busy_count(const struct lg_run *run)
{
    uint32_t busy_count = 0;
    for (uint32_t index = 0; index < run->conns_count; index++) {
        busy_count += run->conns[index].busy ? 1U : 0U;
    }
    return busy_count;
}

/* Start nothing new; wait (bounded) for the answers in flight. */
static void engine_drain(struct lg_run *run)
{
    run->stop = true;
    struct epoll_event events[ENGINE_EVENTS_MAX];
    int64_t deadline_ns = lg_now_ns() + ENGINE_DRAIN_NS;
    while (!run->stalled && engine_busy_count(run) > 0 && lg_now_ns() < deadline_ns) {
        int ready_count =
            epoll_wait(run->epoll_fd, events, ENGINE_EVENTS_MAX, ENGINE_EPOLL_WAIT_MS);
        for (int index = 0; index < ready_count; index++) {
            engine_on_event(run, events[index].data.ptr, events[index].events);
        }
    }
}

bool lg_engine_run(struct lg_run *run, int64_t warmup_ns, int64_t duration_ns)
{
    FO_ASSERT(run != NULL);
    FO_ASSERT(run->conns_count >= 1 && run->conns_count <= LG_CONNECTIONS_MAX);
    FO_ASSERT(run->accounts_count >= 1);
    run->conns = calloc(run->conns_count, sizeof *run->conns);
    run->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (run->conns == NULL || run->epoll_fd < 0) {
        fprintf(stderr, "loadgen: out of memory or descriptors\n");
        free(run->conns);
        return false;
    }
    for (uint32_t index = 0; index < run->conns_count; index++) {
        run->conns[index].fd = -1;
        run->conns[index].index = index;
        run->conns[index].account_index = index % run->accounts_count;
    }
    run->conns_done_count = 0;
    run->stop = false;
    run->last_answer_ns = lg_now_ns();
    run->measure_start_ns = lg_now_ns() + warmup_ns;
    run->measure_end_ns = run->measure_start_ns + duration_ns;
    engine_loop(run);
    engine_drain(run);
    for (uint32_t index = 0; index < run->conns_count; index++) {
        engine_close(&run->conns[index]);
    }
    close(run->epoll_fd);
    free(run->conns);
    run->conns = NULL;
    return !run->stalled;
}
