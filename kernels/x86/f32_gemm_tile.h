// The f32 GEMM register tile shared by the x86 entries: an R x (NV*L) block of C accumulated
// in R*NV vector registers over kc steps of packed B, then finished in registers:
//
//   c = act(alpha * acc + beta * c + bias + residual)      (bias/residual/act on the last K block)
//
// written with masked stores when the tile is narrower than NV*L (edge columns), so no edge
// tile goes through memory or a scalar loop. R < MR handles the edge rows.
//
// Templated on a vector-traits struct V (Avx2Vec, Avx512Vec in the ISA sources) that supplies
// the intrinsics; everything has internal linkage because the same template is compiled with
// different -m flags in different files (see f32_gemm_driver.h).
//
// A is read either from a packed strip ([k][MR] floats, a_stride = MR) or directly from
// row-major A (row r at a + r*a_stride, contiguous in k): the small-M path skips packing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/f32_gemm.h"

namespace ember::kernels {
namespace {

// What the tile does after the reduction. Pointers are already offset to the tile's origin.
struct TileEpilogue {
  float alpha = 1.0f, beta = 0.0f;
  bool last = true;                 // false: a K block before the last (no bias/residual/act)
  const float* bias = nullptr;      // per column: bias[n]; per row: bias[r]
  bool bias_per_row = false;
  const float* residual = nullptr;  // residual[r * ldr + n]
  int64_t ldr = 0;
  Activation act = Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;
};

constexpr bool is_transcendental(Activation a) {
  return a == Activation::Sigmoid || a == Activation::Silu || a == Activation::Gelu ||
         a == Activation::GeluTanh;
}

// The activation on one vector; matches activate_scalar (NaN in, NaN out: x86 MAX/MIN return
// their second operand when either is NaN, so the constant goes first). This part: the
// activations without transcendental math (the others return v unchanged), cheap enough to
// inline into every tile; activate_vec below adds the transcendental ones.
template <class V>
inline typename V::vec activate_vec_cheap(typename V::vec v, Activation act, float a, float b) {
  using vec = typename V::vec;
  const vec zero = V::zero();
  switch (act) {
    case Activation::None: return v;
    case Activation::Relu: return V::max(zero, v);
    case Activation::LeakyRelu: return V::select_ge0(v, v, V::mul(v, V::set1(a)));
    case Activation::Clip: return V::min(V::set1(b), V::max(V::set1(a), v));
    case Activation::HardSigmoid:
      return V::min(V::set1(1.0f), V::max(zero, V::fmadd(V::set1(a), v, V::set1(b))));
    case Activation::HardSwish: {
      const vec t = V::min(V::set1(6.0f), V::max(zero, V::add(v, V::set1(3.0f))));
      return V::mul(V::mul(v, t), V::set1(1.0f / 6.0f));
    }
    default: break;
  }
  return v;
}

template <class V>
inline typename V::vec activate_vec(typename V::vec v, Activation act, float a, float b) {
  using vec = typename V::vec;
  if (!is_transcendental(act)) return activate_vec_cheap<V>(v, act, a, b);
  if constexpr (V::kVecTranscendental) {
    switch (act) {
      case Activation::Sigmoid: return V::sigmoid(v);
      case Activation::Silu: return V::mul(v, V::sigmoid(v));
      case Activation::Gelu: {
        const vec e = V::erf(V::mul(v, V::set1(0.70710678118654752f)));
        return V::mul(V::mul(V::set1(0.5f), v), V::add(V::set1(1.0f), e));
      }
      case Activation::GeluTanh: {
        const vec x3 = V::mul(V::mul(v, v), v);
        const vec u = V::mul(V::set1(0.7978845608028654f), V::fmadd(V::set1(0.044715f), x3, v));
        return V::mul(V::mul(V::set1(0.5f), v), V::add(V::set1(1.0f), V::tanh(u)));
      }
      default: break;
    }
  }
  return v;  // transcendental without vector math: the caller finishes with the scalar form
}

// A transcendental activation (Sigmoid, SiLU, Gelu) on a tile just stored (rows x cols at c,
// still in L1): out of line, so the many tile instantiations do not each carry their own copy
// of exp/erf/tanh for every register of the tile (that made the AVX-512 GEMM object 1.2 MB
// and the library exceed its size limit); the extra load and store per vector are small next
// to the math itself. Without vector math (V::kVecTranscendental false), the scalar forms.
template <class V>
__attribute__((noinline)) void activate_stored_tile(float* c, int64_t ldc, int rows, int cols, Activation act,
                                                    float a, float b) {
  constexpr int L = V::L;
  for (int r = 0; r < rows; ++r) {
    float* cr = c + r * ldc;
    if constexpr (V::kVecTranscendental) {
      int n = 0;
      for (; n + L <= cols; n += L) V::store(cr + n, activate_vec<V>(V::load(cr + n), act, a, b));
      if (n < cols) {
        const auto m = V::first(cols - n);
        V::store(cr + n, m, activate_vec<V>(V::load(cr + n, m), act, a, b));
      }
    } else {
      for (int n = 0; n < cols; ++n) cr[n] = activate_scalar(cr[n], act, a, b);
    }
  }
}

// The epilogue on an R x (NV*L) block of accumulators, in registers; stores to c (row r at
// c + r*ldc) with masks when the block is narrower than NV*L (nr columns). Always inlined so
// the accumulators never go through memory.
template <class V, int R, int NV>
__attribute__((always_inline)) inline void finish_tile(typename V::vec (&acc)[R][NV], float* c,
                                                       int64_t ldc, int nr, const TileEpilogue& e) {
  using vec = typename V::vec;
  constexpr int L = V::L, NR = NV * L;
  // Masks only when the tile is narrower than NR.
  const bool full = nr >= NR;
  typename V::mask m[NV];
#pragma GCC unroll 4
  for (int j = 0; j < NV; ++j) m[j] = V::first(nr - j * L);
  auto load = [&](const float* p, int j) { return full ? V::load(p) : V::load(p, m[j]); };
  const vec valpha = V::set1(e.alpha), vbeta = V::set1(e.beta);
  const bool stored_act = e.last && is_transcendental(e.act);  // after the stores, out of line
  const Activation vact = e.last && !stored_act ? e.act : Activation::None;
  const int nv_used = full ? NV : (nr + L - 1) / L;
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    float* cr = c + r * ldc;
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      if (j >= nv_used) break;
      vec v = V::mul(acc[r][j], valpha);
      if (e.beta != 0.0f) v = V::fmadd(vbeta, load(cr + j * L, j), v);
      if (e.last) {
        if (e.bias) v = V::add(v, e.bias_per_row ? V::set1(e.bias[r]) : load(e.bias + j * L, j));
        if (e.residual) v = V::add(v, load(e.residual + r * e.ldr + j * L, j));
        if (vact != Activation::None) v = activate_vec_cheap<V>(v, vact, e.act_alpha, e.act_beta);
      }
      if (full) V::store(cr + j * L, v);
      else V::store(cr + j * L, m[j], v);
    }
  }
  if (stored_act) activate_stored_tile<V>(c, ldc, R, full ? NR : nr, e.act, e.act_alpha, e.act_beta);
}

