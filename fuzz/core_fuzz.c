/* libFuzzer driver for core operation sequences (STYLE.md §9; fuzz/README.md).
 *
 * Property under test: whatever a policy (within API.md's ranges) and whatever sequence of
 * commands one order goes through, the core keeps its promises: the order passes
 * fo_order_check after every step, every quote and settlement splits the amount exactly
 * (charged + fee + refund = amount, each >= 0) as API.md's arithmetic says, the ledger's
 * journals sum to zero and agree with the order (fo_ledger_check_order), the buyer's
 * wallet only ever loses what was charged and fees, and every plain-words text is
 * NUL-terminated valid UTF-8, whole or cut short.
 *
 * Method: the input is a little program. Its first bytes build the policy, the order and
 * the wallet (each value clamped to its range, biased to the bounds); every later byte
 * picks an operation, and the bytes after it its arguments: allocate, claim, progress,
 * complete, fail, cancel (fo_quote_cancel, then fo_order_cancel when the quote allows it),
 * clock advances (a lease that runs out fails the order as the reaper does), the buyer's
 * cancel count, top-ups of the wallet, and rendering. allocate, claim and cancel are called
 * only where fo_order_transition says they are legal (they assert legality); progress,
 * complete and fail are called in any state, because refusing is part of their contract
 * (JOB_NOT_ACTIVE, INVALID_PROGRESS, and nothing changes). Quotes and splits are checked
 * against a plain reference computation of API.md's rules in 128-bit arithmetic. A broken
 * promise is an FO_ASSERT, which aborts: libFuzzer reports it as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/assert.h"
#include "core/ledger.h"
#include "core/limits.h"
#include "core/money.h"
#include "core/order.h"
#include "core/quote.h"
#include "core/text.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* -Wpedantic warns about __int128; the reference arithmetic needs it once, here. */
__extension__ typedef unsigned __int128 fuzz_u128;

/* Operations per input: enough for every path of one order, bounded so runs stay fast. */
#define OPS_MAX 256
/* Instants stay within [0, 2100-01-01]: far from overflow, as a real clock is. */
#define NOW_UNIX_MS_MAX INT64_C(4102444800000)
#define MONEY_BYTES     32

/* --- Input -------------------------------------------------------------------------- */

struct reader {
    const uint8_t *data;
    size_t size;
    size_t offset;
};

/* The next byte; 0 once the input is used up, so every read is defined. */
static uint8_t take_byte(struct reader *reader)
{
    if (reader->offset >= reader->size) {
        return 0;
    }
    return reader->data[reader->offset++];
}

static uint64_t take_u64(struct reader *reader)
{
    uint64_t value = 0;
    for (int index = 0; index < 8; index++) {
        value = (value << 8) | take_byte(reader);
    }
    return value;
}

/* A value in [min, max], biased to the bounds and their neighbours, where bugs live. */
static int64_t take_range(struct reader *reader, int64_t min, int64_t max)
{
    FO_ASSERT(min <= max);
    FO_ASSERT(max - min < INT64_MAX);

    uint64_t span = (uint64_t)(max - min) + 1u;
    uint8_t kind = take_byte(reader);
    int64_t value = min;
    switch (kind % 6) {
    case 0:
        value = min;
        break;
    case 1:
        value = max;
        break;
    case 2:
        value = min + (int64_t)(take_byte(reader) % span);
        break;
    case 3:
        value = max - (int64_t)(take_byte(reader) % span);
        break;
    default:
        value = min + (int64_t)(take_u64(reader) % span);
        break;
    }

    FO_ASSERT(value >= min);
    FO_ASSERT(value <= max);
    return value;
}

static int64_t min_int64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* --- The world of one order ----------------------------------------------------------- */

