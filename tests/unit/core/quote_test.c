/* Property under test: fo_quote_cancel follows API.md's "Cancellation rules" exactly, and
 * its split follows "Arithmetic" to the fen.
 *
 * Method: (1) a table with one row per reason, per policy rule and per state, each with
 * the exact charged, fee, refund and rule_changes_at; (2) the boundaries of the
 * cooling-off period, of the free-cancel count, of quantity, amount, delivered and the fee
 * fields; (3) a seeded randomized comparison (>= 100 000 cases) against a reference
 * written separately from the rules text, with fo_order_check after every transition and
 * the ledger of every settled order checked. Replay a run with FO_SEED=N. */
#include "core_fixture.h"

#include "core/ledger.h"
#include "core/limits.h"
#include "core/quote.h"

#define MINUTE_MS      INT64_C(60000)
#define COOLING_OFF_MS (600 * INT64_C(1000))

enum rule_variant {
    VARIANT_STANDARD, /* pending full_refund, queued fee, executing prorated. */
    VARIANT_DENY_ALL, /* pending deny, queued deny, executing deny. */
    VARIANT_QUEUED_FULL_REFUND,
};

struct quote_row {
    const char *name;
    enum rule_variant variant;
    enum fo_state state;
    int64_t delivered;
    int64_t elapsed_ms; /* now - placed_at. */
    int64_t cancels_count;
    bool allowed;
    enum fo_reason reason;
    int64_t charged_minor;
    int64_t fee_minor;
    int64_t refund_minor;
    int64_t rule_changes_at_unix_ms; /* 0: no rule change. */
};

