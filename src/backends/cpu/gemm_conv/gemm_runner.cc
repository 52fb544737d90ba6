#include "backends/cpu/gemm_conv/gemm_runner.h"

#include <algorithm>

#include "kernels/generic/gemm.h"

namespace ember::backends::gemm_conv {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }

// Packing is a copy: below ~1 MiB a second thread's wake-up costs about what it saves.
constexpr double kMinParallelPackFloats = 256.0 * 1024;

}  // namespace

Split plan_split(int64_t M, int64_t N, int64_t K, int mr, int nr, bool can_split_n, bool prefer_n,
                 int threads) {
  Split s;
  s.mb = std::max<int64_t>(M, 1);
  s.nb = std::max<int64_t>(N, 1);
  const double macs = double(M) * double(N) * double(std::max<int64_t>(K, 1));
  if (threads <= 1 || macs < kMinParallelMacs) return s;
  const int64_t want = split_blocks_wanted(macs, threads);
  const int64_t m_units = ceil_div(M, mr), n_units = can_split_n ? ceil_div(N, nr) : 1;
  // Keep blocks at least 4 column panels / 2 row strips wide so the micro-kernel stays efficient.
  const int64_t max_nt = std::max<int64_t>(1, n_units / 4), max_mt = std::max<int64_t>(1, m_units / 2);
  int64_t nt = 1, mt = 1;
  if (prefer_n) {
    nt = std::min(want, max_nt);
    mt = std::min(ceil_div(want, nt), max_mt);
  } else {
    mt = std::min(want, max_mt);
    nt = std::min(ceil_div(want, mt), max_nt);
  }
  s.mb = round_up(ceil_div(M, mt), mr);
  s.nb = round_up(ceil_div(N, nt), nr);
  s.mt = ceil_div(M, s.mb);
  s.nt = ceil_div(N, s.nb);
  return s;
}

GemmEpilogue block_epilogue(const GemmEpilogue& ep, int64_t m0, int64_t n0) {
  GemmEpilogue e = ep;
  if (e.bias) e.bias += e.bias_per_row ? m0 : n0;
  if (e.residual) e.residual += m0 * e.ldr + n0;
  return e;
}

PackedB::PackedB(const F32GemmKernels& k, int64_t K, int64_t N, const float* B, int64_t ldb, bool transB,
                 ThreadPool* pool)
    : data_(k.packed_b_size(K, N)), K_(K), N_(N) {
  const int threads = pool ? pool->threads() : 1;
  const int64_t panels = k.nr > 0 ? ceil_div(N, k.nr) : 0;
  if (threads <= 1 || !k.packed_b_offset || double(K) * double(N) < kMinParallelPackFloats || panels < 2) {
    k.pack_b(K, N, B, ldb, transB, data_.data());
    return;
  }
  // Column ranges of whole panels, a few per thread so a thread slowed by another process
  // does not hold up the rest; each range is packed exactly as pack_b would pack it.
  const int64_t ranges = std::min<int64_t>(panels, 4 * int64_t(threads));
  const int64_t per = ceil_div(panels, ranges) * k.nr;
  pool->parallel_for(ceil_div(N, per), 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n0 = r * per, n = std::min(N, n0 + per) - n0;
      const float* src = transB ? B + n0 * ldb : B + n0;
      k.pack_b(K, n, src, ldb, transB, data_.data() + k.packed_b_offset(K, n0));
    }
  });
}

void gemm_packed_b_block(const F32GemmKernels& k, int64_t m0, int64_t m1, int64_t n0, int64_t n1,
                         int64_t K, const float* A, int64_t lda, bool transA,
                         const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                         const GemmEpilogue& ep) {
  const float* a = transA ? A + m0 : A + m0 * lda;
  const float* b = packed_b + (n0 ? k.packed_b_offset(K, n0) : 0);
  k.gemm_packed(m1 - m0, n1 - n0, K, a, lda, transA, b, C + m0 * ldc + n0, ldc, alpha, beta,
                block_epilogue(ep, m0, n0));
}

void gemm_packed_b(ThreadPool& pool, const F32GemmKernels& k, int64_t M, int64_t N, int64_t K,
                   const float* A, int64_t lda, bool transA, const float* packed_b, float* C,
                   int64_t ldc, float alpha, float beta, const GemmEpilogue& ep) {
  if (M <= 0 || N <= 0) return;
  const Split s = plan_split(M, N, K, k.mr, k.nr, k.packed_b_offset != nullptr, true, pool.threads());
  if (s.tasks() == 1) {
    k.gemm_packed(M, N, K, A, lda, transA, packed_b, C, ldc, alpha, beta, ep);
    return;
  }
  pool.parallel_for(s.tasks(), 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t m0 = (t / s.nt) * s.mb, n0 = (t % s.nt) * s.nb;
      gemm_packed_b_block(k, m0, std::min(M, m0 + s.mb), n0, std::min(N, n0 + s.nb), K, A, lda,
                          transA, packed_b, C, ldc, alpha, beta, ep);
    }
  });
}

PackedA::PackedA(const F32GemmKernels& k, int64_t M, int64_t K, const float* A, int64_t lda)
    : M_(M), K_(K) {
  packed_ = k.pack_a && k.gemm_packed_a && k.packed_a_size && k.packed_a_offset;
  if (packed_) {
    data_ = PrepackedBuffer(k.packed_a_size(M, K));
    k.pack_a(M, K, A, lda, false, data_.data());
  } else {
    data_ = PrepackedBuffer(size_t(std::max<int64_t>(M * K, 0)));
    for (int64_t m = 0; m < M; ++m) std::copy(A + m * lda, A + m * lda + K, data_.data() + m * K);
  }
}

void PackedA::multiply(const F32GemmKernels& k, int64_t m0, int64_t m1, int64_t N, const float* B,
                       int64_t ldb, float* C, int64_t ldc, const GemmEpilogue& ep) const {
  if (m1 <= m0 || N <= 0) return;
  const GemmEpilogue e = block_epilogue(ep, m0, 0);
  float* c = C + m0 * ldc;
  if (packed_) {
    k.gemm_packed_a(m1 - m0, N, K_, data_.data() + k.packed_a_offset(K_, m0), B, ldb, false, c,
                    ldc, 1.0f, 0.0f, e);
    return;
  }
  kernels::f32_gemm(m1 - m0, N, K_, data_.data() + m0 * K_, K_, false, B, ldb, false, c, ldc, 1.0f, 0.0f);
  kernels::apply_epilogue_scalar(c, ldc, m1 - m0, N, 0, 0, e);
}

float* thread_scratch(int slot, size_t floats) {
  thread_local std::vector<float> buffers[4];
  std::vector<float>& b = buffers[slot];
  if (b.size() < floats) b.resize(floats);
  return b.data();
}

std::string path_name(const char* what, const F32GemmKernels& k) {
  return std::string(what) + ":" + k.name;
}

}  // namespace ember::backends::gemm_conv
