#!/usr/bin/env bash
# Browser suite of the web console: Playwright driving the system's Chromium (/usr/bin/chromium,
# Debian's package; Playwright's own browser download is never used) against a real server process
# on loopback, with axe-core checks on every page and screenshots under tests/console/results/.
#
#   tests/console/run.sh              build the server (Release) and run the suite
#   tests/console/run.sh PATH         reuse a build: the server .dll or its directory
#   tests/console/run.sh PATH REGEX   only the tests whose title matches REGEX
#
# Needs Node 20+ and its packages (`npm ci` here; run.sh does it when node_modules is missing or
# older than package-lock.json, so a caller that works without network runs it first).
# The last line printed is `N passed, M failed`; the exit code is 0 only if nothing failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
server="${1:-${ACTIONCONNECTIONS_SERVER_DLL:-}}"
filter="${2:-}"
chromium="${CONSOLE_CHROMIUM:-/usr/bin/chromium}"

# Fixed canaries: neither key may appear anywhere but the sign-in form's input.
api_key="c0c0a00fc0c0a00fc0c0a00fc0c0a00f"
app_key="c0c0a00fc0c0a00fc0c0a00fc0c0a00fc0c0a00f"

results="$here/results"
work="$(mktemp -d "${TMPDIR:-/tmp}/actionconnections-console.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "console: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

[ -x "$chromium" ] || fail "no Chromium at $chromium (Debian: apt-get install chromium)"

if [ ! -d "$here/node_modules/@playwright/test" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "console: npm ci (tests/console)"
  if ! (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1; then
    cat "$work/npm.log" >&2
    fail "npm ci failed"
  fi
fi

if [ -z "$server" ]; then
  echo "console: dotnet build -c Release src/ActionConnections.Server"
  if ! dotnet build -c Release "$repo/src/ActionConnections.Server" -nologo -v q >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    fail "build failed"
  fi
  server="$repo/src/ActionConnections.Server/bin/Release/net10.0/ActionConnections.Server.dll"
elif [ -d "$server" ]; then
  server="$server/ActionConnections.Server.dll"
fi
[ -f "$server" ] || fail "no server build at $server"

rm -rf "$results"
mkdir -p "$results" "$work/data"
log="$results/server.log"

env ACTIONCONNECTIONS_DATA_DIR="$work/data" \
  ACTIONCONNECTIONS_BOOTSTRAP_API_KEY="$api_key" \
  ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY="$app_key" \
  Logging__LogLevel__Default=Debug \
  dotnet "$server" serve --urls "http://127.0.0.1:0" >"$log" 2>&1 &
server_pid="$!"
url=""
waited=0
while [ -z "$url" ]; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "the server exited during start-up"; }
  [ "$waited" -lt 600 ] || { cat "$log" >&2; fail "the server did not start within 60 s"; }
  url="$(sed -n 's/.*Now listening on: \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$log" | head -n 1 || true)"
  [ -n "$url" ] || { sleep 0.1; waited=$((waited + 1)); }
done
echo "console: server at $url (log: $log)"

# A second organisation, made with the admin CLI beside the running server: its connection's id
# must answer "not found" in the first organisation's console.
other_json="$(ACTIONCONNECTIONS_DATA_DIR="$work/data" dotnet "$server" orgs create --name "Other organisation" --json 2>"$work/cli.log")" \
  || { cat "$work/cli.log" >&2; fail "orgs create failed"; }

set +e
CONSOLE_BASE_URL="$url" \
  CONSOLE_API_KEY="$api_key" \
  CONSOLE_APP_KEY="$app_key" \
  CONSOLE_OTHER_ORG="$other_json" \
  CONSOLE_SERVER_LOG="$log" \
  CONSOLE_RESULTS="$results" \
  CONSOLE_CHROMIUM="$chromium" \
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
  "$here/node_modules/.bin/playwright" test --config "$here/playwright.config.mjs" ${filter:+--grep "$filter"} 2>&1 | tee "$work/suite.log"
status=${PIPESTATUS[0]}
set -e

# Playwright's JSON report gives the counts; skipped tests count as failed.
summary="$(node -e '
  const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const s = report.stats || {};
  const passed = (s.expected || 0) + (s.flaky || 0);
  const failed = (s.unexpected || 0) + (s.skipped || 0);
  console.log(`${passed} passed, ${failed} failed`);
' "$results/report.json" 2>/dev/null || true)"
[ -n "$summary" ] || summary="0 passed, 1 failed"
echo "$summary"
case "$summary" in
  *" 0 failed") [ "$status" = 0 ] || exit "$status" ;;
  *) exit 1 ;;
esac
