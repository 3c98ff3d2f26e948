"""API.md "Admin" endpoints: buyers, suppliers, policies, services (and PATCH), top-ups,
the admin order list, the ledger verification and the test clock; the documented limits of
each field, exactly at and one past each bound; --demo; restart on the same database and
the offline `verify` subcommand.

Method: create through the API, read back through the buyer's views, and check exact
values and the JSON error shape of each refusal (the message names the field)."""

import subprocess

import fo_client
from fo_client import ApiTest, Server, parse_time_ms


def tearDownModule():
    fo_client.stop_module_servers(__name__)


POLICY = {"cooling_off_s": 600, "pending": "full_refund", "queued": "fee",
          "executing": "prorated", "fee_fixed_minor": 50, "fee_bps": 200,
          "free_cancels_per_day": 5}


class Buyers(ApiTest):
    def test_create_buyer(self):
        resp = self.srv.admin("POST", "/v1/admin/buyers", {"name": "Zhang San 张三"})
        body = self.assertStatus(resp, 201)
        self.assertTrue({"id", "name", "token"} <= set(body), body)
        self.assertTrue(body["id"].startswith("byr_"))
        self.assertEqual(body["name"], "Zhang San 张三")
        self.assertGreaterEqual(len(body["token"]), 16)
        self.assertWallet(body["token"], 0, 0)
        again = self.assertStatus(self.srv.admin("POST", "/v1/admin/buyers", {"name": "x"}), 201)
        self.assertNotEqual(again["id"], body["id"])
        self.assertNotEqual(again["token"], body["token"])

    def test_buyer_name_limits(self):
        self.assertStatus(self.srv.admin("POST", "/v1/admin/buyers", {"name": "n" * 64}), 201)
        self.assertStatus(self.srv.admin("POST", "/v1/admin/buyers", {"name": "名" * 64}), 201)
        for body in ({"name": "n" * 65}, {"name": ""}, {"name": 5}, {}, {"name": "a\nb"},
                     {"name": "a\u0085b"}):
            with self.subTest(body=body):
                self.assertError(self.srv.admin("POST", "/v1/admin/buyers", body), 400,
                                 "invalid_request", "name")


class Suppliers(ApiTest):
    def test_create_supplier_default_lease(self):
        resp = self.srv.admin("POST", "/v1/admin/suppliers", {"name": "acme", "capacity": 3})
        body = self.assertStatus(resp, 201)
        # API.md lists these members; more are a free extension.
        self.assertTrue({"id", "name", "capacity", "lease_s", "token"} <= set(body), body)
        self.assertTrue(body["id"].startswith("sup_"))
        self.assertEqual((body["name"], body["capacity"], body["lease_s"]), ("acme", 3, 300))
        self.assertEqual(self.srv.claim(body["token"], 1), [])

    def test_supplier_limits(self):
        ok = [{"capacity": 1, "lease_s": 10}, {"capacity": 10000, "lease_s": 86400},
              {"capacity": 1, "simulate_units_per_s": 1000000}]
        for fields in ok:
            with self.subTest(ok=fields):
                body = dict({"name": fo_client.unique("s")}, **fields)
                got = self.assertStatus(self.srv.admin("POST", "/v1/admin/suppliers", body), 201)
                self.assertEqual(got["capacity"], fields["capacity"])
        bad = [({"capacity": 0}, "capacity"), ({"capacity": 10001}, "capacity"),
               ({"capacity": 1, "lease_s": 9}, "lease_s"),
               ({"capacity": 1, "lease_s": 86401}, "lease_s"),
               ({"capacity": 1, "simulate_units_per_s": 0}, "simulate_units_per_s"),
               ({"capacity": 1, "simulate_units_per_s": 1000001}, "simulate_units_per_s"),
               ({"capacity": "5"}, "capacity"), ({}, "capacity"),
               ({"capacity": 1, "name": ""}, "name"), ({"capacity": 1, "name": "n" * 65}, "name"),
               ({"capacity": 1, "extra": 1}, "extra")]
        for fields, field in bad:
            with self.subTest(bad=fields):
                body = dict({"name": "s"}, **fields)
                self.assertError(self.srv.admin("POST", "/v1/admin/suppliers", body), 400,
                                 "invalid_request", field)