struct world {
    struct fo_order order;
    int64_t now_unix_ms;
    int64_t cancels_in_window_count; /* The buyer's cancels in (now - 24 h, now]. */
    int64_t lease_s;                 /* The supplier's lease. */
    struct fo_order_ledger sums;     /* The order's journals, summed by account. */
    bool settle_posted;              /* The settlement journal is in sums. */
    int64_t available_minor;         /* The buyer's wallet. */
    int64_t held_minor;
    int64_t wallet_start_minor; /* available + held before the order. */
};

/* A rendered text: NUL-terminated where the writer says, nothing after, valid UTF-8. */
static void check_text(const char *buf, size_t buf_bytes, size_t written)
{
    FO_ASSERT(written < buf_bytes);
    FO_ASSERT(buf[written] == '\0');
    FO_ASSERT(strlen(buf) == written);
    FO_ASSERT(fo_utf8_valid(buf, written, NULL));
}

static void check_split_sums(const struct fo_split *split, int64_t amount_minor)
{
    FO_ASSERT(split->charged_minor >= 0);
    FO_ASSERT(split->fee_minor >= 0);
    FO_ASSERT(split->refund_minor >= 0);
    FO_ASSERT(split->charged_minor + split->fee_minor + split->refund_minor == amount_minor);
}

/* API.md, "Arithmetic", computed the plain way in 128 bits. */
static void reference_split(const struct fo_order *order, enum fo_reason reason,
                            struct fo_split *out)
{
    fuzz_u128 amount = (fuzz_u128)(uint64_t)order->amount_minor;
    int64_t charged = 0;
    if (reason == FO_REASON_COMPLETED) {
        charged = order->amount_minor;
    } else if (reason == FO_REASON_EXECUTING_PRORATED || reason == FO_REASON_SUPPLIER_FAILED ||
               reason == FO_REASON_SUPPLIER_TIMEOUT) {
        charged = (int64_t)(amount * (uint64_t)order->delivered / (uint64_t)order->quantity);
    }
    int64_t rest = order->amount_minor - charged;
    int64_t fee = 0;
    if (reason == FO_REASON_QUEUED_WITH_FEE || reason == FO_REASON_EXECUTING_PRORATED) {
        fuzz_u128 proportional =
            (fuzz_u128)(uint64_t)rest * (uint64_t)order->policy.fee_bps / FO_BPS_WHOLE;
        fee = min_int64(rest, order->policy.fee_fixed_minor + (int64_t)proportional);
    }
    out->charged_minor = charged;
    out->fee_minor = fee;
    out->refund_minor = rest - fee;
}

/* API.md, "Cancellation rules" 1-4, first match wins. */
static enum fo_reason reference_reason(const struct fo_order *order, int64_t now_unix_ms,
                                       int64_t cancels_in_window_count)
{
    const struct fo_policy *policy = &order->policy;
    switch (order->state) {
    case FO_STATE_COMPLETED:
        return FO_REASON_ALREADY_COMPLETED;
    case FO_STATE_CANCELLED:
        return FO_REASON_ALREADY_CANCELLED;
    case FO_STATE_FAILED:
        return FO_REASON_ALREADY_FAILED;
    case FO_STATE_EXECUTING:
        return policy->executing == FO_EXECUTING_PRORATED ? FO_REASON_EXECUTING_PRORATED
                                                          : FO_REASON_EXECUTING_NOT_CANCELLABLE;
    case FO_STATE_PENDING:
    case FO_STATE_QUEUED:
        break;
    }
    if (now_unix_ms - order->placed_at_unix_ms < policy->cooling_off_s * 1000 &&
        cancels_in_window_count < policy->free_cancels_per_day) {
        return FO_REASON_COOLING_OFF;
    }
    if (order->state == FO_STATE_PENDING) {
        return policy->pending == FO_PENDING_FULL_REFUND ? FO_REASON_PENDING_FULL_REFUND
                                                         : FO_REASON_PENDING_NOT_CANCELLABLE;
    }
    if (policy->queued == FO_QUEUED_FULL_REFUND) {
        return FO_REASON_QUEUED_FULL_REFUND;
    }
    return policy->queued == FO_QUEUED_FEE ? FO_REASON_QUEUED_WITH_FEE
                                           : FO_REASON_QUEUED_NOT_CANCELLABLE;
}

