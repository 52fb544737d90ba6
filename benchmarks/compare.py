#!/usr/bin/env python3
"""Ember and onnxruntime side by side: latency, session creation and peak memory.

Each engine runs in its own worker process (so peak RSS is its own), both on the same model
and the same seeded inputs; the parent alternates them in rounds of a few runs, so machine
noise hits both alike. Before each round the parent waits until neither worker uses CPU any
more, and the worker then runs once untimed: onnxruntime's idle pool threads spin for tens of
milliseconds after a multi-threaded run (about 40 ms of CPU after each MobileNetV2 run at 2
threads, measured with getrusage), and without the wait the other engine's round ran on the
core they were spinning on. Prints one table row per (model, threads, optimization level) with the
median latency of each engine and the ratio Ember / onnxruntime (lower is better), the median
session-creation time and its ratio, and the peak RSS and its ratio.

Models come from scripts/make_models.py (generated into --models-dir when missing), or are any
.onnx file given by path: its inputs are then random from the declared types
(benchmarks/model_feeds.py; symbolic dims from --dims, else 1).

Usage:
    python benchmarks/compare.py                                  # all models, 1 thread and all cores
    python benchmarks/compare.py --models bert_base --threads 1 --levels 1,3 --rounds 20
    python benchmarks/compare.py --json results.json
    python benchmarks/compare.py --models /path/to/exported.onnx --dims batch=1,sequence=128

Run with PYTHONPATH=build/release/python so `import ember` finds the built package.
"""
import argparse
import json
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from model_feeds import parse_dims  # noqa: E402  (benchmarks/, this script's folder)

ALL_MODELS = ["resnet50", "mobilenet_v2", "bert_base"]


def peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def current_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def make_feeds(path, model_name, dims):
    """The seeded inputs both engines get. Built in a throwaway process (compare_one): reading a
    model file's input types parses the whole protobuf, weights included, and Linux carries a
    process's peak RSS over fork + exec, so in the parent it would count in every worker's peak."""
    import numpy as np
    from make_models import random_feeds
    from model_feeds import feeds_for_file
    rng = np.random.default_rng(0)
    return random_feeds(model_name, rng) if model_name in ALL_MODELS else feeds_for_file(path, rng, dims)


def worker(conn, engine, path, feeds, threads, level, creations, cpu_backend):
    """Loads one engine, reports creation times and memory, then runs on request."""
    try:
        import numpy as np
        if engine == "ember":
            import ember

            def create():
                opts = {"cpu_backend": cpu_backend} if cpu_backend else {}
                return ember.Session(path, threads=threads, optimization=level, **opts)

            def run(s):
                return s.run(None, feeds)
        else:
            import onnxruntime as ort

            def create():
                so = ort.SessionOptions()
                so.intra_op_num_threads = threads
                so.inter_op_num_threads = 1
                so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
                return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])

            def run(s):
                return s.run(None, feeds)
        base_rss = current_rss_mb()  # interpreter + numpy + the engine's module, no model yet
        create_ms = []
        session = None
        for _ in range(creations):
            session = None
            t0 = time.perf_counter()
            session = create()
            create_ms.append((time.perf_counter() - t0) * 1e3)
        outputs = run(session)  # warm-up; also the outputs the parent compares
        conn.send({"create_ms": create_ms, "base_rss": base_rss,
                   "outputs": [np.asarray(o) for o in outputs]})
        while True:
            n = conn.recv()
            if n is None:
                break
            run(session)  # untimed: the pool threads are awake and the caches hold this engine again
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                run(session)
                times.append((time.perf_counter() - t0) * 1e3)
            conn.send(times)
        conn.send({"peak_rss": peak_rss_mb()})
    except Exception as e:  # reported to the parent, which prints it and fails
        conn.send({"error": f"{engine}: {type(e).__name__}: {e}"})


class Worker:
    def __init__(self, ctx, *args):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker, args=(child,) + args, daemon=True)
        self.proc.start()
        self.hello = self._recv()

    def _recv(self):
        msg = self.conn.recv()
        if isinstance(msg, dict) and "error" in msg:
            raise RuntimeError(msg["error"])
        return msg

    def run(self, n):
        self.conn.send(n)
        return self._recv()

    def finish(self):
        self.conn.send(None)
        msg = self._recv()
        self.proc.join(timeout=30)
        return msg


