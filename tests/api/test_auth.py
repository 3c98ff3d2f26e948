"""API.md "Auth": missing or unknown token 401, wrong role 403, and a buyer or supplier
asking for what is not its own gets 404 (existence is not revealed).

Method: every endpoint is called with no token, a bad token and each wrong role; buyer A
and buyer B (and supplier A and supplier B) try each other's orders and jobs, and the
owner's state and money are checked to be untouched."""

import fo_client
from fo_client import ApiTest


def tearDownModule():
    fo_client.stop_module_servers(__name__)


BUYER_ENDPOINTS = [
    ("GET", "/v1/services", None),
    ("POST", "/v1/orders", {"service_id": "svc_x", "quantity": 1, "target": "p"}),
    ("GET", "/v1/orders", None),
    ("GET", "/v1/orders/ord_x", None),
    ("GET", "/v1/orders/ord_x/events", None),
    ("POST", "/v1/orders/ord_x/cancel", {}),
    ("GET", "/v1/wallet", None),
    ("GET", "/v1/wallet/entries", None),
]
SUPPLIER_ENDPOINTS = [
    ("POST", "/v1/supplier/claim", {"max": 1}),
    ("POST", "/v1/supplier/jobs/ord_x/progress", {"delivered": 1}),
    ("POST", "/v1/supplier/jobs/ord_x/complete", {"delivered": 1}),
    ("POST", "/v1/supplier/jobs/ord_x/fail", {"delivered": 0, "reason": "x"}),
]
ADMIN_ENDPOINTS = [
    ("POST", "/v1/admin/buyers", {"name": "x"}),
    ("POST", "/v1/admin/suppliers", {"name": "x", "capacity": 1}),
    ("POST", "/v1/admin/policies", {"name": "x"}),
    ("POST", "/v1/admin/services", {"name": "x"}),
    ("PATCH", "/v1/admin/services/svc_x", {"active": False}),
    ("POST", "/v1/admin/buyers/byr_x/topups", {"amount_minor": 1, "reference": "r"}),
    ("GET", "/v1/admin/orders", None),
    ("GET", "/v1/admin/ledger/verify", None),
    ("POST", "/v1/admin/test-clock/advance", {"seconds": 1}),
]


def call(srv, method, path, token, body):
    if body is None:
        return srv.request(method, path, token=token)
    return srv.request(method, path, token=token, body=body)


class Unauthorized(ApiTest):
    def test_missing_token_is_401_everywhere(self):
        for method, path, body in BUYER_ENDPOINTS + SUPPLIER_ENDPOINTS + ADMIN_ENDPOINTS:
            with self.subTest(method=method, path=path):
                self.assertError(call(self.srv, method, path, None, body), 401, "unauthorized")

    def test_unknown_or_malformed_tokens_are_401(self):
        world = self.srv.world()
        bad_headers = ["Bearer nope", "Bearer " + world.token + "x", "Bearer " + world.token[:-1],
                       "Basic " + world.token, "Bearer", "Bearer ", world.token, "",
                       "Bearer " + "A" * 5000, "Bearer " + self.srv.admin_token[:-1]]
        for value in bad_headers:
            with self.subTest(authorization=value[:60]):
                resp = self.srv.request("GET", "/v1/wallet", headers={"Authorization": value})
                self.assertError(resp, 401, "unauthorized")
        for method, path, body in ADMIN_ENDPOINTS:
            with self.subTest(method=method, path=path):
                resp = call(self.srv, method, path, "wrong-" + self.srv.admin_token, body)
                self.assertError(resp, 401, "unauthorized")

    def test_healthz_needs_no_token(self):
        resp = self.srv.request("GET", "/healthz")
        self.assertEqual((resp.status, resp.json), (200, {"ok": True}))


