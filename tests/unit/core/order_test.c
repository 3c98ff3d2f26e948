/* Property under test: the order state machine of order.c. Every (state, transition) pair
 * is legal exactly as API.md's diagram says; the transition functions do what their
 * comments say (leases, settlement, timestamps); progress, complete and fail reject bad
 * reports without changing a byte; fo_split_compute follows "Arithmetic"; fo_order_check
 * catches each broken invariant it lists.
 *
 * Method: the full 6 x 6 table; each transition function from every state (illegal calls
 * that must abort are run in a forked child and must die by SIGABRT); memcmp of the order
 * before and after every rejected report; one mutation per invariant for the checker. */
#include "core_fixture.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/limits.h"

#define LEASE_MS (FIXTURE_LEASE_S * 1000)
#define T1       (FIXTURE_T0_UNIX_MS + 5000)

static const enum fo_state all_states[FO_STATE_COUNT] = {
    FO_STATE_PENDING,   FO_STATE_QUEUED,    FO_STATE_EXECUTING,
    FO_STATE_COMPLETED, FO_STATE_CANCELLED, FO_STATE_FAILED,
};

/* An order of 1000 units at 5 in `state` (executing and failed with 250 delivered). */
static struct fo_order order_in(enum fo_state state)
{
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, state, 250, FIXTURE_T0_UNIX_MS);
    return order;
}

/* --- The transition table ----------------------------------------------------------- */

static void test_order_transition_every_pair(void **state)
{
    (void)state;
    /* expected[from][transition]: the next state, or -1 when illegal. */
    const int expected[FO_STATE_COUNT][6] = {
        /* allocate, claim, progress, complete, fail, cancel */
        [FO_STATE_PENDING] = {FO_STATE_QUEUED, -1, -1, -1, -1, FO_STATE_CANCELLED},
        [FO_STATE_QUEUED] = {-1, FO_STATE_EXECUTING, -1, -1, -1, FO_STATE_CANCELLED},
        [FO_STATE_EXECUTING] = {-1, -1, FO_STATE_EXECUTING, FO_STATE_COMPLETED, FO_STATE_FAILED,
                                FO_STATE_CANCELLED},
        [FO_STATE_COMPLETED] = {-1, -1, -1, -1, -1, -1},
        [FO_STATE_CANCELLED] = {-1, -1, -1, -1, -1, -1},
        [FO_STATE_FAILED] = {-1, -1, -1, -1, -1, -1},
    };
    for (int from = 0; from < FO_STATE_COUNT; from++) {
        for (int transition = 0; transition <= FO_TRANSITION_CANCEL; transition++) {
            enum fo_state to = FO_STATE_FAILED;
            bool legal =
                fo_order_transition((enum fo_state)from, (enum fo_transition)transition, &to);
            assert_int_equal(legal, expected[from][transition] != -1);
            if (legal) {
                assert_int_equal(to, expected[from][transition]);
            } else {
                assert_int_equal(to, FO_STATE_FAILED); /* Untouched. */
            }
        }
    }
}

static void test_state_name_and_parse_round_trip(void **state)
{
    (void)state;
    const char *names[FO_STATE_COUNT] = {"pending",   "queued",    "executing",
                                         "completed", "cancelled", "failed"};
    for (int index = 0; index < FO_STATE_COUNT; index++) {
        assert_string_equal(fo_state_name(all_states[index]), names[index]);
        enum fo_state parsed = FO_STATE_FAILED;
        assert_true(fo_state_parse(names[index], &parsed));
        assert_int_equal(parsed, all_states[index]);
        assert_int_equal(fo_state_is_terminal(all_states[index]), index >= 3);
    }
    enum fo_state parsed = FO_STATE_QUEUED;
    assert_false(fo_state_parse("Pending", &parsed));
    assert_false(fo_state_parse("", &parsed));
    assert_false(fo_state_parse("settled", &parsed));
    assert_int_equal(parsed, FO_STATE_QUEUED);
}

