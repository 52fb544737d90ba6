"""Runs one case through one engine and classifies the outcome.

Categories (the same for every engine):
  passed       ran, and every output matched (compare.py)
  wrong        ran, but an output's numbers, dtype, shape or count differ
  unsupported  the engine says it does not implement something the model uses:
                 Ember: ember.UnsupportedError (status EMBER_ERR_UNSUPPORTED);
                 onnxruntime: NOT_IMPLEMENTED, or a load failure because the model's opset /
                 op version / IR version is newer than it knows (see _ORT_UNSUPPORTED)
  error        any other exception, including feeds the engine's Python API cannot take and a
               per-case timeout (pool.py)
  crashed      the process died (pool.py)
"""
from __future__ import annotations

import re

import numpy as np

from .compare import compare_outputs

ENGINES = ("ember", "onnxruntime")
CATEGORIES = ("passed", "wrong", "unsupported", "error", "crashed")


def _exc_text(e: BaseException) -> str:
    msg = " ".join(str(e).split())  # one line
    return f"{type(e).__name__}: {msg}"


def _tensor_feed(name: str, value):
    """Ember's binding takes sequences as lists of arrays and empty optionals as None, like
    onnx's test data, so feeds pass through unchanged."""
    return value


def run_ember(case, threads: int = 1) -> tuple:
    import ember  # noqa: PLC0415
    try:
        sess = ember.Session(case.model, threads=threads)
        names = [o.name for o in sess.outputs]
    except ember.UnsupportedError as e:
        return "unsupported", _exc_text(e)
    except Exception as e:  # noqa: BLE001
        return "error", _exc_text(e)
    for inputs, expected in case.data_sets:
        try:
            feeds = {n: _tensor_feed(n, v) for n, v in zip(case.input_names, inputs)}
            got = sess.run(None, feeds)
        except ember.UnsupportedError as e:
            return "unsupported", _exc_text(e)
        except Exception as e:  # noqa: BLE001
            return "error", _exc_text(e)
        msg = compare_outputs(list(got), expected, case.rtol, case.atol, names)
        if msg:
            return "wrong", msg
    return "passed", ""


# A load failure of onnxruntime that means "this model is newer than I am": counted as
# unsupported, like NOT_IMPLEMENTED. Everything else onnxruntime raises is an error.
_ORT_UNSUPPORTED = re.compile(
    r"NOT_IMPLEMENTED|Could not find an implementation|is under development|"
    r"No Op registered for|No opset import for domain|Unsupported model IR version|"
    r"opset.*(not supported|is not supported|until)|is not a registered function/op|"
    r"Opset \d+ is not supported|ONNX Runtime only \*guarantees\* support", re.IGNORECASE)


def classify_ort_exception(e: BaseException) -> str:
    name = type(e).__name__
    if name == "NotImplemented":
        return "unsupported"
    if name in ("InvalidGraph", "Fail", "InvalidArgument") and _ORT_UNSUPPORTED.search(str(e)):
        return "unsupported"
    return "error"


def run_onnxruntime(case, threads: int = 1) -> tuple:
    import onnxruntime as ort  # noqa: PLC0415
    try:
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.log_severity_level = 3  # errors only
        sess = ort.InferenceSession(case.model, so, providers=["CPUExecutionProvider"])
        names = [o.name for o in sess.get_outputs()]
    except Exception as e:  # noqa: BLE001
        return classify_ort_exception(e), _exc_text(e)
    for inputs, expected in case.data_sets:
        try:
            feeds = dict(zip(case.input_names, inputs))
            got = sess.run(None, feeds)
        except Exception as e:  # noqa: BLE001
            return classify_ort_exception(e), _exc_text(e)
        # onnxruntime returns sequences as lists and empty optionals as None already.
        got = [np.asarray(g) if isinstance(g, (np.generic, float, int)) else g for g in got]
        msg = compare_outputs(list(got), expected, case.rtol, case.atol, names)
        if msg:
            return "wrong", msg
    return "passed", ""


RUNNERS = {"ember": run_ember, "onnxruntime": run_onnxruntime}
