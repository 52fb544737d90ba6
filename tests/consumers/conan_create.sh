#!/usr/bin/env bash
# `conan create .` offline, in a Conan home of its own under build/ (a fresh machine has none):
# the profile conan/profiles/system takes Eigen from the system ([platform_requires]), no remote
# is asked (-nr), and test_package/ builds and runs the C and C++ consumers against the package.
#
#   tests/consumers/conan_create.sh [CONAN] [JOBS] [extra conan create args, e.g. -o "&:shared=True"]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONAN=${1:-$ROOT/.venv/bin/conan}
JOBS=${2:-2}
shift $(( $# < 2 ? $# : 2 ))
export CONAN_HOME=$ROOT/build/conan-home
export EMBER_TEST_PACKAGE_BUILD_DIR=$ROOT/build/conan-test-package
LOG=$ROOT/build/conan-create.log
cd "$ROOT"
mkdir -p "$CONAN_HOME"
"$CONAN" profile detect --exist-ok > /dev/null 2>&1
# Start from an empty cache entry so old build folders do not pile up run after run.
"$CONAN" remove 'ember/*' -c > /dev/null 2>&1 || true
if ! "$CONAN" create . -pr:a conan/profiles/system -nr -c tools.build:jobs="$JOBS" \
       -c tools.cmake.cmaketoolchain:generator=Ninja "$@" > "$LOG" 2>&1; then
  tail -40 "$LOG"
  echo "conan_create: FAILED (full log: build/conan-create.log)" >&2
  exit 1
fi
grep -E "^Full package reference|consumer_(c|cpp): (ok|ember)" "$LOG" | sed 's/^/  /'
echo "conan_create: ok"
