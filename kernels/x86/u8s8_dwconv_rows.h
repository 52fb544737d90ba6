// The x86 int8 depthwise entries (contract: kernels/dispatch/u8s8_dwconv.h), written once for a
// register type (DwYmm: AVX2, 8 int32 lanes; DwZmm: AVX-512BW, 16). Included by each ISA's file.
//
// Two kernel rows per vpmaddwd: each int32 lane of the "pair plane" P holds the 16-bit shifted
// inputs (x - x_zp) of one column from two input rows dil_h apart, so one vpmaddwd with the
// broadcast weight pair (w[2q][kx], w[2q+1][kx]) adds both taps' products exactly (|each| <=
// 255 * 255; the pair sum fits int32). A 3x3 kernel is 6 multiply-adds per L outputs instead of
// 9 widening multiplies. P is built once per plane with the padding already in it (zeros: a
// padded tap is 0 in the shifted domain), its columns split by phase (column mod stride_w), so
// every tap of every output row reads L consecutive lanes whatever the stride and dilation.
// P is built from a padded copy of the input (no bounds checks; vector loads for stride 1 and
// 2, scalar for other strides); only rows some output row reads are built.
// Requantization: requant_row in the including file's ISA (u8s8_detail::dw_finish_row).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/generic/u8s8_dwconv.h"

namespace ember::kernels::EMBER_U8S8_NS {
namespace {

#if defined(__AVX2__)
struct DwYmm {
  using vec = __m256i;
  static constexpr int L = 8;
  static vec set1(int32_t v) { return _mm256_set1_epi32(v); }
  static vec load(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(int32_t* p, vec v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static vec add32(vec a, vec b) { return _mm256_add_epi32(a, b); }
  static vec madd16(vec a, vec b) { return _mm256_madd_epi16(a, b); }
  // L bytes at p (stride 1) or at p, p + 2, ... (stride 2: reads 2L bytes), as int32 lanes.
  static vec bytes(const uint8_t* p) { return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))); }
  static vec bytes_s2(const uint8_t* p) {
    const __m128i even = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1);
    return _mm256_cvtepu8_epi32(_mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), even));
  }
  // Lanes (a & 0xffff) | (b << 16): two 16-bit values per lane for vpmaddwd.
  static vec pair(vec a, vec b) {
    return _mm256_or_si256(_mm256_and_si256(a, _mm256_set1_epi32(0xffff)), _mm256_slli_epi32(b, 16));
  }
  static vec sub32(vec a, vec b) { return _mm256_sub_epi32(a, b); }
};
#endif

#if defined(__AVX512BW__) || defined(EMBER_AVX512_SIMDE)
struct DwZmm {
  using vec = __m512i;
  static constexpr int L = 16;
  static vec set1(int32_t v) { return _mm512_set1_epi32(v); }
  static vec load(const int32_t* p) { return _mm512_loadu_si512(p); }
  static void store(int32_t* p, vec v) { _mm512_storeu_si512(p, v); }
  static vec add32(vec a, vec b) { return _mm512_add_epi32(a, b); }
  // SIMDe 0.7.4's native alias takes the masked form's arguments: call SIMDe's (u8s8_gemm_vec.h).
#ifdef EMBER_AVX512_SIMDE
  static vec madd16(vec a, vec b) { return simde_mm512_madd_epi16(a, b); }
#else
  static vec madd16(vec a, vec b) { return _mm512_madd_epi16(a, b); }
#endif
  // 16 bytes as int32 lanes. Two 8-byte vpmovzxbd halves rather than one 16-byte one: SIMDe
  // 0.7.4 has no _mm512_cvtepu8_epi32, and the test build must run this same code.
  // Natively through the masked insert / shift with every lane set: the plain forms' undefined
  // pass-through trips GCC 12's -Wmaybe-uninitialized (as in vmath_avx512.h); SIMDe has only
  // the plain ones.
  static vec widen(__m128i b) {
    const __m512i lo = _mm512_castsi256_si512(_mm256_cvtepu8_epi32(b));
    const __m256i hi = _mm256_cvtepu8_epi32(_mm_unpackhi_epi64(b, b));
#ifdef EMBER_AVX512_SIMDE
    return _mm512_inserti64x4(lo, hi, 1);
#else
    return _mm512_maskz_inserti64x4(__mmask8(0xff), lo, hi, 1);
#endif
  }
  static vec shl16(vec v) {
#ifdef EMBER_AVX512_SIMDE
    return _mm512_slli_epi32(v, 16);
#else
    return _mm512_maskz_slli_epi32(__mmask16(0xffff), v, 16);
#endif
  }
  static vec bytes(const uint8_t* p) { return widen(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }
  static vec bytes_s2(const uint8_t* p) {
    const __m128i even = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i lo = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), even);
    const __m128i hi = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)), even);
    return widen(_mm_unpacklo_epi64(lo, hi));
  }
  static vec pair(vec a, vec b) { return _mm512_or_si512(_mm512_and_si512(a, _mm512_set1_epi32(0xffff)), shl16(b)); }
  static vec sub32(vec a, vec b) { return _mm512_sub_epi32(a, b); }
};
#endif

