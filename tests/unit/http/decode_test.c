/* Property under test: decode.c turns a request body into a JSON object or into the error
 * API.md names (invalid_json for syntax, bad UTF-8, duplicate keys and nesting past 64;
 * invalid_request naming the field otherwise), and whatever it names is valid UTF-8, since
 * the name is sent back in error.field and error.message.
 *
 * Method: hand-picked bodies at each rule's edge, and the inputs fuzz/decode_fuzz.c found
 * (each one also in fuzz/corpus/decode/, named in its test). */
#include "support/fo_test.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "http/internal.h"

/* Decode `text` as a whole body; *out_body is the object on success (caller decrefs). */
static enum fo_err decode_text(const char *text, json_t **out_body, struct fo_err_detail *detail)
{
    memset(detail, 0, sizeof *detail);
    return fo_decode_body(text, strlen(text), out_body, detail);
}

static void test_decode_body_empty_reads_as_empty_object(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    json_t *body = NULL;
    assert_int_equal(fo_decode_body("", 0, &body, &detail), FO_OK);
    assert_true(json_is_object(body));
    assert_int_equal(json_object_size(body), 0);
    json_decref(body);
    assert_int_equal(decode_text(" \r\n\t", &body, &detail), FO_OK);
    assert_true(json_is_object(body));
    json_decref(body);
}

static void test_decode_body_rejects_what_api_md_calls_invalid_json(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "{\"quantity\":1",                    /* Unterminated. */
        "{\"quantity\":1,\"quantity\":2}",    /* Duplicate key. */
        "{\"target\":\"\xC0\xAF\"}",          /* Overlong UTF-8. */
        "{\"target\":\"\\ud800\"}",           /* Lone surrogate escape. */
        "{\"target\":\"a\\u0000b\"}",         /* NUL inside a string. */
        "{\"quantity\":9223372036854775808}", /* Past int64. */
        "\xEF\xBB\xBF{}",                     /* Byte order mark. */
    };
    for (size_t index = 0; index < sizeof bodies / sizeof bodies[0]; index++) {
        struct fo_err_detail detail;
        json_t *body = (json_t *)&detail; /* Must be reset to NULL. */
        assert_int_equal(decode_text(bodies[index], &body, &detail), FO_ERR_INVALID_JSON);
        assert_null(body);
    }
}

/* {"a":[[...]]} nested `depth` levels in all (the object is level 1). */
static void nested_body(size_t depth, char *out, size_t out_bytes)
{
    assert_true(2 * depth + 8 <= out_bytes);
    size_t used = (size_t)snprintf(out, out_bytes, "{\"a\":");
    for (size_t level = 1; level < depth; level++) {
        out[used++] = '[';
    }
    for (size_t level = 1; level < depth; level++) {
        out[used++] = ']';
    }
    out[used++] = '}';
    out[used] = '\0';
}

static void test_decode_body_nesting_64_accepted_65_rejected(void **state)
{
    (void)state;
    char text[256];
    struct fo_err_detail detail;
    json_t *body = NULL;
    nested_body(64, text, sizeof text);
    assert_int_equal(decode_text(text, &body, &detail), FO_OK);
    json_decref(body);
    nested_body(65, text, sizeof text);
    assert_int_equal(decode_text(text, &body, &detail), FO_ERR_INVALID_JSON);
    assert_null(body);
}

static void test_decode_body_not_an_object_is_invalid_request(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    json_t *body = NULL;
    assert_int_equal(decode_text("[1,2]", &body, &detail), FO_ERR_INVALID_REQUEST);
    assert_null(body);
    assert_string_equal(detail.field, "body");
    assert_int_equal(detail.problem, FO_FIELD_NOT_OBJECT);
}

/* Found by decode_fuzz (fuzz/corpus/decode/crash-unknown-key-cut-mid-character.json): an
 * unknown key longer than the 63 bytes of fo_err_detail.field was cut byte-wise, in the
 * middle of a character, and the broken UTF-8 went out in error.field. The cut must fall on
 * a character boundary. */
static void test_decode_fields_unknown_long_key_cut_at_character_boundary(void **state)
{
    (void)state;
    /* "a" and 21 three-byte characters: 64 bytes, one past the 63 that fit. */
    static const char key[] = "a键键键键键键键键键键键键键键键键键键键键键";
    assert_int_equal(strlen(key), 64);
    char text[128];
    snprintf(text, sizeof text, "{\"%s\":1}", key);
    struct fo_err_detail detail;
    json_t *body = NULL;
    assert_int_equal(decode_text(text, &body, &detail), FO_OK);
    static const char *const allowed[] = {"quantity", NULL};
    assert_int_equal(fo_decode_fields(body, allowed, &detail), FO_ERR_INVALID_REQUEST);
    json_decref(body);

    size_t field_bytes = strlen(detail.field);
    assert_true(fo_utf8_valid(detail.field, field_bytes, NULL));
    assert_int_equal(field_bytes, 61); /* "a" and 20 whole characters. */
    assert_memory_equal(detail.field, key, field_bytes);
    assert_int_equal(detail.problem, FO_FIELD_UNKNOWN);
}

static void test_decode_int_range_and_type(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    json_t *body = NULL;
    assert_int_equal(decode_text("{\"q\":1000000000,\"s\":\"1\",\"n\":null}", &body, &detail),
                     FO_OK);
    int64_t value = 0;
    bool present = false;
    assert_int_equal(fo_decode_int(body, "q", true, 1, 1000000000, &value, &present, &detail),
                     FO_OK);
    assert_int64_equal(value, 1000000000);
    assert_true(present);
    assert_int_equal(fo_decode_int(body, "q", true, 1, 999999999, &value, NULL, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_int_equal(detail.problem, FO_FIELD_OUT_OF_RANGE);
    assert_int_equal(fo_decode_int(body, "s", true, 1, 9, &value, NULL, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_int_equal(detail.problem, FO_FIELD_WRONG_TYPE);
    /* null is absent: fine when optional, missing when required. */
    assert_int_equal(fo_decode_int(body, "n", false, 1, 9, &value, &present, &detail), FO_OK);
    assert_false(present);
    assert_int_equal(fo_decode_int(body, "n", true, 1, 9, &value, &present, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_int_equal(detail.problem, FO_FIELD_MISSING);
    json_decref(body);
}

static void test_decode_fields_unknown_names_that_cannot_be_echoed(void **state)
{
    (void)state;
    static const char *const allowed[] = {"quantity", NULL};
    static const struct {
        const char *text;
        const char *field;
    } cases[] = {
        {"{\"\":1}", "(empty name)"},
        {"{\"a\\u0007b\":1}", "(unprintable name)"},
        {"{\"ok_name\":1}", "ok_name"},
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        struct fo_err_detail detail;
        json_t *body = NULL;
        assert_int_equal(decode_text(cases[index].text, &body, &detail), FO_OK);
        assert_int_equal(fo_decode_fields(body, allowed, &detail), FO_ERR_INVALID_REQUEST);
        json_decref(body);
        assert_string_equal(detail.field, cases[index].field);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_body_empty_reads_as_empty_object),
        cmocka_unit_test(test_decode_fields_unknown_names_that_cannot_be_echoed),
        cmocka_unit_test(test_decode_body_rejects_what_api_md_calls_invalid_json),
        cmocka_unit_test(test_decode_body_nesting_64_accepted_65_rejected),
        cmocka_unit_test(test_decode_body_not_an_object_is_invalid_request),
        cmocka_unit_test(test_decode_fields_unknown_long_key_cut_at_character_boundary),
        cmocka_unit_test(test_decode_int_range_and_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
