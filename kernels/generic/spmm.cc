#include "kernels/generic/spmm.h"

#include <algorithm>

namespace ember::kernels {

void f32_spmm_generic(const CsrMatrix& w, int64_t r0, int64_t r1, int64_t P, const float* B, int64_t ldb,
                      const float* bias, float* C, int64_t ldc) {
  // Columns in chunks so the accumulators stay in L1 while a row's nonzeros stream past.
  constexpr int64_t kChunk = 64;
  float acc[kChunk];
  for (int64_t p0 = 0; p0 < P; p0 += kChunk) {
    const int64_t n = std::min(kChunk, P - p0);
    for (int64_t r = r0; r < r1; ++r) {
      std::fill(acc, acc + n, bias ? bias[r] : 0.0f);
      for (int32_t j = w.row_ptr[r]; j < w.row_ptr[r + 1]; ++j) {
        const float v = w.values[j];
        const float* b = B + int64_t(w.col_idx[j]) * ldb + p0;
        for (int64_t i = 0; i < n; ++i) acc[i] += v * b[i];
      }
      std::copy(acc, acc + n, C + r * ldc + p0);
    }
  }
}

CsrStorage csr_from_dense(int64_t rows, int64_t cols, const float* w, int64_t ld, bool transposed) {
  CsrStorage s;
  s.rows = rows;
  s.cols = cols;
  s.row_ptr.reserve(size_t(rows + 1));
  s.row_ptr.push_back(0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const float v = transposed ? w[c * ld + r] : w[r * ld + c];
      if (v == 0.0f) continue;
      s.col_idx.push_back(int32_t(c));
      s.values.push_back(v);
    }
    s.row_ptr.push_back(int32_t(s.values.size()));
  }
  return s;
}

const F32SpmmKernels& f32_spmm_generic_kernels() {
  static const F32SpmmKernels k{"f32_spmm__generic", f32_spmm_generic};
  return k;
}

}  // namespace ember::kernels
