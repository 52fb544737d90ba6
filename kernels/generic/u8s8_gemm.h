// The scalar epilogue of the int8 GEMM (kernels/dispatch/u8s8_gemm.h): zero-point compensation,
// int32 bias, then int32 / dequantized float / requantized 8-bit output. Inline, so every ISA's
// kernel file compiles it with its own flags (the compiler vectorizes the column loops); the
// generic entry uses it too, so all entries round identically.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kernels/dispatch/u8s8_gemm.h"

namespace ember::kernels {
// Internal linkage: every ISA's kernel file compiles its own copy of these helpers with its own
// -m flags. As ordinary inline functions the copies shared one name, and where one was not
// inlined the linker kept any one of them (an AVX-512 requant_row in the AVX2 entry would fault
// on an AVX2-only CPU; the SSE2 one would be slow).
namespace {

// What pack_a / pack_b store next to the packed operands, by absolute row / column index.
struct U8S8Sums {
  const int32_t* row_sum;  // sum_k a[m, k]
  const int32_t* col_sum;  // sum_k b'[k, n]
  const int32_t* b_zp;     // zb'[n] (the zero point in b' terms)
  int64_t K;
};

// rint(x) (the current rounding mode: ties to even) for |x| <= 4e18, else about +-4e18 (NaN gives
// a large negative value): callers saturate to 8 bits, so only the sign of larger values matters. On x86 one
// cvtsd2si, where std::nearbyint would be a library call in files built for baseline x86-64.
inline double round_even_clamped(double x) {
  x = std::min(std::max(x, -4.0e18), 4.0e18);
#if defined(__SSE2__)
  return double(_mm_cvtsd_si64(_mm_set_sd(x)));
#else
  return std::nearbyint(x);
#endif
}

// saturate(rint(v * multiplier) + zp) into [lo, hi], in double as the reference ops compute it
// (NaN multipliers give lo, as the reference's min/max chain does).
template <class T>
inline T requant(int32_t v, float multiplier, double zp, double lo, double hi) {
  const double q = round_even_clamped(double(v) * double(multiplier)) + zp;
  return T(std::min(hi, std::max(lo, q)));
}

namespace u8s8_detail {

// b' = b for int8 weights, b - 128 for uint8 ones (so it fits int8); element (k, n) of op(B).
inline int32_t b_prime(const void* B, int64_t ldb, bool transB, bool b_unsigned, int64_t k, int64_t n) {
  const int64_t i = transB ? n * ldb + k : k * ldb + n;
  return b_unsigned ? int32_t(static_cast<const uint8_t*>(B)[i]) - 128 : int32_t(static_cast<const int8_t*>(B)[i]);
}
// zb' for column n, in the same shifted terms.
inline int32_t b_zp_prime(const int32_t* zp, bool per_column, bool b_unsigned, int64_t n) {
  const int32_t z = zp ? zp[per_column ? n : 0] : 0;
  return b_unsigned ? z - 128 : z;
}

template <class T, class F>
inline void store_block(const U8S8Epilogue& ep, const int32_t* acc, int64_t ld, int64_t m0, int64_t rows,
                        int64_t n0, int64_t cols, F&& f) {
  T* c = static_cast<T*>(ep.c);
  if (ep.trans_c) {
    for (int64_t j = 0; j < cols; ++j) {
      T* dst = c + (n0 + j) * ep.ldc + m0;
      for (int64_t r = 0; r < rows; ++r) dst[r] = f(acc[r * ld + j], n0 + j);
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    T* dst = c + (m0 + r) * ep.ldc + n0;
    const int32_t* a = acc + r * ld;
    for (int64_t j = 0; j < cols; ++j) dst[j] = f(a[j], n0 + j);
  }
}

#if defined(__AVX2__)
// Vectors of requant<T>: the same double product v * m as requant<T>, then, where requant<T>
// rounds, adds zp and clamps in double, this clamps the product to +-2^30 (NaN -> -2^30, as
// maxpd returns its second operand: NaN still ends at lo), converts with cvtpd2dq (rounding in
// the current mode, like requant<T>'s cvtsd2si: ties to even), and adds zp and clamps to
// [lo, hi] in integers. Every integer past +-2^30 + zp lies outside [lo, hi] on the same side,
// so the bytes are requant<T>'s. The double-domain form took 18 operations per 8 outputs on
// AVX2 (20 per 16 on AVX-512), this one 14 (15), multipliers converted once per tile column.
struct RequantVec {
#if defined(__AVX512F__)
  // AVX-512 files: 16 at a time, 8 doubles per zmm (a ymm form was about half of the int8
  // depthwise kernel's time: ember_int8_dwconv_bench). The masked forms with every lane set
  // avoid GCC 12's false -Wmaybe-uninitialized on the plain forms' undefined pass-through (as in
  // kernels/x86/avx512/vmath_avx512.h).
  static constexpr int W = 16;
  struct Mult {
    __m512d m0, m1;
  };
  static Mult mult(const float* s) {
    return {_mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(s)), _mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(s + 8))};
  }
  __m512d cap, ncap;
  __m512i zp, lo, hi;
  RequantVec(double z, double l, double h)
      : cap(_mm512_set1_pd(1073741824.0)), ncap(_mm512_set1_pd(-1073741824.0)), zp(_mm512_set1_epi32(int32_t(z))),
        lo(_mm512_set1_epi32(int32_t(l))), hi(_mm512_set1_epi32(int32_t(h))) {}
  __m256i eight(const int32_t* a, __m512d m) const {
    const __m512d v = _mm512_maskz_cvtepi32_pd(0xff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)));
    const __m512d x = _mm512_maskz_max_pd(0xff, _mm512_maskz_min_pd(0xff, cap, _mm512_mul_pd(v, m)), ncap);
    return _mm512_maskz_cvtpd_epi32(0xff, x);
  }
  template <class T>
  void apply(const int32_t* a, const Mult& m, T* out) const {
    __m512i w = _mm512_maskz_inserti64x4(__mmask8(0xff), _mm512_castsi256_si512(eight(a, m.m0)), eight(a + 8, m.m1), 1);
    w = _mm512_maskz_min_epi32(0xffff, _mm512_maskz_max_epi32(0xffff, _mm512_add_epi32(w, zp), lo), hi);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm512_maskz_cvtepi32_epi8(__mmask16(0xffff), w));
  }
