#include "optimize.h"

namespace ember::python {

void bind_optimize(pybind11::module_&) {}

}  // namespace ember::python
