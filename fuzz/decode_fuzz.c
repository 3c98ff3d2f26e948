/* libFuzzer driver for request decoding (STYLE.md §9; fuzz/README.md).
 *
 * Property under test: whatever bytes arrive as a request body, decoding never crashes,
 * leaks or trips a sanitizer, and every answer is one API.md allows. The input goes to
 * fo_decode_body exactly as src/http hands it over (at most FO_BODY_BYTES_MAX bytes, not
 * NUL-terminated). When it yields an object, the body is decoded the way every route with
 * a body decodes it (the field lists of src/http/handlers_*.c, copied below) and its text
 * fields are checked the way the commands check them (fo_utf8_field_check). Every error is
 * rendered with fo_err_format in English and in Chinese.
 *
 * Oracles, besides the sanitizers and the core's own assertions:
 *   - a body that decodes is valid UTF-8 as a whole and nests at most FO_JSON_DEPTH_MAX;
 *   - every decoded string is valid UTF-8 by fo_utf8_valid (jansson and the core agree)
 *     and holds no NUL;
 *   - every decoded integer lies within the range its decoder was given;
 *   - fo_utf8_field_check agrees with a plain reference count of code points and controls;
 *   - a decoded policy passes fo_policy_validate unless its name is what is wrong, and its
 *     summary is valid UTF-8;
 *   - every rendered message is NUL-terminated valid UTF-8, whole or cut short.
 * A broken oracle is an FO_ASSERT, which aborts: libFuzzer reports it as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/assert.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/policy.h"
#include "core/text.h"
#include "core/utf8.h"
#include "http/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum field_kind {
    FIELD_INT = 1,
    FIELD_STRING,
    FIELD_BOOL,
};

/* How the command checks a string once decoded (src/commands, fo_write_text_check). */
enum field_text {
    TEXT_NONE = 0,    /* An id or a rule name: looked up, not checked as text. */
    TEXT_PLAIN,       /* chars_min..chars_max code points, no control characters. */
    TEXT_WITH_CONTROL /* chars_min..chars_max code points, control characters allowed. */
};

struct field_shape {
    const char *name;
    enum field_kind kind;
    bool required;
    int64_t min; /* FIELD_INT: the decoder's range; FIELD_STRING: code points. */
    int64_t max;
    enum field_text text;    /* FIELD_STRING only. */
    size_t copy_bytes;       /* FIELD_STRING copied into a fixed array by the handler, else 0. */
    const char *rule_values; /* FIELD_STRING naming a policy rule: "pending" etc., else NULL. */
};

