"""A command refused after it wrote does not spoil its batch (issue 6; commands/writer.c).

The writer first runs every command of a batch without a savepoint of its own. A command
refused after writing can only be undone by rolling the batch back, after which the
writer runs the batch again, each command in its own savepoint. No command in normal use
does that, so this test makes one: a trigger added to the database refuses the event of
every order placed with one target, after the order row and the buyer's hold are written.

Method: one buyer places such doomed orders while another places good ones and the
supplier claims, on parallel connections, so doomed, good and claiming commands share
batches; some placements carry Idempotency-Keys. Then: every good placement answered 201
with its own order; every doomed one answered 500 internal and left nothing behind (no
order, no hold); each good order was claimed at most once and is executing exactly when
claimed; the wallets and the ledger agree; the log shows the batches that were run again;
a key answers again what it answered the first time. The API suite runs the sanitized
server: a command run twice that kept its first run's memory (a claim's list) is a leak
at exit, which fails the test."""

import sqlite3
import threading
import unittest

import fo_client
from fo_client import Server

DOOMED_TARGET = "refused-after-writing"
PER_BUYER = 24
THREADS = 8
QUANTITY = 7
UNIT_PRICE = 3
TOPUP = 100000
CLAIMS_MAX = 500


class BatchRetry(unittest.TestCase):
    def setUp(self):
        self.server = Server(name="batch-retry", test_clock=True)
        self.server.start()

    def tearDown(self):
        self.server.stop()

    def add_fault_trigger(self):
        self.server.stop()
        db = sqlite3.connect(self.server.db_path)
        try:
            db.execute(
                "CREATE TRIGGER test_refuse_after_writing AFTER INSERT ON events "
                "WHEN (SELECT target FROM orders WHERE seq = NEW.order_seq) = '%s' "
                "BEGIN SELECT RAISE(ABORT, 'injected by test_batch_retry'); END" % DOOMED_TARGET)
            db.commit()
        finally:
            db.close()
        self.server.restart()

    def test_refusal_after_writing_runs_the_batch_again(self):
        srv = self.server
        world = srv.world(unit_price_minor=UNIT_PRICE, balance=TOPUP, capacity=1000)
        doomed_buyer = srv.create_buyer(topup=TOPUP)
        self.add_fault_trigger()

        answers = {}   # (who, index) -> Response
        lock = threading.Lock()

        def place(who, index):
            token = world.token if who == "good" else doomed_buyer["token"]
            target = "player-%d" % index if who == "good" else DOOMED_TARGET
            idem = "retry-%s-%d" % (who, index) if index % 3 == 0 else None
            resp = srv.place(token, world.service["id"], QUANTITY, target=target, idem=idem)
            with lock:
                answers[(who, index)] = resp

        work = [(who, index) for index in range(PER_BUYER) for who in ("good", "doomed")]
        placing = [THREADS]
        claims = []

        def worker(slot):
            for who, index in work[slot::THREADS]:
                place(who, index)
            with lock:
                placing[0] -= 1

        def claimer():
            for _ in range(CLAIMS_MAX):
                with lock:
                    if placing[0] == 0:
                        return
                claims.append(srv.claim(world.sup_token, max_jobs=2))

        threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(THREADS)]
        threads.append(threading.Thread(target=claimer))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
            self.assertFalse(thread.is_alive(), "a placement hung")

        amount = QUANTITY * UNIT_PRICE
        good_ids = set()
        for index in range(PER_BUYER):
            good = answers[("good", index)]
            self.assertEqual(good.status, 201, good)
            self.assertEqual(good.json["target"], "player-%d" % index)
            self.assertEqual(good.json["amount_minor"], amount)
            self.assertEqual(good.json["quantity"], QUANTITY)
            self.assertEqual(good.json["state"], "queued")
            good_ids.add(good.json["id"])
            doomed = answers[("doomed", index)]
            self.assertEqual(doomed.status, 500, doomed)
            self.assertEqual(doomed.json["error"]["code"], "internal")
        self.assertEqual(len(good_ids), PER_BUYER)

        # Nothing of the doomed commands stayed; the good ones hold their amounts.
        wallet = srv.wallet(doomed_buyer["token"])
        self.assertEqual((wallet["available_minor"], wallet["held_minor"]), (TOPUP, 0))
        self.assertEqual(srv.list_all("/v1/orders", doomed_buyer["token"]), [])
        wallet = world.wallet()
        self.assertEqual((wallet["available_minor"], wallet["held_minor"]),
                         (TOPUP - PER_BUYER * amount, PER_BUYER * amount))
        claimed = [job["order_id"] for jobs in claims for job in jobs]
        self.assertEqual(len(claimed), len(set(claimed)), "an order was claimed twice")
        self.assertTrue(set(claimed) <= good_ids)
        listed = {order["id"]: order for order in srv.list_all("/v1/orders", world.token)}
        self.assertEqual(set(listed), good_ids)
        for order_id, order in listed.items():
            self.assertEqual(order["state"], "executing" if order_id in claimed else "queued")
        srv.assert_ledger_ok()

        # Each batch with a doomed command ran again (several may share one batch).
        retried = srv.log_text().count("event=writer.batch_retried")
        self.assertGreaterEqual(retried, 1, srv.log_tail())
        self.assertLessEqual(retried, PER_BUYER, srv.log_tail())

        # A key replays the good answer; a 500 is not stored (API.md), so the doomed key
        # runs its command again, refused again the same way.
        for who in ("good", "doomed"):
            first = answers[(who, 0)]
            token = world.token if who == "good" else doomed_buyer["token"]
            target = "player-0" if who == "good" else DOOMED_TARGET
            again = srv.place(token, world.service["id"], QUANTITY, target=target,
                              idem="retry-%s-0" % who)
            self.assertEqual((again.status, again.json), (first.status, first.json), who)


if __name__ == "__main__":
    unittest.main()
