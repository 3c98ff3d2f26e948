/* Queries and verification: order views apply ownership and carry the live quote; lists
 * page newest first across the store's pages; fo_query_verify reports ok after a full
 * lifecycle scenario and names the buyer whose balance was corrupted.
 *
 * Method: a real SQLite store per test (fixture.h). */
#include "fixture.h"

#include "commands/write.h"
#include "core/ledger.h"

static void test_query_order_applies_ownership_and_quotes(void **state)
{
    struct fixture *fx = *state;
    struct fo_order_view placed = fx_place(fx, 1000);
    struct fo_order_view view;
    assert_int_equal(fo_query_order(fx->store, fx->now, fx->other_buyer.id, placed.order.id, &view),
                     FO_ERR_NOT_FOUND);
    assert_int_equal(fo_query_order(fx->store, fx->now, fx->buyer.id, "ord_missing", &view),
                     FO_ERR_NOT_FOUND);
    assert_int_equal(fo_query_order(fx->store, fx->now, NULL, placed.order.id, &view), FO_OK);
    assert_string_equal(view.order.id, placed.order.id);
    assert_int_equal(fo_query_order(fx->store, fx->now, fx->buyer.id, placed.order.id, &view),
                     FO_OK);
    assert_int_equal(view.quote.reason, FO_REASON_COOLING_OFF);
    assert_int64_equal(view.quote.split.refund_minor, 5000);
    /* The quote is at the asked time: after cooling-off the fee applies. */
    assert_int_equal(
        fo_query_order(fx->store, fx->now + 600 * 1000, fx->buyer.id, placed.order.id, &view),
        FO_OK);
    assert_int_equal(view.quote.reason, FO_REASON_QUEUED_WITH_FEE);
    assert_int64_equal(view.quote.split.fee_minor, 150);
    assert_int64_equal(view.quote.split.refund_minor, 4850);
    assert_false(view.quote.has_rule_change);
}

static void test_query_orders_pages_newest_first(void **state)
{
    struct fixture *fx = *state;
    enum { ORDERS = 37 };
    char ids[ORDERS][FO_ID_BYTES];
    for (size_t index = 0; index < ORDERS; index++) {
        fx->now += 1;
        struct fo_order_view view = fx_place(fx, 10 + (int64_t)index);
        memcpy(ids[index], view.order.id, FO_ID_BYTES);
    }
    struct fo_order_view *views = calloc(ORDERS + 5, sizeof *views);
    assert_non_null(views);
    struct fo_order_filter filter = {.buyer_id = fx->buyer.id};
    size_t count = 0;
    assert_int_equal(fo_query_orders(fx->store, fx->now, &filter, views, ORDERS + 5, &count),
                     FO_OK);
    assert_int_equal(count, ORDERS);
    for (size_t index = 0; index < ORDERS; index++) {
        assert_string_equal(views[index].order.id, ids[ORDERS - 1 - index]);
        assert_true(views[index].quote.allowed);
    }
    /* A limit, then the next page from its cursor. */
    assert_int_equal(fo_query_orders(fx->store, fx->now, &filter, views, 20, &count), FO_OK);
    assert_int_equal(count, 20);
    filter.before_seq = views[19].order.seq;
    assert_int_equal(fo_query_orders(fx->store, fx->now, &filter, views, 20, &count), FO_OK);
    assert_int_equal(count, ORDERS - 20);
    assert_string_equal(views[0].order.id, ids[ORDERS - 21]);
    /* By state: two queued (capacity), the rest pending. */
    struct fo_order_filter queued = {.has_state = true, .state = FO_STATE_QUEUED};
    assert_int_equal(fo_query_orders(fx->store, fx->now, &queued, views, ORDERS, &count), FO_OK);
    assert_int_equal(count, FX_CAPACITY);
    struct fo_order_filter other = {.buyer_id = fx->other_buyer.id};
    assert_int_equal(fo_query_orders(fx->store, fx->now, &other, views, ORDERS, &count), FO_OK);
    assert_int_equal(count, 0);
    free(views);
}

/* A lifecycle touching every command: place, allocate, claim, progress, complete, fail,
 * cancel in each state, lease expiry, top-ups. */
static void run_scenario(struct fixture *fx)
{
    struct fo_order_view view;
    struct fo_quote quote;
    struct fo_order_view a = fx_place(fx, 1000);
    struct fo_order_view b = fx_place(fx, 400);
    struct fo_order_view c = fx_place(fx, 10);
    struct fo_order_view d = fx_place(fx, 20);
    struct fo_order claimed[2];
    assert_int_equal(fx_claim(fx, 2, claimed), 2);
    assert_int_equal(fx_progress(fx, a.order.id, 333, &view), FO_OK);
    fx_begin(fx);
    assert_int_equal(
        fo_cmd_complete(fx->store, fx->now, fx->supplier.id, b.order.id, 400, &view, &fx->detail),
        FO_OK);
    fx_end(fx);
    fx->now += 700 * 1000;
    assert_int_equal(fx_cancel(fx, a.order.id, fx->buyer.id, &view, &quote), FO_OK);
    assert_int_equal(fx_claim(fx, 2, claimed), 2); /* c and d */
    fx->now += FX_LEASE_S * 1000;
    size_t expired = 0;
    fx_begin(fx);
    assert_int_equal(fo_cmd_expire_leases(fx->store, fx->now, 10, &expired), FO_OK);
    fx_end(fx);
    assert_int_equal(expired, 2);
    struct fo_order_view e = fx_place(fx, 50);
    assert_int_equal(fx_cancel(fx, e.order.id, fx->buyer.id, &view, &quote), FO_OK);
    (void)c;
    (void)d;
    fx_place(fx, 60);
}

