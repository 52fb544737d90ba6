// The vector kernel tables these tests can run here: each ISA the CPU has, and the AVX-512
// source through SIMDe when the test build has it.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/f32_vector.h"

namespace ember::test {

inline std::vector<const kernels::F32VectorKernels*> vector_isa_tables() {
  std::vector<const kernels::F32VectorKernels*> t;
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features(), avx2 = kernels::kCpuAvx2 | kernels::kCpuFma;
  if ((f & avx2) == avx2) t.push_back(&kernels::avx2::f32_vector_kernels());
  if ((f & avx2) == avx2 && (f & kernels::kCpuAvx512f)) t.push_back(&kernels::avx512::f32_vector_kernels());
#endif
#if EMBER_TEST_AVX512_SIMDE
  t.push_back(&kernels::avx512_simde::f32_vector_kernels());
#endif
  return t;
}

}  // namespace ember::test
