"""Damaged model files must give an EmberError, never a crash or another exception.

Each batch of damaged copies is loaded in a child process, so a segfault or abort shows up as
a test failure naming the file that caused it instead of killing pytest.
"""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import DIGITS, ROOT

CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import ember
    for path in sys.argv[1:]:
        print("loading", path, flush=True)  # the last line names the culprit of a crash
        try:
            s = ember.Session(path, threads=1)
            s.run(None, {"input": np.zeros((2, 1, 8, 8), np.float32)})
            print("result ok", path, flush=True)
        except ember.EmberError as e:
            print("result", type(e).__name__, e.status, path, flush=True)
""")


def run_child(paths):
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", os.path.join(ROOT, "build", "release", "python"))
    proc = subprocess.run([sys.executable, "-c", CHILD, *paths], capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, (
        f"child exited with {proc.returncode} (negative: killed by a signal)\n"
        f"--- stdout (last lines)\n{proc.stdout[-2000:]}\n--- stderr\n{proc.stderr[-3000:]}")
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("result "):
            parts = line.split(" ")
            results[parts[-1]] = parts[1]
    assert set(results) == set(paths), proc.stdout[-2000:]
    return results


def test_truncated_models_raise_invalid_model(tmp_path):
    raw = open(DIGITS, "rb").read()
    cuts = sorted({0, 1, 2, 7, 64, 500} | {int(len(raw) * f) for f in np.linspace(0.05, 0.999, 24)})
    paths = []
    for cut in cuts:
        p = tmp_path / f"truncated_{cut}.onnx"
        p.write_bytes(raw[:cut])
        paths.append(str(p))
    results = run_child(paths)
    wrong = {p: r for p, r in results.items() if r != "InvalidModelError"}
    assert not wrong, f"truncated models not rejected as InvalidModelError: {wrong}"


def test_bit_flipped_models_never_crash(tmp_path, rng):
    raw = np.frombuffer(open(DIGITS, "rb").read(), np.uint8)
    paths = []
    # The header (graph structure, names, attributes) is where flips do interesting damage;
    # flips inside the float weights just change numbers. Bias the positions towards it.
    for i in range(48):
        damaged = raw.copy()
        limit = 2048 if i % 2 == 0 else len(raw)
        for pos in rng.integers(0, limit, int(rng.integers(1, 4))):
            damaged[pos] ^= np.uint8(1 << int(rng.integers(0, 8)))
        p = tmp_path / f"flipped_{i}.onnx"
        p.write_bytes(damaged.tobytes())
        paths.append(str(p))
    results = run_child(paths)
    # "ok" is allowed (a flipped weight bit is still a valid model); anything else was an
    # EmberError subclass, since other exceptions make the child exit non-zero.
    assert all(r == "ok" or r.endswith("Error") for r in results.values()), results


@pytest.mark.parametrize("junk", [b"\x00" * 100, b"\xff" * 100, b"\x0a\xff\xff\xff\xff\x0f", os.urandom(4096)],
                         ids=["zeros", "ones", "huge-length", "random"])
def test_garbage_files(tmp_path, junk):
    p = tmp_path / "junk.onnx"
    p.write_bytes(junk)
    results = run_child([str(p)])
    assert results[str(p)] != "ok"
