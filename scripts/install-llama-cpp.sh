#!/usr/bin/env sh
# Installs llama.cpp for the conformance suite: the npm package node-llama-cpp
# (pinned, per platform, in tests/conformance/linux-<arch>/package-lock.json),
# whose prebuilt CPU binaries run on this machine without compiling, and a
# second copy holding only the baseline CPU variant (no extra buffers), for
# the runs with AMX / CPU_REPACK disabled. Needs Node.js 20+ and npm; on
# Debian the distribution's nodejs is tried when node is missing.
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

case "$(uname -m)" in
  x86_64 | amd64) platform=linux-x64 baseline=libggml-cpu-x64.so ;;
  aarch64 | arm64) platform=linux-arm64 baseline=libggml-cpu-armv8.0_1.so ;;
  *)
    echo "install-llama-cpp: no prebuilt llama.cpp for $(uname -m); the conformance suite will be skipped" >&2
    exit 0
    ;;
esac
pins="tests/conformance/$platform"

mkdir -p "$dest"
want=$(node -p "require('./$pins/package.json').dependencies['node-llama-cpp']")
have=""
if [ -f "$dest/node_modules/node-llama-cpp/package.json" ] && [ -f "$dest/node_modules/@node-llama-cpp/$platform/package.json" ]; then
  have=$(node -p "require('./$dest/node_modules/node-llama-cpp/package.json').version")
fi
if [ "$have" != "$want" ]; then
  echo "install-llama-cpp: installing node-llama-cpp $want ($platform) into $dest"
  rm -rf "$dest/node_modules" "$dest/baseline"
  cp "$pins/package.json" "$pins/package-lock.json" "$dest/"
  # Only the CPU binaries for this platform (pinned as a direct dependency);
  # the CUDA/Vulkan variants are optional dependencies and are left out.
  (cd "$dest" && npm ci --omit=optional --no-audit --no-fund --loglevel=error)
fi

# The baseline copy: the same package with every CPU variant but the baseline
# one removed, so llama.cpp's loader can pick no CPU with repack kernels.
if [ ! -f "$dest/baseline/.complete" ]; then
  rm -rf "$dest/baseline"
  mkdir -p "$dest/baseline"
  cp -R "$dest/node_modules" "$dest/baseline/node_modules"
  bins="$dest/baseline/node_modules/@node-llama-cpp/$platform/bins/$platform"
  if [ ! -f "$bins/$baseline" ]; then
    echo "install-llama-cpp: $bins/$baseline not found" >&2
    exit 1
  fi
  for lib in "$bins"/libggml-cpu-*.so; do
    [ "$(basename "$lib")" = "$baseline" ] || rm -f "$lib"
  done
  echo "$want" >"$dest/baseline/.complete"
fi
