"""`ember prune` / ember.prune against onnxruntime: pruned models stay valid ONNX that
onnxruntime runs, Ember's outputs on them match onnxruntime's, the weights removed are the ones
magnitude / L1 norm pick (recomputed here in numpy), structured pruning keeps output shapes and,
when only dead channels go, the outputs themselves (onnxruntime on both models), and the sparse
ai.ember form gives the dense pruned model's results."""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import ember
from conftest import DIGITS, assert_close, ember_cli


def ort_run(path, feeds):
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return s.run(None, feeds)


def weights(path):
    m = onnx.load(path)
    return {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}, m


def node_weight(path, node_name, index=1):
    w, m = weights(path)
    node = next(n for n in m.graph.node if n.name == node_name)
    return w[node.input[index]]


@pytest.fixture
def eval_npz(tmp_path, digits_samples):
    """The held-out digits as an evaluation set (np.savez: input + label)."""
    images, labels = digits_samples
    path = tmp_path / "eval.npz"
    np.savez(path, input=images, label=labels)
    return path


def prune_cli(tmp_path, *args, model=DIGITS, name="out.onnx"):
    out = tmp_path / name
    r = ember_cli("prune", model, out, *args, "--json", "--runs", "3")
    assert r.returncode == 0, r.stderr
    return out, json.loads(r.stdout)


def test_structured_digits_keeps_largest_l1_filters_and_runs_in_onnxruntime(tmp_path, digits_samples, eval_npz):
    images, labels = digits_samples
    out, rep = prune_cli(tmp_path, "--sparsity", "0.5", "--structured", "--eval", eval_npz)
    w0, _ = weights(DIGITS)
    keep1 = np.sort(np.argsort(-np.abs(w0["conv1.w"]).sum(axis=(1, 2, 3)), kind="stable")[:4])
    keep2 = np.sort(np.argsort(-np.abs(w0["conv2.w"]).sum(axis=(1, 2, 3)), kind="stable")[:8])
    np.testing.assert_array_equal(node_weight(out, "conv1"), w0["conv1.w"][keep1])
    np.testing.assert_array_equal(node_weight(out, "conv1", 2), w0["conv1.b"][keep1])
    np.testing.assert_array_equal(node_weight(out, "conv2"), w0["conv2.w"][keep2][:, keep1])
    feat = (keep2[:, None] * 16 + np.arange(16)[None, :]).reshape(-1)  # pool output 16 x 4 x 4
    np.testing.assert_array_equal(node_weight(out, "fc1"), w0["fc1.w"][:, feat])
    onnx.checker.check_model(onnx.load(str(out)), full_check=True)
    (y_ort,) = ort_run(str(out), {"input": images})
    assert y_ort.shape == (len(images), 10)
    (y_ember,) = ember.Session(str(out)).run(None, {"input": images})
    assert_close(y_ember, y_ort, "logits")
    (y_orig,) = ort_run(DIGITS, {"input": images})
    assert rep["before"]["accuracy"] == pytest.approx(np.mean(y_orig.argmax(1) == labels))
    assert rep["after"]["accuracy"] == pytest.approx(np.mean(y_ort.argmax(1) == labels))
    assert rep["eval_samples"] == len(labels)
    assert rep["after"]["params"] < rep["before"]["params"]
    assert rep["after"]["flops"] < rep["before"]["flops"]
    assert {l["name"]: l["removed"] for l in rep["layers"]} == {"conv1": 4, "conv2": 8}


@pytest.mark.parametrize("mode", [[], ["--global"]])
def test_unstructured_exact_sparsity_and_onnxruntime_agrees(tmp_path, digits_samples, mode):
    images, _ = digits_samples
    out, rep = prune_cli(tmp_path, "--sparsity", "0.7", *mode)
    w0, m0 = weights(DIGITS)
    w1, _ = weights(str(out))
    names = [n.input[1] for n in m0.graph.node if n.op_type in ("Conv", "Gemm")]
    if mode:
        allw = np.concatenate([np.abs(w0[n]).ravel() for n in names])
        assert sum(int((w1[n] == 0).sum()) for n in names) == int(np.floor(0.7 * allw.size))
        thr = np.sort(allw)[int(np.floor(0.7 * allw.size)) - 1]
        for n in names:  # everything strictly below the threshold went, everything above stayed
            assert np.all(w1[n][np.abs(w0[n]) < thr] == 0)
            assert np.all(w1[n][np.abs(w0[n]) > thr] == w0[n][np.abs(w0[n]) > thr])
    else:
        for n in names:
            assert int((w1[n] == 0).sum()) == int(np.floor(0.7 * w0[n].size)), n
    (y_ort,) = ort_run(str(out), {"input": images[:64]})
    (y_ember,) = ember.Session(str(out)).run(None, {"input": images[:64]})
    assert_close(y_ember, y_ort, "logits")
    assert rep["after"]["nonzero_params"] < rep["before"]["nonzero_params"]


