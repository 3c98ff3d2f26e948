/* Property under test: the plain words of text.c. Policy summaries and quote messages say
 * exactly what the rules and the arithmetic say, in the terms of DESIGN.md's "Words"
 * table, with amounts as "¥12.50" and full-width punctuation in Chinese; every state has a
 * label in both languages; Accept-Language picks Chinese exactly when its first tag starts
 * with "zh"; short buffers get whole characters only.
 *
 * Method: exact expected strings for representative policies and for a quote of every
 * reason in both languages (so a changed word fails a test), and structural checks over
 * all states and buffer sizes. */
#include "core_fixture.h"

#include "core/text.h"
#include "core/utf8.h"

#define LATE_MS (FIXTURE_T0_UNIX_MS + 11 * INT64_C(60000))

static void assert_summary(const struct fo_policy *policy, const char *en, const char *zh)
{
    char buf[FO_TEXT_BYTES];
    size_t written = fo_text_policy_summary(policy, FO_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, en);
    assert_int_equal(written, strlen(en));
    written = fo_text_policy_summary(policy, FO_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, zh);
    assert_int_equal(written, strlen(zh));
}

static void test_text_policy_summary_standard_policy(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    assert_summary(&policy,
                   "Free cancellation within 10 minutes of ordering, before the order starts: "
                   "full refund, if you have cancelled fewer than 5 orders in the last 24 "
                   "hours. After that, while waiting for capacity, you can cancel for a full "
                   "refund; once in the supplier's queue, you can cancel for a fee of ¥0.50 + "
                   "2% of the remaining amount; once in progress, you can cancel and get the "
                   "undelivered part refunded, minus the same fee.",
                   "下单后 10 分钟内、订单开始执行前可无理由取消，全额退款"
                   "（每 24 小时限 5 "
                   "次）。之后：等待资源分配时可取消，全额退款；已进入资"
                   "源池时取消收取手续费 "
                   "¥0.50 + 剩余金额的 2%；执行中可取消，按未交付部分退款，"
                   "并收取同样的手续费。");
}

static void test_text_policy_summary_deny_everything_without_cooling_off(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.cooling_off_s = 0;
    policy.pending = FO_PENDING_DENY;
    policy.queued = FO_QUEUED_DENY;
    policy.executing = FO_EXECUTING_DENY;
    assert_summary(&policy,
                   "While waiting for capacity, the order cannot be cancelled; once in the "
                   "supplier's queue, the order cannot be cancelled; once in progress, the "
                   "order cannot be cancelled.",
                   "等待资源分配时不可取消；已进入资源池时不可取消；执行"
                   "中不可取消。");
    /* No free cancels a day means no cooling-off either, whatever its length. */
    policy.cooling_off_s = 600;
    policy.free_cancels_per_day = 0;
    char buf[FO_TEXT_BYTES];
    fo_text_policy_summary(&policy, FO_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf,
                        "While waiting for capacity, the order cannot be cancelled; once in the "
                        "supplier's queue, the order cannot be cancelled; once in progress, the "
                        "order cannot be cancelled.");
}

static void test_text_policy_summary_proportional_fee_in_progress_only(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.cooling_off_s = 90;
    policy.free_cancels_per_day = 1;
    policy.queued = FO_QUEUED_FULL_REFUND;
    policy.fee_fixed_minor = 0;
    policy.fee_bps = 250;
    assert_summary(&policy,
                   "Free cancellation within 1 minute 30 seconds of ordering, before the order "
                   "starts: full refund, if you have not cancelled any order in the last 24 "
                   "hours. After that, while waiting for capacity, you can cancel for a full "
                   "refund; once in the supplier's queue, you can cancel for a full refund; "
                   "once in progress, you can cancel and get the undelivered part refunded, "
                   "minus a fee of 2.5% of the remaining amount.",
                   "下单后 1 分钟 30 秒内、订单开始执行前可无理由取消，全额"
                   "退款（每 24 小时限 1 "
                   "次）。之后：等待资源分配时可取消，全额退款；已进入资"
                   "源池时可取消，全额退款；"
                   "执行中可取消，按未交付部分退款，并收取手续费（剩余金"
                   "额的 2.5%）。");
}