/* fo_quote_counts_cancels says exactly when rule 3 can apply; where it says no, the count
 * changes nothing, so callers may skip counting. */
static void check_counts_cancels(const struct world *world, const struct fo_quote *quote)
{
    const struct fo_order *order = &world->order;
    bool waiting = order->state == FO_STATE_PENDING || order->state == FO_STATE_QUEUED;
    bool in_cooling_off =
        world->now_unix_ms - order->placed_at_unix_ms < order->policy.cooling_off_s * 1000;
    bool counts = waiting && in_cooling_off && order->policy.free_cancels_per_day > 0;
    FO_ASSERT(fo_quote_counts_cancels(order, world->now_unix_ms) == counts);
    if (counts) {
        return;
    }
    struct fo_quote uncounted;
    fo_quote_cancel(order, world->now_unix_ms, 0, &uncounted);
    FO_ASSERT(memcmp(&uncounted, quote, sizeof uncounted) == 0);
}

static void check_quote(const struct world *world, const struct fo_quote *quote)
{
    const struct fo_order *order = &world->order;
    check_counts_cancels(world, quote);
    enum fo_reason reason =
        reference_reason(order, world->now_unix_ms, world->cancels_in_window_count);
    FO_ASSERT(quote->reason == reason);
    bool allowed = reason == FO_REASON_COOLING_OFF || reason == FO_REASON_PENDING_FULL_REFUND ||
                   reason == FO_REASON_QUEUED_FULL_REFUND || reason == FO_REASON_QUEUED_WITH_FEE ||
                   reason == FO_REASON_EXECUTING_PRORATED;
    FO_ASSERT(quote->allowed == allowed);
    FO_ASSERT(quote->has_rule_change == (reason == FO_REASON_COOLING_OFF));
    if (quote->has_rule_change) {
        FO_ASSERT(quote->rule_changes_at_unix_ms ==
                  order->placed_at_unix_ms + order->policy.cooling_off_s * 1000);
        FO_ASSERT(quote->rule_changes_at_unix_ms > world->now_unix_ms);
    }
    if (!allowed) {
        FO_ASSERT(quote->split.charged_minor == 0);
        FO_ASSERT(quote->split.fee_minor == 0);
        FO_ASSERT(quote->split.refund_minor == 0);
        return;
    }
    check_split_sums(&quote->split, order->amount_minor);
    struct fo_split expected;
    reference_split(order, reason, &expected);
    FO_ASSERT(memcmp(&expected, &quote->split, sizeof expected) == 0);
}

/* Post a journal: it balances, and the wallet takes it as the model says. */
static void world_post(struct world *world, const struct fo_journal *journal)
{
    FO_ASSERT(fo_journal_sum(journal) == 0);
    FO_ASSERT(fo_journal_check(journal) == NULL);
    int64_t held_delta = fo_journal_amount(journal, FO_ACCOUNT_BUYER_HELD);
    int64_t available_delta = fo_journal_amount(journal, FO_ACCOUNT_BUYER_AVAILABLE);
    world->sums.held_minor += held_delta;
    world->sums.available_minor += available_delta;
    world->sums.charged_minor += fo_journal_amount(journal, FO_ACCOUNT_PLATFORM_REVENUE);
    world->sums.fee_minor += fo_journal_amount(journal, FO_ACCOUNT_PLATFORM_FEES);

    int64_t available_minor = -1;
    int64_t held_minor = -1;
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    enum fo_err err = fo_ledger_apply_to_wallet(journal, world->available_minor, world->held_minor,
                                                &available_minor, &held_minor, &detail);
    FO_ASSERT(err == FO_OK);
    FO_ASSERT(available_minor == world->available_minor + available_delta);
    FO_ASSERT(held_minor == world->held_minor + held_delta);
    world->available_minor = available_minor;
    world->held_minor = held_minor;
}

