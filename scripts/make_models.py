#!/usr/bin/env python3
"""Generates ResNet-50, MobileNetV2 and BERT-base ONNX models with seeded random weights.

These are the reference-size models the Python tests and benchmarks compare against
onnxruntime. Real weights are not needed for that (and would need a download); the weights are
scaled so activations stay O(1), which keeps the comparison meaningful. Output goes to
models/generated/ (git-ignored).

Usage:
    python scripts/make_models.py                 # all three
    python scripts/make_models.py --only bert_base --check
"""
import argparse
import os
import sys
import time

import numpy as np
from onnx import TensorProto

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_builders import (GraphBuilder, classifier_head, conv_bn, gelu, layernorm,  # noqa: E402
                           linear, random_embedding, save_model)

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "generated")
IMAGE_SHAPE = [1, 3, 224, 224]
BERT_SEQ = 128
BERT_VOCAB = 30522
# The scale range of the last batch norm in each residual branch, so the residual sum stays O(1).
RESIDUAL_GAMMA = (0.2, 0.4)


# ---------------------------------------------------------------- ResNet-50 v1.5

def resnet50(seed=50):
    b = GraphBuilder("resnet50_v1_5", seed)
    x = b.add_input("input", TensorProto.FLOAT, IMAGE_SHAPE)
    x = conv_bn(b, x, 3, 64, 7, stride=2, name="stem")
    x = b.op("MaxPool", [x], name="stem.pool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, (blocks, width) in enumerate(zip([3, 4, 6, 3], [64, 128, 256, 512])):
        for i in range(blocks):
            stride = 2 if (i == 0 and stage > 0) else 1
            name = f"layer{stage + 1}.{i}"
            # v1.5: the stride sits on the 3x3 convolution, not on the first 1x1.
            y = conv_bn(b, x, cin, width, 1, name=f"{name}.conv1")
            y = conv_bn(b, y, width, width, 3, stride=stride, name=f"{name}.conv2")
            y = conv_bn(b, y, width, width * 4, 1, act=None, gamma=RESIDUAL_GAMMA, name=f"{name}.conv3")
            skip = x
            if i == 0:
                skip = conv_bn(b, x, cin, width * 4, 1, stride=stride, act=None, name=f"{name}.downsample")
            x = b.op("Relu", [b.op("Add", [y, skip], name=f"{name}.add")], name=f"{name}.relu")
            cin = width * 4
    b.add_output(classifier_head(b, x, 2048, 1000), "logits", TensorProto.FLOAT, [1, 1000])
    return b.build()


# ---------------------------------------------------------------- MobileNetV2

MOBILENET_V2_BLOCKS = [  # expansion t, output channels c, repeats n, first stride s
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
    (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def mobilenet_v2(seed=2):
    b = GraphBuilder("mobilenet_v2", seed)
    x = b.add_input("input", TensorProto.FLOAT, IMAGE_SHAPE)
    x = conv_bn(b, x, 3, 32, 3, stride=2, act="relu6", name="stem")
    cin = 32
    for bi, (t, c, n, s) in enumerate(MOBILENET_V2_BLOCKS):
        for i in range(n):
            stride = s if i == 0 else 1
            name = f"block{bi}.{i}"
            hidden = cin * t
            y = x
            if t != 1:
                y = conv_bn(b, y, cin, hidden, 1, act="relu6", name=f"{name}.expand")
            y = conv_bn(b, y, hidden, hidden, 3, stride=stride, group=hidden, act="relu6", name=f"{name}.dw")
            residual = stride == 1 and cin == c
            y = conv_bn(b, y, hidden, c, 1, act=None, gamma=RESIDUAL_GAMMA if residual else (0.8, 1.2),
                        name=f"{name}.project")
            x = b.op("Add", [x, y], name=f"{name}.add") if residual else y
            cin = c
    x = conv_bn(b, x, cin, 1280, 1, act="relu6", name="head")
    b.add_output(classifier_head(b, x, 1280, 1000), "logits", TensorProto.FLOAT, [1, 1000])
    return b.build()


# ---------------------------------------------------------------- BERT-base

def attention(b, x, mask_add, hidden, heads, seq, name):
    head_dim = hidden // heads
    split = b.const_i("shape_split_heads", [1, seq, heads, head_dim])

    def project(kind, perm):
        y = b.op("Reshape", [linear(b, x, hidden, hidden, name=f"{name}.{kind}"), split], name=f"{name}.{kind}.split")
        return b.op("Transpose", [y], name=f"{name}.{kind}.heads", perm=perm)

    q = project("query", [0, 2, 1, 3])      # [1, heads, seq, head_dim]
    k_t = project("key", [0, 2, 3, 1])     # [1, heads, head_dim, seq]
    v = project("value", [0, 2, 1, 3])
    scores = b.op("MatMul", [q, k_t], name=f"{name}.scores")
    scores = b.op("Div", [scores, b.const_f("sqrt_head_dim", np.sqrt(head_dim))], name=f"{name}.scale")
    probs = b.op("Softmax", [b.op("Add", [scores, mask_add], name=f"{name}.mask")], name=f"{name}.softmax", axis=-1)
    ctx = b.op("Transpose", [b.op("MatMul", [probs, v], name=f"{name}.context")], name=f"{name}.merge", perm=[0, 2, 1, 3])
    ctx = b.op("Reshape", [ctx, b.const_i("shape_merge_heads", [1, seq, hidden])], name=f"{name}.merge_reshape")
    return linear(b, ctx, hidden, hidden, name=f"{name}.output")


def bert_base(seed=768, layers=12, hidden=768, heads=12, seq=BERT_SEQ, ffn=3072):
    b = GraphBuilder("bert_base", seed)
    ids = b.add_input("input_ids", TensorProto.INT64, [1, seq])
    mask = b.add_input("attention_mask", TensorProto.INT64, [1, seq])

    # Embeddings: word + position + token type (all zeros), then LayerNormalization (the fused
    # form here; encoder layers use the decomposed form so both spellings are exercised).
    word = b.op("Gather", [random_embedding(b, BERT_VOCAB, hidden, name="word_embeddings"), ids], name="embed.word", axis=0)
    pos_ids = b.const_i("position_ids", np.arange(seq)[None, :])
    pos = b.op("Gather", [random_embedding(b, 512, hidden, name="position_embeddings"), pos_ids], name="embed.pos", axis=0)
    type_ids = b.const_i("token_type_ids", np.zeros((1, seq)))
    typ = b.op("Gather", [random_embedding(b, 2, hidden, name="token_type_embeddings"), type_ids], name="embed.type", axis=0)
    x = b.op("Add", [b.op("Add", [word, pos], name="embed.add"), typ], name="embed.add2")
    x = layernorm(b, x, hidden, decomposed=False, name="embed.ln")

    # Additive mask [1, 1, 1, seq]: 0 where attended, -10000 where padded.
    m = b.op("Cast", [b.op("Unsqueeze", [mask, b.const_i("mask_axes", [1, 2])], name="mask.unsqueeze")],
             name="mask.cast", to=TensorProto.FLOAT)
    m = b.op("Sub", [b.const_f("one", 1.0), m], name="mask.invert")
    mask_add = b.op("Mul", [m, b.const_f("mask_neg", -10000.0)], name="mask.scale")

    for layer in range(layers):
        name = f"layer{layer}"
        a = attention(b, x, mask_add, hidden, heads, seq, f"{name}.attn")
        x = layernorm(b, b.op("Add", [a, x], name=f"{name}.attn.residual"), hidden, name=f"{name}.attn.ln")
        h = gelu(b, linear(b, x, hidden, ffn, name=f"{name}.ffn.in"), name=f"{name}.gelu")
        h = linear(b, h, ffn, hidden, name=f"{name}.ffn.out")
        x = layernorm(b, b.op("Add", [h, x], name=f"{name}.ffn.residual"), hidden, name=f"{name}.ffn.ln")
    b.add_output(x, "last_hidden_state", TensorProto.FLOAT, [1, seq, hidden])

    # Pooler: tanh(dense(first token)).
    first = b.op("Gather", [x, b.const_i("first_token", 0)], name="pooler.first", axis=1)
    pooled = b.op("Tanh", [linear(b, first, hidden, hidden, name="pooler.dense")], name="pooler.tanh")
    b.add_output(pooled, "pooler_output", TensorProto.FLOAT, [1, hidden])
    return b.build()


MODELS = {"resnet50": resnet50, "mobilenet_v2": mobilenet_v2, "bert_base": bert_base}


def random_feeds(name, rng):
    """Seeded inputs the tests and --check use: images ~ N(0, 1); BERT ids and a padded mask."""
    if name != "bert_base":
        return {"input": rng.standard_normal(IMAGE_SHAPE).astype(np.float32)}
    ids = rng.integers(0, BERT_VOCAB, (1, BERT_SEQ), dtype=np.int64)
    mask = np.ones((1, BERT_SEQ), dtype=np.int64)
    mask[:, BERT_SEQ - int(rng.integers(1, BERT_SEQ // 2)):] = 0  # padded tail
    return {"input_ids": ids, "attention_mask": mask}


def check(path, name):
    """Runs onnxruntime once and prints output statistics (they should all be O(1))."""
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    outs = sess.run(None, random_feeds(name, np.random.default_rng(0)))
    for info, out in zip(sess.get_outputs(), outs):
        print(f"  {info.name}: shape {list(out.shape)} mean {out.mean():+.3f} std {out.std():.3f} "
              f"max|x| {np.abs(out).max():.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", action="append", choices=sorted(MODELS),
                    help="build only this model (repeatable)")
    ap.add_argument("--out-dir", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="run onnxruntime and print output statistics")
    args = ap.parse_args()
    for name in args.only or MODELS:
        start = time.perf_counter()
        path = os.path.join(args.out_dir, f"{name}.onnx")
        save_model(MODELS[name](), path)
        print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path) / 1e6:.1f} MB, "
              f"{time.perf_counter() - start:.1f} s)")
        if args.check:
            check(path, name)


if __name__ == "__main__":
    main()