// Accumulator sets: with few rows there are too few independent FMA chains to hide the FMA
// latency (4 cycles x 2 ports wants >= 8), so small tiles accumulate consecutive k steps into
// separate sets and add them at the end.
constexpr int acc_sets(int R, int NV) { return R * NV >= 8 ? 1 : (8 + R * NV - 1) / (R * NV); }

// A packed strip is read this many k steps ahead of its use (1.5 KB for the 12-row AVX-512
// strip). In a network the packed weights (gemm_packed_a's A) come from DRAM, one line per
// 1.3 steps, which the hardware prefetchers did not fetch early enough: `ember_conv_bench
// --cold-w --residual "r50 1x1"` (weights from DRAM, activations warm, as in ResNet-50), in-process
// A/B, one thread: 14x14 256->1024 0.86x, 1024->256 0.85x, 7x7 2048->512 0.70x, 512->2048 0.74x,
// 28x28 0.91-0.95x, 56x56 0.93-0.94x; warm 0.97-1.01x. Distances 16, 32 and 64 measured alike.
constexpr int64_t kPackedAPrefetchSteps = 32;

template <class V, int R, int NV, bool kDirectA>
void gemm_tile(int64_t kc, const float* a, int64_t a_stride, const float* b, float* c,
               int64_t ldc, int nr, const TileEpilogue& e) {
  using vec = typename V::vec;
  constexpr int L = V::L, NR = NV * L, S = acc_sets(R, NV);
  // The C tile is needed after the reduction: start fetching it now (a missed C line at the
  // end of every tile costs more than the whole epilogue).
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    V::prefetch(c + r * ldc);
    V::prefetch(c + r * ldc + NR - 1);
  }
  // So is the residual (ResNet's expansions: 12 rows of 128 bytes ldr apart, which the hardware
  // prefetchers do not follow).
  if (e.last && e.residual)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      V::prefetch(e.residual + r * e.ldr);
      V::prefetch(e.residual + r * e.ldr + NR - 1);
    }
  vec acc[S][R][NV];
#pragma GCC unroll 64
  for (int s = 0; s < S; ++s)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[s][r][j] = V::zero();

  // A(r, k): packed strip a[k*a_stride + r], or direct row-major a[r*a_stride + k].
  auto a_at = [&](int r, int64_t k) -> const float* {
    return kDirectA ? a + r * a_stride + k : a + k * a_stride + r;
  };
  int64_t k = 0;
  if constexpr (S > 1) {
    for (; k + S <= kc; k += S) {
#pragma GCC unroll 8
      for (int s = 0; s < S; ++s) {
        if constexpr (!kDirectA) V::prefetch(a + (k + s + kPackedAPrefetchSteps) * a_stride);
        vec bv[NV];
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) bv[j] = V::load(b + (k + s) * NR + j * L);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
          const vec av = V::set1(*a_at(r, k + s));
#pragma GCC unroll 4
          for (int j = 0; j < NV; ++j) acc[s][r][j] = V::fmadd(av, bv[j], acc[s][r][j]);
        }
      }
    }
  }
#pragma GCC unroll 4
  for (; k < kc; ++k) {
    const float* bk = b + k * NR;
    V::prefetch(bk + 8 * NR);
    // Past the strip's end this fetches the next strip's first lines (prefetches never fault).
    if constexpr (!kDirectA) V::prefetch(a + (k + kPackedAPrefetchSteps) * a_stride);
    vec bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = V::load(bk + j * L);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const vec av = V::set1(*a_at(r, k));
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[0][r][j] = V::fmadd(av, bv[j], acc[0][r][j]);
    }
  }
#pragma GCC unroll 64
  for (int s = 1; s < S; ++s)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) acc[0][r][j] = V::add(acc[0][r][j], acc[s][r][j]);
  finish_tile<V, R, NV>(acc[0], c, ldc, nr, e);
}

}  // namespace
}  // namespace ember::kernels
