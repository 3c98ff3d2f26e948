/* HTTP/1.1 response framing and JSON field lookup for the load generator (see wire.h).
 *
 * Every scan is bounded by the buffer it is given; nothing allocates. The parser accepts
 * what libmicrohttpd sends (Content-Length or chunked bodies, headers in any case) and
 * calls anything else malformed, which makes the generator drop and count the connection
 * rather than guess. */
#include "wire.h"

#include <string.h>
#include <strings.h>

#include "core/assert.h"

/* Headers larger than this are not from our servers. */
#define WIRE_HEAD_BYTES_MAX (32 * 1024)
/* A chunk-size line: hex digits, maybe extensions. */
#define WIRE_CHUNK_LINE_BYTES_MAX 64

/* The first `needle` in haystack[0..haystack_bytes), or NULL (memmem is a GNU extension). */
static const char *wire_find(const char *haystack, size_t haystack_bytes, const char *needle,
                             size_t needle_bytes)
{
    FO_ASSERT(needle_bytes > 0);
    for (size_t index = 0; index + needle_bytes <= haystack_bytes; index++) {
        const char *start = memchr(haystack + index, needle[0], haystack_bytes - index);
        if (start == NULL) {
            return NULL;
        }
        index = (size_t)(start - haystack);
        if (index + needle_bytes <= haystack_bytes && memcmp(start, needle, needle_bytes) == 0) {
            return start;
        }
    }
    return NULL;
}

struct wire_head {
    size_t head_bytes;        /* Up to and including the blank line. */
    long long content_length; /* -1 when absent. */
    bool chunked;             /* Transfer-Encoding: chunked. */
    bool close;               /* Connection: close. */
    int status;               /* From the status line. */
};

static bool wire_header_is(const char *line, size_t line_bytes, const char *name)
{
    size_t name_bytes = strlen(name);
    return line_bytes > name_bytes && line[name_bytes] == ':' &&
           strncasecmp(line, name, name_bytes) == 0;
}

static bool wire_value_has(const char *value, size_t value_bytes, const char *word)
{
    size_t word_bytes = strlen(word);
    for (size_t index = 0; index + word_bytes <= value_bytes; index++) {
        if (strncasecmp(value + index, word, word_bytes) == 0) {
            return true;
        }
    }
    return false;
}

static long long wire_parse_decimal(const char *text, size_t text_bytes)
{
    long long value = 0;
    bool any = false;
    for (size_t index = 0; index < text_bytes; index++) {
        char c = text[index];
        if (c == ' ' || c == '\t') {
            continue;
        }
        if (c < '0' || c > '9' || value > (1LL << 40)) {
            return -1;
        }
        value = value * 10 + (c - '0');
        any = true;
    }
    return any ? value : -1;
}

/* One header line (without CRLF) into `head`. */
static void wire_head_line(const char *line, size_t line_bytes, struct wire_head *head)
{
    const char *colon = memchr(line, ':', line_bytes);
    if (colon == NULL) {
        return;
    }
    const char *value = colon + 1;
    size_t value_bytes = line_bytes - (size_t)(value - line);
    if (wire_header_is(line, line_bytes, "content-length")) {
        head->content_length = wire_parse_decimal(value, value_bytes);
    } else if (wire_header_is(line, line_bytes, "transfer-encoding")) {
        head->chunked = wire_value_has(value, value_bytes, "chunked");
    } else if (wire_header_is(line, line_bytes, "connection")) {
        head->close = wire_value_has(value, value_bytes, "close");
    }
}

