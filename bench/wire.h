/* The load generator's side of HTTP/1.1 and JSON: just enough to read the answers of
 * fairorder and of the baseline server, fast and without allocation.
 *
 * Responses are parsed from one contiguous buffer: the status line, Content-Length or
 * chunked framing, and "Connection: close". A chunked body is compacted in place once
 * complete, so the caller always sees one contiguous body. JSON fields are found by a
 * scanner that tracks nesting depth and strings, not by a full parser: the bodies are the
 * server's own, and the generator only needs an id or two from each. */
#ifndef FO_BENCH_WIRE_H
#define FO_BENCH_WIRE_H

#include <stdbool.h>
#include <stddef.h>

enum fo_wire_parse {
    FO_WIRE_INCOMPLETE = 0, /* Need more bytes. */
    FO_WIRE_COMPLETE = 1,   /* One whole response is in the buffer. */
    FO_WIRE_MALFORMED = 2,  /* Not HTTP/1.x as we know it: drop the connection. */
};

struct fo_wire_response {
    int status;            /* 100..599. */
    const char *body;      /* Points into the parsed buffer. */
    size_t body_bytes;     /* Length of the (de-chunked) body. */
    size_t consumed_bytes; /* Bytes of the buffer this response used. */
    bool close;            /* The server said "Connection: close". */
};

/* Parse one response from buffer[0..buffer_bytes). On FO_WIRE_COMPLETE fills `out`; a
 * chunked body is moved together inside `buffer`, which is why it is not const. */
enum fo_wire_parse fo_wire_response_parse(char *buffer, size_t buffer_bytes,
                                          struct fo_wire_response *out);

/* Find the member `key` of an object at nesting depth `depth` (1 = the top-level object)
 * and copy its value into out[0..out_bytes): a string without its quotes (escapes are not
 * decoded; ids and tokens have none), or the raw text of a number or literal. Returns false
 * when the key is absent, the value is an object or array, or it does not fit. */
bool fo_wire_json_field(const char *json, size_t json_bytes, const char *key, int depth, char *out,
                        size_t out_bytes);

#endif
