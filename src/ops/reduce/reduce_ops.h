// Registration entry points of the op families in src/ops/reduce/.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops::reduce {

void add_reduce_ops(OpRegistry& r);   // ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare
void add_argminmax_ops(OpRegistry& r);  // ArgMax, ArgMin
void add_cumsum_ops(OpRegistry& r);   // CumSum, CumProd

// A copy of the identifying fields of a node (name, op, domain, opset) without attributes or
// edges, kept by kernels so run-time errors can still say which node failed.
ir::Node node_label(const ir::Node& node);

}  // namespace ember::ops::reduce
