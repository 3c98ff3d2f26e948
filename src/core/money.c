/* Money arithmetic in int64_t minor units (see money.h).
 *
 * Why it exists: the refund of every order is a product and a division (amount * delivered
 * / quantity, rest * fee_bps / 10000). Within the limits of limits.h the products reach
 * 10^24, far past int64, while the quotients always fit. fo_money_mul_div_floor therefore
 * multiplies in unsigned 128-bit (a signed 128-bit multiply may need __muloti4, which
 * sanitizer builds of clang cannot always link) and asserts that the quotient fits.
 * Rounding is always down (API.md, "Arithmetic"), so the buyer's refund, which is what is
 * left, is never rounded against them. No floating point, no I/O, no allocation. */
#include "core/money.h"

#include "core/assert.h"
#include "core/strbuf.h"

/* -Wpedantic warns about __int128; declare it once, here, as an extension. */
__extension__ typedef unsigned __int128 money_u128;

int64_t fo_money_mul_div_floor(int64_t value, int64_t numerator, int64_t denominator)
{
    FO_ASSERT(value >= 0);
    FO_ASSERT(numerator >= 0);
    FO_ASSERT(denominator > 0);

    money_u128 product = (money_u128)(uint64_t)value * (money_u128)(uint64_t)numerator;
    money_u128 quotient = product / (money_u128)(uint64_t)denominator;

    FO_ASSERT(quotient <= (money_u128)INT64_MAX);
    return (int64_t)quotient;
}

bool fo_money_add_checked(int64_t a, int64_t b, int64_t *out)
{
    FO_ASSERT(out != NULL);

    int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return false;
    }
    *out = sum;

    FO_ASSERT(*out - b == a);
    return true;
}

bool fo_money_mul_checked(int64_t a, int64_t b, int64_t *out)
{
    FO_ASSERT(out != NULL);

    int64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product)) {
        return false;
    }
    *out = product;

    FO_ASSERT(a == 0 || *out / a == b);
    FO_ASSERT(a == 0 || *out % a == 0);
    return true;
}

size_t fo_money_format(int64_t amount_minor, char *buf, size_t buf_bytes)
{
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= 1);

    /* The magnitude in unsigned arithmetic covers INT64_MIN without overflow. */
    uint64_t magnitude =
        amount_minor < 0 ? (uint64_t)0 - (uint64_t)amount_minor : (uint64_t)amount_minor;
    uint64_t major = magnitude / 100u;
    uint64_t minor = magnitude % 100u;
    char cents[3] = {(char)('0' + (int)(minor / 10u)), (char)('0' + (int)(minor % 10u)), '\0'};

    struct fo_strbuf sb;
    fo_strbuf_init(&sb, buf, buf_bytes);
    if (amount_minor < 0) {
        fo_strbuf_append(&sb, "-");
    }
    fo_strbuf_append(&sb, "¥");
    /* major <= 2^63 / 100, so it always fits int64. */
    fo_strbuf_append_int(&sb, (int64_t)major);
    fo_strbuf_append(&sb, ".");
    fo_strbuf_append(&sb, cents);
    size_t written = fo_strbuf_length(&sb);

    FO_ASSERT(written < buf_bytes);
    FO_ASSERT(buf[written] == '\0');
    return written;
}
