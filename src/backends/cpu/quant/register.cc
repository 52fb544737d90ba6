// Registers the native int8 ops (src/backends/cpu/quant/).
#include "backends/cpu/native_registry.h"
#include "backends/cpu/quant/quant_ops.h"

namespace ember::backends {

void register_quant_kernels(NativeRegistry& r) {
  r.add("", "MatMulInteger", quant::make_matmul_integer);
  r.add("", "QLinearMatMul", quant::make_qlinear_matmul);
  r.add("ai.ember", "MatMulIntegerToFloat", quant::make_matmul_integer_to_float);
  r.add("", "ConvInteger", quant::make_conv_integer);
  r.add("", "QLinearConv", quant::make_qlinear_conv);
  r.add("", "QuantizeLinear", quant::make_quantize_linear);
  r.add("", "DequantizeLinear", quant::make_dequantize_linear);
  r.add("", "DynamicQuantizeLinear", quant::make_dynamic_quantize_linear);
  r.add("", "Cast", quant::make_cast_int32_to_float);
  r.add("ai.ember", "DequantizeResidualAdd", quant::make_dequantize_residual_add);
  r.add("ai.ember", "ChannelLookup", quant::make_channel_lookup);
}

}  // namespace ember::backends
