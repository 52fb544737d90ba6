// Helpers shared by the control-flow ops (If, Loop, Scan): wiring a body's captures to the
// node's implicit inputs, merging the types of values that may come from either of two
// places, and stacking per-iteration tensors into one output.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ops/op_registry.h"

namespace ember::ops::control {

// For each capture of `body`, the index of the node input that feeds it. The importer appends
// the captures of each body in turn (bodies in attribute-name order, so If has else_branch's
// first); that position is used when the name there matches, otherwise the capture is looked
// up by name among the implicit inputs (an outer reference keeps its outer name), and only
// then is the bare position trusted.
std::vector<size_t> capture_inputs(const ir::Node& node, const ir::Graph& body);

// Appends the capture values (node inputs at `indices`) to `inputs`.
void append_captures(const KernelContext& ctx, const std::vector<size_t>& indices, std::vector<RtValue>& inputs);

// The body attribute `name` of `node`; InvalidModel naming the node when missing.
const ir::Graph& require_body(const ir::Node& node, const char* name);

// The type a value has when it may come from either `a` or `b`: facts both agree on are kept,
// the rest become unknown. Element types must agree (InvalidModel naming `what` otherwise).
TypeInfo merge_alternatives(const TypeInfo& a, const TypeInfo& b, const ir::Node& node, const std::string& what);

// `elem` with a new dimension `d` inserted at `axis` (in [0, rank]); unknown rank stays unknown.
TypeInfo insert_dim(const TypeInfo& elem, int64_t axis, ir::Dim d);

// Element type and static shape of a per-iteration body output, when inference knows them;
// needed to shape a stacked output of zero iterations.
struct ElemShape {
  DType dtype = DType::Undefined;
  std::optional<Dims> dims;
};
ElemShape static_elem_shape(const ir::Value* v);

// Writes `elems` (all of one dtype and shape) into `out`, which has their shape with
// elems.size() inserted at `axis`; element t goes to position t, or size-1-t when `reverse`.
void stack_into(Tensor& out, const std::vector<Tensor>& elems, int64_t axis, bool reverse);

// The shape of `elem_shape` with `count` inserted at `axis`.
Dims stacked_shape(const Dims& elem_shape, int64_t axis, int64_t count);

// The body attribute `name` of `node` for typing its inputs; null when missing.
ir::Graph* mutable_body(ir::Node& node, const char* name);

// `t` with every shape forgotten (nested element types included): for values whose shape may
// change between iterations.
TypeInfo without_shape(const TypeInfo& t);

// Tensor type `t` without dimension `axis` (normalised against t's rank); when the rank is
// unknown or `axis` is out of range, only the element type is kept.
TypeInfo remove_dim(const TypeInfo& t, int64_t axis);

// Fills what the body input `v` leaves undeclared (element type, rank, unnamed unknown dims)
// from `given`, the type the op will feed it. A declared element type that contradicts `given`
// is an InvalidModel error; declared dims, symbolic ones included, win over `given` (the
// run-time check catches a clash).
void fill_body_input(ir::Value* v, const TypeInfo& given, const ir::Node& node);

// Refuses (Unsupported) a tensor fed to a body input whose type the body was inferred and
// planned with, when it does not fit: other element type, rank, or known dim. `what` names it.
void check_body_input(const RtValue& v, const TypeInfo& t, const std::string& node, const std::string& what);

// Reads a one-element bool tensor (If's cond, Loop's cond); `what` names it in errors.
bool read_condition(const Tensor& t, const std::string& node, const char* what);

}  // namespace ember::ops::control
