// The x86 matrix-vector entry (kernels/dispatch/f32_gemv.h), written once over vector traits
// V (the convolution kernels' ConvAvx2 / ConvAvx512: zero, set1, load, load_first, store,
// store_first, fmadd, add, mul, max, min, select_ge0). Internal linkage on purpose: each ISA
// source compiles its own copy with its own -m flags.
//
// The product is bound by reading W once (every weight is used once), so the loop is laid out
// for the memory system, not for register reuse. The rows of W are cut into kGemvStreams
// contiguous bands and one row of each band is reduced per step: kGemvStreams long sequential
// streams (a band is N / 4 rows back to back), each prefetched kGemvPrefetchFloats ahead,
// which runs into the band's next row. Measured (ember_gemv_bench, W from DRAM, one core,
// MobileNetV2's and ResNet-50's classifiers, time relative to the packed GEMM with M = 1;
// benchmarks/RESULTS.md): 8 adjacent rows at a time, 8 short 5 KB streams that the
// prefetchers pick up anew every row, took 1.12-1.5x; one row at a time (a single stream)
// 1.13-1.3x; the 4 bands 0.94-1.05x (AVX2 0.97-1.09x).
//
// The epilogue runs on the finished output row, still in L1: bias, residual and the
// piecewise-linear activations in vectors, the transcendental ones (Sigmoid, Silu, Gelu) on the
// stored row through the ISA's elementwise kernel (activate_stored).
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/dispatch/f32_gemv.h"
#include "kernels/x86/f32_conv_activate.h"

namespace ember::kernels {
namespace {

constexpr int kGemvStreams = 4;      // bands of rows reduced side by side
constexpr int kGemvStepFloats = 32;  // of each row per step: 2 lines (2 zmm / 4 ymm accumulators)
// How far ahead (in floats: 4 KB) each stream is prefetched; 8 KB was no better.
constexpr int64_t kGemvPrefetchFloats = 1024;

template <class V>
float gemv_hsum(typename V::vec v) {
  alignas(64) float t[V::L];
  V::store(t, v);
  float s = 0.0f;
  for (int i = 0; i < V::L; ++i) s += t[i];
  return s;
}

// y[r * ys] = dot(a, w + r * ws) for r < R (R rows ws floats apart).
template <class V, int R>
void gemv_dot_rows(int64_t K, const float* a, const float* w, int64_t ws, float* y, int64_t ys) {
  using vec = typename V::vec;
  constexpr int L = V::L, U = kGemvStepFloats / L;
  vec acc[R][U];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) acc[r][u] = V::zero();
  int64_t k = 0;
  for (; k + U * L <= K; k += U * L) {
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) {
      const vec av = V::load(a + k + u * L);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        if ((u * L) % 16 == 0)  // once per 64-byte line
          __builtin_prefetch(w + r * ws + k + u * L + kGemvPrefetchFloats, 0, 3);
        acc[r][u] = V::fmadd(av, V::load(w + r * ws + k + u * L), acc[r][u]);
      }
    }
  }
  for (; k < K; k += L) {
    const int n = int(std::min<int64_t>(L, K - k));
    const vec av = V::load_first(a + k, n);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) acc[r][0] = V::fmadd(av, V::load_first(w + r * ws + k, n), acc[r][0]);
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int u = 1; u < U; ++u) acc[r][0] = V::add(acc[r][0], acc[r][u]);
    y[r * ys] = gemv_hsum<V>(acc[r][0]);
  }
}

// y = act(alpha * y + bias + residual) on the N outputs.
template <class V>
void gemv_finish(int64_t N, float* y, float alpha, const GemmEpilogue& ep) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const vec va = V::set1(alpha);
  const bool vector_act = conv_vector_activation(ep.activation);
  for (int64_t n = 0; n < N; n += L) {
    const int c = int(std::min<int64_t>(L, N - n));
    auto load = [&](const float* p) { return c == L ? V::load(p) : V::load_first(p, c); };
    vec v = V::mul(load(y + n), va);
    if (ep.bias) v = V::add(v, ep.bias_per_row ? V::set1(ep.bias[0]) : load(ep.bias + n));
    if (ep.residual) v = V::add(v, load(ep.residual + n));
    if (vector_act) v = conv_activate<V>(v, ep.activation, ep.act_alpha, ep.act_beta);
    if (c == L) V::store(y + n, v);
    else V::store_first(y + n, c, v);
  }
  if (!vector_act) V::activate_stored(y, N, ep.activation, ep.act_alpha, ep.act_beta);
}

template <class V>
void gemv_rows_x86(int64_t N, int64_t K, const float* a, const float* w, int64_t ldw, float* y, float alpha,
                   const GemmEpilogue& ep) {
  const int64_t band = N / kGemvStreams;
  for (int64_t i = 0; i < band; ++i) gemv_dot_rows<V, kGemvStreams>(K, a, w + i * ldw, band * ldw, y + i, band);
  for (int64_t n = band * kGemvStreams; n < N; ++n) gemv_dot_rows<V, 1>(K, a, w + n * ldw, 0, y + n, 0);
  gemv_finish<V>(N, y, alpha, ep);
}

}  // namespace
}  // namespace ember::kernels
