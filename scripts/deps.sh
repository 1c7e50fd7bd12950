#!/usr/bin/env bash
# Installs the Debian 12 packages libbot needs (idempotent: does nothing when all are present).
set -euo pipefail
PACKAGES=(build-essential cmake ninja-build pkg-config ccache libboost-dev libssl-dev
  libsimdjson-dev libcurl4-openssl-dev libsqlite3-dev sqlite3 libicu-dev libgtest-dev libgmock-dev
  libbenchmark-dev libyaml-cpp-dev libcli11-dev libfmt-dev libphonenumber-dev libtesseract-dev
  tesseract-ocr-spa libleptonica-dev libpq-dev postgresql curl
  chromium chromium-driver python3-selenium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
