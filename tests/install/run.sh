#!/usr/bin/env bash
# End-to-end check of the install rules (cmake/install.cmake):
#
#   tests/install/run.sh PREFIX_DIR SOURCE_DIR BUILD_DIR
#
# 1. configures SOURCE_DIR into BUILD_DIR (Release, no tests, no benchmarks), builds
#    and installs into PREFIX_DIR;
# 2. builds and runs tests/install/consumer against PREFIX_DIR with CMake
#    (find_package(vramfit CONFIG), vramfit::vramfit);
# 3. builds and runs the same main.cpp with `c++ $(pkg-config --cflags --libs vramfit)`;
# 4. checks the installed tree (binary, headers, CMake package, .pc file);
# 5. runs `cpack -G DEB` in BUILD_DIR and checks the .deb's Depends and contents.
#
# PREFIX_DIR must be empty, missing, or a prefix this script made before (it is wiped).
# Extra configure arguments: CMAKE_ARGS="-DBUILD_SHARED_LIBS=ON" tests/install/run.sh ...
# Needs: cmake, a C++ compiler, pkg-config, dpkg-deb (and the build's own packages).
set -euo pipefail

die() {
  echo "install-test: FAIL: $*" >&2
  exit 1
}
step() {
  echo "install-test: == $* ($(($(date +%s) - start))s)"
}

[ $# -eq 3 ] || die "usage: $0 PREFIX_DIR SOURCE_DIR BUILD_DIR"
start=$(date +%s)
here=$(cd "$(dirname "$0")" && pwd)
consumer_src="$here/consumer"
[ -f "$consumer_src/CMakeLists.txt" ] || die "no consumer project at $consumer_src"

mkdir -p "$1" "$3" || die "cannot create $1 or $3"
prefix=$(cd "$1" && pwd)
source_dir=$(cd "$2" 2>/dev/null && pwd) || die "SOURCE_DIR $2 does not exist"
build_dir=$(cd "$3" && pwd)
[ -f "$source_dir/CMakeLists.txt" ] || die "SOURCE_DIR $source_dir has no CMakeLists.txt"
if [ "$prefix" = "/" ] || [ "$prefix" = "$source_dir" ] || [ "$prefix" = "$build_dir" ]; then
  die "PREFIX_DIR must be a directory of its own (got $prefix)"
fi

for tool in cmake cpack c++ dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
command -v pkg-config >/dev/null 2>&1 ||
  die "pkg-config is not installed (Debian: apt-get install pkg-config)"

# A stale prefix would let the checks below pass on old files.
marker="$prefix/.vramfit-install-test"
if [ -n "$(ls -A "$prefix")" ]; then
  [ -f "$marker" ] || die "PREFIX_DIR $prefix is not empty and was not made by this script; refusing to wipe it"
  find "$prefix" -mindepth 1 -delete
fi
touch "$marker"

jobs=$(nproc 2>/dev/null || echo 2)

# --- 1. build and install ---------------------------------------------------------
step "configure $source_dir -> $build_dir"
# shellcheck disable=SC2086
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
  -DVRAMFIT_BUILD_TESTS=OFF -DVRAMFIT_BUILD_BENCH=OFF \
  -DCMAKE_INSTALL_PREFIX="$prefix" ${CMAKE_ARGS:-} >"$build_dir/install-test-configure.log" 2>&1 ||
  { cat "$build_dir/install-test-configure.log" >&2; die "configuring $source_dir failed"; }
step "build (-j $jobs)"
cmake --build "$build_dir" -j "$jobs" || die "building $build_dir failed"
step "install -> $prefix"
cmake --install "$build_dir" --prefix "$prefix" >"$build_dir/install-test-install.log" ||
  { cat "$build_dir/install-test-install.log" >&2; die "cmake --install failed"; }

# --- 2. the CMake consumer ------------------------------------------------------------
step "consumer: find_package(vramfit CONFIG)"
consumer_build="$build_dir/install-test-consumer"
rm -rf "$consumer_build"
# Only this prefix: a vramfit installed on the system (/usr, /usr/local) must not satisfy it.
cmake -S "$consumer_src" -B "$consumer_build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF ||
  die "configuring the consumer against $prefix failed (find_package(vramfit CONFIG))"
found_dir=$(sed -n 's/^vramfit_DIR:PATH=//p' "$consumer_build/CMakeCache.txt")
case "$found_dir" in
  "$prefix"/*) ;;
  *) die "the consumer found vramfit in '$found_dir', not under $prefix" ;;
esac
cmake --build "$consumer_build" -j "$jobs" || die "building the consumer (vramfit::vramfit) failed"
"$consumer_build/vramfit_consumer" || die "the CMake-built consumer's checks failed"

# --- 3. the pkg-config consumer ---------------------------------------------------------
step "consumer: pkg-config"
pc_file=$(find "$prefix" -path '*/pkgconfig/vramfit.pc' | head -n 1)
[ -n "$pc_file" ] || die "no pkgconfig/vramfit.pc under $prefix"
PKG_CONFIG_PATH="$(dirname "$pc_file")${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
pc_flags=$(pkg-config --cflags --libs vramfit) || die "pkg-config --cflags --libs vramfit failed"
echo "pkg-config --cflags --libs vramfit: $pc_flags"
pc_incdir=$(pkg-config --variable=includedir vramfit)
[ -f "$pc_incdir/vramfit/input/parse.hpp" ] || die "vramfit.pc's includedir ($pc_incdir) has no vramfit/input/parse.hpp"
# shellcheck disable=SC2086
c++ -std=c++20 -o "$build_dir/install-test-pkgconfig-consumer" "$consumer_src/main.cpp" $pc_flags ||
  die "compiling main.cpp with \$(pkg-config --cflags --libs vramfit) failed"
if ls "$prefix"/lib*/libvramfit_core.so* >/dev/null 2>&1; then
  # A shared libvramfit_core is not on the loader's path; the .pc file does not add an rpath.
  LD_LIBRARY_PATH="$(pkg-config --variable=libdir vramfit)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    "$build_dir/install-test-pkgconfig-consumer" || die "the pkg-config-built consumer's checks failed"
else
  "$build_dir/install-test-pkgconfig-consumer" || die "the pkg-config-built consumer's checks failed"
fi

# --- 4. the installed tree ----------------------------------------------------------------
step "installed tree"
[ -x "$prefix/bin/vramfit" ] || die "$prefix/bin/vramfit is missing"
"$prefix/bin/vramfit" --version >/dev/null || die "$prefix/bin/vramfit --version failed"
src_headers=$(cd "$source_dir/include" && find vramfit -name '*.hpp' | sort)
inst_headers=$(cd "$prefix/include" 2>/dev/null && find vramfit -name '*.hpp' | sort) || true
[ -n "$src_headers" ] || die "no headers under $source_dir/include/vramfit"
[ "$src_headers" = "$inst_headers" ] ||
  die "installed headers differ from include/vramfit: $(diff <(echo "$src_headers") <(echo "$inst_headers") | grep '^[<>]' | head -5 | tr '\n' ' ')"
config=$(find "$prefix" -path '*/cmake/vramfit/vramfit-config.cmake' | head -n 1)
[ -n "$config" ] || die "no lib/cmake/vramfit/vramfit-config.cmake under $prefix"
[ -f "$(dirname "$config")/vramfit-config-version.cmake" ] || die "vramfit-config-version.cmake is missing"
case "$config" in "$prefix"/lib*/cmake/vramfit/vramfit-config.cmake) ;; *) die "unexpected config location $config" ;; esac
case "$pc_file" in "$prefix"/lib*/pkgconfig/vramfit.pc) ;; *) die "unexpected .pc location $pc_file" ;; esac
ls "$prefix"/lib*/libvramfit_core.* >/dev/null 2>&1 || die "no libvramfit_core.* under $prefix/lib*"
for f in docs/vramfit.1:share/man/man1/vramfit.1 \
  completions/vramfit.bash:share/bash-completion/completions/vramfit \
  completions/_vramfit:share/zsh/site-functions/_vramfit \
  completions/vramfit.fish:share/fish/vendor_completions.d/vramfit.fish; do
  if [ -f "$source_dir/${f%%:*}" ] && [ ! -f "$prefix/${f#*:}" ]; then
    # Installed only if the file existed when BUILD_DIR was configured.
    die "${f%%:*} exists but $prefix/${f#*:} was not installed (reconfigure $build_dir?)"
  fi
