"""API.md "Idempotency": on POST /v1/orders, POST /v1/orders/{id}/cancel and
POST /v1/admin/buyers/{id}/topups, the same Idempotency-Key with the same method, path and
body replays the first answer (status and body, 4xx included) and changes nothing; a
different method, path or body gets 409 idempotency_conflict; a key is scoped to its
principal, kept at least 24 hours, and is 1..255 printable ASCII.

Method: replay and compare the raw bytes of answers; check the wallet and the order list
did not change twice."""

import json
import threading

import fo_client
from fo_client import ApiTest


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class Idempotency(ApiTest):
    def order_body(self, world, quantity=1000):
        return json.dumps({"service_id": world.service["id"], "quantity": quantity,
                           "target": "p"}).encode()

    def post_order(self, world, raw, key, token=None):
        return self.srv.request("POST", "/v1/orders", token=token or world.token, raw=raw,
                                idem=key)

    def test_same_key_same_body_replays_and_changes_nothing(self):
        world = self.srv.world()
        raw = self.order_body(world)
        first = self.post_order(world, raw, "order-1")
        self.assertStatus(first, 201)
        self.srv.advance(5)       # The live quote would differ; the replay must not.
        second = self.post_order(world, raw, "order-1")
        self.assertEqual(second.status, 201)
        self.assertEqual(second.raw, first.raw)
        self.assertWallet(world, 10000000 - 5000, 5000)
        self.assertEqual([v["id"] for v in self.srv.list_all("/v1/orders", world.token)],
                         [first.json["id"]])
        # Another key places another order.
        third = self.post_order(world, raw, "order-2")
        self.assertStatus(third, 201)
        self.assertNotEqual(third.json["id"], first.json["id"])
        self.assertWallet(world, 10000000 - 10000, 10000)

    def test_same_key_different_body_path_or_method_is_conflict(self):
        world = self.srv.world()
        raw = self.order_body(world)
        self.assertStatus(self.post_order(world, raw, "k"), 201)
        for other in (self.order_body(world, 999), raw + b" ", raw.replace(b": ", b":")):
            with self.subTest(body=other[-30:]):
                self.assertError(self.post_order(world, other, "k"), 409, "idempotency_conflict")
        view = self.srv.list_all("/v1/orders", world.token)[0]
        resp = world.cancel(view["id"], {}, idem="k")
        self.assertError(resp, 409, "idempotency_conflict")
        self.assertEqual(world.order(view["id"])["state"], "queued")
        self.assertWallet(world, 10000000 - 5000, 5000)

    def test_key_is_scoped_to_its_principal(self):
        world = self.srv.world()
        other = self.srv.create_buyer(topup=10000)
        raw = self.order_body(world)
        mine = self.post_order(world, raw, "shared-key")
        theirs = self.post_order(world, raw, "shared-key", token=other["token"])
        self.assertStatus(mine, 201)
        self.assertStatus(theirs, 201)
        self.assertNotEqual(mine.json["id"], theirs.json["id"])
        self.assertEqual(theirs.json["buyer_id"], other["id"])
        self.assertWallet(other["token"], 5000, 5000)

    def test_a_4xx_answer_is_replayed_too(self):
        world = self.srv.world(balance=100)
        raw = self.order_body(world)
        first = self.post_order(world, raw, "poor")
        self.assertError(first, 402, "insufficient_funds")
        self.srv.topup(world.buyer["id"], 100000)
        second = self.post_order(world, raw, "poor")
        self.assertEqual((second.status, second.raw), (402, first.raw))
        self.assertWallet(world, 100100, 0)
        self.assertStatus(self.post_order(world, raw, "rich"), 201)
        self.assertWallet(world, 100100 - 5000, 5000)

    def test_invalid_json_answer_is_stored_and_replayed(self):
        world = self.srv.world()
        first = self.post_order(world, b"{oops", "bad-json")
        self.assertError(first, 400, "invalid_json")
        again = self.post_order(world, b"{oops", "bad-json")
        self.assertEqual((again.status, again.raw), (400, first.raw))
        self.assertError(self.post_order(world, self.order_body(world), "bad-json"), 409,
                         "idempotency_conflict")
        self.assertWallet(world, 10000000, 0)

    def test_cancel_replay_refunds_once(self):
        world = self.srv.world(cooling_off_s=0, queued="fee")
        view = world.place(1000)
        first = world.cancel(view["id"], {"reason": "oops"}, idem="cancel-1")
        self.assertStatus(first, 200)
        second = world.cancel(view["id"], {"reason": "oops"}, idem="cancel-1")
        self.assertEqual((second.status, second.raw), (200, first.raw))
        self.assertWallet(world, 10000000 - 150, 0)
        # Without a key, the second cancel is refused as already cancelled.
        err = self.assertError(world.cancel(view["id"], {"reason": "oops"}), 409,
                               "not_cancellable")
        self.assertEqual(err["quote"]["reason"], "already_cancelled")

    def test_topup_replay_credits_once(self):
        buyer = self.srv.create_buyer()
        path = "/v1/admin/buyers/%s/topups" % buyer["id"]
        body = {"amount_minor": 700, "reference": "bank-42"}
        first = self.srv.admin("POST", path, body, idem="topup-1")
        second = self.srv.admin("POST", path, body, idem="topup-1")
        self.assertStatus(first, 201)
        self.assertEqual((second.status, second.raw), (201, first.raw))
        self.assertWallet(buyer["token"], 700, 0)
        self.assertError(self.srv.admin("POST", path, dict(body, amount_minor=701),
                                        idem="topup-1"), 409, "idempotency_conflict")
        other = self.srv.create_buyer()
        resp = self.srv.admin("POST", "/v1/admin/buyers/%s/topups" % other["id"], body,
                              idem="topup-1")
        self.assertError(resp, 409, "idempotency_conflict")   # Same admin, other path.
        self.assertWallet(other["token"], 0, 0)
        self.assertWallet(buyer["token"], 700, 0)

    def test_key_kept_at_least_24_hours(self):
        world = self.srv.world()
        raw = self.order_body(world)
        first = self.post_order(world, raw, "long-lived")
        self.assertStatus(first, 201)
        self.srv.advance(24 * 3600 - 1)
        again = self.post_order(world, raw, "long-lived")
        self.assertEqual((again.status, again.raw), (201, first.raw))
        self.assertWallet(world, 10000000 - 5000, 5000)

    def test_key_length_and_characters(self):
        world = self.srv.world()
        raw = self.order_body(world, 1)
        self.assertStatus(self.post_order(world, raw, "k" * 255), 201)
        self.assertStatus(self.post_order(world, raw, "!~" + "x" * 10), 201)
        self.assertStatus(self.post_order(world, raw, "a"), 201)
        for key in ("k" * 256, "", "bad\x01key", "del\x7fkey", b"caf\xc3\xa9", b"\xff"):
            with self.subTest(key=key[:20]):
                resp = self.srv.request("POST", "/v1/orders", token=world.token, raw=raw,
                                        headers={"Idempotency-Key": key})
                self.assertError(resp, 400, "invalid_request", "Idempotency-Key")
        self.assertWallet(world, 10000000 - 15, 15)

    def test_concurrent_same_key_creates_one_order(self):
        world = self.srv.world()
        raw = self.order_body(world)
        answers = []
        lock = threading.Lock()
        barrier = threading.Barrier(8)

        def worker(_):
            barrier.wait(timeout=30)
            resp = self.post_order(world, raw, "race-key")
            with lock:
                answers.append(resp)
        fo_client.run_threads(8, worker)
        created = [a for a in answers if a.status == 201]
        self.assertGreaterEqual(len(created), 1)
        for answer in answers:
            if answer.status == 201:
                self.assertEqual(answer.raw, created[0].raw)
            else:
                self.assertError(answer, 409, "idempotency_conflict")
        self.assertWallet(world, 10000000 - 5000, 5000)
        self.assertEqual(len(self.srv.list_all("/v1/orders", world.token)), 1)

    def test_get_ignores_no_key_and_other_endpoints_are_unaffected(self):
        # A key on a request that takes none must not break it or be stored.
        world = self.srv.world()
        resp = self.srv.request("GET", "/v1/wallet", token=world.token, idem="whatever")
        self.assertStatus(resp, 200)
