/* The HTTP/1.1 client of the command-line clients (see http_client.h for the contract).
 *
 * One request per connection: connect (non-blocking, with a timeout), write the request,
 * read the status line and headers, then the body as its framing says (Content-Length,
 * chunked, or until the server closes). Every wait goes through poll() with the nearer of
 * the exchange's deadline and the idle timeout, so nothing here can block forever, and
 * every buffer has a fixed bound. Server-Sent Events are parsed byte by byte as the
 * chunks arrive (lines end in LF, CR or CRLF; comments are skipped; `data:` lines join).
 *
 * Not here: TLS, redirects, keep-alive, proxies. The server is ours, on the operator's
 * network, spoken to over plain HTTP as DESIGN.md says. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/http_client.h"
#include "core/assert.h"

#define CONNECTION_BUFFER_BYTES 16384
#define REQUEST_HEAD_BYTES      8192
#define HEAD_LINES_MAX          200
#define TRAILER_LINES_MAX       100
#define INFORMATIONAL_MAX       5

struct connection {
    int fd;
    int64_t deadline_ms; /* Monotonic; 0 for none. */
    int idle_timeout_ms; /* Longest single wait; > 0. */
    size_t start;        /* Unread bytes are buffer[start..end). */
    size_t end;
    bool eof;      /* The server closed its side. */
    char *problem; /* The caller's buffer for one human line. */
    size_t problem_bytes;
    char buffer[CONNECTION_BUFFER_BYTES];
};

struct head {
    int status;
    char content_type[128];
    bool chunked;
    bool has_length;
    uint64_t length;
};

enum body_mode { BODY_LENGTH, BODY_CHUNKED, BODY_UNTIL_CLOSE };

struct body_reader {
    enum body_mode mode;
    uint64_t remaining; /* Of the Content-Length, or of the current chunk. */
    bool in_chunk;      /* A chunk's data was read and its CRLF is still to come. */
    bool done;
};

struct sse_parser {
    char line[FO_HTTP_EVENT_BYTES_MAX + 64];
    size_t line_bytes;
    bool after_cr;
    bool stop; /* The callback asked to stop. */
    char id[64];
    char event[64];
    char data[FO_HTTP_EVENT_BYTES_MAX + 1];
    size_t data_bytes;
    bool (*on_event)(const struct fo_http_event *event, void *context);
    void *context;
};

static void set_problem(char *problem, size_t problem_bytes, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void set_problem(char *problem, size_t problem_bytes, const char *format, ...)
{
    if (problem == NULL || problem_bytes == 0) {
        return;
    }
    va_list args;
    va_start(args, format);
    vsnprintf(problem, problem_bytes, format, args);
    va_end(args);
}

static int64_t monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* True when text has only printable ASCII (no CR or LF to smuggle a header). */
static bool printable_ascii(const char *text)
{
    FO_ASSERT(text != NULL);
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (*cursor < 0x20 || *cursor > 0x7e) {
            return false;
        }
    }
    return true;
}

static bool url_split_host(const char *authority, size_t bytes, char *host, char *port)
{
    FO_ASSERT(authority != NULL);
    FO_ASSERT(host != NULL);
    FO_ASSERT(port != NULL);
    const char *host_start = authority;
    size_t host_bytes = bytes;
    const char *port_text = NULL;
    if (bytes > 0 && authority[0] == '[') {
        const char *close = memchr(authority, ']', bytes);
        if (close == NULL) {
            return false;
        }
        host_start = authority + 1;
        host_bytes = (size_t)(close - host_start);
        port_text = close + 1 < authority + bytes ? close + 1 : NULL;
        if (port_text != NULL && *port_text != ':') {
            return false;
        }
    } else {
        const char *colon = memchr(authority, ':', bytes);
        host_bytes = colon != NULL ? (size_t)(colon - authority) : bytes;
        port_text = colon;
    }
    if (host_bytes == 0 || host_bytes >= FO_HTTP_HOST_BYTES) {
        return false;
    }
    memcpy(host, host_start, host_bytes);
    host[host_bytes] = '\0';
    size_t port_bytes = port_text != NULL ? (size_t)(authority + bytes - port_text - 1) : 0;
    if (port_text == NULL) {
        memcpy(port, "80", 3);
        return true;
    }
    if (port_bytes == 0 || port_bytes > 5 || strspn(port_text + 1, "0123456789") < port_bytes) {
        return false;
    }
    memcpy(port, port_text + 1, port_bytes);
    port[port_bytes] = '\0';
    long value = strtol(port, NULL, 10);
    return value >= 1 && value <= 65535;
}

