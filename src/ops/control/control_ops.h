// Registration entry points of the op families in src/ops/control/.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops::control {

void add_if_ops(OpRegistry& r);        // If
void add_loop_ops(OpRegistry& r);      // Loop
void add_scan_ops(OpRegistry& r);      // Scan (opset 9+), calls add_scan8_ops
void add_scan8_ops(OpRegistry& r);     // Scan (opset 8: batched, sequence_lens)
void add_sequence_ops(OpRegistry& r);  // Sequence* , ConcatFromSequence, SplitToSequence
void add_sequence_map_ops(OpRegistry& r);  // SequenceMap
void add_optional_ops(OpRegistry& r);  // Optional, OptionalHasElement, OptionalGetElement

}  // namespace ember::ops::control
