// Chooses the f32 vector kernel table once, by the rules of kernel_table.cc: generic first,
// then the best ISA the CPU has and EMBER_ISA allows. Each ISA's table is complete by itself.
#include "kernels/dispatch/f32_vector.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

const F32VectorKernels& make_vector_kernels(uint32_t f, Isa cap) {
  const F32VectorKernels* t = &f32_vector_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx2 && (f & avx2) == avx2) t = &avx2::f32_vector_kernels();
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f) && (f & avx2) == avx2) t = &avx512::f32_vector_kernels();
#endif
  return *t;
}

const F32VectorKernels& vector_kernels() {
  static const F32VectorKernels& table = make_vector_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
