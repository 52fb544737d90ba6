// Checks one f32 GEMM entry (F32GemmKernels) on one case against a triple loop in double with
// its own double-precision epilogue (independent of activate_scalar). A case picks the form
// (B packed or A packed), transposes, leading-dimension padding, alpha/beta, the epilogue, and
// how the call is split: whole, two column ranges (through packed_b_offset, or B offset for
// the packed-A form) or two row ranges (through packed_a_offset, or A offset).
//
// Tolerance: Tier::Close grown with K, relative to sum |alpha*a*b| + |beta*c| + |bias| +
// |residual| (the usual GEMM error bound: cancellation can make the result itself arbitrarily
// small), times the activation's Lipschitz bound; transcendental activations add Tier::Close
// relative to the result for their own (vector) approximation error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dispatch/f32_gemm.h"

namespace ember::test {

enum class GemmForm { PackedB, PackedA };
enum class GemmSplit { Whole, Columns, Rows };

struct GemmCase {
  int64_t M, N, K;
  bool ta = false, tb = false;
  int64_t pad = 0;  // extra leading-dimension columns on A, B, C and the residual
  float alpha = 1.0f, beta = 0.0f;
  bool bias = false, bias_per_row = false, residual = false;
  kernels::Activation act = kernels::Activation::None;
  float act_alpha = 0.0f, act_beta = 0.0f;
  GemmForm form = GemmForm::PackedB;
  GemmSplit split = GemmSplit::Whole;
};

std::string describe(const GemmCase& c);
// Runs the case on `k` and CHECKs every element of C (and that the leading-dimension padding
// of C is untouched); reports the first mismatch in full with the seed.
void check_gemm_case(const kernels::F32GemmKernels& k, const GemmCase& c);

// The double-precision reference of each epilogue activation (independent of activate_scalar),
// how much it can magnify an error in its input, and whether the kernels approximate it
// (exp / erf / tanh: Tier::Close relative to the result on top of the GEMM bound).
double activate_ref(double x, kernels::Activation act, double a, double b);
double activation_lipschitz(kernels::Activation act, float act_alpha);
bool transcendental_activation(kernels::Activation a);

// Every f32 GEMM entry this machine can run: generic; AVX2 and native AVX-512 when the CPU has
// them; AVX-512 through SIMDe in the test build.
std::vector<const kernels::F32GemmKernels*> f32_gemm_kernels_under_test();

}  // namespace ember::test
