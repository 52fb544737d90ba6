#include "optimize.h"

namespace ember::python {

void bind_verify(pybind11::module_&) {}

}  // namespace ember::python