class Policies(ApiTest):
    def test_create_policy_echoes_fields_and_summary(self):
        body = dict(POLICY, name="standard")
        got = self.assertStatus(self.srv.admin("POST", "/v1/admin/policies", body), 201)
        self.assertTrue(got["id"].startswith("pol_"))
        for key, value in body.items():
            self.assertEqual(got[key], value, key)
        self.assertTrue(got["summary"].strip())

    def test_policy_limits(self):
        ok = [dict(cooling_off_s=0), dict(cooling_off_s=86400), dict(fee_bps=0),
              dict(fee_bps=10000), dict(fee_fixed_minor=0), dict(fee_fixed_minor=10 ** 12),
              dict(free_cancels_per_day=0), dict(free_cancels_per_day=1000),
              dict(pending="deny", queued="deny", executing="deny"),
              dict(queued="full_refund")]
        for fields in ok:
            with self.subTest(ok=fields):
                body = dict(POLICY, name=fo_client.unique("p"), **{})
                body.update(fields)
                got = self.assertStatus(self.srv.admin("POST", "/v1/admin/policies", body), 201)
                for key, value in fields.items():
                    self.assertEqual(got[key], value)
        bad = [("cooling_off_s", -1), ("cooling_off_s", 86401), ("fee_bps", -1),
               ("fee_bps", 10001), ("fee_fixed_minor", -1), ("fee_fixed_minor", 10 ** 12 + 1),
               ("free_cancels_per_day", -1), ("free_cancels_per_day", 1001),
               ("pending", "fee"), ("pending", "prorated"), ("queued", "prorated"),
               ("executing", "full_refund"), ("executing", "fee"), ("pending", "FULL_REFUND"),
               ("cooling_off_s", "600"), ("name", ""), ("name", "n" * 65)]
        for field, value in bad:
            with self.subTest(field=field, value=value):
                body = dict(POLICY, name="p")
                body[field] = value
                self.assertError(self.srv.admin("POST", "/v1/admin/policies", body), 400,
                                 "invalid_request", field)
        for field in POLICY:
            with self.subTest(missing=field):
                body = dict(POLICY, name="p")
                del body[field]
                self.assertError(self.srv.admin("POST", "/v1/admin/policies", body), 400,
                                 "invalid_request", field)


class PolicyImmutable(ApiTest):
    def test_policies_cannot_be_changed(self):
        pol = self.srv.create_policy()
        for method in ("PATCH", "PUT", "DELETE"):
            with self.subTest(method=method):
                resp = self.srv.admin(method, "/v1/admin/policies/%s" % pol["id"],
                                      {"fee_bps": 9999})
                self.assertIn(resp.status, (404, 405), resp)
                self.assertError(resp, resp.status,
                                 "not_found" if resp.status == 404 else "method_not_allowed")


