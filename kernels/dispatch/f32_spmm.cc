#include "kernels/dispatch/f32_spmm.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

F32SpmmKernels make_f32_spmm_kernels(uint32_t f, Isa cap) {
  F32SpmmKernels t = f32_spmm_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx2 && (f & avx2) == avx2) t = avx2::f32_spmm_kernels();
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f)) t = avx512::f32_spmm_kernels();
#endif
  return t;
}

const F32SpmmKernels& f32_spmm_kernels() {
  static const F32SpmmKernels table = make_f32_spmm_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
