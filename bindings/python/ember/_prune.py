"""ember.prune: magnitude or structured (filter) pruning of a model file, with its report."""
import json
import os
import tempfile
from typing import Any, Dict, Optional, Union

from . import _ember
from ._errors import EmberError, InvalidArgumentError

PathLike = Union[str, os.PathLike]


def prune(src: PathLike, dst: PathLike, sparsity: float, structured: bool = False,
          global_threshold: bool = False, sparse_ops: bool = False, eval: Optional[PathLike] = None,
          threads: int = 0, runs: int = 20) -> Dict[str, Any]:
    """Prunes the ONNX model src to `sparsity` and saves it to dst (the same as `ember prune`).

    Unstructured (default): the smallest |w| of every Conv / Gemm / MatMul weight become zeros,
    per layer or, with global_threshold, below one threshold over all layers; dst stays plain
    ONNX. sparse_ops also stores weights sparse enough for Ember's sparse kernels as ai.ember
    SparseMatMul (Ember only). structured removes whole Conv output channels (smallest L1
    norms) and rewires their consumers. eval: an .npz (or a folder of them) with the inputs and
    `label`, for top-1 accuracy before and after.

    Returns the report: {"mode", "sparsity", "before": {...}, "after": {...}, "layers": [...],
    "sparse_ops": [...], "eval_samples"}, where before/after hold params, nonzero_params,
    flops, file_bytes, latency_ms and accuracy (None without eval).
    """
    if isinstance(sparsity, bool) or not isinstance(sparsity, (int, float)):
        raise TypeError(f"sparsity must be a number, got {type(sparsity).__name__}")
    if not 0.0 <= float(sparsity) < 1.0:
        raise InvalidArgumentError(f"sparsity must be in [0, 1), given {sparsity}")
    fd, report = tempfile.mkstemp(suffix=".json", prefix="ember_prune_")
    os.close(fd)
    try:
        args = ["prune", os.fspath(src), os.fspath(dst), "--sparsity", repr(float(sparsity)),
                "--json-file", report, "--threads", str(int(threads)), "--runs", str(int(runs))]
        if structured:
            args.append("--structured")
        if global_threshold:
            args.append("--global")
        if sparse_ops:
            args.append("--sparse-ops")
        if eval is not None:
            args += ["--eval", os.fspath(eval)]
        rc = _ember.run_cli(args)
        if rc != 0:
            raise EmberError(f"ember prune failed (exit status {rc}); see the message above")
        with open(report) as f:
            return json.load(f)
    finally:
        os.unlink(report)