/* Verify the fixture's database; the report is the caller's to free. */
static struct fo_verify_report *verify_now(struct fixture *fx)
{
    struct fo_verify_report *report = calloc(1, sizeof *report);
    assert_non_null(report);
    assert_int_equal(fo_query_verify(fx->store, report), FO_OK);
    return report;
}

static void test_verify_ok_after_scenario(void **state)
{
    struct fixture *fx = *state;
    run_scenario(fx);
    struct fo_verify_report *report = verify_now(fx);
    assert_true(report->ok);
    assert_int_equal(report->problems_count, 0);
    assert_int64_equal(report->orders_count, 6);
    assert_int64_equal(report->buyers_count, 2);
    /* 1 top-up, 6 holds, 5 settlements. */
    assert_int64_equal(report->journals_count, 12);
    free(report);
}

/* An order whose postings disagree with it is named, and only that one: verification
 * walks every order beside the pass over all postings (schema/0006: no index by order),
 * so a postings group matched to the wrong order would name others. */
static void test_verify_names_the_order_whose_postings_disagree(void **state)
{
    struct fixture *fx = *state;
    run_scenario(fx);
    struct fo_order_view views[8];
    size_t count = 0;
    struct fo_order_filter all = {.buyer_id = NULL};
    assert_int_equal(fo_query_orders(fx->store, fx->now, &all, views, 8, &count), FO_OK);
    assert_int_equal(count, 6);
    const struct fo_order *middle = &views[3].order; /* Newest first: the third placed. */
    /* A second hold of the same amount: the buyer's wallet stays consistent with its
     * postings, but the order's postings no longer match its state. */
    struct fo_journal again;
    fo_ledger_hold(middle, &again);
    struct fo_buyer after;
    assert_int_equal(fo_store_batch_begin(fx->store), FO_OK);
    assert_int_equal(fo_write_journal(fx->store, fx->now, middle->buyer_id, middle->id, NULL,
                                      &again, &after, &fx->detail),
                     FO_OK);
    assert_int_equal(fo_store_batch_commit(fx->store), FO_OK);
    struct fo_verify_report *report = verify_now(fx);
    assert_false(report->ok);
    assert_int64_equal(report->orders_count, 6);
    /* The buyer's held no longer equals its open orders, and the order itself. */
    assert_int_equal(report->problems_count, 2);
    char expected[128];
    snprintf(expected, sizeof expected, "order %s: ", middle->id);
    int naming_order = 0;
    for (size_t index = 0; index < report->problems_count; index++) {
        naming_order += strncmp(report->problems[index], expected, strlen(expected)) == 0;
        if (strncmp(report->problems[index], "order ", 6) == 0) {
            assert_non_null(strstr(report->problems[index], middle->id));
        }
    }
    assert_int_equal(naming_order, 1);
    free(report);
}

static void test_verify_reports_corrupted_balance(void **state)
{
    struct fixture *fx = *state;
    run_scenario(fx);
    struct fo_buyer buyer = fx_buyer(fx, fx->buyer.id);
    assert_int_equal(fo_store_batch_begin(fx->store), FO_OK);
    assert_int_equal(
        fo_store_buyer_put_balances(fx->store, &buyer, buyer.available_minor + 1, buyer.held_minor),
        FO_OK);
    assert_int_equal(fo_store_batch_commit(fx->store), FO_OK);
    struct fo_verify_report *report = verify_now(fx);
    assert_false(report->ok);
    assert_int_equal(report->problems_count, 1);
    assert_non_null(strstr(report->problems[0], buyer.id));

    /* Held no longer the open orders' sum: a second problem, naming the same buyer. */
    assert_int_equal(fo_store_batch_begin(fx->store), FO_OK);
    assert_int_equal(
        fo_store_buyer_put_balances(fx->store, &buyer, buyer.available_minor, buyer.held_minor + 7),
        FO_OK);
    assert_int_equal(fo_store_batch_commit(fx->store), FO_OK);
    assert_int_equal(fo_query_verify(fx->store, report), FO_OK);
    assert_false(report->ok);
    assert_int_equal(report->problems_count, 2);
    assert_non_null(strstr(report->problems[0], buyer.id));
    assert_non_null(strstr(report->problems[1], buyer.id));
    free(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query_order_applies_ownership_and_quotes, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_query_orders_pages_newest_first, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_verify_ok_after_scenario, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_verify_names_the_order_whose_postings_disagree,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_verify_reports_corrupted_balance, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