#else
  static constexpr int W = 8;
  struct Mult {
    __m256d m0, m1;
  };
  static Mult mult(const float* s) { return {_mm256_cvtps_pd(_mm_loadu_ps(s)), _mm256_cvtps_pd(_mm_loadu_ps(s + 4))}; }
  __m256d cap, ncap;
  __m128i zp, lo, hi;  // int16
  RequantVec(double z, double l, double h)
      : cap(_mm256_set1_pd(1073741824.0)), ncap(_mm256_set1_pd(-1073741824.0)), zp(_mm_set1_epi16(int16_t(z))),
        lo(_mm_set1_epi16(int16_t(l))), hi(_mm_set1_epi16(int16_t(h))) {}
  __m128i four(const int32_t* a, __m256d m) const {
    const __m256d v = _mm256_cvtepi32_pd(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a)));
    return _mm256_cvtpd_epi32(_mm256_max_pd(_mm256_min_pd(cap, _mm256_mul_pd(v, m)), ncap));
  }
  template <class T>
  void apply(const int32_t* a, const Mult& m, T* out) const {
    // int16 saturation keeps every value's side of [lo, hi] (|zp| <= 255): then exact.
    __m128i w = _mm_adds_epi16(_mm_packs_epi32(four(a, m.m0), four(a + 4, m.m1)), zp);
    w = _mm_min_epi16(_mm_max_epi16(w, lo), hi);
    const __m128i b = std::is_same_v<T, uint8_t> ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), b);
  }
#endif
};
#endif

