"""Session creation keeps memory-mapped weights out of the process's resident memory once their
kernels have prepacked them (src/runtime/weight_pages.h): the model's own mapping is dropped
after the optimizer and each node's weights after its kernel is built. Checked on the mapping's
Rss in /proc/self/smaps, for an original model (inline weights) and for its saved optimized form
(64-byte aligned external data, used in place); outputs still match onnxruntime, since a weight
read again at run time faults back in from the page cache."""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import ember
from conftest import assert_close

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")

WEIGHT_KB = (512 * 1024 + 1024 * 512) * 4 // 1024  # W1 and W2


def mapped_rss_kb(path):
    """Resident kB of this process's mappings of `path`, None when it is not mapped."""
    path = os.path.realpath(path)
    total, current = None, False
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()
            if head and "-" in head[0] and not head[0].endswith(":"):
                current = len(head) >= 6 and os.path.realpath(head[5]) == path
            elif current and head[0] == "Rss:":
                total = (total or 0) + int(head[1])
    return total


@pytest.fixture
def mlp(tmp_path, rng):
    """x[4, 512] -> MatMul W1 [512, 1024] + b1 -> Relu -> MatMul W2 [1024, 512] + b2: 4 MiB of
    weights, stored inline (raw_data) by onnx.save."""
    w1 = (rng.standard_normal((512, 1024)) * 0.05).astype(np.float32)
    w2 = (rng.standard_normal((1024, 512)) * 0.05).astype(np.float32)
    b1 = rng.standard_normal(1024).astype(np.float32)
    b2 = rng.standard_normal(512).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h"], name="mm1"),
             helper.make_node("Add", ["h", "b1"], ["hb"], name="add1"),
             helper.make_node("Relu", ["hb"], ["r"], name="relu1"),
             helper.make_node("MatMul", ["r", "W2"], ["z"], name="mm2"),
             helper.make_node("Add", ["z", "b2"], ["y"], name="add2")]
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 512])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 512])],
                              [numpy_helper.from_array(a, n) for a, n in ((w1, "W1"), (w2, "W2"), (b1, "b1"),
                                                                          (b2, "b2"))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path / "mlp.onnx"
    onnx.save(model, str(path))
    x = rng.standard_normal((4, 512)).astype(np.float32)
    want = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    return path, x, want


@pytest.mark.parametrize("level", [1, 3])
@pytest.mark.parametrize("threads", [1, 2])
def test_original_model_mapping_not_resident_after_creation(mlp, level, threads):
    path, x, want = mlp
    s = ember.Session(str(path), threads=threads, optimization=level)
    resident = mapped_rss_kb(path)
    print(f"level {level}: model mapping resident after creation: {resident} kB of {WEIGHT_KB} kB of weights")
    assert resident is not None, "the session no longer maps the model file"
    assert resident < WEIGHT_KB // 8
    assert_close(s.run(None, {"x": x})[0], want, "y", rtol=1e-4, atol=1e-5)
    assert_close(s.run(None, {"x": x})[0], want, "y (second run)", rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("threads", [1, 2])
def test_saved_model_external_data_not_resident_after_creation(mlp, tmp_path, threads):
    path, x, want = mlp
    dst = tmp_path / "saved.onnx"
    res = ember.optimize(str(path), str(dst))
    s = ember.Session(str(dst), threads=threads)
    resident = mapped_rss_kb(res.data_path)
    print(f"saved model: external data resident after creation: {resident} kB of {WEIGHT_KB} kB of weights")
    assert resident is not None, "the session does not map the external data file"
    assert resident < WEIGHT_KB // 8
    assert_close(s.run(None, {"x": x})[0], want, "y", rtol=1e-4, atol=1e-5)
