// The loop engine of the elementwise ops: numpy broadcasting of up to three operands.
//
// plan_broadcast drops size-1 output dimensions and merges adjacent dimensions that every
// operand walks contiguously, so "same shape" becomes one flat run, "[N,C,H,W] + [C,1,1]"
// becomes rows of H*W with a constant second operand, and "[N,K] + [K]" becomes rows of K
// with both operands contiguous. After merging, each operand's innermost stride is 0 or 1, so
// the per-segment loops below are plain (vectorisable) loops; only the row start is computed
// with div/mod. Work is split over the flat output index, so one long row is parallel too.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "ops/op_util.h"

namespace ember::ops::ew {

constexpr size_t kMaxOperands = 3;

struct BroadcastPlan {
  Dims out_shape;                 // the broadcast output shape (unmerged)
  int64_t numel = 0;
  int64_t inner = 1;              // length of the innermost merged dimension
  Dims outer;                     // merged outer dimensions, row-major
  size_t operands = 0;
  std::array<Dims, kMaxOperands> outer_strides{};
  std::array<int64_t, kMaxOperands> inner_stride{};  // 0 (broadcast) or 1

  // Element offset of each operand at the start of row `row` (a flat index into `outer`).
  void row_offsets(int64_t row, std::array<int64_t, kMaxOperands>& offs) const;
};

// Throws ShapeMismatch naming `who` (a node description) and all shapes when incompatible.
BroadcastPlan plan_broadcast(const std::vector<Dims>& shapes, const std::string& who);

// Grain sizes for parallel_for: cheap ops need larger chunks to amortise the dispatch.
constexpr int64_t kCheapGrain = 1 << 15;
constexpr int64_t kCostlyGrain = 1 << 12;

// Calls seg(offs, out_offset, len) for contiguous segments covering the output; within a
// segment operand k advances by plan.inner_stride[k] per element.
template <class Seg>
void for_each_segment(const BroadcastPlan& p, ThreadPool& pool, int64_t grain, const Seg& seg) {
  auto body = [&](int64_t b, int64_t e) {
    std::array<int64_t, kMaxOperands> offs{};
    while (b < e) {
      const int64_t row = b / p.inner, col = b % p.inner;
      const int64_t len = std::min(e - b, p.inner - col);
      p.row_offsets(row, offs);
      for (size_t k = 0; k < p.operands; ++k) offs[k] += col * p.inner_stride[k];
      seg(offs, b, len);
      b += len;
    }
  };
  if (p.numel <= grain || pool.threads() == 1) {
    body(0, p.numel);
  } else {
    pool.parallel_for(p.numel, grain, body);
  }
}

// o[i] = f(a[i*sa], b[i*sb]) for strides in {0, 1}; split into four loops so the compiler
// sees unit strides and loop-invariant scalars.
template <class A, class B, class O, class F>
inline void binary_segment(const A* a, int64_t sa, const B* b, int64_t sb, O* o, int64_t n, const F& f) {
  if (sa && sb) {
    for (int64_t i = 0; i < n; ++i) o[i] = O(f(a[i], b[i]));
  } else if (sa) {
    const B bv = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = O(f(a[i], bv));
  } else if (sb) {
    const A av = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = O(f(av, b[i]));
  } else {
    const O v = O(f(a[0], b[0]));
    std::fill(o, o + n, v);
  }
}

// out = f(a, b) elementwise with broadcasting; `out` is already allocated with p.out_shape.
template <class A, class B, class O, class F>
void broadcast_binary(const BroadcastPlan& p, const A* a, const B* b, O* out, ThreadPool& pool,
                      int64_t grain, const F& f) {
  for_each_segment(p, pool, grain, [&](const std::array<int64_t, kMaxOperands>& offs, int64_t o, int64_t n) {
    binary_segment(a + offs[0], p.inner_stride[0], b + offs[1], p.inner_stride[1], out + o, n, f);
  });
}

// y[i] = f(x[i]) over a contiguous range, in parallel for large ranges.
template <class I, class O, class F>
void map_unary(const I* x, O* y, int64_t n, ThreadPool& pool, int64_t grain, const F& f) {
  auto body = [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = O(f(x[i]));
  };
  if (n <= grain || pool.threads() == 1) {
    body(0, n);
  } else {
    pool.parallel_for(n, grain, body);
  }
}

}  // namespace ember::ops::ew
