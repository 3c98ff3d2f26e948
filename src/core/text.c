/* Plain words for buyers, in Simplified Chinese and English (see text.h; DESIGN.md,
 * "Words").
 *
 * Why it exists: a buyer decides to pay after reading the policy summary, and decides to
 * cancel after reading the quote message. Both must say exactly what the rules and the
 * arithmetic say, with the amounts of fo_quote_cancel to the fen, in the terms of
 * DESIGN.md's "Words" table, and nothing that could be read as a promise the engine does
 * not keep. The sentences are assembled from small fixed pieces so that every branch of
 * the rules has its own wording, and tests pin the exact strings.
 *
 * Invariants: the output is always NUL-terminated valid UTF-8, truncated at a character
 * boundary if the caller's buffer is short (FO_TEXT_BYTES is always enough); amounts are
 * rendered by fo_money_format ("¥12.50"); Chinese text uses full-width punctuation.
 * Pure: text is built in the caller's buffer through strbuf.h; no I/O, no allocation. */
#include "core/text.h"

#include "core/assert.h"
#include "core/strbuf.h"

static bool lang_is_valid(enum fo_lang lang)
{
    bool valid = lang == FO_LANG_EN || lang == FO_LANG_ZH;
    FO_ASSERT(FO_LANG_EN != FO_LANG_ZH);
    FO_ASSERT(!valid || (int)lang <= 1);
    return valid;
}

/* --- Labels ------------------------------------------------------------------------- */

static const char *const state_labels_en[FO_STATE_COUNT] = {
    "Waiting for capacity",
    "In the supplier's queue",
    "In progress",
    "Completed",
    "Cancelled",
    "Failed (undelivered part refunded)",
};
static const char *const state_labels_zh[FO_STATE_COUNT] = {
    "等待资源分配",                 /* pending */
    "已进入资源池",                 /* queued */
    "执行中",                       /* executing */
    "已完成",                       /* completed */
    "已取消",                       /* cancelled */
    "执行失败（未交付部分已退款）", /* failed */
};

const char *fo_text_state_label(enum fo_state state, enum fo_lang lang)
{
    FO_ASSERT((int)state >= 0);
    FO_ASSERT((int)state < FO_STATE_COUNT);
    FO_ASSERT(lang_is_valid(lang));

    const char *label = lang == FO_LANG_ZH ? state_labels_zh[state] : state_labels_en[state];

    FO_ASSERT(label != NULL);
    FO_ASSERT(label[0] != '\0');
    return label;
}

/* --- Pieces ------------------------------------------------------------------------- */

/* A duration in its largest natural units: "10 minutes", "1 hour 30 minutes", "45 秒". */
static void text_append_duration(struct fo_strbuf *sb, int64_t seconds, enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(seconds > 0);
    FO_ASSERT(seconds <= FO_COOLING_OFF_S_MAX);

    const int64_t parts[3] = {seconds / 3600, seconds / 60 % 60, seconds % 60};
    const char *const units_zh[3] = {" 小时", " 分钟", " 秒"};
    const char *const units_en[3] = {" hour", " minute", " second"};
    bool first = true;
    for (size_t index = 0; index < 3; index++) {
        if (parts[index] == 0) {
            continue;
        }
        fo_strbuf_append(sb, first ? "" : " ");
        fo_strbuf_append_int(sb, parts[index]);
        fo_strbuf_append(sb, lang == FO_LANG_ZH ? units_zh[index] : units_en[index]);
        fo_strbuf_append(sb, lang == FO_LANG_EN && parts[index] != 1 ? "s" : "");
        first = false;
    }
    FO_ASSERT(!first);
}

/* Basis points as a percentage without trailing zeros: 200 -> "2%", 250 -> "2.5%". */
static void text_append_percent(struct fo_strbuf *sb, int64_t bps)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(bps >= 0);
    FO_ASSERT(bps <= FO_FEE_BPS_MAX);

    fo_strbuf_append_int(sb, bps / 100);
    int64_t hundredths = bps % 100;
    if (hundredths != 0) {
        char decimals[4] = {'.', (char)('0' + hundredths / 10), (char)('0' + hundredths % 10),
                            '\0'};
        if (decimals[2] == '0') {
            decimals[2] = '\0';
        }
        fo_strbuf_append(sb, decimals);
    }
    fo_strbuf_append(sb, "%");
}

static bool policy_has_fee(const struct fo_policy *policy)
{
    FO_ASSERT(policy->fee_fixed_minor >= 0);
    FO_ASSERT(policy->fee_bps >= 0);
    return policy->fee_fixed_minor > 0 || policy->fee_bps > 0;
}

