// 2-D max / average pooling of one NCHW plane, written once over an ISA traits type V (see
// vector_loops.h for what V provides) and instantiated by each x86 pool source.
//
// Separable: for each output row the kernel_h input rows are first reduced vertically into a
// row buffer (contiguous vectors, padding columns filled with the reduction's identity), then
// the buffer is reduced horizontally with stride-w loads from L1. The former form reduced the
// kernel_h x kernel_w window of every output vector straight from the input (9 strided loads
// per vector for ResNet-50's 3x3/2 MaxPool, border columns in scalar): ember_vector_bench
// "MaxPool 1x64x112x112 3x3 s2 p1", 1 thread, AVX-512 186.7 -> 87 us, AVX2 195.8 -> 89 us; in
// ResNet-50 0.22-0.30 -> 0.15-0.18 ms (benchmarks/RESULTS.md, ResNet-50 third pass).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/dispatch/f32_vector.h"

namespace ember::kernels {

template <class V>
struct PoolLoops {
  using R = typename V::R;
  static constexpr int W = V::W;
  // Row buffer in floats (16 KB of stack). Wider rows are cut into chunks of output columns.
  static constexpr int64_t kBuf = 4096;

  template <bool kMax>
  static R reduce(R a, R b) {
    if constexpr (kMax) return V::max(a, b);
    else return V::add(a, b);
  }

  // buf[j] = reduction over rows [h0, h1) of x[h][s + j], j in [0, len); columns outside the
  // plane (and an empty row range) get `init`, which leaves the reduction unchanged.
  template <bool kMax>
  static void reduce_rows(const Pool2d& g, const float* x, int64_t h0, int64_t h1, int64_t s, int64_t len,
                          float init, float* buf) {
    const int64_t j0 = std::clamp<int64_t>(-s, 0, len), j1 = std::clamp<int64_t>(g.in_w - s, j0, len);
    for (int64_t j = 0; j < j0; ++j) buf[j] = init;
    for (int64_t j = j1; j < len; ++j) buf[j] = init;
    if (h1 <= h0) {
      for (int64_t j = j0; j < j1; ++j) buf[j] = init;
      return;
    }
    const float* r0 = x + h0 * g.in_w + s;
    int64_t j = j0;
    for (; j + W <= j1; j += W) {
      R acc = V::loadu(r0 + j);
      for (int64_t h = 1; h < h1 - h0; ++h) acc = reduce<kMax>(acc, V::loadu(r0 + h * g.in_w + j));
      V::storeu(buf + j, acc);
    }
    if (j < j1) {
      const int t = int(j1 - j);
      R acc = V::load_part(r0 + j, t, init);
      for (int64_t h = 1; h < h1 - h0; ++h) acc = reduce<kMax>(acc, V::load_part(r0 + h * g.in_w + j, t, init));
      V::store_part(buf + j, acc, t);
    }
  }

  // The average's divisor for output column ow of a row whose vertical count is `rows`
  // (valid rows, or rows inside the padded input with count_include_pad).
  static int64_t avg_count(const Pool2d& g, int64_t ow, int64_t rows) {
    const int64_t iw = ow * g.stride_w - g.pad_left;
    const int64_t cols = g.count_include_pad
                             ? std::min(iw + g.kernel_w, g.in_w + g.pad_right) - std::max(iw, -g.pad_left)
                             : std::min(iw + g.kernel_w, g.in_w) - std::max<int64_t>(iw, 0);
    return std::max<int64_t>(rows, 0) * std::max<int64_t>(cols, 0);
  }

  template <bool kMax>
  static void pool2d(const Pool2d& g, const float* x, float* y) {
    const int64_t sw = g.stride_w, kw = g.kernel_w;
    // A chunk of `chunk` output vectors reads (chunk * W - 1) * sw + kw buffered columns, and
    // the last strided load up to (W - 1) * sw + 1 past its first column: keep both in kBuf.
    const int64_t per_vec = W * sw, slack = kw + per_vec + 1;
    if (slack + per_vec > kBuf) return kMax ? f32_vector_generic_kernels().maxpool2d(g, x, y)
                                            : f32_vector_generic_kernels().avgpool2d(g, x, y);
    const int64_t chunk = (kBuf - slack) / per_vec * W;  // output columns per buffer fill
    const float init = kMax ? std::numeric_limits<float>::lowest() : 0.0f;  // as the reference op
    alignas(64) float buf[kBuf];
    // Output columns [ow_a, ow_b) have all kernel_w taps inside the row: one divisor per row.
    const int64_t ow_a = std::min(g.out_w, (g.pad_left + sw - 1) / sw);
    const int64_t last = g.in_w - kw + g.pad_left;  // largest ow * sw with the window inside
    const int64_t ow_b = std::clamp<int64_t>(last >= 0 ? last / sw + 1 : 0, ow_a, g.out_w);
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const int64_t ih = oh * g.stride_h - g.pad_top;
      const int64_t h0 = std::max<int64_t>(ih, 0), h1 = std::min(ih + g.kernel_h, g.in_h);
      const int64_t rows = g.count_include_pad
                               ? std::min(ih + g.kernel_h, g.in_h + g.pad_bottom) - std::max(ih, -g.pad_top)
                               : h1 - h0;
      float* yr = y + oh * g.out_w;
      for (int64_t c0 = 0; c0 < g.out_w; c0 += chunk) {
        const int64_t n = std::min(chunk, g.out_w - c0);
        const int64_t s = c0 * sw - g.pad_left, len = (n - 1) * sw + kw;
        reduce_rows<kMax>(g, x, h0, h1, s, len, init, buf);
        // Lanes past the chunk's last output read up to here; give them defined values.
        const int64_t end = std::min(kBuf, ((n + W - 1) / W) * per_vec + kw + 1);
        for (int64_t j = len; j < end; ++j) buf[j] = init;
        for (int64_t o = 0; o < n; o += W) {
          const float* p = buf + o * sw;
          R acc = V::load_strided(p, sw);
          for (int64_t k = 1; k < kw; ++k) acc = reduce<kMax>(acc, V::load_strided(p + k, sw));
          const int t = int(std::min<int64_t>(W, n - o));
          if constexpr (!kMax) {
            if (c0 + o >= ow_a && c0 + o + t <= ow_b && rows > 0) {
              acc = V::div(acc, V::set1(float(rows * kw)));
            } else {
              alignas(64) float cnt[W];
              for (int i = 0; i < W; ++i) {
                const int64_t c = i < t ? avg_count(g, c0 + o + i, rows) : 1;
                // An empty window's sum is 0: dividing by infinity gives the reference's 0.
                cnt[i] = c > 0 ? float(c) : std::numeric_limits<float>::infinity();
              }
              acc = V::div(acc, V::loadu(cnt));
            }
          }
          if (t == W) V::storeu(yr + c0 + o, acc);
          else V::store_part(yr + c0 + o, acc, t);
        }
      }
    }
  }
};

}  // namespace ember::kernels
