#!/usr/bin/env sh
# Formats every C++ file of the project with clang-format (.clang-format), or
# with --check reports the files that are not formatted and exits 1.
#   scripts/format.sh [--check]
set -eu
cd "$(dirname "$0")/.."
mode=${1:-}
if ! command -v clang-format >/dev/null 2>&1; then
  echo "format: clang-format is not installed (apt-get install clang-format)" >&2
  exit 2
fi
files=$(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/fuzz/corpus/' || true)
if [ "$mode" = "--check" ]; then
  bad=""
  for f in $files; do
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then
      bad="$bad $f"
    fi
  done
  if [ -n "$bad" ]; then
    echo "format: not formatted (run scripts/format.sh):$bad" >&2
    exit 1
  fi
  echo "format: $(echo "$files" | wc -w) files formatted"
  exit 0
fi
# shellcheck disable=SC2086
clang-format --style=file -i $files
