// Turns ember::Error into the Python exception classes of ember/_errors.py.
//
// The classes are defined in Python (docstrings, pickling, a normal class hierarchy) and
// handed to the module once at import through `_register_errors`; the translator then raises
// the class registered for the error's Status with the C++ message.
#pragma once

#include <pybind11/pybind11.h>

namespace ember::python {

void bind_errors(pybind11::module_& m);

}  // namespace ember::python
