"""Runs the ONNX backend conformance suite through Ember (and onnxruntime, side by side).

    PYTHONPATH=build/release/python .venv/bin/python -m tests.conformance.run [options]

See docs/conformance.md for what the categories mean and how the baseline works.
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time

from . import cases as cases_mod
from . import report
from .pool import WorkerStartError, run_tasks

DEFAULT_BASELINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline.json")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m tests.conformance.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--filter", metavar="REGEX", help="only cases whose name matches (re.search)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--threads", type=int, default=1, help="threads per session in each engine (default 1)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per case and engine (default 60)")
    p.add_argument("--kinds", default=",".join(cases_mod.DEFAULT_KINDS),
                   help="case kinds: node, light, simple, pytorch-converted, pytorch-operator, or all "
                        "(default node,light)")
    p.add_argument("--no-ort", action="store_true", help="do not run onnxruntime")
    p.add_argument("--json", metavar="PATH", help="write the per-case JSON summary here")
    p.add_argument("--failures", metavar="PATH", help="write one line per case Ember did not pass here")
    p.add_argument("--baseline", metavar="PATH", default=DEFAULT_BASELINE,
                   help="baseline file (default tests/conformance/baseline.json)")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if Ember crashed or was wrong on any case, or passes fewer cases than the baseline")
    p.add_argument("--update-baseline", action="store_true", help="write Ember's passing cases to the baseline")
    p.add_argument("--list", action="store_true", help="list the selected cases (name, kind, domain, op) and exit")
    p.add_argument("--show", choices=("ort-only", "all-failures", "none"), default="ort-only",
                   help="case list printed after the table (default: cases onnxruntime passes and Ember does not)")
    return p.parse_args(argv)


def _versions(engines) -> dict:
    import onnx  # noqa: PLC0415
    v = {"onnx_version": onnx.__version__}
    try:
        import ember  # noqa: PLC0415
        v["ember_version"] = ember.__version__
    except Exception as e:  # noqa: BLE001
        v["ember_version"] = f"(cannot import ember: {e})"
    if "onnxruntime" in engines:
        import onnxruntime  # noqa: PLC0415
        v["onnxruntime_version"] = onnxruntime.__version__
    return v


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    kinds = tuple(dict.fromkeys(cases_mod.DEFAULT_KINDS + cases_mod.DISK_KINDS)) if args.kinds == "all" else \
        tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    engines = ["ember"] + ([] if args.no_ort else ["onnxruntime"])
    t0 = time.perf_counter()
    cases = cases_mod.load_cases(kinds, args.filter)
    t_load = time.perf_counter() - t0
    if args.list:
        for c in cases:
            print(f"{c.name:<60} {c.kind:<6} {c.domain:<26} {c.op}")
        return 0
    if not cases:
        print(f"no case matches --filter {args.filter!r}", file=sys.stderr)
        return 2
    meta = {**_versions(engines), "kinds": list(kinds), "filter": args.filter, "engines": engines}
    print(f"{len(cases)} cases ({', '.join(kinds)}; loaded in {t_load:.1f}s), engines: {', '.join(engines)}, "
          f"{args.jobs} workers", file=sys.stderr)

    tasks = [(e, i) for i in range(len(cases)) for e in engines]
    done = [0]
    last = [time.perf_counter()]

    def progress(task, result):
        done[0] += 1
        now = time.perf_counter()
        if now - last[0] > 10 or done[0] == len(tasks):
            last[0] = now
            print(f"  {done[0]}/{len(tasks)} runs, {now - t0:.0f}s", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="ember-conformance-") as tmp:
        cases_path = os.path.join(tmp, "cases.pkl")
        with open(cases_path, "wb") as f:
            pickle.dump(cases, f, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            results = run_tasks(tasks, cases_path, args.jobs, args.timeout, tmp, args.threads, progress)
        except WorkerStartError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    elapsed = time.perf_counter() - t0
    meta["elapsed_s"] = round(elapsed, 1)
    meta["jobs"] = args.jobs

    rows = []
    for i, c in enumerate(cases):
        row = {"name": c.name, "kind": c.kind, "domain": c.domain, "op": c.op, "ops": c.ops, "reference": c.reference}
        for e in engines:
            row[e] = results[(e, i)]
        rows.append(row)

    partial = bool(args.filter) or set(kinds) != set(cases_mod.DEFAULT_KINDS)
    # The check compares with the baseline as it was before this run (--update-baseline too).
    baseline = report.load_baseline(args.baseline) if args.check and os.path.exists(args.baseline) else None
    # Files first: a closed stdout (| head) must not lose them.
    if args.json:
        report.write_json(args.json, rows, engines, meta)
        print(f"wrote {args.json}", file=sys.stderr)
    if args.failures:
        report._write_atomic(args.failures, report.failures_text(rows))
        print(f"wrote {args.failures}", file=sys.stderr)
    if args.update_baseline:
        doc = report.update_baseline(args.baseline, rows, meta, partial)
        print(f"baseline {args.baseline}: {doc['passed']} passing case(s)", file=sys.stderr)
    print()
    print(report.summary_table(rows, engines))
    print(f"({len(cases)} cases, {len(tasks)} runs in {elapsed:.1f}s with {args.jobs} workers; "
          f"onnx {meta['onnx_version']}" + (f", onnxruntime {meta['onnxruntime_version']}" if "onnxruntime_version" in meta else "")
          + ")")
    ort_ref = [c.name for c in cases if c.reference == "onnxruntime"]
    if ort_ref:
        print(f"note: no expected outputs shipped for {', '.join(ort_ref)}; onnxruntime's outputs are the reference")
    if args.show == "ort-only" and "onnxruntime" in engines:
        lst = report.ort_only_passes(rows)
        print(f"\nonnxruntime passes, Ember does not ({len(lst)}):")
        if lst:
            print(report.format_case_list(lst))
    elif args.show == "all-failures" or (args.show == "ort-only" and "onnxruntime" not in engines):
        lst = [r for r in rows if r["ember"]["category"] != "passed"]
        print(f"\nEmber does not pass ({len(lst)}):")
        if lst:
            print(report.format_case_list(lst))

    rc = 0
    if args.check:
        if baseline is None:
            print(f"conformance check FAILED: no baseline at {args.baseline} (create it with --update-baseline)")
            return 1
        if baseline.get("onnx_version") != meta["onnx_version"]:
            print(f"warning: baseline made with onnx {baseline.get('onnx_version')}, running onnx {meta['onnx_version']}")
        reasons = report.check(rows, baseline, partial)
        if reasons:
            print("\nconformance check FAILED:")
            for r in reasons:
                print(f"  - {r}")
            rc = 1
        else:
            passed = sum(1 for r in rows if r["ember"]["category"] == "passed")
            print(f"\nconformance check passed: Ember passes {passed} case(s) (baseline {baseline.get('passed')}), "
                  f"no crash, no wrong result")
    return rc


if __name__ == "__main__":
    sys.exit(main())
