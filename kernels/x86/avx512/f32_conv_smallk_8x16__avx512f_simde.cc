// Test-only build of the AVX-512 pointwise few-channel convolution against SIMDe (see the
// included file). A separate source so its flags (no -mavx512f) stay per file; unit tests only.
#define EMBER_AVX512_SIMDE 1
#include "kernels/x86/avx512/f32_conv_smallk_8x16__avx512f.cc"
