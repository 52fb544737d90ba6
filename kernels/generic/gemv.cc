// The portable matrix-vector entry (kernels/dispatch/f32_gemv.h): plain loops, then the
// scalar GEMM epilogue on the one output row. The reference the vector entries are tested
// against.
#include "kernels/dispatch/f32_gemv.h"

namespace ember::kernels {
namespace {

void finish(int64_t N, float* y, float alpha, const GemmEpilogue& ep) {
  for (int64_t n = 0; n < N; ++n) y[n] *= alpha;
  apply_epilogue_scalar(y, N, 1, N, 0, 0, ep);
}

void gemv_rows_generic(int64_t N, int64_t K, const float* a, const float* w, int64_t ldw, float* y, float alpha,
                       const GemmEpilogue& ep) {
  for (int64_t n = 0; n < N; ++n) {
    const float* row = w + n * ldw;
    float acc = 0.0f;
    for (int64_t k = 0; k < K; ++k) acc += a[k] * row[k];
    y[n] = acc;
  }
  finish(N, y, alpha, ep);
}

}  // namespace

const F32GemvKernels& f32_gemv_generic_kernels() {
  static const F32GemvKernels k{"f32_gemv_generic", gemv_rows_generic};
  return k;
}

}  // namespace ember::kernels
