"""cpu_backend=native|onednn|auto all match onnxruntime on a small conv model.

A build without oneDNN (the wheel) must refuse cpu_backend=onednn with an UnsupportedError that
names the option; any other failure, or a wrong answer, fails the test.
"""
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import ember
from conftest import assert_close


def conv_model(seed=7):
    """Conv 3x3 (pad 1) + Relu, a grouped strided Conv (group 2, stride 2), a pointwise Conv
    without bias, Flatten and Gemm, on odd spatial sizes (9 x 11)."""
    rng = np.random.default_rng(seed)

    def init(name, shape):
        return numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), name)

    inits = [init("w1", (8, 3, 3, 3)), init("b1", (8,)), init("w2", (8, 4, 3, 3)), init("b2", (8,)),
             init("w3", (5, 8, 1, 1)), init("wg", (5 * 5 * 6, 10)), init("bg", (10,))]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], group=2, strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["c2", "w3"], ["c3"]),
        helper.make_node("Flatten", ["c3"], ["f"]),
        helper.make_node("Gemm", ["f", "wg", "bg"], ["y"]),
    ]
    graph = helper.make_graph(nodes, "cpu_backend_conv",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 9, 11])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("backend", ["native", "onednn", "auto"])
def test_cpu_backends_match_onnxruntime(backend, threads):
    model = conv_model()
    x = np.random.default_rng(11).standard_normal((2, 3, 9, 11)).astype(np.float32)
    (expected,) = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, {"x": x})
    try:
        session = ember.Session(model, threads=threads, cpu_backend=backend)
    except ember.UnsupportedError as e:
        assert backend == "onednn" and "cpu_backend=onednn" in str(e), str(e)
        return  # a build without oneDNN (EMBER_WITH_ONEDNN=OFF): refused, naming the option
    (actual,) = session.run(None, {"x": x})
    assert_close(actual, expected, f"y ({backend}, {threads} threads)")


def test_unknown_cpu_backend_is_refused():
    with pytest.raises(ember.InvalidArgumentError, match="cpu_backend"):
        ember.Session(conv_model(), cpu_backend="mkl")
