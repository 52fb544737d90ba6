// The first n (0..16) floats of a 16-float vector, loaded (other lanes zero) and stored (nothing
// written past them): k-masked natively; lane by lane through a buffer in the test-only SIMDe
// build, whose masked loads/stores are not used here. Include only from kernels/x86/avx512/*.cc
// after their intrinsics header; internal linkage on purpose.
#pragma once

#include <cstdint>

namespace ember::kernels {
namespace {

inline __m512 load_first16(const float* p, int n) {
#ifdef EMBER_AVX512_SIMDE
  alignas(64) float t[16] = {};
  for (int i = 0; i < n; ++i) t[i] = p[i];
  return _mm512_load_ps(t);
#else
  return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1u), p);
#endif
}

// The lanes whose bit is set in `bits`, others zero; masked-off lanes are not read (may lie
// outside any allocation).
inline __m512 load_mask16(const float* p, uint32_t bits) {
#ifdef EMBER_AVX512_SIMDE
  alignas(64) float t[16] = {};
  for (int i = 0; i < 16; ++i)
    if (bits >> i & 1u) t[i] = p[i];
  return _mm512_load_ps(t);
#else
  return _mm512_maskz_loadu_ps(__mmask16(bits), p);
#endif
}

inline void store_first16(float* p, int n, __m512 v) {
#ifdef EMBER_AVX512_SIMDE
  alignas(64) float t[16];
  _mm512_store_ps(t, v);
  for (int i = 0; i < n; ++i) p[i] = t[i];
#else
  _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1u), v);
#endif
}

}  // namespace
}  // namespace ember::kernels
