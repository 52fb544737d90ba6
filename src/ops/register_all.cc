#include "ops/register_all.h"

namespace ember::ops {

void register_all_ops(OpRegistry& r) {
  register_elementwise_ops(r);
  register_nn_ops(r);
  register_tensor_ops(r);
  register_reduce_ops(r);
  register_control_ops(r);
  register_attention_ops(r);
  register_quant_ops(r);
  register_rnn_ops(r);
  register_text_ops(r);
  register_ml_ops(r);
  register_signal_ops(r);
  register_ember_ops(r);
}

}  // namespace ember::ops
