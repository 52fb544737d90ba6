// The int8 GEMM kernel interface every ISA implements (u8 activations x s8 weights -> s32):
//
//   acc[m, n] = sum_k (A[m, k] - za) * (B[k, n] - zb[n])            exact, wrapped to int32
//
// A: uint8 activations [M, K] (or, with transA, stored [K, M]: the im2col matrix of an NCHW
// convolution), with a per-tensor zero point za given per call. B: constant weights [K, N] (or
// [N, K] with transB), int8 or uint8, with a per-tensor or per-column zero point, packed once.
//
// How the zero points are handled: the micro-kernels only ever multiply the raw bytes
// (a in [0, 255], b' = b or b - 128 for uint8 weights, in [-128, 127]), and the epilogue adds
// the compensation terms, using the row sums of A (computed by pack_a) and the column sums of
// b' (computed by pack_b):
//   acc = sum a*b' - za * colsum(b')[n] - zb'[n] * rowsum(a)[m] + K * za * zb'[n]
// All of it in wrapping 32-bit arithmetic, so the result equals the exact sum modulo 2^32 —
// what ONNX's int32 MatMulInteger/ConvInteger produce — for any K.
//
// The epilogue then writes one of (see U8S8Epilogue):
//   Int32    acc (+ bias_i32)                                        MatMulInteger, ConvInteger
//   Float32  fma(float(acc + bias_i32), scale[n], bias_f32[n]) (one rounding), optional Relu
//   UInt8/Int8  saturate(rint(double(acc + bias_i32) * scale[n]) + y_zp), optional Relu
//                                                                    QLinearMatMul, QLinearConv
// The requantization multiplies in double so it equals the reference ops' rounding exactly;
// it is O(M*N) next to the O(M*N*K) products.
//
// Threading: pack A once (per call), then any set of blocks rows [m0, m1) x columns [n0, n1)
// with m0 % mr == 0 and n0 % nr == 0 may run on different threads (kernels are single-threaded,
// allocate nothing, and use a bounded stack tile). Each ISA has its own packed layouts: buffers
// packed by one entry are only valid for that entry's functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dispatch/kernel_table.h"

namespace ember::kernels {

enum class QuantOut : int { Int32 = 0, Float32, UInt8, Int8 };

struct U8S8Epilogue {
  QuantOut out = QuantOut::Int32;
  void* c = nullptr;     // the whole C (element type from `out`)
  int64_t ldc = 0;       // row stride in elements
  bool trans_c = false;  // C stored [N, M]: element (m, n) at c[n * ldc + m] (NCHW convolution)
  int32_t a_zero_point = 0;
  const int32_t* bias_i32 = nullptr;  // N values added to the int32 sum (QLinearConv's B), or null
  const float* scale = nullptr;       // N values (Float32 / UInt8 / Int8): dequantization scale or
                                      //   requantization multiplier a_scale * b_scale / y_scale
  const float* bias_f32 = nullptr;    // N values added after scaling (Float32 only), or null
  bool relu = false;                  // Float32: max(y, 0); UInt8/Int8: clamp below at y_zero_point
  int32_t y_zero_point = 0;           // UInt8 / Int8
};

struct U8S8GemmKernels {
  const char* name;  // e.g. "u8s8_gemm_6x16__avx2"
  int mr, nr;        // register tile: m0 must be a multiple of mr, n0 of nr

  // A [M, K] (transA: stored [K, M]) with leading dimension lda, plus its row sums. In bytes.
  size_t (*packed_a_size)(int64_t M, int64_t K);
  void (*pack_a)(int64_t M, int64_t K, const uint8_t* A, int64_t lda, bool transA, void* packed);

  // B [K, N] (transB: stored [N, K]); b_unsigned: uint8 weights, else int8. b_zero_point: null
  // (0), one value, or N values (b_zp_per_column), in B's own type's range.
  size_t (*packed_b_size)(int64_t K, int64_t N);
  void (*pack_b)(int64_t K, int64_t N, const void* B, int64_t ldb, bool transB, bool b_unsigned,
                 const int32_t* b_zero_point, bool b_zp_per_column, void* packed);

  // Rows [m0, m1) x columns [n0, n1) of the M x N result through the epilogue.
  void (*gemm)(int64_t M, int64_t N, int64_t K, int64_t m0, int64_t m1, int64_t n0, int64_t n1,
               const void* packed_a, const void* packed_b, const U8S8Epilogue& ep);

  // A faster entry with the same results for weights whose every b' (b, or b - 128 for uint8
  // weights) is in [-64, 64], e.g. 7-bit "reduce range" quantization; null if this ISA has none.
  // Choose it per weight matrix with u8s8_gemm_kernels_for_weights: A must then be packed by it too.
  const U8S8GemmKernels& (*narrow)();

  // pack_a for A stored transposed with each row placed anywhere: rows[k] holds the M bytes
  // a[0..M, k] (a convolution's padded input planes, read without an im2col copy). Without
  // row_sums the packed row sums are zero, which is exact only when every zb' is 0 (the
  // epilogue multiplies them by zb'): symmetric int8 weights, and it saves a third of the packing.
  void (*pack_a_rows)(int64_t M, int64_t K, const uint8_t* const* rows, bool row_sums, void* packed);
};

// Reference-grade portable entry (mr = nr = 1).
const U8S8GemmKernels& u8s8_gemm_generic_kernels();

// The best entry for a feature bitmask and cap: generic, then AVX2 (16-bit widening +
// vpmaddwd), AVX-512BW (the same on zmm), AVX-512 VNNI (vpdpbusd). AVX2 and AVX-512BW have a
// narrow entry (vpmaddubsw on bytes) for 7-bit weights.
const U8S8GemmKernels& make_u8s8_gemm_kernels(uint32_t cpu_features, Isa cap);
// make_u8s8_gemm_kernels(cpu_features(), isa_cap_from_env()), chosen once.
const U8S8GemmKernels& u8s8_gemm_kernels();

// Whether every b' of op(B) [K, N] (arguments as in pack_b) lies in [-64, 64].
bool u8s8_weights_fit_7bit(int64_t K, int64_t N, const void* B, int64_t ldb, bool transB, bool b_unsigned);
// k's narrow entry when it has one and the weights fit it, else k. Decided once, when B is packed.
const U8S8GemmKernels& u8s8_gemm_kernels_for_weights(const U8S8GemmKernels& k, int64_t K, int64_t N, const void* B,
                                                     int64_t ldb, bool transB, bool b_unsigned);

namespace avx2 {
const U8S8GemmKernels& u8s8_gemm_kernels();
const U8S8GemmKernels& u8s8_gemm_7bit_kernels();  // its narrow entry (vpmaddubsw)
}  // namespace avx2
namespace avx512 {
const U8S8GemmKernels& u8s8_gemm_bw_kernels();
const U8S8GemmKernels& u8s8_gemm_bw_7bit_kernels();
const U8S8GemmKernels& u8s8_gemm_vnni_kernels();
}  // namespace avx512
// Test-only (ember_kernels_avx512_simde): the AVX-512 sources compiled against SIMDe.
namespace avx512_simde {
const U8S8GemmKernels& u8s8_gemm_bw_kernels();
const U8S8GemmKernels& u8s8_gemm_bw_7bit_kernels();
const U8S8GemmKernels& u8s8_gemm_vnni_kernels();
}  // namespace avx512_simde

}  // namespace ember::kernels
