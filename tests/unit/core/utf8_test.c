/* Property under test: utf8.c accepts exactly well-formed UTF-8 (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF), counts code points, finds the control characters
 * API.md names (U+0000-U+001F, U+007F-U+009F), and fo_utf8_field_check reports the first
 * problem of a text field with the field's name and bounds.
 *
 * Method: hand-picked byte sequences at every boundary of the encoding table. */
#include "support/fo_test.h"

#include <string.h>

#include "core/utf8.h"

static void assert_valid(const char *text, size_t bytes, size_t expected_chars)
{
    size_t chars = 12345;
    assert_true(fo_utf8_valid(text, bytes, &chars));
    assert_int_equal(chars, expected_chars);
    assert_true(fo_utf8_valid(text, bytes, NULL));
}

static void assert_invalid(const char *text, size_t bytes)
{
    size_t chars = 12345;
    assert_false(fo_utf8_valid(text, bytes, &chars));
    assert_int_equal(chars, 12345); /* Untouched. */
}

static void test_utf8_valid_counts_code_points(void **state)
{
    (void)state;
    assert_valid("", 0, 0);
    assert_valid(NULL, 0, 0);
    assert_valid("player-12345", 12, 12);
    assert_valid("\xC2\x80", 2, 1);         /* U+0080, smallest two-byte. */
    assert_valid("\xDF\xBF", 2, 1);         /* U+07FF. */
    assert_valid("\xE0\xA0\x80", 3, 1);     /* U+0800, smallest three-byte. */
    assert_valid("\xED\x9F\xBF", 3, 1);     /* U+D7FF, just below the surrogates. */
    assert_valid("\xEE\x80\x80", 3, 1);     /* U+E000, just above them. */
    assert_valid("\xEF\xBF\xBF", 3, 1);     /* U+FFFF. */
    assert_valid("\xF0\x90\x80\x80", 4, 1); /* U+10000, smallest four-byte. */
    assert_valid("\xF4\x8F\xBF\xBF", 4, 1); /* U+10FFFF, the largest. */
    assert_valid("等待资源分配", strlen("等待资源分配"), 6);
    assert_valid("¥12.50", strlen("¥12.50"), 6);
    assert_valid("a\0b", 3, 3); /* NUL is valid UTF-8 (and a control character). */
}

static void test_utf8_valid_rejects_malformed(void **state)
{
    (void)state;
    assert_invalid("\x80", 1); /* Stray continuation. */
    assert_invalid("\xBF", 1);
    assert_invalid("\xC0\x80", 2);         /* Overlong NUL. */
    assert_invalid("\xC1\xBF", 2);         /* Overlong U+007F. */
    assert_invalid("\xE0\x80\x80", 3);     /* Overlong three-byte. */
    assert_invalid("\xE0\x9F\xBF", 3);     /* Overlong U+07FF. */
    assert_invalid("\xF0\x80\x80\x80", 4); /* Overlong four-byte. */
    assert_invalid("\xF0\x8F\xBF\xBF", 4); /* Overlong U+FFFF. */
    assert_invalid("\xED\xA0\x80", 3);     /* U+D800, a surrogate. */
    assert_invalid("\xED\xBF\xBF", 3);     /* U+DFFF. */
    assert_invalid("\xF4\x90\x80\x80", 4); /* U+110000. */
    assert_invalid("\xF5\x80\x80\x80", 4); /* Lead byte past F4. */
    assert_invalid("\xFF", 1);
    assert_invalid("\xE4\xB8", 2);     /* Truncated three-byte. */
    assert_invalid("\xF0\x90\x80", 3); /* Truncated four-byte. */
    assert_invalid("\xC2", 1);         /* Truncated two-byte. */
    assert_invalid("\xC2\x41", 2);     /* Bad continuation. */
    assert_invalid("\xE4\xB8\x41", 3);
    assert_invalid("\xF0\x90\x80\x41", 4);
    assert_invalid("ok\xE4\xB8", 4); /* Valid start, truncated end. */
    /* The length given is what counts, not a NUL: cut "等" in the middle. */
    assert_invalid("等", 2);
}