static void test_reason_name_every_reason(void **state)
{
    (void)state;
    assert_string_equal(fo_reason_name(FO_REASON_NONE), "none");
    assert_string_equal(fo_reason_name(FO_REASON_COOLING_OFF), "cooling_off");
    assert_string_equal(fo_reason_name(FO_REASON_QUEUED_WITH_FEE), "queued_with_fee");
    assert_string_equal(fo_reason_name(FO_REASON_EXECUTING_NOT_CANCELLABLE),
                        "executing_not_cancellable");
    assert_string_equal(fo_reason_name(FO_REASON_SUPPLIER_TIMEOUT), "supplier_timeout");
    for (int a = 0; a < FO_REASON_COUNT; a++) {
        for (int b = a + 1; b < FO_REASON_COUNT; b++) {
            assert_string_not_equal(fo_reason_name((enum fo_reason)a),
                                    fo_reason_name((enum fo_reason)b));
        }
    }
}

/* --- Legal transitions -------------------------------------------------------------- */

static void test_order_allocate_pending_to_queued(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_PENDING);
    fo_order_allocate(&order, T1);
    assert_null(fo_order_check(&order));
    assert_int_equal(order.state, FO_STATE_QUEUED);
    assert_int64_equal(order.updated_at_unix_ms, T1);
    assert_int64_equal(order.lease_expires_at_unix_ms, 0);
    assert_false(order.settled);
}

static void test_order_claim_sets_lease(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_QUEUED);
    fo_order_claim(&order, T1, 10);
    assert_null(fo_order_check(&order));
    assert_int_equal(order.state, FO_STATE_EXECUTING);
    assert_int64_equal(order.lease_expires_at_unix_ms, T1 + 10000);
    assert_int64_equal(order.updated_at_unix_ms, T1);
    assert_int64_equal(order.delivered, 0);
}

static void test_order_progress_renews_lease(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_EXECUTING);
    assert_int_equal(fo_order_progress(&order, 250, T1, FIXTURE_LEASE_S), FO_OK); /* Same. */
    assert_int64_equal(order.lease_expires_at_unix_ms, T1 + LEASE_MS);
    assert_int_equal(fo_order_progress(&order, 999, T1 + 7, FIXTURE_LEASE_S), FO_OK);
    assert_int64_equal(order.delivered, 999);
    assert_int64_equal(order.lease_expires_at_unix_ms, T1 + 7 + LEASE_MS);
    assert_int64_equal(order.updated_at_unix_ms, T1 + 7);
    /* Reaching the quantity does not complete the order. */
    assert_int_equal(fo_order_progress(&order, 1000, T1 + 8, FO_LEASE_S_MAX), FO_OK);
    assert_int_equal(order.state, FO_STATE_EXECUTING);
    assert_int64_equal(order.lease_expires_at_unix_ms, T1 + 8 + FO_LEASE_S_MAX * 1000);
    assert_null(fo_order_check(&order));
}

static void test_order_complete_charges_everything(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_EXECUTING);
    assert_int_equal(fo_order_complete(&order, 1000, T1), FO_OK);
    assert_null(fo_order_check(&order));
    assert_int_equal(order.state, FO_STATE_COMPLETED);
    assert_true(order.settled);
    assert_int_equal(order.settlement.reason, FO_REASON_COMPLETED);
    assert_int64_equal(order.settlement.split.charged_minor, 5000);
    assert_int64_equal(order.settlement.split.fee_minor, 0);
    assert_int64_equal(order.settlement.split.refund_minor, 0);
    assert_int64_equal(order.settlement.at_unix_ms, T1);
    assert_int64_equal(order.updated_at_unix_ms, T1);
    assert_int64_equal(order.lease_expires_at_unix_ms, 0);
    assert_int64_equal(order.delivered, 1000);
}

