# The two commands of the quick start:
#   make demo   install what is missing, build, run the bundled digits model
#   make test   install what is missing, build, run every test: doctest and the C checks via
#               ctest, pytest, then the unit tests again under ASan + UBSan (dev preset)
SHELL := /bin/bash
PY := .venv/bin/python
PRESET ?= release
BUILD := build/$(PRESET)
JOBS ?= $(shell nproc)
PYTEST_ARGS ?= -q
# ccache keys on relative paths below the checkout, so clones in other folders share the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps configure build demo test test-unit test-python test-dev clean

all: build

deps:
	bash scripts/install-deps.sh

configure: deps
	cmake --preset $(PRESET) -Dpybind11_DIR="$$($(PY) -m pybind11 --cmakedir)" > /dev/null

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)

demo: build
	PYTHONPATH=$(BUILD)/python $(PY) scripts/demo.py

test-unit: build
	ctest --preset $(PRESET) -j $(JOBS)

test-python: build
	PYTHONPATH=$(BUILD)/python $(PY) -m pytest tests/python $(PYTEST_ARGS)

test: test-unit test-python test-conformance test-packaging test-dev

# The ONNX backend conformance suite (onnx's node tests + light models) through Ember and
# onnxruntime; fails on any Ember crash or wrong result, or fewer passes than the baseline
# (tests/conformance/baseline.json; docs/conformance.md).
.PHONY: test-conformance
test-conformance: build
	PYTHONPATH=$(BUILD)/python $(PY) -m tests.conformance.run --check --jobs $(JOBS) --json $(BUILD)/conformance.json

# Packaging (docs/packaging.md): the C ABI guard and stripped size of libember.so; the installed
# CMake/pkg-config package (shared from this build, static from a library-only build) with the C
# and C++ consumers of tests/consumers/; the wheel in a fresh venv; `conan create` offline.
.PHONY: test-packaging
test-packaging: build
	$(PY) tests/abi/check_abi.py --lib $(BUILD)/libember.so
	$(PY) tests/abi/check_size.py $(BUILD)/libember.so
	rm -rf build/install-test && cmake --install $(BUILD) --prefix build/install-test > /dev/null
	bash tests/consumers/check_install.sh build/install-test build/consumers-shared shared
	cmake -S . -B build/pkg-static -G Ninja -DCMAKE_BUILD_TYPE=Release -DEMBER_BUILD_TESTS=OFF \
	  -DEMBER_BUILD_PYTHON=OFF -DEMBER_BUILD_CLI=OFF -DEMBER_STATIC=ON -DEMBER_INSTALL_SHARED=OFF -DEMBER_WITH_ONEDNN=OFF > /dev/null
	cmake --build build/pkg-static -j $(JOBS) > /dev/null
	rm -rf build/install-static && cmake --install build/pkg-static --prefix build/install-static > /dev/null
	bash tests/consumers/check_install.sh build/install-static build/consumers-static static
	bash tests/consumers/wheel/check_wheel.sh $(PY)
	bash tests/consumers/conan_create.sh .venv/bin/conan $(JOBS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (debug build).
test-dev:
	$(MAKE) PRESET=dev test-unit

clean:
	rm -rf build
