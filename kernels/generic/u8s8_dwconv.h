// What every int8 depthwise entry (kernels/dispatch/u8s8_dwconv.h) shares: writing one finished
// output row (int32 sums as they are, or requantized by the u8s8 GEMM's requant_row, which
// compiles to the including file's ISA: AVX2 / AVX-512 files get its 8-wide double form).
#pragma once

#include <cstring>

#include "kernels/dispatch/u8s8_dwconv.h"
#include "kernels/generic/u8s8_gemm.h"

namespace ember::kernels::u8s8_detail {

inline void dw_finish_row(const int32_t* acc, int64_t oy, const U8S8DwShape& s, const U8S8DwOut& o) {
  const int64_t at = oy * s.OW;
  switch (o.out) {
    case QuantOut::Int32: std::memcpy(static_cast<int32_t*>(o.y) + at, acc, size_t(s.OW) * 4); break;
    case QuantOut::UInt8:
      requant_row<uint8_t>(acc, o.row_mult, s.OW, o.y_zero_point, 0, 255, static_cast<uint8_t*>(o.y) + at);
      break;
    case QuantOut::Int8:
      requant_row<int8_t>(acc, o.row_mult, s.OW, o.y_zero_point, -128, 127, static_cast<int8_t*>(o.y) + at);
      break;
    case QuantOut::Float32: break;  // not a depthwise output
  }
}

}  // namespace ember::kernels::u8s8_detail