struct route_shape {
    const char *route;
    const char *const *allowed; /* NULL-terminated, as the handler passes fo_decode_fields. */
    const struct field_shape *fields;
    size_t fields_count;
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static const char *const place_allowed[] = {"service_id", "quantity", "target",
                                            "expected_policy_id", NULL};
static const struct field_shape place_fields[] = {
    {"service_id", FIELD_STRING, true, 0, 0, TEXT_NONE, 0, NULL},
    {"quantity", FIELD_INT, true, 1, FO_QUANTITY_MAX, TEXT_NONE, 0, NULL},
    {"target", FIELD_STRING, true, 1, FO_TARGET_CHARS_MAX, TEXT_PLAIN, 0, NULL},
    {"expected_policy_id", FIELD_STRING, false, 0, 0, TEXT_NONE, 0, NULL},
};

static const char *const cancel_allowed[] = {"expected_refund_minor", "reason", NULL};
static const struct field_shape cancel_fields[] = {
    {"expected_refund_minor", FIELD_INT, false, 0, FO_AMOUNT_MINOR_MAX, TEXT_NONE, 0, NULL},
    {"reason", FIELD_STRING, false, 0, FO_REASON_CHARS_MAX, TEXT_WITH_CONTROL, 0, NULL},
};

static const char *const policy_allowed[] = {
    "name",    "cooling_off_s",        "pending", "queued", "executing", "fee_fixed_minor",
    "fee_bps", "free_cancels_per_day", NULL};
static const struct field_shape policy_fields[] = {
    {"name", FIELD_STRING, true, 1, FO_NAME_CHARS_MAX, TEXT_PLAIN, FO_NAME_BYTES, NULL},
    {"cooling_off_s", FIELD_INT, true, 0, FO_COOLING_OFF_S_MAX, TEXT_NONE, 0, NULL},
    {"pending", FIELD_STRING, true, 0, 0, TEXT_NONE, 0, "pending"},
    {"queued", FIELD_STRING, true, 0, 0, TEXT_NONE, 0, "queued"},
    {"executing", FIELD_STRING, true, 0, 0, TEXT_NONE, 0, "executing"},
    {"fee_fixed_minor", FIELD_INT, true, 0, FO_FEE_FIXED_MINOR_MAX, TEXT_NONE, 0, NULL},
    {"fee_bps", FIELD_INT, true, 0, FO_FEE_BPS_MAX, TEXT_NONE, 0, NULL},
    {"free_cancels_per_day", FIELD_INT, true, 0, FO_FREE_CANCELS_PER_DAY_MAX, TEXT_NONE, 0, NULL},
};

static const char *const supplier_allowed[] = {"name", "capacity", "lease_s",
                                               "simulate_units_per_s", NULL};
static const struct field_shape supplier_fields[] = {
    {"name", FIELD_STRING, true, 1, FO_NAME_CHARS_MAX, TEXT_PLAIN, FO_NAME_BYTES, NULL},
    {"capacity", FIELD_INT, true, 1, FO_CAPACITY_MAX, TEXT_NONE, 0, NULL},
    {"lease_s", FIELD_INT, false, FO_LEASE_S_MIN, FO_LEASE_S_MAX, TEXT_NONE, 0, NULL},
    {"simulate_units_per_s", FIELD_INT, false, 1, FO_SIMULATE_UNITS_PER_S_MAX, TEXT_NONE, 0, NULL},
};

static const char *const service_allowed[] = {
    "name",         "unit",      "unit_price_minor", "min_quantity",
    "max_quantity", "policy_id", "supplier_id",      NULL};
static const struct field_shape service_fields[] = {
    {"name", FIELD_STRING, true, 1, FO_NAME_CHARS_MAX, TEXT_PLAIN, FO_NAME_BYTES, NULL},
    {"unit", FIELD_STRING, true, 1, FO_UNIT_CHARS_MAX, TEXT_PLAIN, FO_UNIT_BYTES, NULL},
    {"policy_id", FIELD_STRING, true, 0, 0, TEXT_NONE, FO_ID_BYTES, NULL},
    {"supplier_id", FIELD_STRING, true, 0, 0, TEXT_NONE, FO_ID_BYTES, NULL},
    {"unit_price_minor", FIELD_INT, true, 1, FO_UNIT_PRICE_MINOR_MAX, TEXT_NONE, 0, NULL},
    {"min_quantity", FIELD_INT, true, 1, FO_QUANTITY_MAX, TEXT_NONE, 0, NULL},
    {"max_quantity", FIELD_INT, true, 1, FO_QUANTITY_MAX, TEXT_NONE, 0, NULL},
};

static const char *const patch_allowed[] = {"policy_id", "unit_price_minor", "active", NULL};
static const struct field_shape patch_fields[] = {
    {"policy_id", FIELD_STRING, false, 0, 0, TEXT_NONE, 0, NULL},
    {"unit_price_minor", FIELD_INT, false, 1, FO_UNIT_PRICE_MINOR_MAX, TEXT_NONE, 0, NULL},
    {"active", FIELD_BOOL, false, 0, 0, TEXT_NONE, 0, NULL},
};

static const char *const topup_allowed[] = {"amount_minor", "reference", NULL};
static const struct field_shape topup_fields[] = {
    {"amount_minor", FIELD_INT, true, 1, FO_TOPUP_MINOR_MAX, TEXT_NONE, 0, NULL},
    {"reference", FIELD_STRING, true, 1, FO_REFERENCE_CHARS_MAX, TEXT_PLAIN, 0, NULL},
};

static const char *const buyer_allowed[] = {"name", NULL};
static const struct field_shape buyer_fields[] = {
    {"name", FIELD_STRING, true, 1, FO_NAME_CHARS_MAX, TEXT_PLAIN, 0, NULL},
};

static const char *const claim_allowed[] = {"max", NULL};
static const struct field_shape claim_fields[] = {
    {"max", FIELD_INT, true, 1, FO_CLAIM_MAX, TEXT_NONE, 0, NULL},
};

static const char *const progress_allowed[] = {"delivered", NULL};
static const struct field_shape progress_fields[] = {
    {"delivered", FIELD_INT, true, 0, FO_QUANTITY_MAX, TEXT_NONE, 0, NULL},
};

static const char *const fail_allowed[] = {"delivered", "reason", NULL};
static const struct field_shape fail_fields[] = {
    {"delivered", FIELD_INT, true, 0, FO_QUANTITY_MAX, TEXT_NONE, 0, NULL},
    {"reason", FIELD_STRING, false, 0, FO_REASON_CHARS_MAX, TEXT_WITH_CONTROL, 0, NULL},
};

static const char *const advance_allowed[] = {"seconds", NULL};
static const struct field_shape advance_fields[] = {
    {"seconds", FIELD_INT, true, 1, FO_CLOCK_ADVANCE_S_MAX, TEXT_NONE, 0, NULL},
};

#define ROUTE(name)                                                \
    {                                                              \
#name, name##_allowed, name##_fields, COUNT(name##_fields) \
    }
static const struct route_shape routes[] = {
    ROUTE(place), ROUTE(cancel), ROUTE(policy), ROUTE(supplier), ROUTE(service), ROUTE(patch),
    ROUTE(topup), ROUTE(buyer),  ROUTE(claim),  ROUTE(progress), ROUTE(fail),    ROUTE(advance),
};
#undef ROUTE

/* A rendered text: NUL-terminated where the writer says, nothing after, valid UTF-8. */
static void check_text(const char *buf, size_t buf_bytes, size_t written)
{
    FO_ASSERT(written < buf_bytes);
    FO_ASSERT(buf[written] == '\0');
    FO_ASSERT(strlen(buf) == written);
    FO_ASSERT(fo_utf8_valid(buf, written, NULL));
}

/* Render an error in both languages, whole and into a buffer of cut_bytes (1..64). */
static void check_error(enum fo_err err, const struct fo_err_detail *detail, size_t cut_bytes)
{
    FO_ASSERT(fo_err_is_known(err));
    FO_ASSERT(cut_bytes >= 1);
    FO_ASSERT(detail->field[FO_FIELD_BYTES - 1] == '\0');
    if (err == FO_ERR_INVALID_REQUEST) {
        /* Only an unknown field can have an empty name: the body's key "". */
        FO_ASSERT(detail->field[0] != '\0' || detail->problem == FO_FIELD_UNKNOWN);
        FO_ASSERT(fo_utf8_valid(detail->field, strlen(detail->field), NULL));
    }
    for (int lang = FO_LANG_EN; lang <= FO_LANG_ZH; lang++) {
        char message[FO_TEXT_BYTES];
        size_t written = fo_err_format(err, detail, (enum fo_lang)lang, message, sizeof message);
        check_text(message, sizeof message, written);
        FO_ASSERT(written > 0);
        char cut[64];
        written = fo_err_format(err, detail, (enum fo_lang)lang, cut, cut_bytes);
        check_text(cut, cut_bytes, written);
        FO_ASSERT(fo_err_message(err, (enum fo_lang)lang) != NULL);
    }
    FO_ASSERT(fo_err_code(err) != NULL);
    FO_ASSERT(err == FO_OK || fo_err_http_status(err) >= 400);
}

/* Code points and control characters of valid UTF-8, counted the plain way: every byte
 * that is not a continuation byte starts a code point. */
static enum fo_err reference_text_check(const char *text, size_t bytes, int64_t chars_min,
                                        int64_t chars_max, bool allow_control)
{
    const unsigned char *at = (const unsigned char *)text;
    int64_t chars = 0;
    bool control = false;
    for (size_t index = 0; index < bytes; index++) {
        if ((at[index] & 0xC0u) != 0x80u) {
            chars++;
        }
        bool c1 = at[index] == 0xC2 && index + 1 < bytes && at[index + 1] <= 0x9F;
        control = control || at[index] < 0x20 || at[index] == 0x7F || c1;
    }
    bool length_ok = chars >= chars_min && chars <= chars_max;
    return length_ok && (allow_control || !control) ? FO_OK : FO_ERR_INVALID_REQUEST;
}

/* What the command does with a decoded text: fo_write_text_check, against the reference. */
static void check_text_field(const struct field_shape *shape, const char *text, size_t bytes)
{
    FO_ASSERT(shape->text != TEXT_NONE);
    FO_ASSERT(text != NULL);

    bool allow_control = shape->text == TEXT_WITH_CONTROL;
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    enum fo_err err = fo_utf8_field_check(shape->name, text, bytes, shape->min, shape->max,
                                          allow_control, &detail);
    FO_ASSERT(err == reference_text_check(text, bytes, shape->min, shape->max, allow_control));
    if (err != FO_OK) {
        FO_ASSERT(strcmp(detail.field, shape->name) == 0);
        check_error(err, &detail, 1 + bytes % 64);
    }
}

static bool rule_parses(const char *rule, const char *name)
{
    if (strcmp(rule, "pending") == 0) {
        enum fo_pending_rule value;
        return fo_pending_rule_parse(name, &value);
    }
    if (strcmp(rule, "queued") == 0) {
        enum fo_queued_rule value;
        return fo_queued_rule_parse(name, &value);
    }
    enum fo_executing_rule value;
    FO_ASSERT(strcmp(rule, "executing") == 0);
    return fo_executing_rule_parse(name, &value);
}

/* A string field as the handler decodes it, then the command's text check. */
static enum fo_err decode_string_field(json_t *body, const struct field_shape *shape,
                                       struct fo_err_detail *detail)
{
    const char *text = NULL;
    enum fo_err err = fo_decode_string(body, shape->name, shape->required, &text, detail);
    if (err != FO_OK) {
        return err;
    }
    if (text == NULL) {
        FO_ASSERT(!shape->required);
        return FO_OK;
    }
    json_t *value = json_object_get(body, shape->name);
    FO_ASSERT(json_is_string(value));
    size_t bytes = json_string_length(value);
    FO_ASSERT(strlen(text) == bytes);
    FO_ASSERT(fo_utf8_valid(text, bytes, NULL));
    if (shape->copy_bytes > 0 && bytes >= shape->copy_bytes) {
        /* handlers_admin.c, copy_text: texts name their limit, ids the array's. */
        int64_t chars_max = shape->text != TEXT_NONE ? shape->max : (int64_t)shape->copy_bytes - 1;
        return fo_err_field_range(detail, shape->name, FO_FIELD_BAD_LENGTH, 1, chars_max);
    }
    if (shape->rule_values != NULL && !rule_parses(shape->rule_values, text)) {
        return fo_err_field(detail, shape->name, FO_FIELD_BAD_VALUE);
    }
    if (shape->text != TEXT_NONE) {
        check_text_field(shape, text, bytes);
    }
    return FO_OK;
}

static enum fo_err decode_field(json_t *body, const struct field_shape *shape,
                                struct fo_err_detail *detail)
{
    if (shape->kind == FIELD_STRING) {
        return decode_string_field(body, shape, detail);
    }
    bool present = false;
    if (shape->kind == FIELD_BOOL) {
        bool value = false;
        return fo_decode_bool(body, shape->name, &value, &present, detail);
    }
    FO_ASSERT(shape->kind == FIELD_INT);
    int64_t value = INT64_MIN;
    enum fo_err err = fo_decode_int(body, shape->name, shape->required, shape->min, shape->max,
                                    &value, &present, detail);
    if (err == FO_OK && present) {
        FO_ASSERT(value >= shape->min);
        FO_ASSERT(value <= shape->max);
    }
    FO_ASSERT(err != FO_OK || present || !shape->required);
    return err;
}

/* Every key of an accepted body is in the route's list. */
static void check_fields_allowed(json_t *body, const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value)
    {
        FO_ASSERT(value != NULL);
        bool known = false;
        for (size_t index = 0; allowed[index] != NULL; index++) {
            known = known || strcmp(allowed[index], key) == 0;
        }
        FO_ASSERT(known);
    }
}

