// How prepacking kernels read their weights: W (float32, viewed [rows, K] with K = numel /
// dim(0)) handed to a packer one block of rows at a time. A plain W is handed over whole, where
// it lies. A deferred W (ir/tensor.h: a misaligned initializer left in the model file, a pending
// Conv+BatchNormalization scale) is read block by block through Tensor::read_rows into a small
// per-thread buffer that stays in cache while the packer reads it, so the weights go from the
// file to the packed layout in one pass: no whole aligned copy, no whole folded copy.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "ir/tensor.h"

namespace ember::backends::gemm_conv {

// Floats staged per block: 256 KiB, half of a 512 KiB L2 (the target AVX2 machines') so the
// packer's destination lines fit beside it.
inline constexpr int64_t kWeightStageFloats = 64 * 1024;

// A per-thread, 64-byte aligned buffer of at least `floats` floats, reused across calls.
float* weight_stage(size_t floats);

// Calls pack(row, rows, const float* w) over rows [row_begin, row_end) of W, w pointing at row
// `row`'s K elements (rows contiguous). Blocks start at row_begin + a multiple of `strip`, so a
// packer whose layout is strips of `strip` rows packs each block as if it packed W whole.
template <class Pack>
void for_weight_rows(const Tensor& w, int64_t row_begin, int64_t row_end, int64_t strip, Pack&& pack) {
  if (row_end <= row_begin) return;
  const int64_t K = w.numel() / std::max<int64_t>(w.rank() ? w.dim(0) : 1, 1);
  if (!w.deferred()) {
    pack(row_begin, row_end - row_begin, w.data<float>() + row_begin * K);
    return;
  }
  strip = std::max<int64_t>(strip, 1);
  const int64_t per = std::max<int64_t>(strip, kWeightStageFloats / std::max<int64_t>(K, 1) / strip * strip);
  float* stage = weight_stage(size_t(std::min(per, row_end - row_begin) * K));
  for (int64_t r = row_begin; r < row_end; r += per) {
    const int64_t n = std::min(per, row_end - r);
    w.read_rows(r, n, 0, K, stage);
    pack(r, n, static_cast<const float*>(stage));
  }
}

// All of W's elements (any pending scale applied) into `dst`, never a materialised copy: for
// kernels that keep a plain copy of small weights (depthwise, short reductions).
inline void read_weights(const Tensor& w, float* dst) {
  const int64_t rows = w.rank() ? w.dim(0) : 1;
  if (rows > 0) w.read_rows(0, rows, 0, w.numel() / rows, dst);
}

}  // namespace ember::backends::gemm_conv