// out[j] = requant<T>(a[j], s[j], zp, lo, hi) for j < cols: RequantVec in AVX2 / AVX-512 files
// (the x86 entries), 2 doubles at a time in baseline SSE2 (the generic entry), the same rounding
// everywhere. The scalar form was a few ns per output, more than the GEMM itself for
// convolutions with few input channels (ResNet-50's 1x1 expansions).
template <class T>
inline void requant_row(const int32_t* a, const float* s, int64_t cols, double zp, double lo, double hi, T* out) {
  int64_t j = 0;
#if defined(__AVX2__)
  const RequantVec q(zp, lo, hi);
  for (; j + RequantVec::W <= cols; j += RequantVec::W) q.apply<T>(a + j, RequantVec::mult(s + j), out + j);
#elif defined(__SSE2__)
  // Baseline x86-64 (the generic entry, the depthwise kernel): 2 doubles per step. No roundpd
  // before SSE4.1: clamp to +-2^50 first (NaN -> -2^50 -> lo: maxpd returns its second operand),
  // then (x + 1.5 * 2^52) - 1.5 * 2^52 rounds to nearest even exactly.
  const __m128d vzp = _mm_set1_pd(zp), vlo = _mm_set1_pd(lo), vhi = _mm_set1_pd(hi);
  const __m128d big = _mm_set1_pd(1125899906842624.0), magic = _mm_set1_pd(6755399441055744.0);
  const auto two = [&](int64_t at) {
    const __m128d v = _mm_cvtepi32_pd(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + at)));
    const __m128d m = _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(s + at))));
    __m128d x = _mm_min_pd(_mm_max_pd(_mm_mul_pd(v, m), _mm_sub_pd(_mm_setzero_pd(), big)), big);
    x = _mm_add_pd(_mm_sub_pd(_mm_add_pd(x, magic), magic), vzp);
    return _mm_cvtpd_epi32(_mm_min_pd(_mm_max_pd(x, vlo), vhi));  // 2 int32, upper half zero
  };
  for (; j + 8 <= cols; j += 8) {
    const __m128i q0 = _mm_unpacklo_epi64(two(j), two(j + 2)), q1 = _mm_unpacklo_epi64(two(j + 4), two(j + 6));
    const __m128i w = _mm_packs_epi32(q0, q1);
    const __m128i b = std::is_same_v<T, uint8_t> ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + j), b);
  }
#endif
  for (; j < cols; ++j) out[j] = requant<T>(a[j], s[j], zp, lo, hi);
}

#if defined(__SSE2__)
// v[j] = column j of the 16 x 16 byte matrix at m (row-major): four rounds of interleaving
// rows i and i + 8 (SSE2 unpacks, 64 in all).
inline void transpose16x16_bytes(const void* m, __m128i* v) {
  __m128i x[16];
  for (int i = 0; i < 16; ++i) x[i] = _mm_load_si128(static_cast<const __m128i*>(m) + i);
  for (int round = 0; round < 4; ++round) {
    __m128i y[16];
    for (int i = 0; i < 8; ++i) {
      y[2 * i] = _mm_unpacklo_epi8(x[i], x[i + 8]);
      y[2 * i + 1] = _mm_unpackhi_epi8(x[i], x[i + 8]);
    }
    for (int i = 0; i < 16; ++i) x[i] = y[i];
  }
  for (int i = 0; i < 16; ++i) v[i] = x[i];
}

// Stores the first n (<= 16) bytes of v at dst.
inline void store_first_bytes(uint8_t* dst, __m128i v, int64_t n) {
  if (n == 16) return _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), v);
  if (n & 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), v);
    v = _mm_srli_si128(v, 8);
    dst += 8;
  }
  const uint32_t rest = uint32_t(_mm_cvtsi128_si32(v));
  if (n & 4) {
    std::memcpy(dst, &rest, 4);
    v = _mm_srli_si128(v, 4);
    dst += 4;
  }
  const uint32_t last = uint32_t(_mm_cvtsi128_si32(v));
  if (n & 2) {
    std::memcpy(dst, &last, 2);
    dst += 2;
  }
  if (n & 1) *dst = uint8_t(n & 2 ? last >> 16 : last);
}
#endif

