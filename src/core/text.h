/* Plain words for buyers, in Simplified Chinese and English (DESIGN.md, "Words").
 *
 * These are what a buyer reads before paying and before cancelling, so they are written as
 * a careful shop would: exact amounts (¥12.50), no jargon, full-width punctuation in
 * Chinese. Pure: every function writes into a caller's buffer with snprintf, always
 * NUL-terminated, and returns the bytes written (truncated output is still valid UTF-8). */
#ifndef FO_CORE_TEXT_H
#define FO_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/order.h"
#include "core/quote.h"

/* The policy in plain words, e.g.
 * "下单后 10 分钟内、订单开始执行前可无理由取消，全额退款
 * （每 24 小时限 5 次）。之后：…". */
size_t fo_text_policy_summary(const struct fo_policy *policy, enum fo_lang lang, char *buf,
                              size_t buf_bytes);

/* The quote in plain words: allowed or not, why, and exactly what comes back, e.g.
 * "Free cancellation: you get the full ¥50.00 back." */
size_t fo_text_quote_message(const struct fo_order *order, const struct fo_quote *quote,
                             enum fo_lang lang, char *buf, size_t buf_bytes);

/* The on-screen label of a state ("等待资源分配" / "Waiting for capacity"). */
const char *fo_text_state_label(enum fo_state state, enum fo_lang lang);

/* The language of an Accept-Language header value: its first tag starting with "zh"
 * (any case) gives FO_LANG_ZH, anything else (or NULL) FO_LANG_EN. */
enum fo_lang fo_text_lang_from_header(const char *accept_language);

#endif
