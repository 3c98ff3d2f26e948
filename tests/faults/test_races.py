"""DESIGN.md invariants 2, 3 and 4 under races: concurrent cancel, claim, progress,
complete and fail on the same orders.

Method: 60 queued orders; cancel threads, a claiming supplier thread (which reports
progress and completes or fails what it claimed) and a blind progress thread run at once
for at most about 3 seconds. Every answer is recorded. Then each order must have exactly
one consistent outcome: at most one successful settling request (cancel, complete, fail),
exactly one when terminal; a claimed order is never cancelled with a full refund, an order
cancelled with a full refund was never claimed (no claimed event); delivered is at least
every acknowledged progress; settlements follow API.md's arithmetic; wallets match orders;
the ledger verifies online and offline."""

import random
import subprocess
import threading
import time
import unittest

import fo_client
from fo_client import Server, ref_split

TOPUP = 10 ** 9
ORDERS = 60
QUANTITY = 100
SECONDS_MAX = 3.0


class Races(unittest.TestCase):
    def setUp(self):
        self.server = Server(name="races", test_clock=True)
        self.server.start()

    def tearDown(self):
        self.server.stop()

    def test_cancel_claim_progress_races(self):
        for seed in (11, 12):
            with self.subTest(seed=seed):
                self.one_round(seed)
        self.server.stop()
        result = subprocess.run([fo_client.BINARY, "verify", "--db", self.server.db_path],
                                capture_output=True, timeout=300)
        self.assertEqual(result.returncode, 0, "offline verify failed: %r" % (result,))

    def one_round(self, seed):
        srv = self.server
        policy = srv.create_policy(cooling_off_s=0, pending="full_refund",
                                   queued="full_refund", executing="prorated",
                                   fee_fixed_minor=10, fee_bps=100)
        supplier = srv.create_supplier(capacity=1000, lease_s=3600)
        service = srv.create_service(policy["id"], supplier["id"], unit_price_minor=3,
                                     max_quantity=QUANTITY)
        buyer = srv.create_buyer(topup=TOPUP)
        token, sup = buyer["token"], supplier["token"]
        ids = []
        for _ in range(ORDERS):
            resp = srv.place(token, service["id"], QUANTITY)
            self.assertEqual(resp.status, 201, resp)
            ids.append(resp.json["id"])

        lock = threading.Lock()
        settled = {i: [] for i in ids}      # successful settling requests per order
        claimed = set()
        progress = {i: 0 for i in ids}
        cancel_answers = {}
        deadline = time.monotonic() + SECONDS_MAX

        def note(order_id, what):
            with lock:
                settled[order_id].append(what)

        def canceller(index):
            rng = random.Random(seed * 10 + index)
            order = list(ids)
            rng.shuffle(order)
            for order_id in order:
                if time.monotonic() > deadline:
                    return
                time.sleep(rng.uniform(0, 0.01))
                resp = srv.cancel(token, order_id, {})
                if resp.status == 200:
                    note(order_id, ("cancel", resp.json["order"]["settlement"]["reason"]))
                    with lock:
                        cancel_answers[order_id] = resp.json["order"]
                elif resp.status != 409:
                    raise AssertionError("cancel: unexpected %r" % (resp,))

        def claimer(_):
            rng = random.Random(seed)
            while time.monotonic() < deadline:
                resp = srv.request("POST", "/v1/supplier/claim", token=sup, body={"max": 3})
                if resp.status != 200:
                    raise AssertionError("claim: unexpected %r" % (resp,))
                jobs = resp.json["jobs"]
                if not jobs:
                    with lock:
                        if all(settled[i] or i in claimed for i in ids):
                            return
                    time.sleep(0.005)
                    continue
                for job in jobs:
                    order_id = job["order_id"]
                    with lock:
                        if order_id in claimed:
                            raise AssertionError("order %s claimed twice" % order_id)
                        claimed.add(order_id)
                    delivered = rng.randint(0, QUANTITY)
                    resp = srv.progress(sup, order_id, delivered)
                    if resp.status == 200:
                        with lock:
                            progress[order_id] = max(progress[order_id], delivered)
                    choice = rng.random()
                    if choice < 0.4:
                        resp = srv.complete(sup, order_id, QUANTITY)
                        if resp.status == 200:
                            note(order_id, ("complete", "completed"))
                    elif choice < 0.7:
                        resp = srv.fail(sup, order_id, max(delivered, progress[order_id]))
                        if resp.status == 200:
                            note(order_id, ("fail", "supplier_failed"))

        def blind_progress(_):
            rng = random.Random(seed + 99)
            while time.monotonic() < deadline:
                order_id = rng.choice(ids)
                with lock:
                    floor = progress[order_id]
                delivered = rng.randint(floor, QUANTITY)
                resp = srv.progress(sup, order_id, delivered)
                if resp.status == 200:
                    with lock:
                        progress[order_id] = max(progress[order_id], delivered)
                elif resp.status != 409:
                    raise AssertionError("progress: unexpected %r" % (resp,))
                with lock:
                    if all(settled[i] for i in ids):
                        return

        workers = [(canceller, 0), (canceller, 1), (claimer, 0), (blind_progress, 0)]
        errors = []

        def wrap(fn, arg):
            try:
                fn(arg)
            except BaseException as err:  # noqa: B902 - reported below
                errors.append(err)
        threads = [threading.Thread(target=wrap, args=w, daemon=True) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
            self.assertFalse(thread.is_alive(), "a race thread hung")
        if errors:
            raise errors[0]

        held = 0
        lost = 0
        for order_id in ids:
            view = srv.order(token, order_id)
            events = srv.list_all("/v1/orders/%s/events" % order_id, token)
            types = [e["type"] for e in events]
            outcome = settled[order_id]
            self.assertLessEqual(len(outcome), 1, "settled twice: %s %r" % (order_id, outcome))
            self.assertGreaterEqual(view["delivered"], progress[order_id], order_id)
            self.assertEqual(order_id in claimed, "claimed" in types, (order_id, types))
            terminal = [t for t in types if t in ("completed", "cancelled", "failed")]
            if view["state"] in fo_client.TERMINAL_STATES:
                self.assertEqual(len(outcome), 1, "terminal without one acknowledged settling "
                                 "request: %s %r" % (order_id, view["state"]))
                self.assertEqual(terminal, [view["state"]], (order_id, types))
                self.assertEqual(types[-1], view["state"], (order_id, types))
                settlement = view["settlement"]
                reason = settlement["reason"]
                self.assertEqual(reason, outcome[0][1], order_id)
                if order_id in claimed:
                    self.assertNotIn(reason, fo_client.FULL_REFUND_REASONS,
                                     "claimed and refunded in full: %s" % order_id)
                if reason in fo_client.FULL_REFUND_REASONS:
                    self.assertNotIn("claimed", types, order_id)
                split = ref_split(reason, view["amount_minor"], view["quantity"],
                                  view["delivered"], policy)
                self.assertEqual((settlement["charged_minor"], settlement["fee_minor"],
                                  settlement["refund_minor"]), split, (order_id, reason))
                lost += split[0] + split[1]
                if order_id in cancel_answers:
                    self.assertEqual(cancel_answers[order_id]["settlement"], settlement)
            else:
                self.assertEqual(outcome, [], order_id)
                self.assertEqual(terminal, [], order_id)
                self.assertIn(view["state"], ("queued", "executing"), order_id)
                held += view["amount_minor"]
        outcomes = {}
        for order_id in ids:
            key = settled[order_id][0][1] if settled[order_id] else "open"
            outcomes[key] = outcomes.get(key, 0) + 1
        fo_client.log("races seed %d: %d orders, %d claimed, outcomes %r" % (
            seed, len(ids), len(claimed), sorted(outcomes.items())))
        wallet = srv.wallet(token)
        self.assertEqual(wallet["held_minor"], held)
        self.assertEqual(wallet["available_minor"] + wallet["held_minor"], TOPUP - lost)
        srv.assert_ledger_ok()
