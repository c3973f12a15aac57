#!/usr/bin/env sh
# The configurations CI runs beside the README's: clang with ASan+UBSan (and
# warnings as errors) running every test plus each fuzzer for
# VRAMFIT_FUZZ_SECONDS (default 60), gcc with warnings as errors, and
# clang-tidy over every source.
set -eu
cd "$(dirname "$0")/.."
seconds=${VRAMFIT_FUZZ_SECONDS:-60}

EXTRA_PACKAGES="clang libclang-rt-dev" BUILD_DIR=build-asan \
CMAKE_ARGS="-DCMAKE_CXX_COMPILER=clang++ -DVRAMFIT_SANITIZE=address;undefined -DVRAMFIT_FUZZ=ON -DVRAMFIT_FUZZ_SECONDS=$seconds -DVRAMFIT_WARNINGS_AS_ERRORS=ON" \
  scripts/bootstrap.sh
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j 2

EXTRA_PACKAGES="clang-tidy" BUILD_DIR=build-werror CMAKE_ARGS="-DVRAMFIT_WARNINGS_AS_ERRORS=ON" scripts/bootstrap.sh

# clang-tidy (.clang-tidy: its checks, warnings as errors) over every source of
# the library and the CLI, with the -Werror build's compile commands.
# shellcheck disable=SC2046
run-clang-tidy -p build-werror -quiet -j "$(nproc 2>/dev/null || echo 2)" $(git ls-files 'src/*.cpp') >build-werror/clang-tidy.log 2>&1 ||
  { grep -E "warning:|error:" build-werror/clang-tidy.log; echo "ci-extra: clang-tidy found problems" >&2; exit 1; }
echo "ci-extra: clang-tidy clean ($(git ls-files 'src/*.cpp' | wc -l) sources)"
