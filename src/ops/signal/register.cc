#include "ops/op_registry.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_signal_ops(OpRegistry& /*r*/) {}

}  // namespace ember::ops
