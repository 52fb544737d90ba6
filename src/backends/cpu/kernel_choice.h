// Chooses, per node, between Ember's native kernels and oneDNN's (option cpu_backend:
// native | onednn | auto). Null: neither handles the node; the reference kernel runs.
#pragma once

#include <memory>

#include "ops/op_registry.h"
#include "runtime/backend.h"

namespace ember::backends {

std::unique_ptr<ops::Kernel> choose_cpu_kernel(const ir::Node& node,
                                               const runtime::BackendOptions& options);

}  // namespace ember::backends