#if defined(__SSE2__)
// Transposed C (an NCHW convolution: column n of the block is `rows` consecutive bytes of Y):
// requantize up to 16 x 16 values into a byte tile, transpose it in registers and store each
// column's bytes at once. The per-byte scatter this replaces was ~17 % of the AVX-512 VNNI
// GEMM's time on an int8 ResNet-50 (perf annotate). Out of line, to keep the GEMM driver's
// inlined epilogue small.
template <class T>
[[gnu::noinline]] void requantize_transposed(const int32_t* acc, int64_t ld, int64_t m0, int64_t rows, int64_t n0,
                                            int64_t cols, const float* s, double zp, double lo, double hi, T* c,
                                            int64_t ldc) {
  alignas(16) T tile[16][16] = {};
  for (int64_t j0 = 0; j0 < cols; j0 += 16) {
    const int64_t nj = std::min<int64_t>(16, cols - j0);
#if defined(__AVX2__)
    // Whole 16 columns: their multipliers converted once for all rows.
    const RequantVec q(zp, lo, hi);
    typename RequantVec::Mult m[16 / RequantVec::W] = {};
    for (int i = 0; nj == 16 && i < 16 / RequantVec::W; ++i) m[i] = RequantVec::mult(s + j0 + i * RequantVec::W);
#endif
    for (int64_t r0 = 0; r0 < rows; r0 += 16) {
      const int64_t nr = std::min<int64_t>(16, rows - r0);
      for (int64_t r = 0; r < nr; ++r) {
        const int32_t* a = acc + (r0 + r) * ld + j0;
#if defined(__AVX2__)
        if (nj == 16) {
          for (int i = 0; i < 16 / RequantVec::W; ++i) q.apply<T>(a + i * RequantVec::W, m[i], tile[r] + i * RequantVec::W);
          continue;
        }
#endif
        requant_row<T>(a, s + j0, nj, zp, lo, hi, tile[r]);
      }
      __m128i v[16];
      transpose16x16_bytes(&tile[0][0], v);
      for (int64_t j = 0; j < nj; ++j)
        store_first_bytes(reinterpret_cast<uint8_t*>(c + (n0 + j0 + j) * ldc + m0 + r0), v[j], nr);
    }
  }
}
#endif

template <class T>
inline void requantize(const U8S8Epilogue& ep, const int32_t* acc, int64_t ld, int64_t m0, int64_t rows,
                       int64_t n0, int64_t cols, double lo, double hi) {
  const double zp = ep.y_zero_point;
  if (ep.relu) lo = std::max(lo, zp);
  const float* s = ep.scale + n0;
  T* c = static_cast<T*>(ep.c);
  if (!ep.trans_c) {
    for (int64_t r = 0; r < rows; ++r) requant_row<T>(acc + r * ld, s, cols, zp, lo, hi, c + (m0 + r) * ep.ldc + n0);
    return;
  }
#if defined(__SSE2__)
  requantize_transposed<T>(acc, ld, m0, rows, n0, cols, s, zp, lo, hi, c, ep.ldc);
#else
  // Transposed C: requantize rows in order, then scatter the bytes (columns of C are rows of Y).
  constexpr int64_t kCols = 64;
  T buf[kCols];
  for (int64_t j0 = 0; j0 < cols; j0 += kCols) {
    const int64_t nj = std::min(kCols, cols - j0);
    for (int64_t r = 0; r < rows; ++r) {
      requant_row<T>(acc + r * ld + j0, s + j0, nj, zp, lo, hi, buf);
      for (int64_t j = 0; j < nj; ++j) c[(n0 + j0 + j) * ep.ldc + m0 + r] = buf[j];
    }
  }
#endif
}

}  // namespace u8s8_detail