/* Amount 5000 (1000 units at 5), fee 50 + 200 bps, cooling-off 600 s, 5 free cancels. */
static const struct quote_row quote_rows[] = {
    {"pending in cooling-off", VARIANT_STANDARD, FO_STATE_PENDING, 0, 1000, 0, true,
     FO_REASON_COOLING_OFF, 0, 0, 5000, FIXTURE_T0_UNIX_MS + COOLING_OFF_MS},
    {"queued in cooling-off", VARIANT_STANDARD, FO_STATE_QUEUED, 0, 1000, 4, true,
     FO_REASON_COOLING_OFF, 0, 0, 5000, FIXTURE_T0_UNIX_MS + COOLING_OFF_MS},
    {"deny policy, pending in cooling-off", VARIANT_DENY_ALL, FO_STATE_PENDING, 0, 1000, 0, true,
     FO_REASON_COOLING_OFF, 0, 0, 5000, FIXTURE_T0_UNIX_MS + COOLING_OFF_MS},
    {"deny policy, queued in cooling-off", VARIANT_DENY_ALL, FO_STATE_QUEUED, 0, 1000, 0, true,
     FO_REASON_COOLING_OFF, 0, 0, 5000, FIXTURE_T0_UNIX_MS + COOLING_OFF_MS},
    {"pending full_refund", VARIANT_STANDARD, FO_STATE_PENDING, 0, 11 * MINUTE_MS, 0, true,
     FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000, 0},
    {"pending deny", VARIANT_DENY_ALL, FO_STATE_PENDING, 0, 11 * MINUTE_MS, 0, false,
     FO_REASON_PENDING_NOT_CANCELLABLE, 0, 0, 0, 0},
    {"queued full_refund", VARIANT_QUEUED_FULL_REFUND, FO_STATE_QUEUED, 0, 11 * MINUTE_MS, 0, true,
     FO_REASON_QUEUED_FULL_REFUND, 0, 0, 5000, 0},
    {"queued fee", VARIANT_STANDARD, FO_STATE_QUEUED, 0, 11 * MINUTE_MS, 0, true,
     FO_REASON_QUEUED_WITH_FEE, 0, 150, 4850, 0},
    {"queued deny", VARIANT_DENY_ALL, FO_STATE_QUEUED, 0, 11 * MINUTE_MS, 0, false,
     FO_REASON_QUEUED_NOT_CANCELLABLE, 0, 0, 0, 0},
    {"pending, free cancels used up", VARIANT_STANDARD, FO_STATE_PENDING, 0, 1000, 5, true,
     FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000, 0},
    {"queued, free cancels used up", VARIANT_STANDARD, FO_STATE_QUEUED, 0, 1000, 5, true,
     FO_REASON_QUEUED_WITH_FEE, 0, 150, 4850, 0},
    {"deny, pending, free cancels used up", VARIANT_DENY_ALL, FO_STATE_PENDING, 0, 1000, 6, false,
     FO_REASON_PENDING_NOT_CANCELLABLE, 0, 0, 0, 0},
    {"executing prorated, in cooling-off", VARIANT_STANDARD, FO_STATE_EXECUTING, 250, 1000, 0, true,
     FO_REASON_EXECUTING_PRORATED, 1250, 125, 3625, 0},
    {"executing prorated, nothing delivered", VARIANT_STANDARD, FO_STATE_EXECUTING, 0,
     11 * MINUTE_MS, 0, true, FO_REASON_EXECUTING_PRORATED, 0, 150, 4850, 0},
    {"executing prorated, all delivered", VARIANT_STANDARD, FO_STATE_EXECUTING, 1000,
     11 * MINUTE_MS, 0, true, FO_REASON_EXECUTING_PRORATED, 5000, 0, 0, 0},
    {"executing deny", VARIANT_DENY_ALL, FO_STATE_EXECUTING, 250, 1000, 0, false,
     FO_REASON_EXECUTING_NOT_CANCELLABLE, 0, 0, 0, 0},
    {"completed", VARIANT_STANDARD, FO_STATE_COMPLETED, 1000, 1000, 0, false,
     FO_REASON_ALREADY_COMPLETED, 0, 0, 0, 0},
    {"cancelled", VARIANT_STANDARD, FO_STATE_CANCELLED, 0, 1000, 0, false,
     FO_REASON_ALREADY_CANCELLED, 0, 0, 0, 0},
    {"failed", VARIANT_STANDARD, FO_STATE_FAILED, 250, 1000, 0, false, FO_REASON_ALREADY_FAILED, 0,
     0, 0, 0},
    {"completed, deny policy", VARIANT_DENY_ALL, FO_STATE_COMPLETED, 1000, 1000, 0, false,
     FO_REASON_ALREADY_COMPLETED, 0, 0, 0, 0},
    {"failed, deny policy", VARIANT_DENY_ALL, FO_STATE_FAILED, 0, 1000, 0, false,
     FO_REASON_ALREADY_FAILED, 0, 0, 0, 0},
};

static struct fo_policy variant_policy(enum rule_variant variant)
{
    struct fo_policy policy = fixture_policy();
    if (variant == VARIANT_DENY_ALL) {
        policy.pending = FO_PENDING_DENY;
        policy.queued = FO_QUEUED_DENY;
        policy.executing = FO_EXECUTING_DENY;
    } else if (variant == VARIANT_QUEUED_FULL_REFUND) {
        policy.queued = FO_QUEUED_FULL_REFUND;
    }
    return policy;
}

static void assert_quote(const struct fo_quote *quote, bool allowed, enum fo_reason reason,
                         int64_t charged_minor, int64_t fee_minor, int64_t refund_minor)
{
    assert_int_equal(quote->allowed, allowed);
    assert_string_equal(fo_reason_name(quote->reason), fo_reason_name(reason));
    assert_int64_equal(quote->split.charged_minor, charged_minor);
    assert_int64_equal(quote->split.fee_minor, fee_minor);
    assert_int64_equal(quote->split.refund_minor, refund_minor);
}

static void test_quote_cancel_table_rows(void **state)
{
    (void)state;
    for (size_t index = 0; index < sizeof quote_rows / sizeof quote_rows[0]; index++) {
        const struct quote_row *row = &quote_rows[index];
        print_message("row: %s\n", row->name);
        struct fo_policy policy = variant_policy(row->variant);
        struct fo_order order = fixture_order(1000, 5, &policy);
        fixture_walk(&order, row->state, row->delivered, FIXTURE_T0_UNIX_MS);
        struct fo_quote quote;
        fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + row->elapsed_ms, row->cancels_count, &quote);
        assert_quote(&quote, row->allowed, row->reason, row->charged_minor, row->fee_minor,
                     row->refund_minor);
        assert_int_equal(quote.has_rule_change, row->rule_changes_at_unix_ms != 0);
        assert_int64_equal(quote.rule_changes_at_unix_ms, row->rule_changes_at_unix_ms);
    }
}

