// The multi-head attention block as transformer exporters write it (scripts/make_models.py
// attention()), built with FusionGraph for the fuse_attention and fuse_qkv tests.
#pragma once

#include <cstdint>
#include <vector>

#include "opt/fuse_test_graph.h"

namespace ember::test {

// Where the 1/sqrt(Dh) scale sits: on the scores (Div / Mul after Q K^T) or on Q.
// MulOnQAndK: 1/sqrt(sqrt(Dh)) on both Q and K^T, as PyTorch exports scaled_dot_product_attention.
enum class Scale { DivAfter, MulAfter, MulOnQ, DivOnQ, MulOnQAndK };

struct AttnShape {
  int64_t batch, seq, heads, head_dim;
};

// x @ W + bias, W [fin, fout] and bias [fout] random constants.
ir::Value* linear(FusionGraph& b, ir::Value* x, int64_t fin, int64_t fout);

// How the head reshapes get batch and sequence: literal sizes; 0 entries that copy the input's
// dims; or, as PyTorch exports with dynamic axes write it, Concat(Gather(Shape(x), 0),
// Gather(Shape(x), 1), constants) with x the tensor being reshaped (so the merged heads have
// a Shape reader besides their Reshape).
enum class TargetDims { Literal, CopyZero, FromShape };

// The block on x [B, S, H*Dh]: Q, K, V projections, split heads, scaled scores (+ mask),
// Softmax, context, merged heads and the output projection. nan_guard: Where(IsNaN(p), 0, p)
// after the Softmax, as PyTorch's SDPA export writes it.
ir::Value* attention(FusionGraph& b, ir::Value* x, ir::Value* mask, const AttnShape& s, Scale scale,
                     TargetDims how = TargetDims::Literal, bool nan_guard = false);

}  // namespace ember::test