/* After every step: the order, its ledger and the wallet all agree. */
static void world_check(struct world *world)
{
    const struct fo_order *order = &world->order;
    FO_ASSERT(fo_order_check(order) == NULL);
    if (order->settled && !world->settle_posted) {
        struct fo_journal journal;
        fo_ledger_settle(order, &journal);
        world_post(world, &journal);
        world->settle_posted = true;
    }
    FO_ASSERT(fo_ledger_check_order(order, &world->sums) == NULL);
    FO_ASSERT(world->available_minor >= 0);
    FO_ASSERT(world->held_minor >= 0);
    int64_t lost_minor = 0;
    if (order->settled) {
        const struct fo_split *split = &order->settlement.split;
        check_split_sums(split, order->amount_minor);
        struct fo_split expected;
        reference_split(order, order->settlement.reason, &expected);
        FO_ASSERT(memcmp(&expected, split, sizeof expected) == 0);
        lost_minor = split->charged_minor + split->fee_minor;
    }
    FO_ASSERT(world->available_minor + world->held_minor == world->wallet_start_minor - lost_minor);
}

static void world_policy(struct reader *reader, struct fo_policy *policy)
{
    memset(policy, 0, sizeof *policy);
    snprintf(policy->id, sizeof policy->id, "pol_fuzz");
    snprintf(policy->name, sizeof policy->name, "Fuzz policy");
    uint8_t rules = take_byte(reader);
    policy->pending = (rules & 1u) != 0 ? FO_PENDING_DENY : FO_PENDING_FULL_REFUND;
    policy->queued = (enum fo_queued_rule)(FO_QUEUED_FULL_REFUND + ((rules >> 1) & 3u) % 3);
    policy->executing = (rules & 8u) != 0 ? FO_EXECUTING_DENY : FO_EXECUTING_PRORATED;
    policy->cooling_off_s = take_range(reader, 0, FO_COOLING_OFF_S_MAX);
    policy->fee_fixed_minor = take_range(reader, 0, FO_FEE_FIXED_MINOR_MAX);
    policy->fee_bps = take_range(reader, 0, FO_FEE_BPS_MAX);
    policy->free_cancels_per_day = take_range(reader, 0, FO_FREE_CANCELS_PER_DAY_MAX);
    struct fo_err_detail detail;
    FO_ASSERT(fo_policy_validate(policy, &detail) == FO_OK);
}

/* A pending order just placed: its whole amount held from the buyer's wallet. */
static void world_init(struct world *world, struct reader *reader)
{
    memset(world, 0, sizeof *world);
    struct fo_order *order = &world->order;
    world_policy(reader, &order->policy);
    order->seq = 1;
    snprintf(order->id, sizeof order->id, "ord_fuzz");
    snprintf(order->buyer_id, sizeof order->buyer_id, "byr_fuzz");
    snprintf(order->service_id, sizeof order->service_id, "svc_fuzz");
    snprintf(order->supplier_id, sizeof order->supplier_id, "sup_fuzz");
    snprintf(order->currency, sizeof order->currency, "CNY");
    snprintf(order->target, sizeof order->target, "player-12345");
    order->quantity = take_range(reader, 1, FO_QUANTITY_MAX);
    int64_t price_max = min_int64(FO_UNIT_PRICE_MINOR_MAX, FO_AMOUNT_MINOR_MAX / order->quantity);
    order->unit_price_minor = take_range(reader, 1, price_max);
    order->amount_minor = order->quantity * order->unit_price_minor;
    order->state = FO_STATE_PENDING;
    order->placed_at_unix_ms = take_range(reader, 0, NOW_UNIX_MS_MAX / 2);
    order->updated_at_unix_ms = order->placed_at_unix_ms;
    world->now_unix_ms = order->placed_at_unix_ms;
    world->lease_s = take_range(reader, FO_LEASE_S_MIN, FO_LEASE_S_MAX);
    world->cancels_in_window_count = take_range(reader, 0, FO_FREE_CANCELS_PER_DAY_MAX + 1);
    /* The buyer could pay: available >= amount, available + held <= the balance cap. */
    world->available_minor = take_range(reader, order->amount_minor, FO_BALANCE_MINOR_MAX);
    world->held_minor = take_range(reader, 0, FO_BALANCE_MINOR_MAX - world->available_minor);
    world->wallet_start_minor = world->available_minor + world->held_minor;
    FO_ASSERT(fo_order_check(order) == NULL);

    struct fo_journal journal;
    fo_ledger_hold(order, &journal);
    world_post(world, &journal);
    world_check(world);
}

