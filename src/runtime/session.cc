#include "runtime/session.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sstream>

#include "backends/cpu/kernel_choice.h"
#include "onnx/onnx_reader.h"
#include "opt/optimizer.h"
#include "runtime/plan.h"
#include "runtime/profiler.h"
#include "runtime/weight_pages.h"

namespace ember::runtime {

namespace {

IoInfo io_info(const ir::Value& v) { return IoInfo{v.name, v.type}; }

// Checks a fed tensor against the declared input type.
void check_feed(const IoInfo& info, const Tensor& t) {
  const ir::TypeInfo& want = info.type;
  EMBER_CHECK(t.defined(), InvalidArgument, "input '", info.name, "' is an empty tensor");
  EMBER_CHECK(want.dtype == DType::Undefined || want.dtype == t.dtype(), TypeMismatch, "input '", info.name,
              "' expects ", dtype_name(want.dtype), ", got ", dtype_name(t.dtype()));
  if (!want.has_shape) return;
  bool ok = want.dims.size() == t.rank();
  for (size_t d = 0; ok && d < want.dims.size(); ++d) ok = !want.dims[d].known() || want.dims[d].value == t.dim(d);
  EMBER_CHECK(ok, ShapeMismatch, "input '", info.name, "' expects shape ", want.str(), ", got ",
              dims_str(t.shape()));
}

// Checks a fed value (tensor, sequence or empty optional) against the declared input type.
void check_value_feed(const IoInfo& info, const ops::RtValue& v) {
  const ir::TypeInfo& want = info.type;
  if (want.kind == ir::ValueKind::Optional) {
    if (v.is_none) return;
    const ir::TypeInfo elem = want.elem ? *want.elem : ir::TypeInfo{};
    check_value_feed(IoInfo{info.name, elem}, v);
    return;
  }
  EMBER_CHECK(!v.is_none, InvalidArgument, "input '", info.name, "' is not optional; got an empty optional");
  if (want.kind == ir::ValueKind::Sequence) {
    EMBER_CHECK(v.is_sequence(), TypeMismatch, "input '", info.name, "' expects a sequence, got a tensor");
    const IoInfo elem{info.name + "[]", want.elem ? *want.elem : ir::TypeInfo{}};
    for (const Tensor& t : *v.sequence) check_feed(elem, t);
    return;
  }
  EMBER_CHECK(!v.is_sequence(), TypeMismatch, "input '", info.name, "' expects a tensor, got a sequence");
  check_feed(info, v.tensor);
}

bool is_bound(const ops::RtValue& v) { return v.tensor.defined() || v.is_sequence() || v.is_none; }

// Hands freed heap pages back to the system. Needed when constants are freed during the
// plan build: once glibc has returned one large block with munmap it raises its mmap
// threshold (up to 32 MiB), so the weight copies of the next model loaded in the process
// come from the heap, where a freed block in the middle stays resident; the packed copies
// would then pile up beside it as if nothing had been freed (measured: BERT-base's second
// session in one process peaked at 620 MB, the first at 486 MB).
void return_freed_heap_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}
// Batches the trims (each walks the heap): BERT-base frees 72 weights of 2.4 to 9.4 MB.
constexpr size_t kTrimAfterBytes = size_t(32) << 20;

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// EMBER_LOG_CREATION=1: one line per session on stderr saying where creation time went.
void log_creation(const std::vector<CreationPhase>& phases, double total_ms, const PlanStats& st) {
  const char* env = std::getenv("EMBER_LOG_CREATION");
  if (!env || !*env || std::string(env) == "0") return;
  std::ostringstream line;
  line << "ember: session created in " << total_ms << " ms:";
  for (const CreationPhase& p : phases) line << " " << p.name << " " << p.ms << " ms;";
  line << " kernels by op:";
  for (size_t k = 0; k < st.kernel_ms_by_op.size() && k < 5; ++k)
    line << " " << st.kernel_ms_by_op[k].first << " " << st.kernel_ms_by_op[k].second << " ms";
  std::fprintf(stderr, "%s\n", line.str().c_str());
}

}  // namespace

