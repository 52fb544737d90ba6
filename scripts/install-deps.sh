#!/usr/bin/env bash
# Installs everything a fresh machine lacks to build and test Ember:
#  - Debian packages for the C++ build (compiler tools, Eigen, doctest, ccache);
#  - a project-local Python virtual environment (.venv) with the build and test packages.
# Safe to run repeatedly: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# libdnnl-dev's CMake config requires OpenCL (Debian builds oneDNN with the OpenCL GPU runtime) but
# the package does not depend on the OpenCL headers or loader: without them configure fails.
APT_PACKAGES=(cmake ninja-build g++ make pkg-config ccache libeigen3-dev doctest-dev libsimde-dev python3-dev zlib1g-dev libdnnl-dev ocl-icd-opencl-dev opencl-headers)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "install-deps: creating .venv"
  "$PY" -m venv .venv
fi
# Lower bounds (exact pins where a baseline depends on them); the stamp file avoids re-resolving on every `make`.
REQ=scripts/requirements-dev.txt
STAMP=.venv/.deps-stamp
if [ ! -f "$STAMP" ] || ! cmp -s "$REQ" "$STAMP"; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$REQ"
  cp "$REQ" "$STAMP"
fi
echo "install-deps: ok"
