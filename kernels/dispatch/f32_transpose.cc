// Chooses the transpose entry once (kernels/dispatch/f32_transpose.h): generic, or the AVX2
// tiles on any CPU with AVX2 that EMBER_ISA allows.
#include "kernels/dispatch/f32_transpose.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

F32Transpose make_f32_transpose(uint32_t f, Isa cap) {
  F32Transpose t{"f32_transpose_generic", f32_transpose_generic};
#if EMBER_HAVE_X86_KERNELS
  if (cap >= Isa::Avx2 && (f & kCpuAvx2)) t = {"f32_transpose_8x8__avx2", avx2::f32_transpose_8x8__avx2};
#endif
  return t;
}

const F32Transpose& f32_transpose() {
  static const F32Transpose t = make_f32_transpose(cpu_features(), isa_cap_from_env());
  return t;
}

}  // namespace ember::kernels
