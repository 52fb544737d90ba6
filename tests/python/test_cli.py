"""The `ember` command line through `python -m ember` (the same code as the console script)."""

import numpy as np
import onnxruntime as ort

from conftest import DIGITS, assert_close, ember_cli




def test_help_lists_commands():
    p = ember_cli("--help")
    assert p.returncode == 0, p.stderr
    for cmd in ("run", "bench", "inspect"):
        assert cmd in p.stdout


def test_no_arguments_is_a_usage_error():
    p = ember_cli()
    assert p.returncode == 2
    assert "usage" in p.stderr.lower()


def test_version():
    p = ember_cli("--version")
    assert p.returncode == 0 and "0.1.0" in p.stdout


def test_inspect_digits():
    p = ember_cli("inspect", DIGITS)
    assert p.returncode == 0, p.stderr
    for word in ("input", "logits", "Conv", "Gemm"):
        assert word in p.stdout, f"{word!r} missing from:\n{p.stdout}"


def test_run_digits_writes_outputs_matching_onnxruntime(tmp_path, rng):
    x = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    p = ember_cli("run", DIGITS, "--input", f"input={tmp_path / 'x.npy'}", "--output-dir", tmp_path / "out")
    assert p.returncode == 0, p.stderr
    got = np.load(tmp_path / "out" / "logits.npy")
    want = ort.InferenceSession(DIGITS, providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    assert_close(got, want, "logits.npy")


def test_bench_digits():
    p = ember_cli("bench", DIGITS, "--iterations", 5, "--warmup", 1)
    assert p.returncode == 0, p.stderr
    assert "median" in p.stdout.lower()


def test_missing_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "missing.onnx"
    p = ember_cli("run", missing, "--random-inputs", "--no-save")
    assert p.returncode == 1
    assert "ember: error:" in p.stderr and "missing.onnx" in p.stderr


def test_garbage_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x0a\xff\xff\xff\xff\x0f garbage")
    p = ember_cli("inspect", bad)
    assert p.returncode == 1
    assert "ember: error:" in p.stderr


def test_unknown_command_and_option():
    p = ember_cli("frobnicate")
    assert p.returncode == 2 and "frobnicate" in p.stderr
    p = ember_cli("run", DIGITS, "--no-such-option")
    assert p.returncode == 2 and "--no-such-option" in p.stderr
