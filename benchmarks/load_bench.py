#!/usr/bin/env python3
"""Session creation: an original model vs its saved optimized form (`ember optimize`), next to
onnxruntime's session creation for the original, measured side by side in one run.

For each model the script first saves the optimized form (ember.optimize, level 3, into
--out-dir), then creates sessions in rounds: each round creates one onnxruntime session for the
original, one Ember session for the original and one Ember session for the saved form, in an
order that rotates from round to round (so drift in machine load hits all three alike), and
reports medians. The issues' targets: Ember creating a session for the original <= 0.3x
onnxruntime's (orig/ort), and Ember loading the saved optimized model <= 0.2x onnxruntime's
session-creation time for the original (saved/ort).

    python scripts/make_models.py --out-dir /tmp/models
    PYTHONPATH=build/release/python python benchmarks/load_bench.py --models-dir /tmp/models
"""
import argparse
import gc
import os
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

import ember

MODELS = ("resnet50", "mobilenet_v2", "bert_base")


def timed(fn):
    gc.collect()
    t0 = time.perf_counter()
    obj = fn()
    dt = (time.perf_counter() - t0) * 1e3
    del obj  # destroyed outside the timed region
    return dt


def check_outputs(name, original, saved, threads):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
    from make_models import random_feeds
    feeds = random_feeds(name, np.random.default_rng(0))
    want = ort.InferenceSession(original, providers=["CPUExecutionProvider"]).run(None, feeds)
    got = ember.Session(saved, threads=threads).run(None, feeds)
    worst = max(float(np.max(np.abs(g.astype(np.float64) - w))) for g, w in zip(got, want))
    print(f"  {name}: saved model vs onnxruntime on the original: max |diff| {worst:.3g}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models-dir", default="/tmp/models")
    ap.add_argument("--out-dir", default=None, help="where the optimized forms go (default MODELS_DIR/optimized)")
    ap.add_argument("--only", action="append", choices=MODELS)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--level", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="threads for both engines (0: their defaults)")
    ap.add_argument("--check", action="store_true", help="also compare the saved model's outputs with onnxruntime")
    args = ap.parse_args()
    out_dir = args.out_dir or os.path.join(args.models_dir, "optimized")
    os.makedirs(out_dir, exist_ok=True)

    so = ort.SessionOptions()
    if args.threads:
        so.intra_op_num_threads = args.threads
    rows = []
    for name in args.only or MODELS:
        original = os.path.join(args.models_dir, f"{name}.onnx")
        saved = os.path.join(out_dir, f"{name}.onnx")
        res = ember.optimize(original, saved, level=args.level)
        fused = ", ".join(f"{k} x{v}" for k, v in sorted(res.fused_ops.items())) or "none"
        print(f"{name}: optimize {res.load_ms + res.optimize_ms + res.save_ms:.0f} ms; nodes {res.nodes_before} -> "
              f"{res.nodes_after}; fused: {fused}; model {res.model_bytes / 1e6:.2f} MB + data "
              f"{res.data_bytes / 1e6:.1f} MB")
        if args.check:
            check_outputs(name, original, saved, args.threads)
        kinds = {
            "ort_original": lambda: ort.InferenceSession(original, so, providers=["CPUExecutionProvider"]),
            "ember_original": lambda: ember.Session(original, threads=args.threads),
            "ember_saved": lambda: ember.Session(saved, threads=args.threads),
        }
        order = list(kinds)
        times = {k: [] for k in kinds}
        for k in kinds:  # warm the page cache and lazy initialisation once, untimed
            timed(kinds[k])
        for r in range(args.repeats):
            for k in order[r % 3:] + order[:r % 3]:
                times[k].append(timed(kinds[k]))
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append((name, med))

    print(f"\nsession creation, median of {args.repeats} (ms); machine: {os.cpu_count()} CPUs visible")
    print(f"{'model':14s} {'ort original':>13s} {'ember original':>15s} {'ember saved':>12s} "
          f"{'orig/ort':>9s} {'saved/ort':>10s} {'saved/orig':>11s}")
    for name, med in rows:
        print(f"{name:14s} {med['ort_original']:13.1f} {med['ember_original']:15.1f} {med['ember_saved']:12.1f} "
              f"{med['ember_original'] / med['ort_original']:8.3f}x "
              f"{med['ember_saved'] / med['ort_original']:9.3f}x {med['ember_saved'] / med['ember_original']:10.3f}x")


if __name__ == "__main__":
    main()
