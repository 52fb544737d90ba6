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

test: test-unit test-python test-conformance test-dev

# The ONNX backend conformance suite (onnx's node tests + light models) through Ember and
# onnxruntime; fails on any Ember crash or wrong result, or fewer passes than the baseline
# (tests/conformance/baseline.json; docs/conformance.md).
.PHONY: test-conformance
test-conformance: build
	PYTHONPATH=$(BUILD)/python $(PY) -m tests.conformance.run --check --jobs $(JOBS) --json $(BUILD)/conformance.json

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (debug build).
test-dev:
	$(MAKE) PRESET=dev test-unit

clean:
	rm -rf build
