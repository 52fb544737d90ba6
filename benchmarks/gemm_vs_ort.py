#!/usr/bin/env python3
"""Ember's f32 GEMM against onnxruntime's (MLAS) on the same shapes, one thread, same process.

Each shape becomes a one-node ONNX model with constant weights, run by both engines through
their Python APIs; the two are timed in alternating rounds so machine noise hits both alike.
Two forms:

  matmul  Y[M,N] = X[M,K] @ W[K,N], W constant: Ember packs W as B once (gemm_packed), MLAS
          prepacks it too. The NHWC im2col view of a convolution is this form (M = H*W).
  conv1x1 Y = Conv(X[1,K,H,W], W[M,K,1,1]) with N = H*W: Ember's NCHW 1x1 path, W packed as A
          once (gemm_packed_a, the im2col/activation matrix packed per call); onnxruntime runs
          it however it chooses (its NCHWc conv at the default optimization level). It stands
          for how each engine runs a ResNet-50 convolution's GEMM (M = Cout, K = Cin*kh*kw,
          N = Hout*Wout): same FLOPs, same operand sizes.

Prints per shape the median milliseconds and GFLOP/s of each engine and the ratio
Ember GFLOP/s / onnxruntime GFLOP/s (higher is better for Ember), with the load average.
Times are wall clock around session.run (a few microseconds of Python per call are included
for both engines alike). Pin it: `taskset -c 1`.

Usage:
    PYTHONPATH=build/release/python taskset -c 1 python benchmarks/gemm_vs_ort.py
    ... --rounds 15 --runs 5 --filter BERT
"""
import argparse
import os
import statistics
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (description, form, M, N, K)
SHAPES = [
    ("square 1024^3", "matmul", 1024, 1024, 1024),
    ("BERT-base QKV, 128 tokens", "matmul", 128, 2304, 768),
    ("BERT-base attn out, 128 tokens", "matmul", 128, 768, 768),
    ("BERT-base FFN up, 128 tokens", "matmul", 128, 3072, 768),
    ("BERT-base FFN down, 128 tokens", "matmul", 128, 768, 3072),
    ("decoder step, 1 token", "matmul", 1, 3072, 768),
    ("decoder step, 16 tokens", "matmul", 16, 3072, 768),
    ("R50 conv3x3 56x56 64 (NHWC im2col)", "matmul", 3136, 64, 576),
    ("R50 conv3x3 28x28 128 (NHWC im2col)", "matmul", 784, 128, 1152),
    ("R50 conv3x3 14x14 256 (NHWC im2col)", "matmul", 196, 256, 2304),
    ("R50 conv3x3 7x7 512 (NHWC im2col)", "matmul", 49, 512, 4608),
    ("R50 conv3x3 56x56 64 (NCHW: Cout x HW)", "conv1x1", 64, 3136, 576),
    ("R50 conv3x3 28x28 128 (NCHW)", "conv1x1", 128, 784, 1152),
    ("R50 conv3x3 14x14 256 (NCHW)", "conv1x1", 256, 196, 2304),
    ("R50 conv3x3 7x7 512 (NCHW)", "conv1x1", 512, 49, 4608),
    ("R50 conv1x1 56x56 64->256 (NCHW)", "conv1x1", 256, 3136, 64),
    ("R50 conv1x1 56x56 256->64 (NCHW)", "conv1x1", 64, 3136, 256),
    ("R50 conv1x1 14x14 1024->256 (NCHW)", "conv1x1", 256, 196, 1024),
]


def spatial(n):
    """H, W with H*W == n, as square as possible (the GEMM only sees the product)."""
    h = int(n ** 0.5)
    while n % h:
        h -= 1
    return h, n // h


def make_model(form, M, N, K, rng):
    if form == "matmul":
        w = rng.uniform(-1, 1, (K, N)).astype(np.float32)
        x_shape, y_shape = [M, K], [M, N]
        node = helper.make_node("MatMul", ["x", "w"], ["y"])
    else:
        h, wd = spatial(N)
        w = rng.uniform(-1, 1, (M, K, 1, 1)).astype(np.float32)
        x_shape, y_shape = [1, K, h, wd], [1, M, h, wd]
        node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[1, 1])
    graph = helper.make_graph([node], "gemm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
                              initializer=[numpy_helper.from_array(w, "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    x = rng.uniform(-1, 1, x_shape).astype(np.float32)
    return model.SerializeToString(), x


def ort_session(model_bytes):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    s = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    return lambda x: s.run(None, {"x": x})[0]


def ember_session(model_bytes):
    import ember
    s = ember.Session(model_bytes, threads=1)
    return lambda x: s.run(None, {"x": x})[0]


def time_runs(fn, x, n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn(x)
        out.append(time.perf_counter() - t0)
    return out


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=11, help="alternating rounds (default 11)")
    ap.add_argument("--runs", type=int, default=0,
                    help="runs per engine per round (default: enough for ~20 ms)")
    ap.add_argument("--filter", default="", help="only shapes whose description contains this")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    print(f"load average before: {loadavg()}   affinity: {sorted(os.sched_getaffinity(0))}")
    print(f"{'shape':40s} {'form':7s} {'M':>5s} {'N':>5s} {'K':>5s} {'ember ms':>9s} {'ort ms':>9s}"
          f" {'ember GF/s':>10s} {'ort GF/s':>9s} {'ember/ort':>9s}")
    for what, form, M, N, K in SHAPES:
        if args.filter and args.filter not in what:
            continue
        model, x = make_model(form, M, N, K, rng)
        engines = {"ember": ember_session(model), "ort": ort_session(model)}
        ye, yo = engines["ember"](x), engines["ort"](x)  # warm-up, and a check that both agree
        err = float(np.max(np.abs(ye - yo)))
        scale = float(np.max(np.abs(yo))) or 1.0
        if not err <= 1e-4 * scale * max(1.0, K / 256):
            raise SystemExit(f"{what}: Ember and onnxruntime differ by {err} (max |y| {scale})")
        t1 = min(time_runs(engines["ember"], x, 3))
        runs = args.runs or max(1, min(200, int(0.02 / max(t1, 1e-6))))
        times = {"ember": [], "ort": []}
        for r in range(args.rounds):
            order = ("ember", "ort") if r % 2 == 0 else ("ort", "ember")
            for e in order:
                times[e] += time_runs(engines[e], x, runs)
        flops = 2.0 * M * N * K
        med = {e: statistics.median(t) for e, t in times.items()}
        gf = {e: flops / med[e] * 1e-9 for e in med}
        print(f"{what:40s} {form:7s} {M:5d} {N:5d} {K:5d} {med['ember'] * 1e3:9.3f} {med['ort'] * 1e3:9.3f}"
              f" {gf['ember']:10.1f} {gf['ort']:9.1f} {gf['ember'] / gf['ort']:9.2f}", flush=True)
    print(f"load average after: {loadavg()}")
    print("medians of wall time per session.run; ember/ort = GFLOP/s ratio (> 1: Ember faster)")


if __name__ == "__main__":
    main()
