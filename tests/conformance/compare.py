"""Compares an engine's outputs with the expected ones.

The rules are those of onnx's backend test runner (Runner.assert_similar_outputs in
onnx/backend/test/runner/__init__.py), with one deliberate difference: integers and bools are
compared exactly (onnx applies rtol to them too).

  - same number of outputs;
  - a sequence is compared element by element (same length), an optional that is empty (None)
    only equals None;
  - a tensor: same shape, same dtype; strings (object arrays), integers and bools exactly;
    floats with |actual - expected| <= atol + rtol * |expected|, NaN equals NaN, +-inf equal
    only themselves;
  - float types numpy lacks (bfloat16, float8, float4 from ml_dtypes) are compared in float32 with
    rtol at least two units in the last place of the type (onnx does this for bfloat16: 2**-6).

compare_outputs returns None when everything matches, else one line saying what differs.
"""
from __future__ import annotations

import numpy as np


def _is_ml_float(dt: np.dtype) -> bool:
    """bfloat16 / float8 / float4 from ml_dtypes (numpy kind 'V'), which numpy cannot promote."""
    if dt.kind != "V":
        return False
    try:
        import ml_dtypes  # noqa: PLC0415
        ml_dtypes.finfo(dt)
        return True
    except Exception:  # noqa: BLE001  not a float type of ml_dtypes (int4, a struct...)
        return False


def _is_ml_int(dt: np.dtype) -> bool:
    if dt.kind != "V":
        return False
    try:
        import ml_dtypes  # noqa: PLC0415
        ml_dtypes.iinfo(dt)
        return True
    except Exception:  # noqa: BLE001
        return False


def _fmt_index(flat: int, shape) -> str:
    return str(tuple(int(i) for i in np.unravel_index(flat, shape))) if shape else "()"


def compare_tensor(actual, expected, rtol: float, atol: float, what: str = "output") -> str | None:
    if expected is None or actual is None:
        if expected is None and actual is None:
            return None
        return f"{what}: expected {'an empty optional' if expected is None else 'a tensor'}, got " \
               f"{'an empty optional' if actual is None else type(actual).__name__}"
    if not isinstance(actual, np.ndarray):
        return f"{what}: expected a tensor, got {type(actual).__name__}"
    if tuple(actual.shape) != tuple(expected.shape):
        return f"{what}: shape {list(actual.shape)}, expected {list(expected.shape)}"
    if expected.dtype == object or actual.dtype == object:  # strings
        if expected.dtype != actual.dtype:
            return f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
        bad = np.flatnonzero(np.asarray(actual != expected).reshape(-1)) if actual.size else []
        if len(bad):
            i = int(bad[0])
            return (f"{what}: {len(bad)}/{actual.size} strings differ; first at {_fmt_index(i, actual.shape)}: "
                    f"got {actual.reshape(-1)[i]!r} expected {expected.reshape(-1)[i]!r}")
        return None
    if actual.dtype != expected.dtype:
        return f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
    dt = expected.dtype
    if dt.kind in "biu" or _is_ml_int(dt):
        a = actual.astype(np.int64) if dt.kind == "V" else actual
        e = expected.astype(np.int64) if dt.kind == "V" else expected
        bad = np.flatnonzero((a != e).reshape(-1))
        if len(bad):
            i = int(bad[0])
            return (f"{what}: {len(bad)}/{a.size} elements differ (exact {dt}); first at "
                    f"{_fmt_index(i, a.shape)}: got {a.reshape(-1)[i]} expected {e.reshape(-1)[i]}")
        return None
    if _is_ml_float(dt):
        import ml_dtypes  # noqa: PLC0415
        rtol = max(rtol, 2.0 ** (1 - ml_dtypes.finfo(dt).nmant))
        a, e = actual.astype(np.float32), expected.astype(np.float32)
    elif dt.kind in "fc":
        a, e = actual, expected
    else:
        return f"{what}: cannot compare dtype {dt}"
    # np.isclose is the test of np.testing.assert_allclose (equal_nan=True there too).
    ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return None
    bad = np.flatnonzero(~ok.reshape(-1))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64)).reshape(-1)[bad]
    diff = np.where(np.isnan(diff), np.inf, diff)
    j = int(bad[int(np.argmax(diff))])
    return (f"{what}: {len(bad)}/{a.size} elements differ beyond rtol={rtol:g} atol={atol:g}; worst at "
            f"{_fmt_index(j, a.shape)}: got {a.reshape(-1)[j]!r} expected {e.reshape(-1)[j]!r}")


def compare_value(actual, expected, rtol: float, atol: float, what: str = "output") -> str | None:
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            return f"{what}: expected a sequence, got {type(actual).__name__}"
        if len(actual) != len(expected):
            return f"{what}: sequence of {len(actual)} elements, expected {len(expected)}"
        for j, (a, e) in enumerate(zip(actual, expected)):
            msg = compare_value(a, e, rtol, atol, f"{what}[{j}]")
            if msg:
                return msg
        return None
    if isinstance(actual, (list, tuple)):
        return f"{what}: expected a tensor, got a sequence"
    return compare_tensor(actual, expected, rtol, atol, what)


def compare_outputs(actual: list, expected: list, rtol: float, atol: float, names=None) -> str | None:
    """None when actual matches expected, else a one-line description of the first difference."""
    if len(actual) != len(expected):
        return f"{len(actual)} outputs, expected {len(expected)}"
    for i, (a, e) in enumerate(zip(actual, expected)):
        what = f"output {i}" + (f" '{names[i]}'" if names and i < len(names) else "")
        msg = compare_value(a, e, rtol, atol, what)
        if msg:
            return msg
    return None