done

# --- 5. the .deb -----------------------------------------------------------------------------
step "cpack -G DEB"
rm -f "$build_dir"/vramfit_*.deb
(cd "$build_dir" && cpack -G DEB) >"$build_dir/install-test-cpack.log" 2>&1 ||
  { cat "$build_dir/install-test-cpack.log" >&2; die "cpack -G DEB failed"; }
deb=$(find "$build_dir" -maxdepth 1 -name 'vramfit_*.deb' | head -n 1)
[ -n "$deb" ] || die "cpack made no vramfit_*.deb in $build_dir"
info=$(dpkg-deb -I "$deb") || die "dpkg-deb -I $deb failed"
depends=$(printf '%s\n' "$info" | sed -n 's/^ Depends: //p')
[ -n "$depends" ] || die "$deb declares no Depends"
case "$depends" in *libc6*) ;; *) die "$deb's Depends ($depends) does not name libc6" ;; esac
if readelf -d "$prefix/bin/vramfit" 2>/dev/null | grep -q 'NEEDED.*libfmt'; then
  case "$depends" in *libfmt*) ;; *) die "bin/vramfit needs libfmt but $deb's Depends ($depends) does not name it" ;; esac
fi
contents=$(dpkg-deb -c "$deb") || die "dpkg-deb -c $deb failed"
for want in '/bin/vramfit$' '/include/vramfit/input/parse\.hpp$' '/cmake/vramfit/vramfit-config\.cmake$' '/pkgconfig/vramfit\.pc$'; do
  printf '%s\n' "$contents" | grep -q " \./usr.*$want" || die "$deb does not contain ${want%\$}"
done
echo "install-test: $(basename "$deb"): Depends: $depends"

step "all checks passed"
