#!/usr/bin/env bash
# Runs every check CI runs: formatting, a warnings-as-errors Release build, then every test suite.
# The last line of output is "N passed, M failed" (CI reads it); the exit code is non-zero on any failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: 'dotnet' not found. Install the .NET 10 SDK (.ci/run does so on Debian 12)." >&2
  exit 1
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Tests configure the server themselves; an operator's ACTIONCONNECTIONS_* settings must not leak in
# (an unknown one is a start-up error, a real one would change what the tests see).
while IFS= read -r name; do
  unset "$name"
done < <(compgen -e | grep '^ACTIONCONNECTIONS_' || true)

solution=ActionConnections.slnx

# Tests make the server send requests out (the http_requests extension). Nothing may leave this
# machine even when the code under test is wrong, so every test pass and the conformance suite run
# in a network namespace of their own with only loopback up (unshare -n, then ip link set lo up).
# Restoring, building and npm ci need the registries, so they run first, outside it; then the
# script runs itself again inside the namespace with --inside-namespace.
if [ "${1:-}" != "--inside-namespace" ]; then
  echo "==> dotnet restore"
  dotnet restore "$solution"

  echo "==> dotnet format --verify-no-changes"
  dotnet format "$solution" --no-restore --verify-no-changes

  echo "==> dotnet build -c Release -warnaserror"
  dotnet build "$solution" -c Release --no-restore -warnaserror

  echo "==> npm ci (tests/conformance)"
  (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error)
  echo "==> npm ci (tests/console)"
  (cd tests/console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

  if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
    echo "error: the tests run in a network namespace with only loopback, which needs 'unshare' (util-linux) and 'ip' (iproute2); .ci/run installs them." >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  if ! unshare -n true 2>/dev/null; then
    echo "error: 'unshare -n' failed: the tests run in a network namespace with only loopback, which needs root (CI runs as root)." >&2
    echo "       They are not run outside one, where a wrong egress guard could send requests off this machine." >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "==> tests in a network namespace with only loopback (unshare -n)"
  exec unshare -n -- bash "$0" --inside-namespace
fi

ip link set lo up
if [ -n "$(ip -o link show up | grep -v ': lo:' || true)" ]; then
  echo "error: interfaces other than loopback are up in the test namespace: $(ip -o link show up | grep -v ': lo:' | cut -d: -f2 | tr -d ' ' | tr '\n' ' ')" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

results="$(mktemp -d)"
pgdir=""
cleanup() {
  if [ -n "$pgdir" ]; then
    scripts/postgres-cluster.sh stop "$pgdir" || true
  fi
  rm -rf "$results"
}
trap cleanup EXIT
# Interrupted or terminated: exit through the EXIT trap, so the PostgreSQL cluster goes too.
trap 'exit 130' INT
trap 'exit 143' TERM

passed=0
failed=0

# add_trx_counts DIR: adds the counters of every .trx file in DIR to the totals. A skipped test
# counts as failed: a skipped test is a failing test that hides.
add_trx_counts() {
  local trx counters value
  for trx in "$1"/*.trx; do
    [ -e "$trx" ] || continue
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)"
    passed=$((passed + $(trx_attribute "$counters" passed)))
    for value in failed error timeout aborted; do
      failed=$((failed + $(trx_attribute "$counters" "$value")))
    done
    # Skipped tests are in total but not in executed.
    failed=$((failed + $(trx_attribute "$counters" total) - $(trx_attribute "$counters" executed)))
  done
}

# record_failed_tests DIR LABEL: appends the names of the failed tests in DIR's .trx files to the
# list printed before the summary (CI shows the end of the output, so the names must be there).
failed_names=""
record_failed_tests() {
  local trx name
  for trx in "$1"/*.trx; do
    [ -e "$trx" ] || continue
    while IFS= read -r name; do
      [ -n "$name" ] && failed_names="${failed_names}    [$2] ${name}"$'\n'
    done < <(grep -o '<UnitTestResult [^>]*outcome="\(Failed\|Error\|Timeout\|Aborted\)"[^>]*>' "$trx" \
      | sed -n 's/.* testName="\([^"]*\)".*/\1/p' || true)
  done
}

# trx_attribute COUNTERS NAME: the value of NAME="…" in a <Counters …> element, 0 when absent.
trx_attribute() {
  local value
  value="$(printf '%s\n' "$1" | sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p")"
  echo "${value:-0}"
}

