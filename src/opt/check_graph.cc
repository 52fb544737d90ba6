#include "opt/check_graph.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "support/error.h"

namespace ember::opt {

namespace {

std::string where(const ir::Graph& g) { return "graph '" + g.name + "': "; }

bool is_source(const ir::Graph& g, const ir::Value* v) {
  return v->is_input || v->constant || std::count(g.captures.begin(), g.captures.end(), v);
}

// Kahn's algorithm over the producer relation, without touching the graph.
std::string order_problem(const ir::Graph& g, const std::unordered_map<const ir::Value*, const ir::Node*>& producer) {
  std::unordered_map<const ir::Node*, size_t> pending;
  std::unordered_map<const ir::Node*, std::vector<const ir::Node*>> users;
  std::vector<const ir::Node*> ready;
  for (const auto& n : g.nodes()) {
    size_t deps = 0;
    for (const ir::Value* in : n->inputs) {
      auto it = in ? producer.find(in) : producer.end();
      if (it == producer.end()) continue;
      ++deps;
      users[it->second].push_back(n.get());
    }
    pending[n.get()] = deps;
    if (deps == 0) ready.push_back(n.get());
  }
  size_t done = 0;
  while (!ready.empty()) {
    const ir::Node* n = ready.back();
    ready.pop_back();
    ++done;
    for (const ir::Node* u : users[n])
      if (--pending[u] == 0) ready.push_back(u);
  }
  if (done == g.nodes().size()) return "";
  for (const auto& n : g.nodes())
    if (pending[n.get()]) return where(g) + "cycle through node " + n->describe();
  return where(g) + "cycle";
}

std::string captures_problem(const ir::Node& n, const ir::Graph& body) {
  for (const ir::Value* cap : body.captures) {
    bool found = false;
    for (size_t k = n.explicit_input_count(); k < n.inputs.size() && !found; ++k)
      found = n.inputs[k] && n.inputs[k]->name == cap->name;
    if (!found)
      return "subgraph '" + body.name + "' of " + n.describe() + " captures '" + cap->name +
             "', which is not among the node's implicit inputs";
  }
  return graph_problem(body);
}

}  // namespace

std::string graph_problem(const ir::Graph& g) {
  // Sets, not linear scans of g.initializers per node output: the optimizer checks the graph
  // after every rewrite, and the scan made each check O(nodes x initializers).
  std::unordered_set<const ir::Value*> owned, initializers(g.initializers.begin(), g.initializers.end());
  owned.reserve(g.values().size());
  for (const auto& v : g.values()) owned.insert(v.get());
  std::unordered_map<const ir::Value*, const ir::Node*> producer;
  producer.reserve(g.nodes().size() * 2);
  for (const auto& n : g.nodes()) {
    for (const ir::Value* o : n->outputs) {
      if (!o) continue;
      if (!owned.count(o)) return where(g) + n->describe() + " writes a value that is not in the graph";
      if (producer.count(o)) return where(g) + "value '" + o->name + "' is produced by " + producer[o]->describe() + " and " + n->describe();
      if (o->is_input || initializers.count(o))
        return where(g) + n->describe() + " writes '" + o->name + "', which is a graph input or initializer";
      producer[o] = n.get();
    }
  }
  for (const auto& n : g.nodes()) {
    if (n->implicit_inputs > n->inputs.size()) return where(g) + n->describe() + " has more implicit inputs than inputs";
    for (const ir::Value* in : n->inputs) {
      if (!in) continue;
      if (!owned.count(in)) return where(g) + n->describe() + " reads a value that is not in the graph";
      if (!producer.count(in) && !is_source(g, in))
        return where(g) + n->describe() + " reads '" + in->name +
               "', which is neither produced by a node nor a graph input, initializer or capture";
    }
  }
  for (const ir::Value* o : g.outputs) {
    if (!o || !owned.count(o)) return where(g) + "an output is not a value of the graph";
    if (!producer.count(o) && !is_source(g, o)) return where(g) + "output '" + o->name + "' has no producer";
  }
  if (std::string p = order_problem(g, producer); !p.empty()) return p;
  for (const auto& n : g.nodes())
    for (const auto& [name, a] : n->attrs) {
      if (a.g)
        if (std::string p = captures_problem(*n, *a.g); !p.empty()) return p;
      for (const auto& sg : a.graphs)
        if (std::string p = captures_problem(*n, *sg); !p.empty()) return p;
    }
  return "";
}

void check_graph(const ir::Graph& g, const std::string& context) {
  const std::string p = graph_problem(g);
  EMBER_CHECK(p.empty(), Runtime, context, ": ", p);
}

}  // namespace ember::opt
