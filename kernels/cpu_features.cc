#include "kernels/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define EMBER_X86 1
#endif

namespace ember::kernels {
namespace {

#ifdef EMBER_X86
// XGETBV without -mxsave: this file is compiled for the baseline ISA.
uint64_t read_xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}
#endif

}  // namespace

uint32_t detect_cpu_features() {
  uint32_t f = 0;
#ifdef EMBER_X86
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 0;
  const unsigned max_leaf = eax;
  __cpuid(1, eax, ebx, ecx, edx);
  const bool osxsave = ecx & (1u << 27);
  if (ecx & (1u << 20)) f |= kCpuSse42;
  const uint64_t xcr0 = osxsave ? read_xcr0() : 0;
  // XCR0 bit 1 = SSE state, bit 2 = AVX (upper YMM) state.
  const bool os_ymm = (xcr0 & 0x6) == 0x6;
  // Bits 5..7 = opmask, ZMM0-15 upper halves, ZMM16-31.
  const bool os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0;
  if (os_ymm && (ecx & (1u << 28))) {
    f |= kCpuAvx;
    if (ecx & (1u << 12)) f |= kCpuFma;
    if (ecx & (1u << 29)) f |= kCpuF16c;
  }
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned leaf7_ebx = ebx, leaf7_ecx = ecx;
    if ((f & kCpuAvx) && (leaf7_ebx & (1u << 5))) f |= kCpuAvx2;
    if (os_zmm && (leaf7_ebx & (1u << 16))) {
      f |= kCpuAvx512f;
      if (leaf7_ebx & (1u << 17)) f |= kCpuAvx512dq;
      if (leaf7_ebx & (1u << 30)) f |= kCpuAvx512bw;
      if (leaf7_ebx & (1u << 31)) f |= kCpuAvx512vl;
      if (leaf7_ecx & (1u << 11)) f |= kCpuAvx512vnni;
      if (leaf7_ecx & (1u << 1)) f |= kCpuAvx512vbmi;
    }
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    if ((f & kCpuAvx2) && (eax & (1u << 4))) f |= kCpuAvxVnni;
  }
#endif
  return f;
}

uint32_t cpu_features() {
  static const uint32_t features = detect_cpu_features();
  return features;
}

std::string cpu_features_string(uint32_t f) {
  static const struct { uint32_t bit; const char* name; } names[] = {
      {kCpuSse42, "sse4.2"},       {kCpuAvx, "avx"},           {kCpuFma, "fma"},
      {kCpuAvx2, "avx2"},          {kCpuF16c, "f16c"},         {kCpuAvx512f, "avx512f"},
      {kCpuAvx512dq, "avx512dq"},  {kCpuAvx512bw, "avx512bw"}, {kCpuAvx512vl, "avx512vl"},
      {kCpuAvx512vnni, "avx512vnni"}, {kCpuAvxVnni, "avxvnni"},  {kCpuAvx512vbmi, "avx512vbmi"},
  };
  std::string s;
  for (const auto& n : names)
    if (f & n.bit) s += (s.empty() ? "" : " ") + std::string(n.name);
  return s.empty() ? "none" : s;
}

}  // namespace ember::kernels
