"""Finds the conformance cases and turns each into a self-contained, picklable Case.

Sources (all from the installed onnx package):
  node   onnx.backend.test.loader.load_model_tests(kind="node"). Recent onnx releases build these
         in memory (TestCase.model + .data_sets); older ones ship files under
         onnx/backend/test/data/node/<case>/ (model.onnx + test_data_set_N/{input,output}_i.pb).
         Both forms are read.
  light  onnx/backend/test/data/light/light_<model>.onnx with light_<model>_output_<i>.pb. Inputs
         are made the way onnx's own runner makes them (Runner.generate_dummy_data, random=False:
         arange(n)/n in float32, unknown dims as 1). A light model without shipped expected
         outputs gets onnxruntime's outputs as its reference (Case.reference == "onnxruntime").
  simple, pytorch-converted, pytorch-operator
         the other on-disk kinds (model.onnx + test_data_set_N): models from other exporters,
         many at old opsets. Part of the default run.
"""
from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

import numpy as np

DEFAULT_RTOL = 1e-3  # onnx.backend.test.loader's defaults
DEFAULT_ATOL = 1e-7
DEFAULT_KINDS = ("node", "light", "simple", "pytorch-converted", "pytorch-operator")
DISK_KINDS = ("simple", "pytorch-converted", "pytorch-operator")


@dataclass
class Case:
    name: str
    kind: str                  # node, light, simple, ...
    model: bytes               # serialized ModelProto
    input_names: list          # graph inputs that are fed, in order (initializers excluded)
    data_sets: list            # [(inputs, expected_outputs)]; a value: ndarray, list (sequence) or None
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    op: str = ""               # the case's main op (what it tests)
    domain: str = "ai.onnx"    # the main op's domain ("" normalized to ai.onnx)
    ops: list = field(default_factory=list)  # every op type in the top graph, in order
    reference: str = "onnx"    # where the expected outputs come from


def onnx_data_dir() -> str:
    import onnx.backend.test  # noqa: PLC0415
    return os.path.join(os.path.dirname(onnx.backend.test.__file__), "data")


def _to_value(x):
    """A test-data value as the runner compares it: TensorProto -> ndarray, numpy scalar ->
    0-d array; lists (sequences) element-wise; None (an empty optional) stays None."""
    import onnx  # noqa: PLC0415
    from onnx import numpy_helper  # noqa: PLC0415
    if x is None or isinstance(x, np.ndarray):
        return x
    if isinstance(x, onnx.TensorProto):
        return numpy_helper.to_array(x)
    if isinstance(x, (list, tuple)):
        return [_to_value(v) for v in x]
    if isinstance(x, onnx.SequenceProto):
        return [_to_value(v) for v in numpy_helper.to_list(x)]
    if isinstance(x, onnx.OptionalProto):
        return _to_value(numpy_helper.to_optional(x))
    return np.asarray(x)


def _fed_inputs(graph) -> list:
    inits = {i.name for i in graph.initializer}
    return [i.name for i in graph.input if i.name not in inits]


_SCHEMA_NAMES = None


def _schema_names() -> dict:
    """lower-case op name -> (op_type, domain) for every op onnx knows."""
    global _SCHEMA_NAMES
    if _SCHEMA_NAMES is None:
        import onnx.defs  # noqa: PLC0415
        _SCHEMA_NAMES = {}
        for s in onnx.defs.get_all_schemas_with_history():
            _SCHEMA_NAMES.setdefault(s.name.lower(), (s.name, s.domain))
    return _SCHEMA_NAMES


def norm_domain(domain: str) -> str:
    return "ai.onnx" if domain in ("", "ai.onnx") else domain


def main_op(name: str, graph) -> tuple:
    """(op_type, domain) of what a case tests: its only node; otherwise (function-expanded
    cases, multi-node cases) the longest known op whose name starts the case name (test_layer_norm...
    -> LayerNormalization); otherwise the first node that is not a Constant."""
    nodes = list(graph.node)
    expanded = "_expanded" in name  # a function op inlined: its body's nodes are not the op
    if len(nodes) == 1 and not expanded:
        return nodes[0].op_type, norm_domain(nodes[0].domain)
    key = re.sub(r"^test_", "", name).replace("_", "").lower()
    in_graph = {n.op_type.lower(): n for n in nodes}
    best = None
    for lname, (op_type, domain) in _schema_names().items():
        if key.startswith(lname) and (best is None or len(lname) > len(best[0])):
            best = (lname, op_type, domain)
    if best is not None:
        node = in_graph.get(best[0])
        return best[1], norm_domain(node.domain if node is not None else best[2])
    for n in nodes:
        if n.op_type != "Constant":
            return n.op_type, norm_domain(n.domain)
    return ("", "ai.onnx") if not nodes else (nodes[0].op_type, norm_domain(nodes[0].domain))


def _ops_of(graph) -> list:
    seen = []
    for n in graph.node:
        t = n.op_type if norm_domain(n.domain) == "ai.onnx" else f"{n.domain}.{n.op_type}"
        if t not in seen:
            seen.append(t)
    return seen


def _make_case(name, kind, model, data_sets, rtol, atol, reference="onnx") -> Case:
    op, domain = main_op(name, model.graph) if kind == "node" else ("(model)", "ai.onnx")
    if kind != "node":
        doms = sorted({norm_domain(n.domain) for n in model.graph.node} - {"ai.onnx"})
        domain = doms[0] if doms else "ai.onnx"
    return Case(name=name, kind=kind, model=model.SerializeToString(), input_names=_fed_inputs(model.graph),
                data_sets=[([_to_value(v) for v in ins], [_to_value(v) for v in outs]) for ins, outs in data_sets],
                rtol=float(rtol), atol=float(atol), op=op, domain=domain, ops=_ops_of(model.graph),
                reference=reference)


