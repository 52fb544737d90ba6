// Byte table lookup for AVX-512 VBMI, 64 bytes per step: vpermi2b picks from two 64-byte
// quarters of the table by the low 7 bits of each index (its bit 6 chooses the quarter), once
// for entries 0-127 and once for 128-255; bit 7 of the index (vpmovb2m) blends the two. The
// tail goes through a buffer. Compiled twice: natively for the library, and with
// EMBER_AVX512_SIMDE against SIMDe into a test-only object.
#ifdef EMBER_AVX512_SIMDE
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#pragma GCC diagnostic ignored "-Wpsabi"
#define EMBER_LOOKUP_NS avx512_simde
#define EMBER_LOOKUP_NAME "u8_lookup_64__avx512vbmi (simde)"
#else
#include <immintrin.h>
#define EMBER_LOOKUP_NS avx512
#define EMBER_LOOKUP_NAME "u8_lookup_64__avx512vbmi"
#endif

#include <cstring>

#include "kernels/dispatch/u8_lookup.h"

namespace ember::kernels::EMBER_LOOKUP_NS {
namespace {

inline __m512i lookup64(__m512i idx, __m512i t0, __m512i t1, __m512i t2, __m512i t3) {
  const __m512i lo = _mm512_permutex2var_epi8(t0, idx, t1);
  const __m512i hi = _mm512_permutex2var_epi8(t2, idx, t3);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(idx), lo, hi);
}

void lookup(const uint8_t* x, int64_t n, const uint8_t* table, uint8_t* y) {
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64)
    _mm512_storeu_si512(y + i, lookup64(_mm512_loadu_si512(x + i), t0, t1, t2, t3));
  if (i < n) {  // the tail through a buffer (SIMDe 0.7 has no masked byte loads / stores)
    alignas(64) uint8_t buf[64] = {};
    std::memcpy(buf, x + i, size_t(n - i));
    _mm512_store_si512(buf, lookup64(_mm512_load_si512(buf), t0, t1, t2, t3));
    std::memcpy(y + i, buf, size_t(n - i));
  }
}

}  // namespace

const U8LookupKernels& u8_lookup_vbmi_kernels() {
  static constexpr U8LookupKernels k{EMBER_LOOKUP_NAME, lookup};
  return k;
}

}  // namespace ember::kernels::EMBER_LOOKUP_NS
