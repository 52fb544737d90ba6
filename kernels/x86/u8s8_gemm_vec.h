// The per-ISA vector pieces of the x86 int8 GEMM entries (u8s8_gemm_driver.h's Cfg::V), written
// once: a register width (Ymm: AVX2, Zmm: AVX-512) and a k-group multiply-accumulate form.
//   U8S8Vec<Reg, Dot>  the driver's V: 32-bit group broadcast, loads and stores of Reg, Dot::dot
//   Widen16   operands packed as int16, vpmaddwd: exact for any u8 x s8 (pair sums <= 65280)
//   Bytes7    operands packed as bytes, vpmaddubsw then vpmaddwd with ones: u8 x s8 pairs summed
//             into SATURATING int16, so only exact when every weight b' is in [-64, 64]
//             (2 * 255 * 64 = 32640 <= 32767); the entries using it are chosen per weight matrix
//             (U8S8GemmKernels::narrow, kernels/dispatch/u8s8_gemm.h)
//   Vnni      operands as bytes, vpdpbusd: four products straight into int32, exact for any input
// Included by each ISA's file, so the intrinsics compile with that file's -m flags; a file only
// names the pieces its ISA has (Zmm needs AVX-512BW, or SIMDe's emulation).
#pragma once

#include <cstdint>
#include <cstring>

namespace ember::kernels::EMBER_U8S8_NS {
namespace {

template <class Reg, class Dot>
struct U8S8Vec {
  using vec = typename Reg::vec;
  using AElem = typename Dot::AElem;
  using BElem = typename Dot::BElem;
  static constexpr int L = Reg::L, KG = Dot::KG;
  static vec zero() { return Reg::zero(); }
  // The KG elements of one k-group (32 bits) in every lane.
  static vec bcast(const AElem* p) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return Reg::set1(v);
  }
  static vec load(const BElem* p) { return Reg::load(p); }
  static vec load_acc(const int32_t* p) { return Reg::load(p); }
  static void store(int32_t* p, vec v) { Reg::store(p, v); }
  static vec dot(vec acc, vec a, vec b) { return Dot::template dot<Reg>(acc, a, b); }
};

struct Widen16 {
  using AElem = int16_t;
  using BElem = int16_t;
  static constexpr int KG = 2;
  template <class Reg>
  static typename Reg::vec dot(typename Reg::vec acc, typename Reg::vec a, typename Reg::vec b) {
    return Reg::add32(acc, Reg::madd16(a, b));
  }
};

struct Bytes7 {
  using AElem = uint8_t;
  using BElem = int8_t;
  static constexpr int KG = 4;
  template <class Reg>
  static typename Reg::vec dot(typename Reg::vec acc, typename Reg::vec a, typename Reg::vec b) {
    return Reg::add32(acc, Reg::madd16(Reg::maddubs(a, b), Reg::ones16()));
  }
};

#if defined(__AVX2__)
struct Ymm {
  using vec = __m256i;
  static constexpr int L = 8;
  static vec zero() { return _mm256_setzero_si256(); }
  static vec set1(int32_t v) { return _mm256_set1_epi32(v); }
  static vec load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
  static void store(int32_t* p, vec v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static vec add32(vec a, vec b) { return _mm256_add_epi32(a, b); }
  static vec madd16(vec a, vec b) { return _mm256_madd_epi16(a, b); }
  static vec maddubs(vec a, vec b) { return _mm256_maddubs_epi16(a, b); }
  static vec ones16() { return _mm256_set1_epi16(1); }
};
#endif

#if defined(__AVX512BW__) || defined(EMBER_AVX512_SIMDE)
struct Zmm {
  using vec = __m512i;
  static constexpr int L = 16;
  static vec zero() { return _mm512_setzero_si512(); }
  static vec set1(int32_t v) { return _mm512_set1_epi32(v); }
  static vec load(const void* p) { return _mm512_loadu_si512(p); }
  static void store(int32_t* p, vec v) { _mm512_storeu_si512(p, v); }
  static vec add32(vec a, vec b) { return _mm512_add_epi32(a, b); }
  // SIMDe 0.7.4's native aliases for these two take the masked forms' arguments: call SIMDe's.
#ifdef EMBER_AVX512_SIMDE
  static vec madd16(vec a, vec b) { return simde_mm512_madd_epi16(a, b); }
  static vec maddubs(vec a, vec b) { return simde_mm512_maddubs_epi16(a, b); }
#else
  static vec madd16(vec a, vec b) { return _mm512_madd_epi16(a, b); }
  static vec maddubs(vec a, vec b) { return _mm512_maddubs_epi16(a, b); }
#endif
  static vec ones16() { return _mm512_set1_epi16(1); }
};
#endif

#if defined(__AVX512VNNI__) || defined(EMBER_AVX512_SIMDE)
struct Vnni {
  using AElem = uint8_t;
  using BElem = int8_t;
  static constexpr int KG = 4;
  template <class Reg>
  static typename Reg::vec dot(typename Reg::vec acc, typename Reg::vec a, typename Reg::vec b) {
    return _mm512_dpbusd_epi32(acc, a, b);
  }
};
#endif

}  // namespace
}  // namespace ember::kernels::EMBER_U8S8_NS
