// ai.ember ChannelLookup's input check, shared by the reference kernel (channel_lookup.cc) and
// the native one for 8-bit tables (src/backends/cpu/quant/channel_lookup.cc).
#pragma once

#include <cstdint>
#include <string>

#include "ops/op_registry.h"

namespace ember::ops::quant {

struct LookupPlanes {
  int64_t channels = 0, planes = 0, inner = 0;  // X as planes [N * C] of `inner` elements
};

// Checks X (8-bit, rank >= 2) and the table ([C, 256] of uint8, int8 or float32); throws
// naming the node otherwise.
LookupPlanes check_channel_lookup(const KernelContext& ctx, const std::string& who);

}  // namespace ember::ops::quant
