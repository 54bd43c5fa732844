# Sourced by tests/console/run.sh and tests/conformance/run.sh: find or build the server, start
# server processes on free loopback ports, stop them on exit. The caller sets `suite` (the prefix
# of its messages), `repo` and `work`, and defines `fail MESSAGE` (prints its summary line, exits).

server_pids=()

# use_server_build [PATH]: sets `server` to PATH (the server .dll or its directory), or to a fresh
# Release build when PATH is empty.
use_server_build() {
  server="${1:-}"
  if [ -z "$server" ]; then
    echo "$suite: dotnet build -c Release src/ActionConnections.Server"
    if ! dotnet build -c Release "$repo/src/ActionConnections.Server" -nologo -v q >"$work/build.log" 2>&1; then
      cat "$work/build.log" >&2
      fail "build failed"
    fi
    server="$repo/src/ActionConnections.Server/bin/Release/net10.0/ActionConnections.Server.dll"
  elif [ -d "$server" ]; then
    server="$server/ActionConnections.Server.dll"
  fi
  [ -f "$server" ] || fail "no server build at $server"
}

# start_server_process NAME LOG [VAR=VALUE…]: `serve` on a free loopback port with these settings,
# its output in LOG; sets `server_url` once it listens. NAME is what failures call it.
start_server_process() {
  local name="$1" log="$2"
  shift 2
  : >"$log"
  env "$@" dotnet "$server" serve --urls "http://127.0.0.1:0" >"$log" 2>&1 &
  server_pids+=("$!")
  local pid="$!" waited=0
  server_url=""
  while [ -z "$server_url" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "$name exited during start-up"; }
    [ "$waited" -lt 600 ] || { cat "$log" >&2; fail "$name did not start within 60 s"; }
    server_url="$(sed -n 's/.*Now listening on: \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$log" | head -n 1 || true)"
    [ -n "$server_url" ] || { sleep 0.1; waited=$((waited + 1)); }
  done
}

# stop_server_processes: every server this script started, waited for.
stop_server_processes() {
  local pid
  for pid in "${server_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
