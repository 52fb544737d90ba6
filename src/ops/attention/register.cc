#include "ops/attention/attention_ops.h"
#include "ops/op_registry.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_attention_ops(OpRegistry& r) {
  add_attention_op(r);
}

}  // namespace ember::ops
