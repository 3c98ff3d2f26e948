/* Property under test: ledger.c builds journals that sum to zero with the postings of
 * ledger.h (zero amounts omitted), applies them to a wallet with the documented errors
 * and outputs untouched on error, and fo_ledger_check_order tells agreeing postings from
 * disagreeing ones for open and terminal orders.
 *
 * Method: one journal per kind and per settlement shape, hand-computed balances, and one
 * disagreement per field of struct fo_order_ledger. */
#include "core_fixture.h"

#include "core/ledger.h"
#include "core/limits.h"

static void assert_posting(const struct fo_journal *journal, size_t index, enum fo_account account,
                           int64_t amount_minor)
{
    assert_true(index < journal->postings_count);
    assert_int_equal(journal->postings[index].account, account);
    assert_int64_equal(journal->postings[index].amount_minor, amount_minor);
}

static void test_ledger_topup_moves_money_in(void **state)
{
    (void)state;
    struct fo_journal journal;
    fo_ledger_topup(FO_TOPUP_MINOR_MAX, &journal);
    assert_int_equal(journal.kind, FO_JOURNAL_TOPUP);
    assert_int_equal(journal.postings_count, 2);
    assert_posting(&journal, 0, FO_ACCOUNT_OUTSIDE, -FO_TOPUP_MINOR_MAX);
    assert_posting(&journal, 1, FO_ACCOUNT_BUYER_AVAILABLE, FO_TOPUP_MINOR_MAX);
    assert_int64_equal(fo_journal_sum(&journal), 0);
    assert_null(fo_journal_check(&journal));
    fo_ledger_topup(1, &journal);
    assert_int64_equal(fo_journal_amount(&journal, FO_ACCOUNT_BUYER_AVAILABLE), 1);
    assert_int64_equal(fo_journal_amount(&journal, FO_ACCOUNT_PLATFORM_FEES), 0);
}

static void test_ledger_hold_moves_amount_to_held(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    struct fo_journal journal;
    fo_ledger_hold(&order, &journal);
    assert_int_equal(journal.kind, FO_JOURNAL_HOLD);
    assert_int_equal(journal.postings_count, 2);
    assert_posting(&journal, 0, FO_ACCOUNT_BUYER_AVAILABLE, -FO_AMOUNT_MINOR_MAX);
    assert_posting(&journal, 1, FO_ACCOUNT_BUYER_HELD, FO_AMOUNT_MINOR_MAX);
    assert_null(fo_journal_check(&journal));
}

static struct fo_journal settle(struct fo_order *order)
{
    struct fo_journal journal;
    fo_ledger_settle(order, &journal);
    assert_int_equal(journal.kind, FO_JOURNAL_SETTLE);
    assert_int64_equal(fo_journal_sum(&journal), 0);
    assert_null(fo_journal_check(&journal));
    return journal;
}

static void test_ledger_settle_full_refund_has_two_postings(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_CANCELLED, 0, FIXTURE_T0_UNIX_MS);
    struct fo_journal journal = settle(&order);
    assert_int_equal(journal.postings_count, 2);
    assert_posting(&journal, 0, FO_ACCOUNT_BUYER_HELD, -5000);
    assert_posting(&journal, 1, FO_ACCOUNT_BUYER_AVAILABLE, 5000);
}

static void test_ledger_settle_completion_goes_to_revenue(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_COMPLETED, 0, FIXTURE_T0_UNIX_MS);
    struct fo_journal journal = settle(&order);
    assert_int_equal(journal.postings_count, 2);
    assert_posting(&journal, 0, FO_ACCOUNT_BUYER_HELD, -5000);
    assert_posting(&journal, 1, FO_ACCOUNT_PLATFORM_REVENUE, 5000);
}

static void test_ledger_settle_prorated_cancel_has_four_postings(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_EXECUTING, 250, FIXTURE_T0_UNIX_MS);
    struct fo_quote quote;
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 1, 0, &quote);
    fo_order_cancel(&order, &quote, FIXTURE_T0_UNIX_MS + 1);
    struct fo_journal journal = settle(&order);
    assert_int_equal(journal.postings_count, 4);
    assert_posting(&journal, 0, FO_ACCOUNT_BUYER_HELD, -5000);
    assert_posting(&journal, 1, FO_ACCOUNT_PLATFORM_REVENUE, 1250);
    assert_posting(&journal, 2, FO_ACCOUNT_PLATFORM_FEES, 125);
    assert_posting(&journal, 3, FO_ACCOUNT_BUYER_AVAILABLE, 3625);
}

