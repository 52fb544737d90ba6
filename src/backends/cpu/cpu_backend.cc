// The CPU backend. Today every op runs its reference kernel from src/ops; optimised kernels
// (AVX2/AVX-512, oneDNN) are chosen here per node when they exist.
#include "backends/cpu/cpu_backend.h"

namespace ember::backends {

namespace {

class CpuBackend final : public runtime::Backend {
 public:
  const char* name() const override { return "cpu"; }
  std::unique_ptr<ops::Kernel> make_kernel(const ir::Node& node, const ops::OpSchema& schema,
                                           ops::KernelFactoryContext& ctx) const override {
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