class Services(ApiTest):
    def test_create_service(self):
        pol = self.srv.create_policy()
        sup = self.srv.create_supplier()
        body = {"name": "Game points", "unit": "point", "unit_price_minor": 7,
                "min_quantity": 10, "max_quantity": 5000, "policy_id": pol["id"],
                "supplier_id": sup["id"]}
        got = self.assertStatus(self.srv.admin("POST", "/v1/admin/services", body), 201)
        self.assertTrue(got["id"].startswith("svc_"))
        for key in ("name", "unit", "unit_price_minor", "min_quantity", "max_quantity"):
            self.assertEqual(got[key], body[key], key)

    def test_service_limits(self):
        pol = self.srv.create_policy()
        sup = self.srv.create_supplier()
        base = {"name": "svc", "unit": "u", "unit_price_minor": 1, "min_quantity": 1,
                "max_quantity": 1000000000, "policy_id": pol["id"], "supplier_id": sup["id"]}
        for fields in (dict(unit="u" * 32), dict(unit="单" * 32), dict(name="n" * 64),
                       dict(unit_price_minor=1000000000), dict(min_quantity=5, max_quantity=5)):
            with self.subTest(ok=fields):
                self.assertStatus(self.srv.admin("POST", "/v1/admin/services",
                                                 dict(base, **fields)), 201)
        bad = [("unit", "u" * 33), ("unit", ""), ("name", "n" * 65), ("name", ""),
               ("unit_price_minor", 0), ("unit_price_minor", 1000000001),
               ("min_quantity", 0), ("max_quantity", 1000000001), ("unit_price_minor", 1.5)]
        for field, value in bad:
            with self.subTest(field=field, value=value):
                body = dict(base)
                body[field] = value
                self.assertError(self.srv.admin("POST", "/v1/admin/services", body), 400,
                                 "invalid_request", field)
        # min above max: one of the two is named.
        resp = self.srv.admin("POST", "/v1/admin/services",
                              dict(base, min_quantity=10, max_quantity=9))
        err = self.assertError(resp, 400, "invalid_request")
        self.assertTrue("min_quantity" in err["message"] or "max_quantity" in err["message"])

    def test_service_with_unknown_policy_or_supplier_is_refused(self):
        pol = self.srv.create_policy()
        sup = self.srv.create_supplier()
        base = {"name": "svc", "unit": "u", "unit_price_minor": 1, "min_quantity": 1,
                "max_quantity": 10, "policy_id": pol["id"], "supplier_id": sup["id"]}
        for field, value in (("policy_id", "pol_doesnotexist"),
                             ("supplier_id", "sup_doesnotexist"), ("policy_id", sup["id"])):
            with self.subTest(field=field, value=value):
                resp = self.srv.admin("POST", "/v1/admin/services", dict(base, **{field: value}))
                # API.md does not say which; either names the problem, never 201.
                if resp.status == 404:
                    self.assertError(resp, 404, "not_found")
                else:
                    self.assertError(resp, 400, "invalid_request", field)

    def test_patch_service(self):
        world = self.srv.world(unit_price_minor=5)
        old = world.place(100)
        other = self.srv.create_policy(cooling_off_s=0, queued="deny")
        resp = self.srv.admin("PATCH", "/v1/admin/services/%s" % world.service["id"],
                              {"policy_id": other["id"], "unit_price_minor": 9})
        self.assertStatus(resp, 200)
        new = world.place(100)
        self.assertEqual((new["unit_price_minor"], new["amount_minor"]), (9, 900))
        self.assertEqual(new["policy"]["id"], other["id"])
        self.assertEqual(new["cancel"]["reason"], "queued_not_cancellable")
        again = world.order(old["id"])
        self.assertEqual((again["unit_price_minor"], again["amount_minor"]), (5, 500))
        self.assertEqual(again["policy"]["id"], world.policy["id"])
        self.assertEqual(again["cancel"]["reason"], "cooling_off")
        self.assertWallet(world, 10000000 - 1400, 1400)

    def test_patch_active_hides_and_shows_the_service(self):
        world = self.srv.world()
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertStatus(self.srv.admin("PATCH", path, {"active": False}), 200)
        ids = [s["id"] for s in self.srv.list_all("/v1/services", world.token)]
        self.assertNotIn(world.service["id"], ids)
        self.assertError(self.srv.place(world.token, world.service["id"], 10), 404,
                         "service_not_found")
        self.assertStatus(self.srv.admin("PATCH", path, {"active": True}), 200)
        ids = [s["id"] for s in self.srv.list_all("/v1/services", world.token)]
        self.assertIn(world.service["id"], ids)
        self.assertStatus(self.srv.place(world.token, world.service["id"], 10), 201)

    def test_patch_refusals(self):
        world = self.srv.world()
        path = "/v1/admin/services/%s" % world.service["id"]
        self.assertError(self.srv.admin("PATCH", "/v1/admin/services/svc_doesnotexist",
                                        {"active": False}), 404, "not_found")
        for body, field in (({"unit_price_minor": 0}, "unit_price_minor"),
                            ({"unit_price_minor": 1000000001}, "unit_price_minor"),
                            ({"active": "yes"}, "active"), ({"name": "x"}, "name"),
                            ({"min_quantity": 3}, "min_quantity")):
            with self.subTest(body=body):
                self.assertError(self.srv.admin("PATCH", path, body), 400, "invalid_request",
                                 field)
        resp = self.srv.admin("PATCH", path, {"policy_id": "pol_doesnotexist"})
        self.assertIn(resp.status, (400, 404), resp)
        view = world.place(10)
        self.assertEqual(view["unit_price_minor"], 5)
        self.assertEqual(view["policy"]["id"], world.policy["id"])


