"""Shared fixtures of the Python test suite.

The `ember` package is imported from PYTHONPATH (the Makefile sets build/release/python); the
large reference models are generated once by scripts/make_models.py into models/generated and
reused by later runs (delete the folder to regenerate).
"""
import os
import subprocess
import sys
import zlib

import numpy as np
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = os.path.join(ROOT, "models")
GENERATED = os.path.join(MODELS, "generated")
DIGITS = os.path.join(MODELS, "digits_cnn.onnx")
DIGITS_SAMPLES = os.path.join(MODELS, "digits_samples.npz")
sys.path.insert(0, os.path.join(ROOT, "scripts"))

try:
    import ember  # noqa: F401
except ImportError as e:  # fail loudly: a skipped suite would hide a broken build
    raise ImportError(f"cannot import ember ({e}); build it and set PYTHONPATH=build/<preset>/python") from e


def ember_cli(*args, cwd=None, timeout=600):
    """Runs `python -m ember ARGS...` with the ember package this test session imported (an
    absolute PYTHONPATH: the Makefile's may be relative, and `cwd` may be elsewhere)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__)))
    return subprocess.run([sys.executable, "-m", "ember", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, env=env)


@pytest.fixture(scope="session")
def generated_model():
    """Returns a function name -> path of models/generated/NAME.onnx, building it if missing."""
    def get(name):
        path = os.path.join(GENERATED, f"{name}.onnx")
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make_models.py"), "--only", name],
                           check=True)
        return path
    return get


@pytest.fixture
def rng(request):
    """A seeded generator; the seed (EMBER_TEST_SEED, or derived from the test name) is printed
    so a failure can be replayed."""
    seed = int(os.environ.get("EMBER_TEST_SEED", zlib.crc32(request.node.nodeid.encode())))
    print(f"seed = {seed} (replay with EMBER_TEST_SEED={seed})")
    return np.random.default_rng(seed)


@pytest.fixture(scope="session")
def digits_samples():
    data = np.load(DIGITS_SAMPLES)
    return data["images"], data["labels"]


def assert_close(actual, expected, name, rtol=1e-3, atol=1e-4):
    """np.testing-style comparison whose message names the output and the worst element."""
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
    assert actual.dtype == expected.dtype, f"{name}: dtype {actual.dtype} != {expected.dtype}"
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bound = atol + rtol * np.abs(expected.astype(np.float64))
    bad = ~(diff <= bound)  # NaN counts as bad
    if bad.any():
        idx = np.unravel_index(np.argmax(np.where(bad, diff, -1)), diff.shape)
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {diff.size} elements differ beyond rtol={rtol} atol={atol}; "
            f"worst at {idx}: ember {actual[idx]!r} vs onnxruntime {expected[idx]!r} (|diff| {diff[idx]:.3g}); "
            f"max |diff| {np.nanmax(diff):.3g}")
