"""API.md "GET /v1/orders/{id}/events": types, actors, states and delivered, oldest first,
limit and cursor; progress reports coalesced into at most one progress event per order
per second of the server's clock (the view always has the latest delivered); and the same
events as Server-Sent Events, the stream closing after the terminal event.

Method: drive an order through its life with the test clock and read its events, page by
page and as a stream."""

import json
import socket
import threading
import time

import fo_client
from fo_client import ApiTest, parse_time_ms


def tearDownModule():
    fo_client.stop_module_servers(__name__)


EVENT_FIELDS = {"seq", "at", "type", "state", "delivered", "actor", "detail"}


def read_sse(srv, token, order_id, timeout_s=20, on_open=None):
    """Read the event stream of an order until the server ends it (closes the connection
    or sends the last chunk). Returns (status line and headers text, list of (id, event,
    data dict), ended before the timeout)."""
    sock = socket.create_connection((srv.host, srv.port), timeout=timeout_s)
    sock.sendall(("GET /v1/orders/%s/events HTTP/1.1\r\nHost: x\r\n"
                  "Authorization: Bearer %s\r\nAccept: text/event-stream\r\n\r\n"
                  % (order_id, token)).encode())
    data = b""
    deadline = time.monotonic() + timeout_s
    opened = False
    try:
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            data += chunk
            if not opened and b"\r\n\r\n" in data and on_open:
                opened = True
                on_open()
            if stream_ended(data):
                break
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    if b"chunked" in head.lower():
        body = dechunk(body)
    events = []
    for block in body.decode("utf-8", "replace").replace("\r\n", "\n").split("\n\n"):
        fields = {}
        data_lines = []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "data":
                data_lines.append(value)
            else:
                fields[name] = value
        if data_lines:
            events.append((fields.get("id"), fields.get("event"),
                           json.loads("\n".join(data_lines))))
    return head.decode("latin-1"), events, time.monotonic() < deadline


