// Chooses the byte lookup entry once, by the rules of kernel_table.cc: generic first, then the
// best ISA the CPU has and EMBER_ISA allows.
#include "kernels/dispatch/u8_lookup.h"

#include "kernels/cpu_features.h"

namespace ember::kernels {

const U8LookupKernels& make_u8_lookup_kernels(uint32_t f, Isa cap) {
  const U8LookupKernels* t = &u8_lookup_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  const uint32_t vbmi = kCpuAvx512f | kCpuAvx512bw | kCpuAvx512vbmi;
  if (cap >= Isa::Avx512 && (f & vbmi) == vbmi) t = &avx512::u8_lookup_vbmi_kernels();
#else
  (void)f;
  (void)cap;
#endif
  return *t;
}

const U8LookupKernels& u8_lookup_kernels() {
  static const U8LookupKernels& table = make_u8_lookup_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
