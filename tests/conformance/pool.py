"""A pool of long-lived worker subprocesses (worker.py) that run (engine, case) tasks.

Each task is isolated from the runner: a worker that dies mid-case has that case recorded as
"crashed" (with its signal and the tail of its stderr) and is replaced; a case that runs past the
timeout is recorded as error "timeout" and its worker is killed and replaced. Workers take tasks
one at a time, so a crash or hang costs exactly one case.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STARTUP_TIMEOUT_S = 120


class WorkerStartError(RuntimeError):
    pass


def _describe_exit(rc: int) -> str:
    if rc is not None and rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exited with status {rc}"


class _Worker:
    def __init__(self, cases_path: str, threads: int, log_path: str, env: dict):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.conformance.worker", cases_path, str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, cwd=ROOT, env=env)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buf = b""
        self.ready = False
        self.task = None       # (engine, index) being run
        self.deadline = time.monotonic() + STARTUP_TIMEOUT_S
        self.log_offset = 0    # where the current task's stderr starts

    def assign(self, task, timeout_s: float):
        self.task = task
        self.deadline = time.monotonic() + timeout_s
        self.log.flush()
        self.log_offset = os.path.getsize(self.log_path)
        try:
            self.proc.stdin.write(f"{task[0]} {task[1]}\n".encode())
            self.proc.stdin.flush()
        except OSError:  # it died since its last answer: the EOF on its stdout records the crash
            pass

    def stderr_tail(self, limit: int = 400) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_offset)
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("--- ")]
        return " | ".join(lines)[-limit:]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.log.close()


def run_tasks(tasks, cases_path: str, jobs: int, timeout_s: float, log_dir: str, threads: int = 1,
              on_result=None, env_extra: dict | None = None) -> dict:
    """Runs every (engine, index) task; returns {(engine, index): result dict}."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.update(env_extra or {})
    pending = list(reversed(tasks))
    results = {}
    sel = selectors.DefaultSelector()
    workers = []
    started = 0

    def spawn():
        nonlocal started
        w = _Worker(cases_path, threads, os.path.join(log_dir, f"worker{started}.log"), env)
        started += 1
        sel.register(w.proc.stdout, selectors.EVENT_READ, w)
        workers.append(w)

    def retire(w, result=None):
        if w.task is not None and result is not None:
            finish(w, result)
        sel.unregister(w.proc.stdout)
        w.kill()
        workers.remove(w)
        if pending:
            spawn()

    def finish(w, result):
        results[w.task] = result
        if on_result:
            on_result(w.task, result)
        w.task = None

    def feed(w):
        if pending and w.ready and w.task is None:
            w.assign(pending.pop(), timeout_s)

    for _ in range(min(jobs, len(tasks))):
        spawn()
    try:
        while workers and (pending or any(w.task is not None for w in workers)):
            now = time.monotonic()
            wait = max(0.0, min(w.deadline for w in workers) - now) if workers else 1.0
            for key, _ in sel.select(timeout=min(wait, 1.0)):
                w = key.data
                try:
                    chunk = os.read(w.proc.stdout.fileno(), 65536)
                except BlockingIOError:
                    continue
                if not chunk:  # the worker died
                    rc = w.proc.wait()
                    if not w.ready:
                        raise WorkerStartError(f"a conformance worker failed to start ({_describe_exit(rc)}); "
                                               f"its log: {w.log_path}: {w.stderr_tail(2000)}")
                    if w.task is not None:
                        tail = w.stderr_tail()
                        retire(w, {"category": "crashed", "message": f"worker {_describe_exit(rc)}"
                                   + (f"; stderr: {tail}" if tail else ""), "seconds": None})
                    else:
                        retire(w)
                    continue
                w.buf += chunk
                while b"\n" in w.buf:
                    line, w.buf = w.buf.split(b"\n", 1)
                    msg = json.loads(line)
                    if msg.get("ready"):
                        w.ready = True
                    elif w.task is not None:
                        finish(w, {k: msg[k] for k in ("category", "message", "seconds")})
                feed(w)
            now = time.monotonic()
            for w in list(workers):
                if w.proc.poll() is None and now > w.deadline:
                    if not w.ready:
                        raise WorkerStartError(f"a conformance worker did not start within {STARTUP_TIMEOUT_S}s; "
                                               f"its log: {w.log_path}")
                    if w.task is not None:
                        retire(w, {"category": "error", "message": f"timeout: still running after {timeout_s:g}s",
                                   "seconds": timeout_s})
                    else:
                        w.deadline = now + timeout_s
            for w in workers:
                feed(w)
    finally:
        for w in list(workers):
            try:
                w.proc.stdin.close()
            except OSError:
                pass
            try:
                w.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            w.kill()
    return results
