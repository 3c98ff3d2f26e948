#!/usr/bin/env bash
# fuzz/run.sh MODE BUILD_DIR: run the libFuzzer drivers of fuzz/ (see fuzz/README.md).
#
#   fuzz     each driver for FUZZ_SECONDS (default 60) on build/fuzz/corpus/NAME, a copy of
#            its committed corpus plus whatever earlier runs found; one process, one core.
#            Crashes go to build/fuzz/artifacts/. Exits non-zero when any driver crashed.
#   regress  each driver once over every committed input (-runs=0), in seconds. Prints
#            "fuzz: N passed, N failed" (inputs run / inputs that crashed).
#
# The committed corpus is only ever read: new inputs and crashes land under BUILD_DIR.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: fuzz/run.sh fuzz|regress BUILD_DIR}
build=${2:?usage: fuzz/run.sh fuzz|regress BUILD_DIR}
seconds=${FUZZ_SECONDS:-60}
drivers=(decode core)
artifacts=$build/artifacts
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Options every run shares: crashes under build/, a 10 s hang is a crash, no fork.
common_options() { # common_options NAME
  local options=(-artifact_prefix="$artifacts/$1-" -timeout=10 -rss_limit_mb=2048)
  [[ $1 == decode ]] && options+=(-dict=fuzz/decode.dict)
  echo "${options[@]}"
}

run_fuzz() {
  local failed=()
  for name in "${drivers[@]}"; do
    local corpus=$build/corpus/$name
    mkdir -p "$corpus"
    cp -p fuzz/corpus/"$name"/* "$corpus"/
    echo "== fuzz $name: ${seconds}s on $corpus"
    # shellcheck disable=SC2046
    if ! "$build/${name}_fuzz" $(common_options "$name") -max_len=8192 -max_total_time="$seconds" \
        -print_final_stats=1 "$corpus"; then
      failed+=("$name")
    fi
  done
  if ((${#failed[@]})); then
    echo "fuzz: crashed: ${failed[*]} (inputs in $artifacts/; see fuzz/README.md)"
    return 1
  fi
  echo "fuzz: no crash in ${#drivers[@]} drivers"
}

# One run over a whole corpus is fast; only when it fails is each input run on its own,
# to count and name the ones that crash.
run_regress() {
  local passed=0 failed=0
  for name in "${drivers[@]}"; do
    local inputs=(fuzz/corpus/"$name"/*) before=$failed
    # shellcheck disable=SC2046
    if "$build/${name}_fuzz" $(common_options "$name") -runs=0 "fuzz/corpus/$name" \
        >"$build/regress-$name.log" 2>&1; then
      passed=$((passed + ${#inputs[@]}))
      echo "fuzz $name: ${#inputs[@]} inputs, no crash"
      continue
    fi
    for input in "${inputs[@]}"; do
      # shellcheck disable=SC2046
      if "$build/${name}_fuzz" $(common_options "$name") "$input" \
          >"$build/regress-one.log" 2>&1; then
        passed=$((passed + 1))
      else
        failed=$((failed + 1))
        echo "fuzz $name: CRASH on $input"
        grep -E 'ERROR|assertion failed|runtime error' "$build/regress-one.log" | head -3
      fi
    done
    if ((failed == before)); then # The corpus run failed, yet no input alone does.
      failed=$((failed + 1))
      echo "fuzz $name: the run over the corpus failed; see $build/regress-$name.log"
    fi
  done
  echo "fuzz: $passed passed, $failed failed"
  ((failed == 0))
}

case $mode in
  fuzz) run_fuzz ;;
  regress) run_regress ;;
  *) echo "usage: fuzz/run.sh fuzz|regress BUILD_DIR" >&2; exit 2 ;;
esac