def test_sparse_ops_match_the_dense_pruned_model_in_onnxruntime(tmp_path, rng):
    # A model whose 1x1 convolutions and MatMul are big enough to be pruned to 90 %.
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 48, 9, 7])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 24])
    init = [numpy_helper.from_array(rng.standard_normal(s).astype(np.float32), n) for n, s in
            [("w1", (64, 48, 1, 1)), ("b1", (64,)), ("w2", (32, 64, 1, 1)), ("wm", (32 * 63, 24))]]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="c1"),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("Conv", ["r1", "w2"], ["c2"], name="c2"),
             helper.make_node("Flatten", ["c2"], ["f"], axis=1),
             helper.make_node("MatMul", ["f", "wm"], ["y"], name="mm")]
    src = tmp_path / "m.onnx"
    onnx.save(helper.make_model(helper.make_graph(nodes, "g", [x], [y], init),
                                opset_imports=[helper.make_opsetid("", 17)]), str(src))
    dense, _ = prune_cli(tmp_path, "--sparsity", "0.9", model=src, name="dense.onnx")
    sparse, rep = prune_cli(tmp_path, "--sparsity", "0.9", "--sparse-ops", model=src, name="sparse.onnx")
    assert sorted(rep["sparse_ops"]) == ["c1", "c2", "mm"]
    assert [n.op_type for n in onnx.load(str(sparse)).graph.node].count("SparseMatMul") == 3
    assert rep["after"]["file_bytes"] < rep["before"]["file_bytes"] / 2
    feeds = {"x": rng.standard_normal((2, 48, 9, 7)).astype(np.float32)}
    (want,) = ort_run(str(dense), feeds)
    for threads in (1, 2):
        (got,) = ember.Session(str(sparse), threads=threads).run(None, feeds)
        assert_close(got, want, "y", rtol=1e-3, atol=1e-3)


