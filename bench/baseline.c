/* The baseline server of the benchmark: fairorder's HTTP stack answering a constant body.
 *
 * Every figure of the real server is reported as a ratio to this one, measured by the
 * same load generator with the same connections in the same run, because the machines
 * are shared and noisy. So it must cost exactly what fairorder's HTTP layer costs before
 * any of fairorder's own work: the same libmicrohttpd 0.9.75 daemon flags (epoll internal
 * thread, suspend/resume allowed), a pool of 2 threads, the same connection count, memory
 * and timeout limits (core/limits.h), and the answer queued on the handler's second call,
 * never its first (queueing on the first call closes keep-alive connections in 0.9.75).
 * The body is a constant order view of about 1 KiB, so both servers send similar bytes.
 *
 *   baseline --listen 127.0.0.1:0   prints "listening on http://127.0.0.1:PORT" on stderr,
 *                                   answers 200 to every method and path, stops on
 *                                   SIGTERM or SIGINT. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "core/assert.h"
#include "core/limits.h"

/* Pool threads, as fairorder's server defaults to. */
#define BASELINE_THREADS_COUNT 2
/* Idle keep-alive connections are closed after this long, as in fairorder's server. */
#define BASELINE_CONNECTION_TIMEOUT_S 120

/* A constant order view: the shape and size of what fairorder answers for an order. */
static const char baseline_body[] =
    "{\"id\":\"ord_0baseline0000000000000\",\"buyer_id\":\"byr_0baseline0000000000000\","
    "\"service_id\":\"svc_0baseline0000000000000\",\"quantity\":100,\"delivered\":0,"
    "\"unit_price_minor\":10,\"amount_minor\":1000,\"currency\":\"CNY\","
    "\"target\":\"bench-target-0001\",\"state\":\"queued\","
    "\"placed_at\":\"2026-11-25T19:00:00.000Z\",\"updated_at\":\"2026-11-25T19:00:00.000Z\","
    "\"policy\":{\"id\":\"pol_0baseline0000000000000\",\"name\":\"bench\","
    "\"cooling_off_s\":600,\"pending\":\"full_refund\",\"queued\":\"full_refund\","
    "\"executing\":\"prorated\",\"fee_fixed_minor\":50,\"fee_bps\":200,"
    "\"free_cancels_per_day\":5,\"summary\":\"Free cancellation within 10 minutes of "
    "purchase (up to 5 times a day). Waiting orders: full refund. Orders in the supplier's "
    "queue: full refund. In progress: delivered units are charged, the rest is refunded "
    "minus a fee of 0.50 + 2%.\"},"
    "\"cancel\":{\"allowed\":true,\"reason\":\"cooling_off\",\"message\":\"You can cancel "
    "now for a full refund of 10.00; free cancellation ends at 19:10.\","
    "\"charged_minor\":0,\"fee_minor\":0,\"refund_minor\":1000,"
    "\"rule_changes_at\":\"2026-11-25T19:10:00.000Z\"},\"settlement\":null}";

_Static_assert(sizeof baseline_body > 900 && sizeof baseline_body < 1400,
               "the baseline body must be about the size of an order view");

/* Marks a request whose first call has been seen. */
static int baseline_started_marker;

static enum MHD_Result baseline_on_request(void *cls, struct MHD_Connection *connection,
                                           const char *url, const char *method, const char *version,
                                           const char *upload_data, size_t *upload_data_size,
                                           void **request_slot)
{
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    struct MHD_Response *response = cls;
    FO_ASSERT(response != NULL);
    FO_ASSERT(upload_data_size != NULL);
    if (*request_slot == NULL) {
        *request_slot = &baseline_started_marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* The body is read and ignored. */
        return MHD_YES;
    }
    return MHD_queue_response(connection, MHD_HTTP_OK, response);
}

static int baseline_parse_listen(const char *listen, struct sockaddr_in *out)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host) {
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535) {
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

static struct MHD_Daemon *baseline_start(struct sockaddr_in *address, struct MHD_Response *response)
{
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    return MHD_start_daemon(flags, 0, NULL, NULL, baseline_on_request, response,
                            MHD_OPTION_SOCK_ADDR, address, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)BASELINE_THREADS_COUNT, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                            (size_t)FO_CONNECTION_MEMORY_BYTES, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)FO_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)BASELINE_CONNECTION_TIMEOUT_S, MHD_OPTION_END);
}

int main(int argc, char **argv)
{
    struct sockaddr_in address;
    if (argc != 3 || strcmp(argv[1], "--listen") != 0 ||
        baseline_parse_listen(argv[2], &address) != 0) {
        fprintf(stderr, "usage: baseline --listen 127.0.0.1:PORT (0 takes a free port)\n");
        return 2;
    }
    /* Block the stop signals before the daemon's threads exist, so only sigwait sees them. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    struct MHD_Response *response = MHD_create_response_from_buffer(
        sizeof baseline_body - 1, (void *)baseline_body, MHD_RESPMEM_PERSISTENT);
    FO_ASSERT(response != NULL);
    MHD_add_response_header(response, "Content-Type", "application/json");
    struct MHD_Daemon *daemon = baseline_start(&address, response);
    if (daemon == NULL) {
        fprintf(stderr, "baseline: cannot listen on %s\n", argv[2]);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    FO_ASSERT(info != NULL);
    fprintf(stderr, "listening on http://%s:%u\n", inet_ntoa(address.sin_addr),
            (unsigned)info->port);
    fflush(stderr);

    int signal_number = 0;
    sigwait(&signals, &signal_number);
    MHD_stop_daemon(daemon);
    MHD_destroy_response(response);
    return 0;
}