/* The fee formula after the word for fee. Chinese: " ¥0.50 + 剩余金额的 2%",
 * "（剩余金额的 2.5%）", " ¥1.00"; English: "¥0.50 + 2% of the remaining amount". */
static void text_append_fee(struct fo_strbuf *sb, const struct fo_policy *policy, enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(policy_has_fee(policy));

    bool zh = lang == FO_LANG_ZH;
    bool fixed = policy->fee_fixed_minor > 0;
    if (fixed) {
        fo_strbuf_append(sb, zh ? " " : "");
        fo_strbuf_append_money(sb, policy->fee_fixed_minor);
    }
    if (fixed && policy->fee_bps > 0) {
        fo_strbuf_append(sb, " + ");
    }
    if (policy->fee_bps > 0) {
        fo_strbuf_append(sb, zh ? (fixed ? "剩余金额的 " : "（剩余金额的 ") : "");
        text_append_percent(sb, policy->fee_bps);
        fo_strbuf_append(sb, zh ? (fixed ? "" : "）") : " of the remaining amount");
    }
}

/* "250 of 1000 units delivered" / "已交付 250/1000". */
static void text_append_delivered(struct fo_strbuf *sb, const struct fo_order *order,
                                  enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(order->delivered >= 0);
    FO_ASSERT(order->delivered <= order->quantity);

    if (lang == FO_LANG_ZH) {
        fo_strbuf_append(sb, "已交付 ");
        fo_strbuf_append_int(sb, order->delivered);
        fo_strbuf_append(sb, "/");
        fo_strbuf_append_int(sb, order->quantity);
        return;
    }
    fo_strbuf_append_int(sb, order->delivered);
    fo_strbuf_append(sb, " of ");
    fo_strbuf_append_int(sb, order->quantity);
    fo_strbuf_append(sb, order->quantity == 1 ? " unit delivered" : " units delivered");
}

/* The parts of a split, in the Words table's terms; zero parts are left out unless
 * `all_parts` (the refund is always said). */
static void text_append_split(struct fo_strbuf *sb, const struct fo_split *split, bool all_parts,
                              enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(split->refund_minor >= 0);

    bool zh = lang == FO_LANG_ZH;
    const char *separator = zh ? "，" : ", ";
    if (all_parts || split->charged_minor > 0) {
        fo_strbuf_append(sb, zh ? "已交付部分费用 " : "");
        fo_strbuf_append_money(sb, split->charged_minor);
        fo_strbuf_append(sb, zh ? separator : " charged for delivered units, ");
    }
    if (all_parts || split->fee_minor > 0) {
        fo_strbuf_append(sb, zh ? "取消手续费 " : "");
        fo_strbuf_append_money(sb, split->fee_minor);
        fo_strbuf_append(sb, zh ? separator : " cancellation fee, ");
    }
    fo_strbuf_append(sb, zh ? "退款 " : "");
    fo_strbuf_append_money(sb, split->refund_minor);
    fo_strbuf_append(sb, zh ? "。" : " refunded.");
}

/* --- Policy summary ----------------------------------------------------------------- */

/* True when rule 3 can ever apply: a period and at least one free cancel a day. */
static bool policy_has_cooling_off(const struct fo_policy *policy)
{
    FO_ASSERT(policy->cooling_off_s >= 0);
    FO_ASSERT(policy->free_cancels_per_day >= 0);
    return policy->cooling_off_s > 0 && policy->free_cancels_per_day > 0;
}

static void summary_cooling_off(struct fo_strbuf *sb, const struct fo_policy *policy,
                                enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(policy_has_cooling_off(policy));

    if (lang == FO_LANG_ZH) {
        fo_strbuf_append(sb, "下单后 ");
        text_append_duration(sb, policy->cooling_off_s, lang);
        fo_strbuf_append(sb, "内、订单开始执行前可无理由取消，");
        fo_strbuf_append(sb, "全额退款（每 24 小时限 ");
        fo_strbuf_append_int(sb, policy->free_cancels_per_day);
        fo_strbuf_append(sb, " 次）。之后：");
        return;
    }
    fo_strbuf_append(sb, "Free cancellation within ");
    text_append_duration(sb, policy->cooling_off_s, lang);
    fo_strbuf_append(sb, " of ordering, before the order starts: full refund, ");
    if (policy->free_cancels_per_day == 1) {
        fo_strbuf_append(sb, "if you have not cancelled any order in the last 24 hours");
    } else {
        fo_strbuf_append(sb, "if you have cancelled fewer than ");
        fo_strbuf_append_int(sb, policy->free_cancels_per_day);
        fo_strbuf_append(sb, " orders in the last 24 hours");
    }
    fo_strbuf_append(sb, ". After that, ");
}