static void test_ledger_settle_failure_has_no_fee(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_FAILED, 250, FIXTURE_T0_UNIX_MS);
    struct fo_journal journal = settle(&order);
    assert_int_equal(journal.postings_count, 3);
    assert_posting(&journal, 1, FO_ACCOUNT_PLATFORM_REVENUE, 1250);
    assert_posting(&journal, 2, FO_ACCOUNT_BUYER_AVAILABLE, 3750);
    assert_int64_equal(fo_journal_amount(&journal, FO_ACCOUNT_PLATFORM_FEES), 0);
}

static void test_journal_check_rejects_broken_journals(void **state)
{
    (void)state;
    struct fo_journal good;
    fo_ledger_topup(100, &good);

    struct fo_journal journal = good;
    journal.postings[1].amount_minor = 99;
    assert_non_null(fo_journal_check(&journal));
    journal = good;
    journal.postings_count = 1;
    assert_non_null(fo_journal_check(&journal));
    journal = good;
    journal.postings_count = FO_JOURNAL_POSTINGS_MAX + 1;
    assert_non_null(fo_journal_check(&journal));
    journal = good;
    journal.kind = (enum fo_journal_kind)9;
    assert_non_null(fo_journal_check(&journal));
    journal = good;
    journal.postings[0].account = (enum fo_account)0;
    assert_non_null(fo_journal_check(&journal));
    journal = good;
    journal.postings[0].amount_minor = 0;
    journal.postings[1].amount_minor = 0;
    assert_non_null(fo_journal_check(&journal));
    journal = good;
    journal.postings[0].amount_minor = INT64_MIN;
    journal.postings[1].amount_minor = INT64_MAX;
    assert_non_null(fo_journal_check(&journal));
}

static void test_ledger_apply_to_wallet_moves_balances(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_err_detail detail;
    int64_t available = -1;
    int64_t held = -1;
    struct fo_journal journal;

    fo_ledger_hold(&order, &journal);
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, 5000, 0, &available, &held, &detail),
                     FO_OK);
    assert_int64_equal(available, 0);
    assert_int64_equal(held, 5000);

    fixture_walk(&order, FO_STATE_FAILED, 250, FIXTURE_T0_UNIX_MS);
    fo_ledger_settle(&order, &journal);
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, 0, 5000, &available, &held, &detail),
                     FO_OK);
    assert_int64_equal(available, 3750);
    assert_int64_equal(held, 0);
}

static void test_ledger_apply_to_wallet_insufficient_funds(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_journal journal;
    fo_ledger_hold(&order, &journal);
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    int64_t available = 7;
    int64_t held = 8;
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, 4999, 10, &available, &held, &detail),
                     FO_ERR_INSUFFICIENT_FUNDS);
    assert_int64_equal(available, 7);
    assert_int64_equal(held, 8);
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, 5000, 10, &available, &held, &detail),
                     FO_OK);
    assert_int64_equal(available, 0);
    assert_int64_equal(held, 5010);
}

static void test_ledger_apply_to_wallet_balance_cap_on_topup(void **state)
{
    (void)state;
    struct fo_journal journal;
    fo_ledger_topup(100, &journal);
    struct fo_err_detail detail;
    int64_t available = 7;
    int64_t held = 8;
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, FO_BALANCE_MINOR_MAX - 100, 0, &available,
                                               &held, &detail),
                     FO_OK);
    assert_int64_equal(available, FO_BALANCE_MINOR_MAX);
    available = 7;
    held = 8;
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, FO_BALANCE_MINOR_MAX - 99, 0, &available,
                                               &held, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_int64_equal(available, 7);
    assert_int64_equal(held, 8);
    assert_string_equal(detail.field, "amount_minor");
    assert_int_equal(detail.problem, FO_FIELD_OUT_OF_RANGE);
    assert_true(detail.has_range);
    assert_int64_equal(detail.range_min, 1);
    assert_int64_equal(detail.range_max, FO_TOPUP_MINOR_MAX);
}

static void test_ledger_apply_to_wallet_topup_cap_counts_held(void **state)
{
    (void)state;
    /* Held money comes back to available on a refund, so the cap counts it at top-up. */
    struct fo_journal journal;
    fo_ledger_topup(100, &journal);
    struct fo_err_detail detail;
    int64_t available = 7;
    int64_t held = 8;
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, FO_BALANCE_MINOR_MAX - 5100, 5000,
                                               &available, &held, &detail),
                     FO_OK);
    assert_int64_equal(available, FO_BALANCE_MINOR_MAX - 5000);
    assert_int64_equal(held, 5000);
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, FO_BALANCE_MINOR_MAX - 5099, 5000,
                                               &available, &held, &detail),
                     FO_ERR_INVALID_REQUEST);
    assert_string_equal(detail.field, "amount_minor");
}