/* A decoded policy body is what fo_policy_validate checks and what the summary renders. */
static void check_policy(json_t *body)
{
    struct fo_policy policy;
    memset(&policy, 0, sizeof policy);
    snprintf(policy.id, sizeof policy.id, "pol_fuzz");
    snprintf(policy.name, sizeof policy.name, "%s",
             json_string_value(json_object_get(body, "name")));
    FO_ASSERT(fo_pending_rule_parse(json_string_value(json_object_get(body, "pending")),
                                    &policy.pending));
    FO_ASSERT(
        fo_queued_rule_parse(json_string_value(json_object_get(body, "queued")), &policy.queued));
    FO_ASSERT(fo_executing_rule_parse(json_string_value(json_object_get(body, "executing")),
                                      &policy.executing));
    policy.cooling_off_s = json_integer_value(json_object_get(body, "cooling_off_s"));
    policy.fee_fixed_minor = json_integer_value(json_object_get(body, "fee_fixed_minor"));
    policy.fee_bps = json_integer_value(json_object_get(body, "fee_bps"));
    policy.free_cancels_per_day = json_integer_value(json_object_get(body, "free_cancels_per_day"));
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    enum fo_err err = fo_policy_validate(&policy, &detail);
    if (err != FO_OK) {
        /* Only the name is checked beyond what the decoder checked. */
        FO_ASSERT(strcmp(detail.field, "name") == 0);
        check_error(err, &detail, 1 + strlen(policy.name) % 64);
        return;
    }
    for (int lang = FO_LANG_EN; lang <= FO_LANG_ZH; lang++) {
        char summary[FO_TEXT_BYTES];
        size_t written =
            fo_text_policy_summary(&policy, (enum fo_lang)lang, summary, sizeof summary);
        check_text(summary, sizeof summary, written);
        FO_ASSERT(written > 0);
    }
}

