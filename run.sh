#!/usr/bin/env bash
# Installs what is needed, builds, and starts botrunner on embedded defaults (SQLite, no
# credentials): a Twilio webhook server on 127.0.0.1:8080 answering with TwiML.
#   ./run.sh                 start the server
#   ./run.sh chat            talk to the review_rating dialog in the terminal instead
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build --target botrunner >> build.log 2>&1 || { tail -50 build.log; exit 1; }
if [ "${1:-}" = chat ]; then
  exec build/runner/botrunner chat --dialog review_rating --var name=Ana --var "doctor=Dra. Pérez"
fi
exec build/runner/botrunner serve --config runner/botrunner.example.yaml
