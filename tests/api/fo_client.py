"""Helpers of the black-box API tests (tests/api) and the fault tests (tests/faults).

What is here, and why:
- Server: starts `BINARY serve` on a fresh SQLite database under build/tmp/, reads the
  port from the "listening on http://HOST:PORT" line of its standard error (kept in a log
  file), waits for GET /healthz, and stops it with SIGTERM. A server that dies, exits
  non-zero or logs a sanitizer report ("runtime error", "AddressSanitizer", ...) fails
  the test that saw it; the tail of its log is printed with every failure.
- Server.request(): one HTTP request over http.client, answering a Response that unpacks
  as (status, headers, json) and also keeps the raw body.
- Fixtures that build a world through the admin API: policies, suppliers, services and
  buyers with a top-up. Each fixture asserts its own success, so a broken admin endpoint
  fails loudly and names itself.
- A reference computation of API.md's cancellation quote and settlement arithmetic, written
  from the contract alone, against which the server's numbers are checked.
- ApiTest: the base test case. One server per test module (reused by its tests, each of
  which builds its own buyers, suppliers and services); after every test the server must be
  alive with a clean log and GET /v1/admin/ledger/verify must answer ok:true.

Python 3 standard library only.
"""

import calendar
import http.client
import itertools
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TMP_ROOT = os.path.join(REPO, "build", "tmp")

# Set by run.py (--binary).
BINARY = None

SANITIZER_PATTERNS = [
    "runtime error",
    "AddressSanitizer",
    "LeakSanitizer",
    "UndefinedBehaviorSanitizer",
    "ThreadSanitizer",
    "MemorySanitizer",
    "assertion failed",   # FO_ASSERT (src/core/assert.h)
    "Assertion `",        # a bare assert() of libc
]

