// Chooses the int8 GEMM entry once, by the rules of kernel_table.cc: generic first, then the
// best ISA the CPU has and EMBER_ISA allows (VNNI above plain AVX-512BW).
#include "kernels/dispatch/u8s8_gemm.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

const U8S8GemmKernels& make_u8s8_gemm_kernels(uint32_t f, Isa cap) {
  const U8S8GemmKernels* t = &u8s8_gemm_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  if (cap >= Isa::Avx2 && (f & kCpuAvx2)) t = &avx2::u8s8_gemm_kernels();
  const uint32_t bw = kCpuAvx512f | kCpuAvx512bw;
  if (cap >= Isa::Avx512 && (f & bw) == bw) {
    t = (f & kCpuAvx512vnni) ? &avx512::u8s8_gemm_vnni_kernels() : &avx512::u8s8_gemm_bw_kernels();
  }
#else
  (void)f;
  (void)cap;
#endif
  return *t;
}

const U8S8GemmKernels& u8s8_gemm_kernels() {
  static const U8S8GemmKernels& table = make_u8s8_gemm_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