static void test_quote_cancel_cooling_off_boundary_in_seconds(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote;

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + (600 - 1) * 1000, 0, &quote);
    assert_quote(&quote, true, FO_REASON_COOLING_OFF, 0, 0, 5000);
    assert_true(quote.has_rule_change);
    assert_int64_equal(quote.rule_changes_at_unix_ms, FIXTURE_T0_UNIX_MS + 600000);

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 600 * 1000 - 1, 0, &quote);
    assert_quote(&quote, true, FO_REASON_COOLING_OFF, 0, 0, 5000);

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 600 * 1000, 0, &quote);
    assert_quote(&quote, true, FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000);
    assert_false(quote.has_rule_change);
    assert_int64_equal(quote.rule_changes_at_unix_ms, 0);
}

static void test_quote_cancel_cooling_off_boundary_when_queued(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS + 5);
    struct fo_quote quote;

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 600 * 1000 - 1, 0, &quote);
    assert_quote(&quote, true, FO_REASON_COOLING_OFF, 0, 0, 5000);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 600 * 1000, 0, &quote);
    assert_quote(&quote, true, FO_REASON_QUEUED_WITH_FEE, 0, 150, 4850);
}

static void test_quote_cancel_free_cancels_count_boundary(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote;

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS, 4, &quote);
    assert_quote(&quote, true, FO_REASON_COOLING_OFF, 0, 0, 5000);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS, 5, &quote);
    assert_quote(&quote, true, FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000);
    assert_false(quote.has_rule_change);

    policy.free_cancels_per_day = FO_FREE_CANCELS_PER_DAY_MAX;
    order = fixture_order(1000, 5, &policy);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS, FO_FREE_CANCELS_PER_DAY_MAX - 1, &quote);
    assert_int_equal(quote.reason, FO_REASON_COOLING_OFF);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS, FO_FREE_CANCELS_PER_DAY_MAX, &quote);
    assert_int_equal(quote.reason, FO_REASON_PENDING_FULL_REFUND);
}

static void test_quote_cancel_zero_cooling_off_never_cools_off(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.cooling_off_s = 0;
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote;

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS, 0, &quote);
    assert_quote(&quote, true, FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000);
    assert_false(quote.has_rule_change);
}

static void test_quote_cancel_zero_free_cancels_never_cools_off(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.free_cancels_per_day = 0;
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote;

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS, 0, &quote);
    assert_quote(&quote, true, FO_REASON_PENDING_FULL_REFUND, 0, 0, 5000);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS, 0, &quote);
    assert_quote(&quote, true, FO_REASON_QUEUED_WITH_FEE, 0, 150, 4850);
}

static void test_quote_cancel_longest_cooling_off(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.cooling_off_s = FO_COOLING_OFF_S_MAX;
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote;

    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + FO_COOLING_OFF_S_MAX * 1000 - 1, 0, &quote);
    assert_int_equal(quote.reason, FO_REASON_COOLING_OFF);
    assert_int64_equal(quote.rule_changes_at_unix_ms, FIXTURE_T0_UNIX_MS + 86400000);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + FO_COOLING_OFF_S_MAX * 1000, 0, &quote);
    assert_int_equal(quote.reason, FO_REASON_PENDING_FULL_REFUND);
}

static void test_quote_window_start_unix_ms_is_24_hours_before(void **state)
{
    (void)state;
    assert_int64_equal(fo_quote_window_start_unix_ms(FIXTURE_T0_UNIX_MS),
                       FIXTURE_T0_UNIX_MS - 86400000);
    assert_int64_equal(fo_quote_window_start_unix_ms(86400000), 0);
}