enum fo_err fo_http_client_init(struct fo_http_client *client, const char *url, const char *token,
                                const char *accept_language, char *problem, size_t problem_bytes)
{
    FO_ASSERT(client != NULL);
    FO_ASSERT(url != NULL);
    memset(client, 0, sizeof *client);
    static const char scheme[] = "http://";
    if (strncasecmp(url, scheme, sizeof scheme - 1) != 0) {
        set_problem(problem, problem_bytes, "the server URL must start with http:// (got '%s')",
                    url);
        return FO_ERR_INVALID_REQUEST;
    }
    const char *authority = url + sizeof scheme - 1;
    size_t authority_bytes = strcspn(authority, "/");
    const char *rest = authority + authority_bytes;
    bool rest_ok = rest[0] == '\0' || (rest[0] == '/' && rest[1] == '\0');
    if (!rest_ok || !printable_ascii(url) ||
        !url_split_host(authority, authority_bytes, client->host, client->port)) {
        set_problem(problem, problem_bytes,
                    "the server URL must look like http://HOST:PORT "
                    "(got '%s')",
                    url);
        return FO_ERR_INVALID_REQUEST;
    }
    const char *bearer = token != NULL ? token : "";
    if (strlen(bearer) > FO_TOKEN_BYTES_MAX || !printable_ascii(bearer) ||
        strchr(bearer, ' ') != NULL) {
        set_problem(problem, problem_bytes,
                    "the token must be printable ASCII without spaces, "
                    "at most %d bytes",
                    FO_TOKEN_BYTES_MAX);
        return FO_ERR_INVALID_REQUEST;
    }
    snprintf(client->token, sizeof client->token, "%s", bearer);
    snprintf(client->accept_language, sizeof client->accept_language, "%s",
             accept_language != NULL ? accept_language : "en");
    client->connect_timeout_ms = FO_HTTP_CONNECT_TIMEOUT_MS;
    client->exchange_timeout_ms = FO_HTTP_EXCHANGE_TIMEOUT_MS;
    client->stream_idle_timeout_ms = FO_HTTP_STREAM_IDLE_TIMEOUT_MS;
    client->stream_total_timeout_ms = 0;
    return FO_OK;
}

void fo_http_response_deinit(struct fo_http_response *response)
{
    if (response == NULL) {
        return;
    }
    free(response->body);
    response->body = NULL;
    response->body_bytes = 0;
}

/* Wait until fd is ready for `events`, within the idle timeout and the deadline. */
static bool connection_wait(struct connection *conn, short events)
{
    FO_ASSERT(conn->fd >= 0);
    FO_ASSERT(conn->idle_timeout_ms > 0);
    int64_t now = monotonic_ms();
    int64_t wait_ms = conn->idle_timeout_ms;
    if (conn->deadline_ms != 0) {
        int64_t left_ms = conn->deadline_ms - now;
        wait_ms = left_ms < wait_ms ? left_ms : wait_ms;
    }
    if (wait_ms <= 0) {
        set_problem(conn->problem, conn->problem_bytes, "the server took too long to answer");
        return false;
    }
    struct pollfd poll_fd = {.fd = conn->fd, .events = events, .revents = 0};
    int ready = poll(&poll_fd, 1, (int)wait_ms);
    if (ready < 0 && errno == EINTR) {
        return true; /* The caller retries its read or write, which waits again. */
    }
    if (ready < 0) {
        set_problem(conn->problem, conn->problem_bytes, "poll failed: %s", strerror(errno));
        return false;
    }
    if (ready == 0) {
        set_problem(conn->problem, conn->problem_bytes,
                    "the server took too long to answer (no data for %lld ms)", (long long)wait_ms);
        return false;
    }
    return true;
}

