// eliminate_common_subexpressions: two nodes with the same op, attributes and inputs compute
// the same values; the later one's uses move to the earlier one and it is removed. Inputs are
// compared after earlier merges of the same find() (through `canon`), so duplicated chains
// merge in one sweep. Small constants with equal contents count as the same input (exporters
// emit one Constant per use of an index or axis). Random ops and nodes with subgraphs are
// never merged.
#include <map>
#include <unordered_map>

#include "opt/graph_edit.h"
#include "opt/level1_passes.h"

namespace ember::opt {

namespace {

bool mergeable(const ir::Node& n) {
  if (n.op_type.rfind("Random", 0) == 0 || n.op_type == "Bernoulli" || n.op_type == "Multinomial" ||
      n.op_type == "Dropout")
    return false;
  for (const auto& [name, a] : n.attrs)
    if (a.g || !a.graphs.empty()) return false;
  return n.implicit_inputs == 0 && !n.outputs.empty();
}

bool same_node(const ir::Node& a, const ir::Node& b) {
  if (a.op_type != b.op_type || a.domain != b.domain || a.opset != b.opset || a.outputs.size() != b.outputs.size() ||
      a.attrs.size() != b.attrs.size())
    return false;
  for (size_t k = 0; k < a.outputs.size(); ++k)
    if ((a.outputs[k] == nullptr) != (b.outputs[k] == nullptr)) return false;
  for (auto ia = a.attrs.begin(), ib = b.attrs.begin(); ia != a.attrs.end(); ++ia, ++ib)
    if (!edit::same_attribute(ia->second, ib->second)) return false;
  return true;
}

// dtype, shape and bytes of a small numeric constant; "" for anything else.
std::string constant_key(const ir::Value* v) {
  if (!v->constant || v->is_input || v->constant->numel() > 16 || v->constant->dtype() == DType::String) return "";
  const Tensor& t = *v->constant;
  std::string key = std::to_string(int(t.dtype())) + dims_str(t.shape());
  key.append(static_cast<const char*>(t.raw()), t.nbytes());
  return key;
}

class EliminateCommonSubexpressions final : public Pass {
 public:
  const char* name() const override { return "eliminate_common_subexpressions"; }
  int level() const override { return 1; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::unordered_map<const ir::Value*, const ir::Value*> canon;
    std::map<std::string, const ir::Value*> constants;  // small constant contents -> first value
    auto canonical = [&](const ir::Value* v) -> const ir::Value* {
      if (auto it = canon.find(v); it != canon.end()) return it->second;
      if (const std::string key = constant_key(v); !key.empty()) return constants.emplace(key, v).first->second;
      return v;
    };
    // Candidates keyed by op and canonical inputs; attributes are compared on a key match.
    std::map<std::pair<std::string, std::vector<const ir::Value*>>, std::vector<const ir::Node*>> seen;
    std::vector<Rewrite> rewrites;
    for (const auto& up : g.nodes()) {
      const ir::Node* n = up.get();
      if (!mergeable(*n)) continue;
      std::vector<const ir::Value*> key_inputs;
      for (const ir::Value* in : n->inputs) key_inputs.push_back(in ? canonical(in) : nullptr);
      auto& bucket = seen[{n->op_type, key_inputs}];
      const ir::Node* first = nullptr;
      for (const ir::Node* c : bucket)
        if (same_node(*c, *n)) first = c;
      if (!first) {
        bucket.push_back(n);
        continue;
      }
      bool movable = true;
      for (const ir::Value* o : n->outputs) movable = movable && (!o || edit::can_redirect(o));
      if (!movable) continue;
      for (size_t k = 0; k < n->outputs.size(); ++k)
        if (n->outputs[k]) canon[n->outputs[k]] = first->outputs[k];
      rewrites.push_back({"eliminate_common_subexpressions: " + n->op_type + " '" + n->name + "' = '" + first->name + "'",
                          [n, first](ir::Graph& graph) {
                            if (!edit::contains(graph, n) || !edit::contains(graph, first)) return;
                            for (size_t k = 0; k < n->outputs.size(); ++k)
                              if (n->outputs[k]) edit::redirect_uses(graph, n->outputs[k], first->outputs[k]);
                            edit::remove_node(graph, const_cast<ir::Node*>(n));
                          }});
    }
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_common_subexpressions() {
  return std::make_unique<EliminateCommonSubexpressions>();
}

}  // namespace ember::opt
