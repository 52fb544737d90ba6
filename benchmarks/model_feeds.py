"""Seeded random feeds for any ONNX model file, from the input types it declares: compare.py and
per_node_vs_ort.py use them for models that scripts/make_models.py did not write (exports from
PyTorch, tf2onnx, the ONNX model zoo).

Floating-point inputs are N(0, 1); integer inputs whose name contains "mask" are all ones, those
containing "type" (token type ids) all zeros, any other integer input uniform in [0, int_high)
(token ids: keep int_high below the vocabulary size); bool inputs random. A symbolic dim takes
its value from `dims` by name ("batch=1,seq=128" on the command line), else 1.
"""
import numpy as np


def parse_dims(text):
    """'batch=1,seq=128' -> {'batch': 1, 'seq': 128}."""
    dims = {}
    for item in filter(None, (text or "").split(",")):
        name, _, value = item.partition("=")
        if not name or not value.isdigit():
            raise ValueError(f"--dims wants NAME=SIZE[,NAME=SIZE...], given '{item}'")
        dims[name] = int(value)
    return dims


def feeds_for_file(path, rng, dims=None, int_high=100):
    import onnx
    from onnx import helper

    dims = dims or {}
    model = onnx.load(path, load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    feeds = {}
    for inp in model.graph.input:
        if inp.name in initializers:  # IR < 4 lists initializers as inputs too
            continue
        tensor = inp.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else dims.get(d.dim_param, 1) for d in tensor.shape.dim]
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(tensor.elem_type))
        name = inp.name.lower()
        if dtype.kind == "f":
            feeds[inp.name] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind == "b":
            feeds[inp.name] = rng.integers(0, 2, shape).astype(bool)
        elif "mask" in name:
            feeds[inp.name] = np.ones(shape, dtype)
        elif "type" in name:
            feeds[inp.name] = np.zeros(shape, dtype)
        else:
            feeds[inp.name] = rng.integers(0, int_high, shape).astype(dtype)
    return feeds