/* --- Operations ---------------------------------------------------------------------- */

static void op_allocate(struct world *world)
{
    enum fo_state to = FO_STATE_PENDING;
    if (fo_order_transition(world->order.state, FO_TRANSITION_ALLOCATE, &to)) {
        fo_order_allocate(&world->order, world->now_unix_ms);
        FO_ASSERT(world->order.state == to);
    }
}

static void op_claim(struct world *world)
{
    enum fo_state to = FO_STATE_PENDING;
    if (fo_order_transition(world->order.state, FO_TRANSITION_CLAIM, &to)) {
        fo_order_claim(&world->order, world->now_unix_ms, world->lease_s);
        FO_ASSERT(world->order.state == to);
        FO_ASSERT(world->order.lease_expires_at_unix_ms ==
                  world->now_unix_ms + world->lease_s * 1000);
    }
}

/* A delivered count to report: mostly a legal one, sometimes anything the API lets in. */
static int64_t take_delivered(struct reader *reader, const struct fo_order *order)
{
    uint8_t kind = take_byte(reader);
    if (kind % 4 == 0) {
        return take_range(reader, 0, FO_QUANTITY_MAX);
    }
    if (kind % 4 == 1) {
        return order->quantity;
    }
    return take_range(reader, order->delivered, order->quantity);
}

/* What progress, complete and fail must answer (order.h). */
static enum fo_err expected_report(const struct fo_order *order, int64_t delivered, bool complete)
{
    if (order->state != FO_STATE_EXECUTING) {
        return FO_ERR_JOB_NOT_ACTIVE;
    }
    if (delivered < order->delivered || delivered > order->quantity) {
        return FO_ERR_INVALID_PROGRESS;
    }
    if (complete && delivered != order->quantity) {
        return FO_ERR_INVALID_PROGRESS;
    }
    return FO_OK;
}

/* op 2..4: progress, complete or fail; a refusal changes nothing. */
static void op_report(struct world *world, struct reader *reader, int op)
{
    struct fo_order *order = &world->order;
    int64_t delivered = take_delivered(reader, order);
    enum fo_reason reason =
        take_byte(reader) % 2 == 0 ? FO_REASON_SUPPLIER_FAILED : FO_REASON_SUPPLIER_TIMEOUT;
    enum fo_err expected = expected_report(order, delivered, op == 3);
    struct fo_order before = *order;
    enum fo_err err = FO_OK;
    enum fo_state to_state = FO_STATE_EXECUTING;
    if (op == 2) {
        err = fo_order_progress(order, delivered, world->now_unix_ms, world->lease_s);
    } else if (op == 3) {
        err = fo_order_complete(order, delivered, world->now_unix_ms);
        to_state = FO_STATE_COMPLETED;
    } else {
        err = fo_order_fail(order, delivered, reason, world->now_unix_ms);
        to_state = FO_STATE_FAILED;
    }
    FO_ASSERT(err == expected);
    if (err != FO_OK) {
        FO_ASSERT(memcmp(&before, order, sizeof before) == 0);
        return;
    }
    FO_ASSERT(order->state == to_state);
    FO_ASSERT(order->delivered == delivered);
    FO_ASSERT(order->updated_at_unix_ms == world->now_unix_ms);
    FO_ASSERT(op != 2 ||
              order->lease_expires_at_unix_ms == world->now_unix_ms + world->lease_s * 1000);
    FO_ASSERT(op != 4 || order->settlement.reason == reason);
}

