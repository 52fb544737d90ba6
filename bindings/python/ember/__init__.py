"""Ember: an embeddable ONNX inference runtime.

    import ember, numpy as np
    s = ember.Session("model.onnx", threads=2)
    (logits,) = s.run(None, {"input": np.zeros((1, 1, 8, 8), np.float32)})
"""
from . import _ember
from ._errors import (ALL_ERRORS, DeviceError, EmberError, EmberRuntimeError, InvalidArgumentError,
                      InvalidModelError, IoError, OutOfMemoryError, ShapeMismatchError,
                      TypeMismatchError, UnsupportedError)
from ._optimize import OptimizeResult, optimize
from ._prune import prune
from ._quantize import QuantizeResult, quantize
from ._session import Session, TensorInfo
from ._verify import VerifyResult, verify

__version__ = _ember.__version__

_ember._register_errors({cls.status: cls for cls in ALL_ERRORS})
for _cls in (EmberError,) + ALL_ERRORS:  # tracebacks say ember.ShapeMismatchError
    _cls.__module__ = __name__

__all__ = ["Session", "TensorInfo", "optimize", "OptimizeResult", "prune", "quantize", "QuantizeResult", "verify", "VerifyResult", "EmberError", "InvalidArgumentError", "InvalidModelError",
           "UnsupportedError", "ShapeMismatchError", "TypeMismatchError", "OutOfMemoryError",
           "IoError", "DeviceError", "EmberRuntimeError", "__version__"]
