"""API.md "Supplier": claim, cumulative progress (renewing the lease), complete and fail,
with their refusals (invalid_progress, job_not_active with error.state, 404 for another
supplier's job) and their settlements and wallet effects.

Method: a fresh supplier and service per test; the test clock stands still, so "now" is
the placed_at of the order (or the value returned by the last advance)."""

import time

import fo_client
from fo_client import ApiTest, parse_time_ms


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class Claim(ApiTest):
    def test_claim_returns_jobs_with_lease(self):
        world = self.srv.world(lease_s=120)
        view = world.place(1000, target="game-id-42")
        now = parse_time_ms(view["placed_at"])
        jobs = world.claim(10)
        self.assertEqual(len(jobs), 1)
        job = jobs[0]
        self.assertTrue({"order_id", "service_id", "quantity", "delivered", "target",
                         "lease_expires_at"} <= set(job), job)
        self.assertEqual((job["order_id"], job["service_id"], job["quantity"], job["delivered"],
                          job["target"]),
                         (view["id"], world.service["id"], 1000, 0, "game-id-42"))
        self.assertEqual(parse_time_ms(job["lease_expires_at"]), now + 120 * 1000)
        got = world.order(view["id"])
        self.assertOrderView(got)
        self.assertEqual(got["state"], "executing")
        self.assertEqual(world.claim(10), [])   # Nothing queued any more.

    def test_claim_respects_max_and_takes_oldest_first(self):
        world = self.srv.world(capacity=10)
        views = [world.place(10) for _ in range(5)]
        first = world.claim(2)
        self.assertEqual([j["order_id"] for j in first], [views[0]["id"], views[1]["id"]])
        rest = world.claim(100)
        self.assertEqual([j["order_id"] for j in rest], [v["id"] for v in views[2:]])
        for view in views:
            self.assertEqual(world.order(view["id"])["state"], "executing")

    def test_claim_max_limits(self):
        world = self.srv.world()
        for body in ({"max": 0}, {"max": 101}, {"max": -1}, {"max": "1"}, {}, {"max": 1.0}):
            with self.subTest(body=body):
                resp = self.srv.request("POST", "/v1/supplier/claim", token=world.sup_token,
                                        body=body)
                self.assertError(resp, 400, "invalid_request", "max")
        resp = self.srv.request("POST", "/v1/supplier/claim", token=world.sup_token,
                                body={"max": 100})
        self.assertEqual(self.assertStatus(resp, 200), {"jobs": []})

    def test_claim_does_not_take_pending_orders(self):
        world = self.srv.world(capacity=1)
        first = world.place(10)
        second = world.place(10)
        jobs = world.claim(100)
        self.assertEqual([j["order_id"] for j in jobs], [first["id"]])
        self.assertEqual(world.order(second["id"])["state"], "pending")

    def test_claimed_event(self):
        world = self.srv.world()
        view = world.place(10)
        world.claim_one(view["id"])
        events = self.srv.request("GET", "/v1/orders/%s/events" % view["id"],
                                  token=world.token).json["data"]
        self.assertEqual((events[-1]["type"], events[-1]["actor"], events[-1]["state"]),
                         ("claimed", "supplier", "executing"))


