"""A tiny unittest runner shared by tests/api/run.py and tests/faults/run.py.

Prints one line per test, every failure in full (traceback, then the tail of each live
server's log), and a closing line "SUITE: N passed, N failed" alone on its line. A skip,
an import error or a module/class fixture error counts as a failure: nothing is silently
left out.
"""

import argparse
import fnmatch
import io
import os
import sys
import time
import traceback
import unittest

import fo_client


class Result(unittest.TestResult):
    def __init__(self, out):
        super().__init__()
        self.out = out
        self.outcomes = {}   # test id -> list of problems (empty: passed)
        self.order = []
        self.started = {}

    def _id(self, test):
        return test.id() if hasattr(test, "id") else str(test)

    def startTest(self, test):
        super().startTest(test)
        tid = self._id(test)
        self.started[tid] = time.monotonic()
        if tid not in self.outcomes:
            self.outcomes[tid] = []
            self.order.append(tid)

    def _problem(self, test, kind, text):
        tid = self._id(test)
        if tid not in self.outcomes:
            self.outcomes[tid] = []
            self.order.append(tid)
        tails = fo_client.live_server_tails()
        self.outcomes[tid].append((kind, text, tails))
        if tid not in self.started:
            # A module or class fixture: no test will print it, so print it now.
            self.out.write("FAIL  %s\n" % tid)
            self._print_problems(tid, [(kind, text, tails)])
            self.out.flush()

    def addError(self, test, err):
        super().addError(test, err)
        self._problem(test, "ERROR", self._exc_info_to_string(err, test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._problem(test, "FAIL", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._problem(test, "SKIPPED (counts as a failure)", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._problem(test, "EXPECTED FAILURE (counts as a failure)",
                      self._exc_info_to_string(err, test))

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._problem(test, "UNEXPECTED SUCCESS", "")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "FAIL" if issubclass(err[0], test.failureException) else "ERROR"
            self._problem(test, kind + " " + subtest._subDescription(),
                          self._exc_info_to_string(err, test))

    def stopTest(self, test):
        super().stopTest(test)
        tid = self._id(test)
        elapsed = time.monotonic() - self.started.get(tid, time.monotonic())
        problems = self.outcomes.get(tid, [])
        if not problems:
            self.out.write("ok    %s (%.1fs)\n" % (tid, elapsed))
        else:
            self.out.write("FAIL  %s (%.1fs)\n" % (tid, elapsed))
            self._print_problems(tid, problems)
        self.out.flush()

    def _print_problems(self, tid, problems):
        for kind, text, tails in problems:
            self.out.write("=" * 78 + "\n%s: %s\n%s\n" % (kind, tid, text.rstrip()))
            for tail in tails:
                self.out.write(tail + "\n")
        self.out.write("=" * 78 + "\n")


def iter_tests(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_tests(item)
        else:
            yield item


def main(name, directory, argv):
    parser = argparse.ArgumentParser(prog="%s/run.py" % name)
    parser.add_argument("--binary", required=True, help="the fairorder binary to test")
    parser.add_argument("-k", dest="patterns", action="append", default=[],
                        help="run only tests whose id contains PATTERN (or matches it as a "
                             "glob); repeatable")
    args = parser.parse_args(argv)
    fo_client.BINARY = os.path.abspath(args.binary)
    out = sys.stdout

    loader = unittest.TestLoader()
    suite = loader.discover(start_dir=directory, pattern="test_*.py", top_level_dir=directory)
    tests = list(iter_tests(suite))
    if args.patterns:
        def wanted(test):
            tid = test.id()
            for pattern in args.patterns:
                if pattern.lower() in tid.lower() or fnmatch.fnmatch(tid, pattern):
                    return True
            return False
        tests = [t for t in tests if wanted(t)]

    result = Result(out)
    started = time.monotonic()
    if not os.path.isfile(fo_client.BINARY):
        out.write("FAIL  prerequisite: %s does not exist (build it first: make BOOTSTRAP=0 %s)\n"
                  % (args.binary, args.binary))
        result.outcomes["prerequisite"] = [("ERROR", "binary missing", [])]
        result.order.append("prerequisite")
    elif not tests:
        out.write("FAIL  no test matched %r\n" % (args.patterns,))
        result.outcomes["selection"] = [("ERROR", "no test selected", [])]
        result.order.append("selection")
    else:
        try:
            unittest.TestSuite(tests).run(result)
        except KeyboardInterrupt:
            out.write("interrupted\n")
            result.outcomes["interrupted"] = [("ERROR", "interrupted", [])]
            result.order.append("interrupted")
    for problem in fo_client.stop_all_servers():
        out.write("FAIL  server left running at the end\n%s\n" % problem)
        result.outcomes["server-at-exit-%d" % len(result.outcomes)] = [("ERROR", problem, [])]
        result.order.append("server-at-exit")
    passed = sum(1 for tid in result.outcomes if not result.outcomes[tid])
    failed = sum(1 for tid in result.outcomes if result.outcomes[tid])
    if failed:
        out.write("(server databases and logs kept under %s)\n" % fo_client.TMP_ROOT)
    else:
        fo_client.remove_created_dirs()
    out.write("(%.1fs)\n" % (time.monotonic() - started))
    out.write("%s: %d passed, %d failed\n" % (name, passed, failed))
    out.flush()
    return 1 if failed else 0