static void decode_route(json_t *body, const struct route_shape *route, size_t cut_bytes)
{
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    enum fo_err err = fo_decode_fields(body, route->allowed, &detail);
    if (err == FO_OK) {
        check_fields_allowed(body, route->allowed);
    }
    for (size_t index = 0; index < route->fields_count && err == FO_OK; index++) {
        err = decode_field(body, &route->fields[index], &detail);
    }
    if (err != FO_OK) {
        FO_ASSERT(err == FO_ERR_INVALID_REQUEST);
        check_error(err, &detail, cut_bytes);
        return;
    }
    if (strcmp(route->route, "policy") == 0) {
        check_policy(body);
    }
}

/* The depth of a decoded value (1 for a container of scalars), without recursion: a stack
 * of the containers being walked, as deep as API.md allows and one more. */
struct depth_frame {
    json_t *container;
    void *iter;   /* Objects: the next member. */
    size_t index; /* Arrays: the next element. */
};

static json_t *depth_frame_next(struct depth_frame *frame)
{
    if (json_is_object(frame->container)) {
        if (frame->iter == NULL) {
            return NULL;
        }
        json_t *value = json_object_iter_value(frame->iter);
        frame->iter = json_object_iter_next(frame->container, frame->iter);
        return value;
    }
    if (frame->index >= json_array_size(frame->container)) {
        return NULL;
    }
    return json_array_get(frame->container, frame->index++);
}

