#!/usr/bin/python3
"""Runs the fault tests of fairorder: kill -9 under load, then restart and verify; and
concurrent cancel / claim / progress races on the same orders, then verify.

Usage: tests/faults/run.py --binary build/fairorder [-k PATTERN]...

Ends with exactly one line "faults: N passed, N failed"; exit 1 on any failure. Shares the
client helpers and the runner of tests/api (fo_client.py, fo_runner.py).
"""

import os
import sys

sys.dont_write_bytecode = True  # Keep __pycache__ out of the source tree.

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))

import fo_runner  # noqa: E402


if __name__ == "__main__":
    sys.exit(fo_runner.main("faults", HERE, sys.argv[1:]))
