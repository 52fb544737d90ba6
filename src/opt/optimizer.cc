// The pass manager: type inference, then every pass of the requested level in order, each
// proposing labelled rewrites that are applied and checked one at a time, repeated until a
// whole sweep changes nothing. A rewrite budget (stop_after / EMBER_OPT_STOP_AFTER) stops it
// early with a valid graph, which is how verify bisects to the first bad rewrite.
#include "opt/optimizer.h"

#include <cstdlib>
#include <string>

#include "ops/graph_inference.h"
#include "opt/check_graph.h"
#include "opt/level1_passes.h"
#include "support/error.h"

namespace ember::opt {

namespace {

// A pass that keeps proposing rewrites forever is a bug; this many sweeps is far beyond
// what any real model needs (each sweep applies every pass to a fixed point of its own).
constexpr int kMaxSweeps = 64;

int64_t stop_after_from_env() {
  const char* s = std::getenv("EMBER_OPT_STOP_AFTER");
  if (!s || !*s) return -1;
  char* end = nullptr;
  const long long n = std::strtoll(s, &end, 10);
  EMBER_CHECK(*end == '\0' && n >= 0, InvalidArgument, "EMBER_OPT_STOP_AFTER='", s,
              "' is not a non-negative integer");
  return n;
}

void infer(ir::Model& model) { ops::infer_graph(*model.graph, ops::OpRegistry::global()); }

// Every graph of the model, top first; shared_ptrs keep a body alive while a pass works on
// it even if a rewrite of the same pass removes its owner.
void collect_graphs(const std::shared_ptr<ir::Graph>& g, std::vector<std::shared_ptr<ir::Graph>>& out) {
  out.push_back(g);
  for (const auto& n : g->nodes())
    for (auto& [k, a] : n->attrs) {
      if (a.g) collect_graphs(a.g, out);
      for (auto& sg : a.graphs) collect_graphs(sg, out);
    }
}

// The check after a pass's rewrites: names the rewrite when the pass applied one, else the
// pass and its last rewrite, with the way to find the first bad one.
void check_pass(const ir::Model& model, const OptimizeReport& report, size_t first, const char* pass) {
  const std::string problem = graph_problem(*model.graph);
  if (problem.empty()) return;
  const size_t n = report.applied.size() - first;
  if (n == 1)
    fail(Status::Runtime, "internal error: rewrite '", report.applied.back(), "' left the graph inconsistent: ", problem);
  fail(Status::Runtime, "internal error: the ", n, " rewrites of pass '", pass, "' (last: rewrite '",
       report.applied.back(), "') left the graph inconsistent: ", problem,
       " (EMBER_OPT_STOP_AFTER=N or `ember verify` checks each rewrite and names the first bad one)");
}

}  // namespace

std::vector<std::unique_ptr<Pass>> level1_passes() {
  std::vector<std::unique_ptr<Pass>> passes;
  passes.push_back(make_fold_constants());
  passes.push_back(make_fold_shape_subgraphs());
  passes.push_back(make_remove_noops());
  passes.push_back(make_eliminate_common_subexpressions());
  passes.push_back(make_eliminate_dead_code());
  return passes;
}

std::vector<std::unique_ptr<Pass>> all_passes() {
  std::vector<std::unique_ptr<Pass>> passes = level1_passes();
  for (auto& p : fusion_passes()) passes.push_back(std::move(p));
  return passes;
}

OptimizeReport optimize(ir::Model& model, const OptimizeOptions& options) {
  EMBER_CHECK(model.graph, InvalidModel, "model has no graph");
  EMBER_CHECK(options.level >= 0 && options.level <= 3, InvalidArgument, "optimization level ",
              options.level, " is out of range (0..3)");
  infer(model);
  OptimizeReport report;
  // A model saved by `ember optimize` is already optimized; running passes again would only
  // cost load time (and its ai.ember nodes are what the fusions would produce anyway).
  if (options.level == 0 || model.metadata_props.count("ember.optimized")) return report;
  const int64_t budget = options.stop_after >= 0 ? options.stop_after : stop_after_from_env();

  std::vector<const Pass*> passes;
  const auto owned = all_passes();
  for (const auto& p : owned)
    if (p->level() <= options.level) passes.push_back(p.get());
  for (const auto& p : options.extra_passes) passes.push_back(p.get());

  // Passes (and edit::can_redirect) rely on Value::is_output; graphs built by hand (bodies in
  // particular) may list outputs without setting it.
  {
    std::vector<std::shared_ptr<ir::Graph>> graphs;
    collect_graphs(model.graph, graphs);
    for (const auto& g : graphs)
      for (ir::Value* v : g->outputs)
        if (v) v->is_output = true;
  }
  // The consistency check costs a walk of the whole graph; after every rewrite it was a third
  // of MobileNetV2's optimize time (perf, `ember optimize` x10). Release builds check once per
  // pass and bisect (a budget, as `ember verify` sets) to the rewrite; debug builds and bisect
  // runs check every rewrite and name it directly.
#ifdef NDEBUG
  const bool check_each = budget >= 0;
#else
  const bool check_each = true;
#endif
  PassContext ctx;
  ctx.level = options.level;
  ctx.model = &model;
  for (int sweep = 0;; ++sweep) {
    bool changed = false;
    for (const Pass* pass : passes) {
      bool pass_changed = false;
      const size_t first_of_pass = report.applied.size();
      std::vector<std::shared_ptr<ir::Graph>> graphs;
      collect_graphs(model.graph, graphs);
      for (const auto& g : graphs) {
        for (Rewrite& r : pass->find(*g, ctx)) {
          if (budget >= 0 && int64_t(report.applied.size()) >= budget) {
            if (pass_changed) infer(model);
            return report;
          }
          r.apply(*g);
          if (check_each) check_graph(*model.graph, "internal error: rewrite '" + r.label + "' left the graph inconsistent");
          report.applied.push_back(std::move(r.label));
          pass_changed = true;
        }
      }
      if (!pass_changed) continue;
      if (!check_each) check_pass(model, report, first_of_pass, pass->name());
      changed = true;
      try {
        infer(model);
      } catch (const Error& e) {
        // Usually the model's own error, found once folding made a value known (a constant
        // Reshape target that does not fit): keep its status, say where it surfaced.
        fail(e.status(), e.what(), " (found when inferring types after pass '", pass->name(), "', last rewrite '",
             report.applied.back(), "')");
      }
    }
    if (!changed) break;
    EMBER_CHECK(sweep + 1 < kMaxSweeps, Runtime, "internal error: the optimizer did not reach a fixed point after ",
                kMaxSweeps, " sweeps (last rewrite: '", report.applied.back(), "')");
  }
  return report;
}

}  // namespace ember::opt
