#include "backends/cpu/gemm_conv/gemv_runner.h"

#include <algorithm>

#include "backends/cpu/gemm_conv/gemm_runner.h"

namespace ember::backends::gemm_conv {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Below 128K weights (512 KB, ~20 us of streaming on one core) a second thread's wake-up costs
// about what it saves.
constexpr double kMinParallelWeights = 128.0 * 1024;
// Column ranges in multiples of 16 outputs: each range's output is whole vectors.
constexpr int64_t kColumnQuantum = 16;

}  // namespace

void gemv(ThreadPool& pool, const kernels::F32GemvKernels& k, int64_t N, int64_t K, const float* a, const float* w,
          int64_t ldw, float* y, float alpha, const kernels::GemmEpilogue& ep) {
  auto block = [&](int64_t n0, int64_t n1) {
    k.gemv_rows(n1 - n0, K, a, w + n0 * ldw, ldw, y + n0, alpha, block_epilogue(ep, 0, n0));
  };
  const int threads = pool.threads();
  const int64_t quanta = ceil_div(N, kColumnQuantum);
  if (threads <= 1 || double(N) * double(K) < kMinParallelWeights || quanta < 2) return block(0, N);
  // A few ranges per thread: the pool hands them out dynamically, which evens out a thread
  // slowed by another process.
  const int64_t ranges = std::min<int64_t>(quanta, 4 * int64_t(threads));
  const int64_t per = ceil_div(quanta, ranges) * kColumnQuantum;
  pool.parallel_for(ceil_div(N, per), 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) block(r * per, std::min(N, (r + 1) * per));
  });
}

}  // namespace ember::backends::gemm_conv
