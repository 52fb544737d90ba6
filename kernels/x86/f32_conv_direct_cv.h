// The channel-vector direct convolution (kernels/dispatch/f32_conv_direct_cv.h) for one x86
// ISA: a tile of P positions x NV vectors of output channels in P*NV accumulators; per
// reduction step NV weight loads, P input broadcasts and P*NV FMAs.
//
// Loop nest, for one strip of NC = NV*L output channels:
//   for chunks of up to kChunkTiles tiles of positions (partial sums on the stack)
//     for blocks of input channels whose weights (block x taps x NC floats) fit in L1
//       for the tiles of the chunk: reduce the block, adding to the tile's partial sums
// so a weight block is read from memory once and from L1 by every other tile (the position-
// vector kernel re-streamed a whole strip per tile from L2 / memory).
//
// Templated on vector traits V (L, vec, zero, set1, load, store, fmadd, add + conv_activate's);
// included by one source per ISA; internal linkage on purpose (copies built with different -m
// flags must never be merged by the linker).
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/dispatch/f32_conv_direct_cv.h"
#include "kernels/x86/f32_conv_activate.h"

namespace ember::kernels {
namespace {

template <class V, int P, int NV>
struct ConvDirectCv {
  using vec = typename V::vec;
  static constexpr int L = V::L, NC = NV * L;
  // Weights per channel block (32 KB) and tiles per chunk (partial sums: 8 x 1.75 KB on
  // AVX-512): block and sums share a 48 KB L1. conv_bench (weights hot in L3) preferred 16 KB x
  // 24 tiles (7x7 1x1 K = 2048 0.49 -> 0.44 ms, 28x28 3x3 1.08 -> 0.95 ms), but inside ResNet-50,
  // weights coming from memory, that lost 1.2 ms over the net (medians of 5 alternated
  // profiles: 14x14 and 7x7 layers 0.06-0.09 ms slower each).
  static constexpr int64_t kBlockWeightFloats = 8 * 1024;
  static constexpr int kChunkTiles = 8;

  struct Tile {
    vec v[P][NV];
  };

  // Weight rows (NC floats each, one per reduction step) a chunk's first tile fetches ahead:
  // it reads the block from memory (layer4's 2.4-9.4 MB of weights per layer from DRAM), the
  // other tiles from L1. ResNet-50 one thread, the fetch switched per session in one process
  // (12 alternations x 5 profiled runs): layer4's 3x3 and 1x1 layers 0.92-0.94x, the 14x14 1x1
  // ones 0.96-0.97x, sum of node medians 0.98x; `ember_conv_bench --cold-w`: 7x7 outputs
  // 0.87-0.92x, 14x14 0.97x; warm 0.90-1.00x.
  static constexpr int kAheadRows = 16;

  // Adds input channels [c0, c1) to the tile whose positions read from xs[0..P). kFetch: the
  // block's weights come from memory (the chunk's first tile): fetch them kAheadRows ahead.
  template <bool kFetch>
  static void reduce(const ConvDirectCvArgs& a, const float* const* xs, int64_t c0, int64_t c1, const float* w,
                     Tile& acc) {
    Tile t = acc;
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t cbase = c * a.cstride;
      for (int k = 0; k < a.taps; ++k, w += NC) {
        const int64_t off = cbase + a.toff[k];
        if constexpr (kFetch)
          for (int v = 0; v < NV; ++v) __builtin_prefetch(w + kAheadRows * NC + v * L, 0, 3);
        vec wv[NV];
        for (int v = 0; v < NV; ++v) wv[v] = V::load(w + v * L);
        for (int p = 0; p < P; ++p) {
          const vec b = V::set1(xs[p][off]);
          for (int v = 0; v < NV; ++v) t.v[p][v] = V::fmadd(wv[v], b, t.v[p][v]);
        }
      }
    }
    acc = t;
  }