static void summary_pending(struct fo_strbuf *sb, const struct fo_policy *policy, enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(policy->pending == FO_PENDING_FULL_REFUND || policy->pending == FO_PENDING_DENY);

    bool zh = lang == FO_LANG_ZH;
    if (policy->pending == FO_PENDING_FULL_REFUND) {
        fo_strbuf_append(sb, zh ? "等待资源分配时可取消，全额退款"
                                : "while waiting for capacity, you can cancel for a full refund");
    } else {
        fo_strbuf_append(sb, zh ? "等待资源分配时不可取消"
                                : "while waiting for capacity, the order cannot be cancelled");
    }
}

static void summary_queued(struct fo_strbuf *sb, const struct fo_policy *policy, enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(policy->queued >= FO_QUEUED_FULL_REFUND);
    FO_ASSERT(policy->queued <= FO_QUEUED_DENY);

    bool zh = lang == FO_LANG_ZH;
    if (policy->queued == FO_QUEUED_DENY) {
        fo_strbuf_append(sb, zh ? "已进入资源池时不可取消"
                                : "once in the supplier's queue, the order cannot be cancelled");
    } else if (policy->queued == FO_QUEUED_FEE && policy_has_fee(policy)) {
        fo_strbuf_append(sb, zh ? "已进入资源池时取消收取手续费"
                                : "once in the supplier's queue, you can cancel for a fee of ");
        text_append_fee(sb, policy, lang);
    } else {
        fo_strbuf_append(sb, zh ? "已进入资源池时可取消，全额退款"
                                : "once in the supplier's queue, you can cancel for a full refund");
    }
}

static void summary_executing(struct fo_strbuf *sb, const struct fo_policy *policy,
                              enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(policy->executing == FO_EXECUTING_PRORATED || policy->executing == FO_EXECUTING_DENY);

    bool zh = lang == FO_LANG_ZH;
    if (policy->executing == FO_EXECUTING_DENY) {
        fo_strbuf_append(sb, zh ? "执行中"
                                  "不可取消"
                                : "once in progress, the order cannot be cancelled");
        return;
    }
    fo_strbuf_append(sb, zh ? "执行中可取消，按未交付部分退款"
                            : "once in progress, you can cancel and get the undelivered part "
                              "refunded");
    if (!policy_has_fee(policy)) {
        return;
    }
    if (policy->queued == FO_QUEUED_FEE) {
        fo_strbuf_append(sb, zh ? "，并收取同样的手续费" : ", minus the same fee");
        return;
    }
    fo_strbuf_append(sb, zh ? "，并收取手续费" : ", minus a fee of ");
    text_append_fee(sb, policy, lang);
}

size_t fo_text_policy_summary(const struct fo_policy *policy, enum fo_lang lang, char *buf,
                              size_t buf_bytes)
{
    FO_ASSERT(policy != NULL);
    FO_ASSERT(lang_is_valid(lang));
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= 1);

    struct fo_strbuf sb;
    fo_strbuf_init(&sb, buf, buf_bytes);
    if (policy_has_cooling_off(policy)) {
        summary_cooling_off(&sb, policy, lang);
    }
    size_t rules_at = fo_strbuf_length(&sb);
    summary_pending(&sb, policy, lang);
    fo_strbuf_append(&sb, lang == FO_LANG_ZH ? "；" : "; ");
    summary_queued(&sb, policy, lang);
    fo_strbuf_append(&sb, lang == FO_LANG_ZH ? "；" : "; ");
    summary_executing(&sb, policy, lang);
    fo_strbuf_append(&sb, lang == FO_LANG_ZH ? "。" : ".");
    /* Without a cooling-off sentence the rules start the text: capitalise them. */
    if (rules_at == 0 && buf[0] >= 'a' && buf[0] <= 'z') {
        buf[0] = (char)(buf[0] - 'a' + 'A');
    }
    size_t written = fo_strbuf_length(&sb);

    FO_ASSERT(written < buf_bytes);
    FO_ASSERT(buf[written] == '\0');
    return written;
}

/* --- Quote message ------------------------------------------------------------------ */

