#!/usr/bin/env bash
# The benchmark's durability probe (../shared/bench/SPEC.md §7) for two botrunner processes on
# one PostgreSQL database behind haproxy (tests/bench/postgres_peer.sh): PROBE_USERS
# conversations primed mid-flow through haproxy, then ONE of the two processes SIGKILLed (not
# restarted); each user's next message, and a byte-identical replay of its last pre-crash request
# (a late Twilio retry), go through haproxy to the survivor. A wrong reply is `state_lost`; any
# reply to a replay is `retry_answered`.
#   BOTRUNNER=build-rel/runner/botrunner tests/bench/postgres_probe.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH:-$root/../shared/bench}
export PORT=${PORT:-3900} FT_PORT=${FT_PORT:-4010}
export AUTH_TOKEN=${AUTH_TOKEN:-bench_auth_token_0123456789abcdef}
export ACCOUNT_SID=${ACCOUNT_SID:-AC00000000000000000000000000000000}
export BOT_NUMBER=${BOT_NUMBER:-whatsapp:+14155238886}
export TWILIO_API_ORIGIN=http://127.0.0.1:$FT_PORT HOST=127.0.0.1
export REPLY_MODE=${BOTRUNNER_REPLY_MODE:-twiml} RATE_PER_SENDER=100000 BOTRUNNERS=2
export BOTRUNNER=${BOTRUNNER:-build/runner/botrunner}
export DATA_DIR=${DATA_DIR:-$(mktemp -d /tmp/botbench_probe.XXXXXX)}
sign=http://127.0.0.1:$PORT/twilio/inbound
peer= ft=
cleanup() {
  [ -n "$peer" ] && { kill -TERM "$peer" 2>/dev/null || true; wait "$peer" 2>/dev/null || true; }
  [ -n "$ft" ] && { kill -TERM "$ft" 2>/dev/null || true; wait "$ft" 2>/dev/null || true; }
}
trap cleanup EXIT

node "$bench/fake-twilio/server.js" --port "$FT_PORT" --account-sid "$ACCOUNT_SID" \
  --auth-token "$AUTH_TOKEN" >"$DATA_DIR/fake-twilio.log" 2>&1 &
ft=$!
(cd "$root" && exec tests/bench/postgres_peer.sh) >"$DATA_DIR/server.log" 2>&1 &
peer=$!
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done
sleep 1  # haproxy's health checks mark both runners up
probe=(--url "$sign" --sign-url "$sign" --reply-mode "$REPLY_MODE"
  --fake-twilio "http://127.0.0.1:$FT_PORT" --probe-users "${PROBE_USERS:-200}"
  --state "$DATA_DIR/probe-state.json")
node "$bench/loadgen/loadgen.js" "${probe[@]}" --phase prime --out "$DATA_DIR/prime.json"
victim=$(head -1 "$DATA_DIR/botrunner.pids")
kill -KILL "$victim"
echo "SIGKILLed botrunner $victim (one of $(wc -l <"$DATA_DIR/botrunner.pids")); the other answers"
node "$bench/loadgen/loadgen.js" "${probe[@]}" --phase resume --out "$DATA_DIR/resume.json"
