// Registration entry points of the nn op families, one per file, called from register.cc.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops {

void add_matmul_ops(OpRegistry& r);          // MatMul, Gemm
void add_conv_ops(OpRegistry& r);            // Conv
void add_conv_transpose_ops(OpRegistry& r);  // ConvTranspose
void add_pool_ops(OpRegistry& r);            // MaxPool, AveragePool, LpPool
void add_global_pool_ops(OpRegistry& r);     // GlobalAveragePool, GlobalMaxPool, GlobalLpPool
void add_batch_norm_ops(OpRegistry& r);      // BatchNormalization, InstanceNormalization
void add_layer_norm_ops(OpRegistry& r);      // LayerNormalization, GroupNormalization
void add_lrn_ops(OpRegistry& r);             // LRN
void add_softmax_ops(OpRegistry& r);         // Softmax, LogSoftmax, Hardmax
void add_einsum_ops(OpRegistry& r);          // Einsum
void add_grid_sample_ops(OpRegistry& r);     // GridSample
void add_nms_ops(OpRegistry& r);             // NonMaxSuppression
void add_normalize_ops(OpRegistry& r);       // LpNormalization, MeanVarianceNormalization, Shrink
void add_det_ops(OpRegistry& r);             // Det
void add_affine_grid_ops(OpRegistry& r);     // AffineGrid
void add_col2im_ops(OpRegistry& r);          // Col2Im
void add_deform_conv_ops(OpRegistry& r);     // DeformConv
void add_max_unpool_ops(OpRegistry& r);      // MaxUnpool
void add_roi_align_ops(OpRegistry& r);       // RoiAlign
void add_loss_ops(OpRegistry& r);            // NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss

}  // namespace ember::ops
