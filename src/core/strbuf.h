/* A bounded string builder over a caller's buffer, for the plain-words texts of the core
 * (error messages, policy summaries, quotes, amounts).
 *
 * The core never allocates, so every text is written into a buffer the caller owns. The
 * builder keeps three promises whatever is appended: the buffer is always NUL-terminated,
 * nothing is written past buf_bytes, and a text cut short still ends on a whole UTF-8
 * character (a truncated Chinese message stays valid UTF-8). Once an append does not fit,
 * later appends are ignored, so a text is never missing a middle part. Pure: no I/O. */
#ifndef FO_CORE_STRBUF_H
#define FO_CORE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fo_strbuf {
    char *buf;      /* The caller's buffer; never NULL. */
    size_t bytes;   /* Its size, >= 1 (room for the NUL). */
    size_t used;    /* Bytes written so far, excluding the NUL; < bytes. */
    bool truncated; /* An append did not fit; later appends are ignored. */
};

/* Start an empty text in buf[0..buf_bytes); buf_bytes must be at least 1. */
void fo_strbuf_init(struct fo_strbuf *sb, char *buf, size_t buf_bytes);
/* Append a NUL-terminated text (cut at a character boundary when it does not fit). */
void fo_strbuf_append(struct fo_strbuf *sb, const char *text);
/* Append the first text_bytes bytes of text (which need not be NUL-terminated). */
void fo_strbuf_append_bytes(struct fo_strbuf *sb, const char *text, size_t text_bytes);
/* Append a signed integer in decimal. */
void fo_strbuf_append_int(struct fo_strbuf *sb, int64_t value);
/* Append an amount of minor units as fo_money_format renders it ("¥12.50"). */
void fo_strbuf_append_money(struct fo_strbuf *sb, int64_t amount_minor);
/* Bytes written so far, excluding the NUL. */
size_t fo_strbuf_length(const struct fo_strbuf *sb);

/* The longest prefix of text[0..bytes) that does not end inside a UTF-8 sequence. */
size_t fo_strbuf_utf8_prefix_bytes(const char *text, size_t bytes);

#endif