def cpu_ticks(pid):
    """User + system CPU time of a process, in clock ticks (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def settle(workers, window_s=0.03, limit_s=2.0):
    """Waits until no worker used CPU during one window (their pool threads stopped spinning)."""
    deadline = time.monotonic() + limit_s
    before = [cpu_ticks(w.proc.pid) for w in workers]
    while time.monotonic() < deadline:
        time.sleep(window_s)
        after = [cpu_ticks(w.proc.pid) for w in workers]
        if after == before:
            return
        before = after


def max_rel_error(a_list, b_list):
    import numpy as np
    worst = 0.0
    for a, b in zip(a_list, b_list):
        a = a.astype(np.float64)
        b = b.astype(np.float64)
        scale = max(np.abs(b).max(), 1e-6)
        worst = max(worst, float(np.abs(a - b).max() / scale))
    return worst


def compare_one(ctx, path, model, threads, level, args):
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        feeds = pool.submit(make_feeds, path, model, args.dims).result()
    ember_w = Worker(ctx, "ember", path, feeds, threads, level, args.creations, args.cpu_backend)
    ort_w = Worker(ctx, "ort", path, feeds, threads, level, args.creations, None)
    times = {"ember": [], "ort": []}
    for r in range(args.rounds):  # alternate, and alternate who goes first
        order = [("ember", ember_w), ("ort", ort_w)]
        if r % 2:
            order.reverse()
        for name, w in order:
            settle([ember_w, ort_w])
            times[name] += w.run(args.runs_per_round)
    e_end, o_end = ember_w.finish(), ort_w.finish()
    row = {"model": model, "threads": threads, "level": level}
    for name, w, end in (("ember", ember_w, e_end), ("ort", ort_w, o_end)):
        row[f"{name}_ms"] = statistics.median(times[name])
        row[f"{name}_create_ms"] = statistics.median(w.hello["create_ms"])
        row[f"{name}_peak_rss_mb"] = end["peak_rss"]
        row[f"{name}_model_rss_mb"] = end["peak_rss"] - w.hello["base_rss"]
    row["latency_ratio"] = row["ember_ms"] / row["ort_ms"]
    row["create_ratio"] = row["ember_create_ms"] / row["ort_create_ms"]
    row["rss_ratio"] = row["ember_peak_rss_mb"] / row["ort_peak_rss_mb"]
    row["model_rss_ratio"] = row["ember_model_rss_mb"] / max(row["ort_model_rss_mb"], 1e-6)
    row["max_rel_error"] = max_rel_error(ember_w.hello["outputs"], ort_w.hello["outputs"])
    return row


HEADER = ("| model | threads | level | Ember ms | ORT ms | **ratio** | create Ember ms | create ORT ms "
          "| **ratio** | peak RSS Ember MB | peak RSS ORT MB | **ratio** | model RSS ratio | max rel err |")


def format_row(r):
    return (f"| {r['model']} | {r['threads']} | {r['level']} | {r['ember_ms']:.2f} | {r['ort_ms']:.2f} "
            f"| **{r['latency_ratio']:.2f}** | {r['ember_create_ms']:.1f} | {r['ort_create_ms']:.1f} "
            f"| **{r['create_ratio']:.2f}** | {r['ember_peak_rss_mb']:.0f} | {r['ort_peak_rss_mb']:.0f} "
            f"| **{r['rss_ratio']:.2f}** | {r['model_rss_ratio']:.2f} | {r['max_rel_error']:.1e} |")


def ensure_models(models, models_dir):
    missing = [m for m in models if not os.path.exists(os.path.join(models_dir, f"{m}.onnx"))]
    if missing:
        cmd = [sys.executable, os.path.join(ROOT, "scripts", "make_models.py"), "--out-dir", models_dir]
        for m in missing:
            cmd += ["--only", m]
        subprocess.run(cmd, check=True)


def machine_line():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import onnxruntime
    return f"{cpu}, {len(os.sched_getaffinity(0))} CPUs usable, onnxruntime {onnxruntime.__version__}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(ALL_MODELS),
                    help="comma-separated: " + ", ".join(ALL_MODELS) + ", or paths of .onnx files")
    ap.add_argument("--dims", type=parse_dims, default={},
                    help="sizes of symbolic input dims for model files, e.g. batch=1,seq=128 (default 1)")
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "models", "generated"))
    ap.add_argument("--threads", default=None,
                    help="comma-separated thread counts (default: 1 and all usable CPUs)")
    ap.add_argument("--levels", default="3", help="comma-separated Ember optimization levels (default 3)")
    ap.add_argument("--cpu-backend", default=None, help="Ember cpu_backend option (native|onednn|auto)")
    ap.add_argument("--rounds", type=int, default=10, help="alternating rounds (default 10)")
    ap.add_argument("--runs-per-round", type=int, default=3)
    ap.add_argument("--creations", type=int, default=3, help="session creations per engine (median)")
    ap.add_argument("--json", help="also write the rows as JSON to this file")
    args = ap.parse_args()

    models = [m for m in args.models.split(",") if m]
    for m in models:
        if m not in ALL_MODELS and not (m.endswith(".onnx") and os.path.isfile(m)):
            ap.error(f"unknown model '{m}' (known: {', '.join(ALL_MODELS)}, or an existing .onnx file)")
    all_cpus = len(os.sched_getaffinity(0))
    threads = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, all_cpus})
    levels = [int(v) for v in args.levels.split(",")]
    ensure_models([m for m in models if m in ALL_MODELS], args.models_dir)

    ctx = mp.get_context("spawn")
    print(f"# {machine_line()}; medians of {args.rounds}x{args.runs_per_round} runs, engines alternating")
    print(HEADER)
    print("|" + "---|" * (HEADER.count("|") - 1))
    rows = []
    for model in models:
        path = os.path.join(args.models_dir, f"{model}.onnx") if model in ALL_MODELS else model
        for t in threads:
            for level in levels:
                row = compare_one(ctx, path, model, t, level, args)
                rows.append(row)
                print(format_row(row), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine_line(), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
