// One registration function per op folder; each folder is owned by one family of ops.
#pragma once

namespace ember::ops {

class OpRegistry;

void register_elementwise_ops(OpRegistry& r);  // src/ops/elementwise/
void register_nn_ops(OpRegistry& r);           // src/ops/nn/
void register_tensor_ops(OpRegistry& r);       // src/ops/tensor/
void register_reduce_ops(OpRegistry& r);       // src/ops/reduce/
void register_control_ops(OpRegistry& r);      // src/ops/control/

void register_all_ops(OpRegistry& r);

}  // namespace ember::ops
