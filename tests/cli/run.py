#!/usr/bin/env python3
"""CLI test: a full order lifecycle driven through `fairorder admin …` and `fairorder order …`
alone, against a real server on loopback.

Property under test: an operator and a buyer can do everything with the CLI, the numbers it
prints are exactly API.md's arithmetic, errors are one line on standard error with exit 1
(API or network) or 2 (usage), and `order watch` follows an order to its end over the event
stream (with Last-Event-ID resume) or, when the server offers no stream, by polling.

Method: start `BINARY serve --test-clock` on a fresh database under build/tmp/cli-XXXX/, run
the CLI as a subprocess for every step (English unless a check says otherwise), play the
supplier with http.client, and check outputs and exit codes. Two tiny stand-in servers
(Python's http.server) answer what the real one never does on demand: a stream that breaks
in the middle (resume) and no stream at all (polling fallback). Each check prints one line;
the last line is "cli: N passed, N failed". Exit 1 on any failure.

Python 3 standard library only.
"""

import argparse
import http.client
import http.server
import json
import os
import pty
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TMP_ROOT = os.path.join(REPO, "build", "tmp")
SANITIZER_PATTERNS = ("runtime error", "AddressSanitizer", "LeakSanitizer",
                      "UndefinedBehaviorSanitizer", "assertion failed")
CLI_TIMEOUT_S = 60


class Suite:
    def __init__(self, binary):
        self.binary = binary
        self.passed = 0
        self.failed = 0
        self.server = None

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print("ok    %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL  %s" % name, flush=True)
            if detail:
                for line in str(detail).rstrip().splitlines()[:40]:
                    print("      | %s" % line)
            sys.stdout.flush()
        return condition

    def section(self, name, function):
        try:
            function()
        except Exception:  # A broken step fails its section, not the whole run.
            self.check("%s (raised)" % name, False, traceback.format_exc())


# --------------------------------------------------------------------------------------
# The server under test