static void test_text_policy_summary_zero_fee_and_whole_day(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.cooling_off_s = FO_COOLING_OFF_S_MAX;
    policy.fee_fixed_minor = 0;
    policy.fee_bps = 0;
    assert_summary(&policy,
                   "Free cancellation within 24 hours of ordering, before the order starts: "
                   "full refund, if you have cancelled fewer than 5 orders in the last 24 "
                   "hours. After that, while waiting for capacity, you can cancel for a full "
                   "refund; once in the supplier's queue, you can cancel for a full refund; "
                   "once in progress, you can cancel and get the undelivered part refunded.",
                   "下单后 24 小时内、订单开始执行前可无理由取消，全额退款"
                   "（每 24 小时限 5 "
                   "次）。之后：等待资源分配时可取消，全额退款；已进入资"
                   "源池时可取消，全额退款；"
                   "执行中可取消，按未交付部分退款。");
}

static void test_text_policy_summary_durations_and_fee_forms(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.cooling_off_s = 3661;
    policy.pending = FO_PENDING_DENY;
    policy.executing = FO_EXECUTING_DENY;
    policy.fee_fixed_minor = 1;
    policy.fee_bps = 1;
    policy.free_cancels_per_day = FO_FREE_CANCELS_PER_DAY_MAX;
    assert_summary(&policy,
                   "Free cancellation within 1 hour 1 minute 1 second of ordering, before the "
                   "order starts: full refund, if you have cancelled fewer than 1000 orders in "
                   "the last 24 hours. After that, while waiting for capacity, the order cannot "
                   "be cancelled; once in the supplier's queue, you can cancel for a fee of "
                   "¥0.01 + 0.01% of the remaining amount; once in progress, the order cannot "
                   "be cancelled.",
                   "下单后 1 小时 1 分钟 1 秒内、订单开始执行前可无理由取消"
                   "，全额退款（每 24 小"
                   "时限 1000 次）。之后：等待资源分配时不可取消；已进入资"
                   "源池时取消收取手续费 "
                   "¥0.01 + 剩余金额的 0.01%；执行中不可取消。");

    const struct {
        int64_t cooling_off_s, fee_fixed_minor, fee_bps;
        const char *en_part, *zh_part;
    } rows[] = {
        {1, 100, 0, "within 1 second of", "下单后 1 秒内"},
        {59, 100, 0, "within 59 seconds of", "下单后 59 秒内"},
        {60, 100, 0, "within 1 minute of", "下单后 1 分钟内"},
        {3600, 100, 0, "within 1 hour of", "下单后 1 小时内"},
        {7200, 100, 0, "for a fee of ¥1.00;", "收取手续费 ¥1.00；"},
        {600, 0, 10000,
         "for a fee of 100% of the remaining amou"
         "nt;",
         "（剩余金额的 100%）；"},
        {600, 0, 205,
         "for a fee of 2.05% of the remaining amou"
         "nt;",
         "（剩余金额的 2.05%）；"},
        {600, 0, 10, "for a fee of 0.1% of the remaining amount;", "（剩余金额的 0.1%）；"},
    };
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        policy.cooling_off_s = rows[index].cooling_off_s;
        policy.fee_fixed_minor = rows[index].fee_fixed_minor;
        policy.fee_bps = rows[index].fee_bps;
        char buf[FO_TEXT_BYTES];
        fo_text_policy_summary(&policy, FO_LANG_EN, buf, sizeof buf);
        assert_non_null(strstr(buf, rows[index].en_part));
        fo_text_policy_summary(&policy, FO_LANG_ZH, buf, sizeof buf);
        assert_non_null(strstr(buf, rows[index].zh_part));
    }
}

/* --- Quote messages ----------------------------------------------------------------- */

static void assert_message(const struct fo_order *order, int64_t now, enum fo_reason reason,
                           const char *en, const char *zh)
{
    struct fo_quote quote;
    fo_quote_cancel(order, now, 0, &quote);
    assert_string_equal(fo_reason_name(quote.reason), fo_reason_name(reason));
    char buf[FO_TEXT_BYTES];
    size_t written = fo_text_quote_message(order, &quote, FO_LANG_EN, buf, sizeof buf);
    assert_string_equal(buf, en);
    assert_int_equal(written, strlen(en));
    written = fo_text_quote_message(order, &quote, FO_LANG_ZH, buf, sizeof buf);
    assert_string_equal(buf, zh);
    assert_int_equal(written, strlen(zh));
}

static struct fo_order order_with(enum fo_pending_rule pending, enum fo_queued_rule queued,
                                  enum fo_executing_rule executing)
{
    struct fo_policy policy = fixture_policy();
    policy.pending = pending;
    policy.queued = queued;
    policy.executing = executing;
    return fixture_order(1000, 5, &policy);
}