static void op_cancel(struct world *world)
{
    struct fo_order *order = &world->order;
    struct fo_quote quote;
    fo_quote_cancel(order, world->now_unix_ms, world->cancels_in_window_count, &quote);
    check_quote(world, &quote);
    if (!quote.allowed) {
        return;
    }
    enum fo_state to = FO_STATE_PENDING;
    FO_ASSERT(fo_order_transition(order->state, FO_TRANSITION_CANCEL, &to));
    fo_order_cancel(order, &quote, world->now_unix_ms);
    FO_ASSERT(order->state == to);
    FO_ASSERT(order->settlement.reason == quote.reason);
    FO_ASSERT(memcmp(&order->settlement.split, &quote.split, sizeof quote.split) == 0);
    FO_ASSERT(order->settlement.at_unix_ms == world->now_unix_ms);
    world->cancels_in_window_count++;
}

/* Move the clock forward: a little, to either side of the end of cooling-off, to the lease's
 * end, or far. A lease that has run out fails the order, as the reaper does. */
static void op_advance(struct world *world, struct reader *reader)
{
    struct fo_order *order = &world->order;
    int64_t cooling_off_end = order->placed_at_unix_ms + order->policy.cooling_off_s * 1000;
    int64_t target = world->now_unix_ms;
    switch (take_byte(reader) % 5) {
    case 0:
        target += take_range(reader, 0, 1000);
        break;
    case 1:
        target = cooling_off_end - 1 + take_range(reader, 0, 2);
        break;
    case 2:
        target = order->lease_expires_at_unix_ms - 1 + take_range(reader, 0, 2);
        break;
    case 3:
        target += take_range(reader, 0, FO_CANCEL_WINDOW_MS + 1);
        break;
    default:
        target += take_range(reader, 0, FO_CLOCK_ADVANCE_S_MAX * 1000);
        break;
    }
    if (target > world->now_unix_ms && target <= NOW_UNIX_MS_MAX) {
        world->now_unix_ms = target;
    }
    bool expired =
        order->state == FO_STATE_EXECUTING && world->now_unix_ms >= order->lease_expires_at_unix_ms;
    if (expired) {
        enum fo_err err =
            fo_order_fail(order, order->delivered, FO_REASON_SUPPLIER_TIMEOUT, world->now_unix_ms);
        FO_ASSERT(err == FO_OK);
        FO_ASSERT(order->state == FO_STATE_FAILED);
    }
}

/* The buyer's cancels in the window: around free_cancels_per_day, or anything. */
static void op_cancel_count(struct world *world, struct reader *reader)
{
    int64_t free_count = world->order.policy.free_cancels_per_day;
    uint8_t kind = take_byte(reader);
    if (kind % 2 == 0) {
        int64_t low = free_count > 0 ? free_count - 1 : 0;
        world->cancels_in_window_count = take_range(reader, low, free_count + 1);
    } else {
        world->cancels_in_window_count = take_range(reader, 0, FO_FREE_CANCELS_PER_DAY_MAX + 1);
    }
}

/* A top-up of the buyer's wallet by other money: refused exactly when available + held would
 * pass the balance cap, and then nothing changes. */
