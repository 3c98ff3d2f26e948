/* Money arithmetic: int64_t minor units (fen for CNY), exact, never floating point.
 *
 * Products that can exceed int64 even within the limits of limits.h (amount * delivered,
 * rest * fee_bps) go only through fo_money_mul_div_floor, which multiplies in unsigned
 * 128-bit, rounds down as API.md says, and asserts the result fits. Pure: no I/O. */
#ifndef FO_CORE_MONEY_H
#define FO_CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* floor(value * numerator / denominator) for value >= 0, numerator >= 0,
 * denominator > 0, computed exactly; asserts that the result fits in int64. */
int64_t fo_money_mul_div_floor(int64_t value, int64_t numerator, int64_t denominator);

/* *out = a + b; false (and *out untouched) when the sum would overflow int64. */
bool fo_money_add_checked(int64_t a, int64_t b, int64_t *out);
/* *out = a * b; false (and *out untouched) when the product would overflow int64. */
bool fo_money_mul_checked(int64_t a, int64_t b, int64_t *out);

/* Render minor units as "¥12.50" (negative: "-¥12.50") into buf, NUL-terminated.
 * Returns the bytes written (no NUL). buf_bytes >= 32 always suffices. */
size_t fo_money_format(int64_t amount_minor, char *buf, size_t buf_bytes);

#endif