static void test_text_quote_message_allowed_reasons(void **state)
{
    (void)state;
    struct fo_order order =
        order_with(FO_PENDING_FULL_REFUND, FO_QUEUED_FEE, FO_EXECUTING_PRORATED);
    assert_message(&order, FIXTURE_T0_UNIX_MS + 1000, FO_REASON_COOLING_OFF,
                   "Free cancellation period: cancel now at no charge and get the full ¥50.00 "
                   "back.",
                   "冷静期（无理由取消）：现在取消不收取任何费用，全额退"
                   "款 ¥50.00。");
    assert_message(&order, LATE_MS, FO_REASON_PENDING_FULL_REFUND,
                   "Waiting for capacity: cancel now and get the full ¥50.00 back.",
                   "等待资源分配：现在取消，全额退款 ¥50.00。");
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    assert_message(&order, LATE_MS, FO_REASON_QUEUED_WITH_FEE,
                   "In the supplier's queue: nothing delivered yet. Cancel now: ¥1.50 "
                   "cancellation fee, ¥48.50 refunded.",
                   "已进入资源池：尚未交付。现在取消：取消手续费 ¥1.50，退"
                   "款 ¥48.50。");
    fo_order_claim(&order, LATE_MS, FIXTURE_LEASE_S);
    assert_int_equal(fo_order_progress(&order, 250, LATE_MS, FIXTURE_LEASE_S), FO_OK);
    assert_message(&order, LATE_MS, FO_REASON_EXECUTING_PRORATED,
                   "In progress: 250 of 1000 units delivered. Cancel now: ¥12.50 charged for "
                   "delivered units, ¥1.25 cancellation fee, ¥36.25 refunded.",
                   "执行中：已交付 250/1000。现在取消：已交付部分费用 ¥12.50"
                   "，取消手续费 "
                   "¥1.25，退款 ¥36.25。");

    order = order_with(FO_PENDING_FULL_REFUND, FO_QUEUED_FULL_REFUND, FO_EXECUTING_PRORATED);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    assert_message(&order, LATE_MS, FO_REASON_QUEUED_FULL_REFUND,
                   "In the supplier's queue: cancel now and get the full ¥50.00 back.",
                   "已进入资源池：现在取消，全额退款 ¥50.00。");
}

static void test_text_quote_message_one_unit(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1, 500, &policy);
    fixture_walk(&order, FO_STATE_EXECUTING, 0, FIXTURE_T0_UNIX_MS);
    assert_message(&order, LATE_MS, FO_REASON_EXECUTING_PRORATED,
                   "In progress: 0 of 1 unit delivered. Cancel now: ¥0.00 charged for "
                   "delivered units, ¥0.60 cancellation fee, ¥4.40 refunded.",
                   "执行中：已交付 0/1。现在取消：已交付部分费用 ¥0.00，取"
                   "消手续费 ¥0.60，退款 "
                   "¥4.40。");
}