// The per-column part of the zero-point compensation (and the int32 bias) for columns
// [n0, n0 + cols): out[j] = bias[j] - za * colsum(b')[j] + K * za * zb'[j], wrapping. Returns
// whether any of these columns has zb' != 0 (then the row term -rowsum(a) * zb' remains).
inline bool u8s8_column_terms(int64_t n0, int64_t cols, const U8S8Sums& sums, const U8S8Epilogue& ep, int32_t* out) {
  // Wrapping (unsigned) arithmetic: the result is the exact sum modulo 2^32.
  const uint32_t za = uint32_t(ep.a_zero_point), kza = uint32_t(sums.K) * za;
  const int32_t* cs = sums.col_sum + n0;
  const int32_t* zb = sums.b_zp + n0;
  bool any_zb = false;
  for (int64_t j = 0; j < cols; ++j) {
    uint32_t v = kza * uint32_t(zb[j]) - za * uint32_t(cs[j]);
    if (ep.bias_i32) v += uint32_t(ep.bias_i32[n0 + j]);
    out[j] = int32_t(v);
    any_zb |= zb[j] != 0;
  }
  return any_zb;
}

// Writes a rows x cols block of finished int32 values (acc, leading dimension ld, modified in
// place) at rows m0.., columns n0.. of the whole result through the epilogue's output form.
inline void u8s8_store(int32_t* acc, int64_t ld, int64_t m0, int64_t rows, int64_t n0, int64_t cols,
                       const U8S8Epilogue& ep) {
  switch (ep.out) {
    case QuantOut::Int32:
      u8s8_detail::store_block<int32_t>(ep, acc, ld, m0, rows, n0, cols, [](int32_t v, int64_t) { return v; });
      break;
    case QuantOut::Float32: {
      const float* s = ep.scale;
      const float* b = ep.bias_f32;
      const bool relu = ep.relu;
      // One rounding (std::fma) whatever the ISA flags: a plain a * b + c would be contracted
      // into an FMA in some builds and not in others, and the entries would differ in the last bit.
      u8s8_detail::store_block<float>(ep, acc, ld, m0, rows, n0, cols, [&](int32_t v, int64_t n) {
        const float y = b ? std::fma(float(v), s[n], b[n]) : float(v) * s[n];
        return relu ? std::max(y, 0.0f) : y;
      });
      break;
    }
    case QuantOut::UInt8: u8s8_detail::requantize<uint8_t>(ep, acc, ld, m0, rows, n0, cols, 0.0, 255.0); break;
    case QuantOut::Int8: u8s8_detail::requantize<int8_t>(ep, acc, ld, m0, rows, n0, cols, -128.0, 127.0); break;
  }
}

// Subtracts the row term rowsum(a)[m] * zb'[n] from a block that already holds the raw sums plus
// u8s8_column_terms, then stores it (u8s8_store).
inline void u8s8_finish_rows(int32_t* acc, int64_t ld, int64_t m0, int64_t rows, int64_t n0, int64_t cols,
                             const U8S8Sums& sums, bool any_zb, const U8S8Epilogue& ep) {
  const int32_t* zb = sums.b_zp + n0;
  for (int64_t r = 0; any_zb && r < rows; ++r) {
    const uint32_t rs = uint32_t(sums.row_sum[m0 + r]);
    int32_t* a = acc + r * ld;
    for (int64_t j = 0; j < cols; ++j) a[j] = int32_t(uint32_t(a[j]) - rs * uint32_t(zb[j]));
  }
  u8s8_store(acc, ld, m0, rows, n0, cols, ep);
}

// Finishes a rows x cols block of raw sums sum_k a*b' (acc, leading dimension ld, modified in
// place) at rows m0.., columns n0.. of the whole result.
inline void u8s8_finish(int32_t* acc, int64_t ld, int64_t m0, int64_t rows, int64_t n0, int64_t cols,
                        const U8S8Sums& sums, const U8S8Epilogue& ep) {
  int32_t terms[256];
  for (int64_t j0 = 0; j0 < cols; j0 += 256) {
    const int64_t nj = std::min<int64_t>(256, cols - j0);
    u8s8_column_terms(n0 + j0, nj, sums, ep, terms);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < nj; ++j) acc[r * ld + j0 + j] = int32_t(uint32_t(acc[r * ld + j0 + j]) + uint32_t(terms[j]));
  }
  u8s8_finish_rows(acc, ld, m0, rows, n0, cols, sums, true, ep);
}

}  // namespace
}  // namespace ember::kernels