/* --- Split boundaries --------------------------------------------------------------- */

static struct fo_quote quote_executing(struct fo_order *order, int64_t delivered)
{
    fixture_walk(order, FO_STATE_EXECUTING, delivered, FIXTURE_T0_UNIX_MS);
    struct fo_quote quote;
    fo_quote_cancel(order, FIXTURE_T0_UNIX_MS + 11 * MINUTE_MS, 0, &quote);
    assert_int_equal(quote.reason, FO_REASON_EXECUTING_PRORATED);
    return quote;
}

static void test_quote_cancel_quantity_one(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1, FO_UNIT_PRICE_MINOR_MAX, &policy);
    struct fo_quote quote = quote_executing(&order, 0);
    /* rest 10^9: fee 50 + 2 * 10^7. */
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 0, 20000050, 979999950);

    order = fixture_order(1, FO_UNIT_PRICE_MINOR_MAX, &policy);
    quote = quote_executing(&order, 1);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 1000000000, 0, 0);
}

static void test_quote_cancel_largest_order(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    /* 10^9 units at 10^6: amount 10^15, the cap. */
    struct fo_order order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    assert_int64_equal(order.amount_minor, FO_AMOUNT_MINOR_MAX);

    struct fo_quote quote = quote_executing(&order, 1);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 1000000, 19999999980050,
                 979999999019950);

    order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    quote = quote_executing(&order, FO_QUANTITY_MAX - 1);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 999999999000000, 20050, 979950);

    order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    quote = quote_executing(&order, FO_QUANTITY_MAX);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, FO_AMOUNT_MINOR_MAX, 0, 0);

    order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    quote = quote_executing(&order, 0);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 0, 20000000000050, 979999999999950);
}

static void test_quote_cancel_rounds_charged_and_fee_down(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.fee_fixed_minor = 1;
    policy.fee_bps = 333;
    /* 7 units at 142 = 994; 3 delivered: charged floor(2982 / 7) = 426, rest 568,
     * fee 1 + floor(568 * 333 / 10000) = 1 + 18 = 19, refund 549. */
    struct fo_order order = fixture_order(7, 142, &policy);
    struct fo_quote quote = quote_executing(&order, 3);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 426, 19, 549);
}

static void test_quote_cancel_fee_capped_at_rest(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.fee_fixed_minor = FO_FEE_FIXED_MINOR_MAX;
    struct fo_order order = fixture_order(1000, 5, &policy);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    struct fo_quote quote;
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 11 * MINUTE_MS, 0, &quote);
    assert_quote(&quote, true, FO_REASON_QUEUED_WITH_FEE, 0, 5000, 0);

    order = fixture_order(1000, 5, &policy);
    quote = quote_executing(&order, 999);
    /* charged floor(5000 * 999 / 1000) = 4995; rest 5 is all fee. */
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 4995, 5, 0);
}

static void test_quote_cancel_fee_bps_bounds(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.fee_fixed_minor = 0;
    policy.fee_bps = 0;
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote = quote_executing(&order, 250);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 1250, 0, 3750);

    policy.fee_bps = FO_FEE_BPS_MAX;
    order = fixture_order(1000, 5, &policy);
    quote = quote_executing(&order, 250);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 1250, 3750, 0);

    policy.fee_bps = 1;
    order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    quote = quote_executing(&order, 0);
    assert_quote(&quote, true, FO_REASON_EXECUTING_PRORATED, 0, 100000000000, 999900000000000);
}

