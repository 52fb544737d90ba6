// The f32 GEMM kernel interface every ISA implements, with one operand packed ahead of time:
//
//   C[M,N] = act(alpha * op(A)[M,K] * op(B)[K,N] + beta * C + bias + residual)
//
// Row-major operands given by pointer + leading dimension. op(A) is A ([M,K], lda >= K) or,
// with transA, A stored as [K,M] (lda >= M); likewise B is [K,N] or, with transB, [N,K]. The
// transposes are absorbed by the packing routines, so the micro-kernels see one layout.
//
// Two forms, for the two places a constant weight sits:
//  - gemm_packed:   B packed once (pack_b), A given per call.  MatMul/Gemm: X[M,K] * W[K,N];
//                   NHWC-style convolutions.
//  - gemm_packed_a: A packed once (pack_a), B given per call.  NCHW convolution as GEMM:
//                   W[Cout, Cin*kh*kw] * im2col(X)[Cin*kh*kw, H*W] (bias then is per row).
// Each ISA has its own packed layout: a buffer packed by one entry is only valid for that
// entry's functions.
//
// Splitting work across threads (the kernels are single-threaded and allocate nothing; they
// may use a bounded stack buffer): callers split M and N into ranges.
//  - Rows [m0, m1) of C: offset A (or, for packed A, use packed_a + packed_a_offset(K, m0) with
//    m0 a multiple of mr), C, residual and a per-row bias by m0.
//  - Columns [n0, n1) of C: packed_b + packed_b_offset(K, n0) (n0 a multiple of nr) is a valid
//    packed B for those columns; offset B (unpacked), C, residual and a per-column bias by n0.
//
// beta == 0 never reads C (it may be uninitialised). The epilogue (bias, residual, activation)
// is applied once, after the full K reduction, on the tile in registers where the ISA allows.
// Small M (1..16 rows, as in transformer decoding) must not pay for full-size tile padding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember::kernels {

// Activations fusable into GEMM/convolution epilogues. Parameters in GemmEpilogue::act_alpha /
// act_beta: LeakyRelu alpha; Clip min, max; HardSigmoid alpha, beta (ONNX defaults 0.2, 0.5).
// Gelu is the exact erf form; GeluTanh the tanh approximation. HardSwish is x*relu6(x+3)/6.
enum class Activation : int {
  None = 0, Relu, LeakyRelu, Clip, Sigmoid, HardSigmoid, HardSwish, Silu, Gelu, GeluTanh,
};

struct GemmEpilogue {
  const float* bias = nullptr;      // null: no bias
  bool bias_per_row = false;        // false: N values (per column); true: M values (per row)
  const float* residual = nullptr;  // null: none; else R[M,N] with leading dimension ldr, added
  int64_t ldr = 0;                  //   after bias and before the activation
  Activation activation = Activation::None;
  float act_alpha = 0.0f;
  float act_beta = 0.0f;
};

struct F32GemmKernels {
  const char* name;  // the micro-kernel, e.g. "f32_gemm_6x16__avx2_fma"
  int mr, nr;        // register tile (rows of A, columns of B)

  // --- B packed ahead of time.
  size_t (*packed_b_size)(int64_t K, int64_t N);        // in floats
  void (*pack_b)(int64_t K, int64_t N, const float* B, int64_t ldb, bool transB, float* packed);
  void (*gemm_packed)(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, bool transA,
                      const float* packed_b, float* C, int64_t ldc, float alpha, float beta,
                      const GemmEpilogue& epilogue);
  size_t (*packed_b_offset)(int64_t K, int64_t n0);     // in floats; n0 % nr == 0

  // --- A packed ahead of time.
  size_t (*packed_a_size)(int64_t M, int64_t K);        // in floats
  size_t (*packed_a_offset)(int64_t K, int64_t m0);     // in floats; m0 % mr == 0
  void (*pack_a)(int64_t M, int64_t K, const float* A, int64_t lda, bool transA, float* packed);
  void (*gemm_packed_a)(int64_t M, int64_t N, int64_t K, const float* packed_a, const float* B,
                        int64_t ldb, bool transB, float* C, int64_t ldc, float alpha, float beta,
                        const GemmEpilogue& epilogue);
};

// Portable entry: operands copied row-major, Eigen's GEMM, then the epilogue in a loop.
const F32GemmKernels& f32_gemm_generic_kernels();

// The epilogue applied by a scalar loop to an already computed C tile (rows x cols, at row m0
// and column n0 of the whole C, so per-row/per-column bias indexes are right). Shared by the
// generic entry and the x86 edge tiles; the reference for the tests.
void apply_epilogue_scalar(float* C, int64_t ldc, int64_t rows, int64_t cols, int64_t m0,
                           int64_t n0, const GemmEpilogue& epilogue);
// One activation on one value (the scalar reference of the vector forms).
float activate_scalar(float x, Activation act, float alpha, float beta);

}  // namespace ember::kernels