static enum fo_wire_parse wire_parse_head(const char *buffer, size_t buffer_bytes,
                                          struct wire_head *head)
{
    const char *end = wire_find(buffer, buffer_bytes, "\r\n\r\n", 4);
    if (end == NULL) {
        return buffer_bytes > WIRE_HEAD_BYTES_MAX ? FO_WIRE_MALFORMED : FO_WIRE_INCOMPLETE;
    }
    head->head_bytes = (size_t)(end - buffer) + 4;
    head->content_length = -1;
    head->chunked = false;
    head->close = false;
    if (head->head_bytes < 16 || memcmp(buffer, "HTTP/1.", 7) != 0 || buffer[8] != ' ') {
        return FO_WIRE_MALFORMED;
    }
    long long status = wire_parse_decimal(buffer + 9, 3);
    if (status < 100 || status > 599) {
        return FO_WIRE_MALFORMED;
    }
    head->status = (int)status;
    head->close = buffer[7] == '0'; /* HTTP/1.0 closes unless told otherwise. */
    const char *line = (const char *)memchr(buffer, '\n', head->head_bytes) + 1;
    const char *head_end = buffer + head->head_bytes - 2;
    for (size_t lines_count = 0; line < head_end && lines_count < 256; lines_count++) {
        const char *line_end = memchr(line, '\r', (size_t)(head_end - line) + 1);
        FO_ASSERT(line_end != NULL);
        wire_head_line(line, (size_t)(line_end - line), head);
        line = line_end + 2;
    }
    return FO_WIRE_COMPLETE;
}

static long long wire_parse_hex(const char *text, size_t text_bytes)
{
    long long value = 0;
    size_t digits_count = 0;
    for (size_t index = 0; index < text_bytes; index++) {
        char c = text[index];
        int digit = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
        if (digit < 0) {
            break; /* Extensions (";...") and spaces end the number. */
        }
        if (value > (1LL << 40)) {
            return -1;
        }
        value = value * 16 + digit;
        digits_count++;
    }
    return digits_count > 0 ? value : -1;
}

/* Walk a chunked body starting at `start`. With `compact`, move each chunk's data down to
 * `start` as it goes (only once the walk without it said complete). */
static enum fo_wire_parse wire_chunks(char *buffer, size_t buffer_bytes, size_t start, bool compact,
                                      struct fo_wire_response *out)
{
    size_t position = start;
    size_t body_bytes = 0;
    for (size_t chunks_count = 0; chunks_count < buffer_bytes; chunks_count++) {
        size_t left_bytes = buffer_bytes - position;
        size_t scan_bytes =
            left_bytes < WIRE_CHUNK_LINE_BYTES_MAX ? left_bytes : WIRE_CHUNK_LINE_BYTES_MAX;
        const char *line_end = wire_find(buffer + position, scan_bytes, "\r\n", 2);
        if (line_end == NULL) {
            return scan_bytes == WIRE_CHUNK_LINE_BYTES_MAX ? FO_WIRE_MALFORMED : FO_WIRE_INCOMPLETE;
        }
        long long size = wire_parse_hex(buffer + position, (size_t)(line_end - buffer) - position);
        if (size < 0) {
            return FO_WIRE_MALFORMED;
        }
        size_t data_start = (size_t)(line_end - buffer) + 2;
        if (size == 0) {
            /* No trailers from our servers: the last chunk is followed by CRLF. */
            if (buffer_bytes < data_start + 2) {
                return FO_WIRE_INCOMPLETE;
            }
            out->body_bytes = body_bytes;
            out->consumed_bytes = data_start + 2;
            return memcmp(buffer + data_start, "\r\n", 2) == 0 ? FO_WIRE_COMPLETE
                                                               : FO_WIRE_MALFORMED;
        }
        if (buffer_bytes < data_start + (size_t)size + 2) {
            return FO_WIRE_INCOMPLETE;
        }
        if (compact) {
            memmove(buffer + start + body_bytes, buffer + data_start, (size_t)size);
        }
        body_bytes += (size_t)size;
        position = data_start + (size_t)size + 2;
    }
    return FO_WIRE_MALFORMED;
}

