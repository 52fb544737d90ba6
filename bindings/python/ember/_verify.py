"""ember.verify: check that the optimizer leaves a model's outputs unchanged."""
import os
from dataclasses import dataclass, field
from typing import List, Optional, Union

from . import _ember


@dataclass
class VerifyResult:
    """What ember.verify found. Truthy when every output matched.

    outputs: one dict per output (name, ok, max_abs, max_rel, mismatches, tier, rtol, atol,
    problem) comparing the fully optimized model with level 0. When they differ,
    first_bad_rewrite is the label of the first rewrite whose inclusion makes them differ
    (first_bad_index its position in `rewrites`) and first_bad_outputs the comparison with the
    rewrites up to it applied. report is the text `ember verify` prints.
    """
    ok: bool
    rewrites: List[str]
    outputs: List[dict]
    first_bad_index: Optional[int] = None
    first_bad_rewrite: Optional[str] = None
    first_bad_outputs: List[dict] = field(default_factory=list)
    bisect_runs: int = 0
    report: str = ""

    def __bool__(self):
        return self.ok

    def __str__(self):
        return self.report


def verify(model: Union[str, os.PathLike, bytes], inputs: Optional[dict] = None, level: int = 3,
           rtol: Optional[float] = None, atol: Optional[float] = None, threads: int = 0,
           seed: int = 0) -> VerifyResult:
    """Runs `model` at optimization level 0 and at `level` on the same inputs and compares every
    output (|optimized - reference| <= atol + rtol * |reference|; by default the output dtype's
    tier: float32 rtol 1e-4 atol 1e-5). Inputs missing from `inputs` are random (seeded).
    When outputs differ, bisects on the number of applied rewrites to name the first bad one."""
    if inputs is not None and not isinstance(inputs, dict):
        raise TypeError(f"inputs must be a dict of input name -> array, not {type(inputs).__name__}")
    d = _ember._verify(model, inputs, int(level), -1.0 if rtol is None else float(rtol),
                       -1.0 if atol is None else float(atol), int(threads), int(seed))
    return VerifyResult(**d)
