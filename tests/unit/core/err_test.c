/* Property under test: the error table. Every code has a lower-case API code equal to its
 * table name, a unique number and code, the HTTP status of API.md, and a Chinese message
 * distinct from the English one; unknown values render as "internal"; fo_err_format names
 * the field and its problem in both languages, and never overflows or splits a character.
 *
 * Method: a walk over FO_ERR_TABLE itself (so a new row is covered without editing this
 * file), exact expected strings for each problem kind, and short buffers. */
#include "support/fo_test.h"

#include <string.h>

#include "core/err.h"
#include "core/utf8.h"

struct table_row {
    enum fo_err err;
    const char *name_upper;
    int number;
    int http_status;
    const char *message;
};

#define TABLE_ROW(name, number, http, message) {FO_ERR_##name, #name, number, http, message},
static const struct table_row table_rows[] = {FO_ERR_TABLE(TABLE_ROW)};
#undef TABLE_ROW
#define TABLE_ROWS_COUNT (sizeof table_rows / sizeof table_rows[0])

static void test_err_code_is_the_lower_case_name(void **state)
{
    (void)state;
    for (size_t index = 0; index < TABLE_ROWS_COUNT; index++) {
        char lower[64];
        size_t length = strlen(table_rows[index].name_upper);
        assert_true(length < sizeof lower);
        for (size_t at = 0; at <= length; at++) {
            char c = table_rows[index].name_upper[at];
            lower[at] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        assert_string_equal(fo_err_code(table_rows[index].err), lower);
        assert_int_equal((int)table_rows[index].err, table_rows[index].number);
        assert_int_equal(fo_err_http_status(table_rows[index].err), table_rows[index].http_status);
        assert_string_equal(fo_err_message(table_rows[index].err, FO_LANG_EN),
                            table_rows[index].message);
        assert_true(fo_err_is_known(table_rows[index].err));
    }
}

static void test_err_codes_and_numbers_are_unique(void **state)
{
    (void)state;
    for (size_t a = 0; a < TABLE_ROWS_COUNT; a++) {
        for (size_t b = a + 1; b < TABLE_ROWS_COUNT; b++) {
            assert_int_not_equal(table_rows[a].number, table_rows[b].number);
            assert_string_not_equal(fo_err_code(table_rows[a].err), fo_err_code(table_rows[b].err));
        }
    }
}

static void test_err_message_every_code_has_distinct_chinese(void **state)
{
    (void)state;
    const enum fo_err *all = NULL;
    size_t count = fo_err_all(&all);
    assert_int_equal(count, TABLE_ROWS_COUNT);
    for (size_t index = 0; index < count; index++) {
        assert_int_equal(all[index], table_rows[index].err);
        const char *zh = fo_err_message(all[index], FO_LANG_ZH);
        const char *en = fo_err_message(all[index], FO_LANG_EN);
        assert_true(strlen(zh) > 0);
        assert_string_not_equal(zh, en);
        assert_true(fo_utf8_valid(zh, strlen(zh), NULL));
        /* Chinese messages carry at least one CJK character (three UTF-8 bytes, E4..E9). */
        bool has_cjk = false;
        for (size_t at = 0; zh[at] != '\0'; at++) {
            unsigned char byte = (unsigned char)zh[at];
            has_cjk = has_cjk || (byte >= 0xE4 && byte <= 0xE9);
        }
        assert_true(has_cjk);
        /* No half-width comma or semicolon in Chinese prose. */
        assert_null(strchr(zh, ','));
        assert_null(strchr(zh, ';'));
    }
}

static void test_err_unknown_value_is_internal(void **state)
{
    (void)state;
    enum fo_err unknown = (enum fo_err)777;
    assert_false(fo_err_is_known(unknown));
    assert_string_equal(fo_err_code(unknown), "internal");
    assert_int_equal(fo_err_http_status(unknown), 500);
    assert_string_equal(fo_err_message(unknown, FO_LANG_EN),
                        fo_err_message(FO_ERR_INTERNAL, FO_LANG_EN));
    assert_string_equal(fo_err_message(unknown, FO_LANG_ZH),
                        fo_err_message(FO_ERR_INTERNAL, FO_LANG_ZH));
}

static void test_err_http_status_of_api_codes(void **state)
{
    (void)state;
    assert_int_equal(fo_err_http_status(FO_OK), 200);
    assert_int_equal(fo_err_http_status(FO_ERR_INVALID_REQUEST), 400);
    assert_int_equal(fo_err_http_status(FO_ERR_INSUFFICIENT_FUNDS), 402);
    assert_int_equal(fo_err_http_status(FO_ERR_SERVICE_NOT_FOUND), 404);
    assert_int_equal(fo_err_http_status(FO_ERR_NOT_CANCELLABLE), 409);
    assert_int_equal(fo_err_http_status(FO_ERR_HEADERS_TOO_LARGE), 431);
    assert_int_equal(fo_err_http_status(FO_ERR_UNAVAILABLE), 503);
}

static void assert_formatted(const struct fo_err_detail *detail, const char *en, const char *zh)
{
    char buf[512];
    size_t written = fo_err_format(FO_ERR_INVALID_REQUEST, detail, FO_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, en);
    assert_int_equal(written, strlen(en));
    written = fo_err_format(FO_ERR_INVALID_REQUEST, detail, FO_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, zh);
    assert_int_equal(written, strlen(zh));
}

#define EN_PREFIX "a field is missing, of the wrong type or out of range: "
#define ZH_PREFIX "有字段缺失、类型错误或超出范围："

static void test_err_format_names_the_field_and_problem(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    assert_int_equal(fo_err_field_range(&detail, "quantity", FO_FIELD_OUT_OF_RANGE, 1, 1000000000),
                     FO_ERR_INVALID_REQUEST);
    assert_formatted(&detail, EN_PREFIX "quantity must be between 1 and 1000000000",
                     ZH_PREFIX "quantity 必须在 1 到 1000000000 之间");
    fo_err_field_range(&detail, "name", FO_FIELD_BAD_LENGTH, 1, 64);
    assert_formatted(&detail, EN_PREFIX "name must be 1 to 64 characters long",
                     ZH_PREFIX "name 的长度必须为 1 到 64 个字符");
    fo_err_field_range(&detail, "reason", FO_FIELD_BAD_LENGTH, 0, 500);
    assert_formatted(&detail, EN_PREFIX "reason must be at most 500 characters long",
                     ZH_PREFIX "reason 的长度不能超过 500 个字符");
    fo_err_field_range(&detail, "code", FO_FIELD_BAD_LENGTH, 4, 4);
    assert_formatted(&detail, EN_PREFIX "code must be exactly 4 characters long",
                     ZH_PREFIX "code 的长度必须为 4 个字符");
    assert_int_equal(fo_err_field(&detail, "service_id", FO_FIELD_MISSING), FO_ERR_INVALID_REQUEST);
    assert_formatted(&detail, EN_PREFIX "service_id is required",
                     ZH_PREFIX "service_id 为必填字段，但未提供");
    fo_err_field(&detail, "colour", FO_FIELD_UNKNOWN);
    assert_formatted(&detail, EN_PREFIX "colour is not a known field",
                     ZH_PREFIX "colour 不是此请求可接受的字段");
    fo_err_field(&detail, "quantity", FO_FIELD_WRONG_TYPE);
    assert_formatted(&detail, EN_PREFIX "quantity has the wrong type",
                     ZH_PREFIX "quantity 的类型不正确");
    fo_err_field(&detail, "target", FO_FIELD_BAD_CHARS);
    assert_formatted(&detail, EN_PREFIX "target must not contain control characters",
                     ZH_PREFIX "target 不能包含控制字符");
    fo_err_field(&detail, "queued", FO_FIELD_BAD_VALUE);
    assert_formatted(&detail, EN_PREFIX "queued is not an allowed value",
                     ZH_PREFIX "queued 不是允许的取值");
    fo_err_field(&detail, "fee_bps", FO_FIELD_OUT_OF_RANGE);
    assert_formatted(&detail, EN_PREFIX "fee_bps is out of range",
                     ZH_PREFIX "fee_bps 超出允许范围");
    fo_err_field(&detail, "", FO_FIELD_NOT_OBJECT);
    assert_formatted(&detail, EN_PREFIX "the body must be a JSON object",
                     ZH_PREFIX "请求体必须是 JSON 对象");
}

static void test_err_format_without_detail_is_the_message(void **state)
{
    (void)state;
    char buf[256];
    fo_err_format(FO_ERR_INVALID_REQUEST, NULL, FO_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, "a field is missing, of the wrong type or out of range");
    struct fo_err_detail detail;
    fo_err_field(&detail, "quantity", FO_FIELD_MISSING);
    /* Only invalid_request names a field. */
    fo_err_format(FO_ERR_NOT_CANCELLABLE, &detail, FO_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, "该订单现在不可取消");
    memset(&detail, 0, sizeof detail);
    fo_err_format(FO_ERR_INVALID_REQUEST, &detail, FO_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, "a field is missing, of the wrong type or out of range");
}

static void test_err_format_short_buffer_keeps_whole_characters(void **state)
{
    (void)state;
    struct fo_err_detail detail;
    fo_err_field_range(&detail, "quantity", FO_FIELD_OUT_OF_RANGE, 1, 1000000000);
    char full[256];
    size_t full_bytes =
        fo_err_format(FO_ERR_INVALID_REQUEST, &detail, FO_LANG_ZH, full, sizeof full);
    for (size_t bytes = 1; bytes <= full_bytes + 1; bytes++) {
        char buf[256];
        memset(buf, 'x', sizeof buf);
        size_t written = fo_err_format(FO_ERR_INVALID_REQUEST, &detail, FO_LANG_ZH, buf, bytes);
        assert_true(written < bytes);
        assert_int_equal(buf[written], '\0');
        assert_true(fo_utf8_valid(buf, written, NULL));
        assert_memory_equal(buf, full, written);
        assert_true(full_bytes - written < 4 || written + 4 > bytes);
    }
}

static void test_err_field_cuts_a_long_field_name(void **state)
{
    (void)state;
    char field[200];
    memset(field, 'f', sizeof field - 1);
    field[sizeof field - 1] = '\0';
    struct fo_err_detail detail;
    assert_int_equal(fo_err_field(&detail, field, FO_FIELD_UNKNOWN), FO_ERR_INVALID_REQUEST);
    assert_int_equal(strlen(detail.field), FO_FIELD_BYTES - 1);
    assert_false(detail.has_range);
    assert_int_equal(detail.problem, FO_FIELD_UNKNOWN);

    /* A multi-byte name is cut on a character boundary. */
    char wide[200] = "";
    for (int index = 0; index < 30; index++) {
        strncat(wide, "字", sizeof wide - strlen(wide) - 1);
    }
    fo_err_field(&detail, wide, FO_FIELD_UNKNOWN);
    assert_int_equal(strlen(detail.field), 63);
    assert_true(fo_utf8_valid(detail.field, strlen(detail.field), NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_code_is_the_lower_case_name),
        cmocka_unit_test(test_err_codes_and_numbers_are_unique),
        cmocka_unit_test(test_err_message_every_code_has_distinct_chinese),
        cmocka_unit_test(test_err_unknown_value_is_internal),
        cmocka_unit_test(test_err_http_status_of_api_codes),
        cmocka_unit_test(test_err_format_names_the_field_and_problem),
        cmocka_unit_test(test_err_format_without_detail_is_the_message),
        cmocka_unit_test(test_err_format_short_buffer_keeps_whole_characters),
        cmocka_unit_test(test_err_field_cuts_a_long_field_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
