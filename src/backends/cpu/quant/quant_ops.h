// The native int8 ops (src/backends/cpu/quant/), registered by register.cc. Each factory
// returns null (the reference kernel in src/ops/quant runs) for forms it does not cover.
#pragma once

#include <memory>

#include "ops/op_registry.h"
#include "runtime/backend.h"
#include "backends/cpu/quant/quant_gemm.h"

namespace ember::backends::quant {

// matmul_integer.cc: uint8 A x constant 2-D int8/uint8 B.
std::unique_ptr<ops::Kernel> make_matmul_integer(const ir::Node& node, const runtime::BackendOptions& options);
std::unique_ptr<ops::Kernel> make_qlinear_matmul(const ir::Node& node, const runtime::BackendOptions& options);
// The same with a float output (ai.ember MatMulIntegerToFloat: scale and bias in the epilogue).
std::unique_ptr<ops::Kernel> make_matmul_integer_to_float(const ir::Node& node, const runtime::BackendOptions& options);
// qlinear_conv.cc: uint8 X, constant int8/uint8 W, any group; 1x1 as a GEMM, else im2col.
std::unique_ptr<ops::Kernel> make_conv_integer(const ir::Node& node, const runtime::BackendOptions& options);
std::unique_ptr<ops::Kernel> make_qlinear_conv(const ir::Node& node, const runtime::BackendOptions& options);
// quantize_ops.cc: per-tensor QuantizeLinear / DequantizeLinear, DynamicQuantizeLinear.
std::unique_ptr<ops::Kernel> make_quantize_linear(const ir::Node& node, const runtime::BackendOptions& options);
std::unique_ptr<ops::Kernel> make_dequantize_linear(const ir::Node& node, const runtime::BackendOptions& options);
std::unique_ptr<ops::Kernel> make_dynamic_quantize_linear(const ir::Node& node, const runtime::BackendOptions& options);

// dequantize_residual_add.cc: ai.ember DequantizeResidualAdd (the float tail of an int8 residual block).
std::unique_ptr<ops::Kernel> make_dequantize_residual_add(const ir::Node& node, const runtime::BackendOptions& options);

// channel_lookup.cc: ai.ember ChannelLookup with an 8-bit table (kernels/dispatch/u8_lookup.h).
std::unique_ptr<ops::Kernel> make_channel_lookup(const ir::Node& node, const runtime::BackendOptions& options);

// cast_int32.cc: Cast int32 -> float32 (after MatMulInteger in dynamic int8 graphs).
std::unique_ptr<ops::Kernel> make_cast_int32_to_float(const ir::Node& node, const runtime::BackendOptions& options);

}  // namespace ember::backends::quant