static void test_order_fail_charges_delivered_without_fee(void **state)
{
    (void)state;
    const enum fo_reason reasons[2] = {FO_REASON_SUPPLIER_FAILED, FO_REASON_SUPPLIER_TIMEOUT};
    for (size_t index = 0; index < 2; index++) {
        struct fo_order order = order_in(FO_STATE_EXECUTING);
        assert_int_equal(fo_order_fail(&order, 333, reasons[index], T1), FO_OK);
        assert_null(fo_order_check(&order));
        assert_int_equal(order.state, FO_STATE_FAILED);
        assert_int_equal(order.settlement.reason, reasons[index]);
        assert_int64_equal(order.delivered, 333);
        assert_int64_equal(order.settlement.split.charged_minor, 1665);
        assert_int64_equal(order.settlement.split.fee_minor, 0);
        assert_int64_equal(order.settlement.split.refund_minor, 3335);
        assert_int64_equal(order.settlement.at_unix_ms, T1);
        assert_int64_equal(order.lease_expires_at_unix_ms, 0);
    }
}

static void test_order_fail_with_nothing_or_everything_delivered(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_QUEUED);
    fo_order_claim(&order, T1, FIXTURE_LEASE_S);
    assert_int_equal(fo_order_fail(&order, 0, FO_REASON_SUPPLIER_TIMEOUT, T1), FO_OK);
    assert_int64_equal(order.settlement.split.refund_minor, 5000);

    order = order_in(FO_STATE_EXECUTING);
    assert_int_equal(fo_order_fail(&order, 1000, FO_REASON_SUPPLIER_FAILED, T1), FO_OK);
    assert_int64_equal(order.settlement.split.charged_minor, 5000);
    assert_int64_equal(order.settlement.split.refund_minor, 0);
    assert_null(fo_order_check(&order));
}

/* --- Rejected reports change nothing ------------------------------------------------ */

static void assert_report_rejected(struct fo_order *order, enum fo_transition transition,
                                   int64_t delivered, enum fo_err expected)
{
    struct fo_order before = *order;
    enum fo_err err = FO_OK;
    if (transition == FO_TRANSITION_PROGRESS) {
        err = fo_order_progress(order, delivered, T1, FIXTURE_LEASE_S);
    } else if (transition == FO_TRANSITION_COMPLETE) {
        err = fo_order_complete(order, delivered, T1);
    } else {
        err = fo_order_fail(order, delivered, FO_REASON_SUPPLIER_FAILED, T1);
    }
    assert_int_equal(err, expected);
    assert_memory_equal(&before, order, sizeof before);
}

static void test_order_reports_when_not_executing_are_job_not_active(void **state)
{
    (void)state;
    for (size_t index = 0; index < FO_STATE_COUNT; index++) {
        if (all_states[index] == FO_STATE_EXECUTING) {
            continue;
        }
        struct fo_order order = order_in(all_states[index]);
        assert_report_rejected(&order, FO_TRANSITION_PROGRESS, 500, FO_ERR_JOB_NOT_ACTIVE);
        assert_report_rejected(&order, FO_TRANSITION_COMPLETE, 1000, FO_ERR_JOB_NOT_ACTIVE);
        assert_report_rejected(&order, FO_TRANSITION_FAIL, 500, FO_ERR_JOB_NOT_ACTIVE);
        /* Not active wins over a bad count. */
        assert_report_rejected(&order, FO_TRANSITION_PROGRESS, -1, FO_ERR_JOB_NOT_ACTIVE);
    }
}

static void test_order_progress_rejects_decrease_and_excess(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_EXECUTING);
    assert_report_rejected(&order, FO_TRANSITION_PROGRESS, 249, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_PROGRESS, 1001, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_PROGRESS, -1, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_PROGRESS, INT64_MAX, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_PROGRESS, INT64_MIN, FO_ERR_INVALID_PROGRESS);
}

static void test_order_complete_rejects_other_than_quantity(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_EXECUTING);
    assert_report_rejected(&order, FO_TRANSITION_COMPLETE, 999, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_COMPLETE, 1001, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_COMPLETE, 0, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_COMPLETE, 250, FO_ERR_INVALID_PROGRESS);
}

static void test_order_fail_rejects_decrease_and_excess(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_EXECUTING);
    assert_report_rejected(&order, FO_TRANSITION_FAIL, 249, FO_ERR_INVALID_PROGRESS);
    assert_report_rejected(&order, FO_TRANSITION_FAIL, 1001, FO_ERR_INVALID_PROGRESS);
}

