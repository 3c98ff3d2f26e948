"""Server robustness: garbage bytes, truncated and malformed requests, huge request lines
and headers, pipelining and idle connections. The server answers (an HTTP 4xx, with the
JSON error shape where API.md promises it) or closes cleanly, never crashes, and keeps
serving: GET /healthz still answers 200 after each.

Method: raw sockets, so the bytes on the wire are exactly what the test says."""

import struct
import json
import socket
import time

import fo_client
from fo_client import ApiTest, Server, parse_raw_response


def tearDownModule():
    fo_client.stop_module_servers(__name__)


class Robustness(ApiTest):
    def healthy(self):
        resp = self.srv.request("GET", "/healthz", timeout=10)
        self.assertEqual((resp.status, resp.json), (200, {"ok": True}))

    def answer_or_close(self, data, **kw):
        reply = self.srv.raw(data, **kw)
        if reply:
            status, _, _ = parse_raw_response(reply)
            self.assertIsNotNone(status, "not an HTTP answer: %r" % reply[:200])
            # 505 is HTTP's own answer to an unsupported version: a clean refusal too.
            self.assertTrue(400 <= status < 500 or status == 505,
                            "expected a 4xx, got %r" % reply[:200])
        self.healthy()
        return reply

    def test_garbage_bytes(self):
        for data in (b"\x00\xff\xfe garbage\r\n\r\n", b"\r\n\r\n\r\n", b"HELLO\r\n\r\n",
                     bytes(range(256)) * 8, b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHeader\r\n\r\n",
                     b"G\x00T /healthz HTTP/1.1\r\n\r\n"):
            with self.subTest(data=data[:30]):
                self.answer_or_close(data, timeout=5, shutdown_write=True)

    def test_truncated_requests(self):
        for data in (b"POST /v1/orders HTTP/1.1\r\nHost: x\r\n", b"GET /v1/wall",
                     b"GET /healthz HTTP/1.1\r\nHost: x"):
            with self.subTest(data=data[:40]):
                # The client gives up half-way through the head: nothing to act on.
                self.srv.raw(data, timeout=1, shutdown_write=True)
                self.healthy()

    def test_clients_vanishing_mid_body_are_dropped_and_do_not_delay_sigterm(self):
        # A server of its own: what it keeps of these connections shows in its stop time.
        server = Server(name="vanish").start()
        try:
            world = server.world()
            head = (b"POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + world.token.encode() + b"\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 5000\r\n\r\n")
            for body_bytes, half_close in ((0, False), (1, False), (100, False), (4000, False),
                                           (100, True), (0, True)):
                sock = socket.create_connection((server.host, server.port), timeout=5)
                sock.sendall(head + b" " * body_bytes)
                if half_close:
                    sock.shutdown(socket.SHUT_WR)
                sock.close()
            time.sleep(0.5)
            resp = server.request("GET", "/healthz", timeout=10)
            self.assertEqual(resp.status, 200)
            wallet = server.wallet(world.token)
            self.assertEqual((wallet["available_minor"], wallet["held_minor"]), (10000000, 0))
            started = time.monotonic()
            server.stop()
            elapsed = time.monotonic() - started
            self.assertLess(elapsed, 10.0, "SIGTERM took %.1fs: the server kept connections "
                            "whose clients had already closed them" % elapsed)
        finally:
            server.stop()

    def test_huge_request_line(self):
        self.answer_or_close(b"GET /" + b"a" * 200000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                             timeout=10)
        self.answer_or_close(b"GET /v1/orders?limit=" + b"9" * 20000 + b" HTTP/1.1\r\n"
                             b"Host: x\r\n\r\n", timeout=10)

    def test_many_headers_under_64_kib_get_json_431(self):
        world = self.srv.world()
        # Many moderate headers (a proxy chain's worth of tracing): 1200 lines. Thousands of
        # one-byte lines would outgrow libmicrohttpd's per-connection memory (limits.h,
        # FO_CONNECTION_MEMORY_BYTES) and get its own plain 431 instead of ours.
        extra = [(b"X-Trace-%04d" % i, b"a1b2c3d4") for i in range(1200)]
        head = (b"GET /v1/wallet HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + world.token.encode() + b"\r\n"
                + b"".join(b"%s: %s\r\n" % pair for pair in extra) + b"\r\n")
        # API.md counts names plus values: over 16 KiB here, in many small lines, while the
        # whole head stays far under the 64 KiB up to which the JSON shape is promised.
        counted = (len(b"Host") + 1 + len(b"Authorization") + len(b"Bearer ") + len(world.token)
                   + sum(len(name) + len(value) for name, value in extra))
        self.assertGreater(counted, 16 * 1024)
        self.assertLess(len(head), 32 * 1024)
        reply = self.srv.raw(head, timeout=10)
        status, _, body = parse_raw_response(reply)
        self.assertEqual(status, 431, reply[:300])
        self.assertIsInstance(body, dict, "431 without the JSON error shape: %r" % reply[:300])
        self.assertEqual(body["error"]["code"], "headers_too_large")
        self.healthy()

    def test_clients_leaving_while_their_write_is_queued(self):
        # A client that sends a whole write and hangs up at once: the writer still runs it,
        # and libmicrohttpd ends the request after resuming it without calling the handler
        # again. That once tripped an assertion (found by the benchmark). Bounded: 60 tries.
        world = self.srv.world()
        body = json.dumps({"service_id": world.service["id"], "quantity": 1,
                           "target": "p"}).encode()
        head = (b"POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + world.token.encode() + b"\r\nContent-Type: application/json\r\n"
                + b"Content-Length: %d\r\n\r\n" % len(body))
        for _ in range(60):
            sock = socket.create_connection((self.srv.host, self.srv.port), timeout=5)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.sendall(head + body)
            sock.close()   # A reset, before any answer.
        self.healthy()
        # Writes of the last hang-ups may still be queued: read until the orders stop
        # changing (bounded), so the wallet and the list describe the same moment.
        orders = self.srv.list_all("/v1/orders", world.token)
        for _ in range(50):
            time.sleep(0.1)
            wallet = self.srv.wallet(world.token)
            again = self.srv.list_all("/v1/orders", world.token)
            if len(again) == len(orders):
                break
            orders = again
        # Whatever was placed before the hang-ups is held, exactly.
        self.assertEqual(wallet["held_minor"], 5 * len(orders))
        self.srv.assert_ledger_ok()

    def test_head_answers_like_get_without_a_body(self):
        world = self.srv.world()
        for path, token in (("/", None), ("/healthz", None), ("/v1/wallet", world.token)):
            get = self.srv.request("GET", path, token=token)
            head = self.srv.request("HEAD", path, token=token)
            self.assertEqual((head.status, get.status), (200, 200), path)
            self.assertEqual(head.raw, b"", path)
            self.assertNotEqual(get.raw, b"", path)
            self.assertEqual(head.headers.get("content-type"), get.headers.get("content-type"))
        self.healthy()

    def test_pipelined_requests_are_answered_in_order(self):
        world = self.srv.world()
        data = (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /v1/wallet HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + world.token.encode() + b"\r\nConnection: close\r\n\r\n")
        sock = socket.create_connection((self.srv.host, self.srv.port), timeout=10)
        try:
            sock.sendall(data)
            reply = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                reply += chunk
        finally:
            sock.close()
        self.assertEqual(reply.count(b"HTTP/1.1 200"), 2, reply[:500])
        self.assertIn(b'"available_minor"', reply)
        self.healthy()

    def test_bad_percent_encoding_and_odd_paths(self):
        world = self.srv.world()
        for path in ("/v1/orders/%ZZ", "/v1/orders/%00", "/v1/orders/..%2f..%2fetc",
                     "/v1/orders?limit=%", "/v1/orders/" + "x" * 5000, "/v1/orders/ord_%E4%B8%AD"):
            with self.subTest(path=path[:40]):
                resp = self.srv.request("GET", path, token=world.token)
                self.assertIn(resp.status, (400, 404), resp)
                self.assertIn("error", resp.json or {}, resp)
        self.healthy()

    def test_idle_connections_do_not_block_others(self):
        socks = [socket.create_connection((self.srv.host, self.srv.port), timeout=5)
                 for _ in range(20)]
        try:
            for sock in socks[:10]:
                sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            self.healthy()
        finally:
            for sock in socks:
                sock.close()
        self.healthy()

    def test_unsupported_transfer_encoding_and_conflicting_lengths(self):
        world = self.srv.world()
        data = (b"POST /v1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + world.token.encode() + b"\r\nContent-Type: application/json\r\n"
                b"Content-Length: 2\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{}")
        self.answer_or_close(data, timeout=5, shutdown_write=True)
        self.assertWallet(world, 10000000, 0)
