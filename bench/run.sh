#!/usr/bin/env bash
# bench/run.sh: the benchmark of issue 6, run by `make bench` (after build/fairorder).
#
# 1. Builds the tools (bench/bench.mk) and probes the disk's fsync latency.
# 2. Starts the baseline server (bench/baseline.c) and the real server on a fresh SQLite
#    database, creates accounts through the admin API (one buyer, supplier and service per
#    connection), and runs each scenario at 64 connections, cancel and read twice more
#    (the ratio targets take the median of the three), then cancel and read at 1, 16, 64
#    and 256 connections. Every server run is preceded by a baseline run with the same
#    generator and the same connections, so each figure has a ratio beside it.
# 3. Growth: a second server on a second fresh database, grown through the API (place and
#    cancel, by 1024 buyers of its own in turn) to each size; at each size fresh accounts
#    measure read and cancel three times (the targets compare medians), and the server's
#    peak RSS during them is read from /proc
#    (VmHWM, reset first).
# 4. `fairorder verify` checks both databases offline: the load kept every invariant.
# 5. build/bench/report prints the table and the targets and writes build/bench.json and
#    build/bench/results.md (pasted into BENCH.md).
#
# Environment: BENCH_QUICK=1 for a short run (2 s windows, 5k/50k/200k orders);
# BENCH_DURATION_S and BENCH_SIZES override the window and the sizes. Loopback only; every
# wait is bounded; every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

out=build/bench
db_dir=$out/db
runs=$out/runs.jsonl
loadgen=$out/loadgen
server_bin=build/fairorder

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  duration_s=${BENCH_DURATION_S:-2}
  read -r -a sizes <<< "${BENCH_SIZES:-5000 50000 200000}"
  command_line="BENCH_QUICK=1 make bench"
else
  duration_s=${BENCH_DURATION_S:-5}
  read -r -a sizes <<< "${BENCH_SIZES:-10000 100000 1000000}"
  command_line="make bench"
fi
warmup_s=1
connection_counts=(1 16 64 256)
# Growing the database to all sizes may take at most this long; past it, the sizes are
# what was reached (and reported as such).
preload_max_s=${BENCH_PRELOAD_MAX_S:-900}
preload_spent_s=0

log() { printf 'bench: %s\n' "$*" >&2; }

