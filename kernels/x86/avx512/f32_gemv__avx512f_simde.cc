// Test-only build of the AVX-512 matrix-vector kernel against SIMDe (see the included file).
// A separate source so its flags (no -mavx512f) stay per file; linked into the unit tests only.
#define EMBER_AVX512_SIMDE 1
#include "kernels/x86/avx512/f32_gemv__avx512f.cc"
