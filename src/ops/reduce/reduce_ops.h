// Registration entry points of the op families in src/ops/reduce/.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops::reduce {

void add_reduce_ops(OpRegistry& r);   // ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare
void add_argminmax_ops(OpRegistry& r);  // ArgMax, ArgMin
void add_cumsum_ops(OpRegistry& r);   // CumSum, CumProd

}  // namespace ember::ops::reduce
