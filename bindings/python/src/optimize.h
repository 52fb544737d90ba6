// ember.optimize (optimize.cc) and ember.verify (verify.cc): the optimizer from Python.
#pragma once

#include <pybind11/pybind11.h>

namespace ember::python {

void bind_optimize(pybind11::module_& m);
void bind_verify(pybind11::module_& m);

}  // namespace ember::python
