// eliminate_dead_code: removes nodes none of whose outputs is used (by a node, a subgraph or
// as a graph output), and initializers nothing reads. Dead chains are found in one find():
// walking backwards, a node is dead when every consumer of its outputs is dead.
#include <algorithm>
#include <unordered_set>

#include "opt/graph_edit.h"
#include "opt/level1_passes.h"

namespace ember::opt {

namespace {

class EliminateDeadCode final : public Pass {
 public:
  const char* name() const override { return "eliminate_dead_code"; }
  int level() const override { return 1; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::unordered_set<const ir::Node*> dead;
    const std::unordered_set<const ir::Value*> outputs(g.outputs.begin(), g.outputs.end());
    std::vector<Rewrite> rewrites;
    for (auto it = g.nodes().rbegin(); it != g.nodes().rend(); ++it) {
      const ir::Node* n = it->get();
      bool used = false;
      for (const ir::Value* o : n->outputs) {
        if (!o) continue;
        used = used || o->is_output || outputs.count(o);
        for (const ir::Node* c : o->consumers) used = used || !dead.count(c);
      }
      if (used) continue;
      dead.insert(n);
      // Consumers come later in topological order, so they are removed first.
      rewrites.push_back({"eliminate_dead_code: " + n->op_type + " '" + n->name + "'", [n](ir::Graph& graph) {
                            if (edit::contains(graph, n)) edit::remove_node(graph, const_cast<ir::Node*>(n));
                          }});
    }
    std::vector<const ir::Value*> unused;
    for (const ir::Value* v : g.initializers) {
      if (v->is_input || v->is_output || outputs.count(v)) continue;
      bool used = false;
      for (const ir::Node* c : v->consumers) used = used || !dead.count(c);
      if (!used) unused.push_back(v);
    }
    if (!unused.empty())
      rewrites.push_back({"eliminate_dead_code: " + std::to_string(unused.size()) + " unused initializer(s), first '" +
                              unused[0]->name + "'",
                          [unused](ir::Graph& graph) {
                            auto& inits = graph.initializers;
                            inits.erase(std::remove_if(inits.begin(), inits.end(),
                                                       [&](ir::Value* v) {
                                                         if (!v->consumers.empty() ||
                                                             !std::count(unused.begin(), unused.end(), v))
                                                           return false;
                                                         // The value object outlives its removal: drop its
                                                         // data now, or a heap copy (a misaligned initializer,
                                                         // a weight a fusion replaced) stays resident for the
                                                         // session's life (fuse_qkv: 66 MB of BERT-base's
                                                         // Q/K/V weights).
                                                         v->constant.reset();
                                                         return true;
                                                       }),
                                        inits.end());
                          }});
    return rewrites;
  }
};

}  // namespace

std::unique_ptr<Pass> make_eliminate_dead_code() { return std::make_unique<EliminateDeadCode>(); }

}  // namespace ember::opt