Session::Session(std::shared_ptr<ir::Model> model, const SessionOptions& opts) : opts_(opts), model_(std::move(model)) {
  const auto start = std::chrono::steady_clock::now();
  EMBER_CHECK(model_ && model_->graph, InvalidModel, "model has no graph");
  const Backend& backend = find_backend(opts_.device);
  if (!opts_.profile_path.empty()) profiler_ = std::make_unique<Profiler>(opts_.profile_path);
  backends::start_cpu_kernel_choice(opts_.cpu_backend);  // refuses onednn when not built; auto timing budget
  ir::Graph& g = *model_->graph;
  WeightPageReleaser weights(g);
  opt::optimize(*model_, opt::OptimizeOptions{opts_.optimization, -1});  // infers types, even at level 0
  weights.release_mappings();  // what the optimizer read (and replaced) need not stay resident
  if (profiler_) profiler_->add_phase("prepare graph", start);  // optimize, infer types
  const auto plan_start = Profiler::Clock::now();
  phases_.push_back({"optimize", ms_between(start, plan_start)});
  for (const ir::Value* v : g.inputs) inputs_.push_back(io_info(*v));
  for (const ir::Value* v : g.outputs) outputs_.push_back(io_info(*v));
  pool_ = std::make_unique<ThreadPool>(opts_.threads > 0 ? opts_.threads : default_thread_count());
  // Each node's mapped weights are dropped once its kernel is built: a prepacked copy then
  // never sits next to a resident original (WeightPageReleaser). Constants that only
  // prepacking read are freed there too (a heap copy of a misaligned initializer, a folded
  // weight): no run reads them again.
  // Only when nobody else holds the model or its graph (from_file, from_memory, or a caller
  // that handed its only reference over): a caller that kept one may still read the graph.
  size_t freed_bytes = 0;  // freed since the heap was last trimmed
  const bool free_constants = !opts_.keep_graph_constants && model_.use_count() == 1 && model_->graph.use_count() == 1;
  auto after_kernel = [&](const ir::Node& node, const std::vector<const ir::Value*>& prepacked_only) {
    weights.release_inputs(node);
    if (!free_constants) return;
    for (const ir::Value* v : prepacked_only)
      if (ir::Value* owned = g.find(v->name); owned == v) {
        freed_bytes += owned->constant->nbytes();
        owned->constant.reset();
      }
    if (freed_bytes >= kTrimAfterBytes) {
      return_freed_heap_memory();
      freed_bytes = 0;
    }
  };
  BackendOptions::SharedPacks shared_packs;  // creation only: kernels keep what they use
  BackendOptions backend_options{opts_.cpu_backend, pool_->threads(), pool_.get()};
  backend_options.shared_packs = &shared_packs;
  plan_ = Plan::build(g, backend, backend_options, after_kernel);
  if (freed_bytes > 0) return_freed_heap_memory();
  if (profiler_) {
    profiler_->add_phase("build plan", plan_start);
    profiler_->set_plan(*plan_);
  }
  const PlanStats& st = plan_->stats();
  phases_.push_back({"kernels", st.kernels_ms});
  phases_.push_back({"memory plan", st.memory_plan_ms});
  // Deferred constants left here are ones no run reads (the plan materialised every constant a
  // step reads): a prepacked weight, or one a fold replaced. raw() would copy them for nothing.
  for (const auto& v : g.values())
    if (v->constant && !v->constant->deferred()) constant_data_.insert(v->constant->raw());
  creation_ms_ = ms_between(start, std::chrono::steady_clock::now());
}

Session::~Session() = default;

Profiler& Session::enable_profiling(const std::string& path) {
  if (!profiler_) {
    profiler_ = std::make_unique<Profiler>(path);
    profiler_->set_plan(*plan_);
  }
  return *profiler_;
}

const PlanStats& Session::plan_stats() const { return plan_->stats(); }
size_t Session::learned_layouts() const { return plan_->learned_layouts(); }

std::unique_ptr<Session> Session::from_model(std::shared_ptr<ir::Model> model, const SessionOptions& opts) {
  return std::unique_ptr<Session>(new Session(std::move(model), opts));
}

std::unique_ptr<Session> Session::from_file(const std::string& path, const SessionOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<ir::Model> model = onnx::load_model_file(path);
  const double load_ms = ms_between(start, std::chrono::steady_clock::now());
  auto s = from_model(std::move(model), opts);
  s->phases_.insert(s->phases_.begin(), CreationPhase{"load", load_ms});
  s->creation_ms_ = ms_between(start, std::chrono::steady_clock::now());
  log_creation(s->phases_, s->creation_ms_, s->plan_stats());
  return s;
}

