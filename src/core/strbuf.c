/* A bounded string builder over a caller's buffer (see strbuf.h).
 *
 * Invariants kept after every call: sb->used < sb->bytes, sb->buf[sb->used] == '\0', and
 * buf[0..used) is valid UTF-8 whenever everything appended was. Appends copy with memcpy
 * and never call a formatting function with a caller's text as the format. No I/O, no
 * allocation. */
#include "core/strbuf.h"

#include <string.h>

#include "core/assert.h"
#include "core/money.h"

/* Largest decimal rendering of an int64_t: 19 digits, a sign and the NUL. */
#define INT_TEXT_BYTES 21
/* fo_money_format's documented "always suffices" size. */
#define MONEY_TEXT_BYTES 32

void fo_strbuf_init(struct fo_strbuf *sb, char *buf, size_t buf_bytes)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= 1);

    sb->buf = buf;
    sb->bytes = buf_bytes;
    sb->used = 0;
    sb->truncated = false;
    sb->buf[0] = '\0';

    FO_ASSERT(sb->used < sb->bytes);
}

size_t fo_strbuf_utf8_prefix_bytes(const char *text, size_t bytes)
{
    FO_ASSERT(text != NULL || bytes == 0);

    /* Walk back over at most three continuation bytes to the start of the last sequence. */
    size_t start = bytes;
    size_t steps = 0;
    while (start > 0 && steps < 3 && ((unsigned char)text[start - 1] & 0xC0u) == 0x80u) {
        start--;
        steps++;
    }
    if (start == 0) {
        return bytes;
    }
    unsigned char lead = (unsigned char)text[start - 1];
    size_t need = 1;
    if ((lead & 0xE0u) == 0xC0u) {
        need = 2;
    } else if ((lead & 0xF0u) == 0xE0u) {
        need = 3;
    } else if ((lead & 0xF8u) == 0xF0u) {
        need = 4;
    }
    size_t have = bytes - (start - 1);
    size_t result = have < need ? start - 1 : bytes;

    FO_ASSERT(result <= bytes);
    return result;
}

void fo_strbuf_append_bytes(struct fo_strbuf *sb, const char *text, size_t text_bytes)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(text != NULL || text_bytes == 0);
    FO_ASSERT(sb->used < sb->bytes);

    if (sb->truncated) {
        return;
    }
    size_t room = sb->bytes - 1 - sb->used;
    size_t copy_bytes = text_bytes;
    if (copy_bytes > room) {
        copy_bytes = fo_strbuf_utf8_prefix_bytes(text, room);
        sb->truncated = true;
    }
    if (copy_bytes > 0) {
        memcpy(sb->buf + sb->used, text, copy_bytes);
    }
    sb->used += copy_bytes;
    sb->buf[sb->used] = '\0';

    FO_ASSERT(sb->used < sb->bytes);
}

void fo_strbuf_append(struct fo_strbuf *sb, const char *text)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(text != NULL);

    fo_strbuf_append_bytes(sb, text, strlen(text));

    FO_ASSERT(sb->used < sb->bytes);
}

void fo_strbuf_append_int(struct fo_strbuf *sb, int64_t value)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(sb->used < sb->bytes);

    /* Digits are produced from the unsigned magnitude, so INT64_MIN needs no special case. */
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    char digits[INT_TEXT_BYTES];
    size_t start = sizeof digits;
    do {
        start--;
        digits[start] = (char)('0' + (int)(magnitude % 10u));
        magnitude /= 10u;
    } while (magnitude > 0 && start > 1);
    if (value < 0) {
        start--;
        digits[start] = '-';
    }
    fo_strbuf_append_bytes(sb, digits + start, sizeof digits - start);

    FO_ASSERT(start < sizeof digits);
}

void fo_strbuf_append_money(struct fo_strbuf *sb, int64_t amount_minor)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(sb->used < sb->bytes);

    char text[MONEY_TEXT_BYTES];
    size_t text_bytes = fo_money_format(amount_minor, text, sizeof text);
    fo_strbuf_append_bytes(sb, text, text_bytes);

    FO_ASSERT(text_bytes < sizeof text);
}

size_t fo_strbuf_length(const struct fo_strbuf *sb)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(sb->used < sb->bytes);
    return sb->used;
}
