/* UTF-8 checks for text that comes from outside (see utf8.h).
 *
 * Why: API.md counts lengths in Unicode code points and forbids control characters in
 * names and targets, and jansson hands us bytes. Validation is strict (RFC 3629): no
 * overlong forms, no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no stray
 * continuation bytes, no truncated sequences. Control characters are C0 (U+0000..U+001F),
 * DEL (U+007F) and C1 (U+0080..U+009F, encoded C2 80..C2 9F).
 *
 * Every loop is bounded by the byte count it is given. Pure: no I/O, no allocation. */
#include "core/utf8.h"

#include "core/assert.h"

/* The length of the well-formed sequence at text[0..bytes), or 0 when it is malformed. */
static size_t utf8_sequence_bytes(const unsigned char *text, size_t bytes)
{
    FO_ASSERT(text != NULL);
    FO_ASSERT(bytes > 0);

    unsigned char lead = text[0];
    size_t need = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead < 0x80) {
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        second_min = lead == 0xE0 ? 0xA0 : 0x80; /* E0 80..9F would be overlong. */
        second_max = lead == 0xED ? 0x9F : 0xBF; /* ED A0..BF would be a surrogate. */
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        second_min = lead == 0xF0 ? 0x90 : 0x80; /* F0 80..8F would be overlong. */
        second_max = lead == 0xF4 ? 0x8F : 0xBF; /* F4 90.. would pass U+10FFFF. */
    } else {
        return 0; /* C0, C1 (overlong), F5..FF, or a stray continuation byte. */
    }
    if (bytes < need || text[1] < second_min || text[1] > second_max) {
        return 0;
    }
    for (size_t index = 2; index < need; index++) {
        if ((text[index] & 0xC0u) != 0x80u) {
            return 0;
        }
    }
    FO_ASSERT(need >= 2);
    FO_ASSERT(need <= 4);
    return need;
}

bool fo_utf8_valid(const char *text, size_t bytes, size_t *out_chars)
{
    FO_ASSERT(text != NULL || bytes == 0);

    const unsigned char *at = (const unsigned char *)text;
    size_t offset = 0;
    size_t chars = 0;
    while (offset < bytes) {
        size_t sequence_bytes = utf8_sequence_bytes(at + offset, bytes - offset);
        if (sequence_bytes == 0) {
            return false;
        }
        offset += sequence_bytes;
        chars++;
    }
    if (out_chars != NULL) {
        *out_chars = chars;
    }

    FO_ASSERT(offset == bytes);
    FO_ASSERT(chars <= bytes);
    return true;
}

bool fo_utf8_has_control(const char *text, size_t bytes)
{
    FO_ASSERT(text != NULL || bytes == 0);

    const unsigned char *at = (const unsigned char *)text;
    for (size_t index = 0; index < bytes; index++) {
        unsigned char byte = at[index];
        if (byte < 0x20 || byte == 0x7F) {
            return true;
        }
        /* C1 controls U+0080..U+009F are C2 80..C2 9F; C2 only ever starts a sequence. */
        if (byte == 0xC2 && index + 1 < bytes && at[index + 1] >= 0x80 && at[index + 1] <= 0x9F) {
            return true;
        }
    }
    FO_ASSERT(bytes == 0 || at != NULL);
    return false;
}

enum fo_err fo_utf8_field_check(const char *field, const char *text, size_t bytes,
                                int64_t chars_min, int64_t chars_max, bool allow_control,
                                struct fo_err_detail *detail)
{
    FO_ASSERT(field != NULL);
    FO_ASSERT(detail != NULL);
    FO_ASSERT(text != NULL || bytes == 0);
    FO_ASSERT(chars_min >= 0);
    FO_ASSERT(chars_min <= chars_max);

    size_t chars = 0;
    if (!fo_utf8_valid(text, bytes, &chars)) {
        return fo_err_field(detail, field, FO_FIELD_BAD_CHARS);
    }
    if ((int64_t)chars < chars_min || (int64_t)chars > chars_max) {
        return fo_err_field_range(detail, field, FO_FIELD_BAD_LENGTH, chars_min, chars_max);
    }
    if (!allow_control && fo_utf8_has_control(text, bytes)) {
        return fo_err_field(detail, field, FO_FIELD_BAD_CHARS);
    }

    FO_ASSERT(chars <= bytes);
    return FO_OK;
}
