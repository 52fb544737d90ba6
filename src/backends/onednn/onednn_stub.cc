// Compiled instead of the oneDNN kernels when EMBER_WITH_ONEDNN is OFF (cmake/EmberOneDNN.cmake).
// cpu_backend=onednn is then refused at session creation ("this build has no oneDNN backend").
#include "backends/onednn/onednn_kernels.h"

namespace ember::backends {

bool onednn_available() { return false; }

std::unique_ptr<ops::Kernel> make_onednn_kernel(const ir::Node&, const runtime::BackendOptions&) {
  return nullptr;
}

}  // namespace ember::backends
