"""ember.Session: load a model once, run it many times."""
import os
from typing import NamedTuple, Optional, Sequence, Tuple, Union

from . import _ember


class TensorInfo(NamedTuple):
    """Name, element type and shape of a model input or output.

    dtype is a numpy dtype (or a type name string for types numpy lacks, e.g. "bfloat16");
    shape is a tuple with None for dynamic dimensions, or None when even the rank is unknown.
    """
    name: str
    dtype: object
    shape: Optional[Tuple[Optional[int], ...]]


class Session:
    """A loaded, optimized model ready to run.

    model: a file path (str or os.PathLike) or the model's bytes.
    threads: worker threads (0: all CPUs this process may use). optimization: 0..3.
    device: "cpu" or "cuda:N". Further options (e.g. cpu_backend="native") are passed through
    as strings; an unknown option raises InvalidArgumentError listing the known ones.
    """

    def __init__(self, model: Union[str, os.PathLike, bytes], threads: int = 0,
                 optimization: int = 3, device: str = "cpu", **options):
        opts = {"threads": threads, "optimization": optimization, "device": device}
        opts.update(options)
        self._impl = _ember.Session(model, {k: v for k, v in opts.items()})
        self._inputs = [TensorInfo(*i) for i in self._impl.inputs]
        self._outputs = [TensorInfo(*o) for o in self._impl.outputs]

    @property
    def inputs(self):
        return list(self._inputs)

    @property
    def outputs(self):
        return list(self._outputs)

    def run(self, output_names: Optional[Sequence[str]], feeds: dict):
        """Runs the model; returns a list of numpy arrays in the order of output_names (all
        outputs, in model order, when None). The GIL is released while the model runs, so
        several Python threads can run one session concurrently."""
        if not isinstance(feeds, dict):
            raise TypeError(f"feeds must be a dict of input name -> array, not {type(feeds).__name__}")
        if output_names is not None and not isinstance(output_names, str):  # a str is rejected in C++
            output_names = list(output_names)
        return self._impl.run(output_names, feeds)

    def __repr__(self):
        ins = ", ".join(f"{i.name}: {i.dtype}{list(i.shape) if i.shape is not None else '[?]'}" for i in self._inputs)
        return f"<ember.Session inputs=[{ins}] outputs={[o.name for o in self._outputs]}>"
