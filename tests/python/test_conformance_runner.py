"""The conformance runner's own rules (tests/conformance): comparison, classification, crash and
timeout isolation, the baseline check. Synthetic inputs, so each rule is pinned down directly."""
import json
import os
import pickle
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from conftest import ROOT

sys.path.insert(0, ROOT)

from tests.conformance import report  # noqa: E402
from tests.conformance.cases import Case, main_op  # noqa: E402
from tests.conformance.compare import compare_outputs, compare_value  # noqa: E402
from tests.conformance.engines import classify_ort_exception, run_ember  # noqa: E402
from tests.conformance.pool import run_tasks  # noqa: E402

R, A = 1e-3, 1e-7


def same(a, e):
    return compare_value(a, e, R, A) is None


# ---- compare ---------------------------------------------------------------------------------

def test_nan_equals_nan_and_inf_only_itself():
    x = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
    assert same(x.copy(), x)
    assert not same(np.array([1.0, 0.0, np.inf, -np.inf], np.float32), x)      # NaN vs number
    assert not same(np.array([1.0, np.nan, -np.inf, -np.inf], np.float32), x)  # inf vs -inf


def test_float_tolerance_is_atol_plus_rtol_times_expected():
    e = np.array([1000.0], np.float32)
    assert same(np.array([1000.9], np.float32), e)      # |d| = 0.9 <= 1e-7 + 1e-3 * 1000
    msg = compare_value(np.array([1001.5], np.float32), e, R, A)
    assert msg and "1/1 elements differ" in msg


def test_integers_and_bools_are_exact():
    # onnx's runner would accept 1001 for 1000 with rtol=1e-3; we do not.
    assert not same(np.array([1001], np.int64), np.array([1000], np.int64))
    assert same(np.array([7, -3], np.int32), np.array([7, -3], np.int32))
    assert not same(np.array([True, False]), np.array([True, True]))


def test_dtype_and_shape_mismatch_are_wrong():
    msg = compare_value(np.zeros(3, np.float64), np.zeros(3, np.float32), R, A)
    assert msg and "dtype" in msg
    msg = compare_value(np.zeros((3, 1), np.float32), np.zeros(3, np.float32), R, A)
    assert msg and "shape" in msg
    msg = compare_value(np.zeros(3, np.int32), np.zeros(3, np.int64), R, A)
    assert msg and "dtype" in msg


def test_strings_exact():
    e = np.array(["a", "b"], dtype=object)
    assert same(np.array(["a", "b"], dtype=object), e)
    assert not same(np.array(["a", "B"], dtype=object), e)


def test_sequences_and_optionals_element_wise():
    seq = [np.ones(2, np.float32), np.zeros(3, np.float32)]
    assert same([s.copy() for s in seq], seq)
    assert "sequence of 1" in compare_value(seq[:1], seq, R, A)
    assert "[1]" in compare_value([seq[0], np.ones(3, np.float32)], seq, R, A)
    assert not same(np.ones(2, np.float32), seq)  # a tensor where a sequence is expected
    assert same(None, None)                         # empty optional
    assert not same(np.ones(1, np.float32), None)
    assert not same(None, np.ones(1, np.float32))


def test_output_count_and_names():
    e = [np.ones(1, np.float32), np.ones(1, np.float32)]
    assert "1 outputs, expected 2" in compare_outputs(e[:1], e, R, A)
    msg = compare_outputs([e[0], np.zeros(1, np.float32)], e, R, A, names=["a", "b"])
    assert msg.startswith("output 1 'b'")


def test_bfloat16_gets_two_ulps():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf = ml_dtypes.bfloat16
    e = np.array([1.0], bf)
    assert same(np.array([1.0 + 2 ** -7], bf), e)   # one bfloat16 ulp at 1.0
    assert not same(np.array([1.0 + 2 ** -4], bf), e)


# ---- classification --------------------------------------------------------------------------

def _fake_ort_error(cls_name, message):
    return type(cls_name, (Exception,), {})(message)


def test_ort_classification():
    assert classify_ort_exception(_fake_ort_error(
        "NotImplemented", "[ONNXRuntimeError] : 9 : NOT_IMPLEMENTED : Could not find an implementation for X(28)")) \
        == "unsupported"
    assert classify_ort_exception(_fake_ort_error(
        "InvalidGraph", "[ONNXRuntimeError] : 10 : INVALID_GRAPH : This is an invalid model. Error: "
                        "No Op registered for Foo with domain_version of 30")) == "unsupported"
    assert classify_ort_exception(_fake_ort_error("Fail", "Failed to construct locale")) == "error"
    assert classify_ort_exception(_fake_ort_error("InvalidArgument", "Unexpected input data type")) == "error"