static void test_ledger_apply_to_wallet_refund_at_the_cap(void **state)
{
    (void)state;
    /* A refund never lifts available + held: at the cap it is still accepted. */
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_CANCELLED, 0, FIXTURE_T0_UNIX_MS);
    struct fo_journal journal;
    fo_ledger_settle(&order, &journal);
    struct fo_err_detail detail;
    int64_t available = 0;
    int64_t held = 0;
    assert_int_equal(fo_ledger_apply_to_wallet(&journal, FO_BALANCE_MINOR_MAX - 5000, 5000,
                                               &available, &held, &detail),
                     FO_OK);
    assert_int64_equal(available, FO_BALANCE_MINOR_MAX);
    assert_int64_equal(held, 0);
}

static struct fo_order_ledger sums_of(const struct fo_order *order)
{
    struct fo_journal hold;
    fo_ledger_hold(order, &hold);
    struct fo_order_ledger sums = {
        .held_minor = fo_journal_amount(&hold, FO_ACCOUNT_BUYER_HELD),
        .available_minor = fo_journal_amount(&hold, FO_ACCOUNT_BUYER_AVAILABLE),
    };
    if (order->settled) {
        struct fo_journal journal;
        fo_ledger_settle(order, &journal);
        sums.held_minor += fo_journal_amount(&journal, FO_ACCOUNT_BUYER_HELD);
        sums.available_minor += fo_journal_amount(&journal, FO_ACCOUNT_BUYER_AVAILABLE);
        sums.charged_minor += fo_journal_amount(&journal, FO_ACCOUNT_PLATFORM_REVENUE);
        sums.fee_minor += fo_journal_amount(&journal, FO_ACCOUNT_PLATFORM_FEES);
    }
    return sums;
}

static void assert_each_field_matters(const struct fo_order *order)
{
    struct fo_order_ledger good = sums_of(order);
    assert_null(fo_ledger_check_order(order, &good));
    struct fo_order_ledger sums = good;
    sums.held_minor += 1;
    assert_non_null(fo_ledger_check_order(order, &sums));
    sums = good;
    sums.available_minor -= 1;
    assert_non_null(fo_ledger_check_order(order, &sums));
    sums = good;
    sums.charged_minor += 1;
    assert_non_null(fo_ledger_check_order(order, &sums));
    sums = good;
    sums.fee_minor += 1;
    assert_non_null(fo_ledger_check_order(order, &sums));
}

static void test_ledger_check_order_open_and_terminal(void **state)
{
    (void)state;
    const enum fo_state states[] = {FO_STATE_PENDING,   FO_STATE_QUEUED,    FO_STATE_EXECUTING,
                                    FO_STATE_COMPLETED, FO_STATE_CANCELLED, FO_STATE_FAILED};
    for (size_t index = 0; index < sizeof states / sizeof states[0]; index++) {
        struct fo_policy policy = fixture_policy();
        struct fo_order order = fixture_order(1000, 5, &policy);
        fixture_walk(&order, states[index], 250, FIXTURE_T0_UNIX_MS);
        assert_each_field_matters(&order);
    }
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_EXECUTING, 250, FIXTURE_T0_UNIX_MS);
    struct fo_quote quote;
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 1, 0, &quote);
    fo_order_cancel(&order, &quote, FIXTURE_T0_UNIX_MS + 1);
    assert_each_field_matters(&order);
    /* An order whose hold was never released. */
    struct fo_order_ledger only_hold = {.held_minor = 5000, .available_minor = -5000};
    assert_non_null(fo_ledger_check_order(&order, &only_hold));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ledger_topup_moves_money_in),
        cmocka_unit_test(test_ledger_hold_moves_amount_to_held),
        cmocka_unit_test(test_ledger_settle_full_refund_has_two_postings),
        cmocka_unit_test(test_ledger_settle_completion_goes_to_revenue),
        cmocka_unit_test(test_ledger_settle_prorated_cancel_has_four_postings),
        cmocka_unit_test(test_ledger_settle_failure_has_no_fee),
        cmocka_unit_test(test_journal_check_rejects_broken_journals),
        cmocka_unit_test(test_ledger_apply_to_wallet_moves_balances),
        cmocka_unit_test(test_ledger_apply_to_wallet_insufficient_funds),
        cmocka_unit_test(test_ledger_apply_to_wallet_balance_cap_on_topup),
        cmocka_unit_test(test_ledger_apply_to_wallet_topup_cap_counts_held),
        cmocka_unit_test(test_ledger_apply_to_wallet_refund_at_the_cap),
        cmocka_unit_test(test_ledger_check_order_open_and_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
