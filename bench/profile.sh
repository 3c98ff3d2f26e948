#!/usr/bin/env bash
# bench/profile.sh: where the server's time goes under one scenario (not part of make bench).
#
#   bench/profile.sh [SCENARIO [SECONDS [CONNECTIONS]]]   default: cancel 5 64
#
# Starts build/fairorder on a fresh database, creates accounts, then drives SCENARIO for
# SECONDS while sampling the server, and prints:
#   - per answer: server CPU, fdatasync/fsync, pwrite64 and write calls, bytes written to
#     disk (/proc/PID/io), so batch size and write amplification read off directly;
#   - perf (cpu-clock samples, DWARF call graphs): CPU by library, the top functions by
#     self time and by inclusive time (with what they call);
#   - without a usable perf, valgrind --tool=callgrind on a shorter run instead.
# Outputs stay in build/bench/profile/. Loopback only; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:-cancel}
seconds=${2:-5}
connections=${3:-64}
out=build/bench/profile
loadgen=build/bench/loadgen
server_bin=build/fairorder

make -s BOOTSTRAP=0 bench-tools
[[ -x $server_bin ]] || { echo "profile: $server_bin is missing: run 'make' first" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
admin_token=profile-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

# start WRAPPER...: the server under an optional wrapper (valgrind); sets server_pid, port.
start() {
  rm -f "$out"/x.db*
  : > "$out/server.log"
  env FAIRORDER_ADMIN_TOKEN="$admin_token" "$@" "$server_bin" serve --db "$out/x.db" \
    --listen 127.0.0.1:0 2>>"$out/server.log" &
  server_pid=$!
  port=""
  local attempt
  for attempt in $(seq 1 600); do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$out/server.log")
    [[ -n $port ]] && break
    sleep 0.1
  done
  if [[ -z $port ]]; then
    echo "profile: the server did not start" >&2
    tail "$out/server.log" >&2
    exit 1
  fi
  "$loadgen" --port "$port" --scenario setup --accounts "$out/accounts.txt" \
    --accounts-count "$connections" --connections 16 --admin-token "$admin_token" 2>/dev/null
}

drive() {
  "$loadgen" --port "$port" --scenario "$scenario" --connections "$connections" \
    --duration-s "$1" --warmup-s 0 --accounts "$out/accounts.txt" 2>>"$out/loadgen.log"
}

field() { grep -o "\"$1\":[0-9.]*" <<< "$2" | head -1 | cut -d: -f2; }
io_written() { awk '/^write_bytes:/ { print $2 }' "/proc/$1/io"; }
cpu_ticks() {
  local stat
  stat=$(< "/proc/$1/stat")
  stat=${stat##*) }
  read -r -a fields <<< "$stat"
  echo $((fields[11] + fields[12]))
}

per_answer() {
  local line ticks_before bytes_before
  ticks_before=$(cpu_ticks "$server_pid")
  bytes_before=$(io_written "$server_pid")
  perf stat -x, -o "$out/syscalls.csv" -p "$server_pid" \
    -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync \
    -e syscalls:sys_enter_pwrite64,syscalls:sys_enter_write -- sleep "$((seconds + 1))" &
  local stat_pid=$!
  line=$(drive "$seconds")
  wait "$stat_pid" || true
  local answers ticks bytes
  answers=$(field answers_total "$line")
  ticks=$(($(cpu_ticks "$server_pid") - ticks_before))
  bytes=$(($(io_written "$server_pid") - bytes_before))
  echo "== $scenario, $connections connections, $seconds s: $(field requests_per_s "$line") req/s"
  awk -F, -v answers="$answers" -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" -v bytes="$bytes" '
    BEGIN { printf "per answer: %.1f us of server CPU, %.0f bytes written to disk\n",
                   ticks / hz * 1e6 / answers, bytes / answers }
    $3 ~ /syscalls/ { sub("syscalls:sys_enter_", "", $3)
                      printf "per answer: %.3f %s (%d in all)\n", $1 / answers, $3, $1 }
  ' "$out/syscalls.csv"
}

profile_perf() {
  perf record -q -e cpu-clock -F 1999 --call-graph dwarf,16384 -p "$server_pid" \
    -o "$out/perf.data" -- sleep "$seconds" >/dev/null 2>&1 &
  local record_pid=$!
  drive "$seconds" >/dev/null
  wait "$record_pid" || true
  local report=(perf report -i "$out/perf.data" --stdio -g none)
  echo "== CPU by library (self)"
  "${report[@]}" --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -10 || true
  echo "== top functions (self)"
  "${report[@]}" --no-children --sort dso,symbol 2>/dev/null | grep -E '^ +[0-9]' | head -30 \
    || true
  echo "== top functions (inclusive: with what they call)"
  "${report[@]}" --children --sort symbol 2>/dev/null | grep -E '^ +[0-9]' \
    | grep -vE '\] (0x[0-9a-f]+|clone3|start_thread) ' | head -45 || true
}

profile_callgrind() {
  cleanup
  start valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" --trace-children=no
  drive "$seconds" >/dev/null
  kill -TERM "$server_pid"
  wait "$server_pid" || true
  server_pid=""
  callgrind_annotate --inclusive=yes "$out/callgrind.out" | head -60 || true
}

start
drive 1 >/dev/null # Warm the caches and the database.
if perf stat -e cpu-clock -o /dev/null true 2>/dev/null; then
  per_answer
  profile_perf
else
  echo "profile: perf cannot sample here; using valgrind (slow, short)" >&2
  profile_callgrind
fi
