"""Ember against itself: one model at several optimization levels, runs alternated in one process.

compare.py times Ember next to onnxruntime, one (threads, level) row after the other; on the
shared machine the load drifts between rows, so a level-3 / level-1 ratio taken from two rows
mixes two loads. Here every round runs each level once, in turn, on the same inputs, so a load
change hits all levels alike. With --threads 1 the pool runs inline on the calling thread, and
that thread's CPU time (printed too) leaves out the time the scheduler gave other processes:
the steadiest figure on a busy machine.

Usage:
    PYTHONPATH=build/release/python .venv/bin/python benchmarks/levels_ab.py \\
        models/generated/bert_base.onnx --levels 1,2,3 --threads 1 --rounds 30

Prints the median wall and calling-thread CPU milliseconds per level and each level's ratio to
the first one listed.
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_feeds import feeds_for_file, parse_dims  # noqa: E402

import ember  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--levels", default="1,3", help="comma-separated optimization levels (first = baseline)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--dims", default="", help="sizes of symbolic input dims, e.g. batch=1,seq=128")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    sessions = [ember.Session(args.model, threads=args.threads, optimization=lvl) for lvl in levels]
    feeds = feeds_for_file(args.model, np.random.default_rng(0), parse_dims(args.dims))
    for s in sessions:
        for _ in range(2):
            s.run(None, feeds)
    wall = [[] for _ in levels]
    cpu = [[] for _ in levels]
    for _ in range(args.rounds):
        for i, s in enumerate(sessions):
            c0, t0 = time.thread_time(), time.perf_counter()
            s.run(None, feeds)
            wall[i].append(time.perf_counter() - t0)
            cpu[i].append(time.thread_time() - c0)
    w = [np.median(x) * 1e3 for x in wall]
    c = [np.median(x) * 1e3 for x in cpu]
    print(f"# {os.path.basename(args.model)}, {args.threads} thread(s), {args.rounds} alternated rounds, "
          f"load {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print("| level | wall ms | / first | calling-thread CPU ms | / first |")
    print("|---|---|---|---|---|")
    for lvl, wi, ci in zip(levels, w, c):
        print(f"| {lvl} | {wi:.2f} | {wi / w[0]:.3f} | {ci:.2f} | {ci / c[0]:.3f} |")


if __name__ == "__main__":
    main()
