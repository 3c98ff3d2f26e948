/* Strict decoding of request bodies and query arguments (API.md, "Conventions"):
 * malformed JSON, invalid UTF-8, duplicate keys and nesting deeper than 64 levels are
 * invalid_json; a body that is not an object, an unknown field, a wrong type or an
 * out-of-range number is invalid_request naming the field. Integers stay exact
 * (json_int_t is 64-bit): money never passes through a double. JSON null counts as absent
 * for optional fields. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/assert.h"
#include "core/utf8.h"
#include "http/internal.h"

/* Nesting depth of the raw text, outside strings; jansson's own limit is far higher. */
static size_t json_depth(const char *body, size_t bytes)
{
    size_t depth = 0;
    size_t depth_max = 0;
    bool in_string = false;
    for (size_t index = 0; index < bytes; index++) {
        char c = body[index];
        if (in_string) {
            if (c == '\\') {
                index++;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
            depth_max = depth > depth_max ? depth : depth_max;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    return depth_max;
}

static bool only_space(const char *body, size_t bytes)
{
    for (size_t index = 0; index < bytes; index++) {
        if (strchr(" \t\r\n", body[index]) == NULL) {
            return false;
        }
    }
    return true;
}

enum fo_err fo_decode_body(const char *body, size_t bytes, json_t **out,
                           struct fo_err_detail *detail)
{
    FO_ASSERT(out != NULL);
    FO_ASSERT(detail != NULL);
    *out = NULL;
    if (bytes == 0 || only_space(body, bytes)) {
        *out = json_object();
        return *out != NULL ? FO_OK : FO_ERR_UNAVAILABLE;
    }
    if (json_depth(body, bytes) > FO_JSON_DEPTH_MAX) {
        return FO_ERR_INVALID_JSON;
    }
    json_error_t error;
    json_t *root = json_loadb(body, bytes, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (root == NULL) {
        return FO_ERR_INVALID_JSON;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return fo_err_field(detail, "body", FO_FIELD_NOT_OBJECT);
    }
    *out = root;
    return FO_OK;
}

/* How an unknown field or query argument is named back to the client: its own name when
 * that is printable text, else a fixed word (never bytes that would break the answer). */
static const char *unknown_name(const char *name)
{
    size_t bytes = strlen(name);
    if (bytes == 0) {
        return "(empty name)";
    }
    if (!fo_utf8_valid(name, bytes, NULL) || fo_utf8_has_control(name, bytes)) {
        return "(unprintable name)";
    }
    return name;
}

enum fo_err fo_decode_fields(json_t *body, const char *const *allowed, struct fo_err_detail *detail)
{
    FO_ASSERT(body != NULL);
    FO_ASSERT(allowed != NULL);
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value)
    {
        (void)value;
        bool known = false;
        for (size_t index = 0; allowed[index] != NULL && !known; index++) {
            known = strcmp(allowed[index], key) == 0;
        }
        if (!known) {
            /* fo_err_field cuts a long name at a character boundary, never inside one. */
            return fo_err_field(detail, unknown_name(key), FO_FIELD_UNKNOWN);
        }
    }
    return FO_OK;
}

static json_t *field_value(json_t *body, const char *field)
{
    json_t *value = body != NULL ? json_object_get(body, field) : NULL;
    return json_is_null(value) ? NULL : value;
}

enum fo_err fo_decode_int(json_t *body, const char *field, bool required, int64_t min, int64_t max,
                          int64_t *out, bool *out_present, struct fo_err_detail *detail)
{
    FO_ASSERT(field != NULL);
    FO_ASSERT(out != NULL);
    json_t *value = field_value(body, field);
    if (out_present != NULL) {
        *out_present = value != NULL;
    }
    if (value == NULL) {
        return required ? fo_err_field(detail, field, FO_FIELD_MISSING) : FO_OK;
    }
    if (!json_is_integer(value)) {
        return fo_err_field(detail, field, FO_FIELD_WRONG_TYPE);
    }
    json_int_t number = json_integer_value(value);
    if (number < min || number > max) {
        return fo_err_field_range(detail, field, FO_FIELD_OUT_OF_RANGE, min, max);
    }
    *out = (int64_t)number;
    return FO_OK;
}

enum fo_err fo_decode_string(json_t *body, const char *field, bool required, const char **out,
                             struct fo_err_detail *detail)
{
    FO_ASSERT(field != NULL);
    FO_ASSERT(out != NULL);
    json_t *value = field_value(body, field);
    if (value == NULL) {
        *out = NULL;
        return required ? fo_err_field(detail, field, FO_FIELD_MISSING) : FO_OK;
    }
    if (!json_is_string(value)) {
        return fo_err_field(detail, field, FO_FIELD_WRONG_TYPE);
    }
    *out = json_string_value(value);
    return FO_OK;
}

enum fo_err fo_decode_bool(json_t *body, const char *field, bool *out, bool *out_present,
                           struct fo_err_detail *detail)
{
    FO_ASSERT(field != NULL);
    FO_ASSERT(out_present != NULL);
    json_t *value = field_value(body, field);
    *out_present = value != NULL;
    if (value == NULL) {
        return FO_OK;
    }
    if (!json_is_boolean(value)) {
        return fo_err_field(detail, field, FO_FIELD_WRONG_TYPE);
    }
    *out = json_is_true(value);
    return FO_OK;
}

/* A value that no query parser accepts: what a query value with an embedded NUL (sent as
 * %00) reads as, so that it is refused instead of silently read as shorter text. */
static const char query_value_invalid[] = "\x7f";

const char *fo_request_query(struct fo_request *req, const char *name)
{
    FO_ASSERT(req != NULL);
    FO_ASSERT(name != NULL);
    const char *value = NULL;
    size_t value_bytes = 0;
    if (MHD_lookup_connection_value_n(req->connection, MHD_GET_ARGUMENT_KIND, name, strlen(name),
                                      &value, &value_bytes) != MHD_YES) {
        return NULL;
    }
    if (value == NULL) {
        return "";
    }
    return strlen(value) == value_bytes ? value : query_value_invalid;
}

struct query_check {
    const char *const *allowed;
    const char *unknown;
};

static enum MHD_Result check_query_name(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    (void)value;
    struct query_check *check = cls;
    for (size_t index = 0; check->allowed[index] != NULL; index++) {
        if (strcmp(check->allowed[index], key) == 0) {
            return MHD_YES;
        }
    }
    check->unknown = key;
    return MHD_NO;
}

enum fo_err fo_decode_query_names(struct fo_request *req, const char *const *allowed,
                                  struct fo_err_detail *detail)
{
    FO_ASSERT(req != NULL);
    FO_ASSERT(allowed != NULL);
    struct query_check check = {.allowed = allowed, .unknown = NULL};
    MHD_get_connection_values(req->connection, MHD_GET_ARGUMENT_KIND, check_query_name, &check);
    if (check.unknown == NULL) {
        return FO_OK;
    }
    return fo_err_field(detail, unknown_name(check.unknown), FO_FIELD_UNKNOWN);
}

/* Digits only, no sign, no leading '+': a whole number within [min, max]. */
static bool parse_whole(const char *text, int64_t min, int64_t max, int64_t *out)
{
    size_t bytes = strlen(text);
    if (bytes == 0 || bytes > 18 || strspn(text, "0123456789") != bytes) {
        return false;
    }
    int64_t value = (int64_t)strtoll(text, NULL, 10);
    if (value < min || value > max) {
        return false;
    }
    *out = value;
    return true;
}

static const char *const list_query_names[] = {"limit", "cursor", NULL};

enum fo_err fo_decode_list_args(struct fo_request *req, struct fo_err_detail *detail)
{
    FO_ASSERT(req != NULL);
    FO_ASSERT(detail != NULL);
    req->in.limit = FO_LIST_LIMIT_DEFAULT;
    req->in.cursor = 0;
    const char *const *allowed =
        req->route->query_names != NULL ? req->route->query_names : list_query_names;
    enum fo_err err = fo_decode_query_names(req, allowed, detail);
    if (err != FO_OK) {
        return err;
    }
    const char *limit = fo_request_query(req, "limit");
    if (limit != NULL && !parse_whole(limit, 1, FO_LIST_LIMIT_MAX, &req->in.limit)) {
        return fo_err_field_range(detail, "limit", FO_FIELD_OUT_OF_RANGE, 1, FO_LIST_LIMIT_MAX);
    }
    /* Cursors are "c" + a position; opaque to clients. */
    const char *cursor = fo_request_query(req, "cursor");
    if (cursor != NULL && cursor[0] != '\0') {
        if (cursor[0] != 'c' || !parse_whole(cursor + 1, 1, INT64_MAX / 2, &req->in.cursor)) {
            return fo_err_field(detail, "cursor", FO_FIELD_BAD_VALUE);
        }
    }
    return FO_OK;
}
