"""Concurrency: simultaneous requests never overdraw a wallet, never settle an order twice,
and leave a ledger that verifies (DESIGN.md invariants 1, 2 and 4).

Method: threads released together by a barrier; afterwards exact counts of each answer
and exact wallet values."""

import threading

import fo_client
from fo_client import ApiTest


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class Concurrency(ApiTest):
    def race(self, count, action):
        barrier = threading.Barrier(count)
        answers = [None] * count

        def worker(index):
            barrier.wait(timeout=30)
            answers[index] = action(index)
        fo_client.run_threads(count, worker, timeout_s=120)
        return answers

    def test_16_placements_against_a_balance_for_5(self):
        world = self.srv.world(balance=5 * 5000)
        stop = threading.Event()
        negative = []

        def watch():
            while not stop.is_set():
                wallet = world.wallet()
                if wallet["available_minor"] < 0 or wallet["held_minor"] > 25000:
                    negative.append(wallet)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            answers = self.race(16, lambda i: self.srv.place(world.token, world.service["id"],
                                                             1000, target="t%d" % i))
        finally:
            stop.set()
            watcher.join(30)
        statuses = sorted(a.status for a in answers)
        self.assertEqual(statuses, [201] * 5 + [402] * 11, answers)
        for answer in answers:
            if answer.status == 402:
                self.assertError(answer, 402, "insufficient_funds")
        self.assertEqual(negative, [])
        self.assertWallet(world, 0, 25000)
        self.assertEqual(len(self.srv.list_all("/v1/orders", world.token)), 5)

    def test_concurrent_cancels_settle_once(self):
        world = self.srv.world(cooling_off_s=0, queued="fee")
        view = world.place(1000)
        answers = self.race(8, lambda i: world.cancel(view["id"]))
        ok = [a for a in answers if a.status == 200]
        self.assertEqual(len(ok), 1, answers)
        for answer in answers:
            if answer.status != 200:
                err = self.assertError(answer, 409, "not_cancellable")
                self.assertEqual(err["quote"]["reason"], "already_cancelled")
        self.assertWallet(world, 10000000 - 150, 0)

    def test_concurrent_completes_settle_once(self):
        world = self.srv.world()
        view = world.executing(1000, 0)
        answers = self.race(6, lambda i: world.complete(view["id"], 1000))
        self.assertEqual(sorted(a.status for a in answers), [200] + [409] * 5, answers)
        self.assertWallet(world, 10000000 - 5000, 0)

    def test_concurrent_claims_never_hand_out_an_order_twice(self):
        world = self.srv.world(capacity=40)
        ids = {world.place(10)["id"] for _ in range(30)}
        answers = self.race(6, lambda i: world.claim(7))
        claimed = [job["order_id"] for jobs in answers for job in jobs]
        self.assertEqual(len(claimed), len(set(claimed)), "an order was claimed twice")
        self.assertTrue(set(claimed) <= ids)
        self.assertEqual(len(claimed), 30)

    def test_parallel_topups_and_placements_keep_money_exact(self):
        world = self.srv.world(balance=1)

        def action(index):
            if index % 2 == 0:
                return self.srv.admin("POST", "/v1/admin/buyers/%s/topups" % world.buyer["id"],
                                      {"amount_minor": 5000, "reference": "r%d" % index})
            return self.srv.place(world.token, world.service["id"], 1000)
        answers = self.race(12, action)
        placed = sum(1 for i, a in enumerate(answers) if i % 2 == 1 and a.status == 201)
        for i, answer in enumerate(answers):
            expected = (201,) if i % 2 == 0 else (201, 402)
            self.assertIn(answer.status, expected, answer)
        self.assertWallet(world, 1 + 6 * 5000 - placed * 5000, placed * 5000)