static void test_utf8_has_control_c0_del_c1(void **state)
{
    (void)state;
    assert_true(fo_utf8_has_control("a\0b", 3));
    assert_true(fo_utf8_has_control("\x01", 1));
    assert_true(fo_utf8_has_control("tab\there", 8));
    assert_true(fo_utf8_has_control("\x1F", 1));
    assert_true(fo_utf8_has_control("\x7F", 1));
    assert_true(fo_utf8_has_control("\xC2\x80", 2));  /* U+0080. */
    assert_true(fo_utf8_has_control("x\xC2\x9F", 3)); /* U+009F. */
    assert_false(fo_utf8_has_control("\xC2\xA0", 2)); /* U+00A0, no-break space. */
    assert_false(fo_utf8_has_control("¥12.50 玩家", strlen("¥12.50 玩家")));
    assert_false(fo_utf8_has_control(" ~", 2));
    assert_false(fo_utf8_has_control("", 0));
    assert_false(fo_utf8_has_control(NULL, 0));
    /* Continuation bytes 80..9F of other characters are not C1 controls. */
    assert_false(fo_utf8_has_control("\xE2\x80\x94", 3)); /* U+2014 em dash. */
}

static void test_utf8_field_check_accepts_at_bounds(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    char text[64 * 3 + 1] = "";
    for (int index = 0; index < 64; index++) {
        strncat(text, "名", sizeof text - strlen(text) - 1);
    }
    assert_int_equal(fo_utf8_field_check("name", text, strlen(text), 1, 64, false, &detail), FO_OK);
    assert_int_equal(fo_utf8_field_check("name", "a", 1, 1, 64, false, &detail), FO_OK);
    assert_int_equal(fo_utf8_field_check("reason", "", 0, 0, 500, false, &detail), FO_OK);
    assert_int_equal(fo_utf8_field_check("reason", "a\nb", 3, 0, 500, true, &detail), FO_OK);
    assert_string_equal(detail.field, "");
}

static void test_utf8_field_check_rejects_past_bounds(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    char text[65 * 3 + 1] = "";
    for (int index = 0; index < 65; index++) {
        strncat(text, "名", sizeof text - strlen(text) - 1);
    }
    assert_int_equal(fo_utf8_field_check("name", text, strlen(text), 1, 64, false, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(detail.field, "name");
    assert_int_equal(detail.problem, FO_FIELD_BAD_LENGTH);
    assert_true(detail.has_range);
    assert_int64_equal(detail.range_min, 1);
    assert_int64_equal(detail.range_max, 64);

    assert_int_equal(fo_utf8_field_check("target", "", 0, 1, 128, false, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(detail.field, "target");
    assert_int_equal(detail.problem, FO_FIELD_BAD_LENGTH);
}

static void test_utf8_field_check_rejects_bad_characters(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    assert_int_equal(fo_utf8_field_check("target", "a\nb", 3, 1, 128, false, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(detail.field, "target");
    assert_int_equal(detail.problem, FO_FIELD_BAD_CHARS);
    assert_false(detail.has_range);

    assert_int_equal(fo_utf8_field_check("unit", "\xC2\x85", 2, 1, 32, false, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_int_equal(detail.problem, FO_FIELD_BAD_CHARS);

    assert_int_equal(fo_utf8_field_check("unit", "\xC0\xAF", 2, 1, 32, true, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(detail.field, "unit");
    assert_int_equal(detail.problem, FO_FIELD_BAD_CHARS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_valid_counts_code_points),
        cmocka_unit_test(test_utf8_valid_rejects_malformed),
        cmocka_unit_test(test_utf8_has_control_c0_del_c1),
        cmocka_unit_test(test_utf8_field_check_accepts_at_bounds),
        cmocka_unit_test(test_utf8_field_check_rejects_past_bounds),
        cmocka_unit_test(test_utf8_field_check_rejects_bad_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
