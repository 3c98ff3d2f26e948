"""API.md "--rate-per-token N": a token sending more than N requests per second (bursts
up to 2N) gets 429 rate_limited with Retry-After; other tokens are unaffected; after
waiting Retry-After seconds the token is served again.

Method: a server of its own started with --rate-per-token 5 (real clock), a tight burst
of requests from one token, then another token, then a wait."""

import time

import fo_client
from fo_client import ApiTest

RATE = 5


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class RateLimit(ApiTest):
    server_options = {"test_clock": False, "args": ["--rate-per-token", str(RATE)]}

    def test_burst_then_429_with_retry_after(self):
        busy = self.srv.create_buyer()
        calm = self.srv.create_buyer()
        started = time.monotonic()
        answers = [self.srv.request("GET", "/v1/wallet", token=busy["token"]) for _ in range(40)]
        elapsed = time.monotonic() - started
        ok = [a for a in answers if a.status == 200]
        limited = [a for a in answers if a.status == 429]
        self.assertEqual(len(ok) + len(limited), 40, [a.status for a in answers])
        self.assertGreaterEqual(len(ok), 2 * RATE, "a burst of 2N must be allowed")
        self.assertLessEqual(len(ok), 2 * RATE + int(RATE * elapsed) + 1,
                             "more than 2N + N/s allowed (%d in %.2fs)" % (len(ok), elapsed))
        self.assertTrue(limited, "no 429 after 40 requests")
        err = self.assertError(limited[0], 429, "rate_limited")
        self.assertTrue(err["message"])
        retry = limited[0].headers.get("retry-after")
        self.assertIsNotNone(retry, "429 without Retry-After")
        self.assertTrue(retry.isdigit() and 1 <= int(retry) <= 60, retry)
        # Another token is not affected.
        self.assertEqual(self.srv.request("GET", "/v1/wallet", token=calm["token"]).status, 200)
        time.sleep(int(retry) + 0.2)
        self.assertEqual(self.srv.request("GET", "/v1/wallet", token=busy["token"]).status, 200)

    def tearDown(self):
        time.sleep(2.5)   # Let the admin token's bucket refill before the ledger check.
        super().tearDown()
