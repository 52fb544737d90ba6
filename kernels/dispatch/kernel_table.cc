#include "kernels/dispatch/kernel_table.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/cpu_features.h"
#include "kernels/x86/f32_gemm_x86.h"

namespace ember::kernels {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Generic: return "generic";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

std::optional<Isa> parse_isa(std::string_view s) {
  if (s == "generic") return Isa::Generic;
  if (s == "avx2") return Isa::Avx2;
  if (s == "avx512") return Isa::Avx512;
  return std::nullopt;
}

Isa isa_cap_from_env() {
  const char* v = std::getenv("EMBER_ISA");
  if (!v || !*v) return Isa::Avx512;
  if (auto isa = parse_isa(v)) return *isa;
  throw std::invalid_argument("EMBER_ISA='" + std::string(v) +
                              "' is not one of generic, avx2, avx512");
}

KernelTable make_kernel_table(uint32_t f, Isa cap) {
  KernelTable t;
  t.f32_gemm = &f32_gemm_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx2 && (f & avx2) == avx2) {
    t.isa = Isa::Avx2;
    t.f32_gemm = &avx2::f32_gemm_kernels();
  }
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f)) {
    t.isa = Isa::Avx512;
    t.f32_gemm = &avx512::f32_gemm_kernels();
  }
#endif
  return t;
}

const KernelTable& kernel_table() {
  static const KernelTable table = make_kernel_table(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
