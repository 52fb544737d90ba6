"""Models quantized by onnxruntime's own tool run on Ember's int8 kernels and match onnxruntime.

A small CNN (Conv 3x3 + Relu, grouped strided Conv, pointwise Conv, MatMul) is quantized with
onnxruntime.quantization.quantize_static in the QOperator format (QLinearConv, QLinearMatMul,
QuantizeLinear / DequantizeLinear at the edges) and in the QDQ format, per tensor and per channel;
a transformer-like MatMul stack is quantized with quantize_dynamic (DynamicQuantizeLinear +
MatMulInteger + scale Mul). Ember runs each at 1 and 2 threads with cpu_backend=native, and the
profile must show the int8 ops on the u8s8 GEMM kernels (not the reference loops). Under
EMBER_ISA=avx2 (a child process) the 7-bit weights must take the narrow vpmaddubsw entry.

The models are quantized with reduce_range=True (7-bit weights): onnxruntime's own AVX2 u8s8
kernels use vpmaddubsw, whose int16 pair sums saturate with full-range int8 weights, so on an
AVX2 machine without VNNI onnxruntime itself departs from the ONNX formula for such models (by up
to several quantization steps; Ember does not, see the last test, which checks full-range weights
against the ONNX formula in numpy). Tolerance: onnxruntime requantizes in float32 and Ember in
double (equal to the ONNX reference ops), so a value within float rounding of a .5 tie may round
the other way: at most one step of the final output's quantization, on at most 1% of the
elements (in the runs so far all outputs matched exactly).
"""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic,
                                      quantize_static)

import ember

INT8_OPS = {"QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger", "ai.ember.MatMulIntegerToFloat"}


