// Helpers shared by the attention-family ops (Attention, RMSNormalization, RotaryEmbedding,
// LinearAttention, ...). These reference kernels compute in double and round to the input's
// element type exactly where the ONNX reference (numpy in that type) rounds, so half-precision
// results match the spec's numbers to the last unit rather than drifting by accumulated error.
#pragma once

#include <string>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::attn {

// True for the floating-point element types these kernels accept.
bool is_float_type(DType t);
// Throws Unsupported naming the node and input when `t` is not a float type.
void require_float(const std::string& node, const char* what, DType t);

// Rounds x to the precision of `t` (float32, float16, bfloat16; double is unchanged).
double round_to(DType t, double x);

// Maps the ONNX TensorProto type code used by attributes such as softmax_precision onto a
// float DType; throws InvalidModel naming the node for anything that is not a float type.
DType float_type_from_code(const std::string& node, const char* attr, int64_t code);

}  // namespace ember::ops::attn
