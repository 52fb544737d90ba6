// Runs one Reducer over a ReducePlan. Three loop shapes cover everything:
//   - [K, R]     innermost reduction (LayerNorm mean/var, softmax-like): one contiguous run
//                per output element;
//   - [K0, R, K1] one reduced block with kept dims inside it (GlobalPool over NCHW collapses
//                to [N*C, H*W] and lands in the first case; axis-0 sums land here): rows of K1
//                contiguous elements are folded into a block of accumulators, so memory is read
//                in order;
//   - anything else: a table of the reduced elements' offsets, walked once per output.
// Work is split over output elements with the thread pool.
#pragma once

#include <algorithm>
#include <vector>

#include "ops/reduce/reduce_plan.h"
#include "ops/reduce/reducers.h"
#include "support/thread_pool.h"

namespace ember::ops::reduce {

// Elements of input one task should touch at least, so tiny reductions stay on one thread.
constexpr int64_t kGrainElements = 1 << 15;
// Accumulators kept live at once in the column-block loop.
constexpr int64_t kColumnBlock = 256;

template <class R, class T>
void reduce_innermost(const T* in, T* out, int64_t k, int64_t r, ThreadPool& pool) {
  pool.parallel_for(k, std::max<int64_t>(1, kGrainElements / std::max<int64_t>(r, 1)),
                    [&](int64_t b, int64_t e) {
                      for (int64_t i = b; i < e; ++i) {
                        R acc;
                        const T* p = in + i * r;
                        for (int64_t j = 0; j < r; ++j) acc.add(p[j]);
                        out[i] = acc.finish(r);
                      }
                    });
}

template <class R, class T>
void reduce_middle(const T* in, T* out, int64_t k0, int64_t r, int64_t k1, ThreadPool& pool) {
  const int64_t blocks = (k1 + kColumnBlock - 1) / kColumnBlock;
  const int64_t per_task = std::max<int64_t>(r * std::min(k1, kColumnBlock), 1);
  pool.parallel_for(k0 * blocks, std::max<int64_t>(1, kGrainElements / per_task), [&](int64_t b, int64_t e) {
    std::vector<R> acc(size_t(std::min(k1, kColumnBlock)));
    for (int64_t t = b; t < e; ++t) {
      const int64_t outer = t / blocks;
      const int64_t c0 = (t % blocks) * kColumnBlock;
      const int64_t width = std::min(kColumnBlock, k1 - c0);
      std::fill(acc.begin(), acc.begin() + width, R{});
      const T* base = in + outer * r * k1 + c0;
      for (int64_t row = 0; row < r; ++row) {
        const T* p = base + row * k1;
        for (int64_t c = 0; c < width; ++c) acc[size_t(c)].add(p[c]);
      }
      T* o = out + outer * k1 + c0;
      for (int64_t c = 0; c < width; ++c) o[c] = acc[size_t(c)].finish(r);
    }
  });
}

template <class R, class T>
void reduce_general(const ReducePlan& p, const T* in, T* out, ThreadPool& pool) {
  // Offsets of the elements folded into output 0; other outputs only shift the base.
  std::vector<int64_t> offs{0};
  Dims kept_sizes, kept_strides;
  for (size_t g = 0; g < p.sizes.size(); ++g) {
    if (!p.reduced[g]) {
      kept_sizes.push_back(p.sizes[g]);
      kept_strides.push_back(p.strides[g]);
      continue;
    }
    std::vector<int64_t> next;
    next.reserve(offs.size() * size_t(p.sizes[g]));
    for (int64_t o : offs)
      for (int64_t i = 0; i < p.sizes[g]; ++i) next.push_back(o + i * p.strides[g]);
    offs = std::move(next);
  }
  const int64_t r = int64_t(offs.size());
  pool.parallel_for(p.out_count, std::max<int64_t>(1, kGrainElements / r), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      int64_t base = 0, rest = i;
      for (size_t d = kept_sizes.size(); d-- > 0;) {
        base += (rest % kept_sizes[d]) * kept_strides[d];
        rest /= kept_sizes[d];
      }
      R acc;
      for (int64_t o : offs) acc.add(in[base + o]);
      out[i] = acc.finish(r);
    }
  });
}

template <class R, class T>
void run_reduction(const ReducePlan& p, const T* in, T* out, ThreadPool& pool) {
  if (p.out_count == 0) return;
  if (p.reduce_count == 0) {  // folding an empty set: every output is the fold's identity
    const T v = R{}.finish(0);
    std::fill(out, out + p.out_count, v);
    return;
  }
  if (p.reduce_count == 1) {  // nothing to fold (noop_with_empty_axes, or only size-1 axes)
    pool.parallel_for(p.out_count, kGrainElements, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        R acc;
        acc.add(in[i]);
        out[i] = acc.finish(1);
      }
    });
    return;
  }
  const int g = p.single_reduced_group();
  if (g < 0) return reduce_general<R>(p, in, out, pool);
  int64_t k0 = 1, k1 = 1;
  for (int i = 0; i < int(p.sizes.size()); ++i) {
    if (i < g) k0 *= p.sizes[size_t(i)];
    if (i > g) k1 *= p.sizes[size_t(i)];
  }
  if (k1 == 1) reduce_innermost<R>(in, out, k0, p.sizes[size_t(g)], pool);
  else reduce_middle<R>(in, out, k0, p.sizes[size_t(g)], k1, pool);
}

}  // namespace ember::ops::reduce