class Server:
    def __init__(self, binary):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.directory = tempfile.mkdtemp(prefix="cli-", dir=TMP_ROOT)
        self.admin_token = "adm-" + secrets.token_urlsafe(24)
        self.log_path = os.path.join(self.directory, "server.log")
        env = dict(os.environ, FAIRORDER_ADMIN_TOKEN=self.admin_token)
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--db", os.path.join(self.directory, "x.db"),
             "--listen", "127.0.0.1:0", "--test-clock"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env=env)
        self.port = self._wait_port()
        self._wait_ready()
        self.url = "http://127.0.0.1:%d" % self.port

    def _log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def _wait_port(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self._log_text())
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                raise RuntimeError("server exited early:\n" + self._log_text()[-3000:])
            time.sleep(0.05)
        raise RuntimeError("server printed no 'listening on' line in 30 s")

    def _wait_ready(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = self.request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("GET /healthz never answered 200")

    def request(self, method, path, body=None, token=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
        finally:
            connection.close()

    def advance_clock(self, seconds):
        status, answer = self.request("POST", "/v1/admin/test-clock/advance",
                                      {"seconds": seconds}, self.admin_token)
        if status != 200:
            raise RuntimeError("clock advance: %s %s" % (status, answer))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
        return self.process.returncode, self._log_text()


# --------------------------------------------------------------------------------------
# Running the CLI


class Run:
    def __init__(self, args, code, out, err):
        self.args, self.code, self.out, self.err = args, code, out, err

    def __str__(self):
        return "args: %s\nexit: %s\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.args), self.code, self.out, self.err)

    def one_error_line(self):
        lines = [line for line in self.err.splitlines() if line.strip()]
        return len(lines) == 1


def run_cli(suite, args, token=None, url=None, lang="C", extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRORDER_")}
    env["LANG"] = lang
    env.pop("LC_ALL", None)
    if url is not None:
        env["FAIRORDER_URL"] = url
    if token is not None:
        env["FAIRORDER_TOKEN"] = token
    env.update(extra_env or {})
    completed = subprocess.run([suite.binary] + list(args), env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=CLI_TIMEOUT_S)
    run = Run([str(a) for a in args], completed.returncode,
              completed.stdout.decode("utf-8", "replace"),
              completed.stderr.decode("utf-8", "replace"))
    for pattern in SANITIZER_PATTERNS:
        if pattern in run.err:
            suite.check("no sanitizer report from %s" % " ".join(run.args[:3]), False, run)
    return run


def json_of(run):
    return json.loads(run.out)


# --------------------------------------------------------------------------------------
# Checks


ADMIN_COMMANDS = ["buyer add", "buyer topup", "policy add", "service add", "service set",
                  "supplier add", "orders", "order show", "verify"]
ORDER_COMMANDS = ["services", "place", "show", "list", "cancel", "watch", "wallet", "entries"]


def check_help(suite):
    for group in ("admin", "order"):
        run = run_cli(suite, [group, "--help"])
        suite.check("%s --help exits 0 and lists commands" % group,
                    run.code == 0 and "usage:" in run.out and "commands:" in run.out, run)
    for group, commands in (("admin", ADMIN_COMMANDS), ("order", ORDER_COMMANDS)):
        for words in commands:
            run = run_cli(suite, [group] + words.split() + ["--help"])
            suite.check("%s %s --help exits 0" % (group, words),
                        run.code == 0 and run.out.startswith("usage: fairorder %s %s"
                                                             % (group, words))
                        and "--url" in run.out and run.err == "", run)


def check_usage_errors(suite, url):
    cases = [
        ("no command", ["order"]),
        ("unknown command", ["admin", "frobnicate"]),
        ("quantity not a number", ["order", "place", "svc_abc", "12x", "player"]),
        ("quantity zero", ["order", "place", "svc_abc", "0", "player"]),
        ("quantity past the limit", ["order", "place", "svc_abc", "1000000001", "player"]),
        ("empty target", ["order", "place", "svc_abc", "10", ""]),
        ("target too long", ["order", "place", "svc_abc", "10", "x" * 129]),
        ("bad order id", ["order", "show", "svc_abc"]),
        ("missing argument", ["order", "show"]),
        ("too many arguments", ["order", "show", "ord_a", "ord_b"]),
        ("unknown option", ["order", "wallet", "--frob"]),
        ("option without value", ["order", "list", "--state"]),
        ("bad state", ["order", "list", "--state", "done"]),
        ("limit out of range", ["order", "list", "--limit", "201"]),
        ("top-up zero", ["admin", "buyer", "topup", "byr_a", "0", "--reference", "r"]),
        ("top-up past 10^12", ["admin", "buyer", "topup", "byr_a", "1000000000001",
                               "--reference", "r"]),
        ("top-up without reference", ["admin", "buyer", "topup", "byr_a", "100"]),
        ("policy missing fields", ["admin", "policy", "add", "--name", "x"]),
        ("policy bad rule", ["admin", "policy", "add", "--name", "x", "--cooling-off-s", "0",
                             "--pending", "maybe", "--queued", "fee", "--executing", "deny",
                             "--fee-fixed-minor", "0", "--fee-bps", "0",
                             "--free-cancels-per-day", "0"]),
        ("policy fee_bps past 10000", ["admin", "policy", "add", "--name", "x",
                                       "--cooling-off-s", "0", "--pending", "deny",
                                       "--queued", "fee", "--executing", "deny",
                                       "--fee-fixed-minor", "0", "--fee-bps", "10001",
                                       "--free-cancels-per-day", "0"]),
        ("service min above max", ["admin", "service", "add", "--name", "s", "--unit", "u",
                                   "--unit-price-minor", "1", "--min-quantity", "10",
                                   "--max-quantity", "9", "--policy", "pol_a",
                                   "--supplier", "sup_a"]),
        ("service set without change", ["admin", "service", "set", "svc_a"]),
        ("service set active maybe", ["admin", "service", "set", "svc_a", "--active", "maybe"]),
        ("supplier lease below 10", ["admin", "supplier", "add", "--name", "s",
                                     "--capacity", "1", "--lease-s", "9"]),
        ("negative expected refund", ["order", "cancel", "ord_a", "--expect-refund-minor",
                                      "-1"]),
        ("bad --lang", ["order", "wallet", "--lang", "fr"]),
        ("bad url", ["order", "wallet", "--url", "https://127.0.0.1:1"]),
        ("empty idempotency key", ["order", "cancel", "ord_a", "--idempotency-key="]),
    ]
    for name, args in cases:
        run = run_cli(suite, args, token="t", url=url)
        suite.check("usage error exits 2 with one line: %s" % name,
                    run.code == 2 and run.one_error_line() and run.out == "", run)
    run = run_cli(suite, ["order", "wallet"], url=url)
    suite.check("usage error exits 2 with one line: no token",
                run.code == 2 and run.one_error_line() and "token" in run.err, run)


def check_network_errors(suite, server):
    run = run_cli(suite, ["order", "wallet"], token="not-a-token", url=server.url)
    suite.check("bad token: exit 1, one line naming unauthorized",
                run.code == 1 and run.one_error_line() and "unauthorized" in run.err
                and run.out == "", run)
    run = run_cli(suite, ["admin", "verify"], token="not-a-token", url=server.url)
    suite.check("bad admin token: exit 1, one line",
                run.code == 1 and run.one_error_line() and "unauthorized" in run.err, run)
    # A port nothing listens on: bind one, learn its number, close it.
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    run = run_cli(suite, ["order", "wallet"], token="t", url="http://127.0.0.1:%d" % port)
    suite.check("no server: exit 1, one line saying it cannot connect",
                run.code == 1 and run.one_error_line() and "cannot connect" in run.err, run)


class World:
    """What the lifecycle creates, shared between its steps."""
    pass


def admin(suite, server, args):
    return run_cli(suite, ["admin"] + args, token=server.admin_token, url=server.url)


def buyer(suite, server, world, args, lang="C"):
    return run_cli(suite, ["order"] + args, token=world.buyer_token, url=server.url, lang=lang)


def order_id_of(run):
    match = re.search(r"Order (ord_[A-Za-z0-9_-]+)", run.out)
    return match.group(1) if match else None


def build_world(suite, server):
    world = World()
    run = admin(suite, server, ["policy", "add", "--name", "Standard", "--cooling-off-s", "600",
                                "--pending", "full_refund", "--queued", "fee", "--executing",
                                "prorated", "--fee-fixed-minor", "50", "--fee-bps", "200",
                                "--free-cancels-per-day", "5"])
    suite.check("admin policy add prints the policy in plain words",
                run.code == 0 and re.search(r"Policy pol_\S+ created: Standard", run.out)
                and "¥0.50 + 200 bps" in run.out and "10 minutes" in run.out, run)
    world.policy_id = re.search(r"(pol_[A-Za-z0-9_-]+)", run.out).group(1)
    run = admin(suite, server, ["supplier", "add", "--name", "Acme", "--capacity", "5",
                                "--json"])
    supplier = json_of(run)
    suite.check("admin supplier add --json gives the raw answer with the token",
                run.code == 0 and supplier["capacity"] == 5 and supplier["lease_s"] == 300
                and supplier["token"], run)
    world.supplier_id, world.supplier_token = supplier["id"], supplier["token"]
    run = admin(suite, server, ["service", "add", "--name", "游戏点卡 Game points", "--unit",
                                "point", "--unit-price-minor", "5", "--min-quantity", "10",
                                "--max-quantity", "100000", "--policy", world.policy_id,
                                "--supplier", world.supplier_id])
    suite.check("admin service add prints price and range",
                run.code == 0 and "¥0.05 per point; 10 to 100000 point" in run.out
                and world.supplier_id in run.out, run)
    world.service_id = re.search(r"(svc_[A-Za-z0-9_-]+)", run.out).group(1)
    run = admin(suite, server, ["buyer", "add", "Alice 王"])
    match = re.search(r"Buyer (byr_\S+) created: Alice 王\nToken[^:]*: (\S+)", run.out)
    suite.check("admin buyer add prints the id and the token once", run.code == 0 and match, run)
    world.buyer_id, world.buyer_token = match.group(1), match.group(2)
    run = admin(suite, server, ["buyer", "topup", world.buyer_id, "100000", "--reference",
                                "bank-0001"])
    suite.check("admin buyer topup shows the wallet",
                run.code == 0 and "available ¥1000.00, held ¥0.00" in run.out, run)
    return world


def check_buyer_browse(suite, server, world):
    run = buyer(suite, server, world, ["services"])
    suite.check("order services lists price, range and the policy summary",
                run.code == 0 and world.service_id in run.out and "¥0.05 per point" in run.out
                and "10 to 100000" in run.out and world.policy_id in run.out
                and "Free cancellation within 10 minutes" in run.out, run)
    run = buyer(suite, server, world, ["place", world.service_id, "5", "p"])
    suite.check("order place below the service's minimum: exit 2 before sending",
                run.code == 2 and run.one_error_line() and "10 to 100000" in run.err, run)
    run = buyer(suite, server, world, ["place", "svc_doesnotexist", "10", "p"])
    suite.check("order place of an unknown service: exit 1, one line",
                run.code == 1 and run.one_error_line() and "not on sale" in run.err, run)


def check_cooling_off_cancel(suite, server, world):
    run = buyer(suite, server, world, ["place", world.service_id, "1000", "player-1"])
    world.order_a = order_id_of(run)
    suite.check("order place prints the order, its amount and the policy summary",
                run.code == 0 and world.order_a and "¥50.00 = 1000 × ¥0.05" in run.out
                and "Free cancellation within 10 minutes" in run.out, run)
    run = buyer(suite, server, world, ["show", world.order_a])
    suite.check("order show: cooling-off quote in plain words with exact amounts",
                run.code == 0 and "allowed (cooling_off): refund ¥50.00; charged for delivered "
                "units ¥0.00; cancellation fee ¥0.00" in run.out
                and "the rule changes at" in run.out and "0/1000" in run.out, run)
    run = buyer(suite, server, world, ["wallet"])
    suite.check("order wallet while the order is open: ¥950.00 available, ¥50.00 held",
                run.code == 0 and re.search(r"Available:\s+¥950\.00", run.out)
                and re.search(r"Held:\s+¥50\.00", run.out), run)
    run = buyer(suite, server, world, ["cancel", world.order_a, "--reason", "changed my mind"])
    suite.check("order cancel in cooling-off: full refund settled",
                run.code == 0 and "Settlement:" in run.out and "cooling_off: charged for "
                "delivered units ¥0.00; cancellation fee ¥0.00; refund ¥50.00" in run.out, run)
    run = buyer(suite, server, world, ["cancel", world.order_a])
    suite.check("order cancel of a cancelled order: exit 1, one line, quote shown",
                run.code == 1 and run.one_error_line() and "already_cancelled" in run.err
                and "not allowed (already_cancelled)" in run.out, run)
    run = buyer(suite, server, world, ["wallet", "--json"])
    wallet = json.loads(run.out) if run.code == 0 else {}
    suite.check("order wallet --json: the raw answer, everything back",
                wallet.get("available_minor") == 100000 and wallet.get("held_minor") == 0, run)


def claim(server, world, order_id):
    status, answer = server.request("POST", "/v1/supplier/claim", {"max": 100},
                                    world.supplier_token)
    ids = [job["order_id"] for job in (answer or {}).get("jobs", [])]
    if status != 200 or order_id not in ids:
        raise RuntimeError("claim did not return %s: %s %s" % (order_id, status, answer))


def progress(server, world, order_id, delivered):
    status, answer = server.request("POST", "/v1/supplier/jobs/%s/progress" % order_id,
                                    {"delivered": delivered}, world.supplier_token)
    if status != 200:
        raise RuntimeError("progress: %s %s" % (status, answer))


def check_prorated_cancel(suite, server, world):
    run = buyer(suite, server, world, ["place", world.service_id, "1000", "player-2"])
    world.order_b = order_id_of(run)
    suite.check("order place (second order)", run.code == 0 and world.order_b, run)
    claim(server, world, world.order_b)
    progress(server, world, world.order_b, 250)
    run = buyer(suite, server, world, ["show", world.order_b])
    suite.check("order show in execution: prorated quote with exact amounts",
                run.code == 0 and "250/1000" in run.out and "In progress" in run.out
                and "allowed (executing_prorated): refund ¥36.25; charged for delivered units "
                "¥12.50; cancellation fee ¥1.25" in run.out, run)
    run = buyer(suite, server, world, ["cancel", world.order_b, "--expect-refund-minor", "4000"])
    suite.check("order cancel expecting more than the quote: exit 1, quote_changed, new quote",
                run.code == 1 and run.one_error_line() and "quote_changed" in run.err
                and "refund ¥36.25" in run.out, run)
    run = buyer(suite, server, world, ["show", world.order_b, "--json"])
    suite.check("a refused cancel changes nothing",
                run.code == 0 and json_of(run)["state"] == "executing", run)
    run = buyer(suite, server, world, ["cancel", world.order_b])
    suite.check("order cancel in execution: prorated settlement with exact amounts",
                run.code == 0 and "executing_prorated: charged for delivered units ¥12.50; "
                "cancellation fee ¥1.25; refund ¥36.25" in run.out, run)
    run = buyer(suite, server, world, ["wallet"])
    suite.check("wallet after both cancels: ¥986.25 available, nothing held",
                run.code == 0 and re.search(r"Available:\s+¥986\.25", run.out)
                and re.search(r"Held:\s+¥0\.00", run.out), run)
    run = buyer(suite, server, world, ["entries"])
    suite.check("order entries lists top-up, holds and refunds",
                run.code == 0 and "topup" in run.out and "hold" in run.out
                and "refund" in run.out and "¥36.25" in run.out, run)
    run = buyer(suite, server, world, ["list", "--state", "cancelled"])
    suite.check("order list --state cancelled shows both orders",
                run.code == 0 and world.order_a in run.out and world.order_b in run.out, run)


def check_admin_views(suite, server, world):
    run = admin(suite, server, ["orders", "--buyer", world.buyer_id, "--state", "cancelled"])
    suite.check("admin orders --buyer --state",
                run.code == 0 and world.order_a in run.out and world.order_b in run.out, run)
    run = admin(suite, server, ["orders", "--limit", "1"])
    suite.check("admin orders --limit 1 shows one order and the next cursor",
                run.code == 0 and len(re.findall(r"^ord_", run.out, re.M)) == 1
                and "--cursor" in run.out, run)
    run = admin(suite, server, ["order", "show", world.order_b])
    suite.check("admin order show prints the settlement in plain words",
                run.code == 0 and "executing_prorated: charged for delivered units ¥12.50"
                in run.out, run)
    run = buyer(suite, server, world, ["show", world.order_b], lang="zh_CN.UTF-8")
    suite.check("LANG=zh_CN: Chinese words",
                run.code == 0 and "已取消" in run.out and "结算明细" in run.out
                and "退款 ¥36.25" in run.out, run)
    run = buyer(suite, server, world, ["show", world.order_b, "--lang", "zh"])
    suite.check("--lang zh: Chinese words", run.code == 0 and "已交付部分费用" in run.out, run)
    run = admin(suite, server, ["service", "add", "--name", "x", "--unit", "u",
                                "--unit-price-minor", "1", "--min-quantity", "1",
                                "--max-quantity", "2", "--policy", "pol_doesnotexist",
                                "--supplier", world.supplier_id])
    suite.check("server-side refusal: exit 1 with one line",
                run.code == 1 and run.one_error_line() and "(" in run.err, run)
    run = admin(suite, server, ["verify"])
    suite.check("admin verify: ok, exit 0", run.code == 0 and run.out.startswith("ok"), run)


def check_service_set(suite, server, world):
    run = admin(suite, server, ["service", "set", world.service_id, "--active", "false"])
    suite.check("admin service set --active false",
                run.code == 0 and "NOT active" in run.out, run)
    run = buyer(suite, server, world, ["place", world.service_id, "10", "p"])
    suite.check("an inactive service cannot be ordered: exit 1",
                run.code == 1 and run.one_error_line(), run)
    run = admin(suite, server, ["service", "set", world.service_id, "--active", "true",
                                "--unit-price-minor", "6"])
    suite.check("admin service set --active true --unit-price-minor 6",
                run.code == 0 and "¥0.06 per point" in run.out, run)
    run = buyer(suite, server, world, ["place", world.service_id, "100000", "p"])
    suite.check("placing more than the balance: exit 1, insufficient_funds, one line",
                run.code == 1 and run.one_error_line() and "insufficient_funds" in run.err, run)


def start_watch(suite, server, world, order_id, extra=()):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRORDER_")}
    env.update(LANG="C", FAIRORDER_URL=server.url, FAIRORDER_TOKEN=world.buyer_token)
    return subprocess.Popen([suite.binary, "order", "watch", order_id, "--timeout-s", "60"]
                            + list(extra), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process, timeout=45):
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=10)
    return Run(process.args, process.returncode, out.decode("utf-8", "replace"),
               err.decode("utf-8", "replace"))


def check_watch_stream(suite, server, world):
    run = buyer(suite, server, world, ["place", world.service_id, "1000", "player-3"])
    order_id = order_id_of(run)
    suite.check("order place (watched order)", run.code == 0 and order_id, run)
    claim(server, world, order_id)
    progress(server, world, order_id, 400)
    process = start_watch(suite, server, world, order_id)
    time.sleep(1.0)
    server.advance_clock(2)
    progress(server, world, order_id, 700)
    server.advance_clock(2)
    status, answer = server.request("POST", "/v1/supplier/jobs/%s/complete" % order_id,
                                    {"delivered": 1000}, world.supplier_token)
    suite.check("supplier completes the watched order", status == 200, answer)
    run = finish(process)
    lines = run.out.splitlines()
    suite.check("order watch (stream): replays from placement, one line per event",
                run.code == 0 and lines and lines[0].startswith("[....")
                and "0/1000 等待资源分配 Waiting for capacity" in lines[0], run)
    suite.check("order watch (stream): progress lines as the supplier reports",
                "[############..................] 400/1000 执行中 In progress" in run.out
                and "700/1000 执行中 In progress" in run.out, run)
    suite.check("order watch (stream): ends at the terminal event with the settlement",
                "[##############################] 1000/1000 已完成 Completed" in run.out
                and "completed: charged for delivered units ¥60.00; cancellation fee ¥0.00; "
                "refund ¥0.00" in run.out and run.err == "", run)
    world.completed_order = order_id


def check_watch_tty(suite, server, world):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRORDER_")}
    env.update(LANG="C", FAIRORDER_URL=server.url, FAIRORDER_TOKEN=world.buyer_token)
    master, slave = pty.openpty()
    process = subprocess.Popen([suite.binary, "order", "watch", world.order_b], env=env,
                               stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1.0)
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = process.wait(timeout=10)
    out = b"".join(chunks).decode("utf-8", "replace")
    suite.check("order watch on a terminal: redraws with \\r, then the settlement",
                code == 0 and "\r[" in out and "250/1000 已取消 Cancelled" in out
                and "refund ¥36.25" in out, out)


class StandIn(http.server.ThreadingHTTPServer):
    """A stand-in server for the cases the real one never shows on demand."""
    daemon_threads = True

    def __init__(self, mode):
        super().__init__(("127.0.0.1", 0), StandInHandler)
        self.mode = mode              # "resume" or "no-stream"
        self.polls = 0
        self.last_event_ids = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


def stand_in_order(state, delivered, settled):
    settlement = None
    if settled:
        settlement = {"reason": "completed", "charged_minor": 5000, "fee_minor": 0,
                      "refund_minor": 0, "at": "2026-11-25T19:00:00.000Z"}
    return {"id": "ord_standin", "buyer_id": "byr_x", "service_id": "svc_x", "quantity": 1000,
            "delivered": delivered, "unit_price_minor": 5, "amount_minor": 5000,
            "currency": "CNY", "target": "t", "state": state,
            "placed_at": "2026-11-25T19:00:00.000Z", "updated_at": "2026-11-25T19:00:00.000Z",
            "policy": None, "cancel": {"allowed": False, "reason": "already_completed",
                                       "message": "m", "charged_minor": 0, "fee_minor": 0,
                                       "refund_minor": 0, "rule_changes_at": None},
            "settlement": settlement}


class StandInHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        server = self.server
        if server.mode.startswith("huge"):
            self._huge(server.mode == "huge-length")
            return
        if self.path == "/v1/orders/ord_standin/events":
            if server.mode == "no-stream":
                self._json(404, {"error": {"code": "not_found", "message": "no such resource"}})
                return
            self._stream()
            return
        if self.path == "/v1/orders/ord_standin":
            server.polls += 1
            if server.mode == "resume":
                done = len(server.last_event_ids) >= 2
                self._json(200, stand_in_order("completed" if done else "executing",
                                               1000 if done else 100, done))
                return
            script = [("executing", 100, False), ("executing", 100, False),
                      ("executing", 500, False), ("completed", 1000, True)]
            self._json(200, stand_in_order(*script[min(server.polls - 1, len(script) - 1)]))
            return
        self._json(404, {"error": {"code": "not_found", "message": "no such resource"}})

    def _huge(self, with_length):
        """A 5 MiB answer, past the client's 4 MiB cap: announced, or read to the close."""
        size = 5 * 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if with_length:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        piece = b" " * 65536
        try:
            for _ in range(size // len(piece)):
                self.wfile.write(piece)
        except OSError:
            pass  # The client stopped reading, as it should.

    def _event(self, seq, kind, state, delivered):
        data = json.dumps({"seq": seq, "at": "2026-11-25T19:00:00.000Z", "type": kind,
                           "state": state, "delivered": delivered, "actor": "supplier",
                           "detail": ""})
        # CRLF line ends and a comment: the client must take both.
        return ("id: %d\r\nevent: %s\r\n: heartbeat\r\ndata: %s\r\n\r\n"
                % (seq, kind, data)).encode()

    def _stream(self):
        server = self.server
        server.last_event_ids.append(self.headers.get("Last-Event-ID"))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if len(server.last_event_ids) == 1:
            # First connection: two events, then the connection breaks.
            self.wfile.write(self._event(1, "claimed", "executing", 0))
            self.wfile.write(self._event(2, "progress", "executing", 100))
        else:
            self.wfile.write(self._event(3, "progress", "executing", 600))
            self.wfile.write(self._event(4, "completed", "completed", 1000))
        self.wfile.flush()


def check_watch_resume(suite):
    stand_in = StandIn("resume")
    try:
        process = subprocess.Popen(
            [suite.binary, "order", "watch", "ord_standin", "--timeout-s", "30"],
            env=dict(os.environ, LANG="C", FAIRORDER_URL=stand_in.url(), FAIRORDER_TOKEN="t"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        run = finish(process, timeout=40)
    finally:
        stand_in.close()
    suite.check("order watch resumes a broken stream with Last-Event-ID",
                run.code == 0 and stand_in.last_event_ids == [None, "2"]
                and "100/1000 执行中 In progress" in run.out
                and "600/1000 执行中 In progress" in run.out
                and "1000/1000 已完成 Completed" in run.out,
                "%s\nLast-Event-IDs seen: %r" % (run, stand_in.last_event_ids))


def check_watch_polling(suite):
    stand_in = StandIn("no-stream")
    try:
        process = subprocess.Popen(
            [suite.binary, "order", "watch", "ord_standin", "--timeout-s", "30"],
            env=dict(os.environ, LANG="C", FAIRORDER_URL=stand_in.url(), FAIRORDER_TOKEN="t"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        run = finish(process, timeout=40)
    finally:
        stand_in.close()
    suite.check("order watch falls back to polling when the stream is not offered",
                run.code == 0 and "100/1000 执行中 In progress" in run.out
                and "500/1000 执行中 In progress" in run.out
                and "completed: charged for delivered units ¥50.00" in run.out
                and stand_in.polls >= 4, "%s\npolls: %d" % (run, stand_in.polls))


def check_bounded_answers(suite):
    for mode in ("huge-length", "huge-close"):
        stand_in = StandIn(mode)
        try:
            run = run_cli(suite, ["order", "wallet"], token="t", url=stand_in.url())
        finally:
            stand_in.close()
        suite.check("an answer over 4 MiB (%s): exit 1, one line, nothing printed" % mode,
                    run.code == 1 and run.one_error_line() and "larger than" in run.err
                    and run.out == "", run)
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def not_http():
        for _ in range(2):  # The client retries a GET once.
            listener.settimeout(20)
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            connection.sendall(b"hello, this is not HTTP\r\n\r\n")
            connection.close()

    thread = threading.Thread(target=not_http, daemon=True)
    thread.start()
    try:
        run = run_cli(suite, ["order", "wallet"], token="t",
                      url="http://127.0.0.1:%d" % listener.getsockname()[1])
    finally:
        thread.join(timeout=25)
        listener.close()
    suite.check("a server that does not speak HTTP: exit 1, one line",
                run.code == 1 and run.one_error_line() and "HTTP" in run.err, run)


def check_final_verify(suite, server):
    run = run_cli(suite, ["admin", "verify", "--json"], token=server.admin_token,
                  url=server.url)
    suite.check("admin verify --json at the end: ok",
                run.code == 0 and json_of(run)["ok"] is True, run)


def main():
    parser = argparse.ArgumentParser(prog="tests/cli/run.py")
    parser.add_argument("--binary", required=True, help="the fairorder binary to test")
    args = parser.parse_args()
    suite = Suite(os.path.abspath(args.binary))
    started = time.monotonic()
    if not os.path.isfile(suite.binary):
        suite.check("prerequisite: %s exists" % args.binary, False)
        print("cli: %d passed, %d failed" % (suite.passed, suite.failed))
        return 1
    server = None
    try:
        server = Server(suite.binary)
        suite.section("help", lambda: check_help(suite))
        suite.section("usage errors", lambda: check_usage_errors(suite, server.url))
        suite.section("network errors", lambda: check_network_errors(suite, server))
        world = build_world(suite, server)
        suite.section("browse", lambda: check_buyer_browse(suite, server, world))
        suite.section("cooling-off cancel", lambda: check_cooling_off_cancel(suite, server, world))
        suite.section("prorated cancel", lambda: check_prorated_cancel(suite, server, world))
        suite.section("admin views", lambda: check_admin_views(suite, server, world))
        suite.section("service set", lambda: check_service_set(suite, server, world))
        suite.section("watch stream", lambda: check_watch_stream(suite, server, world))
        suite.section("watch tty", lambda: check_watch_tty(suite, server, world))
        suite.section("watch resume", lambda: check_watch_resume(suite))
        suite.section("watch polling", lambda: check_watch_polling(suite))
        suite.section("bounded answers", lambda: check_bounded_answers(suite))
        suite.section("final verify", lambda: check_final_verify(suite, server))
    except Exception:
        suite.check("setup", False, traceback.format_exc())
    finally:
        if server is not None:
            code, log = server.stop()
            bad = [p for p in SANITIZER_PATTERNS if p in log]
            suite.check("server stopped cleanly with a clean log", code == 0 and not bad,
                        "exit %s, found %r\n%s" % (code, bad, log[-3000:]))
            if suite.failed == 0:
                shutil.rmtree(server.directory, ignore_errors=True)
    print("(%.1fs)" % (time.monotonic() - started))
    print("cli: %d passed, %d failed" % (suite.passed, suite.failed), flush=True)
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