make -s BOOTSTRAP=0 bench-tools
[[ -x $server_bin ]] || { log "$server_bin is missing: run 'make' first"; exit 1; }
rm -rf "$db_dir" "$out"/*.log
mkdir -p "$db_dir"
: > "$runs"

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# Status code of GET PATH on 127.0.0.1:PORT, or 000.
http_status() {
  local port=$1 path=$2 line=""
  if exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
    IFS= read -r -t 5 line <&3 || true
    exec 3>&- 3<&-
  fi 2>/dev/null
  local status=${line:9:3}
  echo "${status:-000}"
}

# start_server NAME COMMAND...: sets server_pid and server_port; waits (bounded) until the
# process prints its address and GET /healthz answers 200.
start_server() {
  local name=$1 log_file=$out/$1.log attempt
  shift
  : > "$log_file" # Exists before the server writes to it, so the wait below can read it.
  "$@" 2>>"$log_file" &
  server_pid=$!
  pids+=("$server_pid")
  server_port=""
  for attempt in $(seq 1 300); do
    server_port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log_file")
    [[ -n $server_port ]] && break
    alive "$server_pid" || break
    sleep 0.1
  done
  if [[ -z $server_port ]]; then
    log "$name did not start; its log ($log_file):"
    tail -20 "$log_file" >&2
    exit 1
  fi
  for attempt in $(seq 1 100); do
    if [[ $(http_status "$server_port" /healthz) == 200 ]]; then
      log "$name on port $server_port"
      return 0
    fi
    sleep 0.1
  done
  log "$name never answered GET /healthz with 200"
  exit 1
}

# Running and not a zombie (a child that exited stays one until it is waited for).
alive() {
  local state
  state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
  [[ -n $state && $state != Z ]]
}

# Drop a process from those the exit trap stops (it was stopped, or is gone).
forget_pid() {
  local kept=() pid
  for pid in "${pids[@]}"; do
    [[ $pid == "$1" ]] || kept+=("$pid")
  done
  pids=("${kept[@]}")
}

stop_server() {
  local attempt
  forget_pid "$1"
  kill -TERM "$1" 2>/dev/null || true
  for attempt in $(seq 1 100); do
    if ! alive "$1"; then
      wait "$1" 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
  log "process $1 did not stop on SIGTERM; killing it"
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

proc_kb() { awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"; }
# Reset the peak RSS (VmHWM) to the current RSS (Linux >= 4.0); harmless where unsupported.
reset_peak() { echo 5 > "/proc/$1/clear_refs" 2>/dev/null || true; }
# CPU time (user + system) of a process so far, in clock ticks.
cpu_ticks() {
  local stat
  stat=$(< "/proc/$1/stat")
  stat=${stat##*) }
  read -r -a fields <<< "$stat"
  echo $((fields[11] + fields[12]))
}
clock_ticks_per_s=$(getconf CLK_TCK)
db_bytes() { du -cb "$1"* 2>/dev/null | awk 'END { print $1 + 0 }'; }

orders=0 # Orders in the database of the server being measured.
step=0   # Growth: the index of the size being measured (0 = the smallest).

# measure GROUP TARGET PORT SCENARIO CONNECTIONS ACCOUNTS PID: one run, appended to $runs
# with what only this script knows: group, target, database size, the server's memory and
# the CPU time it spent per answer (warm-up included, as the answers count it).
measure() {
  local group=$1 target=$2 port=$3 scenario=$4 connections=$5 accounts=$6 pid=$7
  local line extras placed ticks_before ticks_after
  ticks_before=$(cpu_ticks "$pid")
  line=$("$loadgen" --port "$port" --scenario "$scenario" --connections "$connections" \
    --duration-s "$duration_s" --warmup-s "$warmup_s" --accounts "$accounts" \
    --label "$group" 2>>"$out/loadgen.log") \
    || { log "loadgen failed; see $out/loadgen.log"; exit 1; }
  ticks_after=$(cpu_ticks "$pid")
  extras="\"group\":\"$group\",\"target\":\"$target\""
  extras+=$(awk -v ticks=$((ticks_after - ticks_before)) -v hz="$clock_ticks_per_s" \
    -v answers="$(grep -o '"answers_total":[0-9]*' <<< "$line" | cut -d: -f2)" \
    'BEGIN { per_answer_us = (answers > 0) ? ticks / hz * 1e6 / answers : 0
             printf ",\"server_cpu_s\":%.2f,\"cpu_us_per_answer\":%.1f", ticks / hz,
               per_answer_us }')
  if [[ $target == server ]]; then
    placed=$(grep -o '"orders_placed":[0-9]*' <<< "$line" | cut -d: -f2)
    extras+=",\"size\":$orders,\"step\":$step,\"rss_hwm_kb\":$(proc_kb "$pid" VmHWM)"
    extras+=",\"rss_kb\":$(proc_kb "$pid" VmRSS),\"db_bytes\":$(db_bytes "$db")"
    orders=$((orders + placed))
  fi
  echo "${line%\}},$extras}" >> "$runs"
  log "$(printf '%-11s %-9s %-9s %3s conns: %8s req/s, p99 %s us' "$group" "$target" \
    "$scenario" "$connections" \
    "$(grep -o '"requests_per_s":[0-9.]*' <<< "$line" | cut -d: -f2)" \
    "$(grep -o '"latency_us":{[^}]*' <<< "$line" | grep -o '"p99":[0-9.]*' | cut -d: -f2)")"
}

# measure_baseline GROUP CONNECTIONS: a baseline run; the baseline server is started again
# first if it has gone (on a shared machine a neighbour's cleanup may take it), since a
# ratio to a dead server would be meaningless.
measure_baseline() {
  if ! alive "$base_pid"; then
    log "the baseline server (pid $base_pid) has gone; starting it again"
    forget_pid "$base_pid"
    start_server baseline "$out/baseline" --listen 127.0.0.1:0
    base_port=$server_port base_pid=$server_pid
  fi
  measure "$1" baseline "$base_port" baseline "$2" none "$base_pid"
}

# measure_server GROUP SCENARIO CONNECTIONS ACCOUNTS: a run of the real server, which must be
# alive: if it died, that is the finding, and its log says why.
measure_server() {
  if ! alive "$pid"; then
    log "the server (pid $pid) has died; the end of its log:"
    tail -20 "$out/$server_name.log" >&2
    exit 1
  fi
  measure "$1" server "$port" "$2" "$3" "$4" "$pid"
}

# setup_accounts PORT FILE COUNT: a policy, and COUNT buyers, suppliers and services.
setup_accounts() {
  "$loadgen" --port "$1" --scenario setup --accounts "$2" --accounts-count "$3" \
    --connections 16 --admin-token "$admin_token" 2>>"$out/loadgen.log" \
    || { log "setup failed; see $out/loadgen.log"; exit 1; }
}

# preload PORT ACCOUNTS SIZE: place and cancel orders (256 connections, so group commits
# are large) until the database holds SIZE, within what is left of the preload budget.
preload() {
  local want=$(($3 - orders)) line placed started=$SECONDS
  local budget_s=$((preload_max_s - preload_spent_s))
  ((budget_s <= 3600)) || budget_s=3600
  ((want > 0)) || return 0
  if ((budget_s < 1)); then
    log "preload budget of $preload_max_s s spent: measuring at $orders orders, not $3"
    return 0
  fi
  line=$("$loadgen" --port "$1" --scenario cancel --connections 256 --rotate-accounts \
    --workflows-max "$want" \
    --duration-s "$budget_s" --warmup-s 0 --accounts "$2" --label preload \
    2>>"$out/loadgen.log") || { log "preload failed; see $out/loadgen.log"; exit 1; }
  placed=$(grep -o '"orders_placed":[0-9]*' <<< "$line" | cut -d: -f2)
  orders=$((orders + placed))
  preload_spent_s=$((preload_spent_s + SECONDS - started))
  log "preloaded $placed orders in $((SECONDS - started)) s: $orders in the database"
}

log "disk: fsync latency where the databases live ($db_dir)"
fsync_json=$("$out/fsync_probe" "$db_dir")
log "fsync: $fsync_json"
admin_token=bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

start_server baseline "$out/baseline" --listen 127.0.0.1:0
base_port=$server_port base_pid=$server_pid

# Scenarios and connection counts, on one database.
db=$db_dir/scenarios.db
start_server server env FAIRORDER_ADMIN_TOKEN="$admin_token" "$server_bin" serve --db "$db" \
  --listen 127.0.0.1:0
port=$server_port pid=$server_pid orders=0 server_name=server
setup_accounts "$port" "$out/accounts.txt" 256
# Baseline runs bracket the server's: each ratio is to the mean of the two around it.
for scenario in cancel lifecycle read mixed; do
  measure_baseline scenarios 64
  measure_server scenarios "$scenario" 64 "$out/accounts.txt"
done
measure_baseline scenarios 64
# The two ratio targets are decided on the median of three measurements (the scenario run
# and two repeats, each bracketed by baselines): one window on a shared machine can lose
# half its CPU time to the neighbours.
measure_baseline repeat 64
for round in 1 2; do
  for scenario in cancel read; do
    measure_server repeat "$scenario" 64 "$out/accounts.txt"
    measure_baseline repeat 64
  done
done
for connections in "${connection_counts[@]}"; do
  measure_baseline connections "$connections"
  measure_server connections cancel "$connections" "$out/accounts.txt"
  measure_server connections read "$connections" "$out/accounts.txt"
  measure_baseline connections "$connections"
done
stop_server "$pid"

# Growth, on a second database grown by buyers of its own; fresh accounts measure each size,
# so only the size of the database differs between sizes, not the buyers' histories.
db=$db_dir/growth.db
start_server growth env FAIRORDER_ADMIN_TOKEN="$admin_token" "$server_bin" serve --db "$db" \
  --listen 127.0.0.1:0
port=$server_port pid=$server_pid orders=0 server_name=growth
# Many preload buyers, taken in turn: a buyer's cancellations in the last 24 hours are
# counted at each cancel, and that count should not grow with the size of the database.
setup_accounts "$port" "$out/preload-accounts.txt" 1024
for size in "${sizes[@]}"; do
  preload "$port" "$out/preload-accounts.txt" "$size"
  setup_accounts "$port" "$out/accounts-$size.txt" 64
  reset_peak "$pid"
  measure_baseline growth 64
  # Three rounds per size: the growth targets compare the medians of the sizes.
  for round in 1 2 3; do
    measure_server growth read 64 "$out/accounts-$size.txt"
    measure_server growth cancel 64 "$out/accounts-$size.txt"
    measure_baseline growth 64
  done
  step=$((step + 1))
done
stop_server "$pid"

# The load must have kept every invariant: verify both databases offline (bounded).
verified=""
for db in "$db_dir/scenarios.db" "$db_dir/growth.db"; do
  line=$(timeout 600 "$server_bin" verify --db "$db" 2>&1 | tail -1) \
    || { log "verify of $db failed: $line"; exit 1; }
  log "verify $db: $line"
  verified+="${verified:+; }$(basename "$db"): $line"
done

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo | tr -d '"\\')
cat > "$out/meta.json" <<META
{"date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)", "command": "$command_line",
 "commit": "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)",
 "machine": {"cores": $(nproc), "memory_kb": $(awk '/^MemTotal/ { print $2 }' /proc/meminfo),
             "cpu": "$cpu", "kernel": "$(uname -r)"},
 "duration_s": $duration_s, "warmup_s": $warmup_s, "elapsed_s": $SECONDS,
 "verify": "$(tr -d '"\\' <<< "$verified")",
 "fsync": $fsync_json}
META
"$out/report" "$runs" "$out/meta.json" build/bench.json "$out/results.md"
log "wrote build/bench.json and $out/results.md in $SECONDS s"
