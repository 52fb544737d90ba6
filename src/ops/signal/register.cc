#include "ops/op_registry.h"
#include "ops/register_all.h"
#include "ops/signal/signal_ops.h"

namespace ember::ops {

void register_signal_ops(OpRegistry& r) {
  add_window_ops(r);
  add_dft_ops(r);
}

}  // namespace ember::ops
