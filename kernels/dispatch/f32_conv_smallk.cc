#include "kernels/dispatch/f32_conv_smallk.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

F32ConvSmallKKernels make_f32_conv_smallk_kernels(uint32_t f, Isa cap) {
  F32ConvSmallKKernels t = f32_conv_smallk_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  // No AVX2 entry: 16 registers cannot hold 16-32 input vectors and 8 accumulators; the AVX2
  // GEMM and direct tiles run these layers there.
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f) && (f & avx2) == avx2) t = avx512::f32_conv_smallk_kernels();
#endif
  return t;
}

const F32ConvSmallKKernels& f32_conv_smallk_kernels() {
  static const F32ConvSmallKKernels table =
      make_f32_conv_smallk_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
