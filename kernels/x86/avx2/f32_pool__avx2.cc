// 2-D max / average pooling of one NCHW plane and the plane mean (GlobalAveragePool) for
// AVX2 + FMA (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx2/f32_vector_avx2.h"

namespace ember::kernels::avx2 {

void f32_maxpool2d__avx2(const Pool2d& g, const float* x, float* y) { Loops::maxpool2d(g, x, y); }
void f32_avgpool2d__avx2(const Pool2d& g, const float* x, float* y) { Loops::avgpool2d(g, x, y); }
float f32_mean__avx2(int64_t n, const float* x) { return Loops::mean(n, x); }

}  // namespace ember::kernels::avx2
