// Test-only build of the int8 AVX-512 depthwise kernel against SIMDe (see the included file). A
// separate source so its flags (no -mavx512*) stay per file; linked into the unit tests only.
#define EMBER_AVX512_SIMDE 1
#include "kernels/x86/avx512/u8s8_dwconv__avx512bw.cc"