/* --- Illegal calls abort ------------------------------------------------------------ */

enum illegal_call { CALL_ALLOCATE, CALL_CLAIM, CALL_CANCEL_WITH_STALE_QUOTE };

/* Run the call in a child; true when the child died of SIGABRT (FO_ASSERT). */
static bool call_aborts(enum fo_state state, enum illegal_call call)
{
    fflush(NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL) {
            _exit(3);
        }
        struct fo_order order = order_in(state);
        if (call == CALL_ALLOCATE) {
            fo_order_allocate(&order, T1);
        } else if (call == CALL_CLAIM) {
            fo_order_claim(&order, T1, FIXTURE_LEASE_S);
        } else {
            struct fo_quote quote;
            memset(&quote, 0, sizeof quote);
            quote.allowed = true;
            quote.reason = FO_REASON_COOLING_OFF;
            quote.split.refund_minor = 5000;
            fo_order_cancel(&order, &quote, T1);
        }
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void test_order_illegal_transitions_abort(void **state)
{
    (void)state;
    for (size_t index = 0; index < FO_STATE_COUNT; index++) {
        enum fo_state from = all_states[index];
        assert_int_equal(call_aborts(from, CALL_ALLOCATE), from != FO_STATE_PENDING);
        assert_int_equal(call_aborts(from, CALL_CLAIM), from != FO_STATE_QUEUED);
        /* A cooling-off quote fits only pending and queued orders. */
        assert_int_equal(call_aborts(from, CALL_CANCEL_WITH_STALE_QUOTE),
                         from != FO_STATE_PENDING && from != FO_STATE_QUEUED);
    }
}

/* --- fo_split_compute --------------------------------------------------------------- */

static void test_split_compute_every_settlement_reason(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_EXECUTING); /* 250 of 1000, amount 5000. */
    const struct {
        enum fo_reason reason;
        int64_t charged_minor, fee_minor, refund_minor;
    } rows[] = {
        {FO_REASON_COOLING_OFF, 0, 0, 5000},
        {FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000},
        {FO_REASON_QUEUED_FULL_REFUND, 0, 0, 5000},
        {FO_REASON_QUEUED_WITH_FEE, 0, 150, 4850},
        {FO_REASON_EXECUTING_PRORATED, 1250, 125, 3625},
        {FO_REASON_SUPPLIER_FAILED, 1250, 0, 3750},
        {FO_REASON_SUPPLIER_TIMEOUT, 1250, 0, 3750},
    };
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        struct fo_split split;
        fo_split_compute(&order, rows[index].reason, &split);
        assert_int64_equal(split.charged_minor, rows[index].charged_minor);
        assert_int64_equal(split.fee_minor, rows[index].fee_minor);
        assert_int64_equal(split.refund_minor, rows[index].refund_minor);
    }
    order.delivered = 1000;
    struct fo_split split;
    fo_split_compute(&order, FO_REASON_COMPLETED, &split);
    assert_int64_equal(split.charged_minor, 5000);
    assert_int64_equal(split.refund_minor, 0);
}

/* --- fo_order_check ----------------------------------------------------------------- */

typedef void (*order_mutation)(struct fo_order *order);

