// Registration entry points of the attention op folder, one per file.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops {

void add_attention_op(OpRegistry& r);          // attention.cc
void add_rms_norm_op(OpRegistry& r);           // rms_norm.cc
void add_rotary_embedding_op(OpRegistry& r);   // rotary_embedding.cc
void add_swish_ops(OpRegistry& r);             // swish.cc (Swish, SwiGLU)
void add_tensor_scatter_op(OpRegistry& r);     // tensor_scatter.cc
void add_causal_conv_op(OpRegistry& r);        // causal_conv.cc
void add_linear_attention_op(OpRegistry& r);   // linear_attention.cc
void add_flex_attention_op(OpRegistry& r);     // flex_attention.cc (ai.onnx.preview)

}  // namespace ember::ops
