// Registration entry points of the quantization op files, called from register.cc.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops::quant {

void add_quant_linear_ops(OpRegistry& r);  // quant_linear.cc: QuantizeLinear, DequantizeLinear
void add_qmatmul_ops(OpRegistry& r);       // qmatmul.cc: MatMulInteger, QLinearMatMul, DynamicQuantizeLinear
void add_qconv_ops(OpRegistry& r);         // qconv.cc: ConvInteger, QLinearConv
void add_channel_lookup_op(OpRegistry& r); // channel_lookup.cc: ai.ember ChannelLookup
void add_dequantize_residual_add_op(OpRegistry& r);  // dequantize_residual_add.cc: ai.ember DequantizeResidualAdd

}  // namespace ember::ops::quant
