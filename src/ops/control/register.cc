#include "ops/control/control_ops.h"
#include "ops/op_registry.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_control_ops(OpRegistry& r) {
  control::add_if_ops(r);
  control::add_loop_ops(r);
  control::add_scan_ops(r);
  control::add_sequence_ops(r);
  control::add_sequence_map_ops(r);
  control::add_optional_ops(r);
}

}  // namespace ember::ops
