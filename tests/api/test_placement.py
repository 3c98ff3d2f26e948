"""API.md "POST /v1/orders": funds held at once, policy snapshot, expected_policy_id,
quantity and amount limits, target validation, inactive services, and allocation to the
supplier's capacity (oldest pending first, whenever an order of that supplier ends).

Method: exact wallet and view values after each placement, and "nothing changed" after
each refusal (wallet, order list)."""

import fo_client
from fo_client import ApiTest, parse_time_ms


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class Placement(ApiTest):
    def test_place_holds_funds_and_returns_full_view(self):
        world = self.srv.world(unit_price_minor=5)
        resp = self.srv.place(world.token, world.service["id"], 1000, target="player-12345")
        view = self.assertStatus(resp, 201)
        self.assertOrderView(view)
        self.assertEqual((view["quantity"], view["delivered"], view["unit_price_minor"],
                          view["amount_minor"], view["currency"], view["target"], view["state"]),
                         (1000, 0, 5, 5000, "CNY", "player-12345", "queued"))
        self.assertEqual(view["buyer_id"], world.buyer["id"])
        self.assertEqual(view["service_id"], world.service["id"])
        self.assertEqual(view["placed_at"], view["updated_at"])
        self.assertWallet(world, 10000000 - 5000, 5000)
        self.assertEqual(world.order(view["id"]), view)

    def test_policy_snapshot_in_view_survives_policy_change(self):
        world = self.srv.world(cooling_off_s=120, fee_fixed_minor=7, fee_bps=33,
                               free_cancels_per_day=9, pending="deny", queued="full_refund",
                               executing="deny")
        view = world.place(100)
        pol = view["policy"]
        for key in ("id", "name", "cooling_off_s", "pending", "queued", "executing",
                    "fee_fixed_minor", "fee_bps", "free_cancels_per_day"):
            self.assertEqual(pol[key], world.policy[key], key)
        newer = self.srv.create_policy(cooling_off_s=0, queued="deny")
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"policy_id": newer["id"]}), 200)
        again = world.order(view["id"])
        self.assertEqual(again["policy"], view["policy"])
        self.assertEqual(again["cancel"]["reason"], "cooling_off")
        self.srv.advance(120)
        self.assertEqual(world.order(view["id"])["cancel"]["reason"], "queued_full_refund")

    def test_expected_policy_id_matching_is_accepted(self):
        world = self.srv.world()
        view = world.place(10, expected_policy_id=world.policy["id"])
        self.assertEqual(view["policy"]["id"], world.policy["id"])

    def test_expected_policy_id_mismatch_is_409_and_charges_nothing(self):
        world = self.srv.world()
        newer = self.srv.create_policy(cooling_off_s=0, queued="deny", fee_bps=500)
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"policy_id": newer["id"]}), 200)
        resp = self.srv.place(world.token, world.service["id"], 10,
                              expected_policy_id=world.policy["id"])
        self.assertEqual(resp.status, 409, resp)
        err = resp.json["error"]
        self.assertEqual(err["code"], "policy_changed")
        self.assertTrue(err["message"])
        self.assertEqual(err["policy"]["id"], newer["id"])
        for key in ("cooling_off_s", "pending", "queued", "executing", "fee_fixed_minor",
                    "fee_bps", "free_cancels_per_day"):
            self.assertEqual(err["policy"][key], newer[key], key)
        self.assertTrue(err["policy"]["summary"])
        self.assertWallet(world, 10000000, 0)
        self.assertEqual(self.srv.list_all("/v1/orders", world.token), [])
        resp = self.srv.place(world.token, world.service["id"], 10,
                              expected_policy_id="pol_doesnotexist")
        self.assertEqual(resp.json["error"]["code"], "policy_changed", resp)
        self.assertWallet(world, 10000000, 0)

    def test_quantity_outside_service_range_is_400(self):
        world = self.srv.world(min_quantity=10, max_quantity=1000)
        for quantity in (9, 1001, 1, 0):
            with self.subTest(quantity=quantity):
                self.assertError(self.srv.place(world.token, world.service["id"], quantity), 400,
                                 "invalid_request", "quantity")
        self.assertWallet(world, 10000000, 0)
        self.assertEqual(world.place(10)["amount_minor"], 50)
        self.assertEqual(world.place(1000)["amount_minor"], 5000)
        self.assertWallet(world, 10000000 - 5050, 5050)

    def test_amount_over_10_15_is_400_naming_quantity(self):
        world = self.srv.world(unit_price_minor=1000000000, max_quantity=1000000000,
                               balance=10 ** 12)
        resp = self.srv.place(world.token, world.service["id"], 1000001)
        self.assertError(resp, 400, "invalid_request", "quantity")
        resp = self.srv.place(world.token, world.service["id"], 1000000000)
        self.assertError(resp, 400, "invalid_request", "quantity")
        # Exactly 10^15 passes the limit and fails only for money.
        resp = self.srv.place(world.token, world.service["id"], 1000000)
        self.assertError(resp, 402, "insufficient_funds")
        self.assertWallet(world, 10 ** 12, 0)
        view = world.place(1000)
        self.assertEqual(view["amount_minor"], 10 ** 12)
        self.assertWallet(world, 0, 10 ** 12)

    def test_insufficient_funds_is_402_and_exact_balance_is_enough(self):
        world = self.srv.world(balance=4999)
        self.assertError(self.srv.place(world.token, world.service["id"], 1000), 402,
                         "insufficient_funds")
        self.assertWallet(world, 4999, 0)
        self.srv.topup(world.buyer["id"], 1)
        world.place(1000)
        self.assertWallet(world, 0, 5000)
        self.assertError(self.srv.place(world.token, world.service["id"], 1), 402,
                         "insufficient_funds")
        self.assertEqual(len(self.srv.list_all("/v1/orders", world.token)), 1)

    def test_target_validation(self):
        world = self.srv.world()
        bad = ["", "a" * 129, "界" * 129, "bad\u0000x", "bad\u0007x", "tab\tx", "nl\nx",
               "del\u007fx", "c1\u0085x", "c1\u009fx", "x\u001f"]
        for target in bad:
            with self.subTest(target=target[:20]):
                resp = self.srv.place(world.token, world.service["id"], 10, target=target)
                self.assertEqual(resp.status, 400, resp)
                if target == "bad\u0000x" and resp.json["error"]["code"] == "invalid_json":
                    continue  # \u0000 may be refused by the JSON parser itself.
                self.assertError(resp, 400, "invalid_request", "target")
        self.assertWallet(world, 10000000, 0)
        for target in ("a" * 128, "界" * 128, "😀" * 128, "+86 138-0000-0000", "x",
                       "é\u00a0ü", "  spaced  "):
            with self.subTest(ok=target[:20]):
                view = world.place(10, target=target)
                self.assertEqual(view["target"], target)
                self.assertEqual(world.order(view["id"])["target"], target)

    def test_unknown_or_inactive_service_is_404(self):
        world = self.srv.world()
        self.assertError(self.srv.place(world.token, "svc_doesnotexist", 10), 404,
                         "service_not_found")
        self.assertError(self.srv.place(world.token, world.policy["id"], 10), 404,
                         "service_not_found")
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"active": False}), 200)
        self.assertError(self.srv.place(world.token, world.service["id"], 10), 404,
                         "service_not_found")
        self.assertWallet(world, 10000000, 0)

    def test_deactivating_a_service_leaves_its_orders_alone(self):
        world = self.srv.world(capacity=1)
        first = world.place(10)
        second = world.place(10)
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"active": False}), 200)
        self.assertEqual(world.order(first["id"])["state"], "queued")
        world.claim_one(first["id"])
        self.assertStatus(world.complete(first["id"], 10), 200)
        self.assertEqual(world.order(second["id"])["state"], "queued")
        self.assertStatus(world.cancel(second["id"]), 200)
        self.assertWallet(world, 10000000 - 50, 0)

    def test_placed_event(self):
        world = self.srv.world()
        view = world.place(10)
        events = self.assertStatus(self.srv.request(
            "GET", "/v1/orders/%s/events" % view["id"], token=world.token), 200)["data"]
        self.assertEqual([(e["type"], e["actor"], e["state"]) for e in events],
                         [("placed", "buyer", "pending"), ("allocated", "system", "queued")])
        self.assertEqual(parse_time_ms(events[0]["at"]), parse_time_ms(view["placed_at"]))


