"""The summary table, the JSON summary, the failure list and the baseline check."""
from __future__ import annotations

import json
import os
from collections import Counter, defaultdict

from .engines import CATEGORIES

SHORT = {"passed": "pass", "wrong": "wrong", "unsupported": "unsup", "error": "error", "crashed": "crash"}
ENGINE_TITLE = {"ember": "Ember", "onnxruntime": "onnxruntime"}


def group_of(row: dict) -> str:
    """The table row a case counts in: light models apart, node cases by their op's domain."""
    if row["kind"] == "light":
        return "light models"
    if row["kind"] != "node":
        return f"{row['kind']} models"
    return row["domain"]


def _group_order(g: str) -> tuple:
    fixed = {"ai.onnx": 0, "ai.onnx.ml": 1}
    return (fixed.get(g, 2 if not g.endswith("models") else 3), g)


def totals(rows: list, engine: str) -> dict:
    c = Counter(r[engine]["category"] for r in rows if engine in r)
    return {cat: c.get(cat, 0) for cat in CATEGORIES}


def summary_table(rows: list, engines: list) -> str:
    groups = defaultdict(list)
    for r in rows:
        groups[group_of(r)].append(r)
    names = sorted(groups, key=_group_order)
    label_w = max([len("all cases")] + [len(g) for g in names]) + 2
    cell = 6
    head1 = " " * (label_w + 7)
    head2 = f"{'':<{label_w}}{'cases':>6} "
    for e in engines:
        block = "".join(f"{SHORT[c]:>{cell}}" for c in CATEGORIES)
        head1 += f"| {ENGINE_TITLE[e]:<{len(block)}} "
        head2 += f"| {block} "
    lines = [head1.rstrip(), head2.rstrip(), "-" * len(head2.rstrip())]

    def line(label, rs):
        s = f"{label:<{label_w}}{len(rs):>6} "
        for e in engines:
            t = totals(rs, e)
            s += "| " + "".join(f"{t[c]:>{cell}}" for c in CATEGORIES) + " "
        return s.rstrip()

    for g in names:
        lines.append(line(g, groups[g]))
    lines.append("-" * len(head2.rstrip()))
    lines.append(line("all cases", rows))
    return "\n".join(lines)


def ort_only_passes(rows: list) -> list:
    return [r for r in rows if r.get("onnxruntime", {}).get("category") == "passed"
            and r["ember"]["category"] != "passed"]


def format_case_list(rows: list, engine: str = "ember", width: int = 160) -> str:
    out = []
    name_w = max([len(r["name"]) for r in rows] + [10])
    op_w = max([len(r["op"]) for r in rows] + [4])
    for r in rows:
        res = r[engine]
        msg = res["message"]
        text = f"{res['category']:<12}{r['name']:<{name_w}}  {r['op']:<{op_w}}  {msg}"
        out.append(text if len(text) <= width else text[:width - 3] + "...")
    return "\n".join(out)


def failures_text(rows: list) -> str:
    """One line per case Ember did not pass: category, case, op, message (tab-separated)."""
    return "".join(f"{r['ember']['category']}\t{r['name']}\t{r['op']}\t{r['ember']['message']}\n"
                   for r in rows if r["ember"]["category"] != "passed")


def write_json(path: str, rows: list, engines: list, meta: dict):
    doc = dict(meta)
    doc["totals"] = {e: totals(rows, e) for e in engines}
    by_group = defaultdict(list)
    for r in rows:
        by_group[group_of(r)].append(r)
    doc["by_domain"] = {g: {"cases": len(rs), **{e: totals(rs, e) for e in engines}}
                        for g, rs in sorted(by_group.items(), key=lambda kv: _group_order(kv[0]))}
    doc["cases"] = rows
    _write_atomic(path, json.dumps(doc, indent=1) + "\n")


def _write_atomic(path: str, text: str):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# ---- baseline --------------------------------------------------------------------------------

def load_baseline(path: str) -> dict:
    with open(path) as f:
        return json.load(f)


def update_baseline(path: str, rows: list, meta: dict, partial: bool) -> dict:
    """Ember's passing cases become the baseline. A partial run (--filter) only replaces the
    entries of the cases it ran."""
    passed = {r["name"] for r in rows if r["ember"]["category"] == "passed"}
    if partial and os.path.exists(path):
        ran = {r["name"] for r in rows}
        passed |= {n for n in load_baseline(path).get("passed_cases", []) if n not in ran}
    doc = {"comment": "Ember's passing conformance cases; written by "
                      "`python -m tests.conformance.run --update-baseline` (see docs/conformance.md)",
           "onnx_version": meta.get("onnx_version"), "passed": len(passed),
           "passed_cases": sorted(passed)}
    _write_atomic(path, json.dumps(doc, indent=1) + "\n")
    return doc


def check(rows: list, baseline: dict, partial: bool) -> list:
    """Reasons the run fails the check (empty: it passes). Fails on any Ember crash, any wrong
    answer, any baseline case that no longer passes, and fewer passes than the baseline."""
    reasons = []
    crashed = [r for r in rows if r["ember"]["category"] == "crashed"]
    wrong = [r for r in rows if r["ember"]["category"] == "wrong"]
    if crashed:
        reasons.append(f"Ember crashed on {len(crashed)} case(s): " + "; ".join(
            f"{r['name']} ({r['ember']['message'][:160]})" for r in crashed))
    if wrong:
        reasons.append(f"Ember gave wrong results on {len(wrong)} case(s): " + "; ".join(
            f"{r['name']} ({r['ember']['message'][:160]})" for r in wrong))
    by_name = {r["name"]: r for r in rows}
    base = baseline.get("passed_cases", [])
    broke = [n for n in base if n in by_name and by_name[n]["ember"]["category"] != "passed"]
    if broke:
        reasons.append(f"{len(broke)} case(s) passed in the baseline and do not now: " + ", ".join(
            f"{n} ({by_name[n]['ember']['category']}: {by_name[n]['ember']['message'][:120]})" for n in broke))
    missing = [n for n in base if n not in by_name]
    if not partial and missing:
        reasons.append(f"{len(missing)} baseline case(s) no longer exist in the suite: " + ", ".join(missing[:20])
                       + (" ..." if len(missing) > 20 else "") + " (update the baseline if the onnx package changed)")
    passed = sum(1 for r in rows if r["ember"]["category"] == "passed")
    expected = len([n for n in base if n in by_name]) if partial else baseline.get("passed", len(base))
    if passed < expected:
        reasons.append(f"Ember passed {passed} case(s), fewer than the baseline's {expected}")
    return reasons
