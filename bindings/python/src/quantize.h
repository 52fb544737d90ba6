// ember._ember.quantize (quantize.cc): the quantizer of src/opt/quantize from Python.
#pragma once

#include <pybind11/pybind11.h>

namespace ember::python {

void bind_quantize(pybind11::module_& m);

}  // namespace ember::python