static void mutate_no_id(struct fo_order *o)
{
    o->id[0] = '\0';
}
static void mutate_no_buyer(struct fo_order *o)
{
    o->buyer_id[0] = '\0';
}
static void mutate_no_supplier(struct fo_order *o)
{
    o->supplier_id[0] = '\0';
}
static void mutate_id_unterminated(struct fo_order *o)
{
    memset(o->service_id, 'x', sizeof o->service_id);
}
static void mutate_no_currency(struct fo_order *o)
{
    o->currency[0] = '\0';
}
static void mutate_no_target(struct fo_order *o)
{
    o->target[0] = '\0';
}
static void mutate_target_control(struct fo_order *o)
{
    o->target[1] = '\n';
}
static void mutate_target_invalid_utf8(struct fo_order *o)
{
    o->target[1] = (char)0xC0;
}
static void mutate_quantity_zero(struct fo_order *o)
{
    o->quantity = 0;
}
static void mutate_quantity_over(struct fo_order *o)
{
    o->quantity = FO_QUANTITY_MAX + 1;
}
static void mutate_delivered_negative(struct fo_order *o)
{
    o->delivered = -1;
}
static void mutate_delivered_over(struct fo_order *o)
{
    o->delivered = o->quantity + 1;
}
static void mutate_delivered_one(struct fo_order *o)
{
    o->delivered = 1;
}
static void mutate_amount(struct fo_order *o)
{
    o->amount_minor += 1;
}
static void mutate_price_zero(struct fo_order *o)
{
    o->unit_price_minor = 0;
    o->amount_minor = 0;
}
static void mutate_amount_over_cap(struct fo_order *o)
{
    o->quantity = FO_QUANTITY_MAX;
    o->unit_price_minor = 1000001;
    o->amount_minor = FO_QUANTITY_MAX * 1000001;
    o->delivered = 0;
}
static void mutate_state(struct fo_order *o)
{
    o->state = (enum fo_state)FO_STATE_COUNT;
}
static void mutate_settled(struct fo_order *o)
{
    o->settled = !o->settled;
}
static void mutate_lease(struct fo_order *o)
{
    o->lease_expires_at_unix_ms = o->state == FO_STATE_EXECUTING ? 0 : 1;
}
static void mutate_policy(struct fo_order *o)
{
    o->policy.fee_bps = FO_FEE_BPS_MAX + 1;
}
static void mutate_policy_name(struct fo_order *o)
{
    o->policy.name[0] = '\0';
}
static void mutate_settlement_reason(struct fo_order *o)
{
    o->settlement.reason = FO_REASON_PENDING_NOT_CANCELLABLE;
}
static void mutate_split_sum(struct fo_order *o)
{
    o->settlement.split.refund_minor += 1;
}
static void mutate_split_shift(struct fo_order *o)
{
    o->settlement.split.refund_minor += 1;
    o->settlement.split.charged_minor -= 1;
}

struct mutation_row {
    const char *name;
    enum fo_state state;
    order_mutation mutate;
};

static void test_order_check_catches_each_broken_invariant(void **state)
{
    (void)state;
    const struct mutation_row rows[] = {
        {"id", FO_STATE_PENDING, mutate_no_id},
        {"buyer", FO_STATE_QUEUED, mutate_no_buyer},
        {"supplier", FO_STATE_EXECUTING, mutate_no_supplier},
        {"unterminated id", FO_STATE_PENDING, mutate_id_unterminated},
        {"currency", FO_STATE_COMPLETED, mutate_no_currency},
        {"target", FO_STATE_PENDING, mutate_no_target},
        {"target control", FO_STATE_PENDING, mutate_target_control},
        {"target utf-8", FO_STATE_PENDING, mutate_target_invalid_utf8},
        {"quantity 0", FO_STATE_PENDING, mutate_quantity_zero},
        {"quantity over", FO_STATE_PENDING, mutate_quantity_over},
        {"delivered < 0", FO_STATE_EXECUTING, mutate_delivered_negative},
        {"delivered > quantity", FO_STATE_EXECUTING, mutate_delivered_over},
        {"delivered while pending", FO_STATE_PENDING, mutate_delivered_one},
        {"delivered while queued", FO_STATE_QUEUED, mutate_delivered_one},
        {"amount", FO_STATE_PENDING, mutate_amount},
        {"price 0", FO_STATE_QUEUED, mutate_price_zero},
        {"amount over cap", FO_STATE_PENDING, mutate_amount_over_cap},
        {"state", FO_STATE_PENDING, mutate_state},
        {"settled open", FO_STATE_EXECUTING, mutate_settled},
        {"settled terminal", FO_STATE_FAILED, mutate_settled},
        {"lease missing", FO_STATE_EXECUTING, mutate_lease},
        {"lease while queued", FO_STATE_QUEUED, mutate_lease},
        {"lease when terminal", FO_STATE_COMPLETED, mutate_lease},
        {"policy", FO_STATE_PENDING, mutate_policy},
        {"policy name", FO_STATE_PENDING, mutate_policy_name},
        {"reason open", FO_STATE_PENDING, mutate_settlement_reason},
        {"reason cancelled", FO_STATE_CANCELLED, mutate_settlement_reason},
        {"reason failed", FO_STATE_FAILED, mutate_settlement_reason},
        {"sum", FO_STATE_CANCELLED, mutate_split_sum},
        {"split", FO_STATE_FAILED, mutate_split_shift},
    };
    for (size_t index = 0; index < sizeof rows / sizeof rows[0]; index++) {
        struct fo_order order = order_in(rows[index].state);
        assert_null(fo_order_check(&order));
        rows[index].mutate(&order);
        const char *problem = fo_order_check(&order);
        if (problem == NULL) {
            fail_msg("fo_order_check missed: %s", rows[index].name);
        }
        assert_true(strlen(problem) > 10);
    }
}

