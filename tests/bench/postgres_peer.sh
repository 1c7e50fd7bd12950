#!/usr/bin/env bash
# The benchmark's server on PostgreSQL (tests/bench/botrunner_pg.conf; docs/performance.md): for
# one level, a PostgreSQL 15 cluster of its own (durable: fsync and synchronous_commit on, as in
# production), then BOTRUNNERS (1 or 2) `botrunner serve` on it. One: it listens on $PORT. Two:
# on $PORT+1 and $PORT+2, started one after the other, and haproxy on $PORT spreads the webhooks
# over them (round robin; a process that stops answering is taken out by its health check and a
# refused connection is retried on the other). Everything runs under this script, so the
# harness's CPU and RSS figures (the server's process tree) include PostgreSQL and haproxy.
# SIGTERM stops them all and deletes the cluster. $DATA_DIR/botrunner.pids lists the runners.
set -euo pipefail
bin=${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
runners=${BOTRUNNERS:-1}
botrunner=${BOTRUNNER:-build/runner/botrunner}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$DATA_DIR"
cluster=$(mktemp -d /tmp/botbench_pg.XXXXXX)
children=()

stop() {
  trap - TERM INT EXIT
  for ((i = ${#children[@]} - 1; i >= 0; i--)); do kill -TERM "${children[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$cluster"
}
trap stop TERM INT EXIT

as_owner() {  # PostgreSQL refuses root: the cluster belongs to `nobody` then
  if [ "$(id -u)" -eq 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; else "$@"; fi
}
wait_port() {
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  return 1
}

mkdir -p "$cluster/data" "$cluster/socket"
if [ "$(id -u)" -eq 0 ]; then chown -R nobody: "$cluster"; chmod 711 "$cluster"; fi
as_owner "$bin/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
  >"$DATA_DIR/initdb.log" 2>&1
as_owner "$bin/postgres" -D "$cluster/data" -c listen_addresses='' \
  -c unix_socket_directories="$cluster/socket" -c max_connections=100 \
  >"$DATA_DIR/postgres.log" 2>&1 &
children+=($!)
for _ in $(seq 1 150); do "$bin/pg_isready" -q -h "$cluster/socket" && break; sleep 0.1; done
chmod 777 "$cluster/socket"
"$bin/psql" -q -h "$cluster/socket" -U postgres -d postgres -c "CREATE DATABASE bot" >/dev/null

# The ordinary benchmark config, on this database; signatures are checked against the URL the
# load generator signs ($PORT), whichever process answers.
sed -e "s|^database: .*|database: \"postgresql:///bot?host=$cluster/socket\&user=postgres\"|" \
  -e "s|^public_base_url: .*|public_base_url: http://127.0.0.1:$PORT|" \
  "$here/botrunner.yaml" >"$DATA_DIR/botrunner.yaml"

if [ "$runners" -eq 1 ]; then
  "$botrunner" serve --config "$DATA_DIR/botrunner.yaml" &
  children+=($!)
  echo "$!" >"$DATA_DIR/botrunner.pids"
else
  : >"$DATA_DIR/botrunner.pids"
  servers=
  for i in $(seq 1 "$runners"); do
    PORT=$((PORT + i)) "$botrunner" serve --config "$DATA_DIR/botrunner.yaml" &
    children+=($!)
    echo "$!" >>"$DATA_DIR/botrunner.pids"
    wait_port $((PORT + i))  # one at a time: the first one migrates the schema
    servers+="  server b$i 127.0.0.1:$((PORT + i)) check inter 200ms fall 1 rise 2"$'\n'
  done
  cat >"$DATA_DIR/haproxy.cfg" <<CFG
global
  maxconn 2000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
  retry-on conn-failure
frontend webhooks
  bind 127.0.0.1:$PORT
  default_backend botrunners
backend botrunners
  balance roundrobin
  option httpchk GET /healthz
$servers
CFG
  haproxy -f "$DATA_DIR/haproxy.cfg" -db &
  children+=($!)
fi
wait "${children[-1]}"  # the front process (haproxy, or the one runner); a killed runner behind haproxy leaves the other answering
