#!/usr/bin/env sh
# Installs what the build needs (Debian/Ubuntu packages), then configures and
# builds vramfit in ./build. Safe to run again: it installs only what is
# missing and rebuilds incrementally.
#
#   scripts/bootstrap.sh            release-style build (RelWithDebInfo) in ./build
#   scripts/bootstrap.sh --tests    the same, plus llama.cpp for the conformance suite
#                                   (node-llama-cpp, scripts/install-llama-cpp.sh)
#   BUILD_DIR=... CMAKE_ARGS=... EXTRA_PACKAGES=... scripts/bootstrap.sh
set -eu

with_tests=0
for arg in "$@"; do
  case "$arg" in
    --tests) with_tests=1 ;;
    *) echo "bootstrap: unknown argument $arg (use --tests)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

packages="build-essential cmake libcli11-dev nlohmann-json3-dev libfmt-dev catch2 ${EXTRA_PACKAGES:-}"
if [ "$with_tests" -eq 1 ]; then
  packages="$packages python3 python3-jsonschema"  # the JSON schema tests
  packages="$packages pkg-config file dpkg-dev"    # the install test (tests/install/run.sh)
fi
missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "bootstrap: need root or sudo to install:$missing" >&2
    exit 1
  fi
  echo "bootstrap: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
# shellcheck disable=SC2086
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" -j "$jobs"
if [ "$with_tests" -eq 1 ]; then
  scripts/install-llama-cpp.sh "$BUILD_DIR"
fi
