"""ember.optimize: optimize a model file once and save it, so later loads skip the optimizer."""
import os
from typing import Dict, NamedTuple, Optional, Union

from . import _ember


class OptimizeResult(NamedTuple):
    """What ember.optimize did: node counts, Ember's fused ops in the result, file sizes, times."""
    input_path: str
    output_path: str
    data_path: Optional[str]      # the external data file, None when every tensor is embedded
    level: int
    was_optimized: bool           # the input already carried metadata ember.optimized
    nodes_before: int
    nodes_after: int
    rewrites: int
    fused_ops: Dict[str, int]     # ai.ember op type -> count
    input_bytes: int
    model_bytes: int
    data_bytes: int
    external_tensors: int
    load_ms: float
    optimize_ms: float
    save_ms: float


def optimize(src: Union[str, os.PathLike], dst: Union[str, os.PathLike], level: int = 3,
             stop_after: Optional[int] = None) -> OptimizeResult:
    """Loads the ONNX model src, optimizes it at `level` (0..3) and saves it to dst.

    The saved model holds Ember's fused operators (domain "ai.ember"), keeps weights of 1 KiB
    or more in "<dst>.data" at 64-byte aligned offsets (mapped in place when loaded) and carries
    metadata_props["ember.optimized"] = str(level): ember.Session skips the optimizer for it.
    dst and its data file are written atomically (temporary names, renamed at the end).
    stop_after applies at most that many rewrites (bisecting a bad one).
    """
    if isinstance(level, bool) or not isinstance(level, int):
        raise TypeError(f"level must be an int, got {type(level).__name__}")
    stop = -1 if stop_after is None else int(stop_after)
    return OptimizeResult(**_ember.optimize(src, dst, level, stop))