static void test_order_check_cancelled_reasons_fit_the_state(void **state)
{
    (void)state;
    struct fo_order order = order_in(FO_STATE_CANCELLED); /* Cooling-off, delivered 0. */
    order.settlement.reason = FO_REASON_COMPLETED;
    assert_non_null(fo_order_check(&order));
    order.settlement.reason = FO_REASON_SUPPLIER_FAILED;
    assert_non_null(fo_order_check(&order));
    order.settlement.reason = FO_REASON_PENDING_FULL_REFUND;
    assert_null(fo_order_check(&order));
    /* A full-refund cancel cannot have followed a delivery. */
    order.delivered = 1;
    assert_non_null(fo_order_check(&order));

    order = order_in(FO_STATE_COMPLETED);
    order.settlement.reason = FO_REASON_EXECUTING_PRORATED;
    assert_non_null(fo_order_check(&order));
    order.settlement.reason = (enum fo_reason)FO_REASON_COUNT;
    assert_non_null(fo_order_check(&order));
}

static void test_order_check_accepts_every_state(void **state)
{
    (void)state;
    for (size_t index = 0; index < FO_STATE_COUNT; index++) {
        struct fo_order order = order_in(all_states[index]);
        assert_null(fo_order_check(&order));
    }
    struct fo_policy policy = fixture_policy();
    struct fo_order largest = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    assert_null(fo_order_check(&largest));
    /* 128 code points of three bytes each: the longest target there is. */
    memset(largest.target, 0, sizeof largest.target);
    for (int index = 0; index < FO_TARGET_CHARS_MAX; index++) {
        memcpy(largest.target + index * 3, "玩", 3);
    }
    assert_null(fo_order_check(&largest));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_transition_every_pair),
        cmocka_unit_test(test_state_name_and_parse_round_trip),
        cmocka_unit_test(test_reason_name_every_reason),
        cmocka_unit_test(test_order_allocate_pending_to_queued),
        cmocka_unit_test(test_order_claim_sets_lease),
        cmocka_unit_test(test_order_progress_renews_lease),
        cmocka_unit_test(test_order_complete_charges_everything),
        cmocka_unit_test(test_order_fail_charges_delivered_without_fee),
        cmocka_unit_test(test_order_fail_with_nothing_or_everything_delivered),
        cmocka_unit_test(test_order_reports_when_not_executing_are_job_not_active),
        cmocka_unit_test(test_order_progress_rejects_decrease_and_excess),
        cmocka_unit_test(test_order_complete_rejects_other_than_quantity),
        cmocka_unit_test(test_order_fail_rejects_decrease_and_excess),
        cmocka_unit_test(test_order_illegal_transitions_abort),
        cmocka_unit_test(test_split_compute_every_settlement_reason),
        cmocka_unit_test(test_order_check_catches_each_broken_invariant),
        cmocka_unit_test(test_order_check_cancelled_reasons_fit_the_state),
        cmocka_unit_test(test_order_check_accepts_every_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
