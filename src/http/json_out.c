/* The streaming JSON writer; see json_out.h. Strings are escaped per RFC 8259: quote,
 * backslash and control characters; everything else (valid UTF-8 by construction: our
 * inputs were validated) passes through. */
#include "http/json_out.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands/clock.h"
#include "core/assert.h"
#include "core/limits.h"

void fo_json_out_init(struct fo_json_out *out)
{
    FO_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
}

void fo_json_out_deinit(struct fo_json_out *out)
{
    FO_ASSERT(out != NULL);
    free(out->buf);
    memset(out, 0, sizeof *out);
}

char *fo_json_out_take(struct fo_json_out *out, size_t *out_length)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(out_length != NULL);
    char *buf = out->buf;
    *out_length = out->length;
    memset(out, 0, sizeof *out);
    return buf;
}

/* Room for `count` more bytes and the NUL after them: where to write them, or NULL once
 * the answer overflowed (past FO_ANSWER_BYTES_MAX or out of memory). commit() after. */
static char *reserve(struct fo_json_out *out, size_t count)
{
    if (out->overflow) {
        return NULL;
    }
    if (out->length + count + 1 > FO_ANSWER_BYTES_MAX) {
        out->overflow = true;
        return NULL;
    }
    if (out->length + count + 1 > out->capacity) {
        size_t capacity = out->capacity == 0 ? 1024 : out->capacity;
        while (capacity < out->length + count + 1) {
            capacity *= 2;
        }
        char *grown = realloc(out->buf, capacity);
        if (grown == NULL) {
            out->overflow = true;
            return NULL;
        }
        out->buf = grown;
        out->capacity = capacity;
    }
    return out->buf + out->length;
}

static void commit(struct fo_json_out *out, size_t count)
{
    FO_ASSERT(out->length + count < out->capacity);
    out->length += count;
    out->buf[out->length] = '\0';
}

static void append(struct fo_json_out *out, const char *bytes, size_t count)
{
    char *at = reserve(out, count);
    if (at != NULL) {
        memcpy(at, bytes, count);
        commit(out, count);
    }
}

/* '"' + bytes + '"' + suffix (0 or 1 byte: ':' after a key), in one step. */
static void append_quoted(struct fo_json_out *out, const char *bytes, size_t count, char suffix)
{
    size_t total = count + 2 + (suffix != '\0' ? 1U : 0U);
    char *at = reserve(out, total);
    if (at != NULL) {
        at[0] = '"';
        memcpy(at + 1, bytes, count);
        at[count + 1] = '"';
        if (suffix != '\0') {
            at[count + 2] = suffix;
        }
        commit(out, total);
    }
}

