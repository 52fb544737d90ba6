#!/usr/bin/env bash
# Checks an installed Ember tree (`cmake --install`) the way a host project uses it: the files
# are where docs/packaging.md says, and the C and C++ consumer programs build against it through
# its CMake package (find_package(ember 0.1) -> ember::ember) and through pkg-config, then
# classify two digits with the bundled model.
#
#   tests/consumers/check_install.sh PREFIX WORKDIR [shared|static]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=$(realpath "$1")
WORK=$(realpath -m "$2")
MODE=${3:-shared}
MODEL=$ROOT/models/digits_cnn.onnx
CC=${CC:-cc}
CXX=${CXX:-c++}
fail() { echo "check_install: FAILED: $*" >&2; exit 1; }

rm -rf "$WORK" && mkdir -p "$WORK"
echo "check_install: $PREFIX ($MODE)"
for f in include/ember/ember.h include/ember/ember.hpp lib/cmake/ember/emberConfig.cmake \
         lib/cmake/ember/emberConfigVersion.cmake lib/pkgconfig/ember.pc; do
  [ -f "$PREFIX/$f" ] || fail "missing $f"
done
if [ "$MODE" = static ]; then
  [ -f "$PREFIX/lib/libember.a" ] || fail "missing lib/libember.a"
else
  [ -e "$PREFIX/lib/libember.so" ] && [ -e "$PREFIX/lib/libember.so.0" ] || fail "missing lib/libember.so(.0)"
fi
# The Python extension belongs to the wheel, not to a C/C++ install.
if compgen -G "$PREFIX/ember/_ember*" > /dev/null; then fail "the Python module was installed"; fi

# 1. CMake package
for lang in c cpp; do
  cmake -S "$ROOT/tests/consumers/$lang" -B "$WORK/cmake-$lang" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF > "$WORK/cmake-$lang.log" 2>&1 \
    || { cat "$WORK/cmake-$lang.log"; fail "configuring the $lang consumer with find_package(ember)"; }
  cmake --build "$WORK/cmake-$lang" > "$WORK/build-$lang.log" 2>&1 \
    || { cat "$WORK/build-$lang.log"; fail "building the $lang consumer (CMake)"; }
  "$WORK/cmake-$lang/consumer_$lang" "$MODEL" || fail "consumer_$lang (CMake) failed"
done
# A version the package does not offer must be refused.
mkdir -p "$WORK/badversion"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(v LANGUAGES NONE)\nfind_package(ember 9.0 REQUIRED)\n' \
  > "$WORK/badversion/CMakeLists.txt"
if cmake -S "$WORK/badversion" -B "$WORK/badversion/build" -DCMAKE_PREFIX_PATH="$PREFIX" \
     > "$WORK/badversion.log" 2>&1; then
  fail "find_package(ember 9.0) succeeded against the installed package"
fi

# 2. pkg-config
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
pc_static=""; [ "$MODE" = static ] && pc_static="--static"
pkg-config --exists 'ember >= 0.1' || fail "pkg-config does not find ember >= 0.1"
cflags=$(pkg-config --cflags ember)
libs=$(pkg-config --libs $pc_static ember)
libdir=$(pkg-config --variable=libdir ember)
echo "check_install: pkg-config ember $(pkg-config --modversion ember): $cflags $libs"
$CC -std=c99 -pedantic -Wall -Wextra -Werror $cflags "$ROOT/tests/consumers/c/main.c" $libs \
  -Wl,-rpath,"$libdir" -o "$WORK/pc-consumer_c" || fail "building the C consumer (pkg-config)"
$CXX -std=c++17 -pedantic -Wall -Wextra -Werror $cflags "$ROOT/tests/consumers/cpp/main.cpp" $libs \
  -Wl,-rpath,"$libdir" -o "$WORK/pc-consumer_cpp" || fail "building the C++ consumer (pkg-config)"
"$WORK/pc-consumer_c" "$MODEL" || fail "consumer_c (pkg-config) failed"
"$WORK/pc-consumer_cpp" "$MODEL" || fail "consumer_cpp (pkg-config) failed"
echo "check_install: ok ($MODE: CMake and pkg-config consumers, C and C++)"
