#!/usr/bin/env python3
"""Session creation of two Ember builds, alternated process by process (old vs new binary).

Each round starts one fresh Python process per build, in an order that flips every round; each
process creates --creations sessions of the model back to back (EMBER_LOG_CREATION=1) and reports
its times and peak RSS. Printed per model: the median over rounds of the first creation in a
process (cold heap, the case a host application meets once) and of the per-process median of the
rest, the ratio B / A of each, the peak RSS, and the median load / optimize / kernels phases of
the repeated creations. On a shared, noisy machine this is the comparison to trust: both builds
see the same drift in load.

    PYTHONPATH= python benchmarks/creation_ab.py --a /tmp/old/python --b build/release/python \\
        --models-dir models/generated --rounds 11
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

WORKER = r"""
import gc, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import ember
ts = []
for _ in range(int(sys.argv[3])):
    gc.collect()
    t0 = time.perf_counter()
    s = ember.Session(sys.argv[2], threads=int(sys.argv[4]))
    ts.append((time.perf_counter() - t0) * 1e3)
    del s
print(json.dumps({"ts": ts, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
PHASES = ("load", "optimize", "kernels")


def one_process(build, model, creations, threads):
    env = dict(os.environ, EMBER_LOG_CREATION="1")
    out = subprocess.run([sys.executable, "-c", WORKER, build, model, str(creations), str(threads)],
                         capture_output=True, text=True, env=env, check=True)
    d = json.loads(out.stdout.strip().splitlines()[-1])
    phases = {}
    for ph in PHASES:
        vals = [float(x) for x in re.findall(ph + r" ([0-9.]+) ms", out.stderr)]
        phases[ph] = statistics.median(vals[1:] or vals)
    return d["ts"][0], statistics.median(d["ts"][1:] or d["ts"]), d["rss"], phases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="baseline build's python package directory")
    ap.add_argument("--b", required=True, help="new build's python package directory")
    ap.add_argument("--models-dir", default="models/generated")
    ap.add_argument("--models", default="resnet50,mobilenet_v2,bert_base")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--creations", type=int, default=3, help="sessions per process (the first is reported apart)")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    builds = {"A": args.a, "B": args.b}
    for name in args.models.split(","):
        model = os.path.join(args.models_dir, f"{name}.onnx")
        res = {b: {"first": [], "rest": [], "rss": [], **{p: [] for p in PHASES}} for b in builds}
        for r in range(args.rounds):
            for b in (("A", "B") if r % 2 == 0 else ("B", "A")):
                first, rest, rss, phases = one_process(builds[b], model, args.creations, args.threads)
                res[b]["first"].append(first)
                res[b]["rest"].append(rest)
                res[b]["rss"].append(rss)
                for p in PHASES:
                    res[b][p].append(phases[p])
        m = {b: {k: statistics.median(v) for k, v in res[b].items()} for b in builds}
        print(f"{name}: first A {m['A']['first']:.1f} B {m['B']['first']:.1f} ms ({m['B']['first'] / m['A']['first']:.2f}x) | "
              f"repeated A {m['A']['rest']:.1f} B {m['B']['rest']:.1f} ms ({m['B']['rest'] / m['A']['rest']:.2f}x) | "
              f"peak RSS A {m['A']['rss']:.0f} B {m['B']['rss']:.0f} MB")
        print("    phases of repeated creations (ms): " +
              "; ".join(f"{p} A {m['A'][p]:.1f} B {m['B'][p]:.1f}" for p in PHASES))


if __name__ == "__main__":
    main()
