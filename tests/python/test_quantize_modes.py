"""ember.quantize's dynamic INT8, weight-only int8/int4 and fp16 modes on a small transformer-like
MatMul model: closeness to the float32 model (onnxruntime on the original file), and the
quantized files in onnxruntime vs Ember."""
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import ember
from conftest import assert_close, ember_cli

HIDDEN, FF, SEQ = 96, 200, 24  # 200: not a multiple of the weight-only block, a partial last block


def transformer_block(path, rng, opset=17):
    """x [B, SEQ, HIDDEN] -> LayerNorm (decomposed, ReduceMean with an axes attribute at opset 17)
    -> MatMul + bias -> Relu -> MatMul + bias -> residual Add -> Gemm head on the first token."""
    w = lambda *s: (rng.standard_normal(s) / np.sqrt(s[0])).astype(np.float32)  # noqa: E731
    inits = [numpy_helper.from_array(a, n) for n, a in [
        ("w1", w(HIDDEN, FF)), ("b1", (0.1 * rng.standard_normal(FF)).astype(np.float32)),
        ("w2", w(FF, HIDDEN)), ("b2", (0.1 * rng.standard_normal(HIDDEN)).astype(np.float32)),
        ("wh", w(16, HIDDEN)), ("bh", np.zeros(16, np.float32)), ("eps", np.array(1e-5, np.float32)),
        ("idx", np.array(0, np.int64))]]
    nodes = [
        helper.make_node("ReduceMean", ["x"], ["mu"], axes=[-1]),
        helper.make_node("Sub", ["x", "mu"], ["xc"]),
        helper.make_node("Mul", ["xc", "xc"], ["sq"]),
        helper.make_node("ReduceMean", ["sq"], ["var"], axes=[-1]),
        helper.make_node("Add", ["var", "eps"], ["ve"]),
        helper.make_node("Sqrt", ["ve"], ["sd"]),
        helper.make_node("Div", ["xc", "sd"], ["h"]),
        helper.make_node("MatMul", ["h", "w1"], ["m1"]),
        helper.make_node("Add", ["m1", "b1"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["r1"]),
        helper.make_node("MatMul", ["r1", "w2"], ["m2"]),
        helper.make_node("Add", ["m2", "b2"], ["a2"]),
        helper.make_node("Add", ["a2", "x"], ["y"]),
        helper.make_node("Gather", ["y", "idx"], ["first"], axis=1),
        helper.make_node("Gemm", ["first", "wh", "bh"], ["head"], transB=1),
    ]
    g = helper.make_graph(nodes, "block", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", SEQ, HIDDEN])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["B", SEQ, HIDDEN]),
                           helper.make_tensor_value_info("head", TensorProto.FLOAT, ["B", 16])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))
    return str(path)


def ort_outputs(path, x, optimize=True):
    so = ort.SessionOptions()
    if not optimize:
        # onnxruntime's graph optimizer turns DequantizeLinear(int8 weight) -> MatMul into a
        # product that quantizes the float activation too (error ~1e-2 here, measured against
        # a float64 numpy product); unoptimized it computes what the file says.
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"]).run(None, {"x": x})


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture
def model_and_input(tmp_path, rng):
    path = transformer_block(tmp_path / "block.onnx", rng)
    return path, rng.standard_normal((2, SEQ, HIDDEN)).astype(np.float32)


def check_matches_ember(path, x, rtol, atol_frac, ort_optimize=True):
    """The quantized file: onnxruntime and Ember (1 and 2 threads) agree on it."""
    theirs = ort_outputs(path, x, ort_optimize)
    for threads in (1, 2):
        ours = ember.Session(str(path), threads=threads).run(None, {"x": x})
        for name, a, b in zip(("y", "head"), ours, theirs):
            assert_close(a, b, f"{name} (threads={threads})", rtol=rtol, atol=atol_frac * np.abs(b).max())


@pytest.mark.parametrize("per_channel", [False, True])
def test_dynamic_int8_stays_close_to_float(tmp_path, model_and_input, per_channel):
    path, x = model_and_input
    out = tmp_path / "dyn.onnx"
    # 7-bit weights so that onnxruntime's AVX2 u8 x s8 kernels do not saturate (see test_quantize.py).
    res = ember.quantize(path, out, dynamic=True, per_channel=per_channel, reduce_range=True, runs=3, progress=False)
    assert res.ops_after.get("MatMulInteger") == 3 and res.ops_after.get("DynamicQuantizeLinear") == 3
    assert "MatMul" not in res.ops_after and "Gemm" not in res.ops_after
    ref = ort_outputs(path, x)
    got = ember.Session(str(out)).run(None, {"x": x})
    for name, a, b in zip(("y", "head"), got, ref):
        c = cosine(a, b)
        print(f"{name}: cosine {c:.5f}")
        assert c >= 0.99, f"{name}: cosine {c}"
    # Integer products agree exactly; DynamicQuantizeLinear's rounding of x / scale at a tie
    # may differ by one step between engines, hence a small tolerance.
    check_matches_ember(out, x, rtol=1e-3, atol_frac=1e-2)


