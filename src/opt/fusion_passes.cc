// The list of fusion passes (levels 2 and 3), in the order they run. The manager repeats the
// whole list to a fixed point, so a fusion that enables another (Gelu then FusedMatMul's
// activation, layer norm then skip layer norm) happens in a later round.
#include "opt/optimizer.h"
#include "opt/pattern.h"

namespace ember::opt {

std::vector<std::unique_ptr<Pass>> fusion_passes() {
  std::vector<std::unique_ptr<Pass>> p;
  p.push_back(make_fuse_reshape_transpose());  // layout chains first: patterns below expect them short
  p.push_back(make_fuse_conv_bn());
  p.push_back(make_fuse_pad_conv());           // before fuse_conv_activation makes the Conv a FusedConv
  p.push_back(make_fuse_layer_norm());
  p.push_back(make_fuse_gelu());
  p.push_back(make_fuse_attention());          // before the projections' bias Adds change
  p.push_back(make_fuse_matmul_add());
  p.push_back(make_fuse_skip_layer_norm());    // after fuse_matmul_add took the projection biases
  p.push_back(make_fuse_qkv());                // after fuse_attention and fuse_matmul_add (level 3)
  p.push_back(make_fuse_conv_activation());
  p.push_back(make_fuse_matmul_integer_to_float());
  p.push_back(make_fuse_channel_lookup());
  p.push_back(make_fuse_dequantize_residual_add());
  return p;
}

}  // namespace ember::opt
