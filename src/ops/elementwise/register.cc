#include "ops/op_registry.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_elementwise_ops(OpRegistry& r) { (void)r; }

}  // namespace ember::ops
