"""A long-lived worker: loads the pickled case list once, then runs cases by id.

    python -m tests.conformance.worker CASES.pkl THREADS

Protocol (one line each way): the pool writes "ENGINE INDEX\n" on stdin; the worker answers one
JSON line {"engine", "index", "category", "message", "seconds"} on the file descriptor that was
its stdout at start. Anything else printed to stdout afterwards (by native code too) goes to
stderr, so stray output never corrupts the protocol. It first announces {"ready": true}.

Test hooks (used by tests/python/test_conformance_runner.py):
  EMBER_CONFORMANCE_ABORT_CASE=NAME   os.abort() when asked to run case NAME (any engine)
  EMBER_CONFORMANCE_HANG_CASE=NAME    sleep forever instead of running case NAME
"""
from __future__ import annotations

import json
import os
import pickle
import sys
import time


def main(argv) -> int:
    cases_path, threads = argv[1], int(argv[2]) if len(argv) > 2 else 1
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray stdout (Python or native) -> stderr
    sys.stdout = sys.stderr

    from .engines import RUNNERS  # noqa: PLC0415
    with open(cases_path, "rb") as f:
        cases = pickle.load(f)
    abort_case = os.environ.get("EMBER_CONFORMANCE_ABORT_CASE")
    hang_case = os.environ.get("EMBER_CONFORMANCE_HANG_CASE")
    proto.write(json.dumps({"ready": True}) + "\n")

    while True:
        line = sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        engine, index = line.split()
        case = cases[int(index)]
        print(f"--- {engine} {case.name}", file=sys.stderr, flush=True)
        if case.name == abort_case:
            os.abort()
        if case.name == hang_case:
            while True:
                time.sleep(3600)
        t0 = time.perf_counter()
        try:
            category, message = RUNNERS[engine](case, threads)
        except Exception as e:  # noqa: BLE001  a bug in the runner itself, not the engine
            category, message = "error", f"runner: {type(e).__name__}: {e}"
        proto.write(json.dumps({"engine": engine, "index": int(index), "category": category,
                                "message": message, "seconds": round(time.perf_counter() - t0, 4)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