class Progress(ApiTest):
    def test_progress_is_cumulative_and_renews_lease(self):
        world = self.srv.world(lease_s=100)
        view = world.place(1000)
        start = parse_time_ms(view["placed_at"])
        world.claim_one(view["id"])
        now = self.srv.advance(40)
        resp = world.progress(view["id"], 250)
        body = self.assertStatus(resp, 200)
        self.assertTrue({"state", "delivered", "lease_expires_at"} <= set(body), body)
        self.assertEqual((body["state"], body["delivered"]), ("executing", 250))
        self.assertEqual(parse_time_ms(body["lease_expires_at"]), now + 100 * 1000)
        self.assertEqual(now, start + 40000)
        # The same value again is fine (not decreasing), and renews again.
        now = self.srv.advance(10)
        body = self.assertStatus(world.progress(view["id"], 250), 200)
        self.assertEqual(parse_time_ms(body["lease_expires_at"]), now + 100 * 1000)
        got = world.order(view["id"])
        self.assertEqual((got["state"], got["delivered"]), ("executing", 250))

    def test_decreasing_or_too_large_progress_is_invalid_and_changes_nothing(self):
        world = self.srv.world()
        view = world.executing(1000, 300)
        for delivered in (299, 0, 1001):
            with self.subTest(delivered=delivered):
                self.assertError(world.progress(view["id"], delivered), 409, "invalid_progress")
        for delivered in (-1, "5", 1.5, None):
            with self.subTest(delivered=delivered):
                self.assertError(world.progress(view["id"], delivered), 400, "invalid_request",
                                 "delivered")
        got = world.order(view["id"])
        self.assertEqual((got["state"], got["delivered"]), ("executing", 300))
        self.assertEqual(got, view)

    def test_reaching_quantity_does_not_complete(self):
        world = self.srv.world()
        view = world.executing(1000, 1000)
        self.assertEqual((view["state"], view["delivered"]), ("executing", 1000))

    def test_progress_on_non_executing_is_job_not_active_with_state(self):
        world = self.srv.world(capacity=1)
        queued = world.place(10)
        pending = world.place(10)
        for view, state in ((queued, "queued"), (pending, "pending")):
            with self.subTest(state=state):
                err = self.assertError(world.progress(view["id"], 1), 409, "job_not_active")
                self.assertEqual(err["state"], state)
                self.assertError(world.complete(view["id"], 10), 409, "job_not_active")
                self.assertError(world.fail(view["id"], 0), 409, "job_not_active")
        world.claim_one(queued["id"])
        self.assertStatus(world.complete(queued["id"], 10), 200)
        err = self.assertError(world.progress(queued["id"], 10), 409, "job_not_active")
        self.assertEqual(err["state"], "completed")
        world.claim_one(pending["id"])
        self.assertStatus(world.progress(pending["id"], 3), 200)
        self.assertStatus(world.cancel(pending["id"]), 200)
        for resp in (world.progress(pending["id"], 4), world.complete(pending["id"], 10),
                     world.fail(pending["id"], 3)):
            err = self.assertError(resp, 409, "job_not_active")
            self.assertEqual(err["state"], "cancelled")
        got = world.order(pending["id"])
        self.assertEqual((got["state"], got["delivered"]), ("cancelled", 3))

    def test_another_suppliers_job_is_404(self):
        world = self.srv.world()
        other = self.srv.create_supplier()
        view = world.executing(10, 1)
        self.assertError(self.srv.progress(other["token"], view["id"], 2), 404, "not_found")
        self.assertEqual(world.order(view["id"])["delivered"], 1)


