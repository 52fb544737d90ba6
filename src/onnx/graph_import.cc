#include "onnx/graph_import.h"

#include "onnx/attribute_import.h"
#include "onnx/type_import.h"

namespace ember::onnx {

namespace {

// One graph being imported, linked to the scope of the graph that encloses it.
struct Scope {
  ir::Graph* graph;
  Scope* parent;     // null for the main graph
  ir::Node* owner;   // the node (in parent->graph) whose attribute holds this graph
};

// Finds `name` in this graph, else in the enclosing ones, capturing it on the way down.
ir::Value* resolve(Scope& s, const std::string& name) {
  if (ir::Value* v = s.graph->find(name)) return v;
  if (!s.parent) return nullptr;
  ir::Value* outer = resolve(*s.parent, name);
  if (!outer) return nullptr;
  ir::Value* cap = s.graph->add_value(name);
  cap->type = outer->type;
  s.graph->captures.push_back(cap);
  s.owner->inputs.push_back(outer);
  ++s.owner->implicit_inputs;
  return cap;
}

std::string graph_label(const ir::Graph& g) { return "graph '" + g.name + "'"; }

std::shared_ptr<ir::Graph> import_graph(const proto::Graph& pg, ImportContext& ctx, Scope* parent,
                                        ir::Node* owner);

void add_inputs(const proto::Graph& pg, ir::Graph& g) {
  for (const auto& vi : pg.input) {
    EMBER_CHECK(!vi.name.empty(), InvalidModel, graph_label(g), ": a graph input has an empty name");
    ir::Value* v = g.add_value(vi.name);
    v->is_input = true;
    if (vi.type) v->type = type_from_proto(*vi.type, "graph input '" + vi.name + "'");
    g.inputs.push_back(v);
  }
}

// An initializer also listed as an input is an input with a default value; it appears in
// both g.inputs and g.initializers.
void add_initializers(const proto::Graph& pg, ImportContext& ctx, ir::Graph& g) {
  for (const auto& tp : pg.initializer) {
    EMBER_CHECK(!tp.name.empty(), InvalidModel, graph_label(g), ": an initializer has an empty name");
    const std::string what = "initializer '" + tp.name + "'";
    Tensor t = tensor_from_proto(tp, ctx.tensors, what);
    ir::Value* v = g.find(tp.name);
    if (v) {
      EMBER_CHECK(v->is_input && !v->constant, InvalidModel, graph_label(g), ": ", what,
                  " is defined more than once");
      EMBER_CHECK(v->type.dtype == DType::Undefined || v->type.dtype == t.dtype(), InvalidModel,
                  graph_label(g), ": ", what, " is ", dtype_name(t.dtype()),
                  " but the input of that name is declared ", v->type.str());
    } else {
      v = g.add_value(tp.name);
      v->type = ir::TypeInfo::tensor(t.dtype(), t.shape());
    }
    v->constant = std::move(t);
    g.initializers.push_back(v);
  }
}

// First pass: create every node and its outputs, so inputs (here and in bodies) can refer to
// values produced later in file order.
std::vector<ir::Node*> add_nodes(const proto::Graph& pg, ImportContext& ctx, ir::Graph& g) {
  std::vector<ir::Node*> nodes;
  for (size_t k = 0; k < pg.node.size(); ++k) {
    const proto::Node& pn = pg.node[k];
    auto n = std::make_unique<ir::Node>();
    n->op_type = pn.op_type;
    n->domain = normalize_domain(pn.domain);
    // Unnamed nodes get a name so every error can point at them.
    n->name = pn.name.empty() ? pn.op_type + "_" + std::to_string(k) : pn.name;
    EMBER_CHECK(!pn.op_type.empty(), InvalidModel, graph_label(g), ": node ", k, " ('", n->name,
                "') has no op_type");
    EMBER_CHECK(!ctx.functions.count({pn.domain, pn.op_type}), Unsupported, n->describe(),
                ": calls the model-local function '", pn.domain.empty() ? "" : pn.domain + ".",
                pn.op_type, "'; model-local functions are not supported");
    auto op = ctx.opsets.find(n->domain);
    EMBER_CHECK(op != ctx.opsets.end(), InvalidModel, n->describe(), ": uses domain '",
                n->domain.empty() ? "ai.onnx" : n->domain, "', but the model imports no opset for it");
    n->opset = op->second;
    for (const auto& name : pn.output) {
      if (name.empty()) {
        n->outputs.push_back(nullptr);
        continue;
      }
      EMBER_CHECK(!g.find(name), InvalidModel, n->describe(), ": output '", name,
                  "' is already defined in ", graph_label(g));
      n->outputs.push_back(g.add_value(name));
    }
    nodes.push_back(g.add_node(std::move(n)));
  }
  return nodes;
}

void import_subgraphs(const proto::Node& pn, ir::Node& n, ImportContext& ctx, Scope& scope) {
  std::map<std::string, const proto::Attribute*> by_name;
  for (const auto& pa : pn.attribute) by_name[pa.name] = &pa;
  // Node::attrs is ordered by name; walking it fixes the order of implicit inputs.
  for (auto& [name, a] : n.attrs) {
    if (a.type != ir::AttrType::Graph && a.type != ir::AttrType::Graphs) continue;
    const proto::Attribute& pa = *by_name.at(name);
    try {
      if (a.type == ir::AttrType::Graph) a.g = import_graph(*pa.g, ctx, &scope, &n);
      for (const auto& body : pa.graphs) a.graphs.push_back(import_graph(body, ctx, &scope, &n));
    } catch (const Error& e) {
      fail(e.status(), "in the body '", name, "' of ", n.describe(), ": ", e.what());
    }
  }
}

// Second pass: resolve inputs (capturing outer values), convert attributes, import bodies.
void connect_node(const proto::Node& pn, ir::Node& n, ImportContext& ctx, Scope& scope) {
  for (const auto& name : pn.input) {
    if (name.empty()) {
      n.inputs.push_back(nullptr);
      continue;
    }
    ir::Value* v = resolve(scope, name);
    EMBER_CHECK(v, InvalidModel, n.describe(), ": input '", name,
                "' is not produced by any node and is not a graph input or initializer",
                scope.parent ? " (here or in an enclosing graph)" : "");
    n.inputs.push_back(v);
  }
  for (const auto& pa : pn.attribute) {
    ir::Attribute a = import_attribute(pa, ctx, n.describe());
    EMBER_CHECK(!n.attrs.count(a.name), InvalidModel, n.describe(), ": attribute '", a.name,
                "' is given more than once");
    n.attrs.emplace(a.name, std::move(a));
  }
  // Ember's fused ops name the nodes they replaced (docs/ember_ops.md); the IR keeps that list
  // in fused_from so profiles and verify can name them after a saved model is reloaded.
  if (n.domain == "ai.ember")
    if (const ir::Attribute* src = n.attr("source_nodes"); src && src->type == ir::AttrType::Strings)
      n.fused_from = src->strings;
  import_subgraphs(pn, n, ctx, scope);
}

std::shared_ptr<ir::Graph> import_graph(const proto::Graph& pg, ImportContext& ctx, Scope* parent,
                                        ir::Node* owner) {
  auto g = std::make_shared<ir::Graph>();
  g->name = pg.name;
  Scope scope{g.get(), parent, owner};
  EMBER_CHECK(pg.sparse_initializers == 0, Unsupported, graph_label(*g),
              ": sparse initializers are not supported");
  add_inputs(pg, *g);
  add_initializers(pg, ctx, *g);
  const std::vector<ir::Node*> nodes = add_nodes(pg, ctx, *g);

  // Declared types go on before bodies are imported, so captures copy them.
  for (const auto& vi : pg.value_info) {
    ir::Value* v = g->find(vi.name);
    if (v && vi.type && !v->is_input && !v->constant)
      v->type = type_from_proto(*vi.type, "value_info '" + vi.name + "'");
  }
  for (const auto& vi : pg.output)
    if (ir::Value* v = g->find(vi.name); v && vi.type && vi.type->kind != proto::Type::Kind::Unset)
      v->type = type_from_proto(*vi.type, "graph output '" + vi.name + "'");

  for (size_t k = 0; k < nodes.size(); ++k) connect_node(pg.node[k], *nodes[k], ctx, scope);

  for (const auto& vi : pg.output) {
    EMBER_CHECK(!vi.name.empty(), InvalidModel, graph_label(*g), ": a graph output has an empty name");
    ir::Value* v = resolve(scope, vi.name);
    EMBER_CHECK(v, InvalidModel, graph_label(*g), ": output '", vi.name,
                "' is not produced by any node and is not an input or initializer");
    if (vi.type && vi.type->kind != proto::Type::Kind::Unset)
      v->type = type_from_proto(*vi.type, "graph output '" + vi.name + "'");
    v->is_output = true;
    g->outputs.push_back(v);
  }
  g->topo_sort();
  return g;
}

}  // namespace

std::shared_ptr<ir::Graph> import_main_graph(const proto::Graph& g, ImportContext& ctx) {
  return import_graph(g, ctx, nullptr, nullptr);
}

}  // namespace ember::onnx
