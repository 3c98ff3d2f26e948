/* Errors: the functions generated from FO_ERR_TABLE, and the rendering of an error with
 * its detail into one human message (STYLE.md §4).
 *
 * The table in err.h is the single source of codes, numbers, HTTP statuses and English
 * messages; err_zh.c holds the Chinese ones. The lower-case API code is spelled out in a
 * switch without a default case, so the compiler rejects a table row without a code, and
 * every lookup asserts that the code is the row's name in lower case. The HTTP layer
 * renders every error through fo_err_format; handlers never invent strings.
 *
 * Invariants: each table value maps to exactly one row; unknown values render as
 * "internal". Pure: constant tables, caller buffers, no I/O. */
#include "core/err.h"

#include <string.h>

#include "core/assert.h"
#include "core/err_zh.h"
#include "core/strbuf.h"

struct err_row {
    enum fo_err err;
    int http_status;
    const char *message;    /* English. */
    const char *name_upper; /* The table name, e.g. "INVALID_REQUEST". */
};

#define ERR_ROW(name, number, http, message) {FO_ERR_##name, http, message, #name},
static const struct err_row err_rows[] = {FO_ERR_TABLE(ERR_ROW)};
#undef ERR_ROW

#define ERR_VALUE(name, number, http, message) FO_ERR_##name,
static const enum fo_err err_values[] = {FO_ERR_TABLE(ERR_VALUE)};
#undef ERR_VALUE

#define ERR_ROWS_COUNT (sizeof err_rows / sizeof err_rows[0])
_Static_assert(sizeof err_values / sizeof err_values[0] == ERR_ROWS_COUNT,
               "one value per table row");

static const struct err_row *err_row_find(enum fo_err err)
{
    const struct err_row *found = NULL;
    for (size_t index = 0; index < ERR_ROWS_COUNT; index++) {
        if (err_rows[index].err == err) {
            found = &err_rows[index];
            break;
        }
    }
    FO_ASSERT(found == NULL || found->err == err);
    FO_ASSERT(found == NULL || found->message != NULL);
    return found;
}

/* The lower-case code of a value of the table (callers look the row up first). */
static const char *err_code_lookup(enum fo_err err)
{
    FO_ASSERT(err_row_find(err) != NULL);
    FO_ASSERT((int)err >= 0);

    switch (err) {
    case FO_ERR_OK:
        return "ok";
    case FO_ERR_INVALID_JSON:
        return "invalid_json";
    case FO_ERR_INVALID_REQUEST:
        return "invalid_request";
    case FO_ERR_BODY_TOO_LARGE:
        return "body_too_large";
    case FO_ERR_HEADERS_TOO_LARGE:
        return "headers_too_large";
    case FO_ERR_UNSUPPORTED_MEDIA_TYPE:
        return "unsupported_media_type";
    case FO_ERR_METHOD_NOT_ALLOWED:
        return "method_not_allowed";
    case FO_ERR_UNAUTHORIZED:
        return "unauthorized";
    case FO_ERR_FORBIDDEN:
        return "forbidden";
    case FO_ERR_NOT_FOUND:
        return "not_found";
    case FO_ERR_SERVICE_NOT_FOUND:
        return "service_not_found";
    case FO_ERR_INSUFFICIENT_FUNDS:
        return "insufficient_funds";
    case FO_ERR_NOT_CANCELLABLE:
        return "not_cancellable";
    case FO_ERR_QUOTE_CHANGED:
        return "quote_changed";
    case FO_ERR_POLICY_CHANGED:
        return "policy_changed";
    case FO_ERR_JOB_NOT_ACTIVE:
        return "job_not_active";
    case FO_ERR_INVALID_PROGRESS:
        return "invalid_progress";
    case FO_ERR_IDEMPOTENCY_CONFLICT:
        return "idempotency_conflict";
    case FO_ERR_RATE_LIMITED:
        return "rate_limited";
    case FO_ERR_UNAVAILABLE:
        return "unavailable";
    case FO_ERR_INTERNAL:
        return "internal";
    }
    return NULL;
}