class Roles(ApiTest):
    def test_buyer_may_not_call_admin_or_supplier_endpoints(self):
        world = self.srv.world()
        for method, path, body in ADMIN_ENDPOINTS + SUPPLIER_ENDPOINTS:
            with self.subTest(method=method, path=path):
                self.assertError(call(self.srv, method, path, world.token, body), 403,
                                 "forbidden")
        self.assertWallet(world, 10000000, 0)

    def test_supplier_may_not_call_admin_or_buyer_endpoints(self):
        world = self.srv.world()
        for method, path, body in ADMIN_ENDPOINTS + BUYER_ENDPOINTS:
            if path == "/v1/services":
                continue  # Reading the public catalogue is harmless; not asserted.
            with self.subTest(method=method, path=path):
                self.assertError(call(self.srv, method, path, world.sup_token, body), 403,
                                 "forbidden")

    def test_admin_may_not_act_as_buyer_or_supplier(self):
        world = self.srv.world()
        token = self.srv.admin_token
        resp = self.srv.place(token, world.service["id"], 10)
        self.assertError(resp, 403, "forbidden")
        self.assertError(self.srv.request("GET", "/v1/wallet", token=token), 403, "forbidden")
        for method, path, body in SUPPLIER_ENDPOINTS:
            with self.subTest(method=method, path=path):
                self.assertError(call(self.srv, method, path, token, body), 403, "forbidden")

    def test_admin_reads_any_order(self):
        world = self.srv.world()
        view = world.place(10)
        got = self.srv.order(self.srv.admin_token, view["id"])
        self.assertEqual(got["id"], view["id"])
        self.assertEqual(got["buyer_id"], world.buyer["id"])
        self.assertOrderView(got)


class Ownership(ApiTest):
    def test_buyer_never_sees_or_cancels_another_buyers_order(self):
        world = self.srv.world()
        other = self.srv.create_buyer(topup=1000)
        view = world.place(1000)
        for path in ("/v1/orders/%s" % view["id"], "/v1/orders/%s/events" % view["id"]):
            with self.subTest(path=path):
                self.assertError(self.srv.request("GET", path, token=other["token"]), 404,
                                 "not_found")
        for body in ({}, {"expected_refund_minor": 0}):
            resp = self.srv.cancel(other["token"], view["id"], body)
            self.assertError(resp, 404, "not_found")
        # The same answer as for an order that does not exist.
        missing = self.srv.request("GET", "/v1/orders/ord_doesnotexist", token=other["token"])
        mine = self.srv.request("GET", "/v1/orders/%s" % view["id"], token=other["token"])
        self.assertEqual(mine.json["error"]["code"], missing.json["error"]["code"])
        listed = self.srv.list_all("/v1/orders", other["token"])
        self.assertEqual(listed, [])
        self.assertEqual(world.order(view["id"])["state"], "queued")
        self.assertWallet(world, 10000000 - 5000, 5000)
        self.assertWallet(other["token"], 1000, 0)

    def test_supplier_never_touches_another_suppliers_job(self):
        world = self.srv.world()
        other = self.srv.create_supplier(capacity=10)
        view = world.place(1000)
        self.assertEqual(self.srv.claim(other["token"]), [])   # Not its queue.
        world.claim_one(view["id"])
        self.assertStatus(world.progress(view["id"], 100), 200)
        for resp in (self.srv.progress(other["token"], view["id"], 200),
                     self.srv.complete(other["token"], view["id"], 1000),
                     self.srv.fail(other["token"], view["id"], 200)):
            self.assertError(resp, 404, "not_found")
        got = world.order(view["id"])
        self.assertEqual((got["state"], got["delivered"]), ("executing", 100))
        for resp in (self.srv.progress(other["token"], "ord_doesnotexist", 1),
                     self.srv.complete(other["token"], "ord_doesnotexist", 1)):
            self.assertError(resp, 404, "not_found")

    def test_buyer_tokens_are_distinct_principals(self):
        world = self.srv.world()
        other = self.srv.create_buyer(topup=777)
        self.assertNotEqual(world.token, other["token"])
        self.assertWallet(other["token"], 777, 0)
        self.assertWallet(world, 10000000, 0)
