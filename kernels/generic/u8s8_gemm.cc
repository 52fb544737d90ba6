// The generic int8 GEMM entry (kernels/dispatch/u8s8_gemm.h): plain loops, mr = nr = 1.
// Packed A: the [M, K] bytes row-major, then M int32 row sums. Packed B: b' as [N, K] int8,
// then N int32 column sums and N int32 zero points zb'. Both sums at 64-byte-aligned offsets.
#include "kernels/generic/u8s8_gemm.h"

#include <algorithm>

namespace ember::kernels {
namespace {

size_t sums_offset(int64_t rows, int64_t K) { return (size_t(rows * K) + 63) / 64 * 64; }

size_t packed_a_size(int64_t M, int64_t K) { return sums_offset(M, K) + size_t(M) * 4; }

void pack_a(int64_t M, int64_t K, const uint8_t* A, int64_t lda, bool transA, void* packed) {
  auto* p = static_cast<uint8_t*>(packed);
  auto* row_sum = reinterpret_cast<int32_t*>(p + sums_offset(M, K));
  for (int64_t m = 0; m < M; ++m) {
    int32_t s = 0;
    for (int64_t k = 0; k < K; ++k) {
      const uint8_t a = transA ? A[k * lda + m] : A[m * lda + k];
      p[m * K + k] = a;
      s += a;
    }
    row_sum[m] = s;
  }
}

void pack_a_rows(int64_t M, int64_t K, const uint8_t* const* rows, bool row_sums, void* packed) {
  auto* p = static_cast<uint8_t*>(packed);
  auto* row_sum = reinterpret_cast<int32_t*>(p + sums_offset(M, K));
  for (int64_t m = 0; m < M; ++m) {
    int32_t s = 0;
    for (int64_t k = 0; k < K; ++k) {
      p[m * K + k] = rows[k][m];
      s += rows[k][m];
    }
    row_sum[m] = row_sums ? s : 0;
  }
}

size_t packed_b_size(int64_t K, int64_t N) { return sums_offset(N, K) + size_t(N) * 8; }

void pack_b(int64_t K, int64_t N, const void* B, int64_t ldb, bool transB, bool b_unsigned, const int32_t* zp,
            bool zp_per_column, void* packed) {
  auto* p = static_cast<int8_t*>(packed);
  auto* col_sum = reinterpret_cast<int32_t*>(static_cast<uint8_t*>(packed) + sums_offset(N, K));
  int32_t* b_zp = col_sum + N;
  for (int64_t n = 0; n < N; ++n) {
    int32_t s = 0;
    for (int64_t k = 0; k < K; ++k) {
      const int32_t b = u8s8_detail::b_prime(B, ldb, transB, b_unsigned, k, n);
      p[n * K + k] = int8_t(b);
      s += b;
    }
    col_sum[n] = s;
    b_zp[n] = u8s8_detail::b_zp_prime(zp, zp_per_column, b_unsigned, n);
  }
}

void gemm(int64_t M, int64_t N, int64_t K, int64_t m0, int64_t m1, int64_t n0, int64_t n1, const void* packed_a,
          const void* packed_b, const U8S8Epilogue& ep) {
  const auto* a = static_cast<const uint8_t*>(packed_a);
  const auto* b = static_cast<const int8_t*>(packed_b);
  const auto* col_sum = reinterpret_cast<const int32_t*>(static_cast<const uint8_t*>(packed_b) + sums_offset(N, K));
  const U8S8Sums sums{reinterpret_cast<const int32_t*>(a + sums_offset(M, K)), col_sum, col_sum + N, K};
  constexpr int64_t kChunk = 256;
  int32_t acc[kChunk];
  for (int64_t m = m0; m < m1; ++m)
    for (int64_t c0 = n0; c0 < n1; c0 += kChunk) {
      const int64_t cols = std::min(kChunk, n1 - c0);
      for (int64_t j = 0; j < cols; ++j) {
        const uint8_t* ar = a + m * K;
        const int8_t* bc = b + (c0 + j) * K;
        uint32_t s = 0;  // wraps like the int32 result
        for (int64_t k = 0; k < K; ++k) s += uint32_t(int32_t(ar[k]) * int32_t(bc[k]));
        acc[j] = int32_t(s);
      }
      u8s8_finish(acc, kChunk, m, 1, c0, cols, sums, ep);
    }
}

}  // namespace

const U8S8GemmKernels& u8s8_gemm_generic_kernels() {
  static constexpr U8S8GemmKernels k{"u8s8_gemm__generic", 1, 1, packed_a_size, pack_a, packed_b_size, pack_b, gemm, nullptr, pack_a_rows};
  return k;
}

}  // namespace ember::kernels
