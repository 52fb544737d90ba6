#pragma once
// Values of small shape tensors through Equal and Where, at inference. PyTorch writes
// expand(batch, 1, seq, seq) with dynamic axes as
//   Expand(mask, Where(Equal(target, -1), ones, target))
// with `target` built from Shape pieces: only when Equal and Where pass on what they compute
// (TypeInfo::dims_value) does the Expand get [batch, 1, seq, seq], and the attention after it
// keep its dims. Every value is decided exactly or not at all.

#include "ops/op_registry.h"

namespace ember::ops::ew {

// Equal of two shape-like inputs (rank <= 1): an element is decided when both are known, both the
// same symbol (one name is one size), or a symbol against a negative constant (a size is never
// negative). Sets output 0's dims_value to 0 / 1 when every element is decided.
void infer_equal_values(InferContext& ctx);

// Where(cond, X, Y) of rank <= 1 with every element of cond decided: output 0's dims_value picks
// X's or Y's element (a known value, a symbol, or unknown).
void infer_where_values(InferContext& ctx);

}  // namespace ember::ops::ew