class CompleteAndFail(ApiTest):
    def test_complete_settles_charged_amount(self):
        world = self.srv.world()
        view = world.executing(1000, 600)
        self.assertWallet(world, 10000000 - 5000, 5000)
        resp = world.complete(view["id"], 1000)
        done = self.assertStatus(resp, 200)
        self.assertOrderView(done)
        self.assertEqual((done["state"], done["delivered"]), ("completed", 1000))
        self.assertSettlement(done, "completed", 5000, 0, 0)
        self.assertEqual(parse_time_ms(done["settlement"]["at"]),
                         parse_time_ms(done["updated_at"]))
        self.assertWallet(world, 10000000 - 5000, 0)
        events = self.srv.request("GET", "/v1/orders/%s/events" % view["id"],
                                  token=world.token).json["data"]
        self.assertEqual((events[-1]["type"], events[-1]["actor"], events[-1]["state"],
                          events[-1]["delivered"]), ("completed", "supplier", "completed", 1000))

    def test_complete_without_prior_progress(self):
        world = self.srv.world()
        view = world.executing(10, 0)
        done = self.assertStatus(world.complete(view["id"], 10), 200)
        self.assertSettlement(done, "completed", 50, 0, 0)

    def test_complete_with_wrong_delivered_is_invalid_progress(self):
        world = self.srv.world()
        view = world.executing(1000, 600)
        for delivered in (999, 1001, 600, 0):
            with self.subTest(delivered=delivered):
                self.assertError(world.complete(view["id"], delivered), 409, "invalid_progress")
        self.assertEqual(world.order(view["id"]), view)
        self.assertWallet(world, 10000000 - 5000, 5000)

    def test_fail_charges_delivered_units_without_fee(self):
        world = self.srv.world(fee_fixed_minor=50, fee_bps=200)
        view = world.executing(1000, 250)
        resp = world.fail(view["id"], 250, "out of stock")
        done = self.assertStatus(resp, 200)
        self.assertOrderView(done)
        self.assertEqual(done["state"], "failed")
        self.assertSettlement(done, "supplier_failed", 1250, 0, 3750)
        self.assertWallet(world, 10000000 - 1250, 0)
        events = self.srv.request("GET", "/v1/orders/%s/events" % view["id"],
                                  token=world.token).json["data"]
        self.assertEqual((events[-1]["type"], events[-1]["actor"], events[-1]["state"]),
                         ("failed", "supplier", "failed"))

    def test_fail_may_report_more_delivered_but_not_less(self):
        world = self.srv.world()
        view = world.executing(1000, 250)
        self.assertError(world.fail(view["id"], 249), 409, "invalid_progress")
        self.assertError(world.fail(view["id"], 1001), 409, "invalid_progress")
        self.assertEqual(world.order(view["id"])["state"], "executing")
        done = self.assertStatus(world.fail(view["id"], 400, "partial"), 200)
        self.assertEqual(done["delivered"], 400)
        self.assertSettlement(done, "supplier_failed", 2000, 0, 3000)

    def test_fail_reason_limits(self):
        world = self.srv.world()
        view = world.executing(10, 0)
        self.assertError(world.fail(view["id"], 0, "r" * 501), 400, "invalid_request", "reason")
        done = self.assertStatus(world.fail(view["id"], 0, "因" * 500), 200)
        self.assertSettlement(done, "supplier_failed", 0, 0, 50)
        self.assertWallet(world, 10000000, 0)

    def test_double_complete_is_job_not_active(self):
        world = self.srv.world()
        view = world.executing(10, 0)
        self.assertStatus(world.complete(view["id"], 10), 200)
        err = self.assertError(world.complete(view["id"], 10), 409, "job_not_active")
        self.assertEqual(err["state"], "completed")
        self.assertWallet(world, 10000000 - 50, 0)

    def test_full_lifecycle_events(self):
        world = self.srv.world()
        view = world.place(100)
        world.claim_one(view["id"])
        self.assertStatus(world.progress(view["id"], 40), 200)
        self.assertStatus(world.complete(view["id"], 100), 200)
        events = self.srv.request("GET", "/v1/orders/%s/events" % view["id"],
                                  token=world.token).json["data"]
        self.assertEqual([(e["type"], e["actor"], e["state"], e["delivered"]) for e in events],
                         [("placed", "buyer", "pending", 0),
                          ("allocated", "system", "queued", 0),
                          ("claimed", "supplier", "executing", 0),
                          ("progress", "supplier", "executing", 40),
                          ("completed", "supplier", "completed", 100)])
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), len(seqs))


class Simulated(ApiTest):
    def test_simulated_supplier_completes_orders_on_the_server_clock(self):
        world = self.srv.world()
        sim = self.srv.create_supplier(capacity=5, simulate_units_per_s=100)
        svc = self.srv.create_service(world.policy["id"], sim["id"])
        view = self.assertStatus(self.srv.place(world.token, svc["id"], 250), 201)
        state = None
        for _ in range(40):
            self.srv.advance(1)
            got = world.order(view["id"])
            state = got["state"]
            if state == "completed":
                break
            time.sleep(0.1)
        self.assertEqual(state, "completed", "the simulated supplier did not finish 250 units "
                         "at 100/s within 40 advanced seconds")
        self.assertSettlement(got, "completed", 1250, 0, 0)
