// What every int8 depthwise entry (kernels/dispatch/u8s8_dwconv.h) shares: writing one finished
// output row (int32 sums as they are, or requantized by the u8s8 GEMM's requant_row, which
// compiles to the including file's ISA: AVX2 / AVX-512 files get its 8-wide double form).
#pragma once

#include <cstring>

#include "kernels/dispatch/u8s8_dwconv.h"
#include "kernels/generic/u8s8_gemm.h"

namespace ember::kernels {
namespace {  // one copy per ISA file, like u8s8_gemm.h's helpers
namespace u8s8_detail {

// Whole groups of 8 (acc and row_mult hold OW + kDwRowSlack values) rather than requant_row's
// scalar tail, which cost more than the taps on the 7- and 14-wide rows of MobileNetV2's last
// blocks. The group that straddles the row's end writes up to 7 bytes into the rows after it,
// which this plane writes afterwards, when the plane has that many bytes left; otherwise (the
// last rows, tiny planes) it goes through a buffer: the bytes after the plane belong to another
// plane, maybe another thread's (the dev build's tests caught a 2x2 plane overwriting its
// neighbour).
template <class T>
inline void dw_requant_row(const int32_t* acc, const U8S8DwOut& o, int64_t OW, int64_t bytes_after, double lo,
                           double hi, T* y) {
  const int64_t up = (OW + 7) / 8 * 8;
  const int64_t whole = up - OW <= bytes_after ? up : OW / 8 * 8;
  requant_row<T>(acc, o.row_mult, whole, o.y_zero_point, lo, hi, y);
  if (whole >= OW) return;
  T tail[8];
  requant_row<T>(acc + whole, o.row_mult + whole, 8, o.y_zero_point, lo, hi, tail);
  std::memcpy(y + whole, tail, size_t(OW - whole) * sizeof(T));
}

inline void dw_finish_row(const int32_t* acc, int64_t oy, const U8S8DwShape& s, const U8S8DwOut& o) {
  const int64_t at = oy * s.OW;
  switch (o.out) {
    case QuantOut::Int32: std::memcpy(static_cast<int32_t*>(o.y) + at, acc, size_t(s.OW) * 4); break;
    case QuantOut::UInt8:
      dw_requant_row<uint8_t>(acc, o, s.OW, (s.OH - 1 - oy) * s.OW, 0, 255, static_cast<uint8_t*>(o.y) + at);
      break;
    case QuantOut::Int8:
      dw_requant_row<int8_t>(acc, o, s.OW, (s.OH - 1 - oy) * s.OW, -128, 127, static_cast<int8_t*>(o.y) + at);
      break;
    case QuantOut::Float32: break;  // not a depthwise output
  }
}

}  // namespace u8s8_detail
}  // namespace
}  // namespace ember::kernels
