"""API.md "Cancellation rules": every row of the quote table through the API, with the
test clock; the arithmetic against a reference computation written from the contract
(fo_client.ref_quote); cancel settlements and wallet movements; expected_refund_minor
binding (quote_changed) and not_cancellable with error.quote.

Method: build each state (pending needs a full supplier, executing a claim and progress),
place the clock exactly at the rule boundaries, read the quote, cancel, and compare the
view, the settlement and the wallet to the reference numbers."""

import fo_client
from fo_client import ApiTest, parse_time_ms, ref_quote

DAY_S = 86400


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class QuoteTable(ApiTest):
    def expect(self, view, policy, since_ms=None, cancels=0):
        """The view's quote equals the reference for its own state and delivered."""
        if since_ms is None:
            since_ms = 0
        expected = ref_quote(view["state"], view["amount_minor"], view["quantity"],
                             view["delivered"], policy, since_ms, cancels)
        self.assertOrderView(view)
        self.assertQuote(view, expected)
        return expected

    def cancel_and_check(self, world, view, expected, body=None):
        """Cancel; the settlement is the quote; the wallet moves by exactly the refund."""
        before = world.wallet()
        resp = world.cancel(view["id"], body or {})
        got = self.assertStatus(resp, 200, "cancel")
        self.assertEqual(set(got), {"order"})
        after_view = got["order"]
        self.assertOrderView(after_view)
        self.assertEqual(after_view["state"], "cancelled")
        self.assertSettlement(after_view, expected["reason"], expected["charged_minor"],
                              expected["fee_minor"], expected["refund_minor"])
        self.assertEqual(after_view["cancel"]["reason"], "already_cancelled")
        self.assertEqual(world.order(view["id"]), after_view)
        after = world.wallet()
        self.assertEqual(after["available_minor"],
                         before["available_minor"] + expected["refund_minor"])
        self.assertEqual(after["held_minor"], before["held_minor"] - view["amount_minor"])
        return after_view

    def pending_order(self, world, quantity=1000):
        """A pending order: the supplier (capacity 1) is busy with a blocker."""
        blocker = world.place(1)
        self.assertEqual(blocker["state"], "queued")
        view = world.place(quantity)
        self.assertEqual(view["state"], "pending")
        return view

    # -- rule 3: cooling-off --

    def test_cooling_off_allowed_until_one_second_before_the_end(self):
        world = self.srv.world(cooling_off_s=600)
        view = world.place(1000)
        placed = parse_time_ms(view["placed_at"])
        expected = self.expect(view, world.policy)
        self.assertEqual(expected["reason"], "cooling_off")
        self.assertEqual(view["cancel"]["refund_minor"], 5000)
        self.assertEqual(parse_time_ms(view["cancel"]["rule_changes_at"]), placed + 600 * 1000)
        self.srv.advance(599)
        view = world.order(view["id"])
        self.expect(view, world.policy, 599 * 1000)
        self.assertEqual(view["cancel"]["reason"], "cooling_off")
        self.assertEqual(parse_time_ms(view["cancel"]["rule_changes_at"]), placed + 600 * 1000)
        self.srv.advance(1)
        view = world.order(view["id"])
        self.expect(view, world.policy, 600 * 1000)
        self.assertEqual(view["cancel"]["reason"], "queued_with_fee")
        self.assertIsNone(view["cancel"]["rule_changes_at"])
        # fee = 50 + floor(5000 * 200 / 10000) = 150; refund 4850.
        self.assertEqual((view["cancel"]["charged_minor"], view["cancel"]["fee_minor"],
                          view["cancel"]["refund_minor"]), (0, 150, 4850))

    def test_cooling_off_cancel_is_a_full_refund(self):
        world = self.srv.world(cooling_off_s=600)
        view = world.place(1000)
        self.srv.advance(599)
        view = world.order(view["id"])
        expected = self.expect(view, world.policy, 599 * 1000)
        done = self.cancel_and_check(world, view, expected)
        self.assertSettlement(done, "cooling_off", 0, 0, 5000)
        self.assertWallet(world, 10000000, 0)

    def test_cooling_off_applies_to_pending_too(self):
        world = self.srv.world(capacity=1, cooling_off_s=60, pending="deny")
        view = self.pending_order(world)
        self.assertEqual(self.expect(view, world.policy)["reason"], "cooling_off")
        self.srv.advance(60)
        view = world.order(view["id"])
        self.assertEqual(self.expect(view, world.policy, 60000)["reason"],
                         "pending_not_cancellable")

    def test_cooling_off_zero_never_applies(self):
        world = self.srv.world(cooling_off_s=0, queued="full_refund")
        view = world.place(1000)
        self.assertEqual(self.expect(view, world.policy)["reason"], "queued_full_refund")
        self.assertIsNone(view["cancel"]["rule_changes_at"])

    def test_free_cancels_per_day_counting_and_24h_window(self):
        world = self.srv.world(cooling_off_s=600, free_cancels_per_day=2, queued="fee")
        a = world.place(1000)
        b = world.place(1000)
        c = world.place(1000)
        self.assertEqual(c["cancel"]["reason"], "cooling_off")
        for view in (a, b):
            expected = self.expect(world.order(view["id"]), world.policy, 0,
                                   cancels=0 if view is a else 1)
            self.assertEqual(expected["reason"], "cooling_off")
            self.cancel_and_check(world, view, expected)
        # Two cancellations in the last 24 h: the third is no longer a free cancel.
        c = world.order(c["id"])
        self.expect(c, world.policy, 0, cancels=2)
        self.assertEqual(c["cancel"]["reason"], "queued_with_fee")
        self.assertIsNone(c["cancel"]["rule_changes_at"])
        self.assertStatus(world.cancel(c["id"]), 200)
        # Cancelled at T; at T + 24h - 1s they still count (now - 24h < t).
        self.srv.advance(DAY_S - 1)
        d = world.place(1000)
        self.expect(d, world.policy, 0, cancels=3)
        self.assertEqual(d["cancel"]["reason"], "queued_with_fee")
        # At T + 24h exactly they no longer count: d is within its cooling-off again.
        self.srv.advance(1)
        d = world.order(d["id"])
        self.expect(d, world.policy, 1000, cancels=0)
        self.assertEqual(d["cancel"]["reason"], "cooling_off")
        self.assertEqual(parse_time_ms(d["cancel"]["rule_changes_at"]),
                         parse_time_ms(d["placed_at"]) + 600 * 1000)

    def test_cancellations_of_any_reason_count(self):
        world = self.srv.world(cooling_off_s=600, free_cancels_per_day=1, queued="fee",
                               executing="prorated")
        # A cancel that is not a free one (made after the cooling-off) counts as well.
        old = world.place(1000)
        self.srv.advance(600)
        self.assertEqual(world.order(old["id"])["cancel"]["reason"], "queued_with_fee")
        self.assertStatus(world.cancel(old["id"]), 200)
        fresh = world.place(1000)
        self.expect(fresh, world.policy, 0, cancels=1)
        self.assertEqual(fresh["cancel"]["reason"], "queued_with_fee")

    def test_another_buyers_cancellations_do_not_count(self):
        world = self.srv.world(cooling_off_s=600, free_cancels_per_day=1)
        other = self.srv.create_buyer(topup=100000)
        theirs = self.assertStatus(self.srv.place(other["token"], world.service["id"], 10), 201)
        self.assertStatus(self.srv.cancel(other["token"], theirs["id"]), 200)
        mine = world.place(1000)
        self.assertEqual(mine["cancel"]["reason"], "cooling_off")

    def test_free_cancels_zero_never_cooling_off(self):
        world = self.srv.world(cooling_off_s=600, free_cancels_per_day=0, queued="full_refund")
        view = world.place(1000)
        self.assertEqual(self.expect(view, world.policy)["reason"], "queued_full_refund")

    # -- rule 4: the state's rule --

    def test_pending_full_refund(self):
        world = self.srv.world(capacity=1, cooling_off_s=0, pending="full_refund")
        view = self.pending_order(world)
        expected = self.expect(view, world.policy)
        self.assertEqual(expected["reason"], "pending_full_refund")
        self.cancel_and_check(world, view, expected)

    def test_pending_deny(self):
        world = self.srv.world(capacity=1, cooling_off_s=0, pending="deny")
        view = self.pending_order(world)
        expected = self.expect(view, world.policy)
        self.assertEqual(expected, {"allowed": False, "reason": "pending_not_cancellable",
                                    "charged_minor": 0, "fee_minor": 0, "refund_minor": 0})
        self.assert_not_cancellable(world, view, "pending_not_cancellable")

    def test_queued_full_refund(self):
        world = self.srv.world(cooling_off_s=0, queued="full_refund")
        view = world.place(1000)
        expected = self.expect(view, world.policy)
        self.assertEqual(expected["reason"], "queued_full_refund")
        self.cancel_and_check(world, view, expected)
        self.assertWallet(world, 10000000, 0)

    def test_queued_with_fee(self):
        world = self.srv.world(cooling_off_s=0, queued="fee", fee_fixed_minor=50, fee_bps=200)
        view = world.place(1000)
        expected = self.expect(view, world.policy)
        self.assertEqual(expected, {"allowed": True, "reason": "queued_with_fee",
                                    "charged_minor": 0, "fee_minor": 150, "refund_minor": 4850})
        self.cancel_and_check(world, view, expected)
        self.assertWallet(world, 10000000 - 150, 0)

    def test_queued_fee_is_capped_at_the_rest(self):
        world = self.srv.world(cooling_off_s=0, queued="fee", fee_fixed_minor=10 ** 12,
                               fee_bps=10000)
        view = world.place(1000)
        expected = self.expect(view, world.policy)
        self.assertEqual((expected["fee_minor"], expected["refund_minor"]), (5000, 0))
        self.cancel_and_check(world, view, expected)
        self.assertWallet(world, 10000000 - 5000, 0)

    def test_queued_fee_rounds_down(self):
        # amount 333 * 7 = 2331; fee = 1 + floor(2331 * 333 / 10000) = 1 + 77 = 78.
        world = self.srv.world(cooling_off_s=0, queued="fee", fee_fixed_minor=1, fee_bps=333,
                               unit_price_minor=7)
        view = world.place(333)
        expected = self.expect(view, world.policy)
        self.assertEqual((expected["fee_minor"], expected["refund_minor"]), (78, 2253))
        self.cancel_and_check(world, view, expected)

    def test_queued_deny(self):
        world = self.srv.world(cooling_off_s=0, queued="deny")
        view = world.place(1000)
        self.assertEqual(self.expect(view, world.policy)["reason"], "queued_not_cancellable")
        self.assert_not_cancellable(world, view, "queued_not_cancellable")

    # -- rule 2: executing --

    def test_executing_prorated_example_of_api_md(self):
        # amount 5000, quantity 1000, delivered 250, fee 50 + 200 bps:
        # charged 1250; rest 3750; fee 50 + 75 = 125; refund 3625.
        world = self.srv.world(cooling_off_s=600, executing="prorated", fee_fixed_minor=50,
                               fee_bps=200)
        view = world.executing(1000, 250)
        expected = self.expect(view, world.policy)
        self.assertEqual(expected, {"allowed": True, "reason": "executing_prorated",
                                    "charged_minor": 1250, "fee_minor": 125,
                                    "refund_minor": 3625})
        self.assertIsNone(view["cancel"]["rule_changes_at"])  # cooling-off ends at executing
        self.cancel_and_check(world, view, expected)
        self.assertWallet(world, 10000000 - 1250 - 125, 0)

    def test_executing_prorated_small_amounts_and_fee_capped_at_rest(self):
        # amount * delivered / quantity = unit price * delivered: the charge is exact; the
        # fee on the rest is where rounding down and the cap at the rest matter.
        world = self.srv.world(executing="prorated", fee_fixed_minor=0, fee_bps=3333,
                               unit_price_minor=1)
        view = world.executing(3, 1)  # amount 3: charged 1, rest 2, fee floor(6666/10000) = 0
        expected = self.expect(view, world.policy)
        self.assertEqual((expected["charged_minor"], expected["fee_minor"],
                          expected["refund_minor"]), (1, 0, 2))
        world3 = self.srv.world(executing="prorated", fee_fixed_minor=3, fee_bps=9999,
                                unit_price_minor=3)
        view = world3.executing(7, 3)  # amount 21: charged 9, rest 12, fee min(12, 3+11)
        expected = self.expect(view, world3.policy)
        self.assertEqual((expected["charged_minor"], expected["fee_minor"],
                          expected["refund_minor"]), (9, 12, 0))
        self.cancel_and_check(world3, view, expected)

    def test_executing_with_nothing_and_everything_delivered(self):
        world = self.srv.world(executing="prorated", fee_fixed_minor=50, fee_bps=200)
        none = world.executing(1000, 0)
        expected = self.expect(none, world.policy)
        self.assertEqual((expected["charged_minor"], expected["fee_minor"],
                          expected["refund_minor"]), (0, 150, 4850))
        full = world.executing(1000, 1000)
        self.assertEqual(full["state"], "executing")
        expected = self.expect(full, world.policy)
        self.assertEqual((expected["charged_minor"], expected["fee_minor"],
                          expected["refund_minor"]), (5000, 0, 0))
        self.cancel_and_check(world, full, expected)

    def test_executing_deny(self):
        world = self.srv.world(executing="deny")
        view = world.executing(1000, 100)
        self.assertEqual(self.expect(view, world.policy)["reason"], "executing_not_cancellable")
        self.assert_not_cancellable(world, view, "executing_not_cancellable")

    def test_large_amount_arithmetic_is_exact(self):
        # amount 10^12 (quantity 10^6 at 10^6): no floating point anywhere.
        world = self.srv.world(unit_price_minor=1000000, max_quantity=1000000000,
                               balance=10 ** 12, executing="prorated", fee_fixed_minor=999,
                               fee_bps=9999)
        view = world.executing(1000000, 333333)
        expected = self.expect(view, world.policy)
        self.assertEqual(expected["charged_minor"], 333333000000)
        self.cancel_and_check(world, view, expected)

    # -- rule 1: terminal --

    def test_already_completed_cancelled_failed(self):
        world = self.srv.world()
        done = world.executing(10, 0)
        self.assertStatus(world.complete(done["id"], 10), 200)
        self.assert_not_cancellable(world, world.order(done["id"]), "already_completed")
        gone = world.place(10)
        self.assertStatus(world.cancel(gone["id"]), 200)
        self.assert_not_cancellable(world, world.order(gone["id"]), "already_cancelled")
        broke = world.executing(10, 4)
        self.assertStatus(world.fail(broke["id"], 4), 200)
        self.assert_not_cancellable(world, world.order(broke["id"]), "already_failed")

    def assert_not_cancellable(self, world, view, reason):
        before_wallet = world.wallet()
        before = world.order(view["id"])
        resp = world.cancel(view["id"])
        err = self.assertError(resp, 409, "not_cancellable")
        self.assertEqual(err["quote"]["reason"], reason)
        self.assertEqual(err["quote"]["allowed"], False)
        self.assertEqual((err["quote"]["charged_minor"], err["quote"]["fee_minor"],
                          err["quote"]["refund_minor"]), (0, 0, 0))
        self.assertIsNone(err["quote"]["rule_changes_at"])
        self.assertTrue(err["quote"]["message"])
        self.assertEqual(world.order(view["id"]), before)
        self.assertEqual(world.wallet(), before_wallet)
        self.assertEqual(before["cancel"]["reason"], reason)
        self.assertFalse(before["cancel"]["allowed"])


