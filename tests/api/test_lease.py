"""API.md lease expiry: a job whose lease (the supplier's lease_s) runs out without progress
fails with supplier_timeout (charged for delivered units, no fee, the rest refunded); a
lease has run out when now >= lease_expires_at; advancing the test clock applies expired
leases before it answers; progress renews the lease; the freed capacity is allocated.

Method: the test clock is moved to one second before and exactly at each expiry."""

import fo_client
from fo_client import ApiTest, parse_time_ms


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class Lease(ApiTest):
    def test_lease_runs_out_exactly_at_lease_s(self):
        world = self.srv.world(lease_s=60, fee_fixed_minor=50, fee_bps=200)
        view = world.executing(1000, 250)
        self.srv.advance(59)
        got = world.order(view["id"])
        self.assertEqual(got["state"], "executing")
        self.srv.advance(1)
        # No sleeping: the advance has already applied the expired lease.
        got = world.order(view["id"])
        self.assertOrderView(got)
        self.assertEqual((got["state"], got["delivered"]), ("failed", 250))
        self.assertSettlement(got, "supplier_timeout", 1250, 0, 3750)
        self.assertEqual(parse_time_ms(got["settlement"]["at"]),
                         parse_time_ms(view["updated_at"]) + 60 * 1000)
        self.assertWallet(world, 10000000 - 1250, 0)
        err = self.assertError(world.progress(view["id"], 300), 409, "job_not_active")
        self.assertEqual(err["state"], "failed")
        events = self.srv.request("GET", "/v1/orders/%s/events" % view["id"],
                                  token=world.token).json["data"]
        self.assertEqual((events[-1]["type"], events[-1]["state"], events[-1]["actor"]),
                         ("failed", "failed", "system"))

    def test_progress_renews_the_lease(self):
        world = self.srv.world(lease_s=60)
        view = world.place(1000)
        world.claim_one(view["id"])
        self.srv.advance(50)
        self.assertStatus(world.progress(view["id"], 10), 200)   # Lease now ends at +110.
        self.srv.advance(59)                                     # +109
        self.assertEqual(world.order(view["id"])["state"], "executing")
        self.assertStatus(world.progress(view["id"], 20), 200)   # Lease now ends at +169.
        self.srv.advance(59)                                     # +168
        self.assertEqual(world.order(view["id"])["state"], "executing")
        self.srv.advance(1)                                      # +169
        got = world.order(view["id"])
        self.assertEqual(got["state"], "failed")
        self.assertSettlement(got, "supplier_timeout", 100, 0, 4900)

    def test_one_big_advance_expires_many_leases(self):
        world = self.srv.world(lease_s=10, capacity=50)
        views = [world.place(10) for _ in range(12)]
        world.claim(100)
        self.srv.advance(3600)
        for view in views:
            got = world.order(view["id"])
            self.assertEqual(got["state"], "failed")
            self.assertSettlement(got, "supplier_timeout", 0, 0, 50)
        self.assertWallet(world, 10000000, 0)

    def test_expiry_allocates_the_next_pending_order(self):
        world = self.srv.world(lease_s=30, capacity=1)
        first = world.place(10)
        second = world.place(10)
        world.claim_one(first["id"])
        self.assertEqual(world.order(second["id"])["state"], "pending")
        self.srv.advance(30)
        self.assertEqual(world.order(first["id"])["state"], "failed")
        self.assertEqual(world.order(second["id"])["state"], "queued")
        self.assertEqual([j["order_id"] for j in world.claim(5)], [second["id"]])

    def test_queued_orders_do_not_expire(self):
        world = self.srv.world(lease_s=10)
        view = world.place(10)
        self.srv.advance(100000)
        self.assertEqual(world.order(view["id"])["state"], "queued")

    def test_complete_after_expiry_is_job_not_active(self):
        world = self.srv.world(lease_s=10)
        view = world.executing(10, 5)
        self.srv.advance(10)
        err = self.assertError(world.complete(view["id"], 10), 409, "job_not_active")
        self.assertEqual(err["state"], "failed")
        got = world.order(view["id"])
        self.assertSettlement(got, "supplier_timeout", 25, 0, 25)
