// The native vector op families, each registering its factories (register.cc calls them all).
#pragma once

#include "backends/cpu/native_registry.h"

namespace ember::backends::vector {

void register_unary_ops(NativeRegistry& r);      // unary_ops.cc
void register_binary_ops(NativeRegistry& r);     // binary_ops.cc
void register_softmax_ops(NativeRegistry& r);    // softmax_op.cc
void register_norm_ops(NativeRegistry& r);       // norm_ops.cc
void register_pool_ops(NativeRegistry& r);       // pool_ops.cc
void register_reduce_ops(NativeRegistry& r);     // reduce_ops.cc
void register_attention_ops(NativeRegistry& r);  // attention_op.cc

}  // namespace ember::backends::vector