class Topups(ApiTest):
    def test_topup_answers_wallet_and_entries(self):
        buyer = self.srv.create_buyer()
        resp = self.srv.admin("POST", "/v1/admin/buyers/%s/topups" % buyer["id"],
                              {"amount_minor": 12345, "reference": "bank-1"})
        body = self.assertStatus(resp, 201)
        self.assertEqual(body, {"wallet": {"available_minor": 12345, "held_minor": 0,
                                           "currency": "CNY"}})
        self.assertWallet(buyer["token"], 12345, 0)

    def test_topup_limits(self):
        buyer = self.srv.create_buyer()
        path = "/v1/admin/buyers/%s/topups" % buyer["id"]
        bad = [({"amount_minor": 0, "reference": "r"}, "amount_minor"),
               ({"amount_minor": -5, "reference": "r"}, "amount_minor"),
               ({"amount_minor": 10 ** 12 + 1, "reference": "r"}, "amount_minor"),
               ({"amount_minor": "5", "reference": "r"}, "amount_minor"),
               ({"amount_minor": 5, "reference": ""}, "reference"),
               ({"amount_minor": 5, "reference": "r" * 129}, "reference"),
               ({"amount_minor": 5}, "reference"), ({"reference": "r"}, "amount_minor"),
               ({"amount_minor": 5, "reference": "r", "note": "x"}, "note")]
        for body, field in bad:
            with self.subTest(body=str(body)[:80]):
                self.assertError(self.srv.admin("POST", path, body), 400, "invalid_request",
                                 field)
        self.assertWallet(buyer["token"], 0, 0)
        self.assertStatus(self.srv.admin("POST", path, {"amount_minor": 10 ** 12,
                                                        "reference": "r" * 128}), 201)
        self.assertWallet(buyer["token"], 10 ** 12, 0)

    def test_balance_cap_of_10_15(self):
        buyer = self.srv.create_buyer()
        path = "/v1/admin/buyers/%s/topups" % buyer["id"]
        # 999 top-ups of 10^12 from a few threads (group commit keeps this quick).

        def worker(index):
            for _ in range(111):
                resp = self.srv.admin("POST", path, {"amount_minor": 10 ** 12, "reference": "r"})
                if resp.status != 201:
                    raise AssertionError("top-up: %r" % (resp,))
        fo_client.run_threads(9, worker, timeout_s=150)
        self.assertWallet(buyer["token"], 999 * 10 ** 12, 0)
        # 10^15 exactly is allowed: reach it in steps, one past it is refused.
        self.assertStatus(self.srv.admin("POST", path, {"amount_minor": 10 ** 12 - 1,
                                                        "reference": "r"}), 201)
        self.assertWallet(buyer["token"], 10 ** 15 - 1, 0)
        self.assertError(self.srv.admin("POST", path, {"amount_minor": 2, "reference": "r"}),
                         400, "invalid_request", "amount_minor")
        self.assertStatus(self.srv.admin("POST", path, {"amount_minor": 1, "reference": "r"}),
                          201)
        self.assertWallet(buyer["token"], 10 ** 15, 0)
        self.assertError(self.srv.admin("POST", path, {"amount_minor": 1, "reference": "r"}),
                         400, "invalid_request", "amount_minor")
        self.assertWallet(buyer["token"], 10 ** 15, 0)

    def test_topup_unknown_buyer_is_404(self):
        resp = self.srv.admin("POST", "/v1/admin/buyers/byr_doesnotexist/topups",
                              {"amount_minor": 5, "reference": "r"})
        self.assertError(resp, 404, "not_found")