def _load_pb(path: str, type_proto):
    """One test_data_set file, read the way onnx's Runner._load_proto reads it."""
    import onnx  # noqa: PLC0415
    with open(path, "rb") as f:
        data = f.read()
    if type_proto is not None and type_proto.HasField("sequence_type"):
        p = onnx.SequenceProto()
    elif type_proto is not None and type_proto.HasField("optional_type"):
        p = onnx.OptionalProto()
    else:
        p = onnx.TensorProto()
    p.ParseFromString(data)
    return _to_value(p)


def load_dir_case(name: str, kind: str, model_dir: str, rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL) -> Case:
    """A case stored as files: model.onnx + test_data_set_N/input_i.pb, output_i.pb."""
    import onnx  # noqa: PLC0415
    model = onnx.load(os.path.join(model_dir, "model.onnx"))
    fed = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    data_sets = []
    for ds in sorted(glob.glob(os.path.join(model_dir, "test_data_set*"))):
        n_in = len(glob.glob(os.path.join(ds, "input_*.pb")))
        n_out = len(glob.glob(os.path.join(ds, "output_*.pb")))
        ins = [_load_pb(os.path.join(ds, f"input_{i}.pb"), fed[i].type if i < len(fed) else None) for i in range(n_in)]
        outs = [_load_pb(os.path.join(ds, f"output_{i}.pb"),
                         model.graph.output[i].type if i < len(model.graph.output) else None) for i in range(n_out)]
        data_sets.append((ins, outs))
    return _make_case(name, kind, model, data_sets, rtol, atol)


def load_node_cases() -> list:
    import warnings  # noqa: PLC0415
    from onnx.backend.test.loader import load_model_tests  # noqa: PLC0415
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the case generators overflow casts on purpose
        tests = load_model_tests(kind="node")
    out = []
    for t in tests:
        if t.model is not None and t.data_sets is not None:
            out.append(_make_case(t.name, "node", t.model, t.data_sets, t.rtol, t.atol))
        elif t.model_dir is not None:
            out.append(load_dir_case(t.name, "node", t.model_dir, t.rtol, t.atol))
    return out


def dummy_input(value_info) -> np.ndarray:
    """onnx's Runner.generate_dummy_data(random=False): float32 arange(n)/n, unknown dims as 1."""
    tt = value_info.type.tensor_type
    if tt.elem_type != 1:
        raise NotImplementedError(f"light model input {value_info.name!r} is not float32")
    shape = tuple(d.dim_value if d.HasField("dim_value") else 1 for d in tt.shape.dim)
    n = int(np.prod(shape))
    return (np.arange(n).reshape(shape) / n).astype(np.float32)


# rtol of the light models as onnx.backend.test.case.model registers them (default otherwise).
_LIGHT_RTOL = {"densenet121": 2e-3}


def _ort_reference(model_bytes: bytes, feeds: dict) -> list:
    import onnxruntime as ort  # noqa: PLC0415
    sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def load_light_cases() -> list:
    import onnx  # noqa: PLC0415
    out = []
    light = os.path.join(onnx_data_dir(), "light")
    for path in sorted(glob.glob(os.path.join(light, "light_*.onnx"))):
        model_name = os.path.basename(path)[len("light_"):-len(".onnx")]
        model = onnx.load(path)
        inits = {i.name for i in model.graph.initializer}
        feeds = {i.name: dummy_input(i) for i in model.graph.input if i.name not in inits}
        prefix = path[:-len(".onnx")]
        outs_files = [f"{prefix}_output_{i}.pb" for i in range(len(model.graph.output))]
        reference = "onnx"
        if all(os.path.exists(f) for f in outs_files):
            outs = [_load_pb(f, model.graph.output[i].type) for i, f in enumerate(outs_files)]
        else:  # no shipped outputs: onnxruntime is the reference (said so in the report)
            outs = _ort_reference(model.SerializeToString(), feeds)
            reference = "onnxruntime"
        out.append(_make_case(f"test_light_{model_name}", "light", model, [(list(feeds.values()), outs)],
                              _LIGHT_RTOL.get(model_name, DEFAULT_RTOL), DEFAULT_ATOL, reference))
    return out


def load_disk_kind(kind: str) -> list:
    out = []
    kind_dir = os.path.join(onnx_data_dir(), kind)
    for name in sorted(os.listdir(kind_dir)) if os.path.isdir(kind_dir) else []:
        d = os.path.join(kind_dir, name)
        if os.path.exists(os.path.join(d, "model.onnx")):
            out.append(load_dir_case(name, kind, d))
    return out


def load_cases(kinds=DEFAULT_KINDS, name_filter: str | None = None) -> list:
    """Every case of the given kinds whose name matches name_filter (re.search), sorted by name
    within a kind."""
    cases = []
    for kind in kinds:
        if kind == "node":
            found = load_node_cases()
        elif kind == "light":
            found = load_light_cases()
        else:
            found = load_disk_kind(kind)
        cases += sorted(found, key=lambda c: c.name)
    if name_filter:
        rx = re.compile(name_filter)
        cases = [c for c in cases if rx.search(c.name)]
    return cases