status=0

# The whole suite runs once per storage provider. Tests that need control of the PostgreSQL
# server itself (trait Provider=PostgreSQL: stopping it under load) run in the PostgreSQL pass only.
echo "==> dotnet test (SQLite)"
start=$SECONDS
dotnet test "$solution" -c Release --no-build --filter "Provider!=PostgreSQL" \
  --logger "console;verbosity=minimal" --logger trx --results-directory "$results/dotnet" || status=1
add_trx_counts "$results/dotnet"
record_failed_tests "$results/dotnet" SQLite
echo "    SQLite pass: $((SECONDS - start)) s"

# A throwaway PostgreSQL cluster on loopback (scripts/postgres-cluster.sh), started here inside
# the namespace so the tests reach it on its loopback; every test makes a database of its own on
# it. Stopped and removed on exit.
echo "==> dotnet test (PostgreSQL)"
start=$SECONDS
pgdir="$(mktemp -d -t ac-postgres.XXXXXX)"
if connection="$(scripts/postgres-cluster.sh start "$pgdir")"; then
  ACTIONCONNECTIONS_TEST_POSTGRES="$connection" \
  ACTIONCONNECTIONS_TEST_POSTGRES_CTL="'$PWD/scripts/postgres-cluster.sh' ctl '$pgdir'" \
    dotnet test "$solution" -c Release --no-build --filter "Provider!=SQLite" \
      --logger "console;verbosity=minimal" --logger trx --results-directory "$results/postgres" || status=1
  add_trx_counts "$results/postgres"
  record_failed_tests "$results/postgres" PostgreSQL
else
  echo "error: the PostgreSQL cluster did not start; the PostgreSQL pass did not run." >&2
  failed=$((failed + 1))
  status=1
fi
echo "    PostgreSQL pass: $((SECONDS - start)) s"

echo "==> conformance (Datadog's official client, the served contract, recorded traffic)"
conformance_log="$results/conformance.log"
CONFORMANCE_SKIP_NPM_CI=1 bash tests/conformance/run.sh src/ActionConnections.Server/bin/Release/net10.0 2>&1 | tee "$conformance_log" || status=1
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$conformance_log" | tail -n 1 || true)"
if [ -z "$summary" ]; then
  echo "error: the conformance suite printed no summary" >&2
  failed=$((failed + 1))
else
  passed=$((passed + ${summary%% passed*}))
  rest="${summary#*, }"
  failed=$((failed + ${rest%% failed}))
fi

echo "==> console (the web console in Debian's Chromium: Playwright, axe-core, canaries)"
console_log="$results/console.log"
bash tests/console/run.sh src/ActionConnections.Server/bin/Release/net10.0 2>&1 | tee "$console_log" || status=1
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$console_log" | tail -n 1 || true)"
# tests/console/run.sh names each test that did not pass on a line "console failed: TITLE".
while IFS= read -r name; do
  [ -n "$name" ] && failed_names="${failed_names}    [console] ${name}"$'\n'
done < <(sed -n 's/^console failed: //p' "$console_log" || true)
if [ -z "$summary" ]; then
  echo "error: the console suite printed no summary" >&2
  failed_names="${failed_names}    [console] (no summary: the browser suite did not finish)"$'\n'
  failed=$((failed + 1))
else
  passed=$((passed + ${summary%% passed*}))
  rest="${summary#*, }"
  failed=$((failed + ${rest%% failed}))
fi

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "error: no test results were found; the test run did not happen." >&2
  status=1
fi

if [ "$failed" -gt 0 ]; then
  status=1
fi

if [ -n "$failed_names" ]; then
  echo "==> failed tests"
  printf '%s' "$failed_names"
fi

echo "${passed} passed, ${failed} failed"
exit "$status"
