// Runs one pass by hand (infer types, find, apply each rewrite, check the graph) and runs
// models through a Session at a given optimization level, for the optimizer tests.
#pragma once

#include <string>
#include <vector>

#include "ops/graph_inference.h"
#include "opt/check_graph.h"
#include "opt/pass.h"
#include "runtime/session.h"

namespace ember::test {

inline std::vector<std::string> run_pass(ir::Model& m, const opt::Pass& pass) {
  ops::infer_graph(*m.graph, ops::OpRegistry::global());
  opt::PassContext ctx;
  ctx.level = 1;
  ctx.model = &m;
  std::vector<std::string> labels;
  for (opt::Rewrite& r : pass.find(*m.graph, ctx)) {
    r.apply(*m.graph);
    opt::check_graph(*m.graph, r.label);
    labels.push_back(r.label);
  }
  ops::infer_graph(*m.graph, ops::OpRegistry::global());
  return labels;
}

inline std::vector<Tensor> run_at_level(std::shared_ptr<ir::Model> m, const runtime::Feeds& feeds, int level) {
  runtime::SessionOptions o;
  o.threads = 1;
  o.optimization = level;
  return runtime::Session::from_model(std::move(m), o)->run(feeds);
}

inline bool has_label(const std::vector<std::string>& labels, const std::string& part) {
  for (const std::string& l : labels)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace ember::test
