"""ember.quantize: INT8 / int4 / fp16 compression of a model file, with a before/after report."""
import os
from typing import Dict, Iterable, List, Mapping, NamedTuple, Optional, Union

import numpy as np

from . import _ember

Feeds = Iterable[Mapping[str, "np.ndarray"]]


class QuantizeResult(NamedTuple):
    """What ember.quantize did and measured (Ember sessions on both files)."""
    input_path: str
    output_path: str
    mode: str                         # "static", "dynamic", "weight-only", "fp16"
    details: str
    rewrites: List[str]               # one label per rewritten node
    ops_after: Dict[str, int]         # op type -> count in the saved graph
    bytes_before: int
    bytes_after: int
    latency_before_ms: Optional[float]  # medians; None when runs=0
    latency_after_ms: Optional[float]
    top1_before: Optional[float]      # fractions in [0, 1]; None without eval
    top1_after: Optional[float]
    eval_rows: int
    report: str                       # the table `ember quantize` prints
    json: str                         # the same as `ember quantize --json`


def _feed_list(items, what):
    if items is None:
        return None
    if isinstance(items, Mapping):
        raise TypeError(f"{what} must be an iterable of feed dicts, not a single dict")
    return [dict((str(k), np.asarray(v)) for k, v in d.items()) if isinstance(d, Mapping) else d
            for d in items]


def quantize(src: Union[str, os.PathLike], dst: Union[str, os.PathLike], *,
             calibration: Optional[Feeds] = None, dynamic: bool = False,
             weight_only: Optional[str] = None, fp16: bool = False,
             method: str = "minmax", percentile: float = 99.99, per_channel: bool = False,
             reduce_range: bool = False,
             block_size: int = 32, eval: Optional[Feeds] = None, label: str = "label",
             runs: int = 10, threads: int = 0, progress: bool = True) -> QuantizeResult:
    """Quantizes the ONNX model src and saves it to dst (a standard ONNX file, written atomically).

    Exactly one of:
      calibration=feeds   static INT8: the model runs on each feed dict to calibrate activation
                          ranges (method "minmax", "percentile" or "entropy");
      dynamic=True        dynamic INT8 for MatMul/Gemm;
      weight_only="int8"|"int4"  MatMul/Gemm weights stored in blocks of block_size;
      fp16=True           float32 weights stored as float16.
    per_channel gives weights one scale per output channel / column; reduce_range keeps int8
    weights to 7 bits, for u8 x s8 kernels that saturate at 16 bits (onnxruntime on AVX2 machines
    without VNNI). eval (feed dicts that
    also hold a `label` array) adds top-1 accuracy before/after; runs sets how many timed runs
    the latency medians use (0: none).
    """
    chosen = [calibration is not None, bool(dynamic), weight_only is not None, bool(fp16)]
    if sum(chosen) != 1:
        raise ValueError("give exactly one of calibration=..., dynamic=True, weight_only='int8'|'int4', fp16=True")
    mode = ["static", "dynamic", "weight-only", "fp16"][chosen.index(True)]
    if weight_only is not None and weight_only not in ("int8", "int4"):
        raise ValueError(f"weight_only must be 'int8' or 'int4', got {weight_only!r}")
    if method not in ("minmax", "percentile", "entropy"):
        raise ValueError(f"method must be 'minmax', 'percentile' or 'entropy', got {method!r}")
    calib = _feed_list(calibration, "calibration")
    if mode == "static" and not calib:
        raise ValueError("calibration is empty: static quantization needs at least one feed dict")
    d = _ember.quantize(src, dst, mode, calib, method, float(percentile), bool(per_channel), bool(reduce_range),
                        weight_only or "int8", int(block_size), _feed_list(eval, "eval"), label,
                        int(runs), int(threads), bool(progress))
    return QuantizeResult(**d)
