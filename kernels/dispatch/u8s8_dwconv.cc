// Chooses the int8 depthwise entry once, by the rules of kernel_table.cc: generic first, then the
// best ISA the CPU has and EMBER_ISA allows.
#include "kernels/dispatch/u8s8_dwconv.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

const U8S8DwConvKernels& make_u8s8_dwconv_kernels(uint32_t f, Isa cap) {
  const U8S8DwConvKernels* t = &u8s8_dwconv_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  if (cap >= Isa::Avx2 && (f & kCpuAvx2)) t = &avx2::u8s8_dwconv_kernels();
  const uint32_t bw = kCpuAvx512f | kCpuAvx512bw;
  if (cap >= Isa::Avx512 && (f & bw) == bw) t = &avx512::u8s8_dwconv_kernels();
#else
  (void)f;
  (void)cap;
#endif
  return *t;
}

const U8S8DwConvKernels& u8s8_dwconv_kernels() {
  static const U8S8DwConvKernels& table = make_u8s8_dwconv_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
