#include "backends/cpu/kernel_choice.h"

#include "backends/cpu/native_registry.h"

namespace ember::backends {

std::unique_ptr<ops::Kernel> choose_cpu_kernel(const ir::Node& node,
                                               const runtime::BackendOptions& options) {
  return make_native_kernel(node, options);
}

}  // namespace ember::backends
