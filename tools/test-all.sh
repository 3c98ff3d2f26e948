#!/usr/bin/env bash
# make test: tidy, format check, then every suite (sanitized), then one closing line
# "N passed, N failed" over all of them. Exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
log_dir=build/test-logs
mkdir -p "$log_dir"
total_passed=0; total_failed=0; broken=()

step() { # step NAME COMMAND...: run, echo its output, add its closing counts
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$log_dir/$name.log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log_dir/$name.log" | tail -1)
  if [[ -n "$line" ]]; then
    local p f
    p=$(echo "$line" | sed -E 's/.*\b([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
  fi
  if [[ $rc -ne 0 ]]; then
    broken+=("$name")
    [[ -z "$line" ]] && total_failed=$((total_failed + 1))
  fi
}

step build make --no-print-directory BOOTSTRAP=0 build/debug/fairorder build/fairorder
step tidy tools/tidy.sh
step format make --no-print-directory BOOTSTRAP=0 format-check
step unit make --no-print-directory BOOTSTRAP=0 unit
# Every suite runs; a missing one fails its step rather than being skipped.
step api make --no-print-directory BOOTSTRAP=0 api
step cli make --no-print-directory BOOTSTRAP=0 cli
step web make --no-print-directory BOOTSTRAP=0 web
step faults make --no-print-directory BOOTSTRAP=0 faults
step fuzz make --no-print-directory BOOTSTRAP=0 fuzz-regress

echo
if ((${#broken[@]})); then
  echo "FAILED steps: ${broken[*]} (logs in $log_dir/)"
fi
echo "$total_passed passed, $total_failed failed"
((${#broken[@]} == 0 && total_failed == 0))
