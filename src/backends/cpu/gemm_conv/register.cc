// Registers the native MatMul / Gemm / Conv kernels (and their fused ai.ember forms).
#include "backends/cpu/gemm_conv/conv_kernel.h"
#include "backends/cpu/gemm_conv/matmul_kernel.h"
#include "backends/cpu/native_registry.h"

namespace ember::backends {

void register_gemm_conv_kernels(NativeRegistry& r) {
  r.add("", "MatMul", gemm_conv::make_matmul);
  r.add("", "Gemm", gemm_conv::make_gemm);
  r.add("ai.ember", "FusedMatMul", gemm_conv::make_fused_matmul);
  r.add("", "Conv", gemm_conv::make_conv);
  r.add("ai.ember", "FusedConv", gemm_conv::make_fused_conv);
}

}  // namespace ember::backends