template <class R>
struct DwDriver {
  static constexpr int L = R::L;
  using vec = typename R::vec;

  struct Geo {
    int64_t pairs, Hp, Jp;  // kernel row pairs; rows and lanes per phase row of P
    int64_t Hb, Wb;         // rows and bytes per row of the padded input image B
    size_t w_off, acc_off, b_off, total;
  };
  static size_t align64(size_t x) { return (x + 63) / 64 * 64; }
  static Geo geo(const U8S8DwShape& s) {
    Geo g;
    g.pairs = (s.kh + 1) / 2;
    g.Hp = (s.OH - 1) * s.stride_h + 2 * (g.pairs - 1) * s.dil_h + 1;
    const int64_t Wp = (s.OW - 1) * s.stride_w + (s.kw - 1) * s.dil_w + 1;
    g.Jp = ((Wp + s.stride_w - 1) / s.stride_w + L + L - 1) / L * L;  // whole vectors
    g.Hb = g.Hp + s.dil_h;
    g.Wb = int64_t(align64(size_t(g.Jp * s.stride_w + 2 * L)));  // stride-2 loads read 2L bytes
    g.w_off = align64(size_t(g.Hp * s.stride_w * g.Jp) * 4);
    g.acc_off = g.w_off + align64(size_t(g.pairs * s.kw) * 4);
    g.b_off = g.acc_off + align64(size_t(s.OW + L) * 4);
    g.total = g.b_off + size_t(g.Hb * g.Wb);
    return g;
  }
  static size_t scratch_bytes(const U8S8DwShape& s) { return geo(s).total; }

  // B: the input with its padding (rows and columns of zero points: 0 in the shifted domain),
  // so building P needs no bounds checks. Row r, byte c: x[r - pad_top][c - pad_left].
  static void pad_input(uint8_t* B, const Geo& g, const uint8_t* x, const U8S8DwShape& s, int32_t xz) {
    for (int64_t r = 0; r < g.Hb; ++r) {
      uint8_t* row = B + r * g.Wb;
      const int64_t iy = r - s.pad_top;
      if (iy < 0 || iy >= s.H) {
        std::memset(row, xz, size_t(g.Wb));
        continue;
      }
      const int64_t left = std::min(s.pad_left, g.Wb), n = std::max<int64_t>(0, std::min(s.W, g.Wb - left));
      std::memset(row, xz, size_t(left));
      std::memcpy(row + left, x + iy * s.W, size_t(n));
      std::memset(row + left + n, xz, size_t(g.Wb - left - n));
    }
  }

  // dst[j] = pair(a[j * sw + phase] - xz, b[j * sw + phase] - xz) for j < Jp (rows of B).
  static void build_row(int32_t* dst, int64_t Jp, const uint8_t* a, const uint8_t* b, int64_t phase, int64_t sw,
                        int32_t xz) {
    const vec vz = R::set1(xz);
    a += phase;
    b += phase;
    if (sw == 1) {
      for (int64_t j = 0; j < Jp; j += L)
        R::store(dst + j, R::pair(R::sub32(R::bytes(a + j), vz), R::sub32(R::bytes(b + j), vz)));
    } else if (sw == 2) {
      for (int64_t j = 0; j < Jp; j += L)
        R::store(dst + j, R::pair(R::sub32(R::bytes_s2(a + 2 * j), vz), R::sub32(R::bytes_s2(b + 2 * j), vz)));
    } else {
      for (int64_t j = 0; j < Jp; ++j)
        dst[j] = int32_t((uint32_t(a[j * sw] - xz) & 0xffffu) | (uint32_t(b[j * sw] - xz) << 16));
    }
  }

