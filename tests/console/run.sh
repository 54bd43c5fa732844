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
suite=console
# shellcheck source=../lib/server-process.sh
. "$here/../lib/server-process.sh"
filter="${2:-}"
chromium="${CONSOLE_CHROMIUM:-/usr/bin/chromium}"

# Fixed canaries: neither key may appear anywhere but the sign-in form's input.
api_key="c0c0a00fc0c0a00fc0c0a00fc0c0a00f"
app_key="c0c0a00fc0c0a00fc0c0a00fc0c0a00fc0c0a00f"

results="$here/results"
work="$(mktemp -d "${TMPDIR:-/tmp}/actionconnections-console.XXXXXX")"
cleanup() {
  stop_server_processes
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

# The Test panel's test makes the server send requests; nothing may leave this machine even when
# the code under test is wrong, so the suite runs where only loopback is up. scripts/test.sh
# already runs it in such a network namespace; run by hand (as root), it enters one itself, after
# npm ci (which needs the registry) and before the build (which does not).
if [ -n "$(ip -o link show up 2>/dev/null | grep -v ': lo:' || true)" ] && [ "${CONSOLE_IN_NAMESPACE:-}" != 1 ]; then
  if command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
    echo "console: entering a network namespace with only loopback (unshare -n)"
    exec env CONSOLE_IN_NAMESPACE=1 unshare -n -- bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
  fi
  echo "console: interfaces other than loopback are up and 'unshare -n' is not available: the Test panel's test will fail" >&2
fi

use_server_build "${1:-${ACTIONCONNECTIONS_SERVER_DLL:-}}"

rm -rf "$results"
mkdir -p "$results" "$work/data"
log="$results/server.log"

start_server_process "the server" "$log" \
  ACTIONCONNECTIONS_DATA_DIR="$work/data" \
  ACTIONCONNECTIONS_BOOTSTRAP_API_KEY="$api_key" \
  ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY="$app_key" \
  ACTIONCONNECTIONS_EGRESS_ALLOW=127.0.0.1 \
  Logging__LogLevel__Default=Debug
url="$server_url"
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

# Playwright's JSON report gives the counts; skipped tests count as failed. Each test that did not
# pass is named on a line "console failed: TITLE" before the summary (scripts/test.sh collects them).
report="$(node -e '
  const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const s = report.stats || {};
  const passed = (s.expected || 0) + (s.flaky || 0);
  const failed = (s.unexpected || 0) + (s.skipped || 0);
  const names = [];
  const walk = (suite, path) => {
    for (const spec of suite.specs || []) {
      for (const t of spec.tests || []) {
        if (t.status === "unexpected" || t.status === "skipped") names.push([...path, spec.title].join(" › "));
      }
    }
    for (const child of suite.suites || []) walk(child, suite.title && !suite.file ? [...path, suite.title] : path);
  };
  for (const suite of report.suites || []) walk(suite, []);
  for (const name of names) console.log(`console failed: ${name}`);
  for (const e of report.errors || []) console.log(`console failed: (outside any test) ${String(e.message || "").split("\n")[0]}`);
  console.log(`${passed} passed, ${failed + (report.errors || []).length} failed`);
' "$results/report.json" 2>/dev/null || true)"
summary="$(printf '%s\n' "$report" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1 || true)"
if [ -z "$summary" ]; then
  echo "console failed: no Playwright report (the suite did not run to its end)"
  summary="0 passed, 1 failed"
fi
printf '%s\n' "$report" | grep '^console failed: ' || true
echo "$summary"
case "$summary" in
  *" 0 failed") [ "$status" = 0 ] || exit "$status" ;;
  *) exit 1 ;;
esac