static int connect_one(const struct addrinfo *address, int timeout_ms)
{
    FO_ASSERT(address != NULL);
    FO_ASSERT(timeout_ms > 0);
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) {
        return -1;
    }
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        close(fd);
        return -1;
    }
    if (connect(fd, address->ai_addr, address->ai_addrlen) == 0) {
        return fd;
    }
    if (errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    struct pollfd poll_fd = {.fd = fd, .events = POLLOUT, .revents = 0};
    int ready = poll(&poll_fd, 1, timeout_ms);
    int socket_error = 0;
    socklen_t length = sizeof socket_error;
    if (ready <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length) != 0 ||
        socket_error != 0) {
        errno = ready == 0 ? ETIMEDOUT : (socket_error != 0 ? socket_error : errno);
        close(fd);
        return -1;
    }
    return fd;
}

static bool connection_open(struct connection *conn, const struct fo_http_client *client)
{
    FO_ASSERT(conn->fd < 0);
    FO_ASSERT(client->host[0] != '\0');
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo *addresses = NULL;
    int resolved = getaddrinfo(client->host, client->port, &hints, &addresses);
    if (resolved != 0) {
        set_problem(conn->problem, conn->problem_bytes, "cannot resolve %s: %s", client->host,
                    gai_strerror(resolved));
        return false;
    }
    int last_errno = ECONNREFUSED;
    conn->fd = -1;
    for (const struct addrinfo *address = addresses; address != NULL && conn->fd < 0;
         address = address->ai_next) {
        conn->fd = connect_one(address, client->connect_timeout_ms);
        last_errno = conn->fd < 0 ? errno : last_errno;
    }
    freeaddrinfo(addresses);
    if (conn->fd < 0) {
        set_problem(conn->problem, conn->problem_bytes, "cannot connect to %s:%s: %s", client->host,
                    client->port, strerror(last_errno));
        return false;
    }
    return true;
}

static void connection_close(struct connection *conn)
{
    if (conn->fd >= 0) {
        close(conn->fd);
        conn->fd = -1;
    }
}

static bool connection_write_all(struct connection *conn, const char *data, size_t bytes)
{
    FO_ASSERT(conn->fd >= 0);
    FO_ASSERT(data != NULL);
    size_t written = 0;
    while (written < bytes) {
        ssize_t sent = send(conn->fd, data + written, bytes - written, MSG_NOSIGNAL);
        if (sent > 0) {
            written += (size_t)sent;
        } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (!connection_wait(conn, POLLOUT)) {
                return false;
            }
        } else {
            set_problem(conn->problem, conn->problem_bytes, "cannot send to the server: %s",
                        strerror(errno));
            return false;
        }
    }
    return true;
}

/* Read more bytes into the buffer. False on error or timeout (problem set); at the end of
 * the stream, true with conn->eof set. */
static bool connection_fill(struct connection *conn)
{
    FO_ASSERT(conn->fd >= 0);
    FO_ASSERT(conn->start <= conn->end);
    if (conn->start == conn->end) {
        conn->start = 0;
        conn->end = 0;
    } else if (conn->start > 0) {
        memmove(conn->buffer, conn->buffer + conn->start, conn->end - conn->start);
        conn->end -= conn->start;
        conn->start = 0;
    }
    FO_ASSERT(conn->end < sizeof conn->buffer);
    for (;;) {
        ssize_t got = recv(conn->fd, conn->buffer + conn->end, sizeof conn->buffer - conn->end, 0);
        if (got > 0) {
            conn->end += (size_t)got;
            return true;
        }
        if (got == 0) {
            conn->eof = true;
            return true;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            set_problem(conn->problem, conn->problem_bytes, "connection to the server broke: %s",
                        strerror(errno));
            return false;
        }
        if (!connection_wait(conn, POLLIN)) {
            return false;
        }
    }
}

/* One line without its CRLF (or LF) into line[0..line_bytes), NUL-terminated. */
static bool connection_read_line(struct connection *conn, char *line, size_t line_bytes,
                                 size_t *out_bytes)
{
    FO_ASSERT(line_bytes > 1);
    FO_ASSERT(line_bytes <= CONNECTION_BUFFER_BYTES);
    for (int attempt = 0; attempt < 2 * CONNECTION_BUFFER_BYTES; attempt++) {
        char *found = memchr(conn->buffer + conn->start, '\n', conn->end - conn->start);
        if (found != NULL) {
            size_t bytes = (size_t)(found - (conn->buffer + conn->start));
            size_t kept = bytes > 0 && found[-1] == '\r' ? bytes - 1 : bytes;
            if (kept >= line_bytes) {
                break;
            }
            memcpy(line, conn->buffer + conn->start, kept);
            line[kept] = '\0';
            conn->start += bytes + 1;
            *out_bytes = kept;
            return true;
        }
        if (conn->end - conn->start >= line_bytes || conn->eof) {
            break;
        }
        if (!connection_fill(conn)) {
            return false;
        }
    }
    set_problem(conn->problem, conn->problem_bytes,
                conn->eof ? "the server closed the connection early"
                          : "the server sent a line that is too long");
    return false;
}

