#!/usr/bin/python3
"""Runs the black-box API tests of fairorder against a real server on 127.0.0.1.

Usage: tests/api/run.py --binary build/debug/fairorder [-k PATTERN]...

Discovers every tests/api/test_*.py (unittest), runs them in order, prints each failure
with its traceback and the tail of the live servers' logs, and ends with exactly one line
"api: N passed, N failed". Exit 1 on any failure. Nothing is skipped silently: a skipped
test, an import error or a failing module fixture counts as a failure.
"""

import os
import sys

sys.dont_write_bytecode = True  # Keep __pycache__ out of the source tree.

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import fo_runner  # noqa: E402


if __name__ == "__main__":
    sys.exit(fo_runner.main("api", HERE, sys.argv[1:]))
