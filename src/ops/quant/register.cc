#include "ops/quant/quant_ops.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_quant_ops(OpRegistry& r) {
  quant::add_quant_linear_ops(r);
  quant::add_qmatmul_ops(r);
  quant::add_qconv_ops(r);
  quant::add_channel_lookup_op(r);
  quant::add_dequantize_residual_add_op(r);
}

}  // namespace ember::ops
