// Softmax over contiguous rows for AVX2 + FMA (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx2/f32_vector_avx2.h"

namespace ember::kernels::avx2 {

void f32_softmax__avx2(int64_t rows, int64_t len, const float* x, float* y) { Loops::softmax(rows, len, x, y); }

}  // namespace ember::kernels::avx2