static void test_quote_cancel_fee_fixed_bounds(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    policy.fee_bps = 0;
    policy.fee_fixed_minor = 0;
    struct fo_order order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    struct fo_quote quote;
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 11 * MINUTE_MS, 0, &quote);
    assert_quote(&quote, true, FO_REASON_QUEUED_WITH_FEE, 0, 0, FO_AMOUNT_MINOR_MAX);

    policy.fee_fixed_minor = FO_FEE_FIXED_MINOR_MAX;
    policy.fee_bps = FO_FEE_BPS_MAX;
    order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 11 * MINUTE_MS, 0, &quote);
    assert_quote(&quote, true, FO_REASON_QUEUED_WITH_FEE, 0, FO_AMOUNT_MINOR_MAX, 0);

    policy.fee_bps = 0;
    order = fixture_order(FO_QUANTITY_MAX, 1000000, &policy);
    fixture_walk(&order, FO_STATE_QUEUED, 0, FIXTURE_T0_UNIX_MS);
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 11 * MINUTE_MS, 0, &quote);
    assert_quote(&quote, true, FO_REASON_QUEUED_WITH_FEE, 0, FO_FEE_FIXED_MINOR_MAX,
                 FO_AMOUNT_MINOR_MAX - FO_FEE_FIXED_MINOR_MAX);
}

/* --- fo_order_cancel ---------------------------------------------------------------- */

static void test_order_cancel_settles_by_the_quote(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote = quote_executing(&order, 250);
    int64_t now = FIXTURE_T0_UNIX_MS + 11 * MINUTE_MS;

    fo_order_cancel(&order, &quote, now);
    assert_null(fo_order_check(&order));
    assert_int_equal(order.state, FO_STATE_CANCELLED);
    assert_true(order.settled);
    assert_int_equal(order.settlement.reason, FO_REASON_EXECUTING_PRORATED);
    assert_int64_equal(order.settlement.split.charged_minor, 1250);
    assert_int64_equal(order.settlement.split.fee_minor, 125);
    assert_int64_equal(order.settlement.split.refund_minor, 3625);
    assert_int64_equal(order.settlement.at_unix_ms, now);
    assert_int64_equal(order.updated_at_unix_ms, now);
    assert_int64_equal(order.lease_expires_at_unix_ms, 0);
    assert_int_equal(order.delivered, 250);

    fo_quote_cancel(&order, now + 1, 0, &quote);
    assert_quote(&quote, false, FO_REASON_ALREADY_CANCELLED, 0, 0, 0);
}

static void test_order_cancel_in_cooling_off_refunds_all(void **state)
{
    (void)state;
    struct fo_policy policy = fixture_policy();
    struct fo_order order = fixture_order(1000, 5, &policy);
    struct fo_quote quote;
    fo_quote_cancel(&order, FIXTURE_T0_UNIX_MS + 1, 0, &quote);
    fo_order_cancel(&order, &quote, FIXTURE_T0_UNIX_MS + 1);

    assert_null(fo_order_check(&order));
    assert_int_equal(order.settlement.reason, FO_REASON_COOLING_OFF);
    assert_int64_equal(order.settlement.split.refund_minor, 5000);
}

/* --- Randomized comparison with a reference ----------------------------------------- */

/* floor(a * b / c) for a, b, c > 0 without 128-bit arithmetic: a = q * c + r, so
 * a * b / c = q * b + r * b / c, and r * b < c * b stays in int64 for our bounds. */
static int64_t reference_mul_div(int64_t a, int64_t b, int64_t c)
{
    int64_t whole = a / c;
    int64_t remainder = a % c;
    assert_true(remainder == 0 || b <= INT64_MAX / remainder);
    return whole * b + remainder * b / c;
}

struct reference {
    bool allowed;
    enum fo_reason reason;
    int64_t charged_minor, fee_minor, refund_minor;
};

