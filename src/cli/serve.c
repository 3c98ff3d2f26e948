/* fairorder serve: the server process. Opens the store through the writer (applying
 * migrations), makes sure an admin token exists, starts the lease reaper and the HTTP
 * server, then waits for SIGTERM or SIGINT and stops gracefully: in-flight requests
 * finish, and every request answered 2xx is durable (DESIGN.md, "Durability").
 *
 * Signals are blocked in every thread before any thread starts, and the main thread takes
 * them with sigwait(): no async-signal-safety puzzles anywhere else. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/serve.h"
#include "commands/commands.h"
#include "commands/secret.h"
#include "core/assert.h"
#include "http/http.h"
#include "log.h"
#include "supplier/supplier.h"

struct serve_options {
    const char *db_location;
    const char *listen;
    bool test_clock;
    bool demo;
    int64_t rate_per_token;
    unsigned threads_count;
};

static void serve_usage(FILE *out)
{
    fprintf(
        out,
        "usage: fairorder serve --db PATH [--listen HOST:PORT] [--test-clock] [--demo]\n"
        "                       [--rate-per-token N] [--threads N]\n\n"
        "Serves the HTTP API on the embedded SQLite store in PATH (created if missing).\n"
        "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0 picks\n"
        "                       a free one). Prints 'listening on http://HOST:PORT'.\n"
        "  --test-clock         the clock stands still; POST /v1/admin/test-clock/advance\n"
        "  --demo               on an empty database, create demo data and print a buyer token\n"
        "  --rate-per-token N   at most N requests/s per token (bursts 2N); 429 beyond\n"
        "  --threads N          HTTP threads (default 2)\n\n"
        "FAIRORDER_ADMIN_TOKEN sets the admin token; without it a new database gets a\n"
        "random one, printed once on standard error. FAIRORDER_LOG=debug|info|warn|error.\n");
}

static bool parse_number(const char *text, int64_t min, int64_t max, int64_t *out)
{
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || value < min || value > max) {
        return false;
    }
    *out = (int64_t)value;
    return true;
}

static int parse_options(int argc, char **argv, struct serve_options *options)
{
    options->listen = "127.0.0.1:8080";
    options->threads_count = 2;
    for (int index = 1; index < argc; index++) {
        const char *arg = argv[index];
        const char *value = index + 1 < argc ? argv[index + 1] : NULL;
        int64_t number = 0;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            serve_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--test-clock") == 0) {
            options->test_clock = true;
        } else if (strcmp(arg, "--demo") == 0) {
            options->demo = true;
        } else if (strcmp(arg, "--db") == 0 && value != NULL) {
            options->db_location = argv[++index];
        } else if (strcmp(arg, "--listen") == 0 && value != NULL) {
            options->listen = argv[++index];
        } else if (strcmp(arg, "--rate-per-token") == 0 && value != NULL &&
                   parse_number(value, 1, 1000000, &number)) {
            options->rate_per_token = number;
            index++;
        } else if (strcmp(arg, "--threads") == 0 && value != NULL &&
                   parse_number(value, 1, 64, &number)) {
            options->threads_count = (unsigned)number;
            index++;
        } else {
            fprintf(stderr, "fairorder serve: bad option '%s' (see 'fairorder serve --help')\n",
                    arg);
            return 2;
        }
    }
    if (options->db_location == NULL) {
        fprintf(stderr, "fairorder serve: --db PATH is required (see 'fairorder serve --help')\n");
        return 2;
    }
    return -1;
}

/* "HOST:PORT" into host (a buffer) and port. */
static bool split_listen(const char *listen, char *host, size_t host_bytes, uint16_t *port)
{
    const char *colon = strrchr(listen, ':');
    int64_t number = 0;
    if (colon == NULL || (size_t)(colon - listen) >= host_bytes ||
        !parse_number(colon + 1, 0, 65535, &number)) {
        return false;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, host_bytes, "127.0.0.1");
    }
    *port = (uint16_t)number;
    return true;
}

static void set_log_level(void)
{
    const char *level = getenv("FAIRORDER_LOG");
    if (level == NULL) {
        return;
    }
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int index = 0; index < 4; index++) {
        if (strcmp(level, names[index]) == 0) {
            fo_log_set_level((enum fo_log_level)index);
        }
    }
}

static void block_signals(sigset_t *signals)
{
    sigemptyset(signals);
    sigaddset(signals, SIGTERM);
    sigaddset(signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, signals, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int serve_run(const struct serve_options *options, const char *host, uint16_t port)
{
    sigset_t signals;
    block_signals(&signals);
    struct fo_serve_runtime runtime;
    memset(&runtime, 0, sizeof runtime);
    if (fo_serve_runtime_start(&runtime, options->db_location, options->test_clock,
                               options->demo) != FO_OK) {
        return 1;
    }
    struct fo_http_config config = {
        .db_location = options->db_location,
        .listen_host = host,
        .listen_port = port,
        .rate_per_token = options->rate_per_token,
        .threads_count = options->threads_count,
    };
    struct fo_http_server *http = NULL;
    if (fo_http_start(&config, runtime.writer, runtime.clock, &http) != FO_OK) {
        fo_serve_runtime_stop(&runtime);
        return 1;
    }
    char url[128];
    snprintf(url, sizeof url, "http://%s:%u", host, (unsigned)fo_http_port(http));
    if (options->demo) {
        fo_serve_demo(&runtime, url);
    }
    fo_log_flush(); /* The lines before it come first. */
    fprintf(stderr, "listening on %s\n", url);
    fo_log(FO_LOG_INFO, "server.started", "url=%s db=%s test_clock=%d", url, options->db_location,
           options->test_clock ? 1 : 0);
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    fo_log(FO_LOG_INFO, "server.stopping", "signal=%d", signal_number);
    fo_http_stop(http);
    fo_serve_runtime_stop(&runtime);
    fo_log(FO_LOG_INFO, "server.stopped", "db=%s", options->db_location);
    return 0;
}

int fo_cli_serve(int argc, char **argv)
{
    struct serve_options options;
    memset(&options, 0, sizeof options);
    int early_exit = parse_options(argc, argv, &options);
    if (early_exit >= 0) {
        return early_exit;
    }
    char host[64];
    uint16_t port = 0;
    if (!split_listen(options.listen, host, sizeof host, &port)) {
        fprintf(stderr, "fairorder serve: --listen wants HOST:PORT, e.g. 127.0.0.1:8080\n");
        return 2;
    }
    set_log_level();
    fo_secret_init();
    if (!fo_log_buffer_start()) {
        fo_log(FO_LOG_WARN, "log.unbuffered",
               "detail=\"no thread for the log buffer\" action=\"none: lines are written one "
               "by one\"");
    }
    int status = serve_run(&options, host, port);
    fo_log_buffer_stop();
    return status;
}
