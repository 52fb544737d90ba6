#include "ops/ml/ml_ops.h"
#include "ops/op_registry.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_ml_ops(OpRegistry& r) {
  ml::add_simple_ops(r);
  ml::add_label_encoder_ops(r);
  ml::add_tree_ensemble_ops(r);
}

}  // namespace ember::ops
