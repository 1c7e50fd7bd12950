#!/usr/bin/env bash
# Runs the whole test suite: unit, transcript and end-to-end tests; the same suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer; and the embedding example against an installed tree.
set -euo pipefail
cd "$(dirname "$0")"
scripts/deps.sh
JOBS=$(nproc)
# ccache (when installed) shares objects between clones of the repo: paths are made relative.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

echo "== build + test (RelWithDebInfo)"
cmake -S . -B build-test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-test -j "$JOBS"
ctest --test-dir build-test --output-on-failure -j "$JOBS"

echo "== build + test (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBOT_SANITIZE=ON -DBOT_BUILD_BENCH=OFF
cmake --build build-asan -j "$JOBS"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$JOBS"

echo "== install + examples/embed against the installed tree"
rm -rf build-test/install
cmake --install build-test --prefix build-test/install > /dev/null
cmake -S examples/embed -B build-embed -G Ninja -DCMAKE_PREFIX_PATH="$PWD/build-test/install"
cmake --build build-embed
build-embed/embed_example dialogs prompts
echo "== all test stages passed"