std::unique_ptr<Session> Session::from_memory(const void* data, size_t size, const SessionOptions& opts) {
  EMBER_CHECK(data || size == 0, InvalidArgument, "model data is null");
  const auto start = std::chrono::steady_clock::now();
  // Copied into a 64-byte aligned block so initializers can still be used in place.
  Tensor copy(DType::UInt8, {int64_t(size)});
  if (size) std::memcpy(copy.raw(), data, size);
  auto keep = std::make_shared<Tensor>(copy);
  std::shared_ptr<ir::Model> model = onnx::load_model_memory(keep->raw(), size, keep);
  const double load_ms = ms_between(start, std::chrono::steady_clock::now());
  auto s = from_model(std::move(model), opts);
  s->phases_.insert(s->phases_.begin(), CreationPhase{"load", load_ms});
  s->creation_ms_ = ms_between(start, std::chrono::steady_clock::now());
  log_creation(s->phases_, s->creation_ms_, s->plan_stats());
  return s;
}

std::vector<Tensor> Session::run(const Feeds& feeds, const std::vector<std::string>& output_names) const {
  ValueFeeds values;
  values.reserve(feeds.size());
  for (const auto& [name, t] : feeds) {
    EMBER_CHECK(t.defined(), InvalidArgument, "input '", name, "' is an empty tensor");
    values.emplace_back(name, ops::RtValue{t, nullptr, false});
  }
  std::vector<ops::RtValue> all = run_values(values, output_names);
  std::vector<Tensor> result;
  for (size_t k = 0; k < all.size(); ++k) {
    EMBER_CHECK(!all[k].is_sequence() && !all[k].is_none, Unsupported, "output '",
                output_names.empty() ? outputs_[k].name : output_names[k],
                "' is a sequence or optional value, which this API cannot return yet");
    result.push_back(std::move(all[k].tensor));
  }
  return result;
}

std::vector<ops::RtValue> Session::run_values(const ValueFeeds& feeds,
                                              const std::vector<std::string>& output_names) const {
  const ir::Graph& g = *model_->graph;
  std::vector<ops::RtValue> bound(g.inputs.size());
  std::unordered_set<const void*> fed_data;  // outputs pointing here are copied
  for (const auto& [name, value] : feeds) {
    size_t k = 0;
    while (k < inputs_.size() && inputs_[k].name != name) ++k;
    if (k == inputs_.size()) {
      std::ostringstream known;
      for (const IoInfo& i : inputs_) known << (known.tellp() ? ", " : "") << i.name;
      fail(Status::InvalidArgument, "unknown input '", name, "'; the model's inputs are: ", known.str());
    }
    EMBER_CHECK(!is_bound(bound[k]), InvalidArgument, "input '", name, "' is given twice");
    check_value_feed(inputs_[k], value);
    bound[k] = value;
    if (value.tensor.defined()) fed_data.insert(value.tensor.raw());
    if (value.is_sequence())
      for (const Tensor& t : *value.sequence) fed_data.insert(t.raw());
  }
  for (size_t k = 0; k < g.inputs.size(); ++k)
    EMBER_CHECK(is_bound(bound[k]) || g.inputs[k]->constant, InvalidArgument, "input '", inputs_[k].name,
                "' is required but was not given");

  std::vector<size_t> picks;
  if (output_names.empty()) {
    for (size_t k = 0; k < outputs_.size(); ++k) picks.push_back(k);
  } else {
    for (const std::string& name : output_names) {
      size_t k = 0;
      while (k < outputs_.size() && outputs_[k].name != name) ++k;
      EMBER_CHECK(k < outputs_.size(), InvalidArgument, "unknown output '", name, "'");
      picks.push_back(k);
    }
  }

  std::vector<ops::RtValue> all = plan_->execute(std::move(bound), *pool_, profiler_.get());
  // Outputs that are inputs or constants of the model are handed out as copies, so the
  // caller never writes into model weights or its own input buffer.
  auto own = [&](const Tensor& t) {
    const bool alias = t.defined() && (fed_data.count(t.raw()) > 0 || constant_data_.count(t.raw()) > 0);
    return alias ? t.clone() : t;
  };
  std::vector<ops::RtValue> result;
  for (size_t k : picks) {
    const ops::RtValue& r = all[k];
    ops::RtValue out;
    out.is_none = r.is_none;
    if (r.is_sequence()) {
      std::vector<Tensor> elems;
      for (const Tensor& t : *r.sequence) elems.push_back(own(t));
      out.sequence = std::make_shared<const std::vector<Tensor>>(std::move(elems));
    } else if (!r.is_none) {
      out.tensor = own(r.tensor);
    }
    result.push_back(std::move(out));
  }
  return result;
}

}  // namespace ember::runtime
