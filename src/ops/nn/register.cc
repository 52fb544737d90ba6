#include "ops/nn/nn_ops.h"
#include "ops/op_registry.h"
#include "ops/register_all.h"

namespace ember::ops {

void register_nn_ops(OpRegistry& r) {
  add_matmul_ops(r);
  add_conv_ops(r);
  add_conv_transpose_ops(r);
  add_pool_ops(r);
  add_global_pool_ops(r);
  add_batch_norm_ops(r);
  add_layer_norm_ops(r);
  add_lrn_ops(r);
  add_softmax_ops(r);
  add_einsum_ops(r);
  add_loss_ops(r);
  add_roi_align_ops(r);
  add_max_unpool_ops(r);
  add_deform_conv_ops(r);
  add_det_ops(r);
  add_affine_grid_ops(r);
  add_col2im_ops(r);
  add_normalize_ops(r);
  add_grid_sample_ops(r);
  add_nms_ops(r);
}

}  // namespace ember::ops
