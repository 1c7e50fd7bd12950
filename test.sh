#!/usr/bin/env bash
# Runs the whole test suite: unit, transcript and end-to-end tests (with a throwaway PostgreSQL
# server and a headless Chromium test of the web console, both started by ctest); the same suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer; and the embedding example against an
# installed tree.
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
# ./run.sh builds only botrunner, then `cmake --install` must still work (issue 19). build-test has
# built everything, so the libraries botrunner does not need (ninja knows which) are moved aside
# while it installs: what a botrunner-only build leaves, without a second build (the build type
# does not matter here). mv keeps their times, so nothing relinks afterwards.
rm -rf build-test/install build-test/install-moved build-test/install-full build-embed
needed=$(ninja -C build-test -t inputs botrunner)
unneeded=()
for lib in build-test/libbot/*.a; do
  grep -qx "${lib#build-test/}" <<<"$needed" || unneeded+=("$lib")
done
[ ${#unneeded[@]} -gt 0 ] || { echo "botrunner needs every library: nothing left to skip"; exit 1; }
for lib in "${unneeded[@]}"; do mv "$lib" "$lib.aside"; done
status=0
cmake --install build-test --prefix build-test/install > build-test/install.log || status=$?
for lib in "${unneeded[@]}"; do mv "$lib.aside" "$lib"; done
[ $status -eq 0 ] || { cat build-test/install.log; exit 1; }
if ls build-test/install/lib/cmake/libbot | grep -q Testing; then
  echo "bot::testing was not built but its export file was installed"; exit 1
fi
# After a full build the fakes are installed too.
cmake --install build-test --prefix build-test/install-full > /dev/null
[ -e build-test/install-full/lib/libbot_testing.a ]
[ -e build-test/install-full/lib/cmake/libbot/libbotTestingTargets.cmake ]

# The installed tree is relocatable: used from another place, no absolute path exported.
mv build-test/install build-test/install-moved
prefix="$PWD/build-test/install-moved"
if grep -nF -e /usr/lib -e "$PWD" "$prefix"/lib/cmake/libbot/*.cmake; then
  echo "absolute paths in the exported CMake package"; exit 1
fi

# find_package(libbot) without components looks nothing up for OCR (no Tesseract); the example
# sets no C++ standard (it comes from bot::bot) and runs the installed dialogs.
cmake -S examples/embed -B build-embed -G Ninja -DCMAKE_PREFIX_PATH="$prefix" > /dev/null
if grep -q TESS build-embed/CMakeCache.txt || grep -qE "tesseract|lept" build-embed/build.ninja; then
  echo "find_package(libbot) without the ocr component needs Tesseract"; exit 1
fi
cmake --build build-embed
build-embed/embed_example "$prefix/share/libbot/dialogs" "$prefix/share/libbot/prompts"
# The ocr component: bot::ocr reads a bill.
cmake -S examples/embed -B build-embed -DEMBED_OCR=ON > /dev/null
cmake --build build-embed --target embed_ocr
ocr_text=$(build-embed/embed_ocr fixtures/transcripts/credit_application/media/cfe_ana.jpg)
grep -q "TOTAL A PAGAR" <<<"$ocr_text"

# pkg-config: the same example built with libbot.pc; libbot-ocr.pc resolves.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046  # pkg-config's flags are meant to split
c++ -std=c++20 examples/embed/main.cc $(pkg-config --cflags --libs libbot) -o build-embed/embed_pkgconfig
build-embed/embed_pkgconfig "$prefix/share/libbot/dialogs" "$prefix/share/libbot/prompts" > /dev/null
grep -q -- "-lbot_ocr -lbot .*-ltesseract" <<<"$(pkg-config --libs libbot-ocr)"
echo "== all test stages passed"
