#!/usr/bin/env python3
"""Ember's per-node times next to onnxruntime's, matched by the model's node names.

Both engines profile the same model on the same seeded inputs (each in its own process, run
one after the other, several alternated rounds; the per-node figure is the median over all
profiled runs of that node). Ember's fused nodes keep the names of the nodes they came from
(the "fused_from" field of its Chrome trace), and so do onnxruntime's (its fused nodes keep
the first source node's name, sometimes with a suffix such as "_nchwc" or "_token_N"), so
each row groups the original nodes one Ember step covers and sums onnxruntime's time over
the same nodes. Rows are sorted by Ember's loss in absolute time (ms Ember - ms ORT), which
is where work pays; onnxruntime's own layout nodes (ReorderInput/ReorderOutput) that match no
Ember step are listed at the end.

Usage (from the repository root):
    PYTHONPATH=build/release/python .venv/bin/python benchmarks/per_node_vs_ort.py \
        models/generated/resnet50.onnx --threads 1 --runs 30 --rounds 3
"""
import argparse
import collections
import glob
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from model_feeds import parse_dims  # noqa: E402  (benchmarks/model_feeds.py, shared with compare.py)


def seeded_feeds(path, dims):
    import numpy as np
    from model_feeds import feeds_for_file
    return feeds_for_file(path, np.random.default_rng(0), parse_dims(dims))


def ember_profile(path, dims, threads, runs, warmup, out_dir, q):
    import ember
    feeds = seeded_feeds(path, dims)
    trace = os.path.join(out_dir, "ember_trace.json")
    s = ember.Session(path, threads=threads, profile=trace)
    for _ in range(warmup):
        s.run(None, feeds)
    for _ in range(runs):
        s.run(None, feeds)
    del s  # the trace is written when the session is destroyed
    with open(trace) as f:
        events = json.load(f)["traceEvents"]
    times = collections.defaultdict(list)
    info = {}
    skip = warmup  # the warm-up runs are traced too: drop each step's first `warmup` events
    seen = collections.Counter()
    for e in events:
        args = e.get("args", {})
        if "kernel" not in args:
            continue
        name = e["name"]
        seen[name] += 1
        if seen[name] <= skip:
            continue
        times[name].append(e["dur"] / 1000.0)  # us -> ms
        info[name] = (args.get("op", ""), args.get("kernel", ""), args.get("fused_from", []),
                      args.get("gflops_per_s", 0.0), args.get("flops", 0.0))
    q.put((dict(times), info))


def ort_profile(path, dims, threads, runs, warmup, out_dir, q):
    import onnxruntime as ort
    feeds = seeded_feeds(path, dims)
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    for _ in range(warmup):  # warm up before profiling starts: a second session profiles
        s.run(None, feeds)
    so.enable_profiling = True
    so.profile_file_prefix = os.path.join(out_dir, "ort")
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    for _ in range(warmup):
        s.run(None, feeds)
    for _ in range(runs):
        s.run(None, feeds)
    trace = s.end_profiling()
    with open(trace) as f:
        events = json.load(f)
    times = collections.defaultdict(list)
    ops = {}
    seen = collections.Counter()
    for e in events:
        if e.get("cat") != "Node" or not e["name"].endswith("_kernel_time"):
            continue
        name = e["name"][: -len("_kernel_time")]
        seen[name] += 1
        if seen[name] <= warmup:
            continue
        times[name].append(e["dur"] / 1000.0)
        ops[name] = e.get("args", {}).get("op_name", "")
    q.put((dict(times), ops))


def in_process(fn, *args):
    q = mp.Queue()
    p = mp.Process(target=fn, args=args + (q,))
    p.start()
    r = q.get()
    p.join()
    return r


def merge(acc, times):
    for k, v in times.items():
        acc.setdefault(k, []).extend(v)


def ort_owner(ort_name, source_to_step):
    """The Ember step an onnxruntime node belongs to: its name, or its name less a suffix."""
    if ort_name in source_to_step:
        return source_to_step[ort_name]
    cut = ort_name
    while "_" in cut:
        cut = cut.rsplit("_", 1)[0]
        if cut in source_to_step:
            return source_to_step[cut]
    return None


med = lambda v: statistics.median(v) if v else 0.0


def collect(a, thread_counts):
    """Per-node profiled times of both engines at each thread count, over a.rounds rounds that
    alternate engines and thread counts (so a change in load hits all of them alike):
    {threads: (ember times, ORT times, ORT op types, Ember step info)}."""
    got = {t: ({}, {}, {}, {}) for t in thread_counts}
    with tempfile.TemporaryDirectory() as d:
        for _ in range(a.rounds):
            for t in thread_counts:
                ember_t, ort_t, ort_ops, info = got[t]
                et, i = in_process(ember_profile, a.model, a.dims, t, a.runs, a.warmup, d)
                merge(ember_t, et)
                info.update(i)
                ot, o = in_process(ort_profile, a.model, a.dims, t, a.runs, a.warmup, d)
                merge(ort_t, ot)
                ort_ops.update(o)
                for f in glob.glob(os.path.join(d, "ort*.json")):
                    os.remove(f)
    return got