  // True when some output row reads P's row r (as the first row of a kernel row pair).
  static bool row_used(int64_t r, const U8S8DwShape& s, int64_t pairs) {
    for (int64_t q = 0; q < pairs; ++q) {
      const int64_t t = r - 2 * q * s.dil_h;
      if (t >= 0 && t % s.stride_h == 0 && t / s.stride_h < s.OH) return true;
    }
    return false;
  }

  static void plane(const U8S8DwShape& s, const uint8_t* x, int32_t xz, const int32_t* w, int32_t bias,
                    const U8S8DwOut& o, void* scratch) {
    const Geo g = geo(s);
    if (g.pairs * s.kw > 64) return u8s8_dwconv_generic_kernels().plane(s, x, xz, w, bias, o, scratch);
    auto* base = static_cast<uint8_t*>(scratch);
    int32_t* P = reinterpret_cast<int32_t*>(base);
    int32_t* wp = reinterpret_cast<int32_t*>(base + g.w_off);
    int32_t* acc = reinterpret_cast<int32_t*>(base + g.acc_off);
    uint8_t* B = base + g.b_off;
    for (int64_t q = 0; q < g.pairs; ++q)
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const int32_t w0 = w[2 * q * s.kw + kx], w1 = 2 * q + 1 < s.kh ? w[(2 * q + 1) * s.kw + kx] : 0;
        wp[q * s.kw + kx] = int32_t((uint32_t(w0) & 0xffffu) | (uint32_t(w1) << 16));
      }
    pad_input(B, g, x, s, xz);
    for (int64_t r = 0; r < g.Hp; ++r) {
      if (!row_used(r, s, g.pairs)) continue;
      for (int64_t p = 0; p < s.stride_w; ++p)
        build_row(P + (r * s.stride_w + p) * g.Jp, g.Jp, B + r * g.Wb, B + (r + s.dil_h) * g.Wb, p, s.stride_w, xz);
    }
    // Each tap pair's offset in P from an output row's first lane (no divisions in the loop:
    // the per-tap `off % stride_w` was the kernel's hottest instruction in `perf`).
    int64_t toff[64];  // kernels with more tap pairs went to the generic entry above
    const int64_t T = g.pairs * s.kw;
    for (int64_t q = 0; q < g.pairs; ++q)
      for (int64_t kx = 0; kx < s.kw; ++kx) {
        const int64_t off = kx * s.dil_w;
        toff[q * s.kw + kx] = (2 * q * s.dil_h * s.stride_w + off % s.stride_w) * g.Jp + off / s.stride_w;
      }
    const vec vb = R::set1(bias);
    for (int64_t oy = 0; oy < s.OH; ++oy) {
      const int32_t* prow = P + oy * s.stride_h * s.stride_w * g.Jp;
      int64_t ox = 0;
      for (; ox + 2 * L <= s.OW; ox += 2 * L) {  // two vectors: each weight broadcast serves both
        vec v0 = vb, v1 = vb;
        for (int64_t t = 0; t < T; ++t) {
          const vec wv = R::set1(wp[t]);
          v0 = R::add32(v0, R::madd16(R::load(prow + toff[t] + ox), wv));
          v1 = R::add32(v1, R::madd16(R::load(prow + toff[t] + ox + L), wv));
        }
        R::store(acc + ox, v0);
        R::store(acc + ox + L, v1);
      }
      for (; ox < s.OW; ox += L) {
        vec v = vb;
        for (int64_t t = 0; t < T; ++t) v = R::add32(v, R::madd16(R::load(prow + toff[t] + ox), R::set1(wp[t])));
        R::store(acc + ox, v);  // acc holds OW + L lanes: the last block's extra lanes land there
      }
      u8s8_detail::dw_finish_row(acc, oy, s, o);
    }
  }

  static constexpr U8S8DwConvKernels kernels(const char* name) { return U8S8DwConvKernels{name, scratch_bytes, plane}; }
};

}  // namespace
}  // namespace ember::kernels::EMBER_U8S8_NS
