#include "ops/graph_inference.h"

#include <map>
#include <mutex>


namespace ember::ops {

const OpSchema& require_schema(const ir::Node& node, const OpRegistry& registry) {
  if (const OpSchema* s = registry.find(node.op_type, node.domain, node.opset)) return *s;
  const std::string domain = node.domain.empty() ? "ai.onnx" : node.domain;
  if (registry.knows(node.op_type, node.domain))
    fail(Status::Unsupported, "op ", node.op_type, " (domain '", domain, "') is not supported at opset ",
         node.opset, " (node '", node.name, "')");
  fail(Status::Unsupported, "unsupported op ", node.op_type, " (domain '", domain, "', opset ", node.opset,
       ") at node '", node.name, "'");
}

namespace {

struct BodyTypers {
  std::mutex mu;
  std::map<std::pair<std::string, std::string>, BodyInputTyper> fns;
};

BodyTypers& body_typers() {
  static BodyTypers t;
  return t;
}

BodyInputTyper find_body_typer(const ir::Node& node) {
  BodyTypers& t = body_typers();
  std::lock_guard<std::mutex> lock(t.mu);
  auto it = t.fns.find({node.op_type, node.domain});
  return it == t.fns.end() ? nullptr : it->second;
}

}  // namespace

void register_body_input_typer(const std::string& op_type, const std::string& domain, BodyInputTyper fn) {
  BodyTypers& t = body_typers();
  std::lock_guard<std::mutex> lock(t.mu);
  t.fns[{op_type, domain}] = fn;
}

namespace {

// Combines what inference found with what the model declared: inferred facts win, declared
// facts fill the gaps (a dim inference could not determine, or a symbolic name).
ir::TypeInfo merge_types(const ir::TypeInfo& inferred, const ir::TypeInfo& declared, const ir::Value& v,
                         const ir::Node& node) {
  if (inferred.dtype == DType::Undefined && inferred.kind == ir::ValueKind::Tensor) return declared;
  if (declared.dtype != DType::Undefined && inferred.dtype != DType::Undefined &&
      declared.kind == inferred.kind && declared.dtype != inferred.dtype)
    fail(Status::InvalidModel, node.describe(), ": output '", v.name, "' is declared as ",
         dtype_name(declared.dtype), " but the op produces ", dtype_name(inferred.dtype));
  ir::TypeInfo out = inferred;
  if (!out.has_shape && declared.has_shape) {
    out.has_shape = true;
    out.dims = declared.dims;
  } else if (out.has_shape && declared.has_shape && declared.dims.size() == out.dims.size()) {
    for (size_t i = 0; i < out.dims.size(); ++i) {
      if (!out.dims[i].known() && declared.dims[i].known()) out.dims[i] = declared.dims[i];
      if (!out.dims[i].known() && out.dims[i].symbol.empty()) out.dims[i].symbol = declared.dims[i].symbol;
    }
  }
  return out;
}

// Bodies see their captures with the types of the outer values they stand for. A capture
// carries the name of the outer value, which is how it is matched to an implicit input. The
// formal inputs are typed by the op's registered typer, if any.
void infer_subgraphs(ir::Node& node, const OpRegistry& registry) {
  bool has_body = false;
  for (const auto& [name, a] : node.attrs) has_body = has_body || a.g || !a.graphs.empty();
  if (!has_body) return;
  if (BodyInputTyper typer = find_body_typer(node)) typer(node);
  auto visit = [&](ir::Graph& body) {
    for (ir::Value* cap : body.captures)
      for (size_t k = node.explicit_input_count(); k < node.inputs.size(); ++k)
        if (node.inputs[k] && node.inputs[k]->name == cap->name) cap->type = node.inputs[k]->type;
    infer_graph(body, registry);
  };
  for (auto& [name, a] : node.attrs) {
    if (a.g) visit(*a.g);
    for (auto& g : a.graphs) visit(*g);
  }
}

}  // namespace

void infer_graph(ir::Graph& graph, const OpRegistry& registry) {
  graph.topo_sort();
  // A constant's tensor is the best statement of its type, whatever the model declared.
  for (const auto& v : graph.values())
    if (v->constant && !v->is_input) v->type = ir::TypeInfo::tensor(v->constant->dtype(), v->constant->shape());
  for (const auto& up : graph.nodes()) {
    ir::Node& node = *up;
    const OpSchema& schema = require_schema(node, registry);
    infer_subgraphs(node, registry);
    std::vector<const ir::TypeInfo*> types;
    std::vector<const Tensor*> values;
    for (ir::Value* in : node.inputs) {
      types.push_back(in ? &in->type : nullptr);
      values.push_back(in && in->constant && !in->is_input ? &*in->constant : nullptr);
    }
    InferContext ctx(node, types, values);
    if (schema.infer) schema.infer(ctx);
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      ir::Value* o = node.outputs[i];
      if (o) o->type = merge_types(ctx.outputs()[i], o->type, *o, node);
    }
  }
}

}  // namespace ember::ops