  // bias + residual + activation on a finished tile (positions [pt, pt+n), channels m..m+rows).
  static void finish(const ConvDirectCvArgs& a, int64_t m, int rows, int64_t pt, int n, const float* bias,
                     Tile& acc) {
    for (int p = 0; p < P; ++p)
      for (int v = 0; v < NV; ++v) acc.v[p][v] = V::add(acc.v[p][v], V::load(bias + v * L));
    const bool vec_act = conv_vector_activation(a.activation);
    alignas(64) float t[P][NC];
    auto spill = [&] {
      for (int p = 0; p < P; ++p)
        for (int v = 0; v < NV; ++v) V::store(t[p] + v * L, acc.v[p][v]);
    };
    if (a.residual) {
      spill();
      for (int r = 0; r < rows; ++r) {
        const float* z = a.residual + (m + r) * a.positions + pt;
        for (int p = 0; p < n; ++p) t[p][r] += z[p];
      }
      for (int p = 0; p < P; ++p)
        for (int v = 0; v < NV; ++v) acc.v[p][v] = V::load(t[p] + v * L);
    }
    if (vec_act)
      for (int p = 0; p < P; ++p)
        for (int v = 0; v < NV; ++v) acc.v[p][v] = conv_activate<V>(acc.v[p][v], a.activation, a.act_alpha, a.act_beta);
    spill();
    for (int r = 0; r < rows; ++r) {
      float* y = a.y + (m + r) * a.positions + pt;
      for (int p = 0; p < n; ++p) y[p] = t[p][r];
      if (!vec_act) V::activate_stored(y, n, a.activation, a.act_alpha, a.act_beta);
    }
  }

  static void run(const ConvDirectCvArgs& a, int64_t m0, int64_t m1, int64_t p0, int64_t p1) {
    p1 = std::min(p1, a.positions);
    m1 = std::min(m1, a.m);
    if (m0 >= m1 || p0 >= p1) return;
    const int64_t k = a.channels * a.taps;
    const int64_t block = std::max<int64_t>(1, kBlockWeightFloats / (int64_t(a.taps) * NC));
    // Balanced chunks: every chunk streams the strip's weights once, so 9 tiles are 5 + 4, not 8 + 1.
    const int64_t all_tiles = (p1 - p0 + P - 1) / P, chunks = (all_tiles + kChunkTiles - 1) / kChunkTiles;
    const int64_t chunk = (all_tiles + chunks - 1) / chunks;
    Tile part[kChunkTiles];
    for (int64_t m = m0; m < m1; m += NC) {
      const int rows = int(std::min<int64_t>(NC, m1 - m));
      const float* ws = a.w + m * k;  // strip m / NC
      alignas(64) float bias[NC] = {};
      if (a.bias) std::copy(a.bias + m, a.bias + m + rows, bias);
      for (int64_t pc = p0; pc < p1; pc += chunk * P) {
        const int64_t pe = std::min(p1, pc + chunk * P);
        const int tiles = int((pe - pc + P - 1) / P);
        for (int i = 0; i < tiles; ++i)
          for (int p = 0; p < P; ++p)
            for (int v = 0; v < NV; ++v) part[i].v[p][v] = V::zero();
        for (int64_t c0 = 0; c0 == 0 || c0 < a.channels; c0 += block) {  // once when channels == 0
          const int64_t c1 = std::min(a.channels, c0 + block);
          for (int i = 0; i < tiles; ++i) {
            const int64_t pt = pc + int64_t(i) * P;
            const int n = int(std::min<int64_t>(P, pe - pt));
            const float* xs[P];
            for (int p = 0; p < P; ++p) xs[p] = a.x + a.poff[pt + std::min(p, n - 1)];
            if (i == 0) reduce<true>(a, xs, c0, c1, ws + c0 * a.taps * NC, part[i]);
            else reduce<false>(a, xs, c0, c1, ws + c0 * a.taps * NC, part[i]);
            if (c1 == a.channels) finish(a, m, rows, pt, n, bias, part[i]);
          }
        }
      }
    }
  }
};

}  // namespace
}  // namespace ember::kernels
