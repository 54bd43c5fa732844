#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on loopback only, in a directory of its own.
#
#   postgres-cluster.sh start DIR   initialise a cluster in DIR (created), start it on a free
#                                   port; prints the connection string (with a generated password)
#   postgres-cluster.sh stop DIR    stop the cluster and remove DIR
#   postgres-cluster.sh ctl DIR stop|start
#                                   stop the server (fast: sessions are ended) or start it again
#                                   on the same port, keeping the data; used by the fault tests
#
# As root, PostgreSQL's programs run as the 'postgres' user (initdb refuses root). Settings are
# for speed, not durability (fsync off): the data is thrown away after the run. With
# POSTGRES_CLUSTER_DURABLE=1 in the environment of 'start', commits are durable instead (fsync,
# synchronous_commit and full_page_writes on, PostgreSQL's defaults): bench/run.sh uses that, so
# PostgreSQL's writes are measured against the disk as SQLite's are.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR | stop DIR | ctl DIR stop|start" >&2
  exit 1
}

# bindir: where initdb and pg_ctl are (Debian keeps them out of PATH, per major version).
bindir() {
  local candidate
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir
    return
  fi
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/initdb" ]; then
      echo "$candidate"
      return
    fi
  done
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  echo "error: PostgreSQL's initdb was not found (on Debian: apt-get install postgresql)." >&2
  exit 1
}

# as_owner CMD...: runs a command as the cluster's owner ('postgres' when we are root).
# From /, which the owner can enter whatever directory this script was started in.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "error: no free port found" >&2
  exit 1
}

pg_ctl_cmd() {
  local dir="$1"
  shift
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 "$@"
}

start() {
  local dir="$1" bin password port durability
  bin="$(bindir)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  if ! as_owner test -w "$dir"; then
    echo "error: the cluster's owner cannot write to $dir (are its parent directories searchable?)" >&2
    exit 1
  fi
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" > "$dir/pwfile"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir/pwfile"
  fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  rm -f "$dir/pwfile"
  if [ "${POSTGRES_CLUSTER_DURABLE:-0}" = 1 ]; then
    durability=on
  else
    durability=off
  fi
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = $durability
synchronous_commit = $durability
full_page_writes = $durability
CONF
  # Only password logins over loopback TCP; nothing else is accepted.
  printf 'host all all 127.0.0.1/32 scram-sha-256\n' >"$dir/data/pg_hba.conf"

  for _ in 1 2 3 4 5; do
    port="$(free_port)"
    sed -i '/^port = /d' "$dir/data/postgresql.conf"
    echo "port = $port" >>"$dir/data/postgresql.conf"
    if pg_ctl_cmd "$dir" start >/dev/null 2>&1; then
      echo "Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
      return
    fi
  done
  echo "error: the PostgreSQL server did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
}

stop() {
  local dir="$1"
  if [ -f "$dir/data/postmaster.pid" ]; then
    pg_ctl_cmd "$dir" stop -m immediate >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

[ $# -ge 2 ] || usage
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  ctl)
    [ $# -eq 3 ] || usage
    case "$3" in
      stop) pg_ctl_cmd "$2" stop -m fast >/dev/null ;;
      start) pg_ctl_cmd "$2" start >/dev/null ;;
      *) usage ;;
    esac
    ;;
  *) usage ;;
esac
