// Test-only build of the AVX-512 VBMI byte lookup against SIMDe (see the included file). A
// separate source so its flags (no -mavx512*) stay per file; linked into the unit tests only.
#define EMBER_AVX512_SIMDE 1
#include "kernels/x86/avx512/u8_lookup_64__avx512vbmi.cc"