def match_ort(ember_t, ort_t, info):
    """onnxruntime's median per Ember step (summed over the ORT nodes the step covers)."""
    source_to_step = {}
    for step, (_, _, fused_from, _, _) in info.items():
        source_to_step[step] = step
        for src in fused_from:
            source_to_step.setdefault(src, step)
    ort_by_step = collections.defaultdict(float)
    ort_names = collections.defaultdict(list)
    unmatched = []
    for name, v in ort_t.items():
        step = ort_owner(name, source_to_step)
        if step is None:
            unmatched.append((name, med(v)))
        else:
            ort_by_step[step] += med(v)
            ort_names[step].append(name)
    return ort_by_step, ort_names, unmatched


def scaling_report(a):
    """Per step: each engine's 1-thread and N-thread medians and speedups, sorted by the time
    Ember would save at N threads if the step scaled as onnxruntime's does."""
    got = collect(a, [1, a.threads])
    e1, o1, _, info = got[1]
    eN, oN, _, _ = got[a.threads]
    ob1, _, _ = match_ort(e1, o1, info)
    obN, _, _ = match_ort(eN, oN, info)
    rows = []
    for step in e1:
        x1, xN, y1, yN = med(e1[step]), med(eN.get(step, [])), ob1.get(step, 0.0), obN.get(step, 0.0)
        ort_speedup = y1 / yN if yN > 0 else 0.0
        excess = xN - x1 / ort_speedup if ort_speedup > 0 else 0.0
        rows.append((excess, step, x1, xN, y1, yN, info[step][1]))
    rows.sort(reverse=True)
    n = a.threads
    print(f"model {a.model}, 1 vs {n} threads, median of {a.rounds}x{a.runs} profiled runs per node")
    print(f"{'ember step':28s} {'e 1t':>7s} {'e ' + str(n) + 't':>7s} {'e x':>5s} {'o 1t':>7s} "
          f"{'o ' + str(n) + 't':>7s} {'o x':>5s} {'excess':>7s}  kernel")
    shown = rows[: a.top] if a.top else rows
    for excess, step, x1, xN, y1, yN, kernel in shown:
        sx = f"{x1 / xN:5.2f}" if xN > 0 else "    -"
        sy = f"{y1 / yN:5.2f}" if yN > 0 else "    -"
        print(f"{step[:28]:28s} {x1:7.3f} {xN:7.3f} {sx} {y1:7.3f} {yN:7.3f} {sy} {excess:+7.3f}  {kernel}")
    t = [sum(r[i] for r in rows) for i in (2, 3, 4, 5)]
    print(f"{'total (matched)':28s} {t[0]:7.3f} {t[1]:7.3f} {t[0] / t[1]:5.2f} {t[2]:7.3f} {t[3]:7.3f} "
          f"{t[2] / t[3] if t[3] else 0:5.2f} {sum(r[0] for r in rows):+7.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dims", default="", help="symbolic dims, NAME=SIZE[,NAME=SIZE...] (else 1)")
    ap.add_argument("--runs", type=int, default=20, help="profiled runs per round and engine")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3, help="alternated rounds (Ember, then ORT)")
    ap.add_argument("--top", type=int, default=0, help="print only the N rows that lose the most (0: all)")
    ap.add_argument("--scaling", action="store_true",
                    help="profile both engines at 1 and at --threads threads and list, per step, "
                         "the speedup of each: where Ember's scaling falls short of onnxruntime's")
    a = ap.parse_args()

    if a.scaling:
        return scaling_report(a)
    ember_t, ort_t, ort_ops, info = collect(a, [a.threads])[a.threads]
    ort_by_step, ort_names, unmatched = match_ort(ember_t, ort_t, info)

    rows = []
    for step, v in ember_t.items():
        op, kernel, fused_from, _, _ = info[step]
        e = med(v)
        o = ort_by_step.get(step, 0.0)
        flops = info[step][4]
        gf = flops / (e * 1e6) if e > 0 else 0.0
        gf_o = flops / (o * 1e6) if o > 0 else 0.0
        rows.append((e - o, step, e, o, gf, gf_o, kernel, ",".join(sorted(ort_names.get(step, [])))))
    rows.sort(reverse=True)
    shown = rows[: a.top] if a.top else rows
    print(f"model {a.model}, {a.threads} thread(s), median of {a.rounds}x{a.runs} profiled runs per node")
    print(f"{'ember step':28s} {'ember ms':>9s} {'ort ms':>8s} {'diff ms':>8s} {'ratio':>6s} "
          f"{'GF/s e':>7s} {'GF/s o':>7s}  kernel / ort nodes")
    for diff, step, e, o, gf, gf_o, kernel, onames in shown:
        ratio = f"{e / o:6.2f}" if o > 0 else "     -"
        print(f"{step[:28]:28s} {e:9.3f} {o:8.3f} {diff:+8.3f} {ratio} {gf:7.1f} {gf_o:7.1f}  {kernel}  [{onames}]")
    te, to = sum(r[2] for r in rows), sum(r[3] for r in rows)
    tu = sum(t for _, t in unmatched)
    print(f"{'total (matched)':28s} {te:9.3f} {to:8.3f} {te - to:+8.3f} {te / to if to else 0:6.2f}")
    if unmatched:
        print(f"onnxruntime nodes matching no Ember step ({tu:.3f} ms in all):")
        for name, t in sorted(unmatched, key=lambda x: -x[1]):
            print(f"  {name:40s} {ort_ops.get(name, ''):18s} {t:8.3f}")


if __name__ == "__main__":
    main()
