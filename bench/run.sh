#!/usr/bin/env bash
# Reproducible benchmark of ActionConnections (docs/PERFORMANCE.md explains every figure).
#
#   bench/run.sh              default scale: 1,000 connections in one organisation (~8 minutes)
#   bench/run.sh --full       also 1,000,000 connections in 1,000 organisations (adds ~10-20 minutes)
#   bench/run.sh --profile    also where the time goes: GET step timings and counters, CPU profiles of a GET, a use and a create
#   bench/run.sh --no-postgres  without the PostgreSQL rows (saves ~3 minutes)
#   bench/run.sh --only use   only the use path (http_requests vs YARP vs direct, credentials vs
#                             GET; ~3 minutes); with --profile, also perf profiles of a use and a create
#
# Builds Release; measures, in one run on this machine, a bare-Kestrel ceiling, the disk's
# durable-commit ceiling, the server's operations on SQLite (closed loop with wrk, and GET and
# create latency at 25/50/75% of their measured maximum rate with bench/OpenLoop, open loop), the same on PostgreSQL (a throwaway
# loopback cluster from scripts/postgres-cluster.sh, durable commits, the same 1,000 connections)
# and a Prism mock of the same spec with wrk; writes bench/results/latest.md and
# bench/results/latest.json. Loopback only; every process it starts (and the PostgreSQL cluster)
# is stopped when it ends, however it ends.
#
# Settings (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 8),
# BENCH_THREADS (wrk threads, 1), BENCH_CONNECTIONS (wrk connections, 32), BENCH_PORT (first of
# the loopback ports used, 18080), BENCH_WORK_DIR (data directories; default
# bench/results/work), BENCH_KEEP=1 (keep them; the PostgreSQL cluster is always removed),
# ACTIONCONNECTIONS_BENCH_SPEC (the OpenAPI file Prism serves; default
# docs/reference/openapi-action-connection.yaml of the repo).
set -euo pipefail

usage() { sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; }

FULL=0
PROFILE=0
POSTGRES=1
ONLY=""
expect_only=0
for arg in "$@"; do
  if [ "$expect_only" = 1 ]; then
    [ "$arg" = use ] || { echo "run.sh: --only takes 'use'" >&2; exit 2; }
    ONLY=$arg
    expect_only=0
    continue
  fi
  case "$arg" in
    --only) expect_only=1 ;;
    --only=use) ONLY=use ;;
    --full) FULL=1 ;;
    --profile) PROFILE=1 ;;
    --no-postgres) POSTGRES=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done
[ "$expect_only" = 0 ] || { echo "run.sh: --only takes 'use'" >&2; exit 2; }
if [ "$ONLY" = use ]; then POSTGRES=0; FULL=0; fi

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
RESULTS="$BENCH_DIR/results"
SPEC=${ACTIONCONNECTIONS_BENCH_SPEC:-$REPO/docs/reference/openapi-action-connection.yaml}
# The server refuses to start with an ACTIONCONNECTIONS_* variable it does not know; this one is ours.
unset ACTIONCONNECTIONS_BENCH_SPEC
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-8}
# Seconds of profiling (perf, dotnet-counters) inside a measured run: all of it but its first and
# last second, and at least one (dotnet-counters would collect forever for 0).
SAMPLE_S=$((DURATION > 3 ? DURATION - 2 : 1))
THREADS=${BENCH_THREADS:-1}
CONNS=${BENCH_CONNECTIONS:-32}
PORT=${BENCH_PORT:-18080}
CEILING_PORT=$PORT
SERVER_PORT=$((PORT + 1))
PRISM_PORT=$((PORT + 2))
WORK=${BENCH_WORK_DIR:-$RESULTS/work}
RUN_DIR="$RESULTS/run"
LUA="$BENCH_DIR/lua/request.lua"
DEFAULT_ORGS=1
DEFAULT_PER_ORG=1000
FULL_ORGS=1000
FULL_PER_ORG=1000

