// Where ai.ember Attention finds each head of Q, K and V (docs/ember_ops.md), shared by the
// reference kernel (src/ops/ember/attention.cc) and the native one
// (src/backends/cpu/vector/attention_op.cc) so both accept and refuse the same inputs.
//
// Two forms: separate Q [B, S, H*Dh], K [B, T, H*Dh], V [B, T, H*Dv]; or, with K and V
// omitted, one packed projection QKV [B, S, 3*H*Dh] (Q, K, V side by side in its columns, T = S,
// Dv = Dh) as fuse_qkv writes it: the three projections then run as one GEMM.
#pragma once

#include <cstdint>
#include <string>

#include "ir/tensor.h"

namespace ember::ops::ember_op {

struct AttentionLayout {
  int64_t B = 0, S = 0, T = 0, H = 0, Dh = 0, Dv = 0;
  const float *q = nullptr, *k = nullptr, *v = nullptr;  // head 0 of batch 0
  int64_t ldq = 0, ldk = 0, ldv = 0;                      // floats between consecutive rows

  // Head h of batch b: S (or T) rows of Dh (or Dv) floats at the row stride above.
  const float* q_head(int64_t b, int64_t h) const { return q + b * S * ldq + h * Dh; }
  const float* k_head(int64_t b, int64_t h) const { return k + b * T * ldk + h * Dh; }
  const float* v_head(int64_t b, int64_t h) const { return v + b * T * ldv + h * Dv; }
};

// Checks dtypes and shapes (TypeMismatch / ShapeMismatch naming `node`); k and v both null
// selects the packed form.
AttentionLayout attention_layout(const std::string& node, int64_t heads, const Tensor& q, const Tensor* k,
                                 const Tensor* v);

}  // namespace ember::ops::ember_op