static void test_text_quote_message_not_cancellable_reasons(void **state)
{
    (void)state;
    struct fo_order order = order_with(FO_PENDING_DENY, FO_QUEUED_DENY, FO_EXECUTING_PRORATED);
    assert_message(&order, LATE_MS, FO_REASON_PENDING_NOT_CANCELLABLE,
                   "Waiting for capacity: this order's cancellation policy does not allow "
                   "cancelling at this stage. Once it is in progress, you can cancel and get "
                   "the undelivered part refunded, less the cancellation fee.",
                   "等待资源分配：按本订单的取消规则，此阶段不可取消。订"
                   "单开始执行后可取消，按未"
                   "交付部分退款，并收取取消手续费。");
    order = order_with(FO_PENDING_DENY, FO_QUEUED_FEE, FO_EXECUTING_DENY);
    assert_message(&order, LATE_MS, FO_REASON_PENDING_NOT_CANCELLABLE,
                   "Waiting for capacity: this order's cancellation policy does not allow "
                   "cancelling at this stage. Once it reaches the supplier's queue, you can "
                   "cancel for a cancellation fee.",
                   "等待资源分配：按本订单的取消规则，此阶段不可取消。订"
                   "单进入资源池后可取消，"
                   "收取取消手续费。");
    order = order_with(FO_PENDING_DENY, FO_QUEUED_FULL_REFUND, FO_EXECUTING_DENY);
    assert_message(&order, LATE_MS, FO_REASON_PENDING_NOT_CANCELLABLE,
                   "Waiting for capacity: this order's cancellation policy does not allow "
                   "cancelling at this stage. Once it reaches the supplier's queue, you can "
                   "cancel for a full refund.",
                   "等待资源分配：按本订单的取消规则，此阶段不可取消。订"
                   "单进入资源池后可取消，"
                   "全额退款。");
    order = order_with(FO_PENDING_DENY, FO_QUEUED_DENY, FO_EXECUTING_DENY);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    assert_message(&order, LATE_MS, FO_REASON_QUEUED_NOT_CANCELLABLE,
                   "In the supplier's queue: this order's cancellation policy does not allow "
                   "cancelling at this stage. It will be delivered as ordered; if the supplier "
                   "cannot deliver, the undelivered part is refunded automatically.",
                   "已进入资源池：按本订单的取消规则，此阶段不可取消。订"
                   "单将按约交付；如供应商"
                   "未能交付，未交付部分将自动退款。");
    fo_order_claim(&order, LATE_MS, FIXTURE_LEASE_S);
    assert_int_equal(fo_order_progress(&order, 250, LATE_MS, FIXTURE_LEASE_S), FO_OK);
    assert_message(&order, LATE_MS, FO_REASON_EXECUTING_NOT_CANCELLABLE,
                   "In progress: 250 of 1000 units delivered. This order's cancellation policy "
                   "does not allow cancelling once it is in progress. It will be delivered as "
                   "ordered; if the supplier cannot deliver, the undelivered part is refunded "
                   "automatically.",
                   "执行中：已交付 250/1000。按本订单的取消规则，执行中不可"
                   "取消。订单将按约交"
                   "付；如供应商未能交付，未交付部分将自动退款。");
}

static void test_text_quote_message_already_settled(void **state)
{
    (void)state;
    struct fo_order order =
        order_with(FO_PENDING_FULL_REFUND, FO_QUEUED_FEE, FO_EXECUTING_PRORATED);
    fixture_walk(&order, FO_STATE_COMPLETED, 0, FIXTURE_T0_UNIX_MS);
    assert_message(&order, LATE_MS, FO_REASON_ALREADY_COMPLETED,
                   "Completed: all 1000 units were delivered, so there is nothing left to "
                   "cancel.",
                   "已完成：已全部交付（1000/1000），无需取消。");

    order = order_with(FO_PENDING_FULL_REFUND, FO_QUEUED_FEE, FO_EXECUTING_PRORATED);
    fixture_walk(&order, FO_STATE_CANCELLED, 0, FIXTURE_T0_UNIX_MS);
    assert_message(&order, LATE_MS, FO_REASON_ALREADY_CANCELLED,
                   "Cancelled: this order is already cancelled. Settlement: ¥50.00 refunded.",
                   "已取消：该订单已取消。结算明细：退款 ¥50.00。");

    order = order_with(FO_PENDING_FULL_REFUND, FO_QUEUED_FEE, FO_EXECUTING_PRORATED);
    fixture_walk(&order, FO_STATE_EXECUTING, 250, FIXTURE_T0_UNIX_MS);
    struct fo_quote quote;
    fo_quote_cancel(&order, LATE_MS, 0, &quote);
    fo_order_cancel(&order, &quote, LATE_MS);
    assert_message(&order, LATE_MS, FO_REASON_ALREADY_CANCELLED,
                   "Cancelled: this order is already cancelled. Settlement: ¥12.50 charged for "
                   "delivered units, ¥1.25 cancellation fee, ¥36.25 refunded.",
                   "已取消：该订单已取消。结算明细：已交付部分费用 ¥12.50"
                   "，取消手续费 ¥1.25，退"
                   "款 ¥36.25。");

    order = order_with(FO_PENDING_FULL_REFUND, FO_QUEUED_FEE, FO_EXECUTING_PRORATED);
    fixture_walk(&order, FO_STATE_FAILED, 250, FIXTURE_T0_UNIX_MS);
    assert_message(&order, LATE_MS, FO_REASON_ALREADY_FAILED,
                   "Failed (undelivered part refunded): the supplier could not finish (250 of "
                   "1000 units delivered); there is nothing left to cancel. Settlement: ¥12.50 "
                   "charged for delivered units, ¥37.50 refunded.",
                   "执行失败（未交付部分已退款）：供应商未能完成（已交付 "
                   "250/1000），无需取消。"
                   "结算明细：已交付部分费用 ¥12.50，退款 ¥37.50。");
}

