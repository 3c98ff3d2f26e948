"""API.md "GET /v1/wallet" and "GET /v1/wallet/entries": available and held, the entries
(topup, hold negative, refund) with the available balance after each, newest first; and
the rule that available + held only falls by what was charged and fees. The ledger
verification of every test (fo_client.ApiTest.tearDown) covers "the ledger balances".

Method: a scripted life of one buyer, with the expected entries written out by hand."""

import fo_client
from fo_client import ApiTest, parse_time_ms


def tearDownModule():
    fo_client.stop_module_servers(__name__)


ENTRY_FIELDS = {"id", "at", "kind", "amount_minor", "order_id", "balance_after_minor"}


class Wallet(ApiTest):
    def entries(self, world):
        return self.srv.list_all("/v1/wallet/entries", world.token)

    def test_new_buyer_wallet(self):
        buyer = self.srv.create_buyer()
        wallet = self.srv.wallet(buyer["token"])
        self.assertEqual(wallet, {"available_minor": 0, "held_minor": 0, "currency": "CNY"})
        resp = self.srv.request("GET", "/v1/wallet/entries", token=buyer["token"])
        self.assertEqual(self.assertStatus(resp, 200), {"data": [], "next_cursor": None})

    def test_entries_of_a_buyers_life(self):
        world = self.srv.world(balance=100000, cooling_off_s=0, queued="fee", fee_fixed_minor=50,
                               fee_bps=200, executing="prorated")
        self.srv.topup(world.buyer["id"], 900, reference="second top-up")
        completed = world.executing(1000, 0)                 # hold 5000
        self.assertStatus(world.complete(completed["id"], 1000), 200)
        cancelled = world.place(1000)                        # hold 5000
        self.assertStatus(world.cancel(cancelled["id"]), 200)  # refund 4850 (fee 150)
        prorated = world.executing(1000, 250)                # hold 5000
        self.assertStatus(world.cancel(prorated["id"]), 200)   # refund 3625
        failed = world.executing(1000, 100)                  # hold 5000
        self.assertStatus(world.fail(failed["id"], 100), 200)  # refund 4500
        open_order = world.place(200)                        # hold 1000
        got = self.entries(world)
        for entry in got:
            self.assertTrue(ENTRY_FIELDS <= set(entry), entry)
            parse_time_ms(entry["at"])
        simple = [(e["kind"], e["amount_minor"], e["order_id"], e["balance_after_minor"])
                  for e in got]
        expected = [
            ("topup", 100000, None, 100000),
            ("topup", 900, None, 100900),
            ("hold", -5000, completed["id"], 95900),
            ("hold", -5000, cancelled["id"], 90900),
            ("refund", 4850, cancelled["id"], 95750),
            ("hold", -5000, prorated["id"], 90750),
            ("refund", 3625, prorated["id"], 94375),
            ("hold", -5000, failed["id"], 89375),
            ("refund", 4500, failed["id"], 93875),
            ("hold", -1000, open_order["id"], 92875),
        ]
        self.assertEqual(simple, list(reversed(expected)))
        self.assertWallet(world, 92875, 1000)
        # available + held fell from 100900 by exactly charged + fees.
        charged_and_fees = 5000 + 150 + (1250 + 125) + 500
        self.assertEqual(92875 + 1000, 100900 - charged_and_fees)
        ids = [e["id"] for e in got]
        self.assertEqual(len(ids), len(set(ids)))

    def test_entries_paging(self):
        world = self.srv.world(balance=1000)
        for _ in range(6):
            world.place(1)
        first = self.srv.request("GET", "/v1/wallet/entries?limit=4", token=world.token).json
        self.assertEqual(len(first["data"]), 4)
        self.assertIsNotNone(first["next_cursor"])
        second = self.srv.request("GET", "/v1/wallet/entries?limit=4&cursor="
                                  + fo_client._quote_url(first["next_cursor"]),
                                  token=world.token).json
        self.assertEqual(len(second["data"]), 3)
        everything = first["data"] + second["data"]
        self.assertEqual([e["kind"] for e in everything], ["hold"] * 6 + ["topup"])
        self.assertEqual([e["balance_after_minor"] for e in everything],
                         [970, 975, 980, 985, 990, 995, 1000])

    def test_wallet_invariant_through_random_life(self):
        import random
        rng = random.Random(20261125)
        world = self.srv.world(balance=10 ** 9, cooling_off_s=30, queued="fee",
                               fee_fixed_minor=7, fee_bps=123, capacity=3, lease_s=20)
        total_in = 10 ** 9
        open_ids = []
        for _ in range(40):
            action = rng.choice(["place", "place", "cancel", "claim", "progress", "advance",
                                 "complete"])
            if action == "place":
                open_ids.append(world.place(rng.randint(1, 500))["id"])
            elif action == "cancel" and open_ids:
                world.cancel(rng.choice(open_ids))
            elif action == "claim":
                world.claim(rng.randint(1, 3))
            elif action in ("progress", "complete") and open_ids:
                order = world.order(rng.choice(open_ids))
                if order["state"] == "executing":
                    if action == "complete":
                        world.complete(order["id"], order["quantity"])
                    else:
                        world.progress(order["id"],
                                       rng.randint(order["delivered"], order["quantity"]))
            elif action == "advance":
                self.srv.advance(rng.randint(1, 25))
        views = self.srv.list_all("/v1/orders", world.token)
        lost = 0
        held = 0
        for view in views:
            self.assertOrderView(view)
            if view["settlement"]:
                lost += view["settlement"]["charged_minor"] + view["settlement"]["fee_minor"]
            else:
                held += view["amount_minor"]
        wallet = world.wallet()
        self.assertEqual(wallet["held_minor"], held)
        self.assertEqual(wallet["available_minor"] + wallet["held_minor"], total_in - lost)