static size_t json_tree_depth(json_t *root)
{
    struct depth_frame stack[FO_JSON_DEPTH_MAX + 1];
    size_t depth = 1;
    size_t depth_max = 1;
    stack[0] = (struct depth_frame){root, json_object_iter(root), 0};
    while (depth > 0) {
        json_t *child = depth_frame_next(&stack[depth - 1]);
        if (child == NULL) {
            depth--;
        } else if (json_is_object(child) || json_is_array(child)) {
            FO_ASSERT(depth < COUNT(stack));
            void *iter = json_is_object(child) ? json_object_iter(child) : NULL;
            stack[depth++] = (struct depth_frame){child, iter, 0};
            depth_max = depth > depth_max ? depth : depth_max;
        }
    }
    return depth_max;
}

/* The input read as an Accept-Language header: any bytes give one of the two languages. */
static void check_lang_header(const uint8_t *data, size_t size)
{
    size_t bytes = size < FO_HEADER_BYTES_MAX ? size : FO_HEADER_BYTES_MAX;
    char *header = malloc(bytes + 1);
    FO_ASSERT(header != NULL);
    memcpy(header, data, bytes);
    header[bytes] = '\0';
    enum fo_lang lang = fo_text_lang_from_header(header);
    FO_ASSERT(lang == FO_LANG_EN || lang == FO_LANG_ZH);
    free(header);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FO_BODY_BYTES_MAX) {
        return 0; /* The HTTP layer answers 413 before decoding. */
    }
    check_lang_header(data, size);
    const char *body_text = (const char *)data;
    size_t cut_bytes = 1 + (size > 0 ? data[size - 1] % 64 : 0);
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    json_t *body = NULL;
    enum fo_err err = fo_decode_body(body_text, size, &body, &detail);
    if (err != FO_OK) {
        FO_ASSERT(body == NULL);
        FO_ASSERT(err == FO_ERR_INVALID_JSON || err == FO_ERR_INVALID_REQUEST);
        FO_ASSERT(err != FO_ERR_INVALID_REQUEST || detail.problem == FO_FIELD_NOT_OBJECT);
        check_error(err, &detail, cut_bytes);
        return 0;
    }
    FO_ASSERT(json_is_object(body));
    FO_ASSERT(fo_utf8_valid(body_text, size, NULL));
    FO_ASSERT(json_tree_depth(body) <= FO_JSON_DEPTH_MAX);
    for (size_t index = 0; index < COUNT(routes); index++) {
        decode_route(body, &routes[index], cut_bytes);
    }
    json_decref(body);
    return 0;
}