/* The rules as a buyer would read them, written without looking at quote.c. */
static struct reference reference_quote(const struct fo_order *order, int64_t now_unix_ms,
                                        int64_t cancels_count)
{
    const struct fo_policy *p = &order->policy;
    struct reference r = {false, FO_REASON_NONE, 0, 0, 0};
    bool cooling = (now_unix_ms - order->placed_at_unix_ms) < p->cooling_off_s * 1000 &&
                   cancels_count < p->free_cancels_per_day;
    if (order->state == FO_STATE_COMPLETED) {
        r.reason = FO_REASON_ALREADY_COMPLETED;
    } else if (order->state == FO_STATE_CANCELLED) {
        r.reason = FO_REASON_ALREADY_CANCELLED;
    } else if (order->state == FO_STATE_FAILED) {
        r.reason = FO_REASON_ALREADY_FAILED;
    } else if (order->state == FO_STATE_EXECUTING) {
        r.reason = p->executing == FO_EXECUTING_PRORATED ? FO_REASON_EXECUTING_PRORATED
                                                         : FO_REASON_EXECUTING_NOT_CANCELLABLE;
    } else if (cooling) {
        r.reason = FO_REASON_COOLING_OFF;
    } else if (order->state == FO_STATE_PENDING) {
        r.reason = p->pending == FO_PENDING_DENY ? FO_REASON_PENDING_NOT_CANCELLABLE
                                                 : FO_REASON_PENDING_FULL_REFUND;
    } else if (p->queued == FO_QUEUED_DENY) {
        r.reason = FO_REASON_QUEUED_NOT_CANCELLABLE;
    } else {
        r.reason =
            p->queued == FO_QUEUED_FEE ? FO_REASON_QUEUED_WITH_FEE : FO_REASON_QUEUED_FULL_REFUND;
    }
    r.allowed = r.reason == FO_REASON_COOLING_OFF || r.reason == FO_REASON_PENDING_FULL_REFUND ||
                r.reason == FO_REASON_QUEUED_FULL_REFUND || r.reason == FO_REASON_QUEUED_WITH_FEE ||
                r.reason == FO_REASON_EXECUTING_PRORATED;
    if (!r.allowed) {
        return r;
    }
    if (r.reason == FO_REASON_EXECUTING_PRORATED && order->delivered > 0) {
        r.charged_minor = reference_mul_div(order->amount_minor, order->delivered, order->quantity);
    }
    int64_t rest = order->amount_minor - r.charged_minor;
    if (r.reason == FO_REASON_EXECUTING_PRORATED || r.reason == FO_REASON_QUEUED_WITH_FEE) {
        int64_t proportional = p->fee_bps == 0 ? 0 : reference_mul_div(rest, p->fee_bps, 10000);
        r.fee_minor = p->fee_fixed_minor + proportional;
        if (r.fee_minor > rest) {
            r.fee_minor = rest;
        }
    }
    r.refund_minor = rest - r.fee_minor;
    return r;
}

/* Values that favour the edges: the bounds, one inside them, and anything between. */
static int64_t random_edgy(uint64_t *seed, int64_t low, int64_t high)
{
    switch (fo_test_random_range(seed, 0, 7)) {
    case 0:
        return low;
    case 1:
        return high;
    case 2:
        return low + 1 <= high ? low + 1 : high;
    case 3:
        return high - 1 >= low ? high - 1 : low;
    case 4:
        return fo_test_random_range(seed, low, low + 100 <= high ? low + 100 : high);
    default:
        return fo_test_random_range(seed, low, high);
    }
}

static struct fo_policy random_policy(uint64_t *seed)
{
    struct fo_policy policy = fixture_policy();
    policy.cooling_off_s = random_edgy(seed, 0, FO_COOLING_OFF_S_MAX);
    policy.pending = (enum fo_pending_rule)fo_test_random_range(seed, 1, 2);
    policy.queued = (enum fo_queued_rule)fo_test_random_range(seed, 1, 3);
    policy.executing = (enum fo_executing_rule)fo_test_random_range(seed, 1, 2);
    policy.fee_fixed_minor = random_edgy(seed, 0, FO_FEE_FIXED_MINOR_MAX);
    if (fo_test_random_range(seed, 0, 1) == 0) {
        policy.fee_fixed_minor %= 1000;
    }
    policy.fee_bps = random_edgy(seed, 0, FO_FEE_BPS_MAX);
    policy.free_cancels_per_day = random_edgy(seed, 0, 10);
    return policy;
}

static struct fo_order random_order(uint64_t *seed, const struct fo_policy *policy)
{
    int64_t quantity = random_edgy(seed, 1, FO_QUANTITY_MAX);
    if (fo_test_random_range(seed, 0, 2) == 0) {
        quantity = fo_test_random_range(seed, 1, 1000);
    }
    int64_t price_max = FO_AMOUNT_MINOR_MAX / quantity;
    if (price_max > FO_UNIT_PRICE_MINOR_MAX) {
        price_max = FO_UNIT_PRICE_MINOR_MAX;
    }
    int64_t unit_price_minor = random_edgy(seed, 1, price_max);
    return fixture_order(quantity, unit_price_minor, policy);
}