/* Up to `capacity` bytes from the buffer (filling it when empty); 0 only at the end. */
static bool connection_read_some(struct connection *conn, char *out, size_t capacity,
                                 size_t *out_bytes)
{
    FO_ASSERT(conn->start <= conn->end);
    FO_ASSERT(capacity > 0);
    if (conn->start == conn->end && !conn->eof && !connection_fill(conn)) {
        return false;
    }
    size_t available = conn->end - conn->start;
    size_t bytes = available < capacity ? available : capacity;
    memcpy(out, conn->buffer + conn->start, bytes);
    conn->start += bytes;
    *out_bytes = bytes;
    return true;
}

/* True when `text` contains `word`, ignoring ASCII case. */
static bool contains_word(const char *text, const char *word)
{
    FO_ASSERT(text != NULL);
    FO_ASSERT(word[0] != '\0');
    size_t word_bytes = strlen(word);
    for (const char *cursor = text; *cursor != '\0'; cursor++) {
        if (strncasecmp(cursor, word, word_bytes) == 0) {
            return true;
        }
    }
    return false;
}

static void head_header(struct head *head, const char *line)
{
    FO_ASSERT(head != NULL);
    FO_ASSERT(line != NULL);
    const char *colon = strchr(line, ':');
    if (colon == NULL) {
        return;
    }
    size_t name_bytes = (size_t)(colon - line);
    const char *value = colon + 1 + strspn(colon + 1, " \t");
    if (name_bytes == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
        snprintf(head->content_type, sizeof head->content_type, "%s", value);
    } else if (name_bytes == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
        head->chunked = contains_word(value, "chunked");
    } else if (name_bytes == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
        char *end = NULL;
        errno = 0;
        unsigned long long length = strtoull(value, &end, 10);
        head->has_length = errno == 0 && end != value && value[0] != '-';
        head->length = (uint64_t)length;
    }
}

/* The status line and headers of one (non-informational) answer. */
static bool read_head(struct connection *conn, struct head *out)
{
    FO_ASSERT(conn->fd >= 0);
    FO_ASSERT(out != NULL);
    char line[CONNECTION_BUFFER_BYTES];
    for (int informational = 0; informational <= INFORMATIONAL_MAX; informational++) {
        memset(out, 0, sizeof *out);
        size_t bytes = 0;
        size_t head_bytes = 0;
        if (!connection_read_line(conn, line, sizeof line, &bytes)) {
            return false;
        }
        int status = 0;
        if (bytes < 12 || strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ' ||
            sscanf(line + 9, "%3d", &status) != 1 || status < 100 || status > 599) {
            set_problem(conn->problem, conn->problem_bytes, "the server did not answer HTTP");
            return false;
        }
        out->status = status;
        for (int index = 0; index < HEAD_LINES_MAX; index++) {
            if (!connection_read_line(conn, line, sizeof line, &bytes)) {
                return false;
            }
            head_bytes += bytes;
            if (bytes == 0) {
                break;
            }
            if (head_bytes > FO_HTTP_HEAD_BYTES_MAX || index == HEAD_LINES_MAX - 1) {
                set_problem(conn->problem, conn->problem_bytes,
                            "the answer's headers are too "
                            "large");
                return false;
            }
            head_header(out, line);
        }
        if (status >= 200) {
            return true;
        }
    }
    set_problem(conn->problem, conn->problem_bytes, "too many informational answers");
    return false;
}

static void body_reader_init(struct body_reader *reader, const struct head *head)
{
    FO_ASSERT(reader != NULL);
    FO_ASSERT(head->status >= 200);
    memset(reader, 0, sizeof *reader);
    if (head->status == 204 || head->status == 304) {
        reader->mode = BODY_LENGTH;
        reader->done = true;
    } else if (head->chunked) {
        reader->mode = BODY_CHUNKED;
    } else if (head->has_length) {
        reader->mode = BODY_LENGTH;
        reader->remaining = head->length;
        reader->done = head->length == 0;
    } else {
        reader->mode = BODY_UNTIL_CLOSE;
    }
}

