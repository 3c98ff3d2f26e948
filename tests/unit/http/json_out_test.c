/* The streaming JSON writer (src/http/json_out.c): commas and nesting, exact escaping of
 * quotes, backslashes and control characters, U+FFFD for bytes that are not well-formed
 * UTF-8 (overlong, surrogate, truncated, stray continuation), and valid UTF-8 passed
 * through untouched. Method: render small values and compare the bytes exactly. */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "http/json_out.h"
#include "support/fo_test.h"

/* Render one string value and return the text (caller frees). */
static char *render_string(const char *bytes, size_t count)
{
    struct fo_json_out out;
    fo_json_out_init(&out);
    fo_json_string_n(&out, bytes, count);
    assert_false(out.overflow);
    size_t length = 0;
    return fo_json_out_take(&out, &length);
}

static void test_fo_json_string_n_escapes_exactly(void **state)
{
    (void)state;
    char *text = render_string("a\"b\\c\nd\x01", 8);
    assert_string_equal(text, "\"a\\\"b\\\\c\\u000ad\\u0001\"");
    free(text);
}

static void test_fo_json_string_n_keeps_valid_utf8(void **state)
{
    (void)state;
    const char *value = "退款 ¥12.50 \xf0\x9f\x98\x80";
    char *text = render_string(value, strlen(value));
    assert_int_equal(strlen(text), strlen(value) + 2);
    assert_memory_equal(text + 1, value, strlen(value));
    free(text);
}

static void test_fo_json_string_n_replaces_malformed_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t count;
        const char *expected;
    } cases[] = {
        {"\xff\xfe", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},                 /* Not UTF-8 at all. */
        {"\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""},                 /* Overlong '/'. */
        {"\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* Surrogate. */
        {"a\xe9\x80", 3, "\"a\xef\xbf\xbd\xef\xbf\xbd\""},               /* Truncated at the end. */
        {"\x80z", 2, "\"\xef\xbf\xbdz\""},                               /* Stray continuation. */
    };
    for (size_t index = 0; index < sizeof cases / sizeof cases[0]; index++) {
        char *text = render_string(cases[index].bytes, cases[index].count);
        assert_string_equal(text, cases[index].expected);
        assert_true(fo_utf8_valid(text, strlen(text), NULL));
        free(text);
    }
}

static void test_fo_json_commas_and_nesting(void **state)
{
    (void)state;
    struct fo_json_out out;
    fo_json_out_init(&out);
    fo_json_object_begin(&out);
    fo_json_kv_int(&out, "a", -5);
    fo_json_key(&out, "b");
    fo_json_array_begin(&out);
    fo_json_bool(&out, true);
    fo_json_null(&out);
    fo_json_int(&out, INT64_MAX);
    fo_json_array_end(&out);
    fo_json_kv_string(&out, "c", "x");
    fo_json_object_end(&out);
    size_t length = 0;
    char *text = fo_json_out_take(&out, &length);
    assert_string_equal(text, "{\"a\":-5,\"b\":[true,null,9223372036854775807],\"c\":\"x\"}");
    assert_int_equal(length, strlen(text));
    free(text);
}

static void test_fo_json_int_prints_every_magnitude(void **state)
{
    (void)state;
    static const int64_t values[] = {0, 1, -1, 9, 10, -10, 1000000000000000, INT64_MAX, INT64_MIN};
    static const char *const expected = "[0,1,-1,9,10,-10,1000000000000000,"
                                        "9223372036854775807,-9223372036854775808]";
    struct fo_json_out out;
    fo_json_out_init(&out);
    fo_json_array_begin(&out);
    for (size_t index = 0; index < sizeof values / sizeof values[0]; index++) {
        fo_json_int(&out, values[index]);
    }
    fo_json_array_end(&out);
    size_t length = 0;
    char *text = fo_json_out_take(&out, &length);
    assert_string_equal(text, expected);
    free(text);
}

/* An answer stops growing at FO_ANSWER_BYTES_MAX: the writer flags the overflow, keeps at
 * most that many bytes (with the NUL) and ignores everything after, although the buffer
 * grows by doubling and so ends up larger than the limit. */
static void test_fo_json_out_stops_at_the_answer_limit(void **state)
{
    (void)state;
    enum { CHUNK = 100 * 1024 };
    char *chunk = malloc(CHUNK);
    assert_non_null(chunk);
    memset(chunk, 'x', CHUNK);
    struct fo_json_out out;
    fo_json_out_init(&out);
    fo_json_array_begin(&out);
    size_t written = 1;
    size_t strings = 0;
    while (!out.overflow) {
        assert_true(strings < FO_ANSWER_BYTES_MAX / CHUNK + 2); /* Bounded. */
        written = out.length;
        fo_json_string_n(&out, chunk, CHUNK);
        strings++;
    }
    /* '[' + n strings of CHUNK + 2 bytes with n - 1 commas, and the NUL, fit; of the string
     * that did not, only its comma was written. Nothing is written after the overflow. */
    size_t whole = (FO_ANSWER_BYTES_MAX - 1) / (CHUNK + 3);
    assert_int_equal(strings - 1, whole);
    assert_int_equal(written, 1 + whole * (CHUNK + 2) + (whole - 1));
    assert_int_equal(out.length, written + 1);
    assert_true(out.length + 1 <= FO_ANSWER_BYTES_MAX);
    fo_json_key(&out, "k");
    fo_json_int(&out, 7);
    assert_int_equal(out.length, written + 1);
    fo_json_out_deinit(&out);
    free(chunk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fo_json_string_n_escapes_exactly),
        cmocka_unit_test(test_fo_json_string_n_keeps_valid_utf8),
        cmocka_unit_test(test_fo_json_string_n_replaces_malformed_utf8),
        cmocka_unit_test(test_fo_json_commas_and_nesting),
        cmocka_unit_test(test_fo_json_int_prints_every_magnitude),
        cmocka_unit_test(test_fo_json_out_stops_at_the_answer_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