/* Check one quote against the reference and the money invariants. */
static void check_quote(const struct fo_order *order, int64_t now, int64_t cancels_count,
                        struct fo_quote *out)
{
    fo_quote_cancel(order, now, cancels_count, out);
    struct reference expected = reference_quote(order, now, cancels_count);
    assert_int_equal(out->allowed, expected.allowed);
    assert_int_equal(out->reason, expected.reason);
    assert_int64_equal(out->split.charged_minor, expected.charged_minor);
    assert_int64_equal(out->split.fee_minor, expected.fee_minor);
    assert_int64_equal(out->split.refund_minor, expected.refund_minor);
    assert_true(out->split.refund_minor >= 0);
    if (out->allowed) {
        assert_int64_equal(out->split.charged_minor + out->split.fee_minor +
                               out->split.refund_minor,
                           order->amount_minor);
    }
    assert_int_equal(out->has_rule_change, expected.reason == FO_REASON_COOLING_OFF);
}

/* The ledger of an order (hold, then settle when terminal) agrees with it. */
static void check_ledger(const struct fo_order *order)
{
    struct fo_journal hold;
    fo_ledger_hold(order, &hold);
    struct fo_order_ledger sums = {
        .held_minor = fo_journal_amount(&hold, FO_ACCOUNT_BUYER_HELD),
        .available_minor = fo_journal_amount(&hold, FO_ACCOUNT_BUYER_AVAILABLE),
    };
    if (order->settled) {
        struct fo_journal settle;
        fo_ledger_settle(order, &settle);
        assert_null(fo_journal_check(&settle));
        sums.held_minor += fo_journal_amount(&settle, FO_ACCOUNT_BUYER_HELD);
        sums.available_minor += fo_journal_amount(&settle, FO_ACCOUNT_BUYER_AVAILABLE);
        sums.charged_minor = fo_journal_amount(&settle, FO_ACCOUNT_PLATFORM_REVENUE);
        sums.fee_minor = fo_journal_amount(&settle, FO_ACCOUNT_PLATFORM_FEES);
    }
    assert_null(fo_ledger_check_order(order, &sums));
}

/* One random life: walk to a random state through random steps, quoting at each. */
static void random_case(uint64_t *seed)
{
    struct fo_policy policy = random_policy(seed);
    struct fo_order order = random_order(seed, &policy);
    int64_t now = FIXTURE_T0_UNIX_MS;
    int64_t steps = fo_test_random_range(seed, 0, 4);
    struct fo_quote quote;
    for (int64_t step = 0; step <= steps && !order.settled; step++) {
        int64_t cooling_ms = policy.cooling_off_s * 1000;
        now = FIXTURE_T0_UNIX_MS + random_edgy(seed, 0, cooling_ms + 2000);
        if (fo_test_random_range(seed, 0, 3) == 0) {
            now = FIXTURE_T0_UNIX_MS + cooling_ms - fo_test_random_range(seed, -1, 1);
        }
        int64_t count = random_edgy(seed, 0, policy.free_cancels_per_day + 1);
        check_quote(&order, now, count, &quote);
        check_ledger(&order);
        int64_t action = fo_test_random_range(seed, 0, 5);
        if (action == 0 && quote.allowed) {
            fo_order_cancel(&order, &quote, now);
        } else if (order.state == FO_STATE_PENDING) {
            fo_order_allocate(&order, now);
        } else if (order.state == FO_STATE_QUEUED) {
            fo_order_claim(&order, now, FIXTURE_LEASE_S);
        } else if (action == 1) {
            assert_int_equal(fo_order_complete(&order, order.quantity, now), FO_OK);
        } else if (action == 2) {
            enum fo_reason reason = fo_test_random_range(seed, 0, 1) == 0
                                        ? FO_REASON_SUPPLIER_FAILED
                                        : FO_REASON_SUPPLIER_TIMEOUT;
            int64_t delivered = random_edgy(seed, order.delivered, order.quantity);
            assert_int_equal(fo_order_fail(&order, delivered, reason, now), FO_OK);
        } else {
            int64_t delivered = random_edgy(seed, order.delivered, order.quantity);
            assert_int_equal(fo_order_progress(&order, delivered, now, FIXTURE_LEASE_S), FO_OK);
        }
        assert_null(fo_order_check(&order));
    }
    check_quote(&order, now, 0, &quote);
    check_ledger(&order);
    if (order.settled) {
        const struct fo_split *split = &order.settlement.split;
        assert_int64_equal(split->charged_minor + split->fee_minor + split->refund_minor,
                           order.amount_minor);
    }
}

