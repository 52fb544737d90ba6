#include "ops/op_registry.h"
#include "ops/register_all.h"
#include "ops/rnn/rnn_common.h"

namespace ember::ops {

void register_rnn_ops(OpRegistry& r) { rnn::add_cell_ops(r); }

}  // namespace ember::ops