/* When a later state allows a cancel: what it will cost, in a few words. */
static void quote_append_later_cancel(struct fo_strbuf *sb, const struct fo_order *order,
                                      enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(!fo_state_is_terminal(order->state));

    bool zh = lang == FO_LANG_ZH;
    bool fee = policy_has_fee(&order->policy);
    if (order->state == FO_STATE_PENDING && order->policy.queued == FO_QUEUED_FULL_REFUND) {
        fo_strbuf_append(sb, zh ? "订单进入资源池后可取消，全额退款。"
                                : " Once it reaches the supplier's queue, you can cancel for a "
                                  "full refund.");
    } else if (order->state == FO_STATE_PENDING && order->policy.queued == FO_QUEUED_FEE) {
        fo_strbuf_append(sb, zh ? "订单进入资源池后可取消"
                                : " Once it reaches the supplier's "
                                  "queue, you can cancel");
        fo_strbuf_append(sb, fee ? (zh ? "，收取取消手续费。" : " for a cancellation fee.")
                                 : (zh ? "，全额退款。" : " for a full refund."));
    } else {
        fo_strbuf_append(sb, zh ? "订单开始执行后可取消，按未交付部分退款"
                                : " Once it is in progress, you can cancel and get the "
                                  "undelivered part refunded");
        const char *fee_zh = "，并收取取消手续费。";
        fo_strbuf_append(sb,
                         fee ? (zh ? fee_zh : ", less the cancellation fee.") : (zh ? "。" : "."));
    }
}

/* What a buyer can still expect when cancelling is not possible now. */
static void quote_append_next_step(struct fo_strbuf *sb, const struct fo_order *order,
                                   enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(!fo_state_is_terminal(order->state));

    bool later_by_queue =
        order->state == FO_STATE_PENDING && order->policy.queued != FO_QUEUED_DENY;
    bool later_by_execution =
        order->state != FO_STATE_EXECUTING && order->policy.executing == FO_EXECUTING_PRORATED;
    if (later_by_queue || later_by_execution) {
        quote_append_later_cancel(sb, order, lang);
        return;
    }
    fo_strbuf_append(sb, lang == FO_LANG_ZH
                             ? "订单将按约交付；"
                               "如供应商未能交付，未交付部分将自动退款。"
                             : " It will be delivered as ordered; if the supplier cannot "
                               "deliver, the undelivered part is refunded automatically.");
}

/* Rule 4 "deny" and rule 2 "deny": why not, and what happens instead. */
static void quote_not_cancellable(struct fo_strbuf *sb, const struct fo_order *order,
                                  enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(!fo_state_is_terminal(order->state));

    bool zh = lang == FO_LANG_ZH;
    fo_strbuf_append(sb, fo_text_state_label(order->state, lang));
    fo_strbuf_append(sb, zh ? "：" : ": ");
    if (order->state == FO_STATE_EXECUTING) {
        text_append_delivered(sb, order, lang);
        fo_strbuf_append(sb, zh ? "。" : ". ");
        fo_strbuf_append(sb, zh ? "按本订单的取消规则，执行中不可取消。"
                                : "This order's cancellation policy does not allow cancelling "
                                  "once it is in progress.");
    } else {
        fo_strbuf_append(sb, zh ? "按本订单的取消规则，此阶段不可取消。"
                                : "this order's cancellation policy does not allow cancelling "
                                  "at this stage.");
    }
    quote_append_next_step(sb, order, lang);
}

/* Rule 1: the order is over; say how it was settled. */
static void quote_already_settled(struct fo_strbuf *sb, const struct fo_order *order,
                                  enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(order->settled);

    bool zh = lang == FO_LANG_ZH;
    fo_strbuf_append(sb, fo_text_state_label(order->state, lang));
    fo_strbuf_append(sb, zh ? "：" : ": ");
    if (order->state == FO_STATE_COMPLETED && zh) {
        fo_strbuf_append(sb, "已全部交付（");
        fo_strbuf_append_int(sb, order->quantity);
        fo_strbuf_append(sb, "/");
        fo_strbuf_append_int(sb, order->quantity);
        fo_strbuf_append(sb, "），无需取消。");
        return;
    }
    if (order->state == FO_STATE_COMPLETED) {
        fo_strbuf_append(sb, "all ");
        fo_strbuf_append_int(sb, order->quantity);
        fo_strbuf_append(sb, order->quantity == 1 ? " unit was" : " units were");
        fo_strbuf_append(sb, " delivered, so there is nothing left to cancel.");
        return;
    }
    if (order->state == FO_STATE_CANCELLED) {
        fo_strbuf_append(sb, zh ? "该订单已取消。" : "this order is already cancelled. ");
    } else {
        fo_strbuf_append(sb, zh ? "供应商未能完成（" : "the supplier could not finish (");
        text_append_delivered(sb, order, lang);
        fo_strbuf_append(sb, zh ? "），无需取消。" : "); there is nothing left to cancel. ");
    }
    fo_strbuf_append(sb, zh ? "结算明细：" : "Settlement: ");
    text_append_split(sb, &order->settlement.split, false, lang);
}

