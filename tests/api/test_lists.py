"""API.md "Lists": ?limit=1..200 (default 50) and ?cursor=, answering {"data": [...],
"next_cursor": ... | null}, newest first; the state filter of GET /v1/orders and the
admin list's buyer_id filter.

Method: one buyer with 55 orders in known states; every page size walks the whole list and
must return each order exactly once, in reverse placement order."""

import fo_client
from fo_client import ApiTest


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class Lists(ApiTest):
    @classmethod
    def setUpClass(cls):
        cls.world_cache = None

    def world55(self):
        """55 orders of one buyer: capacity 20, so 20 queued and 35 pending; then 5 of the
        pending cancelled (the oldest pending)."""
        if Lists.world_cache is None:
            world = self.srv.world(capacity=20)
            views = [world.place(1 + i) for i in range(55)]
            for view in views[20:25]:
                self.assertStatus(world.cancel(view["id"]), 200)
            Lists.world_cache = (world, [v["id"] for v in views])
        return Lists.world_cache

    def walk(self, path, token, limit):
        seen = []
        sep = "&" if "?" in path else "?"
        url = "%s%slimit=%d" % (path, sep, limit)
        for _ in range(500):
            body = self.assertStatus(self.srv.request("GET", url, token=token), 200, url)
            self.assertEqual(set(body), {"data", "next_cursor"})
            self.assertLessEqual(len(body["data"]), limit)
            seen.extend(v["id"] for v in body["data"])
            if body["next_cursor"] is None:
                return seen
            self.assertIsInstance(body["next_cursor"], str)
            url = "%s%slimit=%d&cursor=%s" % (path, sep, limit,
                                              fo_client._quote_url(body["next_cursor"]))
        self.fail("list did not end")

    def test_default_limit_is_50(self):
        world, ids = self.world55()
        body = self.assertStatus(self.srv.request("GET", "/v1/orders", token=world.token), 200)
        self.assertEqual([v["id"] for v in body["data"]], list(reversed(ids))[:50])
        self.assertIsNotNone(body["next_cursor"])
        for view in body["data"][:3]:
            self.assertOrderView(view)

    def test_every_page_size_returns_each_order_once_newest_first(self):
        world, ids = self.world55()
        for limit in (1, 7, 50, 54, 55, 56, 200):
            with self.subTest(limit=limit):
                self.assertEqual(self.walk("/v1/orders", world.token, limit),
                                 list(reversed(ids)))

    def test_limit_bounds(self):
        world, _ = self.world55()
        for query in ("limit=0", "limit=201", "limit=-1", "limit=abc", "limit=", "limit=1.5",
                      "limit=99999999999999999999"):
            with self.subTest(query=query):
                resp = self.srv.request("GET", "/v1/orders?" + query, token=world.token)
                self.assertError(resp, 400, "invalid_request", "limit")
        body = self.srv.request("GET", "/v1/orders?limit=200", token=world.token).json
        self.assertEqual(len(body["data"]), 55)
        self.assertIsNone(body["next_cursor"])

    def test_bad_cursor_is_400(self):
        # API.md does not spell this out; a cursor the server never issued is a bad field.
        world, _ = self.world55()
        for cursor in ("garbage", "%00", "x" * 300):
            with self.subTest(cursor=cursor[:20]):
                resp = self.srv.request("GET", "/v1/orders?cursor=" + cursor, token=world.token)
                self.assertError(resp, 400, "invalid_request", "cursor")

    def test_state_filter(self):
        world, ids = self.world55()
        newest_first = list(reversed(ids))
        cancelled = self.walk("/v1/orders?state=cancelled", world.token, 2)
        self.assertEqual(cancelled, list(reversed(ids[20:25])))
        queued = self.walk("/v1/orders?state=queued", world.token, 6)
        self.assertEqual(queued, list(reversed(ids[:20])))
        pending = self.walk("/v1/orders?state=pending", world.token, 200)
        self.assertEqual(pending, list(reversed(ids[25:])))
        self.assertEqual(self.walk("/v1/orders?state=completed", world.token, 10), [])
        self.assertEqual(sorted(cancelled + queued + pending), sorted(newest_first))
        resp = self.srv.request("GET", "/v1/orders?state=done", token=world.token)
        self.assertError(resp, 400, "invalid_request", "state")

    def test_unknown_query_parameter(self):
        # Unknown fields are refused everywhere (API.md "Conventions").
        world, _ = self.world55()
        resp = self.srv.request("GET", "/v1/orders?colour=blue", token=world.token)
        self.assertError(resp, 400, "invalid_request", "colour")

    def test_unknown_query_parameter_that_is_not_utf8_is_named_safely(self):
        # The name is echoed in error.field only when it is printable text; raw bytes would
        # make the answer invalid JSON (found by fuzzing).
        world, _ = self.world55()
        resp = self.srv.request("GET", "/v1/orders?%FF%FE=1", token=world.token)
        self.assertError(resp, 400, "invalid_request")
        self.assertEqual(resp.json["error"]["field"], "(unprintable name)")

    def test_admin_list_buyer_filter_and_paging(self):
        world, ids = self.world55()
        other = self.srv.create_buyer(topup=1000)
        theirs = self.assertStatus(self.srv.place(other["token"], world.service["id"], 1), 201)
        path = "/v1/admin/orders?buyer_id=%s" % world.buyer["id"]
        self.assertEqual(self.walk(path, self.srv.admin_token, 9), list(reversed(ids)))
        self.assertEqual(self.walk("/v1/admin/orders?buyer_id=%s" % other["id"],
                                   self.srv.admin_token, 9), [theirs["id"]])
        combined = self.walk("/v1/admin/orders?buyer_id=%s&state=cancelled"
                             % world.buyer["id"], self.srv.admin_token, 3)
        self.assertEqual(combined, list(reversed(ids[20:25])))
        everyone = self.walk("/v1/admin/orders", self.srv.admin_token, 200)
        self.assertEqual(len(everyone), len(set(everyone)))
        self.assertTrue(set(ids) | {theirs["id"]} <= set(everyone))
        self.assertEqual(everyone[0], theirs["id"])

    def test_list_while_orders_are_added_keeps_cursor_stable(self):
        world = self.srv.world()
        first = [world.place(1)["id"] for _ in range(6)]
        page = self.srv.request("GET", "/v1/orders?limit=3", token=world.token).json
        newer = [world.place(1)["id"] for _ in range(3)]
        rest = self.srv.request("GET", "/v1/orders?limit=200&cursor="
                                + fo_client._quote_url(page["next_cursor"]),
                                token=world.token).json
        got = [v["id"] for v in page["data"]] + [v["id"] for v in rest["data"]]
        self.assertEqual(got, list(reversed(first)))
        self.assertNotIn(newer[0], got)