def cnn_model(seed=3):
    rng = np.random.default_rng(seed)

    def init(name, shape, scale=0.3):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    inits = [init("w1", (8, 3, 3, 3)), init("b1", (8,)), init("w2", (8, 4, 3, 3)), init("b2", (8,)),
             init("w3", (6, 8, 1, 1)), init("wm", (6 * 5 * 6, 10), 0.1), init("shape", (2,))]
    inits[-1] = numpy_helper.from_array(np.array([0, -1], np.int64), "shape")
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], group=2, strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["c2", "w3"], ["c3"]),
        helper.make_node("Reshape", ["c3", "shape"], ["f"]),
        helper.make_node("MatMul", ["f", "wm"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "int8_cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 9, 11])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def mlp_model(seed=5):
    rng = np.random.default_rng(seed)

    def init(name, shape, scale):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    inits = [init("w1", (64, 96), 0.15), init("b1", (96,), 0.1), init("w2", (96, 48), 0.1), init("b2", (48,), 0.1)]
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["m1"]),
        helper.make_node("Add", ["m1", "b1"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["r1"]),
        helper.make_node("MatMul", ["r1", "w2"], ["m2"]),
        helper.make_node("Add", ["m2", "b2"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "int8_mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 17, 64])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 17, 48])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


class Feeds(CalibrationDataReader):
    def __init__(self, xs):
        self.it = iter([{"x": x} for x in xs])

    def get_next(self):
        return next(self.it, None)


def output_step(path):
    """The quantization step of the value feeding the graph output (the last DequantizeLinear's
    scale), or None for a float output (dynamic quantization)."""
    m = onnx.load(path)
    inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    out = m.graph.output[0].name
    for n in m.graph.node:
        if n.op_type == "DequantizeLinear" and n.output[0] == out:
            return float(np.max(inits[n.input[1]]))
    return None


def kernels_used(path, feeds, threads, tmp_path):
    trace = tmp_path / f"trace_{threads}.json"
    s = ember.Session(path, threads=threads, cpu_backend="native", profile=str(trace))
    (y,) = s.run(None, feeds)
    del s  # the trace is written when the session ends
    events = [e for e in json.loads(trace.read_text())["traceEvents"] if e.get("ph") == "X" and "args" in e
              and "op" in e["args"]]
    return y, {e["args"]["op"]: e["args"]["kernel"] for e in events}


def compare(path, feeds, tmp_path, step, name):
    (want,) = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, feeds)
    for threads in (1, 2):
        got, used = kernels_used(path, feeds, threads, tmp_path)
        int8 = {op: k for op, k in used.items() if op in INT8_OPS}
        assert all("u8s8_gemm" in k for k in int8.values()), f"{name}: int8 ops not on the int8 kernels: {used}"
        assert got.shape == want.shape and got.dtype == want.dtype
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        unit = step if step else max(1e-6, float(np.abs(want).max()) / 127)
        steps = diff / unit
        off = np.count_nonzero(steps > 0.5)
        print(f"{name}, {threads} threads: max {steps.max():.2f} steps, {off} of {diff.size} elements off; {int8}")
        assert steps.max() <= 1.0 + 1e-6, f"{name}: max |diff| {diff.max():.3g} = {steps.max():.2f} steps of {unit:.3g}"
        assert off <= 0.01 * diff.size, f"{name}: {off} of {diff.size} elements differ"
    return used


def cpu_has_avx2():
    try:
        with open("/proc/cpuinfo") as f:
            return " avx2" in f.read()
    except OSError:
        return False


# Run in a child process: EMBER_ISA is read once per process.
NARROW_CHILD = """
import json, sys, numpy as np, ember
path, x_path, y_path, trace = sys.argv[1:5]
s = ember.Session(path, threads=1, cpu_backend="native", profile=trace)
(y,) = s.run(None, {"x": np.load(x_path)})
del s
np.save(y_path, y)
events = json.load(open(trace))["traceEvents"]
print(json.dumps({e["args"]["op"]: e["args"]["kernel"] for e in events
                  if e.get("ph") == "X" and "op" in e.get("args", {})}))
"""


@pytest.mark.skipif(not cpu_has_avx2(), reason="needs an AVX2 CPU")
def test_reduce_range_weights_run_on_the_narrow_avx2_kernels(tmp_path, rng):
    """Under EMBER_ISA=avx2, 7-bit weights (reduce_range) are packed for the vpmaddubsw entry
    (u8s8_gemm_6x16__avx2_7bit; chosen per weight matrix at session creation), activations are
    packed by it too, and the outputs still match onnxruntime's (same tolerance as above)."""
    src, dst = tmp_path / "cnn.onnx", tmp_path / "cnn_q7.onnx"
    onnx.save(cnn_model(), src)
    calib = [rng.standard_normal((2, 3, 9, 11)).astype(np.float32) for _ in range(8)]
    quantize_static(str(src), str(dst), Feeds(calib), quant_format=QuantFormat.QOperator, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    op_types_to_quantize=["Conv", "MatMul"], reduce_range=True)
    x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    env = dict(os.environ, EMBER_ISA="avx2",
               PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(ember.__file__))))
    r = subprocess.run([sys.executable, "-c", NARROW_CHILD, str(dst), str(tmp_path / "x.npy"),
                        str(tmp_path / "y.npy"), str(tmp_path / "trace.json")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    used = json.loads(r.stdout.strip().splitlines()[-1])
    assert used.get("QLinearConv", "").endswith("u8s8_gemm_6x16__avx2_7bit"), used
    assert used.get("QLinearMatMul", "").endswith("u8s8_gemm_6x16__avx2_7bit"), used
    (want,) = ort.InferenceSession(str(dst), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    got = np.load(tmp_path / "y.npy")
    steps = np.abs(got.astype(np.float64) - want.astype(np.float64)) / output_step(str(dst))
    assert steps.max() <= 1.0 + 1e-6 and np.count_nonzero(steps > 0.5) <= 0.01 * steps.size, steps.max()


@pytest.mark.parametrize("fmt", ["qoperator", "qdq"])
@pytest.mark.parametrize("per_channel", [False, True])
def test_static_quantized_cnn_matches_onnxruntime(tmp_path, rng, fmt, per_channel):
    src, dst = tmp_path / "cnn.onnx", tmp_path / f"cnn_{fmt}_{per_channel}.onnx"
    onnx.save(cnn_model(), src)
    calib = [rng.standard_normal((2, 3, 9, 11)).astype(np.float32) for _ in range(8)]
    quantize_static(str(src), str(dst), Feeds(calib),
                    quant_format=QuantFormat.QOperator if fmt == "qoperator" else QuantFormat.QDQ,
                    per_channel=per_channel, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    op_types_to_quantize=["Conv", "MatMul"], reduce_range=True)
    ops = {n.op_type for n in onnx.load(dst).graph.node}
    if fmt == "qoperator":
        assert {"QLinearConv", "QLinearMatMul"} <= ops, ops
    else:
        assert {"QuantizeLinear", "DequantizeLinear"} <= ops, ops
    x = rng.standard_normal((2, 3, 9, 11)).astype(np.float32)
    used = compare(str(dst), {"x": x}, tmp_path, output_step(str(dst)), f"cnn {fmt} per_channel={per_channel}")
    if fmt == "qoperator":
        assert {"QLinearConv", "QLinearMatMul"} <= set(used), used
    else:  # QDQ: float ops between the native per-tensor QuantizeLinear / DequantizeLinear
        assert used["QuantizeLinear"].startswith("quantize_linear"), used


def test_full_range_int8_weights_follow_the_onnx_formula(rng):
    """QLinearMatMul with full-range int8 weights and activations near 255 (pairs whose sum
    overflows int16, where a naive vpmaddubsw saturates) equals the ONNX formula computed in
    numpy with int64 sums, at 1 and 2 threads."""
    M, K, N = 37, 300, 53
    w = rng.integers(-128, 128, (K, N)).astype(np.int8)
    w[:, :5] = -128
    xs, ws, ys = np.float32(0.02), np.float32(0.004), np.float32(0.9)
    inits = [numpy_helper.from_array(np.array(xs), "as"), numpy_helper.from_array(np.array(7, np.uint8), "az"),
             numpy_helper.from_array(w, "b"), numpy_helper.from_array(np.array(ws), "bs"),
             numpy_helper.from_array(np.array(0, np.int8), "bz"), numpy_helper.from_array(np.array(ys), "ys"),
             numpy_helper.from_array(np.array(128, np.uint8), "yz")]
    node = helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"])
    graph = helper.make_graph([node], "qmm", [helper.make_tensor_value_info("a", TensorProto.UINT8, [M, K])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT8, [M, N])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    a = rng.integers(0, 256, (M, K)).astype(np.uint8)
    a[:3] = 255
    acc = (a.astype(np.int64) - 7) @ w.astype(np.int64)
    mult = np.float64(np.float32(np.float32(xs * ws) / ys))
    want = np.clip(np.rint(acc * mult) + 128, 0, 255).astype(np.uint8)
    for threads in (1, 2):
        (got,) = ember.Session(model.SerializeToString(), threads=threads, cpu_backend="native").run(None, {"a": a})
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("per_channel", [False, True])
def test_dynamic_quantized_matmuls_match_onnxruntime(tmp_path, rng, per_channel):
    src, dst = tmp_path / "mlp.onnx", tmp_path / f"mlp_dyn_{per_channel}.onnx"
    onnx.save(mlp_model(), src)
    quantize_dynamic(str(src), str(dst), per_channel=per_channel, weight_type=QuantType.QInt8, reduce_range=True)
    ops = {n.op_type for n in onnx.load(dst).graph.node}
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= ops, ops
    x = rng.standard_normal((3, 17, 64)).astype(np.float32)
    used = compare(str(dst), {"x": x}, tmp_path, None, f"mlp dynamic per_channel={per_channel}")
    assert used.get("DynamicQuantizeLinear") == "dynamic_quantize_linear", used
    # MatMulInteger -> Cast -> Mul -> Add became ai.ember MatMulIntegerToFloat (the int32 product is
    # scaled in the GEMM's epilogue); no Cast is left.
    assert used.get("ai.ember.MatMulIntegerToFloat", "").startswith("matmul_integer_to_float:u8s8_gemm"), used
    assert "Cast" not in used and "MatMulInteger" not in used, used


def test_fused_dynamic_int8_model_saves_and_reloads(tmp_path, rng):
    """`ember optimize` writes the fused ai.ember MatMulIntegerToFloat nodes; the saved file reloads
    and computes what the quantized file computes (same kernels: bit for bit)."""
    src, q, opt = tmp_path / "mlp.onnx", tmp_path / "mlp_dyn.onnx", tmp_path / "mlp_dyn_opt.onnx"
    onnx.save(mlp_model(), src)
    quantize_dynamic(str(src), str(q), per_channel=True, weight_type=QuantType.QInt8, reduce_range=True)
    ember.optimize(q, opt, level=2)
    saved = onnx.load(str(opt))
    fused = [n for n in saved.graph.node if n.domain == "ai.ember" and n.op_type == "MatMulIntegerToFloat"]
    assert len(fused) == 2 and not any(n.op_type in ("MatMulInteger", "Cast") for n in saved.graph.node)
    x = rng.standard_normal((3, 17, 64)).astype(np.float32)
    (want,) = ember.Session(str(q), threads=1, cpu_backend="native").run(None, {"x": x})
    (got,) = ember.Session(str(opt), threads=1, cpu_backend="native").run(None, {"x": x})
    np.testing.assert_array_equal(got, want)
