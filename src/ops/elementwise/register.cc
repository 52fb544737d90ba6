#include "ops/elementwise/ew_ops.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_elementwise_ops(OpRegistry& r) {
  ew::add_unary_math_ops(r);
  ew::add_activation_ops(r);
  ew::add_clip_prelu_ops(r);
  ew::add_arith_ops(r);
  ew::add_pow_ops(r);
  ew::add_compare_logic_ops(r);
  ew::add_variadic_ops(r);
  ew::add_where_ops(r);
  ew::add_cast_ops(r);
  ew::add_bitcast_ops(r);
  ew::add_passthrough_ops(r);
}

}  // namespace ember::ops
