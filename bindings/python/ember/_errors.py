"""Exception classes raised by Ember.

Every error from the native library is an EmberError subclass chosen by its status code;
`.status` is the integer value of the C API's ember_status (src/support/error.h), so Python
code and C code can agree on what went wrong.
"""


class EmberError(Exception):
    """Base class of every error Ember raises."""

    status = -1

    @property
    def message(self):
        return str(self)


class InvalidArgumentError(EmberError):
    """A bad argument: unknown input/output name, bad option, input given twice."""
    status = 1


class InvalidModelError(EmberError):
    """The model file is malformed or inconsistent (truncated, bad protobuf, dangling value)."""
    status = 2


class UnsupportedError(EmberError):
    """The model uses an op, attribute value or element type Ember does not support."""
    status = 3


class ShapeMismatchError(EmberError):
    """An input or intermediate value has a shape the model does not accept."""
    status = 4


class TypeMismatchError(EmberError):
    """An input has the wrong element type."""
    status = 5


class OutOfMemoryError(EmberError):
    status = 6


class IoError(EmberError):
    """A file could not be read or written."""
    status = 7


class DeviceError(EmberError):
    status = 8


class EmberRuntimeError(EmberError):
    """An unexpected failure inside the runtime."""
    status = 9


ALL_ERRORS = (InvalidArgumentError, InvalidModelError, UnsupportedError, ShapeMismatchError,
              TypeMismatchError, OutOfMemoryError, IoError, DeviceError, EmberRuntimeError)