def stream_ended(data):
    """True when the server ended the response: a chunked body's last chunk arrived (the
    connection itself may stay open for keep-alive)."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep or b"chunked" not in head.lower():
        return False
    while body:
        size_line, found, rest = body.partition(b"\r\n")
        if not found:
            return False
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            return False
        if size == 0:
            return True
        if len(rest) < size + 2:
            return False
        body = rest[size + 2:]
    return False


def dechunk(body):
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return out


class Events(ApiTest):
    def events(self, world, order_id, query=""):
        resp = self.srv.request("GET", "/v1/orders/%s/events%s" % (order_id, query),
                                token=world.token)
        return self.assertStatus(resp, 200, "events")

    def test_event_fields_and_order(self):
        world = self.srv.world()
        view = world.place(100)
        world.claim_one(view["id"])
        self.srv.advance(2)
        self.assertStatus(world.progress(view["id"], 30), 200)
        self.srv.advance(2)
        self.assertStatus(world.fail(view["id"], 30, "stock ran out"), 200)
        body = self.events(world, view["id"])
        self.assertEqual(set(body), {"data", "next_cursor"})
        self.assertIsNone(body["next_cursor"])
        events = body["data"]
        for event in events:
            self.assertTrue(EVENT_FIELDS <= set(event), event)
            parse_time_ms(event["at"])
        self.assertEqual([(e["type"], e["actor"], e["state"], e["delivered"]) for e in events],
                         [("placed", "buyer", "pending", 0),
                          ("allocated", "system", "queued", 0),
                          ("claimed", "supplier", "executing", 0),
                          ("progress", "supplier", "executing", 30),
                          ("failed", "supplier", "failed", 30)])
        times = [parse_time_ms(e["at"]) for e in events]
        placed = parse_time_ms(view["placed_at"])
        self.assertEqual(times, [placed, placed, placed, placed + 2000, placed + 4000])
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, sorted(set(seqs)))

    def test_limit_and_cursor_oldest_first(self):
        world = self.srv.world()
        view = world.place(100)
        world.claim_one(view["id"])
        for step in range(1, 8):
            self.srv.advance(1)
            self.assertStatus(world.progress(view["id"], step * 10), 200)
        everything = self.events(world, view["id"])["data"]
        self.assertEqual(len(everything), 3 + 7)
        paged = []
        query = "?limit=3"
        for _ in range(20):
            body = self.events(world, view["id"], query)
            self.assertLessEqual(len(body["data"]), 3)
            paged.extend(body["data"])
            if body["next_cursor"] is None:
                break
            query = "?limit=3&cursor=" + fo_client._quote_url(body["next_cursor"])
        self.assertEqual(paged, everything)
        for query in ("?limit=0", "?limit=201", "?limit=x"):
            resp = self.srv.request("GET", "/v1/orders/%s/events%s" % (view["id"], query),
                                    token=world.token)
            self.assertError(resp, 400, "invalid_request", "limit")

    def test_progress_coalesced_per_second(self):
        world = self.srv.world()
        view = world.place(1000)
        world.claim_one(view["id"])
        for delivered in (100, 200, 300, 350):
            self.assertStatus(world.progress(view["id"], delivered), 200)
        self.assertEqual(world.order(view["id"])["delivered"], 350)
        progress = [e for e in self.events(world, view["id"])["data"] if e["type"] == "progress"]
        self.assertEqual(len(progress), 1, "several progress events within one second: %r"
                         % progress)
        # A report in a later second of the server's clock gets its own event.
        self.srv.advance(1)
        self.assertStatus(world.progress(view["id"], 400), 200)
        self.assertStatus(world.progress(view["id"], 450), 200)
        progress = [e for e in self.events(world, view["id"])["data"] if e["type"] == "progress"]
        self.assertEqual(len(progress), 2, progress)
        self.assertIn(progress[-1]["delivered"], (400, 450))
        self.assertEqual(world.order(view["id"])["delivered"], 450)
        self.assertStatus(world.complete(view["id"], 1000), 200)
        last = self.events(world, view["id"])["data"][-1]
        self.assertEqual((last["type"], last["delivered"]), ("completed", 1000))

    def test_sse_replays_past_events_and_closes_after_terminal(self):
        world = self.srv.world()
        view = world.place(10)
        world.claim_one(view["id"])
        self.assertStatus(world.complete(view["id"], 10), 200)
        plain = self.events(world, view["id"])["data"]
        head, events, closed = read_sse(self.srv, world.token, view["id"])
        self.assertIn(" 200", head.split("\r\n")[0])
        self.assertIn("text/event-stream", head.lower())
        self.assertTrue(closed, "the stream did not close after the terminal event")
        self.assertEqual([e[2] for e in events], plain)
        self.assertEqual([e[0] for e in events], [str(p["seq"]) for p in plain])
        self.assertEqual([e[1] for e in events], [p["type"] for p in plain])

    def test_sse_delivers_live_events(self):
        world = self.srv.world()
        view = world.place(10)
        world.claim_one(view["id"])

        def finish():
            def later():
                time.sleep(0.3)
                world.progress(view["id"], 5)
                time.sleep(0.2)
                world.complete(view["id"], 10)
            threading.Thread(target=later, daemon=True).start()
        _, events, closed = read_sse(self.srv, world.token, view["id"], on_open=finish)
        self.assertTrue(closed, "the stream did not close after the terminal event")
        types = [e[1] for e in events]
        self.assertEqual(types[:3], ["placed", "allocated", "claimed"])
        self.assertEqual(types[-1], "completed")
        self.assertIn("progress", types)

    def test_sse_of_another_buyers_order_is_404(self):
        world = self.srv.world()
        other = self.srv.create_buyer()
        view = world.place(10)
        resp = self.srv.request("GET", "/v1/orders/%s/events" % view["id"], token=other["token"],
                                headers={"Accept": "text/event-stream"})
        self.assertError(resp, 404, "not_found")
