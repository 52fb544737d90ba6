// Registration entry points of the elementwise op families (one .cc file each), called from
// register.cc.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops::ew {

void add_unary_math_ops(OpRegistry& r);   // unary_math.cc: Sqrt, Exp, ..., IsNaN, Not
void add_activation_ops(OpRegistry& r);   // activations.cc: Relu, Sigmoid, Gelu, ...
void add_clip_prelu_ops(OpRegistry& r);   // clip_prelu.cc: Clip, PRelu
void add_arith_ops(OpRegistry& r);        // arith.cc: Add, Sub, Mul, Div, Mod, BitShift
void add_pow_ops(OpRegistry& r);          // pow.cc: Pow
void add_compare_logic_ops(OpRegistry& r);// compare_logic.cc: Equal, Less, ..., And, Or, Xor
void add_variadic_ops(OpRegistry& r);     // variadic.cc: Max, Min, Sum, Mean
void add_where_ops(OpRegistry& r);        // where.cc: Where
void add_cast_ops(OpRegistry& r);         // cast.cc: Cast, CastLike
void add_bitcast_ops(OpRegistry& r);      // bitcast.cc: BitCast
void add_passthrough_ops(OpRegistry& r);  // passthrough.cc: Identity, Dropout

}  // namespace ember::ops::ew
