"""ember.verify / `ember verify`: the optimized model's outputs match level 0 (and onnxruntime)
on small hand-built models, the digits CNN and a generated reference model; bad arguments are
errors (exit 2). Naming a deliberately broken rewrite is tested in C++
(tests/unit/opt/verify_test.cc), where a test-only pass can be injected."""
import json

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import ember
from conftest import DIGITS, assert_close, ember_cli




def cleanup_model(path):
    """y = Identity(x) - (c * c) with a Dropout and a Shape->Gather->Unsqueeze->Concat->Reshape
    chain on a symbolic batch: work for every level-1 pass."""
    c = numpy_helper.from_array(np.array([1, 2, 3, 4, 5, 6], np.float32), "c")
    idx = numpy_helper.from_array(np.array(1, np.int64), "idx")
    axes = numpy_helper.from_array(np.array([0], np.int64), "axes")
    minus1 = numpy_helper.from_array(np.array([-1], np.int64), "minus1")
    nodes = [
        helper.make_node("Identity", ["x"], ["xi"]),
        helper.make_node("Mul", ["c", "c"], ["cc"]),
        helper.make_node("Sub", ["xi", "cc"], ["d"]),
        helper.make_node("Dropout", ["d"], ["dd"]),
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Gather", ["shape", "idx"], ["six"]),
        helper.make_node("Unsqueeze", ["six", "axes"], ["six1"]),
        helper.make_node("Concat", ["minus1", "six1"], ["target"], axis=0),
        helper.make_node("Reshape", ["dd", "target"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "cleanup", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [c, idx, axes, minus1])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return str(path)


def test_verify_a_cleanup_model_matches(tmp_path, rng):
    path = cleanup_model(tmp_path / "cleanup.onnx")
    x = rng.standard_normal((3, 6)).astype(np.float32)
    r = ember.verify(path, {"x": x}, threads=1)
    assert r.ok and bool(r)
    assert any(l.startswith("fold_constants: Mul") for l in r.rewrites)
    assert any(l.startswith("remove_noops: Dropout") for l in r.rewrites)
    assert any(l.startswith("fold_shape_subgraphs: Gather") for l in r.rewrites)
    assert [o["name"] for o in r.outputs] == ["y"]
    assert r.outputs[0]["tier"] == "float32" and r.outputs[0]["max_abs"] <= 1e-5
    assert r.first_bad_rewrite is None
    assert "verify: OK" in str(r)
    # The optimized session agrees with onnxruntime too (not only with Ember at level 0).
    (want,) = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"x": x})
    (got,) = ember.Session(path, threads=1).run(None, {"x": x})
    assert_close(got, want, "y")


def test_verify_accepts_bytes_and_random_inputs(tmp_path):
    path = cleanup_model(tmp_path / "cleanup.onnx")
    with open(path, "rb") as f:
        r = ember.verify(f.read(), level=1, rtol=0, atol=0)
    assert r.ok
    assert r.outputs[0]["tier"] == "given" and r.outputs[0]["rtol"] == 0


def test_verify_digits_cnn_every_level(digits_samples):
    images, _ = digits_samples
    for level in (1, 2, 3):
        r = ember.verify(DIGITS, {"input": images[:16]}, level=level, threads=2)
        assert r.ok, str(r)


def test_verify_generated_mobilenet(generated_model):
    r = ember.verify(generated_model("mobilenet_v2"), threads=2)
    assert r.ok, str(r)


def test_verify_errors(tmp_path):
    path = cleanup_model(tmp_path / "cleanup.onnx")
    with pytest.raises(ember.InvalidArgumentError, match="no input 'nope'"):
        ember.verify(path, {"nope": np.zeros(1, np.float32)})
    with pytest.raises(ember.InvalidArgumentError, match="level"):
        ember.verify(path, level=0)
    with pytest.raises(ember.IoError):
        ember.verify(str(tmp_path / "missing.onnx"))
    with pytest.raises(TypeError):
        ember.verify(path, [np.zeros(1)])


def test_cli_verify_text_json_and_exit_codes(tmp_path, rng):
    path = cleanup_model(tmp_path / "cleanup.onnx")
    x = rng.standard_normal((2, 6)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    p = ember_cli("verify", path, "--input", f"x={tmp_path / 'x.npy'}", "--threads", "1")
    assert p.returncode == 0, p.stderr
    assert "verify: OK" in p.stdout and "y: ok" in p.stdout
    p = ember_cli("verify", path, "--json", "--level", "1", "--rtol", "1e-3", "--atol", "0")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["ok"] is True and d["rewrites"] > 0 and d["outputs"][0]["tier"] == "given"
    assert ember_cli("verify", path, "--level", "4").returncode == 2
    assert ember_cli("verify", path, "--rtol", "abc").returncode == 2
    assert ember_cli("verify").returncode == 2
    p = ember_cli("verify", str(tmp_path / "missing.onnx"))
    assert p.returncode == 2 and "error" in p.stderr


def test_cli_verify_npz_feeds(tmp_path, rng):
    path = cleanup_model(tmp_path / "cleanup.onnx")
    x = rng.standard_normal((3, 6)).astype(np.float32)
    np.savez(tmp_path / "feeds.npz", x=x)
    p = ember_cli("verify", path, "--input", str(tmp_path / "feeds.npz"), "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["ok"] is True
    # The archive's arrays are really the feeds: a wrong shape for x is reported (exit 2).
    np.savez(tmp_path / "bad.npz", x=np.zeros((3, 5), np.float32))
    p = ember_cli("verify", path, "--input", str(tmp_path / "bad.npz"))
    assert p.returncode == 2 and "x" in p.stderr
    # Names: unknown inputs and the same input twice are errors.
    np.savez(tmp_path / "other.npz", z=x)
    p = ember_cli("verify", path, "--input", str(tmp_path / "other.npz"))
    assert p.returncode == 2 and "z" in p.stderr
    np.save(tmp_path / "x.npy", x)
    p = ember_cli("verify", path, "--input", str(tmp_path / "feeds.npz"), "--input", f"x={tmp_path / 'x.npy'}")
    assert p.returncode == 2 and "twice" in p.stderr
    p = ember_cli("verify", path, "--input", str(tmp_path / "missing.npz"))
    assert p.returncode == 2 and "missing.npz" in p.stderr
