// Byte table lookup, y[i] = table[x[i]] for a 256-entry table: the inner loop of ai.ember
// ChannelLookup with an 8-bit table (one table per channel plane), the float glue between an
// int8 model's quantized layers. The scalar loop costs ~0.4 ns per byte, ~25 % of an int8
// MobileNetV2 run (benchmarks/RESULTS.md); AVX-512 VBMI looks up 64 bytes in three
// instructions (two vpermi2b over the four 64-byte quarters of the table, one blend).
#pragma once

#include <cstdint>

#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

struct U8LookupKernels {
  const char* name;  // e.g. "u8_lookup__avx512vbmi"
  void (*lookup)(const uint8_t* x, int64_t n, const uint8_t* table, uint8_t* y);
};

// A plain loop.
const U8LookupKernels& u8_lookup_generic_kernels();
// The best entry for a feature bitmask and cap: generic, or AVX-512 VBMI.
const U8LookupKernels& make_u8_lookup_kernels(uint32_t cpu_features, Isa cap);
// make_u8_lookup_kernels(cpu_features(), isa_cap_from_env()), chosen once.
const U8LookupKernels& u8_lookup_kernels();

namespace avx512 {
const U8LookupKernels& u8_lookup_vbmi_kernels();
}
namespace avx512_simde {  // test-only: the AVX-512 source compiled against SIMDe
const U8LookupKernels& u8_lookup_vbmi_kernels();
}

}  // namespace ember::kernels
