// Softmax over contiguous rows for AVX-512F (loops: kernels/generic/vector_loops.h).
#include "kernels/x86/avx512/f32_vector_avx512.h"

namespace ember::kernels::EMBER_VEC512_NS {

void f32_softmax__avx512f(int64_t rows, int64_t len, const float* x, float* y) { Loops::softmax(rows, len, x, y); }

}  // namespace ember::kernels::EMBER_VEC512_NS
