/* The HTTP server (libmicrohttpd): API.md's whole contract over the commands and queries.
 * It knows nothing about money rules; it routes, decodes, authenticates, applies the
 * idempotency rules and renders. */
#ifndef FO_HTTP_HTTP_H
#define FO_HTTP_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "commands/clock.h"
#include "commands/writer.h"
#include "core/err.h"

struct fo_http_config {
    const char *db_location; /* For the reader connections. */
    const char *listen_host; /* "127.0.0.1". */
    uint16_t listen_port;    /* 0: a free port. */
    int64_t rate_per_token;  /* 0: off; else N requests/s, bursts up to 2N. */
    unsigned threads_count;  /* HTTP threads (the pool of libmicrohttpd). */
};

struct fo_http_server;

/* Starts listening; the writer and clock are borrowed and must outlive the server. */
enum fo_err fo_http_start(const struct fo_http_config *config, struct fo_writer *writer,
                          struct fo_clock *clock, struct fo_http_server **out);
/* The port actually bound. */
uint16_t fo_http_port(const struct fo_http_server *server);
/* Stop accepting, let in-flight requests finish (bounded wait), stop; NULL is a no-op. */
void fo_http_stop(struct fo_http_server *server);

#endif
