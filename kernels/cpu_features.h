// CPU features the x86 kernels care about, read once (CPUID + XGETBV) into a bitmask.
//
// A feature bit is set only when the CPU has the instructions AND the operating system saves
// the register state they use (XCR0: YMM for AVX/AVX2/FMA, opmask + ZMM for AVX-512).
// Without the OS part, the first AVX-512 instruction faults even on a CPU that has it.
#pragma once

#include <cstdint>
#include <string>

namespace ember::kernels {

enum CpuFeature : uint32_t {
  kCpuSse42 = 1u << 0,
  kCpuAvx = 1u << 1,
  kCpuFma = 1u << 2,
  kCpuAvx2 = 1u << 3,
  kCpuF16c = 1u << 4,
  kCpuAvx512f = 1u << 5,
  kCpuAvx512dq = 1u << 6,
  kCpuAvx512bw = 1u << 7,
  kCpuAvx512vl = 1u << 8,
  kCpuAvx512vnni = 1u << 9,
  kCpuAvxVnni = 1u << 10,
  kCpuAvx512vbmi = 1u << 11,
};

// Probes the CPU every call (tests); everything else uses cpu_features().
uint32_t detect_cpu_features();
// Probed once, on first use, then cached for the life of the process.
uint32_t cpu_features();
// "avx avx2 fma ..." for logs and benchmark headers.
std::string cpu_features_string(uint32_t features);

}  // namespace ember::kernels
