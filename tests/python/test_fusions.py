"""Fusion passes end to end: the generated reference models (small variants for speed) at
optimization level 3 against onnxruntime, and the fused node counts `ember inspect --optimized`
reports for them (ResNet: no BatchNormalization left; BERT: one Attention per layer)."""
import os
import re
import subprocess
import sys

import numpy as np
import onnxruntime as ort
import pytest

import ember
import make_models
from conftest import assert_close
from onnx_builders import save_model


def optimized_op_counts(path, level=3):
    """Op histogram of the optimized graph, parsed from `ember inspect MODEL --optimized`."""
    out = subprocess.run([sys.executable, "-m", "ember", "inspect", path, "--optimized", "--level", str(level)],
                         check=True, capture_output=True, text=True, env=dict(os.environ)).stdout
    section = out.split("\nnodes: ", 1)[1].split("\n\n", 1)[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^  (\S+): (\d+)$", section, re.M)}


def compare_with_onnxruntime(path, feeds, rtol=1e-3, atol=1e-4):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    expected = sess.run(None, feeds)
    actual = ember.Session(path, optimization=3, threads=2).run(None, feeds)
    for name, a, e in zip(names, actual, expected):
        assert_close(a, e, name, rtol=rtol, atol=atol)
        assert np.isfinite(a).all()


@pytest.fixture
def small_images(monkeypatch):
    """The CNN generators at 64x64 instead of 224x224 (the graphs are the same)."""
    monkeypatch.setattr(make_models, "IMAGE_SHAPE", [1, 3, 64, 64])
    return [1, 3, 64, 64]


def test_resnet50_fuses_every_batch_norm_and_matches_onnxruntime(tmp_path, rng, small_images):
    path = str(tmp_path / "resnet50_64.onnx")
    save_model(make_models.resnet50(), path)
    counts = optimized_op_counts(path)
    assert "BatchNormalization" not in counts and "Relu" not in counts and "Add" not in counts, counts
    # 53 convolutions: every one but the 4 downsample branches takes an activation or the residual.
    assert counts.get("ai.ember.FusedConv") == 49 and counts.get("Conv") == 4, counts
    compare_with_onnxruntime(path, {"input": rng.standard_normal(small_images).astype(np.float32)})


def test_mobilenet_v2_fuses_relu6_and_residuals_and_matches_onnxruntime(tmp_path, rng, small_images):
    path = str(tmp_path / "mobilenet_v2_64.onnx")
    save_model(make_models.mobilenet_v2(), path)
    counts = optimized_op_counts(path)
    assert "BatchNormalization" not in counts and "Clip" not in counts and "Add" not in counts, counts
    # 52 convolutions; only the 7 projections without a residual stay plain Conv.
    assert counts.get("ai.ember.FusedConv") == 45 and counts.get("Conv") == 7, counts
    compare_with_onnxruntime(path, {"input": rng.standard_normal(small_images).astype(np.float32)})


def test_small_bert_fuses_attention_and_matches_onnxruntime(tmp_path, rng):
    layers, seq = 2, 16
    path = str(tmp_path / "bert_2x16.onnx")
    save_model(make_models.bert_base(layers=layers, hidden=64, heads=4, seq=seq, ffn=128), path)
    counts = optimized_op_counts(path)
    assert counts.get("ai.ember.Attention") == layers, counts
    # Two per layer, and the embeddings' Add + LayerNormalization.
    assert counts.get("ai.ember.SkipLayerNormalization") == 2 * layers + 1, counts
    # Q, K, V as one (fuse_qkv), output, FFN in (Gelu as its activation), FFN out per layer,
    # and the pooler.
    assert counts.get("ai.ember.FusedMatMul") == 4 * layers + 1, counts
    for gone in ("Softmax", "Erf", "ReduceMean", "Transpose", "Reshape", "MatMul"):
        assert gone not in counts, counts
    ids = rng.integers(0, make_models.BERT_VOCAB, (1, seq), dtype=np.int64)
    mask = np.ones((1, seq), dtype=np.int64)
    mask[:, seq - 5:] = 0
    compare_with_onnxruntime(path, {"input_ids": ids, "attention_mask": mask})


def test_bert_base_has_twelve_attention_nodes(generated_model):
    counts = optimized_op_counts(generated_model("bert_base"))
    assert counts.get("ai.ember.Attention") == 12, counts
    assert counts.get("ai.ember.SkipLayerNormalization") == 25, counts


def test_level_one_fuses_nothing(tmp_path):
    path = str(tmp_path / "bert_1.onnx")
    save_model(make_models.bert_base(layers=1, hidden=32, heads=2, seq=8, ffn=64), path)
    counts = optimized_op_counts(path, level=1)
    assert not any(op.startswith("ai.ember.") for op in counts), counts


def sdpa_attention_model(seq=6, heads=2, head_dim=4, dynamo=False):
    """One self-attention block as PyTorch exports scaled_dot_product_attention (Hugging Face
    BERT): Q and K^T each scaled by 1/sqrt(sqrt(Dh)), a boolean mask turned into 0 / -inf by
    Where, and Where(IsNaN(p), 0, p) after the Softmax. dynamo: as torch.onnx.export(dynamo=True)
    writes it: K^T through Reshape [B*H, T, D] -> Transpose -> Reshape [B, H, D, T], the mask's
    minimum float instead of -inf."""
    from onnx import TensorProto, helper, numpy_helper
    hidden = heads * head_dim
    rng = np.random.default_rng(5)
    inits, nodes = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def heads_of(which, perm):
        w = const(which + "_w", rng.uniform(-0.5, 0.5, (hidden, hidden)).astype(np.float32))
        b = const(which + "_b", rng.uniform(-0.1, 0.1, hidden).astype(np.float32))
        p = node("Add", [b, node("MatMul", ["x", w], which + "_mm")], which + "_add")
        r = node("Reshape", [p, const(which + "_shape", np.array([1, seq, heads, head_dim], np.int64))], which + "_r")
        return node("Transpose", [r], which + "_t", perm=perm)

    quarter = const("quarter", np.array(1.0 / np.sqrt(np.sqrt(head_dim)), np.float32))
    q = node("Mul", [heads_of("q", [0, 2, 1, 3]), quarter], "q_scaled")
    if dynamo:
        k = node("Reshape", [heads_of("k", [0, 2, 1, 3]), const("k_merge", np.array([-1, seq, head_dim], np.int64))], "k_m")
        k = node("Transpose", [k], "k_mt", perm=[0, 2, 1])
        k = node("Reshape", [k, const("k_split", np.array([1, heads, head_dim, seq], np.int64))], "k_split_r")
    else:
        k = heads_of("k", [0, 2, 3, 1])
    kt = node("Mul", [k, quarter], "k_scaled")
    v = heads_of("v", [0, 2, 1, 3])
    lowest = np.finfo(np.float32).min if dynamo else -np.inf
    bias = node("Where", ["keep", const("zero", np.array([0.0], np.float32)),
                          const("mask_fill", np.array([lowest], np.float32))], "mask_bias")
    p = node("Softmax", [node("Add", [node("MatMul", [q, kt], "scores"), bias], "masked")], "probs", axis=-1)
    p = node("Where", [node("IsNaN", [p], "probs_nan"), const("zero_p", np.array([0.0], np.float32)), p], "probs_guarded")
    y = node("Transpose", [node("MatMul", [p, v], "ctx")], "ctx_t", perm=[0, 2, 1, 3])
    node("Reshape", [y, const("merged", np.array([1, seq, hidden], np.int64))], "y")
    graph = helper.make_graph(
        nodes, "sdpa_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, seq, hidden]),
         helper.make_tensor_value_info("keep", TensorProto.BOOL, [1, 1, seq, seq])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, seq, hidden])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("dynamo", [False, True], ids=["torchscript", "dynamo"])
def test_pytorch_sdpa_attention_fuses_and_matches_onnxruntime(tmp_path, rng, dynamo):
    path = str(tmp_path / "sdpa.onnx")
    save_model(sdpa_attention_model(dynamo=dynamo), path)
    counts = optimized_op_counts(path)
    assert counts.get("ai.ember.Attention") == 1, counts
    for gone in ("Softmax", "IsNaN", "MatMul", "Transpose", "Reshape"):
        assert gone not in counts, counts
    x = rng.standard_normal((1, 6, 8)).astype(np.float32)
    keep = rng.random((1, 1, 6, 6)) < 0.7
    keep[..., 0] = True
    compare_with_onnxruntime(path, {"x": x, "keep": keep})
    # Query 3 sees no key: its Softmax row is NaN, which the guard (and the fused node) makes 0.
    keep[:, :, 3, :] = False
    compare_with_onnxruntime(path, {"x": x, "keep": keep})