static void op_topup(struct world *world, struct reader *reader)
{
    int64_t amount_minor = take_range(reader, 1, FO_TOPUP_MINOR_MAX);
    struct fo_journal journal;
    fo_ledger_topup(amount_minor, &journal);
    FO_ASSERT(fo_journal_sum(&journal) == 0);
    FO_ASSERT(fo_journal_check(&journal) == NULL);
    FO_ASSERT(fo_journal_amount(&journal, FO_ACCOUNT_BUYER_AVAILABLE) == amount_minor);
    bool fits = world->available_minor + world->held_minor + amount_minor <= FO_BALANCE_MINOR_MAX;
    int64_t available_minor = -1;
    int64_t held_minor = -1;
    struct fo_err_detail detail;
    memset(&detail, 0, sizeof detail);
    enum fo_err err = fo_ledger_apply_to_wallet(&journal, world->available_minor, world->held_minor,
                                                &available_minor, &held_minor, &detail);
    if (!fits) {
        FO_ASSERT(err == FO_ERR_INVALID_REQUEST);
        FO_ASSERT(strcmp(detail.field, "amount_minor") == 0);
        FO_ASSERT(available_minor == -1);
        FO_ASSERT(held_minor == -1);
        return;
    }
    FO_ASSERT(err == FO_OK);
    FO_ASSERT(available_minor == world->available_minor + amount_minor);
    FO_ASSERT(held_minor == world->held_minor);
    world->available_minor = available_minor;
    world->wallet_start_minor += amount_minor;
}

static void render_money(int64_t amount_minor, size_t cut_bytes)
{
    char money[MONEY_BYTES];
    size_t written = fo_money_format(amount_minor, money, sizeof money);
    check_text(money, sizeof money, written);
    FO_ASSERT(written >= strlen("¥0.00"));
    written = fo_money_format(amount_minor, money, cut_bytes);
    check_text(money, cut_bytes, written);
}

/* Every text of the order as it stands, whole and cut to a size from the input. */
static void op_render(struct world *world, struct reader *reader)
{
    const struct fo_order *order = &world->order;
    struct fo_quote quote;
    fo_quote_cancel(order, world->now_unix_ms, world->cancels_in_window_count, &quote);
    check_quote(world, &quote);
    size_t cut_bytes = (size_t)take_range(reader, 1, FO_TEXT_BYTES);
    for (int lang = FO_LANG_EN; lang <= FO_LANG_ZH; lang++) {
        char text[FO_TEXT_BYTES];
        size_t written =
            fo_text_quote_message(order, &quote, (enum fo_lang)lang, text, sizeof text);
        check_text(text, sizeof text, written);
        FO_ASSERT(written > 0);
        written = fo_text_quote_message(order, &quote, (enum fo_lang)lang, text, cut_bytes);
        check_text(text, cut_bytes, written);
        written = fo_text_policy_summary(&order->policy, (enum fo_lang)lang, text, sizeof text);
        check_text(text, sizeof text, written);
        FO_ASSERT(written > 0);
        written = fo_text_policy_summary(&order->policy, (enum fo_lang)lang, text, cut_bytes);
        check_text(text, cut_bytes, written);
        const char *label = fo_text_state_label(order->state, (enum fo_lang)lang);
        FO_ASSERT(label != NULL);
        FO_ASSERT(fo_utf8_valid(label, strlen(label), NULL));
    }
    size_t money_cut = (size_t)take_range(reader, 1, MONEY_BYTES);
    render_money(order->amount_minor, money_cut);
    render_money(quote.split.charged_minor, money_cut);
    render_money(quote.split.fee_minor, money_cut);
    render_money(quote.split.refund_minor, money_cut);
    render_money((int64_t)take_u64(reader), money_cut);
    FO_ASSERT(fo_reason_name(quote.reason) != NULL);
}

static void world_step(struct world *world, struct reader *reader)
{
    int op = take_byte(reader) % 10;
    switch (op) {
    case 0:
        op_allocate(world);
        break;
    case 1:
        op_claim(world);
        break;
    case 2:
    case 3:
    case 4:
        op_report(world, reader, op);
        break;
    case 5:
        op_cancel(world);
        break;
    case 6:
        op_advance(world, reader);
        break;
    case 7:
        op_cancel_count(world, reader);
        break;
    case 8:
        op_render(world, reader);
        break;
    default:
        op_topup(world, reader);
        break;
    }
    world_check(world);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader reader = {data, size, 0};
    struct world world;
    world_init(&world, &reader);
    for (int step = 0; step < OPS_MAX && reader.offset < reader.size; step++) {
        world_step(&world, &reader);
    }
    op_render(&world, &reader);
    return 0;
}
