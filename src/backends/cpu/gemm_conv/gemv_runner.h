// How the native Gemm / FusedMatMul call the matrix-vector kernel (kernels/dispatch/f32_gemv.h)
// when op(A) is one row and B a transposed constant: columns of the output split over the pool
// once the weight is large enough to be worth a second thread.
#pragma once

#include <cstdint>

#include "kernels/dispatch/f32_gemv.h"
#include "support/thread_pool.h"

namespace ember::backends::gemm_conv {

// y[n] = act(alpha * dot(a, w + n*ldw) + bias + residual) for n in [0, N).
void gemv(ThreadPool& pool, const kernels::F32GemvKernels& k, int64_t N, int64_t K, const float* a, const float* w,
          int64_t ldw, float* y, float alpha, const kernels::GemmEpilogue& ep);

}  // namespace ember::backends::gemm_conv