/* Rules 2-4 when allowed: exactly what comes back. */
static void quote_allowed(struct fo_strbuf *sb, const struct fo_order *order,
                          const struct fo_quote *quote, enum fo_lang lang)
{
    FO_ASSERT(sb != NULL);
    FO_ASSERT(quote->allowed);

    bool zh = lang == FO_LANG_ZH;
    if (quote->reason == FO_REASON_COOLING_OFF) {
        fo_strbuf_append(sb, zh ? "冷静期（无理由取消）："
                                  "现在取消不收取任何费用，全额退款 "
                                : "Free cancellation period: cancel now at no charge and get "
                                  "the full ");
        fo_strbuf_append_money(sb, quote->split.refund_minor);
        fo_strbuf_append(sb, zh ? "。" : " back.");
        return;
    }
    fo_strbuf_append(sb, fo_text_state_label(order->state, lang));
    fo_strbuf_append(sb, zh ? "：" : ": ");
    if (quote->reason == FO_REASON_PENDING_FULL_REFUND ||
        quote->reason == FO_REASON_QUEUED_FULL_REFUND) {
        fo_strbuf_append(sb, zh ? "现在取消，全额退款 " : "cancel now and get the full ");
        fo_strbuf_append_money(sb, quote->split.refund_minor);
        fo_strbuf_append(sb, zh ? "。" : " back.");
        return;
    }
    bool executing = order->state == FO_STATE_EXECUTING;
    if (executing) {
        text_append_delivered(sb, order, lang);
    } else {
        fo_strbuf_append(sb, zh ? "尚未交付" : "nothing delivered yet");
    }
    fo_strbuf_append(sb, zh ? "。现在取消：" : ". Cancel now: ");
    text_append_split(sb, &quote->split, executing, lang);
}

size_t fo_text_quote_message(const struct fo_order *order, const struct fo_quote *quote,
                             enum fo_lang lang, char *buf, size_t buf_bytes)
{
    FO_ASSERT(order != NULL);
    FO_ASSERT(quote != NULL);
    FO_ASSERT(lang_is_valid(lang));
    FO_ASSERT(buf != NULL);
    FO_ASSERT(buf_bytes >= 1);

    struct fo_strbuf sb;
    fo_strbuf_init(&sb, buf, buf_bytes);
    switch (quote->reason) {
    case FO_REASON_ALREADY_COMPLETED:
    case FO_REASON_ALREADY_CANCELLED:
    case FO_REASON_ALREADY_FAILED:
        quote_already_settled(&sb, order, lang);
        break;
    case FO_REASON_PENDING_NOT_CANCELLABLE:
    case FO_REASON_QUEUED_NOT_CANCELLABLE:
    case FO_REASON_EXECUTING_NOT_CANCELLABLE:
        quote_not_cancellable(&sb, order, lang);
        break;
    default:
        quote_allowed(&sb, order, quote, lang);
        break;
    }
    size_t written = fo_strbuf_length(&sb);

    FO_ASSERT(written < buf_bytes);
    FO_ASSERT(buf[written] == '\0');
    return written;
}

/* --- Language ----------------------------------------------------------------------- */

static bool lang_is_space(char c)
{
    bool space = c == ' ' || c == '\t';
    FO_ASSERT(!space || c != '\0');
    FO_ASSERT(c != ',' || !space);
    return space;
}

enum fo_lang fo_text_lang_from_header(const char *accept_language)
{
    if (accept_language == NULL) {
        return FO_LANG_EN;
    }
    /* The first tag: after leading blanks, up to ',' or ';'. Only its first two letters
     * matter, so the scan is bounded by the header's length and stops at once. */
    size_t start = 0;
    while (lang_is_space(accept_language[start])) {
        start++;
    }
    const char *tag = accept_language + start;
    bool zh = (tag[0] == 'z' || tag[0] == 'Z') && (tag[1] == 'h' || tag[1] == 'H');
    enum fo_lang lang = zh ? FO_LANG_ZH : FO_LANG_EN;

    FO_ASSERT(lang_is_valid(lang));
    FO_ASSERT(!zh || tag[1] != '\0');
    return lang;
}
