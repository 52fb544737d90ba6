"""`ember ops` (the supported-operator table) and docs/ops.md, which is generated from it."""
import json
import os
import subprocess
import sys

import ember
import numpy as np
import pytest
from onnx import TensorProto, helper

from conftest import ROOT
from test_cli import ember_cli

GEN = os.path.join(ROOT, "scripts", "gen_ops_doc.py")


@pytest.fixture(scope="module")
def ops_json():
    p = ember_cli("ops", "--format", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_help_lists_ops_command():
    p = ember_cli("--help")
    assert p.returncode == 0 and "ops" in p.stdout
    p = ember_cli("ops", "--help")
    assert p.returncode == 0 and "--format" in p.stdout


def test_text_table(ops_json):
    p = ember_cli("ops")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:4] == ["OP", "DOMAIN", "OPSET", "KERNELS"]
    conv = [ln for ln in lines if ln.split()[:1] == ["Conv"]]
    assert conv and "ai.onnx" in conv[0] and "cpu:reference" in conv[0] and "float32" in conv[0]
    assert f"{len(ops_json['ops'])} opset ranges" in p.stdout


def test_json_entries_are_well_formed(ops_json):
    assert "cpu" in ops_json["backends"]
    seen = {}
    for e in ops_json["ops"]:
        assert e["op"] and e["domain"] and e["since"] >= 1
        assert e["last"] is None or e["last"] >= e["since"]
        assert e["kernels"], f"{e['op']} has no kernel"
        for t in e["dtypes"]:
            assert t in {"float32", "float64", "float16", "bfloat16", "int8", "uint8", "int16", "uint16",
                         "int32", "uint32", "int64", "uint64", "bool", "string"}, (e["op"], t)
        # Opset ranges of one op do not overlap (the registry would pick one arbitrarily).
        last = e["last"] if e["last"] is not None else 1 << 30
        for since, end in seen.get((e["domain"], e["op"]), []):
            assert last < since or e["since"] > end, f"{e['domain']}/{e['op']}: overlapping opset ranges"
        seen.setdefault((e["domain"], e["op"]), []).append((e["since"], last))


def test_markdown_has_one_row_per_entry(ops_json):
    p = ember_cli("ops", "--format", "markdown")
    assert p.returncode == 0, p.stderr
    rows = [ln for ln in p.stdout.splitlines() if ln.startswith("| ") and not ln.startswith("| op |")]
    assert len(rows) == len(ops_json["ops"])
    assert rows[0].startswith(f"| {ops_json['ops'][0]['op']} | {ops_json['ops'][0]['domain']} |")


def test_bad_format_is_a_usage_error():
    p = ember_cli("ops", "--format", "xml")
    assert p.returncode == 2 and "--format must be text, markdown or json" in p.stderr


def test_domain_filter(ops_json):
    p = ember_cli("ops", "--format", "json", "--domain", "ai.onnx")
    assert p.returncode == 0, p.stderr
    only = json.loads(p.stdout)["ops"]
    assert only and all(e["domain"] == "ai.onnx" for e in only)
    assert len(only) == sum(1 for e in ops_json["ops"] if e["domain"] == "ai.onnx")


def _unary_model(op, domain="", opset=17):
    g = helper.make_graph([helper.make_node(op, ["x"], ["y"], domain=domain)], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    imports = [helper.make_opsetid("", opset)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    return helper.make_model(g, opset_imports=imports).SerializeToString()


def test_table_agrees_with_the_runtime(ops_json):
    """Listed unary float ops load and run; ops that are not listed are refused as unsupported."""
    listed = {(e["domain"], e["op"]) for e in ops_json["ops"]}
    for op in ("Abs", "Relu", "Exp", "Sigmoid"):
        assert ("ai.onnx", op) in listed
        (y,) = ember.Session(_unary_model(op), threads=1).run(None, {"x": np.ones(2, np.float32)})
        assert y.shape == (2,)
    for op, domain in (("NoSuchOp", ""), ("Frobnicate", "com.example")):
        assert (domain or "ai.onnx", op) not in listed
        with pytest.raises(ember.UnsupportedError, match=op):
            ember.Session(_unary_model(op, domain), threads=1)


def test_docs_ops_md_is_up_to_date():
    p = subprocess.run([sys.executable, GEN, "--check"], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr


def test_stale_docs_are_detected(tmp_path):
    stale = tmp_path / "ops.md"
    stale.write_text(open(os.path.join(ROOT, "docs", "ops.md")).read().replace("| Abs |", "| Abz |"))
    p = subprocess.run([sys.executable, GEN, "--check", "--output", str(stale)], capture_output=True, text=True,
                       cwd=ROOT)
    assert p.returncode == 1
    assert "stale" in p.stderr and "scripts/gen_ops_doc.py" in p.stderr