class AdminOrders(ApiTest):
    def test_admin_list_with_buyer_and_state_filters(self):
        world = self.srv.world(capacity=1)
        other = self.srv.create_buyer(topup=100000)
        a1 = world.place(10)                  # queued
        a2 = world.place(10)                  # pending
        b1 = self.assertStatus(self.srv.place(other["token"], world.service["id"], 10), 201)
        token = self.srv.admin_token
        mine = self.srv.list_all("/v1/admin/orders?buyer_id=%s" % world.buyer["id"], token)
        self.assertEqual([o["id"] for o in mine], [a2["id"], a1["id"]])
        theirs = self.srv.list_all("/v1/admin/orders?buyer_id=%s" % other["id"], token)
        self.assertEqual([o["id"] for o in theirs], [b1["id"]])
        pending = self.srv.list_all("/v1/admin/orders?buyer_id=%s&state=pending"
                                    % world.buyer["id"], token)
        self.assertEqual([o["id"] for o in pending], [a2["id"]])
        everyone = [o["id"] for o in self.srv.list_all("/v1/admin/orders", token)]
        for order_id in (a1["id"], a2["id"], b1["id"]):
            self.assertIn(order_id, everyone)
        self.assertEqual(len(everyone), len(set(everyone)))
        for view in mine:
            self.assertOrderView(view)
        resp = self.srv.admin("GET", "/v1/admin/orders?state=bogus")
        self.assertError(resp, 400, "invalid_request", "state")

    def test_ledger_verify_shape(self):
        result = self.srv.ledger_verify()
        self.assertEqual((result["ok"], result["problems"]), (True, []))


class TestClock(ApiTest):
    def test_advance_moves_now_exactly(self):
        world = self.srv.world()
        view = world.place(10)
        placed = parse_time_ms(view["placed_at"])
        now = self.srv.advance(1)
        self.assertEqual(now, placed + 1000)
        now2 = self.srv.advance(3600)
        self.assertEqual(now2, placed + 3601 * 1000)
        # The clock stands still between advances.
        again = world.place(10)
        self.assertEqual(parse_time_ms(again["placed_at"]), now2)

    def test_advance_limits(self):
        for seconds in (0, -1, 31536001, "5", 1.5):
            with self.subTest(seconds=seconds):
                resp = self.srv.admin("POST", "/v1/admin/test-clock/advance", {"seconds": seconds})
                self.assertError(resp, 400, "invalid_request", "seconds")
        resp = self.srv.admin("POST", "/v1/admin/test-clock/advance", {})
        self.assertError(resp, 400, "invalid_request", "seconds")

    def test_advance_one_year_is_the_maximum(self):
        server = Server(name="clock-year").start()
        try:
            before = server.advance(1)
            after = server.advance(31536000)
            self.assertEqual(after - before, 31536000 * 1000)
            server.assert_ledger_ok()
        finally:
            server.stop()

    def test_advance_without_test_clock_is_404(self):
        server = Server(name="real-clock", test_clock=False).start()
        try:
            resp = server.admin("POST", "/v1/admin/test-clock/advance", {"seconds": 5})
            self.assertError(resp, 404, "not_found")
        finally:
            server.stop()


