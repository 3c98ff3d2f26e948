#!/usr/bin/env bash
# Runs cmocka test binaries and prints one closing line "NAME: N passed, N failed".
# Usage: tools/run-suite.sh NAME BINARY...   Exit 1 when any test failed or crashed.
set -uo pipefail
name=$1; shift
passed=0; failed=0
for bin in "$@"; do
  out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
        "$bin" 2>&1); rc=$?
  echo "$out" | grep -E '^\[  (FAILED|ERROR)|^\[==========\]|seed|^ERROR|runtime error|Sanitizer' || true
  p=$(echo "$out" | sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(echo "$out" | sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  if [[ $rc -ne 0 && $f -eq 0 ]]; then
    echo "$out" | tail -30
    echo "$bin: exited $rc"
    f=1
  fi
  passed=$((passed + p)); failed=$((failed + f))
done
echo "$name: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
