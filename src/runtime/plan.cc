// Plan construction: slots for values, kernels for nodes, liveness and the arena layout.
#include "runtime/plan.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "ops/graph_inference.h"
#include "runtime/subgraph.h"

namespace ember::runtime {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// A tensor intermediate the arena may hold once its size is known (statically, or from a run).
bool arena_eligible(const ir::Value& v) {
  return v.type.kind == ir::ValueKind::Tensor && v.type.dtype != DType::String && v.type.dtype != DType::Undefined &&
         !v.is_output;
}

class PlanFactoryContext final : public ops::KernelFactoryContext {
 public:
  PlanFactoryContext(const Backend& backend, const BackendOptions& options)
      : backend_(backend), options_(options) {}
  std::shared_ptr<const ops::Subgraph> compile_subgraph(const ir::Graph& body) override {
    return std::make_shared<CompiledSubgraph>(Plan::build(body, backend_, options_), body);
  }

 private:
  const Backend& backend_;
  const BackendOptions& options_;
};

// Whether every reader of constant `v` is a Gather on axis 0 taking it as its table: that
// kernel reads a deferred table row by row where it lies (ops/tensor/gather.cc), so it is not
// materialised (BERT-base's word embeddings: 94 MB copied at creation for the ~128 rows a run
// reads; the first run faults in those rows' pages only).
bool read_by_rows_only(const ir::Value& v) {
  if (v.is_output || v.is_input || v.consumers.empty()) return false;
  for (const ir::Node* c : v.consumers) {
    if (c->op_type != "Gather" || !c->domain.empty() || c->inputs.empty() || c->inputs[0] != &v) return false;
    for (size_t i = 1; i < c->inputs.size(); ++i)
      if (c->inputs[i] == &v) return false;
    const int64_t axis = c->attr_int("axis", 0);
    if (axis != 0 && axis != -int64_t(v.constant ? v.constant->rank() : 0)) return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<Plan> Plan::build(const ir::Graph& graph, const Backend& backend,
                                  const BackendOptions& options, const KernelBuiltHook& on_kernel_built) {
  auto plan = std::make_unique<Plan>();
  plan->graph_ = &graph;
  std::unordered_map<const ir::Value*, int> slot_of;
  std::unordered_set<const ir::Value*> prepacked_slots;  // constants no run reads (no slot)
  auto slot = [&](const ir::Value* v) -> int {
    if (!v) return -1;
    auto [it, inserted] = slot_of.emplace(v, int(plan->slot_value_.size()));
    if (inserted) {
      plan->slot_value_.push_back(v);
      ops::RtValue init;
      if (v->constant) init.tensor = *v->constant;
      plan->slot_init_.push_back(std::move(init));
    }
    return it->second;
  };

  for (const ir::Value* v : graph.inputs) plan->bound_slots_.push_back(slot(v));
  for (const ir::Value* v : graph.captures) plan->bound_slots_.push_back(slot(v));

  // Readers per constant that a run could still need: every node input that names it (implicit
  // inputs of control-flow nodes included), plus one for a graph output or input (a fed
  // value, or one the caller gets back). A prepacking kernel takes its reader off.
  std::unordered_map<const ir::Value*, size_t> unpacked_readers;
  for (const auto& up : graph.nodes())
    for (const ir::Value* in : up->inputs)
      if (in && in->constant) ++unpacked_readers[in];
  for (auto& [v, n] : unpacked_readers)
    if (v->is_output || v->is_input) ++n;

  PlanFactoryContext factory(backend, options);
  const ops::OpRegistry& registry = ops::OpRegistry::global();
  const auto kernels_start = Clock::now();
  std::map<std::string, double> ms_by_op;
  for (const auto& up : graph.nodes()) {
    const ir::Node& node = *up;
    Step step;
    step.node = &node;
    const ops::OpSchema& schema = ops::require_schema(node, registry);
    const auto kernel_start = Clock::now();
    step.kernel = backend.make_kernel(node, schema, factory, options);
    ms_by_op[node.op_type] += ms_since(kernel_start);
    std::vector<const ir::Value*> prepacked_only;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const ir::Value* in = node.inputs[i];
      if (!in || !in->constant || !step.kernel->prepacked_input(i)) continue;
      if (--unpacked_readers[in] != 0) continue;
      prepacked_only.push_back(in);
      ++plan->stats_.prepacked_only_constants;
      plan->stats_.prepacked_only_bytes += in->constant->nbytes();
      const auto it = slot_of.find(in);  // bound by an earlier (also prepacking) reader
      if (it != slot_of.end()) plan->slot_init_[size_t(it->second)] = ops::RtValue{};
      prepacked_slots.insert(in);
    }
    if (on_kernel_built) on_kernel_built(node, prepacked_only);
    for (const ir::Value* in : node.inputs) step.inputs.push_back(in && prepacked_slots.count(in) ? -1 : slot(in));
    for (const ir::Value* out : node.outputs) step.outputs.push_back(slot(out));
    plan->steps_.push_back(std::move(step));
  }
  for (const ir::Value* v : graph.outputs) plan->output_slots_.push_back(slot(v));
  // Constants a run reads are materialised now (a deferred view or pending scale: ir/tensor.h),
  // never in the first run; except tables that only Gather reads by rows (read_rows, in place).
  for (size_t i = 0; i < plan->slot_init_.size(); ++i)
    if (Tensor& t = plan->slot_init_[i].tensor; t.deferred() && !read_by_rows_only(*plan->slot_value_[i])) t.raw();
  plan->stats_.kernels_ms = ms_since(kernels_start);
  plan->stats_.kernel_ms_by_op.assign(ms_by_op.begin(), ms_by_op.end());
  std::sort(plan->stats_.kernel_ms_by_op.begin(), plan->stats_.kernel_ms_by_op.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });

  const auto layout_start = Clock::now();
  // Liveness: the step that writes each slot and the last step that reads it.
  const size_t n = plan->slot_value_.size();
  std::vector<int> first(n, -1), last(n, -1);
  for (int s = 0; s < int(plan->steps_.size()); ++s) {
    for (int o : plan->steps_[s].outputs)
      if (o >= 0 && first[o] < 0) first[o] = last[o] = s;
    for (int i : plan->steps_[s].inputs)
      if (i >= 0) last[i] = s;
  }
  std::vector<bool> keep(n, false);  // never released: bound inputs, constants, outputs
  for (int b : plan->bound_slots_) keep[b] = true;
  for (int o : plan->output_slots_) if (o >= 0) keep[o] = true;
  for (size_t k = 0; k < n; ++k)
    if (plan->slot_value_[k]->constant) keep[k] = true;
  for (size_t k = 0; k < n; ++k)
    if (!keep[k] && last[k] >= 0) plan->steps_[last[k]].release.push_back(int(k));

  // Arena layout for intermediates whose size is known now; the dynamic ones are laid out per
  // input shapes on their first run (runtime/arena_layout.h).
  for (size_t k = 0; k < n; ++k) {
    const ir::Value* v = plan->slot_value_[k];
    if (first[k] < 0 || keep[k] || !arena_eligible(*v)) continue;
    size_t bytes = 0;
    if (v->type.is_static())
      bytes = size_t(dims_numel(v->type.static_dims())) * dtype_size(v->type.dtype);
    else
      ++plan->stats_.heap_values;
    plan->arena_requests_.push_back(SlotRequest{int(k), first[k], std::max(first[k], last[k]), bytes});
  }
  plan->static_layout_ = make_arena_layout(n, plan->arena_requests_);
  plan->stats_.steps = plan->steps_.size();
  plan->stats_.arena_bytes = plan->static_layout_->arenas->bytes();
  plan->stats_.planned_bytes_without_reuse = plan->static_layout_->planned_bytes_without_reuse;
  plan->stats_.memory_plan_ms = ms_since(layout_start);
  return plan;
}

}  // namespace ember::runtime
