#!/usr/bin/env bash
# Browser tests of the buyer's page (issue 5): a real server with the test clock, data set
# up through the admin API, and headless Chromium (Debian's) driven by playwright-core.
#
#   tests/web/run.sh BINARY        e.g. tests/web/run.sh build/debug/fairorder
#
# Screenshots of the main screens (phone 360x740 and desktop 1280x800) go to
# build/screenshots/. Ends with the line "web: N passed, N failed"; exits 1 on any failure.
# Nothing is skipped silently: a missing tool is a failure with its reason.
# FO_WEB_ONLY=TEXT runs only the scenarios whose name contains TEXT (while developing).
set -uo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-}
fail() {
  echo "web: $*" >&2
  echo "web: 0 passed, 1 failed"
  exit 1
}
[[ -n "$binary" && -x "$binary" ]] ||
  fail "no server binary '$binary' (build it: make BOOTSTRAP=0 build/debug/fairorder)"
command -v node >/dev/null || fail "node is missing (scripts/bootstrap test installs it)"
[[ -x /usr/bin/chromium ]] || fail "/usr/bin/chromium is missing (scripts/bootstrap test installs it)"
if [[ ! -d tests/web/node_modules/playwright-core ]]; then
  (cd tests/web && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/web failed"
fi

mkdir -p build/tmp build/screenshots
rm -f build/screenshots/failed-*.png
work=$(mktemp -d build/tmp/web-XXXX)
admin_token="web-admin-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
FAIRORDER_ADMIN_TOKEN=$admin_token "$binary" serve --db "$work/x.db" --listen 127.0.0.1:0 \
  --test-clock 2>"$work/server.log" &
server_pid=$!
server_rc=""

stop_server() {
  [[ -n "$server_rc" ]] && return
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 150); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "web: the server did not stop within 15 s of SIGTERM; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null
    fi
  fi
  wait "$server_pid" 2>/dev/null
  server_rc=$?
}
trap stop_server EXIT

# The server prints "listening on http://HOST:PORT" once listening (wait at most 30 s).
url=""
for _ in $(seq 300); do
  url=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$work/server.log" 2>/dev/null | head -1)
  [[ -n "$url" ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
url=${url#listening on }
if [[ -z "$url" ]]; then
  tail -20 "$work/server.log" >&2
  fail "the server did not print its address within 30 s"
fi

export FO_ADMIN_TOKEN=$admin_token
if ! node tests/web/setup.mjs "$url" "$work/fixtures.json"; then
  tail -20 "$work/server.log" >&2
  fail "setting up the test data through the admin API failed"
fi

node tests/web/web_test.mjs --url "$url" --fixtures "$work/fixtures.json" \
  --results "$work/results" --screenshots build/screenshots ${FO_WEB_ONLY:+--only "$FO_WEB_ONLY"}
node_rc=$?

stop_server
passed=0
failed=0
if [[ -f "$work/results" ]]; then
  read -r passed failed <"$work/results"
else
  echo "web: the test script ended (status $node_rc) without results" >&2
  failed=$((failed + 1))
fi
if [[ "$server_rc" != 0 ]]; then
  echo "web: the server exited with status $server_rc after SIGTERM; its last lines:" >&2
  tail -30 "$work/server.log" >&2
  failed=$((failed + 1))
fi
echo "web: $passed passed, $failed failed"
if [[ $failed -eq 0 && $node_rc -eq 0 ]]; then
  rm -rf "$work"
  exit 0
fi
echo "web: the server's database and log are kept in $work" >&2
exit 1
