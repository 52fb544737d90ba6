#include "kernels/dispatch/f32_conv_direct_cv.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

void conv_position_offsets(int64_t out_h, int64_t out_w, int64_t row, int64_t col, int64_t* poff) {
  for (int64_t oy = 0; oy < out_h; ++oy)
    for (int64_t ox = 0; ox < out_w; ++ox) *poff++ = oy * row + ox * col;
}

F32ConvDirectCvKernels make_f32_conv_direct_cv_kernels(uint32_t f, Isa cap) {
  F32ConvDirectCvKernels t = f32_conv_direct_cv_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx2 && (f & avx2) == avx2) t = avx2::f32_conv_direct_cv_kernels();
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f) && (f & avx2) == avx2) t = avx512::f32_conv_direct_cv_kernels();
#endif
  return t;
}

const F32ConvDirectCvKernels& f32_conv_direct_cv_kernels() {
  static const F32ConvDirectCvKernels table = make_f32_conv_direct_cv_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