/* Read the next chunk-size line (after the previous chunk's CRLF); at the last chunk, the
 * trailers too. */
static bool body_next_chunk(struct connection *conn, struct body_reader *reader)
{
    FO_ASSERT(reader->mode == BODY_CHUNKED);
    FO_ASSERT(reader->remaining == 0);
    FO_ASSERT(!reader->done);
    char line[256];
    size_t bytes = 0;
    if (reader->in_chunk) {
        if (!connection_read_line(conn, line, sizeof line, &bytes)) {
            return false;
        }
        if (bytes != 0) {
            set_problem(conn->problem, conn->problem_bytes, "the server broke chunked framing");
            return false;
        }
        reader->in_chunk = false;
    }
    if (!connection_read_line(conn, line, sizeof line, &bytes)) {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long size = strtoull(line, &end, 16);
    if (end == line || errno != 0 || (*end != '\0' && *end != ';' && *end != ' ')) {
        set_problem(conn->problem, conn->problem_bytes, "the server sent a bad chunk size");
        return false;
    }
    if (size > 0) {
        reader->remaining = (uint64_t)size;
        reader->in_chunk = true;
        return true;
    }
    for (int index = 0; index < TRAILER_LINES_MAX; index++) {
        if (!connection_read_line(conn, line, sizeof line, &bytes)) {
            return false;
        }
        if (bytes == 0) {
            reader->done = true;
            return true;
        }
    }
    set_problem(conn->problem, conn->problem_bytes, "the server sent too many trailers");
    return false;
}

/* Up to `capacity` body bytes into out; *out_bytes = 0 means the body is over. */
static bool body_read(struct connection *conn, struct body_reader *reader, char *out,
                      size_t capacity, size_t *out_bytes)
{
    FO_ASSERT(capacity > 0);
    FO_ASSERT(out != NULL);
    *out_bytes = 0;
    if (reader->mode == BODY_CHUNKED && !reader->done && reader->remaining == 0 &&
        !body_next_chunk(conn, reader)) {
        return false;
    }
    if (reader->done) {
        return true;
    }
    size_t want = capacity;
    if (reader->mode != BODY_UNTIL_CLOSE && reader->remaining < want) {
        want = (size_t)reader->remaining;
    }
    size_t got = 0;
    if (!connection_read_some(conn, out, want, &got)) {
        return false;
    }
    if (got == 0) {
        reader->done = reader->mode == BODY_UNTIL_CLOSE;
        if (!reader->done) {
            set_problem(conn->problem, conn->problem_bytes,
                        "the server closed the connection "
                        "in the middle of its answer");
        }
        return reader->done;
    }
    if (reader->mode != BODY_UNTIL_CLOSE) {
        reader->remaining -= got;
        reader->done = reader->mode == BODY_LENGTH && reader->remaining == 0;
    }
    *out_bytes = got;
    return true;
}

/* Double the body buffer, up to FO_HTTP_BODY_BYTES_MAX plus the NUL. */
static bool body_grow(struct connection *conn, struct fo_http_response *out, size_t *capacity)
{
    FO_ASSERT(*capacity <= FO_HTTP_BODY_BYTES_MAX);
    FO_ASSERT(out->body_bytes < *capacity);
    size_t grown_capacity = *capacity * 2;
    if (grown_capacity > FO_HTTP_BODY_BYTES_MAX + 1) {
        grown_capacity = FO_HTTP_BODY_BYTES_MAX + 1;
    }
    char *grown = realloc(out->body, grown_capacity);
    if (grown == NULL) {
        set_problem(conn->problem, conn->problem_bytes, "out of memory");
        return false;
    }
    out->body = grown;
    *capacity = grown_capacity;
    return true;
}

/* Read the whole body into out->body (NUL-terminated), at most FO_HTTP_BODY_BYTES_MAX. */
static bool read_body(struct connection *conn, const struct head *head,
                      struct fo_http_response *out)
{
    FO_ASSERT(out->body == NULL);
    FO_ASSERT(head->status >= 200);
    struct body_reader reader;
    body_reader_init(&reader, head);
    size_t capacity = 4096;
    out->body = malloc(capacity);
    out->body_bytes = 0;
    if (out->body == NULL) {
        set_problem(conn->problem, conn->problem_bytes, "out of memory");
        return false;
    }
    bool too_large = head->has_length && head->length > FO_HTTP_BODY_BYTES_MAX;
    while (!too_large) {
        if (out->body_bytes + 1 >= capacity && capacity <= FO_HTTP_BODY_BYTES_MAX &&
            !body_grow(conn, out, &capacity)) {
            return false;
        }
        /* At the cap, one byte more is read only to learn whether the body is over. */
        char probe = '\0';
        bool full = out->body_bytes == FO_HTTP_BODY_BYTES_MAX;
        char *into = full ? &probe : out->body + out->body_bytes;
        size_t room = full ? 1 : capacity - out->body_bytes - 1;
        size_t got = 0;
        if (!body_read(conn, &reader, into, room, &got)) {
            return false;
        }
        if (got == 0) {
            out->body[out->body_bytes] = '\0';
            return true;
        }
        too_large = full;
        out->body_bytes += full ? 0 : got;
    }
    set_problem(conn->problem, conn->problem_bytes, "the server's answer is larger than %d bytes",
                FO_HTTP_BODY_BYTES_MAX);
    return false;
}

/* Append a formatted piece to the request head; false when it does not fit. */
static bool head_append(char *head, size_t head_capacity, size_t *head_bytes, const char *format,
                        ...) __attribute__((format(printf, 4, 5)));

static bool head_append(char *head, size_t head_capacity, size_t *head_bytes, const char *format,
                        ...)
{
    FO_ASSERT(head != NULL);
    FO_ASSERT(format != NULL);
    FO_ASSERT(*head_bytes < head_capacity);
    va_list args;
    va_start(args, format);
    int written = vsnprintf(head + *head_bytes, head_capacity - *head_bytes, format, args);
    va_end(args);
    if (written < 0 || (size_t)written >= head_capacity - *head_bytes) {
        return false;
    }
    *head_bytes += (size_t)written;
    return true;
}

static bool request_valid(const struct fo_http_request *request)
{
    FO_ASSERT(request->method != NULL);
    FO_ASSERT(request->path != NULL);
    const char *key = request->idempotency_key;
    const char *last_id = request->last_event_id;
    return printable_ascii(request->method) && printable_ascii(request->path) &&
           request->path[0] == '/' && strchr(request->path, ' ') == NULL &&
           (key == NULL || printable_ascii(key)) && (last_id == NULL || printable_ascii(last_id));
}

/* Write the request head (and body) to the connection. */
static bool send_request(struct connection *conn, const struct fo_http_client *client,
                         const struct fo_http_request *request, bool event_stream)
{
    FO_ASSERT(conn->fd >= 0);
    FO_ASSERT(client != NULL);
    if (!request_valid(request)) {
        set_problem(conn->problem, conn->problem_bytes, "refusing to send a malformed request");
        return false;
    }
    bool ipv6 = strchr(client->host, ':') != NULL;
    size_t body_bytes = request->body != NULL ? strlen(request->body) : 0;
    bool has_body = request->body != NULL || strcmp(request->method, "GET") != 0;
    char head[REQUEST_HEAD_BYTES];
    size_t bytes = 0;
    bool fits = head_append(head, sizeof head, &bytes, "%s %s HTTP/1.1\r\nHost: %s%s%s:%s\r\n",
                            request->method, request->path, ipv6 ? "[" : "", client->host,
                            ipv6 ? "]" : "", client->port);
    fits = fits && head_append(head, sizeof head, &bytes,
                               "User-Agent: fairorder-cli\r\nAccept: %s\r\nAccept-Language: %s"
                               "\r\nConnection: close\r\n",
                               event_stream ? "text/event-stream" : "application/json",
                               client->accept_language);
    if (fits && client->token[0] != '\0') {
        fits =
            head_append(head, sizeof head, &bytes, "Authorization: Bearer %s\r\n", client->token);
    }
    if (fits && request->idempotency_key != NULL) {
        fits = head_append(head, sizeof head, &bytes, "Idempotency-Key: %s\r\n",
                           request->idempotency_key);
    }
    if (fits && request->last_event_id != NULL) {
        fits =
            head_append(head, sizeof head, &bytes, "Last-Event-ID: %s\r\n", request->last_event_id);
    }
    if (fits && has_body) {
        fits = head_append(head, sizeof head, &bytes,
                           "Content-Type: application/json\r\nContent-Length: %zu\r\n", body_bytes);
    }
    if (!fits || !head_append(head, sizeof head, &bytes, "\r\n")) {
        set_problem(conn->problem, conn->problem_bytes, "the request is too long");
        return false;
    }
    return connection_write_all(conn, head, bytes) &&
           connection_write_all(conn, request->body != NULL ? request->body : "", body_bytes);
}

static void connection_init(struct connection *conn, const struct fo_http_client *client,
                            char *problem, size_t problem_bytes)
{
    FO_ASSERT(conn != NULL);
    FO_ASSERT(client->exchange_timeout_ms > 0);
    conn->fd = -1;
    conn->start = 0;
    conn->end = 0;
    conn->eof = false;
    conn->problem = problem;
    conn->problem_bytes = problem_bytes;
    conn->deadline_ms = monotonic_ms() + client->exchange_timeout_ms;
    conn->idle_timeout_ms = client->exchange_timeout_ms;
}

/* Connect, send, read the head. The connection is open on success only. */
static bool exchange_begin(struct connection *conn, const struct fo_http_client *client,
                           const struct fo_http_request *request, bool event_stream,
                           struct head *out)
{
    FO_ASSERT(conn->fd < 0);
    FO_ASSERT(out != NULL);
    if (!connection_open(conn, client)) {
        return false;
    }
    if (!send_request(conn, client, request, event_stream) || !read_head(conn, out)) {
        connection_close(conn);
        return false;
    }
    return true;
}

enum fo_err fo_http_client_send(const struct fo_http_client *client,
                                const struct fo_http_request *request, struct fo_http_response *out,
                                char *problem, size_t problem_bytes)
{
    FO_ASSERT(client != NULL);
    FO_ASSERT(request != NULL);
    FO_ASSERT(request->method != NULL);
    FO_ASSERT(request->path != NULL);
    FO_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    struct connection *conn = malloc(sizeof *conn);
    if (conn == NULL) {
        set_problem(problem, problem_bytes, "out of memory");
        return FO_ERR_UNAVAILABLE;
    }
    connection_init(conn, client, problem, problem_bytes);
    struct head head;
    bool ok = exchange_begin(conn, client, request, false, &head);
    if (ok) {
        out->status = head.status;
        snprintf(out->content_type, sizeof out->content_type, "%s", head.content_type);
        ok = read_body(conn, &head, out);
        connection_close(conn);
    }
    free(conn);
    if (!ok) {
        fo_http_response_deinit(out);
        return FO_ERR_UNAVAILABLE;
    }
    FO_ASSERT(out->body != NULL);
    return FO_OK;
}

/* --- Server-Sent Events ---------------------------------------------------------------- */

static void sse_dispatch(struct sse_parser *parser)
{
    FO_ASSERT(parser->on_event != NULL);
    FO_ASSERT(parser->data_bytes <= FO_HTTP_EVENT_BYTES_MAX);
    if (parser->data_bytes == 0) {
        parser->event[0] = '\0';
        return;
    }
    parser->data_bytes--; /* The '\n' after the last data line. */
    parser->data[parser->data_bytes] = '\0';
    struct fo_http_event event = {
        .id = parser->id,
        .event = parser->event[0] != '\0' ? parser->event : "message",
        .data = parser->data,
        .data_bytes = parser->data_bytes,
    };
    parser->stop = !parser->on_event(&event, parser->context);
    parser->data_bytes = 0;
    parser->event[0] = '\0';
}

static bool sse_line(struct sse_parser *parser, char *problem, size_t problem_bytes)
{
    FO_ASSERT(parser->line_bytes < sizeof parser->line);
    FO_ASSERT(parser->data_bytes <= FO_HTTP_EVENT_BYTES_MAX);
    char *line = parser->line;
    line[parser->line_bytes] = '\0';
    if (parser->line_bytes == 0) {
        sse_dispatch(parser);
        return true;
    }
    if (line[0] == ':') {
        return true; /* A comment: the heartbeat. */
    }
    char *colon = strchr(line, ':');
    const char *value = "";
    if (colon != NULL) {
        *colon = '\0';
        value = colon[1] == ' ' ? colon + 2 : colon + 1;
    }
    size_t value_bytes = strlen(value);
    if (strcmp(line, "data") == 0) {
        if (parser->data_bytes + value_bytes + 1 > FO_HTTP_EVENT_BYTES_MAX) {
            set_problem(problem, problem_bytes, "the server sent an event over %d bytes",
                        FO_HTTP_EVENT_BYTES_MAX);
            return false;
        }
        memcpy(parser->data + parser->data_bytes, value, value_bytes);
        parser->data_bytes += value_bytes;
        parser->data[parser->data_bytes++] = '\n';
    } else if (strcmp(line, "event") == 0) {
        snprintf(parser->event, sizeof parser->event, "%s", value);
    } else if (strcmp(line, "id") == 0) {
        snprintf(parser->id, sizeof parser->id, "%s", value);
    }
    return true;
}

static bool sse_feed(struct sse_parser *parser, const char *bytes, size_t count, char *problem,
                     size_t problem_bytes)
{
    FO_ASSERT(parser != NULL);
    FO_ASSERT(bytes != NULL);
    for (size_t index = 0; index < count && !parser->stop; index++) {
        char byte = bytes[index];
        bool was_after_cr = parser->after_cr;
        parser->after_cr = byte == '\r';
        if (byte == '\n' && was_after_cr) {
            continue; /* The LF of a CRLF. */
        }
        if (byte == '\r' || byte == '\n') {
            if (!sse_line(parser, problem, problem_bytes)) {
                return false;
            }
            parser->line_bytes = 0;
            continue;
        }
        if (parser->line_bytes + 1 >= sizeof parser->line) {
            set_problem(problem, problem_bytes, "the server sent an event line that is too long");
            return false;
        }
        parser->line[parser->line_bytes++] = byte;
    }
    return true;
}

static bool is_event_stream(const struct head *head)
{
    return head->status >= 200 && head->status < 300 &&
           strncasecmp(head->content_type, "text/event-stream", 17) == 0;
}

/* Read an event stream's body to its end (or until the callback stops it). */
static bool read_events(struct connection *conn, const struct head *head, struct sse_parser *parser)
{
    FO_ASSERT(is_event_stream(head));
    FO_ASSERT(parser->on_event != NULL);
    struct body_reader reader;
    body_reader_init(&reader, head);
    char chunk[4096];
    while (!parser->stop) {
        size_t got = 0;
        if (!body_read(conn, &reader, chunk, sizeof chunk, &got)) {
            return false;
        }
        if (got == 0) {
            return true;
        }
        if (!sse_feed(parser, chunk, got, conn->problem, conn->problem_bytes)) {
            return false;
        }
    }
    return true;
}

enum fo_err
fo_http_client_stream(const struct fo_http_client *client, const struct fo_http_request *request,
                      struct fo_http_response *out, char *problem, size_t problem_bytes,
                      bool (*on_event)(const struct fo_http_event *event, void *context),
                      void *context)
{
    FO_ASSERT(client != NULL);
    FO_ASSERT(request != NULL);
    FO_ASSERT(out != NULL);
    FO_ASSERT(on_event != NULL);
    memset(out, 0, sizeof *out);
    struct connection *conn = malloc(sizeof *conn);
    struct sse_parser *parser = calloc(1, sizeof *parser);
    bool ok = conn != NULL && parser != NULL;
    if (!ok) {
        set_problem(problem, problem_bytes, "out of memory");
    }
    struct head head;
    if (ok) {
        connection_init(conn, client, problem, problem_bytes);
        ok = exchange_begin(conn, client, request, true, &head);
    }
    if (ok) {
        out->status = head.status;
        snprintf(out->content_type, sizeof out->content_type, "%s", head.content_type);
        if (is_event_stream(&head)) {
            conn->idle_timeout_ms = client->stream_idle_timeout_ms;
            conn->deadline_ms = client->stream_total_timeout_ms > 0
                                    ? monotonic_ms() + client->stream_total_timeout_ms
                                    : 0;
            parser->on_event = on_event;
            parser->context = context;
            ok = read_events(conn, &head, parser);
        } else {
            ok = read_body(conn, &head, out);
        }
        connection_close(conn);
    }
    free(parser);
    free(conn);
    if (!ok) {
        fo_http_response_deinit(out);
        return FO_ERR_UNAVAILABLE;
    }
    return FO_OK;
}
