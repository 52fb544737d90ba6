// Chooses the int8 GEMM entry once, by the rules of kernel_table.cc: generic first, then the
// best ISA the CPU has and EMBER_ISA allows (VNNI above plain AVX-512BW).
#include "kernels/dispatch/u8s8_gemm.h"

#include "kernels/cpu_features.h"
#include "kernels/generic/u8s8_gemm.h"

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

bool u8s8_weights_fit_7bit(int64_t K, int64_t N, const void* B, int64_t ldb, bool transB, bool b_unsigned) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const int32_t b = u8s8_detail::b_prime(B, ldb, transB, b_unsigned, k, n);
      if (b < -64 || b > 64) return false;
    }
  return true;
}

const U8S8GemmKernels& u8s8_gemm_kernels_for_weights(const U8S8GemmKernels& k, int64_t K, int64_t N, const void* B,
                                                     int64_t ldb, bool transB, bool b_unsigned) {
  if (k.narrow && u8s8_weights_fit_7bit(K, N, B, ldb, transB, b_unsigned)) return k.narrow();
  return k;
}

}  // namespace ember::kernels
