#include "kernels/dispatch/f32_gemv.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

F32GemvKernels make_f32_gemv_kernels(uint32_t f, Isa cap) {
  F32GemvKernels t = f32_gemv_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx2 && (f & avx2) == avx2) t = avx2::f32_gemv_kernels();
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f)) t = avx512::f32_gemv_kernels();
#endif
  return t;
}

const F32GemvKernels& f32_gemv_kernels() {
  static const F32GemvKernels table = make_f32_gemv_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
