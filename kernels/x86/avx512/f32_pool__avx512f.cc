// 2-D max / average pooling of one NCHW plane and the plane mean (GlobalAveragePool) for
// AVX-512F (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx512/f32_vector_avx512.h"

namespace ember::kernels::EMBER_VEC512_NS {

void f32_maxpool2d__avx512f(const Pool2d& g, const float* x, float* y) { Loops::maxpool2d(g, x, y); }
void f32_avgpool2d__avx512f(const Pool2d& g, const float* x, float* y) { Loops::avgpool2d(g, x, y); }
float f32_mean__avx512f(int64_t n, const float* x) { return Loops::mean(n, x); }

}  // namespace ember::kernels::EMBER_VEC512_NS
