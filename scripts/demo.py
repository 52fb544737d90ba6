#!/usr/bin/env python3
"""`make demo`: classify the bundled handwritten digits with Ember, next to onnxruntime.

Loads models/digits_cnn.onnx in both engines, classifies the held-out samples
(models/digits_samples.npz), prints a few predictions and both accuracies, then measures
batch-1 latency, alternating the two engines run by run so both see the same machine state.

Usage: PYTHONPATH=build/release/python python scripts/demo.py [--runs 2000] [--threads 1]
"""
import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SHADES = " .:-=+*#%@"


def ascii_digit(img):
    """8x8 image (0..1) as 8 lines of characters, for a quick look at what is classified."""
    return ["".join(SHADES[min(int(v * len(SHADES)), len(SHADES) - 1)] * 2 for v in row) for row in img]


def show_predictions(images, labels, preds, count):
    print(f"\nFirst {count} held-out digits (label -> Ember's prediction):")
    pics = [ascii_digit(images[i, 0]) for i in range(count)]
    for r in range(8):
        print("  " + "  ".join(p[r] for p in pics))
    print("  " + "  ".join(f"{labels[i]} -> {preds[i]}".ljust(16) for i in range(count)))


def latency(ember_sess, ort_sess, images, runs):
    """Median batch-1 latency of each engine in microseconds, the engines alternating."""
    t_ember, t_ort = [], []
    for i in range(runs + runs // 10):
        x = images[i % len(images)][None]
        t0 = time.perf_counter()
        ember_sess.run(None, {"input": x})
        t1 = time.perf_counter()
        ort_sess.run(None, {"input": x})
        t2 = time.perf_counter()
        if i >= runs // 10:  # the first 10 % warm caches and allocators up
            t_ember.append(t1 - t0)
            t_ort.append(t2 - t1)
    return statistics.median(t_ember) * 1e6, statistics.median(t_ort) * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "digits_cnn.onnx"))
    ap.add_argument("--samples", default=os.path.join(ROOT, "models", "digits_samples.npz"))
    ap.add_argument("--runs", type=int, default=2000, help="timed batch-1 runs per engine")
    ap.add_argument("--threads", type=int, default=1, help="threads for both engines")
    args = ap.parse_args()

    try:
        import ember
    except ImportError as e:
        sys.exit(f"cannot import ember ({e}); build it first and set PYTHONPATH=build/release/python")
    import onnxruntime as ort

    data = np.load(args.samples)
    images, labels = data["images"], data["labels"]
    ember_sess = ember.Session(args.model, threads=args.threads)
    so = ort.SessionOptions()
    so.intra_op_num_threads = args.threads
    so.inter_op_num_threads = 1
    ort_sess = ort.InferenceSession(args.model, so, providers=["CPUExecutionProvider"])

    print(f"Ember {ember.__version__}: {os.path.relpath(args.model)}")
    print(f"  inputs  {[(i.name, str(i.dtype), i.shape) for i in ember_sess.inputs]}")
    print(f"  outputs {[(o.name, str(o.dtype), o.shape) for o in ember_sess.outputs]}")

    (logits,) = ember_sess.run(None, {"input": images})
    (ort_logits,) = ort_sess.run(None, {"input": images})
    preds, ort_preds = logits.argmax(1), ort_logits.argmax(1)
    show_predictions(images, labels, preds, 6)
    print(f"\nHeld-out accuracy ({len(labels)} images): Ember {(preds == labels).mean():.2%}, "
          f"onnxruntime {(ort_preds == labels).mean():.2%}; predictions agree on "
          f"{(preds == ort_preds).sum()}/{len(labels)}; max |logit diff| {np.abs(logits - ort_logits).max():.2e}")

    e_us, o_us = latency(ember_sess, ort_sess, images, args.runs)
    print(f"\nLatency, batch 1, median of {args.runs} runs each, {args.threads} thread(s), engines alternating "
          f"({platform.machine()}, {os.cpu_count()} CPUs):")
    print(f"  Ember        {e_us:8.1f} us")
    print(f"  onnxruntime  {o_us:8.1f} us   (onnxruntime {ort.__version__})")
    print(f"  Ember / onnxruntime latency ratio = {e_us / o_us:.2f} (below 1: Ember is faster)")


if __name__ == "__main__":
    main()
