// What the quantization rewrites (static, dynamic, weight-only, fp16) share: emitting standard
// ONNX nodes and constants into a graph, matching constant weights, and tidying the graph
// after a rewrite (topological order, dead code, consistency check, type inference).
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::opt::quantize {

// Adds default-domain nodes at the model's opset, and constants, to one graph.
class Emitter {
 public:
  Emitter(ir::Graph& g, int opset) : g_(g), opset_(opset) {}
  // A new value named after `hint` (made unique) with the given element type; its shape is
  // left to type inference.
  ir::Value* value(const std::string& hint, DType dtype);
  // A new initializer.
  ir::Value* constant(const std::string& hint, Tensor t);
  ir::Node* node(const std::string& name, const std::string& op_type, std::vector<ir::Value*> inputs,
                 std::vector<ir::Value*> outputs, std::vector<ir::Attribute> attrs = {});
  ir::Graph& graph() { return g_; }

 private:
  ir::Graph& g_;
  int opset_;
};

// The ai.onnx opset the model imports; InvalidArgument when below `min` (naming `what`).
int onnx_opset_at_least(const ir::Model& m, int min, const char* what);

// The float32 constant behind `v` when it has the given rank (any rank when rank < 0).
const Tensor* float_constant(const ir::Value* v, int rank = -1);

// True when `v` is float32 (as inferred).
bool is_float(const ir::Value* v);

// After a rewrite: re-links uses, restores topological order, drops dead nodes and unused
// initializers (the float weights that were replaced), checks the graph and infers types.
// Throws Internal naming `what` when the result is inconsistent.
void finish_rewrite(ir::Model& m, const std::string& what);

// A one-element tensor.
Tensor scalar_f32(float v);
Tensor scalar_u8(uint8_t v);

}  // namespace ember::opt::quantize
