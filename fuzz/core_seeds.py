#!/usr/bin/env python3
"""Write the seed programs of fuzz/corpus/core/ (fuzz/README.md).

core_fuzz reads its input as a little program (see the comment atop fuzz/core_fuzz.c);
byte programs are unreadable, so the seeds are written here, one named scenario each, in
the driver's own encoding. Run from the repository root: python3 fuzz/core_seeds.py
"""
import os
import struct

MIN, MAX = [0], [1]  # take_range kinds 0 and 1: the bounds.
T0 = 1700000000000  # 2023-11-14T22:13:20Z, the unit tests' placement instant.


def raw(value, low):
    """take_range kind 4: low + an 8-byte offset."""
    return [4] + list(struct.pack(">Q", value - low))


def rules(pending_deny=False, queued="fee", executing_deny=False):
    queued_bits = {"full": 0, "fee": 1, "deny": 2}[queued]
    return [(1 if pending_deny else 0) | (queued_bits << 1) | (8 if executing_deny else 0)]


def setup(rule_byte, cooling_off_s, fee_fixed, fee_bps, free, quantity, price, count=0,
          poor=False):
    """Policy, order (placed at T0, lease 300 s), cancel count, wallet (available at the cap,
    or when poor just the order's amount)."""
    program = list(rule_byte)
    program += raw(cooling_off_s, 0) + raw(fee_fixed, 0) + raw(fee_bps, 0) + raw(free, 0)
    program += raw(quantity, 1) + raw(price, 1) + raw(T0, 0) + raw(300, 10) + raw(count, 0)
    return program + (MIN if poor else MAX) + MIN


ALLOCATE, CLAIM, CANCEL = [0], [1], [5]


def progress(more):
    """Report `more` units beyond what was delivered (take_delivered kind 2)."""
    return [2, 2] + raw(more, 0) + [0]


def progress_any(delivered):
    """Report any count in 0..10^9 (take_delivered kind 0), legal or not."""
    return [2, 0] + raw(delivered, 0) + [0]


def complete():
    return [3, 1, 0]


def complete_any(delivered):
    return [3, 0] + raw(delivered, 0) + [0]


def fail(more, timeout=False):
    return [4, 2] + raw(more, 0) + [1 if timeout else 0]


def advance_cooling_end(offset):
    """The clock to the end of cooling-off - 1 + offset (0..2)."""
    return [6, 1] + raw(offset, 0)


def advance_lease_end(offset):
    return [6, 2] + raw(offset, 0)


def advance_far(ms):
    return [6, 4] + raw(ms, 0)


def count_near(offset):
    """The cancel count to free_cancels_per_day - 1 + offset."""
    return [7, 0, 2, offset]


def topup(amount):
    return [9] + raw(amount, 1)


def render(cut=1024, money_cut=32, value=0):
    return [8] + raw(cut, 1) + raw(money_cut, 1) + list(struct.pack(">q", value))


def standard(count=0):
    """API.md's example policy (10 min, ¥0.50 + 2 %, 5 free) and order (1000 at 5 fen)."""
    return setup(rules(), 600, 50, 200, 5, 1000, 5, count)


SEEDS = {
    "api-example-prorated": standard() + render() + ALLOCATE + CLAIM + progress(250) + render()
    + CANCEL + render(),
    "cooling-off-cancel": standard() + render() + CANCEL + render(),
    "cooling-off-boundary": standard() + advance_cooling_end(0) + render()
    + advance_cooling_end(1) + render() + CANCEL,
    "complete": standard() + ALLOCATE + CLAIM + progress(500) + progress(500) + complete()
    + render() + CANCEL,
    "fail-supplier": standard() + ALLOCATE + CLAIM + progress(10) + fail(0) + render(),
    "lease-timeout": standard() + ALLOCATE + CLAIM + progress(3) + advance_lease_end(0) + render()
    + advance_lease_end(1) + render(),
    "queued-with-fee": standard() + ALLOCATE + advance_cooling_end(1) + render() + CANCEL
    + render(),
    "free-cancels-used": standard(count=5) + render() + CANCEL + count_near(0) + render(),
    "deny-all": setup(rules(True, "deny", True), 0, 0, 0, 0, 7, 3) + CANCEL + ALLOCATE + CANCEL
    + CLAIM + CANCEL + progress(7) + complete() + render(),
    "full-refunds": setup(rules(False, "full"), 0, 0, 0, 0, 1, 1) + CANCEL + render(),
    "queued-full-refund": setup(rules(False, "full"), 0, 0, 0, 0, 3, 1) + ALLOCATE + render()
    + CANCEL,
    "limits-max": setup(rules(), 86400, 10**12, 10000, 1000, 10**9, 10**6) + ALLOCATE + CLAIM
    + progress(10**9 - 1) + render() + CANCEL + render(value=-(2**63)),
    "fee-exceeds-rest": setup(rules(), 0, 10**12, 10000, 0, 3, 7) + ALLOCATE + CLAIM
    + progress(1) + CANCEL + render(),
    "invalid-progress": standard() + progress(1) + ALLOCATE + CLAIM + progress(500)
    + progress_any(499) + progress_any(1001) + complete_any(999) + complete()
    + render(cut=1, money_cut=1),
    "far-future": standard() + advance_far(31536000 * 1000) + render() + ALLOCATE + CLAIM
    + advance_far(31536000 * 1000) + render(),
    "truncated-texts": standard() + ALLOCATE + CLAIM + progress(1) + render(cut=7, money_cut=3)
    + render(cut=2, money_cut=2),
    "topup-refused-at-cap": standard() + topup(1) + CANCEL + topup(10**12) + render(),
    "topup-then-settle": setup(rules(), 600, 50, 200, 5, 1000, 5, poor=True) + topup(10**12)
    + ALLOCATE + CLAIM + progress(999) + CANCEL + topup(1) + render(),
    "min-amount": setup(rules(), 1, 1, 1, 1, 1, 1) + ALLOCATE + CLAIM + CANCEL + render(),
}

if __name__ == "__main__":
    directory = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "core")
    os.makedirs(directory, exist_ok=True)
    for name, program in SEEDS.items():
        with open(os.path.join(directory, name + ".bin"), "wb") as out:
            out.write(bytes(program))
    print(f"wrote {len(SEEDS)} seeds to {directory}")
