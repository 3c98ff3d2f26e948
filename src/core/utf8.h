/* UTF-8 text checks for fields that come from outside (API.md: lengths count Unicode code
 * points; control characters are U+0000–U+001F and U+007F–U+009F). Pure. */
#ifndef FO_CORE_UTF8_H
#define FO_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* True when text[0..bytes) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * Sets *out_chars to the number of code points when valid (out_chars may be NULL). */
bool fo_utf8_valid(const char *text, size_t bytes, size_t *out_chars);
/* True when the (valid) UTF-8 text contains a control character as defined above. */
bool fo_utf8_has_control(const char *text, size_t bytes);

/* Validate a text field: valid UTF-8, chars_min..chars_max code points, and no control
 * characters unless allow_control. Returns FO_OK or FO_ERR_INVALID_REQUEST with `detail`
 * naming `field` (FO_FIELD_BAD_LENGTH with the bounds, or FO_FIELD_BAD_CHARS). */
enum fo_err fo_utf8_field_check(const char *field, const char *text, size_t bytes,
                                int64_t chars_min, int64_t chars_max, bool allow_control,
                                struct fo_err_detail *detail);

#endif
