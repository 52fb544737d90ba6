// Native ai.ember ChannelLookup (8-bit tables, src/backends/cpu/quant/channel_lookup.cc) against
// the reference kernel (src/ops/quant/channel_lookup.cc), exactly: uint8 / int8 inputs and
// tables, planes shorter and longer than the 64-byte lookup step, rank 2 and 4, 1 and 2 threads;
// a float table goes to the reference kernel.
#include <doctest/doctest.h>

#include "backends/gemm_conv/native_check.h"

namespace ember::test {

TEST_CASE("native ai.ember ChannelLookup vs the reference: 8-bit tables, plane sizes, ranks") {
  struct Case { Dims x; DType xt, tt; };
  const Case cases[] = {{{1, 3, 7, 7}, DType::UInt8, DType::UInt8},  {{2, 5, 14, 14}, DType::Int8, DType::UInt8},
                        {{1, 4, 9, 17}, DType::UInt8, DType::Int8},  {{3, 6}, DType::UInt8, DType::UInt8},
                        {{1, 2, 28, 28}, DType::Int8, DType::Int8}};
  for (const Case& c : cases) {
    const int64_t C = c.x[1];
    const bool xu = c.xt == DType::UInt8, tu = c.tt == DType::UInt8;
    for (int threads : {1, 2}) {
      CAPTURE(dims_str(c.x));
      NativeCase n{"ChannelLookup", "ai.ember", 1,
                   {random_tensor(c.xt, c.x, xu ? 0 : -128, xu ? 255 : 127),
                    random_tensor(c.tt, {C, 256}, tu ? 0 : -128, tu ? 255 : 127)},
                   {}, {1}};
      CHECK(check_native(n, threads, 1, Tier::Exact).rfind("channel_lookup:u8_lookup", 0) == 0);
    }
  }
  NativeCase f{"ChannelLookup", "ai.ember", 1,
               {random_tensor(DType::UInt8, {1, 2, 3, 3}, 0, 255), random_tensor(DType::Float32, {2, 256})}, {}, {1}};
  CHECK(native_kernel_name(f, 1).empty());
}

}  // namespace ember::test
