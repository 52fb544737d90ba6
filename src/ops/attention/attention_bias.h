// The additive bias of Attention (opset 23-25): attn_mask (bool or float, right-aligned
// broadcast to [batch, q_heads, q_len, kv_len], padded on the key axis), the bottom-right causal
// frontier, the sliding window (opset 25) and the nonpad_kv_seqlen padding mask (opset 24+),
// composed in the order the ONNX reference composes them so -inf / NaN corner cases agree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::attn {

struct AttnBias {
  // Sizes of the score matrix it applies to.
  int64_t batch = 0, q_heads = 0, q_len = 0, kv_len = 0;
  DType dtype = DType::Float32;      // the type the bias is computed in (Q's type)
  // attn_mask, rounded to `dtype` (bool as 0/1), viewed as rank 4 with leading 1s.
  bool has_mask = false, mask_bool = false;
  std::vector<double> mask;
  Dims mask_shape;                   // rank 4; mask_shape[3] may be < kv_len (padded)
  bool causal = false;
  int64_t left = -1, right = -1;     // sliding window; -1 = unbounded
  int64_t past_len = 0;              // keys from past_key (internal cache)
  std::vector<int64_t> nonpad;       // per batch; empty when nonpad_kv_seqlen is absent

  // Checks the mask / nonpad shapes against the sizes; throws ShapeMismatch naming `node`.
  void set_mask(const std::string& node, const Tensor& m);
  void set_nonpad(const std::string& node, const Tensor& n);
  // Writes the bias for score row (b, h, i): kv_len values, each 0, a mask value or -inf.
  void row(int64_t b, int64_t h, int64_t i, double* out) const;
};

}  // namespace ember::ops::attn
