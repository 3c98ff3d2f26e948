"""The simulated supplier and --demo (issue 4).

A supplier created with simulate_units_per_s is run by the server itself: it claims its
queued jobs, reports progress at exactly that rate of the server's clock since the claim,
and completes them, through the same commands (and so the same settlements and ledger
postings) as an outside supplier. `serve --demo` on an empty database creates a demo shop
and prints the web page's URL and a buyer token that works, saved beside the database and
printed again on a later start.

Method: a real server with --test-clock. The clock stands still, so nothing moves until
the test advances it; the simulator ticks every 250 ms of real time, so after each advance
the test polls (bounded) for the tick's effect, then checks that nothing moves further
while the clock stands still. Money is compared to the fen; the ledger is verified after
every test.
"""

import os
import re
import stat
import time

import fo_client
from fo_client import ApiTest, Server, has_cjk

POLL_S = 15


def tearDownModule():
    fo_client.stop_module_servers(__name__)


def wait_for(what, probe, timeout_s=POLL_S):
    """Poll probe() until it returns a true value; fail naming `what` after timeout_s."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError("%s: not within %ss (last: %r)" % (what, timeout_s, last))


class SimulatedSupplier(ApiTest):
    def simulated_world(self, units_per_s=10, capacity=2, balance=100000):
        srv = self.srv
        policy = srv.create_policy()
        supplier = srv.create_supplier(capacity=capacity, simulate_units_per_s=units_per_s)
        service = srv.create_service(policy["id"], supplier["id"], unit_price_minor=5)
        buyer = srv.create_buyer(topup=balance)
        return fo_client.World(srv, policy, supplier, service, buyer)

    def wait_order(self, world, order_id, what, predicate):
        return wait_for(what, lambda: (lambda view: view if predicate(view) else None)(
            world.order(order_id)))

    def test_progresses_at_its_rate_with_the_test_clock_and_completes(self):
        world = self.simulated_world(units_per_s=10)
        view = world.place(100)  # Amount 500.
        self.wait_order(world, view["id"], "claimed", lambda v: v["state"] == "executing")
        time.sleep(0.6)  # Ticks pass; the clock stands still: nothing is delivered.
        self.assertEqual(world.order(view["id"])["delivered"], 0)

        self.srv.advance(5)
        got = self.wait_order(world, view["id"], "50 delivered", lambda v: v["delivered"] >= 50)
        self.assertEqual((got["state"], got["delivered"]), ("executing", 50))
        time.sleep(0.6)
        self.assertEqual(world.order(view["id"])["delivered"], 50)
        self.assertWallet(world, 100000 - 500, 500)

        self.srv.advance(10)
        got = self.wait_order(world, view["id"], "completed", lambda v: v["state"] == "completed")
        self.assertOrderView(got)
        self.assertEqual(got["delivered"], 100)
        self.assertSettlement(got, "completed", 500, 0, 0)
        self.assertWallet(world, 100000 - 500, 0)
        events = self.srv.request("GET", "/v1/orders/%s/events" % view["id"],
                                  token=world.token).json["data"]
        types = [event["type"] for event in events]
        self.assertEqual(types[:3], ["placed", "allocated", "claimed"])
        self.assertEqual(types[-1], "completed")
        self.assertIn("progress", types)
        for event in events[2:]:
            self.assertEqual(event["actor"], "supplier", event)
        wait_for("the completion logged", lambda: re.search(
            r"simulator\.completed order=%s" % view["id"], self.srv.log_text()))

    def test_cancel_midway_is_prorated_and_the_simulator_leaves_it(self):
        world = self.simulated_world(units_per_s=10)
        view = world.place(100)  # Amount 500.
        self.wait_order(world, view["id"], "claimed", lambda v: v["state"] == "executing")
        self.srv.advance(3)
        self.wait_order(world, view["id"], "30 delivered", lambda v: v["delivered"] >= 30)
        got = self.assertStatus(world.cancel(view["id"], {"expected_refund_minor": 293}), 200)
        # Charged 500 * 30 / 100 = 150; fee 50 + floor(350 * 2 %) = 57; refund 293.
        self.assertSettlement(got["order"], "executing_prorated", 150, 57, 293)
        self.srv.advance(30)
        time.sleep(0.6)
        got = world.order(view["id"])
        self.assertEqual((got["state"], got["delivered"]), ("cancelled", 30))
        self.assertWallet(world, 100000 - 150 - 57, 0)

    def test_capacity_keeps_orders_pending_until_a_job_completes(self):
        world = self.simulated_world(units_per_s=10, capacity=1)
        first = world.place(10)
        second = world.place(10)
        self.assertEqual(second["state"], "pending")
        self.wait_order(world, first["id"], "first claimed", lambda v: v["state"] == "executing")
        time.sleep(0.6)
        self.assertEqual(world.order(second["id"])["state"], "pending")
        self.srv.advance(1)
        self.wait_order(world, second["id"], "second claimed",
                        lambda v: v["state"] == "executing")
        self.assertEqual(world.order(first["id"])["state"], "completed")
        self.srv.advance(1)
        self.wait_order(world, second["id"], "second completed",
                        lambda v: v["state"] == "completed")
        self.assertWallet(world, 100000 - 100, 0)

    def test_outside_supplier_is_not_simulated(self):
        world = self.srv.world(capacity=2)
        view = world.place(10)
        self.srv.advance(5)
        time.sleep(0.6)
        self.assertEqual(world.order(view["id"])["state"], "queued")
        world.claim_one(view["id"])
        self.assertStatus(world.complete(view["id"], 10), 200)


DEMO_SERVICE_NAMES = {"游戏点卡 Game points card", "手机话费充值 Mobile top-up",
                      "批量短信发送 Batch SMS job"}


class Demo(ApiTest):
    """Each test runs its own --demo server on a fresh database."""

    def demo_server(self, name):
        server = Server(name=name, args=["--demo"])
        self.addCleanup(server.stop)
        return server.start()

    def printed(self, server):
        """(url, token) of the last demo block in the server's output."""
        text = server.log_text()
        urls = re.findall(r"Web page: +(http://\S+)", text)
        tokens = re.findall(r"Buyer token: +(\S+)", text)
        self.assertTrue(urls and tokens, "no demo block printed:\n" + text)
        self.assertLess(text.rindex("Web page:"), text.rindex("Buyer token:"),
                        "the URL comes before the token")
        return urls[-1], tokens[-1]

    def test_demo_prints_a_working_token_and_the_page(self):
        server = self.demo_server("demo-simulator")
        url, token = self.printed(server)
        self.assertEqual(url, "http://%s:%d/" % (server.host, server.port))
        wallet = server.wallet(token)
        self.assertEqual((wallet["available_minor"], wallet["held_minor"]), (50000, 0))
        services = server.list_all("/v1/services", token)
        self.assertEqual({s["name"] for s in services}, DEMO_SERVICE_NAMES)
        for service in services:
            self.assertTrue(has_cjk(service["unit"]), service)
            policy = service["policy"]
            self.assertEqual((policy["cooling_off_s"], policy["pending"], policy["queued"],
                              policy["executing"], policy["fee_fixed_minor"], policy["fee_bps"],
                              policy["free_cancels_per_day"]),
                             (600, "full_refund", "fee", "prorated", 50, 200, 5))
        text = server.log_text()
        self.assertIn("FAIRORDER_TOKEN=%s" % token, text)
        self.assertIn("order services", text)
        self.assertRegex(text, r"order place svc_\S+ \d+ \S+")
        page = server.request("GET", "/")
        self.assertEqual(page.status, 200)

        path = server.db_path + ".demo-buyer-token"
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as saved:
            self.assertEqual(saved.read().strip(), token)

        # Orders move: the demo supplier is simulated (10 units/s, capacity 2).
        game = [s for s in services if s["name"].startswith("游戏点卡")][0]
        first = server.must(server.place(token, game["id"], 50), 201, "place")
        server.must(server.place(token, game["id"], 50), 201, "place")
        third = server.must(server.place(token, game["id"], 50), 201, "place")
        self.assertEqual(third["state"], "pending")
        wait_for("claimed", lambda: server.order(token, first["id"])["state"] == "executing")
        server.advance(5)
        wait_for("completed", lambda: server.order(token, first["id"])["state"] == "completed")
        server.assert_ledger_ok()

    def test_demo_restart_prints_the_saved_token_or_says_it_is_gone(self):
        server = self.demo_server("demo-restart")
        _, token = self.printed(server)
        server.stop()
        server.restart()
        _, again = self.printed(server)
        self.assertEqual(again, token)
        self.assertEqual(server.wallet(again)["available_minor"], 50000)
        self.assertEqual(len(server.list_all("/v1/services", again)), 3)
        server.stop()
        os.remove(server.db_path + ".demo-buyer-token")
        server.restart()
        text = server.log_text()
        self.assertNotIn("Buyer token:", text)
        self.assertIn("demo-buyer-token", text)
        self.assertIn("gone", text)
        server.assert_ledger_ok()

    def test_demo_saves_the_admin_token_and_shows_it_again(self):
        server = Server(name="demo-admin", admin_env=False)
        self.addCleanup(server.stop)
        server.args = ["--demo"]
        server.start()
        path = server.db_path + ".admin-token"
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as saved:
            token = saved.read().strip()
        self.assertIn("admin token: %s (saved in %s)" % (token, path), server.log_text())
        resp = server.request("GET", "/v1/admin/ledger/verify", token=token)
        self.assertEqual((resp.status, resp.json["ok"]), (200, True))
        server.stop()
        server.restart()
        self.assertIn("admin token: %s (saved in %s)" % (token, path), server.log_text())

    def test_demo_leaves_a_database_with_buyers_alone(self):
        server = Server(name="demo-not-empty")
        self.addCleanup(server.stop)
        server.start()
        buyer = server.create_buyer()
        server.stop()
        server.args = ["--demo"]
        server.restart()
        self.assertEqual(server.list_all("/v1/services", buyer["token"]), [])
        self.assertIn("already has buyers", server.log_text())
        self.assertFalse(os.path.exists(server.db_path + ".demo-buyer-token"))