/* A byte JSON strings carry as it is: printable ASCII but for the quote and backslash. */
static bool plain_ascii(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Before any value: a comma when it follows a sibling in an array or object. */
static void value_prefix(struct fo_json_out *out)
{
    if (out->after_key) {
        out->after_key = false;
        return;
    }
    if (out->depth > 0) {
        if (out->need_comma[out->depth - 1]) {
            append(out, ",", 1);
        }
        out->need_comma[out->depth - 1] = true;
    }
}

static void open_scope(struct fo_json_out *out, char bracket)
{
    FO_ASSERT(out->depth < FO_JSON_OUT_DEPTH_MAX);
    value_prefix(out);
    append(out, &bracket, 1);
    out->need_comma[out->depth] = false;
    out->depth++;
}

static void close_scope(struct fo_json_out *out, char bracket)
{
    FO_ASSERT(out->depth > 0);
    FO_ASSERT(!out->after_key);
    out->depth--;
    append(out, &bracket, 1);
}

void fo_json_object_begin(struct fo_json_out *out)
{
    open_scope(out, '{');
}

void fo_json_object_end(struct fo_json_out *out)
{
    close_scope(out, '}');
}

void fo_json_array_begin(struct fo_json_out *out)
{
    open_scope(out, '[');
}

void fo_json_array_end(struct fo_json_out *out)
{
    close_scope(out, ']');
}

void fo_json_key(struct fo_json_out *out, const char *key)
{
    FO_ASSERT(key != NULL);
    FO_ASSERT(out->depth > 0);
    size_t bytes = 0;
    while (key[bytes] != '\0') {
        FO_ASSERT(plain_ascii((unsigned char)key[bytes])); /* Keys are ours: no escaping. */
        bytes++;
    }
    value_prefix(out);
    append_quoted(out, key, bytes, ':');
    out->after_key = true;
}

/* Bytes of the well-formed UTF-8 sequence at text[0..bytes), or 0 when it is not one. */
static size_t utf8_sequence_bytes(const unsigned char *text, size_t bytes)
{
    unsigned char lead = text[0];
    size_t length = lead < 0x80                    ? 1
                    : lead >= 0xc2 && lead <= 0xdf ? 2
                    : lead >= 0xe0 && lead <= 0xef ? 3
                    : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                   : 0;
    if (length == 0 || length > bytes) {
        return 0;
    }
    for (size_t index = 1; index < length; index++) {
        if ((text[index] & 0xc0) != 0x80) {
            return 0;
        }
    }
    bool overlong_or_surrogate =
        (lead == 0xe0 && text[1] < 0xa0) || (lead == 0xed && text[1] >= 0xa0) ||
        (lead == 0xf0 && text[1] < 0x90) || (lead == 0xf4 && text[1] >= 0x90);
    return overlong_or_surrogate ? 0 : length;
}

/* Escape per RFC 8259; a byte that does not start well-formed UTF-8 becomes U+FFFD, so
 * no input that reaches an answer (an echoed name, say) can make it invalid JSON. */
void fo_json_string_n(struct fo_json_out *out, const char *value, size_t bytes)
{
    FO_ASSERT(value != NULL || bytes == 0);
    const unsigned char *text = (const unsigned char *)value;
    value_prefix(out);
    size_t index = 0;
    while (index < bytes && plain_ascii(text[index])) {
        index++; /* Plain ASCII, most of every answer: no decoding needed. */
    }
    if (index == bytes) {
        append_quoted(out, value, bytes, '\0');
        return;
    }
    append(out, "\"", 1);
    size_t run_start = 0;
    while (index < bytes) {
        unsigned char c = text[index];
        if (plain_ascii(c)) {
            index++;
            continue;
        }
        size_t length = c >= 0x20 && c != '"' && c != '\\'
                            ? utf8_sequence_bytes(text + index, bytes - index)
                            : 0;
        if (length > 0) {
            index += length;
            continue;
        }
        append(out, value + run_start, index - run_start);
        char escaped[8];
        if (c == '"' || c == '\\') {
            escaped[0] = '\\';
            escaped[1] = (char)c;
            append(out, escaped, 2);
        } else if (c < 0x20) {
            int written = snprintf(escaped, sizeof escaped, "\\u%04x", c);
            append(out, escaped, (size_t)written);
        } else {
            append(out, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
        }
        index++;
        run_start = index;
    }
    append(out, value + run_start, bytes - run_start);
    append(out, "\"", 1);
}

void fo_json_string(struct fo_json_out *out, const char *value)
{
    FO_ASSERT(value != NULL);
    fo_json_string_n(out, value, strlen(value));
}

/* Decimal digits without snprintf (answers carry many numbers; printf is the slow path). */
void fo_json_int(struct fo_json_out *out, int64_t value)
{
    char digits[24];
    size_t start = sizeof digits;
    /* Magnitude in unsigned arithmetic, so INT64_MIN has one too. */
    uint64_t rest = value < 0 ? 0U - (uint64_t)value : (uint64_t)value;
    do {
        digits[--start] = (char)('0' + (int)(rest % 10U));
        rest /= 10U;
    } while (rest != 0U);
    if (value < 0) {
        digits[--start] = '-';
    }
    value_prefix(out);
    append(out, digits + start, sizeof digits - start);
}

void fo_json_bool(struct fo_json_out *out, bool value)
{
    value_prefix(out);
    append(out, value ? "true" : "false", value ? 4 : 5);
}

void fo_json_null(struct fo_json_out *out)
{
    value_prefix(out);
    append(out, "null", 4);
}

void fo_json_time(struct fo_json_out *out, int64_t at_unix_ms)
{
    char text[40];
    size_t bytes = fo_clock_format(at_unix_ms, text, sizeof text);
    FO_ASSERT(bytes > 0);
    fo_json_string_n(out, text, bytes);
}

void fo_json_raw(struct fo_json_out *out, const char *json, size_t bytes)
{
    FO_ASSERT(json != NULL);
    value_prefix(out);
    append(out, json, bytes);
}

void fo_json_kv_string(struct fo_json_out *out, const char *key, const char *value)
{
    fo_json_key(out, key);
    fo_json_string(out, value);
}

void fo_json_kv_int(struct fo_json_out *out, const char *key, int64_t value)
{
    fo_json_key(out, key);
    fo_json_int(out, value);
}

void fo_json_kv_bool(struct fo_json_out *out, const char *key, bool value)
{
    fo_json_key(out, key);
    fo_json_bool(out, value);
}

void fo_json_kv_time(struct fo_json_out *out, const char *key, int64_t at_unix_ms)
{
    fo_json_key(out, key);
    fo_json_time(out, at_unix_ms);
}

void fo_json_kv_null(struct fo_json_out *out, const char *key)
{
    fo_json_key(out, key);
    fo_json_null(out);
}
