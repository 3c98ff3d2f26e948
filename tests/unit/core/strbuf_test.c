/* Property under test: the bounded string builder behind every core text. Whatever is
 * appended, the buffer stays NUL-terminated, nothing is written past its end, a cut
 * never splits a UTF-8 character, and nothing is appended after a cut.
 *
 * Method: exact contents after appends into buffers of every small size, with a canary
 * byte past the end. */
#include "support/fo_test.h"

#include <string.h>

#include "core/strbuf.h"
#include "core/utf8.h"

static void test_strbuf_append_builds_text(void **state)
{
    (void)state;
    char buf[64];
    struct fo_strbuf sb;
    fo_strbuf_init(&sb, buf, sizeof buf);
    assert_string_equal(buf, "");
    fo_strbuf_append(&sb, "¥");
    fo_strbuf_append_int(&sb, 12);
    fo_strbuf_append_bytes(&sb, ".50xyz", 3);
    fo_strbuf_append(&sb, " / ");
    fo_strbuf_append_money(&sb, -5);
    assert_string_equal(buf, "¥12.50 / -¥0.05");
    assert_int_equal(fo_strbuf_length(&sb), strlen("¥12.50 / -¥0.05"));
    assert_false(sb.truncated);
}

static void test_strbuf_append_int_extremes(void **state)
{
    (void)state;
    char buf[64];
    struct fo_strbuf sb;
    fo_strbuf_init(&sb, buf, sizeof buf);
    fo_strbuf_append_int(&sb, INT64_MIN);
    fo_strbuf_append(&sb, " ");
    fo_strbuf_append_int(&sb, INT64_MAX);
    fo_strbuf_append(&sb, " ");
    fo_strbuf_append_int(&sb, 0);
    fo_strbuf_append(&sb, " ");
    fo_strbuf_append_int(&sb, -7);
    assert_string_equal(buf, "-9223372036854775808 9223372036854775807 0 -7");
}

static void test_strbuf_cut_keeps_whole_characters(void **state)
{
    (void)state;
    const char *text = "a等b¥c😀d";
    size_t text_bytes = strlen(text);
    for (size_t bytes = 1; bytes <= text_bytes + 2; bytes++) {
        char buf[32];
        memset(buf, '#', sizeof buf);
        struct fo_strbuf sb;
        fo_strbuf_init(&sb, buf, bytes);
        fo_strbuf_append(&sb, text);
        fo_strbuf_append(&sb, "!");
        size_t used = fo_strbuf_length(&sb);
        assert_true(used < bytes);
        assert_int_equal(buf[used], '\0');
        assert_int_equal(buf[bytes], '#'); /* Nothing past the end. */
        assert_true(fo_utf8_valid(buf, used, NULL));
        assert_memory_equal(buf, text, used < text_bytes ? used : text_bytes);
        /* A cut text loses at most one character (4 bytes) and gets nothing after it. */
        assert_true(used + 4 >= bytes - 1 || used == text_bytes + 1);
        assert_int_equal(sb.truncated, bytes <= text_bytes + 1);
    }
}

static void test_strbuf_nothing_after_a_cut(void **state)
{
    (void)state;
    char buf[6];
    struct fo_strbuf sb;
    fo_strbuf_init(&sb, buf, sizeof buf);
    fo_strbuf_append(&sb, "abc等");
    assert_string_equal(buf, "abc");
    fo_strbuf_append(&sb, "d"); /* Would fit, but the text is already cut. */
    assert_string_equal(buf, "abc");
    assert_true(sb.truncated);
}

static void test_strbuf_utf8_prefix_bytes(void **state)
{
    (void)state;
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("", 0), 0);
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("abc", 3), 3);
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("a等", 4), 4);
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("a等", 3), 1);
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("a等", 2), 1);
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("😀", 3), 0);
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("😀", 4), 4);
    assert_int_equal(fo_strbuf_utf8_prefix_bytes("¥", 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strbuf_append_builds_text),
        cmocka_unit_test(test_strbuf_append_int_extremes),
        cmocka_unit_test(test_strbuf_cut_keeps_whole_characters),
        cmocka_unit_test(test_strbuf_nothing_after_a_cut),
        cmocka_unit_test(test_strbuf_utf8_prefix_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
