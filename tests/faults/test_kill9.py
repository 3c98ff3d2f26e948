"""DESIGN.md invariant 6: an answered request survives `kill -9` of the server.

Method: the release server (real clock) on a temporary database; buyer threads place and
cancel orders and a supplier thread claims, reports progress and completes, for at most
about 3 seconds and a few thousand requests; every 2xx answer is recorded. The server is
killed with SIGKILL in the middle of that load, restarted on the same database, and then:
every acknowledged order exists with its acknowledged amount and (at least) its
acknowledged state; each wallet matches its orders exactly; GET /v1/admin/ledger/verify
is ok:true; and after a graceful stop, the offline `verify --db` exits 0. Two rounds."""

import random
import subprocess
import threading
import time
import unittest

import fo_client
from fo_client import Server

TOPUP = 10 ** 9
ROUND_SECONDS_MAX = 3.0
REQUESTS_MAX = 3000


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.orders = {}            # order id -> (buyer token, amount, quantity)
        self.cancel_tried = set()
        self.cancelled = set()      # acknowledged 200
        self.claimed = set()
        self.completed = set()
        self.progress = {}          # order id -> highest acknowledged delivered
        self.requests = 0

    def count(self):
        with self.lock:
            self.requests += 1
            return self.requests


class Kill9UnderLoad(unittest.TestCase):
    def setUp(self):
        self.server = Server(name="kill9", test_clock=False)
        self.server.start()

    def tearDown(self):
        self.server.stop()

    def build_world(self):
        srv = self.server
        policy = srv.create_policy(cooling_off_s=600, free_cancels_per_day=1000,
                                   pending="full_refund", queued="full_refund",
                                   executing="prorated", fee_fixed_minor=3, fee_bps=100)
        supplier = srv.create_supplier(capacity=10000, lease_s=3600)
        service = srv.create_service(policy["id"], supplier["id"], unit_price_minor=3,
                                     max_quantity=1000)
        buyers = [srv.create_buyer(topup=TOPUP) for _ in range(4)]
        return service, supplier, buyers

    def run_round(self, rec, service, supplier, buyers, seed):
        srv = self.server
        stop = threading.Event()
        deadline = time.monotonic() + ROUND_SECONDS_MAX

        def buyer_loop(index):
            rng = random.Random(seed * 100 + index)
            token = buyers[index]["token"]
            mine = []
            while not stop.is_set() and time.monotonic() < deadline:
                if rec.count() > REQUESTS_MAX:
                    return
                try:
                    if mine and rng.random() < 0.3:
                        order_id = mine.pop(rng.randrange(len(mine)))
                        with rec.lock:
                            rec.cancel_tried.add(order_id)
                        resp = srv.cancel(token, order_id, {}, timeout=10)
                        if resp.status == 200:
                            with rec.lock:
                                rec.cancelled.add(order_id)
                    else:
                        quantity = rng.randint(1, 1000)
                        resp = srv.place(token, service["id"], quantity, timeout=10)
                        if resp.status == 201:
                            with rec.lock:
                                rec.orders[resp.json["id"]] = (token, resp.json["amount_minor"],
                                                               quantity)
                            mine.append(resp.json["id"])
                except OSError:
                    return      # The server is gone: this request's outcome is unknown.

        def supplier_loop(_):
            token = supplier["token"]
            while not stop.is_set() and time.monotonic() < deadline:
                if rec.count() > REQUESTS_MAX:
                    return
                try:
                    jobs = srv.request("POST", "/v1/supplier/claim", token=token,
                                       body={"max": 3}, timeout=10)
                    if jobs.status != 200:
                        continue
                    for job in jobs.json["jobs"]:
                        with rec.lock:
                            rec.claimed.add(job["order_id"])
                        half = job["quantity"] // 2
                        resp = srv.progress(token, job["order_id"], half)
                        if resp.status == 200:
                            with rec.lock:
                                rec.progress[job["order_id"]] = half
                        if job["quantity"] % 2 == 0:
                            resp = srv.complete(token, job["order_id"], job["quantity"])
                            if resp.status == 200:
                                with rec.lock:
                                    rec.completed.add(job["order_id"])
                except OSError:
                    return

        threads = [threading.Thread(target=buyer_loop, args=(i,), daemon=True)
                   for i in range(len(buyers))]
        threads.append(threading.Thread(target=supplier_loop, args=(0,), daemon=True))
        for thread in threads:
            thread.start()
        time.sleep(random.Random(seed).uniform(0.8, 1.6))
        self.server.kill9()                  # Mid-load: requests are in flight.
        stop.set()
        for thread in threads:
            thread.join(30)
            self.assertFalse(thread.is_alive(), "a client thread hung after kill -9")

    def check(self, rec, buyers):
        srv = self.server
        self.assertGreater(len(rec.orders), 10, "too little load before the kill")
        for order_id, (token, amount, quantity) in rec.orders.items():
            view = srv.order(token, order_id)
            self.assertEqual((view["amount_minor"], view["quantity"]), (amount, quantity),
                             order_id)
            state = view["state"]
            if order_id in rec.cancelled:
                self.assertEqual(state, "cancelled", "acknowledged cancel lost: %s" % order_id)
            elif order_id in rec.completed:
                self.assertEqual(state, "completed", "acknowledged completion lost: %s"
                                 % order_id)
            else:
                # A claim or completion whose answer was lost may have been applied.
                allowed = {"queued", "pending", "executing", "completed"}
                if order_id in rec.cancel_tried:
                    allowed.add("cancelled")     # Its cancel may have been applied unanswered.
                self.assertIn(state, allowed, "order %s" % order_id)
            if order_id in rec.claimed:
                self.assertIn(state, ("executing", "completed", "cancelled"), order_id)
                if state == "cancelled":
                    self.assertIn(order_id, rec.cancel_tried, order_id)
            if order_id in rec.progress:
                self.assertGreaterEqual(view["delivered"], rec.progress[order_id], order_id)
            if state == "cancelled" and order_id in rec.claimed:
                self.assertEqual(view["settlement"]["reason"], "executing_prorated", order_id)
        fo_client.log("kill9: %d acknowledged orders, %d cancels, %d claims, %d completions "
                      "checked after restart" % (len(rec.orders), len(rec.cancelled),
                                                 len(rec.claimed), len(rec.completed)))
        for buyer in buyers:
            views = srv.list_all("/v1/orders", buyer["token"])
            held = sum(v["amount_minor"] for v in views if v["settlement"] is None)
            lost = sum(v["settlement"]["charged_minor"] + v["settlement"]["fee_minor"]
                       for v in views if v["settlement"] is not None)
            wallet = srv.wallet(buyer["token"])
            self.assertEqual(wallet["held_minor"], held, buyer["id"])
            self.assertEqual(wallet["available_minor"] + wallet["held_minor"], TOPUP - lost,
                             buyer["id"])
        srv.assert_ledger_ok()

    def test_kill9_under_load_loses_nothing_acknowledged(self):
        service, supplier, buyers = self.build_world()
        rec = Recorder()
        for seed in (1, 2):
            self.run_round(rec, service, supplier, buyers, seed)
            self.server.restart()
            self.check(rec, buyers)
            rec.requests = 0
        self.server.stop()
        result = subprocess.run([fo_client.BINARY, "verify", "--db", self.server.db_path],
                                capture_output=True, timeout=300)
        self.assertEqual(result.returncode, 0, "offline verify failed: %r" % (result,))
