#include "runtime/session.h"

#include <chrono>
#include <cstring>
#include <sstream>

#include "onnx/onnx_reader.h"
#include "ops/graph_inference.h"
#include "runtime/plan.h"

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

}  // namespace

Session::Session(std::shared_ptr<ir::Model> model, const SessionOptions& opts) : opts_(opts), model_(std::move(model)) {
  const auto start = std::chrono::steady_clock::now();
  EMBER_CHECK(model_ && model_->graph, InvalidModel, "model has no graph");
  const Backend& backend = find_backend(opts_.device);
  EMBER_CHECK(opts_.profile_path.empty(), Unsupported, "option 'profile': profiling is not implemented in this build");
  EMBER_CHECK(opts_.cpu_backend != "onednn", Unsupported, "option 'cpu_backend=onednn': this build has no oneDNN backend");
  ir::Graph& g = *model_->graph;
  ops::InferenceOptions inference;
  inference.fold_constants = opts_.optimization >= 1;
  ops::infer_graph(g, ops::OpRegistry::global(), inference);
  for (const ir::Value* v : g.inputs) inputs_.push_back(io_info(*v));
  for (const ir::Value* v : g.outputs) outputs_.push_back(io_info(*v));
  plan_ = Plan::build(g, backend);
  for (const auto& v : g.values())
    if (v->constant) constant_data_.insert(v->constant->raw());
  pool_ = std::make_unique<ThreadPool>(opts_.threads > 0 ? opts_.threads : default_thread_count());
  creation_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Session::~Session() = default;

const PlanStats& Session::plan_stats() const { return plan_->stats(); }

std::unique_ptr<Session> Session::from_model(std::shared_ptr<ir::Model> model, const SessionOptions& opts) {
  return std::unique_ptr<Session>(new Session(std::move(model), opts));
}

std::unique_ptr<Session> Session::from_file(const std::string& path, const SessionOptions& opts) {
  const auto start = std::chrono::steady_clock::now();
  auto s = from_model(onnx::load_model_file(path), opts);
  s->creation_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return s;
}

std::unique_ptr<Session> Session::from_memory(const void* data, size_t size, const SessionOptions& opts) {
  EMBER_CHECK(data || size == 0, InvalidArgument, "model data is null");
  const auto start = std::chrono::steady_clock::now();
  // Copied into a 64-byte aligned block so initializers can still be used in place.
  Tensor copy(DType::UInt8, {int64_t(size)});
  if (size) std::memcpy(copy.raw(), data, size);
  auto keep = std::make_shared<Tensor>(copy);
  auto s = from_model(onnx::load_model_memory(keep->raw(), size, keep), opts);
  s->creation_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return s;
}

std::vector<Tensor> Session::run(const Feeds& feeds, const std::vector<std::string>& output_names) const {
  const ir::Graph& g = *model_->graph;
  std::vector<ops::RtValue> bound(g.inputs.size());
  for (const auto& [name, tensor] : feeds) {
    size_t k = 0;
    while (k < inputs_.size() && inputs_[k].name != name) ++k;
    if (k == inputs_.size()) {
      std::ostringstream known;
      for (const IoInfo& i : inputs_) known << (known.tellp() ? ", " : "") << i.name;
      fail(Status::InvalidArgument, "unknown input '", name, "'; the model's inputs are: ", known.str());
    }
    EMBER_CHECK(!bound[k].tensor.defined(), InvalidArgument, "input '", name, "' is given twice");
    check_feed(inputs_[k], tensor);
    bound[k].tensor = tensor;
  }
  for (size_t k = 0; k < g.inputs.size(); ++k)
    EMBER_CHECK(bound[k].tensor.defined() || g.inputs[k]->constant, InvalidArgument, "input '",
                inputs_[k].name, "' is required but was not given");

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

  std::vector<ops::RtValue> all = plan_->execute(std::move(bound), *pool_);
  std::vector<Tensor> result;
  for (size_t k : picks) {
    const ops::RtValue& r = all[k];
    EMBER_CHECK(!r.is_sequence() && !r.is_none, Unsupported, "output '", outputs_[k].name,
                "' is a sequence or optional value, which this API cannot return yet");
    // Outputs that are inputs or constants of the model are handed out as copies, so the
    // caller never writes into model weights or its own input buffer.
    bool alias = false;
    for (const auto& [name, t] : feeds) alias |= t.raw() == r.tensor.raw();
    alias |= constant_data_.count(r.tensor.raw()) > 0;
    result.push_back(alias ? r.tensor.clone() : r.tensor);
  }
  return result;
}

}  // namespace ember::runtime