def _model(op, in_type=TensorProto.FLOAT, domain="", opset=17):
    node = helper.make_node(op, ["x"], ["y"], domain=domain)
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", in_type, [3])],
                          [helper.make_tensor_value_info("y", in_type, [3])])
    imports = [helper.make_opsetid("", opset)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    return helper.make_model(g, opset_imports=imports)


def _case(name, model, x, y):
    return Case(name=name, kind="node", model=model.SerializeToString(), input_names=["x"],
                data_sets=[([x], [y])], op=model.graph.node[0].op_type)


X = np.array([-1.0, 2.0, -3.0], np.float32)


def test_ember_categories_passed_wrong_unsupported_error():
    assert run_ember(_case("ok", _model("Abs"), X, np.abs(X)))[0] == "passed"
    cat, msg = run_ember(_case("bad", _model("Abs"), X, X))
    assert cat == "wrong" and "elements differ" in msg
    cat, msg = run_ember(_case("dtype", _model("Abs"), X, np.abs(X).astype(np.float64)))
    assert cat == "wrong" and "dtype" in msg
    cat, msg = run_ember(_case("unsup", _model("NoSuchOp", domain="com.example"), X, X))
    assert cat == "unsupported" and "NoSuchOp" in msg
    # A list fed to a tensor input is taken as an array of the wrong shape: an error, not a crash.
    cat, msg = run_ember(_case("feed", _model("Abs"), [X, X], X))
    assert cat == "error" and "expects shape" in msg


def test_main_op_of_an_expanded_case():
    m = _model("Abs")
    assert main_op("test_abs", m.graph) == ("Abs", "ai.onnx")
    g = helper.make_graph([helper.make_node("Exp", ["x"], ["e"]), helper.make_node("ReduceSum", ["e"], ["s"]),
                           helper.make_node("Div", ["e", "s"], ["y"])], "g", [], [])
    assert main_op("test_softmax_axis_0_expanded", g) == ("Softmax", "ai.onnx")


# ---- isolation: crash and timeout ------------------------------------------------------------

def _run_pool(tmp_path, cases, env, timeout=60.0):
    path = tmp_path / "cases.pkl"
    path.write_bytes(pickle.dumps(cases))
    tasks = [("ember", i) for i in range(len(cases))]
    return run_tasks(tasks, str(path), jobs=1, timeout_s=timeout, log_dir=str(tmp_path), env_extra=env)


def test_a_crashing_case_is_recorded_and_the_run_goes_on(tmp_path):
    cases = [_case(f"case_{i}", _model("Abs"), X, np.abs(X)) for i in range(3)]
    res = _run_pool(tmp_path, cases, {"EMBER_CONFORMANCE_ABORT_CASE": "case_1"})
    assert res[("ember", 0)]["category"] == "passed"
    assert res[("ember", 1)]["category"] == "crashed"
    assert "SIGABRT" in res[("ember", 1)]["message"]
    assert res[("ember", 2)]["category"] == "passed"  # run by a fresh worker


def test_a_hanging_case_times_out(tmp_path):
    cases = [_case(f"case_{i}", _model("Abs"), X, np.abs(X)) for i in range(2)]
    res = _run_pool(tmp_path, cases, {"EMBER_CONFORMANCE_HANG_CASE": "case_0"}, timeout=3)
    assert res[("ember", 0)]["category"] == "error"
    assert res[("ember", 0)]["message"].startswith("timeout")
    assert res[("ember", 1)]["category"] == "passed"


# ---- baseline check --------------------------------------------------------------------------

def _row(name, cat, msg=""):
    return {"name": name, "kind": "node", "domain": "ai.onnx", "op": "Abs", "ember": {"category": cat, "message": msg}}


def test_check_passes_and_fails_for_the_right_reasons():
    base = {"passed": 2, "passed_cases": ["a", "b"]}
    assert report.check([_row("a", "passed"), _row("b", "passed"), _row("c", "unsupported")], base, False) == []
    reasons = report.check([_row("a", "passed"), _row("b", "error", "boom"), _row("c", "passed")], base, False)
    assert len(reasons) == 1 and "b (error: boom)" in reasons[0]
    reasons = report.check([_row("a", "passed"), _row("b", "passed"), _row("c", "crashed")], base, False)
    assert any("crashed on 1 case(s): c" in r for r in reasons)
    reasons = report.check([_row("a", "passed"), _row("b", "passed"), _row("c", "wrong")], base, False)
    assert any("wrong results on 1 case(s): c" in r for r in reasons)
    reasons = report.check([_row("a", "passed")], base, False)  # b vanished from the suite
    assert any("no longer exist" in r for r in reasons) and any("fewer than the baseline's 2" in r for r in reasons)


def test_update_baseline_merges_a_partial_run(tmp_path):
    path = str(tmp_path / "b.json")
    report.update_baseline(path, [_row("a", "passed"), _row("b", "passed")], {}, partial=False)
    doc = report.update_baseline(path, [_row("b", "unsupported"), _row("c", "passed")], {}, partial=True)
    assert doc["passed_cases"] == ["a", "c"] and doc["passed"] == 2


def test_end_to_end_json(tmp_path):
    from tests.conformance.run import main
    out = tmp_path / "r.json"
    rc = main(["--filter", "^test_abs$", "--no-ort", "--json", str(out)])
    assert rc == 0
    doc = json.loads(out.read_text())
    (case,) = doc["cases"]
    assert case["name"] == "test_abs" and case["op"] == "Abs" and case["domain"] == "ai.onnx"
    assert case["ember"]["category"] == "passed"
    assert doc["totals"]["ember"]["passed"] == 1