enum fo_wire_parse fo_wire_response_parse(char *buffer, size_t buffer_bytes,
                                          struct fo_wire_response *out)
{
    FO_ASSERT(buffer != NULL);
    FO_ASSERT(out != NULL);
    struct wire_head head;
    enum fo_wire_parse result = wire_parse_head(buffer, buffer_bytes, &head);
    if (result != FO_WIRE_COMPLETE) {
        return result;
    }
    out->status = head.status;
    out->close = head.close;
    out->body = buffer + head.head_bytes;
    if (head.chunked) {
        result = wire_chunks(buffer, buffer_bytes, head.head_bytes, false, out);
        if (result == FO_WIRE_COMPLETE) {
            result = wire_chunks(buffer, buffer_bytes, head.head_bytes, true, out);
            FO_ASSERT(result == FO_WIRE_COMPLETE);
        }
        return result;
    }
    /* No framing at all only happens for bodiless answers from our servers. */
    size_t body_bytes = head.content_length < 0 ? 0 : (size_t)head.content_length;
    if (buffer_bytes < head.head_bytes + body_bytes) {
        return FO_WIRE_INCOMPLETE;
    }
    out->body_bytes = body_bytes;
    out->consumed_bytes = head.head_bytes + body_bytes;
    FO_ASSERT(out->consumed_bytes <= buffer_bytes);
    return FO_WIRE_COMPLETE;
}

/* Index just past the string that opens at json[start] == '"', or json_bytes if unclosed. */
static size_t wire_string_end(const char *json, size_t json_bytes, size_t start)
{
    FO_ASSERT(json[start] == '"');
    for (size_t index = start + 1; index < json_bytes; index++) {
        if (json[index] == '\\') {
            index++;
        } else if (json[index] == '"') {
            return index + 1;
        }
    }
    return json_bytes;
}

static size_t wire_skip_space(const char *json, size_t json_bytes, size_t index)
{
    while (index < json_bytes && (json[index] == ' ' || json[index] == '\n' ||
                                  json[index] == '\r' || json[index] == '\t')) {
        index++;
    }
    return index;
}

/* Copy the value starting at json[start] into out (see fo_wire_json_field). */
static bool wire_copy_value(const char *json, size_t json_bytes, size_t start, char *out,
                            size_t out_bytes)
{
    if (start >= json_bytes || json[start] == '{' || json[start] == '[') {
        return false;
    }
    size_t first = start;
    size_t last = start;
    if (json[start] == '"') {
        first = start + 1;
        last = wire_string_end(json, json_bytes, start);
        if (last == json_bytes && (last == first || json[last - 1] != '"')) {
            return false;
        }
        last--; /* The closing quote. */
    } else {
        while (last < json_bytes && strchr(",}] \n\r\t", json[last]) == NULL) {
            last++;
        }
    }
    size_t value_bytes = last - first;
    if (value_bytes + 1 > out_bytes) {
        return false;
    }
    memcpy(out, json + first, value_bytes);
    out[value_bytes] = '\0';
    return true;
}

bool fo_wire_json_field(const char *json, size_t json_bytes, const char *key, int depth, char *out,
                        size_t out_bytes)
{
    FO_ASSERT(json != NULL || json_bytes == 0);
    FO_ASSERT(key != NULL);
    FO_ASSERT(out != NULL && out_bytes > 0);
    size_t key_bytes = strlen(key);
    int level = 0;
    size_t index = 0;
    while (index < json_bytes) {
        char c = json[index];
        if (c == '"') {
            size_t end = wire_string_end(json, json_bytes, index);
            size_t after = wire_skip_space(json, json_bytes, end);
            bool is_key = after < json_bytes && json[after] == ':';
            if (is_key && level == depth && end - index - 2 == key_bytes &&
                memcmp(json + index + 1, key, key_bytes) == 0) {
                size_t value = wire_skip_space(json, json_bytes, after + 1);
                return wire_copy_value(json, json_bytes, value, out, out_bytes);
            }
            index = end;
            continue;
        }
        if (c == '{' || c == '[') {
            level++;
        } else if (c == '}' || c == ']') {
            level--;
        }
        index++;
    }
    return false;
}
