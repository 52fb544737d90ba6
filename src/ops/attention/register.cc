#include "ops/attention/attention_ops.h"
#include "ops/op_registry.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_attention_ops(OpRegistry& r) {
  add_attention_op(r);
  add_rms_norm_op(r);
  add_rotary_embedding_op(r);
  add_swish_ops(r);
  add_tensor_scatter_op(r);
  add_causal_conv_op(r);
  add_linear_attention_op(r);
  add_flex_attention_op(r);
}

}  // namespace ember::ops
