#!/usr/bin/env sh
# Regenerates the man page and the shell completions from the command line's
# own definition (vramfit --generate); the tests fail when these copies drift.
# Usage: scripts/generate-docs.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build}/vramfit
"$bin" --generate man > docs/vramfit.1
"$bin" --generate bash > completions/vramfit.bash
"$bin" --generate zsh > completions/_vramfit
"$bin" --generate fish > completions/vramfit.fish