class ExpectedRefund(ApiTest):
    def test_expected_refund_above_current_is_quote_changed_and_nothing_changes(self):
        world = self.srv.world(cooling_off_s=600, queued="fee")
        view = world.place(1000)
        self.assertEqual(view["cancel"]["refund_minor"], 5000)   # The quote the buyer saw.
        self.srv.advance(600)                                    # Cooling-off is over.
        before = world.order(view["id"])
        resp = world.cancel(view["id"], {"expected_refund_minor": 5000})
        err = self.assertError(resp, 409, "quote_changed")
        self.assertEqual(err["quote"]["reason"], "queued_with_fee")
        self.assertEqual(err["quote"]["allowed"], True)
        self.assertEqual((err["quote"]["charged_minor"], err["quote"]["fee_minor"],
                          err["quote"]["refund_minor"]), (0, 150, 4850))
        self.assertEqual(world.order(view["id"]), before)
        self.assertWallet(world, 10000000 - 5000, 5000)
        # One above the current refund is still refused; equal succeeds.
        self.assertError(world.cancel(view["id"], {"expected_refund_minor": 4851}), 409,
                         "quote_changed")
        resp = world.cancel(view["id"], {"expected_refund_minor": 4850})
        done = self.assertStatus(resp, 200)["order"]
        self.assertSettlement(done, "queued_with_fee", 0, 150, 4850)
        self.assertWallet(world, 10000000 - 150, 0)

    def test_expected_refund_below_current_succeeds_with_current(self):
        world = self.srv.world(cooling_off_s=600)
        view = world.place(1000)
        done = self.assertStatus(world.cancel(view["id"], {"expected_refund_minor": 4000}),
                                 200)["order"]
        self.assertSettlement(done, "cooling_off", 0, 0, 5000)
        self.assertWallet(world, 10000000, 0)

    def test_progress_after_quote_lowers_refund_and_binding_protects_buyer(self):
        world = self.srv.world(executing="prorated", fee_fixed_minor=0, fee_bps=0)
        view = world.executing(1000, 100)
        seen = view["cancel"]["refund_minor"]
        self.assertEqual(seen, 4500)
        self.assertStatus(world.progress(view["id"], 101), 200)
        resp = world.cancel(view["id"], {"expected_refund_minor": seen})
        err = self.assertError(resp, 409, "quote_changed")
        self.assertEqual(err["quote"]["refund_minor"], 4495)
        self.assertEqual(world.order(view["id"])["state"], "executing")
        done = self.assertStatus(world.cancel(view["id"], {"expected_refund_minor": 4495}),
                                 200)["order"]
        self.assertSettlement(done, "executing_prorated", 505, 0, 4495)

    def test_not_cancellable_wins_over_quote_changed(self):
        world = self.srv.world(cooling_off_s=0, queued="deny")
        view = world.place(1000)
        err = self.assertError(world.cancel(view["id"], {"expected_refund_minor": 5000}), 409,
                               "not_cancellable")
        self.assertEqual(err["quote"]["reason"], "queued_not_cancellable")

    def test_cancel_reason_and_event(self):
        world = self.srv.world()
        view = world.place(10)
        self.assertStatus(world.cancel(view["id"], {"reason": "changed my mind"}), 200)
        events = self.srv.request("GET", "/v1/orders/%s/events" % view["id"],
                                  token=world.token).json["data"]
        last = events[-1]
        self.assertEqual((last["type"], last["actor"], last["state"]),
                         ("cancelled", "buyer", "cancelled"))
