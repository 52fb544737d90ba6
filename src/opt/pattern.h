// Matching and rewriting helpers the fusion passes (fuse_*.cc) share: what produces or uses a
// value, constant scalars, and building a fused node that takes over the pattern's output
// values (so graph outputs and downstream uses stay untouched).
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "opt/graph_edit.h"
#include "opt/pass.h"

namespace ember::opt {

inline constexpr const char* kEmberDomain = "ai.ember";

// ---- matching (read only) ---------------------------------------------------------------

bool is_op(const ir::Node* n, const char* op_type, const char* domain = "");
// The node producing `v` when it is `op_type` in `domain`, else null.
ir::Node* producer_of(const ir::Value* v, const char* op_type, const char* domain = "");
// True when `v` feeds exactly one node input and is not a graph output.
bool has_single_use(const ir::Value* v);
// That one consumer, or null.
ir::Node* sole_consumer(const ir::Value* v);
// The constant tensor behind `v` (initializer or folded), null for graph inputs and computed values.
const Tensor* constant_of(const ir::Value* v);
// The value of a one-element floating-point or integer constant.
std::optional<double> scalar_of(const ir::Value* v);
// True when `v` is a one-element constant within a relative 1e-5 of `want`.
bool is_scalar(const ir::Value* v, double want);
// The input of binary node `n` that is not `v` (null when `v` is not one of its 2 inputs).
ir::Value* other_input(const ir::Node* n, const ir::Value* v);
// Static dims of `v` when fully known.
std::optional<Dims> static_shape(const ir::Value* v);
// A constant of rank <= r whose dims, right-aligned to rank r, are 1 except at axis 1: one
// value per channel of an [N, C, ...] tensor of rank r (or one value in all).
bool per_channel_constant(const ir::Value* v, size_t r);
// Symbolic shapes: models exported with dynamic axes (batch, sequence) carry dims that are only
// named (ONNX dim_param). Fusions check them with these instead of static_shape, so they still
// fire on such models. Two dims are the same when both are known and equal, or both carry the
// same name (one name denotes one size throughout a graph).
bool same_dim(const ir::Dim& a, const ir::Dim& b);
// True when both have a known rank and the same dims in the sense of same_dim.
bool same_shape(const ir::Value* a, const ir::Value* b);
// The rank when known.
std::optional<size_t> rank_of(const ir::Value* v);
// Dim `axis` (negative: from the back) of `v` when the rank and that dim are known.
std::optional<int64_t> known_dim(const ir::Value* v, int64_t axis);
// True when `n` is a standard node with the given count of explicit inputs all present.
bool has_inputs(const ir::Node* n, size_t count);

// An activation that follows a value and can become a FusedConv / FusedMatMul epilogue.
struct ActivationMatch {
  std::string name;                    // docs/ember_ops.md spelling: "Relu", "Clip", "Silu", ...
  std::vector<float> params;           // activation_params
  std::vector<const ir::Node*> nodes;  // the nodes it replaces (Sigmoid + Mul for Silu)
  ir::Value* output = nullptr;         // the activation's result
};
// The activation applied to `v` when `v` has no other use (Silu: x * Sigmoid(x), where `v`
// feeds exactly the Sigmoid and the Mul). Clip needs constant bounds.
std::optional<ActivationMatch> match_activation(const ir::Value* v);

// Guards one find() result against overlapping rewrites: claim() fails when a node was
// already claimed by an earlier match.
class Claims {
 public:
  bool free(const std::vector<const ir::Node*>& nodes) const;
  bool claim(const std::vector<const ir::Node*>& nodes);  // free() then mark them

 private:
  std::set<const ir::Node*> taken_;
};

// ---- rewriting -----------------------------------------------------------------------------

// The original names behind `nodes` (a node that is itself fused contributes its fused_from).
std::vector<std::string> source_names(const std::vector<const ir::Node*>& nodes);
// "a + b + c", for rewrite labels.
std::string join_names(const std::vector<const ir::Node*>& nodes);

// The node a fusion adds (domain "" or kEmberDomain); the graph edits live in graph_edit.h.
using NewNode = edit::NodeSpec;

// An ai.ember node of type `op_type` with `node`'s inputs (padded with omitted inputs to at
// least `min_inputs`) and attributes (without `source_nodes`, which replace_with sets).
NewNode ember_node_from(const std::string& op_type, const ir::Node* node, size_t min_inputs);
// Sets attribute `a` on `n`, replacing one of the same name.
void set_attr(NewNode& n, ir::Attribute a);
// True when a fused node already carries an activation.
bool has_activation(const ir::Node* n);

// edit::replace_nodes, with fused_from (and, on ai.ember nodes, the `source_nodes` attribute)
// set from `replaced` when `fused`.
ir::Node* replace_with(ir::Graph& g, const std::vector<const ir::Node*>& replaced, NewNode spec, bool fused = true);

// Attribute builders.
ir::Attribute attr_int(const std::string& name, int64_t v);
ir::Attribute attr_float(const std::string& name, float v);
ir::Attribute attr_string(const std::string& name, const std::string& v);
ir::Attribute attr_floats(const std::string& name, std::vector<float> v);
ir::Attribute attr_ints(const std::string& name, std::vector<int64_t> v);
ir::Attribute attr_strings(const std::string& name, std::vector<std::string> v);

// The ai.onnx opset the model imports (0 when unknown).
int onnx_opset(const PassContext& ctx);

// The fusion passes, one per src/opt/fuse_*.cc; fusion_passes.cc lists them in order.
std::unique_ptr<Pass> make_fuse_conv_bn();
std::unique_ptr<Pass> make_fuse_pad_conv();
std::unique_ptr<Pass> make_fuse_conv_activation();
std::unique_ptr<Pass> make_fuse_matmul_add();
std::unique_ptr<Pass> make_fuse_layer_norm();
std::unique_ptr<Pass> make_fuse_gelu();
std::unique_ptr<Pass> make_fuse_skip_layer_norm();
std::unique_ptr<Pass> make_fuse_attention();
std::unique_ptr<Pass> make_fuse_qkv();
std::unique_ptr<Pass> make_fuse_reshape_transpose();
std::unique_ptr<Pass> make_fuse_matmul_integer_to_float();
std::unique_ptr<Pass> make_fuse_channel_lookup();
std::unique_ptr<Pass> make_fuse_dequantize_residual_add();

}  // namespace ember::opt
