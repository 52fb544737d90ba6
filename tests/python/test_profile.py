"""Profiling: Session(..., profile=PATH) writes a Chrome trace; `ember bench --profile`."""
import gc
import json
import os

import numpy as np
import pytest

import ember
from conftest import DIGITS, ember_cli

CONV_OPS = ("Conv", "ai.ember.FusedConv")
GEMM_OPS = ("Gemm", "MatMul", "ai.ember.FusedMatMul")




def step_events(trace):
    return [e for e in trace["traceEvents"] if "op" in e.get("args", {})]


def expected_flops(op, inputs, outputs):
    """2 x MACs computed here from the recorded shapes (numpy, not Ember's estimator)."""
    if op in CONV_OPS:
        return 2.0 * np.prod(outputs[0]) * np.prod(inputs[1][1:])
    if op in GEMM_OPS:
        return 2.0 * np.prod(outputs[0]) * inputs[0][-1]  # the digits model has no transA
    return 0.0


def check_trace(trace, runs):
    """One complete event per step per run, with the documented args."""
    events = step_events(trace)
    assert len([e for e in trace["traceEvents"] if e.get("cat") == "run"]) == runs
    assert events and len(events) % runs == 0, f"{len(events)} step events for {runs} runs"
    per_run = len(events) // runs
    names = [e["name"] for e in events[:per_run]]
    assert len(set(names)) == per_run, f"a node appears twice in one run: {names}"
    for r in range(runs):  # same steps, same order, every run
        assert [e["name"] for e in events[r * per_run:(r + 1) * per_run]] == names
    for e in events:
        a = e["args"]
        assert e["ph"] == "X" and e["dur"] >= 0 and isinstance(e["ts"], (int, float))
        assert e["cat"] == a["op"]
        assert isinstance(a["kernel"], str) and a["kernel"]
        assert isinstance(a["input_shapes"], list) and isinstance(a["output_shapes"], list)
        assert all(s is None or all(isinstance(d, int) for d in s) for s in a["input_shapes"] + a["output_shapes"])
        assert "fused_from" not in a or (a["fused_from"] and all(isinstance(n, str) for n in a["fused_from"]))
        want = expected_flops(a["op"], a["input_shapes"], a["output_shapes"])
        assert a["flops"] == pytest.approx(want), e
        if want > 0 and e["dur"] > 0:
            assert a["gflops_per_s"] == pytest.approx(want / (e["dur"] * 1e3), rel=0.01, abs=1e-3)
    assert any(e["args"]["op"] in CONV_OPS for e in events)
    return events


def test_session_profile_option_writes_a_trace(tmp_path, rng):
    path = tmp_path / "trace.json"
    s = ember.Session(DIGITS, threads=2, profile=str(path))
    for batch in (1, 4):
        s.run(None, {"input": rng.standard_normal((batch, 1, 8, 8)).astype(np.float32)})
    assert not path.exists()  # written when the session ends
    del s
    gc.collect()
    assert sorted(os.listdir(tmp_path)) == ["trace.json"]  # complete file, no temporary left
    with open(path) as f:
        trace = json.load(f)
    events = check_trace(trace, runs=2)
    per_run = len(events) // 2
    first_conv = next(e for e in events[per_run:] if e["args"]["op"] in CONV_OPS)
    assert first_conv["args"]["input_shapes"][0][0] == 4  # the second run's batch
    assert {e["name"] for e in trace["traceEvents"] if e.get("cat") == "session"} == {
        "prepare graph", "build plan"}


def test_session_profile_unwritable_path(tmp_path):
    bad = tmp_path / "missing_dir" / "t.json"
    with pytest.raises(ember.IoError, match="missing_dir"):
        ember.Session(DIGITS, profile=str(bad))
    assert not (tmp_path / "missing_dir").exists()


def test_bench_profile_prints_tables_and_writes_trace(tmp_path):
    trace = tmp_path / "bench.json"
    p = ember_cli("bench", DIGITS, "--profile", trace, "--iterations", 3, "--warmup", 1, "--threads", 2)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "latency median" in out
    assert out.index("latency median") < out.index("by op type:") < out.index("by node:")
    for word in ("total ms", "% run", "calls", "GFLOP/s", "kernel", "Gemm"):
        assert word in out
    table = out[out.index("by op type:"):out.index("by node:")]
    assert any(op in table for op in CONV_OPS)
    assert f"trace: {trace}" in out
    with open(trace) as f:
        check_trace(json.load(f), runs=3)
    assert sorted(os.listdir(tmp_path)) == ["bench.json"]


def test_bench_profile_without_trace_writes_nothing(tmp_path):
    p = ember_cli("bench", DIGITS, "--profile", "--iterations", 2, "--warmup", 0, "--top", 2, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "by node:" in p.stdout and "more (--top N)" in p.stdout
    assert os.listdir(tmp_path) == []


def test_bench_profile_json(tmp_path):
    p = ember_cli("bench", DIGITS, "--profile", "--json", "--iterations", 2, "--warmup", 0)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 2
    timing, prof = json.loads(lines[0]), json.loads(lines[1])
    assert "median_ms" in timing
    assert prof["profile"]["runs"] == 2
    assert {"op", "total_ms", "calls", "gflops_per_s", "kernel"} <= set(prof["profile"]["by_op"][0])


def test_bench_profile_bad_trace_path_fails_before_running(tmp_path):
    p = ember_cli("bench", DIGITS, "--profile", tmp_path / "nope" / "t.json", "--iterations", 1)
    assert p.returncode != 0
    assert "nope" in p.stderr
    assert "latency median" not in p.stdout


def test_bench_help_describes_profile():
    p = ember_cli("bench", "--help")
    assert p.returncode == 0
    assert "--profile" in p.stdout and "TRACE.json" in p.stdout and "--top" in p.stdout
