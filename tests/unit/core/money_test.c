/* Property under test: money.c's exact integer arithmetic and rendering. mul_div_floor is
 * exact where int64 products overflow and always rounds down; the checked operations say
 * false exactly on overflow and leave *out alone; amounts render as "¥12.50" / "-¥0.05".
 *
 * Method: hand-computed values at and around the limits of limits.h and of int64. */
#include "support/fo_test.h"

#include <string.h>

#include "core/limits.h"
#include "core/money.h"

static void test_money_mul_div_floor_small_values(void **state)
{
    (void)state;
    assert_int64_equal(fo_money_mul_div_floor(5000, 250, 1000), 1250);
    assert_int64_equal(fo_money_mul_div_floor(0, 250, 1000), 0);
    assert_int64_equal(fo_money_mul_div_floor(5000, 0, 1000), 0);
    assert_int64_equal(fo_money_mul_div_floor(7, 1, 1), 7);
}

static void test_money_mul_div_floor_rounds_down(void **state)
{
    (void)state;
    assert_int64_equal(fo_money_mul_div_floor(999, 3, 7), 428); /* 428.14 */
    assert_int64_equal(fo_money_mul_div_floor(999, 6, 7), 856); /* 856.28 */
    assert_int64_equal(fo_money_mul_div_floor(1, 9999, 10000), 0);
    assert_int64_equal(fo_money_mul_div_floor(3, 2, 3), 2);
}

static void test_money_mul_div_floor_beyond_int64_products(void **state)
{
    (void)state;
    /* 10^15 * 10^9 = 10^24 overflows int64; the quotient fits. */
    assert_int64_equal(
        fo_money_mul_div_floor(FO_AMOUNT_MINOR_MAX, FO_QUANTITY_MAX - 1, FO_QUANTITY_MAX),
        999999999000000);
    assert_int64_equal(
        fo_money_mul_div_floor(FO_AMOUNT_MINOR_MAX, FO_QUANTITY_MAX, FO_QUANTITY_MAX),
        FO_AMOUNT_MINOR_MAX);
    assert_int64_equal(fo_money_mul_div_floor(INT64_MAX, INT64_MAX, INT64_MAX), INT64_MAX);
    assert_int64_equal(fo_money_mul_div_floor(INT64_MAX, 2, 3), 6148914691236517204);
    assert_int64_equal(fo_money_mul_div_floor(FO_AMOUNT_MINOR_MAX, FO_FEE_BPS_MAX, FO_BPS_WHOLE),
                       FO_AMOUNT_MINOR_MAX);
}

static void test_money_add_checked_overflow(void **state)
{
    (void)state;
    int64_t out = 42;
    assert_true(fo_money_add_checked(INT64_MAX - 1, 1, &out));
    assert_int64_equal(out, INT64_MAX);
    out = 42;
    assert_false(fo_money_add_checked(INT64_MAX, 1, &out));
    assert_int64_equal(out, 42);
    assert_false(fo_money_add_checked(INT64_MIN, -1, &out));
    assert_int64_equal(out, 42);
    assert_true(fo_money_add_checked(INT64_MIN, INT64_MAX, &out));
    assert_int64_equal(out, -1);
    assert_true(fo_money_add_checked(-5, 3, &out));
    assert_int64_equal(out, -2);
}

static void test_money_mul_checked_overflow(void **state)
{
    (void)state;
    int64_t out = 42;
    assert_true(fo_money_mul_checked(FO_QUANTITY_MAX, FO_UNIT_PRICE_MINOR_MAX, &out));
    assert_int64_equal(out, INT64_C(1000000000000000000));
    out = 42;
    assert_false(fo_money_mul_checked(INT64_C(10000000000), INT64_C(1000000000), &out));
    assert_int64_equal(out, 42);
    assert_false(fo_money_mul_checked(INT64_MIN, -1, &out));
    assert_int64_equal(out, 42);
    assert_true(fo_money_mul_checked(0, INT64_MIN, &out));
    assert_int64_equal(out, 0);
    assert_true(fo_money_mul_checked(-3, 4, &out));
    assert_int64_equal(out, -12);
}

static void assert_format(int64_t amount_minor, const char *expected)
{
    char buf[32];
    size_t written = fo_money_format(amount_minor, buf, sizeof buf);
    assert_string_equal(buf, expected);
    assert_int_equal(written, strlen(expected));
}

static void test_money_format_amounts(void **state)
{
    (void)state;
    assert_format(0, "¥0.00");
    assert_format(5, "¥0.05");
    assert_format(50, "¥0.50");
    assert_format(1250, "¥12.50");
    assert_format(100, "¥1.00");
    assert_format(-5, "-¥0.05");
    assert_format(-1250, "-¥12.50");
    assert_format(FO_AMOUNT_MINOR_MAX, "¥10000000000000.00");
    assert_format(INT64_MAX, "¥92233720368547758.07");
    assert_format(INT64_MIN, "-¥92233720368547758.08");
}

static void test_money_format_short_buffer_stays_utf8(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    /* "¥" is two bytes: with room for one byte only, nothing of it is written. */
    assert_int_equal(fo_money_format(1250, buf, 2), 0);
    assert_string_equal(buf, "");
    assert_int_equal(fo_money_format(1250, buf, 3), 2);
    assert_string_equal(buf, "¥");
    assert_int_equal(fo_money_format(1250, buf, 6), 5);
    assert_string_equal(buf, "¥12.");
    assert_int_equal(fo_money_format(1250, buf, 1), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_mul_div_floor_small_values),
        cmocka_unit_test(test_money_mul_div_floor_rounds_down),
        cmocka_unit_test(test_money_mul_div_floor_beyond_int64_products),
        cmocka_unit_test(test_money_add_checked_overflow),
        cmocka_unit_test(test_money_mul_checked_overflow),
        cmocka_unit_test(test_money_format_amounts),
        cmocka_unit_test(test_money_format_short_buffer_stays_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
