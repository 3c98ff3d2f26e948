/* A small streaming JSON writer: answers are rendered straight into one growing buffer,
 * with commas and escaping handled here, instead of building jansson object trees (a
 * measured lever of issue 6). Output is capped at FO_ANSWER_BYTES_MAX; past it the
 * writer records `overflow` and the caller answers 500 (a bug, never input-driven: every
 * field rendered is bounded by limits.h). */
#ifndef FO_HTTP_JSON_OUT_H
#define FO_HTTP_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FO_JSON_OUT_DEPTH_MAX 16

struct fo_json_out {
    char *buf;       /* Owned; NUL-terminated while not overflowed. */
    size_t length;   /* Bytes written. */
    size_t capacity; /* Bytes allocated. */
    bool overflow;   /* Past FO_RESPONSE_BYTES_MAX or out of memory. */
    size_t depth;    /* Open objects and arrays. */
    bool need_comma[FO_JSON_OUT_DEPTH_MAX];
    bool after_key; /* A key was written; the next value needs no comma. */
};

void fo_json_out_init(struct fo_json_out *out);
void fo_json_out_deinit(struct fo_json_out *out);
/* Hand the buffer to the caller (who frees it) and reset the writer. */
char *fo_json_out_take(struct fo_json_out *out, size_t *out_length);

void fo_json_object_begin(struct fo_json_out *out);
void fo_json_object_end(struct fo_json_out *out);
void fo_json_array_begin(struct fo_json_out *out);
void fo_json_array_end(struct fo_json_out *out);
void fo_json_key(struct fo_json_out *out, const char *key);
void fo_json_string(struct fo_json_out *out, const char *value);
void fo_json_string_n(struct fo_json_out *out, const char *value, size_t bytes);
void fo_json_int(struct fo_json_out *out, int64_t value);
void fo_json_bool(struct fo_json_out *out, bool value);
void fo_json_null(struct fo_json_out *out);
/* An instant as an RFC 3339 string, or null when at_unix_ms is 0 and `zero_is_null`. */
void fo_json_time(struct fo_json_out *out, int64_t at_unix_ms);
/* Append raw, already valid JSON (a stored fragment). */
void fo_json_raw(struct fo_json_out *out, const char *json, size_t bytes);

/* key + value shorthands. */
void fo_json_kv_string(struct fo_json_out *out, const char *key, const char *value);
void fo_json_kv_int(struct fo_json_out *out, const char *key, int64_t value);
void fo_json_kv_bool(struct fo_json_out *out, const char *key, bool value);
void fo_json_kv_time(struct fo_json_out *out, const char *key, int64_t at_unix_ms);
void fo_json_kv_null(struct fo_json_out *out, const char *key);

#endif
