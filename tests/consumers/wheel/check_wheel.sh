#!/usr/bin/env bash
# Builds the Python wheel once (scikit-build-core; CMake build folder build/wheel, ccache) into
# build/dist, installs it into a fresh virtual environment that gets nothing but the wheel and
# numpy, and checks there that `import ember` and the `ember` command run the digits model.
#
#   tests/consumers/wheel/check_wheel.sh [PYTHON]     PYTHON: has scikit-build-core, pybind11,
#                                                      build (default: .venv/bin/python)
# WHEEL_MAX_MB (default 10) is the size limit of the CPU wheel.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
PY=${1:-$ROOT/.venv/bin/python}
DIST=$ROOT/build/dist
VENV=$ROOT/build/wheel-venv
MAX_MB=${WHEEL_MAX_MB:-10}
fail() { echo "check_wheel: FAILED: $*" >&2; exit 1; }

# --no-isolation: build with the project's .venv (scikit-build-core, pybind11 from
# requirements-dev.txt) instead of downloading them into a throw-away environment.
# scikit-build-core sets CC/CXX from Python's sysconfig (gcc/g++) when they are unset; ccache
# keys on the compiler's name, so use CMake's own default (cc/c++, what build/release uses) to
# reuse the release build's objects.
rm -rf "$DIST"
CC=${CC:-cc} CXX=${CXX:-c++} CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
  "$PY" -m build --wheel --no-isolation --outdir "$DIST" "$ROOT" > "$ROOT/build/wheel-build.log" 2>&1 \
  || { tail -40 "$ROOT/build/wheel-build.log"; fail "python -m build --wheel (log: build/wheel-build.log)"; }
WHEEL=$(ls "$DIST"/*.whl)
bytes=$(stat -c %s "$WHEEL")
echo "check_wheel: $(basename "$WHEEL"): $(awk "BEGIN{printf \"%.2f\", $bytes/1e6}") MB (limit $MAX_MB MB)"
awk "BEGIN{exit !($bytes <= $MAX_MB*1e6)}" || fail "the wheel is larger than $MAX_MB MB"
"$PY" -m zipfile -l "$WHEEL" | awk 'NR>1{print "  " $1, $NF}'

# A fresh venv (no system site-packages) with only the wheel and its dependency numpy.
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$WHEEL" \
  || fail "pip install of the wheel into a fresh venv"
pkgs=$("$VENV/bin/python" -m pip list --format=freeze --disable-pip-version-check | grep -v '^pip==' | cut -d= -f1 | sort | tr '\n' ' ')
echo "check_wheel: fresh venv holds: $pkgs"

# Run from an empty folder so nothing of the checkout can be imported by accident.
cd "$(mktemp -d)"
"$VENV/bin/python" "$ROOT/tests/consumers/wheel/check_installed.py" "$ROOT/models" "$VENV/bin/ember" \
  || fail "the installed wheel does not run the digits model"
echo "check_wheel: ok"