/* True when `code` is `name_upper` in lower case. */
static bool err_code_matches_name(const char *code, const char *name_upper)
{
    FO_ASSERT(code != NULL);
    FO_ASSERT(name_upper != NULL);

    size_t index = 0;
    for (; code[index] != '\0' && name_upper[index] != '\0'; index++) {
        char upper = name_upper[index];
        char lower = (upper >= 'A' && upper <= 'Z') ? (char)(upper - 'A' + 'a') : upper;
        if (code[index] != lower) {
            return false;
        }
    }
    return code[index] == '\0' && name_upper[index] == '\0';
}

const char *fo_err_code(enum fo_err err)
{
    const struct err_row *row = err_row_find(err);
    if (row == NULL) {
        return "internal";
    }
    const char *code = err_code_lookup(err);

    FO_ASSERT(code != NULL);
    FO_ASSERT(err_code_matches_name(code, row->name_upper));
    return code;
}

int fo_err_http_status(enum fo_err err)
{
    const struct err_row *row = err_row_find(err);
    int status = row != NULL ? row->http_status : 500;

    FO_ASSERT(status >= 200);
    FO_ASSERT(status <= 599);
    return status;
}

const char *fo_err_message(enum fo_err err, enum fo_lang lang)
{
    FO_ASSERT(lang == FO_LANG_EN || lang == FO_LANG_ZH);

    if (!fo_err_is_known(err)) {
        err = FO_ERR_INTERNAL;
    }
    const char *message = NULL;
    if (lang == FO_LANG_ZH) {
        message = fo_err_zh_message(err);
    } else {
        message = err_row_find(err)->message;
    }

    FO_ASSERT(message != NULL);
    FO_ASSERT(message[0] != '\0');
    return message;
}

bool fo_err_is_known(enum fo_err err)
{
    bool known = err_row_find(err) != NULL;

    FO_ASSERT(!known || err_code_lookup(err) != NULL);
    FO_ASSERT(known || err != FO_ERR_INTERNAL);
    return known;
}

size_t fo_err_all(const enum fo_err **out)
{
    FO_ASSERT(out != NULL);

    *out = err_values;

    FO_ASSERT(ERR_ROWS_COUNT > 0);
    return ERR_ROWS_COUNT;
}

enum fo_err fo_err_field_range(struct fo_err_detail *detail, const char *field,
                               enum fo_field_problem problem, int64_t range_min, int64_t range_max)
{
    FO_ASSERT(detail != NULL);
    FO_ASSERT(field != NULL);
    FO_ASSERT(range_min <= range_max);

    memset(detail, 0, sizeof *detail);
    /* An unknown field's name comes from the request: cut it, never assert on its length. */
    struct fo_strbuf sb;
    fo_strbuf_init(&sb, detail->field, sizeof detail->field);
    fo_strbuf_append(&sb, field);
    detail->problem = problem;
    detail->range_min = range_min;
    detail->range_max = range_max;
    detail->has_range = true;

    FO_ASSERT(detail->field[FO_FIELD_BYTES - 1] == '\0');
    return FO_ERR_INVALID_REQUEST;
}

enum fo_err fo_err_field(struct fo_err_detail *detail, const char *field,
                         enum fo_field_problem problem)
{
    FO_ASSERT(detail != NULL);
    FO_ASSERT(field != NULL);

    enum fo_err err = fo_err_field_range(detail, field, problem, 0, 0);
    detail->has_range = false;

    FO_ASSERT(err == FO_ERR_INVALID_REQUEST);
    return err;
}

/* The range phrase of an out-of-range number or a string of the wrong length. */
static void err_format_range(struct fo_strbuf *sb, const struct fo_err_detail *detail,
                             enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(detail->has_range);

    bool zh = lang == FO_LANG_ZH;
    if (detail->problem == FO_FIELD_OUT_OF_RANGE) {
        fo_strbuf_append(sb, zh ? " 必须在 " : " must be between ");
        fo_strbuf_append_int(sb, detail->range_min);
        fo_strbuf_append(sb, zh ? " 到 " : " and ");
        fo_strbuf_append_int(sb, detail->range_max);
        fo_strbuf_append(sb, zh ? " 之间" : "");
        return;
    }
    if (detail->range_min == detail->range_max) {
        fo_strbuf_append(sb, zh ? " 的长度必须为 " : " must be exactly ");
    } else if (detail->range_min <= 0) {
        fo_strbuf_append(sb, zh ? " 的长度不能超过 " : " must be at most ");
    } else {
        fo_strbuf_append(sb, zh ? " 的长度必须为 " : " must be ");
        fo_strbuf_append_int(sb, detail->range_min);
        fo_strbuf_append(sb, zh ? " 到 " : " to ");
    }
    fo_strbuf_append_int(sb, detail->range_max);
    fo_strbuf_append(sb, zh ? " 个字符"
                            : (detail->range_max == 1 ? " character long" : " characters long"));
}

