#!/usr/bin/env bash
# Wire-compatibility suite: Datadog's official TypeScript client, schema validation against the
# served OpenAPI contract, and a replay of the recorded real traffic, against real server
# processes. Needs Node 20+, npm (registry access for `npm ci`) and the .NET SDK (or a build).
#
#   tests/conformance/run.sh                  build the server (Release) and run everything
#   tests/conformance/run.sh PATH             reuse a build: the server .dll or its directory
#   tests/conformance/run.sh PATH REGEX       only the tests whose name matches REGEX
#                                             (PATH may be "" to build)
#
# The last line printed is `N passed, M failed`; the exit code is 0 only if nothing failed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
suite=conformance
# shellcheck source=../lib/server-process.sh
. "$here/../lib/server-process.sh"
filter="${2:-}"

# The client would pick these up from the environment; the suite sets its keys itself.
unset DD_API_KEY DD_APP_KEY DD_SITE DD_BEARER_TOKEN

# The servers look for their own AWS identity at start: never the caller's credentials, and never
# the instance metadata service, which the AWS SDK's default chain would otherwise try.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_WEB_IDENTITY_TOKEN_FILE \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
export AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent

api_key="c0ffee00c0ffee00c0ffee00c0ffee00"
app_key="c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
rate_limit=5

work="$(mktemp -d "${TMPDIR:-/tmp}/actionconnections-conformance.XXXXXX")"
keep_work=1
cleanup() {
  stop_server_processes
  if [ "$keep_work" = 0 ]; then
    rm -rf "$work"
  else
    # Keep the logs of a failed run, not the servers' data.
    rm -rf "$work"/*/data
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "conformance: $*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

# scripts/test.sh runs npm ci itself before it enters a network namespace without the registry.
if [ "${CONFORMANCE_SKIP_NPM_CI:-}" = 1 ] && [ -d "$here/node_modules" ]; then
  echo "conformance: using the installed node_modules (npm ci ran before)"
else
  echo "conformance: npm ci (tests/conformance)"
  if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1; then
    cat "$work/npm.log" >&2
    fail "npm ci failed"
  fi
fi

use_server_build "${1:-${ACTIONCONNECTIONS_SERVER_DLL:-}}"

# start_server NAME [VAR=VALUE…]: a server on a free loopback port over a fresh data directory;
# sets <NAME>_URL and <NAME>_APP_KEY_ID.
start_server() {
  local name="$1"
  shift
  local dir="$work/$name"
  mkdir -p "$dir/data"
  start_server_process "server $name" "$dir/server.log" \
    ACTIONCONNECTIONS_DATA_DIR="$dir/data" \
    ACTIONCONNECTIONS_BOOTSTRAP_API_KEY="$api_key" \
    ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY="$app_key" \
    "$@"
  local url="$server_url" key_id="" waited=0
  key_id="$(sed -n 's/^ *application key id: *\([0-9a-f-]*\).*/\1/p' "$dir/server.log" | head -n 1 || true)"
  [ -n "$key_id" ] || fail "server $name printed no application key id"
  # It listens; wait until it answers (the served contract needs no keys).
  until node -e 'fetch(process.argv[1]).then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' "$url/api/v2/openapi.json"; do
    waited=$((waited + 1))
    [ "$waited" -lt 600 ] || fail "server $name does not answer GET /api/v2/openapi.json"
    sleep 0.1
  done
  printf -v "${name}_URL" '%s' "$url"
  printf -v "${name}_APP_KEY_ID" '%s' "$key_id"
  echo "conformance: server $name at $url (log: $dir/server.log)"
}

start_server MAIN
# A second server with a tiny rate limit (in hour-long windows), for provoking 429s.
start_server LIMITED ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS="$rate_limit" ACTIONCONNECTIONS_RATE_LIMIT_PERIOD_SECONDS=3600

set +e
CONFORMANCE_BASE_URL="$MAIN_URL" \
  CONFORMANCE_API_KEY="$api_key" \
  CONFORMANCE_APP_KEY="$app_key" \
  CONFORMANCE_APP_KEY_ID="$MAIN_APP_KEY_ID" \
  CONFORMANCE_LIMITED_BASE_URL="$LIMITED_URL" \
  CONFORMANCE_LIMITED_APP_KEY_ID="$LIMITED_APP_KEY_ID" \
  CONFORMANCE_LIMITED_RATE_LIMIT="$rate_limit" \
  node "$here/run-suites.mjs" ${filter:+"$filter"} 2>&1 | tee "$work/suites.log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" = 0 ]; then
  keep_work=0
elif ! tail -n 1 "$work/suites.log" | grep -Eq '^[0-9]+ passed, [0-9]+ failed$'; then
  # The suites did not get to their summary (a crash): still end with the summary line.
  echo "0 passed, 1 failed"
fi
exit "$status"