class Lifecycle(ApiTest):
    def test_running_server_holds_its_database_for_itself(self):
        # The store opens its file through SQLite's unix-excl VFS: no other process can
        # read or write it while the server runs, and offline verify says what to do.
        server = Server(name="exclusive").start()
        try:
            world = server.world()
            world.place(10)
            result = subprocess.run([fo_client.BINARY, "verify", "--db", server.db_path],
                                    capture_output=True, timeout=60)
            self.assertEqual(result.returncode, 2, result)
            self.assertIn(b"A running server holds its database for itself", result.stderr)
            self.assertEqual(len(server.list_all("/v1/orders", world.token)), 1)
        finally:
            server.stop()
        result = subprocess.run([fo_client.BINARY, "verify", "--db", server.db_path],
                                capture_output=True, timeout=60)
        self.assertEqual(result.returncode, 0, result)

    def test_restart_keeps_everything_and_offline_verify_passes(self):
        server = Server(name="restart").start()
        try:
            world = server.world(capacity=1)
            first = world.place(1000)
            second = world.place(1000)
            world.claim_one(first["id"])
            self.assertStatus(world.progress(first["id"], 250), 200)
            cancelled = world.place(10)
            self.assertStatus(world.cancel(cancelled["id"]), 200)
            server.stop()
            result = subprocess.run([fo_client.BINARY, "verify", "--db", server.db_path],
                                    capture_output=True, timeout=120)
            self.assertEqual(result.returncode, 0, "offline verify: %r" % (result,))
            server.restart()
            got = server.order(world.token, first["id"])
            self.assertEqual((got["state"], got["delivered"]), ("executing", 250))
            self.assertEqual(server.order(world.token, second["id"])["state"], "pending")
            self.assertEqual(server.order(world.token, cancelled["id"])["state"], "cancelled")
            wallet = server.wallet(world.token)
            self.assertEqual((wallet["available_minor"], wallet["held_minor"]),
                             (10000000 - 10000, 10000))
            self.assertStatus(world.complete(first["id"], 1000), 200)
            self.assertEqual(server.order(world.token, second["id"])["state"], "queued")
            server.assert_ledger_ok()
        finally:
            server.stop()

    def test_without_admin_env_a_random_token_is_printed_once(self):
        server = Server(name="random-admin", admin_env=False).start()
        try:
            lines = [l for l in server.log_text().splitlines() if "token" in l.lower()]
            self.assertTrue(lines, "no admin token printed on standard error")
            candidates = [w.strip(".,;:'\"") for l in lines for w in l.split()]
            token = None
            for word in candidates:
                if len(word) >= 20 and server.request(
                        "GET", "/v1/admin/ledger/verify", token=word).status == 200:
                    token = word
            self.assertIsNotNone(token, "no word of %r is a working admin token" % lines)
            server.admin_token = token
            self.assertEqual(server.request("GET", "/v1/admin/ledger/verify",
                                            token="not-" + token).status, 401)
            server.stop()
            server.restart()
            self.assertNotIn(token, server.log_text(), "the token was printed again")
            self.assertEqual(server.request("GET", "/v1/admin/ledger/verify",
                                            token=token).status, 200)
        finally:
            server.stop()

    def test_demo_creates_a_catalogue_once(self):
        server = Server(name="demo", args=["--demo"]).start()
        try:
            buyer = server.create_buyer()
            services = server.list_all("/v1/services", buyer["token"])
            self.assertGreaterEqual(len(services), 1)
            self.assertIn("token", server.log_text().lower())
            server.assert_ledger_ok()
            server.stop()
            server.restart()
            again = server.list_all("/v1/services", buyer["token"])
            self.assertEqual(sorted(s["id"] for s in again), sorted(s["id"] for s in services))
        finally:
            server.stop()
