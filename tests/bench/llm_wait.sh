#!/usr/bin/env bash
# Issue 14's runs of tests/bench/llm_wait.cc (botrunner waiting on a fake LLM that answers after
# 2 s): builds Release in build-bench/, then
#   1. 1000 conversations, REST replies;
#   2. the same against an LLM that answers 429 (Retry-After: 1) past 50 requests at once;
#   3. the issue's table: 200 conversations, TwiML replies, workers 2 and workers 64.
#   tests/bench/llm_wait.sh                           # all four
#   JOBS=1 TIMEOUT_S=300 tests/bench/llm_wait.sh      # fewer build jobs; give up on replies sooner
# Extra arguments go to every run, after its own (a flag given again wins), e.g.
#   tests/bench/llm_wait.sh --extra-config "    timeout_ms: 5000"   # a key of providers.llm
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=build-bench
LOG=$BUILD/llm_wait_build.log
mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$LOG" 2>&1 || { cat "$LOG"; exit 1; }
cmake --build "$BUILD" -j "${JOBS:-2}" --target botrunner llm_wait >> "$LOG" 2>&1 ||
  { tail -50 "$LOG"; exit 1; }

run() {
  local title=$1
  shift
  echo
  echo "== $title"
  "$BUILD/tests/llm_wait" --botrunner "$BUILD/runner/botrunner" --timeout-s "${TIMEOUT_S:-600}" \
    "$@"
}

# 1000 calls at once: an account sized for it (max_in_flight defaults to 512). The 429 run takes
# 40 s of 2 s calls, 50 at a time: the turns' and calls' deadlines are raised to match.
run "1000 conversations, REST" --conversations 1000 --extra-config "    max_in_flight: 1000" "$@"
run "1000 conversations, REST, LLM 429 past 50 at once" --conversations 1000 \
  --llm-max-concurrent 50 --extra-config "    max_in_flight: 1000" \
  --extra-config "  turn_deadline_s: 120" --extra-config "  retry: {deadline_ms: 120000}" "$@"
run "200 conversations, TwiML, workers 2" --conversations 200 --mode twiml --workers 2 "$@"
run "200 conversations, TwiML, workers 64" --conversations 200 --mode twiml --workers 64 "$@"
