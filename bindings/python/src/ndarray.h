// Conversions between numpy arrays and ember::Tensor, without copies where the layout allows.
//
// Inputs: a C-contiguous, aligned, native-byte-order array is wrapped in place; anything else
// is first copied by numpy into such an array. The Tensor keeps a reference to the array, so
// the memory stays valid however long the runtime holds the tensor.
// Outputs: the Tensor moves onto the heap and a capsule owning it becomes the array's base, so
// numpy reads the runtime's buffer directly and frees it with the array.
#pragma once

#include <string>

#include <pybind11/numpy.h>

#include "ir/tensor.h"

namespace ember::python {

// numpy dtype of an element type; Unsupported for types numpy has no dtype for (bfloat16, string).
pybind11::dtype to_numpy_dtype(DType t);
// For TensorInfo: the numpy dtype, or the Ember type name where numpy has none.
pybind11::object dtype_for_info(DType t);
// Element type of a numpy dtype; TypeMismatch naming `what` when Ember has none.
DType from_numpy_dtype(const pybind11::dtype& dt, const std::string& what);

// Must be called with the GIL held (it reads the array and may copy it).
Tensor tensor_from_array(pybind11::array a, const std::string& what);
pybind11::array array_from_tensor(Tensor t);

}  // namespace ember::python
