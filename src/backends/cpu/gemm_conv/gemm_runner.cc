#include "backends/cpu/gemm_conv/gemm_runner.h"

#include <algorithm>
#include <cstring>

#include "backends/cpu/gemm_conv/weight_rows.h"
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

template <class Pack>
void PackedB::pack_ranges(const F32GemmKernels& k, ThreadPool* pool, Pack&& pack) {
  const int64_t K = K_, N = N_;
  const int threads = pool ? pool->threads() : 1;
  const int64_t panels = k.nr > 0 ? ceil_div(N, k.nr) : 0;
  if (threads <= 1 || !k.packed_b_offset || double(K) * double(N) < kMinParallelPackFloats || panels < 2) {
    pack(int64_t(0), N);
    return;
  }
  // Column ranges of whole panels, a few per thread so a thread slowed by another process
  // does not hold up the rest; each range is packed exactly as pack_b would pack it.
  const int64_t ranges = std::min<int64_t>(panels, 4 * int64_t(threads));
  const int64_t per = ceil_div(panels, ranges) * k.nr;
  pool->parallel_for(ceil_div(N, per), 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) pack(r * per, std::min(N, r * per + per) - r * per);
  });
}

PackedB::PackedB(const F32GemmKernels& k, int64_t K, int64_t N, const float* B, int64_t ldb, bool transB,
                 ThreadPool* pool)
    : data_(k.packed_b_size(K, N)), K_(K), N_(N) {
  pack_ranges(k, pool, [&](int64_t n0, int64_t n) {
    const float* src = transB ? B + n0 * ldb : B + n0;
    k.pack_b(K, n, src, ldb, transB, data_.data() + (n0 ? k.packed_b_offset(K, n0) : 0));
  });
}

namespace {
int64_t b_rows(const Tensor& b) { return b.rank() ? b.dim(0) : 1; }
int64_t b_cols(const Tensor& b) { return b.rank() == 2 ? b.dim(1) : 1; }
}  // namespace

PackedB::PackedB(const F32GemmKernels& k, const Tensor& b, bool transB, ThreadPool* pool) {
  const int64_t rows = b_rows(b), cols = b_cols(b);
  const int64_t K = transB ? cols : rows, N = transB ? rows : cols;
  if (!b.deferred() || !k.packed_b_offset) {  // in place (a deferred B without column offsets: whole)
    *this = PackedB(k, K, N, b.data<float>(), cols, transB, pool);
    return;
  }
  data_ = PrepackedBuffer(k.packed_b_size(K, N));
  K_ = K;
  N_ = N;
  if (transB) {  // rows of B^T are columns: blocks of whole panels that fit the stage
    const int64_t step = std::max<int64_t>(k.nr, kWeightStageFloats / std::max<int64_t>(K, 1) / k.nr * k.nr);
    pack_ranges(k, pool, [&](int64_t n0, int64_t n) {
      float* stage = weight_stage(size_t(std::min(step, n) * K));
      for (int64_t c = n0; c < n0 + n; c += step) {
        const int64_t m = std::min(step, n0 + n - c);
        b.read_rows(c, m, 0, K, stage);
        k.pack_b(K, m, stage, K, true, data_.data() + k.packed_b_offset(K, c));
      }
    });
    return;
  }
  pack_row_bands(k, b);
}

void PackedB::pack_row_bands(const F32GemmKernels& k, const Tensor& b) {
  // Bands of whole rows of B (read through the file, not the mapping: Tensor::read_rows), each
  // packed by pack_b as a short B of its own, whose panels' rows are then copied to where
  // pack_b of all of B puts them (panel j at packed_b_offset(K, j * nr), row k at k * nr; the
  // layout tests/unit/backends/gemm_conv/prepacked_b_test.cc checks). Column bands of every row
  // read from the mapping instead made BERT-base's kernels phase 1.5x A's ("Eighth pass").
  const int64_t K = K_, N = N_, nr = k.nr, panels = ceil_div(N, nr);
  const int64_t kb = std::clamp<int64_t>(kWeightStageFloats / std::max<int64_t>(N, 1), 1, K);
  const size_t band_floats = size_t(round_up(kb * N, 16));
  float* band = weight_stage(band_floats + k.packed_b_size(kb, N) + 64);  // 64: pack_b's overrun
  float* packed_band = band + band_floats;
  for (int64_t k0 = 0; k0 < K; k0 += kb) {
    const int64_t rows = std::min(kb, K - k0);
    b.read_rows(k0, rows, 0, N, band);
    k.pack_b(rows, N, band, N, false, packed_band);
    for (int64_t j = 0; j < panels; ++j)
      std::memcpy(data_.data() + k.packed_b_offset(K, j * nr) + k0 * nr, packed_band + k.packed_b_offset(rows, j * nr),
                  size_t(rows * nr) * sizeof(float));
  }
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

PackedA::PackedA(const F32GemmKernels& k, const Tensor& w, int64_t row0, int64_t M)
    : M_(M), K_(w.numel() / std::max<int64_t>(w.rank() ? w.dim(0) : 1, 1)) {
  const int64_t K = K_;
  packed_ = k.pack_a && k.gemm_packed_a && k.packed_a_size && k.packed_a_offset;
  data_ = PrepackedBuffer(packed_ ? k.packed_a_size(M, K) : size_t(std::max<int64_t>(M * K, 0)));
  // Blocks of whole MR-row strips, each packed where pack_a of all of A would put it.
  for_weight_rows(w, row0, row0 + M, packed_ ? k.mr : 1, [&](int64_t row, int64_t rows, const float* a) {
    const int64_t m0 = row - row0;
    if (packed_) k.pack_a(rows, K, a, K, false, data_.data() + k.packed_a_offset(K, m0));
    else std::copy(a, a + rows * K, data_.data() + m0 * K);
  });
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