RFC3339_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
CJK = re.compile("[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

TERMINAL_STATES = ("completed", "cancelled", "failed")
ORDER_VIEW_FIELDS = {
    "id", "buyer_id", "service_id", "quantity", "delivered", "unit_price_minor",
    "amount_minor", "currency", "target", "state", "placed_at", "updated_at", "policy",
    "cancel", "settlement",
}
POLICY_FIELDS = {
    "id", "name", "cooling_off_s", "pending", "queued", "executing", "fee_fixed_minor",
    "fee_bps", "free_cancels_per_day", "summary",
}
CANCEL_FIELDS = {
    "allowed", "reason", "message", "charged_minor", "fee_minor", "refund_minor",
    "rule_changes_at",
}
SETTLEMENT_FIELDS = {"reason", "charged_minor", "fee_minor", "refund_minor", "at"}

_unique = itertools.count(1)


def unique(prefix):
    """A name no other fixture of this run uses."""
    return "%s-%d-%d" % (prefix, os.getpid(), next(_unique))


# --------------------------------------------------------------------------------------
# Time


def parse_time_ms(text):
    """RFC 3339 UTC with milliseconds ("2026-11-25T19:00:00.000Z") -> unix ms."""
    if not isinstance(text, str) or not RFC3339_MS.match(text):
        raise AssertionError("not an RFC 3339 UTC time with milliseconds: %r" % (text,))
    seconds = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
    return seconds * 1000 + int(text[20:23])


def format_time_ms(unix_ms):
    seconds, ms = divmod(unix_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".%03dZ" % ms


# --------------------------------------------------------------------------------------
# Reference model of API.md "Cancellation rules" (written from the contract only)

PRORATED_REASONS = ("executing_prorated", "supplier_failed", "supplier_timeout")
FEE_REASONS = ("queued_with_fee", "executing_prorated")
FULL_REFUND_REASONS = ("cooling_off", "pending_full_refund", "queued_full_refund")


def ref_split(reason, amount_minor, quantity, delivered, policy):
    """(charged, fee, refund) of API.md's "Arithmetic" for a settlement of `reason`."""
    if reason == "completed":
        charged = amount_minor
    elif reason in PRORATED_REASONS:
        charged = amount_minor * delivered // quantity
    else:
        charged = 0
    rest = amount_minor - charged
    fee = 0
    if reason in FEE_REASONS:
        fee = min(rest, policy["fee_fixed_minor"] + rest * policy["fee_bps"] // 10000)
    return charged, fee, amount_minor - charged - fee


def ref_quote(state, amount_minor, quantity, delivered, policy, since_placed_ms,
              cancels_in_window):
    """The quote of API.md rules 1-4: dict(allowed, reason, charged_minor, fee_minor,
    refund_minor). since_placed_ms = now - placed_at; cancels_in_window counts the buyer's
    cancellations with now - 24 h < t <= now."""
    if state in TERMINAL_STATES:
        return _quote(False, "already_" + state)
    if state == "executing":
        if policy["executing"] == "prorated":
            return _quote(True, "executing_prorated", amount_minor, quantity, delivered, policy)
        return _quote(False, "executing_not_cancellable")
    assert state in ("pending", "queued"), state
    if (since_placed_ms < policy["cooling_off_s"] * 1000
            and cancels_in_window < policy["free_cancels_per_day"]):
        return _quote(True, "cooling_off", amount_minor, quantity, delivered, policy)
    rule = policy[state]
    if rule == "full_refund":
        return _quote(True, state + "_full_refund", amount_minor, quantity, delivered, policy)
    if rule == "fee":
        return _quote(True, "queued_with_fee", amount_minor, quantity, delivered, policy)
    return _quote(False, state + "_not_cancellable")


def _quote(allowed, reason, amount_minor=0, quantity=1, delivered=0, policy=None):
    if not allowed:
        return {"allowed": False, "reason": reason, "charged_minor": 0, "fee_minor": 0,
                "refund_minor": 0}
    charged, fee, refund = ref_split(reason, amount_minor, quantity, delivered, policy)
    return {"allowed": True, "reason": reason, "charged_minor": charged, "fee_minor": fee,
            "refund_minor": refund}


# --------------------------------------------------------------------------------------
# HTTP


class Response(tuple):
    """(status, headers, json); also .status, .headers (lower-case names), .json, .raw."""

    def __new__(cls, status, headers, body_json, raw, reason=""):
        self = tuple.__new__(cls, (status, headers, body_json))
        self.raw = raw
        self.reason = reason
        return self

    status = property(lambda self: self[0])
    headers = property(lambda self: self[1])
    json = property(lambda self: self[2])

    def __repr__(self):
        text = self.raw[:600].decode("utf-8", "replace") if self.raw else ""
        return "<HTTP %s %s>" % (self.status, text)


_DEFAULT = object()


def http_request(host, port, method, path, token=None, body=_DEFAULT, raw=None, headers=None,
                 content_type=_DEFAULT, lang=None, idem=None, timeout=60):
    """One request on a fresh connection. body: a JSON value (serialized as UTF-8);
    raw: exact body bytes. content_type defaults to application/json when a body is sent;
    pass None to send no Content-Type. headers: extra headers (str or bytes values)."""
    data = None
    if raw is not None:
        data = raw
    elif body is not _DEFAULT:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    all_headers = {}
    if data is not None:
        if content_type is _DEFAULT:
            all_headers["Content-Type"] = "application/json"
        elif content_type is not None:
            all_headers["Content-Type"] = content_type
    if token is not None:
        all_headers["Authorization"] = "Bearer " + token
    if lang is not None:
        all_headers["Accept-Language"] = lang
    if idem is not None:
        all_headers["Idempotency-Key"] = idem
    if headers:
        all_headers.update(headers)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        try:
            conn.request(method, path, body=data, headers=all_headers)
        except (BrokenPipeError, ConnectionResetError):
            # The server may answer early (e.g. 413) and close before reading a large body:
            # the answer is still waiting in our socket.
            if data is None or len(data) < 65536:
                raise
        resp = conn.getresponse()
        raw_body = resp.read()
        resp_headers = {k.lower(): v for k, v in resp.getheaders()}
        status = resp.status
        reason = resp.reason
    finally:
        conn.close()
    parsed = None
    if raw_body:
        try:
            parsed = json.loads(raw_body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            parsed = None
    return Response(status, resp_headers, parsed, raw_body, reason)


def raw_exchange(host, port, data, timeout=10.0, shutdown_write=False, read=True):
    """Send exact bytes on a fresh TCP connection and read until the server closes or
    `timeout` passes. Returns the bytes read (b"" when closed without an answer)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    chunks = []
    try:
        if data:
            sock.sendall(data)
        if shutdown_write:
            sock.shutdown(socket.SHUT_WR)
        if not read:
            return b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            if _complete_response(b"".join(chunks)):
                break
    finally:
        sock.close()
    return b"".join(chunks)


def _complete_response(data):
    """True when `data` holds one whole HTTP response with a Content-Length."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    match = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    if not match:
        return False
    return len(body) >= int(match.group(1))


def parse_raw_response(data):
    """(status, headers dict, json or None) of the first response in `data`."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", lines[0]) if lines else None
    if not match:
        return None, {}, None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    length = int(headers.get("content-length", len(body)))
    body = body[:length]
    try:
        parsed = json.loads(body.decode("utf-8")) if body else None
    except (ValueError, UnicodeDecodeError):
        parsed = None
    return int(match.group(1)), headers, parsed


# --------------------------------------------------------------------------------------
# Server process

_servers_lock = threading.Lock()
_live_servers = []          # Every started and not yet stopped server.
_module_servers = {}        # key -> Server, reused by the tests of one module.
_created_dirs = []          # Every server directory of this run (removed after a clean run).


class ServerError(AssertionError):
    pass


class Server:
    def __init__(self, binary=None, test_clock=True, args=(), db_path=None, admin_token=None,
                 name="server", env=None, admin_env=True):
        self.binary = os.path.abspath(binary or BINARY) if (binary or BINARY) else None
        self.test_clock = test_clock
        self.args = list(args)
        self.name = name
        self.admin_token = admin_token or secrets.token_urlsafe(24)
        self.dir = None
        self.db_path = db_path
        self.proc = None
        self.port = None
        self.host = "127.0.0.1"
        self.log_path = None
        self.log_file = None
        self.log_checked = 0
        self.extra_env = env or {}
        self.admin_env = admin_env     # False: start without FAIRORDER_ADMIN_TOKEN.
        self.starts = 0

    # -- lifecycle --

    def start(self, timeout_s=60):
        try:
            return self._start(timeout_s)
        except BaseException:
            # A server that failed to start is not left behind for the end-of-run check.
            if self.proc is not None:
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait()
                self.proc = None
            self._forget()
            if self.log_file is not None:
                self.log_file.close()
            raise

    def _start(self, timeout_s):
        if not self.binary:
            raise ServerError("no server binary given (run.py --binary PATH)")
        if not os.path.isfile(self.binary) or not os.access(self.binary, os.X_OK):
            raise ServerError("server binary %s does not exist or is not executable "
                              "(build it: make BOOTSTRAP=0 %s)" % (self.binary, self.binary))
        if self.dir is None:
            os.makedirs(TMP_ROOT, exist_ok=True)
            self.dir = os.path.join(TMP_ROOT, "%s-%d-%d-%s" % (
                self.name, os.getpid(), next(_unique), secrets.token_hex(3)))
            os.makedirs(self.dir)
            _created_dirs.append(self.dir)
        if self.db_path is None:
            self.db_path = os.path.join(self.dir, "x.db")
        self.starts += 1
        self.log_path = os.path.join(self.dir, "server-%d.log" % self.starts)
        self.log_file = open(self.log_path, "wb")
        self.log_checked = 0
        cmd = [self.binary, "serve", "--db", self.db_path, "--listen", "127.0.0.1:0"]
        if self.test_clock:
            cmd.append("--test-clock")
        cmd += self.args
        env = dict(os.environ)
        if self.admin_env:
            env["FAIRORDER_ADMIN_TOKEN"] = self.admin_token
        else:
            env.pop("FAIRORDER_ADMIN_TOKEN", None)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:halt_on_error=1")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        env.update(self.extra_env)
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log_file,
                                     stderr=self.log_file, env=env, cwd=self.dir)
        with _servers_lock:
            _live_servers.append(self)
        deadline = time.monotonic() + timeout_s
        self.port = None
        while time.monotonic() < deadline:
            text = self.log_text()
            match = re.search(r"listening on http://([0-9.]+):(\d+)", text)
            if match:
                self.host, self.port = match.group(1), int(match.group(2))
                break
            if self.proc.poll() is not None:
                raise ServerError("server exited with %s before listening: %s\n%s" % (
                    self.proc.returncode, " ".join(cmd), self.log_tail()))
            time.sleep(0.02)
        if self.port is None:
            raise ServerError("server printed no 'listening on http://HOST:PORT' line within "
                              "%ds: %s\n%s" % (timeout_s, " ".join(cmd), self.log_tail()))
        while time.monotonic() < deadline:
            try:
                resp = self.request("GET", "/healthz", timeout=5)
                if resp.status == 200 and resp.json == {"ok": True}:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise ServerError("server exited with %s while starting\n%s" % (
                    self.proc.returncode, self.log_tail()))
            time.sleep(0.05)
        raise ServerError("GET /healthz never answered 200 {\"ok\":true}\n" + self.log_tail())

    def stop(self, timeout_s=60):
        """SIGTERM, wait; raises ServerError when it exits non-zero, hangs or logged a
        sanitizer report."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        problem = None
        if proc.poll() is not None:
            problem = "server had already exited with %s" % proc.returncode
        else:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                problem = "server did not stop within %ds of SIGTERM" % timeout_s
            if problem is None and proc.returncode != 0:
                problem = "server exited with %s after SIGTERM (expected 0)" % proc.returncode
        self._forget()
        self.log_file.close()
        bad = self.sanitizer_report(0)
        if bad and problem is None:
            problem = "server log has a sanitizer/assertion report: %r" % bad
        if problem:
            raise ServerError(problem + "\n" + self.log_tail())

    def kill9(self):
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        self._forget()
        self.log_file.close()

    def restart(self):
        """Start again on the same database (after stop or kill9)."""
        return self.start()

    def _forget(self):
        with _servers_lock:
            if self in _live_servers:
                _live_servers.remove(self)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- logs --

    def log_text(self):
        if not self.log_path:
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tail(self, lines=60):
        text = self.log_text()
        tail = text.splitlines()[-lines:]
        return "---- tail of %s (%s) ----\n%s\n---- end of log ----" % (
            self.log_path, self.name, "\n".join(tail))

    def sanitizer_report(self, since=None):
        text = self.log_text()
        start = self.log_checked if since is None else since
        chunk = text[start:]
        for pattern in SANITIZER_PATTERNS:
            index = chunk.find(pattern)
            if index >= 0:
                return chunk[max(0, index - 200):index + 400]
        return None

    def check_health(self):
        """Raise ServerError when the server died or logged a sanitizer report since the
        last check."""
        if self.proc is not None and self.proc.poll() is not None:
            code = self.proc.returncode
            self.proc = None
            self._forget()
            raise ServerError("server died (exit %s)\n%s" % (code, self.log_tail()))
        bad = self.sanitizer_report()
        self.log_checked = len(self.log_text())
        if bad:
            raise ServerError("server logged a sanitizer/assertion report:\n%s\n%s" % (
                bad, self.log_tail()))

    # -- HTTP --

    def request(self, method, path, token=None, body=_DEFAULT, **kw):
        return http_request(self.host, self.port, method, path, token=token, body=body, **kw)

    def raw(self, data, **kw):
        return raw_exchange(self.host, self.port, data, **kw)

    def admin(self, method, path, body=_DEFAULT, **kw):
        return self.request(method, path, token=self.admin_token, body=body, **kw)

    def must(self, resp, status, what):
        if resp.status != status:
            raise AssertionError("%s: expected HTTP %d, got %r" % (what, status, resp))
        return resp.json

    # -- fixtures (admin API) --

    def create_policy(self, **fields):
        body = {"name": unique("policy"), "cooling_off_s": 600, "pending": "full_refund",
                "queued": "fee", "executing": "prorated", "fee_fixed_minor": 50,
                "fee_bps": 200, "free_cancels_per_day": 5}
        body.update(fields)
        return self.must(self.admin("POST", "/v1/admin/policies", body), 201,
                         "fixture POST /v1/admin/policies %r" % body)

    def create_supplier(self, capacity=100, lease_s=300, **fields):
        body = {"name": unique("supplier"), "capacity": capacity}
        if lease_s is not None:
            body["lease_s"] = lease_s
        body.update(fields)
        return self.must(self.admin("POST", "/v1/admin/suppliers", body), 201,
                         "fixture POST /v1/admin/suppliers %r" % body)

    def create_service(self, policy_id, supplier_id, unit_price_minor=5, min_quantity=1,
                       max_quantity=1000000, **fields):
        body = {"name": unique("service"), "unit": "unit", "unit_price_minor": unit_price_minor,
                "min_quantity": min_quantity, "max_quantity": max_quantity,
                "policy_id": policy_id, "supplier_id": supplier_id}
        body.update(fields)
        return self.must(self.admin("POST", "/v1/admin/services", body), 201,
                         "fixture POST /v1/admin/services %r" % body)

    def create_buyer(self, topup=None):
        buyer = self.must(self.admin("POST", "/v1/admin/buyers", {"name": unique("buyer")}), 201,
                          "fixture POST /v1/admin/buyers")
        if topup:
            self.topup(buyer["id"], topup)
        return buyer

    def topup(self, buyer_id, amount_minor, reference=None):
        body = {"amount_minor": amount_minor, "reference": reference or unique("ref")}
        return self.must(self.admin("POST", "/v1/admin/buyers/%s/topups" % buyer_id, body), 201,
                         "fixture top-up %r" % body)

    def world(self, capacity=100, lease_s=300, unit_price_minor=5, min_quantity=1,
              max_quantity=1000000, balance=10000000, policy=None, **policy_fields):
        """A policy, a supplier, a service and a topped-up buyer: a namespace."""
        pol = policy or self.create_policy(**policy_fields)
        sup = self.create_supplier(capacity=capacity, lease_s=lease_s)
        svc = self.create_service(pol["id"], sup["id"], unit_price_minor=unit_price_minor,
                                  min_quantity=min_quantity, max_quantity=max_quantity)
        buyer = self.create_buyer(topup=balance)
        return World(self, pol, sup, svc, buyer)

    # -- common calls --

    def place(self, token, service_id, quantity, target="player-12345", **kw):
        body = {"service_id": service_id, "quantity": quantity, "target": target}
        extra = {k: kw.pop(k) for k in list(kw) if k in ("expected_policy_id",)}
        body.update(extra)
        return self.request("POST", "/v1/orders", token=token, body=body, **kw)

    def order(self, token, order_id, **kw):
        resp = self.request("GET", "/v1/orders/%s" % order_id, token=token, **kw)
        return self.must(resp, 200, "GET /v1/orders/%s" % order_id)

    def wallet(self, token):
        return self.must(self.request("GET", "/v1/wallet", token=token), 200, "GET /v1/wallet")

    def cancel(self, token, order_id, body=None, **kw):
        if body is None:
            body = {}
        return self.request("POST", "/v1/orders/%s/cancel" % order_id, token=token, body=body,
                            **kw)

    def claim(self, supplier_token, max_jobs=100):
        resp = self.request("POST", "/v1/supplier/claim", token=supplier_token,
                            body={"max": max_jobs})
        return self.must(resp, 200, "POST /v1/supplier/claim")["jobs"]

    def progress(self, supplier_token, order_id, delivered):
        return self.request("POST", "/v1/supplier/jobs/%s/progress" % order_id,
                            token=supplier_token, body={"delivered": delivered})

    def complete(self, supplier_token, order_id, delivered):
        return self.request("POST", "/v1/supplier/jobs/%s/complete" % order_id,
                            token=supplier_token, body={"delivered": delivered})

    def fail(self, supplier_token, order_id, delivered, reason="supplier gave up"):
        return self.request("POST", "/v1/supplier/jobs/%s/fail" % order_id,
                            token=supplier_token, body={"delivered": delivered, "reason": reason})

    def advance(self, seconds):
        """Advance the test clock; returns the new now in unix ms."""
        resp = self.admin("POST", "/v1/admin/test-clock/advance", {"seconds": seconds})
        return parse_time_ms(self.must(resp, 200, "advance test clock %ss" % seconds)["now"])

    def ledger_verify(self):
        resp = self.admin("GET", "/v1/admin/ledger/verify")
        return self.must(resp, 200, "GET /v1/admin/ledger/verify")

    def assert_ledger_ok(self):
        result = self.ledger_verify()
        # API.md: {"ok": bool, "problems": [...]}; extra members are a free extension.
        if result.get("ok") is not True or result.get("problems") != []:
            raise AssertionError("ledger verify is not ok: %r" % (result,))

    def list_all(self, path, token, page=20, max_pages=5000):
        """Every item of a list, following next_cursor."""
        items = []
        sep = "&" if "?" in path else "?"
        url = "%s%slimit=%d" % (path, sep, page)
        for _ in range(max_pages):
            data = self.must(self.request("GET", url, token=token), 200, "GET " + url)
            items.extend(data["data"])
            cursor = data["next_cursor"]
            if cursor is None:
                return items
            url = "%s%slimit=%d&cursor=%s" % (path, sep, page, _quote_url(cursor))
        raise AssertionError("list %s never ended" % path)


def _quote_url(text):
    import urllib.parse
    return urllib.parse.quote(text, safe="")


class World:
    def __init__(self, server, policy, supplier, service, buyer):
        self.srv = server
        self.policy = policy
        self.supplier = supplier
        self.service = service
        self.buyer = buyer

    @property
    def token(self):
        return self.buyer["token"]

    @property
    def sup_token(self):
        return self.supplier["token"]

    def place(self, quantity=1000, **kw):
        resp = self.srv.place(self.token, self.service["id"], quantity, **kw)
        return self.srv.must(resp, 201, "POST /v1/orders quantity=%d" % quantity)

    def order(self, order_id, **kw):
        return self.srv.order(self.token, order_id, **kw)

    def wallet(self):
        return self.srv.wallet(self.token)

    def cancel(self, order_id, body=None, **kw):
        return self.srv.cancel(self.token, order_id, body, **kw)

    def claim(self, max_jobs=100):
        return self.srv.claim(self.sup_token, max_jobs)

    def claim_one(self, order_id):
        """Claim until `order_id` is among the jobs (the supplier must have it queued)."""
        jobs = self.claim(100)
        ids = [job["order_id"] for job in jobs]
        if order_id not in ids:
            raise AssertionError("claim did not return %s: %r" % (order_id, jobs))
        return [job for job in jobs if job["order_id"] == order_id][0]

    def progress(self, order_id, delivered):
        return self.srv.progress(self.sup_token, order_id, delivered)

    def complete(self, order_id, delivered):
        return self.srv.complete(self.sup_token, order_id, delivered)

    def fail(self, order_id, delivered, reason="supplier gave up"):
        return self.srv.fail(self.sup_token, order_id, delivered, reason)

    def executing(self, quantity=1000, delivered=0):
        """Place, claim and report `delivered`: an executing order's view."""
        view = self.place(quantity)
        self.claim_one(view["id"])
        if delivered:
            resp = self.progress(view["id"], delivered)
            self.srv.must(resp, 200, "progress %d" % delivered)
        return self.order(view["id"])


# --------------------------------------------------------------------------------------
# Servers shared by the tests of one module


def module_server(key, **options):
    """The server of `key` (usually a module name), started on first use."""
    with _servers_lock:
        server = _module_servers.get(key)
    if server is not None and server.alive():
        return server
    if server is not None and server.proc is None and getattr(server, "broken", False):
        raise ServerError("the shared server of %s died earlier in this module" % key)
    server = Server(name=key.replace(".", "_"), **options)
    with _servers_lock:
        _module_servers[key] = server
    try:
        server.start()
    except Exception:
        server.broken = True
        raise
    return server


def stop_module_servers(module_name):
    """tearDownModule: stop every shared server of the module; raise on a bad exit."""
    problems = []
    with _servers_lock:
        keys = [k for k in _module_servers if k == module_name or k.startswith(module_name + ":")]
    for key in keys:
        with _servers_lock:
            server = _module_servers.pop(key)
        try:
            server.stop()
        except ServerError as err:
            problems.append("%s: %s" % (key, err))
    if problems:
        raise ServerError("\n".join(problems))


def stop_all_servers():
    """At exit: stop what is left (e.g. after an interrupted run), report problems."""
    problems = []
    with _servers_lock:
        left = list(_live_servers)
    for server in left:
        try:
            server.stop()
        except ServerError as err:
            problems.append(str(err))
    return problems


def remove_created_dirs():
    """After a run without failures: remove the databases and logs of its servers (set
    FO_KEEP_TMP=1 to keep them). After a failing run they stay for inspection."""
    import shutil
    if os.environ.get("FO_KEEP_TMP"):
        return
    for path in _created_dirs:
        shutil.rmtree(path, ignore_errors=True)
    del _created_dirs[:]


def live_server_tails(lines=20):
    with _servers_lock:
        left = list(_live_servers)
    return [s.log_tail(lines) for s in left]


# --------------------------------------------------------------------------------------
# Base test case


class ApiTest(unittest.TestCase):
    """One server per module (key = module name + server_key); every test builds its own
    world. After each test: the server is alive with a clean log, and the ledger verifies."""

    server_options = {}
    server_key = ""
    verify_ledger = True
    maxDiff = 4000

    def setUp(self):
        key = self.__class__.__module__ + (":" + self.server_key if self.server_key else "")
        self.srv = module_server(key, **self.server_options)
        self.srv.check_health()

    def tearDown(self):
        self.srv.check_health()
        if self.verify_ledger and self.srv.alive():
            self.srv.assert_ledger_ok()

    # -- assertions --

    def assertError(self, resp, status, code, field=None):
        """The response is `status` with the JSON error shape and `code`; with `field`,
        the message names that field."""
        self.assertEqual(resp.status, status, "expected %d %s, got %r" % (status, code, resp))
        body = resp.json
        self.assertIsInstance(body, dict, "error body is not a JSON object: %r" % (resp,))
        self.assertEqual(set(body), {"error"}, "error body has other members: %r" % (body,))
        err = body["error"]
        self.assertIsInstance(err, dict, "error is not an object: %r" % (body,))
        self.assertEqual(err.get("code"), code, "wrong error code in %r" % (body,))
        self.assertIsInstance(err.get("message"), str, "error.message missing: %r" % (body,))
        self.assertTrue(err["message"].strip(), "error.message is empty: %r" % (body,))
        ctype = resp.headers.get("content-type", "")
        self.assertTrue(ctype.startswith("application/json"),
                        "error Content-Type is %r, expected application/json" % ctype)
        if field is not None:
            self.assertIn(field, err["message"],
                          "error.message does not name the field %r: %r" % (field, err))
        return err

    def assertStatus(self, resp, status, what=""):
        self.assertEqual(resp.status, status, "%s: expected %d, got %r" % (what, status, resp))
        return resp.json

    def assertOrderView(self, view):
        """Shape of API.md's order view, and its internal arithmetic."""
        self.assertIsInstance(view, dict)
        # API.md: "extend freely, but never break a field": the listed members must be there.
        self.assertTrue(ORDER_VIEW_FIELDS <= set(view), "order view members: %r" % view)
        self.assertTrue(view["id"].startswith("ord_"), view["id"])
        self.assertTrue(view["buyer_id"].startswith("byr_"), view["buyer_id"])
        self.assertTrue(view["service_id"].startswith("svc_"), view["service_id"])
        self.assertEqual(view["amount_minor"], view["quantity"] * view["unit_price_minor"])
        self.assertTrue(0 <= view["delivered"] <= view["quantity"])
        self.assertEqual(view["currency"], "CNY")
        self.assertIn(view["state"], ("pending", "queued", "executing") + TERMINAL_STATES)
        parse_time_ms(view["placed_at"])
        parse_time_ms(view["updated_at"])
        self.assertTrue(POLICY_FIELDS <= set(view["policy"]), "policy members")
        self.assertTrue(view["policy"]["id"].startswith("pol_"))
        self.assertTrue(view["policy"]["summary"].strip())
        quote = view["cancel"]
        self.assertTrue(CANCEL_FIELDS <= set(quote), "cancel members: %r" % quote)
        self.assertTrue(quote["message"].strip())
        if quote["allowed"]:
            self.assertEqual(quote["charged_minor"] + quote["fee_minor"] + quote["refund_minor"],
                             view["amount_minor"], "quote does not add up: %r" % quote)
        else:
            self.assertEqual((quote["charged_minor"], quote["fee_minor"], quote["refund_minor"]),
                             (0, 0, 0), "a refused quote has money: %r" % quote)
        if quote["reason"] == "cooling_off":
            self.assertEqual(parse_time_ms(quote["rule_changes_at"]),
                             parse_time_ms(view["placed_at"])
                             + view["policy"]["cooling_off_s"] * 1000)
        else:
            self.assertIsNone(quote["rule_changes_at"])
        if view["state"] in TERMINAL_STATES:
            settlement = view["settlement"]
            self.assertIsInstance(settlement, dict, "terminal order without settlement")
            self.assertTrue(SETTLEMENT_FIELDS <= set(settlement), settlement)
            self.assertEqual(settlement["charged_minor"] + settlement["fee_minor"]
                             + settlement["refund_minor"], view["amount_minor"])
            self.assertFalse(quote["allowed"])
            self.assertEqual(quote["reason"], "already_" + view["state"])
            parse_time_ms(settlement["at"])
        else:
            self.assertIsNone(view["settlement"], "open order with a settlement")
        return view

    def assertQuote(self, view, expected):
        """The view's cancel quote has exactly the expected (reference) values."""
        quote = view["cancel"]
        got = {k: quote[k] for k in ("allowed", "reason", "charged_minor", "fee_minor",
                                      "refund_minor")}
        self.assertEqual(got, expected, "quote of %s (%s, delivered %s)" % (
            view["id"], view["state"], view["delivered"]))

    def assertSettlement(self, view, reason, charged, fee, refund):
        settlement = view["settlement"]
        self.assertIsNotNone(settlement, "no settlement on %r" % view)
        got = (settlement["reason"], settlement["charged_minor"], settlement["fee_minor"],
               settlement["refund_minor"])
        self.assertEqual(got, (reason, charged, fee, refund), "settlement of %s" % view["id"])

    def assertWallet(self, world_or_token, available, held):
        token = world_or_token.token if isinstance(world_or_token, World) else world_or_token
        wallet = self.srv.wallet(token)
        self.assertEqual((wallet["available_minor"], wallet["held_minor"]), (available, held),
                         "wallet (available, held): %r" % wallet)
        self.assertEqual(wallet["currency"], "CNY")
        return wallet


def has_cjk(text):
    return bool(CJK.search(text or ""))


def run_threads(count, target, timeout_s=60):
    """Run target(index) in `count` threads; re-raise the first exception."""
    errors = []

    def wrap(index):
        try:
            target(index)
        except BaseException as err:  # noqa: B902 - report any failure of a worker
            errors.append(err)

    threads = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout_s
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
        if thread.is_alive():
            raise AssertionError("a worker thread did not finish within %ds" % timeout_s)
    if errors:
        raise errors[0]


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()
