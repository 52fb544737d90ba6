// The CPU backend: a fast kernel (Ember's native kernels or oneDNN, kernel_choice.cc) where one
// handles the node, else the op's reference kernel from src/ops.
#include "backends/cpu/cpu_backend.h"

#include "backends/cpu/kernel_choice.h"

namespace ember::backends {

namespace {

class CpuBackend final : public runtime::Backend {
 public:
  const char* name() const override { return "cpu"; }
  std::unique_ptr<ops::Kernel> make_kernel(const ir::Node& node, const ops::OpSchema& schema,
                                           ops::KernelFactoryContext& ctx,
                                           const runtime::BackendOptions& options) const override {
    if (auto fast = choose_cpu_kernel(node, options)) return fast;
    EMBER_CHECK(schema.make, Unsupported, node.describe(), ": no CPU kernel");
    return schema.make(node, ctx);
  }
};

}  // namespace

const runtime::Backend& cpu_backend() {
  static const CpuBackend backend;
  return backend;
}

}  // namespace ember::backends
