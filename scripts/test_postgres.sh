#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (Debian's `postgresql` package).
#   scripts/test_postgres.sh start STATE_DIR   initdb into a fresh temporary folder, start the
#                                              server on a private unix socket (no TCP), create
#                                              database bot_test; writes STATE_DIR/conninfo
#   scripts/test_postgres.sh stop STATE_DIR    stop the server and delete the cluster
# The server refuses to run as root, and CI runs as root: then the cluster belongs to `nobody`
# (runuser). Its folder lives under /tmp, which `nobody` can reach (a build dir under /root may
# not be); STATE_DIR (e.g. the build dir) remembers where, so two builds never share a cluster.
set -euo pipefail
cmd=${1:?usage: test_postgres.sh start|stop STATE_DIR}
state=${2:?usage: test_postgres.sh start|stop STATE_DIR}
bin=${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
mkdir -p "$state"
state=$(cd "$state" && pwd)

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

stop() {
  [ -f "$state/postgres_dir" ] || return 0
  local dir
  dir=$(cat "$state/postgres_dir")
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
  fi
  rm -rf "$dir"
  rm -f "$state/postgres_dir" "$state/conninfo"
}

case "$cmd" in
  start)
    [ -x "$bin/initdb" ] || { echo "no PostgreSQL 15 in $bin (Debian: apt-get install postgresql)" >&2; exit 1; }
    stop  # a cluster a crashed run left behind
    dir=$(mktemp -d /tmp/botpg.XXXXXX)
    echo "$dir" >"$state/postgres_dir"
    mkdir -p "$dir/data" "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R nobody: "$dir"
    chmod 700 "$dir"
    [ "$(id -u)" -eq 0 ] && chmod 711 "$dir"  # root's tests reach the socket, nothing else
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync off: a test cluster never outlives a crash. Unix socket only, in our own folder.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/socket' -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    chmod 777 "$dir/socket"
    "$bin/psql" -h "$dir/socket" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -c "CREATE DATABASE bot_test" >/dev/null
    echo "host=$dir/socket user=postgres dbname=bot_test" >"$state/conninfo"
    echo "postgres: $(cat "$state/conninfo")"
    ;;
  stop) stop ;;
  *) echo "usage: test_postgres.sh start|stop STATE_DIR" >&2; exit 2 ;;
esac