/* What is wrong with the field, after its name, when no bounds are given. */
static const char *err_problem_phrase(enum fo_field_problem problem, enum fo_lang lang)
{
    FO_ASSERT(lang == FO_LANG_EN || lang == FO_LANG_ZH);

    bool zh = lang == FO_LANG_ZH;
    const char *phrase = zh ? " 无效" : " is invalid";
    switch (problem) {
    case FO_FIELD_OK:
    case FO_FIELD_NOT_OBJECT:
        break;
    case FO_FIELD_MISSING:
        phrase = zh ? " 为必填字段，但未提供" : " is required";
        break;
    case FO_FIELD_UNKNOWN:
        phrase = zh ? " 不是此请求可接受的字段" : " is not a known field";
        break;
    case FO_FIELD_WRONG_TYPE:
        phrase = zh ? " 的类型不正确" : " has the wrong type";
        break;
    case FO_FIELD_OUT_OF_RANGE:
        phrase = zh ? " 超出允许范围" : " is out of range";
        break;
    case FO_FIELD_BAD_LENGTH:
        phrase = zh ? " 的长度不符合要求" : " has the wrong length";
        break;
    case FO_FIELD_BAD_CHARS:
        phrase = zh ? " 不能包含控制字符" : " must not contain control characters";
        break;
    case FO_FIELD_BAD_VALUE:
        phrase = zh ? " 不是允许的取值" : " is not an allowed value";
        break;
    }
    FO_ASSERT(phrase != NULL);
    return phrase;
}

static void err_format_detail(struct fo_strbuf *sb, const struct fo_err_detail *detail,
                              enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(detail != NULL);

    bool zh = lang == FO_LANG_ZH;
    fo_strbuf_append(sb, zh ? "：" : ": ");
    if (detail->problem == FO_FIELD_NOT_OBJECT) {
        fo_strbuf_append(sb, zh ? "请求体必须是"
                                  " JSON 对象"
                                : "the body must be a JSON object");
        return;
    }
    const char *end = memchr(detail->field, '\0', sizeof detail->field);
    size_t field_bytes = end != NULL ? (size_t)(end - detail->field) : sizeof detail->field;
    fo_strbuf_append_bytes(sb, detail->field,
                           fo_strbuf_utf8_prefix_bytes(detail->field, field_bytes));
    bool ranged =
        detail->problem == FO_FIELD_OUT_OF_RANGE || detail->problem == FO_FIELD_BAD_LENGTH;
    if (ranged && detail->has_range && detail->range_min <= detail->range_max) {
        err_format_range(sb, detail, lang);
    } else {
        fo_strbuf_append(sb, err_problem_phrase(detail->problem, lang));
    }
}

size_t fo_err_format(enum fo_err err, const struct fo_err_detail *detail, enum fo_lang lang,
                     char *buf, size_t buf_bytes)
{
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= 1);
    FO_ASSERT(lang == FO_LANG_EN || lang == FO_LANG_ZH);

    struct fo_strbuf sb;
    fo_strbuf_init(&sb, buf, buf_bytes);
    fo_strbuf_append(&sb, fo_err_message(err, lang));
    bool names_field =
        detail != NULL && (detail->field[0] != '\0' || detail->problem == FO_FIELD_NOT_OBJECT);
    if (err == FO_ERR_INVALID_REQUEST && names_field) {
        err_format_detail(&sb, detail, lang);
    }
    size_t written = fo_strbuf_length(&sb);

    FO_ASSERT(written < buf_bytes);
    FO_ASSERT(buf[written] == '\0');
    return written;
}