static void test_text_quote_message_short_buffers_stay_utf8(void **state)
{
    (void)state;
    struct fo_order order =
        order_with(FO_PENDING_FULL_REFUND, FO_QUEUED_FEE, FO_EXECUTING_PRORATED);
    fixture_walk(&order, FO_STATE_EXECUTING, 250, FIXTURE_T0_UNIX_MS);
    struct fo_quote quote;
    fo_quote_cancel(&order, LATE_MS, 0, &quote);
    char full[FO_TEXT_BYTES];
    size_t full_bytes = fo_text_quote_message(&order, &quote, FO_LANG_ZH, full, sizeof full);
    for (size_t bytes = 1; bytes <= full_bytes + 1; bytes++) {
        char buf[FO_TEXT_BYTES];
        size_t written = fo_text_quote_message(&order, &quote, FO_LANG_ZH, buf, bytes);
        assert_true(written < bytes);
        assert_int_equal(buf[written], '\0');
        assert_true(fo_utf8_valid(buf, written, NULL));
        assert_memory_equal(buf, full, written);
    }
}

/* --- Labels and language ------------------------------------------------------------ */

static void test_text_state_label_every_state(void **state)
{
    (void)state;
    const char *en[FO_STATE_COUNT] = {"Waiting for capacity",
                                      "In the supplier's queue",
                                      "In progress",
                                      "Completed",
                                      "Cancelled",
                                      "Failed (undelivered part refunded)"};
    const char *zh[FO_STATE_COUNT] = {
        "等待资源分配",                 /* pending */
        "已进入资源池",                 /* queued */
        "执行中",                       /* executing */
        "已完成",                       /* completed */
        "已取消",                       /* cancelled */
        "执行失败（未交付部分已退款）", /* failed */
    };
    for (int index = 0; index < FO_STATE_COUNT; index++) {
        assert_string_equal(fo_text_state_label((enum fo_state)index, FO_LANG_EN), en[index]);
        assert_string_equal(fo_text_state_label((enum fo_state)index, FO_LANG_ZH), zh[index]);
        assert_string_not_equal(en[index], zh[index]);
    }
}

static void test_text_lang_from_header_first_tag(void **state)
{
    (void)state;
    assert_int_equal(fo_text_lang_from_header(NULL), FO_LANG_EN);
    assert_int_equal(fo_text_lang_from_header(""), FO_LANG_EN);
    assert_int_equal(fo_text_lang_from_header("zh"), FO_LANG_ZH);
    assert_int_equal(fo_text_lang_from_header("ZH-cn"), FO_LANG_ZH);
    assert_int_equal(fo_text_lang_from_header("zh-Hant-TW"), FO_LANG_ZH);
    assert_int_equal(fo_text_lang_from_header("  zh-CN,en;q=0.8"), FO_LANG_ZH);
    assert_int_equal(fo_text_lang_from_header("zH;q=1"), FO_LANG_ZH);
    assert_int_equal(fo_text_lang_from_header("en-US,zh;q=0.9"), FO_LANG_EN);
    assert_int_equal(fo_text_lang_from_header("*"), FO_LANG_EN);
    assert_int_equal(fo_text_lang_from_header("z"), FO_LANG_EN);
    assert_int_equal(fo_text_lang_from_header("z,h"), FO_LANG_EN);
    assert_int_equal(fo_text_lang_from_header(",zh"), FO_LANG_EN);
    assert_int_equal(fo_text_lang_from_header("fr-CH, zh;q=0.9"), FO_LANG_EN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_policy_summary_standard_policy),
        cmocka_unit_test(test_text_policy_summary_deny_everything_without_cooling_off),
        cmocka_unit_test(test_text_policy_summary_proportional_fee_in_progress_only),
        cmocka_unit_test(test_text_policy_summary_zero_fee_and_whole_day),
        cmocka_unit_test(test_text_policy_summary_durations_and_fee_forms),
        cmocka_unit_test(test_text_quote_message_allowed_reasons),
        cmocka_unit_test(test_text_quote_message_one_unit),
        cmocka_unit_test(test_text_quote_message_not_cancellable_reasons),
        cmocka_unit_test(test_text_quote_message_already_settled),
        cmocka_unit_test(test_text_quote_message_short_buffers_stay_utf8),
        cmocka_unit_test(test_text_state_label_every_state),
        cmocka_unit_test(test_text_lang_from_header_first_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