static void test_quote_cancel_matches_reference_randomized(void **state)
{
    (void)state;
    uint64_t seed = fo_test_seed("test_quote_cancel_matches_reference_randomized");
    for (int index = 0; index < 100000; index++) {
        random_case(&seed);
    }
}

/* fo_quote_counts_cancels may let callers skip counting: wherever it says the count does
 * not matter, every count gives the same quote; where it says it matters, it does. */
static void test_quote_counts_cancels_only_when_the_count_can_matter(void **state)
{
    (void)state;
    uint64_t random = fo_test_seed("quote_counts_cancels");
    static const enum fo_state states[] = {FO_STATE_PENDING, FO_STATE_QUEUED, FO_STATE_EXECUTING,
                                           FO_STATE_CANCELLED};
    for (int round = 0; round < 20000; round++) {
        struct fo_policy policy = fixture_policy();
        policy.cooling_off_s = fo_test_random_range(&random, 0, 3);
        policy.free_cancels_per_day = fo_test_random_range(&random, 0, 3);
        struct fo_order order = fixture_order(1000, 5, &policy);
        enum fo_state target = states[fo_test_random_range(&random, 0, 3)];
        fixture_walk(&order, target, target == FO_STATE_EXECUTING ? 10 : 0, FIXTURE_T0_UNIX_MS);
        int64_t now = FIXTURE_T0_UNIX_MS + fo_test_random_range(&random, 0, 4000);
        struct fo_quote none;
        struct fo_quote many;
        fo_quote_cancel(&order, now, 0, &none);
        fo_quote_cancel(&order, now, 1000, &many);
        bool same = none.allowed == many.allowed && none.reason == many.reason &&
                    none.split.refund_minor == many.split.refund_minor &&
                    none.has_rule_change == many.has_rule_change;
        assert_true(same == !fo_quote_counts_cancels(&order, now));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_cancel_table_rows),
        cmocka_unit_test(test_quote_counts_cancels_only_when_the_count_can_matter),
        cmocka_unit_test(test_quote_cancel_cooling_off_boundary_in_seconds),
        cmocka_unit_test(test_quote_cancel_cooling_off_boundary_when_queued),
        cmocka_unit_test(test_quote_cancel_free_cancels_count_boundary),
        cmocka_unit_test(test_quote_cancel_zero_cooling_off_never_cools_off),
        cmocka_unit_test(test_quote_cancel_zero_free_cancels_never_cools_off),
        cmocka_unit_test(test_quote_cancel_longest_cooling_off),
        cmocka_unit_test(test_quote_window_start_unix_ms_is_24_hours_before),
        cmocka_unit_test(test_quote_cancel_quantity_one),
        cmocka_unit_test(test_quote_cancel_largest_order),
        cmocka_unit_test(test_quote_cancel_rounds_charged_and_fee_down),
        cmocka_unit_test(test_quote_cancel_fee_capped_at_rest),
        cmocka_unit_test(test_quote_cancel_fee_bps_bounds),
        cmocka_unit_test(test_quote_cancel_fee_fixed_bounds),
        cmocka_unit_test(test_order_cancel_settles_by_the_quote),
        cmocka_unit_test(test_order_cancel_in_cooling_off_refunds_all),
        cmocka_unit_test(test_quote_cancel_matches_reference_randomized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
