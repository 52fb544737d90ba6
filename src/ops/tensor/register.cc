#include "ops/op_registry.h"
#include "ops/register_all.h"
#include "ops/tensor/tensor_ops.h"

namespace ember::ops {

void register_tensor_ops(OpRegistry& r) {
  add_reshape_ops(r);
  add_transpose_ops(r);
  add_concat_split_ops(r);
  add_slice_ops(r);
  add_gather_ops(r);
  add_scatter_ops(r);
  add_constant_ops(r);
  add_expand_tile_ops(r);
  add_pad_ops(r);
  add_resize_ops(r);
  add_select_ops(r);
  add_trilu_onehot_ops(r);
  add_reverse_unique_ops(r);
  add_center_crop_pad_ops(r);
}

}  // namespace ember::ops
