// The op families of src/ops/tensor/, one per file, each registering its schemas.
#pragma once

namespace ember::ops {

class OpRegistry;

void add_reshape_ops(OpRegistry& r);      // Reshape, Flatten, Squeeze, Unsqueeze
void add_transpose_ops(OpRegistry& r);    // Transpose, DepthToSpace, SpaceToDepth
void add_concat_split_ops(OpRegistry& r); // Concat, Split
void add_slice_ops(OpRegistry& r);        // Slice
void add_gather_ops(OpRegistry& r);       // Gather, GatherElements, GatherND
void add_scatter_ops(OpRegistry& r);      // ScatterND, ScatterElements, Scatter
void add_constant_ops(OpRegistry& r);     // Shape, Size, Constant, ConstantOfShape, EyeLike, Range
void add_expand_tile_ops(OpRegistry& r);  // Expand, Tile
void add_pad_ops(OpRegistry& r);          // Pad
void add_resize_ops(OpRegistry& r);       // Resize, Upsample
void add_select_ops(OpRegistry& r);       // NonZero, Compress, TopK
void add_trilu_onehot_ops(OpRegistry& r); // Trilu, OneHot
void add_reverse_unique_ops(OpRegistry& r); // ReverseSequence, Unique
void add_center_crop_pad_ops(OpRegistry& r); // CenterCropPad

}  // namespace ember::ops