def resnet_like(rng, dead_frac=0.0):
    """stem conv-BN-relu, a basic residual block, a projection block, a depthwise conv, a
    Concat with a side branch, GAP -> Flatten -> Gemm. With dead_frac, the first
    floor(dead_frac * C) channels of every convolution have zero filters and biases (and every
    BN maps them to 0): they are exactly zero everywhere, so removing them changes nothing."""
    inits, nodes = [], []

    def const(name, a):
        inits.append(numpy_helper.from_array(np.asarray(a, np.float32), name))
        return name

    def conv(name, x, cin, cout, k, group=1, stride=1):
        w = rng.standard_normal((cout, cin // group, k, k)).astype(np.float32) * 0.3
        b = rng.standard_normal(cout).astype(np.float32) * 0.1
        w[:int(dead_frac * cout)] = 0
        b[:int(dead_frac * cout)] = 0
        nodes.append(helper.make_node("Conv", [x, const(name + ".w", w), const(name + ".b", b)], [name], name=name,
                                      kernel_shape=[k, k], pads=[k // 2] * 4, group=group, strides=[stride] * 2))
        return name

    def bn(name, x, c):
        mean, beta = rng.standard_normal(c) * 0.1, rng.standard_normal(c) * 0.1
        mean[:int(dead_frac * c)] = 0
        beta[:int(dead_frac * c)] = 0
        nodes.append(helper.make_node("BatchNormalization", [x, const(name + ".g", rng.uniform(0.5, 1.5, c)),
                                      const(name + ".beta", beta), const(name + ".m", mean),
                                      const(name + ".v", rng.uniform(0.5, 1.5, c))], [name], name=name))
        return name

    def op(kind, ins, name, **attrs):
        nodes.append(helper.make_node(kind, ins, [name], name=name, **attrs))
        return name

    s = op("Relu", [bn("bn0", conv("stem", "x", 3, 16, 3), 16)], "r0")
    h = op("Relu", [bn("bn1", conv("b1c1", s, 16, 12, 3), 12)], "b1r1")
    h = bn("bn2", conv("b1c2", h, 12, 16, 3), 16)
    s = op("Relu", [op("Add", [s, h], "add1")], "r1")          # ties stem and b1c2
    p = conv("proj", s, 16, 24, 1, stride=2)
    h = op("Relu", [conv("b2c1", s, 16, 24, 3, stride=2)], "b2r1")
    s = op("Relu", [op("Add", [p, conv("b2c2", h, 24, 24, 3)], "add2")], "r2")
    d = op("Relu", [conv("dw", s, 24, 24, 3, group=24)], "dwr")
    side = op("Relu", [conv("side", s, 24, 8, 1)], "sr")
    c = op("Concat", [d, side], "cat", axis=1)
    g = op("Flatten", [op("GlobalAveragePool", [c], "gap")], "flat", axis=1)
    op("Gemm", [g, const("fc.w", rng.standard_normal((10, 32)) * 0.3), const("fc.b", np.zeros(10))], "y", transB=1)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 16, 16])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])
    return helper.make_model(helper.make_graph(nodes, "resnet_like", [x], [y], inits),
                             opset_imports=[helper.make_opsetid("", 17)])


def test_structured_resnet_like_rewired_model_runs_in_onnxruntime(tmp_path, rng):
    src = tmp_path / "r.onnx"
    onnx.save(resnet_like(rng), str(src))
    out, rep = prune_cli(tmp_path, "--sparsity", "0.5", "--structured", model=src)
    onnx.checker.check_model(onnx.load(str(out)), full_check=True)
    feeds = {"x": rng.standard_normal((3, 3, 16, 16)).astype(np.float32)}
    (want,) = ort_run(str(out), feeds)
    assert want.shape == (3, 10)
    (got,) = ember.Session(str(out)).run(None, feeds)
    assert_close(got, want, "y")
    removed = {l["name"]: (l["removed"], l["total"]) for l in rep["layers"]}
    assert removed == {"stem + b1c2": (8, 16), "b1c1": (6, 12), "proj + b2c2": (12, 24), "b2c1": (12, 24),
                       "side": (4, 8)}    # residual partners pruned together; dw follows proj + b2c2
    assert node_weight(out, "dw").shape == (12, 1, 3, 3)
    assert rep["after"]["flops"] < rep["before"]["flops"]


def test_structured_dead_channels_only_leaves_outputs_unchanged_in_onnxruntime(tmp_path, rng):
    src = tmp_path / "r.onnx"
    onnx.save(resnet_like(rng, dead_frac=0.25), str(src))
    out, rep = prune_cli(tmp_path, "--sparsity", "0.25", "--structured", model=src)
    assert all(l["removed"] == l["total"] // 4 for l in rep["layers"]), rep["layers"]
    w0, _ = weights(str(src))
    np.testing.assert_array_equal(node_weight(out, "stem"), w0["stem.w"][4:])
    feeds = {"x": rng.standard_normal((2, 3, 16, 16)).astype(np.float32)}
    (want,) = ort_run(str(src), feeds)
    (got,) = ort_run(str(out), feeds)
    assert_close(got, want, "y", rtol=1e-4, atol=1e-5)
    assert rep["after"]["params"] < rep["before"]["params"]


def test_python_prune_returns_the_report(tmp_path, eval_npz):
    rep = ember.prune(DIGITS, tmp_path / "p.onnx", sparsity=0.5, structured=True, eval=eval_npz, runs=3)
    assert rep["mode"] == "structured" and rep["eval_samples"] == 359
    assert os.path.exists(tmp_path / "p.onnx")
    with pytest.raises(ember.InvalidArgumentError):
        ember.prune(DIGITS, tmp_path / "q.onnx", sparsity=1.5)


def test_cli_errors(tmp_path):
    r = ember_cli("prune", DIGITS, tmp_path / "o.onnx")
    assert r.returncode == 2 and "--sparsity" in r.stderr
    r = ember_cli("prune", DIGITS, tmp_path / "o.onnx", "--sparsity", "0.5", "--structured", "--global")
    assert r.returncode == 2
    r = ember_cli("prune", DIGITS, tmp_path / "o.onnx", "--sparsity", "abc")
    assert r.returncode == 2
    r = ember_cli("prune", tmp_path / "missing.onnx", tmp_path / "o.onnx", "--sparsity", "0.5")
    assert r.returncode == 1 and "missing.onnx" in r.stderr
    assert not os.path.exists(tmp_path / "o.onnx")
    r = ember_cli("prune", DIGITS, tmp_path / "o.onnx", "--sparsity", "0.5", "--eval", tmp_path / "none.npz")
    assert r.returncode == 1 and "none.npz" in r.stderr
