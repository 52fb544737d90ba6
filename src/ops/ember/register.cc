#include "ops/ember/ember_ops.h"
#include "ops/ember/sparse_matmul.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_ember_ops(OpRegistry& r) {
  add_fused_conv_op(r);
  add_fused_matmul_op(r);
  add_ember_attention_op(r);
  add_skip_layer_norm_op(r);
  add_ember_layer_norm_op(r);
  add_gelu_op(r);
  add_sparse_matmul_op(r);
}

}  // namespace ember::ops