class Allocation(ApiTest):
    def test_capacity_one_queues_first_and_keeps_second_pending(self):
        world = self.srv.world(capacity=1)
        first = world.place(10)
        second = world.place(10)
        third = world.place(10)
        self.assertEqual([first["state"], second["state"], third["state"]],
                         ["queued", "pending", "pending"])
        # Completing the first allocates the oldest pending (the second), not the third.
        world.claim_one(first["id"])
        self.assertStatus(world.complete(first["id"], 10), 200)
        self.assertEqual(world.order(second["id"])["state"], "queued")
        self.assertEqual(world.order(third["id"])["state"], "pending")
        # Cancelling the queued second allocates the third.
        self.assertStatus(world.cancel(second["id"]), 200)
        self.assertEqual(world.order(third["id"])["state"], "queued")
        self.assertWallet(world, 10000000 - 50 - 50, 50)

    def test_pending_order_cancel_frees_nothing_and_allocates_nothing(self):
        world = self.srv.world(capacity=1)
        first = world.place(10)
        second = world.place(10)
        third = world.place(10)
        self.assertStatus(world.cancel(second["id"]), 200)
        self.assertEqual(world.order(first["id"])["state"], "queued")
        self.assertEqual(world.order(third["id"])["state"], "pending")

    def test_executing_counts_against_capacity_and_failure_frees_it(self):
        world = self.srv.world(capacity=2)
        a = world.place(10)
        b = world.place(10)
        c = world.place(10)
        self.assertEqual(c["state"], "pending")
        self.assertEqual([j["order_id"] for j in world.claim(1)], [a["id"]])
        self.assertEqual(world.order(c["id"])["state"], "pending")
        self.assertStatus(world.fail(a["id"], 0), 200)
        self.assertEqual(world.order(c["id"])["state"], "queued")
        self.assertEqual(world.order(b["id"])["state"], "queued")

    def test_capacity_is_per_supplier_across_services(self):
        world = self.srv.world(capacity=1)
        svc2 = self.srv.create_service(world.policy["id"], world.supplier["id"])
        first = world.place(10)
        resp = self.srv.place(world.token, svc2["id"], 10)
        self.assertEqual(self.assertStatus(resp, 201)["state"], "pending")
        self.assertStatus(world.cancel(first["id"]), 200)
        self.assertEqual(world.order(resp.json["id"])["state"], "queued")