# Fixed bench keys (32 and 40 lowercase hex), used only on loopback against throwaway data.
export DD_API_KEY=b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0
export DD_APP_KEY=a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1
# Fixed bench master key (base64 of 32 bytes) for the PostgreSQL server, which never generates one.
BENCH_MASTER_KEY=YmVuY2gtbWFzdGVyLWtleS0zMi1ieXRlcy1sb25nISE=
PG_DIR=""        # the PostgreSQL cluster's directory while one runs (cleanup stops it)
PG_CONNECTION="" # its connection string
PG_VERSION=""    # its major version, for the report

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- processes we start, and only those
PIDS=()
# start NAME LOGFILE COMMAND...: in its own process group, so stopping it stops its children too.
start() {
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >"$logfile" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  eval "PID_$name=$pid"
  STARTED_NS=$(date +%s%N)
}
stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop() { local var="PID_$1"; stop_pid "${!var}"; }
# stop_postgres: stops the PostgreSQL cluster, if one runs, and removes its directory.
stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  "$REPO/scripts/postgres-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || log "warning: stopping the PostgreSQL cluster in $PG_DIR failed"
  PG_DIR=""
}
cleanup() {
  local status=$?
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && stop_pid "$pid"
  done
  stop_postgres
  if [ "${BENCH_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools (skipped once re-executed loopback-only, below)
if [ -z "${BENCH_LOOPBACK_ONLY:-}" ]; then
need_apt() { # need_apt COMMAND PACKAGE [DIR...]: found in PATH or in one of the DIRs
  local dir
  command -v "$1" >/dev/null 2>&1 && return 0
  for dir in "${@:3}"; do [ -x "$dir/$1" ] && return 0; done
  log "installing $2 (Debian package)"
  apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
}
need_apt wrk wrk
need_apt jq jq
need_apt curl curl
# Debian keeps PostgreSQL's programs out of PATH, per major version (scripts/postgres-cluster.sh finds them).
if [ "$POSTGRES" = 1 ]; then need_apt initdb postgresql /usr/lib/postgresql/*/bin; fi
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is required"
command -v openssl >/dev/null || die "openssl is required (the credentials row's GCP service-account key)"
if [ -z "$ONLY" ]; then
command -v npm >/dev/null || die "node and npm are required for the Prism peer"
[ -f "$SPEC" ] || die "OpenAPI spec not found at $SPEC (set ACTIONCONNECTIONS_BENCH_SPEC)"
if [ ! -x "$BENCH_DIR/node_modules/.bin/prism" ] || ! cmp -s "$BENCH_DIR/package-lock.json" "$BENCH_DIR/node_modules/.package-lock.json.ci"; then
  log "npm ci (Prism, pinned in bench/package-lock.json)"
  (cd "$BENCH_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$BENCH_DIR/package-lock.json" "$BENCH_DIR/node_modules/.package-lock.json.ci"
fi
fi
if [ "$PROFILE" = 1 ] && [ -z "$ONLY" ]; then
  for tool in dotnet-trace dotnet-counters; do
    [ -x "$BENCH_DIR/.tools/$tool" ] || dotnet tool install --tool-path "$BENCH_DIR/.tools" "$tool" >/dev/null
  done
fi

rm -rf "$WORK" "$RUN_DIR"
mkdir -p "$WORK" "$RUN_DIR/wrk" "$RUN_DIR/open"

# ---------------------------------------------------------------- build (Release, the same way for all)
log "building Release"
for project in src/ActionConnections.Server bench/Ceiling bench/DiskCeiling bench/Seeder bench/OpenLoop bench/Proxy; do
  dotnet build -c Release --nologo -v quiet "$REPO/$project" >"$RUN_DIR/build.log" 2>&1 || { cat "$RUN_DIR/build.log" >&2; die "build of $project failed"; }
done
fi

# ---------------------------------------------------------------- loopback only
# Nothing measured may reach beyond this machine, even by mistake: the server's AWS credential
# chain (its identity check at start) would otherwise try the instance metadata address, and a
# wrong setting could send a use anywhere. Installing and building need the package registries;
# everything after runs, as root, in a network namespace with only loopback up (as the tests do),
# by running this script again there. Elsewhere, the AWS chain is at least told there is neither
# instance metadata nor a credential.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_WEB_IDENTITY_TOKEN_FILE \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
export AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
if [ -z "${BENCH_LOOPBACK_ONLY:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
    log "measuring in a network namespace with only loopback (unshare -n)"
    exec unshare -n -- env BENCH_LOOPBACK_ONLY=1 bash -c 'ip link set lo up && exec bash "$@"' bench "$0" "$@"
  fi
  log "not root (or no unshare): measuring in the host's network namespace; every address used is 127.0.0.1"
fi
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
SERVER_DLL="$REPO/src/ActionConnections.Server/bin/Release/net10.0/ActionConnections.Server.dll"
CEILING_DLL="$REPO/bench/Ceiling/bin/Release/net10.0/ActionConnections.Bench.Ceiling.dll"
DISK_DLL="$REPO/bench/DiskCeiling/bin/Release/net10.0/ActionConnections.Bench.DiskCeiling.dll"
SEEDER_DLL="$REPO/bench/Seeder/bin/Release/net10.0/ActionConnections.Bench.Seeder.dll"
OPENLOOP_DLL="$REPO/bench/OpenLoop/bin/Release/net10.0/ActionConnections.Bench.OpenLoop.dll"
PROXY_DLL="$REPO/bench/Proxy/bin/Release/net10.0/ActionConnections.Bench.Proxy.dll"

# ---------------------------------------------------------------- helpers
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# wait_ok URL [curl args...]: poll every 5 ms until a 2xx; prints ms since the last start.
wait_ok() {
  local url=$1
  shift
  local deadline=$(($(date +%s) + 60))
  until curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "no 2xx from $url within 60 s"
    sleep 0.005
  done
  echo $((($(date +%s%N) - STARTED_NS) / 1000000))
}

# measure NAME URL [VAR=VALUE...]: warm up, then one measured wrk run into $RUN_DIR/NAME.json.
# Extra VAR=VALUE pairs configure lua/request.lua; WRK_C/WRK_T override connections/threads.
measure() {
  local name=$1 url=$2
  shift 2
  local c=$CONNS t=$THREADS kv watch=""
  for kv in "$@"; do
    case "$kv" in WRK_C=*) c=${kv#WRK_C=} ;; WRK_T=*) t=${kv#WRK_T=} ;; WATCH_PID=*) watch=${kv#WATCH_PID=} ;; esac
  done
  [ "$t" -le "$c" ] || t=$c
  log "$name: warm-up ${WARMUP}s, then ${DURATION}s (wrk -t$t -c$c)"
  env "$@" BENCH_OUT=/dev/null wrk -t"$t" -c"$c" -d"${WARMUP}s" -s "$LUA" "$url" >/dev/null
  local before cpu_before cpu_after
  before=$(loadavg)
  cpu_before=$(cpu_ticks "$watch")
  env "$@" BENCH_OUT="$RUN_DIR/wrk/$name.out" wrk -t"$t" -c"$c" -d"${DURATION}s" -s "$LUA" "$url" >"$RUN_DIR/wrk/$name.txt"
  cpu_after=$(cpu_ticks "$watch")
  # The server's own CPU time per request (from /proc/PID/stat) does not depend on how much of
  # the machine other work leaves it, unlike req/s.
  jq -c --arg name "$name" --argjson c "$c" --argjson t "$t" --arg before "$before" --arg after "$(loadavg)" \
    --argjson ticks "$((cpu_after - cpu_before))" --argjson hz "$(getconf CLK_TCK)" \
    '. + {name: $name, connections: $c, threads: $t, loadavg_before: ($before|tonumber), loadavg_after: ($after|tonumber),
          server_cpu_s: ($ticks / $hz), server_cores: ($ticks / $hz / .seconds),
          server_cpu_us_per_request: (if .requests > 0 and $ticks > 0 then $ticks / $hz * 1000000 / .requests else null end)}' \
    "$RUN_DIR/wrk/$name.out" >"$RUN_DIR/wrk/$name.json"
  jq -r '"  \(.rps) req/s  p50 \(.p50_ms) ms  p99 \(.p99_ms) ms  non-2xx \(.non_2xx_3xx)  socket errors \(.socket_errors)  server CPU \(.server_cpu_us_per_request // "?") us/req"' "$RUN_DIR/wrk/$name.json" >&2
}

# perf_profile NAME MEASURE_SETTINGS...: where one operation's time goes, as perf samples of the
# running server, which must have been started with a perf map and W^X off
# (DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0) so JIT frames resolve. Writes
# profile/perf-NAME-{dso,self,inclusive}.txt, the samples (perf-NAME.data) and their script.
perf_profile() {
  local name=$1
  shift
  local prof="$RUN_DIR/profile"
  mkdir -p "$prof"
  measure "profile.${name}_perf" "$SERVER" "$@" WATCH_PID="$PID_server" &
  local wrk_pid=$!
  sleep $((WARMUP + 1))
  perf record -F 999 -g -p "$PID_server" -o "$prof/perf-$name.data" -- sleep "$SAMPLE_S" >/dev/null 2>&1 || log "perf record failed"
  wait "$wrk_pid" || true
  perf report -i "$prof/perf-$name.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15 >"$prof/perf-$name-dso.txt" || true
  perf report -i "$prof/perf-$name.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -80 | cut -c1-220 >"$prof/perf-$name-self.txt" || true
  perf report -i "$prof/perf-$name.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
    | grep -E 'ActionConnections|Logging|Json|Sqlite|Routing|Kestrel.*ProcessRequests|SocketsHttpHandler|HttpConnection|Http2?Connection' | head -100 | cut -c1-220 >"$prof/perf-$name-inclusive.txt" || true
  perf script -i "$prof/perf-$name.data" 2>/dev/null | gzip >"$prof/perf-$name-script.txt.gz" || true
}

# open_loop NAME MAX_RPS [OpenLoop args...]: latency at 25, 50 and 75% of MAX_RPS with the
# constant-rate generator (each request timed from when it was due, so queueing shows; see
# docs/PERFORMANCE.md), into $RUN_DIR/open/NAME.PCT.json.
open_loop() {
  local name=$1 max=$2 pct rate before
  shift 2
  for pct in 25 50 75; do
    rate=$(jq -rn --argjson m "$max" --argjson p "$pct" '[($m * $p / 100 | round), 1] | max')
    log "$name open loop: $rate req/s ($pct% of $max) for ${DURATION}s after ${WARMUP}s"
    before=$(loadavg)
    dotnet "$OPENLOOP_DLL" --url "$SERVER" --rate "$rate" --seconds "$DURATION" --warmup "$WARMUP" \
      --header "DD-API-KEY: $DD_API_KEY" --header "DD-APPLICATION-KEY: $DD_APP_KEY" "$@" >"$RUN_DIR/open/$name.$pct.out"
    jq -c --arg name "$name" --argjson pct "$pct" --arg before "$before" --arg after "$(loadavg)" \
      '. + {name: $name, pct_of_max: $pct, loadavg_before: ($before|tonumber), loadavg_after: ($after|tonumber)}' \
      "$RUN_DIR/open/$name.$pct.out" >"$RUN_DIR/open/$name.$pct.json"
    jq -r '"  p50 \(.p50_ms) ms  p99 \(.p99_ms) ms  p99.9 \(.p999_ms) ms  sent \(.achieved_send_rps)/s  errors \(.errors)  not sent \(.not_sent)  non-2xx \(.non_2xx_3xx)  sender late p99 \(.sender_late_p99_ms) ms"' "$RUN_DIR/open/$name.$pct.json" >&2
  done
}

# disk_ceiling LABEL [PROVIDER]: the durable-commit rate of this disk now, into $RUN_DIR/disk-N.json
# (N: 01, 02, ...). PROVIDER (sqlite, the default, or postgres): whose write rows it is the ceiling of.
DISK_RUNS=0
disk_ceiling() {
  DISK_RUNS=$((DISK_RUNS + 1))
  log "disk ceiling ($1): one-row durable transactions for ${DURATION}s (WAL, synchronous=FULL)"
  dotnet "$DISK_DLL" "$WORK/disk-ceiling.db" "$DURATION" | jq -c --arg when "$1" --arg for "${2:-sqlite}" '. + {when: $when, for: $for}' >"$RUN_DIR/disk-$(printf %02d "$DISK_RUNS").json"
  jq -c . "$RUN_DIR/disk-$(printf %02d "$DISK_RUNS").json" >&2
}

# cpu_ticks PID: user + system clock ticks the process has used so far (0 without a PID).
cpu_ticks() {
  if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; else echo 0; fi
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# provider_of NAME: the storage provider of data set NAME (the data set 'postgres' is on PostgreSQL).
provider_of() { if [ "$1" = postgres ]; then echo postgres; else echo sqlite; fi; }

# server_env NAME: sets SERVER_ENV to the environment the server and the seeder read for data set
# NAME: data directory $WORK/NAME and, on PostgreSQL, the provider, the cluster's connection
# string and the bench master key.
server_env() {
  SERVER_ENV=(ACTIONCONNECTIONS_DATA_DIR="$WORK/$1" ACTIONCONNECTIONS_BOOTSTRAP_API_KEY="$DD_API_KEY" ACTIONCONNECTIONS_BOOTSTRAP_APP_KEY="$DD_APP_KEY"
    ACTIONCONNECTIONS_RATE_LIMIT_REQUESTS=1000000000)
  if [ "$(provider_of "$1")" = postgres ]; then
    SERVER_ENV+=(ACTIONCONNECTIONS_DB_PROVIDER=postgres ACTIONCONNECTIONS_DB_CONNECTION="$PG_CONNECTION" ACTIONCONNECTIONS_MASTER_KEY="$BENCH_MASTER_KEY")
  fi
}

# seed NAME ORGS PER_ORG: a fresh store for data set NAME (data directory $WORK/NAME, or the
# PostgreSQL cluster) with ids in $WORK/NAME.ids.
seed() {
  local name=$1 orgs=$2 per_org=$3
  server_env "$name"
  if [ "$(provider_of "$name")" = postgres ]; then
    # The server does not migrate PostgreSQL on start: the migrate verb runs once, as an operator would.
    env "${SERVER_ENV[@]}" dotnet "$SERVER_DLL" migrate >"$RUN_DIR/migrate-$name.log" 2>&1 || { cat "$RUN_DIR/migrate-$name.log" >&2; die "migrate ($name) failed"; }
  fi
  log "seeding $name: $orgs organisation(s) x $per_org connections"
  env "${SERVER_ENV[@]}" dotnet "$SEEDER_DLL" seed --orgs "$orgs" --per-org "$per_org" --ids-out "$WORK/$name.ids" >"$RUN_DIR/seed-$name.json"
  jq -c . "$RUN_DIR/seed-$name.json" >&2
}

# start_server NAME [extra env...]: start on data set NAME, wait for the first authenticated 200.
start_server() {
  local name=$1
  shift
  server_env "$name"
  start server "$RUN_DIR/server-$name.log" env "${SERVER_ENV[@]}" "$@" dotnet "$SERVER_DLL" serve --urls "http://127.0.0.1:$SERVER_PORT"
  READY_MS=$(wait_ok "http://127.0.0.1:$SERVER_PORT/api/v2/actions/connections/$(head -1 "$WORK/$name.ids")" \
    -H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY")
  log "server ($name) answered its first authenticated GET ${READY_MS} ms after start"
}

SERVER=http://127.0.0.1:$SERVER_PORT
CONN_PATH=/api/v2/actions/connections
LIST_PATH='/api/v2/actions/connections?page%5Bsize%5D=50'
printf '%s' '{"data":{"type":"action_connection","attributes":{"name":"bench created","integration":{"type":"AWS","credentials":{"type":"AWSAssumeRole","account_id":"123456789012","role":"r"}}}}}' >"$RUN_DIR/create.body"
printf '%s' '{"data":{"type":"action_connection","attributes":{"name":"bench renamed"}}}' >"$RUN_DIR/patch.body"

# server_suite NAME: every measured operation against the running server of data set NAME.
server_suite() {
  local name=$1 ids="$WORK/$1.ids" app_key_id
  app_key_id=$(jq -r .app_key_id "$RUN_DIR/seed-$name.json")
  printf '%s\n' "$app_key_id" >"$WORK/$name.appkey"
  measure "$name.get" "$SERVER" BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$ids" WATCH_PID="$PID_server"
  # Latency at about half the GET rate. wrk (unlike wrk2) is closed-loop, so the rate is set by
  # the number of connections C, each waiting HALF_DELAY ms before each request: C connections
  # offer about C*1000/(HALF_DELAY + latency) requests a second. C is calibrated by two short
  # probes; a later data set (--full) reuses the same C, so both see the same offered load.
  if [ -z "${HALF_C:-}" ]; then
    HALF_DELAY=2
    local target probe
    target=$(jq -r '.rps / 2' "$RUN_DIR/wrk/$name.get.json")
    HALF_C=$(jq -rn --argjson r "$target" --argjson d "$HALF_DELAY" '[($r * ($d + 0.5) / 1000 | round), 1] | max')
    for probe in 1 2; do
      BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$ids" BENCH_DELAY_MS="$HALF_DELAY" BENCH_OUT="$RUN_DIR/wrk/half-probe.out" \
        wrk -t1 -c"$HALF_C" -d3s -s "$LUA" "$SERVER" >/dev/null
      HALF_C=$(jq -r --argjson r "$target" --argjson c "$HALF_C" '[($c * $r / .rps | round), 1] | max' "$RUN_DIR/wrk/half-probe.out")
      log "half-rate probe $probe: $(jq -r .rps "$RUN_DIR/wrk/half-probe.out") req/s for a target of $target; next C=$HALF_C"
    done
  fi
  measure "$name.get_half" "$SERVER" BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$ids" BENCH_DELAY_MS="$HALF_DELAY" WRK_C="$HALF_C" WATCH_PID="$PID_server"
  measure "$name.get_c1" "$SERVER" BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$ids" WRK_C=1 WATCH_PID="$PID_server"
  # Open loop at fixed rates: fractions of SQLite's default data set's GET maximum, so the 1M data
  # set (--full) is measured at the same rates; PostgreSQL at fractions of its own maximum (at
  # SQLite's rates it would only be measured overloaded).
  local open_max
  if [ "$(provider_of "$name")" = postgres ]; then
    open_max=$(jq -r .rps "$RUN_DIR/wrk/$name.get.json")
  else
    [ -n "${OPEN_GET_MAX:-}" ] || OPEN_GET_MAX=$(jq -r .rps "$RUN_DIR/wrk/$name.get.json")
    open_max=$OPEN_GET_MAX
  fi
  open_loop "$name.get" "$open_max" --path "$CONN_PATH/{id}" --ids "$ids"
  measure "$name.list" "$SERVER" BENCH_PATH="$LIST_PATH" WATCH_PID="$PID_server"
  measure "$name.registration" "$SERVER" BENCH_PATH="/api/v2/actions/app_key_registrations/{id}" BENCH_IDS="$WORK/$name.appkey" WATCH_PID="$PID_server"
  if [ "$name" = default ] || [ "$name" = postgres ]; then
    # The disk is shared and its sync rate drifts by several times within a minute, so its
    # ceiling is measured around each write run as well; each provider's write rows are
    # compared with the runs around them (SQLite's also with the one at the start).
    local provider on=""
    provider=$(provider_of "$name")
    [ "$provider" = sqlite ] || on="PostgreSQL "
    disk_ceiling "before ${on}PATCH" "$provider"
    measure "$name.patch" "$SERVER" BENCH_METHOD=PATCH BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$ids" BENCH_BODY="$RUN_DIR/patch.body" WATCH_PID="$PID_server"
    disk_ceiling "between ${on}PATCH and create" "$provider"
    measure "$name.create" "$SERVER" BENCH_METHOD=POST BENCH_PATH="$CONN_PATH" BENCH_BODY="$RUN_DIR/create.body" WATCH_PID="$PID_server"
    open_loop "$name.create" "$(jq -r .rps "$RUN_DIR/wrk/$name.create.json")" --method POST --path "$CONN_PATH" --body "$RUN_DIR/create.body"
    disk_ceiling "after ${on}create" "$provider"
  fi
  jq -n --arg name "$name" --arg provider "$(provider_of "$name")" --argjson ready "$READY_MS" --argjson rss "$(rss_kb "$PID_server")" --argjson hwm "$(hwm_kb "$PID_server")" \
    '{name: $name, provider: $provider, ready_ms: $ready, rss_kb: $rss, hwm_kb: $hwm}' >"$RUN_DIR/$name.server.json"
  log "server ($name) VmRSS $(($(rss_kb "$PID_server") / 1024)) MB, VmHWM $(($(hwm_kb "$PID_server") / 1024)) MB"
}

if [ -z "$ONLY" ]; then
# ---------------------------------------------------------------- 1. ceilings
disk_ceiling "start of run"

# The ceiling logs as `dotnet new web` sets it up (bench/Ceiling/appsettings.json: Microsoft.AspNetCore
# at Warning). The server ships no such file, so ASP.NET Core logs every request to the console at
# Information; the second run shows what that alone costs a bare endpoint.
start ceiling "$RUN_DIR/ceiling.log" dotnet "$CEILING_DLL" --urls "http://127.0.0.1:$CEILING_PORT"
wait_ok "http://127.0.0.1:$CEILING_PORT/ceiling" >/dev/null
measure ceiling "http://127.0.0.1:$CEILING_PORT" BENCH_PATH=/ceiling WATCH_PID="$PID_ceiling"
# One connection, no think time: the latency floor of this machine and load generator.
measure ceiling_c1 "http://127.0.0.1:$CEILING_PORT" BENCH_PATH=/ceiling WRK_C=1 WATCH_PID="$PID_ceiling"
stop ceiling
start ceiling "$RUN_DIR/ceiling-info.log" env Logging__LogLevel__Microsoft.AspNetCore=Information dotnet "$CEILING_DLL" --urls "http://127.0.0.1:$CEILING_PORT"
wait_ok "http://127.0.0.1:$CEILING_PORT/ceiling" >/dev/null
measure ceiling_info_logging "http://127.0.0.1:$CEILING_PORT" BENCH_PATH=/ceiling WATCH_PID="$PID_ceiling"
stop ceiling

fi

# ---------------------------------------------------------------- 2. the server, default scale
seed default "$DEFAULT_ORGS" "$DEFAULT_PER_ORG"
if [ -z "$ONLY" ]; then
start_server default
server_suite default

if [ "$PROFILE" = 1 ]; then
  PROF="$RUN_DIR/profile"
  mkdir -p "$PROF"
  log "profile: runtime counters during the measured part of a GET run"
  (
    sleep $((WARMUP + 1))
    exec "$BENCH_DIR/.tools/dotnet-counters" collect -p "$PID_server" --refresh-interval 1 --duration "00:00:00:$SAMPLE_S" \
      --counters System.Runtime,Microsoft.AspNetCore.Hosting --format csv -o "$PROF/counters.csv"
  ) >/dev/null 2>&1 &
  counters_pid=$!
  PIDS+=("$counters_pid")
  measure profile.get_counters "$SERVER" BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$WORK/default.ids" WATCH_PID="$PID_server"
  wait "$counters_pid" || true
  # Mean of each counter over the sampled seconds, plus bytes allocated per request.
  awk -F, -v rps="$(jq -r .rps "$RUN_DIR/wrk/profile.get_counters.json")" '
    NR > 1 && $3 !~ /assembly|timer|fragmentation|last_collection/ { sum[$3] += $NF; n[$3]++ }
    END {
      for (k in sum) printf "%-110s %14.3f\n", k, sum[k] / n[k]
      a = "dotnet.gc.heap.total_allocated (By / 1 sec)"
      if (n[a] && rps > 0) printf "%-110s %14.0f\n", "allocated bytes per request (total_allocated / wrk req/s)", sum[a] / n[a] / rps
    }' "$PROF/counters.csv" | sort >"$PROF/counters.txt" || true

  if command -v perf >/dev/null 2>&1; then
    log "profile: perf CPU samples (server restarted with a perf map and W^X off so JIT frames resolve)"
    stop server
    start_server default DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
    perf_profile get BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$WORK/default.ids"
    # SQLite's share split by what it was doing: compiling SQL text into a statement (parser,
    # resolver, planner, code generator: by function name) or running it.
    perf report -i "$PROF/perf-get.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -v '^#' | awk '
      $2 == "libe_sqlite3.so" { pct = $1; sub(/%/, "", pct); sym = $4; total += pct
        if (sym ~ /Parser|^yy_|GetToken|keywordCode|^resolve|Walk|^sqlite3Where|^where|^sqlite3Expr|^expr|Select|^select|AddOp|Pragma|StrICmp|StrIHash|Prepare|ColName|NumCols|MakeReady|^codeAll|^tokenExpr|^sqlite3PExpr|Affinity|Strlen30|StrDup|StrNDup|SpanDup|Finalize|VdbeDelete|VdbeHalt|releaseMemArray|LocateTable|FindTable|^sqlite3Src|^sqlite3Id/) compile += pct
        else if (sym ~ /Malloc|Free|malloc|free|Realloc|MemGrow/) mem += pct
        else run += pct }
      END { printf "libe_sqlite3.so %.1f%% of server CPU samples: compiling SQL %.1f%%, allocator %.1f%%, executing and other %.1f%%\n", total, compile, mem, run }' \
      >"$PROF/perf-sqlite.txt" || true
    rm -f "/tmp/perf-$PID_server.map" "/tmp/perfinfo-$PID_server.map"
  fi

  log "profile: the same GET with Microsoft.AspNetCore logging at Warning, as the ceiling has it (configuration only)"
  stop server
  start_server default Logging__LogLevel__Microsoft.AspNetCore=Warning
  measure profile.get_log_warning "$SERVER" BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$WORK/default.ids" WATCH_PID="$PID_server"
  stop server
  log "profile: in-process step timings (stopwatch, server stopped)"
  server_env default
  env "${SERVER_ENV[@]}" dotnet "$SEEDER_DLL" steps --ids "$WORK/default.ids" --seconds 2 >"$PROF/steps.json" 2>"$PROF/steps.txt"
  cat "$PROF/steps.txt" >&2
else
  stop server
fi
fi

# ---------------------------------------------------------------- 2a. the use path (issue 18, item 3)
# The same GET of a loopback upstream (the bare-Kestrel ceiling app) three ways, in one run:
# directly; through YARP (bench/Proxy) adding one fixed header; and through our http_requests with
# an HTTP connection whose token the server adds as that header. Then, on the same server, a GET of
# a connection and POST …/credentials of a GCP connection whose token is cached (minted once from
# bench/Proxy --fake-gcp-token, a loopback stand-in for Google's token endpoint). The server's
# egress policy allows 127.0.0.1 for this (ACTIONCONNECTIONS_EGRESS_ALLOW); nothing leaves loopback.
PROXY_PORT=$((PORT + 3))
TOKEN_PORT=$((PORT + 4))
UPSTREAM="http://127.0.0.1:$CEILING_PORT"
TOKEN_URI="http://127.0.0.1:$TOKEN_PORT/token"
USE_SERVER_ENV=(ACTIONCONNECTIONS_EGRESS_ALLOW=127.0.0.1 ACTIONCONNECTIONS_GCP_TOKEN_URI="$TOKEN_URI")
start ceiling "$RUN_DIR/upstream.log" dotnet "$CEILING_DLL" --urls "$UPSTREAM"
wait_ok "$UPSTREAM/ceiling" >/dev/null
start proxy "$RUN_DIR/proxy.log" dotnet "$PROXY_DLL" --upstream "$UPSTREAM" --urls "http://127.0.0.1:$PROXY_PORT"
wait_ok "http://127.0.0.1:$PROXY_PORT/ceiling" >/dev/null
start token "$RUN_DIR/token.log" dotnet "$PROXY_DLL" --fake-gcp-token true --urls "http://127.0.0.1:$TOKEN_PORT"
wait_ok "$TOKEN_URI" -X POST -d 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c' >/dev/null
start_server default "${USE_SERVER_ENV[@]}"
USE_ID=$(curl -fsS -X POST "$SERVER$CONN_PATH" -H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" -H 'Content-Type: application/json' \
  -d '{"data":{"type":"action_connection","attributes":{"name":"bench use","integration":{"type":"HTTP","base_url":"'"$UPSTREAM"'","credentials":{"type":"HTTPTokenAuth","tokens":[{"name":"key","type":"SECRET","value":"bench-s3cret"}],"headers":[{"name":"X-Bench-Key","value":"{{ key }}"}]}}}}}' | jq -r .data.id)
[ -n "$USE_ID" ] && [ "$USE_ID" != null ] || die "creating the HTTP connection for the use path failed"
# A throwaway RSA key for the GCP connection: Google.Apis.Auth signs its JWT assertion with it.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/gcp-bench.pem" 2>/dev/null || die "openssl could not make an RSA key"
GCP_ID=$(jq -n --rawfile key "$WORK/gcp-bench.pem" \
  '{data: {type: "action_connection", attributes: {name: "bench credentials", integration: {type: "GCP", credentials: {type: "GCPServiceAccount", service_account_email: "bench@bench.iam.gserviceaccount.com", private_key: $key}}}}}' \
  | curl -fsS -X POST "$SERVER$CONN_PATH" -H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" -H 'Content-Type: application/json' --data-binary @- | jq -r .data.id)
[ -n "$GCP_ID" ] && [ "$GCP_ID" != null ] || die "creating the GCP connection for the credentials row failed"
CREDENTIALS_PATH="/api/v2/actionconnections/connections/$GCP_ID/credentials"
USE_PATH="/api/v2/actionconnections/connections/$USE_ID/http_requests"
printf '%s' '{"data":{"type":"http_request","attributes":{"method":"GET","url":"'"$UPSTREAM"'/ceiling"}}}' >"$RUN_DIR/use.body"
# check_use: one http_requests call that must reach the upstream, and one credentials call that
# must mint (from the fake), so a broken setup fails here rather than as a row of errors.
check_use() {
  curl -fsS -X POST "$SERVER$USE_PATH" -H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" -H 'Content-Type: application/json' \
    --data-binary @"$RUN_DIR/use.body" | jq -e '.data.attributes.status == 200' >/dev/null || die "http_requests through the bench connection did not answer the upstream's 200"
  curl -fsS -X POST "$SERVER$CREDENTIALS_PATH" -H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" \
    | jq -e '.data.attributes.access_token | length > 0' >/dev/null || die "credentials of the bench GCP connection did not mint a token"
}
check_use
measure use.direct "$UPSTREAM" BENCH_PATH=/ceiling WATCH_PID="$PID_ceiling"
measure use.yarp "http://127.0.0.1:$PROXY_PORT" BENCH_PATH=/ceiling WATCH_PID="$PID_proxy"
measure use.http_requests "$SERVER" BENCH_METHOD=POST BENCH_PATH="$USE_PATH" BENCH_BODY="$RUN_DIR/use.body" WATCH_PID="$PID_server"
measure use.get "$SERVER" BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$WORK/default.ids" WATCH_PID="$PID_server"
measure use.credentials "$SERVER" BENCH_METHOD=POST BENCH_PATH="$CREDENTIALS_PATH" WATCH_PID="$PID_server"
open_loop use.direct "$(jq -r .rps "$RUN_DIR/wrk/use.http_requests.json")" --url "$UPSTREAM" --path /ceiling
open_loop use.http_requests "$(jq -r .rps "$RUN_DIR/wrk/use.http_requests.json")" --method POST --path "$USE_PATH" --body "$RUN_DIR/use.body"
if [ "$PROFILE" = 1 ] && command -v perf >/dev/null 2>&1; then
  # Where a use's and a create's time goes. Tiered compilation off: on a loaded machine the
  # background tier-up of hundreds of methods takes longer than the warm-up, and a profile of
  # tier-0 code (and of the JIT compiling) says little about the steady state.
  log "profile: perf CPU samples of http_requests (server restarted with a perf map, W^X and tiering off)"
  stop server
  start_server default "${USE_SERVER_ENV[@]}" DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_TieredCompilation=0
  check_use
  perf_profile use BENCH_METHOD=POST BENCH_PATH="$USE_PATH" BENCH_BODY="$RUN_DIR/use.body"
  log "profile: perf CPU samples of create (the same server)"
  perf_profile create BENCH_METHOD=POST BENCH_PATH="$CONN_PATH" BENCH_BODY="$RUN_DIR/create.body"
  rm -f "/tmp/perf-$PID_server.map" "/tmp/perfinfo-$PID_server.map"
fi
if [ "$PROFILE" = 1 ]; then
  # How many creates shared each durable commit (group commit), from the server's own histogram
  # actionconnections.sqlite.commit.writes, scraped before and after a create run.
  log "profile: writes per durable commit during a create run (server restarted with ACTIONCONNECTIONS_METRICS=prometheus)"
  stop server
  start_server default ACTIONCONNECTIONS_METRICS=prometheus
  commit_totals() {
    curl -fsS "$SERVER/metrics" | awk '/^actionconnections_sqlite_commit_writes_(sum|count)[ {]/ { sub(/\{[^}]*\}/, ""); v[$1] = $2 }
      END { printf "%d %d\n", v["actionconnections_sqlite_commit_writes_sum"], v["actionconnections_sqlite_commit_writes_count"] }'
  }
  read -r writes_before commits_before < <(commit_totals)
  measure profile.create_commits "$SERVER" BENCH_METHOD=POST BENCH_PATH="$CONN_PATH" BENCH_BODY="$RUN_DIR/create.body" WATCH_PID="$PID_server"
  read -r writes_after commits_after < <(commit_totals)
  jq -n --argjson w $((writes_after - writes_before)) --argjson c $((commits_after - commits_before)) \
    '{writes: $w, commits: $c, writes_per_commit: (if $c > 0 then ($w / $c * 100 | round) / 100 else null end)}' >"$RUN_DIR/profile/commit-writes.json"
  log "  $(jq -r '"\(.writes) writes in \(.commits) durable commits: \(.writes_per_commit) writes per commit"' "$RUN_DIR/profile/commit-writes.json")"
fi
stop server
stop token
stop proxy
stop ceiling

# ---------------------------------------------------------------- 2b. the same on PostgreSQL
if [ "$POSTGRES" = 1 ]; then
  # A throwaway cluster on loopback (scripts/postgres-cluster.sh), in the work directory so that
  # it is on the disk the disk ceiling measures, with durable commits (fsync, synchronous_commit
  # and full_page_writes on; the test suite's clusters turn them off). Seeded through the server's
  # services like the SQLite default data set, measured the same way (HALF_C from SQLite's GET).
  PG_DIR="$WORK/postgres-cluster"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$WORK"; then
    PG_DIR=$(mktemp -d -t ac-bench-postgres.XXXXXX)
    log "the postgres user cannot enter $WORK; the cluster goes to $PG_DIR (it may be on another disk than the disk ceiling's)"
  fi
  log "starting a throwaway PostgreSQL cluster in $PG_DIR (durable commits)"
  PG_CONNECTION=$(POSTGRES_CLUSTER_DURABLE=1 "$REPO/scripts/postgres-cluster.sh" start "$PG_DIR") || die "the PostgreSQL cluster did not start (bench/run.sh --no-postgres skips it)"
  PG_VERSION=$(cat "$PG_DIR/data/PG_VERSION")
  seed postgres "$DEFAULT_ORGS" "$DEFAULT_PER_ORG"
  start_server postgres
  server_suite postgres
  stop server
  stop_postgres
fi

# ---------------------------------------------------------------- 3. the peer: Prism mocking the same spec
if [ -z "$ONLY" ]; then
start prism "$RUN_DIR/prism.log" "$BENCH_DIR/node_modules/.bin/prism" mock -h 127.0.0.1 -p "$PRISM_PORT" "$SPEC"
wait_ok "http://127.0.0.1:$PRISM_PORT$CONN_PATH/$(head -1 "$WORK/default.ids")" -H "DD-API-KEY: $DD_API_KEY" -H "DD-APPLICATION-KEY: $DD_APP_KEY" >/dev/null
measure peer.get "http://127.0.0.1:$PRISM_PORT" BENCH_PATH="$CONN_PATH/{id}" BENCH_IDS="$WORK/default.ids" WATCH_PID="$PID_prism"
stop prism

# ---------------------------------------------------------------- 4. full scale
if [ "$FULL" = 1 ]; then
  rm -rf "$WORK/default" # keep disk use to one large store at a time
  seed full "$FULL_ORGS" "$FULL_PER_ORG"
  du -sk "$WORK/full" | awk '{print $1}' >"$RUN_DIR/full.disk_kb"
  start_server full
  server_suite full
  stop server
fi

# ---------------------------------------------------------------- 5. the ceiling again, to see drift
start ceiling "$RUN_DIR/ceiling-end.log" dotnet "$CEILING_DLL" --urls "http://127.0.0.1:$CEILING_PORT"
wait_ok "http://127.0.0.1:$CEILING_PORT/ceiling" >/dev/null
measure ceiling_end "http://127.0.0.1:$CEILING_PORT" BENCH_PATH=/ceiling WATCH_PID="$PID_ceiling"
stop ceiling
fi

# ---------------------------------------------------------------- report
log "writing the report"
# The use path's rows and targets (section 2a), for both a full run and --only use.
jq -n \
  --slurpfile runs <(cat "$RUN_DIR"/wrk/use.*.json "$RUN_DIR"/wrk/profile.use_*.json 2>/dev/null) \
  --slurpfile open <(cat "$RUN_DIR"/open/use.*.json 2>/dev/null) \
  '
  ($runs | map({key: .name, value: .}) | from_entries) as $w
  | ($open | map({key: "\(.name).\(.pct_of_max)", value: .}) | from_entries) as $o
  | def ms: . * 100 | round / 100;
    def x: . * 100 | round / 100;
  if $w["use.http_requests"] == null then null else {
    rows: ([
      ["use.direct", "upstream GET directly (bench/Ceiling on loopback)", null],
      ["use.yarp", "the same through YARP adding one header (bench/Proxy)", "use.direct"],
      ["use.http_requests", "the same through POST …/http_requests (HTTP token connection)", "use.yarp"],
      ["use.get", "GET connection (same server, random of 1,000)", null],
      ["use.credentials", "POST …/credentials, GCP token cached", "use.get"],
      ["profile.use_perf", "profile: http_requests again, under perf (tiered compilation off)", "use.yarp"]
    ] | map(select($w[.[0]] != null) | $w[.[0]] + {key: .[0], label: .[1], ratio_to: .[2],
        ratio: (if .[2] == null then null else $w[.[0]].rps / $w[.[2]].rps end)})),
    open_loop_added_p50_ms: (if $o["use.http_requests.50"] and $o["use.direct.50"] then ($o["use.http_requests.50"].p50_ms - $o["use.direct.50"].p50_ms) else null end),
    targets: ([
      {target: "http_requests >= 0.7x the YARP proxy (req/s, same run)",
       figure: "\($w["use.http_requests"].rps / $w["use.yarp"].rps | x)x (\($w["use.http_requests"].rps | round) vs \($w["use.yarp"].rps | round) req/s)",
       met: ($w["use.http_requests"].rps >= 0.7 * $w["use.yarp"].rps)},
      {target: "the same as CPU (noise-robust): our CPU per use <= 1/0.7 of the CPU YARP spends per forward",
       figure: "\($w["use.http_requests"].server_cpu_us_per_request | round) vs \($w["use.yarp"].server_cpu_us_per_request | round) µs = \($w["use.yarp"].server_cpu_us_per_request / $w["use.http_requests"].server_cpu_us_per_request | x)x",
       met: ($w["use.yarp"].server_cpu_us_per_request >= 0.7 * $w["use.http_requests"].server_cpu_us_per_request)}
    ] + (if $o["use.http_requests.50"] and $o["use.direct.50"] then [
      {target: "http_requests adds <= 0.5 ms p50 over the direct request at 50% load (open loop)",
       figure: "\($o["use.http_requests.50"].p50_ms) - \($o["use.direct.50"].p50_ms) = \($o["use.http_requests.50"].p50_ms - $o["use.direct.50"].p50_ms | ms) ms at \($o["use.http_requests.50"].target_rps) req/s",
       met: ($o["use.http_requests.50"].p50_ms - $o["use.direct.50"].p50_ms <= 0.5)}
    ] else [] end) + (if $w["use.credentials"] and $w["use.get"] then [
      {target: "credentials with a cached token >= 0.5x the GET connection rate (same server, same run)",
       figure: "\($w["use.credentials"].rps / $w["use.get"].rps | x)x (\($w["use.credentials"].rps | round) vs \($w["use.get"].rps | round) req/s; CPU \($w["use.credentials"].server_cpu_us_per_request | round) vs \($w["use.get"].server_cpu_us_per_request | round) µs)",
       met: ($w["use.credentials"].rps >= 0.5 * $w["use.get"].rps)}
    ] else [] end))
  } end' >"$RUN_DIR/use.json"
use_report() {
  jq -r '
    def f(n): . * n | round / n;
    def ms: if . == null then "" else (. | f(100) | tostring) end;
    select(. != null) |
    "\nUse path (section 2a; wrk -t1 -c32; the CPU column is the process that answered: upstream, YARP or our server):\n",
    "| measurement | req/s | p50 ms | p99 ms | ratio | CPU µs/req (cores used) | non-2xx | load avg |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    (.rows[] | "| \(.label) | \(.rps | round) | \(.p50_ms | ms) | \(.p99_ms | ms) | \(if .ratio == null then "" else "\(.ratio | f(100))x \(.ratio_to | sub("^use\\."; ""))" end) | \(if .server_cpu_us_per_request == null then "" else "\(.server_cpu_us_per_request | round) (\(.server_cores | f(100)))" end) | \(.non_2xx_3xx + .socket_errors) | \(.loadavg_before)→\(.loadavg_after) |"),
    "\n| use-path target | figure | met |", "| --- | --- | :-: |",
    (.targets[] | "| \(.target) | \(.figure) | \(if .met then "yes" else "**no**" end) |")
  ' "$RUN_DIR/use.json"
}
if [ -n "$ONLY" ]; then
  jq -n --slurpfile use "$RUN_DIR/use.json" --arg command "bench/run.sh${*:+ $*}" --arg generated "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg commit "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+dirty')" \
    --arg load_start "$LOAD_START" --arg nproc "$(nproc)" \
    '{generated_at: $generated, command: $command, commit: $commit, machine: {nproc: ($nproc | tonumber), loadavg_at_start: $load_start}, use_path: $use[0]}' >"$RESULTS/latest.json"
  jq -r '"# ActionConnections benchmark: the use path only\n", "`\(.command)` at \(.commit), \(.generated_at), \(.machine.nproc) cores, load average at start \(.machine.loadavg_at_start)."' "$RESULTS/latest.json" >"$RESULTS/latest.md"
  use_report >>"$RESULTS/latest.md"
else
jq -n \
  --slurpfile runs <(cat "$RUN_DIR"/wrk/*.json) \
  --slurpfile disk <(cat "$RUN_DIR"/disk-*.json) \
  --slurpfile servers <(cat "$RUN_DIR"/*.server.json) \
  --slurpfile seeds <(for f in "$RUN_DIR"/seed-*.json; do jq -c --arg name "$(basename "$f" .json | sed 's/^seed-//')" '. + {name: $name}' "$f"; done) \
  --slurpfile steps <(cat "$RUN_DIR/profile/steps.json" 2>/dev/null || echo '[]') \
  --slurpfile use "$RUN_DIR/use.json" \
  --slurpfile open <(cat "$RUN_DIR"/open/*.json 2>/dev/null) \
  --slurpfile commit_writes <(cat "$RUN_DIR/profile/commit-writes.json" 2>/dev/null || echo null) \
  --arg command "bench/run.sh${*:+ $*}" \
  --arg generated "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  --arg commit "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo '+dirty')" \
  --arg nproc "$(nproc)" \
  --arg memory "$(free -h | awk '/^Mem:/ {print $2}')" \
  --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
  --arg kernel "$(uname -r)" \
  --arg load_start "$LOAD_START" \
  --arg dotnet "$(dotnet --version)" \
  --arg runtime "$(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v=$2} END {print v}')" \
  --arg wrk "$(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')" \
  --arg disk_kb "$(cat "$RUN_DIR/full.disk_kb" 2>/dev/null || echo null)" \
  --arg postgresql "$PG_VERSION" \
  --argjson settings "{\"duration_s\": $DURATION, \"warmup_s\": $WARMUP, \"wrk_threads\": $THREADS, \"wrk_connections\": $CONNS}" \
  '
  ($runs | map({key: .name, value: .}) | from_entries) as $w
  | ($open | map({key: "\(.name).\(.pct_of_max)", value: .}) | from_entries) as $o
  | ($servers | map({key: .name, value: .}) | from_entries) as $srv
  | ($seeds | map({key: .name, value: .}) | from_entries) as $seed
  | ($servers | map(select(.provider != "postgres"))) as $sqlite_servers
  | ([$w.ceiling.rps, ($w.ceiling_end.rps // empty)] | add / length) as $kestrel
  | ($disk | map(select(.for != "postgres") | .commits_per_s) | add / length) as $commits
  | ($disk | map(select(.for == "postgres") | .commits_per_s) | if length > 0 then add / length else null end) as $pg_commits
  | [
      ["ceiling", "bare Kestrel ceiling (start of run)", "kestrel"],
      ["ceiling_end", "bare Kestrel ceiling (end of run)", "kestrel"],
      ["ceiling_c1", "bare Kestrel ceiling, one connection (latency floor)", "none"],
      ["ceiling_info_logging", "bare Kestrel with the server'"'"'s logging (every request at Information)", "kestrel"],
      ["default.get", "GET connection", "kestrel"],
      ["default.get_half", "GET connection, throttled to about half rate", "kestrel"],
      ["default.get_c1", "GET connection, one connection (latency floor)", "none"],
      ["default.list", "list connections, page[size]=50", "kestrel"],
      ["default.registration", "GET app key registration", "kestrel"],
      ["default.patch", "PATCH connection (rename)", "disk"],
      ["default.create", "create connection (POST)", "disk"],
      ["postgres.get", "PostgreSQL: GET connection", "kestrel"],
      ["postgres.get_half", "PostgreSQL: GET, same throttle as above", "kestrel"],
      ["postgres.get_c1", "PostgreSQL: GET, one connection (latency floor)", "none"],
      ["postgres.list", "PostgreSQL: list connections, page[size]=50", "kestrel"],
      ["postgres.registration", "PostgreSQL: GET app key registration", "kestrel"],
      ["postgres.patch", "PostgreSQL: PATCH connection (rename)", "disk_postgres"],
      ["postgres.create", "PostgreSQL: create connection (POST)", "disk_postgres"],
      ["peer.get", "peer: the same GET from a Prism mock", "kestrel"],
      ["full.get", "1M stored: GET connection", "kestrel"],
      ["full.get_half", "1M stored: GET, same throttle as above", "kestrel"],
      ["full.get_c1", "1M stored: GET, one connection", "none"],
      ["full.list", "1M stored: list connections, page[size]=50", "kestrel"],
      ["full.registration", "1M stored: GET app key registration", "kestrel"],
      ["profile.get_counters", "profile: GET again, under dotnet-counters", "kestrel"],
      ["profile.get_perf", "profile: GET again, under perf (perf map on, W^X off)", "kestrel"],
      ["profile.get_log_warning", "profile: GET with Microsoft.AspNetCore logging at Warning", "kestrel"]
    ] as $rows
  | ($rows | map(select($w[.[0]] != null) | $w[.[0]] + {
      key: .[0], label: .[1], ratio_to: .[2],
      ratio: (if .[2] == "none" then null else $w[.[0]].rps / (if .[2] == "disk" then $commits elif .[2] == "disk_postgres" then $pg_commits else $kestrel end) end)
    })) as $results
  | def pct: . * 1000 | round / 10;
    def ms: . * 100 | round / 100;
  {
    generated_at: $generated,
    command: $command,
    commit: $commit,
    machine: {nproc: ($nproc | tonumber), memory: $memory, cpu: $cpu, kernel: $kernel, dotnet_sdk: $dotnet, aspnetcore_runtime: $runtime, wrk: $wrk, loadavg_at_start: $load_start},
    settings: $settings,
    ceilings: {kestrel_rps: $kestrel, disk_commits_per_s: $commits, disk_commits_per_s_postgres: $pg_commits, disk_runs: $disk},
    results: $results,
    servers: $servers,
    postgresql: (if $srv.postgres then {major_version: $postgresql, cluster: "scripts/postgres-cluster.sh, POSTGRES_CLUSTER_DURABLE=1: fsync, synchronous_commit, full_page_writes on; loopback TCP", seeded_like: "default", server: $srv.postgres} else null end),
    seeds: $seeds,
    full_disk_kb: ($disk_kb | fromjson? // null),
    steps: $steps[0],
    use_path: $use[0],
    commit_writes: $commit_writes[0],
    targets: ([
      {target: "GET >= 50% of the bare-Kestrel ceiling (req/s)",
       figure: "\($w["default.get"].ratio // ($w["default.get"].rps / $kestrel) | pct)% (\($w["default.get"].rps | round) of \($kestrel | round) req/s)",
       met: ($w["default.get"].rps / $kestrel >= 0.5)},
      {target: "the same, as CPU cost (noise-robust): GET server CPU per request <= 2x the ceiling'"'"'s",
       figure: "ceiling \($w.ceiling.server_cpu_us_per_request | round) µs / GET \($w["default.get"].server_cpu_us_per_request | round) µs = \($w.ceiling.server_cpu_us_per_request / $w["default.get"].server_cpu_us_per_request | pct)%",
       met: ($w.ceiling.server_cpu_us_per_request / $w["default.get"].server_cpu_us_per_request >= 0.5)},
      {target: "GET p99 <= 2 ms at about half that rate",
       figure: "p99 \($w["default.get_half"].p99_ms | ms) ms at \($w["default.get_half"].rps | round) req/s (\($w["default.get_half"].rps / $w["default.get"].rps | pct)% of the GET rate)",
       met: ($w["default.get_half"].p99_ms <= 2)},
      {target: "create >= 50% of the disk ceiling (commits/s)",
       figure: "\($w["default.create"].rps / $commits | pct)% (\($w["default.create"].rps | round) of \($commits | round)/s)",
       met: ($w["default.create"].rps / $commits >= 0.5)},
      {target: "issue 18: SQLite create at 32 clients >= 1.5x the disk'"'"'s single-commit rate, p99 <= 25 ms",
       figure: "\($w["default.create"].rps / $commits | ms)x (\($w["default.create"].rps | round) of \($commits | round)/s), p99 \($w["default.create"].p99_ms | ms) ms\(if $commit_writes[0] then "; \($commit_writes[0].writes_per_commit) writes per commit in the profile'"'"'s create run" else "" end)",
       met: ($w["default.create"].rps >= 1.5 * $commits and $w["default.create"].p99_ms <= 25)},
      {target: "issue 18: SQLite PATCH at 32 clients >= 1.5x the disk'"'"'s single-commit rate, p99 <= 25 ms",
       figure: "\($w["default.patch"].rps / $commits | ms)x (\($w["default.patch"].rps | round) of \($commits | round)/s), p99 \($w["default.patch"].p99_ms | ms) ms",
       met: ($w["default.patch"].rps >= 1.5 * $commits and $w["default.patch"].p99_ms <= 25)}
    ] + (if $o["default.get.50"] then [
      {target: "issue 18: GET at 50% of its maximum rate, open loop: p99 <= 2 ms",
       figure: "p99 \($o["default.get.50"].p99_ms | ms) ms, p50 \($o["default.get.50"].p50_ms | ms) ms at \($o["default.get.50"].target_rps) req/s (sender late p99 \($o["default.get.50"].sender_late_p99_ms | ms) ms)",
       met: ($o["default.get.50"].p99_ms <= 2)}
    ] else [] end) + (if $o["full.get.50"] and $o["default.get.50"] then [
      {target: "issue 18: 1M stored: GET p50 at the same fixed rate (open loop, 50%) within 1.25x of 1k stored",
       figure: "\($o["full.get.50"].p50_ms | ms) vs \($o["default.get.50"].p50_ms | ms) ms = \($o["full.get.50"].p50_ms / $o["default.get.50"].p50_ms | ms)x",
       met: ($o["full.get.50"].p50_ms <= 1.25 * $o["default.get.50"].p50_ms)}
    ] else [] end) + [
      {target: "server ready <= 1 s after start (first authenticated 200)",
       figure: ($sqlite_servers | map("\(.name): \(.ready_ms) ms") | join(", ")),
       met: ($sqlite_servers | all(.ready_ms <= 1000))},
      {target: "server RSS <= 300 MB after the run",
       figure: ($sqlite_servers | map("\(.name): \(.rss_kb / 1024 | round) MB (peak \(.hwm_kb / 1024 | round) MB)") | join(", ")),
       met: ($sqlite_servers | all(.rss_kb <= 300 * 1024))}
    ] + (if $w["full.get"] then [
      {target: "1M stored: GET p50 within 1.25x of 1k stored (same throttled load)",
       figure: "\($w["full.get_half"].p50_ms | ms) vs \($w["default.get_half"].p50_ms | ms) ms = \($w["full.get_half"].p50_ms / $w["default.get_half"].p50_ms | . * 100 | round / 100)x",
       met: ($w["full.get_half"].p50_ms <= 1.25 * $w["default.get_half"].p50_ms)},
      {target: "1M stored: GET p50 within 1.25x of 1k stored (one connection)",
       figure: "\($w["full.get_c1"].p50_ms | ms) vs \($w["default.get_c1"].p50_ms | ms) ms = \($w["full.get_c1"].p50_ms / $w["default.get_c1"].p50_ms | . * 100 | round / 100)x",
       met: ($w["full.get_c1"].p50_ms <= 1.25 * $w["default.get_c1"].p50_ms)},
      {target: "1M stored: GET p50 within 1.25x of 1k stored (saturated, wrk -c\($settings.wrk_connections))",
       figure: "\($w["full.get"].p50_ms | ms) vs \($w["default.get"].p50_ms | ms) ms = \($w["full.get"].p50_ms / $w["default.get"].p50_ms | . * 100 | round / 100)x",
       met: ($w["full.get"].p50_ms <= 1.25 * $w["default.get"].p50_ms)},
      {target: "seeding 1M connections takes minutes, not hours",
       figure: "\($seed.full.connection_seconds / 60 | . * 10 | round / 10) min (\($seed.full.connections_per_s) rows/s)",
       met: ($seed.full.connection_seconds < 3600)}
    ] else [] end))
  }' >"$RESULTS/latest.json"

jq -r '
  def f(n): . * n | round / n;
  def ms: if . == null then "" else (. | f(100) | tostring) end;
  "# ActionConnections benchmark\n",
  "`\(.command)` at \(.commit), \(.generated_at). Machine: \(.machine.nproc) cores (\(.machine.cpu)), \(.machine.memory) RAM, kernel \(.machine.kernel), .NET SDK \(.machine.dotnet_sdk) (ASP.NET Core \(.machine.aspnetcore_runtime)), \(.machine.wrk). Load average at start \(.machine.loadavg_at_start) (other work shares this machine; each row shows the 1-minute load average before→after it). wrk -t\(.settings.wrk_threads) -c\(.settings.wrk_connections) unless noted, \(.settings.warmup_s) s warm-up then \(.settings.duration_s) s measured, loopback.\n",
  "| measurement | req/s | p50 ms | p99 ms | ratio to ceiling | server CPU µs/req (cores used) | wrk -c | non-2xx | load avg |",
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  (.ceilings.disk_runs[] | "| **disk ceiling** (\(.when)): durable one-row commits, WAL, synchronous=FULL | \(.commits_per_s | round) commits/s | \(.p50_ms | ms) | \(.p99_ms | ms) | | | 1 writer | | |"),
  (.ceilings.kestrel_rps as $k | .results[] | "| \(.label) | \(.rps | round) | \(.p50_ms | ms) | \(.p99_ms | ms) | \(if .ratio == null then "" else "\(.ratio * 100 | f(10))% of \(if .ratio_to | startswith("disk") then "disk" else "Kestrel" end)" end) | \(if .server_cpu_us_per_request == null then "" else "\(.server_cpu_us_per_request | round) (\(.server_cores | f(100)))" end) | \(.connections)\(if .name | test("half") then " (2 ms think time)" else "" end) | \(.non_2xx_3xx + .socket_errors) | \(.loadavg_before)→\(.loadavg_after) |"),
  ((.ceilings.disk_runs | map(select(.for != "postgres") | .commits_per_s)) as $sd
  | (.ceilings.disk_runs | map(select(.for == "postgres") | .commits_per_s)) as $pd
  | "\nCeilings used for ratios: Kestrel \(.ceilings.kestrel_rps | round) req/s (mean of its start and end runs), disk \(.ceilings.disk_commits_per_s | round) commits/s (mean of its \($sd | length) runs at the start and around SQLite'"'"'s writes, from \($sd | min | round) to \($sd | max | round))\(if ($pd | length) > 0 then "; PostgreSQL'"'"'s writes: \(.ceilings.disk_commits_per_s_postgres | round) commits/s (mean of the \($pd | length) runs around them, from \($pd | min | round) to \($pd | max | round))" else "" end). p50/p99 of the disk rows are per commit.\n"),
  "| target | figure | met |",
  "| --- | --- | :-: |",
  (.targets[] | "| \(.target) | \(.figure) | \(if .met then "yes" else "**no**" end) |"),
  (if .postgresql then "\nThe targets are SQLite'"'"'s; the PostgreSQL rows are informational: PostgreSQL \(.postgresql.major_version), a throwaway cluster on loopback with durable commits (fsync, synchronous_commit, full_page_writes on), seeded like the default data set; server ready \(.postgresql.server.ready_ms) ms after start, VmRSS \(.postgresql.server.rss_kb / 1024 | round) MB (peak \(.postgresql.server.hwm_kb / 1024 | round) MB) after its runs." else empty end),
  (if (.seeds | length) > 0 then "\nSeeding: " + (.seeds | map("\(.name): \(.orgs) org(s), \(.connections) connections in \(.connection_seconds) s (\(.connections_per_s)/s)") | join("; ")) + (if .full_disk_kb then "; 1M-store data directory \(.full_disk_kb / 1024 | round) MB" else "" end) + "." else empty end),
  (if (.steps | length) > 0 then
     "\nIn-process step timings of a GET (one thread, stopwatch; `bench/Seeder steps`):\n",
     "| step | µs/call | bytes allocated/call |", "| --- | ---: | ---: |",
     (.steps[] | "| \(.step) | \(.us_per_call) | \(.bytes_per_call) |")
   else empty end)
' "$RESULTS/latest.json" >"$RESULTS/latest.md"
use_report >>"$RESULTS/latest.md"
fi
if compgen -G "$RUN_DIR/open/*.json" >/dev/null; then
  jq -s -r '
    "\nOpen-loop latency (bench/OpenLoop: a fixed timetable, each request timed from when it was due; rates are fractions of the closed-loop maximum of the same operation):\n",
    "| operation | % of max | target req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors + non-2xx + not sent | sender late p99 ms | load before/after |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    (sort_by(.name, .pct_of_max)[] | "| \(.name) | \(.pct_of_max) | \(.target_rps) | \(.p50_ms) | \(.p99_ms) | \(.p999_ms) | \(.max_ms) | \(.errors + .non_2xx_3xx + .not_sent) | \(.sender_late_p99_ms) | \(.loadavg_before) / \(.loadavg_after) |")
  ' "$RUN_DIR"/open/*.json >>"$RESULTS/latest.md"
fi
if [ "$PROFILE" = 1 ]; then
  if [ -s "$RUN_DIR/profile/commit-writes.json" ]; then
    jq -r '"\nGroup commit during the profile'"'"'s create run: \(.writes) writes in \(.commits) durable commits, \(.writes_per_commit) writes per commit (the server'"'"'s actionconnections.sqlite.commit.writes).\n"' \
      "$RUN_DIR/profile/commit-writes.json" >>"$RESULTS/latest.md"
  fi
  for f in counters.txt perf-get-dso.txt perf-sqlite.txt perf-get-self.txt perf-get-inclusive.txt perf-use-dso.txt perf-use-self.txt perf-use-inclusive.txt perf-create-dso.txt perf-create-self.txt perf-create-inclusive.txt; do
    [ -s "$RUN_DIR/profile/$f" ] || continue
    printf '\n`%s` (of the %s run; full files in bench/results/run/profile/):\n\n```text\n' "$f" "$(case "$f" in perf-use*) echo http_requests ;; perf-create*) echo create ;; *) echo GET ;; esac)"
    head -40 "$RUN_DIR/profile/$f"
    printf '```\n'
  done >>"$RESULTS/latest.md"
fi
log "wrote $RESULTS/latest.md and $RESULTS/latest.json"
cat "$RESULTS/latest.md"