@pytest.mark.parametrize("bits,block", [("int4", 32), ("int4", 64), ("int8", 32)])
def test_weight_only_stays_close_to_float(tmp_path, model_and_input, bits, block):
    path, x = model_and_input
    out = tmp_path / f"wo_{bits}.onnx"
    r = ember_cli("quantize", path, out, "--weight-only", bits, "--block-size", block, "--runs", "2", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ops_after"]["DequantizeLinear"] == 3 and report["ops_after"]["MatMul"] == 2
    m = onnx.load(str(out))
    onnx.checker.check_model(m, full_check=True)
    assert {o.domain: o.version for o in m.opset_import}[""] == 21  # upgraded from 17 (ReduceMean axes -> input)
    q = {t.name: t for t in m.graph.initializer if t.data_type in (TensorProto.INT4, TensorProto.INT8)}
    assert len(q) == 3 and all(t.data_type == (TensorProto.INT4 if bits == "int4" else TensorProto.INT8)
                               for t in q.values())
    ref = ort_outputs(path, x)
    got = ember.Session(str(out)).run(None, {"x": x})
    for name, a, b in zip(("y", "head"), got, ref):
        c = cosine(a, b)
        err = np.abs(a - b).max() / np.abs(b).max()
        print(f"{bits}/{block} {name}: cosine {c:.6f}, max error {err:.4f} of max |y|")
        # int4 has 15 levels per block ([-7, 7] * scale): each weight is off by up to 1/14 of
        # its block's largest, and three quantized layers feed `head` (measured: cosine 0.992-0.997).
        assert c >= (0.99 if bits == "int4" else 0.9999)
        assert err < (0.25 if bits == "int4" else 0.01)
    # Both engines dequantize the same weights to float and multiply in float.
    check_matches_ember(out, x, rtol=1e-4, atol_frac=1e-5, ort_optimize=False)


def test_weight_only_int4_file_is_smaller(tmp_path, model_and_input):
    path, _ = model_and_input
    r8 = ember.quantize(path, tmp_path / "w8.onnx", weight_only="int8", runs=0, progress=False)
    r4 = ember.quantize(path, tmp_path / "w4.onnx", weight_only="int4", runs=0, progress=False)
    print(r8.bytes_before, r8.bytes_after, r4.bytes_after)
    assert r4.bytes_after < r8.bytes_after < r8.bytes_before / 2


def test_fp16_file_is_about_half(tmp_path, model_and_input):
    path, x = model_and_input
    out = tmp_path / "h.onnx"
    res = ember.quantize(path, out, fp16=True, runs=2, progress=False)
    ratio = res.bytes_after / res.bytes_before
    print(f"fp16 file: {res.bytes_before} -> {res.bytes_after} bytes ({ratio:.3f})")
    assert 0.45 < ratio < 0.6
    m = onnx.load(str(out))
    onnx.checker.check_model(m, full_check=True)
    assert sum(t.data_type == TensorProto.FLOAT16 for t in m.graph.initializer) == 3  # w1, w2, wh (>= 1 KiB)
    ref = ort_outputs(path, x)
    got = ember.Session(str(out)).run(None, {"x": x})
    for name, a, b in zip(("y", "head"), got, ref):
        assert_close(a, b, name, rtol=1e-2, atol=1e-2 * np.abs(b).max())
    check_matches_ember(out, x, rtol=1e-4, atol_frac=1e-5)


def test_weight_only_refuses_an_old_opset(tmp_path, rng):
    path = transformer_block(tmp_path / "old.onnx", rng, opset=12)
    with pytest.raises(ember.UnsupportedError, match="opset >= 13"):
        ember.quantize(path, tmp_path / "q.onnx", weight_only="int4", progress=False)
    assert not (tmp_path / "q.onnx").exists()


def test_nothing_to_quantize_is_an_error(tmp_path):
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    r = ember_cli("quantize", path, tmp_path / "q.onnx", "--dynamic")
    assert r.returncode == 1 and "nothing to quantize" in r.stderr
