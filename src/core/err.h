/* Errors: one enum, one table (STYLE.md §4).
 *
 * Operating errors (bad input, not found, conflict, storage down) are values of
 * enum fo_err; programmer errors are assertions. Every client-visible code is listed in
 * API.md; numbers and codes never change once shipped. The English message lives in the
 * table below, the Chinese one in err_zh.c (a unit test checks it covers every code).
 *
 * Detail that API.md promises travels in a caller-owned struct fo_err_detail: the field an
 * invalid_request names, and the problem with it. The HTTP layer renders every error the
 * same way from the code plus this detail; handlers never invent strings. */
#ifndef FO_CORE_ERR_H
#define FO_CORE_ERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

/*  name (API code, upper case)  number http message (English) */
#define FO_ERR_TABLE(X)                                                                        \
    X(OK, 0, 200, "ok")                                                                        \
    X(INVALID_JSON, 100, 400, "request body is not valid JSON")                                \
    X(INVALID_REQUEST, 101, 400, "a field is missing, of the wrong type or out of range")      \
    X(BODY_TOO_LARGE, 102, 413, "request body exceeds 64 KiB")                                 \
    X(HEADERS_TOO_LARGE, 103, 431, "request headers exceed 16 KiB")                            \
    X(UNSUPPORTED_MEDIA_TYPE, 104, 415, "send the body as Content-Type: application/json")     \
    X(METHOD_NOT_ALLOWED, 105, 405, "this method is not allowed on this resource")             \
    X(UNAUTHORIZED, 110, 401, "missing or unknown token")                                      \
    X(FORBIDDEN, 111, 403, "this token's role may not do that")                                \
    X(NOT_FOUND, 120, 404, "no such resource")                                                 \
    X(SERVICE_NOT_FOUND, 121, 404, "no such service, or it is not active")                     \
    X(INSUFFICIENT_FUNDS, 200, 402, "available balance is too low")                            \
    X(NOT_CANCELLABLE, 210, 409, "this order cannot be cancelled now")                         \
    X(QUOTE_CHANGED, 211, 409, "the refund would be lower than the accepted quote")            \
    X(POLICY_CHANGED, 212, 409, "the service's cancellation policy changed; review it again")  \
    X(JOB_NOT_ACTIVE, 220, 409, "this job is no longer executing for you; stop working on it") \
    X(INVALID_PROGRESS, 221, 409, "delivered must not decrease nor exceed the quantity")       \
    X(IDEMPOTENCY_CONFLICT, 300, 409, "this Idempotency-Key was used for a different request") \
    X(RATE_LIMITED, 400, 429, "too many requests; retry after the time in Retry-After")        \
    X(UNAVAILABLE, 900, 503, "the server is busy; retry shortly")                              \
    X(INTERNAL, 901, 500, "internal error; the operator has been told, retry later")

enum fo_err {
#define FO_ERR_ENUM(name, number, http, message) FO_ERR_##name = number,
    FO_ERR_TABLE(FO_ERR_ENUM)
#undef FO_ERR_ENUM
};
#define FO_OK FO_ERR_OK

/* The reader's language: API.md, "Accept-Language". */
enum fo_lang {
    FO_LANG_EN = 0,
    FO_LANG_ZH = 1,
};

/* What is wrong with the field an invalid_request names. */
enum fo_field_problem {
    FO_FIELD_OK = 0,
    FO_FIELD_MISSING,      /* Required and absent. */
    FO_FIELD_UNKNOWN,      /* Not a field of this request. */
    FO_FIELD_WRONG_TYPE,   /* E.g. a string where an integer belongs. */
    FO_FIELD_OUT_OF_RANGE, /* A number outside its documented range. */
    FO_FIELD_BAD_LENGTH,   /* A string outside its documented length in code points. */
    FO_FIELD_BAD_CHARS,    /* Control characters, or characters the field forbids. */
    FO_FIELD_BAD_VALUE,    /* Not one of the allowed values (enums, ids). */
    FO_FIELD_NOT_OBJECT,   /* The body is valid JSON but not an object. */
};

/* Caller-owned detail of an error; every member optional (zeroed = absent). */
struct fo_err_detail {
    char field[FO_FIELD_BYTES];    /* The field an invalid_request names, e.g. "quantity". */
    enum fo_field_problem problem; /* What is wrong with it. */
    int64_t range_min;             /* For FO_FIELD_OUT_OF_RANGE / BAD_LENGTH: the bounds. */
    int64_t range_max;
    bool has_range;
};

/* The lower-case API code ("invalid_request"); "internal" for an unknown value. */
const char *fo_err_code(enum fo_err err);
/* The HTTP status of the code (API.md, "Error codes"). */
int fo_err_http_status(enum fo_err err);
/* The plain message in the language; never NULL. */
const char *fo_err_message(enum fo_err err, enum fo_lang lang);
/* True for every value of the table (and only those). */
bool fo_err_is_known(enum fo_err err);
/* Every value of the table, in table order; for tests that must cover them all. */
size_t fo_err_all(const enum fo_err **out);

/* Fill `detail` for an invalid_request about `field` and return FO_ERR_INVALID_REQUEST. */
enum fo_err fo_err_field(struct fo_err_detail *detail, const char *field,
                         enum fo_field_problem problem);
/* The same with the documented bounds of the field. */
enum fo_err fo_err_field_range(struct fo_err_detail *detail, const char *field,
                               enum fo_field_problem problem, int64_t range_min, int64_t range_max);

/* Write the whole human message of an error into buf (always NUL-terminated):
 * the code's message, then for invalid_request the field and its problem, e.g.
 * "quantity: must be between 1 and 1000000000". Returns the bytes written (no NUL). */
size_t fo_err_format(enum fo_err err, const struct fo_err_detail *detail, enum fo_lang lang,
                     char *buf, size_t buf_bytes);

#endif
