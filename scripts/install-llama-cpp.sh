#!/usr/bin/env sh
# Installs llama.cpp for the conformance suite: the npm package node-llama-cpp
# (pinned in tests/conformance/package.json), whose prebuilt CPU binaries run
# on this machine without compiling. Needs Node.js 20+ and npm; on Debian the
# distribution's nodejs is tried when node is missing.
#
#   scripts/install-llama-cpp.sh [BUILD_DIR]     installs into BUILD_DIR/conformance (default build)
set -eu

cd "$(dirname "$0")/.."
BUILD_DIR=${1:-${BUILD_DIR:-build}}
dest="$BUILD_DIR/conformance"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "install-llama-cpp: installing nodejs npm"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm || true
  fi
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "install-llama-cpp: node and npm are not available; the conformance suite will be skipped" >&2
  exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "install-llama-cpp: node-llama-cpp needs Node.js 20+, found $(node --version); the conformance suite will be skipped" >&2
  exit 0
fi

mkdir -p "$dest"
cp tests/conformance/package.json tests/conformance/package-lock.json "$dest/"
want=$(node -p 'require("./tests/conformance/package.json").dependencies["node-llama-cpp"]')
if [ -f "$dest/node_modules/node-llama-cpp/package.json" ] &&
   [ "$(node -p "require('./$dest/node_modules/node-llama-cpp/package.json').version")" = "$want" ]; then
  exit 0
fi
echo "install-llama-cpp: installing node-llama-cpp into $dest"
# Only the CPU binaries for linux-x64 (pinned as a direct dependency); the
# CUDA/Vulkan variants are optional dependencies and are left out.
(cd "$dest" && npm ci --omit=optional --no-audit --no-fund --loglevel=error)
