// The quantization rewrites, one per file. Each works on a model whose graph has inferred
// types (the level-1 graph: standard ONNX ops only), emits only standard ONNX operators (so
// the result also runs in onnxruntime), and returns one label per rewritten node
// ("quantize_static: Conv 'conv1' -> QLinearConv"). None of them touches subgraphs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "opt/quantize/calibration_methods.h"

namespace ember::opt::quantize {

// quantize_static.cc. The float activations whose ranges static quantization needs: the data
// inputs of Conv / MatMul / Gemm nodes with constant weights and their outputs (after a Relu
// that the output quantization absorbs).
std::vector<std::string> static_calibration_tensors(const ir::Graph& g);
// Conv -> QLinearConv (uint8 activations, int8 weights, int32 bias at scale s_x * s_w, a
// following Relu absorbed into the output range); MatMul / Gemm (+ bias) -> MatMulInteger,
// int32 bias Add, Cast and a Mul by s_x * s_w. uint8 values flow straight between quantized
// nodes and through MaxPool / Reshape / Flatten / Transpose / Squeeze / Unsqueeze; Quantize-
// and DequantizeLinear appear only where float and uint8 meet. Nodes whose tensors have no
// calibrated range stay float.
std::vector<std::string> quantize_static(ir::Model& m, const std::map<std::string, Range>& ranges, bool per_channel,
                                         int weight_qmax = 127);

// quantize_dynamic.cc. MatMul / Gemm with constant weights -> DynamicQuantizeLinear (uint8,
// per tensor, at run time) + MatMulInteger (int8 weights) + Cast + Mul by x_scale * w_scale
// (+ Add of the bias), the pattern onnxruntime's quantize_dynamic emits.
std::vector<std::string> quantize_dynamic(ir::Model& m, bool per_channel, int weight_qmax = 127);

// quantize_weight_only.cc. The constant weight of MatMul / Gemm stored as int8 or int4 in
// blocks of `block` along the reduction axis, a DequantizeLinear (opset 21 block_size)
// feeding the float product. Upgrades the model to opset 21 first (opset_upgrade.cc).
std::vector<std::string> quantize_weight_only(ir::Model& m, DType type, int64_t block);

// fp16_weights.cc. Every float32 initializer of at least `min_bytes` stored as float16, with a
// Cast back to float32 (computed once when a session folds constants).
std::vector<std::string> store_weights_fp16(ir::Model& m, size_t min_bytes);

// opset_upgrade.cc. Raises the model's ai.onnx opset to `target` (>= 13 required), rewriting
// the nodes whose form changed on the way (Reduce* axes attribute -> input at 18) and
// refusing, by name, the ops whose semantics changed (GridSample, DFT, GroupNormalization).
void upgrade_onnx_opset(ir::Model& m, int target, const char* why);

}  // namespace ember::opt::quantize
