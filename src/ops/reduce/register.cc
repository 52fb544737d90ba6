#include "ops/op_registry.h"
#include "ops/reduce/reduce_ops.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_reduce_ops(OpRegistry& r) {
  reduce::add_reduce_ops(r);
  reduce::add_argminmax_ops(r);
  reduce::add_cumsum_ops(r);
}

}  // namespace ember::ops
