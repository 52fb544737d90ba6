// The sparse x dense loops shared by the x86 entries (kernels/dispatch/f32_spmm.h), written once
// over a small vector-traits struct V (L floats per vector; set1, load, store, fmadd, and
// load_first / store_first for the masked tail). Included by each ISA's source after V is
// defined, so every copy is compiled with that file's ISA flags.
//
// Columns go in blocks of 4 vectors (4 independent FMA chains hide the FMA latency), then the
// remainder in one pass of 1-4 vectors, the last one masked. Rows run inside a column block,
// so the block of B they all read ([K, 4L] floats) stays in cache while the nonzeros stream.
#pragma once

#include "kernels/dispatch/f32_spmm.h"

namespace ember::kernels {

// One pass over the rows for the last columns (fewer than 4 vectors): NV vectors, the last
// one holding `last` lanes (masked when Masked), so a remainder costs one pass over the
// nonzeros, not one per vector.
template <class V, int NV, bool Masked>
void spmm_tail(const CsrMatrix& w, int64_t r0, int64_t r1, int64_t p, int last, const float* B, int64_t ldb,
               const float* bias, float* C, int64_t ldc) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  for (int64_t r = r0; r < r1; ++r) {
    vec a[NV];
    for (int i = 0; i < NV; ++i) a[i] = V::set1(bias ? bias[r] : 0.0f);
    for (int32_t j = w.row_ptr[r]; j < w.row_ptr[r + 1]; ++j) {
      const vec v = V::set1(w.values[j]);
      const float* b = B + int64_t(w.col_idx[j]) * ldb + p;
      for (int i = 0; i < NV - 1; ++i) a[i] = V::fmadd(v, V::load(b + i * L), a[i]);
      const float* bl = b + (NV - 1) * L;
      a[NV - 1] = V::fmadd(v, Masked ? V::load_first(bl, last) : V::load(bl), a[NV - 1]);
    }
    float* c = C + r * ldc + p;
    for (int i = 0; i < NV - 1; ++i) V::store(c + i * L, a[i]);
    if (Masked) V::store_first(c + (NV - 1) * L, last, a[NV - 1]);
    else V::store(c + (NV - 1) * L, a[NV - 1]);
  }
}

// Full blocks of NB vectors: rows inside, so the [K, NB*L] block of B they read stays in cache.
template <class V, int NB>
int64_t spmm_blocks(const CsrMatrix& w, int64_t r0, int64_t r1, int64_t P, const float* B, int64_t ldb,
                    const float* bias, float* C, int64_t ldc) {
  using vec = typename V::vec;
  constexpr int L = V::L;
  const int32_t* ptr = w.row_ptr;
  const int32_t* idx = w.col_idx;
  const float* val = w.values;
  int64_t p = 0;
  for (; p + NB * L <= P; p += NB * L) {
    for (int64_t r = r0; r < r1; ++r) {
      vec a[NB];
      for (int i = 0; i < NB; ++i) a[i] = V::set1(bias ? bias[r] : 0.0f);
      for (int32_t j = ptr[r]; j < ptr[r + 1]; ++j) {
        const vec v = V::set1(val[j]);
        const float* b = B + int64_t(idx[j]) * ldb + p;
        for (int i = 0; i < NB; ++i) a[i] = V::fmadd(v, V::load(b + i * L), a[i]);
      }
      float* c = C + r * ldc + p;
      for (int i = 0; i < NB; ++i) V::store(c + i * L, a[i]);
    }
  }
  return p;
}

template <class V>
void spmm_rows(const CsrMatrix& w, int64_t r0, int64_t r1, int64_t P, const float* B, int64_t ldb, const float* bias,
               float* C, int64_t ldc) {
  constexpr int L = V::L;
  // 4 vectors per nonzero amortise its index and value loads. (2 vectors when [K, 4L] outgrows
  // L1 was tried: slower on K = 512 and 2048 in ember_spmm_bench, so one width for all K.)
  const int64_t p = spmm_blocks<V, 4>(w, r0, r1, P, B, ldb, bias, C, ldc);
  const int64_t rem = P - p;
  if (rem == 0) return;
  const int nv = int((rem + L - 1) / L), last = int(rem - int64_t(nv - 1) * L);
  const bool masked = last != L;
  using Fn = void (*)(const CsrMatrix&, int64_t, int64_t, int64_t, int, const float*, int64_t, const float*, float*,
                      int64_t);
  static constexpr Fn kTails[2][4] = {
      {spmm_tail<V, 1, false>, spmm_tail<V, 2, false>, spmm_tail<V, 3, false>, spmm_tail<V, 4, false>},
      {spmm_tail<V, 1, true>, spmm_tail<V, 2, true>, spmm_tail<V, 3, true>, spmm_tail<V, 4, true>}};
  kTails[masked][nv - 1](w, r0, r1, p, last, B, ldb, bias, C, ldc);
}

}  // namespace ember::kernels
